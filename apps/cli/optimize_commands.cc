// `tradeloop optimize` and `tradeloop validate`: parse the flags, load the data, build the backtest
// evaluator, run the search or the validation scheme (threads, or MPI ranks under mpirun), format.
// See docs/optimize.md.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "backtest_flags.h"
#include "cli.h"
#include "tradeloop/data/csv_reader.h"
#include "tradeloop/optimize/backtest_evaluator.h"
#include "tradeloop/optimize/executor.h"
#include "tradeloop/optimize/optimizer.h"
#include "tradeloop/optimize/validation.h"
#include "tradeloop/strategy/builtin.h"
#include "tradeloop/strategy/spec.h"

namespace tradeloop::cli {
namespace {

using nlohmann::json;
using namespace tradeloop::optimize;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

json number(double v) {
  return std::isfinite(v) ? json(v) : json(nullptr);
}

// Search and data flags shared by both commands.
struct CommonArgs {
  std::string data;
  std::string strategy;
  std::string method = "grid";
  std::vector<std::string> params;
  std::string objective = "sharpe_ratio";
  std::uint64_t trials = 0;
  int jobs = 0;
  std::uint64_t seed = 0;
  std::string db;
  bool resume = false;
  bool json = false;
  std::optional<double> min_trades;
  std::optional<double> max_drawdown;
  std::size_t population = 20;
  std::size_t generations = 0;
  std::size_t batch = 4;
  std::size_t blocks = 16;
  std::string metrics;
  BacktestFlags bt;
};

struct ValidateArgs {
  CommonArgs common;
  std::string scheme = "walkforward";
  std::size_t folds = 0;
  std::optional<std::size_t> embargo;
  std::optional<std::size_t> purge;
  double train_fraction = 0.7;
  double train_ratio = 3;
  bool anchored = false;
  std::size_t test_groups = 2;
  std::string oos_equity;
};

struct Failure {
  int code;
  std::string message;
};

void add_common_flags(CLI::App* cmd, CommonArgs& a) {
  cmd->add_option("--data", a.data, "Bar CSV file")->required();
  cmd->add_option("--strategy", a.strategy, "Built-in name (sma_cross), library spec name, or SPEC.json")
      ->required();
  cmd->add_option("--method", a.method, "grid | random | bayes | genetic | nsga2 (default grid)");
  cmd->add_option(
      "--param", a.params,
      "Searched parameter name=min:max[:step] (ends inclusive), name=a,b,c (choices) or name=value "
      "(fixed); repeatable");
  cmd->add_option(
      "--objective", a.objective,
      "Metric to maximize (sharpe_ratio), min:METRIC / max:METRIC, composite[:m=w,...,dd_penalty=P,"
      "dd_threshold=T], or several comma-separated (nsga2)");
  cmd->add_option("--trials", a.trials,
                  "Number of trials (grid: all points by default; random 100; bayes 50)");
  cmd->add_option("--jobs", a.jobs, "Threads (default: all cores)");
  cmd->add_option("--seed", a.seed, "Seed of the random, bayes, genetic and nsga2 searches (default 0)");
  cmd->add_option("--db", a.db, "SQLite file the trials stream into");
  cmd->add_flag("--resume", a.resume,
                "Continue the interrupted run stored in --db without redoing finished trials");
  cmd->add_flag("--json", a.json, "Print one JSON object");
  cmd->add_option("--min-trades", a.min_trades, "Reject trials with fewer closed trades");
  cmd->add_option("--max-drawdown", a.max_drawdown, "Reject trials whose max drawdown exceeds this percent");
  cmd->add_option("--population", a.population, "genetic / nsga2 population (default 20)");
  cmd->add_option("--generations", a.generations,
                  "genetic / nsga2 generations (default 10, or until --trials)");
  cmd->add_option("--batch", a.batch, "bayes: points proposed per round (default 4)");
  cmd->add_option("--pbo-blocks", a.blocks, "PBO: blocks S of the CSCV split (even, default 16)");
  cmd->add_option(
      "--metrics", a.metrics,
      "Metrics computed per trial, comma-separated (default all; the objective's are always added): "
      "fewer metrics, faster trials");
  add_backtest_flags(*cmd, a.bt);
}

// Everything a run needs, built from the flags.
struct Setup {
  std::unique_ptr<BacktestEvaluator> evaluator;
  ParamSpace space;
  OptimizeOptions options;
  std::unique_ptr<TrialStore> store;
  std::unique_ptr<Executor> executor;
  std::unique_ptr<ProgressBar> progress;
  double load_s = 0;
  int rank = 0;
  int ranks = 1;
};

int code_for(const Error& e) {
  switch (e.code()) {
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kOutOfRange:
    case ErrorCode::kFailedPrecondition:
      return kExitDataErrors;
    default:
      return kExitUsage;
  }
}

std::optional<Failure> prepare(const CommonArgs& a, Setup& s) {
  // MPI first: every rank parses the same flags and builds the same setup.
  if (mpi_launched() && mpi_compiled()) {
    if (auto st = mpi_init(nullptr, nullptr); !st.ok()) return Failure{kExitUsage, st.error().message()};
    auto ex = make_mpi_executor(a.jobs);
    if (!ex.ok()) return Failure{kExitUsage, ex.error().message()};
    s.executor = std::move(ex).value();
  } else {
    s.executor = make_thread_executor(a.jobs);
  }
  s.rank = s.executor->rank();
  s.ranks = s.executor->ranks();

  backtest::BacktestConfig cfg;
  if (auto st = to_backtest_config(a.bt, cfg); !st.ok()) return Failure{kExitUsage, st.error().message()};
  auto method = parse_method(a.method);
  if (!method.ok()) return Failure{kExitUsage, method.error().message()};
  auto objective = Objective::parse(a.objective);
  if (!objective.ok()) return Failure{kExitUsage, objective.error().message()};
  objective->set_constraints(Constraints{a.min_trades, a.max_drawdown});

  BacktestEvaluatorOptions eo;
  eo.strategy = a.strategy;
  eo.config = cfg;
  eo.data_label = a.data;
  if (!a.metrics.empty()) {
    auto set = analytics::parse_metric_set(a.metrics);
    if (!set.ok()) return Failure{kExitUsage, "--metrics: " + set.error().message()};
    for (const std::string& key : objective->metrics_used()) {
      const auto m = analytics::metric_from_key(key);
      if (m) set->add(*m);
    }
    eo.metrics.requested = *set;
  }
  for (const std::string& text : a.params) {
    auto def = parse_param(text);
    if (!def.ok()) return Failure{kExitUsage, def.error().message()};
    // A single number is a fixed override, not a searched parameter.
    if (def->kind != ParamKind::kCategorical && def->min == def->max) {
      eo.fixed[def->name] = text.substr(text.find('=') + 1);
      continue;
    }
    if (auto st = s.space.add(*def); !st.ok()) return Failure{kExitUsage, st.error().message()};
  }
  if (s.space.empty()) {
    return Failure{kExitUsage, "no parameter to search: give at least one --param name=min:max[:step]"};
  }

  const auto load_start = Clock::now();
  std::vector<data::BarSeries> legs;
  std::size_t pos = 0;
  while (true) {
    const std::size_t comma = a.data.find(',', pos);
    const std::string path = a.data.substr(pos, comma - pos);
    if (path.empty()) return Failure{kExitUsage, fmt::format("--data '{}': empty file name", a.data)};
    auto bars = data::load_bars(path);
    if (!bars.ok()) {
      const auto code = bars.error().code();
      return Failure{code == ErrorCode::kNotFound || code == ErrorCode::kIo ? kExitUsage : kExitDataErrors,
                     bars.error().message()};
    }
    if (bars->empty()) return Failure{kExitDataErrors, fmt::format("{}: no bars", path)};
    legs.push_back(std::move(bars).value());
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  s.load_s = seconds_since(load_start);

  // A pairs spec needs two files and a one-instrument strategy one: a usage error, as in backtest.
  if (strategy::find_builtin(eo.strategy) == nullptr) {
    if (auto spec = strategy::load_spec(eo.strategy); spec.ok()) {
      const std::size_t want = std::max<std::size_t>(1, spec->legs.size());
      if (legs.size() != want) {
        return Failure{
            kExitUsage,
            fmt::format("{} trades {} instrument(s): --data needs {} comma-separated file(s), got {}",
                        spec->name.empty() ? eo.strategy : spec->name, want, want, legs.size())};
      }
    }
  }
  auto ev = BacktestEvaluator::create(std::move(legs), eo);
  if (!ev.ok()) return Failure{code_for(ev.error()), ev.error().message()};
  s.evaluator = std::move(ev).value();
  if (auto st = s.evaluator->check_space(s.space); !st.ok())
    return Failure{code_for(st.error()), st.error().message()};
  if (auto st = check_objective_metrics(*s.evaluator, *objective); !st.ok()) {
    return Failure{kExitUsage, st.error().message()};
  }

  OptimizeOptions& o = s.options;
  o.search.method = *method;
  o.search.trials = a.trials;
  o.search.seed = a.seed;
  o.search.population = a.population;
  o.search.generations = a.generations;
  o.search.batch = a.batch;
  o.objective = *objective;
  o.eval.blocks = a.blocks;
  o.executor = s.executor.get();
  o.jobs = a.jobs;
  o.resume = a.resume;
  if (a.resume && a.db.empty()) return Failure{kExitUsage, "--resume needs --db PATH"};
  if (!a.db.empty() && s.rank == 0) {
    auto store = TrialStore::open(a.db);
    if (!store.ok()) return Failure{kExitUsage, store.error().message()};
    s.store = std::move(store).value();
    o.store = s.store.get();
  }
  s.progress = std::make_unique<ProgressBar>(s.rank == 0 && stderr_is_tty());
  o.progress = s.progress.get();
  return std::nullopt;
}

json params_json(const ParamSpace& space, const ParamPoint& p) {
  return json::parse(space.to_json(p));
}

json metrics_json(const std::map<std::string, double>& metrics) {
  json m = json::object();
  for (const auto& [k, v] : metrics) m[k] = number(v);
  return m;
}

json dsr_json(const DeflatedSharpe& d, double periods_per_year) {
  json j = {{"valid", d.valid},
            {"probability", number(d.valid ? d.probability : NAN)},
            {"sharpe", number(d.sharpe)},
            {"sharpe_annualized", number(d.sharpe * std::sqrt(periods_per_year))},
            {"expected_max_sharpe", number(d.expected_max_sharpe)},
            {"expected_max_sharpe_annualized", number(d.expected_max_sharpe * std::sqrt(periods_per_year))},
            {"trials", d.trials},
            {"sharpe_variance", number(d.sharpe_variance)},
            {"skew", number(d.skew)},
            {"kurtosis", number(d.kurtosis)},
            {"observations", d.observations}};
  if (!d.note.empty()) j["note"] = d.note;
  return j;
}

json pbo_json(const Pbo& p) {
  json j = {{"valid", p.valid},
            {"probability", number(p.valid ? p.probability : NAN)},
            {"strategies", p.strategies},
            {"blocks", p.blocks},
            {"combinations", p.combinations},
            {"logit_mean", number(p.logit_mean)},
            {"prob_oos_loss", number(p.prob_oos_loss)},
            {"degradation_slope", number(p.degradation_slope)}};
  if (!p.note.empty()) j["note"] = p.note;
  return j;
}

json stability_json(const Stability& s) {
  return {{"valid", s.valid},
          {"neighbours", s.neighbours},
          {"rejected", s.rejected},
          {"best_value", number(s.best_value)},
          {"mean", number(s.mean)},
          {"stdev", number(s.stdev)},
          {"min", number(s.min)},
          {"max", number(s.max)},
          {"relative_spread", number(s.relative_spread)}};
}

json trial_json(const ParamSpace& space, const Objective& objective, const Trial& t) {
  json j = {{"index", t.index},
            {"params", params_json(space, t.params)},
            {"value", number(t.value())},
            {"status", std::string(trial_status_name(t.status))},
            {"metrics", metrics_json(t.eval.metrics)}};
  if (objective.size() > 1) {
    json values = json::array();
    for (const double v : t.values) values.push_back(number(v));
    j["values"] = values;
  }
  if (!t.reason.empty()) j["reason"] = t.reason;
  return j;
}

void print_json(const json& j) {
  const std::string text = j.dump(2, ' ', false, json::error_handler_t::replace);
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fputc('\n', stdout);
}

std::string fmt_value(double v) {
  return std::isfinite(v) ? fmt::format("{:.4f}", v) : "n/a";
}

int finish(Setup& s, int code) {
  s.progress.reset();
  s.executor.reset();
  mpi_finalize();
  return code;
}

int report_failure(Setup& s, const Failure& f) {
  if (s.rank == 0) fmt::print(stderr, "tradeloop: {}\n", f.message);
  return finish(s, f.code);
}

int run_optimize(const CommonArgs& a) {
  const auto start = Clock::now();
  Setup s;
  if (auto f = prepare(a, s)) return report_failure(s, *f);
  auto result = tradeloop::optimize::optimize(*s.evaluator, s.space, s.options);
  if (!result.ok()) return report_failure(s, Failure{code_for(result.error()), result.error().message()});
  if (s.rank != 0) return finish(s, kExitOk);
  const OptimizeResult& r = *result;
  const Objective& objective = s.options.objective;
  const double ppy = s.evaluator->periods_per_year();
  const double total_s = seconds_since(start);
  const double evaluated_per_s = r.seconds > 0 ? static_cast<double>(r.evaluated_trials) / r.seconds : 0;

  if (a.json) {
    json out;
    out["strategy"] = s.evaluator->strategy_name();
    out["method"] = std::string(method_name(s.options.search.method));
    out["objective"] = objective.describe();
    out["run_id"] = r.run_id;
    json trials = json::array();
    for (const Trial& t : r.trials) trials.push_back(trial_json(s.space, objective, t));
    out["trials"] = std::move(trials);
    if (r.best >= 0) {
      const Trial& b = r.trials[static_cast<std::size_t>(r.best)];
      out["best"] = {{"index", b.index},
                     {"params", params_json(s.space, b.params)},
                     {"value", number(b.value())},
                     {"metrics", metrics_json(b.eval.metrics)}};
    } else {
      out["best"] = nullptr;
    }
    if (objective.size() > 1) {
      json front = json::array();
      for (const std::size_t i : r.pareto_front) {
        json values = json::array();
        for (const double v : r.trials[i].values) values.push_back(number(v));
        front.push_back({{"index", r.trials[i].index},
                         {"params", params_json(s.space, r.trials[i].params)},
                         {"values", values}});
      }
      out["pareto_front"] = std::move(front);
    }
    out["stability"] = stability_json(r.stability);
    out["deflated_sharpe"] = number(r.deflated_sharpe.valid ? r.deflated_sharpe.probability : NAN);
    out["deflated_sharpe_detail"] = dsr_json(r.deflated_sharpe, ppy);
    out["pbo"] = number(r.pbo.valid ? r.pbo.probability : NAN);
    out["pbo_detail"] = pbo_json(r.pbo);
    out["timing"] = {{"load_s", s.load_s},
                     {"search_s", r.seconds},
                     {"overfitting_s", r.overfitting_seconds},
                     {"total_s", total_s},
                     {"trials", r.trials.size()},
                     {"evaluated", r.evaluated_trials},
                     {"resumed", r.resumed_trials},
                     {"trials_per_s", evaluated_per_s},
                     {"bars", r.bars},
                     {"bar_trials_per_s", evaluated_per_s * static_cast<double>(r.bars)},
                     {"jobs", s.executor->jobs()},
                     {"ranks", s.ranks}};
    print_json(out);
    return finish(s, kExitOk);
  }

  fmt::print("{} on {}: {} search, {} trials ({} evaluated, {} resumed), objective {}\n",
             s.evaluator->strategy_name(), a.data, method_name(s.options.search.method), r.trials.size(),
             r.evaluated_trials, r.resumed_trials, objective.describe());
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < r.trials.size(); ++i) order.push_back(i);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) {
    return r.trials[x].utility() > r.trials[y].utility();
  });
  fmt::print("  {:>5}  {:<40} {:>12} {:>12} {:>10} {:>8}\n", "trial", "params", objective.term(0).metric,
             "return_pct", "max_dd_pct", "trades");
  for (std::size_t k = 0; k < std::min<std::size_t>(10, order.size()); ++k) {
    const Trial& t = r.trials[order[k]];
    const auto get = [&](const char* key) {
      const auto it = t.eval.metrics.find(key);
      return it == t.eval.metrics.end() ? NAN : it->second;
    };
    fmt::print("  {:>5}  {:<40} {:>12} {:>12} {:>10} {:>8}{}\n", t.index, s.space.to_json(t.params),
               fmt_value(t.value()), fmt_value(get("total_return_pct")), fmt_value(get("max_drawdown_pct")),
               fmt_value(get("num_trades")), t.ok() ? "" : "  rejected: " + t.reason);
  }
  if (r.best >= 0) {
    const Trial& b = r.trials[static_cast<std::size_t>(r.best)];
    fmt::print("best: {} {} = {}\n", s.space.to_json(b.params), objective.term(0).metric,
               fmt_value(b.value()));
  } else {
    fmt::print("best: none (every trial was rejected)\n");
  }
  if (objective.size() > 1) fmt::print("pareto front: {} trials\n", r.pareto_front.size());
  if (r.stability.valid) {
    fmt::print("stability: {} neighbours, mean {} (min {}, max {}), relative spread {}\n",
               r.stability.neighbours, fmt_value(r.stability.mean), fmt_value(r.stability.min),
               fmt_value(r.stability.max), fmt_value(r.stability.relative_spread));
  }
  fmt::print("deflated Sharpe ratio: {}{}\n",
             r.deflated_sharpe.valid ? fmt_value(r.deflated_sharpe.probability) : "n/a",
             r.deflated_sharpe.valid
                 ? fmt::format(" (SR {} vs expected max {} of {} trials, annualized)",
                               fmt_value(r.deflated_sharpe.sharpe * std::sqrt(ppy)),
                               fmt_value(r.deflated_sharpe.expected_max_sharpe * std::sqrt(ppy)),
                               r.deflated_sharpe.trials)
                 : " (" + r.deflated_sharpe.note + ")");
  fmt::print("PBO: {}{}\n", r.pbo.valid ? fmt_value(r.pbo.probability) : "n/a",
             r.pbo.valid
                 ? fmt::format(" ({} CSCV combinations of {} blocks)", r.pbo.combinations, r.pbo.blocks)
                 : " (" + r.pbo.note + ")");
  fmt::print("timing: search {:.3f} s, {:.0f} trials/s, {:.3g} bar x trial/s on {} thread(s) x {} rank(s)\n",
             r.seconds, evaluated_per_s, evaluated_per_s * static_cast<double>(r.bars), s.executor->jobs(),
             s.ranks);
  return finish(s, kExitOk);
}

json range_json(const BarSelection& sel, const data::BarSeries& bars) {
  json out = json::array();
  for (const BarRange& r : sel) {
    out.push_back({{"begin", r.begin},
                   {"end", r.end},
                   {"start_time", format_time(bars.ts[r.begin])},
                   {"end_time", format_time(bars.ts[r.end - 1])}});
  }
  return out;
}

int run_validate(const ValidateArgs& v) {
  const auto start = Clock::now();
  Setup s;
  if (auto f = prepare(v.common, s)) return report_failure(s, *f);
  ValidateOptions vo;
  auto scheme = parse_scheme(v.scheme);
  if (!scheme.ok()) return report_failure(s, Failure{kExitUsage, scheme.error().message()});
  SchemeConfig& c = vo.scheme;
  c.scheme = *scheme;
  c.folds = v.folds > 0 ? v.folds : (c.scheme == Scheme::kCpcv ? 6 : 5);
  const std::size_t bars = s.evaluator->bars();
  const bool purging = c.scheme == Scheme::kPurged || c.scheme == Scheme::kCpcv;
  // Purged schemes default to an embargo of 1% of the bars (López de Prado's suggestion).
  c.embargo = v.embargo ? *v.embargo : (purging ? (bars + 99) / 100 : 0);
  c.purge = v.purge ? *v.purge : (purging ? c.embargo : 0);
  c.train_fraction = v.train_fraction;
  c.train_ratio = v.train_ratio;
  c.anchored = v.anchored;
  c.test_groups = v.test_groups;
  vo.optimize = s.options;
  auto result = tradeloop::optimize::validate(*s.evaluator, s.space, vo);
  if (!result.ok()) return report_failure(s, Failure{code_for(result.error()), result.error().message()});
  if (s.rank != 0) return finish(s, kExitOk);
  const ValidationResult& r = *result;
  const Objective& objective = s.options.objective;
  const double ppy = s.evaluator->periods_per_year();
  const data::BarSeries& series = s.evaluator->legs()[0];

  if (!v.oos_equity.empty() && r.oos_record) {
    std::string csv = "timestamp,equity\n";
    for (std::size_t i = 0; i < r.oos_record->equity.size(); ++i) {
      csv += fmt::format("{},{}\n", format_time(r.oos_record->equity.ts[i]), r.oos_record->equity.equity[i]);
    }
    std::FILE* f = std::fopen(v.oos_equity.c_str(), "wb");
    if (f == nullptr || std::fwrite(csv.data(), 1, csv.size(), f) != csv.size() || std::fclose(f) != 0) {
      return report_failure(
          s, Failure{kExitUsage, fmt::format("{}: cannot write the out-of-sample equity", v.oos_equity)});
    }
  }

  if (v.common.json) {
    json out;
    out["strategy"] = s.evaluator->strategy_name();
    out["scheme"] = std::string(scheme_name(c.scheme));
    out["method"] = std::string(method_name(s.options.search.method));
    out["objective"] = objective.describe();
    out["settings"] = {{"folds", c.folds},
                       {"embargo", c.embargo},
                       {"purge", c.purge},
                       {"train_fraction", c.train_fraction},
                       {"train_ratio", c.train_ratio},
                       {"anchored", c.anchored},
                       {"test_groups", c.test_groups},
                       {"bars", bars}};
    json folds = json::array();
    for (const FoldReport& f : r.folds) {
      json j = {{"fold", f.fold.index},
                {"train", range_json(f.fold.train, series)},
                {"test", range_json(f.fold.test, series)},
                {"trials", f.trials}};
      if (!f.fold.test_groups.empty()) j["test_groups"] = f.fold.test_groups;
      if (f.has_best) {
        j["best_params"] = params_json(s.space, f.best);
        j["is_value"] = number(f.is_value);
        j["oos_value"] = number(f.oos_value);
        j["degradation"] = number(f.degradation);
        j["degradation_pct"] = number(f.degradation_pct);
        j["is_metrics"] = metrics_json(f.is_metrics);
        j["oos_metrics"] = metrics_json(f.oos_metrics);
        j["stability"] = stability_json(f.stability);
      } else {
        j["best_params"] = nullptr;
        j["note"] = "every trial of this fold was rejected";
      }
      folds.push_back(std::move(j));
    }
    out["folds"] = std::move(folds);
    out["oos_metrics"] = metrics_json(r.oos_metrics);
    out["oos_value"] = number(r.oos_value);
    out["oos_probabilistic_sharpe"] = number(r.oos_probabilistic_sharpe);
    out["mean_is_value"] = number(r.mean_is_value);
    out["mean_oos_value"] = number(r.mean_oos_value);
    out["mean_degradation"] = number(r.mean_degradation);
    out["mean_degradation_pct"] = number(r.mean_degradation_pct);
    if (c.scheme == Scheme::kCpcv) {
      json paths = json::array();
      for (const PathReport& p : r.paths) {
        paths.push_back({{"folds", p.folds},
                         {"value", number(p.value)},
                         {"probabilistic_sharpe", number(p.probabilistic_sharpe)},
                         {"metrics", metrics_json(p.metrics)}});
      }
      out["paths"] = std::move(paths);
    }
    if (r.full_best >= 0) {
      const Trial& b = r.candidates[static_cast<std::size_t>(r.full_best)];
      out["full_sample_best"] = {{"params", params_json(s.space, b.params)}, {"value", number(b.value())}};
    }
    out["total_trials"] = r.total_trials;
    out["distinct_points"] = r.candidates.size();
    out["deflated_sharpe"] = number(r.deflated_sharpe.valid ? r.deflated_sharpe.probability : NAN);
    out["deflated_sharpe_detail"] = dsr_json(r.deflated_sharpe, ppy);
    out["pbo"] = number(r.pbo.valid ? r.pbo.probability : NAN);
    out["pbo_detail"] = pbo_json(r.pbo);
    out["timing"] = {
        {"load_s", s.load_s},       {"validate_s", r.seconds},    {"total_s", seconds_since(start)},
        {"trials", r.total_trials}, {"jobs", s.executor->jobs()}, {"ranks", s.ranks}};
    print_json(out);
    return finish(s, kExitOk);
  }

  fmt::print("{} on {}: {} validation ({} folds), {} search, objective {}\n", s.evaluator->strategy_name(),
             v.common.data, scheme_name(c.scheme), r.folds.size(), method_name(s.options.search.method),
             objective.describe());
  fmt::print("  {:>4}  {:<23} {:<23} {:<32} {:>10} {:>10} {:>10}\n", "fold", "train", "test", "best",
             "in-sample", "out", "degr.%");
  for (const FoldReport& f : r.folds) {
    const auto span = [&](const BarSelection& sel) {
      if (sel.empty()) return std::string("-");
      return fmt::format("{}..{}{}", format_time_compact(series.ts[sel.front().begin]).substr(0, 10),
                         format_time_compact(series.ts[sel.back().end - 1]).substr(0, 10),
                         sel.size() > 1 ? "*" : "");
    };
    fmt::print("  {:>4}  {:<23} {:<23} {:<32} {:>10} {:>10} {:>10}\n", f.fold.index, span(f.fold.train),
               span(f.fold.test), f.has_best ? s.space.to_json(f.best) : "(all rejected)",
               fmt_value(f.is_value), fmt_value(f.oos_value), fmt_value(f.degradation_pct));
  }
  fmt::print("out-of-sample {}: {} (mean in-sample {}, mean degradation {}%)\n", objective.term(0).metric,
             fmt_value(r.oos_value), fmt_value(r.mean_is_value), fmt_value(r.mean_degradation_pct));
  for (const char* key : {"total_return_pct", "sharpe_ratio", "max_drawdown_pct", "num_trades"}) {
    const auto it = r.oos_metrics.find(key);
    if (it != r.oos_metrics.end()) fmt::print("  oos {:<20} {}\n", key, fmt_value(it->second));
  }
  if (!r.paths.empty()) fmt::print("cpcv: {} paths\n", r.paths.size());
  fmt::print("deflated Sharpe ratio: {}\n", r.deflated_sharpe.valid ? fmt_value(r.deflated_sharpe.probability)
                                                                    : "n/a (" + r.deflated_sharpe.note + ")");
  fmt::print("PBO: {}\n", r.pbo.valid ? fmt_value(r.pbo.probability) : "n/a (" + r.pbo.note + ")");
  fmt::print("timing: {:.3f} s, {} trials\n", r.seconds, r.total_trials);
  return finish(s, kExitOk);
}

}  // namespace

void register_optimize_commands(CLI::App& app, State& state) {
  auto opt = std::make_shared<CommonArgs>();
  CLI::App* cmd =
      app.add_subcommand("optimize", "Search strategy parameters (grid, random, bayes, genetic, nsga2)");
  add_common_flags(cmd, *opt);
  cmd->callback([opt, &state] { state.exit_code = run_optimize(*opt); });

  auto val = std::make_shared<ValidateArgs>();
  CLI::App* vcmd = app.add_subcommand(
      "validate",
      "Out-of-sample validation: holdout, walk-forward, k-fold, purged k-fold, CPCV; DSR and PBO");
  add_common_flags(vcmd, val->common);
  vcmd->add_option("--scheme", val->scheme,
                   "holdout | walkforward | kfold | purged | cpcv (default walkforward)");
  vcmd->add_option("--folds", val->folds, "Folds / walk-forward windows / cpcv groups (default 5; cpcv 6)");
  vcmd->add_option("--embargo", val->embargo,
                   "Bars dropped after each test block (purged/cpcv default: 1% of bars)");
  vcmd->add_option("--purge", val->purge,
                   "Bars dropped before each test block (purged/cpcv default: the embargo)");
  vcmd->add_option("--train-fraction", val->train_fraction,
                   "holdout: share of bars for training (default 0.7)");
  vcmd->add_option("--train-ratio", val->train_ratio,
                   "walkforward: train window / test window length (default 3)");
  vcmd->add_flag("--anchored", val->anchored, "walkforward: train on every bar before the test window");
  vcmd->add_option("--test-groups", val->test_groups, "cpcv: test groups per split (default 2)");
  vcmd->add_option("--oos-equity", val->oos_equity,
                   "Write the stitched out-of-sample equity curve to this CSV");
  vcmd->callback([val, &state] { state.exit_code = run_validate(*val); });
}

}  // namespace tradeloop::cli
