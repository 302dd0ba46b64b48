/* Unit tests of the publications' renderers (src/advisory/markdown.c, html.c, feed.c and
 * render_text.c): safe Markdown with exact outputs, the URL checks, injection payloads in every
 * field of an advisory (absent in raw form from the page, the list and both feeds), every page
 * and feed checked by xmllint (spawned; a missing xmllint is a failure), control characters
 * and bytes that are not UTF-8, the caps, and the shipped guides of guides/. Run from the root
 * of the tree (as scripts/test.sh does). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "advisory/render.h"
#include "advisory/render_int.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/mem.h"

/* ---- helpers ---- */

static char *md(const char *in)
{
    struct vg_buf b;
    vg_buf_init(&b, VG_MAX_BUF);
    assert_int_equal(vg_md_html(in, strlen(in), &b), 0);
    return b.data ? vg_buf_steal(&b) : vg_strdup("");
}

static void md_is(const char *in, const char *want)
{
    char *got = md(in);
    if (strcmp(got, want) != 0)
        fail_msg("markdown %s\n got: %s\nwant: %s", in, got, want);
    free(got);
}

static char *S(const char *s)
{
    return s ? vg_strdup(s) : NULL;
}

static const struct vg_adv_site site = {
    .name = "CERT Exemple",
    .namespace = "https://cert.example.org",
    .contact = "cert@example.org",
    .base_url = "https://cert.example.org",
    .lang = "fr",
    .generator = "vigie test",
};

/* An advisory of kind k with every section filled: revisions versions (0: a draft), closed
 * (alerts), upstream (a source and another CERT's HTML). */
static void make_adv(struct vg_advisory *a, enum vg_adv_kind k, int revisions, bool closed,
                     bool upstream)
{
    memset(a, 0, sizeof *a);
    char ref[64];
    snprintf(ref, sizeof ref, "%s-2026-%s-%04d", upstream ? "CERTFR" : "VIGIE", vg_adv_kind_code(k),
             (int)k + 1);
    a->ref = S(ref);
    a->kind = k;
    a->status = revisions ? VG_ADV_PUBLISHED : VG_ADV_DRAFT;
    a->version = revisions;
    a->tlp = VG_TLP_CLEAR;
    a->title = S("Multiples vulnérabilités dans Apache HTTP Server");
    a->summary = S("De multiples vulnérabilités ont été découvertes dans **Apache**.\n\n"
                   "# Détails\n\n| CVE | Score |\n|---|---|\n| CVE-2024-0001 | 9.8 |\n");
    a->solution = S("Se référer au [bulletin](https://httpd.apache.org/security/) de "
                    "l'éditeur.");
    a->nrisks = 2;
    a->risks = vg_calloc(2, sizeof *a->risks);
    a->risks[0].kind = VG_RISK_RCE;
    a->risks[1].kind = VG_RISK_DOS;
    a->risks[1].text = upstream ? S("Déni de service à distance") : NULL;
    a->nsystems = 2;
    a->systems = vg_calloc(2, sizeof *a->systems);
    a->systems[0] = (struct vg_adv_system){S("Apache"),
                                           S("HTTP Server"),
                                           S("< 2.4.58"),
                                           S("2.4.58"),
                                           S("cpe:2.3:a:apache:http_server:*:*:*:"
                                             "*:*:*:*:*"),
                                           false};
    a->systems[1] = (struct vg_adv_system){S("Siemens"), S("N/A"), S("toutes"), NULL, NULL, true};
    a->ncves = 2;
    a->cves = vg_calloc(2, sizeof *a->cves);
    a->cves[0] = (struct vg_adv_cve){S("CVE-2024-0001"), 9.8,
                                     S("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"), true};
    a->cves[1] = (struct vg_adv_cve){S("CVE-2024-12345"), -1, NULL, false};
    a->nlinks = 2;
    a->links = vg_calloc(2, sizeof *a->links);
    a->links[0] = (struct vg_adv_link){S("Bulletin Apache"), S("https://httpd.apache.org/sec"),
                                       S("2026-03-01T00:00:00Z"), true};
    a->links[1] = (struct vg_adv_link){NULL, S("https://www.cert.ssi.gouv.fr/"), NULL, false};
    a->nrevisions = (size_t)revisions;
    a->revisions = revisions ? vg_calloc((size_t)revisions, sizeof *a->revisions) : NULL;
    for (int i = 0; i < revisions; i++) {
        char date[32];
        snprintf(date, sizeof date, "2026-03-%02dT09:30:00Z", 2 + i);
        a->revisions[i].version = i + 1;
        a->revisions[i].date = S(date);
        a->revisions[i].description = S(i ? "Ajout de la CVE-2024-12345" : "Version initiale");
    }
    a->created_at = S("2026-03-01T08:00:00Z");
    a->updated_at = S("2026-03-01T08:00:00Z");
    if (closed)
        a->closed_at = S("2026-04-01T12:00:00Z");
    if (upstream) {
        a->source = S("CERT-FR");
        a->source_url = S("https://www.cert.ssi.gouv.fr/avis/CERTFR-2026-AVI-0001/");
        a->affected_content = S("<ul> <li>Apache HTTP Server versions &lt; 2.4.58</li> "
                                "<li>Tomcat</li> </ul>");
    }
}

static char tmpdir[] = "/tmp/vigie-render-XXXXXX";

static int group_setup(void **state)
{
    (void)state;
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    DIR *d = opendir(tmpdir);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char path[512];
        snprintf(path, sizeof path, "%s/%s", tmpdir, e->d_name);
        unlink(path);
    }
    if (d)
        closedir(d);
    rmdir(tmpdir);
    return 0;
}

/* Writes text to tmpdir/name and checks it with `xmllint --noout`: well-formed XML, or the
 * test fails with xmllint's messages. */
static void xmllint_ok(const char *name, const char *text)
{
    char path[512], err[600], cmd[1400];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    snprintf(err, sizeof err, "%s.err", path);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
    fclose(f);
    snprintf(cmd, sizeof cmd, "xmllint --noout '%s' >'%s' 2>&1", path, err);
    int st = system(cmd);
    if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        char msg[2048] = "";
        FILE *e = fopen(err, "rb");
        if (e) {
            size_t n = fread(msg, 1, sizeof msg - 1, e);
            msg[n] = '\0';
            fclose(e);
        }
        fail_msg("xmllint refuses %s (status %d): %s", path, st, msg);
    }
    unlink(err);
}

static char *page(const struct vg_advisory *a)
{
    struct vg_buf b;
    vg_buf_init(&b, VG_MAX_BUF);
    assert_int_equal(vg_adv_html_page(a, &site, "/advisories", &b), 0);
    return vg_buf_steal(&b);
}

static char *list_page(const struct vg_advisory *const *list, size_t n,
                       const struct vg_adv_list_view *v)
{
    struct vg_buf b;
    vg_buf_init(&b, VG_MAX_BUF);
    assert_int_equal(vg_adv_html_list(list, n, v, &site, &b), 0);
    return vg_buf_steal(&b);
}

static char *feed(const struct vg_advisory *const *list, size_t n, bool rss)
{
    struct vg_buf b;
    vg_buf_init(&b, VG_MAX_BUF);
    int rc = rss ? vg_adv_rss(list, n, "Avis & alertes",
                              "https://cert.example.org/advisories/feed/", &site, "/advisories", &b)
                 : vg_adv_atom(list, n, "Avis & alertes",
                               "https://cert.example.org/advisories/feed.atom", &site,
                               "/advisories", &b);
    assert_int_equal(rc, 0);
    return vg_buf_steal(&b);
}

static void has(const char *text, const char *what)
{
    if (!strstr(text, what))
        fail_msg("missing: %s", what);
}

static void lacks(const char *text, const char *what)
{
    const char *at = strstr(text, what);
    if (at)
        fail_msg("present: %s (at byte %zu)", what, (size_t)(at - text));
}

static size_t count(const char *text, const char *what)
{
    size_t n = 0;
    for (const char *p = strstr(text, what); p; p = strstr(p + 1, what))
        n++;
    return n;
}

/* ---- Markdown ---- */

static void *render_thread(void *arg)
{
    bool ok = true;
    for (int i = 0; i < 1000 && ok; i++) {
        struct vg_buf b;
        vg_buf_init(&b, VG_MAX_BUF);
        int rc = vg_md_html("| a |\n|---|\n| ~~b~~ |", 20, &b);
        ok = rc == 0 && b.data && strstr(b.data, "<td><del>b</del></td>");
        vg_buf_cleanup(&b);
    }
    *(bool *)arg = ok;
    return NULL;
}

/* Renderings run in several threads at once: the extensions are registered once
 * (pthread_once) and each rendering gets its table with its strikethrough (cmark-gfm's
 * parsers share global state: markdown.c renders one at a time). First in the list, so that
 * no test before it registered the extensions. */
static void md_threads(void **state)
{
    (void)state;
    pthread_t t[8];
    bool ok[8] = {false};
    for (int i = 0; i < 8; i++)
        assert_int_equal(pthread_create(&t[i], NULL, render_thread, &ok[i]), 0);
    for (int i = 0; i < 8; i++) {
        pthread_join(t[i], NULL);
        assert_true(ok[i]);
    }
}

static void md_gfm(void **state)
{
    (void)state;
    md_is("| a | b |\n|---|:-:|\n| `x<y` | ~~z~~ |",
          "<table>\n<thead>\n<tr>\n<th>a</th>\n<th align=\"center\">b</th>\n</tr>\n</thead>\n"
          "<tbody>\n<tr>\n<td><code>x&lt;y</code></td>\n<td align=\"center\"><del>z</del></td>\n"
          "</tr>\n</tbody>\n</table>\n");
    md_is("Voir https://example.org/a?b=1&c=2 et www.cert.example, cert@example.org.",
          "<p>Voir <a href=\"https://example.org/a?b=1&amp;c=2\">https://example.org/a?b=1&amp;"
          "c=2</a> et <a href=\"http://www.cert.example\">www.cert.example</a>, <a "
          "href=\"mailto:cert@example.org\">cert@example.org</a>.</p>\n");
    md_is("- un\n- deux\n  1. trois",
          "<ul>\n<li>un</li>\n<li>deux\n<ol>\n<li>trois</li>\n</ol>\n</li>\n</ul>\n");
    md_is("```c\nint main(void) { return a < b && c; }\n```",
          "<pre><code class=\"language-c\">int main(void) { return a &lt; b &amp;&amp; c; }\n"
          "</code></pre>\n");
    md_is("# T\n\n*e* **s** `c`", "<h1>T</h1>\n<p><em>e</em> <strong>s</strong> "
                                  "<code>c</code></p>\n");
    md_is("[t](http://x/ \"a\\\"b\") ![alt](https://img/x.png 'q')",
          "<p><a href=\"http://x/\" title=\"a&quot;b\">t</a> <img src=\"https://img/x.png\" "
          "alt=\"alt\" title=\"q\" /></p>\n");
    md_is("", "");
    /* NULL with no length is the empty text. */
    struct vg_buf b;
    vg_buf_init(&b, 1024);
    assert_int_equal(vg_md_html(NULL, 0, &b), 0);
    assert_int_equal(b.len, 0);
    vg_buf_cleanup(&b);
}

/* Raw HTML is escaped into text, never passed, and never dropped: an advisory may quote a tag. */
static void md_raw_html(void **state)
{
    (void)state;
    md_is("<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n");
    md_is("x <img src=x onerror=alert(1)> y", "<p>x &lt;img src=x onerror=alert(1)&gt; y</p>\n");
    md_is("<iframe src=\"http://evil/\"></iframe>",
          "<p>&lt;iframe src=&quot;http://evil/&quot;&gt;&lt;/iframe&gt;</p>\n");
    md_is("a <b onmouseover=\"x\">b</b>",
          "<p>a &lt;b onmouseover=&quot;x&quot;&gt;b&lt;/b&gt;</p>\n");
    md_is("<div onclick=\"x\">\nhello\n</div>\n",
          "<p>&lt;div onclick=&quot;x&quot;&gt;\nhello\n&lt;/div&gt;</p>\n");
    md_is("<!-- c --> <?php x ?>", "<p>&lt;!-- c --&gt; &lt;?php x ?&gt;</p>\n");
    md_is("- <svg onload=alert(1)>", "<ul>\n<li>&lt;svg onload=alert(1)&gt;</li>\n</ul>\n");
    md_is("> <style>body{}</style>",
          "<blockquote>\n<p>&lt;style&gt;body{}&lt;/style&gt;</p>\n</blockquote>\n");
}

/* Links and images whose URL is not http(s), mailto or relative are their text only. */
static void md_unsafe_links(void **state)
{
    (void)state;
    md_is("[a](javascript:alert(1)) [b](JaVaScRiPt:alert(1)) [c](jav&#x61;script:x) "
          "[d](&#106;avascript:1) [e](java&#x09;script:1) [f](&#x20;javascript:x)",
          "<p>a b c d e f</p>\n");
    md_is("[e](data:text/html;base64,PHNjcmlwdD4=) ![d](data:image/png;base64,AAAA) "
          "[f](file:///etc/passwd) [v](vbscript:msgbox) <javascript:alert(1)>",
          "<p>e d f v javascript:alert(1)</p>\n");
    md_is("![j **k**](javascript:x)", "<p>j <strong>k</strong></p>\n");
    /* Nested brackets: the inner link stays, the outer one is text. */
    md_is("[[a](http://ok/)](javascript:x) [![i](javascript:y)](http://ok/)",
          "<p>[<a href=\"http://ok/\">a</a>](javascript:x) <a href=\"http://ok/\">i</a></p>\n");
    md_is("[x][r]\n\n[r]: javascript:alert(1)", "<p>x</p>\n");
    md_is("[r](../rel) [q](?a=1) [h](#top) [m](MAILTO:a@b.c) [s](HTTPS://x/)",
          "<p><a href=\"../rel\">r</a> <a href=\"?a=1\">q</a> <a href=\"#top\">h</a> <a "
          "href=\"MAILTO:a@b.c\">m</a> <a href=\"HTTPS://x/\">s</a></p>\n");
    md_is("[q](http://x/\"onmouseover=\"a)",
          "<p><a href=\"http://x/%22onmouseover=%22a\">q</a></p>\n");
}

static void md_url_check(void **state)
{
    (void)state;
    const char *ok[] = {"http://x/", "HTTPS://x", "mailto:a@b",  "../a",
                        "a/b:c",     "?x:y",      "#a:b",        "//host/p",
                        "",          "plain",     "ht\ttp://x/", " \x01https://x/"};
    const char *bad[] = {"javascript:x",
                         " JavaScript:x",
                         "\x01javascript:x",
                         "java\tscript:x",
                         "java\nscript:x",
                         "data:text/html,x",
                         "vbscript:x",
                         "file:///x",
                         "ftp://x",
                         "java\x01script:x",
                         "x:",
                         "averyveryverylongscheme:x"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (!vg_render_url_ok(ok[i]))
            fail_msg("refused: %s", ok[i]);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (vg_render_url_ok(bad[i]))
            fail_msg("accepted: %s", bad[i]);
    assert_false(vg_render_url_ok(NULL));
    assert_true(vg_render_url_http("https://a.example/x?y=1"));
    assert_true(vg_render_url_http("HTTP://a"));
    assert_false(vg_render_url_http("/rel"));
    assert_false(vg_render_url_http("mailto:a@b"));
    assert_false(vg_render_url_http("https://a/ b"));
    assert_false(vg_render_url_http("javascript://x"));
    assert_false(vg_render_url_http(NULL));
}

/* What XML does not allow is dropped from the output: control characters (raw or as
 * character references), U+FFFE; bytes that are not UTF-8 become U+FFFD. */
static void md_xml_chars(void **state)
{
    (void)state;
    md_is("a\001b\033c&#1;d&#xFFFE;e\377f\x7fg&#x85;h\t", "<p>abcde\xef\xbf\xbd"
                                                          "fgh</p>\n");
    struct vg_buf b;
    vg_buf_init(&b, VG_MAX_BUF);
    vg_render_text(&b,
                   "<a href='x'>&\"\x01\xc2\x85\xef\xbf\xbf\xc3\xa9\xe2\x82\xac\xf0\x9f\x98"
                   "\x80\xc0\xaf\xed\xa0\x80\t\n\r",
                   strlen("<a href='x'>&\"\x01\xc2\x85\xef\xbf\xbf\xc3\xa9\xe2\x82\xac\xf0\x9f\x98"
                          "\x80\xc0\xaf\xed\xa0\x80\t\n\r"));
    assert_string_equal(b.data, "&lt;a href=&#39;x&#39;&gt;&amp;&quot;\xc3\xa9\xe2\x82\xac\xf0\x9f"
                                "\x98\x80\t\n\r");
    vg_buf_reset(&b);
    vg_render_str(&b, NULL);
    vg_render_clean(&b, "<b>\x02", 4);
    assert_string_equal(b.data, "<b>");
    vg_buf_cleanup(&b);
}

static void md_limits(void **state)
{
    (void)state;
    char *big = vg_malloc(VG_MAX_MARKDOWN + 2);
    assert_non_null(big);
    memset(big, 'a', VG_MAX_MARKDOWN + 1);
    big[VG_MAX_MARKDOWN + 1] = '\0';
    struct vg_buf b;
    vg_buf_init(&b, VG_MAX_BUF);
    assert_int_equal(vg_md_html(big, VG_MAX_MARKDOWN + 1, &b), VG_ETOOBIG);
    assert_int_equal(b.len, 0);
    assert_int_equal(vg_md_html(big, VG_MAX_MARKDOWN, &b), 0);
    assert_int_equal(b.len, VG_MAX_MARKDOWN + strlen("<p></p>\n"));
    vg_buf_cleanup(&b);
    free(big);
    /* The buffer's cap: VG_ETOOBIG, not a cut page. */
    vg_buf_init(&b, 10);
    assert_int_equal(vg_md_html("hello world", 11, &b), VG_ETOOBIG);
    vg_buf_cleanup(&b);
    vg_buf_init(&b, strlen("<p>hello</p>\n"));
    assert_int_equal(vg_md_html("hello", 5, &b), 0);
    vg_buf_cleanup(&b);
    /* Deep nesting renders (the walk is iterative). */
    char deep[20001];
    memset(deep, '>', sizeof deep - 1);
    deep[sizeof deep - 1] = '\0';
    vg_buf_init(&b, VG_MAX_BUF);
    assert_int_equal(vg_md_html(deep, strlen(deep), &b), 0);
    vg_buf_cleanup(&b);
}

/* Texts on which cmark-gfm 0.29.0.gfm.6 takes quadratic time are shown as plain text: up to
 * VG_MD_MAX_BRACKETS '[', VG_MD_MAX_CELLS_LINE '|' on a line and VG_MD_MAX_TABLE_SCAN bytes
 * of paragraphs read again as table headers they are Markdown, one more and they are a <pre>. */
static void md_slow_inputs(void **state)
{
    (void)state;
    struct vg_buf in, out;
    vg_buf_init(&in, VG_MAX_BUF);
    vg_buf_init(&out, VG_MAX_BUF);
    for (int i = 0; i < VG_MD_MAX_BRACKETS / 2; i++)
        vg_buf_puts(&in, "![[]()");
    assert_int_equal(vg_md_html(in.data, in.len, &out), 0);
    assert_memory_equal(out.data, "<p>!", 4);
    vg_buf_puts(&in, "[<b>");
    vg_buf_reset(&out);
    assert_int_equal(vg_md_html(in.data, in.len, &out), 0);
    assert_memory_equal(out.data, "<pre>![[]()![[]()", 17);
    has(out.data, "[&lt;b&gt;</pre>\n");
    assert_int_equal(out.len, in.len + strlen("<pre></pre>\n") + 6);
    /* The whole 64 KiB of them: plain text too. */
    vg_buf_reset(&in);
    while (in.len + 6 <= VG_MAX_MARKDOWN)
        vg_buf_puts(&in, "![[]()");
    vg_buf_reset(&out);
    assert_int_equal(vg_md_html(in.data, in.len, &out), 0);
    assert_memory_equal(out.data, "<pre>", 5);
    /* Cells: VG_MD_MAX_CELLS_LINE '|' on a line. */
    vg_buf_reset(&in);
    vg_buf_puts(&in, "a\n");
    for (int i = 0; i < VG_MD_MAX_CELLS_LINE; i++)
        vg_buf_puts(&in, "|");
    vg_buf_puts(&in, "\nb");
    vg_buf_reset(&out);
    assert_int_equal(vg_md_html(in.data, in.len, &out), 0);
    assert_memory_equal(out.data, "<p>a\n|||", 8);
    in.data[in.len - 2] = '|'; /* the same line: one more */
    vg_buf_reset(&out);
    assert_int_equal(vg_md_html(in.data, in.len, &out), 0);
    assert_memory_equal(out.data, "<pre>a\n|||", 10);
    /* Two lines of 600: counted per line. */
    vg_buf_reset(&in);
    for (int i = 0; i < 1200; i++)
        vg_buf_puts(&in, i == 600 ? "\n|" : "|");
    vg_buf_reset(&out);
    assert_int_equal(vg_md_html(in.data, in.len, &out), 0);
    assert_memory_equal(out.data, "<p>|||", 6);
    /* Tables after blank lines: each reads its own paragraph only (60 of 1 KB each). */
    vg_buf_reset(&in);
    for (int t = 0; t < 60; t++) {
        for (int i = 0; i < 999; i++)
            vg_buf_putc(&in, 'a');
        vg_buf_puts(&in, "\n|-|\n \t\r\n"); /* a blank line */
    }
    vg_buf_reset(&out);
    assert_int_equal(vg_md_html(in.data, in.len, &out), 0);
    assert_memory_equal(out.data, "<table>", 7);
    /* Table headers read again: a paragraph of 16 KiB, then rows that may be delimiter rows
     * (" |:-| ", "\t-\r"; not "|-|x" nor "| |"), each reading the paragraph so far again. */
    for (int more = 0; more < 2; more++) {
        vg_buf_reset(&in);
        for (int i = 0; i < 16383; i++)
            vg_buf_putc(&in, 'a');
        vg_buf_puts(&in, "\n");
        size_t scan = 0, para = 16384;
        const char *rows[] = {" |:-| \n", "\t-\r\n"};
        for (int k = 0; scan + para <= VG_MD_MAX_TABLE_SCAN; k++) {
            scan += para;
            para += strlen(rows[k % 2]) + 6;
            vg_buf_puts(&in, rows[k % 2]);
            vg_buf_puts(&in, "|-|x\n");
        }
        if (more)
            vg_buf_puts(&in, "-"); /* the last line */
        else
            vg_buf_puts(&in, "\n| |\n");
        vg_buf_reset(&out);
        assert_int_equal(vg_md_html(in.data, in.len, &out), 0);
        if (more)
            assert_memory_equal(out.data, "<pre>aaaa", 9);
        else
            assert_memory_not_equal(out.data, "<pre>", 5);
    }
    vg_buf_cleanup(&in);
    vg_buf_cleanup(&out);
}

/* Headings of an advisory's Markdown sit under the page's h2: "# x" is an h3, "###### y" h6. */
static void md_heading_shift(void **state)
{
    (void)state;
    struct vg_buf b;
    vg_buf_init(&b, VG_MAX_BUF);
    const char *in = "# a\n\n#### b\n\n##### c\n\n###### d";
    assert_int_equal(vg_md_html_shift(in, strlen(in), 2, &b), 0);
    assert_string_equal(b.data, "<h3>a</h3>\n<h6>b</h6>\n<h6>c</h6>\n<h6>d</h6>\n");
    vg_buf_cleanup(&b);
}

/* ---- pages and feeds ---- */

/* Every kind, published with one or two versions, alerts open and closed, upstream ones and a
 * draft with no version: each page, the lists and both feeds are well-formed XML and hold what
 * the issue asks. */
static void pages_every_kind(void **state)
{
    (void)state;
    struct vg_advisory advs[VG_ADV_KIND_COUNT + 3];
    size_t n = 0;
    for (int k = 0; k < VG_ADV_KIND_COUNT; k++)
        make_adv(&advs[n++], (enum vg_adv_kind)k, 1 + k % 2, false, k == VG_ADV_AVIS);
    make_adv(&advs[n++], VG_ADV_ALERTE, 2, true, false); /* a closed alert */
    make_adv(&advs[n++], VG_ADV_AVIS, 0, false, false);  /* a draft: no version yet */
    make_adv(&advs[n++], VG_ADV_ALERTE, 1, false, true); /* an upstream alert */
    free(advs[n - 2].ref);
    advs[n - 2].ref = S("VIGIE-2026-AVI-0099");
    advs[n - 1].lang = S("en");
    const struct vg_advisory *list[sizeof advs / sizeof advs[0]];
    for (size_t i = 0; i < n; i++) {
        list[i] = &advs[i];
        char *p = page(&advs[i]);
        char name[64];
        snprintf(name, sizeof name, "page-%zu.html", i);
        xmllint_ok(name, p);
        has(p, "<!DOCTYPE html>\n<html lang=\"");
        has(p, "<meta charset=\"utf-8\"/>");
        has(p, "<meta name=\"viewport\"");
        has(p, "<header>");
        has(p, "<main>");
        has(p, "<footer>");
        has(p, "<nav aria-label=");
        has(p, "<style>");
        lacks(p, "<script");
        lacks(p, " onload");
        lacks(p, "<link");
        has(p, "<span class=\"tlp tlp-clear\">TLP:CLEAR</span>");
        has(p, "<th scope=\"col\">");
        /* Headings in order: one h1 before the first h2, h3 only after an h2. */
        assert_int_equal(count(p, "<h1"), 1);
        assert_true(strstr(p, "<h1") < strstr(p, "<h2"));
        assert_true(strstr(p, "<h2") < strstr(p, "<h3"));
        bool en = advs[i].lang && strcmp(advs[i].lang, "en") == 0;
        has(p, en ? "<html lang=\"en\">" : "<html lang=\"fr\">");
        has(p, en ? ">Risk(s)</h2>" : ">Risque(s)</h2>");
        has(p, en ? ">Affected systems</h2>" : ">Systèmes affectés</h2>");
        has(p, en ? ">Summary</h2>" : ">Résumé</h2>");
        has(p, en ? ">Solution(s)</h2>" : ">Solution(s)</h2>");
        has(p, en ? ">Documentation</h2>" : ">Documentation</h2>");
        has(p, en ? ">Revision history</h2>" : ">Gestion détaillée du document</h2>");
        has(p, "<h3>Détails</h3>"); /* the summary's "# Détails", moved under its h2 */
        has(p, "<strong>Apache</strong>");
        has(p, "<a href=\"https://httpd.apache.org/security/\">bulletin</a>");
        has(p, "<a href=\"https://www.cve.org/CVERecord?id=CVE-2024-0001\">CVE-2024-0001</a>"
               " – CVSS 9.8");
        has(p, "<a href=\"https://www.cve.org/CVERecord?id=CVE-2024-12345\">CVE-2024-12345</a>");
        has(p, "<a href=\"https://httpd.apache.org/sec\">Bulletin Apache</a>");
        has(p, "<a href=\"https://www.cert.ssi.gouv.fr/\">https://www.cert.ssi.gouv.fr/</a>");
        has(p, "<code>cpe:2.3:a:apache:http_server:*:*:*:*:*:*:*:*</code>");
        has(p, "&lt; 2.4.58");
        if (advs[i].nrevisions) {
            has(p, "<time datetime=\"2026-03-02T09:30:00Z\">2 ");
            has(p, en ? "2 March 2026" : "2 mars 2026");
            has(p, "<tr><th scope=\"row\">1</th><td><time datetime=\"2026-03-02T09:30:00Z\">");
            lacks(p, "class=\"draft\"");
            if (advs[i].nrevisions == 2)
                has(p, "<time datetime=\"2026-03-03T09:30:00Z\">3 ");
        } else {
            has(p, "<p class=\"draft\">Brouillon : ce document n'est pas publié.</p>");
            has(p, "<dd>Non publié</dd>");
            has(p, "<p>Aucune version publiée.</p>");
            lacks(p, "<dd><time");
        }
        if (advs[i].kind == VG_ADV_ALERTE) {
            has(p, en ? "<dt>End of alert</dt>" : "<dt>Date de fin d'alerte</dt>");
            if (advs[i].closed_at)
                has(p, "<dd><time datetime=\"2026-04-01T12:00:00Z\">1 avril 2026</time></dd>");
            else
                has(p, en ? "<dd>Alert ongoing</dd>" : "<dd>Alerte en cours</dd>");
        } else {
            lacks(p, "fin d'alerte");
        }
        if (advs[i].source) {
            has(p, "<dd><a href=\"https://www.cert.ssi.gouv.fr/avis/CERTFR-2026-AVI-0001/\">"
                   "CERT-FR</a></dd>");
            /* Another CERT's HTML: its text, never its tags. */
            has(p, "<div class=\"upstream\">");
            has(p, "Apache HTTP Server versions &lt; 2.4.58");
            lacks(p, "<li>Tomcat");
            has(p, "<li>Déni de service à distance</li>");
        } else {
            lacks(p, "class=\"upstream\"");
            has(p, en ? "<li>Denial of service</li>" : "<li>Déni de service à distance</li>");
        }
        free(p);
    }
    int years[] = {2026, 2025};
    struct vg_adv_list_view v = {"/advisories", "Avis et alertes", -1, 0, 1, true, years, 2};
    char *l = list_page(list, n, &v);
    xmllint_ok("list.html", l);
    has(l, "<h1>Avis et alertes</h1>");
    has(l, "<a href=\"https://cert.example.org/advisories/alerte/\">Alerte</a>");
    has(l, "<a href=\"https://cert.example.org/advisories/2025/\">2025</a>");
    has(l, "<strong aria-current=\"true\">Tous</strong>");
    has(l, "<a rel=\"next\" href=\"https://cert.example.org/advisories/page/2/\">");
    lacks(l, "rel=\"prev\"");
    has(l, "<th scope=\"row\"><a href=\"https://cert.example.org/advisories/VIGIE-2026-AVI-0099\">"
           "VIGIE-2026-AVI-0099</a></th>");
    has(l, "<td>Non publié</td>");
    assert_int_equal(count(l, "<tr><th scope=\"row\">"), n);
    /* Rows in the order given (newest first is the caller's). */
    assert_true(strstr(l, "CERTFR-2026-AVI-0001") < strstr(l, "VIGIE-2026-ALE-0002"));
    free(l);
    struct vg_adv_list_view v2 = {"/advisories", "Avis", VG_ADV_AVIS, 2026, 3, false, years, 2};
    l = list_page(list, 1, &v2);
    xmllint_ok("list-2.html", l);
    has(l, "<h1>Avis : Page 3</h1>");
    has(l, "<a rel=\"prev\" href=\"https://cert.example.org/advisories/avis/2026/"
           "page/2/\">");
    lacks(l, "rel=\"next\"");
    has(l, "<strong aria-current=\"true\">Avis</strong>");
    has(l, "<strong aria-current=\"true\">2026</strong>");
    has(l, "<a href=\"https://cert.example.org/advisories/avis/\">Tous</a>");
    free(l);
    struct vg_adv_list_view v3 = {"/guides", "Guides", -1, 0, 1, false, NULL, 0};
    l = list_page(NULL, 0, &v3);
    xmllint_ok("list-3.html", l);
    has(l, "<p>Aucune publication.</p>");
    lacks(l, "/avis/");
    lacks(l, "<nav class=\"pages\"");
    free(l);

    char *atom = feed(list, n, false);
    xmllint_ok("feed.atom", atom);
    has(atom, "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"fr\">");
    has(atom, "<id>https://cert.example.org/advisories/feed.atom</id>");
    has(atom, "<title>Avis &amp; alertes</title>");
    has(atom, "<link rel=\"self\" type=\"application/atom+xml\" "
              "href=\"https://cert.example.org/advisories/feed.atom\"/>");
    has(atom, "<author><name>CERT Exemple</name>");
    /* The feed's updated is its newest entry's: the 2-version ones, 2026-03-03. */
    has(atom, "</id>\n<title>Avis &amp; alertes</title>\n<updated>2026-03-03T09:30:00Z</updated>");
    assert_int_equal(count(atom, "<entry>"), n);
    has(atom, "<entry>\n<id>https://cert.example.org/advisories/CERTFR-2026-AVI-0001</id>\n"
              "<title>CERTFR-2026-AVI-0001 : Multiples vulnérabilités dans Apache HTTP Server"
              "</title>\n<updated>2026-03-02T09:30:00Z</updated>\n<published>"
              "2026-03-02T09:30:00Z</published>\n");
    has(atom, "<category term=\"alerte\" label=\"Alerte\"/>");
    /* The draft: its creation date. */
    has(atom, "VIGIE-2026-AVI-0099</id>\n<title>VIGIE-2026-AVI-0099 : Multiples vulnérabilités "
              "dans Apache HTTP Server</title>\n<updated>2026-03-01T08:00:00Z</updated>");
    free(atom);
    char *rss = feed(list, n, true);
    xmllint_ok("feed.rss", rss);
    has(rss, "<rss version=\"2.0\"");
    has(rss, "<channel>\n<title>Avis &amp; alertes</title>\n<link>https://cert.example.org/"
             "advisories/</link>\n<description>");
    has(rss, "<language>fr</language>");
    has(rss, "<lastBuildDate>Tue, 03 Mar 2026 09:30:00 +0000</lastBuildDate>");
    assert_int_equal(count(rss, "<item>"), n);
    has(rss, "<guid isPermaLink=\"true\">https://cert.example.org/advisories/VIGIE-2026-GUI-0008"
             "</guid>\n<pubDate>Mon, 02 Mar 2026 09:30:00 +0000</pubDate>");
    has(rss, "<category>Guide</category>");
    free(rss);
    /* An empty feed is valid too, dated at the epoch (no clock read: same input, same feed). */
    atom = feed(NULL, 0, false);
    xmllint_ok("empty.atom", atom);
    has(atom, "<updated>1970-01-01T00:00:00Z</updated>");
    free(atom);
    rss = feed(NULL, 0, true);
    xmllint_ok("empty.rss", rss);
    has(rss, "<lastBuildDate>Thu, 01 Jan 1970 00:00:00 +0000</lastBuildDate>");
    free(rss);
    for (size_t i = 0; i < n; i++)
        vg_advisory_free(&advs[i]);
}

static const char *const payloads[] = {
    "<script>alert(1)</script>",
    "\"><svg onload=alert(1)>",
    "' onmouseover='alert(1)",
};

/* The forms of the payloads that must never appear: a tag or an attribute that breaks out. */
static const char *const raw_forms[] = {
    "<script",          "<svg",    "' onmouseover='",   "\" onmouseover",
    "\"onmouseover=\"", "\"><svg", "href=\"javascript", "src=\"javascript",
};

static void check_clean(const char *name, const char *text)
{
    for (size_t i = 0; i < sizeof raw_forms / sizeof raw_forms[0]; i++)
        if (strstr(text, raw_forms[i]))
            fail_msg("%s holds %s raw", name, raw_forms[i]);
    xmllint_ok(name, text);
}

/* Every field of an advisory holds an injection payload: none is found in raw form in the
 * page, the list and both feeds, and each is there escaped. */
static void pages_injection(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof payloads / sizeof payloads[0]; k++) {
        const char *x = payloads[k];
        struct vg_advisory a;
        make_adv(&a, VG_ADV_ALERTE, 2, true, true);
        char **fields[] = {&a.ref,
                           &a.title,
                           &a.summary,
                           &a.solution,
                           &a.affected_content,
                           &a.source,
                           &a.closed_at,
                           &a.created_at,
                           &a.updated_at,
                           &a.risks[1].text,
                           &a.systems[0].vendor,
                           &a.systems[0].product,
                           &a.systems[0].versions,
                           &a.systems[0].fixed,
                           &a.systems[0].cpe,
                           &a.cves[0].id,
                           &a.cves[0].cvss_vector,
                           &a.links[0].title,
                           &a.links[0].published_at,
                           &a.revisions[0].date,
                           &a.revisions[1].description};
        for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++) {
            free(*fields[f]);
            *fields[f] = S(x);
        }
        /* URLs with quotes: as attributes (escaped) or as text. */
        char url[128];
        snprintf(url, sizeof url, "https://x.example/%s", x);
        free(a.links[1].url);
        a.links[1].url = S(url);
        free(a.links[0].url);
        a.links[0].url = S("https://x.example/\"onmouseover=\"alert(1)");
        free(a.source_url);
        a.source_url = S("javascript:alert(1)");
        a.links[1].title = S(x);
        snprintf(url, sizeof url, "CVE-2024-1234%s", x); /* a CVE id, then the payload */
        free(a.cves[1].id);
        a.cves[1].id = S(url);
        char *p = page(&a);
        check_clean("inj-page.html", p);
        struct vg_buf esc;
        vg_buf_init(&esc, 1024);
        vg_render_str(&esc, x);
        has(p, esc.data); /* the title at least */
        vg_buf_cleanup(&esc);
        lacks(p, "href=\"javascript");
        lacks(p, "?id=CVE-2024-1234&"); /* not a CVE id: not linked */
        has(p, "href=\"https://x.example/&quot;onmouseover=&quot;alert(1)\"");
        free(p);
        const struct vg_advisory *list[] = {&a};
        struct vg_adv_list_view v = {"/advisories", x, -1, 0, 2, true, NULL, 0};
        char *l = list_page(list, 1, &v);
        check_clean("inj-list.html", l);
        free(l);
        char *atom = feed(list, 1, false);
        check_clean("inj.atom", atom);
        free(atom);
        char *rss = feed(list, 1, true);
        check_clean("inj.rss", rss);
        free(rss);
        /* The site's own texts are escaped too. */
        struct vg_adv_site s2 = site;
        s2.name = x;
        s2.contact = x;
        s2.base_url = "https://a.example/\"><script>";
        struct vg_buf b;
        vg_buf_init(&b, VG_MAX_BUF);
        assert_int_equal(vg_adv_html_page(&a, &s2, x, &b), 0);
        check_clean("inj-site.html", b.data);
        vg_buf_reset(&b);
        assert_int_equal(vg_adv_html_list(list, 1, &v, &s2, &b), 0);
        check_clean("inj-site-list.html", b.data);
        vg_buf_reset(&b);
        assert_int_equal(vg_adv_atom(list, 1, x, x, &s2, x, &b), 0);
        check_clean("inj-site.atom", b.data);
        vg_buf_reset(&b);
        assert_int_equal(vg_adv_rss(list, 1, x, x, &s2, x, &b), 0);
        check_clean("inj-site.rss", b.data);
        vg_buf_cleanup(&b);
        vg_advisory_free(&a);
    }
}

/* Control characters and bytes that are not UTF-8 in every text: the page and the feeds are
 * still valid XML, and the characters are gone. */
static void pages_bad_chars(void **state)
{
    (void)state;
    const char *bad = "a\001b\x0b\x0c\x1b\x7f\xc2\x80\xef\xbf\xbe\xff\xfe\xc0\xaf\xed\xa0\x80"
                      "&#1;c\x00";
    struct vg_advisory a;
    make_adv(&a, VG_ADV_AVIS, 1, false, true);
    char **fields[] = {&a.title,
                       &a.summary,
                       &a.solution,
                       &a.source,
                       &a.affected_content,
                       &a.systems[0].vendor,
                       &a.links[0].title,
                       &a.revisions[0].description};
    for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++) {
        free(*fields[f]);
        *fields[f] = S(bad);
    }
    const struct vg_advisory *list[] = {&a};
    char *p = page(&a);
    xmllint_ok("bad.html", p);
    lacks(p, "\001");
    lacks(p, "\x1b");
    lacks(p, "\xff");
    free(p);
    char *atom = feed(list, 1, false);
    xmllint_ok("bad.atom", atom);
    lacks(atom, "\x0b");
    free(atom);
    char *rss = feed(list, 1, true);
    xmllint_ok("bad.rss", rss);
    free(rss);
    int years[] = {2026};
    struct vg_adv_list_view v = {"/advisories", bad, -1, 0, 1, false, years, 1};
    char *l = list_page(list, 1, &v);
    xmllint_ok("bad-list.html", l);
    free(l);
    vg_advisory_free(&a);
}

/* A long summary is cut in the feeds at a character boundary; dates that are not dates are
 * shown as text on the page and replaced in the feeds. */
static void feed_summary_and_dates(void **state)
{
    (void)state;
    struct vg_advisory a;
    make_adv(&a, VG_ADV_AVIS, 1, false, false);
    free(a.summary);
    char *sum = vg_malloc(1202);
    sum[0] = 'a'; /* then é: byte 500 is inside one, where a cut would not be UTF-8 */
    for (size_t i = 0; i < 600; i++)
        memcpy(sum + 1 + 2 * i, "\xc3\xa9", 2);
    sum[1201] = '\0';
    a.summary = sum;
    free(a.revisions[0].date);
    a.revisions[0].date = S("hier");
    const struct vg_advisory *list[] = {&a};
    char *atom = feed(list, 1, false);
    xmllint_ok("cut.atom", atom);
    const char *s = strstr(atom, "<summary type=\"text\">");
    assert_non_null(s);
    s += strlen("<summary type=\"text\">");
    const char *e = strstr(s, "</summary>");
    assert_int_equal((size_t)(e - s), 499 + strlen("…"));
    /* The last revision's date cannot be read: the update date stands in. */
    has(atom, "<updated>2026-03-01T08:00:00Z</updated>");
    free(atom);
    struct vg_adv_site rel = site;
    rel.base_url = "";
    struct vg_buf b;
    vg_buf_init(&b, VG_MAX_BUF);
    assert_int_equal(vg_adv_rss(list, 1, "t", "/advisories/feed/", &rel, "/advisories", &b), 0);
    has(b.data, "<guid isPermaLink=\"false\">/advisories/VIGIE-2026-AVI-0001</guid>");
    vg_buf_cleanup(&b);
    char *p = page(&a);
    has(p, "<dd>hier</dd>");
    free(p);
    vg_advisory_free(&a);
}

/* The caps: a buffer too small gives VG_ETOOBIG for each writer. */
static void render_caps(void **state)
{
    (void)state;
    struct vg_advisory a;
    make_adv(&a, VG_ADV_AVIS, 1, false, false);
    const struct vg_advisory *list[] = {&a};
    struct vg_adv_list_view v = {"/advisories", "Avis", -1, 0, 1, false, NULL, 0};
    for (size_t cap = 16; cap <= 256; cap *= 4) {
        struct vg_buf b;
        vg_buf_init(&b, cap);
        assert_int_equal(vg_adv_html_page(&a, &site, "/advisories", &b), VG_ETOOBIG);
        vg_buf_reset(&b);
        assert_int_equal(vg_adv_html_list(list, 1, &v, &site, &b), VG_ETOOBIG);
        vg_buf_reset(&b);
        assert_int_equal(vg_adv_atom(list, 1, "t", "u", &site, "", &b), VG_ETOOBIG);
        vg_buf_reset(&b);
        assert_int_equal(vg_adv_rss(list, 1, "t", "u", &site, "", &b), VG_ETOOBIG);
        vg_buf_cleanup(&b);
    }
    /* A summary over VG_MAX_MARKDOWN is shown as text rather than not at all. */
    free(a.summary);
    a.summary = vg_malloc(VG_MAX_MARKDOWN + 2);
    memset(a.summary, '<', VG_MAX_MARKDOWN + 1);
    a.summary[VG_MAX_MARKDOWN + 1] = '\0';
    char *p = page(&a);
    has(p, "<p>Texte trop long pour être mis en forme :</p>\n<pre>&lt;&lt;");
    lacks(p, "<<");
    free(p);
    vg_advisory_free(&a);
}

/* Allocation failures: each writer reports VG_ENOMEM (or succeeds), never crashes or leaks. */
static void render_alloc_failures(void **state)
{
    (void)state;
    struct vg_advisory a;
    make_adv(&a, VG_ADV_ALERTE, 2, true, true);
    const struct vg_advisory *list[] = {&a};
    struct vg_adv_list_view v = {"/advisories", "Avis", -1, 0, 2, true, NULL, 0};
    for (int w = 0; w < 4; w++) {
        bool ok = false;
        for (long nth = 1; nth < 200 && !ok; nth++) {
            struct vg_buf b;
            vg_buf_init(&b, VG_MAX_BUF);
            vg_mem_fail_after(nth);
            int rc = w == 0   ? vg_adv_html_page(&a, &site, "/advisories", &b)
                     : w == 1 ? vg_adv_html_list(list, 1, &v, &site, &b)
                     : w == 2 ? vg_adv_atom(list, 1, "t", "u", &site, "", &b)
                              : vg_md_html(a.summary, strlen(a.summary), &b);
            long failed = vg_mem_failed();
            vg_mem_fail_after(0);
            if (failed)
                assert_int_equal(rc, VG_ENOMEM);
            else {
                assert_int_equal(rc, 0);
                ok = true;
            }
            vg_buf_cleanup(&b);
        }
        assert_true(ok);
    }
    vg_advisory_free(&a);
}

/* ---- the shipped guides ---- */

/* The guides (guides/NAME.md): the front matter of guides/README.md (line 1 "# Title", line 2 the
 * reference as a link reference definition "[ref]: # (GUIDE-...)"), 60 to 150 lines, and rendered
 * by vg_md_html without loss: every heading, link and list item is in the HTML, no raw HTML was
 * there to escape, the front matter writes nothing. */
static void guides_render(void **state)
{
    (void)state;
    DIR *d = opendir("guides");
    assert_non_null(d);
    struct dirent *e;
    int nguides = 0;
    while ((e = readdir(d)) != NULL) {
        size_t nl = strlen(e->d_name);
        if (nl < 4 || strcmp(e->d_name + nl - 3, ".md") != 0 || strcmp(e->d_name, "README.md") == 0)
            continue;
        char path[512];
        snprintf(path, sizeof path, "guides/%s", e->d_name);
        FILE *f = fopen(path, "rb");
        assert_non_null(f);
        static char text[65536];
        size_t len = fread(text, 1, sizeof text - 1, f);
        fclose(f);
        text[len] = '\0';
        if (strncmp(text, "# ", 2) != 0)
            fail_msg("%s: line 1 is not \"# Title\"", path);
        const char *l2 = strchr(text, '\n');
        assert_non_null(l2);
        if (strncmp(l2 + 1, "[ref]: # (GUIDE-", 16) != 0)
            fail_msg("%s: line 2 is not \"[ref]: # (GUIDE-...)\"", path);
        size_t lines = count(text, "\n");
        if (lines < 60 || lines > 150)
            fail_msg("%s: %zu lines", path, lines);
        lacks(text, "<"); /* no raw HTML: it would be shown escaped */
        char *h = md(text);
        char name[300];
        snprintf(name, sizeof name, "guide-%s.xml", e->d_name);
        struct vg_buf x;
        vg_buf_init(&x, VG_MAX_BUF);
        vg_buf_puts(&x, "<div>");
        vg_buf_puts(&x, h);
        vg_buf_puts(&x, "</div>");
        xmllint_ok(name, x.data);
        vg_buf_cleanup(&x);
        lacks(h, "GUIDE-"); /* the front matter writes nothing */
        lacks(h, "[ref]");
        lacks(h, "&lt;");
        assert_int_equal(count(h, "<h1>"), 1);
        /* Every heading, list item and link of the source is in the output. */
        size_t heads = 0, items = 0, links = count(text, "](http");
        for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
            if (*p == '#')
                heads++;
            size_t sp = strspn(p, " ");
            if ((p[sp] == '-' || p[sp] == '*') && p[sp + 1] == ' ')
                items++;
            else if (p[sp] >= '0' && p[sp] <= '9' && strspn(p + sp, "0123456789") < 3 &&
                     p[sp + strspn(p + sp, "0123456789")] == '.')
                items++;
        }
        assert_int_equal(count(h, "<h1>") + count(h, "<h2>") + count(h, "<h3>") + count(h, "<h4>"),
                         heads);
        assert_int_equal(count(h, "<li>"), items);
        assert_int_equal(count(h, "<a href=\"http"), links);
        free(h);
        nguides++;
    }
    closedir(d);
    assert_true(nguides >= 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(md_threads),
        cmocka_unit_test(md_gfm),
        cmocka_unit_test(md_raw_html),
        cmocka_unit_test(md_unsafe_links),
        cmocka_unit_test(md_url_check),
        cmocka_unit_test(md_xml_chars),
        cmocka_unit_test(md_limits),
        cmocka_unit_test(md_slow_inputs),
        cmocka_unit_test(md_heading_shift),
        cmocka_unit_test(pages_every_kind),
        cmocka_unit_test(pages_injection),
        cmocka_unit_test(pages_bad_chars),
        cmocka_unit_test(feed_summary_and_dates),
        cmocka_unit_test(render_caps),
        cmocka_unit_test(render_alloc_failures),
        cmocka_unit_test(guides_render),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
