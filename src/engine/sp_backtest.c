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
#include "sp_rng.h"
#include "sp_score.h"

/* One (region, origin) pair and its scored values. */
typedef struct {
    const char *region;
    int origin;
    size_t first, n; /* its scores: out->scores[first .. first + n) */
} bt_case;

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

/* ---- the re-anchored scenario ------------------------------------------ */

/* A shallow copy of the scenario with its own indicators, paths, events
 * and observations; strings are borrowed. */
typedef struct {
    sp_scenario sc;
    sp_observed_spec *obs;
} bt_spec;

static void spec_free(bt_spec *s)
{
    for (size_t i = 0; s->sc.indicators && i < s->sc.n_indicators; i++)
        free(s->sc.indicators[i].path);
    free(s->sc.indicators);
    free(s->sc.events);
    free(s->obs);
    memset(s, 0, sizeof *s);
}

/* Builds the scenario of case (region, T): base year T - L, horizon T + H,
 * years shifted, every innovation sd and trend_sd times f, the region's
 * data up to T observed (see sp_backtest.h). */
static sp_status spec_build(const sp_scenario *sc, const sp_data *d,
                            const char *region, int T, int L, int H, double f,
                            bt_spec *out)
{
    memset(out, 0, sizeof *out);
    sp_scenario *s = &out->sc;
    *s = *sc;
    s->base_year = T - L;
    s->horizon = T + H;
    s->n_targets = 0;
    s->targets = NULL;
    int shift = s->base_year - sc->base_year;
    s->indicators = calloc(sc->n_indicators, sizeof *s->indicators);
    s->events = calloc(sc->n_events ? sc->n_events : 1, sizeof *s->events);
    out->obs = calloc((size_t)L * sc->n_indicators + 1, sizeof *out->obs);
    if (!s->indicators || !s->events || !out->obs) {
        free(s->indicators);
        s->indicators = NULL;
        s->n_indicators = 0;
        return SP_ERR_NOMEM;
    }
    s->observed = out->obs;
    s->n_observed = 0;
    for (size_t i = 0; i < sc->n_indicators; i++) {
        const sp_indicator_spec *a = &sc->indicators[i];
        sp_indicator_spec *b = &s->indicators[i];
        *b = *a;
        b->path = calloc(a->n_path ? a->n_path : 1, sizeof *b->path);
        if (b->path == NULL)
            return SP_ERR_NOMEM;
        b->n_path = 0;
        for (size_t k = 0; k < a->n_path; k++) {
            sp_period_spec p = a->path[k];
            p.from += shift;
            p.to += shift;
            p.sd *= f;
            if (p.from > s->horizon)
                continue;
            if (p.to > s->horizon)
                p.to = s->horizon;
            b->path[b->n_path++] = p;
        }
        b->trend_sd *= f;
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
            const sp_data_row *r = pick(d, region, a->name, SP_DATA_LEVEL, y);
            if (r != NULL && same_basis(r, base) && r->value >= 0.0 &&
                r->value <= 1.0)
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

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The q quantile of sorted x[0..n) by linear interpolation. */
static double quantile(const double *x, size_t n, double q)
{
    double h = q * (double)(n - 1);
    size_t i = (size_t)h;
    if (i + 1 >= n)
        return x[n - 1];
    return x[i] + (h - (double)i) * (x[i + 1] - x[i]);
}

/* Projects case c with factor f and scores its values into sc_out (the
 * case's slice of a scores array). `x` has room for n draws. */
static sp_status run_case(const sp_scenario *sc, const sp_data *d,
                          const sp_backtest_options *o, const bt_case *c,
                          double f, sp_bt_score *sc_out, double *x,
                          sp_error *err)
{
    bt_spec spec;
    sp_status st = spec_build(sc, d, c->region, c->origin, o->history,
                              o->horizon, f, &spec);
    if (st != SP_OK) {
        spec_free(&spec);
        return sp_error_set(err, st, NULL, 0, NULL,
                            "out of memory for a back-test case");
    }
    sp_compiled comp = {0};
    st = sp_compile(&spec.sc, &comp, err);
    if (st != SP_OK) {
        sp_error e = *err;
        spec_free(&spec);
        return sp_error_set(err, st, e.file, e.line, e.field,
                            "re-anchored at origin %d for region %s: %s",
                            c->origin, c->region, e.message);
    }
    const sp_model *m = &comp.model;
    sp_model_ws *ws = sp_model_ws_alloc(m, SP_MC_BATCH);
    gsl_rng *rng = gsl_rng_alloc(o->rng);
    size_t n = (size_t)o->draws;
    if (ws == NULL || rng == NULL)
        st = sp_error_set(err, SP_ERR_NOMEM, NULL, 0, NULL,
                          "out of memory for a back-test case");
    int base = spec.sc.base_year;
    for (size_t k0 = 0; st == SP_OK && k0 * SP_MC_BLOCK < n; k0++) {
        sp_rng_seed_block(rng, o->seed, k0);
        size_t first = k0 * SP_MC_BLOCK;
        size_t block = n - first < SP_MC_BLOCK ? n - first : SP_MC_BLOCK;
        for (size_t off = 0; off < block; off += SP_MC_BATCH) {
            size_t b = block - off < SP_MC_BATCH ? block - off : SP_MC_BATCH;
            sp_model_batch(m, rng, b, ws);
            for (size_t j = 0; j < c->n; j++) {
                const sp_bt_score *s = &sc_out[j];
                size_t t = (size_t)(s->year - base);
                const double *now = sp_model_row(ws, s->indicator, t);
                const double *before = sp_model_row(ws, s->indicator, t - 1);
                double *dst = x + j * n + first + off;
                for (size_t k = 0; k < b; k++)
                    dst[k] = s->measure == SP_DATA_GROWTH
                                 ? now[k] / before[k] - 1.0
                                 : now[k];
            }
        }
    }
    for (size_t j = 0; st == SP_OK && j < c->n; j++) {
        sp_bt_score *s = &sc_out[j];
        double *v = x + j * n;
        qsort(v, n, sizeof *v, cmp_double);
        s->pit = sp_score_pit(v, n, s->value);
        s->crps = sp_score_crps_sample(v, n, s->value);
        s->in50 = sp_score_covered(s->pit, 0.5);
        s->in90 = sp_score_covered(s->pit, 0.9);
        s->p05 = quantile(v, n, 0.05);
        s->p25 = quantile(v, n, 0.25);
        s->p50 = quantile(v, n, 0.5);
        s->p75 = quantile(v, n, 0.75);
        s->p95 = quantile(v, n, 0.95);
    }
    gsl_rng_free(rng);
    sp_model_ws_free(ws);
    sp_compiled_destroy(&comp);
    spec_free(&spec);
    return st;
}

/* Runs every case with factor f into `scores` (a copy of the layout of
 * out->scores). */
static sp_status run_all(const sp_scenario *sc, const sp_data *d,
                         const sp_backtest_options *o, const bt_case *cases,
                         size_t n_cases, double f, sp_bt_score *scores,
                         sp_error *err)
{
    sp_status st = SP_OK;
    size_t most = 0;
    for (size_t k = 0; k < n_cases; k++)
        most = cases[k].n > most ? cases[k].n : most;
    int threads = o->threads > 0 ? o->threads : 1;
#pragma omp parallel num_threads(threads)
    {
        double *x = malloc(most * (size_t)o->draws * sizeof *x);
        sp_error e;
        sp_error_clear(&e);
        sp_status mine = x ? SP_OK : SP_ERR_NOMEM;
        if (mine != SP_OK)
            sp_error_set(&e, mine, NULL, 0, NULL,
                         "out of memory for the back-test draws");
#pragma omp for schedule(dynamic, 1)
        for (size_t k = 0; k < n_cases; k++)
            if (mine == SP_OK)
                mine = run_case(sc, d, o, &cases[k], f, scores + cases[k].first,
                                x, &e);
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

static double pooled_coverage90(const sp_bt_score *s, size_t n)
{
    size_t in = 0;
    for (size_t k = 0; k < n; k++)
        in += s[k].in90;
    return sp_bt_coverage(in, n);
}

/* The factor f in [1/8, 8] at which the pooled 90 % coverage reaches 0.9,
 * by bisection on log f (coverage rises with f). */
static sp_status find_sd_factor(const sp_scenario *sc, const sp_data *d,
                                const sp_backtest_options *o,
                                const bt_case *cases, size_t n_cases,
                                sp_backtest *out, sp_error *err)
{
    sp_bt_score *tmp = malloc(out->n_scores * sizeof *tmp);
    if (tmp == NULL)
        return sp_error_set(err, SP_ERR_NOMEM, NULL, 0, NULL,
                            "out of memory for the sd factor");
    double lo = log(0.125), hi = log(8.0), cov;
    memcpy(tmp, out->scores, out->n_scores * sizeof *tmp);
    sp_status st = run_all(sc, d, o, cases, n_cases, exp(lo), tmp, err);
    out->coverage90_lo = cov = pooled_coverage90(tmp, out->n_scores);
    if (st == SP_OK && cov < 0.9) {
        st = run_all(sc, d, o, cases, n_cases, exp(hi), tmp, err);
        out->coverage90_hi = cov = pooled_coverage90(tmp, out->n_scores);
        if (st == SP_OK && cov >= 0.9) {
            for (int it = 0; st == SP_OK && it < 16; it++) {
                double mid = 0.5 * (lo + hi);
                st = run_all(sc, d, o, cases, n_cases, exp(mid), tmp, err);
                if (pooled_coverage90(tmp, out->n_scores) >= 0.9)
                    hi = mid;
                else
                    lo = mid;
            }
            out->sd_factor = exp(hi);
            out->sd_factor_found = st == SP_OK;
        }
    }
    free(tmp);
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
    size_t n_cases = 0, cap = 0;
    bool nomem = cases == NULL;
    for (size_t r = 0; !nomem && r < n_regions; r++) {
        bool scored = false;
        for (int T = o->from; !nomem && T <= o->to; T += o->step) {
            size_t first = out->n_scores;
            size_t n = case_scores(sc, d, o, regions[r], T, out, &cap, &nomem);
            if (n > 0)
                cases[n_cases++] = (bt_case){regions[r], T, first, n};
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
    st = run_all(sc, d, o, cases, n_cases, 1.0, out->scores, err);
    out->n_indicators = sc->n_indicators;
    out->horizon = o->horizon;
    out->by_indicator = calloc(sc->n_indicators, sizeof *out->by_indicator);
    out->by_horizon = calloc((size_t)o->horizon, sizeof *out->by_horizon);
    if (st == SP_OK && (!out->by_indicator || !out->by_horizon))
        st = sp_error_set(err, SP_ERR_NOMEM, NULL, 0, NULL,
                          "out of memory for the back-test");
    for (size_t k = 0; st == SP_OK && k < out->n_scores; k++) {
        const sp_bt_score *s = &out->scores[k];
        tally_add(&out->pooled, s);
        tally_add(&out->by_indicator[s->indicator], s);
        tally_add(&out->by_horizon[s->year - s->origin - 1], s);
    }
    if (st == SP_OK && o->sd_factor)
        st = find_sd_factor(sc, d, o, cases, n_cases, out, err);
    free(cases);
    if (st != SP_OK)
        sp_backtest_destroy(out);
    return st;
}

void sp_backtest_destroy(sp_backtest *b)
{
    free(b->scores);
    free(b->by_indicator);
    free(b->by_horizon);
    memset(b, 0, sizeof *b);
}
