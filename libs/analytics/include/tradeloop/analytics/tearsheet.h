// The HTML tearsheet of one run: a single self-contained file (inline CSS and SVG, no script, no
// external resource) that opens offline in any browser. Sections: headline numbers, equity vs
// buy-and-hold, underwater drawdown, price with trade markers, rolling Sharpe, monthly returns
// heatmap, trade PnL histogram, the metrics table, open positions and the trade list.
//
// Series are drawn in SVG generated here; long series are downsampled per pixel column (first,
// min, max, last of each column), so a 1M-bar run gives a file of a few hundred kB that still shows
// every extreme. The output is deterministic (no clock, no randomness).
//
// render_tearsheet() returns the HTML; write_tearsheet() writes it to a file. Other reports (the
// discovery leaderboard) reuse render_equity_sparkline() and html_escape().
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tradeloop/analytics/metrics.h"
#include "tradeloop/analytics/records.h"
#include "tradeloop/core/result.h"

namespace tradeloop::analytics {

/// A view of one instrument's bars for the price chart (not owned). open/high/low may be empty:
/// the chart then draws the close line only. When ts is empty the tearsheet draws the run's
/// benchmark_close on the equity curve's timestamps.
struct PriceBars {
  std::string_view symbol;
  std::span<const Timestamp> ts;
  std::span<const double> open, high, low, close;
};

struct TearsheetOptions {
  std::string title = "Backtest report";
  std::string subtitle;  // e.g. "sma_cross fast=10 slow=20"
  // Extra "key: value" lines for the header (data file, parameters, fill model, ...).
  std::vector<std::pair<std::string, std::string>> info;
  // Window of the rolling Sharpe ratio in return periods; 0 chooses half a year of periods
  // (126 for 252/year), shortened for short runs.
  int rolling_window = 0;
  // Trades listed in the table (the first ones; all trades are in the charts).
  std::size_t max_trade_rows = 500;
};

/// Renders the tearsheet. invalid_argument when the record is inconsistent (as compute_metrics)
/// or the price view's columns differ in length.
Result<std::string> render_tearsheet(const RunRecord& run, const Metrics& metrics, const PriceBars& prices,
                                     const TearsheetOptions& options = {});

/// Renders and writes to `path` (an io error names the path and the reason).
Status write_tearsheet(const RunRecord& run, const Metrics& metrics, const PriceBars& prices,
                       const TearsheetOptions& options, const std::string& path);
/// Same, with only a title.
Status write_tearsheet(const RunRecord& run, const PriceBars& prices, const Metrics& metrics,
                       std::string_view title, const std::string& path);

/// A small inline <svg> of an equity curve (downsampled to `width` columns), for tables such as the
/// discovery leaderboard. Green when the curve ends above its start, red otherwise.
std::string render_equity_sparkline(std::span<const Timestamp> ts, std::span<const double> equity,
                                    int width = 160, int height = 36);

/// Escapes &, <, >, " and ' for HTML text and attribute values.
std::string html_escape(std::string_view text);

}  // namespace tradeloop::analytics
