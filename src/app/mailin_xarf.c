/* X-ARF reports (v3 and v4) read into the incident they describe: RSIT class and type, the
 * source's observables, the reported time, the reporter. Pure: no store. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "app/mailin.h"
#include "core/observable.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/limits.h"
#include "util/time.h"

/* An X-ARF name (lower case, without '_' and '-') and the RSIT class and type it is. */
struct xarf_map {
    const char *xarf, *cls, *type;
};

/* X-ARF types. */
static const struct xarf_map types[] = {
    {"phishing", "fraud", "phishing"},
    {"malware", "malicious-code", "malware-distribution"},
    {"botnet", "malicious-code", "infected-system"},
    {"c2", "malicious-code", "c2-server"},
    {"cnc", "malicious-code", "c2-server"},
    {"spam", "abusive-content", "spam"},
    {"harassment", "abusive-content", "harmful-speech"},
    {"childabuse", "abusive-content", "violence"},
    {"csam", "abusive-content", "violence"},
    {"copyright", "fraud", "copyright"},
    {"trademark", "fraud", "copyright"},
    {"fraud", "fraud", "masquerade"},
    {"dos", "availability", "dos"},
    {"ddos", "availability", "ddos"},
    {"portscan", "information-gathering", "scanner"},
    {"scan", "information-gathering", "scanner"},
    {"webcrawler", "information-gathering", "scanner"},
    {"loginattack", "intrusion-attempts", "brute-force"},
    {"bruteforce", "intrusion-attempts", "brute-force"},
    {"exploit", "intrusion-attempts", "exploit"},
    {"idsalert", "intrusion-attempts", "ids-alert"},
    {"potentiallycompromisedaccount", "intrusions", "unprivileged-account-compromise"},
    {"compromisedaccount", "intrusions", "unprivileged-account-compromise"},
    {"compromisedserver", "intrusions", "system-compromise"},
    {"compromisedwebsite", "intrusions", "application-compromise"},
    {"openservice", "vulnerable", "potentially-unwanted-accessible"},
    {"ddosamplifier", "vulnerable", "ddos-amplifier"},
    {"misconfiguration", "vulnerable", "vulnerable-system"},
    {"vulnerability", "vulnerable", "vulnerable-system"},
    {"rpz", "malicious-code", "infected-system"},
};

/* Categories alone (a type this table does not know). */
static const struct xarf_map categories[] = {
    {"vulnerability", "vulnerable", "vulnerable-system"},
    {"messaging", "abusive-content", "spam"},
    {"copyright", "fraud", "copyright"},
    {"connection", "intrusion-attempts", "ids-alert"},
};

/* s lower case without '_', '-' and blanks into out. */
static void squash(const char *s, char *out, size_t cap)
{
    size_t o = 0;
    for (; s && *s && o + 1 < cap; s++)
        if (*s != '_' && *s != '-' && *s != ' ')
            out[o++] = (char)tolower((unsigned char)*s);
    out[o] = '\0';
}

void vg_mailin_xarf_class(const char *category, const char *type, const char **cls,
                          const char **rsit_type)
{
    char t[64], c[64];
    squash(type, t, sizeof t);
    squash(category, c, sizeof c);
    *cls = "other";
    *rsit_type = "undetermined";
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (!strcmp(t, types[i].xarf)) {
            *cls = types[i].cls;
            *rsit_type = types[i].type;
            return;
        }
    for (size_t i = 0; i < sizeof categories / sizeof categories[0]; i++)
        if (!strcmp(c, categories[i].xarf)) {
            *cls = categories[i].cls;
            *rsit_type = categories[i].type;
            return;
        }
}

/* Appends value as an observable of type (VG_OBS_UNKNOWN: detected) to obs when it reads as
 * one and is not there yet. */
static void add_obs(json_t *obs, const char *value, enum vg_obs_type type)
{
    if (!value || !*value || strlen(value) > VG_MAX_OBSERVABLE)
        return;
    struct vg_observable o;
    struct vg_diag d;
    if (vg_observable_parse(vg_str_c(value), type, &o, &d))
        return;
    size_t i;
    json_t *v;
    json_array_foreach(obs, i, v) {
        if (!strcmp(vg_json_str(v, "value"), o.value))
            return;
    }
    json_array_append_new(obs, json_pack("{s:s,s:s}", "type", vg_obs_type_name(o.type), "value",
                                         o.value));
}

/* Drops a UTF-8 sequence left incomplete at the end of s (a cut). */
static void utf8_trim(char *s)
{
    size_t n = strlen(s), k = 0;
    while (k < n && k < 4 && ((unsigned char)s[n - 1 - k] & 0xC0) == 0x80)
        k++;
    if (k == n)
        return;
    unsigned char lead = (unsigned char)s[n - 1 - k];
    size_t want = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    if (want > k + 1)
        s[n - 1 - k] = '\0';
}

/* Copies the normal form of s into out when s is one plain address a report's reporter may
 * have (core's e-mail observable, and none of the blanks, '<' or '>' core's record checker
 * refuses). */
static bool reporter_email(const char *s, char out[VG_MAX_NAME + 1])
{
    struct vg_observable o;
    struct vg_diag d;
    if (!s || !*s || strlen(s) > VG_MAX_NAME || strpbrk(s, "<> \t\r\n") ||
        vg_observable_parse(vg_str_c(s), VG_OBS_EMAIL, &o, &d) || strlen(o.value) > VG_MAX_NAME)
        return false;
    memcpy(out, o.value, strlen(o.value) + 1);
    return true;
}

/* The string at key of obj, or NULL. */
static const char *str_at(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

void vg_mailin_put_cut(struct vg_buf *b, const char *s)
{
    size_t n = strlen(s), room = b->max > b->len ? b->max - b->len : 0;
    if (n > room) {
        n = room;
        while (n && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    vg_buf_append(b, s, n);
}

int vg_mailin_xarf_incident(const char *xarf_json, const char *sender, const char *text,
                            json_t **out, struct vg_diag *d)
{
    *out = NULL;
    json_t *x = vg_json_parse(xarf_json ? xarf_json : "", xarf_json ? strlen(xarf_json) : 0, d);
    if (!x)
        return vg_diag_set(d, VG_EINVAL, "xarf", "the X-ARF part is not JSON: %s", d->message);
    if (!json_is_object(x)) {
        json_decref(x);
        return vg_diag_set(d, VG_EINVAL, "xarf", "the X-ARF part is not a JSON object");
    }
    bool v4 = json_object_get(x, "xarf_version") != NULL;
    const json_t *rep = v4 ? x : json_object_get(x, "Report");
    const json_t *who = json_object_get(x, v4 ? "reporter" : "ReporterInfo");
    const char *cat = str_at(rep, v4 ? "category" : "ReportClass");
    const char *typ = str_at(rep, v4 ? "type" : "ReportType");
    const char *when = str_at(rep, v4 ? "timestamp" : "Date");
    const char *cls, *rtype;
    vg_mailin_xarf_class(cat, typ, &cls, &rtype);

    json_t *obs = json_array();
    if (v4) {
        add_obs(obs, str_at(rep, "source_identifier"), VG_OBS_UNKNOWN);
        add_obs(obs, str_at(rep, "url"), VG_OBS_URL);
        add_obs(obs, str_at(rep, "domain"), VG_OBS_DOMAIN);
        const char *h = str_at(rep, "file_hash");
        if (h && !strncmp(h, "sha256:", 7))
            add_obs(obs, h + 7, VG_OBS_SHA256);
    } else {
        add_obs(obs, str_at(rep, "SourceIp"), VG_OBS_UNKNOWN);
        add_obs(obs, str_at(rep, "SourceDomain"), VG_OBS_DOMAIN);
        add_obs(obs, str_at(rep, "SourceUrl"), VG_OBS_URL);
    }
    const char *source = json_array_size(obs) ? vg_json_str(json_array_get(obs, 0), "value") : "";

    /* the reporter: its contact's address when it reads as one, else the sender (if that does) */
    char email[VG_MAX_NAME + 1] = "";
    if (!reporter_email(str_at(who, v4 ? "contact" : "ReporterContactEmail"), email) &&
        (v4 || !reporter_email(str_at(who, "ReporterOrgEmail"), email)))
        reporter_email(sender, email);
    const char *name = str_at(who, v4 ? "org" : "ReporterContactName");
    if (!name || !*name)
        name = str_at(who, v4 ? "domain" : "ReporterOrg");
    if (!name || !*name)
        name = email[0] ? email : "X-ARF";

    char title[VG_MAX_NAME + 1];
    snprintf(title, sizeof title, "X-ARF %s%s%s%s%s", cat ? cat : "report", typ ? "/" : "",
             typ ? typ : "", *source ? ": " : "", source);
    utf8_trim(title);

    struct vg_buf desc;
    vg_buf_init(&desc, VG_MAX_STR_FIELD);
    if (text && *text) {
        vg_mailin_put_cut(&desc, text);
        vg_mailin_put_cut(&desc, "\n\n");
    }
    vg_mailin_put_cut(&desc, "X-ARF report:\n");
    vg_mailin_put_cut(&desc, xarf_json);

    json_t *inc =
        json_pack("{s:s,s:s%,s:s,s:s,s:s,s:s,s:s,s:o}", "title", title, "description",
                  desc.data ? desc.data : "", desc.len, "class", cls, "type", rtype, "severity",
                  "medium", "tlp", "AMBER", "pap", "AMBER", "observables", obs);
    vg_buf_cleanup(&desc);
    time_t t;
    if (inc && when && vg_time_parse(when, &t) == 0) {
        char iso[VG_TIME_LEN];
        vg_time_fmt(t, iso);
        json_object_set_new(inc, "occurred", json_string(iso));
    }
    if (inc && email[0]) {
        char nm[VG_MAX_NAME + 1];
        size_t nl = strlen(name) < VG_MAX_NAME ? strlen(name) : VG_MAX_NAME;
        memcpy(nm, name, nl);
        nm[nl] = '\0';
        utf8_trim(nm);
        json_object_set_new(inc, "reporter", json_pack("{s:s,s:s}", "name", nm, "email", email));
    }
    json_decref(x);
    if (!inc)
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    *out = inc;
    return 0;
}
