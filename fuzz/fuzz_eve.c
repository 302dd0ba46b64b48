/* libFuzzer target of the EVE reader (src/match/eve.c). Beyond not crashing, it checks that
 * the hand-written scanner agrees with jansson: it accepts a line exactly when
 * json_loadb(flags 0) gives an object no deeper than VG_MAX_JSON_DEPTH, and then reports the
 * same string values with the same field paths (compared as sorted lists). Then the whole
 * input goes through the scanner as a log with a few indicators. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "match/match.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/limits.h"

struct list {
    struct vg_buf b; /* entries "path\x01value\x02" */
    size_t n;
};

static int add_ours(void *ctx, struct vg_str v, struct vg_str f)
{
    struct list *l = ctx;
    if (f.len == 22 && memcmp(f.ptr, "http.hostname+http.url", 22) == 0)
        return 0; /* the synthetic URL is not in the document */
    vg_buf_append(&l->b, f.ptr, f.len);
    vg_buf_putc(&l->b, '\x01');
    vg_buf_append(&l->b, v.ptr, v.len);
    vg_buf_putc(&l->b, '\x02');
    l->n++;
    return 0;
}

static void walk(json_t *j, struct vg_buf *path, struct list *l)
{
    size_t base = path->len;
    if (json_is_string(j)) {
        vg_buf_append(&l->b, path->data ? path->data : "", path->len);
        vg_buf_putc(&l->b, '\x01');
        vg_buf_append(&l->b, json_string_value(j), json_string_length(j));
        vg_buf_putc(&l->b, '\x02');
        l->n++;
    } else if (json_is_object(j)) {
        const char *k;
        size_t klen;
        json_t *v;
        void *tmp;
        json_object_keylen_foreach_safe(j, tmp, k, klen, v) {
            if (path->len)
                vg_buf_putc(path, '.');
            vg_buf_append(path, k, klen);
            walk(v, path, l);
            path->len = base;
        }
    } else if (json_is_array(j)) {
        size_t i;
        json_t *v;
        json_array_foreach(j, i, v) {
            vg_buf_printf(path, "[%zu]", i);
            walk(v, path, l);
            path->len = base;
        }
    }
}

static int cmp_entries(const void *a, const void *b)
{
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    const char *xe = strchr(x, '\x02'), *ye = strchr(y, '\x02');
    size_t xl = (size_t)(xe - x), yl = (size_t)(ye - y);
    int c = memcmp(x, y, xl < yl ? xl : yl);
    return c ? c : (xl > yl) - (xl < yl);
}

/* Sorted entries of l (pointers into l->b). */
static const char **sorted(struct list *l)
{
    const char **v = calloc(l->n + 1, sizeof *v);
    const char *p = l->b.data;
    for (size_t i = 0; i < l->n; i++) {
        v[i] = p;
        p = strchr(p, '\x02') + 1;
    }
    qsort(v, l->n, sizeof *v, cmp_entries);
    return v;
}

static void check_agreement(struct vg_match_eve *e, const char *data, size_t len)
{
    struct list ours = {{0}, 0}, theirs = {{0}, 0};
    vg_buf_init(&ours.b, (size_t)64 << 20);
    vg_buf_init(&theirs.b, (size_t)64 << 20);
    int rc = vg_match_eve_read(e, data, len, add_ours, &ours, NULL);
    json_error_t err;
    json_t *j = json_loadb(data, len, 0, &err);
    bool jok = j && json_is_object(j) && vg_json_depth(data, len) <= VG_MAX_JSON_DEPTH;
    if (jok != (rc == 0)) {
        fprintf(stderr, "disagreement: jansson %s, ours %d\n", jok ? "accepts" : err.text, rc);
        abort();
    }
    /* With duplicate keys jansson keeps the last value only: compare without them. */
    json_t *strict = jok ? json_loadb(data, len, JSON_REJECT_DUPLICATES, &err) : NULL;
    if (strict) {
        struct vg_buf path;
        vg_buf_init(&path, (size_t)64 << 20);
        vg_buf_puts(&path, "");
        walk(strict, &path, &theirs);
        vg_buf_cleanup(&path);
        if (ours.n != theirs.n) {
            fprintf(stderr, "string count differs: ours %zu, jansson %zu\n", ours.n, theirs.n);
            abort();
        }
        if (ours.n && !ours.b.failed && !theirs.b.failed) {
            const char **a = sorted(&ours), **b = sorted(&theirs);
            for (size_t i = 0; i < ours.n; i++)
                if (cmp_entries(&a[i], &b[i]) != 0) {
                    fprintf(stderr, "strings differ\n");
                    abort();
                }
            free(a);
            free(b);
        }
        json_decref(strict);
    }
    json_decref(j);
    vg_buf_cleanup(&ours.b);
    vg_buf_cleanup(&theirs.b);
}

static struct vg_match_index *idx;
static struct vg_match_eve *eve;

static int count(void *ctx, struct vg_str v, struct vg_str f)
{
    (void)ctx;
    (void)v;
    (void)f;
    return 0;
}

static int on_hit(void *ctx, const struct vg_match_hit *h)
{
    (void)ctx;
    struct vg_buf b;
    vg_buf_init(&b, 1 << 24);
    vg_match_hit_format(idx, h, "f", &b);
    json_t *j = json_loads(b.data, 0, NULL); /* what we print must be valid JSON */
    if (!j)
        abort();
    json_decref(j);
    vg_buf_cleanup(&b);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!idx) {
        static const char iocs[] = "domain-name evil.example\nipv4-addr 10.0.0.0/8\n"
                                   "url http://evil.example/\nemail-addr a@b.example\n"
                                   "md5 d41d8cd98f00b204e9800998ecf8427e\nipv6-addr ::/0\n";
        idx = vg_match_index_new();
        vg_match_iocs_load(idx, iocs, sizeof iocs - 1, true, NULL, NULL, NULL, NULL);
        vg_match_index_freeze(idx);
        eve = vg_match_eve_new();
    }
    const char *p = (const char *)data;
    if (size <= VG_MAX_LINE)
        check_agreement(eve, p, size);
    struct vg_match_sink sink = {on_hit, NULL, NULL};
    struct vg_match_scan_opts o = {VG_MATCH_FORMAT_EVE, 1, 0};
    struct vg_match_stats st = {0};
    vg_match_scan_mem(idx, &o, p, size, &sink, &st, NULL);
    /* The scanner reads lines in one pass; a plain split at newlines must count the same. */
    uint64_t lines = 0, events = 0, bad = 0;
    for (const char *q = p, *end = p + size; q < end;) {
        const char *nl = memchr(q, '\n', (size_t)(end - q));
        size_t n = (size_t)((nl ? nl : end) - q);
        lines++;
        bool blank = true;
        for (size_t i = 0; i < n; i++)
            if (q[i] != ' ' && q[i] != '\t' && q[i] != '\r')
                blank = false;
        if (!blank) {
            if (vg_match_eve_read(eve, q, n, count, NULL, NULL) == 0)
                events++;
            else
                bad++;
        }
        q = nl ? nl + 1 : end;
    }
    if (lines != st.lines || events != st.events || bad != st.malformed) {
        fprintf(stderr, "line split differs: %llu/%llu/%llu vs scanner %llu/%llu/%llu\n",
                (unsigned long long)lines, (unsigned long long)events, (unsigned long long)bad,
                (unsigned long long)st.lines, (unsigned long long)st.events,
                (unsigned long long)st.malformed);
        abort();
    }
    return 0;
}
