/* libFuzzer target: the mandatory tests of CSAF 2.0 section 6.1 (advisory/csaf_tests.c) on any
 * JSON document. No crash, no leak; every failure names a test of section 6.1 and a JSON pointer
 * ("" or starting with "/") that resolves in the document (or whose parent does, for a missing
 * member). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "advisory/csaf.h"
#include "util/json.h"

/* The value at pointer p (RFC 6901, no escapes: CSAF's member names have none), or NULL. */
static const json_t *resolve(const json_t *doc, const char *p)
{
    const json_t *v = doc;
    while (v && *p == '/') {
        p++;
        size_t n = strcspn(p, "/");
        char key[256];
        if (n >= sizeof key)
            return NULL;
        memcpy(key, p, n);
        key[n] = 0;
        if (json_is_array(v)) {
            char *end;
            unsigned long i = strtoul(key, &end, 10);
            v = *end ? NULL : json_array_get(v, i);
        } else {
            v = json_object_get(v, key);
        }
        p += n;
    }
    return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct vg_diag d;
    json_t *doc = vg_json_parse((const char *)data, size, &d);
    if (!doc)
        return 0;
    struct vg_csaf_report rep;
    memset(&rep, 0, sizeof rep);
    vg_csaf_check_mandatory(doc, NULL, &rep);
    for (size_t i = 0; i < rep.n; i++) {
        const struct vg_csaf_issue *it = &rep.items[i];
        if (strncmp(it->test, "6.1.", 4) != 0 || !it->message[0])
            abort();
        if (it->pointer[0] && it->pointer[0] != '/')
            abort();
        if (strlen(it->pointer) < sizeof it->pointer - 1 && !resolve(doc, it->pointer)) {
            /* a missing member: its parent exists */
            char parent[256];
            memcpy(parent, it->pointer, sizeof parent);
            char *slash = strrchr(parent, '/');
            if (!slash)
                abort();
            *slash = 0;
            if (!resolve(doc, parent))
                abort();
        }
    }
    vg_csaf_report_free(&rep);
    json_decref(doc);
    return 0;
}
