/* Inbound mail: one message, one transaction. Read it (notify/mailread.h), drop it as a
 * duplicate, thread it into an incident (reply), open an incident from an X-ARF report, or
 * take it as a report through the web form's intake decision; answer an ineligible human
 * sender; keep the message as received whatever came of it. */
#include "app/mailin.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "app/incident.h"
#include "core/attrib.h"
#include "notify/defang.h"
#include "notify/notify.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/limits.h"
#include "util/mem.h"

/* What the messages' use cases act as in timelines and the audit log. */
#define MAIL_ACTOR "mail"

static void sha256_hex(const char *p, size_t n, char out[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    out[0] = '\0';
    if (EVP_Digest(p, n, md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen != 32)
        return;
    for (unsigned i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* s cut to max bytes on a UTF-8 boundary, as a JSON string ("" for NULL). */
static json_t *cut_json(const char *s, size_t max)
{
    size_t n = s ? strlen(s) : 0;
    if (n > max) {
        n = max;
        while (n && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    return json_stringn(s ? s : "", n);
}

static bool content_error(int rc)
{
    return rc == VG_EINVAL || rc == VG_ETOOBIG || rc == VG_ECONFLICT || rc == VG_EEXIST ||
           rc == VG_ENOENT;
}

/* text without its quoted lines (those starting with '>' after blanks: what a reply quotes
 * is not the sender's), into a new buffer; NULL on allocation failure. */
static char *unquoted(const char *text)
{
    size_t n = strlen(text), o = 0;
    char *out = vg_malloc(n + 1);
    if (!out)
        return NULL;
    for (const char *p = text; *p;) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) + 1 : strlen(p);
        size_t b = strspn(p, " \t");
        if (b >= len || p[b] != '>') {
            memcpy(out + o, p, len);
            o += len;
        }
        p += len;
    }
    out[o] = '\0';
    return out;
}

/* Whether value is one of the addresses of the conversation itself (the sender, our own). */
static bool own_address(const char *value, const struct vg_mail *m, const char *own)
{
    if (!strcmp(value, m->from_addr))
        return true;
    char a[320];
    return own && vg_mime_addr_spec(own, a, sizeof a) == 0 && !strcasecmp(value, a);
}

/* The observables of the subject and the unquoted text (defanged forms undone), then the
 * attachments' SHA-256, at most max: [{type, value}]. Left out: CIDRs wider than the intake
 * allows, the sender's address and ours. */
static json_t *observables_of(const struct vg_mail *m, size_t max, const struct vg_intake_limits *l,
                              const char *own)
{
    int min4 = l && l->min_prefix_ipv4 ? l->min_prefix_ipv4 : VG_INTAKE_MIN_PREFIX_IPV4;
    int min6 = l && l->min_prefix_ipv6 ? l->min_prefix_ipv6 : VG_INTAKE_MIN_PREFIX_IPV6;
    json_t *obs = json_array();
    char *text = unquoted(m->text);
    struct vg_defang_list dl;
    const char *parts[2] = {m->subject, text};
    for (int k = 0; k < 2 && obs && text; k++) {
        if (vg_defang_extract(vg_str_c(parts[k]), max, &dl) != 0) {
            vg_defang_list_cleanup(&dl);
            json_decref(obs);
            obs = NULL;
            break;
        }
        for (size_t i = 0; i < dl.n && json_array_size(obs) < max; i++) {
            const struct vg_defang_item *it = &dl.items[i];
            const char *slash = strchr(it->value, '/');
            unsigned long long prefix = 0;
            if (slash && (it->type == VG_OBS_IPV4 || it->type == VG_OBS_IPV6) &&
                vg_str_to_u64(vg_str_c(slash + 1), 0, 128, &prefix) == 0 &&
                (int)prefix < (it->type == VG_OBS_IPV4 ? min4 : min6))
                continue;
            if (it->type == VG_OBS_EMAIL && own_address(it->value, m, own))
                continue;
            bool seen = false;
            size_t j;
            json_t *v;
            json_array_foreach(obs, j, v) {
                if (!strcmp(vg_json_str(v, "value"), it->value))
                    seen = true;
            }
            if (!seen)
                json_array_append_new(obs,
                                      json_pack("{s:s,s:s}", "type", vg_obs_type_name(it->type),
                                                "value", it->value));
        }
        vg_defang_list_cleanup(&dl);
    }
    if (!text) {
        json_decref(obs);
        return NULL;
    }
    free(text);
    for (size_t i = 0; obs && i < m->n_att && json_array_size(obs) < max; i++)
        json_array_append_new(obs,
                              json_pack("{s:s,s:s}", "type", "sha256", "value", m->att[i].sha256));
    return obs;
}

/* The attachments as lines of text: "name (media type, N bytes, sha256 H)". */
static void put_attachments(struct vg_buf *b, const struct vg_mail *m)
{
    if (m->n_att)
        vg_mailin_put_cut(b, "\n\nAttachments:");
    for (size_t i = 0; i < m->n_att; i++) {
        char line[VG_MAX_NAME + 200];
        snprintf(line, sizeof line, "\n- %.256s (%.64s, %zu bytes%s, sha256 %s)",
                 m->att[i].name[0] ? m->att[i].name : "unnamed", m->att[i].media_type,
                 m->att[i].size, m->att[i].is_archive ? ", archive not opened" : "",
                 m->att[i].sha256);
        vg_mailin_put_cut(b, line);
    }
}

/* Adds each observable of obs to ref; one the store refuses is left out (its write undone
 * alone), a store failure ends it. */
static int add_observables(struct vg_store *st, const struct vg_actor *who, const char *ref,
                           const json_t *obs, struct vg_diag *d)
{
    size_t i;
    json_t *v;
    json_array_foreach(obs, i, v) {
        json_t *out = NULL;
        struct vg_diag od;
        vg_diag_clear(&od);
        int rc = vg_store_incident_observable_add(st, who, ref, v, &out, &od);
        json_decref(out);
        if (rc && !content_error(rc)) {
            *d = od;
            return rc;
        }
    }
    return 0;
}

/* A reply: the subject and text as a timeline entry of ref, by the sender; its observables. */
static int ingest_reply(struct vg_store *st, const struct vg_mail *m, const char *ref,
                        const char *own, struct vg_mailin_result *res, struct vg_diag *d)
{
    struct vg_actor who = {0, "", "", 0};
    snprintf(who.name, sizeof who.name, "%.256s", m->from_addr[0] ? m->from_addr : MAIL_ACTOR);
    struct vg_buf b;
    vg_buf_init(&b, VG_MAX_STR_FIELD);
    vg_mailin_put_cut(&b, "Mail from ");
    vg_mailin_put_cut(&b, m->from_addr[0] ? m->from_addr : "(no sender)");
    vg_mailin_put_cut(&b, ": ");
    vg_mailin_put_cut(&b, m->subject[0] ? m->subject : "(no subject)");
    if (m->text[0]) {
        vg_mailin_put_cut(&b, "\n\n");
        vg_mailin_put_cut(&b, m->text);
    }
    put_attachments(&b, m);
    if (b.failed && b.len < b.max) {
        vg_buf_cleanup(&b);
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    }
    json_t *entry = NULL;
    int rc = vg_store_incident_note(st, &who, ref, b.data, &entry, d);
    vg_buf_cleanup(&b);
    json_decref(entry);
    if (rc)
        return rc;
    json_t *obs = observables_of(m, VG_MAX_LIST, NULL, own);
    if (!obs)
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    rc = add_observables(st, &who, ref, obs, d);
    json_decref(obs);
    if (!rc) {
        snprintf(res->outcome, sizeof res->outcome, "reply");
        snprintf(res->ref, sizeof res->ref, "%s", ref);
    }
    return rc;
}

/* Queues the cybermalveillance.gouv.fr answer to the sender of an ineligible report, unless
 * the message comes from a machine (then res->reason says why it was not answered). */
static int answer(struct vg_store *st, const struct vg_mail_config *cfg,
                  const struct vg_mailin_opts *opts, const struct vg_mail *m, const char *raw,
                  size_t len, struct vg_mailin_result *res, struct vg_diag *d)
{
    const char *why;
    if (vg_mail_is_automatic(raw, len, m->from_addr, cfg->from, &why)) {
        snprintf(res->reason, sizeof res->reason, "not answered: %s", why);
        return 0;
    }
    struct vg_buf subject, text;
    vg_buf_init(&subject, VG_MAX_NAME);
    vg_buf_init(&text, VG_MAX_STR_FIELD);
    json_t *to = json_pack("[s]", m->from_addr);
    int rc = to && !vg_notify_intake_answer(opts ? opts->redirect_url : NULL, &subject, &text)
                 ? 0
                 : vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    if (!rc) {
        struct vg_diag qd;
        vg_diag_clear(&qd);
        rc = vg_mail_queue(st, cfg, "intake", NULL, NULL, to, subject.data, text.data, NULL,
                           &res->answer_id, &qd);
        if (rc == VG_EINVAL) { /* the sender is no plain address: nobody to answer */
            snprintf(res->reason, sizeof res->reason, "not answered: %.200s", qd.message);
            rc = 0;
        } else if (rc) {
            *d = qd;
        }
    }
    json_decref(to);
    vg_buf_cleanup(&subject);
    vg_buf_cleanup(&text);
    return rc;
}

/* The report a message makes for the intake: the sender as reporter, the sender's domain as
 * the declared organisation (an individual unless the domain is a constituent's). */
static json_t *report_of(const struct vg_mail *m, const char *title, const char *desc, json_t *obs)
{
    const char *name = m->from_name[0] ? m->from_name : m->from_addr;
    return json_pack("{s:{s:o,s:s},s:{s:o,s:s},s:o,s:o,s:o}", "reporter", "name",
                     cut_json(name, VG_MAX_NAME), "email", m->from_addr, "organisation", "name",
                     cut_json(m->from_domain[0] ? m->from_domain : "unknown", VG_MAX_NAME), "kind",
                     "individual", "title", cut_json(title, VG_MAX_NAME), "description",
                     cut_json(desc, VG_MAX_STR_FIELD), "observables", obs);
}

/* Submits rep to the intake and sets the outcome: report (or xarf when xarf_cls is given: the
 * incident then takes that class and type), queued, or ineligible (answered). */
static int submit(struct vg_store *st, const struct vg_mail_config *cfg,
                  const struct vg_mailin_opts *opts, const struct vg_mail *m, const char *raw,
                  size_t len, const json_t *rep, const json_t *xarf_cls,
                  struct vg_mailin_result *res, struct vg_diag *d)
{
    struct vg_intake_result ir;
    int rc = vg_intake_submit(st, rep, "mail", opts ? opts->intake : NULL, &ir, d);
    if (rc)
        return rc;
    if (ir.accepted) {
        snprintf(res->outcome, sizeof res->outcome, "%s", xarf_cls ? "xarf" : "report");
        snprintf(res->ref, sizeof res->ref, "%s", ir.ref);
        if (xarf_cls) {
            struct vg_actor who = {0, MAIL_ACTOR, "", 0};
            json_t *out = NULL;
            rc = vg_store_incident_update(st, &who, ir.ref, xarf_cls, &out, d);
            json_decref(out);
        }
        return rc;
    }
    if (ir.queued || ir.queue_full) {
        snprintf(res->outcome, sizeof res->outcome, "queued");
        res->queue_id = ir.queue_id;
        if (ir.queue_full)
            snprintf(res->reason, sizeof res->reason, "the intake queue is full: not held");
        return 0;
    }
    snprintf(res->outcome, sizeof res->outcome, "ineligible");
    return answer(st, cfg, opts, m, raw, len, res, d);
}

static int ingest_report(struct vg_store *st, const struct vg_mail_config *cfg,
                         const struct vg_mailin_opts *opts, const struct vg_mail *m,
                         const char *raw, size_t len, struct vg_mailin_result *res,
                         struct vg_diag *d)
{
    if (!m->from_addr[0])
        return vg_diag_set(d, VG_EINVAL, "From", "the message has no sender address");
    const struct vg_intake_limits *lim = opts && opts->intake ? &opts->intake->limits : NULL;
    size_t max = lim && lim->max_observables ? lim->max_observables : VG_INTAKE_MAX_OBSERVABLES;
    json_t *obs = observables_of(m, max, lim, cfg->from);
    struct vg_buf desc;
    vg_buf_init(&desc, VG_MAX_STR_FIELD);
    vg_mailin_put_cut(&desc, m->text[0] ? m->text : "(no text)");
    put_attachments(&desc, m);
    json_t *rep = obs && desc.data
                      ? report_of(m, m->subject[0] ? m->subject : "(no subject)", desc.data, obs)
                      : (json_decref(obs), NULL);
    vg_buf_cleanup(&desc);
    if (!rep)
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    int rc = submit(st, cfg, opts, m, raw, len, rep, NULL, res, d);
    json_decref(rep);
    return rc;
}

/* The host of a URL ("http://h:80/p" -> "h") into out. */
static void url_host(const char *url, char *out, size_t cap)
{
    const char *p = strstr(url, "://");
    p = p ? p + 3 : url;
    size_t n = strcspn(p, "/:?#");
    snprintf(out, cap, "%.*s", (int)(n < cap ? n : cap - 1), p);
}

/* The organisation owning one of the observables of inc (an address in its CIDRs, a host in
 * its domains), or 0. */
static int owner_of(struct vg_store *st, const json_t *inc, long long *org, struct vg_diag *d)
{
    *org = 0;
    struct vg_attrib *a = vg_store_attrib_new(st, d);
    if (!a)
        return VG_EIO;
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(inc, "observables"), i, o) {
        const char *t = vg_json_str(o, "type"), *v = vg_json_str(o, "value");
        char host[VG_MAX_HOSTNAME + 1];
        if (!strcmp(t, "ipv4-addr") || !strcmp(t, "ipv6-addr"))
            *org = vg_attrib_ip(a, v);
        else if (!strcmp(t, "domain-name"))
            *org = vg_attrib_host(a, v);
        else if (!strcmp(t, "url") && (url_host(v, host, sizeof host), host[0]))
            *org = vg_attrib_host(a, host);
        if (*org)
            break;
    }
    vg_attrib_free(a);
    return 0;
}

/* An X-ARF report: the incident of the organisation owning the reported asset; without one,
 * through the intake decision (the sender's domain), its class and type kept. */
static int ingest_xarf(struct vg_store *st, const struct vg_mail_config *cfg,
                       const struct vg_mailin_opts *opts, const struct vg_mail *m, const char *raw,
                       size_t len, struct vg_mailin_result *res, struct vg_diag *d)
{
    json_t *inc = NULL;
    int rc = vg_mailin_xarf_incident(m->xarf_json, m->from_addr, m->text, &inc, d);
    if (rc)
        return rc;
    long long org = 0;
    if ((rc = owner_of(st, inc, &org, d)))
        goto out;
    if (org) {
        struct vg_actor who = {0, MAIL_ACTOR, "", 0};
        json_t *out = NULL;
        json_object_set_new(inc, "org", json_integer(org));
        if (!json_object_get(inc, "reporter") && m->from_addr[0])
            json_object_set_new(inc, "reporter",
                                json_pack("{s:s,s:s}", "name", m->from_addr, "email",
                                          m->from_addr));
        rc = vg_incident_create(st, &who, inc, &out, d);
        if (!rc) {
            snprintf(res->outcome, sizeof res->outcome, "xarf");
            snprintf(res->ref, sizeof res->ref, "%s", vg_json_str(out, "ref"));
        }
        json_decref(out);
        goto out;
    }
    if (!m->from_addr[0]) {
        rc = vg_diag_set(d, VG_EINVAL, "From", "the message has no sender address");
        goto out;
    }
    json_t *cls = json_pack("{s:O,s:O}", "class", json_object_get(inc, "class"), "type",
                            json_object_get(inc, "type"));
    json_t *rep = cls ? report_of(m, vg_json_str(inc, "title"), vg_json_str(inc, "description"),
                                  json_incref(json_object_get(inc, "observables")))
                      : NULL;
    if (rep && json_object_get(inc, "occurred"))
        json_object_set(rep, "occurred", json_object_get(inc, "occurred"));
    rc = rep ? submit(st, cfg, opts, m, raw, len, rep, cls, res, d)
             : vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    json_decref(rep);
    json_decref(cls);
out:
    json_decref(inc);
    return rc;
}

/* What a message read well leads to. */
static int dispatch(struct vg_store *st, const struct vg_mail_config *cfg,
                    const struct vg_mailin_opts *opts, const struct vg_mail *m, const char *raw,
                    size_t len, struct vg_mailin_result *res, struct vg_diag *d)
{
    if (m->reference[0]) {
        json_t *inc = NULL;
        int rc = vg_store_incident_get(st, m->reference, &inc);
        json_decref(inc);
        if (rc == 0)
            return ingest_reply(st, m, m->reference, cfg->from, res, d);
        if (rc != VG_ENOENT)
            return vg_diag_set(d, rc, "", "cannot read incident %s", m->reference);
        /* an unknown reference: a new report */
    }
    if (m->is_xarf && m->xarf_json)
        return ingest_xarf(st, cfg, opts, m, raw, len, res, d);
    return ingest_report(st, cfg, opts, m, raw, len, res, d);
}

/* Stores the row of the message (its attachments when read and not a duplicate). */
static int store_row(struct vg_store *st, const char *raw, size_t len, const char *sha,
                     const struct vg_mail *m, bool with_att, struct vg_mailin_result *res,
                     struct vg_diag *d)
{
    struct vg_inbound_att *att = NULL;
    size_t n = with_att && m ? m->n_att : 0;
    if (n && !(att = vg_calloc(n, sizeof *att)))
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    for (size_t i = 0; i < n; i++)
        att[i] = (struct vg_inbound_att){m->att[i].name,   m->att[i].media_type, m->att[i].size,
                                         m->att[i].sha256, m->att[i].is_archive, m->att[i].data};
    struct vg_inbound_new row = {
        .raw = (const unsigned char *)raw,
        .size = len,
        .sha256 = sha,
        .message_id = m ? m->message_id : "",
        .sender = m ? m->from_addr : "",
        .subject = m ? m->subject : "",
        .outcome = res->outcome,
        .reason = res->reason,
        .ref = res->ref,
        .queue_id = res->queue_id,
        .att = att,
        .n_att = n,
    };
    int rc = vg_store_inbound_add(st, &row, &res->inbound_id, d);
    free(att);
    return rc;
}

/* Quarantines: the reason from d (its field first when the message does not name it). */
static void quarantine(struct vg_mailin_result *res, const struct vg_diag *qd)
{
    long long inbound = res->inbound_id;
    memset(res, 0, sizeof *res);
    res->inbound_id = inbound;
    snprintf(res->outcome, sizeof res->outcome, "quarantined");
    if (qd->field[0] && !strstr(qd->message, qd->field))
        snprintf(res->reason, sizeof res->reason, "%.60s: %.190s", qd->field, qd->message);
    else
        snprintf(res->reason, sizeof res->reason, "%.250s", qd->message);
}

int vg_mailin_ingest(struct vg_store *st, const char *bytes, size_t len,
                     const struct vg_mailin_opts *opts, struct vg_mailin_result *res,
                     struct vg_diag *d)
{
    memset(res, 0, sizeof *res);
    struct vg_mail_config cfgbuf;
    const struct vg_mail_config *cfg = opts ? opts->mail : NULL;
    int rc;
    if (!cfg) {
        if ((rc = vg_mail_config_load(st, &cfgbuf, d)))
            return rc;
        cfg = &cfgbuf;
    }
    char sha[65];
    sha256_hex(bytes, len, sha);
    if (!sha[0])
        return vg_diag_set(d, VG_ENOMEM, "", "cannot hash the message");
    struct vg_mail m;
    struct vg_diag rd;
    vg_diag_clear(&rd);
    int rrc = vg_mail_read(bytes, len, st->config.ref_prefix, opts ? opts->limits : NULL, &m, &rd);
    if (rrc == VG_ENOMEM)
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory reading the message");
    if ((rc = vg_store_tx_begin(st, d)))
        goto out;
    bool read_ok = rrc == 0, with_att = read_ok;
    long long first;
    /* the same Message-ID, or the same bytes without one (a refused message has none) */
    int frc = vg_store_inbound_find(st, read_ok ? m.message_id : "", sha, &first);
    if (frc == 0) {
        snprintf(res->outcome, sizeof res->outcome, "duplicate");
        res->first_id = first;
        with_att = false;
    } else if (frc != VG_ENOENT) {
        rc = vg_diag_set(d, frc, "", "cannot look up earlier messages");
    } else if (!read_ok) {
        quarantine(res, &rd);
    } else {
        struct vg_diag pd;
        vg_diag_clear(&pd);
        rc = dispatch(st, cfg, opts, &m, bytes, len, res, &pd);
        if (rc && content_error(rc)) {
            /* what it led to is undone; the message itself is kept, quarantined */
            vg_store_tx_rollback(st);
            quarantine(res, &pd);
            rc = vg_store_tx_begin(st, d);
        } else if (rc) {
            *d = pd;
        }
    }
    if (!rc)
        rc = store_row(st, bytes, len, sha, read_ok ? &m : NULL, with_att, res, d);
    if (rc) {
        vg_store_tx_rollback(st);
        goto out;
    }
    rc = vg_store_tx_commit(st, d);
out:
    if (rc) {
        memset(res, 0, sizeof *res);
    }
    vg_mail_cleanup(&m);
    return rc;
}

bool vg_mailin_admit(void *ctx)
{
    struct vg_mailin_cap *c = ctx;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    double now = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
    if (c->last == 0) {
        c->tokens = c->per_minute;
    } else {
        c->tokens += (now - c->last) * c->per_minute / 60.0;
        if (c->tokens > c->per_minute)
            c->tokens = c->per_minute;
    }
    c->last = now;
    if (c->tokens < 1)
        return false;
    c->tokens -= 1;
    return true;
}

int vg_mailin_list(struct vg_store *st, const char *outcome, const struct vg_page *page,
                   json_t **out, struct vg_diag *d)
{
    static const char *const outcomes[] = {"report", "reply",       "xarf",     "ineligible",
                                           "queued", "quarantined", "duplicate"};
    *out = NULL;
    bool known = !outcome || !*outcome;
    for (size_t i = 0; !known && i < sizeof outcomes / sizeof outcomes[0]; i++)
        known = !strcmp(outcome, outcomes[i]);
    if (!known)
        return vg_diag_set(d, VG_EINVAL, "outcome",
                           "outcome is one of report, reply, xarf, ineligible, queued, "
                           "quarantined, duplicate");
    json_t *f = outcome && *outcome ? json_pack("{s:s}", "outcome", outcome) : json_object();
    if (!f)
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    int rc = vg_store_inbound_list(st, f, page, out, d);
    json_decref(f);
    return rc;
}
