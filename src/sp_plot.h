/*
 * sp_plot: charts of a run, drawn with PLplot (built with SIMPLAN_PLOTS).
 *
 * Two charts a planner reads at a glance: the fan chart of one indicator
 * (median, 50 % and 90 % bands over the years, with every simple target on
 * that indicator drawn as the level it implies and its probability), and
 * the target chart (the probability of every target with its 95 % Wilson
 * interval). Each call opens its own PLplot stream and ends it, so the
 * functions can be called any number of times; a call that fails removes
 * the file it was writing (sp_output writes under a temporary name and
 * renames). sp_plot.c is the only file that includes PLplot; nothing here
 * prints or exits (PLplot itself may still print a driver warning).
 */
#ifndef SP_PLOT_H
#define SP_PLOT_H

#include <stddef.h>

#include "sp_report.h"
#include "sp_status.h"

typedef enum {
    SP_PLOT_SVG, /* PLplot's "svg" driver: text stays text */
    SP_PLOT_PNG  /* "pngcairo" (package plplot-driver-cairo) */
} sp_plot_format;

/* Page size in pixels (SVG: in points, with a viewBox of the same size):
 * legible at default size on a screen and in a report. */
#define SP_PLOT_WIDTH 1000
#define SP_PLOT_HEIGHT 700

/* Writes the fan chart of indicator `indicator` (an index into
 * r->sc->indicators) to `path` in format `fmt`. The chart shows the median
 * line and the 50 % (p25-p75) and 90 % (p05-p95) bands from the base year
 * to the horizon, the base-year value, and every simple target on the
 * indicator at its `to` year: a level target as its threshold (between: a
 * bar from lo to hi), a change, cagr or delta target as the level it
 * implies from the median at `from` (change v: X[from] (1 + v); cagr c:
 * X[from] (1 + c)^(to - from); delta d: X[from] + d), labelled with its id
 * and probability. Shares are plotted in percent. Points that are not
 * finite are left out. Returns SP_OK; SP_ERR_RANGE for an indicator index
 * out of range; SP_ERR_UNSUPPORTED when the PLplot driver is missing;
 * SP_ERR_IO when the file cannot be created or was not written. `err` is
 * the caller's and is filled on failure. */
sp_status sp_plot_fan(const char *path, sp_plot_format fmt, const sp_report *r,
                      size_t indicator, sp_error *err);

/* Writes the target chart to `path` in format `fmt`: one horizontal bar
 * per target with its probability and 95 % interval whisker, sorted by
 * probability (highest at the top), joint targets in their own colour and
 * marked "(joint)", the target ids on the axis, the x axis "probability
 * target met" from 0 to 1 with guide lines at 0.5 and 0.9. Returns as
 * sp_plot_fan (SP_ERR_RANGE when the scenario has more than
 * SP_MAX_TARGETS targets). */
sp_status sp_plot_targets(const char *path, sp_plot_format fmt,
                          const sp_report *r, sp_error *err);

#endif /* SP_PLOT_H */
