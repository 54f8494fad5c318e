/*
 * Tests of model/sp_model: one draw of hand-built models against closed
 * forms.
 */
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
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
    double d[3] = {0.03 - 0.01, 0.005 - 0.01, 0.025 - 0.01};
    double prec = 1.0 / (0.02 * 0.02), num = 0.0;
    for (int t = 0; t < 3; t++) {
        prec += 1.0 / (sd[t] * sd[t]);
        num += d[t] / (sd[t] * sd[t]);
    }
    assert_close(ind->obs_mu, num / prec, 1e-12);
    assert_close(ind->obs_sigma, sqrt(1.0 / prec), 1e-12);
    assert_close(ind->obs_resid, d[2], 1e-15);
    /* Every draw has the observed levels in the observed years. */
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    sp_model_ws *ws = sp_model_ws_alloc(&m, 100);
    sp_model_batch(&m, r, 100, ws);
    for (size_t t = 1; t <= 3; t++)
        for (size_t k = 0; k < 100; k++)
            assert_true(sp_model_row(ws, 0, t)[k] == obs[t - 1]);
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
        cmocka_unit_test(observed_steps_should_not_enter_the_inputs),
        cmocka_unit_test(input_windows_should_leave_out_observed_steps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
