// Runs the built `tradeloop` binary: `data inspect | import | export | resample`, their output and
// exit codes (0 ok, 1 data errors, 2 usage/IO), and that a refused import writes nothing.
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "test_util.h"
#include "tradeloop/data/bar_store.h"
#include "tradeloop/data/csv_reader.h"

namespace tradeloop::data {
namespace {

using nlohmann::json;
using testing::TempDir;

const std::string kBinary = std::string(TL_BINARY_DIR) + "/apps/cli/tradeloop";

struct CliRun {
  int code = -1;
  std::string out;
  std::string err;
};

// Runs `tradeloop <args>` in `cwd`, capturing stdout and stderr.
CliRun run(const std::string& args, const std::string& cwd = ".") {
  TempDir capture;
  const std::string err_path = capture.file("stderr");
  const std::string command = "cd '" + cwd + "' && '" + kBinary + "' " + args + " 2>'" + err_path + "'";
  CliRun r;
  std::FILE* pipe = ::popen(command.c_str(), "r");
  EXPECT_NE(pipe, nullptr);
  if (pipe == nullptr) return r;
  std::array<char, 65536> buffer;
  for (std::size_t n; (n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0;)
    r.out.append(buffer.data(), n);
  const int status = ::pclose(pipe);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  std::ifstream err(err_path);
  std::stringstream ss;
  ss << err.rdbuf();
  r.err = ss.str();
  return r;
}

std::string sample(const char* name) {
  return testing::samples_dir() + "/" + name;
}

class DataCli : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kBinary)) GTEST_SKIP() << kBinary << " is not built";
  }
};

TEST_F(DataCli, InspectJsonHasTheContractKeys) {
  const CliRun r = run("data inspect --json '" + sample("ADA_BTC-5m.csv") + "'");
  ASSERT_EQ(r.code, 0) << r.err;
  const json j = json::parse(r.out);
  EXPECT_EQ(j["rows"], 5720);
  EXPECT_EQ(j["first"], "2018-01-10T04:55:00Z");
  EXPECT_EQ(j["last"], "2018-01-30T04:50:00Z");
  EXPECT_EQ(j["timeframe"], "5m");
  EXPECT_TRUE(j["errors"].is_array());
  EXPECT_TRUE(j["errors"].empty());
  EXPECT_TRUE(j["warnings"].is_array());
  EXPECT_EQ(j["gaps"]["count"], 5);
  EXPECT_EQ(j["gaps"]["missing_bars"], 40);
  for (const json& w : j["warnings"]) {
    EXPECT_TRUE(w["line"].is_number_integer());
    EXPECT_TRUE(w["field"].is_string());
    EXPECT_TRUE(w["message"].is_string());
  }
  const json g = json::parse(run("data inspect '" + sample("GOOG-1d.csv") + "' --json").out);
  EXPECT_EQ(g["first"], "2004-08-19");
  EXPECT_EQ(g["timeframe"], "1d");
  EXPECT_EQ(g["gaps"]["count"], 0);
}

TEST_F(DataCli, InspectTextOnEverySample) {
  for (const char* name :
       {"ADA_BTC-5m.csv", "ETH_BTC-5m.csv", "EURUSD-1h.csv", "GOOG-1d.csv", "stock_prices.csv"}) {
    const CliRun r = run("data inspect '" + sample(name) + "'");
    EXPECT_EQ(r.code, 0) << name << r.err;
    EXPECT_NE(r.out.find(name), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("0 errors"), std::string::npos) << r.out;
  }
}

TEST_F(DataCli, InspectWideFile) {
  const CliRun r = run("data inspect --json '" + sample("stock_prices.csv") + "'");
  ASSERT_EQ(r.code, 0) << r.err;
  const json j = json::parse(r.out);
  EXPECT_EQ(j["layout"], "wide");
  EXPECT_EQ(j["rows"], 7126);
  EXPECT_EQ(j["columns"].size(), 21u);
  EXPECT_EQ(j["first_value"]["GOOG"], "2004-08-19");
  EXPECT_EQ(j["timeframe"], "1d");
}

TEST_F(DataCli, InspectExitCodes) {
  TempDir dir;
  dir.write("BAD-5m.csv",
            "timestamp,open,high,low,close,volume\n"
            "2018-01-10T04:55:00Z,1,2,0.5,NaN,1\n"
            "2018-01-10T05:00:00Z,1,2,3,1,1\n"
            "2018-01-10T05:00:00Z,1,2,0.5,1,-4\n"
            "garbage\n");
  const CliRun bad = run("data inspect --json BAD-5m.csv", dir.path());
  EXPECT_EQ(bad.code, 1);
  const json j = json::parse(bad.out);
  ASSERT_EQ(j["errors"].size(), 5u) << bad.out;
  EXPECT_EQ(j["errors"][0]["line"], 2);
  EXPECT_EQ(j["errors"][0]["field"], "close");
  EXPECT_EQ(j["errors"][0]["message"], "NaN");
  EXPECT_EQ(j["errors"][0]["text"], "BAD-5m.csv:2: column 'close': NaN");
  const CliRun text = run("data inspect BAD-5m.csv", dir.path());
  EXPECT_EQ(text.code, 1);
  EXPECT_NE(text.out.find("BAD-5m.csv:3: column 'high' (2) is below 'low' (3)"), std::string::npos)
      << text.out;

  EXPECT_EQ(run("data inspect no-such-file.csv", dir.path()).code, 2);
  EXPECT_EQ(run("data inspect", dir.path()).code, 2);
  EXPECT_EQ(run("data inspect a.csv --bogus", dir.path()).code, 2);
  EXPECT_EQ(run("data inspect .", dir.path()).code, 2);  // a directory
  EXPECT_EQ(run("data", dir.path()).code, 2);
  // Binary garbage is data with errors, never a crash.
  std::string junk;
  for (int i = 0; i < 5000; ++i) junk += static_cast<char>((i * 7919) % 256);
  dir.write("junk.csv", junk);
  const CliRun j2 = run("data inspect --json junk.csv", dir.path());
  EXPECT_EQ(j2.code, 1) << j2.err;
  EXPECT_TRUE(json::accept(j2.out)) << j2.out;
}

TEST_F(DataCli, HelpOnEverySubcommand) {
  for (const char* cmd : {"data --help", "data inspect --help", "data import --help", "data export --help",
                          "data resample --help"}) {
    const CliRun r = run(cmd);
    EXPECT_EQ(r.code, 0) << cmd;
    EXPECT_NE(r.out.find("Usage"), std::string::npos) << cmd << r.out;
  }
}

TEST_F(DataCli, ImportExportRoundTripAndNoDuplicates) {
  TempDir dir;
  const CliRun first =
      run("data import '" + sample("GOOG-1d.csv") + "' --symbol GOOG --db bars.db", dir.path());
  ASSERT_EQ(first.code, 0) << first.err;
  EXPECT_NE(first.out.find("2148 new"), std::string::npos) << first.out;
  const CliRun again = run(
      "data import '" + sample("GOOG-1d.csv") + "' --symbol GOOG --timeframe 1d --db bars.db", dir.path());
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_NE(again.out.find("0 new, 2148 replaced"), std::string::npos) << again.out;

  // Export to stdout equals the original file's rows.
  const CliRun exported = run("data export --db bars.db --symbol GOOG --timeframe 1d", dir.path());
  ASSERT_EQ(exported.code, 0) << exported.err;
  std::ifstream original(sample("GOOG-1d.csv"));
  std::stringstream ss;
  ss << original.rdbuf();
  EXPECT_EQ(exported.out, ss.str());

  // A range and a file.
  const CliRun ranged =
      run("data export --db bars.db --symbol GOOG --timeframe 1d --from 2013-02-26 --to 2013-02-28 "
          "--out part.csv",
          dir.path());
  ASSERT_EQ(ranged.code, 0) << ranged.err;
  auto part = load_bars(dir.file("part.csv"));
  ASSERT_TRUE(part.ok());
  ASSERT_EQ(part->size(), 3u);
  EXPECT_EQ(format_date(part->ts[0]), "2013-02-26");
  EXPECT_EQ(part->close[2], 801.2);

  EXPECT_EQ(run("data export --db bars.db --symbol NOPE --timeframe 1d", dir.path()).code, 2);
  EXPECT_EQ(run("data export --db missing.db --symbol GOOG --timeframe 1d", dir.path()).code, 2);
  EXPECT_FALSE(std::filesystem::exists(dir.file("missing.db")));
  EXPECT_EQ(run("data export --db bars.db --symbol GOOG --timeframe 1x", dir.path()).code, 2);
  EXPECT_EQ(run("data export --db bars.db --symbol GOOG --timeframe 1d --from yesterday", dir.path()).code,
            2);
  EXPECT_EQ(run("data export --symbol GOOG --timeframe 1d", dir.path()).code, 2);  // --db is required
}

TEST_F(DataCli, ImportOfAFileWithErrorsWritesNothing) {
  TempDir dir;
  dir.write("BAD-5m.csv",
            "timestamp,open,high,low,close,volume\n"
            "2018-01-10T04:55:00Z,1,2,0.5,1.5,1\n"
            "2018-01-10T05:00:00Z,1,2,0.5,inf,1\n"
            "2018-01-10T05:05:00Z,1,2,0.5,1.5\n");
  // Into a new database: refused, and no database file is created.
  const CliRun r = run("data import BAD-5m.csv --symbol BAD --db new.db", dir.path());
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("BAD-5m.csv:3: column 'close': infinite"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("BAD-5m.csv:4: short row"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir.file("new.db")));

  // Into an existing database: its earlier data is untouched.
  ASSERT_EQ(run("data import '" + sample("ETH_BTC-5m.csv") + "' --symbol BAD --db bars.db", dir.path()).code,
            0);
  const std::string before = run("data export --db bars.db --symbol BAD --timeframe 5m", dir.path()).out;
  EXPECT_EQ(run("data import BAD-5m.csv --symbol BAD --db bars.db", dir.path()).code, 1);
  EXPECT_EQ(run("data export --db bars.db --symbol BAD --timeframe 5m", dir.path()).out, before);
  auto store = BarStore::open(dir.file("bars.db"), BarStore::Mode::kReadOnly);
  ASSERT_TRUE(store.ok());
  auto list = store->list();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].bars, 5760u);

  // A timeframe that contradicts the data is an error too; usage errors are 2.
  EXPECT_EQ(
      run("data import '" + sample("ETH_BTC-5m.csv") + "' --symbol E --timeframe 1h --db bars.db", dir.path())
          .code,
      1);
  EXPECT_EQ(run("data import '" + sample("ETH_BTC-5m.csv") + "' --db bars.db", dir.path()).code,
            2);  // no --symbol
  EXPECT_EQ(run("data import missing.csv --symbol X --db bars.db", dir.path()).code, 2);
}

TEST_F(DataCli, ResampleWritesRoundTrippableCsv) {
  TempDir dir;
  const CliRun r = run("data resample '" + sample("ETH_BTC-5m.csv") + "' --to 1h --out h.csv", dir.path());
  ASSERT_EQ(r.code, 0) << r.err;
  auto hourly = load_bars(dir.file("h.csv"));
  ASSERT_TRUE(hourly.ok()) << hourly.error().message();
  EXPECT_EQ(hourly->timeframe.to_string(), "1h");
  EXPECT_EQ(hourly->size(), 481u);  // 04:00 on the 10th .. 04:00 on the 30th
  // Exact round trip: the file's numbers equal an in-memory sum of the 5m volumes.
  auto five = load_bars(sample("ETH_BTC-5m.csv"));
  ASSERT_TRUE(five.ok());
  double v = 0;
  for (int i = 1; i <= 12; ++i) v += five->volume[i];
  EXPECT_EQ(hourly->volume[1], v);

  const CliRun weekly = run("data resample '" + sample("GOOG-1d.csv") + "' --to 1w");
  ASSERT_EQ(weekly.code, 0) << weekly.err;
  EXPECT_EQ(weekly.out.substr(0, weekly.out.find('\n', 40) + 1),
            "timestamp,open,high,low,close,volume\n2004-08-16,100,109.08,95.96,108.31,33780500\n");

  EXPECT_EQ(run("data resample '" + sample("EURUSD-1h.csv") + "' --to 5m").code, 2);
  EXPECT_EQ(run("data resample '" + sample("EURUSD-1h.csv") + "' --to banana").code, 2);
  EXPECT_EQ(run("data resample '" + sample("EURUSD-1h.csv") + "'").code, 2);
  dir.write("BAD.csv",
            "timestamp,open,high,low,close,volume\n2018-01-10,1,2,0.5,NaN,1\n2018-01-11,1,2,0.5,1,1\n");
  EXPECT_EQ(run("data resample BAD.csv --to 1w", dir.path()).code, 1);
}

}  // namespace
}  // namespace tradeloop::data
