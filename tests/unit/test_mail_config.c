/* Unit tests of the mail settings (issue 15) on a real SQLite store: the setting store ops
 * (store/setting.h), the checks of `vigie config set` over the good and broken samples of
 * tests/data/mail_setting/, and vg_mail_config_load's precedence (environment, database,
 * default; the SMTP keys as a group). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <string.h>

#include "app/mail.h"
#include "store_fixture.h"

static const char *const env_names[] = {"VIGIE_SMTP_URL",      "VIGIE_SMTP_USER",
                                        "VIGIE_SMTP_PASSWORD", "VIGIE_SMTP_CAFILE",
                                        "VIGIE_MAIL_FROM",     "VIGIE_PUBLIC_URL"};

static void clear_env(void)
{
    for (size_t i = 0; i < sizeof env_names / sizeof env_names[0]; i++)
        unsetenv(env_names[i]);
}

static void store_ops(void **state)
{
    struct fixture *f = *state;
    struct vg_diag d;
    char v[64];
    assert_int_equal(vg_store_setting_get(f->st, "smtp.url", v, sizeof v, &d), VG_ENOENT);
    assert_string_equal(v, "");
    assert_int_equal(vg_store_setting_set(f->st, "smtp.url", "smtp://a:25", &d), 0);
    assert_int_equal(vg_store_setting_set(f->st, "mail.from", "x@y", &d), 0);
    assert_int_equal(vg_store_setting_set(f->st, "smtp.url", "smtp://b:26", &d), 0);
    assert_int_equal(vg_store_setting_get(f->st, "smtp.url", v, sizeof v, &d), 0);
    assert_string_equal(v, "smtp://b:26");
    /* a buffer one byte short: refused, not cut */
    assert_int_equal(vg_store_setting_get(f->st, "smtp.url", v, 11, &d), VG_EINVAL);
    assert_int_equal(vg_store_setting_get(f->st, "smtp.url", v, 12, &d), 0);
    json_t *out;
    assert_int_equal(vg_store_setting_list(f->st, &out, &d), 0);
    json_t *it = json_object_get(out, "items");
    assert_int_equal(json_array_size(it), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(it, 0), "key")),
                        "mail.from");
    assert_string_equal(json_string_value(json_object_get(json_array_get(it, 1), "value")),
                        "smtp://b:26");
    assert_int_equal(strlen(json_string_value(json_object_get(json_array_get(it, 1), "updated"))),
                     20);
    json_decref(out);
    assert_int_equal(vg_store_setting_unset(f->st, "smtp.url", &d), 0);
    assert_int_equal(vg_store_setting_unset(f->st, "smtp.url", &d), VG_ENOENT);
    assert_int_equal(vg_store_setting_get(f->st, "smtp.url", v, sizeof v, &d), VG_ENOENT);
    /* limits of the backend */
    char big[VG_SETTING_VALUE_MAX + 2];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_int_equal(vg_store_setting_set(f->st, "k", big, &d), VG_EINVAL);
    big[VG_SETTING_VALUE_MAX] = '\0';
    assert_int_equal(vg_store_setting_set(f->st, "k", big, &d), 0);
    assert_int_equal(vg_store_setting_set(f->st, "", "v", &d), VG_EINVAL);
}

/* Every sample of tests/data/mail_setting: good_* accepted, bad_* refused with the key named. */
static void samples(void **state)
{
    (void)state;
    DIR *dir = opendir("tests/data/mail_setting");
    assert_non_null(dir);
    struct dirent *e;
    int good = 0, bad = 0;
    while ((e = readdir(dir))) {
        if (e->d_name[0] == '.')
            continue;
        char path[512], buf[2048];
        snprintf(path, sizeof path, "tests/data/mail_setting/%s", e->d_name);
        FILE *fp = fopen(path, "rb");
        assert_non_null(fp);
        size_t n = fread(buf, 1, sizeof buf - 1, fp);
        fclose(fp);
        buf[n] = '\0';
        char *eq = strchr(buf, '=');
        const char *value = "";
        if (eq) {
            *eq = '\0';
            value = eq + 1;
        }
        struct vg_diag d;
        vg_diag_clear(&d);
        int rc = vg_mail_setting_check(buf, value, &d);
        if (!strncmp(e->d_name, "good_", 5)) {
            if (rc)
                fail_msg("%s refused: %s", e->d_name, d.message);
            good++;
        } else {
            if (rc != VG_EINVAL)
                fail_msg("%s accepted", e->d_name);
            /* the message names the key, or says the key is unknown */
            assert_non_null(strstr(d.message, buf[0] ? buf : "unknown key"));
            bad++;
        }
    }
    closedir(dir);
    assert_true(good >= 10);
    assert_true(bad >= 20);
}

static void load_precedence(void **state)
{
    struct fixture *f = *state;
    struct vg_diag d;
    struct vg_mail_config c;
    clear_env();
    assert_int_equal(vg_mail_config_load(f->st, &c, &d), 0);
    assert_string_equal(c.url, "");
    assert_string_equal(c.from, "vigie@localhost");
    assert_string_equal(c.public_url, "http://127.0.0.1:8080");
    assert_int_equal(vg_mail_setting_set(f->st, "smtp.url", "smtp://db.example:25", &d), 0);
    assert_int_equal(vg_mail_setting_set(f->st, "smtp.user", "dbuser", &d), 0);
    assert_int_equal(vg_mail_setting_set(f->st, "smtp.password", "dbpass", &d), 0);
    assert_int_equal(vg_mail_setting_set(f->st, "mail.from", "DB <db@example.org>", &d), 0);
    assert_int_equal(vg_mail_setting_set(f->st, "public.url", "https://db.example//", &d), 0);
    assert_int_equal(vg_mail_setting_set(f->st, "nope", "x", &d), VG_EINVAL);
    assert_int_equal(vg_mail_config_load(f->st, &c, &d), 0);
    assert_string_equal(c.url, "smtp://db.example:25");
    assert_string_equal(c.user, "dbuser");
    assert_string_equal(c.password, "dbpass");
    assert_string_equal(c.from, "DB <db@example.org>");
    assert_string_equal(c.public_url, "https://db.example");
    /* an environment's From wins over the database's, key by key */
    setenv("VIGIE_MAIL_FROM", "env@example.org", 1);
    assert_int_equal(vg_mail_config_load(f->st, &c, &d), 0);
    assert_string_equal(c.from, "env@example.org");
    assert_string_equal(c.url, "smtp://db.example:25");
    /* an environment's SMTP URL takes the group: the database's user and password are not
     * offered to that server */
    setenv("VIGIE_SMTP_URL", "smtp://env.example:2525", 1);
    assert_int_equal(vg_mail_config_load(f->st, &c, &d), 0);
    assert_string_equal(c.url, "smtp://env.example:2525");
    assert_string_equal(c.user, "");
    assert_string_equal(c.password, "");
    json_t *out;
    assert_int_equal(vg_mail_settings_list(f->st, "smtp.password", &out, &d), 0);
    json_t *it = json_array_get(json_object_get(out, "items"), 0);
    assert_true(json_is_null(json_object_get(it, "value")));
    assert_string_equal(json_string_value(json_object_get(it, "source")), "unset");
    assert_true(json_is_true(json_object_get(it, "shadowed")));
    json_decref(out);
    /* back to the database: the password is shown as (set), never itself */
    clear_env();
    assert_int_equal(vg_mail_settings_list(f->st, NULL, &out, &d), 0);
    it = json_object_get(out, "items");
    assert_int_equal(json_array_size(it), 6);
    json_t *pw = json_array_get(it, 2);
    assert_string_equal(json_string_value(json_object_get(pw, "key")), "smtp.password");
    assert_string_equal(json_string_value(json_object_get(pw, "value")), "(set)");
    assert_string_equal(json_string_value(json_object_get(pw, "source")), "database");
    assert_true(json_is_false(json_object_get(pw, "shadowed")));
    char *dump = json_dumps(out, 0);
    assert_null(strstr(dump, "dbpass"));
    free(dump);
    json_decref(out);
    assert_int_equal(vg_mail_settings_list(f->st, "smtp.port", &out, &d), VG_EINVAL);
    assert_int_equal(vg_mail_setting_unset(f->st, "smtp.user", &d), 0);
    assert_int_equal(vg_mail_setting_unset(f->st, "smtp.user", &d), VG_ENOENT);
    assert_int_equal(vg_mail_setting_unset(f->st, "smtp.port", &d), VG_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(store_ops, setup, teardown),
        cmocka_unit_test(samples),
        cmocka_unit_test_setup_teardown(load_precedence, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
