/*
 * sp_mc: the Monte Carlo driver.
 *
 * The draws are cut into blocks of SP_MC_BLOCK draws; block k draws from a
 * generator seeded from (seed, k) only (sp_rng), or, with randomised
 * quasi-Monte Carlo, from points (k / 16) 1024 .. + 1023 of randomisation
 * k mod 16 of a scrambled Sobol' sequence seeded from (seed, k mod 16). The caller drives the run
 * in steps -- sp_mc_alloc, then sp_mc_run over ranges of blocks (where a
 * progress bar or a checkpoint plugs in), then sp_mc_result -- and any
 * split of the blocks over calls and threads gives bit-identical results:
 * counts are integers, quantiles come from integer histograms, and sums are
 * combined in a fixed tree over block indices.
 *
 * This is the only file that uses OpenMP. Each thread owns a generator, a
 * model workspace and a histogram accumulator; the compiled model is shared
 * read-only. Within a block, draws are simulated in batches whose values
 * are stored by column (sp_model_batch), so statistics are gathered one
 * quantity at a time with its histogram in cache. The hot loop allocates
 * nothing.
 */
#ifndef SP_MC_H
#define SP_MC_H

#include <gsl/gsl_rng.h>
#include <stdbool.h>
#include <stdint.h>

#include "sp_compile.h"
#include "sp_scenario.h"
#include "sp_result.h"
#include "sp_state.h"
#include "sp_status.h"

#define SP_MC_BLOCK        1024 /* draws per block (one random stream) */
#define SP_MC_BATCH        256  /* draws simulated together within a block */
#define SP_MC_PILOT_BLOCKS 4    /* blocks whose draws set histogram ranges */
/* Most memory a run's statistics may take (checked before allocating):
 * about 32 KiB per quantity per thread, 32 KiB more per quantity for the
 * pilot sample. */
#define SP_MC_MAX_MEMORY ((size_t)8 << 30)

/* Variance reduction (doc/model.md §7.6). */
typedef enum {
    SP_VR_NONE,      /* plain Monte Carlo: block k from its own stream */
    SP_VR_RQMC,      /* randomised quasi-Monte Carlo: scrambled Sobol' points */
    SP_VR_ANTITHETIC /* antithetic pairs: draw 2j + 1 mirrors draw 2j */
} sp_vr;

/* Randomisations of an RQMC run: block k belongs to k mod 16, so each
 * --precision step (16 blocks) adds one block to every randomisation;
 * the draws must be a multiple of SP_MC_REPLICATES * SP_MC_BLOCK. */
#define SP_MC_REPLICATES 16

/* "none", "rqmc" or "antithetic"; false for another name. */
bool sp_vr_parse(const char *name, sp_vr *vr);

typedef struct {
    uint64_t draws;          /* total draws, >= 1 */
    uint64_t seed;           /* run seed */
    const gsl_rng_type *rng; /* generator type */
    int threads;             /* >= 1 */
    sp_vr vr;                /* variance reduction */
} sp_mc_config;

typedef struct sp_mc sp_mc;

/* Prepares a run of `c` (compiled from `sc`; both must outlive the run):
 * allocates per-thread state and runs the pilot that fixes histogram
 * ranges. NULL on failure with `err` filled. */
sp_mc *sp_mc_alloc(const sp_scenario *sc, const sp_compiled *c,
                   const sp_mc_config *cfg, sp_error *err);
void sp_mc_free(sp_mc *mc);

/* Number of blocks of the run. */
uint64_t sp_mc_blocks(const sp_mc *mc);

/* Runs blocks [first, last) in parallel and adds them to the run's state.
 * The range must continue what the state already covers (any start when
 * it is empty); returns false otherwise. */
bool sp_mc_run(sp_mc *mc, uint64_t first, uint64_t last);

/* Runs the run's last block, which is partial, once the state ends just
 * before it (or is empty); the state first keeps a copy of itself as its
 * full_blocks, so that a resume with more draws can run the block again at
 * its new size. SP_ERR_NOMEM, or SP_ERR_USAGE when the run does not end in
 * a partial block or the state does not end before it. */
sp_status sp_mc_run_partial_last(sp_mc *mc, sp_error *err);

/* Marks the run's state as slice k of n (1-based), before any block. */
void sp_mc_set_slice(sp_mc *mc, uint32_t k, uint32_t n);

/* Ends the run after its first n_blocks full blocks (a precision stop):
 * the state then counts n_blocks * SP_MC_BLOCK draws. */
void sp_mc_truncate(sp_mc *mc, uint64_t n_blocks);

/* Threads used when none are asked for: all cores. */
int sp_mc_default_threads(void);

/* Everything accumulated so far: for checkpoints, slices and MPI. */
const sp_state *sp_mc_state(const sp_mc *mc);

/* Hands the run's state to the caller (who frees it) once the run is
 * over; only sp_mc_free may follow. */
sp_state *sp_mc_take_state(sp_mc *mc);

/* Starts the run from a saved state of the same run (blocks it covers are
 * not run again). Before any sp_mc_run. */
sp_status sp_mc_resume(sp_mc *mc, const sp_state *saved, sp_error *err);

/* Fills `res` (zeroed by the caller) from the state once all blocks have
 * run: sp_state_result on the run's own state. */
sp_status sp_mc_result(sp_mc *mc, sp_result *res, sp_error *err);

/* Called after each batch of a replay: draws first .. first + b - 1 of
 * the run are in ws. */
typedef void (*sp_mc_batch_fn)(const sp_model_ws *ws, size_t first, size_t b,
                               void *ctx);

/* Simulates the first n draws of a run of model m with `seed` and
 * generator `type` as the run draws them (the same block streams, in
 * batches of SP_MC_BATCH within a block), calling fn after each batch.
 * Scenario discovery, the parameter sets and the back-test cases use it.
 * SP_ERR_NOMEM with err set. */
sp_status sp_mc_replay(const sp_model *m, uint64_t seed,
                       const gsl_rng_type *type, size_t n, sp_mc_batch_fn fn,
                       void *ctx, sp_error *err);

/* Adds to met[k], k < n_targets, the draws of the batch in ws (b draws)
 * that meet target k. */
void sp_mc_count_met(const sp_model_ws *ws, size_t n_targets, size_t b,
                     uint64_t *met);

#endif /* SP_MC_H */
