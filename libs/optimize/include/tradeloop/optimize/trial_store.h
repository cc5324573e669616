// TrialStore: optimization trials in SQLite (WAL), written as they finish, so an interrupted run can
// resume without redoing finished trials.
//
// Tables: optimize_runs(run_id, kind, config, status, created_at, updated_at) and
// optimize_trials(run_id, trial, params JSON, value, status, reason, metrics JSON, record BLOB,
// finished_at), one row per trial. `record` is the exact binary trial (doubles bit for bit), so a
// resumed run reproduces the uninterrupted one exactly. A run id is a hash of everything that
// determines the trials (data, strategy, method, space, seed, objective), see optimizer.h.
//
// Thread-safe. Rows are committed in small transactions at least every 100 ms and on flush().
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tradeloop/core/result.h"
#include "tradeloop/optimize/param_space.h"
#include "tradeloop/optimize/trial.h"

namespace tradeloop::optimize {

class TrialStore {
 public:
  static Result<std::unique_ptr<TrialStore>> open(const std::string& path);
  ~TrialStore();
  TrialStore(const TrialStore&) = delete;
  TrialStore& operator=(const TrialStore&) = delete;

  // Starts run `run_id`. With resume, returns its finished trials in index order (empty for a new
  // run); without, forgets any earlier trials of the same id and starts over.
  Result<std::vector<Trial>> begin_run(const std::string& run_id, const std::string& kind,
                                       const std::string& config_json, bool resume);
  // Writes one finished trial (committed within 100 ms, or at flush()).
  Status add(const std::string& run_id, const Trial& trial, const ParamSpace& space);
  Status flush();
  // Marks the run "done" (or another status) and flushes.
  Status finish_run(const std::string& run_id, const std::string& status);

  Result<std::size_t> count_trials(const std::string& run_id);
  Result<std::string> run_status(const std::string& run_id);  // not_found when absent

  const std::string& path() const { return path_; }

 private:
  struct Impl;
  TrialStore(std::string path, std::unique_ptr<Impl> impl);
  Status commit_locked();

  std::string path_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tradeloop::optimize
