/* The JSON line of a hit, as `vigie match` prints it and the API will return it:
 * {"file":..,"line":N,"indicator":..,"type":..,"value":..,"field":..}. Strings are escaped;
 * bytes that are not UTF-8 become U+FFFD so the line is always valid JSON. */
#include "match/match.h"

#include <stdio.h>

#include "util/buf.h"

void vg_match_put_json_str(struct vg_buf *b, struct vg_str s)
{
    const unsigned char *p = (const unsigned char *)s.ptr;
    size_t i = 0, run = 0;
    vg_buf_putc(b, '"');
    while (i < s.len) {
        unsigned char c = p[i];
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
            i++;
            run++;
            continue;
        }
        if (c >= 0x80) {
            size_t n = vg_utf8_len(p + i, s.len - i);
            if (n) {
                i += n;
                run += n;
                continue;
            }
        }
        vg_buf_append(b, p + i - run, run);
        run = 0;
        switch (c) {
        case '"': vg_buf_puts(b, "\\\""); break;
        case '\\': vg_buf_puts(b, "\\\\"); break;
        case '\n': vg_buf_puts(b, "\\n"); break;
        case '\r': vg_buf_puts(b, "\\r"); break;
        case '\t': vg_buf_puts(b, "\\t"); break;
        default:
            if (c < 0x20)
                vg_buf_printf(b, "\\u%04x", c);
            else
                vg_buf_puts(b, "\\ufffd");
        }
        i++;
    }
    vg_buf_append(b, p + i - run, run);
    vg_buf_putc(b, '"');
}

void vg_match_hit_format(const struct vg_match_index *idx, const struct vg_match_hit *h,
                         const char *file, struct vg_buf *out)
{
    char text[VG_MATCH_TEXT_MAX];
    struct vg_match_indicator ind;
    vg_match_index_get(idx, h->rec, &ind, text);
    vg_buf_putc(out, '{');
    if (file) {
        vg_buf_puts(out, "\"file\":");
        vg_match_put_json_str(out, vg_str_c(file));
        vg_buf_putc(out, ',');
    }
    vg_buf_printf(out, "\"line\":%llu,\"indicator\":", (unsigned long long)h->line);
    vg_match_put_json_str(out, ind.text);
    vg_buf_printf(out, ",\"type\":\"%s\",\"value\":", vg_match_type_name(ind.type));
    vg_match_put_json_str(out, h->value);
    if (h->field.len) {
        vg_buf_puts(out, ",\"field\":");
        vg_match_put_json_str(out, h->field);
    }
    vg_buf_puts(out, "}\n");
}
