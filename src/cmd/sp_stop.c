/*
 * sp_stop: the error of a stopped computation.
 */
#include "sp_stop.h"

_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "atomic int must be lock-free");

sp_status sp_stop_check(const atomic_int *flag, sp_error *err, const char *what)
{
    int v = flag != NULL ? atomic_load(flag) : 0;
    if (v == 0)
        return SP_OK;
    if (v == SP_STOP_CANCEL)
        return sp_error_set(err, SP_ERR_CANCELLED, NULL, 0, NULL,
                            "cancelled; %s", what);
    return sp_error_set(err, SP_ERR_IO, NULL, 0, NULL,
                        "interrupted by signal %d; %s", v, what);
}
