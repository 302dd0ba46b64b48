/* Unit tests of the streamed export of indicators (src/app/share_export.c, the store's rows of
 * src/store/sqlite_indicator_rows.c, the streaming writers) against the reference, the
 * document path (vg_share_indicators_doc written by vg_share_write): on random databases
 * (types, TLPs, tags, sources, sightings attributed to constituents or not, with or without
 * their own TLP), for recipients of each kind and each filter, both formats must say the
 * same thing: the same indicators, TLPs, sightings and withheld counts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/org.h"
#include "app/share.h"
#include "core/record.h"
#include "share/misp.h"
#include "share/stix.h"
#include "store/store.h"
#include "util/json.h"

#include "store_fixture.h"

static unsigned long long rng_state;

static unsigned rnd(unsigned n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (unsigned)(rng_state % n);
}

static const char *const levels[] = {"CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"};

static long long make_org(struct fixture *f, const char *name)
{
    json_t *in =
               json_pack("{s:s,s:s,s:s}", "name", name, "kind", "ministry", "sector", "government"),
           *out = NULL;
    struct vg_diag d, warn;
    vg_diag_clear(&d);
    assert_int_equal(vg_org_create(f->st, &who, in, &out, &d, &warn), 0);
    long long id = (long long)json_integer_value(json_object_get(out, "id"));
    json_decref(out);
    json_decref(in);
    return id;
}

/* A random valid indicator value of a random type, the n-th (all distinct). */
static void random_value(unsigned n, const char **type, char *v, size_t cap)
{
    static const char *const types[] = {"domain-name", "ipv4-addr", "url",
                                        "md5",         "sha256",    "email-addr"};
    unsigned t = rnd(6);
    *type = types[t];
    switch (t) {
    case 0: snprintf(v, cap, "d%u.example", n); break;
    case 1: snprintf(v, cap, "198.51.%u.%u", n / 250, n % 250 + 1); break;
    case 2: snprintf(v, cap, "http://u%u.example/p?q=%u", n, rnd(9)); break;
    case 3: snprintf(v, cap, "%032x", n + 1); break;
    case 4: snprintf(v, cap, "%064x", n + 1); break;
    default: snprintf(v, cap, "u%u@example.org", n); break;
    }
}

/* Fills the store with n random indicators, a third with sightings. */
static void random_store(struct fixture *f, unsigned n, long long orgs[2])
{
    static const char *const tags[] = {"a", "b", "c d", "q\"uote", "\xc3\xa9t\xc3\xa9"};
    struct vg_diag d;
    vg_diag_clear(&d);
    for (unsigned i = 0; i < n; i++) {
        const char *type;
        char v[160];
        random_value(i, &type, v, sizeof v);
        json_t *tl = json_array();
        unsigned nt = rnd(3);
        for (unsigned k = 0; k < nt; k++)
            json_array_append_new(tl, json_string(tags[rnd(5)]));
        json_t *in = json_pack("{s:s,s:s,s:s,s:s,s:o,s:i}", "type", type, "value", v, "tlp",
                               levels[rnd(5)], "source", rnd(2) ? "feed-a" : "feed-b", "tags", tl,
                               "confidence", (int)rnd(101)),
               *ind = NULL, *list, *out = NULL;
        if (rnd(3) == 0)
            json_object_set_new(in, "first_seen", json_string("2026-11-01T10:00:00Z"));
        assert_int_equal(vg_indicator_check(in, VG_CHECK_CREATE, &ind, &d), 0);
        list = json_pack("[o]", ind);
        assert_int_equal(vg_store_indicator_import(f->st, &who, list, &out, &d), 0);
        long long id =
            (long long)json_integer_value(json_array_get(json_object_get(out, "ids"), 0));
        json_decref(out);
        json_decref(list);
        json_decref(in);
        unsigned ns = rnd(3) == 0 ? 1 + rnd(3) : 0;
        for (unsigned k = 0; k < ns; k++) {
            char seen[32];
            snprintf(seen, sizeof seen, "2026-12-0%uT0%u:00:00Z", 1 + rnd(4), rnd(10));
            unsigned o = rnd(3), t = rnd(7);
            struct vg_sighting s = {id,
                                    o ? orgs[o - 1] : 0,
                                    seen,
                                    v,
                                    "dns.rrname",
                                    "/var/log/eve.json:1",
                                    t < 5 ? levels[t] : NULL};
            assert_int_equal(vg_store_sightings_record(f->st, &who, &s, 1, NULL, &d), 0);
        }
    }
}

/* What may differ between two exports of the same content: the bundle's random id and the
 * container's times (its "now"). */
static void normalise(json_t *doc, bool misp)
{
    if (misp) {
        json_t *e = json_object_get(doc, "Event");
        json_object_del(e, "timestamp");
        json_object_del(e, "publish_timestamp");
        json_object_del(e, "date");
        size_t i;
        json_t *a;
        json_array_foreach(json_object_get(e, "Attribute"), i, a) {
            if (strcmp(vg_json_str(a, "type"), "comment") == 0)
                json_object_del(a, "timestamp");
        }
        return;
    }
    json_object_set_new(doc, "id", json_string(""));
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(doc, "objects"), i, o) {
        if (strcmp(vg_json_str(o, "type"), "report") == 0) {
            json_object_del(o, "created");
            json_object_del(o, "modified");
            json_object_del(o, "published");
        }
    }
}

static json_t *parsed(const struct vg_buf *b)
{
    json_error_t err;
    json_t *v = json_loadb(b->data, b->len, 0, &err);
    if (!v)
        fail_msg("not JSON: %s", err.text);
    return v;
}

struct tally {
    long long withheld, items, sightings;
};

/* Exports f for r in format both ways and compares them; counts what was sent. */
static void compare(struct fixture *f, const struct vg_recipient *r,
                    const struct vg_share_filter *flt, const char *format, struct tally *t)
{
    struct vg_diag d;
    vg_diag_clear(&d);
    json_t *doc = NULL;
    struct vg_buf a, b;
    vg_buf_init(&a, 64L * 1024 * 1024);
    vg_buf_init(&b, 64L * 1024 * 1024);
    assert_int_equal(vg_share_indicators_doc(f->st, r, flt, &doc, &d), 0);
    assert_int_equal(vg_share_write(doc, format, &a, &d), 0);
    if (vg_share_indicators_export(f->st, r, flt, format, &b, NULL, NULL, &d) != 0)
        fail_msg("export: %s: %s", d.field, d.message);
    bool misp = strcmp(format, "misp") == 0;
    json_t *ja = parsed(&a), *jb = parsed(&b);
    normalise(ja, misp);
    normalise(jb, misp);
    if (!json_equal(ja, jb)) {
        char *sa = json_dumps(ja, JSON_SORT_KEYS | JSON_COMPACT),
             *sb = json_dumps(jb, JSON_SORT_KEYS | JSON_COMPACT);
        fail_msg(
            "%s exports differ for recipient kind %d max %d org %lld:\nold %.3000s\nnew %.3000s",
            format, (int)r->kind, (int)r->max_tlp, r->org_id, sa, sb);
    }
    t->withheld += json_integer_value(json_object_get(doc, "withheld"));
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(doc, "items"), i, it) {
        t->items++;
        t->sightings += (long long)json_array_size(json_object_get(it, "sightings"));
    }
    json_decref(ja);
    json_decref(jb);
    json_decref(doc);
    vg_buf_cleanup(&a);
    vg_buf_cleanup(&b);
}

static void streamed_equals_document(void **state)
{
    struct fixture *f = *state;
    rng_state = 0x9e3779b97f4a7c15ULL;
    long long orgs[2] = {make_org(f, "Ministry A"), make_org(f, "Ministry B")};
    struct tally t = {0, 0, 0};
    for (int round = 0; round < 3; round++) {
        random_store(f, 40, orgs); /* the store grows: 40, 80, 120 indicators */
        const struct vg_recipient rs[] = {
            {VG_RCPT_INTERNAL, VG_TLP_RED, 0, 0},
            {VG_RCPT_PARTNER, VG_TLP_CLEAR, 0, 7},
            {VG_RCPT_PARTNER, VG_TLP_GREEN, 0, 7},
            {VG_RCPT_PARTNER, VG_TLP_AMBER, 0, 7},
            {VG_RCPT_CONSTITUENT, VG_TLP_CLEAR, orgs[0], 0},
            {VG_RCPT_CONSTITUENT, VG_TLP_CLEAR, orgs[1], 0},
            {VG_RCPT_PUBLIC, VG_TLP_CLEAR, 0, 0},
        };
        const struct vg_share_filter fs[] = {
            {NULL, NULL, NULL, NULL},
            {"domain-name", NULL, NULL, NULL},
            {NULL, "feed-b", NULL, NULL},
            {NULL, NULL, "a", NULL},
            {NULL, NULL, "q\"uote", NULL},
            {"url", "feed-a", "c d", "2000-01-01T00:00:00Z"},
            {NULL, NULL, NULL, "2999-01-01T00:00:00Z"},
        };
        for (size_t i = 0; i < sizeof rs / sizeof *rs; i++)
            for (size_t j = 0; j < sizeof fs / sizeof *fs; j++) {
                compare(f, &rs[i], &fs[j], "misp", &t);
                compare(f, &rs[i], &fs[j], "stix", &t);
            }
    }
    /* not vacuous: things were sent and things were withheld, sightings among them */
    assert_true(t.items > 500);
    assert_true(t.sightings > 50);
    assert_true(t.withheld > 500);
}

/* Errors: a bad filter names its field, a bad format "format", and nothing is written. */
static void export_errors(void **state)
{
    struct fixture *f = *state;
    const struct vg_recipient r = {VG_RCPT_INTERNAL, VG_TLP_RED, 0, 0};
    struct vg_diag d;
    struct vg_buf b;
    vg_buf_init(&b, 1024 * 1024);
    const struct vg_share_filter bad_type = {"car", NULL, NULL, NULL},
                                 bad_since = {NULL, NULL, NULL, "yesterday"},
                                 all = {NULL, NULL, NULL, NULL};
    assert_int_equal(vg_share_indicators_export(f->st, &r, &bad_type, "misp", &b, NULL, NULL, &d),
                     VG_EINVAL);
    assert_string_equal(d.field, "type");
    assert_int_equal(vg_share_indicators_export(f->st, &r, &bad_since, "stix", &b, NULL, NULL, &d),
                     VG_EINVAL);
    assert_string_equal(d.field, "since");
    assert_int_equal(vg_share_indicators_export(f->st, &r, &all, "csv", &b, NULL, NULL, &d),
                     VG_EINVAL);
    assert_string_equal(d.field, "format");
    assert_int_equal(b.len, 0);
    /* an empty store: an event with only the withheld comment, a bundle with its report */
    assert_int_equal(vg_share_indicators_export(f->st, &r, &all, "misp", &b, NULL, NULL, &d), 0);
    json_t *e = parsed(&b);
    assert_int_equal(json_array_size(json_object_get(json_object_get(e, "Event"), "Attribute")), 1);
    json_decref(e);
    vg_buf_cleanup(&b);
}

/* A flush that keeps what it is given (and fails when told to). */
struct sink {
    struct vg_buf got;
    int calls;
    bool fail;
};

static int keep(void *ctx, const char *data, size_t n)
{
    struct sink *k = ctx;
    k->calls++;
    vg_buf_append(&k->got, data, n);
    return k->fail ? -1 : 0;
}

/* An export flushed by pieces says what the whole one says. */
static void flushed_equals_whole(void **state)
{
    struct fixture *f = *state;
    json_t *list = json_array(), *out = NULL;
    struct vg_diag d;
    vg_diag_clear(&d);
    for (unsigned i = 0; i < 1500; i++) {
        char v[64];
        snprintf(v, sizeof v, "host%u.example", i);
        json_t *in = json_pack("{s:s,s:s,s:s,s:s,s:[s]}", "type", "domain-name", "value", v, "tlp",
                               i % 3 ? "GREEN" : "RED", "source", "feed-a", "tags", "t"),
               *ind = NULL;
        assert_int_equal(vg_indicator_check(in, VG_CHECK_CREATE, &ind, &d), 0);
        json_array_append_new(list, ind);
        json_decref(in);
    }
    assert_int_equal(vg_store_indicator_import(f->st, &who, list, &out, &d), 0);
    json_decref(out);
    json_decref(list);
    const struct vg_recipient r = {VG_RCPT_PARTNER, VG_TLP_AMBER, 0, 3};
    const struct vg_share_filter all = {NULL, NULL, NULL, NULL};
    static const char *const formats[] = {"misp", "stix"};
    for (int i = 0; i < 2; i++) {
        struct vg_buf whole, b;
        struct sink k = {.calls = 0, .fail = false};
        vg_buf_init(&whole, 64L * 1024 * 1024);
        vg_buf_init(&b, 64L * 1024 * 1024);
        vg_buf_init(&k.got, 64L * 1024 * 1024);
        assert_int_equal(vg_share_indicators_export(f->st, &r, &all, formats[i], &whole, NULL, NULL,
                                                    &d),
                         0);
        assert_int_equal(vg_share_indicators_export(f->st, &r, &all, formats[i], &b, keep, &k, &d),
                         0);
        assert_int_equal(b.len, 0); /* all of it went to flush */
        if (i == 1)
            assert_true(k.calls > 1); /* by pieces: 1,000 indicators are 1.5 MB of STIX */
        json_t *ja = parsed(&whole), *jb = parsed(&k.got);
        normalise(ja, i == 0);
        normalise(jb, i == 0);
        assert_true(json_equal(ja, jb));
        json_decref(ja);
        json_decref(jb);
        /* a flush that fails stops the export: VG_EIO */
        if (i == 1) {
            k.fail = true;
            k.calls = 0;
            assert_int_equal(vg_share_indicators_export(f->st, &r, &all, formats[i], &b, keep, &k,
                                                        &d),
                             VG_EIO);
            assert_int_equal(k.calls, 1);
        }
        vg_buf_cleanup(&whole);
        vg_buf_cleanup(&b);
        vg_buf_cleanup(&k.got);
    }
}

/* A producer of items for the streaming writers: two items, then (at the end) the head's late
 * members, as the export sets them once the gate has run; or an error at the second item. */
struct producer {
    json_t *head;
    int n;
    bool fail;
    struct vg_share_item item;
};

static int produce(void *ctx, const struct vg_share_item **out, struct vg_diag *d)
{
    struct producer *p = ctx;
    static const struct vg_share_sighting seen = {"4f3c2d1e-0000-5000-8000-0000000000aa",
                                                  "2026-12-01T10:00:00Z", 2, "vigie", "GREEN"};
    if (p->n == 1 && p->fail)
        return vg_diag_set(d, VG_EIO, "", "the store failed");
    if (p->n == 2) {
        json_object_set_new(p->head, "tlp", json_string("GREEN"));
        json_object_set_new(p->head, "withheld", json_integer(3));
        return 0;
    }
    p->item = (struct vg_share_item){0};
    p->item.uuid =
        p->n ? "4f3c2d1e-0000-5000-8000-000000000102" : "4f3c2d1e-0000-5000-8000-000000000101";
    p->item.type = p->n ? "domain-name" : "ipv4-addr";
    p->item.value = p->n ? "evil.example" : "198.51.100.7";
    p->item.value_len = strlen(p->item.value);
    p->item.tlp = p->n ? "GREEN" : "CLEAR";
    p->item.confidence = -1;
    p->item.created = "2026-12-01T09:00:00Z";
    p->item.to_ids = true;
    p->item.sightings = p->n ? &seen : NULL;
    p->item.nsightings = p->n ? 1 : 0;
    p->n++;
    *out = &p->item;
    return 1;
}

static void stream_late_head(void **state)
{
    (void)state;
    for (int fmt = 0; fmt < 2; fmt++) {
        json_t *head =
            json_pack("{s:s,s:s,s:{s:s,s:s},s:s,s:s,s:s,s:i}", "kind", "indicators", "uuid",
                      "4f3c2d1e-0000-5000-8000-000000000001", "producer", "name", "vigie", "uuid",
                      "4f3c2d1e-0000-5000-8000-000000000002", "title", "t", "created",
                      "2026-12-01T00:00:00Z", "tlp", "CLEAR", "withheld", 0);
        struct producer p = {head, 0, false, {0}};
        struct vg_share_items items = {&p, produce, 0};
        struct vg_buf b;
        struct vg_diag d;
        vg_buf_init(&b, 1024 * 1024);
        int rc = fmt ? vg_stix_write_stream(head, &items, &b, &d)
                     : vg_misp_write_stream(head, &items, &b, &d);
        assert_int_equal(rc, 0);
        json_t *out = parsed(&b);
        if (fmt == 0) {
            const json_t *e = json_object_get(out, "Event");
            /* the event's TLP and the withheld count are those set after the last item */
            assert_string_equal(vg_json_str(json_array_get(json_object_get(e, "Tag"), 0), "name"),
                                "tlp:green");
            assert_string_equal(vg_json_str(e, "distribution"), "2");
            const json_t *attrs = json_object_get(e, "Attribute");
            assert_int_equal(json_array_size(attrs), 3);
            const json_t *last = json_array_get(attrs, 2);
            assert_string_equal(vg_json_str(last, "type"), "comment");
            assert_non_null(strstr(vg_json_str(last, "value"), " 3 item(s) withheld"));
            assert_int_equal(json_array_size(json_object_get(json_array_get(attrs, 1), "Sighting")),
                             1);
        } else {
            const json_t *objs = json_object_get(out, "objects");
            const json_t *rep = json_array_get(objs, json_array_size(objs) - 1);
            assert_string_equal(vg_json_str(rep, "type"), "report");
            assert_int_equal(json_integer_value(json_object_get(rep, "x_vigie_withheld")), 3);
            assert_string_equal(
                json_string_value(json_array_get(json_object_get(rep, "object_marking_refs"), 0)),
                vg_tlp_stix_marking(VG_TLP_GREEN));
            /* 2 indicators, 2 SCOs, 2 relationships, 1 sighting: the report refers to them */
            assert_int_equal(json_array_size(json_object_get(rep, "object_refs")), 7);
        }
        json_decref(out);
        /* an error of the producer stops the writer, and nothing is left half-written */
        json_object_set_new(head, "withheld", json_integer(0));
        p = (struct producer){head, 0, true, {0}};
        vg_buf_reset(&b);
        vg_buf_puts(&b, "before");
        rc = fmt ? vg_stix_write_stream(head, &items, &b, &d)
                 : vg_misp_write_stream(head, &items, &b, &d);
        assert_int_equal(rc, VG_EIO);
        assert_string_equal(b.data, "before");
        vg_buf_cleanup(&b);
        json_decref(head);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(streamed_equals_document, setup, teardown),
        cmocka_unit_test_setup_teardown(export_errors, setup, teardown),
        cmocka_unit_test(stream_late_head),
        cmocka_unit_test_setup_teardown(flushed_equals_whole, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
