/*
 * sp_batch: child runs, collection of their states, comparison tables.
 */
#define _POSIX_C_SOURCE 200809L
#include "sp_batch.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sp_compile.h"
#include "sp_config.h"
#include "sp_finish.h"
#include "sp_mc.h"
#include "sp_output.h"
#include "sp_report.h"
#include "sp_rng.h"
#include "sp_signal.h"
#include "sp_state.h"

extern char **environ;

#define PATH_LEN 4096

/* One scenario of the batch and, once collected, its result. */
typedef struct {
    char name[256];       /* directory name under DIR */
    const char *scenario; /* path (run mode) */
    int exit_code;        /* of its run, -1 before */
    sp_scenario sc;
    sp_compiled c;
    sp_result res;
    bool loaded;
} entry;

/* The file name of a scenario without its directory and its .cfg. */
static void base_name(const char *scenario, char *buf, size_t size)
{
    const char *base = strrchr(scenario, '/');
    base = base ? base + 1 : scenario;
    snprintf(buf, size, "%s", base);
    size_t len = strlen(buf);
    if (len > 4 && strcmp(buf + len - 4, ".cfg") == 0)
        buf[len - 4] = '\0';
}

/* True when `name` is taken: chosen by one of the entries before k, or
 * the base name of any other entry (so that a later x_3.cfg keeps its
 * "x_3"). */
static bool name_taken(const char *name, const entry *all, size_t k, size_t n)
{
    char other[256];
    for (size_t j = 0; j < n; j++) {
        if (j < k && strcmp(all[j].name, name) == 0)
            return true;
        base_name(all[j].scenario, other, sizeof other);
        if (j != k && strcmp(other, name) == 0)
            return true;
    }
    return false;
}

/* The directory name of entry k: its base name unless an entry before it
 * has that name, else the base name with the first suffix _2, _3, ...
 * that is not taken, so that the names are unique by construction. */
static void entry_name(entry *all, size_t k, size_t n)
{
    char base[240];
    base_name(all[k].scenario, base, sizeof base);
    snprintf(all[k].name, sizeof all[k].name, "%s", base);
    bool clash = false;
    for (size_t j = 0; j < k && !clash; j++)
        clash = strcmp(all[j].name, base) == 0;
    for (size_t suffix = 2; clash; suffix++) {
        snprintf(all[k].name, sizeof all[k].name, "%s_%zu", base, suffix);
        clash = name_taken(all[k].name, all, k, n);
    }
}

/* Starts `simplan run` for entry e; its stdout goes to /dev/null. */
static pid_t spawn_run(const sp_batch_options *opt, const entry *e, int threads)
{
    char out[PATH_LEN], thr[32], draws[32], seed[32];
    int len = snprintf(out, sizeof out, "%s/%s", opt->out.dir, e->name);
    if (len < 0 || (size_t)len >= sizeof out)
        return -1;
    snprintf(thr, sizeof thr, "%d", threads);
    const char *argv[20];
    int n = 0;
    argv[n++] = "simplan";
    argv[n++] = "run";
    argv[n++] = e->scenario;
    argv[n++] = "--out";
    argv[n++] = out;
    argv[n++] = "--force";
    argv[n++] = "--slice"; /* one slice of one: its state is complete */
    argv[n++] = "1/1";
    argv[n++] = "--quiet";
    argv[n++] = "--threads";
    argv[n++] = thr;
    if (opt->sim.draws) {
        snprintf(draws, sizeof draws, "%llu",
                 (unsigned long long)opt->sim.draws);
        argv[n++] = "--draws";
        argv[n++] = draws;
    }
    if (opt->sim.has_seed) {
        snprintf(seed, sizeof seed, "%llu", (unsigned long long)opt->sim.seed);
        argv[n++] = "--seed";
        argv[n++] = seed;
    }
    argv[n] = NULL;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY,
                                     0);
    pid_t pid = -1;
    int rc = posix_spawn(&pid, "/proc/self/exe", &fa, NULL,
                         (char *const *)(uintptr_t)argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    return rc == 0 ? pid : -1;
}

/* Waits for one child, records its exit code and forgets its pid (so the
 * signal handler never signals a reused one). A wait cut short by a
 * signal is resumed: the handler has already passed it on. */
static void reap(entry *entries, pid_t *pids, size_t n)
{
    int status;
    pid_t pid;
    while ((pid = wait(&status)) < 0 && errno == EINTR)
        ;
    for (size_t k = 0; pid > 0 && k < n; k++)
        if (pids[k] == pid) {
            entries[k].exit_code = WIFEXITED(status) ? WEXITSTATUS(status)
                                                     : 128 + WTERMSIG(status);
            pids[k] = 0;
        }
}

/* Runs every scenario, at most opt->jobs at a time. On SIGINT or SIGTERM
 * the running children get SIGTERM at once (sp_signal_forward), no more
 * are started, and every child is waited for before the batch fails. */
static sp_status run_all(const sp_batch_options *opt, entry *entries, size_t n,
                         sp_error *err)
{
    int jobs = opt->jobs > 0 ? opt->jobs : 1;
    int threads =
        opt->sim.threads > 0 ? opt->sim.threads : sp_mc_default_threads();
    threads = threads / jobs > 0 ? threads / jobs : 1;
    pid_t *pids = calloc(n, sizeof *pids);
    if (pids == NULL)
        return sp_error_set(err, SP_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    sp_signal_forward(pids, n);
    size_t running = 0;
    for (size_t k = 0; k < n && !sp_signal_caught(); k++) {
        if (running == (size_t)jobs) {
            reap(entries, pids, n);
            running--;
        }
        if (sp_signal_caught())
            break;
        pid_t pid = spawn_run(opt, &entries[k], threads);
        pids[k] = pid > 0 ? pid : 0;
        if (pid > 0 && sp_signal_caught()) /* the handler may have missed it */
            kill(pid, SIGTERM);
        if (pid < 0)
            entries[k].exit_code = 3;
        else
            running++;
    }
    while (running-- > 0)
        reap(entries, pids, n);
    sp_signal_forward(NULL, 0);
    free(pids);
    if (sp_signal_caught())
        return sp_signal_error(err, "the scenario runs were stopped and "
                                    "waited for; no comparison was written");
    return SP_OK;
}

/* Loads DIR/NAME/state.simplan and writes the run's result files into
 * DIR/NAME through the shared tail (sp_finish_report), without stdout. A
 * chart stage that failed leaves the data files published: the scenario
 * is still compared, and the batch exits 3. */
static sp_status collect(const sp_batch_options *opt, const char *dir, entry *e,
                         sp_error *err)
{
    char path[PATH_LEN], out[PATH_LEN];
    int len =
        snprintf(path, sizeof path, "%s/%s/%s", dir, e->name, SP_STATE_FILE);
    int olen = snprintf(out, sizeof out, "%s/%s", dir, e->name);
    if (len < 0 || (size_t)len >= sizeof path || olen < 0 ||
        (size_t)olen >= sizeof out)
        return sp_error_set(err, SP_ERR_IO, NULL, 0, NULL,
                            "the path is too long: %s/%s", dir, e->name);
    sp_state *s = NULL;
    sp_status st = sp_state_load(path, &s, err);
    if (st == SP_OK)
        st = sp_config_load_text(s->scenario_name, s->scenario_text, &e->sc,
                                 err);
    if (st == SP_OK)
        st = sp_compile(&e->sc, &e->c, err);
    if (st == SP_OK)
        st = sp_state_result(s, &e->sc, &e->c, &e->res, err);
    sp_output_options oo = {out, true, opt->out.plots, sp_signal_flag()};
    sp_output *w = NULL;
    if (st == SP_OK)
        st = sp_output_begin(&oo, &w, err);
    if (st == SP_OK) {
        sp_finish f = {.sc = &e->sc,
                       .c = &e->c,
                       .res = &e->res,
                       .seed = s->seed,
                       .rng = s->rng,
                       .draws = s->draws,
                       .threads = 0,
                       .state = s,
                       .command_line = "simplan batch"};
        sp_finish_out o = {w, &oo, false, SP_FORMAT_TABLE, NULL};
        st = sp_finish_report(&f, &o, err);
        if (st == SP_OK && o.chart_warning != NULL) {
            fprintf(stderr, "simplan batch: %s: %s\n", e->name,
                    o.chart_warning);
            e->exit_code = 3;
        }
    }
    sp_output_free(w);
    sp_state_free(s);
    e->loaded = st == SP_OK;
    return st;
}

static void write_long_csv(FILE *f, const entry *entries, size_t n)
{
    fputs("scenario,target,name,probability,ci_low,ci_high,met,draws\n", f);
    for (size_t k = 0; k < n; k++) {
        const entry *e = &entries[k];
        for (size_t t = 0; e->loaded && t < e->sc.n_targets; t++) {
            const sp_target_result *r = &e->res.targets[t];
            sp_report_csv_string(f, e->name);
            fputc(',', f);
            sp_report_csv_string(f, e->sc.targets[t].id);
            fputc(',', f);
            sp_report_csv_string(f, e->sc.targets[t].name);
            fprintf(f, ",%.17g,%.17g,%.17g,%llu,%llu\n", r->probability,
                    r->ci_lo, r->ci_hi, (unsigned long long)r->met,
                    (unsigned long long)r->draws);
        }
    }
}

/* Target ids in order of first appearance across the scenarios. */
static size_t target_ids(const entry *entries, size_t n, const char **ids,
                         size_t cap)
{
    size_t m = 0;
    for (size_t k = 0; k < n; k++)
        for (size_t t = 0; entries[k].loaded && t < entries[k].sc.n_targets;
             t++) {
            const char *id = entries[k].sc.targets[t].id;
            size_t j = 0;
            while (j < m && strcmp(ids[j], id) != 0)
                j++;
            if (j == m && m < cap)
                ids[m++] = id;
        }
    return m;
}

static const sp_target_result *find(const entry *e, const char *id)
{
    long t = e->loaded ? sp_scenario_find_target(&e->sc, id) : -1;
    return t >= 0 ? &e->res.targets[t] : NULL;
}

/* The wide table: one row per target, one column per scenario, P(met);
 * as Markdown when `md`, aligned text otherwise. */
static void write_table(FILE *f, const entry *entries, size_t n, bool md)
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
                        entries[k].loaded ? "-" : "failed");
        }
        fputc('\n', f);
    }
}

/* One comparison file: the long CSV (kind 0) or the Markdown table. */
typedef struct {
    const entry *entries;
    size_t n;
    int kind;
} comparison;

static sp_status put_comparison(FILE *f, const void *ctx, sp_error *err)
{
    const comparison *c = ctx;
    (void)err;
    if (c->kind == 0)
        write_long_csv(f, c->entries, c->n);
    else
        write_table(f, c->entries, c->n, true);
    return SP_OK;
}

/* Replaces DIR/name in one step through the result writer. */
static sp_status write_file(const char *dir, const char *name,
                            const entry *entries, size_t n, int kind,
                            sp_error *err)
{
    comparison c = {entries, n, kind};
    return sp_output_replace_file(dir, name, put_comparison, &c, err);
}

/* --collect DIR: every subdirectory holding a state file. */
static size_t list_collected(const char *dir, entry **out)
{
    DIR *d = opendir(dir);
    size_t n = 0, cap = 16;
    entry *entries = calloc(cap, sizeof *entries);
    struct dirent *de;
    while (d && entries && (de = readdir(d)) != NULL) {
        char path[PATH_LEN];
        struct stat sb;
        snprintf(path, sizeof path, "%s/%s/%s", dir, de->d_name, SP_STATE_FILE);
        if (de->d_name[0] == '.' || stat(path, &sb) != 0)
            continue;
        if (n == cap) {
            entry *grown = realloc(entries, 2 * cap * sizeof *entries);
            if (grown == NULL)
                break;
            memset(grown + cap, 0, cap * sizeof *grown);
            entries = grown;
            cap *= 2;
        }
        snprintf(entries[n].name, sizeof entries[n].name, "%s", de->d_name);
        n++;
    }
    if (d)
        closedir(d);
    /* Sorted by name, so the table does not depend on directory order. */
    for (size_t a = 0; entries && a < n; a++)
        for (size_t b = a + 1; b < n; b++)
            if (strcmp(entries[b].name, entries[a].name) < 0) {
                entry t = entries[a];
                entries[a] = entries[b];
                entries[b] = t;
            }
    *out = entries;
    return n;
}

/* The batch directory: created, or an existing one reused only with
 * --force, as for run --out. */
static sp_status batch_dir(const sp_batch_options *opt, sp_error *err)
{
    struct stat sb;
    if (mkdir(opt->out.dir, 0777) == 0)
        return SP_OK;
    if (errno != EEXIST)
        return sp_error_set(err, SP_ERR_IO, opt->out.dir, 0, "--out",
                            "cannot create the batch directory: %s",
                            strerror(errno));
    if (stat(opt->out.dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return sp_error_set(err, SP_ERR_IO, opt->out.dir, 0, "--out",
                            "exists and is not a directory");
    if (!opt->out.force)
        return sp_error_set(err, SP_ERR_IO, opt->out.dir, 0, "--out",
                            "the directory exists; choose a new one or add "
                            "--force to overwrite its results");
    return SP_OK;
}

static void free_entries(entry *entries, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        sp_result_destroy(&entries[k].res);
        sp_compiled_destroy(&entries[k].c);
        sp_scenario_destroy(&entries[k].sc);
    }
    free(entries);
}

sp_status sp_batch_command(const sp_batch_options *opt, sp_error *err)
{
    entry *entries = NULL;
    size_t n = 0;
    sp_status st = SP_OK;
    if (opt->collect) {
        n = list_collected(opt->out.dir, &entries);
        if (n == 0)
            st = sp_error_set(err, SP_ERR_IO, opt->out.dir, 0, "--collect",
                              "no run directories with a state file here");
    } else {
        n = (size_t)opt->n_scenarios;
        entries = calloc(n ? n : 1, sizeof *entries);
        if (entries == NULL)
            return sp_error_set(err, SP_ERR_NOMEM, NULL, 0, NULL,
                                "out of memory");
        for (size_t k = 0; k < n; k++) {
            entries[k].scenario = opt->scenarios[k];
            entries[k].exit_code = -1;
        }
        for (size_t k = 0; k < n; k++)
            entry_name(entries, k, n);
        sp_signal_catch();
        st = batch_dir(opt, err);
        if (st == SP_OK)
            st = run_all(opt, entries, n, err);
    }
    int worst = 0;
    for (size_t k = 0; st == SP_OK && k < n; k++) {
        if (sp_signal_caught()) {
            st = sp_signal_error(err, "no comparison was written");
            break;
        }
        sp_error one;
        sp_error_clear(&one);
        if (entries[k].exit_code > 0 ||
            collect(opt, opt->out.dir, &entries[k], &one) != SP_OK) {
            int code = entries[k].exit_code > 0
                           ? entries[k].exit_code
                           : sp_status_exit_code(one.status);
            fprintf(stderr, "simplan batch: %s failed (exit %d)%s%s\n",
                    entries[k].name, code, one.message[0] ? ": " : "",
                    one.message);
            worst = code > worst ? code : worst;
        } else if (entries[k].exit_code == 3) { /* charts failed */
            worst = worst > 3 ? worst : 3;
        }
    }
    if (st == SP_OK && sp_signal_caught())
        st = sp_signal_error(err, "no comparison was written");
    if (st == SP_OK)
        st = write_file(opt->out.dir, "comparison.csv", entries, n, 0, err);
    if (st == SP_OK)
        st = write_file(opt->out.dir, "comparison.md", entries, n, 1, err);
    if (st == SP_OK) {
        write_table(stdout, entries, n, false);
        st = sp_output_stdout(err);
    }
    free_entries(entries, n);
    if (st == SP_OK && worst > 0)
        st = sp_error_set(err, worst >= 3 ? SP_ERR_IO : SP_ERR_RANGE, NULL, 0,
                          NULL, "some scenarios failed; see above");
    return st;
}
