/*
 * sp_config: reads a libconfig scenario file into an sp_scenario.
 *
 * This is the only file that includes libconfig. It checks syntax, types,
 * required and unknown keys, ranges, duplicate names, references between
 * elements and the coverage of path periods; every failure names the file,
 * the line and the field path (e.g. "indicators.gdp.path[0].sd") and says
 * what is allowed. Checks that need the formulas or the whole correlation
 * matrix are done by sp_compile().
 */
#ifndef SP_CONFIG_H
#define SP_CONFIG_H

#include "sp_scenario.h"
#include "sp_status.h"

/* Loads and validates `path` into `sc` (zeroed by the caller). On failure
 * `sc` is destroyed, `err` filled, and the status returned: SP_ERR_IO if
 * the file cannot be read, a scenario status (exit code 2) otherwise. */
sp_status sp_config_load(const char *path, sp_scenario *sc, sp_error *err);

/* The same from text already in memory (a state file carries its
 * scenario); `name` is used in messages and as sc->file. */
sp_status sp_config_load_text(const char *name, const char *text,
                              sp_scenario *sc, sp_error *err);

#endif /* SP_CONFIG_H */
