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

#include "sp_options.h"
#include "sp_compile.h"
#include "sp_finish.h"
#include "sp_mc.h"
#include "sp_scenario.h"
#include "sp_status.h"

/* What a run leaves: for a whole run (rank 0 under MPI) its result, the
 * report's settings and the state; for a slice its state and blocks. */
typedef struct {
    bool have_result; /* false for a slice and MPI ranks other than 0 */
    sp_result res;
    sp_state *state;         /* the run's state (owned) */
    sp_finish f;             /* borrows sc, c, res, rng, state */
    char rng[64];            /* the generator's name */
    bool slice;              /* a slice: blocks [first, end) */
    uint64_t first, end;     /* of the slice */
    char chart_warning[512]; /* "" unless the chart stage failed (the
                                data files are published) */
} sp_run_outcome;

/* `simplan run` without stdout: resolves the settings, resumes, runs the
 * blocks in steps (opt->progress between them, opt->sim.stop polled,
 * checkpoints in DIR), then discovery, the parameter sets and DIR's files.
 * Under MPI with more than one rank, every rank runs one slice and rank
 * 0's outcome holds the result. `sc` and `c` must outlive the outcome;
 * sp_run_outcome_destroy frees it (also after a failure). */
sp_status sp_run_execute(const sp_run_options *opt, const sp_scenario *sc,
                         const sp_compiled *c, sp_run_outcome *out,
                         sp_error *err);
void sp_run_outcome_destroy(sp_run_outcome *out);

/* The merged state of the slices saved at `paths` (state files or the
 * directories that hold them), which must cover every block once. */
sp_status sp_run_merge_states(const char *const *paths, size_t n,
                              sp_state **all, sp_error *err);

/* Settings of a run: the scenario's simulation group overridden by the
 * command line's simulation options. */
sp_status sp_run_resolve(const sp_sim_options *sim, const sp_scenario *sc,
                         sp_mc_config *cfg, const char **rng_name,
                         sp_error *err);

/* Loads a state file given as itself or as the directory that holds it. */
sp_status sp_run_load_state(const char *path, sp_state **out, sp_error *err);

#endif /* SP_RUN_H */
