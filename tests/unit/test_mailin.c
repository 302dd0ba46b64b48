/* Unit tests of what is pure in inbound mail: the X-ARF mapping (app/mailin_xarf.c: RSIT class
 * and type, observables, time, reporter, v3 and v4) and the rules that keep vigie from
 * answering machines (notify/answer.c: header lookup, Auto-Submitted, Precedence, List-Id,
 * null Return-Path, machine senders, our own address), and the answer's text; then the inbound
 * store's contract on a real SQLite file (bytes kept exactly, attachments, de-duplication
 * look-ups, list and filter, refusals) and vg_mailin_ingest's one transaction. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "app/mailin.h"
#include "core/record.h"
#include "notify/notify.h"
#include "store_fixture.h"
#include "util/json.h"

static void xarf_classes(void **state)
{
    (void)state;
    static const char *const cases[][4] = {
        {"Content", "Phishing", "fraud", "phishing"},
        {"Activity", "DOS", "availability", "dos"},
        {"connection", "ddos", "availability", "ddos"},
        {"Activity", "PortScan", "information-gathering", "scanner"},
        {"connection", "port_scan", "information-gathering", "scanner"},
        {"Activity", "LoginAttack", "intrusion-attempts", "brute-force"},
        {"connection", "login-attack", "intrusion-attempts", "brute-force"},
        {"Vulnerability", "OpenService", "vulnerable", "potentially-unwanted-accessible"},
        {"Activity", "PotentiallyCompromisedAccount", "intrusions",
         "unprivileged-account-compromise"},
        {"Content", "Botnet", "malicious-code", "infected-system"},
        {"messaging", "spam", "abusive-content", "spam"},
        {"vulnerability", "something-new", "vulnerable", "vulnerable-system"},
        {"weird", "unheard-of", "other", "undetermined"},
        {NULL, NULL, "other", "undetermined"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *c, *t;
        vg_mailin_xarf_class(cases[i][0], cases[i][1], &c, &t);
        assert_string_equal(c, cases[i][2]);
        assert_string_equal(t, cases[i][3]);
    }
}

/* The incident of an X-ARF part, checked by core's incident checker as the API would. */
static json_t *incident_of(const char *x, const char *sender)
{
    json_t *inc = NULL, *checked = NULL;
    struct vg_diag d;
    vg_diag_clear(&d);
    assert_int_equal(vg_mailin_xarf_incident(x, sender, "mail text", &inc, &d), 0);
    assert_int_equal(vg_incident_check(inc, VG_CHECK_CREATE, &checked, &d), 0);
    json_decref(checked);
    return inc;
}

static void xarf_v3(void **state)
{
    (void)state;
    json_t *inc = incident_of(
        "{\"Version\":\"3\",\"ReporterInfo\":{\"ReporterOrg\":\"ExampleOrg\","
        "\"ReporterContactEmail\":\"Contact@Example.com\",\"ReporterContactName\":\"Mr. X\"},"
        "\"Report\":{\"ReportClass\":\"Content\",\"ReportType\":\"Phishing\","
        "\"Date\":\"2018-02-05T14:17:10Z\",\"SourceIp\":\"192.0.2.55\",\"SourcePort\":80,"
        "\"SourceUrl\":\"HTTP://Phish.Example.org/index.html\"}}",
        "sender@reporter.example");
    assert_string_equal(vg_json_str(inc, "class"), "fraud");
    assert_string_equal(vg_json_str(inc, "type"), "phishing");
    assert_string_equal(vg_json_str(inc, "title"), "X-ARF Content/Phishing: 192.0.2.55");
    assert_string_equal(vg_json_str(inc, "occurred"), "2018-02-05T14:17:10Z");
    const json_t *rep = json_object_get(inc, "reporter");
    assert_string_equal(vg_json_str(rep, "email"), "contact@example.com");
    assert_string_equal(vg_json_str(rep, "name"), "Mr. X");
    const json_t *obs = json_object_get(inc, "observables");
    assert_int_equal(json_array_size(obs), 2);
    assert_string_equal(vg_json_str(json_array_get(obs, 0), "type"), "ipv4-addr");
    assert_string_equal(vg_json_str(json_array_get(obs, 0), "value"), "192.0.2.55");
    assert_string_equal(vg_json_str(json_array_get(obs, 1), "value"),
                        "http://phish.example.org/index.html");
    assert_non_null(strstr(vg_json_str(inc, "description"), "mail text\n\nX-ARF report:\n{"));
    json_decref(inc);
}

static void xarf_v4_and_fallbacks(void **state)
{
    (void)state;
    json_t *inc = incident_of(
        "{\"xarf_version\":\"4.2.0\",\"timestamp\":\"not a time\","
        "\"reporter\":{\"org\":\"Brand\",\"contact\":\"not-an-address\"},"
        "\"category\":\"content\",\"type\":\"phishing\",\"source_identifier\":\"2001:DB8::1\","
        "\"url\":\"not a url\",\"file_hash\":\"sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E"
        "4649B934CA495991B7852B855\"}",
        "takedown@brand.example");
    assert_string_equal(vg_json_str(inc, "class"), "fraud");
    assert_null(json_object_get(inc, "occurred")); /* a bad time is left out */
    const json_t *rep = json_object_get(inc, "reporter");
    assert_string_equal(vg_json_str(rep, "email"), "takedown@brand.example"); /* the sender */
    assert_string_equal(vg_json_str(rep, "name"), "Brand");
    const json_t *obs = json_object_get(inc, "observables");
    assert_int_equal(json_array_size(obs), 2); /* the bad URL dropped */
    assert_string_equal(vg_json_str(json_array_get(obs, 0), "value"), "2001:db8::1");
    assert_string_equal(vg_json_str(json_array_get(obs, 1), "type"), "sha256");
    json_decref(inc);
    /* a contact address core's record checker would refuse (found by fuzz_mailin): the
     * organisation's address instead; none usable, not even the sender's: no reporter */
    inc = incident_of("{\"Report\":{},\"ReporterInfo\":{\"ReporterContactEmail\":"
                      "\"co<<ntact@example.com\",\"ReporterOrgEmail\":\"Org@Example.com\"}}",
                      "x@y.example");
    assert_string_equal(vg_json_str(json_object_get(inc, "reporter"), "email"), "org@example.com");
    json_decref(inc);
    inc = incident_of("{\"Report\":{},\"ReporterInfo\":{\"ReporterContactEmail\":\"a b@c.d\"}}",
                      "<odd>@y.example");
    assert_null(json_object_get(inc, "reporter"));
    json_decref(inc);
    /* nothing usable at all: still an incident a checker takes */
    inc = incident_of("{}", "");
    assert_string_equal(vg_json_str(inc, "title"), "X-ARF report");
    assert_null(json_object_get(inc, "reporter"));
    json_decref(inc);
    /* not an object */
    struct vg_diag d;
    json_t *out = NULL;
    assert_int_equal(vg_mailin_xarf_incident("[1]", "", "", &out, &d), VG_EINVAL);
    assert_string_equal(d.field, "xarf");
    assert_int_equal(vg_mailin_xarf_incident("{", "", "", &out, &d), VG_EINVAL);
    assert_null(out);
}

#define RAW(s) s, sizeof(s) - 1

static void headers(void **state)
{
    (void)state;
    char v[64];
    const char *m = "From: a@b.example\r\nSubject: one\r\n  two\r\n\tthree\r\n"
                    "X-Empty:\r\nsubject: second\r\n\r\nAuto-Submitted: in the body\r\n";
    assert_true(vg_mail_header(m, strlen(m), "subject", v, sizeof v));
    assert_string_equal(v, "one two three"); /* unfolded, the first one */
    assert_true(vg_mail_header(m, strlen(m), "X-Empty", v, sizeof v));
    assert_string_equal(v, "");
    assert_false(vg_mail_header(m, strlen(m), "Auto-Submitted", v, sizeof v)); /* body */
    assert_false(vg_mail_header(m, strlen(m), "Subj", v, sizeof v));
    char small[4];
    assert_true(vg_mail_header(m, strlen(m), "Subject", small, sizeof small));
    assert_string_equal(small, "one"); /* cut to fit */
    /* LF only, and no body at all */
    assert_true(vg_mail_header(RAW("A: 1\nB: 2"), "b", v, sizeof v));
    assert_string_equal(v, "2");
}

static void automatic(void **state)
{
    (void)state;
    const char *why;
    assert_false(vg_mail_is_automatic(RAW("From: x@y.example\r\n\r\nhi"), "x@y.example",
                                      "CERT <cert@vigie.example>", &why));
    assert_string_equal(why, "");
    assert_false(vg_mail_is_automatic(RAW("Auto-Submitted: No\r\n\r\n"), "x@y.example", NULL,
                                      &why));
    assert_true(vg_mail_is_automatic(RAW("Auto-Submitted: auto-replied\r\n\r\n"), "x@y.example",
                                     NULL, &why));
    assert_string_equal(why, "Auto-Submitted");
    assert_true(vg_mail_is_automatic(RAW("Auto-Submitted: no ; but\r\n\r\n"), "x@y.example", NULL,
                                     &why) == false);
    assert_true(vg_mail_is_automatic(RAW("Precedence: junk\r\n\r\n"), "x@y.example", NULL, &why));
    assert_string_equal(why, "Precedence");
    assert_false(vg_mail_is_automatic(RAW("Precedence: first-class\r\n\r\n"), "x@y.example", NULL,
                                      &why));
    assert_true(vg_mail_is_automatic(RAW("List-Id: <l.example>\r\n\r\n"), "x@y.example", NULL,
                                     &why));
    assert_true(vg_mail_is_automatic(RAW("Return-Path: <>\r\n\r\n"), "x@y.example", NULL, &why));
    assert_string_equal(why, "null Return-Path");
    assert_true(vg_mail_is_automatic(RAW("\r\n"), "", NULL, &why));
    assert_string_equal(why, "no sender");
    assert_true(vg_mail_is_automatic(RAW("\r\n"), "MAILER-DAEMON@mx.example", NULL, &why));
    assert_string_equal(why, "machine sender");
    assert_true(vg_mail_is_automatic(RAW("\r\n"), "no-reply@shop.example", NULL, &why));
    assert_false(vg_mail_is_automatic(RAW("\r\n"), "noreplyx@shop.example", NULL, &why));
    assert_true(vg_mail_is_automatic(RAW("\r\n"), "Cert@Vigie.example",
                                     "CERT Vigie <cert@vigie.example>", &why));
    assert_string_equal(why, "our own address");
}

static void answer_text(void **state)
{
    (void)state;
    struct vg_buf s, t;
    vg_buf_init(&s, 256);
    vg_buf_init(&t, 65536);
    assert_int_equal(vg_notify_intake_answer(NULL, &s, &t), 0);
    assert_string_equal(s.data, "Votre signalement / Your report");
    const char *p = strstr(t.data, "https://www.cybermalveillance.gouv.fr/");
    assert_non_null(p);
    assert_non_null(strstr(p + 1, "https://www.cybermalveillance.gouv.fr/")); /* FR, then EN */
    assert_true(strstr(t.data, "Bonjour") < strstr(t.data, "Hello"));
    vg_buf_reset(&s);
    vg_buf_reset(&t);
    assert_int_equal(vg_notify_intake_answer("https://aide.example/", &s, &t), 0);
    assert_non_null(strstr(t.data, "https://aide.example/"));
    assert_null(strstr(t.data, "https://www.cybermalveillance.gouv.fr/"));
    vg_buf_cleanup(&s);
    vg_buf_cleanup(&t);
    /* a buffer that cannot hold it */
    vg_buf_init(&s, 8);
    vg_buf_init(&t, 65536);
    assert_int_equal(vg_notify_intake_answer(NULL, &s, &t), VG_ENOMEM);
    vg_buf_cleanup(&s);
    vg_buf_cleanup(&t);
}

static void store_contract(void **state)
{
    struct fixture *f = *state;
    struct vg_diag d;
    (void)who;
    static const unsigned char raw[] = "From: a@b.example\r\n\r\n\0\xff\xfe binary";
    unsigned char pdf[3] = {0, 1, 2};
    struct vg_inbound_att att[2] = {
        {"r.pdf", "application/pdf", sizeof pdf, "aa", false, pdf},
        {"big.zip", "application/zip", 99999999, "bb", true, NULL},
    };
    const char *sha = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    struct vg_inbound_new m = {raw,
                               sizeof raw - 1,
                               sha,
                               "m1@x",
                               "a@b.example",
                               "s",
                               "report",
                               "",
                               "VIG-2026-000001",
                               0,
                               att,
                               2};
    long long id1, id2, id3, found;
    assert_int_equal(vg_store_inbound_add(f->st, &m, &id1, &d), 0);
    m.message_id = "";
    m.outcome = "quarantined";
    m.reason = "part 1: bad base64";
    m.n_att = 0;
    assert_int_equal(vg_store_inbound_add(f->st, &m, &id2, &d), 0);
    m.outcome = "junk";
    assert_int_equal(vg_store_inbound_add(f->st, &m, &id3, &d), VG_EINVAL);
    assert_string_equal(d.field, "outcome");
    m.outcome = "report";
    m.sha256 = "short";
    assert_int_equal(vg_store_inbound_add(f->st, &m, &id3, &d), VG_EINVAL);
    /* look-ups: by Message-ID; without one, by the bytes' hash among those without one */
    assert_int_equal(vg_store_inbound_find(f->st, "m1@x", sha, &found), 0);
    assert_int_equal(found, id1);
    assert_int_equal(vg_store_inbound_find(f->st, "", sha, &found), 0);
    assert_int_equal(found, id2);
    assert_int_equal(vg_store_inbound_find(f->st, "m2@x", sha, &found), VG_ENOENT);
    assert_int_equal(vg_store_inbound_find(f->st, "", "ffff", &found), VG_ENOENT);
    /* the bytes exactly, NUL and invalid UTF-8 included */
    unsigned char *data;
    size_t len;
    assert_int_equal(vg_store_inbound_raw(f->st, id2, &data, &len), 0);
    assert_int_equal(len, sizeof raw - 1);
    assert_memory_equal(data, raw, len);
    free(data);
    assert_int_equal(vg_store_inbound_raw(f->st, 999, &data, &len), VG_ENOENT);
    json_t *one;
    assert_int_equal(vg_store_inbound_get(f->st, id1, &one), 0);
    assert_string_equal(vg_json_str(one, "ref"), "VIG-2026-000001");
    assert_true(json_is_null(json_object_get(one, "queue_id")));
    const json_t *a = json_object_get(one, "attachments");
    assert_int_equal(json_array_size(a), 2);
    assert_true(json_is_true(json_object_get(json_array_get(a, 0), "kept")));
    assert_true(json_is_false(json_object_get(json_array_get(a, 1), "kept")));
    assert_true(json_is_true(json_object_get(json_array_get(a, 1), "is_archive")));
    assert_int_equal(json_integer_value(json_object_get(json_array_get(a, 1), "size")), 99999999);
    json_decref(one);
    assert_int_equal(vg_store_inbound_get(f->st, 999, &one), VG_ENOENT);
    /* newest first, filtered, paged */
    struct vg_page page = {1, NULL};
    json_t *out;
    assert_int_equal(vg_mailin_list(f->st, NULL, &page, &out, &d), 0);
    assert_int_equal(
        json_integer_value(json_object_get(json_array_get(json_object_get(out, "items"), 0), "id")),
        id2);
    assert_int_equal(json_integer_value(json_object_get(
                         json_array_get(json_object_get(out, "items"), 0), "attachments")),
                     0);
    page.cursor = vg_json_str(out, "next_cursor");
    json_t *next;
    assert_int_equal(vg_mailin_list(f->st, "", &page, &next, &d), 0);
    assert_int_equal(json_integer_value(
                         json_object_get(json_array_get(json_object_get(next, "items"), 0), "id")),
                     id1);
    assert_true(json_is_null(json_object_get(next, "next_cursor")));
    json_decref(next);
    json_decref(out);
    page = (struct vg_page){10, NULL};
    assert_int_equal(vg_mailin_list(f->st, "report", &page, &out, &d), 0);
    assert_int_equal(json_array_size(json_object_get(out, "items")), 1);
    json_decref(out);
    assert_int_equal(vg_mailin_list(f->st, "spam", &page, &out, &d), VG_EINVAL);
    assert_string_equal(d.field, "outcome");
    /* the outbox takes the answer's kind since migration 19 */
    json_t *msg = json_pack("{s:s,s:s,s:[s],s:s,s:s}", "message_id", "<i@x>", "kind", "intake",
                            "to", "a@b.example", "subject", "s", "text", "t");
    assert_int_equal(vg_store_mail_queue(f->st, msg, NULL, &d), 0);
    json_decref(msg);
}

static void cap(void **state)
{
    (void)state;
    struct vg_mailin_cap c = {.per_minute = 2};
    assert_true(vg_mailin_admit(&c));
    assert_true(vg_mailin_admit(&c));
    assert_false(vg_mailin_admit(&c)); /* refilled at 2 a minute: not within microseconds */
    struct vg_mailin_cap big = {.per_minute = 1000000};
    for (int i = 0; i < 1000; i++)
        assert_true(vg_mailin_admit(&big));
}

static const char *const MSG = "From: Jane <jane@perso.example>\r\nTo: cert@vigie.example\r\n"
                               "Subject: scam\r\nMessage-ID: <t1@perso.example>\r\n\r\n"
                               "see hxxp://evil[.]example/x\r\n";

static void ingest_one_transaction(void **state)
{
    struct fixture *f = *state;
    struct vg_diag d;
    struct vg_mail_config cfg;
    vg_mail_config_env(&cfg);
    snprintf(cfg.from, sizeof cfg.from, "cert@vigie.example");
    struct vg_mailin_opts opts = {"https://aide.example/", NULL, NULL, &cfg};
    struct vg_mailin_result r;
    /* inside a transaction the caller rolls back: nothing stays, not even the answer */
    assert_int_equal(vg_store_tx_begin(f->st, &d), 0);
    assert_int_equal(vg_mailin_ingest(f->st, MSG, strlen(MSG), &opts, &r, &d), 0);
    assert_string_equal(r.outcome, "ineligible");
    assert_true(r.answer_id > 0);
    vg_store_tx_rollback(f->st);
    long long found;
    assert_int_equal(vg_store_inbound_find(f->st, "t1@perso.example", "", &found), VG_ENOENT);
    struct vg_page page = {10, NULL};
    json_t *out;
    assert_int_equal(vg_mail_list(f->st, NULL, &page, &out, &d), 0);
    assert_int_equal(json_array_size(json_object_get(out, "items")), 0);
    json_decref(out);
    /* on its own: stored, answered once; again: a duplicate that answers nobody */
    assert_int_equal(vg_mailin_ingest(f->st, MSG, strlen(MSG), &opts, &r, &d), 0);
    assert_string_equal(r.outcome, "ineligible");
    long long first = r.inbound_id;
    assert_int_equal(vg_mailin_ingest(f->st, MSG, strlen(MSG), &opts, &r, &d), 0);
    assert_string_equal(r.outcome, "duplicate");
    assert_int_equal(r.first_id, first);
    assert_int_equal(r.answer_id, 0);
    assert_int_equal(vg_mail_list(f->st, NULL, &page, &out, &d), 0);
    const json_t *items = json_object_get(out, "items");
    assert_int_equal(json_array_size(items), 1);
    assert_string_equal(vg_json_str(json_array_get(items, 0), "kind"), "intake");
    assert_non_null(strstr(vg_json_str(json_array_get(items, 0), "text"), "https://aide.example/"));
    json_decref(out);
    /* an empty message: quarantined with the reader's reason, kept */
    assert_int_equal(vg_mailin_ingest(f->st, "", 0, &opts, &r, &d), 0);
    assert_string_equal(r.outcome, "quarantined");
    assert_true(r.reason[0] != '\0');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(xarf_classes),
        cmocka_unit_test(xarf_v3),
        cmocka_unit_test(xarf_v4_and_fallbacks),
        cmocka_unit_test(headers),
        cmocka_unit_test(automatic),
        cmocka_unit_test(answer_text),
        cmocka_unit_test(cap),
        cmocka_unit_test_setup_teardown(store_contract, setup, teardown),
        cmocka_unit_test_setup_teardown(ingest_one_transaction, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
