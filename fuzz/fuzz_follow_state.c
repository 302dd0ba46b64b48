/* libFuzzer target of the follow state's reader (src/match/follow.c, `vigie match --follow
 * --state FILE`). Input: the file's text. Properties: an accepted state is written back
 * (vg_follow_state_format) to a text the reader accepts and reads to the same positions, and
 * that text is written back byte for byte (a fixed point); a refused one says why (its
 * message names the field or the JSON error) and leaves nothing allocated. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "match/follow.h"

static bool same(const struct vg_follow_pos *a, const struct vg_follow_pos *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(a[i].path, b[i].path) != 0 || a[i].dev != b[i].dev || a[i].ino != b[i].ino ||
            a[i].offset != b[i].offset || a[i].line != b[i].line)
            return false;
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1 << 20)
        return 0;
    struct vg_follow_pos *pos = NULL, *again = NULL;
    size_t n = 0, m = 0;
    struct vg_diag d;
    vg_diag_clear(&d);
    int rc = vg_follow_state_parse((const char *)data, size, &pos, &n, &d);
    if (rc) {
        if ((rc != VG_EINVAL && rc != VG_ENOMEM) || pos || n || !d.message[0])
            abort();
        return 0;
    }
    struct vg_buf b, b2;
    vg_buf_init(&b, 1 << 24);
    vg_buf_init(&b2, 1 << 24);
    vg_follow_state_format(pos, n, &b);
    if (b.failed || vg_follow_state_parse(b.data, b.len, &again, &m, &d) != 0 || m != n ||
        !same(pos, again, n)) {
        fprintf(stderr, "written back, not read to the same: %s\n", d.message);
        abort();
    }
    vg_follow_state_format(again, m, &b2);
    if (b2.len != b.len || memcmp(b.data, b2.data, b.len) != 0)
        abort();
    vg_buf_cleanup(&b);
    vg_buf_cleanup(&b2);
    vg_follow_state_free(pos, n);
    vg_follow_state_free(again, m);
    return 0;
}
