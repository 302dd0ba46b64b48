/* Form bodies (util/form.h). Decoding only shrinks a field, so names and values are decoded
 * into one copy of the body, each NUL-terminated where its '=' or '&' was. */
#include "util/form.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"
#include "util/str.h"

void vg_form_cleanup(struct vg_form *f)
{
    free(f->fields);
    free(f->mem);
    memset(f, 0, sizeof *f);
}

/* Decodes s[0..n) in place into out (out <= s), NUL-terminating it; checks UTF-8 and NUL.
 * 0, or -1 with *why set. */
static int decode(char *out, const char *s, size_t n, const char **why)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '+') {
            c = ' ';
        } else if (c == '%') {
            if (i + 2 >= n) {
                *why = "a '%' is not followed by two hexadecimal digits";
                return -1;
            }
            int a = vg_hex_digit(s[i + 1]), b = vg_hex_digit(s[i + 2]);
            if (a < 0 || b < 0) {
                *why = "a '%' is not followed by two hexadecimal digits";
                return -1;
            }
            c = (char)(a * 16 + b);
            i += 2;
        }
        if (c == '\0') {
            *why = "a NUL byte";
            return -1;
        }
        out[o++] = c;
    }
    out[o] = '\0';
    for (size_t i = 0; i < o;) {
        size_t k = vg_utf8_len((const unsigned char *)out + i, o - i);
        if (!k) {
            *why = "not UTF-8";
            return -1;
        }
        i += k;
    }
    return 0;
}

/* The JSON pointer of a field named name ("/" + name, '~' as "~0" and '/' as "~1", RFC 6901),
 * cut to fit cap at a character's boundary: the name is UTF-8 (decoded and checked), and so
 * is its pointer, which an error answer (JSON, a page) carries. */
static void pointer_of(const char *name, char *out, size_t cap)
{
    size_t o = 0, len = strlen(name);
    out[o++] = '/';
    for (size_t i = 0; i < len;) {
        size_t k = vg_utf8_len((const unsigned char *)name + i, len - i);
        bool esc = name[i] == '~' || name[i] == '/';
        size_t need = esc ? 2 : k ? k : 1;
        if (o + need >= cap)
            break;
        if (esc) {
            out[o++] = '~';
            out[o++] = name[i] == '~' ? '0' : '1';
        } else {
            memcpy(out + o, name + i, need);
            o += need;
        }
        i += k ? k : 1;
    }
    out[o] = '\0';
}

int vg_form_parse(struct vg_form *f, const char *body, size_t len, struct vg_diag *d)
{
    memset(f, 0, sizeof *f);
    if (!len)
        return 0;
    f->mem = vg_malloc(len + 1);
    if (!f->mem)
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    memcpy(f->mem, body, len);
    f->mem[len] = '\0';
    size_t cap = 1;
    for (size_t i = 0; i < len; i++)
        cap += body[i] == '&';
    if (cap > VG_FORM_MAX_FIELDS)
        cap = VG_FORM_MAX_FIELDS;
    f->fields = vg_calloc(cap, sizeof *f->fields);
    if (!f->fields)
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    char *p = f->mem, *end = f->mem + len;
    while (p <= end) {
        char *amp = memchr(p, '&', (size_t)(end - p));
        char *stop = amp ? amp : end;
        if (stop > p) { /* "a&&b": empty pieces are skipped */
            if (f->n == VG_FORM_MAX_FIELDS)
                return vg_diag_set(d, VG_EINVAL, "", "more than %d fields", VG_FORM_MAX_FIELDS);
            char *eq = memchr(p, '=', (size_t)(stop - p));
            char *vstart = eq ? eq + 1 : stop;
            size_t nlen = (size_t)((eq ? eq : stop) - p), vlen = (size_t)(stop - vstart);
            const char *why = NULL;
            /* the name decodes into its own place (then NUL), the value into its own */
            if (decode(p, p, nlen, &why) != 0)
                return vg_diag_set(d, VG_EINVAL, "", "field %zu's name: %s", f->n + 1, why);
            char *name = p;
            char *value = eq ? vstart : stop; /* no '=': an empty value at the NUL */
            if (eq) {
                if (decode(vstart, vstart, vlen, &why) != 0) {
                    char field[80];
                    pointer_of(name, field, sizeof field);
                    return vg_diag_set(d, VG_EINVAL, field, "%s", why);
                }
            } else {
                *stop = '\0';
                value = stop;
            }
            f->fields[f->n].name = name;
            f->fields[f->n].value = value;
            f->n++;
        }
        if (!amp)
            break;
        p = amp + 1;
    }
    return 0;
}

const char *vg_form_get_nth(const struct vg_form *f, const char *name, size_t i)
{
    for (size_t k = 0; k < f->n; k++)
        if (!strcmp(f->fields[k].name, name) && i-- == 0)
            return f->fields[k].value;
    return NULL;
}

const char *vg_form_get(const struct vg_form *f, const char *name)
{
    return vg_form_get_nth(f, name, 0);
}
