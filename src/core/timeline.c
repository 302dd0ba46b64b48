/* Timeline entries of incident changes: one per kind of change (the status apart, since the
 * lifecycle is what readers follow), each with the old and new values. */
#include "core/timeline.h"

json_t *vg_timeline_diff(json_t *cur, const json_t *patch)
{
    json_t *changes = json_object();
    if (!changes)
        return NULL;
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)patch, key, val) {
        json_t *old = json_object_get(cur, key);
        if (old && json_equal(old, val))
            continue;
        /* a change left out, or cur left with its old value, would be written as if whole */
        if (json_object_set_new(changes, key,
                                json_pack("{s:O,s:O}", "from", old ? old : json_null(), "to",
                                          val)) ||
            json_object_set(cur, key, val)) {
            json_decref(changes);
            return NULL;
        }
    }
    return changes;
}

size_t vg_timeline_entries(const json_t *changes, struct vg_timeline_entry out[2])
{
    size_t n = 0;
    json_t *status = json_object_get(changes, "status");
    if (status)
        out[n++] = (struct vg_timeline_entry){"status", json_incref(status)};
    if (json_object_size(changes) > (status ? 1u : 0u)) {
        json_t *rest = json_deep_copy(changes);
        json_object_del(rest, "status");
        out[n++] = (struct vg_timeline_entry){"update", rest};
    }
    return n;
}

json_t *vg_timeline_created(const char *ref, const char *status, long long from_alert)
{
    json_t *detail = json_pack("{s:s,s:s}", "ref", ref, "status", status);
    if (detail && from_alert > 0)
        json_object_set_new(detail, "from", json_pack("{s:I}", "alert", (json_int_t)from_alert));
    return detail;
}
