/* The mandatory tests of CSAF 2.0's section 6.1 (advisory/csaf.h), one function per test, run
 * in the standard's order. */
#include <string.h>

#include "advisory/csaf.h"

struct csaf_test {
    const char *id;
    void (*run)(const json_t *doc, struct vg_csaf_report *rep);
};

static const struct csaf_test tests[] = {
    {NULL, NULL},
};

const char *const vg_csaf_mandatory_implemented[] = {NULL};

void vg_csaf_check_mandatory(const json_t *doc, const char *only, struct vg_csaf_report *rep)
{
    if (!json_is_object(doc))
        return;
    for (const struct csaf_test *t = tests; t->id; t++)
        if (!only || strcmp(only, t->id) == 0)
            t->run(doc, rep);
}
