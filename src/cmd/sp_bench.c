/*
 * sp_bench: timing of the core against the variate bound.
 */
#define _XOPEN_SOURCE 700 /* realpath */
#include "sp_bench.h"

#include <gsl/gsl_randist.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "sp_config.h"
#include "sp_report.h"
#include "sp_rng.h"
#include "sp_run.h"

/* The directory of the running executable (resolved, no trailing slash)
 * into buf; false when /proc/self/exe cannot be read. */
static bool exe_dir(char *buf, size_t size)
{
    char exe[PATH_MAX];
    char *real = realpath("/proc/self/exe", exe);
    char *slash = real ? strrchr(exe, '/') : NULL;
    if (slash == NULL || (size_t)(slash - exe) >= size)
        return false;
    snprintf(buf, size, "%.*s", (int)(slash - exe), exe);
    return true;
}

/* True when `dir` is the build directory this binary was built in. */
static bool is_build_dir(const char *dir)
{
#if defined(SIMPLAN_BUILD_DIR) && defined(SIMPLAN_SOURCE_SCENARIO)
    char build[PATH_MAX];
    return realpath(SIMPLAN_BUILD_DIR, build) != NULL &&
           strcmp(build, dir) == 0;
#else
    (void)dir;
    return false;
#endif
}

sp_status sp_bench_default_scenario(char *buf, size_t size, sp_error *err)
{
    char dir[PATH_MAX];
    bool known = exe_dir(dir, sizeof dir);
#if defined(SIMPLAN_BUILD_DIR) && defined(SIMPLAN_SOURCE_SCENARIO)
    if (known && is_build_dir(dir)) {
        snprintf(buf, size, "%s", SIMPLAN_SOURCE_SCENARIO);
        return SP_OK;
    }
#endif
    char beside[PATH_MAX + 64];
    snprintf(beside, sizeof beside,
             "%s/../share/simplan/scenarios/baseline.cfg", known ? dir : ".");
    if (known && access(beside, R_OK) == 0) {
        char real[PATH_MAX];
        snprintf(buf, size, "%s", realpath(beside, real) ? real : beside);
        return SP_OK;
    }
    if (access(SIMPLAN_INSTALLED_SCENARIO, R_OK) == 0) {
        snprintf(buf, size, "%s", SIMPLAN_INSTALLED_SCENARIO);
        return SP_OK;
    }
    return sp_error_set(err, SP_ERR_IO, SIMPLAN_INSTALLED_SCENARIO, 0, NULL,
                        "no scenario given and no installed baseline "
                        "scenario (looked for %s and here); give "
                        "SCENARIO.cfg",
                        known ? beside : "share/simplan");
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Variates one draw consumes: trend and innovation normals, one uniform
 * per event-year, and the expected effect normals. */
static void variates_per_draw(const sp_model *m, double *normals,
                              double *uniforms)
{
    double ns = (double)m->n_stochastic;
    *normals = ns * (1.0 + (double)m->n_steps);
    *uniforms = 0.0;
    for (size_t k = 0; k < m->n_events; k++) {
        const sp_event *ev = &m->events[k];
        double years = (double)(ev->last_step - ev->first_step + 1);
        *uniforms += years;
        *normals += years * ev->probability * (double)ev->n_effects;
    }
}

/* Seconds to generate the variates of `draws` draws on one thread, with
 * the run's block seeding. */
static double time_variates(const sp_bench_config *cfg, double normals,
                            double uniforms)
{
    gsl_rng *r = gsl_rng_alloc(cfg->rng);
    if (r == NULL)
        return NAN;
    double sink = 0.0, start = now();
    uint64_t blocks = (cfg->draws + SP_MC_BLOCK - 1) / SP_MC_BLOCK;
    for (uint64_t k = 0; k < blocks; k++) {
        sp_rng_seed_block(r, cfg->seed, k);
        uint64_t n = cfg->draws - k * SP_MC_BLOCK;
        n = n < SP_MC_BLOCK ? n : SP_MC_BLOCK;
        uint64_t nn = (uint64_t)llround(normals * (double)n);
        uint64_t nu = (uint64_t)llround(uniforms * (double)n);
        sp_rng_fast f;
        if (sp_rng_fast_begin(&f, r)) { /* as the run draws them */
            for (uint64_t i = 0; i < nn; i++)
                sink += sp_rng_fast_normal(&f);
            for (uint64_t i = 0; i < nu; i++)
                sink += sp_rng_fast_uniform(&f);
            sp_rng_fast_end(&f);
            continue;
        }
        for (uint64_t i = 0; i < nn; i++)
            sink += gsl_ran_gaussian_ziggurat(r, 1.0);
        for (uint64_t i = 0; i < nu; i++)
            sink += gsl_rng_uniform(r);
    }
    double elapsed = now() - start;
    gsl_rng_free(r);
    /* Keeps the loop from being optimised away. */
    return sink == 1234.5678 ? elapsed * 2.0 : elapsed;
}

/* Seconds for a full run with `threads` threads. */
static sp_status time_run(const sp_scenario *sc, const sp_compiled *c,
                          const sp_bench_config *cfg, int threads,
                          double *seconds, sp_error *err)
{
    sp_mc_config mc_cfg = {cfg->draws, cfg->seed, cfg->rng, threads,
                           SP_VR_NONE};
    double start = now();
    sp_mc *mc = sp_mc_alloc(sc, c, &mc_cfg, err);
    if (mc == NULL)
        return err->status;
    sp_mc_run(mc, 0, sp_mc_blocks(mc));
    sp_result res = {0};
    sp_status st = sp_mc_result(mc, &res, err);
    *seconds = now() - start;
    sp_result_destroy(&res);
    sp_mc_free(mc);
    return st;
}

sp_status sp_bench_run(const sp_scenario *sc, const sp_compiled *c,
                       const sp_bench_config *cfg, sp_bench_report *out,
                       sp_error *err)
{
    variates_per_draw(&c->model, &out->normals_per_draw,
                      &out->uniforms_per_draw);
    double draws = (double)cfg->draws;
    out->bound_ns =
        1e9 *
        time_variates(cfg, out->normals_per_draw, out->uniforms_per_draw) /
        draws;
    double t1, tall;
    sp_status st = time_run(sc, c, cfg, 1, &t1, err);
    if (st == SP_OK)
        st = time_run(sc, c, cfg, cfg->threads, &tall, err);
    if (st != SP_OK)
        return st;
    out->ns_per_draw_1 = 1e9 * t1 / draws;
    out->ns_per_draw_all = 1e9 * tall / draws;
    out->scaling = t1 / tall;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    out->peak_rss_kib = ru.ru_maxrss;
    return SP_OK;
}
