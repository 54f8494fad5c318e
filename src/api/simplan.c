/*
 * simplan.c: the public C interface (include/simplan.h) over the layers
 * below: scenarios (src/input), runs and states (src/engine), reports and
 * result directories (src/output), and the computations of solve, sweep
 * and merge (src/cmd).
 *
 * Every object owns what it points to: a result keeps its own copy of the
 * scenario it ran, the compiled model, the numbers and the state, so that
 * it outlives the scenario it came from and can be saved, written or
 * merged later.
 */
#define _POSIX_C_SOURCE          200809L
#define SIMPLAN_BUILDING_LIBRARY 1
#include "simplan.h"

#include <gsl/gsl_errno.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sp_backtest.h"
#include "sp_backtest_report.h"
#include "sp_bench.h"
#include "sp_bench_report.h"
#include "sp_calib.h"
#include "sp_calib_report.h"
#include "sp_cmd_backtest.h"
#include "sp_compare.h"
#include "sp_compile.h"
#include "sp_config.h"
#include "sp_count.h"
#include "sp_data.h"
#include "sp_decision.h"
#include "sp_decide.h"
#include "sp_finish.h"
#include "sp_lever.h"
#include "sp_marginal.h"
#include "sp_mc.h"
#include "sp_mpi.h"
#include "sp_plans.h"
#include "sp_output.h"
#include "sp_report.h"
#include "sp_result.h"
#include "sp_rng.h"
#include "sp_run.h"
#include "sp_scenario.h"
#include "sp_stop.h"
#include "sp_state.h"
#include "sp_status.h"

/* The public codes are the internal ones, value for value. */
#define SAME_STATUS(x)                                                         \
    _Static_assert((int)SP_##x == (int)SIMPLAN_##x, "status " #x)
SAME_STATUS(OK);
SAME_STATUS(ERR_USAGE);
SAME_STATUS(ERR_SYNTAX);
SAME_STATUS(ERR_TYPE);
SAME_STATUS(ERR_MISSING);
SAME_STATUS(ERR_UNKNOWN_KEY);
SAME_STATUS(ERR_RANGE);
SAME_STATUS(ERR_DUPLICATE);
SAME_STATUS(ERR_REFERENCE);
SAME_STATUS(ERR_PERIODS);
SAME_STATUS(ERR_FORMULA);
SAME_STATUS(ERR_CYCLE);
SAME_STATUS(ERR_CORRELATION);
SAME_STATUS(ERR_LIMIT);
SAME_STATUS(ERR_BASE_VALUE);
SAME_STATUS(ERR_IO);
SAME_STATUS(ERR_NOMEM);
SAME_STATUS(ERR_NUMERIC);
SAME_STATUS(ERR_UNSUPPORTED);
SAME_STATUS(ERR_CANCELLED);
_Static_assert(SP_STATUS_COUNT == SIMPLAN_ERR_CANCELLED + 1,
               "every status is public");
_Static_assert(sizeof(((simplan_error *)0)->file) ==
                       sizeof(((sp_error *)0)->file) &&
                   sizeof(((simplan_error *)0)->field) ==
                       sizeof(((sp_error *)0)->field) &&
                   sizeof(((simplan_error *)0)->message) ==
                       sizeof(((sp_error *)0)->message),
               "the error records hold the same strings");

/* ---- errors ------------------------------------------------------------- */

/* Copies an internal error record into the caller's (if any) and returns
 * its status. */
static simplan_status give(const sp_error *e, simplan_error *err)
{
    if (err != NULL) {
        err->status = (simplan_status)e->status;
        memcpy(err->file, e->file, sizeof err->file);
        err->line = e->line;
        memcpy(err->field, e->field, sizeof err->field);
        memcpy(err->message, e->message, sizeof err->message);
    }
    return (simplan_status)e->status;
}

/* Fills the caller's record directly: give(sp_error_set(...)). */
#define FAIL(err, status, field, ...)                                          \
    fail_with((err), (status), (field), __VA_ARGS__)

__attribute__((format(printf, 4, 5))) static simplan_status
fail_with(simplan_error *err, sp_status status, const char *field,
          const char *fmt, ...)
{
    sp_error e;
    sp_error_clear(&e);
    e.status = status;
    if (field != NULL)
        snprintf(e.field, sizeof e.field, "%s", field);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e.message, sizeof e.message, fmt, ap);
    va_end(ap);
    return give(&e, err);
}

void simplan_error_clear(simplan_error *err)
{
    if (err != NULL)
        memset(err, 0, sizeof *err);
}

const char *simplan_strerror(simplan_status status)
{
    return sp_strerror((sp_status)status);
}

const char *simplan_status_name(simplan_status status)
{
    static const char *const names[] = {
        "SIMPLAN_OK",
        "SIMPLAN_ERR_USAGE",
        "SIMPLAN_ERR_SYNTAX",
        "SIMPLAN_ERR_TYPE",
        "SIMPLAN_ERR_MISSING",
        "SIMPLAN_ERR_UNKNOWN_KEY",
        "SIMPLAN_ERR_RANGE",
        "SIMPLAN_ERR_DUPLICATE",
        "SIMPLAN_ERR_REFERENCE",
        "SIMPLAN_ERR_PERIODS",
        "SIMPLAN_ERR_FORMULA",
        "SIMPLAN_ERR_CYCLE",
        "SIMPLAN_ERR_CORRELATION",
        "SIMPLAN_ERR_LIMIT",
        "SIMPLAN_ERR_BASE_VALUE",
        "SIMPLAN_ERR_IO",
        "SIMPLAN_ERR_NOMEM",
        "SIMPLAN_ERR_NUMERIC",
        "SIMPLAN_ERR_UNSUPPORTED",
        "SIMPLAN_ERR_CANCELLED",
    };
    _Static_assert(sizeof names / sizeof names[0] == SP_STATUS_COUNT,
                   "a name per status");
    if ((int)status < 0 || (int)status >= SP_STATUS_COUNT)
        return "SIMPLAN_UNKNOWN_STATUS";
    return names[status];
}

int simplan_exit_code(simplan_status status)
{
    return sp_status_exit_code((sp_status)status);
}

int simplan_error_format(const simplan_error *err, char *buf, size_t size)
{
    char where[300] = "";
    if (err->file[0] != '\0' && err->line > 0)
        snprintf(where, sizeof where, "%s:%d: ", err->file, err->line);
    else if (err->file[0] != '\0')
        snprintf(where, sizeof where, "%s: ", err->file);
    char field[170] = "";
    if (err->field[0] != '\0')
        snprintf(field, sizeof field, "%s: ", err->field);
    return snprintf(buf, size, "%serror: %s%s (%s)", where, field, err->message,
                    simplan_strerror(err->status));
}

/* ---- the library -------------------------------------------------------- */

static pthread_once_t gsl_once = PTHREAD_ONCE_INIT;

static void gsl_handler_off(void)
{
    gsl_set_error_handler_off();
}

/* Every entry point that can reach GSL calls this first. */
static void library_init(void)
{
    pthread_once(&gsl_once, gsl_handler_off);
}

const char *simplan_version(void)
{
    return SIMPLAN_VERSION;
}

const char *simplan_features(void)
{
    return "openmp "
#ifdef _OPENMP
           "on"
#else
           "off"
#endif
           ", json "
#ifdef SIMPLAN_HAVE_JSON
           "on"
#else
           "off"
#endif
           ", plots "
#ifdef SIMPLAN_HAVE_PLOTS
           "on"
#else
           "off"
#endif
           ", mpi "
#ifdef SIMPLAN_HAVE_MPI
           "on";
#else
           "off";
#endif
}

void simplan_free(void *p)
{
    free(p);
}

/* ---- scenarios ---------------------------------------------------------- */

struct simplan_scenario {
    sp_scenario sc;
};

static simplan_status new_scenario(simplan_scenario **out, simplan_error *err)
{
    *out = calloc(1, sizeof **out);
    return *out ? SIMPLAN_OK
                : FAIL(err, SP_ERR_NOMEM, NULL, "out of memory for a scenario");
}

/* Loads text (with its #@set lines) as the scenario `name` into *out. */
static simplan_status scenario_of_text(const char *name, const char *text,
                                       simplan_scenario **out,
                                       simplan_error *err)
{
    simplan_scenario *s;
    simplan_status st = new_scenario(&s, err);
    if (st != SIMPLAN_OK)
        return st;
    sp_error e;
    sp_error_clear(&e);
    if (sp_config_load_text(name, text, &s->sc, &e) != SP_OK) {
        free(s);
        return give(&e, err);
    }
    *out = s;
    return SIMPLAN_OK;
}

simplan_status simplan_scenario_load(const char *path, simplan_scenario **out,
                                     simplan_error *err)
{
    library_init();
    if (out == NULL || path == NULL)
        return FAIL(err, SP_ERR_USAGE, NULL, "path and out must not be NULL");
    *out = NULL;
    simplan_scenario *s;
    simplan_status st = new_scenario(&s, err);
    if (st != SIMPLAN_OK)
        return st;
    sp_error e;
    sp_error_clear(&e);
    if (sp_config_load(path, &s->sc, &e) != SP_OK) {
        free(s);
        return give(&e, err);
    }
    *out = s;
    return SIMPLAN_OK;
}

simplan_status simplan_scenario_from_string(const char *text, const char *name,
                                            simplan_scenario **out,
                                            simplan_error *err)
{
    library_init();
    if (out == NULL || text == NULL)
        return FAIL(err, SP_ERR_USAGE, NULL, "text and out must not be NULL");
    *out = NULL;
    return scenario_of_text(name ? name : "<string>", text, out, err);
}

simplan_status simplan_scenario_copy(const simplan_scenario *sc,
                                     simplan_scenario **out, simplan_error *err)
{
    if (out == NULL || sc == NULL)
        return FAIL(err, SP_ERR_USAGE, NULL,
                    "scenario and out must not be NULL");
    *out = NULL;
    return scenario_of_text(sc->sc.file, sc->sc.text, out, err);
}

void simplan_scenario_free(simplan_scenario *sc)
{
    if (sc == NULL)
        return;
    sp_scenario_destroy(&sc->sc);
    free(sc);
}

simplan_status simplan_scenario_set(simplan_scenario *sc, const char *path,
                                    double value, simplan_error *err)
{
    if (sc == NULL || path == NULL)
        return FAIL(err, SP_ERR_USAGE, NULL,
                    "scenario and path must not be NULL");
    if (strchr(path, '\n') != NULL || strlen(path) >= SP_LEVER_PATH)
        return FAIL(err, SP_ERR_USAGE, path,
                    "not a field path of this scenario");
    /* Checked on the scenario itself first, so that the error names the
     * field (not the line the change would take). */
    sp_error e;
    sp_error_clear(&e);
    double old;
    if (sp_lever_get(&sc->sc, path, &old, &e) != SP_OK)
        return give(&e, err);
    if (sp_lever_set(&sc->sc, path, value, sc->sc.file, 0, &e) != SP_OK)
        return give(&e, err);
    if (sp_lever_set(&sc->sc, path, old, NULL, 0, &e) != SP_OK)
        return give(&e, err);
    /* The change becomes a line of the text: loading it again gives the
     * changed scenario, its digest and what state files record. */
    size_t len = sc->sc.text_len;
    bool newline = len == 0 || sc->sc.text[len - 1] == '\n';
    size_t size = len + strlen(path) + 64;
    char *text = malloc(size);
    if (text == NULL)
        return FAIL(err, SP_ERR_NOMEM, NULL, "out of memory");
    snprintf(text, size, "%s%s" SP_LEVER_SET_PREFIX "%s = %.17g\n", sc->sc.text,
             newline ? "" : "\n", path, value);
    simplan_scenario *changed = NULL;
    simplan_status st = scenario_of_text(sc->sc.file, text, &changed, err);
    free(text);
    if (st != SIMPLAN_OK || changed == NULL)
        return st;
    sp_scenario_destroy(&sc->sc);
    sc->sc = changed->sc;
    free(changed);
    return SIMPLAN_OK;
}

simplan_status simplan_scenario_get(const simplan_scenario *sc,
                                    const char *path, double *value,
                                    simplan_error *err)
{
    if (sc == NULL || path == NULL || value == NULL)
        return FAIL(err, SP_ERR_USAGE, NULL,
                    "scenario, path and value must not be NULL");
    sp_error e;
    sp_error_clear(&e);
    return sp_lever_get(&sc->sc, path, value, &e) == SP_OK ? SIMPLAN_OK
                                                           : give(&e, err);
}

simplan_status simplan_scenario_check(const simplan_scenario *sc,
                                      simplan_error *err)
{
    library_init();
    if (sc == NULL)
        return FAIL(err, SP_ERR_USAGE, NULL, "scenario must not be NULL");
    sp_compiled c = {0};
    sp_error e;
    sp_error_clear(&e);
    sp_status st = sp_compile(&sc->sc, &c, &e);
    sp_compiled_destroy(&c);
    return st == SP_OK ? SIMPLAN_OK : give(&e, err);
}

/* Runs `write` into a new string through a memory stream. */
typedef sp_status (*stream_fn)(FILE *out, const void *ctx, sp_error *err);

static simplan_status to_string(stream_fn write, const void *ctx, char **text,
                                size_t *len, simplan_error *err)
{
    if (text == NULL)
        return FAIL(err, SP_ERR_USAGE, NULL, "text must not be NULL");
    *text = NULL;
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    if (f == NULL)
        return FAIL(err, SP_ERR_NOMEM, NULL, "out of memory for a string");
    sp_error e;
    sp_error_clear(&e);
    sp_status st = write(f, ctx, &e);
    if (fclose(f) != 0 && st == SP_OK)
        st = sp_error_set(&e, SP_ERR_NOMEM, NULL, 0, NULL,
                          "out of memory for a string");
    if (st != SP_OK) {
        free(buf);
        return give(&e, err);
    }
    *text = buf;
    if (len != NULL)
        *len = n;
    return SIMPLAN_OK;
}

static sp_status write_check(FILE *out, const void *ctx, sp_error *err)
{
    const sp_scenario *sc = ctx;
    sp_compiled c = {0};
    sp_status st = sp_compile(sc, &c, err);
    if (st == SP_OK)
        st = sp_report_check(out, sc, &c, err);
    sp_compiled_destroy(&c);
    return st;
}

simplan_status simplan_scenario_describe(const simplan_scenario *sc,
                                         char **text, simplan_error *err)
{
    library_init();
    if (sc == NULL)
        return FAIL(err, SP_ERR_USAGE, NULL, "scenario must not be NULL");
    return to_string(write_check, &sc->sc, text, NULL, err);
}

const char *simplan_scenario_name(const simplan_scenario *sc)
{
    return sc ? sc->sc.name : NULL;
}

const char *simplan_scenario_file(const simplan_scenario *sc)
{
    return sc ? sc->sc.file : NULL;
}

const char *simplan_scenario_sha256(const simplan_scenario *sc)
{
    return sc ? sc->sc.sha256 : NULL;
}

int simplan_scenario_base_year(const simplan_scenario *sc)
{
    return sc ? sc->sc.base_year : 0;
}

int simplan_scenario_horizon(const simplan_scenario *sc)
{
    return sc ? sc->sc.horizon : 0;
}

size_t simplan_scenario_n_targets(const simplan_scenario *sc)
{
    return sc ? sc->sc.n_targets : 0;
}

const char *simplan_scenario_target_id(const simplan_scenario *sc, size_t k)
{
    return sc && k < sc->sc.n_targets ? sc->sc.targets[k].id : NULL;
}

size_t simplan_scenario_n_indicators(const simplan_scenario *sc)
{
    return sc ? sc->sc.n_indicators : 0;
}

const char *simplan_scenario_indicator_name(const simplan_scenario *sc,
                                            size_t i)
{
    return sc && i < sc->sc.n_indicators ? sc->sc.indicators[i].name : NULL;
}

/* ---- stopping ----------------------------------------------------------- */

struct simplan_cancel {
    atomic_int flag; /* 0, or SP_STOP_CANCEL */
};

simplan_cancel *simplan_cancel_new(void)
{
    simplan_cancel *c = malloc(sizeof *c);
    if (c != NULL)
        atomic_init(&c->flag, 0);
    return c;
}

void simplan_cancel_free(simplan_cancel *c)
{
    free(c);
}

void simplan_cancel_request(simplan_cancel *c)
{
    if (c != NULL)
        atomic_store(&c->flag, SP_STOP_CANCEL);
}

int simplan_cancel_requested(const simplan_cancel *c)
{
    return c != NULL && atomic_load(&c->flag) != 0;
}

void simplan_cancel_request_signal(simplan_cancel *c, int sig)
{
    if (c != NULL)
        atomic_store(&c->flag, sig > 0 ? sig : SP_STOP_CANCEL);
}

void simplan_cancel_reset(simplan_cancel *c)
{
    if (c != NULL)
        atomic_store(&c->flag, 0);
}

/* ---- run options -------------------------------------------------------- */

void simplan_run_options_init(simplan_run_options *opt)
{
    if (opt != NULL)
        memset(opt, 0, sizeof *opt);
}

/* The options as the commands' simulation settings, after checking each
 * against what the command line allows; errors name the option's field. */
static simplan_status sim_options(const simplan_run_options *opt,
                                  sp_sim_options *sim, simplan_error *err)
{
    simplan_run_options none;
    simplan_run_options_init(&none);
    if (opt == NULL)
        opt = &none;
    if (opt->draws > SP_MAX_DRAWS)
        return FAIL(err, SP_ERR_USAGE, "draws",
                    "%llu draws: expected 1 .. 1e11 (0: the scenario's)",
                    (unsigned long long)opt->draws);
    if (opt->threads < 0 || opt->threads > 1024)
        return FAIL(err, SP_ERR_USAGE, "threads",
                    "%d threads: expected 1 .. 1024 (0: all cores)",
                    opt->threads);
    if (!(opt->precision == 0.0 ||
          (opt->precision > 0.0 && opt->precision < 0.5)))
        return FAIL(err, SP_ERR_USAGE, "precision",
                    "%g: expected a half-width between 0 and 0.5 (0: none)",
                    opt->precision);
    if (opt->param_sets < -1 || opt->param_sets > 100000)
        return FAIL(err, SP_ERR_USAGE, "param_sets",
                    "%ld: expected 1 .. 100000 parameter sets (0: the "
                    "default, -1: none)",
                    opt->param_sets);
    *sim = (sp_sim_options){
        .draws = opt->draws,
        .has_seed = opt->has_seed != 0,
        .seed = opt->seed,
        .threads = opt->threads,
        .rng = opt->rng,
        .vr = opt->variance_reduction,
        .stop = opt->cancel ? &opt->cancel->flag : NULL,
    };
    return SIMPLAN_OK;
}

/* An internal error whose field is a command-line option, with the field
 * renamed to the member of the option structure (or the parameter) that
 * sets it: `dir` names the output directory's. */
static simplan_status give_option_error(sp_error *e, const char *dir,
                                        simplan_error *err)
{
    static const char *const names[][2] = {
        {"--rng", "rng"},
        {"--variance-reduction", "variance_reduction"},
        {"--draws", "draws"},
        {"--seed", "seed"},
        {"--threads", "threads"},
        {"--force", "force"},
        {"--plots", "plots"},
        {"--resume", "resume"},
        {"--slice", "slice"},
        {"--precision", "precision"},
        {"--target", "target"},
        {"--range", "range"},
        {"--vary", "lever"},
    };
    if (strcmp(e->field, "--out") == 0)
        snprintf(e->field, sizeof e->field, "%s", dir);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(e->field, names[i][0]) == 0)
            snprintf(e->field, sizeof e->field, "%s", names[i][1]);
    return give(e, err);
}

static simplan_status give_run_error(sp_error *e, simplan_error *err)
{
    return give_option_error(e, "out_dir", err);
}

static simplan_status give_save_error(sp_error *e, simplan_error *err)
{
    return give_option_error(e, "dir", err);
}

/* ---- results ------------------------------------------------------------ */

struct simplan_result {
    simplan_scenario *scen; /* the scenario it ran (owned) */
    sp_compiled c;
    sp_result res;
    sp_state *state;
    char rng[64];
    sp_finish f;  /* borrows the fields above */
    sp_report rp; /* the writers' view, from f */
    bool slice;   /* a slice: the state of blocks [first, end) */
    uint64_t first, end;
    char chart_warning[512];     /* "" unless out_dir's charts failed */
    char precision_warning[200]; /* "" unless --precision was not met */
    char *command_line;          /* for summary.json, or NULL */
    /* Strings the accessors hand out: */
    char **failure;      /* [n_targets] box sentences */
    char ***driver_name; /* [n_targets][n_drivers] */
};

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void simplan_result_free(simplan_result *r)
{
    if (r == NULL)
        return;
    for (size_t k = 0; k < r->res.n_targets; k++) {
        if (r->failure != NULL)
            free(r->failure[k]);
        for (size_t j = 0;
             r->driver_name != NULL && r->driver_name[k] != NULL &&
             j < r->res.targets[k].n_drivers;
             j++)
            free(r->driver_name[k][j]);
        if (r->driver_name != NULL)
            free(r->driver_name[k]);
    }
    free(r->failure);
    free(r->driver_name);
    free(r->command_line);
    sp_result_destroy(&r->res);
    sp_compiled_destroy(&r->c);
    sp_state_free(r->state);
    simplan_scenario_free(r->scen);
    free(r);
}

/* The sentences and names the accessors return, made once. */
static sp_status result_strings(simplan_result *r, sp_error *e)
{
    size_t nt = r->res.n_targets;
    r->failure = calloc(nt ? nt : 1, sizeof *r->failure);
    r->driver_name = calloc(nt ? nt : 1, sizeof *r->driver_name);
    if (r->failure == NULL || r->driver_name == NULL)
        return sp_error_set(e, SP_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    for (size_t k = 0; k < nt; k++) {
        char buf[1024];
        sp_report_box_text(&r->rp, k, buf, sizeof buf);
        r->failure[k] = strdup(buf);
        size_t nd = r->res.targets[k].n_drivers;
        r->driver_name[k] = calloc(nd ? nd : 1, sizeof *r->driver_name[k]);
        if (r->failure[k] == NULL || r->driver_name[k] == NULL)
            return sp_error_set(e, SP_ERR_NOMEM, NULL, 0, NULL,
                                "out of memory");
        for (size_t j = 0; j < nd; j++) {
            sp_report_input_name(&r->rp, r->res.targets[k].drivers[j].input,
                                 buf, sizeof buf);
            r->driver_name[k][j] = strdup(buf);
            if (r->driver_name[k][j] == NULL)
                return sp_error_set(e, SP_ERR_NOMEM, NULL, 0, NULL,
                                    "out of memory");
        }
    }
    return SP_OK;
}

/* A new result for (a copy of) scenario text `name`/`text`, compiled. */
static sp_status result_begin(const char *name, const char *text,
                              simplan_result **out, sp_error *e)
{
    simplan_result *r = calloc(1, sizeof *r);
    if (r == NULL)
        return sp_error_set(e, SP_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    *out = r;
    r->scen = calloc(1, sizeof *r->scen);
    if (r->scen == NULL)
        return sp_error_set(e, SP_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    sp_status st = sp_config_load_text(name, text, &r->scen->sc, e);
    if (st != SP_OK) {
        free(r->scen);
        r->scen = NULL;
        return st;
    }
    return sp_compile(&r->scen->sc, &r->c, e);
}

/* Points the report's settings at the result's own fields. */
static void result_point(simplan_result *r)
{
    r->f.sc = &r->scen->sc;
    r->f.c = &r->c;
    r->f.res = &r->res;
    r->f.rng = r->rng;
    r->f.state = r->state;
    r->f.command_line = r->command_line;
}

/* The writers' view, the warnings and the accessors' strings of a
 * result whose analyses have run. */
static sp_status result_ready(simplan_result *r, sp_error *e)
{
    result_point(r);
    r->rp = sp_finish_plain_report(&r->f);
    sp_report_precision_warning(&r->rp, r->precision_warning,
                                sizeof r->precision_warning);
    return result_strings(r, e);
}

/* The public run options as the command's (checked by sim_options). */
static simplan_status run_options(const simplan_run_options *opt,
                                  sp_run_options *ro, simplan_error *err)
{
    memset(ro, 0, sizeof *ro);
    simplan_status st = sim_options(opt, &ro->sim, err);
    if (st != SIMPLAN_OK || opt == NULL) {
        ro->checkpoint = 60.0;
        return st;
    }
    bool slice = opt->slice != 0 || opt->slices != 0;
    if (slice && !(opt->slice >= 1 && opt->slice <= opt->slices &&
                   opt->slices <= 1000000))
        return FAIL(err, SP_ERR_USAGE, "slice",
                    "slice %u of %u: expected 1 <= slice <= slices <= 1e6",
                    opt->slice, opt->slices);
    if (slice && opt->out_dir == NULL && opt->resume == NULL)
        return FAIL(err, SP_ERR_USAGE, "slice",
                    "a slice needs out_dir (or resume) for its state");
    if (opt->precision > 0 && (slice || opt->resume != NULL))
        return FAIL(err, SP_ERR_USAGE, "precision", "not with slice or resume");
    if (!(opt->checkpoint >= 0.0) || !isfinite(opt->checkpoint))
        return FAIL(err, SP_ERR_USAGE, "checkpoint",
                    "%g: expected seconds, more than 0 (0: 60)",
                    opt->checkpoint);
#ifndef SIMPLAN_HAVE_PLOTS
    if (opt->plots && opt->out_dir != NULL)
        return FAIL(err, SP_ERR_UNSUPPORTED, "plots",
                    "this build has no charts (PLplot)");
#endif
    ro->out = (sp_out_options){opt->out_dir, opt->force != 0, opt->plots != 0};
    ro->slice = opt->slice;
    ro->slices = opt->slices;
    ro->resume = opt->resume;
    ro->checkpoint = opt->checkpoint > 0 ? opt->checkpoint : 60.0;
    ro->precision = opt->precision;
    ro->param_sets = opt->param_sets;
    ro->progress = opt->progress;
    ro->progress_ctx = opt->progress_ctx;
    ro->command_line = opt->command_line;
    return SIMPLAN_OK;
}

simplan_status simplan_run(const simplan_scenario *sc,
                           const simplan_run_options *opt, simplan_result **out,
                           simplan_error *err)
{
    library_init();
    if (sc == NULL || out == NULL)
        return FAIL(err, SP_ERR_USAGE, NULL,
                    "scenario and out must not be NULL");
    *out = NULL;
    sp_run_options ro;
    simplan_status pst = run_options(opt, &ro, err);
    if (pst != SIMPLAN_OK)
        return pst;
    sp_error e;
    sp_error_clear(&e);
    simplan_result *r = NULL;
    sp_status st = result_begin(sc->sc.file, sc->sc.text, &r, &e);
    if (st == SP_OK && opt != NULL && opt->command_line != NULL) {
        r->command_line = strdup(opt->command_line);
        if (r->command_line == NULL)
            st = sp_error_set(&e, SP_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    }
    sp_run_outcome o;
    if (st == SP_OK)
        st = sp_run_execute(&ro, &r->scen->sc, &r->c, &o, &e);
    if (st == SP_OK) {
        /* The outcome's numbers and state become the result's. */
        r->res = o.res;
        memset(&o.res, 0, sizeof o.res);
        r->state = o.state;
        o.state = NULL;
        r->f = o.f;
        snprintf(r->rng, sizeof r->rng, "%s", o.rng);
        snprintf(r->chart_warning, sizeof r->chart_warning, "%s",
                 o.chart_warning);
        r->slice = o.slice;
        r->first = o.first;
        r->end = o.end;
        bool mine = o.have_result || o.slice;
        sp_run_outcome_destroy(&o);
        if (!mine) { /* another MPI rank's: rank 0 has the result */
            simplan_result_free(r);
            return SIMPLAN_OK;
        }
        if (r->slice)
            result_point(r);
        else
            st = result_ready(r, &e);
    }
    if (st != SP_OK) {
        simplan_result_free(r);
        return give_run_error(&e, err);
    }
    *out = r;
    return SIMPLAN_OK;
}

simplan_status simplan_merge(const char *const *parts, size_t n,
                             simplan_result **out, simplan_error *err)
{
    library_init();
    if (out == NULL || parts == NULL || n == 0)
        return FAIL(err, SP_ERR_USAGE, NULL,
                    "merge needs at least one part and an out pointer");
    *out = NULL;
    double start = now_seconds();
    sp_error e;
    sp_error_clear(&e);
    sp_status st = SP_OK;
    for (size_t i = 0; i < n && st == SP_OK; i++)
        if (parts[i] == NULL)
            st = sp_error_set(&e, SP_ERR_USAGE, NULL, 0, NULL,
                              "part %zu is NULL", i);
    sp_state *all = NULL;
    if (st == SP_OK)
        st = sp_run_merge_states(parts, n, &all, &e);
    simplan_result *r = NULL;
    if (st == SP_OK)
        st = result_begin(all->scenario_name, all->scenario_text, &r, &e);
    if (st == SP_OK) {
        r->state = all;
        all = NULL;
        snprintf(r->rng, sizeof r->rng, "%s", r->state->rng);
        st = sp_state_result(r->state, &r->scen->sc, &r->c, &r->res, &e);
    }
    if (st == SP_OK) {
        r->f = (sp_finish){.seed = r->state->seed,
                           .draws = r->state->draws,
                           .threads = 0,
                           .elapsed = now_seconds() - start};
        result_point(r);
        st = sp_finish_analyse(&r->f, NULL, "no result was made", &e);
    }
    if (st == SP_OK) {
        st = result_ready(r, &e);
    }
    sp_state_free(all);
    if (st != SP_OK) {
        simplan_result_free(r);
        return give(&e, err);
    }
    *out = r;
    return SIMPLAN_OK;
}

const simplan_scenario *simplan_result_scenario(const simplan_result *r)
{
    return r ? r->scen : NULL;
}

uint64_t simplan_result_draws(const simplan_result *r)
{
    return r ? r->res.draws : 0;
}

uint64_t simplan_result_seed(const simplan_result *r)
{
    return r ? r->f.seed : 0;
}

const char *simplan_result_rng(const simplan_result *r)
{
    return r ? r->rp.rng : NULL;
}

int simplan_result_threads(const simplan_result *r)
{
    return r ? r->f.threads : 0;
}

int simplan_result_is_slice(const simplan_result *r, uint64_t *first,
                            uint64_t *end)
{
    if (r == NULL || !r->slice)
        return 0;
    if (first != NULL)
        *first = r->first;
    if (end != NULL)
        *end = r->end;
    return 1;
}

const char *simplan_result_precision_warning(const simplan_result *r)
{
    return r && r->precision_warning[0] ? r->precision_warning : NULL;
}

const char *simplan_result_chart_warning(const simplan_result *r)
{
    return r && r->chart_warning[0] ? r->chart_warning : NULL;
}

simplan_status simplan_result_set_command_line(simplan_result *r,
                                               const char *line,
                                               simplan_error *err)
{
    if (r == NULL || line == NULL)
        return FAIL(err, SP_ERR_USAGE, NULL,
                    "result and line must not be NULL");
    char *copy = strdup(line);
    if (copy == NULL)
        return FAIL(err, SP_ERR_NOMEM, NULL, "out of memory");
    free(r->command_line);
    r->command_line = copy;
    r->f.command_line = copy;
    return SIMPLAN_OK;
}

size_t simplan_result_n_targets(const simplan_result *r)
{
    return r ? r->res.n_targets : 0;
}

static void stats_out(const sp_stats *s, simplan_stats *out)
{
    *out =
        (simplan_stats){s->n, s->mean, s->p05, s->p25, s->p50, s->p75, s->p95};
}

simplan_status simplan_result_target(const simplan_result *r, size_t k,
                                     simplan_target *out, simplan_error *err)
{
    if (r == NULL || out == NULL)
        return FAIL(err, SP_ERR_USAGE, NULL, "result and out must not be NULL");
    if (k >= r->res.n_targets)
        return FAIL(err, SP_ERR_USAGE, NULL,
                    "target %zu: the result has %zu targets", k,
                    r->res.n_targets);
    const sp_target_result *t = &r->res.targets[k];
    const sp_target_spec *spec = &r->scen->sc.targets[k];
    memset(out, 0, sizeof *out);
    out->id = spec->id;
    out->name = spec->name ? spec->name : "";
    out->source = spec->source ? spec->source : "";
    out->met = t->met;
    out->draws = t->draws;
    out->probability = t->probability;
    out->ci_lo = t->ci_lo;
    out->ci_hi = t->ci_hi;
    stats_out(&t->measure, &out->measure);
    out->failure = r->failure[k];
    out->has_param = t->param.done;
    out->param_mean = t->param.done ? t->param.p_mean : (double)NAN;
    out->param_lo = t->param.done ? t->param.lo : (double)NAN;
    out->param_hi = t->param.done ? t->param.hi : (double)NAN;
    return SIMPLAN_OK;
}

size_t simplan_result_n_indicators(const simplan_result *r)
{
    return r ? r->res.n_indicators : 0;
}

const char *simplan_result_indicator_name(const simplan_result *r, size_t i)
{
    return r && i < r->res.n_indicators ? r->scen->sc.indicators[i].name : NULL;
}

simplan_status simplan_result_indicator(const simplan_result *r, size_t i,
                                        int year, simplan_stats *out,
                                        simplan_error *err)
{
    if (r == NULL || out == NULL)
        return FAIL(err, SP_ERR_USAGE, NULL, "result and out must not be NULL");
    int base = r->scen->sc.base_year;
    if (i >= r->res.n_indicators || year < base ||
        year >= base + r->res.n_years)
        return FAIL(err, SP_ERR_USAGE, NULL,
                    "indicator %zu in %d: the result has %zu indicators and "
                    "the years %d .. %d",
                    i, year, r->res.n_indicators, base,
                    base + r->res.n_years - 1);
    const sp_stats *s =
        &r->res.indicators[i * (size_t)r->res.n_years + (size_t)(year - base)];
    stats_out(s, out);
    if (s->n == 0)
        out->mean = out->p05 = out->p25 = out->p50 = out->p75 = out->p95 =
            (double)NAN;
    return SIMPLAN_OK;
}

size_t simplan_result_n_drivers(const simplan_result *r, size_t k)
{
    return r && k < r->res.n_targets ? r->res.targets[k].n_drivers : 0;
}

simplan_status simplan_result_driver(const simplan_result *r, size_t k,
                                     size_t j, simplan_driver *out,
                                     simplan_error *err)
{
    if (r == NULL || out == NULL)
        return FAIL(err, SP_ERR_USAGE, NULL, "result and out must not be NULL");
    if (k >= r->res.n_targets || j >= r->res.targets[k].n_drivers)
        return FAIL(err, SP_ERR_USAGE, NULL,
                    "driver %zu of target %zu is not in the result", j, k);
    const sp_driver *d = &r->res.targets[k].drivers[j];
    *out = (simplan_driver){r->driver_name[k][j],
                            d->effect,
                            d->p_low,
                            d->p_high,
                            d->n_low,
                            d->n_high};
    return SIMPLAN_OK;
}

size_t simplan_result_n_warnings(const simplan_result *r)
{
    return r ? r->res.n_warnings : 0;
}

const char *simplan_result_warning(const simplan_result *r, size_t i)
{
    return r && i < r->res.n_warnings ? r->res.warnings[i] : NULL;
}

/* ---- writing ------------------------------------------------------------ */

typedef sp_status (*report_writer)(FILE *, const sp_report *, sp_error *);

static sp_status write_markdown(FILE *out, const sp_report *r, sp_error *err)
{
    return sp_report_markdown(out, r, false, err);
}

static const report_writer writers[] = {
    [SIMPLAN_FORMAT_TABLE] = sp_report_table,
    [SIMPLAN_FORMAT_CSV] = sp_report_csv,
    [SIMPLAN_FORMAT_JSON] = sp_report_json,
    [SIMPLAN_FORMAT_INDICATORS_CSV] = sp_report_indicators_csv,
    [SIMPLAN_FORMAT_DRIVERS_CSV] = sp_report_drivers_csv,
    [SIMPLAN_FORMAT_IAMC_CSV] = sp_report_iamc_csv,
    [SIMPLAN_FORMAT_MARKDOWN] = write_markdown,
};

static bool valid_format(simplan_format format)
{
    return (int)format >= 0 &&
           (size_t)format < sizeof writers / sizeof writers[0] &&
           writers[format] != NULL;
}

/* SIMPLAN_ERR_USAGE for a slice's result, which has no numbers. */
static simplan_status refuse_slice(const simplan_result *r, simplan_error *err)
{
    if (!r->slice)
        return SIMPLAN_OK;
    return FAIL(err, SP_ERR_USAGE, NULL,
                "a slice's result holds only its state (blocks %llu..%llu); "
                "merge the slices of the run for its numbers",
                (unsigned long long)r->first, (unsigned long long)r->end);
}

/* A report writer and its result, for to_string. */
typedef struct {
    report_writer write;
    const sp_report *rp;
} report_job;

static sp_status run_report_job(FILE *out, const void *ctx, sp_error *err)
{
    const report_job *job = ctx;
    sp_status st = job->write(out, job->rp, err);
    return st == SP_OK ? sp_report_flush(out, err) : st;
}

simplan_status simplan_result_write(const simplan_result *r,
                                    simplan_format format, FILE *out,
                                    simplan_error *err)
{
    if (r == NULL || out == NULL)
        return FAIL(err, SP_ERR_USAGE, NULL,
                    "result and stream must not be NULL");
    if (!valid_format(format))
        return FAIL(err, SP_ERR_USAGE, "format", "unknown format %d",
                    (int)format);
    simplan_status ss = refuse_slice(r, err);
    if (ss != SIMPLAN_OK)
        return ss;
    report_job job = {writers[format], &r->rp};
    sp_error e;
    sp_error_clear(&e);
    return run_report_job(out, &job, &e) == SP_OK ? SIMPLAN_OK : give(&e, err);
}

simplan_status simplan_result_to_string(const simplan_result *r,
                                        simplan_format format, char **text,
                                        size_t *len, simplan_error *err)
{
    if (r == NULL)
        return FAIL(err, SP_ERR_USAGE, NULL, "result must not be NULL");
    if (!valid_format(format))
        return FAIL(err, SP_ERR_USAGE, "format", "unknown format %d",
                    (int)format);
    simplan_status ss = refuse_slice(r, err);
    if (ss != SIMPLAN_OK)
        return ss;
    report_job job = {writers[format], &r->rp};
    return to_string(run_report_job, &job, text, len, err);
}

simplan_status simplan_result_save(simplan_result *r, const char *dir,
                                   int force, int plots, simplan_error *err)
{
    if (r == NULL || dir == NULL)
        return FAIL(err, SP_ERR_USAGE, NULL, "result and dir must not be NULL");
#ifndef SIMPLAN_HAVE_PLOTS
    if (plots)
        return FAIL(err, SP_ERR_UNSUPPORTED, "plots",
                    "this build has no charts (PLplot)");
#endif
    sp_error e;
    sp_error_clear(&e);
    sp_output_options oo = {dir, force != 0, plots != 0, NULL};
    sp_output *w = NULL;
    sp_status st = sp_output_begin(&oo, &w, &e);
    sp_finish_out o = {w, &oo, NULL, NULL};
    if (st == SP_OK && r->slice) { /* a slice's result is its state */
        st = sp_output_state(w, r->state, &e);
        if (st == SP_OK)
            st = sp_output_publish(w, &e);
    } else if (st == SP_OK) {
        st = sp_finish_files(&r->f, &o, &r->rp, &e);
    }
    if (st == SP_OK)
        snprintf(r->chart_warning, sizeof r->chart_warning, "%s",
                 o.chart_warning ? o.chart_warning : "");
    sp_output_free(w);
    return st == SP_OK ? SIMPLAN_OK : give_save_error(&e, err);
}

/* ---- solve and sweep ---------------------------------------------------- */

void simplan_solve_spec_init(simplan_solve_spec *spec)
{
    if (spec != NULL)
        memset(spec, 0, sizeof *spec);
}

simplan_status simplan_solve(const simplan_scenario *sc,
                             const simplan_solve_spec *spec,
                             const simplan_run_options *opt,
                             simplan_solution *out, simplan_error *err)
{
    library_init();
    if (sc == NULL || spec == NULL || out == NULL || spec->target == NULL ||
        spec->lever == NULL)
        return FAIL(err, SP_ERR_USAGE, NULL,
                    "scenario, spec (with target and lever) and out must "
                    "not be NULL");
    if (!(spec->probability > 0.0 && spec->probability < 1.0))
        return FAIL(err, SP_ERR_USAGE, "probability",
                    "%g: expected a probability strictly between 0 and 1",
                    spec->probability);
    if (!(spec->tol >= 0.0) || !isfinite(spec->tol))
        return FAIL(err, SP_ERR_USAGE, "tol",
                    "%g: expected a bracket width >= 0 (0: the default)",
                    spec->tol);
    if (spec->has_range && !(isfinite(spec->lo) && isfinite(spec->hi)))
        return FAIL(err, SP_ERR_USAGE, "range",
                    "expected a finite range lo < hi");
    sp_decide_options d = {0};
    simplan_status pst = sim_options(opt, &d.sim, err);
    if (pst != SIMPLAN_OK)
        return pst;
    d.target = spec->target;
    d.prob = spec->probability;
    d.vary[0] = spec->lever;
    d.n_vary = 1;
    d.has_range = spec->has_range != 0;
    d.range_lo = spec->lo;
    d.range_hi = spec->hi;
    d.tol = spec->tol;
    simplan_scenario *work = NULL;
    simplan_status cst = simplan_scenario_copy(sc, &work, err);
    if (cst != SIMPLAN_OK)
        return cst;
    sp_error e;
    sp_error_clear(&e);
    sp_solve_report r;
    sp_status st = sp_decide_solve_compute(&d, &work->sc, &r, &e);
    simplan_scenario_free(work);
    if (st != SP_OK)
        return give_run_error(&e, err);
    *out = (simplan_solution){.value = r.value,
                              .resolved = sp_solve_resolved(&r),
                              .mc_sd = r.mc_sd,
                              .a = r.a,
                              .b = r.b,
                              .p_a = r.p_a,
                              .p_b = r.p_b,
                              .lo = r.lo,
                              .hi = r.hi,
                              .p_lo = r.p_lo,
                              .p_hi = r.p_hi,
                              .evaluations = r.evaluations,
                              .draws = r.draws,
                              .seed = r.seed};
    return SIMPLAN_OK;
}

struct simplan_sweep {
    simplan_scenario *scen; /* the scenario it ran (owned) */
    sp_sweep_result res;    /* borrows scen's names */
    char chart_warning[512];
};

void simplan_sweep_free(simplan_sweep *sw)
{
    if (sw == NULL)
        return;
    sp_sweep_result_free(&sw->res);
    simplan_scenario_free(sw->scen);
    free(sw);
}

simplan_status simplan_sweep_run(const simplan_scenario *sc,
                                 const simplan_axis *axes, size_t n_axes,
                                 const simplan_run_options *opt,
                                 simplan_sweep **out, simplan_error *err)
{
    library_init();
    if (sc == NULL || axes == NULL || out == NULL)
        return FAIL(err, SP_ERR_USAGE, NULL,
                    "scenario, axes and out must not be NULL");
    *out = NULL;
    if (n_axes < 1 || n_axes > 2)
        return FAIL(err, SP_ERR_USAGE, "axes",
                    "%zu axes: a sweep has one or two", n_axes);
    sp_decide_options d = {0};
    simplan_status pst = sim_options(opt, &d.sim, err);
    if (pst != SIMPLAN_OK)
        return pst;
    /* Each axis as the command line gives it, PATH=FROM:TO:STEPS (%.17g
     * gives the doubles back exactly), so that it is checked the same. */
    char spec[2][SP_LEVER_PATH + 80];
    for (size_t a = 0; a < n_axes; a++) {
        const simplan_axis *x = &axes[a];
        if (x->lever == NULL || strlen(x->lever) >= SP_LEVER_PATH)
            return FAIL(err, SP_ERR_USAGE, "axes", "axis %zu has no lever path",
                        a);
        snprintf(spec[a], sizeof spec[a], "%s=%.17g:%.17g:%d", x->lever,
                 x->from, x->to, x->steps);
        d.vary[a] = spec[a];
    }
    d.n_vary = (int)n_axes;
    simplan_sweep *sw = calloc(1, sizeof *sw);
    if (sw == NULL)
        return FAIL(err, SP_ERR_NOMEM, NULL, "out of memory");
    simplan_status cst = simplan_scenario_copy(sc, &sw->scen, err);
    if (cst != SIMPLAN_OK) {
        free(sw);
        return cst;
    }
    sp_error e;
    sp_error_clear(&e);
    if (sp_decide_sweep_compute(&d, &sw->scen->sc, &sw->res, &e) != SP_OK) {
        simplan_sweep_free(sw);
        return give_run_error(&e, err);
    }
    *out = sw;
    return SIMPLAN_OK;
}

size_t simplan_sweep_n_points(const simplan_sweep *sw)
{
    return sw ? sw->res.r.nx * sw->res.r.ny : 0;
}

size_t simplan_sweep_n_targets(const simplan_sweep *sw)
{
    return sw ? sw->res.r.n_targets : 0;
}

simplan_status simplan_sweep_point(const simplan_sweep *sw, size_t i, size_t k,
                                   double *x, double *y, double *p,
                                   double *ci_lo, double *ci_hi,
                                   simplan_error *err)
{
    if (sw == NULL)
        return FAIL(err, SP_ERR_USAGE, NULL, "sweep must not be NULL");
    const sp_sweep_report *r = &sw->res.r;
    if (i >= r->nx * r->ny || k >= r->n_targets)
        return FAIL(err, SP_ERR_USAGE, NULL,
                    "point %zu, target %zu: the sweep has %zu points and "
                    "%zu targets",
                    i, k, r->nx * r->ny, r->n_targets);
    size_t at = i * r->n_targets + k;
    if (x != NULL)
        *x = r->x[i % r->nx];
    if (y != NULL)
        *y = r->lever2 != NULL ? r->y[i / r->nx] : (double)NAN;
    if (p != NULL)
        *p = r->p[at];
    if (ci_lo != NULL)
        *ci_lo = r->ci[2 * at];
    if (ci_hi != NULL)
        *ci_hi = r->ci[2 * at + 1];
    return SIMPLAN_OK;
}

typedef sp_status (*sweep_writer)(FILE *, const sp_sweep_report *, sp_error *);

typedef struct {
    sweep_writer write;
    const sp_sweep_report *r;
} sweep_job;

static sp_status run_sweep_job(FILE *out, const void *ctx, sp_error *err)
{
    const sweep_job *job = ctx;
    return job->write(out, job->r, err);
}

simplan_status simplan_sweep_to_string(const simplan_sweep *sw,
                                       simplan_format format, char **text,
                                       size_t *len, simplan_error *err)
{
    if (sw == NULL)
        return FAIL(err, SP_ERR_USAGE, NULL, "sweep must not be NULL");
    sweep_writer w = format == SIMPLAN_FORMAT_TABLE  ? sp_sweep_table
                     : format == SIMPLAN_FORMAT_CSV  ? sp_sweep_csv
                     : format == SIMPLAN_FORMAT_JSON ? sp_sweep_json
                                                     : NULL;
    if (w == NULL)
        return FAIL(err, SP_ERR_USAGE, "format",
                    "a sweep is written as a table, CSV or JSON");
    sweep_job job = {w, &sw->res.r};
    return to_string(run_sweep_job, &job, text, len, err);
}

/* ---- solutions, sweeps and directories ---------------------------------- */

/* The writers' view of a solution (borrowing). */
static sp_solve_report solve_report_of(const simplan_scenario *sc,
                                       const simplan_solve_spec *spec,
                                       const simplan_solution *s)
{
    return (sp_solve_report){.scenario = sc->sc.name,
                             .target = spec->target,
                             .probability = spec->probability,
                             .lever = spec->lever,
                             .value = s->value,
                             .mc_sd = s->mc_sd,
                             .a = s->a,
                             .b = s->b,
                             .p_a = s->p_a,
                             .p_b = s->p_b,
                             .lo = s->lo,
                             .hi = s->hi,
                             .p_lo = s->p_lo,
                             .p_hi = s->p_hi,
                             .evaluations = s->evaluations,
                             .draws = s->draws,
                             .seed = s->seed};
}

typedef sp_status (*solve_writer)(FILE *, const sp_solve_report *, sp_error *);

typedef struct {
    solve_writer write;
    const sp_solve_report *r;
} solve_job;

static sp_status run_solve_job(FILE *out, const void *ctx, sp_error *err)
{
    const solve_job *job = ctx;
    return job->write(out, job->r, err);
}

simplan_status simplan_solution_to_string(const simplan_scenario *sc,
                                          const simplan_solve_spec *spec,
                                          const simplan_solution *s,
                                          simplan_format format, char **text,
                                          size_t *len, simplan_error *err)
{
    if (sc == NULL || spec == NULL || s == NULL || spec->target == NULL ||
        spec->lever == NULL)
        return FAIL(err, SP_ERR_USAGE, NULL,
                    "scenario, spec (with target and lever) and solution "
                    "must not be NULL");
    solve_writer w = format == SIMPLAN_FORMAT_TABLE  ? sp_solve_table
                     : format == SIMPLAN_FORMAT_CSV  ? sp_solve_csv
                     : format == SIMPLAN_FORMAT_JSON ? sp_solve_json
                                                     : NULL;
    if (w == NULL)
        return FAIL(err, SP_ERR_USAGE, "format",
                    "a solution is written as a table, CSV or JSON");
    sp_solve_report r = solve_report_of(sc, spec, s);
    solve_job job = {w, &r};
    return to_string(run_solve_job, &job, text, len, err);
}

simplan_status simplan_solution_save(const simplan_scenario *sc,
                                     const simplan_solve_spec *spec,
                                     const simplan_solution *s, const char *dir,
                                     int force, simplan_error *err)
{
    if (sc == NULL || spec == NULL || s == NULL || dir == NULL ||
        spec->target == NULL || spec->lever == NULL)
        return FAIL(err, SP_ERR_USAGE, NULL,
                    "scenario, spec, solution and dir must not be NULL");
    sp_solve_report r = solve_report_of(sc, spec, s);
    sp_error e;
    sp_error_clear(&e);
    return sp_decide_solve_save(dir, force != 0, NULL, &r, &e) == SP_OK
               ? SIMPLAN_OK
               : give_save_error(&e, err);
}

simplan_status simplan_sweep_save(simplan_sweep *sw, const char *dir, int force,
                                  int plots, simplan_error *err)
{
    if (sw == NULL || dir == NULL)
        return FAIL(err, SP_ERR_USAGE, NULL, "sweep and dir must not be NULL");
#ifndef SIMPLAN_HAVE_PLOTS
    if (plots)
        return FAIL(err, SP_ERR_UNSUPPORTED, "plots",
                    "this build has no charts (PLplot)");
#endif
    sp_error e;
    sp_error_clear(&e);
    sw->chart_warning[0] = '\0';
    return sp_decide_sweep_save(dir, force != 0, plots != 0, NULL,
                                &sw->scen->sc, &sw->res, sw->chart_warning,
                                sizeof sw->chart_warning, &e) == SP_OK
               ? SIMPLAN_OK
               : give_save_error(&e, err);
}

const char *simplan_sweep_chart_warning(const simplan_sweep *sw)
{
    return sw && sw->chart_warning[0] ? sw->chart_warning : NULL;
}

simplan_status simplan_out_dir_check(const char *dir, int force,
                                     simplan_error *err)
{
    if (dir == NULL)
        return FAIL(err, SP_ERR_USAGE, NULL, "dir must not be NULL");
    sp_output_options oo = {dir, force != 0, false, NULL};
    sp_output *w = NULL;
    sp_error e;
    sp_error_clear(&e);
    sp_status st = sp_output_begin(&oo, &w, &e);
    sp_output_free(w);
    return st == SP_OK ? SIMPLAN_OK : give_save_error(&e, err);
}

/* ---- comparing runs ----------------------------------------------------- */

typedef struct {
    const sp_compare_entry *e;
    size_t n;
    sp_compare_format format;
} compare_job;

static sp_status run_compare_job(FILE *out, const void *ctx, sp_error *err)
{
    const compare_job *job = ctx;
    return sp_compare_write(out, job->e, job->n, job->format, err);
}

/* The entries of results[0..n) (a slice counts as failed). */
static sp_compare_entry *compare_entries(const simplan_result *const *results,
                                         const char *const *names, size_t n)
{
    sp_compare_entry *e = calloc(n ? n : 1, sizeof *e);
    for (size_t k = 0; e != NULL && k < n; k++) {
        const simplan_result *r = results[k];
        bool ok = r != NULL && !r->slice;
        e[k] =
            (sp_compare_entry){names[k] ? names[k] : "",
                               ok ? &r->scen->sc : NULL, ok ? &r->res : NULL};
    }
    return e;
}

simplan_status simplan_compare_to_string(const simplan_result *const *results,
                                         const char *const *names, size_t n,
                                         simplan_format format, char **text,
                                         size_t *len, simplan_error *err)
{
    if ((n > 0 && (results == NULL || names == NULL)))
        return FAIL(err, SP_ERR_USAGE, NULL,
                    "results and names must not be NULL");
    sp_compare_format f = format == SIMPLAN_FORMAT_CSV ? SP_COMPARE_CSV
                          : format == SIMPLAN_FORMAT_MARKDOWN
                              ? SP_COMPARE_MARKDOWN
                              : SP_COMPARE_TABLE;
    if (format != SIMPLAN_FORMAT_CSV && format != SIMPLAN_FORMAT_MARKDOWN &&
        format != SIMPLAN_FORMAT_TABLE)
        return FAIL(err, SP_ERR_USAGE, "format",
                    "a comparison is written as CSV, Markdown or a table");
    sp_compare_entry *e = compare_entries(results, names, n);
    if (e == NULL)
        return FAIL(err, SP_ERR_NOMEM, NULL, "out of memory");
    compare_job job = {e, n, f};
    simplan_status st = to_string(run_compare_job, &job, text, len, err);
    free(e);
    return st;
}

simplan_status simplan_compare_save(const simplan_result *const *results,
                                    const char *const *names, size_t n,
                                    const char *dir, simplan_error *err)
{
    if (dir == NULL || (n > 0 && (results == NULL || names == NULL)))
        return FAIL(err, SP_ERR_USAGE, NULL,
                    "results, names and dir must not be NULL");
    sp_compare_entry *e = compare_entries(results, names, n);
    if (e == NULL)
        return FAIL(err, SP_ERR_NOMEM, NULL, "out of memory");
    sp_error ie;
    sp_error_clear(&ie);
    sp_status st = sp_compare_save(dir, e, n, &ie);
    free(e);
    return st == SP_OK ? SIMPLAN_OK : give(&ie, err);
}

/* ---- timing the core ---------------------------------------------------- */

void simplan_bench_options_init(simplan_bench_options *opt)
{
    if (opt != NULL)
        memset(opt, 0, sizeof *opt);
}

typedef struct {
    simplan_format format;
    const sp_bench_report *rep;
} bench_job;

static sp_status run_bench_job(FILE *out, const void *ctx, sp_error *err)
{
    const bench_job *job = ctx;
    return job->format == SIMPLAN_FORMAT_JSON
               ? sp_bench_report_json(out, job->rep, err)
               : sp_bench_report_table(out, job->rep, err);
}

simplan_status simplan_bench(const simplan_scenario *sc,
                             const simplan_bench_options *opt,
                             simplan_format format, char **text, size_t *len,
                             simplan_error *err)
{
    library_init();
    if (sc == NULL || text == NULL)
        return FAIL(err, SP_ERR_USAGE, NULL,
                    "scenario and text must not be NULL");
    *text = NULL;
    if (format != SIMPLAN_FORMAT_TABLE && format != SIMPLAN_FORMAT_JSON)
        return FAIL(err, SP_ERR_USAGE, "format",
                    "bench writes table or json, not csv");
    simplan_bench_options none;
    simplan_bench_options_init(&none);
    if (opt == NULL)
        opt = &none;
    sp_family family = SP_FAMILY_NORMAL;
    if (opt->marginal != NULL && !sp_family_parse(opt->marginal, &family))
        return FAIL(err, SP_ERR_USAGE, "marginal",
                    "unknown family '%s'; see simplan_family_name",
                    opt->marginal);
    simplan_run_options ro;
    simplan_run_options_init(&ro);
    ro.draws = opt->draws;
    ro.has_seed = opt->has_seed;
    ro.seed = opt->seed;
    ro.threads = opt->threads;
    ro.rng = opt->rng;
    sp_sim_options sim;
    simplan_status pst = sim_options(&ro, &sim, err);
    if (pst != SIMPLAN_OK)
        return pst;
    simplan_scenario *work = NULL;
    simplan_status cst = simplan_scenario_copy(sc, &work, err);
    if (cst != SIMPLAN_OK)
        return cst;
    /* --marginal: every stochastic indicator gets the family, with the
     * defaults of its descriptor table. */
    for (size_t i = 0; opt->marginal != NULL && i < work->sc.n_indicators; i++)
        sp_marginal_set_default(&work->sc.indicators[i].marginal, family);
    sp_error e;
    sp_error_clear(&e);
    sp_compiled c = {0};
    sp_mc_config cfg;
    const char *rng_name = NULL;
    sp_status st = sp_compile(&work->sc, &c, &e);
    if (st == SP_OK)
        st = sp_run_resolve(&sim, &work->sc, &cfg, &rng_name, &e);
    sp_bench_config bc = {0};
    sp_bench_report rep = {0};
    if (st == SP_OK) {
        bc = (sp_bench_config){opt->draws ? opt->draws : 1000000, cfg.seed,
                               cfg.rng, cfg.threads};
        rep = (sp_bench_report){
            .scenario = work->sc.name,
            .file = work->sc.file,
            .rng = rng_name,
            .normal_method = sp_rng_normal_method(bc.rng),
            .marginal = opt->marginal ? sp_family_name(family) : NULL,
            .draws = bc.draws,
            .seed = bc.seed,
            .threads = bc.threads};
        st = sp_bench_run(&work->sc, &c, &bc, &rep, &e);
    }
    simplan_status out = SIMPLAN_OK;
    if (st == SP_OK) {
        bench_job job = {format, &rep};
        out = to_string(run_bench_job, &job, text, len, err);
    } else {
        out = give_run_error(&e, err);
    }
    sp_compiled_destroy(&c);
    simplan_scenario_free(work);
    return out;
}

size_t simplan_family_count(void)
{
    return sp_family_count();
}

const char *simplan_family_name(size_t k)
{
    return k < sp_family_count() ? sp_family_name((sp_family)k) : NULL;
}

const char *simplan_family_param(size_t k, size_t j, double *dflt)
{
    if (k >= sp_family_count())
        return NULL;
    const sp_family_info *f = sp_family_info_of((sp_family)k);
    if (j >= f->n_params)
        return NULL;
    if (dflt != NULL)
        *dflt = f->params[j].dflt;
    return f->params[j].name;
}

/* ---- calibration -------------------------------------------------------- */

void simplan_fit_options_init(simplan_fit_options *opt)
{
    if (opt != NULL)
        memset(opt, 0, sizeof *opt);
}

typedef struct {
    simplan_format format;
    const sp_scenario *sc;
    const sp_calib *c;
} fit_job;

static sp_status run_fit_job(FILE *out, const void *ctx, sp_error *err)
{
    const fit_job *job = ctx;
    if (job->format == SIMPLAN_FORMAT_JSON)
        return sp_calib_report_json(out, job->sc, job->c, err);
    if (job->format == SIMPLAN_FORMAT_CFG)
        return sp_calib_report_cfg(out, job->sc, job->c, err);
    return sp_calib_report_table(out, job->sc, job->c, err);
}

simplan_status simplan_fit(const simplan_scenario *sc,
                           const simplan_fit_options *opt,
                           simplan_format format, char **text, size_t *len,
                           simplan_error *err)
{
    library_init();
    if (sc == NULL || opt == NULL || opt->data == NULL || text == NULL)
        return FAIL(err, SP_ERR_USAGE, NULL,
                    "scenario, options (with data) and text must not be "
                    "NULL");
    *text = NULL;
    if (format != SIMPLAN_FORMAT_TABLE && format != SIMPLAN_FORMAT_JSON &&
        format != SIMPLAN_FORMAT_CFG)
        return FAIL(err, SP_ERR_USAGE, "format",
                    "fit writes a table, JSON or a scenario file (cfg)");
    if (opt->n_indicators > 0 && opt->indicators == NULL)
        return FAIL(err, SP_ERR_USAGE, "indicators",
                    "%zu indicators but no names", opt->n_indicators);
    sp_error e;
    sp_error_clear(&e);
    sp_data d = {0};
    sp_plans p = {0};
    sp_calib c = {0};
    sp_status st = sp_data_load(opt->data, &d, &e);
    if (st == SP_OK && opt->plans)
        st = sp_plans_load(opt->plans, &p, &e);
    sp_calib_options co = {
        opt->region,       opt->from,
        opt->to,           opt->n_indicators ? opt->indicators : NULL,
        opt->n_indicators, opt->plans ? &p : NULL};
    if (st == SP_OK)
        st = sp_calib_fit(&sc->sc, &d, &co, &c, &e);
    simplan_status out = SIMPLAN_OK;
    if (st == SP_OK) {
        fit_job job = {format, &sc->sc, &c};
        out = to_string(run_fit_job, &job, text, len, err);
    } else {
        out = give(&e, err);
    }
    sp_calib_destroy(&c);
    sp_plans_destroy(&p);
    sp_data_destroy(&d);
    return out;
}

void simplan_backtest_options_init(simplan_backtest_options *o)
{
    if (o != NULL)
        memset(o, 0, sizeof *o);
}

struct simplan_backtest {
    simplan_scenario *scen; /* the scenario it tested (owned) */
    char **regions;         /* copies, [n_regions] */
    sp_data d;              /* the data it scored against (the result borrows
                       its names) */
    sp_backtest_options bo;
    sp_backtest b;
    sp_backtest_report r; /* borrows the fields above */
    char chart_warning[512];
};

void simplan_backtest_free(simplan_backtest *bt)
{
    if (bt == NULL)
        return;
    sp_backtest_destroy(&bt->b);
    sp_data_destroy(&bt->d);
    for (size_t i = 0; bt->regions != NULL && i < bt->bo.n_regions; i++)
        free(bt->regions[i]);
    free(bt->regions);
    simplan_scenario_free(bt->scen);
    free(bt);
}

simplan_status simplan_backtest_run(const simplan_scenario *sc,
                                    const simplan_backtest_options *opt,
                                    simplan_backtest **out, simplan_error *err)
{
    library_init();
    if (sc == NULL || opt == NULL || out == NULL || opt->data == NULL)
        return FAIL(err, SP_ERR_USAGE, NULL,
                    "scenario, options (with data) and out must not be NULL");
    *out = NULL;
    if (opt->n_regions > 0 && opt->regions == NULL)
        return FAIL(err, SP_ERR_USAGE, "regions", "%zu regions but no names",
                    opt->n_regions);
    if (opt->from > opt->to || opt->step < 0 || opt->horizon < 0 ||
        opt->history < 0)
        return FAIL(err, SP_ERR_USAGE, "origins",
                    "origins %d..%d by %d, horizon %d and history %d: "
                    "expected from <= to and positive step, horizon and "
                    "history (0: the defaults)",
                    opt->from, opt->to, opt->step, opt->horizon, opt->history);
    if (opt->threads < 0 || opt->threads > 1024)
        return FAIL(err, SP_ERR_USAGE, "threads",
                    "%d threads: expected 1 .. 1024 (0: all cores)",
                    opt->threads);
    const char *rng = opt->rng ? opt->rng : sc->sc.rng;
    const gsl_rng_type *type = sp_rng_lookup(rng[0] ? rng : SP_RNG_DEFAULT);
    if (type == NULL)
        return FAIL(err, SP_ERR_USAGE, "rng",
                    "unknown generator '%s'; use xoshiro256ss or a GSL "
                    "generator name such as taus2 or mt19937",
                    rng);
    simplan_backtest *bt = calloc(1, sizeof *bt);
    if (bt == NULL)
        return FAIL(err, SP_ERR_NOMEM, NULL, "out of memory");
    simplan_status cst = simplan_scenario_copy(sc, &bt->scen, err);
    if (cst != SIMPLAN_OK) {
        free(bt);
        return cst;
    }
    sp_error e;
    sp_error_clear(&e);
    sp_status st = SP_OK;
    bt->regions =
        calloc(opt->n_regions ? opt->n_regions : 1, sizeof *bt->regions);
    if (bt->regions == NULL)
        st = sp_error_set(&e, SP_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    for (size_t i = 0; st == SP_OK && i < opt->n_regions; i++) {
        bt->regions[i] = strdup(opt->regions[i]);
        bt->bo.n_regions = i + 1;
        if (bt->regions[i] == NULL)
            st = sp_error_set(&e, SP_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    }
    if (st == SP_OK)
        st = sp_data_load(opt->data, &bt->d, &e);
    bt->bo = (sp_backtest_options){
        .regions = opt->n_regions ? (const char *const *)bt->regions : NULL,
        .n_regions = opt->n_regions,
        .from = opt->from,
        .to = opt->to,
        .step = opt->step ? opt->step : 1,
        .horizon = opt->horizon ? opt->horizon : 5,
        .history = opt->history ? opt->history : 5,
        .draws = opt->draws ? opt->draws : 20000,
        .seed = opt->has_seed ? opt->seed : bt->scen->sc.seed,
        .rng = type,
        .threads = opt->threads ? opt->threads : sp_mc_default_threads(),
        .sd_factor = !opt->no_sd_factor,
        .search_draws = opt->all_search_draws ? 0
                        : opt->search_draws   ? opt->search_draws
                                              : 5000};
    if (st == SP_OK)
        st = sp_backtest_run(&bt->scen->sc, &bt->d, &bt->bo, &bt->b, &e);
    if (st != SP_OK) {
        simplan_backtest_free(bt);
        return give(&e, err);
    }
    bt->r = (sp_backtest_report){&bt->scen->sc, bt->d.file, &bt->bo, &bt->b};
    *out = bt;
    return SIMPLAN_OK;
}

typedef struct {
    simplan_format format;
    const sp_backtest_report *r;
} backtest_job;

static sp_status run_backtest_job(FILE *out, const void *ctx, sp_error *err)
{
    const backtest_job *job = ctx;
    if (job->format == SIMPLAN_FORMAT_JSON)
        return sp_backtest_report_json(out, job->r, err);
    if (job->format == SIMPLAN_FORMAT_CSV)
        return sp_backtest_report_csv(out, job->r, err);
    return sp_backtest_report_table(out, job->r, err);
}

simplan_status simplan_backtest_to_string(const simplan_backtest *bt,
                                          simplan_format format, char **text,
                                          size_t *len, simplan_error *err)
{
    if (bt == NULL)
        return FAIL(err, SP_ERR_USAGE, NULL, "backtest must not be NULL");
    if (format != SIMPLAN_FORMAT_TABLE && format != SIMPLAN_FORMAT_JSON &&
        format != SIMPLAN_FORMAT_CSV)
        return FAIL(err, SP_ERR_USAGE, "format",
                    "a back-test is written as a table, JSON or CSV");
    backtest_job job = {format, &bt->r};
    return to_string(run_backtest_job, &job, text, len, err);
}

simplan_status simplan_backtest_save(simplan_backtest *bt, const char *dir,
                                     int force, int plots, simplan_error *err)
{
    if (bt == NULL || dir == NULL)
        return FAIL(err, SP_ERR_USAGE, NULL,
                    "backtest and dir must not be NULL");
    sp_error e;
    sp_error_clear(&e);
    sp_status st =
        sp_backtest_save(dir, force != 0, plots != 0, &bt->r, bt->chart_warning,
                         sizeof bt->chart_warning, &e);
    return st == SP_OK ? SIMPLAN_OK : give_save_error(&e, err);
}

const char *simplan_backtest_chart_warning(const simplan_backtest *bt)
{
    return bt && bt->chart_warning[0] ? bt->chart_warning : NULL;
}

/* ---- MPI and the command line ------------------------------------------- */

simplan_status simplan_mpi_init(int *argc, char ***argv, simplan_error *err)
{
    library_init();
    int rank, size;
    sp_error e;
    sp_error_clear(&e);
    return sp_mpi_init(argc, argv, &rank, &size, &e) == SP_OK ? SIMPLAN_OK
                                                              : give(&e, err);
}

void simplan_mpi_finalize(void)
{
    sp_mpi_finalize();
}

int simplan_mpi_rank(void)
{
    return sp_mpi_rank();
}

int simplan_mpi_size(void)
{
    return sp_mpi_size();
}

simplan_count simplan_parse_count(const char *s, uint64_t lo, uint64_t hi,
                                  uint64_t *out)
{
    _Static_assert((int)SP_COUNT_OK == (int)SIMPLAN_COUNT_OK &&
                       (int)SP_COUNT_SYNTAX == (int)SIMPLAN_COUNT_SYNTAX &&
                       (int)SP_COUNT_FRACTION == (int)SIMPLAN_COUNT_FRACTION &&
                       (int)SP_COUNT_RANGE == (int)SIMPLAN_COUNT_RANGE,
                   "count results");
    if (out == NULL)
        return SIMPLAN_COUNT_SYNTAX;
    return (simplan_count)sp_count_parse_detail(s, lo, hi, out);
}

simplan_status simplan_default_scenario(char *buf, size_t size,
                                        simplan_error *err)
{
    if (buf == NULL || size == 0)
        return FAIL(err, SP_ERR_USAGE, NULL, "buf must not be NULL");
    sp_error e;
    sp_error_clear(&e);
    return sp_bench_default_scenario(buf, size, &e) == SP_OK ? SIMPLAN_OK
                                                             : give(&e, err);
}

int simplan_rng_valid(const char *name)
{
    return name != NULL && sp_rng_lookup(name) != NULL;
}
