/*
 * sp_bench_report: the table of `simplan bench` (the JSON is in sp_json).
 */
#include "sp_bench_report.h"

#include "sp_report.h"

sp_status sp_bench_report_table(FILE *out, const sp_bench_report *r,
                                sp_error *err)
{
    fprintf(out, "simplan %s bench: scenario \"%s\" (%s)\n", SIMPLAN_VERSION,
            r->scenario, r->file);
    fprintf(out, "draws %llu, seed %llu, generator %s, threads %d\n\n",
            (unsigned long long)r->draws, (unsigned long long)r->seed, r->rng,
            r->threads);
    if (r->marginal != NULL)
        fprintf(out,
                "marginal                 %s (every stochastic "
                "indicator)\n",
                r->marginal);
    fprintf(out, "variates per draw        %.1f normal + %.1f uniform\n",
            r->normals_per_draw, r->uniforms_per_draw);
    fprintf(out, "normal method            %s\n", r->normal_method);
    fprintf(out, "variate bound            %.1f ns per draw\n", r->bound_ns);
    fprintf(out, "time per draw, 1 thread  %.1f ns  (%.2f x the bound)\n",
            r->ns_per_draw_1, r->ns_per_draw_1 / r->bound_ns);
    fprintf(out, "draws/s, 1 thread        %.4g\n", 1e9 / r->ns_per_draw_1);
    fprintf(out, "draws/s, %d threads       %.4g\n", r->threads,
            1e9 / r->ns_per_draw_all);
    fprintf(out, "ns per draw per core     %.1f\n",
            r->ns_per_draw_all * r->threads);
    fprintf(out, "thread scaling           %.2f x on %d threads\n", r->scaling,
            r->threads);
    fprintf(out, "peak resident memory     %.1f MiB\n",
            (double)r->peak_rss_kib / 1024.0);
    return sp_report_flush(out, err);
}
