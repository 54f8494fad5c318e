/*
 * fuzz_config: libFuzzer harness for the scenario pipeline.
 *
 * Each input is the text of a scenario file. It goes through what
 * `simplan run` does with a file, minus the I/O: sp_config_load_text, then
 * sp_compile, then -- when the model is small -- a Monte Carlo of 64 draws
 * on one thread, scenario discovery, and every text report written to
 * /dev/null. Any crash, sanitizer report or leak is a failure; so is a
 * broken promise of the API (a failure without a message, an exit code
 * outside 2..3 for a scenario error). Build and run: tests/fuzz/README.md.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "sp_compile.h"
#include "sp_config.h"
#include "sp_discover.h"
#include "sp_mc.h"
#include "sp_report.h"
#include "sp_rng.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_TEXT       65536 /* bytes; larger inputs are skipped */
#define FUZZ_DRAWS          64    /* Monte Carlo draws per input */
#define FUZZ_MAX_QUANTITIES 256   /* indicator-years + targets simulated */
#define FUZZ_MAX_INPUTS     512 /* model inputs (trends, innovations, events) */

static FILE *devnull; /* reports go here */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    /* As main() does: GSL reports through status codes, never aborts. */
    gsl_set_error_handler_off();
    devnull = fopen("/dev/null", "w");
    if (devnull == NULL)
        abort();
    return 0;
}

/* Aborts (a crash libFuzzer saves) when a failed call broke the error
 * contract of sp_status.h. */
static void check_error(sp_status st, const sp_error *err)
{
    int code = sp_status_exit_code(st);
    if (st == SP_OK || st >= SP_STATUS_COUNT || code < 2 || code > 3 ||
        err->status != st || err->message[0] == '\0' ||
        memchr(err->message, '\0', sizeof err->message) == NULL) {
        fprintf(stderr,
                "fuzz_config: status %d (%s) with error record "
                "status %d, message \"%.100s\"\n",
                (int)st, sp_status_name(st), (int)err->status, err->message);
        abort();
    }
}

/* Whether a simulation of `c` stays fast: each quantity costs a 32 KB
 * histogram, and PRIM is quadratic in the inputs. */
static int small_enough(const sp_compiled *c)
{
    const sp_model *m = &c->model;
    size_t years = (size_t)m->n_steps + 1;
    size_t n_q = m->n_indicators * years + m->n_targets;
    return n_q <= FUZZ_MAX_QUANTITIES &&
           sp_model_n_inputs(m) <= FUZZ_MAX_INPUTS;
}

/* Every text report of a finished run, to /dev/null. */
static void write_reports(const sp_scenario *sc, const sp_compiled *c,
                          const sp_result *res, const char *rng_name)
{
    sp_error err;
    sp_report r = {sc,   c,    res,  sc->seed, rng_name, 1,   0.0,
                   NULL, NULL, NULL, 0,        0,        0.0, 0};
    sp_error_clear(&err);
    sp_report_table(devnull, &r, &err);
    sp_report_csv(devnull, &r, &err);
    sp_report_drivers_csv(devnull, &r, &err);
    sp_report_indicators_csv(devnull, &r, &err);
    sp_report_iamc_csv(devnull, &r, &err);
    sp_report_markdown(devnull, &r, false, &err);
}

/* A run of FUZZ_DRAWS draws of a compiled scenario, as sp_run_command does
 * it, then discovery and the reports. */
static void simulate(const sp_scenario *sc, const sp_compiled *c)
{
    const gsl_rng_type *type = sp_rng_lookup(sc->rng);
    if (type == NULL) /* the CLI rejects an unknown name; use the default */
        type = sp_rng_lookup(NULL);
    sp_mc_config cfg = {FUZZ_DRAWS, sc->seed, type, 1, SP_VR_NONE};
    sp_error err;
    sp_error_clear(&err);
    sp_mc *mc = sp_mc_alloc(sc, c, &cfg, &err);
    if (mc == NULL) {
        check_error(err.status, &err);
        return;
    }
    sp_result res = {0};
    sp_status st = sp_mc_run(mc, 0, sp_mc_blocks(mc)) ? SP_OK : SP_ERR_NUMERIC;
    if (st != SP_OK)
        abort(); /* a fresh run must accept its whole range */
    st = sp_mc_result(mc, &res, &err);
    if (st == SP_OK)
        st = sp_discover(sc, c, cfg.seed, type, FUZZ_DRAWS, &res, &err);
    if (st == SP_OK)
        write_reports(sc, c, &res, type->name);
    else
        check_error(st, &err);
    sp_mc_free(mc);
    sp_result_destroy(&res);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FUZZ_MAX_TEXT || memchr(data, '\0', size) != NULL)
        return -1; /* not a text file; keep it out of the corpus */
    char *text = malloc(size + 1);
    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    /* libconfig would read the named file: keep the fuzzer hermetic. */
    if (strstr(text, "@include") != NULL) {
        free(text);
        return -1;
    }
    sp_scenario sc = {0};
    sp_compiled c = {0};
    sp_error err;
    sp_error_clear(&err);
    sp_status st = sp_config_load_text("fuzz.cfg", text, &sc, &err);
    if (st == SP_OK) {
        st = sp_compile(&sc, &c, &err);
        if (st == SP_OK) {
            sp_report_check(devnull, &sc, &c, &err);
            if (small_enough(&c))
                simulate(&sc, &c);
        } else {
            check_error(st, &err);
        }
    } else {
        check_error(st, &err);
    }
    sp_compiled_destroy(&c);
    sp_scenario_destroy(&sc);
    free(text);
    return 0;
}
