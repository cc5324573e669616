// Variation operators shared by the genetic and NSGA-II searches (private).
#pragma once

#include <algorithm>
#include <cmath>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "tradeloop/optimize/param_space.h"
#include "tradeloop/optimize/rng.h"
#include "tradeloop/optimize/search_method.h"

namespace tradeloop::optimize::internal {

// Moves gene i to a different value when the parameter has one: lattice params by a normal number
// of steps (sigma 15% of the lattice, at least one step), continuous floats by a normal step of 10% of
// the range, categorical params to another choice.
inline void mutate_gene(const ParamSpace& space, std::size_t i, double& value, Rng& rng) {
  const ParamDef& def = space[i];
  if (def.kind == ParamKind::kCategorical) {
    const std::uint64_t n = def.choices.size();
    if (n < 2) return;
    const auto current = static_cast<std::uint64_t>(value);
    std::uint64_t pick = rng.below(n - 1);
    if (pick >= current) ++pick;
    value = static_cast<double>(pick);
    return;
  }
  if (def.max == def.min) return;
  if (def.continuous()) {
    value = std::clamp(value + rng.normal() * 0.1 * (def.max - def.min), def.min, def.max);
    return;
  }
  const auto count = static_cast<double>(def.count());
  if (count < 2) return;
  const double idx = std::round((value - def.min) / def.step);
  double delta = std::round(rng.normal() * std::max(1.0, 0.15 * count));
  if (delta == 0) delta = rng.uniform() < 0.5 ? -1 : 1;
  double next = std::clamp(idx + delta, 0.0, count - 1);
  if (next == idx) next = idx + (idx > 0 ? -1 : 1);
  value = def.value_at(static_cast<std::uint64_t>(next));
}

// Uniform crossover (continuous genes blend).
inline std::pair<ParamPoint, ParamPoint> crossover(const ParamSpace& space, const ParamPoint& a,
                                                   const ParamPoint& b, Rng& rng) {
  ParamPoint c1 = a, c2 = b;
  for (std::size_t i = 0; i < space.size(); ++i) {
    if (space[i].continuous()) {
      const double u = rng.uniform();
      c1[i] = u * a[i] + (1 - u) * b[i];
      c2[i] = (1 - u) * a[i] + u * b[i];
    } else if (rng.uniform() < 0.5) {
      std::swap(c1[i], c2[i]);
    }
  }
  return {std::move(c1), std::move(c2)};
}

inline void mutate(const ParamSpace& space, ParamPoint& p, double rate, Rng& rng) {
  bool changed = false;
  for (std::size_t i = 0; i < space.size(); ++i) {
    if (rng.uniform() < rate) {
      mutate_gene(space, i, p[i], rng);
      changed = true;
    }
  }
  (void)changed;
}

// Up to n distinct random points (fewer when the space is smaller), not in the history.
inline std::vector<ParamPoint> sample_distinct(const ParamSpace& space, const SearchHistory& history,
                                               std::size_t n, Rng& rng) {
  std::vector<ParamPoint> out;
  std::unordered_set<std::string> seen;
  std::size_t attempts = 0;
  while (out.size() < n && attempts < 50 * n + 100) {
    ++attempts;
    ParamPoint p = space.sample(rng);
    std::string key = space.key(p);
    if (history.contains(key) || !seen.insert(std::move(key)).second) continue;
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace tradeloop::optimize::internal
