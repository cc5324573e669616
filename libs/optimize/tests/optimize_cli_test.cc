// `tradeloop optimize` as users run it: one process against `mpirun -np 2` (the trials split across
// ranks must give the same trials, best point and overfitting statistics), and pairs specs over two
// data files. Runs the built CLI, so it is an integration test.
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace {

using json = nlohmann::json;

const std::string kCli = std::string(TL_BINARY_DIR) + "/apps/cli/tradeloop";
const std::string kGoog = std::string(TL_SOURCE_DIR) + "/data/samples/GOOG-1d.csv";

struct Output {
  int code = -1;
  std::string out;
};

Output run_command(const std::string& command) {
  Output o;
  FILE* pipe = ::popen((command + " 2>/dev/null").c_str(), "r");
  if (pipe == nullptr) return o;
  char buffer[4096];
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) o.out.append(buffer, n);
  const int status = ::pclose(pipe);
  o.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return o;
}

bool have_mpirun() {
  return std::system("command -v mpirun >/dev/null 2>&1") == 0;
}

// The parts of an optimize --json answer that must not depend on how the trials were spread.
json outcome(const json& j) {
  json o;
  o["trials"] = j.at("trials");
  o["best"] = j.at("best");
  o["deflated_sharpe"] = j.at("deflated_sharpe");
  o["pbo"] = j.at("pbo");
  return o;
}

TEST(OptimizeCli, MpirunWithTwoRanksGivesTheResultsOfOneProcess) {
  if (!have_mpirun()) GTEST_SKIP() << "mpirun not installed";
  for (const char* method : {"grid", "genetic"}) {
    const bool grid = std::string(method) == "grid";
    const std::string args = fmt::format(
        "optimize --data {} --strategy sma_cross --method {} --param fast=5:25:5 --param slow=10:65:5 "
        "--objective sharpe_ratio --commission 0.002 --exclusive --seed 7 --jobs 1 --json{}",
        kGoog, method, grid ? "" : " --population 8 --generations 3");
    const Output single = run_command(kCli + " " + args);
    ASSERT_EQ(single.code, 0) << method << ": " << single.out;
    // OpenMPI refuses to run as root (containers) unless told; --oversubscribe for 2 ranks on 1 core.
    const Output mpi = run_command(fmt::format(
        "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 mpirun -np 2 --oversubscribe {} {}", kCli,
        args));
    ASSERT_EQ(mpi.code, 0) << method << ": " << mpi.out;
    const json a = json::parse(single.out);
    const json b = json::parse(mpi.out);  // only rank 0 prints
    EXPECT_EQ(b["timing"]["ranks"], 2) << method;
    EXPECT_EQ(a["timing"]["ranks"], 1) << method;
    ASSERT_FALSE(a["trials"].empty()) << method;
    if (grid) {
      EXPECT_EQ(a["trials"].size(), 60u);
    }
    EXPECT_EQ(outcome(a), outcome(b)) << method;
  }
}

TEST(OptimizeCli, PairsSpecOverTwoFilesOptimizesOnTheirCommonBars) {
  const std::string dir = std::string(TL_SOURCE_DIR) + "/data/samples/";
  const Output o = run_command(fmt::format(
      "{} optimize --data {}ETH_BTC-5m.csv,{}ADA_BTC-5m.csv --strategy {}/strategies/pairs_zscore.json "
      "--method grid --param lookback=40:80:20 --param entry_z=1.5:2.5:0.5 --objective sharpe_ratio --json",
      kCli, dir, dir, TL_SOURCE_DIR));
  ASSERT_EQ(o.code, 0) << o.out;
  const json j = json::parse(o.out);
  ASSERT_EQ(j["trials"].size(), 9u);
  for (const auto& t : j["trials"]) {
    EXPECT_GT(t["metrics"]["num_trades"].get<double>(), 0) << t["params"];
  }
  // Bars both files have (each has gaps the other lacks): fewer than either file.
  EXPECT_LT(j["timing"]["bars"].get<int>(), 5760);
  EXPECT_GT(j["timing"]["bars"].get<int>(), 5000);
  // One file for a pairs spec is a usage error.
  EXPECT_EQ(run_command(
                fmt::format("{} optimize --data {}ETH_BTC-5m.csv --strategy {}/strategies/pairs_zscore.json "
                            "--param lookback=40:80:20 --objective sharpe_ratio",
                            kCli, dir, TL_SOURCE_DIR))
                .code,
            2);
}

}  // namespace
