#include "tradeloop/discover/store.h"

#include <sqlite3.h>

#include <cmath>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

namespace tradeloop::discover {
namespace {

std::string temp_db(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / "tl_discover_tests";
  std::filesystem::create_directories(dir);
  const auto path = dir / (name + "-" + std::to_string(::getpid()) + ".db");
  std::filesystem::remove(path);
  std::filesystem::remove(path.string() + "-wal");
  std::filesystem::remove(path.string() + "-shm");
  return path.string();
}

Candidate make_candidate(std::int64_t index, std::string hash) {
  Candidate c;
  c.index = index;
  c.wave = index / 2;
  c.target = "GOOG-1d";
  c.type = "momentum";
  c.name = "momentum_" + hash;
  c.spec = R"({"name":"x"})";
  c.hash = std::move(hash);
  c.origin = R"({"op":"template"})";
  return c;
}

CandidateResult make_result(const Candidate& c, Verdict v, double sharpe) {
  CandidateResult r;
  r.candidate = c;
  r.verdict = v;
  r.evaluation.ok = true;
  r.evaluation.metrics = {{"sharpe_ratio", sharpe}, {"num_trades", 12}, {"win_rate_pct", std::nan("")}};
  r.evaluation.returns = {0.01, -0.02, 0.005};
  r.evaluation.seconds = 0.25;
  if (v == Verdict::kRejected) r.reasons = {"trades 12 < min 30", "sharpe_ratio 0.1 < min 1.5"};
  r.fitness = sharpe;
  return r;
}

TEST(DiscoveryStore, StoresSessionsCandidatesAndVerdictsAcrossReopen) {
  const std::string path = temp_db("roundtrip");
  std::int64_t session_id = 0;
  {
    auto store = DiscoveryStore::open(path);
    ASSERT_TRUE(store.ok()) << store.error().message();
    auto id = (*store)->create_session(R"({"seed":1})", 1000);
    ASSERT_TRUE(id.ok());
    session_id = *id;
    auto session = (*store)->load_session(session_id);
    ASSERT_TRUE(session.ok());
    EXPECT_EQ(session->status, SessionStatus::kRunning);
    EXPECT_EQ(session->config, R"({"seed":1})");

    std::vector<Candidate> planned = {make_candidate(0, "aa"), make_candidate(1, "bb"),
                                      make_candidate(2, "cc")};
    session->wave = 1;
    session->planned = 3;
    ASSERT_TRUE((*store)->insert_planned(*session, planned).ok());
    EXPECT_GT(planned[0].id, 0);
    EXPECT_NE(planned[0].id, planned[1].id);

    std::vector<CandidateResult> results = {make_result(planned[0], Verdict::kAccepted, 2.0),
                                            make_result(planned[1], Verdict::kRejected, 0.1)};
    session->evaluated = 2;
    session->accepted = 1;
    session->rejected = 1;
    session->errors = {"ADA.csv: 40 missing bars"};
    session->updated_at = 2000;
    ASSERT_TRUE((*store)->record_results(*session, results).ok());
  }
  auto store = DiscoveryStore::open(path);
  ASSERT_TRUE(store.ok());
  auto session = (*store)->load_session(session_id);
  ASSERT_TRUE(session.ok());
  EXPECT_EQ(session->wave, 1);
  EXPECT_EQ(session->planned, 3);
  EXPECT_EQ(session->evaluated, 2);
  EXPECT_EQ(session->accepted, 1);
  EXPECT_EQ(session->errors, std::vector<std::string>{"ADA.csv: 40 missing bars"});

  auto rows = (*store)->session_candidates(session_id);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_TRUE((*rows)[0].evaluated);
  EXPECT_EQ((*rows)[0].verdict, Verdict::kAccepted);
  EXPECT_DOUBLE_EQ((*rows)[0].metrics.at("sharpe_ratio"), 2.0);
  EXPECT_TRUE(std::isnan((*rows)[0].metrics.at("win_rate_pct")));  // NaN survives as null
  EXPECT_EQ((*rows)[1].reasons.size(), 2u);
  EXPECT_FALSE((*rows)[2].evaluated);
  EXPECT_EQ((*rows)[2].verdict, Verdict::kPending);

  auto accepted = (*store)->accepted_returns(session_id);
  ASSERT_TRUE(accepted.ok());
  ASSERT_EQ(accepted->size(), 1u);
  EXPECT_EQ((*accepted)[0].id, (*rows)[0].candidate.id);
  EXPECT_EQ((*accepted)[0].returns, (std::vector<double>{0.01, -0.02, 0.005}));

  auto strategy = (*store)->find_strategy((*rows)[0].candidate.id);
  ASSERT_TRUE(strategy.ok());
  ASSERT_TRUE(strategy->has_value());
  EXPECT_EQ((*strategy)->hash, "aa");
  auto not_accepted = (*store)->find_strategy((*rows)[1].candidate.id);
  ASSERT_TRUE(not_accepted.ok());
  EXPECT_FALSE(not_accepted->has_value());
  EXPECT_FALSE((*store)->find_candidate(999999).ok());
}

TEST(DiscoveryStore, RefusesTheSameHashTwiceInASession) {
  auto store = DiscoveryStore::open(temp_db("dupe"));
  ASSERT_TRUE(store.ok());
  auto id = (*store)->create_session("{}", 1);
  ASSERT_TRUE(id.ok());
  auto session = (*store)->load_session(*id);
  ASSERT_TRUE(session.ok());
  std::vector<Candidate> first = {make_candidate(0, "same")};
  ASSERT_TRUE((*store)->insert_planned(*session, first).ok());
  std::vector<Candidate> second = {make_candidate(1, "other"), make_candidate(2, "same")};
  auto st = (*store)->insert_planned(*session, second);
  EXPECT_FALSE(st.ok());
  // The whole batch was rolled back: "other" is not stored either.
  auto rows = (*store)->session_candidates(*id);
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->size(), 1u);
  // Another session may hold the same hash.
  auto id2 = (*store)->create_session("{}", 1);
  ASSERT_TRUE(id2.ok());
  auto session2 = (*store)->load_session(*id2);
  std::vector<Candidate> third = {make_candidate(0, "same")};
  EXPECT_TRUE((*store)->insert_planned(*session2, third).ok());
}

TEST(DiscoveryStore, NeverRecordsTwoVerdictsForOneCandidate) {
  auto store = DiscoveryStore::open(temp_db("twice"));
  ASSERT_TRUE(store.ok());
  auto id = (*store)->create_session("{}", 1);
  auto session = (*store)->load_session(*id);
  std::vector<Candidate> planned = {make_candidate(0, "a"), make_candidate(1, "b")};
  ASSERT_TRUE((*store)->insert_planned(*session, planned).ok());
  std::vector<CandidateResult> once = {make_result(planned[0], Verdict::kAccepted, 2)};
  ASSERT_TRUE((*store)->record_results(*session, once).ok());
  std::vector<CandidateResult> again = {make_result(planned[1], Verdict::kAccepted, 2),
                                        make_result(planned[0], Verdict::kRejected, 1)};
  EXPECT_FALSE((*store)->record_results(*session, again).ok());
  auto rows = (*store)->session_candidates(*id);
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ((*rows)[0].verdict, Verdict::kAccepted);
  EXPECT_FALSE((*rows)[1].evaluated);  // rolled back with the failing batch
  auto accepted = (*store)->accepted_returns(*id);
  EXPECT_EQ(accepted->size(), 1u);
}

TEST(DiscoveryStore, QuerySortsByAnyMetricWithMissingValuesLast) {
  auto store = DiscoveryStore::open(temp_db("query"));
  ASSERT_TRUE(store.ok());
  auto id = (*store)->create_session("{}", 1);
  auto session = (*store)->load_session(*id);
  std::vector<Candidate> planned;
  for (int i = 0; i < 5; ++i) planned.push_back(make_candidate(i, "h" + std::to_string(i)));
  ASSERT_TRUE((*store)->insert_planned(*session, planned).ok());
  std::vector<CandidateResult> results;
  const double sharpe[] = {0.5, 2.5, std::nan(""), 1.5, 3.0};
  for (int i = 0; i < 5; ++i)
    results.push_back(
        make_result(planned[i], i % 2 == 0 ? Verdict::kAccepted : Verdict::kRejected, sharpe[i]));
  ASSERT_TRUE((*store)->record_results(*session, results).ok());

  CandidateQuery q;
  q.accepted_only = false;
  q.sort_metric = "sharpe_ratio";
  auto all = (*store)->query(q);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 5u);
  EXPECT_EQ((*all)[0].candidate.hash, "h4");
  EXPECT_EQ((*all)[1].candidate.hash, "h1");
  EXPECT_EQ((*all)[4].candidate.hash, "h2");  // NaN sharpe last
  q.ascending = true;
  q.limit = 2;
  auto low = (*store)->query(q);
  ASSERT_EQ(low->size(), 2u);
  EXPECT_EQ((*low)[0].candidate.hash, "h0");
  q = CandidateQuery{};
  auto accepted = (*store)->query(q);
  ASSERT_EQ(accepted->size(), 3u);
  q.sort_metric = "sharpe; DROP TABLE candidates";
  EXPECT_FALSE((*store)->query(q).ok());
}

TEST(DiscoveryStore, RefusesADatabaseFromANewerSchema) {
  const std::string path = temp_db("schema");
  { ASSERT_TRUE(DiscoveryStore::open(path).ok()); }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(
      sqlite3_exec(db, "UPDATE meta SET value='99' WHERE key='schema_version'", nullptr, nullptr, nullptr),
      SQLITE_OK);
  sqlite3_close(db);
  auto store = DiscoveryStore::open(path);
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.error().message().find("schema version 99"), std::string::npos);
}

TEST(DiscoveryStore, ReportsAnUnwritablePath) {
  auto store = DiscoveryStore::open("/nonexistent-dir/x/discover.db");
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.error().message().find("/nonexistent-dir/x/discover.db"), std::string::npos);
}

}  // namespace
}  // namespace tradeloop::discover
