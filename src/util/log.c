/* stderr logger: one line per message, with a level tag. Thread-safe through stdio locking. */
#include "util/log.h"

#include <stdarg.h>
#include <stdio.h>

static enum vg_log_level min_level = VG_LOG_INFO;

void vg_log_set_level(enum vg_log_level level)
{
    min_level = level;
}

void vg_log(enum vg_log_level level, const char *fmt, ...)
{
    static const char *names[] = {"debug", "info", "warn", "error"};
    if (level < min_level)
        return;
    va_list ap;
    va_start(ap, fmt);
    flockfile(stderr);
    fprintf(stderr, "vigie: %s: ", names[level]);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    funlockfile(stderr);
    va_end(ap);
}
