/* The correlation index: every observable of every incident in memory, so that the incidents
 * related to one observable (equal value, parent or child domain, address in a CIDR or CIDR
 * around an address) are found with a few hash probes and one binary search. Loaded from the
 * store and extended as incidents are created; not thread-safe (the store serialises). */
#ifndef VG_CORR_H
#define VG_CORR_H

#include <stddef.h>

#include "core/observable.h"

struct vg_corr;

struct vg_corr *vg_corr_new(void);
void vg_corr_free(struct vg_corr *c);
/* Adds observable o of incident inc (and, for a URL or an e-mail address, its host as a
 * domain or an address, so that hosts relate to domains and networks). 0 or VG_ENOMEM. */
int vg_corr_add(struct vg_corr *c, long long inc, const struct vg_observable *o);
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

#endif
