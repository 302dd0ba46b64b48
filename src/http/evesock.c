/* Suricata's socket output into the server: match/listen.c's readers and queue, and one thread
 * taking batches from the queue (2000 lines, or what queued in 100 ms) to the database thread,
 * where they are matched and recorded as POST /api/v1/events's bodies are (app/events.c), in
 * one savepoint of the database thread's batch. The index is the server's events index,
 * rebuilt there when the indicators change: that is the reload point of this path. */
#include "http/evesock.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/events.h"
#include "core/attrib.h"
#include "match/listen.h"
#include "util/limits.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/time.h"

#define EVE_BATCH   2000 /* lines per batch at most */
#define EVE_WAIT_MS 100  /* a line waits this long at most for its batch */
#define EVE_SHOWN   10   /* malformed lines logged, in all */

struct vg_evesock {
    struct vg_server *srv;
    struct vg_listen *l;
    pthread_t thread;
    atomic_bool stop;
    atomic_ullong malformed; /* lines the scanner could not read */
    atomic_ullong lost;      /* lines of batches the database did not store */
    atomic_ulong shown;      /* messages logged */
};

/* A reader's message (any thread). */
static void note(void *ctx, unsigned conn, uint64_t line, const char *message)
{
    struct vg_evesock *es = ctx;
    if (atomic_fetch_add(&es->shown, 1) < EVE_SHOWN)
        vg_warn("eve socket %s#%u:%llu: %s", vg_listen_path(es->l), conn, (unsigned long long)line,
                message);
}

/* One batch, as the database thread runs it. */
struct work {
    struct vg_evesock *es;
    const struct vg_events_piece *pieces;
    size_t n;
    const char *source; /* the piece being matched, for the messages */
    uint64_t base;      /* its lines before its data */
    struct vg_match_stats st;
    int rc;
    struct vg_diag d;
};

static void bad_line(void *ctx, uint64_t line, const char *message)
{
    struct work *w = ctx;
    atomic_fetch_add(&w->es->malformed, 1);
    if (atomic_fetch_add(&w->es->shown, 1) < EVE_SHOWN)
        vg_warn("eve socket %s:%llu: %s", w->source, (unsigned long long)(w->base + line), message);
}

static void piece_start(void *ctx, const struct vg_events_piece *p)
{
    struct work *w = ctx;
    w->source = p->source;
    w->base = p->first - 1;
}

/* On the database thread: the batch matched with the server's events index and recorded. */
static void ingest(struct vg_store *st, void *ctx)
{
    struct work *w = ctx;
    char now[VG_TIME_LEN];
    vg_time_now(now);
    struct vg_attrib *attrib = NULL;
    struct vg_events_recorder *rec = NULL;
    const struct vg_match_index *idx =
        vg_events_index_current(vg_server_events(w->es->srv), st, now, &w->d);
    if (!idx || !(attrib = vg_store_attrib_new(st, &w->d))) {
        w->rc = VG_EIO;
        goto out;
    }
    struct vg_actor who = {0, "system", "admin", 0};
    struct vg_match_sink also = {NULL, bad_line, w};
    if (!(rec = vg_events_recorder_new(st, &who, idx, attrib, SIZE_MAX, &also))) {
        w->rc = vg_diag_set(&w->d, VG_ENOMEM, "", "out of memory");
        goto out;
    }
    struct vg_match_scan_opts opts = {VG_MATCH_FORMAT_EVE, 1, 0};
    w->rc =
        vg_events_record_batch(rec, &opts, w->pieces, w->n, piece_start, NULL, w, &w->st, &w->d);
out:
    vg_events_recorder_free(rec);
    vg_attrib_free(attrib);
}

/* One batch through the database thread. 0, VG_ENOMEM or the database's error (logged). */
static int run_batch(struct vg_evesock *es, struct vg_listen_item *items)
{
    struct vg_listen_batch b;
    struct vg_events_piece *pieces = NULL;
    int rc = vg_listen_batch_make(es->l, items, &b);
    if (!rc && !(pieces = vg_malloc((b.n ? b.n : 1) * sizeof *pieces)))
        rc = VG_ENOMEM;
    for (size_t i = 0; !rc && i < b.n; i++)
        pieces[i] = (struct vg_events_piece){b.v[i].data, b.v[i].len, b.v[i].source, b.v[i].first};
    if (!rc) {
        const char *path = vg_listen_path(es->l);
        struct work w = {es, pieces, b.n, NULL, 0, {0}, 0, {{0}, {0}, 0, -1}};
        vg_diag_clear(&w.d);
        rc = vg_server_run_db(es->srv, ingest, &w);
        if (rc == VG_EIO)
            vg_error("eve socket %s: a batch of %zu lines was not stored: the commit failed", path,
                     (size_t)w.st.lines);
        else if (!rc && w.rc)
            vg_error("eve socket %s: a batch was not stored: %s", path, w.d.message);
        rc = rc ? rc : w.rc;
    }
    if (rc)
        for (const struct vg_listen_item *it = items; it; it = it->next)
            atomic_fetch_add(&es->lost, it->lines);
    free(pieces);
    vg_listen_batch_cleanup(&b);
    return rc;
}

static void *main_loop(void *arg)
{
    struct vg_evesock *es = arg;
    pthread_setname_np(pthread_self(), "vigie-eve");
    for (;;) {
        bool stopping = atomic_load(&es->stop);
        struct vg_listen_item *items = vg_listen_take(es->l, EVE_BATCH, EVE_BATCH, EVE_WAIT_MS);
        if (!items) {
            if (stopping)
                return NULL;
            continue;
        }
        if (run_batch(es, items) == VG_ENOMEM)
            vg_error("eve socket %s: out of memory, a batch was lost", vg_listen_path(es->l));
        vg_listen_items_free(items);
    }
}

struct vg_evesock *vg_evesock_start(struct vg_server *srv, const char *path, size_t queue,
                                    struct vg_diag *d)
{
    struct vg_evesock *es = vg_calloc(1, sizeof *es);
    if (!es) {
        vg_diag_set(d, VG_ENOMEM, "", "out of memory");
        return NULL;
    }
    es->srv = srv;
    size_t bytes = queue > SIZE_MAX / 1024 ? SIZE_MAX : queue * 1024;
    if (bytes < 2 * (size_t)VG_MAX_LINE + 2)
        bytes = 2 * (size_t)VG_MAX_LINE + 2;
    struct vg_listen_opts lo = {queue, bytes, note, es};
    if (vg_listen_open(path, &lo, &es->l, d) != 0) {
        free(es);
        return NULL;
    }
    if (pthread_create(&es->thread, NULL, main_loop, es) != 0) {
        vg_listen_close(es->l);
        free(es);
        vg_diag_set(d, VG_ENOMEM, "", "no thread for the eve socket");
        return NULL;
    }
    return es;
}

void vg_evesock_stop(struct vg_evesock *es)
{
    if (!es || atomic_load(&es->stop))
        return;
    vg_listen_stop(es->l); /* nothing more is queued; take returns at once from now on */
    atomic_store(&es->stop, true);
    pthread_join(es->thread, NULL);
}

void vg_evesock_free(struct vg_evesock *es)
{
    if (!es)
        return;
    vg_evesock_stop(es);
    vg_listen_close(es->l);
    free(es);
}

struct vg_eve_counts vg_evesock_counts(struct vg_evesock *es)
{
    struct vg_listen_counts c = vg_listen_counts(es->l);
    struct vg_eve_counts out = {c.connections, c.lines, c.dropped,
                                c.malformed + atomic_load(&es->malformed), atomic_load(&es->lost)};
    return out;
}
