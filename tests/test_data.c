/*
 * Tests of src/input/sp_data: the CSV reader of historical observations
 * accepts what RFC 4180 allows, refuses every defect with the file, line
 * and column, and reads every file shipped in data/; the same for the
 * reader of plan targets and outcomes (src/input/sp_plans).
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sp_data.h"
#include "sp_plans.h"

#define HEADER "region,indicator,year,value,measure,source\n"

static sp_status parse(const char *text, sp_data *d, sp_error *err)
{
    sp_error_clear(err);
    return sp_data_parse("t.csv", text, strlen(text), d, err);
}

static void reader_should_read_plain_rows(void **state)
{
    (void)state;
    sp_data d;
    sp_error err;
    assert_int_equal(parse(HEADER "im,gdp,2019,0.052,growth,communique\n"
                                  "im,gdp,2020,17359.8,level,communique\n",
                           &d, &err),
                     SP_OK);
    assert_int_equal(d.n_rows, 2);
    assert_string_equal(d.rows[0].region, "im");
    assert_string_equal(d.rows[0].indicator, "gdp");
    assert_int_equal(d.rows[0].year, 2019);
    assert_true(d.rows[0].value == 0.052);
    assert_int_equal(d.rows[0].measure, SP_DATA_GROWTH);
    assert_int_equal(d.rows[1].measure, SP_DATA_LEVEL);
    assert_int_equal(d.rows[1].line, 3);
    assert_string_equal(d.rows[1].vintage, "");
    sp_data_destroy(&d);
}

static void reader_should_unquote_rfc4180_fields(void **state)
{
    (void)state;
    sp_data d;
    sp_error err;
    const char *text =
        "\xEF\xBB\xBF"
        "note,source,measure,value,year,indicator,region,"
        "vintage\r\n"
        "\"a, \"\"quoted\"\" note\",\"line one\r\nline two\",growth,"
        " -0.068 ,2021,energy_intensity,im,first\r\n"
        "\r\n"
        ",\"s\",level,0.361,2020,renewable_share,im,\r\n";
    assert_int_equal(parse(text, &d, &err), SP_OK);
    assert_int_equal(d.n_rows, 2);
    assert_string_equal(d.rows[0].note, "a, \"quoted\" note");
    assert_string_equal(d.rows[0].source, "line one\r\nline two");
    assert_true(d.rows[0].value == -0.068);
    assert_string_equal(d.rows[0].vintage, "first");
    assert_int_equal(d.rows[0].line, 2);
    /* The quoted line break and the blank line both count. */
    assert_int_equal(d.rows[1].line, 5);
    assert_string_equal(d.rows[1].note, "");
    assert_string_equal(d.rows[1].basis, "");
    sp_data_destroy(&d);
}

static void reader_should_keep_revisions_as_separate_rows(void **state)
{
    (void)state;
    sp_data d;
    sp_error err;
    assert_int_equal(parse("region,indicator,year,value,measure,source,"
                           "vintage\n"
                           "im,gdp,2022,0.042,growth,s,first\n"
                           "im,gdp,2022,0.044,growth,s,revised\n",
                           &d, &err),
                     SP_OK);
    assert_int_equal(d.n_rows, 2);
    sp_data_destroy(&d);
}

/* One defect per case: the status, line and column it must be named by. */
typedef struct {
    const char *text;
    sp_status status;
    int line;
    const char *field; /* "" for none */
} bad_case;

static const bad_case bad_cases[] = {
    {"", SP_ERR_MISSING, 1, ""},
    {"\n\n", SP_ERR_MISSING, 3, ""},
    {HEADER, SP_ERR_MISSING, 2, ""},
    {"region,indicator,year,value,measure\nim,gdp,2019,0.05,growth\n",
     SP_ERR_MISSING, 1, "source"},
    {"region,indicator,year,value,measure,source,unit\n", SP_ERR_UNKNOWN_KEY, 1,
     "unit"},
    {"region,region,year,value,measure,source\n", SP_ERR_DUPLICATE, 1,
     "region"},
    {"region,indicator,year,value,measure,source,basis,vintage,note,a\n",
     SP_ERR_UNKNOWN_KEY, 1, ""},
    {HEADER "im,gdp,2019,0.05,growth\n", SP_ERR_SYNTAX, 2, ""},
    {HEADER "im,gdp,2019,0.05,growth,s,x\n", SP_ERR_SYNTAX, 2, ""},
    {HEADER "im,gdp,2019,0.05,rate,s\n", SP_ERR_RANGE, 2, "measure"},
    {HEADER "im,gdp,2019,abc,growth,s\n", SP_ERR_TYPE, 2, "value"},
    {HEADER "im,gdp,2019,5.2%,growth,s\n", SP_ERR_TYPE, 2, "value"},
    {HEADER "im,gdp,2019,nan,growth,s\n", SP_ERR_RANGE, 2, "value"},
    {HEADER "im,gdp,2019,inf,level,s\n", SP_ERR_RANGE, 2, "value"},
    {HEADER "im,gdp,2019,1e999,level,s\n", SP_ERR_RANGE, 2, "value"},
    {HEADER "im,gdp,2019,0x10,level,s\n", SP_ERR_TYPE, 2, "value"},
    {HEADER "im,gdp,2019,-1,growth,s\n", SP_ERR_RANGE, 2, "value"},
    {HEADER "im,gdp,2019,,growth,s\n", SP_ERR_MISSING, 2, "value"},
    {HEADER "im,gdp,2019,0.05,growth, \n", SP_ERR_MISSING, 2, "source"},
    {HEADER ",gdp,2019,0.05,growth,s\n", SP_ERR_MISSING, 2, "region"},
    {HEADER "im,gdp,20.5,0.05,growth,s\n", SP_ERR_TYPE, 2, "year"},
    {HEADER "im,gdp,99999,0.05,growth,s\n", SP_ERR_RANGE, 2, "year"},
    {HEADER "im,gdp,2019,0.05,growth,s\nim,x,2019,1,level,s\n"
            "im,gdp,2019,0.06,growth,t\n",
     SP_ERR_DUPLICATE, 4, "vintage"},
    {HEADER "im,gdp,2019,0.05,growth,\"s\n", SP_ERR_SYNTAX, 2, ""},
    {HEADER "im,gdp,2019,0.05,growth,\"s\"x\n", SP_ERR_SYNTAX, 2, ""},
    {HEADER "im,gdp,2019,0.05,growth,s\"x\n", SP_ERR_SYNTAX, 2, ""},
    {HEADER "im,g\xC3,2019,0.05,growth,s\n", SP_ERR_SYNTAX, 2, ""},
    {HEADER "im,g\xED\xA0\x80,2019,0.05,growth,s\n", SP_ERR_SYNTAX, 2, ""},
};

static void reader_should_refuse_each_defect_by_line_and_column(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad_cases / sizeof *bad_cases; i++) {
        const bad_case *c = &bad_cases[i];
        sp_data d;
        sp_error err;
        sp_status st = parse(c->text, &d, &err);
        if (st != c->status || err.line != c->line ||
            strcmp(err.field, c->field) != 0)
            fail_msg("case %zu: got %s line %d field '%s' (%s), expected "
                     "%s line %d field '%s'",
                     i, sp_status_name(st), err.line, err.field, err.message,
                     sp_status_name(c->status), c->line, c->field);
        assert_string_equal(err.file, "t.csv");
        assert_true(err.message[0] != '\0');
        assert_int_equal(d.n_rows, 0);
        assert_null(d.rows);
    }
}

static void reader_should_refuse_a_nul_byte(void **state)
{
    (void)state;
    const char text[] = HEADER "im,gdp,2019,0\0,growth,s\n";
    sp_data d;
    sp_error err;
    sp_error_clear(&err);
    assert_int_equal(sp_data_parse("t.csv", text, sizeof text - 1, &d, &err),
                     SP_ERR_SYNTAX);
    assert_int_equal(err.line, 2);
}

static void reader_should_refuse_a_field_past_its_limit(void **state)
{
    (void)state;
    size_t n = strlen(HEADER) + SP_DATA_MAX_FIELD + 64;
    char *text = malloc(n);
    assert_non_null(text);
    int k = snprintf(text, n, HEADER "im,gdp,2019,0.05,growth,");
    memset(text + k, 's', SP_DATA_MAX_FIELD + 1);
    text[k + SP_DATA_MAX_FIELD + 1] = '\0';
    sp_data d;
    sp_error err;
    assert_int_equal(parse(text, &d, &err), SP_ERR_LIMIT);
    free(text);
}

static void loader_should_name_a_missing_file(void **state)
{
    (void)state;
    sp_data d;
    sp_error err;
    sp_error_clear(&err);
    assert_int_equal(sp_data_load("/nonexistent/x.csv", &d, &err), SP_ERR_IO);
    assert_string_equal(err.file, "/nonexistent/x.csv");
}

/* Every CSV file shipped in data/ loads, and every row names a source. */
static void every_shipped_data_file_should_load(void **state)
{
    (void)state;
    DIR *dir = opendir(DATA_DIR);
    assert_non_null(dir);
    size_t files = 0;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".csv") != 0 ||
            strcmp(e->d_name, "plan_targets.csv") == 0)
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", DATA_DIR, e->d_name);
        sp_data d;
        sp_error err;
        sp_error_clear(&err);
        sp_status st = sp_data_load(path, &d, &err);
        if (st != SP_OK)
            fail_msg("%s:%d: %s: %s", err.file, err.line, err.field,
                     err.message);
        assert_true(d.n_rows > 0);
        for (size_t i = 0; i < d.n_rows; i++)
            assert_true(strlen(d.rows[i].source) > 10);
        sp_data_destroy(&d);
        files++;
    }
    closedir(dir);
    assert_true(files > 0);
}

#define PLAN_HEADER                                                            \
    "region,plan,indicator,period_from,period_to,figure,value,measure,"        \
    "source\n"

static sp_status parse_plans(const char *text, sp_plans *p, sp_error *err)
{
    sp_error_clear(err);
    return sp_plans_parse("p.csv", text, strlen(text), p, err);
}

static void plan_reader_should_read_targets_outcomes_and_rates(void **state)
{
    (void)state;
    sp_plans p;
    sp_error err;
    assert_int_equal(
        parse_plans("note,target_kind," PLAN_HEADER
                    "x,binding,im,13th,energy_intensity,2016,2020,target,"
                    "-0.14,change,\"s, t\"\n"
                    ",,im,13th,gdp,2016,2020,outcome,0.043,cagr,s\n"
                    ",,im,13th,renewable_share,2016,2020,target,0.3,level,"
                    "s\n",
                    &p, &err),
        SP_OK);
    assert_int_equal(p.n_rows, 3);
    assert_string_equal(p.rows[0].target_kind, "binding");
    assert_string_equal(p.rows[0].source, "s, t");
    assert_int_equal(p.rows[0].from, 2016);
    assert_int_equal(p.rows[0].to, 2020);
    assert_int_equal(p.rows[0].figure, SP_PLAN_TARGET);
    assert_int_equal(p.rows[1].figure, SP_PLAN_OUTCOME);
    /* -14 % over five years is (0.86)^(1/5) - 1 a year. */
    assert_true(fabs(sp_plan_annual_rate(&p.rows[0]) - (pow(0.86, 0.2) - 1.0)) <
                1e-15);
    assert_true(sp_plan_annual_rate(&p.rows[1]) == 0.043);
    assert_true(isnan(sp_plan_annual_rate(&p.rows[2])));
    assert_int_equal(p.rows[2].line, 4);
    sp_plans_destroy(&p);
}

static const bad_case bad_plan_cases[] = {
    {"", SP_ERR_MISSING, 1, ""},
    {PLAN_HEADER, SP_ERR_MISSING, 2, ""},
    {"region,plan,indicator,period_from,period_to,figure,value,measure\n",
     SP_ERR_MISSING, 1, "source"},
    {PLAN_HEADER "im,13th,gdp,2016,2020,goal,0.075,cagr,s\n", SP_ERR_RANGE, 2,
     "figure"},
    {PLAN_HEADER "im,13th,gdp,2016,2020,target,0.075,rate,s\n", SP_ERR_RANGE, 2,
     "measure"},
    {PLAN_HEADER "im,13th,gdp,2016,2015,target,0.075,cagr,s\n", SP_ERR_RANGE, 2,
     "period_to"},
    {PLAN_HEADER "im,13th,gdp,20x6,2020,target,0.075,cagr,s\n", SP_ERR_TYPE, 2,
     "period_from"},
    {PLAN_HEADER "im,13th,gdp,2016,2020,target,-1,change,s\n", SP_ERR_RANGE, 2,
     "value"},
    {PLAN_HEADER "im,13th,gdp,2016,2020,target,7.5%,cagr,s\n", SP_ERR_TYPE, 2,
     "value"},
    {PLAN_HEADER "im,13th,gdp,2016,2020,target,0.075,cagr,\n", SP_ERR_MISSING,
     2, "source"},
    {PLAN_HEADER "im,13th,gdp,2016,2020,target,0.075,cagr,s\n"
                 "im,13th,gdp,2016,2020,target,0.07,cagr,t\n",
     SP_ERR_DUPLICATE, 3, "figure"},
    {"target_kind," PLAN_HEADER "soft,im,13th,gdp,2016,2020,target,0.075,"
     "cagr,s\n",
     SP_ERR_RANGE, 2, "target_kind"},
};

static void
plan_reader_should_refuse_each_defect_by_line_and_column(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad_plan_cases / sizeof *bad_plan_cases;
         i++) {
        const bad_case *c = &bad_plan_cases[i];
        sp_plans p;
        sp_error err;
        sp_status st = parse_plans(c->text, &p, &err);
        if (st != c->status || err.line != c->line ||
            strcmp(err.field, c->field) != 0)
            fail_msg("case %zu: got %s line %d field '%s' (%s), expected "
                     "%s line %d field '%s'",
                     i, sp_status_name(st), err.line, err.field, err.message,
                     sp_status_name(c->status), c->line, c->field);
        assert_string_equal(err.file, "p.csv");
        assert_int_equal(p.n_rows, 0);
        assert_null(p.rows);
    }
}

static void shipped_plan_table_should_load_with_a_source_per_row(void **state)
{
    (void)state;
    sp_plans p;
    sp_error err;
    sp_error_clear(&err);
    sp_status st = sp_plans_load(DATA_DIR "/plan_targets.csv", &p, &err);
    if (st != SP_OK)
        fail_msg("%s:%d: %s: %s", err.file, err.line, err.field, err.message);
    assert_true(p.n_rows > 0);
    for (size_t i = 0; i < p.n_rows; i++)
        assert_true(strlen(p.rows[i].source) > 10);
    sp_plans_destroy(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reader_should_read_plain_rows),
        cmocka_unit_test(reader_should_unquote_rfc4180_fields),
        cmocka_unit_test(reader_should_keep_revisions_as_separate_rows),
        cmocka_unit_test(reader_should_refuse_each_defect_by_line_and_column),
        cmocka_unit_test(reader_should_refuse_a_nul_byte),
        cmocka_unit_test(reader_should_refuse_a_field_past_its_limit),
        cmocka_unit_test(loader_should_name_a_missing_file),
        cmocka_unit_test(every_shipped_data_file_should_load),
        cmocka_unit_test(plan_reader_should_read_targets_outcomes_and_rates),
        cmocka_unit_test(
            plan_reader_should_refuse_each_defect_by_line_and_column),
        cmocka_unit_test(shipped_plan_table_should_load_with_a_source_per_row),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
