/* Live indicators: the index in use, the store's indicator version it was built at, and the
 * rebuild beside it. The version is read before the indicators, so a change committed during
 * a build shows as a new version at the next look and is not missed. */
#include "app/live.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/events.h"
#include "core/attrib.h"
#include "util/mem.h"
#include "util/time.h"

#define VERSION_CAP 128 /* room for vg_store_indicator_version's text */

struct vg_live {
    struct vg_live_opts o;
    struct vg_match_index *idx; /* in use, frozen */
    struct vg_attrib *attrib;   /* in use (o.attrib), else NULL */
    char version[VERSION_CAP];  /* the store's version idx was built at ("" without a store) */
    char failed[VERSION_CAP];   /* the version whose reload failed last ("" if none) */
    bool failing;               /* the last reload failed (reported once) */
    double last_look;           /* vg_time_mono of the last look at the version */
    unsigned long reloads;      /* swaps done */
    unsigned long failures;     /* reloads failed */
};

/* A new frozen index (and attribution) of what l is made of, into *idx and *attrib; 0, or an
 * error with d filled and nothing kept. */
static int build(struct vg_live *l, const char *now, struct vg_match_index **idx,
                 struct vg_attrib **attrib, struct vg_diag *d)
{
    struct vg_match_index *n = vg_match_index_new();
    struct vg_attrib *a = NULL;
    int rc;
    if (!n) {
        rc = vg_diag_set(d, VG_ENOMEM, "", "out of memory");
        goto out;
    }
    if (l->o.st && (rc = vg_events_load(l->o.st, now, n, d)) != 0)
        goto out;
    if (l->o.add_files && (rc = l->o.add_files(l->o.ctx, n, d)) != 0)
        goto out;
    if (l->o.st && l->o.attrib && !(a = vg_store_attrib_new(l->o.st, d))) {
        rc = VG_EIO;
        goto out;
    }
    vg_match_index_freeze(n);
    *idx = n;
    *attrib = a;
    return 0;
out:
    vg_attrib_free(a);
    vg_match_index_free(n);
    return rc;
}

/* The store's indicator version at now into out ("" without a store); 0 or VG_EIO. */
static int version_at(const struct vg_live *l, const char *now, char out[VERSION_CAP])
{
    out[0] = '\0';
    return l->o.st ? vg_store_indicator_version(l->o.st, now, out, VERSION_CAP) : 0;
}

struct vg_live *vg_live_new(const struct vg_live_opts *o, struct vg_diag *d)
{
    struct vg_live *l = vg_calloc(1, sizeof *l);
    if (!l) {
        vg_diag_set(d, VG_ENOMEM, "", "out of memory");
        return NULL;
    }
    l->o = *o;
    char now[VG_TIME_LEN];
    vg_time_fmt(time(NULL), now);
    if (version_at(l, now, l->version) != 0) {
        vg_diag_set(d, VG_EIO, "", "cannot read the database's indicators");
        free(l);
        return NULL;
    }
    if (build(l, now, &l->idx, &l->attrib, d) != 0) {
        free(l);
        return NULL;
    }
    l->last_look = vg_time_mono();
    return l;
}

void vg_live_free(struct vg_live *l)
{
    if (!l)
        return;
    vg_attrib_free(l->attrib);
    vg_match_index_free(l->idx);
    free(l);
}

const struct vg_match_index *vg_live_index(const struct vg_live *l)
{
    return l->idx;
}

const struct vg_attrib *vg_live_attrib(const struct vg_live *l)
{
    return l->attrib;
}

unsigned long vg_live_reloads(const struct vg_live *l)
{
    return l->reloads;
}

unsigned long vg_live_failures(const struct vg_live *l)
{
    return l->failures;
}

/* A failed reload: counted, reported when forced or when the failures in a row begin. */
static void failed(struct vg_live *l, bool force, const struct vg_diag *d)
{
    l->failures++;
    if ((force || !l->failing) && l->o.report)
        l->o.report(l->o.ctx, d);
    l->failing = true;
}

int vg_live_check_at(struct vg_live *l, const char *now, double mono, bool force)
{
    if (!force && (!l->o.st || mono - l->last_look < l->o.interval))
        return 0;
    l->last_look = mono;
    char version[VERSION_CAP];
    struct vg_diag d;
    vg_diag_clear(&d);
    if (version_at(l, now, version) != 0) {
        vg_diag_set(&d, VG_EIO, "", "cannot read the database's indicators");
        failed(l, force, &d);
        return 0;
    }
    if (!force && strcmp(version, l->version) == 0) {
        l->failing = false; /* the index in use is current: a failure to come is news */
        return 0;
    }
    if (!force && strcmp(version, l->failed) == 0)
        return 0;
    struct vg_match_index *idx = NULL;
    struct vg_attrib *attrib = NULL;
    if (build(l, now, &idx, &attrib, &d) != 0) {
        memcpy(l->failed, version, sizeof version);
        failed(l, force, &d);
        return 0;
    }
    /* the swap: the old index is no longer used by anyone (one matcher thread, between
       pieces) */
    vg_attrib_free(l->attrib);
    vg_match_index_free(l->idx);
    l->idx = idx;
    l->attrib = attrib;
    memcpy(l->version, version, sizeof version);
    l->failed[0] = '\0';
    l->failing = false;
    l->reloads++;
    if (l->o.swapped)
        l->o.swapped(l->o.ctx, idx, attrib);
    return 1;
}

int vg_live_check(struct vg_live *l, bool force)
{
    char now[VG_TIME_LEN];
    vg_time_fmt(time(NULL), now);
    return vg_live_check_at(l, now, vg_time_mono(), force);
}
