/* libFuzzer target: the CSAF 2.0 checker (advisory/csaf.h). Bytes are parsed by jansson as
 * `vigie csaf validate` parses them (duplicate keys refused, jansson's own depth limit) and the
 * document goes through both stages: every failure names a test and a JSON pointer that is
 * empty or starts with "/", and the report holds at most VG_CSAF_MAX_ISSUES. The schema stage
 * alone must find the same failures twice (no state kept between runs). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "advisory/csaf.h"
#include "util/json.h"

static void check_report(const struct vg_csaf_report *rep)
{
    if (rep->n > VG_CSAF_MAX_ISSUES || (rep->truncated && rep->n != VG_CSAF_MAX_ISSUES))
        abort();
    for (size_t i = 0; i < rep->n; i++) {
        const struct vg_csaf_issue *it = &rep->items[i];
        if (!it->test[0] || !it->message[0])
            abort();
        if (it->pointer[0] && it->pointer[0] != '/')
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_error_t err;
    json_t *doc = vg_json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &err);
    if (!doc)
        return 0;
    struct vg_csaf_report rep = {0}, again = {0};
    size_t n = vg_csaf_check(doc, &rep);
    if (n != rep.n)
        abort();
    check_report(&rep);
    vg_csaf_check_schema(doc, &again);
    check_report(&again);
    for (size_t i = 0; i < again.n; i++)
        if (strcmp(again.items[i].test, "schema") != 0 || i >= rep.n ||
            strcmp(again.items[i].pointer, rep.items[i].pointer) != 0 ||
            strcmp(again.items[i].message, rep.items[i].message) != 0)
            abort();
    vg_csaf_report_free(&again);
    vg_csaf_report_free(&rep);
    json_decref(doc);
    return 0;
}
