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

/* An import read in pieces: a file's whole lines given as they are read, so that memory holds
 * a chunk of indicators and the piece, not the file. */
struct vg_indicators_import;

/* Starts importing the indicator file named file (the default source) as `who`; invalid lines
 * will go to on_error (may be NULL). NULL when out of memory. o, file and who must outlive
 * it. */
struct vg_indicators_import *vg_indicators_import_new(struct vg_store *st,
                                                      const struct vg_actor *who,
                                                      const struct vg_indicators_options *o,
                                                      const char *file,
                                                      vg_match_ioc_error_fn on_error, void *ctx);
/* Reads whole lines data[0..len) (the next of the file), storing a chunk each time
 * VG_IMPORT_CHUNK indicators are checked. Returns as vg_indicators_import_text. */
int vg_indicators_import_feed(struct vg_indicators_import *im, const char *data, size_t len,
                              struct vg_diag *d);
/* The next line of the file was too long for its reader to keep: reported and rejected as
 * any line over VG_MAX_LINE (VG_EINVAL when strict). */
int vg_indicators_import_long_line(struct vg_indicators_import *im, struct vg_diag *d);
/* Stores the pending chunk (after the last piece); 0 or the store's error. */
int vg_indicators_import_end(struct vg_indicators_import *im, struct vg_diag *d);
/* What the import did so far. */
struct vg_indicators_counts vg_indicators_import_counts(const struct vg_indicators_import *im);
/* Drops the pending chunk (not stored unless _end was called) and frees im; NULL is fine. */
void vg_indicators_import_free(struct vg_indicators_import *im);

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
