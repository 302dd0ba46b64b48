/* Unit tests of the incident mail's use cases (app/incident.c, app/mail.c) against a real
 * SQLite file: one message per language group on each event, and the change and its mail
 * together or neither (the outbox failing, from a second connection, undoes the
 * status change or the public note; an internal note does not touch the outbox). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "app/incident.h"
#include "app/mail.h"
#include "app/org.h"
#include "store/store.h"

#include "store_fixture.h"

/* The outbox gone (renamed from a second connection): queueing fails as a real I/O error. A
 * trigger's RAISE(ABORT) would be taken for a duplicate Message-ID by sqlite_mail.c. */
#define OUTBOX_FAILS "ALTER TABLE outbox RENAME TO inj_gone"
#define OUTBOX_BACK  "ALTER TABLE inj_gone RENAME TO outbox"

/* An organisation with a French, an English and a language-less contact, and an AMBER
 * incident for it; ref (32 bytes) receives its reference. */
static void org_and_incident(struct fixture *f, const char *tlp, char ref[32])
{
    json_t *org = json_loads(
        "{\"name\":\"A\",\"kind\":\"ministry\",\"sector\":\"government\",\"contacts\":["
        "{\"name\":\"F\",\"email\":\"f@a.example\",\"lang\":\"fr\"},"
        "{\"name\":\"E\",\"email\":\"e@a.example\",\"lang\":\"en\",\"optout\":[\"digest\"]},"
        "{\"name\":\"N\",\"email\":\"n@a.example\"}]}",
        0, NULL);
    json_t *out = NULL;
    struct vg_diag d, warn;
    vg_diag_clear(&d);
    assert_int_equal(vg_org_create(f->st, &who, org, &out, &d, &warn), 0);
    json_t *inc =
        json_pack("{s:s,s:s,s:s,s:s,s:I}", "title", "t", "class", "fraud", "type", "phishing",
                  "tlp", tlp, "org", json_integer_value(json_object_get(out, "id")));
    json_decref(out);
    assert_int_equal(vg_incident_create(f->st, &who, inc, &out, &d), 0);
    snprintf(ref, 32, "%s", json_string_value(json_object_get(out, "ref")));
    json_decref(out);
    json_decref(inc);
    json_decref(org);
}

static long long outbox_rows(const struct fixture *f)
{
    return scalar_on(f->path, "SELECT count(*) FROM outbox");
}

static void one_message_per_language(void **state)
{
    struct fixture *f = *state;
    char ref[32];
    org_and_incident(f, "AMBER", ref);
    assert_int_equal(outbox_rows(f), 3);
    assert_int_equal(scalar_on(f->path,
                               "SELECT count(*) FROM outbox WHERE recipients = "
                               "'[\"f@a.example\"]' AND subject LIKE '%Incident ouvert :%'"),
                     1);
    assert_int_equal(scalar_on(f->path,
                               "SELECT count(*) FROM outbox WHERE recipients = "
                               "'[\"e@a.example\"]' AND subject LIKE '%Incident opened:%'"),
                     1);
    assert_int_equal(scalar_on(f->path,
                               "SELECT count(*) FROM outbox WHERE recipients = "
                               "'[\"n@a.example\"]' AND subject LIKE '%ouvert / Incident opened%'"),
                     1);
    /* the use case's own count, and nothing for RED */
    json_t *inc = NULL;
    assert_int_equal(vg_store_incident_get(f->st, ref, &inc), 0);
    struct vg_diag d;
    int n = -1;
    assert_int_equal(vg_mail_incident_status(f->st, inc, "new", &n, &d), 0);
    assert_int_equal(n, 3);
    assert_int_equal(vg_mail_incident_note(f->st, inc, "x", &n, &d), 0);
    assert_int_equal(n, 3);
    json_object_set_new(inc, "tlp", json_string("RED"));
    assert_int_equal(vg_mail_incident_opened(f->st, inc, &n, &d), 0);
    assert_int_equal(n, 0);
    json_object_set_new(inc, "tlp", json_string("AMBER"));
    json_object_set_new(inc, "org", json_integer(999)); /* no such organisation */
    assert_int_equal(vg_mail_incident_opened(f->st, inc, &n, &d), 0);
    assert_int_equal(n, 0);
    json_decref(inc);
    assert_int_equal(outbox_rows(f), 9);
}

static void change_and_mail_together_or_neither(void **state)
{
    struct fixture *f = *state;
    char ref[32];
    org_and_incident(f, "GREEN", ref);
    long long timeline = scalar_on(f->path, "SELECT count(*) FROM timeline");
    exec_on(f->path, OUTBOX_FAILS);
    struct vg_diag d;
    json_t *out = NULL, *allowed = NULL;

    /* a status change whose mail cannot be queued is not made */
    json_t *in = json_pack("{s:s}", "status", "triage");
    vg_diag_clear(&d);
    assert_int_equal(vg_incident_patch(f->st, &who, ref, in, &out, &allowed, &d), VG_EIO);
    assert_non_null(strstr(d.message, "outbox"));
    assert_null(out);
    assert_null(allowed);
    json_decref(in);
    assert_int_equal(scalar_on(f->path, "SELECT count(*) FROM incident WHERE status = 'new'"), 1);

    /* a change without a new status sends nothing, so it is made */
    in = json_pack("{s:s}", "severity", "high");
    assert_int_equal(vg_incident_patch(f->st, &who, ref, in, &out, NULL, &d), 0);
    json_decref(out);
    json_decref(in);
    timeline++;

    /* a public note whose mail cannot be queued is not kept; an internal one is */
    in = json_pack("{s:s,s:b}", "text", "public", "public", 1);
    vg_diag_clear(&d);
    assert_int_equal(vg_incident_note(f->st, &who, ref, in, &out, &d), VG_EIO);
    assert_null(out);
    json_decref(in);
    in = json_pack("{s:s}", "text", "internal");
    assert_int_equal(vg_incident_note(f->st, &who, ref, in, &out, &d), 0);
    assert_true(json_is_false(json_object_get(json_object_get(out, "detail"), "public")));
    json_decref(out);
    json_decref(in);
    timeline++;
    assert_int_equal(scalar_on(f->path, "SELECT count(*) FROM timeline"), timeline);
    assert_int_equal(scalar_on(f->path, "SELECT count(*) FROM inj_gone"), 3);

    /* the outbox back: both go through, with their mail */
    exec_on(f->path, OUTBOX_BACK);
    in = json_pack("{s:s}", "status", "triage");
    assert_int_equal(vg_incident_patch(f->st, &who, ref, in, &out, NULL, &d), 0);
    assert_string_equal(json_string_value(json_object_get(out, "status")), "triage");
    json_decref(out);
    json_decref(in);
    in = json_pack("{s:s,s:b}", "text", "public", "public", 1);
    assert_int_equal(vg_incident_note(f->st, &who, ref, in, &out, &d), 0);
    json_decref(out);
    json_decref(in);
    assert_int_equal(outbox_rows(f), 9);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(one_message_per_language, setup, teardown),
        cmocka_unit_test_setup_teardown(change_and_mail_together_or_neither, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
