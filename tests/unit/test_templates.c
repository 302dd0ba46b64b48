/* Unit tests of the incident mail's texts (src/notify/templates.c): each event in each
 * language, the TLP first, values escaped in HTML, control characters dropped, a long title
 * cut in the subject on a character's boundary, and the refusals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "notify/notify.h"

struct out {
    struct vg_buf subject, text, html;
};

static json_t *incident(const char *title, const char *tlp, const char *status)
{
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "ref", "VIG-2026-000042", "title", title,
                     "class", "fraud", "type", "phishing", "severity", "critical", "tlp", tlp,
                     "status", status);
}

static int write_mail(const json_t *inc, const struct vg_incident_mail *m, struct out *o)
{
    vg_buf_init(&o->subject, 4096);
    vg_buf_init(&o->text, 1 << 20);
    vg_buf_init(&o->html, 1 << 20);
    return vg_notify_incident(inc, m, &o->subject, &o->text, &o->html);
}

static void out_cleanup(struct out *o)
{
    vg_buf_cleanup(&o->subject);
    vg_buf_cleanup(&o->text);
    vg_buf_cleanup(&o->html);
}

static void opened_in_french_exactly(void **state)
{
    (void)state;
    json_t *inc = incident("Faux site <de> l'ANTS", "GREEN", "new");
    struct vg_incident_mail m = {.event = VG_INCIDENT_OPENED, .lang = "fr"};
    struct out o;
    assert_int_equal(write_mail(inc, &m, &o), 0);
    assert_string_equal(o.subject.data, "[TLP:GREEN] Incident ouvert : Faux site <de> l'ANTS");
    assert_string_equal(o.text.data,
                        "TLP:GREEN\n\nBonjour,\n\n"
                        "Le CERT a ouvert l'incident VIG-2026-000042 qui concerne votre "
                        "organisation.\n\n"
                        "Titre : Faux site <de> l'ANTS\nClasse : fraud\nType : phishing\n"
                        "Sévérité : critique\nStatut : nouveau\n\n"
                        "Pour nous répondre, conservez la référence [VIG-2026-000042] dans "
                        "l'objet du message.\n");
    assert_non_null(strstr(o.html.data, "<html lang=\"fr\">"));
    assert_non_null(strstr(o.html.data, "color:#33FF00"));
    assert_non_null(strstr(o.html.data, "<td>Faux site &lt;de&gt; l&#39;ANTS</td>"));
    assert_null(strstr(o.html.data, "<de>"));
    assert_null(strstr(o.html.data, "lang=\"en\""));
    out_cleanup(&o);
    json_decref(inc);
}

static void status_in_english_and_both(void **state)
{
    (void)state;
    json_t *inc = incident("x", "AMBER+STRICT", "containment");
    struct vg_incident_mail m = {.event = VG_INCIDENT_STATUS, .lang = "en", .from = "analysis"};
    struct out o;
    assert_int_equal(write_mail(inc, &m, &o), 0);
    assert_string_equal(o.subject.data, "[TLP:AMBER+STRICT] Status changed: x");
    assert_true(!strncmp(o.text.data, "TLP:AMBER+STRICT\n\nHello,\n\n", 26));
    assert_non_null(strstr(o.text.data, "changed from \"analysis\" to \"containment\".\n"));
    assert_non_null(strstr(o.text.data, "Severity: critical\nStatus: containment\n"));
    assert_null(strstr(o.text.data, "Bonjour"));
    out_cleanup(&o);

    m.lang = ""; /* French then English */
    assert_int_equal(write_mail(inc, &m, &o), 0);
    assert_string_equal(o.subject.data,
                        "[TLP:AMBER+STRICT] Changement de statut / Status changed: x");
    const char *fr = strstr(o.text.data, "est passé de « en analyse » à « en confinement »."),
               *en = strstr(o.text.data, "from \"analysis\" to \"containment\"");
    assert_non_null(fr);
    assert_non_null(en);
    assert_true(fr < en);
    assert_non_null(strstr(o.text.data, "Sévérité / Severity: critique / critical\n"));
    assert_non_null(strstr(o.text.data, "\nType: phishing\n")); /* said once */
    assert_non_null(strstr(o.html.data, "<html><head>"));
    assert_non_null(strstr(o.html.data, "&quot;analysis&quot;"));
    assert_non_null(strstr(o.html.data, "color:#FFC000"));
    out_cleanup(&o);

    m.lang = NULL; /* the same as "" */
    assert_int_equal(write_mail(inc, &m, &o), 0);
    assert_non_null(strstr(o.subject.data, "Changement de statut / Status changed"));
    out_cleanup(&o);
    json_decref(inc);
}

static void note_text_escaped_and_cleaned(void **state)
{
    (void)state;
    json_t *inc = incident("t\r\nBcc: x@evil.example", "AMBER", "triage");
    struct vg_incident_mail m = {.event = VG_INCIDENT_NOTE,
                                 .lang = "fr",
                                 .note = "Ligne 1\r\n\tLigne <2> & \"3\"\x1b[0m\x7f"};
    struct out o;
    assert_int_equal(write_mail(inc, &m, &o), 0);
    /* the subject is one line: the CR dropped, the LF a space */
    assert_string_equal(o.subject.data, "[TLP:AMBER] Nouvelle information : t Bcc: x@evil.example");
    assert_non_null(strstr(o.text.data, "----\nLigne 1\n\tLigne <2> & \"3\"[0m\n----\n"));
    assert_non_null(strstr(o.html.data, "Ligne 1\n\tLigne &lt;2&gt; &amp; &quot;3&quot;[0m<"));
    assert_non_null(strstr(o.text.data, "Titre : t Bcc: x@evil.example\n"));
    for (const char *p = o.text.data; *p; p++)
        assert_true(*p == '\n' || *p == '\t' || (unsigned char)*p >= 0x20);
    for (const char *p = o.html.data; *p; p++)
        assert_true(*p == '\n' || *p == '\t' || ((unsigned char)*p >= 0x20 && *p != 0x7f));
    out_cleanup(&o);
    json_decref(inc);
}

static void invisible_characters_dropped(void **state)
{
    (void)state;
    /* a right-to-left override, an isolate, a C1 control (NEL) and a right-to-left mark; a
     * character beside them in the same blocks (U+2010 hyphen, U+00A0) is kept */
    json_t *inc =
        incident("fac\u202Etxt.exe\u2066x\u2069\xC2\x85y\u200F\u2010\u00A0z", "GREEN", "new");
    struct vg_incident_mail m = {.event = VG_INCIDENT_NOTE, .lang = "en", .note = "a\u202Db"};
    struct out o;
    assert_int_equal(write_mail(inc, &m, &o), 0);
    assert_string_equal(o.subject.data, "[TLP:GREEN] New information: factxt.exexy\u2010\u00A0z");
    assert_non_null(strstr(o.text.data, "Title: factxt.exexy\u2010\u00A0z\n"));
    assert_non_null(strstr(o.text.data, "----\nab\n----"));
    assert_non_null(strstr(o.html.data, ">ab</blockquote>"));
    out_cleanup(&o);
    json_decref(inc);
}

static void long_title_cut_on_a_character(void **state)
{
    (void)state;
    char title[400];
    /* 199 ASCII bytes then "é" (2 bytes) across the 200-byte cut, then more */
    memset(title, 'a', 199);
    memcpy(title + 199, "éééé", sizeof "éééé"); /* its NUL too */
    json_t *inc = incident(title, "CLEAR", "new");
    struct vg_incident_mail m = {.event = VG_INCIDENT_OPENED, .lang = "en"};
    struct out o;
    assert_int_equal(write_mail(inc, &m, &o), 0);
    const char *t = strstr(o.subject.data, ": ") + 2;
    assert_int_equal(strlen(t), 199 + strlen("…"));
    assert_string_equal(t + 199, "…");
    assert_non_null(strstr(o.text.data, title)); /* the body keeps it whole */
    assert_non_null(strstr(o.html.data, "color:#FFFFFF;padding:0 4px\">TLP:CLEAR<"));
    out_cleanup(&o);
    json_decref(inc);

    /* exactly 200 bytes: kept whole, no ellipsis */
    memset(title, 'b', 200);
    title[200] = '\0';
    inc = incident(title, "CLEAR", "new");
    assert_int_equal(write_mail(inc, &m, &o), 0);
    assert_string_equal(strstr(o.subject.data, ": ") + 2, title);
    out_cleanup(&o);
    json_decref(inc);
}

static void refusals(void **state)
{
    (void)state;
    json_t *inc = incident("x", "GREEN", "new");
    struct out o;
    struct vg_incident_mail m = {.event = VG_INCIDENT_OPENED, .lang = "de"};
    assert_int_equal(write_mail(inc, &m, &o), VG_EINVAL);
    out_cleanup(&o);
    m = (struct vg_incident_mail){.event = VG_INCIDENT_STATUS, .lang = "fr"};
    assert_int_equal(write_mail(inc, &m, &o), VG_EINVAL);
    out_cleanup(&o);
    m = (struct vg_incident_mail){.event = VG_INCIDENT_NOTE, .lang = "en"};
    assert_int_equal(write_mail(inc, &m, &o), VG_EINVAL);
    out_cleanup(&o);
    m = (struct vg_incident_mail){.event = (enum vg_incident_event)7, .lang = "en"};
    assert_int_equal(write_mail(inc, &m, &o), VG_EINVAL);
    out_cleanup(&o);
    /* a buffer at its cap: VG_ENOMEM, not a cut message */
    m = (struct vg_incident_mail){.event = VG_INCIDENT_OPENED, .lang = "en"};
    vg_buf_init(&o.subject, 4096);
    vg_buf_init(&o.text, 4096);
    vg_buf_init(&o.html, 64);
    assert_int_equal(vg_notify_incident(inc, &m, &o.subject, &o.text, &o.html), VG_ENOMEM);
    out_cleanup(&o);
    json_decref(inc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(opened_in_french_exactly),
        cmocka_unit_test(status_in_english_and_both),
        cmocka_unit_test(note_text_escaped_and_cleaned),
        cmocka_unit_test(invisible_characters_dropped),
        cmocka_unit_test(long_title_cut_on_a_character),
        cmocka_unit_test(refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
