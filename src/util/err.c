/* Diagnostics: the message and place of an error, filled by library code for the caller. */
#include "util/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void vg_diag_clear(struct vg_diag *d)
{
    if (!d)
        return;
    d->message[0] = '\0';
    d->field[0] = '\0';
    d->line = 0;
    d->offset = -1;
}

int vg_diag_set(struct vg_diag *d, int code, const char *field, const char *fmt, ...)
{
    if (!d)
        return code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->message, sizeof d->message, fmt, ap);
    va_end(ap);
    snprintf(d->field, sizeof d->field, "%s", field ? field : "");
    return code;
}

const char *vg_strerror(int code)
{
    switch (code) {
    case VG_OK: return "ok";
    case VG_EINVAL: return "invalid input";
    case VG_ENOMEM: return "out of memory";
    case VG_EIO: return "i/o error";
    case VG_ENOENT: return "not found";
    case VG_EEXIST: return "already exists";
    case VG_ECONFLICT: return "conflict";
    case VG_ETOOBIG: return "too big";
    case VG_EPERM: return "not allowed";
    case VG_EBUSY: return "busy";
    default: return "unknown error";
    }
}
