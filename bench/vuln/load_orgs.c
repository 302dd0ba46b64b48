/* Loads the benchmark inventory (inventory.tsv: org TAB cpe) into a vigie database as
 * organisations with assets.products, through the store API, one organisation per write.
 * usage: load_orgs DB inventory.tsv */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/record.h"
#include "store/store.h"

static int flush(struct vg_store *st, const char *name, json_t *products, long *n)
{
    static const struct vg_actor who = {.name = "bench", .role = "admin"};
    struct vg_diag d;
    json_t *in =
        json_pack("{s:s,s:s,s:s,s:{s:[],s:[],s:O}}", "name", name, "kind", "ministry", "sector",
                  "government", "assets", "cidrs", "domains", "products", products);
    json_t *org = NULL, *out = NULL;
    int rc = vg_org_check(in, VG_CHECK_CREATE, &org, &d);
    if (!rc)
        rc = vg_store_org_create(st, &who, org, &out, &d);
    if (rc)
        fprintf(stderr, "load_orgs: %s: %s (%s)\n", name, d.message, d.field);
    json_decref(in);
    json_decref(org);
    json_decref(out);
    json_array_clear(products);
    (*n)++;
    return rc;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: load_orgs DB inventory.tsv\n");
        return 2;
    }
    struct vg_diag d;
    struct vg_store *st = vg_store_open(argv[1], NULL, &d);
    if (!st) {
        fprintf(stderr, "load_orgs: %s\n", d.message);
        return 1;
    }
    FILE *f = fopen(argv[2], "r");
    if (!f) {
        perror(argv[2]);
        return 1;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    char line[2048], cur[2048] = "";
    json_t *products = json_array();
    long orgs = 0, assets = 0;
    int rc = 0;
    while (!rc && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = 0;
        char *tab = strchr(line, '\t');
        if (!tab)
            continue;
        *tab = 0;
        if (strcmp(line, cur) != 0) {
            if (cur[0] && json_array_size(products))
                rc = flush(st, cur, products, &orgs);
            snprintf(cur, sizeof cur, "%s", line);
        }
        json_array_append_new(products, json_string(tab + 1));
        assets++;
    }
    if (!rc && cur[0] && json_array_size(products))
        rc = flush(st, cur, products, &orgs);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    fclose(f);
    json_decref(products);
    vg_store_close(st);
    fprintf(stderr, "loaded %ld organisations, %ld products in %.2f s\n", orgs, assets,
            (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    return rc ? 1 : 0;
}
