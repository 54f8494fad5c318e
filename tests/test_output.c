/*
 * Tests of src/output/sp_output, the result-directory writer: a result is
 * published whole into a new DIR; with force it replaces an old run
 * entirely (its extra files and folders go); an existing DIR without
 * force is refused before anything is written; symbolic links planted in
 * DIR, at temporary names or as DIR itself are never followed; a write
 * that fails (a real file-size limit, EFBIG) or a signal before
 * publishing leaves DIR exactly as it was and no private directory
 * behind; names too long for a path are refused, not truncated; a
 * checkpoint publishes a DIR of the state file alone; a chart stage that
 * crashes leaves the data files publishable and says why.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sp_output.h"
#include "sp_test.h"

/* A fresh parent directory per test; DIR is PARENT/run. */
typedef struct {
    char parent[64];
    char dir[128];
    char outside[128]; /* a file outside DIR that must never change */
} fixture;

static void put(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

/* The content of `path` (at most 255 bytes), or "" when it is missing. */
static const char *get(const char *path)
{
    static char buf[256];
    buf[0] = '\0';
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return buf;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    strcpy(fx->parent, "/tmp/simplan_test_output_XXXXXX");
    if (fx == NULL || mkdtemp(fx->parent) == NULL)
        return -1;
    snprintf(fx->dir, sizeof fx->dir, "%s/run", fx->parent);
    snprintf(fx->outside, sizeof fx->outside, "%s/outside.txt", fx->parent);
    put(fx->outside, "precious\n");
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", fx->parent);
    int rc = system(cmd);
    free(fx);
    return rc == 0 ? 0 : -1;
}

/* Names in `dir` (not . and ..), sorted, joined by spaces. */
static const char *listing(const char *dir)
{
    static char buf[1024];
    struct dirent **names;
    int n = scandir(dir, &names, NULL, alphasort);
    buf[0] = '\0';
    for (int i = 0; i < n; i++) {
        if (strcmp(names[i]->d_name, ".") != 0 &&
            strcmp(names[i]->d_name, "..") != 0) {
            strcat(buf, buf[0] ? " " : "");
            strcat(buf, names[i]->d_name);
        }
        free(names[i]);
    }
    if (n >= 0)
        free(names);
    return n < 0 ? "(missing)" : buf;
}

/* Writes a result of files a.csv and b.json holding `tag`. */
static sp_status write_result(const fixture *fx, bool force, const char *tag,
                              sp_error *err)
{
    sp_output_options o = {fx->dir, force, false, NULL};
    sp_output *w;
    sp_status st = sp_output_begin(&o, &w, err);
    if (st != SP_OK)
        return st;
    st = sp_output_bytes(w, "a.csv", tag, strlen(tag), err);
    if (st == SP_OK)
        st = sp_output_bytes(w, "b.json", tag, strlen(tag), err);
    if (st == SP_OK)
        st = sp_output_publish(w, err);
    sp_output_free(w);
    return st;
}

static void path_of(char *buf, size_t size, const fixture *fx, const char *name)
{
    snprintf(buf, size, "%s/%s", fx->dir, name);
}

static void publish_creates_the_new_directory_with_every_file(void **state)
{
    fixture *fx = *state;
    sp_error err;
    sp_error_clear(&err);
    assert_int_equal(write_result(fx, false, "one\n", &err), SP_OK);
    assert_string_equal(listing(fx->dir), "a.csv b.json");
    char p[256];
    path_of(p, sizeof p, fx, "a.csv");
    assert_string_equal(get(p), "one\n");
    /* Nothing but DIR and the outside file is left in the parent. */
    assert_string_equal(listing(fx->parent), "outside.txt run");
    struct stat sb;
    assert_int_equal(stat(fx->dir, &sb), 0);
    mode_t mask = umask(0);
    umask(mask);
    assert_int_equal(sb.st_mode & 0777, 0777 & ~mask);
}

static void force_replaces_the_old_run_and_removes_its_extra_files(void **state)
{
    fixture *fx = *state;
    sp_error err;
    sp_error_clear(&err);
    char p[256];
    assert_int_equal(mkdir(fx->dir, 0755), 0);
    path_of(p, sizeof p, fx, "a.csv");
    put(p, "old\n");
    path_of(p, sizeof p, fx, "fan_nonfossil_share.png");
    put(p, "old chart\n");
    path_of(p, sizeof p, fx, "sub");
    assert_int_equal(mkdir(p, 0755), 0);
    path_of(p, sizeof p, fx, "sub/state.simplan");
    put(p, "old state\n");
    path_of(p, sizeof p, fx, "link");
    assert_int_equal(symlink(fx->outside, p), 0);
    assert_int_equal(write_result(fx, true, "new\n", &err), SP_OK);
    assert_string_equal(listing(fx->dir), "a.csv b.json");
    path_of(p, sizeof p, fx, "a.csv");
    assert_string_equal(get(p), "new\n");
    assert_string_equal(get(fx->outside), "precious\n");
    assert_string_equal(listing(fx->parent), "outside.txt run");
}

static void
an_existing_directory_without_force_is_refused_at_begin(void **state)
{
    fixture *fx = *state;
    sp_error err;
    sp_error_clear(&err);
    assert_int_equal(write_result(fx, false, "first\n", &err), SP_OK);
    sp_output_options o = {fx->dir, false, false, NULL};
    sp_output *w = (sp_output *)&o;
    assert_int_equal(sp_output_begin(&o, &w, &err), SP_ERR_IO);
    assert_null(w);
    assert_non_null(strstr(err.message, "--force"));
    assert_string_equal(listing(fx->parent), "outside.txt run");
    char p[256];
    path_of(p, sizeof p, fx, "a.csv");
    assert_string_equal(get(p), "first\n");
    /* A file, and a symbolic link to a directory, are refused too. */
    char other[160];
    snprintf(other, sizeof other, "%s/file", fx->parent);
    put(other, "x");
    sp_output_options of = {other, true, false, NULL};
    assert_int_equal(sp_output_begin(&of, &w, &err), SP_ERR_IO);
    snprintf(other, sizeof other, "%s/link", fx->parent);
    assert_int_equal(symlink(fx->dir, other), 0);
    assert_int_equal(sp_output_begin(&of, &w, &err), SP_ERR_IO);
    assert_non_null(strstr(err.message, "symbolic link"));
}

static sp_status put_text(FILE *out, const void *ctx, sp_error *err)
{
    (void)err;
    fputs(ctx, out);
    return SP_OK;
}

static void planted_symlinks_are_never_followed(void **state)
{
    fixture *fx = *state;
    sp_error err;
    sp_error_clear(&err);
    char p[256];
    assert_int_equal(mkdir(fx->dir, 0755), 0);
    /* In DIR at the final names and at the temporary names writers used. */
    const char *names[] = {"a.csv", "b.json", ".a.csv.tmp", ".b.json.tmp",
                           "state.simplan.tmp"};
    for (size_t k = 0; k < 5; k++) {
        path_of(p, sizeof p, fx, names[k]);
        assert_int_equal(symlink(fx->outside, p), 0);
    }
    /* Beside DIR, where private directories are made. */
    for (const char *s = "abcdefghij"; *s; s++) {
        snprintf(p, sizeof p, "%s/.run.%c", fx->parent, *s);
        assert_int_equal(symlink(fx->outside, p), 0);
    }
    assert_int_equal(write_result(fx, true, "new\n", &err), SP_OK);
    assert_string_equal(get(fx->outside), "precious\n");
    struct stat sb;
    path_of(p, sizeof p, fx, "a.csv");
    assert_int_equal(lstat(p, &sb), 0);
    assert_true(S_ISREG(sb.st_mode));
    assert_string_equal(get(p), "new\n");
    /* A replaced file beside results: the link itself is replaced. */
    snprintf(p, sizeof p, "%s/comparison.csv", fx->parent);
    assert_int_equal(symlink(fx->outside, p), 0);
    assert_int_equal(sp_output_replace_file(fx->parent, "comparison.csv",
                                            put_text, "table\n", &err),
                     SP_OK);
    assert_int_equal(lstat(p, &sb), 0);
    assert_true(S_ISREG(sb.st_mode));
    assert_string_equal(get(p), "table\n");
    assert_string_equal(get(fx->outside), "precious\n");
}

/* Writes "x" many times; used through sp_output_file. */
static sp_status put_big(FILE *out, const void *ctx, sp_error *err)
{
    (void)err;
    for (long k = 0; k < *(const long *)ctx; k++)
        fputs(
            "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n",
            out);
    return SP_OK;
}

static void a_failed_write_leaves_dir_as_it_was(void **state)
{
    fixture *fx = *state;
    sp_error err;
    sp_error_clear(&err);
    assert_int_equal(write_result(fx, false, "old\n", &err), SP_OK);
    /* A real write failure: files may not grow past 64 KiB (EFBIG). */
    struct rlimit saved, small = {65536, 65536};
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &saved), 0);
    signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
    sp_output_options o = {fx->dir, true, false, NULL};
    sp_output *w;
    assert_int_equal(sp_output_begin(&o, &w, &err), SP_OK);
    long lines = 10000; /* 640 kB */
    assert_int_equal(sp_output_file(w, "a.csv", put_text, "new\n", &err),
                     SP_OK);
    sp_status st = sp_output_file(w, "big.csv", put_big, &lines, &err);
    setrlimit(RLIMIT_FSIZE, &saved);
    assert_int_equal(st, SP_ERR_IO);
    char want[256];
    snprintf(want, sizeof want, "cannot write %s/big.csv: %s", fx->dir,
             strerror(EFBIG));
    assert_string_equal(err.message, want);
    sp_output_free(w); /* the caller gives up */
    assert_string_equal(listing(fx->dir), "a.csv b.json");
    char p[256];
    path_of(p, sizeof p, fx, "a.csv");
    assert_string_equal(get(p), "old\n");
    assert_string_equal(listing(fx->parent), "outside.txt run");
}

static void a_signal_before_publishing_leaves_dir_as_it_was(void **state)
{
    fixture *fx = *state;
    sp_error err;
    sp_error_clear(&err);
    assert_int_equal(write_result(fx, false, "old\n", &err), SP_OK);
    atomic_int stop = 0;
    sp_output_options o = {fx->dir, true, false, &stop};
    sp_output *w;
    assert_int_equal(sp_output_begin(&o, &w, &err), SP_OK);
    assert_int_equal(sp_output_bytes(w, "a.csv", "new\n", 4, &err), SP_OK);
    stop = SIGTERM;
    assert_int_equal(sp_output_publish(w, &err), SP_ERR_IO);
    assert_non_null(strstr(err.message, "interrupted by signal 15"));
    sp_output_free(w);
    char p[256];
    path_of(p, sizeof p, fx, "a.csv");
    assert_string_equal(get(p), "old\n");
    assert_string_equal(listing(fx->parent), "outside.txt run");
}

static void names_too_long_for_a_path_are_refused_not_truncated(void **state)
{
    fixture *fx = *state;
    sp_error err;
    sp_error_clear(&err);
    /* A directory name longer than a file name may be. */
    char dir[400];
    int n = snprintf(dir, sizeof dir, "%s/", fx->parent);
    memset(dir + n, 'd', 300);
    dir[n + 300] = '\0';
    sp_output_options o = {dir, false, false, NULL};
    sp_output *w;
    assert_int_equal(sp_output_begin(&o, &w, &err), SP_ERR_IO);
    assert_non_null(strstr(err.message, "too long"));
    /* DIR/name past PATH_MAX, with DIR itself short enough. */
    char *deep = malloc(PATH_MAX + 512);
    assert_non_null(deep);
    n = snprintf(deep, PATH_MAX, "%s", fx->parent);
    while (n < PATH_MAX - 260) {
        deep[n++] = '/';
        memset(deep + n, 'p', 200);
        n += 200;
        deep[n] = '\0';
        assert_int_equal(mkdir(deep, 0755), 0);
    }
    strcpy(deep + n, "/run");
    sp_output_options od = {deep, false, false, NULL};
    assert_int_equal(sp_output_begin(&od, &w, &err), SP_OK);
    char name[256];
    memset(name, 'n', 250);
    strcpy(name + 250, ".csv");
    assert_int_equal(sp_output_bytes(w, name, "x", 1, &err), SP_ERR_IO);
    assert_non_null(strstr(err.message, "too long"));
    assert_int_equal(sp_output_bytes(w, "../escape.csv", "x", 1, &err),
                     SP_ERR_IO);
    sp_output_free(w);
    free(deep);
    char p[256];
    snprintf(p, sizeof p, "%s/escape.csv", fx->parent);
    assert_int_equal(access(p, F_OK), -1);
}

static void a_checkpoint_publishes_the_state_alone_then_the_result(void **state)
{
    fixture *fx = *state;
    sp_error err;
    sp_error_clear(&err);
    sp_output_options o = {fx->dir, false, false, NULL};
    sp_output *w;
    assert_int_equal(sp_output_begin(&o, &w, &err), SP_OK);
    assert_int_equal(sp_output_checkpoint(w, "state.simplan", "s1", 2, &err),
                     SP_OK);
    assert_string_equal(listing(fx->dir), "state.simplan");
    assert_int_equal(sp_output_checkpoint(w, "state.simplan", "s2", 2, &err),
                     SP_OK);
    char p[256];
    path_of(p, sizeof p, fx, "state.simplan");
    assert_string_equal(get(p), "s2");
    assert_int_equal(sp_output_bytes(w, "state.simplan", "s3", 2, &err), SP_OK);
    assert_int_equal(sp_output_bytes(w, "a.csv", "new\n", 4, &err), SP_OK);
    assert_int_equal(sp_output_publish(w, &err), SP_OK);
    sp_output_free(w);
    assert_string_equal(listing(fx->dir), "a.csv state.simplan");
    assert_string_equal(get(p), "s3");
    assert_string_equal(listing(fx->parent), "outside.txt run");
}

/* Chart k: writes a small file, or crashes when k is 1 and ctx says so. */
static sp_status draw(const char *path, size_t k, const void *ctx,
                      sp_error *err)
{
    if (k == 1 && *(const int *)ctx)
        raise(SIGSEGV);
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return sp_error_set(err, SP_ERR_IO, path, 0, NULL, "cannot open");
    fputs("<svg></svg>\n", f);
    return fclose(f) == 0 ? SP_OK : SP_ERR_IO;
}

static void a_crashing_chart_stage_keeps_the_data_files(void **state)
{
    fixture *fx = *state;
    sp_error err;
    sp_error_clear(&err);
    const char *names[] = {"c0.svg", "c1.svg", "c2.svg"};
    sp_output_options o = {fx->dir, false, true, NULL};
    sp_output *w;
    int crash = 0;
    assert_int_equal(sp_output_begin(&o, &w, &err), SP_OK);
    assert_true(sp_output_charts(w, names, 3, draw, &crash));
    assert_null(sp_output_warning(w));
    assert_int_equal(sp_output_publish(w, &err), SP_OK);
    sp_output_free(w);
    assert_string_equal(listing(fx->dir), "c0.svg c1.svg c2.svg");
    crash = 1;
    sp_output_options of = {fx->dir, true, true, NULL};
    assert_int_equal(sp_output_begin(&of, &w, &err), SP_OK);
    assert_int_equal(sp_output_bytes(w, "data.csv", "1\n", 2, &err), SP_OK);
    assert_false(sp_output_charts(w, names, 3, draw, &crash));
    assert_non_null(sp_output_warning(w));
    assert_non_null(strstr(sp_output_warning(w), "signal 11"));
    assert_int_equal(sp_output_publish(w, &err), SP_OK);
    sp_output_free(w);
    assert_string_equal(listing(fx->dir), "data.csv");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            publish_creates_the_new_directory_with_every_file, setup, teardown),
        cmocka_unit_test_setup_teardown(
            force_replaces_the_old_run_and_removes_its_extra_files, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            an_existing_directory_without_force_is_refused_at_begin, setup,
            teardown),
        cmocka_unit_test_setup_teardown(planted_symlinks_are_never_followed,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(a_failed_write_leaves_dir_as_it_was,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            a_signal_before_publishing_leaves_dir_as_it_was, setup, teardown),
        cmocka_unit_test_setup_teardown(
            names_too_long_for_a_path_are_refused_not_truncated, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            a_checkpoint_publishes_the_state_alone_then_the_result, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            a_crashing_chart_stage_keeps_the_data_files, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
