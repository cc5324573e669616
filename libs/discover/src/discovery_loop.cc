#include "tradeloop/discover/discovery_loop.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include <fmt/format.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include "json_util.h"
#include "tradeloop/optimize/overfitting.h"

namespace tradeloop::discover {

using internal::Json;

namespace {

double metric(const Metrics& m, std::string_view key) {
  auto it = m.find(key);
  return it == m.end() ? std::numeric_limits<double>::quiet_NaN() : it->second;
}

}  // namespace

double returns_correlation(std::span<const double> a, std::span<const double> b) {
  const std::size_t n = std::min(a.size(), b.size());
  if (n < 3) return std::numeric_limits<double>::quiet_NaN();
  a = a.subspan(a.size() - n);
  b = b.subspan(b.size() - n);
  double ma = 0, mb = 0;
  for (std::size_t i = 0; i < n; ++i) {
    ma += a[i];
    mb += b[i];
  }
  ma /= static_cast<double>(n);
  mb /= static_cast<double>(n);
  double sab = 0, saa = 0, sbb = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double da = a[i] - ma, db = b[i] - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  if (saa <= 0 || sbb <= 0) return std::numeric_limits<double>::quiet_NaN();
  return sab / std::sqrt(saa * sbb);
}

// ---------------------------------------------------------------------------------------------
// GateKeeper

GateKeeper::GateKeeper(GateOverrides overrides, std::function<FrequencyClass(std::string_view)> frequency)
    : overrides_(std::move(overrides)), frequency_(std::move(frequency)) {}

GateKeeper::TargetState& GateKeeper::state(std::string_view target) {
  for (auto& [name, s] : targets_) {
    if (name == target) return s;
  }
  targets_.emplace_back(std::string(target), TargetState{});
  return targets_.back().second;
}

const QualityGates& GateKeeper::gates_for(std::string_view target) {
  TargetState& s = state(target);
  if (!s.gates_known) {
    s.gates = overrides_.resolve(frequency_ ? frequency_(target) : FrequencyClass::kDaily);
    s.gates_known = true;
  }
  return s.gates;
}

TrialClusters& GateKeeper::trials(std::string_view target) {
  const QualityGates& gates = gates_for(target);
  TargetState& s = state(target);
  if (!s.trials) s.trials.emplace(gates.trial_correlation);
  return *s.trials;
}

void GateKeeper::add_trial_leader(const std::string& target, std::int64_t id, std::vector<double> signature) {
  trials(target).add_leader(id, std::move(signature));
}

Status GateKeeper::add_history(const CandidateRow& row) {
  if (!row.evaluated) return ok_status();
  const double sr = metric(row.metrics, "period_sharpe");
  if (!std::isfinite(sr)) return ok_status();
  const double cluster = metric(row.metrics, "trial_cluster");
  if (!std::isfinite(cluster) ||
      !trials(row.candidate.target).add_member(static_cast<std::int64_t>(cluster), sr)) {
    return Error::failed_precondition(fmt::format(
        "candidate {} (id {}) has no stored trial cluster: the session was recorded by an older version "
        "and cannot be resumed; start a new session",
        row.candidate.index, row.candidate.id));
  }
  return ok_status();
}

void GateKeeper::add_accepted(const StrategyRecord& strategy) {
  state(strategy.target).accepted.emplace_back(strategy.id, strategy.returns);
}

CandidateResult GateKeeper::decide(const Candidate& candidate, Evaluation evaluation) {
  CandidateResult r;
  r.candidate = candidate;
  const QualityGates gates = gates_for(candidate.target);
  TargetState& s = state(candidate.target);
  if (!evaluation.ok) {
    r.verdict = Verdict::kRejected;
    r.reasons.push_back(fmt::format("untestable: {}", evaluation.error));
    r.fitness = -1e9;
    evaluation.returns.clear();
    r.evaluation = std::move(evaluation);
    return r;
  }
  Metrics& m = evaluation.metrics;
  // Deflated Sharpe ratio against the target's effectively independent trials so far (this one
  // included), clustered by the correlation of their in-sample returns.
  const double sr = metric(m, "period_sharpe");
  TrialClusters& clusters = trials(candidate.target);
  if (std::isfinite(sr)) {
    const double bars = metric(m, "bars");
    const std::size_t is_bars = std::isfinite(bars) && bars > 0
                                    ? std::min(evaluation.returns.size(), static_cast<std::size_t>(bars))
                                    : evaluation.returns.size();
    std::vector<double> sig =
        TrialClusters::signature(std::span<const double>(evaluation.returns.data(), is_bars));
    const auto assigned = clusters.add(candidate.id, sig, sr);
    if (assigned.founded) r.trial_signature = std::move(sig);
    m["trial_cluster"] = static_cast<double>(assigned.cluster);
    double skew = metric(m, "returns_skew"), kurtosis = metric(m, "returns_kurtosis");
    if (!std::isfinite(skew)) skew = 0;
    if (!std::isfinite(kurtosis)) kurtosis = 3;
    const optimize::DeflatedSharpe dsr = optimize::deflated_sharpe(
        sr, bars, static_cast<double>(clusters.clusters()), clusters.sharpe_variance(), skew, kurtosis);
    m["deflated_sharpe"] = dsr.valid ? dsr.probability : std::numeric_limits<double>::quiet_NaN();
    m["dsr_benchmark_sharpe"] = dsr.expected_max_sharpe;
  } else {
    m["deflated_sharpe"] = std::numeric_limits<double>::quiet_NaN();
  }
  m["trials"] = static_cast<double>(clusters.trials());
  m["effective_trials"] = static_cast<double>(clusters.clusters());
  // Duplicates: the largest |correlation| of per-bar returns with a strategy accepted on this target.
  double best = -1;
  std::int64_t with = 0;
  for (const auto& [id, returns] : s.accepted) {
    const double c = std::abs(returns_correlation(evaluation.returns, returns));
    if (std::isfinite(c) && c > best) {
      best = c;
      with = id;
    }
  }
  if (best >= 0) {
    m["max_correlation"] = best;
    m["correlated_with"] = static_cast<double>(with);
  }
  r.reasons = check_gates(gates, m);
  r.verdict = r.reasons.empty() ? Verdict::kAccepted : Verdict::kRejected;
  r.fitness = fitness(gates, m);
  if (r.verdict == Verdict::kAccepted) {
    s.accepted.emplace_back(candidate.id, evaluation.returns);
  } else {
    evaluation.returns.clear();  // only accepted strategies' returns are kept (and stored)
  }
  r.evaluation = std::move(evaluation);
  return r;
}

// ---------------------------------------------------------------------------------------------
// Messages between ranks (MessagePack of small JSON trees).

namespace {

Json candidate_message(const Candidate& c) {
  return Json{{"id", c.id},     {"index", c.index}, {"wave", c.wave}, {"target", c.target},
              {"type", c.type}, {"name", c.name},   {"spec", c.spec}, {"hash", c.hash}};
}

Candidate candidate_from_message(const Json& j) {
  Candidate c;
  c.id = j.at("id").get<std::int64_t>();
  c.index = j.at("index").get<std::int64_t>();
  c.wave = j.at("wave").get<std::int64_t>();
  c.target = j.at("target").get<std::string>();
  c.type = j.at("type").get<std::string>();
  c.name = j.at("name").get<std::string>();
  c.spec = j.at("spec").get<std::string>();
  c.hash = j.at("hash").get<std::string>();
  return c;
}

// Doubles travel as raw float64 (NaN included) so every rank's numbers arrive bit for bit.
Json evaluation_message(std::size_t position, const Evaluation& e) {
  Json metrics = Json::object();
  for (const auto& [k, v] : e.metrics) metrics[k] = v;
  return Json{{"pos", position}, {"ok", e.ok},     {"error", e.error},
              {"m", metrics},    {"r", e.returns}, {"s", e.seconds}};
}

std::pair<std::size_t, Evaluation> evaluation_from_message(const Json& j) {
  Evaluation e;
  e.ok = j.at("ok").get<bool>();
  e.error = j.at("error").get<std::string>();
  for (auto it = j.at("m").begin(); it != j.at("m").end(); ++it) {
    e.metrics[it.key()] =
        it.value().is_number() ? it.value().get<double>() : std::numeric_limits<double>::quiet_NaN();
  }
  e.returns = j.at("r").get<std::vector<double>>();
  e.seconds = j.at("s").get<double>();
  return {j.at("pos").get<std::size_t>(), std::move(e)};
}

std::string pack(const Json& j) {
  const auto bytes = Json::to_msgpack(j);
  return std::string(bytes.begin(), bytes.end());
}

Json unpack(const std::string& s) {
  return Json::from_msgpack(s);
}

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Evaluates the positions of `candidates` assigned to this rank (position % size == rank), in
// position order across `jobs` threads, and stops taking new ones at the deadline or a second
// interrupt. Returns (position, evaluation) for the ones done.
std::vector<std::pair<std::size_t, Evaluation>> evaluate_share(const Evaluator& evaluator,
                                                               const std::vector<Candidate>& candidates,
                                                               int rank, int size, int jobs,
                                                               Clock::time_point deadline, bool has_deadline,
                                                               const std::atomic<int>* interrupts) {
  std::vector<std::size_t> mine;
  for (std::size_t p = static_cast<std::size_t>(rank); p < candidates.size();
       p += static_cast<std::size_t>(size)) {
    mine.push_back(p);
  }
  std::vector<std::optional<Evaluation>> slots(mine.size());
  std::atomic<std::size_t> next{0};
  std::atomic<bool> stop{false};
  auto worker = [&](int) {
    for (;;) {
      if (stop.load(std::memory_order_relaxed)) return;
      if ((has_deadline && Clock::now() >= deadline) || (interrupts != nullptr && interrupts->load() >= 2)) {
        stop = true;
        return;
      }
      const std::size_t k = next.fetch_add(1);
      if (k >= mine.size()) return;
      const auto t0 = Clock::now();
      Evaluation e = evaluator.evaluate(candidates[mine[k]]);
      e.seconds = seconds_since(t0);
      slots[k] = std::move(e);
    }
  };
  const int threads = std::max(1, std::min<int>(jobs, static_cast<int>(mine.size())));
  if (threads == 1) {
    worker(0);
  } else {
    tbb::task_arena arena(threads);
    arena.execute([&] { tbb::parallel_for(0, threads, worker, tbb::simple_partitioner()); });
  }
  std::vector<std::pair<std::size_t, Evaluation>> out;
  for (std::size_t k = 0; k < mine.size(); ++k) {
    if (slots[k]) out.emplace_back(mine[k], std::move(*slots[k]));
  }
  return out;
}

Timestamp system_now() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// DiscoveryLoop

DiscoveryLoop::DiscoveryLoop(DiscoveryStore* store, CandidateGenerator* generator, const Evaluator* evaluator,
                             Cluster* cluster, LoopOptions options)
    : store_(store),
      generator_(generator),
      evaluator_(evaluator),
      cluster_(cluster),
      options_(std::move(options)) {
  // More threads than cores only adds contention (and TBB warns about it).
  const int cores = tbb::this_task_arena::max_concurrency();
  if (options_.jobs <= 0 || options_.jobs > cores) options_.jobs = cores;
  if (options_.wave_size == 0) options_.wave_size = 1;
  if (!options_.now) options_.now = system_now;
}

Result<LoopSummary> DiscoveryLoop::run(SessionRecord session) {
  const auto t0 = Clock::now();
  const bool has_deadline = options_.budget_seconds > 0;
  const auto deadline = t0 + std::chrono::duration_cast<Clock::duration>(
                                 std::chrono::duration<double>(options_.budget_seconds));
  const int rank = cluster_->rank();
  const int size = cluster_->size();
  LoopSummary summary;

  if (rank != 0) {
    // A worker rank: evaluate each wave's share until rank 0 says stop.
    for (;;) {
      std::string message;
      cluster_->broadcast(message);
      const Json j = unpack(message);
      if (j.at("op").get<std::string>() == "stop") break;
      std::vector<Candidate> candidates;
      for (const auto& c : j.at("candidates")) candidates.push_back(candidate_from_message(c));
      const double remaining = j.at("remaining").get<double>();
      const auto local_deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                                     std::chrono::duration<double>(std::max(0.0, remaining)));
      auto done = evaluate_share(*evaluator_, candidates, rank, size, options_.jobs, local_deadline,
                                 remaining >= 0, options_.interrupts);
      Json out = Json::array();
      for (const auto& [pos, e] : done) {
        summary.evaluation_seconds += e.seconds;
        out.push_back(evaluation_message(pos, e));
      }
      summary.evaluated_this_run += static_cast<std::int64_t>(done.size());
      (void)cluster_->gather(pack(out));
    }
    summary.seconds = seconds_since(t0);
    return summary;
  }

  auto stop_workers = [&] {
    if (size > 1) {
      std::string stop = pack(Json{{"op", "stop"}});
      cluster_->broadcast(stop);
    }
  };
  auto fail = [&](Error error) -> Result<LoopSummary> {
    stop_workers();
    session.status = SessionStatus::kFailed;
    session.stop_reason = "error";
    session.errors.push_back(error.message());
    session.updated_at = options_.now();
    (void)store_->update_session(session);
    return error;
  };

  // State from the store: every candidate (planning, dedupe, trials) and the accepted strategies.
  auto rows_or = store_->session_candidates(session.id);
  if (!rows_or.ok()) return fail(rows_or.error());
  std::vector<CandidateRow> history = std::move(rows_or).value();
  std::unordered_set<std::string> seen;
  GateKeeper keeper(options_.gates, [this](std::string_view t) { return evaluator_->frequency(t); });
  std::vector<Candidate> pending;
  auto leaders_or = store_->trial_leaders(session.id);
  if (!leaders_or.ok()) return fail(leaders_or.error());
  for (auto& leader : leaders_or.value()) {
    keeper.add_trial_leader(leader.target, leader.id, std::move(leader.signature));
  }
  for (const auto& row : history) {
    seen.insert(row.candidate.hash);
    if (row.evaluated) {
      if (auto st = keeper.add_history(row); !st.ok()) return fail(st.error());
    } else {
      pending.push_back(row.candidate);
    }
  }
  auto accepted_or = store_->accepted_returns(session.id);
  if (!accepted_or.ok()) return fail(accepted_or.error());
  Progress progress;
  progress.session_id = session.id;
  auto note_best = [&](const std::string& name, const Metrics& m) {
    const double sharpe = metric(m, "sharpe_ratio");
    if (progress.best_name.empty() || sharpe > progress.best_sharpe) {
      progress.best_name = name;
      progress.best_sharpe = sharpe;
    }
  };
  for (const auto& s : accepted_or.value()) {
    keeper.add_accepted(s);
    note_best(s.name, s.metrics);
  }

  const double elapsed_before = session.elapsed_seconds;
  session.status = SessionStatus::kRunning;
  session.stop_reason.clear();
  session.updated_at = options_.now();
  if (auto st = store_->update_session(session); !st.ok()) return fail(st.error());

  std::string stop_reason;
  for (;;) {
    if (options_.interrupts != nullptr && options_.interrupts->load() >= 1) {
      stop_reason = "interrupted";
      break;
    }
    if (has_deadline && Clock::now() >= deadline) {
      stop_reason = "budget";
      break;
    }
    if (options_.count >= 0 && session.evaluated >= options_.count) {
      stop_reason = "count";
      break;
    }
    if (pending.empty()) {
      std::size_t n = options_.wave_size;
      if (options_.count >= 0)
        n = static_cast<std::size_t>(
            std::min<std::int64_t>(static_cast<std::int64_t>(n), options_.count - session.planned));
      if (n == 0) {
        stop_reason = "count";
        break;
      }
      PlanContext ctx;
      ctx.seed = options_.seed;
      ctx.wave = session.wave;
      ctx.first_index = session.planned;
      ctx.count = n;
      ctx.history = history;
      ctx.seen = &seen;
      auto phase = Clock::now();
      auto planned_or = generator_->plan_wave(ctx);
      summary.phases.plan += seconds_since(phase);
      if (!planned_or.ok())
        return fail(planned_or.error().with_context(fmt::format("planning wave {}", session.wave)));
      std::vector<Candidate> planned = std::move(planned_or).value();
      if (planned.empty()) {
        stop_reason = "exhausted";
        break;
      }
      session.wave += 1;
      session.planned += static_cast<std::int64_t>(planned.size());
      session.updated_at = options_.now();
      phase = Clock::now();
      if (auto st = store_->insert_planned(session, planned); !st.ok()) return fail(st.error());
      summary.phases.store_planned += seconds_since(phase);
      for (const auto& c : planned) {
        CandidateRow row;
        row.session_id = session.id;
        row.candidate = c;
        history.push_back(std::move(row));
      }
      pending = std::move(planned);
    }

    // Evaluate the pending candidates on every rank.
    auto phase = Clock::now();
    const double remaining =
        has_deadline ? std::chrono::duration<double>(deadline - Clock::now()).count() : -1.0;
    if (size > 1) {
      Json message{{"op", "wave"}, {"remaining", remaining}, {"candidates", Json::array()}};
      for (const auto& c : pending) message["candidates"].push_back(candidate_message(c));
      std::string packed = pack(message);
      cluster_->broadcast(packed);
    }
    auto done = evaluate_share(*evaluator_, pending, 0, size, options_.jobs, deadline, has_deadline,
                               options_.interrupts);
    std::vector<std::optional<Evaluation>> by_position(pending.size());
    for (auto& [pos, e] : done) by_position[pos] = std::move(e);
    if (size > 1) {
      const auto parts = cluster_->gather(std::string());
      for (std::size_t r = 1; r < parts.size(); ++r) {
        for (const auto& item : unpack(parts[r])) {
          auto [pos, e] = evaluation_from_message(item);
          if (pos < by_position.size()) by_position[pos] = std::move(e);
        }
      }
    }

    summary.phases.evaluate += seconds_since(phase);
    phase = Clock::now();
    // Gate the evaluated prefix in index order (results after a gap, left by a budget stop, are
    // dropped so that a resumed session decides exactly as an uninterrupted one would).
    std::vector<CandidateResult> results;
    for (std::size_t p = 0; p < pending.size() && by_position[p]; ++p) {
      summary.evaluation_seconds += by_position[p]->seconds;
      results.push_back(keeper.decide(pending[p], std::move(*by_position[p])));
    }
    for (const auto& r : results) {
      session.evaluated += 1;
      if (r.verdict == Verdict::kAccepted) {
        session.accepted += 1;
        note_best(r.candidate.name, r.evaluation.metrics);
      } else {
        session.rejected += 1;
      }
    }
    session.progress =
        options_.count > 0
            ? std::min(1.0, static_cast<double>(session.evaluated) / static_cast<double>(options_.count))
            : 0.0;
    session.elapsed_seconds = elapsed_before + seconds_since(t0);
    session.updated_at = options_.now();
    summary.phases.gate += seconds_since(phase);
    phase = Clock::now();
    if (!results.empty()) {
      if (auto st = store_->record_results(session, results); !st.ok()) return fail(st.error());
    }
    summary.phases.record += seconds_since(phase);
    // Mirror what was stored into the in-memory history (planning reads it).
    std::size_t h = history.size() - pending.size();
    for (const auto& r : results) {
      CandidateRow& row = history[h++];
      TL_CHECK(row.candidate.index == r.candidate.index, "history out of step with pending candidates");
      row.evaluated = true;
      row.verdict = r.verdict;
      row.reasons = r.reasons;
      row.metrics = r.evaluation.metrics;
      row.fitness = r.fitness;
      row.seconds = r.evaluation.seconds;
    }
    summary.evaluated_this_run += static_cast<std::int64_t>(results.size());
    const bool cut = results.size() < pending.size();
    pending.erase(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(results.size()));

    progress.wave = session.wave;
    progress.evaluated = session.evaluated;
    progress.accepted = session.accepted;
    progress.evaluated_this_run = summary.evaluated_this_run;
    progress.seconds = seconds_since(t0);
    if (options_.on_progress) options_.on_progress(progress);
    if (cut) {
      stop_reason =
          (options_.interrupts != nullptr && options_.interrupts->load() >= 2) ? "interrupted" : "budget";
      break;
    }
  }
  stop_workers();
  session.status = stop_reason == "count" ? SessionStatus::kCompleted : SessionStatus::kStopped;
  session.stop_reason = stop_reason;
  session.elapsed_seconds = elapsed_before + seconds_since(t0);
  session.updated_at = options_.now();
  if (auto st = store_->update_session(session); !st.ok()) return st.error();
  summary.session = session;
  summary.seconds = seconds_since(t0);
  return summary;
}

}  // namespace tradeloop::discover
