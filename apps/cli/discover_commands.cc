// `tradeloop discover` (the discovery loop) and `tradeloop strategies` (what it kept). Parses flags,
// calls libs/discover and prints; see docs/discover.md.
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli.h"
#include "tradeloop/discover/discovery_session.h"
#include "tradeloop/strategy/spec.h"

namespace tradeloop::cli {

namespace {

using json = nlohmann::json;
using discover::CandidateRow;
using discover::Metrics;

std::atomic<int> g_interrupts{0};

extern "C" void on_sigint(int) {
  const int n = g_interrupts.fetch_add(1) + 1;
  const char* message = n == 1 ? "\ntradeloop: finishing the current wave (Ctrl-C again to stop now)\n"
                               : "\ntradeloop: stopping after the candidates in flight\n";
  ssize_t ignored = ::write(STDERR_FILENO, message, std::char_traits<char>::length(message));
  (void)ignored;
}

std::string default_db() {
  const char* env = std::getenv("TRADELOOP_DB");
  return env != nullptr && *env != '\0' ? std::string(env) : std::string("tradeloop.db");
}

std::vector<std::string> split_list(const std::vector<std::string>& values) {
  std::vector<std::string> out;
  for (const auto& v : values) {
    std::size_t start = 0;
    while (start <= v.size()) {
      const std::size_t comma = v.find(',', start);
      std::string item = v.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      if (!item.empty()) out.push_back(item);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  return out;
}

// "60", "60s", "5m", "1h", "1h30m", "2d" -> seconds.
Result<double> parse_duration(const std::string& text) {
  if (text.empty()) return Error::invalid_argument("--budget: empty duration");
  double total = 0;
  std::size_t i = 0;
  bool any = false;
  while (i < text.size()) {
    std::size_t j = i;
    while (j < text.size() && (std::isdigit(static_cast<unsigned char>(text[j])) || text[j] == '.')) ++j;
    if (j == i) break;
    const double v = std::strtod(text.substr(i, j - i).c_str(), nullptr);
    double unit = 1;
    if (j < text.size()) {
      switch (text[j]) {
        case 's':
          unit = 1;
          break;
        case 'm':
          unit = 60;
          break;
        case 'h':
          unit = 3600;
          break;
        case 'd':
          unit = 86400;
          break;
        default:
          return Error::invalid_argument(fmt::format(
              "--budget '{}': unknown unit '{}' (use s, m, h or d, e.g. 60s, 5m, 1h30m)", text, text[j]));
      }
      ++j;
    }
    total += v * unit;
    any = true;
    i = j;
  }
  if (!any || i != text.size() || !(total > 0)) {
    return Error::invalid_argument(
        fmt::format("--budget '{}': expected a positive duration such as 60s, 5m or 1h", text));
  }
  return total;
}

json number(double v) {
  return std::isfinite(v) ? json(v) : json(nullptr);
}

double metric(const Metrics& m, std::string_view key) {
  auto it = m.find(key);
  return it == m.end() ? std::nan("") : it->second;
}

json key_metrics_json(const Metrics& m) {
  json j = json::object();
  for (const auto& k : discover::key_metric_names()) j[k] = number(metric(m, k));
  return j;
}

json row_json(const CandidateRow& r, bool full) {
  json j;
  j["id"] = r.candidate.id;
  j["hash"] = r.candidate.hash;
  j["name"] = r.candidate.name;
  j["type"] = r.candidate.type;
  j["target"] = r.candidate.target;
  j["session_id"] = r.session_id;
  j["wave"] = r.candidate.wave;
  j["index"] = r.candidate.index;
  j["verdict"] = std::string(discover::verdict_name(r.verdict));
  j["reasons"] = r.reasons;
  for (const auto& k : discover::key_metric_names()) j[k] = number(metric(r.metrics, k));
  j["fitness"] = number(r.fitness);
  if (full) {
    json all = json::object();
    for (const auto& [k, v] : r.metrics) all[k] = number(v);
    j["metrics"] = all;
    json origin = json::parse(r.candidate.origin, nullptr, false);
    j["origin"] = origin.is_discarded() ? json(r.candidate.origin) : origin;
    json spec = json::parse(r.candidate.spec, nullptr, false);
    j["spec"] = spec.is_discarded() ? json(r.candidate.spec) : spec;
    j["evaluation_seconds"] = r.seconds;
  } else {
    j["metrics"] = key_metrics_json(r.metrics);
  }
  return j;
}

void print_json(const json& j) {
  const std::string text = j.dump(2, ' ', false, json::error_handler_t::replace);
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fputc('\n', stdout);
}

std::string cell(double v, int decimals) {
  return std::isfinite(v) ? fmt::format("{:.{}f}", v, decimals) : std::string("n/a");
}

void print_table(const std::vector<CandidateRow>& rows, bool with_verdict) {
  fmt::print("{:>6}  {:<44} {:<15} {:<22} {:>7} {:>7} {:>6} {:>8} {:>6} {:>6}{}\n", "id", "name", "type",
             "data", "sharpe", "oos_sh", "dsr", "max_dd%", "win%", "trades", with_verdict ? "  verdict" : "");
  for (const auto& r : rows) {
    const Metrics& m = r.metrics;
    fmt::print("{:>6}  {:<44} {:<15} {:<22} {:>7} {:>7} {:>6} {:>8} {:>6} {:>6}{}\n", r.candidate.id,
               r.candidate.name.substr(0, 44), r.candidate.type, r.candidate.target.substr(0, 22),
               cell(metric(m, "sharpe_ratio"), 2), cell(metric(m, "oos_sharpe_ratio"), 2),
               cell(metric(m, "deflated_sharpe"), 2), cell(metric(m, "max_drawdown_pct"), 1),
               cell(metric(m, "win_rate_pct"), 1), cell(metric(m, "num_trades"), 0),
               with_verdict ? "  " + std::string(discover::verdict_name(r.verdict)) : std::string());
  }
}

int exit_code_for(const Error& error) {
  fail(error);
  return error.code() == ErrorCode::kDataLoss ? kExitDataErrors : kExitUsage;
}

// --- discover ---------------------------------------------------------------------------------

struct DiscoverArgs {
  std::vector<std::string> data;
  std::vector<std::string> types;
  std::string count;
  std::string budget;
  std::size_t wave_size = 64;
  int jobs = 0;
  std::uint64_t seed = 1;
  std::string gates;
  std::string db = default_db();
  bool resume = false;
  std::string report;
  bool json = false;
  std::string commission = "0.0005";
  std::optional<double> min_sharpe, max_drawdown, min_win_rate, min_trades;
};

int run_discover(const DiscoverArgs& a, const CLI::App& cmd) {
  discover::DiscoverConfig config;
  std::set<std::string> given;
  for (const char* flag : {"data", "types", "seed", "wave-size", "commission"}) {
    if (cmd.count(std::string("--") + flag) > 0) given.insert(flag);
  }
  config.data = split_list(a.data);
  config.types = split_list(a.types);
  config.seed = a.seed;
  config.wave_size = a.wave_size;
  config.commission = a.commission;
  config.jobs = a.jobs;
  config.db = a.db;
  config.resume = a.resume;
  config.report = a.report;
  if (config.data.empty() && !a.resume)
    return fail("discover: --data FILE[,FILE...] is required (or --resume)");
  if (a.wave_size == 0) return fail("--wave-size: must be >= 1");
  if (!a.gates.empty()) {
    auto gates = discover::GateOverrides::load_file(a.gates);
    if (!gates.ok()) return fail(gates.error());
    config.gates = std::move(gates).value();
  }
  const std::pair<const char*, std::optional<double>> gate_flags[] = {{"min_sharpe_ratio", a.min_sharpe},
                                                                      {"max_drawdown", a.max_drawdown},
                                                                      {"min_win_rate", a.min_win_rate},
                                                                      {"min_trades", a.min_trades}};
  for (const auto& [key, value] : gate_flags) {
    if (!value) continue;
    if (auto st = config.gates.set(key, *value, "flag"); !st.ok()) return fail(st.error());
  }
  if (!a.gates.empty() || std::any_of(std::begin(gate_flags), std::end(gate_flags),
                                      [](const auto& g) { return g.second.has_value(); })) {
    given.insert("gates");
  }
  if (!a.count.empty()) {
    given.insert("count");
    if (a.count == "infinite" || a.count == "inf") {
      config.count = -1;
    } else {
      char* end = nullptr;
      const long long n = std::strtoll(a.count.c_str(), &end, 10);
      if (end == a.count.c_str() || *end != '\0' || n < 1) {
        return fail(fmt::format("--count '{}': expected a positive number or 'infinite'", a.count));
      }
      config.count = n;
    }
  }
  if (!a.budget.empty()) {
    auto seconds = parse_duration(a.budget);
    if (!seconds.ok()) return fail(seconds.error());
    config.budget_seconds = *seconds;
  }
  // Without --count or --budget a run tests 100 candidates (an endless run must be asked for).
  if (a.count.empty() && a.budget.empty() && !a.resume) config.count = 100;

  bool mpi = false;
  auto cluster = discover::make_cluster_from_environment(&mpi);
  const bool root = cluster->is_root();
  const bool progress = root && stderr_is_tty();
  const auto t0 = std::chrono::steady_clock::now();
  auto on_progress = [&](const discover::Progress& p) {
    if (!progress) return;
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    fmt::print(stderr, "\r\033[Kwave {} | {} tested | {} accepted | {:.1f}/s | {:.0f}s{}", p.wave,
               p.evaluated, p.accepted, s > 0 ? static_cast<double>(p.evaluated_this_run) / s : 0.0, s,
               p.best_name.empty() ? std::string()
                                   : fmt::format(" | best {} (Sharpe {:.2f})", p.best_name, p.best_sharpe));
    std::fflush(stderr);
  };
  g_interrupts = 0;
  struct sigaction action {};
  struct sigaction previous {};
  action.sa_handler = on_sigint;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, &previous);
  auto result = discover::run_discovery(config, given, *cluster, &g_interrupts, on_progress);
  sigaction(SIGINT, &previous, nullptr);
  if (progress) fmt::print(stderr, "\n");
  if (!result.ok()) {
    if (!root) return kExitUsage;
    return exit_code_for(result.error());
  }
  if (!root) return kExitOk;
  const auto& r = *result;
  const auto& s = r.loop.session;
  if (a.json) {
    json j;
    j["session_id"] = s.id;
    j["status"] = std::string(discover::session_status_name(s.status));
    j["stop_reason"] = s.stop_reason;
    j["candidates_evaluated"] = s.evaluated;
    j["evaluated_this_run"] = r.loop.evaluated_this_run;
    j["accepted"] = s.accepted;
    j["rejected"] = s.rejected;
    j["waves"] = s.wave;
    j["planned"] = s.planned;
    j["seconds"] = r.loop.seconds;
    j["candidates_per_second"] = r.candidates_per_second;
    const auto& ph = r.loop.phases;
    j["phase_seconds"] = {
        {"plan", ph.plan},         {"store_planned", ph.store_planned},
        {"evaluate", ph.evaluate}, {"gate", ph.gate},
        {"record", ph.record},     {"evaluation_thread_seconds", r.loop.evaluation_seconds}};
    j["processes"] = cluster->size();
    j["db"] = config.db;
    j["report"] = r.report_path.empty() ? json(nullptr) : json(r.report_path);
    j["notes"] = r.notes;
    j["best"] = r.best ? row_json(*r.best, false) : json(nullptr);
    print_json(j);
    return kExitOk;
  }
  fmt::print("session {} {} ({}): {} candidates tested ({} this run, {:.1f}/s), {} accepted, {} waves\n",
             s.id, discover::session_status_name(s.status), s.stop_reason, s.evaluated,
             r.loop.evaluated_this_run, r.candidates_per_second, s.accepted, s.wave);
  for (const auto& n : r.notes) fmt::print("note: {}\n", n);
  if (r.best) {
    fmt::print("best: #{} {} ({}), Sharpe {} in sample, {} out of sample\n", r.best->candidate.id,
               r.best->candidate.name, discover::verdict_name(r.best->verdict),
               cell(metric(r.best->metrics, "sharpe_ratio"), 2),
               cell(metric(r.best->metrics, "oos_sharpe_ratio"), 2));
  }
  if (!r.report_path.empty()) fmt::print("report: {}\n", r.report_path);
  fmt::print("database: {} (tradeloop strategies list --db {})\n", config.db, config.db);
  return kExitOk;
}

// --- strategies -------------------------------------------------------------------------------

struct ListArgs {
  std::string db = default_db();
  bool all = false;
  std::string sort = "sharpe_ratio";
  std::int64_t limit = 0;
  std::int64_t session = 0;
  bool json = false;
};

// Metrics where smaller is better sort ascending by default.
bool lower_is_better(std::string_view metric) {
  return metric == "oos_degradation" || metric == "max_correlation" || metric == "volatility_ann_pct" ||
         metric == "oos_volatility_ann_pct" || metric == "seconds";
}

Result<std::unique_ptr<discover::DiscoveryStore>> open_existing(const std::string& db) {
  if (::access(db.c_str(), F_OK) != 0) {
    return Error::not_found(
        fmt::format("{}: no discovery database (run `tradeloop discover --db {}` first)", db, db));
  }
  return discover::DiscoveryStore::open(db);
}

int run_list(const ListArgs& a) {
  auto store = open_existing(a.db);
  if (!store.ok()) return fail(store.error());
  discover::CandidateQuery q;
  q.accepted_only = !a.all;
  q.session_id = a.session;
  q.limit = a.limit;
  std::string sort = a.sort;
  bool ascending = false;
  if (!sort.empty() && (sort[0] == '+' || sort[0] == '-')) {
    ascending = sort[0] == '+';
    sort = sort.substr(1);
  } else {
    ascending = lower_is_better(sort);
  }
  q.sort_metric = sort == "id" ? std::string() : sort;
  q.ascending = ascending;
  auto rows = (*store)->query(q);
  if (!rows.ok()) return fail(rows.error());
  if (a.json) {
    json list = json::array();
    for (const auto& r : *rows) list.push_back(row_json(r, false));
    json j;
    j["db"] = a.db;
    j["all"] = a.all;
    j["sort"] = sort;
    j["count"] = rows->size();
    j["strategies"] = list;
    print_json(j);
    return kExitOk;
  }
  if (rows->empty()) {
    fmt::print("{}: no {} yet\n", a.db, a.all ? "evaluated candidate" : "accepted strategy");
    return kExitOk;
  }
  print_table(*rows, a.all);
  return kExitOk;
}

Result<CandidateRow> find_row(const std::string& db, const std::string& id_text) {
  char* end = nullptr;
  const long long id = std::strtoll(id_text.c_str(), &end, 10);
  if (end == id_text.c_str() || *end != '\0' || id < 1) {
    return Error::invalid_argument(
        fmt::format("'{}' is not a strategy id (a positive number from `strategies list`)", id_text));
  }
  TL_ASSIGN_OR_RETURN(auto store, open_existing(db));
  return store->find_candidate(id);
}

int run_show(const std::string& db, const std::string& id, bool as_json) {
  auto row = find_row(db, id);
  if (!row.ok()) return fail(row.error());
  const CandidateRow& r = *row;
  if (as_json) {
    print_json(row_json(r, true));
    return kExitOk;
  }
  fmt::print("#{} {}\n", r.candidate.id, r.candidate.name);
  fmt::print("  type {} on {} | session {} wave {} index {} | hash {}\n", r.candidate.type,
             r.candidate.target, r.session_id, r.candidate.wave, r.candidate.index, r.candidate.hash);
  fmt::print("  verdict: {}\n", discover::verdict_name(r.verdict));
  for (const auto& reason : r.reasons) fmt::print("    - {}\n", reason);
  fmt::print("  origin: {}\n", r.candidate.origin);
  fmt::print("  metrics:\n");
  for (const auto& [k, v] : r.metrics) fmt::print("    {:<28} {}\n", k, cell(v, 4));
  auto spec = strategy::parse_spec(r.candidate.spec, r.candidate.name);
  if (spec.ok()) {
    auto text = strategy::explain(*spec);
    if (text.ok()) fmt::print("  rules:\n{}\n", *text);
  }
  fmt::print("  export: tradeloop strategies export {} --db {} > {}.json\n", r.candidate.id, db,
             r.candidate.name);
  return kExitOk;
}

int run_export(const std::string& db, const std::string& id) {
  auto row = find_row(db, id);
  if (!row.ok()) return fail(row.error());
  // The stored text is the canonical spec; print it indented (still canonical, still valid).
  auto spec = strategy::parse_spec(row->candidate.spec, row->candidate.name);
  if (!spec.ok()) return exit_code_for(Error::data_loss(spec.error().message()));
  auto text = strategy::canonical_json(*spec, 2);
  if (!text.ok()) return fail(text.error());
  fmt::print("{}\n", *text);
  return kExitOk;
}

}  // namespace

void register_discover_commands(CLI::App& app, State& state) {
  // discover
  auto args = std::make_shared<DiscoverArgs>();
  CLI::App* d =
      app.add_subcommand("discover", "Search strategies endlessly: generate, backtest, validate, gate, keep");
  d->add_option("--data", args->data,
                "Bar files (CSV), comma-separated; pairs are formed from files with matching timestamps")
      ->delimiter(',');
  d->add_option("--types", args->types,
                "Strategy types: momentum,mean_reversion,breakout,trend,arbitrage,volatility")
      ->delimiter(',');
  d->add_option("--count", args->count,
                "Stop after N candidates in the session, or 'infinite' (default 100)");
  d->add_option("--budget", args->budget, "Stop after this long: 60s, 5m, 1h30m");
  d->add_option("--wave-size", args->wave_size, "Candidates per wave (default 64)");
  d->add_option("--jobs", args->jobs, "Threads (default: all cores)");
  d->add_option("--seed", args->seed, "Random seed (same seed, same candidates)");
  d->add_option("--gates", args->gates, "Quality gates JSON file (docs/discover.md)");
  d->add_option("--db", args->db, "SQLite database (default tradeloop.db or $TRADELOOP_DB)");
  d->add_flag("--resume", args->resume, "Continue the latest session in --db");
  d->add_option("--report", args->report,
                "Write an HTML leaderboard here (tearsheets in a folder beside it)");
  d->add_flag("--json", args->json, "Print a JSON summary on stdout");
  d->add_option("--commission", args->commission,
                "Commission per fill, backtest syntax (default 0.0005 = 5 bps)");
  d->add_option("--min-sharpe", args->min_sharpe, "Gate: minimum in-sample Sharpe ratio");
  d->add_option("--max-drawdown", args->max_drawdown, "Gate: maximum drawdown as a fraction (0.1 = 10%)");
  d->add_option("--min-win-rate", args->min_win_rate, "Gate: minimum win rate as a fraction (0.6 = 60%)");
  d->add_option("--min-trades", args->min_trades, "Gate: minimum number of trades in sample");
  d->callback([args, d, &state] { state.exit_code = run_discover(*args, *d); });

  // strategies
  CLI::App* s = app.add_subcommand("strategies", "Strategies found by `tradeloop discover`");
  s->require_subcommand(1);
  auto list = std::make_shared<ListArgs>();
  CLI::App* l = s->add_subcommand("list", "Accepted strategies (every candidate with --all)");
  l->add_option("--db", list->db, "SQLite database (default tradeloop.db or $TRADELOOP_DB)");
  l->add_flag("--all", list->all, "Every evaluated candidate, with its verdict");
  l->add_option("--sort", list->sort,
                "Metric to sort by, best first (default sharpe_ratio; 'id'; +metric ascending)");
  l->add_option("--limit", list->limit, "At most N rows");
  l->add_option("--session", list->session, "Only this session");
  l->add_flag("--json", list->json, "JSON on stdout");
  l->callback([list, &state] { state.exit_code = run_list(*list); });

  auto show_db = std::make_shared<std::string>(default_db());
  auto show_id = std::make_shared<std::string>();
  auto show_json = std::make_shared<bool>(false);
  CLI::App* sh = s->add_subcommand("show", "One strategy or candidate: metrics, verdict and reasons, rules");
  sh->add_option("ID", *show_id, "Strategy id (from `strategies list`)")->required();
  sh->add_option("--db", *show_db, "SQLite database");
  sh->add_flag("--json", *show_json, "JSON on stdout");
  sh->callback([=, &state] { state.exit_code = run_show(*show_db, *show_id, *show_json); });

  auto export_db = std::make_shared<std::string>(default_db());
  auto export_id = std::make_shared<std::string>();
  CLI::App* ex =
      s->add_subcommand("export", "Print the strategy's spec (a file `tradeloop backtest --strategy` takes)");
  ex->add_option("ID", *export_id, "Strategy id")->required();
  ex->add_option("--db", *export_db, "SQLite database");
  ex->callback([=, &state] { state.exit_code = run_export(*export_db, *export_id); });
}

}  // namespace tradeloop::cli
