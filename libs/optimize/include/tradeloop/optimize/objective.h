// Objective: turns a trial's metrics into the value(s) an optimizer ranks, and applies constraints.
//
// Text forms (the CLI's --objective):
//   sharpe_ratio                    one metric, in its natural direction (see below)
//   max:total_return_pct            explicit direction; `min:` minimizes
//   sharpe_ratio,max_drawdown_pct   several objectives (nsga2; single-objective methods use the first)
//   composite                       sharpe_ratio - 0.05 * max(0, |max_drawdown_pct| - 10)
//   composite:sortino_ratio=1,calmar_ratio=0.5,dd_penalty=0.1,dd_threshold=15
// composite = sum(weight_i * metric_i) - dd_penalty * max(0, |max_drawdown_pct| - dd_threshold),
// maximized; defaults weights {sharpe_ratio: 1}, dd_penalty 0.05 per drawdown percent point,
// dd_threshold 10 (percent). Drawdown-like metrics (max_drawdown_pct, avg_drawdown_pct, var_95_pct,
// cvar_95_pct, ulcer_index) are compared by magnitude, so either sign convention ranks the same.
//
// Natural direction: minimize for the drawdown-like metrics, max_drawdown_duration,
// volatility_ann_pct, commissions, max_consecutive_losses; maximize for everything else.
//
// Constraints reject a trial with a recorded reason; rejected trials never become "best".
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tradeloop/core/result.h"

namespace tradeloop::optimize {

enum class Direction : std::uint8_t { kMaximize = 0, kMinimize = 1 };

struct Constraints {
  std::optional<double> min_trades;        // num_trades >= this
  std::optional<double> max_drawdown_pct;  // |max_drawdown_pct| <= this (percent, positive)
};

class Objective {
 public:
  struct Term {
    std::string metric;  // "sharpe_ratio", or "composite"
    Direction direction = Direction::kMaximize;
    bool magnitude = false;  // compare |value| (drawdown-like metrics)
  };
  struct Score {
    std::vector<double> values;     // as reported (the metric's own value), one per term
    std::vector<double> utilities;  // higher is better; -inf when rejected or not a number
    std::string rejected_reason;    // empty when accepted
  };

  Objective();  // sharpe_ratio
  static Result<Objective> parse(std::string_view text);

  void set_constraints(const Constraints& constraints) { constraints_ = constraints; }
  const Constraints& constraints() const { return constraints_; }

  std::size_t size() const { return terms_.size(); }
  const Term& term(std::size_t i) const { return terms_[i]; }
  // Metric names the objective and constraints read (to check against the evaluator's list).
  std::vector<std::string> metrics_used() const;
  // "sharpe_ratio" / "min:max_drawdown_pct" / the composite's formula, for display.
  std::string describe() const;
  // Canonical text (terms, weights, constraints) for run identities.
  std::string canonical() const;

  Score score(const std::map<std::string, double>& metrics) const;

  // Utility of one reported value of term i (higher is better).
  double utility(std::size_t i, double value) const;

 private:
  std::vector<Term> terms_;
  std::vector<std::pair<std::string, double>> weights_;  // composite
  double dd_penalty_ = 0.05;
  double dd_threshold_ = 10;
  Constraints constraints_;
};

// The metric whose natural direction is minimize, and whether it compares by magnitude.
Direction natural_direction(std::string_view metric);
bool compares_by_magnitude(std::string_view metric);

}  // namespace tradeloop::optimize
