/* Demo data for `make run`: a small constituency, two incidents, an advisory and an alert
 * on products it holds, and the guides shipped with vigie (the Markdown files of guides/), seeded
 * once. */
#ifndef VG_CLI_DEMO_H
#define VG_CLI_DEMO_H

#include "app/auth.h"
#include "store/store.h"

/* A text file embedded in the binary (scripts/embed_text.sh). */
struct vg_demo_text {
    const char *name;
    const char *text;
};
/* The guides (the Markdown files of guides/), ended by {0, 0}. Each starts with "# Title" and a
 * line
 * "[ref]: # (GUIDE-NAME)" (guides/README.md). */
extern const struct vg_demo_text vg_demo_guides[];

/* The demo's admin and the length of the console password it gets at each start. */
#define VG_DEMO_ADMIN        "admin"
#define VG_DEMO_PASSWORD_LEN 20

/* Seeds the database at db if it has no organisation yet, then creates a fresh API token for
 * the admin (written to token) and gives it a fresh random console password (written to
 * password, stored as its Argon2id hash): both shown once. 0 or an error with a message in d. */
int vg_demo_seed(const char *db, const struct vg_store_config *cfg, char token[VG_TOKEN_LEN + 1],
                 char password[VG_DEMO_PASSWORD_LEN + 1], struct vg_diag *d);

#endif
