/*
 * fuzz_expr: libFuzzer harness for the formula compiler and evaluators.
 *
 * Input layout: the formula is the bytes before the first NUL (at most
 * FUZZ_MAX_FORMULA of them); the bytes after it, 8 at a time, are the
 * values of the variables (raw doubles: NaN, infinities and subnormals
 * included) for a batch of FUZZ_BATCH draws, and fixed values fill what
 * the input does not give. A plain-text formula is therefore a valid input,
 * which is what the seed corpus holds.
 *
 * The formula is compiled against the names a, b, gdp and x_1. A compiled
 * formula must keep the promises of sp_expr.h (variables in range and
 * ascending, a stack depth of at least one); it is then evaluated over the
 * batch with sp_expr_eval and draw by draw with sp_expr_eval1, and the two
 * must agree bit for bit (or both be NaN): the batch loops are only a
 * faster schedule of the same operations. A failed compile must say where.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sp_expr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_FORMULA 4096 /* characters; the loader allows 1024 */
#define FUZZ_N_NAMES     4
#define FUZZ_BATCH       8 /* draws evaluated together */

static const char *const names[FUZZ_N_NAMES] = {"a", "b", "gdp", "x_1"};

/* Values used when the input gives none: ordinary, zero, negative, large. */
static const double fill[FUZZ_BATCH] = {1.5,  0.0, -2.0, 1e300,
                                        0.25, 3.0, -0.5, 7.0};

static int same(double x, double y)
{
    return (isnan(x) && isnan(y)) || memcmp(&x, &y, sizeof x) == 0;
}

/* Aborts with the formula shown when an expectation fails. */
static void fail(const char *formula, const char *what)
{
    fprintf(stderr, "fuzz_expr: %s for formula \"%.200s\"\n", what, formula);
    abort();
}

static void check_compiled(const sp_expr *e, const char *formula)
{
    if (e->n_code == 0 || e->depth == 0 || e->code == NULL)
        fail(formula, "empty program");
    if (e->n_vars > FUZZ_N_NAMES)
        fail(formula, "too many variables");
    for (size_t v = 0; v < e->n_vars; v++)
        if (e->vars[v] >= FUZZ_N_NAMES ||
            (v > 0 && e->vars[v] <= e->vars[v - 1]))
            fail(formula, "variable list not ascending and in range");
}

/* Batch evaluation against one-draw evaluation. */
static void check_eval(const sp_expr *e, const char *formula,
                       double vals[FUZZ_N_NAMES][FUZZ_BATCH])
{
    const double *vars[FUZZ_N_NAMES];
    for (size_t v = 0; v < FUZZ_N_NAMES; v++)
        vars[v] = vals[v];
    double *stack = malloc(e->depth * FUZZ_BATCH * sizeof *stack);
    double out[FUZZ_BATCH];
    if (stack == NULL)
        return;
    sp_expr_eval(e, vars, FUZZ_BATCH, stack, out);
    for (size_t d = 0; d < FUZZ_BATCH; d++) {
        double one[FUZZ_N_NAMES];
        for (size_t v = 0; v < FUZZ_N_NAMES; v++)
            one[v] = vals[v][d];
        if (!same(sp_expr_eval1(e, one), out[d])) {
            free(stack);
            fail(formula, "sp_expr_eval and sp_expr_eval1 disagree");
        }
    }
    free(stack);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, '\0', size);
    size_t len = nul ? (size_t)(nul - data) : size;
    if (len > FUZZ_MAX_FORMULA)
        return -1;
    char *formula = malloc(len + 1);
    if (formula == NULL)
        return 0;
    memcpy(formula, data, len);
    formula[len] = '\0';

    double vals[FUZZ_N_NAMES][FUZZ_BATCH];
    const uint8_t *rest = nul ? nul + 1 : data + size;
    size_t n_rest = (size_t)(data + size - rest);
    for (size_t k = 0; k < FUZZ_N_NAMES * FUZZ_BATCH; k++) {
        double x = fill[(k + k / FUZZ_BATCH) % FUZZ_BATCH];
        if ((k + 1) * sizeof x <= n_rest)
            memcpy(&x, rest + k * sizeof x, sizeof x);
        vals[k / FUZZ_BATCH][k % FUZZ_BATCH] = x;
    }

    sp_expr e;
    char msg[256];
    msg[0] = '\0';
    sp_status st =
        sp_expr_compile(formula, names, FUZZ_N_NAMES, &e, msg, sizeof msg);
    if (st == SP_OK) {
        check_compiled(&e, formula);
        check_eval(&e, formula, vals);
        sp_expr_destroy(&e);
    } else if (st != SP_ERR_FORMULA && st != SP_ERR_REFERENCE &&
               st != SP_ERR_NOMEM) {
        fail(formula, "unexpected status");
    } else if (strstr(msg, "at position ") == NULL || e.code != NULL) {
        fail(formula, "failure without a position, or code left allocated");
    }
    free(formula);
    return 0;
}
