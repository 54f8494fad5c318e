/*
 * Tests of model/sp_expr: the formula language, its errors, and batch
 * evaluation.
 */
#include <string.h>

#include "sp_expr.h"
#include "sp_test.h"

static const char *const names[] = {"gdp", "ei", "nf"};

static double eval1(const char *text, const double *row)
{
    sp_expr e;
    char msg[200];
    if (sp_expr_compile(text, names, 3, &e, msg, sizeof msg) != SP_OK)
        fail_msg("%s: %s", text, msg);
    double v = sp_expr_eval1(&e, row);
    sp_expr_destroy(&e);
    return v;
}

static sp_status compile_status(const char *text, char *msg, size_t size)
{
    sp_expr e;
    sp_status st = sp_expr_compile(text, names, 3, &e, msg, size);
    sp_expr_destroy(&e);
    return st;
}

static void operators_should_follow_the_stated_precedence(void **state)
{
    (void)state;
    double row[3] = {2.0, 3.0, 0.25};
    assert_close(eval1("gdp * ei ^ 2", row), 18.0, 0);
    assert_close(eval1("-gdp ^ 2", row), -4.0, 0);
    assert_close(eval1("2 ^ 3 ^ 2", row), 512.0, 0);
    assert_close(eval1("gdp ^ -1", row), 0.5, 0);
    assert_close(eval1("(gdp + ei) / 5 - 1", row), 0.0, 0);
    assert_close(eval1("gdp - ei - nf", row), -1.25, 0);
    assert_close(eval1("gdp / ei / 2", row), 1.0 / 3.0, 1e-16);
    assert_close(eval1("ei * (1 - nf) / (1 - 0.25)", row), 3.0, 1e-15);
    assert_close(eval1("1.5e2 + .5", row), 150.5, 0);
}

static void functions_should_be_exp_natural_log_sqrt_min_max(void **state)
{
    (void)state;
    double row[3] = {2.0, 3.0, 0.25};
    assert_close(eval1("log(exp(ei))", row), 3.0, 1e-15);
    assert_close(eval1("log(2.718281828459045)", row), 1.0, 1e-15);
    assert_close(eval1("sqrt(nf)", row), 0.5, 0);
    assert_close(eval1("min(gdp, ei, nf)", row), 0.25, 0);
    assert_close(eval1("max(gdp, ei)", row), 3.0, 0);
    assert_close(eval1("max(nf)", row), 0.25, 0);
    assert_true(isnan(eval1("min(gdp, log(-1))", row)));
}

static void batch_evaluation_should_match_single_evaluation(void **state)
{
    (void)state;
    sp_expr e;
    char msg[200];
    assert_int_equal(sp_expr_compile("max(gdp * ei, nf) ^ 0.5 - -exp(nf)",
                                     names, 3, &e, msg, sizeof msg),
                     SP_OK);
    enum { N = 37 };
    double a[N], b[N], c[N], out[N], stack[8 * N];
    for (int d = 0; d < N; d++) {
        a[d] = 0.1 * d;
        b[d] = 1.0 - 0.05 * d;
        c[d] = 0.01 * d * d;
    }
    const double *vars[3] = {a, b, c};
    assert_true(e.depth <= 8);
    sp_expr_eval(&e, vars, N, stack, out);
    for (int d = 0; d < N; d++) {
        double row[3] = {a[d], b[d], c[d]};
        assert_true(out[d] == sp_expr_eval1(&e, row));
    }
    sp_expr_destroy(&e);
}

static void compile_should_list_variables(void **state)
{
    (void)state;
    sp_expr e;
    char msg[200];
    assert_int_equal(
        sp_expr_compile("nf * gdp + nf", names, 3, &e, msg, sizeof msg), SP_OK);
    assert_int_equal(e.n_vars, 2);
    assert_int_equal(e.vars[0], 0);
    assert_int_equal(e.vars[1], 2);
    sp_expr_destroy(&e);
}

static void unknown_names_should_be_reference_errors(void **state)
{
    (void)state;
    char msg[200];
    assert_int_equal(compile_status("gdp * popn", msg, sizeof msg),
                     SP_ERR_REFERENCE);
    assert_non_null(strstr(msg, "'popn'"));
    assert_non_null(strstr(msg, "position 7"));
    assert_int_equal(compile_status("sin(gdp)", msg, sizeof msg),
                     SP_ERR_REFERENCE);
}

static void other_syntax_should_be_formula_errors(void **state)
{
    (void)state;
    char msg[200];
    const char *bad[] = {
        "gdp = 3",      "gdp > 1", "gdp && ei", "gdp *", "(gdp",
        "gdp ? 1 : 2",  "\"x\"",   "gdp ei",    "2gdp",  "",
        "exp(gdp, ei)", "log",     "min()",     "gdp)",  "1e999"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        sp_status st = compile_status(bad[i], msg, sizeof msg);
        if (st != SP_ERR_FORMULA)
            fail_msg("'%s' gave status %d (%s)", bad[i], st, msg);
        assert_non_null(strstr(msg, "position"));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(operators_should_follow_the_stated_precedence),
        cmocka_unit_test(functions_should_be_exp_natural_log_sqrt_min_max),
        cmocka_unit_test(batch_evaluation_should_match_single_evaluation),
        cmocka_unit_test(compile_should_list_variables),
        cmocka_unit_test(unknown_names_should_be_reference_errors),
        cmocka_unit_test(other_syntax_should_be_formula_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
