/* The MISP feed vigie serves to each recipient (issue 12): manifest.json, {uuid}.json and
 * hashes.csv, the static layout MISP instances subscribe to. Its events are the incidents
 * whose own TLP lets them reach the recipient (core/tlp.h, the gate), each written as one
 * MISP event from its document for that recipient (app/share.h: members the recipient may
 * not get are withheld), under the incident's stable uuid. Nothing is cached: every answer is
 * what the store and the gate say now. */
#ifndef VG_APP_MISPFEED_H
#define VG_APP_MISPFEED_H

#include <jansson.h>

#include "core/tlp.h"
#include "store/store.h"
#include "util/buf.h"

/* *out = manifest.json for r: {event uuid: {"info","date","timestamp","threat_level_id",
 * "analysis","Orgc","Tag"}} (a new reference), one entry per event r may get. 0 or VG_E*. */
int vg_mispfeed_manifest(struct vg_store *st, const struct vg_recipient *r, json_t **out,
                         struct vg_diag *d);

/* Writes event uuid, as r may get it, into out ({"Event": {...}}, the bytes the manifest's
 * entry describes). VG_ENOENT when no incident has that uuid or r may not get it (the two
 * are not told apart); VG_EINVAL when uuid is not a UUID. */
int vg_mispfeed_event(struct vg_store *st, const struct vg_recipient *r, const char *uuid,
                      struct vg_buf *out, struct vg_diag *d);

/* Writes hashes.csv for r into out: one line "md5 of an attribute value,event uuid" per
 * attribute value of every event r may get (a composite value "a|b" gives one line per
 * part), as MISP writes it, so that a subscriber can look a value up without fetching the
 * events. 0 or VG_E*. */
int vg_mispfeed_hashes(struct vg_store *st, const struct vg_recipient *r, struct vg_buf *out,
                       struct vg_diag *d);

#endif
