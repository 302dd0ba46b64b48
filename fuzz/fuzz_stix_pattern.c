/* libFuzzer target: the STIX 2.1 pattern parser and its reduction (share/pattern.c). A
 * pattern that parses has a tree whose operands are nodes of it and constants inside their
 * store; an error has a position inside the input; a reduction gives supported types. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "share/pattern.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct vg_pattern p;
    vg_pattern_init(&p);
    struct vg_diag d;
    vg_diag_clear(&d);
    int rc = vg_pattern_parse(&p, (const char *)data, size, &d);
    if (rc != 0) {
        if (rc != VG_EINVAL && rc != VG_ETOOBIG && rc != VG_ENOMEM)
            abort();
        if (rc == VG_EINVAL && (d.offset < 0 || (size_t)d.offset > size))
            abort();
        if (p.root != -1)
            abort();
    } else {
        if (p.root < 0 || (size_t)p.root >= p.nnodes)
            abort();
        for (size_t i = 0; i < p.nnodes; i++) {
            const struct vg_pattern_node *n = &p.nodes[i];
            if (n->a >= (int)p.nnodes || n->b >= (int)p.nnodes || n->pos > size)
                abort();
            if (n->kind == VG_PAT_COMPARISON &&
                (n->path_off + n->path_len >= p.tlen || n->first + n->nconsts > p.nconsts))
                abort();
        }
        for (size_t i = 0; i < p.nconsts; i++)
            if (p.consts[i].off + p.consts[i].len >= p.tlen || p.consts[i].pos >= size)
                abort();
        struct vg_pattern_reduced r = {0};
        rc = vg_pattern_reduce(&p, &r, &d);
        if (rc == 0) {
            for (size_t i = 0; i < r.n; i++)
                if (!r.pairs[i].type || r.pairs[i].off + r.pairs[i].len >= p.tlen)
                    abort();
        } else if (rc != VG_EINVAL && rc != VG_ENOMEM) {
            abort();
        } else if (rc == VG_EINVAL && (d.offset < 0 || (size_t)d.offset > size)) {
            abort();
        }
        vg_pattern_reduced_cleanup(&r);
    }
    vg_pattern_cleanup(&p);
    return 0;
}
