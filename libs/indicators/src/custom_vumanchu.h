// Private: LazyBear's WaveTrend and VuManChu Cipher A / Cipher B as step kernels (registered in custom.cc).
//
// Source: the open-source TradingView scripts "VuManChu Cipher A" and "VuManChu B Divergences"
// (Pine v4, by vumanchu, MPL-2.0; WaveTrend from LazyBear's "Indicator: WaveTrend Oscillator [WT]",
// RSI+MFI area from andreholanda73). Their formulas are followed with the same defaults:
//   WaveTrend (f_wavetrend): esa = ema(hlc3, chlen); de = ema(|hlc3 - esa|, chlen);
//     ci = (hlc3 - esa) / (0.015 * de); wt1 = ema(ci, avg); wt2 = sma(wt1, malen)
//   RSI+MFI area (f_rsimfi): sma(((close - open) / (high - low)) * multiplier, period) [- posY in B]
//   Stochastic RSI (f_stochrsi): src = log(close); rsi(src, rsilen); k = sma(stoch(rsi, rsi, rsi, len),
//     smoothk); d = sma(k, smoothd)
// Pine's ema/sma/rsi are computed with TA-Lib's arithmetic (our ema, sma, rsi): Pine's ema and rsi are
// seeded the same way (SMA of the first values), so values agree with TradingView's to rounding; the
// exceptions are listed in docs/indicators-beyond-talib.md. A chained average starts when its input
// first has a value (as Pine, whose averages skip the leading na of their source).
#pragma once

#include <cmath>

#include "custom_states.h"
#include "moving_average.h"

namespace tradeloop::indicators::internal {

// Pine's crossover(a, b): a > b now and a < b on the previous bar (TradingView's documented definition).
inline bool crosses_over(double a, double b, double prev_a, double prev_b) {
  return a > b && prev_a < prev_b;
}

// WaveTrend of one source series; both outputs NaN until wt2 has a value.
class WaveTrend {
 public:
  WaveTrend(int channel_length, int average_length, int ma_length)
      : esa_(channel_length),
        de_(channel_length),
        wt1_(average_length),
        wt2_(ma_length),
        lookback_(2 * (channel_length - 1) + (average_length - 1) + (ma_length - 1)) {}
  int lookback() const { return lookback_; }
  void update(double src, double& wt1, double& wt2) {
    wt1 = wt2 = kNaN;
    const double esa = esa_.update(src);
    if (!esa_.ready()) return;
    const double de = de_.update(std::fabs(src - esa));
    if (!de_.ready()) return;
    // de == 0 only when every deviation it averages is 0, the current one included: ci = 0/0, defined 0.
    const double ci = de == 0 ? 0.0 : (src - esa) / (0.015 * de);
    const double w1 = wt1_.update(ci);
    if (!wt1_.ready()) return;
    const double w2 = wt2_.update(w1);
    if (!wt2_.ready()) return;
    wt1 = w1;
    wt2 = w2;
  }

 private:
  EmaState esa_, de_, wt1_;
  SmaState wt2_;
  int lookback_;
};

// WaveTrend cross state: Pine's cross(wt1, wt2) and its direction (wt2 - wt1 <= 0 is "up").
class WaveCross {
 public:
  // +1: crossed up this bar, -1: crossed down, 0: no cross (or no previous bar).
  int update(double wt1, double wt2) {
    const bool up = crosses_over(wt1, wt2, prev1_, prev2_);
    const bool down = crosses_over(wt2, wt1, prev2_, prev1_);
    prev1_ = wt1;
    prev2_ = wt2;
    return up ? 1 : (down ? -1 : 0);
  }

 private:
  double prev1_ = kNaN, prev2_ = kNaN;
};

// sma(((close - open) / (high - low)) * multiplier, period) - pos_y. A bar with high == low (0/0 in the
// script) contributes 0.
class RsiMfiArea {
 public:
  RsiMfiArea(int period, double multiplier, double pos_y)
      : sma_(period), multiplier_(multiplier), pos_y_(pos_y) {}
  double update(double open, double high, double low, double close) {
    const double range = high - low;
    const double flow = range == 0 ? 0.0 : ((close - open) / range) * multiplier_;
    return sma_.update(flow) - pos_y_;
  }

 private:
  SmaState sma_;
  double multiplier_, pos_y_;
};

// VuManChu's stochastic RSI (f_stochrsi). stoch() of a flat RSI window (highest == lowest) is 0, as
// TA-Lib's stochastics define it.
class VmcStochRsi {
 public:
  VmcStochRsi(int stoch_length, int rsi_length, int smooth_k, int smooth_d, bool use_log, bool average)
      : rsi_(rsi_length),
        highest_(stoch_length),
        lowest_(stoch_length),
        k_(smooth_k),
        d_(smooth_d),
        stoch_length_(stoch_length),
        use_log_(use_log),
        average_(average),
        lookback_(rsi_length + (stoch_length - 1) + (smooth_k - 1) + (smooth_d - 1)) {}
  int lookback() const { return lookback_; }
  void update(double close, double& k, double& d) {
    k = d = kNaN;
    const double r = rsi_.update(use_log_ ? std::log(close) : close);
    if (++count_ <= rsi_.lookback()) return;
    const double hh = highest_.update(r);
    const double ll = lowest_.update(r);
    if (count_ < rsi_.lookback() + stoch_length_) return;
    const double range = hh - ll;
    const double stoch = range == 0 ? 0.0 : 100 * (r - ll) / range;
    const double kk = k_.update(stoch);
    if (!k_.ready()) return;
    const double dd = d_.update(kk);
    if (!d_.ready()) return;
    k = average_ ? (kk + dd) / 2 : kk;
    d = dd;
  }

 private:
  TaRsi rsi_;
  RollingExtreme<true> highest_;
  RollingExtreme<false> lowest_;
  SmaState k_, d_;
  int stoch_length_;
  bool use_log_, average_;
  int lookback_;
  int count_ = 0;
};

}  // namespace tradeloop::indicators::internal
