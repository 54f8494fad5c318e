/*
 * sp_formula: muparser configured for simplan's formula language.
 */
#include "sp_formula.h"

#include <math.h>
#include <muParserDLL.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sp_formula_set {
    size_t n;
    muParserHandle_t *parsers; /* [n] one per formula, variables bound */
};

static muFloat_t fn_exp(muFloat_t x) { return exp(x); }
static muFloat_t fn_log(muFloat_t x) { return log(x); }
static muFloat_t fn_sqrt(muFloat_t x) { return sqrt(x); }

static muFloat_t fn_min(const muFloat_t *v, muInt_t n)
{
    muFloat_t m = v[0];
    for (muInt_t i = 1; i < n; i++)
        m = v[i] < m ? v[i] : m;
    return m;
}

static muFloat_t fn_max(const muFloat_t *v, muInt_t n)
{
    muFloat_t m = v[0];
    for (muInt_t i = 1; i < n; i++)
        m = v[i] > m ? v[i] : m;
    return m;
}

static bool allowed_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || strchr("_. \t+-*/^(),", c) != NULL;
}

/* A parser with only simplan's functions and the names bound to vars. */
static muParserHandle_t new_parser(const char *expr, const char *const *names,
                                   size_t n_names, double *vars)
{
    muParserHandle_t h = mupCreate(muBASETYPE_FLOAT);
    if (h == NULL)
        return NULL;
    mupClearFun(h);
    mupClearConst(h);
    mupClearOprt(h);
    mupDefineFun1(h, "exp", fn_exp, 1);
    mupDefineFun1(h, "log", fn_log, 1);
    mupDefineFun1(h, "sqrt", fn_sqrt, 1);
    mupDefineMultFun(h, "min", fn_min, 1);
    mupDefineMultFun(h, "max", fn_max, 1);
    for (size_t i = 0; i < n_names; i++)
        mupDefineVar(h, names[i], &vars[i]);
    mupSetExpr(h, expr);
    return h;
}

/* The identifier starting at expr[pos], copied into buf. */
static void token_at(const char *expr, int pos, char *buf, size_t size)
{
    size_t len = strlen(expr), i = pos < 0 ? 0 : (size_t)pos, k = 0;
    while (i < len && k + 1 < size &&
           (expr[i] == '_' || (expr[i] >= '0' && expr[i] <= '9') ||
            (expr[i] >= 'a' && expr[i] <= 'z') ||
            (expr[i] >= 'A' && expr[i] <= 'Z')))
        buf[k++] = expr[i++];
    buf[k] = '\0';
}

static bool is_function_name(const char *s)
{
    return strcmp(s, "exp") == 0 || strcmp(s, "log") == 0 ||
           strcmp(s, "sqrt") == 0 || strcmp(s, "min") == 0 ||
           strcmp(s, "max") == 0;
}

static bool is_name(const char *s, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(s, names[i]) == 0)
            return true;
    return false;
}

sp_status sp_formula_parse(const char *expr, const char *const *names,
                           size_t n_names, size_t *deps, size_t *n_deps,
                           char *msg, size_t msg_size)
{
    *n_deps = 0;
    for (size_t i = 0; expr[i]; i++) {
        if (!allowed_char(expr[i])) {
            snprintf(msg, msg_size,
                     "character '%c' at position %zu is not allowed; formulas "
                     "use + - * / ^ ( ) , numbers, indicator names and exp, "
                     "log, sqrt, min, max", expr[i], i + 1);
            return SP_ERR_FORMULA;
        }
    }
    double *vars = calloc(n_names ? n_names : 1, sizeof *vars);
    muParserHandle_t h = vars ? new_parser(expr, names, n_names, vars) : NULL;
    if (h == NULL) {
        free(vars);
        snprintf(msg, msg_size, "out of memory compiling the formula");
        return SP_ERR_NOMEM;
    }
    for (size_t i = 0; i < n_names; i++)
        vars[i] = 1.0;
    mupEval(h);
    sp_status st = SP_OK;
    if (mupError(h)) {
        int pos = mupGetErrorPos(h);
        char tok[64];
        token_at(expr, pos, tok, sizeof tok);
        bool unknown = tok[0] != '\0' && !(tok[0] >= '0' && tok[0] <= '9') &&
                       !is_function_name(tok) &&
                       !is_name(tok, names, n_names);
        if (unknown) {
            snprintf(msg, msg_size,
                     "'%s' at position %d is not an indicator of this "
                     "scenario", tok, pos + 1);
            st = SP_ERR_REFERENCE;
        } else {
            snprintf(msg, msg_size, "%s", mupGetErrorMsg(h));
            st = SP_ERR_FORMULA;
        }
    } else {
        int nv = mupGetExprVarNum(h);
        for (int v = 0; v < nv; v++) {
            const muChar_t *name = NULL;
            muFloat_t *addr = NULL;
            mupGetExprVar(h, (unsigned)v, &name, &addr);
            if (addr >= vars && addr < vars + n_names)
                deps[(*n_deps)++] = (size_t)(addr - vars);
        }
    }
    mupRelease(h);
    free(vars);
    return st;
}

sp_formula_set *sp_formula_set_alloc(const char *const *exprs, size_t n,
                                     const char *const *names, size_t n_names,
                                     double *row, sp_error *err)
{
    sp_formula_set *set = calloc(1, sizeof *set);
    if (set == NULL)
        goto nomem;
    set->parsers = calloc(n ? n : 1, sizeof *set->parsers);
    if (set->parsers == NULL)
        goto nomem;
    set->n = n;
    for (size_t k = 0; k < n; k++) {
        set->parsers[k] = new_parser(exprs[k], names, n_names, row);
        if (set->parsers[k] == NULL)
            goto nomem;
    }
    return set;
nomem:
    sp_formula_set_free(set);
    sp_error_set(err, SP_ERR_NOMEM, NULL, 0, NULL,
                 "out of memory compiling formulas");
    return NULL;
}

double sp_formula_set_eval(void *set, size_t k)
{
    sp_formula_set *s = set;
    double v = mupEval(s->parsers[k]);
    return mupError(s->parsers[k]) ? (double)NAN : v;
}

void sp_formula_set_free(sp_formula_set *set)
{
    if (set == NULL)
        return;
    for (size_t k = 0; k < set->n; k++)
        if (set->parsers[k])
            mupRelease(set->parsers[k]);
    free(set->parsers);
    free(set);
}
