/* SQLite backend: indicators as C records for exports of many of them (store/indicator.h,
 * vg_store_indicator_rows_*): one statement walks the indicators in id order, a second walks
 * their sightings ordered by indicator and merged with the first, so that a million
 * indicators cost two queries and no JSON object per row. */
#include "store/sqlite_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/mem.h"

struct vg_indicator_rows {
    sqlite3_stmt *q;  /* the indicators */
    sqlite3_stmt *sq; /* their sightings, by indicator id then newest first */
    bool q_row;       /* q holds a row not given yet (the first one, stepped at open) */
    bool sq_row;      /* sq holds a row not used yet */
    bool done;
    struct vg_indicator_row row;
    struct vg_indicator_row_sighting *sg; /* the row's sightings */
    size_t nsg, sg_cap;
    size_t *offs;       /* per sighting: where its seen and tlp start in text */
    struct vg_buf text; /* the sightings' strings (a step of sq frees sqlite's copies) */
};

#define ROWS_SQL                                                                                   \
    "SELECT id, type, value, tlp, source, confidence, tags, first_seen, last_seen, expires, "      \
    "created, updated FROM indicator WHERE (?1 IS NULL OR type = ?1) "                             \
    "AND (?2 IS NULL OR source = ?2) ORDER BY id"
#define COUNT_SQL                                                                                  \
    "SELECT count(*) FROM indicator WHERE (?1 IS NULL OR type = ?1) "                              \
    "AND (?2 IS NULL OR source = ?2)"
#define SIGHTINGS_SQL                                                                              \
    "SELECT s.indicator_id, s.id, s.org_id, s.seen, coalesce(s.tlp, i.tlp) FROM sighting s "       \
    "JOIN indicator i ON i.id = s.indicator_id WHERE (?1 IS NULL OR i.type = ?1) "                 \
    "AND (?2 IS NULL OR i.source = ?2) ORDER BY s.indicator_id, s.id DESC"

static sqlite3_stmt *prep(struct sq *s, const char *sql, const char *type, const char *source)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) != SQLITE_OK) {
        sqlite3_finalize(q);
        return NULL;
    }
    sq_bind_text(q, 1, type);
    sq_bind_text(q, 2, source);
    return q;
}

static const char *col_or_null(sqlite3_stmt *q, int i)
{
    return sqlite3_column_type(q, i) == SQLITE_NULL ? NULL : sq_col_text(q, i);
}

/* Steps q: 1 a row, 0 done, -1 an error. */
static int step(sqlite3_stmt *q)
{
    int r = sqlite3_step(q);
    return r == SQLITE_ROW ? 1 : r == SQLITE_DONE ? 0 : -1;
}

void sq_indicator_rows_close(struct vg_store *st, struct vg_indicator_rows *c)
{
    (void)st;
    if (!c)
        return;
    sqlite3_finalize(c->q);
    sqlite3_finalize(c->sq);
    free(c->sg);
    free(c->offs);
    vg_buf_cleanup(&c->text);
    free(c);
}

int sq_indicator_rows_open(struct vg_store *st, const char *type, const char *source,
                           struct vg_indicator_rows **out, size_t *count, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    struct vg_indicator_rows *c = vg_calloc(1, sizeof *c);
    if (!c)
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    vg_buf_init(&c->text, 64L * 1024 * 1024);
    int r;
    sqlite3_stmt *n = NULL;
    /* the first row stepped first: the read transaction it opens holds while q is active, so
     * that the count and the sightings are read in the same snapshot */
    if (!(c->q = prep(s, ROWS_SQL, type, source)) || (r = step(c->q)) < 0)
        goto fail;
    c->q_row = r == 1;
    if (!(c->sq = prep(s, SIGHTINGS_SQL, type, source)) || (r = step(c->sq)) < 0)
        goto fail;
    c->sq_row = r == 1;
    if (count) {
        if (!(n = prep(s, COUNT_SQL, type, source)) || step(n) != 1)
            goto fail;
        long long k = sqlite3_column_int64(n, 0);
        *count = k > 0 ? (size_t)k : 0;
        sqlite3_finalize(n);
        n = NULL;
    }
    *out = c;
    return 0;
fail:
    sqlite3_finalize(n);
    r = sq_db_error(s, d);
    sq_indicator_rows_close(st, c);
    return r;
}

/* The sightings of indicator id from sq (which is at or before them). 0 or a VG_E* code. */
static int collect(struct sq *s, struct vg_indicator_rows *c, long long id, struct vg_diag *d)
{
    c->nsg = 0;
    vg_buf_reset(&c->text);
    while (c->sq_row && sqlite3_column_int64(c->sq, 0) < id) {
        int r = step(c->sq);
        if (r < 0)
            return sq_db_error(s, d);
        c->sq_row = r == 1;
    }
    while (c->sq_row && sqlite3_column_int64(c->sq, 0) == id) {
        if (c->nsg == c->sg_cap) {
            size_t cap = c->sg_cap ? c->sg_cap * 2 : 8;
            void *a = vg_realloc(c->sg, cap * sizeof *c->sg);
            if (!a)
                return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
            c->sg = a;
            void *b = vg_realloc(c->offs, cap * 2 * sizeof *c->offs);
            if (!b)
                return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
            c->offs = b;
            c->sg_cap = cap;
        }
        struct vg_indicator_row_sighting *g = &c->sg[c->nsg];
        g->id = sqlite3_column_int64(c->sq, 1);
        g->org = sqlite3_column_type(c->sq, 2) == SQLITE_NULL ? 0 : sqlite3_column_int64(c->sq, 2);
        c->offs[2 * c->nsg] = c->text.len;
        vg_buf_puts(&c->text, sq_col_text(c->sq, 3));
        vg_buf_putc(&c->text, '\0');
        c->offs[2 * c->nsg + 1] = c->text.len;
        vg_buf_puts(&c->text, sq_col_text(c->sq, 4));
        vg_buf_putc(&c->text, '\0');
        if (c->text.failed)
            return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
        c->nsg++;
        int r = step(c->sq);
        if (r < 0)
            return sq_db_error(s, d);
        c->sq_row = r == 1;
    }
    /* the text is whole now: its address no longer moves */
    for (size_t k = 0; k < c->nsg; k++) {
        c->sg[k].seen = c->text.data + c->offs[2 * k];
        c->sg[k].tlp = c->text.data + c->offs[2 * k + 1];
    }
    return 0;
}

int sq_indicator_rows_next(struct vg_store *st, struct vg_indicator_rows *c,
                           const struct vg_indicator_row **row, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    if (c->done)
        return 0;
    if (!c->q_row) {
        int r = step(c->q);
        if (r < 0)
            return sq_db_error(s, d);
        if (r == 0) {
            c->done = true;
            return 0;
        }
    }
    c->q_row = false;
    sqlite3_stmt *q = c->q;
    struct vg_indicator_row *w = &c->row;
    w->id = sqlite3_column_int64(q, 0);
    w->type = sq_col_text(q, 1);
    w->value = sq_col_text(q, 2);
    w->tlp = sq_col_text(q, 3);
    w->source = sq_col_text(q, 4);
    w->confidence = sqlite3_column_int(q, 5);
    w->tags = sq_col_text(q, 6);
    w->tags_len = (size_t)sqlite3_column_bytes(q, 6);
    w->first_seen = col_or_null(q, 7);
    w->last_seen = col_or_null(q, 8);
    w->expires = col_or_null(q, 9);
    w->created = sq_col_text(q, 10);
    w->updated = sq_col_text(q, 11);
    int rc = collect(s, c, w->id, d);
    if (rc)
        return rc;
    w->sightings = c->nsg ? c->sg : NULL;
    w->nsightings = c->nsg;
    *row = w;
    return 1;
}
