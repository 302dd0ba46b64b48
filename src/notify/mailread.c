/* Inbound mail reader (see mailread.h): GMime parses, this file walks the MIME tree under its
 * own limits, refuses what is broken or hostile with the part it concerns, and keeps only
 * what the ingestion needs. Attachments are hashed and never unpacked. */
#include "notify/mailread.h"

#include <gmime/gmime.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/json.h"
#include "util/mem.h"

static pthread_once_t gmime_once = PTHREAD_ONCE_INIT;

static void gmime_start(void)
{
    g_mime_init();
}

/* What one read carries along the walk. */
struct walk {
    const struct vg_mail_limits *lim;
    struct vg_mail *m;
    struct vg_diag *d;
    struct vg_buf plain; /* inline text/plain parts */
    struct vg_buf html;  /* inline text/html parts made text */
    bool plain_cut, html_cut;
    size_t att_cap;
    int rc;
};

/* The first parser warning that makes a message unreadable, with its offset. */
struct parse_warn {
    int code;
    long offset;
};

static void on_warning(gint64 offset, GMimeParserWarning code, const gchar *item, gpointer user)
{
    (void)item;
    struct parse_warn *w = user;
    if (w->code != 0)
        return;
    switch (code) {
    case GMIME_WARN_TRUNCATED_MESSAGE:
    case GMIME_WARN_MALFORMED_MULTIPART:
    case GMIME_CRIT_MULTIPART_WITHOUT_BOUNDARY:
    case GMIME_CRIT_NESTING_OVERFLOW:
    case GMIME_CRIT_PART_WITHOUT_HEADERS_OR_CONTENT:
        w->code = (int)code;
        w->offset = (long)offset;
        break;
    default: break;
    }
}

static const char *warning_text(int code)
{
    switch (code) {
    case GMIME_WARN_TRUNCATED_MESSAGE:
        return "a multipart's closing boundary is missing (truncated, or a bad boundary)";
    case GMIME_WARN_MALFORMED_MULTIPART:
        return "malformed multipart (no part matches its boundary)";
    case GMIME_CRIT_MULTIPART_WITHOUT_BOUNDARY: return "multipart without a boundary";
    case GMIME_CRIT_NESTING_OVERFLOW: return "MIME nesting too deep";
    default: return "part without headers or content";
    }
}

static char *dup_or_empty(const char *s)
{
    return vg_strdup(s ? s : "");
}

static void lower_ascii(char *s)
{
    for (; s && *s; s++)
        if (*s >= 'A' && *s <= 'Z')
            *s = (char)(*s - 'A' + 'a');
}

/* Appends s (n bytes) to b as valid UTF-8: NUL and invalid sequences become U+FFFD, CR LF
 * becomes LF. Returns true when the cap cut it. */
static bool put_utf8(struct vg_buf *b, const char *s, size_t n, size_t max)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        if (b->len >= max)
            return true;
        size_t k = p[i] ? vg_utf8_len(p + i, n - i) : 0;
        if (p[i] == '\r' && i + 1 < n && p[i + 1] == '\n') {
            i++;
            continue;
        }
        if (k == 0) {
            if (b->len + 3 > max)
                return true;
            vg_buf_append(b, "\xEF\xBF\xBD", 3);
            i++;
            continue;
        }
        if (b->len + k > max)
            return true;
        vg_buf_append(b, p + i, k);
        i += k;
    }
    return false;
}

static bool utf8_put_cp(struct vg_buf *b, unsigned long cp)
{
    char u[4];
    size_t n;
    if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        cp = 0xFFFD;
    if (cp < 0x80) {
        u[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        u[0] = (char)(0xF0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    return vg_buf_append(b, u, n) == 0;
}

static bool ci_prefix(const char *p, size_t avail, const char *lit)
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

/* Index of the first case-insensitive occurrence of lit in s[from..n), or n. */
static size_t ci_find(const char *s, size_t from, size_t n, const char *lit)
{
    for (size_t i = from; i < n; i++)
        if (ci_prefix(s + i, n - i, lit))
            return i;
    return n;
}

static bool is_block_tag(const char *name, size_t n)
{
    static const char *const blocks[] = {"br",         "p",   "div", "tr", "li",    "h1",    "h2",
                                         "h3",         "h4",  "h5",  "h6", "table", "ul",    "ol",
                                         "blockquote", "pre", "hr",  "td", "th",    "title", NULL};
    for (int i = 0; blocks[i]; i++)
        if (strlen(blocks[i]) == n && ci_prefix(name, n, blocks[i]))
            return true;
    return false;
}

/* Decodes the entity at s (after '&'): a few named ones (markup, nbsp, the French accents,
 * quotes, euro) or numeric. Returns
 * the bytes consumed after '&' (0 when it is not an entity) and writes it to b. */
static size_t put_entity(struct vg_buf *b, const char *s, size_t n)
{
    static const struct {
        const char *name;
        unsigned long cp;
    } named[] = {{"amp;", '&'},    {"lt;", '<'},      {"gt;", '>'},       {"quot;", '"'},
                 {"apos;", '\''},  {"nbsp;", ' '},    {"eacute;", 0xE9},  {"egrave;", 0xE8},
                 {"ecirc;", 0xEA}, {"agrave;", 0xE0}, {"acirc;", 0xE2},   {"ccedil;", 0xE7},
                 {"ocirc;", 0xF4}, {"ugrave;", 0xF9}, {"icirc;", 0xEE},   {"laquo;", 0xAB},
                 {"raquo;", 0xBB}, {"euro;", 0x20AC}, {"rsquo;", 0x2019}, {"hellip;", 0x2026},
                 {"copy;", 0xA9}};
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
        if (ci_prefix(s, n, named[i].name)) {
            utf8_put_cp(b, named[i].cp);
            return strlen(named[i].name);
        }
    if (n < 2 || s[0] != '#')
        return 0;
    size_t i = 1;
    bool hex = (s[1] == 'x' || s[1] == 'X');
    if (hex)
        i++;
    unsigned long cp = 0;
    size_t start = i;
    while (i < n && i - start < 8) {
        int v = hex ? vg_hex_digit(s[i]) : (s[i] >= '0' && s[i] <= '9' ? s[i] - '0' : -1);
        if (v < 0)
            break;
        cp = cp * (hex ? 16 : 10) + (unsigned long)v;
        i++;
    }
    if (i == start || i >= n || s[i] != ';')
        return 0;
    utf8_put_cp(b, cp);
    return i + 1;
}

char *vg_mail_html_to_text(struct vg_str html, size_t max, bool *cut)
{
    struct vg_buf b;
    vg_buf_init(&b, max + 8);
    const char *s = html.ptr;
    size_t n = html.len, i = 0;
    bool space = true; /* the last output was a blank or a line break */
    *cut = false;
    while (i < n && !b.failed) {
        if (b.len >= max) {
            *cut = true;
            break;
        }
        char c = s[i];
        if (c == '<') {
            if (ci_prefix(s + i, n - i, "<!--")) {
                size_t e = ci_find(s, i + 4, n, "-->");
                i = e < n ? e + 3 : n;
                continue;
            }
            size_t j = i + 1;
            bool closing = j < n && s[j] == '/';
            if (closing)
                j++;
            size_t name = j;
            while (j < n && ((s[j] >= 'a' && s[j] <= 'z') || (s[j] >= 'A' && s[j] <= 'Z') ||
                             (s[j] >= '0' && s[j] <= '9')))
                j++;
            size_t name_len = j - name;
            size_t e = j;
            while (e < n && s[e] != '>')
                e++;
            size_t after = e < n ? e + 1 : n;
            if (!closing && ((name_len == 6 && ci_prefix(s + name, n - name, "script")) ||
                             (name_len == 5 && ci_prefix(s + name, n - name, "style")))) {
                const char *end = name_len == 6 ? "</script" : "</style";
                size_t f = ci_find(s, after, n, end);
                while (f < n && s[f] != '>')
                    f++;
                i = f < n ? f + 1 : n;
                continue;
            }
            if (is_block_tag(s + name, name_len)) {
                if (b.len > 0 && b.data[b.len - 1] == ' ')
                    b.data[--b.len] = '\0';
                if (b.len > 0 && b.data[b.len - 1] != '\n')
                    vg_buf_putc(&b, '\n');
                space = true;
            }
            i = after;
            continue;
        }
        if (c == '&') {
            size_t used = put_entity(&b, s + i + 1, n - i - 1);
            if (used > 0) {
                space = false;
                i += used + 1;
                continue;
            }
        }
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            if (!space)
                vg_buf_putc(&b, ' ');
            space = true;
            i++;
            continue;
        }
        size_t k = (unsigned char)c ? vg_utf8_len((const unsigned char *)s + i, n - i) : 0;
        if (k == 0) {
            vg_buf_append(&b, "\xEF\xBF\xBD", 3);
            i++;
        } else {
            vg_buf_append(&b, s + i, k);
            i += k;
        }
        space = false;
    }
    if (b.failed) {
        vg_buf_cleanup(&b);
        return NULL;
    }
    if (b.data == NULL)
        vg_buf_puts(&b, "");
    return vg_buf_steal(&b);
}

bool vg_mail_find_reference(struct vg_str subject, const char *prefix, char *out, size_t cap)
{
    size_t pl = strlen(prefix);
    const char *s = subject.ptr;
    size_t n = subject.len;
    if (pl == 0)
        return false;
    for (size_t i = 0; i + pl + 1 < n; i++) {
        if (s[i] != '[')
            continue;
        size_t j = i + 1;
        if (n - j < pl)
            continue;
        bool same = true;
        for (size_t k = 0; k < pl && same; k++) {
            char a = s[j + k], p = prefix[k];
            if (a >= 'a' && a <= 'z')
                a = (char)(a - 'a' + 'A');
            if (p >= 'a' && p <= 'z')
                p = (char)(p - 'a' + 'A');
            same = a == p;
        }
        if (!same)
            continue;
        j += pl;
        if (j >= n || s[j] != '-')
            continue;
        size_t y = ++j;
        while (j < n && j - y < 4 && s[j] >= '0' && s[j] <= '9')
            j++;
        if (j - y != 4 || j >= n || s[j] != '-')
            continue;
        size_t num = ++j;
        while (j < n && j - num < 13 && s[j] >= '0' && s[j] <= '9')
            j++;
        if (j - num < 6 || j >= n || s[j] != ']')
            continue;
        int w = snprintf(out, cap, "%s-%.*s-%.*s", prefix, 4, s + y, (int)(j - num), s + num);
        if (w < 0 || (size_t)w >= cap)
            return false;
        return true;
    }
    return false;
}

void vg_mail_limits_default(struct vg_mail_limits *l)
{
    l->max_size = VG_MAIL_MAX_SIZE;
    l->max_depth = VG_MAIL_MAX_DEPTH;
    l->max_parts = VG_MAIL_MAX_PARTS;
    l->max_attach_keep = VG_MAIL_MAX_ATTACH_KEEP;
    l->max_text = VG_MAIL_MAX_TEXT;
}

/* Lines that start with "Content-Type" in the raw message: a bound on the parts GMime will
 * build (and on its recursion), checked before it runs. */
static long count_content_types(const char *data, size_t len)
{
    long n = 0;
    for (size_t i = 0; i < len; i++)
        if ((i == 0 || data[i - 1] == '\n') && (data[i] == 'C' || data[i] == 'c') &&
            ci_prefix(data + i, len - i, "content-type"))
            n++;
    return n;
}

/* The raw (still encoded) bytes of a part's content. */
static GByteArray *raw_content(GMimeDataWrapper *w, GMimeStream **hold)
{
    GMimeStream *src = g_mime_data_wrapper_get_stream(w);
    GMimeStream *mem = g_mime_stream_mem_new();
    g_mime_stream_reset(src);
    g_mime_stream_write_to_stream(src, mem);
    g_mime_stream_reset(src);
    *hold = mem;
    return g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
}

/* The decoded bytes of a part's content. */
static GByteArray *decoded_content(GMimeDataWrapper *w, GMimeStream **hold)
{
    GMimeStream *mem = g_mime_stream_mem_new();
    g_mime_data_wrapper_write_to_stream(w, mem);
    *hold = mem;
    return g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
}

/* Base64 as RFC 2045 allows it: the alphabet, blanks and line breaks, '=' padding only at
 * the end, and a length that is not 1 modulo 4. GMime skips what it does not know; we refuse
 * it, as a sign of a corrupted or crafted part. */
static bool base64_valid(const unsigned char *p, size_t n)
{
    size_t count = 0;
    bool pad = false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = p[i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
            continue;
        if (c == '=') {
            pad = true;
            count++;
            continue;
        }
        bool alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                     c == '+' || c == '/';
        if (!alpha || pad)
            return false;
        count++;
    }
    return count % 4 != 1;
}

static bool is_archive(const char *media, const char *name, const unsigned char *p, size_t n)
{
    static const char *const types[] = {"application/zip",
                                        "application/x-zip-compressed",
                                        "application/x-rar-compressed",
                                        "application/vnd.rar",
                                        "application/x-7z-compressed",
                                        "application/gzip",
                                        "application/x-gzip",
                                        "application/x-tar",
                                        "application/java-archive",
                                        "application/x-bzip2",
                                        "application/x-xz",
                                        "application/x-iso9660-image",
                                        "application/vnd.ms-cab-compressed",
                                        NULL};
    static const char *const exts[] = {".zip", ".rar", ".7z",  ".gz",  ".tgz", ".tar", ".jar",
                                       ".bz2", ".xz",  ".iso", ".cab", ".img", ".arj", NULL};
    for (int i = 0; types[i]; i++)
        if (strcmp(media, types[i]) == 0)
            return true;
    size_t nl = strlen(name);
    for (int i = 0; exts[i]; i++) {
        size_t el = strlen(exts[i]);
        if (nl >= el && ci_prefix(name + nl - el, el, exts[i]))
            return true;
    }
    return (n >= 4 && memcmp(p, "PK\x03\x04", 4) == 0) || (n >= 4 && memcmp(p, "Rar!", 4) == 0) ||
           (n >= 4 && memcmp(p, "7z\xBC\xAF", 4) == 0) || (n >= 2 && p[0] == 0x1f && p[1] == 0x8b);
}

/* An X-ARF report in JSON: versions 1 to 3 ("Version", "ReporterInfo", "Report") or 4
 * ("xarf_version"). Sets m->xarf_json to its compact form; 0 or VG_ENOMEM. */
static int try_xarf(struct vg_mail *m, const unsigned char *p, size_t n)
{
    if (m->xarf_json != NULL || n == 0 || n > VG_MAIL_MAX_XARF)
        return 0;
    struct vg_diag jd;
    json_t *j = vg_json_parse((const char *)p, n, &jd);
    if (j == NULL)
        return 0;
    int rc = 0;
    bool v3 = json_is_object(json_object_get(j, "Report")) &&
              json_is_object(json_object_get(j, "ReporterInfo"));
    bool v4 = json_object_get(j, "xarf_version") != NULL;
    if (json_is_object(j) && (v3 || v4)) {
        struct vg_buf b;
        vg_buf_init(&b, 2 * n + 64);
        if (vg_json_write(&b, j) != 0) {
            vg_buf_cleanup(&b);
            rc = VG_ENOMEM;
        } else {
            m->xarf_json = vg_buf_steal(&b);
            m->is_xarf = true;
        }
    }
    json_decref(j);
    return rc;
}

static int add_attachment(struct walk *w, GMimePart *part, const char *media, const char *num,
                          GByteArray *bytes)
{
    struct vg_mail *m = w->m;
    if (vg_grow((void **)&m->att, &w->att_cap, m->n_att + 1, sizeof *m->att, 4) != 0)
        return VG_ENOMEM;
    struct vg_mail_attachment *a = &m->att[m->n_att];
    memset(a, 0, sizeof *a);
    m->n_att++;
    a->name = dup_or_empty(g_mime_part_get_filename(part));
    a->media_type = vg_strdup(media);
    if (a->name == NULL || a->media_type == NULL)
        return VG_ENOMEM;
    snprintf(a->part, sizeof a->part, "%s", num);
    a->size = bytes->len;
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    if (EVP_Digest(bytes->data, bytes->len, md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen != 32)
        return VG_ENOMEM;
    for (unsigned i = 0; i < 32; i++)
        snprintf(a->sha256 + 2 * i, 3, "%02x", md[i]);
    a->is_archive = is_archive(media, a->name, bytes->data, bytes->len);
    if ((long)bytes->len <= w->lim->max_attach_keep) {
        a->data = vg_malloc(bytes->len ? bytes->len : 1);
        if (a->data == NULL)
            return VG_ENOMEM;
        if (bytes->len)
            memcpy(a->data, bytes->data, bytes->len);
    }
    return 0;
}

/* The decoded text of a part in UTF-8 (g_free it), its length in *len: NUL bytes kept (the
 * caller replaces them), converted from the part's charset when it is not UTF-8 or ASCII;
 * an unknown charset leaves the bytes as they are (invalid UTF-8 is replaced later). */
static char *text_utf8(GMimeTextPart *tp, GMimeDataWrapper *dw, size_t *len)
{
    GMimeStream *hold = NULL;
    GByteArray *bytes = decoded_content(dw, &hold);
    const char *cs = g_mime_text_part_get_charset(tp);
    char *t = NULL;
    gsize written = 0;
    if (bytes->len > 0 && cs != NULL && g_ascii_strcasecmp(cs, "utf-8") != 0 &&
        g_ascii_strcasecmp(cs, "utf8") != 0 && g_ascii_strcasecmp(cs, "us-ascii") != 0) {
        t = g_convert((const gchar *)bytes->data, (gssize)bytes->len, "UTF-8",
                      g_mime_charset_iconv_name(cs), NULL, &written, NULL);
    }
    if (t == NULL) {
        t = g_malloc(bytes->len + 1);
        if (bytes->len > 0)
            memcpy(t, bytes->data, bytes->len);
        t[bytes->len] = '\0';
        written = bytes->len;
    }
    g_object_unref(hold);
    *len = written;
    return t;
}

static int read_leaf(struct walk *w, GMimeObject *obj, const char *num)
{
    GMimePart *part = GMIME_PART(obj);
    GMimeContentType *ct = g_mime_object_get_content_type(obj);
    char *media = ct ? g_mime_content_type_get_mime_type(ct) : NULL;
    char mt[128];
    snprintf(mt, sizeof mt, "%s", media ? media : "application/octet-stream");
    g_free(media);
    lower_ascii(mt);
    GMimeDataWrapper *dw = g_mime_part_get_content(part);
    if (dw == NULL)
        return 0; /* a part with no content: nothing to keep */
    GMimeStream *hold = NULL;
    if (g_mime_part_get_content_encoding(part) == GMIME_CONTENT_ENCODING_BASE64) {
        GByteArray *raw = raw_content(dw, &hold);
        bool ok = base64_valid(raw->data, raw->len);
        g_object_unref(hold);
        if (!ok)
            return vg_diag_set(w->d, VG_EINVAL, num, "part %s: bad base64", num);
    }
    GMimeContentDisposition *disp = g_mime_object_get_content_disposition(obj);
    bool attached = (disp && g_mime_content_disposition_is_attachment(disp)) ||
                    g_mime_part_get_filename(part) != NULL;
    bool plain = strcmp(mt, "text/plain") == 0, html = strcmp(mt, "text/html") == 0;
    if (!attached && (plain || html) && GMIME_IS_TEXT_PART(obj)) {
        size_t tl = 0;
        char *t = text_utf8(GMIME_TEXT_PART(obj), dw, &tl);
        if (plain) {
            if (w->plain.len > 0 && !w->plain_cut)
                w->plain_cut = put_utf8(&w->plain, "\n", 1, (size_t)w->lim->max_text);
            if (!w->plain_cut)
                w->plain_cut = put_utf8(&w->plain, t ? t : "", tl, (size_t)w->lim->max_text);
        } else if (!w->html_cut && w->html.len < (size_t)w->lim->max_text) {
            bool cut = false;
            char *x = vg_mail_html_to_text((struct vg_str){t ? t : "", tl},
                                           (size_t)w->lim->max_text - w->html.len, &cut);
            if (x == NULL) {
                g_free(t);
                return VG_ENOMEM;
            }
            if (w->html.len > 0)
                vg_buf_putc(&w->html, '\n');
            w->html_cut = put_utf8(&w->html, x, strlen(x), (size_t)w->lim->max_text) || cut;
            free(x);
        }
        g_free(t);
        return 0;
    }
    GByteArray *bytes = decoded_content(dw, &hold);
    int rc = add_attachment(w, part, mt, num, bytes);
    const char *fn = g_mime_part_get_filename(part);
    size_t fl = fn ? strlen(fn) : 0;
    if (rc == 0 && (strcmp(mt, "application/json") == 0 || strcmp(mt, "text/json") == 0 ||
                    (fl > 5 && ci_prefix(fn + fl - 5, 5, ".json"))))
        rc = try_xarf(w->m, bytes->data, bytes->len);
    g_object_unref(hold);
    return rc;
}

static int walk_part(struct walk *w, GMimeObject *obj, const char *num, int depth)
{
    if (++w->m->n_parts > w->lim->max_parts)
        return vg_diag_set(w->d, VG_ETOOBIG, num, "part %s: more than %d MIME parts", num,
                           w->lim->max_parts);
    if (depth > w->lim->max_depth)
        return vg_diag_set(w->d, VG_ETOOBIG, num, "part %s: MIME nesting deeper than %d", num,
                           w->lim->max_depth);
    char child[160];
    if (GMIME_IS_MULTIPART(obj)) {
        GMimeMultipart *mp = GMIME_MULTIPART(obj);
        int n = g_mime_multipart_get_count(mp);
        if (n == 0)
            return vg_diag_set(w->d, VG_EINVAL, num[0] ? num : "body",
                               "part %s: multipart with no part (its boundary matches nothing)",
                               num[0] ? num : "body");
        for (int i = 0; i < n; i++) {
            if (strcmp(num, "") == 0)
                snprintf(child, sizeof child, "%d", i + 1);
            else
                snprintf(child, sizeof child, "%.140s.%d", num, i + 1);
            int rc = walk_part(w, g_mime_multipart_get_part(mp, i), child, depth + 1);
            if (rc != 0)
                return rc;
        }
        return 0;
    }
    if (GMIME_IS_MESSAGE_PART(obj)) {
        GMimeMessage *inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));
        GMimeObject *body = inner ? g_mime_message_get_mime_part(inner) : NULL;
        if (body == NULL)
            return 0;
        return walk_part(w, body, num, depth + 1);
    }
    if (GMIME_IS_PART(obj))
        return read_leaf(w, obj, num[0] ? num : "1");
    return 0;
}

/* Addresses of list (mailboxes, and the members of groups one level down) into b, lower case,
 * comma-separated; the first mailbox into *first (caller g_free's nothing: owned by list). */
static void put_addresses(struct vg_buf *b, InternetAddressList *list,
                          InternetAddressMailbox **first, int level)
{
    int n = list ? internet_address_list_length(list) : 0;
    for (int i = 0; i < n; i++) {
        InternetAddress *a = internet_address_list_get_address(list, i);
        if (INTERNET_ADDRESS_IS_MAILBOX(a)) {
            InternetAddressMailbox *mb = INTERNET_ADDRESS_MAILBOX(a);
            if (first && *first == NULL)
                *first = mb;
            const char *addr = internet_address_mailbox_get_addr(mb);
            if (b && addr && *addr && strlen(addr) <= VG_MAIL_MAX_HEADER) {
                if (b->len > 0)
                    vg_buf_putc(b, ',');
                put_utf8(b, addr, strlen(addr), b->max);
            }
        } else if (INTERNET_ADDRESS_IS_GROUP(a) && level == 0) {
            put_addresses(b, internet_address_group_get_members(INTERNET_ADDRESS_GROUP(a)), first,
                          1);
        }
    }
}

/* A header's value as valid UTF-8, line breaks as blanks, at most VG_MAIL_MAX_HEADER bytes. */
static char *header_text(const char *v)
{
    struct vg_buf b;
    vg_buf_init(&b, VG_MAIL_MAX_HEADER + 4);
    if (v)
        put_utf8(&b, v, strlen(v), VG_MAIL_MAX_HEADER);
    for (size_t i = 0; i < b.len; i++)
        if (b.data[i] == '\n' || b.data[i] == '\r' || b.data[i] == '\t')
            b.data[i] = ' ';
    if (b.data == NULL)
        vg_buf_puts(&b, "");
    if (b.failed) {
        vg_buf_cleanup(&b);
        return NULL;
    }
    return vg_buf_steal(&b);
}

static int read_headers(struct vg_mail *m, GMimeMessage *msg)
{
    InternetAddressMailbox *from = NULL;
    put_addresses(NULL, g_mime_message_get_from(msg), &from, 0);
    const char *fa = from ? internet_address_mailbox_get_addr(from) : NULL;
    const char *fname = from ? internet_address_get_name(INTERNET_ADDRESS(from)) : NULL;
    m->from_addr = header_text(fa);
    m->from_name = header_text(fname);
    lower_ascii(m->from_addr);
    const char *at = m->from_addr ? strrchr(m->from_addr, '@') : NULL;
    m->from_domain = vg_strdup(at ? at + 1 : "");
    struct vg_buf to;
    vg_buf_init(&to, 16 * 1024);
    put_addresses(&to, g_mime_message_get_addresses(msg, GMIME_ADDRESS_TYPE_TO), NULL, 0);
    if (to.data == NULL)
        vg_buf_puts(&to, "");
    m->to = to.failed ? NULL : vg_buf_steal(&to);
    vg_buf_cleanup(&to);
    lower_ascii(m->to);
    m->subject = header_text(g_mime_message_get_subject(msg));
    m->message_id = header_text(g_mime_message_get_message_id(msg));
    const char *irt = g_mime_object_get_header(GMIME_OBJECT(msg), "In-Reply-To");
    GMimeReferences *refs = irt ? g_mime_references_parse(NULL, irt) : NULL;
    const char *first = refs && g_mime_references_length(refs) > 0
                            ? g_mime_references_get_message_id(refs, 0)
                            : NULL;
    m->in_reply_to = header_text(first);
    if (refs)
        g_mime_references_free(refs);
    m->references = header_text(g_mime_object_get_header(GMIME_OBJECT(msg), "References"));
    GDateTime *dt = g_mime_message_get_date(msg);
    char *iso = NULL;
    if (dt) {
        GDateTime *utc = g_date_time_to_utc(dt);
        if (utc) {
            iso = g_date_time_format(utc, "%Y-%m-%dT%H:%M:%SZ");
            g_date_time_unref(utc);
        }
    }
    m->date = header_text(iso);
    g_free(iso);
    if (!m->from_addr || !m->from_name || !m->from_domain || !m->to || !m->subject ||
        !m->message_id || !m->in_reply_to || !m->references || !m->date)
        return VG_ENOMEM;
    return 0;
}

int vg_mail_read(const char *data, size_t len, const char *ref_prefix,
                 const struct vg_mail_limits *limits, struct vg_mail *out, struct vg_diag *d)
{
    memset(out, 0, sizeof *out);
    vg_diag_clear(d);
    struct vg_mail_limits def;
    if (limits == NULL) {
        vg_mail_limits_default(&def);
        limits = &def;
    }
    if (len == 0)
        return vg_diag_set(d, VG_EINVAL, "message", "message: empty");
    if ((long)len > limits->max_size || len > (size_t)G_MAXSSIZE)
        return vg_diag_set(d, VG_ETOOBIG, "message", "message: %zu bytes, more than %ld", len,
                           limits->max_size);
    if (count_content_types(data, len) > limits->max_parts)
        return vg_diag_set(d, VG_ETOOBIG, "message", "message: more than %d MIME parts",
                           limits->max_parts);
    pthread_once(&gmime_once, gmime_start);

    int rc = 0;
    struct walk w = {.lim = limits, .m = out, .d = d};
    vg_buf_init(&w.plain, (size_t)limits->max_text + 8);
    vg_buf_init(&w.html, (size_t)limits->max_text + 8);
    struct parse_warn warn = {0, -1};
    GMimeParserOptions *opts = g_mime_parser_options_new();
    g_mime_parser_options_set_warning_callback(opts, on_warning, &warn);
    GMimeStream *stream = g_mime_stream_mem_new_with_buffer(data, len);
    GMimeParser *parser = g_mime_parser_new_with_stream(stream);
    GMimeMessage *msg = g_mime_parser_construct_message(parser, opts);
    if (msg == NULL) {
        rc = vg_diag_set(d, VG_EINVAL, "message", "message: not an RFC 5322 message");
        goto out;
    }
    if ((rc = read_headers(out, msg)) != 0) {
        vg_diag_set(d, rc, "message", "message: out of memory");
        goto out;
    }
    if (g_mime_object_get_header(GMIME_OBJECT(msg), "X-XARF") != NULL)
        out->is_xarf = true;
    GMimeObject *body = g_mime_message_get_mime_part(msg);
    if (body != NULL && (rc = walk_part(&w, body, "", 0)) != 0)
        goto out;
    if (warn.code != 0) {
        if (warn.offset >= 0)
            rc = vg_diag_set(d, VG_EINVAL, "message", "message: %s (byte %ld)",
                             warning_text(warn.code), warn.offset);
        else
            rc = vg_diag_set(d, VG_EINVAL, "message", "message: %s", warning_text(warn.code));
        if (d)
            d->offset = warn.offset;
        goto out;
    }
    if (out->is_xarf && out->xarf_json == NULL && w.plain.len > 0 &&
        (rc = try_xarf(out, (const unsigned char *)w.plain.data, w.plain.len)) != 0)
        goto out;
    struct vg_buf *text = w.plain.len > 0 ? &w.plain : &w.html;
    out->text_from_html = w.plain.len == 0 && w.html.len > 0;
    out->text_cut = text == &w.plain ? w.plain_cut : w.html_cut;
    if (text->data == NULL)
        vg_buf_puts(text, "");
    if (w.plain.failed || w.html.failed) {
        rc = vg_diag_set(d, VG_ENOMEM, "message", "message: out of memory");
        goto out;
    }
    out->text = vg_buf_steal(text);
    if (ref_prefix && *ref_prefix)
        vg_mail_find_reference(vg_str_c(out->subject), ref_prefix, out->reference,
                               sizeof out->reference);
out:
    vg_buf_cleanup(&w.plain);
    vg_buf_cleanup(&w.html);
    if (msg)
        g_object_unref(msg);
    g_object_unref(parser);
    g_object_unref(stream);
    g_mime_parser_options_free(opts);
    if (rc != 0)
        vg_mail_cleanup(out); /* a refused message leaves nothing behind */
    return rc;
}

void vg_mail_cleanup(struct vg_mail *m)
{
    if (m == NULL)
        return;
    free(m->from_addr);
    free(m->from_domain);
    free(m->from_name);
    free(m->to);
    free(m->subject);
    free(m->message_id);
    free(m->in_reply_to);
    free(m->references);
    free(m->date);
    free(m->text);
    free(m->xarf_json);
    for (size_t i = 0; i < m->n_att; i++) {
        free(m->att[i].name);
        free(m->att[i].media_type);
        free(m->att[i].data);
    }
    free(m->att);
    memset(m, 0, sizeof *m);
}
