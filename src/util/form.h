/* An HTML form's body (application/x-www-form-urlencoded) read into name, value pairs: '+' is
 * a space, %XX a byte; names and values must be UTF-8 without NUL once decoded. The body
 * comes from outside: it is bounded (fields, length) and fuzzed (fuzz/fuzz_form.c). */
#ifndef VG_FORM_H
#define VG_FORM_H

#include <stddef.h>

#include "util/err.h"

#define VG_FORM_MAX_FIELDS 256 /* fields in one form */

struct vg_form_field {
    char *name;  /* decoded, NUL-terminated */
    char *value; /* decoded, NUL-terminated */
};

struct vg_form {
    struct vg_form_field *fields; /* in the body's order */
    size_t n;
    char *mem; /* one allocation holding every name and value */
};

/* Reads len bytes of a form body into f (vg_form_cleanup it, even on failure). 0, or
 * VG_EINVAL with d naming the field ("/name") and what is wrong (a bad %-escape, bad UTF-8,
 * a NUL, too many fields), or VG_ENOMEM. An empty body is a form without fields. */
int vg_form_parse(struct vg_form *f, const char *body, size_t len, struct vg_diag *d);
void vg_form_cleanup(struct vg_form *f);
/* The value of the first field named name, or NULL. */
const char *vg_form_get(const struct vg_form *f, const char *name);
/* The i-th value of fields named name (a multi-select, repeated checkboxes), or NULL. */
const char *vg_form_get_nth(const struct vg_form *f, const char *name, size_t i);

#endif
