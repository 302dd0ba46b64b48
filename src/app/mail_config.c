/* Mail settings (issue 15): the environment's, then those stored in the database
 * (`vigie config set`), then the defaults; and the checks of `vigie config set`. */
#include "app/mail.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "notify/notify.h"

/* The known keys, their variables and where they go in struct vg_mail_config. smtp is true
 * for the keys of the SMTP server, taken as a group from one source. */
static const struct key {
    const char *name;
    const char *env;
    bool smtp;
    size_t off, cap;
} keys[] = {
    {"smtp.url", "VIGIE_SMTP_URL", true, offsetof(struct vg_mail_config, url),
     sizeof((struct vg_mail_config *)0)->url},
    {"smtp.user", "VIGIE_SMTP_USER", true, offsetof(struct vg_mail_config, user),
     sizeof((struct vg_mail_config *)0)->user},
    {"smtp.password", "VIGIE_SMTP_PASSWORD", true, offsetof(struct vg_mail_config, password),
     sizeof((struct vg_mail_config *)0)->password},
    {"smtp.cafile", "VIGIE_SMTP_CAFILE", true, offsetof(struct vg_mail_config, cafile),
     sizeof((struct vg_mail_config *)0)->cafile},
    {"mail.from", "VIGIE_MAIL_FROM", false, offsetof(struct vg_mail_config, from),
     sizeof((struct vg_mail_config *)0)->from},
    {"public.url", "VIGIE_PUBLIC_URL", false, offsetof(struct vg_mail_config, public_url),
     sizeof((struct vg_mail_config *)0)->public_url},
};
#define NKEYS (sizeof keys / sizeof keys[0])

static const struct key *find_key(const char *name)
{
    for (size_t i = 0; i < NKEYS; i++)
        if (!strcmp(keys[i].name, name))
            return &keys[i];
    return NULL;
}

static bool env_set(const char *name)
{
    const char *v = getenv(name);
    return v && *v;
}

/* Host of a URL: a name or IPv4 ([A-Za-z0-9.-]) or an IPv6 literal in brackets, then an
 * optional :port (1 to 65535). *p is moved past them. */
static bool url_host_port(const char **p)
{
    const char *s = *p, *h = s;
    if (*s == '[') {
        while (*++s && (isxdigit((unsigned char)*s) || *s == ':' || *s == '.'))
            ;
        if (*s != ']' || s == h + 1)
            return false;
        s++;
    } else {
        while (isalnum((unsigned char)*s) || *s == '.' || *s == '-')
            s++;
        if (s == h)
            return false;
    }
    if (*s == ':') {
        const char *n = ++s;
        long port = 0;
        while (isdigit((unsigned char)*s) && s - n < 6)
            port = port * 10 + (*s++ - '0');
        if (s == n || port < 1 || port > 65535)
            return false;
    }
    *p = s;
    return true;
}

static bool has_control(const char *v)
{
    for (const unsigned char *s = (const unsigned char *)v; *s; s++)
        if (*s < 0x20 || *s == 0x7f)
            return true;
    return false;
}

static int check_url(const char *key, const char *v, const char *const schemes[2],
                     struct vg_diag *d)
{
    const char *p = NULL;
    for (int i = 0; i < 2 && !p; i++)
        if (!strncmp(v, schemes[i], strlen(schemes[i])))
            p = v + strlen(schemes[i]);
    if (!p)
        return vg_diag_set(d, VG_EINVAL, key, "%s: the URL must start with %s or %s", key,
                           schemes[0], schemes[1]);
    if (strchr(p, '@'))
        return vg_diag_set(d, VG_EINVAL, key,
                           "%s: no credentials in the URL (smtp.user and smtp.password hold "
                           "them)",
                           key);
    if (!url_host_port(&p))
        return vg_diag_set(d, VG_EINVAL, key,
                           "%s: expected a host and an optional :port (1 to "
                           "65535) after the scheme",
                           key);
    if (*p && *p != '/')
        return vg_diag_set(d, VG_EINVAL, key, "%s: unexpected '%c' after the host", key, *p);
    for (; *p; p++)
        if (!isgraph((unsigned char)*p) || strchr("\"'<>\\`", *p))
            return vg_diag_set(d, VG_EINVAL, key, "%s: a space or a quote in the path", key);
    return 0;
}

static int check_from(const char *key, const char *v, struct vg_diag *d)
{
    char spec[320];
    if (vg_mime_addr_spec(v, spec, sizeof spec))
        return vg_diag_set(d, VG_EINVAL, key, "%s: not one address (\"a@b\" or \"Name <a@b>\")",
                           key);
    const char *at = strrchr(spec, '@');
    bool ok = at && at != spec && at[1];
    for (const char *s = spec; ok && *s; s++)
        ok = isgraph((unsigned char)*s) && !strchr("\"(),:;[]\\", *s);
    if (ok && strchr(v, '<') && strchr(v, '<') != strrchr(v, '<'))
        ok = false;
    if (!ok)
        return vg_diag_set(d, VG_EINVAL, key, "%s: '%s' is not a plain mailbox (local@domain)", key,
                           spec);
    return 0;
}

int vg_mail_setting_check(const char *key, const char *value, struct vg_diag *d)
{
    static const char *const smtp[2] = {"smtp://", "smtps://"};
    static const char *const http[2] = {"http://", "https://"};
    const struct key *k = key ? find_key(key) : NULL;
    if (!k)
        return vg_diag_set(d, VG_EINVAL, "key",
                           "unknown key '%s' (known: smtp.url, smtp.user, smtp.password, "
                           "smtp.cafile, mail.from, public.url)",
                           key ? key : "");
    if (!value || !*value)
        return vg_diag_set(d, VG_EINVAL, key,
                           "%s: empty value (`vigie config unset %s` removes "
                           "it)",
                           key, key);
    if (strlen(value) >= k->cap)
        return vg_diag_set(d, VG_EINVAL, key, "%s: longer than %zu bytes", key, k->cap - 1);
    if (has_control(value))
        return vg_diag_set(d, VG_EINVAL, key,
                           "%s: a control character (a line break?) in the "
                           "value",
                           key);
    if (!strcmp(key, "smtp.url"))
        return check_url(key, value, smtp, d);
    if (!strcmp(key, "public.url"))
        return check_url(key, value, http, d);
    if (!strcmp(key, "mail.from"))
        return check_from(key, value, d);
    if (!strcmp(key, "smtp.cafile")) {
        struct stat sb;
        if (value[0] != '/')
            return vg_diag_set(d, VG_EINVAL, key,
                               "%s: an absolute path, please (the server "
                               "may run elsewhere)",
                               key);
        if (stat(value, &sb) || !S_ISREG(sb.st_mode) || access(value, R_OK))
            return vg_diag_set(d, VG_EINVAL, key, "%s: %s is not a readable file", key, value);
    }
    return 0;
}

int vg_mail_setting_set(struct vg_store *st, const char *key, const char *value, struct vg_diag *d)
{
    if (vg_mail_setting_check(key, value, d))
        return VG_EINVAL;
    return vg_store_setting_set(st, key, value, d);
}

int vg_mail_setting_unset(struct vg_store *st, const char *key, struct vg_diag *d)
{
    if (!find_key(key))
        return vg_mail_setting_check(key, "", d);
    int rc = vg_store_setting_unset(st, key, d);
    if (rc == VG_ENOENT)
        return vg_diag_set(d, VG_ENOENT, key, "%s is not set in the database", key);
    return rc;
}

/* The database's settings as {key: value}. */
static int db_settings(struct vg_store *st, json_t **out, struct vg_diag *d)
{
    json_t *list = NULL;
    *out = NULL;
    int rc = vg_store_setting_list(st, &list, d);
    if (rc)
        return rc;
    json_t *o = json_object();
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(list, "items"), i, it) {
        const char *k = json_string_value(json_object_get(it, "key"));
        if (o && k)
            json_object_set(o, k, json_object_get(it, "value"));
    }
    json_decref(list);
    if (!o)
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    *out = o;
    return 0;
}

int vg_mail_config_load(struct vg_store *st, struct vg_mail_config *c, struct vg_diag *d)
{
    vg_mail_config_env(c);
    json_t *db = NULL;
    int rc = db_settings(st, &db, d);
    if (rc)
        return rc;
    bool smtp_env = env_set("VIGIE_SMTP_URL");
    for (size_t i = 0; i < NKEYS; i++) {
        const char *v = json_string_value(json_object_get(db, keys[i].name));
        if (!v || (keys[i].smtp ? smtp_env : env_set(keys[i].env)))
            continue;
        /* a value that does not fit was refused by `config set`: it is not taken cut */
        if (strlen(v) < keys[i].cap)
            snprintf((char *)c + keys[i].off, keys[i].cap, "%s", v);
    }
    json_decref(db);
    size_t n = strlen(c->public_url);
    while (n > 0 && c->public_url[n - 1] == '/')
        c->public_url[--n] = '\0';
    return 0;
}

int vg_mail_settings_list(struct vg_store *st, const char *key, json_t **out, struct vg_diag *d)
{
    *out = NULL;
    if (key && !find_key(key))
        return vg_mail_setting_check(key, "", d);
    json_t *db = NULL;
    int rc = db_settings(st, &db, d);
    if (rc)
        return rc;
    struct vg_mail_config dflt;
    vg_mail_config_env(&dflt);
    bool smtp_env = env_set("VIGIE_SMTP_URL");
    json_t *items = json_array();
    for (size_t i = 0; i < NKEYS && items; i++) {
        const struct key *k = &keys[i];
        if (key && strcmp(key, k->name))
            continue;
        const char *dbv = json_string_value(json_object_get(db, k->name));
        const char *envv = getenv(k->env);
        bool from_env = k->smtp ? smtp_env : env_set(k->env);
        const char *v = NULL, *src = "unset";
        if (from_env && envv && *envv)
            v = envv, src = "environment";
        else if (!from_env && dbv)
            v = dbv, src = "database";
        else if (!from_env && !strcmp(k->name, "mail.from"))
            v = dflt.from, src = "default";
        else if (!from_env && !strcmp(k->name, "public.url"))
            v = dflt.public_url, src = "default";
        json_t *val =
            !v ? json_null() : json_string(strcmp(k->name, "smtp.password") ? v : "(set)");
        json_array_append_new(items,
                              json_pack("{s:s,s:o,s:s,s:s,s:b}", "key", k->name, "value", val,
                                        "source", src, "env", k->env, "shadowed", from_env && dbv));
    }
    json_decref(db);
    if (!items || !(*out = json_pack("{s:o}", "items", items)))
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    return 0;
}
