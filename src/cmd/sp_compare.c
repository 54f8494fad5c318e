/*
 * sp_compare: the comparison tables of several runs.
 */
#include "sp_compare.h"

#include <string.h>

#include "sp_output.h"
#include "sp_report.h"

static bool loaded(const sp_compare_entry *e)
{
    return e->sc != NULL && e->res != NULL;
}

static void write_long_csv(FILE *f, const sp_compare_entry *entries, size_t n)
{
    fputs("scenario,target,name,probability,ci_low,ci_high,met,draws\n", f);
    for (size_t k = 0; k < n; k++) {
        const sp_compare_entry *e = &entries[k];
        for (size_t t = 0; loaded(e) && t < e->sc->n_targets; t++) {
            const sp_target_result *r = &e->res->targets[t];
            sp_report_csv_string(f, e->name);
            fputc(',', f);
            sp_report_csv_string(f, e->sc->targets[t].id);
            fputc(',', f);
            sp_report_csv_string(f, e->sc->targets[t].name);
            fprintf(f, ",%.17g,%.17g,%.17g,%llu,%llu\n", r->probability,
                    r->ci_lo, r->ci_hi, (unsigned long long)r->met,
                    (unsigned long long)r->draws);
        }
    }
}

/* Target ids in order of first appearance across the scenarios. */
static size_t target_ids(const sp_compare_entry *entries, size_t n,
                         const char **ids, size_t cap)
{
    size_t m = 0;
    for (size_t k = 0; k < n; k++)
        for (size_t t = 0; loaded(&entries[k]) && t < entries[k].sc->n_targets;
             t++) {
            const char *id = entries[k].sc->targets[t].id;
            size_t j = 0;
            while (j < m && strcmp(ids[j], id) != 0)
                j++;
            if (j == m && m < cap)
                ids[m++] = id;
        }
    return m;
}

static const sp_target_result *find(const sp_compare_entry *e, const char *id)
{
    long t = loaded(e) ? sp_scenario_find_target(e->sc, id) : -1;
    return t >= 0 ? &e->res->targets[t] : NULL;
}

/* The wide table: one row per target, one column per scenario, P(met);
 * as Markdown when `md`, aligned text otherwise. */
static void write_table(FILE *f, const sp_compare_entry *entries, size_t n,
                        bool md)
{
    const char *ids[SP_MAX_TARGETS];
    size_t m = target_ids(entries, n, ids, SP_MAX_TARGETS);
    fprintf(f, md ? "| target |" : "%-20s", md ? "" : "target");
    for (size_t k = 0; k < n; k++)
        fprintf(f, md ? " %s |" : " %14.14s", entries[k].name);
    fputc('\n', f);
    if (md) {
        fputs("|---|", f);
        for (size_t k = 0; k < n; k++)
            fputs("---:|", f);
        fputc('\n', f);
    }
    for (size_t j = 0; j < m; j++) {
        fprintf(f, md ? "| %s |" : "%-20s", ids[j]);
        for (size_t k = 0; k < n; k++) {
            const sp_target_result *r = find(&entries[k], ids[j]);
            if (r)
                fprintf(f, md ? " %.4f |" : " %14.4f", r->probability);
            else
                fprintf(f, md ? " - |" : " %14s",
                        loaded(&entries[k]) ? "-" : "failed");
        }
        fputc('\n', f);
    }
}

sp_status sp_compare_write(FILE *out, const sp_compare_entry *e, size_t n,
                           sp_compare_format format, sp_error *err)
{
    if (format == SP_COMPARE_CSV)
        write_long_csv(out, e, n);
    else
        write_table(out, e, n, format == SP_COMPARE_MARKDOWN);
    return sp_report_flush(out, err);
}

/* One comparison file, for the result writer. */
typedef struct {
    const sp_compare_entry *e;
    size_t n;
    sp_compare_format format;
} comparison;

static sp_status put_comparison(FILE *f, const void *ctx, sp_error *err)
{
    const comparison *c = ctx;
    return sp_compare_write(f, c->e, c->n, c->format, err);
}

sp_status sp_compare_save(const char *dir, const sp_compare_entry *e, size_t n,
                          sp_error *err)
{
    comparison csv = {e, n, SP_COMPARE_CSV}, md = {e, n, SP_COMPARE_MARKDOWN};
    sp_status st = sp_output_replace_file(dir, "comparison.csv", put_comparison,
                                          &csv, err);
    if (st == SP_OK)
        st = sp_output_replace_file(dir, "comparison.md", put_comparison, &md,
                                    err);
    return st;
}
