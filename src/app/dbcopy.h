/* Moving an instance (issue 16): `vigie db copy` copies every table of one store into another,
 * empty one, then checks that both hold the same rows, table by table (row count and SHA-256
 * of store/dump.h's canonical encoding); `vigie db verify` does the check alone. Backend-
 * neutral: it sees only store/dump.h's operations. */
#ifndef VG_APP_DBCOPY_H
#define VG_APP_DBCOPY_H

#include <stdbool.h>

#include "store/store.h"

/* Rows streamed from the source per load call. */
#define VG_DBCOPY_CHUNK 1024

/* Told of each table checked: its name, and its sums in the source and the destination (b is
 * NULL when the table is missing from the destination). */
typedef void (*vg_dbcopy_table_fn)(void *ctx, const char *table, const struct vg_dump_sum *a,
                                   const struct vg_dump_sum *b);

/* What a check found. */
struct vg_dbcopy_result {
    int tables;                              /* tables compared */
    long long rows;                          /* rows of the source */
    int differ;                              /* tables whose count or sum differ */
    char first_differ[VG_DUMP_NAME_MAX + 1]; /* the first of them, "" if none */
};

/* Copies the instance at `from` (a file or a PostgreSQL URI, at the schema version of this
 * vigie: it is read, never migrated) into `to` (created and migrated as needed, and empty: every
 * table without rows but those a fresh migration seeds, which the copy replaces). The whole copy
 * is one transaction of the destination: it lands whole or not at all. Then checks as
 * vg_dbcopy_verify. 0 with *res (res->differ > 0: the copy is not faithful); VG_ENOENT (no
 * source), VG_ECONFLICT (schema versions or tables differ, or the destination is not empty: d
 * names the table), the stores' errors. fn may be NULL. */
int vg_dbcopy_copy(const char *from, const char *to, vg_dbcopy_table_fn fn, void *ctx,
                   struct vg_dbcopy_result *res, struct vg_diag *d);

/* Compares every table of the instances at a and b (neither migrated): row counts and sums,
 * each side read in one snapshot. 0 with *res; VG_ECONFLICT when their tables or columns
 * differ; the stores' errors. */
int vg_dbcopy_verify(const char *a, const char *b, vg_dbcopy_table_fn fn, void *ctx,
                     struct vg_dbcopy_result *res, struct vg_diag *d);

/* An online backup of the SQLite database at `db` into the new file `out`. VG_EINVAL for a
 * PostgreSQL URI (its backups are pg_dump's: docs/DEPLOY.md), VG_ENOENT, VG_EEXIST (out
 * exists), VG_EIO. */
int vg_dbcopy_backup(const char *db, const char *out, struct vg_diag *d);

#endif
