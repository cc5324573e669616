// Cluster: the processes one discovery session runs on. A plain process is a cluster of one; under
// `mpirun -np N` every rank joins an MPI cluster. Rank 0 plans waves and owns the database; every
// rank (0 included) evaluates its share of each wave and sends the results to rank 0, so the
// session's results equal those of one process.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace tradeloop::discover {

class Cluster {
 public:
  virtual ~Cluster() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  bool is_root() const { return rank() == 0; }
  // Rank 0's `data` replaces every other rank's.
  virtual void broadcast(std::string& data) = 0;
  // Rank 0 receives every rank's `data` in rank order (its own first); other ranks get {}.
  virtual std::vector<std::string> gather(const std::string& data) = 0;
  // Every rank stops for the others' failure: a rank that returns an error sends it here.
  virtual void abort(int code) = 0;
};

// One process, no communication.
std::unique_ptr<Cluster> make_local_cluster();

// The MPI world when this process was started by mpirun (OpenMPI's or a PMI launcher's
// environment) and MPI support was built in; otherwise a local cluster. Initializes MPI on first
// use and finalizes it at exit. `mpi_started` is set to whether MPI is in use.
std::unique_ptr<Cluster> make_cluster_from_environment(bool* mpi_started = nullptr);

}  // namespace tradeloop::discover
