/* The site options (cli/site.h). */
#include "cli/site.h"

#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "util/version.h"

void vg_cli_site_init(struct vg_cli_site *s)
{
    memset(s, 0, sizeof *s);
    snprintf(s->generator, sizeof s->generator, "vigie %s", VG_VERSION);
    s->site.name = "CERT";
    s->site.lang = "fr";
    s->site.generator = s->generator;
    vg_cli_site_base(s, "http://127.0.0.1:8080");
}

void vg_cli_site_base(struct vg_cli_site *s, const char *url)
{
    size_t n = strlen(url);
    while (n && url[n - 1] == '/')
        n--;
    snprintf(s->base, sizeof s->base, "%.*s", (int)n, url);
    s->site.base_url = s->base;
    s->site.namespace = s->base;
}

int vg_cli_site_option(struct vg_cli_site *s, const char *cmd, int c, const char *arg)
{
    switch (c) {
    case VG_OPT_SITE_NAME:
        if (!*arg || strlen(arg) > 200)
            return vg_cli_usage(cmd, "--site-name must be 1 to 200 bytes"), -1;
        s->site.name = arg;
        return 0;
    case VG_OPT_SITE_URL:
        if ((strncmp(arg, "https://", 8) != 0 && strncmp(arg, "http://", 7) != 0) ||
            strlen(arg) >= sizeof s->base || strpbrk(arg, " \"<>\\^`{|}"))
            return vg_cli_usage(cmd, "--site-url must be an http(s) URL"), -1;
        vg_cli_site_base(s, arg);
        s->base_set = true;
        return 0;
    case VG_OPT_SITE_LANG:
        if (strcmp(arg, "fr") != 0 && strcmp(arg, "en") != 0)
            return vg_cli_usage(cmd, "--site-lang must be fr or en"), -1;
        s->site.lang = arg;
        return 0;
    case VG_OPT_SITE_CONTACT:
        if (strlen(arg) > 200)
            return vg_cli_usage(cmd, "--site-contact must be at most 200 bytes"), -1;
        s->site.contact = arg;
        return 0;
    default: return vg_cli_usage(cmd, "unknown option"), -1;
    }
}
