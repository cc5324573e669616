#include "tradeloop/optimize/evaluator.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "tradeloop/analytics/return_sums.h"

namespace tradeloop::optimize {

std::size_t selection_bars(const BarSelection& selection) {
  std::size_t n = 0;
  for (const BarRange& r : selection) n += r.size();
  return n;
}

std::string selection_text(const BarSelection& selection) {
  std::string out;
  for (const BarRange& r : selection) {
    if (!out.empty()) out.push_back('+');
    out += fmt::format("[{},{})", r.begin, r.end);
  }
  return out.empty() ? "[]" : out;
}

double ReturnStats::sharpe() const {
  if (count < 2 || !(stdev > 0)) return 0;
  return mean / stdev;
}

ReturnStats summarize_returns(std::span<const double> returns, std::size_t blocks) {
  const std::size_t n = returns.size();
  if (n == 0) return ReturnStats{};
  // The metrics' kernels: a backtest's Sharpe and its trial statistics come from the same sums.
  const double sum = analytics::sum_returns(returns).sum;
  const analytics::CentralSums c = analytics::central_sums(returns, sum / static_cast<double>(n));
  return summarize_returns(returns, sum, c.m2, c.m3, c.m4, blocks);
}

ReturnStats summarize_returns(std::span<const double> returns, double sum, double m2, double m3, double m4,
                              std::size_t blocks) {
  ReturnStats s;
  const std::size_t n = returns.size();
  s.count = n;
  if (n == 0) return s;
  s.mean = sum / static_cast<double>(n);
  const double nd = static_cast<double>(n);
  s.stdev = n > 1 ? std::sqrt(m2 / (nd - 1)) : 0;
  const double pm2 = m2 / nd;
  if (pm2 > 0) {
    s.skew = (m3 / nd) / std::pow(pm2, 1.5);
    s.kurtosis = (m4 / nd) / (pm2 * pm2);
  }
  if (blocks > 0) {
    const std::size_t b = std::min(blocks, n);
    s.blocks.resize(b);
    const std::size_t base = n / b, extra = n % b;
    std::size_t pos = 0;
    for (std::size_t k = 0; k < b; ++k) {
      const std::size_t len = base + (k < extra ? 1 : 0);
      BlockMoments& m = s.blocks[k];
      m.count = static_cast<double>(len);
      // Four interleaved partial sums (independent chains), added as (0 + 1) + (2 + 3).
      double sum[4] = {}, sq[4] = {};
      std::size_t i = pos;
      for (; i + 4 <= pos + len; i += 4) {
        for (std::size_t j = 0; j < 4; ++j) {
          sum[j] += returns[i + j];
          sq[j] += returns[i + j] * returns[i + j];
        }
      }
      for (std::size_t j = 0; i < pos + len; ++i, ++j) {
        sum[j] += returns[i];
        sq[j] += returns[i] * returns[i];
      }
      m.sum = (sum[0] + sum[1]) + (sum[2] + sum[3]);
      m.sum_sq = (sq[0] + sq[1]) + (sq[2] + sq[3]);
      pos += len;
    }
  }
  return s;
}

double blocks_sharpe(const std::vector<BlockMoments>& blocks, const std::vector<std::uint8_t>& use) {
  double n = 0, sum = 0, sum_sq = 0;
  for (std::size_t k = 0; k < blocks.size(); ++k) {
    if (!use[k]) continue;
    n += blocks[k].count;
    sum += blocks[k].sum;
    sum_sq += blocks[k].sum_sq;
  }
  if (n < 2) return 0;
  const double mean = sum / n;
  const double var = (sum_sq - n * mean * mean) / (n - 1);
  if (!(var > 0)) return 0;
  return mean / std::sqrt(var);
}

std::vector<double> equity_returns(std::span<const double> equity) {
  std::vector<double> out;
  if (equity.size() < 2) return out;
  out.reserve(equity.size() - 1);
  for (std::size_t i = 1; i < equity.size(); ++i) {
    out.push_back(equity[i - 1] != 0 ? equity[i] / equity[i - 1] - 1.0 : 0.0);
  }
  return out;
}

std::map<std::string, double> returns_metrics(std::span<const double> returns, double periods_per_year) {
  std::map<std::string, double> m;
  double equity = 1, peak = 1, max_dd = 0;
  for (const double r : returns) {
    equity *= 1 + r;
    peak = std::max(peak, equity);
    max_dd = std::min(max_dd, equity / peak - 1);
  }
  const ReturnStats s = summarize_returns(returns, 0);
  m["total_return_pct"] = (equity - 1) * 100;
  m["sharpe_ratio"] = s.sharpe() * std::sqrt(periods_per_year);
  m["volatility_ann_pct"] = s.stdev * std::sqrt(periods_per_year) * 100;
  m["max_drawdown_pct"] = max_dd * 100;
  m["bars"] = static_cast<double>(returns.size() + (returns.empty() ? 0 : 1));
  return m;
}

Result<Evaluation> Evaluator::stitch(const std::vector<Evaluation>& pieces,
                                     const EvalOptions& options) const {
  Evaluation out;
  double trades = 0;
  bool all_trades = !pieces.empty();
  for (const Evaluation& piece : pieces) {
    if (piece.returns.empty() && piece.stats.count > 0) {
      return Error::failed_precondition("stitch: a piece was evaluated without keep_returns");
    }
    out.returns.insert(out.returns.end(), piece.returns.begin(), piece.returns.end());
    const auto it = piece.metrics.find("num_trades");
    if (it == piece.metrics.end()) {
      all_trades = false;
    } else {
      trades += it->second;
    }
  }
  out.metrics = returns_metrics(out.returns, periods_per_year());
  if (all_trades) out.metrics["num_trades"] = trades;
  out.stats = summarize_returns(out.returns, options.blocks);
  if (!options.keep_returns) out.returns.clear();
  return out;
}

}  // namespace tradeloop::optimize
