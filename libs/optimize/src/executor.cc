#include "tradeloop/optimize/executor.h"

#include <algorithm>
#include <mutex>
#include <optional>
#include <thread>

#include <tbb/blocked_range.h>
#include <tbb/info.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

namespace tradeloop::optimize {
namespace internal {

// Runs tasks `indices` on `jobs` threads; results[k] / errors[k] for indices[k]. on_done serialized.
void run_local(const std::vector<std::size_t>& indices, int jobs, const Executor::Task& task,
               const Executor::OnDone& on_done, std::vector<std::optional<Trial>>& results,
               std::vector<std::optional<Error>>& errors) {
  results.assign(indices.size(), std::nullopt);
  errors.assign(indices.size(), std::nullopt);
  std::mutex done_mutex;
  const auto one = [&](std::size_t k) {
    Result<Trial> r = task(indices[k]);
    if (!r.ok()) {
      errors[k] = std::move(r).error();
      return;
    }
    results[k] = std::move(r).value();
    if (on_done) {
      std::lock_guard<std::mutex> lock(done_mutex);
      on_done(*results[k]);
    }
  };
  if (jobs <= 1 || indices.size() <= 1) {
    for (std::size_t k = 0; k < indices.size(); ++k) one(k);
    return;
  }
  // TBB does not run more workers than cores; asking for more only prints a warning.
  tbb::task_arena arena(std::min(jobs, std::max(1, tbb::info::default_concurrency())));
  arena.execute([&] {
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, indices.size(), 1),
                      [&](const tbb::blocked_range<std::size_t>& range) {
                        for (std::size_t k = range.begin(); k != range.end(); ++k) one(k);
                      });
  });
}

int resolve_jobs(int jobs) {
  if (jobs > 0) return jobs;
  return std::max(1, tbb::info::default_concurrency());
}

}  // namespace internal

namespace {

class ThreadExecutor final : public Executor {
 public:
  explicit ThreadExecutor(int jobs) : jobs_(internal::resolve_jobs(jobs)) {}

  int jobs() const override { return jobs_; }

  Result<std::vector<Trial>> run(std::size_t n, const Task& task, const OnDone& on_done) override {
    std::vector<std::size_t> indices(n);
    for (std::size_t i = 0; i < n; ++i) indices[i] = i;
    std::vector<std::optional<Trial>> results;
    std::vector<std::optional<Error>> errors;
    internal::run_local(indices, jobs_, task, on_done, results, errors);
    for (auto& e : errors) {
      if (e) return std::move(*e);
    }
    std::vector<Trial> out;
    out.reserve(n);
    for (auto& r : results) out.push_back(std::move(*r));
    return out;
  }

 private:
  int jobs_;
};

}  // namespace

std::unique_ptr<Executor> make_thread_executor(int jobs) {
  return std::make_unique<ThreadExecutor>(jobs);
}

}  // namespace tradeloop::optimize
