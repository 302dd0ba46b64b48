/* A small, strict JSON scanner over a buffer already in memory: it walks a document value by
 * value without building a tree, so that a reader can hand one piece at a time (a MISP
 * attribute) to jansson and keep memory bounded by that piece, not by the document. RFC 8259
 * grammar, UTF-8 checked, a nesting limit, and the byte offset of the first error. */
#ifndef VG_JSCAN_H
#define VG_JSCAN_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"
#include "util/limits.h"
#include "util/str.h"

struct vg_jscan {
    const char *p;   /* the input */
    size_t len;      /* its length */
    size_t pos;      /* the next byte to read */
    int depth;       /* open arrays and objects */
    int max_depth;   /* the most depth may reach (VG_MAX_JSON_DEPTH) */
    size_t err_pos;  /* byte offset of the first error */
    const char *err; /* what it is (a static string), NULL while all is well */
    unsigned char more[VG_MAX_JSON_DEPTH + 1]; /* per open level: a member was read already */
};

void vg_jscan_init(struct vg_jscan *s, const char *p, size_t len);
/* Skips white space and returns the next byte without taking it, or 0 at the end. */
int vg_jscan_peek(struct vg_jscan *s);
/* Opens the object or array at the current position: 0, or -1 (s->err set). */
int vg_jscan_obj_begin(struct vg_jscan *s);
int vg_jscan_arr_begin(struct vg_jscan *s);
/* The next member of the open object: 1 with *key (its raw bytes between the quotes, escapes
 * not undone) and the position on its value; 0 when the object closed (the '}' is taken);
 * -1 on an error. */
int vg_jscan_obj_next(struct vg_jscan *s, struct vg_str *key);
/* The next element of the open array: 1 with the position on it; 0 when the array closed;
 * -1 on an error. */
int vg_jscan_arr_next(struct vg_jscan *s);
/* Reads one whole value strictly (any kind, nesting checked) and gives its bytes: 0 or -1. */
int vg_jscan_value(struct vg_jscan *s, struct vg_str *span);
/* Reads a string value: *raw its bytes between the quotes, escapes not undone. 0 or -1. */
int vg_jscan_string(struct vg_jscan *s, struct vg_str *raw);
/* Skips one value quickly and leniently (strings and brackets only, no grammar, no UTF-8
 * check): for a first look at a document that the strict pass reads afterwards. 0 or -1. */
int vg_jscan_skip(struct vg_jscan *s);
/* True if the raw key (as vg_jscan_obj_next gives it) is lit once unescaped. */
bool vg_jscan_key_is(struct vg_str key, const char *lit);
/* Appends the unescaped text of a raw string (checked by the scanner) to out: 0 or -1. */
int vg_jscan_unescape(struct vg_str raw, struct vg_buf *out);

#endif
