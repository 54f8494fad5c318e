/*
 * sp_expr: the formula language of derived indicators, compiled to a small
 * stack program and evaluated over a batch of draws at once.
 *
 * Grammar (doc/model.md §3.3), lowest precedence first:
 *   expr    := term (('+' | '-') term)*
 *   term    := unary (('*' | '/') unary)*
 *   unary   := ('-' | '+') unary | power
 *   power   := primary ('^' unary)?          right-associative; so -2^2 = -4
 *   primary := number | name | func '(' expr (',' expr)* ')' | '(' expr ')'
 *   func    := exp | log (natural) | sqrt (one argument) | min | max (one or
 *              more arguments)
 * Names are resolved to indicator indices when compiling.
 *
 * Why not muparser: its C API costs about 10 ns per call (measured with perf
 * on the baseline: 26 % of a run, as much as generating all the random
 * variates), because each call interprets the byte code for one draw. This
 * evaluator runs each operation over the whole batch, so the loops
 * vectorise and the per-draw cost of a formula is a few operations of
 * about 0.5 ns each (bench/RESULTS.md).
 */
#ifndef SP_EXPR_H
#define SP_EXPR_H

#include <stddef.h>

#include "sp_status.h"

#define SP_EXPR_MAX_ARGS 64 /* arguments of min or max */

typedef enum {
    SP_OP_CONST, /* push value */
    SP_OP_VAR,   /* push variable `index` */
    SP_OP_ADD,
    SP_OP_SUB,
    SP_OP_MUL,
    SP_OP_DIV,
    SP_OP_POW,
    SP_OP_NEG,
    SP_OP_EXP,
    SP_OP_LOG,
    SP_OP_SQRT,
    SP_OP_MIN, /* pop `index` values, push their minimum */
    SP_OP_MAX
} sp_expr_opcode;

typedef struct {
    sp_expr_opcode op;
    size_t index; /* variable index (VAR) or argument count (MIN, MAX) */
    double value; /* constant (CONST) */
} sp_expr_instr;

/* A compiled formula. Plain data; free with sp_expr_destroy. */
typedef struct {
    size_t n_code;
    sp_expr_instr *code; /* postfix program */
    size_t depth;        /* stack slots the program needs */
    size_t n_vars;
    size_t *vars; /* distinct variable indices used, ascending */
} sp_expr;

/* Compiles `text` with variables `names[0..n_names)`. On failure returns
 * SP_ERR_FORMULA (syntax), SP_ERR_REFERENCE (unknown name) or
 * SP_ERR_NOMEM, and writes a sentence naming the 1-based character
 * position to `msg`. */
sp_status sp_expr_compile(const char *text, const char *const *names,
                          size_t n_names, sp_expr *out, char *msg,
                          size_t msg_size);

void sp_expr_destroy(sp_expr *e);

/* Evaluates `e` for n draws: variable v of draw d is vars[v][d]; the
 * result goes to out[0..n). `stack` has e->depth * n doubles of scratch.
 * Allocates nothing. */
void sp_expr_eval(const sp_expr *e, const double *const *vars, size_t n,
                  double *stack, double *out);

/* Evaluates `e` once with variable v = values[v]. */
double sp_expr_eval1(const sp_expr *e, const double *values);

#endif /* SP_EXPR_H */
