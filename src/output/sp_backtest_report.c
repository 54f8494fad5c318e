/*
 * sp_backtest_report: table and CSV of a back-test.
 */
#include "sp_backtest_report.h"

#include <math.h>

#include "sp_report.h"
#include "sp_score.h"

const char *sp_backtest_verdict(const sp_bt_tally *t, double *se)
{
    return sp_verdict_name(sp_score_verdict(t->in90, t->n, se));
}

/* One line of the table: a tally under its label, then its sd factor. */
static void tally_line(FILE *out, const char *label, const sp_bt_tally *t,
                       const char *factor)
{
    double se90;
    const char *v = sp_backtest_verdict(t, &se90);
    double c50 = sp_bt_coverage(t->in50, t->n);
    double c90 = sp_bt_coverage(t->in90, t->n);
    fprintf(out, "  %-22s %6zu  %5.3f (%5.3f)  %5.3f (%5.3f)  %9.5f  ", label,
            t->n, c50, sp_bt_coverage_se(0.5, t->n), c90, se90,
            t->crps_sum / (double)t->n);
    if (*factor)
        fprintf(out, "%-15s  %s\n", v, factor);
    else
        fprintf(out, "%s\n", v);
}

/* An sd factor as the table shows it: the number, "<1/8" or ">8" when
 * outside the search's range (the coverage at 1/8 already 0.9 or more, or
 * at 8 still below), "-" when not searched. */
static const char *factor_text(char *buf, size_t size, bool searched,
                               bool found, double f, double coverage90_lo)
{
    if (!searched)
        snprintf(buf, size, "-");
    else if (found)
        snprintf(buf, size, "%.3f", f);
    else
        snprintf(buf, size, "%s", coverage90_lo >= 0.9 ? "<1/8" : ">8");
    return buf;
}

/* The sd factor of indicator i as the table shows it. */
static const char *indicator_factor(char *buf, size_t size,
                                    const sp_backtest *b, size_t i)
{
    const sp_bt_sd_factor *g = b->sd_factors ? &b->sd_factors[i] : NULL;
    return factor_text(buf, size, g != NULL, g && g->found, g ? g->factor : 0.0,
                       g ? g->coverage90_lo : 0.0);
}

/* v as "%*.*f", or "-" in the same width when it is not finite (a skill
 * with a base rate of 0 or 1, a z with P all 0, 1/2 or 1). */
static const char *num(char *buf, size_t size, int width, int prec, double v)
{
    if (isfinite(v))
        snprintf(buf, size, "%*.*f", width, prec, v);
    else
        snprintf(buf, size, "%*s", width, "-");
    return buf;
}

/* One line of the targets' table: a Brier tally under its label. */
static void brier_line(FILE *out, const char *label, const sp_brier *t)
{
    char se[16], skill[16], z[16];
    fprintf(out, "  %-22s %6zu  %6.4f (%s)  %9.3f  %11.4f  %s  %8.4f (%s)\n",
            label, t->n, t->brier, num(se, sizeof se, 6, 4, t->brier_se),
            t->base_rate, t->brier_climatology,
            num(skill, sizeof skill, 6, 3, t->skill), t->expected,
            num(z, sizeof z, 5, 2, t->z));
}

/* The targets' Brier scores, pooled and by target, and the pooled
 * reliability table; one line when none was scored. */
static void targets_table(FILE *out, const sp_backtest_report *r)
{
    const sp_backtest *b = r->b;
    if (b->targets.brier.n == 0) {
        fprintf(out, "\ntargets: none scored (a simple target on a rate or "
                     "share is scored when its window, moved to the origin, "
                     "ends within the horizon and the data give its "
                     "measure; doc/model.md §15.4)\n");
        return;
    }
    fprintf(out, "\ntargets (P: share of the case's draws meeting the target; "
                 "outcome: the data meet it):\n");
    fprintf(out, "  %-22s %6s  %-15s  %9s  %11s  %6s  %s\n", "", "scored",
            "Brier (se)", "base rate", "climatology", "skill", "E[Brier] (z)");
    brier_line(out, "pooled", &b->targets.brier);
    for (size_t k = 0; k < b->n_targets; k++)
        if (b->by_target[k].brier.n > 0)
            brier_line(out, r->sc->targets[k].id, &b->by_target[k].brier);
    fprintf(out, "reliability (pooled):\n  %-9s  %6s  %6s  %8s  %s\n", "P", "n",
            "mean P", "observed", "95 % interval");
    for (int k = 0; k < SP_BT_RELIABILITY_BINS; k++) {
        const sp_reliability_bin *c = &b->targets.reliability[k];
        if (c->n == 0)
            fprintf(out, "  %3.1f-%3.1f  %6zu\n", c->lo, c->hi, c->n);
        else
            fprintf(out, "  %3.1f-%3.1f  %6zu  %6.3f  %8.3f  %5.3f-%5.3f\n",
                    c->lo, c->hi, c->n, c->p_mean, c->observed, c->observed_lo,
                    c->observed_hi);
    }
    fprintf(out, "skill: 1 - Brier / climatology (the Brier score of the "
                 "base rate); E[Brier]: the mean of P (1 - P), the "
                 "expected Brier score if the P are right; z: (Brier - "
                 "E[Brier]) / its sd (Spiegelhalter)\n");
}

sp_status sp_backtest_report_table(FILE *out, const void *ctx, sp_error *err)
{
    const sp_backtest_report *r = ctx;
    const sp_backtest *b = r->b;
    const sp_backtest_options *o = r->o;
    fprintf(out,
            "back-test of scenario \"%s\" (%s) against %s\n"
            "origins %d-%d step %d, horizon %d, history %d; %zu region%s, "
            "%zu cases, %llu draws each, seed %llu\n\n",
            r->sc->name, r->sc->file, r->data_file, o->from, o->to, o->step,
            o->horizon, o->history, b->n_regions, b->n_regions == 1 ? "" : "s",
            b->n_cases, (unsigned long long)o->draws,
            (unsigned long long)o->seed);
    fprintf(out, "  %-22s %6s  %-13s  %-13s  %9s  %-15s  %s\n", "", "scored",
            "cover50 (se)", "cover90 (se)", "mean CRPS", "verdict",
            "sd factor");
    char f[16];
    tally_line(out, "pooled", &b->pooled,
               factor_text(f, sizeof f, o->sd_factor, b->sd_factor_found,
                           b->sd_factor, b->coverage90_lo));
    for (size_t i = 0; i < b->n_indicators; i++)
        if (b->by_indicator[i].n > 0)
            tally_line(out, r->sc->indicators[i].name, &b->by_indicator[i],
                       indicator_factor(f, sizeof f, b, i));
    for (int h = 1; h <= b->horizon; h++) {
        char label[32];
        snprintf(label, sizeof label, "horizon %d", h);
        if (b->by_horizon[h - 1].n > 0)
            tally_line(out, label, &b->by_horizon[h - 1], "");
    }
    fprintf(out,
            "\nPIT histogram (10 bins, expected %.1f each if "
            "calibrated):",
            (double)b->pooled.n / SP_BT_PIT_BINS);
    for (int k = 0; k < SP_BT_PIT_BINS; k++)
        fprintf(out, " %zu", b->pooled.pit[k]);
    fputc('\n', out);
    if (b->sd_factor_found)
        fprintf(out,
                "sd factor: %.3f (every sd and trend_sd times this gives a "
                "pooled 90 %% coverage of 0.9)\n",
                b->sd_factor);
    else if (o->sd_factor && b->coverage90_lo >= 0.9)
        fprintf(out,
                "sd factor: below 1/8 (coverage90 is already %.3f with "
                "every sd and trend_sd times 1/8)\n",
                b->coverage90_lo);
    else if (o->sd_factor)
        fprintf(out,
                "sd factor: above 8 (coverage90 is only %.3f with every sd "
                "and trend_sd times 8)\n",
                b->coverage90_hi);
    if (o->sd_factor)
        fprintf(out,
                "sd factor of an indicator: its own sd and trend_sd "
                "times it give its own 90 %% coverage of 0.9 (the "
                "column); both searched on each case's first %llu draws "
                "(doc/model.md §15.3)\n",
                (unsigned long long)b->search_draws);
    targets_table(out, r);
    fprintf(out, "verdict: coverage90 outside 0.9 +- 2.576 se (a 99 %% "
                 "binomial band) is over- or under-confident "
                 "(doc/model.md §15)\n");
    return sp_report_flush(out, err);
}

sp_status sp_backtest_report_csv(FILE *out, const void *ctx, sp_error *err)
{
    const sp_backtest_report *r = ctx;
    const sp_backtest *b = r->b;
    fputs("region,origin,indicator,year,horizon,measure,value,pit,in50,in90,"
          "crps,p05,p25,p50,p75,p95,line\n",
          out);
    for (size_t k = 0; k < b->n_scores; k++) {
        const sp_bt_score *s = &b->scores[k];
        fprintf(out,
                "%s,%d,%s,%d,%d,%s,%.10g,%.6f,%d,%d,%.6g,%.6g,%.6g,%.6g,"
                "%.6g,%.6g,%d\n",
                s->region, s->origin, r->sc->indicators[s->indicator].name,
                s->year, s->year - s->origin, sp_data_measure_name(s->measure),
                s->value, s->pit, s->in50, s->in90, s->crps, s->p05, s->p25,
                s->p50, s->p75, s->p95, s->line);
    }
    return sp_report_flush(out, err);
}

sp_status sp_backtest_report_targets_csv(FILE *out, const void *ctx,
                                         sp_error *err)
{
    const sp_backtest_report *r = ctx;
    const sp_backtest *b = r->b;
    fputs("region,origin,target,indicator,measure,from,to,value,p,met\n", out);
    for (size_t k = 0; k < b->n_target_scores; k++) {
        const sp_bt_target_score *s = &b->target_scores[k];
        const sp_target_spec *t = &r->sc->targets[s->target];
        fprintf(out, "%s,%d,%s,%s,%s,%d,%d,", s->region, s->origin, t->id,
                t->indicator, sp_measure_name(t->measure), s->from, s->to);
        if (isfinite(s->value)) /* else empty: e.g. a change from 0 */
            fprintf(out, "%.10g", s->value);
        fprintf(out, ",%.10g,%d\n", s->p, s->met);
    }
    return sp_report_flush(out, err);
}
