/*
 * sp_decide: levers, solve (bracketed bisection with common random
 * numbers) and sweep (grids of one or two levers).
 */
#define _POSIX_C_SOURCE 200809L
#include "sp_decide.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sp_compile.h"
#include "sp_count.h"
#include "sp_decision.h"
#include "sp_lever.h"
#include "sp_mc.h"
#include "sp_output.h"
#include "sp_rng.h"
#include "sp_run.h"
#include "sp_stop.h"
#ifdef SIMPLAN_HAVE_PLOTS
#include "sp_plot.h"
#endif

/* ---- evaluation ------------------------------------------------------------ */

#define EVAL_STEP_BLOCKS 256 /* blocks between checks for a signal */

/* Stops solve and sweep at the next evaluation, or within one, when
 * opt->sim.stop is set (a signal: SP_ERR_IO; a cancel request:
 * SP_ERR_CANCELLED); nothing is written then. */
static sp_status stop_requested(const sp_decide_options *opt, sp_error *err)
{
    return sp_stop_check(opt->sim.stop, err,
                         "stopped between evaluations; no results were "
                         "written");
}

/* Runs every block of `mc` in steps, stopping early on a signal. Blocks
 * are seeded by their index, so the steps do not change the result. */
static sp_status run_all_blocks(const sp_decide_options *opt, sp_mc *mc,
                                sp_error *err)
{
    uint64_t n = sp_mc_blocks(mc);
    for (uint64_t k = 0; k < n; k += EVAL_STEP_BLOCKS) {
        sp_status st = stop_requested(opt, err);
        if (st != SP_OK)
            return st;
        sp_mc_run(mc, k, k + EVAL_STEP_BLOCKS < n ? k + EVAL_STEP_BLOCKS : n);
    }
    return stop_requested(opt, err);
}

/* Runs the scenario with the lever at x; fills res (caller destroys). */
static sp_status evaluate(const sp_decide_options *opt, const sp_scenario *sc,
                          sp_lever *lv, double x, sp_result *res, sp_error *err)
{
    sp_status stop = stop_requested(opt, err);
    if (stop != SP_OK)
        return stop;
    *lv->value = x;
    sp_compiled c = {0};
    sp_mc_config cfg;
    const char *rng_name;
    sp_status st = sp_run_resolve(&opt->sim, sc, &cfg, &rng_name, err);
    if (st == SP_OK)
        st = sp_compile(sc, &c, err);
    sp_mc *mc = st == SP_OK ? sp_mc_alloc(sc, &c, &cfg, err) : NULL;
    if (st == SP_OK && mc == NULL)
        st = err->status;
    if (st == SP_OK)
        st = stop = run_all_blocks(opt, mc, err);
    if (st == SP_OK) {
        memset(res, 0, sizeof *res);
        st = sp_mc_result(mc, res, err);
    }
    sp_mc_free(mc);
    sp_compiled_destroy(&c);
    if (st != SP_OK && st != SP_ERR_NOMEM && stop == SP_OK)
        snprintf(err->message + strlen(err->message),
                 sizeof err->message - strlen(err->message), " [with %s = %g]",
                 lv->path, x);
    return st;
}

/* P(target k) with the lever at x. */
static sp_status prob_at(const sp_decide_options *opt, const sp_scenario *sc,
                         sp_lever *lv, double x, size_t k, double *p,
                         int *evals, sp_error *err)
{
    sp_result res;
    sp_status st = evaluate(opt, sc, lv, x, &res, err);
    if (st == SP_OK) {
        *p = res.targets[k].probability;
        sp_result_destroy(&res);
    }
    (*evals)++;
    return st;
}

/* ---- the pure parts ---------------------------------------------------------- */

double sp_decide_grid(double lo, double hi, int n, int i)
{
    return lo + (hi - lo) * i / (n - 1);
}

bool sp_decide_monotone(const double *p, size_t n, size_t *peak)
{
    bool up = true, down = true;
    *peak = 0;
    for (size_t i = 1; i < n; i++) {
        up = up && p[i] >= p[i - 1];
        down = down && p[i] <= p[i - 1];
        if (p[i] > p[*peak])
            *peak = i;
    }
    return up || down;
}

bool sp_decide_bracketed(double p_lo, double p_hi, double prob)
{
    return fmin(p_lo, p_hi) <= prob && prob <= fmax(p_lo, p_hi);
}

/* ---- solve ------------------------------------------------------------------ */

typedef struct {
    double lo, hi, p_lo, p_hi; /* range tried and P at its ends */
    double a, b, p_a, p_b;     /* final bracket */
    double value, mc_sd;       /* root and its Monte Carlo sd */
    int evals;
} solution;

/* The lever range: --range, or the lever's default, within validity. */
static sp_status lever_range(const sp_decide_options *opt, const sp_lever *lv,
                             double *lo, double *hi, sp_error *err)
{
    *lo = opt->has_range ? opt->range_lo : lv->lo;
    *hi = opt->has_range ? opt->range_hi : lv->hi;
    if (!(*lo < *hi) || *lo < lv->valid_lo || *hi > lv->valid_hi)
        return sp_error_set(err, SP_ERR_USAGE, NULL, 0, "--range",
                            "%s can range over [%g, %g]; got [%g, %g]",
                            lv->path, lv->valid_lo, lv->valid_hi, *lo, *hi);
    return SP_OK;
}

/* When the ends of the range do not bracket P: P at SP_DECIDE_INTERIOR
 * interior points (common random numbers, so P is exactly monotone when
 * the measure is). SP_OK when P is monotone over them -- P is then out of
 * reach; otherwise SP_ERR_RANGE saying that P is not monotone in the
 * lever and where its largest value was found. */
static sp_status not_monotone(const sp_decide_options *opt,
                              const sp_scenario *sc, sp_lever *lv, size_t k,
                              solution *s, sp_error *err)
{
    enum { N = SP_DECIDE_INTERIOR + 2 };
    double x[N], p[N];
    x[0] = s->lo, p[0] = s->p_lo, x[N - 1] = s->hi, p[N - 1] = s->p_hi;
    for (int i = 1; i < N - 1; i++) {
        x[i] = sp_decide_grid(s->lo, s->hi, N, i);
        sp_status st = prob_at(opt, sc, lv, x[i], k, &p[i], &s->evals, err);
        if (st != SP_OK)
            return st;
    }
    size_t peak;
    if (sp_decide_monotone(p, N, &peak))
        return SP_OK;
    bool reached = p[peak] >= opt->prob;
    return sp_error_set(
        err, SP_ERR_RANGE, sc->file, 0, lv->path,
        "P(%s met) is not monotone in it over [%g, %g]: P is %.4f at %g and "
        "%.4f at %g, but %.4f at %g (the largest of %d points); %s",
        opt->target, s->lo, s->hi, s->p_lo, s->lo, s->p_hi, s->hi, p[peak],
        x[peak], N,
        reached ? "give --range on one side of that point to find the value "
                  "there"
                : "the probability asked for was not reached at any of them");
}

/* Bisection on P(x) - P*, keeping P* between P(a) and P(b). */
static sp_status bisect(const sp_decide_options *opt, const sp_scenario *sc,
                        sp_lever *lv, size_t k, solution *s, sp_error *err)
{
    double target = opt->prob;
    bool rising = s->p_hi >= s->p_lo;
    double tol = opt->tol > 0 ? opt->tol : (s->hi - s->lo) * 1e-5;
    s->a = s->lo, s->b = s->hi, s->p_a = s->p_lo, s->p_b = s->p_hi;
    sp_status st = SP_OK;
    for (int it = 0; it < 64 && s->b - s->a > tol && st == SP_OK; it++) {
        double m = 0.5 * (s->a + s->b), p = 0.0;
        st = prob_at(opt, sc, lv, m, k, &p, &s->evals, err);
        if ((p < target) == rising)
            s->a = m, s->p_a = p;
        else
            s->b = m, s->p_b = p;
    }
    s->value = 0.5 * (s->a + s->b);
    return st;
}

/* Monte Carlo sd of the root: sd of P at the root over the slope of P. */
static sp_status root_sd(const sp_decide_options *opt, const sp_scenario *sc,
                         sp_lever *lv, size_t k, uint64_t draws, solution *s,
                         sp_error *err)
{
    double h = (s->hi - s->lo) / 50.0;
    double x0 = fmax(s->lo, s->value - h), x1 = fmin(s->hi, s->value + h);
    double p0, p1;
    sp_status st = prob_at(opt, sc, lv, x0, k, &p0, &s->evals, err);
    if (st == SP_OK)
        st = prob_at(opt, sc, lv, x1, k, &p1, &s->evals, err);
    if (st != SP_OK)
        return st;
    double slope = (p1 - p0) / (x1 - x0);
    double se = sqrt(opt->prob * (1.0 - opt->prob) / (double)draws);
    s->mc_sd = slope != 0.0 ? se / fabs(slope) : HUGE_VAL;
    return SP_OK;
}

/* The solution as the plain result the writers take (borrowing). */
static sp_solve_report solve_report(const sp_decide_options *opt,
                                    const sp_scenario *sc, const char *lever,
                                    uint64_t draws, uint64_t seed,
                                    const solution *s)
{
    return (sp_solve_report){.scenario = sc->name,
                             .target = opt->target,
                             .probability = opt->prob,
                             .lever = lever,
                             .value = s->value,
                             .mc_sd = s->mc_sd,
                             .a = s->a,
                             .b = s->b,
                             .p_a = s->p_a,
                             .p_b = s->p_b,
                             .lo = s->lo,
                             .hi = s->hi,
                             .p_lo = s->p_lo,
                             .p_hi = s->p_hi,
                             .evaluations = s->evals,
                             .draws = draws,
                             .seed = seed};
}

static sp_status put_solve_csv(FILE *out, const void *ctx, sp_error *err)
{
    return sp_solve_csv(out, ctx, err);
}

#ifdef SIMPLAN_HAVE_JSON
static sp_status put_solve_json(FILE *out, const void *ctx, sp_error *err)
{
    return sp_solve_json(out, ctx, err);
}
#endif

/* DIR/solve.csv and (with jansson, as run) DIR/solve.json, published
 * through the result writer. */
sp_status sp_decide_solve_save(const char *dir, bool force,
                               const atomic_int *stop, const sp_solve_report *r,
                               sp_error *err)
{
    sp_output_options oo = {dir, force, false, stop};
    sp_output *w = NULL;
    sp_status st = sp_output_begin(&oo, &w, err);
    if (st == SP_OK)
        st = sp_output_file(w, "solve.csv", put_solve_csv, r, err);
#ifdef SIMPLAN_HAVE_JSON
    if (st == SP_OK)
        st = sp_output_file(w, "solve.json", put_solve_json, r, err);
#endif
    if (st == SP_OK)
        st = sp_output_publish(w, err);
    sp_output_free(w);
    return st;
}

sp_status sp_decide_solve_compute(const sp_decide_options *opt, sp_scenario *sc,
                                  sp_solve_report *r, sp_error *err)
{
    memset(r, 0, sizeof *r);
    long k = sp_scenario_find_target(sc, opt->target);
    if (k < 0)
        return sp_error_set(err, SP_ERR_USAGE, NULL, 0, "--target",
                            "no target has id '%s'", opt->target);
    sp_lever lv;
    solution s = {0};
    sp_status st = sp_lever_find(sc, opt->vary[0], "--vary", &lv, err);
    if (st == SP_OK)
        st = lever_range(opt, &lv, &s.lo, &s.hi, err);
    if (st != SP_OK)
        return st;
    double original = *lv.value;
    st = prob_at(opt, sc, &lv, s.lo, (size_t)k, &s.p_lo, &s.evals, err);
    if (st == SP_OK)
        st = prob_at(opt, sc, &lv, s.hi, (size_t)k, &s.p_hi, &s.evals, err);
    if (st == SP_OK && !sp_decide_bracketed(s.p_lo, s.p_hi, opt->prob))
        st = not_monotone(opt, sc, &lv, (size_t)k, &s, err);
    if (st == SP_OK && !sp_decide_bracketed(s.p_lo, s.p_hi, opt->prob))
        st = sp_error_set(err, SP_ERR_RANGE, sc->file, 0, lv.path,
                          "target %s cannot reach P = %g by varying it over "
                          "[%g, %g]: P is %.4f at %g and %.4f at %g (widen "
                          "--range if the scenario allows)",
                          opt->target, opt->prob, s.lo, s.hi, s.p_lo, s.lo,
                          s.p_hi, s.hi);
    if (st == SP_OK)
        st = bisect(opt, sc, &lv, (size_t)k, &s, err);
    sp_mc_config cfg;
    const char *rng_name;
    if (st == SP_OK)
        st = sp_run_resolve(&opt->sim, sc, &cfg, &rng_name, err);
    if (st == SP_OK)
        st = root_sd(opt, sc, &lv, (size_t)k, cfg.draws, &s, err);
    *lv.value = original;
    if (st == SP_OK)
        st = stop_requested(opt, err);
    if (st == SP_OK)
        *r = solve_report(opt, sc, opt->vary[0], cfg.draws, cfg.seed, &s);
    return st;
}

/* ---- sweep ------------------------------------------------------------------ */

typedef sp_sweep_axis axis;

/* Parses PATH=FROM:TO:STEPS. */
/* FROM:TO:STEPS with finite FROM != TO and STEPS a count 2 .. 1000
 * (sp_cli_count: 1e1 is 10), nothing after it. */
static bool parse_grid_spec(const char *s, double *from, double *to, int *steps)
{
    char *end;
    *from = strtod(s, &end);
    if (end == s || *end != ':')
        return false;
    const char *t = end + 1;
    *to = strtod(t, &end);
    if (end == t || *end != ':')
        return false;
    uint64_t n;
    if (!sp_count_parse(end + 1, 2, 1000, &n))
        return false;
    *steps = (int)n;
    return isfinite(*from) && isfinite(*to) && *from != *to;
}

static sp_status parse_axis(sp_scenario *sc, const char *spec, axis *a,
                            sp_error *err)
{
    const char *eq = strrchr(spec, '=');
    char path[160];
    if (eq == NULL || (size_t)(eq - spec) >= sizeof path ||
        !parse_grid_spec(eq + 1, &a->from, &a->to, &a->steps))
        return sp_error_set(err, SP_ERR_USAGE, NULL, 0, "--vary",
                            "'%s': expected PATH=FROM:TO:STEPS with 2 <= "
                            "STEPS <= 1000",
                            spec);
    snprintf(path, sizeof path, "%.*s", (int)(eq - spec), spec);
    if (a->from > a->to) { /* grids run upwards */
        double t = a->from;
        a->from = a->to;
        a->to = t;
    }
    sp_status st = sp_lever_find(sc, path, "--vary", &a->lever, err);
    double lo = fmin(a->from, a->to), hi = fmax(a->from, a->to);
    if (st == SP_OK && (lo < a->lever.valid_lo || hi > a->lever.valid_hi))
        st = sp_error_set(err, SP_ERR_USAGE, NULL, 0, "--vary",
                          "%s can range over [%g, %g]", path, a->lever.valid_lo,
                          a->lever.valid_hi);
    return st;
}

static double grid(const axis *a, int i)
{
    return sp_decide_grid(a->from, a->to, a->steps, i);
}

/* The grid's probabilities: p[(j * nx + i) * nt + k] for point (i, j). */
static sp_status sweep_grid(const sp_decide_options *opt, const sp_scenario *sc,
                            axis *ax, int n_axes, size_t nt, double *p,
                            double *ci, sp_error *err)
{
    int nx = ax[0].steps, ny = n_axes > 1 ? ax[1].steps : 1;
    sp_status st = SP_OK;
    for (int j = 0; j < ny && st == SP_OK; j++) {
        if (n_axes > 1)
            *ax[1].lever.value = grid(&ax[1], j);
        for (int i = 0; i < nx && st == SP_OK; i++) {
            sp_result res;
            st = evaluate(opt, sc, &ax[0].lever, grid(&ax[0], i), &res, err);
            for (size_t k = 0; st == SP_OK && k < nt; k++) {
                size_t at = ((size_t)j * (size_t)nx + (size_t)i) * nt + k;
                p[at] = res.targets[k].probability;
                ci[2 * at] = res.targets[k].ci_lo;
                ci[2 * at + 1] = res.targets[k].ci_hi;
            }
            if (st == SP_OK)
                sp_result_destroy(&res);
        }
    }
    return st;
}

/* What the sweep's charts are drawn from. */
typedef struct {
    const sp_scenario *sc;
    const axis *ax;
    int n_axes;
    const double *p;
    double *x, *y; /* lever values along each axis */
    double *q;     /* per chart: [n_targets][n_x] (one lever) or, per
                      target, [n_y][n_x] (two) */
    const char **ids;
    const char *dir; /* DIR, for messages */
} sweep_out;

#ifdef SIMPLAN_HAVE_PLOTS
/* Chart k of a sweep: format k % 2 (SVG, PNG) of the curve chart (one
 * lever) or of target k / 2's heat map (two); drawn in the chart child. */
static sp_status draw_sweep_chart(const char *path, size_t k, const void *ctx,
                                  sp_error *err)
{
    const sweep_out *o = ctx;
    sp_plot_format fmt = k % 2 == 0 ? SP_PLOT_SVG : SP_PLOT_PNG;
    size_t nt = o->sc->n_targets, nx = (size_t)o->ax[0].steps;
    if (o->n_axes == 1)
        return sp_plot_sweep_curve(path, fmt, o->sc->name, o->ax[0].lever.path,
                                   o->x, nx, o->ids, nt, o->q, err);
    size_t t = k / 2, ny = (size_t)o->ax[1].steps;
    char title[256];
    snprintf(title, sizeof title, "%s: %s", o->ids[t], o->sc->targets[t].name);
    return sp_plot_sweep_heatmap(path, fmt, title, o->ax[0].lever.path, o->x,
                                 nx, o->ax[1].lever.path, o->y, ny,
                                 o->q + t * nx * ny, err);
}

/* Fills the chart data of `o` from its probabilities. */
static void sweep_chart_data(sweep_out *o)
{
    size_t nt = o->sc->n_targets, nx = (size_t)o->ax[0].steps;
    size_t ny = o->n_axes > 1 ? (size_t)o->ax[1].steps : 1;
    for (size_t i = 0; i < nx; i++)
        o->x[i] = grid(&o->ax[0], (int)i);
    for (size_t j = 0; j < ny; j++)
        o->y[j] = o->n_axes > 1 ? grid(&o->ax[1], (int)j) : 0.0;
    for (size_t k = 0; k < nt; k++) {
        o->ids[k] = o->sc->targets[k].id;
        for (size_t c = 0; c < nx * ny; c++)
            o->q[k * nx * ny + c] = o->p[c * nt + k];
    }
}

/* The sweep charts in both formats, through the writer's chart stage:
 * one curve chart for one lever, one heat map per target for two. A
 * failed chart stage leaves its warning in the writer. */
static sp_status sweep_plots(sp_output *w, sweep_out *o, sp_error *err)
{
    size_t nt = o->sc->n_targets, nx = (size_t)o->ax[0].steps;
    size_t ny = o->n_axes > 1 ? (size_t)o->ax[1].steps : 1;
    size_t n = o->n_axes == 1 ? 2 : 2 * nt;
    o->x = malloc(nx * sizeof *o->x);
    o->y = malloc(ny * sizeof *o->y);
    o->q = malloc(nx * ny * (nt ? nt : 1) * sizeof *o->q);
    o->ids = malloc((nt ? nt : 1) * sizeof *o->ids);
    char(*names)[300] = calloc(n ? n : 1, sizeof *names);
    const char **ptrs = calloc(n ? n : 1, sizeof *ptrs);
    sp_status st = o->x && o->y && o->q && o->ids && names && ptrs
                       ? SP_OK
                       : sp_error_set(err, SP_ERR_NOMEM, NULL, 0, NULL,
                                      "out of memory for the charts");
    for (size_t k = 0; st == SP_OK && k < n; k++) {
        const char *ext = k % 2 == 0 ? "svg" : "png";
        int len = o->n_axes == 1
                      ? snprintf(names[k], sizeof names[k], "sweep.%s", ext)
                      : snprintf(names[k], sizeof names[k], "sweep_%s.%s",
                                 o->sc->targets[k / 2].id, ext);
        if (len < 0 || (size_t)len >= sizeof names[k])
            st = sp_error_set(err, SP_ERR_IO, NULL, 0, NULL,
                              "cannot write "
                              "%s/sweep_%s: the file name is too long",
                              o->dir, o->sc->targets[k / 2].id);
        ptrs[k] = names[k];
    }
    if (st == SP_OK) {
        sweep_chart_data(o);
        sp_output_charts(w, ptrs, n, draw_sweep_chart, o);
    }
    free(o->x);
    free(o->y);
    free(o->q);
    free(o->ids);
    free(names);
    free(ptrs);
    return st;
}
#endif

static sp_status put_sweep_csv(FILE *out, const void *ctx, sp_error *err)
{
    return sp_sweep_csv(out, ctx, err);
}

/* DIR/sweep.csv, then the charts, published through the writer. */
static sp_status sweep_files(const char *dir, bool plots, sp_output *w,
                             const sp_scenario *sc, const axis *ax, int n_axes,
                             const sp_sweep_report *r, sp_error *err)
{
    sp_status st = sp_output_file(w, "sweep.csv", put_sweep_csv, r, err);
#ifdef SIMPLAN_HAVE_PLOTS
    sweep_out o = {sc, ax, n_axes, r->p, NULL, NULL, NULL, NULL, dir};
    if (st == SP_OK && plots)
        st = sweep_plots(w, &o, err);
#else
    (void)dir;
    (void)plots;
    (void)sc;
    (void)ax;
    (void)n_axes;
#endif
    if (st == SP_OK)
        st = sp_output_publish(w, err);
    return st;
}

/* The sweep's grid values and target ids for its report (caller frees
 * x, y and ids). */
static sp_status sweep_report(const sp_decide_options *opt,
                              const sp_scenario *sc, const axis *ax,
                              const double *p, const double *ci,
                              sp_sweep_report *r, sp_error *err)
{
    int two = opt->n_vary > 1;
    size_t nx = (size_t)ax[0].steps, ny = two ? (size_t)ax[1].steps : 1;
    double *x = malloc(nx * sizeof *x), *y = malloc(ny * sizeof *y);
    const char **ids =
        malloc((sc->n_targets ? sc->n_targets : 1) * sizeof *ids);
    sp_mc_config cfg;
    const char *rng_name;
    sp_status st = sp_run_resolve(&opt->sim, sc, &cfg, &rng_name, err);
    if (st == SP_OK && (x == NULL || y == NULL || ids == NULL))
        st = sp_error_set(err, SP_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    for (size_t i = 0; st == SP_OK && i < nx; i++)
        x[i] = grid(&ax[0], (int)i);
    for (size_t j = 0; st == SP_OK && j < ny; j++)
        y[j] = two ? grid(&ax[1], (int)j) : 0.0;
    for (size_t k = 0; st == SP_OK && k < sc->n_targets; k++)
        ids[k] = sc->targets[k].id;
    *r = (sp_sweep_report){.scenario = sc->name,
                           .lever = ax[0].lever.path,
                           .lever2 = two ? ax[1].lever.path : NULL,
                           .x = x,
                           .y = y,
                           .nx = nx,
                           .ny = ny,
                           .n_targets = sc->n_targets,
                           .ids = ids,
                           .p = p,
                           .ci = ci,
                           .draws = st == SP_OK ? cfg.draws : 0,
                           .seed = st == SP_OK ? cfg.seed : 0};
    return st;
}

static void sweep_report_free(sp_sweep_report *r)
{
    free((void *)(uintptr_t)r->x);
    free((void *)(uintptr_t)r->y);
    free((void *)(uintptr_t)r->ids);
}

sp_status sp_decide_sweep_save(const char *dir, bool force, bool plots,
                               const atomic_int *stop, const sp_scenario *sc,
                               const sp_sweep_result *res, char *warning,
                               size_t size, sp_error *err)
{
    sp_output_options oo = {dir, force, plots, stop};
    sp_output *w = NULL;
    sp_status st = sp_output_begin(&oo, &w, err);
    if (st == SP_OK)
        st = sweep_files(dir, plots, w, sc, res->ax, res->n_axes, &res->r, err);
    snprintf(warning, size, "%s",
             st == SP_OK && sp_output_warning(w) ? sp_output_warning(w) : "");
    sp_output_free(w);
    return st;
}

void sp_sweep_result_free(sp_sweep_result *res)
{
    sweep_report_free(&res->r);
    free(res->p);
    free(res->ci);
    memset(res, 0, sizeof *res);
}

sp_status sp_decide_sweep_compute(const sp_decide_options *opt, sp_scenario *sc,
                                  sp_sweep_result *res, sp_error *err)
{
    memset(res, 0, sizeof *res);
    axis *ax = res->ax;
    res->n_axes = opt->n_vary;
    sp_status st = SP_OK;
    for (int a = 0; a < opt->n_vary && st == SP_OK; a++)
        st = parse_axis(sc, opt->vary[a], &ax[a], err);
    if (st == SP_OK && opt->n_vary == 2 &&
        ax[0].lever.value == ax[1].lever.value)
        st = sp_error_set(err, SP_ERR_USAGE, NULL, 0, "--vary",
                          "the two levers are the same number");
    if (st != SP_OK)
        return st;
    double saved[2] = {*ax[0].lever.value,
                       opt->n_vary > 1 ? *ax[1].lever.value : 0.0};
    size_t points =
        (size_t)ax[0].steps * (size_t)(opt->n_vary > 1 ? ax[1].steps : 1);
    size_t nt = sc->n_targets;
    res->p = calloc(points * nt + 1, sizeof *res->p);
    res->ci = calloc(2 * points * nt + 1, sizeof *res->ci);
    if (res->p == NULL || res->ci == NULL)
        st = sp_error_set(err, SP_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    if (st == SP_OK)
        st = sweep_grid(opt, sc, ax, opt->n_vary, nt, res->p, res->ci, err);
    *ax[0].lever.value = saved[0];
    if (opt->n_vary > 1)
        *ax[1].lever.value = saved[1];
    if (st == SP_OK)
        st = sweep_report(opt, sc, ax, res->p, res->ci, &res->r, err);
    if (st == SP_OK)
        st = stop_requested(opt, err);
    if (st != SP_OK)
        sp_sweep_result_free(res);
    return st;
}
