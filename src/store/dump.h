/* Moving and keeping data (issue 16): a backend-neutral view of an instance's tables, for
 * `vigie db copy` and `vigie db backup`. Included by store/store.h; a backend fills struct
 * vg_store_dump_ops. A row travels as an array of typed values (integer, real, text, blob,
 * null) in the order of its table's columns sorted by name, so that two backends that hold
 * the same data stream the same rows, and vg_store_dump_checksum finds the same sum. */
/*
 * For the PostgreSQL backend (pg_dump.c, to come), what makes both backends' streams equal:
 * - tables: the schema's own, without the migrations' version table; columns sorted with
 *   COLLATE "C" (bytes); key: the primary key's columns in their order (org_product's identity
 *   id stands for SQLite's rowid, which sqlite_dump.c dumps as "id"); seeded: playbook.
 * - rows: ORDER BY the key columns, text COLLATE "C", NULLS FIRST (SQLite's order); bigint as
 *   VG_DUMP_INT, double precision as VG_DUMP_REAL (even when integral), text as VG_DUMP_TEXT,
 *   bytea as VG_DUMP_BLOB (binary results: PQexecParams resultFormat 1, or decode \x), NULL.
 *   The schema keeps flags as bigint 0/1 and JSON and timestamps as text (schema/pg/001),
 *   which is what makes the checksums comparable: a jsonb column would not be.
 * - load: one transaction; triggers off (ALTER TABLE ... DISABLE TRIGGER USER on each table,
 *   or session_replication_role = replica, which needs a superuser), foreign keys deferred or
 *   checked at the end; COPY FROM STDIN (binary) for the rows; at commit, for each identity
 *   column: setval(pg_get_serial_sequence('"t"', 'id'), max(id)) (or its start when the
 *   table is empty, with is_called false), so that the next id follows the copied ones;
 *   load_ids: setval to greatest(max(id), id_high). tables: id_high = the identity sequence's
 *   last_value where ids must not come back (finding), 0 elsewhere.
 * - version: its own numbering (schema/pg/), latest = the last pg migration built in.
 * - backup: NULL (pg_dump; store_dump.c answers for it).
 */
#ifndef VG_STORE_DUMP_H
#define VG_STORE_DUMP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "store/base.h"

#define VG_DUMP_NAME_MAX   63  /* bytes of a table's or a column's name */
#define VG_DUMP_COLS_MAX   64  /* columns of a table */
#define VG_DUMP_TABLES_MAX 256 /* tables of an instance */

/* The type of a value, as the backend holds it. A backend maps its own types onto these:
 * booleans are integers 0/1, timestamps the text SQLite holds, JSON its text unchanged. */
enum vg_dump_type { VG_DUMP_NULL, VG_DUMP_INT, VG_DUMP_REAL, VG_DUMP_TEXT, VG_DUMP_BLOB };

/* One value of a row. Text and blob bytes are borrowed: valid during the callback only. */
struct vg_dump_value {
    enum vg_dump_type type;
    long long i;   /* VG_DUMP_INT */
    double r;      /* VG_DUMP_REAL */
    const char *p; /* VG_DUMP_TEXT (UTF-8, not NUL-terminated) and VG_DUMP_BLOB */
    size_t len;    /* bytes at p */
};

/* A table as the dump sees it. */
struct vg_dump_table {
    char name[VG_DUMP_NAME_MAX + 1];
    size_t ncols;                                      /* 1..VG_DUMP_COLS_MAX */
    char cols[VG_DUMP_COLS_MAX][VG_DUMP_NAME_MAX + 1]; /* sorted by name (bytes) */
    size_t nkey;               /* columns of the row order: the primary key's */
    int key[VG_DUMP_COLS_MAX]; /* indexes into cols, in the primary key's order */
    bool implicit_id;          /* the table declares no primary key: its column "id" is the
                                * backend's own row id (SQLite's rowid; the identity column
                                * id of the PostgreSQL schema, as for org_product) */
    long long id_high;         /* the largest id the table ever gave, when its ids must never
                                * be given again (SQLite's AUTOINCREMENT: finding, whose ids
                                * digests remember), even if that row is gone; 0: not kept */
    bool seeded;               /* a fresh migration fills it (the playbooks): a copy replaces
                                * its rows instead of requiring it empty */
};

/* Given the values of one row (n = the table's ncols); a non-zero return stops the stream
 * and is returned by the caller. */
typedef int (*vg_dump_row_fn)(void *ctx, const struct vg_dump_value *row, size_t n);

struct vg_store_dump_ops {
    int (*version)(struct vg_store *st, int *version, int *latest, struct vg_diag *d);
    int (*tables)(struct vg_store *st, struct vg_dump_table **out, size_t *n, struct vg_diag *d);
    int (*count)(struct vg_store *st, const struct vg_dump_table *t, long long *n,
                 struct vg_diag *d);
    int (*rows)(struct vg_store *st, const struct vg_dump_table *t, vg_dump_row_fn fn, void *ctx,
                struct vg_diag *d);
    int (*load_begin)(struct vg_store *st, struct vg_diag *d);
    int (*load_clear)(struct vg_store *st, const struct vg_dump_table *t, struct vg_diag *d);
    int (*load_rows)(struct vg_store *st, const struct vg_dump_table *t,
                     const struct vg_dump_value *v, size_t nrows, struct vg_diag *d);
    int (*load_ids)(struct vg_store *st, const struct vg_dump_table *t, struct vg_diag *d);
    int (*load_end)(struct vg_store *st, bool commit, struct vg_diag *d);
    int (*backup)(struct vg_store *st, const char *path, struct vg_diag *d);
};

/* True when url names a PostgreSQL database (postgresql:// or postgres://), not a file. */
bool vg_store_dump_url_pg(const char *url);

/* Opens the instance at url for reading its data as it is: no migration, and a file that does
 * not exist is an error (VG_ENOENT), not a new database. NULL with d filled on failure. */
struct vg_store *vg_store_dump_open(const char *url, struct vg_diag *d);

/* The schema version the instance is at (*version: the migrations it has applied) and the one
 * this vigie's migrations reach on its backend (*latest), in the backend's own numbering
 * (PostgreSQL's migrations are numbered apart from SQLite's): an instance is current when they
 * are equal. 0; VG_EIO. */
int vg_store_dump_version(struct vg_store *st, int *version, int *latest, struct vg_diag *d);

/* The instance's tables, parents before children (a table comes after every table its foreign
 * keys name; ties by name), the backend's own bookkeeping tables left out. *out: an array of
 * *n tables, free() it. 0; VG_ENOMEM; VG_EIO; VG_EINVAL (a name too long, too many columns,
 * a cycle of foreign keys). */
int vg_store_dump_tables(struct vg_store *st, struct vg_dump_table **out, size_t *n,
                         struct vg_diag *d);

/* The number of rows of table t. 0; VG_EIO. */
int vg_store_dump_count(struct vg_store *st, const struct vg_dump_table *t, long long *n,
                        struct vg_diag *d);

/* Calls fn with each row of t, in the order of t->key ascending (text by bytes, NULL first),
 * in one read snapshot. 0, fn's non-zero return, VG_EIO. */
int vg_store_dump_rows(struct vg_store *st, const struct vg_dump_table *t, vg_dump_row_fn fn,
                       void *ctx, struct vg_diag *d);

/* A load into this store: vg_store_dump_load_begin opens one write transaction for the whole
 * load, in which the schema's triggers do not fire (the rows of the tables they maintain are
 * loaded as they are) and foreign keys are checked at its end; _load_rows inserts nrows rows
 * of t (nrows * t->ncols values, in t->cols order, ids kept); _load_clear deletes every row
 * of t (a seeded table); vg_store_dump_load_end commits (commit true: the identity of each
 * table then continues after the largest id loaded) or rolls back. Each returns 0, VG_EINVAL
 * (a value refused by the schema), VG_EIO; after a failure, call _load_end(false). */
int vg_store_dump_load_begin(struct vg_store *st, struct vg_diag *d);
int vg_store_dump_load_clear(struct vg_store *st, const struct vg_dump_table *t, struct vg_diag *d);
int vg_store_dump_load_rows(struct vg_store *st, const struct vg_dump_table *t,
                            const struct vg_dump_value *v, size_t nrows, struct vg_diag *d);
int vg_store_dump_load_end(struct vg_store *st, bool commit, struct vg_diag *d);
/* In a load, after t's rows: the ids t gives next come after t->id_high too (the source's
 * mark), not only after the largest id loaded. 0; VG_EIO. */
int vg_store_dump_load_ids(struct vg_store *st, const struct vg_dump_table *t, struct vg_diag *d);

/* An online backup of the whole database into a new file path (refused if it exists), a
 * consistent snapshot however others write meanwhile. VG_EEXIST (path exists), VG_EINVAL (a
 * backend whose backups are its own tool's: PostgreSQL's pg_dump; ops->backup NULL), VG_EIO. */
int vg_store_dump_backup(struct vg_store *st, const char *path, struct vg_diag *d);

/* ---- the canonical encoding and the checksum (backend-neutral, in store_dump.c) ---- */

/* The checksum of a table: its row count and the SHA-256 of its canonical encoding. */
struct vg_dump_sum {
    long long rows;
    unsigned char sha256[32];
};

/* The canonical encoding of one row into out (cap bytes): a tag 'R' and the count of values
 * (4 bytes, big-endian), then per value a tag and its bytes: 'N' for null; 'I' and 8 bytes
 * big-endian two's complement; 'F' and the 8 bytes of the IEEE double big-endian (-0.0 as
 * 0.0, every NaN as one); 'T' (text) or 'B' (blob) and the length (8 bytes big-endian) then
 * the bytes. Returns the length written, or the length needed when it exceeds cap (nothing
 * or part written). */
size_t vg_dump_encode(const struct vg_dump_value *row, size_t n, unsigned char *out, size_t cap);

/* The checksum of table t: SHA-256 over the canonical encoding of a first row of texts (the
 * table's name, then its column names in t->cols order), then of every row of t in
 * vg_store_dump_rows' order; sum->rows does not count the first. 0; VG_ENOMEM; VG_EIO. */
int vg_store_dump_checksum(struct vg_store *st, const struct vg_dump_table *t,
                           struct vg_dump_sum *sum, struct vg_diag *d);

/* A row as JSON: an array of integers, reals, strings, nulls and {"b64": "..."} for blobs.
 * NULL on ENOMEM. */
json_t *vg_dump_row_json(const struct vg_dump_value *row, size_t n);

#endif
