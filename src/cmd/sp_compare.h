/*
 * sp_compare: several runs side by side, as `simplan batch` compares them
 * (comparison.csv, comparison.md and the table on a terminal).
 */
#ifndef SP_COMPARE_H
#define SP_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "sp_result.h"
#include "sp_scenario.h"
#include "sp_status.h"

/* One run: its name (the column heading) and, when it succeeded, its
 * scenario and result (NULL for a run that failed). */
typedef struct {
    const char *name;
    const sp_scenario *sc;
    const sp_result *res;
} sp_compare_entry;

typedef enum {
    SP_COMPARE_CSV,      /* scenario,target,name,probability,ci_low,... */
    SP_COMPARE_MARKDOWN, /* a row per target, a column per run */
    SP_COMPARE_TABLE     /* the same, aligned for a terminal */
} sp_compare_format;

/* Writes the comparison of e[0..n) to `out`; SP_ERR_IO on a write error. */
sp_status sp_compare_write(FILE *out, const sp_compare_entry *e, size_t n,
                           sp_compare_format format, sp_error *err);

/* DIR/comparison.csv and DIR/comparison.md, each replaced in one step. */
sp_status sp_compare_save(const char *dir, const sp_compare_entry *e, size_t n,
                          sp_error *err);

#endif /* SP_COMPARE_H */
