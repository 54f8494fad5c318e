/*
 * A shipped scenario loaded and compiled for the unit tests that run the
 * engine on one (test_mc, test_state). SCENARIO_DIR is set by
 * tests/CMakeLists.txt; a scenario that fails to load fails the test with
 * its file, line and field.
 */
#ifndef SP_TEST_SCENARIO_H
#define SP_TEST_SCENARIO_H

#include <stdio.h>
#include <string.h>

#include "sp_compile.h"
#include "sp_config.h"
#include "sp_test.h"

typedef struct {
    sp_scenario sc;
    sp_compiled c;
} loaded;

/* Loads and compiles SCENARIO_DIR/name into `l`. */
static void load(loaded *l, const char *name)
{
    memset(l, 0, sizeof *l);
    char path[512];
    snprintf(path, sizeof path, "%s/%s", SCENARIO_DIR, name);
    sp_error err;
    sp_error_clear(&err);
    if (sp_config_load(path, &l->sc, &err) != SP_OK ||
        sp_compile(&l->sc, &l->c, &err) != SP_OK)
        fail_msg("%s:%d: %s: %s", err.file, err.line, err.field, err.message);
}

static void unload(loaded *l)
{
    sp_compiled_destroy(&l->c);
    sp_scenario_destroy(&l->sc);
}

#endif /* SP_TEST_SCENARIO_H */
