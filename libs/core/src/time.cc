#include "tradeloop/core/time.h"

#include <cmath>
#include <cstdio>

#include <fmt/format.h>

namespace tradeloop {

CivilDate civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<int>(y + (m <= 2 ? 1 : 0)), static_cast<int>(m), static_cast<int>(d)};
}

int weekday(Timestamp ts) {
  const std::int64_t days = floor_day(ts) / kNanosPerDay;
  // 1970-01-01 was a Thursday (3 when Monday is 0).
  return static_cast<int>(((days % 7) + 7 + 3) % 7);
}

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Reads exactly n digits at text[pos]; returns -1 when they are not all digits.
int read_digits(std::string_view text, std::size_t pos, std::size_t n) {
  if (pos + n > text.size()) return -1;
  int value = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const char c = text[pos + i];
    if (!is_digit(c)) return -1;
    value = value * 10 + (c - '0');
  }
  return value;
}

constexpr int kDaysInMonth[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

Error bad_time(std::string_view text, std::string_view why) {
  return Error::invalid_argument(fmt::format("cannot parse time '{}': {}", text, why));
}

Result<Timestamp> parse_epoch(std::string_view text) {
  std::size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) {
    negative = text[i] == '-';
    ++i;
  }
  const std::size_t digits_start = i;
  std::int64_t whole = 0;
  for (; i < text.size() && is_digit(text[i]); ++i) {
    if (i - digits_start >= 19) return bad_time(text, "epoch value has too many digits");
    whole = whole * 10 + (text[i] - '0');
  }
  if (i == digits_start) return bad_time(text, "expected YYYY-MM-DD[ HH:MM[:SS[.fff]]][Z|+hh:mm] or an epoch number");
  if (i < text.size() && text[i] == '.') {
    // Fractional epoch: seconds with a fraction.
    ++i;
    std::int64_t frac = 0;
    int frac_digits = 0;
    for (; i < text.size() && is_digit(text[i]); ++i) {
      if (frac_digits < 9) {
        frac = frac * 10 + (text[i] - '0');
        ++frac_digits;
      }
    }
    if (i != text.size()) return bad_time(text, "unexpected character after epoch fraction");
    if (whole >= 9'223'372'036LL) return bad_time(text, "epoch seconds out of range");
    for (; frac_digits < 9; ++frac_digits) frac *= 10;
    const Timestamp ns = whole * kNanosPerSecond + frac;
    return negative ? -ns : ns;
  }
  if (i != text.size()) return bad_time(text, "unexpected character in epoch number");
  Timestamp ns;
  if (whole < 100'000'000'000LL) {
    ns = whole * kNanosPerSecond;
  } else if (whole < 100'000'000'000'000LL) {
    ns = whole * 1'000'000;
  } else if (whole < 100'000'000'000'000'000LL) {
    ns = whole * 1'000;
  } else {
    ns = whole;
  }
  return negative ? -ns : ns;
}

}  // namespace

Result<Timestamp> parse_time(std::string_view text) {
  // Dates start with 4 digits and '-'; anything else is an epoch number.
  if (text.size() < 10 || text[4] != '-') return parse_epoch(text);
  const int year = read_digits(text, 0, 4);
  const int month = read_digits(text, 5, 2);
  const int day = read_digits(text, 8, 2);
  if (year < 0 || month < 0 || day < 0 || text[7] != '-') return bad_time(text, "expected a date YYYY-MM-DD");
  if (month < 1 || month > 12) return bad_time(text, "month must be 01..12");
  const int month_days = kDaysInMonth[month - 1] + (month == 2 && is_leap(year) ? 1 : 0);
  if (day < 1 || day > month_days) return bad_time(text, "day is not in the month");
  Timestamp ts = days_from_civil(year, month, day) * kNanosPerDay;
  std::size_t pos = 10;
  if (pos == text.size()) return ts;

  if (text[pos] == 'T' || text[pos] == ' ') {
    ++pos;
    const int hour = read_digits(text, pos, 2);
    if (hour < 0 || pos + 2 >= text.size() || text[pos + 2] != ':') return bad_time(text, "expected a time HH:MM");
    const int minute = read_digits(text, pos + 3, 2);
    if (minute < 0) return bad_time(text, "expected a time HH:MM");
    pos += 5;
    int second = 0;
    if (pos < text.size() && text[pos] == ':') {
      second = read_digits(text, pos + 1, 2);
      if (second < 0) return bad_time(text, "expected seconds SS after HH:MM:");
      pos += 3;
    }
    if (hour > 23 || minute > 59 || second > 60) return bad_time(text, "time of day out of range");
    ts += hour * kNanosPerHour + minute * kNanosPerMinute + second * kNanosPerSecond;
    if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
      ++pos;
      std::int64_t frac = 0;
      int digits = 0;
      const std::size_t start = pos;
      for (; pos < text.size() && is_digit(text[pos]); ++pos) {
        if (digits < 9) {
          frac = frac * 10 + (text[pos] - '0');
          ++digits;
        }
      }
      if (pos == start) return bad_time(text, "expected digits after the decimal point");
      for (; digits < 9; ++digits) frac *= 10;
      ts += frac;
    }
  }
  if (pos == text.size()) return ts;
  if (text[pos] == 'Z' || text[pos] == 'z') {
    return pos + 1 == text.size() ? Result<Timestamp>(ts) : bad_time(text, "unexpected text after 'Z'");
  }
  if (text[pos] == '+' || text[pos] == '-') {
    const int sign = text[pos] == '+' ? 1 : -1;
    const int oh = read_digits(text, pos + 1, 2);
    std::size_t p = pos + 3;
    if (p < text.size() && text[p] == ':') ++p;
    const int om = p == text.size() ? 0 : read_digits(text, p, 2);
    if (oh < 0 || om < 0 || oh > 23 || om > 59) return bad_time(text, "expected a UTC offset +hh:mm");
    if (p != text.size() && p + 2 != text.size()) return bad_time(text, "unexpected text after the UTC offset");
    // Local time = UTC + offset, so UTC = local - offset.
    return ts - sign * (oh * kNanosPerHour + om * kNanosPerMinute);
  }
  return bad_time(text, "unexpected text after the time");
}

std::string format_date(Timestamp ts) {
  const CivilDate d = civil_from_days(floor_day(ts) / kNanosPerDay);
  return fmt::format("{:04d}-{:02d}-{:02d}", d.year, d.month, d.day);
}

std::string format_time(Timestamp ts) {
  const Timestamp day_start = floor_day(ts);
  const Timestamp in_day = ts - day_start;
  const auto h = in_day / kNanosPerHour;
  const auto m = (in_day / kNanosPerMinute) % 60;
  const auto s = (in_day / kNanosPerSecond) % 60;
  const auto frac = in_day % kNanosPerSecond;
  std::string out = fmt::format("{}T{:02d}:{:02d}:{:02d}", format_date(ts), h, m, s);
  if (frac != 0) {
    if (frac % 1'000'000 == 0) {
      out += fmt::format(".{:03d}", frac / 1'000'000);
    } else if (frac % 1'000 == 0) {
      out += fmt::format(".{:06d}", frac / 1'000);
    } else {
      out += fmt::format(".{:09d}", frac);
    }
  }
  out += 'Z';
  return out;
}

std::string format_time_compact(Timestamp ts) {
  return floor_day(ts) == ts ? format_date(ts) : format_time(ts);
}

}  // namespace tradeloop
