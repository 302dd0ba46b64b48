/* Error codes shared by every module, and the diagnostic a failing function fills in:
 * what went wrong and where (byte offset, line, JSON pointer, field). */
#ifndef VG_ERR_H
#define VG_ERR_H

#include <stddef.h>

enum {
    VG_OK = 0,
    VG_EINVAL = -1,    /* bad input */
    VG_ENOMEM = -2,    /* allocation failed or a cap was reached */
    VG_EIO = -3,       /* storage or file error */
    VG_ENOENT = -4,    /* no such thing */
    VG_EEXIST = -5,    /* already exists */
    VG_ECONFLICT = -6, /* state does not allow it (e.g. lifecycle) */
    VG_ETOOBIG = -7,   /* over a limit */
    VG_EPERM = -8,     /* not allowed */
    VG_EBUSY = -9,     /* storage locked by someone else: try again later */
};

struct vg_diag {
    char message[256]; /* human-readable, no trailing newline */
    char field[160];   /* field name or JSON pointer ("/assets/cidrs/2"), "" if none */
    long line;         /* 1-based line, 0 if unknown */
    long offset;       /* byte offset, -1 if unknown */
};

/* Fills d (if not NULL) and returns code, so callers can write `return vg_diag_set(...)`. */
int vg_diag_set(struct vg_diag *d, int code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void vg_diag_clear(struct vg_diag *d);
const char *vg_strerror(int code);

#endif
