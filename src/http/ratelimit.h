/* A per-client token bucket, for the public intake: at most `burst` requests at once,
 * refilled at `per_minute`; clients are keyed by their network (vg_ratelimit_key), so that
 * the addresses of one IPv6 /64 share one bucket. Plus one global bucket for all clients.
 * Thread-safe; memory bounded by a fixed table. */
#ifndef VG_RATELIMIT_H
#define VG_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>

struct vg_ratelimit;

struct vg_ratelimit *vg_ratelimit_new(double per_minute, double burst);
void vg_ratelimit_free(struct vg_ratelimit *rl);
/* True if the client may proceed now; otherwise *retry_after is seconds to wait. */
bool vg_ratelimit_take(struct vg_ratelimit *rl, const char *client, int *retry_after);
/* The bucket key of a client address: its network, "192.0.2.0/24" for IPv4 (IPv4-mapped
 * IPv6 too) with prefix v4_prefix (1..32), "2001:db8:1:2::/64" for IPv6 with v6_prefix
 * (1..128). A client that is not an address ("unknown") is its own key. */
void vg_ratelimit_key(const char *client, int v4_prefix, int v6_prefix, char *out, size_t cap);
/* Takes a token from the one global bucket, refilled at per_minute with a burst of as many
 * (the rate given at the first call is kept). False and *retry_after as vg_ratelimit_take. */
bool vg_ratelimit_take_global(struct vg_ratelimit *rl, double per_minute, int *retry_after);

#endif
