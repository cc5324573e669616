#include "tradeloop/optimize/trial_store.h"

#include <sqlite3.h>

#include <chrono>
#include <cmath>
#include <mutex>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "tradeloop/core/time.h"

namespace tradeloop::optimize {
namespace {

constexpr auto kCommitEvery = std::chrono::milliseconds(100);
constexpr int kCommitRows = 1024;

std::string now_text() {
  const auto now = std::chrono::time_point_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now());
  return format_time(now.time_since_epoch().count());
}

std::string metrics_json(const std::map<std::string, double>& metrics) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [name, value] : metrics) {
    j[name] = std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(nullptr);
  }
  return j.dump();
}

class Statement {
 public:
  Statement() = default;
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  sqlite3_stmt*& handle() { return stmt_; }
  sqlite3_stmt* get() const { return stmt_; }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

}  // namespace

struct TrialStore::Impl {
  sqlite3* db = nullptr;
  std::mutex mutex;
  bool in_transaction = false;
  int pending_rows = 0;
  std::chrono::steady_clock::time_point transaction_start;
  Statement insert;

  ~Impl() {
    sqlite3_finalize(insert.handle());
    insert.handle() = nullptr;
    if (db) sqlite3_close(db);
  }

  Error error(std::string_view what) const {
    return Error::io(fmt::format("trial store: {}: {}", what, db ? sqlite3_errmsg(db) : "no database"));
  }

  // Retries while another process holds a lock (two processes opening a new database at once make
  // one of them see SQLITE_BUSY while the other sets up WAL).
  Status exec(const char* sql) {
    char* message = nullptr;
    int rc = SQLITE_OK;
    for (int attempt = 0; attempt < 200; ++attempt) {
      rc = sqlite3_exec(db, sql, nullptr, nullptr, &message);
      if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED) break;
      sqlite3_free(message);
      message = nullptr;
      sqlite3_sleep(50);
    }
    if (rc != SQLITE_OK) {
      std::string text = message ? message : "unknown error";
      sqlite3_free(message);
      return Error::io(fmt::format("trial store: {}: {}", sql, text));
    }
    return {};
  }
};

TrialStore::TrialStore(std::string path, std::unique_ptr<Impl> impl)
    : path_(std::move(path)), impl_(std::move(impl)) {}

TrialStore::~TrialStore() {
  if (impl_) {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    (void)commit_locked();
  }
}

Result<std::unique_ptr<TrialStore>> TrialStore::open(const std::string& path) {
  auto impl = std::make_unique<Impl>();
  if (sqlite3_open_v2(path.c_str(), &impl->db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK) {
    Error e = Error::io(fmt::format("{}: cannot open the trial database: {}", path,
                                    impl->db ? sqlite3_errmsg(impl->db) : "out of memory"));
    return e;
  }
  sqlite3_busy_timeout(impl->db, 10000);
  TL_TRY(impl->exec("PRAGMA journal_mode=WAL"));
  TL_TRY(impl->exec("PRAGMA synchronous=NORMAL"));
  TL_TRY(
      impl->exec("CREATE TABLE IF NOT EXISTS optimize_runs("
                 " run_id TEXT PRIMARY KEY, kind TEXT NOT NULL, config TEXT NOT NULL, status TEXT NOT NULL,"
                 " created_at TEXT NOT NULL, updated_at TEXT NOT NULL);"
                 "CREATE TABLE IF NOT EXISTS optimize_trials("
                 " run_id TEXT NOT NULL, trial INTEGER NOT NULL, params TEXT NOT NULL, value REAL,"
                 " status TEXT NOT NULL, reason TEXT NOT NULL, metrics TEXT NOT NULL, record BLOB NOT NULL,"
                 " finished_at TEXT NOT NULL, PRIMARY KEY(run_id, trial));"));
  if (sqlite3_prepare_v2(
          impl->db,
          "INSERT OR REPLACE INTO optimize_trials(run_id, trial, params, value, status, reason,"
          " metrics, record, finished_at) VALUES(?,?,?,?,?,?,?,?,?)",
          -1, &impl->insert.handle(), nullptr) != SQLITE_OK) {
    return impl->error("prepare insert");
  }
  return std::unique_ptr<TrialStore>(new TrialStore(path, std::move(impl)));
}

Status TrialStore::commit_locked() {
  if (!impl_->in_transaction) return {};
  impl_->in_transaction = false;
  impl_->pending_rows = 0;
  return impl_->exec("COMMIT");
}

Result<std::vector<Trial>> TrialStore::begin_run(const std::string& run_id, const std::string& kind,
                                                 const std::string& config_json, bool resume) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  TL_TRY(commit_locked());
  std::vector<Trial> done;
  const std::string now = now_text();
  if (!resume) {
    Statement del;
    if (sqlite3_prepare_v2(impl_->db, "DELETE FROM optimize_trials WHERE run_id = ?", -1, &del.handle(),
                           nullptr) != SQLITE_OK) {
      return impl_->error("prepare delete");
    }
    sqlite3_bind_text(del.get(), 1, run_id.c_str(), -1, SQLITE_TRANSIENT);
    if (sqlite3_step(del.get()) != SQLITE_DONE) return impl_->error("delete earlier trials");
  } else {
    Statement sel;
    if (sqlite3_prepare_v2(impl_->db,
                           "SELECT trial, record FROM optimize_trials WHERE run_id = ? ORDER BY trial", -1,
                           &sel.handle(), nullptr) != SQLITE_OK) {
      return impl_->error("prepare select");
    }
    sqlite3_bind_text(sel.get(), 1, run_id.c_str(), -1, SQLITE_TRANSIENT);
    int rc;
    while ((rc = sqlite3_step(sel.get())) == SQLITE_ROW) {
      const auto* data = static_cast<const char*>(sqlite3_column_blob(sel.get(), 1));
      const int size = sqlite3_column_bytes(sel.get(), 1);
      std::string_view in(data ? data : "", static_cast<std::size_t>(size));
      auto trial = deserialize_trial(in);
      if (!trial.ok()) {
        return Error::data_loss(fmt::format("{}: run {} trial {}: {}", path_, run_id,
                                            sqlite3_column_int64(sel.get(), 0), trial.error().message()));
      }
      done.push_back(std::move(trial).value());
    }
    if (rc != SQLITE_DONE) return impl_->error("read trials");
  }
  Statement up;
  if (sqlite3_prepare_v2(impl_->db,
                         "INSERT INTO optimize_runs(run_id, kind, config, status, created_at, updated_at)"
                         " VALUES(?1, ?2, ?3, 'running', ?4, ?4) ON CONFLICT(run_id) DO UPDATE SET"
                         " status = 'running', updated_at = ?4, config = ?3",
                         -1, &up.handle(), nullptr) != SQLITE_OK) {
    return impl_->error("prepare run upsert");
  }
  sqlite3_bind_text(up.get(), 1, run_id.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(up.get(), 2, kind.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(up.get(), 3, config_json.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(up.get(), 4, now.c_str(), -1, SQLITE_TRANSIENT);
  if (sqlite3_step(up.get()) != SQLITE_DONE) return impl_->error("record the run");
  return done;
}

Status TrialStore::add(const std::string& run_id, const Trial& trial, const ParamSpace& space) {
  std::string record;
  serialize_trial(trial, record);
  const std::string params = space.to_json(trial.params);
  const std::string metrics = metrics_json(trial.eval.metrics);
  const std::string finished = now_text();
  std::lock_guard<std::mutex> lock(impl_->mutex);
  if (!impl_->in_transaction) {
    TL_TRY(impl_->exec("BEGIN"));
    impl_->in_transaction = true;
    impl_->transaction_start = std::chrono::steady_clock::now();
  }
  sqlite3_stmt* st = impl_->insert.get();
  sqlite3_reset(st);
  sqlite3_bind_text(st, 1, run_id.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 2, static_cast<sqlite3_int64>(trial.index));
  sqlite3_bind_text(st, 3, params.c_str(), -1, SQLITE_TRANSIENT);
  if (std::isfinite(trial.value())) {
    sqlite3_bind_double(st, 4, trial.value());
  } else {
    sqlite3_bind_null(st, 4);
  }
  sqlite3_bind_text(st, 5, std::string(trial_status_name(trial.status)).c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 6, trial.reason.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 7, metrics.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_blob(st, 8, record.data(), static_cast<int>(record.size()), SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 9, finished.c_str(), -1, SQLITE_TRANSIENT);
  if (sqlite3_step(st) != SQLITE_DONE) return impl_->error(fmt::format("write trial {}", trial.index));
  ++impl_->pending_rows;
  if (impl_->pending_rows >= kCommitRows ||
      std::chrono::steady_clock::now() - impl_->transaction_start >= kCommitEvery) {
    TL_TRY(commit_locked());
  }
  return {};
}

Status TrialStore::flush() {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return commit_locked();
}

Status TrialStore::finish_run(const std::string& run_id, const std::string& status) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  TL_TRY(commit_locked());
  Statement up;
  if (sqlite3_prepare_v2(impl_->db, "UPDATE optimize_runs SET status = ?, updated_at = ? WHERE run_id = ?",
                         -1, &up.handle(), nullptr) != SQLITE_OK) {
    return impl_->error("prepare run update");
  }
  const std::string now = now_text();
  sqlite3_bind_text(up.get(), 1, status.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(up.get(), 2, now.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(up.get(), 3, run_id.c_str(), -1, SQLITE_TRANSIENT);
  if (sqlite3_step(up.get()) != SQLITE_DONE) return impl_->error("update the run");
  return {};
}

Result<std::size_t> TrialStore::count_trials(const std::string& run_id) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  Statement sel;
  if (sqlite3_prepare_v2(impl_->db, "SELECT COUNT(*) FROM optimize_trials WHERE run_id = ?", -1,
                         &sel.handle(), nullptr) != SQLITE_OK) {
    return impl_->error("prepare count");
  }
  sqlite3_bind_text(sel.get(), 1, run_id.c_str(), -1, SQLITE_TRANSIENT);
  if (sqlite3_step(sel.get()) != SQLITE_ROW) return impl_->error("count trials");
  return static_cast<std::size_t>(sqlite3_column_int64(sel.get(), 0));
}

Result<std::string> TrialStore::run_status(const std::string& run_id) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  Statement sel;
  if (sqlite3_prepare_v2(impl_->db, "SELECT status FROM optimize_runs WHERE run_id = ?", -1, &sel.handle(),
                         nullptr) != SQLITE_OK) {
    return impl_->error("prepare status");
  }
  sqlite3_bind_text(sel.get(), 1, run_id.c_str(), -1, SQLITE_TRANSIENT);
  if (sqlite3_step(sel.get()) != SQLITE_ROW)
    return Error::not_found(fmt::format("no run '{}' in {}", run_id, path_));
  return std::string(reinterpret_cast<const char*>(sqlite3_column_text(sel.get(), 0)));
}

}  // namespace tradeloop::optimize
