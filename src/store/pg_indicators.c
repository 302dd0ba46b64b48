/* PostgreSQL backend: indicators of compromise (idempotent import), their sightings and the
 * alerts raised from sightings, and escalation of an alert into an incident (store/indicator.h,
 * as sqlite_indicators.c and sqlite_indicator_import.c).
 *
 * Imports go by chunks of up to IMPORT_CHUNK records: one INSERT ... SELECT FROM unnest(arrays)
 * ... ON CONFLICT DO NOTHING RETURNING adds the new ones, one SELECT reads the existing ones
 * back, core's rule merges them in C, and one UPDATE ... FROM unnest(arrays) writes those that
 * changed: three statements per chunk rather than one per record. The arrays travel as
 * parameters (array literals, each element quoted), never in the SQL. A large import (from
 * IMPORT_COPY_MIN records) is cut into chunks only where a record repeats, and each chunk's
 * records go by one COPY into a temporary table (pg_copy.c) from which one INSERT ... SELECT
 * ... ON CONFLICT DO NOTHING adds the new ones; the merge of the others is the same.
 *
 * The version (vg_store_indicator_version) must see other processes' imports: every import
 * that adds or changes an indicator increments the row "indicator.gen" of the counter table
 * in its own transaction, so that the counter and the indicators commit together; a server
 * reads that one row (its primary key) per request: it changes exactly when another process's
 * (or this connection's) import committed, and a reader that sees the new value also sees the
 * new indicators. The next expiry is kept per connection, as on SQLite.
 *
 * Sightings go by chunks too (two statements: the sightings, then their alerts grouped by
 * indicator, organisation and day); a chunk that names a missing indicator or organisation is
 * rolled back and the write done again one sighting at a time, to name the first such one. */
#include "store/pg_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/escalate.h"
#include "core/incident.h"
#include "core/indicator.h"
#include "store/row_int.h"
#include "util/buf.h"
#include "util/hash.h"
#include "util/json.h"
#include "util/mem.h"
#include "util/time.h"

#define IMPORT_CHUNK    1000
/* records of an import from which its chunks are as large as its repeated records allow, and
 * of a chunk from which its new records go by COPY (copy_insert) */
#define IMPORT_COPY_MIN 2000
#define EACH_PAGE       1000
#define RETRY_ONE_BY_ONE                                                                           \
    1 /* sightings_write: a bulk write met a missing indicator or organisation */

static json_t *indicator_row(const PGresult *r, int i)
{
    struct vg_row w = vg_row_pg(r, i);
    return st_indicator(&w);
}

static int pg_indicator_get(struct vg_store *st, long long id, json_t **out)
{
    struct pg *p = pg_of(st);
    struct pg_params pp = {0};
    pg_param_int(&pp, id);
    PGresult *r = pg_run(p, ST_IND_SELECT "WHERE id = $1", &pp);
    if (!r)
        return VG_EIO;
    int rc = VG_ENOENT;
    if (PQntuples(r) == 1) {
        *out = indicator_row(r, 0);
        rc = *out ? 0 : VG_ENOMEM;
    }
    PQclear(r);
    return rc;
}

static int pg_indicator_list(struct vg_store *st, const json_t *filters, const struct vg_page *page,
                             json_t **out, struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    long long after;
    if (sq_cursor_read(page->cursor, &after, d))
        return VG_EINVAL;
    const char *value = vg_json_str(filters, "value");
    struct pg_params pp = {0};
    pg_param_int(&pp, after);
    pg_param_text(&pp, vg_json_str(filters, "type"));
    pg_param_text(&pp, vg_json_str(filters, "source"));
    pg_param_int(&pp, page->limit + 1);
    pg_param_text(&pp, value);
    /* a value (with its type) is one row of the (type, value) index, not a scan */
    PGresult *r =
        value ? pg_run(p,
                       ST_IND_SELECT "WHERE id > $1::bigint AND type = $2 AND value = $5 "
                                     "AND ($3::text IS NULL OR source = $3) ORDER BY id LIMIT $4",
                       &pp)
              : pg_run(p,
                       ST_IND_SELECT "WHERE id > $1::bigint AND ($2::text IS NULL OR type = $2) "
                                     "AND ($3::text IS NULL OR source = $3) "
                                     "AND $5::text IS NULL ORDER BY id LIMIT $4",
                       &pp);
    if (!r)
        return pg_error(p, d);
    *out = pg_page(r, page->limit, indicator_row);
    PQclear(r);
    return 0;
}

/* By pages of EACH_PAGE in id order (ids only grow and no indicator is deleted: every one
 * stored when the walk begins is given), so that a million indicators are not held at once. */
static int pg_indicator_each(struct vg_store *st, const char *now,
                             int (*fn)(void *ctx, long long id, const char *type,
                                       const char *value),
                             void *ctx)
{
    struct pg *p = pg_of(st);
    long long after = 0;
    for (;;) {
        struct pg_params pp = {0};
        pg_param_text(&pp, now);
        pg_param_int(&pp, after);
        pg_param_int(&pp, EACH_PAGE);
        PGresult *r = pg_run(p,
                             "SELECT id, type, value FROM indicator WHERE id > $2 AND "
                             "($1::text IS NULL OR expires IS NULL OR expires > $1) "
                             "ORDER BY id LIMIT $3",
                             &pp);
        if (!r)
            return VG_EIO;
        int rc = 0, n = PQntuples(r);
        for (int i = 0; rc == 0 && i < n; i++) {
            after = pg_get_int(r, i, 0);
            rc = fn(ctx, after, pg_get_text(r, i, 1), pg_get_text(r, i, 2));
        }
        PQclear(r);
        if (rc || n < EACH_PAGE)
            return rc;
    }
}

/* The version is "G|E": G, the counter the imports increment (see the top of this file); E,
 * the expiries passed, counted by this connection. The next expiry is looked up (one scan)
 * only when G changed or when it passes. */
static int pg_indicator_version(struct vg_store *st, const char *now, char *out, size_t cap)
{
    struct pg *p = pg_of(st);
    PGresult *r = pg_run(p,
                         "SELECT coalesce((SELECT value FROM counter "
                         "WHERE name = 'indicator.gen'), 0)",
                         NULL);
    if (!r)
        return VG_EIO;
    long long g = pg_get_int(r, 0, 0);
    PQclear(r);
    bool changed = !p->ind_checked || g != p->ind_gen_seen;
    bool expired = p->ind_next_expiry[0] && now && strcmp(now, p->ind_next_expiry) >= 0;
    if (changed || expired) {
        struct pg_params pp = {0};
        pg_param_text(&pp, now);
        r = pg_run(p, "SELECT min(expires) FROM indicator WHERE expires > $1", &pp);
        if (!r)
            return VG_EIO;
        snprintf(p->ind_next_expiry, sizeof p->ind_next_expiry, "%s", pg_get_text(r, 0, 0));
        PQclear(r);
        if (expired)
            p->ind_epoch++;
        p->ind_gen_seen = g;
        p->ind_checked = true;
    }
    snprintf(out, cap, "%lld|%llu", g, p->ind_epoch);
    return 0;
}

/* ---- import ---- */

/* Appends v to the array literal being built in b (NULL: NULL), each element quoted. */
static void arr_add(struct vg_buf *b, const char *v)
{
    vg_buf_putc(b, b->len ? ',' : '{');
    if (!v) {
        vg_buf_puts(b, "NULL");
        return;
    }
    vg_buf_putc(b, '"');
    for (const char *c = v; *c; c++) {
        if (*c == '"' || *c == '\\')
            vg_buf_putc(b, '\\');
        vg_buf_putc(b, *c);
    }
    vg_buf_putc(b, '"');
}

static void arr_int(struct vg_buf *b, long long v)
{
    char n[24];
    snprintf(n, sizeof n, "%lld", v);
    arr_add(b, n);
}

/* The array literal of b: "{}" when empty. */
static const char *arr_end(struct vg_buf *b)
{
    if (!b->len)
        vg_buf_putc(b, '{');
    vg_buf_putc(b, '}');
    return b->data;
}

#define NCOLS 9

struct cols {
    struct vg_buf b[NCOLS];
};

static void cols_init(struct cols *c)
{
    for (int i = 0; i < NCOLS; i++)
        vg_buf_init(&c->b[i], (size_t)1 << 30);
}

static void cols_reset(struct cols *c)
{
    for (int i = 0; i < NCOLS; i++)
        vg_buf_reset(&c->b[i]);
}

static void cols_cleanup(struct cols *c)
{
    for (int i = 0; i < NCOLS; i++)
        vg_buf_cleanup(&c->b[i]);
}

static bool cols_failed(struct cols *c)
{
    for (int i = 0; i < NCOLS; i++)
        if (c->b[i].failed)
            return true;
    return false;
}

/* Whether two optional texts are equal (NULL equals NULL only). */
static bool same(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

/* A column as text, or NULL when it is NULL. */
static const char *col_or_null(const PGresult *r, int i, int c)
{
    return PQgetisnull(r, i, c) ? NULL : PQgetvalue(r, i, c);
}

/* The key of a record in a chunk's map: type, NUL, value. */
static long key_put(struct vg_strmap *m, struct vg_buf *k, const char *type, const char *value,
                    uint32_t val, bool *added)
{
    vg_buf_reset(k);
    vg_buf_puts(k, type);
    vg_buf_putc(k, '\0');
    vg_buf_puts(k, value);
    if (k->failed)
        return -1;
    return vg_strmap_put(m, k->data, k->len, val, added);
}

static long key_find(struct vg_strmap *m, struct vg_buf *k, const char *type, const char *value)
{
    vg_buf_reset(k);
    vg_buf_puts(k, type);
    vg_buf_putc(k, '\0');
    vg_buf_puts(k, value);
    if (k->failed)
        return -1;
    return vg_strmap_find(m, k->data, k->len);
}

/* The state of an import: its arrays, the chunk's keys, what each record became. */
struct imp {
    struct pg *p;
    const char *now;
    struct cols c;
    struct vg_buf key;
    struct vg_strmap m; /* the chunk's keys -> index in the chunk */
    signed char *state; /* per record of the chunk: -1 unknown, 0 added, 1 updated, 2 unchanged */
    long long *ids;     /* per record of the chunk */
    size_t counts[3];
    size_t chunk_max; /* records of a chunk at most: IMPORT_CHUNK, or all of a large import */
};

/* Marks the records of the rows r returns (id, type, value) as added, with their ids; clears
 * r. 0, VG_EIO (r NULL: the statement failed) or VG_ENOMEM. */
static int mark_added(struct imp *im, PGresult *r)
{
    if (!r)
        return VG_EIO;
    int rc = 0;
    for (int i = 0; rc == 0 && i < PQntuples(r); i++) {
        long e = key_find(&im->m, &im->key, pg_get_text(r, i, 1), pg_get_text(r, i, 2));
        if (e < 0) {
            rc = VG_ENOMEM;
            break;
        }
        size_t k = vg_strmap_val(&im->m, (size_t)e);
        im->state[k] = 0;
        im->ids[k] = pg_get_int(r, i, 0);
    }
    PQclear(r);
    return rc;
}

/* chunk_insert for a large chunk: the records go by one COPY into the temporary table istage,
 * then one INSERT ... SELECT adds the new ones in input order (the ids they take are those the
 * arrays would give). */
static int copy_insert(struct imp *im, const struct vg_indicator_rec *v, size_t n)
{
    struct pg *p = im->p;
    struct pg_copy c;
    int rc = pg_copy_stage(p, &c,
                           "CREATE TEMP TABLE IF NOT EXISTS istage(ord bigint, "
                           "type text COLLATE \"C\", value text COLLATE \"C\", "
                           "tlp text COLLATE \"C\", source text COLLATE \"C\", "
                           "confidence bigint, tags text COLLATE \"C\", "
                           "first_seen text COLLATE \"C\", last_seen text COLLATE \"C\", "
                           "expires text COLLATE \"C\")",
                           "TRUNCATE istage",
                           "COPY istage(ord, type, value, tlp, source, confidence, tags, "
                           "first_seen, last_seen, expires) FROM STDIN");
    for (size_t i = 0; !rc && i < n; i++) {
        const struct vg_indicator_rec *r = &v[i];
        /* a new one: the defaults of core/indicator.h for what is not given */
        pg_copy_int(&c, (long long)i);
        pg_copy_text(&c, r->type);
        pg_copy_text(&c, r->value);
        pg_copy_text(&c, r->tlp ? r->tlp : "AMBER");
        pg_copy_text(&c, r->source ? r->source : "");
        pg_copy_int(&c, r->confidence >= 0 ? r->confidence : 50);
        pg_copy_text(&c, r->tags ? r->tags : "[]");
        pg_copy_text(&c, r->first_seen);
        pg_copy_text(&c, r->last_seen);
        pg_copy_text(&c, r->expires);
        rc = pg_copy_row(&c);
    }
    int end = pg_copy_end(&c, NULL);
    if (rc || end)
        return rc ? rc : end;
    struct pg_params pp = {0};
    pg_param_text(&pp, im->now);
    return mark_added(im, pg_run(p,
                                 "INSERT INTO indicator(type, value, tlp, source, confidence, "
                                 "tags, first_seen, last_seen, expires, created, updated) "
                                 "SELECT type, value, tlp, source, confidence, tags, first_seen, "
                                 "last_seen, expires, $1, $1 FROM istage ORDER BY ord "
                                 "ON CONFLICT (type, value) DO NOTHING RETURNING id, type, value",
                                 &pp));
}

/* Inserts the new records of v[0..n) (whose keys are distinct): their state 0 and id set. */
static int chunk_insert(struct imp *im, const struct vg_indicator_rec *v, size_t n)
{
    if (n >= IMPORT_COPY_MIN)
        return copy_insert(im, v, n);
    cols_reset(&im->c);
    struct vg_buf *b = im->c.b;
    for (size_t i = 0; i < n; i++) {
        const struct vg_indicator_rec *r = &v[i];
        /* a new one: the defaults of core/indicator.h for what is not given */
        arr_add(&b[0], r->type);
        arr_add(&b[1], r->value);
        arr_add(&b[2], r->tlp ? r->tlp : "AMBER");
        arr_add(&b[3], r->source ? r->source : "");
        arr_int(&b[4], r->confidence >= 0 ? r->confidence : 50);
        arr_add(&b[5], r->tags ? r->tags : "[]");
        arr_add(&b[6], r->first_seen);
        arr_add(&b[7], r->last_seen);
        arr_add(&b[8], r->expires);
    }
    struct pg_params pp = {0};
    for (int i = 0; i < NCOLS; i++)
        pg_param_text(&pp, arr_end(&b[i]));
    pg_param_text(&pp, im->now);
    if (cols_failed(&im->c))
        return VG_ENOMEM;
    return mark_added(im, pg_run(im->p,
                                 "INSERT INTO indicator(type, value, tlp, source, confidence, "
                                 "tags, first_seen, last_seen, expires, created, updated) "
                                 "SELECT t, v, tl, s, c, tg, fs, ls, ex, $10, $10 FROM unnest("
                                 "$1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], "
                                 "$6::text[], $7::text[], $8::text[], $9::text[]) "
                                 "AS u(t, v, tl, s, c, tg, fs, ls, ex) "
                                 "ON CONFLICT (type, value) DO NOTHING RETURNING id, type, value",
                                 &pp));
}

/* Merges the records of v[0..n) that were not added into the stored ones (core/indicator.h's
 * rule: the fields given replace, first and last seen widen): one read, one update. */
static int chunk_merge(struct imp *im, const struct vg_indicator_rec *v, size_t n)
{
    cols_reset(&im->c);
    struct vg_buf *b = im->c.b;
    size_t left = 0;
    for (size_t i = 0; i < n; i++)
        if (im->state[i] < 0) {
            arr_add(&b[0], v[i].type);
            arr_add(&b[1], v[i].value);
            left++;
        }
    if (!left)
        return 0;
    struct pg_params pp = {0};
    pg_param_text(&pp, arr_end(&b[0]));
    pg_param_text(&pp, arr_end(&b[1]));
    if (cols_failed(&im->c))
        return VG_ENOMEM;
    PGresult *r = pg_run(im->p,
                         "SELECT i.id, i.tlp, i.source, i.confidence, i.tags, i.first_seen, "
                         "i.last_seen, i.expires, i.type, i.value "
                         "FROM unnest($1::text[], $2::text[]) AS u(t, v) "
                         "JOIN indicator i ON i.type = u.t AND i.value = u.v",
                         &pp);
    if (!r)
        return VG_EIO;
    cols_reset(&im->c);
    size_t changed = 0;
    int rc = 0;
    for (int row = 0; row < PQntuples(r); row++) {
        long e = key_find(&im->m, &im->key, pg_get_text(r, row, 8), pg_get_text(r, row, 9));
        if (e < 0) {
            rc = VG_ENOMEM;
            break;
        }
        size_t k = vg_strmap_val(&im->m, (size_t)e);
        const struct vg_indicator_rec *g = &v[k];
        im->ids[k] = pg_get_int(r, row, 0);
        const char *o_tlp = pg_get_text(r, row, 1), *o_source = pg_get_text(r, row, 2);
        const char *o_tags = pg_get_text(r, row, 4);
        int o_conf = (int)pg_get_int(r, row, 3);
        const char *o_fs = col_or_null(r, row, 5), *o_ls = col_or_null(r, row, 6);
        const char *o_exp = col_or_null(r, row, 7);
        const char *tlp = g->tlp ? g->tlp : o_tlp;
        const char *source = g->source ? g->source : o_source;
        int conf = g->confidence >= 0 ? g->confidence : o_conf;
        const char *tags = g->tags ? g->tags : o_tags;
        const char *fs = vg_indicator_widen(o_fs, g->first_seen, true);
        const char *ls = vg_indicator_widen(o_ls, g->last_seen, false);
        const char *exp = g->expires ? g->expires : o_exp;
        bool ch = !same(tlp, o_tlp) || !same(source, o_source) || conf != o_conf ||
                  !same(tags, o_tags) || !same(fs, o_fs) || !same(ls, o_ls) || !same(exp, o_exp);
        im->state[k] = ch ? 1 : 2;
        if (!ch)
            continue;
        changed++;
        arr_int(&b[0], im->ids[k]);
        arr_add(&b[1], tlp);
        arr_add(&b[2], source);
        arr_int(&b[3], conf);
        arr_add(&b[4], tags);
        arr_add(&b[5], fs);
        arr_add(&b[6], ls);
        arr_add(&b[7], exp);
    }
    /* the texts are copied into the arrays: the result may go */
    PQclear(r);
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++)
        if (im->state[i] < 0) { /* neither added nor there: cannot be (no indicator is deleted) */
            snprintf(im->p->err.msg, sizeof im->p->err.msg,
                     "database error: indicator %s %s neither added nor found", v[i].type,
                     v[i].value);
            im->p->err.code = VG_EIO;
            return VG_EIO;
        }
    if (!changed)
        return 0;
    struct pg_params up = {0};
    for (int i = 0; i < 8; i++)
        pg_param_text(&up, arr_end(&b[i]));
    pg_param_text(&up, im->now);
    if (cols_failed(&im->c))
        return VG_ENOMEM;
    r = pg_run(im->p,
               "UPDATE indicator i SET tlp = u.tl, source = u.s, confidence = u.c, tags = u.tg, "
               "first_seen = u.fs, last_seen = u.ls, expires = u.ex, updated = $9 FROM unnest("
               "$1::bigint[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[], "
               "$7::text[], $8::text[]) AS u(id, tl, s, c, tg, fs, ls, ex) WHERE i.id = u.id",
               &up);
    if (!r)
        return VG_EIO;
    PQclear(r);
    return 0;
}

/* Imports v[0..n) (distinct keys, already in im->m). */
static int chunk(struct imp *im, const struct vg_indicator_rec *v, size_t n, long long *ids)
{
    for (size_t i = 0; i < n; i++) {
        im->state[i] = -1;
        im->ids[i] = 0;
    }
    int rc = chunk_insert(im, v, n);
    if (!rc)
        rc = chunk_merge(im, v, n);
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++) {
        im->counts[im->state[i]]++;
        if (ids)
            ids[i] = im->ids[i];
    }
    return 0;
}

static int import_all(struct imp *im, const struct vg_indicator_rec *v, size_t n, long long *ids)
{
    size_t start = 0;
    while (start < n) {
        /* a chunk ends before a key it already holds: a record repeated in the input is
         * merged into the one before it, as one at a time would */
        vg_strmap_cleanup(&im->m);
        vg_strmap_init(&im->m);
        size_t end = start;
        while (end < n && end - start < im->chunk_max) {
            bool added = false;
            if (key_put(&im->m, &im->key, v[end].type, v[end].value, (uint32_t)(end - start),
                        &added) < 0)
                return VG_ENOMEM;
            if (!added)
                break;
            end++;
        }
        int rc = chunk(im, v + start, end - start, ids ? ids + start : NULL);
        if (rc)
            return rc;
        start = end;
    }
    return 0;
}

static int pg_indicator_import_recs(struct vg_store *st, const struct vg_actor *who,
                                    const struct vg_indicator_rec *v, size_t n, long long *ids,
                                    struct vg_indicator_import_counts *counts, struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    char now[VG_TIME_LEN];
    vg_time_now(now);
    /* a large import goes by COPY, in chunks as large as its repeated records allow */
    struct imp im = {.p = p, .now = now, .chunk_max = n >= IMPORT_COPY_MIN ? n : IMPORT_CHUNK};
    cols_init(&im.c);
    vg_buf_init(&im.key, (size_t)1 << 30);
    vg_strmap_init(&im.m);
    im.state = vg_calloc(im.chunk_max ? im.chunk_max : 1, sizeof *im.state);
    im.ids = vg_calloc(im.chunk_max ? im.chunk_max : 1, sizeof *im.ids);
    json_t *summary = json_pack("{s:I,s:I,s:I}", "added", (json_int_t)0, "updated", (json_int_t)0,
                                "unchanged", (json_int_t)0);
    int rc = 0;
    if (!summary || !im.state || !im.ids) {
        rc = vg_diag_set(d, VG_ENOMEM, "", "out of memory");
        goto out;
    }
    if (pg_begin(p)) {
        rc = pg_error(p, d);
        goto out;
    }
    rc = import_all(&im, v, n, ids);
    if (rc == VG_ENOMEM) {
        pg_rollback(p);
        rc = vg_diag_set(d, VG_ENOMEM, "", "out of memory");
        goto out;
    }
    if (rc) {
        rc = pg_fail(p, d);
        goto out;
    }
    size_t *c = im.counts;
    json_integer_set(json_object_get(summary, "added"), (json_int_t)c[0]);
    json_integer_set(json_object_get(summary, "updated"), (json_int_t)c[1]);
    json_integer_set(json_object_get(summary, "unchanged"), (json_int_t)c[2]);
    if (c[0] || c[1]) {
        /* last: the counter's row lock is held until the commit, briefly */
        PGresult *r = NULL;
        if (pg_audit(p, who, "indicator.import", "indicators", summary) ||
            !(r = pg_run(p,
                         "INSERT INTO counter(name, value) VALUES ('indicator.gen', 1) "
                         "ON CONFLICT (name) DO UPDATE SET value = counter.value + 1",
                         NULL))) {
            rc = pg_fail(p, d);
            goto out;
        }
        PQclear(r);
    }
    if (pg_commit(p)) {
        rc = pg_fail(p, d);
        goto out;
    }
    *counts = (struct vg_indicator_import_counts){c[0], c[1], c[2]};
out:
    json_decref(summary);
    cols_cleanup(&im.c);
    vg_buf_cleanup(&im.key);
    vg_strmap_cleanup(&im.m);
    free(im.state);
    free(im.ids);
    return rc;
}

/* ---- sightings and alerts ---- */

/* Records one sighting and counts it in its alert (one per indicator, organisation and day).
 * Returns the alert id, or a negative error (the failure kept for pg_error). */
static long long record_one(struct pg *p, const struct vg_sighting *sg, const char *now)
{
    const char *seen = sg->seen ? sg->seen : now;
    char day[11];
    snprintf(day, sizeof day, "%.10s", seen);
    struct pg_params pp = {0};
    pg_param_int(&pp, sg->indicator);
    if (sg->org)
        pg_param_int(&pp, sg->org);
    else
        pg_param_text(&pp, NULL);
    pg_param_text(&pp, seen);
    pg_param_text(&pp, sg->value);
    pg_param_text(&pp, sg->field ? sg->field : "");
    pg_param_text(&pp, sg->source ? sg->source : "");
    pg_param_text(&pp, now);
    pg_param_text(&pp, sg->tlp);
    PGresult *r = pg_run(p,
                         "INSERT INTO sighting(indicator_id, org_id, seen, value, field, source, "
                         "created, tlp) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                         &pp);
    if (!r)
        return VG_EIO;
    PQclear(r);
    struct pg_params ap = {0};
    pg_param_int(&ap, sg->indicator);
    if (sg->org)
        pg_param_int(&ap, sg->org);
    else
        pg_param_text(&ap, NULL);
    pg_param_text(&ap, day);
    pg_param_text(&ap, seen);
    pg_param_text(&ap, now);
    r = pg_run(p,
               "INSERT INTO alert(indicator_id, org_id, day, first_seen, last_seen, count, "
               "created) VALUES ($1, $2, $3, $4, $4, 1, $5) "
               "ON CONFLICT (indicator_id, coalesce(org_id, 0), day) DO UPDATE SET "
               "count = alert.count + 1, first_seen = least(alert.first_seen, "
               "excluded.first_seen), last_seen = greatest(alert.last_seen, excluded.last_seen) "
               "RETURNING id",
               &ap);
    if (!r)
        return VG_EIO;
    long long alert = PQntuples(r) == 1 ? pg_get_int(r, 0, 0) : VG_EIO;
    PQclear(r);
    return alert;
}

/* Writes the sightings of a chunk v[0..n) in two statements: the sightings in input order,
 * then their alerts, grouped by indicator, organisation and day (new ones in order of first
 * appearance, as one at a time would number them); al[i] = v[i]'s alert. 0, VG_ENOMEM, or
 * VG_EIO with the failure kept for pg_error. */
static int sightings_chunk(struct pg *p, const struct vg_sighting *v, size_t n, const char *now,
                           long long *al)
{
    struct cols c;
    cols_init(&c);
    struct vg_buf *b = c.b, key;
    vg_buf_init(&key, 4096);
    struct vg_strmap m;
    vg_strmap_init(&m);
    PGresult *r = NULL;
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        const struct vg_sighting *sg = &v[i];
        arr_int(&b[0], sg->indicator);
        if (sg->org)
            arr_int(&b[1], sg->org);
        else
            arr_add(&b[1], NULL);
        arr_add(&b[2], sg->seen ? sg->seen : now);
        arr_add(&b[3], sg->value);
        arr_add(&b[4], sg->field ? sg->field : "");
        arr_add(&b[5], sg->source ? sg->source : "");
        arr_add(&b[6], sg->tlp);
    }
    struct pg_params pp = {0};
    for (int i = 0; i < 7; i++)
        pg_param_text(&pp, arr_end(&b[i]));
    pg_param_text(&pp, now);
    if (cols_failed(&c)) {
        rc = VG_ENOMEM;
        goto out;
    }
    r = pg_run(p,
               "INSERT INTO sighting(indicator_id, org_id, seen, value, field, source, created, "
               "tlp) SELECT i, o, s, v, f, src, $8, t FROM unnest($1::bigint[], $2::bigint[], "
               "$3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) WITH ORDINALITY "
               "AS u(i, o, s, v, f, src, t, k) ORDER BY k",
               &pp);
    if (!r) {
        rc = VG_EIO;
        goto out;
    }
    PQclear(r);
    struct pg_params ap = {0};
    for (int i = 0; i < 3; i++)
        pg_param_text(&ap, b[i].data);
    pg_param_text(&ap, now);
    r = pg_run(p,
               "INSERT INTO alert(indicator_id, org_id, day, first_seen, last_seen, count, "
               "created) SELECT i, o, substr(s, 1, 10), min(s), max(s), count(*), $4 "
               "FROM unnest($1::bigint[], $2::bigint[], $3::text[]) WITH ORDINALITY "
               "AS u(i, o, s, k) GROUP BY i, o, substr(s, 1, 10) ORDER BY min(k) "
               "ON CONFLICT (indicator_id, coalesce(org_id, 0), day) DO UPDATE SET "
               "count = alert.count + excluded.count, first_seen = least(alert.first_seen, "
               "excluded.first_seen), last_seen = greatest(alert.last_seen, excluded.last_seen) "
               "RETURNING id, indicator_id, coalesce(org_id, 0), day",
               &ap);
    if (!r) {
        rc = VG_EIO;
        goto out;
    }
    for (int i = 0; i < PQntuples(r); i++) {
        vg_buf_reset(&key);
        vg_buf_printf(&key, "%s|%s|%s", pg_get_text(r, i, 1), pg_get_text(r, i, 2),
                      pg_get_text(r, i, 3));
        bool added;
        if (key.failed || vg_strmap_put(&m, key.data, key.len, (uint32_t)i, &added) < 0) {
            rc = VG_ENOMEM;
            goto out;
        }
    }
    for (size_t i = 0; i < n; i++) {
        vg_buf_reset(&key);
        vg_buf_printf(&key, "%lld|%lld|%.10s", v[i].indicator, v[i].org,
                      v[i].seen ? v[i].seen : now);
        long e = key.failed ? -1 : vg_strmap_find(&m, key.data, key.len);
        if (e < 0) {
            rc = key.failed ? VG_ENOMEM : VG_EIO;
            if (rc == VG_EIO)
                snprintf(p->err.msg, sizeof p->err.msg,
                         "database error: the alert of sighting %zu was not returned", i);
            goto out;
        }
        al[i] = pg_get_int(r, (int)vg_strmap_val(&m, (size_t)e), 0);
    }
out:
    PQclear(r);
    cols_cleanup(&c);
    vg_buf_cleanup(&key);
    vg_strmap_cleanup(&m);
    return rc;
}

/* Records v[0..n) in one write, by chunks (bulk) or one at a time (to name the first one
 * that names no indicator or organisation). 0, RETRY_ONE_BY_ONE when bulk met such a one (nothing
 * written: the caller retries one at a time for the message), or a code with d set. */
static int sightings_write(struct pg *p, const struct vg_actor *who, const struct vg_sighting *v,
                           size_t n, long long *al, bool bulk, struct vg_diag *d)
{
    char now[VG_TIME_LEN];
    vg_time_now(now);
    if (pg_begin(p))
        return pg_error(p, d);
    /* The alerts touched, as a set, for the audit record. */
    struct vg_u64map touched = {0};
    json_t *summary = NULL;
    int rc = 0;
    for (size_t i = 0; i < n;) {
        size_t m = bulk ? (n - i < IMPORT_CHUNK ? n - i : IMPORT_CHUNK) : 1;
        int w = 0;
        if (bulk) {
            w = sightings_chunk(p, v + i, m, now, al + i);
        } else {
            long long a = record_one(p, &v[i], now);
            al[i] = a;
            w = a < 0 ? VG_EIO : 0;
        }
        if (w == VG_ENOMEM) {
            rc = vg_diag_set(d, VG_ENOMEM, "", "out of memory");
            goto out;
        }
        if (w) {
            bool fk = strcmp(p->err.state, "23503") == 0;
            rc = !fk    ? pg_error(p, d)
                 : bulk ? RETRY_ONE_BY_ONE
                        : vg_diag_set(d, VG_EINVAL, "indicator",
                                      "sighting %zu: no such indicator or organisation", i);
            goto out;
        }
        for (size_t k = i; k < i + m; k++)
            if (vg_u64map_put(&touched, (uint64_t)al[k], 0) != 0) {
                rc = vg_diag_set(d, VG_ENOMEM, "", "out of memory");
                goto out;
            }
        i += m;
    }
    summary = json_pack("{s:I,s:I}", "sightings", (json_int_t)n, "alerts", (json_int_t)touched.n);
    if ((n && pg_audit(p, who, "sighting.record", "sightings", summary)) || pg_commit(p))
        rc = pg_error(p, d);
out:
    if (rc)
        pg_rollback(p);
    json_decref(summary);
    vg_u64map_cleanup(&touched);
    return rc;
}

static int pg_sightings_record(struct vg_store *st, const struct vg_actor *who,
                               const struct vg_sighting *v, size_t n, long long *alerts,
                               struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    long long *al = alerts ? alerts : vg_calloc(n ? n : 1, sizeof *al);
    if (!al)
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    int rc = sightings_write(p, who, v, n, al, true, d);
    if (rc == RETRY_ONE_BY_ONE)
        rc = sightings_write(p, who, v, n, al, false, d);
    if (al != alerts)
        free(al);
    return rc;
}

static json_t *sighting_row(const PGresult *r, int i)
{
    struct vg_row w = vg_row_pg(r, i);
    return st_sighting(&w);
}

static int pg_sighting_list(struct vg_store *st, const json_t *filters, const struct vg_page *page,
                            json_t **out, struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    long long before;
    if (sq_cursor_read(page->cursor, &before, d))
        return VG_EINVAL;
    json_t *org = json_object_get(filters, "org"), *ind = json_object_get(filters, "indicator");
    struct pg_params pp = {0};
    pg_param_int(&pp, before);
    if (org)
        pg_param_int(&pp, json_integer_value(org));
    else
        pg_param_text(&pp, NULL);
    if (ind)
        pg_param_int(&pp, json_integer_value(ind));
    else
        pg_param_text(&pp, NULL);
    pg_param_text(&pp, vg_json_str(filters, "since"));
    pg_param_int(&pp, page->limit + 1);
#define SIGHTING_COLS                                                                              \
    "SELECT s.id, s.indicator_id, i.type, i.value, s.org_id, o.name, s.seen, s.value, "            \
    "s.field, s.source, coalesce(s.tlp, i.tlp) FROM sighting s "                                   \
    "JOIN indicator i ON i.id = s.indicator_id "                                                   \
    "LEFT JOIN org o ON o.id = s.org_id WHERE ($1::bigint = 0 OR s.id < $1) "                      \
    "AND ($2::bigint IS NULL OR s.org_id = $2) AND ($4::text IS NULL OR s.seen >= $4) "
    /* an indicator's sightings through the sighting_indicator index */
    PGresult *r =
        ind ? pg_run(p, SIGHTING_COLS "AND s.indicator_id = $3 ORDER BY s.id DESC LIMIT $5", &pp)
            : pg_run(p, SIGHTING_COLS "AND $3::bigint IS NULL ORDER BY s.id DESC LIMIT $5", &pp);
#undef SIGHTING_COLS
    if (!r)
        return pg_error(p, d);
    *out = pg_page(r, page->limit, sighting_row);
    PQclear(r);
    return 0;
}

static json_t *alert_row(const PGresult *r, int i)
{
    struct vg_row w = vg_row_pg(r, i);
    return st_alert(&w);
}

static int pg_alert_list(struct vg_store *st, const json_t *filters, const struct vg_page *page,
                         json_t **out, struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    long long before;
    if (sq_cursor_read(page->cursor, &before, d))
        return VG_EINVAL;
    json_t *org = json_object_get(filters, "org");
    struct pg_params pp = {0};
    pg_param_int(&pp, before);
    pg_param_text(&pp, vg_json_str(filters, "status"));
    if (org)
        pg_param_int(&pp, json_integer_value(org));
    else
        pg_param_text(&pp, NULL);
    pg_param_int(&pp, page->limit + 1);
    PGresult *r = pg_run(p,
                         ST_ALERT_SELECT "WHERE ($1::bigint = 0 OR a.id < $1) "
                                         "AND ($2::text IS NULL OR a.status = $2) "
                                         "AND ($3::bigint IS NULL OR a.org_id = $3) "
                                         "ORDER BY a.id DESC LIMIT $4",
                         &pp);
    if (!r)
        return pg_error(p, d);
    *out = pg_page(r, page->limit, alert_row);
    PQclear(r);
    return 0;
}

/* The escalation in the caller's use-case transaction (store.h): the alert's row locked (FOR
 * UPDATE: two servers escalating it at once, the second waits and finds it escalated), the
 * incident created through the incident domain's operation (a savepoint of the transaction),
 * the alert marked, the audit line. */
static int escalate(struct vg_store *st, struct pg *p, const struct vg_actor *who, long long id,
                    const json_t *fields, json_t **inc_out, struct vg_diag *d)
{
    json_t *alert = NULL, *inc = NULL, *seen = NULL, *created = NULL;
    struct vg_incident_new rec = {0};
    int rc = 0;
    struct pg_params pp = {0};
    pg_param_int(&pp, id);
    PGresult *r = pg_run(p, ST_ALERT_SELECT "WHERE a.id = $1 FOR UPDATE OF a", &pp);
    if (!r)
        return pg_error(p, d);
    if (PQntuples(r) == 1)
        alert = alert_row(r, 0);
    PQclear(r);
    if (!alert)
        return vg_diag_set(d, VG_ENOENT, "id", "no alert %lld", id);
    /* the values seen in the logs that day, for the incident's observables */
    json_t *ind = json_object_get(alert, "indicator"), *org = json_object_get(alert, "org");
    seen = json_array();
    struct pg_params sp = {0};
    pg_param_int(&sp, json_integer_value(json_object_get(ind, "id")));
    pg_param_int(&sp, json_is_integer(org) ? json_integer_value(org) : 0);
    pg_param_text(&sp, vg_json_str(alert, "day"));
    r = pg_run(p,
               "SELECT DISTINCT value FROM sighting WHERE indicator_id = $1 "
               "AND coalesce(org_id, 0) = $2 AND substr(seen, 1, 10) = $3 LIMIT 100",
               &sp);
    if (!r) {
        rc = pg_error(p, d);
        goto out;
    }
    for (int i = 0; i < PQntuples(r) && json_array_size(seen) < 100; i++)
        json_array_append_new(seen, json_string(pg_get_text(r, i, 0)));
    PQclear(r);
    /* an alert escalated already: VG_ECONFLICT */
    if ((rc = st_alert_incident(alert, id, seen, fields, &inc, &rec, d)))
        goto out;
    if (!st->ops->incident || !st->ops->incident->incident_create) {
        rc = vg_diag_set(d, VG_EIO, "", "database error: incidents are not stored here");
        goto out;
    }
    if ((rc = vg_store_incident_create(st, who, &rec, &created, d)))
        goto out;
    const char *ref = vg_json_str(created, "ref");
    struct pg_params up = {0};
    pg_param_text(&up, ref);
    pg_param_int(&up, id);
    long long n = 0;
    if ((rc = pg_write(p,
                       "UPDATE alert SET status = 'escalated', incident_id = "
                       "(SELECT id FROM incident WHERE ref = $1) WHERE id = $2",
                       &up, &n, NULL, d)))
        goto out;
    char obj[48];
    snprintf(obj, sizeof obj, "alert:%lld", id);
    json_t *detail = json_pack("{s:s}", "incident", ref);
    if (pg_audit(p, who, "alert.escalate", obj, detail))
        rc = pg_error(p, d);
    json_decref(detail);
    if (!rc) {
        *inc_out = created;
        created = NULL;
    }
out:
    json_decref(alert);
    json_decref(inc);
    json_decref(seen);
    json_decref(created);
    vg_incident_new_cleanup(&rec);
    return rc;
}

static int pg_alert_escalate(struct vg_store *st, const struct vg_actor *who, long long id,
                             const json_t *fields, json_t **out, struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    int rc = vg_store_tx_begin(st, d);
    if (rc)
        return rc;
    json_t *inc = NULL;
    rc = escalate(st, p, who, id, fields, &inc, d);
    if (rc) {
        vg_store_tx_rollback(st);
        return rc;
    }
    if ((rc = vg_store_tx_commit(st, d))) {
        json_decref(inc);
        return rc;
    }
    *out = inc;
    return 0;
}

/* ---- rows for exports ---- */

#define ROWS_PAGE 1000

struct vg_indicator_rows {
    char *type, *source; /* the filters, NULL: any */
    bool own_read;       /* the cursor began the read snapshot (vg_store_read_begin) */
    long long after;     /* the last indicator id of the page read */
    PGresult *q;         /* a page of indicators */
    PGresult *sq;        /* their sightings, by indicator id then newest first */
    int qi, si;          /* the next row of each */
    bool done;
    struct vg_indicator_row row;
    struct vg_indicator_row_sighting *sg; /* the row's sightings */
    size_t sg_cap;
};

static void pg_indicator_rows_close(struct vg_store *st, struct vg_indicator_rows *c)
{
    if (!c)
        return;
    PQclear(c->q);
    PQclear(c->sq);
    if (c->own_read)
        vg_store_read_end(st);
    free(c->type);
    free(c->source);
    free(c->sg);
    free(c);
}

/* Reads the next page of indicators after c->after and their sightings. 0 or VG_EIO. */
static int rows_page(struct pg *p, struct vg_indicator_rows *c)
{
    PQclear(c->q);
    PQclear(c->sq);
    c->q = c->sq = NULL;
    c->qi = c->si = 0;
    struct pg_params pp = {0};
    pg_param_text(&pp, c->type);
    pg_param_text(&pp, c->source);
    pg_param_int(&pp, c->after);
    pg_param_int(&pp, ROWS_PAGE);
    c->q = pg_run(p,
                  "SELECT id, type, value, tlp, source, confidence, tags, first_seen, "
                  "last_seen, expires, created, updated FROM indicator "
                  "WHERE ($1::text IS NULL OR type = $1) AND ($2::text IS NULL OR source = $2) "
                  "AND id > $3 ORDER BY id LIMIT $4",
                  &pp);
    if (!c->q)
        return VG_EIO;
    int n = PQntuples(c->q);
    if (n == 0)
        return 0;
    struct pg_params sp = {0};
    pg_param_text(&sp, c->type);
    pg_param_text(&sp, c->source);
    pg_param_int(&sp, c->after);
    pg_param_int(&sp, pg_get_int(c->q, n - 1, 0));
    c->sq = pg_run(p,
                   "SELECT s.indicator_id, s.id, s.org_id, s.seen, coalesce(s.tlp, i.tlp) "
                   "FROM sighting s JOIN indicator i ON i.id = s.indicator_id "
                   "WHERE ($1::text IS NULL OR i.type = $1) "
                   "AND ($2::text IS NULL OR i.source = $2) "
                   "AND s.indicator_id > $3 AND s.indicator_id <= $4 "
                   "ORDER BY s.indicator_id, s.id DESC",
                   &sp);
    if (!c->sq)
        return VG_EIO;
    c->after = pg_get_int(c->q, n - 1, 0);
    return 0;
}

static int pg_indicator_rows_open(struct vg_store *st, const char *type, const char *source,
                                  struct vg_indicator_rows **out, size_t *count, struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    struct vg_indicator_rows *c = vg_calloc(1, sizeof *c);
    if (!c)
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    c->type = type ? vg_strdup(type) : NULL;
    c->source = source ? vg_strdup(source) : NULL;
    if ((type && !c->type) || (source && !c->source)) {
        pg_indicator_rows_close(st, c);
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    }
    /* one snapshot for the pages, the sightings and the count: a read transaction unless one
     * is open; a read's (REPEATABLE READ) then serves, but a batch's or a use case's (READ
     * COMMITTED) gives each page the snapshot of its own statement */
    if (!p->outer && !p->in_tx && !p->in_read && !p->in_sp) {
        vg_store_read_begin(st);
        c->own_read = p->in_read;
        if (!c->own_read) {
            int rc = pg_error(p, d);
            pg_indicator_rows_close(st, c);
            return rc;
        }
    }
    if (count) {
        struct pg_params pp = {0};
        pg_param_text(&pp, type);
        pg_param_text(&pp, source);
        PGresult *r = pg_run(p,
                             "SELECT count(*) FROM indicator WHERE ($1::text IS NULL OR "
                             "type = $1) AND ($2::text IS NULL OR source = $2)",
                             &pp);
        if (!r) {
            int rc = pg_error(p, d);
            pg_indicator_rows_close(st, c);
            return rc;
        }
        long long k = pg_get_int(r, 0, 0);
        *count = k > 0 ? (size_t)k : 0;
        PQclear(r);
    }
    if (rows_page(p, c)) {
        int rc = pg_error(p, d);
        pg_indicator_rows_close(st, c);
        return rc;
    }
    *out = c;
    return 0;
}

/* The sightings of indicator id from the page's sightings (which are at or before them). */
static int collect(struct vg_indicator_rows *c, long long id, size_t *nsg, struct vg_diag *d)
{
    *nsg = 0;
    int ns = c->sq ? PQntuples(c->sq) : 0;
    while (c->si < ns && pg_get_int(c->sq, c->si, 0) < id)
        c->si++;
    while (c->si < ns && pg_get_int(c->sq, c->si, 0) == id) {
        if (*nsg == c->sg_cap) {
            size_t cap = c->sg_cap ? c->sg_cap * 2 : 8;
            void *a = vg_realloc(c->sg, cap * sizeof *c->sg);
            if (!a)
                return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
            c->sg = a;
            c->sg_cap = cap;
        }
        struct vg_indicator_row_sighting *g = &c->sg[*nsg];
        g->id = pg_get_int(c->sq, c->si, 1);
        g->org = pg_get_int(c->sq, c->si, 2);
        g->seen = pg_get_text(c->sq, c->si, 3);
        g->tlp = pg_get_text(c->sq, c->si, 4);
        (*nsg)++;
        c->si++;
    }
    return 0;
}

static int pg_indicator_rows_next(struct vg_store *st, struct vg_indicator_rows *c,
                                  const struct vg_indicator_row **row, struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    if (c->done)
        return 0;
    if (c->qi >= PQntuples(c->q)) {
        /* a short page was the last one */
        if (PQntuples(c->q) < ROWS_PAGE) {
            c->done = true;
            return 0;
        }
        if (rows_page(p, c))
            return pg_error(p, d);
        if (PQntuples(c->q) == 0) {
            c->done = true;
            return 0;
        }
    }
    const PGresult *q = c->q;
    int i = c->qi++;
    struct vg_indicator_row *w = &c->row;
    w->id = pg_get_int(q, i, 0);
    w->type = pg_get_text(q, i, 1);
    w->value = pg_get_text(q, i, 2);
    w->tlp = pg_get_text(q, i, 3);
    w->source = pg_get_text(q, i, 4);
    w->confidence = (int)pg_get_int(q, i, 5);
    w->tags = pg_get_text(q, i, 6);
    w->tags_len = strlen(w->tags);
    w->first_seen = col_or_null(q, i, 7);
    w->last_seen = col_or_null(q, i, 8);
    w->expires = col_or_null(q, i, 9);
    w->created = pg_get_text(q, i, 10);
    w->updated = pg_get_text(q, i, 11);
    size_t nsg = 0;
    int rc = collect(c, w->id, &nsg, d);
    if (rc)
        return rc;
    w->sightings = nsg ? c->sg : NULL;
    w->nsightings = nsg;
    *row = w;
    return 1;
}

const struct vg_store_indicator_ops pg_indicator_ops = {
    .indicator_import_recs = pg_indicator_import_recs,
    .indicator_get = pg_indicator_get,
    .indicator_list = pg_indicator_list,
    .indicator_each = pg_indicator_each,
    .indicator_version = pg_indicator_version,
    .sightings_record = pg_sightings_record,
    .sighting_list = pg_sighting_list,
    .alert_list = pg_alert_list,
    .alert_escalate = pg_alert_escalate,
    .indicator_rows_open = pg_indicator_rows_open,
    .indicator_rows_next = pg_indicator_rows_next,
    .indicator_rows_close = pg_indicator_rows_close,
    .follow_put = pg_follow_put,
    .follow_each = pg_follow_each,
};
