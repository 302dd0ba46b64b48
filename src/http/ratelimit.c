/* Token buckets in a bounded cache (util/hash.h's vg_cache) keyed by client network: when a
 * client's probe window is full, the least recently seen bucket there is reused, so memory
 * stays fixed whatever the number of clients. The global bucket lives apart, never evicted. */
#include "http/ratelimit.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/observable.h"
#include "http/proxy.h"
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
    struct bucket global;    /* all clients (vg_ratelimit_take_global) */
    double global_rate;      /* its tokens per second; 0 until its first use */
    double global_burst;
};

/* Refills b at rate up to burst, then takes a token if there is one. */
static bool take(struct bucket *b, double t, double rate, double burst, int *retry_after)
{
    b->tokens += (t - b->last) * rate;
    if (b->tokens > burst)
        b->tokens = burst;
    b->last = t;
    if (b->tokens >= 1.0) {
        b->tokens -= 1.0;
        return true;
    }
    if (retry_after)
        *retry_after = rate > 0 ? (int)((1.0 - b->tokens) / rate) + 1 : 60;
    return false;
}

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
    bool ok = take(b, t, rl->rate, rl->burst, retry_after);
    pthread_mutex_unlock(&rl->lock);
    return ok;
}

bool vg_ratelimit_take_global(struct vg_ratelimit *rl, double per_minute, int *retry_after)
{
    double t = vg_time_mono();
    pthread_mutex_lock(&rl->lock);
    if (rl->global_rate <= 0) {
        rl->global_rate = per_minute / 60.0;
        rl->global_burst = per_minute < 1 ? 1 : per_minute;
        rl->global.tokens = rl->global_burst;
        rl->global.last = t;
    }
    bool ok = take(&rl->global, t, rl->global_rate, rl->global_burst, retry_after);
    pthread_mutex_unlock(&rl->lock);
    return ok;
}

void vg_ratelimit_key(const char *client, int v4_prefix, int v6_prefix, char *out, size_t cap)
{
    struct vg_addr a;
    if (vg_addr_parse(client, strlen(client), &a)) {
        snprintf(out, cap, "%s", client);
        return;
    }
    int bits = a.v4 ? v4_prefix : v6_prefix, max = a.v4 ? 32 : 128;
    if (bits < 1 || bits > max)
        bits = max;
    struct vg_addr net = {.v4 = a.v4};
    vg_ip_mask(a.ip, bits + (a.v4 ? 96 : 0), net.ip);
    char s[64];
    vg_addr_format(&net, s, sizeof s);
    snprintf(out, cap, "%s/%d", s, bits);
}
