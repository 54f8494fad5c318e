/*
 * sp_output: result files written atomically into the --out directory.
 */
#define _POSIX_C_SOURCE 200809L
#include "sp_output.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifdef SIMPLAN_HAVE_PLOTS
#include "sp_plot.h"
#endif

#define PATH_MAX_LEN 4096

static sp_status io_error(sp_error *err, const char *path, const char *what)
{
    return sp_error_set(err, SP_ERR_IO, path, 0, NULL, "%s: %s", what,
                        strerror(errno));
}

sp_status sp_output_prepare(const sp_output_options *o, bool *created,
                            sp_error *err)
{
    struct stat sb;
    *created = false;
    if (stat(o->dir, &sb) == 0) {
        if (!S_ISDIR(sb.st_mode))
            return sp_error_set(err, SP_ERR_IO, o->dir, 0, "--out",
                                "exists and is not a directory");
        if (!o->force)
            return sp_error_set(err, SP_ERR_IO, o->dir, 0, "--out",
                                "the directory exists; choose a new one or "
                                "add --force to overwrite its results");
    } else if (mkdir(o->dir, 0777) != 0) {
        return io_error(err, o->dir, "cannot create the result directory");
    } else {
        *created = true;
    }
    if (access(o->dir, W_OK | X_OK) != 0)
        return io_error(err, o->dir, "cannot write into the result directory");
    return SP_OK;
}

void sp_output_abandon(const sp_output_options *o)
{
    rmdir(o->dir); /* fails, harmlessly, unless the directory is empty */
}

static void join(char *buf, const char *dir, const char *name)
{
    snprintf(buf, PATH_MAX_LEN, "%s/%s", dir, name);
}

/* Moves a finished temporary file into place; removes it on failure. */
static sp_status commit(const char *tmp, const char *final, sp_error *err)
{
    if (rename(tmp, final) == 0)
        return SP_OK;
    sp_status st = io_error(err, final, "cannot move the result into place");
    unlink(tmp);
    return st;
}

typedef sp_status (*text_writer)(FILE *out, const sp_report *r,
                                 sp_error *err);

/* Writes DIR/name through `write`, under a temporary name first. */
static sp_status write_text(const sp_output_options *o, const char *name,
                            text_writer write, const sp_report *r,
                            sp_error *err)
{
    char final[PATH_MAX_LEN], tmp[PATH_MAX_LEN];
    join(final, o->dir, name);
    snprintf(tmp, sizeof tmp, "%s/.%s.tmp", o->dir, name);
    FILE *f = fopen(tmp, "w");
    if (f == NULL)
        return io_error(err, tmp, "cannot create a result file");
    sp_status st = write(f, r, err);
    if (fclose(f) != 0 && st == SP_OK)
        st = io_error(err, tmp, "cannot write a result file");
    if (st != SP_OK) {
        unlink(tmp);
        return st;
    }
    return commit(tmp, final, err);
}

static sp_status write_markdown(FILE *out, const sp_report *r, sp_error *err)
{
    return sp_report_markdown(out, r, r->settings_plots != 0, err);
}

#ifdef SIMPLAN_HAVE_PLOTS
/* One chart in both formats: `indicator` is SIZE_MAX for the target chart. */
static sp_status write_chart(const sp_output_options *o, const char *stem,
                             size_t indicator, const sp_report *r,
                             sp_error *err)
{
    static const struct {
        sp_plot_format format;
        const char *ext;
    } formats[] = {{SP_PLOT_SVG, "svg"}, {SP_PLOT_PNG, "png"}};
    for (size_t k = 0; k < 2; k++) {
        char final[PATH_MAX_LEN], tmp[PATH_MAX_LEN];
        snprintf(final, sizeof final, "%s/%s.%s", o->dir, stem, formats[k].ext);
        snprintf(tmp, sizeof tmp, "%s/.%s.tmp.%s", o->dir, stem,
                 formats[k].ext);
        sp_status st = indicator == SIZE_MAX
                           ? sp_plot_targets(tmp, formats[k].format, r, err)
                           : sp_plot_fan(tmp, formats[k].format, r, indicator,
                                         err);
        if (st == SP_OK)
            st = commit(tmp, final, err);
        else
            unlink(tmp);
        if (st != SP_OK)
            return st;
    }
    return SP_OK;
}

static sp_status write_charts(const sp_output_options *o, const sp_report *r,
                              sp_error *err)
{
    sp_status st = write_chart(o, "targets", SIZE_MAX, r, err);
    for (size_t i = 0; st == SP_OK && i < r->sc->n_indicators; i++) {
        char stem[256];
        snprintf(stem, sizeof stem, "fan_%s", r->sc->indicators[i].name);
        st = write_chart(o, stem, i, r, err);
    }
    return st;
}
#endif

sp_status sp_output_write(const sp_output_options *o, const sp_report *r,
                          sp_error *err)
{
    sp_status st = SP_OK;
#ifdef SIMPLAN_HAVE_JSON
    st = write_text(o, "summary.json", sp_report_json, r, err);
#endif
    if (st == SP_OK)
        st = write_text(o, "targets.csv", sp_report_csv, r, err);
    if (st == SP_OK)
        st = write_text(o, "indicators.csv", sp_report_indicators_csv, r, err);
    if (st == SP_OK)
        st = write_text(o, "iamc.csv", sp_report_iamc_csv, r, err);
    if (st == SP_OK)
        st = write_text(o, "drivers.csv", sp_report_drivers_csv, r, err);
#ifdef SIMPLAN_HAVE_PLOTS
    if (st == SP_OK && o->plots)
        st = write_charts(o, r, err);
#endif
    if (st == SP_OK)
        st = write_text(o, "report.md", write_markdown, r, err);
    return st;
}
