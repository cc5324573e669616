// `tradeloop backtest`: parse the flags, load the data, build the strategy (a C++ built-in or a JSON
// spec), run the kernel, format. See docs/backtest.md.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "backtest_flags.h"
#include "cli.h"
#include "tradeloop/analytics/metrics.h"
#include "tradeloop/analytics/tearsheet.h"
#include "tradeloop/backtest/engine.h"
#include "tradeloop/backtest/signal_runner.h"
#include "tradeloop/data/csv_reader.h"
#include "tradeloop/strategy/builtin.h"
#include "tradeloop/strategy/sma_cross.h"
#include "tradeloop/strategy/spec.h"
#include "tradeloop/strategy/spec_compiler.h"

namespace tradeloop::cli {

namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

struct BacktestArgs {
  std::string data;
  std::string strategy;
  std::vector<std::string> params;
  BacktestFlags kernel;  // --cash ... --periods-per-year
  std::string trades_path;
  std::string equity_path;
  std::string report_path;
  std::string funding_path;
  bool json = false;
  std::string engine = "auto";
};

// A failure with its exit code: 1 when the data or the strategy has errors, 2 otherwise.
struct Failure {
  int code;
  std::string message;
};

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (true) {
    const std::size_t next = text.find(sep, pos);
    out.push_back(text.substr(pos, next - pos));
    if (next == std::string::npos) break;
    pos = next + 1;
  }
  return out;
}

std::optional<Failure> parse_params(const std::vector<std::string>& items,
                                    std::map<std::string, std::string>& out) {
  for (const auto& item : items) {
    const auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == item.size()) {
      return Failure{kExitUsage, fmt::format("--param '{}': expected name=value", item)};
    }
    out[item.substr(0, eq)] = item.substr(eq + 1);
  }
  return std::nullopt;
}

std::string num(double v) {
  return std::isfinite(v) ? fmt::format("{}", v) : "";
}

json json_number(double v) {
  return std::isfinite(v) ? json(v) : json(nullptr);
}

std::string side_name(analytics::Side s) {
  return s == analytics::Side::kLong ? "long" : "short";
}

Status write_text_file(const std::string& path, const std::string& text) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return Error::io(fmt::format("{}: cannot open for writing", path));
  const bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  if (std::fclose(f) != 0 || !ok) return Error::io(fmt::format("{}: write failed", path));
  return ok_status();
}

std::string trades_csv(const analytics::RunRecord& rec) {
  std::string out = "entry_time,exit_time,side,size,entry_price,exit_price,pnl,return_pct,fees,exit_reason\n";
  for (const auto& t : rec.trades) {
    out += fmt::format("{},{},{},{},{},{},{},{},{},{}\n", format_time_compact(t.entry_time),
                       format_time_compact(t.exit_time), side_name(t.side), num(t.size), num(t.entry_price),
                       num(t.exit_price), num(t.pnl), num(t.return_pct), num(t.fees), t.exit_reason);
  }
  return out;
}

std::string equity_csv(const analytics::RunRecord& rec) {
  const auto& e = rec.equity;
  std::string out = "timestamp,equity,cash,position_value,exposure,drawdown_pct\n";
  double peak = 0;
  for (std::size_t i = 0; i < e.size(); ++i) {
    peak = std::max(peak, e.equity[i]);
    const double dd = peak > 0 ? (e.equity[i] / peak - 1) * 100 : 0;
    // Cash and exposure may be derived from equity and position value (RecordOptions::derive_details).
    out += fmt::format("{},{},{},{},{},{}\n", format_time_compact(e.ts[i]), num(e.equity[i]),
                       e.has_cash(i) ? num(e.cash_at(i)) : "",
                       i < e.position_value.size() ? num(e.position_value[i]) : "",
                       e.has_exposure(i) ? num(e.exposure_at(i)) : "", num(dd));
  }
  return out;
}

json open_positions_json(const analytics::RunRecord& rec) {
  json out = json::array();
  for (const auto& p : rec.open_positions) {
    out.push_back({{"symbol", p.symbol},
                   {"side", side_name(p.side)},
                   {"size", json_number(p.size)},
                   {"entry_time", format_time_compact(p.entry_time)},
                   {"entry_price", json_number(p.entry_price)},
                   {"last_price", json_number(p.last_price)},
                   {"unrealized_pnl", json_number(p.unrealized_pnl)}});
  }
  return out;
}

std::string trim_cell(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '"')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '"' || v.back() == '\r')) v.remove_suffix(1);
  return std::string(v);
}

// --funding FILE.csv: a header naming a time column (timestamp, time, ts, date, datetime,
// funding_time) and a rate column (rate, funding_rate, fundingRate), then one funding event a row:
// a long position pays rate x its market value at the open of the first bar at or after the time.
// Errors are located: "file:line: column 'rate': ...". Exit 2 when the file cannot be read, 1 when
// its content is wrong.
std::optional<Failure> load_funding(const std::string& path, backtest::FundingSeries& out) {
  std::ifstream in(path);
  if (!in) return Failure{kExitUsage, fmt::format("--funding {}: cannot open the file", path)};
  std::string line;
  if (!std::getline(in, line))
    return Failure{kExitDataErrors, fmt::format("{}:1: empty file, expected a header", path)};
  const auto header = split(line, ',');
  int time_col = -1, rate_col = -1;
  for (std::size_t c = 0; c < header.size(); ++c) {
    const std::string h = trim_cell(header[c]);
    if (time_col < 0 && (h == "timestamp" || h == "time" || h == "ts" || h == "date" || h == "datetime" ||
                         h == "funding_time" || h == "fundingTime")) {
      time_col = static_cast<int>(c);
    } else if (rate_col < 0 && (h == "rate" || h == "funding_rate" || h == "fundingRate")) {
      rate_col = static_cast<int>(c);
    }
  }
  if (time_col < 0 || rate_col < 0) {
    return Failure{kExitDataErrors,
                   fmt::format("{}:1: the header needs a time column (timestamp, time, date, ...) and a rate "
                               "column (rate or funding_rate), got '{}'",
                               path, trim_cell(line))};
  }
  std::size_t lineno = 1;
  while (std::getline(in, line)) {
    ++lineno;
    if (trim_cell(line).empty()) continue;
    const auto cells = split(line, ',');
    const auto need = static_cast<std::size_t>(std::max(time_col, rate_col));
    if (cells.size() <= need) {
      return Failure{kExitDataErrors,
                     fmt::format("{}:{}: {} fields, expected {}", path, lineno, cells.size(), header.size())};
    }
    const std::string tcell = trim_cell(cells[static_cast<std::size_t>(time_col)]);
    auto ts = parse_time(tcell);
    if (!ts.ok()) {
      return Failure{kExitDataErrors, fmt::format("{}:{}: column '{}': {}", path, lineno,
                                                  trim_cell(header[static_cast<std::size_t>(time_col)]),
                                                  ts.error().message())};
    }
    const std::string rcell = trim_cell(cells[static_cast<std::size_t>(rate_col)]);
    char* end = nullptr;
    const double rate = std::strtod(rcell.c_str(), &end);
    if (rcell.empty() || end != rcell.c_str() + rcell.size() || !std::isfinite(rate) ||
        std::fabs(rate) >= 1) {
      return Failure{kExitDataErrors,
                     fmt::format("{}:{}: column '{}': '{}' is not a funding rate (a number with |rate| < 1)",
                                 path, lineno, trim_cell(header[static_cast<std::size_t>(rate_col)]), rcell)};
    }
    if (!out.ts.empty() && *ts <= out.ts.back()) {
      return Failure{kExitDataErrors,
                     fmt::format("{}:{}: column '{}': time {} is not after the previous row's {}", path,
                                 lineno, trim_cell(header[static_cast<std::size_t>(time_col)]), tcell,
                                 format_time(out.ts.back()))};
    }
    out.ts.push_back(*ts);
    out.rate.push_back(rate);
  }
  if (out.ts.empty()) return Failure{kExitDataErrors, fmt::format("{}: no funding rows", path)};
  return std::nullopt;
}

// The strategy, resolved: a built-in (event form and plan form) or a compiled spec (plan).
struct StrategyChoice {
  std::string label;  // "sma_cross fast=10 slow=20"
  std::string builtin;
  std::map<std::string, double> builtin_params;
  std::optional<strategy::Spec> spec;
};

std::optional<Failure> choose_strategy(const std::string& name,
                                       const std::map<std::string, std::string>& params,
                                       StrategyChoice& out) {
  const bool looks_like_file = name.find('/') != std::string::npos || name.ends_with(".json");
  if (!looks_like_file) {
    if (const auto* info = strategy::find_builtin(name)) {
      std::map<std::string, double> overrides;
      for (const auto& [k, v] : params) {
        char* end = nullptr;
        const double d = std::strtod(v.c_str(), &end);
        if (end == v.c_str() || *end != '\0') {
          return Failure{kExitDataErrors,
                         fmt::format("{}: parameter '{}' = '{}' is not a number", name, k, v)};
        }
        overrides[k] = d;
      }
      auto resolved = strategy::resolve_builtin_params(*info, overrides);
      if (!resolved.ok()) return Failure{kExitDataErrors, resolved.error().message()};
      out.builtin = name;
      out.builtin_params = *resolved;
      out.label = name;
      for (const auto& [k, v] : out.builtin_params) out.label += fmt::format(" {}={}", k, v);
      return std::nullopt;
    }
  }
  auto spec = strategy::load_spec(name);
  if (!spec.ok()) {
    const int code = spec.error().code() == ErrorCode::kInvalidArgument ? kExitDataErrors : kExitUsage;
    return Failure{code, spec.error().message()};
  }
  auto overridden = strategy::with_overrides(*spec, params);
  if (!overridden.ok()) return Failure{kExitDataErrors, overridden.error().message()};
  out.spec = std::move(overridden).value();
  out.label = out.spec->name.empty() ? name : out.spec->name;
  for (const auto& p : out.spec->parameters) out.label += fmt::format(" {}={}", p.name, p.value_text());
  return std::nullopt;
}

int run_backtest(const BacktestArgs& a) {
  backtest::BacktestConfig cfg;
  if (auto st = to_backtest_config(a.kernel, cfg); !st.ok()) return fail(st.error());
  std::map<std::string, std::string> params;
  if (auto f = parse_params(a.params, params)) return fail(f->message), f->code;
  if (a.engine != "auto" && a.engine != "signals" && a.engine != "events") {
    return fail(fmt::format("--engine: '{}' is not auto, signals or events", a.engine));
  }

  // Data.
  const auto load_start = Clock::now();
  std::vector<data::BarSeries> series;
  for (const auto& path : split(a.data, ',')) {
    if (path.empty()) return fail(fmt::format("--data '{}': empty file name", a.data));
    auto bars = data::load_bars(path);
    if (!bars.ok()) {
      const auto code = bars.error().code();
      fmt::print(stderr, "tradeloop: {}\n", bars.error().message());
      return code == ErrorCode::kNotFound || code == ErrorCode::kIo ? kExitUsage : kExitDataErrors;
    }
    if (bars->empty()) {
      fmt::print(stderr, "tradeloop: {}: no bars\n", path);
      return kExitDataErrors;
    }
    series.push_back(std::move(bars).value());
  }
  backtest::FundingSeries funding;
  if (!a.funding_path.empty()) {
    if (auto f = load_funding(a.funding_path, funding)) {
      fmt::print(stderr, "tradeloop: {}\n", f->message);
      return f->code;
    }
  }
  const double load_s = seconds_since(load_start);

  // Strategy.
  StrategyChoice choice;
  if (auto f = choose_strategy(a.strategy, params, choice)) {
    fmt::print(stderr, "tradeloop: {}\n", f->message);
    return f->code;
  }

  const auto prepare_start = Clock::now();
  backtest::RunResult result;
  double run_s = 0;
  double prepare_s = 0;
  const bool pairs = choice.spec && choice.spec->legs.size() == 2;
  if (pairs && !funding.ts.empty()) {
    return fail("--funding is not supported with a pairs strategy (the pairs runner has no funding legs)");
  }
  if (pairs && series.size() == 2) {
    // The spec's legs map to the --data files in order; the legs trade on the timestamps they share.
    std::vector<const data::BarSeries*> legs = {&series[0], &series[1]};
    std::vector<std::size_t> dropped;
    auto aligned = strategy::align_legs(legs, &dropped);
    if (!aligned.ok()) {
      fmt::print(stderr, "tradeloop: {}: {}\n", a.data, aligned.error().message());
      return kExitDataErrors;
    }
    for (std::size_t k = 0; k < dropped.size(); ++k) {
      if (dropped[k] > 0 && !a.json) {
        fmt::print(stderr, "warning: {}: {} bars without a matching bar in the other leg were dropped\n",
                   split(a.data, ',')[k], dropped[k]);
      }
    }
    series = std::move(aligned).value();
  }
  const bool use_events =
      a.engine == "events" || (a.engine == "auto" && !choice.builtin.empty() && series.size() > 1);
  if (use_events) {
    if (choice.builtin.empty()) {
      return fail("--engine events runs the C++ built-in strategies; JSON specs run on the signal runner");
    }
    auto strat = strategy::make_builtin(choice.builtin, choice.builtin_params);
    if (!strat.ok()) return fmt::print(stderr, "tradeloop: {}\n", strat.error().message()), kExitDataErrors;
    prepare_s = seconds_since(prepare_start);
    std::vector<const data::BarSeries*> ptrs;
    for (const auto& s : series) ptrs.push_back(&s);
    backtest::EngineInput input;
    input.bars = ptrs;
    input.share_series = series.size() == 1;
    if (!funding.ts.empty()) {
      input.funding.assign(series.size(), nullptr);
      input.funding[0] = &funding;
    }
    const auto run_start = Clock::now();
    // Record what this command reports: the equity curve (cash and exposure derived when written) and
    // the closed trades, not the order journal (orders, events, fills) it never prints. 10M bars: 24
    // bytes a bar and ~400 bytes an order less (docs/backtest.md, speed and memory).
    backtest::BacktestConfig events_cfg = cfg;
    events_cfg.record.derive_details = true;
    events_cfg.record.orders = false;
    auto st = backtest::run_strategy(input, **strat, events_cfg, result);
    run_s = seconds_since(run_start);
    if (!st.ok()) return fmt::print(stderr, "tradeloop: {}\n", st.error().message()), kExitDataErrors;
  } else {
    if (series.size() > 1 && !pairs) {
      return fail(
          fmt::format("--data has {} files but {} trades one instrument (pairs specs take two; "
                      "the built-ins run on each file with --engine events)",
                      series.size(), choice.label));
    }
    if (pairs && series.size() != 2) {
      return fail(
          fmt::format("{} is a pairs strategy: --data needs two files, got {}", choice.label, series.size()));
    }
    Result<strategy::SignalPlan> plan = Error::internal("no plan");
    if (!choice.builtin.empty()) {
      plan = strategy::builtin_plan(choice.builtin, choice.builtin_params, series[0]);
    } else {
      std::vector<const data::BarSeries*> legs;
      for (const auto& s : series) legs.push_back(&s);
      plan = strategy::compile(*choice.spec, legs);
    }
    if (!plan.ok()) return fmt::print(stderr, "tradeloop: {}\n", plan.error().message()), kExitDataErrors;
    prepare_s = seconds_since(prepare_start);
    backtest::SignalRunInput input;
    input.bars = &series[0];
    input.plan = &*plan;
    if (!funding.ts.empty()) input.funding = &funding;
    if (pairs) input.bars2 = &series[1];
    input.share_series = !pairs;
    // As the events engine above: cash and exposure derived when written, no order journal.
    backtest::BacktestConfig runner_cfg = cfg;
    runner_cfg.record.derive_details = !pairs;
    runner_cfg.record.orders = false;
    const auto run_start = Clock::now();
    auto st = pairs ? backtest::run_pair_signals(input, cfg, result)
                    : backtest::run_signals(input, runner_cfg, result);
    run_s = seconds_since(run_start);
    if (!st.ok()) return fmt::print(stderr, "tradeloop: {}\n", st.error().message()), kExitDataErrors;
  }

  // One instrument: the record's timestamps and benchmark are the bars' own ts and close, moved in
  // instead of copied by the run (share_series): 16 bytes a bar less at the peak.
  const bool shared = series.size() == 1;
  if (shared) {
    result.record.equity.ts = std::move(series[0].ts);
    result.record.benchmark_close = std::move(series[0].close);
  }
  const std::span<const Timestamp> bar_ts = shared ? result.record.equity.ts : series[0].ts;
  const std::span<const double> bar_close = shared ? result.record.benchmark_close : series[0].close;

  auto metrics = analytics::compute_metrics(result.record);
  if (!metrics.ok()) return fail("metrics: " + metrics.error().message());

  if (!a.trades_path.empty()) {
    if (auto st = write_text_file(a.trades_path, trades_csv(result.record)); !st.ok())
      return fail(st.error());
  }
  if (!a.equity_path.empty()) {
    if (auto st = write_text_file(a.equity_path, equity_csv(result.record)); !st.ok())
      return fail(st.error());
  }
  if (!a.report_path.empty()) {
    const auto& s0 = series[0];
    analytics::PriceBars prices{s0.symbol, bar_ts, s0.open, s0.high, s0.low, bar_close};
    analytics::TearsheetOptions opts;
    opts.title = fmt::format("{} on {}", choice.label, s0.symbol);
    opts.subtitle = choice.label;
    opts.info = {{"data", a.data},
                 {"cash", fmt::format("{}", a.kernel.cash)},
                 {"commission", cfg.fees.to_string()},
                 {"slippage", cfg.slippage.to_string()},
                 {"fill", a.kernel.fill},
                 {"sizing", cfg.sizing ? cfg.sizing->to_string() : "strategy default"},
                 {"exclusive", a.kernel.exclusive ? "yes" : "no"},
                 {"allow short", a.kernel.allow_short ? "yes" : "no"}};
    if (auto st = analytics::write_tearsheet(result.record, *metrics, prices, opts, a.report_path);
        !st.ok()) {
      return fail(st.error());
    }
  }

  const double bars_per_s = run_s > 0 ? static_cast<double>(result.bars) / run_s : 0;
  if (a.json) {
    // Keys in the documented order: metrics as Metrics::to_json writes them (catalog order, counts as
    // integers, undefined values null), then open_positions, then timing.
    using ojson = nlohmann::ordered_json;
    ojson out;
    out["metrics"] = ojson::parse(metrics->to_json());
    out["open_positions"] = ojson::parse(open_positions_json(result.record).dump());
    out["timing"] = {{"load_s", load_s},
                     {"prepare_s", prepare_s},
                     {"run_s", run_s},
                     {"bars", result.bars},
                     {"bars_per_s", bars_per_s}};
    const std::string text = out.dump(2, ' ', false, ojson::error_handler_t::replace);
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fputc('\n', stdout);
  } else {
    const auto& rec = result.record;
    fmt::print("{} on {} ({} bars, {} .. {})\n", choice.label, a.data, result.bars,
               format_time_compact(bar_ts.front()), format_time_compact(bar_ts.back()));
    using analytics::Metric;
    const auto& mv = *metrics;
    auto line = [&](Metric id) {
      fmt::print("  {:<24} {}\n", analytics::metric_info(id).label,
                 analytics::format_metric_value(id, mv[id]));
    };
    for (Metric id : {Metric::kFinalEquity, Metric::kTotalReturnPct, Metric::kBuyHoldReturnPct,
                      Metric::kCagrPct, Metric::kSharpeRatio, Metric::kMaxDrawdownPct, Metric::kNumTrades,
                      Metric::kWinRatePct, Metric::kProfitFactor, Metric::kCommissions}) {
      line(id);
    }
    for (const auto& p : rec.open_positions) {
      fmt::print("  open position: {} {} {} @ {} since {} (unrealized {:.2f})\n", side_name(p.side), p.size,
                 p.symbol, p.entry_price, format_time_compact(p.entry_time), p.unrealized_pnl);
    }
    for (const auto& w : result.warnings) fmt::print(stderr, "warning: {}\n", w);
    fmt::print("  timing: load {:.3f} s, run {:.6f} s ({:.0f} bars/s)\n", load_s, run_s, bars_per_s);
  }
  return kExitOk;
}

}  // namespace

void register_backtest_commands(CLI::App& app, State& state) {
  auto args = std::make_shared<BacktestArgs>();
  CLI::App* cmd =
      app.add_subcommand("backtest", "Run a strategy over historical bars and report trades and metrics");
  cmd->add_option("--data", args->data, "Bar CSV file(s), comma-separated")->required();
  cmd->add_option("--strategy", args->strategy, "Built-in name (sma_cross), library spec name, or SPEC.json")
      ->required();
  cmd->add_option("--param", args->params, "Strategy parameter override name=value (repeatable)");
  add_backtest_flags(*cmd, args->kernel);
  cmd->add_option("--trades", args->trades_path, "Write the closed trades to this CSV");
  cmd->add_option("--equity", args->equity_path, "Write the equity curve to this CSV");
  cmd->add_option("--report", args->report_path, "Write the HTML tearsheet to this file");
  cmd->add_flag("--json", args->json, "Print one JSON object: metrics, open_positions, timing");
  cmd->add_option("--funding", args->funding_path,
                  "Funding rates of a perpetual (CSV: timestamp,rate): a long pays rate x its value at each "
                  "funding time (first --data file)");
  cmd->add_option("--engine", args->engine,
                  "auto (signal runner for one instrument, event kernel for several) | signals | events");
  cmd->callback([args, &state] { state.exit_code = run_backtest(*args); });
}

}  // namespace tradeloop::cli
