/* The route matcher. Patterns are literal segments and "{}" placeholders; a table is small
 * (api/routes.c gives the server its own), so a linear scan is fast enough and keeps the
 * order obvious. */
#include "http/router.h"

#include <stdio.h>
#include <string.h>

/* Matches path against pattern; fills params (up to 4) on success. */
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
