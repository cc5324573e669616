#include "tradeloop/analytics/metrics.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <numbers>

#include <fmt/format.h>

#include "tradeloop/analytics/annualization.h"
#include "tradeloop/analytics/return_sums.h"

namespace tradeloop::analytics {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kNanosPerDayF = static_cast<double>(kNanosPerDay);

using M = Metric;

constexpr std::array<MetricInfo, kMetricCount> kCatalog = {{
    {M::kFinalEquity, "final_equity", "currency", "Final equity", "Equity Final [$]"},
    {M::kEquityPeak, "equity_peak", "currency", "Equity peak", "Equity Peak [$]"},
    {M::kTotalReturnPct, "total_return_pct", "percent", "Total return", "Return [%]"},
    {M::kBuyHoldReturnPct, "buy_hold_return_pct", "percent", "Buy & hold return", "Buy & Hold Return [%]"},
    {M::kReturnAnnPct, "return_ann_pct", "percent", "Annualized return", "Return (Ann.) [%]"},
    {M::kVolatilityAnnPct, "volatility_ann_pct", "percent", "Annualized volatility", "Volatility (Ann.) [%]"},
    {M::kCagrPct, "cagr_pct", "percent", "CAGR", "CAGR [%]"},
    {M::kSharpeRatio, "sharpe_ratio", "ratio", "Sharpe ratio", "Sharpe Ratio"},
    {M::kSortinoRatio, "sortino_ratio", "ratio", "Sortino ratio", "Sortino Ratio"},
    {M::kCalmarRatio, "calmar_ratio", "ratio", "Calmar ratio", "Calmar Ratio"},
    {M::kOmegaRatio, "omega_ratio", "ratio", "Omega ratio", ""},
    {M::kAlpha, "alpha", "percent", "Alpha", "Alpha [%]"},
    {M::kBeta, "beta", "ratio", "Beta", "Beta"},
    {M::kMaxDrawdownPct, "max_drawdown_pct", "percent", "Max drawdown", "Max. Drawdown [%]"},
    {M::kAvgDrawdownPct, "avg_drawdown_pct", "percent", "Avg drawdown", "Avg. Drawdown [%]"},
    {M::kMaxDrawdownDuration, "max_drawdown_duration", "days", "Max drawdown duration",
     "Max. Drawdown Duration"},
    {M::kAvgDrawdownDuration, "avg_drawdown_duration", "days", "Avg drawdown duration",
     "Avg. Drawdown Duration"},
    {M::kUlcerIndex, "ulcer_index", "percent", "Ulcer index", ""},
    {M::kRecoveryFactor, "recovery_factor", "ratio", "Recovery factor", ""},
    {M::kVar95Pct, "var_95_pct", "percent", "Value at risk (95%)", ""},
    {M::kCvar95Pct, "cvar_95_pct", "percent", "Conditional VaR (95%)", ""},
    {M::kSkew, "skew", "ratio", "Skew", ""},
    {M::kKurtosis, "kurtosis", "ratio", "Excess kurtosis", ""},
    {M::kTailRatio, "tail_ratio", "ratio", "Tail ratio", ""},
    {M::kExposurePct, "exposure_pct", "percent", "Exposure time", "Exposure Time [%]"},
    {M::kTimeInMarketPct, "time_in_market_pct", "percent", "Time in market", ""},
    {M::kNumTrades, "num_trades", "count", "Trades", "# Trades"},
    {M::kWinRatePct, "win_rate_pct", "percent", "Win rate", "Win Rate [%]"},
    {M::kBestTradePct, "best_trade_pct", "percent", "Best trade", "Best Trade [%]"},
    {M::kWorstTradePct, "worst_trade_pct", "percent", "Worst trade", "Worst Trade [%]"},
    {M::kAvgTradePct, "avg_trade_pct", "percent", "Avg trade", "Avg. Trade [%]"},
    {M::kMaxTradeDuration, "max_trade_duration", "days", "Max trade duration", "Max. Trade Duration"},
    {M::kAvgTradeDuration, "avg_trade_duration", "days", "Avg trade duration", "Avg. Trade Duration"},
    {M::kProfitFactor, "profit_factor", "ratio", "Profit factor", "Profit Factor"},
    {M::kExpectancy, "expectancy", "percent", "Expectancy", "Expectancy [%]"},
    {M::kSqn, "sqn", "ratio", "SQN", "SQN"},
    {M::kKellyCriterion, "kelly_criterion", "ratio", "Kelly criterion", "Kelly Criterion"},
    {M::kAvgWin, "avg_win", "currency", "Avg winning trade", ""},
    {M::kAvgLoss, "avg_loss", "currency", "Avg losing trade", ""},
    {M::kPayoffRatio, "payoff_ratio", "ratio", "Payoff ratio", ""},
    {M::kMaxConsecutiveWins, "max_consecutive_wins", "count", "Max consecutive wins", ""},
    {M::kMaxConsecutiveLosses, "max_consecutive_losses", "count", "Max consecutive losses", ""},
    {M::kCommissions, "commissions", "currency", "Commissions", "Commissions [$]"},
    {M::kTotalFees, "total_fees", "currency", "Total fees", ""},
    {M::kDurationDays, "duration_days", "days", "Duration", "Duration"},
    {M::kNumBars, "num_bars", "count", "Bars", ""},
    {M::kPeriodsPerYear, "periods_per_year", "periods", "Return periods per year", ""},
}};

constexpr bool catalog_is_in_order() {
  for (std::size_t i = 0; i < kCatalog.size(); ++i) {
    if (static_cast<std::size_t>(kCatalog[i].id) != i) return false;
  }
  return true;
}
static_assert(catalog_is_in_order(), "kCatalog must list metrics in enum order");

// Metrics that need each computation group.
const MetricSet kNeedsEquityPass = MetricSet::of(
    {M::kFinalEquity, M::kEquityPeak, M::kTotalReturnPct, M::kCagrPct, M::kCalmarRatio, M::kAlpha,
     M::kMaxDrawdownPct, M::kAvgDrawdownPct, M::kMaxDrawdownDuration, M::kAvgDrawdownDuration, M::kUlcerIndex,
     M::kRecoveryFactor, M::kTimeInMarketPct, M::kDurationDays, M::kNumBars});
const MetricSet kNeedsReturns =
    MetricSet::of({M::kReturnAnnPct, M::kVolatilityAnnPct, M::kSharpeRatio, M::kSortinoRatio, M::kCalmarRatio,
                   M::kOmegaRatio, M::kVar95Pct, M::kCvar95Pct, M::kSkew, M::kKurtosis, M::kTailRatio});
const MetricSet kNeedsSortedReturns = MetricSet::of({M::kVar95Pct, M::kCvar95Pct, M::kTailRatio});
const MetricSet kNeedsBenchmark = MetricSet::of({M::kBuyHoldReturnPct, M::kAlpha, M::kBeta});
const MetricSet kNeedsTrades =
    MetricSet::of({M::kNumTrades, M::kWinRatePct, M::kBestTradePct, M::kWorstTradePct, M::kAvgTradePct,
                   M::kMaxTradeDuration, M::kAvgTradeDuration, M::kProfitFactor, M::kExpectancy, M::kSqn,
                   M::kKellyCriterion, M::kAvgWin, M::kAvgLoss, M::kPayoffRatio, M::kMaxConsecutiveWins,
                   M::kMaxConsecutiveLosses, M::kCommissions});
// Durations are ceiled to the data's resolution, which comes with the annualization inference.
const MetricSet kNeedsAnnualization = MetricSet::of(
    {M::kReturnAnnPct, M::kVolatilityAnnPct, M::kSharpeRatio, M::kSortinoRatio, M::kCalmarRatio, M::kCagrPct,
     M::kPeriodsPerYear, M::kOmegaRatio, M::kVar95Pct, M::kCvar95Pct, M::kSkew, M::kKurtosis, M::kTailRatio,
     M::kMaxDrawdownDuration, M::kAvgDrawdownDuration, M::kMaxTradeDuration, M::kAvgTradeDuration});

// numpy.percentile's default (linear interpolation between closest ranks) at 5% and 95% of the
// non-NaN values of r[first..]. Each needs two order statistics near a tail. A pivot from a small
// sorted sample bounds the tail; the values beyond it (a few percent of a return series) are copied
// out without branches and selected among; when the pivot was not far enough out, all values are.
// Order statistics are values, so the result does not depend on the route. `buf`, `tail` are scratch.
void percentiles_5_95(std::span<const double> r, std::size_t first, std::vector<double>& buf,
                      std::vector<double>& tail, double* p5, double* p95) {
  buf.resize(r.size());
  std::size_t n = 0;
  for (std::size_t i = first; i < r.size(); ++i) {
    buf[n] = r[i];
    n += std::isnan(r[i]) ? 0 : 1;
  }
  if (n == 0) return;
  buf.resize(n);
  constexpr std::size_t kSample = 128;
  std::array<double, kSample> sample{};
  const std::size_t m = std::min(n, kSample);
  for (std::size_t j = 0; j < m; ++j) sample[j] = buf[j * n / m];
  std::sort(sample.begin(), sample.begin() + static_cast<std::ptrdiff_t>(m));
  // Order statistics k and k + 1 (0-based, ascending) of v (size `size`), k + 1 when it exists.
  auto select = [](std::vector<double>& v, std::size_t size, std::size_t k, double* a, double* b) {
    const auto it = v.begin() + static_cast<std::ptrdiff_t>(k);
    std::nth_element(v.begin(), it, v.begin() + static_cast<std::ptrdiff_t>(size));
    *a = *it;
    if (k + 1 < size) *b = *std::min_element(it + 1, v.begin() + static_cast<std::ptrdiff_t>(size));
  };
  auto at = [&](double q, bool upper) {
    const double pos = q * static_cast<double>(n - 1);
    const auto k = static_cast<std::size_t>(std::floor(pos));
    const bool need_next = k + 1 < n;
    // Values needed from the tail's end: ranks 0..k+1 (lower) or k..n-1 (upper).
    const std::size_t need = upper ? n - k : std::min(n, k + 2);
    const std::size_t margin = 8 + need * m / n;
    double a = 0, b = 0;
    bool done = false;
    if (need + 16 < n / 4 && margin < m) {
      const double pivot = upper ? sample[m - 1 - margin] : sample[margin];
      tail.resize(n);
      std::size_t c = 0;
      for (std::size_t i = 0; i < n; ++i) {
        tail[c] = buf[i];
        c += (upper ? buf[i] >= pivot : buf[i] <= pivot) ? 1 : 0;
      }
      if (c >= need) {
        // Lower: the c values <= pivot hold global ranks 0..c-1. Upper: the c values >= pivot hold
        // global ranks n-c..n-1.
        select(tail, c, upper ? k - (n - c) : k, &a, &b);
        done = true;
      }
    }
    if (!done) {
      tail.assign(buf.begin(), buf.end());
      select(tail, n, k, &a, &b);
    }
    return need_next ? a + (b - a) * (pos - static_cast<double>(k)) : a;
  };
  *p5 = at(0.05, false);
  *p95 = at(0.95, true);
}

// pandas' _zero_out_fperr: sums of squares this small are rounding noise.
double zero_out_fperr(double x) {
  return std::fabs(x) < 1e-14 ? 0.0 : x;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Catalog

std::span<const MetricInfo> metric_catalog() {
  return kCatalog;
}
const MetricInfo& metric_info(Metric m) {
  return kCatalog[static_cast<std::size_t>(m)];
}
std::string_view metric_key(Metric m) {
  return metric_info(m).key;
}

std::optional<Metric> metric_from_key(std::string_view key) {
  for (const MetricInfo& info : kCatalog) {
    if (info.key == key) return info.id;
  }
  return std::nullopt;
}

Result<MetricSet> parse_metric_set(std::string_view keys) {
  MetricSet out;
  std::size_t pos = 0;
  while (pos <= keys.size()) {
    const std::size_t comma = std::min(keys.find(',', pos), keys.size());
    std::string_view key = keys.substr(pos, comma - pos);
    while (!key.empty() && key.front() == ' ') key.remove_prefix(1);
    while (!key.empty() && key.back() == ' ') key.remove_suffix(1);
    if (!key.empty()) {
      const std::optional<Metric> m = metric_from_key(key);
      if (!m) return Error::invalid_argument(fmt::format("unknown metric '{}' (see docs/metrics.md)", key));
      out.add(*m);
    }
    pos = comma + 1;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Metrics value object

Metrics::Metrics() {
  values_.fill(kNaN);
}

Result<double> Metrics::value(std::string_view key) const {
  const std::optional<Metric> m = metric_from_key(key);
  if (!m) return Error::not_found(fmt::format("unknown metric '{}'", key));
  return (*this)[*m];
}

std::vector<std::pair<std::string_view, double>> Metrics::items() const {
  std::vector<std::pair<std::string_view, double>> out;
  out.reserve(kMetricCount);
  for (const MetricInfo& info : kCatalog) {
    if (computed_.contains(info.id)) out.emplace_back(info.key, (*this)[info.id]);
  }
  return out;
}

std::string Metrics::to_json() const {
  std::string out = "{";
  bool first = true;
  for (const MetricInfo& info : kCatalog) {
    if (!computed_.contains(info.id)) continue;
    if (!first) out += ',';
    first = false;
    out += '"';
    out += info.key;
    out += "\":";
    const double v = (*this)[info.id];
    if (std::isfinite(v)) {
      // Counts print as integers; everything else in the shortest round-trip form.
      if (info.unit == "count" && v == std::floor(v) && std::fabs(v) < 9e15) {
        fmt::format_to(std::back_inserter(out), "{}", static_cast<std::int64_t>(v));
      } else {
        fmt::format_to(std::back_inserter(out), "{}", v == 0.0 ? 0.0 : v);
      }
    } else {
      out += "null";
    }
  }
  out += '}';
  return out;
}

std::string format_metric_value(Metric m, double v) {
  if (std::isnan(v)) return "n/a";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  if (v == 0.0) v = 0.0;  // no "-0.00"
  const std::string_view unit = metric_info(m).unit;
  if (unit == "count") return fmt::format("{:.0f}", v);
  if (unit == "percent") return fmt::format("{:.2f}%", v);
  if (unit == "currency") return fmt::format("{:.2f}", v);
  if (unit == "days") {
    if (v >= 1.0 || v == std::floor(v)) return fmt::format("{:.{}f} d", v, v == std::floor(v) ? 0 : 2);
    return fmt::format("{:.2f} h", v * 24.0);
  }
  if (unit == "periods") return fmt::format("{:g}", v);
  // Ratios: four decimals, fewer for large magnitudes so they stay readable.
  const double a = std::fabs(v);
  return fmt::format("{:.{}f}", v, a >= 1000 ? 0 : a >= 100 ? 2 : 4);
}

// ---------------------------------------------------------------------------------------------
// Engine

class MetricsEngine {
 public:
  MetricsEngine(const RunRecord& run, const MetricsOptions& options, MetricsWorkspace& ws, Metrics& out)
      : run_(run), opt_(options), ws_(ws), out_(out), want_(options.requested) {}

  Status compute() {
    ws_.returns_size_ = 0;
    ws_.moments_ = {};
    const MetricsContext* ctx = opt_.context;
    shared_ = ctx != nullptr && run_.equity.ts.empty();
    ts_ = shared_ ? ctx->ts() : std::span<const Timestamp>(run_.equity.ts);
    bench_ = shared_ ? ctx->benchmark_close() : std::span<const double>(run_.benchmark_close);
    // The context's derived values apply when the run's series are the context's.
    ctx_ts_ = ctx != nullptr && ctx->ts().data() == ts_.data() && ctx->ts().size() == ts_.size();
    ctx_bench_ = ctx != nullptr && !bench_.empty() && ctx->benchmark_close().data() == bench_.data() &&
                 ctx->benchmark_close().size() == bench_.size();
    TL_TRY(validate());
    n_ = ts_.size();
    if (want_.intersects(kNeedsAnnualization)) annualization();
    if (want_.intersects(kNeedsEquityPass) || want_.intersects(kNeedsBenchmark)) equity_pass();
    if (want_.intersects(kNeedsReturns)) returns_pass();
    if (want_.intersects(kNeedsBenchmark)) benchmark_pass();
    if (want_.intersects(kNeedsTrades)) trades_pass();
    if (want_.contains(M::kExposurePct)) exposure_pass();
    if (want_.contains(M::kTotalFees)) put(M::kTotalFees, run_.total_fees);
    return ok_status();
  }

 private:
  Status validate() const {
    const EquityCurve& e = run_.equity;
    const std::size_t n = ts_.size();
    if (n == 0) return Error::invalid_argument("run record: the equity curve has no bars");
    if (e.equity.size() != n) {
      return Error::invalid_argument(
          fmt::format("run record: equity has {} values but ts has {} bars", e.equity.size(), n));
    }
    auto optional_column = [&](const std::vector<double>& v, std::string_view name) -> Status {
      if (!v.empty() && v.size() != n) {
        return Error::invalid_argument(
            fmt::format("run record: {} has {} values but ts has {} bars", name, v.size(), n));
      }
      return ok_status();
    };
    TL_TRY(optional_column(e.cash, "cash"));
    TL_TRY(optional_column(e.position_value, "position_value"));
    TL_TRY(optional_column(e.exposure, "exposure"));
    if (!bench_.empty() && bench_.size() != n) {
      return Error::invalid_argument(
          fmt::format("run record: benchmark_close has {} values but ts has {} bars", bench_.size(), n));
    }
    const auto last = static_cast<std::int64_t>(n) - 1;
    for (std::size_t k = 0; k < run_.trades.size(); ++k) {
      const ClosedTrade& t = run_.trades[k];
      if (t.entry_bar < 0 || t.exit_bar > last || t.entry_bar > t.exit_bar) {
        return Error::invalid_argument(
            fmt::format("run record: trade {} has entry_bar {} and exit_bar {}; bars are 0..{}", k,
                        t.entry_bar, t.exit_bar, last));
      }
    }
    if (!(opt_.risk_free_rate > -1 && opt_.risk_free_rate < 1)) {
      return Error::invalid_argument(
          fmt::format("risk_free_rate {} is outside (-1, 1) (a fraction: 0.02 = 2%)", opt_.risk_free_rate));
    }
    if (std::isnan(run_.periods_per_year) || run_.periods_per_year < 0) {
      return Error::invalid_argument(
          fmt::format("run record: periods_per_year {} must be > 0 (or 0 to infer)", run_.periods_per_year));
    }
    return ok_status();
  }

  void put(Metric m, double v) {
    if (want_.contains(m)) out_.set(m, v);
  }

  void annualization() {
    if (ctx_ts_ && opt_.context->periods_per_year_override() == run_.periods_per_year) {
      ann_ = opt_.context->annualization();
    } else {
      ann_ = infer_annualization(ts_, run_.periods_per_year);
    }
    put(M::kPeriodsPerYear, ann_.periods_per_year);
  }

  // Drawdown, its episodes, peak, ulcer index, time in market: one pass over the curve.
  void equity_pass() {
    const std::vector<double>& eq = run_.equity.equity;
    const std::span<const Timestamp> ts = ts_;
    const double e0 = eq[0];
    const double final_equity = eq[n_ - 1];
    double peak = -std::numeric_limits<double>::infinity();
    double max_dd = 0;          // fraction, >= 0
    double max_dd_cash = 0;     // currency
    double sum_dd_sq = 0;       // of percent drawdowns, for the ulcer index
    double episode_max = 0;     // deepest drawdown of the current episode
    double sum_episode_dd = 0;  // of episode depths
    std::int64_t episodes = 0;
    Timestamp max_episode_ns = 0;
    Timestamp sum_episode_ns = 0;
    std::size_t last_zero = 0;
    std::size_t nonzero_dd = 0;  // bars under water (backtesting.py's degenerate case below)
    double sum_nonzero_dd = 0;
    for (std::size_t i = 0; i < n_; ++i) {
      const double e = eq[i];
      if (e > peak) peak = e;
      const double dd = 1.0 - e / peak;  // backtesting.py: 1 - equity / cummax(equity)
      if (dd > max_dd) max_dd = dd;
      max_dd_cash = std::max(max_dd_cash, peak - e);
      sum_dd_sq += (dd * 100.0) * (dd * 100.0);
      if (dd == 0.0) {
        if (i > last_zero + 1) {
          // An episode: under water from the bar after last_zero until bar i.
          const Timestamp d = ts[i] - ts[last_zero];
          max_episode_ns = std::max(max_episode_ns, d);
          sum_episode_ns += d;
          sum_episode_dd += episode_max;
          ++episodes;
        }
        last_zero = i;
        episode_max = 0;
      } else if (!std::isnan(dd)) {
        episode_max = std::max(episode_max, dd);
        ++nonzero_dd;
        sum_nonzero_dd += dd;
      }
    }
    // backtesting.py treats the last bar as the end of an episode still under water; an episode
    // must span at least one bar between its ends.
    double avg_dd = kNaN;
    double max_dur = kNaN;
    double avg_dur = kNaN;
    const std::size_t last = n_ - 1;
    const bool last_under_water = last_zero != last;
    if (last_under_water && last > last_zero + 1) {
      const Timestamp d = ts[last] - ts[last_zero];
      max_episode_ns = std::max(max_episode_ns, d);
      sum_episode_ns += d;
      sum_episode_dd += episode_max;
      ++episodes;
    }
    if (episodes > 0) {
      avg_dd = sum_episode_dd / static_cast<double>(episodes);
      max_dur = days(ceil_to_resolution(max_episode_ns, ann_.bar_period_ns));
      avg_dur = days(ceil_to_resolution(sum_episode_ns / episodes, ann_.bar_period_ns));
    } else if (nonzero_dd > 0) {
      // Only the last bar is under water, right after a peak. backtesting.py then averages the
      // non-zero drawdowns (that one bar) and reports a meaningless duration; we report the
      // one-bar episode's length instead (documented deviation).
      avg_dd = sum_nonzero_dd / static_cast<double>(nonzero_dd);
      const double d = days(ceil_to_resolution(ts[last] - ts[last - 1], ann_.bar_period_ns));
      max_dur = d;
      avg_dur = d;
    }
    max_dd_ = max_dd;
    total_return_pct_ = (final_equity - e0) / e0 * 100.0;
    put(M::kFinalEquity, final_equity);
    put(M::kEquityPeak, peak);
    put(M::kTotalReturnPct, total_return_pct_);
    put(M::kMaxDrawdownPct, max_dd == 0.0 ? 0.0 : -max_dd * 100.0);
    put(M::kAvgDrawdownPct, -avg_dd * 100.0);
    put(M::kMaxDrawdownDuration, max_dur);
    put(M::kAvgDrawdownDuration, avg_dur);
    put(M::kUlcerIndex, std::sqrt(sum_dd_sq / static_cast<double>(n_)));
    put(M::kRecoveryFactor, max_dd_cash > 0 ? (final_equity - e0) / max_dd_cash : kNaN);
    put(M::kNumBars, static_cast<double>(n_));
    const Timestamp duration_ns = ts[last] - ts[0];
    put(M::kDurationDays, static_cast<double>(duration_ns) / kNanosPerDayF);
    if (want_.contains(M::kCagrPct)) {
      // backtesting.py: (Duration.days + Duration.seconds / 86400) / annual_trading_days, i.e.
      // calendar days divided by *trading* periods per year (a quirk kept for compatibility).
      const Timestamp whole_days = duration_ns / kNanosPerDay;
      const Timestamp secs = (duration_ns - whole_days * kNanosPerDay) / kNanosPerSecond;
      const double years =
          (static_cast<double>(whole_days) + static_cast<double>(secs) / 86400.0) / ann_.periods_per_year;
      put(M::kCagrPct, years != 0.0 ? (std::pow(final_equity / e0, 1.0 / years) - 1.0) * 100.0 : kNaN);
    }
    if (want_.contains(M::kTimeInMarketPct)) {
      const auto& e = run_.equity;
      if (e.exposure.empty() && e.position_value.empty()) {
        put(M::kTimeInMarketPct, kNaN);
      } else {
        // Exposure stored or derived from the position value (EquityCurve::exposure_at).
        std::size_t in = 0;
        for (std::size_t i = 0; i < n_; ++i) {
          const double v = e.exposure_at(i);
          in += (v != 0.0 && !std::isnan(v)) ? 1 : 0;
        }
        put(M::kTimeInMarketPct, static_cast<double>(in) / static_cast<double>(n_) * 100.0);
      }
    }
  }

  void returns_pass() {
    std::vector<double>& r = ws_.returns_;
    if (ctx_ts_ && opt_.context->one_bar_per_period() &&
        opt_.context->annualization().period == ann_.period) {
      // Each bar its own period: the same values period_returns() gives, without the calendar keys.
      const std::vector<double>& eq = run_.equity.equity;
      if (!has_nan(eq)) {
        // The common case, one division per bar in a loop the compiler vectorizes.
        r.resize(eq.size());
        if (!eq.empty()) r[0] = kNaN;
        for (std::size_t i = 1; i < eq.size(); ++i) r[i] = eq[i] / eq[i - 1] - 1.0;
      } else {
        r.clear();
        double last = kNaN;
        for (const double v : eq) {
          if (std::isnan(v)) continue;
          r.push_back(std::isnan(last) ? kNaN : v / last - 1.0);
          last = v;
        }
      }
    } else {
      period_returns(ts_, run_.equity.equity, ann_.period, &r);
    }
    ws_.returns_size_ = r.size();
    const double P = ann_.periods_per_year;
    const std::size_t N = r.size();  // includes the leading NaN (counted by the geometric mean)
    // The first period has no return (NaN); later NaNs (0/0 after equity reached 0) are skipped like
    // pandas does. Geometric mean as backtesting.py: NaN returns count as 0; any return <= -100% gives
    // 0. The product of growth factors replaces the sum of their logs (same value to rounding).
    const std::size_t first = r.empty() ? 0 : 1;
    const std::span<const double> rs = std::span<const double>(r).subspan(first);
    const ReturnSums sums = sum_returns(rs);
    const std::size_t m = sums.count;
    const double sum = sums.sum, sum_down_sq = sums.down_sq, gains = sums.gains, losses = sums.losses;
    const double g = sums.wiped_out ? 0.0 : std::expm1(sums.log_growth / static_cast<double>(N));
    const double mean = m > 0 ? sum / static_cast<double>(m) : kNaN;
    const CentralSums cs = central_sums(rs, mean);
    const double m2 = cs.m2, m3 = cs.m3, m4 = cs.m4;
    ws_.moments_ = {true, m, sum, m2, m3, m4};
    const double var = m >= 2 ? m2 / static_cast<double>(m - 1) : kNaN;
    const double ann = std::pow(1.0 + g, P) - 1.0;
    const double vol =
        std::sqrt(std::pow(var + (1.0 + g) * (1.0 + g), P) - std::pow(1.0 + g, 2.0 * P)) * 100.0;
    const double rf = opt_.risk_free_rate;
    put(M::kReturnAnnPct, ann * 100.0);
    put(M::kVolatilityAnnPct, vol);
    put(M::kSharpeRatio, (ann * 100.0 - rf * 100.0) / (vol != 0.0 ? vol : kNaN));
    const double downside = m > 0 ? std::sqrt(sum_down_sq / static_cast<double>(m)) * std::sqrt(P) : kNaN;
    put(M::kSortinoRatio, (ann - rf) / downside);
    if (want_.contains(M::kCalmarRatio)) {
      put(M::kCalmarRatio, ann / (max_dd_ != 0.0 ? max_dd_ : kNaN));
    }
    put(M::kOmegaRatio, m > 0 && losses > 0 ? gains / losses : kNaN);
    // pandas' bias-corrected sample skewness and excess kurtosis.
    const auto c = static_cast<double>(m);
    if (m >= 3) {
      const double mm2 = zero_out_fperr(m2);
      put(M::kSkew, mm2 == 0.0 ? 0.0 : (c * std::sqrt(c - 1) / (c - 2)) * (m3 / std::pow(mm2, 1.5)));
    } else {
      put(M::kSkew, kNaN);
    }
    if (m >= 4) {
      const double num = zero_out_fperr(c * (c + 1) * (c - 1) * m4);
      const double den = zero_out_fperr((c - 2) * (c - 3) * m2 * m2);
      const double adj = 3 * (c - 1) * (c - 1) / ((c - 2) * (c - 3));
      put(M::kKurtosis, den == 0.0 ? 0.0 : num / den - adj);
    } else {
      put(M::kKurtosis, kNaN);
    }
    if (want_.intersects(kNeedsSortedReturns)) {
      double p5 = kNaN, p95 = kNaN;
      percentiles_5_95(r, first, ws_.sorted_, ws_.tail_, &p5, &p95);
      // CVaR: mean of the returns at or below the 5% quantile, summed in time order.
      double tail_sum = 0;
      std::size_t tail_n = 0;
      for (std::size_t k = first; k < r.size(); ++k) {
        const double x = r[k];
        if (x <= p5) {
          tail_sum += x;
          ++tail_n;
        }
      }
      put(M::kVar95Pct, p5 * 100.0);
      put(M::kCvar95Pct, tail_n > 0 ? tail_sum / static_cast<double>(tail_n) * 100.0 : kNaN);
      put(M::kTailRatio, p5 != 0.0 ? std::fabs(p95) / std::fabs(p5) : kNaN);
    }
  }

  void benchmark_pass() {
    const std::span<const double> c = bench_;
    if (c.empty()) {
      put(M::kBuyHoldReturnPct, kNaN);
      put(M::kAlpha, kNaN);
      put(M::kBeta, kNaN);
      return;
    }
    const auto first = static_cast<std::size_t>(std::max<std::int64_t>(run_.warmup_bars, 0));
    const double bh = first < n_ ? (c[n_ - 1] - c[first]) / c[first] * 100.0 : kNaN;
    put(M::kBuyHoldReturnPct, bh);
    if (!want_.contains(M::kAlpha) && !want_.contains(M::kBeta)) return;
    // Beta of the bar log returns (all bars, warm-up included), covariance with ddof 1 as np.cov.
    double beta = kNaN;
    // One pass over sums shifted by the first return (accurate while returns stay near it; no
    // division on the loop-carried path). The logarithms are the cost: the benchmark's are
    // cached in the workspace and reused while the benchmark closes are the same (optimizer
    // trials on one data set), checked by an exact comparison.
    if (n_ >= 3) {
      const double* eq = run_.equity.equity.data();
      const std::vector<double>& y_log =
          ctx_bench_ ? opt_.context->benchmark_log_returns() : benchmark_log_returns(c);
      const double kx = std::log(eq[1] / eq[0]);
      const double ky = y_log[1];
      double sx = 0, sy = 0, sxy = 0, syy = 0;
      for (std::size_t i = 1; i < n_; ++i) {
        // Flat stretches (no position) have a log return of exactly 0: skip the logarithm.
        const double ratio = eq[i] / eq[i - 1];
        const double x = (ratio == 1.0 ? 0.0 : std::log(ratio)) - kx;
        const double y = y_log[i] - ky;
        sx += x;
        sy += y;
        sxy += x * y;
        syy += y * y;
      }
      const double k = static_cast<double>(n_ - 1);
      beta = (sxy - sx * sy / k) / (syy - sy * sy / k);  // the (k - 1) denominators cancel
    }
    const double rf = opt_.risk_free_rate * 100.0;
    put(M::kBeta, beta);
    put(M::kAlpha, total_return_pct_ - rf - beta * (bh - rf));
  }

  void trades_pass() {
    const std::vector<ClosedTrade>& trades = run_.trades;
    const std::size_t n = trades.size();
    const auto nd = static_cast<double>(n);
    put(M::kNumTrades, nd);
    double commissions = 0;
    for (const ClosedTrade& t : trades) commissions += t.fees;
    put(M::kCommissions, commissions);
    if (n == 0) {
      for (const Metric m : {M::kWinRatePct, M::kBestTradePct, M::kWorstTradePct, M::kAvgTradePct,
                             M::kMaxTradeDuration, M::kAvgTradeDuration, M::kProfitFactor, M::kExpectancy,
                             M::kSqn, M::kKellyCriterion, M::kAvgWin, M::kAvgLoss, M::kPayoffRatio}) {
        put(m, kNaN);
      }
      put(M::kMaxConsecutiveWins, 0);
      put(M::kMaxConsecutiveLosses, 0);
      return;
    }
    std::size_t wins = 0, losses = 0;
    double win_pnl = 0, loss_pnl = 0, pnl_sum = 0;
    double best = -std::numeric_limits<double>::infinity();
    double worst = std::numeric_limits<double>::infinity();
    double ret_sum = 0, ret_pos = 0, ret_neg = 0, log_sum = 0;
    std::size_t valid_returns = 0;
    bool wiped_out = false;
    Timestamp max_dur = std::numeric_limits<Timestamp>::min();
    Timestamp sum_dur = 0;
    std::size_t streak_w = 0, streak_l = 0, max_w = 0, max_l = 0;
    for (const ClosedTrade& t : trades) {
      // backtesting.py's ReturnPct is net of commissions: gross return minus fees per unit of
      // entry value.
      const double notional = std::fabs(t.size) * t.entry_price;
      const double r = t.return_pct / 100.0 - (notional != 0.0 ? t.fees / notional : kNaN);
      if (!std::isnan(r)) {
        ++valid_returns;
        best = std::max(best, r);
        worst = std::min(worst, r);
        if (1.0 + r <= 0.0)
          wiped_out = true;
        else
          log_sum += std::log1p(r);
        ret_sum += r;
        if (r > 0) ret_pos += r;
        if (r < 0) ret_neg += r;
      }
      pnl_sum += t.pnl;
      if (t.pnl > 0) {
        ++wins;
        win_pnl += t.pnl;
        ++streak_w;
        streak_l = 0;
      } else if (t.pnl < 0) {
        ++losses;
        loss_pnl += t.pnl;
        ++streak_l;
        streak_w = 0;
      } else {
        streak_w = streak_l = 0;
      }
      max_w = std::max(max_w, streak_w);
      max_l = std::max(max_l, streak_l);
      const Timestamp d = t.exit_time - t.entry_time;
      max_dur = std::max(max_dur, d);
      sum_dur += d;
    }
    const double pnl_mean = pnl_sum / nd;
    double pnl_m2 = 0;
    for (const ClosedTrade& t : trades) pnl_m2 += (t.pnl - pnl_mean) * (t.pnl - pnl_mean);
    const double pnl_std = n >= 2 ? std::sqrt(pnl_m2 / (nd - 1)) : kNaN;
    const double win_rate = static_cast<double>(wins) / nd;
    const double avg_win = wins > 0 ? win_pnl / static_cast<double>(wins) : kNaN;
    const double avg_loss = losses > 0 ? loss_pnl / static_cast<double>(losses) : kNaN;
    put(M::kWinRatePct, win_rate * 100.0);
    const bool have_returns = valid_returns > 0;
    put(M::kBestTradePct, have_returns ? best * 100.0 : kNaN);
    put(M::kWorstTradePct, have_returns ? worst * 100.0 : kNaN);
    // Geometric mean as backtesting.py: a NaN return counts as 0, any return <= -100% gives 0.
    put(M::kAvgTradePct, (wiped_out ? 0.0 : std::expm1(log_sum / nd)) * 100.0);
    put(M::kMaxTradeDuration, days(ceil_to_resolution(max_dur, ann_.bar_period_ns)));
    put(M::kAvgTradeDuration,
        days(ceil_to_resolution(sum_dur / static_cast<Timestamp>(n), ann_.bar_period_ns)));
    put(M::kProfitFactor, ret_neg != 0.0 ? ret_pos / std::fabs(ret_neg) : kNaN);
    put(M::kExpectancy, have_returns ? ret_sum / static_cast<double>(valid_returns) * 100.0 : kNaN);
    put(M::kSqn, std::sqrt(nd) * pnl_mean / (pnl_std != 0.0 ? pnl_std : kNaN));
    put(M::kKellyCriterion, win_rate - (1.0 - win_rate) / (avg_win / -avg_loss));
    put(M::kAvgWin, avg_win);
    put(M::kAvgLoss, avg_loss);
    put(M::kPayoffRatio, avg_win / std::fabs(avg_loss));
    put(M::kMaxConsecutiveWins, static_cast<double>(max_w));
    put(M::kMaxConsecutiveLosses, static_cast<double>(max_l));
  }

  // Log returns of the benchmark closes (index i: ln(c_i / c_{i-1}); index 0 unused).
  const std::vector<double>& benchmark_log_returns(std::span<const double> c) {
    std::vector<double>& closes = ws_.benchmark_close_;
    std::vector<double>& logs = ws_.benchmark_log_returns_;
    const bool same = closes.size() == c.size() && logs.size() == c.size() &&
                      std::memcmp(closes.data(), c.data(), c.size() * sizeof(double)) == 0;
    if (!same) {
      closes.assign(c.begin(), c.end());
      logs.assign(c.size(), 0.0);
      for (std::size_t i = 1; i < c.size(); ++i) logs[i] = std::log(c[i] / c[i - 1]);
    }
    return logs;
  }

  // Share of bars inside any closed trade's [entry_bar, exit_bar] (backtesting.py's Exposure
  // Time): the union of the intervals, so overlapping trades count a bar once.
  void exposure_pass() {
    auto& iv = ws_.intervals_;
    iv.clear();
    for (const ClosedTrade& t : run_.trades) iv.emplace_back(t.entry_bar, t.exit_bar);
    if (!std::is_sorted(iv.begin(), iv.end())) std::sort(iv.begin(), iv.end());
    std::int64_t covered = 0;
    std::int64_t end = -1;  // last bar counted so far
    for (const auto& [a, b] : iv) {
      const std::int64_t from = std::max(a, end + 1);
      if (b >= from) {
        covered += b - from + 1;
        end = b;
      }
    }
    put(M::kExposurePct, static_cast<double>(covered) / static_cast<double>(n_) * 100.0);
  }

  static double days(Timestamp ns) { return static_cast<double>(ns) / kNanosPerDayF; }

  const RunRecord& run_;
  const MetricsOptions& opt_;
  MetricsWorkspace& ws_;
  Metrics& out_;
  MetricSet want_;
  std::size_t n_ = 0;
  bool shared_ = false;     // the run's ts and benchmark are the context's
  bool ctx_ts_ = false;     // ts_ is the context's
  bool ctx_bench_ = false;  // bench_ is the context's
  std::span<const Timestamp> ts_;
  std::span<const double> bench_;
  Annualization ann_;
  double max_dd_ = 0;
  double total_return_pct_ = kNaN;
};

MetricsContext MetricsContext::make(std::span<const Timestamp> ts, std::span<const double> benchmark_close,
                                    double periods_per_year) {
  MetricsContext c;
  c.ts_ = ts;
  c.benchmark_close_ = benchmark_close;
  c.periods_per_year_ = periods_per_year;
  c.annualization_ = infer_annualization(ts, periods_per_year);
  c.one_bar_per_period_ = true;
  for (std::size_t i = 1; i < ts.size() && c.one_bar_per_period_; ++i) {
    c.one_bar_per_period_ =
        period_key(ts[i], c.annualization_.period) != period_key(ts[i - 1], c.annualization_.period);
  }
  if (!benchmark_close.empty()) {
    c.benchmark_log_returns_.assign(benchmark_close.size(), 0.0);
    for (std::size_t i = 1; i < benchmark_close.size(); ++i) {
      c.benchmark_log_returns_[i] = std::log(benchmark_close[i] / benchmark_close[i - 1]);
    }
  }
  return c;
}

Result<Metrics> compute_metrics(const RunRecord& run, const MetricsOptions& options,
                                MetricsWorkspace* workspace) {
  MetricsWorkspace local;
  MetricsWorkspace& ws = workspace != nullptr ? *workspace : local;
  Metrics out;
  MetricsEngine engine(run, options, ws, out);
  TL_TRY(engine.compute());
  return out;
}

}  // namespace tradeloop::analytics
