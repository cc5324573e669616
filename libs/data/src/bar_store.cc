#include "tradeloop/data/bar_store.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include <utility>

#include <fmt/format.h>

namespace tradeloop::data {

namespace {

constexpr const char* kComponent = "bar_store";

// Version 1. Prices are checked by the schema too, so even a caller that skips validation cannot
// store a bar that would break the research code (NaN binds as NULL and fails NOT NULL).
constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE bars (
  symbol    TEXT    NOT NULL,
  timeframe TEXT    NOT NULL,
  ts        INTEGER NOT NULL,
  open      REAL    NOT NULL,
  high      REAL    NOT NULL,
  low       REAL    NOT NULL,
  close     REAL    NOT NULL,
  volume    REAL    NOT NULL,
  PRIMARY KEY (symbol, timeframe, ts),
  CHECK (open > 0 AND high > 0 AND low > 0 AND close > 0),
  CHECK (high >= low AND high >= open AND high >= close AND low <= open AND low <= close),
  CHECK (volume >= 0)
) WITHOUT ROWID;
CREATE TABLE imports (
  id          INTEGER PRIMARY KEY,
  symbol      TEXT    NOT NULL,
  timeframe   TEXT    NOT NULL,
  source      TEXT    NOT NULL,
  bars        INTEGER NOT NULL,
  inserted    INTEGER NOT NULL,
  first_ts    INTEGER,
  last_ts     INTEGER,
  imported_at INTEGER NOT NULL DEFAULT (strftime('%s', 'now'))
);
)sql";

class Statement {
 public:
  Statement(sqlite3* db, const char* sql) { rc_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr); }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  bool ok() const { return rc_ == SQLITE_OK; }
  sqlite3_stmt* get() const { return stmt_; }

 private:
  sqlite3_stmt* stmt_ = nullptr;
  int rc_ = SQLITE_OK;
};

std::string sqlite_message(sqlite3* db) {
  return db != nullptr ? sqlite3_errmsg(db) : "out of memory";
}

}  // namespace

struct BarStore::Impl {
  std::string path;
  sqlite3* db = nullptr;
  bool read_only = false;

  ~Impl() {
    if (db != nullptr) sqlite3_close_v2(db);
  }

  Error fail(std::string_view what) const {
    return Error::io(fmt::format("{}: {}: {}", path, what, sqlite_message(db)));
  }

  Status exec(const char* sql, std::string_view what) {
    char* message = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
      Error e =
          Error::io(fmt::format("{}: {}: {}", path, what, message != nullptr ? message : "unknown error"));
      sqlite3_free(message);
      return e;
    }
    return ok_status();
  }

  bool table_exists(const char* name) const {
    Statement st(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?");
    if (!st.ok()) return false;
    sqlite3_bind_text(st.get(), 1, name, -1, SQLITE_STATIC);
    return sqlite3_step(st.get()) == SQLITE_ROW;
  }

  // The stored schema version of the bar store, 0 when none.
  Result<int> stored_version() const {
    if (!table_exists("schema_versions")) return 0;
    Statement st(db, "SELECT version FROM schema_versions WHERE component = ?");
    if (!st.ok()) return fail("cannot read the schema version");
    sqlite3_bind_text(st.get(), 1, kComponent, -1, SQLITE_STATIC);
    const int rc = sqlite3_step(st.get());
    if (rc == SQLITE_ROW) return sqlite3_column_int(st.get(), 0);
    if (rc == SQLITE_DONE) return 0;
    return fail("cannot read the schema version");
  }

  Status ensure_schema() {
    TL_ASSIGN_OR_RETURN(int version, stored_version());
    if (version > kSchemaVersion) {
      return Error::failed_precondition(
          fmt::format("{}: the bar store has schema version {}, newer than the version {} this tradeloop "
                      "understands; use a newer tradeloop (nothing was changed)",
                      path, version, kSchemaVersion));
    }
    if (version == kSchemaVersion) return ok_status();
    if (table_exists("bars")) {
      return Error::failed_precondition(fmt::format(
          "{}: has a 'bars' table but no bar_store schema version: not a tradeloop bar store", path));
    }
    if (read_only) {
      return Error::failed_precondition(
          fmt::format("{}: not a tradeloop bar store (no bar_store schema)", path));
    }
    TL_TRY(exec("BEGIN IMMEDIATE", "cannot start the schema transaction"));
    Status s = exec(
        "CREATE TABLE IF NOT EXISTS schema_versions (component TEXT PRIMARY KEY, version INTEGER NOT NULL)",
        "cannot create the schema");
    if (s.ok()) s = exec(kSchemaV1, "cannot create the schema");
    if (s.ok()) {
      s = exec(fmt::format("INSERT INTO schema_versions (component, version) VALUES ('{}', {})", kComponent,
                           kSchemaVersion)
                   .c_str(),
               "cannot record the schema version");
    }
    if (!s.ok()) {
      (void)exec("ROLLBACK", "rollback");
      return s;
    }
    return exec("COMMIT", "cannot commit the schema");
  }
};

BarStore::BarStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
BarStore::BarStore(BarStore&&) noexcept = default;
BarStore& BarStore::operator=(BarStore&&) noexcept = default;
BarStore::~BarStore() = default;

const std::string& BarStore::path() const {
  return impl_->path;
}

Result<BarStore> BarStore::open(const std::string& path, Mode mode) {
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->read_only = mode == Mode::kReadOnly;
  struct stat st {};
  const bool exists = ::stat(path.c_str(), &st) == 0;
  if (impl->read_only && !exists) return Error::not_found(fmt::format("{}: no such database", path));
  if (exists && S_ISDIR(st.st_mode))
    return Error::io(fmt::format("{}: is a directory, not a database", path));
  const int flags = impl->read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  if (sqlite3_open_v2(path.c_str(), &impl->db, flags | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
    return impl->fail("cannot open the database");
  }
  sqlite3_extended_result_codes(impl->db, 1);
  sqlite3_busy_timeout(impl->db, 5000);
  // A file that is not SQLite shows up on the first read.
  {
    Statement probe(impl->db, "SELECT count(*) FROM sqlite_master");
    if (!probe.ok() || sqlite3_step(probe.get()) != SQLITE_ROW) {
      return Error::failed_precondition(
          fmt::format("{}: not a SQLite database ({})", path, sqlite_message(impl->db)));
    }
  }  // finalized here: an open statement would keep a read transaction and block the WAL switch
  if (!impl->read_only) {
    TL_TRY(impl->exec("PRAGMA journal_mode = WAL", "cannot switch to WAL"));
    TL_TRY(impl->exec("PRAGMA synchronous = NORMAL", "cannot set synchronous"));
  }
  TL_TRY(impl->ensure_schema());
  return BarStore(std::move(impl));
}

Result<WriteResult> BarStore::write(const BarSeries& bars, std::string_view source) {
  Impl& s = *impl_;
  if (s.read_only) return Error::failed_precondition(fmt::format("{}: opened read-only", s.path));
  if (bars.symbol.empty()) return Error::invalid_argument("cannot store bars without a symbol");
  if (!bars.timeframe.valid()) {
    return Error::invalid_argument(fmt::format("cannot store {} bars without a timeframe", bars.symbol));
  }
  for (std::size_t i = 1; i < bars.size(); ++i) {
    if (bars.ts[i] <= bars.ts[i - 1]) {
      return Error::invalid_argument(
          fmt::format("cannot store {}: bar {} ({}) is not after the bar before it", bars.symbol, i,
                      format_time(bars.ts[i])));
    }
  }
  const std::string tf = bars.timeframe.to_string();
  auto count = [&]() -> Result<std::size_t> {
    Statement st(s.db, "SELECT count(*) FROM bars WHERE symbol = ? AND timeframe = ?");
    if (!st.ok()) return s.fail("cannot count bars");
    sqlite3_bind_text(st.get(), 1, bars.symbol.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st.get(), 2, tf.c_str(), -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st.get()) != SQLITE_ROW) return s.fail("cannot count bars");
    return static_cast<std::size_t>(sqlite3_column_int64(st.get(), 0));
  };

  TL_TRY(s.exec("BEGIN IMMEDIATE", "cannot start the write transaction"));
  auto body = [&]() -> Result<WriteResult> {
    TL_ASSIGN_OR_RETURN(std::size_t before, count());
    Statement insert(
        s.db,
        "INSERT INTO bars (symbol, timeframe, ts, open, high, low, close, volume) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
        "ON CONFLICT (symbol, timeframe, ts) DO UPDATE SET open = excluded.open, "
        "high = excluded.high, low = excluded.low, close = excluded.close, volume = excluded.volume");
    if (!insert.ok()) return s.fail("cannot prepare the insert");
    sqlite3_stmt* st = insert.get();
    sqlite3_bind_text(st, 1, bars.symbol.c_str(), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, tf.c_str(), -1, SQLITE_STATIC);
    for (std::size_t i = 0; i < bars.size(); ++i) {
      sqlite3_bind_int64(st, 3, bars.ts[i]);
      sqlite3_bind_double(st, 4, bars.open[i]);
      sqlite3_bind_double(st, 5, bars.high[i]);
      sqlite3_bind_double(st, 6, bars.low[i]);
      sqlite3_bind_double(st, 7, bars.close[i]);
      sqlite3_bind_double(st, 8, bars.volume[i]);
      if (sqlite3_step(st) != SQLITE_DONE) {
        return Error::invalid_argument(
            fmt::format("{}: bar {} of {} {} ({}: open {} high {} low {} close {} volume {}) rejected: {}",
                        s.path, i, bars.symbol, tf, format_time(bars.ts[i]), bars.open[i], bars.high[i],
                        bars.low[i], bars.close[i], bars.volume[i], sqlite_message(s.db)));
      }
      sqlite3_reset(st);
    }
    TL_ASSIGN_OR_RETURN(std::size_t after, count());
    Statement log(s.db,
                  "INSERT INTO imports (symbol, timeframe, source, bars, inserted, first_ts, last_ts) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?)");
    if (!log.ok()) return s.fail("cannot prepare the import log");
    sqlite3_bind_text(log.get(), 1, bars.symbol.c_str(), -1, SQLITE_STATIC);
    sqlite3_bind_text(log.get(), 2, tf.c_str(), -1, SQLITE_STATIC);
    // An empty string_view may have a null data(), which SQLite would store as NULL.
    sqlite3_bind_text(log.get(), 3, source.empty() ? "" : source.data(), static_cast<int>(source.size()),
                      SQLITE_STATIC);
    sqlite3_bind_int64(log.get(), 4, static_cast<sqlite3_int64>(bars.size()));
    sqlite3_bind_int64(log.get(), 5, static_cast<sqlite3_int64>(after - before));
    if (!bars.empty()) {
      sqlite3_bind_int64(log.get(), 6, bars.ts.front());
      sqlite3_bind_int64(log.get(), 7, bars.ts.back());
    }
    if (sqlite3_step(log.get()) != SQLITE_DONE) return s.fail("cannot write the import log");
    WriteResult r;
    r.bars = bars.size();
    r.inserted = after - before;
    r.replaced = r.bars - r.inserted;
    return r;
  };
  Result<WriteResult> result = body();
  if (!result.ok()) {
    (void)s.exec("ROLLBACK", "rollback");
    return Error(result.error().code(), result.error().message() + " (nothing was written)");
  }
  TL_TRY(s.exec("COMMIT", "cannot commit the write"));
  return result;
}

Result<BarSeries> BarStore::read(const BarQuery& query) const {
  const Impl& s = *impl_;
  if (!query.timeframe.valid()) return Error::invalid_argument("a bar query needs a timeframe");
  Statement st(s.db,
               "SELECT ts, open, high, low, close, volume FROM bars WHERE symbol = ? AND timeframe = ? "
               "AND ts >= ? AND ts <= ? ORDER BY ts");
  if (!st.ok()) return s.fail("cannot prepare the query");
  const std::string tf = query.timeframe.to_string();
  sqlite3_bind_text(st.get(), 1, query.symbol.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st.get(), 2, tf.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st.get(), 3, query.from.value_or(INT64_MIN));
  sqlite3_bind_int64(st.get(), 4, query.to.value_or(INT64_MAX));
  BarSeries out;
  out.symbol = query.symbol;
  out.timeframe = query.timeframe;
  int rc;
  while ((rc = sqlite3_step(st.get())) == SQLITE_ROW) {
    out.push_back(sqlite3_column_int64(st.get(), 0), sqlite3_column_double(st.get(), 1),
                  sqlite3_column_double(st.get(), 2), sqlite3_column_double(st.get(), 3),
                  sqlite3_column_double(st.get(), 4), sqlite3_column_double(st.get(), 5));
  }
  if (rc != SQLITE_DONE) return s.fail("cannot read bars");
  return out;
}

Result<std::vector<StoredSeries>> BarStore::list() const {
  const Impl& s = *impl_;
  Statement st(s.db,
               "SELECT symbol, timeframe, count(*), min(ts), max(ts) FROM bars GROUP BY symbol, timeframe "
               "ORDER BY symbol, timeframe");
  if (!st.ok()) return s.fail("cannot list series");
  std::vector<StoredSeries> out;
  int rc;
  while ((rc = sqlite3_step(st.get())) == SQLITE_ROW) {
    StoredSeries series;
    series.symbol = reinterpret_cast<const char*>(sqlite3_column_text(st.get(), 0));
    auto tf = Timeframe::parse(reinterpret_cast<const char*>(sqlite3_column_text(st.get(), 1)));
    if (!tf.ok()) return Error::data_loss(fmt::format("{}: {}", s.path, tf.error().message()));
    series.timeframe = *tf;
    series.bars = static_cast<std::size_t>(sqlite3_column_int64(st.get(), 2));
    series.first = sqlite3_column_int64(st.get(), 3);
    series.last = sqlite3_column_int64(st.get(), 4);
    out.push_back(std::move(series));
  }
  if (rc != SQLITE_DONE) return s.fail("cannot list series");
  return out;
}

Result<WriteResult> import_csv(BarStore& store, const std::string& path, const CsvOptions& options) {
  TL_ASSIGN_OR_RETURN(BarFile file, read_bars_csv(path, options));
  if (!file.report.ok()) {
    std::string text = file.report.error_text();
    if (!text.empty() && text.back() == '\n') text.pop_back();
    return Error::invalid_argument(fmt::format("{} has {} error{}; nothing was imported:\n{}",
                                               file.report.source(), file.report.error_count(),
                                               file.report.error_count() == 1 ? "" : "s", text));
  }
  if (!file.bars.timeframe.valid()) {
    return Error::invalid_argument(
        fmt::format("{}: cannot infer the timeframe from {} bar{}; give it explicitly", file.report.source(),
                    file.bars.size(), file.bars.size() == 1 ? "" : "s"));
  }
  return store.write(file.bars, file.report.source());
}

}  // namespace tradeloop::data
