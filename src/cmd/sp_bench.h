/*
 * sp_bench: throughput of the simulation core (`simplan bench`).
 *
 * Measures, in one process and on the same scenario: the time per draw on
 * one thread and on all threads, the thread scaling, peak resident memory,
 * and the variate bound -- the time the same generator takes to produce
 * exactly the random variates one draw consumes (normals by the same
 * method as the run, sp_rng_normal_method; uniforms for event occurrences,
 * the expected number of effect normals), seeded per block like the run. The ratio of the time
 * per draw to the bound says how much the model and the statistics cost
 * beyond drawing the random numbers.
 */
#ifndef SP_BENCH_H
#define SP_BENCH_H

#include <stdint.h>
#include <stdio.h>

#include "sp_bench_report.h"
#include "sp_options.h"
#include "sp_compile.h"
#include "sp_mc.h"
#include "sp_scenario.h"
#include "sp_status.h"

typedef struct {
    uint64_t draws;
    uint64_t seed;
    const gsl_rng_type *rng;
    int threads; /* "all cores" */
} sp_bench_config;

/* Where the shipped baseline is, fixed at build time: installed under the
 * data directory, and in the source tree for a binary run from its build
 * tree (SIMPLAN_BUILD_DIR). */
#ifndef SIMPLAN_INSTALLED_SCENARIO
#define SIMPLAN_INSTALLED_SCENARIO                                             \
    "/usr/local/share/simplan/scenarios/baseline.cfg"
#endif

/* The scenario `simplan bench` runs when given none, decided by where the
 * running executable is (/proc/self/exe): a binary in its build tree uses
 * the source tree's baseline; any other binary only an installed one --
 * share/simplan/scenarios/baseline.cfg beside its bin/ directory (the
 * install layout, wherever the prefix was moved), else
 * SIMPLAN_INSTALLED_SCENARIO -- and never the build tree. Writes the path
 * into buf; SP_ERR_IO naming the places looked at when none is readable. */
sp_status sp_bench_default_scenario(char *buf, size_t size, sp_error *err);

/* Runs the benchmark of compiled scenario `c`: sets the measured fields
 * of `out` (variates per draw, bound, times per draw, scaling, peak
 * memory) and leaves the others. */
sp_status sp_bench_run(const sp_scenario *sc, const sp_compiled *c,
                       const sp_bench_config *cfg, sp_bench_report *out,
                       sp_error *err);

#endif /* SP_BENCH_H */
