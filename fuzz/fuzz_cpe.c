/* libFuzzer target: CPE names. Whatever parses must bind back to a formatted string and a
 * URI that parse again to an EQUAL name; compare must never crash. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "vuln/cpe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct vg_cpe_name a, b;
    struct vg_diag d;
    /* The input may hold two names separated by a newline: compare them too. */
    const uint8_t *nl = memchr(data, '\n', size);
    size_t n1 = nl ? (size_t)(nl - data) : size;
    if (vg_cpe_parse((struct vg_str){(const char *)data, n1}, &a, &d) != 0)
        return 0;
    struct vg_buf out;
    vg_buf_init(&out, 1 << 16);
    vg_cpe_write_fs(&a.cpe, &out);
    if (!out.failed && out.len <= VG_MAX_CPE) { /* a long URI may bind past the limit */
        if (vg_cpe_parse_fs((struct vg_str){out.data, out.len}, &b, &d) != 0)
            abort(); /* our own binding must parse */
        bool wild = false;
        for (int i = 0; i < VG_CPE_NATTR; i++)
            wild = wild || vg_cpe_has_wildcard(vg_cpe_value(&a.cpe, (enum vg_cpe_attr)i));
        /* Without wildcards a name and its re-read binding are EQUAL (with them, the target
         * holds wildcards and the relation is UNDEFINED by design). */
        if (!wild && vg_cpe_compare(&a.cpe, &b.cpe) != VG_CPE_EQUAL)
            abort();
    }
    vg_buf_reset(&out);
    vg_cpe_write_uri(&a.cpe, &out);
    if (!out.failed)
        (void)vg_cpe_parse_uri((struct vg_str){out.data, out.len}, &b, &d);
    vg_buf_reset(&out);
    vg_cpe_write_json(&a.cpe, &out);
    vg_buf_cleanup(&out);
    if (nl && vg_cpe_parse((struct vg_str){(const char *)nl + 1, size - n1 - 1}, &b, &d) == 0) {
        (void)vg_cpe_compare(&a.cpe, &b.cpe);
        (void)vg_cpe_compare(&b.cpe, &a.cpe);
    }
    return 0;
}
