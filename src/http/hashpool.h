/* The password-hash pool: a few threads of their own, each with its own store connection, that
 * run the Argon2id checks of logins (about 200 ms each) so that neither the database thread
 * nor the workers wait on them. Its queue is bounded: a job it cannot take is refused at once
 * (the server answers 503) rather than waited for. */
#ifndef VG_HASHPOOL_H
#define VG_HASHPOOL_H

#include <stdbool.h>

#include "store/store.h"

#define VG_HASH_THREADS 2  /* threads, by default */
#define VG_HASH_QUEUE   32 /* jobs waiting for a thread, at most, by default */

struct vg_hashpool;

/* What a job does, on a pool thread, with that thread's store connection. */
typedef void (*vg_hashpool_fn)(struct vg_store *st, void *arg);

/* Starts `threads` threads (0: VG_HASH_THREADS), each with a connection to db (opened here:
 * errors are reported now), taking at most `queue` waiting jobs (0: VG_HASH_QUEUE). NULL
 * with d filled on failure. */
struct vg_hashpool *vg_hashpool_new(unsigned threads, unsigned queue, const char *db,
                                    const struct vg_store_config *cfg, struct vg_diag *d);
/* Reserves a place for one job: false when the queue is full or the pool stopping. A place
 * reserved is used by vg_hashpool_push or given back by vg_hashpool_release. */
bool vg_hashpool_reserve(struct vg_hashpool *p);
void vg_hashpool_release(struct vg_hashpool *p);
/* Queues fn(st, arg) on the place reserved; never fails, never blocks for long. */
void vg_hashpool_push(struct vg_hashpool *p, vg_hashpool_fn fn, void *arg);
/* Refuses new jobs, runs those queued, and stops the threads. Safe to call twice. */
void vg_hashpool_stop(struct vg_hashpool *p);
/* Stops it (if not done) and frees it, its connections closed. NULL does nothing. */
void vg_hashpool_free(struct vg_hashpool *p);

#endif
