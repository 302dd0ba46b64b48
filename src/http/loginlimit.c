/* Exponential backoff of failed logins in a bounded cache (util/hash.h's vg_cache) keyed by
 * "a" + client address and "n" + lowercased account name: when a key's probe window is full,
 * the least recently seen entry there gives way, so memory stays fixed whatever the number of
 * addresses and names tried. An entry quiet for max_wait seconds after its last attempt and
 * after its wait is forgotten. */
#include "http/loginlimit.h"

#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util/hash.h"
#include "util/mem.h"
#include "util/time.h"

#define SLOTS   8192 /* entries, addresses and names together */
#define PROBE   16   /* slots a key may sit in */
#define KEY_MAX 96   /* bytes of a key kept: a longer name is cut (no account has one) */

struct entry {
    int attempts; /* attempts counted since the last success or since it was forgotten */
    double until; /* no attempt before this (monotonic seconds) */
    double last;  /* the last attempt taken (monotonic seconds) */
};

struct vg_loginlimit {
    pthread_mutex_t lock;
    int free_attempts;     /* attempts without a wait */
    int max_wait;          /* seconds */
    struct vg_cache table; /* key -> struct entry */
};

struct vg_loginlimit *vg_loginlimit_new(int free_attempts, int max_wait)
{
    struct vg_loginlimit *ll = vg_calloc(1, sizeof *ll);
    if (!ll)
        return NULL;
    if (vg_cache_init(&ll->table, SLOTS, PROBE, KEY_MAX, sizeof(struct entry))) {
        free(ll);
        return NULL;
    }
    pthread_mutex_init(&ll->lock, NULL);
    ll->free_attempts = free_attempts > 0 ? free_attempts : VG_LOGIN_FREE;
    ll->max_wait = max_wait > 0 ? max_wait : VG_LOGIN_WAIT_MAX;
    return ll;
}

void vg_loginlimit_free(struct vg_loginlimit *ll)
{
    if (!ll)
        return;
    pthread_mutex_destroy(&ll->lock);
    vg_cache_cleanup(&ll->table);
    free(ll);
}

/* The key of an address ('a') or a name ('n', lowercased) into k; its length. */
static size_t make_key(char kind, const char *s, char k[KEY_MAX])
{
    size_t n = 0;
    k[n++] = kind;
    for (; *s && n < KEY_MAX; s++)
        k[n++] = kind == 'n' ? (char)tolower((unsigned char)*s) : *s;
    return n;
}

/* The entry of a key, created or forgotten as needed; NULL only if the table is not there. */
static struct entry *entry_of(struct vg_loginlimit *ll, char kind, const char *s, double now)
{
    char k[KEY_MAX];
    size_t n = make_key(kind, s, k);
    bool added;
    struct entry *e = vg_cache_put(&ll->table, k, n, &added);
    if (e && !added && now >= fmax(e->until, e->last) + ll->max_wait)
        *e = (struct entry){0, 0, 0}; /* long quiet: forgotten */
    return e;
}

/* Past the free attempts, the next waits 1 s, then 2 s, 4 s ... from now. */
static void arm_wait(const struct vg_loginlimit *ll, struct entry *e, double now)
{
    int over = e->attempts - ll->free_attempts;
    if (over >= 0)
        e->until = now + (over >= 30 ? ll->max_wait : fmin(ldexp(1.0, over), ll->max_wait));
}

bool vg_loginlimit_take(struct vg_loginlimit *ll, const char *client, const char *name,
                        int *retry_after)
{
    double now = vg_time_mono();
    pthread_mutex_lock(&ll->lock);
    struct entry *a = entry_of(ll, 'a', client, now);
    struct entry *n = entry_of(ll, 'n', name, now);
    double until = 0;
    if (a && a->until > until)
        until = a->until;
    if (n && n->until > until)
        until = n->until;
    bool ok = now >= until;
    if (ok) {
        struct entry *both[2] = {a, n};
        for (int i = 0; i < 2; i++)
            if (both[i]) {
                both[i]->attempts++;
                both[i]->last = now;
                arm_wait(ll, both[i], now);
            }
    } else if (retry_after) {
        *retry_after = (int)ceil(until - now);
        if (*retry_after < 1)
            *retry_after = 1;
    }
    pthread_mutex_unlock(&ll->lock);
    return ok;
}

void vg_loginlimit_failed(struct vg_loginlimit *ll, const char *client, const char *name)
{
    double now = vg_time_mono();
    pthread_mutex_lock(&ll->lock);
    struct entry *a = entry_of(ll, 'a', client, now);
    struct entry *n = entry_of(ll, 'n', name, now);
    if (a)
        arm_wait(ll, a, now);
    if (n)
        arm_wait(ll, n, now);
    pthread_mutex_unlock(&ll->lock);
}

void vg_loginlimit_succeeded(struct vg_loginlimit *ll, const char *client, const char *name)
{
    pthread_mutex_lock(&ll->lock);
    struct entry *a = entry_of(ll, 'a', client, 0);
    struct entry *n = entry_of(ll, 'n', name, 0);
    if (a)
        *a = (struct entry){0, 0, 0};
    if (n)
        *n = (struct entry){0, 0, 0};
    pthread_mutex_unlock(&ll->lock);
}
