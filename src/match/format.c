/* The JSON line of a hit, as `vigie match` prints it and the API will return it:
 * {"file":..,"line":N,"indicator":..,"type":..,"value":..,"field":..}. Strings are escaped;
 * bytes that are not UTF-8 become U+FFFD so the line is always valid JSON. */
#include "match/match.h"

#include <stdio.h>

#include "util/buf.h"

void vg_match_hit_format(const struct vg_match_index *idx, const struct vg_match_hit *h,
                         const char *file, struct vg_buf *out)
{
    char text[VG_MATCH_TEXT_MAX];
    struct vg_match_indicator ind;
    vg_match_index_get(idx, h->rec, &ind, text);
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
