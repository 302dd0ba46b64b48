/* Sharing with partner CERTs and constituents (issue 12): exports of an incident or a set of
 * indicators as MISP or STIX 2.1, every member through the TLP gate (core/tlp.h) for the
 * recipient, and imports of MISP or STIX into the store's indicators. The formats are
 * share/misp.c and share/stix.c; this file fetches, filters and stores. */
#ifndef VG_APP_SHARE_H
#define VG_APP_SHARE_H

#include <jansson.h>
#include <stddef.h>

#include "core/tlp.h"
#include "share/share.h"
#include "store/store.h"
#include "util/buf.h"

#define VG_SHARE_PRODUCER       "vigie" /* the producer's name in what vigie exports */
#define VG_SHARE_SKIPPED_LISTED 1000    /* skipped items listed one by one in a report */

/* The recipient named by `to` for the actor who: NULL or "" is who itself (a partner's token:
 * its partner; a user: INTERNAL); "N" is partner N (as its token would be: PARTNER with its
 * max_tlp); "org:N" is constituent organisation N. A partner may name only itself (VG_EPERM
 * otherwise). 0; VG_EINVAL (field "to") for a malformed `to`; VG_ENOENT (field "to") for a
 * partner or organisation that does not exist; VG_EPERM; VG_EIO. */
int vg_share_recipient(struct vg_store *st, const struct vg_actor *who, const char *to,
                       struct vg_recipient *out, struct vg_diag *d);

/* Which indicators an export holds (each NULL: any). */
struct vg_share_filter {
    const char *type;   /* an observable type (core/observable.h) */
    const char *source; /* the indicator's source, exactly */
    const char *tag;    /* one of its tags, exactly */
    const char *since;  /* updated at or after (RFC 3339) */
};

/* Reads a filter "type=T,source=S,tag=G,since=TIME" (any of them, in any order; "" is all)
 * into f, whose strings point into buf (a copy of text, cap bytes). 0 or VG_EINVAL (field
 * names the key). */
int vg_share_filter_parse(const char *text, char *buf, size_t cap, struct vg_share_filter *f,
                          struct vg_diag *d);

/* Checks the values of a filter (a known type, since an RFC 3339 time): 0 or VG_EINVAL naming
 * the field. */
int vg_share_filter_check(const struct vg_share_filter *f, struct vg_diag *d);

/* The document (share/share.h) of incident ref for r: its observables and the sightings of
 * the indicators equal to them, each member that r may not get removed and counted in
 * "withheld". VG_ENOENT (field "ref") when there is no such incident or r may not get it (the
 * same answer: a recipient does not learn that it exists). *doc is new. */
int vg_share_incident_doc(struct vg_store *st, const struct vg_recipient *r, const char *ref,
                          json_t **doc, struct vg_diag *d);
/* The document of the indicators matching f (with their sightings) for r, withheld ones
 * removed and counted. VG_EINVAL for a bad filter (field names it). *doc is new. */
int vg_share_indicators_doc(struct vg_store *st, const struct vg_recipient *r,
                            const struct vg_share_filter *f, json_t **doc, struct vg_diag *d);
/* Takes n bytes of an export that is being written (to a file, a socket); non-zero: failed. */
typedef int (*vg_share_flush_fn)(void *ctx, const char *data, size_t n);
/* The export of the indicators matching f for r written in format ("misp" or "stix") into
 * out, streamed: the store's rows (store/indicator.h vg_store_indicator_rows_*) one at a time
 * through the gate to the streaming writers, no document built (app/share_export.c). The
 * same content as vg_share_indicators_doc written by vg_share_write (the reference it is
 * tested against): the same indicators, TLPs, sightings and withheld count. flush NULL: out
 * holds the whole export. Else out is handed to flush by pieces of about a megabyte as it
 * fills, and emptied (a million STIX indicators are 1.5 GB that then never sit in memory):
 * on an error, what flush already took is not taken back, and the caller must say the
 * output is broken. 0; VG_EINVAL for a bad filter or format (field names it), before
 * anything is written; VG_EIO when flush fails; the store's or the writer's error. */
int vg_share_indicators_export(struct vg_store *st, const struct vg_recipient *r,
                               const struct vg_share_filter *f, const char *format,
                               struct vg_buf *out, vg_share_flush_fn flush, void *flush_ctx,
                               struct vg_diag *d);
/* Writes doc in format ("misp" or "stix") into out. 0; VG_EINVAL (field "format") for another
 * format; the writer's error. */
int vg_share_write(const json_t *doc, const char *format, struct vg_buf *out, struct vg_diag *d);

/* What an import did. */
struct vg_share_report {
    char format[8];                      /* "misp" or "stix" */
    long long containers, items;         /* read */
    long long added, updated, unchanged; /* the store's answers for the items kept */
    long long sightings;                 /* sightings recorded (new ones only) */
    long long skipped;                   /* items and objects not imported */
    json_t *skipped_items;               /* [{"pointer","what","reason"}], the first
                                          * VG_SHARE_SKIPPED_LISTED */
};

/* Sets r up empty; vg_share_report_cleanup frees what it holds. */
void vg_share_report_init(struct vg_share_report *r);
void vg_share_report_cleanup(struct vg_share_report *r);
/* The report as the API answers it: {"format","containers","items","added","updated",
 * "unchanged","sightings","skipped","skipped_items","skipped_truncated"}; NULL on no memory. */
json_t *vg_share_report_json(const struct vg_share_report *r);

/* The format of buf: "misp", "stix", or NULL when it looks like neither. */
const char *vg_share_detect(const char *buf, size_t len);

/* Imports MISP or STIX (format "misp", "stix", or NULL / "auto": detected) in buf[0..len) as
 * who. Each item is checked as a client's indicator (invalid: skipped with its pointer and
 * reason), gets its own TLP, else its container's, else AMBER, and the source: a partner's
 * name for a partner's token, else `source` (NULL: "import"); the items go to the store's
 * idempotent import of records, a transaction per VG_SHARE_IMPORT_CHUNK, so that an import
 * stopped by bad input keeps everything valid before it. Sightings of the items are recorded once
 * (a re-import records none), attributed to the constituent whose network holds the address
 * (addresses only; else none). rep is filled in any case (init it first). 0; VG_EINVAL (d: the JSON
 * pointer and byte offset) for malformed input, or for a format not detected (field "format"); the
 * store's error. */
int vg_share_import(struct vg_store *st, const struct vg_actor *who, const char *format,
                    const char *buf, size_t len, const char *source, struct vg_share_report *rep,
                    struct vg_diag *d);
/* A reader of some input into a sink (share/share.h): vg_misp_read, vg_stix_read on arg's
 * bytes, a pull client's pages. Returns as they do. */
typedef int (*vg_share_reader)(void *arg, const struct vg_share_sink *sink, struct vg_diag *d);
/* The import of vg_share_import with the items that read gives (rep->format is the
 * caller's). */
int vg_share_import_with(struct vg_store *st, const struct vg_actor *who, vg_share_reader read,
                         void *arg, const char *source, struct vg_share_report *rep,
                         struct vg_diag *d);
/* The same on STIX objects already parsed (a TAXII POST envelope's "objects" array). */
int vg_share_import_stix_objects(struct vg_store *st, const struct vg_actor *who,
                                 const json_t *objects, const char *source,
                                 struct vg_share_report *rep, struct vg_diag *d);

/* The TAXII server's hand-off (app/taxii.h, vg_taxii_posted_fn): the objects a POST stored,
 * imported as vg_share_import_stix_objects does, with source "taxii:COLLECTION" for the
 * CERT's users (a partner's name for a partner). `vigie serve` sets it. */
int vg_share_taxii_posted(void *ctx, struct vg_store *st, const struct vg_actor *who,
                          const char *coll, const json_t *objects);

#endif
