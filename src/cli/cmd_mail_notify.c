/* `vigie mail notify`: one round of the periodic notifications by mail (app/notify.h): the
 * watch's digests that are due and the detection alerts not mailed yet, queued in the outbox
 * (`vigie mail send` delivers them). */
#include <stdio.h>
#include <time.h>

#include "app/notify.h"
#include "cli/commands.h"
#include "store/store.h"

int vg_cli_mail_notify(int argc, char **argv)
{
    const char *db;
    int first, u = vg_cli_db_only("mail", argc, argv, &db, &first);
    if (u)
        return u;
    if (first != argc)
        return vg_cli_usage("mail", "notify takes no operand");
    struct vg_store *st = vg_cli_store_open("mail", db);
    if (!st)
        return VG_EXIT_FAIL;
    struct vg_diag d;
    vg_diag_clear(&d);
    struct vg_notify_counts n;
    int rc = vg_notify_round(st, time(NULL), &n, &d);
    printf("digests %ld alerts %ld held %ld messages %ld\n", n.digests, n.alerts, n.alerts_held,
           n.messages);
    vg_store_close(st);
    return rc ? vg_cli_fail("mail", &d) : VG_EXIT_OK;
}
