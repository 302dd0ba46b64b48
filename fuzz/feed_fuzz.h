/* The body shared by the feed fuzz targets (fuzz_nvd, fuzz_cve5, fuzz_kev, fuzz_epss): any
 * input must be read or refused without a crash or leak; what is read must then match an
 * inventory without a crash. Each target includes this once with FEED_FORMAT defined. */
#ifndef VG_FEED_FUZZ_H
#define VG_FEED_FUZZ_H

#include <stdint.h>
#include <stdlib.h>

#include "vuln/feed.h"
#include "vuln/vmatch.h"

static int feed_fuzz_one(enum vg_feed_format fmt, const uint8_t *data, size_t size)
{
    struct vg_vuln_set *s = vg_vuln_set_new();
    struct vg_feed_opts o = {true, NULL, NULL};
    struct vg_feed_stats st = {0};
    struct vg_diag d;
    vg_feed_read_mem(s, fmt, "fuzz", (const char *)data, size, &o, &st, &d);
    struct vg_inventory *inv = vg_inventory_new();
    static const char *const assets[] = {
        "cpe:2.3:a:acme:ok:1.0:*:*:*:*:*:*:*",
        "cpe:2.3:a:apache:http_server:2.4.49:*:*:*:*:*:*:*",
        "cpe:2.3:h:contec:solarview_compact:-:*:*:*:*:*:*:*",
        "cpe:2.3:a:example.org:example_enterprise:1.0.5:*:*:*:*:*:*:*",
    };
    for (int i = 0; i < 4; i++)
        vg_inventory_add(inv, VG_STR("org"), vg_str_c(assets[i]), &d);
    struct vg_vindex *ix = vg_vindex_build(s);
    struct vg_findings f;
    vg_findings_init(&f);
    if (ix) {
        vg_vmatch_all(ix, s, inv, &f);
        for (size_t i = 0; i < vg_vuln_set_count(s) && i < 64; i++)
            vg_vmatch_vuln(s, i, inv, &f);
        vg_findings_sort(&f, s);
    }
    vg_findings_cleanup(&f);
    vg_vindex_free(ix);
    vg_inventory_free(inv);
    vg_vuln_set_free(s);
    return 0;
}

#endif
