/* `vigie share pull` (issue 12): fetches what a partner shares, over HTTP(S) with libcurl, and
 * imports it as files are imported (app/share.h): the events of a MISP feed whose timestamp
 * changed since the last pull, or the objects a TAXII 2.1 collection got since the last pull.
 * Where each source stopped is kept in the store (store/pull.h) and written only once what it
 * stands for is fully imported. */
#ifndef VG_APP_PULL_H
#define VG_APP_PULL_H

#include <jansson.h>
#include <stddef.h>

#include "store/store.h"

/* What to pull and how to authenticate. */
struct vg_pull_opts {
    const char *url;        /* the MISP feed's folder (or its manifest.json), or the TAXII
                             * API root */
    const char *collection; /* TAXII: the collection id */
    const char *since;      /* TAXII: added_after of the first request (RFC 3339), NULL: where
                             * the last pull stopped */
    long limit;             /* TAXII: objects per page asked for, 0: the server's choice */
    const char *source;     /* the source recorded on what is imported, NULL: the URL's host */
    const char *token;      /* a bearer token, or NULL */
    const char *user;       /* HTTP Basic user and password, or NULL */
    const char *password;
    const struct vg_actor *who; /* who imports (recorded in the audit log) */
};

/* What a pull did. */
struct vg_pull_stats {
    size_t listed;    /* MISP: events in the manifest; TAXII: pages fetched */
    size_t fetched;   /* MISP: events fetched; TAXII: objects received */
    size_t imported;  /* MISP: events imported whole; TAXII: pages imported whole */
    size_t unchanged; /* MISP: events whose timestamp had not changed (not fetched) */
    size_t failed;    /* events or pages not imported (network, HTTP status, bad JSON) */
};

/* Told of each event fetched or page imported, as one JSON object (borrowed: valid during the
 * call), in the order they happen:
 *   MISP: {"event": uuid, "url", "timestamp", "status": "imported" | "failed",
 *          "import": the import's report (imported) or "error": {"message", "pointer"}}
 *   TAXII: {"page": 1-based, "url", "objects": count, "status": "imported" | "failed",
 *           "date_added_last" (or null), "import" or "error" as above}. */
typedef void (*vg_pull_report_fn)(void *ctx, const json_t *entry);

/* Pulls a MISP feed: GET manifest.json, then GET {uuid}.json of each event whose timestamp
 * differs from the one recorded at its last import, imports it and records its timestamp.
 * 0 when every event listed is imported or unchanged; VG_EINVAL / VG_EIO with d naming the
 * URL (and the JSON pointer) when the manifest cannot be had (nothing imported); VG_EIO
 * (d: the first failure) when some events failed, the others being imported. */
int vg_pull_misp_feed(struct vg_store *st, const struct vg_pull_opts *o, vg_pull_report_fn fn,
                      void *ctx, struct vg_pull_stats *stats, struct vg_diag *d);

/* Pulls a TAXII 2.1 collection: GET {url}/collections/{id}/objects/ page by page (added_after
 * the recorded X-TAXII-Date-Added-Last or o->since, then `next` while `more`), imports each
 * page's objects and records the page's X-TAXII-Date-Added-Last once it is imported. 0; or
 * VG_EINVAL / VG_EIO with d naming the URL, the HTTP status and the TAXII error's title and
 * description; pages imported before the failure stay imported and recorded. */
int vg_pull_taxii(struct vg_store *st, const struct vg_pull_opts *o, vg_pull_report_fn fn,
                  void *ctx, struct vg_pull_stats *stats, struct vg_diag *d);

#endif
