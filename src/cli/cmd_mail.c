/* `vigie mail send|queue`: outbound mail (issue 15) from the command line, through the use
 * cases of app/mail.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/mail.h"
#include "app/mailin.h"
#include "cli/commands.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/mem.h"
#include "util/sort.h"
#include "util/shown.h"
#include "util/str.h"

#define MAX_TO 64 /* --to given at most this many times */

static int run_send(int argc, char **argv)
{
    const char *db;
    int first, u = vg_cli_db_only("mail", argc, argv, &db, &first);
    if (u)
        return u;
    if (first != argc)
        return vg_cli_usage("mail", "send takes no operand");
    struct vg_store *st = vg_cli_store_open("mail", db);
    if (!st)
        return VG_EXIT_FAIL;
    struct vg_mail_config cfg;
    struct vg_diag d;
    vg_diag_clear(&d);
    struct vg_mail_counts n = {0, 0, 0};
    int rc = vg_mail_config_load(st, &cfg, &d);
    if (!rc && !cfg.url[0])
        fprintf(stderr, "vigie mail: no SMTP server configured ($VIGIE_SMTP_URL or `vigie config "
                        "set smtp.url`): the messages wait in the outbox\n");
    else if (!rc)
        rc = vg_mail_send_due(st, &cfg, &n, &d);
    printf("sent %ld retried %ld failed %ld\n", n.sent, n.retried, n.failed);
    vg_store_close(st);
    return rc ? vg_cli_fail("mail", &d) : VG_EXIT_OK;
}

static int run_queue(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"to", required_argument, NULL, 't'},
                                         {"subject", required_argument, NULL, 's'},
                                         {"text", required_argument, NULL, 'x'},
                                         {"html", required_argument, NULL, 'h'},
                                         {"ref", required_argument, NULL, 'r'},
                                         {"kind", required_argument, NULL, 'k'},
                                         {NULL, 0, NULL, 0}};
    const char *db = NULL, *subject = NULL, *text = NULL, *html = NULL, *ref = NULL,
               *kind = "alert";
    json_t *to = json_array();
    int c, rc = VG_EXIT_USAGE;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 's': subject = optarg; break;
        case 'x': text = optarg; break;
        case 'h': html = optarg; break;
        case 'r': ref = optarg; break;
        case 'k': kind = optarg; break;
        case 't':
            if (json_array_size(to) >= MAX_TO) {
                rc = vg_cli_usage("mail", "--to given more than %d times", MAX_TO);
                goto out;
            }
            json_array_append_new(to, json_string(optarg));
            break;
        default: rc = vg_cli_usage("mail", "unknown option"); goto out;
        }
    }
    if (optind != argc || !subject || !text || json_array_size(to) == 0) {
        rc = vg_cli_usage("mail", "queue needs --to, --subject and --text");
        goto out;
    }
    struct vg_mail_config cfg;
    struct vg_store *st = vg_cli_store_open("mail", db);
    if (!st) {
        rc = VG_EXIT_FAIL;
        goto out;
    }
    struct vg_diag d;
    vg_diag_clear(&d);
    long long id;
    rc = vg_mail_config_load(st, &cfg, &d) ||
                 vg_mail_queue(st, &cfg, kind, ref, ref, to, subject, text, html, &id, &d)
             ? vg_cli_fail("mail", &d)
             : (printf("%lld\n", id), VG_EXIT_OK);
    vg_store_close(st);
out:
    json_decref(to);
    return rc;
}

/* ---- mail ingest ---- */

#define EX_DATAERR   65                  /* sysexits.h: the MTA bounces the message */
#define EX_TEMPFAIL  75                  /* sysexits.h: the MTA keeps it and retries */
#define INGEST_MAX   (64L * 1024 * 1024) /* bytes read of one message; more is refused unread */
#define INGEST_BATCH 200                 /* Maildir messages committed together */
#define MAX_FILES    1000000             /* files of one Maildir's new/ read in one run */

/* Reads all of fd, at most max bytes, into *data (free it); 0, or -1 with errno set (EFBIG:
 * longer than max). */
static int read_capped(int fd, long max, char **data, size_t *len)
{
    size_t cap = 1 << 16, have = 0;
    char *buf = vg_malloc(cap);
    for (;;) {
        if (!buf)
            return errno = ENOMEM, -1;
        if (have == cap) {
            if ((long)cap > max) {
                free(buf);
                return errno = EFBIG, -1;
            }
            char *nb = vg_realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                return errno = ENOMEM, -1;
            }
            buf = nb;
            cap *= 2;
        }
        ssize_t n = read(fd, buf + have, cap - have);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            free(buf);
            return errno = e, -1;
        }
        if (n == 0)
            break;
        have += (size_t)n;
    }
    if ((long)have > max) {
        free(buf);
        return errno = EFBIG, -1;
    }
    *data = buf;
    *len = have;
    return 0;
}

/* What a run did, for the summary. */
struct ingest_counts {
    long n, failed;
    long by[7]; /* in the order of outcomes[] */
};

static const char *const outcomes[] = {"report", "reply",       "xarf",     "ineligible",
                                       "queued", "quarantined", "duplicate"};

static void count(struct ingest_counts *c, const char *outcome)
{
    c->n++;
    for (size_t i = 0; i < sizeof outcomes / sizeof outcomes[0]; i++)
        if (!strcmp(outcome, outcomes[i]))
            c->by[i]++;
}

static void summary(const struct ingest_counts *c)
{
    fprintf(stderr, "vigie mail: ingested %ld", c->n);
    for (size_t i = 0; i < sizeof outcomes / sizeof outcomes[0]; i++)
        fprintf(stderr, ", %s %ld", outcomes[i], c->by[i]);
    fprintf(stderr, "; failed %ld\n", c->failed);
}

/* The NDJSON line of one message (file NULL for standard input), appended to out. */
static void line_of(struct vg_buf *out, const char *file, const struct vg_mailin_result *r)
{
    json_t *o = json_object();
    if (file)
        json_object_set_new(o, "file", json_string(file));
    json_object_set_new(o, "outcome", json_string(r->outcome));
    if (r->ref[0])
        json_object_set_new(o, "ref", json_string(r->ref));
    if (r->queue_id)
        json_object_set_new(o, "queue_id", json_integer(r->queue_id));
    if (r->answer_id)
        json_object_set_new(o, "answer_id", json_integer(r->answer_id));
    if (r->first_id)
        json_object_set_new(o, "first_id", json_integer(r->first_id));
    if (r->reason[0])
        json_object_set_new(o, "reason", json_string(r->reason));
    json_object_set_new(o, "inbound_id", json_integer(r->inbound_id));
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
    if (s) {
        vg_buf_puts(out, s);
        vg_buf_putc(out, '\n');
    }
    free(s);
    json_decref(o);
}

static int ingest_stdin(struct vg_store *st, const struct vg_mailin_opts *mo)
{
    char *data = NULL;
    size_t len = 0;
    if (read_capped(0, INGEST_MAX, &data, &len)) {
        int e = errno;
        fprintf(stderr, "vigie mail: cannot read the message on standard input: %s\n",
                e == EFBIG ? "longer than 64 MiB (refused unread)" : strerror(e));
        return e == EFBIG ? EX_DATAERR : EX_TEMPFAIL;
    }
    struct vg_mailin_result r;
    struct vg_diag d;
    vg_diag_clear(&d);
    int rc = vg_mailin_ingest(st, data, len, mo, &r, &d);
    free(data);
    struct ingest_counts c = {0};
    if (rc) {
        c.failed++;
        summary(&c);
        vg_cli_fail("mail", &d);
        return EX_TEMPFAIL;
    }
    struct vg_buf out;
    vg_buf_init(&out, 1 << 20);
    line_of(&out, NULL, &r);
    fputs(out.data ? out.data : "", stdout);
    vg_buf_cleanup(&out);
    fflush(stdout);
    count(&c, r.outcome);
    summary(&c);
    return VG_EXIT_OK;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names of the files of dir (not starting with '.'), sorted; *n of them. NULL with errno
 * on failure. */
static char **list_files(const char *dir, size_t *n)
{
    DIR *dh = opendir(dir);
    if (!dh)
        return NULL;
    size_t cap = 256;
    char **v = vg_malloc(cap * sizeof *v);
    struct dirent *e;
    *n = 0;
    while (v && (e = readdir(dh)) != NULL && *n < MAX_FILES) {
        if (e->d_name[0] == '.')
            continue;
        if (*n == cap) {
            char **nv = vg_realloc(v, 2 * cap * sizeof *v);
            if (!nv)
                break;
            v = nv;
            cap *= 2;
        }
        if (!(v[*n] = vg_strdup(e->d_name)))
            break;
        (*n)++;
    }
    closedir(dh);
    if (v)
        vg_sort(v, *n, sizeof *v, name_cmp);
    return v;
}

/* Moves each of the batch's files from new/ to cur/NAME:2,S (they are committed). */
static int move_batch(const char *maildir, char **names, size_t from, size_t to)
{
    int rc = 0;
    for (size_t i = from; i < to; i++) {
        char src[4096], dst[4096];
        snprintf(src, sizeof src, "%s/new/%s", maildir, names[i]);
        bool has_info = strstr(names[i], ":2,") != NULL;
        snprintf(dst, sizeof dst, "%s/cur/%s%s", maildir, names[i], has_info ? "" : ":2,S");
        if (rename(src, dst)) {
            fprintf(stderr, "vigie mail: stored, but cannot move %s to cur/: %s\n", names[i],
                    strerror(errno));
            rc = -1;
        }
    }
    return rc;
}

static int ingest_maildir(struct vg_store *st, const struct vg_mailin_opts *mo, const char *dir,
                          int batch)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/new", dir);
    size_t n = 0;
    char **names = list_files(path, &n);
    if (!names) {
        fprintf(stderr, "vigie mail: cannot read %s: %s\n", path, strerror(errno));
        return VG_EXIT_FAIL;
    }
    snprintf(path, sizeof path, "%s/cur", dir);
    if (mkdir(path, 0700) && errno != EEXIST) {
        fprintf(stderr, "vigie mail: cannot make %s: %s\n", path, strerror(errno));
        for (size_t i = 0; i < n; i++)
            free(names[i]);
        free(names);
        return VG_EXIT_FAIL;
    }
    struct ingest_counts c = {0};
    struct vg_buf out;
    vg_buf_init(&out, 256L * 1024 * 1024);
    int rc = VG_EXIT_OK;
    size_t start = 0; /* the first file of the batch in progress */
    struct ingest_counts pending = {0};
    vg_store_batch_begin(st);
    for (size_t i = 0; i < n && rc == VG_EXIT_OK; i++) {
        snprintf(path, sizeof path, "%s/new/%s", dir, names[i]);
        int fd = open(path, O_RDONLY | O_NOFOLLOW);
        char *data = NULL;
        size_t len = 0;
        struct stat sb;
        struct vg_diag d;
        int irc = 0;
        if (fd < 0 || fstat(fd, &sb) || !S_ISREG(sb.st_mode) ||
            read_capped(fd, INGEST_MAX, &data, &len)) {
            bool reg = fd >= 0 && S_ISREG(sb.st_mode);
            fprintf(stderr, "vigie mail: %s: skipped, left in new/: %s\n", names[i],
                    fd >= 0 && !reg  ? "not a regular file"
                    : errno == EFBIG ? "longer than 64 MiB"
                                     : strerror(errno));
            c.failed++;
            free(names[i]); /* not moved */
            names[i] = NULL;
        } else {
            struct vg_mailin_result r;
            vg_diag_clear(&d);
            irc = vg_mailin_ingest(st, data, len, mo, &r, &d);
            free(data);
            if (irc) {
                /* this message left nothing; those before it in the batch are committed */
                vg_cli_fail("mail", &d);
                c.failed++;
                rc = EX_TEMPFAIL;
            } else {
                line_of(&out, names[i], &r);
                count(&pending, r.outcome);
            }
        }
        if (fd >= 0)
            close(fd);
        size_t end = irc ? i : i + 1; /* the batch's files: start..end-1 */
        if (irc || (long)(end - start) >= batch || end == n) {
            if (vg_store_batch_commit(st, &d)) {
                vg_cli_fail("mail", &d);
                c.failed += pending.n;
                rc = EX_TEMPFAIL;
                break;
            }
            fputs(out.data ? out.data : "", stdout);
            vg_buf_reset(&out);
            for (size_t k = 0; k < 7; k++)
                c.by[k] += pending.by[k];
            c.n += pending.n;
            memset(&pending, 0, sizeof pending);
            for (size_t k = start; k < end; k++)
                if (names[k] && move_batch(dir, names, k, k + 1) && rc == VG_EXIT_OK)
                    rc = VG_EXIT_FAIL;
            start = i + 1;
            if (end < n && !irc)
                vg_store_batch_begin(st);
        }
    }
    if (vg_store_batch_pending(st) || n == 0) {
        /* nothing pending normally (the last batch was committed); an empty run ends it */
        struct vg_diag d;
        vg_store_batch_commit(st, &d);
    }
    fflush(stdout);
    summary(&c);
    if (rc == VG_EXIT_OK && c.failed)
        rc = VG_EXIT_FAIL; /* a file could not be read: it is still in new/ */
    vg_buf_cleanup(&out);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc;
}

static int run_ingest(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"maildir", required_argument, NULL, 'm'},
                                         {"redirect-url", required_argument, NULL, 'u'},
                                         {"batch", required_argument, NULL, 'b'},
                                         {"report-global-rate", required_argument, NULL, 'g'},
                                         {NULL, 0, NULL, 0}};
    const char *db = NULL, *maildir = NULL, *redirect = getenv("VIGIE_REDIRECT_URL");
    int c, batch = INGEST_BATCH;
    double rate = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'm': maildir = optarg; break;
        case 'u': redirect = optarg; break;
        case 'b': {
            unsigned long long v;
            if (vg_str_to_u64(vg_str_c(optarg), 1, 100000, &v))
                return vg_cli_usage("mail", "--batch takes a number from 1 to 100000");
            batch = (int)v;
            break;
        }
        case 'g': {
            unsigned long long v;
            if (vg_str_to_u64(vg_str_c(optarg), 1, 1000000, &v))
                return vg_cli_usage("mail", "--report-global-rate takes a number from 1 to "
                                            "1000000 (reports per minute)");
            rate = (double)v;
            break;
        }
        default: return vg_cli_usage("mail", "unknown option");
        }
    }
    if (optind != argc)
        return vg_cli_usage("mail", "ingest takes no operand");
    struct vg_store *st = vg_cli_store_open("mail", db);
    if (!st)
        return maildir ? VG_EXIT_FAIL : EX_TEMPFAIL;
    struct vg_diag d;
    vg_diag_clear(&d);
    struct vg_mail_config cfg;
    if (vg_mail_config_load(st, &cfg, &d)) {
        vg_store_close(st);
        vg_cli_fail("mail", &d);
        return maildir ? VG_EXIT_FAIL : EX_TEMPFAIL;
    }
    struct vg_mailin_cap cap = {.per_minute = rate};
    struct vg_intake_opts intake = {.admit = rate > 0 ? vg_mailin_admit : NULL, .admit_ctx = &cap};
    struct vg_mailin_opts mo = {redirect, NULL, &intake, &cfg};
    int rc = maildir ? ingest_maildir(st, &mo, maildir, batch) : ingest_stdin(st, &mo);
    vg_store_close(st);
    return rc;
}

static int run_mail(int argc, char **argv)
{
    if (argc < 2)
        return vg_cli_usage("mail", "expected a subcommand: send, queue, ingest");
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
        return fputs(vg_cmd_mail.help, stdout), VG_EXIT_OK;
    if (strcmp(argv[1], "send") == 0)
        return run_send(argc - 1, argv + 1);
    if (strcmp(argv[1], "queue") == 0)
        return run_queue(argc - 1, argv + 1);
    if (strcmp(argv[1], "notify") == 0)
        return vg_cli_mail_notify(argc - 1, argv + 1);
    if (strcmp(argv[1], "ingest") == 0)
        return run_ingest(argc - 1, argv + 1);
    struct vg_shown sa;
    return vg_cli_usage("mail", "unknown subcommand '%s'", vg_shown(vg_str_c(argv[1]), 0, &sa));
}

const struct vg_command vg_cmd_mail = {
    "mail",
    "mail: deliver the outbox, queue a message, ingest inbound mail",
    "usage: vigie mail send [--db PATH]\n"
    "       vigie mail queue [--db PATH] --to ADDR... --subject S --text T [--html H]\n"
    "                        [--ref REF] [--kind KIND]\n"
    "       vigie mail notify [--db PATH]\n"
    "       vigie mail ingest [--db PATH] [--maildir DIR] [--redirect-url URL] [--batch N]\n"
    "                         [--report-global-rate N]\n\n"
    "send   delivers every message of the outbox that is due, once, over SMTP ($VIGIE_SMTP_URL,\n"
    "       smtp:// or smtps://, STARTTLS when the server offers it; AUTH with\n"
    "       $VIGIE_SMTP_USER and $VIGIE_SMTP_PASSWORD; From: $VIGIE_MAIL_FROM; or the same\n"
    "       settings stored by `vigie config set`, see `vigie help config`), several\n"
    "       messages per connection, and prints \"sent N retried N failed N\". A message is\n"
    "       marked sent only once the server accepted it; a 4xx answer or no connection\n"
    "       queues it again after 1, 2, 4... minutes (capped at an hour); a 5xx answer marks it\n"
    "       failed, the answer kept. With no $VIGIE_SMTP_URL the messages wait.\n"
    "queue  queues one message (KIND alert by default: incident, digest, alert, advisory,\n"
    "       crisis, intake) and prints its id; REF is put first in the subject as [REF].\n"
    "notify queues the digests due (every $VIGIE_DIGEST_HOURS, 24) and the new detection\n"
    "       alerts; prints \"digests N alerts N held N messages N\".\n\n"
    "ingest reads one message on standard input (an MTA's pipe transport), or every file of\n"
    "       DIR/new (DIR/cur is left alone), each moved to DIR/cur/NAME:2,S once stored\n"
    "       (committed N at a time, 200 by default). Each message is kept as received and\n"
    "       becomes: a reply (its subject names an incident: a timeline entry), an X-ARF\n"
    "       incident, a report through the web form's intake decision (report, queued, or\n"
    "       ineligible: answered with the cybermalveillance.gouv.fr link, URL or\n"
    "       $VIGIE_REDIRECT_URL, never to a machine), a duplicate (same Message-ID, or same\n"
    "       bytes without one), or quarantined with the reason (hostile or broken MIME).\n"
    "       --report-global-rate N: at most N reports a minute open incidents in this run,\n"
    "       the others are held for the analysts (outcome queued); default: no cap.\n"
    "       One NDJSON line per message on stdout ({\"file\"?, \"outcome\", \"ref\"?,\n"
    "       \"queue_id\"?, \"answer_id\"?, \"reason\"?, \"inbound_id\"}), a summary on stderr.\n"
    "       Exit: 0 stored (quarantined included), 75 the store failed (the MTA retries;\n"
    "       in a Maildir the files not committed stay in new/), 65 a message over 64 MiB,\n"
    "       1 a file of DIR/new that cannot be read (left there, the others ingested).\n\n"
    "docs/MAIL.md tells more. Exit status: 0 done, 1 failure, 2 usage.\n",
    run_mail,
};
