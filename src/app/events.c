/* Events into sightings. The recorder sits between the scanner and match/sighting.c: it
 * passes each hit to the caller's sink (printing), counts hits of indicators that are not in
 * the database, and hands the others to the sightings builder, whose batches it stores and
 * whose alerts it counts. */
#include "app/events.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/attrib.h"
#include "util/hash.h"
#include "util/mem.h"
#include "util/time.h"

struct vg_events_recorder {
    struct vg_store *st;
    struct vg_actor who;
    const struct vg_match_index *idx;
    const struct vg_attrib *attrib;
    size_t batch;                  /* sightings per store transaction */
    struct vg_match_sink also;     /* the caller's sink, hit and bad may be NULL */
    struct vg_match_sightings sg;  /* turns hits into sightings (per vg_events_record) */
    struct vg_u64map alerts;       /* ids of the alerts counted in, as keys */
    long long *alert_of;           /* the alert of each sighting of the batch being stored */
    size_t alert_cap;              /* room in alert_of */
    unsigned long long sightings;  /* stored */
    unsigned long long unrecorded; /* hits of indicators without a database id */
    uint64_t line_base;            /* lines of the log before the data recorded */
    struct vg_diag d;              /* the store's error, if any */
};

/* now as expiries are stored, in whole seconds ("YYYY-MM-DDTHH:MM:SSZ"), into out; NULL
 * stays NULL. The clock's "...:00.500000Z" sorts before an expiry "...:00Z" as text, which
 * kept an indicator matched for the whole second of its expiry. */
static const char *as_stored(const char *now, char out[VG_TIME_LEN])
{
    time_t t;
    if (!now || vg_time_parse(now, &t) != 0)
        return now;
    vg_time_fmt(t, out);
    return out;
}

int vg_events_load(struct vg_store *st, const char *now, struct vg_match_index *idx,
                   struct vg_diag *d)
{
    char at[VG_TIME_LEN];
    now = as_stored(now, at);
    if (vg_store_indicator_each(st, now, vg_match_index_add_row, idx) != 0)
        return vg_diag_set(d, VG_EIO, "", "cannot read the database's indicators");
    return 0;
}

const struct vg_match_index *vg_events_index_current(struct vg_events_index *ei,
                                                     struct vg_store *st, const char *now,
                                                     struct vg_diag *d)
{
    char version[sizeof ei->version], at[VG_TIME_LEN];
    now = as_stored(now, at);
    if (vg_store_indicator_version(st, now, version, sizeof version) != 0) {
        vg_diag_set(d, VG_EIO, "", "cannot read the indicators");
        return NULL;
    }
    if (ei->idx && strcmp(version, ei->version) == 0)
        return ei->idx;
    struct vg_match_index *idx = vg_match_index_new();
    if (!idx || vg_events_load(st, now, idx, d) != 0) {
        vg_match_index_free(idx);
        vg_diag_set(d, VG_EIO, "", "cannot load the indicators");
        return NULL;
    }
    vg_match_index_freeze(idx);
    vg_match_index_free(ei->idx);
    ei->idx = idx;
    memcpy(ei->version, version, sizeof version);
    return idx;
}

void vg_events_index_cleanup(struct vg_events_index *ei)
{
    vg_match_index_free(ei->idx);
    ei->idx = NULL;
    ei->version[0] = '\0';
}

struct vg_events_recorder *vg_events_recorder_new(struct vg_store *st, const struct vg_actor *who,
                                                  const struct vg_match_index *idx,
                                                  const struct vg_attrib *attrib, size_t batch,
                                                  const struct vg_match_sink *also)
{
    struct vg_events_recorder *rec = vg_calloc(1, sizeof *rec);
    if (!rec)
        return NULL;
    rec->st = st;
    rec->who = *who;
    rec->idx = idx;
    rec->attrib = attrib;
    rec->batch = batch;
    if (also)
        rec->also = *also;
    return rec;
}

void vg_events_recorder_use(struct vg_events_recorder *rec, const struct vg_match_index *idx,
                            const struct vg_attrib *attrib)
{
    rec->idx = idx;
    rec->attrib = attrib;
}

void vg_events_recorder_free(struct vg_events_recorder *rec)
{
    if (!rec)
        return;
    vg_u64map_cleanup(&rec->alerts);
    free(rec->alert_of);
    free(rec);
}

struct vg_events_counts vg_events_recorder_counts(const struct vg_events_recorder *rec)
{
    struct vg_events_counts c = {rec->sightings, rec->alerts.n, rec->unrecorded};
    return c;
}

/* The sightings builder's flush: one store transaction per batch. */
static int store_batch(void *ctx, const struct vg_sighting *v, size_t n)
{
    struct vg_events_recorder *rec = ctx;
    if (n > rec->alert_cap) {
        long long *a = vg_realloc(rec->alert_of, n * sizeof *a);
        if (!a)
            return vg_diag_set(&rec->d, VG_ENOMEM, "", "out of memory");
        rec->alert_of = a;
        rec->alert_cap = n;
    }
    /* room for the batch's alerts before it is stored: counting them once it is committed
     * cannot fail then (a failure there answered 500 for sightings stored) */
    if (vg_u64map_reserve(&rec->alerts, n) != 0)
        return vg_diag_set(&rec->d, VG_ENOMEM, "", "out of memory");
    int r = vg_store_sightings_record(rec->st, &rec->who, v, n, rec->alert_of, &rec->d);
    if (r)
        return r;
    rec->sightings += n;
    for (size_t i = 0; i < n; i++)
        if (i == 0 || rec->alert_of[i] != rec->alert_of[i - 1])
            (void)vg_u64map_put(&rec->alerts, (uint64_t)rec->alert_of[i], 0); /* reserved */
    return 0;
}

static int on_hit(void *ctx, const struct vg_match_hit *h)
{
    struct vg_events_recorder *rec = ctx;
    if (rec->also.hit) {
        int r = rec->also.hit(rec->also.ctx, h);
        if (r)
            return r;
    }
    struct vg_match_indicator ind;
    char text[VG_MATCH_TEXT_MAX];
    vg_match_index_get(rec->idx, h->rec, &ind, text);
    if (ind.id <= 0) {
        rec->unrecorded++;
        return 0;
    }
    return vg_match_sightings_hit(&rec->sg, h);
}

static void on_bad(void *ctx, uint64_t line, const char *message)
{
    struct vg_events_recorder *rec = ctx;
    if (rec->also.bad)
        rec->also.bad(rec->also.ctx, line, message);
}

int vg_events_record(struct vg_events_recorder *rec, const struct vg_match_scan_opts *opts,
                     const char *data, size_t len, const char *source, struct vg_match_stats *stats,
                     struct vg_diag *d)
{
    if (vg_match_sightings_init(&rec->sg, rec->idx, rec->attrib, data, len, opts->format, source,
                                rec->batch, store_batch, rec) != 0)
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    rec->sg.line_base = rec->line_base;
    struct vg_match_sink sink = {on_hit, on_bad, rec};
    vg_diag_clear(&rec->d);
    int rc = vg_match_scan_mem(rec->idx, opts, data, len, &sink, stats, d);
    if (!rc)
        rc = vg_match_sightings_flush(&rec->sg);
    if (rc && rec->d.message[0] && d)
        *d = rec->d;
    vg_match_sightings_cleanup(&rec->sg);
    return rc;
}

/* The pieces recorded in one transaction; then more (may be NULL) writes in it, then
 * before_commit; the recorder's count of sightings is back where it was on failure. */
static int record_tx(struct vg_events_recorder *rec, const struct vg_match_scan_opts *opts,
                     const struct vg_events_piece *pieces, size_t n,
                     void (*start)(void *ctx, const struct vg_events_piece *p),
                     int (*more)(struct vg_store *st, const void *arg, struct vg_diag *d),
                     const void *more_arg, int (*before_commit)(void *ctx), void *ctx,
                     struct vg_match_stats *stats, struct vg_diag *d)
{
    unsigned long long stored = rec->sightings;
    int rc = vg_store_tx_begin(rec->st, d);
    if (rc)
        return rc;
    for (size_t i = 0; i < n && !rc; i++) {
        rec->line_base = pieces[i].first ? pieces[i].first - 1 : 0;
        if (start)
            start(ctx, &pieces[i]);
        rc = vg_events_record(rec, opts, pieces[i].data, pieces[i].len, pieces[i].source, stats, d);
    }
    rec->line_base = 0;
    if (!rc && more)
        rc = more(rec->st, more_arg, d);
    if (!rc && before_commit && (rc = before_commit(ctx)) != 0)
        vg_diag_set(d, rc, "", "cannot write the output");
    if (!rc)
        rc = vg_store_tx_commit(rec->st, d); /* rolled back when it fails */
    else
        vg_store_tx_rollback(rec->st);
    if (rc)
        rec->sightings = stored; /* none of the pieces' is stored */
    return rc;
}

struct follower_pos {
    const char *follower;
    const struct vg_follow_position *pos;
};

static int put_pos(struct vg_store *st, const void *arg, struct vg_diag *d)
{
    const struct follower_pos *fp = arg;
    return vg_store_follow_put(st, fp->follower, fp->pos, 1, d);
}

int vg_events_record_piece(struct vg_events_recorder *rec, const struct vg_match_scan_opts *opts,
                           const char *data, size_t len, const char *source, uint64_t first,
                           const char *follower, const struct vg_follow_position *pos,
                           int (*before_commit)(void *ctx), void *ctx, struct vg_match_stats *stats,
                           struct vg_diag *d)
{
    struct vg_events_piece piece = {data, len, source, first};
    struct follower_pos fp = {follower, pos};
    return record_tx(rec, opts, &piece, 1, NULL, put_pos, &fp, before_commit, ctx, stats, d);
}

int vg_events_record_batch(struct vg_events_recorder *rec, const struct vg_match_scan_opts *opts,
                           const struct vg_events_piece *pieces, size_t n,
                           void (*start)(void *ctx, const struct vg_events_piece *p),
                           int (*before_commit)(void *ctx), void *ctx, struct vg_match_stats *stats,
                           struct vg_diag *d)
{
    return record_tx(rec, opts, pieces, n, start, NULL, NULL, before_commit, ctx, stats, d);
}

int vg_events_ingest(struct vg_store *st, struct vg_events_index *ei, const struct vg_actor *who,
                     const char *data, size_t len, const char *source,
                     void (*bad)(void *ctx, uint64_t line, const char *message), void *bad_ctx,
                     struct vg_match_stats *stats, struct vg_events_counts *counts,
                     struct vg_diag *d)
{
    char now[VG_TIME_LEN];
    struct vg_attrib *attrib = NULL;
    struct vg_events_recorder *rec = NULL;
    int rc;
    vg_time_now(now);
    const struct vg_match_index *idx = vg_events_index_current(ei, st, now, d);
    if (!idx || !(attrib = vg_store_attrib_new(st, d))) {
        rc = VG_EIO;
        goto out;
    }
    struct vg_match_sink also = {NULL, bad, bad_ctx};
    rec = vg_events_recorder_new(st, who, idx, attrib, SIZE_MAX, &also);
    if (!rec) {
        rc = vg_diag_set(d, VG_ENOMEM, "", "out of memory");
        goto out;
    }
    struct vg_match_scan_opts opts = {VG_MATCH_FORMAT_EVE, 1, 0};
    rc = vg_events_record(rec, &opts, data, len, source, stats, d);
    if (!rc)
        *counts = vg_events_recorder_counts(rec);
out:
    vg_events_recorder_free(rec);
    vg_attrib_free(attrib);
    return rc;
}
