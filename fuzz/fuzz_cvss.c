/* libFuzzer target: CVSS vectors (advisory/cvss.c). Any input: no crash; a refused vector says
 * where (an offset inside the input or at its end). A vector that parses writes back to a
 * canonical vector that parses to the same metrics, and scores 0.0-10.0 in tenths. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "advisory/cvss.h"

static void check_score(double s)
{
    if (!(s >= 0 && s <= 10))
        abort();
    double tenths = s * 10;
    if (fabs(tenths - round(tenths)) > 1e-6)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct vg_cvss c, again;
    struct vg_diag d;
    memset(&d, 0, sizeof d);
    int rc = vg_cvss_parse((const char *)data, size, &c, &d);
    if (rc != 0) {
        if (rc != VG_EINVAL || d.offset < 0 || (size_t)d.offset > size || !d.message[0])
            abort();
        return 0;
    }
    char out[VG_CVSS_MAX_VECTOR];
    if (vg_cvss_format(&c, out, sizeof out) != 0)
        abort();
    if (vg_cvss_parse(out, strlen(out), &again, &d) != 0 || memcmp(&c, &again, sizeof c) != 0)
        abort();
    struct vg_cvss_scores s;
    if (vg_cvss_score(&c, &s) != 0)
        abort();
    check_score(s.base);
    check_score(s.temporal);
    check_score(s.environmental);
    if (c.version != VG_CVSS_V2) {
        const char *sev = vg_cvss_severity(s.base);
        if ((s.base == 0) != (strcmp(sev, "NONE") == 0))
            abort();
    }
    return 0;
}
