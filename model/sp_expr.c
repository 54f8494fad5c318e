/*
 * sp_expr: recursive-descent compiler to postfix code, batch evaluator.
 */
#include "sp_expr.h"

#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Compiler state: input position, output code, stack depth tracking. */
typedef struct {
    const char *text;
    const char *p;
    const char *const *names;
    size_t n_names;
    sp_expr_instr *code;
    size_t n_code, cap;
    size_t depth, max_depth;
    sp_status status;
    char *msg;
    size_t msg_size;
} compiler;

static size_t position(const compiler *c)
{
    return (size_t)(c->p - c->text) + 1;
}

/* Records the first error, with the current position appended. */
static void error(compiler *c, sp_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void error(compiler *c, sp_status status, const char *fmt, ...)
{
    if (c->status != SP_OK)
        return;
    c->status = status;
    char detail[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    snprintf(c->msg, c->msg_size, "%s at position %zu", detail, position(c));
}

static void skip_space(compiler *c)
{
    while (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r')
        c->p++;
}

static bool is_name_start(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_';
}

static bool is_name_char(char ch)
{
    return is_name_start(ch) || (ch >= '0' && ch <= '9');
}

/* Appends one instruction and tracks the stack depth it leaves. */
static void emit(compiler *c, sp_expr_opcode op, size_t index, double value)
{
    if (c->status != SP_OK)
        return;
    if (c->n_code == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 16;
        sp_expr_instr *code = realloc(c->code, cap * sizeof *code);
        if (code == NULL) {
            c->status = SP_ERR_NOMEM;
            snprintf(c->msg, c->msg_size, "out of memory compiling a formula");
            return;
        }
        c->code = code;
        c->cap = cap;
    }
    c->code[c->n_code++] = (sp_expr_instr){op, index, value};
    if (op == SP_OP_CONST || op == SP_OP_VAR)
        c->depth++;
    else if (op == SP_OP_MIN || op == SP_OP_MAX)
        c->depth -= index - 1;
    else if (op <= SP_OP_POW)
        c->depth--;
    if (c->depth > c->max_depth)
        c->max_depth = c->depth;
}

static void parse_expr(compiler *c);
static void parse_unary(compiler *c);

static const struct {
    const char *name;
    sp_expr_opcode op;
    bool variadic;
} functions[] = {{"exp", SP_OP_EXP, false},
                 {"log", SP_OP_LOG, false},
                 {"sqrt", SP_OP_SQRT, false},
                 {"min", SP_OP_MIN, true},
                 {"max", SP_OP_MAX, true}};

static void parse_call(compiler *c, size_t f)
{
    skip_space(c);
    if (*c->p != '(') {
        error(c, SP_ERR_FORMULA, "'%s' must be followed by '('",
              functions[f].name);
        return;
    }
    c->p++;
    size_t args = 0;
    for (;;) {
        parse_expr(c);
        args++;
        skip_space(c);
        if (*c->p != ',')
            break;
        c->p++;
    }
    if (c->status != SP_OK)
        return;
    if (*c->p != ')') {
        error(c, SP_ERR_FORMULA, "expected ',' or ')' in the arguments of %s",
              functions[f].name);
        return;
    }
    c->p++;
    if (!functions[f].variadic && args != 1)
        error(c, SP_ERR_FORMULA, "%s takes exactly one argument",
              functions[f].name);
    else if (args > SP_EXPR_MAX_ARGS)
        error(c, SP_ERR_FORMULA, "%s takes at most 64 arguments",
              functions[f].name);
    else
        emit(c, functions[f].op, args, 0.0);
}

static void parse_name(compiler *c)
{
    const char *start = c->p;
    while (is_name_char(*c->p))
        c->p++;
    size_t len = (size_t)(c->p - start);
    char name[128];
    snprintf(name, sizeof name, "%.*s", (int)(len < 127 ? len : 127), start);
    for (size_t f = 0; f < sizeof functions / sizeof *functions; f++)
        if (strcmp(name, functions[f].name) == 0) {
            parse_call(c, f);
            return;
        }
    for (size_t v = 0; v < c->n_names; v++)
        if (strcmp(name, c->names[v]) == 0) {
            emit(c, SP_OP_VAR, v, 0.0);
            return;
        }
    c->p = start;
    error(c, SP_ERR_REFERENCE, "'%s' is not an indicator of this scenario",
          name);
}

static void parse_primary(compiler *c)
{
    skip_space(c);
    char ch = *c->p;
    if ((ch >= '0' && ch <= '9') || ch == '.') {
        char *end;
        double v = strtod(c->p, &end);
        if (end == c->p || !isfinite(v)) {
            error(c, SP_ERR_FORMULA, "%s", "invalid number");
            return;
        }
        c->p = end;
        emit(c, SP_OP_CONST, 0, v);
        skip_space(c);
        if (is_name_start(*c->p))
            error(c, SP_ERR_FORMULA, "%s",
                  "an operator is missing between a number and a name");
    } else if (is_name_start(ch)) {
        parse_name(c);
    } else if (ch == '(') {
        c->p++;
        parse_expr(c);
        skip_space(c);
        if (*c->p != ')')
            error(c, SP_ERR_FORMULA, "%s", "expected ')'");
        else
            c->p++;
    } else if (ch == '\0') {
        error(c, SP_ERR_FORMULA, "%s",
              "the formula ends where a value is "
              "expected");
    } else {
        char what[2] = {ch, '\0'};
        error(c, SP_ERR_FORMULA,
              "unexpected '%s'; formulas use + - * / ^ "
              "( ) , numbers, indicator names and exp, log, sqrt, min, max",
              what);
    }
}

static void parse_power(compiler *c)
{
    parse_primary(c);
    skip_space(c);
    if (*c->p == '^') {
        c->p++;
        parse_unary(c);
        emit(c, SP_OP_POW, 0, 0.0);
    }
}

static void parse_unary(compiler *c)
{
    skip_space(c);
    if (*c->p == '-') {
        c->p++;
        parse_unary(c);
        emit(c, SP_OP_NEG, 0, 0.0);
    } else if (*c->p == '+') {
        c->p++;
        parse_unary(c);
    } else {
        parse_power(c);
    }
}

static void parse_term(compiler *c)
{
    parse_unary(c);
    for (;;) {
        skip_space(c);
        char op = *c->p;
        if (c->status != SP_OK || (op != '*' && op != '/'))
            return;
        c->p++;
        parse_unary(c);
        emit(c, op == '*' ? SP_OP_MUL : SP_OP_DIV, 0, 0.0);
    }
}

static void parse_expr(compiler *c)
{
    parse_term(c);
    for (;;) {
        skip_space(c);
        char op = *c->p;
        if (c->status != SP_OK || (op != '+' && op != '-'))
            return;
        c->p++;
        parse_term(c);
        emit(c, op == '+' ? SP_OP_ADD : SP_OP_SUB, 0, 0.0);
    }
}

/* Lists the distinct variables of the code, ascending. */
static sp_status collect_vars(sp_expr *e, size_t n_names)
{
    bool *used = calloc(n_names ? n_names : 1, sizeof *used);
    if (used == NULL)
        return SP_ERR_NOMEM;
    for (size_t k = 0; k < e->n_code; k++)
        if (e->code[k].op == SP_OP_VAR && !used[e->code[k].index]) {
            used[e->code[k].index] = true;
            e->n_vars++;
        }
    e->vars = calloc(e->n_vars ? e->n_vars : 1, sizeof *e->vars);
    if (e->vars == NULL) {
        free(used);
        return SP_ERR_NOMEM;
    }
    for (size_t v = 0, j = 0; v < n_names; v++)
        if (used[v])
            e->vars[j++] = v;
    free(used);
    return SP_OK;
}

sp_status sp_expr_compile(const char *text, const char *const *names,
                          size_t n_names, sp_expr *out, char *msg,
                          size_t msg_size)
{
    compiler c = {text, text, names, n_names, NULL, 0,
                  0,    0,    0,     SP_OK,   msg,  msg_size};
    memset(out, 0, sizeof *out);
    parse_expr(&c);
    skip_space(&c);
    if (c.status == SP_OK && *c.p != '\0') {
        char what[2] = {*c.p, '\0'};
        if (is_name_start(*c.p) || (*c.p >= '0' && *c.p <= '9'))
            error(&c, SP_ERR_FORMULA, "an operator is missing before '%s'",
                  what);
        else
            error(&c, SP_ERR_FORMULA,
                  "unexpected '%s'; formulas use + - * / "
                  "^ ( ) , numbers, indicator names and exp, log, sqrt, min, "
                  "max",
                  what);
    }
    out->code = c.code;
    out->n_code = c.n_code;
    out->depth = c.max_depth;
    if (c.status == SP_OK && collect_vars(out, n_names) != SP_OK) {
        c.status = SP_ERR_NOMEM;
        snprintf(msg, msg_size, "out of memory compiling a formula");
    }
    if (c.status != SP_OK)
        sp_expr_destroy(out);
    return c.status;
}

void sp_expr_destroy(sp_expr *e)
{
    free(e->code);
    free(e->vars);
    memset(e, 0, sizeof *e);
}

/* One stack operation over n draws; `top` is the index of the first free
 * slot, slots are n doubles apart. Returns the new top. */
static size_t step(const sp_expr_instr *in, const double *const *vars, size_t n,
                   double *stack, size_t top)
{
    /* The top two slots, formed only when they exist: a pointer before
     * `stack` is undefined even if never used (found by fuzz_expr). */
    double *a = top >= 2 ? stack + (top - 2) * n : NULL;
    double *b = top >= 1 ? stack + (top - 1) * n : NULL;
    switch (in->op) {
    case SP_OP_CONST: {
        double *r = stack + top * n;
        for (size_t d = 0; d < n; d++)
            r[d] = in->value;
        return top + 1;
    }
    case SP_OP_VAR:
        memcpy(stack + top * n, vars[in->index], n * sizeof *stack);
        return top + 1;
    case SP_OP_ADD:
        for (size_t d = 0; d < n; d++)
            a[d] = a[d] + b[d];
        return top - 1;
    case SP_OP_SUB:
        for (size_t d = 0; d < n; d++)
            a[d] = a[d] - b[d];
        return top - 1;
    case SP_OP_MUL:
        for (size_t d = 0; d < n; d++)
            a[d] = a[d] * b[d];
        return top - 1;
    case SP_OP_DIV:
        for (size_t d = 0; d < n; d++)
            a[d] = a[d] / b[d];
        return top - 1;
    case SP_OP_POW:
        for (size_t d = 0; d < n; d++)
            a[d] = pow(a[d], b[d]);
        return top - 1;
    case SP_OP_NEG:
        for (size_t d = 0; d < n; d++)
            b[d] = -b[d];
        return top;
    case SP_OP_EXP:
        for (size_t d = 0; d < n; d++)
            b[d] = exp(b[d]);
        return top;
    case SP_OP_LOG:
        for (size_t d = 0; d < n; d++)
            b[d] = log(b[d]);
        return top;
    case SP_OP_SQRT:
        for (size_t d = 0; d < n; d++)
            b[d] = sqrt(b[d]);
        return top;
    case SP_OP_MIN:
    case SP_OP_MAX: {
        size_t k = in->index;
        double *r = stack + (top - k) * n;
        for (size_t j = 1; j < k; j++) {
            const double *x = r + j * n;
            for (size_t d = 0; d < n; d++)
                /* NaN propagates: it must be counted, not skipped. */
                r[d] = (isnan(x[d]) ||
                        (in->op == SP_OP_MIN ? x[d] < r[d] : x[d] > r[d]))
                           ? x[d]
                           : r[d];
        }
        return top - k + 1;
    }
    }
    return top;
}

void sp_expr_eval(const sp_expr *e, const double *const *vars, size_t n,
                  double *stack, double *out)
{
    size_t top = 0;
    for (size_t k = 0; k < e->n_code; k++)
        top = step(&e->code[k], vars, n, stack, top);
    memcpy(out, stack, n * sizeof *out);
}

double sp_expr_eval1(const sp_expr *e, const double *values)
{
    /* One draw: the batch evaluator with n = 1, each variable a pointer to
     * its single value. */
    double small_stack[64];
    const double *small_vars[64];
    size_t nv = 0;
    for (size_t k = 0; k < e->n_code; k++)
        if (e->code[k].op == SP_OP_VAR && e->code[k].index + 1 > nv)
            nv = e->code[k].index + 1;
    double *stack =
        e->depth <= 64 ? small_stack : malloc(e->depth * sizeof *stack);
    const double **vars = nv <= 64 ? small_vars : malloc(nv * sizeof *vars);
    double v = NAN;
    if (stack != NULL && vars != NULL) {
        for (size_t i = 0; i < nv; i++)
            vars[i] = &values[i];
        sp_expr_eval(e, vars, 1, stack, &v);
    }
    if (stack != small_stack)
        free(stack);
    if (vars != small_vars)
        free(vars);
    return v;
}
