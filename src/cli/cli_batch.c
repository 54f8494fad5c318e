/*
 * cli_batch: `simplan batch`: one `simplan run` child per scenario, the
 * collection of the states they saved (through the library: merge, save)
 * and the comparison tables.
 */
#define _POSIX_C_SOURCE 200809L
#include "cli_batch.h"

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

#include "cli_signal.h"
#include "simplan.h"

extern char **environ;

#define PATH_LEN   4096
#define STATE_FILE "state.simplan"

/* One scenario of the batch and, once collected, its result. */
typedef struct {
    char name[256];       /* directory name under DIR */
    const char *scenario; /* path (run mode) */
    int exit_code;        /* of its run, -1 before */
    simplan_result *r;    /* collected, or NULL */
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
static pid_t spawn_run(const cli_batch_options *opt, const entry *e,
                       int threads)
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
 * the running children get SIGTERM at once (cli_signal_forward), no more
 * are started, and every child is waited for before the batch fails. */
static simplan_status run_all(const cli_batch_options *opt, entry *entries,
                              size_t n, simplan_error *err)
{
    int jobs = opt->jobs > 0 ? opt->jobs : 1;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int threads = opt->sim.threads > 0 ? opt->sim.threads
                  : cores > 0          ? (int)cores
                                       : 1;
    threads = threads / jobs > 0 ? threads / jobs : 1;
    pid_t *pids = calloc(n, sizeof *pids);
    if (pids == NULL)
        return cli_error(err, SIMPLAN_ERR_NOMEM, NULL, 0, NULL,
                         "out of memory");
    cli_signal_forward(pids, n);
    size_t running = 0;
    for (size_t k = 0; k < n && !cli_signal_caught(); k++) {
        if (running == (size_t)jobs) {
            reap(entries, pids, n);
            running--;
        }
        if (cli_signal_caught())
            break;
        pid_t pid = spawn_run(opt, &entries[k], threads);
        pids[k] = pid > 0 ? pid : 0;
        if (pid > 0 && cli_signal_caught()) /* the handler may have missed it */
            kill(pid, SIGTERM);
        if (pid < 0)
            entries[k].exit_code = 3;
        else
            running++;
    }
    while (running-- > 0)
        reap(entries, pids, n);
    cli_signal_forward(NULL, 0);
    free(pids);
    if (cli_signal_caught())
        return cli_signal_error(err, "the scenario runs were stopped and "
                                     "waited for; no comparison was written");
    return SIMPLAN_OK;
}

/* Loads DIR/NAME/state.simplan (simplan_merge of the one part) and
 * writes the run's result files into DIR/NAME (simplan_result_save). A
 * chart stage that failed leaves the data files published: the scenario
 * is still compared, and the batch exits 3. */
static simplan_status collect(const cli_batch_options *opt, const char *dir,
                              entry *e, simplan_error *err)
{
    char out[PATH_LEN];
    int olen = snprintf(out, sizeof out, "%s/%s", dir, e->name);
    if (olen < 0 || (size_t)olen >= sizeof out)
        return cli_error(err, SIMPLAN_ERR_IO, NULL, 0, NULL,
                         "the path is too long: %s/%s", dir, e->name);
    const char *parts[] = {out};
    simplan_result *r = NULL;
    simplan_status st = simplan_merge(parts, 1, &r, err);
    if (st == SIMPLAN_OK)
        st = simplan_result_set_command_line(r, "simplan batch", err);
    if (st == SIMPLAN_OK && cli_signal_caught())
        st = cli_signal_error(err, "stopped after the simulation; no report "
                                   "was written");
    if (st == SIMPLAN_OK)
        st = simplan_result_save(r, out, 1, opt->out.plots, err);
    if (st == SIMPLAN_OK && simplan_result_chart_warning(r)) {
        fprintf(stderr, "simplan batch: %s: %s\n", e->name,
                simplan_result_chart_warning(r));
        e->exit_code = 3;
    }
    if (st == SIMPLAN_OK)
        e->r = r;
    else
        simplan_result_free(r);
    return st;
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
        snprintf(path, sizeof path, "%s/%s/%s", dir, de->d_name, STATE_FILE);
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
static simplan_status batch_dir(const cli_batch_options *opt,
                                simplan_error *err)
{
    struct stat sb;
    if (mkdir(opt->out.dir, 0777) == 0)
        return SIMPLAN_OK;
    if (errno != EEXIST)
        return cli_error(err, SIMPLAN_ERR_IO, opt->out.dir, 0, "--out",
                         "cannot create the batch directory: %s",
                         strerror(errno));
    if (stat(opt->out.dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return cli_error(err, SIMPLAN_ERR_IO, opt->out.dir, 0, "--out",
                         "exists and is not a directory");
    if (!opt->out.force)
        return cli_error(err, SIMPLAN_ERR_IO, opt->out.dir, 0, "--out",
                         "the directory exists; choose a new one or add "
                         "--force to overwrite its results");
    return SIMPLAN_OK;
}

static void free_entries(entry *entries, size_t n)
{
    for (size_t k = 0; k < n; k++)
        simplan_result_free(entries[k].r);
    free(entries);
}

/* The comparison of the collected runs: saved into DIR, then printed. */
static simplan_status compare(const char *dir, const entry *entries, size_t n,
                              simplan_error *err)
{
    const simplan_result **rs = calloc(n ? n : 1, sizeof *rs);
    const char **names = calloc(n ? n : 1, sizeof *names);
    simplan_status st = rs && names ? SIMPLAN_OK
                                    : cli_error(err, SIMPLAN_ERR_NOMEM, NULL, 0,
                                                NULL, "out of memory");
    for (size_t k = 0; st == SIMPLAN_OK && k < n; k++) {
        rs[k] = entries[k].r;
        names[k] = entries[k].name;
    }
    if (st == SIMPLAN_OK)
        st = simplan_compare_save(rs, names, n, dir, err);
    char *text = NULL;
    size_t len = 0;
    if (st == SIMPLAN_OK)
        st =
            cli_print(simplan_compare_to_string(
                          rs, names, n, SIMPLAN_FORMAT_TABLE, &text, &len, err),
                      &text, &len, err);
    free(rs);
    free(names);
    return st;
}

simplan_status cli_batch(const cli_batch_options *opt, simplan_error *err)
{
    entry *entries = NULL;
    size_t n = 0;
    simplan_status st = SIMPLAN_OK;
    if (opt->collect) {
        n = list_collected(opt->out.dir, &entries);
        if (n == 0)
            st = cli_error(err, SIMPLAN_ERR_IO, opt->out.dir, 0, "--collect",
                           "no run directories with a state file here");
    } else {
        n = (size_t)opt->n_scenarios;
        entries = calloc(n ? n : 1, sizeof *entries);
        if (entries == NULL)
            return cli_error(err, SIMPLAN_ERR_NOMEM, NULL, 0, NULL,
                             "out of memory");
        for (size_t k = 0; k < n; k++) {
            entries[k].scenario = opt->scenarios[k];
            entries[k].exit_code = -1;
        }
        for (size_t k = 0; k < n; k++)
            entry_name(entries, k, n);
        cli_signal_catch();
        st = batch_dir(opt, err);
        if (st == SIMPLAN_OK)
            st = run_all(opt, entries, n, err);
    }
    int worst = 0;
    for (size_t k = 0; st == SIMPLAN_OK && k < n; k++) {
        if (cli_signal_caught()) {
            st = cli_signal_error(err, "no comparison was written");
            break;
        }
        simplan_error one;
        simplan_error_clear(&one);
        if (entries[k].exit_code > 0 ||
            collect(opt, opt->out.dir, &entries[k], &one) != SIMPLAN_OK) {
            int code = entries[k].exit_code > 0 ? entries[k].exit_code
                                                : simplan_exit_code(one.status);
            fprintf(stderr, "simplan batch: %s failed (exit %d)%s%s\n",
                    entries[k].name, code, one.message[0] ? ": " : "",
                    one.message);
            worst = code > worst ? code : worst;
        } else if (entries[k].exit_code == 3) { /* charts failed */
            worst = worst > 3 ? worst : 3;
        }
    }
    if (st == SIMPLAN_OK && cli_signal_caught())
        st = cli_signal_error(err, "no comparison was written");
    if (st == SIMPLAN_OK)
        st = compare(opt->out.dir, entries, n, err);
    free_entries(entries, n);
    if (st == SIMPLAN_OK && worst > 0)
        st = cli_error(err, worst >= 3 ? SIMPLAN_ERR_IO : SIMPLAN_ERR_RANGE,
                       NULL, 0, NULL, "some scenarios failed; see above");
    return st;
}
