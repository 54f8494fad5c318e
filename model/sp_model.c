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
        sp_expr_destroy(&m->indicators[i].formula);
        sp_marginal_table_free(m->indicators[i].table);
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

sp_status sp_model_build_tables(sp_model *m, sp_error *err)
{
    for (size_t s = 0; s < m->n_stochastic; s++) {
        sp_indicator *ind = &m->indicators[m->stochastic[s]];
        if (ind->marginal.family == SP_FAMILY_NORMAL || ind->table != NULL)
            continue;
        if (!sp_marginal_table_alloc(&ind->marginal, &ind->table))
            return sp_error_set(err, SP_ERR_NOMEM, NULL, 0, NULL,
                                "out of memory for copula tables");
    }
    return SP_OK;
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

static size_t max_formula_depth(const sp_model *m)
{
    size_t depth = 1;
    for (size_t i = 0; i < m->n_indicators; i++)
        if (m->indicators[i].formula.depth > depth)
            depth = m->indicators[i].formula.depth;
    return depth;
}

sp_model_ws *sp_model_ws_alloc(const sp_model *m, size_t capacity)
{
    sp_model_ws *ws = calloc(1, sizeof *ws);
    if (ws == NULL)
        return NULL;
    size_t ni = m->n_indicators ? m->n_indicators : 1;
    size_t ns = m->n_stochastic ? m->n_stochastic : 1;
    size_t nt = m->n_targets ? m->n_targets : 1;
    ws->capacity = capacity;
    ws->n_years = (size_t)m->n_steps + 1;
    ws->values = calloc(ni * ws->n_years * capacity, sizeof *ws->values);
    ws->measure = calloc(nt * capacity, sizeof *ws->measure);
    ws->met = calloc(nt * capacity, sizeof *ws->met);
    ws->clamps = calloc(ni, sizeof *ws->clamps);
    ws->nonfinite = calloc(ni, sizeof *ws->nonfinite);
    ws->zeta = calloc(ns, sizeof *ws->zeta);
    ws->z = calloc(ns, sizeof *ws->z);
    ws->trend = calloc(ns, sizeof *ws->trend);
    ws->ar = calloc(ns, sizeof *ws->ar);
    ws->rate = calloc(ns, sizeof *ws->rate);
    ws->level = calloc(ns, sizeof *ws->level);
    ws->stack = calloc(max_formula_depth(m) * capacity, sizeof *ws->stack);
    ws->vars = calloc(ni, sizeof *ws->vars);
    ws->out = calloc(ns, sizeof *ws->out);
    if (!ws->values || !ws->measure || !ws->met || !ws->clamps ||
        !ws->nonfinite || !ws->zeta || !ws->z || !ws->trend || !ws->ar ||
        !ws->rate || !ws->level || !ws->stack || !ws->vars || !ws->out) {
        sp_model_ws_free(ws);
        return NULL;
    }
    for (size_t s = 0; s < m->n_stochastic; s++)
        ws->out[s] = sp_model_row(ws, m->stochastic[s], 0);
    return ws;
}

void sp_model_ws_free(sp_model_ws *ws)
{
    if (ws == NULL)
        return;
    free(ws->values);
    free(ws->measure);
    free(ws->met);
    free(ws->clamps);
    free(ws->nonfinite);
    free(ws->zeta);
    free(ws->z);
    free(ws->trend);
    free(ws->ar);
    free(ws->rate);
    free(ws->level);
    free(ws->stack);
    free(ws->vars);
    free(ws->out);
    free(ws);
}

/* z = L zeta with fresh iid standard normals zeta (z = zeta if L is I). */
static void correlated_normals(const sp_model *m, gsl_rng *rng,
                               sp_model_ws *ws)
{
    size_t n = m->n_stochastic;
    if (m->chol == NULL) {
        for (size_t i = 0; i < n; i++)
            ws->z[i] = gsl_ran_gaussian_ziggurat(rng, 1.0);
        return;
    }
    for (size_t i = 0; i < n; i++)
        ws->zeta[i] = gsl_ran_gaussian_ziggurat(rng, 1.0);
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

/* Moves a stochastic indicator one step with rate r, counting clamps. */
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

/* The yearly innovation eps = F^-1(Phi(z)) of an indicator. */
static double innovation(const sp_indicator *ind, double z)
{
    if (ind->table != NULL)
        return sp_marginal_table_eval(ind->table, z);
    if (ind->marginal.family == SP_FAMILY_NORMAL)
        return z;
    return sp_marginal_from_normal(&ind->marginal, z);
}

/* One draw of the stochastic indicators into column d of the rows. */
static void draw_stochastic(const sp_model *m, gsl_rng *rng, size_t d,
                            sp_model_ws *ws)
{
    size_t ns = m->n_stochastic, cap = ws->capacity;
    correlated_normals(m, rng, ws);
    for (size_t s = 0; s < ns; s++) {
        const sp_indicator *ind = &m->indicators[m->stochastic[s]];
        ws->trend[s] = ind->trend_sd * ws->z[s];
        ws->ar[s] = 0.0;
        ws->level[s] = ind->base;
    }
    for (int t = 1; t <= m->n_steps; t++) {
        correlated_normals(m, rng, ws);
        for (size_t s = 0; s < ns; s++) {
            const sp_indicator *ind = &m->indicators[m->stochastic[s]];
            double eps = innovation(ind, ws->z[s]);
            ws->ar[s] = ind->ar1 * ws->ar[s] + ind->sd[t - 1] * eps;
            ws->rate[s] = ind->mean[t - 1] + ws->trend[s] + ws->ar[s];
        }
        if (m->n_events > 0)
            apply_events(m, rng, t, ws);
        for (size_t s = 0; s < ns; s++) {
            size_t i = m->stochastic[s];
            ws->level[s] = advance(&m->indicators[i], ws->level[s],
                                   ws->rate[s], &ws->clamps[i]);
            ws->out[s][(size_t)t * cap + d] = ws->level[s];
        }
    }
}

/* Evaluates the derived indicators over the batch, step by step. */
static void eval_derived(const sp_model *m, size_t n, sp_model_ws *ws)
{
    for (size_t t = 1; t < ws->n_years; t++) {
        for (size_t i = 0; i < m->n_indicators; i++)
            ws->vars[i] = sp_model_row(ws, i, t);
        for (size_t k = 0; k < m->n_derived; k++) {
            size_t i = m->derived_order[k];
            double *row = sp_model_row(ws, i, t);
            sp_expr_eval(&m->indicators[i].formula, ws->vars, n, ws->stack,
                         row);
            uint64_t bad = 0;
            for (size_t d = 0; d < n; d++)
                bad += !isfinite(row[d]);
            ws->nonfinite[i] += bad;
        }
    }
}

/* Measures and met flags of every target for the batch. */
static void eval_targets(const sp_model *m, size_t n, sp_model_ws *ws)
{
    size_t cap = ws->capacity;
    for (size_t k = 0; k < m->n_targets; k++) {
        const sp_target *tg = &m->targets[k];
        double *measure = ws->measure + k * cap;
        unsigned char *met = ws->met + k * cap;
        if (tg->n_all > 0)
            continue;
        const double *x0 = sp_model_row(ws, tg->indicator, (size_t)tg->from_step);
        const double *x1 = sp_model_row(ws, tg->indicator, (size_t)tg->to_step);
        int years = tg->to_step - tg->from_step;
        for (size_t d = 0; d < n; d++) {
            measure[d] = sp_measure_eval(tg->measure, x0[d], x1[d], years);
            met[d] = sp_op_holds(tg->op, measure[d], tg->value, tg->lo, tg->hi);
        }
    }
    for (size_t k = 0; k < m->n_targets; k++) {
        const sp_target *tg = &m->targets[k];
        if (tg->n_all == 0)
            continue;
        double *measure = ws->measure + k * cap;
        unsigned char *met = ws->met + k * cap;
        for (size_t d = 0; d < n; d++) {
            measure[d] = NAN;
            met[d] = 1;
        }
        for (size_t j = 0; j < tg->n_all; j++) {
            const unsigned char *member = ws->met + tg->all[j] * cap;
            for (size_t d = 0; d < n; d++)
                met[d] &= member[d];
        }
    }
}

void sp_model_batch(const sp_model *m, gsl_rng *rng, size_t n,
                    sp_model_ws *ws)
{
    for (size_t i = 0; i < m->n_indicators; i++) {
        double *row = sp_model_row(ws, i, 0);
        for (size_t d = 0; d < n; d++)
            row[d] = m->indicators[i].base;
    }
    for (size_t d = 0; d < n; d++)
        draw_stochastic(m, rng, d, ws);
    eval_derived(m, n, ws);
    eval_targets(m, n, ws);
}
