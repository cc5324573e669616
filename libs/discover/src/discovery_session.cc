#include "tradeloop/discover/discovery_session.h"

#include <chrono>
#include <cmath>
#include <filesystem>

#include <fmt/format.h>

#include "json_util.h"
#include "tradeloop/analytics/metrics.h"
#include "tradeloop/analytics/tearsheet.h"
#include "tradeloop/discover/leaderboard_report.h"
#include "tradeloop/discover/spec_evaluator.h"
#include "tradeloop/discover/spec_generator.h"
#include "tradeloop/execution/fee_model.h"

namespace tradeloop::discover {

using internal::Json;

const std::vector<std::string>& key_metric_names() {
  static const std::vector<std::string> names = {
      "sharpe_ratio", "oos_sharpe_ratio", "deflated_sharpe",      "max_drawdown_pct", "win_rate_pct",
      "num_trades",   "total_return_pct", "oos_total_return_pct", "oos_degradation",  "profit_factor"};
  return names;
}

namespace {

std::string absolute(const std::string& path) {
  std::error_code ec;
  auto p = std::filesystem::absolute(path, ec);
  return ec ? path : p.lexically_normal().string();
}

Timestamp system_now() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Writes a tearsheet per accepted strategy (the strategy traded over its whole target in one
// account, as `tradeloop backtest --report` would) into `<report>_files/`, and fills the
// leaderboard's links (relative to the report) and equity sparklines.
Status write_tearsheets(const SpecEvaluator& evaluator, const std::string& report, double commission,
                        LeaderboardInput* input) {
  if (input->accepted.empty()) return ok_status();
  const std::filesystem::path report_path(report);
  const std::string folder = report_path.filename().string() + "_files";
  const std::filesystem::path dir = report_path.parent_path() / folder;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    return Error::io(fmt::format("{}: cannot create the tearsheet folder: {}", dir.string(), ec.message()));
  for (const auto& row : input->accepted) {
    const Candidate& c = row.candidate;
    const std::string what = fmt::format("tearsheet of strategy {} ({})", c.id, c.name);
    auto run = evaluator.full_run(c);
    if (!run.ok()) return run.error().with_context(what);
    auto metrics = analytics::compute_metrics(*run);
    if (!metrics.ok()) return metrics.error().with_context(what);
    const DataTarget* target = evaluator.find_target(c.target);
    TL_CHECK(target != nullptr, "accepted strategy on an unknown target");
    const data::BarSeries& bars = target->legs[0];
    analytics::PriceBars prices{bars.symbol, bars.ts, bars.open, bars.high, bars.low, bars.close};
    analytics::TearsheetOptions options;
    options.title = fmt::format("{} on {}", c.name, c.target);
    options.subtitle =
        fmt::format("discovered strategy {} ({}), whole data set in one account", c.id, c.type);
    options.info = {{"data", c.target},
                    {"commission", fmt::format("{:g} per fill", commission)},
                    {"hash", c.hash},
                    {"export", fmt::format("tradeloop strategies export {}", c.id)}};
    const std::string file = fmt::format("{}-{}.html", c.id, c.name);
    TL_TRY(analytics::write_tearsheet(*run, *metrics, prices, options, (dir / file).string()));
    input->tearsheets[c.id] = folder + "/" + file;
    input->sparklines[c.id] = analytics::render_equity_sparkline(run->equity.ts, run->equity.equity);
  }
  return ok_status();
}

}  // namespace

std::string DiscoverConfig::session_json() const {
  Json j;
  Json files = Json::array();
  for (const auto& d : data) files.push_back(absolute(d));
  j["data"] = files;
  j["types"] = types;
  j["seed"] = seed;
  j["wave_size"] = wave_size;
  j["gates"] = Json::parse(gates.to_json());
  j["commission"] = commission;
  j["in_sample_fraction"] = in_sample_fraction;
  j["oos_folds"] = oos_folds;
  j["count"] = count;
  return j.dump();
}

Status DiscoverConfig::apply_session_json(const std::string& text, const std::set<std::string>& given) {
  const Json j = Json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return Error::data_loss("the session's stored configuration is not valid JSON");
  }
  try {
    auto mismatch = [&](const char* flag, const std::string& stored, const std::string& now) -> Status {
      if (given.count(flag) != 0 && stored != now) {
        return Error::invalid_argument(
            fmt::format("--resume: --{} {} differs from the session's {} (drop the flag to resume, or start "
                        "a new session)",
                        flag, now, stored));
      }
      return ok_status();
    };
    std::vector<std::string> stored_data = j.at("data").get<std::vector<std::string>>();
    std::vector<std::string> now_data;
    for (const auto& d : data) now_data.push_back(absolute(d));
    TL_TRY(mismatch("data", fmt::format("{}", fmt::join(stored_data, ",")),
                    fmt::format("{}", fmt::join(now_data, ","))));
    data = stored_data;
    const auto stored_types = j.at("types").get<std::vector<std::string>>();
    TL_TRY(mismatch("types", fmt::format("{}", fmt::join(stored_types, ",")),
                    fmt::format("{}", fmt::join(types, ","))));
    types = stored_types;
    const auto stored_seed = j.at("seed").get<std::uint64_t>();
    TL_TRY(mismatch("seed", std::to_string(stored_seed), std::to_string(seed)));
    seed = stored_seed;
    const auto stored_wave = j.at("wave_size").get<std::size_t>();
    TL_TRY(mismatch("wave-size", std::to_string(stored_wave), std::to_string(wave_size)));
    wave_size = stored_wave;
    const std::string stored_gates = j.at("gates").dump();
    TL_TRY(mismatch("gates", stored_gates, gates.to_json()));
    TL_ASSIGN_OR_RETURN(gates, GateOverrides::parse(stored_gates, "the session's gates"));
    const auto stored_commission = j.at("commission").get<std::string>();
    TL_TRY(mismatch("commission", stored_commission, commission));
    commission = stored_commission;
    in_sample_fraction = j.at("in_sample_fraction").get<double>();
    oos_folds = j.at("oos_folds").get<std::size_t>();
    if (given.count("count") == 0 && j.contains("count")) count = j.at("count").get<std::int64_t>();
  } catch (const Json::exception& e) {
    return Error::data_loss(fmt::format("the session's stored configuration is incomplete: {}", e.what()));
  }
  return ok_status();
}

Result<DiscoverResult> run_discovery(DiscoverConfig config, const std::set<std::string>& given,
                                     Cluster& cluster, const std::atomic<int>* interrupts,
                                     std::function<void(const Progress&)> on_progress) {
  DiscoverResult result;
  result.rank = cluster.rank();
  const bool root = cluster.is_root();
  std::unique_ptr<DiscoveryStore> store;
  SessionRecord session;

  // Rank 0 settles the configuration (a resumed session's stored one) and sends it to the others.
  std::string message;
  if (root) {
    Status status = ok_status();
    auto opened = DiscoveryStore::open(config.db);
    if (!opened.ok()) {
      status = opened.error();
    } else {
      store = std::move(opened).value();
      if (config.resume) {
        auto latest = store->latest_session();
        if (!latest.ok()) {
          status = latest.error();
        } else if (!latest->has_value()) {
          status = Error::not_found(fmt::format("--resume: {} holds no discovery session", config.db));
        } else {
          session = **latest;
          status = config.apply_session_json(session.config, given);
        }
      }
    }
    message = status.ok() ? config.session_json() : std::string();
    cluster.broadcast(message);
    if (!status.ok()) return status.error();
  } else {
    cluster.broadcast(message);
    if (message.empty()) return Error::failed_precondition("rank 0 could not start the session");
    TL_TRY(config.apply_session_json(message, {}));
  }
  if (config.data.empty()) return Error::invalid_argument("--data: at least one bar file is needed");

  TL_ASSIGN_OR_RETURN(auto fees, execution::FeeModel::parse(config.commission));
  TL_ASSIGN_OR_RETURN(auto targets, load_targets(config.data, &result.notes));
  EvaluatorOptions eval_options;
  eval_options.commission = fees.taker_rate;
  eval_options.in_sample_fraction = config.in_sample_fraction;
  eval_options.oos_folds = config.oos_folds;
  TL_ASSIGN_OR_RETURN(auto evaluator, SpecEvaluator::create(std::move(targets), eval_options));
  GeneratorOptions gen_options;
  gen_options.types = config.types;
  TL_ASSIGN_OR_RETURN(auto generator, SpecGenerator::create(evaluator->target_infos(), gen_options));

  if (root && !config.resume) {
    const Timestamp now = system_now();
    TL_ASSIGN_OR_RETURN(const auto id, store->create_session(config.session_json(), now));
    TL_ASSIGN_OR_RETURN(session, store->load_session(id));
    session.errors = result.notes;
    TL_TRY(store->update_session(session));
  }

  LoopOptions options;
  options.count = config.count;
  options.budget_seconds = config.budget_seconds;
  options.wave_size = config.wave_size;
  options.jobs = config.jobs;
  options.seed = config.seed;
  options.gates = config.gates;
  options.interrupts = interrupts;
  options.on_progress = std::move(on_progress);
  DiscoveryLoop loop(store.get(), generator.get(), evaluator.get(), &cluster, options);
  TL_ASSIGN_OR_RETURN(result.loop, loop.run(session));
  if (!root) return result;

  result.candidates_per_second =
      result.loop.seconds > 0 ? static_cast<double>(result.loop.evaluated_this_run) / result.loop.seconds : 0;
  const std::int64_t session_id = result.loop.session.id;
  CandidateQuery q;
  q.session_id = session_id;
  q.sort_metric = "sharpe_ratio";
  q.limit = 1;
  TL_ASSIGN_OR_RETURN(auto top, store->query(q));
  TL_ASSIGN_OR_RETURN(auto all, store->session_candidates(session_id));
  if (!top.empty()) {
    result.best = top.front();
  } else {
    const CandidateRow* best = nullptr;
    for (const auto& row : all) {
      if (row.evaluated && std::isfinite(row.fitness) && (best == nullptr || row.fitness > best->fitness))
        best = &row;
    }
    if (best != nullptr) result.best = *best;
  }

  if (!config.report.empty()) {
    LeaderboardInput input;
    input.session = result.loop.session;
    input.db_path = config.db;
    input.candidates_per_second = result.candidates_per_second;
    CandidateQuery accepted;
    accepted.session_id = session_id;
    accepted.sort_metric = "sharpe_ratio";
    TL_ASSIGN_OR_RETURN(input.accepted, store->query(accepted));
    input.rejection_counts = count_rejections(all);
    GateKeeper keeper(config.gates, [&](std::string_view t) { return evaluator->frequency(t); });
    for (const auto& t : evaluator->targets())
      input.gates.emplace_back(t.info.id, keeper.gates_for(t.info.id));
    for (const auto& row : all) {
      if (row.evaluated) input.evaluated_per_target[row.candidate.target] += 1;
    }
    TL_TRY(write_tearsheets(*evaluator, config.report, fees.taker_rate, &input));
    TL_TRY(write_leaderboard(config.report, input));
    result.report_path = config.report;
  }
  return result;
}

}  // namespace tradeloop::discover
