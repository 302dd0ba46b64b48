/* Growable output buffer with a mandatory cap; always NUL-terminated. Once an append fails
 * (cap or allocation) the buffer is marked failed and further appends are ignored, so a
 * writer can check once at the end. */
#ifndef VG_BUF_H
#define VG_BUF_H

#include <stdbool.h>
#include <stddef.h>

#include "util/str.h"

struct vg_buf {
    char *data;  /* NUL-terminated contents, NULL until the first append */
    size_t len;  /* bytes used, without the NUL */
    size_t cap;  /* bytes allocated */
    size_t max;  /* the most len may reach */
    bool failed; /* an append did not fit or allocation failed */
};

void vg_buf_init(struct vg_buf *b, size_t max);
void vg_buf_cleanup(struct vg_buf *b);
int vg_buf_append(struct vg_buf *b, const void *p, size_t n);
int vg_buf_puts(struct vg_buf *b, const char *s);
int vg_buf_putc(struct vg_buf *b, char c);
int vg_buf_printf(struct vg_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s with HTML special characters escaped (& < > " '). */
int vg_buf_put_html(struct vg_buf *b, const char *s, size_t n);
/* Appends s as a JSON string: quoted, escaped, and each byte that is not part of a UTF-8
 * sequence as U+FFFD, so that the result is always valid JSON. */
int vg_buf_put_json(struct vg_buf *b, struct vg_str s);
void vg_buf_reset(struct vg_buf *b);
/* Makes room for extra more bytes (no more than the cap allows) in one allocation, so that a
 * writer that knows about how much it will write does not grow the buffer step by step. A
 * hint: on failure the buffer is left as it was, not failed. 0 or VG_ENOMEM. */
int vg_buf_reserve(struct vg_buf *b, size_t extra);
/* Hands the data over to the caller (free() it); the buffer is left empty. */
char *vg_buf_steal(struct vg_buf *b);

#endif
