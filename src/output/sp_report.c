/*
 * sp_report: table, CSV and check output.
 */
#include "sp_report.h"
#include "sp_paramunc.h"

#include <math.h>
#include <string.h>

sp_status sp_report_flush(FILE *out, sp_error *err)
{
    if (fflush(out) != 0 || ferror(out))
        return sp_error_set(err, SP_ERR_IO, NULL, 0, NULL,
                            "cannot write the report");
    return SP_OK;
}

/* "1 thread", "8 threads", or, for a merged run (threads 0: the slices
 * ran elsewhere, each with its own), "threads of its slices". */
static void threads_text(char *buf, size_t size, int threads)
{
    if (threads <= 0)
        snprintf(buf, size, "threads of its slices");
    else
        snprintf(buf, size, "%d thread%s", threads, threads == 1 ? "" : "s");
}

bool sp_report_precision_warning(const sp_report *r, char *buf, size_t size)
{
    if (!(r->precision > 0) || r->precision_reached)
        return false;
    snprintf(buf, size,
             "--precision %g was NOT reached: some 95 %% "
             "half-width is still %g or more after all %llu draws "
             "(raise --draws)",
             r->precision, r->precision, (unsigned long long)r->res->draws);
    return true;
}

/* Formats a value of target `t`'s measure for people: percentages for
 * growth measures and share levels, share points for share deltas. */
static void fmt_measure(char *buf, size_t size, const sp_scenario *sc,
                        const sp_target_spec *t, double v)
{
    long i = sp_scenario_find_indicator(sc, t->indicator);
    bool share = i >= 0 && sc->indicators[i].kind == SP_KIND_SHARE;
    sp_unit_class unit = sp_measure_info_of(t->measure)->unit;
    if (!isfinite(v))
        snprintf(buf, size, "n/a");
    else if (unit == SP_UNIT_RELATIVE)
        snprintf(buf, size, "%+.2f %%", 100.0 * v);
    else if (share && unit == SP_UNIT_DIFFERENCE)
        snprintf(buf, size, "%+.2f pp", 100.0 * v);
    else if (share)
        snprintf(buf, size, "%.2f %%", 100.0 * v);
    else
        snprintf(buf, size, "%.6g", v);
}

/* The 5, 50 and 95 % quantiles of target k's measure, formatted. */
static void fmt_spread(const sp_report *r, size_t k, char p05[32], char p50[32],
                       char p95[32])
{
    const sp_target_spec *t = &r->sc->targets[k];
    const sp_stats *m = &r->res->targets[k].measure;
    fmt_measure(p05, 32, r->sc, t, m->p05);
    fmt_measure(p50, 32, r->sc, t, m->p50);
    fmt_measure(p95, 32, r->sc, t, m->p95);
}

static void fmt_condition(char *buf, size_t size, const sp_scenario *sc,
                          const sp_target_spec *t)
{
    char a[32], b[32];
    if (sp_op_info_of(t->op)->range) {
        fmt_measure(a, sizeof a, sc, t, t->lo);
        fmt_measure(b, sizeof b, sc, t, t->hi);
        snprintf(buf, size, "in [%s, %s]", a, b);
    } else {
        fmt_measure(a, sizeof a, sc, t, t->value);
        snprintf(buf, size, "%s %s", sp_op_name(t->op), a);
    }
}

void sp_report_input_name(const sp_report *r, size_t j, char *buf, size_t size)
{
    const sp_model *m = &r->c->model;
    size_t ns = m->n_stochastic;
    if (j < ns)
        snprintf(buf, size, "%s trend", r->c->names[m->stochastic[j]]);
    else if (j < 2 * ns)
        snprintf(buf, size, "%s innovations",
                 r->c->names[m->stochastic[j - ns]]);
    else
        snprintf(buf, size, "event %s", r->sc->events[j - 2 * ns].name);
}

/* One side of a box restriction on input j, in the input's own terms. */
static void restriction_text(const sp_report *r, size_t k, size_t j,
                             const char *op, double bound, char *buf,
                             size_t size)
{
    const sp_model *m = &r->c->model;
    size_t ns = m->n_stochastic;
    char name[160];
    sp_report_input_name(r, j, name, sizeof name);
    if (j < ns) {
        const sp_indicator *ind = &m->indicators[m->stochastic[j]];
        double mu = ind->n_obs ? ind->obs_mu : 0.0;
        double sigma = ind->n_obs ? ind->obs_sigma : ind->trend_sd;
        if (ind->logit) /* a trend in logit units, not share points */
            snprintf(buf, size, "%s %s %+.3f logit/yr", name, op,
                     mu + sigma * bound);
        else
            snprintf(buf, size, "%s %s %+.2f pp/yr", name, op,
                     100.0 * (mu + sigma * bound));
        return;
    }
    int first, last;
    sp_model_input_window(m, k, j, &first, &last);
    char years[32]; /* the steps the input covers: "2025" or "2021-2025" */
    int y0 = r->sc->base_year + first, y1 = r->sc->base_year + last;
    if (y0 == y1)
        snprintf(years, sizeof years, "%d", y0);
    else
        snprintf(years, sizeof years, "%d-%d", y0, y1);
    if (j < 2 * ns)
        snprintf(buf, size, "the mean %s %s %s %+.2f sd", name, years, op,
                 bound);
    else if (op[0] == '>')
        snprintf(buf, size, "%s occurs at least %.0f times in %s", name,
                 bound < 1 ? 1.0 : bound, years);
    else
        snprintf(buf, size, "%s occurs at most %.0f times in %s", name, bound,
                 years);
}

void sp_report_box_text(const sp_report *r, size_t k, char *buf, size_t size)
{
    const sp_target_result *tr = &r->res->targets[k];
    buf[0] = '\0';
    if (!tr->has_box)
        return;
    const sp_prim_box *b = &tr->box;
    size_t used = (size_t)snprintf(buf, size, "missed in %.0f %% of draws",
                                   100.0 * b->density);
    bool first = true;
    for (size_t j = 0; j < b->n_dims && used < size; j++) {
        char part[240];
        for (int side = 0; side < 2; side++) {
            if (!(b->restricted[j] & (side ? 2 : 1)))
                continue;
            restriction_text(r, k, j,
                             side ? "<=" : ">=", side ? b->hi[j] : b->lo[j],
                             part, sizeof part);
            used += (size_t)snprintf(buf + used, size > used ? size - used : 0,
                                     "%s%s", first ? " where " : " and ", part);
            first = false;
        }
    }
    if (used < size)
        snprintf(buf + used, size - used,
                 "%s (coverage %.0f %%, density "
                 "%.0f %%, %zu draws)",
                 first ? " (no input stands out)" : "", 100.0 * b->coverage,
                 100.0 * b->density, tr->box_draws);
}

/* "drivers: gdp trend +0.31, ..." for target k. */
static void driver_line(FILE *out, const sp_report *r, size_t k)
{
    const sp_target_result *tr = &r->res->targets[k];
    size_t shown = 0;
    for (size_t i = 0; i < tr->n_drivers && shown < SP_REPORT_DRIVERS; i++) {
        const sp_driver *d = &tr->drivers[i];
        if (isnan(d->effect))
            continue;
        char name[160];
        sp_report_input_name(r, d->input, name, sizeof name);
        if (shown == 0)
            fprintf(out, "  %-20s drivers:", "");
        fprintf(out, "%s %s %+.2f", shown ? "," : "", name, d->effect);
        shown++;
    }
    if (shown)
        fputc('\n', out);
    char box[1024];
    sp_report_box_text(r, k, box, sizeof box);
    if (box[0])
        fprintf(out, "  %-20s %s\n", "", box);
}

void sp_report_calibration_text(const sp_report *r, char *buf, size_t size)
{
    bool param = false;
    for (size_t k = 0; k < r->sc->n_targets; k++)
        param = param || r->res->targets[k].param.done;
    const sp_backtest_record *b = &r->sc->backtest;
    char mc[120];
    if (r->res->replicates > 0)
        snprintf(mc, sizeof mc,
                 "the interval (from %u independent randomisations of the "
                 "Sobol' points)",
                 (unsigned)r->res->replicates);
    else if (r->res->pairs)
        snprintf(mc, sizeof mc,
                 "the interval (from the spread of the antithetic pairs)");
    else
        snprintf(mc, sizeof mc, "the Wilson interval");
    int used = snprintf(
        buf, size, "Intervals: %s is Monte Carlo error only%s", mc,
        param ? "; the parameter interval adds the estimation error of the "
                "parameters with a standard error"
        : sp_paramunc_wanted(r->sc)
            ? "; the parameters' standard errors were not used (--param-sets 0)"
            : "; the parameters are taken as known");
    if (used < 0 || (size_t)used >= size)
        return;
    if (b->present)
        snprintf(buf + used, size - (size_t)used,
                 ". Back-test: %s, its 90 %% intervals held %.1f %% of %lld "
                 "realised values (%s)",
                 b->verdict, 100.0 * b->coverage90, b->scored, b->command);
    else
        snprintf(buf + used, size - (size_t)used,
                 ". Back-test: none recorded in the scenario");
}

bool sp_report_param_text(const sp_target_result *tr, char *buf, size_t size)
{
    const sp_param_interval *p = &tr->param;
    if (!p->done) {
        if (size)
            buf[0] = '\0';
        return false;
    }
    snprintf(buf, size,
             "with parameter uncertainty: P %.4f-%.4f (95 %% of %zu "
             "parameter sets, mean %.4f, %llu draws each)",
             p->lo, p->hi, p->sets, p->p_mean, (unsigned long long)p->draws);
    return true;
}

static void target_lines(FILE *out, const sp_report *r, size_t k)
{
    const sp_target_spec *t = &r->sc->targets[k];
    const sp_target_result *tr = &r->res->targets[k];
    fprintf(out, "  %-20s P = %.4f  [%.4f, %.4f]  %s\n", t->id, tr->probability,
            tr->ci_lo, tr->ci_hi, t->name);
    char param[200];
    if (sp_report_param_text(tr, param, sizeof param))
        fprintf(out, "  %-20s %s\n", "", param);
    if (t->n_all > 0) {
        fprintf(out, "  %-20s all of:", "");
        for (size_t j = 0; j < t->n_all; j++)
            fprintf(out, " %s", t->all[j]);
        fprintf(out, "\n");
        driver_line(out, r, k);
        return;
    }
    char cond[80], p05[32], p50[32], p95[32];
    fmt_condition(cond, sizeof cond, r->sc, t);
    fmt_spread(r, k, p05, p50, p95);
    if (sp_measure_info_of(t->measure)->n_years == 1)
        fprintf(out, "  %-20s %s level in %d %s; 5-50-95 %%: %s / %s / %s\n",
                "", t->indicator, t->to, cond, p05, p50, p95);
    else
        fprintf(out, "  %-20s %s %s %d-%d %s; 5-50-95 %%: %s / %s / %s\n", "",
                t->indicator, sp_measure_name(t->measure), t->from, t->to, cond,
                p05, p50, p95);
    driver_line(out, r, k);
}

size_t sp_report_observed(const sp_scenario *sc, size_t i, double *values)
{
    size_t n = 0;
    const char *name = sc->indicators[i].name;
    for (size_t k = 0; k < SP_MAX_STEPS; k++)
        values[k] = NAN;
    for (size_t k = 0; k < sc->n_observed; k++) {
        const sp_observed_spec *o = &sc->observed[k];
        int slot = o->year - sc->base_year - 1;
        if (strcmp(o->indicator, name) != 0 || slot < 0 || slot >= SP_MAX_STEPS)
            continue;
        values[slot] = o->value;
        if ((size_t)slot + 1 > n)
            n = (size_t)slot + 1;
    }
    return n;
}

/* Years shown in the indicator table: 2025 and 2035 when projected, and
 * the horizon otherwise. */
static size_t report_years(const sp_scenario *sc, int *years)
{
    size_t n = 0;
    static const int wanted[] = {2025, 2035};
    for (size_t k = 0; k < 2; k++)
        if (wanted[k] > sc->base_year && wanted[k] <= sc->horizon)
            years[n++] = wanted[k];
    if (n == 0 || years[n - 1] != sc->horizon)
        years[n++] = sc->horizon;
    return n;
}

static void fmt_level(char *buf, size_t size, sp_kind kind, double v)
{
    if (!isfinite(v))
        snprintf(buf, size, "n/a");
    else if (kind == SP_KIND_SHARE)
        snprintf(buf, size, "%.2f %%", 100.0 * v);
    else
        snprintf(buf, size, "%.5g", v);
}

static void indicator_lines(FILE *out, const sp_report *r)
{
    int years[3];
    size_t ny = report_years(r->sc, years);
    fprintf(out, "\nIndicators: median [5 %%, 95 %%]\n  %-20s %-12s", "",
            "base");
    for (size_t y = 0; y < ny; y++)
        fprintf(out, " %-34d", years[y]);
    fprintf(out, "\n");
    for (size_t i = 0; i < r->sc->n_indicators; i++) {
        sp_kind kind = r->sc->indicators[i].kind;
        char base[32];
        fmt_level(base, sizeof base, kind, r->c->model.indicators[i].base);
        fprintf(out, "  %-20s %-12s", r->sc->indicators[i].name, base);
        for (size_t y = 0; y < ny; y++) {
            const sp_stats *s =
                &r->res->indicators[i * (size_t)r->res->n_years +
                                    (size_t)(years[y] - r->sc->base_year)];
            char a[32], b[32], c[32], cell[100];
            fmt_level(a, sizeof a, kind, s->p50);
            fmt_level(b, sizeof b, kind, s->p05);
            fmt_level(c, sizeof c, kind, s->p95);
            snprintf(cell, sizeof cell, "%s [%s, %s]", a, b, c);
            fprintf(out, " %-34s", cell);
        }
        fprintf(out, "\n");
    }
}

sp_status sp_report_table(FILE *out, const sp_report *r, sp_error *err)
{
    const sp_scenario *sc = r->sc;
    fprintf(out, "simplan %s  scenario \"%s\" (%s), %d-%d\n", SIMPLAN_VERSION,
            sc->name, sc->file, sc->base_year, sc->horizon);
    char threads[40];
    threads_text(threads, sizeof threads, r->threads);
    fprintf(out,
            "draws %llu, seed %llu, generator %s, %s, "
            "elapsed %.2f s\n",
            (unsigned long long)r->res->draws, (unsigned long long)r->seed,
            r->rng, threads, r->elapsed);
    if (r->precision > 0)
        fprintf(out,
                "precision: every 95 %% half-width below %g %s after "
                "%llu draws\n",
                r->precision, r->precision_reached ? "reached" : "NOT reached",
                (unsigned long long)r->res->draws);
    fputc('\n', out);
    fprintf(out,
            "Targets: probability met [95 %% %s interval]; drivers: "
            "P(met) in the upper minus the lower third of an input\n",
            r->res->replicates > 0 ? "RQMC"
            : r->res->pairs        ? "antithetic"
                                   : "Wilson");
    char calibration[1400];
    sp_report_calibration_text(r, calibration, sizeof calibration);
    fprintf(out, "%s\n", calibration);
    for (size_t k = 0; k < sc->n_targets; k++)
        target_lines(out, r, k);
    indicator_lines(out, r);
    char precision[200];
    bool imprecise =
        sp_report_precision_warning(r, precision, sizeof precision);
    if (r->res->n_warnings > 0 || imprecise) {
        fprintf(out, "\nWarnings\n");
        if (imprecise)
            fprintf(out, "  %s\n", precision);
        for (size_t w = 0; w < r->res->n_warnings; w++)
            fprintf(out, "  %s\n", r->res->warnings[w]);
    }
    return sp_report_flush(out, err);
}

void sp_report_csv_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

static void csv_number(FILE *out, double v)
{
    if (!isfinite(v))
        fputs(",", out);
    else
        fprintf(out, ",%.17g", v);
}

sp_status sp_report_csv(FILE *out, const sp_report *r, sp_error *err)
{
    fputs("id,name,indicator,measure,from,to,op,value,lo,hi,probability,"
          "ci_low,ci_high,met,draws,mean,p05,p25,p50,p75,p95,param_mean,"
          "param_low,param_high\n",
          out);
    for (size_t k = 0; k < r->sc->n_targets; k++) {
        const sp_target_spec *t = &r->sc->targets[k];
        const sp_target_result *tr = &r->res->targets[k];
        bool joint = t->n_all > 0;
        sp_report_csv_string(out, t->id);
        fputc(',', out);
        sp_report_csv_string(out, t->name);
        fputc(',', out);
        sp_report_csv_string(out, joint ? "" : t->indicator);
        fputc(',', out);
        sp_report_csv_string(out, joint ? "all" : sp_measure_name(t->measure));
        if (joint)
            fputs(",,,", out);
        else
            fprintf(out, ",%d,%d,", t->from, t->to);
        sp_report_csv_string(out, joint ? "" : sp_op_name(t->op));
        bool between = !joint && sp_op_info_of(t->op)->range;
        csv_number(out, joint || between ? (double)NAN : t->value);
        csv_number(out, between ? t->lo : (double)NAN);
        csv_number(out, between ? t->hi : (double)NAN);
        csv_number(out, tr->probability);
        csv_number(out, tr->ci_lo);
        csv_number(out, tr->ci_hi);
        fprintf(out, ",%llu,%llu", (unsigned long long)tr->met,
                (unsigned long long)tr->draws);
        const sp_stats *s = &tr->measure;
        double none = (double)NAN;
        csv_number(out, joint ? none : s->mean);
        csv_number(out, joint ? none : s->p05);
        csv_number(out, joint ? none : s->p25);
        csv_number(out, joint ? none : s->p50);
        csv_number(out, joint ? none : s->p75);
        csv_number(out, joint ? none : s->p95);
        const sp_param_interval *pu = &tr->param;
        csv_number(out, pu->done ? pu->p_mean : none);
        csv_number(out, pu->done ? pu->lo : none);
        csv_number(out, pu->done ? pu->hi : none);
        fputc('\n', out);
    }
    return sp_report_flush(out, err);
}

static void check_indicator(FILE *out, const sp_scenario *sc,
                            const sp_compiled *c, size_t i)
{
    const sp_indicator_spec *s = &sc->indicators[i];
    fprintf(out, "  %-20s %-8s base %-12.6g", s->name, sp_kind_name(s->kind),
            c->model.indicators[i].base);
    if (s->kind == SP_KIND_DERIVED) {
        fprintf(out, "= %s\n", s->formula);
        return;
    }
    const sp_family_info *f = sp_family_info_of(s->marginal.family);
    fprintf(out, "trend_sd %g, ar1 %g, dist %s", s->trend_sd, s->ar1, f->name);
    for (size_t k = 0; k < f->n_params; k++)
        fprintf(out, "%s%s %g%s", k ? ", " : " (", f->params[k].name,
                sp_marginal_param_value(&s->marginal, &f->params[k]),
                k + 1 == f->n_params ? ")" : "");
    fprintf(out, "%s", s->logit ? ", scale logit" : "");
    if (s->trend_sd_se > 0.0)
        fprintf(out, ", trend_sd_se %g", s->trend_sd_se);
    if (s->ar1_se > 0.0)
        fprintf(out, ", ar1_se %g", s->ar1_se);
    if (s->sd_factor > 0.0 && s->sd_factor != 1.0)
        fprintf(out,
                ", sd_factor %g (the run uses every sd and trend_sd "
                "times it)",
                s->sd_factor);
    fputc('\n', out);
    for (size_t p = 0; p < s->n_path; p++) {
        fprintf(out, "  %-20s   %d-%d mean %+g sd %g", "", s->path[p].from,
                s->path[p].to, s->path[p].mean, s->path[p].sd);
        if (s->path[p].sd_se > 0.0)
            fprintf(out, " (se %g)", s->path[p].sd_se);
        fputc('\n', out);
    }
    double obs[SP_MAX_STEPS];
    size_t n_obs = sp_report_observed(sc, i, obs);
    for (size_t t = 0; t < n_obs; t++)
        if (isfinite(obs[t]))
            fprintf(out, "  %-20s   observed %d: %.15g\n", "",
                    sc->base_year + 1 + (int)t, obs[t]);
}

/* Warns when a share's mean path leaves [0, 1] (the clamp will bind in
 * most draws) or a rate's mean is at or below the -0.99 floor. Returns the
 * number of warnings printed. */
static size_t check_path_warning(FILE *out, const sp_scenario *sc,
                                 const sp_compiled *c, size_t i)
{
    const sp_indicator *ind = &c->model.indicators[i];
    if (ind->kind == SP_KIND_DERIVED)
        return 0;
    double level = ind->base;
    for (int t = 0; t < c->model.n_steps; t++) {
        if (ind->kind == SP_KIND_RATE && ind->mean[t] <= SP_RATE_FLOOR) {
            fprintf(out,
                    "  %s: the mean rate in %d is at or below the floor "
                    "%g, so it is clamped in most draws\n",
                    c->names[i], sc->base_year + t + 1, SP_RATE_FLOOR);
            return 1;
        }
        level += ind->mean[t];
        if (ind->kind == SP_KIND_SHARE && (level < 0.0 || level > 1.0)) {
            fprintf(out,
                    "  %s: the mean path reaches %.3f in %d, outside "
                    "[0, 1]; the share is clamped in most draws from "
                    "then on\n",
                    c->names[i], level, sc->base_year + t + 1);
            return 1;
        }
    }
    return 0;
}

static void check_correlations(FILE *out, const sp_compiled *c)
{
    const sp_model *m = &c->model;
    size_t ns = m->n_stochastic;
    fprintf(out, "\nCorrelation matrix (Gaussian copula)%s\n",
            m->chol ? "" : ": identity");
    if (m->chol == NULL)
        return;
    fprintf(out, "  %-20s", "");
    for (size_t b = 0; b < ns; b++)
        fprintf(out, " %8.8s", c->names[m->stochastic[b]]);
    fprintf(out, "\n");
    for (size_t a = 0; a < ns; a++) {
        fprintf(out, "  %-20s", c->names[m->stochastic[a]]);
        for (size_t b = 0; b < ns; b++)
            fprintf(out, " %8.3f", c->correlation[a * ns + b]);
        fprintf(out, "\n");
    }
}

sp_status sp_report_check(FILE *out, const sp_scenario *sc,
                          const sp_compiled *c, sp_error *err)
{
    fprintf(out, "scenario \"%s\" (%s): %d-%d, %llu draws, seed %llu\n",
            sc->name, sc->file, sc->base_year, sc->horizon,
            (unsigned long long)sc->draws, (unsigned long long)sc->seed);
    fprintf(out, "\nIndicators\n");
    for (size_t i = 0; i < sc->n_indicators; i++)
        check_indicator(out, sc, c, i);
    fprintf(out, "\nDerived evaluation order:");
    for (size_t k = 0; k < c->model.n_derived; k++)
        fprintf(out, " %s", c->names[c->model.derived_order[k]]);
    fprintf(out, "%s\n", c->model.n_derived ? "" : " (none)");
    check_correlations(out, c);
    fprintf(out, "\nEvents%s\n", sc->n_events ? "" : ": none");
    for (size_t k = 0; k < sc->n_events; k++) {
        const sp_event_spec *e = &sc->events[k];
        fprintf(out, "  %s: probability %g per year in %d-%d\n", e->name,
                e->probability, e->from, e->to);
        for (size_t j = 0; j < e->n_effects; j++) {
            long i = sp_scenario_find_indicator(sc, e->effects[j].indicator);
            bool share = i >= 0 && sc->indicators[i].kind == SP_KIND_SHARE;
            fprintf(out, "    %s %s %+g (sd %g)\n", e->effects[j].indicator,
                    share ? "share increment" : "rate", e->effects[j].mean,
                    e->effects[j].sd);
        }
    }
    fprintf(out, "\nTargets\n");
    for (size_t k = 0; k < sc->n_targets; k++) {
        const sp_target_spec *t = &sc->targets[k];
        char cond[80];
        if (t->n_all > 0) {
            fprintf(out, "  %-20s all of", t->id);
            for (size_t j = 0; j < t->n_all; j++)
                fprintf(out, " %s", t->all[j]);
            fprintf(out, "\n");
            continue;
        }
        fmt_condition(cond, sizeof cond, sc, t);
        if (sp_measure_info_of(t->measure)->n_years == 1)
            fprintf(out, "  %-20s level of %s in %d %s\n", t->id, t->indicator,
                    t->to, cond);
        else
            fprintf(out, "  %-20s %s of %s %d-%d %s\n", t->id,
                    sp_measure_name(t->measure), t->indicator, t->from, t->to,
                    cond);
    }
    size_t n_warn = 0;
    fprintf(out, "\nWarnings\n");
    for (size_t i = 0; i < sc->n_indicators; i++)
        n_warn += check_path_warning(out, sc, c, i);
    for (size_t k = 0; k < sc->n_events; k++) {
        if (sc->events[k].probability == 0.0) {
            fprintf(out, "  event %s has probability 0 and never occurs\n",
                    sc->events[k].name);
            n_warn++;
        }
    }
    if (n_warn == 0)
        fprintf(out, "  none\n");
    return sp_report_flush(out, err);
}

static const char *const stat_names[] = {"mean", "p05", "p25",
                                         "p50",  "p75", "p95"};
static const char *const iamc_stat_names[] = {
    "Mean",   "5th Percentile",  "25th Percentile",
    "Median", "75th Percentile", "95th Percentile"};

static void stats_values(const sp_stats *s, double v[6])
{
    v[0] = s->mean;
    v[1] = s->p05;
    v[2] = s->p25;
    v[3] = s->p50;
    v[4] = s->p75;
    v[5] = s->p95;
}

static const sp_stats *indicator_stats(const sp_report *r, size_t i, int y)
{
    return &r->res->indicators[i * (size_t)r->res->n_years + (size_t)y];
}

sp_status sp_report_drivers_csv(FILE *out, const sp_report *r, sp_error *err)
{
    fputs("target,rank,input,effect,p_low,p_high,n_low,n_high\n", out);
    for (size_t k = 0; k < r->sc->n_targets; k++) {
        const sp_target_result *tr = &r->res->targets[k];
        for (size_t i = 0; i < tr->n_drivers; i++) {
            const sp_driver *d = &tr->drivers[i];
            char name[160];
            sp_report_input_name(r, d->input, name, sizeof name);
            sp_report_csv_string(out, r->sc->targets[k].id);
            fprintf(out, ",%zu,", i + 1);
            sp_report_csv_string(out, name);
            csv_number(out, d->effect);
            csv_number(out, d->p_low);
            csv_number(out, d->p_high);
            fprintf(out, ",%llu,%llu\n", (unsigned long long)d->n_low,
                    (unsigned long long)d->n_high);
        }
    }
    return sp_report_flush(out, err);
}

sp_status sp_report_indicators_csv(FILE *out, const sp_report *r, sp_error *err)
{
    fputs("indicator,year,statistic,value\n", out);
    for (size_t i = 0; i < r->sc->n_indicators; i++)
        for (int y = 0; y < r->res->n_years; y++) {
            double v[6];
            stats_values(indicator_stats(r, i, y), v);
            for (int k = 0; k < 6; k++)
                if (isfinite(v[k]))
                    fprintf(out, "%s,%d,%s,%.17g\n", r->sc->indicators[i].name,
                            r->sc->base_year + y, stat_names[k], v[k]);
        }
    return sp_report_flush(out, err);
}

sp_status sp_report_iamc_csv(FILE *out, const sp_report *r, sp_error *err)
{
    fputs("Model,Scenario,Region,Variable,Unit", out);
    for (int y = 0; y < r->res->n_years; y++)
        fprintf(out, ",%d", r->sc->base_year + y);
    fputc('\n', out);
    for (size_t i = 0; i < r->sc->n_indicators; i++) {
        const sp_indicator_spec *ind = &r->sc->indicators[i];
        for (int k = 0; k < 6; k++) {
            char variable[512];
            snprintf(variable, sizeof variable, "%s|%s", ind->variable,
                     iamc_stat_names[k]);
            sp_report_csv_string(out, "simplan " SIMPLAN_VERSION);
            fputc(',', out);
            sp_report_csv_string(out, r->sc->name);
            fputc(',', out);
            sp_report_csv_string(out, r->sc->region);
            fputc(',', out);
            sp_report_csv_string(out, variable);
            fputc(',', out);
            /* IAMC needs a unit; "1" is the convention for dimensionless. */
            sp_report_csv_string(out, ind->unit[0] ? ind->unit : "1");
            for (int y = 0; y < r->res->n_years; y++) {
                double v[6];
                stats_values(indicator_stats(r, i, y), v);
                csv_number(out, v[k]);
            }
            fputc('\n', out);
        }
    }
    return sp_report_flush(out, err);
}

/* Writes s with the characters that break a Markdown table escaped. */
static void md_text(FILE *out, const char *s)
{
    for (; *s; s++) {
        if (*s == '|' || *s == '*' || *s == '_' || *s == '`')
            fputc('\\', out);
        fputc(*s == '\n' ? ' ' : *s, out);
    }
}

/* The interval of P across parameter sets, or "-". */
static void md_param(FILE *out, const sp_target_result *tr)
{
    if (tr->param.done)
        fprintf(out, "[%.4f, %.4f]", tr->param.lo, tr->param.hi);
    else
        fputs("-", out);
}

static void md_targets(FILE *out, const sp_report *r)
{
    fprintf(out, "## Targets\n\n| id | target | condition | P(met) | "
                 "95 %% CI (Monte Carlo) | with parameter uncertainty | "
                 "measure 5 / 50 / 95 %% |\n|---|---|---|---:|---|---|---|\n");
    /* Drivers follow the table. */
    for (size_t k = 0; k < r->sc->n_targets; k++) {
        const sp_target_spec *t = &r->sc->targets[k];
        const sp_target_result *tr = &r->res->targets[k];
        fputs("| ", out);
        md_text(out, t->id);
        fputs(" | ", out);
        md_text(out, t->name);
        fputs(" | ", out);
        if (t->n_all > 0) {
            fputs("all of", out);
            for (size_t j = 0; j < t->n_all; j++) {
                fputc(' ', out);
                md_text(out, t->all[j]);
            }
            fprintf(out, " | %.4f | [%.4f, %.4f] | ", tr->probability,
                    tr->ci_lo, tr->ci_hi);
            md_param(out, tr);
            fputs(" | |\n", out);
            continue;
        }
        char cond[80], a[32], b[32], c[32];
        fmt_condition(cond, sizeof cond, r->sc, t);
        fmt_spread(r, k, a, b, c);
        md_text(out, t->indicator);
        fprintf(out, " %s ", sp_measure_name(t->measure));
        if (sp_measure_info_of(t->measure)->n_years == 1)
            fprintf(out, "%d ", t->to);
        else
            fprintf(out, "%d-%d ", t->from, t->to);
        md_text(out, cond);
        fprintf(out, " | %.4f | [%.4f, %.4f] | ", tr->probability, tr->ci_lo,
                tr->ci_hi);
        md_param(out, tr);
        fprintf(out, " | %s / %s / %s |\n", a, b, c);
    }
}

static void md_drivers(FILE *out, const sp_report *r)
{
    fprintf(out, "\n## What drives each target\n\nEffect: P(met) among "
                 "draws in the upper third of an input minus P(met) in its "
                 "lower third (for events: draws where it occurred in the "
                 "target's window minus draws where it did not).\n\n"
                 "| target | driver 1 | driver 2 | driver 3 |\n"
                 "|---|---|---|---|\n");
    for (size_t k = 0; k < r->sc->n_targets; k++) {
        const sp_target_result *tr = &r->res->targets[k];
        fputs("| ", out);
        md_text(out, r->sc->targets[k].id);
        fputs(" |", out);
        for (size_t i = 0; i < SP_REPORT_DRIVERS; i++) {
            char name[160] = "";
            if (i < tr->n_drivers && !isnan(tr->drivers[i].effect)) {
                sp_report_input_name(r, tr->drivers[i].input, name,
                                     sizeof name);
                fputc(' ', out);
                md_text(out, name);
                fprintf(out, " %+.2f", tr->drivers[i].effect);
            }
            fputs(" |", out);
        }
        fputc('\n', out);
    }
}

static void md_discovery(FILE *out, const sp_report *r)
{
    fprintf(out, "\n## When each target is missed\n\nScenario discovery "
                 "(PRIM) on the first draws of the run, for targets with a "
                 "probability between 5 %% and 95 %%.\n\n");
    size_t shown = 0;
    for (size_t k = 0; k < r->sc->n_targets; k++) {
        char box[1024];
        sp_report_box_text(r, k, box, sizeof box);
        if (!box[0])
            continue;
        fputs("- ", out);
        md_text(out, r->sc->targets[k].id);
        fputs(": ", out);
        md_text(out, box);
        fputc('\n', out);
        shown++;
    }
    if (shown == 0)
        fputs("No target is in that range.\n", out);
}

static void md_indicators(FILE *out, const sp_report *r, bool plots)
{
    int years[3];
    size_t ny = report_years(r->sc, years);
    fprintf(out, "\n## Indicators\n\nMedian and 5-95 %% range.\n\n"
                 "| indicator | unit | base |");
    for (size_t y = 0; y < ny; y++)
        fprintf(out, " %d |", years[y]);
    fprintf(out, "\n|---|---|---:|");
    for (size_t y = 0; y < ny; y++)
        fprintf(out, "---:|");
    fputc('\n', out);
    for (size_t i = 0; i < r->sc->n_indicators; i++) {
        const sp_indicator_spec *ind = &r->sc->indicators[i];
        char base[32];
        fmt_level(base, sizeof base, ind->kind, r->c->model.indicators[i].base);
        fputs("| ", out);
        md_text(out, ind->name);
        fputs(" | ", out);
        md_text(out, ind->unit);
        fprintf(out, " | %s |", base);
        for (size_t y = 0; y < ny; y++) {
            const sp_stats *s =
                indicator_stats(r, i, years[y] - r->sc->base_year);
            char a[32], b[32], c[32];
            fmt_level(a, sizeof a, ind->kind, s->p50);
            fmt_level(b, sizeof b, ind->kind, s->p05);
            fmt_level(c, sizeof c, ind->kind, s->p95);
            fprintf(out, " %s [%s, %s] |", a, b, c);
        }
        fputc('\n', out);
    }
    for (size_t i = 0; plots && i < r->sc->n_indicators; i++)
        fprintf(out, "\n![%s](fan_%s.png)\n", r->sc->indicators[i].name,
                r->sc->indicators[i].name);
}

/* The observed years of every indicator that has them, as a table;
 * nothing when no year is observed. */
static void md_observed(FILE *out, const sp_report *r)
{
    if (r->sc->n_observed == 0)
        return;
    fprintf(out, "\n## Observed years\n\nThese years are data, the same in "
                 "every draw; the projection starts after them.\n\n"
                 "| indicator | year | observed value |\n|---|---:|---:|\n");
    for (size_t i = 0; i < r->sc->n_indicators; i++) {
        double obs[SP_MAX_STEPS];
        size_t n_obs = sp_report_observed(r->sc, i, obs);
        for (size_t t = 0; t < n_obs; t++) {
            if (!isfinite(obs[t]))
                continue;
            fputs("| ", out);
            md_text(out, r->sc->indicators[i].name);
            fprintf(out, " | %d | %.15g |\n", r->sc->base_year + 1 + (int)t,
                    obs[t]);
        }
    }
}

sp_status sp_report_markdown(FILE *out, const sp_report *r, bool plots,
                             sp_error *err)
{
    const sp_scenario *sc = r->sc;
    fputs("# simplan report: ", out);
    md_text(out, sc->name);
    fputs("\n\n", out);
    if (sc->description[0]) {
        md_text(out, sc->description);
        fputs("\n\n", out);
    }
    fprintf(out, "- scenario file: `%s`", sc->file);
    if (r->scenario_sha256)
        fprintf(out, " (SHA-256 `%s`)", r->scenario_sha256);
    fprintf(out, "\n- years %d-%d, region ", sc->base_year, sc->horizon);
    md_text(out, sc->region);
    char threads[40];
    threads_text(threads, sizeof threads, r->threads);
    fprintf(out,
            "\n- %llu draws, seed %llu, generator %s, %s, "
            "%.2f s\n- simplan %s\n",
            (unsigned long long)r->res->draws, (unsigned long long)r->seed,
            r->rng, threads, r->elapsed, SIMPLAN_VERSION);
    if (r->command_line && r->command_line[0] != '\0')
        fprintf(out, "- command: `%s`\n", r->command_line);
    fputc('\n', out);
    md_targets(out, r);
    char calibration[1400];
    sp_report_calibration_text(r, calibration, sizeof calibration);
    fputc('\n', out);
    md_text(out, calibration);
    fputs(".\n", out);
    if (plots)
        fprintf(out, "\n![Probability that each target is met, with 95 %% "
                     "intervals](targets.png)\n");
    md_drivers(out, r);
    md_discovery(out, r);
    md_indicators(out, r, plots);
    md_observed(out, r);
    fprintf(out, "\n## Warnings\n\n");
    char precision[200];
    bool imprecise =
        sp_report_precision_warning(r, precision, sizeof precision);
    if (imprecise) {
        fputs("- ", out);
        md_text(out, precision);
        fputc('\n', out);
    }
    for (size_t w = 0; w < r->res->n_warnings; w++) {
        fputs("- ", out);
        md_text(out, r->res->warnings[w]);
        fputc('\n', out);
    }
    if (r->res->n_warnings == 0 && !imprecise)
        fputs("None.\n", out);
    return sp_report_flush(out, err);
}
