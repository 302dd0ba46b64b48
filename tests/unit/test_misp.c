/* Unit tests of MISP's JSON (src/share/misp.c) and of the scanner under its reader
 * (src/share/jscan.c): the writer's event field by field, its determinism and type mapping;
 * the reader's mapping of every supported type, tags, sightings, skips, the forms of input,
 * the shared corpus's events (counted independently with jansson) and the broken samples of
 * tests/data/misp/bad with their JSON pointers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/tlp.h"
#include "share/jscan.h"
#include "share/misp.h"
#include "util/buf.h"
#include "util/limits.h"

/* ---- helpers ---- */

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *p = malloc((size_t)n + 1);
    assert_non_null(p);
    assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
    p[n] = 0;
    fclose(f);
    *len = (size_t)n;
    return p;
}

/* What a sink got: copies of containers and items, and the skips as "pointer|what|why". */
struct got {
    json_t *containers;
    json_t *items;
    json_t *skips;
    int stop_after; /* items before returning 99, 0: never */
};

static int got_container(void *ctx, const json_t *c)
{
    struct got *g = ctx;
    json_array_append_new(g->containers, json_deep_copy(c));
    return 0;
}

static int got_item(void *ctx, const struct vg_share_item *it)
{
    struct got *g = ctx;
    json_array_append_new(g->items, vg_share_item_json(it));
    if (g->stop_after && (int)json_array_size(g->items) == g->stop_after)
        return 99;
    return 0;
}

static int got_skip(void *ctx, const char *ptr, const char *what, const char *why)
{
    struct got *g = ctx;
    char line[512];
    snprintf(line, sizeof line, "%s|%s|%s", ptr, what, why);
    json_array_append_new(g->skips, json_string(line));
    return 0;
}

static void got_init(struct got *g)
{
    g->containers = json_array();
    g->items = json_array();
    g->skips = json_array();
    g->stop_after = 0;
}

static void got_free(struct got *g)
{
    json_decref(g->containers);
    json_decref(g->items);
    json_decref(g->skips);
}

static int read_str(const char *s, size_t len, struct got *g, struct vg_diag *d)
{
    struct vg_share_sink sink = {g, got_container, got_item, got_skip};
    vg_diag_clear(d);
    return vg_misp_read(s, len, &sink, d);
}

static int read_file(const char *path, struct got *g, struct vg_diag *d)
{
    size_t len;
    char *p = slurp(path, &len);
    assert_non_null(p);
    int rc = read_str(p, len, g, d);
    free(p);
    return rc;
}

static const char *sfield(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "(absent)";
}

/* The item of the reader whose pointer is ptr (the n-th of them). */
static json_t *item_at(struct got *g, const char *ptr, int n)
{
    size_t i;
    json_t *it;
    json_array_foreach(g->items, i, it) {
        if (!strcmp(sfield(it, "pointer"), ptr) && n-- == 0)
            return it;
    }
    fail_msg("no item at %s", ptr);
    return NULL;
}

static bool has_skip(struct got *g, const char *line)
{
    size_t i;
    json_t *s;
    json_array_foreach(g->skips, i, s) {
        if (!strcmp(json_string_value(s), line))
            return true;
    }
    return false;
}

/* A document as app/share.c builds it. */
static json_t *sample_doc(void)
{
    json_error_t err;
    json_t *doc = json_loads(
        "{\"kind\":\"incident\",\"uuid\":\"4f3c2d1e-0000-5000-8000-000000000001\","
        "\"producer\":{\"name\":\"CERT-Test\",\"uuid\":\"4f3c2d1e-0000-5000-8000-0000000000aa\"},"
        "\"title\":\"Phishing \\\"wave\\\"\",\"description\":\"d\",\"created\":"
        "\"2026-11-30T23:30:00-02:00\",\"updated\":\"2026-12-02T10:00:00Z\",\"tlp\":\"GREEN\","
        "\"pap\":\"amber\",\"ref\":\"INC-2026-0042\",\"class\":\"fraud\",\"type\":\"phishing\","
        "\"severity\":\"high\",\"status\":\"containment\",\"withheld\":0,\"items\":["
        "{\"uuid\":\"4f3c2d1e-0000-5000-8000-000000000101\",\"type\":\"ipv4-addr\",\"value\":"
        "\"198.51.100.7\",\"tlp\":\"CLEAR\",\"comment\":\"mail relay\",\"tags\":[\"phishing\","
        "\"tlp:red\"],\"created\":\"2026-12-01T08:00:00Z\",\"updated\":\"2026-12-01T09:00:00Z\","
        "\"first_seen\":\"2026-11-29T00:00:00Z\",\"last_seen\":\"2026-12-01T00:00:00Z\","
        "\"sightings\":[{\"uuid\":\"4f3c2d1e-0000-5000-8000-000000000201\",\"seen\":"
        "\"2026-12-01T10:00:00Z\",\"count\":3,\"source\":\"sensor-1\",\"tlp\":\"CLEAR\"}]},"
        "{\"uuid\":\"4f3c2d1e-0000-5000-8000-000000000102\",\"type\":\"url\",\"value\":"
        "\"http://x.example/login\",\"to_ids\":false}]}",
        0, &err);
    assert_non_null(doc);
    return doc;
}

static json_t *write_doc(const json_t *doc)
{
    struct vg_buf b;
    struct vg_diag d;
    vg_buf_init(&b, VG_MAX_BUF);
    assert_int_equal(vg_misp_write(doc, &b, &d), 0);
    json_error_t err;
    json_t *ev = json_loadb(b.data, b.len, 0, &err);
    if (!ev)
        fail_msg("writer output is not JSON: %s at %d: %s", err.text, err.position, b.data);
    vg_buf_cleanup(&b);
    return ev;
}

/* ---- the writer ---- */

static void writer_fields(void **state)
{
    (void)state;
    json_t *doc = sample_doc();
    json_t *out = write_doc(doc);
    assert_int_equal(json_object_size(out), 1);
    json_t *ev = json_object_get(out, "Event");
    assert_string_equal(sfield(ev, "uuid"), "4f3c2d1e-0000-5000-8000-000000000001");
    assert_string_equal(sfield(ev, "info"), "Phishing \"wave\"");
    assert_string_equal(sfield(ev, "date"), "2026-12-01"); /* 23:30 at -02:00 is 01:30 UTC */
    assert_string_equal(sfield(ev, "timestamp"), "1796205600");
    assert_string_equal(sfield(ev, "publish_timestamp"), "1796205600");
    assert_true(json_is_true(json_object_get(ev, "published")));
    assert_string_equal(sfield(ev, "threat_level_id"), "1");
    assert_string_equal(sfield(ev, "analysis"), "1");
    assert_string_equal(sfield(ev, "distribution"), "2");
    json_t *org = json_object_get(ev, "Orgc");
    assert_string_equal(sfield(org, "name"), "CERT-Test");
    assert_string_equal(sfield(org, "uuid"), "4f3c2d1e-0000-5000-8000-0000000000aa");
    json_t *tags = json_object_get(ev, "Tag");
    assert_int_equal(json_array_size(tags), 3);
    assert_string_equal(sfield(json_array_get(tags, 0), "name"), "tlp:green");
    assert_string_equal(sfield(json_array_get(tags, 1), "name"), "PAP:AMBER");
    assert_string_equal(sfield(json_array_get(tags, 2), "name"), "rsit:fraud=\"phishing\"");
    json_t *attrs = json_object_get(ev, "Attribute");
    assert_int_equal(json_array_size(attrs), 3); /* the items, then the withheld comment */
    assert_string_equal(sfield(json_array_get(attrs, 2), "type"), "comment");
    assert_string_equal(sfield(json_array_get(attrs, 2), "value"),
                        "vigie: 0 item(s) withheld from this export by TLP");
    json_t *a = json_array_get(attrs, 0);
    assert_string_equal(sfield(a, "uuid"), "4f3c2d1e-0000-5000-8000-000000000101");
    assert_string_equal(sfield(a, "type"), "ip-dst");
    assert_string_equal(sfield(a, "category"), "Network activity");
    assert_true(json_is_true(json_object_get(a, "to_ids")));
    assert_string_equal(sfield(a, "value"), "198.51.100.7");
    assert_string_equal(sfield(a, "comment"), "mail relay");
    assert_string_equal(sfield(a, "timestamp"), "1796115600"); /* updated, not created */
    assert_string_equal(sfield(a, "first_seen"), "2026-11-29T00:00:00Z");
    assert_string_equal(sfield(a, "last_seen"), "2026-12-01T00:00:00Z");
    assert_string_equal(sfield(a, "distribution"), "5");
    json_t *at = json_object_get(a, "Tag");
    assert_int_equal(json_array_size(at), 2); /* its TLP, "phishing"; not the stray tlp:red */
    assert_string_equal(sfield(json_array_get(at, 0), "name"), "tlp:clear");
    assert_string_equal(sfield(json_array_get(at, 1), "name"), "phishing");
    json_t *sg = json_object_get(a, "Sighting");
    assert_int_equal(json_array_size(sg), 1);
    json_t *s = json_array_get(sg, 0);
    assert_string_equal(sfield(s, "uuid"), "4f3c2d1e-0000-5000-8000-000000000201");
    assert_string_equal(sfield(s, "date_sighting"), "1796119200");
    assert_string_equal(sfield(s, "type"), "0");
    assert_string_equal(sfield(s, "source"), "sensor-1");
    json_t *b = json_array_get(attrs, 1);
    assert_string_equal(sfield(b, "type"), "url");
    assert_true(json_is_false(json_object_get(b, "to_ids")));
    assert_string_equal(sfield(b, "comment"), "");
    assert_string_equal(sfield(b, "timestamp"), "1796205600"); /* none: the event's */
    /* no item TLP: the container's */
    assert_string_equal(sfield(json_array_get(json_object_get(b, "Tag"), 0), "name"), "tlp:green");
    assert_null(json_object_get(b, "Sighting"));
    json_decref(out);
    json_decref(doc);
}

static void writer_deterministic(void **state)
{
    (void)state;
    json_t *doc = sample_doc();
    struct vg_buf a, b;
    struct vg_diag d;
    vg_buf_init(&a, VG_MAX_BUF);
    vg_buf_init(&b, VG_MAX_BUF);
    assert_int_equal(vg_misp_write(doc, &a, &d), 0);
    assert_int_equal(vg_misp_write(doc, &b, &d), 0);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.data, b.data, a.len);
    vg_buf_cleanup(&a);
    vg_buf_cleanup(&b);
    json_decref(doc);
}

static void writer_levels(void **state)
{
    (void)state;
    static const struct {
        const char *tlp, *severity, *status, *kind;
        const char *dist, *threat, *analysis, *tag;
    } cases[] = {
        {"CLEAR", "critical", "new", "incident", "3", "1", "0", "tlp:clear"},
        {"GREEN", "high", "triage", "incident", "2", "1", "0", "tlp:green"},
        {"AMBER", "medium", "analysis", "incident", "1", "2", "1", "tlp:amber"},
        {"AMBER+STRICT", "low", "recovery", "incident", "0", "3", "1", "tlp:amber+strict"},
        {"RED", NULL, "closed", "incident", "0", "4", "2", "tlp:red"},
        {NULL, NULL, "rejected", "incident", "1", "4", "2", "tlp:amber"},
        {"clear", NULL, NULL, "indicators", "3", "4", "2", "tlp:clear"},
        {"GREEN", NULL, NULL, "incident", "2", "4", "0", "tlp:green"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *doc =
            json_pack("{s:s, s:s, s:s}", "kind", cases[i].kind, "uuid",
                      "4f3c2d1e-0000-5000-8000-000000000001", "created", "2026-12-01T00:00:00Z");
        if (cases[i].tlp)
            json_object_set_new(doc, "tlp", json_string(cases[i].tlp));
        if (cases[i].severity)
            json_object_set_new(doc, "severity", json_string(cases[i].severity));
        if (cases[i].status)
            json_object_set_new(doc, "status", json_string(cases[i].status));
        json_t *out = write_doc(doc);
        json_t *ev = json_object_get(out, "Event");
        assert_string_equal(sfield(ev, "distribution"), cases[i].dist);
        assert_string_equal(sfield(ev, "threat_level_id"), cases[i].threat);
        assert_string_equal(sfield(ev, "analysis"), cases[i].analysis);
        json_t *tags = json_object_get(ev, "Tag");
        assert_int_equal(json_array_size(tags), 1); /* no PAP, no RSIT */
        assert_string_equal(sfield(json_array_get(tags, 0), "name"), cases[i].tag);
        assert_string_equal(sfield(ev, "info"), "vigie export");
        assert_string_equal(sfield(ev, "timestamp"), "1796083200"); /* created */
        assert_null(json_object_get(ev, "Orgc"));
        json_decref(out);
        json_decref(doc);
    }
}

/* Every item type, with and without a misp_type, to the MISP type and category written. */
static void writer_types(void **state)
{
    (void)state;
    static const struct {
        const char *type, *misp_type, *want, *category;
    } cases[] = {
        {"ipv4-addr", NULL, "ip-dst", "Network activity"},
        {"ipv6-addr", NULL, "ip-dst", "Network activity"},
        {"ipv4-addr", "ip-src", "ip-src", "Network activity"},
        {"ipv6-addr", "ip-src", "ip-src", "Network activity"},
        {"ipv4-addr", "ip-dst|port", "ip-dst", "Network activity"},
        {"ipv4-addr", "domain", "ip-dst", "Network activity"},
        {"domain-name", NULL, "domain", "Network activity"},
        {"domain-name", "hostname", "hostname", "Network activity"},
        {"domain-name", "domain|ip", "domain", "Network activity"},
        {"url", NULL, "url", "Network activity"},
        {"url", "uri", "uri", "Network activity"},
        {"email-addr", NULL, "email-src", "Payload delivery"},
        {"email-addr", "email-dst", "email-dst", "Network activity"},
        {"email-addr", "email", "email", "Social network"},
        {"md5", NULL, "md5", "Payload delivery"},
        {"md5", "filename|md5", "md5", "Payload delivery"},
        {"sha1", NULL, "sha1", "Payload delivery"},
        {"sha1", "sha256", "sha1", "Payload delivery"},
        {"sha256", NULL, "sha256", "Payload delivery"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *it = json_pack("{s:s, s:s, s:s}", "uuid", "4f3c2d1e-0000-5000-8000-000000000101",
                               "type", cases[i].type, "value", "v");
        if (cases[i].misp_type)
            json_object_set_new(it, "misp_type", json_string(cases[i].misp_type));
        json_t *doc = json_pack("{s:s, s:s, s:[o]}", "uuid", "4f3c2d1e-0000-5000-8000-000000000001",
                                "created", "2026-12-01T00:00:00Z", "items", it);
        json_t *out = write_doc(doc);
        json_t *a = json_array_get(json_object_get(json_object_get(out, "Event"), "Attribute"), 0);
        assert_string_equal(sfield(a, "type"), cases[i].want);
        assert_string_equal(sfield(a, "category"), cases[i].category);
        json_decref(out);
        json_decref(doc);
    }
}

static void writer_errors(void **state)
{
    (void)state;
    static const struct {
        const char *json, *field;
        int rc;
    } cases[] = {
        {"[]", "", VG_EINVAL},
        {"{\"created\":\"2026-12-01T00:00:00Z\"}", "/uuid", VG_EINVAL},
        {"{\"uuid\":\"not-a-uuid\"}", "/uuid", VG_EINVAL},
        {"{\"uuid\":\"4f3c2d1e-0000-5000-8000-000000000001\",\"created\":\"yesterday\"}",
         "/created", VG_EINVAL},
        {"{\"uuid\":\"4f3c2d1e-0000-5000-8000-000000000001\",\"tlp\":\"PURPLE\"}", "/tlp",
         VG_EINVAL},
        {"{\"uuid\":\"4f3c2d1e-0000-5000-8000-000000000001\",\"items\":{}}", "/items", VG_EINVAL},
        {"{\"uuid\":\"4f3c2d1e-0000-5000-8000-000000000001\",\"items\":[{\"uuid\":\"4f3c2d1e-0000-"
         "5000-8000-000000000101\",\"type\":\"md5\",\"value\":\"x\"},{\"type\":\"cve\",\"value\":"
         "\"x\",\"uuid\":\"4f3c2d1e-0000-5000-8000-000000000102\"}]}",
         "/items/1/type", VG_EINVAL},
        {"{\"uuid\":\"4f3c2d1e-0000-5000-8000-000000000001\",\"items\":[{\"type\":\"md5\","
         "\"value\":\"x\"}]}",
         "/items/0/uuid", VG_EINVAL},
        {"{\"uuid\":\"4f3c2d1e-0000-5000-8000-000000000001\",\"items\":[{\"uuid\":\"4f3c2d1e-0000-"
         "5000-8000-000000000101\",\"type\":\"md5\"}]}",
         "/items/0/value", VG_EINVAL},
        {"{\"uuid\":\"4f3c2d1e-0000-5000-8000-000000000001\",\"items\":[{\"uuid\":\"4f3c2d1e-0000-"
         "5000-8000-000000000101\",\"type\":\"md5\",\"value\":\"x\",\"tlp\":\"BLUE\"}]}",
         "/items/0/tlp", VG_EINVAL},
        {"{\"uuid\":\"4f3c2d1e-0000-5000-8000-000000000001\",\"items\":[{\"uuid\":\"4f3c2d1e-0000-"
         "5000-8000-000000000101\",\"type\":\"md5\",\"value\":\"x\",\"sightings\":[{\"seen\":"
         "\"never\"}]}]}",
         "/items/0/sightings", VG_EINVAL},
        {"{\"uuid\":\"4f3c2d1e-0000-5000-8000-000000000001\",\"items\":[7]}", "/items/0",
         VG_EINVAL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *doc = json_loads(cases[i].json, 0, NULL);
        assert_non_null(doc);
        struct vg_buf b;
        struct vg_diag d;
        vg_buf_init(&b, VG_MAX_BUF);
        vg_buf_puts(&b, "before");
        vg_diag_clear(&d);
        assert_int_equal(vg_misp_write(doc, &b, &d), cases[i].rc);
        assert_string_equal(d.field, cases[i].field);
        assert_string_equal(b.data, "before"); /* nothing half-written */
        vg_buf_cleanup(&b);
        json_decref(doc);
    }
    /* the cap */
    json_t *doc = sample_doc();
    struct vg_buf b;
    struct vg_diag d;
    vg_buf_init(&b, 100);
    assert_int_equal(vg_misp_write(doc, &b, &d), VG_ETOOBIG);
    vg_buf_cleanup(&b);
    json_decref(doc);
}

static void writer_withheld(void **state)
{
    (void)state;
    json_t *doc = sample_doc();
    json_object_set_new(doc, "withheld", json_integer(4));
    json_t *out = write_doc(doc);
    json_t *attrs = json_object_get(json_object_get(out, "Event"), "Attribute");
    assert_int_equal(json_array_size(attrs), 3);
    json_t *c = json_array_get(attrs, 2);
    assert_string_equal(sfield(c, "type"), "comment");
    assert_string_equal(sfield(c, "category"), "Other");
    assert_true(json_is_false(json_object_get(c, "to_ids")));
    assert_string_equal(sfield(c, "value"), "vigie: 4 item(s) withheld from this export by TLP");
    json_t *again = write_doc(doc);
    assert_string_equal(sfield(json_array_get(json_object_get(json_object_get(again, "Event"),
                                                              "Attribute"),
                                              2),
                               "uuid"),
                        sfield(c, "uuid"));
    json_decref(again);
    /* withheld, no items */
    json_object_set_new(doc, "items", json_array());
    json_decref(out);
    out = write_doc(doc);
    attrs = json_object_get(json_object_get(out, "Event"), "Attribute");
    assert_int_equal(json_array_size(attrs), 1);
    /* absent or negative: 0 */
    json_object_set_new(doc, "withheld", json_integer(-3));
    json_decref(out);
    out = write_doc(doc);
    attrs = json_object_get(json_object_get(out, "Event"), "Attribute");
    assert_string_equal(sfield(json_array_get(attrs, 0), "value"),
                        "vigie: 0 item(s) withheld from this export by TLP");
    json_decref(out);
    json_decref(doc);
}

static void manifest_entry(void **state)
{
    (void)state;
    json_t *doc = sample_doc(), *e = NULL;
    struct vg_diag d;
    assert_int_equal(vg_misp_manifest_entry(doc, &e, &d), 0);
    assert_string_equal(sfield(e, "info"), "Phishing \"wave\"");
    assert_string_equal(sfield(e, "date"), "2026-12-01");
    assert_string_equal(sfield(e, "timestamp"), "1796205600");
    assert_string_equal(sfield(e, "threat_level_id"), "1");
    assert_string_equal(sfield(e, "analysis"), "1");
    assert_string_equal(sfield(json_object_get(e, "Orgc"), "name"), "CERT-Test");
    assert_int_equal(json_array_size(json_object_get(e, "Tag")), 3);
    assert_string_equal(sfield(json_array_get(json_object_get(e, "Tag"), 0), "name"), "tlp:green");
    json_decref(e);
    json_object_del(doc, "uuid");
    assert_int_equal(vg_misp_manifest_entry(doc, &e, &d), VG_EINVAL);
    assert_string_equal(d.field, "/uuid");
    json_decref(doc);
}

/* ---- the reader ---- */

static void check_item(struct got *g, const char *ptr, int n, const char *type, const char *value,
                       const char *misp_type, const char *comment)
{
    json_t *it = item_at(g, ptr, n);
    assert_string_equal(sfield(it, "type"), type);
    assert_string_equal(sfield(it, "value"), value);
    assert_string_equal(sfield(it, "misp_type"), misp_type);
    assert_string_equal(sfield(it, "comment"), comment ? comment : "(absent)");
}

static void reader_types(void **state)
{
    (void)state;
    struct got g;
    struct vg_diag d;
    got_init(&g);
    assert_int_equal(read_file("tests/data/misp/good/event_types.json", &g, &d), 0);
    const char *A = "/Event/Attribute/";
    char p[64];
#define AT(i) (snprintf(p, sizeof p, "%s%d", A, (i)), p)
    check_item(&g, AT(0), 0, "ipv4-addr", "198.51.100.7", "ip-src", "scanner");
    check_item(&g, AT(1), 0, "ipv6-addr", "2001:db8::1", "ip-dst", NULL);
    check_item(&g, AT(2), 0, "ipv4-addr", "203.0.113.0/24", "ip-dst", NULL);
    check_item(&g, AT(3), 0, "ipv4-addr", "203.0.113.9", "ip-dst|port", "c2; port 8443");
    check_item(&g, AT(4), 0, "ipv6-addr", "2001:db8::2", "ip-src|port", "port 22");
    check_item(&g, AT(5), 0, "domain-name", "evil.example", "domain", NULL);
    check_item(&g, AT(6), 0, "domain-name", "www.evil.example", "hostname", NULL);
    check_item(&g, AT(7), 0, "domain-name", "bad.example", "domain|ip", NULL);
    check_item(&g, AT(7), 1, "ipv4-addr", "192.0.2.1", "domain|ip", NULL);
    check_item(&g, AT(8), 0, "url", "http://evil.example/a?b=c", "url", NULL);
    check_item(&g, AT(9), 0, "url", "https://evil.example/x", "uri", NULL);
    check_item(&g, AT(11), 0, "email-addr", "a@evil.example", "email", NULL);
    check_item(&g, AT(12), 0, "email-addr", "b@evil.example", "email-src", NULL);
    check_item(&g, AT(13), 0, "email-addr", "c@victim.example", "email-dst", NULL);
    check_item(&g, AT(14), 0, "md5", "d41d8cd98f00b204e9800998ecf8427e", "md5", NULL);
    check_item(&g, AT(15), 0, "sha1", "da39a3ee5e6b4b0d3255bfef95601890afd80709", "sha1", NULL);
    check_item(&g, AT(16), 0, "sha256",
               "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "sha256", NULL);
    check_item(&g, AT(17), 0, "md5", "d41d8cd98f00b204e9800998ecf8427e", "filename|md5",
               "file name dropper.exe");
    check_item(&g, AT(18), 0, "sha1", "da39a3ee5e6b4b0d3255bfef95601890afd80709", "filename|sha1",
               "loader; file name a.dll");
    check_item(&g, AT(19), 0, "sha256",
               "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
               "filename|sha256", "file name b.bin");
    check_item(&g, "/Event/Object/0/Attribute/1", 0, "sha256",
               "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "sha256", NULL);
#undef AT
    assert_int_equal(json_array_size(g.items), 21);
    /* the two items of domain|ip: the attribute's uuid, then a stable one of its own */
    assert_string_equal(sfield(item_at(&g, "/Event/Attribute/7", 0), "uuid"),
                        "00000000-0000-4000-8000-000000000008");
    const char *u2 = sfield(item_at(&g, "/Event/Attribute/7", 1), "uuid");
    assert_int_equal(strlen(u2), 36);
    assert_string_not_equal(u2, "00000000-0000-4000-8000-000000000008");
    /* skipped, each with its pointer and reason */
    assert_int_equal(json_array_size(g.skips), 7);
    assert_true(has_skip(&g, "/Event/Object/1|object 'domain-ip'|deleted"));
    assert_true(has_skip(&g, "/Event/Object/2|object 'email'|deleted"));
    assert_true(has_skip(&g, "/Event/Attribute/10|attribute type 'uri'|not an absolute URL"));
    assert_true(has_skip(
        &g,
        "/Event/Attribute/20|attribute type 'vulnerability'|not a type of value vigie imports"));
    assert_true(has_skip(&g, "/Event/Attribute/21|attribute type 'domain'|deleted"));
    assert_true(has_skip(
        &g, "/Event/Attribute/22|attribute type 'domain|ip'|the value is not of the form 'a|b'"));
    assert_true(has_skip(&g, "/Event/Object/0/Attribute/0|attribute type 'filename'|not a type "
                             "of value vigie imports"));
    /* the container: once, before the items, with the Tag[] that follows Attribute[] */
    assert_int_equal(json_array_size(g.containers), 1);
    json_t *c = json_array_get(g.containers, 0);
    assert_string_equal(sfield(c, "uuid"), "5b646415-7b48-40d5-86b4-c0070acd0835");
    assert_string_equal(sfield(c, "title"), "Every supported type");
    assert_string_equal(sfield(c, "created"), "2026-11-30T00:00:00Z");
    assert_string_equal(sfield(c, "updated"), "2025-11-30T00:00:00Z");
    assert_string_equal(sfield(c, "severity"), "medium");
    assert_string_equal(sfield(c, "status"), "analysis");
    assert_string_equal(sfield(c, "tlp"), "GREEN");
    assert_string_equal(sfield(c, "pap"), "AMBER");
    assert_string_equal(sfield(c, "class"), "malicious-code");
    assert_string_equal(sfield(c, "type"), "c2-server");
    assert_string_equal(sfield(c, "pointer"), "/Event");
    assert_string_equal(sfield(json_object_get(c, "producer"), "name"), "CERT-Example");
    assert_string_equal(sfield(json_object_get(c, "producer"), "uuid"),
                        "5a68c02d-959c-4c8a-a571-0dcac0a8060a");
    assert_int_equal(json_array_size(json_object_get(c, "tags")), 1);
    assert_string_equal(json_string_value(json_array_get(json_object_get(c, "tags"), 0)),
                        "osint:source-type=\"blog-post\"");
    /* items: the event's TLP unless their own; their container; to_ids; updated */
    json_t *it = item_at(&g, "/Event/Attribute/0", 0);
    assert_string_equal(sfield(it, "tlp"), "GREEN");
    assert_string_equal(sfield(it, "container"), "5b646415-7b48-40d5-86b4-c0070acd0835");
    assert_true(json_is_true(json_object_get(it, "to_ids")));
    assert_string_equal(sfield(it, "updated"), "2025-11-30T00:00:01Z");
    assert_true(json_is_false(json_object_get(item_at(&g, "/Event/Attribute/1", 0), "to_ids")));
    assert_string_equal(sfield(item_at(&g, "/Event/Object/0/Attribute/1", 0), "tlp"), "RED");
    got_free(&g);
}

static void reader_tags_sightings(void **state)
{
    (void)state;
    struct got g;
    struct vg_diag d;
    got_init(&g);
    assert_int_equal(read_file("tests/data/misp/good/event_sightings.json", &g, &d), 0);
    json_t *c = json_array_get(g.containers, 0);
    assert_string_equal(sfield(c, "tlp"), "AMBER");
    assert_string_equal(sfield(c, "severity"), "high");
    assert_string_equal(sfield(c, "status"), "closed");
    assert_string_equal(sfield(c, "updated"), "2025-12-01T00:00:00Z");
    assert_int_equal(json_array_size(g.items), 2);
    json_t *a = item_at(&g, "/Event/Attribute/0", 0);
    assert_string_equal(sfield(a, "tlp"), "CLEAR");
    assert_true(json_is_true(json_object_get(a, "to_ids"))); /* "1" */
    assert_string_equal(sfield(a, "first_seen"), "2026-11-01T00:00:00.000000+00:00");
    assert_string_equal(sfield(a, "last_seen"), "2026-11-20T10:00:00Z");
    json_t *tags = json_object_get(a, "tags");
    assert_int_equal(json_array_size(tags), 1);
    assert_string_equal(json_string_value(json_array_get(tags, 0)), "kill-chain:Delivery");
    /* type 0 and absent type are sightings; 1 (false positive) is not; no date: dropped */
    json_t *s = json_object_get(a, "sightings");
    assert_int_equal(json_array_size(s), 2);
    assert_string_equal(sfield(json_array_get(s, 0), "uuid"),
                        "33333333-0000-4000-8000-000000000001");
    assert_string_equal(sfield(json_array_get(s, 0), "seen"), "2025-11-30T00:00:00Z");
    assert_string_equal(sfield(json_array_get(s, 0), "source"), "sensor-1");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(s, 0), "count")), 1);
    assert_string_equal(sfield(json_array_get(s, 1), "seen"), "2025-11-30T00:03:20Z");
    /* two TLP tags: the most restricted */
    json_t *b = item_at(&g, "/Event/Attribute/1", 0);
    assert_string_equal(sfield(b, "tlp"), "AMBER+STRICT");
    assert_true(json_is_false(json_object_get(b, "to_ids")));
    assert_null(json_object_get(b, "sightings"));
    got_free(&g);
}

static void reader_forms(void **state)
{
    (void)state;
    struct got g;
    struct vg_diag d;
    got_init(&g);
    assert_int_equal(read_file("tests/data/misp/good/list.json", &g, &d), 0);
    assert_int_equal(json_array_size(g.containers), 2);
    assert_string_equal(sfield(json_array_get(g.containers, 0), "pointer"), "/0/Event");
    assert_string_equal(sfield(json_array_get(g.containers, 1), "pointer"), "/1");
    assert_int_equal(json_array_size(g.items), 3);
    assert_string_equal(sfield(item_at(&g, "/0/Event/Attribute/0", 0), "container"),
                        "7d646415-7b48-40d5-86b4-c0070acd0835");
    assert_string_equal(sfield(item_at(&g, "/1/Attribute/1", 0), "container"),
                        "8e646415-7b48-40d5-86b4-c0070acd0835");
    assert_string_equal(sfield(item_at(&g, "/1/Attribute/1", 0), "value"), "192.0.2.3");
    /* no TLP anywhere: absent (the use case applies AMBER); no to_ids: true */
    assert_null(json_object_get(item_at(&g, "/1/Attribute/1", 0), "tlp"));
    assert_true(json_is_true(json_object_get(item_at(&g, "/1/Attribute/1", 0), "to_ids")));
    got_free(&g);

    got_init(&g);
    assert_int_equal(read_file("tests/data/misp/good/response.json", &g, &d), 0);
    assert_int_equal(json_array_size(g.containers), 1); /* RelatedEvent is not read */
    assert_string_equal(sfield(json_array_get(g.containers, 0), "pointer"), "/response/0/Event");
    assert_int_equal(json_array_size(g.items), 1);
    assert_string_equal(sfield(item_at(&g, "/response/0/Event/Attribute/0", 0), "tlp"), "CLEAR");
    got_free(&g);

    got_init(&g);
    assert_int_equal(read_file("tests/data/misp/good/bare_escaped.json", &g, &d), 0);
    json_t *c = json_array_get(g.containers, 0);
    assert_string_equal(sfield(c, "pointer"), "");
    assert_string_equal(sfield(c, "title"), "caf\xc3\xa9 \xf0\x9f\x98\x80");
    assert_string_equal(sfield(c, "tlp"), "RED");
    assert_int_equal(json_array_size(g.items), 1); /* "\u0041ttribute" is Attribute */
    json_t *it = json_array_get(g.items, 0);
    assert_string_equal(sfield(it, "value"), "escaped.example");
    assert_string_equal(sfield(it, "comment"), "a \"quoted\" note");
    assert_string_equal(sfield(it, "tlp"), "RED");
    assert_string_equal(sfield(it, "pointer"), "/~/0"); /* a name with escapes: "~" */
    got_free(&g);

    /* a long type of multibyte characters: abridged at a character's start */
    got_init(&g);
    struct vg_buf doc;
    vg_buf_init(&doc, 1024);
    vg_buf_puts(&doc, "{\"Attribute\":[{\"type\":\"");
    for (int i = 0; i < 60; i++)
        vg_buf_puts(&doc, "\xe2\x82\xac");
    vg_buf_puts(&doc, "\",\"value\":\"x\"}]}");
    assert_int_equal(read_str(doc.data, doc.len, &g, &d), 0);
    vg_buf_cleanup(&doc);
    const char *line = json_string_value(json_array_get(g.skips, 0));
    assert_non_null(line); /* got_skip's json_string: NULL if not UTF-8 */
    assert_non_null(strstr(line, "|attribute type '\xe2\x82\xac"));
    const char *q = strstr(line, "'|"), *p0 = strchr(line, '\'');
    assert_non_null(q);
    assert_int_equal(q - p0 - 1, 78); /* 26 characters of 3 bytes */
    got_free(&g);

    /* one attribute alone, as MISP's /attributes/view answers */
    got_init(&g);
    const char *one = "{\"Attribute\": {\"type\": \"hostname\", \"value\": \"h.example\"}}";
    assert_int_equal(read_str(one, strlen(one), &g, &d), 0);
    assert_int_equal(json_array_size(g.items), 1);
    check_item(&g, "/Attribute", 0, "domain-name", "h.example", "hostname", NULL);
    got_free(&g);

    /* an empty list, an event without attributes */
    got_init(&g);
    assert_int_equal(read_str(" [ ] ", 5, &g, &d), 0);
    assert_int_equal(json_array_size(g.containers), 0);
    assert_int_equal(read_str("{\"Event\":{}}", 12, &g, &d), 0);
    assert_int_equal(json_array_size(g.containers), 1);
    assert_int_equal(json_array_size(g.items), 0);
    got_free(&g);
}

/* A sink's non-zero return stops the reader with that value. */
static void reader_sink_stops(void **state)
{
    (void)state;
    struct got g;
    struct vg_diag d;
    got_init(&g);
    g.stop_after = 2;
    assert_int_equal(read_file("tests/data/misp/good/event_types.json", &g, &d), 99);
    assert_int_equal(json_array_size(g.items), 2);
    got_free(&g);
}

/* Expected count of a MISP file's supported values, computed with jansson over the whole
 * file, apart from the reader's code. */
static size_t count_attr(json_t *a)
{
    const char *t = json_string_value(json_object_get(a, "type"));
    const char *v = json_string_value(json_object_get(a, "value"));
    json_t *del = json_object_get(a, "deleted");
    if (!t || !v || !*v || json_is_true(del) ||
        (json_is_string(del) && !strcmp(json_string_value(del), "1")))
        return 0;
    static const char *const single[] = {"ip-src", "ip-dst", "domain",    "hostname",
                                         "url",    "email",  "email-src", "email-dst",
                                         "md5",    "sha1",   "sha256",    NULL};
    static const char *const pair[] = {"ip-src|port",   "ip-dst|port",     "filename|md5",
                                       "filename|sha1", "filename|sha256", NULL};
    for (int i = 0; single[i]; i++)
        if (!strcmp(t, single[i]))
            return 1;
    if (!strcmp(t, "uri"))
        return strstr(v, "://") ? 1 : 0;
    const char *bar = strchr(v, '|');
    bool ok = bar && bar != v && bar[1];
    for (int i = 0; pair[i]; i++)
        if (!strcmp(t, pair[i]))
            return ok ? 1 : 0;
    if (!strcmp(t, "domain|ip"))
        return ok ? 2 : 0;
    return 0;
}

static size_t count_event(json_t *ev)
{
    size_t n = 0, i, k;
    json_t *a, *o;
    if (json_is_object(json_object_get(ev, "Attribute"))) /* one attribute alone */
        n += count_attr(json_object_get(ev, "Attribute"));
    json_array_foreach(json_object_get(ev, "Attribute"), i, a)
        n += count_attr(a);
    json_array_foreach(json_object_get(ev, "Object"), i, o) {
        json_t *del = json_object_get(o, "deleted");
        if (json_is_true(del) || (json_is_string(del) && !strcmp(json_string_value(del), "1")))
            continue;
        json_array_foreach(json_object_get(o, "Attribute"), k, a)
            n += count_attr(a);
    }
    return n;
}

static size_t count_top(json_t *j, size_t *events)
{
    size_t n = 0, i;
    json_t *e;
    if (json_is_array(j)) {
        json_array_foreach(j, i, e)
            n += count_top(e, events);
    } else if (json_object_get(j, "Event")) {
        n = count_event(json_object_get(j, "Event"));
        (*events)++;
    } else if (json_object_get(j, "response")) {
        n = count_top(json_object_get(j, "response"), events);
    } else {
        n = count_event(j);
        (*events)++;
    }
    return n;
}

static void reader_corpus(void **state)
{
    (void)state;
    static const char *const dirs[] = {
        "../shared/corpus/misp/pymisp/tests/mispevent_testfiles",
        "../shared/corpus/misp/pymisp/tests/reportlab_testfiles",
        "../shared/corpus/misp/pymisp/tests",
        "../shared/corpus/misp/misp-rfc/extracted",
        "tests/data/misp/good",
    };
    size_t files = 0, total = 0;
    for (size_t k = 0; k < sizeof dirs / sizeof dirs[0]; k++) {
        DIR *dir = opendir(dirs[k]);
        if (!dir) {
            if (k < 4)
                skip();
            continue;
        }
        struct dirent *de;
        while ((de = readdir(dir))) {
            size_t nl = strlen(de->d_name);
            if (nl < 6 || strcmp(de->d_name + nl - 5, ".json") != 0)
                continue;
            char path[512];
            snprintf(path, sizeof path, "%s/%s", dirs[k], de->d_name);
            json_t *j = json_load_file(path, 0, NULL);
            assert_non_null(j);
            /* an event: has Event, response, Attribute, info or date */
            bool is_event = json_is_array(j) || json_object_get(j, "Event") ||
                            json_object_get(j, "response") || json_object_get(j, "info") ||
                            json_object_get(j, "Attribute");
            if (!is_event || !strcmp(de->d_name, "sharing_groups.json")) { /* not events */
                json_decref(j);
                continue;
            }
            size_t events = 0, want = count_top(j, &events);
            json_decref(j);
            struct got g;
            struct vg_diag d;
            got_init(&g);
            int rc = read_file(path, &g, &d);
            if (rc)
                fail_msg("%s: %s at %s", path, d.message, d.field);
            if (json_array_size(g.items) != want || json_array_size(g.containers) != events)
                fail_msg("%s: %zu items in %zu events, want %zu in %zu", path,
                         json_array_size(g.items), json_array_size(g.containers), want, events);
            total += want;
            files++;
            got_free(&g);
        }
        closedir(dir);
    }
    if (files < 30 || total < 100)
        fail_msg("%zu files, %zu items", files, total);
}

static void reader_bad(void **state)
{
    (void)state;
    static const struct {
        const char *file, *pointer;
        size_t items;   /* delivered before the error */
        const char *at; /* the error is at the first occurrence of this, NULL: at the end */
    } cases[] = {
        {"truncated_attr.json", "/Event/Attribute/2", 2, NULL},
        {"bad_escape_info.json", "/Event/info", 0, "\\x"},
        {"attr_not_array.json", "/Event/Attribute", 0, "\"nope"},
        {"object_attr_broken.json", "/Event/Object/0/Attribute/1", 2, "\"value\": \"c."},
        {"list_not_object.json", "/1", 1, "42"},
        {"too_deep.json", "/Event/Attribute/0", 0, "[]]]"},
        {"big_int.json", "/Event/Attribute/1", 1,
         ", \"type\": \"domain\", \"value\": \"b."}, /* jansson: after the number */
        {"trailing.json", "", 1, "{\"more"},
        {"bad_utf8.json", "/Event/Attribute/0", 0, "\xff"},
        {"event_not_object.json", "/Event", 0, "\"not"},
        {"truncated_tag.json", "/Event/Tag", 1, NULL},
        {"trailing_comma.json", "/response/0/Event/Attribute", 1, "]}}]}"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[256];
        snprintf(path, sizeof path, "tests/data/misp/bad/%s", cases[i].file);
        size_t len;
        char *buf = slurp(path, &len);
        assert_non_null(buf);
        struct got g;
        struct vg_diag d;
        got_init(&g);
        int rc = read_str(buf, len, &g, &d);
        if (rc != VG_EINVAL || strcmp(d.field, cases[i].pointer) != 0 ||
            json_array_size(g.items) != cases[i].items)
            fail_msg("%s: rc %d, field '%s' (%s), %zu items", cases[i].file, rc, d.field, d.message,
                     json_array_size(g.items));
        long at = (long)len;
        if (cases[i].at) {
            const char *p = strstr(buf, cases[i].at);
            assert_non_null(p);
            at = (long)(p - buf);
        }
        if (cases[i].at && !strcmp(cases[i].at, "[]]]"))
            at = d.offset; /* somewhere in the brackets: checked below */
        if (d.offset != at)
            fail_msg("%s: offset %ld, want %ld (%s)", cases[i].file, d.offset, at, d.message);
        assert_non_null(strstr(d.message, "at byte"));
        got_free(&g);
        free(buf);
    }
}

/* Written by vigie, read back: same items, same types, and MISP's own types kept. */
static void roundtrip(void **state)
{
    (void)state;
    struct got g;
    struct vg_diag d;
    got_init(&g);
    assert_int_equal(read_file("tests/data/misp/good/event_types.json", &g, &d), 0);
    json_t *doc = json_deep_copy(json_array_get(g.containers, 0));
    json_object_del(doc, "pointer");
    json_t *items = json_array();
    size_t i;
    json_t *it;
    json_array_foreach(g.items, i, it) {
        json_t *c = json_deep_copy(it);
        json_object_del(c, "pointer");
        json_object_del(c, "container");
        json_array_append_new(items, c);
    }
    json_object_set_new(doc, "items", items);
    struct vg_buf b;
    vg_buf_init(&b, VG_MAX_BUF);
    assert_int_equal(vg_misp_write(doc, &b, &d), 0);
    struct got g2;
    got_init(&g2);
    assert_int_equal(read_str(b.data, b.len, &g2, &d), 0);
    assert_int_equal(json_array_size(g2.items), json_array_size(g.items));
    /* the withheld comment of vigie's own export is understood: not a skip */
    assert_int_equal(json_array_size(g2.skips), 0);
    json_array_foreach(g.items, i, it) {
        json_t *o = json_array_get(g2.items, i);
        assert_string_equal(sfield(o, "type"), sfield(it, "type"));
        assert_string_equal(sfield(o, "value"), sfield(it, "value"));
        assert_string_equal(sfield(o, "uuid"), sfield(it, "uuid"));
        assert_string_equal(sfield(o, "tlp"), sfield(it, "tlp"));
        const char *mt = sfield(it, "misp_type");
        if (!strchr(mt, '|'))
            assert_string_equal(sfield(o, "misp_type"), mt);
    }
    json_t *c2 = json_array_get(g2.containers, 0);
    assert_string_equal(sfield(c2, "tlp"), "GREEN");
    assert_string_equal(sfield(c2, "pap"), "AMBER");
    assert_string_equal(sfield(c2, "class"), "malicious-code");
    assert_string_equal(sfield(c2, "type"), "c2-server");
    assert_string_equal(sfield(c2, "title"), "Every supported type");
    assert_string_equal(sfield(c2, "severity"), "medium");
    vg_buf_cleanup(&b);
    json_decref(doc);
    got_free(&g);
    got_free(&g2);
}

/* ---- the scanner ---- */

static void jscan_strict(void **state)
{
    (void)state;
    static const struct {
        const char *json;
        bool ok;
    } cases[] = {
        {"{}", true},
        {"[1,-0.5e+3,\"a\",true,false,null,{\"k\":[]}]", true},
        {"\"\\ud83d\\ude00 \\n \\/ \\u00e9\"", true},
        {"\"\xc3\xa9\"", true},
        {"[1,]", false},
        {"{\"a\":1,}", false},
        {"{,\"a\":1}", false},
        {"{\"a\" 1}", false},
        {"{\"a\":1 \"b\":2}", false},
        {"[01]", false},
        {"[1.]", false},
        {"[.5]", false},
        {"[1e]", false},
        {"[-]", false},
        {"[tru]", false},
        {"\"a\\x\"", false},
        {"\"\\u12\"", false},
        {"\"\\u0000\"", false},
        {"\"\\udc00\"", false},
        {"\"\\ud800\"", false},
        {"\"\\ud800\\u0041\"", false},
        {"\"\x01\"", false},
        {"\"\xc0\xaf\"", false},
        {"\"\xed\xa0\x80\"", false},
        {"\"abc", false},
        {"[", false},
        {"", false},
        {"{\"a\":}", false},
        {"{1:2}", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct vg_jscan s;
        struct vg_str span;
        vg_jscan_init(&s, cases[i].json, strlen(cases[i].json));
        int rc = vg_jscan_value(&s, &span);
        if ((rc == 0) != cases[i].ok)
            fail_msg("%s: rc %d (%s)", cases[i].json, rc, s.err ? s.err : "");
        if (rc == 0) {
            assert_int_equal(span.len, strlen(cases[i].json));
            assert_int_equal(vg_jscan_peek(&s), 0);
        }
    }
    /* the nesting limit: VG_MAX_JSON_DEPTH levels pass, one more fails at its bracket */
    char deep[2 * VG_MAX_JSON_DEPTH + 3];
    for (int n = VG_MAX_JSON_DEPTH; n <= VG_MAX_JSON_DEPTH + 1; n++) {
        memset(deep, '[', (size_t)n);
        memset(deep + n, ']', (size_t)n);
        struct vg_jscan s;
        vg_jscan_init(&s, deep, 2 * (size_t)n);
        int rc = vg_jscan_value(&s, NULL);
        assert_int_equal(rc, n == VG_MAX_JSON_DEPTH ? 0 : -1);
        if (rc)
            assert_int_equal(s.err_pos, VG_MAX_JSON_DEPTH);
    }
}

static void jscan_helpers(void **state)
{
    (void)state;
    /* the quick skip: strings with escaped quotes and brackets inside them */
    const char *j = " {\"a\\\"]\":[\"}\",{\"b\":\"\\\\\"}]} ,7";
    struct vg_jscan s;
    vg_jscan_init(&s, j, strlen(j));
    assert_int_equal(vg_jscan_skip(&s), 0);
    assert_int_equal(vg_jscan_peek(&s), ',');
    vg_jscan_init(&s, "[\"]\"", 4);
    assert_int_equal(vg_jscan_skip(&s), -1);
    vg_jscan_init(&s, "123 ", 4);
    assert_int_equal(vg_jscan_skip(&s), 0);
    assert_int_equal(s.pos, 3);
    /* keys, unescaped */
    assert_true(vg_jscan_key_is(VG_STR("Event"), "Event"));
    assert_false(vg_jscan_key_is(VG_STR("Events"), "Event"));
    assert_true(vg_jscan_key_is(VG_STR("\\u0045vent"), "Event"));
    assert_false(vg_jscan_key_is(VG_STR("\\u0045ven"), "Event"));
    struct vg_buf b;
    vg_buf_init(&b, 64);
    assert_int_equal(vg_jscan_unescape(VG_STR("a\\n\\u00e9\\ud83d\\ude00\\\"\\/"), &b), 0);
    assert_string_equal(b.data, "a\n\xc3\xa9\xf0\x9f\x98\x80\"/");
    vg_buf_cleanup(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(writer_fields),
        cmocka_unit_test(writer_deterministic),
        cmocka_unit_test(writer_levels),
        cmocka_unit_test(writer_types),
        cmocka_unit_test(writer_errors),
        cmocka_unit_test(writer_withheld),
        cmocka_unit_test(manifest_entry),
        cmocka_unit_test(reader_types),
        cmocka_unit_test(reader_tags_sightings),
        cmocka_unit_test(reader_forms),
        cmocka_unit_test(reader_sink_stops),
        cmocka_unit_test(reader_corpus),
        cmocka_unit_test(reader_bad),
        cmocka_unit_test(roundtrip),
        cmocka_unit_test(jscan_strict),
        cmocka_unit_test(jscan_helpers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
