// The HTML leaderboard of a discovery session: the accepted strategies ranked by a metric, their
// key metrics, each linking its tearsheet, with the session's counts, the gates in force and why
// candidates were rejected. One self-contained file (inline CSS and a few lines of JS for sorting);
// it opens offline.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "tradeloop/core/result.h"
#include "tradeloop/discover/quality_gates.h"
#include "tradeloop/discover/store.h"

namespace tradeloop::discover {

struct LeaderboardInput {
  SessionRecord session;
  std::vector<CandidateRow> accepted;                       // ranked as given
  std::map<std::int64_t, std::string> tearsheets;           // strategy id -> href relative to the report
  std::map<std::int64_t, std::string> sparklines;           // strategy id -> inline <svg> of its equity
  std::vector<std::pair<std::string, QualityGates>> gates;  // per target id
  std::map<std::string, std::int64_t> rejection_counts;     // gate -> candidates failing it
  std::map<std::string, std::int64_t> evaluated_per_target;
  double candidates_per_second = 0;
  std::string db_path;
};

// Counts, per gate, the candidates that failed it (a candidate failing three gates counts three
// times); the gate is the first word of each reason ("sharpe_ratio", "duplicate", "untestable").
std::map<std::string, std::int64_t> count_rejections(const std::vector<CandidateRow>& candidates);

std::string leaderboard_html(const LeaderboardInput& input);
Status write_leaderboard(const std::string& path, const LeaderboardInput& input);

}  // namespace tradeloop::discover
