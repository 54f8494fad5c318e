/*
 * sp_result: the report's numbers from a complete run state.
 *
 * Everything here reads the state only (counts, histograms, pairwise sums),
 * so a result is the same whether the state came from one process, from
 * threads, from merged slices or from MPI ranks.
 */
#include "sp_result.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sp_accum.h"

static sp_status add_warning(sp_result *res, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static sp_status add_warning(sp_result *res, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    char **w = realloc(res->warnings, (res->n_warnings + 1) * sizeof *w);
    if (w == NULL)
        return SP_ERR_NOMEM;
    res->warnings = w;
    size_t len = strlen(buf) + 1;
    w[res->n_warnings] = malloc(len);
    if (w[res->n_warnings] == NULL)
        return SP_ERR_NOMEM;
    memcpy(w[res->n_warnings++], buf, len);
    return SP_OK;
}

/* Statistics of quantity q; counts quantities whose quantiles are not
 * resolved to 0.1 % of (p95 - p05). */
static sp_stats stats_of(const sp_accum *acc, const double *sums, size_t q,
                         size_t *coarse)
{
    sp_stats s = {0};
    s.n = sp_accum_count(acc, q);
    if (s.n == 0) {
        s.mean = s.p05 = s.p25 = s.p50 = s.p75 = s.p95 = NAN;
        return s;
    }
    double lo = sp_accum_min(acc, q), hi = sp_accum_max(acc, q);
    s.mean = fmin(fmax(sums[q] / (double)s.n, lo), hi);
    bool in5 = true, in95 = true;
    s.p05 = sp_accum_quantile(acc, q, 0.05, &in5);
    s.p25 = sp_accum_quantile(acc, q, 0.25, NULL);
    s.p50 = sp_accum_quantile(acc, q, 0.50, NULL);
    s.p75 = sp_accum_quantile(acc, q, 0.75, NULL);
    s.p95 = sp_accum_quantile(acc, q, 0.95, &in95);
    bool resolved =
        lo == hi ||
        (in5 && in95 && sp_accum_bin_width(acc, q) <= 1e-3 * (s.p95 - s.p05));
    if (!resolved)
        (*coarse)++;
    return s;
}

/* Names the years in which indicator i had non-finite values, and how
 * many (from the per-year counts of finite values). */
static sp_status nonfinite_warning(const sp_state *st, const sp_scenario *sc,
                                   const sp_compiled *c, size_t i,
                                   sp_result *res, uint64_t steps)
{
    size_t ny = (size_t)c->model.n_steps + 1, used = 0, shown = 0;
    char years[200] = "";
    for (size_t t = 0; t < ny && shown < 5; t++) {
        uint64_t bad =
            st->draws - sp_accum_count(st->acc, sp_q_indicator(ny, i, t));
        if (bad == 0)
            continue;
        used += (size_t)snprintf(
            years + used, sizeof years > used ? sizeof years - used : 0,
            "%s%d: %llu", shown ? ", " : "", sc->base_year + (int)t,
            (unsigned long long)bad);
        shown++;
    }
    return add_warning(res,
                       "%s: %s a non-finite value in %llu of %llu "
                       "draw-years (%s%s); those values are left out of its "
                       "statistics",
                       c->names[i],
                       c->model.indicators[i].kind == SP_KIND_DERIVED
                           ? "the formula gave"
                           : "the level overflowed to",
                       (unsigned long long)res->nonfinite[i],
                       (unsigned long long)steps, years,
                       shown == 5 ? ", ..." : "");
}

static sp_status result_warnings(const sp_state *st, const sp_scenario *sc,
                                 const sp_compiled *c, sp_result *res,
                                 size_t coarse)
{
    const sp_model *m = &c->model;
    sp_status rc = SP_OK;
    uint64_t steps = st->draws * (uint64_t)m->n_steps;
    size_t ny = (size_t)m->n_steps + 1;
    for (size_t i = 0; i < m->n_indicators && rc == SP_OK; i++) {
        const char *name = c->names[i];
        if (res->clamps[i] > 0 && m->indicators[i].kind == SP_KIND_RATE)
            rc = add_warning(res,
                             "%s: the annual rate was clamped at %g in "
                             "%llu of %llu draw-years",
                             name, SP_RATE_FLOOR,
                             (unsigned long long)res->clamps[i],
                             (unsigned long long)steps);
        else if (res->clamps[i] > 0)
            rc = add_warning(res,
                             "%s: the share was clamped to [0, 1] in "
                             "%llu of %llu draw-years",
                             name, (unsigned long long)res->clamps[i],
                             (unsigned long long)steps);
        if (rc == SP_OK && res->nonfinite[i] > 0)
            rc = nonfinite_warning(st, sc, c, i, res, steps);
    }
    for (size_t k = 0; k < m->n_targets && rc == SP_OK; k++) {
        uint64_t n =
            sp_accum_count(st->acc, sp_q_target(ny, m->n_indicators, k));
        if (m->targets[k].n_all == 0 && n < st->draws)
            rc = add_warning(res,
                             "target %s: the measure was not finite in "
                             "%llu draws (counted as not met)",
                             sc->targets[k].id,
                             (unsigned long long)(st->draws - n));
    }
    if (rc == SP_OK && coarse > 0)
        rc = add_warning(res,
                         "%zu quantities have quantiles resolved more "
                         "coarsely than 0.1 %% of their 5-95 %% range",
                         coarse);
    return rc;
}

static int by_effect(const void *a, const void *b)
{
    const sp_driver *x = a, *y = b;
    double ex = fabs(x->effect), ey = fabs(y->effect);
    if (isnan(ex) || isnan(ey))
        return isnan(ex) - isnan(ey);
    if (ex != ey)
        return ex < ey ? 1 : -1;
    return (x->input > y->input) - (x->input < y->input);
}

/* The drivers of target k from the state's counts, largest effect first. */
static sp_status drivers_of(const sp_state *st, size_t k, sp_target_result *tr)
{
    size_t ni = st->n_inputs;
    tr->drivers = calloc(ni ? ni : 1, sizeof *tr->drivers);
    if (tr->drivers == NULL)
        return SP_ERR_NOMEM;
    tr->n_drivers = ni;
    for (size_t j = 0; j < ni; j++) {
        const uint64_t *c = st->drivers + (k * ni + j) * 4;
        sp_driver *d = &tr->drivers[j];
        d->input = j;
        d->n_low = c[0];
        d->n_high = c[2];
        d->p_low = c[0] ? (double)c[1] / (double)c[0] : (double)NAN;
        d->p_high = c[2] ? (double)c[3] / (double)c[2] : (double)NAN;
        d->effect = d->p_high - d->p_low;
    }
    qsort(tr->drivers, ni, sizeof *tr->drivers, by_effect);
    return SP_OK;
}

/* Leaves out of target k's drivers the inputs that act on no step of its
 * window (an indicator's innovations when the window is all observed
 * years): they are constant, so their counts say nothing. */
static void drop_idle_inputs(const sp_model *m, size_t k, sp_target_result *tr)
{
    size_t kept = 0;
    for (size_t i = 0; i < tr->n_drivers; i++) {
        int first, last;
        if (sp_model_input_window(m, k, tr->drivers[i].input, &first, &last))
            tr->drivers[kept++] = tr->drivers[i];
    }
    tr->n_drivers = kept;
}

/* True when the state has the shape of model m: its counts and sums can
 * be read with m's layout. */
static bool state_fits(const sp_state *st, const sp_model *m)
{
    size_t ny = (size_t)m->n_steps + 1;
    return st->n_targets == m->n_targets &&
           st->n_indicators == m->n_indicators &&
           st->n_inputs == sp_model_n_inputs(m) &&
           st->n_q == m->n_indicators * ny + m->n_targets;
}

sp_status sp_state_result(const sp_state *st, const sp_scenario *sc,
                          const sp_compiled *c, sp_result *res, sp_error *err)
{
    const sp_model *m = &c->model;
    size_t ni = m->n_indicators, nt = m->n_targets;
    size_t ny = (size_t)m->n_steps + 1;
    if (!state_fits(st, m))
        return sp_error_set(err, SP_ERR_USAGE, NULL, 0, NULL,
                            "the state's shape (%zu quantities, %zu targets, "
                            "%zu indicators, %zu inputs) is not its "
                            "scenario's",
                            st->n_q, st->n_targets, st->n_indicators,
                            st->n_inputs);
    if (st->first != 0 || sp_state_end(st) != st->n_blocks)
        return sp_error_set(err, SP_ERR_USAGE, NULL, 0, NULL,
                            "the state covers blocks %llu..%llu of %llu; all "
                            "are needed for a report",
                            (unsigned long long)st->first,
                            (unsigned long long)sp_state_end(st),
                            (unsigned long long)st->n_blocks);
    double *sums = calloc(st->n_q ? st->n_q : 1, sizeof *sums);
    res->draws = st->draws;
    res->replicates = st->replicates;
    res->pairs = st->pairs;
    res->n_targets = nt;
    res->n_indicators = ni;
    res->n_years = (int)ny;
    res->targets = calloc(nt ? nt : 1, sizeof *res->targets);
    res->indicators = calloc(ni * ny, sizeof *res->indicators);
    res->clamps = calloc(ni, sizeof *res->clamps);
    res->nonfinite = calloc(ni, sizeof *res->nonfinite);
    if (!sums || !res->targets || !res->indicators || !res->clamps ||
        !res->nonfinite) {
        free(sums);
        return sp_error_set(err, SP_ERR_NOMEM, NULL, 0, NULL,
                            "out of memory for the results");
    }
    sp_sumstack_total(&st->sums, sums);
    size_t coarse = 0;
    for (size_t i = 0; i < ni; i++)
        for (size_t t = 0; t < ny; t++)
            res->indicators[i * ny + t] =
                stats_of(st->acc, sums, sp_q_indicator(ny, i, t), &coarse);
    for (size_t k = 0; k < nt; k++) {
        sp_target_result *tr = &res->targets[k];
        tr->met = st->met[k];
        tr->draws = st->draws;
        tr->probability = (double)tr->met / (double)tr->draws;
        sp_state_interval(st, k, st->draws, &tr->ci_lo, &tr->ci_hi);
        if (m->targets[k].n_all == 0)
            tr->measure =
                stats_of(st->acc, sums, sp_q_target(ny, ni, k), &coarse);
        if (drivers_of(st, k, tr) != SP_OK) {
            free(sums);
            return sp_error_set(err, SP_ERR_NOMEM, NULL, 0, NULL,
                                "out of memory for the drivers");
        }
        drop_idle_inputs(m, k, tr);
    }
    memcpy(res->clamps, st->clamps, ni * sizeof *res->clamps);
    memcpy(res->nonfinite, st->nonfinite, ni * sizeof *res->nonfinite);
    free(sums);
    if (result_warnings(st, sc, c, res, coarse) != SP_OK)
        return sp_error_set(err, SP_ERR_NOMEM, NULL, 0, NULL,
                            "out of memory for the warnings");
    return SP_OK;
}

void sp_result_destroy(sp_result *res)
{
    for (size_t i = 0; i < res->n_warnings; i++)
        free(res->warnings[i]);
    free(res->warnings);
    for (size_t k = 0; res->targets && k < res->n_targets; k++) {
        free(res->targets[k].drivers);
        sp_prim_box_destroy(&res->targets[k].box);
    }
    free(res->targets);
    free(res->indicators);
    free(res->clamps);
    free(res->nonfinite);
    memset(res, 0, sizeof *res);
}
