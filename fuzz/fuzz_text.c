/* libFuzzer target of the text reader (src/match/text.c) and of classification: tokens are
 * non-empty, free of delimiters, inside the line and in order; each is classified and looked
 * up; the whole input is also scanned as a text log. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "match/match.h"

static struct vg_match_index *idx;
static struct vg_match_cand cand;

struct state {
    const char *line, *end, *last;
};

static int on_token(void *ctx, struct vg_str v, struct vg_str f)
{
    struct state *s = ctx;
    if (v.len == 0 || f.len != 0 || v.ptr < s->last || v.ptr + v.len > s->end)
        abort();
    for (size_t i = 0; i < v.len; i++)
        if (strchr("\"'<>()[]{},;|= \t\n\v\f\r", v.ptr[i]) && v.ptr[i] != '\0')
            abort();
    s->last = v.ptr + v.len;
    vg_match_classify(v, &cand);
    return 0;
}

static int on_hit(void *ctx, const struct vg_match_hit *h)
{
    (void)ctx;
    (void)h;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!idx) {
        static const char iocs[] = "domain-name evil.example\nipv4-addr 0.0.0.0/0\n"
                                   "url http://evil.example/\nemail-addr a@b.example\n"
                                   "sha1 da39a3ee5e6b4b0d3255bfef95601890afd80709\n";
        idx = vg_match_index_new();
        vg_match_iocs_load(idx, iocs, sizeof iocs - 1, true, NULL, NULL, NULL, NULL);
        vg_match_index_freeze(idx);
    }
    const char *p = (const char *)data;
    struct state s = {p, p + size, p};
    vg_match_text_read(p, size, on_token, &s);
    struct vg_match_sink sink = {on_hit, NULL, NULL};
    struct vg_match_scan_opts o = {VG_MATCH_FORMAT_TEXT, 2, 0};
    struct vg_match_stats st = {0};
    vg_match_scan_mem(idx, &o, p, size, &sink, &st, NULL);
    return 0;
}
