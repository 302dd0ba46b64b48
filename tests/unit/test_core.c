/* Unit tests of src/core: observables, lifecycle, RSIT, records, intake, playbooks, references,
 * timelines, escalation, the correlation index. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/attrib.h"
#include "core/corr.h"
#include "core/escalate.h"
#include "core/incident.h"
#include "core/indicator.h"
#include "core/intake.h"
#include "core/lifecycle.h"
#include "core/model.h"
#include "core/observable.h"
#include "core/playbook.h"
#include "core/record.h"
#include "core/reference.h"
#include "core/rsit.h"
#include "core/timeline.h"

static void check_obs(const char *in, const char *type, const char *norm)
{
    struct vg_observable o;
    struct vg_diag d;
    vg_diag_clear(&d);
    int rc = vg_observable_parse(vg_str_c(in), VG_OBS_UNKNOWN, &o, &d);
    if (rc != 0)
        fail_msg("%s: %s", in, d.message);
    assert_string_equal(vg_obs_type_name(o.type), type);
    assert_string_equal(o.value, norm);
}

static void observable_detection(void **state)
{
    (void)state;
    check_obs(" 192.0.2.1 ", "ipv4-addr", "192.0.2.1");
    check_obs("192.0.2.200/25", "ipv4-addr", "192.0.2.128/25");
    check_obs("0.0.0.0/0", "ipv4-addr", "0.0.0.0/0");
    check_obs("2001:0db8:0000:0000:0000:0000:0000:0001", "ipv6-addr", "2001:db8::1");
    check_obs("2001:db8::/128", "ipv6-addr", "2001:db8::");
    check_obs("::/0", "ipv6-addr", "::/0");
    check_obs("Www.Example.COM.", "domain-name", "www.example.com");
    check_obs("under_score.example", "domain-name", "under_score.example");
    check_obs("HTTPS://Example.com", "url", "https://example.com/");
    check_obs("http://a@b@Example.com:80?x#y", "url", "http://example.com/?x");
    check_obs("ftp://files.example:21/x", "url", "ftp://files.example:21/x");
    check_obs("http://example.com./a", "url", "http://example.com/a");
    check_obs("A@B.example", "email-addr", "a@b.example");
    check_obs("d41d8cd98f00b204e9800998ecf8427E", "md5", "d41d8cd98f00b204e9800998ecf8427e");
}

static void observable_rejects(void **state)
{
    (void)state;
    const char *bad[] = {"",        "   ",          "1.2.3.4/33",
                         "::1/129", "1.2.3.4/-1",   "1.2.3.4/",
                         "example", "exa mple.com", "123.456",
                         "-",       "@example.com", "http://",
                         "://x",    "http://[::1/", "http://h:99999/",
                         "a@b"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct vg_observable o;
        struct vg_diag d;
        vg_diag_clear(&d);
        if (vg_observable_parse(vg_str_c(bad[i]), VG_OBS_UNKNOWN, &o, &d) == 0)
            fail_msg("accepted '%s' as %s '%s'", bad[i], vg_obs_type_name(o.type), o.value);
        assert_true(d.message[0] != '\0');
    }
    struct vg_observable o;
    assert_int_not_equal(vg_observable_parse(VG_STR("abc"), VG_OBS_MD5, &o, NULL), 0);
    assert_int_not_equal(vg_observable_parse(VG_STR("1.2.3.4"), VG_OBS_IPV6, &o, NULL), 0);
    assert_int_equal(vg_observable_parse(VG_STR("1.2.3.4"), VG_OBS_IPV4, &o, NULL), 0);
}

static void observable_keys(void **state)
{
    (void)state;
    struct vg_observable o;
    assert_int_equal(vg_observable_parse(VG_STR("10.1.2.3/8"), VG_OBS_UNKNOWN, &o, NULL), 0);
    assert_true(o.has_ip);
    assert_int_equal(o.prefix, 104);
    static const unsigned char want[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 0};
    assert_memory_equal(o.ip, want, 16);
    unsigned char last[16];
    vg_ip_last(o.ip, o.prefix, last);
    assert_int_equal(last[12], 10);
    assert_int_equal(last[13], 255);
    assert_int_equal(last[15], 255);
    assert_int_equal(vg_observable_parse(VG_STR("a.b.Evil.Example"), VG_OBS_UNKNOWN, &o, NULL), 0);
    assert_string_equal(o.rdomain, "example.evil.b.a");
    char r[64];
    vg_domain_reverse("x", r, sizeof r);
    assert_string_equal(r, "x");
}

static void hostname_rules(void **state)
{
    (void)state;
    assert_true(vg_hostname_valid("a.b", 3));
    assert_true(vg_hostname_valid("a.b.", 4));
    assert_false(vg_hostname_valid("a..b", 4));
    assert_false(vg_hostname_valid("a.123", 5));
    assert_false(vg_hostname_valid("localhost", 9));
    char label[70];
    memset(label, 'a', 64);
    memcpy(label + 64, ".com", 5);
    assert_false(vg_hostname_valid(label, strlen(label)));
    char longname[300];
    memset(longname, 'a', sizeof longname);
    for (size_t i = 10; i < sizeof longname; i += 10)
        longname[i] = '.';
    memcpy(longname + 250, ".com", 4);
    assert_false(vg_hostname_valid(longname, 254));
}

static void lifecycle_table(void **state)
{
    (void)state;
    const char *path[] = {"new",         "triage",   "analysis", "containment",
                          "eradication", "recovery", "closed"};
    for (size_t i = 0; i + 1 < 7; i++)
        assert_true(vg_status_can_move(path[i], path[i + 1]));
    assert_false(vg_status_can_move("new", "closed"));
    assert_false(vg_status_can_move("containment", "closed"));
    assert_false(vg_status_can_move("closed", "new"));
    assert_true(vg_status_can_move("closed", "triage"));
    assert_true(vg_status_can_move("rejected", "triage"));
    assert_true(vg_status_can_move("new", "rejected"));
    assert_false(vg_status_can_move("analysis", "rejected"));
    assert_false(vg_status_can_move("bogus", "new"));
    assert_null(vg_status_next("bogus")[0]);
    assert_true(vg_status_is_final("closed"));
    assert_false(vg_status_is_final("recovery"));
}

/* A status change the lifecycle forbids is a conflict naming the statuses allowed. */
static void lifecycle_check_move(void **state)
{
    (void)state;
    struct vg_diag d;
    vg_diag_clear(&d);
    assert_int_equal(vg_status_check_move("new", NULL, &d), 0);
    assert_int_equal(vg_status_check_move("new", "new", &d), 0);
    assert_int_equal(vg_status_check_move("new", "triage", &d), 0);
    assert_int_equal(vg_status_check_move("closed", "triage", &d), 0);
    assert_int_equal(vg_status_check_move("new", "closed", &d), VG_ECONFLICT);
    assert_string_equal(d.field, "/status");
    assert_string_equal(d.message,
                        "an incident in status 'new' cannot move to 'closed'; allowed: triage, "
                        "rejected");
    assert_int_equal(vg_status_check_move("containment", "closed", &d), VG_ECONFLICT);
    assert_non_null(strstr(d.message, "allowed: eradication"));
    assert_int_equal(vg_status_check_move("bogus", "new", &d), VG_ECONFLICT);
    assert_non_null(strstr(d.message, "allowed: "));
}

static void reference_format(void **state)
{
    (void)state;
    char ref[VG_REFERENCE_LEN], small[12];
    assert_int_equal(vg_reference_format(ref, sizeof ref, "VIG", 2026, 42), 0);
    assert_string_equal(ref, "VIG-2026-000042");
    assert_int_equal(vg_reference_format(ref, sizeof ref, "CERT", 2027, 1), 0);
    assert_string_equal(ref, "CERT-2027-000001");
    assert_int_equal(vg_reference_format(ref, sizeof ref, "VIG", 2026, 1234567), 0);
    assert_string_equal(ref, "VIG-2026-1234567");
    assert_int_equal(vg_reference_format(ref, sizeof ref, "VIG", 2026, 0), -1);
    assert_string_equal(ref, "");
    assert_int_equal(vg_reference_format(small, sizeof small, "VIG", 2026, 1), -1);
    assert_string_equal(small, "");
    assert_int_equal(vg_reference_counter(ref, sizeof ref, 2026), 0);
    assert_string_equal(ref, "incident:2026");
    assert_int_equal(vg_reference_counter(small, 8, 2026), -1);
}

/* Each changed field is one change with its old and new values; the status change is an entry
 * of its own, before the others. */
static void timeline_diff(void **state)
{
    (void)state;
    json_t *cur = json_pack("{s:s,s:s,s:s,s:n}", "title", "t", "status", "new", "severity", "low",
                            "assignee");
    json_t *patch = json_pack("{s:s,s:s,s:s}", "title", "t", "status", "triage", "assignee", "bob");
    json_t *ch = vg_timeline_diff(cur, patch);
    assert_int_equal(json_object_size(ch), 2);
    assert_string_equal(json_string_value(json_object_get(cur, "status")), "triage");
    assert_string_equal(json_string_value(json_object_get(cur, "assignee")), "bob");
    json_t *st = json_object_get(ch, "status");
    assert_string_equal(json_string_value(json_object_get(st, "from")), "new");
    assert_string_equal(json_string_value(json_object_get(st, "to")), "triage");
    assert_true(json_is_null(json_object_get(json_object_get(ch, "assignee"), "from")));
    struct vg_timeline_entry e[2];
    assert_int_equal(vg_timeline_entries(ch, e), 2);
    assert_string_equal(e[0].action, "status");
    assert_true(json_equal(e[0].detail, st));
    assert_string_equal(e[1].action, "update");
    assert_int_equal(json_object_size(e[1].detail), 1);
    assert_non_null(json_object_get(e[1].detail, "assignee"));
    assert_int_equal(json_object_size(ch), 2); /* changes left as they were */
    json_decref(e[0].detail);
    json_decref(e[1].detail);
    json_decref(ch);
    json_decref(patch);
    /* nothing changes: no entry; a field new to cur changes from null */
    patch = json_pack("{s:s}", "status", "triage");
    ch = vg_timeline_diff(cur, patch);
    assert_int_equal(json_object_size(ch), 0);
    assert_int_equal(vg_timeline_entries(ch, e), 0);
    json_decref(ch);
    json_decref(patch);
    patch = json_pack("{s:s}", "pap", "RED");
    ch = vg_timeline_diff(cur, patch);
    assert_true(json_is_null(json_object_get(json_object_get(ch, "pap"), "from")));
    assert_int_equal(vg_timeline_entries(ch, e), 1);
    assert_string_equal(e[0].action, "update");
    json_decref(e[0].detail);
    json_decref(ch);
    json_decref(patch);
    json_decref(cur);
    json_t *c = vg_timeline_created("VIG-2026-000001", "new", 0);
    assert_int_equal(json_object_size(c), 2);
    assert_string_equal(json_string_value(json_object_get(c, "ref")), "VIG-2026-000001");
    json_decref(c);
    c = vg_timeline_created("VIG-2026-000002", "new", 12);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(c, "from"), "alert")), 12);
    json_decref(c);
}

/* A new incident read from its checked record: defaults, borrowed strings, distinct
 * observables in order. */
static void incident_new_record(void **state)
{
    (void)state;
    struct vg_diag d;
    json_t *in = json_pack("{s:s,s:s,s:s,s:I,s:[{s:s},{s:s},{s:s}]}", "title", "t", "class",
                           "fraud", "type", "phishing", "org", (json_int_t)3, "observables",
                           "value", "b.example", "value", "10.0.0.1", "value", "B.example"),
           *rec = NULL;
    assert_int_equal(vg_incident_check(in, VG_CHECK_CREATE, &rec, &d), 0);
    struct vg_incident_new n;
    assert_int_equal(vg_incident_new_from_json(rec, &n, &d), 0);
    assert_string_equal(n.title, "t");
    assert_string_equal(n.cls, "fraud");
    assert_string_equal(n.type, "phishing");
    assert_string_equal(n.severity, "medium");
    assert_string_equal(n.tlp, "AMBER");
    assert_string_equal(n.status, "new");
    assert_string_equal(n.description, "");
    assert_false(n.unverified);
    assert_int_equal(n.org, 3);
    assert_null(n.reporter);
    assert_null(n.assignee);
    assert_int_equal(n.from_alert, 0);
    assert_int_equal(n.nobs, 2);
    assert_string_equal(n.obs[0].value, "b.example");
    assert_string_equal(n.obs[1].type, "ipv4-addr");
    vg_incident_new_cleanup(&n);
    assert_null(n.obs);
    vg_incident_new_cleanup(NULL);
    json_decref(rec);
    json_decref(in);
    in = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:b,s:n,s:{s:s}}", "title", "t", "class", "other",
                   "type", "undetermined", "severity", "high", "tlp", "RED", "pap", "GREEN",
                   "unverified", 1, "org", "reporter", "name", "R");
    assert_int_equal(vg_incident_new_from_json(in, &n, &d), 0);
    assert_true(n.unverified);
    assert_int_equal(n.org, 0);
    assert_string_equal(json_string_value(json_object_get(n.reporter, "name")), "R");
    assert_int_equal(n.nobs, 0);
    vg_incident_new_cleanup(&n);
    json_object_del(in, "pap");
    assert_int_equal(vg_incident_new_from_json(in, &n, &d), VG_EINVAL);
    assert_string_equal(d.field, "/pap");
    json_decref(in);
}

/* An escalated alert's incident: named after the indicator and where it was seen, the
 * indicator's TLP, the values seen as observables; fields replace the defaults, not the
 * organisation. */
static void escalation_rules(void **state)
{
    (void)state;
    struct vg_diag d;
    const char *seen[] = {"A.Evil.Example", "not an observable", "10.1.2.3"};
    struct vg_escalation e = {"domain-name", "evil.example", "GREEN", 7, "Ministry", seen, 3};
    json_t *inc = NULL;
    assert_int_equal(vg_escalate_incident(&e, NULL, &inc, &d), 0);
    assert_string_equal(json_string_value(json_object_get(inc, "title")),
                        "domain-name evil.example seen at Ministry");
    assert_string_equal(json_string_value(json_object_get(inc, "class")), "other");
    assert_string_equal(json_string_value(json_object_get(inc, "type")), "undetermined");
    assert_string_equal(json_string_value(json_object_get(inc, "severity")), "medium");
    assert_string_equal(json_string_value(json_object_get(inc, "tlp")), "GREEN");
    assert_string_equal(json_string_value(json_object_get(inc, "pap")), "AMBER");
    assert_int_equal(json_integer_value(json_object_get(inc, "org")), 7);
    json_t *obs = json_object_get(inc, "observables");
    assert_int_equal(json_array_size(obs), 3);
    assert_string_equal(json_string_value(json_object_get(json_array_get(obs, 0), "value")),
                        "evil.example");
    assert_string_equal(json_string_value(json_object_get(json_array_get(obs, 1), "value")),
                        "a.evil.example");
    assert_string_equal(json_string_value(json_object_get(json_array_get(obs, 2), "type")),
                        "ipv4-addr");
    struct vg_incident_new n;
    assert_int_equal(vg_incident_new_from_json(inc, &n, &d), 0);
    assert_int_equal(n.nobs, 3);
    vg_incident_new_cleanup(&n);
    json_decref(inc);
    /* no organisation; fields win over the defaults */
    struct vg_escalation e2 = {"ipv4-addr", "10.0.0.0/8", "AMBER", 0, NULL, NULL, 0};
    json_t *fields = json_pack("{s:s,s:s,s:s}", "title", "Scan", "severity", "high", "tlp", "RED");
    assert_int_equal(vg_escalate_incident(&e2, fields, &inc, &d), 0);
    assert_string_equal(json_string_value(json_object_get(inc, "title")), "Scan");
    assert_string_equal(json_string_value(json_object_get(inc, "severity")), "high");
    assert_string_equal(json_string_value(json_object_get(inc, "tlp")), "RED");
    assert_null(json_object_get(inc, "org"));
    assert_int_equal(json_array_size(json_object_get(inc, "observables")), 1);
    json_decref(inc);
    json_decref(fields);
    assert_int_equal(vg_escalate_incident(&e2, NULL, &inc, &d), 0);
    assert_string_equal(json_string_value(json_object_get(inc, "title")),
                        "ipv4-addr 10.0.0.0/8 seen");
    json_decref(inc);
}

static void rsit_and_model(void **state)
{
    (void)state;
    assert_true(vg_rsit_valid("malicious-code", "infected-system"));
    assert_true(vg_rsit_valid("vulnerable", "ddos-amplifier"));
    assert_false(vg_rsit_valid("malicious-code", "phishing"));
    assert_false(vg_rsit_valid(NULL, "x"));
    assert_int_equal(vg_rsit_nclasses, 11);
    assert_true(vg_org_kind_eligible("ose"));
    assert_false(vg_org_kind_eligible("sme"));
    assert_false(vg_org_kind_eligible(NULL));
    assert_true(vg_tlp_rank("RED") > vg_tlp_rank("AMBER+STRICT"));
    assert_int_equal(vg_tlp_rank("WHITE"), -1);
}

static void intake_decisions(void **state)
{
    (void)state;
    struct vg_intake_decision d = vg_intake_decide("ose", NULL);
    assert_true(d.accepted && d.unverified && d.org_id == 0);
    d = vg_intake_decide("individual", NULL);
    assert_false(d.accepted);
    json_t *sme = json_pack("{s:I,s:s}", "id", (json_int_t)7, "kind", "sme");
    d = vg_intake_decide("ministry", sme);
    assert_false(d.accepted);
    json_t *min = json_pack("{s:I,s:s}", "id", (json_int_t)8, "kind", "ministry");
    d = vg_intake_decide("individual", min);
    assert_true(d.accepted && d.unverified && d.org_id == 8);
    json_decref(sme);
    json_decref(min);
}

static void incident_record(void **state)
{
    (void)state;
    struct vg_diag d;
    json_t *out = NULL;
    json_t *in = json_pack("{s:s,s:s,s:s,s:[{s:s}]}", "title", "t", "class", "fraud", "type",
                           "phishing", "observables", "value", "Evil.Example");
    assert_int_equal(vg_incident_check(in, VG_CHECK_CREATE, &out, &d), 0);
    assert_string_equal(json_string_value(json_object_get(out, "tlp")), "AMBER");
    json_t *o = json_array_get(json_object_get(out, "observables"), 0);
    assert_string_equal(json_string_value(json_object_get(o, "value")), "evil.example");
    json_decref(out);
    json_decref(in);
    in = json_pack("{s:s}", "status", "triage");
    assert_int_equal(vg_incident_check(in, VG_CHECK_CREATE, &out, &d), VG_EINVAL);
    assert_string_equal(d.field, "/status");
    assert_int_equal(vg_incident_check(in, VG_CHECK_PATCH, &out, &d), 0);
    assert_int_equal(json_object_size(out), 1);
    json_decref(out);
    json_decref(in);
    in = json_object();
    assert_int_equal(vg_incident_check(in, VG_CHECK_PATCH, &out, &d), VG_EINVAL);
    json_decref(in);
}

static void org_record(void **state)
{
    (void)state;
    struct vg_diag d;
    json_t *out = NULL;
    json_t *in = json_pack("{s:s,s:s,s:{s:[s]}}", "name", "n", "kind", "oiv", "assets", "cidrs",
                           "192.0.2.7/24");
    assert_int_equal(vg_org_check(in, VG_CHECK_CREATE, &out, &d), 0);
    assert_true(json_is_true(json_object_get(out, "eligible")));
    json_t *cidrs = json_object_get(json_object_get(out, "assets"), "cidrs");
    assert_string_equal(json_string_value(json_array_get(cidrs, 0)), "192.0.2.0/24");
    assert_string_equal(json_string_value(json_object_get(out, "sector")), "other");
    json_decref(out);
    json_decref(in);
    assert_true(vg_cpe23_shape_ok("cpe:2.3:a:vendor:product:1.0:*:*:*:*:*:*:*"));
    assert_true(vg_cpe23_shape_ok("cpe:2.3:a:ven\\:dor:product:1.0:*:*:*:*:*:*:*"));
    assert_false(vg_cpe23_shape_ok("cpe:2.3:a:vendor:product:1.0:*:*:*:*:*:*"));
    assert_false(vg_cpe23_shape_ok("cpe:/a:vendor:product:1.0"));
    assert_false(vg_cpe23_shape_ok("cpe:2.3:x:vendor:product:1.0:*:*:*:*:*:*:*"));
    char dom[64];
    assert_int_equal(vg_email_domain("A@Sub.Example.", dom, sizeof dom), 0);
    assert_string_equal(dom, "sub.example");
    assert_int_equal(vg_email_domain("nobody", dom, sizeof dom), -1);
}

static void playbooks(void **state)
{
    (void)state;
    for (size_t i = 0; i < vg_rsit_nclasses; i++) {
        json_t *steps = vg_playbook_default(vg_rsit_classes[i].name);
        assert_non_null(steps);
        struct vg_diag d;
        vg_diag_clear(&d);
        if (vg_playbook_validate(steps, &d) != 0)
            fail_msg("default playbook of %s: %s", vg_rsit_classes[i].name, d.message);
        json_decref(steps);
    }
    assert_null(vg_playbook_default("nope"));
    json_t *dup = json_pack("[{s:s,s:s,s:s},{s:s,s:s,s:s}]", "id", "a", "phase", "analysis",
                            "title", "x", "id", "a", "phase", "recovery", "title", "y");
    struct vg_diag d;
    assert_int_equal(vg_playbook_validate(dup, &d), VG_EINVAL);
    assert_non_null(strstr(d.message, "twice"));
    json_decref(dup);
    /* an incident's progress: the state kept, not done otherwise; the playbook untouched */
    json_t *pb =
        json_pack("[{s:s,s:s},{s:s,s:s}]", "id", "a", "title", "x", "id", "b", "title", "y");
    json_t *st = json_pack("{s:{s:b,s:s,s:s}}", "b", "done", 1, "done_by", "ann", "done_at",
                           "2026-01-01T00:00:00Z");
    json_t *pr = vg_playbook_progress(pb, st);
    assert_int_equal(json_array_size(pr), 2);
    json_t *a = json_array_get(pr, 0), *b = json_array_get(pr, 1);
    assert_true(json_is_false(json_object_get(a, "done")));
    assert_true(json_is_null(json_object_get(a, "done_by")));
    assert_true(json_is_null(json_object_get(a, "done_at")));
    assert_true(json_is_true(json_object_get(b, "done")));
    assert_string_equal(json_string_value(json_object_get(b, "done_by")), "ann");
    assert_string_equal(json_string_value(json_object_get(b, "title")), "y");
    assert_null(json_object_get(json_array_get(pb, 1), "done"));
    json_decref(pr);
    pr = vg_playbook_progress(pb, NULL);
    assert_true(json_is_false(json_object_get(json_array_get(pr, 1), "done")));
    json_decref(pr);
    pr = vg_playbook_progress(NULL, st);
    assert_int_equal(json_array_size(pr), 0);
    json_decref(pr);
    json_decref(st);
    json_decref(pb);
}

static void attribution(void **state)
{
    (void)state;
    json_t *orgs =
        json_pack("[{s:I,s:{s:[s,s],s:[s]}},{s:I,s:{s:[s],s:[s]}}]", "id", (json_int_t)1, "assets",
                  "cidrs", "10.0.0.0/8", "2001:db8::/32", "domains", "min.example", "id",
                  (json_int_t)2, "assets", "cidrs", "10.1.0.0/16", "domains", "dept.min.example");
    struct vg_attrib *a = vg_attrib_new(orgs);
    assert_non_null(a);
    assert_int_equal(vg_attrib_ip(a, "10.2.3.4"), 1);
    assert_int_equal(vg_attrib_ip(a, "10.1.3.4"), 2); /* the most specific CIDR */
    assert_int_equal(vg_attrib_ip(a, "11.0.0.1"), 0);
    assert_int_equal(vg_attrib_ip(a, "2001:db8::7"), 1);
    assert_int_equal(vg_attrib_ip(a, "not an ip"), 0);
    assert_int_equal(vg_attrib_host(a, "www.Min.Example."), 1);
    assert_int_equal(vg_attrib_host(a, "x.dept.min.example"), 2);
    assert_int_equal(vg_attrib_host(a, "notmin.example"), 0);
    vg_attrib_free(a);
    json_decref(orgs);
    vg_attrib_free(NULL);
}

static int count_all(void *ctx, long long inc, const char *matched)
{
    (void)inc;
    (void)matched;
    (*(size_t *)ctx)++;
    return 0;
}

struct seen {
    long long inc[16];
    char val[16][64];
    int n;
};

static int collect_seen(void *ctx, long long inc, const char *matched)
{
    struct seen *s = ctx;
    if (s->n < 16) {
        s->inc[s->n] = inc;
        snprintf(s->val[s->n], sizeof s->val[0], "%s", matched);
        s->n++;
    }
    return 0;
}

static void corr_add(struct vg_corr *c, long long inc, const char *v)
{
    struct vg_observable o;
    assert_int_equal(vg_observable_parse(vg_str_c(v), VG_OBS_UNKNOWN, &o, NULL), 0);
    assert_int_equal(vg_corr_add(c, inc, &o), 0);
}

static struct seen corr_find(struct vg_corr *c, long long self, const char *v)
{
    struct vg_observable o;
    struct seen s = {.n = 0};
    assert_int_equal(vg_observable_parse(vg_str_c(v), VG_OBS_UNKNOWN, &o, NULL), 0);
    vg_corr_lookup(c, &o, self, 1000, collect_seen, &s);
    return s;
}

static void correlation_index(void **state)
{
    (void)state;
    struct vg_corr *c = vg_corr_new();
    corr_add(c, 1, "evil.example");
    corr_add(c, 2, "a.b.evil.example");
    corr_add(c, 3, "notevil.example");
    corr_add(c, 4, "10.0.0.0/8");
    corr_add(c, 5, "10.1.2.3");
    corr_add(c, 6, "2001:db8::/32");
    corr_add(c, 7, "2001:db8::1");
    corr_add(c, 8, "d41d8cd98f00b204e9800998ecf8427e");
    corr_add(c, 9, "D41D8CD98F00B204E9800998ECF8427E");
    corr_add(c, 10, "0.0.0.0/0");
    struct seen s = corr_find(c, 1, "evil.example");
    assert_int_equal(s.n, 1);
    assert_int_equal(s.inc[0], 2);
    assert_string_equal(s.val[0], "a.b.evil.example");
    s = corr_find(c, 2, "a.b.evil.example");
    assert_int_equal(s.n, 1);
    assert_string_equal(s.val[0], "evil.example");
    assert_int_equal(corr_find(c, 3, "notevil.example").n, 0);
    s = corr_find(c, 5, "10.1.2.3");
    assert_int_equal(s.n, 2); /* 0.0.0.0/0 and 10.0.0.0/8 */
    assert_string_equal(s.val[0], "0.0.0.0/0");
    assert_string_equal(s.val[1], "10.0.0.0/8");
    s = corr_find(c, 4, "10.0.0.0/8");
    assert_int_equal(s.n, 2); /* inside: 10.1.2.3; around: 0.0.0.0/0 */
    s = corr_find(c, 7, "2001:db8::1");
    assert_int_equal(s.n, 1);
    assert_string_equal(s.val[0], "2001:db8::/32");
    assert_int_equal(corr_find(c, 8, "d41d8cd98f00b204e9800998ecf8427e").inc[0], 9);
    /* many more, to pass the tail merge and the table growth */
    char v[64];
    for (int i = 0; i < 20000; i++) {
        snprintf(v, sizeof v, "10.9.%d.%d", i / 250, i % 250 + 1);
        corr_add(c, 100 + i, v);
        snprintf(v, sizeof v, "h%d.many.example", i);
        corr_add(c, 100 + i, v);
    }
    corr_add(c, 50000, "10.9.3.0/24");
    s = corr_find(c, 50000, "10.9.3.0/24");
    assert_int_equal(s.n, 16); /* capped by the collector, 250 inside + 2 around exist */
    struct vg_observable o;
    vg_observable_parse(VG_STR("10.9.3.0/24"), VG_OBS_UNKNOWN, &o, NULL);
    size_t total = 0;
    vg_corr_lookup(c, &o, 50000, 1000, count_all, &total);
    assert_int_equal(total, 252);
    vg_observable_parse(VG_STR("many.example"), VG_OBS_UNKNOWN, &o, NULL);
    total = 0;
    vg_corr_lookup(c, &o, 0, 1000, count_all, &total);
    assert_int_equal(total, 1000); /* the cap per relation */
    assert_true(vg_corr_count(c) == 40011);
    vg_corr_free(c);
}

/* The first and last addresses of a network are inside it, the ones just around are not: in
 * the sorted part of the index (merged past TAIL_MAX) and in its unsorted tail alike. */
static void correlation_cidr_bounds(void **state)
{
    (void)state;
    struct vg_corr *c = vg_corr_new();
    char v[64];
    corr_add(c, 2, "10.20.7.0");
    corr_add(c, 3, "10.20.7.255");
    corr_add(c, 4, "10.20.8.0");
    corr_add(c, 5, "10.20.6.255");
    corr_add(c, 6, "2001:db8:7::ffff:ffff:ffff:ffff");
    corr_add(c, 7, "2001:db8:7:1::");
    /* past TAIL_MAX, the load merges the tail: the ones above are in the sorted part */
    for (int i = 0; i < 5000; i++) {
        snprintf(v, sizeof v, "172.16.%d.%d", i / 250, i % 250 + 1);
        corr_add(c, 100 + i, v);
    }
    /* the sorted part */
    struct seen s = corr_find(c, 1, "10.20.7.0/24");
    assert_int_equal(s.n, 2);
    assert_true(s.inc[0] + s.inc[1] == 5 && s.inc[0] * s.inc[1] == 6);
    s = corr_find(c, 1, "2001:db8:7::/64");
    assert_int_equal(s.n, 1);
    assert_int_equal(s.inc[0], 6);
    /* added after the merge: the tail */
    corr_add(c, 8, "10.30.0.0");
    corr_add(c, 9, "10.30.0.255");
    corr_add(c, 10, "10.30.1.0");
    corr_add(c, 11, "2001:db8:8::ffff:ffff:ffff:ffff");
    corr_add(c, 12, "2001:db8:8:1::");
    s = corr_find(c, 1, "10.30.0.0/24");
    assert_int_equal(s.n, 2);
    assert_true(s.inc[0] + s.inc[1] == 17 && s.inc[0] * s.inc[1] == 72);
    s = corr_find(c, 1, "2001:db8:8::/64");
    assert_int_equal(s.n, 1);
    assert_int_equal(s.inc[0], 11);
    vg_corr_free(c);
}

/* A query ranks the related incidents by distinct observables of the queried one they share,
 * then newest first; each pair once, by value then matched; the queried incident left out. */
static void correlation_query(void **state)
{
    (void)state;
    struct vg_corr *c = vg_corr_new();
    corr_add(c, 1, "evil.example");   /* queried */
    corr_add(c, 1, "10.1.2.3");       /* queried */
    corr_add(c, 2, "x.evil.example"); /* 2 shares one observable, twice */
    corr_add(c, 2, "y.evil.example");
    corr_add(c, 3, "10.0.0.0/8"); /* 3 shares two */
    corr_add(c, 3, "evil.example");
    corr_add(c, 4, "10.1.2.3"); /* 4 shares one, newer than 2 */
    corr_add(c, 5, "other.example");
    struct vg_corr_query q;
    vg_corr_query_init(&q, c, 1, 1000);
    struct vg_observable o;
    const char *mine[] = {"evil.example", "10.1.2.3", "evil.example"}; /* one twice */
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(vg_observable_parse(vg_str_c(mine[i]), VG_OBS_UNKNOWN, &o, NULL), 0);
        assert_int_equal(vg_corr_query_add(&q, &o), 0);
    }
    assert_int_equal(vg_corr_query_rank(&q), 0);
    assert_int_equal(q.ngroups, 3);
    assert_int_equal(q.groups[0].incident, 3);
    assert_int_equal(q.groups[0].distinct, 2);
    assert_int_equal(q.groups[0].count, 2);
    assert_int_equal(q.groups[1].incident, 4);
    assert_int_equal(q.groups[1].distinct, 1);
    assert_int_equal(q.groups[2].incident, 2);
    assert_int_equal(q.groups[2].distinct, 1);
    assert_int_equal(q.groups[2].count, 2);
    const struct vg_corr_pair *p = q.pairs + q.groups[0].first;
    assert_string_equal(p[0].value, "10.1.2.3");
    assert_string_equal(p[0].type, "ipv4-addr");
    assert_string_equal(p[0].matched, "10.0.0.0/8");
    assert_string_equal(p[1].value, "evil.example");
    assert_string_equal(p[1].matched, "evil.example");
    p = q.pairs + q.groups[2].first;
    assert_string_equal(p[0].matched, "x.evil.example");
    assert_string_equal(p[1].matched, "y.evil.example");
    assert_int_equal(q.npairs, 5);
    /* the text outlives the query */
    char *text = vg_corr_query_steal_text(&q);
    const char *kept = q.pairs[0].value;
    vg_corr_query_cleanup(&q);
    assert_non_null(text);
    assert_true(kept >= text);
    free(text);
    /* nothing related */
    vg_corr_query_init(&q, c, 5, 1000);
    assert_int_equal(vg_observable_parse(VG_STR("other.example"), VG_OBS_UNKNOWN, &o, NULL), 0);
    assert_int_equal(vg_corr_query_add(&q, &o), 0);
    assert_int_equal(vg_corr_query_rank(&q), 0);
    assert_int_equal(q.ngroups, 0);
    vg_corr_query_cleanup(&q);
    vg_corr_free(c);
}

/* A patch may move the status where the lifecycle allows and must leave an RSIT pair. */
static void incident_patch_rules(void **state)
{
    (void)state;
    struct vg_diag d;
    json_t *cur = json_pack("{s:s,s:s,s:s}", "status", "new", "class", "fraud", "type", "phishing");
    json_t *p = json_pack("{s:s}", "status", "triage");
    assert_int_equal(vg_incident_patch_check(cur, p, &d), 0);
    json_decref(p);
    p = json_pack("{s:s}", "status", "closed");
    assert_int_equal(vg_incident_patch_check(cur, p, &d), VG_ECONFLICT);
    assert_string_equal(d.field, "/status");
    json_decref(p);
    p = json_pack("{s:s}", "type", "infected-system"); /* not a fraud type */
    assert_int_equal(vg_incident_patch_check(cur, p, &d), VG_EINVAL);
    assert_string_equal(d.field, "/type");
    assert_string_equal(d.message, "/type 'infected-system' is not an RSIT type of class 'fraud'");
    json_decref(p);
    p = json_pack("{s:s}", "class", "malicious-code"); /* phishing is not of that class */
    assert_int_equal(vg_incident_patch_check(cur, p, &d), VG_EINVAL);
    json_decref(p);
    p = json_pack("{s:s,s:s}", "class", "malicious-code", "type", "infected-system");
    assert_int_equal(vg_incident_patch_check(cur, p, &d), 0);
    json_decref(p);
    p = json_pack("{s:s}", "title", "x");
    assert_int_equal(vg_incident_patch_check(cur, p, &d), 0);
    json_decref(p);
    json_decref(cur);
}

/* A new indicator gets the defaults; a re-import replaces what it gives and widens the time
 * seen; one that changes nothing gives back an equal record. */
static void indicator_merge_rules(void **state)
{
    (void)state;
    json_t *given = json_pack("{s:s,s:s,s:s}", "type", "domain-name", "value", "evil.example",
                              "last_seen", "2026-01-02T00:00:00Z");
    json_t *n = vg_indicator_merge(NULL, given);
    assert_string_equal(json_string_value(json_object_get(n, "tlp")), "AMBER");
    assert_string_equal(json_string_value(json_object_get(n, "source")), "");
    assert_int_equal(json_integer_value(json_object_get(n, "confidence")), 50);
    assert_int_equal(json_array_size(json_object_get(n, "tags")), 0);
    assert_true(json_is_array(json_object_get(n, "tags")));
    assert_true(json_is_null(json_object_get(n, "first_seen")));
    assert_string_equal(json_string_value(json_object_get(n, "last_seen")), "2026-01-02T00:00:00Z");
    assert_true(json_is_null(json_object_get(n, "expires")));
    json_decref(n);
    json_decref(given);
    json_t *cur =
        json_pack("{s:I,s:s,s:s,s:s,s:s,s:I,s:[s],s:s,s:s,s:n}", "id", (json_int_t)4, "type",
                  "domain-name", "value", "evil.example", "tlp", "GREEN", "source", "feed",
                  "confidence", (json_int_t)70, "tags", "c2", "first_seen", "2026-01-05T00:00:00Z",
                  "last_seen", "2026-01-06T00:00:00Z", "expires");
    given = json_pack("{s:s,s:s,s:s,s:s,s:[]}", "type", "domain-name", "value", "evil.example",
                      "first_seen", "2026-01-01T00:00:00Z", "last_seen", "2026-01-03T00:00:00Z",
                      "tags");
    n = vg_indicator_merge(cur, given);
    assert_int_equal(json_integer_value(json_object_get(n, "id")), 4);
    assert_string_equal(json_string_value(json_object_get(n, "tlp")), "GREEN");
    assert_int_equal(json_integer_value(json_object_get(n, "confidence")), 70);
    assert_int_equal(json_array_size(json_object_get(n, "tags")), 0); /* given: replaced */
    assert_string_equal(json_string_value(json_object_get(n, "first_seen")),
                        "2026-01-01T00:00:00Z"); /* earlier */
    assert_string_equal(json_string_value(json_object_get(n, "last_seen")),
                        "2026-01-06T00:00:00Z"); /* the stored one is later */
    assert_false(json_equal(n, cur));
    json_decref(n);
    json_decref(given);
    /* the same again: unchanged */
    given =
        json_pack("{s:s,s:s,s:s}", "type", "domain-name", "value", "evil.example", "tlp", "GREEN");
    n = vg_indicator_merge(cur, given);
    assert_true(json_equal(n, cur));
    json_decref(n);
    json_decref(given);
    given = json_pack("{s:s,s:s,s:s,s:I}", "type", "domain-name", "value", "evil.example",
                      "expires", "2027-01-01T00:00:00Z", "confidence", (json_int_t)10);
    n = vg_indicator_merge(cur, given);
    assert_string_equal(json_string_value(json_object_get(n, "expires")), "2027-01-01T00:00:00Z");
    assert_int_equal(json_integer_value(json_object_get(n, "confidence")), 10);
    json_decref(n);
    json_decref(given);
    json_decref(cur);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(observable_detection),
        cmocka_unit_test(observable_rejects),
        cmocka_unit_test(observable_keys),
        cmocka_unit_test(hostname_rules),
        cmocka_unit_test(lifecycle_table),
        cmocka_unit_test(rsit_and_model),
        cmocka_unit_test(intake_decisions),
        cmocka_unit_test(incident_record),
        cmocka_unit_test(org_record),
        cmocka_unit_test(playbooks),
        cmocka_unit_test(attribution),
        cmocka_unit_test(correlation_index),
        cmocka_unit_test(lifecycle_check_move),
        cmocka_unit_test(reference_format),
        cmocka_unit_test(timeline_diff),
        cmocka_unit_test(incident_new_record),
        cmocka_unit_test(escalation_rules),
        cmocka_unit_test(correlation_query),
        cmocka_unit_test(incident_patch_rules),
        cmocka_unit_test(indicator_merge_rules),
        cmocka_unit_test(correlation_cidr_bounds),
    };
    return cmocka_run_group_tests_name("core", tests, NULL, NULL);
}
