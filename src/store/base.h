/* What every part of the store shares: the store handle, who acts, a page of a list. */
#ifndef VG_STORE_BASE_H
#define VG_STORE_BASE_H

#include "util/err.h"
#include "util/limits.h"

struct vg_store;

/* Who acts: the authenticated user, recorded in timelines and the audit log. */
struct vg_actor {
    long long user_id;          /* 0 for the system or the public intake */
    char name[VG_MAX_NAME + 1]; /* user name, or "intake", "system" */
    char role[16];              /* admin, analyst, reader ("" for the public); "partner" */
    long long partner_id;       /* a partner CERT's token (issue 12): its partner's id; 0
                                 * for users. A partner may use only the sharing routes. */
};

/* A page of a list: items, and the cursor of the next page (NULL if none). */
struct vg_page {
    int limit;          /* 1..VG_MAX_PAGE */
    const char *cursor; /* opaque cursor from a previous page, or NULL */
};

#endif
