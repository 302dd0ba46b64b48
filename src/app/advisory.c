/* The advisories' workflow (app/advisory.h): each step reads the record, decides from its
 * state (draft, review, published; the pending text's authors for the four-eyes rule) and
 * writes the new state, in one store transaction so that two analysts acting at once cannot
 * both pass a check that only one should. */
#include "app/advisory.h"

#include "advisory/csaf.h"

#include <stdio.h>
#include <string.h>

#include "app/notify.h"
#include "advisory/model.h"
#include "util/json.h"
#include "util/limits.h"
#include "util/str.h"
#include "util/mem.h"
#include "util/time.h"

/* The content fields of an advisory (what vg_advisory_check gives). */
static const char *const content_fields[] = {
    "kind", "title",   "tlp",      "lang",       "risks", "affected_systems",
    "cves", "summary", "solution", "references",
};
#define NCONTENT (sizeof content_fields / sizeof content_fields[0])

static const char *const first_version = "Version initiale";
static const char *const closing = "Clôture de l'alerte";

/* Copies the content fields of from into to. */
static void copy_content(json_t *to, const json_t *from)
{
    for (size_t i = 0; i < NCONTENT; i++) {
        json_t *v = json_object_get(from, content_fields[i]);
        if (v && !json_is_null(v))
            json_object_set(to, content_fields[i], v);
    }
}

/* The revisions of rec as published: {version, date, description} each. */
static json_t *public_revisions(const json_t *rec)
{
    json_t *out = json_array(), *r;
    size_t i;
    json_array_foreach(json_object_get(rec, "revisions"), i, r) {
        json_array_append_new(out,
                              json_pack("{s:O,s:O,s:O}", "version", json_object_get(r, "version"),
                                        "date", json_object_get(r, "date"), "description",
                                        json_object_get(r, "description")));
    }
    return out;
}

/* What a record publishes: its reference, state and dates with content (the published one, or
 * the one about to be), in the form vg_advisory_from_json reads. Nothing internal. */
static json_t *published_view(const json_t *rec, const json_t *content)
{
    json_t *v = json_object();
    static const char *const meta[] = {"ref",        "status",     "version",
                                       "created_at", "updated_at", "closed_at"};
    for (size_t i = 0; i < sizeof meta / sizeof meta[0]; i++) {
        json_t *x = json_object_get(rec, meta[i]);
        if (x && !json_is_null(x))
            json_object_set(v, meta[i], x);
    }
    copy_content(v, content);
    json_object_set_new(v, "revisions", public_revisions(rec));
    return v;
}

/* The version about to be published (or closed), as the writers will take it: its CSAF 2.0
 * document must pass the checker (advisory/csaf.h), or the publication is refused naming the
 * failing test and its JSON pointer. The document is made with a stand-in publisher: the
 * site's own (served or written by app/publication.c) is checked again when rendered. Guides
 * are not security advisories: they have no CSAF document. 0, or an error in d. */
static int check_publication(const json_t *view, struct vg_diag *d)
{
    unsigned long before = vg_mem_thread_failures();
    struct vg_advisory a;
    int rc = vg_advisory_from_json(view, &a, d);
    if (rc)
        return rc;
    if (a.kind != VG_ADV_GUIDE) {
        static const struct vg_adv_site check_site = {.name = "vigie",
                                                      .namespace = "https://vigie.invalid",
                                                      .base_url = "https://vigie.invalid",
                                                      .lang = "fr",
                                                      .generator = "vigie"};
        json_t *doc = NULL;
        rc = vg_csaf_document(&a, &check_site, &doc, d);
        struct vg_csaf_report rep = {0};
        if (rc == 0 && vg_csaf_check(doc, &rep) > 0) {
            const struct vg_csaf_issue *it = &rep.items[0];
            rc = vg_diag_set(d, VG_EINVAL, it->pointer,
                             "its CSAF 2.0 document would fail test %s at '%s': %s (%zu "
                             "failure%s in all)",
                             it->test, it->pointer, it->message, rep.n, rep.n > 1 ? "s" : "");
        }
        vg_csaf_report_free(&rep);
        json_decref(doc);
    }
    vg_advisory_free(&a);
    /* memory that ran out is not the advisory's fault, whatever the writer or checker made of
     * it */
    if (vg_mem_thread_failures() != before)
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory while checking the CSAF document");
    return rc;
}

/* The API's answer for a stored record. */
static json_t *answer(const json_t *rec)
{
    static const char *const meta[] = {"ref",
                                       "kind",
                                       "status",
                                       "version",
                                       "year",
                                       "published",
                                       "pending_description",
                                       "created_at",
                                       "updated_at",
                                       "published_at",
                                       "last_published_at",
                                       "closed_at"};
    json_t *a = json_object(), *x;
    for (size_t i = 0; i < sizeof meta / sizeof meta[0]; i++)
        if ((x = json_object_get(rec, meta[i])) != NULL)
            json_object_set(a, meta[i], x);
    const json_t *draft = json_object_get(rec, "draft");
    copy_content(a, json_is_object(draft) ? draft : json_object_get(rec, "published"));
    json_object_set(a, "revisions", json_object_get(rec, "revisions"));
    json_t *names = json_array(), *au;
    size_t i;
    json_array_foreach(json_object_get(rec, "authors"), i, au)
        json_array_append(names, json_object_get(au, "name"));
    json_object_set_new(a, "authors", names);
    x = json_object_get(rec, "internal");
    if (json_is_object(x))
        json_object_set(a, "internal", x);
    return a;
}

/* VG_ENOMEM if an allocation of this thread failed since before (jansson's setters do not
 * say), else 0: what a step built is then incomplete and must not be stored nor answered. */
static int oom_since(unsigned long before, struct vg_diag *d)
{
    return vg_mem_thread_failures() == before ? 0 : vg_diag_set(d, VG_ENOMEM, "", "out of memory");
}

/* Turns a stored record (rc 0) into the answer. */
static int answered(int rc, json_t *rec, json_t **out, struct vg_diag *d)
{
    if (rc == 0) {
        unsigned long before = vg_mem_thread_failures();
        *out = answer(rec);
        json_decref(rec);
        if ((rc = oom_since(before, d)) != 0) {
            json_decref(*out);
            *out = NULL;
        }
    }
    return rc;
}

/* Stores the state a step built, unless building it ran out of memory (since before). */
static int save(struct vg_store *st, const struct vg_actor *who, const char *ref,
                const json_t *state, const json_t *revision, const char *action,
                const json_t *detail, json_t **out, unsigned long before, struct vg_diag *d)
{
    int rc = oom_since(before, d);
    return rc ? rc : vg_store_advisory_save(st, who, ref, state, revision, action, detail, out, d);
}

/* Opens the step's transaction and reads ref into *rec. */
static int step_begin(struct vg_store *st, const char *ref, json_t **rec, struct vg_diag *d)
{
    int rc = vg_store_tx_begin(st, d);
    if (rc)
        return rc;
    rc = vg_store_advisory_get(st, ref, rec);
    if (rc) {
        vg_store_tx_rollback(st);
        return rc == VG_ENOENT ? vg_diag_set(d, VG_ENOENT, "ref", "no advisory %s", ref)
                               : vg_diag_set(d, rc, "", "cannot read advisory %s", ref);
    }
    return 0;
}

/* Ends it: commits if rc is 0, else rolls back; frees rec. */
static int step_end(struct vg_store *st, int rc, json_t *rec, struct vg_diag *d)
{
    json_decref(rec);
    if (rc == 0)
        return vg_store_tx_commit(st, d);
    vg_store_tx_rollback(st);
    return rc;
}

/* Ends a step that saved (rc 0) the record saved: its answer is built before the commit, so
 * that a step that answers an error has written nothing. */
static int finish(struct vg_store *st, int rc, json_t *rec, json_t *saved, json_t **out,
                  struct vg_diag *d)
{
    *out = NULL;
    if (rc == 0)
        rc = answered(0, saved, out, d);
    else
        json_decref(saved);
    rc = step_end(st, rc, rec, d);
    if (rc) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

static const char *status_of(const json_t *rec)
{
    const char *s = vg_json_str(rec, "status");
    return s ? s : "";
}

static long long version_of(const json_t *rec)
{
    return (long long)json_integer_value(json_object_get(rec, "version"));
}

static bool has_author(const json_t *authors, long long id)
{
    size_t i;
    json_t *a;
    json_array_foreach(authors, i, a) {
        if (json_integer_value(json_object_get(a, "id")) == id)
            return true;
    }
    return false;
}

/* The names of the authors, joined, for a message. */
static void author_names(const json_t *authors, char *out, size_t cap)
{
    size_t i, len = 0;
    json_t *a;
    out[0] = '\0';
    json_array_foreach(authors, i, a) {
        int n = snprintf(out + len, cap - len, "%s%s", i ? ", " : "", vg_json_str(a, "name"));
        if (n < 0 || (size_t)n >= cap - len)
            break;
        len += (size_t)n;
    }
}

int vg_advisory_create(struct vg_store *st, const struct vg_actor *who, const json_t *in,
                       json_t **out, struct vg_diag *d)
{
    json_t *content = NULL, *rec = NULL;
    int rc = vg_advisory_check(in, false, &content, d);
    if (rc)
        return rc;
    enum vg_adv_kind kind = VG_ADV_AVIS;
    vg_adv_kind_parse(vg_json_str(content, "kind"), &kind);
    if ((rc = vg_store_tx_begin(st, d)) == 0) {
        rc = vg_store_advisory_create(st, who, content, vg_adv_kind_code(kind), vg_time_year(),
                                      NULL, &rec, d);
        rc = finish(st, rc, NULL, rec, out, d);
    }
    json_decref(content);
    return rc;
}

int vg_advisory_get(struct vg_store *st, const char *ref, json_t **out, struct vg_diag *d)
{
    json_t *rec = NULL;
    int rc = vg_store_advisory_get(st, ref, &rec);
    if (rc)
        return rc == VG_ENOENT ? vg_diag_set(d, VG_ENOENT, "ref", "no advisory %s", ref)
                               : vg_diag_set(d, rc, "", "cannot read advisory %s", ref);
    return answered(0, rec, out, d);
}

int vg_advisory_list(struct vg_store *st, const json_t *filters, const struct vg_page *page,
                     json_t **out, struct vg_diag *d)
{
    return vg_store_advisory_list(st, filters, page, out, d);
}

/* The fields of rec that a save writes, copied (the step then changes some). */
static json_t *state_of(const json_t *rec)
{
    static const char *const keys[] = {"status",
                                       "version",
                                       "published",
                                       "draft",
                                       "pending_description",
                                       "authors",
                                       "internal",
                                       "published_at",
                                       "last_published_at",
                                       "closed_at"};
    json_t *s = json_object(), *x;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if ((x = json_object_get(rec, keys[i])) != NULL)
            json_object_set_new(s, keys[i], json_deep_copy(x));
    return s;
}

/* Checks a change of the pending text: the kind cannot change. */
static int check_change(const json_t *in, const json_t *text, json_t **patch, struct vg_diag *d)
{
    int rc = vg_advisory_check(in, true, patch, d);
    if (rc)
        return rc;
    const char *kind = vg_json_str(*patch, "kind");
    if (kind && strcmp(kind, vg_json_str(text, "kind") ? vg_json_str(text, "kind") : "") != 0) {
        json_decref(*patch);
        *patch = NULL;
        return vg_diag_set(d, VG_EINVAL, "/kind",
                           "/kind cannot change: it is part of the reference (create another "
                           "advisory)");
    }
    return 0;
}

int vg_advisory_patch(struct vg_store *st, const struct vg_actor *who, const char *ref,
                      const json_t *in, json_t **out, struct vg_diag *d)
{
    unsigned long before = vg_mem_thread_failures();
    json_t *rec = NULL, *patch = NULL, *saved = NULL;
    int rc = step_begin(st, ref, &rec, d);
    if (rc)
        return rc;
    const char *status = status_of(rec);
    json_t *draft = json_object_get(rec, "draft");
    if (strcmp(status, "published") == 0 || !json_is_object(draft)) {
        rc = vg_diag_set(d, VG_ECONFLICT, "status",
                         "advisory %s is published: a published text is never edited in "
                         "place; open a revision (POST /api/v1/advisories/%s/revisions)",
                         ref, ref);
        return step_end(st, rc, rec, d);
    }
    if ((rc = check_change(in, draft, &patch, d)) != 0)
        return step_end(st, rc, rec, d);
    if (json_object_size(patch) == 0) {
        json_decref(patch);
        return step_end(st, vg_diag_set(d, VG_EINVAL, "", "nothing to change"), rec, d);
    }
    json_t *state = state_of(rec);
    json_t *text = json_object_get(state, "draft");
    json_object_update(text, patch);
    json_t *authors = json_object_get(state, "authors");
    if (!json_is_array(authors)) {
        authors = json_array();
        json_object_set_new(state, "authors", authors);
    }
    if (!has_author(authors, who->user_id))
        json_array_append_new(authors, json_pack("{s:I,s:s}", "id", (json_int_t)who->user_id,
                                                 "name", who->name));
    json_t *detail = json_pack("{s:s,s:O}", "status", status, "changes", patch);
    rc = save(st, who, ref, state, NULL, "advisory.patch", detail, &saved, before, d);
    json_decref(detail);
    json_decref(state);
    json_decref(patch);
    return finish(st, rc, rec, saved, out, d);
}

int vg_advisory_submit(struct vg_store *st, const struct vg_actor *who, const char *ref,
                       json_t **out, struct vg_diag *d)
{
    unsigned long before = vg_mem_thread_failures();
    json_t *rec = NULL, *saved = NULL;
    int rc = step_begin(st, ref, &rec, d);
    if (rc)
        return rc;
    const char *status = status_of(rec);
    if (strcmp(status, "draft") != 0) {
        rc = vg_diag_set(d, VG_ECONFLICT, "status",
                         strcmp(status, "review") == 0
                             ? "advisory %s is already in review: publish it"
                             : "advisory %s is published: open a revision to change it",
                         ref);
        return step_end(st, rc, rec, d);
    }
    json_t *state = state_of(rec);
    json_object_set_new(state, "status", json_string("review"));
    json_t *detail = json_pack("{s:s,s:s}", "from", "draft", "to", "review");
    rc = save(st, who, ref, state, NULL, "advisory.submit", detail, &saved, before, d);
    json_decref(detail);
    json_decref(state);
    return finish(st, rc, rec, saved, out, d);
}

/* What rec will publish as its next version: content as version, published at now with a
 * revision saying description (and closed at closed_at, if not NULL), in the form
 * published_view gives. Used by the publication's check and by the preview. */
static json_t *next_view(const json_t *rec, const json_t *content, long long version,
                         const char *now, const char *description, const char *closed_at)
{
    json_t *next = json_deep_copy(rec);
    if (!next)
        return NULL;
    json_object_set_new(next, "status", json_string("published"));
    json_object_set_new(next, "version", json_integer(version));
    if (closed_at)
        json_object_set_new(next, "closed_at", json_string(closed_at));
    json_t *revs = json_object_get(next, "revisions");
    if (!json_is_array(revs)) {
        revs = json_array();
        json_object_set_new(next, "revisions", revs);
    }
    json_array_append_new(revs, json_pack("{s:I,s:s,s:s}", "version", (json_int_t)version, "date",
                                          now, "description", description));
    json_object_set_new(next, "updated_at", json_string(now));
    json_t *view = published_view(next, content);
    json_decref(next);
    return view;
}

/* The description of the revision publishing rec's pending text would write. */
static const char *publish_description(const json_t *rec)
{
    const char *pending = vg_json_str(rec, "pending_description");
    return version_of(rec) == 0 || !pending ? first_version : pending;
}

/* Writes a new published version of rec: content published (the pending text, or for a
 * closing the published one with closed_at), version + 1, a revision saying description.
 * The version is checked by check_publication first. */
static int publish_version(struct vg_store *st, const struct vg_actor *who, const char *ref,
                           const json_t *rec, const json_t *content, const char *description,
                           const char *closed_at, const char *action, json_t *detail,
                           json_t **saved, unsigned long before, struct vg_diag *d)
{
    char now[VG_TIME_LEN];
    if (closed_at) /* the closing's revision is dated when the alert closed */
        snprintf(now, sizeof now, "%s", closed_at);
    else
        vg_time_now(now);
    long long version = version_of(rec) + 1;
    json_t *state = state_of(rec);
    json_object_set_new(state, "status", json_string("published"));
    json_object_set_new(state, "version", json_integer(version));
    json_object_set(state, "published", (json_t *)content);
    json_object_set_new(state, "draft", json_null());
    json_object_set_new(state, "pending_description", json_null());
    json_object_set_new(state, "authors", json_array());
    if (!vg_json_str(rec, "published_at"))
        json_object_set_new(state, "published_at", json_string(now));
    json_object_set_new(state, "last_published_at", json_string(now));
    if (closed_at)
        json_object_set_new(state, "closed_at", json_string(closed_at));
    json_t *revision =
        json_pack("{s:I,s:s,s:s,s:O,s:O,s:s}", "version", (json_int_t)version, "date", now,
                  "description", description, "content", content, "authors",
                  json_object_get(rec, "authors"), "publisher", who->name);
    json_t *view = next_view(rec, content, version, now, description, closed_at);
    int rc = oom_since(before, d);
    if (rc == 0)
        rc = check_publication(view, d);
    json_decref(view);
    json_object_set_new(detail, "version", json_integer(version));
    json_object_set_new(detail, "description", json_string(description));
    if (rc == 0)
        rc = save(st, who, ref, state, revision, action, detail, saved, before, d);
    json_decref(revision);
    json_decref(state);
    return rc;
}

int vg_advisory_publish(struct vg_store *st, const struct vg_actor *who, const char *ref,
                        json_t **out, struct vg_diag *d)
{
    unsigned long before = vg_mem_thread_failures();
    json_t *rec = NULL, *saved = NULL;
    int rc = step_begin(st, ref, &rec, d);
    if (rc)
        return rc;
    const char *status = status_of(rec);
    if (strcmp(status, "review") != 0) {
        rc = vg_diag_set(d, VG_ECONFLICT, "status",
                         strcmp(status, "draft") == 0
                             ? "advisory %s is a draft: submit it for review first"
                             : "advisory %s is published and has no pending revision",
                         ref);
        return step_end(st, rc, rec, d);
    }
    const json_t *authors = json_object_get(rec, "authors");
    bool own = has_author(authors, who->user_id);
    if (own && !st->config.single_analyst) {
        char names[256];
        author_names(authors, names, sizeof names);
        rc = vg_diag_set(d, VG_EPERM, "",
                         "four eyes: %s wrote this text of %s (authors: %s); another analyst "
                         "must publish it",
                         who->name, ref, names);
        return step_end(st, rc, rec, d);
    }
    const char *desc = publish_description(rec);
    json_t *detail = json_pack("{s:b}", "single_analyst", own);
    rc = publish_version(st, who, ref, rec, json_object_get(rec, "draft"), desc, NULL,
                         "advisory.publish", detail, &saved, before, d);
    json_decref(detail);
    /* the first publication mails the holders of its products, in the same transaction; a
     * revision is published here too but does not mail again (docs/MAIL.md) */
    if (rc == 0 && !json_is_object(json_object_get(rec, "published")))
        rc = vg_notify_advisory_published(st, saved, NULL, d);
    return finish(st, rc, rec, saved, out, d);
}

/* The description of a revision or a closing at in's "description": 0 and *out (NULL when
 * absent and not required), or VG_EINVAL / VG_ETOOBIG. */
static int read_description(const json_t *in, bool required, const char **out, struct vg_diag *d)
{
    const json_t *v = json_object_get(in, "description");
    *out = NULL;
    if (!v)
        return required ? vg_diag_set(d, VG_EINVAL, "/description",
                                      "/description is required: say what the revision changes")
                        : 0;
    if (!json_is_string(v) || json_string_length(v) == 0)
        return vg_diag_set(d, VG_EINVAL, "/description", "/description must be a non-empty string");
    if (json_string_length(v) > VG_ADV_MAX_DESC)
        return vg_diag_set(d, VG_ETOOBIG, "/description", "/description is longer than %d bytes",
                           VG_ADV_MAX_DESC);
    const char *s = json_string_value(v);
    for (size_t i = 0; s[i]; i++)
        if ((unsigned char)s[i] < 0x20)
            return vg_diag_set(d, VG_EINVAL, "/description",
                               "/description holds a control character at byte %zu", i);
    *out = s;
    return 0;
}

int vg_advisory_revise(struct vg_store *st, const struct vg_actor *who, const char *ref,
                       const json_t *in, json_t **out, struct vg_diag *d)
{
    unsigned long before = vg_mem_thread_failures();
    json_t *rec = NULL, *patch = NULL, *saved = NULL;
    const char *desc;
    if (!json_is_object(in))
        return vg_diag_set(d, VG_EINVAL, "", "the body must be a JSON object");
    json_t *changes = json_deep_copy(in);
    if (!changes)
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    json_object_del(changes, "description");
    int rc = vg_advisory_check(changes, true, &patch, d); /* unknown fields first */
    json_decref(changes);
    json_decref(patch);
    patch = NULL;
    if (rc || (rc = read_description(in, true, &desc, d)) != 0)
        return rc;
    if ((rc = step_begin(st, ref, &rec, d)) != 0)
        return rc;
    const json_t *published = json_object_get(rec, "published");
    if (strcmp(status_of(rec), "published") != 0 || !json_is_object(published)) {
        rc = vg_diag_set(d, VG_ECONFLICT, "status",
                         version_of(rec) > 0
                             ? "advisory %s already has a pending revision: edit it (PATCH)"
                             : "advisory %s is not published yet: edit its draft (PATCH)",
                         ref);
        return step_end(st, rc, rec, d);
    }
    changes = json_deep_copy(in);
    json_object_del(changes, "description");
    rc = changes ? check_change(changes, published, &patch, d)
                 : vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    json_decref(changes);
    if (rc)
        return step_end(st, rc, rec, d);
    json_t *state = state_of(rec), *text = json_deep_copy(published);
    json_object_update(text, patch);
    json_object_set_new(state, "status", json_string("draft"));
    json_object_set_new(state, "draft", text);
    json_object_set_new(state, "pending_description", json_string(desc));
    json_object_set_new(state, "authors",
                        json_pack("[{s:I,s:s}]", "id", (json_int_t)who->user_id, "name",
                                  who->name));
    json_t *detail = json_pack("{s:s,s:O}", "description", desc, "changes", patch);
    rc = save(st, who, ref, state, NULL, "advisory.revise", detail, &saved, before, d);
    json_decref(detail);
    json_decref(state);
    json_decref(patch);
    return finish(st, rc, rec, saved, out, d);
}

int vg_advisory_close(struct vg_store *st, const struct vg_actor *who, const char *ref,
                      const json_t *in, json_t **out, struct vg_diag *d)
{
    unsigned long before = vg_mem_thread_failures();
    static const char *const fields[] = {"description", NULL};
    json_t *rec = NULL, *saved = NULL;
    const char *desc = NULL;
    int rc = 0;
    if (in && (!json_is_object(in) || (rc = vg_json_check_fields(in, fields, "/", d)) != 0))
        return rc ? rc : vg_diag_set(d, VG_EINVAL, "", "the body must be a JSON object");
    if (in && (rc = read_description(in, false, &desc, d)) != 0)
        return rc;
    if ((rc = step_begin(st, ref, &rec, d)) != 0)
        return rc;
    const char *kind = vg_json_str(rec, "kind");
    if (!kind || strcmp(kind, "alerte") != 0)
        rc = vg_diag_set(d, VG_ECONFLICT, "kind",
                         "advisory %s is of kind %s: only an alert (alerte) is closed", ref,
                         kind ? kind : "?");
    else if (vg_json_str(rec, "closed_at"))
        rc = vg_diag_set(d, VG_ECONFLICT, "closed_at", "alert %s was closed at %s", ref,
                         vg_json_str(rec, "closed_at"));
    else if (strcmp(status_of(rec), "published") != 0)
        rc = vg_diag_set(d, VG_ECONFLICT, "status",
                         version_of(rec) > 0
                             ? "alert %s has a pending revision: publish it before closing"
                             : "alert %s is not published: only a published alert is closed",
                         ref);
    if (rc)
        return step_end(st, rc, rec, d);
    char now[VG_TIME_LEN];
    vg_time_now(now);
    json_t *detail = json_object();
    rc = publish_version(st, who, ref, rec, json_object_get(rec, "published"),
                         desc ? desc : closing, now, "advisory.close", detail, &saved, before, d);
    json_decref(detail);
    return finish(st, rc, rec, saved, out, d);
}

int vg_advisory_published_of(const json_t *rec, struct vg_advisory *out, struct vg_diag *d)
{
    const json_t *published = json_object_get(rec, "published");
    if (!json_is_object(published))
        return vg_diag_set(d, VG_ENOENT, "ref", "advisory %s has published nothing",
                           vg_json_str(rec, "ref") ? vg_json_str(rec, "ref") : "?");
    unsigned long before = vg_mem_thread_failures();
    json_t *view = published_view(rec, published);
    json_object_set_new(view, "status", json_string("published"));
    int rc = oom_since(before, d);
    if (rc == 0)
        rc = vg_advisory_from_json(view, out, d);
    json_decref(view);
    return rc;
}

int vg_advisory_published(struct vg_store *st, const char *ref, struct vg_advisory *out,
                          struct vg_diag *d)
{
    json_t *rec = NULL;
    int rc = vg_store_advisory_get(st, ref, &rec);
    if (rc)
        return rc == VG_ENOENT ? vg_diag_set(d, VG_ENOENT, "ref", "no advisory %s", ref)
                               : vg_diag_set(d, rc, "", "cannot read advisory %s", ref);
    rc = vg_advisory_published_of(rec, out, d);
    json_decref(rec);
    return rc;
}

int vg_advisory_list_filters(const char *kind, const char *status, const char *year, const char *q,
                             json_t **out, struct vg_diag *d)
{
    enum vg_adv_kind k;
    enum vg_adv_status s;
    unsigned long long y = 0;
    *out = NULL;
    if (kind && vg_adv_kind_parse(kind, &k) != 0)
        return vg_diag_set(d, VG_EINVAL, "kind",
                           "kind must be one of: avis, alerte, actualite, cti, ioc, durcissement, "
                           "fiche-reflexe, guide");
    if (status && vg_adv_status_parse(status, &s) != 0)
        return vg_diag_set(d, VG_EINVAL, "status",
                           "status must be one of: draft, review, "
                           "published");
    if (year && vg_str_to_u64(vg_str_c(year), 1, 9999, &y) != 0)
        return vg_diag_set(d, VG_EINVAL, "year", "year must be a year from 1 to 9999");
    if (q && (strlen(q) == 0 || strlen(q) > VG_MAX_NAME))
        return vg_diag_set(d, VG_EINVAL, "q", "q must be 1 to %d bytes", VG_MAX_NAME);
    unsigned long before = vg_mem_thread_failures();
    json_t *f = json_object();
    if (kind)
        json_object_set_new(f, "kind", json_string(kind));
    if (status)
        json_object_set_new(f, "status", json_string(status));
    if (year)
        json_object_set_new(f, "year", json_integer((json_int_t)y));
    if (q)
        json_object_set_new(f, "q", json_string(q));
    int rc = oom_since(before, d);
    if (rc)
        json_decref(f);
    else
        *out = f;
    return rc;
}

int vg_advisory_preview(struct vg_store *st, const char *ref, struct vg_advisory *out,
                        struct vg_diag *d)
{
    json_t *rec = NULL;
    int rc = vg_store_advisory_get(st, ref, &rec);
    if (rc)
        return rc == VG_ENOENT ? vg_diag_set(d, VG_ENOENT, "ref", "no advisory %s", ref)
                               : vg_diag_set(d, rc, "", "cannot read advisory %s", ref);
    const json_t *draft = json_object_get(rec, "draft");
    if (!json_is_object(draft)) { /* nothing pending: what the public sees now */
        rc = vg_advisory_published_of(rec, out, d);
        json_decref(rec);
        return rc;
    }
    unsigned long before = vg_mem_thread_failures();
    char now[VG_TIME_LEN];
    vg_time_now(now);
    json_t *view = next_view(rec, draft, version_of(rec) + 1, now, publish_description(rec), NULL);
    rc = oom_since(before, d);
    if (rc == 0)
        rc = vg_advisory_from_json(view, out, d);
    json_decref(view);
    json_decref(rec);
    return rc;
}
