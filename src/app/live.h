/* Live indicators (issue 17): the match index of a running matcher (`vigie match --follow`,
 * `--listen`), rebuilt when the stored indicators change (an import, an update, an expiry
 * passed) or when asked (SIGHUP), beside the one in use and swapped in once complete, so that
 * no event is ever matched against a half-built index. A failed rebuild keeps the index in
 * use. Not thread-safe: one matcher thread owns it and calls vg_live_check between the pieces
 * it matches, so the index it swaps out is no longer in use and is freed at once (no
 * reference counting); memory during a rebuild holds both indexes, never more. */
#ifndef VG_APP_LIVE_H
#define VG_APP_LIVE_H

#include <stdbool.h>

#include "match/match.h"
#include "store/store.h"

struct vg_attrib;

/* What the index is made of and who hears of its changes. */
struct vg_live_opts {
    struct vg_store *st; /* its indicators not expired first (NULL: none, and the index
                            changes only when a reload is forced) */
    bool attrib;         /* also keep the attribution of st's organisations (--record) */
    /* adds the indicators of files to idx after the store's (NULL: none); 0 or an error with
       d filled (the index being built is then dropped) */
    int (*add_files)(void *ctx, struct vg_match_index *idx, struct vg_diag *d);
    /* after each swap (not after the first build): the new index and attribution, in use from
       now on; what held the old ones must take these (NULL: nobody to tell) */
    void (*swapped)(void *ctx, const struct vg_match_index *idx, const struct vg_attrib *attrib);
    /* a failed reload, the index in use kept: called once for failures in a row caused by
       store changes (again after a success), and for each failed forced reload (NULL: not
       reported) */
    void (*report)(void *ctx, const struct vg_diag *d);
    void *ctx;       /* given to the three functions */
    double interval; /* seconds between two looks at the store's version (0: each check) */
};

struct vg_live;

/* Builds the first index (frozen); NULL with d filled when it cannot (the store cannot be
 * read, add_files failed, out of memory). Free with vg_live_free. */
struct vg_live *vg_live_new(const struct vg_live_opts *o, struct vg_diag *d);
void vg_live_free(struct vg_live *l);

/* The index and attribution in use (attribution NULL without opts.attrib); valid until the
 * next vg_live_check that answers 1. */
const struct vg_match_index *vg_live_index(const struct vg_live *l);
const struct vg_attrib *vg_live_attrib(const struct vg_live *l);

/* Called by the matcher between pieces, as often as it likes: at most once per interval (at
 * once when force), looks at the store's indicator version for now; when it changed since the
 * index in use was built, or when force (SIGHUP: the files are read again too), builds a new
 * index and swaps it in. Returns 1 when a new index is in use, else 0 (nothing changed, too
 * soon, or the reload failed and was reported: the old index stays). A version whose reload
 * failed is not tried again until the version changes again or a reload is forced. */
int vg_live_check(struct vg_live *l, bool force);
/* vg_live_check at the given times: now as vg_time_fmt writes it (the version's expiries),
 * mono in vg_time_mono's seconds (the interval). */
int vg_live_check_at(struct vg_live *l, const char *now, double mono, bool force);

/* Reloads done (swaps) and failed since vg_live_new. */
unsigned long vg_live_reloads(const struct vg_live *l);
unsigned long vg_live_failures(const struct vg_live *l);

#endif
