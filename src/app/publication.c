/* Publication (app/publication.h): the site written into a folder, and the server's copy in
 * memory. What the public may read is chosen here, by the TLP gate, and nowhere else. */
#include "app/publication.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "advisory/certfr.h"
#include "advisory/csaf.h"
#include "advisory/site.h"
#include "app/advisory.h"
#include "core/tlp.h"
#include "util/json.h"
#include "util/hash.h"
#include "util/mem.h"

/* The published advisories a recipient may receive, being read. */
struct loading {
    const struct vg_recipient *r;
    struct vg_advisory *list;
    size_t n, cap;
    struct vg_diag *d;
};

/* The gate decides on the published version's TLP, not the pending text's. */
static int take_published(void *ctx, const json_t *rec)
{
    struct loading *l = ctx;
    const char *tlp = vg_json_str(json_object_get(rec, "published"), "tlp");
    if (!vg_tlp_may_send_name(tlp ? tlp : "CLEAR", 0, l->r))
        return 0;
    if (vg_grow((void **)&l->list, &l->cap, l->n + 1, sizeof *l->list, 64))
        return vg_diag_set(l->d, VG_ENOMEM, "", "out of memory");
    int rc = vg_advisory_published_of(rec, &l->list[l->n], l->d);
    if (rc == 0)
        l->n++;
    return rc;
}

static int load_for(struct vg_store *st, const struct vg_recipient *r, struct vg_advisory **list,
                    size_t *n, struct vg_diag *d)
{
    struct loading l = {.r = r, .d = d};
    int rc = vg_store_advisory_published_each(st, take_published, &l);
    if (rc) {
        if (!d || !d->message[0])
            vg_diag_set(d, rc, "", "cannot read the published advisories");
        vg_publication_list_free(l.list, l.n);
        return rc;
    }
    *list = l.list;
    *n = l.n;
    return 0;
}

int vg_publication_load(struct vg_store *st, struct vg_advisory **list, size_t *n,
                        struct vg_diag *d)
{
    /* the public: no organisation, no partner */
    static const struct vg_recipient public = {.kind = VG_RCPT_PUBLIC};
    return load_for(st, &public, list, n, d);
}

int vg_publication_stamp(struct vg_store *st, char *out, size_t cap, struct vg_diag *d)
{
    int rc = vg_store_advisory_published_stamp(st, out, cap);
    return rc ? vg_diag_set(d, rc, "", "cannot read the published advisories") : 0;
}

void vg_publication_list_free(struct vg_advisory *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        vg_advisory_free(&list[i]);
    free(list);
}

/* ---- through the sharing routes ---- */

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

int vg_publication_shared_list(struct vg_store *st, const struct vg_recipient *r, json_t **out,
                               struct vg_diag *d)
{
    struct vg_advisory *list = NULL;
    size_t n = 0;
    int rc = load_for(st, r, &list, &n, d);
    if (rc)
        return rc;
    const struct vg_advisory **sorted = n ? vg_malloc(n * sizeof *sorted) : NULL;
    if (n && !sorted)
        rc = vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    json_t *items = rc ? NULL : json_array();
    for (size_t i = 0; !rc && i < n; i++)
        sorted[i] = &list[i];
    if (!rc)
        vg_adv_sort_newest(sorted, n);
    for (size_t i = 0; !rc && i < n; i++) {
        const struct vg_advisory *a = sorted[i];
        json_t *it = json_pack("{s:s, s:s, s:s, s:s, s:i}", "ref", a->ref, "kind",
                               vg_adv_kind_name(a->kind), "title", a->title ? a->title : "", "tlp",
                               vg_tlp_name(a->tlp), "version", a->version);
        if (!it || json_array_append_new(items, it))
            rc = vg_diag_set(d, VG_ENOMEM, "", "out of memory");
        else {
            json_object_set_new(it, "first_revision_date", str_or_null(vg_adv_first_date(a)));
            json_object_set_new(it, "last_revision_date", str_or_null(vg_adv_last_date(a)));
            json_object_set_new(it, "closed_at", str_or_null(a->closed_at));
        }
    }
    free(sorted);
    vg_publication_list_free(list, n);
    if (rc) {
        if (!d || !d->message[0])
            vg_diag_set(d, rc, "", "cannot read the published advisories");
        json_decref(items);
        return rc;
    }
    *out = json_pack("{s:o}", "items", items);
    return *out ? 0 : vg_diag_set(d, VG_ENOMEM, "", "out of memory");
}

int vg_publication_shared_doc(struct vg_store *st, const struct vg_recipient *r,
                              const struct vg_adv_site *site, const char *ref, const char *format,
                              json_t **out, struct vg_diag *d)
{
    bool csaf = format && strcmp(format, "csaf") == 0;
    if (!csaf && !(format && strcmp(format, "certfr") == 0))
        return vg_diag_set(d, VG_EINVAL, "format", "format must be csaf or certfr");
    json_t *rec = NULL;
    int rc = vg_store_advisory_get(st, ref, &rec);
    if (rc)
        return rc == VG_ENOENT ? vg_diag_set(d, rc, "ref", "no advisory %s", ref)
                               : vg_diag_set(d, rc, "", "cannot read advisory %s", ref);
    const json_t *published = json_object_get(rec, "published");
    const char *tlp = vg_json_str(published, "tlp");
    /* what the recipient may not get does not exist for it */
    if (!json_is_object(published) || !vg_tlp_may_send_name(tlp ? tlp : "CLEAR", 0, r)) {
        json_decref(rec);
        return vg_diag_set(d, VG_ENOENT, "ref", "no advisory %s", ref);
    }
    struct vg_advisory a;
    rc = vg_advisory_published_of(rec, &a, d);
    json_decref(rec);
    if (rc)
        return rc;
    if (csaf && a.kind == VG_ADV_GUIDE)
        rc = vg_diag_set(d, VG_EINVAL, "format", "%s is a guide: it has no CSAF document", ref);
    else if (csaf)
        rc = vg_csaf_document(&a, site, out, d);
    else
        rc = vg_certfr_document(&a, site, out, d);
    vg_advisory_free(&a);
    return rc;
}

/* ---- into a folder ---- */

struct dir_out {
    const char *dir;
    size_t files;
    struct vg_diag *d;
    char made[4096]; /* the last folder made: files come folder by folder */
};

/* mkdir -p of the folders of path (its last part is the file). */
static int make_parents(char *path)
{
    for (char *p = strchr(path + 1, '/'); p; p = strchr(p + 1, '/')) {
        *p = '\0';
        int rc = mkdir(path, 0755);
        *p = '/';
        if (rc && errno != EEXIST)
            return -1;
    }
    return 0;
}

static int write_file(void *ctx, const char *path, const char *type, const char *body, size_t len)
{
    (void)type;
    struct dir_out *o = ctx;
    char full[4096], tmp[4096 + 8];
    int n = snprintf(full, sizeof full, "%s/%s", o->dir, path);
    if (n < 0 || (size_t)n >= sizeof full)
        return vg_diag_set(o->d, VG_EIO, path, "%s/%s: path too long", o->dir, path);
    snprintf(tmp, sizeof tmp, "%s.tmp", full);
    size_t folder = (size_t)(strrchr(full, '/') - full); /* full has dir + '/' at least */
    if (strlen(o->made) != folder || strncmp(o->made, full, folder) != 0) {
        if (make_parents(full))
            return vg_diag_set(o->d, VG_EIO, path, "%s: %s", full, strerror(errno));
        memcpy(o->made, full, folder);
        o->made[folder] = '\0';
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return vg_diag_set(o->d, VG_EIO, path, "%s: %s", tmp, strerror(errno));
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, body + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            int e = errno;
            close(fd);
            unlink(tmp);
            return vg_diag_set(o->d, VG_EIO, path, "%s: %s", tmp, strerror(e));
        }
        off += (size_t)w;
    }
    if (close(fd) || rename(tmp, full)) {
        int e = errno;
        unlink(tmp);
        return vg_diag_set(o->d, VG_EIO, path, "%s: %s", full, strerror(e));
    }
    o->files++;
    return 0;
}

/* The newest items of list (sorted newest first) for the portal's home (vg_pub_cache_latest):
 * *out, or NULL when out of memory. */
static json_t *latest_of(const struct vg_advisory *const *list, size_t n)
{
    json_t *out = json_pack("{s:[],s:[],s:[]}", "alerts", "advisories", "guides");
    for (size_t i = 0; out && i < n; i++) {
        const struct vg_advisory *a = list[i];
        json_t *arr = json_object_get(out, a->kind == VG_ADV_ALERTE  ? "alerts"
                                           : a->kind == VG_ADV_GUIDE ? "guides"
                                                                     : "advisories");
        const char *date = vg_adv_last_date(a);
        if (json_array_size(arr) >= VG_PUB_LATEST)
            continue;
        json_t *item = json_pack("{s:s,s:s,s:s,s:s}", "ref", a->ref ? a->ref : "", "kind",
                                 vg_adv_kind_name(a->kind), "title", a->title ? a->title : "",
                                 "date", date ? date : "");
        if (!item || json_array_append_new(arr, item)) {
            json_decref(out);
            out = NULL;
        }
    }
    return out;
}

/* The public site, file by file, to emit: what vg_publication_load gives, rendered; and, when
 * latest is not NULL, its newest items (latest_of). */
static int render_public(struct vg_store *st, const struct vg_adv_site *site, vg_site_emit emit,
                         void *ctx, json_t **latest, struct vg_diag *d)
{
    struct vg_advisory *list = NULL;
    size_t n = 0;
    int rc = vg_publication_load(st, &list, &n, d);
    if (rc)
        return rc;
    const struct vg_advisory **ptrs = n ? vg_malloc(n * sizeof *ptrs) : NULL;
    if (n && !ptrs)
        rc = vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    for (size_t i = 0; !rc && i < n; i++)
        ptrs[i] = &list[i];
    if (!rc)
        rc = vg_adv_site_render(ptrs, n, site, emit, ctx, d);
    if (!rc && latest) {
        vg_adv_sort_newest(ptrs, n);
        if (!(*latest = latest_of(ptrs, n)))
            rc = vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    }
    free(ptrs);
    vg_publication_list_free(list, n);
    return rc;
}

int vg_publication_write_dir(struct vg_store *st, const struct vg_adv_site *site, const char *dir,
                             size_t *files, struct vg_diag *d)
{
    struct dir_out o = {.dir = dir, .d = d};
    char probe[4096];
    snprintf(probe, sizeof probe, "%s/x", dir);
    int rc = make_parents(probe) /* dir itself, with its parents */
                 ? vg_diag_set(d, VG_EIO, "", "%s: %s", dir, strerror(errno))
                 : render_public(st, site, write_file, &o, NULL, d);
    *files = o.files;
    return rc;
}

/* ---- the server's copy ---- */

struct cached {
    char *type; /* static strings from site.c are copied: the cache outlives nothing else */
    char *body;
    size_t len;
};

struct vg_pub_cache {
    char stamp[128]; /* of the site held; "" when none */
    struct vg_strmap paths;
    struct cached *files;
    size_t n, cap;
    json_t *latest; /* the newest items (vg_pub_cache_latest), NULL when none is held */
};

struct vg_pub_cache *vg_pub_cache_new(void)
{
    return vg_calloc(1, sizeof(struct vg_pub_cache));
}

static void cache_clear(struct vg_pub_cache *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->files[i].type);
        free(c->files[i].body);
    }
    free(c->files);
    c->files = NULL;
    c->n = c->cap = 0;
    vg_strmap_cleanup(&c->paths);
    vg_strmap_init(&c->paths);
    c->stamp[0] = '\0';
    json_decref(c->latest);
    c->latest = NULL;
}

void vg_pub_cache_free(struct vg_pub_cache *c)
{
    if (!c)
        return;
    cache_clear(c);
    free(c);
}

static int keep_file(void *ctx, const char *path, const char *type, const char *body, size_t len)
{
    struct vg_pub_cache *c = ctx;
    if (vg_grow((void **)&c->files, &c->cap, c->n + 1, sizeof *c->files, 256))
        return VG_ENOMEM;
    struct cached *f = &c->files[c->n];
    f->type = vg_strdup(type);
    f->body = vg_malloc(len + 1);
    if (!f->type || !f->body) {
        free(f->type);
        free(f->body);
        return VG_ENOMEM;
    }
    memcpy(f->body, body, len);
    f->body[len] = '\0';
    f->len = len;
    bool added;
    if (vg_strmap_put(&c->paths, path, strlen(path), (uint32_t)c->n, &added) < 0) {
        free(f->type);
        free(f->body);
        return VG_ENOMEM;
    }
    c->n++;
    return 0;
}

static int rebuild(struct vg_pub_cache *c, struct vg_store *st, const struct vg_adv_site *site,
                   const char *stamp, struct vg_diag *d)
{
    cache_clear(c);
    int rc = render_public(st, site, keep_file, c, &c->latest, d);
    if (rc == VG_ENOMEM)
        vg_diag_set(d, rc, "", "out of memory while rendering the site");
    if (rc) {
        cache_clear(c);
        return rc;
    }
    snprintf(c->stamp, sizeof c->stamp, "%s", stamp);
    return 0;
}

/* The cached file of key, or -1. */
static long find(const struct vg_pub_cache *c, const char *key, size_t len)
{
    long i = vg_strmap_find(&c->paths, key, len);
    return i < 0 ? -1 : (long)vg_strmap_val(&c->paths, (size_t)i);
}

int vg_pub_cache_get(struct vg_pub_cache *c, struct vg_store *st, const struct vg_adv_site *site,
                     const char *path, struct vg_pub_file *out, struct vg_diag *d)
{
    char stamp[128];
    int rc = vg_publication_stamp(st, stamp, sizeof stamp, d);
    if (rc)
        return rc;
    if (!c->stamp[0] || strcmp(stamp, c->stamp) != 0) {
        if ((rc = rebuild(c, st, site, stamp, d)))
            return rc;
    }
    /* "/advisories/X/" -> "advisories/X" then the file itself or its folder's index */
    char key[1024];
    while (*path == '/')
        path++;
    size_t len = strlen(path);
    while (len && path[len - 1] == '/')
        len--;
    if (len + sizeof "/index.json" > sizeof key)
        return VG_ENOENT;
    memcpy(key, path, len);
    key[len] = '\0';
    long i = find(c, key, len);
    static const char *const indexes[] = {"/index.html", "/index.json", "/index.xml"};
    for (size_t k = 0; i < 0 && k < sizeof indexes / sizeof indexes[0]; k++) {
        size_t m = strlen(indexes[k]);
        memcpy(key + len, indexes[k], m + 1);
        i = find(c, key, len + m);
    }
    if (i < 0)
        return VG_ENOENT;
    out->type = c->files[i].type;
    out->body = c->files[i].body;
    out->len = c->files[i].len;
    return 0;
}

int vg_pub_cache_latest(struct vg_pub_cache *c, struct vg_store *st, const struct vg_adv_site *site,
                        json_t **out, struct vg_diag *d)
{
    char stamp[128];
    *out = NULL;
    int rc = vg_publication_stamp(st, stamp, sizeof stamp, d);
    if (rc)
        return rc;
    if (!c->stamp[0] || strcmp(stamp, c->stamp) != 0 || !c->latest) {
        if ((rc = rebuild(c, st, site, stamp, d)))
            return rc;
    }
    if (!(*out = json_deep_copy(c->latest)))
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    return 0;
}
