// Indicators beyond TA-Lib. Each kernel's comment gives its definition and source; the user-facing
// description with parameters, outputs, lookback and NaN behaviour is docs/indicators-beyond-talib.md.
//
// Multi-output indicators follow TA-Lib's convention: every output starts at the same bar (the
// indicator's lookback), so "ready" means all outputs have a value. Nothing at index t depends on data
// after t.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "custom_states.h"
#include "custom_vumanchu.h"
#include "kernel_indicator.h"
#include "moving_average.h"

namespace tradeloop::indicators::internal {

namespace {

int ip(const ParamValues& p, std::size_t i) {
  return static_cast<int>(p[i]);
}

// Hull moving average (Alan Hull, 2005): wma(2 * wma(x, n/2) - wma(x, n), floor(sqrt(n))), with integer
// n/2 as pandas-ta and TradingView's ta.hma. Lookback n - 1 + floor(sqrt(n)) - 1.
class HullMaKernel {
 public:
  static constexpr int kInputs = 1;
  static constexpr int kOutputs = 1;
  explicit HullMaKernel(const ParamValues& p)
      : half_(ip(p, 0) / 2, MaType::kWma),
        full_(ip(p, 0), MaType::kWma),
        root_(static_cast<int>(std::floor(std::sqrt(static_cast<double>(ip(p, 0))))), MaType::kWma),
        lookback_(full_.lookback() + root_.lookback()) {}
  int lookback() const { return lookback_; }
  void step(Timestamp /*ts*/, const double* in, double* out) {
    const double half = half_.update(in[0]);
    const double full = full_.update(in[0]);
    out[0] = full_.ready() ? root_.update(2.0 * half - full) : kNaN;
  }

 private:
  MaState half_, full_, root_;  // MaState: a period of 1 is the identity
  int lookback_;
};

enum class VwapAnchor : std::uint8_t { kDay = 0, kWeek = 1, kMonth = 2 };

// Session key of a bar's timestamp (its open time, UTC): the day, the Monday-based week or the month.
std::int64_t session_key(Timestamp ts, VwapAnchor anchor) {
  const std::int64_t day = floor_day(ts) / kNanosPerDay;
  switch (anchor) {
    case VwapAnchor::kDay:
      return day;
    case VwapAnchor::kWeek: {
      const std::int64_t d = day + 3;  // 1970-01-01 was a Thursday: day + 3 counts from a Monday
      return d >= 0 ? d / 7 : -((-d + 6) / 7);
    }
    case VwapAnchor::kMonth: {
      const CivilDate date = civil_from_days(day);
      return static_cast<std::int64_t>(date.year) * 12 + date.month - 1;
    }
  }
  return day;
}

// Session-anchored VWAP (as TradingView's ta.vwap with its default hlc3 source and "Session"/"Week"/
// "Month" anchor): sum(hlc3 * volume) / sum(volume) since the first bar of the current UTC day (week
// from Monday 00:00 UTC, month). A bar belongs to the session of its timestamp. NaN while the session's
// volume is 0. Without timestamps every bar has ts 0: one session from the first bar.
class VwapKernel {
 public:
  static constexpr int kInputs = 4;  // high, low, close, volume
  static constexpr int kOutputs = 1;
  explicit VwapKernel(const ParamValues& p) : anchor_(static_cast<VwapAnchor>(ip(p, 0))) {}
  int lookback() const { return 0; }
  void step(Timestamp ts, const double* in, double* out) {
    const std::int64_t key = session_key(ts, anchor_);
    if (!started_ || key != key_) {
      started_ = true;
      key_ = key;
      price_volume_ = 0;
      volume_ = 0;
    }
    const double typical = (in[0] + in[1] + in[2]) / 3.0;
    price_volume_ += typical * in[3];
    volume_ += in[3];
    out[0] = volume_ != 0 ? price_volume_ / volume_ : kNaN;
  }

 private:
  VwapAnchor anchor_;
  bool started_ = false;
  std::int64_t key_ = 0;
  double price_volume_ = 0, volume_ = 0;
};

// Rolling VWAP: sum(hlc3 * volume) / sum(volume) over the last `timeperiod` bars (running sums). NaN
// while the window's volume is all zero or a NaN is inside the window.
class RollingVwapKernel {
 public:
  static constexpr int kInputs = 4;  // high, low, close, volume
  static constexpr int kOutputs = 1;
  explicit RollingVwapKernel(const ParamValues& p) : period_(ip(p, 0)), pv_(period_), volume_(period_) {}
  int lookback() const { return period_ - 1; }
  void step(Timestamp /*ts*/, const double* in, double* out) {
    const double typical = (in[0] + in[1] + in[2]) / 3.0;
    pv_.push(typical * in[3]);
    volume_.push(in[3]);
    out[0] = volume_.full() && volume_.nonzero() > 0 ? pv_.sum() / volume_.sum() : kNaN;
  }

 private:
  int period_;
  RollingSum pv_, volume_;
};

// Supertrend (Olivier Seban), with TradingView's ta.supertrend band and direction rules:
//   atr = TA-Lib's atr(timeperiod); upper = hl2 + multiplier * atr; lower = hl2 - multiplier * atr;
//   lower = lower > lower[1] or close[1] < lower[1] ? lower : lower[1]   (the band only ratchets up)
//   upper = upper < upper[1] or close[1] > upper[1] ? upper : upper[1]   (only ratchets down)
//   if the previous supertrend was the upper band: up when close > upper, else down;
//   otherwise: down when close < lower, else up. supertrend = up ? lower : upper.
// Outputs: supertrend and direction = +1 up (line below price) / -1 down (pandas-ta's sign; TradingView's
// ta.supertrend returns the opposite sign). The first bar with an ATR starts down, as TradingView.
// ATR is TA-Lib's (first value at bar timeperiod), as freqtrade's and pandas-ta's (with TA-Lib) use.
class SupertrendKernel {
 public:
  static constexpr int kInputs = 3;  // high, low, close
  static constexpr int kOutputs = 2;
  explicit SupertrendKernel(const ParamValues& p) : atr_(ip(p, 0)), multiplier_(p[1]) {}
  int lookback() const { return atr_.lookback(); }
  void step(Timestamp /*ts*/, const double* in, double* out) {
    const double high = in[0], low = in[1], close = in[2];
    const double atr = atr_.update(high, low, close);
    if (count_++ < atr_.lookback()) {
      prev_close_ = close;
      out[0] = out[1] = kNaN;
      return;
    }
    const double mid = (high + low) / 2;
    double upper = mid + multiplier_ * atr;
    double lower = mid - multiplier_ * atr;
    int direction = -1;
    if (started_) {
      lower = lower > prev_lower_ || prev_close_ < prev_lower_ ? lower : prev_lower_;
      upper = upper < prev_upper_ || prev_close_ > prev_upper_ ? upper : prev_upper_;
      if (prev_supertrend_ == prev_upper_) {
        direction = close > upper ? 1 : -1;
      } else {
        direction = close < lower ? -1 : 1;
      }
    }
    started_ = true;
    const double supertrend = direction == 1 ? lower : upper;
    prev_lower_ = lower;
    prev_upper_ = upper;
    prev_supertrend_ = supertrend;
    prev_close_ = close;
    out[0] = supertrend;
    out[1] = direction;
  }

 private:
  TaAtr atr_;
  double multiplier_;
  int count_ = 0;
  bool started_ = false;
  double prev_close_ = 0, prev_lower_ = 0, prev_upper_ = 0, prev_supertrend_ = 0;
};

// Keltner Channels as TradingView's built-in (band style "Average True Range", exponential basis) and
// Linda Raschke's modern definition: middle = ema(close, timeperiod); upper/lower = middle +- multiplier *
// atr(atrperiod), with our (TA-Lib's) ema and atr.
class KeltnerKernel {
 public:
  static constexpr int kInputs = 3;  // high, low, close
  static constexpr int kOutputs = 3;
  explicit KeltnerKernel(const ParamValues& p)
      : ema_(ip(p, 0)),
        atr_(ip(p, 1)),
        multiplier_(p[2]),
        lookback_(std::max(ema_.lookback(), atr_.lookback())) {}
  int lookback() const { return lookback_; }
  void step(Timestamp /*ts*/, const double* in, double* out) {
    const double middle = ema_.update(in[2]);
    const double atr = atr_.update(in[0], in[1], in[2]);
    if (count_++ < lookback_) {
      out[0] = out[1] = out[2] = kNaN;
      return;
    }
    out[0] = middle + multiplier_ * atr;
    out[1] = middle;
    out[2] = middle - multiplier_ * atr;
  }

 private:
  EmaState ema_;
  TaAtr atr_;
  double multiplier_;
  int lookback_;
  int count_ = 0;
};

// Donchian Channels (Richard Donchian): upper = highest high, lower = lowest low of the last timeperiod
// bars including the current one, middle = (upper + lower) / 2. Lookback timeperiod - 1.
class DonchianKernel {
 public:
  static constexpr int kInputs = 2;  // high, low
  static constexpr int kOutputs = 3;
  explicit DonchianKernel(const ParamValues& p)
      : highest_(ip(p, 0)), lowest_(ip(p, 0)), lookback_(ip(p, 0) - 1) {}
  int lookback() const { return lookback_; }
  void step(Timestamp /*ts*/, const double* in, double* out) {
    const double upper = highest_.update(in[0]);
    const double lower = lowest_.update(in[1]);
    out[0] = upper;
    out[1] = (upper + lower) / 2;
    out[2] = lower;
  }

 private:
  RollingExtreme<true> highest_;
  RollingExtreme<false> lowest_;
  int lookback_;
};

// Ichimoku Kinko Hyo (Goichi Hosoda), without look-ahead:
//   tenkan[t] = (highest high + lowest low) / 2 over tenkan_period bars ending at t; kijun[t] likewise
//   over kijun_period;
//   senkou_a[t] = (tenkan + kijun) / 2 computed at bar t - displacement, and senkou_b[t] = midpoint over
//   senkou_b_period computed at t - displacement: the cloud values a chart draws at t (pandas-ta,
//   backtrader and LEAN shift by displacement = 26; TradingView's plot offset is displacement - 1);
//   chikou[t] = close[t]: the lagging span's newest point, known at t and drawn at t - displacement. (What
//   a chart draws at t, close[t + displacement], is the future; to use chikou, compare chikou[t] with
//   close or the cloud at t - displacement.)
class IchimokuKernel {
 public:
  static constexpr int kInputs = 3;  // high, low, close
  static constexpr int kOutputs = 5;
  explicit IchimokuKernel(const ParamValues& p)
      : tenkan_high_(ip(p, 0)),
        kijun_high_(ip(p, 1)),
        span_b_high_(ip(p, 2)),
        tenkan_low_(ip(p, 0)),
        kijun_low_(ip(p, 1)),
        span_b_low_(ip(p, 2)),
        delay_a_(ip(p, 3)),
        delay_b_(ip(p, 3)),
        lookback_(std::max(std::max(ip(p, 0), ip(p, 1)), ip(p, 2)) - 1 + ip(p, 3)) {}
  int lookback() const { return lookback_; }
  void step(Timestamp /*ts*/, const double* in, double* out) {
    const double high = in[0], low = in[1];
    const double tenkan = (tenkan_high_.update(high) + tenkan_low_.update(low)) / 2;
    const double kijun = (kijun_high_.update(high) + kijun_low_.update(low)) / 2;
    const double span_b = (span_b_high_.update(high) + span_b_low_.update(low)) / 2;
    const double senkou_a = delay_a_.update((tenkan + kijun) / 2);
    const double senkou_b = delay_b_.update(span_b);
    if (count_++ < lookback_) {
      for (int o = 0; o < kOutputs; ++o) out[o] = kNaN;
      return;
    }
    out[0] = tenkan;
    out[1] = kijun;
    out[2] = senkou_a;
    out[3] = senkou_b;
    out[4] = in[2];
  }

 private:
  RollingExtreme<true> tenkan_high_, kijun_high_, span_b_high_;
  RollingExtreme<false> tenkan_low_, kijun_low_, span_b_low_;
  DelayLine delay_a_, delay_b_;
  int lookback_;
  int count_ = 0;
};

// Heikin-Ashi candles: ha_close = (open + high + low + close) / 4; ha_open = (ha_open[1] + ha_close[1]) / 2,
// or (open + close) / 2 on the first bar and on the bar after a NaN candle (a restart, so one bad bar
// does not end the series);
// ha_high = max(high, ha_open, ha_close); ha_low = min(low, ha_open, ha_close).
class HeikinAshiKernel {
 public:
  static constexpr int kInputs = 4;  // open, high, low, close
  static constexpr int kOutputs = 4;
  explicit HeikinAshiKernel(const ParamValues& /*p*/) {}
  int lookback() const { return 0; }
  void step(Timestamp /*ts*/, const double* in, double* out) {
    const double open = in[0], high = in[1], low = in[2], close = in[3];
    const double ha_close = (open + high + low + close) / 4;
    const bool restart = std::isnan(prev_open_) || std::isnan(prev_close_);
    const double ha_open = restart ? (open + close) / 2 : (prev_open_ + prev_close_) / 2;
    const bool nan = std::isnan(high) || std::isnan(low) || std::isnan(ha_open) || std::isnan(ha_close);
    out[0] = ha_open;
    out[1] = nan ? kNaN : std::max({high, ha_open, ha_close});
    out[2] = nan ? kNaN : std::min({low, ha_open, ha_close});
    out[3] = ha_close;
    prev_open_ = ha_open;
    prev_close_ = ha_close;
  }

 private:
  double prev_open_ = kNaN, prev_close_ = kNaN;
};

// Z-score: (x - mean) / standard deviation over the last timeperiod values (population standard
// deviation, as TA-Lib's stddev; two-pass per bar, so no cancellation on low-priced assets). 0 when the
// window is flat.
class ZscoreKernel {
 public:
  static constexpr int kInputs = 1;
  static constexpr int kOutputs = 1;
  explicit ZscoreKernel(const ParamValues& p)
      : period_(ip(p, 0)), window_(static_cast<std::size_t>(period_)) {}
  int lookback() const { return period_ - 1; }
  void step(Timestamp /*ts*/, const double* in, double* out) {
    window_.push(in[0]);
    if (!window_.full()) {
      out[0] = kNaN;
      return;
    }
    double sum = 0;
    for (int k = period_ - 1; k >= 0; --k) sum += window_.back(static_cast<std::size_t>(k));
    const double mean = sum / period_;
    double squares = 0;
    for (int k = period_ - 1; k >= 0; --k) {
      const double d = window_.back(static_cast<std::size_t>(k)) - mean;
      squares += d * d;
    }
    const double sd = std::sqrt(squares / period_);
    if (std::isnan(sd)) {
      out[0] = kNaN;
    } else {
      out[0] = sd > 0 ? (in[0] - mean) / sd : 0.0;
    }
  }

 private:
  int period_;
  Ring window_;
};

// Vortex Indicator (Botes & Siepman, 2010): VM+ = |high - low[1]|, VM- = |low - high[1]|, TR = true range;
// plus_vi = sum(VM+) / sum(TR), minus_vi = sum(VM-) / sum(TR) over timeperiod bars (from the second
// bar: lookback timeperiod). NaN while every TR in the window is 0.
class VortexKernel {
 public:
  static constexpr int kInputs = 3;  // high, low, close
  static constexpr int kOutputs = 2;
  explicit VortexKernel(const ParamValues& p)
      : period_(ip(p, 0)), plus_(period_), minus_(period_), tr_(period_) {}
  int lookback() const { return period_; }
  void step(Timestamp /*ts*/, const double* in, double* out) {
    const double high = in[0], low = in[1];
    const double tr = true_range_.update(high, low, in[2]);
    out[0] = out[1] = kNaN;
    if (started_) {
      plus_.push(std::fabs(high - prev_low_));
      minus_.push(std::fabs(low - prev_high_));
      tr_.push(tr);
      if (tr_.full() && tr_.nonzero() > 0) {
        const double total = tr_.sum();
        out[0] = plus_.sum() / total;
        out[1] = minus_.sum() / total;
      }
    }
    started_ = true;
    prev_high_ = high;
    prev_low_ = low;
  }

 private:
  int period_;
  RollingSum plus_, minus_, tr_;
  TaTrueRange true_range_;
  bool started_ = false;
  double prev_high_ = 0, prev_low_ = 0;
};

// Chaikin Money Flow (Marc Chaikin): sum(money flow volume) / sum(volume) over timeperiod bars, with the
// money flow volume of our ad: ((close - low) - (high - close)) / (high - low) * volume, 0 when
// high == low. NaN while the window's volume is all zero.
class ChaikinMoneyFlowKernel {
 public:
  static constexpr int kInputs = 4;  // high, low, close, volume
  static constexpr int kOutputs = 1;
  explicit ChaikinMoneyFlowKernel(const ParamValues& p)
      : period_(ip(p, 0)), flow_(period_), volume_(period_) {}
  int lookback() const { return period_ - 1; }
  void step(Timestamp /*ts*/, const double* in, double* out) {
    const double high = in[0], low = in[1], close = in[2], volume = in[3];
    const double range = high - low;
    flow_.push(range > 0 ? (((close - low) - (high - close)) / range) * volume
                         : (std::isnan(range) ? kNaN : 0.0));
    volume_.push(volume);
    out[0] = volume_.full() && volume_.nonzero() > 0 ? flow_.sum() / volume_.sum() : kNaN;
  }

 private:
  int period_;
  RollingSum flow_, volume_;
};

// LazyBear's WaveTrend Oscillator [WT] with its defaults (channel 10, average 21, signal sma 4) on hlc3.
class WaveTrendKernel {
 public:
  static constexpr int kInputs = 3;  // high, low, close
  static constexpr int kOutputs = 2;
  explicit WaveTrendKernel(const ParamValues& p) : wt_(ip(p, 0), ip(p, 1), ip(p, 2)) {}
  int lookback() const { return wt_.lookback(); }
  void step(Timestamp /*ts*/, const double* in, double* out) {
    wt_.update((in[0] + in[1] + in[2]) / 3, out[0], out[1]);
  }

 private:
  WaveTrend wt_;
};

// VuManChu Cipher B (the "VuManChu B Divergences" script): WaveTrend on hlc3 (9, 12, 3), its cross
// signals, the RSI+MFI area, RSI and the stochastic RSI. Outputs:
//   wt1, wt2; wt_vwap = wt1 - wt2 (the script's "VWAP" / fast wave);
//   wt_cross = +1 when wt1 crosses above wt2 (cross and wt2 - wt1 <= 0), -1 below, else 0;
//   buy = 1 on an up-cross with wt2 <= os_level (the script's green dot buySignal), else 0;
//   sell = 1 on a down-cross with wt2 >= ob_level (red dot sellSignal), else 0;
//   rsi_mfi = sma(((close - open) / (high - low)) * mfi_multiplier, mfi_period) - mfi_pos_y;
//   rsi = rsi(close, rsi_period); stoch_k, stoch_d = stochastic RSI of log(close).
// Not included: divergences, gold dots, Sommi flags/diamonds (higher-timeframe security() calls), MACD
// colours and the Schaff trend cycle.
class CipherBKernel {
 public:
  static constexpr int kInputs = 4;  // open, high, low, close
  static constexpr int kOutputs = 10;
  explicit CipherBKernel(const ParamValues& p)
      : wt_(ip(p, 0), ip(p, 1), ip(p, 2)),
        ob_level_(p[3]),
        os_level_(p[4]),
        mfi_(ip(p, 5), p[6], p[7]),
        rsi_(ip(p, 8)),
        stoch_(ip(p, 9), ip(p, 10), ip(p, 11), ip(p, 12), p[13] != 0, p[14] != 0),
        lookback_(std::max({wt_.lookback() + 1, ip(p, 5) - 1, rsi_.lookback(), stoch_.lookback()})) {}
  int lookback() const { return lookback_; }
  void step(Timestamp /*ts*/, const double* in, double* out) {
    const double open = in[0], high = in[1], low = in[2], close = in[3];
    double wt1 = 0, wt2 = 0, k = 0, d = 0;
    wt_.update((high + low + close) / 3, wt1, wt2);
    const int cross = cross_.update(wt1, wt2);
    const double money_flow = mfi_.update(open, high, low, close);
    const double rsi = rsi_.update(close);
    stoch_.update(close, k, d);
    if (count_++ < lookback_) {
      for (int o = 0; o < kOutputs; ++o) out[o] = kNaN;
      return;
    }
    const bool nan = std::isnan(wt1) || std::isnan(wt2);
    out[0] = wt1;
    out[1] = wt2;
    out[2] = wt1 - wt2;
    out[3] = nan ? kNaN : cross;
    out[4] = nan ? kNaN : (cross == 1 && wt2 <= os_level_ ? 1.0 : 0.0);
    out[5] = nan ? kNaN : (cross == -1 && wt2 >= ob_level_ ? 1.0 : 0.0);
    out[6] = money_flow;
    out[7] = rsi;
    out[8] = k;
    out[9] = d;
  }

 private:
  WaveTrend wt_;
  WaveCross cross_;
  double ob_level_, os_level_;
  RsiMfiArea mfi_;
  TaRsi rsi_;
  VmcStochRsi stoch_;
  int lookback_;
  int count_ = 0;
};

// VuManChu Cipher A: the 8-EMA ribbon on close, WaveTrend (9, 13, 3), RSI, the RSI+MFI area (no Y
// offset) and the script's signals, each 1 on the bar it fires, else 0:
//   long_ema = crossover(ema2, ema8); short_ema = crossover(ema8, ema2);
//   red_cross = crossunder(ema1, ema2); green_cross = crossunder(ema2, ema1);
//   blue_triangle_up = crossover(ema2, ema3); blue_triangle_down = crossover(ema3, ema2);
//   red_diamond = WT cross with wt2 - wt1 >= 0 (down); green_diamond = WT cross with wt2 - wt1 <= 0 (up);
//   yellow_cross_up = red_diamond and -80 < wt2 < 45 and 15 < rsi < 30;
//   yellow_cross_down = green_diamond and 55 < wt2 < 100 and rsi < 70 (the script writes
//     "rsi < 70 and rsi < 85", kept as written);
//   dump_diamond = red_diamond and red_cross; moon_diamond = green_diamond and green_cross;
//   bull_candle = open > ema2 and open > ema8 and close[1] > open[1] and close > open and not red_diamond
//     and not red_cross; bear_candle = open < ema2 and open < ema8 and close[1] < open[1] and close < open
//     and not green_diamond and not red_cross (sic: red_cross in both, as the script).
class CipherAKernel {
 public:
  static constexpr int kInputs = 4;  // open, high, low, close
  static constexpr int kOutputs = 26;
  explicit CipherAKernel(const ParamValues& p)
      : ema_{EmaState(ip(p, 0)), EmaState(ip(p, 1)), EmaState(ip(p, 2)), EmaState(ip(p, 3)),
             EmaState(ip(p, 4)), EmaState(ip(p, 5)), EmaState(ip(p, 6)), EmaState(ip(p, 7))},
        wt_(ip(p, 8), ip(p, 9), ip(p, 10)),
        rsi_(ip(p, 11)),
        mfi_(ip(p, 12), p[13], 0.0) {
    int longest = 0;
    for (int i = 0; i < 8; ++i) longest = std::max(longest, ip(p, i));
    lookback_ = std::max({longest, wt_.lookback() + 1, rsi_.lookback(), ip(p, 12) - 1});
  }
  int lookback() const { return lookback_; }
  void step(Timestamp /*ts*/, const double* in, double* out) {
    const double open = in[0], high = in[1], low = in[2], close = in[3];
    double ema[8];
    for (int i = 0; i < 8; ++i) ema[i] = ema_[i].update(close);
    double wt1 = 0, wt2 = 0;
    wt_.update((high + low + close) / 3, wt1, wt2);
    const int cross = cross_.update(wt1, wt2);
    const double rsi = rsi_.update(close);
    const double money_flow = mfi_.update(open, high, low, close);
    const bool ready = count_++ >= lookback_;
    if (ready) {
      for (int i = 0; i < 8; ++i) out[i] = ema[i];
      out[8] = wt1;
      out[9] = wt2;
      out[10] = rsi;
      out[11] = money_flow;
      const double* pe = prev_ema_;
      const bool long_ema = crosses_over(ema[1], ema[7], pe[1], pe[7]);
      const bool short_ema = crosses_over(ema[7], ema[1], pe[7], pe[1]);
      const bool red_cross = crosses_over(ema[1], ema[0], pe[1], pe[0]);    // crossunder(ema1, ema2)
      const bool green_cross = crosses_over(ema[0], ema[1], pe[0], pe[1]);  // crossunder(ema2, ema1)
      const bool blue_up = crosses_over(ema[1], ema[2], pe[1], pe[2]);
      const bool blue_down = crosses_over(ema[2], ema[1], pe[2], pe[1]);
      const bool red_diamond = cross == -1;
      const bool green_diamond = cross == 1;
      const bool yellow_up = red_diamond && wt2 < 45 && wt2 > -80 && rsi < 30 && rsi > 15;
      const bool yellow_down = green_diamond && wt2 > 55 && wt2 < 100 && rsi < 70 && rsi < 85;
      const bool bull = open > ema[1] && open > ema[7] && prev_close_ > prev_open_ && close > open &&
                        !red_diamond && !red_cross;
      const bool bear = open < ema[1] && open < ema[7] && prev_close_ < prev_open_ && close < open &&
                        !green_diamond && !red_cross;
      const bool flags[14] = {long_ema,
                              short_ema,
                              red_cross,
                              green_cross,
                              blue_up,
                              blue_down,
                              red_diamond,
                              green_diamond,
                              yellow_up,
                              yellow_down,
                              red_diamond && red_cross,
                              green_diamond && green_cross,
                              bull,
                              bear};
      for (int f = 0; f < 14; ++f) out[12 + f] = flags[f] ? 1.0 : 0.0;
    } else {
      for (int o = 0; o < kOutputs; ++o) out[o] = kNaN;
    }
    for (int i = 0; i < 8; ++i) prev_ema_[i] = ema[i];
    prev_open_ = open;
    prev_close_ = close;
  }

 private:
  EmaState ema_[8];
  WaveTrend wt_;
  WaveCross cross_;
  TaRsi rsi_;
  RsiMfiArea mfi_;
  int lookback_ = 0;
  int count_ = 0;
  double prev_ema_[8] = {kNaN, kNaN, kNaN, kNaN, kNaN, kNaN, kNaN, kNaN};
  double prev_open_ = kNaN, prev_close_ = kNaN;
};

IndicatorInfo custom_info(std::string name, std::string description, std::vector<std::string> inputs,
                          std::vector<ParamInfo> params, std::vector<std::string> outputs = {}) {
  IndicatorInfo info;
  info.name = name;
  info.group = "custom";
  info.description = std::move(description);
  info.inputs = std::move(inputs);
  info.params = std::move(params);
  info.outputs = outputs.empty() ? std::vector<std::string>{std::move(name)} : std::move(outputs);
  return info;
}

ParamInfo period(std::string name, int default_value, int min, std::string description) {
  return int_param(std::move(name), default_value, min, kMaxPeriod, std::move(description));
}

const std::vector<std::string> kHlc = {"high", "low", "close"};
const std::vector<std::string> kHlcv = {"high", "low", "close", "volume"};
const std::vector<std::string> kOhlc = {"open", "high", "low", "close"};

std::vector<ParamInfo> wavetrend_params(int channel, int average, int ma) {
  return {period("channel_length", channel, 2, "EMA period of esa and de (the channel)"),
          period("average_length", average, 2, "EMA period of ci giving wt1"),
          period("ma_length", ma, 1, "SMA period of wt1 giving wt2")};
}

}  // namespace

void register_custom(Registry& r) {
  r.push_back(
      {custom_info("hull_ma", "Hull Moving Average", {"real"},
                   {period("timeperiod", 9, 2, "period n: wma(2 wma(n/2) - wma(n), floor(sqrt(n)))")}),
       nullptr, make_kernel_indicator<HullMaKernel>});
  r.push_back(
      {custom_info("vwap", "Session-anchored VWAP of hlc3 (resets each UTC day, week or month)", kHlcv,
                   {int_param("anchor", 0, 0, 2, "session: 0 = UTC day, 1 = week from Monday, 2 = month")}),
       nullptr, make_kernel_indicator<VwapKernel>});
  r.push_back({custom_info("rolling_vwap", "VWAP of hlc3 over the last timeperiod bars", kHlcv,
                           {period("timeperiod", 20, 1, "number of bars")}),
               nullptr, make_kernel_indicator<RollingVwapKernel>});
  r.push_back({custom_info("supertrend", "Supertrend (TradingView rules, TA-Lib ATR)", kHlc,
                           {period("timeperiod", 10, 1, "ATR period"),
                            real_param("multiplier", 3.0, 0.0, 1000.0, "ATR multiple of the bands")},
                           {"supertrend", "direction"}),
               nullptr, make_kernel_indicator<SupertrendKernel>});
  r.push_back({custom_info("keltner", "Keltner Channels: EMA +- multiplier * ATR", kHlc,
                           {period("timeperiod", 20, 2, "EMA period of the middle band"),
                            period("atrperiod", 10, 1, "ATR period"),
                            real_param("multiplier", 2.0, 0.0, 1000.0, "ATR multiple of the bands")},
                           {"upperband", "middleband", "lowerband"}),
               nullptr, make_kernel_indicator<KeltnerKernel>});
  r.push_back(
      {custom_info("donchian", "Donchian Channels: highest high, lowest low, their midpoint", {"high", "low"},
                   {period("timeperiod", 20, 1, "number of bars")}, {"upperband", "middleband", "lowerband"}),
       nullptr, make_kernel_indicator<DonchianKernel>});
  r.push_back({custom_info("ichimoku", "Ichimoku Kinko Hyo (senkou spans as drawn at t, no look-ahead)", kHlc,
                           {period("tenkan_period", 9, 1, "conversion line period"),
                            period("kijun_period", 26, 1, "base line period"),
                            period("senkou_b_period", 52, 1, "leading span B period"),
                            int_param("displacement", 26, 0, kMaxPeriod,
                                      "bars the leading spans are shifted forward")},
                           {"tenkan", "kijun", "senkou_a", "senkou_b", "chikou"}),
               nullptr, make_kernel_indicator<IchimokuKernel>});
  r.push_back({custom_info("heikin_ashi", "Heikin-Ashi candles", kOhlc, {},
                           {"ha_open", "ha_high", "ha_low", "ha_close"}),
               nullptr, make_kernel_indicator<HeikinAshiKernel>});
  r.push_back({custom_info("zscore", "Z-score over a rolling window (population standard deviation)",
                           {"real"}, {period("timeperiod", 20, 2, "number of values")}),
               nullptr, make_kernel_indicator<ZscoreKernel>});
  r.push_back({custom_info("vortex", "Vortex Indicator", kHlc,
                           {period("timeperiod", 14, 1, "number of bars")}, {"plus_vi", "minus_vi"}),
               nullptr, make_kernel_indicator<VortexKernel>});
  r.push_back({custom_info("chaikin_money_flow", "Chaikin Money Flow", kHlcv,
                           {period("timeperiod", 20, 1, "number of bars")}),
               nullptr, make_kernel_indicator<ChaikinMoneyFlowKernel>});
  r.push_back({custom_info("wavetrend", "LazyBear's WaveTrend Oscillator on hlc3", kHlc,
                           wavetrend_params(10, 21, 4), {"wt1", "wt2"}),
               nullptr, make_kernel_indicator<WaveTrendKernel>});
  {
    std::vector<ParamInfo> params = wavetrend_params(9, 12, 3);
    params.push_back(real_param("ob_level", 53, -1000, 1000, "wt2 at or above which a down-cross is a sell"));
    params.push_back(real_param("os_level", -53, -1000, 1000, "wt2 at or below which an up-cross is a buy"));
    params.push_back(period("mfi_period", 60, 1, "SMA period of the RSI+MFI area"));
    params.push_back(real_param("mfi_multiplier", 150, -1e6, 1e6, "RSI+MFI area multiplier"));
    params.push_back(real_param("mfi_pos_y", 2.5, -1e6, 1e6, "subtracted from the RSI+MFI area"));
    params.push_back(period("rsi_period", 14, 2, "RSI period"));
    params.push_back(period("stoch_period", 14, 1, "stochastic window over the RSI"));
    params.push_back(period("stoch_rsi_period", 14, 2, "RSI period of the stochastic RSI"));
    params.push_back(period("stoch_k_smooth", 3, 1, "SMA period of %K"));
    params.push_back(period("stoch_d_smooth", 3, 1, "SMA period of %D"));
    params.push_back(int_param("stoch_use_log", 1, 0, 1, "1: stochastic RSI of log(close)"));
    params.push_back(int_param("stoch_average", 0, 0, 1, "1: %K is the average of %K and %D"));
    r.push_back(
        {custom_info(
             "vmc_cipher_b", "VuManChu Cipher B: WaveTrend, crosses, RSI+MFI area, RSI, stoch RSI", kOhlc,
             std::move(params),
             {"wt1", "wt2", "wt_vwap", "wt_cross", "buy", "sell", "rsi_mfi", "rsi", "stoch_k", "stoch_d"}),
         nullptr, make_kernel_indicator<CipherBKernel>});
  }
  {
    std::vector<ParamInfo> params;
    const int lengths[8] = {5, 11, 15, 18, 21, 24, 28, 34};
    for (int i = 0; i < 8; ++i) {
      params.push_back(period(fmt::format("ema{}_length", i + 1), lengths[i], 2,
                              fmt::format("EMA {} of the ribbon", i + 1)));
    }
    for (auto& p : wavetrend_params(9, 13, 3)) params.push_back(std::move(p));
    params.push_back(period("rsi_period", 14, 2, "RSI period"));
    params.push_back(period("mfi_period", 60, 1, "SMA period of the RSI+MFI area"));
    params.push_back(real_param("mfi_multiplier", 150, -1e6, 1e6, "RSI+MFI area multiplier"));
    std::vector<std::string> outputs = {"ema1", "ema2", "ema3", "ema4", "ema5", "ema6",
                                        "ema7", "ema8", "wt1",  "wt2",  "rsi",  "rsi_mfi"};
    for (const char* s :
         {"long_ema", "short_ema", "red_cross", "green_cross", "blue_triangle_up", "blue_triangle_down",
          "red_diamond", "green_diamond", "yellow_cross_up", "yellow_cross_down", "dump_diamond",
          "moon_diamond", "bull_candle", "bear_candle"}) {
      outputs.emplace_back(s);
    }
    r.push_back(
        {custom_info("vmc_cipher_a", "VuManChu Cipher A: EMA ribbon, WaveTrend, RSI, RSI+MFI and signals",
                     kOhlc, std::move(params), std::move(outputs)),
         nullptr, make_kernel_indicator<CipherAKernel>});
  }
}

}  // namespace tradeloop::indicators::internal
