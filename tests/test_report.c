/*
 * Tests of src/output/sp_report and sp_json: the writers give the
 * documented columns and keys, carry the result's numbers exactly (17
 * significant digits), quote CSV fields by RFC 4180, never print a NaN or
 * an infinity, and report a write error of their stream.
 */
#define _POSIX_C_SOURCE 200809L
#include <gsl/gsl_errno.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#ifdef SIMPLAN_HAVE_JSON
#include <jansson.h>
#endif

#include "sp_compile.h"
#include "sp_config.h"
#include "sp_mc.h"
#include "sp_report.h"
#include "sp_rng.h"
#include "sp_test.h"

typedef struct {
    sp_scenario sc;
    sp_compiled c;
    sp_result res;
    sp_report r;
} fixture;

/* minimal.cfg run for 4096 draws on one thread. */
static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    sp_error err;
    sp_error_clear(&err);
    if (f == NULL ||
        sp_config_load(SCENARIO_DIR "/minimal.cfg", &f->sc, &err) != SP_OK ||
        sp_compile(&f->sc, &f->c, &err) != SP_OK)
        return -1;
    sp_mc_config cfg = {4096, 5, sp_rng_lookup(NULL), 1};
    sp_mc *mc = sp_mc_alloc(&f->sc, &f->c, &cfg, &err);
    if (mc == NULL)
        return -1;
    sp_mc_run(mc, 0, sp_mc_blocks(mc));
    sp_status st = sp_mc_result(mc, &f->res, &err);
    sp_mc_free(mc);
    if (st != SP_OK)
        return -1;
    f->r = (sp_report){.sc = &f->sc,
                       .c = &f->c,
                       .res = &f->res,
                       .seed = 5,
                       .rng = "xoshiro256ss",
                       .threads = 1,
                       .elapsed = 0.5};
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    sp_result_destroy(&f->res);
    sp_compiled_destroy(&f->c);
    sp_scenario_destroy(&f->sc);
    free(f);
    return 0;
}

/* What a writer printed, as a malloc'd string. */
typedef sp_status (*writer)(FILE *, const sp_report *, sp_error *);

static char *capture(writer w, const sp_report *r)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    assert_non_null(out);
    sp_error err;
    sp_error_clear(&err);
    assert_int_equal(w(out, r, &err), SP_OK);
    fclose(out);
    return buf;
}

/* Fails if "nan" or "inf"/"infinity" appears as a word (any case). */
static void no_nan_or_infinity(const char *s)
{
    for (const char *p = s; *p; p++) {
        if (p > s && isalpha((unsigned char)p[-1]))
            continue;
        size_t n = strncasecmp(p, "nan", 3) == 0        ? 3
                   : strncasecmp(p, "infinity", 8) == 0 ? 8
                   : strncasecmp(p, "inf", 3) == 0      ? 3
                                                        : 0;
        if (n > 0 && !isalpha((unsigned char)p[n]))
            fail_msg("'%.20s' in the output", p);
    }
}

static void csv_should_have_the_documented_columns_and_exact_values(void **s)
{
    fixture *f = *s;
    char *out = capture(sp_report_csv, &f->r);
    const char *header = "id,name,indicator,measure,from,to,op,value,lo,hi,"
                         "probability,ci_low,ci_high,met,draws,mean,p05,p25,"
                         "p50,p75,p95,param_mean,param_low,param_high\n";
    assert_memory_equal(out, header, strlen(header));
    size_t rows = 0;
    for (const char *p = out; (p = strchr(p, '\n')) != NULL; p++)
        rows++;
    assert_int_equal(rows, 1 + f->sc.n_targets);
    /* Row 1's probability (11th field) is the result's, to the bit. */
    char *line = strchr(out, '\n') + 1;
    char *field = line;
    int in_quotes = 0, k = 0;
    for (char *p = line; *p && k < 10; p++) {
        if (*p == '"')
            in_quotes = !in_quotes;
        else if (*p == ',' && !in_quotes && ++k == 10)
            field = p + 1;
    }
    assert_true(strtod(field, NULL) == f->res.targets[0].probability);
    no_nan_or_infinity(out);
    free(out);
}

static void csv_strings_should_be_quoted_by_rfc4180(void **s)
{
    (void)s;
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    sp_report_csv_string(out, "a, \"b\"\nc");
    fclose(out);
    assert_string_equal(buf, "\"a, \"\"b\"\"\nc\"");
    free(buf);
}

static void indicators_csv_should_leave_out_statistics_without_draws(void **s)
{
    fixture *f = *s;
    char *out = capture(sp_report_indicators_csv, &f->r);
    assert_memory_equal(out, "indicator,year,statistic,value\n", 31);
    size_t rows = 0;
    for (const char *p = out; (p = strchr(p, '\n')) != NULL; p++)
        rows++;
    size_t full = f->res.n_indicators * (size_t)f->res.n_years * 6;
    assert_int_equal(rows, 1 + full);
    free(out);
    /* An indicator-year without finite draws gives no rows, not NaN. */
    sp_stats saved = f->res.indicators[1];
    f->res.indicators[1].n = 0;
    f->res.indicators[1].mean = f->res.indicators[1].p50 = NAN;
    f->res.indicators[1].p05 = f->res.indicators[1].p95 = NAN;
    f->res.indicators[1].p25 = f->res.indicators[1].p75 = NAN;
    out = capture(sp_report_indicators_csv, &f->r);
    rows = 0;
    for (const char *p = out; (p = strchr(p, '\n')) != NULL; p++)
        rows++;
    assert_int_equal(rows, 1 + full - 6);
    no_nan_or_infinity(out);
    free(out);
    char *table = capture(sp_report_table, &f->r);
    no_nan_or_infinity(table);
    free(table);
    f->res.indicators[1] = saved;
}

static void iamc_should_have_one_column_per_year(void **s)
{
    fixture *f = *s;
    char *out = capture(sp_report_iamc_csv, &f->r);
    char expect[256];
    int n =
        snprintf(expect, sizeof expect,
                 "Model,Scenario,Region,Variable,Unit,%d,", f->sc.base_year);
    assert_memory_equal(out, expect, (size_t)n);
    char *nl = strchr(out, '\n');
    size_t commas = 0;
    for (char *p = out; p < nl; p++)
        commas += *p == ',';
    assert_int_equal(commas, 4 + (size_t)f->res.n_years);
    free(out);
}

#ifdef SIMPLAN_HAVE_JSON
static void json_should_carry_the_documented_keys_and_exact_values(void **s)
{
    fixture *f = *s;
    char *out = capture(sp_report_json, &f->r);
    json_error_t je;
    json_t *root = json_loads(out, 0, &je);
    assert_non_null(root);
    const char *keys[] = {"simplan_version",
                          "scenario",
                          "draws",
                          "seed",
                          "rng",
                          "threads",
                          "elapsed_seconds",
                          "targets",
                          "indicators",
                          "warnings"};
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        if (json_object_get(root, keys[i]) == NULL)
            fail_msg("no key '%s'", keys[i]);
    json_t *targets = json_object_get(root, "targets");
    assert_int_equal(json_array_size(targets), f->sc.n_targets);
    for (size_t k = 0; k < f->sc.n_targets; k++) {
        json_t *t = json_array_get(targets, k);
        assert_string_equal(json_string_value(json_object_get(t, "id")),
                            f->sc.targets[k].id);
        assert_true(json_number_value(json_object_get(t, "probability")) ==
                    f->res.targets[k].probability);
    }
    assert_int_equal(json_integer_value(json_object_get(root, "draws")), 4096);
    json_decref(root);
    no_nan_or_infinity(out);
    free(out);
}
#endif

static void writers_should_report_a_full_stream(void **s)
{
    fixture *f = *s;
    FILE *full = fopen("/dev/full", "w");
    assert_non_null(full);
    sp_error err;
    sp_error_clear(&err);
    assert_int_equal(sp_report_table(full, &f->r, &err), SP_ERR_IO);
    clearerr(full);
    assert_int_equal(sp_report_csv(full, &f->r, &err), SP_ERR_IO);
    fclose(full);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(
            csv_should_have_the_documented_columns_and_exact_values),
        cmocka_unit_test(csv_strings_should_be_quoted_by_rfc4180),
        cmocka_unit_test(
            indicators_csv_should_leave_out_statistics_without_draws),
        cmocka_unit_test(iamc_should_have_one_column_per_year),
#ifdef SIMPLAN_HAVE_JSON
        cmocka_unit_test(
            json_should_carry_the_documented_keys_and_exact_values),
#endif
        cmocka_unit_test(writers_should_report_a_full_stream),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
