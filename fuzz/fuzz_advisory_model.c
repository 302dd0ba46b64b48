/* libFuzzer target: the API form of an advisory (advisory/model.c). The input is checked as a
 * create and as a PATCH; what vg_advisory_check accepts, vg_advisory_from_json must read, with
 * the same title; and any JSON read as a record must fail cleanly or give an advisory that
 * frees. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "advisory/model.h"
#include "util/json.h"

static void read_back(const json_t *checked)
{
    struct vg_advisory a;
    struct vg_diag d;
    int rc = vg_advisory_from_json(checked, &a, &d);
    if (rc == VG_ENOMEM)
        return;
    const char *title = vg_json_str(checked, "title");
    if (rc != 0 || (title && (!a.title || strcmp(a.title, title) != 0)))
        abort(); /* what the check accepts, the reader reads */
    if (json_array_size(json_object_get(checked, "cves")) != a.ncves ||
        json_array_size(json_object_get(checked, "references")) != a.nlinks ||
        json_array_size(json_object_get(checked, "affected_systems")) != a.nsystems)
        abort();
    vg_advisory_free(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct vg_diag d;
    json_t *in = vg_json_parse((const char *)data, size, &d);
    if (!in)
        return 0;
    for (int patch = 0; patch <= 1; patch++) {
        json_t *out = NULL;
        int rc = vg_advisory_check(in, patch, &out, &d);
        if (rc != 0 && rc != VG_EINVAL && rc != VG_ETOOBIG && rc != VG_ENOMEM)
            abort();
        if ((rc == 0) != (out != NULL))
            abort();
        if (rc != 0 && d.message[0] == '\0')
            abort(); /* every refusal says why */
        if (rc == 0 && !patch)
            read_back(out);
        json_decref(out);
    }
    struct vg_advisory a;
    if (vg_advisory_from_json(in, &a, &d) == 0)
        vg_advisory_free(&a);
    json_decref(in);
    return 0;
}
