/*
 * Tests of src/output/sp_plot: every chart of a real run is written as SVG and
 * PNG at the stated page size, repeated calls give identical files, values
 * without finite draws are left out, and bad paths and indices fail with
 * the right status instead of exiting. The sweep charts are drawn from
 * synthetic logistic curves and surfaces on uneven grids, with missing
 * values, absent contours and the smallest grid; bad grids and paths
 * fail the same way. The back-test charts are drawn from a back-test
 * built by hand (more origins than colours, a gap in the scored years, a
 * share scored only in a second region, a back-test of one value).
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sp_compile.h"
#include "sp_config.h"
#include "sp_mc.h"
#include "sp_plot.h"
#include "sp_rng.h"
#include "sp_test.h"
#include "sp_backtest_report.h"

#ifndef SCENARIO_DIR
#error "SCENARIO_DIR must be defined"
#endif

/* The run every test plots, and the directory the charts go to. */
typedef struct {
    sp_scenario sc;
    sp_compiled c;
    sp_result res;
    sp_report r;
    char dir[64];
} fixture;

/* Loads baseline.cfg and runs it with few draws (two blocks). */
static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    char path[512];
    snprintf(path, sizeof path, "%s/baseline.cfg", SCENARIO_DIR);
    sp_error err;
    sp_error_clear(&err);
    if (sp_config_load(path, &fx->sc, &err) != SP_OK ||
        sp_compile(&fx->sc, &fx->c, &err) != SP_OK)
        fail_msg("%s:%d: %s: %s", err.file, err.line, err.field, err.message);
    sp_mc_config cfg = {2 * SP_MC_BLOCK, 7, sp_rng_lookup(NULL), 1};
    sp_mc *mc = sp_mc_alloc(&fx->sc, &fx->c, &cfg, &err);
    assert_non_null(mc);
    sp_mc_run(mc, 0, sp_mc_blocks(mc));
    assert_int_equal(sp_mc_result(mc, &fx->res, &err), SP_OK);
    sp_mc_free(mc);
    fx->r = (sp_report){.sc = &fx->sc,
                        .c = &fx->c,
                        .res = &fx->res,
                        .seed = 7,
                        .rng = "default",
                        .threads = 1};
    strcpy(fx->dir, "/tmp/simplan_test_plot_XXXXXX");
    assert_non_null(mkdtemp(fx->dir));
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    assert_int_equal(rmdir(fx->dir), 0); /* every test removed its files */
    sp_result_destroy(&fx->res);
    sp_compiled_destroy(&fx->c);
    sp_scenario_destroy(&fx->sc);
    free(fx);
    return 0;
}

/* Reads up to `size` - 1 bytes of `path` into `buf` (NUL-terminated);
 * returns the file's size in bytes. */
static long read_head(const char *path, char *buf, size_t size)
{
    struct stat sb;
    if (stat(path, &sb) != 0)
        fail_msg("%s was not written", path);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t n = fread(buf, 1, size - 1, f);
    buf[n] = '\0';
    fclose(f);
    return (long)sb.st_size;
}

/* The PNG's IHDR chunk (bytes 12-23) gives the stated width and height. */
static void assert_png_size(const char *path)
{
    unsigned char b[64];
    assert_true(read_head(path, (char *)b, sizeof b) > 24);
    assert_memory_equal(b, "\x89PNG\r\n\x1a\n", 8);
    assert_memory_equal(b + 12, "IHDR", 4);
    unsigned long w = (unsigned long)b[16] << 24 | (unsigned long)b[17] << 16 |
                      (unsigned long)b[18] << 8 | b[19];
    unsigned long h = (unsigned long)b[20] << 24 | (unsigned long)b[21] << 16 |
                      (unsigned long)b[22] << 8 | b[23];
    assert_int_equal(w, SP_PLOT_WIDTH);
    assert_int_equal(h, SP_PLOT_HEIGHT);
}

/* PLplot's svg driver writes the page size in points and a viewBox in
 * the same units: width="1000pt" height="700pt" viewBox="0 0 1000 700". */
static void assert_svg_size(const char *path)
{
    char head[4096], want[64];
    assert_true(read_head(path, head, sizeof head) > 100);
    assert_non_null(strstr(head, "<svg"));
    snprintf(want, sizeof want, "width=\"%dpt\"", SP_PLOT_WIDTH);
    assert_non_null(strstr(head, want));
    snprintf(want, sizeof want, "height=\"%dpt\"", SP_PLOT_HEIGHT);
    assert_non_null(strstr(head, want));
    snprintf(want, sizeof want, "viewBox=\"0 0 %d %d\"", SP_PLOT_WIDTH,
             SP_PLOT_HEIGHT);
    assert_non_null(strstr(head, want));
}

/* Writes chart `indicator` (SIZE_MAX: the target chart) of `r` in both
 * formats as DIR/stem.svg and .png, checks both and removes them. */
static void check_chart(const fixture *fx, const sp_report *r, size_t indicator,
                        const char *stem)
{
    char svg[256], png[256];
    snprintf(svg, sizeof svg, "%s/%s.svg", fx->dir, stem);
    snprintf(png, sizeof png, "%s/%s.png", fx->dir, stem);
    sp_error err;
    sp_error_clear(&err);
    for (int k = 0; k < 2; k++) {
        const char *path = k == 0 ? svg : png;
        sp_plot_format fmt = k == 0 ? SP_PLOT_SVG : SP_PLOT_PNG;
        sp_status st = indicator == SIZE_MAX
                           ? sp_plot_targets(path, fmt, r, &err)
                           : sp_plot_fan(path, fmt, r, indicator, &err);
        if (st != SP_OK)
            fail_msg("%s: %s", path, err.message);
    }
    assert_svg_size(svg);
    assert_png_size(png);
    assert_int_equal(unlink(svg), 0);
    assert_int_equal(unlink(png), 0);
}

static void every_chart_should_be_written_at_the_stated_size(void **state)
{
    fixture *fx = *state;
    for (size_t i = 0; i < fx->sc.n_indicators; i++)
        check_chart(fx, &fx->r, i, fx->sc.indicators[i].name);
    check_chart(fx, &fx->r, SIZE_MAX, "targets");
}

/* Reads the whole of a small file; the caller frees it. */
static char *slurp(const char *path, long *size)
{
    char head[8];
    *size = read_head(path, head, sizeof head);
    char *buf = malloc((size_t)*size + 1);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fread(buf, 1, (size_t)*size, f), (size_t)*size);
    fclose(f);
    return buf;
}

static void repeated_calls_should_write_identical_files(void **state)
{
    fixture *fx = *state;
    sp_error err;
    for (int k = 0; k < 2; k++) {
        sp_plot_format fmt = k == 0 ? SP_PLOT_SVG : SP_PLOT_PNG;
        char a[256], b[256];
        snprintf(a, sizeof a, "%s/a.%s", fx->dir, k == 0 ? "svg" : "png");
        snprintf(b, sizeof b, "%s/b.%s", fx->dir, k == 0 ? "svg" : "png");
        assert_int_equal(sp_plot_fan(a, fmt, &fx->r, 0, &err), SP_OK);
        assert_int_equal(sp_plot_targets(b, fmt, &fx->r, &err), SP_OK);
        assert_int_equal(sp_plot_fan(b, fmt, &fx->r, 0, &err), SP_OK);
        long na, nb;
        char *fa = slurp(a, &na), *fb = slurp(b, &nb);
        assert_int_equal(na, nb);
        assert_memory_equal(fa, fb, (size_t)na);
        free(fa);
        free(fb);
        assert_int_equal(unlink(a), 0);
        assert_int_equal(unlink(b), 0);
    }
}

static void a_missing_directory_should_give_an_io_error(void **state)
{
    fixture *fx = *state;
    char path[256];
    snprintf(path, sizeof path, "%s/no/such/dir/chart.png", fx->dir);
    sp_error err;
    sp_error_clear(&err);
    for (int k = 0; k < 2; k++) {
        sp_plot_format fmt = k == 0 ? SP_PLOT_SVG : SP_PLOT_PNG;
        assert_int_equal(sp_plot_fan(path, fmt, &fx->r, 0, &err), SP_ERR_IO);
        assert_int_equal(err.status, SP_ERR_IO);
        assert_string_equal(err.file, path);
        assert_true(strlen(err.message) > 0);
        assert_int_equal(sp_plot_targets(path, fmt, &fx->r, &err), SP_ERR_IO);
    }
    /* The module is still usable after a failure. */
    check_chart(fx, &fx->r, 1, "after_error");
}

static void an_indicator_out_of_range_should_be_rejected(void **state)
{
    fixture *fx = *state;
    char path[256];
    snprintf(path, sizeof path, "%s/bad.svg", fx->dir);
    sp_error err;
    assert_int_equal(
        sp_plot_fan(path, SP_PLOT_SVG, &fx->r, fx->sc.n_indicators, &err),
        SP_ERR_RANGE);
    assert_int_equal(access(path, F_OK), -1); /* nothing written */
}

/* Statistics without finite draws (NaN) are left out of the chart: a
 * missing year splits the bands, a missing median at a target's `from`
 * year drops the target, a missing probability shows as "n/a". */
static void values_without_finite_draws_should_be_left_out(void **state)
{
    fixture *fx = *state;
    sp_result res = fx->res;
    size_t n = res.n_indicators * (size_t)res.n_years;
    res.indicators = malloc(n * sizeof *res.indicators);
    res.targets = malloc(res.n_targets * sizeof *res.targets);
    memcpy(res.indicators, fx->res.indicators, n * sizeof *res.indicators);
    memcpy(res.targets, fx->res.targets, res.n_targets * sizeof *res.targets);
    for (size_t i = 0; i < res.n_indicators; i++) {
        sp_stats *s = &res.indicators[i * (size_t)res.n_years];
        s[0].p50 = NAN; /* every target from the base year loses its anchor */
        s[3].p05 = s[3].p95 = NAN;
        s[7] = (sp_stats){0, NAN, NAN, NAN, NAN, NAN, NAN};
    }
    res.targets[0].probability = res.targets[0].ci_lo = NAN;
    sp_report r = fx->r;
    r.res = &res;
    for (size_t i = 0; i < res.n_indicators; i++)
        check_chart(fx, &r, i, "nan");
    check_chart(fx, &r, SIZE_MAX, "nan_targets");
    free(res.indicators);
    free(res.targets);
}

/* Occurrences of `needle` in `hay`. */
static size_t count_of(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* `text` as PLplot's svg driver writes it: one character reference per
 * character ("ab" is "&#x61;&#x62;"), ASCII only. */
static void svg_encoded(const char *text, char *out, size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    for (; *text && used + 8 < size; text++)
        used += (size_t)snprintf(out + used, size - used, "&#x%x;",
                                 (unsigned)(unsigned char)*text);
}

/* Writes the SVG fan chart of indicator 0 of `r`, returns its text (the
 * caller frees it) and removes the file. */
static char *fan_svg(const fixture *fx, const sp_report *r)
{
    char path[256];
    snprintf(path, sizeof path, "%s/observed_fan.svg", fx->dir);
    sp_error err;
    sp_error_clear(&err);
    if (sp_plot_fan(path, SP_PLOT_SVG, r, 0, &err) != SP_OK)
        fail_msg("%s: %s", path, err.message);
    long size;
    char *svg = slurp(path, &size);
    assert_int_equal(unlink(path), 0);
    return svg;
}

/* Observed years are marked on the fan chart, one diamond each plus one
 * in the legend beside the word "observed"; a chart without observed
 * years has neither. */
static void observed_years_should_be_marked_on_the_fan_chart(void **state)
{
    fixture *fx = *state;
    sp_observed_spec obs[3] = {{fx->sc.indicators[0].name, 2021, 18000.0, 1},
                               {fx->sc.indicators[0].name, 2022, 19000.0, 2},
                               {fx->sc.indicators[0].name, 2023, 20000.0, 3}};
    sp_scenario sc = fx->sc;
    sc.observed = obs;
    sc.n_observed = 3;
    sp_report r = fx->r;
    r.sc = &sc;
    char word[128];
    svg_encoded("observed", word, sizeof word);
    char *svg = fan_svg(fx, &r);
    assert_int_equal(count_of(svg, "&#x25c6;"), 3 + 1);
    assert_int_equal(count_of(svg, word), 1);
    free(svg);
    svg = fan_svg(fx, &fx->r);
    assert_int_equal(count_of(svg, "&#x25c6;"), 0);
    assert_int_equal(count_of(svg, word), 0);
    free(svg);
}

static void a_scenario_without_targets_should_still_plot(void **state)
{
    fixture *fx = *state;
    sp_scenario sc = fx->sc;
    sc.n_targets = 0;
    sp_report r = fx->r;
    r.sc = &sc;
    check_chart(fx, &r, 0, "no_targets_fan");
    check_chart(fx, &r, SIZE_MAX, "no_targets");
}

/* ------------------------------------------------------------------ */
/* Sweep charts                                                        */
/* ------------------------------------------------------------------ */

/* Synthetic sweeps: P = logistic of the lever values, on grids that are
 * increasing but not evenly spaced. */
#define CURVE_X 15
#define CURVE_T 3
#define HEAT_X  21
#define HEAT_Y  17

/* The logistic function 1 / (1 + e^-z). */
static double logistic(double z)
{
    return 1.0 / (1.0 + exp(-z));
}

/* One lever from 2 to 6, denser at the start; target k needs a larger
 * lever value than target k - 1. */
static void curve_data(double *x, double *p)
{
    for (size_t i = 0; i < CURVE_X; i++)
        x[i] = 2.0 + 4.0 * pow((double)i / (CURVE_X - 1), 1.3);
    for (size_t k = 0; k < CURVE_T; k++)
        for (size_t i = 0; i < CURVE_X; i++)
            p[k * CURVE_X + i] = logistic((x[i] - 3.0 - 0.6 * (double)k) *
                                          (1.5 + 0.4 * (double)k));
}

/* Two levers (a growth rate and an investment level), P rising with
 * both; `shift` moves the whole surface up or down on the logit scale. */
static void heat_data(double *x, double *y, double *p, double shift)
{
    for (size_t i = 0; i < HEAT_X; i++)
        x[i] = 0.01 + 0.05 * pow((double)i / (HEAT_X - 1), 1.5);
    for (size_t j = 0; j < HEAT_Y; j++)
        y[j] = 100.0 + 25.0 * (double)j + (j > 8 ? 30.0 * (double)(j - 8) : 0);
    for (size_t j = 0; j < HEAT_Y; j++)
        for (size_t i = 0; i < HEAT_X; i++)
            p[j * HEAT_X + i] = logistic(shift + 120.0 * (x[i] - 0.03) +
                                         0.012 * (y[j] - 300.0));
}

/* Writes the curve chart of `p` as DIR/stem.svg and .png and checks both
 * (the page size, the PNG header, the SVG root), then removes them. */
static void check_curve(const fixture *fx, const char *stem, const double *x,
                        const double *p)
{
    static const char *const ids[CURVE_T] = {
        "gdp_growth_2030", "poverty_below_10pct", "electricity#access"};
    char svg[256], png[256];
    snprintf(svg, sizeof svg, "%s/%s.svg", fx->dir, stem);
    snprintf(png, sizeof png, "%s/%s.png", fx->dir, stem);
    sp_error err;
    sp_error_clear(&err);
    if (sp_plot_sweep_curve(svg, SP_PLOT_SVG, "Sweep of GDP growth",
                            "indicators.gdp.path[0].mean", x, CURVE_X, ids,
                            CURVE_T, p, &err) != SP_OK ||
        sp_plot_sweep_curve(png, SP_PLOT_PNG, NULL, NULL, x, CURVE_X, ids,
                            CURVE_T, p, &err) != SP_OK)
        fail_msg("%s: %s", err.file, err.message);
    assert_svg_size(svg);
    assert_png_size(png);
    assert_int_equal(unlink(svg), 0);
    assert_int_equal(unlink(png), 0);
}

/* Three logistic curves, then with gaps, a missing first point and a
 * lone point, then with nothing finite at all. */
static void sweep_curves_should_be_written_as_svg_and_png(void **state)
{
    fixture *fx = *state;
    double x[CURVE_X], p[CURVE_T * CURVE_X];
    curve_data(x, p);
    check_curve(fx, "curve", x, p);
    p[0 * CURVE_X + 4] = NAN;                      /* a gap in the first line */
    p[1 * CURVE_X + 0] = INFINITY;                 /* a missing first point */
    p[2 * CURVE_X + 7] = p[2 * CURVE_X + 9] = NAN; /* a lone point */
    check_curve(fx, "curve_nan", x, p);
    for (size_t i = 0; i < CURVE_T * CURVE_X; i++)
        p[i] = NAN; /* nothing to draw at all */
    check_curve(fx, "curve_empty", x, p);
}

/* Writes the heat map of `p` as DIR/stem.svg and .png and checks both,
 * then removes them. */
static void check_heat(const fixture *fx, const char *stem, const double *x,
                       size_t nx, const double *y, size_t ny, const double *p)
{
    char svg[256], png[256];
    snprintf(svg, sizeof svg, "%s/%s.svg", fx->dir, stem);
    snprintf(png, sizeof png, "%s/%s.png", fx->dir, stem);
    sp_error err;
    sp_error_clear(&err);
    if (sp_plot_sweep_heatmap(
            svg, SP_PLOT_SVG, "gdp_growth_2030", "indicators.gdp.path[0].mean",
            x, nx, "indicators.investment.base", y, ny, p, &err) != SP_OK ||
        sp_plot_sweep_heatmap(png, SP_PLOT_PNG, NULL, NULL, x, nx, NULL, y, ny,
                              p, &err) != SP_OK)
        fail_msg("%s: %s", err.file, err.message);
    assert_svg_size(svg);
    assert_png_size(png);
    assert_int_equal(unlink(svg), 0);
    assert_int_equal(unlink(png), 0);
}

/* A logistic surface on a 21 x 17 grid, one that never reaches 0.8, one
 * with missing cells, and the smallest grid of 2 x 2 points. */
static void sweep_heat_maps_should_be_written_as_svg_and_png(void **state)
{
    fixture *fx = *state;
    double x[HEAT_X], y[HEAT_Y], p[HEAT_X * HEAT_Y];
    heat_data(x, y, p, 0.0);
    check_heat(fx, "heat", x, HEAT_X, y, HEAT_Y, p);
    heat_data(x, y, p, -8.0); /* P stays below 0.8: those contours absent */
    check_heat(fx, "heat_low", x, HEAT_X, y, HEAT_Y, p);
    heat_data(x, y, p, 0.0);
    p[3 * HEAT_X + 5] = p[10 * HEAT_X + 15] = NAN; /* grey cells */
    check_heat(fx, "heat_nan", x, HEAT_X, y, HEAT_Y, p);
    const double x2[2] = {0.0, 1.0}, y2[2] = {-1.0, 1.0};
    const double p2[4] = {0.1, 0.6, 0.85, 0.95};
    check_heat(fx, "heat_2x2", x2, 2, y2, 2, p2); /* the smallest grid */
}

/* Asserts that `st` is SP_ERR_RANGE with a message, and that nothing was
 * written to `path`. */
static void assert_range_error(sp_status st, const sp_error *err,
                               const char *path)
{
    assert_int_equal(st, SP_ERR_RANGE);
    assert_int_equal(err->status, SP_ERR_RANGE);
    assert_true(strlen(err->message) > 0);
    assert_int_equal(access(path, F_OK), -1);
}

/* Fewer than two lever values, values that do not increase or are not
 * finite, and too many targets are rejected before any file is made. */
static void sweep_charts_should_reject_bad_grids(void **state)
{
    fixture *fx = *state;
    char path[256];
    snprintf(path, sizeof path, "%s/bad.svg", fx->dir);
    double x[HEAT_X], y[HEAT_Y], p[HEAT_X * HEAT_Y];
    heat_data(x, y, p, 0.0);
    const double down[3] = {1.0, 3.0, 2.0}, flat[3] = {1.0, 1.0, 2.0};
    const double hole[3] = {1.0, NAN, 2.0};
    const char *ids[SP_PLOT_SWEEP_MAX_TARGETS + 1] = {"t"};
    sp_error err;
    sp_plot_format f = SP_PLOT_SVG;
    assert_range_error(
        sp_plot_sweep_curve(path, f, NULL, "x", x, 1, ids, 1, p, &err), &err,
        path);
    assert_range_error(
        sp_plot_sweep_curve(path, f, NULL, "x", x, 0, ids, 1, p, &err), &err,
        path);
    assert_range_error(
        sp_plot_sweep_curve(path, f, NULL, "x", down, 3, ids, 1, p, &err), &err,
        path);
    assert_range_error(
        sp_plot_sweep_curve(path, f, NULL, "x", flat, 3, ids, 1, p, &err), &err,
        path);
    assert_range_error(
        sp_plot_sweep_curve(path, f, NULL, "x", hole, 3, ids, 1, p, &err), &err,
        path);
    assert_range_error(sp_plot_sweep_curve(path, f, NULL, "x", x, 2, ids,
                                           SP_PLOT_SWEEP_MAX_TARGETS + 1, p,
                                           &err),
                       &err, path);
    assert_range_error(sp_plot_sweep_heatmap(path, f, NULL, "x", x, 1, "y", y,
                                             HEAT_Y, p, &err),
                       &err, path);
    assert_range_error(sp_plot_sweep_heatmap(path, f, NULL, "x", x, HEAT_X, "y",
                                             y, 1, p, &err),
                       &err, path);
    assert_range_error(sp_plot_sweep_heatmap(path, f, NULL, "x", x, HEAT_X, "y",
                                             y, 0, p, &err),
                       &err, path);
    assert_range_error(
        sp_plot_sweep_heatmap(path, f, NULL, "x", down, 3, "y", y, 2, p, &err),
        &err, path);
}

/* A path in a directory that does not exist gives SP_ERR_IO naming the
 * path, in both formats, for both charts. */
static void sweep_charts_in_a_missing_directory_should_fail(void **state)
{
    fixture *fx = *state;
    char path[256];
    snprintf(path, sizeof path, "%s/no/such/dir/sweep.png", fx->dir);
    double x[HEAT_X], y[HEAT_Y], p[HEAT_X * HEAT_Y];
    heat_data(x, y, p, 0.0);
    const char *const ids[1] = {"t"};
    sp_error err;
    for (int k = 0; k < 2; k++) {
        sp_plot_format fmt = k == 0 ? SP_PLOT_SVG : SP_PLOT_PNG;
        sp_error_clear(&err);
        assert_int_equal(sp_plot_sweep_curve(path, fmt, NULL, "x", x, HEAT_X,
                                             ids, 1, p, &err),
                         SP_ERR_IO);
        assert_int_equal(err.status, SP_ERR_IO);
        assert_string_equal(err.file, path);
        sp_error_clear(&err);
        assert_int_equal(sp_plot_sweep_heatmap(path, fmt, NULL, "x", x, HEAT_X,
                                               "y", y, HEAT_Y, p, &err),
                         SP_ERR_IO);
        assert_int_equal(err.status, SP_ERR_IO);
        assert_true(strlen(err.message) > 0);
    }
}

/* A target's label never reads "P = < 0.01": the comparison replaces the
 * equals sign. */
static void target_labels_should_compare_probabilities_near_0_and_1(void **st)
{
    (void)st;
    char buf[64];
    sp_plot_target_label(buf, sizeof buf, "ei_2025", 0.43);
    assert_string_equal(buf, "ei_2025  P = 0.43");
    sp_plot_target_label(buf, sizeof buf, "ei_2025", 0.004);
    assert_string_equal(buf, "ei_2025  P < 0.01");
    sp_plot_target_label(buf, sizeof buf, "ei_2025", 0.996);
    assert_string_equal(buf, "ei_2025  P > 0.99");
    sp_plot_target_label(buf, sizeof buf, "ei_2025", 0.0);
    assert_string_equal(buf, "ei_2025  P = 0.00");
    sp_plot_target_label(buf, sizeof buf, "ei_2025", 1.0);
    assert_string_equal(buf, "ei_2025  P = 1.00");
}

/* ------------------------------------------------------------------ */
/* Back-test charts                                                    */
/* ------------------------------------------------------------------ */

#define BT_ORIGINS 15 /* more than the twelve colours */
#define BT_SCORES  (3 * BT_ORIGINS + 4)

/* A back-test of the baseline built by hand: region r1, origins 2000 to
 * 2014 with horizon 3, gdp (indicator 0) scored in every year after the
 * origin but 2010 (a gap), then nonfossil_share (indicator 2) in region
 * r2 only, origins 2010 and 2011. Tallies as sp_backtest makes them. */
typedef struct {
    sp_bt_score scores[BT_SCORES];
    sp_bt_tally by_indicator[SP_MAX_INDICATORS];
    sp_bt_tally by_horizon[3];
    sp_backtest b;
    sp_backtest_options o;
    sp_backtest_report r;
} bt_fixture;

static void bt_add(bt_fixture *t, const char *region, int origin, int year,
                   size_t indicator, double mid, double value)
{
    double pit = 0.5 + 0.5 * sin(3.7 * (double)(t->b.n_scores + 1));
    sp_bt_score *s = &t->scores[t->b.n_scores++];
    *s = (sp_bt_score){.region = region,
                       .origin = origin,
                       .year = year,
                       .indicator = indicator,
                       .measure =
                           indicator == 0 ? SP_DATA_GROWTH : SP_DATA_LEVEL,
                       .value = value,
                       .pit = pit,
                       .p05 = mid - 0.03,
                       .p25 = mid - 0.01,
                       .p50 = mid,
                       .p75 = mid + 0.01,
                       .p95 = mid + 0.03,
                       .in50 = pit >= 0.25 && pit <= 0.75,
                       .in90 = pit >= 0.05 && pit <= 0.95};
    sp_bt_tally *ts[3] = {&t->b.pooled, &t->by_indicator[indicator],
                          &t->by_horizon[year - origin - 1]};
    for (int k = 0; k < 3; k++) {
        ts[k]->n++;
        ts[k]->in50 += s->in50;
        ts[k]->in90 += s->in90;
        int bin = (int)(pit * SP_BT_PIT_BINS);
        ts[k]->pit[bin < SP_BT_PIT_BINS ? bin : SP_BT_PIT_BINS - 1]++;
    }
}

static void bt_build(bt_fixture *t, const sp_scenario *sc)
{
    memset(t, 0, sizeof *t);
    for (int T = 2000; T < 2000 + BT_ORIGINS; T++)
        for (int y = T + 1; y <= T + 3; y++)
            if (y != 2010)
                bt_add(t, "r1", T, y, 0, 0.08 - 0.002 * (T - 2000),
                       0.07 + 0.02 * sin((double)y));
    for (int T = 2010; T <= 2011; T++)
        for (int y = T + 1; y <= T + 2; y++)
            bt_add(t, "r2", T, y, 2, 0.2 + 0.01 * (y - 2010), 0.21);
    t->b.scores = t->scores;
    t->b.n_cases = BT_ORIGINS + 2;
    t->b.n_indicators = sc->n_indicators;
    t->b.by_indicator = t->by_indicator;
    t->b.horizon = 3;
    t->b.by_horizon = t->by_horizon;
    t->b.n_regions = 2;
    t->o = (sp_backtest_options){
        .from = 2000, .to = 2014, .step = 1, .horizon = 3, .history = 5};
    t->r = (sp_backtest_report){sc, "data/panel#1.csv", &t->o, &t->b};
}

/* Writes back-test chart `which` (0 PIT, 1 coverage, 2 projections of
 * `indicator`) of `r` to `path`. */
static sp_status bt_chart(const sp_backtest_report *r, int which,
                          size_t indicator, const char *path,
                          sp_plot_format fmt, sp_error *err)
{
    if (which == 0)
        return sp_plot_bt_pit(path, fmt, r, err);
    if (which == 1)
        return sp_plot_bt_coverage(path, fmt, r, err);
    return sp_plot_bt_projections(path, fmt, r, indicator, err);
}

/* Writes chart `which` of `r` as SVG and PNG, checks both and removes
 * them. */
static void check_bt_chart(const fixture *fx, const sp_backtest_report *r,
                           int which, size_t indicator)
{
    char svg[256], png[256];
    snprintf(svg, sizeof svg, "%s/bt%d.svg", fx->dir, which);
    snprintf(png, sizeof png, "%s/bt%d.png", fx->dir, which);
    sp_error err;
    sp_error_clear(&err);
    if (bt_chart(r, which, indicator, svg, SP_PLOT_SVG, &err) != SP_OK ||
        bt_chart(r, which, indicator, png, SP_PLOT_PNG, &err) != SP_OK)
        fail_msg("%s: %s", err.file, err.message);
    assert_svg_size(svg);
    assert_png_size(png);
    assert_int_equal(unlink(svg), 0);
    assert_int_equal(unlink(png), 0);
}

static void backtest_charts_should_be_written_at_the_stated_size(void **st)
{
    fixture *fx = *st;
    bt_fixture *t = malloc(sizeof *t);
    bt_build(t, &fx->sc);
    check_bt_chart(fx, &t->r, 0, 0);
    check_bt_chart(fx, &t->r, 1, 0);
    check_bt_chart(fx, &t->r, 2, 0); /* r1, 15 origins, a gap */
    check_bt_chart(fx, &t->r, 2, 2); /* a share, in r2 */
    /* A back-test of one value: one bar, one point, one origin. */
    t->b.n_scores = 0;
    memset(&t->b.pooled, 0, sizeof t->b.pooled);
    memset(t->by_indicator, 0, sizeof t->by_indicator);
    memset(t->by_horizon, 0, sizeof t->by_horizon);
    bt_add(t, "r1", 2000, 2001, 0, 0.05, 0.05);
    check_bt_chart(fx, &t->r, 0, 0);
    check_bt_chart(fx, &t->r, 1, 0);
    check_bt_chart(fx, &t->r, 2, 0);
    free(t);
}

/* The origins of one colour share its legend entry: the fifteen origins
 * of r1 in twelve colours, 2000 with 2012, ... (the SVG driver writes
 * every character as a reference). */
static void
backtest_projections_should_list_the_origins_of_each_colour(void **st)
{
    fixture *fx = *st;
    bt_fixture *t = malloc(sizeof *t);
    bt_build(t, &fx->sc);
    char path[256], word[256];
    snprintf(path, sizeof path, "%s/bt_legend.svg", fx->dir);
    sp_error err;
    assert_int_equal(sp_plot_bt_projections(path, SP_PLOT_SVG, &t->r, 0, &err),
                     SP_OK);
    long size;
    char *svg = slurp(path, &size);
    svg_encoded("origins 2000, 2012", word, sizeof word);
    assert_int_equal(count_of(svg, word), 1);
    svg_encoded("origins 2011", word, sizeof word);
    assert_int_equal(count_of(svg, word), 1);
    svg_encoded("r1", word, sizeof word); /* the region in the title */
    assert_true(count_of(svg, word) >= 1);
    free(svg);
    assert_int_equal(unlink(path), 0);
    free(t);
}

/* An indicator without scores or out of range, and a back-test without
 * scores, are refused before a file is made; a missing directory gives
 * SP_ERR_IO naming the path. */
static void backtest_charts_should_refuse_what_they_cannot_draw(void **st)
{
    fixture *fx = *st;
    bt_fixture *t = malloc(sizeof *t);
    bt_build(t, &fx->sc);
    char path[256];
    snprintf(path, sizeof path, "%s/bad.png", fx->dir);
    sp_error err;
    sp_plot_format f = SP_PLOT_PNG;
    assert_range_error(sp_plot_bt_projections(path, f, &t->r, 1, &err), &err,
                       path);
    assert_range_error(
        sp_plot_bt_projections(path, f, &t->r, fx->sc.n_indicators, &err), &err,
        path);
    snprintf(path, sizeof path, "%s/no/such/dir/pit.png", fx->dir);
    for (int which = 0; which < 3; which++) {
        sp_error_clear(&err);
        assert_int_equal(bt_chart(&t->r, which, 0, path, f, &err), SP_ERR_IO);
        assert_string_equal(err.file, path);
    }
    snprintf(path, sizeof path, "%s/empty.png", fx->dir);
    t->b.n_scores = 0;
    memset(&t->b.pooled, 0, sizeof t->b.pooled);
    assert_range_error(sp_plot_bt_pit(path, f, &t->r, &err), &err, path);
    assert_range_error(sp_plot_bt_coverage(path, f, &t->r, &err), &err, path);
    free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_chart_should_be_written_at_the_stated_size),
        cmocka_unit_test(
            target_labels_should_compare_probabilities_near_0_and_1),
        cmocka_unit_test(repeated_calls_should_write_identical_files),
        cmocka_unit_test(a_missing_directory_should_give_an_io_error),
        cmocka_unit_test(an_indicator_out_of_range_should_be_rejected),
        cmocka_unit_test(values_without_finite_draws_should_be_left_out),
        cmocka_unit_test(a_scenario_without_targets_should_still_plot),
        cmocka_unit_test(observed_years_should_be_marked_on_the_fan_chart),
        cmocka_unit_test(sweep_curves_should_be_written_as_svg_and_png),
        cmocka_unit_test(sweep_heat_maps_should_be_written_as_svg_and_png),
        cmocka_unit_test(sweep_charts_should_reject_bad_grids),
        cmocka_unit_test(sweep_charts_in_a_missing_directory_should_fail),
        cmocka_unit_test(backtest_charts_should_be_written_at_the_stated_size),
        cmocka_unit_test(
            backtest_projections_should_list_the_origins_of_each_colour),
        cmocka_unit_test(backtest_charts_should_refuse_what_they_cannot_draw),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
