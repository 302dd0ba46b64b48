/* Digests, detection alerts and published advisories by mail (app/notify.h): the rounds that
 * take what is due and queue its mail in the same transaction, and the advisory's mail queued
 * in its publication's transaction. */
#include "app/notify.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/mail.h"
#include "core/product.h"
#include "core/tlp.h"
#include "notify/watchmail.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/mem.h"
#include "util/sort.h"
#include "util/str.h"
#include "util/time.h"

#define SUBJECT_MAX (4 * 1024)
#define TEXT_MAX    (1024 * 1024)
#define HTML_MAX    (2 * 1024 * 1024)

/* Writes the message of one language group: subject, text and HTML appended to the buffers. */
typedef int (*render_fn)(void *ctx, const char *lang, struct vg_buf *subject, struct vg_buf *text,
                         struct vg_buf *html);

/* Queues one message per non-empty language group of groups ({"fr":[..],"en":[..],"":[..]}),
 * rendered by fn; *messages grows by the number queued. 0, or an error in d. */
static int queue_groups(struct vg_store *st, const struct vg_mail_config *cfg, const char *kind,
                        const char *object, const json_t *groups, render_fn fn, void *ctx,
                        long *messages, struct vg_diag *d)
{
    static const char *const langs[] = {"fr", "en", ""};
    int rc = 0;
    for (size_t i = 0; i < sizeof langs / sizeof langs[0] && !rc; i++) {
        const json_t *to = json_object_get(groups, langs[i]);
        if (json_array_size(to) == 0)
            continue;
        struct vg_buf subject, text, html;
        vg_buf_init(&subject, SUBJECT_MAX);
        vg_buf_init(&text, TEXT_MAX);
        vg_buf_init(&html, HTML_MAX);
        rc = fn(ctx, langs[i], &subject, &text, &html);
        if (rc)
            rc = vg_diag_set(d, VG_ENOMEM, "", "cannot write the %s mail of %s", kind, object);
        else
            rc = vg_mail_queue(st, cfg, kind, object, NULL, to, subject.data, text.data, html.data,
                               NULL, d);
        if (!rc)
            (*messages)++;
        vg_buf_cleanup(&subject);
        vg_buf_cleanup(&text);
        vg_buf_cleanup(&html);
    }
    return rc;
}

/* The contacts of org taking kind, or *groups = NULL when there is nobody (no such
 * organisation, no contact, all opted out). 0, or an error in d. */
static int readers(struct vg_store *st, long long org, const char *kind, json_t **groups,
                   struct vg_diag *d)
{
    int rc = vg_mail_org_recipients(st, org, kind, groups, d);
    if (rc == VG_ENOENT)
        rc = 0;
    if (!rc && *groups && json_object_size(*groups) == 0) {
        json_decref(*groups);
        *groups = NULL;
    }
    return rc;
}

static bool gate(const char *tlp, long long concerns, long long org)
{
    struct vg_recipient r = {VG_RCPT_CONSTITUENT, VG_TLP_CLEAR, org, 0};
    return vg_tlp_may_send_name(tlp, concerns, &r);
}

/* Ends a use-case transaction: commits if rc is 0, else rolls back. */
static int tx_end(struct vg_store *st, int rc, struct vg_diag *d)
{
    if (rc == 0)
        return vg_store_tx_commit(st, d);
    vg_store_tx_rollback(st);
    return rc;
}

int vg_notify_digest_period(long long *seconds, struct vg_diag *d)
{
    const char *v = getenv("VIGIE_DIGEST_HOURS");
    unsigned long long h = VG_NOTIFY_DIGEST_HOURS;
    if (v && *v && vg_str_to_u64(vg_str_c(v), 0, 8760, &h) != 0)
        return vg_diag_set(d, VG_EINVAL, "VIGIE_DIGEST_HOURS",
                           "$VIGIE_DIGEST_HOURS must be a whole number of hours from 0 to 8760");
    *seconds = (long long)h * 3600;
    return 0;
}

/* ---- (a) digests ---- */

/* The digests' TLP: the findings say which products of one organisation are vulnerable. */
static const char DIGEST_TLP[] = "AMBER";

struct digest_ctx {
    const json_t *digest;
};

static int render_digest(void *ctx, const char *lang, struct vg_buf *subject, struct vg_buf *text,
                         struct vg_buf *html)
{
    const struct digest_ctx *c = ctx;
    return vg_watchmail_digest(c->digest, DIGEST_TLP, lang, VG_NOTIFY_DIGEST_LIST, subject, text,
                               html);
}

/* Takes and mails the digest of org in one transaction, if anybody reads it. */
static int digest_one(struct vg_store *st, const struct vg_mail_config *cfg, long long org,
                      struct vg_notify_counts *n, struct vg_diag *d)
{
    if (!gate(DIGEST_TLP, org, org))
        return 0;
    int rc = vg_store_tx_begin(st, d);
    if (rc)
        return rc;
    json_t *groups = NULL, *digest = NULL;
    bool taken = false;
    rc = readers(st, org, "digest", &groups, d);
    if (rc || !groups) /* nobody reads it: the digest is not taken */
        goto out;
    rc = vg_store_digest_take(st, org, &digest, d);
    if (rc || json_array_size(json_object_get(digest, "findings")) == 0) {
        rc = rc ? rc : VG_ENOENT; /* nothing new after all: nothing written */
        goto out;
    }
    char object[32];
    snprintf(object, sizeof object, "org:%lld", org);
    struct digest_ctx c = {digest};
    rc = queue_groups(st, cfg, "digest", object, groups, render_digest, &c, &n->messages, d);
    taken = true;
out:
    json_decref(groups);
    json_decref(digest);
    if (rc == VG_ENOENT) {
        vg_store_tx_rollback(st);
        return 0;
    }
    rc = tx_end(st, rc, d);
    if (!rc && taken)
        n->digests++;
    return rc;
}

static int digests(struct vg_store *st, const struct vg_mail_config *cfg, time_t now,
                   long long period, struct vg_notify_counts *n, struct vg_diag *d)
{
    json_t *pending = NULL;
    int rc = vg_store_notify_digest_pending(st, &pending, d);
    size_t i;
    json_t *p;
    json_array_foreach(pending, i, p) {
        if (rc)
            break;
        const char *last = vg_json_str(p, "last");
        time_t at;
        if (last && vg_time_parse(last, &at) == 0 && (long long)(now - at) < period)
            continue; /* its last digest is younger than the period */
        rc = digest_one(st, cfg, (long long)json_integer_value(json_object_get(p, "org")), n, d);
    }
    json_decref(pending);
    return rc;
}

/* ---- (b) detection alerts ---- */

struct alert_ctx {
    const char *name;
    const json_t *list;
    size_t more;
    const char *tlp;
};

static int render_alerts(void *ctx, const char *lang, struct vg_buf *subject, struct vg_buf *text,
                         struct vg_buf *html)
{
    const struct alert_ctx *c = ctx;
    return vg_watchmail_alerts(c->name, c->list, c->more, c->tlp, lang, subject, text, html);
}

/* Mails the alerts all[from, to) of organisation org and marks them handled, in one
 * transaction. */
static int alerts_one(struct vg_store *st, const struct vg_mail_config *cfg, long long org,
                      const json_t *all, size_t from, size_t to, struct vg_notify_counts *n,
                      struct vg_diag *d)
{
    int rc = vg_store_tx_begin(st, d);
    if (rc)
        return rc;
    json_t *groups = NULL, *o = NULL, *list = json_array();
    size_t sendable = 0;
    enum vg_tlp top = VG_TLP_CLEAR;
    rc = readers(st, org, "alert", &groups, d);
    for (size_t i = from; i < to && !rc && groups; i++) {
        const json_t *a = json_array_get(all, i);
        const char *tlp = vg_json_str(json_object_get(a, "indicator"), "tlp");
        if (!gate(tlp, org, org))
            continue; /* TLP:RED never leaves: handled, not mailed */
        sendable++;
        if (json_array_size(list) < VG_NOTIFY_ALERT_LIST) {
            json_array_append(list, (json_t *)a);
            if (vg_tlp_level(tlp) > top)
                top = vg_tlp_level(tlp);
        }
    }
    if (!rc && sendable) {
        rc = vg_store_org_get(st, org, &o);
        if (rc)
            rc = vg_diag_set(d, rc, "org", "cannot read organisation %lld", org);
    }
    if (!rc && sendable) {
        struct alert_ctx c = {vg_json_str(o, "name"), list, sendable - json_array_size(list),
                              vg_tlp_name(top)};
        char object[32];
        snprintf(object, sizeof object, "org:%lld", org);
        rc = queue_groups(st, cfg, "alert", object, groups, render_alerts, &c, &n->messages, d);
    }
    for (size_t i = from; i < to && !rc; i++)
        rc = vg_store_notify_alert_mailed(
            st, (long long)json_integer_value(json_object_get(json_array_get(all, i), "id")), d);
    json_decref(groups);
    json_decref(o);
    json_decref(list);
    rc = tx_end(st, rc, d);
    if (!rc) {
        n->alerts += (long)sendable;
        n->alerts_held += (long)(to - from - sendable);
    }
    return rc;
}

static int alerts(struct vg_store *st, const struct vg_mail_config *cfg, struct vg_notify_counts *n,
                  struct vg_diag *d)
{
    json_t *all = NULL;
    int rc = vg_store_notify_alerts_unmailed(st, VG_NOTIFY_ALERT_ROUND, &all, d);
    size_t i = 0, total = json_array_size(all);
    while (!rc && i < total) {
        long long org =
            (long long)json_integer_value(json_object_get(json_array_get(all, i), "org"));
        size_t j = i + 1;
        while (j < total &&
               json_integer_value(json_object_get(json_array_get(all, j), "org")) == org)
            j++;
        rc = alerts_one(st, cfg, org, all, i, j, n, d);
        i = j;
    }
    json_decref(all);
    return rc;
}

int vg_notify_round(struct vg_store *st, time_t now, struct vg_notify_counts *counts,
                    struct vg_diag *d)
{
    struct vg_notify_counts n = {0};
    struct vg_mail_config cfg;
    long long period;
    int rc = vg_notify_digest_period(&period, d);
    if (!rc)
        rc = vg_mail_config_load(st, &cfg, d);
    if (!rc)
        rc = digests(st, &cfg, now, period, &n, d);
    if (!rc)
        rc = alerts(st, &cfg, &n, d);
    if (counts)
        *counts = n;
    return rc;
}

/* ---- (c) advisories ---- */

struct holders {
    json_t *names;    /* {name key: true} of the advisory's affected products */
    json_t *products; /* {"org id": [cpe...]} of the organisations holding one */
};

static int holder(void *ctx, long long org, const char *cpe)
{
    struct holders *h = ctx;
    char key[VG_PRODUCT_KEY_MAX + 1], id[32];
    if (vg_product_key_cpe23(cpe, key, sizeof key) < 0 || !json_object_get(h->names, key))
        return 0; /* a product without a name key, or another product of the organisation */
    snprintf(id, sizeof id, "%lld", org);
    json_t *l = json_object_get(h->products, id);
    if (!l) {
        l = json_array();
        json_object_set_new(h->products, id, l);
    }
    return json_array_append_new(l, json_string(cpe)) ? VG_ENOMEM : 0;
}

/* The name keys of the advisory's affected systems (their CPE, else vendor and product). */
static json_t *affected_keys(const json_t *content)
{
    json_t *names = json_object();
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(content, "affected_systems"), i, s) {
        char key[VG_PRODUCT_KEY_MAX + 1];
        const char *cpe = vg_json_str(s, "cpe"), *vendor = vg_json_str(s, "vendor"),
                   *product = vg_json_str(s, "product");
        long len = cpe ? vg_product_key_cpe23(cpe, key, sizeof key) : -1;
        if (len < 0 && vendor && product)
            len = vg_product_key(vg_str_c(vendor), vg_str_c(product), VG_PRODUCT_PLAIN, key,
                                 sizeof key);
        if (len > 0)
            json_object_set_new(names, key, json_true());
    }
    return names;
}

static bool concerned(const json_t *rec, long long org)
{
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(json_object_get(rec, "internal"), "constituents"), i, c) {
        if (json_integer_value(json_object_get(c, "org")) == org)
            return true;
    }
    return false;
}

struct advisory_ctx {
    const json_t *view;
    const json_t *products;
    const char *link;
};

static int render_advisory(void *ctx, const char *lang, struct vg_buf *subject, struct vg_buf *text,
                           struct vg_buf *html)
{
    const struct advisory_ctx *c = ctx;
    return vg_watchmail_advisory(c->view, c->products, c->link, lang, subject, text, html);
}

static int cmp_ll(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

/* Queues the advisory's mail to each holder of h, by organisation id. */
static int advisory_mails(struct vg_store *st, const json_t *rec, const json_t *view,
                          const struct holders *h, long *queued, struct vg_diag *d)
{
    const char *tlp = vg_json_str(view, "tlp"), *ref = vg_json_str(view, "ref");
    size_t norg = json_object_size(h->products), k = 0;
    long long *orgs = vg_malloc((norg ? norg : 1) * sizeof *orgs);
    if (!orgs)
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    const char *id;
    json_t *l;
    json_object_foreach((json_t *)h->products, id, l) {
        orgs[k++] = strtoll(id, NULL, 10);
    }
    vg_sort(orgs, norg, sizeof *orgs, cmp_ll);
    struct vg_mail_config cfg;
    int rc = vg_mail_config_load(st, &cfg, d);
    char link[1024] = "";
    if (vg_tlp_level(tlp) == VG_TLP_CLEAR)
        snprintf(link, sizeof link, "%s/advisories/%s/", cfg.public_url, ref);
    for (size_t i = 0; i < norg && !rc; i++) {
        long long org = orgs[i];
        if (!gate(tlp, concerned(rec, org) ? org : 0, org))
            continue;
        json_t *groups = NULL;
        rc = readers(st, org, "advisory", &groups, d);
        if (rc || !groups)
            continue;
        char key[32];
        snprintf(key, sizeof key, "%lld", org);
        struct advisory_ctx c = {view, json_object_get(h->products, key), link};
        rc = queue_groups(st, &cfg, "advisory", ref, groups, render_advisory, &c, queued, d);
        json_decref(groups);
    }
    free(orgs);
    return rc;
}

int vg_notify_advisory_published(struct vg_store *st, const json_t *rec, long *queued,
                                 struct vg_diag *d)
{
    long dummy = 0;
    if (!queued)
        queued = &dummy;
    *queued = 0;
    const json_t *content = json_object_get(rec, "published");
    const char *ref = vg_json_str(rec, "ref");
    if (!json_is_object(content) || !ref)
        return 0;
    /* RED never leaves: no need to look further */
    if (vg_tlp_level(vg_json_str(content, "tlp")) == VG_TLP_RED)
        return 0;
    unsigned long before = vg_mem_thread_failures();
    struct holders h = {affected_keys(content), json_object()};
    json_t *view = json_deep_copy(content);
    json_object_set_new(view, "ref", json_string(ref));
    int rc = 0;
    size_t n = json_object_size(h.names);
    const char **names = vg_malloc((n ? n : 1) * sizeof *names);
    if (!names || !h.products || !view || vg_mem_thread_failures() != before) {
        rc = vg_diag_set(d, VG_ENOMEM, "", "out of memory");
        goto out;
    }
    const char *key;
    json_t *v;
    size_t k = 0;
    json_object_foreach(h.names, key, v) {
        names[k++] = key;
    }
    if (n) {
        rc = vg_store_vuln_products_for_names(st, names, n, false, holder, &h);
        if (rc)
            rc = vg_diag_set(d, rc, "", "cannot read the organisations' products");
    }
    if (!rc)
        rc = advisory_mails(st, rec, view, &h, queued, d);
out:
    free(names);
    json_decref(view);
    json_decref(h.names);
    json_decref(h.products);
    return rc;
}
