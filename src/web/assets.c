/* The portal's and the console's only stylesheet and script, embedded in the binary and served
 * at /static/vigie.css and /static/vigie.js (web/web.h): nothing is loaded from elsewhere (the
 * pages' CSP allows only 'self'). Plain, accessible (text contrast at least 4.5:1, a focus
 * outline everywhere, a skip link), responsive; the TLP badges in FIRST's colours on black.
 * The script only adds live filtering of tables: every page works without it. */
#include <string.h>

#include "http/response.h"
#include "util/buf.h"
#include "web/page.h"
#include "web/web.h"

/* clang-format off */
static const char css[] =
"/* vigie: the portal's and the console's stylesheet */\n"
":root{--ink:#1a1a1a;--muted:#4a4a4a;--paper:#fff;--line:#c8ccd2;--zebra:#f3f5f7;"
"--brand:#13294b;--link:#0b4f9c;--bad:#b00020;--ok:#1b5e20;--focus:#ffbf47}\n"
"*,*::before,*::after{box-sizing:border-box}\n"
"html{font-size:100%}\n"
"body{margin:0;font-family:system-ui,-apple-system,\"Segoe UI\",Roboto,\"Noto Sans\",sans-serif;"
"line-height:1.5;color:var(--ink);background:var(--paper)}\n"
"a{color:var(--link)}\n"
"a:hover{text-decoration-thickness:2px}\n"
"a:focus,button:focus,input:focus,select:focus,textarea:focus,summary:focus"
"{outline:3px solid var(--focus);outline-offset:2px}\n"
"code{font-family:ui-monospace,\"DejaVu Sans Mono\",monospace;background:var(--zebra);"
"padding:0 .2em}\n"
"\n/* the frame */\n"
".skip{position:absolute;left:-10000px;top:0;background:var(--focus);color:#000;"
"padding:.5em 1em;z-index:10}\n"
".skip:focus{left:0}\n"
"header{display:flex;flex-wrap:wrap;align-items:center;gap:.5em 1.5em;padding:.6em 1.5em;"
"background:var(--brand);color:#fff}\n"
"header a{color:#fff}\n"
"header .brand{font-weight:700;font-size:1.2em;text-decoration:none}\n"
"nav ul{display:flex;flex-wrap:wrap;gap:.25em 1em;list-style:none;margin:0;padding:0}\n"
"nav a{display:inline-block;padding:.3em .1em;text-decoration:none;"
"border-bottom:3px solid transparent}\n"
"nav a:hover{border-bottom-color:#fff}\n"
"nav a[aria-current=page]{font-weight:700;border-bottom-color:var(--focus)}\n"
"header .user{margin-left:auto;display:flex;align-items:center;gap:.75em}\n"
"header .user form{margin:0}\n"
"main{max-width:72em;margin:0 auto;padding:1em 1.5em 3em}\n"
"h1{font-size:1.8em;line-height:1.2;margin:.5em 0}\n"
"h2{font-size:1.35em;margin:1.5em 0 .5em}\n"
"h3{font-size:1.1em;margin:1.2em 0 .4em}\n"
"footer{border-top:1px solid var(--line);padding:1em 1.5em;color:var(--muted);font-size:.9em}\n"
"\n/* forms */\n"
"form{margin:1em 0}\n"
"fieldset{border:1px solid var(--line);margin:0 0 1.2em;padding:.5em 1em 1em}\n"
"legend{font-weight:700;padding:0 .3em}\n"
".field{margin:.8em 0}\n"
".field label{display:block;font-weight:600;margin-bottom:.2em}\n"
"input,select,textarea{font:inherit;color:var(--ink);background:#fff;border:1px solid #6b7280;"
"border-radius:3px;padding:.35em .5em;max-width:100%}\n"
"input[type=text],input[type=email],input[type=tel],input[type=url],input[type=password],"
"input[type=search],select,textarea{width:36em}\n"
"textarea{min-height:6em}\n"
".has-error input,.has-error select,.has-error textarea{border:2px solid var(--bad)}\n"
".error{color:var(--bad);font-weight:600;margin:.2em 0 0}\n"
".error-message{color:var(--bad);border-left:4px solid var(--bad);background:#fdecee;"
"padding:.6em 1em;font-weight:600}\n"
"button,.button{font:inherit;font-weight:600;color:#fff;background:var(--link);"
"border:1px solid var(--link);border-radius:3px;padding:.4em 1em;cursor:pointer;"
"text-decoration:none;display:inline-block}\n"
"button:hover,.button:hover{background:var(--brand)}\n"
"header button{background:transparent;border-color:#fff}\n"
".honeypot{position:absolute;left:-10000px;top:auto;width:1px;height:1px;overflow:hidden}\n"
".actions{display:flex;flex-wrap:wrap;gap:.5em;align-items:center;margin:1em 0}\n"
".actions form{margin:0}\n"
".filters{display:flex;flex-wrap:wrap;gap:.5em 1em;align-items:flex-end;padding:.5em 1em;"
"background:var(--zebra);border:1px solid var(--line)}\n"
".filters .field{margin:.3em 0}\n"
".filters input,.filters select{width:auto}\n"
"\n/* lists and tables */\n"
"table.list{border-collapse:collapse;width:100%;margin:1em 0}\n"
"table.list th,table.list td{text-align:left;vertical-align:top;padding:.4em .6em;"
"border-bottom:1px solid var(--line)}\n"
"table.list th{background:#e4e8ee;font-weight:700}\n"
"table.list tbody tr:nth-child(even){background:var(--zebra)}\n"
"ul.latest,ul.links,ul.constituency{padding-left:1.2em}\n"
"ul.latest li{margin:.3em 0}\n"
".meta{color:var(--muted);font-size:.92em}\n"
"dl.summary,dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:.2em 1.2em;"
"margin:0 0 1em}\n"
"dl.summary dt,dl.meta dt{font-weight:600;color:var(--ink)}\n"
"dl.summary dd,dl.meta dd{margin:0}\n"
".empty{color:var(--muted);font-style:italic}\n"
".ref{font-family:ui-monospace,\"DejaVu Sans Mono\",monospace;font-weight:600}\n"
".outcome{font-size:1.1em}\n"
".outcome.accepted{border-left:4px solid var(--ok);padding-left:.8em}\n"
".redirect{font-weight:700}\n"
".badge{display:inline-block;padding:0 .45em;border-radius:3px;font-size:.85em;font-weight:700;"
"background:#e4e8ee;color:var(--ink);white-space:nowrap}\n"
"\n/* charts (inline SVG) */\n"
".chart{max-width:100%;height:auto;margin:.5em 0 1.5em}\n"
".chart text{fill:var(--ink);font-size:12px}\n"
".chart .axis{stroke:var(--muted)}\n"
".bar{fill:#0b4f9c}\n"
".bar-1{fill:#0b4f9c}\n"
".bar-2{fill:#b35c00}\n"
".bar-3{fill:#1b5e20}\n"
".bar-4{fill:#7b1fa2}\n"
".bar-5{fill:#b00020}\n"
".bar-6{fill:#455a64}\n"
"\n/* the TLP badges: FIRST's TLP 2.0 colours on black */\n"
".tlp{display:inline-block;padding:0 .4em;border-radius:3px;font-family:ui-monospace,"
"\"DejaVu Sans Mono\",monospace;font-size:.85em;font-weight:700;white-space:nowrap;"
"margin-right:.4em}\n"
".tlp-red{color:#FF2B2B;background:#000}\n"
".tlp-amber{color:#FFC000;background:#000}\n"
".tlp-amber-strict{color:#FFC000;background:#000}\n"
".tlp-green{color:#33FF00;background:#000}\n"
".tlp-clear{color:#FFFFFF;background:#000}\n"
"\n/* narrow screens */\n"
"@media (max-width:40em){header{padding:.5em 1em}main{padding:.5em 1em 2em}"
"input[type=text],input[type=email],input[type=tel],input[type=url],input[type=password],"
"input[type=search],select,textarea{width:100%}"
"table.list{display:block;overflow-x:auto}}\n"
"@media print{header,footer,.actions,.filters{display:none}}\n";

static const char js[] =
"/* vigie: live filtering of tables. An <input type=\"search\" data-filter-for=\"ID\"> hides\n"
" * the rows of table#ID that do not contain what is typed. The pages work without it: their\n"
" * server-side filters are the real ones. */\n"
"(function () {\n"
"  'use strict';\n"
"  function rowsOf(table) {\n"
"    var bodies = table.tBodies, rows = [];\n"
"    for (var b = 0; b < bodies.length; b++) {\n"
"      for (var r = 0; r < bodies[b].rows.length; r++) {\n"
"        rows.push(bodies[b].rows[r]);\n"
"      }\n"
"    }\n"
"    return rows;\n"
"  }\n"
"  function apply(input, table) {\n"
"    var q = input.value.trim().toLowerCase();\n"
"    var rows = rowsOf(table), shown = 0;\n"
"    for (var i = 0; i < rows.length; i++) {\n"
"      var hit = q === '' || rows[i].textContent.toLowerCase().indexOf(q) !== -1;\n"
"      rows[i].hidden = !hit;\n"
"      if (hit) { shown++; }\n"
"    }\n"
"    var status = document.getElementById(table.id + '-filter-status');\n"
"    if (status) {\n"
"      status.textContent = q === '' ? '' : shown + ' of ' + rows.length + ' rows shown';\n"
"    }\n"
"  }\n"
"  function init() {\n"
"    var inputs = document.querySelectorAll('input[type=search][data-filter-for]');\n"
"    for (var i = 0; i < inputs.length; i++) {\n"
"      (function (input) {\n"
"        var table = document.getElementById(input.getAttribute('data-filter-for'));\n"
"        if (!table || table.tagName !== 'TABLE') { return; }\n"
"        input.addEventListener('input', function () { apply(input, table); });\n"
"        if (input.value) { apply(input, table); }\n"
"      })(inputs[i]);\n"
"    }\n"
"  }\n"
"  if (document.readyState === 'loading') {\n"
"    document.addEventListener('DOMContentLoaded', init);\n"
"  } else {\n"
"    init();\n"
"  }\n"
"})();\n";
/* clang-format on */

struct asset {
    const char *name, *type, *body;
    size_t len;
};

static const struct asset assets[] = {
    {"vigie.css", "text/css; charset=utf-8", css, sizeof css - 1},
    {"vigie.js", "text/javascript; charset=utf-8", js, sizeof js - 1},
};

void vg_web_static(struct vg_req *req, struct vg_resp *r)
{
    const char *name = req->params[0];
    for (size_t i = 0; name && i < sizeof assets / sizeof assets[0]; i++) {
        if (strcmp(name, assets[i].name) != 0)
            continue;
        struct vg_buf b;
        vg_buf_init(&b, assets[i].len + 1);
        vg_buf_append(&b, assets[i].body, assets[i].len);
        vg_resp_header(r, "Cache-Control", "public, max-age=3600");
        vg_resp_bytes(r, 200, assets[i].type, &b);
        return;
    }
    vg_page_error(req, r, 404, "Page not found", "There is no such file.");
}
