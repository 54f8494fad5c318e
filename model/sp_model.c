/*
 * sp_model: one draw of the indicator processes, events and targets.
 */
#include "sp_model.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Indexed by sp_kind. */
static const sp_kind_info kinds[] = {
    {SP_KIND_RATE, "rate", true, {0.0, HUGE_VAL, true, true}},
    {SP_KIND_SHARE, "share", true, {0.0, 1.0, false, false}},
    {SP_KIND_DERIVED, "derived", false, {-HUGE_VAL, HUGE_VAL, false, false}},
};

size_t sp_kind_count(void)
{
    return sizeof kinds / sizeof kinds[0];
}

const sp_kind_info *sp_kind_info_of(sp_kind kind)
{
    return &kinds[kind];
}

const char *sp_kind_name(sp_kind kind)
{
    return kinds[kind].name;
}

bool sp_kind_parse(const char *name, sp_kind *kind)
{
    for (size_t i = 0; i < sp_kind_count(); i++) {
        if (strcmp(name, kinds[i].name) == 0) {
            *kind = kinds[i].kind;
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
        free(m->indicators[i].obs);
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

/* Covariance of the AR(1) process e over steps 1..n into v (n x n):
 * e_t = sum_{s<=t} ar1^(t-s) sd_s eps_s. */
static void ar_covariance(const sp_indicator *ind, int n, gsl_matrix *v)
{
    for (int a = 0; a < n; a++)
        for (int b = 0; b < n; b++) {
            double c = 0.0;
            int lo = a < b ? a : b;
            for (int s = 0; s <= lo; s++)
                c += pow(ind->ar1, a - s) * pow(ind->ar1, b - s) * ind->sd[s] *
                     ind->sd[s];
            gsl_matrix_set(v, (size_t)a, (size_t)b, c);
        }
}

sp_status sp_model_observe(sp_model *m, size_t ind_index, const double *obs,
                           int n, sp_error *err)
{
    sp_indicator *ind = &m->indicators[ind_index];
    ind->obs = malloc((size_t)n * sizeof *ind->obs);
    gsl_matrix *v = gsl_matrix_alloc((size_t)n, (size_t)n);
    gsl_vector *d = gsl_vector_alloc((size_t)n);
    gsl_vector *x = gsl_vector_alloc((size_t)n);
    gsl_vector *one = gsl_vector_alloc((size_t)n);
    sp_status st = (ind->obs && v && d && x && one) ? SP_OK : SP_ERR_NOMEM;
    if (st == SP_OK) {
        memcpy(ind->obs, obs, (size_t)n * sizeof *obs);
        ind->n_obs = n;
        double prev = ind->base, tau2 = ind->trend_sd * ind->trend_sd;
        for (int t = 0; t < n; t++) {
            double r = ind->kind == SP_KIND_RATE ? obs[t] / prev - 1.0
                       : ind->logit ? log(obs[t] / (1.0 - obs[t])) -
                                          log(prev / (1.0 - prev))
                                    : obs[t] - prev;
            gsl_vector_set(d, (size_t)t, r - ind->mean[t]);
            prev = obs[t];
        }
        ind->obs_resid = gsl_vector_get(d, (size_t)n - 1);
        ar_covariance(ind, n, v);
        /* V = tau^2 1 1' + Cov(e), with a tiny ridge when both vanish. */
        double ridge = 1e-12 * (tau2 + gsl_matrix_get(v, 0, 0) + 1e-300);
        for (int a = 0; a < n; a++)
            for (int b = 0; b < n; b++)
                gsl_matrix_set(v, (size_t)a, (size_t)b,
                               gsl_matrix_get(v, (size_t)a, (size_t)b) + tau2 +
                                   (a == b ? ridge : 0.0));
        gsl_vector_set_all(one, 1.0);
        if (gsl_linalg_cholesky_decomp1(v) != GSL_SUCCESS)
            st = SP_ERR_NUMERIC;
    }
    if (st == SP_OK) {
        double w_d, w_1;
        gsl_linalg_cholesky_solve(v, d, x);
        gsl_blas_ddot(one, x, &w_d);
        gsl_linalg_cholesky_solve(v, one, x);
        gsl_blas_ddot(one, x, &w_1);
        double tau2 = ind->trend_sd * ind->trend_sd;
        ind->obs_mu = tau2 * w_d;
        double var = tau2 - tau2 * tau2 * w_1;
        ind->obs_sigma = var > 0.0 ? sqrt(var) : 0.0;
    }
    gsl_matrix_free(v);
    gsl_vector_free(d);
    gsl_vector_free(x);
    gsl_vector_free(one);
    if (st != SP_OK)
        return sp_error_set(err, st, NULL, 0, "observed",
                            st == SP_ERR_NOMEM ? "out of memory"
                                               : "cannot condition the trend "
                                                 "on the observed years");
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
    ws->normals = calloc(ws->n_years * ns * capacity, sizeof *ws->normals);
    if (m->n_events > 0)
        ws->shocks =
            calloc((size_t)m->n_steps * ns * capacity, sizeof *ws->shocks);
    ws->trend = calloc(ns * capacity, sizeof *ws->trend);
    ws->ar = calloc(ns * capacity, sizeof *ws->ar);
    ws->rate = calloc(capacity, sizeof *ws->rate);
    ws->sum = calloc(capacity, sizeof *ws->sum);
    ws->eps = calloc(capacity, sizeof *ws->eps);
    ws->occurs =
        calloc((m->n_events ? m->n_events : 1) *
                   ((size_t)m->n_steps ? (size_t)m->n_steps : 1) * capacity,
               1);
    ws->stack = calloc(max_formula_depth(m) * capacity, sizeof *ws->stack);
    ws->vars = calloc(ni, sizeof *ws->vars);
    ws->out = calloc(ns, sizeof *ws->out);
    if (!ws->values || !ws->measure || !ws->met || !ws->clamps ||
        !ws->nonfinite || !ws->normals || (m->n_events && !ws->shocks) ||
        !ws->trend || !ws->ar || !ws->rate || !ws->sum || !ws->eps ||
        !ws->occurs || !ws->stack || !ws->vars || !ws->out) {
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
    free(ws->normals);
    free(ws->shocks);
    free(ws->trend);
    free(ws->ar);
    free(ws->rate);
    free(ws->sum);
    free(ws->eps);
    free(ws->occurs);
    free(ws->stack);
    free(ws->vars);
    free(ws->out);
    free(ws);
}

/* The normals of `step` for slot s: one per draw. */
static double *normals_of(const sp_model *m, sp_model_ws *ws, size_t step,
                          size_t s)
{
    return ws->normals + (step * m->n_stochastic + s) * ws->capacity;
}

static unsigned char *occurs_of(const sp_model *m, const sp_model_ws *ws,
                                size_t event, size_t step)
{
    return ws->occurs +
           (event * (size_t)m->n_steps + (step - 1)) * ws->capacity;
}

static double *shocks_of(const sp_model *m, sp_model_ws *ws, size_t step,
                         size_t s)
{
    return ws->shocks + ((step - 1) * m->n_stochastic + s) * ws->capacity;
}

/* Phase 1: every random variate of draws 0..n-1, in the documented order,
 * into the normals and shocks buffers. */
static void draw_variates(const sp_model *m, gsl_rng *rng, size_t n,
                          sp_model_ws *ws)
{
    size_t ns = m->n_stochastic;
    if (ws->shocks != NULL)
        memset(ws->shocks, 0,
               (size_t)m->n_steps * ns * ws->capacity * sizeof *ws->shocks);
    for (size_t d = 0; d < n; d++) {
        for (size_t t = 0; t < ws->n_years; t++) {
            for (size_t s = 0; s < ns; s++)
                normals_of(m, ws, t, s)[d] =
                    gsl_ran_gaussian_ziggurat(rng, 1.0);
            for (size_t k = 0; t > 0 && k < m->n_events; k++) {
                const sp_event *ev = &m->events[k];
                if ((int)t < ev->first_step || (int)t > ev->last_step)
                    continue;
                bool occurs = gsl_rng_uniform(rng) < ev->probability;
                occurs_of(m, ws, k, t)[d] = occurs;
                if (!occurs)
                    continue;
                for (size_t j = 0; j < ev->n_effects; j++) {
                    const sp_effect *ef = &ev->effects[j];
                    shocks_of(m, ws, t, ef->slot)[d] +=
                        ef->mean + ef->sd * gsl_ran_gaussian_ziggurat(rng, 1.0);
                }
            }
        }
    }
}

/* z = L zeta in place for the normals of one step (no-op if L is I). Row
 * i is computed from the bottom up, so zeta_j (j < i) are still intact. */
static void correlate(const sp_model *m, sp_model_ws *ws, size_t step, size_t n)
{
    size_t ns = m->n_stochastic;
    if (m->chol == NULL)
        return;
    for (size_t i = ns; i-- > 0;) {
        const double *li = m->chol + i * ns;
        double *sum = ws->sum;
        for (size_t d = 0; d < n; d++)
            sum[d] = 0.0;
        for (size_t j = 0; j <= i; j++) {
            if (li[j] == 0.0)
                continue;
            const double *zeta = normals_of(m, ws, step, j);
            for (size_t d = 0; d < n; d++)
                sum[d] += li[j] * zeta[d];
        }
        memcpy(normals_of(m, ws, step, i), sum, n * sizeof *sum);
    }
}

/* eps = F^-1(Phi(z)) in place for one indicator's normals. */
static void innovations(const sp_indicator *ind, double *z, size_t n)
{
    if (ind->table != NULL) {
        for (size_t d = 0; d < n; d++)
            z[d] = sp_marginal_table_eval(ind->table, z[d]);
    } else if (ind->marginal.family != SP_FAMILY_NORMAL) {
        for (size_t d = 0; d < n; d++)
            z[d] = sp_marginal_from_normal(&ind->marginal, z[d]);
    }
}

/* Moves one indicator a step: level row `to` from row `from` with the
 * rates in `rate`; returns the number of clamps. */
static uint64_t advance(sp_kind kind, bool logit, const double *from,
                        const double *rate, double *to, size_t n)
{
    uint64_t clamps = 0;
    if (logit) { /* never reaches 0 or 1: nothing to clamp */
        for (size_t d = 0; d < n; d++)
            to[d] =
                1.0 / (1.0 + exp(-(log(from[d] / (1.0 - from[d])) + rate[d])));
        return 0;
    }
    if (kind == SP_KIND_RATE) {
        for (size_t d = 0; d < n; d++) {
            double r = rate[d];
            clamps += r < SP_RATE_FLOOR;
            r = r < SP_RATE_FLOOR ? SP_RATE_FLOOR : r;
            to[d] = from[d] * (1.0 + r);
        }
        return clamps;
    }
    for (size_t d = 0; d < n; d++) {
        double x = from[d] + rate[d];
        clamps += (x < 0.0) | (x > 1.0);
        x = x < 0.0 ? 0.0 : x;
        to[d] = x > 1.0 ? 1.0 : x;
    }
    return clamps;
}

/* Phase 2: the processes of every stochastic indicator over the batch. */
static void run_processes(const sp_model *m, size_t n, sp_model_ws *ws)
{
    size_t ns = m->n_stochastic, cap = ws->capacity;
    correlate(m, ws, 0, n);
    for (size_t s = 0; s < ns; s++) {
        const sp_indicator *ind = &m->indicators[m->stochastic[s]];
        const double *w = normals_of(m, ws, 0, s);
        double *u = ws->trend + s * cap, *e = ws->ar + s * cap;
        double mu = ind->n_obs ? ind->obs_mu : 0.0;
        double sigma = ind->n_obs ? ind->obs_sigma : ind->trend_sd;
        for (size_t d = 0; d < n; d++) {
            u[d] = mu + sigma * w[d];
            e[d] = ind->n_obs ? ind->obs_resid - u[d] : 0.0;
        }
    }
    for (size_t t = 1; t < ws->n_years; t++) {
        correlate(m, ws, t, n);
        for (size_t s = 0; s < ns; s++) {
            size_t i = m->stochastic[s];
            const sp_indicator *ind = &m->indicators[i];
            if ((int)t <= ind->n_obs) {
                double *row = ws->out[s] + t * cap;
                for (size_t d = 0; d < n; d++)
                    row[d] = ind->obs[t - 1];
                continue;
            }
            double *eps = ws->eps;
            memcpy(eps, normals_of(m, ws, t, s), n * sizeof *eps);
            innovations(ind, eps, n);
            double *e = ws->ar + s * cap, *r = ws->rate;
            const double *u = ws->trend + s * cap;
            double ar1 = ind->ar1, sd = ind->sd[t - 1], mean = ind->mean[t - 1];
            for (size_t d = 0; d < n; d++) {
                e[d] = ar1 * e[d] + sd * eps[d];
                r[d] = mean + u[d] + e[d];
            }
            if (ws->shocks != NULL) {
                const double *x = shocks_of(m, ws, t, s);
                for (size_t d = 0; d < n; d++)
                    r[d] += x[d];
            }
            double *to = ws->out[s] + t * cap;
            ws->clamps[i] += advance(ind->kind, ind->logit,
                                     ws->out[s] + (t - 1) * cap, r, to, n);
            uint64_t bad = 0; /* a rate can overflow over many years */
            for (size_t d = 0; d < n; d++)
                bad += !isfinite(to[d]);
            ws->nonfinite[i] += bad;
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
        const double *x0 =
            sp_model_row(ws, tg->indicator, (size_t)tg->from_step);
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

void sp_model_batch(const sp_model *m, gsl_rng *rng, size_t n, sp_model_ws *ws)
{
    for (size_t i = 0; i < m->n_indicators; i++) {
        double *row = sp_model_row(ws, i, 0);
        for (size_t d = 0; d < n; d++)
            row[d] = m->indicators[i].base;
    }
    draw_variates(m, rng, n, ws);
    run_processes(m, n, ws);
    eval_derived(m, n, ws);
    eval_targets(m, n, ws);
}

/* ---- inputs ------------------------------------------------------------- */

size_t sp_model_n_inputs(const sp_model *m)
{
    return 2 * m->n_stochastic + m->n_events;
}

void sp_model_target_window(const sp_model *m, size_t k, int *first, int *last)
{
    const sp_target *t = &m->targets[k];
    if (t->n_all == 0) {
        *first =
            sp_measure_info_of(t->measure)->n_years == 1 ? 1 : t->from_step + 1;
        *last = t->to_step;
        if (*last < *first) /* a level target in the base year */
            *last = *first = 1;
        return;
    }
    int lo = m->n_steps, hi = 1;
    for (size_t j = 0; j < t->n_all; j++) {
        int a, b;
        sp_model_target_window(m, t->all[j], &a, &b);
        lo = a < lo ? a : lo;
        hi = b > hi ? b : hi;
    }
    *first = lo;
    *last = hi;
}

/* The first step in which input j (an innovation or event input) can act:
 * the first projected step of the indicator, or for an event the first
 * step in which one of the indicators it hits is projected. Observed steps
 * are data: their innovations are drawn but never used, and events are
 * not applied to them. */
static int first_active_step(const sp_model *m, size_t j)
{
    size_t ns = m->n_stochastic;
    if (j < 2 * ns)
        return m->indicators[m->stochastic[j - ns]].n_obs + 1;
    const sp_event *ev = &m->events[j - 2 * ns];
    int first = m->n_steps + 1;
    for (size_t e = 0; e < ev->n_effects; e++) {
        int obs = m->indicators[m->stochastic[ev->effects[e].slot]].n_obs;
        first = obs + 1 < first ? obs + 1 : first;
    }
    return first;
}

bool sp_model_input_window(const sp_model *m, size_t k, size_t j, int *first,
                           int *last)
{
    sp_model_target_window(m, k, first, last);
    if (j < m->n_stochastic)
        return true;
    int active = first_active_step(m, j);
    if (j >= 2 * m->n_stochastic) {
        const sp_event *ev = &m->events[j - 2 * m->n_stochastic];
        active = ev->first_step > active ? ev->first_step : active;
        *last = ev->last_step < *last ? ev->last_step : *last;
    }
    if (*first < active)
        *first = active;
    return *first <= *last;
}

void sp_model_input_row(const sp_model *m, const sp_model_ws *ws, size_t k,
                        size_t j, size_t n, double *out)
{
    size_t ns = m->n_stochastic, cap = ws->capacity;
    if (j < ns) {
        memcpy(out, ws->normals + j * cap, n * sizeof *out);
        return;
    }
    int first, last;
    bool active = sp_model_input_window(m, k, j, &first, &last);
    for (size_t d = 0; d < n; d++)
        out[d] = 0.0;
    if (!active)
        return;
    if (j < 2 * ns) {
        size_t s = j - ns;
        for (int t = first; t <= last; t++) {
            const double *z = ws->normals + ((size_t)t * ns + s) * cap;
            for (size_t d = 0; d < n; d++)
                out[d] += z[d];
        }
        double len = (double)(last - first + 1);
        for (size_t d = 0; d < n; d++)
            out[d] /= len;
        return;
    }
    size_t e = j - 2 * ns;
    for (int t = first; t <= last; t++) {
        const unsigned char *o =
            ws->occurs + (e * (size_t)m->n_steps + (size_t)(t - 1)) * cap;
        for (size_t d = 0; d < n; d++)
            out[d] += o[d];
    }
}

/* Phi^-1(2/3): the upper tercile of the standard normal. */
#define TERCILE 0.43072729929545756

void sp_model_input_split(const sp_model *m, size_t k, size_t j, double *lo,
                          double *hi)
{
    size_t ns = m->n_stochastic;
    int first, last;
    if (!sp_model_input_window(m, k, j, &first, &last)) {
        *lo = -HUGE_VAL; /* a constant input: neither group has a draw */
        *hi = HUGE_VAL;
        return;
    }
    if (j >= 2 * ns) {
        *lo = 0.0;
        *hi = 1.0;
        return;
    }
    double scale = 1.0;
    if (j >= ns)
        scale = 1.0 / sqrt((double)(last - first + 1));
    *lo = -TERCILE * scale;
    *hi = TERCILE * scale;
}
