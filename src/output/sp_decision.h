/*
 * sp_decision: the results of `simplan solve` and `simplan sweep` as plain
 * data, and their writers -- one per format: table, csv, json (jansson, in
 * sp_json.c) -- so that stdout and a result file get the same text.
 *
 * The structs borrow every string and array from the caller.
 */
#ifndef SP_DECISION_H
#define SP_DECISION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sp_status.h"

/* solve: the lever value at which `target` is met with `probability`. */
typedef struct {
    const char *scenario;      /* scenario name */
    const char *target;        /* target id */
    double probability;        /* P asked for */
    const char *lever;         /* field path of the lever */
    double value;              /* the root */
    double mc_sd;              /* its Monte Carlo sd; not finite: unresolved */
    double a, b, p_a, p_b;     /* final bracket and P at its ends */
    double lo, hi, p_lo, p_hi; /* range tried and P at its ends */
    int evaluations;
    uint64_t draws, seed;
} sp_solve_report;

/* sweep: P[(j * nx + i) * n_targets + k] of target k at grid point
 * (x[i], y[j]); with one lever ny = 1 and y, lever2 unused. */
typedef struct {
    const char *scenario;
    const char *lever, *lever2; /* lever2 NULL with one lever */
    const double *x, *y;
    size_t nx, ny;
    size_t n_targets;
    const char *const *ids; /* [n_targets] target ids */
    const double *p;        /* [nx * ny * n_targets] */
    const double *ci;       /* [2 * nx * ny * n_targets]: low, high */
    uint64_t draws, seed;
} sp_sweep_report;

/* True when the solution's Monte Carlo sd is resolved (P changes near the
 * root); otherwise no sd or interval is reported. */
bool sp_solve_resolved(const sp_solve_report *s);

sp_status sp_solve_table(FILE *out, const sp_solve_report *s, sp_error *err);
sp_status sp_solve_csv(FILE *out, const sp_solve_report *s, sp_error *err);
/* SP_ERR_UNSUPPORTED when built without jansson. */
sp_status sp_solve_json(FILE *out, const sp_solve_report *s, sp_error *err);

sp_status sp_sweep_table(FILE *out, const sp_sweep_report *s, sp_error *err);
/* lever,value[,lever2,value2],target,probability,ci_low,ci_high */
sp_status sp_sweep_csv(FILE *out, const sp_sweep_report *s, sp_error *err);
/* SP_ERR_UNSUPPORTED when built without jansson. */
sp_status sp_sweep_json(FILE *out, const sp_sweep_report *s, sp_error *err);

#endif /* SP_DECISION_H */
