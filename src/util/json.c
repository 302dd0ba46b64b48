/* jansson wrappers. jansson's own depth limit is a compile-time constant (2048); ours is a
 * cheap pre-scan so a hostile document is refused before any allocation. */
#include "util/json.h"

#include <errno.h>
#include <string.h>

#include "util/limits.h"
#include "util/mem.h"

int vg_json_depth(const char *data, size_t len)
{
    int depth = 0, max = 0;
    bool in_str = false;
    for (size_t i = 0; i < len; i++) {
        char c = data[i];
        if (in_str) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_str = false;
            continue;
        }
        switch (c) {
        case '"': in_str = true; break;
        case '[':
        case '{':
            if (++depth > max)
                max = depth;
            break;
        case ']':
        case '}':
            if (--depth < 0)
                return -1;
            break;
        default: break;
        }
    }
    return max;
}

json_t *vg_json_loadb(const char *data, size_t len, size_t flags, json_error_t *err)
{
    vg_mem_spare_begin();
    json_t *v = json_loadb(data, len, flags, err);
    vg_mem_spare_end();
    return v;
}

json_t *vg_json_parse(const char *data, size_t len, struct vg_diag *d)
{
    if (vg_json_depth(data, len) > VG_MAX_JSON_DEPTH) {
        vg_diag_set(d, VG_ETOOBIG, "", "JSON nested deeper than %d levels", VG_MAX_JSON_DEPTH);
        errno = EINVAL;
        return NULL;
    }
    json_error_t err;
    errno = 0;
    json_t *v = vg_json_loadb(data, len, JSON_REJECT_DUPLICATES, &err);
    /* out of memory is no fault of the document (jansson says so, or only through errno when
     * its reader could not even start) */
    if (!v && (json_error_code(&err) == json_error_out_of_memory || errno == ENOMEM)) {
        vg_diag_set(d, VG_ENOMEM, "", "out of memory");
        errno = ENOMEM;
        return NULL;
    }
    if (!v) {
        errno = EINVAL;
        vg_diag_set(d, VG_EINVAL, "", "malformed JSON at line %d column %d: %s", err.line,
                    err.column, err.text);
        if (d) {
            d->line = err.line;
            d->offset = err.position;
        }
    }
    return v;
}

int vg_json_check_fields(const json_t *obj, const char *const *allowed, const char *prefix,
                         struct vg_diag *d)
{
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)obj, key, val) {
        bool ok = false;
        for (size_t i = 0; allowed[i]; i++)
            if (strcmp(key, allowed[i]) == 0) {
                ok = true;
                break;
            }
        if (!ok) {
            char field[128];
            snprintf(field, sizeof field, "%s%s", prefix ? prefix : "", key);
            return vg_diag_set(d, VG_EINVAL, field, "unknown field '%s'", field);
        }
    }
    return 0;
}

const char *vg_json_str(const json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

char *vg_json_dump(const json_t *v)
{
    return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
}
