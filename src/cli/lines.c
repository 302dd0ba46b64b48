/* Files read a block of whole lines at a time (vg_cli_read_lines), for the indicator files of
 * `vigie match` and `vigie ioc import`: memory holds one block, not the file, and a line too
 * long for a block is reported once and skipped rather than grown into. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "util/mem.h"

int vg_cli_read_lines(const char *path, size_t block, vg_cli_lines_fn fn, vg_cli_long_fn long_fn,
                      void *ctx)
{
    bool is_stdin = strcmp(path, "-") == 0;
    int fd = is_stdin ? 0 : open(path, O_RDONLY);
    if (fd < 0)
        return 1;
    char *buf = vg_malloc(block);
    if (!buf) {
        if (!is_stdin)
            close(fd);
        errno = ENOMEM;
        return 1;
    }
    size_t have = 0;
    bool skipping = false; /* inside a line longer than the block, up to its newline */
    int rc = 0;
    for (;;) {
        ssize_t n = read(fd, buf + have, block - have);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = 1;
            break;
        }
        bool eof = n == 0;
        if (skipping && n > 0) {
            char *nl = memchr(buf + have, '\n', (size_t)n);
            if (!nl)
                continue; /* have is 0 while skipping: the block is reused */
            size_t rest = (size_t)(buf + have + n - (nl + 1));
            memmove(buf + have, nl + 1, rest);
            n = (ssize_t)rest;
            skipping = false;
        }
        size_t fresh = have; /* the bytes kept from before hold no newline: only the new ones
                                are searched, so that a long line costs no more than a short */
        have += (size_t)n;
        size_t upto = have;
        if (!eof) {
            char *nl = memrchr(buf + fresh, '\n', have - fresh);
            upto = nl ? (size_t)(nl + 1 - buf) : 0;
        }
        if (upto && (rc = fn(ctx, buf, upto)) != 0)
            break;
        memmove(buf, buf + upto, have - upto);
        have -= upto;
        if (eof)
            break;
        if (have == block) { /* a whole block without a newline */
            if ((rc = long_fn(ctx)) != 0)
                break;
            skipping = true;
            have = 0;
        }
    }
    int saved = errno;
    free(buf);
    if (!is_stdin)
        close(fd);
    errno = saved;
    return rc;
}
