/* A fixed ring of jobs under one mutex: reserve counts the places taken (queued or running
 * jobs are not told apart: a place is given back when its job ends), push fills the next slot,
 * each thread takes the oldest. Every job pushed runs, even when the pool is stopping, so
 * that whoever waits for its answer gets one. */
#include "http/hashpool.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "util/mem.h"

struct slot {
    vg_hashpool_fn fn;
    void *arg;
};

struct pool_thread {
    struct vg_hashpool *pool;
    struct vg_store *st; /* this thread's connection */
    pthread_t tid;
    bool started;
};

struct vg_hashpool {
    pthread_mutex_t lock;
    pthread_cond_t cond;  /* a job was pushed, or the pool is stopping */
    struct slot *ring;    /* cap slots */
    unsigned cap;         /* places: threads + queue */
    unsigned head, count; /* oldest queued job, jobs queued */
    unsigned taken;       /* places reserved: queued, about to be, or running */
    bool stopping;        /* no more reservations; threads end when the ring is empty */
    unsigned nthreads;
    struct pool_thread *threads;
};

static void *pool_main(void *arg)
{
    struct pool_thread *t = arg;
    struct vg_hashpool *p = t->pool;
    pthread_setname_np(pthread_self(), "vigie-hash");
    for (;;) {
        pthread_mutex_lock(&p->lock);
        /* a reserved place not pushed yet keeps the thread waiting: its job will come */
        while (!p->count && !(p->stopping && !p->taken))
            pthread_cond_wait(&p->cond, &p->lock);
        if (!p->count) {
            pthread_mutex_unlock(&p->lock);
            break;
        }
        struct slot s = p->ring[p->head];
        p->head = (p->head + 1) % p->cap;
        p->count--;
        pthread_mutex_unlock(&p->lock);
        s.fn(t->st, s.arg);
        vg_hashpool_release(p);
    }
    return NULL;
}

struct vg_hashpool *vg_hashpool_new(unsigned threads, unsigned queue, const char *db,
                                    const struct vg_store_config *cfg, struct vg_diag *d)
{
    struct vg_hashpool *p = vg_calloc(1, sizeof *p);
    if (!threads)
        threads = VG_HASH_THREADS;
    if (!queue)
        queue = VG_HASH_QUEUE;
    if (p) {
        p->cap = threads + queue;
        p->nthreads = threads;
        p->ring = vg_calloc(p->cap, sizeof *p->ring);
        p->threads = vg_calloc(threads, sizeof *p->threads);
    }
    if (!p || !p->ring || !p->threads) {
        if (p) {
            free(p->ring);
            free(p->threads);
            free(p);
        }
        vg_diag_set(d, VG_ENOMEM, "", "out of memory");
        return NULL;
    }
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->cond, NULL);
    for (unsigned i = 0; i < threads; i++) {
        struct pool_thread *t = &p->threads[i];
        t->pool = p;
        t->st = vg_store_open(db, cfg, d);
        if (!t->st)
            goto fail;
        if (pthread_create(&t->tid, NULL, pool_main, t) != 0) {
            vg_diag_set(d, VG_ENOMEM, "", "cannot start the hash pool");
            goto fail;
        }
        t->started = true;
    }
    return p;
fail:
    vg_hashpool_free(p);
    return NULL;
}

bool vg_hashpool_reserve(struct vg_hashpool *p)
{
    pthread_mutex_lock(&p->lock);
    bool ok = !p->stopping && p->taken < p->cap;
    if (ok)
        p->taken++;
    pthread_mutex_unlock(&p->lock);
    return ok;
}

void vg_hashpool_release(struct vg_hashpool *p)
{
    pthread_mutex_lock(&p->lock);
    p->taken--;
    if (p->stopping && !p->taken)
        pthread_cond_broadcast(&p->cond);
    pthread_mutex_unlock(&p->lock);
}

void vg_hashpool_push(struct vg_hashpool *p, vg_hashpool_fn fn, void *arg)
{
    pthread_mutex_lock(&p->lock);
    p->ring[(p->head + p->count) % p->cap] = (struct slot){fn, arg};
    p->count++; /* count <= taken <= cap: a place was reserved */
    pthread_cond_signal(&p->cond);
    pthread_mutex_unlock(&p->lock);
}

void vg_hashpool_stop(struct vg_hashpool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->lock);
    p->stopping = true;
    pthread_cond_broadcast(&p->cond);
    pthread_mutex_unlock(&p->lock);
    for (unsigned i = 0; i < p->nthreads; i++)
        if (p->threads[i].started) {
            pthread_join(p->threads[i].tid, NULL);
            p->threads[i].started = false;
        }
}

void vg_hashpool_free(struct vg_hashpool *p)
{
    if (!p)
        return;
    vg_hashpool_stop(p);
    for (unsigned i = 0; i < p->nthreads; i++)
        vg_store_close(p->threads[i].st);
    pthread_cond_destroy(&p->cond);
    pthread_mutex_destroy(&p->lock);
    free(p->threads);
    free(p->ring);
    free(p);
}
