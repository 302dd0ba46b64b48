/* Unit tests of the mandatory tests of CSAF 2.0's section 6.1 (src/advisory/csaf_tests.c):
 * the conformance oracle of the shared corpus (csaf2.0/test/validator/data/testcases.json: for
 * each test, documents that must fail it and documents that must pass it; the agreement table
 * of docs/CSAF-TESTS.md is what conformance() prints), the corpus's real advisories (all valid),
 * focused documents asserting the exact pointers and messages, and malformed documents (wrong
 * types anywhere) that must neither crash nor be reported by the mandatory tests.
 *
 * VIGIE_CSAF_TABLE=FILE makes conformance() write the Markdown table there. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "advisory/csaf.h"
#include "util/mem.h"

#define DATA "../shared/corpus/csaf2.0/test/validator/data"

static bool implemented(const char *id)
{
    for (const char *const *p = vg_csaf_mandatory_implemented; *p; p++)
        if (strcmp(*p, id) == 0)
            return true;
    return false;
}

/* The failures of test id (all tests when id is NULL) on doc. */
static size_t count(const json_t *doc, const char *id, struct vg_csaf_report *rep)
{
    memset(rep, 0, sizeof *rep);
    vg_csaf_check_mandatory(doc, id, rep);
    size_t n = 0;
    for (size_t i = 0; i < rep->n; i++)
        n += !id || strcmp(rep->items[i].test, id) == 0;
    return n;
}

static json_t *load(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, DATA "/%s", name);
    json_error_t err;
    json_t *j = json_load_file(path, 0, &err);
    if (!j)
        fail_msg("%s: %s", path, err.text);
    return j;
}

/* The names of the standard's tests, for the table. */
static const char *const names[][2] = {
    {"6.1.1", "Missing Definition of Product ID"},
    {"6.1.2", "Multiple Definition of Product ID"},
    {"6.1.3", "Circular Definition of Product ID"},
    {"6.1.4", "Missing Definition of Product Group ID"},
    {"6.1.5", "Multiple Definition of Product Group ID"},
    {"6.1.6", "Contradicting Product Status"},
    {"6.1.7", "Multiple Scores with same Version per Product"},
    {"6.1.8", "Invalid CVSS"},
    {"6.1.9", "Invalid CVSS computation"},
    {"6.1.10", "Inconsistent CVSS"},
    {"6.1.11", "CWE"},
    {"6.1.12", "Language"},
    {"6.1.13", "PURL"},
    {"6.1.14", "Sorted Revision History"},
    {"6.1.15", "Translator"},
    {"6.1.16", "Latest Document Version"},
    {"6.1.17", "Document Status Draft"},
    {"6.1.18", "Released Revision History"},
    {"6.1.19", "Revision History Entries for Pre-release Versions"},
    {"6.1.20", "Non-draft Document Version"},
    {"6.1.21", "Missing Item in Revision History"},
    {"6.1.22", "Multiple Definition in Revision History"},
    {"6.1.23", "Multiple Use of Same CVE"},
    {"6.1.24", "Multiple Definition in Involvements"},
    {"6.1.25", "Multiple Use of Same Hash Algorithm"},
    {"6.1.26", "Prohibited Document Category Name"},
    {"6.1.27.1", "Document Notes"},
    {"6.1.27.2", "Document References"},
    {"6.1.27.3", "Vulnerabilities (informational advisory)"},
    {"6.1.27.4", "Product Tree"},
    {"6.1.27.5", "Vulnerability Notes"},
    {"6.1.27.6", "Product Status"},
    {"6.1.27.7", "VEX Product Status"},
    {"6.1.27.8", "Vulnerability ID"},
    {"6.1.27.9", "Impact Statement"},
    {"6.1.27.10", "Action Statement"},
    {"6.1.27.11", "Vulnerabilities (security advisory, VEX)"},
    {"6.1.28", "Translation"},
    {"6.1.29", "Remediation without Product Reference"},
    {"6.1.30", "Mixed Integer and Semantic Versioning"},
    {"6.1.31", "Version Range in Product Version"},
    {"6.1.32", "Flag without Product Reference"},
    {"6.1.33", "Multiple Flags with VEX Justification Codes per Product"},
};

/* What each implemented test leaves out, for the table ("yes" when nothing). */
static const char *partly(const char *id)
{
    if (strcmp(id, "6.1.12") == 0)
        return "partly: languages, scripts and regions exist (ISO 639, 15924, 3166-1, UN M.49 "
               "areas); variants and extensions by form only";
    if (strcmp(id, "6.1.11") == 0)
        return "no: needs the CWE catalogue (the id's form is the schema's)";
    return implemented(id) ? "yes" : "no";
}

/* Every document of testcases.json: each implemented test catches its failures and passes its
 * valid documents. The table is printed (and written to $VIGIE_CSAF_TABLE). */
static void conformance(void **state)
{
    (void)state;
    json_t *cases = json_load_file(DATA "/testcases.json", 0, NULL);
    if (!cases)
        skip();
    const char *out = getenv("VIGIE_CSAF_TABLE");
    FILE *f = out ? fopen(out, "w") : NULL;
    size_t caught = 0, failures = 0, passed = 0, valid = 0, tests = 0, bad = 0;
    char line[512];
    snprintf(line, sizeof line,
             "| test | name | implemented | failures caught | valid passed |\n"
             "|---|---|---|---|---|\n");
    printf("%s", line);
    if (f)
        fputs(line, f);
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        const char *id = names[k][0];
        json_t *t = NULL, *x;
        size_t i;
        json_array_foreach(json_object_get(cases, "tests"), i, x) {
            if (strcmp(json_string_value(json_object_get(x, "id")), id) == 0)
                t = x;
        }
        size_t c = 0, nf = 0, p = 0, nv = 0;
        json_t *doc;
        json_array_foreach(json_object_get(t, "failures"), i, doc) {
            json_t *j = load(json_string_value(json_object_get(doc, "name")));
            struct vg_csaf_report rep;
            size_t n = count(j, id, &rep);
            nf++;
            if (n > 0)
                c++;
            else if (implemented(id))
                printf("MISSED %s: %s\n", id, json_string_value(json_object_get(doc, "name")));
            vg_csaf_report_free(&rep);
            json_decref(j);
        }
        json_array_foreach(json_object_get(t, "valid"), i, doc) {
            json_t *j = load(json_string_value(json_object_get(doc, "name")));
            struct vg_csaf_report rep;
            size_t n = count(j, id, &rep);
            nv++;
            if (n == 0)
                p++;
            else
                printf("WRONG %s: %s: %s %s\n", id, json_string_value(json_object_get(doc, "name")),
                       rep.items[0].pointer, rep.items[0].message);
            vg_csaf_report_free(&rep);
            json_decref(j);
        }
        snprintf(line, sizeof line, "| %s | %s | %s | %zu/%zu | %zu/%zu |\n", id, names[k][1],
                 partly(id), c, nf, p, nv);
        printf("%s", line);
        if (f)
            fputs(line, f);
        if (implemented(id)) {
            tests++;
            caught += c;
            failures += nf;
            passed += p;
            valid += nv;
            bad += (nf - c) + (nv - p);
        }
    }
    snprintf(line, sizeof line,
             "\n%zu of the 43 tests implemented; on them: %zu/%zu failing documents caught, "
             "%zu/%zu valid documents passed.\n",
             tests, caught, failures, passed, valid);
    printf("%s", line);
    if (f) {
        fputs(line, f);
        fclose(f);
    }
    json_decref(cases);
    assert_int_equal(tests, 42);
    assert_int_equal(bad, 0);
}

/* The documents testcases.json says are valid, and the corpus's real advisories, pass every
 * mandatory test. */
static void valid_documents(void **state)
{
    (void)state;
    json_t *cases = json_load_file(DATA "/testcases.json", 0, NULL);
    if (!cases)
        skip();
    size_t n = 0, i, k;
    json_t *t, *doc;
    json_array_foreach(json_object_get(cases, "tests"), i, t) {
        json_array_foreach(json_object_get(t, "valid"), k, doc) {
            json_t *j = load(json_string_value(json_object_get(doc, "name")));
            struct vg_csaf_report rep;
            if (count(j, NULL, &rep))
                fail_msg("%s: %s %s %s", json_string_value(json_object_get(doc, "name")),
                         rep.items[0].test, rep.items[0].pointer, rep.items[0].message);
            vg_csaf_report_free(&rep);
            json_decref(j);
            n++;
        }
    }
    json_decref(cases);
    static const char *const dirs[] = {"../shared/corpus/csaf2.0/examples/csaf",
                                       "../shared/corpus/csaf2.0/examples/csaf/csaf_vex"};
    for (size_t d = 0; d < 2; d++) {
        DIR *dir = opendir(dirs[d]);
        assert_non_null(dir);
        struct dirent *de;
        while ((de = readdir(dir))) {
            size_t nl = strlen(de->d_name);
            if (nl < 6 || strcmp(de->d_name + nl - 5, ".json") != 0)
                continue;
            char path[512];
            snprintf(path, sizeof path, "%s/%s", dirs[d], de->d_name);
            json_t *j = json_load_file(path, 0, NULL);
            assert_non_null(j);
            struct vg_csaf_report rep;
            if (count(j, NULL, &rep))
                fail_msg("%s: %s %s %s", path, rep.items[0].test, rep.items[0].pointer,
                         rep.items[0].message);
            vg_csaf_report_free(&rep);
            json_decref(j);
            n++;
        }
        closedir(dir);
    }
    assert_true(n >= 60);
}

/* ---- focused documents ---- */

/* Runs test id on the JSON text and checks the failures: want is "pointer|pointer|..." (in the
 * order found), "" for none. The first message must contain msg when msg is given. */
static void expect(const char *id, const char *text, const char *want, const char *msg)
{
    json_error_t err;
    json_t *doc = json_loads(text, 0, &err);
    if (!doc)
        fail_msg("bad test JSON: %s: %s", err.text, text);
    struct vg_csaf_report rep;
    count(doc, id, &rep);
    char got[2048] = "";
    size_t n = 0;
    for (size_t i = 0; i < rep.n; i++) {
        assert_string_equal(rep.items[i].test, id);
        n += (size_t)snprintf(got + n, sizeof got - n, "%s%s", i ? "|" : "", rep.items[i].pointer);
        assert_true(n < sizeof got);
    }
    if (strcmp(got, want) != 0)
        fail_msg("%s: got \"%s\", want \"%s\" (%s)", id, got, want,
                 rep.n ? rep.items[0].message : "");
    if (msg && (!rep.n || !strstr(rep.items[0].message, msg)))
        fail_msg("%s: message \"%s\" lacks \"%s\"", id, rep.n ? rep.items[0].message : "", msg);
    vg_csaf_report_free(&rep);
    json_decref(doc);
}

static void products(void **state)
{
    (void)state;
    const char *tree = "{\"product_tree\":{\"branches\":[{\"category\":\"vendor\",\"name\":\"V\","
                       "\"branches\":[{\"category\":\"product_name\",\"name\":\"P\",\"product\":"
                       "{\"name\":\"P\",\"product_id\":\"A\"}}]}],"
                       "\"full_product_names\":[{\"name\":\"B\",\"product_id\":\"B\"},"
                       "{\"name\":\"A again\",\"product_id\":\"A\"}],"
                       "\"product_groups\":[{\"group_id\":\"G\",\"product_ids\":[\"A\",\"Z\"]},"
                       "{\"group_id\":\"G\",\"product_ids\":[\"B\"]}],"
                       "\"relationships\":[{\"category\":\"installed_on\",\"product_reference\":"
                       "\"A\",\"relates_to_product_reference\":\"C\",\"full_product_name\":"
                       "{\"name\":\"C\",\"product_id\":\"C\"}}]},"
                       "\"vulnerabilities\":[{\"product_status\":{\"fixed\":[\"B\",\"Y\"]},"
                       "\"flags\":[{\"label\":\"component_not_present\",\"product_ids\":[\"X\"],"
                       "\"group_ids\":[\"H\"]}],"
                       "\"threats\":[{\"category\":\"impact\",\"details\":\"d\",\"group_ids\":"
                       "[\"G\",\"H2\"]}]}]}";
    expect("6.1.1", tree,
           "/product_tree/product_groups/0/product_ids/1|"
           "/vulnerabilities/0/product_status/fixed/1|/vulnerabilities/0/flags/0/product_ids/0",
           "product id Z is not defined");
    expect("6.1.2", tree, "/product_tree/full_product_names/1/product_id",
           "product id A is already defined");
    expect("6.1.3", tree, "/product_tree/relationships/0/full_product_name/product_id",
           "C is defined through itself");
    expect("6.1.4", tree,
           "/vulnerabilities/0/threats/0/group_ids/1|"
           "/vulnerabilities/0/flags/0/group_ids/0",
           "product group id H2");
    expect("6.1.5", tree, "/product_tree/product_groups/1/group_id", "G is already defined");
    /* a longer circle: D on E, E on D */
    expect("6.1.3",
           "{\"product_tree\":{\"relationships\":["
           "{\"product_reference\":\"E\",\"relates_to_product_reference\":\"X\","
           "\"full_product_name\":{\"product_id\":\"D\"}},"
           "{\"product_reference\":\"D\",\"relates_to_product_reference\":\"X\","
           "\"full_product_name\":{\"product_id\":\"E\"}},"
           "{\"product_reference\":\"D\",\"relates_to_product_reference\":\"X\","
           "\"full_product_name\":{\"product_id\":\"F\"}}]}}",
           "/product_tree/relationships/0/full_product_name/product_id|"
           "/product_tree/relationships/1/full_product_name/product_id",
           "D is defined through itself");
}

static void statuses_and_scores(void **state)
{
    (void)state;
    expect("6.1.6",
           "{\"vulnerabilities\":[{\"product_status\":{\"first_affected\":[\"A\"],"
           "\"first_fixed\":[\"B\"],\"fixed\":[\"B\"],\"known_affected\":[\"A\"],"
           "\"known_not_affected\":[\"A\",\"C\"],\"recommended\":[\"A\"],"
           "\"under_investigation\":[\"B\"]}}]}",
           "/vulnerabilities/0/product_status/known_not_affected/0|"
           "/vulnerabilities/0/product_status/under_investigation/0",
           "product id A is both affected and not affected");
    const char *scores =
        "{\"vulnerabilities\":[{},{\"scores\":["
        "{\"products\":[\"A\",\"B\"],\"cvss_v3\":{\"version\":\"3.1\",\"vectorString\":"
        "\"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H\",\"baseScore\":10,"
        "\"baseSeverity\":\"CRITICAL\"},\"cvss_v2\":{\"version\":\"2.0\",\"vectorString\":"
        "\"AV:N/AC:L/Au:N/C:C/I:C/A:C\",\"baseScore\":10.0}},"
        "{\"products\":[\"B\"],\"cvss_v3\":{\"version\":\"3.0\",\"vectorString\":"
        "\"CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H\",\"baseScore\":10,"
        "\"baseSeverity\":\"CRITICAL\"}},"
        "{\"products\":[\"A\"],\"cvss_v3\":{\"version\":\"3.1\",\"vectorString\":"
        "\"CVSS:3.1/AV:L/AC:L/PR:H/UI:R/S:U/C:H/I:H/A:H\",\"baseScore\":6.5,"
        "\"baseSeverity\":\"MEDIUM\"}}]}]}";
    expect("6.1.7", scores, "/vulnerabilities/1/scores/2/products/0",
           "product id A has a second CVSS 3.1 score (the first: scores/0)");
    expect("6.1.7",
           "{\"vulnerabilities\":[{\"scores\":[{\"products\":[\"A\",\"A\"],\"cvss_v2\":"
           "{\"version\":\"2.0\",\"vectorString\":\"AV:N/AC:L/Au:N/C:C/I:C/A:C\","
           "\"baseScore\":10.0}}]}]}",
           "", NULL); /* one score naming a product twice */
    expect("6.1.8", scores, "", NULL);
    expect("6.1.9", scores, "", NULL);
    expect("6.1.10", scores, "", NULL);
}

static const char *cvss_doc(const char *obj, char *buf, size_t cap)
{
    snprintf(buf, cap, "{\"vulnerabilities\":[{\"scores\":[{\"products\":[\"A\"],%s}]}]}", obj);
    return buf;
}

static void cvss(void **state)
{
    (void)state;
    char b[2048];
    /* 6.1.8: the schema of FIRST */
    expect("6.1.8",
           cvss_doc("\"cvss_v3\":{\"version\":\"3.1\",\"vectorString\":"
                    "\"CVSS:3.1/AV:L/AC:L/PR:H/UI:R/S:U/C:H/I:H/A:H\",\"baseScore\":6.5}",
                    b, sizeof b),
           "/vulnerabilities/0/scores/0/cvss_v3", "the required property baseSeverity");
    expect("6.1.8",
           cvss_doc("\"cvss_v3\":{\"version\":\"3.2\",\"vectorString\":"
                    "\"CVSS:3.1/AV:L/AC:L/PR:H/UI:R/S:U/C:H/I:H/A:H\",\"baseScore\":10.5,"
                    "\"baseSeverity\":\"medium\",\"attackVector\":\"NOWHERE\","
                    "\"modifiedScope\":\"NOT_DEFINED\",\"scope\":\"NOT_DEFINED\"}",
                    b, sizeof b),
           "/vulnerabilities/0/scores/0/cvss_v3/version|"
           "/vulnerabilities/0/scores/0/cvss_v3/baseScore|"
           "/vulnerabilities/0/scores/0/cvss_v3/baseSeverity|"
           "/vulnerabilities/0/scores/0/cvss_v3/attackVector|"
           "/vulnerabilities/0/scores/0/cvss_v3/scope",
           "version must be");
    expect("6.1.8",
           cvss_doc("\"cvss_v3\":{\"version\":\"3.0\",\"vectorString\":"
                    "\"CVSS:3.1/AV:L/AC:L/PR:H/UI:R/S:U/C:H/I:H/A:H\",\"baseScore\":6.5,"
                    "\"baseSeverity\":\"MEDIUM\"},\"cvss_v2\":{\"version\":\"2.0\","
                    "\"vectorString\":\"AV:L/AC:L/Au:M/C:C/I:C/A:C/E:X\",\"baseScore\":6.5}",
                    b, sizeof b),
           "/vulnerabilities/0/scores/0/cvss_v2/vectorString|"
           "/vulnerabilities/0/scores/0/cvss_v3/vectorString",
           "not a CVSS 2.0 vector");
    /* 6.1.9: scores and severities from the vector */
    expect("6.1.9",
           cvss_doc("\"cvss_v3\":{\"version\":\"3.1\",\"vectorString\":"
                    "\"CVSS:3.1/AV:L/AC:L/PR:H/UI:R/S:U/C:H/I:H/A:H/E:U\",\"baseScore\":6.5,"
                    "\"baseSeverity\":\"LOW\",\"temporalScore\":6.5,\"environmentalScore\":6.0,"
                    "\"environmentalSeverity\":\"MEDIUM\"}",
                    b, sizeof b),
           "/vulnerabilities/0/scores/0/cvss_v3/baseSeverity|"
           "/vulnerabilities/0/scores/0/cvss_v3/temporalScore",
           "baseSeverity is LOW, the vector gives MEDIUM (6.5)");
    expect("6.1.9",
           cvss_doc("\"cvss_v2\":{\"version\":\"2.0\",\"vectorString\":"
                    "\"AV:N/AC:L/Au:N/C:C/I:C/A:C\",\"baseScore\":6.5}",
                    b, sizeof b),
           "/vulnerabilities/0/scores/0/cvss_v2/baseScore",
           "baseScore is 6.5, the vector gives 10.0");
    expect("6.1.9",
           cvss_doc("\"cvss_v3\":{\"version\":\"3.1\",\"vectorString\":"
                    "\"CVSS:3.1/AV:L/AV:L/AC:L/PR:H/UI:R/S:U/C:H/I:H\",\"baseScore\":6.5,"
                    "\"baseSeverity\":\"MEDIUM\"}",
                    b, sizeof b),
           "/vulnerabilities/0/scores/0/cvss_v3/vectorString", "AV given twice");
    /* 6.1.10: the properties against the metrics the vector gives (one it leaves out is not
     * contradicted, as the corpus's valid documents have it) */
    expect("6.1.10",
           cvss_doc("\"cvss_v3\":{\"version\":\"3.1\",\"vectorString\":"
                    "\"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\",\"baseScore\":9.8,"
                    "\"baseSeverity\":\"CRITICAL\",\"attackVector\":\"LOCAL\","
                    "\"attackComplexity\":\"LOW\",\"scope\":\"CHANGED\","
                    "\"exploitCodeMaturity\":\"NOT_DEFINED\",\"remediationLevel\":\"WORKAROUND\"}",
                    b, sizeof b),
           "/vulnerabilities/0/scores/0/cvss_v3/attackVector|"
           "/vulnerabilities/0/scores/0/cvss_v3/scope",
           "attackVector is LOCAL but the vector says NETWORK (AV:N)");
    expect("6.1.10",
           cvss_doc("\"cvss_v2\":{\"version\":\"2.0\",\"vectorString\":"
                    "\"AV:N/AC:L/Au:N/C:C/I:C/A:C/E:POC\",\"baseScore\":10.0,"
                    "\"authentication\":\"SINGLE\",\"exploitability\":\"PROOF_OF_CONCEPT\"}",
                    b, sizeof b),
           "/vulnerabilities/0/scores/0/cvss_v2/authentication", "the vector says NONE (Au:N)");
    expect("6.1.10",
           cvss_doc("\"cvss_v3\":{\"version\":\"3.0\",\"vectorString\":"
                    "\"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:X\",\"baseScore\":9.8,"
                    "\"baseSeverity\":\"CRITICAL\",\"exploitCodeMaturity\":\"HIGH\"}",
                    b, sizeof b),
           "/vulnerabilities/0/scores/0/cvss_v3/version|"
           "/vulnerabilities/0/scores/0/cvss_v3/exploitCodeMaturity",
           "version is 3.0 but the vector is CVSS 3.1");
}

static const char *tracking(const char *status, const char *version, const char *hist, char *buf,
                            size_t cap)
{
    snprintf(buf, cap,
             "{\"document\":{\"tracking\":{\"status\":\"%s\",\"version\":\"%s\","
             "\"revision_history\":[%s]}}}",
             status, version, hist);
    return buf;
}

#define REV(date, num) "{\"date\":\"" date "\",\"number\":\"" num "\",\"summary\":\"s\"}"

static void revisions(void **state)
{
    (void)state;
    char b[2048];
    /* 6.1.14: time zones count (10:00+02:00 is before 09:00Z); ties sort by number */
    expect("6.1.14",
           tracking("final", "2",
                    REV("2021-07-22T10:00:00+02:00", "1") "," REV("2021-07-22T09:00:00Z", "2"), b,
                    sizeof b),
           "", NULL);
    expect("6.1.14",
           tracking("final", "2",
                    REV("2021-07-22T08:00:00-02:00", "1") "," REV("2021-07-22T09:00:00Z", "2"), b,
                    sizeof b),
           "/document/tracking/revision_history/0/number", "number 1 comes after 2");
    expect("6.1.14",
           tracking("final", "2",
                    REV("2021-07-22T10:00:00Z", "2") "," REV("2021-07-22T10:00:00.000Z", "1"), b,
                    sizeof b),
           "", NULL);
    expect("6.1.14",
           tracking("final", "1.10.0",
                    REV("2021-07-21T10:00:00Z",
                        "1.9.0") "," REV("2021-07-22T10:00:00Z",
                                         "1.10.0") "," REV("2021-07-23T10:00:00Z", "1.10.0-rc.1"),
                    b, sizeof b),
           "/document/tracking/revision_history/2/number", NULL);
    /* equal numbers are 6.1.22's, not 6.1.14's */
    expect("6.1.14",
           tracking("final", "2",
                    REV("2021-07-20T10:00:00Z", "1") "," REV("2021-07-21T10:00:00Z",
                                                             "1") "," REV("2021-07-22T10:00:00Z",
                                                                          "2"),
                    b, sizeof b),
           "", NULL);
    /* 6.1.16: build metadata ignored; the pre-release part only for drafts */
    expect("6.1.16",
           tracking("final", "2.0.0+b1",
                    REV("2021-07-21T10:00:00Z", "1.0.0") "," REV("2021-07-22T10:00:00Z", "2.0.0"),
                    b, sizeof b),
           "", NULL);
    expect("6.1.16",
           tracking("draft", "2.0.0-rc.1",
                    REV("2021-07-21T10:00:00Z", "1.0.0") "," REV("2021-07-22T10:00:00Z", "2.0.0"),
                    b, sizeof b),
           "", NULL);
    expect("6.1.16",
           tracking("final", "2.0.0-rc.1",
                    REV("2021-07-21T10:00:00Z", "1.0.0") "," REV("2021-07-22T10:00:00Z", "2.0.0"),
                    b, sizeof b),
           "/document/tracking/version", "version 2.0.0-rc.1 is not the number of the latest");
    expect("6.1.17",
           tracking("interim", "0.9.5", REV("2021-07-21T10:00:00Z", "0.9.5"), b, sizeof b),
           "/document/tracking/status", "status is interim");
    expect("6.1.17",
           tracking("final", "1.0.0-alpha", REV("2021-07-21T10:00:00Z", "1.0.0"), b, sizeof b),
           "/document/tracking/status", NULL);
    expect("6.1.17", tracking("draft", "0", REV("2021-07-21T10:00:00Z", "0"), b, sizeof b), "",
           NULL);
    expect("6.1.18",
           tracking("interim", "2",
                    REV("2021-07-21T10:00:00Z", "1") "," REV("2021-07-20T10:00:00Z",
                                                             "0") "," REV("2021-07-22T10:00:00Z",
                                                                          "2"),
                    b, sizeof b),
           "/document/tracking/revision_history/1/number", "number 0 is a draft's");
    expect("6.1.18", tracking("draft", "1", REV("2021-07-20T10:00:00Z", "0.1.0"), b, sizeof b), "",
           NULL);
    expect("6.1.19",
           tracking("draft", "1.0.0",
                    REV("2021-07-20T10:00:00Z", "1.0.0-rc") "," REV("2021-07-21T10:00:00Z",
                                                                    "1.0.0+build.1"),
                    b, sizeof b),
           "/document/tracking/revision_history/0/number", "1.0.0-rc is a pre-release");
    expect("6.1.20", tracking("interim", "1.0.0-alpha", "", b, sizeof b),
           "/document/tracking/version", "version 1.0.0-alpha is a pre-release");
    expect("6.1.20", tracking("draft", "1.0.0-alpha", "", b, sizeof b), "", NULL);
    /* 6.1.21: semantic versioning looks at the major version only */
    expect("6.1.21",
           tracking("final", "3.1.0",
                    REV("2021-07-20T10:00:00Z",
                        "1.0.0") "," REV("2021-07-21T10:00:00Z",
                                         "1.5.0") "," REV("2021-07-22T10:00:00Z", "3.1.0"),
                    b, sizeof b),
           "/document/tracking/revision_history/2/number", "between 1.5.0 and 3.1.0");
    expect("6.1.21",
           tracking("final", "3",
                    REV("2021-07-22T10:00:00Z", "3") "," REV("2021-07-20T10:00:00Z", "2"), b,
                    sizeof b),
           "/document/tracking/revision_history/1/number", "the first revision is 2");
    /* "02" is no version (leading zero): the schema's failure, skipped here */
    expect("6.1.21", tracking("final", "2", REV("2021-07-22T10:00:00Z", "02"), b, sizeof b), "",
           NULL);
    expect("6.1.22",
           tracking("final", "1",
                    REV("2021-07-20T10:00:00Z", "1") "," REV("2021-07-21T10:00:00Z",
                                                             "2") "," REV("2021-07-22T10:00:00Z",
                                                                          "1"),
                    b, sizeof b),
           "/document/tracking/revision_history/2/number", "number 1 is given twice");
    expect("6.1.30",
           tracking("final", "2",
                    REV("2021-07-20T10:00:00Z", "1.0.0") "," REV("2021-07-21T10:00:00Z", "2"), b,
                    sizeof b),
           "/document/tracking/revision_history/0/number",
           "number 1.0.0 uses semantic versioning, the document integer");
    expect("6.1.30",
           tracking("final", "x",
                    REV("2021-07-20T10:00:00Z", "1.0.0") "," REV("2021-07-21T10:00:00Z", "2"), b,
                    sizeof b),
           "/document/tracking/revision_history/1/number", NULL);
}

static void document_level(void **state)
{
    (void)state;
    expect("6.1.12", "{\"document\":{\"lang\":\"EZ\",\"source_lang\":\"de-AT\"}}", "/document/lang",
           "EZ: no such language");
    expect("6.1.12", "{\"document\":{\"lang\":\"en-AB\",\"source_lang\":\"de-DE-x-private-1\"}}",
           "/document/lang", "no such region");
    expect("6.1.12", "{\"document\":{\"lang\":\"i-klingon\",\"source_lang\":\"zh-Hant-TW\"}}", "",
           NULL);
    expect("6.1.12", "{\"document\":{\"lang\":\"sr-Latn-RS-u-co-phonebk\"}}", "", NULL);
    /* three-letter languages, scripts and numeric regions exist or not */
    static const char *const ok[] =
        {"gsw", "yue",        "zh-yue-HK",        "qaa", "sr-Cyrl",    "zh-Qaab", "es-419", "de-DD",
         "tlh", "x-whatever", "en-US-u-islamcal", "mis", "de-CH-1901", "EN-gb",   NULL};
    static const char *const bad[][2] = {{"eng", "no such language"},
                                         {"deu-DE", "no such language"},
                                         {"xyz", "no such language"},
                                         {"qzz", "no such language"}, /* past qaa-qtz */
                                         {"abcd", "no language subtag of 4 to 8 letters"},
                                         {"zh-Qaby", "no such script"}, /* past Qaaa-Qabx */
                                         {"x", "not a language tag"},
                                         {"zh-xyz", "no such extended language"},
                                         {"en-Abcd", "no such script"},
                                         {"es-999", "no such region"},
                                         {"en-US-x", "not a language tag"},
                                         {"en-a", "not a language tag"},
                                         {"en-US-123456789", "not a language tag"}};
    for (const char *const *t = ok; *t; t++) {
        char doc[256];
        snprintf(doc, sizeof doc, "{\"document\":{\"lang\":\"%s\"}}", *t);
        expect("6.1.12", doc, "", NULL);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char doc[256];
        snprintf(doc, sizeof doc, "{\"document\":{\"source_lang\":\"%s\"}}", bad[i][0]);
        expect("6.1.12", doc, "/document/source_lang", bad[i][1]);
    }
    expect("6.1.12", "{\"document\":{\"lang\":\"en--US\"}}", "/document/lang",
           "not a language tag");
    expect("6.1.12", "{\"document\":{\"lang\":\"english\"}}", "/document/lang", NULL);
    expect("6.1.15", "{\"document\":{\"publisher\":{\"category\":\"translator\"},\"lang\":\"de\"}}",
           "/document", "source_lang is missing");
    expect("6.1.15",
           "{\"document\":{\"publisher\":{\"category\":\"translator\"},\"source_lang\":\"en\"}}",
           "", NULL);
    expect("6.1.23",
           "{\"vulnerabilities\":[{\"cve\":\"CVE-2017-0145\"},{},"
           "{\"cve\":\"CVE-2017-0145\"}]}",
           "/vulnerabilities/2/cve", "CVE-2017-0145 is used by another vulnerability");
    expect("6.1.24",
           "{\"vulnerabilities\":[{\"involvements\":["
           "{\"party\":\"vendor\",\"status\":\"open\",\"date\":\"2021-04-23T10:00:00Z\"},"
           "{\"party\":\"vendor\",\"status\":\"completed\",\"date\":\"2021-04-23T12:00:00+02:00\"},"
           "{\"party\":\"vendor\",\"status\":\"completed\",\"date\":\"2021-04-24T10:00:00Z\"},"
           "{\"party\":\"user\",\"status\":\"open\",\"date\":\"2021-04-23T10:00:00Z\"}]}]}",
           "/vulnerabilities/0/involvements/1", "party vendor is already involved");
    expect("6.1.26", "{\"document\":{\"category\":\"Security_Incident_Response\"}}",
           "/document/category", "profile \"Security incident response\"");
    expect("6.1.26", "{\"document\":{\"category\":\"Csaf_a\"}}", "/document/category",
           "prefix csaf_");
    expect("6.1.26", "{\"document\":{\"category\":\"V_eX\"}}", "/document/category", NULL);
    expect("6.1.26", "{\"document\":{\"category\":\"Example Company Security Advisory\"}}", "",
           NULL);
    expect("6.1.26", "{\"document\":{\"category\":\"csaf_vex\"}}", "", NULL);
    expect("6.1.28", "{\"document\":{\"lang\":\"en-US\",\"source_lang\":\"en-us\"}}",
           "/document/source_lang", "the document's language (en-US)");
    expect("6.1.28", "{\"document\":{\"lang\":\"en-GB\",\"source_lang\":\"en-US\"}}", "", NULL);
}

static void product_helpers(void **state)
{
    (void)state;
    char b[4096];
#define PURL(x)                                                                                    \
    "{\"product_tree\":{\"full_product_names\":[{\"name\":\"n\",\"product_id\":\"A\","             \
    "\"product_identification_helper\":{\"purl\":\"" x "\"}}]}}"
    static const char *const bad[] = {
        PURL("pkg:maven/@1.3.4"), PURL("pkg:/name"),      PURL("pkg:1type/name"),
        PURL("pkg:ty$pe/name"),   PURL("purl:maven/a/b"), PURL("pkg:npm/na%2me"),
        PURL("pkg:npm/name?=v"),  PURL("pkg:npm/name?a"), PURL("pkg:npm/name#sub%zz"),
        PURL("pkg:npm/name@1%"),  PURL("pkg:npm/?a=b"),   PURL("pkg:npm/name?1a=b"),
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        expect("6.1.13", bad[i],
               "/product_tree/full_product_names/0/product_identification_helper/purl",
               "not a valid package URL");
    static const char *const good[] = {
        PURL("pkg:maven/org.apache.xmlgraphics/batik-anim@1.9.1?packaging=sources"),
        PURL("pkg:npm/%40angular/animation@12.3.1"),
        PURL("pkg:golang/google.golang.org/genproto#googleapis/api/annotations"),
        PURL("pkg:rpm/fedora/curl@7.50.3-1.fc25?arch=i386&distro=fedora-25"),
        PURL("pkg:generic/openssl@1.1.10g?download_url=https://openssl.org/source/"
             "openssl-1.1.0g.tar.gz&checksum=sha256:de4d501267da"),
        PURL("PKG:NPM/name/"),
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        expect("6.1.13", good[i], "", NULL);
    snprintf(b, sizeof b,
             "{\"product_tree\":{\"branches\":[{\"category\":\"vendor\",\"name\":\"v\","
             "\"branches\":[{\"category\":\"product_version\",\"name\":\"Prior to 4.2\"},"
             "{\"category\":\"product_version\",\"name\":\"4.2\",\"product\":{\"name\":\"p\","
             "\"product_id\":\"A\",\"product_identification_helper\":{\"hashes\":[{"
             "\"filename\":\"a\",\"file_hashes\":[{\"algorithm\":\"sha256\",\"value\":\"00\"},"
             "{\"algorithm\":\"sha512\",\"value\":\"00\"},{\"algorithm\":\"SHA256\","
             "\"value\":\"01\"}]}]}}},"
             "{\"category\":\"product_name\",\"name\":\"all versions\"},"
             "{\"category\":\"product_version\",\"name\":\"<=5\"},"
             "{\"category\":\"product_version\",\"name\":\"build-later\"},"
             "{\"category\":\"product_version\",\"name\":\"4.2\\tand\\tLATER\"}]}]}}");
    expect("6.1.25", b,
           "/product_tree/branches/0/branches/1/product/product_identification_helper/hashes/0/"
           "file_hashes/2/algorithm",
           "hash algorithm SHA256 is used twice");
    expect("6.1.31", b,
           "/product_tree/branches/0/branches/0/name|"
           "/product_tree/branches/0/branches/3/name|"
           "/product_tree/branches/0/branches/5/name",
           "product_version Prior to 4.2 looks like a version range (\"prior\")");
}

static void profiles(void **state)
{
    (void)state;
    expect("6.1.27.1",
           "{\"document\":{\"category\":\"csaf_informational_advisory\",\"notes\":["
           "{\"category\":\"legal_disclaimer\",\"text\":\"t\"}]}}",
           "/document/notes", "no document note");
    expect("6.1.27.1", "{\"document\":{\"category\":\"csaf_security_incident_response\"}}",
           "/document", NULL);
    expect("6.1.27.1", "{\"document\":{\"category\":\"csaf_base\"}}", "", NULL);
    expect("6.1.27.2",
           "{\"document\":{\"category\":\"csaf_security_incident_response\",\"references\":["
           "{\"category\":\"self\",\"url\":\"https://x\"}]}}",
           "/document/references", "no document reference of category external");
    expect("6.1.27.3",
           "{\"document\":{\"category\":\"csaf_informational_advisory\"},\"vulnerabilities\":[]}",
           "/vulnerabilities", NULL);
    expect("6.1.27.4", "{\"document\":{\"category\":\"csaf_vex\"}}", "", NULL);
    {
        json_t *doc = json_loads("{\"document\":{\"category\":\"csaf_vex\"}}", 0, NULL);
        struct vg_csaf_report rep;
        assert_int_equal(count(doc, "6.1.27.4", &rep), 1);
        assert_string_equal(rep.items[0].pointer, ""); /* the root */
        assert_string_equal(rep.items[0].message, "product_tree is missing");
        vg_csaf_report_free(&rep);
        assert_int_equal(count(doc, "6.1.27.11", &rep), 1);
        vg_csaf_report_free(&rep);
        json_decref(doc);
    }
    const char *vex =
        "{\"document\":{\"category\":\"csaf_vex\"},\"product_tree\":{\"product_groups\":["
        "{\"group_id\":\"G\",\"product_ids\":[\"A\",\"B\"]}]},\"vulnerabilities\":["
        "{\"cve\":\"CVE-1\",\"notes\":[],\"product_status\":{\"known_not_affected\":"
        "[\"A\",\"B\",\"C\",\"D\"],\"known_affected\":[\"E\",\"F\"],\"recommended\":[\"A\"]},"
        "\"flags\":[{\"label\":\"component_not_present\",\"group_ids\":[\"G\"]},"
        "{\"label\":\"vulnerable_code_not_present\",\"product_ids\":[\"B\",\"B\"]}],"
        "\"threats\":[{\"category\":\"exploit_status\",\"details\":\"d\",\"product_ids\":"
        "[\"C\"]},{\"category\":\"impact\",\"details\":\"d\",\"product_ids\":[\"D\"]}],"
        "\"remediations\":[{\"category\":\"none_available\",\"details\":\"d\",\"product_ids\":"
        "[\"E\"]},{\"category\":\"vendor_fix\",\"details\":\"d\"}]},"
        "{\"title\":\"t\",\"product_status\":{\"first_fixed\":[\"A\"]}}]}";
    expect("6.1.27.5", vex, "/vulnerabilities/1", "notes is missing");
    expect("6.1.27.6", vex, "", NULL); /* security advisories only */
    expect("6.1.27.7", vex, "/vulnerabilities/1/product_status", NULL);
    expect("6.1.27.8", vex, "/vulnerabilities/1", "neither cve nor ids");
    expect("6.1.27.9", vex, "/vulnerabilities/0/product_status/known_not_affected/2",
           "product id C has no impact statement");
    expect("6.1.27.10", vex, "/vulnerabilities/0/product_status/known_affected/1",
           "product id F has no action statement");
    expect("6.1.29", vex, "/vulnerabilities/0/remediations/1",
           "the remediation names no product_ids");
    expect("6.1.33", vex, "/vulnerabilities/0/flags/1",
           "product id B already has a VEX justification (flags/0)");
    expect("6.1.27.11", vex, "", NULL);
    expect("6.1.32",
           "{\"vulnerabilities\":[{\"flags\":[{\"label\":\"component_not_present\"},"
           "{\"label\":\"component_not_present\",\"group_ids\":[\"G\"]}]}]}",
           "/vulnerabilities/0/flags/0", "the flag names no product_ids");
}

/* Wrong types anywhere: no test crashes, and none reports (the schema stage does). */
static void malformed(void **state)
{
    (void)state;
    static const char *const docs[] = {
        "{}",
        "{\"document\":1,\"product_tree\":[],\"vulnerabilities\":{}}",
        "{\"document\":{\"tracking\":{\"revision_history\":[1,{\"date\":5,\"number\":[]},"
        "{\"date\":\"x\",\"number\":\"1\"}],\"version\":{},\"status\":3},\"lang\":7,"
        "\"category\":[],\"publisher\":\"p\",\"notes\":3}}",
        "{\"product_tree\":{\"branches\":[1,{\"branches\":3,\"product\":[]},{\"branches\":"
        "[{\"product\":{\"product_id\":4,\"product_identification_helper\":{\"purl\":1,"
        "\"hashes\":[{\"file_hashes\":[1,{\"algorithm\":2}]}]}}}]}],\"full_product_names\":{},"
        "\"product_groups\":[{\"group_id\":1,\"product_ids\":[2,null]}],\"relationships\":"
        "[1,{\"product_reference\":2,\"full_product_name\":3}]}}",
        /* dates cut short in their offset, numbers too long for 64 bits */
        "{\"document\":{\"tracking\":{\"status\":\"final\",\"version\":\"1\","
        "\"revision_history\":[{\"date\":\"2021-07-21T10:00:00+0\",\"number\":\"1\"},"
        "{\"date\":\"2021-07-21T10:00:00+02:0\",\"number\":\"2\"},{\"date\":"
        "\"2021-07-21T10:00:00.\",\"number\":\"99999999999999999999\"},{\"date\":"
        "\"2021-07-21T10:00:00Z\",\"number\":\"1.0.0-01\"}]},\"category\":\"csaf_base\"}}",
        "{\"vulnerabilities\":[1,{\"product_status\":[],\"scores\":[1,{\"products\":7,"
        "\"cvss_v3\":{\"version\":3.1,\"vectorString\":5,\"baseScore\":\"x\"},\"cvss_v2\":"
        "{\"vectorString\":\"AV:N\",\"version\":\"2.0\"}}],\"flags\":{},\"threats\":[1],"
        "\"remediations\":[1,{\"product_ids\":\"A\"}],\"involvements\":[1,{\"party\":1}],"
        "\"cve\":4}]}",
    };
    static const char *const quiet[] = {"6.1.1",  "6.1.2",  "6.1.3",  "6.1.4",  "6.1.5",  "6.1.6",
                                        "6.1.7",  "6.1.10", "6.1.12", "6.1.13", "6.1.14", "6.1.16",
                                        "6.1.21", "6.1.22", "6.1.23", "6.1.24", "6.1.25", "6.1.26",
                                        "6.1.30", "6.1.31", "6.1.33", NULL};
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        json_t *doc = json_loads(docs[i], 0, NULL);
        assert_non_null(doc);
        struct vg_csaf_report rep;
        count(doc, NULL, &rep); /* every test runs */
        vg_csaf_report_free(&rep);
        for (const char *const *q = quiet; *q; q++) {
            if (count(doc, *q, &rep))
                fail_msg("doc %zu: %s reported %s: %s", i, *q, rep.items[0].pointer,
                         rep.items[0].message);
            vg_csaf_report_free(&rep);
        }
        json_decref(doc);
    }
    /* the same short offset in a string of its exact size (the parser's strings sit in larger
     * buffers, where ASan would not see a read past the end) */
    json_t *cut =
        json_pack("{s:{s:{s:s,s:s,s:[{s:s,s:s},{s:s,s:s}]}}}", "document", "tracking", "status",
                  "final", "version", "1", "revision_history", "date", "2021-07-21T10:00:00+0",
                  "number", "2", "date", "2021-07-21T10:00:00Z", "number", "1");
    assert_non_null(cut);
    struct vg_csaf_report cutrep;
    assert_int_equal(count(cut, NULL, &cutrep), 0);
    vg_csaf_report_free(&cutrep);
    json_decref(cut);
    /* not an object at all */
    json_t *a = json_array();
    struct vg_csaf_report rep;
    assert_int_equal(count(a, NULL, &rep), 0);
    vg_csaf_report_free(&rep);
    json_decref(a);
}

/* Many products: the maps keep the tests linear (a quadratic test would take minutes). */
static void large(void **state)
{
    (void)state;
    json_t *doc = json_object(), *tree = json_object(), *fpn = json_array(), *st = json_array();
    for (int i = 0; i < 100000; i++) {
        char id[32];
        snprintf(id, sizeof id, "P%d", i);
        json_array_append_new(fpn, json_pack("{s:s,s:s}", "name", id, "product_id", id));
        json_array_append_new(st, json_string(id));
    }
    json_object_set_new(tree, "full_product_names", fpn);
    json_object_set_new(doc, "product_tree", tree);
    json_object_set_new(doc, "vulnerabilities",
                        json_pack("[{s:{s:o,s:[s]}}]", "product_status", "known_affected", st,
                                  "fixed", "P7"));
    struct vg_csaf_report rep;
    assert_int_equal(count(doc, NULL, &rep), 1);
    assert_string_equal(rep.items[0].test, "6.1.6");
    assert_string_equal(rep.items[0].pointer, "/vulnerabilities/0/product_status/known_affected/7");
    vg_csaf_report_free(&rep);
    json_decref(doc);
    /* a circle of 50,000 relationships: found without deep recursion; the report keeps its
     * first VG_CSAF_MAX_ISSUES failures */
    doc = json_object();
    json_t *rels = json_array();
    for (int i = 0; i < 50000; i++) {
        char id[32], next[32];
        snprintf(id, sizeof id, "R%d", i);
        snprintf(next, sizeof next, "R%d", (i + 1) % 50000);
        json_array_append_new(rels,
                              json_pack("{s:s,s:s,s:s,s:{s:s,s:s}}", "category", "installed_on",
                                        "product_reference", next, "relates_to_product_reference",
                                        "X", "full_product_name", "name", id, "product_id", id));
    }
    json_object_set_new(doc, "product_tree", json_pack("{s:o}", "relationships", rels));
    assert_int_equal(count(doc, "6.1.3", &rep), VG_CSAF_MAX_ISSUES);
    assert_true(rep.truncated);
    assert_string_equal(rep.items[0].pointer,
                        "/product_tree/relationships/0/full_product_name/product_id");
    vg_csaf_report_free(&rep);
    json_decref(doc);
}

/* Allocation failures: at each allocation in turn, the tests report what they report without
 * failures, or that they could not run; never a failure the document does not have. */
static void out_of_memory(void **state)
{
    (void)state;
    json_t *doc = load("mandatory/oasis_csaf_tc-csaf_2_0-2021-6-1-27-09-11.json");
    struct vg_csaf_report want;
    count(doc, NULL, &want);
    size_t runs = 0;
    for (long n = 1;; n++) {
        struct vg_csaf_report rep;
        vg_mem_fail_after(n);
        count(doc, NULL, &rep);
        long failed = vg_mem_failed();
        vg_mem_fail_after(0);
        for (size_t i = 0; i < rep.n; i++) {
            bool known = strcmp(rep.items[i].message, "out of memory: the test could not run") == 0;
            for (size_t k = 0; k < want.n && !known; k++)
                known = strcmp(rep.items[i].test, want.items[k].test) == 0 &&
                        strcmp(rep.items[i].pointer, want.items[k].pointer) == 0;
            if (!known)
                fail_msg("allocation %ld failing: %s %s %s", n, rep.items[i].test,
                         rep.items[i].pointer, rep.items[i].message);
        }
        vg_csaf_report_free(&rep);
        runs++;
        if (!failed)
            break;
    }
    assert_true(runs > 20);
    vg_csaf_report_free(&want);
    json_decref(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(conformance),    cmocka_unit_test(valid_documents),
        cmocka_unit_test(products),       cmocka_unit_test(statuses_and_scores),
        cmocka_unit_test(cvss),           cmocka_unit_test(revisions),
        cmocka_unit_test(document_level), cmocka_unit_test(product_helpers),
        cmocka_unit_test(profiles),       cmocka_unit_test(malformed),
        cmocka_unit_test(large),          cmocka_unit_test(out_of_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
