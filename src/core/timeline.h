/* An incident's timeline: which entries a change writes, with what detail. The backend stores
 * the entries; what they say is decided here, once for every backend. */
#ifndef VG_TIMELINE_H
#define VG_TIMELINE_H

#include <jansson.h>
#include <stddef.h>

/* One timeline entry a change produces. */
struct vg_timeline_entry {
    const char *action; /* "status" or "update" (static strings) */
    json_t *detail;     /* a new reference, for the caller to release */
};

/* Applies patch (a checked incident patch, core/record.h) to cur (the incident's fields as the
 * store reads them) and returns the changes: {field: {"from": old value or null, "to": new}}
 * for each field of patch whose value differs from cur's. cur then holds the new values. A
 * new object, empty when nothing changes; NULL only when out of memory. */
json_t *vg_timeline_diff(json_t *cur, const json_t *patch);

/* The timeline entries of changes (as vg_timeline_diff gives them): a "status" entry whose
 * detail is the status change {"from","to"} if the status changed, then an "update" entry
 * with the other changes if any. Returns their number, 0 to 2; an entry's detail is NULL when
 * out of memory. */
size_t vg_timeline_entries(const json_t *changes, struct vg_timeline_entry out[2]);

/* The detail of an incident's "created" entry (and of its audit record): {"ref","status"},
 * with "from": {"alert": id} when it came from alert from_alert (> 0). A new object. */
json_t *vg_timeline_created(const char *ref, const char *status, long long from_alert);

#endif
