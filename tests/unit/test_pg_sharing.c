/* The sharing domains on both backends (issue 16): partner CERTs and their tokens
 * (store/partner.h), the TAXII 2.1 store (store/taxii.h) and upstream advisories
 * (store/upstream.h). Each test body is written once and run on a SQLite file and on a
 * PostgreSQL database of a throwaway cluster (pg_fixture.h), through two connections (two
 * servers, as far as the store knows); then one seeded random sequence of writes runs on both
 * and every read's answer is compared. Run from the repository's root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <pthread.h>
#include <sqlite3.h>
#include <time.h>

#include "store/store.h"
#include "util/json.h"
#include "pg_fixture.h"
#include "pg_both.h"

static const struct vg_actor who = {.name = "tester", .role = "admin"};

/* Runs a test body on a fresh SQLite file, on a fresh PostgreSQL database. */
static void run_on(bool pg, void (*body)(const struct backend *be))
{
    struct backend be;
    be_open(&be, pg);
    body(&be);
    be_close(&be);
}

static const char *str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static long long num(const json_t *o, const char *k)
{
    return (long long)json_integer_value(json_object_get(o, k));
}

/* ---- partners ---- */

static json_t *partner_in(const char *name, const char *tlp)
{
    json_t *p = json_pack("{s:s,s:s,s:[s],s:[{s:s,s:s}],s:s}", "name", name, "country", "FR",
                          "networks", "192.0.2.0/24", "contacts", "name", "Desk", "email",
                          "desk@cert.example", "max_tlp", tlp);
    assert_non_null(p);
    return p;
}

static void partners_body(const struct backend *be)
{
    struct vg_store *a = be->a, *b = be->b;
    struct vg_diag d = {0};
    json_t *in = partner_in("cert-a", "AMBER"), *out = NULL;
    assert_int_equal(vg_store_partner_create(a, &who, in, &out, &d), 0);
    long long pa = num(out, "id");
    assert_true(pa > 0);
    assert_string_equal(str(out, "name"), "cert-a");
    assert_string_equal(str(out, "country"), "FR");
    assert_string_equal(str(out, "max_tlp"), "AMBER");
    assert_true(json_is_false(json_object_get(out, "disabled")));
    assert_true(json_equal(json_object_get(out, "networks"), json_object_get(in, "networks")));
    assert_true(json_equal(json_object_get(out, "contacts"), json_object_get(in, "contacts")));
    assert_true(strlen(str(out, "created")) >= 20);
    assert_string_equal(str(out, "created"), str(out, "updated"));
    json_decref(out);
    json_decref(in);

    /* names are unique, case of A-Z ignored; but É is not é */
    in = partner_in("CERT-A", "GREEN");
    d = (struct vg_diag){0};
    assert_int_equal(vg_store_partner_create(a, &who, in, &out, &d), VG_EEXIST);
    assert_string_equal(d.field, "/name");
    json_decref(in);
    in = partner_in("cert-\xc3\xa9", "GREEN");
    assert_int_equal(vg_store_partner_create(a, &who, in, &out, &d), 0);
    long long pe = num(out, "id");
    json_decref(out);
    json_decref(in);
    in = partner_in("CERT-\xc3\x89", "GREEN");
    assert_int_equal(vg_store_partner_create(a, &who, in, &out, &d), 0);
    json_decref(out);
    json_decref(in);
    /* a TLP the schema refuses: the store's error */
    in = partner_in("cert-red", "RED");
    assert_int_equal(vg_store_partner_create(a, &who, in, &out, &d), VG_EIO);
    json_decref(in);
    assert_int_equal(be_scalar(be, "SELECT count(*) FROM partner WHERE name = 'cert-red'"), 0);

    /* get, list in pages */
    assert_int_equal(vg_store_partner_get(b, pa, &out), 0);
    assert_string_equal(str(out, "name"), "cert-a");
    json_decref(out);
    assert_int_equal(vg_store_partner_get(b, 999999, &out), VG_ENOENT);
    struct vg_page pg = {.limit = 2};
    assert_int_equal(vg_store_partner_list(b, &pg, &out, &d), 0);
    json_t *items = json_object_get(out, "items");
    assert_int_equal(json_array_size(items), 2);
    assert_int_equal(num(json_array_get(items, 0), "id"), pa);
    assert_int_equal(num(json_array_get(items, 1), "id"), pe);
    char cursor[32];
    snprintf(cursor, sizeof cursor, "%s", str(out, "next_cursor"));
    json_decref(out);
    pg.cursor = cursor;
    assert_int_equal(vg_store_partner_list(b, &pg, &out, &d), 0);
    assert_int_equal(json_array_size(json_object_get(out, "items")), 1);
    assert_true(json_is_null(json_object_get(out, "next_cursor")));
    json_decref(out);
    pg.cursor = "not a cursor";
    assert_int_equal(vg_store_partner_list(b, &pg, &out, &d), VG_EINVAL);

    /* update: merged, name still unique */
    json_t *patch = json_pack("{s:s}", "country", "DE");
    if (vg_store_partner_update(a, &who, pe, patch, &out, &d) != 0)
        fail_msg("partner update: %s", d.message);
    assert_string_equal(str(out, "country"), "DE");
    assert_string_equal(str(out, "name"), "cert-\xc3\xa9");
    assert_string_equal(str(out, "max_tlp"), "GREEN");
    json_decref(out);
    json_decref(patch);
    patch = json_pack("{s:s}", "name", "Cert-A");
    d = (struct vg_diag){0};
    assert_int_equal(vg_store_partner_update(a, &who, pe, patch, &out, &d), VG_EEXIST);
    assert_string_equal(d.field, "/name");
    assert_int_equal(vg_store_partner_update(a, &who, 999999, patch, &out, &d), VG_ENOENT);
    json_decref(patch);

    /* tokens */
    unsigned char h1[32] = {0x11, 1}, h2[32] = {0x22, 2}, h3[32] = {0x33, 3};
    assert_int_equal(vg_store_partner_token_add(a, &who, pa, h1, "pull", &out, &d), 0);
    long long t1 = num(out, "id");
    assert_string_equal(str(out, "label"), "pull");
    assert_true(json_is_null(json_object_get(out, "last_used")));
    assert_true(json_is_null(json_object_get(out, "revoked")));
    json_decref(out);
    assert_int_equal(vg_store_partner_token_add(a, &who, pa, h2, NULL, &out, &d), 0);
    long long t2 = num(out, "id");
    assert_string_equal(str(out, "label"), "");
    assert_true(t2 > t1);
    json_decref(out);
    assert_int_equal(vg_store_partner_token_add(a, &who, 999999, h3, "x", &out, &d), VG_ENOENT);
    /* the same hash twice: the store's error on both backends */
    assert_int_equal(vg_store_partner_token_add(a, &who, pe, h1, "again", &out, &d), VG_EIO);

    struct vg_actor as;
    struct vg_token_meta meta;
    assert_int_equal(vg_store_partner_token_lookup(b, h1, &as, &meta), 0);
    assert_int_equal(as.partner_id, pa);
    assert_int_equal(as.user_id, 0);
    assert_string_equal(as.name, "cert-a");
    assert_string_equal(as.role, "partner");
    assert_int_equal(meta.id, t1);
    assert_string_equal(meta.kind, "partner");
    assert_string_equal(meta.last_used, "");
    assert_int_equal(vg_store_partner_token_lookup(b, h3, &as, &meta), VG_ENOENT);

    /* last use: recorded, never moved back, seen by the other connection */
    assert_int_equal(vg_store_partner_token_touch(a, t1, "2026-03-02T00:00:00Z", &d), 0);
    assert_int_equal(vg_store_partner_token_touch(a, t1, "2026-03-01T00:00:00Z", &d), 0);
    assert_int_equal(vg_store_partner_token_lookup(b, h1, &as, &meta), 0);
    assert_string_equal(meta.last_used, "2026-03-02T00:00:00Z");

    /* renamed through a: b names it anew; disabled through a: refused by b; enabled again */
    patch = json_pack("{s:s}", "name", "cert-a2");
    assert_int_equal(vg_store_partner_update(a, &who, pa, patch, &out, &d), 0);
    json_decref(out);
    json_decref(patch);
    assert_int_equal(vg_store_partner_token_lookup(b, h1, &as, &meta), 0);
    assert_string_equal(as.name, "cert-a2");
    patch = json_pack("{s:b}", "disabled", 1);
    assert_int_equal(vg_store_partner_update(a, &who, pa, patch, &out, &d), 0);
    assert_true(json_is_true(json_object_get(out, "disabled")));
    json_decref(out);
    json_decref(patch);
    assert_int_equal(vg_store_partner_token_lookup(b, h1, &as, &meta), VG_ENOENT);
    patch = json_pack("{s:b}", "disabled", 0);
    assert_int_equal(vg_store_partner_update(a, &who, pa, patch, &out, &d), 0);
    json_decref(out);
    json_decref(patch);
    assert_int_equal(vg_store_partner_token_lookup(b, h1, &as, &meta), 0);
    /* disabled by another process behind the store's back: refused at once */
    be_sql(be, "UPDATE partner SET disabled = 1 WHERE name = 'cert-a2'");
    assert_int_equal(vg_store_partner_token_lookup(b, h2, &as, &meta), VG_ENOENT);
    be_sql(be, "UPDATE partner SET disabled = 0 WHERE name = 'cert-a2'");
    assert_int_equal(vg_store_partner_token_lookup(b, h2, &as, &meta), 0);
    assert_int_equal(meta.id, t2);

    /* revoked through a: refused by b, which found it valid before */
    d = (struct vg_diag){0};
    assert_int_equal(vg_store_partner_token_revoke(a, &who, pe, t1, &d), VG_ENOENT);
    assert_string_equal(d.field, "tid");
    assert_int_equal(vg_store_partner_token_revoke(a, &who, pa, t1, &d), 0);
    assert_int_equal(vg_store_partner_token_lookup(b, h1, &as, &meta), VG_ENOENT);
    assert_int_equal(vg_store_partner_token_revoke(a, &who, pa, t1, &d), VG_ENOENT);
    assert_int_equal(vg_store_partner_token_lookup(b, h2, &as, &meta), 0);

    /* the list, without secrets */
    assert_int_equal(vg_store_partner_token_list(b, pa, &out), 0);
    assert_int_equal(json_array_size(out), 2);
    json_t *tk = json_array_get(out, 0);
    assert_int_equal(num(tk, "id"), t1);
    assert_int_equal(json_object_size(tk), 5);
    assert_string_equal(str(tk, "label"), "pull");
    assert_string_equal(str(tk, "last_used"), "2026-03-02T00:00:00Z");
    assert_true(json_is_string(json_object_get(tk, "revoked")));
    tk = json_array_get(out, 1);
    assert_int_equal(num(tk, "id"), t2);
    assert_true(json_is_null(json_object_get(tk, "revoked")));
    assert_true(json_is_null(json_object_get(tk, "last_used")));
    json_decref(out);
    assert_int_equal(vg_store_partner_token_list(b, 999999, &out), 0);
    assert_int_equal(json_array_size(out), 0);
    json_decref(out);

    /* every write audited, none of the failed ones */
    assert_int_equal(be_scalar(be, "SELECT count(*) FROM audit WHERE action = "
                                   "'partner.create'"),
                     3);
    assert_int_equal(be_scalar(be, "SELECT count(*) FROM audit WHERE action = "
                                   "'partner.update'"),
                     4);
    assert_int_equal(be_scalar(be, "SELECT count(*) FROM audit WHERE action = "
                                   "'partner.token.create'"),
                     2);
    assert_int_equal(be_scalar(be, "SELECT count(*) FROM audit WHERE action = "
                                   "'partner.token.revoke'"),
                     1);
}

static void partners_on_sqlite(void **state)
{
    (void)state;
    run_on(false, partners_body);
}

static void partners_on_pg(void **state)
{
    (void)state;
    run_on(true, partners_body);
}

/* ---- TAXII ---- */

#define C1 "11111111-1111-4111-8111-111111111111"
#define C2 "22222222-2222-4222-8222-222222222222"

static int collect(void *ctx, const struct vg_taxii_row *row)
{
    json_t *arr = ctx;
    return json_array_append_new(arr, json_pack("{s:I,s:s,s:s,s:s,s:s,s:i,s:s%}", "added",
                                                (json_int_t)row->added, "id", row->id, "type",
                                                row->type, "spec", row->spec_version, "version",
                                                row->version, "tlp", row->tlp, "object",
                                                row->object, row->object_len));
}

static int stop_at_first(void *ctx, const struct vg_taxii_row *row)
{
    (void)row;
    (*(int *)ctx)++;
    return 42;
}

/* The rows q finds: an array of {added, id, ...}; *more as the store says. */
static json_t *query(struct vg_store *st, struct vg_taxii_query q, bool *more)
{
    json_t *arr = json_array();
    bool m = false;
    assert_int_equal(vg_store_taxii_obj_query(st, &q, collect, arr, &m), 0);
    if (more)
        *more = m;
    return arr;
}

static char *ids_of(const json_t *rows)
{
    static char out[512];
    out[0] = '\0';
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r) {
        size_t l = strlen(out);
        snprintf(out + l, sizeof out - l, "%s%s@%lld", i ? " " : "", str(r, "id"), num(r, "added"));
    }
    return out;
}

static void add(struct vg_store *st, const char *coll, long long now, const char *id,
                const char *type, long long vus, const char *obj, long long *added, bool *dup)
{
    struct vg_diag d = {0};
    char version[32];
    snprintf(version, sizeof version, "v%lld", vus);
    struct vg_taxii_new o = {.id = id,
                             .type = type,
                             .spec_version = strcmp(type, "x-old") ? "2.1" : "2.0",
                             .version = version,
                             .version_us = vus,
                             .tlp = (int)(vus % 3),
                             .source = "partner:1",
                             .object = obj,
                             .object_len = strlen(obj)};
    assert_int_equal(vg_store_taxii_obj_add(st, coll, now, &o, added, dup, &d), 0);
}

static void taxii_body(const struct backend *be)
{
    struct vg_store *a = be->a, *b = be->b;
    struct vg_diag d = {0};
    json_t *c = json_pack("{s:s,s:s,s:s,s:s,s:[i,i]}", "id", C1, "title", "Feed", "description",
                          "the feed", "readers", "all", "writers", 1, 2),
           *out = NULL;
    assert_int_equal(vg_store_taxii_coll_create(a, &who, c, &out, &d), 0);
    assert_string_equal(str(out, "id"), C1);
    assert_string_equal(str(out, "title"), "Feed");
    assert_string_equal(str(out, "description"), "the feed");
    assert_string_equal(str(out, "readers"), "all");
    assert_true(json_equal(json_object_get(out, "writers"), json_object_get(c, "writers")));
    assert_true(strlen(str(out, "created")) >= 20);
    json_decref(out);
    d = (struct vg_diag){0};
    assert_int_equal(vg_store_taxii_coll_create(a, &who, c, &out, &d), VG_EEXIST);
    assert_string_equal(d.field, "/id");
    json_decref(c);
    c = json_pack("{s:s,s:s,s:[i],s:[]}", "id", C2, "title", "Second", "readers", 3, "writers");
    assert_int_equal(vg_store_taxii_coll_create(a, &who, c, &out, &d), 0);
    assert_string_equal(str(out, "description"), "");
    json_decref(out);
    json_decref(c);
    assert_int_equal(vg_store_taxii_coll_get(b, "nope", &out), VG_ENOENT);
    assert_int_equal(vg_store_taxii_coll_list(b, &out), 0);
    assert_int_equal(json_array_size(out), 2);
    assert_string_equal(str(json_array_get(out, 0), "id"), C1);
    assert_string_equal(str(json_array_get(out, 1), "id"), C2);
    json_decref(out);
    json_t *patch = json_pack("{s:s,s:[i]}", "title", "Feed 2", "readers", 7);
    assert_int_equal(vg_store_taxii_coll_update(a, &who, C1, patch, &out, &d), 0);
    assert_string_equal(str(out, "title"), "Feed 2");
    assert_string_equal(str(out, "description"), "the feed");
    assert_int_equal(json_integer_value(json_array_get(json_object_get(out, "readers"), 0)), 7);
    json_decref(out);
    assert_int_equal(vg_store_taxii_coll_update(a, &who, "nope", patch, &out, &d), VG_ENOENT);
    json_decref(patch);

    /* objects: date_added unique and increasing within a collection */
    long long at;
    bool dup;
    add(a, C1, 5000, "indicator--1", "indicator", 100, "{\"v\":1}", &at, &dup);
    assert_int_equal(at, 5000);
    assert_false(dup);
    add(a, C1, 5000, "indicator--1", "indicator", 200, "{\"v\":2}", &at, &dup);
    assert_int_equal(at, 5001);
    add(b, C1, 4000, "indicator--1", "indicator", 300, "{\"v\":3}", &at, &dup);
    assert_int_equal(at, 5002);
    at = -7;
    add(b, C1, 9000, "indicator--1", "indicator", 200, "{\"other\":true}", &at, &dup);
    assert_true(dup);
    assert_int_equal(at, -7);
    add(a, C1, 9000, "malware--\"q\\", "malware", 100, "{\"s\":\"\\u00e9\\\"\"}", &at, &dup);
    assert_int_equal(at, 9000);
    add(a, C1, 9000, "x--old", "x-old", 50, "{}", &at, &dup);
    assert_int_equal(at, 9001);
    /* an object whose text does not end at its length */
    const char *longer = "{\"cut\":1}TRAILING";
    struct vg_taxii_new o = {.id = "note--1",
                             .type = "note",
                             .spec_version = "2.1",
                             .version = "v1",
                             .version_us = 1,
                             .source = "user:tester",
                             .object = longer,
                             .object_len = 9};
    assert_int_equal(vg_store_taxii_obj_add(a, C1, 9500, &o, &at, &dup, &d), 0);
    assert_int_equal(at, 9500);
    add(a, C2, 1, "indicator--1", "indicator", 100, "{}", &at, &dup);
    assert_int_equal(at, 1); /* another collection: its own sequence */
    assert_int_equal(vg_store_taxii_obj_add(a, "nope", 1, &o, &at, &dup, &d), VG_ENOENT);

    /* queries */
    struct vg_taxii_query q = {.coll = C1, .after = -1, .limit = 100};
    bool more;
    json_t *rows = query(b, q, &more);
    assert_string_equal(ids_of(rows),
                        "indicator--1@5002 malware--\"q\\@9000 x--old@9001 note--1@9500");
    assert_false(more);
    json_t *note = json_array_get(rows, 3);
    assert_string_equal(str(note, "object"), "{\"cut\":1}");
    assert_string_equal(str(note, "spec"), "2.1");
    assert_string_equal(str(note, "version"), "v1");
    assert_int_equal(num(note, "tlp"), 0);
    assert_string_equal(str(json_array_get(rows, 1), "object"), "{\"s\":\"\\u00e9\\\"\"}");
    json_decref(rows);
    q.versions = VG_TAXII_V_FIRST;
    rows = query(b, q, NULL);
    assert_string_equal(ids_of(rows),
                        "indicator--1@5000 malware--\"q\\@9000 x--old@9001 note--1@9500");
    json_decref(rows);
    q.versions = VG_TAXII_V_FIRST | VG_TAXII_V_LAST;
    q.limit = 2;
    rows = query(b, q, &more);
    assert_string_equal(ids_of(rows), "indicator--1@5000 indicator--1@5002");
    assert_true(more);
    json_decref(rows);
    q.after = 5002;
    rows = query(b, q, &more);
    assert_string_equal(ids_of(rows), "malware--\"q\\@9000 x--old@9001");
    assert_true(more);
    json_decref(rows);
    q.after = 9001;
    rows = query(b, q, &more);
    assert_string_equal(ids_of(rows), "note--1@9500");
    assert_false(more);
    json_decref(rows);
    q = (struct vg_taxii_query){.coll = C1, .after = -1, .limit = 100};
    q.versions = VG_TAXII_V_ALL;
    const char *ids[] = {"indicator--1", "malware--\"q\\"};
    q.ids = ids;
    q.n_ids = 2;
    rows = query(b, q, NULL);
    assert_string_equal(ids_of(rows), "indicator--1@5000 indicator--1@5001 indicator--1@5002 "
                                      "malware--\"q\\@9000");
    json_decref(rows);
    long long ats[] = {200, 100};
    q.versions = VG_TAXII_V_AT;
    q.at = ats;
    q.n_at = 2;
    rows = query(b, q, NULL);
    assert_string_equal(ids_of(rows), "indicator--1@5000 indicator--1@5001 malware--\"q\\@9000");
    json_decref(rows);
    q.n_at = 0;
    rows = query(b, q, NULL);
    assert_int_equal(json_array_size(rows), 0);
    json_decref(rows);
    q = (struct vg_taxii_query){.coll = C1, .after = -1, .limit = 100};
    const char *types[] = {"malware", "note"};
    q.types = types;
    q.n_types = 2;
    rows = query(b, q, NULL);
    assert_string_equal(ids_of(rows), "malware--\"q\\@9000 note--1@9500");
    json_decref(rows);
    const char *specs[] = {"2.0"};
    q.n_types = 0;
    q.specs = specs;
    q.n_specs = 1;
    rows = query(b, q, NULL);
    assert_string_equal(ids_of(rows), "x--old@9001");
    json_decref(rows);
    q.n_specs = 0;
    int calls = 0;
    assert_int_equal(vg_store_taxii_obj_query(b, &q, stop_at_first, &calls, &more), 42);
    assert_int_equal(calls, 1);
    q.coll = "nope";
    assert_int_equal(vg_store_taxii_obj_query(b, &q, collect, NULL, &more), VG_ENOENT);

    /* delete: the first version of indicator--1 only */
    q = (struct vg_taxii_query){.coll = C1, .after = 999999, .limit = 1};
    q.ids = ids;
    q.n_ids = 1;
    q.versions = VG_TAXII_V_FIRST;
    long long deleted = -1;
    assert_int_equal(vg_store_taxii_obj_delete(a, &who, &q, &deleted, &d), 0);
    assert_int_equal(deleted, 1);
    q = (struct vg_taxii_query){.coll = C1, .after = -1, .limit = 100, .versions = VG_TAXII_V_ALL};
    q.ids = ids;
    q.n_ids = 1;
    rows = query(b, q, NULL);
    assert_string_equal(ids_of(rows), "indicator--1@5001 indicator--1@5002");
    json_decref(rows);
    /* every version of the collection's x-old objects */
    q = (struct vg_taxii_query){.coll = C1, .after = -1, .versions = VG_TAXII_V_ALL};
    const char *old[] = {"x-old"};
    q.types = old;
    q.n_types = 1;
    assert_int_equal(vg_store_taxii_obj_delete(a, &who, &q, &deleted, &d), 0);
    assert_int_equal(deleted, 1);
    assert_int_equal(vg_store_taxii_obj_delete(a, &who, &q, &deleted, &d), 0);
    assert_int_equal(deleted, 0);
    q.coll = "nope";
    assert_int_equal(vg_store_taxii_obj_delete(a, &who, &q, &deleted, &d), VG_ENOENT);
    assert_int_equal(be_scalar(be, "SELECT count(*) FROM audit WHERE action = "
                                   "'taxii.object.delete'"),
                     3);
    assert_int_equal(be_scalar(be, "SELECT count(*) FROM taxii_object"), 5);
    /* a new add after deletes: still past the last one */
    add(a, C1, 1, "indicator--9", "indicator", 1, "{}", &at, &dup);
    assert_int_equal(at, 9501);

    /* status resources */
    json_t *status =
        json_pack("{s:s,s:i,s:[]}", "status", "complete", "success_count", 3, "failures");
    assert_int_equal(vg_store_taxii_status_put(a, "aaaa-1", 12, status, &d), 0);
    assert_int_equal(vg_store_taxii_status_put(a, "aaaa-2", 0, status, &d), 0);
    assert_int_equal(vg_store_taxii_status_put(a, "aaaa-1", 12, status, &d), VG_EIO);
    long long poster = -1;
    assert_int_equal(vg_store_taxii_status_get(b, "aaaa-1", &poster, &out), 0);
    assert_int_equal(poster, 12);
    assert_true(json_equal(out, status));
    json_decref(out);
    assert_int_equal(vg_store_taxii_status_get(b, "aaaa-2", &poster, &out), 0);
    assert_int_equal(poster, 0);
    json_decref(out);
    assert_int_equal(vg_store_taxii_status_get(b, "nope", &poster, &out), VG_ENOENT);
    json_decref(status);
}

static void taxii_on_sqlite(void **state)
{
    (void)state;
    run_on(false, taxii_body);
}

static void taxii_on_pg(void **state)
{
    (void)state;
    run_on(true, taxii_body);
}

/* ---- upstream advisories ---- */

static json_t *urec(const char *source, const char *ref, const char *title, const char *last,
                    int revisions, const char *cves, const char *products)
{
    json_t *r = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:i,s:n,s:o,s:o,s:{s:s,s:[i,f]}}", "source",
                          source, "ref", ref, "title", title, "kind", "avis", "first_date",
                          "2024-01-01T00:00:00Z", "last_date", last, "revisions", revisions,
                          "closed_at", "cves", json_loads(cves, 0, NULL), "products",
                          json_loads(products, 0, NULL), "document", "title", title, "n", 1, 2.5);
    assert_non_null(r);
    return r;
}

static int uput(struct vg_store *st, json_t *r)
{
    struct vg_diag d = {0};
    int result = -1;
    assert_int_equal(vg_store_upstream_put(st, &who, r, &result, &d), 0);
    json_decref(r);
    return result;
}

/* The references of a list answer, joined by ' ', after a filter (a JSON text). */
static char *refs(struct vg_store *st, const char *filters)
{
    static char out[512];
    struct vg_diag d = {0};
    json_t *f = json_loads(filters, 0, NULL), *l = NULL;
    struct vg_page pg = {.limit = 50};
    assert_int_equal(vg_store_upstream_list(st, f, &pg, &l, &d), 0);
    json_decref(f);
    out[0] = '\0';
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(l, "items"), i, it) {
        size_t n = strlen(out);
        snprintf(out + n, sizeof out - n, "%s%s", i ? " " : "", str(it, "ref"));
        assert_null(json_object_get(it, "document"));
        assert_null(json_object_get(it, "products"));
    }
    json_decref(l);
    return out;
}

static void upstream_body(const struct backend *be)
{
    struct vg_store *a = be->a, *b = be->b;
    struct vg_diag d = {0};
    int result;
    json_t *bad = json_pack("{s:s,s:s}", "ref", "X", "title", "t");
    assert_int_equal(vg_store_upstream_put(a, &who, bad, &result, &d), VG_EINVAL);
    json_decref(bad);

    const char *R1 = "CERTFR-2024-AVI-0001";
    assert_int_equal(uput(a, urec("CERT-FR", R1, "Wireshark flaws", "2024-02-01T00:00:00Z", 1,
                                  "[\"CVE-2024-0002\",\"CVE-2024-0001\",\"CVE-2024-0001\",5]",
                                  "[\"wireshark_wireshark\",\"acme_widget\"]")),
                     VG_UPSTREAM_IMPORTED);
    /* the same revision, an older one: nothing changes */
    assert_int_equal(uput(b,
                          urec("CERT-FR", R1, "Changed?", "2024-02-01T00:00:00Z", 1, "[]", "[]")),
                     VG_UPSTREAM_UNCHANGED);
    assert_int_equal(uput(b,
                          urec("CERT-FR", R1, "Changed?", "2024-01-15T00:00:00Z", 9, "[]", "[]")),
                     VG_UPSTREAM_OLDER);
    json_t *g = NULL;
    assert_int_equal(vg_store_upstream_get(b, R1, &g), 0);
    assert_string_equal(str(g, "title"), "Wireshark flaws");
    assert_string_equal(str(g, "source"), "CERT-FR");
    assert_string_equal(str(g, "kind"), "avis");
    assert_string_equal(str(g, "first_revision_date"), "2024-01-01T00:00:00Z");
    assert_string_equal(str(g, "last_revision_date"), "2024-02-01T00:00:00Z");
    assert_int_equal(num(g, "revisions"), 1);
    assert_true(json_is_null(json_object_get(g, "closed_at")));
    json_t *want = json_pack("[s,s]", "CVE-2024-0001", "CVE-2024-0002");
    assert_true(json_equal(json_object_get(g, "cves"), want));
    json_decref(want);
    want = json_pack("[s,s]", "acme_widget", "wireshark_wireshark");
    assert_true(json_equal(json_object_get(g, "products"), want));
    json_decref(want);
    char *doc = vg_json_dump(json_object_get(g, "document"));
    assert_string_equal(doc, "{\"title\":\"Wireshark flaws\",\"n\":[1,2.5]}");
    free(doc);
    assert_string_equal(str(g, "imported"), str(g, "updated"));
    json_decref(g);
    /* the same date with more revisions: replaced, with its lists */
    assert_int_equal(uput(a, urec("CERT-FR", R1, "Wireshark flaws (2)", "2024-02-01T00:00:00Z", 2,
                                  "[\"CVE-2024-0003\"]", "[]")),
                     VG_UPSTREAM_UPDATED);
    assert_int_equal(vg_store_upstream_get(b, R1, &g), 0);
    assert_string_equal(str(g, "title"), "Wireshark flaws (2)");
    assert_int_equal(json_array_size(json_object_get(g, "cves")), 1);
    assert_int_equal(json_array_size(json_object_get(g, "products")), 0);
    json_decref(g);
    assert_int_equal(uput(a, urec("CERT-FR", R1, "Wireshark flaws", "2024-03-01T00:00:00Z", 1,
                                  "[\"CVE-2024-0001\",\"CVE-2024-0002\"]", "[\"acme_widget\"]")),
                     VG_UPSTREAM_UPDATED);
    /* one reference, two sources: get gives the first imported */
    assert_int_equal(uput(a, urec("BSI", R1, "Other", "2025-01-01T00:00:00Z", 1, "[]", "[]")),
                     VG_UPSTREAM_IMPORTED);
    assert_int_equal(vg_store_upstream_get(b, R1, &g), 0);
    assert_string_equal(str(g, "source"), "CERT-FR");
    json_decref(g);
    assert_int_equal(vg_store_upstream_get(b, "nope", &g), VG_ENOENT);
    assert_int_equal(uput(a, urec("BSI", "WID-SEC-2024-0002",
                                  "\xc3\x89"
                                  "cole cisco",
                                  "2024-05-01T00:00:00Z", 1, "[\"CVE-2024-0002\"]", "[]")),
                     VG_UPSTREAM_IMPORTED);
    assert_int_equal(be_scalar(be, "SELECT count(*) FROM audit WHERE action LIKE "
                                   "'upstream.%'"),
                     5);

    /* lists and filters */
    assert_string_equal(refs(b, "{}"),
                        "CERTFR-2024-AVI-0001 CERTFR-2024-AVI-0001 WID-SEC-2024-0002");
    assert_string_equal(refs(b, "{\"source\":\"BSI\"}"), "CERTFR-2024-AVI-0001 WID-SEC-2024-0002");
    assert_string_equal(refs(b, "{\"cve\":\"CVE-2024-0002\"}"),
                        "CERTFR-2024-AVI-0001 WID-SEC-2024-0002");
    assert_string_equal(refs(b, "{\"cve\":\"CVE-2024-0003\"}"), "");
    assert_string_equal(refs(b, "{\"q\":\"wIRE\"}"), "CERTFR-2024-AVI-0001");
    assert_string_equal(refs(b, "{\"q\":\"wid-sec\"}"), "WID-SEC-2024-0002");
    assert_string_equal(refs(b, "{\"q\":\"\xc3\x89"
                                "COLE\"}"),
                        "WID-SEC-2024-0002");
    assert_string_equal(refs(b, "{\"q\":\"\xc3\xa9"
                                "cole\"}"),
                        ""); /* É is not é */
    assert_string_equal(refs(b, "{\"q\":\"\"}"),
                        "CERTFR-2024-AVI-0001 CERTFR-2024-AVI-0001 WID-SEC-2024-0002");
    struct vg_page pg = {.limit = 2};
    json_t *l = NULL;
    assert_int_equal(vg_store_upstream_list(b, NULL, &pg, &l, &d), 0);
    json_t *first = json_array_get(json_object_get(l, "items"), 0);
    assert_string_equal(str(first, "title"), "Wireshark flaws");
    assert_int_equal(json_array_size(json_object_get(first, "cves")), 2);
    assert_true(json_is_string(json_object_get(l, "next_cursor")));
    char cursor[32];
    snprintf(cursor, sizeof cursor, "%s", str(l, "next_cursor"));
    json_decref(l);
    pg.cursor = cursor;
    assert_int_equal(vg_store_upstream_list(b, NULL, &pg, &l, &d), 0);
    assert_int_equal(json_array_size(json_object_get(l, "items")), 1);
    assert_true(json_is_null(json_object_get(l, "next_cursor")));
    json_decref(l);
    pg.cursor = "?";
    assert_int_equal(vg_store_upstream_list(b, NULL, &pg, &l, &d), VG_EINVAL);

    /* organisations: 1 by findings on both CVEs, 2 by a finding and a product, 3 by products
     * (one without a key), 4 by nothing */
    be_sql(be, "INSERT INTO org(id, name, kind, sector, assets, contacts, created, updated) "
               "VALUES (1, 'Org One', 'ministry', 'government', "
               "'{\"cidrs\":[],\"domains\":[],\"products\":[]}', '[]', 't', 't'), "
               "(2, 'Org Two', 'ministry', 'government', "
               "'{\"cidrs\":[],\"domains\":[],\"products\":[]}', '[]', 't', 't'), "
               "(3, 'Org Three', 'ministry', 'government', "
               "'{\"cidrs\":[],\"domains\":[],\"products\":[]}', '[]', 't', 't'), "
               "(4, 'Org Four', 'ministry', 'government', "
               "'{\"cidrs\":[],\"domains\":[],\"products\":[]}', '[]', 't', 't')");
    be_sql(be, "INSERT INTO vuln(key, cve) VALUES (11, 'CVE-2024-0001'), "
               "(12, 'CVE-2024-0002'), (13, 'CVE-2024-0009')");
    be_sql(be, "INSERT INTO asset(id, cpe) VALUES (1, 'cpe:2.3:a:x:y:1:*:*:*:*:*:*:*')");
    be_sql(be, "INSERT INTO finding(org_id, asset_id, key, first_seen) VALUES "
               "(1, 1, 12, 't'), (1, 1, 11, 't'), (2, 1, 12, 't'), (4, 1, 13, 't')");
    be_sql(be, "INSERT INTO org_product(name_key, org_id, cpe) VALUES "
               "('acme_widget', 3, 'cpe:2.3:a:acme:widget:2:*:*:*:*:*:*:*'), "
               "('acme_widget', 3, 'cpe:2.3:a:acme:widget:1:*:*:*:*:*:*:*'), "
               "('acme_widget', 2, 'cpe:2.3:a:acme:widget:1:*:*:*:*:*:*:*'), "
               "('', 4, 'cpe:2.3:a:acme:*:*:*:*:*:*:*:*:*')");
    assert_string_equal(refs(b, "{\"org\":1}"), "CERTFR-2024-AVI-0001 WID-SEC-2024-0002");
    assert_string_equal(refs(b, "{\"org\":3}"), "CERTFR-2024-AVI-0001");
    assert_string_equal(refs(b, "{\"org\":4}"), "");
    assert_string_equal(refs(b, "{\"org\":2,\"cve\":\"CVE-2024-0001\"}"), "CERTFR-2024-AVI-0001");
    assert_string_equal(refs(b, "{\"org\":2,\"source\":\"BSI\"}"), "WID-SEC-2024-0002");
    json_t *cons = NULL;
    assert_int_equal(vg_store_upstream_constituents(b, R1, &cons), 0);
    want = json_loads("[{\"org\":1,\"name\":\"Org One\",\"why\":\"finding\","
                      "\"cves\":[\"CVE-2024-0001\",\"CVE-2024-0002\"]},"
                      "{\"org\":2,\"name\":\"Org Two\",\"why\":\"finding\","
                      "\"cves\":[\"CVE-2024-0002\"]},"
                      "{\"org\":2,\"name\":\"Org Two\",\"why\":\"product\","
                      "\"products\":[\"cpe:2.3:a:acme:widget:1:*:*:*:*:*:*:*\"]},"
                      "{\"org\":3,\"name\":\"Org Three\",\"why\":\"product\","
                      "\"products\":[\"cpe:2.3:a:acme:widget:1:*:*:*:*:*:*:*\","
                      "\"cpe:2.3:a:acme:widget:2:*:*:*:*:*:*:*\"]}]",
                      0, NULL);
    if (!json_equal(cons, want)) {
        char *got = vg_json_dump(cons);
        fail_msg("constituents: %s", got);
    }
    json_decref(want);
    json_decref(cons);
    assert_int_equal(vg_store_upstream_constituents(b, "WID-SEC-2024-0002", &cons), 0);
    assert_int_equal(json_array_size(cons), 2);
    json_decref(cons);
    assert_int_equal(vg_store_upstream_constituents(b, "nope", &cons), VG_ENOENT);
}

static void upstream_on_sqlite(void **state)
{
    (void)state;
    run_on(false, upstream_body);
}

static void upstream_on_pg(void **state)
{
    (void)state;
    run_on(true, upstream_body);
}

/* ---- the same random writes on both backends ---- */

struct side {
    struct vg_store *st;
    long long partners[128]; /* ids by order of creation: ids may differ between backends
                              * (PostgreSQL spends a sequence value on a failed insert, SQLite
                              * does not; the contract promises no id density), so answers are
                              * compared with each id replaced by its rank */
    int np;
    long long tokens[512];
    int nt;
    json_t *log;
    unsigned long long rng;
};

static unsigned rnd(struct side *s, unsigned n)
{
    s->rng ^= s->rng << 13;
    s->rng ^= s->rng >> 7;
    s->rng ^= s->rng << 17;
    return (unsigned)(s->rng % n);
}

static long long rank_of(const long long *ids, int n, long long id)
{
    for (int i = 0; i < n; i++)
        if (ids[i] == id)
            return i;
    return -1;
}

/* An answer made comparable: ids replaced by their rank, cursors by whether there is one (and
 * the times the store writes blanked by note). */
static void norm(struct side *s, json_t *v, const char *kind)
{
    if (json_is_array(v)) {
        size_t i;
        json_t *it;
        json_array_foreach(v, i, it)
            norm(s, it, kind);
        return;
    }
    if (!json_is_object(v))
        return;
    json_t *cur = json_object_get(v, "next_cursor");
    if (cur)
        json_object_set_new(v, "next_cursor", json_boolean(json_is_string(cur)));
    json_t *id = json_object_get(v, "id");
    const long long *ids = strcmp(kind, "partner") == 0 ? s->partners
                           : strcmp(kind, "token") == 0 ? s->tokens
                                                        : NULL;
    if (json_is_integer(id) && ids)
        json_object_set_new(v, "id",
                            json_integer(rank_of(ids, ids == s->tokens ? s->nt : s->np,
                                                 json_integer_value(id))));
    json_t *items = json_object_get(v, "items");
    if (items)
        norm(s, items, kind);
}

static void note(struct side *s, const char *op, int rc, json_t *out, const char *kind)
{
    static const char *const times[] = {"created", "updated", "imported", "revoked", NULL};
    if (out) {
        norm(s, out, kind);
        blank_times(out, times);
    }
    json_array_append_new(s->log, json_pack("[s,i,o]", op, rc, out ? out : json_null()));
}

static const char *const pnames[] = {"cert-a", "CERT-A",        "cert-b",
                                     "Cert-C", "cert-\xc3\xa9", "CERT-\xc3\x89"};
static const char *const tlps[] = {"CLEAR", "GREEN", "AMBER", "RED"};
static const char *const oids[] = {"indicator--1", "indicator--2", "malware--1", "x--\"odd\\",
                                   "note--1"};
static const char *const otypes[] = {"indicator", "indicator", "malware", "x-odd", "note"};
static const char *const cves[] = {"CVE-2024-0001", "CVE-2024-0002", "CVE-2024-0003",
                                   "CVE-2024-0004"};

static void random_write(struct side *s, int step)
{
    struct vg_store *st = s->st;
    struct vg_diag d = {0};
    json_t *out = NULL;
    int rc;
    switch (rnd(s, 10)) {
    case 0: {
        json_t *in = partner_in(pnames[rnd(s, 6)], tlps[rnd(s, 4)]);
        rc = vg_store_partner_create(st, &who, in, &out, &d);
        if (rc == 0 && s->np < 128)
            s->partners[s->np++] = num(out, "id");
        note(s, "partner.create", rc, rc ? NULL : out, "partner");
        json_decref(in);
        break;
    }
    case 1: {
        unsigned k = rnd(s, (unsigned)s->np + 1);
        long long id = (int)k < s->np ? s->partners[k] : 999999;
        json_t *patch;
        switch (rnd(s, 4)) {
        case 0: patch = json_pack("{s:s}", "name", pnames[rnd(s, 6)]); break;
        case 1: patch = json_pack("{s:s}", "max_tlp", tlps[rnd(s, 4)]); break;
        case 2: patch = json_pack("{s:b}", "disabled", (int)rnd(s, 2)); break;
        default: patch = json_pack("{s:s}", "country", rnd(s, 2) ? "DE" : "IT"); break;
        }
        rc = vg_store_partner_update(st, &who, id, patch, &out, &d);
        note(s, "partner.update", rc, rc ? NULL : out, "partner");
        json_decref(patch);
        break;
    }
    case 2: {
        unsigned k = rnd(s, (unsigned)s->np + 1);
        long long id = (int)k < s->np ? s->partners[k] : 999999;
        unsigned char h[32] = {0x70, (unsigned char)rnd(s, 40)}; /* sometimes met before */
        rc = vg_store_partner_token_add(st, &who, id, h, rnd(s, 2) ? "l" : NULL, &out, &d);
        if (rc == 0 && s->nt < 512)
            s->tokens[s->nt++] = num(out, "id");
        note(s, "token.add", rc, rc ? NULL : out, "token");
        break;
    }
    case 3: {
        unsigned k = rnd(s, (unsigned)s->nt + 1), j = rnd(s, (unsigned)s->np + 1);
        long long id = (int)k < s->nt ? s->tokens[k] : 999999;
        long long pid = (int)j < s->np ? s->partners[j] : 999999;
        json_t *tl = NULL;
        /* mostly its own partner */
        if (rnd(s, 3) && (int)k < s->nt) {
            for (int i = 0; i < s->np; i++) {
                assert_int_equal(vg_store_partner_token_list(st, s->partners[i], &tl), 0);
                size_t x;
                json_t *t;
                json_array_foreach(tl, x, t)
                    if (num(t, "id") == id)
                        pid = s->partners[i];
                json_decref(tl);
            }
        }
        rc = vg_store_partner_token_revoke(st, &who, pid, id, &d);
        note(s, "token.revoke", rc, NULL, "");
        break;
    }
    case 4: {
        unsigned k = rnd(s, (unsigned)s->nt + 1);
        char when[32];
        snprintf(when, sizeof when, "2026-01-%02uT00:00:00Z", 1 + rnd(s, 28));
        rc = vg_store_partner_token_touch(st, (int)k < s->nt ? s->tokens[k] : 999999, when, &d);
        note(s, "token.touch", rc, NULL, "");
        break;
    }
    case 5: {
        unsigned char h[32] = {0x70, (unsigned char)rnd(s, 40)};
        struct vg_actor as;
        struct vg_token_meta meta;
        rc = vg_store_partner_token_lookup(st, h, &as, &meta);
        note(s, "token.lookup", rc,
             rc ? NULL
                : json_pack("{s:I,s:s,s:s,s:I,s:s,s:s}", "partner",
                            (json_int_t)rank_of(s->partners, s->np, as.partner_id), "name", as.name,
                            "role", as.role, "token",
                            (json_int_t)rank_of(s->tokens, s->nt, meta.id), "kind", meta.kind,
                            "last_used", meta.last_used),
             "");
        break;
    }
    case 6:
    case 7: {
        unsigned c = rnd(s, 9), k = rnd(s, 5);
        char version[16], obj[64];
        long long vus = 1 + rnd(s, 4);
        snprintf(version, sizeof version, "v%lld", vus);
        snprintf(obj, sizeof obj, "{\"k\":%u,\"v\":%lld,\"s\":\"\\u00e9\"}", k, vus);
        struct vg_taxii_new o = {.id = oids[k],
                                 .type = otypes[k],
                                 .spec_version = k == 3 ? "2.0" : "2.1",
                                 .version = version,
                                 .version_us = vus,
                                 .tlp = (int)rnd(s, 3),
                                 .source = "partner:1",
                                 .object = obj,
                                 .object_len = strlen(obj)};
        long long added = 0;
        bool dup = false;
        rc = vg_store_taxii_obj_add(st,
                                    c == 0  ? "nope"
                                    : c < 5 ? C1
                                            : C2,
                                    1000000 + step * 10 - (long long)rnd(s, 40), &o, &added, &dup,
                                    &d);
        note(s, "obj.add", rc, json_pack("{s:I,s:b}", "added", (json_int_t)added, "dup", dup), "");
        break;
    }
    case 8:
        if (rnd(s, 4) == 0) {
            struct vg_taxii_query q = {.coll = rnd(s, 2) ? C1 : C2, .after = -1};
            const char *ids[1] = {oids[rnd(s, 5)]};
            if (rnd(s, 2)) {
                q.ids = ids;
                q.n_ids = 1;
            }
            q.versions = 1u << rnd(s, 3);
            long long deleted = -1;
            rc = vg_store_taxii_obj_delete(st, &who, &q, &deleted, &d);
            note(s, "obj.delete", rc, json_integer(deleted), "");
        } else {
            char id[32];
            snprintf(id, sizeof id, "status-%u", rnd(s, 30));
            json_t *status = json_pack("{s:s,s:i}", "id", id, "n", step);
            rc = vg_store_taxii_status_put(st, id, rnd(s, 3), status, &d);
            note(s, "status.put", rc, NULL, "");
            json_decref(status);
        }
        break;
    default: {
        char ref[32], last[32];
        snprintf(ref, sizeof ref, "REF-%u", rnd(s, 4));
        snprintf(last, sizeof last, "2024-0%u-01T00:00:00Z", 1 + rnd(s, 3));
        json_t *cl = json_array(), *pl = json_array();
        for (unsigned i = rnd(s, 4); i > 0; i--)
            json_array_append_new(cl, json_string(cves[rnd(s, 4)]));
        for (unsigned i = rnd(s, 3); i > 0; i--)
            json_array_append_new(pl, json_string(rnd(s, 2) ? "acme_widget" : "x_y"));
        json_t *r = json_pack("{s:s,s:s,s:s,s:s,s:s,s:i,s:n,s:o,s:o,s:{s:i}}", "source",
                              rnd(s, 2) ? "CERT-FR" : "BSI", "ref", ref, "title",
                              rnd(s, 2) ? "Wire flaw" : "other", "kind", "avis", "last_date", last,
                              "revisions", 1 + (int)rnd(s, 3), "closed_at", "cves", cl, "products",
                              pl, "document", "step", step);
        int result = -1;
        rc = vg_store_upstream_put(st, &who, r, &result, &d);
        note(s, "upstream.put", rc, json_integer(result), "");
        json_decref(r);
        break;
    }
    }
}

/* Every read of the three domains, into the log. */
static void read_all(struct side *s)
{
    struct vg_store *st = s->st;
    struct vg_diag d = {0};
    json_t *out = NULL;
    char cursor[32] = "";
    for (;;) {
        struct vg_page pg = {.limit = 3, .cursor = cursor[0] ? cursor : NULL};
        assert_int_equal(vg_store_partner_list(st, &pg, &out, &d), 0);
        const char *next = str(out, "next_cursor");
        snprintf(cursor, sizeof cursor, "%s", next ? next : "");
        note(s, "partner.list", 0, out, "partner");
        if (!cursor[0])
            break;
    }
    for (int i = 0; i < s->np; i++) {
        assert_int_equal(vg_store_partner_token_list(st, s->partners[i], &out), 0);
        note(s, "token.list", 0, out, "token");
        assert_int_equal(vg_store_partner_get(st, s->partners[i], &out), 0);
        note(s, "partner.get", 0, out, "partner");
    }
    assert_int_equal(vg_store_taxii_coll_list(st, &out), 0);
    note(s, "coll.list", 0, out, "");
    static const unsigned versions[] = {0, VG_TAXII_V_FIRST, VG_TAXII_V_ALL,
                                        VG_TAXII_V_FIRST | VG_TAXII_V_LAST};
    for (int c = 0; c < 2; c++)
        for (int v = 0; v < 4; v++)
            for (int f = 0; f < 3; f++) {
                struct vg_taxii_query q = {.coll = c ? C2 : C1, .after = -1, .limit = 3};
                q.versions = versions[v];
                const char *ids[] = {"indicator--1", "x--\"odd\\"};
                const char *types[] = {"malware", "x-odd", "note"};
                if (f == 1) {
                    q.ids = ids;
                    q.n_ids = 2;
                }
                if (f == 2) {
                    q.types = types;
                    q.n_types = 3;
                }
                bool more = true;
                while (more) {
                    json_t *rows = json_array();
                    assert_int_equal(vg_store_taxii_obj_query(st, &q, collect, rows, &more), 0);
                    json_t *lastrow = json_array_get(rows, json_array_size(rows) - 1);
                    if (lastrow)
                        q.after = num(lastrow, "added");
                    note(s, "obj.query", 0, json_pack("{s:o,s:b}", "rows", rows, "more", more), "");
                }
            }
    for (int i = 0; i < 30; i++) {
        char id[32];
        snprintf(id, sizeof id, "status-%d", i);
        long long poster = -1;
        int rc = vg_store_taxii_status_get(st, id, &poster, &out);
        note(s, "status.get", rc,
             rc ? NULL : json_pack("{s:I,s:o}", "poster", (json_int_t)poster, "status", out), "");
    }
    static const char *const filters[] = {"{}", "{\"source\":\"BSI\"}",
                                          "{\"cve\":\"CVE-2024-0002\"}", "{\"q\":\"WIRE\"}",
                                          "{\"q\":\"ref-1\"}"};
    for (int i = 0; i < 5; i++) {
        json_t *flt = json_loads(filters[i], 0, NULL);
        cursor[0] = '\0';
        for (;;) {
            struct vg_page pg = {.limit = 2, .cursor = cursor[0] ? cursor : NULL};
            assert_int_equal(vg_store_upstream_list(st, flt, &pg, &out, &d), 0);
            const char *next = str(out, "next_cursor");
            snprintf(cursor, sizeof cursor, "%s", next ? next : "");
            note(s, "upstream.list", 0, out, "");
            if (!cursor[0])
                break;
        }
        json_decref(flt);
    }
    for (int i = 0; i < 5; i++) {
        char ref[32];
        snprintf(ref, sizeof ref, "REF-%d", i);
        int rc = vg_store_upstream_get(st, ref, &out);
        note(s, "upstream.get", rc, rc ? NULL : out, "");
        rc = vg_store_upstream_constituents(st, ref, &out);
        note(s, "upstream.constituents", rc, rc ? NULL : out, "");
    }
}

static json_t *random_run(struct vg_store *st, unsigned long long seed, int steps)
{
    struct side s = {.st = st, .log = json_array(), .rng = seed};
    struct vg_diag d = {0};
    json_t *c = json_pack("{s:s,s:s,s:s,s:[]}", "id", C1, "title", "One", "readers", "all",
                          "writers"),
           *out = NULL;
    assert_int_equal(vg_store_taxii_coll_create(st, &who, c, &out, &d), 0);
    json_decref(out);
    json_object_set_new(c, "id", json_string(C2));
    assert_int_equal(vg_store_taxii_coll_create(st, &who, c, &out, &d), 0);
    json_decref(out);
    json_decref(c);
    for (int i = 0; i < steps; i++)
        random_write(&s, i);
    read_all(&s);
    return s.log;
}

static void random_same_answers(void **state)
{
    (void)state;
    unsigned seed = (unsigned)time(NULL);
    const char *env = getenv("VG_SEED");
    if (env && *env)
        seed = (unsigned)strtoul(env, NULL, 10);
    if (!seed)
        seed = 1;
    printf("random_same_answers: seed %u (VG_SEED=%u to replay)\n", seed, seed);
    struct backend bs, bp;
    be_open(&bs, false);
    be_open(&bp, true);
    json_t *ls = random_run(bs.a, seed, 600);
    json_t *lp = random_run(bp.a, seed, 600);
    size_t n = json_array_size(ls);
    assert_true(n > 600);
    traces_equal(ls, lp, seed);
    /* the sequence did something: successes and failures of each kind */
    int ok = 0, failed = 0;
    size_t i;
    json_t *e;
    json_array_foreach(ls, i, e) {
        if (json_integer_value(json_array_get(e, 1)) == 0)
            ok++;
        else
            failed++;
    }
    assert_true(ok > 100);
    assert_true(failed > 10);
    json_decref(ls);
    json_decref(lp);
    be_close(&bs);
    be_close(&bp);
}

/* ---- several servers on one PostgreSQL database ---- */

struct racer {
    const char *uri;
    int n;
    int rc; /* the first failure, 0 if none */
    long long added[200];
    int results[4];                                           /* vg_upstream_result counts */
    int (*step)(struct vg_store *st, struct racer *r, int i); /* what it does, n times */
};

/* Adds object i to C1 with the same clock for all: every add after the first must move past
 * the last one. */
static int add_one(struct vg_store *st, struct racer *r, int i)
{
    char id[48];
    snprintf(id, sizeof id, "indicator--%p-%d", (void *)r, i);
    struct vg_taxii_new o = {.id = id,
                             .type = "indicator",
                             .spec_version = "2.1",
                             .version = "v1",
                             .version_us = 1,
                             .source = "partner:1",
                             .object = "{}",
                             .object_len = 2};
    bool dup;
    struct vg_diag d = {0};
    return vg_store_taxii_obj_add(st, C1, 1000, &o, &r->added[i], &dup, &d);
}

/* Imports publication RACE-i (its revisions alternate: the same on every server). */
static int put_one(struct vg_store *st, struct racer *r, int i)
{
    char ref[32];
    snprintf(ref, sizeof ref, "RACE-%d", i);
    json_t *rec = urec("CERT-FR", ref, "race", "2024-01-01T00:00:00Z", 1 + (i % 2),
                       "[\"CVE-2024-0001\"]", "[]");
    int result = -1;
    struct vg_diag d = {0};
    int rc = vg_store_upstream_put(st, &who, rec, &result, &d);
    json_decref(rec);
    if (!rc && result >= 0 && result < 4)
        r->results[result]++;
    return rc;
}

/* A server of its own (a connection) running r->step n times. */
static void *race(void *arg)
{
    struct racer *r = arg;
    struct vg_diag d = {0};
    struct vg_store *st = vg_store_open_partial(r->uri, NULL, &d);
    if (!st) {
        r->rc = VG_EIO;
        return NULL;
    }
    for (int i = 0; i < r->n && !r->rc; i++)
        r->rc = r->step(st, r, i);
    vg_store_close(st);
    return NULL;
}

/* Two servers adding to one collection at once: every add succeeds and date_added stays
 * unique; two servers importing the same publications at once: each imported once. */
static void two_servers_race(void **state)
{
    (void)state;
    struct backend be;
    be_open(&be, true);
    struct vg_diag d = {0};
    json_t *c = json_pack("{s:s,s:s,s:s,s:[]}", "id", C1, "title", "One", "readers", "all",
                          "writers"),
           *out = NULL;
    assert_int_equal(vg_store_taxii_coll_create(be.a, &who, c, &out, &d), 0);
    json_decref(out);
    json_decref(c);
    struct racer r[2] = {{.uri = be.path, .n = 200, .step = add_one},
                         {.uri = be.path, .n = 200, .step = add_one}};
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&t[i], NULL, race, &r[i]), 0);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(r[i].rc, 0);
        for (int k = 1; k < 200; k++)
            assert_true(r[i].added[k] > r[i].added[k - 1]);
    }
    assert_int_equal(pg_scalar_on(be.other, "SELECT count(DISTINCT added) FROM taxii_object"), 400);
    assert_int_equal(pg_scalar_on(be.other, "SELECT max(added) - min(added) FROM taxii_object"),
                     399);

    struct racer u[2] = {{.uri = be.path, .n = 40, .step = put_one},
                         {.uri = be.path, .n = 40, .step = put_one}};
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&t[i], NULL, race, &u[i]), 0);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    assert_int_equal(u[0].rc, 0);
    assert_int_equal(u[1].rc, 0);
    assert_int_equal(u[0].results[VG_UPSTREAM_IMPORTED] + u[1].results[VG_UPSTREAM_IMPORTED], 40);
    assert_int_equal(u[0].results[VG_UPSTREAM_UNCHANGED] + u[1].results[VG_UPSTREAM_UNCHANGED], 40);
    assert_int_equal(pg_scalar_on(be.other, "SELECT count(*) FROM upstream_advisory"), 40);
    assert_int_equal(pg_scalar_on(be.other, "SELECT count(*) FROM upstream_cve"), 40);
    be_close(&be);
}

/* The server stopped: a token lookup is a store failure (VG_EIO, the server answers 500), never
 * an unknown token; started again, the same connection finds it without being reopened. Last
 * in the binary: the cluster goes down for a moment. */
static void lookup_while_server_down(void **state)
{
    (void)state;
    struct backend be;
    be_open(&be, true);
    struct vg_diag d = {0};
    json_t *in = partner_in("cert-a", "GREEN"), *out = NULL;
    assert_int_equal(vg_store_partner_create(be.a, &who, in, &out, &d), 0);
    long long pa = num(out, "id");
    json_decref(out);
    json_decref(in);
    unsigned char h[32] = {0x5a};
    assert_int_equal(vg_store_partner_token_add(be.a, &who, pa, h, "x", &out, &d), 0);
    json_decref(out);
    struct vg_actor as;
    struct vg_token_meta meta;
    assert_int_equal(vg_store_partner_token_lookup(be.b, h, &as, &meta), 0);
    pg_cluster_ctl("stop");
    assert_int_equal(vg_store_partner_token_lookup(be.b, h, &as, &meta), VG_EIO);
    pg_cluster_ctl("restart"); /* starts it with the options it had */
    assert_int_equal(vg_store_partner_token_lookup(be.b, h, &as, &meta), 0);
    assert_int_equal(as.partner_id, pa);
    PQreset(be.other);
    be_close(&be);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(partners_on_sqlite),       cmocka_unit_test(partners_on_pg),
        cmocka_unit_test(taxii_on_sqlite),          cmocka_unit_test(taxii_on_pg),
        cmocka_unit_test(upstream_on_sqlite),       cmocka_unit_test(upstream_on_pg),
        cmocka_unit_test(random_same_answers),      cmocka_unit_test(two_servers_race),
        cmocka_unit_test(lookup_while_server_down),
    };
    return cmocka_run_group_tests(tests, pg_cluster_start, pg_cluster_stop);
}
