/* libFuzzer target of the defanged-observable extractor (src/notify/defang.c). Input: byte 0
 * sets the bound (1 to 32), the rest is the text. Properties: at most the bound, no two items
 * alike, each item a normal form core reads back to itself with the same type (so the
 * extractor never invents a form of its own). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "notify/defang.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 65536)
        return 0;
    size_t max = (size_t)(data[0] % 32) + 1;
    struct vg_str text = {(const char *)data + 1, size - 1};
    struct vg_defang_list l;
    if (vg_defang_extract(text, max, &l) != 0)
        abort();
    if (l.n > max || (l.truncated && l.n != max))
        abort();
    static struct vg_observable o;
    struct vg_diag d;
    for (size_t i = 0; i < l.n; i++) {
        const struct vg_defang_item *it = &l.items[i];
        if (vg_observable_parse(vg_str_c(it->value), it->type, &o, &d) != 0 ||
            strcmp(o.value, it->value) != 0) {
            fprintf(stderr, "item '%s' is not a normal form\n", it->value);
            abort();
        }
        for (size_t j = 0; j < i; j++)
            if (l.items[j].type == it->type && strcmp(l.items[j].value, it->value) == 0)
                abort();
    }
    vg_defang_list_cleanup(&l);
    return 0;
}
