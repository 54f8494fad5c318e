/*
 * sp_options: the settings of the computations behind run, solve and
 * sweep, as the public interface (include/simplan.h) fills them from its
 * option structures. Field names follow the command-line options they
 * stand for (--draws, --out, --slice ...), which error messages name.
 */
#ifndef SP_OPTIONS_H
#define SP_OPTIONS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "sp_status.h"

/* Overrides of the scenario's simulation group, for every command that
 * simulates. */
typedef struct {
    uint64_t draws; /* 0: from the scenario */
    bool has_seed;
    uint64_t seed;
    int threads;            /* 0: all cores */
    const char *rng;        /* NULL: from the scenario */
    const char *vr;         /* --variance-reduction, NULL: none */
    const atomic_int *stop; /* polled between steps: a signal's number or
                               SP_STOP_CANCEL stops the command; NULL
                               never (not an option: set by the caller) */
} sp_sim_options;

/* Where a result goes: --out DIR, --force, --plots / --no-plots. */
typedef struct {
    const char *dir; /* --out DIR, NULL for none */
    bool force;      /* reuse an existing DIR */
    bool plots;      /* charts in DIR (default on with --out in a
                               build with charts; off, and --plots refused,
                               in one without) */
} sp_out_options;

/* `simplan run`. */
typedef struct {
    sp_sim_options sim;
    sp_out_options out;
    uint32_t slice, slices; /* --slice K/N, 0/0 for the whole run */
    const char *resume;     /* --resume DIR, NULL for none */
    double checkpoint;      /* seconds between state checkpoints in DIR */
    double precision;       /* stop when every 95 % half-width is below */
    long param_sets;        /* --param-sets: 0 the default, -1 none */
    /* Not options; set by the caller: */
    void (*progress)(uint64_t done, uint64_t total, void *ctx);
    void *progress_ctx;       /* called between steps, NULL: none */
    const char *command_line; /* recorded in summary.json, NULL: none */
} sp_run_options;

/* `simplan solve` and `simplan sweep` (their files are written apart:
 * sp_decide_solve_save, sp_decide_sweep_save). */
typedef struct {
    sp_sim_options sim;
    const char *target;  /* solve: target id */
    double prob;         /* solve: probability to reach */
    const char *vary[2]; /* solve: PATH; sweep: PATH=FROM:TO:STEPS */
    int n_vary;
    bool has_range; /* solve: --range LO:HI */
    double range_lo, range_hi;
    double tol; /* solve: bracket width to stop at */
} sp_decide_options;

#endif /* SP_OPTIONS_H */
