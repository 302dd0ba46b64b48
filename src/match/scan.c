/* The matcher: reads lines of events, classifies every candidate string, looks it up in the
 * frozen index, and hands hits to a sink in input order. Input is cut into pieces at line
 * boundaries; worker threads take pieces in turn and keep their results per piece; the calling
 * thread then delivers the pieces in order, so results never depend on the thread count. */
#include "match/match.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/mem.h"

#define PIECE_MIN    (256u * 1024)       /* smallest piece given to a thread */
#define PIECE_MAX    (1024u * 1024)      /* largest: a piece read from a file stays in cache */
#define STREAM_BLOCK (32u * 1024 * 1024) /* bytes read at a time from a pipe */
/* Bytes of a mapped file scanned per round: results are delivered after each, memory stays
 * bounded. */
#define MAP_BLOCK    ((size_t)256 * 1024 * 1024)
#define BAD_KEPT     10   /* bad lines kept per piece */
#define SEEN_MIN     1024 /* first size of the per-event seen set (grows) */
#define MSG_MAX      128
#define CAND_WAIT    3 /* classified candidates read before the first of them is looked up */

/* A hit kept until its piece is delivered; strings are in the piece's bytes. */
struct kept_hit {
    uint64_t line;  /* within the piece, from 1 */
    uint32_t rec;   /* the indicator */
    size_t val_off; /* the value in bytes */
    size_t val_len;
    size_t field_off; /* the field in bytes */
    size_t field_len;
};

struct kept_bad {
    uint64_t line;     /* within the piece, from 1 */
    char msg[MSG_MAX]; /* why it was skipped */
};

/* One piece of input and what was found in it. */
struct piece {
    _Alignas(64) const char *data; /* complete lines; a piece's counters are written by one
                                    * thread while its neighbour's are by another */
    size_t len;
    uint64_t lines, events, malformed, dropped;
    struct kept_hit *hits; /* in line order */
    size_t nhits, hits_cap;
    struct vg_buf bytes; /* values and fields of hits */
    struct kept_bad bad[BAD_KEPT];
    int nbad;
    int err;          /* VG_ENOMEM if results could not be kept */
    atomic_bool done; /* read: its results may be delivered (set with release order) */
};

/* A classified candidate waiting to be looked up, with copies of its value and field. */
struct waiting {
    struct vg_match_cand cand;
    char *buf;              /* value then field */
    size_t cap, val, field; /* buf's size; value and field lengths */
};

/* A worker's state, reused from line to line. */
struct worker {
    /* each worker on cache lines of its own: one writes its fields for every candidate while
     * the other reads its own, and sharing a line would make them take turns */
    _Alignas(64) const struct vg_match_index *idx;
    enum vg_match_format format;
    struct vg_match_eve *eve;
    /* A classified candidate waits until CAND_WAIT more are read before it is looked up (all
     * are at the end of the event), in order, so that the memory it needs (asked for when it
     * was classified) has time to arrive. */
    struct waiting q[CAND_WAIT + 1];
    unsigned head, nwait; /* q[head] is the oldest of the nwait waiting */
    char *rbuf;           /* the piece read from a file */
    size_t rcap;
    struct piece *pc;           /* the piece being read */
    uint64_t line;              /* the line being read, within the piece */
    struct vg_str value, field; /* the candidate being looked up */
    size_t val_off, field_off;  /* where value and field were kept, or SIZE_MAX */
    /* Not util/hash's u64map: emptied once per event by bumping gen, not by clearing it. */
    uint32_t *seen;     /* open-addressing set of recs seen in this event */
    uint32_t *seen_gen; /* a slot is used when its generation is the event's */
    size_t seen_mask;   /* slots - 1 */
    uint32_t gen;       /* the event's generation */
    size_t nseen;
    /* The previous candidate of this event: EVE repeats values (dns.rrname, then the same name
     * in its answers); a repeat can only give hits already seen. */
    char last[256];
    size_t last_len; /* 0: none */
};

/* Delivery of the pieces' results, in order, by the calling thread only. */
struct delivery {
    size_t next;   /* the first piece not delivered yet */
    uint64_t line; /* lines before it */
    int rc;        /* the first error (then nothing more is delivered) */
    const struct vg_match_sink *sink;
    unsigned *bad_left;
    struct vg_match_stats *st;
    struct vg_diag *d;
};

struct job {
    struct piece *pieces;
    size_t npieces;
    atomic_size_t next;
    struct worker *workers;
    int fd;           /* >= 0: each piece is read from this file, at file_off + its offset */
    off_t file_off;   /* the file offset of the block's first byte */
    const char *data; /* the block (mapped when fd >= 0: used to find line ends only) */
    struct delivery *dl;
};

static int worker_init(struct worker *w, const struct vg_match_index *idx,
                       enum vg_match_format format)
{
    memset(w, 0, sizeof *w);
    w->idx = idx;
    w->format = format;
    w->seen = vg_calloc(SEEN_MIN, sizeof *w->seen);
    w->seen_gen = vg_calloc(SEEN_MIN, sizeof *w->seen_gen);
    w->seen_mask = SEEN_MIN - 1;
    w->gen = 1;
    if (format == VG_MATCH_FORMAT_EVE)
        w->eve = vg_match_eve_new();
    if (!w->seen || !w->seen_gen || (format == VG_MATCH_FORMAT_EVE && !w->eve))
        return VG_ENOMEM;
    return 0;
}

static void worker_cleanup(struct worker *w)
{
    free(w->seen);
    free(w->seen_gen);
    vg_match_eve_free(w->eve);
    for (unsigned i = 0; i <= CAND_WAIT; i++)
        free(w->q[i].buf);
    free(w->rbuf);
}

static size_t seen_slot(uint32_t rec, size_t mask)
{
    return (size_t)(((uint64_t)rec * 0x9e3779b97f4a7c15ULL) >> 32) & mask;
}

/* Doubles the seen set, keeping this event's entries. */
static int seen_grow(struct worker *w)
{
    size_t n = (w->seen_mask + 1) * 2;
    uint32_t *s = vg_calloc(n, sizeof *s), *g = vg_calloc(n, sizeof *g);
    if (!s || !g) {
        free(s);
        free(g);
        return VG_ENOMEM;
    }
    for (size_t i = 0; i <= w->seen_mask; i++) {
        if (w->seen_gen[i] != w->gen)
            continue;
        size_t j = seen_slot(w->seen[i], n - 1);
        while (g[j] == w->gen)
            j = (j + 1) & (n - 1);
        g[j] = w->gen;
        s[j] = w->seen[i];
    }
    free(w->seen);
    free(w->seen_gen);
    w->seen = s;
    w->seen_gen = g;
    w->seen_mask = n - 1;
    return 0;
}

/* Adds rec to the event's seen set; 1 if added, 0 if it was there, VG_ENOMEM. */
static int seen_add(struct worker *w, uint32_t rec)
{
    if ((w->nseen + 1) * 2 > w->seen_mask + 1 && seen_grow(w) != 0)
        return VG_ENOMEM;
    size_t mask = w->seen_mask;
    size_t i = seen_slot(rec, mask);
    for (;; i = (i + 1) & mask) {
        if (w->seen_gen[i] != w->gen) {
            w->seen_gen[i] = w->gen;
            w->seen[i] = rec;
            w->nseen++;
            return 1;
        }
        if (w->seen[i] == rec)
            return 0;
    }
}

/* calloc for arrays of cache-line-aligned structures. */
static void *aligned_calloc(size_t n, size_t size)
{
    if (n && size > SIZE_MAX / n)
        return NULL;
    size_t bytes = (n * size + 63) / 64 * 64;
    void *p = aligned_alloc(64, bytes ? bytes : 64);
    if (p)
        memset(p, 0, bytes ? bytes : 64);
    return p;
}

static void new_event(struct worker *w)
{
    w->last_len = 0;
    w->nwait = 0;
    w->gen++;
    if (w->gen == 0) { /* wrapped: forget every old generation */
        memset(w->seen_gen, 0, (w->seen_mask + 1) * sizeof *w->seen_gen);
        w->gen = 1;
    }
    w->nseen = 0;
}

static int on_hit(void *ctx, uint32_t rec)
{
    struct worker *w = ctx;
    struct piece *pc = w->pc;
    if (w->nseen >= VG_MAX_EVENT_HITS) {
        pc->dropped++;
        return 0;
    }
    int added = seen_add(w, rec);
    if (added <= 0)
        return added;
    if (w->val_off == SIZE_MAX) {
        w->val_off = pc->bytes.len;
        vg_buf_append(&pc->bytes, w->value.ptr, w->value.len);
        w->field_off = pc->bytes.len;
        vg_buf_append(&pc->bytes, w->field.ptr, w->field.len);
        if (pc->bytes.failed)
            return VG_ENOMEM;
    }
    if (pc->nhits == pc->hits_cap) {
        size_t nc = pc->hits_cap ? pc->hits_cap * 2 : 64;
        struct kept_hit *nh = vg_realloc(pc->hits, nc * sizeof *nh);
        if (!nh)
            return VG_ENOMEM;
        pc->hits = nh;
        pc->hits_cap = nc;
    }
    pc->hits[pc->nhits++] =
        (struct kept_hit){w->line, rec, w->val_off, w->value.len, w->field_off, w->field.len};
    return 0;
}

/* Looks up the oldest waiting candidate. */
static int lookup_oldest(struct worker *w)
{
    struct waiting *q = &w->q[w->head];
    w->head = w->head == CAND_WAIT ? 0 : w->head + 1;
    w->nwait--;
    w->value = (struct vg_str){q->buf, q->val};
    w->field = (struct vg_str){q->buf + q->val, q->field};
    w->val_off = SIZE_MAX;
    return vg_match_index_lookup(w->idx, &q->cand, on_hit, w);
}

/* Looks up every waiting candidate, in order. */
static int flush(struct worker *w)
{
    while (w->nwait) {
        int rc = lookup_oldest(w);
        if (rc)
            return rc;
    }
    return 0;
}

static int on_string(void *ctx, struct vg_str value, struct vg_str field)
{
    struct worker *w = ctx;
    if (value.len == w->last_len && memcmp(value.ptr, w->last, value.len) == 0)
        return 0;
    unsigned tail = w->head + w->nwait;
    struct waiting *q = &w->q[tail > CAND_WAIT ? tail - (CAND_WAIT + 1) : tail];
    if (vg_match_classify(value, &q->cand) == VG_MATCH_KIND_NONE)
        return 0;
    if (value.len < sizeof w->last) {
        memcpy(w->last, value.ptr, value.len);
        w->last_len = value.len;
    }
    vg_match_index_prepare(w->idx, &q->cand);
    if (w->nwait == CAND_WAIT) {
        int rc = lookup_oldest(w);
        if (rc)
            return rc;
    }
    /* value and field may not outlive this call (escaped strings, the path): keep a copy */
    if (value.len + field.len > q->cap) {
        size_t n = q->cap ? q->cap : 256;
        while (n < value.len + field.len)
            n *= 2;
        char *nb = vg_realloc(q->buf, n);
        if (!nb)
            return VG_ENOMEM;
        q->buf = nb;
        q->cap = n;
    }
    memcpy(q->buf, value.ptr, value.len);
    if (field.len)
        memcpy(q->buf + value.len, field.ptr, field.len);
    q->val = value.len;
    q->field = field.len;
    w->nwait++;
    return 0;
}

static void keep_bad(struct piece *pc, uint64_t line, const char *msg)
{
    pc->malformed++;
    if (pc->nbad < BAD_KEPT) {
        pc->bad[pc->nbad].line = line;
        size_t n = strnlen(msg, MSG_MAX - 1);
        memcpy(pc->bad[pc->nbad].msg, msg, n);
        pc->bad[pc->nbad].msg[n] = '\0';
        pc->nbad++;
    }
}

static bool blank(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
            return false;
    return true;
}

static void read_piece(struct worker *w, struct piece *pc)
{
    const char *p = pc->data, *end = pc->data + pc->len;
    w->pc = pc;
    const char *pf = p; /* input asked for up to here */
    while (p < end) {
        /* Ask for every cache line some way ahead: the data comes from memory once, and the
         * hardware prefetcher stops at page boundaries. */
        while (pf < end && pf < p + 4096) {
            __builtin_prefetch(pf);
            pf += 64;
        }
        if (w->format == VG_MATCH_FORMAT_EVE) {
            /* One pass: the reader finds the end of a good line itself. */
            w->line = ++pc->lines;
            new_event(w);
            size_t mark_hits = pc->nhits, mark_bytes = pc->bytes.len;
            struct vg_diag d;
            const char *next;
            int rc = vg_match_eve_read_next(w->eve, p, end, &next, on_string, w, &d);
            if (rc == 0)
                rc = flush(w);
            else
                w->nwait = 0;
            if (rc == 0) {
                pc->events++;
                p = next;
                continue;
            }
            if (rc != VG_EINVAL && rc != VG_ETOOBIG) {
                pc->err = VG_ENOMEM;
                return;
            }
            pc->nhits = mark_hits;
            pc->bytes.len = mark_bytes;
            if (pc->bytes.data)
                pc->bytes.data[mark_bytes] = '\0';
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            size_t n = (size_t)((nl ? nl : end) - p);
            if (n > VG_MAX_LINE) {
                char msg[MSG_MAX];
                snprintf(msg, sizeof msg, "line longer than %d bytes, skipped", VG_MAX_LINE);
                keep_bad(pc, w->line, msg);
            } else if (!blank(p, n)) {
                keep_bad(pc, w->line, d.message);
            }
            p = nl ? nl + 1 : end;
            continue;
        }
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        size_t n = (size_t)(le - p);
        const char *line = p;
        p = nl ? nl + 1 : end;
        w->line = ++pc->lines;
        if (n > VG_MAX_LINE) {
            char msg[MSG_MAX];
            snprintf(msg, sizeof msg, "line longer than %d bytes, skipped", VG_MAX_LINE);
            keep_bad(pc, w->line, msg);
            continue;
        }
        /* A text line. */
        new_event(w);
        pc->events++;
        if (vg_match_text_read(line, n, on_string, w) != 0 || flush(w) != 0) {
            pc->err = VG_ENOMEM;
            return;
        }
    }
}

struct thread_arg {
    struct job *job;
    struct worker *w;
    bool delivers; /* the calling thread: delivers the pieces done, in order, as it goes */
};

static int deliver(const struct piece *pc, uint64_t base, const struct vg_match_sink *sink,
                   unsigned *bad_left, const struct vg_match_index *idx);

/* Delivers the pieces done from dl->next on, in order, and frees their results: hits are
 * written while still in cache and a block's results are not all kept at once. */
static void deliver_done(struct job *job)
{
    struct delivery *dl = job->dl;
    while (dl->next < job->npieces &&
           atomic_load_explicit(&job->pieces[dl->next].done, memory_order_acquire)) {
        struct piece *pc = &job->pieces[dl->next++];
        if (pc->err && !dl->rc)
            dl->rc = vg_diag_set(dl->d, pc->err, "", "%s",
                                 pc->err == VG_EIO ? "read error (did the file shrink?)"
                                                   : "out of memory keeping results");
        if (!dl->rc)
            dl->rc = deliver(pc, dl->line, dl->sink, dl->bad_left, job->workers[0].idx);
        dl->line += pc->lines;
        dl->st->lines += pc->lines;
        dl->st->events += pc->events;
        dl->st->malformed += pc->malformed;
        dl->st->dropped += pc->dropped;
        dl->st->hits += pc->nhits;
        free(pc->hits);
        pc->hits = NULL;
        vg_buf_cleanup(&pc->bytes);
    }
}

/* Reads a piece from the file into the worker's buffer, and points the piece at it: a copy
 * by the kernel streams from memory at full speed and leaves the piece in cache for the
 * reader, cheaper than mapping every page and taking each cache miss while parsing. */
static int read_from_file(struct worker *w, const struct job *job, struct piece *pc)
{
    if (pc->len > w->rcap) {
        size_t n = w->rcap ? w->rcap : PIECE_MAX;
        while (n < pc->len)
            n *= 2;
        char *nb = vg_realloc(w->rbuf, n);
        if (!nb)
            return VG_ENOMEM;
        w->rbuf = nb;
        w->rcap = n;
    }
    off_t at = job->file_off + (off_t)(pc->data - job->data);
    size_t got = 0;
    while (got < pc->len) {
        ssize_t n = pread(job->fd, w->rbuf + got, pc->len - got, at + (off_t)got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return VG_EIO; /* an error, or the file shrank */
        got += (size_t)n;
    }
    pc->data = w->rbuf;
    return 0;
}

static void *run_worker(void *arg)
{
    struct thread_arg *ta = arg;
    struct job *job = ta->job;
    for (;;) {
        size_t i = atomic_fetch_add(&job->next, 1);
        if (i >= job->npieces)
            break;
        struct piece *pc = &job->pieces[i];
        if (job->fd >= 0 && read_from_file(ta->w, job, pc) != 0)
            pc->err = VG_EIO;
        else
            read_piece(ta->w, pc);
        atomic_store_explicit(&pc->done, true, memory_order_release);
        if (ta->delivers)
            deliver_done(job);
    }
    return NULL;
}

/* Delivers a piece's results in line order; returns the sink's value or 0. */
#define REC_AHEAD 16 /* hits ahead whose record is asked for; their text half as far */

static int deliver(const struct piece *pc, uint64_t base, const struct vg_match_sink *sink,
                   unsigned *bad_left, const struct vg_match_index *idx)
{
    for (size_t i = 0; i < REC_AHEAD && i < pc->nhits; i++)
        vg_match_index_prefetch_rec(idx, pc->hits[i].rec, false);
    size_t h = 0;
    int b = 0;
    while (h < pc->nhits || b < pc->nbad) {
        if (b < pc->nbad && (h >= pc->nhits || pc->bad[b].line <= pc->hits[h].line)) {
            if (sink->bad && *bad_left) {
                sink->bad(sink->ctx, base + pc->bad[b].line, pc->bad[b].msg);
                (*bad_left)--;
            }
            b++;
            continue;
        }
        if (h + REC_AHEAD < pc->nhits)
            vg_match_index_prefetch_rec(idx, pc->hits[h + REC_AHEAD].rec, false);
        if (h + REC_AHEAD / 2 < pc->nhits)
            vg_match_index_prefetch_rec(idx, pc->hits[h + REC_AHEAD / 2].rec, true);
        const struct kept_hit *k = &pc->hits[h++];
        struct vg_match_hit hit = {
            base + k->line,
            k->rec,
            {pc->bytes.data + k->val_off, k->val_len},
            {pc->bytes.data + k->field_off, k->field_len},
        };
        if (sink->hit) {
            int rc = sink->hit(sink->ctx, &hit);
            if (rc)
                return rc;
        }
    }
    return 0;
}

/* The offset of the first '\n' of data[from..len), or len. When fd >= 0, data is the file
 * mapped at file_off and the bytes are read with pread instead: touching the mapping would make
 * the kernel map pages around each place looked at (fault-around, 64 KiB each), resident memory
 * for nothing. */
static size_t next_nl(const char *data, size_t from, size_t len, int fd, off_t file_off)
{
    if (fd < 0) {
        const char *nl = memchr(data + from, '\n', len - from);
        return nl ? (size_t)(nl - data) : len;
    }
    char buf[4096];
    while (from < len) {
        size_t want = len - from < sizeof buf ? len - from : sizeof buf;
        ssize_t n = pread(fd, buf, want, file_off + (off_t)from);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) { /* an error or the file shrank: look in the mapping (as before) */
            const char *nl = memchr(data + from, '\n', len - from);
            return nl ? (size_t)(nl - data) : len;
        }
        const char *nl = memchr(buf, '\n', (size_t)n);
        if (nl)
            return from + (size_t)(nl - buf);
        from += (size_t)n;
    }
    return len;
}

/* Scans complete lines data[0..len) whose first line is number base + 1. */
static int scan_block(struct worker *workers, unsigned nthreads, const char *data, size_t len,
                      int fd, off_t file_off, uint64_t base, const struct vg_match_sink *sink,
                      unsigned *bad_left, struct vg_match_stats *st, struct vg_diag *d)
{
    size_t piece = len / ((size_t)nthreads * 8);
    if (piece < PIECE_MIN)
        piece = PIECE_MIN;
    if (piece > PIECE_MAX)
        piece = PIECE_MAX;
    size_t npieces = 0, cap = len / piece + 2;
    struct piece *pieces = aligned_calloc(cap, sizeof *pieces);
    if (!pieces)
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    for (size_t pos = 0; pos < len;) {
        size_t stop = len;
        if (len - pos > piece) {
            size_t nl = next_nl(data, pos + piece, len, fd, file_off);
            stop = nl < len ? nl + 1 : len;
        }
        struct piece *pc = &pieces[npieces++];
        pc->data = data + pos;
        pc->len = stop - pos;
        vg_buf_init(&pc->bytes, VG_MAX_BUF);
        pos = stop;
    }

    struct delivery dl = {0, base, 0, sink, bad_left, st, d};
    struct job job = {pieces, npieces, 0, workers, fd, file_off, data, &dl};
    unsigned nt = nthreads;
    if (nt > npieces)
        nt = (unsigned)(npieces ? npieces : 1);
    pthread_t tids[256];
    struct thread_arg args[256];
    unsigned started = 0;
    for (unsigned i = 1; i < nt && i < 256; i++) {
        args[i] = (struct thread_arg){&job, &workers[i], false};
        if (pthread_create(&tids[i], NULL, run_worker, &args[i]) != 0)
            break;
        started = i;
    }
    args[0] = (struct thread_arg){&job, &workers[0], true};
    run_worker(&args[0]);
    for (unsigned i = 1; i <= started; i++)
        pthread_join(tids[i], NULL);
    deliver_done(&job); /* the pieces other threads finished last */

    st->bytes += len;
    free(pieces);
    return dl.rc;
}

struct scanner {
    struct worker *workers;
    unsigned nthreads;
};

static int scanner_init(struct scanner *s, const struct vg_match_index *idx,
                        const struct vg_match_scan_opts *opts, struct vg_diag *d)
{
    s->nthreads = opts->threads < 1 ? 1 : opts->threads > 256 ? 256 : opts->threads;
    s->workers = aligned_calloc(s->nthreads, sizeof *s->workers);
    if (!s->workers)
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    for (unsigned i = 0; i < s->nthreads; i++)
        if (worker_init(&s->workers[i], idx, opts->format) != 0) {
            for (unsigned j = 0; j <= i; j++)
                worker_cleanup(&s->workers[j]);
            free(s->workers);
            return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
        }
    return 0;
}

static void scanner_cleanup(struct scanner *s)
{
    for (unsigned i = 0; i < s->nthreads; i++)
        worker_cleanup(&s->workers[i]);
    free(s->workers);
}

int vg_match_scan_mem(const struct vg_match_index *idx, const struct vg_match_scan_opts *opts,
                      const char *data, size_t len, const struct vg_match_sink *sink,
                      struct vg_match_stats *st, struct vg_diag *d)
{
    struct scanner s;
    int rc = scanner_init(&s, idx, opts, d);
    if (rc)
        return rc;
    unsigned bad_left = BAD_KEPT;
    rc = scan_block(s.workers, s.nthreads, data, len, -1, 0, 0, sink, &bad_left, st, d);
    scanner_cleanup(&s);
    return rc;
}

/* Reads a pipe or any non-regular file in blocks of whole lines. */
static int scan_stream(struct scanner *s, int fd, size_t block, const struct vg_match_sink *sink,
                       struct vg_match_stats *st, struct vg_diag *d)
{
    /* A block must hold any line that is not too long. */
    size_t cap = block == 0 ? STREAM_BLOCK : block > VG_MAX_LINE ? block : VG_MAX_LINE + 1;
    char *buf = vg_malloc(cap);
    if (!buf)
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    size_t have = 0;
    uint64_t base = 0;
    bool eof = false, skipping = false;
    unsigned bad_left = BAD_KEPT;
    int rc = 0;
    while (!eof && !rc) {
        ssize_t n = read(fd, buf + have, cap - have);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            rc = vg_diag_set(d, VG_EIO, "", "read: %s", strerror(errno));
            break;
        }
        if (n == 0)
            eof = true;
        if (skipping) { /* the rest of a line too long for a block */
            st->bytes += (size_t)n;
            char *nl = memchr(buf, '\n', (size_t)n);
            if (!nl)
                continue;
            size_t rest = (size_t)n - (size_t)(nl + 1 - buf);
            st->bytes -= rest;
            memmove(buf, nl + 1, rest);
            have = rest;
            skipping = false;
            continue;
        }
        have += (size_t)n;
        if (!eof && have < cap)
            continue;
        size_t upto = have;
        if (!eof) {
            char *last = memrchr(buf, '\n', have);
            if (!last) {
                /* A line longer than the block, hence than VG_MAX_LINE. */
                base++;
                st->lines++;
                st->malformed++;
                st->bytes += have;
                if (sink->bad && bad_left) {
                    bad_left--;
                    char msg[MSG_MAX];
                    snprintf(msg, sizeof msg, "line longer than %d bytes, skipped", VG_MAX_LINE);
                    sink->bad(sink->ctx, base, msg);
                }
                have = 0;
                skipping = true;
                continue;
            }
            upto = (size_t)(last + 1 - buf);
        }
        struct vg_match_stats before = *st;
        rc = scan_block(s->workers, s->nthreads, buf, upto, -1, 0, base, sink, &bad_left, st, d);
        base += st->lines - before.lines;
        memmove(buf, buf + upto, have - upto);
        have -= upto;
    }
    free(buf);
    return rc;
}

int vg_match_scan_fd(const struct vg_match_index *idx, const struct vg_match_scan_opts *opts,
                     int fd, const struct vg_match_sink *sink, struct vg_match_stats *st,
                     struct vg_diag *d)
{
    struct scanner s;
    int rc = scanner_init(&s, idx, opts, d);
    if (rc)
        return rc;
    struct stat sb;
    if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode)) {
        if (sb.st_size > 0) {
            size_t size = (size_t)sb.st_size;
            char *m = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
            if (m == MAP_FAILED) {
                rc = vg_diag_set(d, VG_EIO, "", "mmap: %s", strerror(errno));
                goto out;
            }
            madvise(m, size, MADV_RANDOM); /* only the ends of pieces are read here */
            unsigned bad_left = BAD_KEPT;
            uint64_t base = 0;
            for (size_t pos = 0; pos < size && !rc;) {
                size_t stop = size;
                size_t blk = opts->block ? opts->block : MAP_BLOCK;
                if (size - pos > blk) {
                    size_t nl = next_nl(m, pos + blk, size, fd, 0);
                    stop = nl < size ? nl + 1 : size;
                }
                uint64_t lines_before = st->lines;
                rc = scan_block(s.workers, s.nthreads, m + pos, stop - pos, fd, (off_t)pos, base,
                                sink, &bad_left, st, d);
                base += st->lines - lines_before;
                pos = stop;
            }
            munmap(m, size);
        }
        goto out;
    }
    rc = scan_stream(&s, fd, opts->block, sink, st, d);
out:
    scanner_cleanup(&s);
    return rc;
}
