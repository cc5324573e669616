#include "tradeloop/core/timeframe.h"

#include <algorithm>
#include <charconv>
#include <unordered_map>

#include <fmt/format.h>

namespace tradeloop {

namespace {

constexpr Timestamp unit_ns(TimeUnit unit) {
  switch (unit) {
    case TimeUnit::kSecond: return kNanosPerSecond;
    case TimeUnit::kMinute: return kNanosPerMinute;
    case TimeUnit::kHour: return kNanosPerHour;
    case TimeUnit::kDay: return kNanosPerDay;
    case TimeUnit::kWeek: return 7 * kNanosPerDay;
    case TimeUnit::kMonth: return 30 * kNanosPerDay;
  }
  return 0;
}

Timestamp floor_to(Timestamp ts, Timestamp step) {
  Timestamp q = ts / step;
  if (ts % step < 0) --q;
  return q * step;
}

std::int64_t month_index(Timestamp ts) {
  const CivilDate d = civil_from_days(floor_day(ts) / kNanosPerDay);
  return static_cast<std::int64_t>(d.year) * 12 + (d.month - 1);
}

Timestamp month_index_start(std::int64_t index) {
  std::int64_t year = index / 12;
  std::int64_t month0 = index % 12;
  if (month0 < 0) {
    month0 += 12;
    --year;
  }
  return days_from_civil(static_cast<int>(year), static_cast<int>(month0) + 1, 1) * kNanosPerDay;
}

}  // namespace

Result<Timeframe> Timeframe::parse(std::string_view text) {
  auto bad = [&](std::string_view why) {
    return Error::invalid_argument(
        fmt::format("invalid timeframe '{}': {} (expected a count and a unit: 1s 1m 5m 15m 30m 1h 4h 1d 1w 1M)",
                    text, why));
  };
  if (text.empty()) return bad("empty");
  int count = 0;
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(begin, end, count);
  if (ec != std::errc() || ptr == begin) {
    count = 1;  // "h", "d" alone mean one unit
    ptr = begin;
  }
  if (count < 1) return bad("the count must be at least 1");
  const std::string_view suffix(ptr, static_cast<std::size_t>(end - ptr));
  TimeUnit unit;
  if (suffix == "s") {
    unit = TimeUnit::kSecond;
  } else if (suffix == "m" || suffix == "min") {
    unit = TimeUnit::kMinute;
  } else if (suffix == "h" || suffix == "H") {
    unit = TimeUnit::kHour;
  } else if (suffix == "d" || suffix == "D") {
    unit = TimeUnit::kDay;
  } else if (suffix == "w" || suffix == "W") {
    unit = TimeUnit::kWeek;
  } else if (suffix == "M" || suffix == "mo") {
    unit = TimeUnit::kMonth;
  } else {
    return bad(suffix.empty() ? "missing unit" : "unknown unit");
  }
  return Timeframe(unit, count);
}

Result<Timeframe> Timeframe::infer(std::span<const Timestamp> ts) {
  if (ts.size() < 2) return Error::not_found("cannot infer a timeframe from fewer than 2 bars");
  std::unordered_map<Timestamp, std::size_t> counts;
  for (std::size_t i = 1; i < ts.size(); ++i) {
    const Timestamp d = ts[i] - ts[i - 1];
    if (d > 0) ++counts[d];
  }
  if (counts.empty()) return Error::not_found("cannot infer a timeframe: timestamps never increase");
  // Month-length spacings (28..31 days) count together: monthly bars vary in length.
  std::size_t month_votes = 0;
  Timestamp best = 0;
  std::size_t best_count = 0;
  for (const auto& [d, c] : counts) {
    if (d >= 28 * kNanosPerDay && d <= 31 * kNanosPerDay) month_votes += c;
    if (c > best_count || (c == best_count && d < best)) {
      best = d;
      best_count = c;
    }
  }
  if (month_votes > best_count) return Timeframe(TimeUnit::kMonth, 1);
  if (best % (7 * kNanosPerDay) == 0) return Timeframe(TimeUnit::kWeek, static_cast<int>(best / (7 * kNanosPerDay)));
  if (best % kNanosPerDay == 0) return Timeframe(TimeUnit::kDay, static_cast<int>(best / kNanosPerDay));
  if (best % kNanosPerHour == 0) return Timeframe(TimeUnit::kHour, static_cast<int>(best / kNanosPerHour));
  if (best % kNanosPerMinute == 0) return Timeframe(TimeUnit::kMinute, static_cast<int>(best / kNanosPerMinute));
  if (best % kNanosPerSecond == 0) return Timeframe(TimeUnit::kSecond, static_cast<int>(best / kNanosPerSecond));
  return Error::not_found(fmt::format("cannot infer a timeframe: the most common spacing ({} ns) is not a whole "
                                      "number of seconds", best));
}

Timestamp Timeframe::nominal_ns() const { return unit_ns(unit_) * count_; }

Timestamp Timeframe::period_start(Timestamp ts) const {
  switch (unit_) {
    case TimeUnit::kWeek: {
      // 1970-01-05 was a Monday.
      constexpr Timestamp kMonday = 4 * kNanosPerDay;
      return floor_to(ts - kMonday, nominal_ns()) + kMonday;
    }
    case TimeUnit::kMonth: {
      std::int64_t index = month_index(ts);
      std::int64_t q = index / count_;
      if (index % count_ < 0) --q;
      return month_index_start(q * count_);
    }
    default:
      return floor_to(ts, nominal_ns());
  }
}

Timestamp Timeframe::next_period_start(Timestamp start) const {
  if (unit_ == TimeUnit::kMonth) return month_index_start(month_index(start) + count_);
  return start + nominal_ns();
}

bool Timeframe::is_multiple_of(const Timeframe& finer) const {
  if (unit_ == TimeUnit::kMonth) {
    if (finer.unit_ == TimeUnit::kMonth) return count_ % finer.count_ == 0;
    if (finer.unit_ == TimeUnit::kWeek) return false;
    return kNanosPerDay % finer.nominal_ns() == 0;
  }
  if (finer.unit_ == TimeUnit::kMonth) return false;
  return nominal_ns() % finer.nominal_ns() == 0;
}

std::string Timeframe::to_string() const {
  static constexpr const char* kSuffix[] = {"s", "m", "h", "d", "w", "M"};
  return fmt::format("{}{}", count_, kSuffix[static_cast<int>(unit_)]);
}

}  // namespace tradeloop
