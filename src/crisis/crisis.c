/* The crisis cell's model (crisis.h): the checks of what the cell writes, each refusal naming
 * its JSON pointer, and the closing review as Markdown. */
#include "crisis/crisis.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/tlp.h"
#include "util/json.h"
#include "util/limits.h"
#include "util/mem.h"
#include "util/sort.h"
#include "util/time.h"

static const char *const levels[] = {"watch", "alert", "crisis", "major", NULL};
static const char *const kinds[] = {"partner", "contact", "person", NULL};
static const char *const roles[] = {"authority", "liaison", "communication", "technical", "cell",
                                    "other",     NULL};
static const char *const langs[] = {"fr", "en", "", NULL};

static bool in_list(const char *s, const char *const *list)
{
    for (size_t i = 0; s && list[i]; i++)
        if (strcmp(s, list[i]) == 0)
            return true;
    return false;
}

bool vg_crisis_level_valid(const char *s)
{
    return in_list(s, levels);
}

/* The string at key of in, required or not, of 1..max bytes, without NUL; *out = it (NULL if
 * absent and optional). 0 or VG_EINVAL / VG_ETOOBIG naming "/key". */
static int text_field(const json_t *in, const char *key, bool required, size_t max,
                      const char **out, struct vg_diag *d)
{
    char ptr[40] = "/";
    strncat(ptr, key, sizeof ptr - 2);
    const json_t *v = json_object_get(in, key);
    *out = NULL;
    if (!v)
        return required ? vg_diag_set(d, VG_EINVAL, ptr, "%s is required", ptr) : 0;
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (!s || n == 0 || strlen(s) != n || strspn(s, " \t\r\n") == n)
        return vg_diag_set(d, VG_EINVAL, ptr, "%s must be a non-empty string", ptr);
    if (n > max)
        return vg_diag_set(d, VG_ETOOBIG, ptr, "%s must be at most %zu bytes", ptr, max);
    *out = s;
    return 0;
}

/* An enumerated string at key: *out = it, or dflt when absent (NULL dflt: required). */
static int enum_field(const json_t *in, const char *key, const char *const *list, const char *dflt,
                      const char **out, struct vg_diag *d)
{
    char ptr[40] = "/";
    strncat(ptr, key, sizeof ptr - 2);
    const json_t *v = json_object_get(in, key);
    *out = dflt;
    if (!v && dflt)
        return 0;
    if (!v)
        return vg_diag_set(d, VG_EINVAL, ptr, "%s is required", ptr);
    if (!in_list(json_string_value(v), list))
        return vg_diag_set(d, VG_EINVAL, ptr, "%s is not one of the allowed values", ptr);
    *out = json_string_value(v);
    return 0;
}

static int object_of(const json_t *in, const char *const *fields, struct vg_diag *d)
{
    if (!json_is_object(in))
        return vg_diag_set(d, VG_EINVAL, "", "the body must be a JSON object");
    return vg_json_check_fields(in, fields, "/", d);
}

/* An incident reference: 1..VG_MAX_NAME bytes of A-Z, 0-9 and '-'. */
static bool ref_valid(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > VG_MAX_NAME)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
            return false;
    return true;
}

static int check_incidents(const json_t *v, json_t *out, struct vg_diag *d)
{
    if (!json_is_array(v))
        return vg_diag_set(d, VG_EINVAL, "/incidents", "/incidents must be an array");
    if (json_array_size(v) > VG_CRISIS_MAX_INCIDENTS)
        return vg_diag_set(d, VG_ETOOBIG, "/incidents", "/incidents holds at most %d references",
                           VG_CRISIS_MAX_INCIDENTS);
    json_t *arr = json_array();
    size_t i;
    const json_t *e;
    json_array_foreach(v, i, e) {
        const char *ref = json_string_value(e);
        if (!ref_valid(ref)) {
            json_decref(arr);
            vg_diag_set(d, VG_EINVAL, "", "/incidents/%zu must be an incident reference", i);
            if (d)
                snprintf(d->field, sizeof d->field, "/incidents/%zu", i);
            return VG_EINVAL;
        }
        bool dup = false;
        size_t j;
        const json_t *f;
        json_array_foreach(arr, j, f)
            dup = dup || strcmp(json_string_value(f), ref) == 0;
        if (!dup)
            json_array_append_new(arr, json_string(ref));
    }
    json_object_set_new(out, "incidents", arr);
    return 0;
}

int vg_crisis_check(const json_t *in, enum vg_crisis_mode mode, json_t **out, struct vg_diag *d)
{
    static const char *const fields[] = {"title", "level", "incidents", "sitrep_every_hours", NULL};
    const char *title, *level;
    *out = NULL;
    int rc = object_of(in, fields, d);
    if (rc == 0)
        rc = text_field(in, "title", mode == VG_CRISIS_CREATE, VG_CRISIS_MAX_TITLE, &title, d);
    level = NULL;
    if (rc == 0 && (mode == VG_CRISIS_CREATE || json_object_get(in, "level")))
        rc = enum_field(in, "level", levels, mode == VG_CRISIS_CREATE ? "crisis" : NULL, &level, d);
    const json_t *every = json_object_get(in, "sitrep_every_hours");
    if (rc == 0 && every &&
        (!json_is_integer(every) || json_integer_value(every) < 0 ||
         json_integer_value(every) > VG_CRISIS_MAX_EVERY))
        rc = vg_diag_set(d, VG_EINVAL, "/sitrep_every_hours",
                         "/sitrep_every_hours must be an integer from 0 (none) to %d",
                         VG_CRISIS_MAX_EVERY);
    if (rc)
        return rc;
    if (mode == VG_CRISIS_PATCH && json_object_size(in) == 0)
        return vg_diag_set(d, VG_EINVAL, "", "the patch changes nothing");
    json_t *c = json_object();
    if (every || mode == VG_CRISIS_CREATE)
        json_object_set_new(c, "sitrep_every_hours",
                            json_integer(every ? json_integer_value(every) : 0));
    if (title)
        json_object_set_new(c, "title", json_string(title));
    if (level)
        json_object_set_new(c, "level", json_string(level));
    const json_t *inc = json_object_get(in, "incidents");
    if (inc || mode == VG_CRISIS_CREATE) {
        json_t *empty = json_array();
        rc = check_incidents(inc ? inc : empty, c, d);
        json_decref(empty);
    }
    if (rc)
        json_decref(c);
    else
        *out = c;
    return rc;
}

/* An e-mail address: one '@' with text on both sides, no space or control, at most
 * VG_MAX_NAME bytes. */
static bool email_valid(const char *s)
{
    const char *at = s ? strchr(s, '@') : NULL;
    size_t n = s ? strlen(s) : 0;
    if (!at || at == s || !at[1] || strchr(at + 1, '@') || n > VG_MAX_NAME)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] <= ' ' || s[i] == '<' || s[i] == '>' || s[i] == 0x7f)
            return false;
    return true;
}

/* The positive integer id at key of in (a link to a partner or an organisation): 0 and *out,
 * or VG_EINVAL naming "/key". */
static int id_field(const json_t *in, const char *key, long long *out, struct vg_diag *d)
{
    const json_t *v = json_object_get(in, key);
    char ptr[40] = "/";
    strncat(ptr, key, sizeof ptr - 2);
    *out = 0;
    if (!json_is_integer(v) || json_integer_value(v) < 1)
        return vg_diag_set(d, VG_EINVAL, ptr, "%s must be the id of a%s", ptr,
                           strcmp(key, "org_id") == 0 ? "n organisation" : " partner");
    *out = json_integer_value(v);
    return 0;
}

/* What the TLP gate needs to know of a member of kind: a partner's partner_id, a contact's
 * org_id, a person's max_tlp (CLEAR, GREEN or AMBER; GREEN by default); each only for its
 * kind. Sets them into m. */
static int member_gate(const json_t *in, const char *kind, json_t *m, struct vg_diag *d)
{
    static const char *const own[] = {"partner_id", "org_id", "max_tlp"};
    int which = strcmp(kind, "partner") == 0 ? 0 : strcmp(kind, "contact") == 0 ? 1 : 2;
    for (int i = 0; i < 3; i++)
        if (i != which && json_object_get(in, own[i])) {
            char ptr[40] = "/";
            strncat(ptr, own[i], sizeof ptr - 2);
            return vg_diag_set(d, VG_EINVAL, ptr, "%s is not for a member of kind %s", ptr, kind);
        }
    long long id = 0;
    if (which < 2) {
        int rc = id_field(in, own[which], &id, d);
        if (rc == 0)
            json_object_set_new(m, own[which], json_integer(id));
        return rc;
    }
    const json_t *t = json_object_get(in, "max_tlp");
    enum vg_tlp lvl = VG_TLP_GREEN;
    if (t && (vg_tlp_parse(json_string_value(t), &lvl) != 0 || lvl > VG_TLP_AMBER))
        return vg_diag_set(d, VG_EINVAL, "/max_tlp", "/max_tlp must be CLEAR, GREEN or AMBER");
    json_object_set_new(m, "max_tlp", json_string(vg_tlp_name(lvl)));
    return 0;
}

int vg_crisis_member_check(const json_t *in, json_t **out, struct vg_diag *d)
{
    static const char *const fields[] = {"kind",   "name",    "email", "role", "partner_id",
                                         "org_id", "max_tlp", "lang",  NULL};
    const char *kind, *name, *email, *role, *lang;
    *out = NULL;
    int rc = object_of(in, fields, d);
    if (rc == 0)
        rc = enum_field(in, "kind", kinds, NULL, &kind, d);
    if (rc == 0)
        rc = text_field(in, "name", true, VG_MAX_NAME, &name, d);
    if (rc == 0)
        rc = text_field(in, "email", true, VG_MAX_NAME, &email, d);
    if (rc == 0 && !email_valid(email))
        rc = vg_diag_set(d, VG_EINVAL, "/email", "/email must be an e-mail address");
    if (rc == 0)
        rc = enum_field(in, "role", roles, "other", &role, d);
    if (rc == 0)
        rc = enum_field(in, "lang", langs, "", &lang, d);
    if (rc)
        return rc;
    json_t *m = json_pack("{s:s,s:s,s:s,s:s,s:s}", "kind", kind, "name", name, "email", email,
                          "role", role, "lang", lang);
    rc = member_gate(in, kind, m, d);
    if (rc)
        json_decref(m);
    else
        *out = m;
    return rc;
}

int vg_crisis_log_check(const json_t *in, json_t **out, struct vg_diag *d)
{
    static const char *const fields[] = {"text", NULL};
    const char *text;
    *out = NULL;
    int rc = object_of(in, fields, d);
    if (rc == 0)
        rc = text_field(in, "text", true, VG_CRISIS_MAX_TEXT, &text, d);
    if (rc == 0)
        *out = json_pack("{s:s}", "text", text);
    return rc;
}

int vg_crisis_sitrep_check(const json_t *in, json_t **out, struct vg_diag *d)
{
    static const char *const fields[] = {"title", "body", "tlp", "number", NULL};
    const char *title, *body;
    enum vg_tlp tlp = VG_TLP_AMBER;
    *out = NULL;
    int rc = object_of(in, fields, d);
    if (rc == 0)
        rc = text_field(in, "title", true, VG_CRISIS_MAX_TITLE, &title, d);
    if (rc == 0)
        rc = text_field(in, "body", true, VG_CRISIS_MAX_SITREP, &body, d);
    const json_t *t = json_object_get(in, "tlp"), *num = json_object_get(in, "number");
    if (rc == 0 && t && vg_tlp_parse(json_string_value(t), &tlp) != 0)
        rc = vg_diag_set(d, VG_EINVAL, "/tlp",
                         "/tlp must be CLEAR, GREEN, AMBER, AMBER+STRICT or RED");
    if (rc == 0 && num &&
        (!json_is_integer(num) || json_integer_value(num) < 1 || json_integer_value(num) > 1000000))
        rc = vg_diag_set(d, VG_EINVAL, "/number", "/number must be an integer from 1");
    if (rc)
        return rc;
    *out = json_pack("{s:s,s:s,s:s}", "title", title, "body", body, "tlp", vg_tlp_name(tlp));
    if (num)
        json_object_set_new(*out, "number", json_integer(json_integer_value(num)));
    return 0;
}

int vg_crisis_close_check(const json_t *in, json_t **out, struct vg_diag *d)
{
    static const char *const fields[] = {"summary", "actions", NULL};
    const char *summary;
    *out = NULL;
    int rc = object_of(in, fields, d);
    if (rc == 0)
        rc = text_field(in, "summary", true, VG_CRISIS_MAX_TEXT, &summary, d);
    if (rc)
        return rc;
    const json_t *acts = json_object_get(in, "actions");
    if (acts && !json_is_array(acts))
        return vg_diag_set(d, VG_EINVAL, "/actions", "/actions must be an array of strings");
    if (json_array_size(acts) > VG_CRISIS_MAX_ACTIONS)
        return vg_diag_set(d, VG_ETOOBIG, "/actions", "/actions holds at most %d items",
                           VG_CRISIS_MAX_ACTIONS);
    json_t *arr = json_array();
    size_t i;
    const json_t *a;
    json_array_foreach(acts, i, a) {
        const char *s = json_string_value(a);
        size_t n = json_string_length(a);
        if (!s || n == 0 || strlen(s) != n || n > VG_CRISIS_MAX_TITLE) {
            json_decref(arr);
            vg_diag_set(d, VG_EINVAL, "",
                        "an action must be a non-empty string of at most %d bytes",
                        VG_CRISIS_MAX_TITLE);
            if (d)
                snprintf(d->field, sizeof d->field, "/actions/%zu", i);
            return VG_EINVAL;
        }
        json_array_append_new(arr, json_string(s));
    }
    *out = json_pack("{s:s,s:o}", "summary", summary, "actions", arr);
    return 0;
}

/* Writes s on one line: CR, LF and tabs become spaces. */
static void put_line(struct vg_buf *b, const char *s)
{
    for (; s && *s; s++)
        vg_buf_putc(b, (*s == '\n' || *s == '\r' || *s == '\t') ? ' ' : *s);
}

/* One entry of the merged timeline. */
struct event {
    const char *at;  /* RFC 3339 UTC: sorts as text */
    int source;      /* 0 log, 1 sitrep, 2 incident: ties in that order */
    size_t seq;      /* order within its source */
    const json_t *e; /* the entry */
    const char *ref; /* the incident's reference (source 2) */
};

static int event_cmp(const void *a, const void *b)
{
    const struct event *x = a, *y = b;
    int c = strcmp(x->at, y->at);
    if (c)
        return c;
    if (x->source != y->source)
        return x->source - y->source;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static const char *str_of(const json_t *o, const char *key)
{
    const char *s = vg_json_str(o, key);
    return s ? s : "";
}

int vg_crisis_review(const json_t *c, const json_t *closing, const json_t *timelines,
                     struct vg_buf *out)
{
    size_t n = json_array_size(json_object_get(c, "log")) +
               json_array_size(json_object_get(c, "sitreps")),
           i, k = 0;
    const char *ref;
    const json_t *tl, *e;
    json_object_foreach((json_t *)timelines, ref, tl)
        n += json_array_size(tl);
    struct event *ev = vg_calloc(n ? n : 1, sizeof *ev);
    if (!ev)
        return VG_ENOMEM;
    json_array_foreach(json_object_get(c, "log"), i, e)
        ev[k++] = (struct event){str_of(e, "at"), 0, i, e, NULL};
    json_array_foreach(json_object_get(c, "sitreps"), i, e)
        ev[k++] = (struct event){str_of(e, "at"), 1, i, e, NULL};
    size_t seq = 0;
    json_object_foreach((json_t *)timelines, ref, tl)
        json_array_foreach(tl, i, e)
            ev[k++] = (struct event){str_of(e, "at"), 2, seq++, e, ref};
    vg_sort(ev, k, sizeof *ev, event_cmp);

    vg_buf_puts(out, "# Crisis review: ");
    put_line(out, str_of(c, "title"));
    vg_buf_printf(out, "\n\n- Level: %s\n- Opened: %s\n- Closed: %s\n", str_of(c, "level"),
                  str_of(c, "opened"), str_of(c, "closed"));
    vg_buf_puts(out, "- Incidents:");
    const json_t *incs = json_object_get(c, "incidents");
    if (json_array_size(incs) == 0)
        vg_buf_puts(out, " none");
    json_array_foreach(incs, i, e) {
        vg_buf_puts(out, i ? ", " : " ");
        put_line(out, json_string_value(e));
    }
    vg_buf_printf(out, "\n- Members: %zu\n\n## What happened\n\n",
                  json_array_size(json_object_get(c, "members")));
    vg_buf_puts(out, str_of(closing, "summary"));
    vg_buf_puts(out, "\n\n## Timeline\n\n");
    if (k == 0)
        vg_buf_puts(out, "Nothing was recorded.\n");
    for (i = 0; i < k; i++) {
        vg_buf_printf(out, "- %s ", ev[i].at);
        if (ev[i].source == 0) {
            vg_buf_puts(out, "log (");
            put_line(out, str_of(ev[i].e, "author"));
            vg_buf_puts(out, "): ");
            put_line(out, str_of(ev[i].e, "text"));
        } else if (ev[i].source == 1) {
            vg_buf_printf(out, "sitrep %lld v%lld [TLP:%s] (",
                          (long long)json_integer_value(json_object_get(ev[i].e, "number")),
                          (long long)json_integer_value(json_object_get(ev[i].e, "version")),
                          str_of(ev[i].e, "tlp"));
            put_line(out, str_of(ev[i].e, "author"));
            vg_buf_puts(out, "): ");
            put_line(out, str_of(ev[i].e, "title"));
        } else {
            vg_buf_puts(out, "incident ");
            put_line(out, ev[i].ref);
            vg_buf_puts(out, " ");
            put_line(out, str_of(ev[i].e, "action"));
            vg_buf_puts(out, " (");
            put_line(out, str_of(ev[i].e, "actor"));
            vg_buf_puts(out, ")");
        }
        vg_buf_putc(out, '\n');
    }
    vg_buf_puts(out, "\n## Actions\n\n");
    const json_t *acts = json_object_get(closing, "actions");
    if (json_array_size(acts) == 0)
        vg_buf_puts(out, "None.\n");
    json_array_foreach(acts, i, e) {
        vg_buf_puts(out, "- [ ] ");
        put_line(out, json_string_value(e));
        vg_buf_putc(out, '\n');
    }
    free(ev);
    return out->failed ? VG_ENOMEM : 0;
}

bool vg_crisis_may_send(const char *tlp, const json_t *m, const char *partner_max,
                        const json_t *orgs, const char **why)
{
    enum vg_tlp t = vg_tlp_level(tlp);
    const char *kind = str_of(m, "kind");
    struct vg_recipient r = {VG_RCPT_PARTNER, VG_TLP_CLEAR, 0, 0};
    long long concerns = 0;
    *why = NULL;
    if (t == VG_TLP_RED) {
        *why = "TLP:RED never leaves by mail";
        return false;
    }
    if (strcmp(kind, "partner") == 0) {
        if (!partner_max) {
            *why = "the partner is unknown or disabled";
            return false;
        }
        r.max_tlp = vg_tlp_level(partner_max);
        r.partner_id = (long long)json_integer_value(json_object_get(m, "partner_id"));
        *why = t == VG_TLP_AMBER_STRICT ? "TLP:AMBER+STRICT never goes to a partner"
                                        : "above the partner's max_tlp";
    } else if (strcmp(kind, "contact") == 0) {
        r.kind = VG_RCPT_CONSTITUENT;
        r.org_id = (long long)json_integer_value(json_object_get(m, "org_id"));
        size_t i;
        const json_t *o;
        json_array_foreach(orgs, i, o)
            if (r.org_id > 0 && json_integer_value(o) == r.org_id)
                concerns = r.org_id;
        *why = "the contact's organisation is not concerned by the crisis's incidents";
    } else {
        /* a person (an authority, a liaison...) is an outside party cleared up to max_tlp */
        r.max_tlp = vg_tlp_level(vg_json_str(m, "max_tlp"));
        if (r.max_tlp > VG_TLP_AMBER)
            r.max_tlp = VG_TLP_GREEN;
        *why = t == VG_TLP_AMBER_STRICT ? "TLP:AMBER+STRICT never goes to a person"
                                        : "above the person's max_tlp";
    }
    if (vg_tlp_may_send(t, concerns, &r)) {
        *why = NULL;
        return true;
    }
    return false;
}

bool vg_crisis_reminder_due(const char *base, const char *reminded, long long every_hours,
                            time_t now)
{
    time_t b, r = 0;
    if (every_hours <= 0 || !base || vg_time_parse(base, &b) != 0)
        return false;
    if (reminded && vg_time_parse(reminded, &r) != 0)
        return false;
    if (r > b)
        b = r;
    return now - b >= (time_t)every_hours * 3600;
}
