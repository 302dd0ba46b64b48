/* Benchmark of the inbound mail reader (notify/mailread.c) and of the observable extraction
 * on its text (notify/defang.c): N messages (default 10,000) taken in turn from the samples of
 * tests/data/mailread/ that are accepted (multipart/alternative, attachments, ISO-8859-1, a
 * reply, HTML only, X-ARF) and a generated report of about 40 KB (2 KB of quoted-printable
 * text with defanged indicators, a 30 KB base64 PDF). One thread; CPU time of the process.
 *   read [N]  (run from the repository's root) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "notify/defang.h"
#include "notify/mailread.h"
#include "util/buf.h"
#include "util/mem.h"

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct sample {
    char *data;
    size_t len;
};

static int load(const char *name, struct sample *s)
{
    char path[256];
    snprintf(path, sizeof path, "tests/data/mailread/%s", name);
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return -1;
    s->data = vg_malloc(1 << 20);
    s->len = fread(s->data, 1, 1 << 20, f);
    fclose(f);
    return 0;
}

/* The generated report: text with indicators, and a PDF-like attachment. */
static void generate(struct sample *s)
{
    struct vg_buf b;
    vg_buf_init(&b, 1 << 20);
    vg_buf_puts(&b, "From: \"SOC Operateur\" <soc@operateur.example>\nTo: cert@cert.example\n"
                    "Subject: =?UTF-8?Q?Signalement_d=27hame=C3=A7onnage?=\n"
                    "Message-ID: <bench-1@operateur.example>\n"
                    "Date: Tue, 10 Mar 2026 09:00:00 +0100\nMIME-Version: 1.0\n"
                    "Content-Type: multipart/mixed; boundary=\"bench\"\n\n--bench\n"
                    "Content-Type: text/plain; charset=UTF-8\n"
                    "Content-Transfer-Encoding: quoted-printable\n\n");
    for (int i = 0; i < 20; i++)
        vg_buf_printf(
            &b,
            "Ligne %d : connexion re=C3=A7ue depuis 198.51.100[.]%d vers hxxps://log=\nin-%d[.]example/auth, contact abuse[@]host%d.example\n",
            i, i, i, i);
    vg_buf_puts(&b, "--bench\nContent-Type: application/pdf; name=\"preuve.pdf\"\n"
                    "Content-Disposition: attachment; filename=\"preuve.pdf\"\n"
                    "Content-Transfer-Encoding: base64\n\n");
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (int line = 0; line < 540; line++) {
        for (int i = 0; i < 76; i++)
            vg_buf_putc(&b, b64[(line * 7 + i * 13) % 64]);
        vg_buf_putc(&b, '\n');
    }
    vg_buf_puts(&b, "--bench--\n");
    s->len = b.len;
    s->data = vg_buf_steal(&b);
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? strtol(argv[1], NULL, 10) : 10000;
    static const char *const names[] = {"alternative.eml", "mixed_attachments.eml", "latin1.eml",
                                        "reply.eml",       "html_only.eml",         "xarf.eml"};
    struct sample s[7];
    int ns = 0;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (load(names[i], &s[ns]) == 0)
            ns++;
    generate(&s[ns++]);
    size_t bytes = 0;
    long refused = 0, observables = 0;
    double t0 = cpu_now();
    for (long i = 0; i < n; i++) {
        const struct sample *m = &s[i % ns];
        struct vg_mail mail;
        struct vg_diag d;
        if (vg_mail_read(m->data, m->len, "VIG", NULL, &mail, &d) != 0)
            refused++;
        bytes += m->len;
        vg_mail_cleanup(&mail);
    }
    double t1 = cpu_now();
    for (long i = 0; i < n; i++) {
        const struct sample *m = &s[i % ns];
        struct vg_mail mail;
        struct vg_diag d;
        if (vg_mail_read(m->data, m->len, "VIG", NULL, &mail, &d) == 0) {
            struct vg_defang_list l;
            vg_defang_extract(vg_str_c(mail.text), 0, &l);
            observables += (long)l.n;
            vg_defang_list_cleanup(&l);
        }
        vg_mail_cleanup(&mail);
    }
    double t2 = cpu_now();
    printf("messages: %ld (%d shapes, %.1f KB on average), refused: %ld\n", n, ns,
           (double)bytes / (double)n / 1024.0, refused);
    printf("read:           %.3f s CPU, %.0f messages/s, %.1f MB/s\n", t1 - t0,
           (double)n / (t1 - t0), (double)bytes / (t1 - t0) / 1e6);
    printf("read + defang:  %.3f s CPU, %.0f messages/s (%ld observables)\n", t2 - t1,
           (double)n / (t2 - t1), observables);
    for (int i = 0; i < ns; i++)
        free(s[i].data);
    return refused != 0;
}
