// Golden backtests: every directory tests/golden/<name>/<scenario>/ holds args.txt (the `tradeloop
// backtest` flags), expected_trades.csv and expected_stats.json. This test runs the kernel as the CLI
// would for those flags and compares trade for trade: times, side and size exactly, prices, PnL,
// return and fees to the last bit (or 1e-9 where noted), then the run's statistics.
//
// backtesting_py_smacross: backtesting.py 0.6.6's SmaCross example on GOOG (see its README.md for how
// the expectations were derived and checked against backtesting.py's published numbers).
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tradeloop/analytics/metrics.h"
#include "tradeloop/backtest/signal_runner.h"
#include "tradeloop/data/csv_reader.h"
#include "tradeloop/strategy/builtin.h"

namespace tradeloop {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::vector<std::string>> read_csv(const fs::path& p) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(slurp(p));
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::vector<std::string> cells;
    std::stringstream ls(line);
    std::string cell;
    while (std::getline(ls, cell, ',')) cells.push_back(cell);
    rows.push_back(cells);
  }
  return rows;
}

struct Scenario {
  fs::path dir;
  std::string strategy;
  std::map<std::string, double> params;
  backtest::BacktestConfig config;
};

// The subset of the CLI's flags the golden scenarios use, mapped exactly as the CLI maps them.
Scenario read_scenario(const fs::path& dir) {
  Scenario s;
  s.dir = dir;
  std::istringstream in(slurp(dir / "args.txt"));
  std::vector<std::string> tok;
  for (std::string t; in >> t;) tok.push_back(t);
  for (std::size_t i = 0; i < tok.size(); ++i) {
    const std::string& f = tok[i];
    auto next = [&]() -> std::string {
      EXPECT_LT(i + 1, tok.size()) << f;
      return i + 1 < tok.size() ? tok[++i] : "";
    };
    if (f == "--strategy") {
      s.strategy = next();
    } else if (f == "--param") {
      const std::string kv = next();
      s.params[kv.substr(0, kv.find('='))] = std::stod(kv.substr(kv.find('=') + 1));
    } else if (f == "--exclusive") {
      s.config.exclusive = true;
    } else if (f == "--allow-short") {
      s.config.allow_short = true;
    } else if (f == "--cash") {
      s.config.initial_cash = std::stod(next());
    } else if (f == "--commission") {
      s.config.fees = *execution::FeeModel::parse(next());
    } else if (f == "--sizing") {
      s.config.sizing = *execution::Sizing::parse(next());
    } else if (f == "--fill") {
      s.config.fill = next() == "close" ? backtest::FillTiming::kClose : backtest::FillTiming::kNextOpen;
    } else {
      ADD_FAILURE() << dir << ": flag " << f << " not handled by the golden runner";
    }
  }
  return s;
}

std::vector<fs::path> scenario_dirs() {
  std::vector<fs::path> out;
  const fs::path root = fs::path(TL_SOURCE_DIR) / "tests" / "golden";
  for (const auto& group : fs::directory_iterator(root)) {
    if (!group.is_directory()) continue;
    for (const auto& sc : fs::directory_iterator(group.path())) {
      if (sc.is_directory() && fs::exists(sc.path() / "args.txt")) out.push_back(sc.path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

class GoldenBacktest : public ::testing::TestWithParam<fs::path> {};

TEST_P(GoldenBacktest, TradesAndStatsMatch) {
  const Scenario sc = read_scenario(GetParam());
  auto bars = data::load_bars(std::string(TL_SOURCE_DIR) + "/data/samples/GOOG-1d.csv");
  ASSERT_TRUE(bars.ok()) << bars.error().message();
  auto plan = strategy::builtin_plan(sc.strategy, sc.params, *bars);
  ASSERT_TRUE(plan.ok()) << plan.error().message();
  backtest::SignalRunInput in;
  in.bars = &*bars;
  in.plan = &*plan;
  auto run = backtest::run_signals(in, sc.config);
  ASSERT_TRUE(run.ok()) << run.error().message();
  const auto& rec = run->record;

  // Trade for trade.
  const auto rows = read_csv(sc.dir / "expected_trades.csv");
  ASSERT_GE(rows.size(), 1u);
  ASSERT_EQ(rows[0], (std::vector<std::string>{"entry_time", "exit_time", "side", "size", "entry_price",
                                               "exit_price", "pnl", "return_pct", "fees", "exit_reason"}));
  ASSERT_EQ(rec.trades.size(), rows.size() - 1);
  for (std::size_t i = 0; i < rec.trades.size(); ++i) {
    const auto& t = rec.trades[i];
    const auto& r = rows[i + 1];
    SCOPED_TRACE("trade " + std::to_string(i) + " entered " + r[0]);
    EXPECT_EQ(format_time_compact(t.entry_time), r[0]);
    EXPECT_EQ(format_time_compact(t.exit_time), r[1]);
    EXPECT_EQ(t.side == analytics::Side::kLong ? "long" : "short", r[2]);
    EXPECT_EQ(t.size, std::stod(r[3]));
    EXPECT_EQ(t.entry_price, std::stod(r[4]));
    EXPECT_EQ(t.exit_price, std::stod(r[5]));
    // Same floating-point operations in the same order as backtesting.py: bit-identical.
    EXPECT_EQ(t.pnl, std::stod(r[6]));
    EXPECT_EQ(t.return_pct, std::stod(r[7]));
    EXPECT_EQ(t.fees, std::stod(r[8]));
    EXPECT_EQ(t.exit_reason, r[9]);
  }

  // Run statistics.
  const auto expected = nlohmann::json::parse(slurp(sc.dir / "expected_stats.json"));
  const auto& eq = rec.equity.equity;
  ASSERT_FALSE(eq.empty());
  EXPECT_EQ(eq.back(), expected["Equity Final [$]"].get<double>());
  EXPECT_EQ(*std::max_element(eq.begin(), eq.end()), expected["Equity Peak [$]"].get<double>());
  EXPECT_EQ(static_cast<int>(rec.trades.size()), expected["# Trades"].get<int>());
  double fees = 0;
  for (const auto& t : rec.trades) fees += t.fees;
  EXPECT_NEAR(fees, expected["Commissions [$]"].get<double>(), 1e-6);
  const auto& open = expected["open_positions"];
  ASSERT_EQ(rec.open_positions.size(), open.size());
  for (std::size_t i = 0; i < open.size(); ++i) {
    EXPECT_EQ(rec.open_positions[i].size, open[i]["size"].get<double>());
    EXPECT_EQ(rec.open_positions[i].entry_price, open[i]["entry_price"].get<double>());
    EXPECT_EQ(format_time_compact(rec.open_positions[i].entry_time),
              open[i]["entry_time"].get<std::string>());
    EXPECT_EQ(rec.open_positions[i].side == analytics::Side::kLong ? "long" : "short",
              open[i]["side"].get<std::string>());
  }

  // The analytics metrics that name a backtesting.py statistic, where the golden has it.
  auto metrics = analytics::compute_metrics(rec);
  ASSERT_TRUE(metrics.ok()) << metrics.error().message();
  int compared = 0;
  for (const auto& info : analytics::metric_catalog()) {
    if (info.backtesting_py.empty() || !expected.contains(std::string(info.backtesting_py))) continue;
    const double want = expected[std::string(info.backtesting_py)].get<double>();
    const double got = (*metrics)[info.id];
    EXPECT_NEAR(got, want, 1e-9 * std::max(1.0, std::fabs(want)))
        << info.key << " vs " << info.backtesting_py;
    ++compared;
  }
  EXPECT_GE(compared, 8) << "too few statistics compared";
}

INSTANTIATE_TEST_SUITE_P(Scenarios, GoldenBacktest, ::testing::ValuesIn(scenario_dirs()),
                         [](const ::testing::TestParamInfo<fs::path>& info) {
                           std::string name = info.param.parent_path().filename().string() + "_" +
                                              info.param.filename().string();
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace tradeloop
