/* Demo data for `make run`: a small constituency and two incidents, seeded once. */
#ifndef VG_CLI_DEMO_H
#define VG_CLI_DEMO_H

#include "app/auth.h"
#include "store/store.h"

/* Seeds the database at db if it has no organisation yet, then creates a fresh admin token
 * (written to token). 0 or an error with a message in d. */
int vg_demo_seed(const char *db, const struct vg_store_config *cfg, char token[VG_TOKEN_LEN + 1],
                 struct vg_diag *d);

#endif
