/*
 * sp_batch: many scenarios and a comparison table (`simplan batch`).
 *
 * Each scenario runs as its own `simplan run SCENARIO --slice 1/1 --out
 * DIR/NAME` process (its state file is then complete), J at a time
 * (--jobs), with its own seed unless --seed is given; the result files of
 * each run and the comparison are then built from those state files, so
 * scenarios run elsewhere (one Slurm array task each, see
 * scripts/slurm/simplan-batch.sbatch) are collected the same way with
 * --collect. Output: DIR/comparison.csv (one row per scenario and target)
 * and a table of target x scenario probabilities on stdout and in
 * DIR/comparison.md.
 */
#ifndef SP_BATCH_H
#define SP_BATCH_H

#include "sp_cli.h"
#include "sp_status.h"

/* `simplan batch`; argv0 is this program, used to start the runs. */
sp_status sp_batch_command(const sp_batch_options *opt, sp_error *err);

#endif /* SP_BATCH_H */
