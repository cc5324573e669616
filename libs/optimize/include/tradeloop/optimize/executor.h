// Executor: runs a batch of trials in parallel. Threads (TBB) inside one process; MPI across
// processes (each rank takes the trials i with i % ranks == rank, runs them on its threads, and all
// ranks then exchange results so each holds the whole batch in trial order). Results never depend
// on the number of threads or ranks: every trial is a pure function of its index.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tradeloop/core/result.h"
#include "tradeloop/optimize/trial.h"

namespace tradeloop::optimize {

class Executor {
 public:
  using Task = std::function<Result<Trial>(std::size_t)>;
  using OnDone = std::function<void(const Trial&)>;

  virtual ~Executor() = default;

  virtual int rank() const { return 0; }
  virtual int ranks() const { return 1; }
  bool is_root() const { return rank() == 0; }
  // Threads per process.
  virtual int jobs() const = 0;

  // Runs task(i) for i in [0, n). On return every rank holds all n results, in order, or the error
  // of the lowest failing i (the same on every rank). on_done (may be empty) runs on the root for
  // each result as it becomes available there, one call at a time (never concurrently).
  virtual Result<std::vector<Trial>> run(std::size_t n, const Task& task, const OnDone& on_done) = 0;

  // Collective: every rank gets the root's `bytes`. No-op in one process.
  virtual Status broadcast(std::string& bytes) {
    (void)bytes;
    return {};
  }
};

// Threads of this process; jobs <= 0 means all hardware threads.
std::unique_ptr<Executor> make_thread_executor(int jobs);

// --- MPI (OpenMPI). Optional at build time; mpi_compiled() tells. ---
bool mpi_compiled();
// True when this process was started by mpirun/mpiexec (OpenMPI or PMI environment variables).
bool mpi_launched();
// MPI_Init_thread (funneled). Idempotent. Call from main before any executor is made.
Status mpi_init(int* argc, char*** argv);
// MPI_Finalize when mpi_init initialized MPI.
void mpi_finalize();
// An executor over MPI_COMM_WORLD with `jobs` threads per rank. REQUIRES: mpi_init succeeded.
Result<std::unique_ptr<Executor>> make_mpi_executor(int jobs);
// Rank in MPI_COMM_WORLD (0 when MPI is not initialized).
int mpi_world_rank();

}  // namespace tradeloop::optimize
