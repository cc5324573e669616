// End-to-end runs of `tradeloop backtest`: the golden scenarios through the real command line (the
// exact commands docs/backtest.md gives), the output files and their columns, --json (keys and their
// order), exit codes, --funding, pairs over two files, library specs vs built-ins.
#include <sys/wait.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tradeloop/analytics/metrics.h"

namespace {

namespace fs = std::filesystem;

const std::string kCli = std::string(TL_BINARY_DIR) + "/apps/cli/tradeloop";
const std::string kGoog = std::string(TL_SOURCE_DIR) + "/data/samples/GOOG-1d.csv";
const fs::path kGolden = fs::path(TL_SOURCE_DIR) / "tests" / "golden" / "backtesting_py_smacross";

struct CliRun {
  int code = -1;
  std::string out, err;
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

fs::path temp_dir() {
  fs::path d = fs::temp_directory_path() / ("tl_backtest_cli_" + std::to_string(::getpid()));
  fs::create_directories(d);
  return d;
}

CliRun run(const std::string& args) {
  const fs::path d = temp_dir();
  const std::string cmd =
      kCli + " " + args + " > " + (d / "stdout").string() + " 2> " + (d / "stderr").string();
  const int status = std::system(cmd.c_str());
  CliRun r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(d / "stdout");
  r.err = slurp(d / "stderr");
  return r;
}

std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(text);
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

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

class GoldenCommand : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenCommand, TradesCsvEqualsTheGolden) {
  const fs::path dir = kGolden / GetParam();
  const fs::path trades = temp_dir() / (GetParam() + "_trades.csv");
  const CliRun r = run("backtest --data " + kGoog + " " + trim(slurp(dir / "args.txt")) + " --trades " +
                       trades.string() + " --json");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto got = parse_csv(slurp(trades));
  const auto want = parse_csv(slurp(dir / "expected_trades.csv"));
  ASSERT_EQ(got.size(), want.size());
  EXPECT_EQ(got[0], want[0]);  // the header, exactly
  for (std::size_t i = 1; i < got.size(); ++i) {
    ASSERT_EQ(got[i].size(), 10u);
    for (std::size_t c = 0; c < 10; ++c) {
      if (c == 0 || c == 1 || c == 2 || c == 9) {
        EXPECT_EQ(got[i][c], want[i][c]) << "row " << i << " column " << want[0][c];
      } else {
        EXPECT_EQ(std::stod(got[i][c]), std::stod(want[i][c])) << "row " << i << " column " << want[0][c];
      }
    }
  }
  const auto j = nlohmann::json::parse(r.out);
  const auto stats = nlohmann::json::parse(slurp(dir / "expected_stats.json"));
  EXPECT_EQ(j["metrics"]["num_trades"].get<double>(), stats["# Trades"].get<double>());
  EXPECT_NEAR(j["metrics"]["final_equity"].get<double>(), stats["Equity Final [$]"].get<double>(), 1e-6);
  ASSERT_EQ(j["open_positions"].size(), stats["open_positions"].size());
  EXPECT_EQ(j["open_positions"][0]["size"].get<double>(), stats["open_positions"][0]["size"].get<double>());
}

INSTANTIATE_TEST_SUITE_P(BacktestingPy, GoldenCommand, ::testing::Values("commission", "trade_on_close"));

TEST(BacktestCli, JsonHasMetricsOpenPositionsAndTiming) {
  const CliRun r = run("backtest --data " + kGoog + " --strategy sma_cross --json");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_TRUE(j.is_object());
  ASSERT_TRUE(j.contains("metrics"));
  ASSERT_TRUE(j.contains("open_positions"));
  ASSERT_TRUE(j.contains("timing"));
  for (const char* k : {"load_s", "run_s", "bars", "bars_per_s"}) EXPECT_TRUE(j["timing"].contains(k)) << k;
  EXPECT_EQ(j["timing"]["bars"].get<int>(), 2148);
  for (const char* k : {"final_equity", "total_return_pct", "cagr_pct", "sharpe_ratio", "max_drawdown_pct",
                        "num_trades", "win_rate_pct", "profit_factor", "commissions", "avg_trade_duration"}) {
    EXPECT_TRUE(j["metrics"].contains(k)) << k;
  }
}

TEST(BacktestCli, EquityCsvHasOneRowPerBar) {
  const fs::path eq = temp_dir() / "equity.csv";
  const CliRun r = run("backtest --data " + kGoog + " --strategy sma_cross --equity " + eq.string());
  ASSERT_EQ(r.code, 0) << r.err;
  const auto rows = parse_csv(slurp(eq));
  ASSERT_EQ(rows.size(), 2149u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"timestamp", "equity", "cash", "position_value", "exposure",
                                               "drawdown_pct"}));
  EXPECT_EQ(rows[1][0], "2004-08-19");
  EXPECT_EQ(rows[1][1], "10000");
}

TEST(BacktestCli, ReportIsWritten) {
  const fs::path html = temp_dir() / "report.html";
  const CliRun r = run("backtest --data " + kGoog + " --strategy sma_cross --report " + html.string());
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string text = slurp(html);
  EXPECT_NE(text.find("<html"), std::string::npos);
  EXPECT_GT(text.size(), 10000u);
}

TEST(BacktestCli, ExitCodes) {
  // Usage, I/O: 2.
  EXPECT_EQ(run("backtest --strategy sma_cross").code, 2);  // --data missing
  EXPECT_EQ(run("backtest --data /nonexistent/x.csv --strategy sma_cross").code, 2);
  EXPECT_EQ(run("backtest --data " + kGoog + " --strategy sma_cross --fill tomorrow").code, 2);
  EXPECT_EQ(run("backtest --data " + kGoog + " --strategy sma_cross --sizing kelly:1").code, 2);
  EXPECT_EQ(run("backtest --data " + kGoog + " --strategy sma_cross --slippage pips:1").code, 2);
  EXPECT_EQ(run("backtest --data " + kGoog + " --strategy sma_cross --cash -5").code, 2);
  EXPECT_EQ(run("backtest --data " + kGoog + " --strategy sma_cross --param fast").code, 2);
  const CliRun unknown = run("backtest --data " + kGoog + " --strategy no_such_strategy_xyz");
  EXPECT_EQ(unknown.code, 2);
  EXPECT_NE(unknown.err.find("no_such_strategy_xyz"), std::string::npos);
  // The strategy or the data has errors: 1.
  const CliRun bad_param = run("backtest --data " + kGoog + " --strategy sma_cross --param fast=1");
  EXPECT_EQ(bad_param.code, 1);
  EXPECT_NE(bad_param.err.find("fast"), std::string::npos);
  EXPECT_EQ(run("backtest --data " + kGoog + " --strategy sma_cross --param speed=3").code, 1);
  const fs::path bad = temp_dir() / "bad.csv";
  std::ofstream(bad) << "timestamp,open,high,low,close,volume\n2020-01-01,10,11,9,10,100\n"
                        "2020-01-02,10,9,11,10,100\n2020-01-03,10,11,9,10,100\n";
  const CliRun bad_data = run("backtest --data " + bad.string() + " --strategy sma_cross");
  EXPECT_EQ(bad_data.code, 1);
  EXPECT_NE(bad_data.err.find("bad.csv:3"), std::string::npos) << bad_data.err;
  // Errors go to stderr, never a crash.
  EXPECT_TRUE(unknown.out.empty());
}

// The contract's shape exactly: top-level keys in order, every metric of the issue, metrics in the
// catalog order of Metrics::to_json (not alphabetical), timing consistent with itself.
TEST(BacktestCli, JsonKeysAndOrderFollowTheContract) {
  const CliRun r = run("backtest --data " + kGoog + " --strategy sma_cross --json");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::ordered_json::parse(r.out);
  std::vector<std::string> top;
  for (const auto& [k, v] : j.items()) top.push_back(k);
  EXPECT_EQ(top, (std::vector<std::string>{"metrics", "open_positions", "timing"}));
  std::vector<std::string> keys;
  for (const auto& [k, v] : j["metrics"].items()) keys.push_back(k);
  std::vector<std::string> catalog;
  for (const auto& info : tradeloop::analytics::metric_catalog()) catalog.emplace_back(info.key);
  EXPECT_EQ(keys, catalog);
  // The catalog holds every key the issue names: Metrics.CatalogKeysAreUniqueSnakeCaseAndCoverTheIssueList.
  const auto& t = j["timing"];
  for (const char* k : {"load_s", "run_s", "bars", "bars_per_s"}) ASSERT_TRUE(t.contains(k)) << k;
  EXPECT_GE(t["load_s"].get<double>(), 0);
  EXPECT_GT(t["run_s"].get<double>(), 0);
  EXPECT_NEAR(t["bars_per_s"].get<double>(), t["bars"].get<double>() / t["run_s"].get<double>(),
              1e-6 * t["bars_per_s"].get<double>());
  // An open position at the end is reported, not counted as a trade.
  ASSERT_TRUE(j["open_positions"].is_array());
}

TEST(BacktestCli, TradesCsvHasTheContractColumns) {
  const fs::path trades = temp_dir() / "contract_trades.csv";
  const CliRun r = run("backtest --data " + kGoog + " --strategy sma_cross --commission 0.002 --trades " +
                       trades.string() + " --json");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto rows = parse_csv(slurp(trades));
  ASSERT_GT(rows.size(), 2u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"entry_time", "exit_time", "side", "size", "entry_price",
                                               "exit_price", "pnl", "return_pct", "fees", "exit_reason"}));
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(rows.size() - 1, j["metrics"]["num_trades"].get<std::size_t>());
  double fees = 0;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    ASSERT_EQ(rows[i].size(), 10u);
    EXPECT_TRUE(rows[i][2] == "long" || rows[i][2] == "short");
    EXPECT_LE(rows[i][0], rows[i][1]);  // ISO dates sort as text
    // pnl = side x size x (exit - entry) - fees.
    const double sign = rows[i][2] == "long" ? 1 : -1;
    const double size = std::stod(rows[i][3]), entry = std::stod(rows[i][4]), exit = std::stod(rows[i][5]);
    const double pnl = std::stod(rows[i][6]), f = std::stod(rows[i][8]);
    EXPECT_NEAR(pnl, sign * size * (exit - entry) - f, 1e-6 * (1 + std::fabs(pnl)));
    EXPECT_GT(f, 0);
    fees += f;
  }
  EXPECT_LE(fees, j["metrics"]["commissions"].get<double>() + 1e-6);
}

// --strategy NAME finds the built-in first, then strategies/NAME.json; the JSON form of sma_cross
// trades exactly like the built-in.
TEST(BacktestCli, BuiltinAndLibrarySpecGiveIdenticalTrades) {
  const std::string flags = " --param fast=10 --param slow=20 --commission 0.002 --exclusive --allow-short";
  const fs::path a = temp_dir() / "builtin.csv", b = temp_dir() / "spec.csv";
  const CliRun ra =
      run("backtest --data " + kGoog + " --strategy sma_cross" + flags + " --trades " + a.string());
  const CliRun rb = run("backtest --data " + kGoog + " --strategy " + std::string(TL_SOURCE_DIR) +
                        "/strategies/sma_cross.json" + flags + " --trades " + b.string());
  ASSERT_EQ(ra.code, 0) << ra.err;
  ASSERT_EQ(rb.code, 0) << rb.err;
  const std::string ta = slurp(a), tb = slurp(b);
  EXPECT_GT(parse_csv(ta).size(), 10u);
  EXPECT_EQ(ta, tb);
  // A library name that is not a built-in resolves to strategies/NAME.json.
  const fs::path c = temp_dir() / "lib.csv", d = temp_dir() / "libpath.csv";
  const CliRun rc = run("backtest --data " + kGoog + " --strategy rsi_reversion --trades " + c.string());
  const CliRun rd = run("backtest --data " + kGoog + " --strategy " + std::string(TL_SOURCE_DIR) +
                        "/strategies/rsi_reversion.json --trades " + d.string());
  ASSERT_EQ(rc.code, 0) << rc.err;
  ASSERT_EQ(rd.code, 0) << rd.err;
  EXPECT_EQ(slurp(c), slurp(d));
}

// Pairs: the spec's legs map to the --data files in order, and bars missing from either leg are
// dropped from both. Reference: the same run on files the test aligned itself.
TEST(BacktestCli, PairsSpecRunsOnTwoFilesAlignedOnSharedTimestamps) {
  const std::string eth = std::string(TL_SOURCE_DIR) + "/data/samples/ETH_BTC-5m.csv";
  const std::string ada = std::string(TL_SOURCE_DIR) + "/data/samples/ADA_BTC-5m.csv";
  const std::string spec = std::string(TL_SOURCE_DIR) + "/strategies/pairs_zscore.json";
  const fs::path t1 = temp_dir() / "pairs1.csv";
  const CliRun r1 = run("backtest --data " + eth + "," + ada + " --strategy " + spec + " --trades " +
                        t1.string() + " --json");
  ASSERT_EQ(r1.code, 0) << r1.err;
  // Align by hand: keep the rows whose timestamp is in both files.
  auto rows_of = [](const std::string& path) {
    std::vector<std::string> lines;
    std::istringstream in(slurp(path));
    std::string line;
    while (std::getline(in, line)) lines.push_back(line);
    return lines;
  };
  const auto le = rows_of(eth), la = rows_of(ada);
  std::set<std::string> te, ta;
  for (std::size_t i = 1; i < le.size(); ++i) te.insert(le[i].substr(0, le[i].find(',')));
  for (std::size_t i = 1; i < la.size(); ++i) ta.insert(la[i].substr(0, la[i].find(',')));
  ASSERT_NE(te, ta) << "the samples should have gaps for this test to mean anything";
  const fs::path ae = temp_dir() / "eth_aligned.csv", aa = temp_dir() / "ada_aligned.csv";
  auto write_aligned = [](const std::vector<std::string>& lines, const std::set<std::string>& other,
                          const fs::path& out) {
    std::ofstream o(out);
    o << lines[0] << "\n";
    for (std::size_t i = 1; i < lines.size(); ++i) {
      if (other.count(lines[i].substr(0, lines[i].find(','))) != 0) o << lines[i] << "\n";
    }
  };
  write_aligned(le, ta, ae);
  write_aligned(la, te, aa);
  const fs::path t2 = temp_dir() / "pairs2.csv";
  const CliRun r2 = run("backtest --data " + ae.string() + "," + aa.string() + " --strategy " + spec +
                        " --trades " + t2.string() + " --json");
  ASSERT_EQ(r2.code, 0) << r2.err;
  EXPECT_EQ(slurp(t1), slurp(t2));
  EXPECT_GT(parse_csv(slurp(t1)).size(), 10u);
  const auto j = nlohmann::json::parse(r1.out);
  std::size_t shared = 0;
  for (const auto& x : te) shared += ta.count(x);
  EXPECT_EQ(j["timing"]["bars"].get<std::size_t>(), 2 * shared);
  // The legs are not interchangeable: the spec's first leg is the first file.
  const fs::path t3 = temp_dir() / "pairs3.csv";
  const CliRun r3 =
      run("backtest --data " + ada + "," + eth + " --strategy " + spec + " --trades " + t3.string());
  ASSERT_EQ(r3.code, 0) << r3.err;
  EXPECT_NE(slurp(t1), slurp(t3));
  // One file for a pairs spec: a usage error.
  EXPECT_EQ(run("backtest --data " + eth + " --strategy " + spec).code, 2);
}

// --funding FILE.csv: funding payments change the books of a run that holds positions; bad files are
// located errors.
TEST(BacktestCli, FundingFileIsChargedAndBadFilesAreLocated) {
  const fs::path f = temp_dir() / "funding.csv";
  {
    std::ofstream o(f);
    o << "timestamp,rate\n";
    // A positive rate every month from 2005: longs pay.
    for (int y = 2005; y <= 2012; ++y) {
      for (int m = 1; m <= 12; ++m) o << y << "-" << (m < 10 ? "0" : "") << m << "-01,0.001\n";
    }
  }
  const std::string base = "backtest --data " + kGoog + " --strategy sma_cross --json";
  const CliRun without = run(base);
  const CliRun with = run(base + " --funding " + f.string());
  ASSERT_EQ(without.code, 0) << without.err;
  ASSERT_EQ(with.code, 0) << with.err;
  const double e0 = nlohmann::json::parse(without.out)["metrics"]["final_equity"].get<double>();
  const double e1 = nlohmann::json::parse(with.out)["metrics"]["final_equity"].get<double>();
  EXPECT_LT(e1, e0);  // long-only: it only pays
  // The event kernel charges the same funding as the signal runner.
  const CliRun events = run(base + " --engine events --funding " + f.string());
  ASSERT_EQ(events.code, 0) << events.err;
  EXPECT_EQ(nlohmann::json::parse(events.out)["metrics"]["final_equity"].get<double>(), e1);
  // Missing file: 2. Bad content: 1, with file:line and column.
  EXPECT_EQ(run(base + " --funding /nonexistent/funding.csv").code, 2);
  const fs::path bad = temp_dir() / "bad_funding.csv";
  std::ofstream(bad) << "timestamp,rate\n2005-01-01,0.001\n2005-02-01,lots\n";
  const CliRun br = run(base + " --funding " + bad.string());
  EXPECT_EQ(br.code, 1);
  EXPECT_NE(br.err.find("bad_funding.csv:3: column 'rate'"), std::string::npos) << br.err;
  const fs::path unsorted = temp_dir() / "unsorted_funding.csv";
  std::ofstream(unsorted) << "timestamp,rate\n2005-02-01,0.001\n2005-01-01,0.001\n";
  const CliRun ur = run(base + " --funding " + unsorted.string());
  EXPECT_EQ(ur.code, 1);
  EXPECT_NE(ur.err.find("unsorted_funding.csv:3"), std::string::npos) << ur.err;
  const fs::path nohdr = temp_dir() / "nohdr_funding.csv";
  std::ofstream(nohdr) << "when,how_much\n2005-01-01,0.001\n";
  const CliRun nr = run(base + " --funding " + nohdr.string());
  EXPECT_EQ(nr.code, 1);
  EXPECT_NE(nr.err.find("nohdr_funding.csv:1"), std::string::npos) << nr.err;
}

}  // namespace
