/*
 * sp_bench_report: the report of `simplan bench` (src/cmd/sp_bench), as a
 * table or as JSON for scripts.
 */
#ifndef SP_BENCH_REPORT_H
#define SP_BENCH_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "sp_status.h"

typedef struct {
    const char *scenario;      /* its name */
    const char *file;          /* its file */
    const char *rng;           /* generator name */
    const char *normal_method; /* sp_rng_normal_method */
    const char *marginal;      /* --marginal family, NULL: the scenario's */
    uint64_t draws, seed;
    int threads;             /* "all": the threads of the second run */
    double normals_per_draw; /* variates one draw consumes */
    double uniforms_per_draw;
    double bound_ns;        /* ns per draw to generate them, 1 thread */
    double ns_per_draw_1;   /* one thread */
    double ns_per_draw_all; /* wall time per draw, all threads */
    double scaling;         /* ns_per_draw_1 / ns_per_draw_all */
    long peak_rss_kib;
} sp_bench_report;

/* The readable report. */
sp_status sp_bench_report_table(FILE *out, const sp_bench_report *r,
                                sp_error *err);

/* JSON: simplan_version, scenario {name, file}, draws, seed, rng,
 * normal_method, marginal, threads, normals_per_draw, uniforms_per_draw,
 * ns_per_draw (one thread), bound_ns_per_draw, bound_ratio,
 * draws_per_s_1, draws_per_s_all, ns_per_draw_per_core, thread_scaling,
 * peak_rss_mib. SP_ERR_UNSUPPORTED in a build without jansson. */
sp_status sp_bench_report_json(FILE *out, const sp_bench_report *r,
                               sp_error *err);

#endif /* SP_BENCH_REPORT_H */
