/*
 * Prints the first N points of the unscrambled D-dimensional sequence of
 * model/sp_sobol, one line per point, each coordinate as its 32-bit
 * integer: tests/cli/test_sobol.sh compares them with SciPy's.
 * usage: sobol_points D N
 */
#include <stdio.h>
#include <stdlib.h>

#include "sp_sobol.h"

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: sobol_points D N\n");
        return 2;
    }
    size_t d = strtoul(argv[1], NULL, 10), n = strtoul(argv[2], NULL, 10);
    sp_sobol *s = sp_sobol_alloc(d);
    if (s == NULL) {
        fprintf(stderr, "sobol_points: dimension %zu out of range\n", d);
        return 2;
    }
    for (size_t i = 0; i < n; i++, sp_sobol_next(s))
        for (size_t j = 0; j < d; j++)
            printf("%u%c", (unsigned)s->x[j], j + 1 < d ? ' ' : '\n');
    sp_sobol_free(s);
    return ferror(stdout) ? 1 : 0;
}
