/* `vigie serve`: the HTTP server until SIGTERM or SIGINT. */
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "cli/commands.h"
#include "cli/demo.h"
#include "app/auth.h"
#include "http/server.h"
#include "util/limits.h"
#include "util/str.h"

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
        {"help", no_argument, NULL, 'h'},
        {"ratelimit-ipv4-prefix", required_argument, NULL, OPT_RL_V4},
        {"ratelimit-ipv6-prefix", required_argument, NULL, OPT_RL_V6},
        {"report-global-rate", required_argument, NULL, OPT_GLOBAL},
        {"report-queue-max", required_argument, NULL, OPT_QUEUE},
        {"intake-min-prefix-ipv4", required_argument, NULL, OPT_MIN_V4},
        {"intake-min-prefix-ipv6", required_argument, NULL, OPT_MIN_V6},
        {"intake-max-observables", required_argument, NULL, OPT_MAX_OBS},
        {"trusted-proxy", required_argument, NULL, OPT_PROXY},
        {NULL, 0, NULL, 0},
    };
    struct vg_proxies proxies = {.n = 0};
    struct vg_server_config cfg = {0};
    cfg.routes = vg_api_routes;
    const char *db = NULL, *prefix = "VIG";
    bool demo = false;
    unsigned long long n;
    cfg.listen = "127.0.0.1:8080";
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
        case 'h': fputs(vg_cmd_serve.help, stdout); return VG_EXIT_OK;
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
            if (prc)
                return vg_cli_usage("serve",
                                    "--trusted-proxy '%s' is not an address or a network "
                                    "(ADDRESS or ADDRESS/PREFIX)",
                                    optarg);
            cfg.proxies = &proxies;
            break;
        }
        default: return vg_cli_usage("serve", "unknown option");
        }
    }
    if (optind < argc)
        return vg_cli_usage("serve", "unexpected argument '%s'", argv[optind]);
    size_t pl = strlen(prefix);
    if (pl == 0 || pl >= sizeof cfg.store.ref_prefix ||
        strspn(prefix, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != pl)
        return vg_cli_usage("serve", "--ref-prefix must be 1-15 of [A-Z0-9]");
    memcpy(cfg.store.ref_prefix, prefix, pl + 1);
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
    vg_diag_clear(&d);
    char token[VG_TOKEN_LEN + 1] = "";
    if (demo && vg_demo_seed(cfg.db, &cfg.store, token, &d) != 0) {
        fprintf(stderr, "vigie serve: demo data: %s\n", d.message);
        return VG_EXIT_FAIL;
    }
    int port = 0;
    struct vg_server *srv = vg_server_start(&cfg, &port, &d);
    if (!srv) {
        fprintf(stderr, "vigie serve: %s\n", d.message);
        return VG_EXIT_FAIL;
    }
    char host[256];
    const char *colon = strrchr(cfg.listen, ':');
    snprintf(host, sizeof host, "%.*s", (int)(colon - cfg.listen), cfg.listen);
    fprintf(stderr, "listening on http://%s:%d\n", host, port);
    if (token[0]) {
        fprintf(stderr, "database: %s\nadmin API token (shown once): %s\n", cfg.db, token);
        fprintf(stderr, "try: curl -H 'Authorization: Bearer %s' http://%s:%d/api/v1/incidents\n",
                token, host, port);
    }
    int sig = 0;
    sigwait(&set, &sig);
    fprintf(stderr, "vigie serve: signal %d, stopping\n", sig);
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
    "  --ref-prefix PREFIX   incident reference prefix (default VIG: VIG-2026-000001)\n"
    "  --redirect-url URL    where ineligible reporters are sent\n"
    "                        (default https://www.cybermalveillance.gouv.fr/)\n"
    "  --report-rate N       public reports allowed per client address per minute (default 10)\n"
    "  --threads N           worker threads (default: twice the cores)\n"
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
    "                              (repeatable; without it the header is ignored)\n",
    run_serve,
};
