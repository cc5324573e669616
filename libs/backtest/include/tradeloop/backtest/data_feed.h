// DataFeed: the stream of market data events the kernel consumes, one bar of one instrument at a
// time, in time order. HistoricalBarFeed merges several BarSeries (any mix of spacings and gaps) by
// timestamp, ties broken by instrument index, so a run is deterministic. A live feed (later) yields
// bars as they close. The feed does not own the series.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "tradeloop/data/bar_series.h"
#include "tradeloop/model/bar.h"

namespace tradeloop::backtest {

struct BarEvent {
  std::uint32_t instrument = 0;
  std::int64_t index = 0;  // bar index within its instrument's series
  model::Bar bar;
};

class DataFeed {
 public:
  virtual ~DataFeed() = default;
  // The next event; false at the end of the data.
  virtual bool next(BarEvent& out) = 0;
  // Timestamp of the next event without consuming it; false at the end.
  virtual bool peek_time(Timestamp& ts) const = 0;
};

class HistoricalBarFeed final : public DataFeed {
 public:
  // REQUIRES: every series non-null with strictly increasing timestamps; they outlive the feed.
  explicit HistoricalBarFeed(std::span<const data::BarSeries* const> series);
  // Inline: the kernel calls it once a bar (on the concrete, final type, so without a virtual call).
  bool next(BarEvent& out) override {
    const std::uint32_t i = series_.size() == 1 ? (cursor_[0] < series_[0]->size() ? 0u : 1u) : pick();
    if (i == series_.size()) return false;
    const data::BarSeries& s = *series_[i];
    const std::size_t k = cursor_[i]++;
    out.instrument = i;
    out.index = static_cast<std::int64_t>(k);
    out.bar = {s.ts[k], s.open[k], s.high[k], s.low[k], s.close[k], s.volume.empty() ? 0.0 : s.volume[k]};
    return true;
  }
  bool peek_time(Timestamp& ts) const override;

 private:
  std::uint32_t pick() const;  // instrument with the earliest pending bar; size() when none
  std::vector<const data::BarSeries*> series_;
  std::vector<std::size_t> cursor_;
};

}  // namespace tradeloop::backtest
