/* The rate limit of password logins, per client address and per account name: a few attempts
 * are free, then each one makes the next wait twice as long (1 s, 2 s, 4 s ... up to a cap)
 * until a login succeeds. Thread-safe; memory bounded by a fixed table. */
#ifndef VG_LOGINLIMIT_H
#define VG_LOGINLIMIT_H

#include <stdbool.h>

#define VG_LOGIN_FREE     5   /* attempts without a wait, by default */
#define VG_LOGIN_WAIT_MAX 900 /* longest wait in seconds, by default (15 minutes) */

struct vg_loginlimit;

/* A limit allowing `free_attempts` attempts (<= 0: VG_LOGIN_FREE) and waits of at most
 * max_wait seconds (<= 0: VG_LOGIN_WAIT_MAX). NULL when memory runs out. */
struct vg_loginlimit *vg_loginlimit_new(int free_attempts, int max_wait);
void vg_loginlimit_free(struct vg_loginlimit *ll);
/* Takes an attempt of `name` (compared without case) from `client`: true if it may proceed
 * now, and then it counts as failed until vg_loginlimit_succeeded says otherwise (so that
 * attempts running at once count too); false with *retry_after (seconds, >= 1) when the
 * address or the name must wait. */
bool vg_loginlimit_take(struct vg_loginlimit *ll, const char *client, const char *name,
                        int *retry_after);
/* A login of name from client failed: the wait its attempt set starts again from now (the
 * check took time), so that the next attempt always waits the time named. */
void vg_loginlimit_failed(struct vg_loginlimit *ll, const char *client, const char *name);
/* A login of name from client succeeded: both start again from zero. */
void vg_loginlimit_succeeded(struct vg_loginlimit *ll, const char *client, const char *name);

#endif
