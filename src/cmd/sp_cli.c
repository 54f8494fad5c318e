/*
 * sp_cli: `simplan COMMAND [options]` parsing with getopt_long.
 */
#define _POSIX_C_SOURCE 200809L
#include "sp_cli.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sp_marginal.h"
#include "sp_scenario.h"

const char *sp_cli_usage(void)
{
    return "usage: simplan run SCENARIO.cfg [options]\n"
           "       simplan check SCENARIO.cfg\n"
           "       simplan merge PART... [--out DIR] [--force] [--no-plots]\n"
           "                     [--format F] [--quiet]\n"
           "       simplan batch SCENARIO.cfg... --out DIR [--jobs J] [--draws N]\n"
           "                     [--seed S] [--threads T] [--no-plots]\n"
           "       simplan batch --collect DIR\n"
           "       simplan solve SCENARIO.cfg --target ID --prob P --vary PATH\n"
           "                     [--range LO:HI] [--tol T] [run options]\n"
           "       simplan sweep SCENARIO.cfg --vary PATH=FROM:TO:STEPS\n"
           "                     [--vary PATH2=FROM:TO:STEPS] [--out DIR]\n"
           "       simplan bench [SCENARIO.cfg] [--draws N] [--threads T]\n"
           "                     [--rng NAME] [--marginal FAMILY]\n"
           "       simplan --help | --version\n"
           "\n"
           "run    simulate the scenario and report, for every target, the\n"
           "       probability that it is met with its 95 % Wilson interval\n"
           "       and the spread of its measure, and every indicator's\n"
           "       quantiles by year\n"
           "check  validate the scenario, print the parsed model, run nothing\n"
           "merge  combine the state files of the slices of one run\n"
           "       (run --slice K/N --out PART_K, K = 1..N) into the report\n"
           "       of the whole run, bit-identical to a single run\n"
           "batch  run many scenarios (each into DIR/NAME with its own seed\n"
           "       unless --seed is given, J at a time) and compare them:\n"
           "       DIR/comparison.csv, DIR/comparison.md and a table of target\n"
           "       probabilities; --collect DIR builds the comparison from\n"
           "       runs made elsewhere (e.g. one Slurm array task each)\n"
           "solve  the value of one scenario number (PATH, e.g.\n"
           "       indicators.energy_intensity.path[0].mean) at which target\n"
           "       ID is met with probability P, with its Monte Carlo\n"
           "       uncertainty (bisection with common random numbers)\n"
           "sweep  every target's probability over a grid of one or two\n"
           "       scenario numbers; with --out, sweep.csv and a curve or\n"
           "       heat maps with the P = 0.5, 0.8, 0.9 contours\n"
           "bench  throughput of the simulation core: time per draw on one\n"
           "       and all threads against the variate bound (the time to\n"
           "       draw just the random numbers), scaling, peak memory;\n"
           "       default scenario: the shipped baseline, 1e6 draws;\n"
           "       --marginal normal|t|uniform|split_normal gives every\n"
           "       stochastic indicator that family (t: df 5, split_normal:\n"
           "       skew 0.3) to compare the cost of the copula transforms\n"
           "\n"
           "options of run (override the scenario's simulation settings):\n"
           "  -n, --draws N       number of draws (1 .. 1e11)\n"
           "  -s, --seed S        seed (0 .. 2^63-1)\n"
           "  -t, --threads T     threads (default: all cores); results do\n"
           "                      not depend on it\n"
           "  -r, --rng NAME      generator: xoshiro256ss (default) or any\n"
           "                      GSL generator name (taus2, mt19937, ...)\n"
           "  -f, --format F      table (default), csv or json, on stdout\n"
           "  -o, --out DIR       also write result files to DIR: summary.json,\n"
           "                      targets.csv, indicators.csv, iamc.csv,\n"
           "                      report.md and charts (SVG and PNG)\n"
           "      --force         reuse an existing DIR\n"
           "      --plots         charts in DIR (the default with --out)\n"
           "      --no-plots      no charts in DIR\n"
           "  -q, --quiet         no progress bar\n"
           "      --slice K/N     run only slice K of N (contiguous blocks) and\n"
           "                      write its state to DIR/state.simplan; merge\n"
           "                      the N parts with simplan merge\n"
           "      --resume DIR    continue the run saved in DIR (a finished or\n"
           "                      interrupted --out run): blocks already done\n"
           "                      are not redone; with a larger --draws, adds\n"
           "                      draws; the result equals a fresh run\n"
           "      --precision EPS add draws, 16 blocks of 1024 at a time, until\n"
           "                      every target's 95 % half-width is below EPS\n"
           "                      (at most --draws); reports the draws used\n"
           "      --checkpoint S  save the state in DIR every S seconds\n"
           "                      (default 60; and on SIGINT/SIGTERM)\n"
           "\n"
           "exit codes: 0 ok, 1 usage error, 2 scenario error,\n"
           "            3 runtime or I/O error\n";
}

/* Parses an unsigned decimal integer in [lo, hi]. */
static bool parse_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
    if (s == NULL || !(*s >= '0' && *s <= '9'))
        return false;
    char *end = NULL;
    errno = 0;
    uintmax_t v = strtoumax(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < lo || v > hi)
        return false;
    *out = (uint64_t)v;
    return true;
}

static sp_status bad_value(sp_error *err, const char *opt, const char *value,
                           const char *allowed)
{
    return sp_error_set(err, SP_ERR_USAGE, NULL, 0, opt,
                        "invalid value '%s'; expected %s", value, allowed);
}

static sp_status parse_option(int c, const char *arg, sp_options *opt,
                              sp_error *err)
{
    uint64_t v = 0;
    switch (c) {
    case 'n':
        if (!parse_u64(arg, 1, SP_MAX_DRAWS, &v))
            return bad_value(err, "--draws", arg, "an integer 1 .. 1e11");
        opt->draws = v;
        return SP_OK;
    case 's':
        if (!parse_u64(arg, 0, INT64_MAX, &v))
            return bad_value(err, "--seed", arg, "an integer 0 .. 2^63-1");
        opt->has_seed = true;
        opt->seed = v;
        return SP_OK;
    case 't':
        if (!parse_u64(arg, 1, 1024, &v))
            return bad_value(err, "--threads", arg, "an integer 1 .. 1024");
        opt->threads = (int)v;
        return SP_OK;
    case 'r':
        if (*arg == '\0')
            return bad_value(err, "--rng", arg, "a generator name");
        opt->rng = arg;
        return SP_OK;
    case 'f':
        if (strcmp(arg, "table") == 0)
            opt->format = SP_FORMAT_TABLE;
        else if (strcmp(arg, "csv") == 0)
            opt->format = SP_FORMAT_CSV;
        else if (strcmp(arg, "json") == 0)
            opt->format = SP_FORMAT_JSON;
        else
            return bad_value(err, "--format", arg, "table, csv or json");
        return SP_OK;
    case 'q':
        opt->quiet = true;
        return SP_OK;
    case 'o':
        if (*arg == '\0')
            return bad_value(err, "--out", arg, "a directory");
        opt->out = arg;
        return SP_OK;
    case 'F':
        opt->force = true;
        return SP_OK;
    case 'P':
        opt->plots = false;
        return SP_OK;
    case 'G':
        opt->plots = true;
        return SP_OK;
    case 'K': {
        unsigned k = 0, n = 0;
        char extra;
        if (sscanf(arg, "%u/%u%c", &k, &n, &extra) != 2 || k < 1 || n < 1 ||
            k > n || n > 1000000)
            return bad_value(err, "--slice", arg,
                             "K/N with 1 <= K <= N <= 1000000");
        opt->slice = k;
        opt->slices = n;
        return SP_OK;
    }
    case 'R':
        if (*arg == '\0')
            return bad_value(err, "--resume", arg, "a result directory");
        opt->resume = arg;
        return SP_OK;
    case 'E': {
        char *end;
        double eps = strtod(arg, &end);
        if (*arg == '\0' || *end != '\0' || !(eps > 0.0 && eps < 0.5))
            return bad_value(err, "--precision", arg,
                             "a half-width between 0 and 0.5");
        opt->precision = eps;
        return SP_OK;
    }
    case 'T':
        opt->target = arg;
        return SP_OK;
    case 'p': {
        char *end;
        double pr = strtod(arg, &end);
        if (*arg == '\0' || *end != '\0' || !(pr > 0.0 && pr < 1.0))
            return bad_value(err, "--prob", arg, "a probability in (0, 1)");
        opt->prob = pr;
        return SP_OK;
    }
    case 'V':
        if (opt->n_vary == 2)
            return bad_value(err, "--vary", arg, "at most two levers");
        opt->vary[opt->n_vary++] = arg;
        return SP_OK;
    case 'A': {
        char extra;
        if (sscanf(arg, "%lf:%lf%c", &opt->range_lo, &opt->range_hi,
                   &extra) != 2 || !(opt->range_lo < opt->range_hi))
            return bad_value(err, "--range", arg, "LO:HI with LO < HI");
        opt->has_range = true;
        return SP_OK;
    }
    case 'X': {
        char *end;
        double tol = strtod(arg, &end);
        if (*arg == '\0' || *end != '\0' || !(tol > 0.0))
            return bad_value(err, "--tol", arg, "a positive number");
        opt->tol = tol;
        return SP_OK;
    }
    case 'j':
        if (!parse_u64(arg, 1, 1024, &v))
            return bad_value(err, "--jobs", arg, "an integer 1 .. 1024");
        opt->jobs = (int)v;
        return SP_OK;
    case 'L':
        if (*arg == '\0')
            return bad_value(err, "--collect", arg, "a batch directory");
        opt->collect = true;
        opt->out = arg;
        return SP_OK;
    case 'C': {
        char *end;
        double secs = strtod(arg, &end);
        if (*arg == '\0' || *end != '\0' || !(secs > 0.0 && secs <= 1e6))
            return bad_value(err, "--checkpoint", arg,
                             "seconds, more than 0");
        opt->checkpoint = secs;
        return SP_OK;
    }
    case 'm': {
        sp_family family;
        if (!sp_family_parse(arg, &family))
            return bad_value(err, "--marginal", arg,
                             "normal, t, uniform or split_normal");
        opt->has_marginal = true;
        opt->marginal = (int)family;
        return SP_OK;
    }
    default:
        return sp_error_set(err, SP_ERR_USAGE, NULL, 0, NULL,
                            "unknown option or missing argument; see "
                            "simplan --help");
    }
}

/* Every long option once; `val` is the option's code, which is also its
 * short form for the letters in short_letters. */
static const struct option all_options[] = {
    {"draws", required_argument, NULL, 'n'},
    {"seed", required_argument, NULL, 's'},
    {"threads", required_argument, NULL, 't'},
    {"rng", required_argument, NULL, 'r'},
    {"format", required_argument, NULL, 'f'},
    {"quiet", no_argument, NULL, 'q'},
    {"out", required_argument, NULL, 'o'},
    {"force", no_argument, NULL, 'F'},
    {"no-plots", no_argument, NULL, 'P'},
    {"plots", no_argument, NULL, 'G'},
    {"slice", required_argument, NULL, 'K'},
    {"resume", required_argument, NULL, 'R'},
    {"checkpoint", required_argument, NULL, 'C'},
    {"precision", required_argument, NULL, 'E'},
    {"marginal", required_argument, NULL, 'm'},
    {"jobs", required_argument, NULL, 'j'},
    {"collect", required_argument, NULL, 'L'},
    {"target", required_argument, NULL, 'T'},
    {"prob", required_argument, NULL, 'p'},
    {"vary", required_argument, NULL, 'V'},
    {"range", required_argument, NULL, 'A'},
    {"tol", required_argument, NULL, 'X'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}};

static const char short_letters[] = "nstrfqomjh";

/* The option codes each command accepts. */
static const char *accepted(sp_command command)
{
    switch (command) {
    case SP_CMD_RUN:
        return "nstrfqoFPGKRCEh";
    case SP_CMD_BENCH:
        return "nstrmh";
    case SP_CMD_MERGE:
        return "fqoFPGh";
    case SP_CMD_BATCH:
        return "nstojLPqh";
    case SP_CMD_SOLVE:
    case SP_CMD_SWEEP:
        return "nstrfqoFPTpVAXh";
    default:
        return "h";
    }
}

/* The getopt_long tables of a command: its long options, and its short
 * options with ':' after those taking a value. */
static void command_options(sp_command command, struct option *longopts,
                            char *shortopts)
{
    const char *codes = accepted(command);
    size_t nl = 0, ns = 0;
    shortopts[ns++] = ':';
    for (const struct option *o = all_options; o->name; o++) {
        if (strchr(codes, o->val) == NULL)
            continue;
        longopts[nl++] = *o;
        if (strchr(short_letters, o->val)) {
            shortopts[ns++] = (char)o->val;
            if (o->has_arg == required_argument)
                shortopts[ns++] = ':';
        }
    }
    longopts[nl] = (struct option){NULL, 0, NULL, 0};
    shortopts[ns] = '\0';
}

sp_status sp_cli_parse(int argc, char **argv, sp_options *opt, sp_error *err)
{
    memset(opt, 0, sizeof *opt);
    opt->command = SP_CMD_HELP;
    opt->plots = true;
    opt->checkpoint = 60.0;
    if (argc < 2)
        return sp_error_set(err, SP_ERR_USAGE, NULL, 0, NULL,
                            "no command given; see simplan --help");
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 ||
        strcmp(cmd, "help") == 0)
        return SP_OK;
    if (strcmp(cmd, "--version") == 0) {
        opt->command = SP_CMD_VERSION;
        return SP_OK;
    }
    if (strcmp(cmd, "run") == 0)
        opt->command = SP_CMD_RUN;
    else if (strcmp(cmd, "check") == 0)
        opt->command = SP_CMD_CHECK;
    else if (strcmp(cmd, "bench") == 0)
        opt->command = SP_CMD_BENCH;
    else if (strcmp(cmd, "merge") == 0)
        opt->command = SP_CMD_MERGE;
    else if (strcmp(cmd, "batch") == 0)
        opt->command = SP_CMD_BATCH;
    else if (strcmp(cmd, "solve") == 0)
        opt->command = SP_CMD_SOLVE;
    else if (strcmp(cmd, "sweep") == 0)
        opt->command = SP_CMD_SWEEP;
    else
        return sp_error_set(err, SP_ERR_USAGE, NULL, 0, NULL,
                            "unknown command '%s'; commands: run, check, "
                            "merge, batch, solve, sweep, bench", cmd);
    bool is_batch = opt->command == SP_CMD_BATCH;
    bool is_bench = opt->command == SP_CMD_BENCH;
    bool is_merge = opt->command == SP_CMD_MERGE;
    struct option longopts[sizeof all_options / sizeof *all_options];
    char shortopts[64];
    command_options(opt->command, longopts, shortopts);
    optind = 2;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
        if (c == 'h') {
            opt->command = SP_CMD_HELP;
            return SP_OK;
        }
        if (c == ':')
            return sp_error_set(err, SP_ERR_USAGE, NULL, 0, argv[optind - 1],
                                "missing value; see simplan --help");
        if (c == '?')
            return sp_error_set(err, SP_ERR_USAGE, NULL, 0, argv[optind - 1],
                                "unknown option for '%s'; see simplan --help",
                                cmd);
        sp_status st = parse_option(c, optarg, opt, err);
        if (st != SP_OK)
            return st;
    }
    if (opt->command == SP_CMD_SOLVE &&
        (opt->target == NULL || opt->prob == 0.0 || opt->n_vary != 1))
        return sp_error_set(err, SP_ERR_USAGE, NULL, 0, NULL,
                            "solve needs --target ID, --prob P and one "
                            "--vary PATH");
    if (opt->command == SP_CMD_SWEEP && opt->n_vary == 0)
        return sp_error_set(err, SP_ERR_USAGE, NULL, 0, "--vary",
                            "sweep needs one or two --vary "
                            "PATH=FROM:TO:STEPS");
    if (is_batch) {
        if (opt->out == NULL)
            return sp_error_set(err, SP_ERR_USAGE, NULL, 0, "--out",
                                "batch needs --out DIR (or --collect DIR)");
        if (!opt->collect && optind == argc)
            return sp_error_set(err, SP_ERR_USAGE, NULL, 0, NULL,
                                "no scenario files given to batch");
        opt->parts = argv + optind;
        opt->n_parts = argc - optind;
        return SP_OK;
    }
    if (is_merge) {
        if (optind == argc)
            return sp_error_set(err, SP_ERR_USAGE, NULL, 0, NULL,
                                "no state files given to merge");
        opt->parts = argv + optind;
        opt->n_parts = argc - optind;
        return SP_OK;
    }
    if (opt->precision > 0 && (opt->slices > 0 || opt->resume != NULL))
        return sp_error_set(err, SP_ERR_USAGE, NULL, 0, "--precision",
                            "not with --slice or --resume");
    if (opt->slices > 0 && opt->out == NULL && opt->resume == NULL)
        return sp_error_set(err, SP_ERR_USAGE, NULL, 0, "--slice",
                            "a slice needs --out DIR (or --resume DIR) for "
                            "its state file");
    if (is_bench && optind == argc) {
        opt->scenario = access(SIMPLAN_INSTALLED_SCENARIO, R_OK) == 0
                            ? SIMPLAN_INSTALLED_SCENARIO
                            : SIMPLAN_SOURCE_SCENARIO;
        return SP_OK;
    }
    if (optind != argc - 1)
        return sp_error_set(err, SP_ERR_USAGE, NULL, 0, NULL,
                            optind >= argc ? "no scenario file given"
                                           : "exactly one scenario file is "
                                             "expected");
    opt->scenario = argv[optind];
    return SP_OK;
}
