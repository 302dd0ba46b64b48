/* Unit tests of the crisis cell's model (src/crisis/crisis.c): every check's refusals with
 * their JSON pointers and boundaries, and the closing review's Markdown, exactly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "crisis/crisis.h"
#include "notify/crisismail.h"
#include "util/time.h"

typedef int (*check_fn)(const json_t *, json_t **, struct vg_diag *);

static int crisis_create(const json_t *in, json_t **out, struct vg_diag *d)
{
    return vg_crisis_check(in, VG_CRISIS_CREATE, out, d);
}

static int crisis_patch(const json_t *in, json_t **out, struct vg_diag *d)
{
    return vg_crisis_check(in, VG_CRISIS_PATCH, out, d);
}

/* Runs check on the JSON text and expects rc, with the field named when rc is not 0. */
static void expect(check_fn check, const char *text, int rc, const char *field)
{
    json_t *in = json_loads(text, JSON_ALLOW_NUL, NULL), *out = (json_t *)1;
    struct vg_diag d;
    vg_diag_clear(&d);
    if (!in)
        fail_msg("bad test JSON: %s", text);
    int got = check(in, &out, &d);
    if (got != rc || (rc && strcmp(d.field, field) != 0))
        fail_msg("%s: rc %d field '%s' (expected %d '%s')", text, got, d.field, rc, field);
    if (rc)
        assert_null(out);
    json_decref(out);
    json_decref(in);
}

/* A string of n bytes 'x' inside a JSON object {"key": "..."} plus rest. */
static char *long_field(const char *key, size_t n, const char *rest)
{
    static char buf[300 * 1024];
    size_t k = (size_t)snprintf(buf, sizeof buf, "{%s\"%s\":\"", rest, key);
    memset(buf + k, 'x', n);
    snprintf(buf + k + n, sizeof buf - k - n, "\"}");
    return buf;
}

static void crisis_checks(void **state)
{
    (void)state;
    json_t *in = json_loads("{\"title\":\"T\",\"incidents\":[\"VIG-1\",\"VIG-1\",\"VIG-2\"]}", 0,
                            NULL),
           *out = NULL;
    struct vg_diag d;
    assert_int_equal(vg_crisis_check(in, VG_CRISIS_CREATE, &out, &d), 0);
    assert_string_equal(json_string_value(json_object_get(out, "level")), "crisis");
    assert_int_equal(json_array_size(json_object_get(out, "incidents")), 2); /* one VIG-1 */
    json_decref(out);
    json_decref(in);
    expect(crisis_create, "{}", VG_EINVAL, "/title");
    expect(crisis_create, "[]", VG_EINVAL, "");
    expect(crisis_create, "{\"title\":\" \\n\"}", VG_EINVAL, "/title");
    expect(crisis_create, "{\"title\":\"a\\u0000b\"}", VG_EINVAL, "/title");
    expect(crisis_create, long_field("title", VG_CRISIS_MAX_TITLE, ""), 0, "");
    expect(crisis_create, long_field("title", VG_CRISIS_MAX_TITLE + 1, ""), VG_ETOOBIG, "/title");
    for (const char *const *l = (const char *const[]){"watch", "alert", "crisis", "major", NULL};
         *l; l++)
        assert_true(vg_crisis_level_valid(*l));
    assert_false(vg_crisis_level_valid("Major"));
    assert_false(vg_crisis_level_valid(NULL));
    expect(crisis_create, "{\"title\":\"t\",\"level\":\"Major\"}", VG_EINVAL, "/level");
    expect(crisis_create, "{\"title\":\"t\",\"level\":null}", VG_EINVAL, "/level");
    expect(crisis_create, "{\"title\":\"t\",\"incidents\":[\"VIG-1\",\"vig-2\"]}", VG_EINVAL,
           "/incidents/1");
    expect(crisis_create, "{\"title\":\"t\",\"incidents\":[\"VIG-1\",3]}", VG_EINVAL,
           "/incidents/1");
    expect(crisis_create, "{\"title\":\"t\",\"incidents\":{}}", VG_EINVAL, "/incidents");
    expect(crisis_create, "{\"title\":\"t\",\"x\":1}", VG_EINVAL, "/x");
    expect(crisis_patch, "{}", VG_EINVAL, "");
    expect(crisis_patch, "{\"level\":\"watch\"}", 0, "");
    expect(crisis_patch, "{\"title\":\"\"}", VG_EINVAL, "/title");
    in = json_loads("{\"level\":\"alert\"}", 0, NULL);
    assert_int_equal(vg_crisis_check(in, VG_CRISIS_PATCH, &out, &d), 0);
    assert_int_equal(json_object_size(out), 1); /* no defaults in a patch */
    json_decref(out);
    json_decref(in);
}

static void incidents_cap(void **state)
{
    (void)state;
    json_t *arr = json_array();
    for (int i = 0; i < VG_CRISIS_MAX_INCIDENTS; i++)
        json_array_append_new(arr, json_string("VIG-1"));
    json_t *in = json_pack("{s:s,s:O}", "title", "t", "incidents", arr), *out = NULL;
    struct vg_diag d;
    assert_int_equal(vg_crisis_check(in, VG_CRISIS_CREATE, &out, &d), 0);
    json_decref(out);
    json_array_append_new(arr, json_string("VIG-1"));
    json_object_set(in, "incidents", arr);
    assert_int_equal(vg_crisis_check(in, VG_CRISIS_CREATE, &out, &d), VG_ETOOBIG);
    assert_string_equal(d.field, "/incidents");
    json_decref(in);
    json_decref(arr);
}

static void member_log_sitrep_close(void **state)
{
    (void)state;
    const char *ok = "\"kind\":\"person\",\"name\":\"N\",";
    char buf[512];
    snprintf(buf, sizeof buf, "{%s\"email\":\"n@example.org\"}", ok);
    expect(vg_crisis_member_check, buf, 0, "");
    expect(vg_crisis_member_check, "{\"name\":\"N\",\"email\":\"n@x\"}", VG_EINVAL, "/kind");
    expect(vg_crisis_member_check, "{\"kind\":\"cert\",\"name\":\"N\",\"email\":\"n@x\"}",
           VG_EINVAL, "/kind");
    const char *bad_emails[] = {"n", "@x", "n@", "a@b@c", "a b@c", "a<b@c", "a@b\\n"};
    for (size_t i = 0; i < sizeof bad_emails / sizeof *bad_emails; i++) {
        snprintf(buf, sizeof buf, "{%s\"email\":\"%s\"}", ok, bad_emails[i]);
        expect(vg_crisis_member_check, buf, VG_EINVAL, "/email");
    }
    snprintf(buf, sizeof buf, "{%s\"email\":\"n@x\",\"role\":\"chief\"}", ok);
    expect(vg_crisis_member_check, buf, VG_EINVAL, "/role");
    expect(vg_crisis_log_check, "{\"text\":\"t\"}", 0, "");
    expect(vg_crisis_log_check, "{\"text\":[]}", VG_EINVAL, "/text");
    expect(vg_crisis_log_check, long_field("text", VG_CRISIS_MAX_TEXT, ""), 0, "");
    expect(vg_crisis_log_check, long_field("text", VG_CRISIS_MAX_TEXT + 1, ""), VG_ETOOBIG,
           "/text");
    expect(vg_crisis_sitrep_check, "{\"title\":\"t\",\"body\":\"b\",\"tlp\":\"clear\"}", 0, "");
    expect(vg_crisis_sitrep_check, "{\"title\":\"t\",\"body\":\"b\",\"tlp\":\"PINK\"}", VG_EINVAL,
           "/tlp");
    expect(vg_crisis_sitrep_check, "{\"title\":\"t\",\"body\":\"b\",\"number\":0}", VG_EINVAL,
           "/number");
    expect(vg_crisis_sitrep_check, "{\"title\":\"t\",\"body\":\"b\",\"number\":1.0}", VG_EINVAL,
           "/number");
    expect(vg_crisis_sitrep_check, "{\"title\":\"t\",\"body\":\"b\",\"number\":1}", 0, "");
    expect(vg_crisis_sitrep_check, "{\"title\":\"t\"}", VG_EINVAL, "/body");
    expect(vg_crisis_sitrep_check, long_field("body", VG_CRISIS_MAX_SITREP + 1, "\"title\":\"t\","),
           VG_ETOOBIG, "/body");
    json_t *in = json_loads("{\"title\":\"t\",\"body\":\"b\"}", 0, NULL), *out = NULL;
    struct vg_diag d;
    assert_int_equal(vg_crisis_sitrep_check(in, &out, &d), 0);
    assert_string_equal(json_string_value(json_object_get(out, "tlp")), "AMBER");
    json_decref(out);
    json_decref(in);
    expect(vg_crisis_close_check, "{\"summary\":\"s\"}", 0, "");
    expect(vg_crisis_close_check, "{\"actions\":[]}", VG_EINVAL, "/summary");
    expect(vg_crisis_close_check, "{\"summary\":\"s\",\"actions\":\"a\"}", VG_EINVAL, "/actions");
    expect(vg_crisis_close_check, "{\"summary\":\"s\",\"actions\":[\"a\",\"\"]}", VG_EINVAL,
           "/actions/1");
}

static void review_markdown(void **state)
{
    (void)state;
    json_t *c = json_loads(
        "{\"title\":\"Wave\\non hospitals\",\"level\":\"major\","
        "\"opened\":\"2026-01-01T10:00:00Z\",\"closed\":\"2026-01-02T10:00:00Z\","
        "\"incidents\":[\"VIG-2026-000001\"],\"members\":[{},{}],"
        "\"log\":[{\"at\":\"2026-01-01T11:00:00Z\",\"author\":\"ana\",\"text\":\"a\\nb\"},"
        "{\"at\":\"2026-01-01T12:00:00Z\",\"author\":\"bob\",\"text\":\"later\"}],"
        "\"sitreps\":[{\"number\":1,\"version\":1,\"tlp\":\"AMBER\",\"author\":\"ana\","
        "\"title\":\"S1\",\"at\":\"2026-01-01T11:00:00Z\"},"
        "{\"number\":1,\"version\":2,\"tlp\":\"GREEN\",\"author\":\"bob\","
        "\"title\":\"S1 bis\",\"at\":\"2026-01-01T13:00:00Z\"}]}",
        0, NULL);
    json_t *closing =
        json_loads("{\"summary\":\"It happened.\",\"actions\":[\"Fix\",\"Train\"]}", 0, NULL);
    json_t *tl = json_loads("{\"VIG-2026-000001\":[{\"at\":\"2026-01-01T09:00:00Z\","
                            "\"actor\":\"intake\",\"action\":\"created\"},"
                            "{\"at\":\"2026-01-01T11:00:00Z\",\"actor\":\"ana\","
                            "\"action\":\"status\"}]}",
                            0, NULL);
    assert_non_null(c);
    assert_non_null(closing);
    assert_non_null(tl);
    struct vg_buf b;
    vg_buf_init(&b, 1 << 20);
    assert_int_equal(vg_crisis_review(c, closing, tl, &b), 0);
    assert_string_equal(b.data, "# Crisis review: Wave on hospitals\n\n"
                                "- Level: major\n- Opened: 2026-01-01T10:00:00Z\n"
                                "- Closed: 2026-01-02T10:00:00Z\n- Incidents: VIG-2026-000001\n"
                                "- Members: 2\n\n"
                                "## What happened\n\nIt happened.\n\n"
                                "## Timeline\n\n"
                                "- 2026-01-01T09:00:00Z incident VIG-2026-000001 created (intake)\n"
                                "- 2026-01-01T11:00:00Z log (ana): a b\n"
                                "- 2026-01-01T11:00:00Z sitrep 1 v1 [TLP:AMBER] (ana): S1\n"
                                "- 2026-01-01T11:00:00Z incident VIG-2026-000001 status (ana)\n"
                                "- 2026-01-01T12:00:00Z log (bob): later\n"
                                "- 2026-01-01T13:00:00Z sitrep 1 v2 [TLP:GREEN] (bob): S1 bis\n"
                                "\n## Actions\n\n- [ ] Fix\n- [ ] Train\n");
    vg_buf_cleanup(&b);

    /* nothing recorded, no incident, no action; and a buffer too small fails cleanly */
    json_t *empty = json_loads("{\"title\":\"E\",\"level\":\"watch\",\"opened\":\"o\","
                               "\"closed\":\"c\",\"incidents\":[]}",
                               0, NULL);
    json_t *bare = json_loads("{\"summary\":\"S\"}", 0, NULL);
    vg_buf_init(&b, 1 << 20);
    assert_int_equal(vg_crisis_review(empty, bare, NULL, &b), 0);
    assert_string_equal(b.data, "# Crisis review: E\n\n- Level: watch\n- Opened: o\n"
                                "- Closed: c\n- Incidents: none\n- Members: 0\n\n"
                                "## What happened\n\nS\n\n## Timeline\n\nNothing was recorded.\n"
                                "\n## Actions\n\nNone.\n");
    vg_buf_cleanup(&b);
    vg_buf_init(&b, 16);
    assert_int_equal(vg_crisis_review(c, closing, tl, &b), VG_ENOMEM);
    vg_buf_cleanup(&b);
    json_decref(empty);
    json_decref(bare);
    json_decref(c);
    json_decref(closing);
    json_decref(tl);
}

/* What the gate needs to know of each kind of member, and the schedule. */
static void member_links_schedule(void **state)
{
    (void)state;
    const char *p = "\"kind\":\"partner\",\"name\":\"N\",\"email\":\"n@x\",";
    const char *c = "\"kind\":\"contact\",\"name\":\"N\",\"email\":\"n@x\",";
    const char *h = "\"kind\":\"person\",\"name\":\"N\",\"email\":\"n@x\",";
    char buf[512];
    static const struct {
        const char *kind, *rest;
        int rc;
        const char *field;
    } cases[] = {
        {"p", "\"partner_id\":1", 0, ""},
        {"p", "\"partner_id\":0", VG_EINVAL, "/partner_id"},
        {"p", "\"partner_id\":\"1\"", VG_EINVAL, "/partner_id"},
        {"p", "\"partner_id\":1,\"org_id\":1", VG_EINVAL, "/org_id"},
        {"p", "\"partner_id\":1,\"max_tlp\":\"GREEN\"", VG_EINVAL, "/max_tlp"},
        {"p", "\"role\":\"cell\"", VG_EINVAL, "/partner_id"},
        {"c", "\"org_id\":9", 0, ""},
        {"c", "\"org_id\":-1", VG_EINVAL, "/org_id"},
        {"c", "\"lang\":\"fr\"", VG_EINVAL, "/org_id"},
        {"c", "\"org_id\":9,\"partner_id\":1", VG_EINVAL, "/partner_id"},
        {"h", "\"max_tlp\":\"clear\"", 0, ""},
        {"h", "\"max_tlp\":\"AMBER\"", 0, ""},
        {"h", "\"max_tlp\":\"AMBER+STRICT\"", VG_EINVAL, "/max_tlp"},
        {"h", "\"max_tlp\":\"RED\"", VG_EINVAL, "/max_tlp"},
        {"h", "\"max_tlp\":3", VG_EINVAL, "/max_tlp"},
        {"h", "\"lang\":\"en\"", 0, ""},
        {"h", "\"lang\":\"\"", 0, ""},
        {"h", "\"lang\":\"EN\"", VG_EINVAL, "/lang"},
        {"h", "\"role\":\"cell\"", 0, ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const char *k = cases[i].kind[0] == 'p' ? p : cases[i].kind[0] == 'c' ? c : h;
        snprintf(buf, sizeof buf, "{%s%s}", k, cases[i].rest);
        expect(vg_crisis_member_check, buf, cases[i].rc, cases[i].field);
    }
    /* a person's defaults: GREEN and no language; the kind's link only */
    snprintf(buf, sizeof buf, "{%s\"role\":\"cell\"}", h);
    json_t *in = json_loads(buf, 0, NULL), *out = NULL;
    struct vg_diag d;
    assert_int_equal(vg_crisis_member_check(in, &out, &d), 0);
    assert_string_equal(json_string_value(json_object_get(out, "max_tlp")), "GREEN");
    assert_string_equal(json_string_value(json_object_get(out, "lang")), "");
    assert_null(json_object_get(out, "partner_id"));
    json_decref(out);
    json_decref(in);
    expect(crisis_create, "{\"title\":\"t\",\"sitrep_every_hours\":720}", 0, "");
    expect(crisis_create, "{\"title\":\"t\",\"sitrep_every_hours\":721}", VG_EINVAL,
           "/sitrep_every_hours");
    expect(crisis_patch, "{\"sitrep_every_hours\":0}", 0, "");
    expect(crisis_patch, "{\"sitrep_every_hours\":-1}", VG_EINVAL, "/sitrep_every_hours");
    expect(crisis_patch, "{\"sitrep_every_hours\":1.0}", VG_EINVAL, "/sitrep_every_hours");
    expect(crisis_patch, "{\"sitrep_every_hours\":null}", VG_EINVAL, "/sitrep_every_hours");
}

/* The gate per member: every TLP against every kind of member. */
static void gate_matrix(void **state)
{
    (void)state;
    json_t *partner = json_pack("{s:s,s:i}", "kind", "partner", "partner_id", 4),
           *contact = json_pack("{s:s,s:i}", "kind", "contact", "org_id", 7),
           *other = json_pack("{s:s,s:i}", "kind", "contact", "org_id", 8),
           *person = json_pack("{s:s,s:s}", "kind", "person", "max_tlp", "AMBER"),
           *plain = json_pack("{s:s,s:s}", "kind", "person", "max_tlp", "GREEN"),
           *orgs = json_pack("[i]", 7);
    const char *why;
    /* CLEAR, GREEN, AMBER, AMBER+STRICT, RED: 1 sent, 0 withheld */
    static const struct {
        int who;
        const char *pmax;
        int expect[5];
    } rows[] = {
        {0, "AMBER", {1, 1, 1, 0, 0}}, {0, "GREEN", {1, 1, 0, 0, 0}}, {0, "CLEAR", {1, 0, 0, 0, 0}},
        {0, NULL, {0, 0, 0, 0, 0}},    {1, NULL, {1, 1, 1, 1, 0}},    {2, NULL, {1, 1, 0, 0, 0}},
        {3, NULL, {1, 1, 1, 0, 0}},    {4, NULL, {1, 1, 0, 0, 0}},
    };
    const json_t *who[] = {partner, contact, other, person, plain};
    static const char *const tlps[] = {"CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"};
    for (size_t r = 0; r < sizeof rows / sizeof *rows; r++)
        for (int t = 0; t < 5; t++) {
            bool ok = vg_crisis_may_send(tlps[t], who[rows[r].who], rows[r].pmax, orgs, &why);
            if (ok != (rows[r].expect[t] == 1) || (ok ? why != NULL : why == NULL))
                fail_msg("row %zu %s: %d (%s)", r, tlps[t], ok, why ? why : "-");
        }
    assert_false(vg_crisis_may_send("RED", contact, NULL, orgs, &why));
    assert_string_equal(why, "TLP:RED never leaves by mail");
    assert_false(vg_crisis_may_send("AMBER", other, NULL, orgs, &why));
    assert_string_equal(why, "the contact's organisation is not concerned by the crisis's "
                             "incidents");
    assert_false(vg_crisis_may_send("AMBER+STRICT", partner, "AMBER", orgs, &why));
    assert_string_equal(why, "TLP:AMBER+STRICT never goes to a partner");
    assert_false(vg_crisis_may_send("GREEN", partner, NULL, orgs, &why));
    assert_string_equal(why, "the partner is unknown or disabled");
    assert_false(vg_crisis_may_send("unknown", person, NULL, orgs, &why)); /* unknown is RED */
    json_decref(partner), json_decref(contact), json_decref(other);
    json_decref(person), json_decref(plain), json_decref(orgs);
}

/* One reminder per period, counted from the later of the last sitrep and the last reminder. */
static void reminder_due(void **state)
{
    (void)state;
    time_t base;
    assert_int_equal(vg_time_parse("2026-01-01T10:00:00Z", &base), 0);
    const char *b = "2026-01-01T10:00:00.5Z";
    assert_false(vg_crisis_reminder_due(b, NULL, 2, base + 7199));
    assert_true(vg_crisis_reminder_due(b, NULL, 2, base + 7200));
    assert_false(vg_crisis_reminder_due(b, "2026-01-01T12:00:00Z", 2, base + 7200 + 7199));
    assert_true(vg_crisis_reminder_due(b, "2026-01-01T12:00:00Z", 2, base + 14400));
    /* a sitrep after the reminder moves the base */
    assert_false(vg_crisis_reminder_due("2026-01-01T13:00:00Z", "2026-01-01T12:00:00Z", 2,
                                        base + 14400));
    assert_false(vg_crisis_reminder_due(b, NULL, 0, base + 1000000));
    assert_false(vg_crisis_reminder_due("garbage", NULL, 1, base + 1000000));
    assert_false(vg_crisis_reminder_due(b, "garbage", 1, base + 1000000));
    assert_false(vg_crisis_reminder_due(NULL, NULL, 1, base + 1000000));
}

/* The mail texts: the language asked, values escaped in the HTML, subjects on one line. */
static void mail_texts(void **state)
{
    (void)state;
    json_t *c = json_pack("{s:s,s:s}", "title", "A <b>\r\nX", "level", "major"),
           *s = json_pack("{s:i,s:i,s:s,s:s,s:s}", "number", 3, "version", 2, "title", "S", "body",
                          "**md**", "tlp", "AMBER");
    struct vg_buf sub, txt, html;
    vg_buf_init(&sub, 4096), vg_buf_init(&txt, 65536), vg_buf_init(&html, 65536);
    assert_int_equal(vg_notify_crisis_rollcall(c, "en", "ana", "https://h/ack/ab", &sub, &txt,
                                               &html),
                     0);
    assert_string_equal(sub.data, "Crisis roll-call: A <b>  X [major]");
    assert_non_null(strstr(txt.data, "https://h/ack/ab\n"));
    assert_null(strstr(txt.data, "Bonjour"));
    assert_non_null(strstr(html.data, "A &lt;b&gt;"));
    assert_null(strstr(html.data, "<b>"));
    vg_buf_reset(&sub), vg_buf_reset(&txt), vg_buf_reset(&html);
    assert_int_equal(vg_notify_crisis_sitrep(c, s, "fr", "<p><strong>md</strong></p>\n", &sub, &txt,
                                             &html),
                     0);
    assert_string_equal(sub.data, "TLP:AMBER Point de situation 3 v2: S (A <b>  X)");
    assert_int_equal(strncmp(txt.data, "TLP:AMBER\n\n", 11), 0);
    assert_non_null(strstr(txt.data, "\n**md**\n"));
    assert_true(strstr(html.data, "TLP:AMBER") < strstr(html.data, "<strong>md</strong>"));
    vg_buf_reset(&sub), vg_buf_reset(&txt), vg_buf_reset(&html);
    assert_int_equal(vg_notify_crisis_reminder(c, "", 4, "2026-01-01T10:00:00Z", &sub, &txt, &html),
                     0);
    assert_string_equal(sub.data, "Point de situation attendu / Sitrep due: A <b>  X");
    assert_non_null(strstr(txt.data, "toutes les 4 h"));
    assert_non_null(strstr(txt.data, "every 4 h"));
    vg_buf_cleanup(&sub), vg_buf_cleanup(&txt), vg_buf_cleanup(&html);
    json_decref(c);
    json_decref(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(crisis_checks),
        cmocka_unit_test(incidents_cap),
        cmocka_unit_test(member_log_sitrep_close),
        cmocka_unit_test(review_markdown),
        cmocka_unit_test(member_links_schedule),
        cmocka_unit_test(gate_matrix),
        cmocka_unit_test(reminder_due),
        cmocka_unit_test(mail_texts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
