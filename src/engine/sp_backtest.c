/*
 * sp_backtest: re-anchored projections of a scenario and their scores.
 */
#include "sp_backtest.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sp_compile.h"
#include "sp_mc.h"
#include "sp_score.h"

/* One (region, origin) pair, its scored values and its scored targets. */
typedef struct {
    const char *region;
    int origin;
    size_t first, n;     /* its scores: out->scores[first .. first + n) */
    size_t first_t, n_t; /* its targets: out->target_scores[first_t ..) */
} bt_case;

/* What every run of the cases shares. */
typedef struct {
    const sp_scenario *sc;
    const sp_data *d;
    const sp_backtest_options *o;
    const bt_case *cases;
    size_t n_cases;
} bt_run;

double sp_bt_coverage(size_t inside, size_t n)
{
    return n ? (double)inside / (double)n : (double)NAN;
}

double sp_bt_coverage_se(double p, size_t n)
{
    return n ? sqrt(p * (1.0 - p) / (double)n) : (double)NAN;
}

/* The current figure of (region, indicator, measure, year): a revision
 * (any vintage but "first") is preferred to a first release; NULL if
 * there is none. */
static const sp_data_row *pick(const sp_data *d, const char *region,
                               const char *indicator, sp_data_measure measure,
                               int year)
{
    const sp_data_row *best = NULL;
    for (size_t i = 0; i < d->n_rows; i++) {
        const sp_data_row *r = &d->rows[i];
        if (r->year != year || r->measure != measure ||
            strcmp(r->region, region) != 0 ||
            strcmp(r->indicator, indicator) != 0)
            continue;
        if (best == NULL || strcmp(best->vintage, "first") == 0)
            best = r;
    }
    return best;
}

/* The measure a stochastic indicator is scored in. */
static sp_data_measure scored_measure(const sp_indicator_spec *s)
{
    return s->kind == SP_KIND_RATE ? SP_DATA_GROWTH : SP_DATA_LEVEL;
}

/* Whether the data row `r` of a share has the basis of its base row. */
static bool same_basis(const sp_data_row *r, const sp_data_row *base)
{
    return base != NULL && strcmp(r->basis, base->basis) == 0;
}

/* The level row that anchors share `name` of `region` in `year`: its
 * current figure when it is a fraction in [0, 1], else NULL (the share is
 * then neither anchored nor scored). */
static const sp_data_row *share_base(const sp_data *d, const char *region,
                                     const char *name, int year)
{
    const sp_data_row *r = pick(d, region, name, SP_DATA_LEVEL, year);
    return r != NULL && r->value >= 0.0 && r->value <= 1.0 ? r : NULL;
}

/* The level of share `name` of `region` in `year` when its current
 * figure is a fraction of the basis of `base`, else NULL. */
static const sp_data_row *share_level(const sp_data *d, const char *region,
                                      const char *name, int year,
                                      const sp_data_row *base)
{
    const sp_data_row *r = pick(d, region, name, SP_DATA_LEVEL, year);
    return r != NULL && same_basis(r, base) && r->value >= 0.0 &&
                   r->value <= 1.0
               ? r
               : NULL;
}

/* ---- the re-anchored scenario ------------------------------------------ */

/* A shallow copy of the scenario with its own indicators, paths, events,
 * targets and observations; strings are borrowed. */
typedef struct {
    sp_scenario sc;
    sp_observed_spec *obs;
} bt_spec;

static void spec_free(bt_spec *s)
{
    free(s->sc.events);
    free(s->sc.targets);
    free(s->obs);
    sp_scenario_free_indicators(&s->sc);
    memset(s, 0, sizeof *s);
}

/* The scenario's targets of the case's scored targets ts[0..n), at their
 * re-anchored years, in that order, into s (which owns the array). */
static sp_status spec_targets(const sp_scenario *sc,
                              const sp_bt_target_score *ts, size_t n,
                              sp_scenario *s)
{
    s->n_targets = 0;
    s->targets = calloc(n ? n : 1, sizeof *s->targets);
    if (s->targets == NULL)
        return SP_ERR_NOMEM;
    for (size_t j = 0; j < n; j++) {
        sp_target_spec t = sc->targets[ts[j].target];
        t.from = ts[j].from;
        t.to = ts[j].to;
        if (sp_measure_info_of(t.measure)->n_years == 1)
            t.year = t.to;
        s->targets[s->n_targets++] = t;
    }
    return SP_OK;
}

/* Builds the scenario of case (region, T): base year T - L, horizon T + H,
 * years shifted, the innovation sds and trend_sd of indicator i times
 * f[i], the region's data up to T observed (see sp_backtest.h), and the
 * targets ts[0..n_ts) at their re-anchored years. */
static sp_status spec_build(const sp_scenario *sc, const sp_data *d,
                            const char *region, int T, int L, int H,
                            const double *f, const sp_bt_target_score *ts,
                            size_t n_ts, bt_spec *out)
{
    memset(out, 0, sizeof *out);
    sp_scenario *s = &out->sc;
    if (sp_scenario_copy_indicators(sc, s) != SP_OK)
        return SP_ERR_NOMEM;
    s->base_year = T - L;
    s->horizon = T + H;
    s->n_targets = 0;
    s->targets = NULL;
    int shift = s->base_year - sc->base_year;
    s->events = calloc(sc->n_events ? sc->n_events : 1, sizeof *s->events);
    out->obs = calloc((size_t)L * sc->n_indicators + 1, sizeof *out->obs);
    if (!s->events || !out->obs)
        return SP_ERR_NOMEM;
    if (spec_targets(sc, ts, n_ts, s) != SP_OK)
        return SP_ERR_NOMEM;
    s->observed = out->obs;
    s->n_observed = 0;
    for (size_t i = 0; i < sc->n_indicators; i++) {
        const sp_indicator_spec *a = &sc->indicators[i];
        sp_indicator_spec *b = &s->indicators[i]; /* its own path, a copy */
        b->n_path = 0;
        for (size_t k = 0; k < a->n_path; k++) {
            sp_period_spec p = a->path[k];
            p.from += shift;
            p.to += shift;
            p.sd *= f[i];
            if (p.from > s->horizon)
                continue;
            if (p.to > s->horizon)
                p.to = s->horizon;
            b->path[b->n_path++] = p;
        }
        b->trend_sd *= f[i];
        if (a->kind == SP_KIND_DERIVED)
            continue;
        if (a->kind == SP_KIND_RATE) {
            b->base = 1.0;
            double level = 1.0;
            for (int y = s->base_year + 1; y <= T; y++) {
                const sp_data_row *r =
                    pick(d, region, a->name, SP_DATA_GROWTH, y);
                if (r == NULL)
                    break;
                level *= 1.0 + r->value;
                out->obs[s->n_observed++] =
                    (sp_observed_spec){a->name, y, level, 0};
            }
            continue;
        }
        const sp_data_row *base = share_base(d, region, a->name, s->base_year);
        if (base == NULL)
            continue; /* not anchored: not scored (see the top) */
        b->base = base->value;
        for (int y = s->base_year + 1; y <= T; y++) {
            const sp_data_row *r = share_level(d, region, a->name, y, base);
            if (r != NULL)
                out->obs[s->n_observed++] =
                    (sp_observed_spec){a->name, y, r->value, 0};
        }
    }
    for (size_t e = 0; e < sc->n_events; e++) {
        s->events[e] = sc->events[e];
        s->events[e].from += shift;
        s->events[e].to += shift;
        if (s->events[e].to > s->horizon)
            s->events[e].to = s->horizon;
        if (s->events[e].from > s->horizon)
            s->events[e].probability = 0.0;
        if (s->events[e].from > s->events[e].to)
            s->events[e].from = s->events[e].to;
    }
    return SP_OK;
}

/* ---- enumerating the cases --------------------------------------------- */

/* Appends the scored values of case (region, T) to out->scores (growing
 * it); returns the number added. */
static size_t case_scores(const sp_scenario *sc, const sp_data *d,
                          const sp_backtest_options *o, const char *region,
                          int T, sp_backtest *out, size_t *cap, bool *nomem)
{
    size_t added = 0;
    for (size_t i = 0; i < sc->n_indicators; i++) {
        const sp_indicator_spec *s = &sc->indicators[i];
        if (s->kind == SP_KIND_DERIVED)
            continue;
        const sp_data_row *base = NULL;
        if (s->kind == SP_KIND_SHARE) {
            base = share_base(d, region, s->name, T - o->history);
            if (base == NULL)
                continue;
        }
        for (int y = T + 1; y <= T + o->horizon; y++) {
            const sp_data_row *r =
                pick(d, region, s->name, scored_measure(s), y);
            if (r == NULL || (base != NULL && !same_basis(r, base)))
                continue;
            if (out->n_scores == *cap) {
                size_t n = *cap ? 2 * *cap : 256;
                sp_bt_score *g = realloc(out->scores, n * sizeof *g);
                if (g == NULL) {
                    *nomem = true;
                    return added;
                }
                out->scores = g;
                *cap = n;
            }
            out->scores[out->n_scores++] = (sp_bt_score){.region = region,
                                                         .origin = T,
                                                         .year = y,
                                                         .indicator = i,
                                                         .measure = r->measure,
                                                         .value = r->value,
                                                         .line = r->line};
            added++;
        }
    }
    return added;
}

/* The realised measure of target t of indicator s over from..to for
 * `region`, the re-anchored base year being `base_year`: false when the
 * data do not give it. A rate is the index of the data's growth rows,
 * each year from + 1 .. to present; only change and cagr are scored, as
 * a level or a delta is in the scenario's units, not the index's. A share
 * takes its level rows in from and to (one row for a level), of the basis of its base row in
 * base_year (without which it is not anchored). */
static bool realised(const sp_data *d, const char *region,
                     const sp_indicator_spec *s, const sp_target_spec *t,
                     int base_year, int from, int to, double *value)
{
    if (s->kind == SP_KIND_RATE) {
        if (t->measure != SP_MEASURE_CHANGE && t->measure != SP_MEASURE_CAGR)
            return false;
        double x = 1.0;
        for (int y = from + 1; y <= to; y++) {
            const sp_data_row *r = pick(d, region, s->name, SP_DATA_GROWTH, y);
            if (r == NULL)
                return false;
            x *= 1.0 + r->value;
        }
        *value = sp_measure_eval(t->measure, 1.0, x, to - from);
        return true;
    }
    const sp_data_row *base = share_base(d, region, s->name, base_year);
    const sp_data_row *a = share_level(d, region, s->name, from, base);
    const sp_data_row *b = share_level(d, region, s->name, to, base);
    if (base == NULL || a == NULL || b == NULL)
        return false;
    *value = sp_measure_eval(t->measure, a->value, b->value, to - from);
    return true;
}

/* Appends the scored targets of case (region, T) to out->target_scores
 * (growing it), their probabilities still to come; returns the number
 * added. Joint targets and targets on derived indicators are not scored,
 * nor a target whose window, moved by T - base_year, starts before T - L
 * or does not end in T + 1 .. T + H. */
static size_t case_targets(const sp_scenario *sc, const sp_data *d,
                           const sp_backtest_options *o, const char *region,
                           int T, sp_backtest *out, size_t *cap, bool *nomem)
{
    size_t added = 0;
    int shift = T - sc->base_year, first = T - o->history;
    for (size_t k = 0; k < sc->n_targets; k++) {
        const sp_target_spec *t = &sc->targets[k];
        if (t->n_all > 0)
            continue;
        long i = sp_scenario_find_indicator(sc, t->indicator);
        if (i < 0 || sc->indicators[i].kind == SP_KIND_DERIVED)
            continue;
        int from = t->from + shift, to = t->to + shift;
        double value;
        if (from < first || to <= T || to > T + o->horizon ||
            !realised(d, region, &sc->indicators[i], t, first, from, to,
                      &value))
            continue;
        if (out->n_target_scores == *cap) {
            size_t n = *cap ? 2 * *cap : 64;
            sp_bt_target_score *g = realloc(out->target_scores, n * sizeof *g);
            if (g == NULL) {
                *nomem = true;
                return added;
            }
            out->target_scores = g;
            *cap = n;
        }
        out->target_scores[out->n_target_scores++] = (sp_bt_target_score){
            .region = region,
            .origin = T,
            .target = k,
            .from = from,
            .to = to,
            .value = value,
            .p = (double)NAN,
            .met = sp_op_holds(t->op, value, t->value, t->lo, t->hi)};
        added++;
    }
    return added;
}

/* Whether the data has a row of region `region` for a stochastic
 * indicator of the scenario. */
static bool region_has_data(const sp_scenario *sc, const sp_data *d,
                            const char *region, int up_to)
{
    for (size_t k = 0; k < d->n_rows; k++) {
        const sp_data_row *r = &d->rows[k];
        if (strcmp(r->region, region) != 0 || (up_to && r->year > up_to))
            continue;
        long i = sp_scenario_find_indicator(sc, r->indicator);
        if (i >= 0 && sc->indicators[i].kind != SP_KIND_DERIVED)
            return true;
    }
    return false;
}

/* The regions to score, in order of first appearance in the data. */
static sp_status regions_of(const sp_scenario *sc, const sp_data *d,
                            const sp_backtest_options *o, const char ***out,
                            size_t *n_out, sp_error *err)
{
    const char **list = calloc(d->n_rows + o->n_regions + 1, sizeof *list);
    if (list == NULL)
        return sp_error_set(err, SP_ERR_NOMEM, NULL, 0, NULL,
                            "out of memory for the regions");
    size_t n = 0;
    if (o->regions != NULL) {
        for (size_t k = 0; k < o->n_regions; k++) {
            if (!region_has_data(sc, d, o->regions[k], 0)) {
                free(list);
                return sp_error_set(err, SP_ERR_REFERENCE, d->file, 0,
                                    "--region",
                                    "no rows of region '%s' for an "
                                    "indicator of the scenario",
                                    o->regions[k]);
            }
            list[n++] = o->regions[k];
        }
    } else {
        for (size_t k = 0; k < d->n_rows; k++) {
            const char *r = d->rows[k].region;
            bool seen = false;
            for (size_t j = 0; j < n && !seen; j++)
                seen = strcmp(list[j], r) == 0;
            if (!seen && region_has_data(sc, d, r, 0))
                list[n++] = r;
        }
    }
    *out = list;
    *n_out = n;
    return SP_OK;
}

/* ---- simulating a case ------------------------------------------------- */

/* A case's draws being gathered by sp_mc_replay's batch function: the
 * projected value of each scored value into its row of x, and the met
 * draws of each target into met. */
typedef struct {
    const sp_bt_score *sc_out;
    size_t n_sc, n_t, n; /* scored values, targets, draws */
    int base;
    double *x;
    uint64_t *met;
} case_draws;

static void gather(const sp_model_ws *ws, size_t first, size_t b, void *ctx)
{
    case_draws *c = ctx;
    for (size_t j = 0; j < c->n_sc; j++) {
        const sp_bt_score *s = &c->sc_out[j];
        size_t t = (size_t)(s->year - c->base);
        const double *now = sp_model_row(ws, s->indicator, t);
        const double *before = sp_model_row(ws, s->indicator, t - 1);
        double *dst = c->x + j * c->n + first;
        for (size_t k = 0; k < b; k++)
            dst[k] = s->measure == SP_DATA_GROWTH ? now[k] / before[k] - 1.0
                                                  : now[k];
    }
    sp_mc_count_met(ws, c->n_t, b, c->met);
}

/* Draws the first n draws of the compiled case m into x (one row of n per
 * scored value of sc_out[0..n_sc)) and counts the draws meeting each of
 * its n_t targets into met. */
static sp_status draw_case(const sp_model *m, const sp_backtest_options *o,
                           size_t n, int base, const sp_bt_score *sc_out,
                           size_t n_sc, size_t n_t, double *x, uint64_t *met,
                           sp_error *err)
{
    case_draws c = {sc_out, n_sc, n_t, n, base, x, met};
    sp_status st = sp_mc_replay(m, o->seed, o->rng, n, gather, &c, err);
    if (st != SP_OK)
        sp_error_set(err, st, NULL, 0, NULL,
                     "out of memory for a back-test case");
    return st;
}

/* Scores the values sc_out[0..n) from their draws x (n rows of `draws`). */
static void score_values(sp_bt_score *sc_out, size_t n_sc, double *x, size_t n)
{
    for (size_t j = 0; j < n_sc; j++) {
        sp_bt_score *s = &sc_out[j];
        double *v = x + j * n;
        sp_score_sort(v, n);
        s->pit = sp_score_pit(v, n, s->value);
        s->crps = sp_score_crps_sample(v, n, s->value);
        s->in50 = sp_score_covered(s->pit, 0.5);
        s->in90 = sp_score_covered(s->pit, 0.9);
        s->p05 = sp_score_quantile(v, n, 0.05);
        s->p25 = sp_score_quantile(v, n, 0.25);
        s->p50 = sp_score_quantile(v, n, 0.5);
        s->p75 = sp_score_quantile(v, n, 0.75);
        s->p95 = sp_score_quantile(v, n, 0.95);
    }
}

/* Projects case c with the factors f (one per indicator) on its first n
 * draws and scores its values into sc_out (the case's slice of a scores
 * array) and, unless ts_out is NULL, the probabilities of its targets into
 * ts_out (its slice of out->target_scores). A run of the sd-factor search
 * (`search`) sets only each score's pit and in90. `x` has room for c->n
 * rows of n draws. */
static sp_status run_case(const bt_run *r, const bt_case *c, const double *f,
                          size_t n, bool search, sp_bt_score *sc_out,
                          sp_bt_target_score *ts_out, double *x, sp_error *err)
{
    const sp_backtest_options *o = r->o;
    size_t n_t = ts_out ? c->n_t : 0;
    bt_spec spec;
    sp_status st = spec_build(r->sc, r->d, c->region, c->origin, o->history,
                              o->horizon, f, ts_out, n_t, &spec);
    uint64_t *met = calloc(n_t ? n_t : 1, sizeof *met);
    if (st != SP_OK || met == NULL) {
        spec_free(&spec);
        free(met);
        return sp_error_set(err, SP_ERR_NOMEM, NULL, 0, NULL,
                            "out of memory for a back-test case");
    }
    sp_compiled comp = {0};
    st = sp_compile(&spec.sc, &comp, err);
    if (st != SP_OK) {
        sp_error e = *err;
        spec_free(&spec);
        free(met);
        return sp_error_set(err, st, e.file, e.line, e.field,
                            "re-anchored at origin %d for region %s: %s",
                            c->origin, c->region, e.message);
    }
    st = draw_case(&comp.model, o, n, spec.sc.base_year, sc_out, c->n, n_t, x,
                   met, err);
    if (st == SP_OK && search) {
        /* A run of the sd-factor search: it needs only each value's 90 %
         * coverage, from its PIT by counting (no sort). */
        for (size_t j = 0; j < c->n; j++) {
            sc_out[j].pit =
                sp_score_pit_unsorted(x + j * n, n, sc_out[j].value);
            sc_out[j].in90 = sp_score_covered(sc_out[j].pit, 0.9);
        }
    } else if (st == SP_OK) {
        score_values(sc_out, c->n, x, n);
        for (size_t j = 0; j < n_t; j++)
            ts_out[j].p = (double)met[j] / (double)n;
    }
    free(met);
    sp_compiled_destroy(&comp);
    spec_free(&spec);
    return st;
}

/* Runs every case with the factors f on its first n draws into `scores`
 * (a copy of the layout of out->scores) and, unless `targets` is NULL, the
 * target probabilities into `targets` (out->target_scores); `search` as in
 * run_case. */
static sp_status run_all(const bt_run *r, const double *f, size_t n,
                         bool search, sp_bt_score *scores,
                         sp_bt_target_score *targets, sp_error *err)
{
    sp_status st = SP_OK;
    size_t most = 0;
    for (size_t k = 0; k < r->n_cases; k++)
        most = r->cases[k].n > most ? r->cases[k].n : most;
    int threads = r->o->threads > 0 ? r->o->threads : 1;
#pragma omp parallel num_threads(threads)
    {
        double *x = malloc((most ? most : 1) * n * sizeof *x);
        sp_error e;
        sp_error_clear(&e);
        sp_status mine = x ? SP_OK : SP_ERR_NOMEM;
        if (mine != SP_OK)
            sp_error_set(&e, mine, NULL, 0, NULL,
                         "out of memory for the back-test draws");
#pragma omp for schedule(dynamic, 1)
        for (size_t k = 0; k < r->n_cases; k++) {
            const bt_case *c = &r->cases[k];
            if (mine == SP_OK)
                mine = run_case(r, c, f, n, search, scores + c->first,
                                targets ? targets + c->first_t : NULL, x, &e);
        }
#pragma omp critical
        if (mine != SP_OK && st == SP_OK) {
            st = mine;
            *err = e;
        }
        free(x);
    }
    return st;
}

/* ---- tallies ------------------------------------------------------------ */

static void tally_add(sp_bt_tally *t, const sp_bt_score *s)
{
    t->n++;
    t->in50 += s->in50;
    t->in90 += s->in90;
    int bin = (int)(s->pit * SP_BT_PIT_BINS);
    t->pit[bin < 0 ? 0 : bin >= SP_BT_PIT_BINS ? SP_BT_PIT_BINS - 1 : bin]++;
    t->crps_sum += s->crps;
}

/* The Brier score and reliability table of the scored targets ts[0..n)
 * of target `only` (SIZE_MAX: of every target) into out; p and o are
 * scratch for n. */
static void target_tally(const sp_bt_target_score *ts, size_t n, size_t only,
                         double *p, unsigned char *o, sp_bt_target_tally *out)
{
    size_t m = 0;
    for (size_t k = 0; k < n; k++) {
        if (only != SIZE_MAX && ts[k].target != only)
            continue;
        p[m] = ts[k].p;
        o[m] = ts[k].met;
        m++;
    }
    sp_score_brier(p, o, m, &out->brier);
    sp_score_reliability(p, o, m, SP_BT_RELIABILITY_BINS, out->reliability);
}

/* Tallies out->target_scores pooled and by target. */
static sp_status target_tallies(sp_backtest *out, size_t n_targets)
{
    size_t n = out->n_target_scores;
    double *p = malloc((n ? n : 1) * sizeof *p);
    unsigned char *o = malloc(n ? n : 1);
    out->n_targets = n_targets;
    out->by_target = calloc(n_targets ? n_targets : 1, sizeof *out->by_target);
    sp_status st = p && o && out->by_target ? SP_OK : SP_ERR_NOMEM;
    if (st == SP_OK) {
        target_tally(out->target_scores, n, SIZE_MAX, p, o, &out->targets);
        for (size_t k = 0; k < n_targets; k++)
            target_tally(out->target_scores, n, k, p, o, &out->by_target[k]);
    }
    free(p);
    free(o);
    return st;
}

/* ---- the sd factors ----------------------------------------------------- */

/* The scratch of the search. */
typedef struct {
    size_t ni;        /* indicators */
    double *f;        /* [ni] the factors of a run */
    double *lo, *hi;  /* [ni] log f brackets of the indicators' own search */
    double *step;     /* [ni] next step up of log f, checking on all draws */
    double *end;      /* [ni] the factor of an indicator not searched */
    double *cov;      /* [ni] 90 % coverages of the last run (NaN: none) */
    size_t *count;    /* [2 ni] values and values inside, by indicator */
    bool *active;     /* [ni] searched on its own coverage */
    sp_bt_score *tmp; /* [n_scores] the scores of a run */
    double pooled;    /* pooled 90 % coverage of the last run */
    size_t draws;     /* each case's first draws that the search runs use */
} bt_search;

static void search_free(bt_search *s)
{
    free(s->f);
    free(s->lo);
    free(s->hi);
    free(s->step);
    free(s->end);
    free(s->cov);
    free(s->count);
    free(s->active);
    free(s->tmp);
}

static bool search_alloc(bt_search *s, size_t ni, const sp_backtest *out)
{
    memset(s, 0, sizeof *s);
    s->ni = ni;
    s->f = calloc(ni, sizeof *s->f);
    s->lo = calloc(ni, sizeof *s->lo);
    s->hi = calloc(ni, sizeof *s->hi);
    s->step = calloc(ni, sizeof *s->step);
    s->end = calloc(ni, sizeof *s->end);
    s->cov = calloc(ni, sizeof *s->cov);
    s->count = calloc(2 * ni, sizeof *s->count);
    s->active = calloc(ni, sizeof *s->active);
    s->tmp = malloc(out->n_scores * sizeof *s->tmp);
    if (!s->f || !s->lo || !s->hi || !s->step || !s->end || !s->cov ||
        !s->count || !s->active || !s->tmp)
        return false;
    memcpy(s->tmp, out->scores, out->n_scores * sizeof *s->tmp);
    return true;
}

/* Runs every case with the factors s->f on its first `draws` draws and
 * sets s->pooled and s->cov. */
static sp_status search_run(const bt_run *r, const sp_backtest *out,
                            bt_search *s, size_t draws, sp_error *err)
{
    sp_status st = run_all(r, s->f, draws, true, s->tmp, NULL, err);
    size_t *n = s->count, *in = s->count + s->ni, inside = 0;
    memset(s->count, 0, 2 * s->ni * sizeof *s->count);
    for (size_t k = 0; k < out->n_scores; k++) {
        n[s->tmp[k].indicator]++;
        in[s->tmp[k].indicator] += s->tmp[k].in90;
        inside += s->tmp[k].in90;
    }
    s->pooled = sp_bt_coverage(inside, out->n_scores);
    for (size_t i = 0; i < s->ni; i++)
        s->cov[i] = sp_bt_coverage(in[i], n[i]);
    return st;
}

/* Bisection steps on log f from [log 1/8, log 8] until the bracket is
 * at most 1 % wide (4.16 / 2^9 < log 1.01): the factor's own sampling
 * error on real data is several times that. */
#define FACTOR_STEPS 9

static void fill(double *f, size_t n, double v)
{
    for (size_t i = 0; i < n; i++)
        f[i] = v;
}

/* The width of the last bisection step, in log f. */
#define FACTOR_WIDTH (log(64.0) / (1 << FACTOR_STEPS))

/* Where the search ran on fewer draws than the back-test, a factor found
 * is checked on all draws: while its coverage there is below 0.9 it is
 * stepped up, by FACTOR_WIDTH and then twice the last step, to at most
 * log 8 (doc/model.md §15.3). One step of the log factor *lf with its last
 * step *w; false when it is already at log 8. */
static bool step_up(double *lf, double *w)
{
    if (*lf >= log(8.0))
        return false;
    *lf = fmin(*lf + *w, log(8.0));
    *w *= 2.0;
    return true;
}

/* The common factor, by bisection on log f in (log 1/8, log 8), whose
 * ends the caller has checked to bracket pooled coverage 0.9, then
 * checked on all draws. */
static sp_status common_factor(const bt_run *r, sp_backtest *out, bt_search *s,
                               sp_error *err)
{
    double lo = log(0.125), hi = log(8.0);
    sp_status st = SP_OK;
    for (int it = 0; st == SP_OK && it < FACTOR_STEPS; it++) {
        double mid = 0.5 * (lo + hi);
        fill(s->f, s->ni, exp(mid));
        st = search_run(r, out, s, s->draws, err);
        if (s->pooled >= 0.9)
            hi = mid;
        else
            lo = mid;
    }
    size_t all = (size_t)r->o->draws;
    bool reached = true;
    if (st == SP_OK && s->draws < all) {
        double w = FACTOR_WIDTH;
        do {
            fill(s->f, s->ni, exp(hi));
            st = search_run(r, out, s, all, err);
            reached = s->pooled >= 0.9;
        } while (st == SP_OK && !reached && step_up(&hi, &w));
        if (!reached)
            out->coverage90_hi = s->pooled;
    }
    out->sd_factor = exp(hi);
    out->sd_factor_found = st == SP_OK && reached;
    return st;
}

/* The factors of the indicators whose own coverage the ends bracket,
 * all at once: each run gives each such indicator the midpoint of its own
 * bracket (the others their ends) and each bracket moves on its own
 * indicator's coverage. Then one run at the factors found gives each
 * indicator's coverage there. */
static sp_status own_factors(const bt_run *r, sp_backtest *out, bt_search *s,
                             sp_error *err)
{
    size_t ni = s->ni, searched = 0;
    for (size_t i = 0; i < ni; i++) {
        sp_bt_sd_factor *g = &out->sd_factors[i];
        bool scored = out->by_indicator[i].n > 0;
        s->active[i] =
            scored && g->coverage90_lo < 0.9 && g->coverage90_hi >= 0.9;
        s->end[i] = !scored ? 1.0 : g->coverage90_lo >= 0.9 ? 0.125 : 8.0;
        s->lo[i] = log(0.125);
        s->hi[i] = log(8.0);
        g->coverage90 = (double)NAN;
        searched += s->active[i];
    }
    sp_status st = SP_OK;
    for (int it = 0; searched && st == SP_OK && it < FACTOR_STEPS; it++) {
        for (size_t i = 0; i < ni; i++)
            s->f[i] =
                s->active[i] ? exp(0.5 * (s->lo[i] + s->hi[i])) : s->end[i];
        st = search_run(r, out, s, s->draws, err);
        for (size_t i = 0; i < ni; i++) {
            if (!s->active[i])
                continue;
            double mid = 0.5 * (s->lo[i] + s->hi[i]);
            if (s->cov[i] >= 0.9)
                s->hi[i] = mid;
            else
                s->lo[i] = mid;
        }
    }
    if (!searched || st != SP_OK)
        return st;
    /* The run on all draws at the factors found; where the search ran on
     * fewer, each factor whose coverage there is below 0.9 steps up as
     * the common one does, all in the same runs. */
    bool checked = s->draws < (size_t)r->o->draws, more = true;
    for (size_t i = 0; i < ni; i++)
        s->step[i] = FACTOR_WIDTH;
    while (st == SP_OK && more) {
        for (size_t i = 0; i < ni; i++)
            s->f[i] = s->active[i] ? exp(s->hi[i]) : s->end[i];
        st = search_run(r, out, s, (size_t)r->o->draws, err);
        more = false;
        for (size_t i = 0; st == SP_OK && checked && i < ni; i++)
            if (s->active[i] && s->cov[i] < 0.9)
                more = step_up(&s->hi[i], &s->step[i]) || more;
    }
    for (size_t i = 0; st == SP_OK && i < ni; i++) {
        sp_bt_sd_factor *g = &out->sd_factors[i];
        /* checked on all draws, one still below 0.9 is at 8 */
        g->found = s->active[i] && (!checked || s->cov[i] >= 0.9);
        g->factor = g->found ? s->f[i] : (double)NAN;
        g->coverage90 = s->cov[i];
        if (s->active[i] && !g->found)
            g->coverage90_hi = s->cov[i];
    }
    return st;
}

/* The common sd factor (pooled coverage) and every scored indicator's own
 * (its coverage), each in [1/8, 8] where 90 % coverage reaches 0.9, by
 * bisection on log f (coverage rises with f). The runs at 1/8 and 8 are
 * shared. */
static sp_status find_sd_factors(const bt_run *r, sp_backtest *out,
                                 sp_error *err)
{
    size_t ni = r->sc->n_indicators;
    bt_search s;
    bool ok = search_alloc(&s, ni, out);
    out->sd_factors = calloc(ni ? ni : 1, sizeof *out->sd_factors);
    if (!ok || out->sd_factors == NULL) {
        search_free(&s);
        return sp_error_set(err, SP_ERR_NOMEM, NULL, 0, NULL,
                            "out of memory for the sd factor");
    }
    const sp_backtest_options *o = r->o;
    s.draws =
        (size_t)(o->search_draws && o->search_draws < o->draws ? o->search_draws
                                                               : o->draws);
    out->search_draws = s.draws;
    fill(s.f, ni, 0.125);
    sp_status st = search_run(r, out, &s, s.draws, err);
    out->coverage90_lo = s.pooled;
    for (size_t i = 0; i < ni; i++)
        out->sd_factors[i].coverage90_lo = s.cov[i];
    fill(s.f, ni, 8.0);
    if (st == SP_OK)
        st = search_run(r, out, &s, s.draws, err);
    out->coverage90_hi = s.pooled;
    for (size_t i = 0; i < ni; i++)
        out->sd_factors[i].coverage90_hi = s.cov[i];
    if (st == SP_OK && out->coverage90_lo < 0.9 && out->coverage90_hi >= 0.9)
        st = common_factor(r, out, &s, err);
    if (st == SP_OK)
        st = own_factors(r, out, &s, err);
    search_free(&s);
    return st;
}

sp_status sp_backtest_run(const sp_scenario *sc, const sp_data *d,
                          const sp_backtest_options *o, sp_backtest *out,
                          sp_error *err)
{
    memset(out, 0, sizeof *out);
    int span = sc->horizon - sc->base_year;
    if (o->horizon < 1 || o->history < 1 || o->horizon + o->history > span)
        return sp_error_set(
            err, SP_ERR_USAGE, NULL, 0, "--horizon",
            "--horizon %d with --history %d needs %d projected years, and "
            "the scenario has %d (%d-%d); both must be at least 1",
            o->horizon, o->history, o->horizon + o->history, span,
            sc->base_year, sc->horizon);
    if (o->step < 1 || o->from > o->to)
        return sp_error_set(err, SP_ERR_USAGE, NULL, 0, "--origins",
                            "the origins %d:%d:%d are empty", o->from, o->to,
                            o->step);
    const char **regions = NULL;
    size_t n_regions = 0;
    sp_status st = regions_of(sc, d, o, &regions, &n_regions, err);
    if (st != SP_OK)
        return st;
    if (n_regions == 0) {
        free(regions);
        return sp_error_set(err, SP_ERR_RANGE, d->file, 0, NULL,
                            "no rows for a rate or share indicator of the "
                            "scenario: the data's indicator names must be "
                            "the scenario's");
    }
    bool any_history = false;
    for (size_t r = 0; r < n_regions; r++)
        any_history = any_history || region_has_data(sc, d, regions[r], o->to);
    if (!any_history) {
        free(regions);
        return sp_error_set(err, SP_ERR_RANGE, d->file, 0, "--origins",
                            "no region has data up to %d, the last origin: "
                            "nothing is known at the origins",
                            o->to);
    }
    size_t n_origins = (size_t)((o->to - o->from) / o->step + 1);
    bt_case *cases = calloc(n_regions * n_origins + 1, sizeof *cases);
    size_t n_cases = 0, cap = 0, cap_t = 0;
    bool nomem = cases == NULL;
    for (size_t r = 0; !nomem && r < n_regions; r++) {
        bool scored = false;
        for (int T = o->from; !nomem && T <= o->to; T += o->step) {
            size_t first = out->n_scores, first_t = out->n_target_scores;
            size_t n = case_scores(sc, d, o, regions[r], T, out, &cap, &nomem);
            size_t n_t = nomem ? 0
                               : case_targets(sc, d, o, regions[r], T, out,
                                              &cap_t, &nomem);
            if (n > 0 || n_t > 0)
                cases[n_cases++] =
                    (bt_case){regions[r], T, first, n, first_t, n_t};
            scored = scored || n > 0;
        }
        out->n_regions += scored;
    }
    free(regions);
    if (nomem) {
        free(cases);
        sp_backtest_destroy(out);
        return sp_error_set(err, SP_ERR_NOMEM, NULL, 0, NULL,
                            "out of memory for the back-test");
    }
    if (n_cases == 0) {
        free(cases);
        sp_backtest_destroy(out);
        return sp_error_set(err, SP_ERR_RANGE, d->file, 0, "--origins",
                            "nothing to score: no data row of a stochastic "
                            "indicator in the %d years after any origin "
                            "%d..%d",
                            o->horizon, o->from, o->to);
    }
    out->n_cases = n_cases;
    bt_run run = {sc, d, o, cases, n_cases};
    double *ones =
        malloc((sc->n_indicators ? sc->n_indicators : 1) * sizeof *ones);
    out->n_indicators = sc->n_indicators;
    out->horizon = o->horizon;
    out->by_indicator = calloc(sc->n_indicators, sizeof *out->by_indicator);
    out->by_horizon = calloc((size_t)o->horizon, sizeof *out->by_horizon);
    if (!ones || !out->by_indicator || !out->by_horizon)
        st = sp_error_set(err, SP_ERR_NOMEM, NULL, 0, NULL,
                          "out of memory for the back-test");
    if (st == SP_OK) {
        fill(ones, sc->n_indicators, 1.0);
        st = run_all(&run, ones, (size_t)o->draws, false, out->scores,
                     out->target_scores, err);
    }
    free(ones);
    for (size_t k = 0; st == SP_OK && k < out->n_scores; k++) {
        const sp_bt_score *s = &out->scores[k];
        tally_add(&out->pooled, s);
        tally_add(&out->by_indicator[s->indicator], s);
        tally_add(&out->by_horizon[s->year - s->origin - 1], s);
    }
    if (st == SP_OK && target_tallies(out, sc->n_targets) != SP_OK)
        st = sp_error_set(err, SP_ERR_NOMEM, NULL, 0, NULL,
                          "out of memory for the back-test");
    if (st == SP_OK && o->sd_factor)
        st = find_sd_factors(&run, out, err);
    free(cases);
    if (st != SP_OK)
        sp_backtest_destroy(out);
    return st;
}

void sp_backtest_destroy(sp_backtest *b)
{
    free(b->scores);
    free(b->sd_factors);
    free(b->target_scores);
    free(b->by_target);
    free(b->by_indicator);
    free(b->by_horizon);
    memset(b, 0, sizeof *b);
}
