#include "tradeloop/optimize/trial_store.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "test_evaluators.h"
#include "tradeloop/optimize/optimizer.h"

extern char** environ;

namespace tradeloop::optimize {
namespace {

using testing::FunctionEvaluator;

constexpr const char* kChildEnv = "TL_TRIAL_STORE_CHILD_DB";

ParamSpace kill_space() {
  ParamSpace space;
  EXPECT_TRUE(space.add(*parse_param("a=1:20")).ok());
  EXPECT_TRUE(space.add(*parse_param("b=1:20")).ok());
  return space;
}

std::map<std::string, double> surface(const ParamPoint& p) {
  const double v = std::sin(p[0]) + std::cos(p[1] / 3);
  return {{"sharpe_ratio", v}, {"score", v}};
}

OptimizeOptions kill_options() {
  OptimizeOptions o;
  o.search.method = Method::kGrid;
  o.jobs = 2;
  o.stability = false;
  return o;
}

std::string temp_db(const char* name) {
  const auto path =
      std::filesystem::temp_directory_path() / fmt::format("tl_store_{}_{}.db", name, ::getpid());
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
  return path.string();
}

TEST(TrialStore, RoundTripsTrialsAndShowsThemAsRows) {
  const std::string db = temp_db("roundtrip");
  auto store = TrialStore::open(db);
  ASSERT_TRUE(store.ok()) << store.error().message();
  ParamSpace space;
  ASSERT_TRUE(space.add(*parse_param("fast=5:25:5")).ok());
  ASSERT_TRUE(space.add(*parse_param("ma=sma,ema")).ok());
  auto done = (*store)->begin_run("run1", "optimize", "{}", true);
  ASSERT_TRUE(done.ok());
  EXPECT_TRUE(done->empty());
  Objective objective;
  for (std::uint64_t i = 0; i < 3; ++i) {
    Evaluation e;
    e.metrics = {{"sharpe_ratio", 0.1 * static_cast<double>(i) + 1.0 / 3}, {"bad", NAN}};
    e.stats = summarize_returns(std::vector<double>{0.01, -0.02, 0.03, 0.001}, 2);
    ASSERT_TRUE((*store)
                    ->add("run1", make_trial(i, {5.0 * static_cast<double>(i + 1), 1}, e, objective), space)
                    .ok());
  }
  ASSERT_TRUE((*store)->flush().ok());
  auto again = (*store)->begin_run("run1", "optimize", "{}", true);
  ASSERT_TRUE(again.ok());
  ASSERT_EQ(again->size(), 3u);
  EXPECT_EQ((*again)[2].params, (ParamPoint{15, 1}));
  EXPECT_EQ((*again)[2].value(), 0.2 + 1.0 / 3);
  EXPECT_EQ((*again)[1].eval.stats.blocks[1].sum,
            summarize_returns(std::vector<double>{0.01, -0.02, 0.03, 0.001}, 2).blocks[1].sum);

  // Human-readable columns.
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &raw), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(raw, "SELECT params, status, metrics FROM optimize_trials WHERE trial = 2", -1,
                               &st, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)), R"({"fast":15,"ma":"ema"})");
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(st, 1)), "ok");
  EXPECT_NE(std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, 2))).find(R"("bad":null)"),
            std::string::npos);
  sqlite3_finalize(st);
  ASSERT_EQ(sqlite3_prepare_v2(raw, "PRAGMA journal_mode", -1, &st, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)), "wal");
  sqlite3_finalize(st);
  sqlite3_close(raw);

  // Not resuming forgets the run's trials.
  auto fresh = (*store)->begin_run("run1", "optimize", "{}", false);
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(*(*store)->count_trials("run1"), 0u);
}

TEST(TrialStore, ReportsAnUnwritablePath) {
  auto store = TrialStore::open("/nonexistent-dir/x/trials.db");
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.error().message().find("/nonexistent-dir/x/trials.db"), std::string::npos);
}

// Runs in a child process started by SurvivesAKillMidRun (skipped otherwise): a slow grid search
// streaming into the database named by the environment, until the parent kills it.
TEST(TrialStoreChild, RunsUntilKilled) {
  const char* db = std::getenv(kChildEnv);
  if (db == nullptr) GTEST_SKIP() << "only runs as the child of TrialStore.SurvivesAKillMidRun";
  auto store = TrialStore::open(db);
  ASSERT_TRUE(store.ok()) << store.error().message();
  FunctionEvaluator ev(surface);
  ev.set_delay_us(20000);
  OptimizeOptions o = kill_options();
  o.store = store->get();
  (void)optimize(ev, kill_space(), o);
}

TEST(TrialStore, SurvivesAKillMidRun) {
  const std::string db = temp_db("kill");
  const std::string env_entry = std::string(kChildEnv) + "=" + db;
  std::vector<char*> env;
  for (char** e = environ; *e != nullptr; ++e) env.push_back(*e);
  env.push_back(const_cast<char*>(env_entry.c_str()));
  env.push_back(nullptr);
  std::string exe = std::filesystem::read_symlink("/proc/self/exe").string();
  std::string filter = "--gtest_filter=TrialStoreChild.RunsUntilKilled";
  char* argv[] = {exe.data(), filter.data(), nullptr};
  pid_t pid = 0;
  ASSERT_EQ(posix_spawn(&pid, exe.c_str(), nullptr, nullptr, argv, env.data()), 0);

  // Wait until some trials are committed, then kill -9.
  std::size_t seen = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (!std::filesystem::exists(db)) continue;
    auto probe = TrialStore::open(db);
    if (!probe.ok()) continue;
    FunctionEvaluator ev(surface);
    auto n = (*probe)->count_trials(run_identity(ev, kill_space(), kill_options()));
    if (n.ok() && *n >= 40) {
      seen = *n;
      break;
    }
  }
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_GE(seen, 40u) << "the child never committed trials";
  ASSERT_TRUE(WIFSIGNALED(status));

  {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(db.c_str(), &raw), SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(raw, "PRAGMA integrity_check", -1, &st, nullptr), SQLITE_OK);
    ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
    EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)), "ok");
    sqlite3_finalize(st);
    sqlite3_close(raw);
  }

  auto store = TrialStore::open(db);
  ASSERT_TRUE(store.ok());
  FunctionEvaluator counting(surface);
  OptimizeOptions o = kill_options();
  o.store = store->get();
  o.resume = true;
  auto resumed = optimize(counting, kill_space(), o);
  ASSERT_TRUE(resumed.ok()) << resumed.error().message();
  EXPECT_GE(resumed->resumed_trials, seen);
  EXPECT_LT(resumed->resumed_trials, 400u);
  EXPECT_EQ(static_cast<std::size_t>(counting.calls()), 400 - resumed->resumed_trials);

  FunctionEvaluator plain(surface);
  auto reference = optimize(plain, kill_space(), kill_options());
  ASSERT_TRUE(reference.ok());
  ASSERT_EQ(reference->trials.size(), resumed->trials.size());
  for (std::size_t i = 0; i < reference->trials.size(); ++i) {
    EXPECT_EQ(reference->trials[i].params, resumed->trials[i].params);
    EXPECT_EQ(reference->trials[i].value(), resumed->trials[i].value());
  }
  EXPECT_EQ(reference->best, resumed->best);
}

}  // namespace
}  // namespace tradeloop::optimize
