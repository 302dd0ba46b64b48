/* SQLite backend: the incidents related to one through their observables. The index itself is
 * core's (core/corr.h), held by the connection and caught up with the observable table before
 * each lookup (its rows only grow). */
#include "store/sqlite_int.h"

#include <stdlib.h>
#include <string.h>

#include "core/corr.h"
#include "core/observable.h"
#include "util/buf.h"

#define RELATED_PER_QUERY 1000 /* matches read per lookup, so a common value cannot swamp us */

/* One related observable of another incident, its strings at offsets in a text pool while
 * the lookups run (the pool moves as it grows). */
struct hit {
    long long incident;
    const char *type; /* the looked-up observable's type (a static name) */
    size_t mine;      /* offset of the looked-up observable's value */
    size_t matched;   /* offset of the other incident's value */
};

struct hits {
    struct hit *v;
    size_t n, cap;
    struct vg_buf text; /* the values, NUL-terminated */
    const char *type;   /* the observable being looked up */
    size_t mine;        /* offset of its value */
    bool failed;        /* out of memory */
};

static int on_related(void *ctx, long long inc, const char *matched)
{
    struct hits *h = ctx;
    if (h->n == h->cap) {
        size_t ncap = h->cap ? h->cap * 2 : 64;
        struct hit *nv = realloc(h->v, ncap * sizeof *nv);
        if (!nv) {
            h->failed = true;
            return 1;
        }
        h->v = nv;
        h->cap = ncap;
    }
    size_t at = h->text.len;
    if (vg_buf_append(&h->text, matched, strlen(matched) + 1) != 0) {
        h->failed = true;
        return 1;
    }
    h->v[h->n++] = (struct hit){inc, h->type, h->mine, at};
    return 0;
}

/* Hits with their strings as pointers, for sorting: by incident, own value, matched. */
struct hitp {
    long long incident;
    const char *type, *mine, *matched;
};

static int cmp_hitp(const void *a, const void *b)
{
    const struct hitp *x = a, *y = b;
    if (x->incident != y->incident)
        return x->incident < y->incident ? -1 : 1;
    int c = strcmp(x->mine, y->mine);
    return c ? c : strcmp(x->matched, y->matched);
}

struct group {
    long long incident;
    size_t first, count; /* range in the sorted, deduplicated hits */
    size_t distinct;     /* distinct own observables shared */
};

static int cmp_group(const void *a, const void *b)
{
    const struct group *x = a, *y = b;
    if (x->distinct != y->distinct)
        return x->distinct > y->distinct ? -1 : 1;
    return x->incident > y->incident ? -1 : x->incident < y->incident;
}

/* Brings the in-memory correlation index up to date with the observable table: its rows
 * only grow, so reading those after the last one seen is enough (this also picks up
 * incidents created by other processes). */
static int corr_catch_up(struct sq *s)
{
    if (!s->corr) {
        s->corr = vg_corr_new();
        s->corr_last = 0;
        if (!s->corr)
            return VG_ENOMEM;
    }
    sqlite3_stmt *q = sq_prep(s, "SELECT id, incident_id, type, value FROM observable "
                                 "WHERE id > ? ORDER BY id");
    if (!q)
        return VG_EIO;
    sqlite3_bind_int64(q, 1, s->corr_last);
    struct vg_observable o;
    int rc = 0;
    while (rc == 0 && sqlite3_step(q) == SQLITE_ROW) {
        s->corr_last = sqlite3_column_int64(q, 0);
        if (vg_observable_parse(vg_str_c(sq_col_text(q, 3)), vg_obs_type_parse(sq_col_text(q, 2)),
                                &o, NULL) == 0)
            rc = vg_corr_add(s->corr, sqlite3_column_int64(q, 1), &o);
    }
    sq_done(s, q);
    if (rc) {
        vg_corr_free(s->corr);
        s->corr = NULL;
    }
    return rc;
}

/* Appends a row's text column and its NUL to pool; its offset, or (size_t)-1. */
static size_t pool_put(struct vg_buf *pool, sqlite3_stmt *q, int col)
{
    size_t at = pool->len;
    const char *t = sq_col_text(q, col);
    return vg_buf_append(pool, t, strlen(t) + 1) == 0 ? at : (size_t)-1;
}

int sq_incident_related(struct vg_store *st, const char *ref, int limit,
                        struct vg_related_list *out)
{
    struct sq *s = sq_of(st);
    memset(out, 0, sizeof *out);
    long long self = sq_incident_id(s, ref);
    if (!self)
        return VG_ENOENT;
    if (corr_catch_up(s))
        return VG_EIO;
    struct hits h = {0};
    vg_buf_init(&h.text, VG_MAX_BUF);
    struct vg_buf rows;
    vg_buf_init(&rows, VG_MAX_BUF);
    struct hitp *hp = NULL;
    struct group *g = NULL;
    int rc = VG_ENOMEM;
    sqlite3_stmt *q =
        sq_prep(s, "SELECT type, value FROM observable WHERE incident_id = ? ORDER BY id");
    if (!q) {
        rc = VG_EIO;
        goto out;
    }
    sqlite3_bind_int64(q, 1, self);
    struct vg_observable o;
    while (!h.failed && sqlite3_step(q) == SQLITE_ROW) {
        if (vg_observable_parse(vg_str_c(sq_col_text(q, 1)), vg_obs_type_parse(sq_col_text(q, 0)),
                                &o, NULL) != 0)
            continue;
        h.type = vg_obs_type_name(o.type);
        h.mine = h.text.len;
        if (vg_buf_append(&h.text, o.value, strlen(o.value) + 1) != 0)
            h.failed = true;
        else
            vg_corr_lookup(s->corr, &o, self, RELATED_PER_QUERY, on_related, &h);
    }
    sq_done(s, q);
    if (h.failed)
        goto out;
    /* group by incident, drop duplicate pairs, rank by distinct own observables shared */
    hp = malloc((h.n ? h.n : 1) * sizeof *hp);
    g = malloc((h.n ? h.n : 1) * sizeof *g);
    if (!hp || !g)
        goto out;
    for (size_t k = 0; k < h.n; k++)
        hp[k] = (struct hitp){h.v[k].incident, h.v[k].type, h.text.data + h.v[k].mine,
                              h.text.data + h.v[k].matched};
    if (h.n)
        qsort(hp, h.n, sizeof *hp, cmp_hitp);
    size_t ng = 0, nu = 0;
    for (size_t k = 0; k < h.n; k++) {
        if (nu && cmp_hitp(&hp[k], &hp[nu - 1]) == 0)
            continue;
        hp[nu] = hp[k];
        if (!ng || g[ng - 1].incident != hp[nu].incident)
            g[ng++] = (struct group){hp[nu].incident, nu, 0, 0};
        struct group *cur = &g[ng - 1];
        if (cur->count == 0 || strcmp(hp[nu].mine, hp[nu - 1].mine) != 0)
            cur->distinct++;
        cur->count++;
        nu++;
    }
    if (ng)
        qsort(g, ng, sizeof *g, cmp_group);
    size_t keep = ng < (size_t)limit ? ng : (size_t)limit, npairs = 0;
    for (size_t k = 0; k < keep; k++)
        npairs += g[k].count;
    out->v = calloc(keep ? keep : 1, sizeof *out->v);
    out->pairs = malloc((npairs ? npairs : 1) * sizeof *out->pairs);
    size_t(*cols)[5] = calloc(keep ? keep : 1, sizeof *cols); /* offsets in rows */
    if (!out->v || !out->pairs || !cols) {
        free(cols);
        goto out;
    }
    size_t n = 0, p = 0;
    for (size_t k = 0; k < keep; k++) {
        q = sq_prep(s, "SELECT ref, title, status, severity, tlp FROM incident WHERE id = ?");
        if (!q) {
            free(cols);
            rc = VG_EIO;
            goto out;
        }
        sqlite3_bind_int64(q, 1, g[k].incident);
        if (sqlite3_step(q) == SQLITE_ROW) {
            for (int c = 0; c < 5; c++)
                cols[n][c] = pool_put(&rows, q, c);
            struct vg_related *r = &out->v[n++];
            r->count = g[k].distinct;
            r->shared = out->pairs + p;
            r->nshared = g[k].count;
            for (size_t j = g[k].first; j < g[k].first + g[k].count; j++)
                out->pairs[p++] = (struct vg_related_pair){hp[j].type, hp[j].mine, hp[j].matched};
        }
        sq_done(s, q);
    }
    if (rows.failed) {
        free(cols);
        goto out;
    }
    const char *base = rows.data ? rows.data : "";
    for (size_t k = 0; k < n; k++) {
        struct vg_related *r = &out->v[k];
        r->ref = base + cols[k][0];
        r->title = base + cols[k][1];
        r->status = base + cols[k][2];
        r->severity = base + cols[k][3];
        r->tlp = base + cols[k][4];
    }
    free(cols);
    out->n = n;
    out->hits_text = vg_buf_steal(&h.text);
    out->rows_text = vg_buf_steal(&rows);
    rc = 0;
out:
    if (rc)
        vg_related_list_free(out);
    free(h.v);
    free(hp);
    free(g);
    vg_buf_cleanup(&h.text);
    vg_buf_cleanup(&rows);
    return rc;
}
