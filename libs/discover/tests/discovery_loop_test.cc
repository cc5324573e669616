#include "tradeloop/discover/discovery_loop.h"

#include <atomic>
#include <cmath>
#include <filesystem>
#include <mutex>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace tradeloop::discover {
namespace {

std::string temp_db(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / "tl_discover_tests";
  std::filesystem::create_directories(dir);
  const auto path = dir / (name + "-" + std::to_string(::getpid()) + ".db");
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
  return path.string();
}

std::uint64_t mix(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

// A test generator over integers: a candidate is a number; new waves mutate the fittest so far.
// Deterministic in (seed, wave, history) as the contract requires.
class NumberGenerator final : public CandidateGenerator {
 public:
  Result<std::vector<Candidate>> plan_wave(const PlanContext& ctx) override {
    std::vector<Candidate> out;
    std::uint64_t state = mix(ctx.seed * 1000003 + static_cast<std::uint64_t>(ctx.wave));
    const CandidateRow* best = nullptr;
    for (const auto& row : ctx.history) {
      if (row.evaluated && std::isfinite(row.fitness) && (best == nullptr || row.fitness > best->fitness))
        best = &row;
    }
    for (int attempt = 0; out.size() < ctx.count && attempt < 10000; ++attempt) {
      state = mix(state);
      std::uint64_t value = state % 100000;
      if (best != nullptr && state % 2 == 0) value = (std::stoull(best->candidate.spec) + state % 7) % 100000;
      Candidate c;
      c.spec = std::to_string(value);
      c.hash = fmt::format("{:016x}", mix(value));
      if (!ctx.seen->insert(c.hash).second) continue;
      c.index = ctx.first_index + static_cast<std::int64_t>(out.size());
      c.wave = ctx.wave;
      c.target = value % 3 == 0 ? "B" : "A";
      c.type = "momentum";
      c.name = "n" + c.spec;
      out.push_back(std::move(c));
    }
    return out;
  }
};

// Metrics are a pure function of the candidate's number, like a backtest of a spec.
class NumberEvaluator final : public Evaluator {
 public:
  Evaluation evaluate(const Candidate& c) const override {
    calls.fetch_add(1);
    {
      std::lock_guard<std::mutex> lock(mutex);
      ++per_hash[c.hash];
    }
    if (stop_after > 0 && calls.load() >= stop_after && interrupts != nullptr) interrupts->store(2);
    const std::uint64_t v = std::stoull(c.spec);
    Evaluation e;
    if (v % 17 == 0) {
      e.error = "compile error";
      return e;
    }
    e.ok = true;
    const double u = static_cast<double>(mix(v) % 10000) / 10000.0;
    e.metrics = {{"num_trades", 20 + static_cast<double>(v % 50)},
                 {"sharpe_ratio", 4 * u - 1},
                 {"max_drawdown_pct", -5 - 10 * (1 - u)},
                 {"win_rate_pct", 45 + 25 * u},
                 {"period_sharpe", (4 * u - 1) / 16},
                 {"bars", 2000},
                 {"returns_skew", 0},
                 {"returns_kurtosis", 3},
                 {"oos_sharpe_ratio", 3 * u - 0.5},
                 {"oos_degradation", 0.2}};
    // Returns: a few families, so that some candidates duplicate accepted ones.
    const std::uint64_t family = v % 5;
    for (int i = 0; i < 200; ++i) {
      e.returns.push_back(std::sin(static_cast<double>(i * (family + 1))) * 0.01 +
                          static_cast<double>(v % 3) * 1e-5 * i);
    }
    return e;
  }
  FrequencyClass frequency(std::string_view target) const override {
    return target == "A" ? FrequencyClass::kIntraday : FrequencyClass::kDaily;
  }
  mutable std::atomic<int> calls{0};
  mutable std::mutex mutex;
  mutable std::map<std::string, int> per_hash;
  int stop_after = 0;
  std::atomic<int>* interrupts = nullptr;
};

struct Outcome {
  std::vector<std::string> rows;  // index, hash, verdict, reasons, metrics
  SessionRecord session;
};

Outcome read_outcome(DiscoveryStore& store, std::int64_t session_id) {
  Outcome o;
  auto rows = store.session_candidates(session_id);
  EXPECT_TRUE(rows.ok());
  for (const auto& r : *rows) {
    std::string metrics;
    for (const auto& [k, v] : r.metrics) metrics += fmt::format("{}={};", k, v);
    std::string reasons;
    for (const auto& s : r.reasons) reasons += s + "|";
    o.rows.push_back(fmt::format("{} {} {} {} {} {} {}", r.candidate.index, r.candidate.wave,
                                 r.candidate.hash, verdict_name(r.verdict), reasons, metrics, r.fitness));
  }
  o.session = *store.load_session(session_id);
  return o;
}

Outcome run_fresh(const std::string& name, std::int64_t count, std::size_t wave, int jobs,
                  std::uint64_t seed) {
  auto store = DiscoveryStore::open(temp_db(name));
  EXPECT_TRUE(store.ok());
  NumberGenerator generator;
  NumberEvaluator evaluator;
  auto cluster = make_local_cluster();
  LoopOptions options;
  options.count = count;
  options.wave_size = wave;
  options.jobs = jobs;
  options.seed = seed;
  auto id = (*store)->create_session("{}", 0);
  DiscoveryLoop loop(store->get(), &generator, &evaluator, cluster.get(), options);
  auto summary = loop.run(*(*store)->load_session(*id));
  EXPECT_TRUE(summary.ok()) << summary.error().message();
  EXPECT_EQ(evaluator.calls.load(), count);
  return read_outcome(**store, *id);
}

TEST(DiscoveryLoop, EvaluatesCountCandidatesAndStoresEveryVerdict) {
  const Outcome o = run_fresh("count", 100, 16, 2, 7);
  EXPECT_EQ(o.rows.size(), 100u);
  EXPECT_EQ(o.session.status, SessionStatus::kCompleted);
  EXPECT_EQ(o.session.stop_reason, "count");
  EXPECT_EQ(o.session.evaluated, 100);
  EXPECT_EQ(o.session.wave, 7);  // 6 waves of 16 and one of 4
  EXPECT_EQ(o.session.accepted + o.session.rejected, 100);
  EXPECT_GT(o.session.accepted, 0);
  EXPECT_GT(o.session.rejected, 0);
  EXPECT_DOUBLE_EQ(o.session.progress, 1.0);
}

TEST(DiscoveryLoop, SameSeedGivesTheSameCandidatesAndVerdictsWhateverTheThreads) {
  const Outcome a = run_fresh("seed-a", 120, 20, 1, 42);
  const Outcome b = run_fresh("seed-b", 120, 20, 4, 42);
  EXPECT_EQ(a.rows, b.rows);
  const Outcome c = run_fresh("seed-c", 120, 20, 2, 43);
  EXPECT_NE(a.rows, c.rows);
}

TEST(DiscoveryLoop, ResumeAfterAnAbruptStopNeitherLosesNorRetestsACandidate) {
  const Outcome reference = run_fresh("resume-ref", 90, 16, 2, 5);

  const std::string path = temp_db("resume");
  std::int64_t session_id = 0;
  int total_calls = 0;
  std::map<std::string, int> per_hash;
  {
    // First run: a "kill" (second interrupt) in the middle of wave 3 leaves planned candidates
    // without verdicts.
    auto store = DiscoveryStore::open(path);
    NumberGenerator generator;
    NumberEvaluator evaluator;
    std::atomic<int> interrupts{0};
    evaluator.stop_after = 40;
    evaluator.interrupts = &interrupts;
    auto cluster = make_local_cluster();
    LoopOptions options;
    options.count = 90;
    options.wave_size = 16;
    options.jobs = 2;
    options.seed = 5;
    options.interrupts = &interrupts;
    session_id = *(*store)->create_session("{}", 0);
    DiscoveryLoop loop(store->get(), &generator, &evaluator, cluster.get(), options);
    auto summary = loop.run(*(*store)->load_session(session_id));
    ASSERT_TRUE(summary.ok());
    EXPECT_EQ(summary->session.status, SessionStatus::kStopped);
    EXPECT_EQ(summary->session.stop_reason, "interrupted");
    EXPECT_LT(summary->session.evaluated, 48);
    EXPECT_GT(summary->session.planned, summary->session.evaluated);
    total_calls += evaluator.calls.load();
    for (const auto& [h, n] : evaluator.per_hash) per_hash[h] += n;
  }
  {
    auto store = DiscoveryStore::open(path);
    NumberGenerator generator;
    NumberEvaluator evaluator;
    auto cluster = make_local_cluster();
    LoopOptions options;
    options.count = 90;
    options.wave_size = 16;
    options.jobs = 2;
    options.seed = 5;
    DiscoveryLoop loop(store->get(), &generator, &evaluator, cluster.get(), options);
    auto summary = loop.run(*(*store)->load_session(session_id));
    ASSERT_TRUE(summary.ok());
    EXPECT_EQ(summary->session.status, SessionStatus::kCompleted);
    total_calls += evaluator.calls.load();
    for (const auto& [h, n] : evaluator.per_hash) per_hash[h] += n;
    const Outcome resumed = read_outcome(**store, session_id);
    EXPECT_EQ(resumed.rows, reference.rows);
  }
  // Evaluations whose results were stored are never repeated; only those in flight at the
  // interruption (dropped unrecorded) may run again.
  int repeated = 0;
  for (const auto& [h, n] : per_hash) repeated += n - 1;
  EXPECT_LE(repeated, 2);
  EXPECT_LE(total_calls, 92);
}

TEST(DiscoveryLoop, StopsAtTheBudgetAndResumesLater) {
  const std::string path = temp_db("budget");
  auto store = DiscoveryStore::open(path);
  NumberGenerator generator;
  NumberEvaluator evaluator;
  auto cluster = make_local_cluster();
  LoopOptions options;
  options.count = -1;
  options.budget_seconds = 0.05;
  options.wave_size = 8;
  options.jobs = 2;
  const auto id = *(*store)->create_session("{}", 0);
  DiscoveryLoop loop(store->get(), &generator, &evaluator, cluster.get(), options);
  auto summary = loop.run(*(*store)->load_session(id));
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(summary->session.status, SessionStatus::kStopped);
  EXPECT_EQ(summary->session.stop_reason, "budget");
  EXPECT_GT(summary->session.evaluated, 0);
  EXPECT_LT(summary->seconds, 5.0);
}

TEST(DiscoveryLoop, FirstInterruptFinishesTheCurrentWave) {
  auto store = DiscoveryStore::open(temp_db("sigint"));
  NumberGenerator generator;
  NumberEvaluator evaluator;
  auto cluster = make_local_cluster();
  std::atomic<int> interrupts{0};
  LoopOptions options;
  options.count = -1;
  options.wave_size = 10;
  options.jobs = 2;
  options.interrupts = &interrupts;
  int waves = 0;
  options.on_progress = [&](const Progress&) {
    if (++waves == 3) interrupts.store(1);
  };
  const auto id = *(*store)->create_session("{}", 0);
  DiscoveryLoop loop(store->get(), &generator, &evaluator, cluster.get(), options);
  auto summary = loop.run(*(*store)->load_session(id));
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(summary->session.stop_reason, "interrupted");
  EXPECT_EQ(summary->session.evaluated, 30);
  EXPECT_EQ(summary->session.planned, 30);
}

TEST(GateKeeper, RejectsADuplicateOfAnAcceptedStrategyByReturnsCorrelation) {
  GateKeeper keeper(GateOverrides{}, [](std::string_view) { return FrequencyClass::kIntraday; });
  auto good = [](double scale) {
    Evaluation e;
    e.ok = true;
    e.metrics = {{"num_trades", 50},      {"sharpe_ratio", 3},     {"max_drawdown_pct", -4},
                 {"win_rate_pct", 70},    {"period_sharpe", 0.3},  {"bars", 3000},
                 {"returns_skew", 0},     {"returns_kurtosis", 3}, {"oos_sharpe_ratio", 2.5},
                 {"oos_degradation", 0.1}};
    for (int i = 0; i < 300; ++i) e.returns.push_back(scale * std::sin(i * 0.7) + 0.001);
    return e;
  };
  Candidate a;
  a.id = 11;
  a.target = "X";
  Candidate b = a;
  b.id = 12;
  Candidate c = a;
  c.id = 13;
  c.target = "Y";  // another target: no correlation check against X
  const auto ra = keeper.decide(a, good(1.0));
  EXPECT_EQ(ra.verdict, Verdict::kAccepted) << (ra.reasons.empty() ? "" : ra.reasons[0]);
  const auto rb = keeper.decide(b, good(2.0));  // same shape, twice the size: correlation 1
  ASSERT_EQ(rb.verdict, Verdict::kRejected);
  ASSERT_EQ(rb.reasons.size(), 1u);
  EXPECT_EQ(rb.reasons[0], "duplicate: returns correlation 1 with strategy 11 > max 0.9");
  EXPECT_TRUE(rb.evaluation.returns.empty());
  const auto rc = keeper.decide(c, good(2.0));
  EXPECT_EQ(rc.verdict, Verdict::kAccepted);
  EXPECT_DOUBLE_EQ(rc.evaluation.metrics.at("trials"), 1);
  EXPECT_DOUBLE_EQ(rb.evaluation.metrics.at("trials"), 2);
}

TEST(GateKeeper, AnUntestableCandidateIsRejectedWithItsError) {
  GateKeeper keeper(GateOverrides{}, nullptr);
  Candidate a;
  a.target = "X";
  Evaluation e;
  e.error = "rules.long_entry: col 3: unknown indicator 'smaa'";
  const auto r = keeper.decide(a, e);
  EXPECT_EQ(r.verdict, Verdict::kRejected);
  ASSERT_EQ(r.reasons.size(), 1u);
  EXPECT_EQ(r.reasons[0], "untestable: rules.long_entry: col 3: unknown indicator 'smaa'");
}

TEST(ReturnsCorrelation, MatchesPearsonAndIsUndefinedWithoutVariance) {
  const std::vector<double> a = {1, 2, 3, 4, 5};
  const std::vector<double> b = {2, 4, 6, 8, 10};
  const std::vector<double> c = {5, 4, 3, 2, 1};
  const std::vector<double> flat = {1, 1, 1, 1, 1};
  EXPECT_NEAR(returns_correlation(a, b), 1.0, 1e-15);
  EXPECT_NEAR(returns_correlation(a, c), -1.0, 1e-15);
  EXPECT_TRUE(std::isnan(returns_correlation(a, flat)));
  const std::vector<double> d = {1, 3, 2, 5, 4};
  // Hand-computed: cov = 2.0, var_a = 2.0, var_d = 2.0 (population) -> 0.8.
  EXPECT_NEAR(returns_correlation(a, d), 0.8, 1e-15);
}

}  // namespace
}  // namespace tradeloop::discover
