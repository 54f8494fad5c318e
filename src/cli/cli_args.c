/*
 * cli_args: `simplan COMMAND [options]` parsing with getopt_long.
 */
#define _POSIX_C_SOURCE 200809L
#include "cli_args.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The usage text before and after the paragraph on bench --marginal,
 * which cli_usage() writes from the families' descriptor table. */
static const char *const usage_head =
    "usage: simplan run SCENARIO.cfg [options]\n"
    "       simplan check SCENARIO.cfg\n"
    "       simplan merge PART... [--out DIR] [--force] [--no-plots]\n"
    "                     [--format F] [--quiet]\n"
    "       simplan batch SCENARIO.cfg... --out DIR [--force] [--jobs J]\n"
    "                     [--draws N] [--seed S] [--threads T] [--no-plots]\n"
    "       simplan batch --collect DIR\n"
    "       simplan solve SCENARIO.cfg --target ID --prob P --vary PATH\n"
    "                     [--range LO:HI] [--tol T] [run options]\n"
    "       simplan sweep SCENARIO.cfg --vary PATH=FROM:TO:STEPS\n"
    "                     [--vary PATH2=FROM:TO:STEPS] [--out DIR]\n"
    "       simplan bench [SCENARIO.cfg] [--draws N] [--threads T]\n"
    "                     [--rng NAME] [--marginal FAMILY]\n"
    "                     [--format table|json]\n"
    "       simplan fit DATA.csv --scenario SCENARIO.cfg [--indicator NAME]...\n"
    "                     [--region R] [--from Y] [--to Y] [--plans PLANS.csv]\n"
    "                     [--format table|json|cfg]\n"
    "       simplan backtest SCENARIO.cfg --data DATA.csv --origins FROM:TO[:STEP]\n"
    "                     [--horizon H] [--history L] [--region R]...\n"
    "                     [--draws N] [--seed S] [--threads T] [--rng NAME]\n"
    "                     [--no-sd-factor] [--search-draws N]\n"
    "                     [--format table|json|csv]\n"
    "                     [--out DIR] [--force] [--no-plots] [--quiet]\n"
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
    "fit    estimate each stochastic indicator's innovation sd and\n"
    "       ar1 (exact AR(1) maximum likelihood, with standard\n"
    "       errors) and their correlations from a data file; cfg\n"
    "       prints the scenario with them written in; with --plans,\n"
    "       trend_sd from plan targets against outcomes\n"
    "backtest  re-anchor the scenario at each origin year on each\n"
    "       region's data and score its projections against the later\n"
    "       data: PIT, 50 % and 90 % coverage, CRPS, a verdict and\n"
    "       the sd factors that would give 90 % coverage (common and\n"
    "       by indicator); its targets, where the data show whether\n"
    "       they were met: Brier score and reliability table; with\n"
    "       --out, scores.csv, targets.csv, summary.json and the\n"
    "       charts pit.png, coverage.png and projections-NAME.png\n"
    "sweep  every target's probability over a grid of one or two\n"
    "       scenario numbers; with --out, sweep.csv and a curve or\n"
    "       heat maps with the P = 0.5, 0.8, 0.9 contours\n"
    "bench  throughput of the simulation core: time per draw on one\n"
    "       and all threads against the variate bound (the time to\n"
    "       draw just the random numbers), scaling, peak memory;\n"
    "       default scenario: the shipped baseline, 1e6 draws;\n";

static const char *const usage_tail =
    "\n"
    "options of run (override the scenario's simulation settings):\n"
    "  -n, --draws N       number of draws (1 .. 1e11; e.g. 1e6)\n"
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
    "      --param-sets N  parameter sets for P with parameter uncertainty\n"
    "                      (default 200; 0: none; doc/model.md section 16)\n"
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
    "      --variance-reduction none|rqmc|antithetic\n"
    "                      rqmc: scrambled Sobol' points in 16 independent\n"
    "                      randomisations, intervals from their spread\n"
    "                      (draws a multiple of 16384; doc/model.md 7.6);\n"
    "                      antithetic: mirrored pairs of draws (7.7)\n"
    "      --checkpoint S  save the state in DIR every S seconds\n"
    "                      (default 60; and on SIGINT/SIGTERM)\n"
    "\n"
    "exit codes: 0 ok, 1 usage error, 2 scenario error,\n"
    "            3 runtime or I/O error\n";

/* Appends the words of `text` to buf (of `size` bytes) as lines indented
 * by 7 spaces that end before column 70. */
static void wrap_text(char *buf, size_t size, const char *text)
{
    size_t col = 0;
    while (*text) {
        size_t n = strcspn(text, " "), used = strlen(buf);
        if (col == 0 || col + 1 + n > 70) {
            snprintf(buf + used, size - used, "%s       %.*s", col ? "\n" : "",
                     (int)n, text);
            col = 7 + n;
        } else {
            snprintf(buf + used, size - used, " %.*s", (int)n, text);
            col += 1 + n;
        }
        text += n;
        text += strspn(text, " ");
    }
    if (col)
        strncat(buf, "\n", size - strlen(buf) - 1);
}

/* The bench --marginal paragraph: the family names and the defaults of
 * their parameters, from the descriptor table. */
static void marginal_help(char *buf, size_t size)
{
    char text[1024] = "--marginal ", defaults[512] = "";
    for (size_t k = 0; k < simplan_family_count(); k++) {
        const char *family = simplan_family_name(k);
        size_t used = strlen(text);
        snprintf(text + used, sizeof text - used, "%s%s", k ? "|" : "", family);
        double dflt;
        const char *param;
        for (size_t j = 0; (param = simplan_family_param(k, j, &dflt)); j++) {
            used = strlen(defaults);
            if (j == 0)
                snprintf(defaults + used, sizeof defaults - used, "%s%s: %s %g",
                         used ? ", " : "", family, param, dflt);
            else
                snprintf(defaults + used, sizeof defaults - used, ", %s %g",
                         param, dflt);
        }
    }
    size_t used = strlen(text);
    snprintf(text + used, sizeof text - used,
             " gives every stochastic indicator that family%s%s%s to compare "
             "the cost of the copula transforms",
             defaults[0] ? " (" : "", defaults, defaults[0] ? ")" : "");
    buf[0] = '\0';
    wrap_text(buf, size, text);
}

const char *cli_usage(void)
{
    static char text[8192];
    if (text[0] == '\0') {
        char marginal[1024];
        marginal_help(marginal, sizeof marginal);
        snprintf(text, sizeof text, "%s%s%s", usage_head, marginal, usage_tail);
    }
    return text;
}

/* A count option's value: simplan_parse_count. */
static simplan_count parse_count(const char *s, uint64_t lo, uint64_t hi,
                                 uint64_t *out)
{
    return simplan_parse_count(s, lo, hi, out);
}

bool cli_count(const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
    return parse_count(s, lo, hi, out) == SIMPLAN_COUNT_OK;
}

/* A count option: parse_count into *out, or SIMPLAN_ERR_USAGE naming the
 * option, the value, what was wrong with it and the allowed range. */
static simplan_status count_option(const char *opt, const char *arg,
                                   uint64_t lo, uint64_t hi, const char *range,
                                   uint64_t *out, simplan_error *err)
{
    switch (parse_count(arg, lo, hi, out)) {
    case SIMPLAN_COUNT_OK:
        return SIMPLAN_OK;
    case SIMPLAN_COUNT_FRACTION:
        return cli_error(err, SIMPLAN_ERR_USAGE, NULL, 0, opt,
                         "invalid value '%s': not an integer; expected "
                         "an integer %s",
                         arg, range);
    case SIMPLAN_COUNT_RANGE:
        return cli_error(err, SIMPLAN_ERR_USAGE, NULL, 0, opt,
                         "invalid value '%s': out of range; expected an "
                         "integer %s",
                         arg, range);
    case SIMPLAN_COUNT_SYNTAX:
        break;
    }
    return cli_error(err, SIMPLAN_ERR_USAGE, NULL, 0, opt,
                     "invalid value '%s'; expected an integer %s (digits, "
                     "or scientific notation such as 1e6)",
                     arg, range);
}

static simplan_status bad_value(simplan_error *err, const char *opt,
                                const char *value, const char *allowed)
{
    return cli_error(err, SIMPLAN_ERR_USAGE, NULL, 0, opt,
                     "invalid value '%s'; expected %s", value, allowed);
}

/* Every option value while parsing, before each command gets its own
 * (cli_command_line). */
typedef struct {
    cli_command command;
    const char *scenario;
    uint64_t draws;
    bool has_seed;
    uint64_t seed;
    int threads;
    const char *rng;
    const char *vr;
    cli_format format;
    bool quiet;
    const char *out;
    uint32_t slice, slices;
    const char *resume;
    double checkpoint;
    double precision;
    long param_sets;
    char **parts;
    int n_parts;
    int jobs;
    const char *target;
    double prob;
    const char *vary[2];
    int n_vary;
    bool has_range;
    double range_lo, range_hi;
    double tol;
    bool collect;
    bool force;
    bool plots;
    bool has_marginal;
    const char *marginal;
} cli_options;

simplan_status cli_error(simplan_error *err, simplan_status status,
                         const char *file, int line, const char *field,
                         const char *fmt, ...)
{
    if (err == NULL)
        return status;
    simplan_error_clear(err);
    err->status = status;
    snprintf(err->file, sizeof err->file, "%s", file ? file : "");
    err->line = line;
    snprintf(err->field, sizeof err->field, "%s", field ? field : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return status;
}

bool cli_has_feature(const char *name)
{
    char on[64];
    snprintf(on, sizeof on, "%s on", name);
    return strstr(simplan_features(), on) != NULL;
}

/* --format json: only in a build with jansson; every command refuses it
 * otherwise, before any work, with the message of the JSON writer. */
static simplan_status json_format(cli_options *opt, simplan_error *err)
{
    if (!cli_has_feature("json"))
        return cli_error(err, SIMPLAN_ERR_UNSUPPORTED, NULL, 0, "--format",
                         "this simplan was built without JSON support "
                         "(configure with -DSIMPLAN_JSON=ON and jansson)");
    opt->format = CLI_FORMAT_JSON;
    return SIMPLAN_OK;
}

/* --slice K/N: two counts with 1 <= K <= N <= 1000000. */
static simplan_status parse_slice(const char *arg, cli_options *opt,
                                  simplan_error *err)
{
    char k_text[32], n_text[32];
    const char *slash = strchr(arg, '/');
    uint64_t k = 0, n = 0;
    bool ok = slash != NULL && (size_t)(slash - arg) < sizeof k_text &&
              strlen(slash + 1) < sizeof n_text;
    if (ok) {
        snprintf(k_text, sizeof k_text, "%.*s", (int)(slash - arg), arg);
        snprintf(n_text, sizeof n_text, "%s", slash + 1);
        ok = parse_count(k_text, 1, 1000000, &k) == SIMPLAN_COUNT_OK &&
             parse_count(n_text, 1, 1000000, &n) == SIMPLAN_COUNT_OK && k <= n;
    }
    if (!ok)
        return bad_value(err, "--slice", arg,
                         "K/N with 1 <= K <= N <= 1000000");
    opt->slice = (uint32_t)k;
    opt->slices = (uint32_t)n;
    return SIMPLAN_OK;
}

static simplan_status parse_option(int c, const char *arg, cli_options *opt,
                                   simplan_error *err)
{
    uint64_t v = 0;
    simplan_status st;
    switch (c) {
    case 'n':
        st = count_option("--draws", arg, 1, CLI_MAX_DRAWS, "1 .. 1e11", &v,
                          err);
        if (st == SIMPLAN_OK)
            opt->draws = v;
        return st;
    case 's':
        st = count_option("--seed", arg, 0, INT64_MAX, "0 .. 2^63-1", &v, err);
        if (st == SIMPLAN_OK) {
            opt->has_seed = true;
            opt->seed = v;
        }
        return st;
    case 't':
        st = count_option("--threads", arg, 1, 1024, "1 .. 1024", &v, err);
        if (st == SIMPLAN_OK)
            opt->threads = (int)v;
        return st;
    case 'r':
        if (*arg == '\0')
            return bad_value(err, "--rng", arg, "a generator name");
        opt->rng = arg;
        return SIMPLAN_OK;
    case 'Q':
        if (strcmp(arg, "none") != 0 && strcmp(arg, "rqmc") != 0 &&
            strcmp(arg, "antithetic") != 0)
            return bad_value(err, "--variance-reduction", arg,
                             "none, rqmc or antithetic");
        opt->vr = arg;
        return SIMPLAN_OK;
    case 'f':
        if (strcmp(arg, "table") == 0)
            opt->format = CLI_FORMAT_TABLE;
        else if (strcmp(arg, "csv") == 0)
            opt->format = CLI_FORMAT_CSV;
        else if (strcmp(arg, "json") == 0)
            return json_format(opt, err);
        else
            return bad_value(err, "--format", arg, "table, csv or json");
        return SIMPLAN_OK;
    case 'q':
        opt->quiet = true;
        return SIMPLAN_OK;
    case 'o':
        if (*arg == '\0')
            return bad_value(err, "--out", arg, "a directory");
        opt->out = arg;
        return SIMPLAN_OK;
    case 'F':
        opt->force = true;
        return SIMPLAN_OK;
    case 'P':
        opt->plots = false;
        return SIMPLAN_OK;
    case 'G':
        if (!cli_has_feature("plots"))
            return cli_error(err, SIMPLAN_ERR_UNSUPPORTED, NULL, 0, "--plots",
                             "this simplan was built without charts "
                             "(configure with -DSIMPLAN_PLOTS=ON and PLplot)");
        opt->plots = true;
        return SIMPLAN_OK;
    case 'K':
        return parse_slice(arg, opt, err);
    case 'R':
        if (*arg == '\0')
            return bad_value(err, "--resume", arg, "a result directory");
        opt->resume = arg;
        return SIMPLAN_OK;
    case 'E': {
        char *end;
        double eps = strtod(arg, &end);
        if (*arg == '\0' || *end != '\0' || !(eps > 0.0 && eps < 0.5))
            return bad_value(err, "--precision", arg,
                             "a half-width between 0 and 0.5");
        opt->precision = eps;
        return SIMPLAN_OK;
    }
    case 'U': {
        char *end;
        errno = 0;
        long k = strtol(arg, &end, 10);
        if (*arg == '\0' || *end != '\0' || errno != 0 || k < 0 || k > 100000)
            return bad_value(err, "--param-sets", arg,
                             "a whole number of parameter sets, 0 .. 100000");
        opt->param_sets = k == 0 ? -1 : k;
        return SIMPLAN_OK;
    }
    case 'T':
        opt->target = arg;
        return SIMPLAN_OK;
    case 'p': {
        char *end;
        double pr = strtod(arg, &end);
        if (*arg == '\0' || *end != '\0' || !(pr > 0.0 && pr < 1.0))
            return bad_value(err, "--prob", arg, "a probability in (0, 1)");
        opt->prob = pr;
        return SIMPLAN_OK;
    }
    case 'V':
        if (opt->n_vary == 2)
            return bad_value(err, "--vary", arg, "at most two levers");
        opt->vary[opt->n_vary++] = arg;
        return SIMPLAN_OK;
    case 'A': {
        char extra;
        if (sscanf(arg, "%lf:%lf%c", &opt->range_lo, &opt->range_hi, &extra) !=
                2 ||
            !(opt->range_lo < opt->range_hi))
            return bad_value(err, "--range", arg, "LO:HI with LO < HI");
        opt->has_range = true;
        return SIMPLAN_OK;
    }
    case 'X': {
        char *end;
        double tol = strtod(arg, &end);
        if (*arg == '\0' || *end != '\0' || !(tol > 0.0))
            return bad_value(err, "--tol", arg, "a positive number");
        opt->tol = tol;
        return SIMPLAN_OK;
    }
    case 'j':
        st = count_option("--jobs", arg, 1, 1024, "1 .. 1024", &v, err);
        if (st == SIMPLAN_OK)
            opt->jobs = (int)v;
        return st;
    case 'L':
        if (*arg == '\0')
            return bad_value(err, "--collect", arg, "a batch directory");
        opt->collect = true;
        opt->out = arg;
        return SIMPLAN_OK;
    case 'C': {
        char *end;
        double secs = strtod(arg, &end);
        if (*arg == '\0' || *end != '\0' || !(secs > 0.0 && secs <= 1e6))
            return bad_value(err, "--checkpoint", arg, "seconds, more than 0");
        opt->checkpoint = secs;
        return SIMPLAN_OK;
    }
    case 'm': {
        char names[256] = "";
        bool known = false;
        size_t n = simplan_family_count();
        for (size_t k = 0; k < n; k++) {
            size_t used = strlen(names);
            snprintf(names + used, sizeof names - used, "%s%s",
                     k == 0      ? ""
                     : k + 1 < n ? ", "
                                 : " or ",
                     simplan_family_name(k));
            known = known || strcmp(arg, simplan_family_name(k)) == 0;
        }
        if (!known)
            return bad_value(err, "--marginal", arg, names);
        opt->has_marginal = true;
        opt->marginal = arg;
        return SIMPLAN_OK;
    }
    default:
        return cli_error(err, SIMPLAN_ERR_USAGE, NULL, 0, NULL,
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
    {"variance-reduction", required_argument, NULL, 'Q'},
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
    {"param-sets", required_argument, NULL, 'U'},
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
static const char *accepted(cli_command command)
{
    switch (command) {
    case CLI_CMD_RUN:
        return "nstrfqoFPGKRCEUQh";
    case CLI_CMD_BENCH:
        return "nstrfmh";
    case CLI_CMD_MERGE:
        return "fqoFPGh";
    case CLI_CMD_BATCH:
        return "nstojLPFqh";
    case CLI_CMD_SOLVE:
    case CLI_CMD_SWEEP:
        return "nstrfqoFPTpVAXh";
    default:
        return "h";
    }
}

/* The getopt_long tables of a command: its long options, and its short
 * options with ':' after those taking a value. */
static void command_options(cli_command command, struct option *longopts,
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

static simplan_status parse_flat(int argc, char **argv, cli_options *opt,
                                 simplan_error *err)
{
    memset(opt, 0, sizeof *opt);
    opt->command = CLI_CMD_HELP;
    opt->plots = cli_has_feature("plots"); /* charts by default with --out */
    opt->checkpoint = 60.0;
    if (argc < 2)
        return cli_error(err, SIMPLAN_ERR_USAGE, NULL, 0, NULL,
                         "no command given; see simplan --help");
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 ||
        strcmp(cmd, "help") == 0)
        return SIMPLAN_OK;
    if (strcmp(cmd, "--version") == 0) {
        opt->command = CLI_CMD_VERSION;
        return SIMPLAN_OK;
    }
    if (strcmp(cmd, "run") == 0)
        opt->command = CLI_CMD_RUN;
    else if (strcmp(cmd, "check") == 0)
        opt->command = CLI_CMD_CHECK;
    else if (strcmp(cmd, "bench") == 0)
        opt->command = CLI_CMD_BENCH;
    else if (strcmp(cmd, "merge") == 0)
        opt->command = CLI_CMD_MERGE;
    else if (strcmp(cmd, "batch") == 0)
        opt->command = CLI_CMD_BATCH;
    else if (strcmp(cmd, "solve") == 0)
        opt->command = CLI_CMD_SOLVE;
    else if (strcmp(cmd, "sweep") == 0)
        opt->command = CLI_CMD_SWEEP;
    else
        return cli_error(err, SIMPLAN_ERR_USAGE, NULL, 0, NULL,
                         "unknown command '%s'; commands: run, check, "
                         "merge, batch, solve, sweep, bench, fit",
                         cmd);
    bool is_batch = opt->command == CLI_CMD_BATCH;
    bool is_bench = opt->command == CLI_CMD_BENCH;
    bool is_merge = opt->command == CLI_CMD_MERGE;
    struct option longopts[sizeof all_options / sizeof *all_options];
    char shortopts[64];
    command_options(opt->command, longopts, shortopts);
    /* getopt_long sees the command as its argv[0]; optind = 0 makes it
     * start afresh on every call (glibc), so cli_parse can be called
     * again on another argv. */
    int nargs = argc - 1;
    char **args = argv + 1;
    optind = 0;
    opterr = 0;
    int c;
    while ((c = getopt_long(nargs, args, shortopts, longopts, NULL)) != -1) {
        if (c == 'h') {
            opt->command = CLI_CMD_HELP;
            return SIMPLAN_OK;
        }
        if (c == ':')
            return cli_error(err, SIMPLAN_ERR_USAGE, NULL, 0, args[optind - 1],
                             "missing value; see simplan --help");
        if (c == '?')
            return cli_error(err, SIMPLAN_ERR_USAGE, NULL, 0, args[optind - 1],
                             "unknown option for '%s'; see simplan --help",
                             cmd);
        simplan_status st = parse_option(c, optarg, opt, err);
        if (st != SIMPLAN_OK)
            return st;
    }
    optind += 1; /* an index into argv again */
    if (opt->command == CLI_CMD_SOLVE &&
        (opt->target == NULL || opt->prob == 0.0 || opt->n_vary != 1))
        return cli_error(err, SIMPLAN_ERR_USAGE, NULL, 0, NULL,
                         "solve needs --target ID, --prob P and one "
                         "--vary PATH");
    if (opt->command == CLI_CMD_SWEEP && opt->n_vary == 0)
        return cli_error(err, SIMPLAN_ERR_USAGE, NULL, 0, "--vary",
                         "sweep needs one or two --vary "
                         "PATH=FROM:TO:STEPS");
    if (is_batch) {
        if (opt->out == NULL)
            return cli_error(err, SIMPLAN_ERR_USAGE, NULL, 0, "--out",
                             "batch needs --out DIR (or --collect DIR)");
        if (!opt->collect && optind == argc)
            return cli_error(err, SIMPLAN_ERR_USAGE, NULL, 0, NULL,
                             "no scenario files given to batch");
        opt->parts = argv + optind;
        opt->n_parts = argc - optind;
        return SIMPLAN_OK;
    }
    if (is_merge) {
        if (optind == argc)
            return cli_error(err, SIMPLAN_ERR_USAGE, NULL, 0, NULL,
                             "no state files given to merge");
        opt->parts = argv + optind;
        opt->n_parts = argc - optind;
        return SIMPLAN_OK;
    }
    if (opt->precision > 0 && (opt->slices > 0 || opt->resume != NULL))
        return cli_error(err, SIMPLAN_ERR_USAGE, NULL, 0, "--precision",
                         "not with --slice or --resume");
    if (opt->slices > 0 && opt->out == NULL && opt->resume == NULL)
        return cli_error(err, SIMPLAN_ERR_USAGE, NULL, 0, "--slice",
                         "a slice needs --out DIR (or --resume DIR) for "
                         "its state file");
    if (is_bench && optind == argc)
        return SIMPLAN_OK; /* the shipped baseline: simplan_default_scenario */
    if (optind != argc - 1)
        return cli_error(err, SIMPLAN_ERR_USAGE, NULL, 0, NULL,
                         optind >= argc ? "no scenario file given"
                                        : "exactly one scenario file is "
                                          "expected");
    opt->scenario = argv[optind];
    return SIMPLAN_OK;
}

/* What each command takes from the parsed values. */
static void project(const cli_options *f, cli_command_line *cl)
{
    cli_sim_options sim = {f->draws,   f->has_seed, f->seed,
                           f->threads, f->rng,      f->vr};
    cli_out_options out = {f->out, f->force, f->plots};
    memset(cl, 0, sizeof *cl);
    cl->command = f->command;
    cl->scenario = f->scenario;
    switch (f->command) {
    case CLI_CMD_RUN:
    case CLI_CMD_CHECK:
        cl->as.run = (cli_run_options){.sim = sim,
                                       .out = out,
                                       .format = f->format,
                                       .quiet = f->quiet,
                                       .slice = f->slice,
                                       .slices = f->slices,
                                       .resume = f->resume,
                                       .checkpoint = f->checkpoint,
                                       .precision = f->precision,
                                       .param_sets = f->param_sets};
        break;
    case CLI_CMD_SOLVE:
    case CLI_CMD_SWEEP:
        cl->as.decide = (cli_decide_options){.sim = sim,
                                             .out = out,
                                             .format = f->format,
                                             .target = f->target,
                                             .prob = f->prob,
                                             .vary = {f->vary[0], f->vary[1]},
                                             .n_vary = f->n_vary,
                                             .has_range = f->has_range,
                                             .range_lo = f->range_lo,
                                             .range_hi = f->range_hi,
                                             .tol = f->tol};
        break;
    case CLI_CMD_MERGE:
        cl->as.merge = (cli_merge_options){.out = out,
                                           .format = f->format,
                                           .parts = f->parts,
                                           .n_parts = f->n_parts};
        break;
    case CLI_CMD_BATCH:
        cl->as.batch = (cli_batch_options){.sim = sim,
                                           .out = out,
                                           .quiet = f->quiet,
                                           .scenarios = f->parts,
                                           .n_scenarios = f->n_parts,
                                           .jobs = f->jobs,
                                           .collect = f->collect};
        break;
    case CLI_CMD_BENCH:
        cl->as.bench = (cli_bench_options){.sim = sim,
                                           .format = f->format,
                                           .has_marginal = f->has_marginal,
                                           .marginal = f->marginal};
        break;
    case CLI_CMD_HELP:
    case CLI_CMD_VERSION:
        break;
    }
}

simplan_status cli_parse(int argc, char **argv, cli_command_line *cl,
                         simplan_error *err)
{
    cli_options f;
    simplan_status st = parse_flat(argc, argv, &f, err);
    project(&f, cl);
    return st;
}
