/*
 * sp_decision: table and CSV writers of solve and sweep results (JSON in
 * sp_json.c, with the other jansson code).
 */
#include "sp_decision.h"

#include <math.h>
#include <string.h>

#include "sp_report.h"

bool sp_solve_resolved(const sp_solve_report *s)
{
    return isfinite(s->mc_sd);
}

sp_status sp_solve_table(FILE *out, const sp_solve_report *s, sp_error *err)
{
    double lo95 = s->value - 1.96 * s->mc_sd, hi95 = s->value + 1.96 * s->mc_sd;
    fprintf(out, "solve: P(%s met) = %g by varying %s\n", s->target,
            s->probability, s->lever);
    if (sp_solve_resolved(s))
        fprintf(out,
                "  value        %.6g  (Monte Carlo sd %.3g; 95 %% "
                "interval %.6g .. %.6g)\n",
                s->value, s->mc_sd, lo95, hi95);
    else
        fprintf(out,
                "  value        %.6g  (P does not change near it: its "
                "Monte Carlo uncertainty is not resolved)\n",
                s->value);
    fprintf(out, "  bracket      [%.6g, %.6g] with P = %.4f .. %.4f\n", s->a,
            s->b, s->p_a, s->p_b);
    fprintf(out, "  range tried  [%.6g, %.6g] with P = %.4f .. %.4f\n", s->lo,
            s->hi, s->p_lo, s->p_hi);
    fprintf(out,
            "  %d evaluations of %llu draws each, seed %llu (common "
            "random numbers)\n",
            s->evaluations, (unsigned long long)s->draws,
            (unsigned long long)s->seed);
    return sp_report_flush(out, err);
}

sp_status sp_solve_csv(FILE *out, const sp_solve_report *s, sp_error *err)
{
    fputs("target,probability,lever,value,mc_sd,ci_low,ci_high,bracket_low,"
          "bracket_high,evaluations,draws,seed\n",
          out);
    sp_report_csv_string(out, s->target);
    fprintf(out, ",%.17g,", s->probability);
    sp_report_csv_string(out, s->lever);
    fprintf(out, ",%.17g,", s->value);
    if (sp_solve_resolved(s))
        fprintf(out, "%.17g,%.17g,%.17g", s->mc_sd, s->value - 1.96 * s->mc_sd,
                s->value + 1.96 * s->mc_sd);
    else
        fputs(",,", out);
    fprintf(out, ",%.17g,%.17g,%d,%llu,%llu\n", s->a, s->b, s->evaluations,
            (unsigned long long)s->draws, (unsigned long long)s->seed);
    return sp_report_flush(out, err);
}

/* The width of target k's column: its id in full, at least 14. */
static int id_width(const sp_sweep_report *s, size_t k)
{
    size_t len = strlen(s->ids[k]);
    return len > 14 ? (int)len : 14;
}

sp_status sp_sweep_table(FILE *out, const sp_sweep_report *s, sp_error *err)
{
    bool two = s->lever2 != NULL;
    fprintf(out, "P(target met) with %s%s%s (common random numbers)\n\n",
            s->lever, two ? " and " : "", two ? s->lever2 : "");
    fprintf(out, "%12s", "value");
    if (two)
        fprintf(out, " %12s", "value2");
    for (size_t k = 0; k < s->n_targets; k++)
        fprintf(out, " %*s", id_width(s, k), s->ids[k]);
    fputc('\n', out);
    for (size_t j = 0; j < s->ny; j++)
        for (size_t i = 0; i < s->nx; i++) {
            fprintf(out, "%12.6g", s->x[i]);
            if (two)
                fprintf(out, " %12.6g", s->y[j]);
            for (size_t k = 0; k < s->n_targets; k++)
                fprintf(out, " %*.4f", id_width(s, k),
                        s->p[(j * s->nx + i) * s->n_targets + k]);
            fputc('\n', out);
        }
    return sp_report_flush(out, err);
}

sp_status sp_sweep_csv(FILE *out, const sp_sweep_report *s, sp_error *err)
{
    bool two = s->lever2 != NULL;
    fprintf(out, "lever,value%s,target,probability,ci_low,ci_high\n",
            two ? ",lever2,value2" : "");
    for (size_t j = 0; j < s->ny; j++)
        for (size_t i = 0; i < s->nx; i++)
            for (size_t k = 0; k < s->n_targets; k++) {
                size_t at = (j * s->nx + i) * s->n_targets + k;
                sp_report_csv_string(out, s->lever);
                fprintf(out, ",%.17g", s->x[i]);
                if (two) {
                    fputc(',', out);
                    sp_report_csv_string(out, s->lever2);
                    fprintf(out, ",%.17g", s->y[j]);
                }
                fputc(',', out);
                sp_report_csv_string(out, s->ids[k]);
                fprintf(out, ",%.17g,%.17g,%.17g\n", s->p[at], s->ci[2 * at],
                        s->ci[2 * at + 1]);
            }
    return sp_report_flush(out, err);
}
