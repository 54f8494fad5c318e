/*
 * Tests of src/cmd/sp_cli: cli_parse for every command -- good and bad
 * option values (counts in decimal and scientific notation, junk, signs,
 * fractions, overflow), the options each command accepts, the required
 * ones -- and that every refusal is SIMPLAN_ERR_USAGE (or SIMPLAN_ERR_UNSUPPORTED
 * for what this build lacks) with the option named in the error's field.
 */
#define _POSIX_C_SOURCE 200809L /* strdup */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli_args.h"
#include "sp_test.h"

#define MAX_ARGS 32

/* The parser's result for one command line. */
typedef struct {
    char *argv[MAX_ARGS + 1];
    int argc;
    cli_command_line cl;
    simplan_error err;
    simplan_status st;
} parsed;

/* Parses "simplan" followed by the NULL-terminated arguments. The strings
 * are copied, since getopt_long may permute argv. */
static void parse(parsed *p, ...)
{
    memset(p, 0, sizeof *p);
    p->argv[p->argc++] = strdup("simplan");
    va_list ap;
    va_start(ap, p);
    const char *a;
    while ((a = va_arg(ap, const char *)) != NULL && p->argc < MAX_ARGS)
        p->argv[p->argc++] = strdup(a);
    va_end(ap);
    simplan_error_clear(&p->err);
    p->st = cli_parse(p->argc, p->argv, &p->cl, &p->err);
}

static void release(parsed *p)
{
    for (int i = 0; i < p->argc; i++)
        free(p->argv[i]);
}

/* Asserts the parse failed with `status`, the error naming `field` and
 * its message containing `needle` (unless NULL). */
static void assert_refused(parsed *p, simplan_status status, const char *field,
                           const char *needle)
{
    if (p->st != status)
        fail_msg("status %s, expected %s (%s: %s)", simplan_status_name(p->st),
                 simplan_status_name(status), p->err.field, p->err.message);
    if (field != NULL && strcmp(p->err.field, field) != 0)
        fail_msg("field '%s', expected '%s' (%s)", p->err.field, field,
                 p->err.message);
    if (needle != NULL && strstr(p->err.message, needle) == NULL)
        fail_msg("message '%s' does not contain '%s'", p->err.message, needle);
}

static void assert_parsed(parsed *p)
{
    if (p->st != SIMPLAN_OK)
        fail_msg("refused: %s: %s", p->err.field, p->err.message);
}

/* `run --draws V` parses to `want`. */
static void draws_are(const char *value, uint64_t want)
{
    parsed p;
    parse(&p, "run", "x.cfg", "--draws", value, NULL);
    assert_parsed(&p);
    if (p.cl.as.run.sim.draws != want)
        fail_msg("--draws %s gave %llu, expected %llu", value,
                 (unsigned long long)p.cl.as.run.sim.draws,
                 (unsigned long long)want);
    release(&p);
}

/* `run --draws V` is refused naming --draws, the value and `why`. */
static void draws_refused(const char *value, const char *why)
{
    parsed p;
    parse(&p, "run", "x.cfg", "--draws", value, NULL);
    assert_refused(&p, SIMPLAN_ERR_USAGE, "--draws", why);
    if (strstr(p.err.message, value) == NULL)
        fail_msg("message '%s' does not quote '%s'", p.err.message, value);
    release(&p);
}

static void draws_accept_decimal_and_exact_scientific_notation(void **state)
{
    (void)state;
    draws_are("1", 1);
    draws_are("100000", 100000);
    draws_are("1e6", 1000000);
    draws_are("1E6", 1000000);
    draws_are("1e+6", 1000000);
    draws_are("2.5e6", 2500000);
    draws_are("1.024e3", 1024);
    draws_are("150e-1", 15);
    draws_are("2.50e1", 25);
    draws_are("1e9", 1000000000);
    draws_are("1e11", 100000000000ULL);
    draws_are("100000000000", 100000000000ULL);
    draws_are("007", 7);
}

static void draws_refuse_fractions_junk_signs_and_out_of_range(void **state)
{
    (void)state;
    draws_refused("1.5", "not an integer");
    draws_refused("15e-2", "not an integer");
    draws_refused("2.5", "not an integer");
    draws_refused("0", "out of range");
    draws_refused("0e5", "out of range");
    draws_refused("1.00000000001e11", "out of range");
    draws_refused("100000000001", "out of range");
    draws_refused("2e11", "out of range");
    draws_refused("1e500", "out of range");
    draws_refused("99999999999999999999", "out of range");
    draws_refused("1e6x", "1 .. 1e11");
    draws_refused("12abc", "1 .. 1e11");
    draws_refused("abc", "1 .. 1e11");
    draws_refused("1e", "1 .. 1e11");
    draws_refused("1e+", "1 .. 1e11");
    draws_refused("1e6.5", "1 .. 1e11");
    draws_refused(".5e1", "1 .. 1e11");
    draws_refused("0x10", "1 .. 1e11");
    draws_refused("-5", "1 .. 1e11");
    draws_refused("+5", "1 .. 1e11");
    draws_refused(" 5", "1 .. 1e11");
    draws_refused("5 ", "1 .. 1e11");
    draws_refused("", "1 .. 1e11");
    draws_refused("nan", "1 .. 1e11");
    draws_refused("inf", "1 .. 1e11");
}

static void
other_counts_share_the_count_syntax_and_name_their_option(void **state)
{
    (void)state;
    parsed p;
    parse(&p, "run", "x.cfg", "--seed", "9223372036854775807", "--threads",
          "1e1", NULL);
    assert_parsed(&p);
    assert_true(p.cl.as.run.sim.has_seed);
    assert_int_equal(p.cl.as.run.sim.seed, INT64_MAX);
    assert_int_equal(p.cl.as.run.sim.threads, 10);
    release(&p);
    parse(&p, "run", "x.cfg", "--seed", "9223372036854775808", NULL);
    assert_refused(&p, SIMPLAN_ERR_USAGE, "--seed", "out of range");
    release(&p);
    parse(&p, "run", "x.cfg", "--seed", "-1", NULL);
    assert_refused(&p, SIMPLAN_ERR_USAGE, "--seed", "0 .. 2^63-1");
    release(&p);
    parse(&p, "run", "x.cfg", "--threads", "0", NULL);
    assert_refused(&p, SIMPLAN_ERR_USAGE, "--threads", "1 .. 1024");
    release(&p);
    parse(&p, "run", "x.cfg", "-t", "1.5", NULL);
    assert_refused(&p, SIMPLAN_ERR_USAGE, "--threads", "not an integer");
    release(&p);
    parse(&p, "batch", "a.cfg", "--out", "d", "--jobs", "2e0", NULL);
    assert_parsed(&p);
    assert_int_equal(p.cl.as.batch.jobs, 2);
    release(&p);
    parse(&p, "batch", "a.cfg", "--out", "d", "--jobs", "0", NULL);
    assert_refused(&p, SIMPLAN_ERR_USAGE, "--jobs", "1 .. 1024");
    release(&p);
    parse(&p, "bench", "--draws", "2e3", NULL);
    assert_parsed(&p);
    assert_int_equal(p.cl.as.bench.sim.draws, 2000);
    release(&p);
}

static void slice_takes_two_counts_with_k_at_most_n(void **state)
{
    (void)state;
    parsed p;
    parse(&p, "run", "x.cfg", "--slice", "3/1e1", "--out", "d", NULL);
    assert_parsed(&p);
    assert_int_equal(p.cl.as.run.slice, 3);
    assert_int_equal(p.cl.as.run.slices, 10);
    release(&p);
    static const char *const bad[] = {
        "0/1",      "3/2",  "1/0",  "abc",   "1/",
        "/2",       "1/2x", "-1/2", "1.5/2", "2/99999999999999999999",
        "1/2000000"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        parse(&p, "run", "x.cfg", "--slice", bad[i], "--out", "d", NULL);
        assert_refused(&p, SIMPLAN_ERR_USAGE, "--slice", "K/N");
        release(&p);
    }
    parse(&p, "run", "x.cfg", "--slice", "1/2", NULL);
    assert_refused(&p, SIMPLAN_ERR_USAGE, "--slice", "--out");
    release(&p);
}

static void run_parses_every_option_it_lists(void **state)
{
    (void)state;
    parsed p;
    parse(&p, "run", "-n", "2000", "-s", "7", "-t", "2", "-r", "taus2", "-f",
          "csv", "-q", "-o", "dir", "--force", "--no-plots", "--checkpoint",
          "5", "x.cfg", NULL);
    assert_parsed(&p);
    assert_int_equal(p.cl.command, CLI_CMD_RUN);
    assert_string_equal(p.cl.scenario, "x.cfg");
    assert_int_equal(p.cl.as.run.sim.draws, 2000);
    assert_int_equal(p.cl.as.run.sim.seed, 7);
    assert_int_equal(p.cl.as.run.sim.threads, 2);
    assert_string_equal(p.cl.as.run.sim.rng, "taus2");
    assert_int_equal(p.cl.as.run.format, CLI_FORMAT_CSV);
    assert_true(p.cl.as.run.quiet);
    assert_string_equal(p.cl.as.run.out.dir, "dir");
    assert_true(p.cl.as.run.out.force);
    assert_false(p.cl.as.run.out.plots);
    assert_close(p.cl.as.run.checkpoint, 5.0, 0.0);
    release(&p);
    parse(&p, "run", "x.cfg", "--precision", "0.01", NULL);
    assert_parsed(&p);
    assert_close(p.cl.as.run.precision, 0.01, 0.0);
    release(&p);
}

static void plots_leaves_the_checkpoint_interval_alone(void **state)
{
    (void)state;
    parsed p;
    parse(&p, "run", "x.cfg", "--out", "d", "--checkpoint", "5", "--plots",
          NULL);
#ifdef SIMPLAN_HAVE_PLOTS
    assert_parsed(&p);
    assert_true(p.cl.as.run.out.plots);
    assert_close(p.cl.as.run.checkpoint, 5.0, 0.0);
#else
    assert_refused(&p, SIMPLAN_ERR_UNSUPPORTED, "--plots", "without charts");
#endif
    release(&p);
    parse(&p, "run", "x.cfg", "--out", "d", NULL);
    assert_parsed(&p);
#ifdef SIMPLAN_HAVE_PLOTS
    assert_true(p.cl.as.run.out.plots);
#else
    assert_false(p.cl.as.run.out.plots); /* report.md then links no chart */
#endif
    release(&p);
}

static void run_refuses_bad_values_naming_the_option(void **state)
{
    (void)state;
    static const struct {
        const char *option, *value;
    } bad[] = {
        {"--format", "xml"},     {"--rng", ""},          {"--out", ""},
        {"--resume", ""},        {"--precision", "0"},   {"--precision", "0.5"},
        {"--precision", "abc"},  {"--precision", "nan"}, {"--checkpoint", "0"},
        {"--checkpoint", "1e7"}, {"--checkpoint", "5s"}};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        parsed p;
        parse(&p, "run", "x.cfg", bad[i].option, bad[i].value, NULL);
        assert_refused(&p, SIMPLAN_ERR_USAGE, bad[i].option, NULL);
        release(&p);
    }
    parsed p;
    parse(&p, "run", "x.cfg", "--draws", NULL);
    assert_refused(&p, SIMPLAN_ERR_USAGE, "--draws", "missing value");
    release(&p);
    parse(&p, "run", "x.cfg", "--no-such-option", NULL);
    assert_refused(&p, SIMPLAN_ERR_USAGE, "--no-such-option", "unknown option");
    release(&p);
    parse(&p, "run", "x.cfg", "--jobs", "2", NULL);
    assert_refused(&p, SIMPLAN_ERR_USAGE, "--jobs", "unknown option for 'run'");
    release(&p);
    parse(&p, "run", NULL);
    assert_refused(&p, SIMPLAN_ERR_USAGE, "", "no scenario file");
    release(&p);
    parse(&p, "run", "a.cfg", "b.cfg", NULL);
    assert_refused(&p, SIMPLAN_ERR_USAGE, "", "exactly one scenario");
    release(&p);
    parse(&p, "run", "x.cfg", "--precision", "0.01", "--slice", "1/2", "--out",
          "d", NULL);
    assert_refused(&p, SIMPLAN_ERR_USAGE, "--precision", "--slice");
    release(&p);
}

static void json_format_is_accepted_only_with_jansson(void **state)
{
    (void)state;
    static const char *const commands[] = {"run", "solve", "sweep", "merge"};
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++) {
        parsed p;
        parse(&p, commands[i], "x.cfg", "--format", "json", NULL);
#ifdef SIMPLAN_HAVE_JSON
        cli_format f = p.cl.command == CLI_CMD_RUN     ? p.cl.as.run.format
                       : p.cl.command == CLI_CMD_MERGE ? p.cl.as.merge.format
                                                       : p.cl.as.decide.format;
        assert_int_equal(f, CLI_FORMAT_JSON);
#else
        assert_refused(&p, SIMPLAN_ERR_UNSUPPORTED, "--format",
                       "without JSON support");
#endif
        release(&p);
    }
}

static void check_takes_no_run_options(void **state)
{
    (void)state;
    parsed p;
    parse(&p, "check", "x.cfg", NULL);
    assert_parsed(&p);
    assert_int_equal(p.cl.command, CLI_CMD_CHECK);
    release(&p);
    parse(&p, "check", "x.cfg", "--draws", "10", NULL);
    assert_refused(&p, SIMPLAN_ERR_USAGE, "--draws", "unknown option");
    release(&p);
}

static void solve_needs_target_prob_and_one_lever(void **state)
{
    (void)state;
    parsed p;
    parse(&p, "solve", "x.cfg", "--target", "t", "--prob", "0.8", "--vary",
          "indicators.a.base", "--range", "1:2e1", "--tol", "1e-6", "--draws",
          "1e4", NULL);
    assert_parsed(&p);
    assert_string_equal(p.cl.as.decide.target, "t");
    assert_close(p.cl.as.decide.prob, 0.8, 0.0);
    assert_int_equal(p.cl.as.decide.n_vary, 1);
    assert_true(p.cl.as.decide.has_range);
    assert_close(p.cl.as.decide.range_lo, 1.0, 0.0);
    assert_close(p.cl.as.decide.range_hi, 20.0, 0.0);
    assert_close(p.cl.as.decide.tol, 1e-6, 0.0);
    assert_int_equal(p.cl.as.decide.sim.draws, 10000);
    release(&p);
    parse(&p, "solve", "x.cfg", "--prob", "0.8", "--vary", "v", NULL);
    assert_refused(&p, SIMPLAN_ERR_USAGE, NULL, "--target");
    release(&p);
    static const struct {
        const char *option, *value;
    } bad[] = {{"--prob", "1.5"},  {"--prob", "0"},     {"--prob", "-0.1"},
               {"--prob", "x"},    {"--range", "5:1"},  {"--range", "1:1"},
               {"--range", "abc"}, {"--range", "1:2x"}, {"--tol", "0"},
               {"--tol", "-1"},    {"--draws", "1e-3"}};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        parse(&p, "solve", "x.cfg", "--target", "t", "--prob", "0.5", "--vary",
              "v", bad[i].option, bad[i].value, NULL);
        assert_refused(&p, SIMPLAN_ERR_USAGE, bad[i].option, NULL);
        release(&p);
    }
}

static void sweep_takes_one_or_two_levers(void **state)
{
    (void)state;
    parsed p;
    parse(&p, "sweep", "x.cfg", "--vary", "a=0:1:3", "--vary", "b=0:1:3",
          "--format", "csv", NULL);
    assert_parsed(&p);
    assert_int_equal(p.cl.as.decide.n_vary, 2);
    assert_int_equal(p.cl.as.decide.format, CLI_FORMAT_CSV);
    release(&p);
    parse(&p, "sweep", "x.cfg", NULL);
    assert_refused(&p, SIMPLAN_ERR_USAGE, "--vary", "one or two");
    release(&p);
    parse(&p, "sweep", "x.cfg", "--vary", "a=0:1:3", "--vary", "b=0:1:3",
          "--vary", "c=0:1:3", NULL);
    assert_refused(&p, SIMPLAN_ERR_USAGE, "--vary", "at most two");
    release(&p);
}

static void merge_and_batch_take_their_parts(void **state)
{
    (void)state;
    parsed p;
    parse(&p, "merge", "p1", "p2", "--out", "d", "--force", NULL);
    assert_parsed(&p);
    assert_int_equal(p.cl.as.merge.n_parts, 2);
    assert_true(p.cl.as.merge.out.force);
    release(&p);
    parse(&p, "merge", NULL);
    assert_refused(&p, SIMPLAN_ERR_USAGE, "", "no state files");
    release(&p);
    parse(&p, "batch", "a.cfg", "b.cfg", "--out", "d", "--force", "--jobs", "2",
          NULL);
    assert_parsed(&p);
    assert_int_equal(p.cl.as.batch.n_scenarios, 2);
    assert_true(p.cl.as.batch.out.force);
    release(&p);
    parse(&p, "batch", "a.cfg", NULL);
    assert_refused(&p, SIMPLAN_ERR_USAGE, "--out", "--out DIR");
    release(&p);
    parse(&p, "batch", "--out", "d", NULL);
    assert_refused(&p, SIMPLAN_ERR_USAGE, "", "no scenario files");
    release(&p);
    parse(&p, "batch", "--collect", "d", NULL);
    assert_parsed(&p);
    assert_true(p.cl.as.batch.collect);
    assert_string_equal(p.cl.as.batch.out.dir, "d");
    release(&p);
}

static void bench_needs_no_scenario_and_checks_its_family(void **state)
{
    (void)state;
    parsed p;
    parse(&p, "bench", NULL);
    assert_parsed(&p);
    assert_int_equal(p.cl.command, CLI_CMD_BENCH);
    assert_null(p.cl.scenario); /* simplan_default_scenario decides */
    release(&p);
    parse(&p, "bench", "--marginal", "t", NULL);
    assert_parsed(&p);
    assert_true(p.cl.as.bench.has_marginal);
    release(&p);
    parse(&p, "bench", "--marginal", "gamma", NULL);
    assert_refused(&p, SIMPLAN_ERR_USAGE, "--marginal", "split_normal");
    release(&p);
    parse(&p, "bench", "--out", "d", NULL);
    assert_refused(&p, SIMPLAN_ERR_USAGE, "--out", "unknown option");
    release(&p);
}

static void cli_count_is_the_syntax_of_the_count_options(void **state)
{
    (void)state;
    uint64_t v = 0;
    assert_true(cli_count("1e1", 2, 1000, &v));
    assert_int_equal(v, 10);
    assert_true(cli_count("1000", 2, 1000, &v));
    assert_false(cli_count("1001", 2, 1000, &v));
    assert_false(cli_count("1", 2, 1000, &v));
    assert_false(cli_count("3abc", 2, 1000, &v));
    assert_false(cli_count("2.5", 2, 1000, &v));
    assert_false(cli_count(NULL, 2, 1000, &v));
}

static void commands_help_and_version_are_recognised(void **state)
{
    (void)state;
    parsed p;
    parse(&p, NULL);
    assert_refused(&p, SIMPLAN_ERR_USAGE, "", "no command");
    release(&p);
    parse(&p, "frobnicate", NULL);
    assert_refused(&p, SIMPLAN_ERR_USAGE, "", "frobnicate");
    release(&p);
    parse(&p, "--version", NULL);
    assert_int_equal(p.cl.command, CLI_CMD_VERSION);
    release(&p);
    parse(&p, "run", "x.cfg", "--help", NULL);
    assert_parsed(&p);
    assert_int_equal(p.cl.command, CLI_CMD_HELP);
    release(&p);
    assert_non_null(strstr(cli_usage(), "1 .. 1e11"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(draws_accept_decimal_and_exact_scientific_notation),
        cmocka_unit_test(draws_refuse_fractions_junk_signs_and_out_of_range),
        cmocka_unit_test(
            other_counts_share_the_count_syntax_and_name_their_option),
        cmocka_unit_test(slice_takes_two_counts_with_k_at_most_n),
        cmocka_unit_test(run_parses_every_option_it_lists),
        cmocka_unit_test(plots_leaves_the_checkpoint_interval_alone),
        cmocka_unit_test(run_refuses_bad_values_naming_the_option),
        cmocka_unit_test(json_format_is_accepted_only_with_jansson),
        cmocka_unit_test(check_takes_no_run_options),
        cmocka_unit_test(solve_needs_target_prob_and_one_lever),
        cmocka_unit_test(sweep_takes_one_or_two_levers),
        cmocka_unit_test(merge_and_batch_take_their_parts),
        cmocka_unit_test(bench_needs_no_scenario_and_checks_its_family),
        cmocka_unit_test(cli_count_is_the_syntax_of_the_count_options),
        cmocka_unit_test(commands_help_and_version_are_recognised),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
