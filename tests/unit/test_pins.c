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

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PIN_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define PIN_ASAN 1
#endif
#ifdef PIN_ASAN
/* <sanitizer/allocator_interface.h>, which gcc's packages do not ship */
size_t __sanitizer_get_current_allocated_bytes(void);
#else
#include <malloc.h>
#endif

#include <jansson.h>

#include "core/attrib.h"
#include "core/corr.h"
#include "core/escalate.h"
#include "core/incident.h"
#include "core/indicator.h"
#include "core/intake.h"
#include "core/lifecycle.h"
#include "core/model.h"
#include "core/observable.h"
#include "core/partner.h"
#include "core/playbook.h"
#include "core/product.h"
#include "core/record.h"
#include "core/reference.h"
#include "core/timeline.h"
#include "core/url.h"
#include "util/buf.h"
#include "util/limits.h"
#include "vuln/cpe.h"
#include "vuln/version.h"

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
    assert_true(d.unverified); /* a candidate organisation, not a verified one */
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
    static const char *const five[] = {"ab", "cd", "ef", "gh", "ij", NULL};
    char wide[32];
    memset(wide, 'z', sizeof wide);
    vg_names_join(five, wide, 10); /* stops at the cut: nothing written past cap */
    assert_string_equal(wide, "ab, cd, e");
    for (size_t i = 10; i < sizeof wide; i++)
        assert_int_equal(wide[i], 'z');
    static const char *const no_names[] = {NULL};
    vg_names_join(no_names, out, sizeof out);
    assert_string_equal(out, "");
    assert_int_equal(vg_tlp_rank("CLEAR"), 0);
    assert_int_equal(vg_tlp_rank("RED"), 4);
    assert_int_equal(vg_tlp_rank("WHITE"), -1);
    assert_int_equal(vg_name_index(vg_tlp_names, NULL), -1);
    /* the vocabularies, in their order */
    static const char *const tlp[] = {"CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"};
    static const char *const pap[] = {"CLEAR", "GREEN", "AMBER", "RED"};
    for (int i = 0; i < 5; i++)
        assert_int_equal(vg_tlp_rank(tlp[i]), i);
    for (int i = 0; i < 4; i++)
        assert_int_equal(vg_name_index(vg_pap_names, pap[i]), i);
    assert_null(vg_tlp_names[5]);
    assert_null(vg_pap_names[4]);
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

/* Parses in as type (VG_OBS_UNKNOWN: detected); 0 and the normal form in out, or the code. */
static int obs(const char *in, enum vg_obs_type type, struct vg_observable *o)
{
    struct vg_diag d;
    vg_diag_clear(&d);
    return vg_observable_parse(vg_str_c(in), type, o, &d);
}

static void expect_obs(const char *in, const char *type, const char *norm)
{
    struct vg_observable o;
    int rc = obs(in, VG_OBS_UNKNOWN, &o);
    if (rc != 0)
        fail_msg("%s: refused (%d)", in, rc);
    if (strcmp(vg_obs_type_name(o.type), type) != 0 || strcmp(o.value, norm) != 0)
        fail_msg("%s: %s %s, expected %s %s", in, vg_obs_type_name(o.type), o.value, type, norm);
}

static void expect_refused(const char *in, enum vg_obs_type type)
{
    struct vg_observable o;
    if (obs(in, type, &o) == 0)
        fail_msg("%s: accepted as %s %s", in, vg_obs_type_name(o.type), o.value);
}

/* Host names: 1-253 bytes (a final dot apart), labels of 1-63 bytes, two labels at least, the
 * last one with a letter; letters, digits, '-' and '_' only. */
static void pin_hostname_bounds(void **state)
{
    (void)state;
    char h[300];
    /* 63 + 1 + 63 + 1 + 63 + 1 + 61 = 253 */
    memset(h, 'a', sizeof h);
    h[63] = h[127] = h[191] = '.';
    h[253] = '\0';
    assert_true(vg_hostname_valid(h, 253));
    h[253] = '.';
    assert_true(vg_hostname_valid(h, 254)); /* the final dot does not count */
    h[253] = 'a';
    assert_false(vg_hostname_valid(h, 254));
    memset(h, 'b', 63);
    memcpy(h + 63, ".example", 9);
    assert_true(vg_hostname_valid(h, strlen(h)));
    memset(h, 'b', 64);
    memcpy(h + 64, ".example", 9);
    assert_false(vg_hostname_valid(h, strlen(h)));
    assert_true(vg_hostname_valid("a.io", 4));
    assert_true(vg_hostname_valid("x_1-2.example", 13));
    assert_true(vg_hostname_valid("1.2.3.example9", 14));
    assert_false(vg_hostname_valid("example", 7));
    assert_false(vg_hostname_valid("a..example", 10));
    assert_false(vg_hostname_valid(".example.org", 12));
    assert_false(vg_hostname_valid("example.123", 11));
    assert_false(vg_hostname_valid("a.b c.org", 9));
    assert_false(vg_hostname_valid("a.b+c.org", 9));
    assert_false(vg_hostname_valid("", 0));
    assert_false(vg_hostname_valid(".", 1));
    expect_obs("Evil.Example.", "domain-name", "evil.example");
    struct vg_observable o;
    assert_int_equal(obs("a.b.example", VG_OBS_DOMAIN, &o), 0);
    assert_string_equal(o.rdomain, "example.b.a");
    char out[8];
    vg_domain_reverse("ab.cd.ef", out, sizeof out); /* "ef.cd.ab" cut to 7 bytes */
    assert_string_equal(out, "ef.cd.a");
    vg_domain_reverse("ab.cd", out, 1);
    assert_string_equal(out, "");
}

/* Addresses and CIDRs: prefixes /0 to /32 and /0 to /128, the network address kept, the full
 * prefix written without its length. */
static void pin_ip_prefixes(void **state)
{
    (void)state;
    expect_obs("10.1.2.3", "ipv4-addr", "10.1.2.3");
    expect_obs("10.1.2.3/32", "ipv4-addr", "10.1.2.3");
    expect_obs("10.1.3.255/23", "ipv4-addr", "10.1.2.0/23");
    expect_obs("10.1.2.3/31", "ipv4-addr", "10.1.2.2/31");
    expect_obs("10.1.2.3/25", "ipv4-addr", "10.1.2.0/25");
    expect_obs("10.1.2.129/25", "ipv4-addr", "10.1.2.128/25");
    expect_obs("200.1.2.3/1", "ipv4-addr", "128.0.0.0/1");
    expect_obs("200.1.2.3/0", "ipv4-addr", "0.0.0.0/0");
    expect_obs("2001:db8::1/128", "ipv6-addr", "2001:db8::1");
    expect_obs("2001:db8:ffff::1/33", "ipv6-addr", "2001:db8:8000::/33");
    expect_obs("2001:db8::1/0", "ipv6-addr", "::/0");
    expect_refused("10.1.2.3/33", VG_OBS_UNKNOWN);
    expect_refused("2001:db8::1/129", VG_OBS_UNKNOWN);
    expect_refused("10.1.2.3/", VG_OBS_UNKNOWN);
    expect_refused("2001:db8::1", VG_OBS_IPV4);
    expect_refused("10.1.2.3", VG_OBS_IPV6);
    expect_refused("a.example", VG_OBS_IPV4);
    struct vg_observable o;
    assert_int_equal(obs("10.1.2.3/24", VG_OBS_IPV4, &o), 0);
    assert_true(o.has_ip);
    assert_int_equal(o.prefix, 96 + 24);
    unsigned char last[16];
    vg_ip_last(o.ip, o.prefix, last);
    assert_int_equal(last[12], 10);
    assert_int_equal(last[14], 2);
    assert_int_equal(last[15], 255);
    assert_int_equal(last[10], 0xff);
    assert_int_equal(obs("10.1.2.3/23", VG_OBS_IPV4, &o), 0);
    vg_ip_last(o.ip, o.prefix, last);
    assert_int_equal(last[14], 3);
    assert_int_equal(last[15], 255);
}

/* URLs: scheme and host lowered, the default port dropped for its own scheme only, ports up to
 * 65535, user info and fragment dropped, "/" for an empty path. */
static void pin_url_forms(void **state)
{
    (void)state;
    expect_obs("HTTP://Evil.Example:80/A?b#c", "url", "http://evil.example/A?b");
    expect_obs("https://evil.example:443", "url", "https://evil.example/");
    expect_obs("http://evil.example:443/", "url", "http://evil.example:443/");
    expect_obs("ftp://evil.example:80/", "url", "ftp://evil.example:80/");
    expect_obs("https://evil.example:80/", "url", "https://evil.example:80/");
    expect_obs("http://evil.example:65535/", "url", "http://evil.example:65535/");
    expect_obs("http://evil.example:/x", "url", "http://evil.example/x");
    expect_obs("http://user:pw@evil.example./x", "url", "http://evil.example/x");
    expect_obs("http://x[y./p", "url", "http://x[y/p"); /* the final dot of any host */
    expect_obs("http://[2001:DB8::1]:8080/", "url", "http://[2001:db8::1]:8080/");
    expect_obs("s3+x.y-z://h?q", "url", "s3+x.y-z://h/?q");
    expect_refused("http://evil.example:65536/", VG_OBS_URL);
    expect_refused("://evil.example/", VG_OBS_URL);
    expect_refused("1http://evil.example/", VG_OBS_URL);
    expect_refused("ht_tp://evil.example/", VG_OBS_URL);
    expect_refused("ht:tp://evil.example/", VG_OBS_URL); /* the scheme ends at "://" only */
    expect_refused("a:bcd://h/x", VG_OBS_URL);           /* not scheme "a", host "d" */
    expect_refused("http:///x", VG_OBS_URL);
    expect_refused("http://[2001:db8::1/", VG_OBS_URL);
    expect_refused("http://[2001:db8::1]x/", VG_OBS_URL);
    expect_refused("http://[zz]/", VG_OBS_URL);
    expect_refused("http://a b/", VG_OBS_URL);
    char out[24];
    struct vg_diag d;
    /* need = scheme + 3 + host + 7 + 1 + rest + 1 = 4 + 3 + 1 + 7 + 1 + 3 + 1 = 20 */
    assert_int_equal(vg_url_normalize(vg_str_c("http://h/ab"), out, 20, &d), 0);
    assert_string_equal(out, "http://h/ab");
    assert_int_equal(vg_url_normalize(vg_str_c("http://h/ab"), out, 19, &d), VG_ETOOBIG);
}

/* Hashes by their length (32, 40, 64 hexadecimal digits), lowered; e-mail addresses. */
static void pin_hashes_and_emails(void **state)
{
    (void)state;
    char h[65];
    memset(h, 'A', 64);
    h[64] = '\0';
    char low[65];
    memset(low, 'a', 64);
    low[64] = '\0';
    expect_obs(h, "sha256", low);
    h[40] = low[40] = '\0';
    expect_obs(h, "sha1", low);
    h[32] = low[32] = '\0';
    expect_obs(h, "md5", low);
    struct vg_observable o;
    h[31] = '\0';
    assert_int_not_equal(obs(h, VG_OBS_MD5, &o), 0);
    h[31] = 'A';
    assert_int_equal(obs(h, VG_OBS_MD5, &o), 0);
    assert_int_not_equal(obs(h, VG_OBS_SHA1, &o), 0);
    h[5] = 'g';
    assert_int_not_equal(obs(h, VG_OBS_MD5, &o), 0);
    expect_obs("Bob@Evil.Example.", "email-addr", "bob@evil.example");
    expect_refused("a@b@evil.example", VG_OBS_EMAIL); /* one '@' (issue 11 item 15) */
    expect_obs("a:/b@evil.example", "email-addr", "a:/b@evil.example"); /* ":/" is no "://" */
    expect_refused("@evil.example", VG_OBS_EMAIL);
    expect_refused("bob@evil", VG_OBS_EMAIL);
    expect_refused("b ob@evil.example", VG_OBS_EMAIL);
    expect_refused("", VG_OBS_UNKNOWN);
    expect_refused("what is this", VG_OBS_UNKNOWN);
    char big[VG_MAX_OBSERVABLE + 2];
    memset(big, 'a', sizeof big);
    memcpy(big + VG_MAX_OBSERVABLE - 8, ".example", 9); /* VG_MAX_OBSERVABLE bytes */
    assert_int_not_equal(obs(big, VG_OBS_DOMAIN, &o), VG_ETOOBIG);
    big[VG_MAX_OBSERVABLE - 8] = 'a';
    memcpy(big + VG_MAX_OBSERVABLE - 7, ".example", 9); /* one more */
    assert_int_equal(obs(big, VG_OBS_DOMAIN, &o), VG_ETOOBIG);
    assert_string_equal(vg_obs_type_name(VG_OBS_SHA256), "sha256");
    assert_null(vg_obs_type_name(VG_OBS_UNKNOWN));
    assert_int_equal(vg_obs_type_parse("ipv4-addr"), VG_OBS_IPV4);
    assert_int_equal(vg_obs_type_parse("sha256"), VG_OBS_SHA256);
    assert_int_equal(vg_obs_type_parse("nope"), VG_OBS_UNKNOWN);
    assert_int_equal(vg_obs_type_parse(NULL), VG_OBS_UNKNOWN);
}

/* The incidents vg_corr_lookup names for one observable (self 1, cap 50). */
struct found {
    long long inc[64];
    size_t n;
    char last[VG_MAX_OBSERVABLE + 1]; /* the last related value named */
};

static int found_one(void *ctx, long long inc, const char *matched)
{
    struct found *f = ctx;
    (void)matched;
    if (f->n < 64)
        f->inc[f->n++] = inc;
    snprintf(f->last, sizeof f->last, "%s", matched);
    return 0;
}

static struct found lookup(struct vg_corr *c, const char *value)
{
    struct vg_observable o;
    struct found f = {{0}, 0, ""};
    assert_int_equal(obs(value, VG_OBS_UNKNOWN, &o), 0);
    vg_corr_lookup(c, &o, 1, 50, found_one, &f);
    return f;
}

static void add(struct vg_corr *c, long long inc, const char *value)
{
    struct vg_observable o;
    assert_int_equal(obs(value, VG_OBS_UNKNOWN, &o), 0);
    assert_int_equal(vg_corr_add(c, inc, &o), 0);
}

/* A network whose address does not end on a zero byte (/25 at .128): an address one byte
 * below it is outside, in the sorted part as in the tail (a 15-byte compare would take it). */
static void pin_corr_last_byte(void **state)
{
    (void)state;
    for (int sorted = 0; sorted < 2; sorted++) {
        struct vg_corr *c = vg_corr_new();
        add(c, 2, "10.9.0.5");
        add(c, 3, "10.9.0.200");
        add(c, 4, "10.9.0.127");
        add(c, 5, "10.9.0.128");
        for (int i = 0; sorted && i < 5000; i++) {
            char v[32];
            snprintf(v, sizeof v, "172.17.%d.%d", i / 250, i % 250 + 1);
            add(c, 100 + i, v);
        }
        struct found f = lookup(c, "10.9.0.128/25");
        assert_int_equal(f.n, 2);
        assert_true((f.inc[0] == 3 && f.inc[1] == 5) || (f.inc[0] == 5 && f.inc[1] == 3));
        f = lookup(c, "10.9.0.0/25");
        assert_int_equal(f.n, 2);
        assert_true((f.inc[0] == 2 && f.inc[1] == 4) || (f.inc[0] == 4 && f.inc[1] == 2));
        vg_corr_free(c);
    }
}

/* Ranking: more distinct shared observables first, then the newest (highest id) incident; the
 * same pair found twice counts once, two pairs of one observable count as one distinct. */
static void pin_corr_rank(void **state)
{
    (void)state;
    struct vg_corr *c = vg_corr_new();
    add(c, 2, "a.example");
    add(c, 3, "a.example");
    add(c, 4, "a.example");
    add(c, 4, "192.0.2.7");
    add(c, 5, "192.0.2.7");
    add(c, 5, "192.0.2.0/24");
    add(c, 6, "b.example");
    struct vg_corr_query q;
    vg_corr_query_init(&q, c, 1, 50);
    struct vg_observable o;
    assert_int_equal(obs("a.example", VG_OBS_UNKNOWN, &o), 0);
    assert_int_equal(vg_corr_query_add(&q, &o), 0);
    assert_int_equal(vg_corr_query_add(&q, &o), 0); /* the same twice: pairs once */
    assert_int_equal(obs("192.0.2.7", VG_OBS_UNKNOWN, &o), 0);
    assert_int_equal(vg_corr_query_add(&q, &o), 0);
    assert_int_equal(vg_corr_query_rank(&q), 0);
    assert_int_equal(q.ngroups, 4);
    static const long long order[] = {4, 5, 3, 2};
    static const size_t distinct[] = {2, 1, 1, 1}, count[] = {2, 2, 1, 1};
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(q.groups[i].incident, order[i]);
        assert_int_equal(q.groups[i].distinct, distinct[i]);
        assert_int_equal(q.groups[i].count, count[i]);
        const struct vg_corr_pair *p = &q.pairs[q.groups[i].first];
        assert_int_equal(p->incident, order[i]);
    }
    assert_int_equal(q.npairs, 6);
    vg_corr_query_cleanup(&q);
    vg_corr_free(c);
}

/* Attribution: the most specific network wins; between organisations that declare the same
 * network or domain, the lower id, whatever the order they are listed in; hosts by their
 * longest declared suffix, case and a final dot ignored. */
static void pin_attrib_ties(void **state)
{
    (void)state;
    json_t *orgs =
        json_pack("[{s:i,s:{s:[s,s],s:[s]}},{s:i,s:{s:[s,s],s:[s,s]}},{s:i,s:{s:[s],s:[s,s]}}]",
                  "id", 2, "assets", "cidrs", "10.0.0.0/8", "10.1.0.0/16", "domains", "example.org",
                  "id", 1, "assets", "cidrs", "10.0.0.0/8", "10.2.0.0/16", "domains", "example.org",
                  "b.example.org", "id", 3, "assets", "cidrs", "10.2.3.4", "domains",
                  "c.b.example.org", "x");
    struct vg_attrib *a = vg_attrib_new(orgs);
    assert_non_null(a);
    assert_int_equal(vg_attrib_ip(a, "10.9.9.9"), 1);
    assert_int_equal(vg_attrib_ip(a, "10.1.0.0"), 2);
    assert_int_equal(vg_attrib_ip(a, "10.1.255.255"), 2);
    assert_int_equal(vg_attrib_ip(a, "10.2.3.4"), 3);
    assert_int_equal(vg_attrib_ip(a, "10.2.3.5"), 1);
    assert_int_equal(vg_attrib_ip(a, "11.0.0.0"), 0);
    assert_int_equal(vg_attrib_ip(a, "9.255.255.255"), 0);
    assert_int_equal(vg_attrib_ip(a, "10.1.0.0/15"), 1);
    assert_int_equal(vg_attrib_ip(a, "not an address"), 0);
    assert_int_equal(vg_attrib_host(a, "www.Example.ORG."), 1);
    assert_int_equal(vg_attrib_host(a, "x.b.example.org"), 1);
    assert_int_equal(vg_attrib_host(a, "x.c.b.example.org"), 3);
    assert_int_equal(vg_attrib_host(a, "example.org"), 1);
    assert_int_equal(vg_attrib_host(a, "example.com"), 0);
    assert_int_equal(vg_attrib_host(a, "xexample.org"), 0);
    assert_int_equal(vg_attrib_host(a, ""), 0);
    assert_int_equal(vg_attrib_host(a, "X."), 3); /* one byte */
    assert_int_equal(vg_attrib_host(a, NULL), 0);
    char h[300];
    memset(h, 'a', sizeof h);
    memcpy(h + 254 - 12, ".example.org", 13); /* 254 bytes: one past a host name */
    assert_int_equal(vg_attrib_host(a, h), 1);
    memcpy(h + 255 - 12, ".example.org", 13);
    assert_int_equal(vg_attrib_host(a, h), 0);
    vg_attrib_free(a);
    json_decref(orgs);
    /* the binary search lands on the second of two "dup.org" (index 2 of 5): the first wins */
    orgs =
        json_pack("[{s:i,s:{s:[s,s,s]}},{s:i,s:{s:[s,s]}}]", "id", 2, "assets", "domains",
                  "dup.org", "z1.org", "z2.org", "id", 1, "assets", "domains", "dup.org", "a.org");
    a = vg_attrib_new(orgs);
    assert_int_equal(vg_attrib_host(a, "www.dup.org"), 1);
    assert_int_equal(vg_attrib_host(a, "z2.org"), 2);
    assert_int_equal(vg_attrib_host(a, "a.org"), 1);
    vg_attrib_free(a);
    json_decref(orgs);
}

static int vcmp(const char *a, const char *b)
{
    return vg_version_cmp(vg_str_c(a), vg_str_c(b));
}

/* The version order of docs/VERSIONS.md as one strictly increasing chain, every pair compared
 * both ways (-1, 1 exactly), and the spellings that are the same version. */
static void pin_version_order(void **state)
{
    (void)state;
    static const char *const chain[] = {
        "0.9",     "1.0-dev",   "1.0a1", "1.0alpha2", "1.0b1",  "1.0-beta2", "1.0-m1",
        "1.0-rc1", "1.0-rc2",   "1.0",   "1.0+b1",    "1.0+b2", "1.0-foo",   "1.0a",
        "1.0b",    "1.0p1",     "1.0p2", "1.0-post1", "1.0.1",  "1.0.2",     "1.0.10",
        "1.1",     "1.1.0.0.1", "2",     "10",        NULL,
    };
    for (int i = 0; chain[i]; i++) {
        assert_int_equal(vcmp(chain[i], chain[i]), 0);
        for (int j = i + 1; chain[j]; j++) {
            if (vcmp(chain[i], chain[j]) != -1 || vcmp(chain[j], chain[i]) != 1)
                fail_msg("%s < %s: got %d, %d", chain[i], chain[j], vcmp(chain[i], chain[j]),
                         vcmp(chain[j], chain[i]));
        }
    }
    static const char *const same[][2] = {
        {"1.0", "1.0.0"},           {"1.0", "v1.0"},
        {"1.0", "V1.0.0"},          {"1.0", "1.0-final"},
        {"1.0", "1.0.GA"},          {"1.0a1", "1.0alpha1"},
        {"1.0-rc1", "1.0-CR1"},     {"01.2", "1.2"},
        {"1.0-dev", "1.0-nightly"}, {"v1", "1"},
        {"1.0-Beta1", "1.0b1"},     {"", ""},
    };
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++)
        if (vcmp(same[i][0], same[i][1]) != 0)
            fail_msg("%s == %s: got %d", same[i][0], same[i][1], vcmp(same[i][0], same[i][1]));
    assert_int_equal(vcmp("v", "1"), -1); /* a lone "v" is a word, no number */
}

/* Range ends: Including holds the bound itself, Excluding does not; an absent bound holds all. */
static void pin_version_range_ends(void **state)
{
    (void)state;
    struct vg_version_range r = {vg_str_c("1.2"), vg_str_c("1.4"), true, false};
    assert_false(vg_version_in_range(vg_str_c("1.1.9"), &r));
    assert_true(vg_version_in_range(vg_str_c("1.2"), &r));
    assert_true(vg_version_in_range(vg_str_c("1.2.0"), &r));
    assert_true(vg_version_in_range(vg_str_c("1.3.99"), &r));
    assert_false(vg_version_in_range(vg_str_c("1.4"), &r));
    assert_false(vg_version_in_range(vg_str_c("1.4.1"), &r));
    r.start_incl = false;
    r.end_incl = true;
    assert_false(vg_version_in_range(vg_str_c("1.2"), &r));
    assert_true(vg_version_in_range(vg_str_c("1.2.1"), &r));
    assert_true(vg_version_in_range(vg_str_c("1.4"), &r));
    assert_false(vg_version_in_range(vg_str_c("1.4.0.1"), &r));
    struct vg_version_range open_start = {{NULL, 0}, vg_str_c("2"), false, true};
    assert_true(vg_version_in_range(vg_str_c("0.1"), &open_start));
    assert_true(vg_version_in_range(vg_str_c("2"), &open_start));
    assert_false(vg_version_in_range(vg_str_c("2.0.1"), &open_start));
    struct vg_version_range open_end = {vg_str_c("2"), {NULL, 0}, false, false};
    assert_false(vg_version_in_range(vg_str_c("2"), &open_end));
    assert_true(vg_version_in_range(vg_str_c("99"), &open_end));
    struct vg_version_range all = {{NULL, 0}, {NULL, 0}, false, false};
    assert_true(vg_version_in_range(vg_str_c("anything"), &all));
    unsigned char ka[VG_VERSION_KEY_MAX], kb[VG_VERSION_KEY_MAX];
    size_t al = vg_version_key(vg_str_c("1.0"), ka), bl = vg_version_key(vg_str_c("1.0+x"), kb);
    assert_int_equal(vg_version_key_cmp(ka, al, kb, bl), -1);
    assert_int_equal(vg_version_key_cmp(kb, bl, ka, al), 1);
    assert_int_equal(vg_version_key_cmp(ka, al, ka, al), 0);
    assert_int_equal(vg_version_key_cmp(ka, al - 1, ka, al), -1);
    assert_int_equal(vg_version_key_cmp(ka, al, ka, al - 1), 1);
    /* build metadata compared from its first character: a9 before b1, b1 before b2 */
    al = vg_version_key(vg_str_c("1.0+a9"), ka);
    bl = vg_version_key(vg_str_c("1.0+b1"), kb);
    assert_int_equal(vg_version_key_cmp(ka, al, kb, bl), -1);
    al = vg_version_key(vg_str_c("1.0+b2"), ka);
    assert_int_equal(vg_version_key_cmp(kb, bl, ka, al), -1);
}

static bool glob(const char *p, const char *t)
{
    return vg_cpe_glob(vg_str_c(p), vg_str_c(t));
}

/* CPE wildcards (NISTIR 7696 6.1.3): `*` at an end for any run, k `?` at an end for 0 to k
 * characters, case ignored, and nothing else matched loosely. */
static void pin_cpe_glob(void **state)
{
    (void)state;
    assert_true(glob("foo*", "foo"));
    assert_true(glob("foo*", "foobar"));
    assert_false(glob("foo*", "fo"));
    assert_false(glob("foo*", "xfoo"));
    assert_true(glob("*bar", "foobar"));
    assert_true(glob("*bar", "bar"));
    assert_false(glob("*bar", "barx"));
    assert_true(glob("??bar", "bar"));
    assert_true(glob("??bar", "xbar"));
    assert_true(glob("??bar", "xybar"));
    assert_false(glob("??bar", "xyzbar"));
    assert_true(glob("bar??", "bar"));
    assert_true(glob("bar??", "bar12"));
    assert_false(glob("bar??", "bar123"));
    assert_true(glob("?a?", "xay"));
    assert_true(glob("?a?", "a"));
    assert_false(glob("?a?", "xxa"));
    assert_true(glob("*a*", "xxaxx"));
    assert_true(glob("FOO*", "foobar"));
    assert_true(glob("foo", "FOO"));
    assert_false(glob("foo", "foo1"));
    assert_false(glob("foo", "fo"));
    assert_true(vg_cpe_has_wildcard(vg_str_c("a*")));
    assert_true(vg_cpe_has_wildcard(vg_str_c("?a")));
    assert_false(vg_cpe_has_wildcard(vg_str_c("a\\*")));
    assert_false(vg_cpe_has_wildcard(vg_str_c("a\\?b")));
    assert_false(vg_cpe_has_wildcard(vg_str_c("ab")));
    assert_false(glob("ab\\", "ab\\")); /* a dangling quote is no value: matches nothing */
    assert_false(glob("ab", "ab\\"));
}

static enum vg_cpe_rel cpe_rel(const char *src, const char *tgt)
{
    struct vg_cpe_name a, b;
    struct vg_diag d;
    if (vg_cpe_parse(vg_str_c(src), &a, &d) || vg_cpe_parse(vg_str_c(tgt), &b, &d))
        fail_msg("%s or %s: %s", src, tgt, d.message);
    return vg_cpe_compare(&a.cpe, &b.cpe);
}

/* Whole-name relations (NISTIR 7696 Table 6-2 and 6-4). */
static void pin_cpe_compare(void **state)
{
    (void)state;
    static const char *const base = "cpe:2.3:a:acme:tool:1.0:*:*:*:*:*:*:*";
    assert_int_equal(cpe_rel(base, base), VG_CPE_EQUAL);
    assert_int_equal(cpe_rel(base, "cpe:2.3:a:ACME:Tool:1.0:*:*:*:*:*:*:*"), VG_CPE_EQUAL);
    assert_int_equal(cpe_rel("cpe:2.3:a:acme:tool:*:*:*:*:*:*:*:*", base), VG_CPE_SUPERSET);
    assert_int_equal(cpe_rel(base, "cpe:2.3:a:acme:tool:*:*:*:*:*:*:*:*"), VG_CPE_SUBSET);
    assert_int_equal(cpe_rel(base, "cpe:2.3:a:acme:tool:1.1:*:*:*:*:*:*:*"), VG_CPE_DISJOINT);
    assert_int_equal(cpe_rel(base, "cpe:2.3:a:acme:tool:-:*:*:*:*:*:*:*"), VG_CPE_DISJOINT);
    assert_int_equal(cpe_rel("cpe:2.3:a:acme:tool:-:*:*:*:*:*:*:*", base), VG_CPE_DISJOINT);
    assert_int_equal(cpe_rel("cpe:2.3:a:acme:tool:-:*:*:*:*:*:*:*",
                             "cpe:2.3:a:acme:tool:-:*:*:*:*:*:*:*"),
                     VG_CPE_EQUAL);
    assert_int_equal(cpe_rel("cpe:2.3:a:acme:tool:*:*:*:*:*:*:*:*",
                             "cpe:2.3:a:acme:tool:-:*:*:*:*:*:*:*"),
                     VG_CPE_SUPERSET);
    assert_int_equal(cpe_rel(base, "cpe:2.3:a:acme:tool:1.*:*:*:*:*:*:*:*"), VG_CPE_UNDEFINED);
    assert_int_equal(cpe_rel("cpe:2.3:a:acme:tool:1.*:*:*:*:*:*:*:*", base), VG_CPE_SUPERSET);
    assert_int_equal(cpe_rel("cpe:2.3:a:acme:tool:2.*:*:*:*:*:*:*:*", base), VG_CPE_DISJOINT);
    /* one attribute wider, another narrower: no relation */
    assert_int_equal(cpe_rel("cpe:2.3:a:acme:tool:*:-:*:*:*:*:*:*",
                             "cpe:2.3:a:acme:tool:1.0:*:*:*:*:*:*:*"),
                     VG_CPE_UNDEFINED);
    /* the last attribute (other) counts too */
    assert_int_equal(cpe_rel(base, "cpe:2.3:a:acme:tool:1.0:*:*:*:*:*:*:x"), VG_CPE_SUPERSET);
    assert_int_equal(cpe_rel("cpe:2.3:a:acme:tool:1.0:*:*:*:*:*:*:y",
                             "cpe:2.3:a:acme:tool:1.0:*:*:*:*:*:*:x"),
                     VG_CPE_DISJOINT);
    assert_int_equal(cpe_rel("cpe:2.3:h:acme:tool:1.0:*:*:*:*:*:*:*", base), VG_CPE_DISJOINT);
    /* a lone "-" is NA (not the value "-"), "*" ANY; "-x" a value */
    struct vg_cpe_name n;
    struct vg_diag d;
    assert_int_equal(vg_cpe_parse(vg_str_c("cpe:2.3:a:acme:tool:-:*:-x:*:*:*:*:*"), &n, &d), 0);
    assert_int_equal(n.cpe.kind[VG_CPE_VERSION], VG_CPE_NA);
    assert_int_equal(n.cpe.kind[VG_CPE_UPDATE], VG_CPE_ANY);
    assert_int_equal(n.cpe.kind[VG_CPE_EDITION], VG_CPE_VALUE);
    assert_string_equal(vg_cpe_rel_name(VG_CPE_SUBSET), "SUBSET");
    assert_string_equal(vg_cpe_rel_name(VG_CPE_SUPERSET), "SUPERSET");
    assert_string_equal(vg_cpe_rel_name(VG_CPE_DISJOINT), "DISJOINT");
    assert_string_equal(vg_cpe_rel_name(VG_CPE_EQUAL), "EQUAL");
    assert_string_equal(vg_cpe_rel_name(VG_CPE_UNDEFINED), "UNDEFINED");
}

static const char *pkey(const char *v, const char *p, enum vg_product_form form)
{
    static char out[VG_PRODUCT_KEY_MAX + 1];
    long n = vg_product_key(vg_str_c(v), vg_str_c(p), form, out, sizeof out);
    if (n < 0)
        return NULL;
    assert_int_equal((size_t)n, strlen(out));
    return out;
}

/* The product-name key: lowered letters and digits, one '_' for each run of anything else
 * between them (none at the ends), quoting removed in CPE values, wildcards refused; names cut
 * at VG_PRODUCT_NAME_MAX bytes, and a buffer of exactly the maximum and its NUL is enough. */
static void pin_product_key(void **state)
{
    (void)state;
    assert_string_equal(pkey("Acme Corp.", "Widget--Pro 2", VG_PRODUCT_PLAIN),
                        "acme_corp:widget_pro_2");
    assert_string_equal(pkey("azAZ09", "-x-", VG_PRODUCT_PLAIN), "azaz09:x");
    assert_string_equal(pkey("@[`{/:", "a", VG_PRODUCT_PLAIN), ":a");
    assert_string_equal(pkey("acme", "big\\_suite", VG_PRODUCT_QUOTED), "acme:big_suite");
    assert_string_equal(pkey("acme", "c\\+\\+", VG_PRODUCT_QUOTED), "acme:c");
    assert_string_equal(pkey("acme", "a\\", VG_PRODUCT_QUOTED), "acme:a");
    assert_null(pkey("acme", "wid*", VG_PRODUCT_QUOTED));
    assert_null(pkey("acme", "wid?", VG_PRODUCT_QUOTED));
    assert_null(pkey("ac*me", "wid", VG_PRODUCT_QUOTED));
    assert_string_equal(pkey("acme", "wid*", VG_PRODUCT_PLAIN), "acme:wid");
    char big[VG_PRODUCT_NAME_MAX + 10];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    char out[VG_PRODUCT_KEY_MAX + 1];
    assert_int_equal(vg_product_name(vg_str_c(big), VG_PRODUCT_PLAIN, out, VG_PRODUCT_NAME_MAX + 1),
                     VG_PRODUCT_NAME_MAX);
    assert_int_equal(vg_product_name(vg_str_c(big), VG_PRODUCT_PLAIN, out, VG_PRODUCT_NAME_MAX),
                     -1);
    /* a separator that would need the last byte: dropped with what follows */
    memset(big, 'x', VG_PRODUCT_NAME_MAX - 1);
    memcpy(big + VG_PRODUCT_NAME_MAX - 1, " y", 3);
    assert_int_equal(vg_product_name(vg_str_c(big), VG_PRODUCT_PLAIN, out, sizeof out),
                     VG_PRODUCT_NAME_MAX - 1);
    memcpy(big + VG_PRODUCT_NAME_MAX - 1, "y", 2);
    assert_int_equal(vg_product_name(vg_str_c(big), VG_PRODUCT_PLAIN, out, sizeof out),
                     VG_PRODUCT_NAME_MAX);
    assert_int_equal(vg_product_key(vg_str_c("a"), vg_str_c("b"), VG_PRODUCT_PLAIN, out,
                                    VG_PRODUCT_KEY_MAX + 1),
                     3);
    assert_int_equal(vg_product_key(vg_str_c("a"), vg_str_c("b"), VG_PRODUCT_PLAIN, out,
                                    VG_PRODUCT_KEY_MAX),
                     -1);
    assert_int_equal(vg_product_key_cpe23("cpe:2.3:a:Acme:Big\\:Suite:1.0:*:*:*:*:*:*:*", out,
                                          sizeof out),
                     14);
    assert_string_equal(out, "acme:big_suite");
    assert_int_equal(vg_product_key_cpe23("cpe:2.3:a:-:x:1:*:*:*:*:*:*:*", out, sizeof out), -1);
    assert_int_equal(vg_product_key_cpe23("cpe:2.3:a:x:-:1:*:*:*:*:*:*:*", out, sizeof out), -1);
    assert_int_equal(vg_product_key_cpe23("cpe:2.3:a:x", out, sizeof out), -1);
    assert_int_equal(vg_product_key_cpe23("cpe:2.3-a:x:y:1:*:*:*:*:*:*:*", out, sizeof out), -1);
    /* a quoted ':' in the vendor, before the product; a lone backslash at the very end */
    assert_int_equal(vg_product_key_cpe23("cpe:2.3:a:Ac\\:me:tool:1.0:*:*:*:*:*:*:*", out,
                                          sizeof out),
                     10);
    assert_string_equal(out, "ac_me:tool");
    assert_int_equal(vg_product_key_cpe23("cpe:2.3:a:acme\\", out, sizeof out), -1);
    assert_int_equal(vg_product_key_cpe23("cpe:/a:x:y", out, sizeof out), -1);
}

/* vg_incident_check (create) of a minimal incident plus the JSON members in extra; returns the
 * code, d filled. */
static int incident_with(const char *extra, struct vg_diag *d)
{
    char text[70100];
    snprintf(text, sizeof text,
             "{\"title\": \"t\", \"class\": \"other\", \"type\": \"undetermined\"%s%s}",
             *extra ? ", " : "", extra);
    json_t *in = json_loads(text, 0, NULL), *out = NULL;
    assert_non_null(in);
    vg_diag_clear(d);
    int rc = vg_incident_check(in, VG_CHECK_CREATE, &out, d);
    json_decref(out);
    json_decref(in);
    return rc;
}

static int indicator_with(const char *extra, struct vg_diag *d)
{
    char text[4096];
    snprintf(text, sizeof text, "{\"value\": \"a.example\", %s}", extra);
    json_t *in = json_loads(text, 0, NULL), *out = NULL;
    assert_non_null(in);
    vg_diag_clear(d);
    int rc = vg_indicator_check(in, VG_CHECK_CREATE, &out, d);
    json_decref(out);
    json_decref(in);
    return rc;
}

/* Record limits: a reporter's phone of 64 bytes, 1000 observables, an org id from 1, an
 * assignee of 1-VG_MAX_NAME bytes; an indicator's confidence 0-100 and 50 tags. */
static void pin_record_bounds(void **state)
{
    (void)state;
    struct vg_diag d;
    char extra[68000], big[VG_MAX_NAME + 2];
    assert_int_equal(incident_with("", &d), 0);
    snprintf(extra, sizeof extra, "\"reporter\": {\"phone\": \"%064d\"}", 1);
    assert_int_equal(incident_with(extra, &d), 0);
    snprintf(extra, sizeof extra, "\"reporter\": {\"phone\": \"%065d\"}", 1);
    assert_int_equal(incident_with(extra, &d), VG_ETOOBIG);
    assert_string_equal(d.field, "/reporter/phone");
    for (int n = 1000; n <= 1001; n++) {
        size_t o = (size_t)snprintf(extra, sizeof extra, "\"observables\": [");
        for (int i = 0; i < n; i++)
            o += (size_t)snprintf(extra + o, sizeof extra - o, "%s{\"value\": \"10.%d.%d.1\"}",
                                  i ? "," : "", i / 250, i % 250);
        snprintf(extra + o, sizeof extra - o, "]");
        assert_int_equal(incident_with(extra, &d), n == 1000 ? 0 : VG_EINVAL);
        if (n == 1001)
            assert_string_equal(d.field, "/observables");
    }
    assert_int_equal(incident_with("\"org\": 1", &d), 0);
    assert_int_equal(incident_with("\"org\": null", &d), 0);
    assert_int_equal(incident_with("\"org\": 0", &d), VG_EINVAL);
    assert_string_equal(d.field, "/org");
    memset(big, 'u', sizeof big);
    big[VG_MAX_NAME] = '\0';
    snprintf(extra, sizeof extra, "\"assignee\": \"%s\"", big);
    assert_int_equal(incident_with(extra, &d), 0);
    big[VG_MAX_NAME] = 'u';
    big[VG_MAX_NAME + 1] = '\0';
    snprintf(extra, sizeof extra, "\"assignee\": \"%s\"", big);
    assert_int_equal(incident_with(extra, &d), VG_EINVAL);
    assert_string_equal(d.field, "/assignee");
    assert_int_equal(incident_with("\"assignee\": \"\"", &d), VG_EINVAL);

    /* defaults in creation only: a patch without them keeps the stored values */
    json_t *in = json_pack("{s:s}", "value", "a.example"), *out = NULL;
    assert_int_equal(vg_indicator_check(in, VG_CHECK_CREATE, &out, &d), 0);
    assert_int_equal(json_integer_value(json_object_get(out, "confidence")), 50);
    assert_string_equal(json_string_value(json_object_get(out, "tlp")), "AMBER");
    assert_string_equal(json_string_value(json_object_get(out, "source")), "");
    json_decref(out);
    assert_int_equal(vg_indicator_check(in, VG_CHECK_PATCH, &out, &d), 0);
    assert_null(json_object_get(out, "confidence"));
    assert_null(json_object_get(out, "tlp"));
    assert_null(json_object_get(out, "source"));
    json_decref(out);
    json_decref(in);
    assert_int_equal(indicator_with("\"confidence\": 0", &d), 0);
    assert_int_equal(indicator_with("\"confidence\": 100", &d), 0);
    assert_int_equal(indicator_with("\"confidence\": 101", &d), VG_EINVAL);
    assert_string_equal(d.field, "/confidence");
    assert_int_equal(indicator_with("\"confidence\": -1", &d), VG_EINVAL);
    assert_string_equal(d.field, "/confidence");
    size_t o = (size_t)snprintf(extra, sizeof extra, "\"tags\": [");
    for (int i = 0; i < 50; i++)
        o += (size_t)snprintf(extra + o, sizeof extra - o, "%s\"t%d\"", i ? "," : "", i);
    snprintf(extra + o, sizeof extra - o, "]");
    assert_int_equal(indicator_with(extra, &d), 0);
    snprintf(extra + o, sizeof extra - o, ", \"t50\"]");
    assert_int_equal(indicator_with(extra, &d), VG_EINVAL);
    assert_string_equal(d.field, "/tags");
}

/* The related value named for a match is exactly the stored one: a long value, then a shorter
 * one of another kind (its text must end where it ends). */
static void pin_corr_matched_text(void **state)
{
    (void)state;
    struct vg_corr *c = vg_corr_new();
    char sha[65], md5[33];
    memset(sha, 'b', 64);
    sha[64] = '\0';
    memset(md5, 'c', 32);
    md5[32] = '\0';
    add(c, 2, sha);
    add(c, 3, md5);
    struct found f = lookup(c, sha);
    assert_int_equal(f.n, 1);
    assert_string_equal(f.last, sha);
    f = lookup(c, md5);
    assert_int_equal(f.n, 1);
    assert_string_equal(f.last, md5);
    vg_corr_free(c);
}

/* Bytes of the heap in use now: ASan's count under ASan, glibc's otherwise (a malloc of its
 * own linked in would keep it still, and the test below then pins nothing there). */
static size_t heap_in_use(void)
{
#ifdef PIN_ASAN
    return __sanitizer_get_current_allocated_bytes();
#else
    return mallinfo2().uordblks;
#endif
}

/* vg_org_check frees the record it was building when it refuses one (record.c, `out:`
 * json_decref(res)): 500 refusals after a name, kind and assets were set leave the heap as it
 * was. LeakSanitizer alone missed the deleted free (the pointer stayed on the stack). */
static void pin_org_check_refusal_frees(void **state)
{
    (void)state;
    json_t *in = json_pack("{s:s,s:s,s:{s:[s]},s:[{s:i}]}", "name", "Ministry", "kind", "ministry",
                           "assets", "cidrs", "10.0.0.0/8", "contacts", "name", 3);
    assert_non_null(in);
    struct vg_diag d;
    json_t *out = NULL;
    assert_int_equal(vg_org_check(in, VG_CHECK_CREATE, &out, &d), VG_EINVAL); /* warm up */
    size_t before = heap_in_use();
    for (int i = 0; i < 500; i++) {
        assert_int_equal(vg_org_check(in, VG_CHECK_CREATE, &out, &d), VG_EINVAL);
        assert_null(out);
    }
    assert_string_equal(d.field, "/contacts/0/name");
    size_t after = heap_in_use();
    assert_true(after < before + 4096);
    json_decref(in);
}

/* vg_cpe_parse_fs: a character that must be quoted is refused with its byte offset in the
 * diagnostic (cpe.c `if (d) d->offset = ...`), and with no diagnostic at all it is refused
 * without a crash. */
static void pin_cpe_fs_bad_char_offset(void **state)
{
    (void)state;
    struct vg_cpe_name nm;
    struct vg_diag d;
    const char *in = "cpe:2.3:a:ven!dor:p:1:*:*:*:*:*:*:*";
    assert_int_equal(vg_cpe_parse_fs(vg_str_c(in), &nm, &d), VG_EINVAL);
    assert_string_equal(d.field, "vendor");
    assert_int_equal(d.offset, 13);
    assert_non_null(strstr(d.message, "character '!' at byte 13"));
    assert_int_equal(vg_cpe_parse_fs(vg_str_c(in), &nm, NULL), VG_EINVAL);
}

/* vg_cpe_parse_uri: an edition that starts with '~' is a packed edition, even "~" alone
 * (cpe.c `comp.len > 0`), which then lacks its five fields. */
static void pin_cpe_uri_packed_edition(void **state)
{
    (void)state;
    struct vg_cpe_name nm;
    struct vg_diag d;
    assert_int_equal(vg_cpe_parse_uri(vg_str_c("cpe:/a:v:p:1:u:~"), &nm, &d), VG_EINVAL);
    assert_string_equal(d.field, "edition");
    assert_non_null(strstr(d.message, "packed edition"));
    assert_int_equal(vg_cpe_parse_uri(vg_str_c("cpe:/a:v:p:1:u:~e~s~t~h~o"), &nm, &d), 0);
    assert_true(vg_str_eq(vg_cpe_value(&nm.cpe, VG_CPE_SW_EDITION), vg_str_c("s")));
}

/* vg_cpe_set: "<NA>" makes the attribute NA (cpe.c `c->kind[a] = VG_CPE_NA`), over ANY and
 * over a value; "<ANY>" makes it ANY again. */
static void pin_cpe_set_na(void **state)
{
    (void)state;
    struct vg_cpe_name nm;
    struct vg_diag d;
    vg_cpe_clear(&nm);
    assert_int_equal(vg_cpe_set(&nm, VG_CPE_UPDATE, vg_str_c("<NA>"), &d), 0);
    assert_int_equal(nm.cpe.kind[VG_CPE_UPDATE], VG_CPE_NA);
    assert_int_equal(vg_cpe_set(&nm, VG_CPE_VERSION, vg_str_c("1\\.0"), &d), 0);
    assert_int_equal(nm.cpe.kind[VG_CPE_VERSION], VG_CPE_VALUE);
    assert_int_equal(vg_cpe_set(&nm, VG_CPE_VERSION, vg_str_c("<NA>"), &d), 0);
    assert_int_equal(nm.cpe.kind[VG_CPE_VERSION], VG_CPE_NA);
    struct vg_buf b;
    vg_buf_init(&b, 4096);
    assert_int_equal(vg_cpe_write_fs(&nm.cpe, &b), 0);
    assert_non_null(b.data);
    assert_true(b.len == strlen("cpe:2.3:*:*:*:-:-:*:*:*:*:*:*"));
    assert_memory_equal(b.data, "cpe:2.3:*:*:*:-:-:*:*:*:*:*:*", b.len);
    vg_buf_cleanup(&b);
    assert_int_equal(vg_cpe_set(&nm, VG_CPE_UPDATE, vg_str_c("<ANY>"), &d), 0);
    assert_int_equal(nm.cpe.kind[VG_CPE_UPDATE], VG_CPE_ANY);
}

/* vg_cpe_product_key ends its key with a NUL (cpe.c `out[n] = '\0'`), whatever the buffer
 * held. */
static void pin_cpe_product_key_terminated(void **state)
{
    (void)state;
    struct vg_cpe_name nm;
    struct vg_diag d;
    assert_int_equal(vg_cpe_parse(vg_str_c("cpe:2.3:a:Acme:Tool:1.0:*:*:*:*:*:*:*"), &nm, &d), 0);
    char out[64];
    memset(out, 'X', sizeof out);
    size_t len = 0;
    assert_true(vg_cpe_product_key(&nm.cpe, out, sizeof out, &len));
    assert_int_equal(len, strlen("a:acme:tool"));
    assert_string_equal(out, "a:acme:tool");
}

/* vg_cpe_glob with an empty pattern: it matches the empty value only, and its split into
 * leading and trailing wildcards reads no token before the first (cpe.c split_specials,
 * `j > i`: with `j >= i` an empty pattern read the token at -1, which ASan reports). A lone
 * `*` matches anything, the empty value included. */
static void pin_cpe_glob_empty(void **state)
{
    (void)state;
    assert_true(vg_cpe_glob(vg_str_c(""), vg_str_c("")));
    assert_false(vg_cpe_glob(vg_str_c(""), vg_str_c("a")));
    assert_true(vg_cpe_glob(vg_str_c("*"), vg_str_c("")));
    assert_true(vg_cpe_glob(vg_str_c("*"), vg_str_c("anything")));
    assert_true(vg_cpe_glob(vg_str_c("?"), vg_str_c("")));
    assert_false(vg_cpe_glob(vg_str_c("?"), vg_str_c("ab")));
}

/* vg_partner_check: a name whose first byte is a control character is refused like one
 * that holds it later (partner.c, the loop from 0); networks named twice are kept once, in
 * the order first given (the `strcmp == 0` of the duplicate test). */
static void pin_partner_name_and_networks(void **state)
{
    (void)state;
    struct vg_diag d;
    json_t *out = NULL;
    static const char *const bad[] = {"\tCERT", "\001CERT", "CERT\001", "\177CERT"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *in = json_pack("{s:s,s:s}", "name", bad[i], "country", "FR");
        assert_int_equal(vg_partner_check(in, VG_CHECK_CREATE, &out, &d), VG_EINVAL);
        assert_string_equal(d.field, "/name");
        assert_non_null(strstr(d.message, "control character"));
        json_decref(in);
    }
    json_t *in = json_pack("{s:s,s:s,s:[s,s,s,s]}", "name", "CERT-A", "country", "FR", "networks",
                           "first", "first", "tf-csirt", "first");
    assert_int_equal(vg_partner_check(in, VG_CHECK_CREATE, &out, &d), 0);
    json_t *nets = json_object_get(out, "networks");
    assert_int_equal(json_array_size(nets), 2);
    assert_string_equal(json_string_value(json_array_get(nets, 0)), "first");
    assert_string_equal(json_string_value(json_array_get(nets, 1)), "tf-csirt");
    json_decref(out);
    json_decref(in);
}

static const char *rest_norm(const char *in)
{
    static char out[256];
    size_t n = vg_url_rest_normalize(vg_str_c(in), out);
    out[n] = '\0';
    return out;
}

/* vg_url_rest_normalize decodes the escapes of exactly the unreserved characters (RFC 3986
 * 2.3): both ends of each range (a z A Z 0 9) and - . _ ~; the others stay escaped, their hex
 * digits upper-cased. */
static void pin_url_unreserved(void **state)
{
    (void)state;
    assert_string_equal(rest_norm("/%61%7A%41%5A%30%39%2D%2E%5F%7E"), "/azAZ09-._~");
    assert_string_equal(rest_norm("/%60%7b%40%5b%2f%3a%20%2c"), "/%60%7B%40%5B%2F%3A%20%2C");
    assert_string_equal(rest_norm("/a?%5a=%30"), "/a?Z=0");
    /* an escape of a hex digit two bytes after a lone '%' stays escaped (`o - lone <= 2`):
     * decoded, "%6%31" would be "%61", which the next normalisation makes "a" */
    assert_string_equal(rest_norm("/%6%31"), "/%6%31");
    assert_string_equal(rest_norm("/%%31"), "/%%31");
    assert_string_equal(rest_norm("/%6x%31"), "/%6x1");
    /* only "." and ".." are dot segments: two-byte segments with one dot are names */
    assert_string_equal(rest_norm("/x/a.b"), "/x/a.b");
    assert_string_equal(rest_norm("/x/.a/y"), "/x/.a/y");
    assert_string_equal(rest_norm("/x/a./y"), "/x/a./y");
    assert_string_equal(rest_norm("/x/y/../z"), "/x/z");
    /* nothing, or blanks only: "/" (trim_end stops at the first byte, `s.len > 0`) */
    assert_string_equal(rest_norm(""), "/");
    assert_string_equal(rest_norm("  "), "/");
    assert_string_equal(rest_norm(" ?"), "/");
}

/* vg_str_has_non_ascii sees a byte above 0x7f in the first place too (url.c, the loop from
 * 0). */
static void pin_non_ascii_first_byte(void **state)
{
    (void)state;
    assert_true(vg_str_has_non_ascii(vg_str_c("\xe9")));
    assert_true(vg_str_has_non_ascii(vg_str_c("\xe9"
                                              "abc")));
    assert_true(vg_str_has_non_ascii(vg_str_c("abc\xe9")));
    assert_false(vg_str_has_non_ascii(vg_str_c("abc\x7f")));
    assert_false(vg_str_has_non_ascii(vg_str_c("")));
}

/* vg_host_to_ascii: an internationalised host of 1,024 bytes or more is refused before
 * libidn2 with its own reason (url.c `char in[4 * 256]`); one that IDNA maps to dots only is
 * "no name" (the final dots are stripped from a[named - 1]). */
static void pin_host_to_ascii_limits(void **state)
{
    (void)state;
    char h[1100], out[300];
    size_t n = 0;
    const char *why = NULL;
    for (size_t i = 0; i + 1 < 1024; i += 2)
        memcpy(h + i, "\xc3\xa9", 2); /* 512 times U+00E9 */
    h[1024] = '\0';
    assert_int_equal(vg_host_to_ascii(vg_str_c(h), out, sizeof out, &n, &why), VG_EINVAL);
    assert_non_null(why);
    assert_string_equal(why, "internationalised host name too long or holding a NUL byte");
    h[1022] = '\0'; /* 1,022 bytes: libidn2's to refuse, for a reason of its own */
    why = NULL;
    assert_int_equal(vg_host_to_ascii(vg_str_c(h), out, sizeof out, &n, &why), VG_EINVAL);
    assert_non_null(why);
    assert_string_not_equal(why, "internationalised host name too long or holding a NUL byte");
    /* U+034F maps to nothing: what is left is the dot */
    why = NULL;
    assert_int_equal(vg_host_to_ascii(vg_str_c("\xcd\x8f."), out, sizeof out, &n, &why), VG_EINVAL);
    assert_non_null(why);
    assert_string_equal(why, "internationalised host name mapping to no name");
    assert_int_equal(vg_host_to_ascii(vg_str_c("\xc3\xa9."), out, sizeof out, &n, &why), 0);
    assert_string_equal(out, "xn--9ca.");
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
        cmocka_unit_test(pin_hostname_bounds),
        cmocka_unit_test(pin_ip_prefixes),
        cmocka_unit_test(pin_url_forms),
        cmocka_unit_test(pin_hashes_and_emails),
        cmocka_unit_test(pin_corr_last_byte),
        cmocka_unit_test(pin_corr_rank),
        cmocka_unit_test(pin_corr_matched_text),
        cmocka_unit_test(pin_attrib_ties),
        cmocka_unit_test(pin_version_order),
        cmocka_unit_test(pin_version_range_ends),
        cmocka_unit_test(pin_cpe_glob),
        cmocka_unit_test(pin_cpe_compare),
        cmocka_unit_test(pin_product_key),
        cmocka_unit_test(pin_record_bounds),
        cmocka_unit_test(pin_org_check_refusal_frees),
        cmocka_unit_test(pin_cpe_fs_bad_char_offset),
        cmocka_unit_test(pin_cpe_uri_packed_edition),
        cmocka_unit_test(pin_cpe_set_na),
        cmocka_unit_test(pin_cpe_product_key_terminated),
        cmocka_unit_test(pin_cpe_glob_empty),
        cmocka_unit_test(pin_partner_name_and_networks),
        cmocka_unit_test(pin_url_unreserved),
        cmocka_unit_test(pin_non_ascii_first_byte),
        cmocka_unit_test(pin_host_to_ascii_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
