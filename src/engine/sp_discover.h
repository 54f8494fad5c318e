/*
 * sp_discover: scenario discovery -- when is a target missed?
 *
 * For each target with 0.05 < P < 0.95, a PRIM box (model/sp_prim.h) over
 * the per-draw inputs (sp_model_n_inputs: trend draws, window innovations,
 * event counts) of the first min(draws, 100,000) draws of the run --
 * simulated again exactly as the run drew them (same block streams), so
 * the box does not depend on threads, slices or ranks -- describing where
 * the target is missed: "missed in 81 % of draws where the gdp trend is
 * above +0.48 pp/yr (coverage 70 %, density 81 %)".
 */
#ifndef SP_DISCOVER_H
#define SP_DISCOVER_H

#include "sp_compile.h"
#include "sp_mc.h"
#include "sp_scenario.h"
#include "sp_status.h"

#define SP_DISCOVER_MAX_DRAWS 100000
#define SP_DISCOVER_P_MIN     0.05
#define SP_DISCOVER_P_MAX     0.95

/* Fills res->targets[k].box for every target in range, from the run with
 * `seed`, generator `rng` and `draws`. */
sp_status sp_discover(const sp_scenario *sc, const sp_compiled *c,
                      uint64_t seed, const gsl_rng_type *rng, uint64_t draws,
                      sp_result *res, sp_error *err);

#endif /* SP_DISCOVER_H */
