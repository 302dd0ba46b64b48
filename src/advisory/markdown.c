/* Safe Markdown (advisory/render.h): GitHub-flavoured Markdown rendered by Debian's cmark-gfm
 * (tables, autolinks, strikethrough, tag filter), with raw HTML turned into text and links and
 * images whose URL is not http(s), mailto or relative turned into their text, before the HTML
 * is written. The output is also well-formed XML (cmark writes void elements as <br />). */
#include "advisory/render.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <cmark-gfm.h>
#include <cmark-gfm-core-extensions.h>

#include "advisory/render_int.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/mem.h"

/* cmark-gfm's registry of extensions is a global list that registration appends to: it is
 * filled once, then only read (cmark_find_syntax_extension). Parsing is not safe across
 * threads in 0.29.0.gfm.6 either: each parse adds the extensions' special characters ('~',
 * '|') to a global table of the inline parser and takes them out when it ends, so a parse
 * running beside another lost its strikethrough in tables (test_render's md_threads saw it),
 * and the table extension allocates from a global arena (cmark_arena_push/pop). So one
 * rendering at a time: about 15 us for 1 KB, pages are rendered once when published. */
static pthread_once_t registered = PTHREAD_ONCE_INIT;
static pthread_mutex_t cmark_lock = PTHREAD_MUTEX_INITIALIZER;
static const char *const ext_names[] = {"table", "autolink", "strikethrough", "tagfilter"};
static cmark_syntax_extension *exts[sizeof ext_names / sizeof ext_names[0]];

static void register_extensions(void)
{
    cmark_gfm_core_extensions_ensure_registered();
    for (size_t i = 0; i < sizeof ext_names / sizeof ext_names[0]; i++)
        exts[i] = cmark_find_syntax_extension(ext_names[i]);
}

/* Replaces node by a new node of type (a text, or a paragraph holding a text) with the given
 * literal. cmark's safe mode would write "<!-- raw HTML omitted -->" for raw HTML: an advisory
 * that quotes a tag ("the <script> element of the form") must show it. */
static int replace_with_text(cmark_node *node, const char *literal, bool block)
{
    cmark_node *text = cmark_node_new(CMARK_NODE_TEXT);
    if (!text)
        return VG_ENOMEM;
    size_t n = strlen(literal);
    while (n && (literal[n - 1] == '\n' || literal[n - 1] == '\r'))
        n--;
    char *copy = vg_strndup(literal, n);
    if (!copy || !cmark_node_set_literal(text, copy)) {
        free(copy);
        cmark_node_free(text);
        return VG_ENOMEM;
    }
    free(copy);
    cmark_node *repl = text;
    if (block) {
        repl = cmark_node_new(CMARK_NODE_PARAGRAPH);
        if (!repl || !cmark_node_append_child(repl, text)) {
            cmark_node_free(repl);
            cmark_node_free(text);
            return VG_ENOMEM;
        }
    }
    cmark_node_insert_before(node, repl);
    cmark_node_free(node); /* unlinks it */
    return 0;
}

/* Puts the children of node (a link or an image) in its place: its text stays, without it. */
static void unwrap(cmark_node *node)
{
    cmark_node *child;
    while ((child = cmark_node_first_child(node)) != NULL)
        cmark_node_insert_before(node, child);
    cmark_node_free(node);
}

/* The nodes to change, gathered during the walk and changed after it (cmark's iterator must
 * not see the tree change under it). */
struct todo {
    cmark_node **nodes;
    size_t n, cap;
};

static int make_safe(cmark_node *root, int shift)
{
    struct todo t = {0};
    int rc = 0;
    cmark_iter *it = cmark_iter_new(root);
    if (!it)
        return VG_ENOMEM;
    cmark_event_type ev;
    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        if (ev != CMARK_EVENT_ENTER)
            continue;
        cmark_node *node = cmark_iter_get_node(it);
        cmark_node_type type = cmark_node_get_type(node);
        if (type == CMARK_NODE_HEADING && shift > 0) {
            int level = cmark_node_get_heading_level(node) + shift;
            cmark_node_set_heading_level(node, level > 6 ? 6 : level);
            continue;
        }
        bool change = type == CMARK_NODE_HTML_BLOCK || type == CMARK_NODE_HTML_INLINE ||
                      ((type == CMARK_NODE_LINK || type == CMARK_NODE_IMAGE) &&
                       !vg_render_url_ok(cmark_node_get_url(node)));
        if (!change)
            continue;
        if (vg_grow((void **)&t.nodes, &t.cap, t.n + 1, sizeof *t.nodes, 16) != 0) {
            rc = VG_ENOMEM;
            break;
        }
        t.nodes[t.n++] = node;
    }
    cmark_iter_free(it);
    /* Each change frees only the node it changes (links keep their children), so the nodes
     * gathered after it are still there. */
    for (size_t i = 0; rc == 0 && i < t.n; i++) {
        cmark_node *node = t.nodes[i];
        cmark_node_type type = cmark_node_get_type(node);
        if (type == CMARK_NODE_LINK || type == CMARK_NODE_IMAGE)
            unwrap(node);
        else
            rc = replace_with_text(node, cmark_node_get_literal(node),
                                   type == CMARK_NODE_HTML_BLOCK);
    }
    free(t.nodes);
    return rc;
}

/* Would cmark-gfm take quadratic time on this text? Causes measured on Debian's
 * 0.29.0.gfm.6 (fixed upstream in later versions): brackets ("![[]()" repeated: the inline
 * parser's bracket stack); table cells on one line (each cell is appended to a linked list by
 * walking it); and lines that may be a table's delimiter row under a paragraph, where the table
 * extension reads the whole paragraph again to find the header row, then gives up when the
 * columns differ. A line is a possible delimiter row when it holds only '|', '-', ':', spaces
 * and tabs, with a '-'; the paragraph is what came since the last blank line (more than cmark's
 * paragraph at times: an estimate from above). */
static bool too_slow(const char *md, size_t len)
{
    size_t brackets = 0, pipes = 0, para = 0, scan = 0, line = 0;
    bool dash = false, only = true, blank = true;
    for (size_t i = 0; i <= len; i++) {
        char c = i < len ? md[i] : '\n';
        if (c == '\n') {
            if (dash && only)
                scan += para;
            para = blank ? 0 : para + line + 1;
            line = pipes = 0;
            dash = false;
            only = blank = true;
            continue;
        }
        line++;
        if (c == '[')
            brackets++;
        if (c == '|')
            pipes++;
        if (c == '-')
            dash = true;
        else if (c != '|' && c != ':' && c != ' ' && c != '\t' && c != '\r')
            only = false;
        if (c != ' ' && c != '\t' && c != '\r')
            blank = false;
        if (brackets > VG_MD_MAX_BRACKETS || pipes > VG_MD_MAX_CELLS_LINE ||
            scan > VG_MD_MAX_TABLE_SCAN)
            return true;
    }
    return scan > VG_MD_MAX_TABLE_SCAN;
}

int vg_md_html_shift(const char *md, size_t len, int shift, struct vg_buf *out)
{
    if (len > VG_MAX_MARKDOWN)
        return VG_ETOOBIG;
    if (md && too_slow(md, len)) {
        unsigned long failures = vg_mem_thread_failures();
        vg_buf_puts(out, "<pre>");
        vg_render_text(out, md, len);
        vg_buf_puts(out, "</pre>\n");
        return vg_render_rc(out, failures);
    }
    pthread_once(&registered, register_extensions);
    /* No CMARK_OPT_UNSAFE: raw HTML never passes (it is made text above anyway), and unsafe
     * URLs left by mistake would be written empty. Bytes that are not UTF-8 become U+FFFD. */
    int opts = CMARK_OPT_VALIDATE_UTF8;
    pthread_mutex_lock(&cmark_lock);
    cmark_parser *parser = cmark_parser_new(opts);
    if (!parser) {
        pthread_mutex_unlock(&cmark_lock);
        return VG_ENOMEM;
    }
    int rc = 0;
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++)
        if (!exts[i] || !cmark_parser_attach_syntax_extension(parser, exts[i]))
            rc = VG_ENOMEM;
    cmark_node *doc = NULL;
    char *html = NULL;
    if (rc == 0) {
        cmark_parser_feed(parser, md ? md : "", md ? len : 0);
        doc = cmark_parser_finish(parser);
        rc = doc ? make_safe(doc, shift) : VG_ENOMEM;
    }
    if (rc == 0) {
        html = cmark_render_html(doc, opts, cmark_parser_get_syntax_extensions(parser));
        if (!html)
            rc = VG_ENOMEM;
    }
    if (rc == 0) {
        /* cmark writes what its input held: a character reference such as &#1; becomes that
         * control character, which XML does not allow. */
        unsigned long failures = vg_mem_thread_failures();
        vg_render_clean(out, html, strlen(html));
        rc = vg_render_rc(out, failures);
    }
    if (html)
        cmark_get_default_mem_allocator()->free(html);
    if (doc)
        cmark_node_free(doc);
    cmark_parser_free(parser);
    pthread_mutex_unlock(&cmark_lock);
    return rc;
}

int vg_md_html(const char *md, size_t len, struct vg_buf *out)
{
    return vg_md_html_shift(md, len, 0, out);
}
