/*
 * sp_model: one draw of the indicator processes, events and targets.
 */
#include "sp_model.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *kind_names[] = {"rate", "share", "derived"};

const char *sp_kind_name(sp_kind kind)
{
    return kind_names[kind];
}

bool sp_kind_parse(const char *name, sp_kind *kind)
{
    for (int i = 0; i < 3; i++) {
        if (strcmp(name, kind_names[i]) == 0) {
            *kind = (sp_kind)i;
            return true;
        }
    }
    return false;
}

void sp_model_destroy(sp_model *m)
{
    for (size_t i = 0; i < m->n_indicators; i++) {
        free(m->indicators[i].mean);
        free(m->indicators[i].sd);
    }
    for (size_t i = 0; i < m->n_events; i++)
        free(m->events[i].effects);
    for (size_t i = 0; i < m->n_targets; i++)
        free(m->targets[i].all);
    free(m->indicators);
    free(m->stochastic);
    free(m->chol);
    free(m->derived_order);
    free(m->events);
    free(m->targets);
    memset(m, 0, sizeof *m);
}

static bool is_identity(size_t n, const double *a)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            if (a[i * n + j] != (i == j ? 1.0 : 0.0))
                return false;
    return true;
}

sp_status sp_model_set_correlation(sp_model *m, const double *corr,
                                   sp_error *err)
{
    size_t n = m->n_stochastic;
    free(m->chol);
    m->chol = NULL;
    if (n == 0 || is_identity(n, corr))
        return SP_OK;
    gsl_matrix *a = gsl_matrix_alloc(n, n);
    double *l = calloc(n * n, sizeof *l);
    if (a == NULL || l == NULL) {
        gsl_matrix_free(a);
        free(l);
        return sp_error_set(err, SP_ERR_NOMEM, NULL, 0, "correlations",
                            "cannot allocate the correlation matrix");
    }
    memcpy(a->data, corr, n * n * sizeof *corr);
    int status = gsl_linalg_cholesky_decomp1(a);
    if (status != GSL_SUCCESS) {
        gsl_matrix_free(a);
        free(l);
        return sp_error_set(err, SP_ERR_CORRELATION, NULL, 0, "correlations",
                            "the correlation matrix is not positive "
                            "definite; reduce the correlations so that no "
                            "combination of them is contradictory");
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j <= i; j++)
            l[i * n + j] = gsl_matrix_get(a, i, j);
    gsl_matrix_free(a);
    m->chol = l;
    return SP_OK;
}

sp_model_ws *sp_model_ws_alloc(const sp_model *m)
{
    sp_model_ws *ws = calloc(1, sizeof *ws);
    if (ws == NULL)
        return NULL;
    size_t ni = m->n_indicators, ns = m->n_stochastic;
    size_t nt = (size_t)m->n_steps + 1;
    ws->row = calloc(ni ? ni : 1, sizeof *ws->row);
    ws->traj = calloc(nt * (ni ? ni : 1), sizeof *ws->traj);
    ws->clamps = calloc(ni ? ni : 1, sizeof *ws->clamps);
    ws->nonfinite = calloc(ni ? ni : 1, sizeof *ws->nonfinite);
    ws->zeta = calloc(ns ? ns : 1, sizeof *ws->zeta);
    ws->z = calloc(ns ? ns : 1, sizeof *ws->z);
    ws->trend = calloc(ns ? ns : 1, sizeof *ws->trend);
    ws->ar = calloc(ns ? ns : 1, sizeof *ws->ar);
    ws->rate = calloc(ns ? ns : 1, sizeof *ws->rate);
    if (!ws->row || !ws->traj || !ws->clamps || !ws->nonfinite || !ws->zeta ||
        !ws->z || !ws->trend || !ws->ar || !ws->rate) {
        sp_model_ws_free(ws);
        return NULL;
    }
    return ws;
}

void sp_model_ws_free(sp_model_ws *ws)
{
    if (ws == NULL)
        return;
    free(ws->row);
    free(ws->traj);
    free(ws->clamps);
    free(ws->nonfinite);
    free(ws->zeta);
    free(ws->z);
    free(ws->trend);
    free(ws->ar);
    free(ws->rate);
    free(ws);
}

/* z = L zeta with fresh iid standard normals zeta (z = zeta if L is I). */
static void correlated_normals(const sp_model *m, gsl_rng *rng,
                               sp_model_ws *ws)
{
    size_t n = m->n_stochastic;
    for (size_t i = 0; i < n; i++)
        ws->zeta[i] = gsl_ran_gaussian_ziggurat(rng, 1.0);
    if (m->chol == NULL) {
        memcpy(ws->z, ws->zeta, n * sizeof *ws->z);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const double *li = m->chol + i * n;
        double s = 0.0;
        for (size_t j = 0; j <= i; j++)
            s += li[j] * ws->zeta[j];
        ws->z[i] = s;
    }
}

/* Adds the effects of events occurring in `step` to ws->rate. */
static void apply_events(const sp_model *m, gsl_rng *rng, int step,
                         sp_model_ws *ws)
{
    for (size_t k = 0; k < m->n_events; k++) {
        const sp_event *ev = &m->events[k];
        if (step < ev->first_step || step > ev->last_step)
            continue;
        if (!(gsl_rng_uniform(rng) < ev->probability))
            continue;
        for (size_t j = 0; j < ev->n_effects; j++) {
            const sp_effect *ef = &ev->effects[j];
            ws->rate[ef->slot] +=
                ef->mean + ef->sd * gsl_ran_gaussian_ziggurat(rng, 1.0);
        }
    }
}

/* Moves stochastic indicator `ind` one step with rate r, counting clamps. */
static double advance(const sp_indicator *ind, double prev, double r,
                      uint64_t *clamps)
{
    if (ind->kind == SP_KIND_RATE) {
        if (r < SP_RATE_FLOOR) {
            r = SP_RATE_FLOOR;
            (*clamps)++;
        }
        return prev * (1.0 + r);
    }
    double s = prev + r;
    if (s < 0.0 || s > 1.0) {
        (*clamps)++;
        s = s < 0.0 ? 0.0 : 1.0;
    }
    return s;
}

void sp_model_draw(const sp_model *m, gsl_rng *rng, const sp_derived_eval *ev,
                   sp_model_ws *ws)
{
    size_t ni = m->n_indicators, ns = m->n_stochastic;
    for (size_t i = 0; i < ni; i++)
        ws->row[i] = m->indicators[i].base;
    memcpy(ws->traj, ws->row, ni * sizeof *ws->row);

    correlated_normals(m, rng, ws);
    for (size_t s = 0; s < ns; s++) {
        ws->trend[s] = m->indicators[m->stochastic[s]].trend_sd * ws->z[s];
        ws->ar[s] = 0.0;
    }
    for (int t = 1; t <= m->n_steps; t++) {
        correlated_normals(m, rng, ws);
        for (size_t s = 0; s < ns; s++) {
            const sp_indicator *ind = &m->indicators[m->stochastic[s]];
            double eps = sp_marginal_from_normal(&ind->marginal, ws->z[s]);
            ws->ar[s] = ind->ar1 * ws->ar[s] + ind->sd[t - 1] * eps;
            ws->rate[s] = ind->mean[t - 1] + ws->trend[s] + ws->ar[s];
        }
        if (m->n_events > 0)
            apply_events(m, rng, t, ws);
        for (size_t s = 0; s < ns; s++) {
            size_t i = m->stochastic[s];
            ws->row[i] = advance(&m->indicators[i], ws->row[i], ws->rate[s],
                                 &ws->clamps[i]);
        }
        for (size_t k = 0; k < m->n_derived; k++) {
            size_t i = m->derived_order[k];
            double v = ev->eval(ev->ctx, k);
            if (!isfinite(v))
                ws->nonfinite[i]++;
            ws->row[i] = v;
        }
        memcpy(ws->traj + (size_t)t * ni, ws->row, ni * sizeof *ws->row);
    }
}

void sp_model_targets(const sp_model *m, const double *traj, double *measure,
                      bool *met)
{
    size_t ni = m->n_indicators;
    for (size_t k = 0; k < m->n_targets; k++) {
        const sp_target *tg = &m->targets[k];
        if (tg->n_all > 0)
            continue;
        double x_from = traj[(size_t)tg->from_step * ni + tg->indicator];
        double x_to = traj[(size_t)tg->to_step * ni + tg->indicator];
        double v = sp_measure_eval(tg->measure, x_from, x_to,
                                   tg->to_step - tg->from_step);
        measure[k] = v;
        met[k] = sp_op_holds(tg->op, v, tg->value, tg->lo, tg->hi);
    }
    for (size_t k = 0; k < m->n_targets; k++) {
        const sp_target *tg = &m->targets[k];
        if (tg->n_all == 0)
            continue;
        bool all = true;
        for (size_t j = 0; j < tg->n_all; j++)
            all = all && met[tg->all[j]];
        measure[k] = NAN;
        met[k] = all;
    }
}
