/* Stand-in for share/misp.c until the MISP format lands (removed when it is merged): every
 * call fails with a message saying so. */
#include "share/misp.h"

int vg_misp_write(const json_t *doc, struct vg_buf *out, struct vg_diag *d)
{
    (void)doc;
    (void)out;
    return vg_diag_set(d, VG_EINVAL, "format", "the MISP format is not built in");
}

int vg_misp_read(const char *buf, size_t len, const struct vg_share_sink *sink, struct vg_diag *d)
{
    (void)buf;
    (void)len;
    (void)sink;
    return vg_diag_set(d, VG_EINVAL, "format", "the MISP format is not built in");
}

int vg_misp_manifest_entry(const json_t *doc, json_t **out, struct vg_diag *d)
{
    (void)doc;
    (void)out;
    return vg_diag_set(d, VG_EINVAL, "format", "the MISP format is not built in");
}
