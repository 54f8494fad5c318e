/*
 * Tests of model/sp_model: one draw of hand-built models against closed
 * forms.
 */
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_rng.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "sp_model.h"
#include "sp_test.h"

/* A model of `n_stoch` stochastic indicators over `steps` years, each with
 * constant path mean `mean` and sd `sd`; the caller adjusts the rest. */
static sp_model make_model(size_t n_stoch, int steps, sp_kind kind, double base,
                           double mean, double sd)
{
    sp_model m = {0};
    m.base_year = 2020;
    m.n_steps = steps;
    m.n_indicators = m.n_stochastic = n_stoch;
    m.indicators = calloc(n_stoch, sizeof *m.indicators);
    m.stochastic = calloc(n_stoch, sizeof *m.stochastic);
    for (size_t i = 0; i < n_stoch; i++) {
        sp_indicator *ind = &m.indicators[i];
        ind->kind = kind;
        ind->base = base;
        ind->mean = calloc((size_t)steps, sizeof *ind->mean);
        ind->sd = calloc((size_t)steps, sizeof *ind->sd);
        for (int t = 0; t < steps; t++) {
            ind->mean[t] = mean;
            ind->sd[t] = sd;
        }
        m.stochastic[i] = i;
    }
    return m;
}

static void add_delta_target(sp_model *m, double value)
{
    m->n_targets = 1;
    m->targets = calloc(1, sizeof *m->targets);
    m->targets[0].measure = SP_MEASURE_DELTA;
    m->targets[0].from_step = 0;
    m->targets[0].to_step = m->n_steps;
    m->targets[0].op = SP_OP_GE;
    m->targets[0].value = value;
}

/* Fraction of n draws meeting target 0, with the clamp count. */
static double met_fraction(const sp_model *m, size_t n, uint64_t seed,
                           uint64_t *clamps)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, (unsigned long)seed);
    sp_model_ws *ws = sp_model_ws_alloc(m, 500);
    size_t count = 0;
    for (size_t done = 0; done < n; done += 500) {
        sp_model_batch(m, r, 500, ws);
        for (size_t d = 0; d < 500; d++)
            count += ws->met[d];
    }
    *clamps = ws->clamps[0];
    sp_model_ws_free(ws);
    gsl_rng_free(r);
    return (double)count / (double)n;
}

/* Closed form (doc/model.md §3.5): far from its bounds a share's delta over n
 * years is normal with mean n m and variance
 * n^2 trend_sd^2 + sd^2 sum_{k=1..n} ((1 - ar1^k) / (1 - ar1))^2. */
static void check_share_delta(double ar1)
{
    const int n = 5;
    const double m = 0.01, sd = 0.01, trend_sd = 0.004, v = 0.058;
    sp_model model = make_model(1, n, SP_KIND_SHARE, 0.5, m, sd);
    model.indicators[0].trend_sd = trend_sd;
    model.indicators[0].ar1 = ar1;
    add_delta_target(&model, v);
    double var = n * n * trend_sd * trend_sd;
    for (int k = 1; k <= n; k++) {
        double g = (1.0 - pow(ar1, k)) / (1.0 - ar1);
        var += sd * sd * g * g;
    }
    double p = gsl_cdf_ugaussian_Q((v - n * m) / sqrt(var));
    const size_t draws = 200000;
    uint64_t clamps;
    double phat = met_fraction(&model, draws, 20201231, &clamps);
    assert_int_equal(clamps, 0);
    assert_within_sigma(phat, p, sqrt(p * (1.0 - p) / (double)draws), 4.0);
    sp_model_destroy(&model);
}

/* Closed form (doc/model.md §3.1): a share on the logit scale moves
 * logit S by the annual driver, so logit S[n] - logit S[0] is normal with
 * the variance of check_share_delta, and P(S[n] >= x) follows from it
 * however near the bound S lies; nothing is ever clamped. */
static void logit_share_level_should_match_closed_form(void **state)
{
    (void)state;
    const int n = 5;
    const double base = 0.9, m = 0.1, sd = 0.3, trend_sd = 0.1, ar1 = 0.5;
    const double x = 0.95;
    sp_model model = make_model(1, n, SP_KIND_SHARE, base, m, sd);
    model.indicators[0].trend_sd = trend_sd;
    model.indicators[0].ar1 = ar1;
    model.indicators[0].logit = true;
    model.n_targets = 1;
    model.targets = calloc(1, sizeof *model.targets);
    model.targets[0].measure = SP_MEASURE_LEVEL;
    model.targets[0].from_step = n;
    model.targets[0].to_step = n;
    model.targets[0].op = SP_OP_GE;
    model.targets[0].value = x;
    double var = n * n * trend_sd * trend_sd;
    for (int k = 1; k <= n; k++) {
        double g = (1.0 - pow(ar1, k)) / (1.0 - ar1);
        var += sd * sd * g * g;
    }
    double z = (log(x / (1 - x)) - log(base / (1 - base)) - n * m) / sqrt(var);
    double p = gsl_cdf_ugaussian_Q(z);
    const size_t draws = 200000;
    uint64_t clamps;
    double phat = met_fraction(&model, draws, 20211231, &clamps);
    assert_int_equal(clamps, 0);
    assert_within_sigma(phat, p, sqrt(p * (1.0 - p) / (double)draws), 4.0);
    sp_model_destroy(&model);
}

static void share_delta_should_match_closed_form_without_ar1(void **state)
{
    (void)state;
    check_share_delta(0.0);
}

static void share_delta_should_match_closed_form_with_ar1(void **state)
{
    (void)state;
    check_share_delta(0.5);
}

static void certain_event_should_add_its_effect_every_year(void **state)
{
    (void)state;
    sp_model m = make_model(1, 4, SP_KIND_SHARE, 0.3, 0.01, 0.0);
    m.n_events = 1;
    m.events = calloc(1, sizeof *m.events);
    m.events[0] = (sp_event){1.0, 2, 3, 1, calloc(1, sizeof(sp_effect))};
    m.events[0].effects[0] = (sp_effect){0, 0.05, 0.0};
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    sp_model_ws *ws = sp_model_ws_alloc(&m, 1);
    sp_model_batch(&m, r, 1, ws);
    /* Years 1 and 4 move by 0.01, years 2 and 3 by 0.06. */
    assert_close(sp_model_row(ws, 0, 4)[0], 0.3 + 0.01 * 4 + 0.05 * 2, 1e-15);
    assert_close(sp_model_row(ws, 0, 1)[0], 0.31, 1e-15);
    sp_model_ws_free(ws);
    gsl_rng_free(r);
    sp_model_destroy(&m);
}

static void rate_below_floor_should_be_clamped_and_counted(void **state)
{
    (void)state;
    sp_model m = make_model(1, 3, SP_KIND_RATE, 100.0, -2.0, 0.0);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    sp_model_ws *ws = sp_model_ws_alloc(&m, 1);
    sp_model_batch(&m, r, 1, ws);
    assert_close(sp_model_row(ws, 0, 3)[0], 100.0 * pow(1.0 + SP_RATE_FLOOR, 3),
                 1e-12);
    assert_int_equal(ws->clamps[0], 3);
    sp_model_ws_free(ws);
    gsl_rng_free(r);
    sp_model_destroy(&m);
}

/* With correlation rho between two indicators and no AR or trend, the
 * first-year rates are correlated normals; the sample correlation has
 * standard error about (1 - rho^2) / sqrt(n). */
static void copula_should_give_the_requested_correlation(void **state)
{
    (void)state;
    const double rho = 0.6;
    sp_model m = make_model(2, 1, SP_KIND_RATE, 1.0, 0.0, 0.01);
    double corr[4] = {1.0, rho, rho, 1.0};
    sp_error err;
    assert_int_equal(sp_model_set_correlation(&m, corr, &err), SP_OK);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    const size_t n = 100000;
    sp_model_ws *ws = sp_model_ws_alloc(&m, 1000);
    double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
    for (size_t done = 0; done < n; done += 1000) {
        sp_model_batch(&m, r, 1000, ws);
        const double *xs = sp_model_row(ws, 0, 1), *ys = sp_model_row(ws, 1, 1);
        for (size_t d = 0; d < 1000; d++) {
            double x = xs[d] - 1.0, y = ys[d] - 1.0;
            sx += x, sy += y, sxx += x * x, syy += y * y, sxy += x * y;
        }
    }
    double nn = (double)n;
    double c = (sxy / nn - sx * sy / (nn * nn)) /
               sqrt((sxx / nn - sx * sx / (nn * nn)) *
                    (syy / nn - sy * sy / (nn * nn)));
    assert_within_sigma(c, rho, (1.0 - rho * rho) / sqrt(nn), 4.0);
    sp_model_ws_free(ws);
    gsl_rng_free(r);
    sp_model_destroy(&m);
}

static void non_positive_definite_matrix_should_be_rejected(void **state)
{
    (void)state;
    sp_model m = make_model(3, 1, SP_KIND_RATE, 1.0, 0.0, 0.01);
    double corr[9] = {1.0, 0.9, 0.9, 0.9, 1.0, -0.9, 0.9, -0.9, 1.0};
    sp_error err;
    sp_error_clear(&err);
    assert_int_equal(sp_model_set_correlation(&m, corr, &err),
                     SP_ERR_CORRELATION);
    assert_non_null(strstr(err.message, "not positive definite"));
    sp_model_destroy(&m);
}

/* A derived indicator is evaluated for every step and draw of a batch,
 * and a non-finite value is counted. */
static void derived_rows_should_follow_their_formula(void **state)
{
    (void)state;
    sp_model m = make_model(2, 3, SP_KIND_RATE, 2.0, 0.1, 0.02);
    m.n_indicators = 3;
    m.indicators = realloc(m.indicators, 3 * sizeof *m.indicators);
    memset(&m.indicators[2], 0, sizeof m.indicators[2]);
    m.indicators[2].kind = SP_KIND_DERIVED;
    const char *names[] = {"a", "b", "c"};
    char msg[100];
    assert_int_equal(sp_expr_compile("a * b - log(b - 2)", names, 3,
                                     &m.indicators[2].formula, msg, sizeof msg),
                     SP_OK);
    m.n_derived = 1;
    m.derived_order = calloc(1, sizeof *m.derived_order);
    m.derived_order[0] = 2;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    sp_model_ws *ws = sp_model_ws_alloc(&m, 64);
    sp_model_batch(&m, r, 64, ws);
    uint64_t bad = 0;
    for (size_t t = 1; t <= 3; t++)
        for (size_t d = 0; d < 64; d++) {
            double a = sp_model_row(ws, 0, t)[d], b = sp_model_row(ws, 1, t)[d];
            double c = sp_model_row(ws, 2, t)[d];
            double want = a * b - log(b - 2.0);
            if (isfinite(want))
                assert_true(c == want);
            else
                bad++;
        }
    assert_int_equal(ws->nonfinite[2], bad);
    sp_model_ws_free(ws);
    gsl_rng_free(r);
    sp_model_destroy(&m);
}

/* With ar1 = 0 the residuals are u + sd_t eps_t, independent given u,
 * so u | d ~ N(m, v) with v = 1 / (1/tau^2 + sum 1/sd_t^2) and
 * m = v sum d_t / sd_t^2 (the normal-normal conjugate update). */
static void observed_years_should_condition_the_trend_exactly(void **state)
{
    (void)state;
    sp_model m = make_model(1, 6, SP_KIND_SHARE, 0.4, 0.01, 0.0);
    sp_indicator *ind = &m.indicators[0];
    ind->trend_sd = 0.02;
    double sd[6] = {0.01, 0.02, 0.015, 0.01, 0.01, 0.01};
    memcpy(ind->sd, sd, sizeof sd);
    double obs[3] = {0.43, 0.435, 0.46}; /* rates 0.03, 0.005, 0.025 */
    sp_error err;
    assert_int_equal(sp_model_observe(&m, 0, obs, 3, &err), SP_OK);
    assert_int_equal(sp_model_condition(&m, &err), SP_OK);
    double d[3] = {0.03 - 0.01, 0.005 - 0.01, 0.025 - 0.01};
    double prec = 1.0 / (0.02 * 0.02), num = 0.0;
    for (int t = 0; t < 3; t++) {
        prec += 1.0 / (sd[t] * sd[t]);
        num += d[t] / (sd[t] * sd[t]);
    }
    assert_close(ind->obs_mu, num / prec, 1e-12);
    assert_close(ind->obs_sigma, sqrt(1.0 / prec), 1e-12);
    /* Every draw has the observed levels in the observed years, and its
     * corrected trend and innovations reproduce the observed residuals:
     * u + sd_t eps_t = d_t (a = 0), so the AR state after step 3 is
     * d_3 - u (up to the ridge's 1e-12 relative shift of K, §6.2). */
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    sp_model_ws *ws = sp_model_ws_alloc(&m, 100);
    sp_model_batch(&m, r, 100, ws);
    for (size_t t = 1; t <= 3; t++)
        for (size_t k = 0; k < 100; k++) {
            assert_true(sp_model_row(ws, 0, t)[k] == obs[t - 1]);
            double eps = ws->latent[t * 100 + k]; /* latent index n_s t */
            assert_close(ws->trend[k] + sd[t - 1] * eps, d[t - 1], 1e-11);
        }
    sp_model_ws_free(ws);
    gsl_rng_free(r);
    sp_model_destroy(&m);
}

/* The Gaussian conditional of a scalar x given a vector d (k <= 4) of
 * observations: mean c' V^-1 d and variance vx - c' V^-1 c, with
 * c = Cov(x, d) and V = Cov(d). */
static void gaussian_conditional(size_t k, const double *v, const double *c,
                                 const double *d, double vx, double *mean,
                                 double *var)
{
    double vv[16], cc[4], dd[4], xc[4], xd[4];
    memcpy(vv, v, k * k * sizeof *v);
    memcpy(cc, c, k * sizeof *c);
    memcpy(dd, d, k * sizeof *d);
    gsl_matrix_view vm = gsl_matrix_view_array(vv, k, k);
    gsl_vector_view cv = gsl_vector_view_array(cc, k);
    gsl_vector_view dv = gsl_vector_view_array(dd, k);
    gsl_vector_view xcv = gsl_vector_view_array(xc, k);
    gsl_vector_view xdv = gsl_vector_view_array(xd, k);
    assert_int_equal(gsl_linalg_cholesky_decomp1(&vm.matrix), GSL_SUCCESS);
    gsl_linalg_cholesky_solve(&vm.matrix, &cv.vector, &xcv.vector);
    gsl_linalg_cholesky_solve(&vm.matrix, &dv.vector, &xdv.vector);
    *mean = 0.0;
    *var = vx;
    for (size_t i = 0; i < k; i++) {
        *mean += c[i] * xd[i];
        *var -= c[i] * xc[i];
    }
}

/* Sample mean and variance over n draws of the trend shift u of slot s
 * and of the level of indicator i in step t. */
static void sample_moments(const sp_model *m, size_t n, uint64_t seed, size_t s,
                           size_t i, size_t t, double *u_mean, double *u_var,
                           double *x_mean, double *x_var)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, (unsigned long)seed);
    const size_t batch = 1000;
    sp_model_ws *ws = sp_model_ws_alloc(m, batch);
    double su = 0, suu = 0, sx = 0, sxx = 0;
    for (size_t done = 0; done < n; done += batch) {
        sp_model_batch(m, r, batch, ws);
        const double *u = ws->trend + s * batch, *x = sp_model_row(ws, i, t);
        for (size_t d = 0; d < batch; d++) {
            su += u[d], suu += u[d] * u[d];
            sx += x[d], sxx += x[d] * x[d];
        }
    }
    double nn = (double)n;
    *u_mean = su / nn;
    *u_var = (suu - su * su / nn) / (nn - 1.0);
    *x_mean = sx / nn;
    *x_var = (sxx - sx * sx / nn) / (nn - 1.0);
    sp_model_ws_free(ws);
    gsl_rng_free(r);
}

/* Standard errors, for n normal draws, of a sample mean and variance. */
static double se_mean(double var, size_t n)
{
    return sqrt(var / (double)n);
}

static double se_var(double var, size_t n)
{
    return var * sqrt(2.0 / ((double)n - 1.0));
}

/* Two correlated normal indicators, only the first observed (steps 1..3,
 * a = 0): the second's trend shift follows the closed-form Gaussian
 * conditional. With d_t = tau1 w1 + sd1 eps1_t, Cov(u2, d_t) =
 * rho tau1 tau2, Cov(d) = tau1^2 1 1' + sd1^2 I; the second's step-1
 * driver tau2 w2 + sd2 eps2_1 also has Cov(., d_1) += rho sd1 sd2. */
static void observing_one_should_condition_a_correlated_other(void **state)
{
    (void)state;
    const double rho = 0.6, tau1 = 0.02, tau2 = 0.03, sd1 = 0.01, sd2 = 0.015,
                 m0 = 0.01, base = 0.5;
    sp_model m = make_model(2, 5, SP_KIND_SHARE, base, m0, sd1);
    m.indicators[0].trend_sd = tau1;
    m.indicators[1].trend_sd = tau2;
    for (int t = 0; t < 5; t++)
        m.indicators[1].sd[t] = sd2;
    double corr[4] = {1.0, rho, rho, 1.0};
    sp_error err;
    assert_int_equal(sp_model_set_correlation(&m, corr, &err), SP_OK);
    double obs[3] = {0.53, 0.545, 0.575}; /* drivers 0.03, 0.015, 0.03 */
    double d[3] = {0.03 - m0, 0.015 - m0, 0.03 - m0};
    assert_int_equal(sp_model_observe(&m, 0, obs, 3, &err), SP_OK);
    assert_int_equal(sp_model_condition(&m, &err), SP_OK);
    double v[9], c[3], mu, var;
    for (int a = 0; a < 3; a++) {
        for (int b = 0; b < 3; b++)
            v[a * 3 + b] = tau1 * tau1 + (a == b ? sd1 * sd1 : 0.0);
        c[a] = rho * tau1 * tau2;
    }
    gaussian_conditional(3, v, c, d, tau2 * tau2, &mu, &var);
    assert_true(mu > 0.005); /* the observations move the other's trend */
    double pm, ps;
    assert_true(sp_model_conditional_moments(&m, 1, 0, &pm, &ps));
    assert_close(pm, mu, 1e-12);
    assert_close(ps * ps, var, 1e-12);
    assert_close(m.indicators[1].obs_mu, mu, 1e-12);
    assert_close(m.indicators[1].obs_sigma, sqrt(var), 1e-12);
    double mu1, var1; /* the second's step-1 driver */
    c[0] += rho * sd1 * sd2;
    for (int a = 1; a < 3; a++)
        c[a] = rho * tau1 * tau2;
    gaussian_conditional(3, v, c, d, tau2 * tau2 + sd2 * sd2, &mu1, &var1);
    assert_true(sp_model_conditional_moments(&m, 1, 1, &pm, &ps));
    assert_close(pm, mu1, 1e-12);
    assert_close(ps * ps, var1, 1e-12);
    /* The draws: 4 sigma with a fixed seed. */
    const size_t n = 200000;
    double um, uv, xm, xv;
    sample_moments(&m, n, 20240101, 1, 1, 1, &um, &uv, &xm, &xv);
    assert_within_sigma(um, mu, se_mean(var, n), 4.0);
    assert_within_sigma(uv, var, se_var(var, n), 4.0);
    assert_within_sigma(xm, base + m0 + mu1, se_mean(var1, n), 4.0);
    assert_within_sigma(xv, var1, se_var(var1, n), 4.0);
    sp_model_destroy(&m);
}

/* A share observed in steps 1 and 3 only, with AR(1): the data are
 * d1 = u + e1 and D = (S3 - S1) - m2 - m3 = 2u + e2 + e3, with
 * e1 = s1 eps1, e2 = a s1 eps1 + s2 eps2, e3 = a^2 s1 eps1 + a s2 eps2 +
 * s3 eps3; u and the step-2 level S2 = S1 + m2 + u + e2 follow the
 * Gaussian conditional given (d1, D). */
static void a_gap_should_condition_the_trend_and_the_gap_year(void **state)
{
    (void)state;
    const double tau = 0.02, a = 0.5, s1 = 0.01, s2 = 0.02, s3 = 0.015,
                 m0 = 0.01;
    sp_model m = make_model(1, 5, SP_KIND_SHARE, 0.4, m0, s1);
    sp_indicator *ind = &m.indicators[0];
    ind->trend_sd = tau;
    ind->ar1 = a;
    ind->sd[1] = s2;
    ind->sd[2] = s3;
    double obs[3] = {0.43, NAN, 0.47};
    sp_error err;
    assert_int_equal(sp_model_observe(&m, 0, obs, 3, &err), SP_OK);
    assert_int_equal(sp_model_condition(&m, &err), SP_OK);
    assert_int_equal(ind->n_obs, 2);
    assert_int_equal(ind->last_obs, 3);
    double d[2] = {0.03 - m0, 0.04 - 2 * m0};
    double aa = a + a * a, t2 = tau * tau;
    double v[4] = {t2 + s1 * s1, 2 * t2 + aa * s1 * s1, 2 * t2 + aa * s1 * s1,
                   4 * t2 + aa * aa * s1 * s1 + (1 + a) * (1 + a) * s2 * s2 +
                       s3 * s3};
    double cu[2] = {t2, 2 * t2};
    double c2[2] = {t2 + a * s1 * s1,
                    2 * t2 + a * aa * s1 * s1 + (1 + a) * s2 * s2};
    double mu, var, mu2, var2;
    gaussian_conditional(2, v, cu, d, t2, &mu, &var);
    gaussian_conditional(2, v, c2, d, t2 + a * a * s1 * s1 + s2 * s2, &mu2,
                         &var2);
    double pm, ps;
    assert_true(sp_model_conditional_moments(&m, 0, 0, &pm, &ps));
    assert_close(pm, mu, 1e-12);
    assert_close(ps * ps, var, 1e-12);
    assert_true(sp_model_conditional_moments(&m, 0, 2, &pm, &ps));
    assert_close(pm, mu2, 1e-12);
    assert_close(ps * ps, var2, 1e-12);
    const size_t n = 200000;
    double um, uv, xm, xv;
    sample_moments(&m, n, 20240303, 0, 0, 2, &um, &uv, &xm, &xv);
    assert_within_sigma(um, mu, se_mean(var, n), 4.0);
    assert_within_sigma(uv, var, se_var(var, n), 4.0);
    assert_within_sigma(xm, 0.43 + m0 + mu2, se_mean(var2, n), 4.0);
    assert_within_sigma(xv, var2, se_var(var2, n), 4.0);
    sp_model_destroy(&m);
}

/* Observed steps are the data in every draw, whatever the kind, the gaps,
 * the family or the correlation: a rate observed in steps 1, 3 and 4 (its
 * gap year's (1 + r) rescaled so that step 3 is met), a logit share with
 * a gap, a correlated share with a t family observed once, and a rate
 * with sd and trend_sd 0 whose single observation contradicts its mean
 * (the ridge case: nothing to condition, the level is still the datum). */
static void observed_steps_should_equal_their_data_in_every_draw(void **state)
{
    (void)state;
    sp_model m = make_model(4, 6, SP_KIND_RATE, 100.0, 0.03, 0.02);
    m.indicators[0].trend_sd = 0.01;
    m.indicators[0].ar1 = 0.3;
    m.indicators[1].kind = SP_KIND_SHARE;
    m.indicators[1].logit = true;
    m.indicators[1].base = 0.6;
    m.indicators[1].trend_sd = 0.05;
    m.indicators[2].kind = SP_KIND_SHARE;
    m.indicators[2].base = 0.3;
    m.indicators[2].trend_sd = 0.01;
    m.indicators[2].marginal.family = SP_FAMILY_T;
    m.indicators[2].marginal.df = 5.0;
    for (int t = 0; t < 6; t++)
        m.indicators[3].sd[t] = 0.0;
    double corr[16] = {1.0, 0.5, 0.3, 0.0, 0.5, 1.0, 0.2, 0.0,
                       0.3, 0.2, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0};
    sp_error err;
    assert_int_equal(sp_model_set_correlation(&m, corr, &err), SP_OK);
    double rate[4] = {104.0, NAN, 112.0, 114.0};
    double logit[3] = {0.62, NAN, 0.7};
    double share[2] = {NAN, 0.34};
    double flat[1] = {110.0};
    assert_int_equal(sp_model_observe(&m, 0, rate, 4, &err), SP_OK);
    assert_int_equal(sp_model_observe(&m, 1, logit, 3, &err), SP_OK);
    assert_int_equal(sp_model_observe(&m, 2, share, 2, &err), SP_OK);
    assert_int_equal(sp_model_observe(&m, 3, flat, 1, &err), SP_OK);
    assert_int_equal(sp_model_build_tables(&m, &err), SP_OK);
    assert_int_equal(sp_model_condition(&m, &err), SP_OK);
    const double *data[4] = {rate, logit, share, flat};
    const int steps[4] = {4, 3, 2, 1};
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    const size_t batch = 256;
    sp_model_ws *ws = sp_model_ws_alloc(&m, batch);
    for (int rep = 0; rep < 20; rep++) {
        sp_model_batch(&m, r, batch, ws);
        for (size_t i = 0; i < 4; i++)
            for (int t = 1; t <= 6; t++)
                for (size_t d = 0; d < batch; d++) {
                    double x = sp_model_row(ws, i, (size_t)t)[d];
                    if (t <= steps[i] && !isnan(data[i][t - 1]))
                        assert_true(x == data[i][t - 1]);
                    else
                        assert_true(isfinite(x) && x > 0.0);
                }
        /* The flat rate continues from its datum at its path mean. */
        for (size_t d = 0; d < batch; d++)
            assert_close(sp_model_row(ws, 3, 6)[d], 110.0 * pow(1.03, 5), 1e-9);
    }
    assert_int_equal(ws->clamps[0], 0);
    sp_model_ws_free(ws);
    gsl_rng_free(r);
    sp_model_destroy(&m);
}

/* A model of two rate indicators over 6 steps, the first observed in
 * steps 1..3, with an event on the first alone in steps 1..3 and one on
 * both in steps 2..5; target 0 is the first's delta over steps 0..6 (a
 * window that overlaps the observed steps), target 1 its level at step 2
 * (a window of observed steps only). */
static sp_model observed_model(void)
{
    sp_model m = make_model(2, 6, SP_KIND_RATE, 100.0, 0.03, 0.02);
    m.indicators[0].trend_sd = 0.01;
    double obs[3] = {103.0, 106.0, 110.0};
    sp_error err;
    assert_int_equal(sp_model_observe(&m, 0, obs, 3, &err), SP_OK);
    assert_int_equal(sp_model_condition(&m, &err), SP_OK);
    m.n_events = 2;
    m.events = calloc(2, sizeof *m.events);
    m.events[0] = (sp_event){0.5, 1, 3, 1, calloc(1, sizeof(sp_effect))};
    m.events[0].effects[0] = (sp_effect){0, -0.05, 0.0};
    m.events[1] = (sp_event){0.5, 2, 5, 2, calloc(2, sizeof(sp_effect))};
    m.events[1].effects[0] = (sp_effect){0, -0.05, 0.0};
    m.events[1].effects[1] = (sp_effect){1, -0.05, 0.0};
    m.n_targets = 2;
    m.targets = calloc(2, sizeof *m.targets);
    m.targets[0] = (sp_target){.measure = SP_MEASURE_DELTA,
                               .indicator = 0,
                               .from_step = 0,
                               .to_step = 6,
                               .op = SP_OP_GE,
                               .value = 20.0};
    m.targets[1] = (sp_target){.measure = SP_MEASURE_LEVEL,
                               .indicator = 0,
                               .from_step = 2,
                               .to_step = 2,
                               .op = SP_OP_GE,
                               .value = 100.0};
    return m;
}

/* The inputs of both targets for a batch of n draws, input after input. */
static void all_inputs(const sp_model *m, const sp_model_ws *ws, size_t n,
                       double *out)
{
    size_t ni = sp_model_n_inputs(m);
    for (size_t k = 0; k < m->n_targets; k++)
        for (size_t j = 0; j < ni; j++)
            sp_model_input_row(m, ws, k, j, n, out + (k * ni + j) * n);
}

/* Observed steps are data: whatever innovations and event occurrences
 * were drawn for them, the drivers' and PRIM's inputs stay the same, the
 * mean innovation is the mean over the projected steps of the window,
 * and an input whose window is all observed steps is constant and falls
 * in neither group of the driver split. */
static void observed_steps_should_not_enter_the_inputs(void **state)
{
    (void)state;
    sp_model m = observed_model();
    const size_t n = 64, ns = 2, ni = sp_model_n_inputs(&m);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    sp_model_ws *ws = sp_model_ws_alloc(&m, n);
    sp_model_batch(&m, r, n, ws);
    double *before = malloc(2 * ni * n * sizeof *before);
    double *after = malloc(2 * ni * n * sizeof *after);
    all_inputs(&m, ws, n, before);
    for (size_t d = 0; d < n; d++) {
        double hand =
            (ws->normals[(4 * ns) * n + d] + ws->normals[(5 * ns) * n + d] +
             ws->normals[(6 * ns) * n + d]) /
            3.0;
        assert_close(before[(0 * ni + ns) * n + d], hand, 1e-15);
        assert_true(before[(1 * ni + ns) * n + d] == 0.0);
        assert_true(before[(1 * ni + 2 * ns) * n + d] == 0.0);
        assert_true(before[(0 * ni + 2 * ns) * n + d] == 0.0);
    }
    /* Other innovations and occurrences in the observed steps of the
     * first indicator (the first event hits only it). */
    for (size_t t = 1; t <= 3; t++)
        for (size_t d = 0; d < n; d++) {
            ws->normals[(t * ns) * n + d] = 5.0 + (double)d;
            ws->occurs[(0 * 6 + (t - 1)) * n + d] = 1;
        }
    all_inputs(&m, ws, n, after);
    assert_memory_equal(before, after, 2 * ni * n * sizeof *before);
    double lo, hi;
    sp_model_input_split(&m, 1, ns, &lo, &hi);
    assert_true(lo == -HUGE_VAL && hi == HUGE_VAL);
    sp_model_input_split(&m, 0, ns, &lo, &hi);
    assert_close(hi, 0.43072729929545756 / sqrt(3.0), 1e-15);
    free(before);
    free(after);
    sp_model_ws_free(ws);
    gsl_rng_free(r);
    sp_model_destroy(&m);
}

/* The window of each input: the trend keeps the target's window, the
 * innovations lose the observed steps, an event keeps the steps in which
 * one of the indicators it hits is projected. */
static void input_windows_should_leave_out_observed_steps(void **state)
{
    (void)state;
    sp_model m = observed_model();
    int first, last;
    assert_true(sp_model_input_window(&m, 0, 0, &first, &last));
    assert_int_equal(first, 1);
    assert_int_equal(last, 6);
    assert_true(sp_model_input_window(&m, 0, 2, &first, &last));
    assert_int_equal(first, 4);
    assert_int_equal(last, 6);
    assert_true(sp_model_input_window(&m, 0, 3, &first, &last));
    assert_int_equal(first, 1); /* the second indicator is not observed */
    assert_false(sp_model_input_window(&m, 0, 4, &first, &last));
    assert_true(sp_model_input_window(&m, 0, 5, &first, &last));
    assert_int_equal(first, 2); /* the event's own years, 2..5 */
    assert_int_equal(last, 5);
    assert_false(sp_model_input_window(&m, 1, 2, &first, &last));
    assert_true(sp_model_input_window(&m, 1, 3, &first, &last));
    assert_int_equal(last, 2);
    sp_model_destroy(&m);
}

/* With a gap the innovations input of a target covers the window's steps
 * that are not observed: a share observed in steps 1 and 3 of 5 has, for
 * its delta over steps 0..5, the mean of its normals of steps 2, 4 and 5,
 * split at the tercile of a normal of variance 1/3. */
static void inputs_should_skip_observed_steps_after_a_gap(void **state)
{
    (void)state;
    sp_model m = make_model(1, 5, SP_KIND_SHARE, 0.4, 0.01, 0.01);
    m.indicators[0].trend_sd = 0.01;
    double obs[3] = {0.41, NAN, 0.43};
    sp_error err;
    assert_int_equal(sp_model_observe(&m, 0, obs, 3, &err), SP_OK);
    assert_int_equal(sp_model_condition(&m, &err), SP_OK);
    add_delta_target(&m, 0.05);
    int first, last;
    assert_true(sp_model_input_window(&m, 0, 1, &first, &last));
    assert_int_equal(first, 2);
    assert_int_equal(last, 5);
    const size_t n = 32;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    sp_model_ws *ws = sp_model_ws_alloc(&m, n);
    sp_model_batch(&m, r, n, ws);
    double out[32];
    sp_model_input_row(&m, ws, 0, 1, n, out);
    for (size_t d = 0; d < n; d++) {
        double hand = (ws->normals[2 * n + d] + ws->normals[4 * n + d] +
                       ws->normals[5 * n + d]) /
                      3.0;
        assert_close(out[d], hand, 1e-15);
    }
    double lo, hi;
    sp_model_input_split(&m, 0, 1, &lo, &hi);
    assert_close(hi, 0.43072729929545756 / sqrt(3.0), 1e-15);
    sp_model_ws_free(ws);
    gsl_rng_free(r);
    sp_model_destroy(&m);
}

int main(void)
{
    gsl_set_error_handler_off(); /* as main() does: statuses are checked */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(share_delta_should_match_closed_form_without_ar1),
        cmocka_unit_test(logit_share_level_should_match_closed_form),
        cmocka_unit_test(share_delta_should_match_closed_form_with_ar1),
        cmocka_unit_test(certain_event_should_add_its_effect_every_year),
        cmocka_unit_test(rate_below_floor_should_be_clamped_and_counted),
        cmocka_unit_test(copula_should_give_the_requested_correlation),
        cmocka_unit_test(non_positive_definite_matrix_should_be_rejected),
        cmocka_unit_test(derived_rows_should_follow_their_formula),
        cmocka_unit_test(observed_years_should_condition_the_trend_exactly),
        cmocka_unit_test(observing_one_should_condition_a_correlated_other),
        cmocka_unit_test(a_gap_should_condition_the_trend_and_the_gap_year),
        cmocka_unit_test(observed_steps_should_equal_their_data_in_every_draw),
        cmocka_unit_test(observed_steps_should_not_enter_the_inputs),
        cmocka_unit_test(input_windows_should_leave_out_observed_steps),
        cmocka_unit_test(inputs_should_skip_observed_steps_after_a_gap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
