/* Feed files: the format of a document (given or guessed), the reader of that format
 * (nvd.c, cve5.c, kev.c, epss.c), files and the one directory walker (vg_feed_walk). */
#include "vuln/feed.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/json.h"
#include "util/limits.h"
#include "util/mem.h"
#include "util/sort.h"
#include "vuln/vuln_int.h"

void vuln_feed_report(const struct vg_feed_opts *o, const char *name, const struct vg_diag *d,
                      struct vg_feed_stats *st)
{
    st->rejected++;
    if (o && o->on_error)
        o->on_error(o->ctx, name, d);
}

void vuln_feed_count(int rc, struct vg_feed_stats *st)
{
    if (rc == VG_VULN_ADDED)
        st->added++;
    else if (rc == VG_VULN_UPDATED)
        st->updated++;
    else if (rc == VG_VULN_UNCHANGED)
        st->unchanged++;
}

int vuln_feed_put(struct vg_vuln_set *s, struct vg_vuln *v, struct vg_feed_stats *st)
{
    int rc = vg_vuln_set_put(s, v);
    if (rc < 0)
        return rc;
    vuln_feed_count(rc, st);
    return 0;
}

static enum vg_feed_format guess_json(const json_t *doc)
{
    if (json_is_array(doc))
        return VG_FEED_CVE5;
    if (!json_is_object(doc))
        return VG_FEED_AUTO;
    json_t *cve = json_object_get(doc, "cve");
    if (json_is_object(cve) && json_object_get(cve, "id"))
        return VG_FEED_NVD;
    if (json_object_get(doc, "cveMetadata") || json_object_get(doc, "dataType") ||
        json_is_object(cve))
        return VG_FEED_CVE5;
    json_t *vulns = json_object_get(doc, "vulnerabilities");
    if (json_object_get(doc, "catalogVersion"))
        return VG_FEED_KEV;
    if (json_is_array(vulns)) {
        json_t *first = json_array_get(vulns, 0);
        if (json_object_get(first, "cveID"))
            return VG_FEED_KEV;
        return VG_FEED_NVD;
    }
    return VG_FEED_AUTO;
}

int vg_feed_read_mem(struct vg_vuln_set *s, enum vg_feed_format fmt, const char *name,
                     const char *data, size_t len, const struct vg_feed_opts *o,
                     struct vg_feed_stats *st, struct vg_diag *d)
{
    if (len > (size_t)VG_MAX_FEED_FILE)
        return vg_diag_set(d, VG_ETOOBIG, "", "%s: larger than %ld bytes", name,
                           (long)VG_MAX_FEED_FILE);
    st->files++;
    size_t skip = 0;
    while (skip < len && isspace((unsigned char)data[skip]))
        skip++;
    if (fmt == VG_FEED_EPSS ||
        (fmt == VG_FEED_AUTO && skip < len && data[skip] != '{' && data[skip] != '['))
        return vuln_read_epss(s, data, len, name, o, st, d);
    struct vg_diag jd;
    vg_diag_clear(&jd);
    json_t *doc = vg_json_parse(data, len, &jd);
    if (!doc) {
        vg_diag_set(d, jd.offset >= 0 ? VG_EINVAL : VG_ETOOBIG, "", "%s: %s", name, jd.message);
        if (d)
            d->line = jd.line;
        return VG_EINVAL;
    }
    if (fmt == VG_FEED_AUTO)
        fmt = guess_json(doc);
    int rc;
    switch (fmt) {
    case VG_FEED_NVD: rc = vuln_read_nvd(s, doc, name, o, st, d); break;
    case VG_FEED_CVE5: rc = vuln_read_cve5(s, doc, name, o, st, d); break;
    case VG_FEED_KEV: rc = vuln_read_kev(s, doc, name, o, st, d); break;
    default:
        rc = vg_diag_set(d, VG_EINVAL, "", "%s: not a CVE 5, NVD 2.0, KEV or EPSS document", name);
        break;
    }
    json_decref(doc);
    return rc;
}

/* Reads what is not a regular file (a pipe, a FIFO, /dev/stdin, a character device) up to its
 * end, VG_MAX_FEED_FILE bytes at most: its size is not known beforehand. 0 with *data (free
 * it) and *len, or a negative VG_E* with d filled. */
static int read_stream(FILE *f, const char *path, char **data, size_t *len, struct vg_diag *d)
{
    size_t cap = 1 << 16, have = 0;
    char *buf = vg_malloc(cap);
    for (;;) {
        if (!buf)
            return vg_diag_set(d, VG_ENOMEM, "", "%s: out of memory", path);
        if (have == cap) {
            if (cap > (size_t)VG_MAX_FEED_FILE) {
                free(buf);
                return vg_diag_set(d, VG_ETOOBIG, "", "%s: larger than %ld bytes", path,
                                   (long)VG_MAX_FEED_FILE);
            }
            /* one byte over the cap is enough to tell a stream over it */
            size_t ncap =
                cap * 2 > (size_t)VG_MAX_FEED_FILE + 1 ? (size_t)VG_MAX_FEED_FILE + 1 : cap * 2;
            char *nb = vg_realloc(buf, ncap);
            if (!nb) {
                free(buf);
                buf = NULL;
                continue;
            }
            buf = nb;
            cap = ncap;
        }
        have += fread(buf + have, 1, cap - have, f);
        if (have < cap) /* fread stops short only at the end or on an error */
            break;
    }
    if (ferror(f)) {
        int err = errno;
        free(buf);
        return vg_diag_set(d, VG_EIO, "", "%s: %s", path, strerror(err));
    }
    if (have > (size_t)VG_MAX_FEED_FILE) {
        free(buf);
        return vg_diag_set(d, VG_ETOOBIG, "", "%s: larger than %ld bytes", path,
                           (long)VG_MAX_FEED_FILE);
    }
    *data = buf;
    *len = have;
    return 0;
}

static int read_file(struct vg_vuln_set *s, enum vg_feed_format fmt, const char *path,
                     const struct vg_feed_opts *o, struct vg_feed_stats *st, struct vg_diag *d)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return vg_diag_set(d, VG_EIO, "", "%s: %s", path, strerror(errno));
    int rc = 0;
    char *data = NULL;
    size_t n = 0;
    struct stat sb;
    if (fstat(fileno(f), &sb) < 0) {
        rc = vg_diag_set(d, VG_EIO, "", "%s: %s", path, strerror(errno));
        goto out;
    }
    if (!S_ISREG(sb.st_mode)) {
        if ((rc = read_stream(f, path, &data, &n, d)) != 0)
            goto out;
    } else {
        if (sb.st_size > VG_MAX_FEED_FILE) {
            rc = vg_diag_set(d, VG_ETOOBIG, "", "%s: larger than %ld bytes", path,
                             (long)VG_MAX_FEED_FILE);
            goto out;
        }
        data = vg_malloc((size_t)sb.st_size + 1);
        if (!data) {
            rc = vg_diag_set(d, VG_ENOMEM, "", "%s: out of memory", path);
            goto out;
        }
        n = fread(data, 1, (size_t)sb.st_size, f);
        if (n != (size_t)sb.st_size) {
            rc = vg_diag_set(d, VG_EIO, "", "%s: short read", path);
            goto out;
        }
    }
    rc = vg_feed_read_mem(s, fmt, path, data, n, o, st, d);
out:
    free(data);
    fclose(f);
    return rc;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool feed_file_name(const char *n)
{
    size_t l = strlen(n);
    return (l > 5 && strcmp(n + l - 5, ".json") == 0) || (l > 4 && strcmp(n + l - 4, ".csv") == 0);
}

/* A walk under way. */
struct walk {
    vg_feed_visit_fn fn;
    void *ctx;
    size_t files; /* files given to fn */
    struct vg_diag *d;
};

/* Names of directory dir's entries (hidden ones left out), sorted; NULL with *n 0 when it has
 * none; *rc VG_ENOMEM when out of memory. Free each name, then the array. */
static char **dir_names(DIR *dir, size_t *n, int *rc)
{
    char **names = NULL;
    size_t cap = 0;
    struct dirent *de;
    *n = 0;
    while (!*rc && (de = readdir(dir))) {
        if (de->d_name[0] == '.')
            continue;
        char *name = NULL;
        if (vuln_rec_grow((void **)&names, &cap, *n, sizeof *names) < 0 ||
            !(name = vg_strdup(de->d_name)))
            *rc = VG_ENOMEM;
        else
            names[(*n)++] = name;
    }
    if (*n > 1)
        vg_sort(names, *n, sizeof *names, cmp_names);
    return names;
}

static int walk_dir(struct walk *w, const char *path, int depth)
{
    DIR *dir = opendir(path);
    if (!dir) {
        struct vg_diag e;
        return w->fn(w->ctx, path, vg_diag_set(&e, VG_EIO, "", "%s: %s", path, strerror(errno)),
                     &e);
    }
    size_t n;
    int rc = 0;
    char **names = dir_names(dir, &n, &rc);
    closedir(dir);
    if (rc)
        vg_diag_set(w->d, rc, "", "%s: out of memory", path);
    for (size_t i = 0; i < n; i++) {
        char full[4096];
        struct stat sb;
        if (!rc && snprintf(full, sizeof full, "%s/%s", path, names[i]) < (int)sizeof full) {
            if (stat(full, &sb) == 0 && S_ISDIR(sb.st_mode)) {
                if (depth < VG_MAX_FEED_DEPTH)
                    rc = walk_dir(w, full, depth + 1);
            } else if (feed_file_name(names[i])) {
                if (++w->files > VG_MAX_FEED_FILES)
                    rc = vg_diag_set(w->d, VG_ETOOBIG, "", "%s: more than %d feed files", path,
                                     VG_MAX_FEED_FILES);
                else
                    rc = w->fn(w->ctx, full, 0, NULL);
            }
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

int vg_feed_walk(const char *path, vg_feed_visit_fn fn, void *ctx, struct vg_diag *d)
{
    struct walk w = {fn, ctx, 0, d};
    struct stat sb;
    if (stat(path, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return fn(ctx, path, 0, NULL); /* its reader says what is wrong with it */
    return walk_dir(&w, path, 0);
}

/* vg_feed_read_path's walk: every file read into one set; after a bad file or directory the
 * walk goes on, the first error kept. Inside a directory each is reported through
 * o->on_error; the path given itself only through the result. */
struct read_walk {
    struct vg_vuln_set *s;
    enum vg_feed_format fmt;
    const char *top;
    const struct vg_feed_opts *o;
    struct vg_feed_stats *st;
    struct vg_diag *d;
    int first;
};

static int read_visit(void *ctx, const char *path, int err, const struct vg_diag *ed)
{
    struct read_walk *rw = ctx;
    struct vg_diag fd;
    vg_diag_clear(&fd);
    int rc = err;
    if (err)
        fd = *ed;
    else
        rc = read_file(rw->s, rw->fmt, path, rw->o, rw->st, &fd);
    if (rc == 0)
        return 0;
    if (rc != VG_ENOMEM && strcmp(path, rw->top) != 0 && rw->o && rw->o->on_error)
        rw->o->on_error(rw->o->ctx, path, &fd);
    if (!rw->first) {
        rw->first = rc;
        if (rw->d)
            *rw->d = fd;
    }
    return rc == VG_ENOMEM ? rc : 0;
}

int vg_feed_read_path(struct vg_vuln_set *s, enum vg_feed_format fmt, const char *path,
                      const struct vg_feed_opts *o, struct vg_feed_stats *st, struct vg_diag *d)
{
    struct read_walk rw = {s, fmt, path, o, st, d, 0};
    int rc = vg_feed_walk(path, read_visit, &rw, d);
    return rc ? rc : rw.first;
}
