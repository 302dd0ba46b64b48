/* Feed readers: CVE JSON 5 records (one, a list, or a directory tree), NVD CVE API 2.0 pages,
 * the CISA KEV catalog and FIRST EPSS CSV, read into a struct vg_vuln_set. A malformed record
 * is reported (file and JSON pointer, or file and line) and skipped; the rest is read. */
#ifndef VG_FEED_H
#define VG_FEED_H

#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"
#include "util/json.h"
#include "vuln/vuln.h"

enum vg_feed_format { VG_FEED_AUTO, VG_FEED_NVD, VG_FEED_CVE5, VG_FEED_KEV, VG_FEED_EPSS };

/* What a read did. */
struct vg_feed_stats {
    size_t added;     /* records new to the set */
    size_t updated;   /* records that replaced an older one (later lastModified) */
    size_t unchanged; /* records not newer than the one held */
    size_t rejected;  /* malformed records, skipped */
    size_t files;     /* files read */
};

/* Called for each rejected record: file name, and d with the JSON pointer in d->field (or
 * the line in d->line for CSV) and the reason in d->message. */
typedef void (*vg_feed_error_fn)(void *ctx, const char *file, const struct vg_diag *d);

struct vg_feed_opts {
    bool keep_json;            /* keep each record re-serialised in vg_vuln.json */
    vg_feed_error_fn on_error; /* may be NULL */
    void *ctx;                 /* passed to on_error */
};

/* Reads one document already in memory; name is used in reports. fmt VG_FEED_AUTO guesses
 * from the content. Returns 0 when the document could be read (even with rejected records),
 * or a negative VG_E* with d filled when not (not JSON, unknown shape, over a limit). */
int vg_feed_read_mem(struct vg_vuln_set *s, enum vg_feed_format fmt, const char *name,
                     const char *data, size_t len, const struct vg_feed_opts *o,
                     struct vg_feed_stats *st, struct vg_diag *d);
/* Reads a file, or every feed file under a directory (vg_feed_walk's). Files over
 * VG_MAX_FEED_FILE are refused. A directory read goes on after a bad file or subdirectory
 * (reported through on_error with an empty field) and returns its first error. */
int vg_feed_read_path(struct vg_vuln_set *s, enum vg_feed_format fmt, const char *path,
                      const struct vg_feed_opts *o, struct vg_feed_stats *st, struct vg_diag *d);
/* Called by vg_feed_walk for each feed file (err 0, d NULL), and for each directory that
 * could not be read (err a negative VG_E*, d saying why). A nonzero return stops the walk. */
typedef int (*vg_feed_visit_fn)(void *ctx, const char *path, int err, const struct vg_diag *d);
/* The one walker of feed paths. A path that is not a directory (or cannot be examined) is
 * given to fn as a file, for its reader to report what is wrong; a directory is read
 * recursively (VG_MAX_FEED_DEPTH levels below it), hidden entries skipped, names in byte
 * order, and every *.json or *.csv file given to fn. Returns 0, fn's nonzero return, or
 * VG_ENOMEM / VG_ETOOBIG (over VG_MAX_FEED_FILES files) with d filled. */
int vg_feed_walk(const char *path, vg_feed_visit_fn fn, void *ctx, struct vg_diag *d);
/* Parses one CVE JSON 5 record (or {"cve": record}) / one NVD `cve` object into a new
 * record; NULL with d (JSON pointer relative to ptr, the prefix given) on error. */
struct vg_vuln *vg_feed_parse_cve5(const json_t *rec, const char *ptr, bool keep_json,
                                   struct vg_diag *d);
struct vg_vuln *vg_feed_parse_nvd(const json_t *cve, const char *ptr, bool keep_json,
                                  struct vg_diag *d);

#endif
