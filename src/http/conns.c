/* Connection deadlines and room near the cap (http/conns.h). Each connection has one atomic
 * word: the time it entered its state (milliseconds, monotonic), its state and a flag saying
 * vigie ended it. Workers move a connection between states with a compare-and-swap that fails
 * once the flag is set, so a request is never queued on a connection being ended, and a
 * connection is never ended once queued. The list of connections is only locked when one
 * starts or closes and by the reaper thread's scan (every REAP_MS); libmicrohttpd reports a
 * connection closed before it closes its socket, so a socket shut down under the lock is
 * always still the connection's own. */
#include "http/conns.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#include "util/mem.h"

#define REAP_MS    100 /* how often overdue connections are looked for */

#define ENDED      1ULL /* the flag: vigie shut the socket down */
#define STATE_BITS 3ULL /* the state, shifted by 1 */

struct conn {
    struct conn *prev, *next; /* in the list (lock) */
    int fd;                   /* its socket */
    pthread_t owner;          /* the worker thread that accepted it */
    _Atomic uint64_t word;    /* since_ms << 3 | state << 1 | ENDED */
};

struct vg_conns {
    struct vg_conns_config cfg;
    pthread_mutex_t lock; /* guards the list and stop */
    pthread_cond_t cond;  /* signalled to stop the reaper */
    struct conn *head;    /* connections, newest first */
    bool stop;            /* the reaper is to end */
    pthread_t reaper;
};

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint64_t pack(uint64_t ms, enum vg_conn_state st)
{
    return ms << 3 | (uint64_t)st << 1;
}

/* Ends k unless it moved on since w was read (or was already ended); under the lock. */
static bool end_conn(struct conn *k, uint64_t w)
{
    if (w & ENDED || !atomic_compare_exchange_strong(&k->word, &w, w | ENDED))
        return false;
    shutdown(k->fd, SHUT_RDWR); /* libmicrohttpd reads the end and closes it */
    return true;
}

/* Whether the word w is past its state's deadline at now. */
static bool overdue(const struct vg_conns *cs, uint64_t w, uint64_t now)
{
    uint64_t since = w >> 3, st = (w >> 1) & STATE_BITS;
    if (w & ENDED || now < since)
        return false;
    if (st == VG_CONN_HEADERS)
        return now - since > cs->cfg.header_ms;
    if (st == VG_CONN_BODY)
        return now - since > cs->cfg.body_ms;
    return false;
}

static void *reap_main(void *arg)
{
    struct vg_conns *cs = arg;
    pthread_setname_np(pthread_self(), "vigie-reaper");
    pthread_mutex_lock(&cs->lock);
    while (!cs->stop) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += REAP_MS * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&cs->cond, &cs->lock, &ts);
        uint64_t now = now_ms();
        for (struct conn *k = cs->head; k && !cs->stop; k = k->next) {
            uint64_t w = atomic_load(&k->word);
            if (overdue(cs, w, now))
                end_conn(k, w);
        }
    }
    pthread_mutex_unlock(&cs->lock);
    return NULL;
}

/* When the connections of the calling worker reach their share of the cap less a reserve,
 * ends the one waiting longest for its headers (else for its body); under the lock. */
static void make_room(struct vg_conns *cs, const struct conn *fresh)
{
    unsigned n = 0, high = cs->cfg.per_thread - 1 - cs->cfg.per_thread / 16;
    struct conn *idlest = NULL;
    uint64_t best = 0;
    for (struct conn *k = cs->head; k; k = k->next) {
        if (!pthread_equal(k->owner, fresh->owner))
            continue;
        n++;
        uint64_t w = atomic_load(&k->word);
        uint64_t st = (w >> 1) & STATE_BITS;
        if (k == fresh || w & ENDED || st == VG_CONN_BUSY)
            continue;
        /* headers before bodies, then the oldest */
        uint64_t rank = (st == VG_CONN_HEADERS ? 0 : 1ULL << 62) | (w >> 3);
        if (!idlest || rank <= best) { /* the list is newest first: ties go to the oldest */
            idlest = k;
            best = rank;
        }
    }
    if (n >= high && idlest)
        end_conn(idlest, atomic_load(&idlest->word));
}

struct vg_conns *vg_conns_new(const struct vg_conns_config *cfg)
{
    struct vg_conns *cs = vg_calloc(1, sizeof *cs);
    if (!cs)
        return NULL;
    cs->cfg = *cfg;
    if (cs->cfg.per_thread < 2)
        cs->cfg.per_thread = 2;
    pthread_mutex_init(&cs->lock, NULL);
    pthread_cond_init(&cs->cond, NULL);
    if (pthread_create(&cs->reaper, NULL, reap_main, cs) != 0) {
        pthread_cond_destroy(&cs->cond);
        pthread_mutex_destroy(&cs->lock);
        free(cs);
        return NULL;
    }
    return cs;
}

void vg_conns_free(struct vg_conns *cs)
{
    if (!cs)
        return;
    pthread_mutex_lock(&cs->lock);
    cs->stop = true;
    pthread_cond_signal(&cs->cond);
    pthread_mutex_unlock(&cs->lock);
    pthread_join(cs->reaper, NULL);
    while (cs->head) { /* none after MHD_stop_daemon; freed anyway */
        struct conn *k = cs->head;
        cs->head = k->next;
        free(k);
    }
    pthread_cond_destroy(&cs->cond);
    pthread_mutex_destroy(&cs->lock);
    free(cs);
}

void vg_conns_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
                     enum MHD_ConnectionNotificationCode toe)
{
    struct vg_conns *cs = cls;
    struct conn *k = *socket_context;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        if (!ci || !(k = vg_calloc(1, sizeof *k)))
            return; /* untracked: no deadline but libmicrohttpd's own timeout */
        k->fd = ci->connect_fd;
        k->owner = pthread_self();
        atomic_init(&k->word, pack(now_ms(), VG_CONN_HEADERS));
        pthread_mutex_lock(&cs->lock);
        k->next = cs->head;
        if (cs->head)
            cs->head->prev = k;
        cs->head = k;
        make_room(cs, k);
        pthread_mutex_unlock(&cs->lock);
        *socket_context = k;
    } else if (k) { /* closed: its socket is still open */
        pthread_mutex_lock(&cs->lock);
        if (k->prev)
            k->prev->next = k->next;
        else
            cs->head = k->next;
        if (k->next)
            k->next->prev = k->prev;
        pthread_mutex_unlock(&cs->lock);
        free(k);
        *socket_context = NULL;
    }
}

bool vg_conns_enter(struct MHD_Connection *conn, enum vg_conn_state state)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    struct conn *k = ci ? ci->socket_context : NULL;
    if (!k)
        return true;
    uint64_t w = atomic_load(&k->word), next = pack(now_ms(), state);
    do {
        if (w & ENDED)
            return false;
    } while (!atomic_compare_exchange_weak(&k->word, &w, next));
    return true;
}
