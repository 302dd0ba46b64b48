/* Indicators: what an import stores. A re-import of an indicator equal in type and normal
 * form merges into the stored one instead of adding another; the rule of that merge is here,
 * the same for every backend. */
#ifndef VG_INDICATOR_H
#define VG_INDICATOR_H

#include <jansson.h>
#include <stdbool.h>

/* The indicator to store for given (a checked indicator, core/record.h, VG_CHECK_PATCH: only
 * the fields it gives), where cur is the stored one of the same type and value, or NULL for
 * a new one. New: given's fields with the defaults (tlp AMBER, source "", confidence 50, tags
 * [], first_seen, last_seen and expires null). Merge: a copy of cur in which the tlp, source,
 * confidence, tags and expires given replace cur's, and first_seen and last_seen widen (the
 * earlier first, the later last; an absent time does not count). The result equals cur
 * (json_equal) when nothing changes. A new object; NULL when out of memory. */
json_t *vg_indicator_merge(const json_t *cur, const json_t *given);

/* The widening of vg_indicator_merge for one time: of cur (the stored one) and given
 * (RFC 3339 in vg_time_fmt's form; NULL or "": absent), the earlier when earlier is true, else
 * the later; the present one when only one is; NULL when neither is. Returns one of its
 * arguments. */
const char *vg_indicator_widen(const char *cur, const char *given, bool earlier);

#endif
