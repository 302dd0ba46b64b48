/* A batch's incident creations through the store on PostgreSQL (bench/pg/many.sh): rounds
 * of GROUP creations (10 observables each, bench/api/create.lua's kinds) in one server batch
 * (vg_store_batch_begin ... commit), alternately one by one (vg_store_incident_create, each
 * in its savepoint, as `vigie serve` creates them before issue 16's grouping) and at once
 * (vg_store_incident_create_many), after WARM rounds of each not counted. Prints per creation
 * and mode: wall µs, this process's CPU µs and the CPU µs of the store connection's backend
 * (utime + stime from /proc: run as a user that may read it). On a SQLite file (DB a path)
 * the same without a backend.
 * usage: bench_many URI|DB ROUNDS GROUP */
#include <jansson.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/incident.h"
#include "core/record.h"
#include "store/store.h"

enum { WARM = 5, MAXGROUP = 1024 };

static const struct vg_actor who = {1, "bench", "admin", 0};

/* splitmix64: the same sequence on every run */
static unsigned long long next(void)
{
    static unsigned long long state = 20261206;
    unsigned long long z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static double now_ns(clockid_t c)
{
    struct timespec t;
    clock_gettime(c, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

/* utime + stime of process pid, in clock ticks. */
static long long ticks_of(int pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *p = strrchr(buf, ')');
    long long ut = 0, st = 0;
    /* fields 3..: state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime
     * stime */
    if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lld %lld", &ut, &st) != 2)
        return -1;
    return ut + st;
}

/* An incident as bench/api/create.lua posts it, checked as the API checks it. */
static json_t *record(void)
{
    static const char *const cls[][2] = {{"malicious-code", "infected-system"},
                                         {"fraud", "phishing"},
                                         {"intrusions", "system-compromise"},
                                         {"availability", "ddos"}};
    static const char *const sev[] = {"low", "medium", "high", "critical"};
    char v[10][80];
    unsigned long long r = next();
    snprintf(v[0], sizeof v[0], "10.%llu.%llu.%llu", r % 256, r / 256 % 256, r / 65536 % 254 + 1);
    r = next();
    snprintf(v[1], sizeof v[1], "172.%llu.%llu.%llu", 16 + r % 16, r / 16 % 256,
             r / 4096 % 254 + 1);
    r = next();
    snprintf(v[2], sizeof v[2], "2001:db8:%llx:%llx::%llx", r % 65536, r / 65536 % 65536,
             r / 4294967296 % 65535 + 1);
    r = next();
    snprintf(v[3], sizeof v[3], "10.%llu.%llu.0/24", r % 256, r / 256 % 256);
    unsigned long long base = next() % 20000 + 1;
    snprintf(v[4], sizeof v[4], "d%llu.example", base);
    snprintf(v[5], sizeof v[5], "h%llu.d%llu.example", next() % 50 + 1, base);
    snprintf(v[6], sizeof v[6], "http://h1.d%llu.example/p%llu", base, next() % 1000);
    snprintf(v[7], sizeof v[7], "u%llu@d%llu.example", next() % 100, base);
    snprintf(v[8], sizeof v[8], "%016llx%016llx", next(), next());
    snprintf(v[9], sizeof v[9], "%016llx%016llx%016llx%016llx", next(), next(), next(), next());
    unsigned c = (unsigned)(next() % 4);
    json_t *in = json_pack("{s:s,s:s,s:s,s:s}", "title", "bench", "class", cls[c][0], "type",
                           cls[c][1], "severity", sev[next() % 4]);
    json_t *obs = json_array();
    for (int i = 0; i < 10; i++)
        json_array_append_new(obs, json_pack("{s:s}", "value", v[i]));
    json_object_set_new(in, "observables", obs);
    json_t *rec = NULL;
    struct vg_diag d = {0};
    if (vg_incident_check(in, VG_CHECK_CREATE, &rec, &d) != 0) {
        fprintf(stderr, "bench_many: check: %s\n", d.message);
        exit(1);
    }
    json_decref(in);
    return rec;
}

struct mode {
    const char *name;
    double wall, cpu;
    long long ticks, n;
};

/* One round of group creations in one batch, many or one by one; adds to m when counted. */
static void round_run(struct vg_store *st, int pid, size_t group, bool many, struct mode *m,
                      bool counted)
{
    json_t *recs[MAXGROUP], *outs[MAXGROUP];
    struct vg_incident_new incs[MAXGROUP];
    const struct vg_actor *whos[MAXGROUP];
    struct vg_diag d = {0};
    for (size_t i = 0; i < group; i++) {
        recs[i] = record();
        memset(&incs[i], 0, sizeof incs[i]);
        if (vg_incident_new_from_json(recs[i], &incs[i], &d) != 0) {
            fprintf(stderr, "bench_many: record: %s\n", d.message);
            exit(1);
        }
        whos[i] = &who;
    }
    long long t0 = pid ? ticks_of(pid) : 0;
    double w0 = now_ns(CLOCK_MONOTONIC), c0 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
    vg_store_batch_begin(st);
    int rc = 0;
    if (many)
        rc = vg_store_incident_create_many(st, whos, incs, group, outs, &d);
    else
        for (size_t i = 0; rc == 0 && i < group; i++)
            rc = vg_store_incident_create(st, whos[i], &incs[i], &outs[i], &d);
    if (rc == 0)
        rc = vg_store_batch_commit(st, &d);
    double w1 = now_ns(CLOCK_MONOTONIC), c1 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
    long long t1 = pid ? ticks_of(pid) : 0;
    if (rc) {
        fprintf(stderr, "bench_many: creation: %d %s\n", rc, d.message);
        exit(1);
    }
    for (size_t i = 0; i < group; i++) {
        json_decref(outs[i]);
        vg_incident_new_cleanup(&incs[i]);
        json_decref(recs[i]);
    }
    if (counted) {
        m->wall += w1 - w0;
        m->cpu += c1 - c0;
        m->ticks += t1 - t0;
        m->n += (long long)group;
    }
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: bench_many URI ROUNDS GROUP\n");
        return 2;
    }
    const char *uri = argv[1];
    int rounds = (int)strtol(argv[2], NULL, 10);
    size_t group = (size_t)strtoul(argv[3], NULL, 10);
    if (rounds < 1 || group < 1 || group > MAXGROUP) {
        fprintf(stderr, "bench_many: ROUNDS >= 1, GROUP 1..%d\n", MAXGROUP);
        return 2;
    }
    struct vg_diag d = {0};
    struct vg_store *st = vg_store_open(uri, NULL, &d);
    if (!st) {
        fprintf(stderr, "bench_many: open: %s\n", d.message);
        return 1;
    }
    /* the backend of the store's connection: the database's other client */
    PGconn *c = NULL;
    int pid = 0;
    if (vg_store_url_is_pg(uri)) {
        c = PQconnectdb(uri);
        PGresult *r = PQexec(c, "SELECT pid FROM pg_stat_activity WHERE datname = "
                                "current_database() AND backend_type = 'client backend' AND "
                                "pid <> pg_backend_pid()");
        if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
            fprintf(stderr, "bench_many: the store's backend not found: %s\n", PQerrorMessage(c));
            return 1;
        }
        pid = (int)strtol(PQgetvalue(r, 0, 0), NULL, 10);
        PQclear(r);
    }
    struct mode modes[2] = {{.name = "one by one"}, {.name = "create_many"}};
    for (int k = 0; k < 2 * (WARM + rounds); k++)
        round_run(st, pid, group, k % 2 == 1, &modes[k % 2], k >= 2 * WARM);
    double hz = (double)sysconf(_SC_CLK_TCK);
    printf("%d rounds of %zu creations (10 observables each) per mode, alternated, in one batch "
           "each\n",
           rounds, group);
    printf("%-12s %10s %12s %14s\n", "mode", "wall µs", "vigie CPU µs", "backend CPU µs");
    for (int i = 0; i < 2; i++)
        printf("%-12s %10.1f %12.1f %14.1f\n", modes[i].name, modes[i].wall / 1e3 / modes[i].n,
               modes[i].cpu / 1e3 / modes[i].n,
               pid ? (double)modes[i].ticks / hz * 1e6 / (double)modes[i].n : 0.0);
    if (c)
        PQfinish(c);
    vg_store_close(st);
    return 0;
}
