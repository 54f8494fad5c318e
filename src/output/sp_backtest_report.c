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

/* One line of the table: a tally under its label. */
static void tally_line(FILE *out, const char *label, const sp_bt_tally *t)
{
    double se90;
    const char *v = sp_backtest_verdict(t, &se90);
    double c50 = sp_bt_coverage(t->in50, t->n);
    double c90 = sp_bt_coverage(t->in90, t->n);
    fprintf(out, "  %-22s %6zu  %5.3f (%5.3f)  %5.3f (%5.3f)  %9.5f  %s\n",
            label, t->n, c50, sp_bt_coverage_se(0.5, t->n), c90, se90,
            t->crps_sum / (double)t->n, v);
}

sp_status sp_backtest_report_table(FILE *out, const void *ctx, sp_error *err)
{
    const sp_backtest_report *r = ctx;
    const sp_backtest *b = r->b;
    const sp_backtest_options *o = r->o;
    fprintf(out,
            "back-test of scenario \"%s\" (%s) against %s\n"
            "origins %d-%d step %d, horizon %d, history %d; %zu regions, "
            "%zu cases, %llu draws each, seed %llu\n\n",
            r->sc->name, r->sc->file, r->data_file, o->from, o->to, o->step,
            o->horizon, o->history, b->n_regions, b->n_cases,
            (unsigned long long)o->draws, (unsigned long long)o->seed);
    fprintf(out, "  %-22s %6s  %-13s  %-13s  %9s  %s\n", "", "scored",
            "cover50 (se)", "cover90 (se)", "mean CRPS", "verdict");
    tally_line(out, "pooled", &b->pooled);
    for (size_t i = 0; i < b->n_indicators; i++)
        if (b->by_indicator[i].n > 0)
            tally_line(out, r->sc->indicators[i].name, &b->by_indicator[i]);
    for (int h = 1; h <= b->horizon; h++) {
        char label[32];
        snprintf(label, sizeof label, "horizon %d", h);
        if (b->by_horizon[h - 1].n > 0)
            tally_line(out, label, &b->by_horizon[h - 1]);
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
