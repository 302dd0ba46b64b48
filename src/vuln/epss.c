/* The FIRST EPSS CSV reader: "cve,epss,percentile" lines after a "#model_version:...,
 * score_date:..." comment, joined to the set by CVE. */
#include "vuln/vuln_int.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/json.h"
#include "util/limits.h"
#include "vuln/feed.h"

/* Parses a probability in [0, 1] from a CSV field. */
static bool parse_prob(const char *p, size_t n, float *out)
{
    char tmp[40];
    if (n == 0 || n >= sizeof tmp)
        return false;
    memcpy(tmp, p, n);
    tmp[n] = '\0';
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)tmp[i]) && tmp[i] != '.' && tmp[i] != 'e' && tmp[i] != 'E' &&
            tmp[i] != '-')
            return false;
    char *end;
    errno = 0;
    double v = strtod(tmp, &end);
    if (errno || *end || !(v >= 0 && v <= 1))
        return false;
    *out = (float)v;
    return true;
}

int vuln_read_epss(struct vg_vuln_set *s, const char *data, size_t len, const char *name,
                   const struct vg_feed_opts *o, struct vg_feed_stats *st, struct vg_diag *d)
{
    size_t i = 0;
    long line = 0;
    bool header = false;
    while (i < len) {
        size_t e = i;
        while (e < len && data[e] != '\n')
            e++;
        struct vg_str l = {data + i, e - i};
        if (l.len && l.ptr[l.len - 1] == '\r')
            l.len--;
        i = e + 1;
        line++;
        if (l.len > VG_MAX_LINE)
            return vg_diag_set(d, VG_ETOOBIG, "", "%s:%ld: line too long", name, line);
        if (l.len == 0)
            continue;
        if (l.ptr[0] == '#') {
            /* #model_version:v2023.03.01,score_date:2023-03-15T00:00:00+0000 */
            char meta[256];
            vg_str_copy((struct vg_str){l.ptr + 1, l.len - 1 < 255 ? l.len - 1 : 255}, meta,
                        sizeof meta);
            char *model = strstr(meta, "model_version:");
            char *date = strstr(meta, "score_date:");
            char mv[64] = "", sd[64] = "";
            if (model) {
                model += 14;
                size_t n = strcspn(model, ",");
                snprintf(mv, sizeof mv, "%.*s", (int)(n < 63 ? n : 63), model);
            }
            if (date)
                snprintf(sd, sizeof sd, "%.40s", date + 11);
            vg_vuln_set_epss_meta(s, mv, sd);
            continue;
        }
        if (!header) {
            if (!vg_str_has_prefix(l, VG_STR("cve,epss,percentile")))
                return vg_diag_set(d, VG_EINVAL, "",
                                   "%s:%ld: expected header "
                                   "'cve,epss,percentile'",
                                   name, line);
            header = true;
            continue;
        }
        const char *c1 = memchr(l.ptr, ',', l.len);
        const char *c2 = c1 ? memchr(c1 + 1, ',', l.len - (size_t)(c1 + 1 - l.ptr)) : NULL;
        float ep = 0, pc = 0;
        uint64_t key = c1 ? vg_vuln_key((struct vg_str){l.ptr, (size_t)(c1 - l.ptr)}) : 0;
        const char *why = NULL;
        if (!c1 || !c2)
            why = "expected 3 fields: cve,epss,percentile";
        else if (!key)
            why = "first field is not a CVE id";
        else if (!parse_prob(c1 + 1, (size_t)(c2 - c1 - 1), &ep))
            why = "epss is not a number in [0, 1]";
        else if (!parse_prob(c2 + 1, (size_t)(l.ptr + l.len - c2 - 1), &pc))
            why = "percentile is not a number in [0, 1]";
        if (why) {
            struct vg_diag rd;
            vg_diag_set(&rd, VG_EINVAL, "", "%s", why);
            rd.line = line;
            vuln_feed_report(o, name, &rd, st);
            continue;
        }
        int rc = vg_vuln_set_put_epss(s, key, ep, pc);
        if (rc < 0)
            return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
        vuln_feed_count(rc, st);
    }
    if (!header)
        return vg_diag_set(d, VG_EINVAL, "", "%s: no 'cve,epss,percentile' header", name);
    return 0;
}
