/*
 * sp_model: one draw of the indicator processes, events and targets.
 */
#include "sp_model.h"
#include "sp_rng.h"

#include <gsl/gsl_cdf.h>
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

static void condition_free(sp_condition *c);

void sp_model_destroy(sp_model *m)
{
    for (size_t i = 0; i < m->n_indicators; i++) {
        free(m->indicators[i].mean);
        free(m->indicators[i].sd);
        sp_expr_destroy(&m->indicators[i].formula);
        sp_marginal_table_free(m->indicators[i].table);
        free(m->indicators[i].obs);
    }
    condition_free(m->cond);
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

static void condition_free(sp_condition *c)
{
    if (c == NULL)
        return;
    free(c->h);
    free(c->gain);
    free(c->y);
    free(c->corr);
    free(c->active);
    free(c);
}

sp_status sp_model_observe(sp_model *m, size_t ind_index, const double *obs,
                           int n, sp_error *err)
{
    sp_indicator *ind = &m->indicators[ind_index];
    free(ind->obs);
    ind->obs = NULL;
    ind->n_obs = ind->last_obs = 0;
    int count = 0, last = 0;
    for (int t = 0; t < n; t++)
        if (!isnan(obs[t])) {
            count++;
            last = t + 1;
        }
    if (last == 0)
        return SP_OK;
    ind->obs = malloc((size_t)last * sizeof *ind->obs);
    if (ind->obs == NULL)
        return sp_error_set(err, SP_ERR_NOMEM, NULL, 0, "observed",
                            "out of memory");
    memcpy(ind->obs, obs, (size_t)last * sizeof *obs);
    ind->n_obs = count;
    ind->last_obs = last;
    return SP_OK;
}

/* Whether step t of an indicator is observed. */
static bool observed_at(const sp_indicator *ind, int t)
{
    return t >= 1 && t <= ind->last_obs && !isnan(ind->obs[t - 1]);
}

/* A level on the scale on which its indicator's driver adds up. */
static double share_scale(const sp_indicator *ind, double x)
{
    return ind->logit ? log(x / (1.0 - x)) : x;
}

/* The rate path mean used to linearise a rate observed after a gap. */
static double rate_mean(const sp_indicator *ind, int q)
{
    double mq = ind->mean[q - 1];
    return mq < SP_RATE_FLOOR ? SP_RATE_FLOOR : mq;
}

/* Row of H and its datum for the observation of slot s at step t whose
 * previous observed step is p (0: the base). The row constrains
 * sum_{q=p+1..t} c_q (r_q - mean_q), r_q - mean_q = tau w_s + e_q and
 * e_q = sum_{k<=q} ar1^(q-k) sd_k eps_{s,k}. */
static double observation_row(const sp_model *m, size_t s, int p, int t,
                              double *row)
{
    const sp_indicator *ind = &m->indicators[m->stochastic[s]];
    size_t ns = m->n_stochastic;
    double before = p == 0 ? ind->base : ind->obs[p - 1], now = ind->obs[t - 1];
    bool linearised = ind->kind == SP_KIND_RATE && t - p > 1;
    double y, csum = 0.0;
    if (ind->kind != SP_KIND_RATE)
        y = share_scale(ind, now) - share_scale(ind, before);
    else if (!linearised)
        y = now / before - 1.0;
    else
        y = log(now / before);
    for (int q = p + 1; q <= t; q++) {
        double c = linearised ? 1.0 / (1.0 + rate_mean(ind, q)) : 1.0;
        y -= linearised ? log(1.0 + rate_mean(ind, q)) : ind->mean[q - 1];
        csum += c;
        /* eps_{s,k} enters r_q with ar1^(q-k) sd_k, for every k <= q. */
        double pw = 1.0;
        for (int k = q; k >= 1; k--) {
            row[ns * (size_t)k + s] += c * pw * ind->sd[k - 1];
            pw *= ind->ar1;
        }
    }
    row[s] = ind->trend_sd * csum;
    return y;
}

/* x = Sigma g for a latent vector g: Sigma is block diagonal with the
 * correlation R in each block of n_s (the trend draws and each step's
 * innovations). */
static void prior_times(const sp_model *m, const sp_condition *c,
                        const double *g, double *x)
{
    size_t ns = m->n_stochastic;
    for (size_t b = 0; b < c->n_latent; b += ns)
        for (size_t i = 0; i < ns; i++) {
            double v = 0.0;
            for (size_t j = 0; j < ns; j++)
                v += c->corr[i * ns + j] * g[b + j];
            x[b + i] = v;
        }
}

sp_status sp_model_condition(sp_model *m, sp_error *err)
{
    size_t ns = m->n_stochastic, rows = 0;
    int last = 0;
    for (size_t s = 0; s < ns; s++) {
        const sp_indicator *ind = &m->indicators[m->stochastic[s]];
        rows += (size_t)ind->n_obs;
        last = ind->last_obs > last ? ind->last_obs : last;
    }
    condition_free(m->cond);
    m->cond = NULL;
    if (rows == 0)
        return SP_OK;
    sp_condition *c = calloc(1, sizeof *c);
    size_t nz = ns * (size_t)(last + 1);
    gsl_matrix *hs = NULL; /* H Sigma H' + ridge I, then its factor */
    gsl_vector *x = NULL, *b = NULL;
    double *a = NULL;   /* Sigma H', n_latent x rows */
    double *col = NULL; /* one column of it */
    double top = 0.0;   /* the largest diagonal entry of H Sigma H' */
    sp_status st = SP_ERR_NOMEM;
    if (c == NULL)
        goto done;
    c->n_steps = last;
    c->n_latent = nz;
    c->n_rows = rows;
    c->h = calloc(rows * nz, sizeof *c->h);
    c->gain = calloc(nz * rows, sizeof *c->gain);
    c->y = calloc(rows, sizeof *c->y);
    c->corr = calloc(ns * ns, sizeof *c->corr);
    c->active = calloc(nz, sizeof *c->active);
    a = calloc(nz * rows, sizeof *a);
    hs = gsl_matrix_alloc(rows, rows);
    x = gsl_vector_alloc(rows);
    b = gsl_vector_alloc(rows);
    if (!c->h || !c->gain || !c->y || !c->corr || !c->active || !a || !hs ||
        !x || !b)
        goto done;
    for (size_t i = 0; i < ns; i++) /* R = L L' */
        for (size_t j = 0; j < ns; j++) {
            double v = i == j ? 1.0 : 0.0;
            if (m->chol != NULL) {
                v = 0.0;
                for (size_t k = 0; k <= (i < j ? i : j); k++)
                    v += m->chol[i * ns + k] * m->chol[j * ns + k];
            }
            c->corr[i * ns + j] = v;
        }
    size_t r = 0;
    for (size_t s = 0; s < ns; s++) {
        const sp_indicator *ind = &m->indicators[m->stochastic[s]];
        for (int t = 1, p = 0; t <= ind->last_obs; t++) {
            if (!observed_at(ind, t))
                continue;
            c->y[r] = observation_row(m, s, p, t, c->h + r * nz);
            p = t;
            r++;
        }
    }
    /* A = Sigma H' column by column, then H Sigma H'. */
    col = malloc(nz * sizeof *col);
    if (col == NULL)
        goto done;
    for (size_t i = 0; i < rows; i++) {
        prior_times(m, c, c->h + i * nz, col);
        for (size_t j = 0; j < nz; j++)
            a[j * rows + i] = col[j];
    }
    gsl_matrix_set_zero(hs);
    for (size_t i = 0; i < rows; i++) { /* a row of H is mostly 0 */
        double *out = gsl_matrix_ptr(hs, i, 0);
        for (size_t j = 0; j < nz; j++) {
            double h = c->h[i * nz + j];
            if (h == 0.0)
                continue;
            for (size_t k = 0; k < rows; k++)
                out[k] += h * a[j * rows + k];
        }
        top = out[i] > top ? out[i] : top;
    }
    /* A tiny ridge keeps H Sigma H' invertible when a row is 0 (sd and
     * trend_sd 0) or rows coincide; it moves K by about 1e-12. */
    c->ridge = 1e-12 * top + 1e-300;
    for (size_t i = 0; i < rows; i++)
        gsl_matrix_set(hs, i, i, gsl_matrix_get(hs, i, i) + c->ridge);
    if (gsl_linalg_cholesky_decomp1(hs) != GSL_SUCCESS) {
        st = SP_ERR_NUMERIC;
        goto done;
    }
    /* K = A (H Sigma H')^-1, row by row (the matrix is symmetric). */
    for (size_t j = 0; j < nz; j++) {
        bool any = false;
        for (size_t i = 0; i < rows; i++) {
            gsl_vector_set(b, i, a[j * rows + i]);
            any |= a[j * rows + i] != 0.0 || c->h[i * nz + j] != 0.0;
        }
        if (!any)
            continue;
        c->active[c->n_active++] = j;
        gsl_linalg_cholesky_solve(hs, b, x);
        for (size_t i = 0; i < rows; i++)
            c->gain[j * rows + i] = gsl_vector_get(x, i);
    }
    m->cond = c;
    c = NULL;
    st = SP_OK;
    for (size_t s = 0; s < ns; s++) {
        sp_indicator *ind = &m->indicators[m->stochastic[s]];
        double mu, sd;
        if (!sp_model_conditional_moments(m, s, 0, &mu, &sd)) {
            st = SP_ERR_NOMEM;
            break;
        }
        ind->obs_mu = mu;
        ind->obs_sigma = sd;
    }
done:
    condition_free(c);
    free(a);
    free(col);
    gsl_matrix_free(hs);
    gsl_vector_free(x);
    gsl_vector_free(b);
    if (st != SP_OK)
        return sp_error_set(err, st, NULL, 0, "observed",
                            st == SP_ERR_NOMEM ? "out of memory"
                                               : "cannot condition the model "
                                                 "on the observed years");
    return SP_OK;
}

bool sp_model_conditional_moments(const sp_model *m, size_t s, int t,
                                  double *mean, double *sd)
{
    const sp_condition *c = m->cond;
    if (c == NULL || t < 0 || t > c->n_steps || s >= m->n_stochastic)
        return false;
    const sp_indicator *ind = &m->indicators[m->stochastic[s]];
    size_t ns = m->n_stochastic, nz = c->n_latent, rows = c->n_rows;
    double *g = calloc(2 * nz + 2 * rows, sizeof *g);
    if (g == NULL)
        return false;
    double *v = g + nz, *kg = v + nz, *hv = kg + rows;
    g[s] = ind->trend_sd;
    double pw = 1.0;
    for (int k = t; k >= 1; k--) {
        g[ns * (size_t)k + s] = pw * ind->sd[k - 1];
        pw *= ind->ar1;
    }
    /* Given H z = y: mean g' K y, variance g' Sigma g - (K' g)' H Sigma g. */
    prior_times(m, c, g, v);
    double mu = 0.0, var = 0.0;
    for (size_t j = 0; j < nz; j++)
        var += g[j] * v[j];
    for (size_t i = 0; i < rows; i++) {
        for (size_t j = 0; j < nz; j++) {
            kg[i] += c->gain[j * rows + i] * g[j];
            hv[i] += c->h[i * nz + j] * v[j];
        }
        mu += kg[i] * c->y[i];
        var -= kg[i] * hv[i];
    }
    *mean = mu;
    *sd = var > 0.0 ? sqrt(var) : 0.0;
    free(g);
    return true;
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
    ws->pair = calloc(sp_model_n_variates(m) + 1, sizeof *ws->pair);
    const sp_condition *c = m->cond;
    if (c != NULL) {
        ws->latent = calloc(c->n_latent * capacity, sizeof *ws->latent);
        ws->resid = calloc(c->n_rows * capacity, sizeof *ws->resid);
    }
    if ((c != NULL && (!ws->latent || !ws->resid)) || !ws->values ||
        !ws->measure || !ws->met || !ws->clamps || !ws->nonfinite ||
        !ws->normals || (m->n_events && !ws->shocks) || !ws->trend || !ws->ar ||
        !ws->rate || !ws->sum || !ws->eps || !ws->occurs || !ws->stack ||
        !ws->vars || !ws->out || !ws->pair) {
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
    free(ws->latent);
    free(ws->resid);
    free(ws->occurs);
    free(ws->stack);
    free(ws->vars);
    free(ws->out);
    free(ws->pair);
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

/* One standard normal and one uniform, on the inline path (fast) or
 * through GSL: the same numbers (model/sp_rng.h). Called with a constant
 * `fast`, so that each path compiles to its own loop. */
static inline double draw_normal(bool fast, sp_rng_fast *f, gsl_rng *rng)
{
    return fast ? sp_rng_fast_normal(f) : gsl_ran_gaussian_ziggurat(rng, 1.0);
}

static inline double draw_uniform(bool fast, sp_rng_fast *f, gsl_rng *rng)
{
    return fast ? sp_rng_fast_uniform(f) : gsl_rng_uniform(rng);
}

static inline void draw_all(const sp_model *m, bool fast, sp_rng_fast *fp,
                            gsl_rng *rng, size_t n, sp_model_ws *ws)
{
    /* a local copy, whose address is never taken: its state stays in
     * registers */
    sp_rng_fast local = *fp, *f = &local;
    size_t ns = m->n_stochastic;
    size_t years = ws->n_years, cap = ws->capacity, events = m->n_events;
    for (size_t d = 0; d < n; d++) {
        /* normals_of(m, ws, t, s)[d], in order of (t, s) */
        double *z = ws->normals + d;
        for (size_t t = 0; t < years; t++) {
            for (size_t s = 0; s < ns; s++, z += cap)
                *z = draw_normal(fast, f, rng);
            for (size_t k = 0; t > 0 && k < events; k++) {
                const sp_event *ev = &m->events[k];
                if ((int)t < ev->first_step || (int)t > ev->last_step)
                    continue;
                bool occurs = draw_uniform(fast, f, rng) < ev->probability;
                occurs_of(m, ws, k, t)[d] = occurs;
                if (!occurs)
                    continue;
                for (size_t j = 0; j < ev->n_effects; j++) {
                    const sp_effect *ef = &ev->effects[j];
                    shocks_of(m, ws, t, ef->slot)[d] +=
                        ef->mean + ef->sd * draw_normal(fast, f, rng);
                }
            }
        }
    }
    *fp = local;
}

/* The event effects of a batch start at 0 (they add up). */
static void clear_shocks(const sp_model *m, sp_model_ws *ws)
{
    if (ws->shocks != NULL)
        memset(ws->shocks, 0,
               (size_t)m->n_steps * m->n_stochastic * ws->capacity *
                   sizeof *ws->shocks);
}

/* Phase 1: every random variate of draws 0..n-1, in the documented order,
 * into the normals and shocks buffers. */
static void draw_variates(const sp_model *m, gsl_rng *rng, size_t n,
                          sp_model_ws *ws)
{
    clear_shocks(m, ws);
    sp_rng_fast f = {0};
    if (sp_rng_fast_begin(&f, rng)) {
        draw_all(m, true, &f, rng, n, ws);
        sp_rng_fast_end(&f);
    } else {
        draw_all(m, false, &f, rng, n, ws);
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

/* Row of latent component j (doc/model.md §6.2) in the batch. */
static double *latent_of(const sp_model_ws *ws, size_t j)
{
    return ws->latent + j * ws->capacity;
}

/* Turns rows p+1..t of slot s, which hold the drivers r of those steps,
 * into levels: the observed level at t, and the simulated levels of the
 * unobserved steps between. A rate observed after a gap has its gap-years'
 * (1 + r) scaled by one common factor per draw so that the product meets
 * the observed ratio exactly. Returns the clamps. */
static uint64_t observed_interval(const sp_indicator *ind, double *row0,
                                  size_t cap, int p, int t, size_t n)
{
    uint64_t clamps = 0;
    double *at = row0 + (size_t)t * cap, level = ind->obs[t - 1];
    if (t - p > 1 && ind->kind == SP_KIND_RATE) {
        const double *from = row0 + (size_t)p * cap;
        double inv = 1.0 / (double)(t - p);
        for (size_t d = 0; d < n; d++) {
            double prod = 1.0;
            for (int q = p + 1; q <= t; q++) {
                double r = row0[(size_t)q * cap + d];
                clamps += (q < t) & (r < SP_RATE_FLOOR);
                prod *= 1.0 + (r < SP_RATE_FLOOR ? SP_RATE_FLOOR : r);
            }
            double f = pow(level / from[d] / prod, inv), x = from[d];
            for (int q = p + 1; q < t; q++) {
                double r = row0[(size_t)q * cap + d];
                x *= (1.0 + (r < SP_RATE_FLOOR ? SP_RATE_FLOOR : r)) * f;
                row0[(size_t)q * cap + d] = x;
            }
        }
    } else {
        for (int q = p + 1; q < t; q++) {
            double *to = row0 + (size_t)q * cap;
            clamps += advance(ind->kind, ind->logit, to - cap, to, to, n);
        }
    }
    for (size_t d = 0; d < n; d++)
        at[d] = level;
    return clamps;
}

/* The conditioned start of every draw of the batch (doc/model.md §6.2):
 * the prior z of each draw (trend draws and the innovations of steps
 * 1..T, after the copula transform) is corrected by z += K (y - H z);
 * then u = tau w, and each observed indicator's steps 1..last_obs are
 * simulated from the corrected z, its observed steps set to the data. The
 * AR state is left at e[last_obs] (0 if nothing is observed). */
static void condition_batch(const sp_model *m, size_t n, sp_model_ws *ws)
{
    const sp_condition *c = m->cond;
    size_t ns = m->n_stochastic, cap = ws->capacity, rows = c->n_rows;
    for (size_t t = 1; t <= (size_t)c->n_steps; t++)
        correlate(m, ws, t, n);
    for (size_t t = 0; t <= (size_t)c->n_steps; t++)
        for (size_t s = 0; s < ns; s++) {
            double *z = latent_of(ws, ns * t + s);
            memcpy(z, normals_of(m, ws, t, s), n * sizeof *z);
            if (t > 0)
                innovations(&m->indicators[m->stochastic[s]], z, n);
        }
    for (size_t i = 0; i < rows; i++) {
        double *res = ws->resid + i * cap, y = c->y[i];
        const double *h = c->h + i * c->n_latent;
        for (size_t d = 0; d < n; d++)
            res[d] = y;
        for (size_t a = 0; a < c->n_active; a++) {
            size_t j = c->active[a];
            if (h[j] == 0.0)
                continue;
            const double *z = latent_of(ws, j);
            for (size_t d = 0; d < n; d++)
                res[d] -= h[j] * z[d];
        }
    }
    for (size_t a = 0; a < c->n_active; a++) {
        size_t j = c->active[a];
        double *z = latent_of(ws, j);
        const double *k = c->gain + j * rows;
        for (size_t i = 0; i < rows; i++) {
            if (k[i] == 0.0)
                continue;
            const double *res = ws->resid + i * cap;
            for (size_t d = 0; d < n; d++)
                z[d] += k[i] * res[d];
        }
    }
    for (size_t s = 0; s < ns; s++) {
        size_t i = m->stochastic[s];
        const sp_indicator *ind = &m->indicators[i];
        const double *w = latent_of(ws, s);
        double *u = ws->trend + s * cap, *e = ws->ar + s * cap;
        for (size_t d = 0; d < n; d++) {
            u[d] = ind->trend_sd * w[d];
            e[d] = 0.0;
        }
        double *row0 = ws->out[s];
        for (int t = 1, p = 0; t <= ind->last_obs; t++) {
            const double *eps = latent_of(ws, ns * (size_t)t + s);
            double *r = row0 + (size_t)t * cap;
            double ar1 = ind->ar1, sd = ind->sd[t - 1], mean = ind->mean[t - 1];
            for (size_t d = 0; d < n; d++) {
                e[d] = ar1 * e[d] + sd * eps[d];
                r[d] = mean + u[d] + e[d];
            }
            if (!observed_at(ind, t))
                continue;
            ws->clamps[i] += observed_interval(ind, row0, cap, p, t, n);
            p = t;
        }
    }
}

/* Phase 2: the processes of every stochastic indicator over the batch. */
static void run_processes(const sp_model *m, size_t n, sp_model_ws *ws)
{
    size_t ns = m->n_stochastic, cap = ws->capacity;
    int conditioned = m->cond != NULL ? m->cond->n_steps : 0;
    correlate(m, ws, 0, n);
    if (m->cond != NULL)
        condition_batch(m, n, ws);
    for (size_t s = 0; s < ns && m->cond == NULL; s++) {
        const sp_indicator *ind = &m->indicators[m->stochastic[s]];
        const double *w = normals_of(m, ws, 0, s);
        double *u = ws->trend + s * cap, *e = ws->ar + s * cap;
        double mu = 0.0, sigma = ind->trend_sd;
        for (size_t d = 0; d < n; d++) {
            u[d] = mu + sigma * w[d];
            e[d] = 0.0;
        }
    }
    for (size_t t = 1; t < ws->n_years; t++) {
        if ((int)t > conditioned)
            correlate(m, ws, t, n);
        for (size_t s = 0; s < ns; s++) {
            size_t i = m->stochastic[s];
            const sp_indicator *ind = &m->indicators[i];
            if ((int)t <= ind->last_obs)
                continue; /* done by condition_batch */
            double *eps = ws->eps;
            if ((int)t <= conditioned) {
                memcpy(eps, latent_of(ws, ns * t + s), n * sizeof *eps);
            } else {
                memcpy(eps, normals_of(m, ws, t, s), n * sizeof *eps);
                innovations(ind, eps, n);
            }
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

size_t sp_model_n_variates(const sp_model *m)
{
    size_t n = ((size_t)m->n_steps + 1) * m->n_stochastic;
    for (size_t k = 0; k < m->n_events; k++) {
        const sp_event *ev = &m->events[k];
        for (int t = 1; t <= m->n_steps; t++)
            if (t >= ev->first_step && t <= ev->last_step)
                n += 1 + ev->n_effects;
    }
    return n;
}

/* Where the fixed-layout variates of one draw come from: a point of a
 * quasi-random sequence (QMC), the generator with each value recorded in
 * `v` (RECORD), or the mirror of the recorded values (MIRROR: -z for a
 * normal, 1 - U for a uniform). */
typedef enum { SRC_QMC, SRC_RECORD, SRC_MIRROR } coord_kind;

typedef struct {
    coord_kind kind;
    sp_sobol *q;
    gsl_rng *rng;
    double *v; /* [sp_model_n_variates] */
} coord_src;

static double coord_normal(coord_src *c, size_t j)
{
    switch (c->kind) {
    case SRC_QMC:
        return gsl_cdf_ugaussian_Pinv(sp_sobol_uniform(c->q, j));
    case SRC_RECORD:
        return c->v[j] = gsl_ran_gaussian_ziggurat(c->rng, 1.0);
    default:
        return -c->v[j];
    }
}

static double coord_uniform(coord_src *c, size_t j)
{
    switch (c->kind) {
    case SRC_QMC:
        return sp_sobol_uniform(c->q, j);
    case SRC_RECORD:
        return c->v[j] = gsl_rng_uniform(c->rng);
    default:
        return 1.0 - c->v[j];
    }
}

/* The variates of draw d from c, one coordinate each in the order of
 * draw_all, an event's effects keeping theirs when it does not occur
 * (sp_model_n_variates). draw_all walks the same steps but draws an
 * effect's normal only when its event occurs, which is the documented
 * stream of plain Monte Carlo (§4.4), and keeps the generator's state in
 * registers; the two walks stay separate for that. */
static void fixed_layout_draw(const sp_model *m, sp_model_ws *ws, size_t d,
                              coord_src *c)
{
    size_t ns = m->n_stochastic;
    size_t years = ws->n_years, cap = ws->capacity, events = m->n_events;
    double *z = ws->normals + d;
    size_t j = 0;
    for (size_t t = 0; t < years; t++) {
        for (size_t s = 0; s < ns; s++, z += cap)
            *z = coord_normal(c, j++);
        for (size_t k = 0; t > 0 && k < events; k++) {
            const sp_event *ev = &m->events[k];
            if ((int)t < ev->first_step || (int)t > ev->last_step)
                continue;
            bool occurs = coord_uniform(c, j++) < ev->probability;
            occurs_of(m, ws, k, t)[d] = occurs;
            for (size_t e = 0; e < ev->n_effects; e++, j++) {
                const sp_effect *ef = &ev->effects[e];
                double x = coord_normal(c, j);
                if (occurs)
                    shocks_of(m, ws, t, ef->slot)[d] += ef->mean + ef->sd * x;
            }
        }
    }
}

static void start_batch(const sp_model *m, size_t n, sp_model_ws *ws)
{
    for (size_t i = 0; i < m->n_indicators; i++) {
        double *row = sp_model_row(ws, i, 0);
        for (size_t d = 0; d < n; d++)
            row[d] = m->indicators[i].base;
    }
}

static void finish_batch(const sp_model *m, size_t n, sp_model_ws *ws)
{
    run_processes(m, n, ws);
    eval_derived(m, n, ws);
    eval_targets(m, n, ws);
}

void sp_model_batch(const sp_model *m, gsl_rng *rng, size_t n, sp_model_ws *ws)
{
    start_batch(m, n, ws);
    draw_variates(m, rng, n, ws);
    finish_batch(m, n, ws);
}

void sp_model_batch_qmc(const sp_model *m, sp_sobol *q, size_t n,
                        sp_model_ws *ws)
{
    start_batch(m, n, ws);
    clear_shocks(m, ws);
    coord_src c = {SRC_QMC, q, NULL, NULL};
    for (size_t d = 0; d < n; d++, sp_sobol_next(q))
        fixed_layout_draw(m, ws, d, &c);
    finish_batch(m, n, ws);
}

void sp_model_batch_antithetic(const sp_model *m, gsl_rng *rng, size_t n,
                               sp_model_ws *ws)
{
    start_batch(m, n, ws);
    clear_shocks(m, ws);
    coord_src c = {SRC_RECORD, NULL, rng, ws->pair};
    for (size_t d = 0; d < n; d++) {
        c.kind = d % 2 == 0 ? SRC_RECORD : SRC_MIRROR;
        fixed_layout_draw(m, ws, d, &c);
    }
    finish_batch(m, n, ws);
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
 * the first step of the indicator that is not observed, or for an event
 * the first step after the last observed step of one of the indicators it
 * hits. Observed steps are data, and events are not applied up to an
 * indicator's last observed step. */
static int first_active_step(const sp_model *m, size_t j)
{
    size_t ns = m->n_stochastic;
    if (j < 2 * ns) {
        const sp_indicator *ind = &m->indicators[m->stochastic[j - ns]];
        int t = 1;
        while (observed_at(ind, t))
            t++;
        return t;
    }
    const sp_event *ev = &m->events[j - 2 * ns];
    int first = m->n_steps + 1;
    for (size_t e = 0; e < ev->n_effects; e++) {
        int obs = m->indicators[m->stochastic[ev->effects[e].slot]].last_obs;
        first = obs + 1 < first ? obs + 1 : first;
    }
    return first;
}

/* The steps first..last of slot s that are not observed. */
static int projected_steps(const sp_model *m, size_t s, int first, int last)
{
    const sp_indicator *ind = &m->indicators[m->stochastic[s]];
    int count = 0;
    for (int t = first; t <= last; t++)
        count += !observed_at(ind, t);
    return count;
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
        const sp_indicator *ind = &m->indicators[m->stochastic[s]];
        for (int t = first; t <= last; t++) {
            if (observed_at(ind, t))
                continue;
            const double *z = ws->normals + ((size_t)t * ns + s) * cap;
            for (size_t d = 0; d < n; d++)
                out[d] += z[d];
        }
        double len = (double)projected_steps(m, s, first, last);
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
        scale = 1.0 / sqrt((double)projected_steps(m, j - ns, first, last));
    *lo = -TERCILE * scale;
    *hi = TERCILE * scale;
}
