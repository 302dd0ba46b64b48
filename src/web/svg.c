/* Inline SVG charts (web/svg.h): coordinates computed here, every element and text written
 * through the escaping HTML writer. */
#include "web/svg.h"

#include <stdio.h>
#include <string.h>

#define LABEL_MAX 32 /* characters of a bar's label drawn in the chart */

static const char *const palette[] = {
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
    "#e377c2", "#17becf", "#7f7f7f", "#bcbd22", "#393b79", "#637939",
};

const char *vg_svg_colour(size_t i)
{
    return palette[i % (sizeof palette / sizeof palette[0])];
}

/* Writes n as text into a small buffer (coordinates are integers: crisp and short). */
#define NUM(buf, n) snprintf(buf, sizeof buf, "%lld", (long long)(n))

/* Opens <svg> of width x height with its accessible name. */
static void svg_open(struct vg_html *h, const char *title, int width, int height)
{
    char vb[64], w[24], hh[24];
    snprintf(vb, sizeof vb, "0 0 %d %d", width, height);
    NUM(w, width);
    NUM(hh, height);
    vg_html_open(h, "svg", "xmlns", "http://www.w3.org/2000/svg", "class", "chart", "viewbox", vb,
                 "width", w, "height", hh, "role", "img", "aria-label", title, NULL);
    vg_html_elem(h, "title", title, NULL);
}

/* The first `max` characters of s (UTF-8: a character is not cut), "..." after when cut. */
static void short_label(const char *s, char *out, size_t cap)
{
    size_t i = 0, chars = 0, len = strlen(s);
    while (i < len && chars < LABEL_MAX) {
        i++;
        while (i < len && ((unsigned char)s[i] & 0xC0) == 0x80)
            i++;
        chars++;
    }
    if (i >= len || i + 4 > cap) {
        snprintf(out, cap, "%.*s", (int)(i < cap ? i : cap - 1), s);
        return;
    }
    snprintf(out, cap, "%.*s...", (int)i, s);
}

void vg_svg_bars(struct vg_html *h, const char *title, const struct vg_svg_bar *bars, size_t n)
{
    if (n == 0)
        return;
    enum { ROW = 26, LEFT = 250, PLOT = 330, WIDTH = 640, TOP = 6 };
    long long max = 1;
    for (size_t i = 0; i < n; i++)
        if (bars[i].value > max)
            max = bars[i].value;
    int height = TOP * 2 + (int)n * ROW;
    svg_open(h, title, WIDTH, height);
    for (size_t i = 0; i < n; i++) {
        long long v = bars[i].value > 0 ? bars[i].value : 0;
        long long bw = v * PLOT / max;
        if (v > 0 && bw < 1)
            bw = 1;
        int y = TOP + (int)i * ROW;
        char ys[24], ty[24], bws[24], tx[24], lx[24], lab[LABEL_MAX * 4 + 8], tip[600];
        NUM(ys, y + 3);
        NUM(ty, y + 17);
        NUM(bws, bw);
        NUM(tx, LEFT + bw + 6);
        NUM(lx, LEFT - 8);
        short_label(bars[i].label ? bars[i].label : "", lab, sizeof lab);
        snprintf(tip, sizeof tip, "%s: %lld", bars[i].label ? bars[i].label : "", v);
        vg_html_open(h, "g", NULL);
        vg_html_elem(h, "title", tip, NULL);
        vg_html_elem(h, "text", lab, "x", lx, "y", ty, "text-anchor", "end", "font-size", "13",
                     NULL);
        if (v > 0) { /* a bar of nothing is no rectangle */
            vg_html_open(h, "rect", "x", "250", "y", ys, "width", bws, "height", "18", "fill",
                         vg_svg_colour(i), NULL);
            vg_html_close(h, "rect");
        }
        char val[32];
        NUM(val, v);
        vg_html_elem(h, "text", val, "x", tx, "y", ty, "font-size", "13", NULL);
        vg_html_close(h, "g");
    }
    vg_html_close(h, "svg");
}

void vg_svg_stacked(struct vg_html *h, const char *title, const char *const *cols, size_t ncols,
                    const char *const *series, size_t nseries, const long long *values)
{
    if (ncols == 0 || nseries == 0)
        return;
    enum { WIDTH = 640, HEIGHT = 260, LEFT = 44, RIGHT = 8, TOP = 10, BOTTOM = 40 };
    const int plot_w = WIDTH - LEFT - RIGHT, plot_h = HEIGHT - TOP - BOTTOM;
    long long max = 1;
    for (size_t c = 0; c < ncols; c++) {
        long long t = 0;
        for (size_t s = 0; s < nseries; s++)
            t += values[c * nseries + s] > 0 ? values[c * nseries + s] : 0;
        if (t > max)
            max = t;
    }
    svg_open(h, title, WIDTH, HEIGHT);
    /* the y axis: 0, half and the largest total, with their grid lines */
    vg_html_open(h, "g", "font-size", "11", NULL);
    for (int k = 0; k <= 2; k++) {
        long long v = max * k / 2;
        if (k == 1 && max < 2)
            continue;
        long long y = TOP + plot_h - v * plot_h / max;
        char ys[24], ts[24], l[32], x1[24], x2[24], tx[24];
        NUM(ys, y);
        NUM(ts, y + 4);
        NUM(x1, LEFT);
        NUM(x2, WIDTH - RIGHT);
        NUM(tx, LEFT - 6);
        NUM(l, v);
        vg_html_open(h, "line", "x1", x1, "x2", x2, "y1", ys, "y2", ys, "stroke", "#bbbbbb", NULL);
        vg_html_close(h, "line");
        vg_html_elem(h, "text", l, "x", tx, "y", ts, "text-anchor", "end", NULL);
    }
    vg_html_close(h, "g");
    const int slot = plot_w / (int)ncols, bar = slot * 7 / 10;
    for (size_t c = 0; c < ncols; c++) {
        int x = LEFT + (int)c * slot + (slot - bar) / 2;
        char xs[24], ws[24], lx[24], ly[24];
        NUM(xs, x);
        NUM(ws, bar);
        NUM(lx, x + bar / 2);
        NUM(ly, HEIGHT - BOTTOM + 16);
        vg_html_open(h, "g", NULL);
        long long below = 0;
        for (size_t s = 0; s < nseries; s++) {
            long long v = values[c * nseries + s];
            if (v <= 0)
                continue;
            long long y0 = TOP + plot_h - below * plot_h / max;
            long long y1 = TOP + plot_h - (below + v) * plot_h / max;
            below += v;
            char ys[24], hs[24], tip[300];
            NUM(ys, y1);
            NUM(hs, y0 - y1 > 0 ? y0 - y1 : 1);
            snprintf(tip, sizeof tip, "%s, %s: %lld", cols[c], series[s], v);
            vg_html_open(h, "rect", "x", xs, "y", ys, "width", ws, "height", hs, "fill",
                         vg_svg_colour(s), NULL);
            vg_html_elem(h, "title", tip, NULL);
            vg_html_close(h, "rect");
        }
        /* the column's name, shortened to what follows its last '-' ("W38" of "2026-W38") */
        const char *name = strrchr(cols[c], '-');
        vg_html_elem(h, "text", name ? name + 1 : cols[c], "x", lx, "y", ly, "text-anchor",
                     "middle", "font-size", "11", NULL);
        vg_html_close(h, "g");
    }
    vg_html_close(h, "svg");
}

void vg_svg_swatch(struct vg_html *h, size_t series)
{
    vg_html_open(h, "svg", "xmlns", "http://www.w3.org/2000/svg", "class", "swatch", "width", "12",
                 "height", "12", "viewbox", "0 0 12 12", "aria-hidden", "true", "focusable",
                 "false", NULL);
    vg_html_open(h, "rect", "width", "12", "height", "12", "fill", vg_svg_colour(series), NULL);
    vg_html_close(h, "rect");
    vg_html_close(h, "svg");
}
