/*
 * sp_plot: charts of a run, drawn with PLplot (built with SIMPLAN_PLOTS).
 *
 * Two charts a planner reads at a glance: the fan chart of one indicator
 * (median, 50 % and 90 % bands over the years, with every simple target on
 * that indicator drawn as the level it implies and its probability), and
 * the target chart (the probability of every target with its 95 % Wilson
 * interval). Three for `simplan backtest` (what they show is computed in
 * sp_bt_chart): the PIT histogram, the coverage of the central intervals
 * by nominal level, and the projections of successive origins with what
 * happened. Two more for `simplan sweep`, which varies one or two
 * scenario numbers (levers): the probability of every target along one
 * lever (sweep curve), and of one target over a grid of two (heat map).
 * Each call opens its own PLplot stream and ends it, so the functions can
 * be called any number of times; a call that fails removes the file it
 * was writing, and a file PLplot could not write whole (a full disk) is a
 * failure (sp_output draws the charts into a private directory, in a
 * child process, and publishes the result whole).
 * sp_plot.c is the only file that includes PLplot; nothing here prints or
 * exits (PLplot itself may still print a driver warning).
 */
#ifndef SP_PLOT_H
#define SP_PLOT_H

#include <stddef.h>

#include "sp_backtest_report.h"
#include "sp_report.h"
#include "sp_status.h"

typedef enum {
    SP_PLOT_SVG, /* PLplot's "svg" driver: text stays text */
    SP_PLOT_PNG  /* "pngcairo" (package plplot-driver-cairo) */
} sp_plot_format;

/* Page size in pixels (SVG: in points, with a viewBox of the same size):
 * legible at default size on a screen and in a report. */
#define SP_PLOT_WIDTH  1000
#define SP_PLOT_HEIGHT 700

/* The label of a target on a fan chart: "ID  P = 0.43", or "ID  P < 0.01"
 * and "ID  P > 0.99" for a probability that is not exactly 0 or 1 but
 * would print as one. */
void sp_plot_target_label(char *buf, size_t size, const char *id, double p);

/* Writes the fan chart of indicator `indicator` (an index into
 * r->sc->indicators) to `path` in format `fmt`. The chart shows the median
 * line and the 50 % (p25-p75) and 90 % (p05-p95) bands from the base year
 * to the horizon, the base-year value, and every simple target on the
 * indicator at its `to` year: a level target as its threshold (between: a
 * bar from lo to hi), a change, cagr or delta target as the level it
 * implies from the median at `from` (change v: X[from] (1 + v); cagr c:
 * X[from] (1 + c)^(to - from); delta d: X[from] + d), labelled with its id
 * and probability. Observed years (on-track scenarios) are drawn as
 * diamonds, "observed" in the legend, and the bands start at the last of
 * them. Shares are plotted in percent. Points that are not
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

/* Most targets one sweep curve chart shows: more lines than this cannot
 * be told apart (twelve colours, each used twice with other markers). */
#define SP_PLOT_SWEEP_MAX_TARGETS 24

/* Most values along one lever of a sweep chart. */
#define SP_PLOT_SWEEP_MAX_POINTS 10000

/* Most grid points (n_x times n_y) of a sweep heat map. */
#define SP_PLOT_SWEEP_MAX_CELLS 250000

/* Writes the sweep curve chart to `path` in format `fmt`: for one lever
 * (a scenario number varied over the n_x values `x`, finite and strictly
 * increasing, not necessarily evenly spaced), the probability that each
 * of the n_targets targets is met, one line per target with its own
 * colour and marker, and a legend of the `target_ids` (a NULL array or id
 * shows no text). The x axis is labelled `x_label` (e.g.
 * "indicators.gdp.path[0].mean"; NULL: none), the y axis "probability
 * target met" from 0 to 1, with dashed guide lines at P = 0.5, 0.8 and
 * 0.9 labelled right of the frame. `p` is row-major [n_targets][n_x];
 * values that are not finite are left out (a gap in the line), others are
 * drawn clamped to [0, 1]. `title` may be NULL (a generic title);
 * n_targets may be 0 (an empty chart that says so). Returns SP_OK;
 * SP_ERR_RANGE when n_x is not 2 to SP_PLOT_SWEEP_MAX_POINTS, the x values
 * are not finite and increasing, or there are more than
 * SP_PLOT_SWEEP_MAX_TARGETS targets; otherwise as sp_plot_fan. */
sp_status sp_plot_sweep_curve(const char *path, sp_plot_format fmt,
                              const char *title, const char *x_label,
                              const double *x, size_t n_x,
                              const char *const *target_ids, size_t n_targets,
                              const double *p, sp_error *err);

/* Writes the sweep heat map to `path` in format `fmt`: for two levers
 * (the n_x values `x` along the x axis and the n_y values `y` along the y
 * axis, each finite and strictly increasing, not necessarily evenly
 * spaced), the probability that one target is met at every grid point,
 * as a cell around each point (its edges half-way to the neighbouring
 * points) coloured on a scale from red (0) through yellow (0.5) to blue
 * (1) shown in a colour bar, with contour lines at P = 0.5, 0.8 and 0.9
 * drawn and labelled (a level P never reaches has no line). Axes are
 * labelled `x_label` and `y_label`; `title` (NULL: a generic one) should
 * name the target. `p` is row-major [n_y][n_x]; a value that is not
 * finite leaves its cell grey and no contour crosses its neighbourhood.
 * Returns as sp_plot_sweep_curve (SP_ERR_RANGE when n_x or n_y is not 2
 * to SP_PLOT_SWEEP_MAX_POINTS, the grid has more than
 * SP_PLOT_SWEEP_MAX_CELLS points, or its values are not finite and
 * increasing). */
sp_status sp_plot_sweep_heatmap(const char *path, sp_plot_format fmt,
                                const char *title, const char *x_label,
                                const double *x, size_t n_x,
                                const char *y_label, const double *y,
                                size_t n_y, const double *p, sp_error *err);

/* Writes the PIT histogram of back-test `r` (all its scored values
 * pooled) to `path` in format `fmt`: one bar per tenth of the PIT with
 * its count, a band over the central 90 % interval of a bin's count under
 * Binomial(n, 0.1) (what a uniform PIT gives), dashed at its edges, the
 * expected count n / 10 as a line, and bars outside the band in red. The
 * title gives n and the verdict. Returns SP_OK; SP_ERR_RANGE when nothing
 * was scored; otherwise as sp_plot_fan. */
sp_status sp_plot_bt_pit(const char *path, sp_plot_format fmt,
                         const sp_backtest_report *r, sp_error *err);

/* Writes the coverage chart of back-test `r` to `path`: the share of
 * realised values inside the central interval of nominal level 0.1, 0.2,
 * ..., 0.9 of their projections (sp_bt_chart_coverage_of), pooled (a
 * thick line) and for each scored indicator (one colour each), against
 * the nominal level, with the diagonal and its 95 % binomial band for the
 * pooled number of values. Returns as sp_plot_bt_pit. */
sp_status sp_plot_bt_coverage(const char *path, sp_plot_format fmt,
                              const sp_backtest_report *r, sp_error *err);

/* Writes the projections chart of indicator `indicator` (an index into
 * r->sc->indicators) to `path`: for the region of
 * sp_bt_chart_origins_of (named in the title), each origin's median over
 * its scored years as a line with dots and its 90 % band (p05-p95) as a
 * light band, a bar where a scored year stands alone, in one colour per
 * origin (twelve, repeating; the legend lists the origins of each), and
 * the realised values as diamonds. Values are plotted in percent (growth
 * rates and shares). Returns SP_OK; SP_ERR_RANGE for an indicator out of
 * range or without a scored value; otherwise as sp_plot_fan. */
sp_status sp_plot_bt_projections(const char *path, sp_plot_format fmt,
                                 const sp_backtest_report *r, size_t indicator,
                                 sp_error *err);

#endif /* SP_PLOT_H */
