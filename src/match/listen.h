/* Suricata's socket output (`eve-log` with `filetype: unix_stream`, issue 17): a Unix stream
 * socket accepting any number of sensors, one reader thread per connection splitting what it
 * sends into lines, and ONE bounded queue of those lines that a single consumer (the matcher)
 * takes in batches. A reader never waits for the consumer: a line that does not fit in the
 * queue is dropped and counted (per connection and in total). */
#ifndef VG_MATCH_LISTEN_H
#define VG_MATCH_LISTEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

/* Whole lines of one connection, in the order it sent them. */
struct vg_listen_item {
    struct vg_listen_item *next;
    unsigned conn;  /* the connection's number, from 1 in the order they were accepted */
    uint64_t first; /* line number of the first line in its connection (from 1); the lines
                     * before it that were dropped or over-long count too */
    size_t lines;   /* lines in data, each ending with '\n' */
    size_t len;
    int64_t queued; /* when it was queued (CLOCK_MONOTONIC, ns) */
    char data[];
};

/* Counts of a listener; in total or of one connection. */
struct vg_listen_counts {
    uint64_t connections; /* accepted (of one connection: 1) */
    uint64_t lines;       /* lines received, queued or not */
    uint64_t bytes;       /* bytes of the lines queued */
    uint64_t dropped;     /* lines dropped: the queue was full */
    uint64_t malformed;   /* lines longer than VG_MAX_LINE, skipped by the reader */
};

struct vg_listen_opts {
    size_t max_lines; /* lines the queue holds at most (>= 1) */
    size_t max_bytes; /* bytes the queue holds at most (>= VG_MAX_LINE + 1) */
    /* Told of what a reader skipped or of a connection's failure (may be NULL; called from
     * the reader threads, at the same time: it must be thread-safe). line is 0 when the
     * message is not about a line. */
    void (*note)(void *ctx, unsigned conn, uint64_t line, const char *message);
    void *ctx;
};

struct vg_listen;

/* Listens on the Unix socket path (created with mode 0660; an existing socket file that no
 * one listens on any more is replaced, one still listened on is refused, any other file is
 * refused) and starts accepting in a thread of its own. The calling thread's signal mask is
 * the threads' one: block SIGTERM and SIGINT around this call to keep them for the caller.
 * 0 with *out set, or VG_EIO / VG_EEXIST / VG_ENOMEM with d filled (naming the path). */
int vg_listen_open(const char *path, const struct vg_listen_opts *opts, struct vg_listen **out,
                   struct vg_diag *d);

/* Takes the lines queued (FIFO, at most about max_lines of them, whole items), waiting until
 * `want` lines are queued, or the oldest of them waited wait_ms, or the listener is stopped,
 * or (when nothing is queued) wait_ms passed. NULL when nothing was queued meanwhile. Free
 * with vg_listen_items_free. */
struct vg_listen_item *vg_listen_take(struct vg_listen *l, size_t want, size_t max_lines,
                                      long wait_ms);
void vg_listen_items_free(struct vg_listen_item *it);

/* Stops accepting and reading (connections are closed, a partial last line is lost), waits
 * for the threads; what is queued can still be taken. Idempotent. */
void vg_listen_stop(struct vg_listen *l);
/* Stops if not stopped, frees what is queued, removes the socket file (if still ours). */
void vg_listen_close(struct vg_listen *l);

/* A batch taken, cut into pieces: each a run of lines of one connection following each other
 * (no line dropped or skipped between them), pieces of a connection in order. */
struct vg_listen_piece {
    const char *data; /* whole lines */
    size_t len;
    const char *source; /* "unix:PATH#N" */
    unsigned conn;
    uint64_t first; /* line number of data's first line in its connection */
};
struct vg_listen_batch {
    struct vg_listen_piece *v;
    size_t n;
    char **mem; /* what the pieces point to that is not the items' (nmem of them) */
    size_t nmem;
};
/* Cuts the items into pieces (they point into the items, which must outlive b). 0 or
 * VG_ENOMEM; free b with vg_listen_batch_cleanup either way. */
int vg_listen_batch_make(const struct vg_listen *l, const struct vg_listen_item *items,
                         struct vg_listen_batch *b);
void vg_listen_batch_cleanup(struct vg_listen_batch *b);

/* The counts so far in total. */
struct vg_listen_counts vg_listen_counts(struct vg_listen *l);
/* The counts of the connections, numbered from 1: *n of them in *out (free it). 0 or
 * VG_ENOMEM. */
int vg_listen_connection_counts(struct vg_listen *l, struct vg_listen_counts **out, size_t *n);
/* The socket's path as given. */
const char *vg_listen_path(const struct vg_listen *l);

#endif
