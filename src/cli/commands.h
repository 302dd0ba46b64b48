/* The command table of the vigie CLI: each cmd_<verb>.c defines one struct vg_command. */
#ifndef VG_CLI_COMMANDS_H
#define VG_CLI_COMMANDS_H

#include <stdbool.h>
#include <stddef.h>

struct vg_store;
struct vg_diag;

struct vg_command {
    const char *name;                  /* first word on the command line */
    const char *summary;               /* one line, shown by `vigie help` */
    const char *help;                  /* full text, shown by `vigie help NAME` */
    int (*run)(int argc, char **argv); /* argv[0] is the command name; returns the exit code */
};

/* Exit codes of every command. */
enum { VG_EXIT_OK = 0, VG_EXIT_FAIL = 1, VG_EXIT_USAGE = 2 };

/* The --db value: the option if given, else $VIGIE_DB, else ./var/vigie.db. */
const char *vg_cli_db_path(const char *opt);
/* Reads all of path ("-": standard input) into a new buffer (*data, NUL-terminated, free it);
 * 0, or -1 with errno set. */
int vg_cli_read_file(const char *path, char **data, size_t *len);
/* Given whole lines data[0..len) (the last one may lack its newline at the end of the file);
 * a negative VG_E* stops the reading. */
typedef int (*vg_cli_lines_fn)(void *ctx, const char *data, size_t len);
/* Told of a line longer than the block, once, before its bytes are skipped up to its newline
 * (or the end of the file); a negative VG_E* stops the reading. */
typedef int (*vg_cli_long_fn)(void *ctx);
/* Reads path ("-": standard input; a pipe or FIFO as well as a file) a block of `block` bytes
 * at a time and gives fn its whole lines: memory holds one block whatever the size of the
 * input or of its lines. 0, fn's or long_fn's negative value, or 1 with errno set (cannot
 * open or read, out of memory). */
int vg_cli_read_lines(const char *path, size_t block, vg_cli_lines_fn fn, vg_cli_long_fn long_fn,
                      void *ctx);
/* Sets the allocator up for a long-running server (see malloc_conf in main.c): freed pages
 * are kept a few seconds before they go back to the system. Does nothing without jemalloc. */
void vg_cli_malloc_for_server(void);
/* Sets the allocator up for a batch command: freed pages are kept a second (`vigie vuln
 * import`: 2.0 -> 1.0 s for 8 NVD pages, jansson allocates and frees much per file) or,
 * with huge_pages, until exit, in transparent huge pages (`vigie vuln match`, which
 * builds hundreds of megabytes: a full re-match of the bench set 6.5 -> 3.6 s, 9 % more
 * peak memory; small commands pay for zeroing whole huge pages instead). */
void vg_cli_malloc_bulk(bool huge_pages);
/* Prints "vigie NAME: usage error: MSG" and a pointer to help; returns VG_EXIT_USAGE. */
int vg_cli_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Reads the options of a command that takes only --db PATH: *db = its value (NULL if absent),
 * *first = the index of the first operand. 0, or vg_cli_usage's exit code ("unknown option"). */
int vg_cli_db_only(const char *cmd, int argc, char **argv, const char **db, int *first);
/* Opens the database of --db (db may be NULL: vg_cli_db_path's default) with the default store
 * options; on failure prints "vigie CMD: MSG" and returns NULL. */
struct vg_store *vg_cli_store_open(const char *cmd, const char *db);
/* Prints "vigie CMD: MSG" of d (shown safely) and returns VG_EXIT_FAIL. */
int vg_cli_fail(const char *cmd, const struct vg_diag *d);

extern const struct vg_command vg_cmd_help;
extern const struct vg_command vg_cmd_version;
extern const struct vg_command vg_cmd_init;
extern const struct vg_command vg_cmd_serve;
extern const struct vg_command vg_cmd_token;
extern const struct vg_command vg_cmd_cpe;
extern const struct vg_command vg_cmd_match;
extern const struct vg_command vg_cmd_ioc;
extern const struct vg_command vg_cmd_vuln;
extern const struct vg_command vg_cmd_share;

/* `vigie share pull` (cli/cmd_pull.c), dispatched by `vigie share` (cli/cmd_share.c): argv[0]
 * is "pull"; returns the exit code. Its help text, for `vigie help share`. */
int cmd_share_pull(int argc, char **argv);
extern const char vg_cmd_share_pull_help[];
extern const struct vg_command vg_cmd_partner;
extern const struct vg_command vg_cmd_csaf;

/* `vigie advisory` (cli/cmd_advisory.c, issue 13). */
extern const struct vg_command vg_cmd_advisory;
/* `vigie mail` (cli/cmd_mail.c, issue 15) */
extern const struct vg_command vg_cmd_mail;
/* `vigie config` (cli/cmd_config.c, issue 15) */
extern const struct vg_command vg_cmd_config;
/* `vigie crisis` (cli/cmd_crisis.c, issue 15) */
extern const struct vg_command vg_cmd_crisis;
/* `vigie db` (cli/cmd_db.c, issue 16) */
extern const struct vg_command vg_cmd_db;
/* `vigie mail notify` (cli/cmd_mail_notify.c) */
int vg_cli_mail_notify(int argc, char **argv);

/* NULL-terminated list of every command, in help order. */
extern const struct vg_command *const vg_commands[];

#endif
