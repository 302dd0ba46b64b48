/* `vigie mail send|queue`: outbound mail (issue 15) from the command line, through the use
 * cases of app/mail.h. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "app/mail.h"
#include "cli/commands.h"
#include "store/store.h"
#include "util/shown.h"
#include "util/str.h"

#define MAX_TO 64 /* --to given at most this many times */

static int run_send(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'}, {NULL, 0, NULL, 0}};
    const char *db = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'd')
            db = optarg;
        else
            return vg_cli_usage("mail", "unknown option");
    }
    if (optind != argc)
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

static int run_mail(int argc, char **argv)
{
    if (argc < 2)
        return vg_cli_usage("mail", "expected a subcommand: send, queue");
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
        return fputs(vg_cmd_mail.help, stdout), VG_EXIT_OK;
    if (strcmp(argv[1], "send") == 0)
        return run_send(argc - 1, argv + 1);
    if (strcmp(argv[1], "queue") == 0)
        return run_queue(argc - 1, argv + 1);
    if (strcmp(argv[1], "notify") == 0)
        return vg_cli_mail_notify(argc - 1, argv + 1);
    struct vg_shown sa;
    return vg_cli_usage("mail", "unknown subcommand '%s'", vg_shown(vg_str_c(argv[1]), 0, &sa));
}

const struct vg_command vg_cmd_mail = {
    "mail",
    "outbound mail: deliver the outbox, queue a message",
    "usage: vigie mail send [--db PATH]\n"
    "       vigie mail queue [--db PATH] --to ADDR... --subject S --text T [--html H]\n"
    "                        [--ref REF] [--kind KIND]\n"
    "       vigie mail notify [--db PATH]\n\n"
    "send   delivers every message of the outbox that is due, once, over SMTP ($VIGIE_SMTP_URL,\n"
    "       smtp:// or smtps://, STARTTLS when the server offers it; AUTH with\n"
    "       $VIGIE_SMTP_USER and $VIGIE_SMTP_PASSWORD; From: $VIGIE_MAIL_FROM), several\n"
    "       messages per connection, and prints \"sent N retried N failed N\". A message is\n"
    "       marked sent only once the server accepted it; a 4xx answer or no connection\n"
    "       queues it again after 1, 2, 4... minutes (capped at an hour); a 5xx answer marks it\n"
    "       failed, the answer kept. With no $VIGIE_SMTP_URL the messages wait.\n"
    "queue  queues one message (KIND alert by default: incident, digest, alert, advisory,\n"
    "       crisis) and prints its id; REF is put first in the subject as [REF].\n"
    "notify queues the digests due (every $VIGIE_DIGEST_HOURS, 24) and the new detection\n"
    "       alerts; prints \"digests N alerts N held N messages N\".\n\n"
    "docs/MAIL.md tells more. Exit status: 0 done, 1 failure, 2 usage.\n",
    run_mail,
};
