/* Upstream advisories (app/upstream.h): the import of other CERTs' CERT-FR-style publications
 * (one file, or the *.json files of a folder), their reading back with the constituents they
 * concern, and the draft body an analyst starts from. */
#include "app/upstream.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "advisory/certfr.h"
#include "core/product.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/limits.h"
#include "util/mem.h"
#include "util/sort.h"
#include "util/str.h"
#include "util/time.h"

const char *vg_upstream_result_name(int result)
{
    static const char *const names[] = {"imported", "updated", "unchanged", "older"};
    return result >= 0 && result <= VG_UPSTREAM_OLDER ? names[result] : "skipped";
}

/* True if a CVE id: "CVE-", four digits, '-', four or more digits (case ignored). */
static bool cve_ok(const char *s)
{
    if (strncasecmp(s, "CVE-", 4) != 0)
        return false;
    size_t i = 4, n = 0;
    for (; isdigit((unsigned char)s[i]); i++)
        n++;
    if (n != 4 || s[i] != '-')
        return false;
    for (i++, n = 0; isdigit((unsigned char)s[i]); i++)
        n++;
    return n >= 4 && n <= 19 && s[i] == '\0';
}

/* True if the product of an affected system names none: "N/A", empty or blank. */
static bool no_product(const char *p)
{
    struct vg_str t = vg_str_trim(vg_str_c(p ? p : ""));
    return t.len == 0 || vg_str_eq_nocase(t, vg_str_c("N/A"));
}

/* The product key of affected system s into out: vg_product_key of its names, its CPE's key
 * when it has one, or "vendor:" for a system whose product is "N/A" (CERT-FR names the vendor
 * alone: no organisation's product key ends with ':', so it concerns none by product).
 * Length, or -1 when it has none. */
static long system_key(const struct vg_adv_system *s, char *out, size_t cap)
{
    if (s->cpe) {
        long n = vg_product_key_cpe23(s->cpe, out, cap);
        if (n > 0)
            return n;
    }
    if (!s->vendor)
        return -1;
    if (no_product(s->product)) {
        long n = vg_product_name(vg_str_c(s->vendor), VG_PRODUCT_PLAIN, out, cap - 1);
        if (n <= 0)
            return -1;
        out[n] = ':';
        out[n + 1] = '\0';
        return n + 1;
    }
    long n = vg_product_key(vg_str_c(s->vendor), vg_str_c(s->product), VG_PRODUCT_PLAIN, out, cap);
    /* a name of no letter or digit ("-") gives an empty half: no key */
    return n > 0 && out[0] != ':' && out[n - 1] != ':' ? n : -1;
}

/* The record vg_store_upstream_put takes, from a read publication and its document. */
static json_t *store_record(const struct vg_advisory *a, const json_t *doc)
{
    const char *first = vg_adv_first_date(a), *last = vg_adv_last_date(a);
    json_t *rec =
        json_pack("{s:s,s:s,s:s,s:s,s:s?,s:s?,s:I,s:s?,s:[],s:[],s:O}", "source",
                  a->source && *a->source ? a->source : "CERT-FR", "ref", a->ref, "title",
                  a->title ? a->title : "", "kind", vg_adv_kind_name(a->kind), "first_date", first,
                  "last_date", last, "revisions", (json_int_t)a->nrevisions, "closed_at",
                  a->closed_at, "cves", "products", "document", doc);
    if (!rec)
        return NULL;
    json_t *cves = json_object_get(rec, "cves"), *products = json_object_get(rec, "products");
    for (size_t i = 0; i < a->ncves; i++) {
        char id[32];
        const char *c = a->cves[i].id;
        if (!c || !cve_ok(c) || vg_str_copy(vg_str_c(c), id, sizeof id) != 0)
            continue;
        for (char *p = id; *p; p++)
            *p = (char)toupper((unsigned char)*p);
        json_array_append_new(cves, json_string(id));
    }
    for (size_t i = 0; i < a->nsystems; i++) {
        char key[VG_PRODUCT_KEY_MAX + 2];
        if (system_key(&a->systems[i], key, sizeof key) > 0)
            json_array_append_new(products, json_string(key));
    }
    return rec;
}

/* vg_upstream_import_doc, telling in *store_failed whether the store (not doc) failed. */
static int import_doc(struct vg_store *st, const struct vg_actor *who, const json_t *doc,
                      int *result, char ref[VG_MAX_NAME + 1], bool *store_failed, struct vg_diag *d)
{
    struct vg_advisory a = {0};
    *store_failed = false;
    int rc = vg_certfr_read(doc, &a, d);
    if (rc)
        return rc;
    if (!a.ref || !*a.ref || strlen(a.ref) > VG_MAX_NAME) {
        rc = vg_diag_set(d, VG_EINVAL, "/reference",
                         "/reference must be a reference of at most %d bytes", VG_MAX_NAME);
        goto out;
    }
    json_t *rec = store_record(&a, doc);
    if (!rec) {
        rc = vg_diag_set(d, VG_ENOMEM, "", "out of memory");
        goto out;
    }
    rc = vg_store_upstream_put(st, who, rec, result, d);
    json_decref(rec);
    *store_failed = rc != 0 && rc != VG_EINVAL;
    if (rc == 0)
        vg_str_copy(vg_str_c(a.ref), ref, VG_MAX_NAME + 1);
out:
    vg_advisory_free(&a);
    return rc;
}

int vg_upstream_import_doc(struct vg_store *st, const struct vg_actor *who, const json_t *doc,
                           int *result, char ref[VG_MAX_NAME + 1], struct vg_diag *d)
{
    bool store_failed;
    return import_doc(st, who, doc, result, ref, &store_failed, d);
}

/* Reads the whole of file path (at most VG_UPSTREAM_MAX_FILE bytes) into *data (free it). */
static int read_file(const char *path, char **data, size_t *len, struct vg_diag *d)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return vg_diag_set(d, VG_EIO, "", "cannot open: %s", strerror(errno));
    struct vg_buf b;
    vg_buf_init(&b, VG_UPSTREAM_MAX_FILE);
    char chunk[65536];
    size_t n;
    int rc = 0;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (vg_buf_append(&b, chunk, n)) {
            rc = b.len + n > VG_UPSTREAM_MAX_FILE
                     ? vg_diag_set(d, VG_ETOOBIG, "", "larger than %ld bytes", VG_UPSTREAM_MAX_FILE)
                     : vg_diag_set(d, VG_ENOMEM, "", "out of memory");
            break;
        }
    if (!rc && ferror(f))
        rc = vg_diag_set(d, VG_EIO, "", "cannot read: %s", strerror(errno));
    fclose(f);
    if (rc) {
        vg_buf_cleanup(&b);
        return rc;
    }
    *len = b.len;
    *data = b.data ? vg_buf_steal(&b) : vg_strdup("");
    return *data ? 0 : vg_diag_set(d, VG_ENOMEM, "", "out of memory");
}

struct import {
    struct vg_store *st;
    const struct vg_actor *who;
    vg_upstream_file_fn fn;
    void *ctx;
    struct vg_upstream_counts *counts;
    size_t files;
};

/* Imports one file; 0 unless the store failed (VG_EIO with d). */
static int import_file(struct import *im, const char *path, struct vg_diag *d)
{
    struct vg_diag fd;
    vg_diag_clear(&fd);
    char *data = NULL, ref[VG_MAX_NAME + 1] = "";
    size_t len = 0;
    bool store_failed = false;
    int result = -1, rc = read_file(path, &data, &len, &fd);
    if (rc == 0) {
        json_t *doc = vg_json_parse(data, len, &fd);
        rc = doc ? 0 : fd.message[0] ? VG_EINVAL : VG_ENOMEM;
        if (doc)
            rc = import_doc(im->st, im->who, doc, &result, ref, &store_failed, &fd);
        json_decref(doc);
    }
    free(data);
    if (store_failed || rc == VG_ENOMEM) {
        /* the store failed (or memory), not the file: the import stops */
        *d = fd;
        return rc;
    }
    if (rc) {
        im->counts->skipped++;
        if (im->fn)
            im->fn(im->ctx, path, NULL, -1, &fd);
        return 0;
    }
    size_t *slot[] = {&im->counts->imported, &im->counts->updated, &im->counts->unchanged,
                      &im->counts->older};
    (*slot[result])++;
    if (im->fn)
        im->fn(im->ctx, path, ref, result, &fd);
    return 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* True if name ends in ".json" and is not only that. */
static bool json_name(const char *name)
{
    size_t n = strlen(name);
    return n > 5 && strcmp(name + n - 5, ".json") == 0;
}

/* Imports the *.json regular files of folder dir in name order. */
static int import_dir(struct import *im, const char *dir, struct vg_diag *d)
{
    DIR *dp = opendir(dir);
    struct vg_diag fd;
    vg_diag_clear(&fd);
    if (!dp) {
        vg_diag_set(&fd, VG_EIO, "", "cannot open folder: %s", strerror(errno));
        im->counts->skipped++;
        if (im->fn)
            im->fn(im->ctx, dir, NULL, -1, &fd);
        return 0;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    struct dirent *de;
    while ((de = readdir(dp))) {
        if (!json_name(de->d_name))
            continue;
        if (n == VG_UPSTREAM_MAX_FILES) {
            rc = vg_diag_set(d, VG_ETOOBIG, "", "%s: more than %d files", dir,
                             VG_UPSTREAM_MAX_FILES);
            break;
        }
        char *name = vg_strdup(de->d_name);
        if (!name || vg_grow((void **)&names, &cap, n + 1, sizeof *names, 64)) {
            free(name);
            rc = vg_diag_set(d, VG_ENOMEM, "", "out of memory");
            break;
        }
        names[n++] = name;
    }
    closedir(dp);
    vg_sort(names, n, sizeof *names, cmp_names);
    struct vg_buf path;
    vg_buf_init(&path, 8192);
    for (size_t i = 0; i < n && !rc; i++) {
        vg_buf_reset(&path);
        size_t dl = strlen(dir);
        vg_buf_puts(&path, dir);
        if (dl == 0 || dir[dl - 1] != '/')
            vg_buf_putc(&path, '/');
        vg_buf_puts(&path, names[i]);
        if (path.failed) {
            rc = vg_diag_set(d, VG_ENOMEM, "", "out of memory");
            break;
        }
        struct stat sb;
        if (stat(path.data, &sb) == 0 && !S_ISREG(sb.st_mode))
            continue;
        if (++im->files > VG_UPSTREAM_MAX_FILES)
            rc = vg_diag_set(d, VG_ETOOBIG, "", "more than %d files", VG_UPSTREAM_MAX_FILES);
        else
            rc = import_file(im, path.data, d);
    }
    vg_buf_cleanup(&path);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc;
}

int vg_upstream_import_paths(struct vg_store *st, const struct vg_actor *who,
                             const char *const *paths, size_t n, vg_upstream_file_fn fn, void *ctx,
                             struct vg_upstream_counts *counts, struct vg_diag *d)
{
    *counts = (struct vg_upstream_counts){0};
    struct import im = {st, who, fn, ctx, counts, 0};
    for (size_t i = 0; i < n; i++) {
        struct stat sb;
        int rc;
        if (stat(paths[i], &sb) == 0 && S_ISDIR(sb.st_mode))
            rc = import_dir(&im, paths[i], d);
        else if (++im.files > VG_UPSTREAM_MAX_FILES)
            rc = vg_diag_set(d, VG_ETOOBIG, "", "more than %d files", VG_UPSTREAM_MAX_FILES);
        else
            rc = import_file(&im, paths[i], d);
        if (rc)
            return rc;
    }
    return 0;
}

int vg_upstream_get(struct vg_store *st, const char *ref, json_t **out, struct vg_diag *d)
{
    json_t *a = NULL, *c = NULL;
    int rc = vg_store_upstream_get(st, ref, &a);
    if (rc == 0)
        rc = vg_store_upstream_constituents(st, ref, &c);
    if (rc) {
        json_decref(a);
        return rc == VG_ENOENT ? vg_diag_set(d, rc, "ref", "no upstream advisory '%s'", ref)
                               : vg_diag_set(d, rc, "", "cannot read upstream advisory");
    }
    json_object_set_new(a, "constituents", c);
    *out = a;
    return 0;
}

int vg_upstream_list(struct vg_store *st, const json_t *in, const struct vg_page *page,
                     json_t **out, struct vg_diag *d)
{
    json_t *f = json_object();
    int rc = 0;
    const char *s;
    if (!f)
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    if ((s = vg_json_str(in, "cve")) != NULL) {
        char id[32];
        if (!cve_ok(s) || vg_str_copy(vg_str_c(s), id, sizeof id) != 0) {
            rc = vg_diag_set(d, VG_EINVAL, "cve", "cve must be a CVE id (CVE-YYYY-NNNN)");
            goto out;
        }
        for (char *p = id; *p; p++)
            *p = (char)toupper((unsigned char)*p);
        json_object_set_new(f, "cve", json_string(id));
    }
    static const char *const texts[] = {"source", "q"};
    for (size_t i = 0; i < 2; i++)
        if ((s = vg_json_str(in, texts[i])) != NULL) {
            if (strlen(s) > VG_MAX_NAME) {
                rc = vg_diag_set(d, VG_EINVAL, texts[i], "%s is longer than %d bytes", texts[i],
                                 VG_MAX_NAME);
                goto out;
            }
            json_object_set_new(f, texts[i], json_string(s));
        }
    const json_t *org = json_object_get(in, "org");
    if (org) {
        if (!json_is_integer(org) || json_integer_value(org) < 1) {
            rc = vg_diag_set(d, VG_EINVAL, "org", "org must be a positive integer id");
            goto out;
        }
        json_object_set(f, "org", (json_t *)org);
    }
    rc = vg_store_upstream_list(st, f, page, out, d);
out:
    json_decref(f);
    return rc;
}

/* ---- the draft body ---- */

/* s made one line (each control character a space) and cut to VG_MAX_NAME bytes on a UTF-8
 * character boundary: a new string value, or NULL for NULL or a blank s. */
static json_t *one_line(const char *s)
{
    if (!s)
        return NULL;
    char buf[VG_MAX_NAME + 1];
    size_t n = 0;
    for (const char *p = s; *p && n < VG_MAX_NAME; p++)
        buf[n++] = (unsigned char)*p < 0x20 || *p == 0x7f ? ' ' : *p;
    if (s[n] != '\0' || n == VG_MAX_NAME) /* cut: back to the start of a character */
        while (n > 0 && s[n] && ((unsigned char)s[n] & 0xc0) == 0x80)
            n--;
    buf[n] = '\0';
    struct vg_str t = vg_str_trim(vg_str_c(buf));
    return t.len ? json_stringn(t.ptr, t.len) : NULL;
}

/* s without its markup tags ("<span class=...>", "</p>"): CERT-FR's texts carry HTML
 * fragments, which a draft's Markdown would show as text. */
static json_t *without_tags(const char *s)
{
    struct vg_buf b;
    vg_buf_init(&b, VG_MAX_BUF);
    bool in_tag = false;
    for (const char *p = s ? s : ""; *p; p++) {
        if (!in_tag && *p == '<' && (isalpha((unsigned char)p[1]) || p[1] == '/'))
            in_tag = true;
        else if (in_tag && *p == '>')
            in_tag = false;
        else if (!in_tag)
            vg_buf_putc(&b, *p);
    }
    json_t *v = b.failed ? NULL : json_string(b.data ? b.data : "");
    vg_buf_cleanup(&b);
    return v;
}

/* A CERT-FR date ("2024-05-20", or a date and time) as RFC 3339 UTC, into out; false if it is
 * neither. */
static bool rfc3339(const char *s, char out[VG_TIME_LEN])
{
    time_t t;
    if (!s)
        return false;
    if (strlen(s) == 10) {
        snprintf(out, VG_TIME_LEN, "%sT00:00:00Z", s);
        return vg_time_parse(out, &t) == 0;
    }
    if (strlen(s) >= VG_TIME_LEN || vg_time_parse(s, &t) != 0)
        return false;
    vg_time_fmt(t, out);
    return true;
}

json_t *vg_upstream_draft_body(const struct vg_advisory *a)
{
    json_t *o = json_pack("{s:s,s:o?,s:s,s:[],s:[],s:[],s:o,s:s,s:[]}", "kind",
                          vg_adv_kind_name(a->kind), "title", one_line(a->title), "tlp", "CLEAR",
                          "risks", "affected_systems", "cves", "summary", without_tags(a->summary),
                          "solution", a->solution ? a->solution : "", "references");
    if (!o)
        return NULL;
    if (a->lang && (strcmp(a->lang, "fr") == 0 || strcmp(a->lang, "en") == 0))
        json_object_set_new(o, "lang", json_string(a->lang));
    json_t *risks = json_object_get(o, "risks"), *systems = json_object_get(o, "affected_systems");
    json_t *cves = json_object_get(o, "cves"), *refs = json_object_get(o, "references");
    unsigned seen = 0;
    for (size_t i = 0; i < a->nrisks; i++) {
        enum vg_adv_risk r = a->risks[i].kind;
        if (r < VG_RISK_COUNT && !(seen & (1u << r))) {
            seen |= 1u << r;
            json_array_append_new(risks, json_string(vg_adv_risk_name(r)));
        }
    }
    for (size_t i = 0; i < a->nsystems; i++) {
        const struct vg_adv_system *s = &a->systems[i];
        json_t *vendor = one_line(s->vendor), *product = one_line(s->product);
        json_t *versions = one_line(s->versions);
        json_t *it = json_pack("{s:o,s:o,s:o,s:b}", "vendor", vendor ? vendor : json_string("N/A"),
                               "product", product ? product : json_string("N/A"), "versions",
                               versions ? versions : json_string("N/A"), "scada", s->scada);
        if (it && s->fixed)
            json_object_set_new(it, "fixed", one_line(s->fixed));
        json_array_append_new(systems, it);
    }
    for (size_t i = 0; i < a->ncves; i++) {
        char id[32];
        if (!a->cves[i].id || !cve_ok(a->cves[i].id) ||
            vg_str_copy(vg_str_c(a->cves[i].id), id, sizeof id) != 0)
            continue;
        for (char *p = id; *p; p++)
            *p = (char)toupper((unsigned char)*p);
        bool dup = false;
        for (size_t k = 0; k < json_array_size(cves) && !dup; k++)
            dup = strcmp(json_string_value(json_array_get(cves, k)), id) == 0;
        if (!dup)
            json_array_append_new(cves, json_string(id));
    }
    /* vendor advisories first, then links, as CERT-FR's Documentation lists them */
    for (int vendor = 1; vendor >= 0; vendor--)
        for (size_t i = 0; i < a->nlinks; i++) {
            const struct vg_adv_link *l = &a->links[i];
            char date[VG_TIME_LEN];
            if (l->vendor != (vendor == 1) || !l->url ||
                (strncasecmp(l->url, "https://", 8) != 0 && strncasecmp(l->url, "http://", 7) != 0))
                continue;
            json_t *r = json_pack("{s:s,s:b}", "url", l->url, "vendor", l->vendor);
            json_t *title = one_line(l->title);
            if (r && title)
                json_object_set_new(r, "title", title);
            else
                json_decref(title);
            if (r && rfc3339(l->published_at, date))
                json_object_set_new(r, "published_at", json_string(date));
            json_array_append_new(refs, r);
        }
    return o;
}

int vg_upstream_draft(struct vg_store *st, const char *ref, json_t **out, struct vg_diag *d)
{
    json_t *rec = NULL;
    int rc = vg_store_upstream_get(st, ref, &rec);
    if (rc)
        return rc == VG_ENOENT ? vg_diag_set(d, rc, "ref", "no upstream advisory '%s'", ref)
                               : vg_diag_set(d, rc, "", "cannot read upstream advisory");
    struct vg_advisory a = {0};
    rc = vg_certfr_read(json_object_get(rec, "document"), &a, d);
    json_decref(rec);
    if (rc)
        return rc;
    *out = vg_upstream_draft_body(&a);
    vg_advisory_free(&a);
    return *out ? 0 : vg_diag_set(d, VG_ENOMEM, "", "out of memory");
}
