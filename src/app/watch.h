/* Technology watch over the store: feeds imported into the database with the findings of
 * the CVEs they change, the full re-match, and the re-match of an organisation's new assets.
 * It joins src/vuln/ (parsing, matching) and src/store/ (persistence); it is the use
 * cases of the `vigie vuln` commands and of the API handlers, written once here. */
#ifndef VG_APP_WATCH_H
#define VG_APP_WATCH_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "store/store.h"
#include "util/err.h"

/* What an import did (counts over records of the database, not of the files). */
struct vg_watch_stats {
    size_t files;        /* files read */
    size_t bad_files;    /* files that could not be read at all */
    size_t added;        /* CVE records new to the database */
    size_t updated;      /* records replaced by a later lastModified */
    size_t unchanged;    /* records not newer than the one held */
    size_t rejected;     /* malformed records, skipped */
    size_t kev;          /* KEV entries stored */
    size_t epss;         /* EPSS scores stored */
    size_t matched;      /* CVEs re-matched against the inventory */
    size_t findings;     /* findings of those CVEs */
    size_t new_findings; /* of those, not stored before */
    size_t assets;       /* products those CVEs were matched against (summed per round) */
    double load_ms;      /* reading the products, building the inventory of those concerned */
    double read_ms;      /* re-reading the changed CVEs from the store */
    double match_ms;     /* matching them (the first call builds the inventory's lookups) */
    double store_ms;     /* replacing their findings */
};

/* Called for each rejected record or unreadable file (field: JSON pointer, or "" and line). */
typedef void (*vg_watch_error_fn)(void *ctx, const char *file, const struct vg_diag *d);
/* Called after each file: files done, of total; records so far. */
typedef void (*vg_watch_progress_fn)(void *ctx, size_t done, size_t total, size_t records);

struct vg_watch_opts {
    vg_watch_error_fn on_error;       /* may be NULL */
    vg_watch_progress_fn on_progress; /* may be NULL */
    void *ctx;
};

/* Imports the feed files named by paths (files, or directories read recursively for *.json
 * and *.csv in name order) into the store, one transaction per file, then matches the CVEs
 * added or updated against every organisation's products and replaces their findings.
 * Returns 0 if at least one file was read, else the first error (d filled). */
int vg_watch_import(struct vg_store *st, char *const *paths, size_t npaths,
                    const struct vg_watch_opts *o, struct vg_watch_stats *stats, struct vg_diag *d);

/* Figures of a full re-match. */
struct vg_watch_match_stats {
    size_t cves;         /* records matched */
    size_t assets;       /* products matched against */
    size_t findings;     /* findings found */
    size_t new_findings; /* of those, not stored before */
    size_t gone;         /* stored findings no longer found, deleted */
    size_t orgs;         /* organisations with products */
    size_t orgs_changed; /* of those (and of those left without any), whose findings changed */
    size_t unreadable;   /* stored compact forms refused (the database was altered) */
    double load_ms;      /* reading records and inventory from the store, building the index */
    double match_ms;     /* matching */
    double store_ms;     /* comparing fingerprints, rewriting the findings that changed */
};

/* Re-matches every stored CVE against the products of organisation org (0: every one),
 * rewrites the findings of the organisations whose findings fingerprint changed (the others
 * are already right) and, if out is not NULL, writes the findings to out as NDJSON by
 * priority (those of CVEs published or modified since `since`, when given). */
int vg_watch_match_all(struct vg_store *st, long long org, const char *since, FILE *out,
                       struct vg_watch_match_stats *ms, struct vg_diag *d);

/* After organisation org's products changed from `before` to its current ones (before: the
 * "products" array it had, or NULL for a new organisation): drops the findings of removed
 * products and matches the CVEs that name the new products' (part, vendor, product) against
 * the organisation, replacing its findings of those CVEs. *nfound (may be NULL) = findings of
 * those CVEs. */
int vg_watch_org_assets(struct vg_store *st, long long org, const json_t *before, size_t *nfound,
                        struct vg_diag *d);

/* The summary of one CVE from the store for the API: vg_store_vuln_get's answer with the
 * records replaced by "descriptions" and "references" drawn from them, and "sources". */
int vg_watch_vuln_summary(struct vg_store *st, const char *cve, json_t **out);

#endif
