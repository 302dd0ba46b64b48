/* The store: vigie's persistence behind one interface. A backend (sqlite.c; pg.c, issue 16)
 * fills a struct vg_store_ops, one sub-struct per domain; callers use the vg_store_* functions
 * and never see SQL. The functions of each domain are declared in its header (store/user.h,
 * org.h, incident.h, indicator.h, vuln.h, report.h), all included here; this one holds opening,
 * migrations, transactions and the deployment's options. Records travel as jansson objects
 * already checked by core/record.h, or as typed structs. One vg_store is one connection: use
 * it from one thread at a time. Every multi-row write is one transaction. A backend stores
 * and fetches; the rules (lifecycle, references, timelines, escalation, correlation) are
 * core's. */
#ifndef VG_STORE_H
#define VG_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include "store/base.h"
#include "store/incident.h"
#include "store/indicator.h"
#include "store/org.h"
#include "store/pull.h"
#include "store/report.h"
#include "store/user.h"
#include "store/vuln.h"
#include "store/partner.h"
#include "store/taxii.h"
#include "store/upstream.h"
#include "store/advisory.h"
#include "store/stats.h"
#include "store/mail.h"
#include "store/crisis.h"
#include "store/setting.h"
#include "store/notify.h"
#include "store/inbound.h"
#include "store/dump.h"
#include "util/err.h"

/* Options a deployment sets once. */
struct vg_store_config {
    char ref_prefix[16]; /* incident reference prefix, "VIG" by default */
    bool bulk;           /* a batch command reading much of the database once (a feed
                          * import, a full re-match): no memory mapping of the file
                          * (scanning 82 MB of compact records: 0.34 s mapped, 0.08 s
                          * read; an import spent 10 s in page faults) */
    char adv_prefix[16]; /* advisory reference prefix, "VIGIE" by default (issue 13) */
    bool single_analyst; /* advisories: one analyst may publish what they wrote (no four eyes) */
};

/* A backend: its connection-wide operations, and one table of operations per domain. */
struct vg_store_ops {
    void (*close)(struct vg_store *st);
    int (*migrate)(struct vg_store *st, int *version, struct vg_diag *d);
    void (*batch_begin)(struct vg_store *st);
    bool (*batch_pending)(struct vg_store *st);
    int (*batch_commit)(struct vg_store *st, struct vg_diag *d);
    void (*read_begin)(struct vg_store *st);
    void (*read_end)(struct vg_store *st);
    int (*tx_begin)(struct vg_store *st, struct vg_diag *d);
    int (*tx_commit)(struct vg_store *st, struct vg_diag *d);
    void (*tx_rollback)(struct vg_store *st);
    int (*read_only)(struct vg_store *st, struct vg_diag *d);
    void (*busy_timeout)(struct vg_store *st, unsigned ms);

    const struct vg_store_user_ops *user;
    const struct vg_store_org_ops *org;
    const struct vg_store_incident_ops *incident;
    const struct vg_store_indicator_ops *indicator;
    const struct vg_store_vuln_ops *vuln;
    const struct vg_store_report_ops *report;   /* the intake's queue of held reports */
    const struct vg_store_pull_ops *pull;       /* where `vigie share pull` stopped */
    const struct vg_store_partner_ops *partner; /* partner CERTs and their tokens */
    const struct vg_store_taxii_ops *taxii;     /* the TAXII 2.1 server (store/taxii.h) */
    /* other CERTs' publications, imported (issue 13) */
    const struct vg_store_upstream_ops *upstream;

    /* advisories (store/advisory.h) */
    const struct vg_store_advisory_ops *advisory;

    /* the dashboard's aggregate counts (store/stats.h, issue 14) */
    const struct vg_store_stats_ops *stats;

    /* the outbox of outbound mail (store/mail.h, issue 15) */
    const struct vg_store_mail_ops *mail;
    /* the crisis cell (store/crisis.h, issue 15) */
    const struct vg_store_crisis_ops *crisis;
    /* the deployment's settings (store/setting.h, issue 15) */
    const struct vg_store_setting_ops *setting;
    /* digests and alerts by mail (store/notify.h, issue 15) */
    const struct vg_store_notify_ops *notify;
    /* inbound mail (store/inbound.h, issue 15) */
    const struct vg_store_inbound_ops *inbound;
    /* moving and keeping data: copy, checksums, backup (store/dump.h, issue 16) */
    const struct vg_store_dump_ops *dump;
    /* vg_store_outage (NULL: the backend has none to tell) */
    bool (*outage)(struct vg_store *st, struct vg_diag *d);
};

struct vg_store {
    const struct vg_store_ops *ops;
    struct vg_store_config config;
    struct vg_token_prefetch *prefetch; /* vg_store_token_prefetch's answers, or NULL */
};

/* Opens the database named by url: a PostgreSQL connection URI ("postgresql://..." or
 * "postgres://...", anything libpq accepts; a password comes from the URI, ~/.pgpass or
 * PGPASSWORD and is never printed), or else a file path (SQLite). Creates the SQLite file
 * and its folder as needed and applies pending migrations. Returns NULL with a message in d
 * on failure; while the PostgreSQL backend lacks domains (issue 16), opening it fails with a
 * message naming them. */
struct vg_store *vg_store_open(const char *url, const struct vg_store_config *cfg,
                               struct vg_diag *d);
void vg_store_close(struct vg_store *st);
/* True when url names a PostgreSQL database (vg_store_open's first case). */
bool vg_store_url_is_pg(const char *url);
/* url as it may be shown (logs, messages): a PostgreSQL URI without its password (user info's
 * ":password" and a "password=" parameter removed), a path as it is. Truncated to n - 1. */
void vg_store_url_shown(const char *url, char *out, size_t n);

/* SQLite backend constructor (store/sqlite.c). */
struct vg_store *vg_store_sqlite_open(const char *path, bool bulk, struct vg_diag *d);

/* PostgreSQL backend (store/pg.c): connects to uri (no migration), or NULL with d set
 * ("database unavailable: cannot connect to URI-without-password: ..."). bulk: a batch command
 * (vg_store_config.bulk), whose connection gets no default statement timeout (see pg.c).
 * Its operations: domains not ported yet are NULL. */
struct vg_store *vg_store_pg_connect(const char *uri, bool bulk, struct vg_diag *d);
const struct vg_store_ops *vg_store_pg_ops(void);
/* For the tests of a backend's ported domains only: vg_store_open that accepts a backend with
 * domains missing (their ops are NULL: calling one crashes). */
struct vg_store *vg_store_open_partial(const char *url, const struct vg_store_config *cfg,
                                       struct vg_diag *d);

/* Schema version after migration. */
int vg_store_migrate(struct vg_store *st, int *version, struct vg_diag *d);

/* Group commit. After vg_store_batch_begin, each write transaction becomes a savepoint inside
 * one outer transaction, opened by the first write; vg_store_batch_commit commits it (if any
 * write happened) and ends the batch. Nothing written in a batch is durable, nor may be
 * acknowledged, before vg_store_batch_commit returns 0. */
void vg_store_batch_begin(struct vg_store *st);
/* True if a write happened since vg_store_batch_begin (the outer transaction is open). */
bool vg_store_batch_pending(struct vg_store *st);
int vg_store_batch_commit(struct vg_store *st, struct vg_diag *d);

/* Brackets a read-only request in one read transaction (one snapshot, one lock). No write
 * may happen in between. */
void vg_store_read_begin(struct vg_store *st);
void vg_store_read_end(struct vg_store *st);

/* A use case's transaction: the writes between vg_store_tx_begin and vg_store_tx_commit
 * happen together or not at all (vg_store_tx_rollback undoes them, and only them). Each
 * vg_store_* write inside stays its own unit: one that fails is undone alone and the
 * transaction goes on. Outside a batch it is a transaction of its own (BEGIN IMMEDIATE),
 * durable once vg_store_tx_commit returns 0; inside a server batch (or another such
 * transaction) it is a savepoint of it, which vg_store_tx_commit releases without ending the
 * batch: the batch's commit makes it durable. Begin returns 0, VG_EIO (the database is busy
 * or failed) or VG_EINVAL (inside a read or a write); commit returns 0, VG_EIO (the
 * transaction is then rolled back) or VG_EINVAL (none open). Rollback without one does
 * nothing. A batch's commit also commits the transactions left open inside it. */
int vg_store_tx_begin(struct vg_store *st, struct vg_diag *d);
int vg_store_tx_commit(struct vg_store *st, struct vg_diag *d);
void vg_store_tx_rollback(struct vg_store *st);

/* From now on the connection only reads (the server's reader thread): a write reaching it
 * by mistake fails instead of taking the write lock. 0, or VG_EIO with d set. */
int vg_store_read_only(struct vg_store *st, struct vg_diag *d);

/* How long a write waits for another process's lock before it fails with VG_EBUSY: 10 s
 * unless set. Inside a batch, once one write has failed so, the batch's later writes fail at
 * once (they would each wait again). */
void vg_store_busy_timeout(struct vg_store *st, unsigned ms);

/* Whether a call made on st since the previous vg_store_outage (or since st was opened) failed
 * for a reason that passes rather than a fault: the database unreachable, shutting down or
 * starting up, the connection cut, a statement timeout, a lock or serialization conflict
 * (PostgreSQL; such calls return VG_EIO or VG_EBUSY as their contracts say). d (may be NULL)
 * gets that failure's message. Forgets it: the server asks before and after each request, and
 * answers 503 instead of 500 when it was one. Always false on SQLite, whose locks already
 * fail with VG_EBUSY. */
bool vg_store_outage(struct vg_store *st, struct vg_diag *d);

#endif
