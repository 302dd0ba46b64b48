/* The vg_store_dump_* functions of store/dump.h: each calls the backend's operation; and what
 * is the same for every backend: opening an instance as it is, the canonical encoding of a row
 * and the checksum of a table. */
#include "store/dump.h"

#include <math.h>
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "store/row_int.h"
#include "store/store.h"
#include "util/mem.h"

bool st_dump_plain_name(const char *n)
{
    size_t len = strlen(n);
    if (len == 0 || len > VG_DUMP_NAME_MAX)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!((n[i] >= 'a' && n[i] <= 'z') || (n[i] >= '0' && n[i] <= '9') || n[i] == '_'))
            return false;
    return true;
}

int st_dump_order(size_t count, const bool *refs, size_t stride, size_t *order, struct vg_diag *d)
{
    bool done[VG_DUMP_TABLES_MAX] = {false};
    if (count > VG_DUMP_TABLES_MAX)
        return vg_diag_set(d, VG_EINVAL, "", "%zu tables: too many to copy", count);
    for (size_t taken = 0; taken < count; taken++) {
        size_t pick = count;
        for (size_t i = 0; i < count && pick == count; i++) {
            if (done[i])
                continue;
            bool ready = true;
            for (size_t j = 0; j < count && ready; j++)
                if (!done[j] && j != i && refs[i * stride + j])
                    ready = false;
            if (ready)
                pick = i;
        }
        if (pick == count)
            return vg_diag_set(d, VG_EINVAL, "", "the tables' foreign keys make a cycle");
        done[pick] = true;
        order[taken] = pick;
    }
    return 0;
}

bool vg_store_dump_url_pg(const char *url)
{
    return strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0;
}

struct vg_store *vg_store_dump_open(const char *url, struct vg_diag *d)
{
    /* PostgreSQL: the connection alone, without migrating (a database never migrated has
     * version 0); only the dump's operations are called on it */
    if (vg_store_dump_url_pg(url))
        return vg_store_pg_connect(url, true, d); /* a copy or a verify: a batch command */
    struct stat sb;
    if (stat(url, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        vg_diag_set(d, VG_ENOENT, "db", "no database file at %s", url);
        return NULL;
    }
    return vg_store_sqlite_open(url, true, d);
}

int vg_store_dump_version(struct vg_store *st, int *version, int *latest, struct vg_diag *d)
{
    return st->ops->dump->version(st, version, latest, d);
}

int vg_store_dump_tables(struct vg_store *st, struct vg_dump_table **out, size_t *n,
                         struct vg_diag *d)
{
    return st->ops->dump->tables(st, out, n, d);
}

int vg_store_dump_count(struct vg_store *st, const struct vg_dump_table *t, long long *n,
                        struct vg_diag *d)
{
    return st->ops->dump->count(st, t, n, d);
}

int vg_store_dump_rows(struct vg_store *st, const struct vg_dump_table *t, vg_dump_row_fn fn,
                       void *ctx, struct vg_diag *d)
{
    return st->ops->dump->rows(st, t, fn, ctx, d);
}

int vg_store_dump_load_begin(struct vg_store *st, struct vg_diag *d)
{
    return st->ops->dump->load_begin(st, d);
}

int vg_store_dump_load_clear(struct vg_store *st, const struct vg_dump_table *t, struct vg_diag *d)
{
    return st->ops->dump->load_clear(st, t, d);
}

int vg_store_dump_load_rows(struct vg_store *st, const struct vg_dump_table *t,
                            const struct vg_dump_value *v, size_t nrows, struct vg_diag *d)
{
    return st->ops->dump->load_rows(st, t, v, nrows, d);
}

int vg_store_dump_load_ids(struct vg_store *st, const struct vg_dump_table *t, struct vg_diag *d)
{
    return st->ops->dump->load_ids(st, t, d);
}

int vg_store_dump_load_end(struct vg_store *st, bool commit, struct vg_diag *d)
{
    return st->ops->dump->load_end(st, commit, d);
}

int vg_store_dump_backup(struct vg_store *st, const char *path, struct vg_diag *d)
{
    if (!st->ops->dump->backup)
        return vg_diag_set(d, VG_EINVAL, "db",
                           "this backend's backups are made with its own tools (PostgreSQL: "
                           "pg_dump or a base backup; see docs/DEPLOY.md)");
    struct stat sb;
    if (lstat(path, &sb) == 0)
        return vg_diag_set(d, VG_EEXIST, "out", "%s exists: a backup goes to a new file", path);
    return st->ops->dump->backup(st, path, d);
}

/* ---- canonical encoding ---- */

static void put_be64(unsigned char *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        p[i] = (unsigned char)(v & 0xff);
        v >>= 8;
    }
}

/* Writes n bytes of src at out + at when they fit in cap; returns at + n. */
static size_t put(unsigned char *out, size_t cap, size_t at, const void *src, size_t n)
{
    if (at <= cap && n <= cap - at && n)
        memcpy(out + at, src, n);
    return at + n;
}

size_t vg_dump_encode(const struct vg_dump_value *row, size_t n, unsigned char *out, size_t cap)
{
    unsigned char head[9];
    head[0] = 'R';
    head[1] = (unsigned char)(n >> 24);
    head[2] = (unsigned char)(n >> 16);
    head[3] = (unsigned char)(n >> 8);
    head[4] = (unsigned char)n;
    size_t at = put(out, cap, 0, head, 5);
    for (size_t i = 0; i < n; i++) {
        const struct vg_dump_value *v = &row[i];
        switch (v->type) {
        case VG_DUMP_INT:
            head[0] = 'I';
            put_be64(head + 1, (uint64_t)v->i);
            at = put(out, cap, at, head, 9);
            break;
        case VG_DUMP_REAL: {
            double r = v->r == 0.0 ? 0.0 : isnan(v->r) ? NAN : v->r;
            uint64_t bits;
            memcpy(&bits, &r, sizeof bits);
            head[0] = 'F';
            put_be64(head + 1, bits);
            at = put(out, cap, at, head, 9);
            break;
        }
        case VG_DUMP_TEXT:
        case VG_DUMP_BLOB:
            head[0] = v->type == VG_DUMP_TEXT ? 'T' : 'B';
            put_be64(head + 1, (uint64_t)v->len);
            at = put(out, cap, at, head, 9);
            at = put(out, cap, at, v->p, v->len);
            break;
        default:
            head[0] = 'N';
            at = put(out, cap, at, head, 1);
            break;
        }
    }
    return at;
}

/* ---- checksum ---- */

struct sum_ctx {
    crypto_hash_sha256_state h;
    unsigned char *buf; /* the encoding of a row, grown as needed */
    size_t cap;
    long long rows;
};

static int sum_row(void *ctx, const struct vg_dump_value *row, size_t n)
{
    struct sum_ctx *c = ctx;
    size_t need = vg_dump_encode(row, n, c->buf, c->cap);
    if (need > c->cap) {
        unsigned char *nb = vg_realloc(c->buf, need);
        if (!nb)
            return VG_ENOMEM;
        c->buf = nb;
        c->cap = need;
        vg_dump_encode(row, n, c->buf, c->cap);
    }
    crypto_hash_sha256_update(&c->h, c->buf, need);
    c->rows++;
    return 0;
}

int vg_store_dump_checksum(struct vg_store *st, const struct vg_dump_table *t,
                           struct vg_dump_sum *sum, struct vg_diag *d)
{
    struct sum_ctx c = {.rows = 0};
    crypto_hash_sha256_init(&c.h);
    /* the header: the table's name and its columns, as a row of texts */
    struct vg_dump_value names[VG_DUMP_COLS_MAX + 1];
    names[0] = (struct vg_dump_value){.type = VG_DUMP_TEXT, .p = t->name, .len = strlen(t->name)};
    for (size_t i = 0; i < t->ncols && i < VG_DUMP_COLS_MAX; i++)
        names[i + 1] = (struct vg_dump_value){.type = VG_DUMP_TEXT,
                                              .p = t->cols[i],
                                              .len = strlen(t->cols[i])};
    int rc = sum_row(&c, names, t->ncols + 1);
    c.rows = 0;
    if (!rc)
        rc = vg_store_dump_rows(st, t, sum_row, &c, d);
    free(c.buf);
    if (rc == VG_ENOMEM)
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    if (rc)
        return rc;
    sum->rows = c.rows;
    crypto_hash_sha256_final(&c.h, sum->sha256);
    return 0;
}

json_t *vg_dump_row_json(const struct vg_dump_value *row, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++) {
        const struct vg_dump_value *v = &row[i];
        json_t *j = NULL;
        if (v->type == VG_DUMP_INT) {
            j = json_integer(v->i);
        } else if (v->type == VG_DUMP_REAL) {
            j = json_real(v->r);
        } else if (v->type == VG_DUMP_TEXT) {
            j = json_stringn_nocheck(v->p ? v->p : "", v->len);
        } else if (v->type == VG_DUMP_BLOB) {
            size_t blen = sodium_base64_encoded_len(v->len, sodium_base64_VARIANT_ORIGINAL);
            char *b = vg_malloc(blen);
            if (b) {
                sodium_bin2base64(b, blen, (const unsigned char *)v->p, v->len,
                                  sodium_base64_VARIANT_ORIGINAL);
                j = json_pack("{s:s}", "b64", b);
                free(b);
            }
        } else {
            j = json_null();
        }
        if (!j || json_array_append_new(a, j)) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}
