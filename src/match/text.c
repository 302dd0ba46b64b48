/* The plain-text reader of the matcher: splits a line into tokens at blanks and at the
 * characters "'<>()[]{},;|= ; each token is then classified like a JSON string value. */
#include "match/match.h"

static unsigned char delim[256];

__attribute__((constructor)) static void text_init(void)
{
    const char *d = "\"'<>()[]{},;|= \t\n\v\f\r";
    for (const char *p = d; *p; p++)
        delim[(unsigned char)*p] = 1;
}

int vg_match_text_read(const char *line, size_t len, vg_match_string_fn fn, void *ctx)
{
    const char *p = line, *end = line + len;
    while (p < end) {
        while (p < end && delim[(unsigned char)*p])
            p++;
        const char *start = p;
        while (p < end && !delim[(unsigned char)*p])
            p++;
        if (p > start) {
            int rc = fn(ctx, (struct vg_str){start, (size_t)(p - start)}, (struct vg_str){"", 0});
            if (rc)
                return rc;
        }
    }
    return 0;
}
