// DiscoveryLoop: the endless generate -> test -> gate -> keep loop. Waves of candidates are
// planned by a CandidateGenerator (deterministic: seed, wave number and the stored history only),
// stored, evaluated in parallel by an Evaluator (threads within a process, ranks across an MPI
// cluster), gated in candidate order by QualityGates (with the deflated Sharpe ratio given every
// trial so far and the correlation with every strategy accepted so far) and recorded, one
// transaction per wave. A session killed at any moment resumes from the store: stored candidates
// are never planned again and a candidate with a verdict is never evaluated again.
//
// The loop borrows the store, generator, evaluator and cluster; they must outlive run().
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "tradeloop/core/result.h"
#include "tradeloop/discover/candidate.h"
#include "tradeloop/discover/cluster.h"
#include "tradeloop/discover/quality_gates.h"
#include "tradeloop/discover/store.h"
#include "tradeloop/discover/trial_clusters.h"

namespace tradeloop::discover {

/// What a generator may read to plan a wave.
struct PlanContext {
  std::uint64_t seed = 0;
  std::int64_t wave = 0;                  // the wave being planned
  std::int64_t first_index = 0;           // index of its first candidate
  std::size_t count = 0;                  // how many to plan
  std::span<const CandidateRow> history;  // every stored candidate of the session, in index order
  // Every hash in the session. Planned candidates must not be in it; the generator adds theirs.
  std::unordered_set<std::string>* seen = nullptr;
};

class CandidateGenerator {
 public:
  virtual ~CandidateGenerator() = default;
  // Plans up to ctx.count valid, new candidates with index first_index, first_index + 1, ... and
  // wave ctx.wave. Fewer (even none) when the search space is exhausted. Must be a function of
  // ctx alone.
  virtual Result<std::vector<Candidate>> plan_wave(const PlanContext& ctx) = 0;
};

class Evaluator {
 public:
  virtual ~Evaluator() = default;
  // Tests one candidate: in-sample backtest and out-of-sample validation. Called concurrently from
  // several threads; must not depend on the order of calls.
  virtual Evaluation evaluate(const Candidate& candidate) const = 0;
  // The frequency class of a target's data (selects default gates).
  virtual FrequencyClass frequency(std::string_view target) const = 0;
};

struct Progress {
  std::int64_t session_id = 0;
  std::int64_t wave = 0;
  std::int64_t evaluated = 0;  // in the session
  std::int64_t accepted = 0;
  std::int64_t evaluated_this_run = 0;
  double seconds = 0;     // this run
  std::string best_name;  // best accepted strategy so far (by sharpe_ratio); empty when none
  double best_sharpe = 0;
};

struct LoopOptions {
  std::int64_t count = -1;    // stop after this many evaluated candidates in the session; -1 = endless
  double budget_seconds = 0;  // stop after this long in this run; 0 = no limit
  std::size_t wave_size = 64;
  int jobs = 0;  // threads per process; 0 = all cores
  std::uint64_t seed = 0;
  GateOverrides gates;
  // Incremented by the caller's SIGINT handler: 1 = finish the current wave, then stop; 2 or more
  // = stop after the candidates in flight.
  const std::atomic<int>* interrupts = nullptr;
  std::function<void(const Progress&)> on_progress;  // after each wave, on rank 0
  std::function<Timestamp()> now;                    // wall clock for the store; system clock when empty
};

struct LoopSummary {
  SessionRecord session;
  std::int64_t evaluated_this_run = 0;
  double seconds = 0;
  double evaluation_seconds = 0;  // summed evaluation time this run (all threads)
  // Wall time of each phase of the waves this run (rank 0): planning (generation, validation,
  // dedupe), storing the planned wave, evaluating (backtests, all threads and ranks), gating, and
  // storing the verdicts.
  struct Phases {
    double plan = 0, store_planned = 0, evaluate = 0, gate = 0, record = 0;
  } phases;
};

class DiscoveryLoop {
 public:
  DiscoveryLoop(DiscoveryStore* store, CandidateGenerator* generator, const Evaluator* evaluator,
                Cluster* cluster, LoopOptions options);

  // Runs (or resumes) `session` until its count, the budget or an interrupt. On rank 0 `store`
  // and `generator` are used and `session` is written back; other ranks only evaluate (store and
  // generator may be null there, and `session` is ignored).
  Result<LoopSummary> run(SessionRecord session);

 private:
  DiscoveryStore* store_;
  CandidateGenerator* generator_;
  const Evaluator* evaluator_;
  Cluster* cluster_;
  LoopOptions options_;
};

// The gate step on its own (the loop's sequencer, exposed for tests): given what was accepted and
// tried before on the same targets, adds deflated_sharpe, trials, effective_trials, trial_cluster,
// max_correlation and correlated_with to the candidate's metrics and decides. Keeps state across
// calls in index order.
//
// Deflated Sharpe ratio: the candidate's in-sample per-bar Sharpe ratio against the best expected
// from K unskilled independent trials, K the number of clusters of the target's trials so far
// (itself included) and V the variance of the clusters' Sharpe ratios (trial_clusters.h).
class GateKeeper {
 public:
  GateKeeper(GateOverrides overrides, std::function<FrequencyClass(std::string_view)> frequency);

  // Replays stored history (resume): first every trial cluster's leader, then the evaluated
  // candidates in index order, and the accepted strategies. add_history fails when a row's
  // trial_cluster is not a known leader (a database written by an older version).
  void add_trial_leader(const std::string& target, std::int64_t id, std::vector<double> signature);
  Status add_history(const CandidateRow& row);
  void add_accepted(const StrategyRecord& strategy);

  // Decides one evaluated candidate (the next in index order).
  CandidateResult decide(const Candidate& candidate, Evaluation evaluation);

  const QualityGates& gates_for(std::string_view target);

 private:
  struct TargetState {
    std::optional<TrialClusters> trials;                                 // created with the target's gates
    std::vector<std::pair<std::int64_t, std::vector<double>>> accepted;  // id, returns
    bool gates_known = false;
    QualityGates gates;
  };
  TargetState& state(std::string_view target);
  TrialClusters& trials(std::string_view target);

  GateOverrides overrides_;
  std::function<FrequencyClass(std::string_view)> frequency_;
  std::vector<std::pair<std::string, TargetState>> targets_;
};

// Pearson correlation of two return series over their common length (aligned at the end); NaN
// when either has no variance.
double returns_correlation(std::span<const double> a, std::span<const double> b);

}  // namespace tradeloop::discover
