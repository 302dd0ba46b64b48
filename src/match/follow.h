/* Following growing logs (`vigie match --follow`, issue 17): a file followed by its descriptor
 * as `tail -F` does (appends, rotation by rename and a new file, copy-truncate, a file that does
 * not exist yet), its whole lines handed to the caller; and the state file that lets a restart
 * go on where the last run stopped. */
#ifndef VG_MATCH_FOLLOW_H
#define VG_MATCH_FOLLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/err.h"
#include "util/limits.h"

/* Where one followed file stands: its identity and what of it was delivered. */
struct vg_follow_pos {
    char *path;      /* as named on the command line */
    uint64_t dev;    /* the file's device and inode (0 and 0: never opened) */
    uint64_t ino;    /* (st_dev, st_ino) */
    uint64_t offset; /* bytes of the whole lines delivered (the next line starts there) */
    uint64_t line;   /* lines before offset */
};

/* What happened to a followed file, told to vg_follow_ops.note. */
enum vg_follow_note {
    VG_FOLLOW_OPENED,      /* the file appeared (or was there) and is read from its start */
    VG_FOLLOW_RESUMED,     /* the file of the state was found again, read from its offset */
    VG_FOLLOW_ROTATED,     /* the path names another file: the old one was read to its end */
    VG_FOLLOW_TRUNCATED,   /* the file is shorter than its offset: read again from 0 */
    VG_FOLLOW_LONG_LINE,   /* line `line` is longer than VG_MAX_LINE: skipped up to its newline */
    VG_FOLLOW_CANNOT_OPEN, /* the path exists but cannot be opened (err: errno); retried */
    VG_FOLLOW_MOVED,       /* the file of the state, no longer at the path, was found renamed in its
                            * folder: followed to its end, then the file at the path */
};

/* One followed file. */
struct vg_follow_file {
    struct vg_follow_pos pos; /* pos.path is the caller's (not freed here) */
    int fd;                   /* the file followed, -1 while it does not exist */
    bool resume;              /* pos came from a state: checked at the first open */
    bool skipping;            /* inside a line longer than VG_MAX_LINE */
    int open_err;             /* the last open error noted (each error is noted once) */
    uint64_t size_seen;       /* the file's size at the end of the last poll (UINT64_MAX:
                               * none yet): a file still growing is not left for a new one */
};

/* What vg_follow_poll calls. */
struct vg_follow_ops {
    /* Whole lines data[0..len) of f's file, the first being line `first` (from 1); the last
     * lacks its newline only at the end of a file rotated away. f->pos still points before
     * them; it moves past them when this returns 0. Non-zero stops the poll (returned). */
    int (*lines)(void *ctx, struct vg_follow_file *f, const char *data, size_t len, uint64_t first);
    /* Told what happened to f (may be NULL); line is set for VG_FOLLOW_LONG_LINE, err for
     * VG_FOLLOW_CANNOT_OPEN. */
    void (*note)(void *ctx, const struct vg_follow_file *f, enum vg_follow_note what, uint64_t line,
                 int err);
    void *ctx;
    size_t max_lines; /* lines given per call of `lines`, at most (0: no limit) */
};

/* The smallest buffer vg_follow_poll accepts: any line not longer than VG_MAX_LINE fits in it
 * with its newline. */
#define VG_FOLLOW_MIN_BUF ((size_t)VG_MAX_LINE + 2)

/* Starts following path (kept by pointer: it must outlive f). from (may be NULL) is where a
 * previous run stopped: when the path still names that file (same device and inode) and it is
 * not shorter than from->offset, reading goes on there, its lines numbered on from
 * from->line. When the path names another file (or none), the file of from is looked for
 * in the path's folder under another name (rotated meanwhile): found, it is read on from its
 * offset to its end first. Else the file at the path is read from its start. Nothing is opened
 * before the first poll. */
void vg_follow_init(struct vg_follow_file *f, const char *path, const struct vg_follow_pos *from);
/* Closes the file. */
void vg_follow_cleanup(struct vg_follow_file *f);
/* Opens the file if it was not open, gives ops->lines all the whole lines it holds past
 * f->pos, then checks the path: a new file there (rotation) makes the old one read to its end
 * (a last line without newline included) once it did not grow between two polls (its writer
 * has reopened), and the new one read from its start; a file shorter
 * than the offset (truncated) is read again from its start. A partial last line waits for its
 * newline. buf (cap >= VG_FOLLOW_MIN_BUF bytes) is scratch space. Returns 0, VG_EIO (a read or
 * stat failed; d names the path) or ops->lines's non-zero value. */
int vg_follow_poll(struct vg_follow_file *f, char *buf, size_t cap, const struct vg_follow_ops *ops,
                   struct vg_diag *d);

/* Reads a state file written by vg_follow_state_write: *out gets *n positions (free them with
 * vg_follow_state_free). A file that does not exist is an empty state. Returns 0, VG_EIO
 * (cannot read it: d says why) or VG_EINVAL (not JSON, or a field missing or of the wrong
 * kind: d's message says what and where, its field holds the place, as "files[2].offset";
 * d->line is set for a JSON syntax error). */
int vg_follow_state_read(const char *path, struct vg_follow_pos **out, size_t *n,
                         struct vg_diag *d);
/* The same from the text of a state file (len bytes at text): as vg_follow_state_read. */
int vg_follow_state_parse(const char *text, size_t len, struct vg_follow_pos **out, size_t *n,
                          struct vg_diag *d);
/* Appends the state file's text of the n positions to b (vg_follow_state_write writes it). */
void vg_follow_state_format(const struct vg_follow_pos *pos, size_t n, struct vg_buf *b);
/* Writes the n positions to path atomically: a temporary file beside it, written and synced,
 * renamed over path, and the directory synced. 0 or VG_EIO (d says why). */
int vg_follow_state_write(const char *path, const struct vg_follow_pos *pos, size_t n,
                          struct vg_diag *d);
void vg_follow_state_free(struct vg_follow_pos *pos, size_t n);

#endif
