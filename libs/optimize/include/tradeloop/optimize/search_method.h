// Search methods: which parameter points to try next, given every trial finished so far.
//
//   grid     every lattice point, in grid order (first parameter slowest)
//   random   uniform samples of the space, without repeating a point
//   bayes    Gaussian-process surrogate (Matern 5/2 kernel on the unit-cube encoding, length scale by
//            maximum marginal likelihood) with expected improvement, maximized over sampled
//            candidates and refined with NLopt (BOBYQA); `batch` points per round (kriging believer)
//   genetic  tournament selection, uniform crossover, mutation, elitism; `population` x `generations`
//   nsga2    NSGA-II: non-dominated sorting + crowding distance over several objectives
//
// Determinism: a method draws from its own Rng seeded by (seed, round) and reads only the history,
// which the driver keeps in trial-index order. So the points proposed never depend on how many
// threads or ranks evaluated the previous batch, or on the order they finished.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tradeloop/core/result.h"
#include "tradeloop/optimize/objective.h"
#include "tradeloop/optimize/param_space.h"
#include "tradeloop/optimize/trial.h"

namespace tradeloop::optimize {

enum class Method : std::uint8_t { kGrid = 0, kRandom = 1, kBayes = 2, kGenetic = 3, kNsga2 = 4 };

Result<Method> parse_method(std::string_view text);
std::string_view method_name(Method method);

struct SearchConfig {
  Method method = Method::kGrid;
  // Budget of distinct points to evaluate; 0 = the method's default (grid: all points; random: 100;
  // bayes: 50; genetic/nsga2: as many as `generations` generations take).
  std::uint64_t trials = 0;
  std::uint64_t seed = 0;
  std::size_t population = 20;  // genetic, nsga2
  std::size_t generations = 0;  // genetic, nsga2; 0 = 10, or unlimited when `trials` is given
  std::size_t batch = 4;        // bayes: points per round
  std::size_t initial = 0;      // bayes: random points first; 0 = max(5, 2 * dimensions + 1)
  std::size_t elite = 2;        // genetic: best individuals kept unchanged
  std::size_t tournament = 3;   // genetic: tournament size
  double crossover = 0.9;       // probability that two parents cross over
  double mutation = 0;          // per-gene mutation probability; 0 = 1 / number of parameters

  std::string canonical() const;
};

// The trials so far (in index order) with lookup by point.
class SearchHistory {
 public:
  SearchHistory(const ParamSpace& space, const std::vector<Trial>& trials,
                const std::unordered_map<std::string, std::size_t>& by_key)
      : space_(space), trials_(trials), by_key_(by_key) {}

  const ParamSpace& space() const { return space_; }
  const std::vector<Trial>& trials() const { return trials_; }
  std::size_t size() const { return trials_.size(); }
  // nullptr when the point has not been evaluated.
  const Trial* find(const ParamPoint& point) const;
  bool contains(const std::string& key) const { return by_key_.count(key) != 0; }

 private:
  const ParamSpace& space_;
  const std::vector<Trial>& trials_;
  const std::unordered_map<std::string, std::size_t>& by_key_;
};

class SearchMethod {
 public:
  virtual ~SearchMethod() = default;
  // The next points to evaluate. Points already in the history are not evaluated again (their
  // trial is reused). An empty batch ends the search.
  virtual Result<std::vector<ParamPoint>> next(const SearchHistory& history) = 0;
};

Result<std::unique_ptr<SearchMethod>> make_search_method(const SearchConfig& config, const ParamSpace& space,
                                                         const Objective& objective);

// The budget the driver enforces: config.trials, or the method's default (grid: grid size).
Result<std::uint64_t> trial_budget(const SearchConfig& config, const ParamSpace& space);

// --- Pareto helpers (NSGA-II), on utilities where higher is better ---

// a dominates b: a >= b in every objective and > in one.
bool dominates(std::span<const double> a, std::span<const double> b);
// Fronts of indices into `points`: front 0 is non-dominated, front 1 is non-dominated once front 0 is
// removed, ... Within a front indices are ascending.
std::vector<std::vector<std::size_t>> non_dominated_sort(const std::vector<std::vector<double>>& points);
// Crowding distance of each member of `front` (same order); boundary points get +inf.
std::vector<double> crowding_distance(const std::vector<std::vector<double>>& points,
                                      const std::vector<std::size_t>& front);

}  // namespace tradeloop::optimize
