#include "tradeloop/data/resample.h"

#include <algorithm>

#include <fmt/format.h>

namespace tradeloop::data {

Result<BarSeries> resample(const BarSeries& bars, Timeframe target) {
  if (!target.valid()) return Error::invalid_argument("resample: the target timeframe is not set");
  const std::size_t n = bars.size();
  for (std::size_t i = 1; i < n; ++i) {
    if (bars.ts[i] <= bars.ts[i - 1]) {
      return Error::invalid_argument(
          fmt::format("resample {}: bars are not in strictly increasing time order at bar {} ({})",
                      bars.symbol, i, format_time(bars.ts[i])));
    }
  }
  Timeframe source = bars.timeframe;
  if (!source.valid() && n >= 2) {
    TL_ASSIGN_OR_RETURN(source, Timeframe::infer(bars.ts));
  }
  if (source.valid() && !target.is_multiple_of(source)) {
    return Error::invalid_argument(
        fmt::format("cannot resample {} bars to {}: {} is not a whole multiple of {}", source.to_string(),
                    target.to_string(), target.to_string(), source.to_string()));
  }
  // Months labelled at their end (BTCUSD-1mo) have no fixed length: only fixed-length inputs are
  // checked for straddling.
  const bool fixed_source = source.valid() && source.unit() != TimeUnit::kMonth;
  const Timestamp source_ns = fixed_source ? source.nominal_ns() : 0;

  BarSeries out;
  out.symbol = bars.symbol;
  out.timeframe = target;
  std::size_t i = 0;
  while (i < n) {
    const Timestamp start = target.period_start(bars.ts[i]);
    const Timestamp end = target.next_period_start(start);
    double high = bars.high[i], low = bars.low[i], volume = 0.0;
    const double open = bars.open[i];
    double close = bars.close[i];
    for (; i < n && bars.ts[i] < end; ++i) {
      if (fixed_source && bars.ts[i] + source_ns > end) {
        return Error::invalid_argument(fmt::format(
            "cannot resample {} to {}: the {} bar at {} ends after the {} period that starts at {} (bars not "
            "aligned to their timeframe would leak later data into an earlier bar)",
            bars.symbol, target.to_string(), source.to_string(), format_time(bars.ts[i]), target.to_string(),
            format_time(start)));
      }
      high = std::max(high, bars.high[i]);
      low = std::min(low, bars.low[i]);
      close = bars.close[i];
      volume += bars.volume[i];
    }
    out.push_back(start, open, high, low, close, volume);
  }
  return out;
}

}  // namespace tradeloop::data
