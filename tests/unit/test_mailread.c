/* Unit tests of the inbound mail reader (notify/mailread.c) on the real-world-shaped samples
 * of tests/data/mailread/: what a sender, a subject, a text and attachments read as, and
 * how broken or hostile messages are refused (the reason names the part). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "notify/mailread.h"
#include "util/mem.h"

static char *slurp(const char *name, size_t *len)
{
    char path[256];
    snprintf(path, sizeof path, "tests/data/mailread/%s", name);
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        fail_msg("cannot open %s", path);
    char *buf = vg_malloc(1 << 20);
    assert_non_null(buf);
    *len = fread(buf, 1, 1 << 20, f);
    fclose(f);
    return buf;
}

/* Reads a sample; fails the test unless it is accepted. */
static void read_ok(const char *name, struct vg_mail *m)
{
    size_t len;
    char *buf = slurp(name, &len);
    struct vg_diag d;
    int rc = vg_mail_read(buf, len, "VIG", NULL, m, &d);
    free(buf);
    if (rc != 0)
        fail_msg("%s refused: %s", name, d.message);
}

/* Reads a sample that must be refused with code; returns the diagnostic. */
static struct vg_diag read_refused(const char *name, int code)
{
    size_t len;
    char *buf = slurp(name, &len);
    struct vg_diag d;
    struct vg_mail m;
    int rc = vg_mail_read(buf, len, "VIG", NULL, &m, &d);
    free(buf);
    vg_mail_cleanup(&m);
    if (rc != code)
        fail_msg("%s: rc %d, wanted %d (%s)", name, rc, code, d.message);
    return d;
}

/* multipart/alternative: the plain part (quoted-printable, soft line break) wins over HTML;
 * From lower-cased with its domain; To lists every mailbox; Date in UTC. */
static void alternative_plain_preferred(void **state)
{
    (void)state;
    struct vg_mail m;
    read_ok("alternative.eml", &m);
    assert_string_equal(m.from_addr, "alice.martin@mairie-exemple.fr");
    assert_string_equal(m.from_domain, "mairie-exemple.fr");
    assert_string_equal(m.from_name, "Alice Martin");
    assert_string_equal(m.to, "cert@cert.example,veille@cert.example");
    assert_string_equal(m.subject, "Suspicious login page");
    assert_string_equal(m.message_id, "20260302101500.4242@mail.mairie-exemple.fr");
    assert_string_equal(m.date, "2026-03-02T10:15:00Z");
    assert_false(m.text_from_html);
    assert_string_equal(m.text, "Bonjour,\n\nNos agents ont re\xc3\xa7u un lien vers "
                                "hxxps://login-mairie[.]example/auth depuis 198.51.100[.]7.\n\n"
                                "Alice");
    assert_null(strstr(m.text, "HTML version"));
    assert_int_equal(m.n_att, 0);
    assert_int_equal(m.n_parts, 3);
    assert_string_equal(m.reference, "");
    assert_false(m.is_xarf);
    vg_mail_cleanup(&m);
}

/* multipart/mixed with base64 attachments: name, type, decoded size, SHA-256 of the decoded
 * bytes (sha256sum of the files), bytes kept; the zip is flagged as an archive, not opened. */
static void mixed_attachments(void **state)
{
    (void)state;
    struct vg_mail m;
    read_ok("mixed_attachments.eml", &m);
    assert_string_equal(m.text,
                        "Two files attached. Dropper hash 44d88612fea8a8f36de82e1278abb02f.");
    assert_int_equal(m.n_att, 2);
    assert_string_equal(m.att[0].name, "rapport.pdf");
    assert_string_equal(m.att[0].media_type, "application/pdf");
    assert_string_equal(m.att[0].part, "2");
    assert_int_equal(m.att[0].size, 33);
    assert_string_equal(m.att[0].sha256,
                        "e153153c8f754b300ba678cc04f551948db281060a7cbfa3bcbc86bbf6809224");
    assert_non_null(m.att[0].data);
    assert_memory_equal(m.att[0].data, "%PDF-1.4\n% vigie test attachment\n", 33);
    assert_false(m.att[0].is_archive);
    assert_string_equal(m.att[1].name, "sample.zip");
    assert_string_equal(m.att[1].part, "3");
    assert_int_equal(m.att[1].size, 44);
    assert_true(m.att[1].is_archive);
    vg_mail_cleanup(&m);
}

/* An attachment over the cap is hashed and measured but its bytes are not kept. */
static void attachment_over_cap_not_kept(void **state)
{
    (void)state;
    size_t len;
    char *buf = slurp("mixed_attachments.eml", &len);
    struct vg_mail_limits lim;
    vg_mail_limits_default(&lim);
    lim.max_attach_keep = 33;
    struct vg_mail m;
    struct vg_diag d;
    assert_int_equal(vg_mail_read(buf, len, "VIG", &lim, &m, &d), 0);
    assert_non_null(m.att[0].data); /* 33 bytes: at the cap, kept */
    assert_null(m.att[1].data);     /* 44 bytes: over it */
    assert_int_equal(m.att[1].size, 44);
    assert_string_equal(m.att[1].sha256,
                        "d45a4c0a20e931d06d9ff57fc57ccdd4dc91520e190aecc4fc88b50fb58ddd8c");
    vg_mail_cleanup(&m);
    free(buf);
}

/* ISO-8859-1: an RFC 2047 subject and display name, and an 8-bit body, all read as UTF-8. */
static void latin1_subject_and_body(void **state)
{
    (void)state;
    struct vg_mail m;
    read_ok("latin1.eml", &m);
    assert_string_equal(m.subject, "Probl\xc3\xa8me de s\xc3\xa9"
                                   "curit\xc3\xa9");
    assert_string_equal(m.from_name, "Ren\xc3\xa9 Dupr\xc3\xa9");
    assert_string_equal(m.from_domain, "pme-exemple.fr");
    assert_string_equal(m.text, "Notre site a \xc3\xa9t\xc3\xa9 d\xc3\xa9"
                                "fac\xc3\xa9 depuis "
                                "evil[.]example.\n");
    assert_string_equal(m.date, "2026-03-04T07:30:00Z");
    vg_mail_cleanup(&m);
}

/* A reply: the reference in a base64-encoded UTF-8 subject, In-Reply-To without brackets,
 * References unfolded. */
static void reply_with_reference(void **state)
{
    (void)state;
    struct vg_mail m;
    read_ok("reply.eml", &m);
    assert_string_equal(m.subject, "Re: [VIG-2026-000042] Hame\xc3\xa7onnage");
    assert_string_equal(m.reference, "VIG-2026-000042");
    assert_string_equal(m.in_reply_to, "vig-42.1@cert.example");
    assert_string_equal(m.references, "<vig-42.0@cert.example> <vig-42.1@cert.example>");
    assert_string_equal(m.from_addr, "bob@ministere.example");
    vg_mail_cleanup(&m);
}

/* The reference prefix is the configured one; other shapes are not references. */
static void reference_shapes(void **state)
{
    (void)state;
    char out[64];
    assert_true(vg_mail_find_reference(vg_str_c("Re: [cert-2026-1234567] x"), "CERT", out,
                                       sizeof out));
    assert_string_equal(out, "CERT-2026-1234567");
    assert_false(vg_mail_find_reference(vg_str_c("[VIG-2026-000042]"), "CERT", out, sizeof out));
    assert_false(vg_mail_find_reference(vg_str_c("VIG-2026-000042"), "VIG", out, sizeof out));
    assert_false(vg_mail_find_reference(vg_str_c("[VIG-2026-00042]"), "VIG", out, sizeof out));
    assert_false(vg_mail_find_reference(vg_str_c("[VIG-26-000042]"), "VIG", out, sizeof out));
    assert_false(vg_mail_find_reference(vg_str_c("[VIG-2026-000042"), "VIG", out, sizeof out));
    assert_true(vg_mail_find_reference(vg_str_c("[VIG] [VIG-2026-000042]"), "VIG", out,
                                       sizeof out));
    assert_string_equal(out, "VIG-2026-000042");
}

/* HTML only: script, style and comments dropped, entities decoded, blocks as lines. */
static void html_only_made_text(void **state)
{
    (void)state;
    struct vg_mail m;
    read_ok("html_only.eml", &m);
    assert_true(m.text_from_html);
    assert_string_equal(m.text, "Caf\xc3\xa9 & th\xc3\xa9 <tag> A\nVisit hxxp://bad[.]example/x\n");
    assert_null(strstr(m.text, "alert"));
    assert_null(strstr(m.text, "203.0.113.9"));
    assert_null(strstr(m.text, "color"));
    vg_mail_cleanup(&m);
}

static void html_to_text_bounds(void **state)
{
    (void)state;
    bool cut;
    char *t = vg_mail_html_to_text(vg_str_c("<p>abc</p><p>defgh"), 5, &cut);
    assert_true(cut);
    assert_string_equal(t, "abc\nd");
    free(t);
    t = vg_mail_html_to_text(vg_str_c("a &#0; &#x110000; &bogus; &amp b <unclosed"), 100, &cut);
    assert_false(cut);
    assert_string_equal(t, "a \xef\xbf\xbd \xef\xbf\xbd &bogus; &amp b ");
    free(t);
}

/* X-ARF: the X-XARF header and the JSON report part (a corpus sample), kept as JSON. */
static void xarf_report(void **state)
{
    (void)state;
    struct vg_mail m;
    read_ok("xarf.eml", &m);
    assert_true(m.is_xarf);
    assert_non_null(m.xarf_json);
    assert_non_null(strstr(m.xarf_json, "\"ReportType\":\"Phishing\""));
    assert_non_null(strstr(m.xarf_json, "\"SourceIp\":\"192.0.2.55\""));
    assert_non_null(strstr(m.xarf_json, "\"SourceUrl\":\"http://phish.example.org/index.html\""));
    assert_int_equal(m.n_att, 1);
    assert_string_equal(m.att[0].media_type, "application/json");
    vg_mail_cleanup(&m);
}

/* X-ARF 4 (xarf-spec sample) as the plain body of a message marked X-XARF. */
static void xarf_v4_in_body(void **state)
{
    (void)state;
    struct vg_mail m;
    read_ok("xarf_v4_body.eml", &m);
    assert_true(m.is_xarf);
    assert_non_null(m.xarf_json);
    assert_non_null(strstr(m.xarf_json, "{\"xarf_version\":\"4.2.0\","));
    assert_non_null(strstr(m.xarf_json, "\"source_identifier\":\"203.0.113.45\""));
    assert_int_equal(m.n_att, 0);
    vg_mail_cleanup(&m);
}

/* A forwarded message (message/rfc822): its text joins the body, its attachment is listed
 * with its IMAP-style part number. */
static void forwarded_message(void **state)
{
    (void)state;
    struct vg_mail m;
    read_ok("forwarded.eml", &m);
    assert_string_equal(m.from_addr, "claire@region-exemple.fr");
    assert_string_equal(m.text, "Message suspect transfere ci-dessous.\n"
                                "Payez les frais sur hxxp://colis-poste[.]example/pay");
    assert_int_equal(m.n_att, 1);
    assert_string_equal(m.att[0].name, "facture.exe");
    assert_string_equal(m.att[0].part, "2.2");
    assert_string_equal(m.att[0].media_type, "application/x-msdownload");
    assert_int_equal(m.att[0].size, 12);
    assert_memory_equal(m.att[0].data, "MZ\x90\0\3\0\0\0\4\0\0\0", 12);
    assert_false(m.att[0].is_archive);
    assert_int_equal(m.n_parts, 6);
    vg_mail_cleanup(&m);
}

/* Base64: padding in the middle, a length of 1 modulo 4 and a foreign byte are refused;
 * line breaks and blanks are not. */
static void base64_rules(void **state)
{
    (void)state;
    static const char *const bodies[][2] = {
        {"QQ==QQ==\n", "bad"},     {"QUJDR\n", "bad"}, {"QUJD\x80\n", "bad"},
        {"QU JD\r\nRA==\n", "ok"}, {"QUJD\n", "ok"},
    };
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        char msg[512];
        int n = snprintf(msg, sizeof msg,
                         "Content-Type: application/octet-stream; name=\"a.bin\"\n"
                         "Content-Transfer-Encoding: base64\n\n%s",
                         bodies[i][0]);
        struct vg_mail m;
        struct vg_diag d;
        int rc = vg_mail_read(msg, (size_t)n, "VIG", NULL, &m, &d);
        if (strcmp(bodies[i][1], "ok") == 0) {
            assert_int_equal(rc, 0);
            assert_int_equal(m.n_att, 1);
        } else {
            assert_int_equal(rc, VG_EINVAL);
            assert_string_equal(d.message, "part 1: bad base64");
        }
        vg_mail_cleanup(&m);
    }
}

/* A JSON attachment that is not X-ARF does not make the message a report. */
static void json_not_xarf(void **state)
{
    (void)state;
    static const char msg[] = "From: a@b.example\nSubject: j\nMIME-Version: 1.0\n"
                              "Content-Type: multipart/mixed; boundary=\"j\"\n\n--j\n"
                              "Content-Type: text/plain\n\nhi\n--j\n"
                              "Content-Type: application/json\n\n{\"Report\": 1}\n--j--\n";
    struct vg_mail m;
    struct vg_diag d;
    assert_int_equal(vg_mail_read(msg, sizeof msg - 1, "VIG", NULL, &m, &d), 0);
    assert_false(m.is_xarf);
    assert_null(m.xarf_json);
    assert_int_equal(m.n_att, 1);
    vg_mail_cleanup(&m);
}

static void broken_messages_refused(void **state)
{
    (void)state;
    struct vg_diag d = read_refused("bad_boundary.eml", VG_EINVAL);
    assert_string_equal(d.message,
                        "part body: multipart with no part (its boundary matches nothing)");
    d = read_refused("depth100.eml", VG_ETOOBIG);
    assert_string_equal(d.field, "1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1");
    assert_non_null(strstr(d.message, "MIME nesting deeper than 16"));
    d = read_refused("parts10000.eml", VG_ETOOBIG);
    assert_string_equal(d.message, "message: more than 500 MIME parts");
    d = read_refused("bad_base64.eml", VG_EINVAL);
    assert_string_equal(d.message, "part 2: bad base64");
    assert_string_equal(d.field, "2");
    d = read_refused("truncated.eml", VG_EINVAL);
    assert_string_equal(d.message, "message: a multipart's closing boundary is missing "
                                   "(truncated, or a bad boundary)");
}

/* The limits are boundaries: at the limit accepted, one over refused. */
static void limits_are_boundaries(void **state)
{
    (void)state;
    size_t len;
    char *buf = slurp("mixed_attachments.eml", &len);
    struct vg_mail_limits lim;
    vg_mail_limits_default(&lim);
    struct vg_mail m;
    struct vg_diag d;
    lim.max_size = (long)len;
    assert_int_equal(vg_mail_read(buf, len, "VIG", &lim, &m, &d), 0);
    vg_mail_cleanup(&m);
    lim.max_size = (long)len - 1;
    assert_int_equal(vg_mail_read(buf, len, "VIG", &lim, &m, &d), VG_ETOOBIG);
    assert_string_equal(d.field, "message");
    vg_mail_limits_default(&lim);
    lim.max_parts = 4; /* the multipart and its three parts */
    assert_int_equal(vg_mail_read(buf, len, "VIG", &lim, &m, &d), 0);
    vg_mail_cleanup(&m);
    lim.max_parts = 3;
    assert_int_equal(vg_mail_read(buf, len, "VIG", &lim, &m, &d), VG_ETOOBIG);
    assert_string_equal(d.message, "message: more than 3 MIME parts");
    vg_mail_limits_default(&lim);
    lim.max_depth = 1;
    assert_int_equal(vg_mail_read(buf, len, "VIG", &lim, &m, &d), 0);
    vg_mail_cleanup(&m);
    lim.max_depth = 0;
    assert_int_equal(vg_mail_read(buf, len, "VIG", &lim, &m, &d), VG_ETOOBIG);
    assert_string_equal(d.message, "part 1: MIME nesting deeper than 0");
    vg_mail_limits_default(&lim);
    lim.max_text = 10;
    assert_int_equal(vg_mail_read(buf, len, "VIG", &lim, &m, &d), 0);
    assert_true(m.text_cut);
    assert_string_equal(m.text, "Two files ");
    vg_mail_cleanup(&m);
    free(buf);
}

/* Not a message, empty, NUL bytes and invalid UTF-8: refused or read as valid UTF-8. */
static void hostile_bytes(void **state)
{
    (void)state;
    struct vg_mail m;
    struct vg_diag d;
    assert_int_equal(vg_mail_read("", 0, "VIG", NULL, &m, &d), VG_EINVAL);
    assert_string_equal(d.message, "message: empty");
    static const char bin[] = "Subject: \xff\xfe\nContent-Type: text/plain; charset=utf-8\n\n"
                              "a\0b\xc3(\n";
    assert_int_equal(vg_mail_read(bin, sizeof bin - 1, "VIG", NULL, &m, &d), 0);
    assert_string_equal(m.from_addr, "");
    assert_string_equal(m.from_domain, "");
    assert_string_equal(m.text, "a\xef\xbf\xbd"
                                "b\xef\xbf\xbd(\n");
    vg_mail_cleanup(&m);
    /* an empty text part (found by fuzz_mailread: memcpy from GMime's NULL empty buffer) */
    static const char empty[] = "Content-Type: text/plain; charset=iso-8859-1\n\n";
    assert_int_equal(vg_mail_read(empty, sizeof empty - 1, "VIG", NULL, &m, &d), 0);
    assert_string_equal(m.text, "");
    vg_mail_cleanup(&m);
    vg_mail_cleanup(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(alternative_plain_preferred),
        cmocka_unit_test(mixed_attachments),
        cmocka_unit_test(attachment_over_cap_not_kept),
        cmocka_unit_test(latin1_subject_and_body),
        cmocka_unit_test(reply_with_reference),
        cmocka_unit_test(reference_shapes),
        cmocka_unit_test(html_only_made_text),
        cmocka_unit_test(html_to_text_bounds),
        cmocka_unit_test(xarf_report),
        cmocka_unit_test(json_not_xarf),
        cmocka_unit_test(xarf_v4_in_body),
        cmocka_unit_test(forwarded_message),
        cmocka_unit_test(base64_rules),
        cmocka_unit_test(broken_messages_refused),
        cmocka_unit_test(limits_are_boundaries),
        cmocka_unit_test(hostile_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
