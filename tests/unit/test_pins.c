/* Pins found by mutation (scripts/mutants.py, docs/TESTING.md "Mutation score"): each test
 * here fails on a one-line change of a rule of core/ or of version and CPE comparison that
 * the rest of the suite let through. Each says which change it catches. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/escalate.h"
#include "core/incident.h"
#include "core/indicator.h"
#include "core/intake.h"
#include "core/lifecycle.h"
#include "core/model.h"
#include "core/playbook.h"
#include "core/reference.h"
#include "core/timeline.h"
#include "util/limits.h"

/* vg_status_valid: every status of the lifecycle, the first ("new") included, and nothing
 * else (an index test `>= 1` or `> 0` would drop "new"). */
static void pin_status_valid(void **state)
{
    (void)state;
    for (int i = 0; vg_status_names[i]; i++)
        assert_true(vg_status_valid(vg_status_names[i]));
    assert_true(vg_status_valid("new"));
    assert_false(vg_status_valid("open"));
    assert_false(vg_status_valid(""));
}

/* vg_status_is_final: closed and rejected, nothing else (a `strcmp(..) == 1` would drop one). */
static void pin_status_final(void **state)
{
    (void)state;
    assert_true(vg_status_is_final("closed"));
    assert_true(vg_status_is_final("rejected"));
    assert_false(vg_status_is_final("recovery"));
    assert_false(vg_status_is_final("new"));
    assert_false(vg_status_is_final(NULL));
}

/* An escalated incident's title is cut at 511 bytes (its buffer is 512), never beyond. */
static void pin_escalate_title_cap(void **state)
{
    (void)state;
    char value[700];
    memset(value, 'a', sizeof value - 1);
    value[sizeof value - 1] = '\0';
    struct vg_escalation e = {"domain-name", value, "RED", 0, NULL, NULL, 0};
    json_t *inc = NULL;
    struct vg_diag d;
    vg_diag_clear(&d);
    assert_int_equal(vg_escalate_incident(&e, NULL, &inc, &d), 0);
    const char *title = json_string_value(json_object_get(inc, "title"));
    assert_non_null(title);
    assert_int_equal(strlen(title), 511);
    assert_memory_equal(title, "domain-name aaaa", 16);
    assert_string_equal(json_string_value(json_object_get(inc, "tlp")), "RED");
    json_decref(inc);
}

/* An escalated alert keeps its organisation, the first one (id 1) included. */
static void pin_escalate_org_one(void **state)
{
    (void)state;
    struct vg_escalation e = {"ipv4-addr", "192.0.2.1", "AMBER", 1, "First", NULL, 0};
    json_t *inc = NULL;
    assert_int_equal(vg_escalate_incident(&e, NULL, &inc, NULL), 0);
    assert_int_equal(json_integer_value(json_object_get(inc, "org")), 1);
    assert_string_equal(json_string_value(json_object_get(inc, "title")),
                        "ipv4-addr 192.0.2.1 seen at First");
    json_decref(inc);
    e.org = 0;
    assert_int_equal(vg_escalate_incident(&e, NULL, &inc, NULL), 0);
    assert_null(json_object_get(inc, "org"));
    json_decref(inc);
}

/* A new incident refused for a missing field leaves out empty, so that its cleanup is safe. */
static void pin_incident_new_refused_is_empty(void **state)
{
    (void)state;
    json_t *rec = json_pack("{s:s,s:s}", "title", "t", "class", "other");
    struct vg_incident_new out;
    struct vg_diag d;
    vg_diag_clear(&d);
    assert_int_equal(vg_incident_new_from_json(rec, &out, &d), VG_EINVAL);
    assert_string_equal(d.field, "/type");
    assert_null(out.obs);
    assert_int_equal(out.nobs, 0);
    assert_null(out.title);
    assert_int_equal(out.org, 0);
    vg_incident_new_cleanup(&out);
    json_decref(rec);
}

/* An observable missing its type or its value refuses the incident, and frees what was read. */
static void pin_incident_new_observable_halves(void **state)
{
    (void)state;
    static const char *const bad[] = {"{\"value\": \"192.0.2.1\"}", "{\"type\": \"ipv4-addr\"}"};
    for (size_t i = 0; i < 2; i++) {
        char text[512];
        snprintf(text, sizeof text,
                 "{\"title\": \"t\", \"class\": \"other\", \"type\": \"undetermined\", "
                 "\"severity\": \"low\", \"tlp\": \"RED\", \"pap\": \"RED\", \"observables\": "
                 "[{\"type\": \"domain-name\", \"value\": \"a.example\"}, %s]}",
                 bad[i]);
        json_t *rec = json_loads(text, 0, NULL);
        assert_non_null(rec);
        struct vg_incident_new out;
        struct vg_diag d;
        vg_diag_clear(&d);
        assert_int_equal(vg_incident_new_from_json(rec, &out, &d), VG_EINVAL);
        assert_string_equal(d.field, "/observables");
        assert_null(out.obs);
        assert_int_equal(out.nobs, 0);
        json_decref(rec);
    }
}

/* A re-import widens the time seen: first_seen the earlier, last_seen the later, for times one
 * day apart (strcmp's answer is then 1 or -1: a `c <= 1` would take the later as the first). */
static void pin_indicator_merge_times(void **state)
{
    (void)state;
    json_t *cur =
        json_pack("{s:s,s:s,s:s,s:s}", "type", "domain-name", "value", "a.example", "first_seen",
                  "2026-01-02T00:00:00Z", "last_seen", "2026-01-02T00:00:00Z");
    json_t *given = json_pack("{s:s,s:s}", "first_seen", "2026-01-01T00:00:00Z", "last_seen",
                              "2026-01-03T00:00:00Z");
    json_t *m = vg_indicator_merge(cur, given);
    assert_string_equal(json_string_value(json_object_get(m, "first_seen")),
                        "2026-01-01T00:00:00Z");
    assert_string_equal(json_string_value(json_object_get(m, "last_seen")), "2026-01-03T00:00:00Z");
    json_decref(m);
    /* the other way round: the stored times already widest */
    m = vg_indicator_merge(given, cur);
    assert_string_equal(json_string_value(json_object_get(m, "first_seen")),
                        "2026-01-01T00:00:00Z");
    assert_string_equal(json_string_value(json_object_get(m, "last_seen")), "2026-01-03T00:00:00Z");
    json_decref(m);
    json_decref(cur);
    json_decref(given);
}

/* A re-import replaces each of the fields it gives: tlp, source, confidence, tags, expires (the
 * first of them included); the value and type stay. */
static void pin_indicator_merge_replaces(void **state)
{
    (void)state;
    json_t *cur =
        json_pack("{s:s,s:s,s:s,s:s,s:i,s:[],s:n}", "type", "domain-name", "value", "a.example",
                  "tlp", "AMBER", "source", "old", "confidence", 50, "tags", "expires");
    json_t *given = json_pack("{s:s,s:s,s:i,s:[s],s:s}", "tlp", "RED", "source", "feed",
                              "confidence", 90, "tags", "apt", "expires", "2027-01-01T00:00:00Z");
    json_t *m = vg_indicator_merge(cur, given);
    assert_string_equal(json_string_value(json_object_get(m, "tlp")), "RED");
    assert_string_equal(json_string_value(json_object_get(m, "source")), "feed");
    assert_int_equal(json_integer_value(json_object_get(m, "confidence")), 90);
    assert_string_equal(json_string_value(json_array_get(json_object_get(m, "tags"), 0)), "apt");
    assert_string_equal(json_string_value(json_object_get(m, "expires")), "2027-01-01T00:00:00Z");
    assert_string_equal(json_string_value(json_object_get(m, "value")), "a.example");
    json_decref(m);
    json_decref(cur);
    json_decref(given);
}

/* Intake: the eligible kinds are the first five (ministry ... ose); the sixth is not. */
static void pin_org_kind_eligible(void **state)
{
    (void)state;
    assert_true(vg_org_kind_eligible("ministry"));
    assert_true(vg_org_kind_eligible("ose"));
    assert_false(vg_org_kind_eligible("private-company"));
    assert_false(vg_org_kind_eligible("other"));
    assert_false(vg_org_kind_eligible("nope"));
    assert_false(vg_org_kind_eligible(NULL));
    json_t *org = json_pack("{s:s,s:i}", "kind", "oiv", "id", 1);
    struct vg_intake_decision d = vg_intake_decide("private-company", org);
    assert_true(d.accepted);
    assert_false(d.unverified);
    assert_int_equal(d.org_id, 1);
    json_decref(org);
    d = vg_intake_decide("ose", NULL);
    assert_true(d.accepted);
    assert_true(d.unverified);
    assert_int_equal(d.org_id, 0);
    d = vg_intake_decide("sme", NULL);
    assert_false(d.accepted);
    assert_false(d.unverified);
}

/* Names joined with ", ", cut to cap (NUL included), never past it. */
static void pin_names_join(void **state)
{
    (void)state;
    static const char *const names[] = {"ab", "cd", "ef", NULL};
    char out[16];
    vg_names_join(names, out, sizeof out);
    assert_string_equal(out, "ab, cd, ef");
    vg_names_join(names, out, 11); /* exactly "ab, cd, ef" and its NUL */
    assert_string_equal(out, "ab, cd, ef");
    vg_names_join(names, out, 10); /* one byte short: cut, still terminated */
    assert_string_equal(out, "ab, cd, e");
    vg_names_join(names, out, 1);
    assert_string_equal(out, "");
    memcpy(out, "xyz", 4);
    vg_names_join(names, out, 0);
    assert_string_equal(out, "xyz");
    assert_int_equal(vg_tlp_rank("CLEAR"), 0);
    assert_int_equal(vg_tlp_rank("RED"), 4);
    assert_int_equal(vg_tlp_rank("WHITE"), -1);
    assert_int_equal(vg_name_index(vg_tlp_names, NULL), -1);
}

/* References: six digits, from 1; a buffer of exactly the length and its NUL is enough. */
static void pin_reference_bounds(void **state)
{
    (void)state;
    char out[32];
    assert_int_equal(vg_reference_format(out, sizeof out, "CERT", 2026, 1), 0);
    assert_string_equal(out, "CERT-2026-000001");
    assert_int_equal(vg_reference_format(out, sizeof out, "CERT", 2026, 0), -1);
    assert_string_equal(out, "");
    assert_int_equal(vg_reference_format(out, 17, "CERT", 2026, 42), 0);
    assert_string_equal(out, "CERT-2026-000042");
    assert_int_equal(vg_reference_format(out, 16, "CERT", 2026, 42), -1);
    assert_string_equal(out, "");
    assert_int_equal(vg_reference_format(out, 0, "CERT", 2026, 42), -1);
    assert_int_equal(vg_reference_counter(out, sizeof out, 2026), 0);
    assert_string_equal(out, "incident:2026");
    assert_int_equal(vg_reference_counter(out, 14, 2026), 0);
    assert_int_equal(vg_reference_counter(out, 13, 2026), -1);
}

/* Timeline: a status change and other changes are two entries, either alone one; unchanged
 * values are no change; the created entry names its alert, the first one (id 1) included. */
static void pin_timeline_entries(void **state)
{
    (void)state;
    json_t *cur = json_pack("{s:s,s:s}", "status", "new", "title", "a");
    json_t *patch = json_pack("{s:s,s:s}", "status", "triage", "title", "a");
    json_t *ch = vg_timeline_diff(cur, patch);
    assert_int_equal(json_object_size(ch), 1);
    assert_string_equal(json_string_value(json_object_get(cur, "status")), "triage");
    struct vg_timeline_entry e[2];
    assert_int_equal(vg_timeline_entries(ch, e), 1);
    assert_string_equal(e[0].action, "status");
    json_decref(e[0].detail);
    json_decref(ch);
    json_decref(patch);
    patch = json_pack("{s:s}", "title", "b");
    ch = vg_timeline_diff(cur, patch);
    assert_int_equal(vg_timeline_entries(ch, e), 1);
    assert_string_equal(e[0].action, "update");
    assert_string_equal(json_string_value(json_object_get(json_object_get(e[0].detail, "title"),
                                                          "from")),
                        "a");
    json_decref(e[0].detail);
    json_decref(ch);
    json_decref(patch);
    patch = json_pack("{s:s,s:s}", "status", "closed", "title", "c");
    ch = vg_timeline_diff(cur, patch);
    assert_int_equal(vg_timeline_entries(ch, e), 2);
    assert_string_equal(e[0].action, "status");
    assert_string_equal(e[1].action, "update");
    assert_null(json_object_get(e[1].detail, "status"));
    json_decref(e[0].detail);
    json_decref(e[1].detail);
    json_decref(ch);
    json_decref(patch);
    json_decref(cur);
    json_t *c = vg_timeline_created("CERT-2026-000001", "new", 1);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(c, "from"), "alert")), 1);
    json_decref(c);
    c = vg_timeline_created("CERT-2026-000001", "new", 0);
    assert_null(json_object_get(c, "from"));
    json_decref(c);
}

/* Validates a playbook of one step {id, phase, title}; returns the code, d filled. */
static int one_step(const char *id, const char *phase, const char *title, struct vg_diag *d)
{
    json_t *arr = json_pack("[{s:s,s:s,s:s}]", "id", id, "phase", phase, "title", title);
    vg_diag_clear(d);
    int rc = vg_playbook_validate(arr, d);
    json_decref(arr);
    return rc;
}

/* Playbook steps: ids of 1-64 bytes of [a-z0-9-] (each end of each range, first byte too),
 * the four phases, titles of 1-VG_MAX_NAME bytes, ids once, at most 100 steps. */
static void pin_playbook_validate(void **state)
{
    (void)state;
    struct vg_diag d;
    char id[66], title[VG_MAX_NAME + 2];
    static const char *const good[] = {"a", "z", "0", "9", "-", "az09-x", NULL};
    for (int i = 0; good[i]; i++)
        assert_int_equal(one_step(good[i], "analysis", "t", &d), 0);
    static const char *const bad[] = {"", "Xa", "a_", "`", "{", "/", ":", "aZ", "A", "a b", NULL};
    for (int i = 0; bad[i]; i++) {
        assert_int_equal(one_step(bad[i], "analysis", "t", &d), VG_EINVAL);
        assert_string_equal(d.field, "/steps/0/id");
    }
    memset(id, 'a', sizeof id);
    id[64] = '\0';
    assert_int_equal(one_step(id, "recovery", "t", &d), 0);
    id[64] = 'a';
    id[65] = '\0';
    assert_int_equal(one_step(id, "recovery", "t", &d), VG_EINVAL);
    assert_string_equal(d.field, "/steps/0/id");
    assert_int_equal(one_step("a", "triage", "t", &d), VG_EINVAL);
    assert_string_equal(d.field, "/steps/0/phase");
    assert_int_equal(one_step("a", "analysis", "", &d), VG_EINVAL);
    assert_string_equal(d.field, "/steps/0/title");
    memset(title, 't', sizeof title);
    title[VG_MAX_NAME] = '\0';
    assert_int_equal(one_step("a", "containment", title, &d), 0);
    title[VG_MAX_NAME] = 't';
    title[VG_MAX_NAME + 1] = '\0';
    assert_int_equal(one_step("a", "eradication", title, &d), VG_EINVAL);
    assert_string_equal(d.field, "/steps/0/title");

    json_t *arr = json_array();
    for (int i = 0; i < 100; i++) {
        char sid[16];
        snprintf(sid, sizeof sid, "s%d", i);
        json_array_append_new(arr, json_pack("{s:s,s:s,s:s}", "id", sid, "phase", "analysis",
                                             "title", "t"));
    }
    vg_diag_clear(&d);
    assert_int_equal(vg_playbook_validate(arr, &d), 0);
    json_array_append_new(arr, json_pack("{s:s,s:s,s:s}", "id", "s100", "phase", "analysis",
                                         "title", "t"));
    assert_int_equal(vg_playbook_validate(arr, &d), VG_ETOOBIG);
    assert_string_equal(d.field, "/steps");
    json_decref(arr);
    arr = json_pack("[{s:s,s:s,s:s},{s:s,s:s,s:s},{s:s,s:s,s:s}]", "id", "a", "phase", "analysis",
                    "title", "t", "id", "b", "phase", "analysis", "title", "t", "id", "a", "phase",
                    "analysis", "title", "t");
    vg_diag_clear(&d);
    assert_int_equal(vg_playbook_validate(arr, &d), VG_EINVAL);
    assert_string_equal(d.field, "/steps/2/id");
    json_decref(arr);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pin_status_valid),
        cmocka_unit_test(pin_status_final),
        cmocka_unit_test(pin_escalate_title_cap),
        cmocka_unit_test(pin_escalate_org_one),
        cmocka_unit_test(pin_incident_new_refused_is_empty),
        cmocka_unit_test(pin_incident_new_observable_halves),
        cmocka_unit_test(pin_indicator_merge_times),
        cmocka_unit_test(pin_indicator_merge_replaces),
        cmocka_unit_test(pin_org_kind_eligible),
        cmocka_unit_test(pin_names_join),
        cmocka_unit_test(pin_reference_bounds),
        cmocka_unit_test(pin_timeline_entries),
        cmocka_unit_test(pin_playbook_validate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
