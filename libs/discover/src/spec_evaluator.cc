#include "tradeloop/discover/spec_evaluator.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>

#include <fmt/format.h>

#include "tradeloop/analytics/metrics.h"
#include "tradeloop/backtest/signal_runner.h"
#include "tradeloop/data/csv_reader.h"
#include "tradeloop/optimize/evaluator.h"
#include "tradeloop/optimize/folds.h"

namespace tradeloop::discover {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string file_stem(const std::string& path) {
  return std::filesystem::path(path).stem().string();
}

double typical_move_pct(const data::BarSeries& bars) {
  std::vector<double> moves;
  moves.reserve(bars.size());
  for (std::size_t i = 1; i < bars.size(); ++i) {
    const double a = bars.close[i - 1], b = bars.close[i];
    if (a > 0 && b > 0 && std::isfinite(a) && std::isfinite(b) && a != b)
      moves.push_back(std::abs(b / a - 1) * 100);
  }
  if (moves.empty()) return 1.0;
  std::nth_element(moves.begin(), moves.begin() + static_cast<std::ptrdiff_t>(moves.size() / 2), moves.end());
  return moves[moves.size() / 2];
}

TargetInfo info_for(std::string id, bool pair, const data::BarSeries& bars) {
  TargetInfo t;
  t.id = std::move(id);
  t.pair = pair;
  t.bars = bars.size();
  t.frequency = classify_timeframe(bars.timeframe);
  t.typical_move_pct = typical_move_pct(bars);
  return t;
}

// Keeps the rows of `bars` whose timestamp is in `keep` (sorted).
data::BarSeries select_rows(const data::BarSeries& bars, const std::vector<Timestamp>& keep) {
  data::BarSeries out;
  out.symbol = bars.symbol;
  out.timeframe = bars.timeframe;
  out.reserve(keep.size());
  std::size_t j = 0;
  for (std::size_t i = 0; i < bars.size() && j < keep.size(); ++i) {
    if (bars.ts[i] == keep[j]) {
      out.push_back(bars.ts[i], bars.open[i], bars.high[i], bars.low[i], bars.close[i], bars.volume[i]);
      ++j;
    }
  }
  return out;
}

}  // namespace

Result<std::vector<DataTarget>> load_targets(const std::vector<std::string>& files,
                                             std::vector<std::string>* notes) {
  if (files.empty()) return Error::invalid_argument("--data: at least one bar file is needed");
  std::vector<DataTarget> singles;
  for (const auto& path : files) {
    auto read = data::read_bars_csv(path);
    if (!read.ok()) return read.error();
    data::BarFile& f = *read;
    if (!f.report.ok()) {
      TL_ASSIGN_OR_RETURN(auto bars, data::load_bars(path));  // the located error list
      (void)bars;
    }
    if (f.bars.size() < 100) {
      return Error::invalid_argument(
          fmt::format("{}: {} bars is too few to search strategies on (need >= 100)", path, f.bars.size()));
    }
    if (notes != nullptr && f.report.warning_count() > 0) {
      notes->push_back(
          fmt::format("{}: {} data warnings ({} gaps, {} missing bars); see `tradeloop data inspect`", path,
                      f.report.warning_count(), f.report.gaps.count, f.report.gaps.missing_bars));
    }
    DataTarget t;
    t.info = info_for(file_stem(path), false, f.bars);
    for (const auto& other : singles) {
      if (other.info.id == t.info.id) {
        return Error::invalid_argument(fmt::format("--data: two files named '{}'", t.info.id));
      }
    }
    t.files = {path};
    t.legs.push_back(std::move(f.bars));
    t.cache = std::make_shared<strategy::IndicatorCache>(std::size_t{512} << 20);
    singles.push_back(std::move(t));
  }
  std::vector<DataTarget> out;
  for (const auto& s : singles) {
    DataTarget copy;
    copy.info = s.info;
    copy.files = s.files;
    copy.legs = s.legs;
    copy.cache = s.cache;
    out.push_back(std::move(copy));
  }
  // Pairs: same timeframe and (almost) the same timestamps.
  for (std::size_t a = 0; a < singles.size(); ++a) {
    for (std::size_t b = a + 1; b < singles.size(); ++b) {
      const auto& ya = singles[a].legs[0];
      const auto& xb = singles[b].legs[0];
      if (!(ya.timeframe == xb.timeframe)) continue;
      std::vector<Timestamp> common;
      std::set_intersection(ya.ts.begin(), ya.ts.end(), xb.ts.begin(), xb.ts.end(),
                            std::back_inserter(common));
      const std::size_t shorter = std::min(ya.size(), xb.size());
      if (common.size() < 100 || static_cast<double>(common.size()) < 0.9 * static_cast<double>(shorter))
        continue;
      DataTarget p;
      p.legs.push_back(select_rows(ya, common));
      p.legs.push_back(select_rows(xb, common));
      p.info = info_for(singles[a].info.id + "~" + singles[b].info.id, true, p.legs[0]);
      p.files = {singles[a].files[0], singles[b].files[0]};
      p.cache = std::make_shared<strategy::IndicatorCache>(std::size_t{512} << 20);
      if (notes != nullptr && common.size() < shorter) {
        notes->push_back(fmt::format("{}: legs aligned on {} common bars ({} dropped)", p.info.id,
                                     common.size(), std::max(ya.size(), xb.size()) - common.size()));
      }
      out.push_back(std::move(p));
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

struct SpecEvaluator::Split {
  optimize::BarRange in_sample;
  std::vector<optimize::BarRange> tests;
  // Bar slices per leg, cut once: the in-sample window and each test window.
  std::vector<data::BarSeries> is_legs;
  std::vector<std::vector<data::BarSeries>> test_legs;
  std::vector<model::Instrument> instruments;  // per leg (tick and lot rules guessed from the symbol)
};

SpecEvaluator::SpecEvaluator(std::vector<DataTarget> targets, EvaluatorOptions options)
    : targets_(std::move(targets)), options_(options) {}

Result<std::unique_ptr<SpecEvaluator>> SpecEvaluator::create(std::vector<DataTarget> targets,
                                                             EvaluatorOptions options) {
  if (!(options.in_sample_fraction > 0.1 && options.in_sample_fraction < 0.95)) {
    return Error::out_of_range(
        fmt::format("in-sample fraction {} must be in (0.1, 0.95)", options.in_sample_fraction));
  }
  if (options.oos_folds < 1) return Error::out_of_range("out-of-sample folds must be >= 1");
  auto ev = std::unique_ptr<SpecEvaluator>(new SpecEvaluator(std::move(targets), options));
  for (const auto& t : ev->targets_) {
    const std::size_t n = t.legs[0].size();
    // Anchored walk-forward: K test windows of L bars after a first training window of R*L bars,
    // with R chosen so that the first window is the in-sample fraction.
    optimize::SchemeConfig cfg;
    cfg.scheme = optimize::Scheme::kWalkForward;
    cfg.folds = options.oos_folds;
    cfg.anchored = true;
    cfg.train_ratio = options.in_sample_fraction / (1 - options.in_sample_fraction) *
                      static_cast<double>(options.oos_folds);
    auto folds = optimize::make_folds(cfg, n);
    if (!folds.ok()) return folds.error().with_context(fmt::format("{}: walk-forward split", t.info.id));
    auto split = std::make_shared<Split>();
    split->in_sample = folds->front().train.front();
    split->in_sample.begin = 0;
    for (const auto& f : *folds) split->tests.push_back(f.test.front());
    for (const auto& leg : t.legs) {
      split->is_legs.push_back(leg.slice(split->in_sample.begin, split->in_sample.end));
      split->instruments.push_back(model::Instrument::guess(leg.symbol));
    }
    for (const auto& r : split->tests) {
      std::vector<data::BarSeries> legs;
      for (const auto& leg : t.legs) legs.push_back(leg.slice(r.begin, r.end));
      split->test_legs.push_back(std::move(legs));
    }
    ev->splits_.push_back(std::move(split));
  }
  return ev;
}

const DataTarget* SpecEvaluator::find_target(std::string_view id) const {
  for (const auto& t : targets_) {
    if (t.info.id == id) return &t;
  }
  return nullptr;
}

std::vector<TargetInfo> SpecEvaluator::target_infos() const {
  std::vector<TargetInfo> out;
  for (const auto& t : targets_) out.push_back(t.info);
  return out;
}

std::size_t SpecEvaluator::in_sample_bars(std::string_view id) const {
  for (std::size_t i = 0; i < targets_.size(); ++i) {
    if (targets_[i].info.id == id) return splits_[i]->in_sample.size();
  }
  return 0;
}

FrequencyClass SpecEvaluator::frequency(std::string_view target) const {
  const DataTarget* t = find_target(target);
  return t == nullptr ? FrequencyClass::kDaily : t->info.frequency;
}

namespace {

bool has_shorts(const strategy::SignalPlan& p) {
  return std::any_of(p.short_entry.begin(), p.short_entry.end(), [](std::uint8_t f) { return f != 0; });
}

const analytics::MetricSet& requested_metrics() {
  using analytics::Metric;
  static const analytics::MetricSet set = analytics::MetricSet::of(
      {Metric::kTotalReturnPct, Metric::kReturnAnnPct, Metric::kBuyHoldReturnPct, Metric::kSharpeRatio,
       Metric::kSortinoRatio, Metric::kCalmarRatio, Metric::kMaxDrawdownPct, Metric::kExposurePct,
       Metric::kNumTrades, Metric::kWinRatePct, Metric::kAvgTradePct, Metric::kProfitFactor,
       Metric::kExpectancy, Metric::kSqn, Metric::kVolatilityAnnPct});
  return set;
}

Status add_metrics(const analytics::RunRecord& record, std::string_view prefix, Metrics& out) {
  analytics::MetricsOptions opts;
  opts.requested = requested_metrics();
  thread_local analytics::MetricsWorkspace workspace;
  TL_ASSIGN_OR_RETURN(const auto m, analytics::compute_metrics(record, opts, &workspace));
  for (const auto& [key, value] : m.items()) out[fmt::format("{}{}", prefix, key)] = value;
  return ok_status();
}

// Joins runs of consecutive windows into one record: equity compounds across windows (each
// window's curve is rescaled to start where the previous ended), trades keep their order.
void append_run(const analytics::RunRecord& piece, std::int64_t bar_offset, analytics::RunRecord& joined) {
  const double scale = joined.equity.equity.empty() ? 1.0 : joined.equity.equity.back() / piece.initial_cash;
  if (joined.equity.equity.empty()) joined.initial_cash = piece.initial_cash;
  for (std::size_t i = 0; i < piece.equity.size(); ++i) {
    joined.equity.ts.push_back(piece.equity.ts[i]);
    joined.equity.equity.push_back(piece.equity.equity[i] * scale);
  }
  for (auto t : piece.trades) {
    t.entry_bar += bar_offset;
    t.exit_bar += bar_offset;
    t.pnl *= scale;
    t.fees *= scale;
    joined.trades.push_back(std::move(t));
  }
  joined.benchmark_close.insert(joined.benchmark_close.end(), piece.benchmark_close.begin(),
                                piece.benchmark_close.end());
  joined.total_fees += piece.total_fees * scale;
}

}  // namespace

Evaluation SpecEvaluator::evaluate(const Candidate& candidate) const {
  Evaluation e;
  auto fail = [&](const Error& error) {
    e.ok = false;
    e.error = error.message();
    e.metrics.clear();
    e.returns.clear();
    return e;
  };
  std::size_t index = targets_.size();
  for (std::size_t i = 0; i < targets_.size(); ++i) {
    if (targets_[i].info.id == candidate.target) index = i;
  }
  if (index == targets_.size())
    return fail(Error::not_found(fmt::format("unknown data target '{}'", candidate.target)));
  const DataTarget& target = targets_[index];
  const Split& split = *splits_[index];

  std::shared_ptr<const strategy::Spec> spec = candidate.parsed;
  if (!spec) {
    auto parsed = strategy::parse_spec(candidate.spec, candidate.name);
    if (!parsed.ok()) return fail(parsed.error());
    spec = std::make_shared<const strategy::Spec>(std::move(parsed).value());
  }
  auto program = strategy::SpecProgram::create(*spec);
  if (!program.ok()) return fail(program.error());
  std::vector<const data::BarSeries*> legs;
  for (const auto& l : target.legs) legs.push_back(&l);
  auto plan = program->run(legs, target.cache.get());
  if (!plan.ok()) return fail(plan.error());

  backtest::BacktestConfig config;
  config.initial_cash = options_.initial_cash;
  config.fees.taker_rate = options_.commission;
  config.allow_short = has_shorts(*plan);
  config.record.orders = false;
  thread_local backtest::RunResult run;

  auto run_window = [&](const std::vector<data::BarSeries>& window_legs, std::size_t b,
                        std::size_t end) -> Status {
    const strategy::SignalPlan piece = strategy::slice_plan(*plan, b, end);
    backtest::SignalRunInput in;
    in.bars = &window_legs[0];
    in.plan = &piece;
    in.instrument = split.instruments[0];
    if (window_legs.size() > 1) {
      in.bars2 = &window_legs[1];
      in.instrument2 = split.instruments[1];
      return backtest::run_pair_signals(in, config, run);
    }
    return backtest::run_signals(in, config, run);
  };

  // In sample.
  if (auto st = run_window(split.is_legs, split.in_sample.begin, split.in_sample.end); !st.ok())
    return fail(st.error());
  if (auto st = add_metrics(run.record, "", e.metrics); !st.ok()) return fail(st.error());
  std::vector<double> returns = optimize::equity_returns(run.record.equity.equity);
  const optimize::ReturnStats is_stats = optimize::summarize_returns(returns, 0);
  e.metrics["period_sharpe"] = is_stats.count >= 2 && is_stats.stdev > 0 ? is_stats.sharpe() : kNaN;
  e.metrics["returns_skew"] = is_stats.skew;
  e.metrics["returns_kurtosis"] = is_stats.kurtosis;
  e.metrics["bars"] = static_cast<double>(is_stats.count);

  // Out of sample: the walk-forward test windows, stitched.
  analytics::RunRecord joined;
  double positive_windows = 0;
  for (std::size_t k = 0; k < split.tests.size(); ++k) {
    const auto& r = split.tests[k];
    if (auto st = run_window(split.test_legs[k], r.begin, r.end); !st.ok()) return fail(st.error());
    const auto& eq = run.record.equity.equity;
    if (!eq.empty() && eq.back() > run.record.initial_cash) positive_windows += 1;
    const std::vector<double> piece = optimize::equity_returns(eq);
    returns.insert(returns.end(), piece.begin(), piece.end());
    append_run(run.record, static_cast<std::int64_t>(joined.equity.size()), joined);
  }
  joined.periods_per_year = 0;
  if (auto st = add_metrics(joined, "oos_", e.metrics); !st.ok()) return fail(st.error());
  e.metrics["oos_windows"] = static_cast<double>(split.tests.size());
  e.metrics["oos_positive_windows_pct"] = 100 * positive_windows / static_cast<double>(split.tests.size());
  const double is_sharpe = e.metrics["sharpe_ratio"];
  const double oos_sharpe = e.metrics["oos_sharpe_ratio"];
  // Degradation: the share of the in-sample Sharpe ratio lost out of sample (defined when the
  // in-sample Sharpe is positive; > 1 means the sign flipped).
  e.metrics["oos_degradation"] = std::isfinite(is_sharpe) && is_sharpe > 0 && std::isfinite(oos_sharpe)
                                     ? 1 - oos_sharpe / is_sharpe
                                     : kNaN;
  e.returns = std::move(returns);
  e.ok = true;
  return e;
}

Result<analytics::RunRecord> SpecEvaluator::full_run(const Candidate& candidate) const {
  const DataTarget* target = find_target(candidate.target);
  if (target == nullptr) return Error::not_found(fmt::format("unknown data target '{}'", candidate.target));
  TL_ASSIGN_OR_RETURN(auto spec, strategy::parse_spec(candidate.spec, candidate.name));
  std::vector<const data::BarSeries*> legs;
  for (const auto& l : target->legs) legs.push_back(&l);
  TL_ASSIGN_OR_RETURN(auto plan, strategy::compile(spec, legs, target->cache.get()));
  backtest::BacktestConfig config;
  config.initial_cash = options_.initial_cash;
  config.fees.taker_rate = options_.commission;
  config.allow_short = has_shorts(plan);
  backtest::SignalRunInput in;
  in.bars = legs[0];
  in.plan = &plan;
  in.instrument = model::Instrument::guess(legs[0]->symbol);
  backtest::RunResult result;
  if (legs.size() > 1) {
    in.bars2 = legs[1];
    in.instrument2 = model::Instrument::guess(legs[1]->symbol);
    TL_TRY(backtest::run_pair_signals(in, config, result));
  } else {
    TL_TRY(backtest::run_signals(in, config, result));
  }
  return std::move(result.record);
}

}  // namespace tradeloop::discover
