/* Following growing logs: each file is read by its descriptor from the offset of its first line
 * not delivered yet (pread, so the offset is all the state there is), and its path is checked
 * after each read to see a rotation or a truncation; the state file keeps these offsets across
 * runs. */
#include "match/follow.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/json.h"
#include "util/mem.h"
#include "util/str.h"

#define STATE_MAX (64u << 20) /* bytes of a state file, at most */

void vg_follow_init(struct vg_follow_file *f, const char *path, const struct vg_follow_pos *from)
{
    memset(f, 0, sizeof *f);
    f->pos.path = (char *)path;
    f->fd = -1;
    f->size_seen = UINT64_MAX;
    if (from) {
        f->pos.dev = from->dev;
        f->pos.ino = from->ino;
        f->pos.offset = from->offset;
        f->pos.line = from->line;
        f->resume = true;
    }
}

void vg_follow_cleanup(struct vg_follow_file *f)
{
    if (f->fd >= 0)
        close(f->fd);
    f->fd = -1;
}

static void note(const struct vg_follow_ops *ops, const struct vg_follow_file *f,
                 enum vg_follow_note what, uint64_t line, int err)
{
    if (ops->note)
        ops->note(ops->ctx, f, what, line, err);
}

static void restart(struct vg_follow_file *f)
{
    f->pos.offset = 0;
    f->pos.line = 0;
    f->skipping = false;
}

/* The folder of path into dir (PATH_MAX bytes). */
static void dir_of(const char *path, char *dir)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, PATH_MAX, ".");
    else if (slash == path)
        snprintf(dir, PATH_MAX, "/");
    else
        snprintf(dir, PATH_MAX, "%.*s", (int)(slash - path), path);
}

/* The file of f's saved position, opened, when it is still in the path's folder under another
 * name (rotated while no one followed it); else -1. */
static int open_moved(const struct vg_follow_file *f)
{
    char dir[PATH_MAX];
    dir_of(f->pos.path, dir);
    DIR *dp = opendir(dir);
    if (!dp)
        return -1;
    int fd = -1;
    const struct dirent *e;
    while (fd < 0 && (e = readdir(dp)) != NULL) {
        struct stat s;
        if (fstatat(dirfd(dp), e->d_name, &s, 0) == 0 && S_ISREG(s.st_mode) &&
            (uint64_t)s.st_dev == f->pos.dev && (uint64_t)s.st_ino == f->pos.ino)
            fd = openat(dirfd(dp), e->d_name, O_RDONLY | O_CLOEXEC);
    }
    closedir(dp);
    return fd;
}

/* Whether fd is the file of f's saved position. */
static bool is_saved(const struct vg_follow_file *f, int fd)
{
    struct stat s;
    return fstat(fd, &s) == 0 && f->pos.dev == (uint64_t)s.st_dev &&
           f->pos.ino == (uint64_t)s.st_ino;
}

/* Opens the path if it names a file now; f->fd stays -1 when it does not. On the first open
 * after a restart, when the path no longer names the file of the saved position, that file is
 * looked for in the path's folder: found (rotated while no one followed it), it is followed
 * instead, so that its end is read before the new file (the next poll sees the rotation).
 * 0 or VG_EIO. */
static int open_file(struct vg_follow_file *f, const struct vg_follow_ops *ops, struct vg_diag *d)
{
    int fd = open(f->pos.path, O_RDONLY | O_CLOEXEC);
    int err = errno;
    if (f->resume && (fd < 0 || !is_saved(f, fd))) {
        int moved = open_moved(f);
        if (moved >= 0) {
            if (fd >= 0)
                close(fd);
            fd = moved;
            note(ops, f, VG_FOLLOW_MOVED, 0, 0);
        }
    }
    if (fd < 0) {
        if (err != ENOENT && err != f->open_err)
            note(ops, f, VG_FOLLOW_CANNOT_OPEN, 0, err);
        f->open_err = err;
        return 0;
    }
    f->open_err = 0;
    struct stat s;
    if (fstat(fd, &s) != 0) {
        int e = errno;
        close(fd);
        return vg_diag_set(d, VG_EIO, "", "%s: %s", f->pos.path, strerror(e));
    }
    bool same = f->resume && f->pos.dev == (uint64_t)s.st_dev && f->pos.ino == (uint64_t)s.st_ino;
    if (same && (uint64_t)s.st_size >= f->pos.offset) {
        note(ops, f, VG_FOLLOW_RESUMED, 0, 0);
    } else {
        restart(f);
        note(ops, f, same ? VG_FOLLOW_TRUNCATED : VG_FOLLOW_OPENED, 0, 0);
    }
    f->resume = false;
    f->fd = fd;
    f->pos.dev = (uint64_t)s.st_dev;
    f->pos.ino = (uint64_t)s.st_ino;
    return 0;
}

/* Bytes of data[0..len) up to the end of its last whole line, or of its max_lines-th line when
 * max_lines is not 0; *lines gets their number. 0 when data holds no newline. */
static size_t whole_lines(const char *data, size_t len, size_t max_lines, uint64_t *lines)
{
    size_t cut = 0;
    uint64_t n = 0;
    while (cut < len && (!max_lines || n < max_lines)) {
        const char *nl = memchr(data + cut, '\n', len - cut);
        if (!nl)
            break;
        cut = (size_t)(nl - data) + 1;
        n++;
    }
    *lines = n;
    return cut;
}

/* Gives ops->lines what the file holds past f->pos; at_end: the file will not grow any more
 * (rotated away), so a last line without newline is given too. 0, VG_EIO or lines' value. */
static int drain(struct vg_follow_file *f, char *buf, size_t cap, const struct vg_follow_ops *ops,
                 bool at_end, struct vg_diag *d)
{
    for (;;) {
        ssize_t got = pread(f->fd, buf, cap, (off_t)f->pos.offset);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return vg_diag_set(d, VG_EIO, "", "%s: %s", f->pos.path, strerror(errno));
        if (got == 0)
            return 0;
        size_t len = (size_t)got;
        if (f->skipping) { /* the rest of a line longer than VG_MAX_LINE */
            const char *nl = memchr(buf, '\n', len);
            f->pos.offset += nl ? (uint64_t)(nl - buf) + 1 : len;
            if (nl || (at_end && len < cap)) {
                f->pos.line++;
                f->skipping = false;
            }
            continue;
        }
        uint64_t lines;
        size_t cut = whole_lines(buf, len, ops->max_lines, &lines);
        if (cut == 0) {
            if (len == cap) { /* no newline in cap bytes: longer than VG_MAX_LINE */
                note(ops, f, VG_FOLLOW_LONG_LINE, f->pos.line + 1, 0);
                f->pos.offset += len;
                f->skipping = true;
                continue;
            }
            if (!at_end)
                return 0; /* a partial line waits for its newline */
            cut = len;
            lines = 1;
        }
        int r = ops->lines(ops->ctx, f, buf, cut, f->pos.line + 1);
        if (r)
            return r;
        f->pos.offset += cut;
        f->pos.line += lines;
    }
}

int vg_follow_poll(struct vg_follow_file *f, char *buf, size_t cap, const struct vg_follow_ops *ops,
                   struct vg_diag *d)
{
    if (cap < VG_FOLLOW_MIN_BUF)
        return vg_diag_set(d, VG_EINVAL, "", "follow buffer of %zu bytes, too small", cap);
    if (f->fd < 0) {
        int r = open_file(f, ops, d);
        if (r || f->fd < 0)
            return r;
    }
    struct stat fs, ps;
    if (fstat(f->fd, &fs) != 0)
        return vg_diag_set(d, VG_EIO, "", "%s: %s", f->pos.path, strerror(errno));
    if (S_ISREG(fs.st_mode) && (uint64_t)fs.st_size < f->pos.offset) {
        restart(f); /* copy-truncate */
        note(ops, f, VG_FOLLOW_TRUNCATED, 0, 0);
    }
    int r = drain(f, buf, cap, ops, false, d);
    if (r)
        return r;
    /* Whether the file grew since the last poll: a writer not yet reopened after a rotation
     * still appends to it (logrotate renames, creates the new file, then signals the writer). */
    uint64_t size = fstat(f->fd, &fs) == 0 ? (uint64_t)fs.st_size : UINT64_MAX;
    bool grew = size != f->size_seen;
    f->size_seen = size;
    /* The path gone (renamed, its successor not there yet): the old file may still grow. */
    if (stat(f->pos.path, &ps) != 0 || (ps.st_dev == fs.st_dev && ps.st_ino == fs.st_ino))
        return 0;
    /* Rotated: the old file is followed while it grows (its writer has not reopened yet: what
     * it writes is not lost); once it stopped growing between two polls, its end (a last line
     * without newline included), then the new file from its start. */
    if (grew)
        return 0;
    r = drain(f, buf, cap, ops, true, d);
    if (r)
        return r;
    close(f->fd);
    f->fd = -1;
    f->size_seen = UINT64_MAX;
    restart(f);
    f->resume = false;
    note(ops, f, VG_FOLLOW_ROTATED, 0, 0);
    r = open_file(f, ops, d);
    if (r || f->fd < 0)
        return r;
    return drain(f, buf, cap, ops, false, d);
}

/* ---- The state file ---- */

void vg_follow_state_free(struct vg_follow_pos *pos, size_t n)
{
    for (size_t i = 0; pos && i < n; i++)
        free(pos[i].path);
    free(pos);
}

/* Reads member key of entry i as a whole number into *out: from 0 to INT64_MAX, or when
 * is_id any 64-bit one (a device or inode number is written as a signed one, bit for bit:
 * overlayfs sets the high bits of inode numbers, which JSON readers take up to INT64_MAX). */
static int read_u64(const json_t *entry, size_t i, const char *key, bool is_id, uint64_t *out,
                    struct vg_diag *d)
{
    char place[64];
    snprintf(place, sizeof place, "files[%zu].%s", i, key);
    const json_t *v = json_object_get(entry, key);
    if (!v)
        return vg_diag_set(d, VG_EINVAL, place, "%s is missing", place);
    if (!json_is_integer(v) || (!is_id && json_integer_value(v) < 0))
        return vg_diag_set(d, VG_EINVAL, place, "%s is not a whole number%s", place,
                           is_id ? "" : " from 0");
    *out = (uint64_t)json_integer_value(v);
    return 0;
}

static int read_entries(const json_t *root, struct vg_follow_pos *pos, size_t *n, struct vg_diag *d)
{
    static const char *const top[] = {"files", NULL};
    static const char *const fields[] = {"path", "dev", "ino", "offset", "line", NULL};
    const json_t *files = json_object_get(root, "files");
    int r = vg_json_check_fields(root, top, "", d);
    if (r)
        return r;
    size_t i;
    const json_t *e;
    json_array_foreach(files, i, e) {
        char place[64];
        snprintf(place, sizeof place, "files[%zu]", i);
        if (!json_is_object(e))
            return vg_diag_set(d, VG_EINVAL, place, "%s is not an object", place);
        if ((r = vg_json_check_fields(e, fields, place, d)) != 0)
            return r;
        const char *path = vg_json_str(e, "path");
        if (!path || !path[0])
            return vg_diag_set(d, VG_EINVAL, place, "%s.path is not a file name", place);
        struct vg_follow_pos *p = &pos[i];
        if ((r = read_u64(e, i, "dev", true, &p->dev, d)) ||
            (r = read_u64(e, i, "ino", true, &p->ino, d)) ||
            (r = read_u64(e, i, "offset", false, &p->offset, d)) ||
            (r = read_u64(e, i, "line", false, &p->line, d)))
            return r;
        if (!(p->path = vg_strdup(path)))
            return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
        *n = i + 1;
    }
    return 0;
}

int vg_follow_state_read(const char *path, struct vg_follow_pos **out, size_t *n, struct vg_diag *d)
{
    *out = NULL;
    *n = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT)
        return 0;
    if (fd < 0)
        return vg_diag_set(d, VG_EIO, "", "cannot open it: %s", strerror(errno));
    struct vg_buf b;
    vg_buf_init(&b, STATE_MAX);
    int rc = 0;
    char chunk[65536];
    for (;;) {
        ssize_t got = read(fd, chunk, sizeof chunk);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            rc = vg_diag_set(d, VG_EIO, "", "cannot read it: %s", strerror(errno));
            goto out;
        }
        if (got == 0)
            break;
        if (vg_buf_append(&b, chunk, (size_t)got) != 0) {
            rc = vg_diag_set(d, VG_EINVAL, "", "longer than %u bytes", STATE_MAX);
            goto out;
        }
    }
    rc = vg_follow_state_parse(b.data ? b.data : "", b.len, out, n, d);
out:
    vg_buf_cleanup(&b);
    close(fd);
    return rc;
}

int vg_follow_state_parse(const char *text, size_t len, struct vg_follow_pos **out, size_t *n,
                          struct vg_diag *d)
{
    *out = NULL;
    *n = 0;
    struct vg_diag jd;
    vg_diag_clear(&jd);
    int rc = 0;
    json_t *root = vg_json_parse(text, len, &jd);
    if (!root && errno == ENOMEM)
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    if (!root) {
        rc = vg_diag_set(d, VG_EINVAL, "", "not JSON: %.200s", jd.message);
        if (d)
            d->line = jd.line;
        return rc;
    }
    const json_t *files = json_object_get(root, "files");
    if (!json_is_object(root) || !json_is_array(files)) {
        rc = vg_diag_set(d, VG_EINVAL, "files", "not a follow state: no array \"files\"");
        goto out;
    }
    if (json_array_size(files) && !(*out = vg_calloc(json_array_size(files), sizeof **out))) {
        rc = vg_diag_set(d, VG_ENOMEM, "", "out of memory");
        goto out;
    }
    rc = read_entries(root, *out, n, d);
    if (rc) {
        vg_follow_state_free(*out, *n);
        *out = NULL;
        *n = 0;
    }
out:
    json_decref(root);
    return rc;
}

/* Writes all of data to fd; 0 or -1 with errno set. */
static int write_all(int fd, const char *data, size_t len)
{
    while (len) {
        ssize_t w = write(fd, data, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -1;
        data += w;
        len -= (size_t)w;
    }
    return 0;
}

/* Syncs the directory holding path, so that a rename in it is durable. */
static int sync_dir(const char *path)
{
    char dir[PATH_MAX];
    dir_of(path, dir);
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int r = fsync(fd);
    close(fd);
    return r;
}

void vg_follow_state_format(const struct vg_follow_pos *pos, size_t n, struct vg_buf *b)
{
    vg_buf_puts(b, "{\"files\":[");
    for (size_t i = 0; i < n; i++) {
        vg_buf_puts(b, i ? ",\n{\"path\":" : "\n{\"path\":");
        vg_buf_put_json(b, vg_str_c(pos[i].path));
        vg_buf_printf(b, ",\"dev\":%lld,\"ino\":%lld,\"offset\":%llu,\"line\":%llu}",
                      (long long)pos[i].dev, (long long)pos[i].ino,
                      (unsigned long long)pos[i].offset, (unsigned long long)pos[i].line);
    }
    vg_buf_puts(b, "]}\n");
}

int vg_follow_state_write(const char *path, const struct vg_follow_pos *pos, size_t n,
                          struct vg_diag *d)
{
    struct vg_buf b;
    vg_buf_init(&b, STATE_MAX);
    vg_follow_state_format(pos, n, &b);
    char tmp[PATH_MAX] = "";
    int rc = 0, fd = -1;
    if (b.failed) {
        rc = vg_diag_set(d, VG_EIO, "", "the state does not fit in %u bytes", STATE_MAX);
        goto out;
    }
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp", path) >= sizeof tmp) {
        tmp[0] = '\0';
        rc = vg_diag_set(d, VG_EIO, "", "file name too long");
        goto out;
    }
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || write_all(fd, b.data, b.len) != 0 || fsync(fd) != 0) {
        rc = vg_diag_set(d, VG_EIO, "", "cannot write %s: %s", tmp, strerror(errno));
        goto out;
    }
    int c = close(fd);
    fd = -1;
    if (c != 0 || rename(tmp, path) != 0 || sync_dir(path) != 0)
        rc = vg_diag_set(d, VG_EIO, "", "cannot replace it by %s: %s", tmp, strerror(errno));
out:
    if (fd >= 0)
        close(fd);
    if (rc && tmp[0])
        (void)unlink(tmp);
    vg_buf_cleanup(&b);
    return rc;
}
