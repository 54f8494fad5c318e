/*
 * fuzz_state: libFuzzer harness for the state-file reader.
 *
 * A state file ends in the SHA-256 of everything before it, so random
 * bytes are refused at the checksum and never reach the field checks. The
 * harness therefore damages a real state instead: at start-up it runs 3
 * blocks of a small scenario (embedded below) and serialises the state;
 * each input is then read as edits, 5 bytes each (a 32-bit offset into
 * the body, little-endian, and the byte to put there), optionally followed
 * by a new length. After the edits the checksum is recomputed, as a
 * crafted file would have it, and sp_state_from_bytes must return a
 * status -- never crash, leak or read out of bounds; a state it accepts
 * must survive a report (sp_state_result) or be refused there with a
 * message.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "sp_compile.h"
#include "sp_config.h"
#include "sp_digest.h"
#include "sp_mc.h"
#include "sp_result.h"
#include "sp_rng.h"
#include "sp_state.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char scenario[] =
    "scenario = { name = \"fuzz\"; base_year = 2020; horizon = 2023; };\n"
    "simulation = { draws = 3000; seed = 9; };\n"
    "indicators = (\n"
    "  { name = \"gdp\"; kind = \"rate\"; base = 100.0; trend_sd = 0.01;\n"
    "    ar1 = 0.3;\n"
    "    path = ( { from = 2021; to = 2023; mean = 0.05; sd = 0.02; } ); },\n"
    "  { name = \"s\"; kind = \"share\"; base = 0.3;\n"
    "    path = ( { from = 2021; to = 2023; mean = 0.01; sd = 0.01; } ); },\n"
    "  { name = \"x\"; kind = \"derived\"; formula = \"gdp * s\"; }\n"
    ");\n"
    "targets = (\n"
    "  { id = \"g\"; name = \"g\"; indicator = \"gdp\"; measure = \"cagr\";\n"
    "    from = 2020; to = 2023; op = \">=\"; value = 0.05; },\n"
    "  { id = \"h\"; name = \"h\"; indicator = \"s\"; measure = \"level\";\n"
    "    year = 2023; op = \"between\"; range = [0.3, 0.4]; }\n"
    ");\n";

static sp_scenario sc;
static sp_compiled c;
static char *good;       /* the serialised state */
static size_t good_size; /* with its checksum */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    gsl_set_error_handler_off();
    sp_error err;
    sp_error_clear(&err);
    if (sp_config_load_text("fuzz.cfg", scenario, &sc, &err) != SP_OK ||
        sp_compile(&sc, &c, &err) != SP_OK)
        abort();
    sp_mc_config cfg = {3000, 9, sp_rng_lookup(NULL), 1, SP_VR_NONE};
    sp_mc *mc = sp_mc_alloc(&sc, &c, &cfg, &err);
    if (mc == NULL)
        abort();
    sp_mc_run(mc, 0, sp_mc_blocks(mc));
    if (sp_state_to_bytes(sp_mc_state(mc), &good, &good_size, &err) != SP_OK)
        abort();
    sp_mc_free(mc);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t body = good_size - SP_DIGEST_SIZE, len = body;
    size_t n_edits = size / 5;
    if (size % 5 >= 4) { /* a trailing 32-bit length */
        uint32_t l;
        memcpy(&l, data + 5 * n_edits, 4);
        len = l % (body + 64);
    }
    char *buf = malloc(len + SP_DIGEST_SIZE);
    if (buf == NULL)
        return 0;
    memset(buf, 0, len);
    memcpy(buf, good, len < body ? len : body);
    for (size_t e = 0; e < n_edits && len > 0; e++) {
        uint32_t off;
        memcpy(&off, data + 5 * e, 4);
        buf[off % len] = (char)data[5 * e + 4];
    }
    sp_digest(buf, len, (uint8_t *)buf + len);
    sp_state *st = NULL;
    sp_error err;
    sp_error_clear(&err);
    sp_status rc =
        sp_state_from_bytes(buf, len + SP_DIGEST_SIZE, "fuzz", &st, &err);
    if (rc != SP_OK && (st != NULL || err.message[0] == '\0'))
        abort();
    if (rc == SP_OK) {
        sp_result res = {0};
        rc = sp_state_result(st, &sc, &c, &res, &err);
        if (rc != SP_OK && err.message[0] == '\0')
            abort();
        sp_result_destroy(&res);
        sp_state_free(st);
    }
    free(buf);
    return 0;
}
