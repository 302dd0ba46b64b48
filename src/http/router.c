/* The route matcher. Patterns are literal segments and "{}" placeholders; a table is small
 * (api/routes.c gives the server its own), so a linear scan is fast enough and keeps the
 * order obvious. Paths are matched as they were sent, percent-encoded: a literal segment
 * matches only its own spelling (/api/v1/m%65 is not /api/v1/me), and a "{}" segment is
 * decoded once matched. */
#include "http/router.h"

#include <stdio.h>
#include <string.h>

/* Decodes %XX in s in place ('%' not followed by two hex digits stays as it is); false if it
 * decodes to a NUL or a '/' (the server refuses those before routing). */
static bool decode_segment(char *s)
{
    char *out = s;
    for (const char *p = s; *p; p++) {
        int hi, lo;
        if (p[0] == '%' && (hi = vg_hex_digit(p[1])) >= 0 && (lo = vg_hex_digit(p[2])) >= 0) {
            char c = (char)(hi << 4 | lo);
            if (c == '\0' || c == '/')
                return false;
            *out++ = c;
            p += 2;
        } else {
            *out++ = *p;
        }
    }
    *out = '\0';
    return true;
}

/* Matches path (percent-encoded) against pattern; fills params (up to 4, decoded) on
 * success. */
static bool match(const char *pattern, const char *path, struct vg_req *req)
{
    int np = 0;
    while (*pattern && *path) {
        if (pattern[0] == '{' && pattern[1] == '}') {
            size_t n = strcspn(path, "/");
            if (n == 0 || n >= sizeof req->param_buf[0] || np == 4)
                return false;
            memcpy(req->param_buf[np], path, n);
            req->param_buf[np][n] = '\0';
            if (!decode_segment(req->param_buf[np]))
                return false;
            req->params[np] = req->param_buf[np];
            np++;
            pattern += 2;
            path += n;
            continue;
        }
        if (*pattern != *path)
            return false;
        pattern++;
        path++;
    }
    if (*path == '/' && path[1] == '\0')
        path++; /* one trailing slash is tolerated */
    return *pattern == '\0' && *path == '\0';
}

const struct vg_route *vg_route_find(const struct vg_route *table, struct vg_req *req,
                                     bool *path_known, char *allow, size_t allow_cap)
{
    size_t n = 0;
    *path_known = false;
    allow[0] = '\0';
    for (const struct vg_route *r = table; r->method; r++) {
        if (!match(r->pattern, req->path, req))
            continue;
        if (strcmp(r->method, req->method) == 0)
            return r;
        *path_known = true;
        int w = snprintf(allow + n, allow_cap - n, "%s%s", n ? ", " : "", r->method);
        if (w > 0 && (size_t)w < allow_cap - n)
            n += (size_t)w;
    }
    return NULL;
}
