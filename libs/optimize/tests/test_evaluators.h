// Evaluators for the optimizer's tests: metrics from a plain function of the parameters, and a
// deterministic per-bar return series (seeded by the point) so DSR/PBO have data.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <thread>

#include "tradeloop/optimize/evaluator.h"
#include "tradeloop/optimize/hash.h"
#include "tradeloop/optimize/rng.h"

namespace tradeloop::optimize::testing {

using MetricFn = std::function<std::map<std::string, double>(const ParamPoint&)>;

class FunctionEvaluator : public Evaluator {
 public:
  FunctionEvaluator(MetricFn fn, std::size_t bars = 400, std::string name = "function")
      : fn_(std::move(fn)), bars_(bars), name_(std::move(name)) {}

  std::size_t bars() const override { return bars_; }
  std::string identity() const override { return name_; }

  Result<Evaluation> evaluate(const ParamSpace& space, const ParamPoint& point, const BarSelection& bars,
                              const EvalOptions& options) const override {
    calls_.fetch_add(1);
    if (fail_after_ >= 0 && calls_.load() > fail_after_)
      return Error::unavailable("evaluator stopped (test)");
    if (delay_us_ > 0) {
      // Point-dependent delays shuffle completion order across threads.
      const auto h = fnv1a64(space.key(point));
      std::this_thread::sleep_for(std::chrono::microseconds(h % static_cast<std::uint64_t>(delay_us_)));
    }
    Evaluation e;
    e.metrics = fn_(point);
    // Returns: a drift from the metric "score" (if any) plus noise seeded by the point.
    const auto it = e.metrics.find("score");
    const double drift = it == e.metrics.end() ? 0.0 : 1e-4 * it->second;
    std::vector<double> returns;
    for (const BarRange& r : bars) {
      for (std::size_t i = r.begin + 1; i < r.end; ++i) {
        // Advance the generator per absolute bar so a bar's return does not depend on the selection.
        Rng bar_rng(fnv1a64(space.key(point)) ^ (i * 0x9E3779B97F4A7C15ULL), 11);
        returns.push_back(drift + 0.01 * bar_rng.normal());
      }
    }
    e.stats = summarize_returns(returns, options.blocks);
    if (options.keep_returns) e.returns = std::move(returns);
    return e;
  }

  int calls() const { return calls_.load(); }
  void reset_calls() { calls_ = 0; }
  void set_delay_us(int us) { delay_us_ = us; }
  void set_fail_after(int n) { fail_after_ = n; }

 private:
  MetricFn fn_;
  std::size_t bars_;
  std::string name_;
  mutable std::atomic<int> calls_{0};
  int delay_us_ = 0;
  int fail_after_ = -1;
};

// Per-bar returns given by a function of (point, bar); metrics computed from the returns over the
// selection (each range a separate run, stitched), so in- and out-of-sample results differ.
using ReturnFn = std::function<double(const ParamPoint&, std::size_t)>;

class ReturnsEvaluator : public Evaluator {
 public:
  ReturnsEvaluator(ReturnFn fn, std::size_t bars) : fn_(std::move(fn)), bars_(bars) {}
  std::size_t bars() const override { return bars_; }
  std::string identity() const override { return "returns"; }
  Result<Evaluation> evaluate(const ParamSpace& /*space*/, const ParamPoint& point, const BarSelection& bars,
                              const EvalOptions& options) const override {
    std::vector<double> returns;
    for (const BarRange& r : bars) {
      for (std::size_t i = r.begin + 1; i < r.end; ++i) returns.push_back(fn_(point, i));
    }
    Evaluation e;
    e.metrics = returns_metrics(returns, periods_per_year());
    e.metrics["num_trades"] = 10;
    e.stats = summarize_returns(returns, options.blocks);
    if (options.keep_returns) e.returns = std::move(returns);
    return e;
  }

 private:
  ReturnFn fn_;
  std::size_t bars_;
};

}  // namespace tradeloop::optimize::testing
