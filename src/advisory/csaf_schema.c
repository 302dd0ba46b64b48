/* The schema stage of the CSAF 2.0 checker (advisory/csaf.h): the document against the CSAF
 * 2.0 JSON schema (csaf_json_schema.json, draft 2020-12) and the FIRST CVSS v2.0 / v3.0 / v3.1
 * schemas it references (their strict forms), written out as C: a table of nodes, one per
 * schema object, read by a small interpreter. Nothing is read at run time.
 *
 * What each node may say is what the CSAF schema uses: type, required and known properties
 * (additionalProperties false only in the strict CVSS schemas: the CSAF schema itself allows
 * unknown properties), enum, pattern, format (date-time, uri), minLength, minItems,
 * minProperties, maxProperties, uniqueItems, minimum/maximum, and the oneOf of cvss_v3 (3.0 or
 * 3.1, told apart by its version). Patterns follow ECMA-262 as JSON Schema says: the plain
 * ones are POSIX extended regular expressions compiled once; the three that ERE cannot say
 * (\s, line terminators) are matched by hand. docs/CSAF.md lists the approximations. */
#include <pthread.h>
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advisory/csaf.h"
#include "util/limits.h"
#include "util/mem.h"
#include "util/shown.h"
#include "util/sort.h"

/* ---- the schema as a table ---- */

enum node_type { T_OBJECT = 1, T_ARRAY, T_STRING, T_NUMBER, T_CVSS3 };
enum node_format { F_NONE, F_DATE_TIME, F_URI };
/* Patterns: the regular expressions first (compiled), then the hand-written matchers. */
enum node_pattern {
    P_NONE,
    P_LANG,      /* lang_t: BCP 47 language tag */
    P_VERSION,   /* version_t: integer or semantic version */
    P_CPE,       /* product_identification_helper/cpe: CPE 2.3 formatted string or 2.2 URI */
    P_HASH,      /* file_hashes/value: at least 32 hexadecimal digits */
    P_CVE,       /* vulnerabilities/cve */
    P_CWE,       /* vulnerabilities/cwe/id */
    P_CVSS2_VEC, /* cvss_v2/vectorString */
    P_CVSS30_VEC,
    P_CVSS31_VEC,
    P_REGEX_END,
    P_CATEGORY = P_REGEX_END, /* document/category: ^[^\s\-_\.](.*[^\s\-_\.])?$ */
    P_TRACKING_ID,            /* tracking/id: ^[\S](.*[\S])?$ */
    P_PURL,                   /* purl: ^pkg:[A-Za-z\.\-\+][A-Za-z0-9\.\-\+]*\/.+ */
};

struct prop;

/* One schema object. Fields left 0 say nothing. */
struct node {
    unsigned char type;         /* enum node_type */
    unsigned char format;       /* enum node_format (strings) */
    unsigned char pattern;      /* enum node_pattern (strings) */
    bool unique;                /* uniqueItems (arrays) */
    bool closed;                /* additionalProperties false (objects) */
    bool ranged;                /* lo and hi apply (numbers) */
    unsigned min;               /* minLength (code points), minItems or minProperties */
    unsigned max;               /* maxProperties; 0: no maximum */
    double lo, hi;              /* minimum and maximum (numbers) */
    const char *const *choices; /* enum (strings), NULL-terminated */
    const struct prop *props;   /* properties (objects), ended by a NULL name */
    const struct node *items;   /* items (arrays) */
    const struct node *alt[2];  /* T_CVSS3: the CVSS v3.0 and v3.1 objects */
};

struct prop {
    const char *name;
    const struct node *node;
    bool required;
};

#define REQ        true
#define LIST(...)  ((const char *const[]){__VA_ARGS__, NULL})
#define PROPS(...) ((const struct prop[]){__VA_ARGS__, {NULL, NULL, false}})
#define NODE(...)  (&(const struct node){__VA_ARGS__})
#define ENUM_NODE(...)                                                                             \
    {                                                                                              \
        .type = T_STRING, .choices = LIST(__VA_ARGS__)                                             \
    }
#define ENUM(...)    NODE(.type = T_STRING, .choices = LIST(__VA_ARGS__))
#define OBJ(...)     NODE(.type = T_OBJECT, .props = PROPS(__VA_ARGS__))
/* An array of at least one item (every array of the CSAF schema but product_ids of a group). */
#define ARRAY1(item) NODE(.type = T_ARRAY, .min = 1, .items = (item))
#define SET1(item)   NODE(.type = T_ARRAY, .min = 1, .unique = true, .items = (item))

static const struct node string1 = {.type = T_STRING, .min = 1}; /* minLength 1 */
static const struct node date_time = {.type = T_STRING, .format = F_DATE_TIME};
static const struct node uri = {.type = T_STRING, .format = F_URI};
static const struct node lang_t = {.type = T_STRING, .pattern = P_LANG};
static const struct node version_t = {.type = T_STRING, .pattern = P_VERSION};
static const struct node product_id_t = {.type = T_STRING, .min = 1};
static const struct node products_t = {.type = T_ARRAY,
                                       .min = 1,
                                       .unique = true,
                                       .items = &product_id_t};
static const struct node product_groups_t = {.type = T_ARRAY,
                                             .min = 1,
                                             .unique = true,
                                             .items = &product_id_t};

static const struct node acknowledgments_t = {
    .type = T_ARRAY,
    .min = 1,
    .items =
        NODE(.type = T_OBJECT, .min = 1,
             .props = PROPS({"names", ARRAY1(&string1), false}, {"organization", &string1, false},
                            {"summary", &string1, false}, {"urls", ARRAY1(&uri), false})),
};

static const struct node notes_t = {
    .type = T_ARRAY,
    .min = 1,
    .items = OBJ({"audience", &string1, false},
                 {"category",
                  ENUM("description", "details", "faq", "general", "legal_disclaimer", "other",
                       "summary"),
                  REQ},
                 {"text", &string1, REQ}, {"title", &string1, false}),
};

static const struct node references_t = {
    .type = T_ARRAY,
    .min = 1,
    .items = OBJ({"category", ENUM("external", "self"), false}, {"summary", &string1, REQ},
                 {"url", &uri, REQ}),
};

static const struct node product_identification_helper = {
    .type = T_OBJECT,
    .min = 1,
    .props =
        PROPS({"cpe", NODE(.type = T_STRING, .min = 5, .pattern = P_CPE), false},
              {"hashes",
               ARRAY1(OBJ({"file_hashes",
                           ARRAY1(OBJ({"algorithm", &string1, REQ},
                                      {"value",
                                       NODE(.type = T_STRING, .min = 32, .pattern = P_HASH), REQ})),
                           REQ},
                          {"filename", &string1, REQ})),
               false},
              {"model_numbers", SET1(&string1), false},
              {"purl", NODE(.type = T_STRING, .min = 7, .format = F_URI, .pattern = P_PURL), false},
              {"sbom_urls", ARRAY1(&uri), false}, {"serial_numbers", SET1(&string1), false},
              {"skus", ARRAY1(&string1), false},
              {"x_generic_uris", ARRAY1(OBJ({"namespace", &uri, REQ}, {"uri", &uri, REQ})), false}),
};

static const struct node full_product_name_t = {
    .type = T_OBJECT,
    .props = PROPS({"name", &string1, REQ}, {"product_id", &product_id_t, REQ},
                   {"product_identification_helper", &product_identification_helper, false}),
};

/* branches_t refers to itself: declared first (a tentative definition), defined below. */
static const struct node branches_t;
static const struct node branch = {
    .type = T_OBJECT,
    .min = 3,
    .max = 3,
    .props = PROPS({"branches", &branches_t, false},
                   {"category",
                    ENUM("architecture", "host_name", "language", "legacy", "patch_level",
                         "product_family", "product_name", "product_version",
                         "product_version_range", "service_pack", "specification", "vendor"),
                    REQ},
                   {"name", &string1, REQ}, {"product", &full_product_name_t, false}),
};
static const struct node branches_t = {.type = T_ARRAY, .min = 1, .items = &branch};

/* ---- FIRST's CVSS schemas (the strict forms: no unknown property) ---- */

static const struct node score = {.type = T_NUMBER, .ranged = true, .lo = 0, .hi = 10};
static const struct node exploitability =
    ENUM_NODE("UNPROVEN", "PROOF_OF_CONCEPT", "FUNCTIONAL", "HIGH", "NOT_DEFINED");
static const struct node remediation =
    ENUM_NODE("OFFICIAL_FIX", "TEMPORARY_FIX", "WORKAROUND", "UNAVAILABLE", "NOT_DEFINED");
static const struct node cia_requirement = ENUM_NODE("LOW", "MEDIUM", "HIGH", "NOT_DEFINED");
static const struct node cia2 = ENUM_NODE("NONE", "PARTIAL", "COMPLETE");

static const struct node cvss_v2 = {
    .type = T_OBJECT,
    .closed = true,
    .props =
        PROPS({"version", ENUM("2.0"), REQ},
              {"vectorString", NODE(.type = T_STRING, .pattern = P_CVSS2_VEC), REQ},
              {"accessVector", ENUM("NETWORK", "ADJACENT_NETWORK", "LOCAL"), false},
              {"accessComplexity", ENUM("HIGH", "MEDIUM", "LOW"), false},
              {"authentication", ENUM("MULTIPLE", "SINGLE", "NONE"), false},
              {"confidentialityImpact", &cia2, false}, {"integrityImpact", &cia2, false},
              {"availabilityImpact", &cia2, false}, {"baseScore", &score, REQ},
              {"exploitability", &exploitability, false}, {"remediationLevel", &remediation, false},
              {"reportConfidence",
               ENUM("UNCONFIRMED", "UNCORROBORATED", "CONFIRMED", "NOT_DEFINED"), false},
              {"temporalScore", &score, false},
              {"collateralDamagePotential",
               ENUM("NONE", "LOW", "LOW_MEDIUM", "MEDIUM_HIGH", "HIGH", "NOT_DEFINED"), false},
              {"targetDistribution", ENUM("NONE", "LOW", "MEDIUM", "HIGH", "NOT_DEFINED"), false},
              {"confidentialityRequirement", &cia_requirement, false},
              {"integrityRequirement", &cia_requirement, false},
              {"availabilityRequirement", &cia_requirement, false},
              {"environmentalScore", &score, false}),
};

static const struct node severity = ENUM_NODE("NONE", "LOW", "MEDIUM", "HIGH", "CRITICAL");
static const struct node cia3 = ENUM_NODE("NONE", "LOW", "HIGH");
static const struct node mcia3 = ENUM_NODE("NONE", "LOW", "HIGH", "NOT_DEFINED");

/* The properties of CVSS v3.0 and v3.1 but version and vectorString (the same in both). */
/* clang-format off */
#define CVSS3_PROPS                                                                            \
    {"attackVector", ENUM("NETWORK", "ADJACENT_NETWORK", "LOCAL", "PHYSICAL"), false},         \
    {"attackComplexity", ENUM("HIGH", "LOW"), false},                                          \
    {"privilegesRequired", ENUM("HIGH", "LOW", "NONE"), false},                                \
    {"userInteraction", ENUM("NONE", "REQUIRED"), false},                                      \
    {"scope", ENUM("UNCHANGED", "CHANGED"), false},                                            \
    {"confidentialityImpact", &cia3, false},                                                   \
    {"integrityImpact", &cia3, false},                                                         \
    {"availabilityImpact", &cia3, false},                                                      \
    {"baseScore", &score, REQ},                                                                \
    {"baseSeverity", &severity, REQ},                                                          \
    {"exploitCodeMaturity", &exploitability, false},                                           \
    {"remediationLevel", &remediation, false},                                                 \
    {"reportConfidence", ENUM("UNKNOWN", "REASONABLE", "CONFIRMED", "NOT_DEFINED"), false},    \
    {"temporalScore", &score, false},                                                          \
    {"temporalSeverity", &severity, false},                                                    \
    {"confidentialityRequirement", &cia_requirement, false},                                   \
    {"integrityRequirement", &cia_requirement, false},                                         \
    {"availabilityRequirement", &cia_requirement, false},                                      \
    {"modifiedAttackVector",                                                                   \
     ENUM("NETWORK", "ADJACENT_NETWORK", "LOCAL", "PHYSICAL", "NOT_DEFINED"), false},          \
    {"modifiedAttackComplexity", ENUM("HIGH", "LOW", "NOT_DEFINED"), false},                   \
    {"modifiedPrivilegesRequired", ENUM("HIGH", "LOW", "NONE", "NOT_DEFINED"), false},         \
    {"modifiedUserInteraction", ENUM("NONE", "REQUIRED", "NOT_DEFINED"), false},               \
    {"modifiedScope", ENUM("UNCHANGED", "CHANGED", "NOT_DEFINED"), false},                     \
    {"modifiedConfidentialityImpact", &mcia3, false},                                          \
    {"modifiedIntegrityImpact", &mcia3, false},                                                \
    {"modifiedAvailabilityImpact", &mcia3, false},                                             \
    {"environmentalScore", &score, false},                                                     \
    {"environmentalSeverity", &severity, false}
/* clang-format on */

static const struct node cvss_v30 = {
    .type = T_OBJECT,
    .closed = true,
    .props =
        PROPS({"version", ENUM("3.0"), REQ},
              {"vectorString", NODE(.type = T_STRING, .pattern = P_CVSS30_VEC), REQ}, CVSS3_PROPS),
};
static const struct node cvss_v31 = {
    .type = T_OBJECT,
    .closed = true,
    .props =
        PROPS({"version", ENUM("3.1"), REQ},
              {"vectorString", NODE(.type = T_STRING, .pattern = P_CVSS31_VEC), REQ}, CVSS3_PROPS),
};

/* ---- the document ---- */

static const struct node document = {
    .type = T_OBJECT,
    .props = PROPS(
        {"acknowledgments", &acknowledgments_t, false},
        {"aggregate_severity", OBJ({"namespace", &uri, false}, {"text", &string1, REQ}), false},
        {"category", NODE(.type = T_STRING, .min = 1, .pattern = P_CATEGORY), REQ},
        {"csaf_version", ENUM("2.0"), REQ},
        {"distribution",
         NODE(.type = T_OBJECT, .min = 1,
              .props = PROPS({"text", &string1, false},
                             {"tlp",
                              OBJ({"label", ENUM("AMBER", "GREEN", "RED", "WHITE"), REQ},
                                  {"url", &uri, false}),
                              false})),
         false},
        {"lang", &lang_t, false}, {"notes", &notes_t, false},
        {"publisher",
         OBJ({"category",
              ENUM("coordinator", "discoverer", "other", "translator", "user", "vendor"), REQ},
             {"contact_details", &string1, false}, {"issuing_authority", &string1, false},
             {"name", &string1, REQ}, {"namespace", &uri, REQ}),
         REQ},
        {"references", &references_t, false}, {"source_lang", &lang_t, false},
        {"title", &string1, REQ},
        {"tracking",
         OBJ({"aliases", SET1(&string1), false}, {"current_release_date", &date_time, REQ},
             {"generator",
              OBJ({"date", &date_time, false},
                  {"engine", OBJ({"name", &string1, REQ}, {"version", &string1, false}), REQ}),
              false},
             {"id", NODE(.type = T_STRING, .min = 1, .pattern = P_TRACKING_ID), REQ},
             {"initial_release_date", &date_time, REQ},
             {"revision_history",
              ARRAY1(OBJ({"date", &date_time, REQ}, {"legacy_version", &string1, false},
                         {"number", &version_t, REQ}, {"summary", &string1, REQ})),
              REQ},
             {"status", ENUM("draft", "final", "interim"), REQ}, {"version", &version_t, REQ}),
         REQ}),
};

static const struct node product_tree = {
    .type = T_OBJECT,
    .min = 1,
    .props =
        PROPS({"branches", &branches_t, false},
              {"full_product_names", ARRAY1(&full_product_name_t), false},
              {"product_groups",
               ARRAY1(OBJ({"group_id", &product_id_t, REQ},
                          {"product_ids",
                           NODE(.type = T_ARRAY, .min = 2, .unique = true, .items = &product_id_t),
                           REQ},
                          {"summary", &string1, false})),
               false},
              {"relationships",
               ARRAY1(OBJ({"category",
                           ENUM("default_component_of", "external_component_of", "installed_on",
                                "installed_with", "optional_component_of"),
                           REQ},
                          {"full_product_name", &full_product_name_t, REQ},
                          {"product_reference", &product_id_t, REQ},
                          {"relates_to_product_reference", &product_id_t, REQ})),
               false}),
};

static const struct node vulnerability = {
    .type = T_OBJECT,
    .min = 1,
    .props = PROPS(
        {"acknowledgments", &acknowledgments_t, false},
        {"cve", NODE(.type = T_STRING, .pattern = P_CVE), false},
        {"cwe", OBJ({"id", NODE(.type = T_STRING, .pattern = P_CWE), REQ}, {"name", &string1, REQ}),
         false},
        {"discovery_date", &date_time, false},
        {"flags",
         SET1(OBJ({"date", &date_time, false}, {"group_ids", &product_groups_t, false},
                  {"label",
                   ENUM("component_not_present", "inline_mitigations_already_exist",
                        "vulnerable_code_cannot_be_controlled_by_adversary",
                        "vulnerable_code_not_in_execute_path", "vulnerable_code_not_present"),
                   REQ},
                  {"product_ids", &products_t, false})),
         false},
        {"ids", SET1(OBJ({"system_name", &string1, REQ}, {"text", &string1, REQ})), false},
        {"involvements",
         SET1(OBJ({"date", &date_time, false},
                  {"party", ENUM("coordinator", "discoverer", "other", "user", "vendor"), REQ},
                  {"status",
                   ENUM("completed", "contact_attempted", "disputed", "in_progress",
                        "not_contacted", "open"),
                   REQ},
                  {"summary", &string1, false})),
         false},
        {"notes", &notes_t, false},
        {"product_status",
         NODE(.type = T_OBJECT, .min = 1,
              .props =
                  PROPS({"first_affected", &products_t, false}, {"first_fixed", &products_t, false},
                        {"fixed", &products_t, false}, {"known_affected", &products_t, false},
                        {"known_not_affected", &products_t, false},
                        {"last_affected", &products_t, false}, {"recommended", &products_t, false},
                        {"under_investigation", &products_t, false})),
         false},
        {"references", &references_t, false}, {"release_date", &date_time, false},
        {"remediations",
         ARRAY1(OBJ({"category",
                     ENUM("mitigation", "no_fix_planned", "none_available", "vendor_fix",
                          "workaround"),
                     REQ},
                    {"date", &date_time, false}, {"details", &string1, REQ},
                    {"entitlements", ARRAY1(&string1), false},
                    {"group_ids", &product_groups_t, false}, {"product_ids", &products_t, false},
                    {"restart_required",
                     OBJ({"category",
                          ENUM("connected", "dependencies", "machine", "none", "parent", "service",
                               "system", "vulnerable_component", "zone"),
                          REQ},
                         {"details", &string1, false}),
                     false},
                    {"url", &uri, false})),
         false},
        {"scores",
         ARRAY1(NODE(.type = T_OBJECT, .min = 2,
                     .props = PROPS({"cvss_v2", &cvss_v2, false},
                                    {"cvss_v3",
                                     NODE(.type = T_CVSS3, .alt = {&cvss_v30, &cvss_v31}), false},
                                    {"products", &products_t, REQ}))),
         false},
        {"threats",
         ARRAY1(OBJ({"category", ENUM("exploit_status", "impact", "target_set"), REQ},
                    {"date", &date_time, false}, {"details", &string1, REQ},
                    {"group_ids", &product_groups_t, false}, {"product_ids", &products_t, false})),
         false},
        {"title", &string1, false}),
};

static const struct node csaf_root = {
    .type = T_OBJECT,
    .props = PROPS({"document", &document, REQ}, {"product_tree", &product_tree, false},
                   {"vulnerabilities", ARRAY1(&vulnerability), false}),
};

/* ---- patterns ---- */

/* The schemas' regular expressions in POSIX ERE (C locale: ranges are ASCII), the same
 * languages: (?: ) is ( ), \d is [0-9], escapes inside brackets are the characters. */
static const char *const regex_src[P_REGEX_END] = {
    [P_LANG] = "^(([A-Za-z]{2,3}(-[A-Za-z]{3}(-[A-Za-z]{3}){0,2})?|[A-Za-z]{4,8})(-[A-Za-z]{4})?"
               "(-([A-Za-z]{2}|[0-9]{3}))?(-([A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*"
               "(-[A-WY-Za-wy-z0-9](-[A-Za-z0-9]{2,8})+)*(-[Xx](-[A-Za-z0-9]{1,8})+)?"
               "|[Xx](-[A-Za-z0-9]{1,8})+|[Ii]-[Dd][Ee][Ff][Aa][Uu][Ll][Tt]"
               "|[Ii]-[Mm][Ii][Nn][Gg][Oo])$",
    [P_VERSION] = "^(0|[1-9][0-9]*)$|^((0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)"
                  "(-((0|[1-9][0-9]*|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*)"
                  "(\\.(0|[1-9][0-9]*|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
                  "(\\+([0-9a-zA-Z-]+(\\.[0-9a-zA-Z-]+)*))?)$",
    /* as in the schema, only the first alternative is anchored at the start and only the
     * second at the end */
    [P_CPE] = "^(cpe:2\\.3:[aho*-]"
              "(:(((\\?*|\\*?)([a-zA-Z0-9._-]|(\\\\[]\\\\*?!\"#$%&'()+,/:;<=>@[^`{|}~]))+"
              "(\\?*|\\*?))|[*-])){5}"
              "(:(([a-zA-Z]{2,3}(-([a-zA-Z]{2}|[0-9]{3}))?)|[*-]))"
              "(:(((\\?*|\\*?)([a-zA-Z0-9._-]|(\\\\[]\\\\*?!\"#$%&'()+,/:;<=>@[^`{|}~]))+"
              "(\\?*|\\*?))|[*-])){4})"
              "|([c][pP][eE]:/[AHOaho]?(:[A-Za-z0-9._~%-]*){0,6})$",
    [P_HASH] = "^[0-9a-fA-F]{32,}$",
    [P_CVE] = "^CVE-[0-9]{4}-[0-9]{4,}$",
    [P_CWE] = "^CWE-[1-9][0-9]{0,5}$",
    [P_CVSS2_VEC] = "^((AV:[NAL]|AC:[LMH]|Au:[MSN]|[CIA]:[NPC]|E:(U|POC|F|H|ND)|RL:(OF|TF|W|U|ND)"
                    "|RC:(UC|UR|C|ND)|CDP:(N|L|LM|MH|H|ND)|TD:(N|L|M|H|ND)|[CIA]R:(L|M|H|ND))/)*"
                    "(AV:[NAL]|AC:[LMH]|Au:[MSN]|[CIA]:[NPC]|E:(U|POC|F|H|ND)|RL:(OF|TF|W|U|ND)"
                    "|RC:(UC|UR|C|ND)|CDP:(N|L|LM|MH|H|ND)|TD:(N|L|M|H|ND)|[CIA]R:(L|M|H|ND))$",
#define CVSS3_METRICS                                                                              \
    "(AV:[NALP]|AC:[LH]|PR:[NLH]|UI:[NR]|S:[UC]|[CIA]:[NLH]|E:[XUPFH]|RL:[XOTWU]|RC:[XURC]"        \
    "|[CIA]R:[XLMH]|MAV:[XNALP]|MAC:[XLH]|MPR:[XNLH]|MUI:[XNR]|MS:[XUC]|M[CIA]:[XNLH])"
    [P_CVSS30_VEC] = "^CVSS:3[.]0/(" CVSS3_METRICS "/)*" CVSS3_METRICS "$",
    [P_CVSS31_VEC] = "^CVSS:3[.]1/(" CVSS3_METRICS "/)*" CVSS3_METRICS "$",
};

/* What a failed pattern is called in a message. */
static const char *const pattern_name[] = {
    [P_LANG] = "a language tag (lang_t)",
    [P_VERSION] = "a CSAF version (version_t)",
    [P_CPE] = "a CPE name",
    [P_HASH] = "a hexadecimal hash value",
    [P_CVE] = "a CVE id",
    [P_CWE] = "a CWE id",
    [P_CVSS2_VEC] = "a CVSS v2 vector",
    [P_CVSS30_VEC] = "a CVSS v3.0 vector",
    [P_CVSS31_VEC] = "a CVSS v3.1 vector",
    [P_CATEGORY] = "a document category",
    [P_TRACKING_ID] = "a tracking id",
    [P_PURL] = "a package URL",
};

static regex_t regex[P_REGEX_END];
static pthread_once_t regex_once = PTHREAD_ONCE_INIT;

static void compile_regex(void)
{
    for (int i = P_NONE + 1; i < P_REGEX_END; i++)
        if (regcomp(&regex[i], regex_src[i], REG_EXTENDED | REG_NOSUB) != 0)
            abort(); /* a table above is wrong: no document is to blame */
}

/* The code point at s[*i] (UTF-8, which jansson guarantees), advancing *i. */
static uint32_t next_cp(const unsigned char *s, size_t len, size_t *i)
{
    uint32_t c = s[(*i)++];
    int more = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : 0;
    c &= more == 3 ? 0x07 : more == 2 ? 0x0f : more == 1 ? 0x1f : 0x7f;
    while (more-- > 0 && *i < len)
        c = (c << 6) | (s[(*i)++] & 0x3f);
    return c;
}

/* ECMA-262's \s (WhiteSpace and LineTerminator) and its line terminators (what . excludes). */
static bool is_space(uint32_t c)
{
    return (c >= 0x09 && c <= 0x0d) || c == 0x20 || c == 0xa0 || c == 0x1680 ||
           (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f ||
           c == 0x205f || c == 0x3000 || c == 0xfeff;
}

static bool is_line_end(uint32_t c)
{
    return c == 0x0a || c == 0x0d || c == 0x2028 || c == 0x2029;
}

/* ^X(.*X)?$ where X is a code point that bad() refuses: first and last code points allowed,
 * no line terminator anywhere (a line terminator is a space: refused at both ends). */
static bool match_ends(const unsigned char *s, size_t len, bool (*bad)(uint32_t))
{
    if (len == 0)
        return false;
    size_t i = 0;
    uint32_t c = next_cp(s, len, &i);
    if (bad(c))
        return false;
    uint32_t last = c;
    while (i < len) {
        last = next_cp(s, len, &i);
        if (is_line_end(last))
            return false;
    }
    return !bad(last);
}

static bool bad_category_end(uint32_t c)
{
    return is_space(c) || c == '-' || c == '_' || c == '.';
}

static bool match_purl(const unsigned char *s, size_t len)
{
    if (len < 4 || memcmp(s, "pkg:", 4) != 0)
        return false;
    size_t i = 4;
    if (i >= len || !(((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z') || s[i] == '.' ||
                      s[i] == '-' || s[i] == '+'))
        return false;
    for (i++; i < len && s[i] != '/'; i++)
        if (!(((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
              s[i] == '.' || s[i] == '-' || s[i] == '+'))
            return false;
    if (i >= len) /* no '/' */
        return false;
    i++;
    return i < len && !is_line_end(next_cp(s, len, &i)); /* .+ */
}

static bool match_pattern(int p, const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    switch (p) {
    case P_CATEGORY: return match_ends(u, len, bad_category_end);
    case P_TRACKING_ID: return match_ends(u, len, is_space);
    case P_PURL: return match_purl(u, len);
    default: break;
    }
    if (strlen(s) != len) /* a NUL inside: none of the expressions accepts one */
        return false;
    pthread_once(&regex_once, compile_regex);
    return regexec(&regex[p], s, 0, NULL, 0) == 0;
}

/* ---- formats ---- */

static bool digits(const char *s, int n)
{
    for (int i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

static int num(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

/* RFC 3339's date-time: YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM), a real date (year 1 to 9999),
 * hours below 24, minutes below 60, seconds up to 60 (a leap second). */
static bool is_date_time(const char *s, size_t len)
{
    if (len < 20 || !digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' ||
        !digits(s + 8, 2) || (s[10] != 'T' && s[10] != 't') || !digits(s + 11, 2) || s[13] != ':' ||
        !digits(s + 14, 2) || s[16] != ':' || !digits(s + 17, 2))
        return false;
    int y = num(s, 4), mo = num(s + 5, 2), d = num(s + 8, 2);
    int h = num(s + 11, 2), mi = num(s + 14, 2), sec = num(s + 17, 2);
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1 || mo < 1 || mo > 12 || d < 1)
        return false;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (d > mdays[mo - 1] + (mo == 2 && leap))
        return false;
    if (h > 23 || mi > 59 || sec > 60)
        return false;
    size_t i = 19;
    if (s[i] == '.') {
        size_t start = ++i;
        while (i < len && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == start)
            return false;
    }
    if (i < len && (s[i] == 'Z' || s[i] == 'z'))
        return i + 1 == len;
    if (i + 6 != len || (s[i] != '+' && s[i] != '-') || !digits(s + i + 1, 2) || s[i + 3] != ':' ||
        !digits(s + i + 4, 2))
        return false;
    return num(s + i + 1, 2) < 24 && num(s + i + 4, 2) < 60;
}

static bool is_alpha(unsigned char c)
{
    return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}

static bool is_hex(unsigned char c)
{
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}

/* RFC 3986's unreserved, sub-delims, and the extra characters a part allows. */
static bool uri_char(unsigned char c, const char *extra)
{
    if (c == '\0')
        return false;
    return is_alpha(c) || (c >= '0' && c <= '9') || strchr("-._~!$&'()*+,;=", c) ||
           strchr(extra, c);
}

/* The characters s[*i..end) while each is an allowed one or a %HH escape. */
static void uri_run(const char *s, size_t end, size_t *i, const char *extra)
{
    while (*i < end) {
        unsigned char c = (unsigned char)s[*i];
        if (c == '%' && *i + 2 < end && is_hex((unsigned char)s[*i + 1]) &&
            is_hex((unsigned char)s[*i + 2]))
            *i += 3;
        else if (c != '%' && uri_char(c, extra))
            (*i)++;
        else
            return;
    }
}

/* An RFC 3986 URI: scheme ":" hier-part ["?" query] ["#" fragment]. The authority's host is
 * a reg-name or a bracketed literal whose inside is only checked for its characters
 * (approximated: docs/CSAF.md). */
static bool is_uri(const char *s, size_t len)
{
    if (len == 0 || !is_alpha((unsigned char)s[0]))
        return false;
    size_t i = 1;
    while (i < len && (is_alpha((unsigned char)s[i]) || (s[i] >= '0' && s[i] <= '9') ||
                       s[i] == '+' || s[i] == '-' || s[i] == '.'))
        i++;
    if (i >= len || s[i] != ':')
        return false;
    i++;
    if (i + 1 < len && s[i] == '/' && s[i + 1] == '/') {
        i += 2;
        size_t end = i;
        while (end < len && s[end] != '/' && s[end] != '?' && s[end] != '#')
            end++;
        /* [userinfo "@"] host [":" port] */
        const char *at = memchr(s + i, '@', end - i);
        if (at) {
            size_t stop = (size_t)(at - s);
            uri_run(s, stop, &i, ":");
            if (i != stop)
                return false;
            i++;
        }
        if (i < end && s[i] == '[') {
            i++;
            while (i < end && (is_hex((unsigned char)s[i]) || s[i] == ':' || s[i] == '.' ||
                               s[i] == 'v' || s[i] == 'V' || uri_char((unsigned char)s[i], "")))
                i++;
            if (i >= end || s[i] != ']')
                return false;
            i++;
        } else {
            uri_run(s, end, &i, "");
        }
        if (i < end && s[i] == ':') {
            for (i++; i < end && s[i] >= '0' && s[i] <= '9'; i++)
                ;
        }
        if (i != end)
            return false;
    }
    uri_run(s, len, &i, ":@/");
    if (i < len && s[i] == '?') {
        i++;
        uri_run(s, len, &i, ":@/?");
    }
    if (i < len && s[i] == '#') {
        i++;
        uri_run(s, len, &i, ":@/?");
    }
    return i == len;
}

/* ---- the interpreter ---- */

#define PTR_CAP 1024

struct walk {
    struct vg_csaf_report *rep;
    char ptr[PTR_CAP]; /* the JSON pointer of the value checked, NUL-terminated */
    size_t len;
    unsigned depth;
};

/* Appends "/" and the escaped key (~ as ~0, / as ~1) to the pointer; returns the length to
 * give back to pop. A pointer that would not fit is cut (the report's pointers are shorter). */
static size_t push_key(struct walk *w, const char *key)
{
    size_t was = w->len;
    if (w->len + 2 < PTR_CAP)
        w->ptr[w->len++] = '/';
    for (const char *k = key; *k && w->len + 3 < PTR_CAP; k++) {
        if (*k == '~' || *k == '/') {
            w->ptr[w->len++] = '~';
            w->ptr[w->len++] = *k == '~' ? '0' : '1';
        } else {
            w->ptr[w->len++] = *k;
        }
    }
    w->ptr[w->len] = '\0';
    return was;
}

static size_t push_index(struct walk *w, size_t i)
{
    char k[32];
    snprintf(k, sizeof k, "%zu", i);
    return push_key(w, k);
}

static void pop(struct walk *w, size_t was)
{
    w->len = was;
    w->ptr[was] = '\0';
}

/* A value as a message quotes it: escaped, cut after 64 bytes. */
#define QUOTE_MAX 64
static const char *quote(const char *s, size_t len, struct vg_shown *out)
{
    return vg_shown((struct vg_str){s, len}, QUOTE_MAX, out);
}

static const char *type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER:
    case JSON_REAL: return "a number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    default: return "null";
    }
}

/* code points of a UTF-8 string: bytes that do not continue a sequence */
static size_t code_points(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += ((unsigned char)s[i] & 0xc0) != 0x80;
    return n;
}

/* ---- uniqueItems: JSON equality (1 and 1.0 are equal, as in JSON Schema) ---- */

static bool equal(const json_t *a, const json_t *b, unsigned depth)
{
    if (a == b)
        return true;
    if (json_is_number(a) && json_is_number(b))
        return json_number_value(a) == json_number_value(b) &&
               (!json_is_integer(a) || !json_is_integer(b) ||
                json_integer_value(a) == json_integer_value(b));
    if (json_typeof(a) != json_typeof(b) || depth > VG_MAX_JSON_DEPTH)
        return false; /* past the depth limit, only the same value is equal */
    switch (json_typeof(a)) {
    case JSON_STRING:
        return json_string_length(a) == json_string_length(b) &&
               memcmp(json_string_value(a), json_string_value(b), json_string_length(a)) == 0;
    case JSON_ARRAY:
        if (json_array_size(a) != json_array_size(b))
            return false;
        for (size_t i = 0; i < json_array_size(a); i++)
            if (!equal(json_array_get(a, i), json_array_get(b, i), depth + 1))
                return false;
        return true;
    case JSON_OBJECT: {
        if (json_object_size(a) != json_object_size(b))
            return false;
        const char *k;
        json_t *va;
        json_object_foreach((json_t *)a, k, va) {
            json_t *vb = json_object_get(b, k);
            if (!vb || !equal(va, vb, depth + 1))
                return false;
        }
        return true;
    }
    default: return true; /* true, false, null */
    }
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *c = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ c[i]) * 0x100000001b3ULL;
    return h;
}

/* A hash equal values share (object members in any order; numbers by their value). */
static uint64_t hash(const json_t *v, unsigned depth)
{
    uint64_t h = 0xcbf29ce484222325ULL ^ (uint64_t)json_typeof(v);
    if (json_is_number(v)) {
        double d = json_number_value(v);
        if (d == 0)
            d = 0; /* -0.0 */
        return fnv(0xcbf29ce484222325ULL, &d, sizeof d);
    }
    if (depth > VG_MAX_JSON_DEPTH)
        return h;
    switch (json_typeof(v)) {
    case JSON_STRING: return fnv(h, json_string_value(v), json_string_length(v));
    case JSON_ARRAY:
        for (size_t i = 0; i < json_array_size(v); i++) {
            uint64_t e = hash(json_array_get(v, i), depth + 1);
            h = fnv(h, &e, sizeof e);
        }
        return h;
    case JSON_OBJECT: {
        uint64_t sum = 0;
        const char *k;
        json_t *m;
        json_object_foreach((json_t *)v, k, m) {
            uint64_t e = fnv(0xcbf29ce484222325ULL, k, strlen(k));
            e = fnv(e, "\0", 1) ^ (hash(m, depth + 1) * 31);
            sum += e * 0x9e3779b97f4a7c15ULL;
        }
        return fnv(h, &sum, sizeof sum);
    }
    default: return h;
    }
}

struct hashed {
    uint64_t h;
    size_t i;
};

static int cmp_hashed(const void *a, const void *b)
{
    const struct hashed *x = a, *y = b;
    if (x->h != y->h)
        return x->h < y->h ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

/* Reports the first pair of equal items of arr (by the later index of the pair), if any. A
 * few items are compared pairwise; more are sorted by hash first. */
static void check_unique(struct walk *w, const json_t *arr)
{
    size_t n = json_array_size(arr), first = 0, second = 0;
    bool dup = false;
    if (n <= 16) {
        for (size_t j = 1; j < n && !dup; j++)
            for (size_t i = 0; i < j && !dup; i++)
                if (equal(json_array_get(arr, i), json_array_get(arr, j), 0)) {
                    first = i, second = j, dup = true;
                }
    } else {
        struct hashed *hs = vg_malloc(n * sizeof *hs);
        if (!hs) {
            vg_csaf_report_add(w->rep, "schema", w->ptr, "out of memory checking uniqueItems");
            return;
        }
        for (size_t i = 0; i < n; i++)
            hs[i] = (struct hashed){hash(json_array_get(arr, i), 0), i};
        vg_sort(hs, n, sizeof *hs, cmp_hashed);
        for (size_t a = 0; a < n; a++)
            for (size_t b = a + 1; b < n && hs[b].h == hs[a].h; b++)
                if (equal(json_array_get(arr, hs[a].i), json_array_get(arr, hs[b].i), 0) &&
                    (!dup || hs[b].i < second)) {
                    first = hs[a].i, second = hs[b].i, dup = true;
                }
        free(hs);
    }
    if (dup)
        vg_csaf_report_add(w->rep, "schema", w->ptr, "items %zu and %zu are equal (uniqueItems)",
                           first, second);
}

static void check(struct walk *w, const struct node *n, const json_t *v);

static void check_string(struct walk *w, const struct node *n, const json_t *v)
{
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    struct vg_shown q;
    if (n->choices) {
        for (size_t i = 0; n->choices[i]; i++)
            if (strlen(n->choices[i]) == len && memcmp(n->choices[i], s, len) == 0)
                return;
        char list[200];
        size_t used = 0;
        list[0] = '\0';
        for (size_t i = 0; n->choices[i] && used < sizeof list; i++)
            used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "",
                                     n->choices[i]);
        vg_csaf_report_add(w->rep, "schema", w->ptr, "'%s' is not one of %s", quote(s, len, &q),
                           list);
        return;
    }
    if (n->min && code_points(s, len) < n->min) {
        vg_csaf_report_add(w->rep, "schema", w->ptr,
                           "'%s' is shorter than %u character%s (minLength)", quote(s, len, &q),
                           n->min, n->min > 1 ? "s" : "");
        return;
    }
    if (n->pattern && !match_pattern(n->pattern, s, len)) {
        vg_csaf_report_add(w->rep, "schema", w->ptr, "'%s' does not match the pattern of %s",
                           quote(s, len, &q), pattern_name[n->pattern]);
        return;
    }
    if (n->format == F_DATE_TIME && !is_date_time(s, len))
        vg_csaf_report_add(w->rep, "schema", w->ptr, "'%s' is not a date-time (RFC 3339, format)",
                           quote(s, len, &q));
    else if (n->format == F_URI && !is_uri(s, len))
        vg_csaf_report_add(w->rep, "schema", w->ptr, "'%s' is not a URI (RFC 3986, format)",
                           quote(s, len, &q));
}

static void check_array(struct walk *w, const struct node *n, const json_t *v)
{
    size_t count = json_array_size(v);
    if (count < n->min)
        vg_csaf_report_add(w->rep, "schema", w->ptr, "has %zu item%s, fewer than %u (minItems)",
                           count, count == 1 ? "" : "s", n->min);
    if (n->unique)
        check_unique(w, v);
    for (size_t i = 0; i < count && !w->rep->truncated; i++) {
        size_t was = push_index(w, i);
        check(w, n->items, json_array_get(v, i));
        pop(w, was);
    }
}

static void check_object(struct walk *w, const struct node *n, const json_t *v)
{
    size_t count = json_object_size(v);
    if (count < n->min)
        vg_csaf_report_add(w->rep, "schema", w->ptr,
                           "has %zu propert%s, fewer than %u (minProperties)", count,
                           count == 1 ? "y" : "ies", n->min);
    if (n->max && count > n->max)
        vg_csaf_report_add(w->rep, "schema", w->ptr,
                           "has %zu properties, more than %u (maxProperties)", count, n->max);
    for (const struct prop *p = n->props; p->name; p++)
        if (p->required && !json_object_get(v, p->name))
            vg_csaf_report_add(w->rep, "schema", w->ptr, "required property '%s' is missing",
                               p->name);
    for (const struct prop *p = n->props; p->name && !w->rep->truncated; p++) {
        const json_t *m = json_object_get(v, p->name);
        if (!m)
            continue;
        size_t was = push_key(w, p->name);
        check(w, p->node, m);
        pop(w, was);
    }
    if (!n->closed)
        return;
    const char *key;
    json_t *m;
    json_object_foreach((json_t *)v, key, m) {
        const struct prop *p = n->props;
        while (p->name && strcmp(p->name, key) != 0)
            p++;
        struct vg_shown q;
        if (!p->name)
            vg_csaf_report_add(w->rep, "schema", w->ptr, "unknown property '%s'",
                               quote(key, strlen(key), &q));
    }
}

/* cvss_v3: oneOf CVSS v3.0 and v3.1, which only their version tells apart. */
static void check_cvss3(struct walk *w, const struct node *n, const json_t *v)
{
    const json_t *version = json_object_get(v, "version");
    const char *s = json_string_value(version);
    if (s && strcmp(s, "3.0") == 0)
        check(w, n->alt[0], v);
    else if (s && strcmp(s, "3.1") == 0)
        check(w, n->alt[1], v);
    else if (!version)
        vg_csaf_report_add(w->rep, "schema", w->ptr, "required property 'version' is missing");
    else {
        size_t was = push_key(w, "version");
        struct vg_shown q;
        if (s)
            vg_csaf_report_add(w->rep, "schema", w->ptr, "'%s' is not one of 3.0, 3.1",
                               quote(s, json_string_length(version), &q));
        else
            vg_csaf_report_add(w->rep, "schema", w->ptr, "expected a string, got %s",
                               type_name(version));
        pop(w, was);
    }
}

static void check(struct walk *w, const struct node *n, const json_t *v)
{
    static const char *const want[] = {
        [T_OBJECT] = "an object", [T_ARRAY] = "an array",  [T_STRING] = "a string",
        [T_NUMBER] = "a number",  [T_CVSS3] = "an object",
    };
    bool ok = false;
    switch (n->type) {
    case T_OBJECT:
    case T_CVSS3: ok = json_is_object(v); break;
    case T_ARRAY: ok = json_is_array(v); break;
    case T_STRING: ok = json_is_string(v); break;
    case T_NUMBER: ok = json_is_number(v); break;
    default: abort();
    }
    if (!ok) {
        vg_csaf_report_add(w->rep, "schema", w->ptr, "expected %s, got %s", want[n->type],
                           type_name(v));
        return;
    }
    if (n->type != T_STRING && n->type != T_NUMBER && w->depth >= VG_MAX_JSON_DEPTH) {
        vg_csaf_report_add(w->rep, "schema", w->ptr, "nested deeper than %d levels",
                           VG_MAX_JSON_DEPTH);
        return;
    }
    w->depth++;
    switch (n->type) {
    case T_OBJECT: check_object(w, n, v); break;
    case T_CVSS3: check_cvss3(w, n, v); break;
    case T_ARRAY: check_array(w, n, v); break;
    case T_STRING: check_string(w, n, v); break;
    default: {
        double d = json_number_value(v);
        if (n->ranged && d < n->lo)
            vg_csaf_report_add(w->rep, "schema", w->ptr, "%g is less than %g (minimum)", d, n->lo);
        else if (n->ranged && d > n->hi)
            vg_csaf_report_add(w->rep, "schema", w->ptr, "%g is greater than %g (maximum)", d,
                               n->hi);
    }
    }
    w->depth--;
}

void vg_csaf_check_schema(const json_t *doc, struct vg_csaf_report *rep)
{
    struct walk *w = vg_malloc(sizeof *w);
    if (!w) {
        vg_csaf_report_add(rep, "schema", "", "out of memory");
        return;
    }
    w->rep = rep;
    w->ptr[0] = '\0';
    w->len = 0;
    w->depth = 0;
    if (!doc)
        vg_csaf_report_add(rep, "schema", "", "expected an object, got nothing");
    else
        check(w, &csaf_root, doc);
    free(w);
}
