/* Rendering benchmark of the publications (advisory/markdown.c, html.c, feed.c): N generated
 * advisories (default 10,000), each with a summary and a solution of about 1 KB of Markdown,
 * 5 affected systems, 10 CVEs, 3 references and 2 revisions. Times, in CPU time of the
 * process and wall time: vg_md_html on one summary, vg_adv_html_page on every advisory, the
 * list pages (50 a page), and the Atom and RSS feeds of all N. One thread.
 *   bench_render [N] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "advisory/render.h"
#include "util/limits.h"
#include "util/mem.h"
#include "util/time.h"

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *S(const char *s)
{
    return vg_strdup(s);
}

static const char summary[] =
    "De multiples vulnérabilités ont été découvertes dans **Apache HTTP Server**. Certaines "
    "d'entre elles permettent à un attaquant de provoquer une exécution de code arbitraire à "
    "distance, un déni de service à distance et une atteinte à la confidentialité des "
    "données.\n\n"
    "## Détails\n\n"
    "- `mod_proxy` : une requête forgée provoque un débordement de tampon ;\n"
    "- `mod_http2` : un flux de trames `CONTINUATION` épuise la mémoire du serveur ;\n"
    "- `mod_rewrite` : une règle mal écrite permet de lire des fichiers hors du site.\n\n"
    "| Module | Risque | Version corrigée |\n|---|---|---|\n"
    "| mod_proxy | Exécution de code | 2.4.58 |\n| mod_http2 | Déni de service | 2.4.58 |\n"
    "| mod_rewrite | Confidentialité | 2.4.58 |\n\n"
    "L'éditeur indique que la vulnérabilité CVE-2024-0001 est activement exploitée. Voir "
    "le [bulletin de l'éditeur](https://httpd.apache.org/security/vulnerabilities_24.html) et "
    "https://www.cert.ssi.gouv.fr/ pour le détail.\n";

static const char solution[] =
    "Se référer au bulletin de sécurité de l'éditeur pour l'obtention des correctifs (cf. "
    "section Documentation).\n\n"
    "1. Mettre à jour Apache HTTP Server en version **2.4.58** ou ultérieure ;\n"
    "2. à défaut, désactiver `mod_http2` et `mod_proxy` :\n\n"
    "```apache\n# httpd.conf\n#LoadModule proxy_module modules/mod_proxy.so\n"
    "#LoadModule http2_module modules/mod_http2.so\n```\n\n"
    "3. redémarrer le service et vérifier la version avec `httpd -v` ;\n"
    "4. rechercher dans les journaux d'accès des requêtes anormalement longues vers "
    "`/proxy/` depuis le 1er mars, signe d'une exploitation antérieure au correctif.\n\n"
    "> Les systèmes exposés sur Internet doivent être traités en priorité, sous 48 heures.\n\n"
    "Pour toute question, contacter le CERT à l'adresse cert@example.org en précisant la "
    "référence de l'avis. ~~Ancienne recommandation supprimée.~~\n";

static void make(struct vg_advisory *a, int i)
{
    memset(a, 0, sizeof *a);
    char s[128];
    enum vg_adv_kind kinds[] = {VG_ADV_AVIS, VG_ADV_AVIS, VG_ADV_AVIS, VG_ADV_ALERTE,
                                VG_ADV_ACTUALITE};
    a->kind = kinds[i % 5];
    snprintf(s, sizeof s, "VIGIE-%d-%s-%04d", 2016 + i / 1000, vg_adv_kind_code(a->kind),
             i % 1000 + 1);
    a->ref = S(s);
    a->status = VG_ADV_PUBLISHED;
    a->version = 2;
    a->tlp = VG_TLP_CLEAR;
    snprintf(s, sizeof s, "Multiples vulnérabilités dans Apache HTTP Server (%d)", i);
    a->title = S(s);
    a->summary = S(summary);
    a->solution = S(solution);
    a->nrisks = 3;
    a->risks = vg_calloc(3, sizeof *a->risks);
    a->risks[0].kind = VG_RISK_RCE;
    a->risks[1].kind = VG_RISK_DOS;
    a->risks[2].kind = VG_RISK_DISCLOSURE;
    a->nsystems = 5;
    a->systems = vg_calloc(5, sizeof *a->systems);
    for (int k = 0; k < 5; k++) {
        snprintf(s, sizeof s, "cpe:2.3:a:apache:http_server_%d:*:*:*:*:*:*:*:*", k);
        a->systems[k] = (struct vg_adv_system){S("Apache"),
                                               S("HTTP Server"),
                                               S("versions antérieures à 2.4.58"),
                                               S("2.4.58"),
                                               S(s),
                                               k == 4};
    }
    a->ncves = 10;
    a->cves = vg_calloc(10, sizeof *a->cves);
    for (int k = 0; k < 10; k++) {
        snprintf(s, sizeof s, "CVE-2024-%05d", i * 10 + k);
        a->cves[k] = (struct vg_adv_cve){S(s), 7.5 + k % 3,
                                         S("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"), k == 0};
    }
    a->nlinks = 3;
    a->links = vg_calloc(3, sizeof *a->links);
    a->links[0] = (struct vg_adv_link){S("Bulletin de sécurité Apache"),
                                       S("https://httpd.apache.org/security/"),
                                       S("2024-03-01T00:00:00Z"), true};
    a->links[1] = (struct vg_adv_link){S("Catalogue KEV"),
                                       S("https://www.cisa.gov/known-exploited-vulnerabilities"),
                                       NULL, false};
    a->links[2] = (struct vg_adv_link){NULL, S("https://www.cert.ssi.gouv.fr/"), NULL, false};
    a->nrevisions = 2;
    a->revisions = vg_calloc(2, sizeof *a->revisions);
    time_t t = 1451606400 + (time_t)i * 31000; /* 2016 onwards, newest last */
    char d[VG_TIME_LEN];
    vg_time_fmt(t, d);
    a->revisions[0] = (struct vg_adv_revision){1, S(d), S("Version initiale")};
    vg_time_fmt(t + 86400, d);
    a->revisions[1] = (struct vg_adv_revision){2, S(d), S("Ajout d'une CVE")};
    a->created_at = S(d);
    a->updated_at = S(d);
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? strtol(argv[1], NULL, 10) : 10000;
    if (n < 1 || n > 1000000) {
        fprintf(stderr, "usage: bench_render [N]\n");
        return 2;
    }
    struct vg_adv_site site = {"CERT Exemple",
                               "https://cert.example.org",
                               "cert@example.org",
                               "https://cert.example.org",
                               "fr",
                               "vigie bench"};
    struct vg_advisory *advs = vg_calloc((size_t)n, sizeof *advs);
    const struct vg_advisory **list = vg_calloc((size_t)n, sizeof *list);
    for (long i = 0; i < n; i++) {
        make(&advs[i], (int)i);
        list[n - 1 - i] = &advs[i]; /* newest first */
    }
    struct vg_buf b;
    vg_buf_init(&b, VG_MAX_BUF);

    /* Markdown alone: the summary, n times. */
    double c0 = cpu_now(), w0 = vg_time_mono();
    for (long i = 0; i < n; i++) {
        vg_buf_reset(&b);
        if (vg_md_html(summary, sizeof summary - 1, &b) != 0)
            return 1;
    }
    double c1 = cpu_now(), w1 = vg_time_mono();
    printf("vg_md_html (summary, %zu bytes): %.1f us each (cpu), %.1f us (wall)\n",
           sizeof summary - 1, (c1 - c0) / (double)n * 1e6, (w1 - w0) / (double)n * 1e6);

    size_t bytes = 0;
    c0 = cpu_now();
    w0 = vg_time_mono();
    for (long i = 0; i < n; i++) {
        vg_buf_reset(&b);
        if (vg_adv_html_page(&advs[i], &site, "/advisories", &b) != 0)
            return 1;
        bytes += b.len;
    }
    c1 = cpu_now();
    w1 = vg_time_mono();
    printf("vg_adv_html_page: %ld pages, %.1f us each (cpu), %.3f s total (cpu), %.3f s "
           "(wall), %zu bytes a page\n",
           n, (c1 - c0) / (double)n * 1e6, c1 - c0, w1 - w0, bytes / (size_t)n);

    int years[16];
    size_t nyears = 0;
    for (int y = 2016 + (int)((n - 1) / 1000); y >= 2016 && nyears < 16; y--)
        years[nyears++] = y;
    long pages = 0;
    c0 = cpu_now();
    w0 = vg_time_mono();
    for (long off = 0; off < n; off += VG_DEFAULT_PAGE) {
        size_t count = (size_t)(n - off < VG_DEFAULT_PAGE ? n - off : VG_DEFAULT_PAGE);
        struct vg_adv_list_view v = {"/advisories",
                                     "Avis et alertes",
                                     -1,
                                     0,
                                     (int)(off / VG_DEFAULT_PAGE) + 1,
                                     off + VG_DEFAULT_PAGE < n,
                                     years,
                                     nyears};
        vg_buf_reset(&b);
        if (vg_adv_html_list(list + off, count, &v, &site, &b) != 0)
            return 1;
        pages++;
    }
    c1 = cpu_now();
    w1 = vg_time_mono();
    printf("vg_adv_html_list: %ld pages of %d, %.1f us each (cpu), %.3f s total (cpu), %.3f s "
           "(wall)\n",
           pages, VG_DEFAULT_PAGE, (c1 - c0) / (double)pages * 1e6, c1 - c0, w1 - w0);

    for (int rss = 0; rss < 2; rss++) {
        vg_buf_reset(&b);
        c0 = cpu_now();
        w0 = vg_time_mono();
        int rc =
            rss ? vg_adv_rss(list, (size_t)n, "Avis et alertes",
                             "https://cert.example.org/advisories/feed/", &site, "/advisories", &b)
                : vg_adv_atom(list, (size_t)n, "Avis et alertes",
                              "https://cert.example.org/advisories/feed.atom", &site, "/advisories",
                              &b);
        c1 = cpu_now();
        w1 = vg_time_mono();
        if (rc != 0)
            return 1;
        printf("%s: %ld entries, %.3f s (cpu), %.3f s (wall), %zu bytes\n",
               rss ? "vg_adv_rss" : "vg_adv_atom", n, c1 - c0, w1 - w0, b.len);
    }
    vg_buf_cleanup(&b);
    for (long i = 0; i < n; i++)
        vg_advisory_free(&advs[i]);
    free(advs);
    free(list);
    return 0;
}
