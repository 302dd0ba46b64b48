/* `vigie db copy`, `verify` and `backup` as use cases: the store's dump operations put
 * together (store/dump.h). */
#include "app/dbcopy.h"

#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

/* Puts "side: " before d's message, to tell which of the two stores failed. */
static void which(struct vg_diag *d, const char *side)
{
    if (!d)
        return;
    struct vg_diag was = *d;
    vg_diag_set(d, VG_EIO, was.field, "%s: %s", side, was.message);
}

/* The instance at url as it is (vg_store_dump_open); on failure d says which side. */
static struct vg_store *open_as_is(const char *url, const char *side, struct vg_diag *d)
{
    struct vg_store *st = vg_store_dump_open(url, d);
    if (!st)
        which(d, side);
    return st;
}

/* A chunk of rows on their way from the source to the destination: the values, and copies of
 * their bytes (the source's are valid during its callback only). */
struct chunk {
    struct vg_store *dst;
    const struct vg_dump_table *t;
    struct vg_dump_value *v; /* VG_DBCOPY_CHUNK * t->ncols */
    size_t nrows;
    struct vg_diag *d;
};

static void chunk_drop(struct chunk *c)
{
    for (size_t i = 0; i < c->nrows * c->t->ncols; i++)
        if (c->v[i].type == VG_DUMP_TEXT || c->v[i].type == VG_DUMP_BLOB)
            free((void *)c->v[i].p);
    c->nrows = 0;
}

static int chunk_flush(struct chunk *c)
{
    int rc = c->nrows ? vg_store_dump_load_rows(c->dst, c->t, c->v, c->nrows, c->d) : 0;
    chunk_drop(c);
    return rc;
}

static int chunk_row(void *ctx, const struct vg_dump_value *row, size_t n)
{
    struct chunk *c = ctx;
    struct vg_dump_value *to = &c->v[c->nrows * c->t->ncols];
    for (size_t i = 0; i < n; i++) {
        to[i] = row[i];
        if (row[i].type == VG_DUMP_TEXT || row[i].type == VG_DUMP_BLOB) {
            char *p = vg_malloc(row[i].len ? row[i].len : 1);
            if (!p) {
                for (size_t j = 0; j < i; j++)
                    if (to[j].type == VG_DUMP_TEXT || to[j].type == VG_DUMP_BLOB)
                        free((void *)to[j].p);
                return vg_diag_set(c->d, VG_ENOMEM, "", "out of memory");
            }
            if (row[i].len)
                memcpy(p, row[i].p, row[i].len);
            to[i].p = p;
        }
    }
    c->nrows++;
    return c->nrows == VG_DBCOPY_CHUNK ? chunk_flush(c) : 0;
}

/* The same tables with the same columns, in the same order; VG_ECONFLICT naming the first
 * difference. */
static int same_tables(const struct vg_dump_table *a, size_t na, const struct vg_dump_table *b,
                       size_t nb, struct vg_diag *d)
{
    for (size_t i = 0; i < na || i < nb; i++) {
        if (i >= na || i >= nb || strcmp(a[i].name, b[i].name) != 0)
            return vg_diag_set(d, VG_ECONFLICT, "", "the two instances' tables differ at %s",
                               i < na ? a[i].name : b[i].name);
        bool same = a[i].ncols == b[i].ncols && a[i].nkey == b[i].nkey;
        for (size_t c = 0; same && c < a[i].ncols; c++)
            same = strcmp(a[i].cols[c], b[i].cols[c]) == 0;
        for (size_t k = 0; same && k < a[i].nkey; k++)
            same = a[i].key[k] == b[i].key[k];
        if (!same)
            return vg_diag_set(d, VG_ECONFLICT, a[i].name,
                               "the two instances' tables %s have different columns or keys",
                               a[i].name);
    }
    return 0;
}

/* Compares every table of ta (nt of them) in a and b, which share their tables. */
static int compare(struct vg_store *a, struct vg_store *b, const struct vg_dump_table *ta,
                   size_t nt, vg_dbcopy_table_fn fn, void *ctx, struct vg_dbcopy_result *res,
                   struct vg_diag *d)
{
    for (size_t i = 0; i < nt; i++) {
        struct vg_dump_sum sa, sb;
        int rc = vg_store_dump_checksum(a, &ta[i], &sa, d);
        if (!rc)
            rc = vg_store_dump_checksum(b, &ta[i], &sb, d);
        if (rc)
            return rc;
        bool same = sa.rows == sb.rows && memcmp(sa.sha256, sb.sha256, 32) == 0;
        res->tables++;
        res->rows += sa.rows;
        if (!same && res->differ++ == 0)
            memcpy(res->first_differ, ta[i].name, sizeof res->first_differ);
        if (fn)
            fn(ctx, ta[i].name, &sa, &sb);
    }
    return 0;
}

/* Loads every table of src into dst, in one transaction of dst. */
static int load_all(struct vg_store *src, struct vg_store *dst, const struct vg_dump_table *t,
                    size_t nt, struct vg_diag *d)
{
    struct vg_dump_value *v = vg_calloc((size_t)VG_DBCOPY_CHUNK * VG_DUMP_COLS_MAX, sizeof *v);
    if (!v)
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    int rc = vg_store_dump_load_begin(dst, d);
    if (rc) {
        free(v);
        return rc;
    }
    for (size_t i = 0; !rc && i < nt; i++) {
        struct chunk c = {.dst = dst, .t = &t[i], .v = v, .d = d};
        if (t[i].seeded)
            rc = vg_store_dump_load_clear(dst, &t[i], d);
        if (!rc)
            rc = vg_store_dump_rows(src, &t[i], chunk_row, &c, d);
        if (!rc)
            rc = chunk_flush(&c);
        if (!rc)
            rc = vg_store_dump_load_ids(dst, &t[i], d);
        chunk_drop(&c);
    }
    free(v);
    if (rc) {
        vg_store_dump_load_end(dst, false, NULL);
        return rc;
    }
    return vg_store_dump_load_end(dst, true, d);
}

int vg_dbcopy_copy(const char *from, const char *to, vg_dbcopy_table_fn fn, void *ctx,
                   struct vg_dbcopy_result *res, struct vg_diag *d)
{
    memset(res, 0, sizeof *res);
    struct vg_dump_table *ts = NULL, *td = NULL;
    size_t nts = 0, ntd = 0;
    struct vg_store *dst = NULL, *src = open_as_is(from, "source", d);
    if (!src)
        return VG_ENOENT;
    int rc, v, latest;
    struct vg_store_config cfg = {.bulk = true};
    /* both sides at this vigie's schema (the destination migrated by its opening): the same
     * tables, whatever the backends (their schemas are kept equal) */
    if ((rc = vg_store_dump_version(src, &v, &latest, d)))
        goto out;
    if (v != latest) {
        rc = vg_diag_set(d, VG_ECONFLICT, "from",
                         "the source is at schema version %d, this vigie's is %d: %s", v, latest,
                         v < latest ? "migrate it first (back it up, then vigie init --db SOURCE)"
                                    : "it was written by a newer vigie");
        goto out;
    }
    if (!(dst = vg_store_open(to, &cfg, d))) {
        which(d, "destination");
        rc = VG_EIO;
        goto out;
    }
    /* the source read in one snapshot, from the first table to the last check */
    vg_store_read_begin(src);
    if ((rc = vg_store_dump_tables(src, &ts, &nts, d)) ||
        (rc = vg_store_dump_tables(dst, &td, &ntd, d)) || (rc = same_tables(ts, nts, td, ntd, d)))
        goto out_read;
    for (size_t i = 0; i < ntd; i++) {
        long long n = 0;
        if (td[i].seeded)
            continue;
        if ((rc = vg_store_dump_count(dst, &td[i], &n, d)))
            goto out_read;
        if (n > 0) {
            rc = vg_diag_set(d, VG_ECONFLICT, td[i].name,
                             "the destination is not empty: table %s has %lld row%s", td[i].name, n,
                             n > 1 ? "s" : "");
            goto out_read;
        }
    }
    if (!(rc = load_all(src, dst, ts, nts, d)))
        rc = compare(src, dst, ts, nts, fn, ctx, res, d);
out_read:
    vg_store_read_end(src);
out:
    free(ts);
    free(td);
    vg_store_close(dst);
    vg_store_close(src);
    return rc;
}

int vg_dbcopy_verify(const char *a, const char *b, vg_dbcopy_table_fn fn, void *ctx,
                     struct vg_dbcopy_result *res, struct vg_diag *d)
{
    memset(res, 0, sizeof *res);
    struct vg_dump_table *ta = NULL, *tb = NULL;
    size_t na = 0, nb = 0;
    struct vg_store *sb = NULL, *sa = open_as_is(a, "from", d);
    if (!sa)
        return VG_ENOENT;
    int rc = VG_ENOENT;
    if (!(sb = open_as_is(b, "to", d)))
        goto out;
    vg_store_read_begin(sa);
    vg_store_read_begin(sb);
    if (!(rc = vg_store_dump_tables(sa, &ta, &na, d)) &&
        !(rc = vg_store_dump_tables(sb, &tb, &nb, d)) && !(rc = same_tables(ta, na, tb, nb, d)))
        rc = compare(sa, sb, ta, na, fn, ctx, res, d);
    vg_store_read_end(sb);
    vg_store_read_end(sa);
out:
    free(ta);
    free(tb);
    vg_store_close(sb);
    vg_store_close(sa);
    return rc;
}

int vg_dbcopy_backup(const char *db, const char *out, struct vg_diag *d)
{
    if (vg_store_dump_url_pg(db))
        return vg_diag_set(d, VG_EINVAL, "db",
                           "a PostgreSQL database is backed up with pg_dump (or a base backup "
                           "with pg_basebackup): see docs/DEPLOY.md");
    struct vg_store *st = vg_store_dump_open(db, d);
    if (!st)
        return VG_ENOENT;
    int rc = vg_store_dump_backup(st, out, d);
    vg_store_close(st);
    return rc;
}
