/* Unit tests of the CSAF 2.0 checker's schema stage (src/advisory/csaf_schema.c): each kind of
 * rule one by one on a small valid document (missing required property, wrong type, enum,
 * pattern, format, minLength in code points, unknown property of the strict CVSS objects,
 * uniqueItems, minItems, min/maxProperties, the recursion of branches and its depth limit, the
 * CVSS objects), with their pointers asserted exactly; the report's cap (VG_CSAF_MAX_ISSUES) and
 * vg_csaf_filename (section 5.1 and the corpus's file name tests). The agreement with
 * python-jsonschema over the corpus is tests/e2e/test_csaf_validate.py. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advisory/csaf.h"
#include "util/limits.h"

/* ---- helpers ---- */

static const char minimal[] =
    "{\"document\":{\"category\":\"csaf_base\",\"csaf_version\":\"2.0\","
    "\"publisher\":{\"category\":\"coordinator\",\"name\":\"Vigie\","
    "\"namespace\":\"https://cert.example.org\"},\"title\":\"T\","
    "\"tracking\":{\"current_release_date\":\"2026-01-15T10:00:00Z\",\"id\":\"VIGIE-1\","
    "\"initial_release_date\":\"2026-01-15T10:00:00Z\",\"revision_history\":[{\"date\":"
    "\"2026-01-15T10:00:00Z\",\"number\":\"1\",\"summary\":\"Initial.\"}],\"status\":\"final\","
    "\"version\":\"1\"}}}";

static json_t *parse(const char *text)
{
    json_error_t err;
    json_t *v = json_loads(text, JSON_DECODE_ANY, &err);
    if (!v)
        fail_msg("test JSON: %s at %d:%d", err.text, err.line, err.column);
    return v;
}

static json_t *base(void)
{
    return parse(minimal);
}

/* The value at the pointer-like path "a/b/0/c" of doc (no escapes), or fails. */
static json_t *at(json_t *doc, const char *path)
{
    json_t *v = doc;
    for (const char *p = path; *p;) {
        const char *end = strchr(p, '/');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        char seg[128];
        snprintf(seg, sizeof seg, "%.*s", (int)n, p);
        char *stop;
        unsigned long i = strtoul(seg, &stop, 10);
        v = json_is_array(v) && !*stop ? json_array_get(v, i) : json_object_get(v, seg);
        if (!v)
            fail_msg("no %s in the test document", path);
        p += n + (end != NULL);
    }
    return v;
}

/* Sets key in the object at path to value (a JSON text). */
static void set(json_t *doc, const char *path, const char *key, const char *value)
{
    json_object_set_new(at(doc, path), key, parse(value));
}

static struct vg_csaf_report rep;

static size_t check(const json_t *doc)
{
    vg_csaf_report_free(&rep);
    vg_csaf_check_schema(doc, &rep);
    return rep.n;
}

/* Asserts that doc has exactly one schema failure, at pointer, with message. */
static void one(json_t *doc, const char *pointer, const char *message)
{
    size_t n = check(doc);
    for (size_t i = 0; i < n; i++)
        print_message("  %s %s: %s\n", rep.items[i].test, rep.items[i].pointer,
                      rep.items[i].message);
    assert_int_equal(n, 1);
    assert_string_equal(rep.items[0].test, "schema");
    assert_string_equal(rep.items[0].pointer, pointer);
    assert_string_equal(rep.items[0].message, message);
}

static void valid(json_t *doc)
{
    size_t n = check(doc);
    for (size_t i = 0; i < n; i++)
        print_message("  unexpected %s: %s\n", rep.items[i].pointer, rep.items[i].message);
    assert_int_equal(n, 0);
}

/* The minimal document with the string at path/key set to value (a JSON text): one failure
 * at pointer with message, or none when message is NULL. */
static void field(const char *path, const char *key, const char *value, const char *pointer,
                  const char *message)
{
    json_t *doc = base();
    set(doc, path, key, value);
    if (message)
        one(doc, pointer, message);
    else
        valid(doc);
    json_decref(doc);
}

static json_t *load_file(const char *path)
{
    json_error_t err;
    json_t *v = json_load_file(path, 0, &err);
    if (!v)
        fail_msg("%s: %s", path, err.text);
    return v;
}

/* A document with one product tree branch and one vulnerability with a CVSS v3.1 score. */
static json_t *with_score(void)
{
    json_t *doc = base();
    set(doc, "", "product_tree",
        "{\"full_product_names\":[{\"name\":\"P\",\"product_id\":\"P1\"}]}");
    set(doc, "", "vulnerabilities",
        "[{\"scores\":[{\"products\":[\"P1\"],\"cvss_v3\":{\"version\":\"3.1\",\"vectorString\":"
        "\"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\",\"baseScore\":9.8,\"baseSeverity\":"
        "\"CRITICAL\"},\"cvss_v2\":{\"version\":\"2.0\",\"vectorString\":"
        "\"AV:N/AC:L/Au:N/C:C/I:C/A:C\",\"baseScore\":10}}]}]");
    return doc;
}

/* ---- tests ---- */

static void samples_valid(void **state)
{
    (void)state;
    const char *const files[] = {"tests/data/csaf/good-minimal.json",
                                 "tests/data/csaf/good-full.json"};
    for (size_t i = 0; i < 2; i++) {
        json_t *doc = load_file(files[i]);
        valid(doc);
        json_decref(doc);
    }
    json_t *doc = base();
    valid(doc);
    json_decref(doc);
}

static void root_not_an_object(void **state)
{
    (void)state;
    json_t *v = json_integer(3);
    one(v, "", "expected an object, got a number");
    json_decref(v);
    one(NULL, "", "expected an object, got nothing");
    json_t *doc = parse("{}");
    one(doc, "", "required property 'document' is missing");
    json_decref(doc);
}

static void missing_required(void **state)
{
    (void)state;
    json_t *doc = base();
    json_object_del(at(doc, "document"), "title");
    one(doc, "/document", "required property 'title' is missing");
    json_object_del(at(doc, "document/tracking/revision_history/0"), "number");
    json_object_del(at(doc, "document/tracking/revision_history/0"), "summary");
    assert_int_equal(check(doc), 3);
    assert_string_equal(rep.items[1].pointer, "/document/tracking/revision_history/0");
    assert_string_equal(rep.items[1].message, "required property 'number' is missing");
    assert_string_equal(rep.items[2].message, "required property 'summary' is missing");
    json_decref(doc);
    /* an optional property missing is fine, a required one of an optional object is not */
    field("document", "distribution", "{\"tlp\":{}}", "/document/distribution/tlp",
          "required property 'label' is missing");
}

static void wrong_type(void **state)
{
    (void)state;
    field("document/tracking", "version", "1", "/document/tracking/version",
          "expected a string, got a number");
    field("document", "publisher", "[]", "/document/publisher", "expected an object, got an array");
    field("document", "notes", "{}", "/document/notes", "expected an array, got an object");
    field("document", "title", "null", "/document/title", "expected a string, got null");
    field("document", "title", "true", "/document/title", "expected a string, got a boolean");
    json_t *doc = with_score();
    set(doc, "vulnerabilities/0/scores/0/cvss_v3", "baseScore", "false");
    one(doc, "/vulnerabilities/0/scores/0/cvss_v3/baseScore", "expected a number, got a boolean");
    set(doc, "vulnerabilities/0/scores/0/cvss_v3", "baseScore", "5");
    set(doc, "vulnerabilities/0/scores/0/cvss_v3", "baseSeverity", "\"MEDIUM\"");
    valid(doc); /* an integer is a number */
    json_decref(doc);
}

static void enums(void **state)
{
    (void)state;
    field("document/tracking", "status", "\"done\"", "/document/tracking/status",
          "'done' is not one of draft, final, interim");
    field("document/tracking", "status", "\"Final\"", "/document/tracking/status",
          "'Final' is not one of draft, final, interim");
    field("document/publisher", "category", "\"\"", "/document/publisher/category",
          "'' is not one of coordinator, discoverer, other, translator, user, vendor");
    field("document", "csaf_version", "\"2.0\"", NULL, NULL);
    /* the value is quoted escaped and cut */
    field("document/tracking", "status", "\"\\u001b[31m\"", "/document/tracking/status",
          "'\\x1b[31m' is not one of draft, final, interim");
    json_t *doc = base();
    char big[300];
    memset(big, 'a', sizeof big - 1);
    big[0] = '"';
    big[sizeof big - 2] = '"';
    big[sizeof big - 1] = '\0';
    set(doc, "document/tracking", "status", big);
    assert_int_equal(check(doc), 1);
    assert_non_null(strstr(rep.items[0].message, "...(297 bytes)' is not one of"));
    json_decref(doc);
}

static void patterns(void **state)
{
    (void)state;
    const char *ver = "/document/tracking/version";
    const char *vmsg = "does not match the pattern of a CSAF version (version_t)";
    const char *const good_versions[] = {"\"0\"", "\"12\"", "\"1.0.0\"", "\"2.10.3-rc.1+b.5\"",
                                         "\"1.0.0-0a\""};
    for (size_t i = 0; i < 5; i++)
        field("document/tracking", "version", good_versions[i], NULL, NULL);
    char msg[256];
    const char *const bad_versions[] = {"1.0", "01", "1.0.0-", "1.0.0-01", "v1"};
    for (size_t i = 0; i < 5; i++) {
        char value[64];
        snprintf(value, sizeof value, "\"%s\"", bad_versions[i]);
        snprintf(msg, sizeof msg, "'%s' %s", bad_versions[i], vmsg);
        field("document/tracking", "version", value, ver, msg);
    }
    field("document", "lang", "\"fr-FR\"", NULL, NULL);
    field("document", "lang", "\"i-default\"", NULL, NULL);
    field("document", "lang", "\"en_US\"", "/document/lang",
          "'en_US' does not match the pattern of a language tag (lang_t)");
    /* category: no space, -, _ or . at either end, no line break inside */
    field("document", "category", "\"x\"", NULL, NULL);
    field("document", "category", "\"Ünïcode category\"", NULL, NULL);
    field("document", "category", "\"csaf_base.\"", "/document/category",
          "'csaf_base.' does not match the pattern of a document category");
    field("document", "category", "\"\\u00a0csaf\"", "/document/category",
          "'\302\240csaf' does not match the pattern of a document category");
    field("document", "category", "\"a\\nb\"", "/document/category",
          "'a\\nb' does not match the pattern of a document category");
    /* tracking id: no white space at either end; a trailing newline is refused (ECMA-262) */
    field("document/tracking", "id", "\"A B\"", NULL, NULL);
    field("document/tracking", "id", "\" A\"", "/document/tracking/id",
          "' A' does not match the pattern of a tracking id");
    field("document/tracking", "id", "\"A\\n\"", "/document/tracking/id",
          "'A\\n' does not match the pattern of a tracking id");
    field("document/tracking", "id", "\"A\\u3000\"", "/document/tracking/id",
          "'A\343\200\200' does not match the pattern of a tracking id");
}

static void product_helper_patterns(void **state)
{
    (void)state;
    const char *ph = "product_tree/full_product_names/0/product_identification_helper";
    const char *pp = "/product_tree/full_product_names/0/product_identification_helper";
    struct {
        const char *key, *value, *message; /* message NULL: valid */
    } cases[] = {
        {"cpe", "\"cpe:2.3:a:vendor:product:1.0:*:*:*:*:*:*:*\"", NULL},
        {"cpe", "\"cpe:2.3:o:v:p\\\\:x:*:-:*:en-us:*:*:*:*\"", NULL},
        {"cpe", "\"cpe:/a:vendor:product:1.0\"", NULL},
        {"cpe", "\"cpe:2.3:z:a:b:c:d:e:f:g:h:i:j\"",
         "'cpe:2.3:z:a:b:c:d:e:f:g:h:i:j' does not match the pattern of a CPE name"},
        {"cpe", "\"cpe:2.3:a:v\"", "'cpe:2.3:a:v' does not match the pattern of a CPE name"},
        {"purl", "\"pkg:npm/left-pad@1.0\"", NULL},
        {"purl", "\"pkg:/left-pad\"",
         "'pkg:/left-pad' does not match the pattern of a package URL"},
        {"purl", "\"pkg:npm/\\n\"", "'pkg:npm/\\n' does not match the pattern of a package URL"},
        /* minLength counts code points: 6 here, in 8 bytes */
        {"purl", "\"pkg:\303\251\303\251\"",
         "'pkg:\303\251\303\251' is shorter than 7 characters (minLength)"},
        {"hashes",
         "[{\"filename\":\"f\",\"file_hashes\":[{\"algorithm\":\"sha256\",\"value\":"
         "\"0123456789abcdef0123456789ABCDEFz\"}]}]",
         "'0123456789abcdef0123456789ABCDEFz' does not match the pattern of a hexadecimal hash "
         "value"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *doc = base();
        set(doc, "", "product_tree",
            "{\"full_product_names\":[{\"name\":\"P\",\"product_id\":\"P1\","
            "\"product_identification_helper\":{}}]}");
        set(doc, ph, cases[i].key, cases[i].value);
        char ptr[256];
        snprintf(ptr, sizeof ptr, "%s/%s%s", pp, cases[i].key,
                 strcmp(cases[i].key, "hashes") == 0 ? "/0/file_hashes/0/value" : "");
        if (cases[i].message)
            one(doc, ptr, cases[i].message);
        else
            valid(doc);
        json_decref(doc);
    }
}

static void formats(void **state)
{
    (void)state;
    const char *p = "/document/tracking/current_release_date";
    const char *const good[] = {"2024-02-29T00:00:00Z", "2026-01-15t10:00:00z",
                                "2026-12-31T23:59:60.123456+14:00", "0001-01-01T00:00:00-23:59"};
    for (size_t i = 0; i < 4; i++) {
        char v[64];
        snprintf(v, sizeof v, "\"%s\"", good[i]);
        field("document/tracking", "current_release_date", v, NULL, NULL);
    }
    const char *const bad[] = {"2023-02-29T00:00:00Z",   "2026-01-15 10:00:00Z",
                               "2026-01-15T24:00:00Z",   "2026-01-15T10:60:00Z",
                               "2026-01-15T10:00:61Z",   "2026-01-15T10:00:00",
                               "2026-01-15T10:00:00.Z",  "2026-01-15T10:00:00+24:00",
                               "0000-01-01T00:00:00Z",   "2026-04-31T00:00:00Z",
                               "2026-01-15T10:00:00Z\n", "2026-1-15T10:00:00Z"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *doc = base();
        json_object_set_new(at(doc, "document/tracking"), "current_release_date",
                            json_string(bad[i]));
        assert_int_equal(check(doc), 1);
        assert_string_equal(rep.items[0].pointer, p);
        assert_non_null(strstr(rep.items[0].message, "is not a date-time (RFC 3339, format)"));
        json_decref(doc);
    }
    const char *pub = "/document/publisher/namespace";
    const char *const good_uris[] = {"https://cert.example.org",
                                     "urn:example:a",
                                     "mailto:cert@example.org",
                                     "http://[::1]:8080/a?b=c#d",
                                     "https://user:pw@x.example/%41/b;c?d/e?f#g/h?",
                                     "file:///etc/passwd",
                                     "x:"};
    for (size_t i = 0; i < sizeof good_uris / sizeof good_uris[0]; i++) {
        json_t *doc = base();
        json_object_set_new(at(doc, "document/publisher"), "namespace", json_string(good_uris[i]));
        valid(doc);
        json_decref(doc);
    }
    const char *const bad_uris[] = {"cert.example.org", "http://a b", "http://x/%zz",
                                    "http://x:80a/",    "1http://x",  "http://x/#a#b",
                                    "http://[::1/",     "",           "http://x/\"q\""};
    for (size_t i = 0; i < sizeof bad_uris / sizeof bad_uris[0]; i++) {
        json_t *doc = base();
        json_object_set_new(at(doc, "document/publisher"), "namespace", json_string(bad_uris[i]));
        assert_int_equal(check(doc), 1);
        assert_string_equal(rep.items[0].pointer, pub);
        assert_non_null(strstr(rep.items[0].message, "is not a URI (RFC 3986, format)"));
        json_decref(doc);
    }
}

static void min_length(void **state)
{
    (void)state;
    field("document", "title", "\"\"", "/document/title",
          "'' is shorter than 1 character (minLength)");
    field("document", "notes", "[{\"category\":\"general\",\"text\":\"t\",\"title\":\"\"}]",
          "/document/notes/0/title", "'' is shorter than 1 character (minLength)");
    field("document", "title", "\"\303\251\"", NULL, NULL);
}

static void unknown_properties(void **state)
{
    (void)state;
    /* the CSAF schema allows them */
    field("document", "x_vendor", "{\"a\":1}", NULL, NULL);
    field("", "x_top", "1", NULL, NULL);
    /* FIRST's strict CVSS schemas do not */
    json_t *doc = with_score();
    valid(doc);
    set(doc, "vulnerabilities/0/scores/0/cvss_v3", "foo", "1");
    one(doc, "/vulnerabilities/0/scores/0/cvss_v3", "unknown property 'foo'");
    json_object_del(at(doc, "vulnerabilities/0/scores/0/cvss_v3"), "foo");
    set(doc, "vulnerabilities/0/scores/0/cvss_v2", "baseSeverity", "\"HIGH\"");
    one(doc, "/vulnerabilities/0/scores/0/cvss_v2", "unknown property 'baseSeverity'");
    json_decref(doc);
}

static void unique_items(void **state)
{
    (void)state;
    json_t *doc = base();
    set(doc, "document/tracking", "aliases", "[\"a\",\"b\",\"a\"]");
    one(doc, "/document/tracking/aliases", "items 0 and 2 are equal (uniqueItems)");
    json_decref(doc);
    /* many items: sorted by hash */
    doc = base();
    json_t *arr = json_array();
    for (int i = 0; i < 100; i++) {
        char s[16];
        snprintf(s, sizeof s, "id-%d", i);
        json_array_append_new(arr, json_string(s));
    }
    json_object_set(at(doc, "document/tracking"), "aliases", arr);
    valid(doc);
    json_array_set_new(arr, 40, json_string("id-17"));
    json_array_set_new(arr, 90, json_string("id-3"));
    one(doc, "/document/tracking/aliases", "items 17 and 40 are equal (uniqueItems)");
    json_decref(arr);
    json_decref(doc);
    /* objects: members in any order, 1 and 1.0 equal */
    doc = base();
    set(doc, "", "vulnerabilities",
        "[{\"ids\":[{\"system_name\":\"s\",\"text\":\"t\",\"x\":[1,{\"k\":2}]},"
        "{\"text\":\"t\",\"x\":[1.0,{\"k\":2.0}],\"system_name\":\"s\"}]}]");
    one(doc, "/vulnerabilities/0/ids", "items 0 and 1 are equal (uniqueItems)");
    set(doc, "vulnerabilities/0/ids/1", "x", "[1,{\"k\":3}]");
    valid(doc);
    json_decref(doc);
}

static void min_items_and_properties(void **state)
{
    (void)state;
    field("document", "notes", "[]", "/document/notes", "has 0 items, fewer than 1 (minItems)");
    field("", "product_tree",
          "{\"full_product_names\":[{\"name\":\"P\",\"product_id\":\"P1\"}],"
          "\"product_groups\":[{\"group_id\":\"G\",\"product_ids\":[\"P1\"]}]}",
          "/product_tree/product_groups/0/product_ids", "has 1 item, fewer than 2 (minItems)");
    field("", "product_tree", "{}", "/product_tree",
          "has 0 properties, fewer than 1 (minProperties)");
    field("document", "distribution", "{}", "/document/distribution",
          "has 0 properties, fewer than 1 (minProperties)");
    field("", "vulnerabilities", "[{\"scores\":[{\"products\":[\"P\"]}]}]",
          "/vulnerabilities/0/scores/0", "has 1 property, fewer than 2 (minProperties)");
    /* a branch has exactly three properties */
    field("", "product_tree",
          "{\"branches\":[{\"category\":\"vendor\",\"name\":\"V\",\"product\":{\"name\":\"P\","
          "\"product_id\":\"P1\"},\"x\":1}]}",
          "/product_tree/branches/0", "has 4 properties, more than 3 (maxProperties)");
}

/* branches nested n deep, the innermost with category cat; a new string */
static char *nested_branches(int n, const char *cat)
{
    size_t cap = (size_t)n * 80 + 256, len = 0;
    char *s = malloc(cap);
    assert_non_null(s);
    len += (size_t)snprintf(s + len, cap - len, "{\"branches\":");
    for (int i = 0; i < n - 1; i++)
        len += (size_t)snprintf(s + len, cap - len,
                                "[{\"category\":\"vendor\",\"name\":\"v%d\",\"branches\":", i);
    len += (size_t)snprintf(s + len, cap - len,
                            "[{\"category\":\"%s\",\"name\":\"last\",\"product\":{\"name\":\"P\","
                            "\"product_id\":\"P1\"}}]",
                            cat);
    for (int i = 0; i < n - 1; i++)
        len += (size_t)snprintf(s + len, cap - len, "}]");
    snprintf(s + len, cap - len, "}");
    return s;
}

static void branches_recursion(void **state)
{
    (void)state;
    char *tree = nested_branches(5, "product_version");
    field("", "product_tree", tree, NULL, NULL);
    free(tree);
    tree = nested_branches(5, "version");
    field("", "product_tree", tree,
          "/product_tree/branches/0/branches/0/branches/0/branches/0/branches/0/category",
          "'version' is not one of architecture, host_name, language, legacy, patch_level, "
          "product_family, product_name, product_version, product_version_range, service_pack, "
          "specification, vendor");
    free(tree);
    /* deeper than VG_MAX_JSON_DEPTH: one failure where the limit is reached, no crash */
    tree = nested_branches(40, "vendor");
    json_t *doc = base();
    set(doc, "", "product_tree", tree);
    assert_int_equal(check(doc), 1);
    assert_string_equal(rep.items[0].message, "nested deeper than 64 levels");
    /* at the 32nd array of branches (the root, product_tree, then an array and an object per
     * level make 64): its pointer is longer than an issue holds, and is cut */
    assert_int_equal(strlen(rep.items[0].pointer), sizeof rep.items[0].pointer - 1);
    assert_memory_equal(rep.items[0].pointer, "/product_tree/branches/0/branches/0/", 36);
    json_decref(doc);
    free(tree);
}

static void cvss_shape(void **state)
{
    (void)state;
    const char *v3 = "vulnerabilities/0/scores/0/cvss_v3";
    const char *p3 = "/vulnerabilities/0/scores/0/cvss_v3";
    struct {
        const char *key, *value, *ptr_suffix, *message;
    } cases[] = {
        {"version", "\"4.0\"", "/version", "'4.0' is not one of 3.0, 3.1"},
        {"version", "3.1", "/version", "expected a string, got a number"},
        {"version", "\"3.0\"", "/vectorString",
         "'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' does not match the pattern of a CVSS "
         "v3.0 vector"},
        {"vectorString", "\"CVSS:3.1/AV:Q\"", "/vectorString",
         "'CVSS:3.1/AV:Q' does not match the pattern of a CVSS v3.1 vector"},
        {"baseScore", "-0.1", "/baseScore", "-0.1 is less than 0 (minimum)"},
        {"baseScore", "10.5", "/baseScore", "10.5 is greater than 10 (maximum)"},
        {"baseSeverity", "\"SEVERE\"", "/baseSeverity",
         "'SEVERE' is not one of NONE, LOW, MEDIUM, HIGH, CRITICAL"},
        {"attackVector", "\"NETWORK\"", NULL, NULL},
        {"modifiedScope", "\"NOT_DEFINED\"", NULL, NULL},
        {"scope", "\"NOT_DEFINED\"", "/scope", "'NOT_DEFINED' is not one of UNCHANGED, CHANGED"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *doc = with_score();
        set(doc, v3, cases[i].key, cases[i].value);
        if (cases[i].message) {
            char ptr[256];
            snprintf(ptr, sizeof ptr, "%s%s", p3, cases[i].ptr_suffix);
            one(doc, ptr, cases[i].message);
        } else {
            valid(doc);
        }
        json_decref(doc);
    }
    json_t *doc = with_score();
    json_object_del(at(doc, v3), "version");
    one(doc, p3, "required property 'version' is missing");
    json_object_set_new(at(doc, "vulnerabilities/0/scores/0"), "cvss_v3", json_string("x"));
    one(doc, p3, "expected an object, got a string");
    json_decref(doc);
    doc = with_score();
    json_object_del(at(doc, "vulnerabilities/0/scores/0/cvss_v2"), "baseScore");
    one(doc, "/vulnerabilities/0/scores/0/cvss_v2", "required property 'baseScore' is missing");
    set(doc, "vulnerabilities/0/scores/0/cvss_v2", "baseScore", "7.5");
    set(doc, "vulnerabilities/0/scores/0/cvss_v2", "vectorString", "\"AV:N/AC:L/Au:X\"");
    one(doc, "/vulnerabilities/0/scores/0/cvss_v2/vectorString",
        "'AV:N/AC:L/Au:X' does not match the pattern of a CVSS v2 vector");
    json_decref(doc);
}

static void report_truncated(void **state)
{
    (void)state;
    json_t *doc = base();
    json_t *notes = json_array();
    for (int i = 0; i < VG_CSAF_MAX_ISSUES + 500; i++)
        json_array_append_new(notes, json_pack("{s:s,s:s}", "category", "bad", "text", "t"));
    json_object_set_new(at(doc, "document"), "notes", notes);
    assert_int_equal(check(doc), VG_CSAF_MAX_ISSUES);
    assert_true(rep.truncated);
    assert_string_equal(rep.items[VG_CSAF_MAX_ISSUES - 1].pointer, "/document/notes/999/category");
    json_decref(doc);
    /* exactly the cap: not truncated */
    struct vg_csaf_report r = {0};
    for (int i = 0; i < VG_CSAF_MAX_ISSUES; i++)
        assert_int_equal(vg_csaf_report_add(&r, "schema", "", "m %d", i), 0);
    assert_false(r.truncated);
    assert_int_equal(r.n, VG_CSAF_MAX_ISSUES);
    assert_int_equal(vg_csaf_report_add(&r, "schema", "", "one more"), 0);
    assert_true(r.truncated);
    assert_int_equal(r.n, VG_CSAF_MAX_ISSUES);
    vg_csaf_report_free(&r);
    vg_csaf_report_free(NULL);
}

static void filenames(void **state)
{
    (void)state;
    char out[128];
    struct {
        const char *id, *name;
    } cases[] = {
        /* section 5.1 */
        {"cisco-sa-20190513-secureboot", "cisco-sa-20190513-secureboot.json"},
        {"Example Company - 2019-YH3234", "example_company_-_2019-yh3234.json"},
        {"RHBA-2019:0024", "rhba-2019_0024.json"},
        /* the corpus's file name tests (test/filenames/data/valid) */
        {"OASIS_CSAF_TC-CSAF_2.0-2021-5-1-11", "oasis_csaf_tc-csaf_2_0-2021-5-1-11.json"},
        {"OASIS: #/CSAF_TC-CSAF_2.0-2021-5-1-13", "oasis_csaf_tc-csaf_2_0-2021-5-1-13.json"},
        {"VIGIE-2026-AVI-0001", "vigie-2026-avi-0001.json"},
        {"a+b", "a+b.json"},
        {"", ".json"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(vg_csaf_filename(cases[i].id, out, sizeof out), 0);
        assert_string_equal(out, cases[i].name);
    }
    /* the corpus's invalid names are not what the ids give */
    assert_int_equal(vg_csaf_filename("OASIS: #/CSAF_TC-CSAF_2.0-2021-5-1-03", out, sizeof out), 0);
    assert_string_not_equal(out, "oasis____csaf_tc-csaf_2_0-2021-5-1-03.json");
    /* "ab.json" and its NUL: 8 bytes */
    assert_int_equal(vg_csaf_filename("AB", out, 8), 0);
    assert_string_equal(out, "ab.json");
    assert_int_equal(vg_csaf_filename("AB", out, 7), VG_ETOOBIG);
    assert_int_equal(vg_csaf_filename("AB", out, 2), VG_ETOOBIG);
}

static int teardown(void **state)
{
    (void)state;
    vg_csaf_report_free(&rep);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(samples_valid, teardown),
        cmocka_unit_test_teardown(root_not_an_object, teardown),
        cmocka_unit_test_teardown(missing_required, teardown),
        cmocka_unit_test_teardown(wrong_type, teardown),
        cmocka_unit_test_teardown(enums, teardown),
        cmocka_unit_test_teardown(patterns, teardown),
        cmocka_unit_test_teardown(product_helper_patterns, teardown),
        cmocka_unit_test_teardown(formats, teardown),
        cmocka_unit_test_teardown(min_length, teardown),
        cmocka_unit_test_teardown(unknown_properties, teardown),
        cmocka_unit_test_teardown(unique_items, teardown),
        cmocka_unit_test_teardown(min_items_and_properties, teardown),
        cmocka_unit_test_teardown(branches_recursion, teardown),
        cmocka_unit_test_teardown(cvss_shape, teardown),
        cmocka_unit_test_teardown(report_truncated, teardown),
        cmocka_unit_test_teardown(filenames, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
