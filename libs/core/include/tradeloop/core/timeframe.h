// Bar timeframes: "1s 1m 5m 15m 30m 1h 4h 1d 1w 1M" and any other count of a unit ("2h", "3d").
// Minutes are "m", months "M". Weeks start on Monday, months on the 1st (UTC).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "tradeloop/core/result.h"
#include "tradeloop/core/time.h"

namespace tradeloop {

enum class TimeUnit : std::uint8_t { kSecond = 0, kMinute = 1, kHour = 2, kDay = 3, kWeek = 4, kMonth = 5 };

class Timeframe {
 public:
  constexpr Timeframe() = default;
  constexpr Timeframe(TimeUnit unit, int count) : unit_(unit), count_(count) {}

  static Result<Timeframe> parse(std::string_view text);

  // Infers the timeframe of bars from their spacing: the most common positive difference between
  // consecutive timestamps, snapped to a whole unit (28..31 days is one month, 7 days a week).
  // Needs at least 2 timestamps; not_found when there are fewer or no positive spacing.
  static Result<Timeframe> infer(std::span<const Timestamp> ts);

  TimeUnit unit() const { return unit_; }
  int count() const { return count_; }
  bool valid() const { return count_ > 0; }

  // Length in nanoseconds; a month counts as 30 days (use period_start for calendar months).
  Timestamp nominal_ns() const;

  // Start of the period that contains ts: the period is [start, next_start). Periods are aligned
  // to the epoch for units up to days, to Mondays for weeks and to January for months (so "3M"
  // gives quarters).
  Timestamp period_start(Timestamp ts) const;
  // Start of the period after the one that starts at `start`.
  Timestamp next_period_start(Timestamp start) const;

  // True when every period of *this is a whole number of periods of `finer` (resampling is exact).
  bool is_multiple_of(const Timeframe& finer) const;

  std::string to_string() const;

  friend bool operator==(const Timeframe&, const Timeframe&) = default;

 private:
  TimeUnit unit_ = TimeUnit::kDay;
  int count_ = 0;
};

}  // namespace tradeloop
