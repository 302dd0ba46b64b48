/* libFuzzer target of the checks of `vigie config set` (app/mail_config.c): the input is
 * KEY=VALUE (tests/data/mail_setting/ has good and broken samples). The check answers 0 or
 * VG_EINVAL, never reads past the value; an accepted URL starts with its scheme and holds no
 * credentials, no control character and no space; an accepted From has exactly one '@' in its
 * address. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "app/mail.h"
#include "notify/notify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *in = malloc(size + 1);
    if (!in)
        return 0;
    memcpy(in, data, size);
    in[size] = '\0';
    char *eq = strchr(in, '=');
    const char *key = in, *value = "";
    if (eq) {
        *eq = '\0';
        value = eq + 1;
    }
    struct vg_diag d;
    int rc = vg_mail_setting_check(key, value, &d);
    if (rc != 0 && rc != VG_EINVAL)
        abort();
    if (rc == 0) {
        for (const unsigned char *p = (const unsigned char *)value; *p; p++)
            if (*p < 0x20 || *p == 0x7f)
                abort();
        if (!strcmp(key, "smtp.url") &&
            (strchr(value, '@') || strchr(value, ' ') ||
             (strncmp(value, "smtp://", 7) && strncmp(value, "smtps://", 8))))
            abort();
        if (!strcmp(key, "public.url") && strncmp(value, "http://", 7) &&
            strncmp(value, "https://", 8))
            abort();
        char spec[320];
        if (!strcmp(key, "mail.from") &&
            (vg_mime_addr_spec(value, spec, sizeof spec) || !strchr(spec, '@')))
            abort();
    }
    free(in);
    return 0;
}
