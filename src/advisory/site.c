/* The published site, file by file (advisory/site.h). Lists and feeds are rendered from the
 * sorted list; each advisory's page, CERT-FR JSON and CSAF document (hashed with OpenSSL's
 * SHA-256 and SHA-512, pure computations: libsodium's portable ones took a quarter of the
 * rendering, bench/advisory) from the advisory alone. */
#include "advisory/site.h"

#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advisory/certfr.h"
#include "advisory/csaf.h"
#include "advisory/render.h"
#include "util/json.h"
#include "util/mem.h"
#include "util/sort.h"

#define SITE_BUF_MAX (64u << 20) /* one file's cap: a feed of 10,000 entries fits */

static int newest_first(const void *pa, const void *pb)
{
    const struct vg_advisory *a = *(const struct vg_advisory *const *)pa;
    const struct vg_advisory *b = *(const struct vg_advisory *const *)pb;
    const char *da = vg_adv_last_date(a), *db = vg_adv_last_date(b);
    int c = strcmp(db ? db : "", da ? da : "");
    if (c)
        return c;
    return strcmp(b->ref ? b->ref : "", a->ref ? a->ref : "");
}

void vg_adv_sort_newest(const struct vg_advisory **list, size_t n)
{
    vg_sort(list, n, sizeof *list, newest_first);
}

/* The year of an RFC 3339 date, 0 if it has none. */
static int year_of(const char *date)
{
    int y = 0;
    for (int i = 0; i < 4; i++) {
        if (!date || date[i] < '0' || date[i] > '9')
            return 0;
        y = y * 10 + (date[i] - '0');
    }
    return y;
}

int vg_adv_csaf_path(const struct vg_advisory *a, char *out, size_t cap)
{
    char file[160];
    int rc = vg_csaf_filename(a->ref ? a->ref : "", file, sizeof file);
    if (rc)
        return rc;
    int n = snprintf(out, cap, "white/%04d/%s", year_of(vg_adv_first_date(a)), file);
    return n < 0 || (size_t)n >= cap ? VG_ETOOBIG : 0;
}

json_t *vg_adv_provider_metadata(const struct vg_adv_site *site, const char *last_updated)
{
    char url[512], dir[512];
    snprintf(url, sizeof url, "%s/.well-known/csaf/provider-metadata.json", site->base_url);
    snprintf(dir, sizeof dir, "%s/.well-known/csaf/white/", site->base_url);
    json_t *publisher = json_pack("{s:s, s:s, s:s}", "category", "coordinator", "name", site->name,
                                  "namespace", site->namespace);
    if (site->contact && *site->contact)
        json_object_set_new(publisher, "contact_details", json_string(site->contact));
    /* "csaf_provider": a trusted provider also signs every document with OpenPGP (section
     * 7.1.19-21), which vigie does not do yet; it claims that role once it does. */
    return json_pack("{s:s, s:[{s:s}], s:s, s:b, s:s, s:b, s:o, s:s}", "canonical_url", url,
                     "distributions", "directory_url", dir, "last_updated",
                     last_updated ? last_updated : "1970-01-01T00:00:00Z",
                     "list_on_CSAF_aggregators", 1, "metadata_version", "2.0",
                     "mirror_on_CSAF_aggregators", 1, "publisher", publisher, "role",
                     "csaf_provider");
}

int vg_adv_csaf_index(const struct vg_advisory *const *list, size_t n, struct vg_buf *out)
{
    char path[200];
    for (size_t i = 0; i < n; i++) {
        int rc = vg_adv_csaf_path(list[i], path, sizeof path);
        if (rc)
            return rc;
        /* relative to the white folder */
        if (vg_buf_puts(out, path + sizeof "white/" - 1) || vg_buf_putc(out, '\n'))
            return VG_ENOMEM;
    }
    return 0;
}

int vg_adv_csaf_changes(const struct vg_advisory *const *list, size_t n, struct vg_buf *out)
{
    char path[200];
    for (size_t i = 0; i < n; i++) {
        int rc = vg_adv_csaf_path(list[i], path, sizeof path);
        if (rc)
            return rc;
        const char *when = vg_adv_last_date(list[i]);
        if (vg_buf_printf(out, "\"%s\",\"%s\"\n", path + sizeof "white/" - 1, when ? when : ""))
            return VG_ENOMEM;
    }
    return 0;
}

/* One rendering: the site, the sorted list, the output buffer reused for every file. */
struct run {
    const struct vg_adv_site *site;
    vg_site_emit emit;
    void *ctx;
    struct vg_buf buf;
    struct vg_diag *d;
    bool checked; /* a CSAF document of this rendering went through the checker */
};

static int emit_buf(struct run *r, const char *path, const char *type)
{
    return r->emit(r->ctx, path, type, r->buf.data ? r->buf.data : "", r->buf.len);
}

static int emit_json(struct run *r, const char *path, json_t *doc)
{
    if (!doc)
        return vg_diag_set(r->d, VG_ENOMEM, path, "%s: out of memory", path);
    vg_buf_reset(&r->buf);
    int rc = vg_json_write(&r->buf, doc);
    json_decref(doc);
    if (rc)
        return vg_diag_set(r->d, rc, path, "%s: cannot be written (%s)", path, vg_strerror(rc));
    return r->emit(r->ctx, path, "application/json", r->buf.data, r->buf.len);
}

static const char *hex(const unsigned char *h, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[h[i] >> 4];
        out[2 * i + 1] = digits[h[i] & 15];
    }
    out[2 * n] = '\0';
    return out;
}

/* The CSAF document of a with its two hash files (section 7.1.18: "<hash>  <file>"). Every
 * document was checked when its advisory was published (app/advisory.c); the rendering checks
 * the first one again, with this site's publisher (what a document owes the site is the same in
 * all of them): checking each costs more than writing it. */
static int emit_csaf(struct run *r, const struct vg_advisory *a)
{
    json_t *doc = NULL;
    int rc = vg_csaf_document(a, r->site, &doc, r->d);
    if (rc)
        return rc;
    struct vg_csaf_report rep = {0};
    if (!r->checked && vg_csaf_check(doc, &rep)) {
        rc = vg_diag_set(r->d, VG_EINVAL, rep.items[0].pointer,
                         "%s: its CSAF document fails test %s at %s: %s", a->ref, rep.items[0].test,
                         rep.items[0].pointer, rep.items[0].message);
        vg_csaf_report_free(&rep);
        json_decref(doc);
        return rc;
    }
    r->checked = true;
    vg_csaf_report_free(&rep);
    char rel[200], path[240], file[160];
    if ((rc = vg_adv_csaf_path(a, rel, sizeof rel)) ||
        (rc = vg_csaf_filename(a->ref, file, sizeof file))) {
        json_decref(doc);
        return vg_diag_set(r->d, rc, "/ref", "%s: reference too long for a file name", a->ref);
    }
    vg_buf_reset(&r->buf);
    rc = vg_json_write(&r->buf, doc);
    json_decref(doc);
    if (rc)
        return vg_diag_set(r->d, rc, "", "%s: its CSAF document cannot be written", a->ref);
    const char *s = r->buf.data;
    size_t len = r->buf.len;
    snprintf(path, sizeof path, ".well-known/csaf/%s", rel);
    rc = r->emit(r->ctx, path, "application/json", s, len);
    unsigned char h256[SHA256_DIGEST_LENGTH], h512[SHA512_DIGEST_LENGTH];
    char line[2 * SHA512_DIGEST_LENGTH + 200], digits[2 * SHA512_DIGEST_LENGTH + 1];
    if (!rc) {
        SHA256((const unsigned char *)s, len, h256);
        int m = snprintf(line, sizeof line, "%s  %s\n", hex(h256, sizeof h256, digits), file);
        snprintf(path, sizeof path, ".well-known/csaf/%s.sha256", rel);
        rc = r->emit(r->ctx, path, "text/plain", line, (size_t)m);
    }
    if (!rc) {
        SHA512((const unsigned char *)s, len, h512);
        int m = snprintf(line, sizeof line, "%s  %s\n", hex(h512, sizeof h512, digits), file);
        snprintf(path, sizeof path, ".well-known/csaf/%s.sha512", rel);
        rc = r->emit(r->ctx, path, "text/plain", line, (size_t)m);
    }
    return rc;
}

/* The pages of one advisory. */
static int emit_advisory(struct run *r, const struct vg_advisory *a, const char *prefix)
{
    char path[256];
    /* the reference is a folder's name: letters, digits, '-' and '_' only */
    size_t rl = a->ref ? strlen(a->ref) : 0;
    if (!rl || rl > 64 ||
        strspn(a->ref, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != rl)
        return vg_diag_set(r->d, VG_EINVAL, "/ref", "reference '%.64s' cannot name a page",
                           a->ref ? a->ref : "");
    vg_buf_reset(&r->buf);
    if (vg_adv_html_page(a, r->site, prefix, &r->buf))
        return vg_diag_set(r->d, VG_ENOMEM, "", "%s: page over its cap", a->ref);
    snprintf(path, sizeof path, "%s/%s/index.html", prefix + 1, a->ref);
    int rc = emit_buf(r, path, "text/html; charset=utf-8");
    if (rc)
        return rc;
    json_t *doc = NULL;
    if ((rc = vg_certfr_document(a, r->site, &doc, r->d)))
        return rc;
    snprintf(path, sizeof path, "%s/%s/json/index.json", prefix + 1, a->ref);
    return emit_json(r, path, doc);
}

/* The paged lists and feeds of sub (already in order) filtered by kind (-1: any) and year (0:
 * any), at vg_adv_list_path. */
static int emit_lists(struct run *r, const struct vg_advisory *const *sub, size_t n,
                      const char *prefix, const char *title, int kind, int year, const int *years,
                      size_t nyears)
{
    char dir[256], lp[256], path[300], self[512];
    if (vg_adv_list_path(prefix, kind, year, 1, dir, sizeof dir))
        return vg_diag_set(r->d, VG_ETOOBIG, "", "%s: path too long", prefix);
    size_t pages = n ? (n + VG_SITE_PAGE - 1) / VG_SITE_PAGE : 1;
    for (size_t p = 0; p < pages; p++) {
        size_t from = p * VG_SITE_PAGE, cnt = n - from < VG_SITE_PAGE ? n - from : VG_SITE_PAGE;
        struct vg_adv_list_view v = {.prefix = prefix,
                                     .title = title,
                                     .kind = kind,
                                     .year = year,
                                     .page = (int)p + 1,
                                     .has_next = p + 1 < pages,
                                     .years = years,
                                     .nyears = nyears};
        vg_buf_reset(&r->buf);
        if (vg_adv_html_list(n ? sub + from : sub, cnt, &v, r->site, &r->buf))
            return vg_diag_set(r->d, VG_ENOMEM, "", "%s: list page over its cap", dir);
        if (vg_adv_list_path(prefix, kind, year, (int)p + 1, lp, sizeof lp))
            return vg_diag_set(r->d, VG_ETOOBIG, "", "%s: path too long", dir);
        snprintf(path, sizeof path, "%sindex.html", lp + 1);
        int rc = emit_buf(r, path, "text/html; charset=utf-8");
        if (rc)
            return rc;
    }
    if (year)
        return 0; /* feeds per site and per kind, not per year */
    size_t nfeed = n < VG_SITE_FEED ? n : VG_SITE_FEED;
    snprintf(self, sizeof self, "%s%sfeed.atom", r->site->base_url, dir);
    vg_buf_reset(&r->buf);
    if (vg_adv_atom(sub, nfeed, title, self, r->site, prefix, &r->buf))
        return vg_diag_set(r->d, VG_ENOMEM, "", "%s: feed over its cap", dir);
    snprintf(path, sizeof path, "%sfeed.atom", dir + 1);
    int rc = emit_buf(r, path, "application/atom+xml");
    if (rc)
        return rc;
    snprintf(self, sizeof self, "%s%sfeed/", r->site->base_url, dir);
    vg_buf_reset(&r->buf);
    if (vg_adv_rss(sub, nfeed, title, self, r->site, prefix, &r->buf))
        return vg_diag_set(r->d, VG_ENOMEM, "", "%s: feed over its cap", dir);
    snprintf(path, sizeof path, "%sfeed/index.xml", dir + 1);
    return emit_buf(r, path, "application/rss+xml");
}

static const char *section_title(bool guides, int kind, const char *lang)
{
    bool en = lang && strncmp(lang, "en", 2) == 0;
    if (guides)
        return en ? "Guides" : "Guides et bonnes pratiques";
    if (kind >= 0)
        return vg_adv_kind_label((enum vg_adv_kind)kind, lang);
    return en ? "Advisories and alerts" : "Avis et alertes";
}

/* Everything under prefix ("/advisories" or "/guides") for sub, sorted newest first. */
static int emit_section(struct run *r, const struct vg_advisory **sub, size_t n, bool guides)
{
    const char *prefix = guides ? "/guides" : "/advisories";
    const char *dir = prefix + 1;
    const char *lang = r->site->lang;
    int rc = 0;
    /* years present, newest first (the list is sorted newest first by last revision: the
     * first publication's year is collected apart) */
    int years[256];
    size_t nyears = 0;
    for (size_t i = 0; i < n; i++) {
        int y = year_of(vg_adv_first_date(sub[i]));
        bool seen = false;
        for (size_t k = 0; k < nyears; k++)
            seen = seen || years[k] == y;
        if (!seen && y && nyears < sizeof years / sizeof years[0])
            years[nyears++] = y;
    }
    for (size_t i = 1; i < nyears; i++) /* insertion sort, descending */
        for (size_t k = i; k > 0 && years[k] > years[k - 1]; k--) {
            int t = years[k];
            years[k] = years[k - 1];
            years[k - 1] = t;
        }
    for (size_t i = 0; i < n && !rc; i++)
        rc = emit_advisory(r, sub[i], prefix);
    if (!rc)
        rc = emit_lists(r, sub, n, prefix, section_title(guides, -1, lang), -1, 0, years, nyears);
    const struct vg_advisory **part = n ? vg_malloc(n * sizeof *part) : NULL;
    if (n && !part)
        return vg_diag_set(r->d, VG_ENOMEM, "", "out of memory");
    /* every filter the list pages link to: a year, a kind, or both (advisory/html.c); guides
     * are filtered by year only */
    for (int k = -1; k < (guides ? 0 : VG_ADV_KIND_COUNT) && !rc; k++) {
        if (k == VG_ADV_GUIDE)
            continue;
        for (size_t y = 0; y <= nyears && !rc; y++) {
            int year = y < nyears ? years[y] : 0;
            if (k < 0 && !year)
                continue; /* the whole list, above */
            size_t m = 0;
            for (size_t i = 0; i < n; i++)
                if ((k < 0 || (int)sub[i]->kind == k) &&
                    (!year || year_of(vg_adv_first_date(sub[i])) == year))
                    part[m++] = sub[i];
            rc = emit_lists(r, part, m, prefix, section_title(guides, k, lang), k, year, years,
                            nyears);
        }
    }
    if (!rc) {
        json_t *doc = vg_certfr_list((const struct vg_advisory *const *)sub, n, r->site);
        char path[128];
        snprintf(path, sizeof path, "%s/json/index.json", dir);
        rc = emit_json(r, path, doc);
    }
    free(part);
    return rc;
}

int vg_adv_site_render(const struct vg_advisory *const *list, size_t n,
                       const struct vg_adv_site *site, vg_site_emit emit, void *ctx,
                       struct vg_diag *d)
{
    struct run r = {.site = site, .emit = emit, .ctx = ctx, .d = d};
    vg_buf_init(&r.buf, SITE_BUF_MAX);
    const struct vg_advisory **adv = n ? vg_malloc(n * sizeof *adv) : NULL;
    const struct vg_advisory **guides = n ? vg_malloc(n * sizeof *guides) : NULL;
    int rc = 0;
    if (n && (!adv || !guides)) {
        rc = vg_diag_set(d, VG_ENOMEM, "", "out of memory");
        goto out;
    }
    size_t na = 0, ng = 0;
    for (size_t i = 0; i < n; i++) {
        if (list[i]->kind == VG_ADV_GUIDE)
            guides[ng++] = list[i];
        else
            adv[na++] = list[i];
    }
    vg_adv_sort_newest(adv, na);
    vg_adv_sort_newest(guides, ng);
    if ((rc = emit_section(&r, adv, na, false)) || (rc = emit_section(&r, guides, ng, true)))
        goto out;
    /* CSAF: every advisory but guides, which are not security advisories */
    for (size_t i = 0; i < na && !rc; i++)
        rc = emit_csaf(&r, adv[i]);
    if (rc)
        goto out;
    vg_buf_reset(&r.buf);
    if (vg_adv_csaf_index((const struct vg_advisory *const *)adv, na, &r.buf)) {
        rc = vg_diag_set(d, VG_ENOMEM, "", "out of memory");
        goto out;
    }
    if ((rc = emit_buf(&r, ".well-known/csaf/white/index.txt", "text/plain")))
        goto out;
    vg_buf_reset(&r.buf);
    if (vg_adv_csaf_changes((const struct vg_advisory *const *)adv, na, &r.buf)) {
        rc = vg_diag_set(d, VG_ENOMEM, "", "out of memory");
        goto out;
    }
    if ((rc = emit_buf(&r, ".well-known/csaf/white/changes.csv", "text/csv")))
        goto out;
    rc = emit_json(&r, ".well-known/csaf/provider-metadata.json",
                   vg_adv_provider_metadata(site, na ? vg_adv_last_date(adv[0]) : NULL));
out:
    vg_buf_cleanup(&r.buf);
    free(adv);
    free(guides);
    return rc;
}
