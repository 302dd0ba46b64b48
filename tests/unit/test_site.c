/* The published site, file by file (advisory/site.c): paths, order, the CSAF folder's index,
 * changes and hashes, the provider metadata, and what stops a rendering. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "advisory/site.h"
#include "util/mem.h"

static const struct vg_adv_site site = {.name = "CERT Test",
                                        .namespace = "https://cert.example.test",
                                        .contact = "cert@example.test",
                                        .base_url = "https://cert.example.test",
                                        .lang = "fr",
                                        .generator = "vigie test"};

/* A published advisory of kind k, first published at first, last at last (NULL: once). */
static void make(struct vg_advisory *a, const char *ref, enum vg_adv_kind k, const char *first,
                 const char *last)
{
    memset(a, 0, sizeof *a);
    a->ref = vg_strdup(ref);
    a->kind = k;
    a->status = VG_ADV_PUBLISHED;
    a->tlp = VG_TLP_CLEAR;
    a->title = vg_strdup("Vulnérabilité dans Acme Gateway");
    a->summary = vg_strdup("Une vulnérabilité **critique**.");
    a->solution = vg_strdup("Mettre à jour.");
    a->nrevisions = last ? 2 : 1;
    a->revisions = vg_calloc(a->nrevisions, sizeof *a->revisions);
    a->revisions[0] = (struct vg_adv_revision){1, vg_strdup(first), vg_strdup("Version initiale")};
    if (last)
        a->revisions[1] = (struct vg_adv_revision){2, vg_strdup(last), vg_strdup("Mise à jour")};
    a->version = (int)a->nrevisions;
    if (k != VG_ADV_GUIDE) {
        a->nsystems = 1;
        a->systems = vg_calloc(1, sizeof *a->systems);
        a->systems[0].vendor = vg_strdup("Acme");
        a->systems[0].product = vg_strdup("Gateway");
        a->systems[0].versions = vg_strdup("< 2.1");
        a->systems[0].fixed = vg_strdup("2.1");
    }
}

/* Files a rendering gave, by path. */
struct files {
    char *path[4096];
    char *body[4096];
    size_t len[4096];
    size_t n;
    int stop_at; /* emit answers 7 on this file (1-based), 0: never */
};

static int collect(void *ctx, const char *path, const char *type, const char *body, size_t len)
{
    struct files *f = ctx;
    assert_non_null(type);
    assert_true(f->n < 4096);
    if (f->stop_at && (int)f->n + 1 == f->stop_at)
        return 7;
    f->path[f->n] = vg_strdup(path);
    f->body[f->n] = vg_malloc(len + 1);
    memcpy(f->body[f->n], body, len);
    f->body[f->n][len] = '\0';
    f->len[f->n] = len;
    f->n++;
    return 0;
}

static void files_free(struct files *f)
{
    for (size_t i = 0; i < f->n; i++) {
        free(f->path[i]);
        free(f->body[i]);
    }
    free(f);
}

static const char *file(const struct files *f, const char *path)
{
    for (size_t i = 0; i < f->n; i++)
        if (strcmp(f->path[i], path) == 0)
            return f->body[i];
    return NULL;
}

static size_t file_len(const struct files *f, const char *path)
{
    for (size_t i = 0; i < f->n; i++)
        if (strcmp(f->path[i], path) == 0)
            return f->len[i];
    return 0;
}

static void paths_and_order(void **state)
{
    (void)state;
    struct vg_advisory a[3];
    make(&a[0], "VIGIE-2025-AVI-0007", VG_ADV_AVIS, "2025-03-01T10:00:00Z", "2026-02-01T10:00:00Z");
    make(&a[1], "VIGIE-2026-ALE-0001", VG_ADV_ALERTE, "2026-01-10T10:00:00Z", NULL);
    make(&a[2], "VIGIE-2026-GUI-0001", VG_ADV_GUIDE, "2026-01-05T10:00:00Z", NULL);
    char path[200];
    assert_int_equal(vg_adv_csaf_path(&a[0], path, sizeof path), 0);
    /* the year of the first version, the file name of section 5.1 */
    assert_string_equal(path, "white/2025/vigie-2025-avi-0007.json");
    assert_int_equal(vg_adv_csaf_path(&a[0], path, 20), VG_ETOOBIG);

    const struct vg_advisory *list[3] = {&a[1], &a[2], &a[0]};
    vg_adv_sort_newest(list, 3);
    /* newest last version first: the avis revised in 2026-02 */
    assert_ptr_equal(list[0], &a[0]);
    assert_ptr_equal(list[1], &a[1]);
    assert_ptr_equal(list[2], &a[2]);

    struct files *f = vg_calloc(1, sizeof *f);
    struct vg_diag d = {0};
    assert_int_equal(vg_adv_site_render(list, 3, &site, collect, f, &d), 0);
    static const char *const want[] = {
        "advisories/index.html",
        "advisories/VIGIE-2025-AVI-0007/index.html",
        "advisories/VIGIE-2025-AVI-0007/json/index.json",
        "advisories/VIGIE-2026-ALE-0001/index.html",
        "advisories/avis/index.html",
        "advisories/alerte/index.html",
        "advisories/2025/index.html",
        "advisories/2026/index.html",
        "advisories/avis/2025/index.html",
        "advisories/alerte/2026/index.html",
        "advisories/alerte/2025/index.html", /* every filter a list page links to */
        "advisories/feed.atom",
        "advisories/feed/index.xml",
        "advisories/avis/feed.atom",
        "advisories/avis/feed/index.xml",
        "advisories/json/index.json",
        "guides/index.html",
        "guides/VIGIE-2026-GUI-0001/index.html",
        "guides/VIGIE-2026-GUI-0001/json/index.json",
        "guides/2026/index.html",
        "guides/feed.atom",
        "guides/json/index.json",
        ".well-known/csaf/white/2025/vigie-2025-avi-0007.json",
        ".well-known/csaf/white/2025/vigie-2025-avi-0007.json.sha256",
        ".well-known/csaf/white/2025/vigie-2025-avi-0007.json.sha512",
        ".well-known/csaf/white/2026/vigie-2026-ale-0001.json",
        ".well-known/csaf/white/index.txt",
        ".well-known/csaf/white/changes.csv",
        ".well-known/csaf/provider-metadata.json",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!file(f, want[i]))
            fail_msg("no file %s", want[i]);
    /* guides have no CSAF document, and are not in the advisories' lists */
    for (size_t i = 0; i < f->n; i++) {
        assert_null(strstr(f->path[i], "gui-0001.json"));
        assert_null(strstr(f->path[i], "guide/"));
    }
    assert_null(strstr(file(f, "advisories/index.html"), "VIGIE-2026-GUI-0001"));
    assert_non_null(strstr(file(f, "guides/index.html"), "VIGIE-2026-GUI-0001"));
    /* each JSON list points at its own pages */
    assert_non_null(strstr(file(f, "guides/json/index.json"),
                           "\"https://cert.example.test/guides/VIGIE-2026-GUI-0001/json/\""));
    assert_non_null(strstr(file(f, "advisories/json/index.json"),
                           "\"https://cert.example.test/advisories/VIGIE-2026-ALE-0001/json/\""));
    /* the folder's index and changes, newest first, relative to white/ */
    assert_string_equal(file(f, ".well-known/csaf/white/index.txt"),
                        "2025/vigie-2025-avi-0007.json\n2026/vigie-2026-ale-0001.json\n");
    assert_string_equal(file(f, ".well-known/csaf/white/changes.csv"),
                        "\"2025/vigie-2025-avi-0007.json\",\"2026-02-01T10:00:00Z\"\n"
                        "\"2026/vigie-2026-ale-0001.json\",\"2026-01-10T10:00:00Z\"\n");
    /* the hashes are those of the document's bytes, as sha256sum writes them */
    const char *doc = file(f, ".well-known/csaf/white/2025/vigie-2025-avi-0007.json");
    size_t len = file_len(f, ".well-known/csaf/white/2025/vigie-2025-avi-0007.json");
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)doc, len);
    char line[200];
    int n = 0;
    for (size_t i = 0; i < sizeof h; i++)
        n += snprintf(line + n, sizeof line - (size_t)n, "%02x", h[i]);
    snprintf(line + n, sizeof line - (size_t)n, "  vigie-2025-avi-0007.json\n");
    assert_string_equal(file(f, ".well-known/csaf/white/2025/vigie-2025-avi-0007.json.sha256"),
                        line);
    assert_int_equal(strlen(file(f, ".well-known/csaf/white/2025/vigie-2025-avi-0007.json.sha512")),
                     128 + 2 + strlen("vigie-2025-avi-0007.json") + 1);
    /* reals as written, not 9.8000000000000007 */
    assert_null(strstr(doc, "00000000"));
    files_free(f);
    for (int i = 0; i < 3; i++)
        vg_advisory_free(&a[i]);
}

static void provider_metadata(void **state)
{
    (void)state;
    json_t *m = vg_adv_provider_metadata(&site, "2026-02-01T10:00:00Z");
    assert_string_equal(json_string_value(json_object_get(m, "canonical_url")),
                        "https://cert.example.test/.well-known/csaf/provider-metadata.json");
    json_t *dist = json_array_get(json_object_get(m, "distributions"), 0);
    assert_string_equal(json_string_value(json_object_get(dist, "directory_url")),
                        "https://cert.example.test/.well-known/csaf/white/");
    assert_string_equal(json_string_value(json_object_get(m, "role")), "csaf_provider");
    assert_string_equal(json_string_value(json_object_get(m, "last_updated")),
                        "2026-02-01T10:00:00Z");
    assert_string_equal(json_string_value(json_object_get(m, "metadata_version")), "2.0");
    json_t *p = json_object_get(m, "publisher");
    assert_string_equal(json_string_value(json_object_get(p, "name")), "CERT Test");
    assert_string_equal(json_string_value(json_object_get(p, "namespace")),
                        "https://cert.example.test");
    assert_string_equal(json_string_value(json_object_get(p, "contact_details")),
                        "cert@example.test");
    json_decref(m);
    m = vg_adv_provider_metadata(&site, NULL); /* no advisory yet */
    assert_string_equal(json_string_value(json_object_get(m, "last_updated")),
                        "1970-01-01T00:00:00Z");
    json_decref(m);
}

static void what_stops_a_rendering(void **state)
{
    (void)state;
    struct vg_advisory a;
    make(&a, "VIGIE-2026-AVI-0001", VG_ADV_AVIS, "2026-01-10T10:00:00Z", NULL);
    const struct vg_advisory *list[1] = {&a};
    struct vg_diag d = {0};
    /* the emit function's answer stops the rendering and is returned */
    struct files *f = vg_calloc(1, sizeof *f);
    f->stop_at = 3;
    assert_int_equal(vg_adv_site_render(list, 1, &site, collect, f, &d), 7);
    assert_int_equal(f->n, 2);
    files_free(f);
    /* a reference that cannot name a folder */
    free(a.ref);
    a.ref = vg_strdup("../../etc/x");
    f = vg_calloc(1, sizeof *f);
    assert_int_equal(vg_adv_site_render(list, 1, &site, collect, f, &d), VG_EINVAL);
    assert_non_null(strstr(d.message, "cannot name a page"));
    for (size_t i = 0; i < f->n; i++)
        assert_null(strstr(f->path[i], ".."));
    files_free(f);
    /* an avis whose CSAF document cannot be made: named, nothing of its CSAF written */
    free(a.ref);
    a.ref = vg_strdup("VIGIE-2026-AVI-0002");
    free(a.systems[0].vendor);
    free(a.systems[0].product);
    free(a.systems[0].versions);
    free(a.systems[0].fixed);
    free(a.systems);
    a.systems = NULL;
    a.nsystems = 0;
    f = vg_calloc(1, sizeof *f);
    vg_diag_clear(&d);
    assert_int_equal(vg_adv_site_render(list, 1, &site, collect, f, &d), VG_EINVAL);
    assert_string_equal(d.field, "/affected_systems");
    for (size_t i = 0; i < f->n; i++)
        assert_null(strstr(f->path[i], ".well-known"));
    files_free(f);
    vg_advisory_free(&a);
    /* nothing published: the lists, feeds and provider metadata are still there */
    f = vg_calloc(1, sizeof *f);
    assert_int_equal(vg_adv_site_render(NULL, 0, &site, collect, f, &d), 0);
    assert_non_null(file(f, "advisories/index.html"));
    assert_non_null(file(f, "advisories/feed.atom"));
    assert_string_equal(file(f, ".well-known/csaf/white/index.txt"), "");
    assert_non_null(file(f, ".well-known/csaf/provider-metadata.json"));
    files_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(paths_and_order),
        cmocka_unit_test(provider_metadata),
        cmocka_unit_test(what_stops_a_rendering),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
