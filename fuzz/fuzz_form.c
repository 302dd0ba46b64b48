/* libFuzzer target of form bodies (src/util/form.c): a body is read or refused cleanly (never
 * past its bytes: ASan watches); once read, every name and value is NUL-terminated UTF-8 with
 * no NUL inside, no more than VG_FORM_MAX_FIELDS fields, and the lookups find them; refused,
 * the error's field is UTF-8 too (an answer carries it). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/form.h"
#include "util/str.h"

/* Whether s is UTF-8 (it is NUL-terminated: strlen is its length, so no NUL inside). */
static int utf8_ok(const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        size_t k = vg_utf8_len((const unsigned char *)s + i, n - i);
        if (!k)
            return 0;
        i += k;
    }
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct vg_form f;
    struct vg_diag d;
    vg_diag_clear(&d);
    int rc = vg_form_parse(&f, (const char *)data, size, &d);
    if (rc == 0) {
        if (f.n > VG_FORM_MAX_FIELDS || (f.n && !f.fields))
            abort();
        for (size_t i = 0; i < f.n; i++) {
            const char *name = f.fields[i].name, *value = f.fields[i].value;
            /* inside the copy of the body, each no longer than the body */
            if (!name || !value || name < f.mem || name > f.mem + size || value < f.mem ||
                value > f.mem + size || strlen(name) > size || strlen(value) > size)
                abort();
            if (!utf8_ok(name) || !utf8_ok(value))
                abort();
            if (!vg_form_get(&f, name))
                abort();
        }
    } else if (rc == VG_EINVAL) {
        if (!utf8_ok(d.field) || !d.message[0])
            abort();
    } else if (rc != VG_ENOMEM) {
        abort();
    }
    vg_form_cleanup(&f);
    return 0;
}
