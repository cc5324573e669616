// Integration tests of `tradeloop discover` and `tradeloop strategies` through the real binary:
// summaries, a kill -9 in the middle of a session then --resume, thread and MPI determinism.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmath>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tradeloop/discover/store.h"
#include "tradeloop/strategy/spec.h"

namespace tradeloop::discover {
namespace {

using json = nlohmann::json;

const std::string kCli = std::string(TL_BINARY_DIR) + "/apps/cli/tradeloop";
const std::string kGoog = std::string(TL_SOURCE_DIR) + "/data/samples/GOOG-1d.csv";
const std::string kEth = std::string(TL_SOURCE_DIR) + "/data/samples/ETH_BTC-5m.csv";
const std::string kAda = std::string(TL_SOURCE_DIR) + "/data/samples/ADA_BTC-5m.csv";

std::string temp_path(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / fmt::format("tl_discover_cli_{}", ::getpid());
  std::filesystem::create_directories(dir);
  const auto p = dir / name;
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(p.string() + suffix);
  return p.string();
}

struct Output {
  int code = -1;
  std::string out;
};

Output run(const std::string& args) {
  Output o;
  const std::string command = kCli + " " + args + " 2>/dev/null";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return o;
  char buffer[4096];
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) o.out.append(buffer, n);
  const int status = ::pclose(pipe);
  o.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return o;
}

// Index, hash, verdict, reasons and metrics of every candidate of the latest session.
std::vector<std::string> outcome(const std::string& db) {
  auto store = DiscoveryStore::open(db);
  EXPECT_TRUE(store.ok());
  auto session = (*store)->latest_session();
  EXPECT_TRUE(session.ok() && session->has_value());
  auto rows = (*store)->session_candidates((*session)->id);
  std::vector<std::string> out;
  for (const auto& r : *rows) {
    std::string metrics;
    for (const auto& [k, v] : r.metrics) metrics += fmt::format("{}={};", k, v);
    out.push_back(fmt::format("{} {} {} {} {} {}", r.candidate.index, r.candidate.hash,
                              verdict_name(r.verdict), fmt::join(r.reasons, "|"), metrics, r.evaluated));
  }
  return out;
}

SessionRecord latest(const std::string& db) {
  auto store = DiscoveryStore::open(db);
  auto session = (*store)->latest_session();
  return **session;
}

// Starts `tradeloop <args>` in the background (output discarded); returns its pid.
pid_t spawn(const std::string& args) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    const std::string command = fmt::format("exec {} {} >/dev/null 2>&1", kCli, args);
    ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  return pid;
}

// Generous: a loaded 2-core machine can take many times the usual few seconds. The tests wait on
// observable progress (verdicts stored in the database), never on a fixed sleep.
constexpr auto kPatience = std::chrono::seconds(300);

// Stored verdicts of the latest session in `db`, or -1 when there is no session (yet). A read: it
// needs no lock a writer holds (WAL), so it works while the writer is stopped.
std::int64_t stored_verdicts(const std::string& db) {
  if (!std::filesystem::exists(db)) return -1;
  auto store = DiscoveryStore::open(db);
  if (!store.ok()) return -1;
  auto s = (*store)->latest_session();
  return s.ok() && s->has_value() ? (*s)->evaluated : -1;
}

// Waits until the latest session in `db` has at least `at_least` stored verdicts. Returns the count
// seen then, or -1 when the process `pid` exits first (`*status` holds its exit status) or kPatience
// passes (the process is killed; `*status` is -1).
// Paced: once the session exists, the process runs only in 20 ms slices between looks (SIGCONT ...
// SIGSTOP) and is left stopped when the count is reached, so however slowly this process is
// scheduled, the run cannot get far past its first stored verdicts before the caller acts (the caller
// kills or continues it). A look that waits on a lock the stopped process holds (creating the
// database, some commit steps) would wait out SQLite's 10 s busy timeout: after 100 ms the process is
// let run until the look returns.
std::int64_t wait_for_progress(const std::string& db, pid_t pid, std::int64_t at_least, int* status,
                               bool paced = false) {
  const auto deadline = std::chrono::steady_clock::now() + kPatience;
  while (std::chrono::steady_clock::now() < deadline) {
    if (paced) {
      ::kill(pid, SIGCONT);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      ::kill(pid, SIGSTOP);
      // Stopped (or exited) for sure before looking: a signal is delivered asynchronously.
      if (::waitpid(pid, status, WUNTRACED) == pid && !WIFSTOPPED(*status)) return -1;
    } else {
      if (::waitpid(pid, status, WNOHANG) == pid) return -1;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    auto look = std::async(std::launch::async, stored_verdicts, db);
    if (paced && look.wait_for(std::chrono::milliseconds(100)) == std::future_status::timeout) {
      ::kill(pid, SIGCONT);
      look.wait();
      ::kill(pid, SIGSTOP);
      if (::waitpid(pid, status, WUNTRACED) == pid && !WIFSTOPPED(*status)) return -1;
    }
    const std::int64_t n = look.get();
    if (n >= at_least) return n;
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, status, 0);
  *status = -1;
  return -1;
}

// Waits up to kPatience for `pid` to exit; false (after killing it) when it does not.
bool wait_for_exit(pid_t pid, int* status) {
  const auto deadline = std::chrono::steady_clock::now() + kPatience;
  while (std::chrono::steady_clock::now() < deadline) {
    if (::waitpid(pid, status, WNOHANG) == pid) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, status, 0);
  return false;
}

std::string lenient_gates() {
  const std::string path = temp_path("lenient.json");
  std::ofstream(path) << R"({"min_sharpe_ratio": -100, "max_drawdown": 1, "min_win_rate": 0, "min_trades": 1,
                              "min_deflated_sharpe": 0, "max_oos_degradation": 100, "min_oos_sharpe_ratio": -100,
                              "max_correlation": 0.95})";
  return path;
}

TEST(DiscoverCli, CountOnGoogPrintsTheSummaryAndStoresEveryCandidate) {
  const std::string db = temp_path("count.db");
  const Output o =
      run(fmt::format("discover --data {} --count 48 --wave-size 16 --seed 3 --db {} --json", kGoog, db));
  ASSERT_EQ(o.code, 0) << o.out;
  const json j = json::parse(o.out);
  for (const char* key : {"session_id", "candidates_evaluated", "accepted", "waves", "best"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  EXPECT_EQ(j["candidates_evaluated"], 48);
  EXPECT_EQ(j["waves"], 3);
  EXPECT_EQ(j["status"], "completed");
  ASSERT_TRUE(j["best"].is_object());
  for (const char* key : {"id", "name", "sharpe_ratio", "max_drawdown_pct", "win_rate_pct"}) {
    EXPECT_TRUE(j["best"].contains(key)) << key;
  }
  const Output list = run(fmt::format("strategies list --all --json --db {}", db));
  ASSERT_EQ(list.code, 0);
  const json l = json::parse(list.out);
  ASSERT_EQ(l["strategies"].size(), 48u);
  for (const auto& s : l["strategies"]) {
    for (const char* key : {"id", "hash", "name", "type", "verdict", "sharpe_ratio"})
      EXPECT_TRUE(s.contains(key)) << key;
    EXPECT_TRUE(s["verdict"] == "accepted" || s["verdict"] == "rejected");
    if (s["verdict"] == "rejected") {
      EXPECT_FALSE(s["reasons"].empty());
    }
  }
  const Output accepted = run(fmt::format("strategies list --json --db {}", db));
  EXPECT_EQ(json::parse(accepted.out)["strategies"].size(), j["accepted"].get<std::size_t>());
}

TEST(DiscoverCli, KillNineThenResumeLosesNothingAndTestsNothingTwice) {
  const std::string gates = lenient_gates();
  const std::string args = fmt::format(
      "--data {},{},{} --count 384 --wave-size 32 --seed 7 --jobs 2 --gates {}", kGoog, kEth, kAda, gates);
  const std::string ref_db = temp_path("ref.db");
  ASSERT_EQ(run(fmt::format("discover {} --db {}", args, ref_db)).code, 0);
  const auto reference = outcome(ref_db);
  ASSERT_EQ(reference.size(), 384u);

  const std::string db = temp_path("killed.db");
  const pid_t pid = spawn(fmt::format("discover {} --db {}", args, db));
  ASSERT_GT(pid, 0);
  // Kill it in the middle: as soon as the first verdicts are stored (a wave of 32 of 384), with the
  // run paced so that it cannot finish unseen however slow this process is scheduled.
  int status = 0;
  const std::int64_t seen = wait_for_progress(db, pid, 1, &status, /*paced=*/true);
  if (seen < 0) {
    if (status == -1) FAIL() << "no verdict stored within " << kPatience.count() << " s";
    FAIL() << "the run ended (status " << status << ") before it could be killed";
  }
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the run finished before it could be killed";
  const SessionRecord killed = latest(db);
  ASSERT_GT(killed.evaluated, 0);
  ASSERT_LT(killed.evaluated, 384);
  EXPECT_EQ(killed.status, SessionStatus::kRunning);  // nobody marked it: it was killed
  std::vector<CandidateRow> before;
  {
    auto store = DiscoveryStore::open(db);
    before = *(*store)->session_candidates(killed.id);
  }
  auto before_accepted = [&] {
    auto store = DiscoveryStore::open(db);
    return *(*store)->accepted_returns(killed.id);
  }();

  const Output resumed = run(fmt::format("discover --resume --db {} --jobs 2 --json", db));
  ASSERT_EQ(resumed.code, 0) << resumed.out;
  const json r = json::parse(resumed.out);
  EXPECT_EQ(r["session_id"], killed.id);
  EXPECT_EQ(r["candidates_evaluated"], 384);
  // Exactly the candidates without a stored verdict were tested by the resumed run.
  EXPECT_EQ(r["evaluated_this_run"].get<std::int64_t>(), 384 - killed.evaluated);

  auto store = DiscoveryStore::open(db);
  const auto after = *(*store)->session_candidates(killed.id);
  ASSERT_EQ(after.size(), 384u);
  for (const auto& b : before) {
    if (!b.evaluated) continue;
    const auto& a = after[static_cast<std::size_t>(b.candidate.index)];
    EXPECT_EQ(a.candidate.id, b.candidate.id);
    EXPECT_EQ(a.verdict, b.verdict);
    // Metrics stored before the kill are untouched by the resume (NaN, e.g. an undefined
    // degradation, compares equal to NaN here).
    ASSERT_EQ(a.metrics.size(), b.metrics.size());
    for (const auto& [key, value] : b.metrics) {
      auto it = a.metrics.find(key);
      ASSERT_NE(it, a.metrics.end()) << key;
      if (std::isnan(value)) {
        EXPECT_TRUE(std::isnan(it->second)) << key;
      } else {
        EXPECT_EQ(it->second, value) << key;
      }
    }
  }
  const auto after_accepted = *(*store)->accepted_returns(killed.id);
  for (const auto& s : before_accepted) {
    EXPECT_TRUE(std::any_of(
        after_accepted.begin(), after_accepted.end(),
        [&](const StrategyRecord& x) { return x.id == s.id && x.hash == s.hash && x.returns == s.returns; }))
        << "accepted strategy " << s.id << " lost";
  }
  // And the whole session equals the uninterrupted one.
  EXPECT_EQ(outcome(db), reference);
}

TEST(DiscoverCli, OneOrTwoThreadsGiveIdenticalResults) {
  const std::string one = temp_path("jobs1.db");
  const std::string two = temp_path("jobs2.db");
  const std::string args = fmt::format("--data {},{} --count 96 --wave-size 24 --seed 11", kGoog, kEth);
  ASSERT_EQ(run(fmt::format("discover {} --jobs 1 --db {}", args, one)).code, 0);
  ASSERT_EQ(run(fmt::format("discover {} --jobs 2 --db {}", args, two)).code, 0);
  const auto a = outcome(one);
  EXPECT_EQ(a.size(), 96u);
  EXPECT_EQ(a, outcome(two));
}

TEST(DiscoverCli, MpirunWithTwoRanksGivesTheResultsOfOneProcess) {
  if (std::system("command -v mpirun >/dev/null 2>&1") != 0) GTEST_SKIP() << "mpirun not installed";
  const std::string single = temp_path("single.db");
  const std::string mpi = temp_path("mpi.db");
  const std::string args =
      fmt::format("--data {},{},{} --count 96 --wave-size 24 --seed 13 --jobs 1", kGoog, kEth, kAda);
  ASSERT_EQ(run(fmt::format("discover {} --db {}", args, single)).code, 0);
  const std::string command = fmt::format(
      "mpirun -np 2 --oversubscribe --allow-run-as-root {} discover {} --db {} --json 2>/dev/null", kCli,
      args, mpi);
  FILE* pipe = ::popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string out;
  char buffer[4096];
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  ASSERT_EQ(::pclose(pipe), 0) << out;
  const json j = json::parse(out);  // only rank 0 prints
  EXPECT_EQ(j["processes"], 2);
  EXPECT_EQ(outcome(mpi), outcome(single));
}

TEST(DiscoverCli, ExportedStrategiesAreValidSpecsWithTheirHash) {
  const std::string db = temp_path("export.db");
  const std::string report = temp_path("board.html");
  const Output o = run(fmt::format(
      "discover --data {} --count 32 --wave-size 16 --seed 5 --gates {} --db {} --report {} --json", kGoog,
      lenient_gates(), db, report));
  ASSERT_EQ(o.code, 0);
  // The leaderboard links a tearsheet per accepted strategy, in board.html_files/ beside it.
  std::ifstream in(report);
  const std::string html((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto accepted_count = json::parse(o.out)["accepted"].get<std::size_t>();
  ASSERT_GT(accepted_count, 0u);
  std::size_t links = 0;
  for (std::size_t at = html.find("href=\"board.html_files/"); at != std::string::npos;
       at = html.find("href=\"board.html_files/", at + 1)) {
    const std::size_t begin = at + 6, end = html.find('"', begin);
    const auto sheet = std::filesystem::path(report).parent_path() / html.substr(begin, end - begin);
    std::ifstream sheet_in(sheet);
    const std::string sheet_html((std::istreambuf_iterator<char>(sheet_in)),
                                 std::istreambuf_iterator<char>());
    EXPECT_NE(sheet_html.find("<svg"), std::string::npos) << sheet;
    EXPECT_NE(sheet_html.find("sharpe"), std::string::npos) << sheet;
    ++links;
  }
  EXPECT_EQ(links, accepted_count);
  const json list =
      json::parse(run(fmt::format("strategies list --json --db {} --sort sharpe_ratio", db)).out);
  ASSERT_FALSE(list["strategies"].empty());
  double previous = 1e300;
  for (const auto& s : list["strategies"]) {
    if (s["sharpe_ratio"].is_number()) {
      EXPECT_LE(s["sharpe_ratio"].get<double>(), previous);
      previous = s["sharpe_ratio"].get<double>();
    }
  }
  const auto id = list["strategies"][0]["id"].get<std::int64_t>();
  const Output exported = run(fmt::format("strategies export {} --db {}", id, db));
  ASSERT_EQ(exported.code, 0);
  auto spec = strategy::parse_spec(exported.out, "exported");
  ASSERT_TRUE(spec.ok()) << spec.error().message() << "\n" << exported.out;
  EXPECT_EQ(*strategy::spec_hash(*spec), list["strategies"][0]["hash"].get<std::string>());
  const Output show = run(fmt::format("strategies show {} --db {} --json", id, db));
  ASSERT_EQ(show.code, 0);
  const json sj = json::parse(show.out);
  EXPECT_EQ(sj["verdict"], "accepted");
  EXPECT_TRUE(sj["metrics"].contains("deflated_sharpe"));
  EXPECT_TRUE(sj["spec"].is_object());
  EXPECT_EQ(run(fmt::format("strategies show 999999 --db {}", db)).code, 2);
}

TEST(DiscoverCli, BudgetAndInterruptStopCleanly) {
  const std::string db = temp_path("budget.db");
  const auto t0 = std::chrono::steady_clock::now();
  const Output o = run(
      fmt::format("discover --data {} --count infinite --budget 3s --wave-size 16 --db {} --json", kEth, db));
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_EQ(o.code, 0) << o.out;
  const json j = json::parse(o.out);
  EXPECT_EQ(j["status"], "stopped");
  EXPECT_EQ(j["stop_reason"], "budget");
  EXPECT_GT(j["candidates_evaluated"].get<int>(), 0);
  // Generous for a loaded machine: the bound only has to tell a stopped run from an endless one.
  EXPECT_LT(seconds, 120.0);

  // SIGINT: the current wave finishes, the session is marked, the exit code is 0.
  const std::string db2 = temp_path("sigint.db");
  const pid_t pid =
      spawn(fmt::format("discover --data {} --count infinite --wave-size 16 --db {}", kEth, db2));
  ASSERT_GT(pid, 0);
  // Interrupt once a wave is stored: the handler is in place, and the run is in its endless loop.
  int status = 0;
  if (wait_for_progress(db2, pid, 16, &status) < 0) {
    if (status == -1) FAIL() << "no verdict stored within " << kPatience.count() << " s";
    FAIL() << "the endless run ended (status " << status << ") before it was interrupted";
  }
  ASSERT_EQ(::kill(pid, SIGINT), 0);
  ASSERT_TRUE(wait_for_exit(pid, &status)) << "still running " << kPatience.count() << " s after SIGINT";
  ASSERT_TRUE(WIFEXITED(status)) << "status " << status;
  EXPECT_EQ(WEXITSTATUS(status), 0);
  const SessionRecord s = latest(db2);
  EXPECT_EQ(s.status, SessionStatus::kStopped);
  EXPECT_EQ(s.stop_reason, "interrupted");
  EXPECT_EQ(s.evaluated, s.planned);  // the wave in flight was finished
}

TEST(DiscoverCli, BadInputsAreRefusedWithExitCodeTwo) {
  const std::string db = temp_path("bad.db");
  EXPECT_EQ(run(fmt::format("discover --data /nonexistent.csv --count 5 --db {}", db)).code, 2);
  EXPECT_EQ(run(fmt::format("discover --data {} --types astrology --count 5 --db {}", kGoog, db)).code, 2);
  EXPECT_EQ(run(fmt::format("discover --data {} --types arbitrage --count 5 --db {}", kGoog, db)).code, 2);
  EXPECT_EQ(run(fmt::format("discover --data {} --count abc --db {}", kGoog, db)).code, 2);
  EXPECT_EQ(run(fmt::format("discover --data {} --budget 5parsecs --db {}", kGoog, db)).code, 2);
  EXPECT_EQ(run(fmt::format("discover --resume --db {}", temp_path("empty.db"))).code, 2);
  EXPECT_EQ(run(fmt::format("strategies list --db {}", temp_path("missing.db"))).code, 2);
}

}  // namespace
}  // namespace tradeloop::discover
