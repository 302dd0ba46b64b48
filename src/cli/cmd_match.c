/* `vigie match`: loads indicator files into an index and prints one JSON line per (event,
 * indicator) hit in the given logs (Suricata EVE / NDJSON, or plain text). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "app/events.h"
#include "app/live.h"
#include "cli/commands.h"
#include "core/attrib.h"
#include "match/follow.h"
#include "match/listen.h"
#include "match/match.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/limits.h"
#include "util/mem.h"
#include "util/shown.h"
#include "util/time.h"

#define BAD_SHOWN    10   /* malformed lines and invalid indicator lines shown per run / file */
#define RECORD_BATCH 5000 /* sightings per store transaction with --record */

struct out_ctx {
    const struct vg_match_index *idx;
    const char *file; /* shown in each hit when several logs are read, else NULL */
    const char *name; /* for messages */
    uint64_t base;    /* lines of the file before the data scanned (--follow) */
    struct vg_buf line;
    unsigned long bad_shown;
    bool write_failed;
};

static double cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static int print_hit(void *ctx, const struct vg_match_hit *h)
{
    struct out_ctx *o = ctx;
    struct vg_match_hit at = *h;
    at.line += o->base;
    vg_buf_reset(&o->line);
    vg_match_hit_format(o->idx, &at, o->file, &o->line);
    if (o->line.failed || fwrite(o->line.data, 1, o->line.len, stdout) != o->line.len) {
        o->write_failed = true;
        return VG_EIO;
    }
    return 0;
}

static void print_bad(void *ctx, uint64_t line, const char *message)
{
    struct out_ctx *o = ctx;
    struct vg_shown sn, sm;
    if (o->bad_shown++ < BAD_SHOWN)
        fprintf(stderr, "%s:%llu: %s\n", vg_shown(vg_str_c(o->name), VG_SHOWN_ROOM, &sn),
                (unsigned long long)(o->base + line), vg_shown_msg(message, &sm));
}

struct ioc_ctx {
    const char *file;
    size_t shown;
};

static void print_ioc_error(void *ctx, const struct vg_diag *d)
{
    struct ioc_ctx *c = ctx;
    struct vg_shown m;
    if (c->shown++ < BAD_SHOWN)
        fprintf(stderr, "%s:%ld: %s\n", c->file, d->line, vg_shown_msg(d->message, &m));
}

#define IOC_BLOCK (4u << 20) /* indicator files are read this many bytes at a time */

/* One indicator file being loaded into the index. */
struct ioc_load {
    struct vg_match_index *idx;
    bool strict;
    struct ioc_ctx ic;
    struct vg_match_ioc_state state;
    struct vg_match_ioc_counts counts;
    struct vg_diag d;
};

static int ioc_lines(void *ctx, const char *data, size_t len)
{
    struct ioc_load *l = ctx;
    return vg_match_iocs_feed(l->idx, &l->state, data, len, l->strict, print_ioc_error, &l->ic,
                              &l->counts, &l->d);
}

static int ioc_long_line(void *ctx)
{
    struct ioc_load *l = ctx;
    return vg_match_iocs_long_line(&l->state, l->strict, print_ioc_error, &l->ic, &l->counts,
                                   &l->d);
}

/* Loads one indicator file, read in blocks of whole lines so that memory holds the index and
 * not the file (a line longer than a block is reported and skipped as any over-long line);
 * returns 0 or an exit code. */
static int load_iocs(struct vg_match_index *idx, const char *path, bool strict,
                     struct vg_match_ioc_counts *total)
{
    struct vg_shown sp;
    const char *shown = vg_shown(vg_str_c(path), VG_SHOWN_ROOM, &sp);
    struct ioc_load l = {idx, strict, {shown, 0}, {0, 0, -1, -1}, {0, 0, 0}, {{0}, {0}, 0, -1}};
    vg_diag_clear(&l.d);
    int rc = vg_cli_read_lines(path, IOC_BLOCK, ioc_lines, ioc_long_line, &l);
    if (rc == 1) {
        fprintf(stderr, "vigie match: %s: %s\n", shown, strerror(errno));
        return VG_EXIT_FAIL;
    }
    if (l.counts.invalid > BAD_SHOWN)
        fprintf(stderr, "%s: %zu invalid lines skipped (first %d shown)\n", shown, l.counts.invalid,
                BAD_SHOWN);
    total->added += l.counts.added;
    total->duplicates += l.counts.duplicates;
    total->invalid += l.counts.invalid;
    if (rc == VG_EINVAL) {
        fprintf(stderr, "vigie match: %s: invalid indicator line (--strict)\n", shown);
        return VG_EXIT_FAIL;
    }
    if (rc) {
        struct vg_shown sm;
        fprintf(stderr, "vigie match: %s: %s\n", shown, vg_shown_msg(l.d.message, &sm));
        return VG_EXIT_FAIL;
    }
    return 0;
}

/* Scans one log held in memory, printing and recording its hits; returns 0 or an exit code. */
static int scan_record(struct vg_events_recorder *rec, struct out_ctx *o,
                       const struct vg_match_scan_opts *opts, const char *path,
                       struct vg_match_stats *st)
{
    char *data;
    size_t len;
    struct vg_shown sp, sm;
    if (vg_cli_read_file(path, &data, &len) != 0) {
        fprintf(stderr, "vigie match: %s: %s\n", vg_shown(vg_str_c(path), VG_SHOWN_ROOM, &sp),
                strerror(errno));
        return VG_EXIT_FAIL;
    }
    int exit_code = VG_EXIT_OK;
    struct vg_diag d;
    vg_diag_clear(&d);
    int r = vg_events_record(rec, opts, data, len, strcmp(path, "-") == 0 ? "stdin" : path, st, &d);
    if (o->write_failed) {
        fprintf(stderr, "vigie match: cannot write the output\n");
        exit_code = VG_EXIT_FAIL;
    } else if (r) {
        fprintf(stderr, "vigie match: %s: %s\n", vg_shown(vg_str_c(path), VG_SHOWN_ROOM, &sp),
                vg_shown_msg(d.message, &sm));
        exit_code = VG_EXIT_FAIL;
    }
    free(data);
    return exit_code;
}

/* ---- live indicators (app/live.h) ---- */

#define LIVE_POLL_S 1.0 /* --follow: the stored indicators' version is looked at every second */

/* What the index is rebuilt from, and who uses it. */
struct live_ctx {
    const char **iocs; /* --indicators files */
    size_t niocs;
    bool strict;
    struct vg_match_ioc_counts counts; /* of the files in the index in use */
    struct vg_match_ioc_counts built;  /* of the files in the index being built */
    bool reported;                     /* load_iocs printed why the last build failed */
    struct out_ctx *o;                 /* prints hits with the index in use */
    struct vg_events_recorder *rec;    /* --record: records them with it (or NULL) */
};

static int live_files(void *ctx, struct vg_match_index *idx, struct vg_diag *d)
{
    struct live_ctx *lc = ctx;
    memset(&lc->built, 0, sizeof lc->built);
    lc->reported = false;
    for (size_t i = 0; i < lc->niocs; i++) {
        if (load_iocs(idx, lc->iocs[i], lc->strict, &lc->built) != 0) {
            struct vg_shown sp;
            lc->reported = true;
            return vg_diag_set(d, VG_EINVAL, "", "%s cannot be loaded",
                               vg_shown(vg_str_c(lc->iocs[i]), VG_SHOWN_ROOM, &sp));
        }
    }
    return 0;
}

static void live_swapped(void *ctx, const struct vg_match_index *idx, const struct vg_attrib *a)
{
    struct live_ctx *lc = ctx;
    lc->o->idx = idx;
    lc->counts = lc->built;
    if (lc->rec)
        vg_events_recorder_use(lc->rec, idx, a);
    fprintf(stderr, "vigie match: indicators reloaded: %zu\n", vg_match_index_count(idx));
    if (vg_match_index_skipped(idx))
        fprintf(stderr, "vigie match: %zu stored indicators the matcher cannot read, skipped\n",
                vg_match_index_skipped(idx));
}

static void live_report(void *ctx, const struct vg_diag *d)
{
    (void)ctx;
    struct vg_shown sm;
    fprintf(stderr, "vigie match: indicators not reloaded, the previous ones kept: %s\n",
            vg_shown_msg(d->message, &sm));
}

static long rss_kib(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f)
        return -1;
    unsigned long size = 0, res = 0;
    int n = fscanf(f, "%lu %lu", &size, &res);
    fclose(f);
    return n == 2 ? (long)(res * (unsigned long)sysconf(_SC_PAGESIZE) / 1024) : -1;
}

/* ---- --follow ---- */

#define FOLLOW_BUF     (4u << 20) /* bytes read from a followed file at a time */
#define FOLLOW_POLL_NS 100000000L /* each file is looked at every 100 ms */

static volatile sig_atomic_t stop_signal;   /* SIGTERM or SIGINT received */
#define STOPPED 1                           /* follow_lines's answer once stop_signal is set */
static volatile sig_atomic_t reload_signal; /* SIGHUP received: reload the indicators */

static void on_stop(int sig)
{
    stop_signal = sig;
}

static void on_reload(int sig)
{
    (void)sig;
    reload_signal = 1;
}

/* Between pieces: the indicators reloaded if they changed, at once after SIGHUP. */
static void live_tick(struct vg_live *live)
{
    bool force = reload_signal != 0;
    reload_signal = 0;
    vg_live_check(live, force);
}

/* Before a piece's sightings are committed: its hits are out. */
static int flush_out(void *ctx)
{
    struct out_ctx *o = ctx;
    if (fflush(stdout) != 0) {
        o->write_failed = true;
        return VG_EIO;
    }
    return 0;
}

struct follow_ctx {
    struct out_ctx *o;
    const struct vg_match_scan_opts *opts;
    const struct vg_match_sink *sink;
    struct vg_match_stats *st;
    struct vg_events_recorder *rec; /* --record: hits stored with the positions, else NULL */
    const char *follower;           /* --record: whose positions */
    bool several;                   /* several logs: "file" in each hit */
    bool started;                   /* the first round is over: a file opened now appeared late */
    struct vg_live *live;           /* the indicators, reloaded between pieces */
    struct vg_diag d;               /* the scan's error */
};

static int follow_lines(void *ctx, struct vg_follow_file *f, const char *data, size_t len,
                        uint64_t first)
{
    struct follow_ctx *fc = ctx;
    if (stop_signal) /* a long backlog is not read to its end before stopping */
        return STOPPED;
    live_tick(fc->live);
    fc->o->file = fc->several ? f->pos.path : NULL;
    fc->o->name = f->pos.path;
    fc->o->base = first - 1;
    if (!fc->rec)
        return vg_match_scan_mem(fc->o->idx, fc->opts, data, len, fc->sink, fc->st, &fc->d);
    /* the position after these lines, stored with their sightings */
    uint64_t lines = 0;
    for (const char *p = data, *end = data + len; p < end; lines++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        p = nl ? nl + 1 : end;
    }
    struct vg_follow_position pos = {f->pos.path, f->pos.dev, f->pos.ino, f->pos.offset + len,
                                     f->pos.line + lines};
    return vg_events_record_piece(fc->rec, fc->opts, data, len, f->pos.path, first, fc->follower,
                                  &pos, flush_out, fc->o, fc->st, &fc->d);
}

static void follow_note(void *ctx, const struct vg_follow_file *f, enum vg_follow_note what,
                        uint64_t line, int err)
{
    struct follow_ctx *fc = ctx;
    struct vg_shown sp;
    const char *path = vg_shown(vg_str_c(f->pos.path), VG_SHOWN_ROOM, &sp);
    switch (what) {
    case VG_FOLLOW_OPENED:
        if (fc->started)
            fprintf(stderr, "vigie match: %s: appeared, read from its start\n", path);
        break;
    case VG_FOLLOW_RESUMED:
        fprintf(stderr, "vigie match: %s: resumed after line %llu\n", path,
                (unsigned long long)f->pos.line);
        break;
    case VG_FOLLOW_ROTATED:
        fprintf(stderr, "vigie match: %s: rotated, the old file read to its end\n", path);
        break;
    case VG_FOLLOW_TRUNCATED:
        fprintf(stderr, "vigie match: %s: truncated, read again from its start\n", path);
        break;
    case VG_FOLLOW_LONG_LINE:
        fc->st->lines++;
        fc->st->malformed++;
        fc->o->name = f->pos.path;
        fc->o->base = 0;
        {
            char msg[64];
            snprintf(msg, sizeof msg, "line longer than %d bytes, skipped", VG_MAX_LINE);
            print_bad(fc->o, line, msg);
        }
        break;
    case VG_FOLLOW_MOVED:
        fprintf(stderr,
                "vigie match: %s: its file of the last run was found renamed, read to "
                "its end first\n",
                path);
        break;
    case VG_FOLLOW_CANNOT_OPEN:
        fprintf(stderr, "vigie match: %s: %s (tried again)\n", path, strerror(err));
        break;
    }
}

/* Flushes the hits printed, then writes the positions of the n files to the state file (if
 * any): a position is never saved before the hits that precede it are out. 0 or an exit
 * code. */
static int follow_save(const char *state, const struct vg_follow_file *files, size_t n,
                       struct vg_follow_pos *pos)
{
    struct vg_shown sp, sm;
    if (fflush(stdout) != 0) {
        fprintf(stderr, "vigie match: cannot write the output\n");
        return VG_EXIT_FAIL;
    }
    if (!state)
        return 0;
    for (size_t i = 0; i < n; i++)
        pos[i] = files[i].pos;
    struct vg_diag d;
    vg_diag_clear(&d);
    if (vg_follow_state_write(state, pos, n, &d) != 0) {
        fprintf(stderr, "vigie match: %s: %s\n", vg_shown(vg_str_c(state), VG_SHOWN_ROOM, &sp),
                vg_shown_msg(d.message, &sm));
        return VG_EXIT_FAIL;
    }
    return 0;
}

static bool same_pos(const struct vg_follow_pos *a, const struct vg_follow_pos *b)
{
    return a->dev == b->dev && a->ino == b->ino && a->offset == b->offset && a->line == b->line;
}

/* Positions read back from the database (--record). */
struct saved_pos {
    struct vg_follow_pos *v;
    size_t n, cap;
};

static int keep_pos(void *ctx, const struct vg_follow_position *p)
{
    struct saved_pos *sp = ctx;
    if (vg_grow((void **)&sp->v, &sp->cap, sp->n + 1, sizeof *sp->v, 16))
        return VG_ENOMEM;
    struct vg_follow_pos *q = &sp->v[sp->n];
    if (!(q->path = vg_strdup(p->path)))
        return VG_ENOMEM;
    q->dev = p->dev;
    q->ino = p->ino;
    q->offset = p->offset;
    q->line = p->line;
    sp->n++;
    return 0;
}

/* What --follow was given. */
struct follow_run {
    const char *state;              /* --state FILE, or NULL */
    struct vg_events_recorder *rec; /* --record, or NULL */
    struct vg_store *store;         /* with rec */
    const char *follower;           /* with rec: --follower */
    struct vg_live *live;           /* the indicators */
    const char **logs;
    size_t nlogs;
};

/* Follows the logs until SIGTERM or SIGINT; 0 or an exit code. */
static int follow_logs(const struct follow_run *run, struct out_ctx *o,
                       const struct vg_match_scan_opts *opts, const struct vg_match_sink *sink,
                       struct vg_match_stats *st)
{
    const char *state = run->state, **logs = run->logs;
    size_t nlogs = run->nlogs;
    struct vg_shown sp, sm;
    struct vg_diag d;
    vg_diag_clear(&d);
    struct vg_follow_pos *saved = NULL;
    size_t nsaved = 0;
    if (state && vg_follow_state_read(state, &saved, &nsaved, &d) != 0) {
        fprintf(stderr, "vigie match: %s: %s\n", vg_shown(vg_str_c(state), VG_SHOWN_ROOM, &sp),
                vg_shown_msg(d.message, &sm));
        return VG_EXIT_FAIL;
    }
    if (run->rec) {
        struct saved_pos got = {NULL, 0, 0};
        int r = vg_store_follow_each(run->store, run->follower, keep_pos, &got, &d);
        saved = got.v;
        nsaved = got.n;
        if (r) {
            fprintf(stderr, "vigie match: %s\n",
                    r == VG_ENOMEM ? "out of memory" : vg_shown_msg(d.message, &sm));
            vg_follow_state_free(saved, nsaved);
            return VG_EXIT_FAIL;
        }
    }
    int exit_code = VG_EXIT_OK;
    struct vg_follow_file *files = vg_calloc(nlogs, sizeof *files);
    struct vg_follow_pos *pos = vg_calloc(nlogs, sizeof *pos);
    char *buf = vg_malloc(FOLLOW_BUF);
    if (!files || !pos || !buf) {
        fprintf(stderr, "vigie match: out of memory\n");
        exit_code = VG_EXIT_FAIL;
        goto out;
    }
    for (size_t i = 0; i < nlogs; i++) {
        const struct vg_follow_pos *from = NULL;
        for (size_t j = 0; j < nsaved && !from; j++)
            if (strcmp(saved[j].path, logs[i]) == 0)
                from = &saved[j];
        vg_follow_init(&files[i], logs[i], from);
        pos[i] = files[i].pos;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sa.sa_flags = SA_RESTART; /* the sleep below is cut short all the same */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sa.sa_handler = on_reload;
    sigaction(SIGHUP, &sa, NULL);

    struct follow_ctx fc = {o,         opts,
                            sink,      st,
                            run->rec,  run->follower,
                            nlogs > 1, false,
                            run->live, {{0}, {0}, 0, -1}};
    vg_diag_clear(&fc.d);
    /* --record: a transaction per RECORD_BATCH lines at most, and per poll */
    struct vg_follow_ops ops = {follow_lines, follow_note, &fc, run->rec ? RECORD_BATCH : 0};
    while (!stop_signal) {
        bool moved = false;
        for (size_t i = 0; i < nlogs && !stop_signal; i++) {
            int r = vg_follow_poll(&files[i], buf, FOLLOW_BUF, &ops, &d);
            if (r == STOPPED)
                r = 0; /* the position stays before the lines not matched */
            if (o->write_failed) {
                fprintf(stderr, "vigie match: cannot write the output\n");
                exit_code = VG_EXIT_FAIL;
                goto out;
            }
            if (r) {
                fprintf(stderr, "vigie match: %s\n",
                        vg_shown_msg(fc.d.message[0] ? fc.d.message : d.message, &sm));
                exit_code = VG_EXIT_FAIL;
                goto out;
            }
            moved |= !same_pos(&pos[i], &files[i].pos);
        }
        fc.started = true;
        if (moved && (exit_code = follow_save(state, files, nlogs, pos)) != 0)
            goto out;
        struct timespec nap = {0, FOLLOW_POLL_NS};
        if (!stop_signal && !reload_signal)
            nanosleep(&nap, NULL); /* a signal ends it early */
        if (!stop_signal)
            live_tick(run->live);
    }
out:
    if (files && pos && !o->write_failed) {
        int r = follow_save(state, files, nlogs, pos);
        if (r)
            exit_code = r;
    }
    for (size_t i = 0; files && i < nlogs; i++)
        vg_follow_cleanup(&files[i]);
    free(buf);
    free(pos);
    free(files);
    vg_follow_state_free(saved, nsaved);
    return exit_code;
}

/* ---- --listen ---- */

#define LISTEN_WAIT_MS 100    /* a line waits in the queue this long at most before its batch */
#define LISTEN_BATCH   2000   /* lines per batch at most */
#define LISTEN_QUEUE   100000 /* lines the queue holds by default (--queue) */
#define LISTEN_MS_MAX  10000  /* latencies are counted per millisecond up to this */

static atomic_ulong listen_shown; /* messages of the readers shown */

/* A reader's message (thread-safe): "unix:PATH#N:LINE: message". */
static void listen_note(void *ctx, unsigned conn, uint64_t line, const char *message)
{
    if (atomic_fetch_add(&listen_shown, 1) >= BAD_SHOWN)
        return;
    struct vg_shown sp, sm;
    const char *path = vg_shown(vg_str_c(ctx), VG_SHOWN_ROOM, &sp);
    if (line)
        fprintf(stderr, "unix:%s#%u:%llu: %s\n", path, conn, (unsigned long long)line,
                vg_shown_msg(message, &sm));
    else
        fprintf(stderr, "vigie match: unix:%s#%u: %s\n", path, conn, vg_shown_msg(message, &sm));
}

/* What --listen was given, and what it counts. */
struct listen_run {
    const char *path;               /* the socket */
    size_t queue;                   /* --queue */
    struct vg_events_recorder *rec; /* --record, or NULL */
    uint64_t *latency_ms;           /* [LISTEN_MS_MAX + 1]: lines by queue-to-output time */
    uint64_t batches;
    struct vg_live *live; /* the indicators, reloaded between batches */
};

static int64_t listen_now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* The hits printed next are of piece p. */
static void listen_piece(void *ctx, const struct vg_events_piece *p)
{
    struct out_ctx *o = ctx;
    o->file = o->name = p->source;
    o->base = p->first - 1;
}

#define LISTEN_BUSY 100 /* listen_batch: the database was locked past its busy timeout */

/* Matches one batch: a piece per run of consecutive lines of one connection (named
 * "unix:PATH#N", its lines counted from 1 in the connection), printed, and with --record
 * recorded in one transaction. 0, an exit code, or LISTEN_BUSY (nothing of the batch stored
 * or counted in st: it may be tried again). */
static int listen_batch(struct listen_run *run, const struct vg_listen *l,
                        struct vg_listen_item *items, struct out_ctx *o,
                        const struct vg_match_scan_opts *opts, const struct vg_match_sink *sink,
                        struct vg_match_stats *st)
{
    struct vg_listen_batch b;
    struct vg_events_piece *pieces = NULL;
    int exit_code = VG_EXIT_OK;
    if (vg_listen_batch_make(l, items, &b) != 0 ||
        !(pieces = vg_malloc((b.n ? b.n : 1) * sizeof *pieces))) {
        fprintf(stderr, "vigie match: out of memory\n");
        exit_code = VG_EXIT_FAIL;
        goto out;
    }
    for (size_t i = 0; i < b.n; i++)
        pieces[i] = (struct vg_events_piece){b.v[i].data, b.v[i].len, b.v[i].source, b.v[i].first};
    struct vg_diag d;
    vg_diag_clear(&d);
    int r = 0;
    struct vg_match_stats before = *st;
    if (run->rec) {
        r = vg_events_record_batch(run->rec, opts, pieces, b.n, listen_piece, flush_out, o, st, &d);
    } else {
        for (size_t i = 0; i < b.n && !r; i++) {
            listen_piece(o, &pieces[i]);
            r = vg_match_scan_mem(o->idx, opts, pieces[i].data, pieces[i].len, sink, st, &d);
        }
        if (!r)
            r = flush_out(o);
    }
    if (o->write_failed) {
        fprintf(stderr, "vigie match: cannot write the output\n");
        exit_code = VG_EXIT_FAIL;
    } else if (r == VG_EBUSY) {
        struct vg_shown sm;
        fprintf(stderr, "vigie match: %s; the batch is tried again\n",
                vg_shown_msg(d.message, &sm));
        *st = before;
        exit_code = LISTEN_BUSY;
    } else if (r) {
        struct vg_shown sm;
        fprintf(stderr, "vigie match: %s\n", vg_shown_msg(d.message, &sm));
        exit_code = VG_EXIT_FAIL;
    }
    if (!exit_code) {
        int64_t now = listen_now_ns();
        for (const struct vg_listen_item *it = items; it; it = it->next) {
            int64_t ms = (now - it->queued) / 1000000;
            run->latency_ms[ms < 0 ? 0 : ms > LISTEN_MS_MAX ? LISTEN_MS_MAX : ms] += it->lines;
        }
        run->batches++;
    }
out:
    free(pieces);
    vg_listen_batch_cleanup(&b);
    return exit_code;
}

/* Listens on the socket until SIGTERM or SIGINT, then drains the queue; the counts end in
 * *tot and *per (*nper connections, freed by the caller). 0 or an exit code. */
static int listen_loop(struct listen_run *run, struct out_ctx *o,
                       const struct vg_match_scan_opts *opts, const struct vg_match_sink *sink,
                       struct vg_match_stats *st, struct vg_listen_counts *tot,
                       struct vg_listen_counts **per, size_t *nper)
{
    struct vg_shown sm;
    struct vg_diag d;
    vg_diag_clear(&d);
    size_t bytes = run->queue > SIZE_MAX / 1024 ? SIZE_MAX : run->queue * 1024;
    if (bytes < 2 * (size_t)VG_MAX_LINE + 2)
        bytes = 2 * (size_t)VG_MAX_LINE + 2;
    struct vg_listen_opts lo = {run->queue, bytes, listen_note, (void *)run->path};
    /* the listener's threads are started with SIGTERM, SIGINT and SIGHUP blocked: they come
     * here */
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGHUP);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sa.sa_handler = on_reload;
    sigaction(SIGHUP, &sa, NULL);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    struct vg_listen *l = NULL;
    int r = vg_listen_open(run->path, &lo, &l, &d);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (r) {
        fprintf(stderr, "vigie match: %s\n", vg_shown_msg(d.message, &sm));
        return VG_EXIT_FAIL;
    }
    struct vg_shown sp;
    fprintf(stderr, "vigie match: listening on unix:%s\n",
            vg_shown(vg_str_c(run->path), VG_SHOWN_ROOM, &sp));
    int exit_code = VG_EXIT_OK;
    bool stopping = false;
    for (;;) {
        if (stop_signal && !stopping) {
            vg_listen_stop(l); /* no new line: what is queued is matched, then the end */
            stopping = true;
        }
        /* between two batches, the only place where the index (o->idx, and the recorder's)
         * is replaced by a new one (live indicators; at most 100 ms after a SIGHUP) */
        live_tick(run->live);
        struct vg_listen_item *items =
            vg_listen_take(l, LISTEN_BATCH, LISTEN_BATCH, LISTEN_WAIT_MS);
        if (!items) {
            if (stopping)
                break;
            continue;
        }
        /* a database locked past its busy timeout: the batch waits, the queue fills (its
         * lines dropped and counted), the readers go on */
        while ((exit_code = listen_batch(run, l, items, o, opts, sink, st)) == LISTEN_BUSY &&
               !stop_signal)
            ;
        if (exit_code == LISTEN_BUSY) {
            fprintf(stderr, "vigie match: stopped while the database was busy: the queue's "
                            "lines are not recorded\n");
            exit_code = VG_EXIT_FAIL;
        }
        vg_listen_items_free(items);
        if (exit_code)
            break;
    }
    vg_listen_stop(l);
    *tot = vg_listen_counts(l);
    if (vg_listen_connection_counts(l, per, nper) != 0) {
        *per = NULL;
        *nper = 0;
    }
    vg_listen_close(l);
    return exit_code;
}

/* The lines' p-th percentile of latency (ms) in the histogram h. */
static unsigned percentile(const uint64_t *h, double p)
{
    uint64_t total = 0, seen = 0;
    for (unsigned i = 0; i <= LISTEN_MS_MAX; i++)
        total += h[i];
    if (!total)
        return 0;
    for (unsigned i = 0; i <= LISTEN_MS_MAX; i++) {
        seen += h[i];
        if ((double)seen >= p * (double)total)
            return i;
    }
    return LISTEN_MS_MAX;
}

static void print_counts(const struct vg_listen_counts *c)
{
    fprintf(stderr, "\"lines\":%llu,\"dropped\":%llu,\"too_long\":%llu",
            (unsigned long long)c->lines, (unsigned long long)c->dropped,
            (unsigned long long)c->malformed);
}

/* --stats's "listen" member; malformed: the lines too long and those the scanner could not
 * read (st's). */
static void print_listen_stats(const struct listen_run *run, const struct vg_listen_counts *tot,
                               const struct vg_listen_counts *per, size_t nper,
                               const struct vg_match_stats *st)
{
    fprintf(stderr, ",\"listen\":{\"connections\":%llu,\"malformed\":%llu,",
            (unsigned long long)tot->connections,
            (unsigned long long)(tot->malformed + st->malformed));
    print_counts(tot);
    fprintf(stderr, ",\"batches\":%llu,\"latency_ms\":{\"p50\":%u,\"p99\":%u,\"max\":%u}",
            (unsigned long long)run->batches, percentile(run->latency_ms, 0.5),
            percentile(run->latency_ms, 0.99), percentile(run->latency_ms, 1.0));
    fprintf(stderr, ",\"per_connection\":[");
    for (size_t i = 0; i < nper; i++) {
        fprintf(stderr, "%s{\"connection\":%zu,", i ? "," : "", i + 1);
        print_counts(&per[i]);
        fputc('}', stderr);
    }
    fprintf(stderr, "]}");
}

static int run_match(int argc, char **argv)
{
    const char *iocs[VG_MAX_IOC_FILES];
    const char *logs[VG_MAX_LOG_FILES];
    size_t niocs = 0, nlogs = 0;
    bool stats = false, strict = false, record = false, follow = false, named = false;
    const char *db = NULL, *state = NULL, *follower = "default", *listen = NULL;
    size_t queue = 0;
    unsigned busy_ms = 0; /* --busy-timeout, 0: the store's default */
    struct vg_match_scan_opts opts = {VG_MATCH_FORMAT_EVE, 0, 0};
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    opts.threads = ncpu > 0 ? (unsigned)(ncpu > 64 ? 64 : ncpu) : 1;

    struct vg_shown sa, sm; /* an argument, a message shown */
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = NULL;
        if (strcmp(a, "--") == 0) {
            for (i++; i < argc; i++) {
                if (nlogs == VG_MAX_LOG_FILES)
                    return vg_cli_usage("match", "too many log files");
                logs[nlogs++] = argv[i];
            }
            break;
        }
        if (strncmp(a, "--", 2) == 0) {
            const char *eq = strchr(a, '=');
            char name[32];
            size_t nl = eq ? (size_t)(eq - a) : strlen(a);
            if (nl >= sizeof name)
                return vg_cli_usage("match", "unknown option '%s'", vg_shown(vg_str_c(a), 0, &sa));
            memcpy(name, a, nl);
            name[nl] = '\0';
            bool takes = strcmp(name, "--indicators") == 0 || strcmp(name, "--format") == 0 ||
                         strcmp(name, "--threads") == 0 || strcmp(name, "--db") == 0 ||
                         strcmp(name, "--state") == 0 || strcmp(name, "--follower") == 0 ||
                         strcmp(name, "--listen") == 0 || strcmp(name, "--queue") == 0 ||
                         strcmp(name, "--busy-timeout") == 0;
            if (takes) {
                if (eq)
                    val = eq + 1;
                else if (i + 1 < argc)
                    val = argv[++i];
                else
                    return vg_cli_usage("match", "%s needs a value",
                                        vg_shown(vg_str_c(name), 0, &sa));
            } else if (eq) {
                return vg_cli_usage("match", "%s takes no value", vg_shown(vg_str_c(name), 0, &sa));
            }
            if (strcmp(name, "--indicators") == 0) {
                if (niocs == VG_MAX_IOC_FILES)
                    return vg_cli_usage("match", "too many indicator files");
                iocs[niocs++] = val;
            } else if (strcmp(name, "--format") == 0) {
                if (strcmp(val, "eve") == 0)
                    opts.format = VG_MATCH_FORMAT_EVE;
                else if (strcmp(val, "text") == 0)
                    opts.format = VG_MATCH_FORMAT_TEXT;
                else
                    return vg_cli_usage("match", "--format is eve or text, not '%s'",
                                        vg_shown(vg_str_c(val), 0, &sa));
            } else if (strcmp(name, "--threads") == 0) {
                unsigned long long t;
                if (vg_str_to_u64(vg_str_c(val), 1, 256, &t) != 0)
                    return vg_cli_usage("match", "--threads is a number from 1 to 256");
                opts.threads = (unsigned)t;
            } else if (strcmp(name, "--db") == 0) {
                db = val;
            } else if (strcmp(name, "--record") == 0) {
                record = true;
            } else if (strcmp(name, "--follow") == 0) {
                follow = true;
            } else if (strcmp(name, "--state") == 0) {
                state = val;
            } else if (strcmp(name, "--follower") == 0) {
                if (!val[0])
                    return vg_cli_usage("match", "--follower needs a name");
                follower = val;
                named = true;
            } else if (strcmp(name, "--listen") == 0) {
                if (strncmp(val, "unix:", 5) != 0 || !val[5])
                    return vg_cli_usage("match", "--listen is unix:PATH, not '%s'",
                                        vg_shown(vg_str_c(val), 0, &sa));
                listen = val + 5;
            } else if (strcmp(name, "--queue") == 0) {
                unsigned long long q;
                if (vg_str_to_u64(vg_str_c(val), 1, 100000000, &q) != 0)
                    return vg_cli_usage("match", "--queue is a number of lines from 1 to "
                                                 "100000000");
                queue = (size_t)q;
            } else if (strcmp(name, "--busy-timeout") == 0) {
                unsigned long long ms;
                if (vg_str_to_u64(vg_str_c(val), 1, 600000, &ms) != 0)
                    return vg_cli_usage("match", "--busy-timeout must be 1 to 600000 milliseconds");
                busy_ms = (unsigned)ms;
            } else if (strcmp(name, "--stats") == 0) {
                stats = true;
            } else if (strcmp(name, "--strict") == 0) {
                strict = true;
            } else {
                return vg_cli_usage("match", "unknown option '%s'", vg_shown(vg_str_c(a), 0, &sa));
            }
            continue;
        }
        if (a[0] == '-' && a[1] != '\0')
            return vg_cli_usage("match", "unknown option '%s'", vg_shown(vg_str_c(a), 0, &sa));
        if (nlogs == VG_MAX_LOG_FILES)
            return vg_cli_usage("match", "too many log files");
        logs[nlogs++] = a;
    }
    if (niocs == 0 && !db)
        return vg_cli_usage("match", "--indicators FILE or --db PATH is required");
    if (record && !db)
        return vg_cli_usage("match", "--record needs --db PATH");
    if (listen && (follow || nlogs || state || named))
        return vg_cli_usage("match", "--listen reads the socket only (no LOGFILE, --follow, "
                                     "--state or --follower)");
    if (state && !follow)
        return vg_cli_usage("match", "--state needs --follow");
    if (state && record)
        return vg_cli_usage("match", "--state is for --follow without --record (with --record "
                                     "the positions are kept in the database)");
    if (named && !(follow && record))
        return vg_cli_usage("match", "--follower needs --follow and --record");
    for (size_t i = 0; follow && i < nlogs; i++)
        if (strcmp(logs[i], "-") == 0)
            return vg_cli_usage("match", "--follow reads files, not standard input");
    if (follow && nlogs == 0)
        return vg_cli_usage("match", "--follow needs LOGFILE");
    if (queue && !listen)
        return vg_cli_usage("match", "--queue needs --listen");
    if (busy_ms && !db)
        return vg_cli_usage("match", "--busy-timeout needs --db PATH");
    if (!queue)
        queue = LISTEN_QUEUE;
    if (nlogs == 0 && !listen)
        logs[nlogs++] = "-";

    int exit_code = VG_EXIT_OK;
    long rss0 = rss_kib();
    double t0 = vg_time_mono(), c0 = cpu_s();
    struct vg_store *store = NULL;
    if (db) {
        struct vg_diag d;
        vg_diag_clear(&d);
        if (!(store = vg_store_open(db, NULL, &d))) {
            fprintf(stderr, "vigie match: %s\n", vg_shown_msg(d.message, &sm));
            return VG_EXIT_FAIL;
        }
    }
    /* The database first: an indicator also in a file keeps its id, to be recorded. */
    struct live_ctx lc = {iocs, niocs, strict, {0}, {0}, false, NULL, NULL};
    struct vg_live_opts lo = {store,       record, live_files, live_swapped,
                              live_report, &lc,    LIVE_POLL_S};
    struct vg_live *live;
    {
        struct vg_diag d;
        vg_diag_clear(&d);
        if (!(live = vg_live_new(&lo, &d))) {
            if (!lc.reported)
                fprintf(stderr, "vigie match: %s\n", vg_shown_msg(d.message, &sm));
            vg_store_close(store);
            return VG_EXIT_FAIL;
        }
    }
    const struct vg_match_index *idx = vg_live_index(live);
    lc.counts = lc.built;
    if (vg_match_index_skipped(idx))
        fprintf(stderr, "vigie match: %zu stored indicators the matcher cannot read, skipped\n",
                vg_match_index_skipped(idx));
    double load_s = vg_time_mono() - t0, load_cpu = cpu_s() - c0;
    long rss1 = rss_kib();

    static char outbuf[1 << 20];
    setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
    struct out_ctx o = {idx, NULL, NULL, 0, {0}, 0, false};
    lc.o = &o;
    vg_buf_init(&o.line, (size_t)VG_MAX_LINE * 8);
    struct vg_match_sink sink = {print_hit, print_bad, &o};
    struct vg_match_stats st = {0};
    struct vg_events_recorder *rec = NULL;
    if (record) {
        struct vg_actor who = {0, "system", "admin", 0};
        rec = vg_events_recorder_new(store, &who, idx, vg_live_attrib(live),
                                     follow || listen ? SIZE_MAX : RECORD_BATCH, &sink);
        if (!rec) {
            fprintf(stderr, "vigie match: out of memory\n");
            exit_code = VG_EXIT_FAIL;
            record = false;
            nlogs = 0;
        }
    }
    double t1 = vg_time_mono(), c1 = cpu_s();
    lc.rec = rec;
    if (follow && exit_code == VG_EXIT_OK) {
        struct follow_run run = {state, rec, store, follower, live, logs, nlogs};
        exit_code = follow_logs(&run, &o, &opts, &sink, &st);
        nlogs = 0;
    }
    static uint64_t latency_ms[LISTEN_MS_MAX + 1];
    struct listen_run lrun = {listen, queue, rec, latency_ms, 0, live};
    struct vg_listen_counts ltot = {0};
    struct vg_listen_counts *lper = NULL;
    size_t nper = 0;
    if (listen && exit_code == VG_EXIT_OK)
        exit_code = listen_loop(&lrun, &o, &opts, &sink, &st, &ltot, &lper, &nper);
    for (size_t i = 0; record && i < nlogs; i++) {
        o.file = nlogs > 1 ? logs[i] : NULL;
        o.name = logs[i];
        int r = scan_record(rec, &o, &opts, logs[i], &st);
        if (r)
            exit_code = r;
        if (o.write_failed)
            break;
    }
    for (size_t i = 0; !record && i < nlogs; i++) {
        bool is_stdin = strcmp(logs[i], "-") == 0;
        int fd = is_stdin ? 0 : open(logs[i], O_RDONLY);
        if (fd < 0) {
            fprintf(stderr, "vigie match: %s: %s\n",
                    vg_shown(vg_str_c(logs[i]), VG_SHOWN_ROOM, &sa), strerror(errno));
            exit_code = VG_EXIT_FAIL;
            continue;
        }
        o.file = nlogs > 1 ? logs[i] : NULL;
        o.name = logs[i];
        struct vg_diag d;
        vg_diag_clear(&d);
        int rc = vg_match_scan_fd(idx, &opts, fd, &sink, &st, &d);
        if (!is_stdin)
            close(fd);
        if (o.write_failed) {
            fprintf(stderr, "vigie match: cannot write the output\n");
            exit_code = VG_EXIT_FAIL;
            break;
        }
        if (rc) {
            fprintf(stderr, "vigie match: %s: %s\n",
                    vg_shown(vg_str_c(logs[i]), VG_SHOWN_ROOM, &sa), vg_shown_msg(d.message, &sm));
            exit_code = VG_EXIT_FAIL;
        }
    }
    if (fflush(stdout) != 0 && exit_code == VG_EXIT_OK) {
        fprintf(stderr, "vigie match: cannot write the output\n");
        exit_code = VG_EXIT_FAIL;
    }
    double scan_s = vg_time_mono() - t1, scan_cpu = cpu_s() - c1;
    if (st.malformed > BAD_SHOWN)
        fprintf(stderr, "vigie match: %llu malformed lines skipped (first %d shown)\n",
                (unsigned long long)st.malformed, BAD_SHOWN);
    if (record) {
        struct vg_events_counts n = vg_events_recorder_counts(rec);
        fprintf(stderr, "{\"sightings\":%llu,\"alerts\":%llu,\"unrecorded\":%llu}\n", n.sightings,
                n.alerts, n.unrecorded);
    }
    vg_events_recorder_free(rec);
    idx = vg_live_index(live);
    if (stats) {
        size_t n = vg_match_index_count(idx);
        fprintf(
            stderr,
            "{\"events\":%llu,\"lines\":%llu,\"bytes\":%llu,\"hits\":%llu,\"malformed\":%llu,"
            "\"dropped\":%llu,\"indicators\":%zu,\"duplicates\":%zu,\"invalid\":%zu,"
            "\"load_seconds\":%.3f,\"load_cpu_seconds\":%.3f,\"index_bytes\":%zu,\"bytes_per_indicator\":%.1f,"
            "\"load_rss_kib\":%ld,\"scan_seconds\":%.3f,\"mb_per_s\":%.1f,"
            "\"scan_cpu_seconds\":%.3f,"
            "\"mb_per_cpu_s\":%.1f,\"threads\":%u",
            (unsigned long long)st.events, (unsigned long long)st.lines,
            (unsigned long long)st.bytes, (unsigned long long)st.hits,
            (unsigned long long)st.malformed, (unsigned long long)st.dropped, n,
            lc.counts.duplicates, lc.counts.invalid, load_s, load_cpu, vg_match_index_bytes(idx),
            n ? (double)vg_match_index_bytes(idx) / (double)n : 0.0,
            rss1 >= 0 && rss0 >= 0 ? rss1 - rss0 : -1, scan_s,
            scan_s > 0 ? (double)st.bytes / 1e6 / scan_s : 0.0, scan_cpu,
            scan_cpu > 0 ? (double)st.bytes / 1e6 / scan_cpu : 0.0, opts.threads);
        if (listen)
            print_listen_stats(&lrun, &ltot, lper, nper, &st);
        fprintf(stderr, "}\n");
    }
    free(lper);
    vg_buf_cleanup(&o.line);
    vg_live_free(live);
    vg_store_close(store);
    return exit_code;
}

const struct vg_command vg_cmd_match = {
    "match",
    "match logs against indicators",
    "usage: vigie match --indicators FILE [--indicators FILE ...] [--db PATH [--record]]\n"
    "                   [--format eve|text] [--threads N] [--stats] [--strict]\n"
    "                   [LOGFILE ... | -]\n"
    "       vigie match --follow [--state FILE | --db PATH --record [--follower NAME]]\n"
    "                   [other options as above] LOGFILE ...\n"
    "       vigie match --listen unix:PATH [--queue N] [--db PATH --record [--busy-timeout MS]]\n"
    "                   [other options as above]\n"
    "\n"
    "Reads indicator files (lines 'TYPE VALUE', '#' comments; or CSV with 'type' and\n"
    "'value' columns; types ipv4-addr, ipv6-addr (address or CIDR), domain-name, url,\n"
    "email-addr, md5, sha1, sha256; a pipe such as /dev/stdin too, read 4 MiB at a time;\n"
    "a line over 1 MiB is reported as FILE:LINE and skipped, fatal with --strict), then\n"
    "the logs (standard input when none or '-'), and\n"
    "prints one JSON line per (event, indicator) hit on stdout:\n"
    "  {\"line\":N,\"indicator\":\"...\",\"type\":\"...\",\"value\":\"...\","
    "\"field\":\"dns.rrname\"}\n"
    "'line' counts from 1 in its file; with several logs each line also has \"file\". An\n"
    "indicator is reported once per event, for its first field in document order.\n"
    "\n"
    "  --format eve    one JSON object per line (Suricata EVE or any NDJSON; default): every\n"
    "                  string value at any depth is a candidate, plus http://HOST/URL built\n"
    "                  from http.hostname and http.url (field \"http.hostname+http.url\")\n"
    "  --format text   each line is split at blanks and \"'<>()[]{},;|= (no \"field\")\n"
    "  --threads N     worker threads (default: the number of CPUs); same output for any N\n"
    "  --stats         print counts, load time and MB/s as one JSON line on stderr\n"
    "  --strict        an invalid indicator line is fatal (exit 1) instead of skipped\n"
    "  --db PATH       also match the database's indicators not expired (their stored\n"
    "                  value is the \"indicator\" shown); --indicators is then optional\n"
    "  --record        (with --db) store each hit of a stored indicator as a sighting:\n"
    "                  the event's \"timestamp\" (else now), value, field, source FILE:LINE,\n"
    "                  and the constituent on the other side of the flow: the matched\n"
    "                  address's other end (src_ip/dest_ip), else the constituent holding\n"
    "                  dest_ip, else src_ip, else the owner of the matched address or host.\n"
    "                  Each sighting counts in its alert (indicator, organisation, day).\n"
    "                  5000 sightings per transaction; each log is read into memory. A\n"
    "                  summary {\"sightings\",\"alerts\",\"unrecorded\"} ends on stderr\n"
    "                  (unrecorded: hits of indicators only in files). Hits are printed too.\n"
    "  --follow        keep reading what is appended to each LOGFILE, as `tail -F` does,\n"
    "                  until SIGTERM or SIGINT (then exit 0): each file is read from its\n"
    "                  start, then looked at every 100 ms; a partial last line waits for its\n"
    "                  newline; a file that does not exist yet is waited for; rotation by\n"
    "                  rename and a new file (the old one is read to its end first, a last\n"
    "                  line without newline included) and copy-truncate (read again from its\n"
    "                  start) are followed. Hits are printed as without --follow (\"line\"\n"
    "                  counts from 1 in each file) and flushed after each look.\n"
    "  --state FILE    (with --follow) keep in FILE, for each log, the file's device, inode\n"
    "                  and the offset and line matched so far, written (atomically) only once\n"
    "                  the hits before it are out; a restart goes on from there: no hit is\n"
    "                  lost, only those printed in the instant before a crash may repeat. A\n"
    "                  log whose file changed meanwhile is read from the start of the new\n"
    "                  file, after the end of the old one if it is still in the same folder\n"
    "                  under another name (rotated).\n"
    "  --follow --record  the positions are kept in the database instead, in the\n"
    "                  same transaction as the sightings of the lines before them (one\n"
    "                  transaction per 5000 lines at most and per look): a restart neither\n"
    "                  loses nor repeats a sighting. --follower NAME (default \"default\")\n"
    "                  names whose positions they are.\n"
    "  --listen unix:PATH  accept Suricata's eve-log output (filetype: unix_stream) on the\n"
    "                  Unix socket PATH (made with mode 0660; a stale socket file is replaced,\n"
    "                  one still listened on is refused) until SIGTERM or SIGINT: any number\n"
    "                  of sensors, each connection read by its own thread into one bounded\n"
    "                  queue; one matcher takes batches (2000 lines, or what queued in 100 ms)\n"
    "                  and prints their hits with \"file\":\"unix:PATH#N\" (N: the\n"
    "                  connection, from 1; \"line\" counts from 1 in it); with --record each\n"
    "                  batch is one transaction, sightings' source \"unix:PATH#N:LINE\". A\n"
    "                  line over 1 MiB or not JSON is reported and the connection goes on.\n"
    "                  On a stop: no new line, the queue is matched, then the exit (0).\n"
    "  --busy-timeout MS  (with --db) how long a write waits for another process's lock\n"
    "                  (default 10000); with --listen a batch that waited that long is tried\n"
    "                  again (its lines wait, the queue fills and drops)\n"
    "  --queue N       (with --listen) lines the queue holds (default 100000; bytes: 1 KiB\n"
    "                  a line, 2 MiB at least): a line that does not fit (a slow database)\n"
    "                  is dropped and counted, a sensor is never made to wait. --stats adds\n"
    "                  \"listen\": connections, lines, dropped, too_long, malformed, batches,\n"
    "                  latency_ms (p50, p99, max: queued to printed/committed), per_connection.\n"
    "  live indicators (--follow, --listen): with --db the stored indicators are looked at\n"
    "                  every second and reloaded when they changed (an import or update, by\n"
    "                  any process, or an expiry passed); SIGHUP reloads at once, the\n"
    "                  --indicators files read again. The new index is built beside the\n"
    "                  one in use and swapped in between two pieces (memory: both, for the\n"
    "                  build's time); stderr says \"indicators reloaded: N\", or, when it\n"
    "                  fails, \"indicators not reloaded, the previous ones kept: ...\" and\n"
    "                  the old index goes on matching.\n"
    "\n"
    "Candidates (trimmed, one pair of <> removed) are classified in this order: IP address\n"
    "(hits equal addresses and containing CIDRs); URL (contains '://'; normalised; then its\n"
    "host); 32/40/64 hex digits (hashes, any case); e-mail (then its domain); host name (hits\n"
    "the domain and each parent domain). Malformed or over-long lines are reported as\n"
    "FILE:LINE on stderr (the first 10), counted and skipped; the exit status stays 0.\n"
    "Exit: 0 done (--follow: stopped by SIGTERM or SIGINT), 1 unreadable file, database\n"
    "error, bad --state file or (--strict) invalid indicator, 2 usage error.\n",
    run_match,
};
