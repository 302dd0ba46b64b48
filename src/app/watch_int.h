/* What the files of the technology watch (app/watch*.c) share among themselves: growable
 * arrays, product lookup keys, the loaders of records and products from the store, and the
 * writing of findings. Not for use outside them. */
#ifndef VG_APP_WATCH_INT_H
#define VG_APP_WATCH_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "app/watch.h"
#include "core/product.h"
#include "util/str.h"
#include "vuln/vmatch.h"
#include "vuln/vuln.h"

/* A growable array of strings (malloc'ed, owned). */
struct strv {
    char **v;
    size_t n, cap;
};

/* A growable array of keys (CVE keys, organisation or asset ids). */
struct keyv {
    long long *v;
    size_t n, cap;
};

/* vuln_product's key of the CVEs whose criteria name no one product (a wildcard or ANY part,
 * vendor or product): looked up whenever an organisation's products change. */
#define WILD_KEY ""

/* vg_store_vuln_each callback context: the records read into set. */
struct loader {
    struct vg_vuln_set *set;
    size_t records;
    size_t unreadable; /* compact forms refused (altered in the database) */
};

/* vg_store_vuln_assets_each callback context: the products read into inv. */
struct inv_loader {
    struct vg_inventory *inv;
    size_t skipped;
};

/* Monotonic time in milliseconds. */
double watch_now_ms(void);

/* Appends s (malloc'ed, taken; NULL counts as out of memory) to l. 0 or VG_ENOMEM (s freed). */
int watch_strv_push(struct strv *l, char *s);
/* Frees the strings of l and l's array; l is empty again. */
void watch_strv_clear(struct strv *l);
/* Appends key to k. 0 or VG_ENOMEM. */
int watch_keyv_push(struct keyv *k, long long key);
/* Sorts k and drops repeated keys. */
void watch_keyv_uniq(struct keyv *k);
/* A NUL-terminated copy of s (malloc'ed), or NULL. */
char *watch_dup_str(struct vg_str s);

/* "*:" + the name key (core/product.h) of vendor and product, as vuln_product lists a CVE 5
 * product (malloc'ed); NULL when out of memory or the names hold a wildcard (*bad set). */
char *watch_cve5_key(struct vg_str vendor, struct vg_str product, enum vg_product_form form,
                     bool *bad);

/* vg_store_vuln_each's record callback (ctx: struct loader): decodes or parses the record
 * into ctx->set; a record no longer readable is skipped (counted when its compact form is
 * refused). 0 or VG_ENOMEM. */
int watch_load_record(void *ctx, const char *source, const void *data, size_t len, bool compact);
/* vg_store_vuln_assets_each's callback (ctx: struct inv_loader): adds org's product cpe to
 * ctx->inv; one without a concrete version is skipped. 0 or VG_ENOMEM. */
int watch_load_asset(void *ctx, long long org, const char *cpe);

/* Replaces the stored findings of scope by fs (found matching set against inv), in the
 * order of the store's index. *nnew, *ngone (each may be NULL): findings new to the store,
 * and stored ones no longer found. 0 or an error with d filled. */
int watch_store_findings(struct vg_store *st, const struct vg_store_fscope *scope,
                         const struct vg_vuln_set *set, const struct vg_inventory *inv,
                         const struct vg_findings *fs, size_t *nnew, size_t *ngone,
                         struct vg_diag *d);

#endif
