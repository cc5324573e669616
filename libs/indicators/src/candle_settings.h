// Private: TA-Lib's candlestick vocabulary (ta_global.c's default candle settings and ta_utility.h's candle
// macros), used by patterns.cc. A setting says what "long", "short", "near"... mean: a factor times the
// average of a candle measure (real body, high-low range, or shadows / 2) over the `avg_period` candles
// before the one judged; avg_period 0 means "this candle's own measure".
#pragma once

#include <cmath>
#include <cstdint>

namespace tradeloop::indicators::internal {

struct Candle {
  double open = 0, high = 0, low = 0, close = 0;
};

enum class CandleRange : std::uint8_t { kRealBody = 0, kHighLow = 1, kShadows = 2 };

struct CandleSetting {
  CandleRange range;
  int avg_period;
  double factor;
};

// TA_RestoreCandleDefaultSettings (TA-Lib 0.4). TA-Lib lets users change these globally; we keep the
// defaults, which is what every TA-Lib-based platform reports.
namespace candle {
inline constexpr CandleSetting kBodyLong{CandleRange::kRealBody, 10, 1.0};
inline constexpr CandleSetting kBodyVeryLong{CandleRange::kRealBody, 10, 3.0};
inline constexpr CandleSetting kBodyShort{CandleRange::kRealBody, 10, 1.0};
inline constexpr CandleSetting kBodyDoji{CandleRange::kHighLow, 10, 0.1};
inline constexpr CandleSetting kShadowLong{CandleRange::kRealBody, 0, 1.0};
inline constexpr CandleSetting kShadowVeryLong{CandleRange::kRealBody, 0, 2.0};
inline constexpr CandleSetting kShadowShort{CandleRange::kShadows, 10, 1.0};
inline constexpr CandleSetting kShadowVeryShort{CandleRange::kHighLow, 10, 0.1};
inline constexpr CandleSetting kNear{CandleRange::kHighLow, 5, 0.2};
inline constexpr CandleSetting kFar{CandleRange::kHighLow, 5, 0.6};
inline constexpr CandleSetting kEqual{CandleRange::kHighLow, 5, 0.05};
}  // namespace candle

// TA-Lib's min/max macros, kept (rather than std::min/max) because they differ on NaN.
inline double ta_min(double a, double b) {
  return a < b ? a : b;
}
inline double ta_max(double a, double b) {
  return a > b ? a : b;
}

inline double real_body(const Candle& c) {
  return std::fabs(c.close - c.open);
}
inline double upper_shadow(const Candle& c) {
  return c.high - (c.close >= c.open ? c.close : c.open);
}
inline double lower_shadow(const Candle& c) {
  return (c.close >= c.open ? c.open : c.close) - c.low;
}
inline double high_low_range(const Candle& c) {
  return c.high - c.low;
}
// 1 for a white (close >= open) candle, -1 for a black one.
inline int candle_color(const Candle& c) {
  return c.close >= c.open ? 1 : -1;
}

inline double candle_range(const CandleSetting& s, const Candle& c) {
  switch (s.range) {
    case CandleRange::kRealBody:
      return real_body(c);
    case CandleRange::kHighLow:
      return high_low_range(c);
    case CandleRange::kShadows:
      return upper_shadow(c) + lower_shadow(c);
  }
  return 0;
}

// TA_CANDLEAVERAGE: the threshold a measure of candle `c` is compared with, from `sum` = the setting's
// measure summed over the avg_period candles before `c`.
inline double candle_average(const CandleSetting& s, double sum, const Candle& c) {
  return s.factor * (s.avg_period != 0 ? sum / s.avg_period : candle_range(s, c)) /
         (s.range == CandleRange::kShadows ? 2.0 : 1.0);
}

// Real bodies that do not overlap: `second`'s body entirely above (gap up) or below (gap down) `first`'s.
inline bool real_body_gap_up(const Candle& second, const Candle& first) {
  return ta_min(second.open, second.close) > ta_max(first.open, first.close);
}
inline bool real_body_gap_down(const Candle& second, const Candle& first) {
  return ta_max(second.open, second.close) < ta_min(first.open, first.close);
}

}  // namespace tradeloop::indicators::internal
