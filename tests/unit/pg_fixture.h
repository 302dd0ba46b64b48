/* A throwaway PostgreSQL 15 cluster for unit tests (issue 16): pg_cluster_start (a cmocka group
 * setup) starts one with scripts/pgcluster.sh for the whole test binary, pg_cluster_stop (the
 * group teardown) stops and removes it; pg_db_new gives each test a fresh database. Nothing is
 * skipped: when the cluster could not start, every test using it fails with the reason. Run
 * the binary from the repository's root (as scripts/test.sh does). Include after cmocka. */
#ifndef VG_TEST_PG_FIXTURE_H
#define VG_TEST_PG_FIXTURE_H

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct {
    char dir[64];
    char uri[512];  /* of the database "postgres" */
    char why[1024]; /* why the cluster did not start, "" if it did */
    PGconn *admin;  /* on "postgres": creates and drops the tests' databases */
    int next;
} pgc;

static int pg_cluster_start(void **state)
{
    (void)state;
    snprintf(pgc.dir, sizeof pgc.dir, "/tmp/vgpg.XXXXXX");
    if (!mkdtemp(pgc.dir)) {
        snprintf(pgc.why, sizeof pgc.why, "mkdtemp %s failed", pgc.dir);
        return 0;
    }
    if (access("scripts/pgcluster.sh", R_OK) != 0) {
        snprintf(pgc.why, sizeof pgc.why,
                 "scripts/pgcluster.sh not found: run the test from the repository's root");
        return 0;
    }
    char cmd[160];
    snprintf(cmd, sizeof cmd, "sh scripts/pgcluster.sh start %s 2>&1", pgc.dir);
    FILE *f = popen(cmd, "r");
    char out[1024] = "";
    size_t n = f ? fread(out, 1, sizeof out - 1, f) : 0;
    out[n] = '\0';
    int status = f ? pclose(f) : -1;
    if (status == 0)
        out[strcspn(out, "\n")] = '\0';
    if (status != 0 || strncmp(out, "postgresql://", 13) != 0) {
        snprintf(pgc.why, sizeof pgc.why, "scripts/pgcluster.sh start failed (%d): %s", status,
                 out);
        return 0;
    }
    snprintf(pgc.uri, sizeof pgc.uri, "%s", out);
    pgc.admin = PQconnectdb(pgc.uri);
    if (PQstatus(pgc.admin) != CONNECTION_OK)
        snprintf(pgc.why, sizeof pgc.why, "cannot connect to %s: %s", pgc.uri,
                 PQerrorMessage(pgc.admin));
    return 0;
}

static int pg_cluster_stop(void **state)
{
    (void)state;
    PQfinish(pgc.admin);
    if (pgc.dir[0]) {
        char cmd[160];
        snprintf(cmd, sizeof cmd, "sh scripts/pgcluster.sh stop %s >/dev/null 2>&1", pgc.dir);
        if (system(cmd) != 0)
            fprintf(stderr, "pgcluster.sh stop %s failed\n", pgc.dir);
    }
    return 0;
}

/* Stops the cluster's server (fast), or starts it again with the options it had (pg_ctl
 * restart reads them from postmaster.opts); the admin connection follows. */
static inline void pg_cluster_ctl(const char *what)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd,
             "%s/usr/lib/postgresql/15/bin/pg_ctl -D %s/data -m fast -w -l %s/server.log %s "
             ">/dev/null 2>&1",
             getuid() == 0 ? "runuser -u vigiepg -- " : "", pgc.dir, pgc.dir, what);
    if (system(cmd) != 0)
        fail_msg("%s failed", cmd);
    if (strcmp(what, "stop") != 0)
        PQreset(pgc.admin);
}

/* Runs sql on the admin connection, failing the test with PostgreSQL's message. */
static void pg_admin(const char *sql)
{
    PGresult *r = PQexec(pgc.admin, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
        fail_msg("%s: %s", sql, PQerrorMessage(pgc.admin));
    PQclear(r);
}

/* A fresh database: *name (t_N) and its URI. Fails the test when the cluster is not there. */
static void pg_db_new(char name[32], char uri[600])
{
    if (pgc.why[0])
        fail_msg("the PostgreSQL cluster did not start: %s", pgc.why);
    snprintf(name, 32, "t_%d_%d", (int)getpid(), ++pgc.next);
    char sql[96];
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
    pg_admin(sql);
    const char *q = strstr(pgc.uri, "/postgres?");
    assert_non_null(q);
    snprintf(uri, 600, "%.*s/%s%s", (int)(q - pgc.uri), pgc.uri, name, q + 9);
}

static void pg_db_drop(const char *name)
{
    char sql[96];
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", name);
    pg_admin(sql);
}

/* A connection of the test's own on uri (another process, as far as the store knows). */
static PGconn *pg_other(const char *uri)
{
    PGconn *c = PQconnectdb(uri);
    if (PQstatus(c) != CONNECTION_OK)
        fail_msg("cannot connect to %s: %s", uri, PQerrorMessage(c));
    return c;
}

/* Runs sql on c, failing the test on an error. */
static void pg_on(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
        fail_msg("%s: %s", sql, PQerrorMessage(c));
    PQclear(r);
}

/* The one integer sql answers on c. */
static long long pg_scalar_on(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1)
        fail_msg("%s: %s", sql, PQerrorMessage(c));
    long long v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return v;
}

#endif
