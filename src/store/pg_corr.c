/* PostgreSQL backend: the incidents related to one through their observables (sqlite_corr.c's
 * lookup; the index and its queries are core's, core/corr.h). The read-only connections of one
 * process to one database share one index (a server's reader threads: one copy in memory,
 * loaded once); another connection has its own, as it may read rows its transaction wrote and
 * then rolls back. Before each lookup a connection catches its index up with the observable
 * table by reading the rows after the last id it holds.
 *
 * With several servers that is only right if observables' ids become visible in increasing
 * order: an identity value is taken at the insert but shows at the commit, so a server could
 * see id 10 committed while 9 is not yet, move past 9 and never see it. pg_incidents.c
 * therefore inserts observables only under a transaction-level advisory lock
 * (PG_OBSERVABLE_LOCK), held to the commit: the writer of 10 took it after the writer of 9 had
 * committed (or rolled back), so whoever sees 10 already sees 9. The reads take no lock. (A row
 * written to the table by another program, bypassing that lock, could be missed by an index
 * already past its id until the server restarts.) The same order makes sharing safe: what a
 * connection reads after the index's last id is every row it sees past it, a run of ids that
 * another connection, with a newer snapshot, may have added already (those are skipped); one
 * with an older snapshot finds nothing new, and its lookup may list an incident it cannot see
 * yet, which its rows' query then leaves out ("gone since the index read it"). */
#include "store/pg_int.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/corr.h"
#include "core/observable.h"
#include "util/buf.h"
#include "util/mem.h"
#include "util/str.h"

#define RELATED_PER_QUERY 1000 /* matches read per lookup, so a common value cannot swamp us */

/* Rows read per catch-up query. The limit also keeps the plan an ordered scan of the primary
 * key from the last id: without it, a table whose statistics are behind (a bulk of inserts
 * since the last ANALYZE) is planned as a full scan and sort at each lookup (measured: 30x
 * slower /related on 20,000 incidents). */
#define CATCH_UP_ROWS     10000
#define STRING_OF(x)      #x
#define STRING(x)         STRING_OF(x)

/* The index of one database, shared by this process's connections to it. */
struct pg_corr_shared {
    char key[64];          /* the database: its cluster's system identifier and its oid */
    bool shared;           /* in the registry (read-only connections), else one's own */
    int refs;              /* connections holding it (guarded by registry_lock) */
    pthread_rwlock_t lock; /* lookups read under it; a catch-up's adds write */
    struct vg_corr *corr;  /* NULL until loaded, or after a failed add */
    long long last;        /* id of the last observable row it holds */
    unsigned long gen;     /* loads so far: a catch-up read for another load adds nothing */
    struct pg_corr_shared *next;
};

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct pg_corr_shared *registry;

/* The index of p: for a read-only connection its database's shared one, taken (a reference)
 * at its first lookup; NULL on failure. */
static struct pg_corr_shared *shared_of(struct pg *p)
{
    if (p->corr)
        return p->corr;
    if (!p->read_only) {
        struct pg_corr_shared *own = vg_calloc(1, sizeof *own);
        if (own)
            pthread_rwlock_init(&own->lock, NULL);
        return p->corr = own;
    }
    PGresult *r = pg_run(p,
                         "SELECT (SELECT system_identifier FROM pg_control_system())::text || '/' "
                         "|| (SELECT oid FROM pg_database WHERE datname = current_database())",
                         NULL);
    if (!r)
        return NULL;
    char key[64];
    snprintf(key, sizeof key, "%s", pg_get_text(r, 0, 0));
    PQclear(r);
    pthread_mutex_lock(&registry_lock);
    struct pg_corr_shared *s = registry;
    while (s && strcmp(s->key, key) != 0)
        s = s->next;
    if (!s && (s = vg_calloc(1, sizeof *s))) {
        memcpy(s->key, key, sizeof s->key);
        s->shared = true;
        pthread_rwlock_init(&s->lock, NULL);
        s->next = registry;
        registry = s;
    }
    if (s)
        s->refs++;
    pthread_mutex_unlock(&registry_lock);
    return p->corr = s;
}

void pg_corr_release(struct pg *p)
{
    struct pg_corr_shared *s = p->corr;
    if (!s)
        return;
    p->corr = NULL;
    pthread_mutex_lock(&registry_lock);
    bool last = !s->shared || --s->refs == 0;
    if (last && s->shared) {
        struct pg_corr_shared **at = &registry;
        while (*at != s)
            at = &(*at)->next;
        *at = s->next;
    }
    pthread_mutex_unlock(&registry_lock);
    if (last) {
        vg_corr_free(s->corr);
        pthread_rwlock_destroy(&s->lock);
        free(s);
    }
}

long long pg_corr_last(struct pg *p)
{
    struct pg_corr_shared *s = p->corr;
    if (!s)
        return 0;
    pthread_rwlock_rdlock(&s->lock);
    long long last = s->corr ? s->last : 0;
    pthread_rwlock_unlock(&s->lock);
    return last;
}

bool pg_corr_same(struct pg *a, struct pg *b)
{
    return a->corr && a->corr == b->corr;
}

/* Rows of a catch-up after the id of parameter P: (1, id, incident_id, type, value), by id
 * (the first column tells them from the looked-up incident's own observables read with them,
 * pg_incident_related). */
#define CATCH_UP_SELECT(P)                                                                         \
    "SELECT 1, id, incident_id, type, value FROM observable WHERE id > " P " ORDER BY id "         \
    "LIMIT " STRING(CATCH_UP_ROWS)

/* Where a catch-up stands: the index's state when its rows were asked for. */
struct catch_up {
    bool loaded;       /* the index was loaded */
    long long from;    /* the rows were read after this id */
    unsigned long gen; /* for this load */
};

static struct catch_up catch_up_state(struct pg_corr_shared *s)
{
    pthread_rwlock_rdlock(&s->lock);
    struct catch_up c = {s->corr != NULL, s->corr ? s->last : 0, s->gen};
    pthread_rwlock_unlock(&s->lock);
    return c;
}

/* Adds rows [first, first + n) of r (CATCH_UP_SELECT's), read as c says, past the index's last
 * id: another connection may have added some already. 0, or VG_ENOMEM (the index is then
 * dropped, to be loaded again). If the index was dropped since the rows were read from a later
 * id, they are not added (they would leave a gap): the caller reads again. */
static int add_rows(struct pg_corr_shared *s, PGresult *r, int first, int n, struct catch_up c)
{
    long long from = c.from;
    unsigned long gen = c.gen;
    int rc = 0;
    pthread_rwlock_wrlock(&s->lock);
    if (gen != s->gen) {
        pthread_rwlock_unlock(&s->lock);
        return 0;
    }
    if (!s->corr) {
        s->last = 0;
        if (from != 0 || !(s->corr = vg_corr_new()))
            rc = from != 0 ? 0 : VG_ENOMEM;
        if (!s->corr) {
            pthread_rwlock_unlock(&s->lock);
            return rc;
        }
    }
    struct vg_observable o;
    for (int i = first; rc == 0 && i < first + n; i++) {
        long long id = pg_get_int(r, i, 1);
        if (id <= s->last)
            continue;
        s->last = id;
        if (vg_observable_parse(vg_str_c(pg_get_text(r, i, 4)),
                                vg_obs_type_parse(pg_get_text(r, i, 3)), &o, NULL) == 0)
            rc = vg_corr_add(s->corr, pg_get_int(r, i, 2), &o);
    }
    if (rc == 0)
        rc = vg_corr_settle(s->corr); /* lookups under the read lock then change nothing */
    if (rc) {
        vg_corr_free(s->corr);
        s->corr = NULL;
        s->gen++;
    }
    pthread_rwlock_unlock(&s->lock);
    return rc;
}

/* Adds the n catch-up rows from `first` of r, read as c says, and tells whether the index is
 * caught up with what p sees: then (1) it returns with s's read lock held; 0 when more rows
 * are to be read (a full chunk, or the index dropped meanwhile); or an error. */
static int caught_up(struct pg_corr_shared *s, PGresult *r, int first, int n, struct catch_up c)
{
    int rc = n || !c.loaded ? add_rows(s, r, first, n, c) : 0;
    if (rc)
        return -rc;
    if (n == CATCH_UP_ROWS)
        return 0;
    pthread_rwlock_rdlock(&s->lock);
    if (s->corr && s->gen == c.gen)
        return 1;
    pthread_rwlock_unlock(&s->lock); /* dropped meanwhile: load it again */
    return 0;
}

/* Catches s up with the observables p sees, by chunks; returns with s's read lock held (0) or
 * not (an error). */
static int corr_catch_up(struct pg *p, struct pg_corr_shared *s)
{
    for (;;) {
        struct catch_up c = catch_up_state(s);
        struct pg_params pp = {0};
        pg_param_int(&pp, c.from);
        PGresult *r = pg_run(p, CATCH_UP_SELECT("$1"), &pp);
        if (!r)
            return VG_EIO;
        int rc = caught_up(s, r, 0, PQntuples(r), c);
        PQclear(r);
        if (rc)
            return rc > 0 ? 0 : -rc;
    }
}

struct related_rows {
    const PGresult *rows; /* id, ref, title, status, severity, tlp of the related incidents,
                           * ordered by id */
};

/* The row of incident inc for sq_related_fill, found among the rows read at once. */
static int related_row(void *ctx, long long inc, const char *cols[5])
{
    const struct related_rows *rr = ctx;
    int lo = 0, hi = rr->rows ? PQntuples(rr->rows) - 1 : -1;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        long long id = pg_get_int(rr->rows, mid, 0);
        if (id == inc) {
            for (int c = 0; c < 5; c++)
                cols[c] = pg_get_text(rr->rows, mid, c + 1);
            return 1;
        }
        if (id < inc)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return 0; /* gone since the index read it */
}

/* The rows of the first limit incidents ranked by cq (those sq_related_fill lists), in one
 * query (at least one); NULL on failure. */
static PGresult *related_rows_read(struct pg *p, const struct vg_corr_query *cq, int limit)
{
    size_t keep = cq->ngroups < (size_t)(limit > 0 ? limit : 0) ? cq->ngroups : (size_t)limit;
    struct vg_buf ids;
    vg_buf_init(&ids, VG_MAX_BUF);
    vg_buf_putc(&ids, '{');
    for (size_t k = 0; k < keep; k++)
        vg_buf_printf(&ids, k ? ",%lld" : "%lld", cq->groups[k].incident);
    vg_buf_putc(&ids, '}');
    if (ids.failed) {
        vg_buf_cleanup(&ids);
        return NULL;
    }
    struct pg_params pp = {0};
    pg_param_text(&pp, ids.data);
    PGresult *r = pg_run(p,
                         "SELECT id, ref, title, status, severity, tlp FROM incident "
                         "WHERE id = ANY($1::bigint[]) ORDER BY id",
                         &pp);
    vg_buf_cleanup(&ids);
    return r;
}

/* Two round trips: the incident's observables with the index's catch-up (then one more per
 * 10,000 new observables), and the related incidents' rows. */
int pg_incident_related(struct vg_store *st, const char *ref, int limit,
                        struct vg_related_list *out)
{
    struct pg *p = pg_of(st);
    memset(out, 0, sizeof *out);
    struct pg_corr_shared *s = shared_of(p);
    if (!s)
        return VG_EIO;
    struct catch_up c = catch_up_state(s);
    struct pg_params pp = {0};
    pg_param_text(&pp, ref);
    pg_param_int(&pp, c.from);
    /* (0, observable id, incident id, type, value) of the incident itself, by id, one row with
     * NULLs if it has none; then the catch-up's rows */
    PGresult *r = pg_run(p,
                         "SELECT 0, o.id, i.id, o.type, o.value FROM incident i "
                         "LEFT JOIN observable o ON o.incident_id = i.id WHERE i.ref = $1 "
                         "UNION ALL (" CATCH_UP_SELECT("$2") ") ORDER BY 1, 2",
                         &pp);
    if (!r)
        return VG_EIO;
    int nself = 0, n = PQntuples(r);
    while (nself < n && pg_get_int(r, nself, 0) == 0)
        nself++;
    int rc = caught_up(s, r, nself, n - nself, c);
    if (rc == 0) {
        int more = corr_catch_up(p, s);
        rc = more ? -more : 1;
    }
    if (rc < 0) {
        PQclear(r);
        return -rc == VG_ENOMEM ? VG_ENOMEM : VG_EIO;
    }
    /* s's read lock is held: the query copies what it keeps, the ranking ends the reading */
    if (nself == 0) {
        pthread_rwlock_unlock(&s->lock);
        PQclear(r);
        return VG_ENOENT;
    }
    long long self = pg_get_int(r, 0, 2);
    struct vg_corr_query cq;
    vg_corr_query_init(&cq, s->corr, self, RELATED_PER_QUERY);
    rc = VG_ENOMEM;
    struct vg_observable o;
    int added = 0;
    for (int i = 0; added == 0 && i < nself; i++)
        if (!PQgetisnull(r, i, 1) &&
            vg_observable_parse(vg_str_c(pg_get_text(r, i, 4)),
                                vg_obs_type_parse(pg_get_text(r, i, 3)), &o, NULL) == 0)
            added = vg_corr_query_add(&cq, &o);
    PQclear(r);
    int ranked = added ? added : vg_corr_query_rank(&cq);
    pthread_rwlock_unlock(&s->lock);
    if (ranked)
        goto out;
    struct related_rows rr = {NULL};
    if (cq.ngroups && limit > 0 && !(rr.rows = related_rows_read(p, &cq, limit))) {
        rc = VG_EIO;
        goto out;
    }
    rc = sq_related_fill(out, &cq, limit, related_row, &rr);
    PQclear((PGresult *)rr.rows);
out:
    if (rc)
        vg_related_list_free(out);
    vg_corr_query_cleanup(&cq);
    return rc;
}
