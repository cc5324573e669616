// optimize(): runs a search over a parameter space with an evaluator, in batches on an executor,
// streaming trials into a store, and reports the best trial, the Pareto front (several objectives),
// the best point's parameter stability, the deflated Sharpe ratio and PBO.
//
// The loop: the search method proposes a batch from the history -> new points get the next trial
// indices -> the executor evaluates them (threads, MPI ranks) -> results join the history in index
// order. With a store and `resume`, trials already in the store for the same run id are taken from
// it instead of being evaluated again.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tradeloop/core/result.h"
#include "tradeloop/optimize/evaluator.h"
#include "tradeloop/optimize/executor.h"
#include "tradeloop/optimize/objective.h"
#include "tradeloop/optimize/overfitting.h"
#include "tradeloop/optimize/param_space.h"
#include "tradeloop/optimize/progress_bar.h"
#include "tradeloop/optimize/search_method.h"
#include "tradeloop/optimize/trial.h"
#include "tradeloop/optimize/trial_store.h"

namespace tradeloop::optimize {

struct OptimizeOptions {
  SearchConfig search;
  Objective objective;
  BarSelection selection;        // bars to evaluate on; empty = all
  EvalOptions eval;              // blocks for PBO; keep_returns to keep each trial's series
  Executor* executor = nullptr;  // null: a thread executor with `jobs`
  int jobs = 0;                  // threads when executor is null (<= 0: all cores)
  TrialStore* store = nullptr;   // optional; written by the root rank only
  bool resume = false;
  std::string run_kind = "optimize";
  std::string run_salt;  // extra identity (e.g. "fold 3 of walkforward ...")
  ProgressBar* progress = nullptr;
  std::string progress_label;
  bool overfitting = true;  // compute the deflated Sharpe ratio and PBO
  bool stability = true;    // evaluate the best point's neighbours
};

// Spread of the objective over the best point's lattice neighbours (one step along one parameter).
struct Stability {
  bool valid = false;
  std::size_t neighbours = 0;  // accepted neighbours measured
  std::size_t rejected = 0;    // neighbours rejected by constraints
  double best_value = 0;
  double mean = 0, stdev = 0, min = 0, max = 0;
  // stdev / |best_value|: how sharp the optimum is (0 = a plateau).
  double relative_spread = 0;
};

struct OptimizeResult {
  std::string run_id;
  std::vector<Trial> trials;              // in index order
  std::ptrdiff_t best = -1;               // position in trials; -1 when no trial was accepted
  std::vector<std::size_t> pareto_front;  // positions of accepted non-dominated trials (>= 2 objectives)
  Stability stability;
  DeflatedSharpe deflated_sharpe;
  Pbo pbo;
  std::size_t resumed_trials = 0;    // taken from the store
  std::size_t evaluated_trials = 0;  // evaluated in this call
  std::uint64_t bars = 0;            // bars per trial (the selection's size)
  double seconds = 0;                // wall time of the search loop
  double overfitting_seconds = 0;
};

// Hex id of everything that determines the trials (evaluator identity, space, objective with
// constraints, search config, selection, blocks, salt). Not the number of threads or ranks.
std::string run_identity(const Evaluator& evaluator, const ParamSpace& space, const OptimizeOptions& options);

Result<OptimizeResult> optimize(const Evaluator& evaluator, const ParamSpace& space,
                                const OptimizeOptions& options);

// Per-period Sharpe ratios of trials that have return statistics.
std::vector<double> trial_sharpes(const std::vector<Trial>& trials);

// Checks the objective's metrics against the evaluator's metric names ("did you mean ...").
Status check_objective_metrics(const Evaluator& evaluator, const Objective& objective);

}  // namespace tradeloop::optimize
