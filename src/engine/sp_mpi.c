/*
 * sp_mpi: MPI start-up, agreement on failure, and gathering states.
 */
#define _POSIX_C_SOURCE 200809L
#include "sp_mpi.h"

#include <stdlib.h>
#include <string.h>

#ifdef SIMPLAN_HAVE_MPI
#include <mpi.h>

static bool initialised = false;

bool sp_mpi_launched(void)
{
    /* Open MPI's mpirun, and PMIx/PMI launchers such as srun. */
    return getenv("OMPI_COMM_WORLD_SIZE") != NULL ||
           getenv("PMIX_RANK") != NULL || getenv("PMI_SIZE") != NULL;
}

sp_status sp_mpi_init(int *argc, char ***argv, int *rank, int *size,
                      sp_error *err)
{
    *rank = 0;
    *size = 1;
    if (!sp_mpi_launched())
        return SP_OK;
    int provided;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) !=
        MPI_SUCCESS)
        return sp_error_set(err, SP_ERR_IO, NULL, 0, NULL,
                            "cannot initialise MPI");
    initialised = true;
    MPI_Comm_rank(MPI_COMM_WORLD, rank);
    MPI_Comm_size(MPI_COMM_WORLD, size);
    return SP_OK;
}

void sp_mpi_finalize(void)
{
    if (initialised)
        MPI_Finalize();
    initialised = false;
}

sp_status sp_mpi_agree(sp_status mine)
{
    if (!initialised)
        return mine;
    int code = (int)mine, worst = code;
    MPI_Allreduce(&code, &worst, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    return (sp_status)worst;
}

sp_status sp_mpi_gather(const char *buf, size_t len, char ***bufs,
                        size_t **sizes, sp_error *err)
{
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    *bufs = NULL;
    *sizes = NULL;
    unsigned long long mine = len;
    unsigned long long *lens =
        rank == 0 ? calloc((size_t)size, sizeof *lens) : NULL;
    MPI_Gather(&mine, 1, MPI_UNSIGNED_LONG_LONG, lens, 1,
               MPI_UNSIGNED_LONG_LONG, 0, MPI_COMM_WORLD);
    if (rank != 0) {
        MPI_Send(buf, (int)len, MPI_BYTE, 0, 1, MPI_COMM_WORLD);
        return SP_OK;
    }
    *bufs = calloc((size_t)size, sizeof **bufs);
    *sizes = calloc((size_t)size, sizeof **sizes);
    if (lens == NULL || *bufs == NULL || *sizes == NULL)
        MPI_Abort(MPI_COMM_WORLD, 3); /* out of memory on rank 0 */
    for (int r = 0; r < size; r++) {
        size_t n = (size_t)lens[r];
        char *b = malloc(n ? n : 1);
        if (b == NULL)
            MPI_Abort(MPI_COMM_WORLD, 3);
        if (r == 0)
            memcpy(b, buf, len);
        else
            MPI_Recv(b, (int)n, MPI_BYTE, r, 1, MPI_COMM_WORLD,
                     MPI_STATUS_IGNORE);
        (*bufs)[r] = b;
        (*sizes)[r] = n;
    }
    free(lens);
    (void)err;
    return SP_OK;
}

int sp_mpi_rank(void)
{
    int rank = 0;
    if (initialised)
        MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    return rank;
}

int sp_mpi_size(void)
{
    int size = 1;
    if (initialised)
        MPI_Comm_size(MPI_COMM_WORLD, &size);
    return size;
}

#else /* without MPI: one process */

bool sp_mpi_launched(void)
{
    return false;
}

sp_status sp_mpi_init(int *argc, char ***argv, int *rank, int *size,
                      sp_error *err)
{
    (void)argc;
    (void)argv;
    (void)err;
    *rank = 0;
    *size = 1;
    return SP_OK;
}

void sp_mpi_finalize(void)
{
}

sp_status sp_mpi_agree(sp_status mine)
{
    return mine;
}

int sp_mpi_rank(void)
{
    return 0;
}

int sp_mpi_size(void)
{
    return 1;
}

sp_status sp_mpi_gather(const char *buf, size_t len, char ***bufs,
                        size_t **sizes, sp_error *err)
{
    (void)buf;
    (void)len;
    *bufs = NULL;
    *sizes = NULL;
    return sp_error_set(err, SP_ERR_UNSUPPORTED, NULL, 0, NULL,
                        "this simplan was built without MPI");
}

#endif
