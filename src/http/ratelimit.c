/* Token buckets in a bounded cache (util/hash.h's vg_cache) keyed by client address: when a
 * client's probe window is full, the least recently seen bucket there is reused, so memory
 * stays fixed whatever the number of clients. */
#include "http/ratelimit.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util/hash.h"
#include "util/mem.h"
#include "util/time.h"

#define SLOTS      4096 /* buckets */
#define PROBE      16   /* slots a client's bucket may sit in */
#define CLIENT_MAX 63   /* bytes of a client address kept (struct vg_req's client holds 63) */

struct bucket {
    double tokens;
    double last; /* seconds, monotonic */
};

struct vg_ratelimit {
    pthread_mutex_t lock;
    double rate; /* tokens per second */
    double burst;
    struct vg_cache buckets; /* client -> struct bucket */
};

struct vg_ratelimit *vg_ratelimit_new(double per_minute, double burst)
{
    struct vg_ratelimit *rl = vg_calloc(1, sizeof *rl);
    if (!rl)
        return NULL;
    if (vg_cache_init(&rl->buckets, SLOTS, PROBE, CLIENT_MAX, sizeof(struct bucket))) {
        free(rl);
        return NULL;
    }
    pthread_mutex_init(&rl->lock, NULL);
    rl->rate = per_minute / 60.0;
    rl->burst = burst < 1 ? 1 : burst;
    return rl;
}

void vg_ratelimit_free(struct vg_ratelimit *rl)
{
    if (!rl)
        return;
    pthread_mutex_destroy(&rl->lock);
    vg_cache_cleanup(&rl->buckets);
    free(rl);
}

bool vg_ratelimit_take(struct vg_ratelimit *rl, const char *client, int *retry_after)
{
    double t = vg_time_mono();
    size_t n = strlen(client);
    bool added;
    pthread_mutex_lock(&rl->lock);
    struct bucket *b = vg_cache_put(&rl->buckets, client, n < CLIENT_MAX ? n : CLIENT_MAX, &added);
    if (added) {
        b->tokens = rl->burst;
        b->last = t;
    }
    b->tokens += (t - b->last) * rl->rate;
    if (b->tokens > rl->burst)
        b->tokens = rl->burst;
    b->last = t;
    bool ok = b->tokens >= 1.0;
    if (ok)
        b->tokens -= 1.0;
    else if (retry_after)
        *retry_after = rl->rate > 0 ? (int)((1.0 - b->tokens) / rl->rate) + 1 : 60;
    pthread_mutex_unlock(&rl->lock);
    return ok;
}
