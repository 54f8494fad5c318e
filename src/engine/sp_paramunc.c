/*
 * sp_paramunc: parameter sets from their sampling distributions, and P
 * under each.
 */
#include "sp_paramunc.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sp_mc.h"
#include "sp_rng.h"
#include "sp_score.h"

/* The parameter streams: set m draws from the generator seeded with
 * sp_rng_block_seed(seed ^ PARAM_STREAM, m), apart from the run's block
 * streams sp_rng_block_seed(seed, k). */
#define PARAM_STREAM 0x706172616d736574ULL /* "paramset" */

/* Fisher's z of ar1 is kept within +-FISHER_MAX (|ar1| < 0.9999), so that
 * a draw in the far tail does not give a unit root. */
#define FISHER_MAX 5.0

bool sp_paramunc_wanted(const sp_scenario *sc)
{
    for (size_t i = 0; i < sc->n_indicators; i++) {
        const sp_indicator_spec *s = &sc->indicators[i];
        if (s->kind == SP_KIND_DERIVED)
            continue;
        if (s->ar1_se > 0.0 || s->trend_sd_se > 0.0)
            return true;
        for (size_t k = 0; k < s->n_path; k++)
            if (s->path[k].sd_se > 0.0 && s->path[k].sd > 0.0)
                return true;
    }
    return false;
}

double sp_param_draw_sd(double sd, double se, double z)
{
    return sd > 0.0 && se > 0.0 ? sd * exp(z * se / sd) : sd;
}

double sp_param_draw_ar1(double ar1, double se, double z)
{
    if (!(se > 0.0))
        return ar1;
    double f = atanh(ar1) + z * se / (1.0 - ar1 * ar1);
    f = f > FISHER_MAX ? FISHER_MAX : f < -FISHER_MAX ? -FISHER_MAX : f;
    return tanh(f);
}

double sp_param_draw_trend_sd(double trend_sd, double se, double z)
{
    return se > 0.0 ? fabs(trend_sd + z * se) : trend_sd;
}

/* Draws parameter set m into `s` (a copy of sc owning its indicators). */
static void draw_set(const sp_scenario *sc, uint64_t seed, size_t m, gsl_rng *r,
                     sp_scenario *s)
{
    sp_rng_seed_block(r, seed ^ PARAM_STREAM, m);
    for (size_t i = 0; i < sc->n_indicators; i++) {
        const sp_indicator_spec *a = &sc->indicators[i];
        sp_indicator_spec *b = &s->indicators[i];
        if (a->kind == SP_KIND_DERIVED)
            continue;
        double z_sd = gsl_ran_gaussian_ziggurat(r, 1.0);
        double z_ar1 = gsl_ran_gaussian_ziggurat(r, 1.0);
        double z_tau = gsl_ran_gaussian_ziggurat(r, 1.0);
        for (size_t k = 0; k < a->n_path; k++)
            b->path[k].sd =
                sp_param_draw_sd(a->path[k].sd, a->path[k].sd_se, z_sd);
        b->ar1 = sp_param_draw_ar1(a->ar1, a->ar1_se, z_ar1);
        b->trend_sd =
            sp_param_draw_trend_sd(a->trend_sd, a->trend_sd_se, z_tau);
    }
}

/* Met draws per target, counted by sp_mc_replay's batch function. */
typedef struct {
    size_t n_targets;
    uint64_t *met;
} met_count;

static void add_met(const sp_model_ws *ws, size_t first, size_t b, void *ctx)
{
    (void)first;
    met_count *c = ctx;
    sp_mc_count_met(ws, c->n_targets, b, c->met);
}

/* P under parameter set m (the scenario's own parameters unless
 * `perturb`) into p[k] for every target. */
static sp_status run_set(const sp_scenario *sc, uint64_t seed,
                         const gsl_rng_type *type, size_t n, size_t m,
                         bool perturb, double *p, sp_error *err)
{
    sp_scenario s;
    gsl_rng *r = gsl_rng_alloc(type);
    if (r == NULL || sp_scenario_copy_indicators(sc, &s) != SP_OK) {
        gsl_rng_free(r);
        return sp_error_set(err, SP_ERR_NOMEM, NULL, 0, NULL,
                            "out of memory for the parameter sets");
    }
    if (perturb)
        draw_set(sc, seed, m, r, &s);
    gsl_rng_free(r);
    sp_compiled c = {0};
    sp_status st = sp_compile(&s, &c, err);
    if (st != SP_OK) {
        sp_error e = *err;
        sp_error_set(err, st, e.file, e.line, e.field,
                     "parameter set %zu of the scenario's standard errors: %s",
                     m, e.message);
    }
    uint64_t *met = NULL;
    if (st == SP_OK) {
        size_t nt = c.model.n_targets;
        met = calloc(nt ? nt : 1, sizeof *met);
        met_count mc = {nt, met};
        st = met ? sp_mc_replay(&c.model, seed, type, n, add_met, &mc, err)
                 : sp_error_set(err, SP_ERR_NOMEM, NULL, 0, NULL,
                                "out of memory for the parameter sets");
    }
    for (size_t k = 0; st == SP_OK && k < c.model.n_targets; k++)
        p[k] = (double)met[k] / (double)n;
    free(met);
    sp_compiled_destroy(&c);
    sp_scenario_free_indicators(&s);
    return st;
}

sp_status sp_paramunc(const sp_scenario *sc, uint64_t seed,
                      const gsl_rng_type *rng, uint64_t draws, size_t sets,
                      int threads, sp_result *res, sp_error *err)
{
    if (!sp_paramunc_wanted(sc) || res->n_targets == 0 || draws == 0 ||
        sets == 0)
        return SP_OK;
    size_t nt = res->n_targets;
    size_t n = draws < SP_PARAM_DRAWS ? (size_t)draws : SP_PARAM_DRAWS;
    /* [set][target], the last set the scenario's own parameters */
    double *p = malloc((sets + 1) * nt * sizeof *p);
    double *col = malloc(sets * sizeof *col);
    if (p == NULL || col == NULL) {
        free(p);
        free(col);
        return sp_error_set(err, SP_ERR_NOMEM, NULL, 0, NULL,
                            "out of memory for the parameter sets");
    }
    sp_status st = SP_OK;
#pragma omp parallel num_threads(threads > 0 ? threads : 1)
    {
        sp_error e;
        sp_error_clear(&e);
        sp_status mine = SP_OK;
#pragma omp for schedule(dynamic, 1)
        for (size_t m = 0; m <= sets; m++)
            if (mine == SP_OK)
                mine = run_set(sc, seed, rng, n, m, m < sets, p + m * nt, &e);
#pragma omp critical
        if (mine != SP_OK && st == SP_OK) {
            st = mine;
            *err = e;
        }
    }
    /* Each set's P is the run's P plus the set's difference from the
     * scenario's own parameters on the same draws: the differences carry
     * the parameter uncertainty, and the run's P (all its draws) the
     * level, so the shared error of the sets' few draws drops out. */
    for (size_t k = 0; st == SP_OK && k < nt; k++) {
        double sum = 0.0, own = p[sets * nt + k];
        double run = res->targets[k].probability;
        for (size_t m = 0; m < sets; m++) {
            double v = run + (p[m * nt + k] - own);
            col[m] = v < 0.0 ? 0.0 : v > 1.0 ? 1.0 : v;
            sum += col[m];
        }
        sp_score_sort(col, sets);
        double tail = 0.5 * (1.0 - SP_PARAM_LEVEL);
        res->targets[k].param = (sp_param_interval){
            .done = true,
            .sets = sets,
            .draws = n,
            .p_mean = sum / (double)sets,
            .lo = sp_score_quantile(col, sets, tail),
            .hi = sp_score_quantile(col, sets, 1.0 - tail),
        };
    }
    free(p);
    free(col);
    return st;
}
