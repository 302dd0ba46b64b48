/* The JSON line of a hit, as `vigie match` prints it and the API will return it:
 * {"file":..,"line":N,"indicator":..,"type":..,"value":..,"field":..}. Strings are escaped;
 * bytes that are not UTF-8 become U+FFFD so the line is always valid JSON. */
#include "match/match.h"

#include <stdio.h>
#include <string.h>

#include "util/buf.h"

/* True if s needs no escaping: printable ASCII without '"' or '\\'. */
static bool plain(struct vg_str s)
{
    const unsigned char *p = (const unsigned char *)s.ptr;
    unsigned bad = 0;
    for (size_t i = 0; i < s.len; i++)
        bad |= (p[i] < 0x20) | (p[i] >= 0x80) | (p[i] == '"') | (p[i] == '\\');
    return !bad;
}

static char *put(char *o, const char *s, size_t n)
{
    memcpy(o, s, n);
    return o + n;
}

static char *put_quoted(char *o, struct vg_str s)
{
    *o++ = '"';
    o = put(o, s.ptr, s.len);
    *o++ = '"';
    return o;
}

/* The line of a hit whose strings need no escaping, written at once (the common case: a hit
 * costs no printf); false if it needs the general path. */
static bool format_plain(const struct vg_match_indicator *ind, const struct vg_match_hit *h,
                         const char *file, struct vg_buf *out)
{
    struct vg_str f = file ? vg_str_c(file) : (struct vg_str){"", 0};
    /* the type names of vg_match_type_name with their lengths (no strlen per hit) */
    static const struct vg_str types[VG_MATCH_NTYPES] = {
        {"ipv4-addr", 9},   {"ipv6-addr", 9}, {"domain-name", 11}, {"url", 3},
        {"email-addr", 10}, {"md5", 3},       {"sha1", 4},         {"sha256", 6},
    };
    if ((unsigned)ind->type >= VG_MATCH_NTYPES)
        return false;
    const char *type = types[ind->type].ptr;
    size_t tlen = types[ind->type].len;
    char line[1024];
    if (f.len + ind->text.len + h->value.len + h->field.len + tlen + 128 > sizeof line ||
        !plain(f) || !plain(ind->text) || !plain(h->value) || !plain(h->field))
        return false;
    char *o = line;
    *o++ = '{';
    if (file) {
        o = put(o, "\"file\":", 7);
        o = put_quoted(o, f);
        *o++ = ',';
    }
    o = put(o, "\"line\":", 7);
    char digits[24];
    int nd = 0;
    unsigned long long n = (unsigned long long)h->line;
    do {
        digits[nd++] = (char)('0' + n % 10);
        n /= 10;
    } while (n);
    while (nd)
        *o++ = digits[--nd];
    o = put(o, ",\"indicator\":", 13);
    o = put_quoted(o, ind->text);
    o = put(o, ",\"type\":\"", 9);
    o = put(o, type, tlen);
    o = put(o, "\",\"value\":", 10);
    o = put_quoted(o, h->value);
    if (h->field.len) {
        o = put(o, ",\"field\":", 9);
        o = put_quoted(o, h->field);
    }
    o = put(o, "}\n", 2);
    vg_buf_append(out, line, (size_t)(o - line));
    return true;
}

void vg_match_hit_format(const struct vg_match_index *idx, const struct vg_match_hit *h,
                         const char *file, struct vg_buf *out)
{
    char text[VG_MATCH_TEXT_MAX];
    struct vg_match_indicator ind;
    vg_match_index_get(idx, h->rec, &ind, text);
    if (format_plain(&ind, h, file, out))
        return;
    vg_buf_putc(out, '{');
    if (file) {
        vg_buf_puts(out, "\"file\":");
        vg_buf_put_json(out, vg_str_c(file));
        vg_buf_putc(out, ',');
    }
    vg_buf_printf(out, "\"line\":%llu,\"indicator\":", (unsigned long long)h->line);
    vg_buf_put_json(out, ind.text);
    vg_buf_printf(out, ",\"type\":\"%s\",\"value\":", vg_match_type_name(ind.type));
    vg_buf_put_json(out, h->value);
    if (h->field.len) {
        vg_buf_puts(out, ",\"field\":");
        vg_buf_put_json(out, h->field);
    }
    vg_buf_puts(out, "}\n");
}
