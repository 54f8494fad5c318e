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

#include "sp_compile.h"
#include "sp_config.h"
#include "sp_decide.h"
#include "sp_finish.h"
#include "sp_lever.h"
#include "sp_mc.h"
#include "sp_output.h"
#include "sp_report.h"
#include "sp_result.h"
#include "sp_run.h"
#include "sp_scenario.h"
#include "sp_signal.h"
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
 * renamed to the member of simplan_run_options that sets it. */
static simplan_status give_run_error(sp_error *e, simplan_error *err)
{
    static const char *const names[][2] = {
        {"--rng", "rng"},
        {"--variance-reduction", "variance_reduction"},
        {"--draws", "draws"},
        {"--seed", "seed"},
        {"--threads", "threads"},
        {"--out", "dir"},
        {"--force", "force"},
        {"--plots", "plots"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(e->field, names[i][0]) == 0)
            snprintf(e->field, sizeof e->field, "%s", names[i][1]);
    return give(e, err);
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

/* The analyses after the simulation (discovery, parameter sets), then
 * the writers' view and the accessors' strings. */
static sp_status result_finish(simplan_result *r, const atomic_int *stop,
                               sp_error *e)
{
    r->f.sc = &r->scen->sc;
    r->f.c = &r->c;
    r->f.res = &r->res;
    r->f.rng = r->rng;
    r->f.state = r->state;
    sp_status st = sp_finish_analyse(&r->f, stop, "no result was made", e);
    if (st != SP_OK)
        return st;
    r->rp = sp_finish_plain_report(&r->f);
    return result_strings(r, e);
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
    sp_sim_options sim;
    simplan_status pst = sim_options(opt, &sim, err);
    if (pst != SIMPLAN_OK)
        return pst;
    double precision = opt ? opt->precision : 0.0;
    sp_error e;
    sp_error_clear(&e);
    simplan_result *r = NULL;
    sp_status st = result_begin(sc->sc.file, sc->sc.text, &r, &e);
    sp_mc_config cfg;
    const char *rng_name = NULL;
    if (st == SP_OK)
        st = sp_run_resolve(&sim, &r->scen->sc, &cfg, &rng_name, &e);
    if (st == SP_OK)
        snprintf(r->rng, sizeof r->rng, "%s", rng_name);
    double start = now_seconds();
    sp_mc *mc = NULL;
    if (st == SP_OK) {
        mc = sp_mc_alloc(&r->scen->sc, &r->c, &cfg, &e);
        st = mc ? SP_OK : e.status;
    }
    bool precise = false;
    if (st == SP_OK)
        st = sp_run_all(mc, &cfg, precision, sim.stop, &precise, &e);
    if (st == SP_OK)
        st = sp_mc_result(mc, &r->res, &e);
    if (st == SP_OK) {
        r->state = sp_state_copy(sp_mc_state(mc));
        if (r->state == NULL)
            st = sp_error_set(&e, SP_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    }
    if (st == SP_OK) {
        r->f = (sp_finish){.seed = cfg.seed,
                           .draws = r->state->draws,
                           .threads = cfg.threads,
                           .elapsed = now_seconds() - start,
                           .precision = precision,
                           .precise = precise,
                           .param_sets = opt ? opt->param_sets : 0};
    }
    sp_mc_free(mc);
    if (st == SP_OK)
        st = result_finish(r, sim.stop, &e);
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
    sp_state **states = calloc(n, sizeof *states);
    if (states == NULL)
        return FAIL(err, SP_ERR_NOMEM, NULL, "out of memory");
    sp_status st = SP_OK;
    for (size_t i = 0; i < n && st == SP_OK; i++)
        st = parts[i] ? sp_run_load_state(parts[i], &states[i], &e)
                      : sp_error_set(&e, SP_ERR_USAGE, NULL, 0, NULL,
                                     "part %zu is NULL", i);
    sp_state *all = NULL;
    if (st == SP_OK)
        st = sp_state_merge_slices(states, parts, n, &all, &e);
    for (size_t i = 0; i < n; i++)
        sp_state_free(states[i]);
    free(states);
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
        st = result_finish(r, NULL, &e);
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
           (size_t)format < sizeof writers / sizeof writers[0];
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
    report_job job = {writers[format], &r->rp};
    return to_string(run_report_job, &job, text, len, err);
}

simplan_status simplan_result_save(const simplan_result *r, const char *dir,
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
    sp_finish_out o = {w, &oo, false, SP_FORMAT_TABLE, NULL};
    if (st == SP_OK)
        st = sp_finish_files(&r->f, &o, &r->rp, &e);
    if (st == SP_OK && o.chart_warning != NULL)
        st = sp_error_set(&e, SP_ERR_IO, NULL, 0, NULL, "%s", o.chart_warning);
    sp_output_free(w);
    return st == SP_OK ? SIMPLAN_OK : give_run_error(&e, err);
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
