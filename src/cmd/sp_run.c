/*
 * sp_run: run, slices, resume, checkpoints and merge.
 */
#define _POSIX_C_SOURCE 200809L
#include "sp_run.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sp_config.h"
#include "sp_finish.h"
#include "sp_mc.h"
#include "sp_mpi.h"
#include "sp_output.h"
#include "sp_report.h"
#include "sp_rng.h"
#include "sp_stop.h"
#include "sp_state.h"

#define STEP_BLOCKS      256 /* blocks between progress updates and checks */
#define PRECISION_BLOCKS 16  /* blocks between --precision decisions */

/* True when every target's 95 % half-width (sp_state_interval), after the
 * blocks the state holds (all full, from block 0, a multiple of the
 * randomisations), is below eps. Integer counts at a fixed block
 * boundary: the same decision for any number of threads. */
static bool precise_enough(const sp_state *s, double eps)
{
    uint64_t n = sp_state_end(s) * SP_MC_BLOCK;
    for (size_t k = 0; k < s->n_targets; k++) {
        double lo, hi;
        sp_state_interval(s, k, n, &lo, &hi);
        if (!((hi - lo) / 2.0 < eps))
            return false;
    }
    return true;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* True once the run's stop flag is set. */
static bool stopped(const sp_run_options *opt)
{
    return opt->sim.stop != NULL && atomic_load(opt->sim.stop) != 0;
}

sp_status sp_run_resolve(const sp_sim_options *sim, const sp_scenario *sc,
                         sp_mc_config *cfg, const char **rng_name,
                         sp_error *err)
{
    cfg->draws = sim->draws ? sim->draws : sc->draws;
    cfg->seed = sim->has_seed ? sim->seed : sc->seed;
    *rng_name = sim->rng ? sim->rng : (sc->rng[0] ? sc->rng : SP_RNG_DEFAULT);
    cfg->rng = sp_rng_lookup(*rng_name);
    if (cfg->rng == NULL)
        return sp_error_set(err, sim->rng ? SP_ERR_USAGE : SP_ERR_RANGE,
                            sim->rng ? NULL : sc->file, 0,
                            sim->rng ? "--rng" : "simulation.rng",
                            "unknown generator '%s'; use xoshiro256ss or a "
                            "GSL generator name such as taus2 or mt19937",
                            *rng_name);
    cfg->threads = sim->threads > 0 ? sim->threads : sp_mc_default_threads();
    cfg->vr = SP_VR_NONE;
    if (sim->vr != NULL && !sp_vr_parse(sim->vr, &cfg->vr))
        return sp_error_set(err, SP_ERR_USAGE, NULL, 0, "--variance-reduction",
                            "invalid value '%s'; expected none, rqmc or "
                            "antithetic",
                            sim->vr);
    return SP_OK;
}

/* The shared tail (sp_finish_report) for run, MPI and merge, without
 * stdout: discovery, the parameter sets and the files in DIR; a failed
 * chart stage is kept in the outcome, after the data files are
 * published. */
static sp_status finish(sp_output *w, const sp_output_options *oo,
                        const sp_finish *f, const atomic_int *stop,
                        sp_run_outcome *out, sp_error *err)
{
    sp_finish_out o = {w, oo, NULL, stop};
    sp_status st = sp_finish_report(f, &o, err);
    if (st == SP_OK && o.chart_warning != NULL)
        snprintf(out->chart_warning, sizeof out->chart_warning, "%s",
                 o.chart_warning);
    return st;
}

/* A state file, given as itself or as the directory that holds it. */
sp_status sp_run_load_state(const char *path, sp_state **out, sp_error *err)
{
    struct stat sb;
    char file[4096];
    int len = stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)
                  ? snprintf(file, sizeof file, "%s/%s", path, SP_STATE_FILE)
                  : snprintf(file, sizeof file, "%s", path);
    if (len < 0 || (size_t)len >= sizeof file)
        return sp_error_set(err, SP_ERR_IO, NULL, 0, NULL,
                            "the path is too long: %s", path);
    return sp_state_load(file, out, err);
}

/* Runs blocks [from, to) in steps, checkpointing into the writer's DIR
 * (if any) at most every opt->checkpoint seconds; on a signal saves the
 * state there and fails. */
static sp_status simulate(const sp_run_options *opt, sp_mc *mc, uint64_t from,
                          uint64_t to, sp_output *dir, uint64_t total_draws,
                          sp_error *err)
{
    double last_save = now_seconds();
    uint64_t done0 = from,
             step = opt->precision > 0 ? PRECISION_BLOCKS : STEP_BLOCKS;
    for (uint64_t k = from; k < to && !stopped(opt); k += step) {
        uint64_t end = k + step < to ? k + step : to;
        sp_mc_run(mc, k, end);
        if (opt->precision > 0 && end < to &&
            precise_enough(sp_mc_state(mc), opt->precision)) {
            sp_mc_truncate(mc, end);
            break;
        }
        uint64_t done = (end - done0) * SP_MC_BLOCK;
        uint64_t todo = (to - done0) * SP_MC_BLOCK;
        if (opt->progress != NULL)
            opt->progress(done < todo ? done : todo,
                          todo < total_draws ? todo : total_draws,
                          opt->progress_ctx);
        if (dir && now_seconds() - last_save >= opt->checkpoint) {
            sp_status st =
                sp_output_checkpoint_state(dir, sp_mc_state(mc), err);
            if (st != SP_OK)
                return st;
            last_save = now_seconds();
        }
    }
    if (!stopped(opt))
        return SP_OK;
    if (dir && sp_output_checkpoint_state(dir, sp_mc_state(mc), err) != SP_OK)
        return err->status;
    if (dir == NULL)
        return sp_stop_check(opt->sim.stop, err, "no results were written");
    char what[4200];
    snprintf(what, sizeof what,
             "the finished blocks are saved in %s/%s for --resume %s; no "
             "report was written",
             sp_output_checkpoint_dir(dir), SP_STATE_FILE,
             sp_output_checkpoint_dir(dir));
    return sp_stop_check(opt->sim.stop, err, what);
}

/* "slice K/N", or "a whole run" for 1/1, into buf. */
static const char *slice_words(char *buf, size_t size, uint32_t k, uint32_t n)
{
    if (n == 1)
        snprintf(buf, size, "a whole run");
    else
        snprintf(buf, size, "slice %u/%u", k, n);
    return buf;
}

/* Checks that the saved state `s` can be continued by this command line:
 * same scenario, seed, generator and slice, and a draw count it can reach
 * bit for bit (at least as many; the same for a slice, whose blocks depend
 * on it). */
static sp_status check_resume(const sp_run_options *opt, const sp_scenario *sc,
                              const sp_state *s, sp_error *err)
{
    const char *field = NULL;
    if (strcmp(s->sha256, sc->sha256) != 0)
        field = "the scenario file";
    else if (opt->sim.has_seed && opt->sim.seed != s->seed)
        field = "--seed";
    else if (opt->sim.rng && strcmp(opt->sim.rng, s->rng) != 0)
        field = "--rng";
    if (field != NULL)
        return sp_error_set(err, SP_ERR_USAGE, opt->resume, 0, "--resume",
                            "%s differs from the saved run's", field);
    uint32_t k = opt->slices ? opt->slice : 1,
             n = opt->slices ? opt->slices : 1;
    char saved[32], asked[32];
    if (s->slice != k || s->slices != n)
        return sp_error_set(
            err, SP_ERR_USAGE, opt->resume, 0, "--resume",
            "the saved state is %s; the command line asks "
            "for %s",
            slice_words(saved, sizeof saved, s->slice, s->slices),
            slice_words(asked, sizeof asked, k, n));
    uint64_t draws = opt->sim.draws ? opt->sim.draws : s->draws;
    unsigned long long had = (unsigned long long)s->draws;
    if (draws < s->draws)
        return sp_error_set(err, SP_ERR_USAGE, opt->resume, 0, "--draws",
                            "the saved run already has %llu draws; ask for "
                            "at least as many (without --draws the run is "
                            "continued to its own count)",
                            had);
    if (draws != s->draws && n > 1)
        return sp_error_set(err, SP_ERR_USAGE, opt->resume, 0, "--draws",
                            "a slice continues its run's %llu draws (its "
                            "blocks depend on the draw count)",
                            had);
    if (draws != s->draws && sp_state_ends_partial(s) && !s->full_blocks)
        return sp_error_set(err, SP_ERR_USAGE, opt->resume, 0, "--draws",
                            "the saved run ends in a partial block and does "
                            "not keep the blocks before it, so it can only "
                            "be resumed with its own %llu draws",
                            had);
    return SP_OK;
}

/* Loads the state to resume, checks it (check_resume) and sets seed,
 * generator and draws from it; NULL (and SP_OK) when there is nothing to
 * resume. A state that ends in the run's partial last block is resumed
 * from its full blocks: the block is run again, at its new size if the
 * draw count grows. */
static sp_status resume_state(const sp_run_options *opt, const sp_scenario *sc,
                              sp_mc_config *cfg, const char **rng_name,
                              sp_state **out, sp_error *err)
{
    *out = NULL;
    if (opt->resume == NULL)
        return SP_OK;
    sp_state *s = NULL;
    sp_status st = sp_run_load_state(opt->resume, &s, err);
    if (st == SP_OK)
        st = check_resume(opt, sc, s, err);
    if (st != SP_OK) {
        sp_state_free(s);
        return st;
    }
    cfg->seed = s->seed;
    cfg->rng = sp_rng_lookup(s->rng);
    *rng_name = cfg->rng ? cfg->rng->name : "";
    cfg->draws = opt->sim.draws ? opt->sim.draws : s->draws;
    cfg->vr = s->replicates > 0 ? SP_VR_RQMC
              : s->pairs        ? SP_VR_ANTITHETIC
                                : SP_VR_NONE;
    if (s->full_blocks != NULL) {
        sp_state *full = s->full_blocks;
        s->full_blocks = NULL;
        sp_state_free(s);
        s = full;
    }
    *out = s;
    return SP_OK;
}

/* Starts `mc` from the saved state, which becomes a state of this run's
 * draw count. A saved run of fewer blocks than the pilot used other
 * histogram ranges; it is simply run again. */
static sp_status apply_resume(sp_mc *mc, sp_state *saved, sp_error *err)
{
    const sp_state *fresh = sp_mc_state(mc);
    saved->draws = fresh->draws;
    saved->n_blocks = fresh->n_blocks;
    char why[100];
    if (!sp_state_same_run(fresh, saved, why, sizeof why) &&
        sp_state_end(saved) < SP_MC_PILOT_BLOCKS)
        return SP_OK;
    return sp_mc_resume(mc, saved, err);
}

/* Blocks this invocation must run: a slice, or all that remain. */
static void block_range(const sp_run_options *opt, const sp_mc *mc,
                        uint64_t *from, uint64_t *to)
{
    uint64_t n = sp_mc_blocks(mc);
    const sp_state *s = sp_mc_state(mc);
    *from = 0;
    *to = n;
    if (opt->slices > 0)
        sp_state_slice_range(n, opt->slice, opt->slices, from, to);
    if (!sp_state_empty(s))
        *from = sp_state_end(s);
}

/* Runs the blocks and saves the state. When the run's last block is
 * partial, the blocks before it run first and the state keeps them beside
 * the whole (sp_mc_run_partial_last): the saved state is complete for
 * merge, batch --collect and the report, and resumable with more draws. */
static sp_status run_blocks(const sp_run_options *opt, sp_mc *mc,
                            const sp_mc_config *cfg, sp_output *dir,
                            sp_error *err)
{
    uint64_t from, to;
    block_range(opt, mc, &from, &to);
    bool partial_last =
        to == sp_mc_blocks(mc) && to > from && cfg->draws % SP_MC_BLOCK != 0;
    uint64_t full_end = partial_last ? to - 1 : to;
    sp_status st = simulate(opt, mc, from, full_end, dir, cfg->draws, err);
    if (sp_mc_blocks(mc) < to) /* stopped early by --precision */
        partial_last = false;
    if (st == SP_OK && partial_last) /* kept for a later save too */
        st = sp_mc_run_partial_last(mc, err);
    if (st == SP_OK && dir)
        st = sp_output_state(dir, sp_mc_state(mc), err);
    return st;
}

/* A run in this process: whole, a slice, or resumed. */
static sp_status run_single(const sp_run_options *opt, const sp_scenario *sc,
                            const sp_compiled *c, sp_run_outcome *out,
                            sp_error *err)
{
    sp_mc_config cfg;
    const char *rng_name;
    sp_state *saved = NULL;
    sp_status st = sp_run_resolve(&opt->sim, sc, &cfg, &rng_name, err);
    if (st == SP_OK)
        st = resume_state(opt, sc, &cfg, &rng_name, &saved, err);
    sp_output_options oo = {opt->out.dir, opt->out.force, opt->out.plots,
                            opt->sim.stop};
    if (oo.dir == NULL && opt->resume != NULL) {
        oo.dir = opt->resume; /* continue in place */
        oo.force = true;
    }
    sp_output *w = NULL;
    if (st == SP_OK && oo.dir != NULL)
        st = sp_output_begin(&oo, &w, err);
    if (st != SP_OK) {
        sp_state_free(saved);
        return st;
    }
    if (st == SP_OK)
        snprintf(out->rng, sizeof out->rng, "%s", rng_name);
    double start = now_seconds();
    sp_mc *mc = sp_mc_alloc(sc, c, &cfg, err);
    st = mc ? SP_OK : err->status;
    if (st == SP_OK && opt->slices > 0)
        sp_mc_set_slice(mc, opt->slice, opt->slices);
    if (st == SP_OK && saved)
        st = apply_resume(mc, saved, err);
    sp_state_free(saved);
    if (st == SP_OK)
        st = run_blocks(opt, mc, &cfg, w, err);
    if (st == SP_OK && opt->slices > 0 && w != NULL)
        st = sp_output_publish(w, err); /* a slice's result is its state */
    if (st == SP_OK && opt->slices == 0)
        st = sp_mc_result(mc, &out->res, err);
    double elapsed = now_seconds() - start;
    bool precise = st == SP_OK && opt->precision > 0 && mc &&
                   precise_enough(sp_mc_state(mc), opt->precision);
    if (st == SP_OK) /* the run is over: its state is the outcome's */
        out->state = sp_mc_take_state(mc);
    if (st == SP_OK && opt->slices > 0) {
        out->slice = true;
        out->first = out->state->first;
        out->end = sp_state_end(out->state);
    }
    sp_mc_free(mc);
    /* After the run's memory is freed: discovery is not part of its
     * elapsed time. The state file is in DIR already (run_blocks). */
    if (st == SP_OK && opt->slices == 0) {
        out->f = (sp_finish){.sc = sc,
                             .c = c,
                             .res = &out->res,
                             .seed = cfg.seed,
                             .rng = out->rng,
                             .draws = out->state->draws,
                             .threads = cfg.threads,
                             .elapsed = elapsed,
                             .precision = opt->precision,
                             .precise = precise,
                             .param_sets = opt->param_sets,
                             .command_line = opt->command_line};
        out->have_result = true;
        st = finish(w, &oo, &out->f, opt->sim.stop, out, err);
        /* The state went into DIR with the blocks; a later save of the
         * outcome writes it (sp_finish.state). */
        out->f.state = out->state;
    } else if (st == SP_OK) {
        out->f = (sp_finish){.sc = sc,
                             .c = c,
                             .seed = cfg.seed,
                             .rng = out->rng,
                             .draws = out->state->draws,
                             .threads = cfg.threads,
                             .state = out->state};
    }
    sp_output_free(w);
    return st;
}

/* ---- MPI ------------------------------------------------------------------- */

/* Rank 0: merges the gathered states (rank r holds slice r+1) into the
 * whole run's state. */
static sp_status merge_ranks(char **bufs, const size_t *sizes, int size,
                             sp_state **all, sp_error *err)
{
    sp_state **parts = calloc((size_t)size, sizeof *parts);
    char(*names)[32] = calloc((size_t)size, sizeof *names);
    const char **name_ptrs = calloc((size_t)size, sizeof *name_ptrs);
    sp_status st = parts && names && name_ptrs
                       ? SP_OK
                       : sp_error_set(err, SP_ERR_NOMEM, NULL, 0, NULL,
                                      "out of memory merging ranks");
    for (int r = 0; r < size && st == SP_OK; r++) {
        snprintf(names[r], sizeof names[r], "rank %d", r);
        name_ptrs[r] = names[r];
        st = sp_state_from_bytes(bufs[r], sizes[r], names[r], &parts[r], err);
    }
    if (st == SP_OK)
        st = sp_state_merge_slices(parts, name_ptrs, (size_t)size, all, err);
    for (int r = 0; parts && r < size; r++)
        sp_state_free(parts[r]);
    free(parts);
    free(names);
    free(name_ptrs);
    return st;
}

/* This rank's slice; its state gathered on rank 0. */
static sp_status run_rank_slice(const sp_scenario *sc, const sp_compiled *c,
                                const sp_mc_config *cfg, sp_state **all,
                                sp_error *err)
{
    int rank = sp_mpi_rank(), size = sp_mpi_size();
    sp_mc *mc = sp_mc_alloc(sc, c, cfg, err);
    sp_status st = mc ? SP_OK : err->status;
    char *buf = NULL;
    size_t len = 0;
    if (st == SP_OK) {
        uint64_t first, last;
        sp_mc_set_slice(mc, (uint32_t)rank + 1, (uint32_t)size);
        sp_state_slice_range(sp_mc_blocks(mc), (uint32_t)rank + 1,
                             (uint32_t)size, &first, &last);
        sp_mc_run(mc, first, last);
        st = sp_state_to_bytes(sp_mc_state(mc), &buf, &len, err);
    }
    sp_mc_free(mc);
    st = sp_mpi_agree(st);
    char **bufs = NULL;
    size_t *sizes = NULL;
    if (st == SP_OK)
        st = sp_mpi_gather(buf, len, &bufs, &sizes, err);
    free(buf);
    if (st == SP_OK && rank == 0)
        st = merge_ranks(bufs, sizes, size, all, err);
    for (int r = 0; bufs && r < size; r++)
        free(bufs[r]);
    free(bufs);
    free(sizes);
    return st;
}

/* `simplan run` on R > 1 MPI ranks: each rank runs slice rank+1 of R with
 * its threads; rank 0 merges, and its outcome holds the result. */
static sp_status run_mpi(const sp_run_options *opt, const sp_scenario *sc,
                         const sp_compiled *c, sp_run_outcome *out,
                         sp_error *err)
{
    if (opt->slices > 0 || opt->resume != NULL)
        return sp_error_set(err, SP_ERR_USAGE, NULL, 0,
                            opt->slices ? "--slice" : "--resume",
                            "not available under MPI: each rank already "
                            "runs one slice");
    int rank = sp_mpi_rank();
    sp_mc_config cfg;
    const char *rng_name;
    sp_status st = sp_run_resolve(&opt->sim, sc, &cfg, &rng_name, err);
    sp_output_options oo = {opt->out.dir, opt->out.force, opt->out.plots,
                            opt->sim.stop};
    sp_output *w = NULL;
    if (st == SP_OK && rank == 0 && oo.dir != NULL)
        st = sp_output_begin(&oo, &w, err);
    if (sp_mpi_agree(st) != SP_OK) {
        sp_output_free(w);
        return st != SP_OK ? st
                           : sp_error_set(err, SP_ERR_IO, NULL, 0, NULL,
                                          "stopped: rank 0 failed");
    }
    double start = now_seconds();
    sp_state *all = NULL;
    st = run_rank_slice(sc, c, &cfg, &all, err);
    if (st == SP_OK && rank == 0)
        st = sp_state_result(all, sc, c, &out->res, err);
    if (st == SP_OK && rank == 0) {
        snprintf(out->rng, sizeof out->rng, "%s", rng_name);
        out->state = all;
        all = NULL;
        out->f = (sp_finish){.sc = sc,
                             .c = c,
                             .res = &out->res,
                             .seed = cfg.seed,
                             .rng = out->rng,
                             .draws = cfg.draws,
                             .threads = cfg.threads,
                             .elapsed = now_seconds() - start,
                             .param_sets = opt->param_sets,
                             .state = out->state,
                             .command_line = opt->command_line};
        out->have_result = true;
        st = finish(w, &oo, &out->f, opt->sim.stop, out, err);
    }
    sp_output_free(w);
    sp_state_free(all);
    sp_status final = sp_mpi_agree(st);
    if (final != SP_OK && st == SP_OK)
        st = sp_error_set(err, final, NULL, 0, NULL,
                          "stopped: another rank failed");
    return st;
}

void sp_run_outcome_destroy(sp_run_outcome *out)
{
    sp_result_destroy(&out->res);
    sp_state_free(out->state);
    memset(out, 0, sizeof *out);
}

sp_status sp_run_execute(const sp_run_options *opt, const sp_scenario *sc,
                         const sp_compiled *c, sp_run_outcome *out,
                         sp_error *err)
{
    memset(out, 0, sizeof *out);
    sp_status st = sp_mpi_size() > 1 ? run_mpi(opt, sc, c, out, err)
                                     : run_single(opt, sc, c, out, err);
    if (st != SP_OK)
        sp_run_outcome_destroy(out);
    else if (out->have_result)
        out->f.res = &out->res; /* the outcome may have been moved */
    return st;
}

/* ---- merge ---------------------------------------------------------------- */

static void free_parts(sp_state **parts, size_t n)
{
    for (size_t i = 0; i < n; i++)
        sp_state_free(parts[i]);
    free(parts);
}

sp_status sp_run_merge_states(const char *const *paths, size_t n,
                              sp_state **all, sp_error *err)
{
    *all = NULL;
    sp_state **parts = calloc(n ? n : 1, sizeof *parts);
    if (parts == NULL)
        return sp_error_set(err, SP_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    sp_status st = SP_OK;
    for (size_t i = 0; i < n && st == SP_OK; i++)
        st = sp_run_load_state(paths[i], &parts[i], err);
    if (st == SP_OK)
        st = sp_state_merge_slices(parts, paths, n, all, err);
    free_parts(parts, n);
    return st;
}
