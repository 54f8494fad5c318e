/*
 * Tests of src/sp_formula: the formula language and its errors.
 */
#include <string.h>

#include "sp_formula.h"
#include "sp_test.h"

static const char *const names[] = {"gdp", "ei", "nf"};

static double eval1(const char *expr, double *row)
{
    sp_error err;
    sp_formula_set *s = sp_formula_set_alloc(&expr, 1, names, 3, row, &err);
    assert_non_null(s);
    double v = sp_formula_set_eval(s, 0);
    sp_formula_set_free(s);
    return v;
}

static void operators_should_follow_the_stated_precedence(void **state)
{
    (void)state;
    double row[3] = {2.0, 3.0, 0.25};
    assert_close(eval1("gdp * ei ^ 2", row), 18.0, 0);
    assert_close(eval1("-gdp ^ 2", row), -4.0, 0);
    assert_close(eval1("(gdp + ei) / 5 - 1", row), 0.0, 0);
    assert_close(eval1("ei * (1 - nf) / (1 - 0.25)", row), 3.0, 1e-15);
}

static void functions_should_be_exp_natural_log_sqrt_min_max(void **state)
{
    (void)state;
    double row[3] = {2.0, 3.0, 0.25};
    assert_close(eval1("log(exp(ei))", row), 3.0, 1e-15);
    assert_close(eval1("sqrt(nf)", row), 0.5, 0);
    assert_close(eval1("min(gdp, ei, nf)", row), 0.25, 0);
    assert_close(eval1("max(gdp, ei)", row), 3.0, 0);
}

static void evaluation_should_track_the_bound_row(void **state)
{
    (void)state;
    double row[3] = {2.0, 3.0, 0.25};
    const char *expr = "gdp * ei";
    sp_error err;
    sp_formula_set *s = sp_formula_set_alloc(&expr, 1, names, 3, row, &err);
    assert_close(sp_formula_set_eval(s, 0), 6.0, 0);
    row[0] = 10.0;
    assert_close(sp_formula_set_eval(s, 0), 30.0, 0);
    sp_formula_set_free(s);
}

static void parse_should_list_dependencies(void **state)
{
    (void)state;
    size_t deps[3], n;
    char msg[200];
    assert_int_equal(sp_formula_parse("nf * gdp + 1", names, 3, deps, &n, msg,
                                      sizeof msg), SP_OK);
    assert_int_equal(n, 2);
    assert_true((deps[0] == 2 && deps[1] == 0) ||
                (deps[0] == 0 && deps[1] == 2));
}

static void unknown_names_should_be_reference_errors(void **state)
{
    (void)state;
    size_t deps[3], n;
    char msg[200];
    assert_int_equal(sp_formula_parse("gdp * popn", names, 3, deps, &n, msg,
                                      sizeof msg), SP_ERR_REFERENCE);
    assert_non_null(strstr(msg, "'popn'"));
    assert_int_equal(sp_formula_parse("sin(gdp)", names, 3, deps, &n, msg,
                                      sizeof msg), SP_ERR_REFERENCE);
}

static void other_syntax_should_be_formula_errors(void **state)
{
    (void)state;
    size_t deps[3], n;
    char msg[200];
    const char *bad[] = {"gdp = 3", "gdp > 1", "gdp && ei", "gdp *", "(gdp",
                         "gdp ? 1 : 2", "\"x\"", "gdp ei", "2gdp"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(sp_formula_parse(bad[i], names, 3, deps, &n, msg,
                                          sizeof msg), SP_ERR_FORMULA);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(operators_should_follow_the_stated_precedence),
        cmocka_unit_test(functions_should_be_exp_natural_log_sqrt_min_max),
        cmocka_unit_test(evaluation_should_track_the_bound_row),
        cmocka_unit_test(parse_should_list_dependencies),
        cmocka_unit_test(unknown_names_should_be_reference_errors),
        cmocka_unit_test(other_syntax_should_be_formula_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
