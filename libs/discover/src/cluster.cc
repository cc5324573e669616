#include "tradeloop/discover/cluster.h"

#include <cstdlib>

#ifdef TL_DISCOVER_HAVE_MPI
#include <mpi.h>
#endif

namespace tradeloop::discover {

namespace {

class LocalCluster final : public Cluster {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  void broadcast(std::string&) override {}
  std::vector<std::string> gather(const std::string& data) override { return {data}; }
  void abort(int code) override { std::exit(code); }
};

#ifdef TL_DISCOVER_HAVE_MPI
class MpiCluster final : public Cluster {
 public:
  MpiCluster() {
    int initialized = 0;
    MPI_Initialized(&initialized);
    if (!initialized) {
      int provided = 0;
      MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
      owns_ = true;
    }
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
  }
  ~MpiCluster() override {
    if (owns_) MPI_Finalize();
  }
  int rank() const override { return rank_; }
  int size() const override { return size_; }

  void broadcast(std::string& data) override {
    unsigned long long n = data.size();
    MPI_Bcast(&n, 1, MPI_UNSIGNED_LONG_LONG, 0, MPI_COMM_WORLD);
    data.resize(n);
    // Messages stay far below 2 GiB (one wave of specs, or one rank's evaluations).
    MPI_Bcast(data.data(), static_cast<int>(n), MPI_CHAR, 0, MPI_COMM_WORLD);
  }

  std::vector<std::string> gather(const std::string& data) override {
    int n = static_cast<int>(data.size());
    std::vector<int> sizes(rank_ == 0 ? static_cast<std::size_t>(size_) : 0);
    MPI_Gather(&n, 1, MPI_INT, sizes.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
    std::vector<int> offsets(sizes.size());
    std::string all;
    if (rank_ == 0) {
      int total = 0;
      for (std::size_t r = 0; r < sizes.size(); ++r) {
        offsets[r] = total;
        total += sizes[r];
      }
      all.resize(static_cast<std::size_t>(total));
    }
    MPI_Gatherv(data.data(), n, MPI_CHAR, all.data(), sizes.data(), offsets.data(), MPI_CHAR, 0,
                MPI_COMM_WORLD);
    std::vector<std::string> out;
    for (std::size_t r = 0; r < sizes.size(); ++r) {
      out.push_back(all.substr(static_cast<std::size_t>(offsets[r]), static_cast<std::size_t>(sizes[r])));
    }
    return out;
  }

  void abort(int code) override { MPI_Abort(MPI_COMM_WORLD, code); }

 private:
  int rank_ = 0;
  int size_ = 1;
  bool owns_ = false;
};
#endif

bool launched_by_mpirun() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"}) {
    if (std::getenv(name) != nullptr) return true;
  }
  return false;
}

}  // namespace

std::unique_ptr<Cluster> make_local_cluster() {
  return std::make_unique<LocalCluster>();
}

std::unique_ptr<Cluster> make_cluster_from_environment(bool* mpi_started) {
  if (mpi_started != nullptr) *mpi_started = false;
#ifdef TL_DISCOVER_HAVE_MPI
  if (launched_by_mpirun()) {
    if (mpi_started != nullptr) *mpi_started = true;
    return std::make_unique<MpiCluster>();
  }
#else
  (void)launched_by_mpirun;
#endif
  return make_local_cluster();
}

}  // namespace tradeloop::discover
