/* Capped growable buffer. Growth doubles; the cap is checked before every allocation. */
#include "util/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/mem.h"
#include "util/str.h"

void vg_buf_init(struct vg_buf *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
    b->failed = false;
}

void vg_buf_cleanup(struct vg_buf *b)
{
    free(b->data);
    vg_buf_init(b, b->max);
}

static int reserve(struct vg_buf *b, size_t extra)
{
    if (b->failed)
        return VG_ENOMEM;
    if (extra > b->max - b->len) {
        b->failed = true;
        return VG_ETOOBIG;
    }
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return 0;
    size_t ncap = b->cap ? b->cap : 256;
    while (ncap < need)
        ncap *= 2;
    char *p = vg_realloc(b->data, ncap);
    if (!p) {
        b->failed = true;
        return VG_ENOMEM;
    }
    b->data = p;
    b->cap = ncap;
    return 0;
}

int vg_buf_reserve(struct vg_buf *b, size_t extra)
{
    if (b->failed)
        return VG_ENOMEM;
    if (extra > b->max - b->len)
        extra = b->max - b->len;
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return 0;
    char *p = vg_realloc(b->data, need);
    if (!p)
        return VG_ENOMEM;
    b->data = p;
    b->cap = need;
    b->data[b->len] = '\0';
    return 0;
}

int vg_buf_append(struct vg_buf *b, const void *p, size_t n)
{
    int rc = reserve(b, n);
    if (rc)
        return rc;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int vg_buf_puts(struct vg_buf *b, const char *s)
{
    return vg_buf_append(b, s, strlen(s));
}

int vg_buf_putc(struct vg_buf *b, char c)
{
    return vg_buf_append(b, &c, 1);
}

int vg_buf_printf(struct vg_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return VG_EINVAL;
    int rc = reserve(b, (size_t)n);
    if (rc)
        return rc;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

int vg_buf_put_html(struct vg_buf *b, const char *s, size_t n)
{
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        const char *rep = NULL;
        switch (s[i]) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        default: continue;
        }
        vg_buf_append(b, s + start, i - start);
        vg_buf_puts(b, rep);
        start = i + 1;
    }
    return vg_buf_append(b, s + start, n - start);
}

void vg_buf_reset(struct vg_buf *b)
{
    b->len = 0;
    b->failed = false;
    if (b->data)
        b->data[0] = '\0';
}

char *vg_buf_steal(struct vg_buf *b)
{
    char *p = b->data;
    vg_buf_init(b, b->max);
    return p;
}

int vg_buf_put_json(struct vg_buf *b, struct vg_str s)
{
    const unsigned char *p = (const unsigned char *)(s.ptr ? s.ptr : ""); /* {NULL, 0}: "" */
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
    return vg_buf_putc(b, '"');
}
