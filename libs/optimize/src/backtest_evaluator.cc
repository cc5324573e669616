#include "tradeloop/optimize/backtest_evaluator.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <shared_mutex>
#include <unordered_map>

#include <fmt/format.h>
#include <tbb/enumerable_thread_specific.h>

#include "tradeloop/analytics/annualization.h"
#include "tradeloop/backtest/signal_runner.h"
#include "tradeloop/core/closest_name.h"
#include "tradeloop/indicators/functions.h"
#include "tradeloop/optimize/hash.h"
#include "tradeloop/strategy/builtin.h"
#include "tradeloop/strategy/sma_cross.h"
#include "tradeloop/strategy/spec.h"
#include "tradeloop/strategy/spec_compiler.h"

namespace tradeloop::optimize {
namespace {

struct Scratch {
  backtest::RunResult result;
  analytics::MetricsWorkspace workspace;
  strategy::SignalPlan plan;
  std::vector<double> returns;
  std::vector<double> finite_returns;
};

// Catalog indices of the metrics in key order: a trial's metric map is then built by appending.
const std::vector<std::size_t>& metrics_in_key_order() {
  static const std::vector<std::size_t> order = [] {
    const auto catalog = analytics::metric_catalog();
    std::vector<std::size_t> o(catalog.size());
    for (std::size_t i = 0; i < o.size(); ++i) o[i] = i;
    std::sort(o.begin(), o.end(),
              [&](std::size_t a, std::size_t b) { return catalog[a].key < catalog[b].key; });
    return o;
  }();
  return order;
}

std::uint64_t hash_column(const std::vector<double>& v, std::uint64_t h) {
  return fnv1a64(v.data(), v.size() * sizeof(double), h);
}

std::string number_text(double v) {
  return v == 0 ? "0" : fmt::format("{}", v);
}

}  // namespace

struct BacktestEvaluator::Impl {
  std::vector<data::BarSeries> legs;
  BacktestEvaluatorOptions options;
  std::string name;
  // A built-in strategy: its declaration and the values of parameters that are not searched.
  const strategy::BuiltinInfo* builtin = nullptr;
  std::map<std::string, double> builtin_values;
  // A spec: the lowered program and its values with the fixed overrides applied.
  std::optional<strategy::SpecProgram> program;
  std::vector<double> spec_values;
  mutable strategy::IndicatorCache indicator_cache;
  // sma_cross: SMA(close, period) columns shared by every trial.
  mutable std::shared_mutex sma_mutex;
  mutable std::unordered_map<int, std::shared_ptr<const std::vector<double>>> sma_columns;
  bool pairs = false;  // a two-leg spec: legs[0] is "y", legs[1] "x" (run_pair_signals)
  analytics::ReturnPeriod period = analytics::ReturnPeriod::kDay;
  // Every bar falls in its own return period (daily bars): period returns are then bar returns,
  // computed without the calendar grouping.
  bool one_bar_per_period = false;
  double periods_per_year = 252;
  std::string identity;
  backtest::BacktestConfig run_config;
  backtest::BacktestConfig record_config;  // run_record(): the user's recording options
  // Timestamps, benchmark and annualization of legs[0], shared by every full-range trial's metrics.
  analytics::MetricsContext metrics_context;
  mutable tbb::enumerable_thread_specific<Scratch> scratch;

  std::shared_ptr<const std::vector<double>> sma(int period) const {
    {
      std::shared_lock<std::shared_mutex> lock(sma_mutex);
      const auto it = sma_columns.find(period);
      if (it != sma_columns.end()) return it->second;
    }
    auto column = std::make_shared<std::vector<double>>(legs[0].close.size());
    indicators::sma(legs[0].close, period, *column);
    std::unique_lock<std::shared_mutex> lock(sma_mutex);
    return sma_columns.emplace(period, std::move(column)).first->second;
  }

  // The plan over the whole data for `point`; a non-empty `rejected` means the strategy refused it.
  Status make_plan(const ParamSpace& space, const ParamPoint& point, strategy::SignalPlan& plan,
                   std::string& rejected) const {
    if (builtin != nullptr) {
      std::map<std::string, double> values = builtin_values;
      for (std::size_t i = 0; i < space.size(); ++i) values[space[i].name] = point[i];
      auto resolved = strategy::resolve_builtin_params(*builtin, values);
      if (!resolved.ok()) {
        rejected = resolved.error().message();
        return {};
      }
      if (builtin->name == "sma_cross") {
        strategy::SmaCrossParams p;
        p.fast = static_cast<int>(resolved->at("fast"));
        p.slow = static_cast<int>(resolved->at("slow"));
        if (auto st = p.validate(); !st.ok()) {
          rejected = st.error().message();
          return {};
        }
        const auto fast = sma(p.fast);
        const auto slow = sma(p.slow);
        strategy::sma_cross_flags(*fast, *slow, plan);
        plan.warmup_bars = static_cast<std::size_t>(std::max(p.fast, p.slow) - 1);
        return {};
      }
      auto built = strategy::builtin_plan(builtin->name, *resolved, legs[0]);
      if (!built.ok()) {
        rejected = built.error().message();
        return {};
      }
      plan = std::move(built).value();
      return {};
    }
    std::vector<double> values = spec_values;
    const strategy::Spec& spec = program->spec();
    for (std::size_t i = 0; i < space.size(); ++i) {
      const int idx = program->parameter_index(space[i].name);
      if (idx < 0)
        return Error::invalid_argument(fmt::format("{} has no parameter '{}'", name, space[i].name));
      const strategy::SpecParam& sp = spec.parameters[static_cast<std::size_t>(idx)];
      if (space[i].kind == ParamKind::kCategorical) {
        const std::string text = space.value_text(i, point[i]);
        bool found = false;
        for (std::size_t c = 0; c < sp.choices.size(); ++c) {
          const strategy::ParamChoice& choice = sp.choices[c];
          const std::string choice_text = choice.is_text ? choice.text : number_text(choice.number);
          if (choice_text == text) {
            values[static_cast<std::size_t>(idx)] = static_cast<double>(c);
            found = true;
          }
        }
        if (!found) {
          rejected = fmt::format("parameter '{}': '{}' is not one of its choices", sp.name, text);
          return {};
        }
      } else {
        values[static_cast<std::size_t>(idx)] = point[i];
      }
    }
    std::vector<const data::BarSeries*> ptrs;
    for (const auto& leg : legs) ptrs.push_back(&leg);
    auto built = program->run(values, ptrs, &indicator_cache);
    if (!built.ok()) {
      rejected = built.error().message();
      return {};
    }
    plan = std::move(built).value();
    return {};
  }

  bool full(const BarRange& range) const { return range.begin == 0 && range.end == legs[0].size(); }

  // `share`: a full-range run leaves the record's ts and benchmark empty (metrics_context has them).
  Status run_range(const strategy::SignalPlan& plan, const BarRange& range, backtest::RunResult& out,
                   bool share = false, const backtest::BacktestConfig* config = nullptr) const {
    const backtest::BacktestConfig& cfg = config != nullptr ? *config : run_config;
    backtest::SignalRunInput input;
    if (full(range)) {
      input.bars = &legs[0];
      input.plan = &plan;
      if (pairs) {
        input.bars2 = &legs[1];
        return backtest::run_pair_signals(input, cfg, out);
      }
      input.share_series = share;
      return backtest::run_signals(input, cfg, out);
    }
    const data::BarSeries bars = legs[0].slice(range.begin, range.end);
    const strategy::SignalPlan sliced = strategy::slice_plan(plan, range.begin, range.end);
    input.bars = &bars;
    input.plan = &sliced;
    if (pairs) {
      const data::BarSeries bars2 = legs[1].slice(range.begin, range.end);
      input.bars2 = &bars2;
      return backtest::run_pair_signals(input, cfg, out);
    }
    return backtest::run_signals(input, cfg, out);
  }

  // Metrics and return statistics of one record into `e`.
  Status measure(const analytics::RunRecord& record, const EvalOptions& options, Scratch& s,
                 Evaluation& e) const {
    TL_ASSIGN_OR_RETURN(const analytics::Metrics metrics,
                        analytics::compute_metrics(record, options_metrics(), &s.workspace));
    const auto catalog = analytics::metric_catalog();
    for (const std::size_t i : metrics_in_key_order()) {
      const analytics::Metric id = catalog[i].id;
      if (metrics.computed(id))
        e.metrics.emplace_hint(e.metrics.end(), std::string(catalog[i].key), metrics[id]);
    }
    const bool shared = record.equity.ts.empty();
    const auto& mo = s.workspace.return_moments();
    if (shared && !s.workspace.period_returns().empty() && mo.valid && std::isfinite(mo.sum) &&
        std::isnan(s.workspace.period_returns()[0]) && mo.count + 1 == s.workspace.period_returns().size()) {
      // The metrics summed these returns already with the same kernels (analytics/return_sums.h): a
      // finite sum means no infinite return, and the count says there is no NaN after the first.
      const auto finite = s.workspace.period_returns().subspan(1);
      e.stats = summarize_returns(finite, mo.sum, mo.m2, mo.m3, mo.m4, options.blocks);
      if (options.keep_returns) e.returns.assign(finite.begin(), finite.end());
      return {};
    }
    if (shared && !s.workspace.period_returns().empty()) {
      // Metrics computed them already over the context's timestamps, with the context's period.
      const auto r = s.workspace.period_returns();
      s.returns.assign(r.begin(), r.end());
    } else if (one_bar_per_period) {
      // The same values analytics::period_returns gives when each period holds one bar.
      const auto& eq = record.equity.equity;
      s.returns.clear();
      double last = std::nan("");
      for (const double v : eq) {
        if (std::isnan(v)) continue;
        s.returns.push_back(std::isnan(last) ? std::nan("") : v / last - 1.0);
        last = v;
      }
    } else {
      analytics::period_returns(shared ? metrics_context.ts() : std::span<const Timestamp>(record.equity.ts),
                                record.equity.equity, period, &s.returns);
    }
    std::vector<double>& returns = s.finite_returns;
    returns.clear();
    for (const double r : s.returns) {
      if (std::isfinite(r)) returns.push_back(r);
    }
    e.stats = summarize_returns(returns, options.blocks);
    if (options.keep_returns) e.returns = returns;
    return {};
  }

  const analytics::MetricsOptions& options_metrics() const { return options.metrics; }
};

BacktestEvaluator::BacktestEvaluator(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
BacktestEvaluator::~BacktestEvaluator() = default;

Result<std::unique_ptr<BacktestEvaluator>> BacktestEvaluator::create(std::vector<data::BarSeries> legs,
                                                                     BacktestEvaluatorOptions options) {
  if (legs.empty() || legs[0].empty()) return Error::invalid_argument("no bars to optimize on");
  TL_TRY(options.config.validate());
  auto impl = std::make_unique<Impl>();
  const std::string& name = options.strategy;
  const bool looks_like_file = name.find('/') != std::string::npos || name.ends_with(".json");
  std::string strategy_identity;
  if (!looks_like_file && strategy::find_builtin(name) != nullptr) {
    impl->builtin = strategy::find_builtin(name);
    impl->name = name;
    std::map<std::string, double> fixed;
    for (const auto& [k, v] : options.fixed) {
      char* end = nullptr;
      const double d = std::strtod(v.c_str(), &end);
      if (end == v.c_str() || *end != '\0') {
        return Error::invalid_argument(fmt::format("{}: parameter '{}' = '{}' is not a number", name, k, v));
      }
      fixed[k] = d;
    }
    TL_ASSIGN_OR_RETURN(impl->builtin_values, strategy::resolve_builtin_params(*impl->builtin, fixed));
    if (legs.size() != 1) {
      return Error::invalid_argument(
          fmt::format("--data has {} files but {} trades one instrument", legs.size(), name));
    }
    strategy_identity = "builtin:" + name;
    for (const auto& [k, v] : impl->builtin_values) strategy_identity += fmt::format(";{}={}", k, v);
  } else {
    TL_ASSIGN_OR_RETURN(strategy::Spec spec, strategy::load_spec(name));
    TL_ASSIGN_OR_RETURN(spec, strategy::with_overrides(spec, options.fixed));
    TL_ASSIGN_OR_RETURN(strategy::SpecProgram program, strategy::SpecProgram::create(spec));
    if (program.num_legs() != legs.size()) {
      return Error::invalid_argument(fmt::format(
          "{} trades {} instrument(s): --data needs {} file(s), got {}", spec.name.empty() ? name : spec.name,
          program.num_legs(), program.num_legs(), legs.size()));
    }
    if (program.num_legs() > 2) {
      return Error::invalid_argument(
          fmt::format("{} trades {} instruments: the optimizer runs one instrument or a pair", spec.name,
                      program.num_legs()));
    }
    if (program.num_legs() == 2) {
      impl->pairs = true;
      if (legs[1].ts != legs[0].ts) {
        // Files with gaps (5-minute crypto): trade the timestamps both legs have.
        std::vector<const data::BarSeries*> ptrs = {&legs[0], &legs[1]};
        TL_ASSIGN_OR_RETURN(legs, strategy::align_legs(ptrs));
      }
    }
    impl->name = spec.name.empty() ? name : spec.name;
    impl->spec_values = program.default_values();
    TL_ASSIGN_OR_RETURN(const std::string canonical, strategy::canonical_json(spec));
    strategy_identity = "spec:" + canonical;
    impl->program = std::move(program);
  }
  for (std::size_t i = 1; i < legs.size(); ++i) {
    if (legs[i].ts != legs[0].ts) {
      return Error::invalid_argument("the data files' timestamps differ: pairs need aligned bars");
    }
  }

  const analytics::Annualization ann = analytics::infer_annualization(legs[0].ts);
  impl->period = ann.period;
  impl->one_bar_per_period = true;
  for (std::size_t i = 1; i < legs[0].ts.size() && impl->one_bar_per_period; ++i) {
    impl->one_bar_per_period = analytics::period_key(legs[0].ts[i], ann.period) !=
                               analytics::period_key(legs[0].ts[i - 1], ann.period);
  }
  impl->periods_per_year = options.config.periods_per_year > 0   ? options.config.periods_per_year
                           : std::isfinite(ann.periods_per_year) ? ann.periods_per_year
                                                                 : 252;
  impl->run_config = options.config;
  impl->run_config.record.orders = false;  // metrics read the equity curve and trades only
  impl->record_config = impl->run_config;
  // Cash, position value and exposure per bar serve time_in_market_pct only (and trial records).
  impl->run_config.record.equity_details =
      options.config.record.equity_details &&
      options.metrics.requested.contains(analytics::Metric::kTimeInMarketPct);

  std::uint64_t h = fnv1a64(strategy_identity);
  for (const auto& leg : legs) {
    h = fnv1a64(leg.ts.data(), leg.ts.size() * sizeof(Timestamp), h);
    for (const auto* col : {&leg.open, &leg.high, &leg.low, &leg.close, &leg.volume})
      h = hash_column(*col, h);
  }
  const auto& c = options.config;
  h = fnv1a64(
      fmt::format("cash={};fees={};slippage={};fill={};sizing={};exclusive={};short={};mode={};lev={};mm={};"
                  "borrow={};intrabar={};volume={};ppy={};rf={};metrics={}",
                  c.initial_cash, c.fees.to_string(), c.slippage.to_string(), static_cast<int>(c.fill),
                  c.sizing ? c.sizing->to_string() : "default", c.exclusive, c.allow_short,
                  static_cast<int>(c.position_mode), c.leverage, c.maintenance_margin, c.borrow_rate,
                  static_cast<int>(c.intrabar), c.volume_participation, c.periods_per_year,
                  options.metrics.risk_free_rate, options.metrics.requested.bits()),
      h);
  impl->identity = hash_hex(h);
  impl->legs = std::move(legs);
  impl->options = std::move(options);
  impl->metrics_context = analytics::MetricsContext::make(impl->legs[0].ts, impl->legs[0].close,
                                                          impl->run_config.periods_per_year);
  impl->options.metrics.context = &impl->metrics_context;
  return std::unique_ptr<BacktestEvaluator>(new BacktestEvaluator(std::move(impl)));
}

Status BacktestEvaluator::check_space(ParamSpace& space) const {
  const Impl& m = *impl_;
  std::vector<std::string> known;
  if (m.builtin) {
    for (const auto& p : m.builtin->params) known.push_back(p.name);
  } else {
    for (const auto& p : m.program->spec().parameters) known.push_back(p.name);
  }
  for (std::size_t i = 0; i < space.size(); ++i) {
    const ParamDef& def = space[i];
    if (std::find(known.begin(), known.end(), def.name) == known.end()) {
      return Error::invalid_argument(fmt::format("--param '{}': {} has no parameter '{}'{}", def.name, m.name,
                                                 def.name,
                                                 did_you_mean_suffix(closest_name(def.name, known, 3))));
    }
    double lo = 0, hi = 0;
    ParamKind kind = ParamKind::kInt;
    if (m.builtin) {
      for (const auto& p : m.builtin->params) {
        if (p.name != def.name) continue;
        lo = p.min;
        hi = p.max;
        kind = p.integer ? ParamKind::kInt : ParamKind::kFloat;
      }
    } else {
      for (const auto& p : m.program->spec().parameters) {
        if (p.name != def.name) continue;
        if (p.kind == strategy::SpecParamKind::kCategorical) {
          if (def.kind != ParamKind::kCategorical) {
            return Error::invalid_argument(
                fmt::format("--param '{}': {} is categorical: list its choices (e.g. {}=a,b)", def.name,
                            def.name, def.name));
          }
          for (const std::string& choice : def.choices) {
            bool found = false;
            std::vector<std::string> texts;
            for (const auto& c : p.choices) {
              texts.push_back(c.is_text ? c.text : number_text(c.number));
              found = found || texts.back() == choice;
            }
            if (!found) {
              return Error::invalid_argument(fmt::format("--param '{}': '{}' is not a choice of {} ({})",
                                                         def.name, choice, def.name, fmt::join(texts, ", ")));
            }
          }
          kind = ParamKind::kCategorical;
        } else {
          lo = p.min;
          hi = p.max;
          kind = p.kind == strategy::SpecParamKind::kInt ? ParamKind::kInt : ParamKind::kFloat;
        }
      }
    }
    if (kind == ParamKind::kCategorical) continue;
    if (def.kind == ParamKind::kCategorical) {
      return Error::invalid_argument(
          fmt::format("--param '{}': {} is numeric: give a range min:max[:step]", def.name, def.name));
    }
    if (def.min < lo || def.max > hi) {
      return Error::out_of_range(fmt::format("--param '{}': range {}..{} is outside {}'s range {}..{} for {}",
                                             def.name, number_text(def.min), number_text(def.max), def.name,
                                             number_text(lo), number_text(hi), m.name));
    }
    if (kind != def.kind) TL_TRY(space.set_kind(def.name, kind));
  }
  return {};
}

const std::string& BacktestEvaluator::strategy_name() const {
  return impl_->name;
}
bool BacktestEvaluator::is_builtin() const {
  return impl_->builtin != nullptr;
}
const std::vector<data::BarSeries>& BacktestEvaluator::legs() const {
  return impl_->legs;
}
std::size_t BacktestEvaluator::bars() const {
  return impl_->legs[0].size();
}
std::string BacktestEvaluator::identity() const {
  return impl_->identity;
}
double BacktestEvaluator::periods_per_year() const {
  return impl_->periods_per_year;
}

std::vector<std::string> BacktestEvaluator::metric_names() const {
  std::vector<std::string> out;
  for (const auto& info : analytics::metric_catalog()) {
    if (impl_->options.metrics.requested.contains(info.id)) out.emplace_back(info.key);
  }
  return out;
}

Result<analytics::RunRecord> BacktestEvaluator::run_record(const ParamSpace& space, const ParamPoint& point,
                                                           const BarSelection& bars) const {
  strategy::SignalPlan plan;
  std::string rejected;
  TL_TRY(impl_->make_plan(space, point, plan, rejected));
  if (!rejected.empty()) return Error::invalid_argument(rejected);
  std::vector<analytics::RunRecord> runs;
  for (const BarRange& r : bars) {
    backtest::RunResult result;
    TL_TRY(impl_->run_range(plan, r, result, false, &impl_->record_config));
    runs.push_back(std::move(result.record));
  }
  if (runs.size() == 1) return std::move(runs[0]);
  std::vector<const analytics::RunRecord*> ptrs;
  for (const auto& r : runs) ptrs.push_back(&r);
  return stitch_records(ptrs);
}

Result<Evaluation> BacktestEvaluator::evaluate(const ParamSpace& space, const ParamPoint& point,
                                               const BarSelection& bars, const EvalOptions& options) const {
  const Impl& m = *impl_;
  Scratch& s = m.scratch.local();
  Evaluation e;
  TL_TRY(m.make_plan(space, point, s.plan, e.rejected_reason));
  if (!e.rejected_reason.empty()) return e;
  if (bars.size() == 1) {
    const bool share = m.full(bars[0]) && !m.pairs;  // the pair runner records its own series
    TL_TRY(m.run_range(s.plan, bars[0], s.result, share));
    TL_TRY(m.measure(s.result.record, options, s, e));
    if (options.keep_record) {
      auto record = std::make_shared<analytics::RunRecord>(s.result.record);
      if (share) {
        record->equity.ts = m.legs[0].ts;
        record->benchmark_close = m.legs[0].close;
      }
      e.record = std::move(record);
    }
    return e;
  }
  std::vector<analytics::RunRecord> runs;
  for (const BarRange& r : bars) {
    TL_TRY(m.run_range(s.plan, r, s.result));
    runs.push_back(s.result.record);
  }
  std::vector<const analytics::RunRecord*> ptrs;
  for (const auto& r : runs) ptrs.push_back(&r);
  auto joined = std::make_shared<analytics::RunRecord>(stitch_records(ptrs));
  TL_TRY(m.measure(*joined, options, s, e));
  if (options.keep_record) e.record = std::move(joined);
  return e;
}

Result<Evaluation> BacktestEvaluator::stitch(const std::vector<Evaluation>& pieces,
                                             const EvalOptions& options) const {
  std::vector<const analytics::RunRecord*> runs;
  for (const Evaluation& piece : pieces) {
    if (!piece.record) return Error::failed_precondition("stitch: a piece was evaluated without keep_record");
    runs.push_back(piece.record.get());
  }
  if (runs.empty()) return Error::invalid_argument("stitch: no runs");
  auto joined = std::make_shared<analytics::RunRecord>(stitch_records(runs));
  Scratch& s = impl_->scratch.local();
  Evaluation e;
  TL_TRY(impl_->measure(*joined, options, s, e));
  if (options.keep_record) e.record = std::move(joined);
  return e;
}

analytics::RunRecord stitch_records(const std::vector<const analytics::RunRecord*>& runs) {
  analytics::RunRecord out;
  if (runs.empty()) return out;
  out.initial_cash = runs[0]->initial_cash;
  out.periods_per_year = runs[0]->periods_per_year;
  out.warmup_bars = runs[0]->warmup_bars;
  double carried = runs[0]->initial_cash;
  std::int64_t offset = 0;
  for (const analytics::RunRecord* run : runs) {
    const double scale = run->initial_cash != 0 ? carried / run->initial_cash : 1.0;
    const auto& e = run->equity;
    out.equity.ts.insert(out.equity.ts.end(), e.ts.begin(), e.ts.end());
    for (const double v : e.equity) out.equity.equity.push_back(v * scale);
    // Cash and exposure stored or derived (RecordOptions::derive_details); the stitched curve stores them.
    for (std::size_t i = 0; i < e.ts.size() && e.has_cash(i); ++i)
      out.equity.cash.push_back(e.cash_at(i) * scale);
    for (const double v : e.position_value) out.equity.position_value.push_back(v * scale);
    for (std::size_t i = 0; i < e.ts.size() && e.has_exposure(i); ++i)
      out.equity.exposure.push_back(e.exposure_at(i));
    out.benchmark_close.insert(out.benchmark_close.end(), run->benchmark_close.begin(),
                               run->benchmark_close.end());
    for (analytics::ClosedTrade t : run->trades) {
      t.entry_bar += offset;
      t.exit_bar += offset;
      t.size *= scale;
      t.pnl *= scale;
      t.fees *= scale;
      out.trades.push_back(std::move(t));
    }
    out.total_fees += run->total_fees * scale;
    out.open_positions.clear();
    for (analytics::OpenPosition p : run->open_positions) {
      p.size *= scale;
      p.unrealized_pnl *= scale;
      out.open_positions.push_back(std::move(p));
    }
    if (!e.equity.empty()) carried = e.equity.back() * scale;
    offset += static_cast<std::int64_t>(e.ts.size());
  }
  // Drop the per-bar details when some run did not record them (they must match the curve's size).
  if (out.equity.cash.size() != out.equity.ts.size()) out.equity.cash.clear();
  if (out.equity.position_value.size() != out.equity.ts.size()) out.equity.position_value.clear();
  if (out.equity.exposure.size() != out.equity.ts.size()) out.equity.exposure.clear();
  if (out.benchmark_close.size() != out.equity.ts.size()) out.benchmark_close.clear();
  return out;
}

}  // namespace tradeloop::optimize
