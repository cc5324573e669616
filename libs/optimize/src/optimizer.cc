#include "tradeloop/optimize/optimizer.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <limits>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "tradeloop/core/closest_name.h"
#include "tradeloop/optimize/hash.h"

namespace tradeloop::optimize {
namespace {

std::string best_text(const Objective& objective, const Trial& t) {
  return fmt::format("{}={:.6g}", objective.term(0).metric, t.value());
}

}  // namespace

Status check_objective_metrics(const Evaluator& evaluator, const Objective& objective) {
  const std::vector<std::string> known = evaluator.metric_names();
  if (known.empty()) return {};
  for (const std::string& name : objective.metrics_used()) {
    if (std::find(known.begin(), known.end(), name) != known.end()) continue;
    return Error::invalid_argument(fmt::format("--objective: unknown metric '{}'{}", name,
                                               did_you_mean_suffix(closest_name(name, known, 3))));
  }
  return {};
}

std::string run_identity(const Evaluator& evaluator, const ParamSpace& space,
                         const OptimizeOptions& options) {
  std::uint64_t h = fnv1a64(options.run_kind);
  for (const std::string& part :
       {evaluator.identity(), space.canonical(), options.objective.canonical(), options.search.canonical(),
        selection_text(options.selection),
        fmt::format("blocks={};returns={}", options.eval.blocks, options.eval.keep_returns),
        options.run_salt}) {
    h = fnv1a64(std::string_view("|"), h);
    h = fnv1a64(part, h);
  }
  return hash_hex(h);
}

std::vector<double> trial_sharpes(const std::vector<Trial>& trials) {
  std::vector<double> out;
  out.reserve(trials.size());
  for (const Trial& t : trials) {
    if (t.eval.stats.count >= 2) out.push_back(t.eval.stats.sharpe());
  }
  return out;
}

Result<OptimizeResult> optimize(const Evaluator& evaluator, const ParamSpace& space,
                                const OptimizeOptions& options) {
  const auto t0 = std::chrono::steady_clock::now();
  TL_TRY(check_objective_metrics(evaluator, options.objective));
  TL_ASSIGN_OR_RETURN(const std::uint64_t budget, trial_budget(options.search, space));
  TL_ASSIGN_OR_RETURN(std::unique_ptr<SearchMethod> method,
                      make_search_method(options.search, space, options.objective));

  std::unique_ptr<Executor> own_executor;
  Executor* executor = options.executor;
  if (executor == nullptr) {
    own_executor = make_thread_executor(options.jobs);
    executor = own_executor.get();
  }
  const bool root = executor->is_root();

  BarSelection selection = options.selection;
  if (selection.empty()) selection.push_back(BarRange{0, evaluator.bars()});
  for (const BarRange& r : selection) {
    if (r.begin >= r.end || r.end > evaluator.bars()) {
      return Error::out_of_range(fmt::format("bar range [{},{}) is empty or beyond the data's {} bars",
                                             r.begin, r.end, evaluator.bars()));
    }
  }

  OptimizeResult out;
  out.run_id = run_identity(evaluator, space, options);
  out.bars = selection_bars(selection);

  // Trials finished by an earlier, interrupted run: read on the root, shared with every rank.
  std::unordered_map<std::uint64_t, Trial> resumed;
  {
    std::string bytes;
    if (root && options.store) {
      const std::string config = fmt::format(
          R"({{"kind":"{}","identity":"{}","space":"{}","objective":"{}","search":"{}","selection":"{}"}})",
          options.run_kind, hash_hex(fnv1a64(evaluator.identity())), space.canonical(),
          options.objective.canonical(), options.search.canonical(), selection_text(selection));
      TL_ASSIGN_OR_RETURN(std::vector<Trial> done,
                          options.store->begin_run(out.run_id, options.run_kind, config, options.resume));
      for (const Trial& t : done) serialize_trial(t, bytes);
    }
    TL_TRY(executor->broadcast(bytes));
    std::string_view in(bytes);
    while (!in.empty()) {
      TL_ASSIGN_OR_RETURN(Trial t, deserialize_trial(in));
      resumed.emplace(t.index, std::move(t));
    }
  }

  std::vector<Trial>& trials = out.trials;
  std::unordered_map<std::string, std::size_t> by_key;
  SearchHistory history(space, trials, by_key);
  const std::uint64_t progress_total = budget == std::numeric_limits<std::uint64_t>::max() ? 0 : budget;
  if (options.progress && root) options.progress->start(options.progress_label, progress_total);
  std::atomic<std::uint64_t> done_count{0};
  double best_so_far = -std::numeric_limits<double>::infinity();
  std::string best_label;
  std::mutex best_mutex;

  int stalls = 0;
  while (trials.size() < budget) {
    TL_ASSIGN_OR_RETURN(std::vector<ParamPoint> batch, method->next(history));
    if (batch.empty()) break;
    std::vector<ParamPoint> fresh;
    std::unordered_set<std::string> batch_keys;
    for (ParamPoint& p : batch) {
      if (p.size() != space.size())
        return Error::internal("search method proposed a point of the wrong size");
      std::string key = space.key(p);
      if (by_key.count(key) || !batch_keys.insert(std::move(key)).second) continue;
      fresh.push_back(std::move(p));
      if (trials.size() + fresh.size() >= budget) break;
    }
    if (fresh.empty()) {
      if (++stalls > 100) break;  // the method keeps proposing known points: the space is exhausted
      continue;
    }
    stalls = 0;
    const std::uint64_t base = trials.size();
    std::vector<std::size_t> todo;
    std::vector<std::optional<Trial>> slot(fresh.size());
    for (std::size_t k = 0; k < fresh.size(); ++k) {
      const auto it = resumed.find(base + k);
      if (it != resumed.end() && space.key(it->second.params) == space.key(fresh[k])) {
        slot[k] = std::move(it->second);
        resumed.erase(it);
        ++out.resumed_trials;
      } else {
        todo.push_back(k);
      }
    }
    const auto task = [&](std::size_t i) -> Result<Trial> {
      const std::size_t k = todo[i];
      TL_ASSIGN_OR_RETURN(Evaluation eval, evaluator.evaluate(space, fresh[k], selection, options.eval));
      return make_trial(base + k, fresh[k], std::move(eval), options.objective);
    };
    const auto on_done = [&](const Trial& t) {
      if (options.store) {
        // A failed write is reported at flush() below; the trial itself is kept in memory.
        (void)options.store->add(out.run_id, t, space);
      }
      const std::uint64_t done = ++done_count + out.resumed_trials;
      if (options.progress) {
        std::lock_guard<std::mutex> lock(best_mutex);
        if (t.ok() && t.utility() > best_so_far) {
          best_so_far = t.utility();
          best_label = best_text(options.objective, t);
        }
        options.progress->update(done, best_label);
      }
    };
    auto ran = executor->run(todo.size(), task, on_done);
    if (!ran.ok()) {
      // Keep what finished before the failure: a resumed run will not redo it.
      if (root && options.store) (void)options.store->flush();
      if (options.progress && root) options.progress->finish();
      return std::move(ran).error();
    }
    std::vector<Trial> evaluated = std::move(ran).value();
    out.evaluated_trials += evaluated.size();
    for (std::size_t i = 0; i < todo.size(); ++i) slot[todo[i]] = std::move(evaluated[i]);
    for (std::size_t k = 0; k < fresh.size(); ++k) {
      by_key.emplace(space.key(slot[k]->params), trials.size());
      trials.push_back(std::move(*slot[k]));
    }
    if (root && options.store) TL_TRY(options.store->flush());
  }
  if (options.progress && root) options.progress->finish();
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  out.best = best_trial(trials);
  if (options.objective.size() > 1) {
    std::vector<std::size_t> accepted;
    std::vector<std::vector<double>> utilities;
    for (std::size_t i = 0; i < trials.size(); ++i) {
      if (!trials[i].ok()) continue;
      accepted.push_back(i);
      utilities.push_back(trials[i].utilities);
    }
    const auto fronts = non_dominated_sort(utilities);
    if (!fronts.empty()) {
      for (const std::size_t k : fronts[0]) out.pareto_front.push_back(accepted[k]);
    }
  }

  const auto t1 = std::chrono::steady_clock::now();
  if (options.stability && out.best >= 0) {
    const Trial& best = trials[static_cast<std::size_t>(out.best)];
    std::vector<double> values;
    Stability& st = out.stability;
    for (const ParamPoint& p : space.neighbours(best.params)) {
      const Trial* known = history.find(p);
      Trial measured;
      if (known == nullptr) {
        TL_ASSIGN_OR_RETURN(Evaluation eval, evaluator.evaluate(space, p, selection, options.eval));
        measured = make_trial(0, p, std::move(eval), options.objective);
        known = &measured;
      }
      if (known->ok()) {
        values.push_back(known->value());
      } else {
        ++st.rejected;
      }
    }
    st.best_value = best.value();
    st.neighbours = values.size();
    if (!values.empty()) {
      st.valid = true;
      double sum = 0;
      st.min = st.max = values[0];
      for (const double v : values) {
        sum += v;
        st.min = std::min(st.min, v);
        st.max = std::max(st.max, v);
      }
      st.mean = sum / static_cast<double>(values.size());
      double ss = 0;
      for (const double v : values) ss += (v - st.mean) * (v - st.mean);
      st.stdev = values.size() > 1 ? std::sqrt(ss / static_cast<double>(values.size() - 1)) : 0;
      st.relative_spread = st.best_value != 0 ? st.stdev / std::fabs(st.best_value) : 0;
    }
  }

  if (options.overfitting) {
    const std::vector<double> sharpes = trial_sharpes(trials);
    if (out.best >= 0) {
      out.deflated_sharpe = deflated_sharpe(trials[static_cast<std::size_t>(out.best)].eval.stats, sharpes);
    } else {
      out.deflated_sharpe.note = "no accepted trial";
    }
    std::vector<std::vector<BlockMoments>> blocks;
    for (const Trial& t : trials) {
      if (!t.eval.stats.blocks.empty()) blocks.push_back(t.eval.stats.blocks);
    }
    std::size_t common = blocks.empty() ? 0 : blocks[0].size();
    bool same = true;
    for (const auto& b : blocks) same = same && b.size() == common;
    if (!same) {
      out.pbo.note = "trials have return series of different lengths";
    } else {
      TL_ASSIGN_OR_RETURN(out.pbo, pbo_cscv(blocks, executor->jobs()));
    }
  }
  out.overfitting_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
  if (root && options.store) TL_TRY(options.store->finish_run(out.run_id, "done"));
  return out;
}

}  // namespace tradeloop::optimize
