/* libFuzzer target of the URL normaliser (src/match/url.c): never writes past its buffer,
 * the result is stable (normalising it again changes nothing), its host lies inside it, and
 * classification of the input agrees. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "match/match.h"

static struct vg_match_cand cand;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct vg_str in = {(const char *)data, size};
    size_t cap = size + 16;
    char *out = malloc(cap), *again = malloc(cap);
    size_t n, m;
    struct vg_str host, host2;
    int rc = vg_match_url_normalise(in, out, cap, &n, &host);
    if (rc == 0) {
        if (n > cap || host.ptr < out || host.ptr + host.len > out + n)
            abort();
        if (vg_match_url_normalise((struct vg_str){out, n}, again, cap, &m, &host2) != 0)
            abort();
        if (m != n || memcmp(out, again, n) != 0)
            abort();
    } else if (rc != VG_EINVAL && rc != VG_ETOOBIG) {
        abort();
    }
    /* A tight buffer: refused cleanly, never overrun (ASan watches). */
    if (rc == 0 && n > 0) {
        char *tight = malloc(n - 1 ? n - 1 : 1);
        if (vg_match_url_normalise(in, tight, n - 1, &m, NULL) != VG_ETOOBIG)
            abort();
        free(tight);
    }
    vg_match_classify(in, &cand);
    free(out);
    free(again);
    return 0;
}
