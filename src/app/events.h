/* Events into sightings, once for POST /api/v1/events and `vigie match --db --record`: the
 * store's indicators loaded into a match index (kept between calls by the server), events
 * scanned, each hit of a stored indicator recorded as a sighting of the constituent it is
 * attributed to, and counted in its alert. */
#ifndef VG_APP_EVENTS_H
#define VG_APP_EVENTS_H

#include <stddef.h>

#include "match/match.h"
#include "store/store.h"

/* Adds the store's indicators not expired at now to idx (not frozen). 0, or VG_EIO with d
 * filled. vg_match_index_skipped(idx) then counts those the matcher cannot read. */
int vg_events_load(struct vg_store *st, const char *now, struct vg_match_index *idx,
                   struct vg_diag *d);

/* An index of the store's indicators kept between calls, rebuilt only when the store's
 * indicator version changes. Zero it before the first call; one thread at a time. */
struct vg_events_index {
    struct vg_match_index *idx; /* frozen, or NULL before the first call */
    char version[128];          /* vg_store_indicator_version when idx was built */
};
/* The index of the indicators not expired at now (owned by ei), or NULL with d filled. */
const struct vg_match_index *vg_events_index_current(struct vg_events_index *ei,
                                                     struct vg_store *st, const char *now,
                                                     struct vg_diag *d);
/* Frees the index held. */
void vg_events_index_cleanup(struct vg_events_index *ei);

/* Records the hits of scans as sightings, `batch` per store transaction. */
struct vg_events_recorder;

/* A recorder storing as `who` the hits of idx's indicators with a database id (hits of
 * indicators from files are only counted, as unrecorded), attributed with attrib (may be
 * NULL). also (may be NULL) gets each hit and malformed line first (to print them); a
 * non-zero answer of its hit function stops the scan. NULL when out of memory. */
struct vg_events_recorder *vg_events_recorder_new(struct vg_store *st, const struct vg_actor *who,
                                                  const struct vg_match_index *idx,
                                                  const struct vg_attrib *attrib, size_t batch,
                                                  const struct vg_match_sink *also);
/* From now on, idx and attrib replace those rec was made with (live indicators, app/live.h:
 * between two vg_events_record calls, once the old ones are no longer used). */
void vg_events_recorder_use(struct vg_events_recorder *rec, const struct vg_match_index *idx,
                            const struct vg_attrib *attrib);
/* Scans data[0..len) (a log named source, for each sighting's "source": "SOURCE:LINE") and
 * records its hits; adds to *stats. 0, or an error with d filled: the store's (what was
 * stored before stays), the scan's, or also's hit function's value. */
int vg_events_record(struct vg_events_recorder *rec, const struct vg_match_scan_opts *opts,
                     const char *data, size_t len, const char *source, struct vg_match_stats *stats,
                     struct vg_diag *d);
/* vg_events_record over a piece of a followed log (`vigie match --follow --record`): data
 * starts at line `first` of the log (sightings' sources count from there). The sightings and
 * pos, the log's position after the piece, are stored as follower's in one transaction, so a
 * restart from the stored positions neither loses nor repeats a sighting. before_commit (may
 * be NULL) is called with ctx once both are written and before the commit (to flush what was
 * printed: a hit is out before its sighting is committed); its non-zero value undoes them and
 * is returned. Make the recorder with a batch of SIZE_MAX (one transaction per piece). 0 or
 * an error with d filled. */
int vg_events_record_piece(struct vg_events_recorder *rec, const struct vg_match_scan_opts *opts,
                           const char *data, size_t len, const char *source, uint64_t first,
                           const char *follower, const struct vg_follow_position *pos,
                           int (*before_commit)(void *ctx), void *ctx, struct vg_match_stats *stats,
                           struct vg_diag *d);
/* Pieces of logs recorded in one transaction (`vigie match --listen --record`: a batch of
 * lines taken from the socket's queue, one piece per run of lines of one connection). */
struct vg_events_piece {
    const char *data; /* whole lines */
    size_t len;
    const char *source; /* sightings' "source": "SOURCE:LINE" */
    uint64_t first;     /* line number of data's first line in source (from 1) */
};
/* vg_events_record over the n pieces in one transaction: start (may be NULL) is called with
 * ctx before each piece is scanned (to name it in what is printed), before_commit (may be
 * NULL) as for vg_events_record_piece. Make the recorder with a batch of SIZE_MAX. 0 or an
 * error with d filled (then none of the pieces' sightings is stored or counted). */
int vg_events_record_batch(struct vg_events_recorder *rec, const struct vg_match_scan_opts *opts,
                           const struct vg_events_piece *pieces, size_t n,
                           void (*start)(void *ctx, const struct vg_events_piece *p),
                           int (*before_commit)(void *ctx), void *ctx, struct vg_match_stats *stats,
                           struct vg_diag *d);
/* What the recorder did so far: sightings stored, distinct alerts they counted in, hits of
 * indicators without a database id. */
struct vg_events_counts {
    unsigned long long sightings;
    unsigned long long alerts;
    unsigned long long unrecorded;
};
struct vg_events_counts vg_events_recorder_counts(const struct vg_events_recorder *rec);
void vg_events_recorder_free(struct vg_events_recorder *rec);

/* POST /api/v1/events in one call: the events in data[0..len) (EVE / NDJSON) matched against
 * ei's index of the store's indicators and recorded in one transaction; malformed lines go to
 * bad (may be NULL). 0 with *stats and *counts filled, or an error with d filled. */
int vg_events_ingest(struct vg_store *st, struct vg_events_index *ei, const struct vg_actor *who,
                     const char *data, size_t len, const char *source,
                     void (*bad)(void *ctx, uint64_t line, const char *message), void *bad_ctx,
                     struct vg_match_stats *stats, struct vg_events_counts *counts,
                     struct vg_diag *d);

#endif
