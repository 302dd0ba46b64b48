/* A per-client token bucket, for the public intake: at most `burst` requests at once,
 * refilled at `per_minute`. Thread-safe; memory bounded by a fixed table. */
#ifndef VG_RATELIMIT_H
#define VG_RATELIMIT_H

#include <stdbool.h>

struct vg_ratelimit;

struct vg_ratelimit *vg_ratelimit_new(double per_minute, double burst);
void vg_ratelimit_free(struct vg_ratelimit *rl);
/* True if the client may proceed now; otherwise *retry_after is seconds to wait. */
bool vg_ratelimit_take(struct vg_ratelimit *rl, const char *client, int *retry_after);

#endif
