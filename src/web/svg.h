/* Charts drawn by the server as inline SVG (issue 14's dashboard), written with the escaping
 * HTML writer (util/html.h) straight into the page: svg, g, rect, line, text and title
 * elements, no script, no style attribute (colours are presentation attributes, which the
 * CSP allows). Every chart is an image for assistive technology (role="img", an aria-label
 * and a <title>); the page shows the same numbers as a table beside it. Attribute names are
 * lower case for the writer ("viewbox"): an HTML parser gives SVG's names their case. */
#ifndef VG_WEB_SVG_H
#define VG_WEB_SVG_H

#include <stddef.h>

#include "util/html.h"

/* The colour of series i of a chart (a palette of 12 that cycles), "#rrggbb". */
const char *vg_svg_colour(size_t i);

/* One bar of a bar chart: its label (text, escaped; cut to 32 characters in the chart, whole
 * in the bar's tooltip) and value (>= 0). */
struct vg_svg_bar {
    const char *label;
    long long value;
};

/* A horizontal bar chart, one row per bar in the order given, the value written after each
 * bar; title names the chart (aria-label and <title>). Draws nothing for n == 0. */
void vg_svg_bars(struct vg_html *h, const char *title, const struct vg_svg_bar *bars, size_t n);

/* A chart of stacked vertical bars: ncols columns (labels: column names, e.g. ISO weeks), each
 * the stack of nseries values values[col * nseries + series] (>= 0) drawn bottom up in
 * vg_svg_colour(series), with a y axis from 0 to the largest total; series names the series
 * (tooltips). Draws nothing for ncols == 0 or nseries == 0. */
void vg_svg_stacked(struct vg_html *h, const char *title, const char *const *cols, size_t ncols,
                    const char *const *series, size_t nseries, const long long *values);

/* A legend entry: a square of the series' colour (decorative, aria-hidden) then the label,
 * linked to href when href is not NULL. Written inside an <li> by the caller. */
void vg_svg_swatch(struct vg_html *h, size_t series);

#endif
