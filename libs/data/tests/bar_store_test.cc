#include "tradeloop/data/bar_store.h"

#include <sqlite3.h>

#include <cmath>
#include <limits>

#include <gtest/gtest.h>

#include "test_util.h"

namespace tradeloop::data {
namespace {

using testing::TempDir;

BarSeries sample(const char* name) {
  auto r = load_bars(testing::samples_dir() + "/" + name);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message());
  return r.ok() ? std::move(r).value() : BarSeries{};
}

// Runs one SQL statement on the file directly (to inspect or tamper with it, as another program would).
std::string sql(const std::string& path, const std::string& statement) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  std::string out;
  auto collect = [](void* acc, int n, char** values, char**) {
    auto* s = static_cast<std::string*>(acc);
    for (int i = 0; i < n; ++i) {
      if (i > 0) s->push_back('|');
      s->append(values[i] != nullptr ? values[i] : "NULL");
    }
    *s += "\n";
    return 0;
  };
  char* error = nullptr;
  EXPECT_EQ(sqlite3_exec(db, statement.c_str(), collect, &out, &error), SQLITE_OK) << (error ? error : "");
  sqlite3_free(error);
  sqlite3_close(db);
  return out;
}

void expect_equal(const BarSeries& a, const BarSeries& b) {
  EXPECT_EQ(a.symbol, b.symbol);
  EXPECT_EQ(a.timeframe, b.timeframe);
  EXPECT_EQ(a.ts, b.ts);
  EXPECT_EQ(a.open, b.open);
  EXPECT_EQ(a.high, b.high);
  EXPECT_EQ(a.low, b.low);
  EXPECT_EQ(a.close, b.close);
  EXPECT_EQ(a.volume, b.volume);
}

TEST(BarStore, WritesAndReadsBackExactly) {
  TempDir dir;
  const BarSeries goog = sample("GOOG-1d.csv");
  const BarSeries eth = sample("ETH_BTC-5m.csv");
  {
    auto store = BarStore::open(dir.file("bars.db"));
    ASSERT_TRUE(store.ok()) << store.error().message();
    auto w = store->write(goog, "GOOG-1d.csv");
    ASSERT_TRUE(w.ok()) << w.error().message();
    EXPECT_EQ(w->bars, 2148u);
    EXPECT_EQ(w->inserted, 2148u);
    auto w2 = store->write(eth);
    ASSERT_TRUE(w2.ok()) << w2.error().message();
  }
  // Reopened: the data persisted.
  auto store = BarStore::open(dir.file("bars.db"), BarStore::Mode::kReadOnly);
  ASSERT_TRUE(store.ok()) << store.error().message();
  expect_equal(*store->read({"GOOG", goog.timeframe, {}, {}}), goog);
  expect_equal(*store->read({"ETH_BTC", eth.timeframe, {}, {}}), eth);
  auto list = store->list();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].symbol, "ETH_BTC");
  EXPECT_EQ((*list)[0].bars, 5760u);
  EXPECT_EQ((*list)[1].symbol, "GOOG");
  EXPECT_EQ((*list)[1].first, goog.ts.front());
  EXPECT_EQ((*list)[1].last, goog.ts.back());
}

TEST(BarStore, UsesWalAndRecordsItsSchemaVersion) {
  TempDir dir;
  ASSERT_TRUE(BarStore::open(dir.file("bars.db")).ok());
  EXPECT_EQ(sql(dir.file("bars.db"), "PRAGMA journal_mode"), "wal\n");
  EXPECT_EQ(sql(dir.file("bars.db"), "SELECT component, version FROM schema_versions"), "bar_store|1\n");
}

TEST(BarStore, QueriesByTimeRangeInclusive) {
  TempDir dir;
  auto store = BarStore::open(dir.file("bars.db"));
  ASSERT_TRUE(store.ok());
  const BarSeries eth = sample("ETH_BTC-5m.csv");
  ASSERT_TRUE(store->write(eth).ok());
  const Timestamp from = *parse_time("2018-01-15T10:00:00Z");
  const Timestamp to = *parse_time("2018-01-15T11:00:00Z");
  auto r = store->read({"ETH_BTC", eth.timeframe, from, to});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 13u);  // 10:00 .. 11:00 inclusive
  EXPECT_EQ(r->ts.front(), from);
  EXPECT_EQ(r->ts.back(), to);
  EXPECT_EQ(store->read({"ETH_BTC", eth.timeframe, to, {}})->ts.front(), to);
  EXPECT_TRUE(store->read({"ETH_BTC", Timeframe(TimeUnit::kHour, 1), {}, {}})->empty());
  EXPECT_TRUE(store->read({"NOPE", eth.timeframe, {}, {}})->empty());
  EXPECT_FALSE(store->read({"ETH_BTC", Timeframe(), {}, {}}).ok());
}

TEST(BarStore, ReimportingTheSameFileNeverDuplicates) {
  TempDir dir;
  auto store = BarStore::open(dir.file("bars.db"));
  ASSERT_TRUE(store.ok());
  CsvOptions options;
  options.symbol = "ADA";
  const std::string path = testing::samples_dir() + "/ADA_BTC-5m.csv";
  auto first = import_csv(*store, path, options);
  ASSERT_TRUE(first.ok()) << first.error().message();
  EXPECT_EQ(first->inserted, 5720u);
  auto second = import_csv(*store, path, options);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->inserted, 0u);
  EXPECT_EQ(second->replaced, 5720u);
  EXPECT_EQ(sql(dir.file("bars.db"), "SELECT count(*) FROM bars"), "5720\n");
  EXPECT_EQ(sql(dir.file("bars.db"), "SELECT count(*), sum(inserted) FROM imports"), "2|5720\n");
}

// The property the issue names: an import that fails writes nothing and leaves earlier data intact.
TEST(BarStore, FailedWriteLeavesEarlierDataIntact) {
  TempDir dir;
  auto store = BarStore::open(dir.file("bars.db"));
  ASSERT_TRUE(store.ok());
  const BarSeries eth = sample("ETH_BTC-5m.csv");
  ASSERT_TRUE(store->write(eth.slice(0, 1000)).ok());
  const std::string before = sql(dir.file("bars.db"), "SELECT * FROM bars ORDER BY ts");

  // Overlaps the stored bars (would replace 500 of them) and adds new ones; bar 700 is NaN, so the
  // schema rejects it after 699 rows went into the transaction.
  BarSeries bad = eth.slice(500, 1500);
  for (double& c : bad.close) c *= 1.01;
  for (std::size_t i = 0; i < bad.size(); ++i) bad.high[i] = std::max(bad.high[i], bad.close[i]);
  bad.close[700] = std::numeric_limits<double>::quiet_NaN();
  auto r = store->write(bad);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("bar 700"), std::string::npos) << r.error().message();
  EXPECT_NE(r.error().message().find("nothing was written"), std::string::npos) << r.error().message();
  EXPECT_EQ(sql(dir.file("bars.db"), "SELECT * FROM bars ORDER BY ts"), before);
  EXPECT_EQ(sql(dir.file("bars.db"), "SELECT count(*) FROM imports"), "1\n");

  // Other invalid bars the schema refuses, each failing the whole write.
  for (int kind = 0; kind < 3; ++kind) {
    BarSeries b = eth.slice(1000, 1100);
    if (kind == 0) b.low[50] = b.high[50] * 2;
    if (kind == 1) b.volume[50] = -1;
    if (kind == 2) b.open[50] = 0;
    EXPECT_FALSE(store->write(b).ok()) << kind;
  }
  EXPECT_EQ(sql(dir.file("bars.db"), "SELECT * FROM bars ORDER BY ts"), before);
  // The store still works afterwards.
  ASSERT_TRUE(store->write(eth.slice(1000, 1100)).ok());
  EXPECT_EQ(sql(dir.file("bars.db"), "SELECT count(*) FROM bars"), "1100\n");
}

TEST(BarStore, ImportOfAFileWithErrorsWritesNothing) {
  TempDir dir;
  auto store = BarStore::open(dir.file("bars.db"));
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE(import_csv(*store, testing::samples_dir() + "/GOOG-1d.csv").ok());
  const std::string before = sql(dir.file("bars.db"), "SELECT * FROM bars ORDER BY ts");
  const std::string bad = dir.write("GOOG-1d.csv",
                                    "Date,Open,High,Low,Close,Volume\n"
                                    "2013-03-04,1,2,0.5,1.5,10\n"
                                    "2013-03-05,1,2,0.5,NaN,10\n"
                                    "2013-03-06,1,2,3,1.5,10\n");
  auto r = import_csv(*store, bad);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("GOOG-1d.csv:3: column 'Close': NaN"), std::string::npos)
      << r.error().message();
  EXPECT_NE(r.error().message().find("GOOG-1d.csv:4: column 'High' (2) is below 'Low' (3)"),
            std::string::npos);
  EXPECT_EQ(sql(dir.file("bars.db"), "SELECT * FROM bars ORDER BY ts"), before);
}

TEST(BarStore, RefusesAStoreWrittenByANewerSchema) {
  TempDir dir;
  ASSERT_TRUE(BarStore::open(dir.file("bars.db")).ok());
  sql(dir.file("bars.db"), "UPDATE schema_versions SET version = 7 WHERE component = 'bar_store'");
  auto r = BarStore::open(dir.file("bars.db"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kFailedPrecondition);
  EXPECT_NE(r.error().message().find("schema version 7, newer than the version 1"), std::string::npos)
      << r.error().message();
}

TEST(BarStore, RefusesFilesThatAreNotBarStores) {
  TempDir dir;
  const std::string text =
      dir.write("notes.db", "this is not a database, just text that is long enough........");
  auto r = BarStore::open(text);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kFailedPrecondition);
  EXPECT_NE(r.error().message().find("not a SQLite database"), std::string::npos) << r.error().message();
  // A SQLite file with someone else's 'bars' table.
  sql(dir.file("other.db"), "CREATE TABLE bars (x INTEGER)");
  auto other = BarStore::open(dir.file("other.db"));
  ASSERT_FALSE(other.ok());
  EXPECT_NE(other.error().message().find("not a tradeloop bar store"), std::string::npos);
  auto missing = BarStore::open(dir.file("missing.db"), BarStore::Mode::kReadOnly);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), ErrorCode::kNotFound);
  EXPECT_FALSE(BarStore::open(dir.path()).ok());  // a directory
}

TEST(BarStore, RejectsSeriesWithoutKeyOrOrder) {
  TempDir dir;
  auto store = BarStore::open(dir.file("bars.db"));
  ASSERT_TRUE(store.ok());
  BarSeries b = sample("GOOG-1d.csv").slice(0, 10);
  BarSeries no_symbol = b;
  no_symbol.symbol.clear();
  EXPECT_FALSE(store->write(no_symbol).ok());
  BarSeries no_tf = b;
  no_tf.timeframe = Timeframe();
  EXPECT_FALSE(store->write(no_tf).ok());
  BarSeries dup = b;
  dup.ts[5] = dup.ts[4];
  EXPECT_FALSE(store->write(dup).ok());
  EXPECT_EQ(sql(dir.file("bars.db"), "SELECT count(*) FROM bars"), "0\n");
  auto ro = BarStore::open(dir.file("bars.db"), BarStore::Mode::kReadOnly);
  ASSERT_TRUE(ro.ok());
  EXPECT_FALSE(ro->write(b).ok());
}

}  // namespace
}  // namespace tradeloop::data
