/* libFuzzer target: the version order. The input is split into three versions at NUL or
 * newline bytes; the order must be antisymmetric and transitive on them, and in_range must
 * agree with cmp. Any violation aborts. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vuln/version.h"

static int sign(int x)
{
    return (x > 0) - (x < 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct vg_str v[3] = {{"", 0}, {"", 0}, {"", 0}};
    size_t start = 0;
    int k = 0;
    for (size_t i = 0; i <= size && k < 3; i++)
        if (i == size || data[i] == '\n' || data[i] == '\0') {
            v[k++] = (struct vg_str){(const char *)data + start, i - start};
            start = i + 1;
        }
    for (int i = 0; i < 3; i++) {
        if (vg_version_cmp(v[i], v[i]) != 0)
            abort();
        for (int j = 0; j < 3; j++) {
            int ij = sign(vg_version_cmp(v[i], v[j])), ji = sign(vg_version_cmp(v[j], v[i]));
            if (ij != -ji)
                abort();
            for (int l = 0; l < 3; l++) {
                int jl = sign(vg_version_cmp(v[j], v[l]));
                int il = sign(vg_version_cmp(v[i], v[l]));
                if (ij <= 0 && jl <= 0 && il > 0)
                    abort();
                if (ij == 0 && jl == 0 && il != 0)
                    abort();
            }
        }
    }
    struct vg_version_range r = {v[1], v[2], true, false};
    bool in = vg_version_in_range(v[0], &r);
    bool want = vg_version_cmp(v[0], v[1]) >= 0 && vg_version_cmp(v[0], v[2]) < 0;
    if (in != want)
        abort();
    return 0;
}
