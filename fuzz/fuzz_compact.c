/* libFuzzer target: the compact form of a record (vuln/compact.h), as a store gives it back.
 * Whatever decodes must re-encode to the same bytes and be matched against a small
 * inventory without reading out of bounds; everything else must be refused. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "vuln/compact.h"
#include "vuln/vmatch.h"
#include "vuln/vuln.h"

static const char *const assets[] = {
    "cpe:2.3:a:apache:http_server:2.4.49:*:*:*:*:*:*:*",
    "cpe:2.3:o:contec:solarview_compact_firmware:6.00:*:*:*:*:*:*:*",
    "cpe:2.3:h:contec:solarview_compact:-:*:*:*:*:*:*:*",
    "cpe:2.3:a:example.org:example_enterprise:1.0.5:*:*:*:*:*:*:*",
    "cpe:2.3:a:acme:lib:4.1.7:*:*:*:*:windows:*:*",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct vg_diag d;
    struct vg_vuln *v = vg_vuln_decode(data, size, &d);
    if (!v)
        return 0;
    struct vg_buf b;
    vg_buf_init(&b, 1 << 26);
    if (vg_vuln_encode(v, &b) != 0 || b.len != size || memcmp(b.data, data, size) != 0)
        abort(); /* a decoded form is the encoding of what it decodes to */
    vg_buf_cleanup(&b);
    struct vg_vuln_set *s = vg_vuln_set_new();
    struct vg_inventory *inv = vg_inventory_new();
    if (!s || !inv)
        abort();
    for (size_t i = 0; i < sizeof assets / sizeof assets[0]; i++)
        vg_inventory_add(inv, vg_str_c("1"), vg_str_c(assets[i]), &d);
    if (vg_vuln_set_put(s, v) < 0)
        abort();
    struct vg_findings f;
    vg_findings_init(&f);
    vg_vmatch_vuln(s, 0, inv, &f);
    struct vg_vindex *ix = vg_vindex_build(s);
    if (ix)
        vg_vmatch_all(ix, s, inv, &f);
    vg_vindex_free(ix);
    vg_findings_cleanup(&f);
    vg_inventory_free(inv);
    vg_vuln_set_free(s);
    return 0;
}
