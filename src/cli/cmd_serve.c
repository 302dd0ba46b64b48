/* `vigie serve`: the HTTP server until SIGTERM or SIGINT. */
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "api/api.h"
#include "cli/commands.h"
#include "cli/demo.h"
#include "cli/site.h"
#include "app/auth.h"
#include "app/mail.h"
#include "app/share.h"
#include "app/taxii.h"
#include "http/server.h"
#include "web/page.h"
#include "web/web.h"
#include "util/limits.h"
#include "util/shown.h"
#include "util/str.h"

/* Options without a one-letter code. */
enum {
    OPT_HASH_THREADS = 256,
    OPT_READERS,
    OPT_HASH_QUEUE,
    OPT_LOGIN_FREE,
    OPT_LOGIN_WAIT_MAX,
    OPT_LOGIN_TOKEN_TTL,
    OPT_LOGIN_TOKENS_MAX,
    OPT_ADV_PREFIX,
    OPT_SINGLE_ANALYST,
    OPT_SESSION_TTL,
    OPT_SESSION_IDLE,
    OPT_SECURE_COOKIES,
    OPT_EVE_SOCKET,
    OPT_EVE_QUEUE,
    OPT_REPORT_MIN_SECONDS,
};

/* A duration "N", "Ns", "Nm" or "Nh" into seconds, from 1 s to max; 0 or -1. */
static int parse_duration(const char *s, unsigned long long max, unsigned long long *out)
{
    size_t n = strlen(s);
    unsigned long long unit = 1, v;
    if (n && (s[n - 1] == 's' || s[n - 1] == 'm' || s[n - 1] == 'h')) {
        unit = s[n - 1] == 'h' ? 3600 : s[n - 1] == 'm' ? 60 : 1;
        n--;
    }
    if (vg_str_to_u64((struct vg_str){s, n}, 1, max / unit, &v) != 0)
        return -1;
    *out = v * unit;
    return 0;
}

/* Options without a one-letter code (getopt_long's val past any character). */
enum {
    OPT_RL_V4 = 1000,
    OPT_RL_V6,
    OPT_GLOBAL,
    OPT_QUEUE,
    OPT_MIN_V4,
    OPT_MIN_V6,
    OPT_MAX_OBS,
    OPT_PROXY,
};

static int run_serve(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"listen", required_argument, NULL, 'l'},
        {"demo", no_argument, NULL, 'D'},
        {"ref-prefix", required_argument, NULL, 'p'},
        {"redirect-url", required_argument, NULL, 'u'},
        {"report-rate", required_argument, NULL, 'r'},
        {"threads", required_argument, NULL, 't'},
        {"hash-threads", required_argument, NULL, OPT_HASH_THREADS},
        {"readers", required_argument, NULL, OPT_READERS},
        {"hash-queue", required_argument, NULL, OPT_HASH_QUEUE},
        {"login-free", required_argument, NULL, OPT_LOGIN_FREE},
        {"login-wait-max", required_argument, NULL, OPT_LOGIN_WAIT_MAX},
        {"login-token-ttl", required_argument, NULL, OPT_LOGIN_TOKEN_TTL},
        {"login-tokens-max", required_argument, NULL, OPT_LOGIN_TOKENS_MAX},
        {"help", no_argument, NULL, 'h'},
        {"busy-timeout", required_argument, NULL, 'W'},
        {"header-timeout", required_argument, NULL, 'H'},
        {"body-timeout", required_argument, NULL, 'B'},
        {"max-connections", required_argument, NULL, 'C'},
        {"per-address-connections", required_argument, NULL, 'A'},
        {"ratelimit-ipv4-prefix", required_argument, NULL, OPT_RL_V4},
        {"ratelimit-ipv6-prefix", required_argument, NULL, OPT_RL_V6},
        {"report-global-rate", required_argument, NULL, OPT_GLOBAL},
        {"report-queue-max", required_argument, NULL, OPT_QUEUE},
        {"intake-min-prefix-ipv4", required_argument, NULL, OPT_MIN_V4},
        {"intake-min-prefix-ipv6", required_argument, NULL, OPT_MIN_V6},
        {"intake-max-observables", required_argument, NULL, OPT_MAX_OBS},
        {"trusted-proxy", required_argument, NULL, OPT_PROXY},
        {"report-min-seconds", required_argument, NULL, OPT_REPORT_MIN_SECONDS},
        VG_SITE_OPTIONS,
        {"advisory-prefix", required_argument, NULL, OPT_ADV_PREFIX},
        {"single-analyst", no_argument, NULL, OPT_SINGLE_ANALYST},
        {"session-ttl", required_argument, NULL, OPT_SESSION_TTL},
        {"session-idle", required_argument, NULL, OPT_SESSION_IDLE},
        {"secure-cookies", no_argument, NULL, OPT_SECURE_COOKIES},
        {"eve-socket", required_argument, NULL, OPT_EVE_SOCKET},
        {"eve-queue", required_argument, NULL, OPT_EVE_QUEUE},
        {NULL, 0, NULL, 0},
    };
    struct vg_proxies proxies = {.n = 0};
    struct vg_server_config cfg = {0};
    cfg.routes = vg_api_routes;
    cfg.many = vg_api_many;
    cfg.pages = vg_web_routes;
    cfg.page_error = vg_web_page_error;
    struct vg_cli_site site;
    vg_cli_site_init(&site);
    cfg.site = &site.site;
    const char *db = NULL, *prefix = "VIG", *adv_prefix = "VIGIE";
    bool demo = false;
    unsigned long long n;
    const char *eve_socket = NULL; /* --eve-socket */
    size_t eve_queue = 100000;
    cfg.listen = "127.0.0.1:8080";
    cfg.per_address_connections = 64;
    cfg.report_min_seconds = 3;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'l': cfg.listen = optarg; break;
        case 'D': demo = true; break;
        case 'p': prefix = optarg; break;
        case 'u': cfg.redirect_url = optarg; break;
        case 'r':
            if (vg_str_to_u64(vg_str_c(optarg), 1, 1000000, &n) != 0)
                return vg_cli_usage("serve", "--report-rate must be 1 to 1000000 per minute");
            cfg.report_per_minute = (double)n;
            break;
        case 't':
            if (vg_str_to_u64(vg_str_c(optarg), 1, 256, &n) != 0)
                return vg_cli_usage("serve", "--threads must be 1 to 256");
            cfg.threads = (unsigned)n;
            break;
        case OPT_READERS:
            if (vg_str_to_u64(vg_str_c(optarg), 1, 64, &n) != 0)
                return vg_cli_usage("serve", "--readers must be 1 to 64");
            cfg.readers = (unsigned)n;
            break;
        case OPT_HASH_THREADS:
            if (vg_str_to_u64(vg_str_c(optarg), 1, 64, &n) != 0)
                return vg_cli_usage("serve", "--hash-threads must be 1 to 64");
            cfg.hash_threads = (unsigned)n;
            break;
        case OPT_HASH_QUEUE:
            if (vg_str_to_u64(vg_str_c(optarg), 1, 4096, &n) != 0)
                return vg_cli_usage("serve", "--hash-queue must be 1 to 4096");
            cfg.hash_queue = (unsigned)n;
            break;
        case OPT_LOGIN_FREE:
            if (vg_str_to_u64(vg_str_c(optarg), 1, 1000000, &n) != 0)
                return vg_cli_usage("serve", "--login-free must be 1 to 1000000");
            cfg.login_free = (int)n;
            break;
        case OPT_LOGIN_WAIT_MAX:
            if (parse_duration(optarg, 86400, &n) != 0)
                return vg_cli_usage("serve", "--login-wait-max must be 1s to 24h (N, Ns, Nm, Nh)");
            cfg.login_wait_max = (int)n;
            break;
        case OPT_LOGIN_TOKEN_TTL:
            if (parse_duration(optarg, 366 * 86400ULL, &n) != 0)
                return vg_cli_usage("serve",
                                    "--login-token-ttl must be 1s to 8784h (N, Ns, Nm, Nh)");
            cfg.login_token_ttl = (long long)n;
            break;
        case OPT_LOGIN_TOKENS_MAX:
            if (vg_str_to_u64(vg_str_c(optarg), 1, 1000, &n) != 0)
                return vg_cli_usage("serve", "--login-tokens-max must be 1 to 1000");
            cfg.login_tokens_max = (int)n;
            break;
        case 'h': fputs(vg_cmd_serve.help, stdout); return VG_EXIT_OK;
        case 'W':
            if (vg_str_to_u64(vg_str_c(optarg), 1, 600000, &n) != 0)
                return vg_cli_usage("serve", "--busy-timeout must be 1 to 600000 milliseconds");
            cfg.busy_timeout_ms = (unsigned)n;
            break;
        case 'H':
            if (vg_str_to_u64(vg_str_c(optarg), 1, 3600, &n) != 0)
                return vg_cli_usage("serve", "--header-timeout must be 1 to 3600 seconds");
            cfg.header_timeout = (unsigned)n;
            break;
        case 'B':
            if (vg_str_to_u64(vg_str_c(optarg), 1, 3600, &n) != 0)
                return vg_cli_usage("serve", "--body-timeout must be 1 to 3600 seconds");
            cfg.body_timeout = (unsigned)n;
            break;
        case 'C':
            if (vg_str_to_u64(vg_str_c(optarg), 2, 100000, &n) != 0)
                return vg_cli_usage("serve", "--max-connections must be 2 to 100000");
            cfg.max_connections = (unsigned)n;
            break;
        case 'A':
            if (vg_str_to_u64(vg_str_c(optarg), 0, 100000, &n) != 0)
                return vg_cli_usage("serve", "--per-address-connections must be 0 to 100000");
            cfg.per_address_connections = (unsigned)n;
            break;
        case OPT_RL_V4:
        case OPT_MIN_V4:
            if (vg_str_to_u64(vg_str_c(optarg), 1, 32, &n) != 0)
                return vg_cli_usage("serve", "--%s must be 1 to 32",
                                    c == OPT_RL_V4 ? "ratelimit-ipv4-prefix"
                                                   : "intake-min-prefix-ipv4");
            *(c == OPT_RL_V4 ? &cfg.ratelimit_ipv4_prefix : &cfg.intake_min_prefix_ipv4) = (int)n;
            break;
        case OPT_RL_V6:
        case OPT_MIN_V6:
            if (vg_str_to_u64(vg_str_c(optarg), 1, 128, &n) != 0)
                return vg_cli_usage("serve", "--%s must be 1 to 128",
                                    c == OPT_RL_V6 ? "ratelimit-ipv6-prefix"
                                                   : "intake-min-prefix-ipv6");
            *(c == OPT_RL_V6 ? &cfg.ratelimit_ipv6_prefix : &cfg.intake_min_prefix_ipv6) = (int)n;
            break;
        case OPT_GLOBAL:
            if (vg_str_to_u64(vg_str_c(optarg), 1, 1000000, &n) != 0)
                return vg_cli_usage("serve", "--report-global-rate must be 1 to 1000000 per "
                                             "minute");
            cfg.report_global_per_minute = (double)n;
            break;
        case OPT_QUEUE:
            if (vg_str_to_u64(vg_str_c(optarg), 1, 10000000, &n) != 0)
                return vg_cli_usage("serve", "--report-queue-max must be 1 to 10000000");
            cfg.report_queue_max = (long long)n;
            break;
        case OPT_REPORT_MIN_SECONDS:
            if (vg_str_to_u64(vg_str_c(optarg), 0, 3600, &n) != 0)
                return vg_cli_usage("serve", "--report-min-seconds must be 0 to 3600");
            cfg.report_min_seconds = (int)n;
            break;
        case OPT_MAX_OBS:
            if (vg_str_to_u64(vg_str_c(optarg), 1, VG_MAX_LIST, &n) != 0)
                return vg_cli_usage("serve", "--intake-max-observables must be 1 to %d",
                                    VG_MAX_LIST);
            cfg.intake_max_observables = (size_t)n;
            break;
        case OPT_PROXY: {
            int prc = vg_proxies_add(&proxies, optarg);
            if (prc == VG_ETOOBIG)
                return vg_cli_usage("serve", "at most %d --trusted-proxy", VG_PROXY_MAX);
            if (prc) {
                struct vg_shown sa;
                return vg_cli_usage("serve",
                                    "--trusted-proxy '%s' is not an address or a network "
                                    "(ADDRESS or ADDRESS/PREFIX)",
                                    vg_shown(vg_str_c(optarg), 0, &sa));
            }
            cfg.proxies = &proxies;
            break;
        }
        case VG_OPT_SITE_NAME:
        case VG_OPT_SITE_URL:
        case VG_OPT_SITE_LANG:
        case VG_OPT_SITE_CONTACT:
            if (vg_cli_site_option(&site, "serve", c, optarg))
                return VG_EXIT_USAGE;
            break;
        case OPT_ADV_PREFIX: adv_prefix = optarg; break;
        case OPT_SINGLE_ANALYST: cfg.store.single_analyst = true; break;
        case OPT_SESSION_TTL:
        case OPT_SESSION_IDLE:
            if (parse_duration(optarg, 31 * 86400ULL, &n) != 0)
                return vg_cli_usage("serve", "--session-%s must be 1s to 744h (N, Ns, Nm, Nh)",
                                    c == OPT_SESSION_TTL ? "ttl" : "idle");
            *(c == OPT_SESSION_TTL ? &cfg.session_ttl : &cfg.session_idle) = (long long)n;
            break;
        case OPT_SECURE_COOKIES: cfg.cookie_secure = true; break;
        case OPT_EVE_SOCKET: eve_socket = optarg; break;
        case OPT_EVE_QUEUE:
            if (vg_str_to_u64(vg_str_c(optarg), 1, 100000000, &n) != 0)
                return vg_cli_usage("serve", "--eve-queue must be 1 to 100000000 lines");
            eve_queue = (size_t)n;
            break;
        default: return vg_cli_usage("serve", "unknown option");
        }
    }
    if (optind < argc) {
        struct vg_shown sa;
        return vg_cli_usage("serve", "unexpected argument '%s'",
                            vg_shown(vg_str_c(argv[optind]), 0, &sa));
    }
    size_t pl = strlen(prefix);
    if (pl == 0 || pl >= sizeof cfg.store.ref_prefix ||
        strspn(prefix, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != pl)
        return vg_cli_usage("serve", "--ref-prefix must be 1-15 of [A-Z0-9]");
    memcpy(cfg.store.ref_prefix, prefix, pl + 1);
    pl = strlen(adv_prefix);
    if (pl == 0 || pl >= sizeof cfg.store.adv_prefix ||
        strspn(adv_prefix, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != pl)
        return vg_cli_usage("serve", "--advisory-prefix must be 1-15 of [A-Z0-9]");
    memcpy(cfg.store.adv_prefix, adv_prefix, pl + 1);
    cfg.db = vg_cli_db_path(db);
    if (vg_auth_init() != 0) {
        fprintf(stderr, "vigie serve: cannot initialise libsodium\n");
        return VG_EXIT_FAIL;
    }
    /* Block the stop signals in every thread; the main thread waits for them below. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    /* For glibc's allocator (a build without jemalloc, see the Makefile): keep freed memory
     * in the process: trimming the heap after each request costs a munmap and a TLB
     * shootdown on every core, which halved request rates in measurements. */
    mallopt(M_TRIM_THRESHOLD, 256 * 1024 * 1024);
    mallopt(M_MMAP_THRESHOLD, 4 * 1024 * 1024);
    vg_cli_malloc_for_server();

    struct vg_diag d;
    struct vg_shown sm;
    vg_diag_clear(&d);
    char token[VG_TOKEN_LEN + 1] = "", password[VG_DEMO_PASSWORD_LEN + 1] = "";
    if (demo && vg_demo_seed(cfg.db, &cfg.store, token, password, &d) != 0) {
        fprintf(stderr, "vigie serve: demo data: %s\n", vg_shown_msg(d.message, &sm));
        return VG_EXIT_FAIL;
    }
    int port = 0;
    /* what partners and analysts post to TAXII collections becomes indicators */
    vg_taxii_set_posted_hook(vg_share_taxii_posted, NULL);
    struct vg_server *srv = vg_server_start(&cfg, &port, &d);
    if (!srv) {
        fprintf(stderr, "vigie serve: %s\n", vg_shown_msg(d.message, &sm));
        return VG_EXIT_FAIL;
    }
    char host[256];
    const char *colon = strrchr(cfg.listen, ':');
    snprintf(host, sizeof host, "%.*s", (int)(colon - cfg.listen), cfg.listen);
    if (!site.base_set) { /* the pages' links and the CSAF namespace: where we listen */
        char url[300];
        snprintf(url, sizeof url, "http://%s:%d", host, port);
        vg_cli_site_base(&site, url);
    }
    if (eve_socket && vg_server_eve_socket(srv, eve_socket, eve_queue, &d) != 0) {
        fprintf(stderr, "vigie serve: --eve-socket: %s\n", vg_shown_msg(d.message, &sm));
        vg_server_stop(srv);
        return VG_EXIT_FAIL;
    }
    fprintf(stderr, "listening on http://%s:%d\n", host, port);
    if (token[0]) {
        char shown[512]; /* a PostgreSQL URI without its password */
        vg_store_url_shown(cfg.db, shown, sizeof shown);
        fprintf(stderr, "database: %s\nadmin API token (shown once): %s\n", shown, token);
        fprintf(stderr, "try: curl -H 'Authorization: Bearer %s' http://%s:%d/api/v1/incidents\n",
                token, host, port);
        fprintf(stderr, "portal: http://%s:%d/\n", host, port);
    }
    if (password[0]) {
        fprintf(stderr, "console: http://%s:%d/console/  user %s, password %s (shown once)\n", host,
                port, VG_DEMO_ADMIN, password);
        sodium_memzero(password, sizeof password);
    }
    /* outbound mail (issue 15): the sender thread always runs; it reads the configuration
     * each round (environment, then `vigie config set`), so a server configured later is
     * used without a restart, and a round with none does nothing */
    const char *iv = getenv("VIGIE_MAIL_INTERVAL");
    char *end = NULL;
    long interval = iv && *iv ? strtol(iv, &end, 10) : 30;
    if (end && (*end || interval < 1 || interval > 86400))
        interval = 30;
    struct vg_mail_sender *sender = vg_mail_sender_start(cfg.db, &cfg.store, (int)interval, &d);
    if (!sender)
        fprintf(stderr, "vigie serve: no mail sender: %s\n", vg_shown_msg(d.message, &sm));
    int sig = 0;
    sigwait(&set, &sig);
    fprintf(stderr, "vigie serve: signal %d, stopping\n", sig);
    vg_mail_sender_stop(sender);
    vg_server_stop(srv);
    return VG_EXIT_OK;
}

const struct vg_command vg_cmd_serve = {
    "serve",
    "run the HTTP server (JSON API)",
    "usage: vigie serve [--db PATH] [--listen HOST:PORT] [options]\n\n"
    "Serves the JSON API under /api/v1/ until SIGTERM or SIGINT. Prints\n"
    "'listening on http://HOST:PORT' on stderr once ready.\n\n"
    "  --db PATH             SQLite file (default: $VIGIE_DB, then ./var/vigie.db)\n"
    "  --listen HOST:PORT    address to listen on (default 127.0.0.1:8080; port 0: any free)\n"
    "  --demo                seed a demo constituency on first start and print an admin token\n"
    "                        and the console's login for user admin (a new password each start)\n"
    "  --ref-prefix PREFIX   incident reference prefix (default VIG: VIG-2026-000001)\n"
    "  --advisory-prefix PREFIX\n"
    "                        advisory reference prefix (default VIGIE: VIGIE-2026-AVI-0001)\n"
    "  --single-analyst      an analyst may publish an advisory they wrote (no second pair\n"
    "                        of eyes: for a team of one; each such publication is audited)\n"
    "  --redirect-url URL    where ineligible reporters are sent\n"
    "                        (default https://www.cybermalveillance.gouv.fr/)\n"
    "  --report-rate N       public reports allowed per client address per minute (default 10)\n"
    "  --eve-socket PATH     also accept Suricata's eve-log output (filetype: unix_stream) on\n"
    "                        the Unix socket PATH (mode 0660): its events are matched and\n"
    "                        recorded as POST /api/v1/events's, in batches (2000 lines or\n"
    "                        100 ms); counts in /api/v1/health (\"eve_socket\")\n"
    "  --eve-queue N         lines the socket's queue holds (default 100000); when it is full\n"
    "                        (a slow database) lines are dropped and counted\n"
    "  --threads N           worker threads (default: twice the cores)\n"
    "  --readers N           threads answering reads, each with its own database connection\n"
    "                        (default: 1 on SQLite, one per core on PostgreSQL, 2 to 8)\n"
    "  --busy-timeout MS     how long a write waits for another process's lock on the\n"
    "                        database before it answers 503 busy (default 10000)\n"
    "  --header-timeout S    seconds a client has to send a request's line and headers, and\n"
    "                        that a kept-alive connection may stay idle (default 10)\n"
    "  --body-timeout S      seconds a client has to send a request's body after its headers\n"
    "                        (default 30)\n"
    "  --max-connections N   open connections (default 1000); near the cap the idlest ones\n"
    "                        are closed to make room\n"
    "  --per-address-connections N\n"
    "                        open connections per client address (default 64; 0: no limit,\n"
    "                        e.g. behind a reverse proxy)\n"
    "  --hash-threads N      threads checking login passwords (Argon2id, 64 MiB each while it\n"
    "                        runs), off the database thread (default 2)\n"
    "  --hash-queue N        logins waiting for those threads, at most; more get 503 busy\n"
    "                        (default 32)\n"
    "  --login-free N        login attempts per client address and per user name before\n"
    "                        each one makes the next wait 1 s, 2 s, 4 s ... (default 5);\n"
    "                        a successful login starts both again from zero\n"
    "  --login-wait-max T    longest such wait (default 15m; T is N, Ns, Nm or Nh)\n"
    "  --login-token-ttl T   lifetime of the tokens POST /api/v1/login mints (default 12h)\n"
    "  --login-tokens-max N  login tokens a user keeps: one more revokes the oldest\n"
    "                        (default 20)\n"
    "\nThe analyst console (/console/):\n"
    "  --session-ttl T       a console session's longest life (default 12h)\n"
    "  --session-idle T      a console session ends after T unused (default 30m)\n"
    "  --secure-cookies      the session cookie is sent over HTTPS only (behind a TLS proxy)\n"
    "\nThe public intake (POST /api/v1/reports):\n"
    "  --ratelimit-ipv4-prefix N   IPv4 clients of one /N share a rate bucket (default 32)\n"
    "  --ratelimit-ipv6-prefix N   IPv6 clients of one /N share a rate bucket (default 64)\n"
    "  --report-global-rate N      reports opening incidents per minute, all clients together\n"
    "                              (default 60); over it, reports wait in a queue for analysts\n"
    "  --report-queue-max N        reports held in that queue at most (default 10000; then 503)\n"
    "  --intake-min-prefix-ipv4 N  refuse IPv4 networks wider than /N in reports (default 8)\n"
    "  --intake-min-prefix-ipv6 N  refuse IPv6 networks wider than /N in reports (default 32)\n"
    "  --intake-max-observables N  observables in one report at most (default 100)\n"
    "  --trusted-proxy CIDR        a reverse proxy whose X-Forwarded-For names the client\n"
    "                              (repeatable; without it the header is ignored)\n"
    "  --report-min-seconds N      the portal's report form (POST /report) is refused when\n"
    "                              sent sooner than N s after it was given (default 3; 0: off)\n"
    "\nOutbound mail (docs/MAIL.md): a thread delivers the outbox every $VIGIE_MAIL_INTERVAL\n"
    "seconds (default 30), as `vigie mail send` does, reading the SMTP settings again each\n"
    "time ($VIGIE_SMTP_URL..., then `vigie config`): with no server configured it waits.\n"
    "\nThe published advisories (/advisories/, /guides/, /.well-known/csaf/):\n" VG_SITE_HELP,
    run_serve,
};
