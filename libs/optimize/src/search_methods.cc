// Grid, random, genetic and NSGA-II searches, and the Pareto helpers. Bayes lives in bayes_search.cc.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <unordered_set>

#include <fmt/format.h>

#include "tradeloop/optimize/search_method.h"
#include "variation.h"

namespace tradeloop::optimize {

namespace internal {
Result<std::unique_ptr<SearchMethod>> make_bayes_search(const SearchConfig& config, const ParamSpace& space,
                                                        const Objective& objective);
}  // namespace internal

namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();
constexpr std::uint64_t kGridBatch = 65536;

class GridSearch final : public SearchMethod {
 public:
  GridSearch(const ParamSpace& space, std::uint64_t size) : space_(space), size_(size) {}

  Result<std::vector<ParamPoint>> next(const SearchHistory& /*history*/) override {
    std::vector<ParamPoint> out;
    const std::uint64_t end = std::min(size_, next_ + kGridBatch);
    out.reserve(end - next_);
    for (; next_ < end; ++next_) out.push_back(space_.grid_point(next_));
    return out;
  }

 private:
  const ParamSpace& space_;
  std::uint64_t size_;
  std::uint64_t next_ = 0;
};

class RandomSearch final : public SearchMethod {
 public:
  RandomSearch(const ParamSpace& space, std::uint64_t budget, std::uint64_t seed)
      : space_(space), budget_(budget), seed_(seed) {}

  Result<std::vector<ParamPoint>> next(const SearchHistory& history) override {
    if (done_) return std::vector<ParamPoint>{};
    done_ = true;
    Rng rng(seed_, 1);
    const auto grid = space_.grid_size();
    // A small finite space: a shuffled prefix of the grid (rejection would stall near exhaustion).
    if (grid.ok() && *grid <= std::max<std::uint64_t>(4 * budget_, 1024) && *grid <= 10'000'000) {
      std::vector<std::uint64_t> order(*grid);
      std::iota(order.begin(), order.end(), 0);
      const std::uint64_t take = std::min(budget_, *grid);
      for (std::uint64_t i = 0; i < take; ++i) {
        std::swap(order[i], order[i + rng.below(*grid - i)]);
      }
      std::vector<ParamPoint> out;
      out.reserve(take);
      for (std::uint64_t i = 0; i < take; ++i) out.push_back(space_.grid_point(order[i]));
      return out;
    }
    return internal::sample_distinct(space_, history, budget_, rng);
  }

 private:
  const ParamSpace& space_;
  std::uint64_t budget_;
  std::uint64_t seed_;
  bool done_ = false;
};

// Fitness lookups for population members (not-yet-evaluated points, cut by the budget, rank last).
struct Member {
  ParamPoint point;
  std::vector<double> utilities;
  std::uint64_t index = std::numeric_limits<std::uint64_t>::max();
};

Member member_of(const SearchHistory& history, const ParamPoint& p, std::size_t objectives) {
  Member m;
  m.point = p;
  if (const Trial* t = history.find(p)) {
    m.utilities = t->utilities;
    m.index = t->index;
  }
  m.utilities.resize(objectives, kNegInf);
  for (double& u : m.utilities) {
    if (std::isnan(u)) u = kNegInf;
  }
  return m;
}

class GeneticSearch final : public SearchMethod {
 public:
  GeneticSearch(const ParamSpace& space, const SearchConfig& config, std::size_t generations)
      : space_(space), config_(config), generations_(generations) {
    rate_ = config.mutation > 0 ? config.mutation
                                : 1.0 / static_cast<double>(std::max<std::size_t>(1, space.size()));
  }

  Result<std::vector<ParamPoint>> next(const SearchHistory& history) override {
    Rng rng(config_.seed, 1000 + generation_);
    const std::size_t pop = config_.population;
    if (generation_ == 0) {
      ++generation_;
      population_ = internal::sample_distinct(space_, history, pop, rng);
      return population_;
    }
    if (!pending_.empty()) {
      population_ = elites_;
      population_.insert(population_.end(), pending_.begin(), pending_.end());
      pending_.clear();
    }
    if (generation_ >= generations_ || population_.empty()) return std::vector<ParamPoint>{};
    ++generation_;

    std::vector<Member> members;
    members.reserve(population_.size());
    for (const ParamPoint& p : population_) members.push_back(member_of(history, p, 1));
    std::vector<std::size_t> order(members.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return better(members[a], members[b]); });
    elites_.clear();
    std::unordered_set<std::string> elite_keys;
    for (const std::size_t i : order) {
      if (elites_.size() >= std::min(config_.elite, pop)) break;
      if (elite_keys.insert(space_.key(members[i].point)).second) elites_.push_back(members[i].point);
    }
    const std::size_t want = pop > elites_.size() ? pop - elites_.size() : 0;
    std::vector<ParamPoint> children;
    while (children.size() < want) {
      const Member& a = tournament(members, rng);
      const Member& b = tournament(members, rng);
      ParamPoint c1 = a.point, c2 = b.point;
      if (rng.uniform() < config_.crossover)
        std::tie(c1, c2) = internal::crossover(space_, a.point, b.point, rng);
      internal::mutate(space_, c1, rate_, rng);
      internal::mutate(space_, c2, rate_, rng);
      children.push_back(space_.snap(c1));
      if (children.size() < want) children.push_back(space_.snap(c2));
    }
    pending_ = children;
    return children;
  }

 private:
  static bool better(const Member& a, const Member& b) {
    if (a.utilities[0] != b.utilities[0]) return a.utilities[0] > b.utilities[0];
    return a.index < b.index;
  }

  const Member& tournament(const std::vector<Member>& members, Rng& rng) const {
    const Member* best = &members[rng.below(members.size())];
    for (std::size_t k = 1; k < std::max<std::size_t>(1, config_.tournament); ++k) {
      const Member& m = members[rng.below(members.size())];
      if (better(m, *best)) best = &m;
    }
    return *best;
  }

  const ParamSpace& space_;
  SearchConfig config_;
  std::size_t generations_;
  double rate_ = 0.5;
  std::size_t generation_ = 0;
  std::vector<ParamPoint> population_, elites_, pending_;
};

class Nsga2Search final : public SearchMethod {
 public:
  Nsga2Search(const ParamSpace& space, const SearchConfig& config, std::size_t objectives,
              std::size_t generations)
      : space_(space), config_(config), objectives_(objectives), generations_(generations) {
    rate_ = config.mutation > 0 ? config.mutation
                                : 1.0 / static_cast<double>(std::max<std::size_t>(1, space.size()));
  }

  Result<std::vector<ParamPoint>> next(const SearchHistory& history) override {
    Rng rng(config_.seed, 2000 + generation_);
    const std::size_t pop = config_.population;
    if (generation_ == 0) {
      ++generation_;
      population_ = internal::sample_distinct(space_, history, pop, rng);
      return population_;
    }
    // Environmental selection over parents + offspring.
    std::vector<Member> pool;
    std::unordered_set<std::string> keys;
    for (const auto* group : {&population_, &pending_}) {
      for (const ParamPoint& p : *group) {
        if (keys.insert(space_.key(p)).second) pool.push_back(member_of(history, p, objectives_));
      }
    }
    pending_.clear();
    std::vector<std::vector<double>> utilities;
    utilities.reserve(pool.size());
    for (const Member& m : pool) utilities.push_back(m.utilities);
    const auto fronts = non_dominated_sort(utilities);
    population_.clear();
    rank_.clear();
    crowding_.clear();
    for (std::size_t f = 0; f < fronts.size() && population_.size() < pop; ++f) {
      const auto& front = fronts[f];
      const std::vector<double> distance = crowding_distance(utilities, front);
      std::vector<std::size_t> order(front.size());
      std::iota(order.begin(), order.end(), 0);
      std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        if (distance[a] != distance[b]) return distance[a] > distance[b];
        return pool[front[a]].index < pool[front[b]].index;
      });
      for (const std::size_t k : order) {
        if (population_.size() >= pop) break;
        population_.push_back(pool[front[k]].point);
        rank_.push_back(f);
        crowding_.push_back(distance[k]);
      }
    }
    if (generation_ >= generations_ || population_.empty()) return std::vector<ParamPoint>{};
    ++generation_;

    std::vector<ParamPoint> children;
    while (children.size() < pop) {
      const std::size_t a = tournament(rng), b = tournament(rng);
      ParamPoint c1 = population_[a], c2 = population_[b];
      if (rng.uniform() < config_.crossover) {
        std::tie(c1, c2) = internal::crossover(space_, population_[a], population_[b], rng);
      }
      internal::mutate(space_, c1, rate_, rng);
      internal::mutate(space_, c2, rate_, rng);
      children.push_back(space_.snap(c1));
      if (children.size() < pop) children.push_back(space_.snap(c2));
    }
    pending_ = children;
    return children;
  }

 private:
  // Binary tournament on (rank, crowding distance).
  std::size_t tournament(Rng& rng) const {
    const std::size_t a = rng.below(population_.size());
    const std::size_t b = rng.below(population_.size());
    if (rank_[a] != rank_[b]) return rank_[a] < rank_[b] ? a : b;
    if (crowding_[a] != crowding_[b]) return crowding_[a] > crowding_[b] ? a : b;
    return std::min(a, b);
  }

  const ParamSpace& space_;
  SearchConfig config_;
  std::size_t objectives_;
  std::size_t generations_;
  double rate_ = 0.5;
  std::size_t generation_ = 0;
  std::vector<ParamPoint> population_, pending_;
  std::vector<std::size_t> rank_;
  std::vector<double> crowding_;
};

}  // namespace

Result<Method> parse_method(std::string_view text) {
  if (text == "grid") return Method::kGrid;
  if (text == "random") return Method::kRandom;
  if (text == "bayes" || text == "bayesian") return Method::kBayes;
  if (text == "genetic") return Method::kGenetic;
  if (text == "nsga2") return Method::kNsga2;
  return Error::invalid_argument(
      fmt::format("--method '{}': expected one of grid, random, bayes, genetic, nsga2", text));
}

std::string_view method_name(Method method) {
  switch (method) {
    case Method::kGrid:
      return "grid";
    case Method::kRandom:
      return "random";
    case Method::kBayes:
      return "bayes";
    case Method::kGenetic:
      return "genetic";
    case Method::kNsga2:
      return "nsga2";
  }
  return "?";
}

std::string SearchConfig::canonical() const {
  std::string out = fmt::format("method={};trials={};seed={}", method_name(method), trials, seed);
  if (method == Method::kBayes) out += fmt::format(";batch={};initial={}", batch, initial);
  if (method == Method::kGenetic || method == Method::kNsga2) {
    out += fmt::format(";population={};generations={};crossover={};mutation={}", population, generations,
                       crossover, mutation);
  }
  if (method == Method::kGenetic) out += fmt::format(";elite={};tournament={}", elite, tournament);
  return out;
}

const Trial* SearchHistory::find(const ParamPoint& point) const {
  const auto it = by_key_.find(space_.key(point));
  return it == by_key_.end() ? nullptr : &trials_[it->second];
}

Result<std::uint64_t> trial_budget(const SearchConfig& config, const ParamSpace& space) {
  if (config.method == Method::kGrid) {
    TL_ASSIGN_OR_RETURN(const std::uint64_t size, space.grid_size());
    return config.trials > 0 ? std::min(config.trials, size) : size;
  }
  if (config.trials > 0) return config.trials;
  switch (config.method) {
    case Method::kRandom:
      return std::uint64_t{100};
    case Method::kBayes:
      return std::uint64_t{50};
    default:
      return std::numeric_limits<std::uint64_t>::max();  // bounded by the generations
  }
}

Result<std::unique_ptr<SearchMethod>> make_search_method(const SearchConfig& config, const ParamSpace& space,
                                                         const Objective& objective) {
  if (space.empty()) return Error::invalid_argument("no parameter to search: give at least one --param");
  if (config.method != Method::kNsga2 && objective.size() > 1) {
    // Single-objective methods rank by the first objective; the others are still reported.
  }
  if (config.method == Method::kNsga2 && objective.size() < 2) {
    return Error::invalid_argument(
        "--method nsga2 needs at least two objectives, e.g. --objective sharpe_ratio,max_drawdown_pct");
  }
  const std::size_t generations = config.generations > 0 ? config.generations
                                  : config.trials > 0    ? std::numeric_limits<std::size_t>::max()
                                                         : 10;
  switch (config.method) {
    case Method::kGrid: {
      TL_ASSIGN_OR_RETURN(const std::uint64_t size, space.grid_size());
      return std::unique_ptr<SearchMethod>(new GridSearch(space, size));
    }
    case Method::kRandom: {
      TL_ASSIGN_OR_RETURN(const std::uint64_t budget, trial_budget(config, space));
      return std::unique_ptr<SearchMethod>(new RandomSearch(space, budget, config.seed));
    }
    case Method::kBayes:
      return internal::make_bayes_search(config, space, objective);
    case Method::kGenetic:
      if (config.population < 2) {
        return Error::invalid_argument(
            fmt::format("--population {} is too small (at least 2)", config.population));
      }
      return std::unique_ptr<SearchMethod>(new GeneticSearch(space, config, generations));
    case Method::kNsga2:
      if (config.population < 4) {
        return Error::invalid_argument(
            fmt::format("--population {} is too small for nsga2 (at least 4)", config.population));
      }
      return std::unique_ptr<SearchMethod>(new Nsga2Search(space, config, objective.size(), generations));
  }
  return Error::internal("unknown search method");
}

bool dominates(std::span<const double> a, std::span<const double> b) {
  bool strictly = false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i] < b[i]) return false;
    if (a[i] > b[i]) strictly = true;
  }
  return strictly;
}

std::vector<std::vector<std::size_t>> non_dominated_sort(const std::vector<std::vector<double>>& points) {
  const std::size_t n = points.size();
  std::vector<std::vector<std::size_t>> dominated(n);
  std::vector<std::size_t> count(n, 0);
  std::vector<std::vector<std::size_t>> fronts;
  std::vector<std::size_t> current;
  for (std::size_t p = 0; p < n; ++p) {
    for (std::size_t q = p + 1; q < n; ++q) {
      if (dominates(points[p], points[q])) {
        dominated[p].push_back(q);
        ++count[q];
      } else if (dominates(points[q], points[p])) {
        dominated[q].push_back(p);
        ++count[p];
      }
    }
  }
  for (std::size_t p = 0; p < n; ++p) {
    if (count[p] == 0) current.push_back(p);
  }
  while (!current.empty()) {
    std::vector<std::size_t> next;
    for (const std::size_t p : current) {
      for (const std::size_t q : dominated[p]) {
        if (--count[q] == 0) next.push_back(q);
      }
    }
    std::sort(next.begin(), next.end());
    fronts.push_back(std::move(current));
    current = std::move(next);
  }
  return fronts;
}

std::vector<double> crowding_distance(const std::vector<std::vector<double>>& points,
                                      const std::vector<std::size_t>& front) {
  const std::size_t n = front.size();
  std::vector<double> distance(n, 0.0);
  if (n == 0) return distance;
  const std::size_t m = points[front[0]].size();
  std::vector<std::size_t> order(n);
  for (std::size_t k = 0; k < m; ++k) {
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return points[front[a]][k] < points[front[b]][k]; });
    const double lo = points[front[order.front()]][k];
    const double hi = points[front[order.back()]][k];
    distance[order.front()] = std::numeric_limits<double>::infinity();
    distance[order.back()] = std::numeric_limits<double>::infinity();
    if (!(hi > lo) || !std::isfinite(hi - lo)) continue;
    for (std::size_t i = 1; i + 1 < n; ++i) {
      const double gap = points[front[order[i + 1]]][k] - points[front[order[i - 1]]][k];
      if (std::isfinite(gap)) distance[order[i]] += gap / (hi - lo);
    }
  }
  return distance;
}

}  // namespace tradeloop::optimize
