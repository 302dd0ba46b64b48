/* The merge of a re-imported indicator into the stored one: given fields replace, the time
 * it was seen widens. */
#include "core/indicator.h"

#include <stdbool.h>
#include <string.h>

#include "util/json.h"

/* The earlier (want_min) or later of two optional RFC 3339 timestamps (NULL or "": absent). */
static const char *pick_time(const char *a, const char *b, bool want_min)
{
    if (!a || !*a)
        return b;
    if (!b || !*b)
        return a;
    int c = strcmp(a, b);
    return (want_min ? c <= 0 : c >= 0) ? a : b;
}

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

json_t *vg_indicator_merge(const json_t *cur, const json_t *given)
{
    if (!cur) {
        const char *tlp = vg_json_str(given, "tlp"), *src = vg_json_str(given, "source");
        json_t *conf = json_object_get(given, "confidence"), *tags = json_object_get(given, "tags");
        return json_pack("{s:o,s:o,s:s,s:s,s:I,s:o,s:o,s:o,s:o}", "type",
                         str_or_null(vg_json_str(given, "type")), "value",
                         str_or_null(vg_json_str(given, "value")), "tlp", tlp ? tlp : "AMBER",
                         "source", src ? src : "", "confidence",
                         conf ? json_integer_value(conf) : (json_int_t)50, "tags",
                         tags ? json_incref(tags) : json_array(), "first_seen",
                         str_or_null(vg_json_str(given, "first_seen")), "last_seen",
                         str_or_null(vg_json_str(given, "last_seen")), "expires",
                         str_or_null(vg_json_str(given, "expires")));
    }
    json_t *next = json_deep_copy(cur);
    if (!next)
        return NULL;
    static const char *const keep[] = {"tlp", "source", "confidence", "tags", "expires"};
    for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++)
        if (json_object_get(given, keep[i]))
            json_object_set(next, keep[i], json_object_get(given, keep[i]));
    const char *fs = pick_time(vg_json_str(cur, "first_seen"), vg_json_str(given, "first_seen"), 1);
    const char *ls = pick_time(vg_json_str(cur, "last_seen"), vg_json_str(given, "last_seen"), 0);
    json_object_set_new(next, "first_seen", str_or_null(fs));
    json_object_set_new(next, "last_seen", str_or_null(ls));
    return next;
}

const char *vg_indicator_widen(const char *cur, const char *given, bool earlier)
{
    const char *t = pick_time(cur, given, earlier);
    return t && *t ? t : NULL;
}
