/* The crisis cell's use cases (app/crisis.h): the checks of crisis/crisis.h, the rule that a
 * closed crisis no longer changes, and one transaction per write. */
#include "app/crisis.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "advisory/render.h"
#include "app/mail.h"
#include "core/tlp.h"
#include "crisis/crisis.h"
#include "notify/crisismail.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/limits.h"
#include "util/mem.h"
#include "util/shown.h"
#include "util/str.h"
#include "util/time.h"

/* Reads crisis id, which must be open: 0 with *c (may be NULL: not kept), or VG_ENOENT /
 * VG_ECONFLICT / VG_EIO with d set. */
static int open_crisis(struct vg_store *st, long long id, json_t **c, struct vg_diag *d)
{
    json_t *cur = NULL;
    int rc = vg_store_crisis_get(st, id, &cur);
    if (rc)
        return rc == VG_ENOENT ? vg_diag_set(d, rc, "id", "no crisis %lld", id)
                               : vg_diag_set(d, rc, "", "cannot read crisis %lld", id);
    if (strcmp(vg_json_str(cur, "state"), "open") != 0) {
        json_decref(cur);
        return vg_diag_set(d, VG_ECONFLICT, "state", "crisis %lld is closed", id);
    }
    if (c)
        *c = cur;
    else
        json_decref(cur);
    return 0;
}

/* Every incident of c["incidents"] exists: 0, or VG_EINVAL naming "/incidents/N". */
static int incidents_exist(struct vg_store *st, const json_t *c, struct vg_diag *d)
{
    size_t i;
    const json_t *ref;
    json_array_foreach(json_object_get(c, "incidents"), i, ref) {
        json_t *inc = NULL;
        int rc = vg_store_incident_get(st, json_string_value(ref), &inc);
        json_decref(inc);
        if (rc == VG_ENOENT) {
            vg_diag_set(d, VG_EINVAL, "", "/incidents/%zu: no incident %s", i,
                        json_string_value(ref));
            if (d)
                snprintf(d->field, sizeof d->field, "/incidents/%zu", i);
            return VG_EINVAL;
        }
        if (rc)
            return vg_diag_set(d, rc, "", "cannot read incident %s", json_string_value(ref));
    }
    return 0;
}

/* Ends a use case's transaction: commits if rc is 0, else rolls back; drops *out on failure. */
static int tx_end(struct vg_store *st, int rc, json_t **out, struct vg_diag *d)
{
    if (rc == 0)
        rc = vg_store_tx_commit(st, d);
    else
        vg_store_tx_rollback(st);
    if (rc && out) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

int vg_crisis_open(struct vg_store *st, const struct vg_actor *who, const json_t *in, json_t **out,
                   struct vg_diag *d)
{
    json_t *c = NULL;
    *out = NULL;
    int rc = vg_crisis_check(in, VG_CRISIS_CREATE, &c, d);
    if (rc == 0 && (rc = vg_store_tx_begin(st, d)) == 0) {
        rc = incidents_exist(st, c, d);
        if (rc == 0)
            rc = vg_store_crisis_create(st, who, c, out, d);
        rc = tx_end(st, rc, out, d);
    }
    json_decref(c);
    return rc;
}

int vg_crisis_update(struct vg_store *st, const struct vg_actor *who, long long id,
                     const json_t *in, json_t **out, struct vg_diag *d)
{
    json_t *p = NULL;
    *out = NULL;
    int rc = vg_crisis_check(in, VG_CRISIS_PATCH, &p, d);
    if (rc == 0 && (rc = vg_store_tx_begin(st, d)) == 0) {
        rc = open_crisis(st, id, NULL, d);
        if (rc == 0)
            rc = incidents_exist(st, p, d);
        if (rc == 0)
            rc = vg_store_crisis_update(st, who, id, p, out, d);
        rc = tx_end(st, rc, out, d);
    }
    json_decref(p);
    return rc;
}

/* The partner or organisation member m is linked to exists: 0, or VG_EINVAL naming
 * "/partner_id" or "/org_id". */
static int member_links(struct vg_store *st, const json_t *m, struct vg_diag *d)
{
    const json_t *p = json_object_get(m, "partner_id"), *o = json_object_get(m, "org_id");
    json_t *got = NULL;
    int rc = 0;
    if (p)
        rc = vg_store_partner_get(st, json_integer_value(p), &got);
    else if (o)
        rc = vg_store_org_get(st, json_integer_value(o), &got);
    json_decref(got);
    if (rc == VG_ENOENT)
        return p ? vg_diag_set(d, VG_EINVAL, "/partner_id", "/partner_id: no partner %lld",
                               (long long)json_integer_value(p))
                 : vg_diag_set(d, VG_EINVAL, "/org_id", "/org_id: no organisation %lld",
                               (long long)json_integer_value(o));
    return rc ? vg_diag_set(d, rc, "", "cannot read the member's partner or organisation") : 0;
}

/* The shape of the writes that add one thing to an open crisis: check, then store (which: 0
 * a log entry, 1 a sitrep, 2 a member, its partner or organisation checked). */
static int add_to(struct vg_store *st, const struct vg_actor *who, long long id, const json_t *in,
                  int (*check)(const json_t *, json_t **, struct vg_diag *), int which,
                  json_t **out, struct vg_diag *d)
{
    json_t *v = NULL;
    *out = NULL;
    int rc = check(in, &v, d);
    if (rc == 0 && (rc = vg_store_tx_begin(st, d)) == 0) {
        rc = open_crisis(st, id, NULL, d);
        if (rc == 0 && which == 0)
            rc = vg_store_crisis_log_add(st, who, id, vg_json_str(v, "text"), out, d);
        else if (rc == 0 && which == 1)
            rc = vg_store_crisis_sitrep_add(st, who, id, v, out, d);
        else if (rc == 0 && (rc = member_links(st, v, d)) == 0)
            rc = vg_store_crisis_member_add(st, who, id, v, out, d);
        rc = tx_end(st, rc, out, d);
    }
    json_decref(v);
    return rc;
}

int vg_crisis_log(struct vg_store *st, const struct vg_actor *who, long long id, const json_t *in,
                  json_t **out, struct vg_diag *d)
{
    return add_to(st, who, id, in, vg_crisis_log_check, 0, out, d);
}

int vg_crisis_member(struct vg_store *st, const struct vg_actor *who, long long id,
                     const json_t *in, json_t **out, struct vg_diag *d)
{
    return add_to(st, who, id, in, vg_crisis_member_check, 2, out, d);
}

int vg_crisis_sitrep(struct vg_store *st, const struct vg_actor *who, long long id,
                     const json_t *in, json_t **out, struct vg_diag *d)
{
    return add_to(st, who, id, in, vg_crisis_sitrep_check, 1, out, d);
}

/* The system's name in the log when no analyst acts (the scheduled reminders). */
static const struct vg_actor tick_actor = {0, "system", "", 0};

/* Appends a log entry made by the cell's mail (roll-calls, sitreps sent, reminders) in the
 * caller's transaction. */
static int log_line(struct vg_store *st, const struct vg_actor *who, long long id,
                    const struct vg_buf *b, struct vg_diag *d)
{
    json_t *e = NULL;
    if (b->failed)
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    int rc = vg_store_crisis_log_add(st, who, id, b->data, &e, d);
    json_decref(e);
    return rc;
}

#define LOG_NAMES 50 /* the members a log entry names; the others are counted */

/* Appends ": NAME <EMAIL> (REASON), ..." for the members of arr (the reason when they have
 * one), at most LOG_NAMES of them, then " and N more". */
static void log_members(struct vg_buf *b, const json_t *arr)
{
    size_t i;
    const json_t *m;
    json_array_foreach(arr, i, m) {
        if (i == LOG_NAMES) {
            vg_buf_printf(b, " and %zu more", json_array_size(arr) - i);
            break;
        }
        vg_buf_printf(b, "%s %s <%s>", i ? "," : ":", vg_json_str(m, "name"),
                      vg_json_str(m, "email"));
        if (vg_json_str(m, "reason"))
            vg_buf_printf(b, " (%s)", vg_json_str(m, "reason"));
    }
}

/* Queues one crisis message to the address email; the subject, text and HTML as written. */
static int queue_one(struct vg_store *st, const struct vg_mail_config *cfg, long long id,
                     const char *email, struct vg_buf *subject, struct vg_buf *text,
                     struct vg_buf *html, struct vg_diag *d)
{
    char object[48];
    snprintf(object, sizeof object, "crisis:%lld", id);
    if (subject->failed || text->failed || html->failed)
        return vg_diag_set(d, VG_ENOMEM, "", "cannot write the crisis's mail");
    json_t *to = json_pack("[s]", email);
    int rc = vg_mail_queue(st, cfg, "crisis", object, NULL, to, subject->data, text->data,
                           html->data, NULL, d);
    json_decref(to);
    return rc;
}

/* The most a sitrep's Markdown may become as HTML: every byte escaped ("&quot;") and more. */
#define SITREP_HTML_MAX (8 * VG_CRISIS_MAX_SITREP)

/* Mail buffers, reset for each message. */
struct mailbufs {
    struct vg_buf subject, text, html;
};

static void bufs_init(struct mailbufs *m)
{
    vg_buf_init(&m->subject, 2048);
    vg_buf_init(&m->text, VG_CRISIS_MAX_SITREP + 64 * 1024);
    vg_buf_init(&m->html, SITREP_HTML_MAX + 64 * 1024);
}

static void bufs_reset(struct mailbufs *m)
{
    vg_buf_reset(&m->subject);
    vg_buf_reset(&m->text);
    vg_buf_reset(&m->html);
}

static void bufs_cleanup(struct mailbufs *m)
{
    vg_buf_cleanup(&m->subject);
    vg_buf_cleanup(&m->text);
    vg_buf_cleanup(&m->html);
}

/* The members a roll-call calls: every member of c, or (pending_only) those of the last
 * roll-call that have not answered. *out = a new array, or the error (d set). */
static int rollcall_targets(struct vg_store *st, long long id, const json_t *c, bool pending_only,
                            json_t **out, struct vg_diag *d)
{
    *out = NULL;
    if (!pending_only) {
        if (json_array_size(json_object_get(c, "members")) == 0)
            return vg_diag_set(d, VG_ECONFLICT, "members", "crisis %lld has no member to call", id);
        *out = json_incref(json_object_get(c, "members"));
        return 0;
    }
    json_t *p = NULL;
    int rc = vg_store_crisis_pending(st, id, "9999-12-31T23:59:59Z", &p, d);
    if (rc)
        return rc;
    if (json_integer_value(json_object_get(p, "rollcall")) == 0)
        rc =
            vg_diag_set(d, VG_ECONFLICT, "rollcall", "crisis %lld has no roll-call to re-send", id);
    else if (json_array_size(json_object_get(p, "pending")) == 0)
        rc = vg_diag_set(d, VG_ECONFLICT, "pending",
                         "every member answered the last roll-call: nobody to re-send to");
    else
        *out = json_incref(json_object_get(p, "pending"));
    json_decref(p);
    return rc;
}

/* One new token per target into toks, and its link (cfg's public URL + "/ack/" + token) into
 * links[i] (VG_CRISIS_LINK_CAP bytes each). */
#define VG_CRISIS_LINK_CAP (sizeof((struct vg_mail_config *)0)->public_url + 80)
static void make_tokens(const json_t *targets, const struct vg_mail_config *cfg,
                        struct vg_crisis_token *toks, char (*links)[VG_CRISIS_LINK_CAP])
{
    size_t i;
    const json_t *m;
    json_array_foreach(targets, i, m) {
        unsigned char raw[32];
        char token[VG_CRISIS_TOKEN_LEN + 1];
        randombytes_buf(raw, sizeof raw);
        sodium_bin2hex(token, sizeof token, raw, sizeof raw);
        sodium_memzero(raw, sizeof raw);
        crypto_hash_sha256(toks[i].hash, (const unsigned char *)token, VG_CRISIS_TOKEN_LEN);
        toks[i].member_id = json_integer_value(json_object_get(m, "id"));
        snprintf(links[i], VG_CRISIS_LINK_CAP, "%s/ack/%s", cfg->public_url, token);
        sodium_memzero(token, sizeof token);
    }
}

int vg_crisis_rollcall(struct vg_store *st, const struct vg_actor *who, long long id,
                       bool pending_only, json_t **out, struct vg_diag *d)
{
    json_t *c = NULL, *targets = NULL, *called = json_array();
    struct vg_crisis_token *toks = NULL;
    char(*links)[VG_CRISIS_LINK_CAP] = NULL;
    struct vg_mail_config cfg;
    struct mailbufs mb;
    struct vg_buf log;
    *out = NULL;
    bufs_init(&mb);
    vg_buf_init(&log, 2 * VG_CRISIS_MAX_TEXT);
    int rc = vg_store_tx_begin(st, d);
    if (rc == 0) {
        rc = open_crisis(st, id, &c, d);
        if (rc == 0)
            rc = rollcall_targets(st, id, c, pending_only, &targets, d);
        if (rc == 0)
            rc = vg_mail_config_load(st, &cfg, d);
        size_t n = json_array_size(targets), i;
        if (rc == 0 && (!(toks = vg_calloc(n, sizeof *toks)) ||
                        !(links = vg_calloc(n, sizeof *links)) || !called))
            rc = vg_diag_set(d, VG_ENOMEM, "", "out of memory");
        if (rc == 0) {
            make_tokens(targets, &cfg, toks, links);
            rc = pending_only ? vg_store_crisis_resend(st, who, id, toks, n, out, d)
                              : vg_store_crisis_rollcall(st, who, id, toks, n, out, d);
        }
        const json_t *m;
        json_array_foreach(targets, i, m) {
            if (rc)
                break;
            bufs_reset(&mb);
            vg_notify_crisis_rollcall(c, vg_json_str(m, "lang"), who->name, links[i], &mb.subject,
                                      &mb.text, &mb.html);
            sodium_memzero(links[i], sizeof links[i]);
            rc = queue_one(st, &cfg, id, vg_json_str(m, "email"), &mb.subject, &mb.text, &mb.html,
                           d);
            json_array_append_new(called,
                                  json_pack("{s:O,s:s,s:s}", "member_id", json_object_get(m, "id"),
                                            "name", vg_json_str(m, "name"), "email",
                                            vg_json_str(m, "email")));
        }
        if (rc == 0) {
            vg_buf_printf(&log, "Roll-call %lld %s by mail to %zu member(s)",
                          (long long)json_integer_value(json_object_get(*out, "rollcall")),
                          pending_only ? "re-sent (unanswered only)" : "sent", n);
            log_members(&log, called);
            rc = log_line(st, who, id, &log, d);
        }
        if (rc == 0) {
            json_object_set(*out, "called", called);
            json_object_set_new(*out, "resent", json_boolean(pending_only));
        }
        rc = tx_end(st, rc, out, d);
    }
    if (links)
        sodium_memzero(links, json_array_size(targets) * sizeof *links);
    free(links);
    free(toks);
    bufs_cleanup(&mb);
    vg_buf_cleanup(&log);
    json_decref(called);
    json_decref(targets);
    json_decref(c);
    return rc;
}

int vg_crisis_ack(struct vg_store *st, const char *token, json_t **out, struct vg_diag *d)
{
    unsigned char hash[crypto_hash_sha256_BYTES];
    size_t n = token ? strlen(token) : 0;
    *out = NULL;
    if (n != VG_CRISIS_TOKEN_LEN || strspn(token, "0123456789abcdef") != n)
        return vg_diag_set(d, VG_ENOENT, "token", "unknown token");
    crypto_hash_sha256(hash, (const unsigned char *)token, n);
    return vg_store_crisis_ack(st, hash, out, d);
}

int vg_crisis_pending(struct vg_store *st, long long id, long long after_minutes, json_t **out,
                      struct vg_diag *d)
{
    char before[VG_TIME_LEN];
    *out = NULL;
    if (after_minutes < 0 || after_minutes > 10080)
        return vg_diag_set(d, VG_EINVAL, "after_minutes",
                           "after_minutes must be an integer from 0 to 10080");
    vg_time_fmt(time(NULL) - (time_t)after_minutes * 60, before);
    int rc = vg_store_crisis_pending(st, id, before, out, d);
    if (rc == 0)
        json_object_set_new(*out, "after_minutes", json_integer(after_minutes));
    return rc;
}

/* The timelines of c's incidents: {"VIG-...": [entries]}; NULL on a store failure. With orgs,
 * also appends to it the organisation each incident concerns. */
static json_t *incident_timelines(struct vg_store *st, const json_t *c, json_t *orgs,
                                  struct vg_diag *d)
{
    json_t *all = json_object();
    size_t i;
    const json_t *ref;
    json_array_foreach(json_object_get(c, "incidents"), i, ref) {
        json_t *inc = NULL;
        int rc = vg_store_incident_get(st, json_string_value(ref), &inc);
        if (rc == VG_ENOENT)
            continue; /* grouped, then gone: the review says nothing of it */
        if (rc) {
            json_decref(all);
            vg_diag_set(d, rc, "", "cannot read incident %s", json_string_value(ref));
            return NULL;
        }
        json_object_set(all, json_string_value(ref), json_object_get(inc, "timeline"));
        if (orgs && json_integer_value(json_object_get(inc, "org")) > 0)
            json_array_append(orgs, json_object_get(inc, "org"));
        json_decref(inc);
    }
    return all;
}

int vg_crisis_close(struct vg_store *st, const struct vg_actor *who, long long id, const json_t *in,
                    json_t **out, struct vg_diag *d)
{
    json_t *closing = NULL, *c = NULL, *tl = NULL;
    char now[VG_TIME_LEN];
    struct vg_buf md;
    vg_buf_init(&md, 4 * 1024 * 1024);
    *out = NULL;
    int rc = vg_crisis_close_check(in, &closing, d);
    if (rc == 0 && (rc = vg_store_tx_begin(st, d)) == 0) {
        rc = open_crisis(st, id, &c, d);
        if (rc == 0 && !(tl = incident_timelines(st, c, NULL, d)))
            rc = VG_EIO;
        if (rc == 0) {
            vg_time_now(now);
            json_object_set_new(c, "closed", json_string(now));
            if (vg_crisis_review(c, closing, tl, &md) != 0)
                rc = vg_diag_set(d, VG_ETOOBIG, "", "the review is too large");
        }
        if (rc == 0)
            rc = vg_store_crisis_close(st, who, id, now, closing, md.data, out, d);
        rc = tx_end(st, rc, out, d);
    }
    vg_buf_cleanup(&md);
    json_decref(tl);
    json_decref(c);
    json_decref(closing);
    return rc;
}

/* The organisations crisis c's incidents concern: an array of ids; NULL on a store failure. */
static json_t *concerned_orgs(struct vg_store *st, const json_t *c, struct vg_diag *d)
{
    json_t *orgs = json_array(), *tl = incident_timelines(st, c, orgs, d);
    if (!tl) {
        json_decref(orgs);
        return NULL;
    }
    json_decref(tl);
    return orgs;
}

/* The version of sitrep number (version 0: its latest) in crisis c; NULL with d set
 * (VG_ENOENT naming "number" or "/version") when there is none. */
static const json_t *find_sitrep(const json_t *c, long long number, long long version,
                                 struct vg_diag *d)
{
    const json_t *found = NULL, *s;
    size_t i;
    json_array_foreach(json_object_get(c, "sitreps"), i, s) {
        long long n = json_integer_value(json_object_get(s, "number")),
                  v = json_integer_value(json_object_get(s, "version"));
        if (n == number && (version == 0 || v == version))
            found = s; /* by number then version: the last is the latest */
    }
    if (!found && version)
        vg_diag_set(d, VG_ENOENT, "/version", "sitrep %lld has no version %lld", number, version);
    else if (!found)
        vg_diag_set(d, VG_ENOENT, "number", "the crisis has no sitrep %lld", number);
    return found;
}

/* The max_tlp of the partner member m is linked to, if it exists and is enabled, into cap
 * bytes of buf; *max = buf or NULL. 0 or the store's error. */
static int partner_max(struct vg_store *st, const json_t *m, char *buf, size_t cap,
                       const char **max, struct vg_diag *d)
{
    json_t *p = NULL;
    *max = NULL;
    if (strcmp(vg_json_str(m, "kind"), "partner") != 0)
        return 0;
    int rc = vg_store_partner_get(st, json_integer_value(json_object_get(m, "partner_id")), &p);
    if (rc == 0 && !json_is_true(json_object_get(p, "disabled")) && vg_json_str(p, "max_tlp")) {
        snprintf(buf, cap, "%s", vg_json_str(p, "max_tlp"));
        *max = buf;
    }
    json_decref(p);
    return rc == VG_ENOENT ? 0 : rc ? vg_diag_set(d, rc, "", "cannot read a partner") : 0;
}

/* The HTML of a sitrep's Markdown md into out: rendered as the advisories are, or, over what
 * the renderer takes (VG_MAX_MARKDOWN), escaped in a <pre>. 0 or VG_ETOOBIG. */
static int sitrep_html(const char *md, struct vg_buf *out)
{
    size_t n = strlen(md);
    if (n <= VG_MAX_MARKDOWN)
        return vg_md_html(md, n, out);
    vg_buf_puts(out, "<pre>");
    vg_buf_put_html(out, md, n);
    vg_buf_puts(out, "</pre>\n");
    return out->failed ? VG_ETOOBIG : 0;
}

/* Sends sitrep s of crisis c to each member the TLP gate lets it go to, one message each;
 * fills sent and withheld and the log's text. */
static int send_sitrep(struct vg_store *st, const struct vg_mail_config *cfg, long long id,
                       const json_t *c, const json_t *s, json_t *sent, json_t *withheld,
                       struct vg_diag *d)
{
    json_t *orgs = concerned_orgs(st, c, d);
    struct vg_buf body;
    struct mailbufs mb;
    const char *md = vg_json_str(s, "body");
    if (!orgs)
        return VG_EIO;
    vg_buf_init(&body, SITREP_HTML_MAX);
    bufs_init(&mb);
    int rc = sitrep_html(md, &body)
                 ? vg_diag_set(d, VG_ETOOBIG, "body", "the sitrep cannot be rendered")
                 : 0;
    size_t i;
    const json_t *m;
    json_array_foreach(json_object_get(c, "members"), i, m) {
        char buf[32];
        const char *max, *why;
        if (rc || (rc = partner_max(st, m, buf, sizeof buf, &max, d)) != 0)
            break;
        json_t *who = json_pack("{s:O,s:s,s:s}", "member_id", json_object_get(m, "id"), "name",
                                vg_json_str(m, "name"), "email", vg_json_str(m, "email"));
        if (!vg_crisis_may_send(vg_json_str(s, "tlp"), m, max, orgs, &why)) {
            json_object_set_new(who, "reason", json_string(why));
            json_array_append_new(withheld, who);
            continue;
        }
        json_array_append_new(sent, who);
        bufs_reset(&mb);
        vg_notify_crisis_sitrep(c, s, vg_json_str(m, "lang"), body.data ? body.data : "",
                                &mb.subject, &mb.text, &mb.html);
        rc = queue_one(st, cfg, id, vg_json_str(m, "email"), &mb.subject, &mb.text, &mb.html, d);
    }
    bufs_cleanup(&mb);
    vg_buf_cleanup(&body);
    json_decref(orgs);
    return rc;
}

/* The log's line of a sitrep sent: who got it, who was withheld and why. */
static void sitrep_log(struct vg_buf *b, const json_t *s, const json_t *sent,
                       const json_t *withheld)
{
    vg_buf_printf(b, "Sitrep %lld v%lld [TLP:%s] sent by mail to %zu member(s)",
                  (long long)json_integer_value(json_object_get(s, "number")),
                  (long long)json_integer_value(json_object_get(s, "version")),
                  vg_json_str(s, "tlp"), json_array_size(sent));
    log_members(b, sent);
    vg_buf_printf(b, "; withheld from %zu", json_array_size(withheld));
    log_members(b, withheld);
}

int vg_crisis_sitrep_send(struct vg_store *st, const struct vg_actor *who, long long id,
                          const char *number, const json_t *in, json_t **out, struct vg_diag *d)
{
    static const char *const fields[] = {"version", NULL};
    json_t *c = NULL, *sent = json_array(), *withheld = json_array();
    const json_t *ver = json_object_get(in, "version");
    struct vg_mail_config cfg;
    struct vg_buf log;
    *out = NULL;
    vg_buf_init(&log, 2 * VG_CRISIS_MAX_TEXT);
    int rc = json_is_object(in) ? vg_json_check_fields(in, fields, "/", d)
                                : vg_diag_set(d, VG_EINVAL, "", "the body must be a JSON object");
    if (rc == 0 && ver &&
        (!json_is_integer(ver) || json_integer_value(ver) < 1 || json_integer_value(ver) > 1000000))
        rc = vg_diag_set(d, VG_EINVAL, "/version", "/version must be an integer from 1");
    if (rc == 0 && (rc = vg_store_tx_begin(st, d)) == 0) {
        const json_t *s = NULL;
        unsigned long long num = 0;
        rc = open_crisis(st, id, &c, d);
        if (rc == 0 && vg_str_to_u64(vg_str_c(number), 1, 1000000, &num) != 0) {
            struct vg_shown sh;
            rc = vg_diag_set(d, VG_ENOENT, "number", "no sitrep '%s'",
                             vg_shown(vg_str_c(number), 0, &sh));
        }
        if (rc == 0 && !(s = find_sitrep(c, (long long)num, ver ? json_integer_value(ver) : 0, d)))
            rc = VG_ENOENT;
        if (rc == 0 && vg_tlp_level(vg_json_str(s, "tlp")) == VG_TLP_RED)
            rc = vg_diag_set(d, VG_ECONFLICT, "tlp",
                             "a TLP:RED sitrep never leaves by mail: nothing was sent");
        if (rc == 0)
            rc = vg_mail_config_load(st, &cfg, d);
        if (rc == 0)
            rc = send_sitrep(st, &cfg, id, c, s, sent, withheld, d);
        if (rc == 0) {
            sitrep_log(&log, s, sent, withheld);
            rc = log_line(st, who, id, &log, d);
        }
        if (rc == 0)
            *out = json_pack("{s:O,s:O,s:O,s:O,s:O}", "number", json_object_get(s, "number"),
                             "version", json_object_get(s, "version"), "tlp",
                             json_object_get(s, "tlp"), "sent", sent, "withheld", withheld);
        rc = tx_end(st, rc, out, d);
    }
    vg_buf_cleanup(&log);
    json_decref(sent);
    json_decref(withheld);
    json_decref(c);
    return rc;
}

/* Sends the reminder of one due crisis (item of vg_store_crisis_scheduled) to its cell, in its
 * own transaction; n counted. */
static int remind_one(struct vg_store *st, const json_t *item, time_t now,
                      struct vg_crisis_tick_counts *n, struct vg_diag *d)
{
    long long id = json_integer_value(json_object_get(item, "id")),
              hours = json_integer_value(json_object_get(item, "sitrep_every_hours"));
    json_t *c = NULL;
    struct vg_mail_config cfg;
    struct mailbufs mb;
    struct vg_buf log;
    char when[VG_TIME_LEN];
    long cell = 0;
    vg_time_fmt(now, when);
    bufs_init(&mb);
    vg_buf_init(&log, 2 * VG_CRISIS_MAX_TEXT);
    bool gone = false;
    int rc = vg_store_tx_begin(st, d);
    if (rc == 0) {
        rc = open_crisis(st, id, &c, d);
        if (rc == VG_ECONFLICT || rc == VG_ENOENT) {
            gone = true; /* closed since it was listed: nothing to remind, not a failure */
            vg_diag_clear(d);
        }
        if (rc == 0)
            rc = vg_mail_config_load(st, &cfg, d);
        size_t i;
        const json_t *m;
        json_array_foreach(json_object_get(c, "members"), i, m) {
            if (rc || strcmp(vg_json_str(m, "role"), "cell") != 0)
                continue;
            bufs_reset(&mb);
            vg_notify_crisis_reminder(c, vg_json_str(m, "lang"), hours, vg_json_str(item, "base"),
                                      &mb.subject, &mb.text, &mb.html);
            rc = queue_one(st, &cfg, id, vg_json_str(m, "email"), &mb.subject, &mb.text, &mb.html,
                           d);
            cell++;
        }
        if (rc == 0) {
            vg_buf_printf(&log,
                          "Sitrep reminder (one every %lld h; last sitrep or opening at %s) sent "
                          "by mail to %ld cell member(s)",
                          hours, vg_json_str(item, "base"), cell);
            rc = log_line(st, &tick_actor, id, &log, d);
        }
        if (rc == 0)
            rc = vg_store_crisis_reminded(st, &tick_actor, id, when, d);
        rc = tx_end(st, rc, NULL, d);
    }
    if (gone)
        rc = 0;
    else if (rc == 0) {
        n->reminders++;
        n->messages += cell;
    }
    bufs_cleanup(&mb);
    vg_buf_cleanup(&log);
    json_decref(c);
    return rc;
}

int vg_crisis_tick(struct vg_store *st, time_t now, struct vg_crisis_tick_counts *n,
                   struct vg_diag *d)
{
    json_t *list = NULL;
    *n = (struct vg_crisis_tick_counts){0, 0, 0};
    int rc = vg_store_crisis_scheduled(st, &list, d);
    size_t i;
    const json_t *item;
    json_array_foreach(json_object_get(list, "items"), i, item) {
        if (rc)
            break;
        n->scheduled++;
        if (vg_crisis_reminder_due(vg_json_str(item, "base"), vg_json_str(item, "reminded"),
                                   json_integer_value(json_object_get(item, "sitrep_every_hours")),
                                   now))
            rc = remind_one(st, item, now, n, d);
    }
    json_decref(list);
    return rc;
}
