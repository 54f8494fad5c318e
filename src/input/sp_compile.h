/*
 * sp_compile: turns a validated scenario into the model the Monte Carlo runs.
 *
 * Expands path periods into per-year parameters, resolves names to indices,
 * orders derived indicators by their dependencies (a cycle is an error that
 * names it), factors the correlation matrix (an error if it is not positive
 * definite) and evaluates the derived indicators at the base year (an error
 * if a value is not finite, e.g. a division by zero).
 */
#ifndef SP_COMPILE_H
#define SP_COMPILE_H

#include "sp_model.h"
#include "sp_scenario.h"
#include "sp_status.h"

typedef struct {
    sp_model model;      /* owned */
    const char **names;  /* [n_indicators] borrowed from the scenario */
    double *correlation; /* [n_s*n_s] the full matrix, for reports */
} sp_compiled;

/* Compiles `sc` into `out` (zeroed by the caller). The scenario must
 * outlive `out`. On failure `out` is destroyed and `err` names the file,
 * line and field. */
sp_status sp_compile(const sp_scenario *sc, sp_compiled *out, sp_error *err);

void sp_compiled_destroy(sp_compiled *c);

#endif /* SP_COMPILE_H */
