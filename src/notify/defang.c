/* Defanged observables (see defang.h): words of a text refanged, trimmed of punctuation and
 * given to core's observable parser, which decides the type and the normal form. */
#include "notify/defang.h"

#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

static bool ci_at(const char *p, size_t avail, const char *lit)
{
    size_t n = strlen(lit);
    if (avail < n)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != lit[i])
            return false;
    }
    return true;
}

static const struct {
    const char *from; /* lower case */
    const char *to;
} forms[] = {
    {"hxxps://", "https://"},
    {"hxxps[://]", "https://"},
    {"hxxps[:]//", "https://"},
    {"hxxp://", "http://"},
    {"hxxp[://]", "http://"},
    {"hxxp[:]//", "http://"},
    {"[://]", "://"},
    {"[.]", "."},
    {"(.)", "."},
    {"{.}", "."},
    {"[dot]", "."},
    {"(dot)", "."},
    {"{dot}", "."},
    {"[:]", ":"},
    {"[@]", "@"},
    {"(@)", "@"},
    {"{@}", "@"},
    {"[at]", "@"},
    {"(at)", "@"},
};

long vg_defang_refang(struct vg_str word, char *out, size_t cap, bool *changed)
{
    size_t o = 0, i = 0;
    *changed = false;
    while (i < word.len) {
        const char *rep = NULL;
        size_t used = 1;
        char c = word.ptr[i];
        if (c == 'h' || c == 'H' || c == '[' || c == '(' || c == '{') {
            for (size_t k = 0; k < sizeof forms / sizeof forms[0]; k++)
                if (ci_at(word.ptr + i, word.len - i, forms[k].from)) {
                    rep = forms[k].to;
                    used = strlen(forms[k].from);
                    break;
                }
        }
        size_t rl = rep ? strlen(rep) : 1;
        if (o + rl + 1 > cap)
            return -1;
        if (rep) {
            memcpy(out + o, rep, rl);
            *changed = true;
        } else {
            out[o] = c;
        }
        o += rl;
        i += used;
    }
    if (cap == 0)
        return -1;
    out[o] = '\0';
    return (long)o;
}

static bool is_sep(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v' || c == '<' ||
           c == '>' || c == '"' || c == '\'' || c == '`' || c == '\0';
}

static size_t count_char(const char *s, size_t n, char c)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += s[i] == c;
    return k;
}

/* Drops leading ( [ { and trailing punctuation and unbalanced closing brackets, until none
 * is left: "([evil.example])." -> "evil.example". */
static void trim_word(const char **s, size_t *n)
{
    for (;;) {
        bool again = false;
        while (*n > 0 && ((*s)[0] == '(' || (*s)[0] == '[' || (*s)[0] == '{')) {
            (*s)++;
            (*n)--;
            again = true;
        }
        while (*n > 0) {
            char c = (*s)[*n - 1];
            if (c == '.' || c == ',' || c == ';' || c == ':' || c == '!' || c == '?') {
                (*n)--;
                again = true;
                continue;
            }
            if (c == ')' || c == ']' || c == '}') {
                char open = c == ')' ? '(' : c == ']' ? '[' : '{';
                if (count_char(*s, *n, open) < count_char(*s, *n, c)) {
                    (*n)--;
                    again = true;
                    continue;
                }
            }
            break;
        }
        if (!again)
            break;
    }
}

/* A bare domain's last label looks like a top-level domain, not a file extension. */
static bool tld_plausible(const char *dom)
{
    static const char *const ext[] = {"txt",  "exe", "pdf", "doc",  "docx", "xls",  "xlsx", "ppt",
                                      "pptx", "png", "jpg", "jpeg", "gif",  "bmp",  "svg",  "html",
                                      "htm",  "php", "asp", "aspx", "js",   "json", "xml",  "csv",
                                      "log",  "dll", "sys", "bat",  "cmd",  "ps1",  "vbs",  "tmp",
                                      "bak",  "ini", "cfg", "conf", "yml",  "yaml", "md",   "eml",
                                      "msg",  "jar", "py",  "sh",   "pl",   "rb",   "c",    "h",
                                      "cpp",  "o",   "so",  "lnk",  "iso",  "img",  "dat",  "db",
                                      "sql",  "tar", "gz",  "tgz",  "rar",  "7z",   "mp3",  "mp4",
                                      "avi",  "mov", "wav", "odt",  "ods",  "rtf",  "hta",  "scr",
                                      "msi",  "apk", "dmg", "elf",  "bin",  "old",  "cab",  "lock",
                                      "css",  "ts",  NULL};
    const char *dot = strrchr(dom, '.');
    const char *tld = dot ? dot + 1 : dom;
    size_t n = strlen(tld);
    if (n < 2 || n > 24)
        return false;
    bool xn = n > 4 && memcmp(tld, "xn--", 4) == 0;
    for (size_t i = 0; i < n && !xn; i++)
        if (tld[i] < 'a' || tld[i] > 'z')
            return false;
    for (int i = 0; ext[i]; i++)
        if (strcmp(tld, ext[i]) == 0)
            return false;
    return true;
}

static int add_item(struct vg_defang_list *list, size_t max, const struct vg_observable *o,
                    bool defanged)
{
    for (size_t i = 0; i < list->n; i++)
        if (list->items[i].type == o->type && strcmp(list->items[i].value, o->value) == 0) {
            list->items[i].defanged |= defanged;
            return 0;
        }
    if (list->n >= max) {
        list->truncated = true;
        return 0;
    }
    if (vg_grow((void **)&list->items, &list->cap, list->n + 1, sizeof *list->items, 16) != 0)
        return VG_ENOMEM;
    struct vg_defang_item *it = &list->items[list->n++];
    it->type = o->type;
    memcpy(it->value, o->value, strlen(o->value) + 1);
    it->defanged = defanged;
    return 0;
}

/* "end.Next", "Mr.Smith": a lower-case letter, a dot, an upper-case letter. Prose with a
 * missing blank, not a host name (which text writes in lower case). */
static bool sentence_join(const char *w, size_t n)
{
    for (size_t i = 1; i + 1 < n; i++)
        if (w[i] == '.' && w[i - 1] >= 'a' && w[i - 1] <= 'z' && w[i + 1] >= 'A' && w[i + 1] <= 'Z')
            return true;
    return false;
}

/* The length of w without a trailing ":port" (1 to 5 digits after the only ':'), or n. */
static size_t without_port(const char *w, size_t n)
{
    const char *colon = memchr(w, ':', n);
    if (colon == NULL || memchr(colon + 1, ':', n - (size_t)(colon + 1 - w)) != NULL)
        return n;
    size_t digits = n - (size_t)(colon + 1 - w);
    if (digits < 1 || digits > 5)
        return n;
    for (const char *p = colon + 1; p < w + n; p++)
        if (*p < '0' || *p > '9')
            return n;
    return (size_t)(colon - w);
}

/* Reads one refanged, trimmed word; adds what core recognises. */
static int take_word(struct vg_defang_list *list, size_t max, const char *w, size_t n,
                     bool defanged, struct vg_observable *o)
{
    struct vg_diag d;
    if (n == 0)
        return 0;
    if (vg_observable_parse((struct vg_str){w, n}, VG_OBS_UNKNOWN, o, &d) != 0) {
        size_t k = without_port(w, n); /* "198.51.100.7:8080", "evil.example:443" */
        if (k == n || k == 0 ||
            vg_observable_parse((struct vg_str){w, k}, VG_OBS_UNKNOWN, o, &d) != 0)
            return 0;
        n = k;
    }
    if (o->type == VG_OBS_DOMAIN && !defanged && (!tld_plausible(o->value) || sentence_join(w, n)))
        return 0;
    if (o->type == VG_OBS_IPV4 || o->type == VG_OBS_IPV6) {
        /* a bare number ("2026") or a CIDR-looking fraction is not taken from prose */
        if (memchr(w, '.', n) == NULL && memchr(w, ':', n) == NULL)
            return 0;
    }
    return add_item(list, max, o, defanged);
}

int vg_defang_extract(struct vg_str text, size_t max, struct vg_defang_list *list)
{
    memset(list, 0, sizeof *list);
    if (max == 0)
        max = VG_DEFANG_MAX_ITEMS;
    struct vg_observable *o = vg_malloc(sizeof *o);
    char *word = vg_malloc(VG_DEFANG_MAX_TOKEN * 2 + 1);
    int rc = 0;
    if (o == NULL || word == NULL) {
        rc = VG_ENOMEM;
        goto out;
    }
    size_t i = 0;
    while (i < text.len && !list->truncated) {
        while (i < text.len && is_sep(text.ptr[i]))
            i++;
        size_t start = i;
        while (i < text.len && !is_sep(text.ptr[i]))
            i++;
        size_t n = i - start;
        if (n == 0 || n > VG_DEFANG_MAX_TOKEN)
            continue;
        bool changed = false;
        long wl = vg_defang_refang((struct vg_str){text.ptr + start, n}, word,
                                   VG_DEFANG_MAX_TOKEN * 2 + 1, &changed);
        if (wl <= 0)
            continue;
        const char *w = word;
        size_t len = (size_t)wl;
        trim_word(&w, &len);
        if ((rc = take_word(list, max, w, len, changed, o)) != 0)
            goto out;
    }
out:
    free(o);
    free(word);
    return rc;
}

void vg_defang_list_cleanup(struct vg_defang_list *list)
{
    if (list == NULL)
        return;
    free(list->items);
    memset(list, 0, sizeof *list);
}
