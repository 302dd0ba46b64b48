/* Untrusted bytes escaped and cut for messages (util/shown.h). */
#include "util/shown.h"

#include <stdio.h>

static const char hex[] = "0123456789abcdef";

static const char *show(struct vg_str s, size_t max, bool backslash, struct vg_shown *out)
{
    if (max == 0)
        max = VG_MAX_SHOWN;
    if (max > VG_SHOWN_ROOM)
        max = VG_SHOWN_ROOM;
    char *w = out->text;
    size_t i = 0;
    while (i < s.len && i < max) {
        unsigned char c = (unsigned char)s.ptr[i];
        size_t n = c < 0x80 ? 1 : vg_utf8_len((const unsigned char *)s.ptr + i, s.len - i);
        if (n > 1 && i + n > max)
            break; /* a character that would cross the cut */
        bool c1 = n == 2 && c == 0xc2 && (unsigned char)s.ptr[i + 1] < 0xa0;
        if (c == '\n' || c == '\r' || c == '\t' || (c == '\\' && backslash)) {
            *w++ = '\\';
            *w++ = c == '\n' ? 'n' : c == '\r' ? 'r' : c == '\t' ? 't' : '\\';
            i++;
        } else if (c < 0x20 || c == 0x7f || n == 0 || c1) {
            size_t k = c1 ? 2 : 1;
            for (size_t j = 0; j < k; j++) {
                unsigned char b = (unsigned char)s.ptr[i + j];
                *w++ = '\\';
                *w++ = 'x';
                *w++ = hex[b >> 4];
                *w++ = hex[b & 15];
            }
            i += k;
        } else {
            for (size_t j = 0; j < n; j++)
                *w++ = s.ptr[i++];
        }
    }
    if (i < s.len)
        snprintf(w, sizeof out->text - (size_t)(w - out->text), "...(%zu bytes)", s.len);
    else
        *w = '\0';
    return out->text;
}

const char *vg_shown(struct vg_str s, size_t max, struct vg_shown *out)
{
    return show(s, max, true, out);
}

const char *vg_shown_msg(const char *msg, struct vg_shown *out)
{
    return show(vg_str_c(msg), VG_SHOWN_ROOM, false, out);
}
