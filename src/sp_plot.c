/*
 * sp_plot: fan and target charts through PLplot.
 *
 * Every chart follows the same steps: plot_open() checks that the driver
 * exists, creates the output file and starts a fresh PLplot stream writing
 * to it with our palette, page size and font size; the chart is drawn in
 * world coordinates; plot_close() ends the stream, returns to the stream
 * that was current before, and checks that PLplot reported no error and
 * that the file is not empty. PLplot exits the process when it cannot open
 * its output file, and asks on stdin when it does not know the device, so
 * both are checked here before PLplot is asked to do either. Errors of
 * individual calls are caught with plsError instead of being printed.
 * Values that are not finite never reach PLplot; user text (names, units)
 * has PLplot's escape character '#' doubled.
 */
#define _POSIX_C_SOURCE 200809L
#include "sp_plot.h"

#include <errno.h>
#include <math.h>
#include <plplot.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Colours of cmap0, in the order of `palette`. */
enum {
    COL_BG, COL_INK, COL_GRID, COL_BAND90, COL_BAND50, COL_MEDIAN,
    COL_TARGET, COL_SIMPLE, COL_JOINT, COL_GUIDE, COL_MUTED, COL_WHITE,
    COL_COUNT
};

static const int palette[COL_COUNT][3] = {
    {255, 255, 255}, /* background */
    {33, 33, 33},    /* text, axes, whiskers */
    {230, 230, 230}, /* grid */
    {198, 219, 239}, /* 90 % band */
    {122, 178, 216}, /* 50 % band */
    {8, 48, 107},    /* median */
    {190, 30, 45},   /* targets on the fan chart */
    {49, 130, 189},  /* simple target bars */
    {230, 120, 20},  /* joint target bars */
    {110, 110, 110}, /* guide lines */
    {85, 85, 85},    /* subtitles, target names */
    {255, 255, 255}, /* text on dark bars */
};

#define CHAR_SCALE 1.1     /* text size relative to PLplot's default */
#define TITLE_SCALE 1.35   /* titles relative to CHAR_SCALE */
#define GLYPH_WIDTH 0.62   /* estimated mean glyph width / char height */
#define MAX_TEXT 512       /* bytes of one label */
#define MAX_YEARS (SP_MAX_STEPS + 1)

/* One open chart: the PLplot stream and where its errors land. */
typedef struct {
    const char *path; /* output file */
    PLINT prev;       /* stream current before ours */
    PLINT code;       /* set non-zero by PLplot when a call aborts */
    char msg[1024];   /* PLplot's message for that call */
} plot_stream;

/* ------------------------------------------------------------------ */
/* Streams and files                                                   */
/* ------------------------------------------------------------------ */

/* True when this PLplot build has the output driver `dev`. Without it,
 * plinit() would ask for a device on stdin. */
static bool driver_available(const char *dev)
{
    static const char *menu[128], *names[128];
    const char **m = menu, **d = names;
    int n = 128;
    plgDevs(&m, &d, &n);
    for (int k = 0; k < n; k++)
        if (names[k] != NULL && strcmp(names[k], dev) == 0)
            return true;
    return false;
}

/* Loads the chart palette into cmap0: white background, dark ink. */
static void plot_palette(void)
{
    plscmap0n(COL_COUNT);
    for (int k = 0; k < COL_COUNT; k++)
        plscol0(k, palette[k][0], palette[k][1], palette[k][2]);
}

/* Creates `path` (so PLplot never fails to open it), then starts a new
 * PLplot stream that writes format `fmt` to it. On SP_OK the stream is
 * current and plot_close() must be called; on failure nothing is left
 * open and no file is left behind. */
static sp_status plot_open(plot_stream *s, const char *path,
                           sp_plot_format fmt, sp_error *err)
{
    const char *dev = fmt == SP_PLOT_PNG ? "pngcairo" : "svg";
    if (!driver_available(dev))
        return sp_error_set(err, SP_ERR_UNSUPPORTED, path, 0, NULL,
                            "PLplot has no '%s' driver; install the Debian "
                            "package plplot-driver-cairo", dev);
    FILE *f = fopen(path, "wb");
    if (f == NULL || fclose(f) != 0)
        return sp_error_set(err, SP_ERR_IO, path, 0, NULL,
                            "cannot create the chart file: %s",
                            strerror(errno));
    s->path = path;
    s->code = 0;
    s->msg[0] = '\0';
    plgstrm(&s->prev);
    PLINT strm;
    plmkstrm(&strm);
    plsError(&s->code, s->msg);
    plsdev(dev);
    plsfnam(path);
    plspage(0, 0, SP_PLOT_WIDTH, SP_PLOT_HEIGHT, 0, 0);
    plot_palette();
    plinit();
    plschr(0, CHAR_SCALE);
    return SP_OK;
}

/* Ends the stream of `s`, makes the previous stream current again, and
 * checks the result: SP_ERR_IO, with the file removed, when PLplot
 * reported an error (`st` already failed: the file is removed and `st`
 * returned) or the file is missing or empty. */
static sp_status plot_close(plot_stream *s, sp_status st, sp_error *err)
{
    plend1();
    plsstrm(s->prev);
    struct stat sb;
    if (st == SP_OK && s->code != 0)
        st = sp_error_set(err, SP_ERR_IO, s->path, 0, NULL,
                          "PLplot failed: %s", s->msg);
    else if (st == SP_OK && (stat(s->path, &sb) != 0 || sb.st_size <= 0))
        st = sp_error_set(err, SP_ERR_IO, s->path, 0, NULL,
                          "the chart was not written");
    if (st != SP_OK)
        unlink(s->path);
    return st;
}

/* ------------------------------------------------------------------ */
/* Text and layout helpers                                             */
/* ------------------------------------------------------------------ */

/* Copies `in` to `out` (of `size` bytes) with PLplot's escape character
 * '#' doubled so that user text is drawn as written; truncates at a
 * character boundary. */
static void plot_text(char *out, size_t size, const char *in)
{
    size_t n = 0;
    for (; *in != '\0' && n + 2 < size; in++) {
        if (*in == '#')
            out[n++] = '#';
        out[n++] = *in;
    }
    while (n > 0 && *in != '\0' && ((unsigned char)out[n - 1] & 0xC0) == 0x80)
        n--; /* do not end inside a UTF-8 sequence */
    if (n > 0 && *in != '\0' && ((unsigned char)out[n - 1] & 0xC0) == 0xC0)
        n--;
    out[n] = '\0';
}

/* Characters (not bytes) of UTF-8 text, for width estimates. */
static size_t text_chars(const char *s)
{
    size_t n = 0;
    for (; *s != '\0'; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* Current character height in millimetres. */
static double char_mm(void)
{
    PLFLT def, ht;
    plgchr(&def, &ht);
    return ht;
}

/* Size of the current viewport in millimetres. */
static void viewport_mm(double *w, double *h)
{
    PLFLT x0, x1, y0, y1, px0, px1, py0, py1;
    plgspa(&px0, &px1, &py0, &py1);
    plgvpd(&x0, &x1, &y0, &y1);
    *w = (x1 - x0) * (px1 - px0);
    *h = (y1 - y0) * (py1 - py0);
}

/* World units per millimetre along x and y in the current window. */
static void world_per_mm(double *wx, double *wy)
{
    PLFLT x0, x1, y0, y1;
    double w, h;
    plgvpw(&x0, &x1, &y0, &y1);
    viewport_mm(&w, &h);
    *wx = (x1 - x0) / w;
    *wy = (y1 - y0) / h;
}

/* A probability as a planner reads it: two decimals, but never "0.00" or
 * "1.00" for a probability that is not exactly 0 or 1. */
static void fmt_probability(char *buf, size_t size, double p)
{
    if (p > 0.0 && p < 0.005)
        snprintf(buf, size, "< 0.01");
    else if (p < 1.0 && p > 0.995)
        snprintf(buf, size, "> 0.99");
    else
        snprintf(buf, size, "%.2f", p);
}

/* Writes `text` on side `side` of the viewport (as plmtex) at scale
 * `scale` of the chart's text size and in colour `col`. */
static void side_text(const char *side, double disp, double pos, double just,
                      double scale, int col, const char *text)
{
    plschr(0, CHAR_SCALE * scale);
    plcol0(col);
    plmtex(side, disp, pos, just, text);
    plschr(0, CHAR_SCALE);
}

/* Title (scaled up) and a muted subtitle under it, above the viewport. */
static void plot_titles(const char *title, const char *subtitle)
{
    side_text("t", 2.6, 0.0, 0.0, TITLE_SCALE, COL_INK, title);
    if (subtitle[0] != '\0')
        side_text("t", 1.0, 0.0, 0.0, 0.85, COL_MUTED, subtitle);
}

/* Light grid lines behind the data, then nothing else: the frame and
 * labelled axes are drawn last with plot_frame(). */
static void plot_grid(const char *xopt, double xtick, const char *yopt,
                      double ytick)
{
    plcol0(COL_GRID);
    plwidth(1.0);
    plbox(xopt, xtick, 0, yopt, ytick, 0);
}

/* Frame and numbered axes in ink colour. */
static void plot_frame(const char *xopt, double xtick, PLINT nxsub,
                       const char *yopt, double ytick, PLINT nysub)
{
    plcol0(COL_INK);
    plwidth(1.0);
    pllsty(1);
    plbox(xopt, xtick, nxsub, yopt, ytick, nysub);
}

/* ------------------------------------------------------------------ */
/* Fan chart                                                           */
/* ------------------------------------------------------------------ */

/* The quantile rows of one indicator in plotted units (percent for
 * shares), NaN where a value is not finite. */
typedef struct {
    int n;                     /* years base_year .. horizon */
    int base_year;
    double scale;              /* 100 for shares, 1 otherwise */
    double base;               /* base-year value, plotted units */
    double year[MAX_YEARS];
    double q[5][MAX_YEARS];    /* p05, p25, p50, p75, p95 */
} fan_data;

enum { Q05, Q25, Q50, Q75, Q95 };

/* Copies the statistics of indicator `i` from the report into `f`. */
static void fan_load(const sp_report *r, size_t i, fan_data *f)
{
    const sp_scenario *sc = r->sc;
    f->n = r->res->n_years;
    f->base_year = sc->base_year;
    f->scale = sc->indicators[i].kind == SP_KIND_SHARE ? 100.0 : 1.0;
    double base = r->c != NULL ? r->c->model.indicators[i].base
                               : r->res->indicators[i * (size_t)f->n].p50;
    f->base = isfinite(base) ? f->scale * base : NAN;
    for (int y = 0; y < f->n; y++) {
        const sp_stats *s = &r->res->indicators[i * (size_t)f->n + (size_t)y];
        const double v[5] = {s->p05, s->p25, s->p50, s->p75, s->p95};
        f->year[y] = (double)(sc->base_year + y);
        for (int k = 0; k < 5; k++)
            f->q[k][y] = isfinite(v[k]) ? f->scale * v[k] : NAN;
    }
}

/* A simple target drawn on a fan chart, in plotted units. */
typedef struct {
    size_t k;            /* index of the target */
    int from, to;        /* years (from = to for level targets) */
    double lo, hi;       /* implied level at `to`; lo < hi for between */
    double anchor;       /* median at `from`, NaN for level targets */
    int dir;             /* +1 met above, -1 met below, 0 between */
} fan_target;

/* The level at `year` (from..to) on the path that target `t` implies from
 * x_from at `from`, with measure value `v`, in the indicator's own units:
 * constant growth for change and cagr, linear for delta. At year = to this
 * is the threshold the target sets. */
static double implied_level(const sp_target_spec *t, double x_from, double v,
                            double year)
{
    double span = (double)(t->to - t->from), done = year - (double)t->from;
    switch (t->measure) {
    case SP_MEASURE_LEVEL:
        return v;
    case SP_MEASURE_CHANGE:
        return x_from * pow(1.0 + v, span > 0 ? done / span : 1.0);
    case SP_MEASURE_CAGR:
        return x_from * pow(1.0 + v, done);
    case SP_MEASURE_DELTA:
        return x_from + v * (span > 0 ? done / span : 1.0);
    }
    return NAN;
}

/* Fills `ft` for target k when it is a simple target on indicator `name`
 * whose years lie on the chart and whose implied level is finite; returns
 * whether it can be drawn. */
static bool fan_target_load(const sp_report *r, const fan_data *f,
                            const char *name, size_t k, fan_target *ft)
{
    const sp_target_spec *t = &r->sc->targets[k];
    if (t->n_all > 0 || t->indicator == NULL || strcmp(t->indicator, name))
        return false;
    int last = f->base_year + f->n - 1;
    bool level = t->measure == SP_MEASURE_LEVEL;
    int from = level ? t->to : t->from;
    if (t->to < f->base_year || t->to > last || from < f->base_year ||
        from > t->to)
        return false;
    double x_from = level ? 0.0 : f->q[Q50][from - f->base_year] / f->scale;
    bool between = t->op == SP_OP_BETWEEN;
    double a = implied_level(t, x_from, between ? t->lo : t->value, t->to);
    double b = implied_level(t, x_from, between ? t->hi : t->value, t->to);
    *ft = (fan_target){k, from, t->to, f->scale * fmin(a, b),
                       f->scale * fmax(a, b), level ? NAN : f->scale * x_from,
                       0};
    if (!between) { /* the level rises with v unless X[from] < 0 */
        int up = t->op == SP_OP_GE || t->op == SP_OP_GT ? 1 : -1;
        ft->dir = !level && t->measure != SP_MEASURE_DELTA && x_from < 0 ? -up
                                                                         : up;
    }
    return isfinite(ft->lo) && isfinite(ft->hi) && (level || isfinite(x_from));
}

/* Collects the drawable targets of indicator `i` into `out` (room for
 * SP_MAX_TARGETS); returns how many. */
static size_t fan_targets(const sp_report *r, const fan_data *f, size_t i,
                          fan_target *out)
{
    size_t n = 0;
    for (size_t k = 0; k < r->sc->n_targets && n < SP_MAX_TARGETS; k++)
        if (fan_target_load(r, f, r->sc->indicators[i].name, k, &out[n]))
            n++;
    return n;
}

/* Extends [*lo, *hi] to include v when v is finite. */
static void extend(double *lo, double *hi, double v)
{
    if (isfinite(v)) {
        *lo = fmin(*lo, v);
        *hi = fmax(*hi, v);
    }
}

/* The y range of the fan chart: every finite quantile, the base value and
 * the targets, with a margin; a sensible range when all are equal or none
 * is finite. */
static void fan_range(const fan_data *f, const fan_target *ts, size_t nt,
                      double *lo, double *hi)
{
    *lo = INFINITY;
    *hi = -INFINITY;
    for (int y = 0; y < f->n; y++)
        for (int k = 0; k < 5; k++)
            extend(lo, hi, f->q[k][y]);
    extend(lo, hi, f->base);
    for (size_t j = 0; j < nt; j++) {
        extend(lo, hi, ts[j].lo);
        extend(lo, hi, ts[j].hi);
    }
    if (!(*lo <= *hi)) {
        *lo = 0.0;
        *hi = 1.0;
    }
    double pad = *hi > *lo ? 0.08 * (*hi - *lo) : fmax(0.1 * fabs(*hi), 1.0);
    *lo -= pad;
    *hi += pad;
}

/* Index of the first year >= `start` where rows a and b are both finite,
 * and in *end the first year after it where one is not; f->n if none. */
static int next_run(const fan_data *f, int a, int b, int start, int *end)
{
    while (start < f->n && !(isfinite(f->q[a][start]) &&
                             isfinite(f->q[b][start])))
        start++;
    *end = start;
    while (*end < f->n && isfinite(f->q[a][*end]) && isfinite(f->q[b][*end]))
        (*end)++;
    return start;
}

/* Fills the band between rows lo and hi, one polygon per run of years
 * where both are finite, so a gap in the data is a gap in the band. */
static void fan_band(const fan_data *f, int lo, int hi, int col)
{
    PLFLT x[2 * MAX_YEARS], y[2 * MAX_YEARS];
    plcol0(col);
    int end;
    for (int a = next_run(f, lo, hi, 0, &end); a < f->n;
         a = next_run(f, lo, hi, end, &end)) {
        if (end - a < 2)
            continue;
        PLINT m = 0;
        for (int j = a; j < end; j++, m++) {
            x[m] = f->year[j];
            y[m] = f->q[hi][j];
        }
        for (int j = end - 1; j >= a; j--, m++) {
            x[m] = f->year[j];
            y[m] = f->q[lo][j];
        }
        plfill(m, x, y);
    }
}

/* Draws the median as a line over each run of finite years, and a lone
 * finite year as a point. */
static void fan_median(const fan_data *f)
{
    plcol0(COL_MEDIAN);
    plwidth(3.0);
    int end;
    for (int a = next_run(f, Q50, Q50, 0, &end); a < f->n;
         a = next_run(f, Q50, Q50, end, &end)) {
        if (end - a >= 2)
            plline(end - a, &f->year[a], &f->q[Q50][a]);
        else
            plstring(1, &f->year[a], &f->q[Q50][a], "•");
    }
    plwidth(1.0);
}

/* Marks the known base-year value with a filled circle. */
static void fan_base(const fan_data *f)
{
    if (!isfinite(f->base))
        return;
    PLFLT x = f->year[0], y = f->base;
    plcol0(COL_INK);
    plstring(1, &x, &y, "●");
}
