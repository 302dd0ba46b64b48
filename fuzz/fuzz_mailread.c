/* libFuzzer target of the inbound mail reader (src/notify/mailread.c), with small limits so
 * that short inputs reach them. Properties: a refusal names the part and says why; an
 * accepted message has every string set and valid UTF-8, the text within its cap, the parts
 * within theirs, each attachment's SHA-256 in hex and its bytes kept exactly when under the
 * cap, and a reference only of the configured shape. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "notify/mailread.h"

static void utf8_or_die(const char *what, const char *s)
{
    if (s == NULL) {
        fprintf(stderr, "%s is NULL\n", what);
        abort();
    }
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        size_t k = vg_utf8_len((const unsigned char *)s + i, n - i);
        if (k == 0) {
            fprintf(stderr, "%s: invalid UTF-8 at byte %zu\n", what, i);
            abort();
        }
        i += k;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct vg_mail_limits lim;
    vg_mail_limits_default(&lim);
    lim.max_parts = 50;
    lim.max_depth = 8;
    lim.max_attach_keep = 1024;
    lim.max_text = 4096;
    lim.max_size = 65536;
    struct vg_mail m;
    struct vg_diag d;
    int rc = vg_mail_read((const char *)data, size, "VIG", &lim, &m, &d);
    if (rc != 0) {
        if (d.message[0] == '\0' || d.field[0] == '\0' ||
            (rc != VG_EINVAL && rc != VG_ETOOBIG && rc != VG_ENOMEM))
            abort();
        vg_mail_cleanup(&m);
        return 0;
    }
    utf8_or_die("from", m.from_addr);
    utf8_or_die("domain", m.from_domain);
    utf8_or_die("name", m.from_name);
    utf8_or_die("to", m.to);
    utf8_or_die("subject", m.subject);
    utf8_or_die("message-id", m.message_id);
    utf8_or_die("in-reply-to", m.in_reply_to);
    utf8_or_die("references", m.references);
    utf8_or_die("date", m.date);
    utf8_or_die("text", m.text);
    if (strlen(m.text) > (size_t)lim.max_text || m.n_parts > lim.max_parts)
        abort();
    if (m.reference[0] && strncmp(m.reference, "VIG-", 4) != 0)
        abort();
    if (m.xarf_json && !m.is_xarf)
        abort();
    for (size_t i = 0; i < m.n_att; i++) {
        const struct vg_mail_attachment *a = &m.att[i];
        utf8_or_die("attachment name", a->name);
        if (strlen(a->sha256) != 64 || strspn(a->sha256, "0123456789abcdef") != 64)
            abort();
        if ((a->data != NULL) != (a->size <= (size_t)lim.max_attach_keep))
            abort();
    }
    vg_mail_cleanup(&m);
    return 0;
}
