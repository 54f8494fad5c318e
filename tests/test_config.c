/*
 * Tests of src/input/sp_config and src/input/sp_compile: a scenario read
 * from text gets the documented defaults and its digest; every value is
 * where the file put it; compiling expands path periods year by year,
 * orders derived indicators by dependency, evaluates their base-year
 * values and names the defect it refuses. (The one-defect fixtures of
 * tests/data/errors cover the loader's error paths through the command.)
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <gsl/gsl_errno.h>

#include "sp_compile.h"
#include "sp_config.h"
#include "sp_digest.h"

#define SCENARIO_HEAD                                                          \
    "scenario = { name = \"t\"; base_year = 2020; horizon = 2025; };\n"        \
    "simulation = { draws = 5000; seed = 11; };\n"

#define TWO_RATES                                                              \
    "indicators = (\n"                                                         \
    "  { name = \"gdp\"; kind = \"rate\"; base = 100.0;\n"                     \
    "    path = ( { from = 2021; to = 2022; mean = 0.06; sd = 0.01; },\n"      \
    "             { from = 2023; to = 2025; mean = 0.04; sd = 0.02; } ); },\n" \
    "  { name = \"ei\"; kind = \"rate\"; base = 2.0;\n"                        \
    "    path = ( { from = 2021; to = 2025; mean = -0.03; sd = 0.01; } );\n"   \
    "    trend_sd = 0.005; ar1 = 0.4; },\n"                                    \
    "  { name = \"co2\"; kind = \"derived\"; formula = \"energy * 2\"; },\n"   \
    "  { name = \"energy\"; kind = \"derived\"; formula = \"gdp * ei\"; }\n"   \
    ");\n"

#define ONE_TARGET                                                             \
    "targets = ( { id = \"g\"; name = \"growth\"; indicator = \"gdp\";\n"      \
    "  measure = \"cagr\"; from = 2020; to = 2025; op = \">=\";\n"             \
    "  value = 0.045; } );\n"

static sp_status load(const char *text, sp_scenario *sc, sp_error *err)
{
    memset(sc, 0, sizeof *sc);
    sp_error_clear(err);
    return sp_config_load_text("t.cfg", text, sc, err);
}

static void loader_should_fill_values_and_documented_defaults(void **state)
{
    (void)state;
    sp_scenario sc;
    sp_error err;
    assert_int_equal(load(SCENARIO_HEAD TWO_RATES ONE_TARGET, &sc, &err),
                     SP_OK);
    assert_string_equal(sc.file, "t.cfg");
    assert_int_equal(sc.base_year, 2020);
    assert_int_equal(sc.horizon, 2025);
    assert_int_equal(sc.draws, 5000);
    assert_int_equal(sc.seed, 11);
    assert_string_equal(sc.rng, "");
    assert_string_equal(sc.region, "World");
    assert_int_equal(sc.n_indicators, 4);
    const sp_indicator_spec *gdp = &sc.indicators[0], *ei = &sc.indicators[1];
    assert_string_equal(gdp->name, "gdp");
    assert_int_equal(gdp->kind, SP_KIND_RATE);
    assert_true(gdp->base == 100.0);
    assert_int_equal(gdp->n_path, 2);
    assert_int_equal(gdp->path[1].from, 2023);
    assert_true(gdp->path[1].sd == 0.02);
    assert_true(gdp->trend_sd == 0.0 && gdp->ar1 == 0.0);
    assert_int_equal(gdp->marginal.family, SP_FAMILY_NORMAL);
    assert_string_equal(gdp->variable, "gdp");
    assert_true(ei->trend_sd == 0.005 && ei->ar1 == 0.4);
    assert_int_equal(sc.indicators[3].kind, SP_KIND_DERIVED);
    assert_string_equal(sc.indicators[3].formula, "gdp * ei");
    assert_int_equal(sc.n_targets, 1);
    assert_int_equal(sc.targets[0].measure, SP_MEASURE_CAGR);
    assert_int_equal(sc.targets[0].op, SP_OP_GE);
    assert_true(sc.targets[0].value == 0.045);
    assert_int_equal(sc.targets[0].line, 13);
    sp_scenario_destroy(&sc);
}

static void loader_should_record_the_text_and_its_sha256(void **state)
{
    (void)state;
    const char *text = SCENARIO_HEAD TWO_RATES ONE_TARGET;
    sp_scenario sc;
    sp_error err;
    assert_int_equal(load(text, &sc, &err), SP_OK);
    assert_int_equal(sc.text_len, strlen(text));
    assert_memory_equal(sc.text, text, sc.text_len);
    char hex[65];
    sp_digest_hex(text, strlen(text), hex);
    assert_string_equal(sc.sha256, hex);
    sp_scenario_destroy(&sc);
}

static void loader_should_name_line_and_field_of_a_bad_value(void **state)
{
    (void)state;
    sp_scenario sc;
    sp_error err;
    const char *text =
        SCENARIO_HEAD "indicators = (\n"
                      "  { name = \"gdp\"; kind = \"rate\"; base = 100.0;\n"
                      "    path = ( { from = 2021; to = 2025; mean = 0.05;\n"
                      "               sd = -0.1; } ); }\n"
                      ");\n" ONE_TARGET;
    assert_int_equal(load(text, &sc, &err), SP_ERR_RANGE);
    assert_string_equal(err.file, "t.cfg");
    assert_int_equal(err.line, 6);
    assert_string_equal(err.field, "indicators.gdp.path[0].sd");
    assert_null(sc.indicators);
}

static void loader_should_refuse_an_unknown_key(void **state)
{
    (void)state;
    sp_scenario sc;
    sp_error err;
    const char *text = SCENARIO_HEAD
        "indicators = (\n"
        "  { name = \"gdp\"; kind = \"rate\"; base = 100.0; trend = 0.1;\n"
        "    path = ( { from = 2021; to = 2025; mean = 0.05; sd = 0.1; } ); }\n"
        ");\n" ONE_TARGET;
    assert_int_equal(load(text, &sc, &err), SP_ERR_UNKNOWN_KEY);
    assert_int_equal(err.line, 4);
    assert_non_null(strstr(err.field, "trend"));
}

static void loader_should_refuse_a_draw_count_libconfig_wraps(void **state)
{
    (void)state;
    /* 4294968296 = 2^32 + 1000: libconfig 1.5 reads it as 1000. */
    sp_scenario sc;
    sp_error err;
    const char *text =
        "scenario = { name = \"t\"; base_year = 2020; horizon = 2025; };\n"
        "simulation = { draws = 4294968296; seed = 11; };\n" TWO_RATES
            ONE_TARGET;
    assert_int_not_equal(load(text, &sc, &err), SP_OK);
    assert_string_equal(err.field, "simulation.draws");
    assert_int_equal(err.line, 2);
}

static void compile_should_expand_periods_year_by_year(void **state)
{
    (void)state;
    sp_scenario sc;
    sp_compiled c = {0};
    sp_error err;
    assert_int_equal(load(SCENARIO_HEAD TWO_RATES ONE_TARGET, &sc, &err),
                     SP_OK);
    assert_int_equal(sp_compile(&sc, &c, &err), SP_OK);
    const sp_model *m = &c.model;
    assert_int_equal(m->n_steps, 5);
    assert_int_equal(m->n_stochastic, 2);
    const sp_indicator *gdp = &m->indicators[0];
    const double mean[5] = {0.06, 0.06, 0.04, 0.04, 0.04};
    const double sd[5] = {0.01, 0.01, 0.02, 0.02, 0.02};
    for (int t = 0; t < 5; t++) {
        assert_true(gdp->mean[t] == mean[t]);
        assert_true(gdp->sd[t] == sd[t]);
    }
    assert_null(m->chol); /* no correlations: identity */
    sp_compiled_destroy(&c);
    sp_scenario_destroy(&sc);
}

static void compile_should_order_derived_by_dependency(void **state)
{
    (void)state;
    sp_scenario sc;
    sp_compiled c = {0};
    sp_error err;
    assert_int_equal(load(SCENARIO_HEAD TWO_RATES ONE_TARGET, &sc, &err),
                     SP_OK);
    assert_int_equal(sp_compile(&sc, &c, &err), SP_OK);
    const sp_model *m = &c.model;
    assert_int_equal(m->n_derived, 2);
    /* co2 (index 2) uses energy (index 3): energy first. */
    assert_int_equal(m->derived_order[0], 3);
    assert_int_equal(m->derived_order[1], 2);
    /* Base-year values from the formulas: energy = 100 * 2, co2 = 400. */
    assert_true(m->indicators[3].base == 200.0);
    assert_true(m->indicators[2].base == 400.0);
    sp_compiled_destroy(&c);
    sp_scenario_destroy(&sc);
}

static void compile_should_name_a_cycle_and_a_bad_correlation(void **state)
{
    (void)state;
    sp_scenario sc;
    sp_compiled c = {0};
    sp_error err;
    const char *cycle = SCENARIO_HEAD
        "indicators = (\n"
        "  { name = \"gdp\"; kind = \"rate\"; base = 100.0;\n"
        "    path = ( { from = 2021; to = 2025; mean = 0.05; sd = 0.1; } ); },\n"
        "  { name = \"a\"; kind = \"derived\"; formula = \"b + gdp\"; },\n"
        "  { name = \"b\"; kind = \"derived\"; formula = \"a * 2\"; }\n"
        ");\n" ONE_TARGET;
    assert_int_equal(load(cycle, &sc, &err), SP_OK);
    assert_int_equal(sp_compile(&sc, &c, &err), SP_ERR_CYCLE);
    assert_non_null(strstr(err.message, "a"));
    assert_non_null(strstr(err.message, "b"));
    assert_true(err.line == 5 || err.line == 6);
    sp_scenario_destroy(&sc);

    const char *not_pd = SCENARIO_HEAD
        "indicators = (\n"
        "  { name = \"x\"; kind = \"rate\"; base = 1.0;\n"
        "    path = ( { from = 2021; to = 2025; mean = 0.0; sd = 0.1; } ); },\n"
        "  { name = \"y\"; kind = \"rate\"; base = 1.0;\n"
        "    path = ( { from = 2021; to = 2025; mean = 0.0; sd = 0.1; } ); },\n"
        "  { name = \"z\"; kind = \"rate\"; base = 1.0;\n"
        "    path = ( { from = 2021; to = 2025; mean = 0.0; sd = 0.1; } ); }\n"
        ");\n"
        "correlations = ( { a = \"x\"; b = \"y\"; rho = 0.9; },\n"
        "                 { a = \"x\"; b = \"z\"; rho = 0.9; },\n"
        "                 { a = \"y\"; b = \"z\"; rho = -0.9; } );\n"
        "targets = ( { id = \"g\"; name = \"g\"; indicator = \"x\";\n"
        "  measure = \"level\"; year = 2025; op = \">=\"; value = 1.0; } );\n";
    assert_int_equal(load(not_pd, &sc, &err), SP_OK);
    memset(&c, 0, sizeof c);
    assert_int_equal(sp_compile(&sc, &c, &err), SP_ERR_CORRELATION);
    assert_string_equal(err.file, "t.cfg");
    sp_scenario_destroy(&sc);
}

/* Observed years may have gaps and come in any order: the loader keeps
 * each as written, and compiling puts them at their steps, with NaN in
 * the years between, and conditions the model on all of them at once
 * (tests/data/observed/gaps.cfg). A repeated year is still refused by
 * line and field. */
static void observed_years_with_gaps_should_load_and_compile(void **state)
{
    (void)state;
    sp_scenario sc = {0};
    sp_compiled c = {0};
    sp_error err;
    sp_error_clear(&err);
    char path[4096];
    snprintf(path, sizeof path, "%s/../tests/data/observed/gaps.cfg",
             SCENARIO_DIR);
    sp_status st = sp_config_load(path, &sc, &err);
    if (st == SP_OK)
        st = sp_compile(&sc, &c, &err);
    if (st != SP_OK)
        fail_msg("%s:%d: %s: %s", err.file, err.line, err.field, err.message);
    assert_int_equal(sc.n_observed, 4);
    assert_string_equal(sc.observed[0].indicator, "gdp");
    assert_int_equal(sc.observed[0].year, 2024);
    assert_int_equal(sc.observed[2].year, 2022);
    const sp_model *m = &c.model;
    const sp_indicator *gdp = &m->indicators[0], *x = &m->indicators[1];
    assert_int_equal(gdp->n_obs, 2);
    assert_int_equal(gdp->last_obs, 4);
    assert_true(isnan(gdp->obs[0]) && isnan(gdp->obs[2]));
    assert_true(gdp->obs[1] == 110.0 && gdp->obs[3] == 121.0);
    assert_int_equal(x->n_obs, 2);
    assert_int_equal(x->last_obs, 5);
    assert_true(x->obs[0] == 0.51 && x->obs[4] == 0.56);
    for (int t = 1; t < 4; t++)
        assert_true(isnan(x->obs[t]));
    assert_int_equal(m->indicators[2].n_obs, 0);
    assert_non_null(m->cond);
    assert_int_equal(m->cond->n_rows, 4);
    assert_int_equal(m->cond->n_steps, 5);
    /* y is not observed but correlated with gdp: its trend moves. */
    assert_true(m->indicators[2].obs_mu != 0.0);
    assert_true(m->indicators[2].obs_sigma < m->indicators[2].trend_sd);
    sp_compiled_destroy(&c);
    sp_scenario_destroy(&sc);

    const char *dup = SCENARIO_HEAD TWO_RATES ONE_TARGET
        "observed = (\n"
        "  { indicator = \"gdp\"; year = 2022; value = 110.0; },\n"
        "  { indicator = \"gdp\"; year = 2024; value = 120.0; },\n"
        "  { indicator = \"gdp\"; year = 2022; value = 111.0; }\n"
        ");\n";
    assert_int_equal(load(dup, &sc, &err), SP_ERR_DUPLICATE);
    assert_string_equal(err.field, "observed[2].year");
    assert_int_equal(err.line, 19);
    assert_non_null(strstr(err.message, "lines 17 and 19"));
}

static void every_shipped_scenario_should_load_and_compile(void **state)
{
    (void)state;
    const char *names[] = {"baseline",     "minimal", "heavy_industry",
                           "green_push",   "shock",   "ontrack_2024",
                           "backtest_2016"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s.cfg", SCENARIO_DIR, names[i]);
        sp_scenario sc = {0};
        sp_compiled c = {0};
        sp_error err;
        sp_error_clear(&err);
        sp_status st = sp_config_load(path, &sc, &err);
        if (st == SP_OK)
            st = sp_compile(&sc, &c, &err);
        if (st != SP_OK)
            fail_msg("%s:%d: %s: %s", err.file, err.line, err.field,
                     err.message);
        assert_true(sc.n_targets > 0);
        sp_compiled_destroy(&c);
        sp_scenario_destroy(&sc);
    }
}

int main(void)
{
    gsl_set_error_handler_off(); /* as main() does */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(loader_should_fill_values_and_documented_defaults),
        cmocka_unit_test(loader_should_record_the_text_and_its_sha256),
        cmocka_unit_test(loader_should_name_line_and_field_of_a_bad_value),
        cmocka_unit_test(loader_should_refuse_an_unknown_key),
        cmocka_unit_test(loader_should_refuse_a_draw_count_libconfig_wraps),
        cmocka_unit_test(compile_should_expand_periods_year_by_year),
        cmocka_unit_test(compile_should_order_derived_by_dependency),
        cmocka_unit_test(compile_should_name_a_cycle_and_a_bad_correlation),
        cmocka_unit_test(observed_years_with_gaps_should_load_and_compile),
        cmocka_unit_test(every_shipped_scenario_should_load_and_compile),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
