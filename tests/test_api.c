/*
 * The public C interface (include/simplan.h), linked against the shared
 * libsimplan as a program would be: every function's error paths, the
 * changed scenario and its record, runs equal to the command's numbers,
 * cancellation, and two runs at once on two threads giving what each
 * gives alone.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "simplan.h"
#include "sp_test.h"

#define MINIMAL  SCENARIO_DIR "/minimal.cfg"
#define BASELINE SCENARIO_DIR "/baseline.cfg"
#define DRAWS    20000

static simplan_scenario *load(const char *path)
{
    simplan_scenario *sc = NULL;
    simplan_error err;
    simplan_error_clear(&err);
    if (simplan_scenario_load(path, &sc, &err) != SIMPLAN_OK)
        fail_msg("%s: %s", path, err.message);
    return sc;
}

static simplan_result *run(const simplan_scenario *sc, uint64_t draws,
                           int threads)
{
    simplan_run_options o;
    simplan_run_options_init(&o);
    o.draws = draws;
    o.threads = threads;
    simplan_result *r = NULL;
    simplan_error err;
    if (simplan_run(sc, &o, &r, &err) != SIMPLAN_OK)
        fail_msg("run: %s", err.message);
    return r;
}

static char *csv(const simplan_result *r, simplan_format f)
{
    char *text = NULL;
    simplan_error err;
    if (simplan_result_to_string(r, f, &text, NULL, &err) != SIMPLAN_OK)
        fail_msg("to_string: %s", err.message);
    return text;
}

/* ---- errors --------------------------------------------------------- */

static void statuses_have_names_codes_and_a_formatted_record(void **state)
{
    (void)state;
    assert_string_equal(simplan_status_name(SIMPLAN_OK), "SIMPLAN_OK");
    assert_string_equal(simplan_status_name(SIMPLAN_ERR_CANCELLED),
                        "SIMPLAN_ERR_CANCELLED");
    assert_string_equal(simplan_status_name((simplan_status)99),
                        "SIMPLAN_UNKNOWN_STATUS");
    assert_string_equal(simplan_strerror(SIMPLAN_ERR_RANGE),
                        "value out of range");
    assert_int_equal(simplan_exit_code(SIMPLAN_OK), 0);
    assert_int_equal(simplan_exit_code(SIMPLAN_ERR_USAGE), 1);
    assert_int_equal(simplan_exit_code(SIMPLAN_ERR_PERIODS), 2);
    assert_int_equal(simplan_exit_code(SIMPLAN_ERR_CANCELLED), 3);
    simplan_error e;
    simplan_error_clear(&e);
    e.status = SIMPLAN_ERR_RANGE;
    snprintf(e.file, sizeof e.file, "a.cfg");
    e.line = 7;
    snprintf(e.field, sizeof e.field, "indicators.gdp.base");
    snprintf(e.message, sizeof e.message, "must be positive");
    char buf[600];
    int n = simplan_error_format(&e, buf, sizeof buf);
    assert_string_equal(buf, "a.cfg:7: error: indicators.gdp.base: must be "
                             "positive (value out of range)");
    assert_int_equal(n, (int)strlen(buf));
    char small[8];
    assert_int_equal(simplan_error_format(&e, small, sizeof small), n);
    assert_int_equal(strlen(small), 7);
    assert_non_null(strstr(simplan_features(), "json "));
    assert_true(strlen(simplan_version()) >= 5);
}

static void loading_names_file_line_and_field(void **state)
{
    (void)state;
    simplan_scenario *sc = (simplan_scenario *)1;
    simplan_error err;
    assert_int_equal(simplan_scenario_load("/nonexistent/x.cfg", &sc, &err),
                     SIMPLAN_ERR_IO);
    assert_null(sc);
    assert_string_equal(err.file, "/nonexistent/x.cfg");
    assert_int_equal(simplan_scenario_load(NULL, &sc, &err), SIMPLAN_ERR_USAGE);
    assert_int_equal(simplan_scenario_load(MINIMAL, NULL, &err),
                     SIMPLAN_ERR_USAGE);
    assert_int_equal(simplan_scenario_from_string(NULL, "x", &sc, &err),
                     SIMPLAN_ERR_USAGE);
    assert_int_equal(simplan_scenario_from_string("scenario = {\n name = ;\n",
                                                  "t.cfg", &sc, &err),
                     SIMPLAN_ERR_SYNTAX);
    assert_null(sc);
    assert_string_equal(err.file, "t.cfg");
    assert_int_equal(err.line, 2);
    /* A string without a name is "<string>" in messages. */
    assert_int_equal(simplan_scenario_from_string("x = 1;", NULL, &sc, &err),
                     SIMPLAN_ERR_UNKNOWN_KEY);
    assert_string_equal(err.file, "<string>");
    /* Errors with a NULL record are still returned. */
    assert_int_equal(simplan_scenario_load("/nonexistent/x.cfg", &sc, NULL),
                     SIMPLAN_ERR_IO);
    simplan_scenario_free(NULL);
}

static void a_scenario_from_a_file_or_its_text_is_the_same(void **state)
{
    (void)state;
    simplan_scenario *a = load(MINIMAL);
    FILE *f = fopen(MINIMAL, "rb");
    assert_non_null(f);
    char text[16384];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    simplan_scenario *b = NULL;
    simplan_error err;
    assert_int_equal(simplan_scenario_from_string(text, "m.cfg", &b, &err),
                     SIMPLAN_OK);
    assert_string_equal(simplan_scenario_sha256(a), simplan_scenario_sha256(b));
    assert_string_equal(simplan_scenario_name(a), "minimal");
    assert_string_equal(simplan_scenario_file(a), MINIMAL);
    assert_string_equal(simplan_scenario_file(b), "m.cfg");
    assert_int_equal(simplan_scenario_base_year(a), 2020);
    assert_int_equal(simplan_scenario_horizon(a), 2025);
    assert_int_equal(simplan_scenario_n_targets(a), 2);
    assert_string_equal(simplan_scenario_target_id(a, 1), "ei_2025");
    assert_null(simplan_scenario_target_id(a, 2));
    assert_int_equal(simplan_scenario_n_indicators(a), 3);
    assert_string_equal(simplan_scenario_indicator_name(a, 2), "energy");
    assert_null(simplan_scenario_indicator_name(a, 3));
    assert_int_equal(simplan_scenario_check(a, &err), SIMPLAN_OK);
    char *d = NULL;
    assert_int_equal(simplan_scenario_describe(a, &d, &err), SIMPLAN_OK);
    assert_non_null(strstr(d, "gdp_2025"));
    simplan_free(d);
    assert_int_equal(simplan_scenario_describe(a, NULL, &err),
                     SIMPLAN_ERR_USAGE);
    assert_null(simplan_scenario_name(NULL));
    simplan_scenario_free(a);
    simplan_scenario_free(b);
}

static void set_changes_one_number_and_records_it(void **state)
{
    (void)state;
    simplan_scenario *sc = load(MINIMAL);
    simplan_error err;
    double v;
    const char *path = "indicators.gdp.path[0].mean";
    char sha[65];
    snprintf(sha, sizeof sha, "%s", simplan_scenario_sha256(sc));
    assert_int_equal(simplan_scenario_get(sc, path, &v, &err), SIMPLAN_OK);
    assert_true(v == 0.05);
    assert_int_equal(simplan_scenario_set(sc, path, 0.0612345, &err),
                     SIMPLAN_OK);
    assert_int_equal(simplan_scenario_get(sc, path, &v, &err), SIMPLAN_OK);
    assert_true(v == 0.0612345);
    assert_string_not_equal(simplan_scenario_sha256(sc), sha);
    /* A copy keeps the change; the change survives a run's own copy. */
    simplan_scenario *cp = NULL;
    assert_int_equal(simplan_scenario_copy(sc, &cp, &err), SIMPLAN_OK);
    assert_int_equal(simplan_scenario_get(cp, path, &v, &err), SIMPLAN_OK);
    assert_true(v == 0.0612345);
    assert_string_equal(simplan_scenario_sha256(cp),
                        simplan_scenario_sha256(sc));
    /* Errors: no such number (usage), a value it does not allow (range,
     * the field named), a NULL argument; the scenario is unchanged. */
    assert_int_equal(simplan_scenario_set(sc, "indicators.nope.base", 1, &err),
                     SIMPLAN_ERR_USAGE);
    assert_string_equal(err.field, "indicators.nope.base");
    assert_int_equal(
        simplan_scenario_set(sc, "indicators.gdp.path[0].sd", -1.0, &err),
        SIMPLAN_ERR_RANGE);
    assert_string_equal(err.field, "indicators.gdp.path[0].sd");
    assert_string_equal(err.file, MINIMAL);
    assert_int_equal(simplan_scenario_set(sc, "indicators.gdp.ar1", NAN, &err),
                     SIMPLAN_ERR_RANGE);
    assert_int_equal(
        simplan_scenario_set(sc, "targets.gdp_2025.range[0]", 0.01, &err),
        SIMPLAN_OK);
    assert_int_equal(simplan_scenario_set(sc, NULL, 1, &err),
                     SIMPLAN_ERR_USAGE);
    assert_int_equal(simplan_scenario_set(sc, "a\nb", 1, &err),
                     SIMPLAN_ERR_USAGE);
    assert_int_equal(simplan_scenario_get(sc, "x", &v, &err),
                     SIMPLAN_ERR_USAGE);
    assert_int_equal(simplan_scenario_get(sc, path, NULL, &err),
                     SIMPLAN_ERR_USAGE);
    assert_int_equal(simplan_scenario_copy(NULL, &cp, &err), SIMPLAN_ERR_USAGE);
    assert_int_equal(simplan_scenario_check(NULL, &err), SIMPLAN_ERR_USAGE);
    simplan_scenario_free(cp);
    simplan_scenario_free(sc);
}

static void
set_lines_in_a_text_are_applied_or_refused_at_their_line(void **state)
{
    (void)state;
    FILE *f = fopen(MINIMAL, "rb");
    assert_non_null(f);
    char text[16384];
    size_t n = fread(text, 1, sizeof text - 200, f);
    fclose(f);
    text[n] = '\0';
    int lines = 0;
    for (size_t i = 0; i < n; i++)
        lines += text[i] == '\n';
    char with[16384];
    snprintf(with, sizeof with, "%s#@set indicators.gdp.base = 2.5\n", text);
    simplan_scenario *sc = NULL;
    simplan_error err;
    assert_int_equal(simplan_scenario_from_string(with, "w.cfg", &sc, &err),
                     SIMPLAN_OK);
    double v;
    assert_int_equal(simplan_scenario_get(sc, "indicators.gdp.base", &v, &err),
                     SIMPLAN_OK);
    assert_true(v == 2.5);
    simplan_scenario_free(sc);
    snprintf(with, sizeof with, "%s#@set indicators.gdp.base = x\n", text);
    assert_int_equal(simplan_scenario_from_string(with, "w.cfg", &sc, &err),
                     SIMPLAN_ERR_SYNTAX);
    assert_int_equal(err.line, lines + 1);
    snprintf(with, sizeof with, "%s#@set indicators.gdp.nope = 1\n", text);
    assert_int_equal(simplan_scenario_from_string(with, "w.cfg", &sc, &err),
                     SIMPLAN_ERR_USAGE);
    assert_int_equal(err.line, lines + 1);
    assert_string_equal(err.file, "w.cfg");
}

/* ---- runs ----------------------------------------------------------- */

static void run_options_are_checked_and_named(void **state)
{
    (void)state;
    simplan_scenario *sc = load(MINIMAL);
    simplan_result *r = (simplan_result *)1;
    simplan_error err;
    simplan_run_options o;
    simplan_run_options_init(&o);
    o.draws = 200000000000ULL;
    assert_int_equal(simplan_run(sc, &o, &r, &err), SIMPLAN_ERR_USAGE);
    assert_string_equal(err.field, "draws");
    assert_null(r);
    simplan_run_options_init(&o);
    o.threads = -1;
    assert_int_equal(simplan_run(sc, &o, &r, &err), SIMPLAN_ERR_USAGE);
    assert_string_equal(err.field, "threads");
    simplan_run_options_init(&o);
    o.precision = 0.7;
    assert_int_equal(simplan_run(sc, &o, &r, &err), SIMPLAN_ERR_USAGE);
    assert_string_equal(err.field, "precision");
    simplan_run_options_init(&o);
    o.param_sets = -2;
    assert_int_equal(simplan_run(sc, &o, &r, &err), SIMPLAN_ERR_USAGE);
    assert_string_equal(err.field, "param_sets");
    simplan_run_options_init(&o);
    o.rng = "nope";
    assert_int_equal(simplan_run(sc, &o, &r, &err), SIMPLAN_ERR_USAGE);
    assert_string_equal(err.field, "rng");
    simplan_run_options_init(&o);
    o.variance_reduction = "both";
    assert_int_equal(simplan_run(sc, &o, &r, &err), SIMPLAN_ERR_USAGE);
    assert_string_equal(err.field, "variance_reduction");
    simplan_run_options_init(&o);
    o.draws = 1000;
    o.variance_reduction = "rqmc"; /* needs a multiple of 16384 */
    assert_int_equal(simplan_run(sc, &o, &r, &err), SIMPLAN_ERR_USAGE);
    assert_int_equal(simplan_run(NULL, &o, &r, &err), SIMPLAN_ERR_USAGE);
    assert_int_equal(simplan_run(sc, &o, NULL, &err), SIMPLAN_ERR_USAGE);
    assert_null(r);
    simplan_scenario_free(sc);
}

static void
a_scenario_that_does_not_compile_fails_its_check_and_run(void **state)
{
    (void)state;
    const char *text =
        "scenario = { name = \"t\"; base_year = 2020; horizon = 2022; };\n"
        "simulation = { draws = 1000; seed = 1; };\n"
        "indicators = (\n"
        " { name = \"a\"; kind = \"rate\"; base = 1.0;\n"
        "   path = ({ from = 2021; to = 2022; mean = 0.0; sd = 0.1; }); },\n"
        " { name = \"d\"; kind = \"derived\"; formula = \"a + nope\"; }\n"
        ");\n"
        "targets = ({ id = \"t\"; name = \"t\"; indicator = \"a\";\n"
        "  measure = \"level\"; year = 2022; op = \">=\"; value = 1.0; });\n";
    simplan_scenario *sc = NULL;
    simplan_error err;
    assert_int_equal(simplan_scenario_from_string(text, "d.cfg", &sc, &err),
                     SIMPLAN_OK);
    assert_int_equal(simplan_scenario_check(sc, &err), SIMPLAN_ERR_REFERENCE);
    assert_string_equal(err.file, "d.cfg");
    assert_int_equal(err.line, 6);
    simplan_result *r = NULL;
    assert_int_equal(simplan_run(sc, NULL, &r, &err), SIMPLAN_ERR_REFERENCE);
    assert_null(r);
    char *d = NULL;
    assert_int_equal(simplan_scenario_describe(sc, &d, &err),
                     SIMPLAN_ERR_REFERENCE);
    assert_null(d);
    simplan_scenario_free(sc);
}

static void
a_result_holds_the_run_and_refuses_indices_out_of_range(void **state)
{
    (void)state;
    simplan_scenario *sc = load(BASELINE);
    simplan_result *r = run(sc, DRAWS, 2);
    /* The result keeps its own scenario. */
    simplan_scenario_free(sc);
    simplan_error err;
    assert_int_equal(simplan_result_draws(r), DRAWS);
    assert_int_equal(simplan_result_threads(r), 2);
    assert_string_equal(simplan_result_rng(r), "xoshiro256ss");
    assert_int_equal(simplan_result_seed(r), 20210201);
    const simplan_scenario *own = simplan_result_scenario(r);
    size_t nt = simplan_result_n_targets(r);
    assert_int_equal(nt, simplan_scenario_n_targets(own));
    for (size_t k = 0; k < nt; k++) {
        simplan_target t;
        assert_int_equal(simplan_result_target(r, k, &t, &err), SIMPLAN_OK);
        assert_string_equal(t.id, simplan_scenario_target_id(own, k));
        assert_int_equal(t.draws, DRAWS);
        assert_true(t.probability == (double)t.met / (double)t.draws);
        assert_true(t.ci_lo <= t.probability && t.probability <= t.ci_hi);
        assert_non_null(t.failure);
        for (size_t j = 0; j < simplan_result_n_drivers(r, k); j++) {
            simplan_driver d;
            assert_int_equal(simplan_result_driver(r, k, j, &d, &err),
                             SIMPLAN_OK);
            assert_true(strlen(d.input) > 0);
            assert_true(d.effect == d.p_high - d.p_low);
        }
        simplan_driver d;
        assert_int_equal(simplan_result_driver(
                             r, k, simplan_result_n_drivers(r, k), &d, &err),
                         SIMPLAN_ERR_USAGE);
    }
    simplan_target t;
    assert_int_equal(simplan_result_target(r, nt, &t, &err), SIMPLAN_ERR_USAGE);
    assert_int_equal(simplan_result_target(r, 0, NULL, &err),
                     SIMPLAN_ERR_USAGE);
    simplan_stats s;
    int base = simplan_scenario_base_year(own);
    assert_int_equal(simplan_result_indicator(r, 0, base, &s, &err),
                     SIMPLAN_OK);
    assert_int_equal(s.n, DRAWS);
    assert_int_equal(simplan_result_indicator(r, 0, base - 1, &s, &err),
                     SIMPLAN_ERR_USAGE);
    assert_int_equal(simplan_result_indicator(
                         r, 0, simplan_scenario_horizon(own) + 1, &s, &err),
                     SIMPLAN_ERR_USAGE);
    assert_int_equal(simplan_result_indicator(r, simplan_result_n_indicators(r),
                                              base, &s, &err),
                     SIMPLAN_ERR_USAGE);
    assert_null(
        simplan_result_indicator_name(r, simplan_result_n_indicators(r)));
    assert_null(simplan_result_warning(r, simplan_result_n_warnings(r)));
    assert_int_equal(simplan_result_n_drivers(r, nt), 0);
    char *text = NULL;
    assert_int_equal(
        simplan_result_to_string(r, (simplan_format)99, &text, NULL, &err),
        SIMPLAN_ERR_USAGE);
    assert_string_equal(err.field, "format");
    assert_int_equal(simplan_result_write(r, SIMPLAN_FORMAT_CSV, NULL, &err),
                     SIMPLAN_ERR_USAGE);
    /* A stream that cannot be written is an I/O error. */
    FILE *ro = fopen(SCENARIO_DIR "/minimal.cfg", "r");
    assert_non_null(ro);
    assert_int_equal(simplan_result_write(r, SIMPLAN_FORMAT_TABLE, ro, &err),
                     SIMPLAN_ERR_IO);
    fclose(ro);
    for (int f = SIMPLAN_FORMAT_TABLE; f <= SIMPLAN_FORMAT_MARKDOWN; f++) {
        size_t len = 0;
        simplan_status st =
            simplan_result_to_string(r, (simplan_format)f, &text, &len, &err);
#ifndef SIMPLAN_TEST_HAVE_JSON
        if (f == SIMPLAN_FORMAT_JSON) {
            assert_int_equal(st, SIMPLAN_ERR_UNSUPPORTED);
            continue;
        }
#endif
        assert_int_equal(st, SIMPLAN_OK);
        assert_int_equal(len, strlen(text));
        assert_true(len > 0);
        simplan_free(text);
    }
    simplan_result_free(r);
    simplan_result_free(NULL);
}

static void save_publishes_a_directory_that_merge_reads_back(void **state)
{
    (void)state;
    char dir[] = "/tmp/simplan-api-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char out[300];
    snprintf(out, sizeof out, "%s/run", dir);
    simplan_scenario *sc = load(MINIMAL);
    simplan_error err;
    /* A changed scenario: its state carries the change. */
    assert_int_equal(
        simplan_scenario_set(sc, "indicators.gdp.path[0].mean", 0.06, &err),
        SIMPLAN_OK);
    simplan_result *r = run(sc, 5000, 1);
    assert_int_equal(simplan_result_save(r, out, 0, 0, &err), SIMPLAN_OK);
    assert_int_equal(simplan_result_save(r, out, 0, 0, &err), SIMPLAN_ERR_IO);
    assert_string_equal(err.field, "dir");
    assert_int_equal(simplan_result_save(r, out, 1, 0, &err), SIMPLAN_OK);
    assert_int_equal(simplan_result_save(r, NULL, 1, 0, &err),
                     SIMPLAN_ERR_USAGE);
    char bad[400];
    snprintf(bad, sizeof bad, "%s/no/such/dir", dir);
    assert_int_equal(simplan_result_save(r, bad, 0, 0, &err), SIMPLAN_ERR_IO);
    const char *parts[] = {out};
    simplan_result *m = NULL;
    assert_int_equal(simplan_merge(parts, 1, &m, &err), SIMPLAN_OK);
    char *a = csv(r, SIMPLAN_FORMAT_CSV), *b = csv(m, SIMPLAN_FORMAT_CSV);
    assert_string_equal(a, b);
    simplan_free(a);
    simplan_free(b);
    double v;
    assert_int_equal(simplan_scenario_get(simplan_result_scenario(m),
                                          "indicators.gdp.path[0].mean", &v,
                                          &err),
                     SIMPLAN_OK);
    assert_true(v == 0.06);
    assert_string_equal(simplan_scenario_sha256(simplan_result_scenario(m)),
                        simplan_scenario_sha256(sc));
    simplan_result_free(m);
    const char *missing[] = {bad};
    assert_int_equal(simplan_merge(missing, 1, &m, &err), SIMPLAN_ERR_IO);
    assert_null(m);
    assert_int_equal(simplan_merge(parts, 0, &m, &err), SIMPLAN_ERR_USAGE);
    const char *twice[] = {out, out};
    assert_int_equal(simplan_merge(twice, 2, &m, &err), SIMPLAN_ERR_USAGE);
    assert_null(m);
    simplan_result_free(r);
    simplan_scenario_free(sc);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static void a_cancel_request_stops_a_run_solve_and_sweep(void **state)
{
    (void)state;
    simplan_scenario *sc = load(MINIMAL);
    simplan_cancel *c = simplan_cancel_new();
    assert_non_null(c);
    assert_int_equal(simplan_cancel_requested(c), 0);
    simplan_cancel_request(c);
    assert_int_equal(simplan_cancel_requested(c), 1);
    simplan_run_options o;
    simplan_run_options_init(&o);
    o.draws = 100000;
    o.cancel = c;
    simplan_result *r = NULL;
    simplan_error err;
    assert_int_equal(simplan_run(sc, &o, &r, &err), SIMPLAN_ERR_CANCELLED);
    assert_null(r);
    simplan_solve_spec sp;
    simplan_solve_spec_init(&sp);
    sp.target = "ei_2025";
    sp.probability = 0.5;
    sp.lever = "indicators.energy_intensity.path[0].mean";
    simplan_solution sol;
    assert_int_equal(simplan_solve(sc, &sp, &o, &sol, &err),
                     SIMPLAN_ERR_CANCELLED);
    simplan_axis ax = {"indicators.gdp.path[0].mean", 0.03, 0.07, 3};
    simplan_sweep *sw = NULL;
    assert_int_equal(simplan_sweep_run(sc, &ax, 1, &o, &sw, &err),
                     SIMPLAN_ERR_CANCELLED);
    assert_null(sw);
    simplan_cancel_reset(c);
    assert_int_equal(simplan_run(sc, &o, &r, &err), SIMPLAN_OK);
    simplan_result_free(r);
    simplan_cancel_free(c);
    simplan_cancel_free(NULL);
    simplan_cancel_request(NULL);
    simplan_scenario_free(sc);
}

/* ---- solve and sweep ------------------------------------------------ */

static void solve_finds_a_bracketed_root_and_refuses_bad_specs(void **state)
{
    (void)state;
    simplan_scenario *sc = load(MINIMAL);
    simplan_run_options o;
    simplan_run_options_init(&o);
    o.draws = 10000;
    simplan_solve_spec sp;
    simplan_solve_spec_init(&sp);
    sp.target = "ei_2025";
    sp.probability = 0.5;
    sp.lever = "indicators.energy_intensity.path[0].mean";
    sp.has_range = 1;
    sp.lo = -0.06;
    sp.hi = 0.0;
    simplan_solution s;
    simplan_error err;
    assert_int_equal(simplan_solve(sc, &sp, &o, &s, &err), SIMPLAN_OK);
    assert_true(s.a <= s.value && s.value <= s.b);
    assert_true(s.p_a <= 0.5 || s.p_b <= 0.5);
    assert_true(s.lo == -0.06 && s.hi == 0.0);
    assert_int_equal(s.draws, 10000);
    assert_true(s.evaluations > 2);
    /* The scenario itself is not changed by solving. */
    double v;
    assert_int_equal(simplan_scenario_get(sc, sp.lever, &v, &err), SIMPLAN_OK);
    assert_true(v == -0.03);
    simplan_solve_spec bad = sp;
    bad.target = "nope";
    assert_int_equal(simplan_solve(sc, &bad, &o, &s, &err), SIMPLAN_ERR_USAGE);
    bad = sp;
    bad.lever = "nope";
    assert_int_equal(simplan_solve(sc, &bad, &o, &s, &err), SIMPLAN_ERR_USAGE);
    bad = sp;
    bad.probability = 1.0;
    assert_int_equal(simplan_solve(sc, &bad, &o, &s, &err), SIMPLAN_ERR_USAGE);
    assert_string_equal(err.field, "probability");
    bad = sp;
    bad.tol = -1;
    assert_int_equal(simplan_solve(sc, &bad, &o, &s, &err), SIMPLAN_ERR_USAGE);
    bad = sp;
    bad.lo = 0.5;
    bad.hi = 0.6; /* P never reaches 0.5 there */
    assert_int_equal(simplan_solve(sc, &bad, &o, &s, &err), SIMPLAN_ERR_RANGE);
    bad = sp;
    bad.lever = NULL;
    assert_int_equal(simplan_solve(sc, &bad, &o, &s, &err), SIMPLAN_ERR_USAGE);
    simplan_scenario_free(sc);
}

static void sweep_runs_a_grid_and_refuses_bad_axes(void **state)
{
    (void)state;
    simplan_scenario *sc = load(MINIMAL);
    simplan_run_options o;
    simplan_run_options_init(&o);
    o.draws = 5000;
    simplan_axis ax[2] = {{"indicators.gdp.path[0].mean", 0.03, 0.07, 5},
                          {"indicators.gdp.path[0].sd", 0.01, 0.02, 2}};
    simplan_sweep *sw = NULL;
    simplan_error err;
    assert_int_equal(simplan_sweep_run(sc, ax, 1, &o, &sw, &err), SIMPLAN_OK);
    assert_int_equal(simplan_sweep_n_points(sw), 5);
    assert_int_equal(simplan_sweep_n_targets(sw), 2);
    double x, y, p, lo, hi;
    assert_int_equal(simplan_sweep_point(sw, 4, 0, &x, &y, &p, &lo, &hi, &err),
                     SIMPLAN_OK);
    assert_true(x == 0.07);
    assert_true(isnan(y));
    assert_true(lo <= p && p <= hi);
    assert_int_equal(simplan_sweep_point(sw, 5, 0, &x, &y, &p, &lo, &hi, &err),
                     SIMPLAN_ERR_USAGE);
    assert_int_equal(simplan_sweep_point(sw, 0, 2, &x, &y, &p, &lo, &hi, &err),
                     SIMPLAN_ERR_USAGE);
    char *text = NULL;
    assert_int_equal(
        simplan_sweep_to_string(sw, SIMPLAN_FORMAT_CSV, &text, NULL, &err),
        SIMPLAN_OK);
    assert_non_null(strstr(text, "indicators.gdp.path[0].mean"));
    simplan_free(text);
    assert_int_equal(
        simplan_sweep_to_string(sw, SIMPLAN_FORMAT_IAMC_CSV, &text, NULL, &err),
        SIMPLAN_ERR_USAGE);
    simplan_sweep_free(sw);
    assert_int_equal(simplan_sweep_run(sc, ax, 2, &o, &sw, &err), SIMPLAN_OK);
    assert_int_equal(simplan_sweep_n_points(sw), 10);
    assert_int_equal(simplan_sweep_point(sw, 9, 1, &x, &y, &p, &lo, &hi, &err),
                     SIMPLAN_OK);
    assert_true(x == 0.07 && y == 0.02);
    simplan_sweep_free(sw);
    sw = NULL;
    assert_int_equal(simplan_sweep_run(sc, ax, 0, &o, &sw, &err),
                     SIMPLAN_ERR_USAGE);
    assert_int_equal(simplan_sweep_run(sc, ax, 3, &o, &sw, &err),
                     SIMPLAN_ERR_USAGE);
    simplan_axis one = {"indicators.gdp.path[0].mean", 0.03, 0.07, 1};
    assert_int_equal(simplan_sweep_run(sc, &one, 1, &o, &sw, &err),
                     SIMPLAN_ERR_USAGE);
    simplan_axis none = {NULL, 0.03, 0.07, 3};
    assert_int_equal(simplan_sweep_run(sc, &none, 1, &o, &sw, &err),
                     SIMPLAN_ERR_USAGE);
    simplan_axis same[2] = {ax[0], ax[0]};
    assert_int_equal(simplan_sweep_run(sc, same, 2, &o, &sw, &err),
                     SIMPLAN_ERR_USAGE);
    simplan_axis beyond = {"indicators.gdp.path[0].sd", -1.0, 0.02, 3};
    assert_int_equal(simplan_sweep_run(sc, &beyond, 1, &o, &sw, &err),
                     SIMPLAN_ERR_USAGE);
    assert_null(sw);
    simplan_sweep_free(NULL);
    simplan_scenario_free(sc);
}

/* ---- the other entry points ---------------------------------------- */

static void solutions_sweeps_and_dirs_are_written_and_refused(void **state)
{
    (void)state;
    char dir[] = "/tmp/simplan-api-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char out[300], sw_out[300];
    snprintf(out, sizeof out, "%s/solve", dir);
    snprintf(sw_out, sizeof sw_out, "%s/sweep", dir);
    simplan_scenario *sc = load(MINIMAL);
    simplan_error err;
    assert_int_equal(simplan_out_dir_check(out, 0, &err), SIMPLAN_OK);
    assert_int_equal(simplan_out_dir_check(NULL, 0, &err), SIMPLAN_ERR_USAGE);
    simplan_run_options o;
    simplan_run_options_init(&o);
    o.draws = 5000;
    simplan_solve_spec sp;
    simplan_solve_spec_init(&sp);
    sp.target = "ei_2025";
    sp.probability = 0.5;
    sp.lever = "indicators.energy_intensity.path[0].mean";
    simplan_solution sol;
    assert_int_equal(simplan_solve(sc, &sp, &o, &sol, &err), SIMPLAN_OK);
    char *text = NULL;
    assert_int_equal(simplan_solution_to_string(
                         sc, &sp, &sol, SIMPLAN_FORMAT_CSV, &text, NULL, &err),
                     SIMPLAN_OK);
    assert_non_null(strstr(text, "ei_2025"));
    simplan_free(text);
    assert_int_equal(simplan_solution_to_string(sc, &sp, &sol,
                                                SIMPLAN_FORMAT_IAMC_CSV, &text,
                                                NULL, &err),
                     SIMPLAN_ERR_USAGE);
    assert_int_equal(simplan_solution_save(sc, &sp, &sol, out, 0, &err),
                     SIMPLAN_OK);
    assert_int_equal(simplan_solution_save(sc, &sp, &sol, out, 0, &err),
                     SIMPLAN_ERR_IO);
    assert_string_equal(err.field, "dir");
    assert_int_equal(simplan_out_dir_check(out, 0, &err), SIMPLAN_ERR_IO);
    assert_int_equal(simplan_out_dir_check(out, 1, &err), SIMPLAN_OK);
    assert_int_equal(simplan_solution_save(NULL, &sp, &sol, out, 1, &err),
                     SIMPLAN_ERR_USAGE);
    simplan_axis ax = {"indicators.gdp.path[0].mean", 0.03, 0.07, 3};
    simplan_sweep *sw = NULL;
    assert_int_equal(simplan_sweep_run(sc, &ax, 1, &o, &sw, &err), SIMPLAN_OK);
    assert_int_equal(simplan_sweep_save(sw, sw_out, 0, 0, &err), SIMPLAN_OK);
    assert_null(simplan_sweep_chart_warning(sw));
    assert_int_equal(simplan_sweep_save(sw, sw_out, 0, 0, &err),
                     SIMPLAN_ERR_IO);
    assert_int_equal(simplan_sweep_save(NULL, sw_out, 1, 0, &err),
                     SIMPLAN_ERR_USAGE);
    simplan_sweep_free(sw);
    simplan_scenario_free(sc);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static void slices_comparisons_and_command_lines(void **state)
{
    (void)state;
    char dir[] = "/tmp/simplan-api-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char parts[2][300];
    simplan_scenario *sc = load(MINIMAL);
    simplan_error err;
    simplan_run_options o;
    simplan_run_options_init(&o);
    o.draws = 20000;
    o.slices = 2;
    /* A slice needs somewhere to keep its state. */
    o.slice = 1;
    simplan_result *r = NULL;
    assert_int_equal(simplan_run(sc, &o, &r, &err), SIMPLAN_ERR_USAGE);
    assert_string_equal(err.field, "slice");
    o.slice = 3;
    snprintf(parts[0], sizeof parts[0], "%s/p1", dir);
    o.out_dir = parts[0];
    assert_int_equal(simplan_run(sc, &o, &r, &err), SIMPLAN_ERR_USAGE);
    simplan_result *slice[2] = {NULL, NULL};
    for (uint32_t k = 1; k <= 2; k++) {
        snprintf(parts[k - 1], sizeof parts[k - 1], "%s/p%u", dir, k);
        o.slice = k;
        o.out_dir = parts[k - 1];
        assert_int_equal(simplan_run(sc, &o, &slice[k - 1], &err), SIMPLAN_OK);
        uint64_t first = 99, end = 0;
        assert_int_equal(simplan_result_is_slice(slice[k - 1], &first, &end),
                         1);
        assert_true(first < end);
        char *text = NULL;
        assert_int_equal(simplan_result_to_string(slice[k - 1],
                                                  SIMPLAN_FORMAT_CSV, &text,
                                                  NULL, &err),
                         SIMPLAN_ERR_USAGE);
        assert_null(text);
    }
    const char *paths[] = {parts[0], parts[1]};
    simplan_result *merged = NULL;
    assert_int_equal(simplan_merge(paths, 2, &merged, &err), SIMPLAN_OK);
    assert_int_equal(simplan_result_is_slice(merged, NULL, NULL), 0);
    assert_null(simplan_result_chart_warning(merged));
    simplan_result *whole = run(sc, 20000, 2);
    char *a = csv(whole, SIMPLAN_FORMAT_CSV),
         *b = csv(merged, SIMPLAN_FORMAT_CSV);
    assert_string_equal(a, b);
    simplan_free(a);
    simplan_free(b);
    assert_int_equal(simplan_result_set_command_line(merged, "x y", &err),
                     SIMPLAN_OK);
    assert_int_equal(simplan_result_set_command_line(merged, NULL, &err),
                     SIMPLAN_ERR_USAGE);
    /* Comparisons: a failed run (NULL) and a slice show as failed. */
    const simplan_result *rs[] = {whole, NULL, slice[0]};
    const char *names[] = {"whole", "broken", "slice"};
    char *text = NULL;
    assert_int_equal(simplan_compare_to_string(
                         rs, names, 3, SIMPLAN_FORMAT_TABLE, &text, NULL, &err),
                     SIMPLAN_OK);
    assert_non_null(strstr(text, "failed"));
    assert_non_null(strstr(text, "gdp_2025"));
    simplan_free(text);
    assert_int_equal(simplan_compare_to_string(
                         rs, names, 3, SIMPLAN_FORMAT_JSON, &text, NULL, &err),
                     SIMPLAN_ERR_USAGE);
    assert_int_equal(simplan_compare_to_string(
                         NULL, names, 3, SIMPLAN_FORMAT_CSV, &text, NULL, &err),
                     SIMPLAN_ERR_USAGE);
    assert_int_equal(simplan_compare_save(rs, names, 3, dir, &err), SIMPLAN_OK);
    char file[400];
    snprintf(file, sizeof file, "%s/comparison.csv", dir);
    struct stat sb;
    assert_int_equal(stat(file, &sb), 0);
    assert_int_equal(simplan_compare_save(rs, names, 3, NULL, &err),
                     SIMPLAN_ERR_USAGE);
    simplan_result_free(whole);
    simplan_result_free(merged);
    simplan_result_free(slice[0]);
    simplan_result_free(slice[1]);
    simplan_scenario_free(sc);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static void a_signal_request_fails_as_the_command_does(void **state)
{
    (void)state;
    simplan_scenario *sc = load(MINIMAL);
    simplan_cancel *c = simplan_cancel_new();
    simplan_cancel_request_signal(c, 15);
    assert_int_equal(simplan_cancel_requested(c), 1);
    simplan_run_options o;
    simplan_run_options_init(&o);
    o.draws = 20000;
    o.cancel = c;
    simplan_result *r = NULL;
    simplan_error err;
    assert_int_equal(simplan_run(sc, &o, &r, &err), SIMPLAN_ERR_IO);
    assert_non_null(strstr(err.message, "interrupted by signal 15"));
    simplan_cancel_request_signal(c, 0); /* not a signal: a cancel */
    assert_int_equal(simplan_run(sc, &o, &r, &err), SIMPLAN_ERR_CANCELLED);
    simplan_cancel_free(c);
    simplan_scenario_free(sc);
}

static void bench_fit_and_backtest_run_and_refuse_bad_options(void **state)
{
    (void)state;
    simplan_scenario *sc = load(BASELINE);
    simplan_error err;
    char *text = NULL;
    simplan_bench_options bo;
    simplan_bench_options_init(&bo);
    bo.draws = 20000;
    bo.threads = 1;
    assert_int_equal(
        simplan_bench(sc, &bo, SIMPLAN_FORMAT_TABLE, &text, NULL, &err),
        SIMPLAN_OK);
    assert_non_null(strstr(text, "baseline"));
    simplan_free(text);
    bo.marginal = "gamma";
    assert_int_equal(
        simplan_bench(sc, &bo, SIMPLAN_FORMAT_TABLE, &text, NULL, &err),
        SIMPLAN_ERR_USAGE);
    assert_string_equal(err.field, "marginal");
    bo.marginal = simplan_family_name(simplan_family_count() - 1);
    assert_int_equal(
        simplan_bench(sc, &bo, SIMPLAN_FORMAT_CSV, &text, NULL, &err),
        SIMPLAN_ERR_USAGE);
    assert_int_equal(
        simplan_bench(sc, NULL, SIMPLAN_FORMAT_TABLE, NULL, NULL, &err),
        SIMPLAN_ERR_USAGE);
    /* fit */
    simplan_fit_options fo;
    simplan_fit_options_init(&fo);
    fo.data = DATA_DIR "/inner_mongolia.csv";
    assert_int_equal(
        simplan_fit(sc, &fo, SIMPLAN_FORMAT_CFG, &text, NULL, &err),
        SIMPLAN_OK);
    simplan_scenario *fitted = NULL;
    assert_int_equal(
        simplan_scenario_from_string(text, "fitted.cfg", &fitted, &err),
        SIMPLAN_OK);
    assert_int_equal(simplan_scenario_check(fitted, &err), SIMPLAN_OK);
    simplan_scenario_free(fitted);
    simplan_free(text);
    assert_int_equal(
        simplan_fit(sc, &fo, SIMPLAN_FORMAT_CSV, &text, NULL, &err),
        SIMPLAN_ERR_USAGE);
    fo.n_indicators = 2; /* but no names */
    assert_int_equal(
        simplan_fit(sc, &fo, SIMPLAN_FORMAT_TABLE, &text, NULL, &err),
        SIMPLAN_ERR_USAGE);
    fo.n_indicators = 0;
    fo.data = "/nonexistent/data.csv";
    assert_int_equal(
        simplan_fit(sc, &fo, SIMPLAN_FORMAT_TABLE, &text, NULL, &err),
        SIMPLAN_ERR_IO);
    /* backtest */
    simplan_backtest_options bt;
    simplan_backtest_options_init(&bt);
    bt.data = DATA_DIR "/provinces.csv";
    bt.from = 2014;
    bt.to = 2016;
    bt.draws = 2000;
    bt.no_sd_factor = 1;
    simplan_backtest *b = NULL;
    assert_int_equal(simplan_backtest_run(sc, &bt, &b, &err), SIMPLAN_OK);
    assert_int_equal(
        simplan_backtest_to_string(b, SIMPLAN_FORMAT_CSV, &text, NULL, &err),
        SIMPLAN_OK);
    assert_non_null(strstr(text, "region,origin"));
    simplan_free(text);
    assert_int_equal(
        simplan_backtest_to_string(b, SIMPLAN_FORMAT_CFG, &text, NULL, &err),
        SIMPLAN_ERR_USAGE);
    assert_int_equal(simplan_backtest_save(b, "/nonexistent/dir/x", 0, 0, &err),
                     SIMPLAN_ERR_IO);
    assert_null(simplan_backtest_chart_warning(b));
    simplan_backtest_free(b);
    simplan_backtest_free(NULL);
    simplan_backtest_options bad = bt;
    bad.from = 2017;
    assert_int_equal(simplan_backtest_run(sc, &bad, &b, &err),
                     SIMPLAN_ERR_USAGE);
    bad = bt;
    bad.rng = "nope";
    assert_int_equal(simplan_backtest_run(sc, &bad, &b, &err),
                     SIMPLAN_ERR_USAGE);
    assert_string_equal(err.field, "rng");
    bad = bt;
    bad.threads = -1;
    assert_int_equal(simplan_backtest_run(sc, &bad, &b, &err),
                     SIMPLAN_ERR_USAGE);
    bad = bt;
    bad.data = NULL;
    assert_int_equal(simplan_backtest_run(sc, &bad, &b, &err),
                     SIMPLAN_ERR_USAGE);
    assert_null(b);
    simplan_scenario_free(sc);
}

static void utilities_parse_counts_generators_families_and_mpi(void **state)
{
    (void)state;
    uint64_t v = 0;
    assert_int_equal(simplan_parse_count("2.5e6", 1, 10000000, &v),
                     SIMPLAN_COUNT_OK);
    assert_int_equal(v, 2500000);
    assert_int_equal(simplan_parse_count("1.5", 1, 10, &v),
                     SIMPLAN_COUNT_FRACTION);
    assert_int_equal(simplan_parse_count("11", 1, 10, &v), SIMPLAN_COUNT_RANGE);
    assert_int_equal(simplan_parse_count("-1", 1, 10, &v),
                     SIMPLAN_COUNT_SYNTAX);
    assert_int_equal(simplan_parse_count("1", 1, 10, NULL),
                     SIMPLAN_COUNT_SYNTAX);
    assert_true(simplan_rng_valid("xoshiro256ss"));
    assert_true(simplan_rng_valid("mt19937"));
    assert_false(simplan_rng_valid("nope"));
    assert_false(simplan_rng_valid(NULL));
    assert_true(simplan_family_count() >= 4);
    assert_string_equal(simplan_family_name(0), "normal");
    assert_null(simplan_family_name(simplan_family_count()));
    double dflt = 0;
    size_t with_params = 0;
    for (size_t k = 0; k < simplan_family_count(); k++)
        with_params += simplan_family_param(k, 0, &dflt) != NULL;
    assert_true(with_params > 0);
    assert_null(simplan_family_param(simplan_family_count(), 0, &dflt));
    char path[4096];
    simplan_error err;
    assert_int_equal(simplan_default_scenario(NULL, 0, &err),
                     SIMPLAN_ERR_USAGE);
    simplan_status st = simplan_default_scenario(path, sizeof path, &err);
    assert_true(st == SIMPLAN_OK || st == SIMPLAN_ERR_IO);
    /* Not started under MPI: one rank, and init is a no-op. */
    int argc = 1;
    char arg0[] = "test_api", *args[] = {arg0, NULL}, **argv = args;
    assert_int_equal(simplan_mpi_init(&argc, &argv, &err), SIMPLAN_OK);
    assert_int_equal(simplan_mpi_rank(), 0);
    assert_int_equal(simplan_mpi_size(), 1);
    simplan_mpi_finalize();
}

/* ---- threads -------------------------------------------------------- */

typedef struct {
    const char *path;
    char *csv, *indicators;
} job;

static void *run_job(void *arg)
{
    job *j = arg;
    simplan_scenario *sc = NULL;
    simplan_error err;
    if (simplan_scenario_load(j->path, &sc, &err) != SIMPLAN_OK)
        return NULL;
    simplan_run_options o;
    simplan_run_options_init(&o);
    o.draws = DRAWS;
    o.threads = 1;
    simplan_result *r = NULL;
    if (simplan_run(sc, &o, &r, &err) == SIMPLAN_OK) {
        simplan_result_to_string(r, SIMPLAN_FORMAT_CSV, &j->csv, NULL, &err);
        simplan_result_to_string(r, SIMPLAN_FORMAT_INDICATORS_CSV,
                                 &j->indicators, NULL, &err);
    }
    simplan_result_free(r);
    simplan_scenario_free(sc);
    return NULL;
}

static void two_runs_on_two_threads_equal_each_run_alone(void **state)
{
    (void)state;
    job alone[2] = {{BASELINE, NULL, NULL},
                    {SCENARIO_DIR "/shock.cfg", NULL, NULL}};
    job both[2] = {alone[0], alone[1]};
    for (int i = 0; i < 2; i++)
        run_job(&alone[i]);
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&t[i], NULL, run_job, &both[i]), 0);
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_join(t[i], NULL), 0);
    for (int i = 0; i < 2; i++) {
        assert_non_null(alone[i].csv);
        assert_non_null(both[i].csv);
        assert_string_equal(alone[i].csv, both[i].csv);
        assert_string_equal(alone[i].indicators, both[i].indicators);
        simplan_free(alone[i].csv);
        simplan_free(both[i].csv);
        simplan_free(alone[i].indicators);
        simplan_free(both[i].indicators);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(statuses_have_names_codes_and_a_formatted_record),
        cmocka_unit_test(loading_names_file_line_and_field),
        cmocka_unit_test(a_scenario_from_a_file_or_its_text_is_the_same),
        cmocka_unit_test(set_changes_one_number_and_records_it),
        cmocka_unit_test(
            set_lines_in_a_text_are_applied_or_refused_at_their_line),
        cmocka_unit_test(run_options_are_checked_and_named),
        cmocka_unit_test(
            a_scenario_that_does_not_compile_fails_its_check_and_run),
        cmocka_unit_test(
            a_result_holds_the_run_and_refuses_indices_out_of_range),
        cmocka_unit_test(save_publishes_a_directory_that_merge_reads_back),
        cmocka_unit_test(a_cancel_request_stops_a_run_solve_and_sweep),
        cmocka_unit_test(solve_finds_a_bracketed_root_and_refuses_bad_specs),
        cmocka_unit_test(sweep_runs_a_grid_and_refuses_bad_axes),
        cmocka_unit_test(solutions_sweeps_and_dirs_are_written_and_refused),
        cmocka_unit_test(slices_comparisons_and_command_lines),
        cmocka_unit_test(a_signal_request_fails_as_the_command_does),
        cmocka_unit_test(bench_fit_and_backtest_run_and_refuse_bad_options),
        cmocka_unit_test(utilities_parse_counts_generators_families_and_mpi),
        cmocka_unit_test(two_runs_on_two_threads_equal_each_run_alone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
