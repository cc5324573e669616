// Internal: the per-field parsers of the CSV reader. Fast paths for the layouts real files use
// (YYYY-MM-DD[THH:MM[:SS]][Z] and integer epochs); everything else goes to tradeloop::parse_time so
// both accept exactly the same texts.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>
#include <system_error>

#include <fast_float/fast_float.h>

#include "tradeloop/core/time.h"

namespace tradeloop::data::internal {

// Parses a whole field as a double. Accepts a leading '+', "nan" and "inf" (reported later).
inline bool parse_double(std::string_view s, double& out) {
  const char* b = s.data();
  const char* e = b + s.size();
  if (b == e) return false;
  if (*b == '+') ++b;
  const auto r = fast_float::from_chars(b, e, out);
  return r.ec == std::errc() && r.ptr == e;
}

inline bool digit(char c) {
  return static_cast<unsigned>(c - '0') < 10u;
}
inline int d2(const char* p) {
  return (p[0] - '0') * 10 + (p[1] - '0');
}

// Remembers the last date so rows of the same day skip the calendar arithmetic.
struct DateCache {
  char key[10] = {};
  std::int64_t days = 0;
  bool valid = false;
};

inline bool fast_date(const char* p, DateCache& cache, std::int64_t& days) {
  if (cache.valid && std::memcmp(p, cache.key, 10) == 0) {
    days = cache.days;
    return true;
  }
  if (!(digit(p[0]) && digit(p[1]) && digit(p[2]) && digit(p[3]) && p[4] == '-' && digit(p[5]) &&
        digit(p[6]) && p[7] == '-' && digit(p[8]) && digit(p[9]))) {
    return false;
  }
  const int y = d2(p) * 100 + d2(p + 2);
  const int m = d2(p + 5);
  const int d = d2(p + 8);
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || d < 1 || d > kDays[m - 1]) return false;
  if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return false;
  days = days_from_civil(y, m, d);
  std::memcpy(cache.key, p, 10);
  cache.days = days;
  cache.valid = true;
  return true;
}

// True when `s` is in a fast layout and parsed; false means "use parse_time" (not "invalid").
inline bool fast_time(std::string_view s, DateCache& cache, Timestamp& out) {
  const std::size_t n = s.size();
  const char* p = s.data();
  if (n >= 10 && p[4] == '-') {
    std::int64_t days;
    if (!fast_date(p, cache, days)) return false;
    Timestamp t = days * kNanosPerDay;
    if (n == 10) {
      out = t;
      return true;
    }
    if (n < 16 || (p[10] != 'T' && p[10] != ' ') || !digit(p[11]) || !digit(p[12]) || p[13] != ':' ||
        !digit(p[14]) || !digit(p[15])) {
      return false;
    }
    const int hh = d2(p + 11), mm = d2(p + 14);
    int ss = 0;
    std::size_t pos = 16;
    if (n >= 19 && p[16] == ':' && digit(p[17]) && digit(p[18])) {
      ss = d2(p + 17);
      pos = 19;
    }
    if (pos < n && (p[pos] == 'Z' || p[pos] == 'z')) ++pos;
    if (pos != n || hh > 23 || mm > 59 || ss > 59) return false;
    out = t + hh * kNanosPerHour + mm * kNanosPerMinute + ss * kNanosPerSecond;
    return true;
  }
  // Integer epoch, same magnitude rules as parse_time.
  if (n == 0 || n > 18) return false;
  std::int64_t v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (!digit(p[i])) return false;
    v = v * 10 + (p[i] - '0');
  }
  if (v < 100'000'000'000LL) {
    out = v * kNanosPerSecond;
  } else if (v < 100'000'000'000'000LL) {
    out = v * 1'000'000;
  } else if (v < 100'000'000'000'000'000LL) {
    out = v * 1'000;
  } else {
    out = v;
  }
  return true;
}

}  // namespace tradeloop::data::internal
