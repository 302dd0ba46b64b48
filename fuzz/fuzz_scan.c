/* libFuzzer target of the block-by-block log reader (src/match/scan.c): the same input is
 * scanned three ways and every way must give the same hits (line, indicator, value, field),
 * the same skipped lines (line and message) and the same counts:
 *  - in memory, in one block (vg_match_scan_mem);
 *  - from a pipe, as `vigie match -` reads stdin (scan_stream): written in chunks of fuzzed
 *    sizes, and the block is fuzzed from its smallest (VG_MAX_LINE + 1, 4 KiB
 *    in the fuzz build, see util/limits.h) up, so lines cross block boundaries, lines longer
 *    than a block are skipped, and the last line may lack its newline;
 *  - from a regular file (a memfd, mapped), with a small fuzzed block.
 * Input: byte 0 the format (even: EVE, odd: text), byte 1 the block size, byte 2 the seed of
 * the chunk sizes, the rest the log. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "match/match.h"
#include "util/buf.h"

static struct vg_match_index *idx;

/* What one scan gave, written as text so that two scans compare with memcmp. */
struct result {
    struct vg_buf out;
    struct vg_match_stats st;
    int rc;
};

static int on_hit(void *ctx, const struct vg_match_hit *h)
{
    struct result *r = ctx;
    vg_buf_printf(&r->out, "hit %llu %u %zu:", (unsigned long long)h->line, (unsigned)h->rec,
                  h->value.len);
    vg_buf_append(&r->out, h->value.ptr, h->value.len);
    vg_buf_printf(&r->out, " %zu:", h->field.len);
    vg_buf_append(&r->out, h->field.ptr, h->field.len);
    vg_buf_append(&r->out, "\n", 1);
    return 0;
}

static void on_bad(void *ctx, uint64_t line, const char *msg)
{
    struct result *r = ctx;
    vg_buf_printf(&r->out, "bad %llu %s\n", (unsigned long long)line, msg);
}

static void result_init(struct result *r)
{
    vg_buf_init(&r->out, 64u << 20);
    memset(&r->st, 0, sizeof r->st);
    r->rc = 0;
}

static void same(const char *how, const struct result *a, const struct result *b)
{
    if (a->rc == b->rc && a->out.len == b->out.len &&
        memcmp(a->out.data ? a->out.data : "", b->out.data ? b->out.data : "", a->out.len) == 0 &&
        a->st.lines == b->st.lines && a->st.events == b->st.events && a->st.bytes == b->st.bytes &&
        a->st.hits == b->st.hits && a->st.malformed == b->st.malformed &&
        a->st.dropped == b->st.dropped)
        return;
    fprintf(stderr,
            "%s differs from one block: rc %d/%d lines %llu/%llu events %llu/%llu bytes "
            "%llu/%llu hits %llu/%llu malformed %llu/%llu\n--- one block:\n%.*s--- %s:\n%.*s",
            how, a->rc, b->rc, (unsigned long long)a->st.lines, (unsigned long long)b->st.lines,
            (unsigned long long)a->st.events, (unsigned long long)b->st.events,
            (unsigned long long)a->st.bytes, (unsigned long long)b->st.bytes,
            (unsigned long long)a->st.hits, (unsigned long long)b->st.hits,
            (unsigned long long)a->st.malformed, (unsigned long long)b->st.malformed,
            (int)a->out.len, a->out.data ? a->out.data : "", how, (int)b->out.len,
            b->out.data ? b->out.data : "");
    abort();
}

struct writer {
    int fd;
    const char *p;
    size_t len;
    unsigned seed;
};

/* Sends the log in chunks of 1 to 4096 bytes, as a producer on the other side of a pipe. */
static void *write_chunks(void *arg)
{
    struct writer *w = arg;
    size_t off = 0;
    unsigned x = w->seed * 2654435761u + 1;
    while (off < w->len) {
        x = x * 1103515245u + 12345u;
        size_t n = 1 + (x >> 8) % ((x & 7) ? 4096 : 64);
        if (n > w->len - off)
            n = w->len - off;
        ssize_t k = write(w->fd, w->p + off, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break; /* the reader stopped (EPIPE) */
        off += (size_t)k;
    }
    close(w->fd);
    return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!idx) {
        static const char iocs[] =
            "domain-name evil.example\nipv4-addr 10.0.0.0/8\nipv4-addr 192.0.2.7\n"
            "ipv6-addr 2001:db8::/32\nurl http://evil.example/x\nemail-addr a@b.example\n"
            "md5 d41d8cd98f00b204e9800998ecf8427e\n"
            "sha1 da39a3ee5e6b4b0d3255bfef95601890afd80709\n";
        idx = vg_match_index_new();
        vg_match_iocs_load(idx, iocs, sizeof iocs - 1, true, NULL, NULL, NULL, NULL);
        vg_match_index_freeze(idx);
        signal(SIGPIPE, SIG_IGN);
    }
    if (size < 3)
        return 0;
    enum vg_match_format fmt = data[0] & 1 ? VG_MATCH_FORMAT_TEXT : VG_MATCH_FORMAT_EVE;
    size_t stream_block = VG_MAX_LINE + 1 + (size_t)data[1] * 61;
    size_t map_block = 1 + (size_t)data[1];
    unsigned seed = data[2];
    const char *log = (const char *)data + 3;
    size_t len = size - 3;
    struct vg_match_scan_opts o = {fmt, 1, 0};

    struct result one, pipe_r, file_r;
    result_init(&one);
    struct vg_match_sink sink = {on_hit, on_bad, &one};
    one.rc = vg_match_scan_mem(idx, &o, log, len, &sink, &one.st, NULL);

    /* From a pipe, in blocks. The pipe is made large enough to take the whole log first when it
     * can (no thread to wait for: the fuzzer runs many times faster); else a writer thread
     * sends it while the scanner reads. */
    result_init(&pipe_r);
    int fds[2];
    if (pipe(fds) != 0)
        abort();
    struct writer w = {fds[1], log, len, seed};
    pthread_t t;
    bool threaded = fcntl(fds[1], F_SETPIPE_SZ, 1 << 20) < 0 || len > (1 << 20);
    if (threaded) {
        if (pthread_create(&t, NULL, write_chunks, &w) != 0)
            abort();
    } else {
        write_chunks(&w);
    }
    o.block = stream_block;
    sink.ctx = &pipe_r;
    pipe_r.rc = vg_match_scan_fd(idx, &o, fds[0], &sink, &pipe_r.st, NULL);
    close(fds[0]);
    if (threaded)
        pthread_join(t, NULL);
    same("pipe", &one, &pipe_r);

    /* From a regular file, mapped, in small blocks. */
    result_init(&file_r);
    int fd = memfd_create("fuzz_scan", 0);
    if (fd < 0)
        abort();
    for (size_t off = 0; off < len;) {
        ssize_t k = write(fd, log + off, len - off);
        if (k <= 0)
            abort();
        off += (size_t)k;
    }
    o.block = map_block;
    sink.ctx = &file_r;
    file_r.rc = vg_match_scan_fd(idx, &o, fd, &sink, &file_r.st, NULL);
    close(fd);
    same("mapped file", &one, &file_r);

    vg_buf_cleanup(&one.out);
    vg_buf_cleanup(&pipe_r.out);
    vg_buf_cleanup(&file_r.out);
    return 0;
}
