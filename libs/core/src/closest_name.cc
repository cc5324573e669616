#include "tradeloop/core/closest_name.h"

#include <algorithm>
#include <vector>

#include <fmt/format.h>

namespace tradeloop {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  // One row of the dynamic-programming table; `diag` holds the previous row's value at j - 1.
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

std::size_t typo_tolerance(std::string_view name) {
  return std::max<std::size_t>(2, name.size() / 3);
}

std::string closest_name(std::string_view name, std::span<const std::string> known,
                         std::size_t max_distance) {
  const std::string* best = nullptr;
  std::size_t best_distance = max_distance;
  for (const std::string& k : known) {
    const std::size_t d = edit_distance(name, k);
    if (d <= best_distance && (best == nullptr || d < best_distance)) {
      best_distance = d;
      best = &k;
    }
  }
  return best == nullptr ? std::string() : *best;
}

std::string did_you_mean_suffix(std::string_view suggestion) {
  return suggestion.empty() ? std::string() : fmt::format(" (did you mean '{}'?)", suggestion);
}

}  // namespace tradeloop
