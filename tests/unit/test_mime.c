/* Unit tests of outbound mail's MIME building (src/notify/mime.c): the headers, RFC 2047
 * encoding of a UTF-8 subject, the multipart/alternative body, and the message parsed back
 * with GMime gives what went in. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <gmime/gmime.h>
#include <stdlib.h>
#include <string.h>

#include "notify/notify.h"

static const char *const two[] = {"Alice <alice@example.org>", "bob@example.net"};

static struct vg_mime_msg sample(void)
{
    struct vg_mime_msg m = {
        .from = "CERT Vigie <cert@vigie.example>",
        .to = two,
        .nto = 2,
        .subject = "Incident ouvert : hameçonnage ciblé",
        .ref = "VIG-2026-000042",
        .text = "Bonjour,\nun incident vous concerne : hameçonnage.\n",
        .html = "<p>Bonjour,</p><p>un incident vous concerne&nbsp;: hameçonnage.</p>",
        .message_id = "<4f1c2d@vigie.example>",
        .date = 1796000000, /* 2026-11-30T... UTC */
    };
    return m;
}

static GMimeMessage *parse(const char *raw, size_t len)
{
    GMimeStream *s = g_mime_stream_mem_new_with_buffer(raw, len);
    GMimeParser *p = g_mime_parser_new_with_stream(s);
    GMimeMessage *msg = g_mime_parser_construct_message(p, NULL);
    g_object_unref(p);
    g_object_unref(s);
    return msg;
}

/* The decoded content of a text part, its line ends back to LF (text travels as CRLF, the
 * canonical form of RFC 2045: base64 of text encodes CRLF). */
static char *part_text(GMimeObject *o)
{
    char *t = g_mime_text_part_get_text(GMIME_TEXT_PART(o)), *w = t;
    for (const char *r = t; *r; r++)
        if (!(r[0] == '\r' && r[1] == '\n'))
            *w++ = *r;
    *w = '\0';
    return t;
}

static void headers_and_parts(void **state)
{
    (void)state;
    struct vg_mime_msg m = sample();
    char *raw;
    size_t len;
    struct vg_diag d;
    vg_diag_clear(&d);
    assert_int_equal(vg_mime_build(&m, &raw, &len, &d), 0);
    assert_int_equal(strlen(raw), len);
    /* the raw headers: the subject as encoded words, never raw UTF-8; CRLF line ends */
    char *body = strstr(raw, "\r\n\r\n");
    assert_non_null(body);
    for (const char *c = raw; c < body; c++)
        assert_true((unsigned char)*c < 0x80);
    assert_non_null(strstr(raw, "Subject: [VIG-2026-000042] "));
    assert_non_null(strstr(raw, "=?UTF-8?"));
    assert_non_null(strstr(raw, "\r\nAuto-Submitted: auto-generated\r\n"));
    assert_non_null(strstr(raw, "\r\nMessage-Id: <4f1c2d@vigie.example>\r\n"));
    assert_non_null(strstr(raw, "multipart/alternative"));
    for (const char *c = raw; (c = strchr(c, '\n')); c++)
        assert_true(c > raw && c[-1] == '\r');

    g_mime_init();
    GMimeMessage *msg = parse(raw, len);
    assert_non_null(msg);
    assert_string_equal(g_mime_message_get_subject(msg),
                        "[VIG-2026-000042] Incident ouvert : hameçonnage ciblé");
    assert_string_equal(g_mime_message_get_message_id(msg), "4f1c2d@vigie.example");
    assert_string_equal(g_mime_object_get_header(GMIME_OBJECT(msg), "Auto-Submitted"),
                        "auto-generated");
    GDateTime *date = g_mime_message_get_date(msg);
    assert_non_null(date);
    assert_int_equal(g_date_time_to_unix(date), 1796000000);
    InternetAddressList *to = g_mime_message_get_to(msg);
    assert_int_equal(internet_address_list_length(to), 2);
    assert_string_equal(internet_address_mailbox_get_addr(
                            INTERNET_ADDRESS_MAILBOX(internet_address_list_get_address(to, 0))),
                        "alice@example.org");
    assert_string_equal(internet_address_mailbox_get_addr(
                            INTERNET_ADDRESS_MAILBOX(internet_address_list_get_address(to, 1))),
                        "bob@example.net");
    InternetAddressList *from = g_mime_message_get_from(msg);
    assert_string_equal(internet_address_get_name(internet_address_list_get_address(from, 0)),
                        "CERT Vigie");
    GMimeObject *top = g_mime_message_get_mime_part(msg);
    assert_true(GMIME_IS_MULTIPART(top));
    GMimeMultipart *alt = GMIME_MULTIPART(top);
    assert_int_equal(g_mime_multipart_get_count(alt), 2);
    GMimeObject *p0 = g_mime_multipart_get_part(alt, 0), *p1 = g_mime_multipart_get_part(alt, 1);
    assert_true(g_mime_content_type_is_type(g_mime_object_get_content_type(p0), "text", "plain"));
    assert_true(g_mime_content_type_is_type(g_mime_object_get_content_type(p1), "text", "html"));
    assert_string_equal(g_mime_object_get_content_type_parameter(p0, "charset"), "utf-8");
    char *t0 = part_text(p0), *t1 = part_text(p1);
    assert_string_equal(t0, m.text);
    assert_string_equal(t1, m.html);
    g_free(t0);
    g_free(t1);
    g_object_unref(msg);
    free(raw);
}

/* Text alone, ASCII subject, no reference: a single text/plain part, no encoded words. */
static void text_only(void **state)
{
    (void)state;
    struct vg_mime_msg m = sample();
    m.html = NULL;
    m.ref = NULL;
    m.subject = "Weekly digest";
    m.nto = 1;
    m.message_id = "abc@vigie.example";
    char *raw;
    size_t len;
    assert_int_equal(vg_mime_build(&m, &raw, &len, NULL), 0);
    assert_non_null(strstr(raw, "\r\nSubject: Weekly digest\r\n"));
    assert_null(strstr(raw, "=?"));
    assert_null(strstr(raw, "multipart"));
    assert_non_null(strstr(raw, "\r\nMessage-Id: <abc@vigie.example>\r\n"));
    GMimeMessage *msg = parse(raw, len);
    GMimeObject *top = g_mime_message_get_mime_part(msg);
    assert_true(g_mime_content_type_is_type(g_mime_object_get_content_type(top), "text", "plain"));
    char *t = part_text(top);
    assert_string_equal(t, m.text);
    g_free(t);
    g_object_unref(msg);
    free(raw);
}

/* Hostile fields: a header injection through the subject stays inside the Subject header; bad
 * addresses and Message-IDs are refused. */
static void refusals(void **state)
{
    (void)state;
    struct vg_mime_msg m = sample();
    char *raw;
    size_t len;
    m.subject = "hello\r\nBcc: evil@example.com";
    assert_int_equal(vg_mime_build(&m, &raw, &len, NULL), 0);
    assert_null(strstr(raw, "\r\nBcc:"));
    free(raw);
    m = sample();
    static const char *const bad[] = {"not an address"};
    m.to = bad;
    m.nto = 1;
    assert_int_equal(vg_mime_build(&m, &raw, &len, NULL), VG_EINVAL);
    assert_null(raw);
    static const char *const inj[] = {"a@example.org\r\nBcc: evil@example.com"};
    m.to = inj;
    assert_int_equal(vg_mime_build(&m, &raw, &len, NULL), VG_EINVAL);
    static const char *const list[] = {"a@example.org, b@example.org"};
    m.to = list;
    assert_int_equal(vg_mime_build(&m, &raw, &len, NULL), VG_EINVAL);
    m = sample();
    m.nto = 0;
    assert_int_equal(vg_mime_build(&m, &raw, &len, NULL), VG_EINVAL);
    m = sample();
    m.message_id = "<no-at-sign>";
    assert_int_equal(vg_mime_build(&m, &raw, &len, NULL), VG_EINVAL);
    m.message_id = "<a@b>\r\nX: y";
    assert_int_equal(vg_mime_build(&m, &raw, &len, NULL), VG_EINVAL);
}

static void addr_spec(void **state)
{
    (void)state;
    char out[64];
    assert_int_equal(vg_mime_addr_spec("CERT <cert@vigie.example>", out, sizeof out), 0);
    assert_string_equal(out, "cert@vigie.example");
    assert_int_equal(vg_mime_addr_spec("  a@b.example ", out, sizeof out), 0);
    assert_string_equal(out, "a@b.example");
    assert_int_equal(vg_mime_addr_spec("<>", out, sizeof out), VG_EINVAL);
    assert_int_equal(vg_mime_addr_spec("nobody", out, sizeof out), VG_EINVAL);
    assert_int_equal(vg_mime_addr_spec("a@b\nc", out, sizeof out), VG_EINVAL);
    assert_int_equal(vg_mime_addr_spec("a@b.example", out, 5), VG_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(headers_and_parts),
        cmocka_unit_test(text_only),
        cmocka_unit_test(refusals),
        cmocka_unit_test(addr_spec),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
