// Writes bars as CSV `timestamp,open,high,low,close,volume`, the layout read_bars_csv reads back.
//
// Numbers use the shortest text that parses back to the same double (fmt "{}"), so a write/read
// round trip is exact. Timestamps are ISO-8601 UTC ("2018-01-10T04:55:00Z"); for daily and coarser
// timeframes a bar at midnight is written as its date only ("2004-08-19").
#pragma once

#include <cstdio>
#include <string>

#include "tradeloop/core/result.h"
#include "tradeloop/data/bar_series.h"

namespace tradeloop::data {

// The whole CSV text, header included.
std::string format_bars_csv(const BarSeries& bars);

// Writes the CSV to an open stream (stdout for the CLI). io error when the write fails.
Status write_bars_csv(const BarSeries& bars, std::FILE* out);

// Writes the CSV to `path` (replaced if it exists).
Status write_bars_csv(const BarSeries& bars, const std::string& path);

}  // namespace tradeloop::data
