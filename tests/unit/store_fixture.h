/* A temporary SQLite store for unit tests: setup opens a fresh database in a new folder under
 * /tmp, teardown closes it and removes the files. Include after cmocka and store.h. */
#ifndef VG_TEST_STORE_FIXTURE_H
#define VG_TEST_STORE_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "store/store.h"

struct fixture {
    char dir[64];
    char path[128];
    struct vg_store *st;
};

static const struct vg_actor who = {1, "tester", "admin"};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/vigie-store-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->path, sizeof f->path, "%s/v.db", f->dir);
    struct vg_diag d;
    f->st = vg_store_open(f->path, NULL, &d);
    if (!f->st)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    vg_store_close(f->st);
    char p[160];
    const char *sfx[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s%s", f->path, sfx[i]);
        unlink(p);
    }
    rmdir(f->dir);
    free(f);
    return 0;
}

#endif
