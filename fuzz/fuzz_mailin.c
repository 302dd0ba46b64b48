/* libFuzzer target of what inbound mail reads itself (app/mailin_xarf.c, notify/answer.c):
 * the input is both a message (its header section read by vg_mail_header and
 * vg_mail_is_automatic) and an X-ARF structured part (vg_mailin_xarf_incident). Properties: no
 * crash; a header value found is NUL-terminated within its buffer, without CR or LF; the
 * incident of an X-ARF part that reads is always one core's incident checker takes (what the
 * API would create), or the part is refused with VG_EINVAL naming "xarf". */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/mailin.h"
#include "core/record.h"
#include "notify/notify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1 << 20)
        return 0;
    const char *raw = (const char *)data;
    char v[64];
    if (vg_mail_header(raw, size, "Subject", v, sizeof v) &&
        (strlen(v) >= sizeof v || strchr(v, '\r') || strchr(v, '\n')))
        abort();
    const char *why = NULL;
    bool automatic =
        vg_mail_is_automatic(raw, size, "someone@example.org", "cert@vigie.example", &why);
    if (!why || automatic != (why[0] != '\0'))
        abort();
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    json_t *inc = NULL, *checked = NULL;
    struct vg_diag d;
    vg_diag_clear(&d);
    int rc = vg_mailin_xarf_incident(text, "reports@xarf.example", "text", &inc, &d);
    if (rc == 0) {
        if (vg_incident_check(inc, VG_CHECK_CREATE, &checked, &d) != 0) {
            fprintf(stderr, "incident refused: %s: %s\n", d.field, d.message);
            abort();
        }
    } else if (rc != VG_EINVAL || strcmp(d.field, "xarf") != 0) {
        if (rc != VG_ENOMEM)
            abort();
    }
    json_decref(checked);
    json_decref(inc);
    free(text);
    return 0;
}
