/* PostgreSQL backend: COPY ... FROM STDIN in text format, for the big writes (indicator imports,
 * vulnerability records, findings rewritten): rows are escaped into a buffer sent in pieces of
 * PG_COPY_FLUSH bytes, one round trip for the whole set instead of one per statement.
 *
 * A COPY runs inside the caller's write (pg_begin ... pg_commit): a failed one fails that write,
 * which pg_rollback undoes whole, so that nothing of it stays. */
#include "store/pg_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

#define PG_COPY_FLUSH ((size_t)1 << 18) /* bytes kept before they are sent */
#define PG_COPY_MAX   ((size_t)1 << 30) /* the buffer's cap (never reached: flushed before) */

void pg_copy_escape(struct vg_buf *b, const char *v, size_t len)
{
    if (!v) {
        vg_buf_append(b, "\\N", 2);
        return;
    }
    size_t run = 0; /* bytes copied as they are, appended at once */
    for (size_t i = 0; i < len && v[i]; i++) {
        const char *e = v[i] == '\\'   ? "\\\\"
                        : v[i] == '\t' ? "\\t"
                        : v[i] == '\n' ? "\\n"
                        : v[i] == '\r' ? "\\r"
                                       : NULL;
        if (!e) {
            run++;
            continue;
        }
        vg_buf_append(b, v + i - run, run);
        vg_buf_append(b, e, 2);
        run = 0;
    }
    /* (a NUL ends the value, as it ends a text parameter) */
    size_t end = strnlen(v, len);
    vg_buf_append(b, v + end - run, run);
}

int pg_copy_begin(struct pg *p, struct pg_copy *c, const char *sql)
{
    *c = (struct pg_copy){.p = p};
    vg_buf_init(&c->b, PG_COPY_MAX);
    if (PQstatus(p->conn) != CONNECTION_OK || p->doomed) {
        pg_record(p, NULL);
        return p->err.code;
    }
    /* a held SAVEPOINT or RELEASE goes first (pg_flush): the rows must be inside the write */
    if (pg_flush(p))
        return p->err.code;
    PGresult *r = PQexec(p->conn, sql);
    if (PQresultStatus(r) != PGRES_COPY_IN) {
        pg_record(p, r);
        PQclear(r);
        return p->err.code;
    }
    PQclear(r);
    c->open = true;
    return 0;
}

int pg_copy_stage(struct pg *p, struct pg_copy *c, const char *create, const char *clear,
                  const char *sql)
{
    *c = (struct pg_copy){.p = p};
    vg_buf_init(&c->b, PG_COPY_MAX);
    if (pg_exec(p, create) || pg_exec(p, clear))
        return p->err.code;
    return pg_copy_begin(p, c, sql);
}

/* Sends what the buffer holds. 0 or VG_EIO (the connection failed, kept for pg_error). */
static int flush(struct pg_copy *c)
{
    if (!c->b.len)
        return 0;
    if (PQputCopyData(c->p->conn, c->b.data, (int)c->b.len) != 1) {
        pg_record(c->p, NULL);
        c->sent_failed = true;
        return VG_EIO;
    }
    vg_buf_reset(&c->b);
    return 0;
}

void pg_copy_text(struct pg_copy *c, const char *v)
{
    pg_copy_textn(c, v, v ? strlen(v) : 0);
}

void pg_copy_textn(struct pg_copy *c, const char *v, size_t len)
{
    if (c->ncol++)
        vg_buf_putc(&c->b, '\t');
    pg_copy_escape(&c->b, v, len);
}

void pg_copy_int(struct pg_copy *c, long long v)
{
    char n[24];
    snprintf(n, sizeof n, "%lld", v);
    pg_copy_text(c, n);
}

void pg_copy_bytes(struct pg_copy *c, const void *v, size_t len)
{
    if (!v) {
        pg_copy_text(c, NULL);
        return;
    }
    static const char hex[] = "0123456789abcdef";
    if (c->ncol++)
        vg_buf_putc(&c->b, '\t');
    /* bytea's hex form, \x..., its backslash escaped for COPY */
    vg_buf_append(&c->b, "\\\\x", 3);
    vg_buf_reserve(&c->b, 2 * len); /* a hint */
    for (size_t i = 0; i < len; i++) {
        unsigned char u = ((const unsigned char *)v)[i];
        char two[2] = {hex[u >> 4], hex[u & 15]};
        vg_buf_append(&c->b, two, 2);
    }
}

int pg_copy_row(struct pg_copy *c)
{
    vg_buf_putc(&c->b, '\n');
    c->ncol = 0;
    if (c->b.failed)
        return VG_ENOMEM;
    return c->b.len >= PG_COPY_FLUSH ? flush(c) : 0;
}

int pg_copy_end(struct pg_copy *c, long long *rows)
{
    struct pg *p = c->p;
    int rc = 0;
    if (!c->open)
        goto out;
    c->open = false;
    if (c->b.failed) {
        /* abandoned: the server fails the COPY, and the write is rolled back */
        PQputCopyEnd(p->conn, "vigie: out of memory");
        rc = VG_ENOMEM;
    } else if (c->sent_failed || flush(c) || PQputCopyEnd(p->conn, NULL) != 1) {
        pg_record(p, NULL);
        rc = VG_EIO;
    }
    /* the results of the COPY, to the last (NULL): its status, or its failure */
    PGresult *r;
    while ((r = PQgetResult(p->conn))) {
        if (PQresultStatus(r) == PGRES_COMMAND_OK) {
            if (rows)
                *rows = strtoll(PQcmdTuples(r), NULL, 10);
        } else if (!rc) {
            pg_record(p, r);
            rc = p->err.code ? p->err.code : VG_EIO;
        }
        PQclear(r);
        if (PQstatus(p->conn) != CONNECTION_OK)
            break;
    }
out:
    vg_buf_cleanup(&c->b);
    return rc;
}
