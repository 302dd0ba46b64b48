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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(crisis_checks),
        cmocka_unit_test(incidents_cap),
        cmocka_unit_test(member_log_sitrep_close),
        cmocka_unit_test(review_markdown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
