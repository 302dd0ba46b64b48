/* libFuzzer target of the crisis cell's checks (src/crisis/crisis.c), its TLP gate per member
 * and its mail texts (src/notify/templates_crisis.c). The input is read as a JSON document and
 * given to every check. Properties:
 *  - a refusal of a JSON object names a field by a JSON pointer ("" for the whole body);
 *  - whatever a check accepts is a fixed point: checked again it is accepted and equal;
 *  - for an accepted member, the gate never lets TLP:RED go, nor AMBER+STRICT to a partner
 *    or a person, and always gives a reason when it withholds;
 *  - the mail texts of an accepted crisis and member carry their values escaped in the HTML
 *    (the escaped form is there), and no control character in the subject;
 *  - vg_crisis_reminder_due is false for a schedule of 0 hours and reads any bytes safely. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/tlp.h"
#include "crisis/crisis.h"
#include "notify/crisismail.h"
#include "util/json.h"

typedef int (*check_fn)(const json_t *in, json_t **out, struct vg_diag *d);

static int create(const json_t *in, json_t **out, struct vg_diag *d)
{
    return vg_crisis_check(in, VG_CRISIS_CREATE, out, d);
}

static int patch(const json_t *in, json_t **out, struct vg_diag *d)
{
    return vg_crisis_check(in, VG_CRISIS_PATCH, out, d);
}

/* check(in): a refusal names a pointer; an acceptance is a fixed point. *out = the accepted. */
static void fixed_point(const char *what, check_fn check, const json_t *in, json_t **kept)
{
    json_t *out = NULL, *again = NULL;
    struct vg_diag d;
    vg_diag_clear(&d);
    int rc = check(in, &out, &d);
    if (rc != 0) {
        if (json_is_object(in) && d.field[0] != '/' && d.field[0] != '\0') {
            fprintf(stderr, "%s refused without a pointer: '%s' (%s)\n", what, d.field, d.message);
            abort();
        }
        return;
    }
    if (check(out, &again, &d) != 0 || !json_equal(out, again)) {
        fprintf(stderr, "%s: its own output not a fixed point (%s)\n", what, d.message);
        abort();
    }
    json_decref(again);
    if (kept)
        *kept = out;
    else
        json_decref(out);
}

static void gate(const json_t *m)
{
    static const char *const tlps[] = {"CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED", NULL};
    json_t *orgs = json_pack("[I]", json_integer_value(json_object_get(m, "org_id")));
    const char *kind = vg_json_str(m, "kind");
    for (int i = 0; tlps[i]; i++) {
        for (int max = 0; max < 3; max++) {
            const char *why = NULL;
            bool ok = vg_crisis_may_send(tlps[i], m, max == 2 ? NULL : tlps[max + 1], orgs, &why);
            bool strict = i == 3 && strcmp(kind, "contact") != 0;
            if ((ok && (i == 4 || strict)) || (!ok && !why) || (ok && why)) {
                fprintf(stderr, "gate: %s to a %s: %d (%s)\n", tlps[i], kind, ok,
                        why ? why : "no reason");
                abort();
            }
        }
    }
    json_decref(orgs);
}

static void texts(const json_t *c, const json_t *m)
{
    struct vg_buf s, t, h;
    vg_buf_init(&s, 1 << 16);
    vg_buf_init(&t, 1 << 20);
    vg_buf_init(&h, 1 << 21);
    vg_notify_crisis_rollcall(c, vg_json_str(m, "lang"), vg_json_str(m, "name"),
                              "https://x.example/ack/00", &s, &t, &h);
    for (size_t i = 0; i < s.len; i++)
        if ((unsigned char)s.data[i] < 0x20) {
            fprintf(stderr, "control character in a subject\n");
            abort();
        }
    const char *vals[] = {vg_json_str(c, "title"), vg_json_str(m, "name")};
    for (int i = 0; i < 2 && !h.failed; i++) {
        struct vg_buf e;
        vg_buf_init(&e, 1 << 20);
        vg_buf_put_html(&e, vals[i], strlen(vals[i]));
        if (!e.failed && e.len && !strstr(h.data, e.data)) {
            fprintf(stderr, "a value not escaped in the HTML: %s\n", vals[i]);
            abort();
        }
        vg_buf_cleanup(&e);
    }
    vg_buf_cleanup(&s);
    vg_buf_cleanup(&t);
    vg_buf_cleanup(&h);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *in = json_loadb((const char *)data, size, JSON_ALLOW_NUL, NULL);
    if (!in) {
        char *s = malloc(size + 1);
        if (!s)
            return 0;
        memcpy(s, data, size);
        s[size] = '\0';
        if (vg_crisis_reminder_due(s, s, 0, 0) || vg_crisis_reminder_due(s, NULL, 0, 1LL << 40))
            abort();
        (void)vg_crisis_reminder_due(s, NULL, 1, 1LL << 31);
        free(s);
        return 0;
    }
    json_t *c = NULL, *m = NULL;
    fixed_point("crisis", create, in, &c);
    fixed_point("patch", patch, in, NULL);
    fixed_point("member", vg_crisis_member_check, in, &m);
    fixed_point("log", vg_crisis_log_check, in, NULL);
    fixed_point("sitrep", vg_crisis_sitrep_check, in, NULL);
    fixed_point("close", vg_crisis_close_check, in, NULL);
    if (m) {
        gate(m);
        json_t *dflt = json_pack("{s:s,s:s}", "title", "T <b>", "level", "major");
        texts(c ? c : dflt, m);
        json_decref(dflt);
    }
    json_decref(c);
    json_decref(m);
    json_decref(in);
    return 0;
}
