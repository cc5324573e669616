// Candlestick patterns, TA-Lib-exact: cdldoji, cdlhammer, cdlengulfing, cdlharami, cdlmorningstar,
// cdleveningstar, cdlshootingstar, cdl3whitesoldiers, cdl3blackcrows.
//
// Output per bar: 100 (bullish or, for doji, "present"), -100 (bearish), 0 (absent); engulfing and harami
// also give +-80 when the two real bodies share an end, as TA-Lib 0.4 does. Each pattern's rules and
// lookback follow TA-Lib's ta_CDL*.c; the thresholds ("long", "short", "near", ...) use TA-Lib's default
// candle settings (candle_settings.h) averaged over the candles *before* the one judged, with TA-Lib's
// running sums updated in TA-Lib's order, so every comparison sees the same doubles as TA-Lib.
#include <algorithm>
#include <array>

#include "candle_settings.h"
#include "kernel_indicator.h"

namespace tradeloop::indicators::internal {

namespace {

// A running "average of the candle measure over avg_period candles before the candle `offset` bars ago".
struct AverageSpec {
  CandleSetting setting;
  int offset;
};

// The last kCapacity candles; at(k) is the candle k bars ago.
class CandleWindow {
 public:
  static constexpr int kCapacity = 16;
  void push(const Candle& c) {
    head_ = (head_ + 1) & (kCapacity - 1);
    candles_[static_cast<std::size_t>(head_)] = c;
  }
  const Candle& at(int k) const { return candles_[static_cast<std::size_t>((head_ - k) & (kCapacity - 1))]; }

 private:
  std::array<Candle, kCapacity> candles_{};
  int head_ = 0;
};

// A pattern P provides: static constexpr std::array<AverageSpec, N> kAverages; static constexpr int
// kLookback; explicit P(const ParamValues&); int eval(const CandleWindow&, const double* sums) const
// (sums[m] is the running sum of kAverages[m]).
template <class P>
class PatternKernel {
 public:
  static constexpr int kInputs = 4;  // open, high, low, close
  static constexpr int kOutputs = 1;
  static constexpr std::size_t kNumAverages = P::kAverages.size();
  static_assert(P::kLookback < CandleWindow::kCapacity, "candle window too small for the lookback");

  explicit PatternKernel(const ParamValues& p) : pattern_(p) {}
  int lookback() const { return P::kLookback; }

  void step(Timestamp /*ts*/, const double* in, double* out) {
    window_.push(Candle{in[0], in[1], in[2], in[3]});
    const int i = count_;
    if (count_ <= P::kLookback) ++count_;
    if (i < P::kLookback) {
      out[0] = kNaN;
      return;
    }
    if (i == P::kLookback) {
      // TA-Lib's initial sums: the avg_period candles before the judged one, oldest first.
      for (std::size_t m = 0; m < kNumAverages; ++m) {
        const AverageSpec& a = P::kAverages[m];
        sums_[m] = 0;
        for (int back = a.offset + a.setting.avg_period; back > a.offset; --back) {
          sums_[m] += candle_range(a.setting, window_.at(back));
        }
      }
    }
    out[0] = pattern_.eval(window_, sums_.data());
    for (std::size_t m = 0; m < kNumAverages; ++m) {
      const AverageSpec& a = P::kAverages[m];
      if (a.setting.avg_period == 0) continue;  // the sum is never read
      sums_[m] += candle_range(a.setting, window_.at(a.offset)) -
                  candle_range(a.setting, window_.at(a.offset + a.setting.avg_period));
    }
  }

 private:
  P pattern_;
  CandleWindow window_;
  std::array<double, kNumAverages == 0 ? 1 : kNumAverages> sums_{};
  int count_ = 0;
};

using namespace candle;  // NOLINT: the setting names read like TA-Lib's

// Doji: open quite equal to close (real body <= 10% of the average high-low range).
struct Doji {
  static constexpr std::array<AverageSpec, 1> kAverages{{{kBodyDoji, 0}}};
  static constexpr int kLookback = kBodyDoji.avg_period;
  explicit Doji(const ParamValues& /*p*/) {}
  int eval(const CandleWindow& w, const double* s) const {
    return real_body(w.at(0)) <= candle_average(kBodyDoji, s[0], w.at(0)) ? 100 : 0;
  }
};

// Hammer: small real body, long lower shadow, no or very short upper shadow, body near the prior low.
struct Hammer {
  static constexpr std::array<AverageSpec, 4> kAverages{
      {{kBodyShort, 0}, {kShadowLong, 0}, {kShadowVeryShort, 0}, {kNear, 1}}};
  static constexpr int kLookback = std::max({kBodyShort.avg_period, kShadowLong.avg_period,
                                             kShadowVeryShort.avg_period, kNear.avg_period}) +
                                   1;
  explicit Hammer(const ParamValues& /*p*/) {}
  int eval(const CandleWindow& w, const double* s) const {
    const Candle& c = w.at(0);
    const Candle& prev = w.at(1);
    return real_body(c) < candle_average(kBodyShort, s[0], c) &&
                   lower_shadow(c) > candle_average(kShadowLong, s[1], c) &&
                   upper_shadow(c) < candle_average(kShadowVeryShort, s[2], c) &&
                   ta_min(c.close, c.open) <= prev.low + candle_average(kNear, s[3], prev)
               ? 100
               : 0;
  }
};

// Shooting star: small real body gapping up, long upper shadow, no or very short lower shadow.
struct ShootingStar {
  static constexpr std::array<AverageSpec, 3> kAverages{
      {{kBodyShort, 0}, {kShadowLong, 0}, {kShadowVeryShort, 0}}};
  static constexpr int kLookback =
      std::max({kBodyShort.avg_period, kShadowLong.avg_period, kShadowVeryShort.avg_period}) + 1;
  explicit ShootingStar(const ParamValues& /*p*/) {}
  int eval(const CandleWindow& w, const double* s) const {
    const Candle& c = w.at(0);
    return real_body(c) < candle_average(kBodyShort, s[0], c) &&
                   upper_shadow(c) > candle_average(kShadowLong, s[1], c) &&
                   lower_shadow(c) < candle_average(kShadowVeryShort, s[2], c) && real_body_gap_up(c, w.at(1))
               ? -100
               : 0;
  }
};

// Engulfing: a real body that engulfs the prior opposite-colour one; +-80 when they share an end.
struct Engulfing {
  static constexpr std::array<AverageSpec, 0> kAverages{};
  static constexpr int kLookback = 2;
  explicit Engulfing(const ParamValues& /*p*/) {}
  int eval(const CandleWindow& w, const double* /*s*/) const {
    const Candle& c = w.at(0);
    const Candle& p = w.at(1);
    const int color = candle_color(c);
    const bool engulfs =
        (color == 1 && candle_color(p) == -1 &&
         ((c.close >= p.open && c.open < p.close) || (c.close > p.open && c.open <= p.close))) ||
        (color == -1 && candle_color(p) == 1 &&
         ((c.open >= p.close && c.close < p.open) || (c.open > p.close && c.close <= p.open)));
    if (!engulfs) return 0;
    return c.open != p.close && c.close != p.open ? color * 100 : color * 80;
  }
};

// Harami: a long real body, then a short one inside it; sign opposite to the first candle's colour,
// +-80 when the bodies share an end.
struct Harami {
  static constexpr std::array<AverageSpec, 2> kAverages{{{kBodyLong, 1}, {kBodyShort, 0}}};
  static constexpr int kLookback = std::max(kBodyShort.avg_period, kBodyLong.avg_period) + 1;
  explicit Harami(const ParamValues& /*p*/) {}
  int eval(const CandleWindow& w, const double* s) const {
    const Candle& c = w.at(0);
    const Candle& p = w.at(1);
    if (!(real_body(p) > candle_average(kBodyLong, s[0], p) &&
          real_body(c) <= candle_average(kBodyShort, s[1], c))) {
      return 0;
    }
    const double c_top = ta_max(c.close, c.open), c_bottom = ta_min(c.close, c.open);
    const double p_top = ta_max(p.close, p.open), p_bottom = ta_min(p.close, p.open);
    if (c_top < p_top && c_bottom > p_bottom) return -candle_color(p) * 100;
    if (c_top <= p_top && c_bottom >= p_bottom) return -candle_color(p) * 80;
    return 0;
  }
};

// Morning star (kBullish) / evening star: a long black (white) body, a short body gapping down (up), then
// a white (black) body longer than short closing more than `penetration` of the first body into it.
template <bool kBullish>
struct Star {
  static constexpr std::array<AverageSpec, 3> kAverages{{{kBodyLong, 2}, {kBodyShort, 1}, {kBodyShort, 0}}};
  static constexpr int kLookback = std::max(kBodyShort.avg_period, kBodyLong.avg_period) + 2;
  explicit Star(const ParamValues& p) : penetration_(p[0]) {}
  int eval(const CandleWindow& w, const double* s) const {
    const Candle& c = w.at(0);
    const Candle& star = w.at(1);
    const Candle& first = w.at(2);
    const int sign = kBullish ? 1 : -1;
    const bool first_ok =
        real_body(first) > candle_average(kBodyLong, s[0], first) && candle_color(first) == -sign;
    const bool star_ok = real_body(star) <= candle_average(kBodyShort, s[1], star) &&
                         (kBullish ? real_body_gap_down(star, first) : real_body_gap_up(star, first));
    const bool third_ok = real_body(c) > candle_average(kBodyShort, s[2], c) && candle_color(c) == sign &&
                          (kBullish ? c.close > first.close + real_body(first) * penetration_
                                    : c.close < first.close - real_body(first) * penetration_);
    return first_ok && star_ok && third_ok ? sign * 100 : 0;
  }
  double penetration_;
};

// Three advancing white soldiers: three white candles with higher closes, each opening within or near
// the prior body, very short upper shadows, not far shorter than the prior one, the last not short.
struct ThreeWhiteSoldiers {
  static constexpr std::array<AverageSpec, 8> kAverages{{{kShadowVeryShort, 2},
                                                         {kShadowVeryShort, 1},
                                                         {kShadowVeryShort, 0},
                                                         {kNear, 2},
                                                         {kNear, 1},
                                                         {kFar, 2},
                                                         {kFar, 1},
                                                         {kBodyShort, 0}}};
  static constexpr int kLookback = std::max(std::max(kShadowVeryShort.avg_period, kBodyShort.avg_period),
                                            std::max(kFar.avg_period, kNear.avg_period)) +
                                   2;
  explicit ThreeWhiteSoldiers(const ParamValues& /*p*/) {}
  int eval(const CandleWindow& w, const double* s) const {
    const Candle& c3 = w.at(0);
    const Candle& c2 = w.at(1);
    const Candle& c1 = w.at(2);
    return candle_color(c1) == 1 && upper_shadow(c1) < candle_average(kShadowVeryShort, s[0], c1) &&
                   candle_color(c2) == 1 && upper_shadow(c2) < candle_average(kShadowVeryShort, s[1], c2) &&
                   candle_color(c3) == 1 && upper_shadow(c3) < candle_average(kShadowVeryShort, s[2], c3) &&
                   c3.close > c2.close && c2.close > c1.close &&  //
                   c2.open > c1.open && c2.open <= c1.close + candle_average(kNear, s[3], c1) &&
                   c3.open > c2.open && c3.open <= c2.close + candle_average(kNear, s[4], c2) &&
                   real_body(c2) > real_body(c1) - candle_average(kFar, s[5], c1) &&
                   real_body(c3) > real_body(c2) - candle_average(kFar, s[6], c2) &&
                   real_body(c3) > candle_average(kBodyShort, s[7], c3)
               ? 100
               : 0;
  }
};

// Three black crows: after a white candle, three declining black candles, each opening within the prior
// body, with very short lower shadows, the first closing under the white candle's high.
struct ThreeBlackCrows {
  static constexpr std::array<AverageSpec, 3> kAverages{
      {{kShadowVeryShort, 2}, {kShadowVeryShort, 1}, {kShadowVeryShort, 0}}};
  static constexpr int kLookback = kShadowVeryShort.avg_period + 3;
  explicit ThreeBlackCrows(const ParamValues& /*p*/) {}
  int eval(const CandleWindow& w, const double* s) const {
    const Candle& c3 = w.at(0);
    const Candle& c2 = w.at(1);
    const Candle& c1 = w.at(2);
    const Candle& white = w.at(3);
    return candle_color(white) == 1 && candle_color(c1) == -1 &&
                   lower_shadow(c1) < candle_average(kShadowVeryShort, s[0], c1) && candle_color(c2) == -1 &&
                   lower_shadow(c2) < candle_average(kShadowVeryShort, s[1], c2) && candle_color(c3) == -1 &&
                   lower_shadow(c3) < candle_average(kShadowVeryShort, s[2], c3) &&  //
                   c2.open < c1.open && c2.open > c1.close &&                        //
                   c3.open < c2.open && c3.open > c2.close &&                        //
                   white.high > c1.close && c1.close > c2.close && c2.close > c3.close
               ? -100
               : 0;
  }
};

template <class P>
void add_pattern(Registry& r, std::string name, std::string description, std::vector<ParamInfo> params = {}) {
  IndicatorInfo info;
  info.name = name;
  info.group = "pattern";
  info.description = std::move(description);
  info.inputs = {"open", "high", "low", "close"};
  info.params = std::move(params);
  info.outputs = {std::move(name)};
  info.integer_output = true;
  r.push_back({std::move(info), nullptr, make_kernel_indicator<PatternKernel<P>>});
}

}  // namespace

void register_patterns(Registry& r) {
  add_pattern<Doji>(r, "cdldoji", "Doji");
  add_pattern<Hammer>(r, "cdlhammer", "Hammer");
  add_pattern<Engulfing>(r, "cdlengulfing", "Engulfing Pattern");
  add_pattern<Harami>(r, "cdlharami", "Harami Pattern");
  const ParamInfo penetration = real_param(
      "penetration", 0.3, 0, kRealMax, "fraction of the first real body the third candle must close into");
  add_pattern<Star<true>>(r, "cdlmorningstar", "Morning Star", {penetration});
  add_pattern<Star<false>>(r, "cdleveningstar", "Evening Star", {penetration});
  add_pattern<ShootingStar>(r, "cdlshootingstar", "Shooting Star");
  add_pattern<ThreeWhiteSoldiers>(r, "cdl3whitesoldiers", "Three Advancing White Soldiers");
  add_pattern<ThreeBlackCrows>(r, "cdl3blackcrows", "Three Black Crows");
}

}  // namespace tradeloop::indicators::internal
