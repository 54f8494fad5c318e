/*
 * sp_calib_report: table and scenario text of a fit (its JSON is in
 * sp_json.c, with jansson).
 *
 * The cfg writer edits the scenario's own text line by line, so that its
 * comments, order and layout survive: within each fitted indicator's group
 * (found by counting braces from the group's first line, outside strings
 * and comments) every `sd = ...` of its path periods and its `ar1 = ...`
 * get the fitted values (an `ar1` line is added after the group's first
 * line when there is none), and the trailing comment of each changed line
 * becomes the fit's.
 */
#include "sp_calib_report.h"
#include "sp_report.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define LINE_MAX_LEN 4096

/* ---- table ---------------------------------------------------------------- */

/* A short name for the way trend_sd was estimated. */
const char *sp_calib_trend_method(const sp_calib_indicator *ci)
{
    return ci->trend_noise_fitted
               ? "plan departures pooled over regions and plans, the AR "
                 "noise of a period mean (fitted sd, ar1) removed"
               : "plan departures pooled over regions and plans, the AR "
                 "noise of a period mean removed with the scenario's own sd "
                 "and ar1 (the yearly series was not fitted)";
}

/* The trend_sd section of the table. */
static void trend_table(FILE *out, const sp_scenario *sc, const sp_calib *c)
{
    if (c->plans_file == NULL) {
        fprintf(out, "\ntrend_sd: not estimated (one region's yearly series "
                     "does not identify it; give --plans with plan targets "
                     "and outcomes); the scenario's values stand\n");
        return;
    }
    fprintf(out,
            "\ntrend_sd from the departures of realised period means from "
            "plan targets in %s\n(pooled over regions and plans; "
            "doc/model.md §13.5)\n",
            c->plans_file);
    fprintf(out, "%-20s %3s  %-18s %8s %9s  %-17s %-17s %s\n", "indicator", "n",
            "mean dep. (se)", "rms", "noise sd", "trend_sd (se)",
            "90% interval", "scenario trend_sd");
    for (size_t i = 0; i < c->n_ind; i++) {
        const sp_calib_indicator *ci = &c->ind[i];
        const sp_fit_trend *t = &ci->trend;
        if (!ci->trend_estimated) {
            fprintf(out, "%-20s %3zu  not estimated: %s\n", ci->name, ci->n_dep,
                    ci->trend_reason);
        } else {
            fprintf(out,
                    "%-20s %3zu  %+7.4f (%6.4f)  %8.4f %9.4f  %7.4f (%6.4f)  "
                    "[%6.4f, %6.4f]  %.4g%s\n",
                    ci->name, t->n, t->bias, t->bias_se, sqrt(t->mean_sq),
                    sqrt(t->noise_var), t->tau, t->tau_se, t->tau_lo, t->tau_hi,
                    sc->indicators[ci->index].trend_sd,
                    ci->trend_noise_fitted
                        ? ""
                        : "  (noise from the scenario's sd, ar1)");
            if (t->n < SP_FIT_MIN_N)
                fprintf(out,
                        "%-20s      only %zu departures: the interval is "
                        "wide\n",
                        "", t->n);
        }
        for (size_t k = 0; k < ci->n_dep; k++) {
            const sp_calib_departure *d = &ci->dep[k];
            fprintf(out,
                    "%-20s      %s %s %d-%d: target %.4f, outcome %.4f, "
                    "departure %+.4f (lines %d, %d)\n",
                    "", d->region, d->plan, d->from, d->to, d->target,
                    d->outcome, d->departure, d->target_line, d->outcome_line);
        }
    }
}

sp_status sp_calib_report_table(FILE *out, const sp_scenario *sc,
                                const sp_calib *c, sp_error *err)
{
    fprintf(out, "fit of scenario \"%s\" (%s) to %s, region %s\n", sc->name,
            sc->file, c->data_file, c->region);
    fprintf(out, "exact Gaussian AR(1) maximum likelihood; standard errors "
                 "from the observed information\n\n");
    fprintf(out, "%-20s %-5s %4s %9s  %-17s %-17s %-15s  %s\n", "indicator",
            "kind", "n", "years", "mean (se)", "sd (se)", "ar1 (se)",
            "scenario sd, ar1");
    for (size_t i = 0; i < c->n_ind; i++) {
        const sp_calib_indicator *ci = &c->ind[i];
        const sp_indicator_spec *spec = &sc->indicators[ci->index];
        char years[16] = "-";
        if (ci->n > 0)
            snprintf(years, sizeof years, "%d-%d", ci->from, ci->to);
        double sd0 = spec->n_path ? spec->path[0].sd : (double)NAN;
        if (!ci->fitted) {
            fprintf(out, "%-20s %-5s %4zu %9s  not fitted: %s\n", ci->name,
                    sp_kind_name(ci->kind), ci->n, years, ci->reason);
            continue;
        }
        const sp_fit_ar1 *f = &ci->fit;
        fprintf(out,
                "%-20s %-5s %4zu %9s  %7.4f (%6.4f)  %7.4f (%6.4f)  "
                "%5.2f (%5.2f)%s  %.4g, %.2f\n",
                ci->name, sp_kind_name(ci->kind), ci->n, years, f->mu, f->mu_se,
                f->sigma, f->sigma_se, f->phi, f->phi_se,
                f->at_bound ? "!" : " ", sd0, spec->ar1);
    }
    bool bound = false;
    for (size_t i = 0; i < c->n_ind; i++)
        bound = bound || (c->ind[i].fitted && c->ind[i].fit.at_bound);
    if (bound)
        fprintf(out,
                "! ar1 at its bound %.2f: the series looks "
                "non-stationary and its mean is poorly defined\n",
                SP_FIT_PHI_BOUND);
    trend_table(out, sc, c);
    if (c->n_corr > 0)
        fprintf(out, "\n%-20s %-20s %4s  %s\n", "correlation a", "b", "n",
                "rho (se)");
    for (size_t k = 0; k < c->n_corr; k++)
        fprintf(out, "%-20s %-20s %4zu  %6.3f (%5.3f)\n",
                c->ind[c->corr[k].a].name, c->ind[c->corr[k].b].name,
                c->corr[k].n, c->corr[k].rho, c->corr[k].rho_se);
    return sp_report_flush(out, err);
}

/* ---- scenario text -------------------------------------------------------- */

/* The scenario's lines, each a malloc'd string without its line end. */
typedef struct {
    size_t n;
    char **line;
    char **comment; /* [n] new trailing comment, or NULL */
    char **after;   /* [n] a line to insert after line i, or NULL */
} text_lines;

static void lines_free(text_lines *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->line[i]);
        free(t->comment ? t->comment[i] : NULL);
        free(t->after ? t->after[i] : NULL);
    }
    free(t->line);
    free(t->comment);
    free(t->after);
}

static bool lines_split(const char *text, size_t len, text_lines *t)
{
    size_t n = 1;
    for (size_t i = 0; i < len; i++)
        n += text[i] == '\n';
    t->n = 0;
    t->line = calloc(n, sizeof *t->line);
    t->comment = calloc(n, sizeof *t->comment);
    t->after = calloc(n, sizeof *t->after);
    if (!t->line || !t->comment || !t->after)
        return false;
    const char *p = text, *end = text + len;
    while (p < end || t->n == 0) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t k = nl ? (size_t)(nl - p) : (size_t)(end - p);
        size_t keep = k > 0 && p[k - 1] == '\r' ? k - 1 : k;
        char *s = malloc(keep + 1);
        if (s == NULL)
            return false;
        memcpy(s, p, keep);
        s[keep] = '\0';
        t->line[t->n++] = s;
        if (nl == NULL)
            break;
        p = nl + 1;
        if (p == end)
            break;
    }
    return true;
}

/* Where a line's comment starts ('#' or "//" outside a string), or its
 * length. */
static size_t comment_start(const char *s)
{
    bool in_str = false;
    for (size_t i = 0; s[i]; i++) {
        if (s[i] == '"' && (i == 0 || s[i - 1] != '\\'))
            in_str = !in_str;
        else if (!in_str && (s[i] == '#' || (s[i] == '/' && s[i + 1] == '/')))
            return i;
    }
    return strlen(s);
}

/* Replaces the value of every `key = value` of the line (outside strings
 * and comments) by `value`; true if one was replaced. */
static bool replace_key(char **line, const char *key, const char *value)
{
    bool done = false;
    size_t kl = strlen(key);
    for (size_t i = 0; i < comment_start(*line); i++) {
        char *s = *line;
        if (strncmp(s + i, key, kl) != 0 ||
            (i > 0 && (isalnum((unsigned char)s[i - 1]) || s[i - 1] == '_')))
            continue;
        size_t j = i + kl;
        while (s[j] == ' ' || s[j] == '\t')
            j++;
        if (s[j] != '=' && s[j] != ':')
            continue;
        j++;
        while (s[j] == ' ' || s[j] == '\t')
            j++;
        size_t v_end = j;
        while (s[v_end] && s[v_end] != ';' && s[v_end] != ',' &&
               s[v_end] != '}' && s[v_end] != ' ' && s[v_end] != '#')
            v_end++;
        size_t len = strlen(s), vl = strlen(value);
        char *t = malloc(len - (v_end - j) + vl + 1);
        if (t == NULL)
            return done;
        memcpy(t, s, j);
        memcpy(t + j, value, vl);
        memcpy(t + j + vl, s + v_end, len - v_end + 1);
        free(s);
        *line = t;
        done = true;
        i = j + vl;
    }
    return done;
}

/* The last line (0-based) of the bracketed block (`open` ... `close`)
 * that opens at or after line `first`: brackets counted outside strings
 * and comments. */
static size_t block_end(const text_lines *t, size_t first, char open,
                        char close)
{
    int depth = 0;
    bool opened = false;
    for (size_t i = first; i < t->n; i++) {
        const char *s = t->line[i];
        size_t stop = comment_start(s);
        bool in_str = false;
        for (size_t k = 0; k < stop; k++) {
            if (s[k] == '"' && (k == 0 || s[k - 1] != '\\'))
                in_str = !in_str;
            else if (!in_str && s[k] == open)
                depth++, opened = true;
            else if (!in_str && s[k] == close)
                depth--;
        }
        if (opened && depth <= 0)
            return i;
    }
    return t->n - 1;
}

/* The group `{ ... }` that opens at or after line `first`. */
static size_t group_end(const text_lines *t, size_t first)
{
    return block_end(t, first, '{', '}');
}

static char *dup_printf(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static char *dup_printf(const char *fmt, ...)
{
    char buf[LINE_MAX_LEN];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    size_t n = strlen(buf) + 1;
    char *s = malloc(n);
    if (s)
        memcpy(s, buf, n);
    return s;
}

/* Sets `key = value` with its standard error `se_key = se` on line i
 * where `key` is set: an `se_key` already there gets the new value, else
 * it is written after `key`'s value. False when `key` is not on the line
 * (or out of memory, with *ok false). */
static bool replace_with_se(char **line, const char *key, const char *value,
                            const char *se_key, const char *se, bool *ok)
{
    if (!replace_key(line, key, value))
        return false;
    if (replace_key(line, se_key, se))
        return true;
    char both[128];
    snprintf(both, sizeof both, "%s; %s = %s", value, se_key, se);
    *ok = replace_key(line, key, both);
    return true;
}

/* Writes one fitted indicator's sd and ar1, with their standard errors
 * sd_se and ar1_se, into its group. */
static bool edit_indicator(text_lines *t, const sp_calib *c,
                           const sp_calib_indicator *ci, size_t first)
{
    const sp_fit_ar1 *f = &ci->fit;
    char sd[32], ar1[32], sd_se[32], ar1_se[32];
    snprintf(sd, sizeof sd, "%.4g", f->sigma);
    snprintf(ar1, sizeof ar1, "%.2f", f->phi);
    snprintf(sd_se, sizeof sd_se, "%.2g", f->sigma_se);
    snprintf(ar1_se, sizeof ar1_se, "%.2g", f->phi_se);
    size_t last = group_end(t, first);
    bool has_ar1 = false, ok = true;
    for (size_t i = first; ok && i <= last; i++) {
        bool s = replace_with_se(&t->line[i], "sd", sd, "sd_se", sd_se, &ok);
        bool a =
            replace_with_se(&t->line[i], "ar1", ar1, "ar1_se", ar1_se, &ok);
        has_ar1 = has_ar1 || a;
        if (!s && !a)
            continue;
        free(t->comment[i]);
        t->comment[i] = dup_printf("# fit: %s %d-%d n=%zu", c->data_file,
                                   ci->from, ci->to, ci->n);
        if (t->comment[i] == NULL)
            return false;
    }
    if (!ok)
        return false;
    if (!has_ar1) {
        const char *next = first + 1 <= last ? t->line[first + 1] : "";
        size_t ind = strspn(next, " \t");
        free(t->after[first]);
        t->after[first] = dup_printf(
            "%.*sar1 = %s; ar1_se = %s;   # fit: %s %d-%d n=%zu", (int)ind,
            next, ar1, ar1_se, c->data_file, ci->from, ci->to, ci->n);
        if (t->after[first] == NULL)
            return false;
    }
    return true;
}

/* Appends `line` to the lines inserted after line i. */
static bool insert_after(text_lines *t, size_t i, char *line)
{
    if (line == NULL)
        return false;
    if (t->after[i] == NULL) {
        t->after[i] = line;
        return true;
    }
    char *joined = dup_printf("%s\n%s", t->after[i], line);
    free(line);
    if (joined == NULL)
        return false;
    free(t->after[i]);
    t->after[i] = joined;
    return true;
}

/* Writes one indicator's estimated trend_sd into its group. */
static bool edit_trend(text_lines *t, const sp_calib *c,
                       const sp_calib_indicator *ci, size_t first)
{
    const sp_fit_trend *f = &ci->trend;
    char value[64], note[320], se[32] = "n/a (estimate at 0)";
    bool has_se = isfinite(f->tau_se);
    snprintf(value, sizeof value, "%.4g", f->tau);
    if (has_se)
        snprintf(se, sizeof se, "%.2g", f->tau_se);
    snprintf(note, sizeof note,
             "# fit: %s n=%zu plan departures pooled, %.0f%% "
             "[%.4g, %.4g]%s%s",
             c->plans_file, f->n, 100.0 * f->level, f->tau_lo, f->tau_hi,
             ci->trend_noise_fitted ? ""
                                    : ", noise from the scenario's sd and ar1",
             has_se ? "" : ", se n/a (estimate at 0)");
    size_t last = group_end(t, first);
    bool found = false, ok = true;
    for (size_t i = first; i <= last; i++) {
        bool set = has_se ? replace_with_se(&t->line[i], "trend_sd", value,
                                            "trend_sd_se", se, &ok)
                          : replace_key(&t->line[i], "trend_sd", value);
        if (!ok)
            return false;
        if (!set)
            continue;
        found = true;
        char *joined = t->comment[i]
                           ? dup_printf("%s; %s", t->comment[i], note + 2)
                           : dup_printf("%s", note);
        if (joined == NULL)
            return false;
        free(t->comment[i]);
        t->comment[i] = joined;
    }
    if (found)
        return true;
    const char *next = first + 1 <= last ? t->line[first + 1] : "";
    size_t ind = strspn(next, " \t");
    char both[128];
    snprintf(both, sizeof both, has_se ? "%s; trend_sd_se = %s" : "%s", value,
             se);
    return insert_after(
        t, first,
        dup_printf("%.*strend_sd = %s;   %s", (int)ind, next, both, note));
}

/* Whether the code of line i (before any comment) starts with `key =`. */
static bool starts_setting(const char *s, const char *key)
{
    s += strspn(s, " \t");
    size_t k = strlen(key);
    if (strncmp(s, key, k) != 0)
        return false;
    s += k;
    s += strspn(s, " \t");
    return *s == '=' || *s == ':';
}

/* Whether lines [i, j] hold `name = "value"`. */
static bool group_names(const text_lines *t, size_t i, size_t j,
                        const char *name, const char *value)
{
    char want[160];
    snprintf(want, sizeof want, "\"%s\"", value);
    for (size_t k = i; k <= j; k++) {
        const char *s = t->line[k];
        const char *v = strstr(s, want);
        for (; v != NULL; v = strstr(v + 1, want)) {
            const char *q = v;
            while (q > s && (q[-1] == ' ' || q[-1] == '\t'))
                q--;
            if (q > s && (q[-1] == '=' || q[-1] == ':')) {
                q--;
                while (q > s && (q[-1] == ' ' || q[-1] == '\t'))
                    q--;
                size_t nl = strlen(name);
                if ((size_t)(q - s) >= nl && strncmp(q - nl, name, nl) == 0)
                    return true;
            }
        }
    }
    return false;
}

/* Writes the correlations estimated from at least SP_FIT_MIN_N common
 * years into the scenario's `correlations` list: an entry for the pair
 * gets the fitted rho, a pair without one is added at the list's start
 * (a list is created at the end when there is none). */
static bool edit_correlations(text_lines *t, const sp_calib *c)
{
    size_t start = t->n;
    for (size_t i = 0; i < t->n && start == t->n; i++)
        if (starts_setting(t->line[i], "correlations"))
            start = i;
    size_t end = start < t->n ? block_end(t, start, '(', ')') : t->n;
    bool empty = true;
    for (size_t i = start; i < end && start < t->n && empty; i++)
        empty = strchr(t->line[i], '{') == NULL;
    /* Pairs without an entry: "{ ... }" and their notes, in order. */
    size_t n_new = 0;
    char **entry = calloc(c->n_corr + 1, sizeof *entry);
    char **note = calloc(c->n_corr + 1, sizeof *note);
    bool ok = entry != NULL && note != NULL;
    for (size_t k = 0; ok && k < c->n_corr; k++) {
        const sp_calib_corr *r = &c->corr[k];
        if (r->n < SP_FIT_MIN_N)
            continue;
        const char *a = c->ind[r->a].name, *b = c->ind[r->b].name;
        char rho[32];
        snprintf(rho, sizeof rho, "%.3f", r->rho);
        note[n_new] = dup_printf("# fit: %s n=%zu common years rho se=%.2g",
                                 c->data_file, r->n, r->rho_se);
        ok = note[n_new] != NULL;
        bool done = false;
        for (size_t i = start; ok && i < end && start < t->n; i++) {
            if (strchr(t->line[i], '{') == NULL)
                continue;
            size_t j = group_end(t, i);
            if (!((group_names(t, i, j, "a", a) &&
                   group_names(t, i, j, "b", b)) ||
                  (group_names(t, i, j, "a", b) &&
                   group_names(t, i, j, "b", a))))
                continue;
            for (size_t m = i; ok && m <= j; m++)
                if (replace_key(&t->line[m], "rho", rho)) {
                    free(t->comment[m]);
                    t->comment[m] = dup_printf("%s", note[n_new]);
                    ok = t->comment[m] != NULL;
                    done = true;
                }
        }
        if (ok && !done) {
            entry[n_new] =
                dup_printf("{ a = \"%s\"; b = \"%s\"; rho = %s; }", a, b, rho);
            ok = entry[n_new++] != NULL;
        } else {
            free(note[n_new]);
            note[n_new] = NULL;
        }
    }
    /* New entries go first in the list, a comma after each but the last,
     * and after the last too when the list already has entries. */
    bool more = start < t->n && !empty;
    for (size_t k = 0; ok && k < n_new; k++) {
        char *line = dup_printf("  %s%s   %s", entry[k],
                                k + 1 < n_new || more ? "," : "", note[k]);
        if (start < t->n) {
            ok = insert_after(t, start, line);
        } else {
            char *w = k == 0 ? dup_printf("\n# fit: innovation correlations "
                                          "estimated from %s\ncorrelations = "
                                          "(\n%s",
                                          c->data_file, line)
                             : line;
            if (k == 0)
                free(line);
            if (w != NULL && k + 1 == n_new) {
                char *closed = dup_printf("%s\n);", w);
                free(w);
                w = closed;
            }
            ok = insert_after(t, t->n - 1, w);
        }
    }
    for (size_t k = 0; k <= c->n_corr && entry && note; k++) {
        free(entry[k]);
        free(note[k]);
    }
    free(entry);
    free(note);
    return ok;
}

/* Writes the text with its edits: a changed line keeps its code and gets
 * the fit's comment. */
static void lines_write(FILE *out, const text_lines *t)
{
    for (size_t i = 0; i < t->n; i++) {
        const char *s = t->line[i];
        if (t->comment[i]) {
            size_t k = comment_start(s);
            while (k > 0 && (s[k - 1] == ' ' || s[k - 1] == '\t'))
                k--;
            fprintf(out, "%.*s   %s\n", (int)k, s, t->comment[i]);
        } else {
            fprintf(out, "%s\n", s);
        }
        if (t->after[i])
            fprintf(out, "%s\n", t->after[i]);
    }
}

/* Header lines that say what the fit changed and what it did not. */
static void cfg_header(FILE *out, const sp_calib *c)
{
    fprintf(out,
            "# simplan fit: innovation sd and ar1 estimated from %s "
            "(region %s) by exact\n# Gaussian AR(1) maximum "
            "likelihood for:",
            c->data_file, c->region);
    size_t shown = 0;
    for (size_t i = 0; i < c->n_ind; i++)
        if (c->ind[i].fitted)
            fprintf(out, "%s %s", shown++ ? "," : "", c->ind[i].name);
    fprintf(out, "%s.\n", shown ? "" : " none");
    if (c->plans_file != NULL) {
        fprintf(out,
                "# trend_sd from plan departures in %s for:", c->plans_file);
        shown = 0;
        for (size_t i = 0; i < c->n_ind; i++)
            if (c->ind[i].trend_estimated)
                fprintf(out, "%s %s", shown++ ? "," : "", c->ind[i].name);
        fprintf(out, "%s.\n", shown ? "" : " none");
    }
    fprintf(out, "# Path means and every number not marked \"fit:\" are the "
                 "scenario's own.\n");
    for (size_t i = 0; i < c->n_ind; i++) {
        if (!c->ind[i].fitted)
            fprintf(out, "# fit: %s not fitted: %s\n", c->ind[i].name,
                    c->ind[i].reason);
        if (c->plans_file != NULL && !c->ind[i].trend_estimated)
            fprintf(out, "# fit: %s trend_sd not estimated: %s\n",
                    c->ind[i].name, c->ind[i].trend_reason);
    }
    for (size_t k = 0; k < c->n_corr; k++)
        if (c->corr[k].n < SP_FIT_MIN_N)
            fprintf(out,
                    "# fit: innovation correlation %s-%s rho=%.3f se=%.3f "
                    "from %zu common years, fewer than %d: not written "
                    "in\n",
                    c->ind[c->corr[k].a].name, c->ind[c->corr[k].b].name,
                    c->corr[k].rho, c->corr[k].rho_se, c->corr[k].n,
                    SP_FIT_MIN_N);
}

sp_status sp_calib_report_cfg(FILE *out, const sp_scenario *sc,
                              const sp_calib *c, sp_error *err)
{
    text_lines t = {0};
    bool ok = lines_split(sc->text, sc->text_len, &t);
    for (size_t i = 0; ok && i < c->n_ind; i++) {
        const sp_calib_indicator *ci = &c->ind[i];
        int line = sc->indicators[ci->index].line;
        if (ci->fitted && line > 0 && (size_t)line <= t.n)
            ok = edit_indicator(&t, c, ci, (size_t)line - 1);
        if (ok && ci->trend_estimated && line > 0 && (size_t)line <= t.n)
            ok = edit_trend(&t, c, ci, (size_t)line - 1);
    }
    if (ok)
        ok = edit_correlations(&t, c);
    if (!ok) {
        lines_free(&t);
        return sp_error_set(err, SP_ERR_NOMEM, NULL, 0, NULL,
                            "out of memory for the scenario text");
    }
    cfg_header(out, c);
    lines_write(out, &t);
    lines_free(&t);
    return sp_report_flush(out, err);
}
