// Trial: one evaluated parameter point of an optimization run, with its score. Trials are numbered
// in the order the search proposed them (never in completion order), which is what makes results
// identical for any number of threads or MPI ranks.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "tradeloop/core/result.h"
#include "tradeloop/optimize/evaluator.h"
#include "tradeloop/optimize/objective.h"
#include "tradeloop/optimize/param_space.h"

namespace tradeloop::optimize {

enum class TrialStatus : std::uint8_t { kOk = 0, kRejected = 1 };

std::string_view trial_status_name(TrialStatus status);

struct Trial {
  std::uint64_t index = 0;
  ParamPoint params;
  TrialStatus status = TrialStatus::kOk;
  std::string reason;             // why rejected
  std::vector<double> values;     // objective values as reported, one per objective term
  std::vector<double> utilities;  // higher is better; -inf when rejected
  Evaluation eval;                // metrics, return statistics (record is never kept on a trial)

  bool ok() const { return status == TrialStatus::kOk; }
  double value() const { return values.empty() ? std::numeric_limits<double>::quiet_NaN() : values[0]; }
  double utility() const {
    return utilities.empty() ? -std::numeric_limits<double>::infinity() : utilities[0];
  }
};

// Scores an evaluation into a trial (rejections from the evaluator or the objective's constraints).
Trial make_trial(std::uint64_t index, ParamPoint params, Evaluation eval, const Objective& objective);

// Exact binary round trip (doubles bit for bit), for MPI messages and the trial store.
void serialize_trial(const Trial& trial, std::string& out);
Result<Trial> deserialize_trial(std::string_view& in);

// Index of the best accepted trial by the first objective (ties: lowest index); -1 when none.
std::ptrdiff_t best_trial(const std::vector<Trial>& trials);

}  // namespace tradeloop::optimize
