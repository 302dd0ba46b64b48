/* Token buckets in a fixed open-addressing table keyed by client address. When the table is
 * full the least recently seen bucket in the probe window is reused, so memory stays fixed
 * whatever the number of clients. */
#include "http/ratelimit.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SLOTS 4096
#define PROBE 16

struct bucket {
    char client[64];
    double tokens;
    double last; /* seconds, monotonic */
};

struct vg_ratelimit {
    pthread_mutex_t lock;
    double rate; /* tokens per second */
    double burst;
    struct bucket slots[SLOTS];
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static unsigned hash(const char *s)
{
    unsigned h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

struct vg_ratelimit *vg_ratelimit_new(double per_minute, double burst)
{
    struct vg_ratelimit *rl = calloc(1, sizeof *rl);
    if (!rl)
        return NULL;
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
    free(rl);
}

bool vg_ratelimit_take(struct vg_ratelimit *rl, const char *client, int *retry_after)
{
    double t = now_s();
    unsigned h = hash(client);
    pthread_mutex_lock(&rl->lock);
    struct bucket *b = NULL, *oldest = NULL;
    for (unsigned i = 0; i < PROBE; i++) {
        struct bucket *c = &rl->slots[(h + i) % SLOTS];
        if (strcmp(c->client, client) == 0) {
            b = c;
            break;
        }
        if (!oldest || c->last < oldest->last)
            oldest = c;
    }
    if (!b) {
        b = oldest;
        snprintf(b->client, sizeof b->client, "%s", client);
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
