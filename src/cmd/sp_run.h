/*
 * sp_run: the commands that simulate -- run (whole, a slice, or resumed)
 * and merge -- from resolved settings to reports and result files.
 *
 * A run is driven in steps of blocks (sp_mc_run): between steps the
 * progress line is updated, SIGINT/SIGTERM are noticed, and with --out the
 * state is checkpointed to DIR/state.simplan. An interrupted run saves the
 * state of its finished blocks and writes no report. A finished run saves
 * the state of its full blocks, so that --resume with more draws redoes
 * nothing but a partial last block.
 */
#ifndef SP_RUN_H
#define SP_RUN_H

#include "sp_cli.h"
#include "sp_compile.h"
#include "sp_mc.h"
#include "sp_scenario.h"
#include "sp_status.h"

/* `simplan run`: `cmdline` is the command line as typed. */
sp_status sp_run_command(const sp_run_options *opt, const sp_scenario *sc,
                         const sp_compiled *c, const char *cmdline,
                         sp_error *err);

/* `simplan merge`: the parts are state files or directories holding
 * state.simplan. */
sp_status sp_run_merge(const sp_merge_options *opt, const char *cmdline,
                       sp_error *err);

/* Settings of a run: the scenario's simulation group overridden by the
 * command line's simulation options. */
sp_status sp_run_resolve(const sp_sim_options *sim, const sp_scenario *sc,
                         sp_mc_config *cfg, const char **rng_name,
                         sp_error *err);

/* A whole run of `mc` (fresh: no slice, no resume) without a result
 * directory, for the library: every block in steps, polling `stop`
 * (sp_stop_check) between them; with precision > 0 it ends at the first
 * PRECISION_BLOCKS boundary where every target's 95 % half-width is
 * below it (*precise then true). The state keeps its full blocks beside
 * a partial last one, as a saved run's does. The blocks, steps and stops
 * are those of `simplan run`, so the result is the command's. */
sp_status sp_run_all(sp_mc *mc, const sp_mc_config *cfg, double precision,
                     const atomic_int *stop, bool *precise, sp_error *err);

/* Loads a state file given as itself or as the directory that holds it. */
sp_status sp_run_load_state(const char *path, sp_state **out, sp_error *err);

#endif /* SP_RUN_H */
