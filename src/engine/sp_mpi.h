/*
 * sp_mpi: one run split across MPI ranks (the only file that includes
 * mpi.h; without SIMPLAN_MPI every function reports a single process).
 *
 * Under an MPI launcher (mpirun, srun) rank r of R runs slice r+1 of R --
 * contiguous blocks, with OpenMP threads inside the rank -- and sends its
 * state to rank 0, which merges the states exactly as `simplan merge`
 * does and writes the report. The result is bit-identical to one process.
 */
#ifndef SP_MPI_H
#define SP_MPI_H

#include <stdbool.h>
#include <stddef.h>

#include "sp_status.h"

/* True when built with MPI and started by an MPI launcher. */
bool sp_mpi_launched(void);

/* Initialises MPI (only when launched) and gives this rank and the number
 * of ranks (0 and 1 otherwise). */
sp_status sp_mpi_init(int *argc, char ***argv, int *rank, int *size,
                      sp_error *err);

/* This process's rank and the number of ranks (0 and 1 without MPI). */
int sp_mpi_rank(void);
int sp_mpi_size(void);

/* Finalises MPI if it was initialised. */
void sp_mpi_finalize(void);

/* The worst status over all ranks (the largest exit code wins), so that
 * every rank stops together. */
sp_status sp_mpi_agree(sp_status mine);

/* Gathers one byte buffer from every rank on rank 0, in rank order:
 * there *bufs and *sizes receive malloc'd arrays of `size` entries (each
 * buffer malloc'd); elsewhere they are set to NULL. Running out of memory
 * on rank 0 aborts all ranks with exit code 3. */
sp_status sp_mpi_gather(const char *buf, size_t len, char ***bufs,
                        size_t **sizes, sp_error *err);

#endif /* SP_MPI_H */
