// Time in tradeloop: int64 nanoseconds since the UNIX epoch, UTC, everywhere (bars, orders, events).
//
// A plain integer (not std::chrono::sys_time) because bar series store timestamps as a column that
// research code scans and binary-searches; `to_sys_time()` converts at the edges. See
// docs/adr/0001-time-and-money.md.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "tradeloop/core/result.h"

namespace tradeloop {

/// UNIX timestamp (nanoseconds, UTC).
using Timestamp = std::int64_t;

inline constexpr Timestamp kNanosPerSecond = 1'000'000'000;
inline constexpr Timestamp kNanosPerMinute = 60 * kNanosPerSecond;
inline constexpr Timestamp kNanosPerHour = 60 * kNanosPerMinute;
inline constexpr Timestamp kNanosPerDay = 24 * kNanosPerHour;

using SysTime = std::chrono::sys_time<std::chrono::nanoseconds>;
inline SysTime to_sys_time(Timestamp ts) { return SysTime(std::chrono::nanoseconds(ts)); }
inline Timestamp from_sys_time(SysTime t) { return t.time_since_epoch().count(); }

struct CivilDate {
  int year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31
};

// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
constexpr std::int64_t days_from_civil(int y, int m, int d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * static_cast<unsigned>(m + (m > 2 ? -3 : 9)) + 2) / 5 + static_cast<unsigned>(d) - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

CivilDate civil_from_days(std::int64_t days);

// Day of week of a timestamp: 0 = Monday .. 6 = Sunday.
int weekday(Timestamp ts);

// Parses one timestamp. Accepted forms:
//   YYYY-MM-DD
//   YYYY-MM-DD HH:MM[:SS[.fraction]]   ('T' or ' ' between date and time; up to 9 fraction digits)
//   any of those followed by 'Z' or a +hh:mm / -hh:mm / +hhmm offset (converted to UTC)
//   an integer epoch: seconds, milliseconds, microseconds or nanoseconds, told apart by magnitude
//   (|v| < 1e11 seconds, < 1e14 ms, < 1e17 us, else ns); an epoch with a fraction is seconds.
// The error message names the text and what was expected; callers add file/line/column context.
Result<Timestamp> parse_time(std::string_view text);

// ISO-8601 in UTC: "2018-01-10T04:55:00Z", with ".fff"/".ffffff"/".fffffffff" when sub-second.
std::string format_time(Timestamp ts);

// "2004-08-19" when the time of day is midnight, else format_time(ts). For daily and coarser bars.
std::string format_time_compact(Timestamp ts);

// "YYYY-MM-DD".
std::string format_date(Timestamp ts);

// Floor to the start of the UTC day.
constexpr Timestamp floor_day(Timestamp ts) {
  Timestamp d = ts / kNanosPerDay;
  if (ts % kNanosPerDay < 0) --d;
  return d * kNanosPerDay;
}

}  // namespace tradeloop
