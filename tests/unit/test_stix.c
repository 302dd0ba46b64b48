/* Unit tests of the STIX 2.1 writer and reader (src/share/stix.c): the objects, ids and
 * markings written, determinism, bad documents, the reader's items, containers and skips,
 * malformed input with its pointer, the samples of tests/data/stix and the examples of the
 * shared corpus. With VIGIE_STIX_OUT set to a directory, writes sample bundles there for
 * tests/e2e/test_stix_schema.py to validate against the official schemas. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "share/stix.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/mem.h"

/* ---- helpers ---- */

static const char *corpus(const char *rel, char *out, size_t cap)
{
    const char *base = getenv("VIGIE_CORPUS");
    if (!base || !*base)
        base = "../shared/corpus";
    snprintf(out, cap, "%s/%s", base, rel);
    struct stat sb;
    if (stat(out, &sb) != 0) {
        const char *ci = getenv("CI");
        if (ci && strcmp(ci, "true") == 0)
            fail_msg("corpus file %s absent: under CI=true a missing corpus is a failure", out);
        print_message("corpus file %s absent: skipped (set VIGIE_CORPUS)\n", out);
        return NULL;
    }
    return out;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *b = malloc(cap);
    size_t r;
    while (b && (r = fread(b + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap) {
            char *nb = realloc(b, cap *= 2);
            if (!nb) {
                free(b);
                b = NULL;
            }
            b = nb;
        }
    }
    fclose(f);
    *len = n;
    return b;
}

/* A sink that records every call as {"ev": "container"|"item"|"skip", ...} in an array. */
struct rec {
    json_t *events;
    int stop_after; /* return 7 from the nth call (1-based); 0: never */
    int calls;
};

static int rec_stop(struct rec *r)
{
    return ++r->calls == r->stop_after ? 7 : 0;
}

static int rec_container(void *ctx, const json_t *c)
{
    struct rec *r = ctx;
    json_t *e = json_deep_copy(c);
    json_object_set_new(e, "ev", json_string("container"));
    json_array_append_new(r->events, e);
    return rec_stop(r);
}

static int rec_item(void *ctx, const struct vg_share_item *item)
{
    struct rec *r = ctx;
    json_t *e = vg_share_item_json(item);
    json_object_set_new(e, "ev", json_string("item"));
    json_array_append_new(r->events, e);
    return rec_stop(r);
}

static int rec_skip(void *ctx, const char *pointer, const char *what, const char *reason)
{
    struct rec *r = ctx;
    json_array_append_new(r->events, json_pack("{s:s,s:s,s:s,s:s}", "ev", "skip", "pointer",
                                               pointer, "what", what, "reason", reason));
    return rec_stop(r);
}

static int read_rec(const char *s, size_t len, struct rec *r, struct vg_diag *d)
{
    r->events = json_array();
    r->calls = 0;
    struct vg_share_sink sink = {r, rec_container, rec_item, rec_skip};
    return vg_stix_read(s, len, &sink, d);
}

static size_t count_ev(const struct rec *r, const char *ev)
{
    size_t n = 0, i;
    const json_t *e;
    json_array_foreach(r->events, i, e) {
        if (strcmp(vg_json_str(e, "ev"), ev) == 0)
            n++;
    }
    return n;
}

static const json_t *nth_ev(const struct rec *r, const char *ev, size_t k)
{
    size_t i;
    const json_t *e;
    json_array_foreach(r->events, i, e) {
        if (strcmp(vg_json_str(e, "ev"), ev) == 0 && k-- == 0)
            return e;
    }
    fail_msg("no %s event number %zu", ev, k);
    return NULL;
}

/* The object of the bundle with that id, or NULL. */
static const json_t *find_obj(const json_t *bundle, const char *id)
{
    size_t i;
    const json_t *o;
    json_array_foreach(json_object_get(bundle, "objects"), i, o) {
        if (strcmp(vg_json_str(o, "id"), id) == 0)
            return o;
    }
    return NULL;
}

static size_t count_type(const json_t *bundle, const char *type)
{
    size_t n = 0, i;
    const json_t *o;
    json_array_foreach(json_object_get(bundle, "objects"), i, o) {
        if (strcmp(vg_json_str(o, "type"), type) == 0)
            n++;
    }
    return n;
}

#define PRODUCER "0f5c2a34-8b1e-4d2a-9e3f-1a2b3c4d5e6f"
#define DOC      "7d0e3c1a-2b4f-4a6e-8c9d-0e1f2a3b4c5d"
#define ITEM1    "11111111-1111-4111-8111-111111111111"
#define ITEM2    "22222222-2222-4222-8222-222222222222"
#define ITEM3    "33333333-3333-4333-8333-333333333333"
#define ITEM4    "44444444-4444-4444-8444-444444444444"
#define SIGHT1   "55555555-5555-4555-8555-555555555555"
#define SHA256   "ef537f25c895bfa782526529a9b63d97aa631564d5d789c2b765448c8635fb6c"

/* Three indicators (an address, a URL with a quote, a backslash and a double quote, a
 * SHA-256), one observable that is not an indicator, a sighting. */
static json_t *sample_doc(const char *kind)
{
    json_error_t e;
    json_t *doc = json_loads(
        "{\"kind\":\"indicators\",\"uuid\":\"" DOC "\","
        "\"producer\":{\"name\":\"CERT-Test\",\"uuid\":\"" PRODUCER "\"},"
        "\"title\":\"Campaign X\",\"description\":\"what we saw\","
        "\"created\":\"2026-01-02T03:04:05Z\",\"updated\":\"2026-11-29T04:50:40.123456Z\","
        "\"tlp\":\"AMBER\",\"withheld\":2,\"items\":["
        "{\"uuid\":\"" ITEM1 "\",\"type\":\"ipv4-addr\",\"value\":\"198.51.100.7\","
        "\"tlp\":\"GREEN\",\"source\":\"feed-a\",\"comment\":\"C2\",\"confidence\":80,"
        "\"tags\":[\"c2\",\"apt-x\"],\"first_seen\":\"2026-01-01T00:00:00Z\","
        "\"last_seen\":\"2026-01-03T00:00:00+01:00\",\"sightings\":[{\"uuid\":\"" SIGHT1 "\","
        "\"seen\":\"2026-02-01T10:00:00.5Z\",\"count\":3,\"source\":\"sensor-1\","
        "\"tlp\":\"AMBER+STRICT\"}]},"
        "{\"uuid\":\"" ITEM2 "\",\"type\":\"url\",\"value\":\"http://x.example/a'b\\\\c\\\"d\"},"
        "{\"uuid\":\"" ITEM3 "\",\"type\":\"sha256\",\"value\":\"" SHA256 "\","
        "\"tlp\":\"CLEAR\",\"created\":\"2026-01-05T00:00:00.000Z\"},"
        "{\"uuid\":\"" ITEM4 "\",\"type\":\"domain-name\",\"value\":\"seen.example\","
        "\"to_ids\":false}]}",
        0, &e);
    assert_non_null(doc);
    if (strcmp(kind, "incident") == 0) {
        json_object_set_new(doc, "kind", json_string("incident"));
        json_object_set_new(doc, "ref", json_string("VIG-2026-000042"));
        json_object_set_new(doc, "class", json_string("malicious-code"));
        json_object_set_new(doc, "type", json_string("c2-server"));
        json_object_set_new(doc, "severity", json_string("high"));
        json_object_set_new(doc, "status", json_string("open"));
        json_object_set_new(doc, "pap", json_string("GREEN"));
    }
    return doc;
}

static json_t *write_doc(const json_t *doc, struct vg_buf *b)
{
    struct vg_diag d;
    vg_buf_init(b, 1 << 24);
    int rc = vg_stix_write(doc, b, &d);
    if (rc)
        fail_msg("write: %s (%s)", d.message, d.field);
    json_error_t e;
    json_t *bundle = json_loadb(b->data, b->len, JSON_REJECT_DUPLICATES, &e);
    if (!bundle)
        fail_msg("the bundle is not JSON: %s at %d", e.text, e.position);
    return bundle;
}

/* ---- writer ---- */

/* Ids computed independently, once, with Python's uuid module (RFC 4122 UUIDv5) over the
 * JCS-canonical JSON STIX 2.1 section 2.9 asks for:
 *   uuid5(UUID('00abedb4-aa42-466c-9c01-fed23315a9b7'), '{"value":"198.51.100.7"}')
 *     = 12592121-be4c-5a93-a813-5a5af16e50db
 *   ... '{"value":"http://x.example/a\'b\\\\c\\"d"}' = 41dbd19a-78c9-52ab-a1cd-24f72341c3e0
 *   ... '{"hashes":{"SHA-256":"ef53...fb6c"}}'        = 00967b13-6ef8-53e0-ac11-fcfb64b3c756
 *   ... '{"value":"bad\u00e9.example"}' (UTF-8 raw)   = bb01b81f-6b63-5025-917a-76b67f55d91c
 *   ... '{"value":"a\\tb"}' (JCS escapes the tab)     = be15cecb-8255-5405-b294-045acc31cfa4
 *   uuid5(UUID('5b4c0f1e-3d7a-5e21-9a6e-2f418c3b7710'),
 *         'rel:indicator--1111...1111ipv4-addr--12592121-...-5a5af16e50db')
 *     = ada2a6b2-0550-54f9-bb2b-d29949e4550c */
#define SCO_IP   "ipv4-addr--12592121-be4c-5a93-a813-5a5af16e50db"
#define SCO_URL  "url--41dbd19a-78c9-52ab-a1cd-24f72341c3e0"
#define SCO_FILE "file--00967b13-6ef8-53e0-ac11-fcfb64b3c756"
#define REL_IP   "relationship--ada2a6b2-0550-54f9-bb2b-d29949e4550c"

static void stix_write_objects(void **state)
{
    (void)state;
    json_t *doc = sample_doc("indicators");
    struct vg_buf b;
    json_t *bundle = write_doc(doc, &b);
    assert_string_equal(vg_json_str(bundle, "type"), "bundle");
    assert_true(strncmp(vg_json_str(bundle, "id"), "bundle--", 8) == 0);

    const json_t *ident = find_obj(bundle, "identity--" PRODUCER);
    assert_non_null(ident);
    assert_string_equal(vg_json_str(ident, "name"), "CERT-Test");

    /* marking definitions: CLEAR (identity, item 3), GREEN (item 1), AMBER (document, items 2
     * and 4), AMBER+STRICT (the sighting); not RED */
    assert_int_equal(count_type(bundle, "marking-definition"), 4);
    const json_t *m = find_obj(bundle, "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003");
    assert_non_null(m);
    assert_string_equal(vg_json_str(m, "name"), "TLP:AMBER+STRICT");
    assert_string_equal(vg_json_str(m, "created"), "2022-10-01T00:00:00.000Z");
    const json_t *ext =
        json_object_get(json_object_get(m, "extensions"),
                        "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d");
    assert_string_equal(vg_json_str(ext, "tlp_2_0"), "amber+strict");
    assert_string_equal(vg_json_str(ext, "extension_type"), "property-extension");
    assert_null(find_obj(bundle, "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"));

    const json_t *ind = find_obj(bundle, "indicator--" ITEM1);
    assert_non_null(ind);
    assert_string_equal(vg_json_str(ind, "pattern"), "[ipv4-addr:value = '198.51.100.7']");
    assert_string_equal(vg_json_str(ind, "pattern_type"), "stix");
    assert_string_equal(vg_json_str(ind, "created_by_ref"), "identity--" PRODUCER);
    assert_string_equal(vg_json_str(ind, "created"), "2026-01-02T03:04:05.000Z");
    assert_string_equal(vg_json_str(ind, "modified"), "2026-01-02T03:04:05.000Z");
    assert_string_equal(vg_json_str(ind, "valid_from"), "2026-01-01T00:00:00.000Z");
    assert_string_equal(vg_json_str(ind, "x_vigie_last_seen"), "2026-01-02T23:00:00.000Z");
    assert_string_equal(vg_json_str(ind, "description"), "C2");
    assert_int_equal(json_integer_value(json_object_get(ind, "confidence")), 80);
    assert_string_equal(json_string_value(json_array_get(json_object_get(ind, "labels"), 1)),
                        "apt-x");
    assert_string_equal(json_string_value(json_array_get(json_object_get(ind,
                                                                         "object_marking_refs"),
                                                         0)),
                        "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb");

    /* the quote, backslash and double quote of the URL, escaped in the pattern */
    const json_t *ind2 = find_obj(bundle, "indicator--" ITEM2);
    assert_string_equal(vg_json_str(ind2, "pattern"),
                        "[url:value = 'http://x.example/a\\'b\\\\c\"d']");
    assert_string_equal(json_string_value(json_array_get(json_object_get(ind2,
                                                                         "object_marking_refs"),
                                                         0)),
                        "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421");
    const json_t *ind3 = find_obj(bundle, "indicator--" ITEM3);
    assert_string_equal(vg_json_str(ind3, "pattern"), "[file:hashes.'SHA-256' = '" SHA256 "']");
    assert_string_equal(vg_json_str(ind3, "created"), "2026-01-05T00:00:00.000Z");

    /* the observables with their section 2.9 ids, and the relationship */
    const json_t *sco = find_obj(bundle, SCO_IP);
    assert_non_null(sco);
    assert_string_equal(vg_json_str(sco, "value"), "198.51.100.7");
    assert_non_null(find_obj(bundle, SCO_URL));
    const json_t *file = find_obj(bundle, SCO_FILE);
    assert_non_null(file);
    assert_string_equal(vg_json_str(json_object_get(file, "hashes"), "SHA-256"), SHA256);
    const json_t *rel = find_obj(bundle, REL_IP);
    assert_non_null(rel);
    assert_string_equal(vg_json_str(rel, "relationship_type"), "based-on");
    assert_string_equal(vg_json_str(rel, "source_ref"), "indicator--" ITEM1);
    assert_string_equal(vg_json_str(rel, "target_ref"), SCO_IP);

    /* the observable that is not an indicator: its SCO only */
    assert_null(find_obj(bundle, "indicator--" ITEM4));
    assert_int_equal(count_type(bundle, "domain-name"), 1);
    assert_int_equal(count_type(bundle, "indicator"), 3);
    assert_int_equal(count_type(bundle, "relationship"), 3);

    const json_t *s = find_obj(bundle, "sighting--" SIGHT1);
    assert_non_null(s);
    assert_string_equal(vg_json_str(s, "sighting_of_ref"), "indicator--" ITEM1);
    assert_string_equal(vg_json_str(s, "first_seen"), "2026-02-01T10:00:00.500Z");
    assert_int_equal(json_integer_value(json_object_get(s, "count")), 3);
    assert_string_equal(vg_json_str(s, "x_vigie_source"), "sensor-1");

    /* the report: every object but the identity and markings, and what was withheld */
    const json_t *rep = find_obj(bundle, "report--" DOC);
    assert_non_null(rep);
    assert_string_equal(vg_json_str(rep, "name"), "Campaign X");
    assert_string_equal(vg_json_str(rep, "published"), "2026-11-29T04:50:40.123Z");
    assert_int_equal(json_array_size(json_object_get(rep, "object_refs")), 3 + 4 + 3 + 1);
    assert_int_equal(json_integer_value(json_object_get(rep, "x_vigie_withheld")), 2);

    /* every object but the marking definitions is marked */
    size_t i;
    const json_t *o;
    json_array_foreach(json_object_get(bundle, "objects"), i, o) {
        if (strcmp(vg_json_str(o, "type"), "marking-definition") != 0)
            assert_int_equal(json_array_size(json_object_get(o, "object_marking_refs")), 1);
    }
    json_decref(bundle);
    vg_buf_cleanup(&b);
    json_decref(doc);
}

/* Other values: JCS escapes and UTF-8 in the SCO ids, MD5 and SHA-1 paths. */
static void stix_write_ids(void **state)
{
    (void)state;
    json_t *doc = json_pack(
        "{s:s,s:s,s:{s:s,s:s},s:s,s:[{s:s,s:s,s:s},{s:s,s:s,s:s},{s:s,s:s,s:s},{s:s,s:s,s:s}]}",
        "kind", "indicators", "uuid", DOC, "producer", "name", "P", "uuid", PRODUCER, "created",
        "2026-01-01", "items", "uuid", ITEM1, "type", "domain-name", "value", "bad\xc3\xa9.example",
        "uuid", ITEM2, "type", "url", "value", "a\tb", "uuid", ITEM3, "type", "md5", "value",
        "cead3f77f6cda6ec00f57d76c9a6879f", "uuid", ITEM4, "type", "sha1", "value",
        "0123456789012345678901234567890123456789");
    struct vg_buf b;
    json_t *bundle = write_doc(doc, &b);
    assert_non_null(find_obj(bundle, "domain-name--bb01b81f-6b63-5025-917a-76b67f55d91c"));
    assert_non_null(find_obj(bundle, "url--be15cecb-8255-5405-b294-045acc31cfa4"));
    assert_string_equal(vg_json_str(find_obj(bundle, "indicator--" ITEM3), "pattern"),
                        "[file:hashes.MD5 = 'cead3f77f6cda6ec00f57d76c9a6879f']");
    assert_string_equal(vg_json_str(find_obj(bundle, "indicator--" ITEM4), "pattern"),
                        "[file:hashes.'SHA-1' = '0123456789012345678901234567890123456789']");
    /* a date alone is midnight UTC, with milliseconds; no TLP is AMBER */
    const json_t *ind = find_obj(bundle, "indicator--" ITEM1);
    assert_string_equal(vg_json_str(ind, "created"), "2026-01-01T00:00:00.000Z");
    assert_string_equal(json_string_value(json_array_get(json_object_get(ind,
                                                                         "object_marking_refs"),
                                                         0)),
                        "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421");
    /* two items of the same value: their SCO once, each indicator based on it */
    json_t *twice = json_pack("{s:s,s:s,s:s}", "uuid", SIGHT1, "type", "md5", "value",
                              "cead3f77f6cda6ec00f57d76c9a6879f");
    json_array_append_new(json_object_get(doc, "items"), twice);
    json_decref(bundle);
    vg_buf_cleanup(&b);
    bundle = write_doc(doc, &b);
    assert_int_equal(count_type(bundle, "file"), 2);
    assert_int_equal(count_type(bundle, "indicator"), 5);
    assert_int_equal(count_type(bundle, "relationship"), 5);
    /* an empty report still refers to something (object_refs has at least one member) */
    json_decref(bundle);
    vg_buf_cleanup(&b);
    json_object_set_new(doc, "items", json_array());
    bundle = write_doc(doc, &b);
    const json_t *rep = find_obj(bundle, "report--" DOC);
    assert_string_equal(json_string_value(json_array_get(json_object_get(rep, "object_refs"), 0)),
                        "identity--" PRODUCER);
    assert_int_equal(json_integer_value(json_object_get(rep, "x_vigie_withheld")), 0);
    json_decref(bundle);
    vg_buf_cleanup(&b);
    json_decref(doc);
}

/* The same document writes the same bytes but the bundle's id. */
static void stix_write_deterministic(void **state)
{
    (void)state;
    json_t *doc = sample_doc("incident");
    struct vg_buf a, b;
    struct vg_diag d;
    vg_buf_init(&a, 1 << 20);
    vg_buf_init(&b, 1 << 20);
    assert_int_equal(vg_stix_write(doc, &a, &d), 0);
    assert_int_equal(vg_stix_write(doc, &b, &d), 0);
    assert_int_equal(a.len, b.len);
    const char *ida = strstr(a.data, "bundle--"), *idb = strstr(b.data, "bundle--");
    assert_true(ida && idb && ida - a.data == idb - b.data);
    assert_memory_not_equal(ida, idb, 44);
    size_t off = (size_t)(ida - a.data) + 44;
    assert_memory_equal(a.data, b.data, off - 44);
    assert_memory_equal(a.data + off, b.data + off, a.len - off);
    vg_buf_cleanup(&a);
    vg_buf_cleanup(&b);
    json_decref(doc);
}

static void stix_write_incident(void **state)
{
    (void)state;
    json_t *doc = sample_doc("incident");
    struct vg_buf b;
    json_t *bundle = write_doc(doc, &b);
    /* a report of the incident: the schemas reject an incident SDO in a bundle */
    const json_t *inc = find_obj(bundle, "report--" DOC);
    assert_non_null(inc);
    assert_int_equal(count_type(bundle, "incident"), 0);
    assert_string_equal(json_string_value(json_array_get(json_object_get(inc, "report_types"), 0)),
                        "incident");
    assert_string_equal(vg_json_str(inc, "name"), "Campaign X");
    assert_string_equal(vg_json_str(inc, "x_vigie_ref"), "VIG-2026-000042");
    assert_string_equal(vg_json_str(inc, "x_vigie_class"), "malicious-code");
    assert_string_equal(vg_json_str(inc, "x_vigie_type"), "c2-server");
    assert_string_equal(vg_json_str(inc, "x_vigie_severity"), "high");
    assert_string_equal(vg_json_str(inc, "x_vigie_status"), "open");
    assert_string_equal(vg_json_str(inc, "x_vigie_pap"), "GREEN");
    assert_int_equal(json_integer_value(json_object_get(inc, "x_vigie_withheld")), 2);
    assert_int_equal(json_array_size(json_object_get(inc, "object_refs")), 3 + 4 + 3 + 1);
    json_decref(bundle);
    vg_buf_cleanup(&b);
    json_decref(doc);
}

/* Bad documents: the pointer of what is wrong, and nothing left in the buffer. */
static void stix_write_errors(void **state)
{
    (void)state;
    static const struct {
        const char *path; /* set to a bad value */
        const char *json;
        const char *field;
    } bad[] = {
        {"kind", "\"event\"", "/kind"},
        {"uuid", "\"nope\"", "/uuid"},
        {"producer", "{\"name\":\"P\"}", "/producer/uuid"},
        {"producer", "{\"uuid\":\"" PRODUCER "\"}", "/producer/name"},
        {"created", "\"yesterday\"", "/created"},
        {"tlp", "\"PURPLE\"", "/tlp"},
        {"withheld", "-1", "/withheld"},
        {"items", "{}", "/items"},
    };
    struct vg_diag d;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *doc = sample_doc("indicators");
        json_object_set_new(doc, bad[i].path, json_loads(bad[i].json, JSON_DECODE_ANY, NULL));
        struct vg_buf b;
        vg_buf_init(&b, 1 << 20);
        vg_buf_puts(&b, "kept");
        assert_int_equal(vg_stix_write(doc, &b, &d), VG_EINVAL);
        assert_string_equal(d.field, bad[i].field);
        assert_string_equal(b.data, "kept");
        vg_buf_cleanup(&b);
        json_decref(doc);
    }
    static const struct {
        const char *key;
        const char *json;
        const char *field;
    } bad_item[] = {
        {"type", "\"vulnerability\"", "/items/1/type"},
        {"uuid", "\"x\"", "/items/1/uuid"},
        {"value", "\"\"", "/items/1/value"},
        {"tlp", "\"WHITE+\"", "/items/1/tlp"},
        {"confidence", "101", "/items/1/confidence"},
        {"tags", "[1]", "/items/1/tags"},
        {"to_ids", "\"yes\"", "/items/1/to_ids"},
        {"first_seen", "\"2026-13-01T00:00:00Z\"", "/items/1/first_seen"},
        {"sightings", "[{\"uuid\":\"x\"}]", "/items/1/sightings/0"},
        {"sightings", "[{\"uuid\":\"" SIGHT1 "\",\"count\":-1}]", "/items/1/sightings/0"},
    };
    for (size_t i = 0; i < sizeof bad_item / sizeof bad_item[0]; i++) {
        json_t *doc = sample_doc("indicators");
        json_t *item = json_array_get(json_object_get(doc, "items"), 1);
        json_object_set_new(item, bad_item[i].key,
                            json_loads(bad_item[i].json, JSON_DECODE_ANY, NULL));
        struct vg_buf b;
        vg_buf_init(&b, 1 << 20);
        assert_int_equal(vg_stix_write(doc, &b, &d), VG_EINVAL);
        if (strcmp(d.field, bad_item[i].field) != 0)
            fail_msg("%s: field %s, expected %s", bad_item[i].key, d.field, bad_item[i].field);
        assert_int_equal(b.len, 0);
        vg_buf_cleanup(&b);
        json_decref(doc);
    }
    /* a buffer too small */
    json_t *doc = sample_doc("indicators");
    struct vg_buf b;
    vg_buf_init(&b, 1000);
    assert_int_equal(vg_stix_write(doc, &b, &d), VG_ETOOBIG);
    vg_buf_cleanup(&b);
    json_decref(doc);
}

/* ---- reader ---- */

/* What vigie writes, vigie reads: the same items with the same TLP. */
static void stix_read_roundtrip(void **state)
{
    (void)state;
    json_t *doc = sample_doc("indicators");
    struct vg_buf b;
    json_t *bundle = write_doc(doc, &b);
    struct rec r = {0};
    struct vg_diag d;
    int rc = read_rec(b.data, b.len, &r, &d);
    if (rc)
        fail_msg("%s at %s", d.message, d.field);
    /* the bundle, the report, four items; nothing skipped */
    assert_int_equal(count_ev(&r, "container"), 2);
    assert_int_equal(count_ev(&r, "item"), 4);
    const json_t *c = nth_ev(&r, "container", 1);
    assert_string_equal(vg_json_str(c, "uuid"), DOC);
    assert_string_equal(vg_json_str(c, "title"), "Campaign X");
    assert_string_equal(vg_json_str(c, "tlp"), "AMBER");
    assert_int_equal(json_integer_value(json_object_get(c, "withheld")), 2);
    assert_string_equal(vg_json_str(json_object_get(c, "producer"), "name"), "CERT-Test");
    /* items in the order of the document */
    const json_t *items = json_object_get(doc, "items");
    for (size_t k = 0; k < 4; k++) {
        const json_t *want = json_array_get(items, k);
        const json_t *got = nth_ev(&r, "item", k);
        assert_string_equal(vg_json_str(got, "uuid"), vg_json_str(want, "uuid"));
        assert_string_equal(vg_json_str(got, "type"), vg_json_str(want, "type"));
        assert_string_equal(vg_json_str(got, "value"), vg_json_str(want, "value"));
        const char *tlp = vg_json_str(want, "tlp");
        assert_string_equal(vg_json_str(got, "tlp"), tlp ? tlp : "AMBER");
        assert_string_equal(vg_json_str(got, "container"), DOC);
        assert_int_equal(json_is_true(json_object_get(got, "to_ids")), k != 3);
    }
    const json_t *i1 = nth_ev(&r, "item", 0);
    assert_string_equal(vg_json_str(i1, "source"), "feed-a");
    assert_string_equal(vg_json_str(i1, "comment"), "C2");
    assert_int_equal(json_integer_value(json_object_get(i1, "confidence")), 80);
    assert_string_equal(json_string_value(json_array_get(json_object_get(i1, "tags"), 0)), "c2");
    assert_string_equal(vg_json_str(i1, "first_seen"), "2026-01-01T00:00:00.000Z");
    assert_string_equal(vg_json_str(i1, "last_seen"), "2026-01-02T23:00:00.000Z");
    const json_t *s = json_array_get(json_object_get(i1, "sightings"), 0);
    assert_string_equal(vg_json_str(s, "uuid"), SIGHT1);
    assert_string_equal(vg_json_str(s, "seen"), "2026-02-01T10:00:00.500Z");
    assert_string_equal(vg_json_str(s, "tlp"), "AMBER+STRICT");
    assert_string_equal(vg_json_str(s, "source"), "sensor-1");
    assert_int_equal(json_integer_value(json_object_get(s, "count")), 3);
    assert_string_equal(vg_json_str(nth_ev(&r, "item", 0), "pointer"), "/objects/1");
    /* vigie's own bundle is understood whole: the identity of its producer, the SCOs of the
     * indicators and their relationships are read with them, not skipped */
    assert_int_equal(count_ev(&r, "skip"), 0);
    json_decref(r.events);
    json_decref(bundle);
    vg_buf_cleanup(&b);

    /* an incident: its container, and its items attached to it */
    json_decref(doc);
    doc = sample_doc("incident");
    bundle = write_doc(doc, &b);
    assert_int_equal(read_rec(b.data, b.len, &r, &d), 0);
    c = nth_ev(&r, "container", 1);
    assert_string_equal(vg_json_str(c, "kind"), "incident");
    assert_string_equal(vg_json_str(c, "ref"), "VIG-2026-000042");
    assert_string_equal(vg_json_str(c, "severity"), "high");
    assert_string_equal(vg_json_str(c, "pap"), "GREEN");
    assert_int_equal(count_ev(&r, "item"), 4);
    for (size_t k = 0; k < 4; k++)
        assert_string_equal(vg_json_str(nth_ev(&r, "item", k), "container"), DOC);
    json_decref(r.events);
    json_decref(bundle);
    vg_buf_cleanup(&b);
    json_decref(doc);
}

#define B_HEAD                                                                                     \
    "{\"type\":\"bundle\",\"id\":\"bundle--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f\",\"objects\":["
#define IND(id, pat)                                                                               \
    "{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"indicator--" id "\","               \
    "\"created\":\"2026-01-01T00:00:00.000Z\",\"modified\":\"2026-01-01T00:00:00.000Z\","          \
    "\"pattern\":\"" pat "\",\"pattern_type\":\"stix\",\"valid_from\":\"2026-01-01T00:00:00Z\"}"

/* Patterns with several values, AND, what is not reducible, other pattern types, other
 * objects, sightings of what is not in the input, markings defined in the bundle. */
static void stix_read_reports(void **state)
{
    (void)state;
    const char *in = B_HEAD
        "{\"type\":\"marking-definition\",\"spec_version\":\"2.1\",\"id\":\"marking-definition--"
        "aaaaaaaa-0000-4000-8000-000000000000\",\"created\":\"2017-01-20T00:00:00.000Z\","
        "\"definition_type\":\"tlp\",\"definition\":{\"tlp\":\"red\"}}," IND("a1a1a1a1-0000-4000-8000-000000000001", "[domain-name:value = 'a.example' OR ipv4-addr:value IN ('192.0.2.1', '192.0.2.2')]") "," IND(
            "a1a1a1a1-0000-4000-8000-000000000002",
            "[file:hashes.MD5 = 'aa' AND file:hashes.'SHA-256' = 'bb']") "," IND("a1a1a1a1-0000-4000-8000-000000000003",
                                                                                 "[domain-name:value LIKE '%.example']") ","
                                                                                                                         "{\"type\":\"indicator\",\"id\":\"indicator--a1a1a1a1-0000-4000-8000-000000000004\","
                                                                                                                         "\"pattern\":\"title:x\",\"pattern_type\":\"sigma\"},"
                                                                                                                         "{\"type\":\"malware\",\"id\":\"malware--a1a1a1a1-0000-4000-8000-000000000005\"},"
                                                                                                                         "{\"type\":\"sighting\",\"id\":\"sighting--a1a1a1a1-0000-4000-8000-000000000006\","
                                                                                                                         "\"sighting_of_ref\":\"indicator--ffffffff-0000-4000-8000-000000000000\"},"
                                                                                                                         "{\"type\":\"ipv6-addr\",\"id\":\"ipv6-addr--a1a1a1a1-0000-4000-8000-000000000007\","
                                                                                                                         "\"value\":\"2001:db8::1\",\"object_marking_refs\":[\"marking-definition--aaaaaaaa-0000-"
                                                                                                                         "4000-8000-000000000000\"]},"
                                                                                                                         "{\"type\":\"file\",\"id\":\"file--a1a1a1a1-0000-4000-8000-000000000008\","
                                                                                                                         "\"hashes\":{\"SHA-512\":\"cc\"}}"
                                                                                                                         "]}";
    struct rec r = {0};
    struct vg_diag d;
    int rc = read_rec(in, strlen(in), &r, &d);
    if (rc)
        fail_msg("%s at %s", d.message, d.field);
    assert_int_equal(count_ev(&r, "container"), 1);
    assert_string_equal(vg_json_str(nth_ev(&r, "container", 0), "uuid"),
                        "8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f");
    assert_string_equal(vg_json_str(nth_ev(&r, "container", 0), "pointer"), "");
    assert_int_equal(count_ev(&r, "item"), 3 + 2 + 1);
    const json_t *it = nth_ev(&r, "item", 1);
    assert_string_equal(vg_json_str(it, "type"), "ipv4-addr");
    assert_string_equal(vg_json_str(it, "value"), "192.0.2.1");
    assert_string_equal(vg_json_str(it, "pointer"), "/objects/1");
    /* values of one indicator have ids of their own, stable */
    assert_string_not_equal(vg_json_str(it, "uuid"), vg_json_str(nth_ev(&r, "item", 0), "uuid"));
    assert_string_not_equal(vg_json_str(it, "uuid"), "a1a1a1a1-0000-4000-8000-000000000001");
    assert_null(vg_json_str(it, "tlp")); /* no marking: the use case applies its default */
    /* AND: both values, and the comment says it is broader */
    it = nth_ev(&r, "item", 3);
    assert_string_equal(vg_json_str(it, "type"), "md5");
    assert_non_null(strstr(vg_json_str(it, "comment"), "AND"));
    /* the observable, not an indicator, with the TLP of a marking defined in the bundle */
    it = nth_ev(&r, "item", 5);
    assert_string_equal(vg_json_str(it, "type"), "ipv6-addr");
    assert_string_equal(vg_json_str(it, "uuid"), "a1a1a1a1-0000-4000-8000-000000000007");
    assert_string_equal(vg_json_str(it, "tlp"), "RED");
    assert_true(json_is_false(json_object_get(it, "to_ids")));
    /* skips: LIKE with its position, sigma, malware, the sighting, the file */
    assert_int_equal(count_ev(&r, "skip"), 5);
    const json_t *s = nth_ev(&r, "skip", 0);
    assert_string_equal(vg_json_str(s, "pointer"), "/objects/3");
    assert_string_equal(vg_json_str(s, "what"),
                        "indicator 'indicator--a1a1a1a1-0000-4000-8000-000000000003'");
    assert_non_null(strstr(vg_json_str(s, "reason"), "position 1: operator LIKE"));
    assert_non_null(strstr(vg_json_str(nth_ev(&r, "skip", 1), "reason"), "sigma"));
    assert_string_equal(vg_json_str(nth_ev(&r, "skip", 2), "what"), "object 'malware'");
    assert_string_equal(vg_json_str(nth_ev(&r, "skip", 3), "what"), "sighting");
    assert_string_equal(vg_json_str(nth_ev(&r, "skip", 4), "what"), "object 'file'");
    json_decref(r.events);

    /* a sink that stops: the reader returns its value at once */
    r.stop_after = 3;
    assert_int_equal(read_rec(in, strlen(in), &r, &d), 7);
    assert_int_equal(json_array_size(r.events), 3);
    json_decref(r.events);
}

/* Containers of other producers: an incident SDO its members are related-to, a report that
 * lists its members; the most restricted of several TLP markings; a producer identity. */
static void stix_read_containers(void **state)
{
    (void)state;
    const char *in = B_HEAD IND(
        "d1d1d1d1-0000-4000-8000-000000000001",
        "[url:value = 'http://a/']") ","
                                     "{\"type\":\"indicator\",\"id\":\"indicator--d1d1d1d1-0000-4000-8000-000000000002\","
                                     "\"pattern\":\"[url:value = 'http://b/']\",\"pattern_type\":\"stix\","
                                     "\"object_marking_refs\":[\"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb\","
                                     "\"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1\","
                                     "\"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9\"]},"
                                     "{\"type\":\"relationship\",\"id\":\"relationship--d1d1d1d1-0000-4000-8000-000000000003\","
                                     "\"relationship_type\":\"related-to\","
                                     "\"source_ref\":\"indicator--d1d1d1d1-0000-4000-8000-000000000001\","
                                     "\"target_ref\":\"incident--d1d1d1d1-0000-4000-8000-000000000004\"},"
                                     "{\"type\":\"incident\",\"id\":\"incident--d1d1d1d1-0000-4000-8000-000000000004\","
                                     "\"name\":\"Intrusion\",\"created_by_ref\":\"identity--d1d1d1d1-0000-4000-8000-"
                                     "000000000006\",\"object_marking_refs\":[\"marking-definition--f88d31f6-486f-44da-b317-"
                                     "01333bde0b82\"]},"
                                     "{\"type\":\"report\",\"id\":\"report--d1d1d1d1-0000-4000-8000-000000000005\","
                                     "\"name\":\"Weekly\",\"report_types\":[\"threat-report\"],"
                                     "\"object_refs\":[\"indicator--d1d1d1d1-0000-4000-8000-000000000002\"]},"
                                     "{\"type\":\"identity\",\"id\":\"identity--d1d1d1d1-0000-4000-8000-000000000006\","
                                     "\"name\":\"CERT-Other\"}"
                                     "]}";
    struct rec r = {0};
    struct vg_diag d;
    int rc = read_rec(in, strlen(in), &r, &d);
    if (rc)
        fail_msg("%s at %s", d.message, d.field);
    /* the bundle, then the two containers before any item */
    assert_int_equal(count_ev(&r, "container"), 3);
    for (size_t k = 0; k < 3; k++)
        assert_string_equal(vg_json_str(json_array_get(r.events, k), "ev"), "container");
    const json_t *inc = nth_ev(&r, "container", 1);
    assert_string_equal(vg_json_str(inc, "kind"), "incident");
    assert_string_equal(vg_json_str(inc, "title"), "Intrusion");
    assert_string_equal(vg_json_str(inc, "tlp"), "AMBER");
    assert_string_equal(vg_json_str(inc, "pointer"), "/objects/3");
    assert_string_equal(vg_json_str(json_object_get(inc, "producer"), "name"), "CERT-Other");
    assert_string_equal(vg_json_str(json_object_get(inc, "producer"), "uuid"),
                        "d1d1d1d1-0000-4000-8000-000000000006");
    assert_string_equal(vg_json_str(nth_ev(&r, "container", 2), "kind"), "indicators");
    /* the member of the incident: its container and, without marking, the incident's TLP */
    const json_t *a = nth_ev(&r, "item", 0);
    assert_string_equal(vg_json_str(a, "container"), "d1d1d1d1-0000-4000-8000-000000000004");
    assert_string_equal(vg_json_str(a, "tlp"), "AMBER");
    /* the member of the report, with GREEN, RED and WHITE: the most restricted */
    const json_t *b = nth_ev(&r, "item", 1);
    assert_string_equal(vg_json_str(b, "container"), "d1d1d1d1-0000-4000-8000-000000000005");
    assert_string_equal(vg_json_str(b, "tlp"), "RED");
    /* the relationship to the incident is read with it; the identity is the producer */
    assert_int_equal(count_ev(&r, "skip"), 0);
    json_decref(r.events);
}

/* A single object, a list, and vg_stix_read_objects with its pointer base. */
static void stix_read_forms(void **state)
{
    (void)state;
    struct rec r = {0};
    struct vg_diag d;
    const char *one = IND("b1b1b1b1-0000-4000-8000-000000000001", "[url:value = 'http://a/']");
    assert_int_equal(read_rec(one, strlen(one), &r, &d), 0);
    assert_int_equal(json_array_size(r.events), 1);
    assert_string_equal(vg_json_str(nth_ev(&r, "item", 0), "pointer"), "");
    assert_null(vg_json_str(nth_ev(&r, "item", 0), "container"));
    json_decref(r.events);

    const char *list =
        "[" IND("b1b1b1b1-0000-4000-8000-000000000001",
                "[url:value = 'http://a/']") "," IND("b1b1b1b1-0000-4000-8000-000000000002",
                                                     "[url:value = 'http://b/']") "]";
    assert_int_equal(read_rec(list, strlen(list), &r, &d), 0);
    assert_int_equal(count_ev(&r, "item"), 2);
    assert_string_equal(vg_json_str(nth_ev(&r, "item", 1), "pointer"), "/1");
    json_decref(r.events);

    json_t *objs = json_loads(list, 0, NULL);
    r.events = json_array();
    r.calls = 0;
    struct vg_share_sink sink = {&r, rec_container, rec_item, rec_skip};
    assert_int_equal(vg_stix_read_objects(objs, "/objects", &sink, &d), 0);
    assert_string_equal(vg_json_str(nth_ev(&r, "item", 1), "pointer"), "/objects/1");
    json_decref(r.events);
    json_decref(objs);
}

/* Malformed input: VG_EINVAL with the pointer, after the sink got what came before. */
static void stix_read_malformed(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        const char *field;
        const char *says;
        size_t items_before;
    } bad[] = {
        {B_HEAD IND("c1c1c1c1-0000-4000-8000-000000000001",
                    "[url:value = 'http://a/']") "," IND("c1c1c1c1-0000-4000-8000-000000000002",
                                                         "[url:value = 'http://a/'") "]}",
         "/objects/1/pattern",
         "indicator--c1c1c1c1-0000-4000-8000-000000000002: pattern position 24", 1},
        {B_HEAD IND("c1c1c1c1-0000-4000-8000-000000000001", "[url:value = 'http://a/']") ",3]}",
         "/objects/1", "must be a JSON object", 1},
        {B_HEAD "{\"id\":\"x--c1c1c1c1-0000-4000-8000-000000000001\"}]}", "/objects/0/type", "type",
         0},
        {B_HEAD "{\"type\":\"malware\",\"id\":\"malware-c1c1c1c1\"}]}", "/objects/0/id", "id", 0},
        {B_HEAD "{\"type\":\"indicator\",\"id\":\"indicator--c1c1c1c1-0000-4000-8000-"
                "000000000001\",\"pattern_type\":\"stix\"}]}",
         "/objects/0/pattern", "pattern", 0},
        {B_HEAD "{\"type\":\"ipv4-addr\",\"id\":\"ipv4-addr--c1c1c1c1-0000-4000-8000-"
                "000000000001\",\"value\":7}]}",
         "/objects/0/value", "value", 0},
        {"{\"type\":\"bundle\",\"id\":\"bundle--x\",\"objects\":[]}", "/id", "bundle", 0},
        {"{\"type\":\"bundle\",\"id\":\"bundle--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f\","
         "\"objects\":{}}",
         "/objects", "array", 0},
        {"7", "", "'[' or '{' expected", 0},
        {"\"x\"", "", "'[' or '{' expected", 0},
        {B_HEAD "{\"type\":\"report\",\"id\":\"report--bad\"}]}", "/objects/0/id", "id", 0},
    };
    struct vg_diag d;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct rec r = {0};
        int rc = read_rec(bad[i].in, strlen(bad[i].in), &r, &d);
        if (rc != VG_EINVAL || strcmp(d.field, bad[i].field) != 0 ||
            !strstr(d.message, bad[i].says))
            fail_msg("case %zu: rc %d field '%s' message '%s'", i, rc, d.field, d.message);
        assert_int_equal(count_ev(&r, "item"), bad[i].items_before);
        json_decref(r.events);
    }
    /* not JSON at all: the line and offset of the parser */
    struct rec r = {0};
    assert_int_equal(read_rec("{\"type\":", 8, &r, &d), VG_EINVAL);
    assert_true(d.offset >= 0);
    json_decref(r.events);
}

/* tests/data/stix: the good samples read without error, the broken ones fail at their pointer
 * (the expected pointer is in the table). */
static void stix_read_samples(void **state)
{
    (void)state;
    static const struct {
        const char *file;
        const char *field;
    } bad[] = {
        {"tests/data/stix/bad/pattern-unclosed.json", "/objects/1/pattern"},
        {"tests/data/stix/bad/objects-not-array.json", "/objects"},
        {"tests/data/stix/bad/id-not-uuid.json", "/objects/2/id"},
        {"tests/data/stix/bad/confidence-string.json", "/objects/0/confidence"},
        {"tests/data/stix/bad/too-deep.json", ""},
        {"tests/data/stix/bad/truncated.json", ""},
    };
    struct vg_diag d;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        size_t len;
        char *s = slurp(bad[i].file, &len);
        if (!s)
            fail_msg("cannot read %s", bad[i].file);
        struct rec r = {0};
        int rc = read_rec(s, len, &r, &d);
        if (rc == 0 || strcmp(d.field, bad[i].field) != 0)
            fail_msg("%s: rc %d field '%s' (%s)", bad[i].file, rc, d.field, d.message);
        json_decref(r.events);
        free(s);
    }
    DIR *dir = opendir("tests/data/stix/good");
    assert_non_null(dir);
    struct dirent *e;
    size_t n = 0;
    while ((e = readdir(dir))) {
        if (!strstr(e->d_name, ".json"))
            continue;
        char path[512];
        snprintf(path, sizeof path, "tests/data/stix/good/%s", e->d_name);
        size_t len;
        char *s = slurp(path, &len);
        assert_non_null(s);
        struct rec r = {0};
        int rc = read_rec(s, len, &r, &d);
        if (rc)
            fail_msg("%s: %s at %s", path, d.message, d.field);
        if (count_ev(&r, "item") == 0)
            fail_msg("%s: no item", path);
        json_decref(r.events);
        free(s);
        n++;
    }
    closedir(dir);
    assert_true(n >= 3);
}

/* Every example bundle of the corpus reads without error; its items from indicators against
 * a count made independently (a Python script over the same files, matching patterns of the
 * form [path = 'v' OR ...] on the supported paths with a regular expression, run once):
 *   indicator-for-c2-ip-address 1, indicator-to-campaign-relationship 1,
 *   indicators-for-C2-with-COA 2, infrastructure 0, interop-objectmarking-test 0,
 *   malicious-email-indicator-with-attachment 0 (MATCHES), apt1 10 (2 x509 patterns are
 *   not reducible), poisonivy 65 values from 23 indicators (2 on file:name are not). */
static void stix_read_corpus(void **state)
{
    (void)state;
    static const struct {
        const char *file;
        size_t indicator_items;
        size_t refused; /* indicators skipped for their pattern */
    } ex[] = {
        {"stix2.1/examples/indicator-for-c2-ip-address.json", 1, 0},
        {"stix2.1/examples/indicator-to-campaign-relationship.json", 1, 0},
        {"stix2.1/examples/indicators-for-C2-with-COA.json", 2, 0},
        {"stix2.1/examples/infrastructure.json", 0, 0},
        {"stix2.1/examples/interop-objectmarking-test.json", 0, 0},
        {"stix2.1/examples/malicious-email-indicator-with-attachment.json", 0, 2},
        {"stix2.1/examples/threat-reports/apt1.json", 10, 2},
        {"stix2.1/examples/threat-reports/poisonivy.json", 65, 2},
    };
    struct vg_diag d;
    for (size_t i = 0; i < sizeof ex / sizeof ex[0]; i++) {
        char path[512];
        if (!corpus(ex[i].file, path, sizeof path))
            return;
        size_t len;
        char *s = slurp(path, &len);
        assert_non_null(s);
        struct rec r = {0};
        int rc = read_rec(s, len, &r, &d);
        if (rc)
            fail_msg("%s: %s at %s", path, d.message, d.field);
        size_t from_ind = 0, refused = 0, k;
        const json_t *e;
        json_array_foreach(r.events, k, e) {
            if (strcmp(vg_json_str(e, "ev"), "item") == 0 &&
                json_is_true(json_object_get(e, "to_ids")))
                from_ind++;
            if (strcmp(vg_json_str(e, "ev"), "skip") == 0 &&
                strncmp(vg_json_str(e, "what"), "indicator '", 11) == 0)
                refused++;
        }
        if (from_ind != ex[i].indicator_items || refused != ex[i].refused)
            fail_msg("%s: %zu items from indicators, %zu refused; expected %zu, %zu", path,
                     from_ind, refused, ex[i].indicator_items, ex[i].refused);
        json_decref(r.events);
        free(s);
    }
    /* the validator's valid objects: each reads without error */
    char dirpath[512];
    if (!corpus("stix2.1/cti-stix-validator/extracted_valid_objects", dirpath, sizeof dirpath))
        return;
    DIR *dir = opendir(dirpath);
    assert_non_null(dir);
    struct dirent *de;
    while ((de = readdir(dir))) {
        if (!strstr(de->d_name, ".json"))
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dirpath, de->d_name);
        size_t len;
        char *s = slurp(path, &len);
        assert_non_null(s);
        struct rec r = {0};
        int rc = read_rec(s, len, &r, &d);
        if (rc)
            fail_msg("%s: %s at %s", path, d.message, d.field);
        json_decref(r.events);
        free(s);
    }
    closedir(dir);
}

/* Every allocation of a write and of a read made to fail in turn: VG_ENOMEM or success, never
 * a crash, a leak (ASan) or an incomplete item given to the sink. */
static int strict_item(void *ctx, const struct vg_share_item *item)
{
    (void)ctx;
    if (!item || !item->uuid || !item->type || !item->value || !item->pointer)
        fail_msg("an incomplete item reached the sink");
    return 0;
}

static void stix_alloc_failures(void **state)
{
    (void)state;
    json_t *doc = sample_doc("incident");
    struct vg_buf b;
    json_t *bundle = write_doc(doc, &b);
    json_decref(bundle);
    struct vg_diag d;
    struct vg_share_sink sink = {NULL, NULL, strict_item, NULL};
    for (int part = 0; part < 2; part++) {
        long n;
        for (n = 1; n < 100000; n++) {
            struct vg_buf out;
            vg_buf_init(&out, 1 << 20);
            vg_mem_fail_after(n);
            int rc =
                part == 0 ? vg_stix_write(doc, &out, &d) : vg_stix_read(b.data, b.len, &sink, &d);
            long failed = vg_mem_failed();
            vg_mem_fail_after(0);
            vg_buf_cleanup(&out);
            if (!failed) {
                assert_int_equal(rc, 0);
                break;
            }
            if (rc != 0 && rc != VG_ENOMEM)
                fail_msg("part %d, allocation %ld failed: rc %d (%s)", part, n, rc, d.message);
        }
        assert_true(n > 3); /* some allocations were made to fail */
    }
    vg_buf_cleanup(&b);
    json_decref(doc);
}

/* With VIGIE_STIX_OUT set: sample bundles for the schema test (tests/e2e/test_stix_schema.py). */
static void stix_write_samples(void **state)
{
    (void)state;
    const char *dir = getenv("VIGIE_STIX_OUT");
    if (!dir || !*dir)
        return;
    static const char *const tlps[] = {"CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"};
    static const char *const types[][2] = {
        {"ipv4-addr", "198.51.100.0/24"},
        {"ipv6-addr", "2001:db8::1"},
        {"domain-name", "evil.example"},
        {"url", "http://evil.example/a'b\\c?d=\"e\""},
        {"email-addr", "x@evil.example"},
        {"md5", "cead3f77f6cda6ec00f57d76c9a6879f"},
        {"sha1", "0123456789012345678901234567890123456789"},
        {"sha256", SHA256},
    };
    for (int kind = 0; kind < 3; kind++) {
        json_t *doc = sample_doc(kind == 1 ? "incident" : "indicators");
        if (kind == 2) {
            json_object_set_new(doc, "items", json_array());
        } else {
            json_t *items = json_object_get(doc, "items");
            for (size_t t = 0; t < sizeof types / sizeof types[0]; t++) {
                char u[64];
                snprintf(u, sizeof u, "9%07zx-0000-4000-8000-%012d", t, kind);
                json_array_append_new(items, json_pack("{s:s,s:s,s:s,s:s,s:b}", "uuid", u, "type",
                                                       types[t][0], "value", types[t][1], "tlp",
                                                       tlps[t % 5], "to_ids", t != 4));
            }
        }
        struct vg_buf b;
        json_t *bundle = write_doc(doc, &b);
        char path[1024];
        snprintf(path, sizeof path, "%s/bundle-%d.json", dir, kind);
        FILE *f = fopen(path, "wb");
        assert_non_null(f);
        assert_int_equal(fwrite(b.data, 1, b.len, f), b.len);
        fclose(f);
        json_decref(bundle);
        vg_buf_cleanup(&b);
        json_decref(doc);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(stix_write_objects),       cmocka_unit_test(stix_write_ids),
        cmocka_unit_test(stix_write_deterministic), cmocka_unit_test(stix_write_incident),
        cmocka_unit_test(stix_write_errors),        cmocka_unit_test(stix_read_roundtrip),
        cmocka_unit_test(stix_read_reports),        cmocka_unit_test(stix_read_containers),
        cmocka_unit_test(stix_read_forms),          cmocka_unit_test(stix_read_malformed),
        cmocka_unit_test(stix_read_samples),        cmocka_unit_test(stix_read_corpus),
        cmocka_unit_test(stix_alloc_failures),      cmocka_unit_test(stix_write_samples),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
