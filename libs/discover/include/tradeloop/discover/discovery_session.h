// run_discovery: one `tradeloop discover` run end to end: load the data targets, open the store,
// start or resume a session, run the loop (threads, and MPI ranks when launched by mpirun), write
// the leaderboard report. The CLI only parses flags into a DiscoverConfig and prints the result.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "tradeloop/core/result.h"
#include "tradeloop/discover/cluster.h"
#include "tradeloop/discover/discovery_loop.h"
#include "tradeloop/discover/quality_gates.h"
#include "tradeloop/discover/store.h"

namespace tradeloop::discover {

struct DiscoverConfig {
  // What defines a session (stored with it; a resumed session keeps them).
  std::vector<std::string> data;   // bar files
  std::vector<std::string> types;  // empty = all
  std::uint64_t seed = 1;
  std::size_t wave_size = 64;
  GateOverrides gates;
  std::string commission = "0.0005";  // --commission syntax of the backtest (5 bps per fill)
  double in_sample_fraction = 0.6;
  std::size_t oos_folds = 4;
  // What a run may change.
  std::int64_t count = -1;    // -1 = endless
  double budget_seconds = 0;  // 0 = none
  int jobs = 0;               // 0 = all cores
  std::string db = "tradeloop.db";
  bool resume = false;
  std::string report;  // HTML leaderboard path; empty = none

  // Session-defining fields as JSON (stored in sessions.config).
  std::string session_json() const;
  // Applies a stored session's fields. Fields named in `given` (flags the user set) must equal the
  // stored values: a mismatch is an error naming the flag and both values.
  Status apply_session_json(const std::string& json, const std::set<std::string>& given);
};

struct DiscoverResult {
  LoopSummary loop;
  std::optional<CandidateRow> best;  // best accepted by sharpe_ratio; else best evaluated by fitness
  std::string report_path;           // written report, empty when none
  std::vector<std::string> notes;    // data notes (gaps, alignment)
  int rank = 0;                      // MPI rank of this process (only rank 0 has a result to print)
  double candidates_per_second = 0;  // this run
};

// `given` names the flags set on the command line (for --resume checks): "data", "types", "seed",
// "wave-size", "gates", "commission". Progress is called on rank 0 after each wave.
Result<DiscoverResult> run_discovery(DiscoverConfig config, const std::set<std::string>& given,
                                     Cluster& cluster, const std::atomic<int>* interrupts,
                                     std::function<void(const Progress&)> on_progress);

// Key metrics shown in listings, in display order.
const std::vector<std::string>& key_metric_names();

}  // namespace tradeloop::discover
