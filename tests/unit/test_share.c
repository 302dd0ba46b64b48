/* Unit tests of src/app/share.c against a real SQLite file: the documents an export builds
 * for each kind of recipient (what the TLP gate withholds, the 404 of an incident that may
 * not go), the stable uuids, the filters, and imports fed by a reader (skips, TLP, source,
 * sightings once, idempotence). The format writers and readers have their own tests. */
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
#include "store/store.h"
#include "util/json.h"
#include "util/limits.h"
#include "util/uuid.h"

#include "store_fixture.h"

static const struct vg_recipient internal = {VG_RCPT_INTERNAL, VG_TLP_RED, 0, 0};
static const struct vg_recipient partner_amber = {VG_RCPT_PARTNER, VG_TLP_AMBER, 0, 7};
static const struct vg_recipient partner_green = {VG_RCPT_PARTNER, VG_TLP_GREEN, 0, 8};
static const struct vg_recipient public_rcpt = {VG_RCPT_PUBLIC, VG_TLP_CLEAR, 0, 0};

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

/* Creates an incident of TLP tlp for org with two observables; returns its reference (static
 * buffer of the caller). */
static void make_incident(struct fixture *f, const char *tlp, long long org, char *ref, size_t cap)
{
    json_t *in = json_pack("{s:s,s:s,s:s,s:s,s:s,s:I,s:[{s:s},{s:s}]}", "title", "Phish wave",
                           "description", "secret details", "class", "fraud", "type", "phishing",
                           "tlp", tlp, "org", (json_int_t)org, "observables", "value",
                           "evil.example", "value", "198.51.100.7"),
           *inc = NULL, *out = NULL;
    struct vg_incident_new rec = {0};
    struct vg_diag d;
    vg_diag_clear(&d);
    assert_int_equal(vg_incident_check(in, VG_CHECK_CREATE, &inc, &d), 0);
    assert_int_equal(vg_incident_new_from_json(inc, &rec, &d), 0);
    assert_int_equal(vg_store_incident_create(f->st, &who, &rec, &out, &d), 0);
    snprintf(ref, cap, "%s", vg_json_str(out, "ref"));
    vg_incident_new_cleanup(&rec);
    json_decref(in);
    json_decref(inc);
    json_decref(out);
}

/* Stores an indicator; returns its id. */
static long long make_indicator(struct fixture *f, const char *type, const char *value,
                                const char *tlp, const char *tag)
{
    json_t *in = json_pack("{s:s,s:s,s:s,s:s,s:[s]}", "type", type, "value", value, "tlp", tlp,
                           "source", "feed-a", "tags", tag),
           *ind = NULL, *list, *out = NULL;
    struct vg_diag d;
    vg_diag_clear(&d);
    assert_int_equal(vg_indicator_check(in, VG_CHECK_CREATE, &ind, &d), 0);
    list = json_pack("[o]", ind);
    assert_int_equal(vg_store_indicator_import(f->st, &who, list, &out, &d), 0);
    long long id = (long long)json_integer_value(json_array_get(json_object_get(out, "ids"), 0));
    json_decref(out);
    json_decref(list);
    json_decref(in);
    return id;
}

static void sight(struct fixture *f, long long ind, long long org, const char *seen,
                  const char *tlp)
{
    struct vg_sighting s = {ind, org, seen, "evil.example", "dns.rrname", "/var/log/eve.json:12",
                            tlp};
    struct vg_diag d;
    vg_diag_clear(&d);
    assert_int_equal(vg_store_sightings_record(f->st, &who, &s, 1, NULL, &d), 0);
}

static const json_t *item_of(const json_t *doc, const char *value)
{
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(doc, "items"), i, it) {
        if (strcmp(vg_json_str(it, "value"), value) == 0)
            return it;
    }
    return NULL;
}

static long long withheld(const json_t *doc)
{
    return (long long)json_integer_value(json_object_get(doc, "withheld"));
}

static void incident_doc_per_recipient(void **state)
{
    struct fixture *f = *state;
    long long a = make_org(f, "Org A"), b = make_org(f, "Org B");
    char ref[64];
    make_incident(f, "AMBER", a, ref, sizeof ref);
    long long ind = make_indicator(f, "domain-name", "evil.example", "GREEN", "phish");
    sight(f, ind, a, "2026-11-28T10:00:00Z", NULL);
    sight(f, ind, b, "2026-11-28T11:00:00Z", NULL);
    sight(f, ind, a, "2026-11-28T12:00:00Z", "RED"); /* its own TLP: goes nowhere */
    struct vg_diag d;
    json_t *doc = NULL;

    /* the CERT's own users: everything */
    assert_int_equal(vg_share_incident_doc(f->st, &internal, ref, &doc, &d), 0);
    assert_string_equal(vg_json_str(doc, "kind"), "incident");
    assert_string_equal(vg_json_str(doc, "ref"), ref);
    assert_string_equal(vg_json_str(doc, "tlp"), "AMBER");
    assert_int_equal(json_array_size(json_object_get(doc, "items")), 2);
    assert_int_equal(json_array_size(json_object_get(item_of(doc, "evil.example"), "sightings")),
                     3);
    assert_int_equal(withheld(doc), 0);
    /* a sighting's own source (a log path of the CERT's) never leaves */
    char *text = json_dumps(doc, 0);
    assert_null(strstr(text, "/var/log"));
    free(text);
    json_decref(doc);

    /* an AMBER partner gets it all but the RED sighting */
    assert_int_equal(vg_share_incident_doc(f->st, &partner_amber, ref, &doc, &d), 0);
    assert_int_equal(json_array_size(json_object_get(doc, "items")), 2);
    assert_int_equal(json_array_size(json_object_get(item_of(doc, "evil.example"), "sightings")),
                     2);
    assert_int_equal(withheld(doc), 1);
    json_decref(doc);

    /* a GREEN partner may not get an AMBER incident: no such incident, for it */
    doc = NULL;
    vg_diag_clear(&d);
    assert_int_equal(vg_share_incident_doc(f->st, &partner_green, ref, &doc, &d), VG_ENOENT);
    assert_null(doc);
    assert_string_equal(d.field, "ref");
    assert_int_equal(vg_share_incident_doc(f->st, &public_rcpt, ref, &doc, &d), VG_ENOENT);

    /* the constituent concerned: the incident, and only its own sighting (AMBER) */
    struct vg_recipient ca = {VG_RCPT_CONSTITUENT, VG_TLP_CLEAR, a, 0};
    assert_int_equal(vg_share_incident_doc(f->st, &ca, ref, &doc, &d), 0);
    assert_int_equal(json_array_size(json_object_get(item_of(doc, "evil.example"), "sightings")),
                     1);
    assert_int_equal(withheld(doc), 2);
    json_decref(doc);
    /* another constituent: not at all */
    doc = NULL;
    struct vg_recipient cb = {VG_RCPT_CONSTITUENT, VG_TLP_CLEAR, b, 0};
    assert_int_equal(vg_share_incident_doc(f->st, &cb, ref, &doc, &d), VG_ENOENT);
    assert_int_equal(vg_share_incident_doc(f->st, &internal, "CERT-1999-000001", &doc, &d),
                     VG_ENOENT);
}

static void incident_red_and_strict_never_to_partners(void **state)
{
    struct fixture *f = *state;
    long long a = make_org(f, "Org A");
    char red[64], strict[64];
    make_incident(f, "RED", a, red, sizeof red);
    make_incident(f, "AMBER+STRICT", a, strict, sizeof strict);
    struct vg_diag d;
    json_t *doc = NULL;
    assert_int_equal(vg_share_incident_doc(f->st, &partner_amber, red, &doc, &d), VG_ENOENT);
    assert_int_equal(vg_share_incident_doc(f->st, &partner_amber, strict, &doc, &d), VG_ENOENT);
    struct vg_recipient ca = {VG_RCPT_CONSTITUENT, VG_TLP_CLEAR, a, 0};
    assert_int_equal(vg_share_incident_doc(f->st, &ca, red, &doc, &d), VG_ENOENT);
    assert_int_equal(vg_share_incident_doc(f->st, &ca, strict, &doc, &d), 0);
    assert_int_equal(json_array_size(json_object_get(doc, "items")), 2);
    json_decref(doc);
}

static void indicators_doc_gates_and_filters(void **state)
{
    struct fixture *f = *state;
    static const char *const levels[] = {"CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"};
    for (int i = 0; i < 5; i++) {
        char v[64];
        snprintf(v, sizeof v, "l%d.example", i);
        make_indicator(f, "domain-name", v, levels[i], i % 2 ? "odd" : "even");
    }
    make_indicator(f, "ipv4-addr", "192.0.2.1", "CLEAR", "even");
    struct vg_share_filter all = {NULL, NULL, NULL, NULL};
    struct vg_diag d;
    json_t *doc = NULL;
    struct {
        const struct vg_recipient *r;
        size_t items;
        long long withheld;
    } cases[] = {{&internal, 6, 0},
                 {&partner_amber, 4, 2},
                 {&partner_green, 3, 3},
                 {&public_rcpt, 2, 4}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        assert_int_equal(vg_share_indicators_doc(f->st, cases[i].r, &all, &doc, &d), 0);
        assert_int_equal(json_array_size(json_object_get(doc, "items")), cases[i].items);
        assert_int_equal(withheld(doc), cases[i].withheld);
        json_decref(doc);
    }
    /* the container's TLP is the highest of what it holds */
    assert_int_equal(vg_share_indicators_doc(f->st, &partner_green, &all, &doc, &d), 0);
    assert_string_equal(vg_json_str(doc, "tlp"), "GREEN");
    assert_null(item_of(doc, "l2.example"));
    json_decref(doc);

    /* stable uuids: the same indicator, the same uuid, from its type and value */
    assert_int_equal(vg_share_indicators_doc(f->st, &internal, &all, &doc, &d), 0);
    char want[VG_UUID_LEN + 1];
    const char *name = "indicator:domain-name:l0.example";
    vg_uuid5(vg_uuid_ns_vigie, name, strlen(name), want);
    assert_string_equal(vg_json_str(item_of(doc, "l0.example"), "uuid"), want);
    json_t *again = NULL;
    assert_int_equal(vg_share_indicators_doc(f->st, &internal, &all, &again, &d), 0);
    assert_string_equal(vg_json_str(again, "uuid"), vg_json_str(doc, "uuid"));
    json_decref(again);
    json_decref(doc);

    /* filters: type, tag, since, source */
    char buf[256];
    struct vg_share_filter flt;
    assert_int_equal(vg_share_filter_parse("type=domain-name,tag=odd", buf, sizeof buf, &flt, &d),
                     0);
    assert_int_equal(vg_share_indicators_doc(f->st, &internal, &flt, &doc, &d), 0);
    assert_int_equal(json_array_size(json_object_get(doc, "items")), 2); /* l1, l3 */
    json_decref(doc);
    assert_int_equal(vg_share_filter_parse("since=2999-01-01T00:00:00Z", buf, sizeof buf, &flt, &d),
                     0);
    assert_int_equal(vg_share_indicators_doc(f->st, &internal, &flt, &doc, &d), 0);
    assert_int_equal(json_array_size(json_object_get(doc, "items")), 0);
    json_decref(doc);
    assert_int_equal(vg_share_filter_parse("source=feed-b", buf, sizeof buf, &flt, &d), 0);
    assert_int_equal(vg_share_indicators_doc(f->st, &internal, &flt, &doc, &d), 0);
    assert_int_equal(json_array_size(json_object_get(doc, "items")), 0);
    json_decref(doc);
    /* bad filters name their key */
    assert_int_equal(vg_share_filter_parse("colour=red", buf, sizeof buf, &flt, &d), VG_EINVAL);
    assert_int_equal(vg_share_filter_parse("type", buf, sizeof buf, &flt, &d), VG_EINVAL);
    assert_int_equal(vg_share_filter_parse("type=car", buf, sizeof buf, &flt, &d), 0);
    assert_int_equal(vg_share_indicators_doc(f->st, &internal, &flt, &doc, &d), VG_EINVAL);
    assert_string_equal(d.field, "type");
    assert_int_equal(vg_share_filter_parse("since=yesterday", buf, sizeof buf, &flt, &d), 0);
    assert_int_equal(vg_share_indicators_doc(f->st, &internal, &flt, &doc, &d), VG_EINVAL);
    assert_string_equal(d.field, "since");
}

static void recipients_from_to(void **state)
{
    struct fixture *f = *state;
    long long a = make_org(f, "Org A");
    struct vg_recipient r;
    struct vg_diag d;
    char to[32];
    assert_int_equal(vg_share_recipient(f->st, &who, NULL, &r, &d), 0);
    assert_int_equal(r.kind, VG_RCPT_INTERNAL);
    snprintf(to, sizeof to, "org:%lld", a);
    assert_int_equal(vg_share_recipient(f->st, &who, to, &r, &d), 0);
    assert_int_equal(r.kind, VG_RCPT_CONSTITUENT);
    assert_int_equal(r.org_id, a);
    assert_int_equal(vg_share_recipient(f->st, &who, "org:999", &r, &d), VG_ENOENT);
    assert_string_equal(d.field, "to");
    assert_int_equal(vg_share_recipient(f->st, &who, "org:x", &r, &d), VG_EINVAL);
    assert_int_equal(vg_share_recipient(f->st, &who, "0", &r, &d), VG_EINVAL);
    assert_int_equal(vg_share_recipient(f->st, &who, "999", &r, &d), VG_ENOENT);
    /* a partner names only itself */
    struct vg_actor p = {0, "P", "partner", 5};
    assert_int_equal(vg_share_recipient(f->st, &p, "6", &r, &d), VG_EPERM);
    assert_int_equal(vg_share_recipient(f->st, &p, to, &r, &d), VG_EPERM);
}

/* A reader that gives a fixed list of sink calls: [{"c":container} | {"i":item} |
 * {"s":[pointer,what,reason]}], then returns its rc. */
struct script {
    const char *json;
    int rc;
};

static int read_script(void *arg, const struct vg_share_sink *sink, struct vg_diag *d)
{
    const struct script *s = arg;
    json_t *calls = json_loads(s->json, 0, NULL), *c;
    assert_non_null(calls);
    size_t i;
    int rc = 0;
    json_array_foreach(calls, i, c) {
        json_t *v;
        if ((v = json_object_get(c, "c")))
            rc = sink->container(sink->ctx, v);
        else if ((v = json_object_get(c, "i"))) {
            /* the item in C form, as a reader gives it */
            struct vg_share_item it;
            struct vg_share_item_room room = {NULL, 0, NULL, 0};
            assert_int_equal(vg_share_item_from_json(v, &it, &room), 0);
            rc = sink->item(sink->ctx, &it);
            vg_share_item_room_cleanup(&room);
        } else
            rc = (sink->skip)(sink->ctx,
                              json_string_value(json_array_get(json_object_get(c, "s"), 0)),
                              json_string_value(json_array_get(json_object_get(c, "s"), 1)),
                              json_string_value(json_array_get(json_object_get(c, "s"), 2)));
        if (rc)
            break;
    }
    json_decref(calls);
    if (!rc && s->rc)
        rc = vg_diag_set(d, s->rc, "/Event/Attribute/9", "malformed");
    return rc;
}

static const char items_json[] =
    "[{\"c\":{\"uuid\":\"5e4f7a3e-0000-4000-8000-000000000001\",\"pointer\":\"/Event\"}},"
    "{\"i\":{\"type\":\"domain-name\",\"value\":\"Good.Example\",\"tlp\":\"GREEN\","
    "\"pointer\":\"/Event/Attribute/0\",\"tags\":[\"phish\"],"
    "\"sightings\":[{\"uuid\":\"5e4f7a3e-0000-4000-8000-00000000000a\","
    "\"seen\":\"2026-11-28T10:00:00Z\"}]}},"
    "{\"i\":{\"type\":\"ipv4-addr\",\"value\":\"not an address\",\"pointer\":\"/Event/Attribute/1\"}},"
    "{\"i\":{\"type\":\"sha256\",\"value\":\"" /* no TLP: AMBER */
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\","
    "\"pointer\":\"/Event/Attribute/2\"}},"
    "{\"s\":[\"/Event/Attribute/3\",\"attribute type 'vulnerability'\",\"not supported\"]}]";

static long long field_count(json_t *rep, const char *k)
{
    return (long long)json_integer_value(json_object_get(rep, k));
}

static void import_items_skips_and_idempotence(void **state)
{
    struct fixture *f = *state;
    struct script s = {items_json, 0};
    struct vg_share_report rep;
    struct vg_diag d;
    vg_share_report_init(&rep);
    vg_diag_clear(&d);
    assert_int_equal(vg_share_import_with(f->st, &who, read_script, &s, "feed.json", &rep, &d), 0);
    json_t *j = vg_share_report_json(&rep);
    assert_int_equal(field_count(j, "containers"), 1);
    assert_int_equal(field_count(j, "items"), 3);
    assert_int_equal(field_count(j, "added"), 2);
    assert_int_equal(field_count(j, "skipped"), 2);
    assert_int_equal(field_count(j, "sightings"), 1);
    json_t *sk = json_object_get(j, "skipped_items");
    assert_string_equal(vg_json_str(json_array_get(sk, 0), "pointer"), "/Event/Attribute/1");
    assert_non_null(strstr(vg_json_str(json_array_get(sk, 0), "reason"), "value"));
    assert_string_equal(vg_json_str(json_array_get(sk, 1), "what"),
                        "attribute type 'vulnerability'");
    json_decref(j);
    vg_share_report_cleanup(&rep);

    /* stored normalised, with their TLP (own, else AMBER) and the source */
    json_t *flt = json_pack("{s:s,s:s}", "type", "domain-name", "value", "good.example"), *out;
    struct vg_page page = {10, NULL};
    assert_int_equal(vg_store_indicator_list(f->st, flt, &page, &out, &d), 0);
    json_t *ind = json_array_get(json_object_get(out, "items"), 0);
    assert_non_null(ind);
    assert_string_equal(vg_json_str(ind, "tlp"), "GREEN");
    assert_string_equal(vg_json_str(ind, "source"), "feed.json");
    json_decref(out);
    json_decref(flt);
    flt = json_pack("{s:s}", "type", "sha256");
    assert_int_equal(vg_store_indicator_list(f->st, flt, &page, &out, &d), 0);
    assert_string_equal(vg_json_str(json_array_get(json_object_get(out, "items"), 0), "tlp"),
                        "AMBER");
    json_decref(out);
    json_decref(flt);

    /* the same input again: nothing changes, no sighting twice */
    vg_share_report_init(&rep);
    assert_int_equal(vg_share_import_with(f->st, &who, read_script, &s, "feed.json", &rep, &d), 0);
    assert_int_equal(rep.added, 0);
    assert_int_equal(rep.updated, 0);
    assert_int_equal(rep.unchanged, 2);
    assert_int_equal(rep.sightings, 0);
    vg_share_report_cleanup(&rep);
    json_t *all = json_object();
    assert_int_equal(vg_store_sighting_list(f->st, all, &page, &out, &d), 0);
    assert_int_equal(json_array_size(json_object_get(out, "items")), 1);
    json_decref(out);
    json_decref(all);
}

static void import_partial_keeps_the_valid(void **state)
{
    struct fixture *f = *state;
    struct script s = {items_json, VG_EINVAL};
    struct vg_share_report rep;
    struct vg_diag d;
    vg_share_report_init(&rep);
    vg_diag_clear(&d);
    assert_int_equal(vg_share_import_with(f->st, &who, read_script, &s, "x", &rep, &d), VG_EINVAL);
    assert_string_equal(d.field, "/Event/Attribute/9");
    assert_int_equal(rep.added, 2); /* what came before the malformed part is stored */
    vg_share_report_cleanup(&rep);
}

static void import_partner_source_is_its_name(void **state)
{
    struct fixture *f = *state;
    struct script s = {items_json, 0};
    struct vg_actor p = {0, "CERT-XY", "partner", 3};
    struct vg_share_report rep;
    struct vg_diag d;
    vg_share_report_init(&rep);
    assert_int_equal(vg_share_import_with(f->st, &p, read_script, &s, "spoofed", &rep, &d), 0);
    vg_share_report_cleanup(&rep);
    json_t *flt = json_pack("{s:s}", "source", "CERT-XY"), *out;
    struct vg_page page = {10, NULL};
    assert_int_equal(vg_store_indicator_list(f->st, flt, &page, &out, &d), 0);
    assert_int_equal(json_array_size(json_object_get(out, "items")), 2);
    json_decref(out);
    json_decref(flt);
}

static void import_sightings_attributed_by_network(void **state)
{
    struct fixture *f = *state;
    json_t *in = json_pack("{s:s,s:s,s:s,s:{s:[s]}}", "name", "Net", "kind", "ministry", "sector",
                           "government", "assets", "cidrs", "192.0.2.0/24"),
           *out = NULL;
    struct vg_diag d, warn;
    vg_diag_clear(&d);
    assert_int_equal(vg_org_create(f->st, &who, in, &out, &d, &warn), 0);
    long long org = (long long)json_integer_value(json_object_get(out, "id"));
    json_decref(out);
    json_decref(in);
    /* an address in the constituent's network: its sighting concerns it; a domain: none */
    struct script s =
        {"[{\"i\":{\"type\":\"ipv4-addr\",\"value\":\"192.0.2.7\",\"pointer\":\"/a\","
         "\"sightings\":[{\"uuid\":\"5e4f7a3e-0000-4000-8000-0000000000b1\"}]}},"
         "{\"i\":{\"type\":\"ipv4-addr\",\"value\":\"198.51.100.7\",\"pointer\":\"/b\","
         "\"sightings\":[{\"uuid\":\"5e4f7a3e-0000-4000-8000-0000000000b2\"}]}}]",
         0};
    struct vg_share_report rep;
    vg_share_report_init(&rep);
    assert_int_equal(vg_share_import_with(f->st, &who, read_script, &s, "x", &rep, &d), 0);
    assert_int_equal(rep.sightings, 2);
    vg_share_report_cleanup(&rep);
    json_t *flt = json_pack("{s:I}", "org", (json_int_t)org), *list = NULL;
    struct vg_page page = {10, NULL};
    assert_int_equal(vg_store_sighting_list(f->st, flt, &page, &list, &d), 0);
    json_t *items = json_object_get(list, "items");
    assert_int_equal(json_array_size(items), 1);
    assert_string_equal(vg_json_str(json_array_get(items, 0), "value"), "192.0.2.7");
    json_decref(list);
    json_decref(flt);
}

/* The stored indicator of type and value (a new reference), or NULL. */
static json_t *stored(struct fixture *f, const char *type, const char *value)
{
    json_t *flt = json_pack("{s:s,s:s}", "type", type, "value", value), *out = NULL, *ind;
    struct vg_page page = {1, NULL};
    struct vg_diag d;
    assert_int_equal(vg_store_indicator_list(f->st, flt, &page, &out, &d), 0);
    ind = json_incref(json_array_get(json_object_get(out, "items"), 0));
    json_decref(out);
    json_decref(flt);
    return ind;
}

/* The C-form check of an item makes vg_indicator_check's decisions with its messages: a value
 * too long or invalid is skipped (field and message as the API gives them); a field beside the
 * value that cannot be kept drops those fields, not the value; times are normalised. */
static void import_checks_as_the_api(void **state)
{
    struct fixture *f = *state;
    char longv[VG_MAX_OBSERVABLE + 32], js[8192];
    memset(longv, 'a', VG_MAX_OBSERVABLE + 1);
    memcpy(longv + VG_MAX_OBSERVABLE + 1, ".example", 9);
    snprintf(js, sizeof js,
             "[{\"i\":{\"type\":\"domain-name\",\"value\":\"tags.example\",\"pointer\":\"/0\","
             "\"confidence\":80,\"tags\":[\"ok\",\"%065d\"],\"first_seen\":"
             "\"2026-01-01T00:00:00Z\"}},"
             "{\"i\":{\"type\":\"domain-name\",\"value\":\"time.example\",\"pointer\":\"/1\","
             "\"confidence\":70,\"tags\":[\"t\"],\"first_seen\":\"2026-01-01T00:00:00+02:00\","
             "\"last_seen\":\"2026-01-02T00:00:00Z\"}},"
             "{\"i\":{\"type\":\"domain-name\",\"value\":\"bad-time.example\",\"pointer\":\"/2\","
             "\"confidence\":60,\"last_seen\":\"yesterday\"}},"
             "{\"i\":{\"type\":\"ipv4-addr\",\"value\":\"x\",\"pointer\":\"/3\"}},"
             "{\"i\":{\"type\":\"domain-name\",\"value\":\"%s\",\"pointer\":\"/4\"}}]",
             0, longv);
    struct script sc = {js, 0};
    struct vg_share_report rep;
    struct vg_diag d;
    vg_share_report_init(&rep);
    vg_diag_clear(&d);
    assert_int_equal(vg_share_import_with(f->st, &who, read_script, &sc, "x", &rep, &d), 0);
    assert_int_equal(rep.items, 5);
    assert_int_equal(rep.added, 3);
    assert_int_equal(rep.skipped, 2);
    json_t *sk = rep.skipped_items;
    assert_string_equal(vg_json_str(json_array_get(sk, 0), "pointer"), "/3");
    assert_string_equal(vg_json_str(json_array_get(sk, 0), "what"), "ipv4-addr 'x'");
    assert_non_null(strstr(vg_json_str(json_array_get(sk, 0), "reason"), "/value: "));
    assert_string_equal(vg_json_str(json_array_get(sk, 1), "pointer"), "/4");
    char want[64];
    snprintf(want, sizeof want, "/value: /value is longer than %d bytes", VG_MAX_OBSERVABLE);
    assert_string_equal(vg_json_str(json_array_get(sk, 1), "reason"), want);
    vg_share_report_cleanup(&rep);

    /* a tag of 65 bytes: the value kept, without the fields beside it */
    json_t *i = stored(f, "domain-name", "tags.example");
    assert_non_null(i);
    assert_int_equal(json_integer_value(json_object_get(i, "confidence")), 50);
    assert_int_equal(json_array_size(json_object_get(i, "tags")), 0);
    assert_true(json_is_null(json_object_get(i, "first_seen")));
    json_decref(i);
    /* everything kept, times normalised to UTC */
    i = stored(f, "domain-name", "time.example");
    assert_int_equal(json_integer_value(json_object_get(i, "confidence")), 70);
    assert_string_equal(json_string_value(json_array_get(json_object_get(i, "tags"), 0)), "t");
    assert_string_equal(vg_json_str(i, "first_seen"), "2025-12-31T22:00:00Z");
    assert_string_equal(vg_json_str(i, "last_seen"), "2026-01-02T00:00:00Z");
    assert_string_equal(vg_json_str(i, "tlp"), "AMBER");
    assert_string_equal(vg_json_str(i, "source"), "x");
    json_decref(i);
    /* a time that is not one: kept without the fields beside the value */
    i = stored(f, "domain-name", "bad-time.example");
    assert_int_equal(json_integer_value(json_object_get(i, "confidence")), 50);
    assert_true(json_is_null(json_object_get(i, "last_seen")));
    json_decref(i);

    /* again with an earlier first_seen and a later last_seen: they widen, counted updated */
    vg_share_report_init(&rep);
    struct script again = {"[{\"i\":{\"type\":\"domain-name\",\"value\":\"time.example\","
                           "\"pointer\":\"/0\",\"first_seen\":\"2025-06-01T00:00:00Z\","
                           "\"last_seen\":\"2026-01-01T12:00:00Z\"}},"
                           "{\"i\":{\"type\":\"domain-name\",\"value\":\"time.example\","
                           "\"pointer\":\"/1\"}}]",
                           0};
    assert_int_equal(vg_share_import_with(f->st, &who, read_script, &again, "x", &rep, &d), 0);
    assert_int_equal(rep.updated, 1);
    assert_int_equal(rep.unchanged, 1); /* the same again in the same chunk */
    vg_share_report_cleanup(&rep);
    i = stored(f, "domain-name", "time.example");
    assert_string_equal(vg_json_str(i, "first_seen"), "2025-06-01T00:00:00Z");
    assert_string_equal(vg_json_str(i, "last_seen"), "2026-01-02T00:00:00Z");
    assert_int_equal(json_integer_value(json_object_get(i, "confidence")), 70);
    json_decref(i);
}

/* A reader of one item with more sightings than a page of the store (VG_MAX_PAGE). */
#define MANY_SIGHTINGS (VG_MAX_PAGE + 100)

static int read_many_sightings(void *arg, const struct vg_share_sink *sink, struct vg_diag *d)
{
    (void)arg;
    (void)d;
    static char uuids[MANY_SIGHTINGS][40];
    static struct vg_share_sighting sg[MANY_SIGHTINGS];
    for (int i = 0; i < MANY_SIGHTINGS; i++) {
        snprintf(uuids[i], sizeof uuids[i], "5e4f7a3e-0000-4000-8000-%012d", i);
        sg[i] = (struct vg_share_sighting){uuids[i], "2026-11-28T10:00:00Z", 1, NULL, NULL};
    }
    struct vg_share_item it = {.pointer = "/Event/Attribute/0",
                               .type = "domain-name",
                               .value = "seen-often.example",
                               .value_len = strlen("seen-often.example"),
                               .confidence = -1,
                               .to_ids = true,
                               .sightings = sg,
                               .nsightings = MANY_SIGHTINGS};
    return sink->item(sink->ctx, &it);
}

/* Every sighting of an indicator is looked at for a re-import's duplicates, not only its first
 * page: a re-import of an item with more sightings than a page records none. */
static void import_sightings_dedup_past_a_page(void **state)
{
    struct fixture *f = *state;
    struct vg_share_report rep;
    struct vg_diag d;
    vg_diag_clear(&d);
    for (int round = 0; round < 2; round++) {
        vg_share_report_init(&rep);
        assert_int_equal(vg_share_import_with(f->st, &who, read_many_sightings, NULL, "x", &rep,
                                              &d),
                         0);
        assert_int_equal(rep.sightings, round == 0 ? MANY_SIGHTINGS : 0);
        assert_int_equal(rep.added, round == 0 ? 1 : 0);
        vg_share_report_cleanup(&rep);
    }
    /* the store holds each once */
    json_t *all = json_object(), *out = NULL;
    char cursor[64] = "";
    size_t n = 0;
    for (;;) {
        struct vg_page page = {VG_MAX_PAGE, cursor[0] ? cursor : NULL};
        assert_int_equal(vg_store_sighting_list(f->st, all, &page, &out, &d), 0);
        n += json_array_size(json_object_get(out, "items"));
        const char *next = vg_json_str(out, "next_cursor");
        bool more = next && *next;
        if (more)
            snprintf(cursor, sizeof cursor, "%s", next);
        json_decref(out);
        if (!more)
            break;
    }
    assert_int_equal(n, MANY_SIGHTINGS);
    json_decref(all);
}

static void detect_formats(void **state)
{
    (void)state;
    const char misp[] = "{\"Event\":{\"info\":\"x\"}}", stix[] = "{\"type\":\"bundle\"}";
    assert_string_equal(vg_share_detect(misp, sizeof misp - 1), "misp");
    assert_string_equal(vg_share_detect(stix, sizeof stix - 1), "stix");
    assert_null(vg_share_detect("[1,2]", 5));
    struct vg_share_report rep;
    struct vg_diag d;
    vg_share_report_init(&rep);
    assert_int_equal(vg_share_import(NULL, &who, NULL, "[1,2]", 5, NULL, &rep, &d), VG_EINVAL);
    assert_string_equal(d.field, "format");
    vg_share_report_cleanup(&rep);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(incident_doc_per_recipient, setup, teardown),
        cmocka_unit_test_setup_teardown(incident_red_and_strict_never_to_partners, setup, teardown),
        cmocka_unit_test_setup_teardown(indicators_doc_gates_and_filters, setup, teardown),
        cmocka_unit_test_setup_teardown(recipients_from_to, setup, teardown),
        cmocka_unit_test_setup_teardown(import_items_skips_and_idempotence, setup, teardown),
        cmocka_unit_test_setup_teardown(import_partial_keeps_the_valid, setup, teardown),
        cmocka_unit_test_setup_teardown(import_partner_source_is_its_name, setup, teardown),
        cmocka_unit_test_setup_teardown(import_sightings_attributed_by_network, setup, teardown),
        cmocka_unit_test_setup_teardown(import_sightings_dedup_past_a_page, setup, teardown),
        cmocka_unit_test_setup_teardown(import_checks_as_the_api, setup, teardown),
        cmocka_unit_test(detect_formats),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
