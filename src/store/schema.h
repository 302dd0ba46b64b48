/* Embedded SQL migrations (src/store/schema/NNN_name.sql), generated into the build. */
#ifndef VG_STORE_SCHEMA_H
#define VG_STORE_SCHEMA_H

struct vg_migration {
    int version;      /* NNN of the file name; applied in increasing order */
    const char *name; /* file name */
    const char *sql;  /* the whole file */
};

/* Terminated by an entry with version 0. */
extern const struct vg_migration vg_schema_migrations[];
/* The PostgreSQL backend's (src/store/schema/pg/NNN_name.sql), the same way. */
extern const struct vg_migration vg_pg_migrations[];

#endif
