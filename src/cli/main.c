/* vigie's entry point: dispatches `vigie <command> [options]` to the command table. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "cli/commands.h"
#include "store/store.h"
#include "util/shown.h"
#include "util/mem.h"

#ifdef VG_JEMALLOC
#include <jemalloc/jemalloc.h>

/* jemalloc's settings for every command (read by jemalloc when it starts): give freed pages
 * back at once. Its default keeps them for seconds, which raised `vigie match`'s peak memory
 * by a quarter; `vigie serve` restores a delay (vg_cli_malloc_for_server), without which
 * the server spent its time in madvise. Its extents may use transparent huge pages, but
 * thp_off below turns them off for the process until a command asks for them (vg_cli_malloc_bulk):
 * with them, `vigie match`'s index took 74 bytes per indicator instead of 60. */
const char *malloc_conf = "dirty_decay_ms:0,muzzy_decay_ms:0,thp:always";
#endif

/* Huge pages off from the very start: the libraries' constructors allocate before main(), and
 * jemalloc's first extents, made huge by thp:always, then held 6 MB of resident memory that
 * no command used (vigie --version: 20.2 MB -> 14.4 MB). An executable's preinit functions
 * run before any library's constructor. */
static void thp_off(int argc, char **argv, char **envp)
{
    (void)argc, (void)argv, (void)envp;
    prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
}
__attribute__((section(".preinit_array"), used)) static void (*const vg_preinit)(int, char **,
                                                                                 char **) = thp_off;

/* Sets how long freed pages stay in the process: ms, or -1 for ever. */
static void malloc_decay(ssize_t ms)
{
#ifdef VG_JEMALLOC
    unsigned n = 0;
    size_t sz = sizeof n;
    /* arenas made from now on, then each existing one (an arena not in use yet refuses) */
    mallctl("arenas.dirty_decay_ms", NULL, NULL, &ms, sizeof ms);
    mallctl("arenas.muzzy_decay_ms", NULL, NULL, &ms, sizeof ms);
    mallctl("arenas.narenas", &n, &sz, NULL, 0);
    for (unsigned i = 0; i < n; i++) {
        char name[64];
        snprintf(name, sizeof name, "arena.%u.dirty_decay_ms", i);
        mallctl(name, NULL, NULL, &ms, sizeof ms);
        snprintf(name, sizeof name, "arena.%u.muzzy_decay_ms", i);
        mallctl(name, NULL, NULL, &ms, sizeof ms);
    }
#else
    (void)ms;
#endif
}

void vg_cli_malloc_for_server(void)
{
    malloc_decay(10000); /* jemalloc's own default */
}

void vg_cli_malloc_bulk(bool huge_pages)
{
    /* keeping freed pages for ever made an import of 125 files grow to 2.3 GB: 1 s is
     * enough to reuse them from one file to the next */
    malloc_decay(huge_pages ? -1 : 1000);
    if (huge_pages)
        prctl(PR_SET_THP_DISABLE, 0, 0, 0, 0);
}

const struct vg_command *const vg_commands[] = {
    &vg_cmd_init, &vg_cmd_serve, &vg_cmd_token,   &vg_cmd_match,   &vg_cmd_ioc,   &vg_cmd_vuln,
    &vg_cmd_cpe,  &vg_cmd_help,  &vg_cmd_version, &vg_cmd_partner, &vg_cmd_share, &vg_cmd_advisory,
    &vg_cmd_csaf, &vg_cmd_mail,  &vg_cmd_config,  &vg_cmd_crisis,  &vg_cmd_db,    NULL,
};

const char *vg_cli_db_path(const char *opt)
{
    if (opt && *opt)
        return opt;
    const char *env = getenv("VIGIE_DB");
    if (env && *env)
        return env;
    return "./var/vigie.db";
}

int vg_cli_read_file(const char *path, char **data, size_t *len)
{
    bool is_stdin = strcmp(path, "-") == 0;
    int fd = is_stdin ? 0 : open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    size_t cap = 1 << 16, have = 0;
    char *buf = vg_malloc(cap);
    int rc = 0;
    for (;;) {
        if (!buf) {
            errno = ENOMEM;
            rc = -1;
            break;
        }
        if (have + 1 >= cap) {
            char *nb = cap < ((size_t)1 << 40) ? vg_realloc(buf, cap * 2) : NULL;
            if (!nb) {
                free(buf);
                buf = NULL;
                continue;
            }
            buf = nb;
            cap *= 2;
        }
        ssize_t n = read(fd, buf + have, cap - 1 - have);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = -1;
            break;
        }
        if (n == 0)
            break;
        have += (size_t)n;
    }
    int saved = errno;
    if (!is_stdin)
        close(fd);
    if (rc) {
        free(buf);
        errno = saved;
        return -1;
    }
    buf[have] = '\0';
    *data = buf;
    *len = have;
    return 0;
}

int vg_cli_usage(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "vigie %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\nsee: vigie help %s\n", cmd);
    va_end(ap);
    return VG_EXIT_USAGE;
}

int vg_cli_db_only(const char *cmd, int argc, char **argv, const char **db, int *first)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'}, {NULL, 0, NULL, 0}};
    int c;
    *db = NULL;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c != 'd')
            return vg_cli_usage(cmd, "unknown option");
        *db = optarg;
    }
    *first = optind;
    return 0;
}

struct vg_store *vg_cli_store_open(const char *cmd, const char *db)
{
    struct vg_diag d;
    struct vg_shown sm;
    vg_diag_clear(&d);
    struct vg_store *st = vg_store_open(vg_cli_db_path(db), NULL, &d);
    if (!st)
        fprintf(stderr, "vigie %s: %s\n", cmd, vg_shown_msg(d.message, &sm));
    return st;
}

int vg_cli_fail(const char *cmd, const struct vg_diag *d)
{
    struct vg_shown sm;
    fprintf(stderr, "vigie %s: %s\n", cmd, vg_shown_msg(d->message, &sm));
    return VG_EXIT_FAIL;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        vg_cmd_help.run(1, (char *[]){"help", NULL});
        return VG_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0)
        name = "help";
    if (strcmp(name, "--version") == 0)
        name = "version";
    for (size_t i = 0; vg_commands[i]; i++)
        if (strcmp(vg_commands[i]->name, name) == 0)
            return vg_commands[i]->run(argc - 1, argv + 1);
    struct vg_shown sa;
    fprintf(stderr, "vigie: unknown command '%s'; see: vigie help\n",
            vg_shown(vg_str_c(argv[1]), 0, &sa));
    return VG_EXIT_USAGE;
}
