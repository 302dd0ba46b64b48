/* jansson wrappers. jansson's own depth limit is a compile-time constant (2048); ours is a
 * cheap pre-scan so a hostile document is refused before any allocation. */
#include "util/json.h"

#include <errno.h>
#include <stdio.h>
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

/* Decimal digits of an integer, written backwards then copied. */
static void put_int(struct vg_buf *b, json_int_t v)
{
    char tmp[24];
    size_t n = 0;
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    do {
        tmp[sizeof tmp - 1 - n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        tmp[sizeof tmp - 1 - n++] = '-';
    vg_buf_append(b, tmp + sizeof tmp - n, n);
}

static int write_value(struct vg_buf *b, const json_t *v, int depth)
{
    if (depth > VG_MAX_JSON_DEPTH)
        return VG_EINVAL;
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        const char *key;
        json_t *m;
        bool first = true;
        vg_buf_putc(b, '{');
        json_object_foreach((json_t *)v, key, m) {
            if (!first)
                vg_buf_putc(b, ',');
            first = false;
            vg_buf_put_json(b, vg_str_c(key));
            vg_buf_putc(b, ':');
            int rc = write_value(b, m, depth + 1);
            if (rc)
                return rc;
        }
        vg_buf_putc(b, '}');
        break;
    }
    case JSON_ARRAY: {
        size_t i;
        json_t *m;
        vg_buf_putc(b, '[');
        json_array_foreach(v, i, m) {
            if (i)
                vg_buf_putc(b, ',');
            int rc = write_value(b, m, depth + 1);
            if (rc)
                return rc;
        }
        vg_buf_putc(b, ']');
        break;
    }
    case JSON_STRING:
        vg_buf_put_json(b, (struct vg_str){json_string_value(v), json_string_length(v)});
        break;
    case JSON_INTEGER: put_int(b, json_integer_value(v)); break;
    case JSON_REAL: {
        char num[40];
        int n = snprintf(num, sizeof num, "%.15g", json_real_value(v));
        char *e = strchr(num, 'e');
        if (e) { /* as jansson: "1e+22" -> "1e22", "2.5e-07" -> "2.5e-7" */
            char *d = e + 1, *from = e + 1;
            if (*from == '+')
                from++;
            else if (*from == '-')
                *d++ = *from++;
            while (*from == '0' && from[1])
                from++;
            memmove(d, from, strlen(from) + 1);
            n = (int)strlen(num);
        }
        vg_buf_append(b, num, (size_t)n);
        if (!strpbrk(num, ".eEn")) /* "9" -> "9.0"; inf and nan cannot be in a json_t */
            vg_buf_puts(b, ".0");
        break;
    }
    case JSON_TRUE: vg_buf_puts(b, "true"); break;
    case JSON_FALSE: vg_buf_puts(b, "false"); break;
    case JSON_NULL: vg_buf_puts(b, "null"); break;
    }
    return 0;
}

int vg_json_write(struct vg_buf *b, const json_t *v)
{
    unsigned long before = vg_mem_thread_failures();
    int rc = write_value(b, v, 0);
    if (rc)
        return rc;
    if (!b->failed)
        return 0;
    return vg_mem_thread_failures() != before ? VG_ENOMEM : VG_ETOOBIG;
}
