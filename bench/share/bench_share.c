/* Sharing benchmark driver: exports of every indicator of a database as MISP and as STIX 2.1
 * (the document built through the TLP gate, then written), timed apart, for an AMBER
 * partner.
 *   bench_share DB [misp|stix]...
 * Prints one line per export: objects, seconds, objects/s, bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/share.h"
#include "store/store.h"
#include "util/time.h"

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench_share DB misp|stix...\n");
        return 2;
    }
    struct vg_diag d;
    vg_diag_clear(&d);
    struct vg_store *st = vg_store_open(argv[1], NULL, &d);
    if (!st) {
        fprintf(stderr, "bench_share: %s\n", d.message);
        return 1;
    }
    struct vg_recipient r = {VG_RCPT_PARTNER, VG_TLP_AMBER, 0, 1};
    struct vg_share_filter all = {NULL, NULL, NULL, NULL};
    int rc = 0;
    for (int i = 2; i < argc && !rc; i++) {
        json_t *doc = NULL;
        struct vg_buf b;
        vg_buf_init(&b, 4L * 1024 * 1024 * 1024);
        double t0 = vg_time_mono();
        rc = vg_share_indicators_doc(st, &r, &all, &doc, &d);
        double t1 = vg_time_mono();
        if (!rc)
            rc = vg_share_write(doc, argv[i], &b, &d);
        double t2 = vg_time_mono();
        if (rc) {
            fprintf(stderr, "bench_share: %s: %s\n", d.field, d.message);
        } else {
            size_t n = json_array_size(json_object_get(doc, "items"));
            printf("export %s: %zu indicators in %.2f s (document %.2f s, writer %.2f s): "
                   "%.0f indicators/s, %zu bytes\n",
                   argv[i], n, t2 - t0, t1 - t0, t2 - t1, n / (t2 - t0), b.len);
        }
        json_decref(doc);
        vg_buf_cleanup(&b);
    }
    vg_store_close(st);
    return rc ? 1 : 0;
}
