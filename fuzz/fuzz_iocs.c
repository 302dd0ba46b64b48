/* libFuzzer target of the indicator-file parser (src/match/iocfile.c) and of the index:
 * loads the input, then every indicator it holds must hit itself when looked up as a
 * candidate of its own text (for the types whose text is such a candidate). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "match/match.h"

static struct vg_match_cand cand;

struct found {
    uint32_t want;
    bool hit;
};

static int on_hit(void *ctx, uint32_t rec)
{
    struct found *f = ctx;
    if (rec == f->want)
        f->hit = true;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct vg_match_index *idx = vg_match_index_new();
    struct vg_match_ioc_counts c = {0};
    vg_match_iocs_load(idx, (const char *)data, size, false, NULL, NULL, &c, NULL);
    vg_match_index_freeze(idx);
    if (c.added != vg_match_index_count(idx))
        abort();
    char buf[VG_MATCH_TEXT_MAX];
    for (uint32_t r = 0; r < vg_match_index_count(idx); r++) {
        struct vg_match_indicator ind;
        vg_match_index_get(idx, r, &ind, buf);
        if (ind.text.len == 0 || ind.text.len > VG_MAX_OBSERVABLE)
            abort();
        /* CIDRs and single-label-looking values are no candidates of themselves. */
        if (memchr(ind.text.ptr, '/', ind.text.len) && ind.type <= VG_MATCH_IPV6)
            continue;
        if (ind.type == VG_MATCH_EMAIL || ind.type == VG_MATCH_URL)
            continue; /* "<...>" trimming and "://" inside local parts make exceptions */
        struct found f = {r, false};
        vg_match_classify(ind.text, &cand);
        vg_match_index_lookup(idx, &cand, on_hit, &f);
        if (!f.hit) {
            fprintf(stderr, "indicator %s '%.*s' does not hit itself\n",
                    vg_match_type_name(ind.type), (int)ind.text.len, ind.text.ptr);
            abort();
        }
    }
    vg_match_index_free(idx);
    return 0;
}
