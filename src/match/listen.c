/* Suricata's socket output: the accept thread, one reader per connection, the bounded queue.
 * A stop pipe wakes every thread blocked in poll(); the queue's lock is held only to link an
 * item (allocated before) or to count, so a reader never waits on the consumer. */
#include "match/listen.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "util/limits.h"
#include "util/mem.h"
#include "util/sort.h"

#define READ_BLOCK 65536 /* bytes read from a connection at a time */

struct conn {
    struct vg_listen *l;
    int fd;
    unsigned n;                /* its number, from 1 */
    pthread_t thread;          /* its reader */
    bool has_thread;           /* thread was started and not joined yet */
    atomic_bool done;          /* its reader returned: join it */
    char *buf;                 /* a partial line, then what was read after it */
    size_t len;                /* bytes in buf */
    bool skipping;             /* inside a line longer than VG_MAX_LINE */
    uint64_t line;             /* lines received so far */
    struct vg_listen_counts c; /* under l->mu */
};

struct vg_listen {
    char *path;
    int fd;           /* the listening socket */
    int stop_pipe[2]; /* written once to stop: every poll() also waits on [0] */
    dev_t dev;        /* the socket file's identity, to remove only ours */
    ino_t ino;
    struct vg_listen_opts opts;
    pthread_t acceptor;
    bool started, stopped;
    pthread_mutex_t mu; /* what follows */
    pthread_cond_t cv;  /* an item was queued, or the listener stopped */
    struct vg_listen_item *head, *tail;
    size_t q_lines, q_bytes;
    bool stopping;
    struct conn **conns; /* every connection accepted, by number - 1 */
    size_t nconns, cap;
    struct vg_listen_counts total;
};

static int64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static void note(struct vg_listen *l, unsigned conn, uint64_t line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void note(struct vg_listen *l, unsigned conn, uint64_t line, const char *fmt, ...)
{
    if (!l->opts.note)
        return;
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    l->opts.note(l->opts.ctx, conn, line, msg);
}

/* Queues the `lines` whole lines data[0..len) of c, first of them its line `first`: as many as
 * fit, the others dropped and counted. */
static void push(struct conn *c, const char *data, size_t len, size_t lines)
{
    struct vg_listen *l = c->l;
    uint64_t first = c->line + 1;
    c->line += lines;
    struct vg_listen_item *it = vg_malloc(sizeof *it + len);
    pthread_mutex_lock(&l->mu);
    size_t room_lines = l->opts.max_lines - l->q_lines, room_bytes = l->opts.max_bytes - l->q_bytes;
    size_t take = 0, took = 0;
    if (it)
        for (const char *p = data, *end = data + len; p < end && take < room_lines;) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            size_t n = (size_t)(nl + 1 - p);
            if (took + n > room_bytes)
                break;
            took += n;
            take++;
            p = nl + 1;
        }
    c->c.lines += lines;
    l->total.lines += lines;
    c->c.dropped += lines - take;
    l->total.dropped += lines - take;
    if (take) {
        it->next = NULL;
        it->conn = c->n;
        it->first = first;
        it->lines = take;
        it->len = took;
        it->queued = now_ns();
        memcpy(it->data, data, took);
        if (l->tail)
            l->tail->next = it;
        else
            l->head = it;
        l->tail = it;
        l->q_lines += take;
        l->q_bytes += took;
        c->c.bytes += took;
        l->total.bytes += took;
        it = NULL;
        pthread_cond_signal(&l->cv);
    }
    pthread_mutex_unlock(&l->mu);
    free(it);
}

/* Counts one over-long line of c, skipped. */
static void long_line(struct conn *c)
{
    struct vg_listen *l = c->l;
    c->line++;
    pthread_mutex_lock(&l->mu);
    c->c.lines++;
    c->c.malformed++;
    l->total.lines++;
    l->total.malformed++;
    pthread_mutex_unlock(&l->mu);
    note(l, c->n, c->line, "line longer than %d bytes, skipped", VG_MAX_LINE);
}

/* Hands the whole lines of c->buf to the queue, keeps the partial last one. */
static void split(struct conn *c)
{
    char *p = c->buf, *end = c->buf + c->len;
    if (c->skipping) {
        char *nl = memchr(p, '\n', c->len);
        if (!nl) {
            c->len = 0;
            return;
        }
        c->skipping = false;
        p = nl + 1;
    }
    char *from = p; /* the run of lines not queued yet */
    size_t lines = 0;
    for (char *q = p; q < end;) {
        char *nl = memchr(q, '\n', (size_t)(end - q));
        if (!nl)
            break;
        if ((size_t)(nl - q) > VG_MAX_LINE) { /* whole but too long: skipped here */
            if (lines)
                push(c, from, (size_t)(q - from), lines);
            long_line(c);
            lines = 0;
            from = nl + 1;
        } else {
            lines++;
        }
        q = p = nl + 1;
    }
    if (lines)
        push(c, from, (size_t)(p - from), lines);
    size_t rest = (size_t)(end - p);
    if (rest > VG_MAX_LINE) { /* no newline in sight: the line is skipped up to its newline */
        long_line(c);
        c->skipping = true;
        rest = 0;
    }
    memmove(c->buf, p, rest);
    c->len = rest;
}

static void *reader(void *arg)
{
    struct conn *c = arg;
    struct vg_listen *l = c->l;
    size_t cap = (size_t)VG_MAX_LINE + 1 + READ_BLOCK;
    struct pollfd pf[2] = {{c->fd, POLLIN, 0}, {l->stop_pipe[0], POLLIN, 0}};
    for (;;) {
        if (poll(pf, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            note(l, c->n, 0, "poll: %s", strerror(errno));
            break;
        }
        if (pf[1].revents)
            break;
        ssize_t r = read(c->fd, c->buf + c->len, cap - c->len);
        if (r < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (r < 0) {
            note(l, c->n, 0, "read: %s", strerror(errno));
            break;
        }
        if (r == 0) {
            if (c->len && !c->skipping) /* Suricata ends each event with a newline */
                note(l, c->n, c->line + 1, "closed inside a line, its %zu bytes dropped", c->len);
            break;
        }
        c->len += (size_t)r;
        split(c);
    }
    close(c->fd);
    c->fd = -1;
    free(c->buf);
    c->buf = NULL;
    atomic_store(&c->done, true);
    return NULL;
}

/* Joins the readers that returned (under l->mu): their stacks are not kept. */
static void join_done(struct vg_listen *l)
{
    for (size_t i = 0; i < l->nconns; i++) {
        struct conn *c = l->conns[i];
        if (c->has_thread && atomic_load(&c->done)) {
            pthread_join(c->thread, NULL);
            c->has_thread = false;
        }
    }
}

static void *acceptor(void *arg)
{
    struct vg_listen *l = arg;
    struct pollfd pf[2] = {{l->fd, POLLIN, 0}, {l->stop_pipe[0], POLLIN, 0}};
    for (;;) {
        if (poll(pf, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            note(l, 0, 0, "poll: %s", strerror(errno));
            return NULL;
        }
        if (pf[1].revents)
            return NULL;
        int fd = accept4(l->fd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno != EINTR && errno != EAGAIN && errno != ECONNABORTED) {
                note(l, 0, 0, "accept: %s", strerror(errno));
                struct timespec ts = {0, 100000000L}; /* out of descriptors: not a busy loop */
                nanosleep(&ts, NULL);
            }
            continue;
        }
        struct conn *c = vg_calloc(1, sizeof *c);
        char *buf = vg_malloc((size_t)VG_MAX_LINE + 1 + READ_BLOCK);
        pthread_mutex_lock(&l->mu);
        join_done(l);
        bool room = vg_grow((void **)&l->conns, &l->cap, l->nconns + 1, sizeof *l->conns, 16) == 0;
        if (!c || !buf || !room) {
            pthread_mutex_unlock(&l->mu);
            note(l, 0, 0, "connection refused: out of memory");
            close(fd);
            free(c);
            free(buf);
            continue;
        }
        c->l = l;
        c->fd = fd;
        c->buf = buf;
        c->n = (unsigned)l->nconns + 1;
        c->c.connections = 1;
        l->conns[l->nconns++] = c;
        l->total.connections++;
        c->has_thread = pthread_create(&c->thread, NULL, reader, c) == 0;
        pthread_mutex_unlock(&l->mu);
        if (!c->has_thread) {
            note(l, c->n, 0, "no thread to read it: closed");
            close(fd);
            c->fd = -1;
            free(c->buf);
            c->buf = NULL;
        }
    }
}

/* Whether a process listens on the socket at path. */
static bool live_socket(const char *path)
{
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return true; /* cannot tell: not replaced */
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    memcpy(a.sun_path, path, strlen(path) + 1);
    bool live = connect(fd, (struct sockaddr *)&a, sizeof a) == 0 || errno != ECONNREFUSED;
    close(fd);
    return live;
}

int vg_listen_open(const char *path, const struct vg_listen_opts *opts, struct vg_listen **out,
                   struct vg_diag *d)
{
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof a.sun_path)
        return vg_diag_set(d, VG_EINVAL, "", "%s: a socket path is at most %zu bytes", path,
                           sizeof a.sun_path - 1);
    memcpy(a.sun_path, path, strlen(path) + 1);
    struct stat sb;
    if (lstat(path, &sb) == 0) {
        if (!S_ISSOCK(sb.st_mode))
            return vg_diag_set(d, VG_EEXIST, "", "%s: exists and is not a socket", path);
        if (live_socket(path))
            return vg_diag_set(d, VG_EEXIST, "", "%s: another process listens on it", path);
        if (unlink(path) != 0 && errno != ENOENT)
            return vg_diag_set(d, VG_EIO, "", "%s: cannot remove the stale socket: %s", path,
                               strerror(errno));
    }
    struct vg_listen *l = vg_calloc(1, sizeof *l);
    if (!l || !(l->path = vg_strdup(path))) {
        free(l);
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    }
    l->opts = *opts;
    l->fd = -1;
    l->stop_pipe[0] = l->stop_pipe[1] = -1;
    pthread_mutex_init(&l->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&l->cv, &ca);
    pthread_condattr_destroy(&ca);
    int rc = 0;
    if (pipe2(l->stop_pipe, O_CLOEXEC) != 0 ||
        (l->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
        rc = vg_diag_set(d, VG_EIO, "", "%s: %s", path, strerror(errno));
        goto fail;
    }
    /* the mode before bind: the file never exists with a wider one */
    if (fchmod(l->fd, 0660) != 0 || bind(l->fd, (struct sockaddr *)&a, sizeof a) != 0 ||
        chmod(path, 0660) != 0 || listen(l->fd, 128) != 0 || lstat(path, &sb) != 0) {
        rc = vg_diag_set(d, VG_EIO, "", "%s: %s", path, strerror(errno));
        goto fail;
    }
    l->dev = sb.st_dev;
    l->ino = sb.st_ino;
    if (pthread_create(&l->acceptor, NULL, acceptor, l) != 0) {
        unlink(path);
        rc = vg_diag_set(d, VG_ENOMEM, "", "%s: no thread to accept connections", path);
        goto fail;
    }
    l->started = true;
    *out = l;
    return 0;
fail:
    vg_listen_close(l);
    return rc;
}

static struct timespec at_ns(int64_t ns)
{
    struct timespec t = {(time_t)(ns / 1000000000), (long)(ns % 1000000000)};
    return t;
}

struct vg_listen_item *vg_listen_take(struct vg_listen *l, size_t want, size_t max_lines,
                                      long wait_ms)
{
    int64_t wait = (int64_t)wait_ms * 1000000;
    int64_t start = now_ns();
    pthread_mutex_lock(&l->mu);
    while (l->q_lines < want && !l->stopping) {
        /* the oldest line waits wait_ms at most; with none, wait_ms from the call */
        struct timespec until = at_ns((l->head ? l->head->queued : start) + wait);
        if (pthread_cond_timedwait(&l->cv, &l->mu, &until) == ETIMEDOUT &&
            (l->head || now_ns() >= start + wait))
            break;
    }
    struct vg_listen_item *head = l->head, *last = NULL;
    size_t lines = 0, bytes = 0;
    for (struct vg_listen_item *it = head; it && (lines == 0 || lines + it->lines <= max_lines);
         it = it->next) {
        lines += it->lines;
        bytes += it->len;
        last = it;
    }
    if (last) {
        l->head = last->next;
        last->next = NULL;
        if (!l->head)
            l->tail = NULL;
        l->q_lines -= lines;
        l->q_bytes -= bytes;
    }
    pthread_mutex_unlock(&l->mu);
    return last ? head : NULL;
}

void vg_listen_items_free(struct vg_listen_item *it)
{
    while (it) {
        struct vg_listen_item *next = it->next;
        free(it);
        it = next;
    }
}

void vg_listen_stop(struct vg_listen *l)
{
    if (!l || l->stopped)
        return;
    l->stopped = true;
    if (l->stop_pipe[1] >= 0) {
        char b = 1;
        ssize_t w = write(l->stop_pipe[1], &b, 1);
        (void)w; /* a pipe's first byte always fits */
    }
    if (l->started)
        pthread_join(l->acceptor, NULL); /* no connection is added after this */
    for (size_t i = 0; i < l->nconns; i++)
        if (l->conns[i]->has_thread) {
            pthread_join(l->conns[i]->thread, NULL);
            l->conns[i]->has_thread = false;
        }
    pthread_mutex_lock(&l->mu);
    l->stopping = true;
    pthread_cond_broadcast(&l->cv);
    pthread_mutex_unlock(&l->mu);
}

void vg_listen_close(struct vg_listen *l)
{
    if (!l)
        return;
    vg_listen_stop(l);
    struct stat sb;
    if (l->fd >= 0) {
        if (lstat(l->path, &sb) == 0 && sb.st_dev == l->dev && sb.st_ino == l->ino)
            unlink(l->path);
        close(l->fd);
    }
    for (int i = 0; i < 2; i++)
        if (l->stop_pipe[i] >= 0)
            close(l->stop_pipe[i]);
    for (size_t i = 0; i < l->nconns; i++) {
        free(l->conns[i]->buf);
        free(l->conns[i]);
    }
    free(l->conns);
    vg_listen_items_free(l->head);
    pthread_cond_destroy(&l->cv);
    pthread_mutex_destroy(&l->mu);
    free(l->path);
    free(l);
}

/* An item and its place in the batch (the sort keeps a connection's items in order). */
struct ref {
    const struct vg_listen_item *it;
    size_t seq;
};

static int by_conn(const void *a, const void *b)
{
    const struct ref *x = a, *y = b;
    if (x->it->conn != y->it->conn)
        return x->it->conn < y->it->conn ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

int vg_listen_batch_make(const struct vg_listen *l, const struct vg_listen_item *items,
                         struct vg_listen_batch *b)
{
    memset(b, 0, sizeof *b);
    size_t n = 0;
    for (const struct vg_listen_item *it = items; it; it = it->next)
        n++;
    if (!n)
        return 0;
    struct ref *refs = vg_malloc(n * sizeof *refs);
    b->v = vg_calloc(n, sizeof *b->v);
    b->mem = vg_calloc(2 * n, sizeof *b->mem); /* a name and maybe joined lines per piece */
    if (!refs || !b->v || !b->mem) {
        free(refs);
        return VG_ENOMEM;
    }
    n = 0;
    for (const struct vg_listen_item *it = items; it; it = it->next, n++)
        refs[n] = (struct ref){it, n};
    vg_sort(refs, n, sizeof *refs, by_conn);
    size_t room = strlen(l->path) + 32;
    int rc = 0;
    for (size_t i = 0; i < n && !rc;) {
        size_t j = i + 1, len = refs[i].it->len;
        while (j < n && refs[j].it->conn == refs[i].it->conn &&
               refs[j].it->first == refs[j - 1].it->first + refs[j - 1].it->lines)
            len += refs[j++].it->len;
        struct vg_listen_piece *p = &b->v[b->n];
        p->conn = refs[i].it->conn;
        p->first = refs[i].it->first;
        p->len = len;
        p->data = refs[i].it->data;
        char *name = b->mem[b->nmem++] = vg_malloc(room);
        char *joined = j > i + 1 ? (b->mem[b->nmem++] = vg_malloc(len)) : NULL;
        if (!name || (j > i + 1 && !joined)) {
            rc = VG_ENOMEM;
            break;
        }
        snprintf(name, room, "unix:%s#%u", l->path, p->conn);
        p->source = name;
        for (size_t k = i, at = 0; joined && k < j; at += refs[k].it->len, k++)
            memcpy(joined + at, refs[k].it->data, refs[k].it->len);
        if (joined)
            p->data = joined;
        b->n++;
        i = j;
    }
    free(refs);
    return rc;
}

void vg_listen_batch_cleanup(struct vg_listen_batch *b)
{
    for (size_t i = 0; i < b->nmem; i++)
        free(b->mem[i]);
    free(b->mem);
    free(b->v);
    memset(b, 0, sizeof *b);
}

struct vg_listen_counts vg_listen_counts(struct vg_listen *l)
{
    pthread_mutex_lock(&l->mu);
    struct vg_listen_counts c = l->total;
    pthread_mutex_unlock(&l->mu);
    return c;
}

int vg_listen_connection_counts(struct vg_listen *l, struct vg_listen_counts **out, size_t *n)
{
    pthread_mutex_lock(&l->mu);
    size_t k = l->nconns;
    struct vg_listen_counts *v = vg_calloc(k ? k : 1, sizeof *v);
    for (size_t i = 0; v && i < k; i++)
        v[i] = l->conns[i]->c;
    pthread_mutex_unlock(&l->mu);
    if (!v)
        return VG_ENOMEM;
    *out = v;
    *n = k;
    return 0;
}

const char *vg_listen_path(const struct vg_listen *l)
{
    return l->path;
}
