#include "tradeloop/backtest/data_feed.h"

#include "tradeloop/backtest/clock.h"
#include "tradeloop/core/check.h"

namespace tradeloop::backtest {

HistoricalBarFeed::HistoricalBarFeed(std::span<const data::BarSeries* const> series)
    : series_(series.begin(), series.end()), cursor_(series.size(), 0) {
  for (const auto* s : series_) TL_CHECK(s != nullptr, "HistoricalBarFeed: null series");
}

std::uint32_t HistoricalBarFeed::pick() const {
  // A linear scan: runs have a handful of instruments; the tie goes to the lowest index.
  std::uint32_t best = static_cast<std::uint32_t>(series_.size());
  Timestamp best_ts = 0;
  for (std::uint32_t i = 0; i < series_.size(); ++i) {
    if (cursor_[i] >= series_[i]->size()) continue;
    const Timestamp t = series_[i]->ts[cursor_[i]];
    if (best == series_.size() || t < best_ts) {
      best = i;
      best_ts = t;
    }
  }
  return best;
}

bool HistoricalBarFeed::peek_time(Timestamp& ts) const {
  const std::uint32_t i = pick();
  if (i == series_.size()) return false;
  ts = series_[i]->ts[cursor_[i]];
  return true;
}

}  // namespace tradeloop::backtest
