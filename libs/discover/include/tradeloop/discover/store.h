// DiscoveryStore: the SQLite database (WAL) of discovery sessions, their candidates and the
// accepted strategies. Everything the loop learns is written here as it happens, so a process
// killed at any moment resumes from the file: planned candidates are stored before they are
// evaluated, and each batch of verdicts (with the session's progress) is one transaction.
//
// Schema (version kSchemaVersion, in table `meta`):
//   sessions(id, config JSON, status, stop_reason, wave, planned, evaluated, accepted, rejected,
//            progress, errors JSON, elapsed_seconds, started_at, updated_at)
//   candidates(id, session_id, wave, idx, target, type, name, spec, hash, origin JSON, evaluated,
//              metrics JSON, verdict, reasons JSON, fitness, seconds, evaluated_at)
//              UNIQUE(session_id, hash), UNIQUE(session_id, idx)
//   strategies(id = the candidate's id, session_id, hash, name, type, target, spec, key metric
//              columns, metrics JSON, returns BLOB (float64 little-endian), created_at)
//   trial_clusters(id = the founding candidate's id, session_id, target, signature BLOB): the
//              clusters of trials behind the deflated Sharpe ratio (trial_clusters.h), since v2
//
// One DiscoveryStore per thread (SQLite connections are not shared); the loop writes from one
// thread only. Several processes may read while one writes (WAL).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "tradeloop/core/result.h"
#include "tradeloop/core/time.h"
#include "tradeloop/discover/candidate.h"

namespace tradeloop::discover {

inline constexpr int kSchemaVersion = 2;

enum class SessionStatus : std::uint8_t { kRunning = 0, kCompleted = 1, kStopped = 2, kFailed = 3 };
std::string_view session_status_name(SessionStatus status);  // "running", "completed", ...
Result<SessionStatus> parse_session_status(std::string_view name);

struct SessionRecord {
  std::int64_t id = 0;
  std::string config;  // JSON text of the DiscoveryConfig that started it
  SessionStatus status = SessionStatus::kRunning;
  std::string stop_reason;     // "count", "budget", "interrupted", "exhausted", "error"; "" while running
  std::int64_t wave = 0;       // waves fully planned so far (the next wave to plan)
  std::int64_t planned = 0;    // candidates stored
  std::int64_t evaluated = 0;  // candidates with a verdict
  std::int64_t accepted = 0;
  std::int64_t rejected = 0;
  double progress = 0;              // evaluated / count in [0, 1]; 0 for an endless session
  std::vector<std::string> errors;  // non-fatal problems (a target that failed to load, ...)
  double elapsed_seconds = 0;       // summed over every run of the session (resumes add up)
  Timestamp started_at = 0;
  Timestamp updated_at = 0;
};

/// A stored candidate with what is known about it so far.
struct CandidateRow {
  std::int64_t session_id = 0;
  Candidate candidate;
  bool evaluated = false;
  Verdict verdict = Verdict::kPending;
  std::vector<std::string> reasons;
  Metrics metrics;
  double fitness = 0;
  double seconds = 0;
};

/// An accepted strategy (its id is its candidate's id).
struct StrategyRecord {
  std::int64_t id = 0;
  std::int64_t session_id = 0;
  std::string hash, name, type, target, spec;
  Metrics metrics;
  std::vector<double> returns;  // loaded only by accepted_returns()
  Timestamp created_at = 0;
};

/// A cluster of trials founded by candidate `id` (see trial_clusters.h).
struct TrialLeader {
  std::int64_t id = 0;
  std::string target;
  std::vector<double> signature;
};

struct CandidateQuery {
  std::int64_t session_id = 0;  // 0 = every session
  bool accepted_only = true;    // false = every evaluated candidate (`strategies list --all`)
  std::string sort_metric;      // a metric name; empty = by id
  bool ascending = false;       // direction for sort_metric
  std::int64_t limit = 0;       // 0 = no limit
};

class DiscoveryStore {
 public:
  ~DiscoveryStore();
  DiscoveryStore(const DiscoveryStore&) = delete;
  DiscoveryStore& operator=(const DiscoveryStore&) = delete;

  // Opens or creates the database at `path` (WAL, foreign keys on) and creates or checks the
  // schema. Errors name the path; a newer schema version than this build knows is refused.
  static Result<std::unique_ptr<DiscoveryStore>> open(const std::string& path);

  const std::string& path() const { return path_; }

  // Sessions.
  Result<std::int64_t> create_session(const std::string& config_json, Timestamp now);
  Result<SessionRecord> load_session(std::int64_t id);
  // The most recently created session; nullopt when there is none.
  Result<std::optional<SessionRecord>> latest_session();
  Result<std::vector<SessionRecord>> list_sessions();
  Status update_session(const SessionRecord& session);

  // Stores planned candidates and `session` (its wave and planned count) in one transaction and
  // sets each candidate's `id`. A hash or index already in the session is an error (the planner
  // deduplicates before calling).
  Status insert_planned(const SessionRecord& session, std::span<Candidate> candidates);

  // Records verdicts (one transaction): updates each candidate row, inserts accepted strategies
  // with their returns and new trial clusters with their signatures, and writes `session`
  // (counts, progress) in the same transaction.
  Status record_results(const SessionRecord& session, std::span<const CandidateResult> results);

  // Every candidate of a session in index order (planning state on resume).
  Result<std::vector<CandidateRow>> session_candidates(std::int64_t session_id);

  // Accepted strategies with their returns (correlation gate on resume).
  Result<std::vector<StrategyRecord>> accepted_returns(std::int64_t session_id);
  // The session's trial clusters in founding order (deflated Sharpe ratio on resume).
  Result<std::vector<TrialLeader>> trial_leaders(std::int64_t session_id);

  // Listing for `strategies list`: accepted strategies, or every evaluated candidate.
  Result<std::vector<CandidateRow>> query(const CandidateQuery& query);

  // One candidate by id (accepted or not); not_found naming the id.
  Result<CandidateRow> find_candidate(std::int64_t id);
  // The accepted strategy of that id, nullopt when the candidate was not accepted.
  Result<std::optional<StrategyRecord>> find_strategy(std::int64_t id);

  struct Impl;

 private:
  DiscoveryStore(std::string path, std::unique_ptr<Impl> impl);
  std::string path_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tradeloop::discover
