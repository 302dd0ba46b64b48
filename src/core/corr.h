/* The correlation index: every observable of every incident in memory, so that the incidents
 * related to one observable (equal value, parent or child domain, address in a CIDR or CIDR
 * around an address) are found with a few hash probes and one binary search. Loaded from the
 * store and extended as incidents are created. Not thread-safe but for one case: lookups of a
 * settled index (vg_corr_settle, no add since) only read it, so several threads may look up
 * at once under a read lock (store/pg_corr.c). */
#ifndef VG_CORR_H
#define VG_CORR_H

#include <stdbool.h>
#include <stddef.h>

#include "core/observable.h"
#include "util/buf.h"

struct vg_corr;

struct vg_corr *vg_corr_new(void);
void vg_corr_free(struct vg_corr *c);
/* Adds observable o of incident inc (and, for a URL or an e-mail address, its host as a
 * domain or an address, so that hosts relate to domains and networks). 0 or VG_ENOMEM. */
int vg_corr_add(struct vg_corr *c, long long inc, const struct vg_observable *o);
/* Does now what a lookup would do first (sorts the networks added since, when they are many),
 * so that lookups read the index only, until the next add. 0 or VG_ENOMEM (the index is
 * unchanged, and a lookup would try again). */
int vg_corr_settle(struct vg_corr *c);
/* Number of observables held, and bytes of memory used. */
size_t vg_corr_count(const struct vg_corr *c);
size_t vg_corr_bytes(const struct vg_corr *c);

/* Called for each observable of another incident related to the one looked up, with that
 * observable's normal form (NUL-terminated, valid during the call). Non-zero stops. */
typedef int (*vg_corr_fn)(void *ctx, long long inc, const char *matched);

/* Calls fn for the observables related to o, skipping those of incident self; at most
 * `cap` per kind of relation, so that a very common value cannot swamp the answer. */
void vg_corr_lookup(struct vg_corr *c, const struct vg_observable *o, long long self, size_t cap,
                    vg_corr_fn fn, void *ctx);

/* One pair of observables a related incident shares with the queried one. */
struct vg_corr_pair {
    long long incident;  /* the related incident */
    const char *type;    /* the type of the queried incident's observable (a static name) */
    const char *value;   /* its normal form */
    const char *matched; /* the related incident's observable it relates to */
};

/* A related incident: its pairs, and how related it is. */
struct vg_corr_group {
    long long incident; /* the related incident */
    size_t first;       /* its pairs are pairs[first .. first + count) */
    size_t count;       /* number of pairs, by value then matched */
    size_t distinct;    /* distinct observables of the queried incident it shares */
};

struct vg_corr_hit; /* a match while the query runs (corr.c) */

/* The incidents related to one incident: vg_corr_query_init, vg_corr_query_add for each of
 * its observables, vg_corr_query_rank, then read pairs and groups; vg_corr_query_cleanup
 * frees everything. A lookup allocates only its growing arrays and one text pool (no
 * allocation per match). Fields are the query's; callers only read pairs, groups and their
 * counts after ranking. */
struct vg_corr_query {
    struct vg_corr *c;            /* the index */
    long long self;               /* the queried incident, whose own observables are skipped */
    size_t cap;                   /* matches per observable and kind of relation */
    struct vg_corr_hit *hits;     /* matches so far */
    size_t nhits, caphits;        /* their number, slots allocated */
    struct vg_buf text;           /* the values the pairs point to, NUL-terminated */
    const char *type;             /* the observable being added: its type */
    size_t mine;                  /* and the offset of its value in text */
    bool failed;                  /* out of memory */
    struct vg_corr_pair *pairs;   /* after ranking: distinct pairs by incident, value, matched */
    size_t npairs;                /* their number */
    struct vg_corr_group *groups; /* after ranking: most distinct observables shared first, then
                                   * the newest incident (higher id) */
    size_t ngroups;               /* their number */
};

/* Starts a query of the incidents related to incident self in index c (at most cap matches
 * per observable and kind of relation, so that a very common value cannot swamp it). */
void vg_corr_query_init(struct vg_corr_query *q, struct vg_corr *c, long long self, size_t cap);
/* Adds the matches of o, an observable of the queried incident. 0 or VG_ENOMEM. */
int vg_corr_query_add(struct vg_corr_query *q, const struct vg_observable *o);
/* Groups the matches by incident, drops duplicate pairs and ranks the incidents: fills pairs
 * and groups. No add after it. 0 or VG_ENOMEM. */
int vg_corr_query_rank(struct vg_corr_query *q);
/* Gives the caller the text the pairs' strings point into (free() it; the pairs stay valid
 * while it lives, and the query no longer frees it). NULL if no value was added. */
char *vg_corr_query_steal_text(struct vg_corr_query *q);
/* Frees what the query holds. */
void vg_corr_query_cleanup(struct vg_corr_query *q);

#endif
