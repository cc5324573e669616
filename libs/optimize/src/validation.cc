#include "tradeloop/optimize/validation.h"

#include <chrono>
#include <cmath>
#include <unordered_set>

#include <fmt/format.h>

namespace tradeloop::optimize {

Result<ValidationResult> validate(const Evaluator& evaluator, const ParamSpace& space,
                                  const ValidateOptions& options) {
  const auto t0 = std::chrono::steady_clock::now();
  TL_TRY(check_objective_metrics(evaluator, options.optimize.objective));
  TL_ASSIGN_OR_RETURN(const std::vector<Fold> folds, make_folds(options.scheme, evaluator.bars()));
  std::unique_ptr<Executor> own_executor;
  Executor* executor = options.optimize.executor;
  if (executor == nullptr) {
    own_executor = make_thread_executor(options.optimize.jobs);
    executor = own_executor.get();
  }
  const Objective& objective = options.optimize.objective;
  EvalOptions oos_eval = options.optimize.eval;
  oos_eval.keep_returns = true;
  oos_eval.keep_record = true;

  ValidationResult out;
  out.scheme = options.scheme.scheme;
  std::vector<ParamPoint> candidate_points;
  std::unordered_set<std::string> candidate_keys;
  std::size_t with_best = 0;

  for (const Fold& fold : folds) {
    OptimizeOptions o = options.optimize;
    o.executor = executor;
    o.selection = fold.train;
    o.run_kind = "validate";
    o.run_salt = fmt::format("{};fold={}", options.scheme.canonical(), fold.index);
    o.overfitting = false;
    o.progress_label = fmt::format("fold {}/{}", fold.index + 1, folds.size());
    TL_ASSIGN_OR_RETURN(OptimizeResult r, optimize(evaluator, space, o));
    FoldReport report;
    report.fold = fold;
    report.trials = r.trials.size();
    out.total_trials += r.trials.size();
    for (const Trial& t : r.trials) {
      if (candidate_keys.insert(space.key(t.params)).second) candidate_points.push_back(t.params);
    }
    if (r.best >= 0) {
      const Trial& best = r.trials[static_cast<std::size_t>(r.best)];
      report.has_best = true;
      report.best = best.params;
      report.is_value = best.value();
      report.is_metrics = best.eval.metrics;
      report.stability = r.stability;
      for (const BarRange& block : fold.test) {
        TL_ASSIGN_OR_RETURN(Evaluation e,
                            evaluator.evaluate(space, best.params, BarSelection{block}, oos_eval));
        report.oos_blocks.push_back(std::move(e));
      }
      if (report.oos_blocks.size() == 1) {
        report.oos_metrics = report.oos_blocks[0].metrics;
      } else {
        TL_ASSIGN_OR_RETURN(Evaluation joined, evaluator.stitch(report.oos_blocks, oos_eval));
        report.oos_metrics = std::move(joined.metrics);
      }
      report.oos_value = objective.score(report.oos_metrics).values[0];
      report.degradation = objective.utility(0, report.is_value) - objective.utility(0, report.oos_value);
      if (!std::isfinite(report.degradation)) report.degradation = std::nan("");
      report.degradation_pct =
          report.is_value != 0 ? 100 * report.degradation / std::fabs(report.is_value) : 0;
      ++with_best;
      out.mean_is_value += report.is_value;
      out.mean_oos_value += report.oos_value;
      out.mean_degradation += report.degradation;
      out.mean_degradation_pct += report.degradation_pct;
    }
    out.folds.push_back(std::move(report));
  }
  if (with_best > 0) {
    const auto n = static_cast<double>(with_best);
    out.mean_is_value /= n;
    out.mean_oos_value /= n;
    out.mean_degradation /= n;
    out.mean_degradation_pct /= n;
  }

  if (options.scheme.scheme != Scheme::kCpcv) {
    std::vector<Evaluation> pieces;
    for (const FoldReport& f : out.folds) {
      for (const Evaluation& e : f.oos_blocks) pieces.push_back(e);
    }
    if (!pieces.empty()) {
      TL_ASSIGN_OR_RETURN(Evaluation stitched, evaluator.stitch(pieces, oos_eval));
      out.oos_metrics = stitched.metrics;
      out.oos_value = objective.score(out.oos_metrics).values[0];
      out.oos_stats = stitched.stats;
      out.oos_returns = std::move(stitched.returns);
      out.oos_record = stitched.record;
    }
  } else {
    const auto paths = cpcv_paths(folds, options.scheme.folds);
    std::map<std::string, double> sums;
    std::map<std::string, std::size_t> counts;
    for (const auto& path : paths) {
      std::vector<Evaluation> pieces;
      for (std::size_t g = 0; g < path.size(); ++g) {
        const FoldReport& f = out.folds[path[g]];
        if (!f.has_best) break;
        for (std::size_t k = 0; k < f.fold.test_groups.size(); ++k) {
          if (f.fold.test_groups[k] == g) pieces.push_back(f.oos_blocks[k]);
        }
      }
      if (pieces.size() != path.size()) continue;  // a fold without an accepted trial breaks the path
      TL_ASSIGN_OR_RETURN(Evaluation stitched, evaluator.stitch(pieces, oos_eval));
      PathReport p;
      p.folds = path;
      p.metrics = stitched.metrics;
      p.value = objective.score(p.metrics).values[0];
      p.probabilistic_sharpe =
          probabilistic_sharpe(stitched.stats.sharpe(), 0, static_cast<double>(stitched.stats.count),
                               stitched.stats.skew, stitched.stats.kurtosis);
      for (const auto& [name, value] : p.metrics) {
        sums[name] += value;
        ++counts[name];
      }
      out.paths.push_back(std::move(p));
    }
    for (const auto& [name, sum] : sums) {
      if (counts[name] == out.paths.size())
        out.oos_metrics[name] = sum / static_cast<double>(out.paths.size());
    }
    if (!out.paths.empty()) {
      double v = 0, psr = 0;
      for (const PathReport& p : out.paths) {
        v += p.value;
        psr += p.probabilistic_sharpe;
      }
      out.oos_value = v / static_cast<double>(out.paths.size());
      out.oos_probabilistic_sharpe = psr / static_cast<double>(out.paths.size());
    }
  }
  if (options.scheme.scheme != Scheme::kCpcv && out.oos_stats.count >= 2) {
    out.oos_probabilistic_sharpe =
        probabilistic_sharpe(out.oos_stats.sharpe(), 0, static_cast<double>(out.oos_stats.count),
                             out.oos_stats.skew, out.oos_stats.kurtosis);
  }

  if (options.overfitting && !candidate_points.empty()) {
    const BarSelection all{BarRange{0, evaluator.bars()}};
    EvalOptions eval = options.optimize.eval;
    eval.keep_returns = false;
    eval.keep_record = false;
    const auto task = [&](std::size_t i) -> Result<Trial> {
      TL_ASSIGN_OR_RETURN(Evaluation e, evaluator.evaluate(space, candidate_points[i], all, eval));
      return make_trial(i, candidate_points[i], std::move(e), objective);
    };
    if (options.optimize.progress && executor->is_root()) {
      options.optimize.progress->start("all bars", candidate_points.size());
    }
    std::size_t done = 0;
    TL_ASSIGN_OR_RETURN(out.candidates, executor->run(candidate_points.size(), task, [&](const Trial&) {
      if (options.optimize.progress) options.optimize.progress->update(++done, "");
    }));
    if (options.optimize.progress && executor->is_root()) options.optimize.progress->finish();
    out.full_best = best_trial(out.candidates);
    if (out.full_best >= 0) {
      out.deflated_sharpe = deflated_sharpe(
          out.candidates[static_cast<std::size_t>(out.full_best)].eval.stats, trial_sharpes(out.candidates));
    } else {
      out.deflated_sharpe.note = "no accepted point on the whole data set";
    }
    std::vector<std::vector<BlockMoments>> blocks;
    for (const Trial& t : out.candidates) blocks.push_back(t.eval.stats.blocks);
    TL_ASSIGN_OR_RETURN(out.pbo, pbo_cscv(blocks, executor->jobs()));
  }
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return out;
}

}  // namespace tradeloop::optimize
