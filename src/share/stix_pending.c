/* Stand-in for share/stix.c until the STIX format lands (removed when it is merged): every
 * call fails with a message saying so. */
#include "share/stix.h"

int vg_stix_write(const json_t *doc, struct vg_buf *out, struct vg_diag *d)
{
    (void)doc;
    (void)out;
    return vg_diag_set(d, VG_EINVAL, "format", "the STIX format is not built in");
}

int vg_stix_read(const char *buf, size_t len, const struct vg_share_sink *sink, struct vg_diag *d)
{
    (void)buf;
    (void)len;
    (void)sink;
    return vg_diag_set(d, VG_EINVAL, "format", "the STIX format is not built in");
}

int vg_stix_read_objects(const json_t *objects, const char *pointer_base,
                         const struct vg_share_sink *sink, struct vg_diag *d)
{
    (void)objects;
    (void)pointer_base;
    (void)sink;
    return vg_diag_set(d, VG_EINVAL, "format", "the STIX format is not built in");
}
