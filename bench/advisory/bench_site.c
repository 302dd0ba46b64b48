/* The published site's rendering (advisory/site.c) on N generated advisories (10,000 by
 * default): every file made in memory and counted, as `vigie advisory publish-site` makes
 * them before writing. Prints files, bytes, and wall and CPU seconds. Usage: bench_site [N]
 * [OUTDIR] (with OUTDIR, the files are also written there, for bench/advisory/peer.py and a
 * look). Deterministic: a fixed seed. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "advisory/site.h"
#include "util/mem.h"

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...)
{
    char buf[4096];
    va_list ap;
    va_start(ap, f);
    vsnprintf(buf, sizeof buf, f, ap);
    va_end(ap);
    return vg_strdup(buf);
}

static const char *vendors[] = {"Microsoft", "Cisco",   "Fortinet",           "Ivanti", "Apache",
                                "VMware",    "Siemens", "Schneider Electric", "SAP",    "Oracle"};
static const char *products[] = {"Windows Server",  "IOS XE",      "FortiOS",
                                 "Connect Secure",  "HTTP Server", "ESXi",
                                 "SIMATIC S7-1500", "EcoStruxure", "NetWeaver",
                                 "WebLogic Server"};

static void make(struct vg_advisory *a, int i)
{
    memset(a, 0, sizeof *a);
    int year = 2020 + i % 7;
    a->kind = (enum vg_adv_kind)(i % 10 == 0   ? VG_ADV_ALERTE
                                 : i % 17 == 0 ? VG_ADV_GUIDE
                                 : i % 13 == 0 ? VG_ADV_ACTUALITE
                                               : VG_ADV_AVIS);
    a->ref = fmt("VIGIE-%d-%s-%04d", year, vg_adv_kind_code(a->kind), i / 7 + 1);
    a->status = VG_ADV_PUBLISHED;
    a->tlp = VG_TLP_CLEAR;
    size_t v = (size_t)(next() % 10);
    a->title = fmt("Multiples vulnérabilités dans %s %s", vendors[v], products[v]);
    a->summary = fmt(
        "De multiples vulnérabilités ont été découvertes dans **%s %s**. Certaines d'entre elles "
        "permettent à un attaquant de provoquer une exécution de code arbitraire à distance, un "
        "déni de service à distance et une atteinte à la confidentialité des données.\n\n"
        "L'éditeur indique que la vulnérabilité `CVE-%d-%05d` est activement exploitée.\n\n"
        "| Produit | Versions | Corrigé |\n|---|---|---|\n| %s | < %d.%d.%d | %d.%d.%d |\n\n"
        "- premier point à vérifier sur les équipements exposés sur Internet ;\n"
        "- second point : appliquer les mesures de contournement si la mise à jour attend ;\n"
        "- troisième point : rechercher des traces de compromission (voir "
        "https://example.org/ioc).\n",
        vendors[v], products[v], year, (int)(next() % 99999), products[v], 1 + i % 9, i % 20, i % 7,
        1 + i % 9, i % 20, i % 7 + 1);
    a->solution = fmt("Se référer au bulletin de sécurité de l'éditeur pour l'obtention des "
                      "correctifs (cf. section Documentation). Mettre à jour vers la version "
                      "%d.%d.%d ou ultérieure.\n",
                      1 + i % 9, i % 20, i % 7 + 1);
    a->nrisks = 3;
    a->risks = vg_calloc(3, sizeof *a->risks);
    a->risks[0].kind = VG_RISK_RCE;
    a->risks[1].kind = VG_RISK_DOS;
    a->risks[2].kind = VG_RISK_DISCLOSURE;
    a->nsystems = 5;
    a->systems = vg_calloc(5, sizeof *a->systems);
    for (size_t k = 0; k < 5; k++) {
        struct vg_adv_system *s = &a->systems[k];
        s->vendor = vg_strdup(vendors[v]);
        s->product = fmt("%s %zu", products[v], k + 1);
        s->versions = fmt("< %zu.%d.%d", k + 1, i % 20, i % 7 + 1);
        s->fixed = fmt("%zu.%d.%d", k + 1, i % 20, i % 7 + 1);
        s->scada = v == 6 || v == 7;
    }
    a->ncves = 10;
    a->cves = vg_calloc(10, sizeof *a->cves);
    for (size_t k = 0; k < 10; k++) {
        a->cves[k].id = fmt("CVE-%d-%05d", year, (int)(next() % 99999));
        a->cves[k].cvss = k % 3 ? 9.8 : -1;
        a->cves[k].cvss_vector =
            k % 3 ? vg_strdup("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H") : NULL;
        a->cves[k].kev = k == 0;
    }
    a->nlinks = 3;
    a->links = vg_calloc(3, sizeof *a->links);
    a->links[0].title = fmt("Bulletin de sécurité %s du %d", vendors[v], year);
    a->links[0].url = fmt("https://vendor.example/advisories/%d-%d", year, i);
    a->links[0].vendor = true;
    a->links[0].published_at = fmt("%d-03-01T00:00:00Z", year);
    a->links[1].url = fmt("https://www.cve.org/CVERecord?id=%s", a->cves[0].id);
    a->links[2].title = vg_strdup("Guide d'hygiène informatique");
    a->links[2].url = vg_strdup("https://cyber.gouv.fr/guide-hygiene");
    a->nrevisions = 1 + (size_t)(i % 3);
    a->revisions = vg_calloc(a->nrevisions, sizeof *a->revisions);
    for (size_t k = 0; k < a->nrevisions; k++) {
        a->revisions[k].version = (int)k + 1;
        a->revisions[k].date =
            fmt("%d-%02d-%02dT%02d:%02d:00Z", year, 1 + i % 12, 1 + i % 27, (int)k + 8, i % 60);
        a->revisions[k].description =
            vg_strdup(k == 0 ? "Version initiale" : "Ajout de précisions sur l'exploitation");
    }
    a->version = (int)a->nrevisions;
    a->created_at = vg_strdup(a->revisions[0].date);
    a->updated_at = vg_strdup(a->revisions[a->nrevisions - 1].date);
    if (a->kind == VG_ADV_ALERTE && i % 20 == 0)
        a->closed_at = fmt("%d-12-31T00:00:00Z", year);
}

struct count {
    size_t files, bytes;
    const char *dir;
};

static int emit(void *ctx, const char *path, const char *type, const char *body, size_t len)
{
    (void)type;
    struct count *c = ctx;
    c->files++;
    c->bytes += len;
    if (!c->dir)
        return 0;
    char full[4096];
    snprintf(full, sizeof full, "%s/%s", c->dir, path);
    for (char *p = strchr(full + strlen(c->dir) + 1, '/'); p; p = strchr(p + 1, '/')) {
        *p = '\0';
        if (mkdir(full, 0755) && errno != EEXIST)
            return -1;
        *p = '/';
    }
    FILE *f = fopen(full, "wb");
    if (!f || fwrite(body, 1, len, f) != len) {
        if (f)
            fclose(f);
        return -1;
    }
    return fclose(f) ? -1 : 0;
}

static double secs(clockid_t id)
{
    struct timespec t;
    clock_gettime(id, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 10000;
    struct count c = {.dir = argc > 2 ? argv[2] : NULL};
    if (c.dir)
        mkdir(c.dir, 0755);
    struct vg_advisory *list = vg_calloc(n ? n : 1, sizeof *list);
    const struct vg_advisory **ptrs = vg_calloc(n ? n : 1, sizeof *ptrs);
    for (size_t i = 0; i < n; i++) {
        make(&list[i], (int)i);
        ptrs[i] = &list[i];
    }
    struct vg_adv_site site = {.name = "CERT Example",
                               .namespace = "https://cert.example.org",
                               .contact = "cert@example.org",
                               .base_url = "https://cert.example.org",
                               .lang = "fr",
                               .generator = "vigie bench"};
    struct vg_diag d = {0};
    double w0 = secs(CLOCK_MONOTONIC), c0 = secs(CLOCK_PROCESS_CPUTIME_ID);
    int rc = vg_adv_site_render(ptrs, n, &site, emit, &c, &d);
    double w1 = secs(CLOCK_MONOTONIC), c1 = secs(CLOCK_PROCESS_CPUTIME_ID);
    if (rc) {
        fprintf(stderr, "bench_site: %s\n", d.message);
        return 1;
    }
    printf("site of %zu advisories: %zu files, %.1f MB, %.3f s wall, %.3f s CPU%s\n", n, c.files,
           (double)c.bytes / 1e6, w1 - w0, c1 - c0, c.dir ? " (written to disk)" : " (in memory)");
    for (size_t i = 0; i < n; i++)
        vg_advisory_free(&list[i]);
    free(list);
    free(ptrs);
    return 0;
}
