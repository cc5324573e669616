#include "tradeloop/discover/store.h"

#include <cstring>
#include <type_traits>

#include <fmt/format.h>

#include "json_util.h"
#include "sqlite.h"

namespace tradeloop::discover {

using internal::Database;
using internal::Json;
using internal::Statement;
using internal::Transaction;

std::string_view verdict_name(Verdict verdict) {
  switch (verdict) {
    case Verdict::kPending:
      return "pending";
    case Verdict::kAccepted:
      return "accepted";
    case Verdict::kRejected:
      return "rejected";
  }
  return "pending";
}

std::string_view session_status_name(SessionStatus status) {
  switch (status) {
    case SessionStatus::kRunning:
      return "running";
    case SessionStatus::kCompleted:
      return "completed";
    case SessionStatus::kStopped:
      return "stopped";
    case SessionStatus::kFailed:
      return "failed";
  }
  return "running";
}

Result<SessionStatus> parse_session_status(std::string_view name) {
  for (auto s : {SessionStatus::kRunning, SessionStatus::kCompleted, SessionStatus::kStopped,
                 SessionStatus::kFailed}) {
    if (session_status_name(s) == name) return s;
  }
  return Error::data_loss(fmt::format("unknown session status '{}' in the discovery database", name));
}

namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sessions(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  config TEXT NOT NULL,
  status TEXT NOT NULL,
  stop_reason TEXT NOT NULL DEFAULT '',
  wave INTEGER NOT NULL DEFAULT 0,
  planned INTEGER NOT NULL DEFAULT 0,
  evaluated INTEGER NOT NULL DEFAULT 0,
  accepted INTEGER NOT NULL DEFAULT 0,
  rejected INTEGER NOT NULL DEFAULT 0,
  progress REAL NOT NULL DEFAULT 0,
  errors TEXT NOT NULL DEFAULT '[]',
  elapsed_seconds REAL NOT NULL DEFAULT 0,
  started_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS candidates(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  session_id INTEGER NOT NULL REFERENCES sessions(id),
  wave INTEGER NOT NULL,
  idx INTEGER NOT NULL,
  target TEXT NOT NULL,
  type TEXT NOT NULL,
  name TEXT NOT NULL,
  spec TEXT NOT NULL,
  hash TEXT NOT NULL,
  origin TEXT NOT NULL DEFAULT '{}',
  evaluated INTEGER NOT NULL DEFAULT 0,
  metrics TEXT NOT NULL DEFAULT '{}',
  verdict TEXT NOT NULL DEFAULT 'pending',
  reasons TEXT NOT NULL DEFAULT '[]',
  fitness REAL,
  seconds REAL NOT NULL DEFAULT 0,
  evaluated_at INTEGER,
  UNIQUE(session_id, hash),
  UNIQUE(session_id, idx));
CREATE INDEX IF NOT EXISTS candidates_by_verdict ON candidates(session_id, verdict);
CREATE TABLE IF NOT EXISTS strategies(
  id INTEGER PRIMARY KEY REFERENCES candidates(id),
  session_id INTEGER NOT NULL REFERENCES sessions(id),
  hash TEXT NOT NULL,
  name TEXT NOT NULL,
  type TEXT NOT NULL,
  target TEXT NOT NULL,
  spec TEXT NOT NULL,
  sharpe_ratio REAL,
  max_drawdown_pct REAL,
  win_rate_pct REAL,
  total_return_pct REAL,
  num_trades REAL,
  deflated_sharpe REAL,
  oos_sharpe_ratio REAL,
  metrics TEXT NOT NULL,
  returns BLOB,
  created_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS trial_clusters(
  id INTEGER PRIMARY KEY REFERENCES candidates(id),
  session_id INTEGER NOT NULL REFERENCES sessions(id),
  target TEXT NOT NULL,
  signature BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS trial_clusters_by_session ON trial_clusters(session_id, id);
)sql";

Json parse_or_empty(const std::string& text) {
  Json j = Json::parse(text, nullptr, false);
  return j.is_discarded() ? Json::object() : j;
}

bool is_metric_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  }
  return true;
}

}  // namespace

struct DiscoveryStore::Impl {
  Database db;
  Statement insert_candidate, update_candidate, insert_strategy, insert_cluster, update_session;
};

DiscoveryStore::DiscoveryStore(std::string path, std::unique_ptr<Impl> impl)
    : path_(std::move(path)), impl_(std::move(impl)) {}
DiscoveryStore::~DiscoveryStore() = default;

Result<std::unique_ptr<DiscoveryStore>> DiscoveryStore::open(const std::string& path) {
  auto impl = std::make_unique<Impl>();
  TL_TRY(impl->db.open(path));
  // WAL: readers never block the writer; NORMAL sync: a committed transaction survives a killed
  // process (not a power cut, which costs at most the last transactions, never consistency).
  TL_TRY(impl->db.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"));
  {
    Transaction txn(impl->db);
    TL_TRY(txn.begin());
    TL_TRY(impl->db.exec(kSchema));
    TL_ASSIGN_OR_RETURN(auto get, impl->db.prepare("SELECT value FROM meta WHERE key='schema_version'"));
    TL_ASSIGN_OR_RETURN(const bool has, get.step());
    if (!has) {
      TL_TRY(impl->db.exec(
          fmt::format("INSERT INTO meta(key, value) VALUES('schema_version', '{}')", kSchemaVersion)));
    } else {
      const std::string v = get.column_text(0);
      if (v == "1") {
        // Version 2 added trial_clusters (created above); version-1 sessions stay readable but
        // cannot be resumed (their trials have no clusters).
        TL_TRY(impl->db.exec(
            fmt::format("UPDATE meta SET value='{}' WHERE key='schema_version'", kSchemaVersion)));
      } else if (v != std::to_string(kSchemaVersion)) {
        return Error::failed_precondition(
            fmt::format("{}: discovery database schema version {} is not the version {} this build knows",
                        path, v, kSchemaVersion));
      }
    }
    get = Statement();
    TL_TRY(txn.commit());
  }
  TL_ASSIGN_OR_RETURN(
      impl->insert_candidate,
      impl->db.prepare(
          "INSERT INTO candidates(session_id, wave, idx, target, type, name, spec, hash, origin) "
          "VALUES(?,?,?,?,?,?,?,?,?)"));
  TL_ASSIGN_OR_RETURN(
      impl->update_candidate,
      impl->db.prepare("UPDATE candidates SET evaluated=1, metrics=?, verdict=?, reasons=?, fitness=?, "
                       "seconds=?, evaluated_at=? WHERE id=? AND evaluated=0"));
  TL_ASSIGN_OR_RETURN(
      impl->insert_strategy,
      impl->db.prepare(
          "INSERT INTO strategies(id, session_id, hash, name, type, target, spec, sharpe_ratio, "
          "max_drawdown_pct, win_rate_pct, total_return_pct, num_trades, deflated_sharpe, oos_sharpe_ratio, "
          "metrics, returns, created_at) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"));
  TL_ASSIGN_OR_RETURN(impl->insert_cluster,
                      impl->db.prepare("INSERT INTO trial_clusters(id, session_id, target, signature) "
                                       "VALUES(?,?,?,?)"));
  TL_ASSIGN_OR_RETURN(
      impl->update_session,
      impl->db.prepare("UPDATE sessions SET config=?, status=?, stop_reason=?, wave=?, planned=?, "
                       "evaluated=?, accepted=?, rejected=?, progress=?, errors=?, elapsed_seconds=?, "
                       "updated_at=? WHERE id=?"));
  return std::unique_ptr<DiscoveryStore>(new DiscoveryStore(path, std::move(impl)));
}

Result<std::int64_t> DiscoveryStore::create_session(const std::string& config_json, Timestamp now) {
  TL_ASSIGN_OR_RETURN(auto st,
                      impl_->db.prepare("INSERT INTO sessions(config, status, started_at, updated_at) "
                                        "VALUES(?, 'running', ?, ?)"));
  st.bind_row(config_json, now, now);
  TL_TRY(st.run());
  return static_cast<std::int64_t>(sqlite3_last_insert_rowid(impl_->db.handle()));
}

namespace {

constexpr const char* kSessionColumns =
    "id, config, status, stop_reason, wave, planned, evaluated, accepted, rejected, progress, errors, "
    "elapsed_seconds, started_at, updated_at";

Result<SessionRecord> read_session(const Statement& st) {
  SessionRecord s;
  s.id = st.column_int(0);
  s.config = st.column_text(1);
  TL_ASSIGN_OR_RETURN(s.status, parse_session_status(st.column_text(2)));
  s.stop_reason = st.column_text(3);
  s.wave = st.column_int(4);
  s.planned = st.column_int(5);
  s.evaluated = st.column_int(6);
  s.accepted = st.column_int(7);
  s.rejected = st.column_int(8);
  s.progress = st.column_double(9);
  s.errors = internal::strings_from_json(st.column_text(10));
  s.elapsed_seconds = st.column_double(11);
  s.started_at = st.column_int(12);
  s.updated_at = st.column_int(13);
  return s;
}

// Steps `st` to the end, reading each row with `read` (which returns a Row or a Result<Row>).
template <class Row, class Read>
Result<std::vector<Row>> collect(Statement& st, Read read) {
  std::vector<Row> out;
  for (;;) {
    TL_ASSIGN_OR_RETURN(const bool row, st.step());
    if (!row) break;
    if constexpr (std::is_same_v<decltype(read(st)), Row>) {
      out.push_back(read(st));
    } else {
      TL_ASSIGN_OR_RETURN(Row r, read(st));
      out.push_back(std::move(r));
    }
  }
  return out;
}

}  // namespace

Result<SessionRecord> DiscoveryStore::load_session(std::int64_t id) {
  TL_ASSIGN_OR_RETURN(auto st,
                      impl_->db.prepare(fmt::format("SELECT {} FROM sessions WHERE id=?", kSessionColumns)));
  st.bind(1, id);
  TL_ASSIGN_OR_RETURN(const bool row, st.step());
  if (!row) return Error::not_found(fmt::format("{}: no discovery session {}", path_, id));
  return read_session(st);
}

Result<std::optional<SessionRecord>> DiscoveryStore::latest_session() {
  TL_ASSIGN_OR_RETURN(auto st, impl_->db.prepare(fmt::format(
                                   "SELECT {} FROM sessions ORDER BY id DESC LIMIT 1", kSessionColumns)));
  TL_ASSIGN_OR_RETURN(const bool row, st.step());
  if (!row) return std::optional<SessionRecord>();
  TL_ASSIGN_OR_RETURN(auto s, read_session(st));
  return std::optional<SessionRecord>(std::move(s));
}

Result<std::vector<SessionRecord>> DiscoveryStore::list_sessions() {
  TL_ASSIGN_OR_RETURN(auto st,
                      impl_->db.prepare(fmt::format("SELECT {} FROM sessions ORDER BY id", kSessionColumns)));
  return collect<SessionRecord>(st, read_session);
}

namespace {

Status write_session(Statement& st, const SessionRecord& s) {
  st.bind_row(s.config, session_status_name(s.status), s.stop_reason, s.wave, s.planned, s.evaluated,
              s.accepted, s.rejected, s.progress, internal::strings_json(s.errors), s.elapsed_seconds,
              s.updated_at, s.id);
  return st.run();
}

}  // namespace

Status DiscoveryStore::update_session(const SessionRecord& session) {
  TL_TRY(write_session(impl_->update_session, session));
  if (sqlite3_changes(impl_->db.handle()) != 1) {
    return Error::not_found(fmt::format("{}: no discovery session {}", path_, session.id));
  }
  return ok_status();
}

Status DiscoveryStore::insert_planned(const SessionRecord& session, std::span<Candidate> candidates) {
  const std::int64_t session_id = session.id;
  Transaction txn(impl_->db);
  TL_TRY(txn.begin());
  auto& st = impl_->insert_candidate;
  for (auto& c : candidates) {
    st.bind_row(session_id, c.wave, c.index, c.target, c.type, c.name, c.spec, c.hash,
                c.origin.empty() ? std::string("{}") : c.origin);
    auto status = st.run();
    if (!status.ok()) {
      return status.error().with_context(fmt::format("{}: storing candidate {} (hash {}) of session {}",
                                                     path_, c.index, c.hash, session_id));
    }
    c.id = static_cast<std::int64_t>(sqlite3_last_insert_rowid(impl_->db.handle()));
  }
  TL_TRY(write_session(impl_->update_session, session));
  return txn.commit();
}

namespace {

std::optional<double> metric_or_null(const Metrics& m, const char* name) {
  auto it = m.find(name);
  return it == m.end() ? std::nullopt : std::optional<double>(it->second);
}

}  // namespace

Status DiscoveryStore::record_results(const SessionRecord& session,
                                      std::span<const CandidateResult> results) {
  Transaction txn(impl_->db);
  TL_TRY(txn.begin());
  auto& up = impl_->update_candidate;
  auto& ins = impl_->insert_strategy;
  for (const auto& r : results) {
    const Candidate& c = r.candidate;
    TL_CHECK(c.id > 0, "record_results: candidate ", c.index, " was never stored");
    const std::string metrics = internal::metrics_json(r.evaluation.metrics).dump();
    up.bind_row(metrics, verdict_name(r.verdict), internal::strings_json(r.reasons),
                std::optional<double>(r.fitness), r.evaluation.seconds, session.updated_at, c.id);
    TL_TRY(up.run());
    if (sqlite3_changes(impl_->db.handle()) != 1) {
      return Error::failed_precondition(fmt::format(
          "{}: candidate {} (id {}) is missing or already has a verdict; was the session run twice at once?",
          path_, c.index, c.id));
    }
    if (r.verdict == Verdict::kAccepted) {
      const Metrics& m = r.evaluation.metrics;
      ins.bind_row(c.id, session.id, c.hash, c.name, c.type, c.target, c.spec,
                   metric_or_null(m, "sharpe_ratio"), metric_or_null(m, "max_drawdown_pct"),
                   metric_or_null(m, "win_rate_pct"), metric_or_null(m, "total_return_pct"),
                   metric_or_null(m, "num_trades"), metric_or_null(m, "deflated_sharpe"),
                   metric_or_null(m, "oos_sharpe_ratio"), metrics, r.evaluation.returns, session.updated_at);
      TL_TRY(ins.run());
    }
    if (!r.trial_signature.empty()) {
      impl_->insert_cluster.bind_row(c.id, session.id, c.target, r.trial_signature);
      TL_TRY(impl_->insert_cluster.run());
    }
  }
  TL_TRY(write_session(impl_->update_session, session));
  return txn.commit();
}

namespace {

constexpr const char* kCandidateColumns =
    "c.session_id, c.id, c.idx, c.wave, c.target, c.type, c.name, c.spec, c.hash, c.origin, c.evaluated, "
    "c.metrics, "
    "c.verdict, c.reasons, c.fitness, c.seconds";

CandidateRow read_candidate(const Statement& st) {
  CandidateRow r;
  r.session_id = st.column_int(0);
  r.candidate.id = st.column_int(1);
  r.candidate.index = st.column_int(2);
  r.candidate.wave = st.column_int(3);
  r.candidate.target = st.column_text(4);
  r.candidate.type = st.column_text(5);
  r.candidate.name = st.column_text(6);
  r.candidate.spec = st.column_text(7);
  r.candidate.hash = st.column_text(8);
  r.candidate.origin = st.column_text(9);
  r.evaluated = st.column_int(10) != 0;
  r.metrics = internal::metrics_from_json(parse_or_empty(st.column_text(11)));
  const std::string verdict = st.column_text(12);
  r.verdict = verdict == "accepted"   ? Verdict::kAccepted
              : verdict == "rejected" ? Verdict::kRejected
                                      : Verdict::kPending;
  r.reasons = internal::strings_from_json(st.column_text(13));
  r.fitness = st.column_is_null(14) ? std::numeric_limits<double>::quiet_NaN() : st.column_double(14);
  r.seconds = st.column_double(15);
  return r;
}

}  // namespace

Result<std::vector<CandidateRow>> DiscoveryStore::session_candidates(std::int64_t session_id) {
  TL_ASSIGN_OR_RETURN(
      auto st, impl_->db.prepare(fmt::format(
                   "SELECT {} FROM candidates c WHERE c.session_id=? ORDER BY c.idx", kCandidateColumns)));
  st.bind(1, session_id);
  return collect<CandidateRow>(st, read_candidate);
}

namespace {

constexpr const char* kStrategyColumns =
    "id, session_id, hash, name, type, target, spec, metrics, created_at";

std::vector<double> doubles_from_blob(std::span<const std::uint8_t> blob) {
  std::vector<double> out(blob.size() / sizeof(double));
  if (!out.empty()) std::memcpy(out.data(), blob.data(), out.size() * sizeof(double));
  return out;
}

// kStrategyColumns, then optionally the returns blob.
StrategyRecord read_strategy(const Statement& st) {
  StrategyRecord s;
  s.id = st.column_int(0);
  s.session_id = st.column_int(1);
  s.hash = st.column_text(2);
  s.name = st.column_text(3);
  s.type = st.column_text(4);
  s.target = st.column_text(5);
  s.spec = st.column_text(6);
  s.metrics = internal::metrics_from_json(parse_or_empty(st.column_text(7)));
  s.created_at = st.column_int(8);
  return s;
}

}  // namespace

Result<std::vector<StrategyRecord>> DiscoveryStore::accepted_returns(std::int64_t session_id) {
  TL_ASSIGN_OR_RETURN(
      auto st, impl_->db.prepare(fmt::format(
                   "SELECT {}, returns FROM strategies WHERE session_id=? ORDER BY id", kStrategyColumns)));
  st.bind(1, session_id);
  return collect<StrategyRecord>(st, [](const Statement& row) {
    StrategyRecord s = read_strategy(row);
    s.returns = doubles_from_blob(row.column_blob(9));
    return s;
  });
}

Result<std::vector<TrialLeader>> DiscoveryStore::trial_leaders(std::int64_t session_id) {
  TL_ASSIGN_OR_RETURN(auto st, impl_->db.prepare("SELECT id, target, signature FROM trial_clusters "
                                                 "WHERE session_id=? ORDER BY id"));
  st.bind(1, session_id);
  return collect<TrialLeader>(st, [](const Statement& row) {
    return TrialLeader{row.column_int(0), row.column_text(1), doubles_from_blob(row.column_blob(2))};
  });
}

Result<std::vector<CandidateRow>> DiscoveryStore::query(const CandidateQuery& q) {
  std::string sql = fmt::format("SELECT {} FROM candidates c WHERE c.evaluated=1", kCandidateColumns);
  if (q.accepted_only) sql += " AND c.verdict='accepted'";
  if (q.session_id != 0) sql += " AND c.session_id=?1";
  if (!q.sort_metric.empty()) {
    if (!is_metric_name(q.sort_metric)) {
      return Error::invalid_argument(
          fmt::format("--sort: '{}' is not a metric name (letters, digits, '_')", q.sort_metric));
    }
    // NULLs (metric missing or not finite) go last whatever the direction.
    sql += fmt::format(
        " ORDER BY json_extract(c.metrics, '$.{0}') IS NULL, json_extract(c.metrics, '$.{0}') {1}, c.id",
        q.sort_metric, q.ascending ? "ASC" : "DESC");
  } else {
    sql += " ORDER BY c.id";
  }
  if (q.limit > 0) sql += fmt::format(" LIMIT {}", q.limit);
  TL_ASSIGN_OR_RETURN(auto st, impl_->db.prepare(sql));
  if (q.session_id != 0) st.bind(1, q.session_id);
  return collect<CandidateRow>(st, read_candidate);
}

Result<CandidateRow> DiscoveryStore::find_candidate(std::int64_t id) {
  TL_ASSIGN_OR_RETURN(
      auto st, impl_->db.prepare(fmt::format("SELECT {} FROM candidates c WHERE c.id=?", kCandidateColumns)));
  st.bind(1, id);
  TL_ASSIGN_OR_RETURN(const bool row, st.step());
  if (!row) return Error::not_found(fmt::format("{}: no strategy or candidate with id {}", path_, id));
  return read_candidate(st);
}

Result<std::optional<StrategyRecord>> DiscoveryStore::find_strategy(std::int64_t id) {
  TL_ASSIGN_OR_RETURN(
      auto st, impl_->db.prepare(fmt::format("SELECT {} FROM strategies WHERE id=?", kStrategyColumns)));
  st.bind(1, id);
  TL_ASSIGN_OR_RETURN(const bool row, st.step());
  if (!row) return std::optional<StrategyRecord>();
  return std::optional<StrategyRecord>(read_strategy(st));
}

}  // namespace tradeloop::discover
