/* Indicator feeds into the store as a use case: the lines of an indicator file (the text and
 * CSV formats `vigie match --indicators` reads, match/iocfile.c) checked as a client's
 * indicators are (core/record.h) and imported idempotently, a transaction per chunk. */
#ifndef VG_APP_INDICATORS_H
#define VG_APP_INDICATORS_H

#include <stdbool.h>
#include <stddef.h>

#include "match/match.h"
#include "store/store.h"

/* How a feed's indicators are stored. */
struct vg_indicators_options {
    const char *tlp;      /* NULL: the store's default */
    const char *source;   /* NULL: the file's name */
    long long confidence; /* 0 to 100, -1: the store's default */
    bool strict;          /* an invalid line stops the import */
};

/* What one import did. */
struct vg_indicators_counts {
    long long added, updated, unchanged; /* the store's answers */
    long long rejected;                  /* invalid lines */
};

/* Checks the options once (on a sample indicator) rather than on every line: 0, or
 * VG_EINVAL with d naming the option's field ("/tlp", "/source", "/confidence"). */
int vg_indicators_options_check(const struct vg_indicators_options *o, struct vg_diag *d);

/* Imports the indicator file data[0..len) named file as `who`, a store transaction per
 * VG_IMPORT_CHUNK indicators. Invalid lines go to on_error (may be NULL) and are counted as
 * rejected. 0 with *counts filled; VG_EINVAL if o->strict and a line is invalid (the chunks
 * stored before stay, the pending one is dropped); another error (d filled) from the store
 * or the reader. */
int vg_indicators_import_text(struct vg_store *st, const struct vg_actor *who,
                              const struct vg_indicators_options *o, const char *file,
                              const char *data, size_t len, vg_match_ioc_error_fn on_error,
                              void *ctx, struct vg_indicators_counts *counts, struct vg_diag *d);

#endif
