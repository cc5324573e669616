// Resampling bars to a coarser timeframe (5m -> 1h, 1d -> 1w, 1h -> 1M ...).
//
// Each output bar aggregates the input bars whose open time falls in one period of the target:
// open = first open, high = max high, low = min low, close = last close, volume = sum. Periods are
// left-closed [start, next start) and labelled by their start (Timeframe::period_start: weeks start
// on Monday, months on the 1st, UTC). Periods without input bars are dropped (no invented bars).
// No look-ahead: an output bar only holds input bars that lie wholly inside its period, so it is
// complete at its period's end; the last output bar may be partial when the input ends mid-period.
#pragma once

#include "tradeloop/core/result.h"
#include "tradeloop/core/timeframe.h"
#include "tradeloop/data/bar_series.h"

namespace tradeloop::data {

// Returns the resampled series (same symbol, timeframe = target).
// Fails with invalid_argument when the target is not a whole multiple of the bars' timeframe
// (bars.timeframe, inferred when unset), when the bars are not in strictly increasing time order,
// or when an input bar straddles a target period boundary (input not aligned to its own timeframe).
Result<BarSeries> resample(const BarSeries& bars, Timeframe target);

}  // namespace tradeloop::data
