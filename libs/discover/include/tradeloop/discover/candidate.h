// The records the discovery loop passes around: a Candidate (a strategy spec planned for testing on
// one data target), its Evaluation (what the backtest and the out-of-sample validation measured) and
// its Verdict with every reason (what the quality gates decided). Plain data owned by the caller.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace tradeloop::strategy {
struct Spec;
}  // namespace tradeloop::strategy

namespace tradeloop::discover {

// Metric name -> value. Sorted so that JSON written from it is byte-stable (determinism checks
// compare stored metrics across runs). Names follow the analytics module ("sharpe_ratio",
// "max_drawdown_pct", "win_rate_pct", "trades", ...); out-of-sample values carry an "oos_" prefix.
using Metrics = std::map<std::string, double, std::less<>>;

enum class Verdict : std::uint8_t { kPending = 0, kAccepted = 1, kRejected = 2 };

std::string_view verdict_name(Verdict verdict);  // "pending", "accepted", "rejected"

/// One strategy spec planned for testing. `index` orders the session: evaluation results are
/// gated and stored in index order whatever the number of threads or processes.
struct Candidate {
  std::int64_t id = 0;     // row id in the store (0 until stored); an accepted strategy keeps it
  std::int64_t index = 0;  // 0-based position in the session
  std::int64_t wave = 0;   // 0-based wave that planned it
  std::string target;      // data target id ("GOOG-1d", or "ETH_BTC-5m~ADA_BTC-5m" for pairs)
  std::string type;        // momentum, mean_reversion, breakout, trend, arbitrage, volatility
  std::string name;        // human-readable, unique in practice ("momentum_rsi_macd_3fa9c2")
  std::string spec;        // canonical spec JSON text
  std::string hash;        // canonical hash of the spec (unique per session)
  std::string origin;      // JSON: how it was made ({"op":"template",...} / {"op":"mutate","parents":[..]})
  // The spec already parsed, when the generator that made it is in this process (equal to
  // parse_spec(spec), which the evaluator does otherwise: saves parsing it again). Not stored.
  std::shared_ptr<const strategy::Spec> parsed;
};

/// What testing one candidate measured. `ok == false` means the candidate could not be tested
/// (compile or backtest error); it is then rejected with `error` as its reason.
struct Evaluation {
  bool ok = false;
  std::string error;
  Metrics metrics;  // in-sample and "oos_"-prefixed out-of-sample metrics
  std::vector<double>
      returns;         // per-bar simple returns of the equity over the whole target (correlation gate)
  double seconds = 0;  // wall time of the evaluation (profiling)
};

/// A candidate after the gates: the merged metrics (with the deflated Sharpe ratio and the
/// correlation computed against what was accepted before it), the verdict and all failed gates.
struct CandidateResult {
  Candidate candidate;
  Evaluation evaluation;
  Verdict verdict = Verdict::kPending;
  std::vector<std::string> reasons;  // every failed gate, in gate order; empty when accepted
  double fitness = 0;                // in-sample fitness that steers later waves
  // Set when this candidate founded a cluster of trials (deflated Sharpe ratio): its returns'
  // signature, stored so that a resumed session clusters later trials exactly as before.
  std::vector<double> trial_signature;
};

}  // namespace tradeloop::discover
