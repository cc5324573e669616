// The MPI executor (built when CMake finds MPI; otherwise the stubs at the bottom report that).
#include <cstdlib>
#include <cstring>
#include <limits>
#include <optional>

#include <fmt/format.h>

#include "tradeloop/optimize/executor.h"

#ifdef TL_HAVE_MPI
#include <mpi.h>
#endif

namespace tradeloop::optimize {
namespace internal {
void run_local(const std::vector<std::size_t>& indices, int jobs, const Executor::Task& task,
               const Executor::OnDone& on_done, std::vector<std::optional<Trial>>& results,
               std::vector<std::optional<Error>>& errors);
int resolve_jobs(int jobs);
}  // namespace internal

bool mpi_launched() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"}) {
    if (std::getenv(name) != nullptr) return true;
  }
  return false;
}

#ifdef TL_HAVE_MPI

namespace {

bool g_we_initialized = false;

// Message per rank: for each of its tasks, a flag byte then either a trial or an error.
void put_u64(std::string& out, std::uint64_t v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof v);
}
std::uint64_t get_u64(std::string_view& in) {
  std::uint64_t v = 0;
  if (in.size() >= sizeof v) {
    std::memcpy(&v, in.data(), sizeof v);
    in.remove_prefix(sizeof v);
  }
  return v;
}

class MpiExecutor final : public Executor {
 public:
  MpiExecutor(int jobs, int rank, int ranks)
      : jobs_(internal::resolve_jobs(jobs)), rank_(rank), ranks_(ranks) {}

  int rank() const override { return rank_; }
  int ranks() const override { return ranks_; }
  int jobs() const override { return jobs_; }

  Result<std::vector<Trial>> run(std::size_t n, const Task& task, const OnDone& on_done) override {
    std::vector<std::size_t> mine;
    for (std::size_t i = static_cast<std::size_t>(rank_); i < n; i += static_cast<std::size_t>(ranks_)) {
      mine.push_back(i);
    }
    std::vector<std::optional<Trial>> results;
    std::vector<std::optional<Error>> errors;
    internal::run_local(mine, jobs_, task, rank_ == 0 ? on_done : OnDone{}, results, errors);

    std::string message;
    for (std::size_t k = 0; k < mine.size(); ++k) {
      put_u64(message, mine[k]);
      if (errors[k]) {
        message.push_back(1);
        put_u64(message, static_cast<std::uint64_t>(errors[k]->code()));
        put_u64(message, errors[k]->message().size());
        message += errors[k]->message();
      } else {
        message.push_back(0);
        serialize_trial(*results[k], message);
      }
    }
    const auto size = static_cast<long long>(message.size());
    std::vector<long long> sizes(static_cast<std::size_t>(ranks_));
    MPI_Allgather(&size, 1, MPI_LONG_LONG, sizes.data(), 1, MPI_LONG_LONG, MPI_COMM_WORLD);
    std::vector<int> counts(static_cast<std::size_t>(ranks_)), displs(static_cast<std::size_t>(ranks_));
    long long total = 0;
    for (int r = 0; r < ranks_; ++r) {
      if (sizes[static_cast<std::size_t>(r)] > std::numeric_limits<int>::max() - total) {
        return Error::resource_exhausted("MPI: a batch of results exceeds 2 GiB; lower the batch size");
      }
      counts[static_cast<std::size_t>(r)] = static_cast<int>(sizes[static_cast<std::size_t>(r)]);
      displs[static_cast<std::size_t>(r)] = static_cast<int>(total);
      total += sizes[static_cast<std::size_t>(r)];
    }
    std::string all(static_cast<std::size_t>(total), '\0');
    MPI_Allgatherv(message.data(), static_cast<int>(message.size()), MPI_BYTE, all.data(), counts.data(),
                   displs.data(), MPI_BYTE, MPI_COMM_WORLD);

    std::vector<std::optional<Trial>> by_index(n);
    std::optional<std::pair<std::size_t, Error>> first_error;
    for (int r = 0; r < ranks_; ++r) {
      std::string_view in(all.data() + displs[static_cast<std::size_t>(r)],
                          counts[static_cast<std::size_t>(r)]);
      while (!in.empty()) {
        const std::size_t index = get_u64(in);
        if (index >= n || in.empty())
          return Error::data_loss(fmt::format("MPI: bad result message from rank {}", r));
        const char flag = in.front();
        in.remove_prefix(1);
        if (flag == 1) {
          const auto code = static_cast<ErrorCode>(get_u64(in));
          const std::size_t len = get_u64(in);
          if (in.size() < len) return Error::data_loss(fmt::format("MPI: truncated error from rank {}", r));
          Error e(code, std::string(in.substr(0, len)));
          in.remove_prefix(len);
          if (!first_error || index < first_error->first) first_error.emplace(index, std::move(e));
          continue;
        }
        TL_ASSIGN_OR_RETURN(Trial trial, deserialize_trial(in));
        if (rank_ == 0 && r != 0 && on_done) on_done(trial);
        by_index[index] = std::move(trial);
      }
    }
    if (first_error) return std::move(first_error->second);
    std::vector<Trial> out;
    out.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
      if (!by_index[i]) return Error::internal(fmt::format("MPI: no rank returned trial {}", i));
      out.push_back(std::move(*by_index[i]));
    }
    return out;
  }

  Status broadcast(std::string& bytes) override {
    long long size = static_cast<long long>(bytes.size());
    MPI_Bcast(&size, 1, MPI_LONG_LONG, 0, MPI_COMM_WORLD);
    bytes.resize(static_cast<std::size_t>(size));
    if (size > std::numeric_limits<int>::max())
      return Error::resource_exhausted("MPI: broadcast exceeds 2 GiB");
    MPI_Bcast(bytes.data(), static_cast<int>(size), MPI_BYTE, 0, MPI_COMM_WORLD);
    return {};
  }

 private:
  int jobs_;
  int rank_;
  int ranks_;
};

}  // namespace

bool mpi_compiled() {
  return true;
}

Status mpi_init(int* argc, char*** argv) {
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (initialized) return {};
  int provided = 0;
  if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
    return Error::unavailable("MPI_Init_thread failed");
  }
  g_we_initialized = true;
  return {};
}

void mpi_finalize() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (g_we_initialized && !finalized) MPI_Finalize();
  g_we_initialized = false;
}

int mpi_world_rank() {
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (!initialized) return 0;
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  return rank;
}

Result<std::unique_ptr<Executor>> make_mpi_executor(int jobs) {
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (!initialized) return Error::failed_precondition("MPI is not initialized (call mpi_init first)");
  int rank = 0, ranks = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &ranks);
  return std::unique_ptr<Executor>(new MpiExecutor(jobs, rank, ranks));
}

#else  // !TL_HAVE_MPI

bool mpi_compiled() {
  return false;
}
Status mpi_init(int*, char***) {
  return Error::unavailable("this tradeloop was built without MPI (install libopenmpi-dev and reconfigure)");
}
void mpi_finalize() {}
int mpi_world_rank() {
  return 0;
}
Result<std::unique_ptr<Executor>> make_mpi_executor(int) {
  return Error::unavailable("this tradeloop was built without MPI (install libopenmpi-dev and reconfigure)");
}

#endif

}  // namespace tradeloop::optimize
