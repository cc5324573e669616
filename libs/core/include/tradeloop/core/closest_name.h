// "Did you mean" suggestions: the known name nearest to a misspelled one by edit distance.
// Used by every error that names an unknown indicator, metric, key or function, so that they all
// choose (and word) their suggestion the same way. Pure functions; nothing is kept.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace tradeloop {

// Levenshtein distance: the fewest single-character insertions, deletions and substitutions that
// turn `a` into `b`.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The usual max_distance for closest_name: a third of the name's length, and at least 2
// ("smaa" -> "sma", "rsii" -> "rsi", "bolinger_bands" -> "bollinger_bands").
std::size_t typo_tolerance(std::string_view name);

// The entry of `known` nearest to `name` when its edit distance is at most `max_distance`; ties go to
// the earliest entry. Empty when no entry is that close. An exact match is its own best match.
std::string closest_name(std::string_view name, std::span<const std::string> known, std::size_t max_distance);

// " (did you mean 'x'?)" for a non-empty suggestion, "" for an empty one: the tail of an
// "unknown <thing> 'y'" message.
std::string did_you_mean_suffix(std::string_view suggestion);

}  // namespace tradeloop
