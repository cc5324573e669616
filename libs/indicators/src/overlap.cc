// Overlap studies, TA-Lib-exact: sma, ema, wma, dema, tema, trima, kama, mama, t3, ma, bbands,
// midpoint, midprice, sar, sarext, ht_trendline. The averages live in moving_average.h; this file has
// the other kernels, the registrations and the typed functions of functions.h.
#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "batch.h"
#include "kernel_indicator.h"
#include "moving_average.h"
#include "tradeloop/indicators/functions.h"

namespace tradeloop::indicators {

int ma_lookback(int period, MaType type) {
  if (period <= 1) return 0;
  switch (type) {
    case MaType::kSma:
    case MaType::kEma:
    case MaType::kWma:
    case MaType::kTrima:
      return period - 1;
    case MaType::kDema:
      return 2 * (period - 1);
    case MaType::kTema:
      return 3 * (period - 1);
    case MaType::kKama:
      return period;
    case MaType::kMama:
      return internal::MamaState::kLookback;
    case MaType::kT3:
      return 6 * (period - 1);
  }
  return 0;
}

namespace internal {

namespace {

int as_int(double v) {
  return static_cast<int>(v);
}
MaType as_ma_type(double v) {
  return static_cast<MaType>(static_cast<int>(v));
}

// One series in, the average out.
template <class State>
class AverageKernel {
 public:
  static constexpr int kInputs = 1;
  static constexpr int kOutputs = 1;
  explicit AverageKernel(State s) : s_(std::move(s)) {}
  int lookback() const { return s_.lookback(); }
  void step(Timestamp /*ts*/, const double* in, double* out) { out[0] = s_.update(in[0]); }

 private:
  State s_;
};

// sma and ema have a batch loop: SmaState / EmaState arithmetic over arrays.
struct SmaKernel : AverageKernel<SmaState> {
  explicit SmaKernel(const ParamValues& p) : AverageKernel(SmaState(as_int(p[0]))), period_(as_int(p[0])) {}
  void batch(const double* const* in, double* const* out, std::size_t n) const {
    const double* x = in[0];
    double* y = out[0];
    const std::size_t warmup = std::min<std::size_t>(n, static_cast<std::size_t>(period_ - 1));
    double sum = 0.0;
    for (std::size_t i = 0; i < warmup; ++i) {
      sum += x[i];
      y[i] = kNaN;
    }
    const double* trailing = x;
    for (std::size_t i = warmup; i < n; ++i) {
      sum += x[i];
      const double total = sum;
      sum -= *trailing++;
      y[i] = total / period_;
    }
  }
  int period_;
};
struct EmaKernel : AverageKernel<EmaState> {
  explicit EmaKernel(const ParamValues& p) : AverageKernel(EmaState(as_int(p[0]))), period_(as_int(p[0])) {}
  void batch(const double* const* in, double* const* out, std::size_t n) const {
    const double* x = in[0];
    double* y = out[0];
    const double k = period_to_k(period_);
    const std::size_t seed = static_cast<std::size_t>(period_ - 1);
    double sum = 0.0;
    for (std::size_t i = 0; i < std::min(n, seed); ++i) {
      sum += x[i];
      y[i] = kNaN;
    }
    if (n <= seed) return;
    sum += x[seed];
    double value = sum / period_;
    y[seed] = value;
    for (std::size_t i = seed + 1; i < n; ++i) {
      value = ((x[i] - value) * k) + value;
      y[i] = value;
    }
  }
  int period_;
};
struct WmaKernel : AverageKernel<WmaState> {
  explicit WmaKernel(const ParamValues& p) : AverageKernel(WmaState(as_int(p[0]))) {}
};
struct DemaKernel : AverageKernel<DemaState> {
  explicit DemaKernel(const ParamValues& p) : AverageKernel(DemaState(as_int(p[0]))) {}
};
struct TemaKernel : AverageKernel<TemaState> {
  explicit TemaKernel(const ParamValues& p) : AverageKernel(TemaState(as_int(p[0]))) {}
};
struct TrimaKernel : AverageKernel<TrimaState> {
  explicit TrimaKernel(const ParamValues& p) : AverageKernel(TrimaState(as_int(p[0]))) {}
};
struct KamaKernel : AverageKernel<KamaState> {
  explicit KamaKernel(const ParamValues& p) : AverageKernel(KamaState(as_int(p[0]))) {}
};
struct T3Kernel : AverageKernel<T3State> {
  explicit T3Kernel(const ParamValues& p) : AverageKernel(T3State(as_int(p[0]), p[1])) {}
};
struct MaKernel : AverageKernel<MaState> {
  explicit MaKernel(const ParamValues& p) : AverageKernel(MaState(as_int(p[0]), as_ma_type(p[1]))) {}
};

class MamaKernel {
 public:
  static constexpr int kInputs = 1;
  static constexpr int kOutputs = 2;  // mama, fama
  explicit MamaKernel(const ParamValues& p) : s_(p[0], p[1]) {}
  int lookback() const { return s_.lookback(); }
  void step(Timestamp /*ts*/, const double* in, double* out) {
    out[0] = s_.update(in[0]);
    out[1] = s_.ready() ? s_.fama() : kNaN;
  }

 private:
  MamaState s_;
};

// Bollinger bands. The middle band is ma(period, matype). The deviation, as TA-Lib: for the SMA, from
// a running sum of squares and the SMA itself; for other averages, TA_STDDEV started where the average
// has its first value (so its running sums start period-1 bars earlier).
class BbandsKernel {
 public:
  static constexpr int kInputs = 1;
  static constexpr int kOutputs = 3;  // upperband, middleband, lowerband
  explicit BbandsKernel(const ParamValues& p)
      : period_(as_int(p[0])),
        nbdevup_(p[1]),
        nbdevdn_(p[2]),
        sma_path_(as_ma_type(p[3]) == MaType::kSma),
        ma_(period_, as_ma_type(p[3])),
        stddev_(period_),
        squares_(period_),
        stddev_start_(ma_.lookback() - (period_ - 1)) {}
  int lookback() const { return ma_.lookback(); }
  // The SMA case as one loop over arrays (same arithmetic as step()); other types step.
  void batch(const double* const* in, double* const* out, std::size_t n) {
    if (!sma_path_) {
      for (std::size_t i = 0; i < n; ++i) {
        double y[3];
        step(0, in[0] + i, y);
        out[0][i] = y[0];
        out[1][i] = y[1];
        out[2][i] = y[2];
      }
      return;
    }
    const double* x = in[0];
    double *upper = out[0], *middle = out[1], *lower = out[2];
    const std::size_t warmup = std::min<std::size_t>(n, static_cast<std::size_t>(period_ - 1));
    double sum = 0.0, total2 = 0.0;
    for (std::size_t i = 0; i < warmup; ++i) {
      sum += x[i];
      total2 += x[i] * x[i];
      upper[i] = middle[i] = lower[i] = kNaN;
    }
    const double* trailing = x;
    for (std::size_t i = warmup; i < n; ++i) {
      const double v = x[i];
      sum += v;
      const double total = sum;
      const double oldest = *trailing++;
      sum -= oldest;
      const double mid = total / period_;
      total2 += v * v;
      double mean2 = total2 / period_;
      total2 -= oldest * oldest;
      mean2 -= mid * mid;
      const double deviation = !ta_is_zero_or_neg(mean2) ? std::sqrt(mean2) : 0.0;
      upper[i] = mid + deviation * nbdevup_;
      middle[i] = mid;
      lower[i] = mid - deviation * nbdevdn_;
    }
  }
  void step(Timestamp /*ts*/, const double* in, double* out) {
    const double x = in[0];
    const double middle = ma_.update(x);
    double deviation = kNaN;
    if (sma_path_) {
      squares_.push(x);
      total2_ += x * x;
      if (ma_.ready()) {
        double mean2 = total2_ / period_;
        const double oldest = squares_.ago(period_ - 1);
        total2_ -= oldest * oldest;
        mean2 -= middle * middle;
        deviation = !ta_is_zero_or_neg(mean2) ? std::sqrt(mean2) : 0.0;
      }
    } else if (bar_++ >= stddev_start_) {
      deviation = stddev_.update(x);
    }
    if (!ma_.ready()) {
      out[0] = out[1] = out[2] = kNaN;
      return;
    }
    out[0] = middle + deviation * nbdevup_;
    out[1] = middle;
    out[2] = middle - deviation * nbdevdn_;
  }

 private:
  int period_;
  double nbdevup_, nbdevdn_;
  bool sma_path_;
  MaState ma_;
  StdDevState stddev_;
  Window squares_;
  double total2_ = 0.0;
  std::int64_t stddev_start_;
  std::int64_t bar_ = 0;
};

// (highest + lowest) / 2 of one series over the period, scanned as TA-Lib scans it.
class MidpointKernel {
 public:
  static constexpr int kInputs = 1;
  static constexpr int kOutputs = 1;
  explicit MidpointKernel(const ParamValues& p) : period_(as_int(p[0])), window_(period_) {}
  int lookback() const { return period_ - 1; }
  void step(Timestamp /*ts*/, const double* in, double* out) {
    window_.push(in[0]);
    if (window_.count() < period_) {
      out[0] = kNaN;
      return;
    }
    double lowest = window_.ago(period_ - 1);
    double highest = lowest;
    for (int k = period_ - 2; k >= 0; --k) {
      const double v = window_.ago(k);
      if (v < lowest) {
        lowest = v;
      } else if (v > highest) {
        highest = v;
      }
    }
    out[0] = (highest + lowest) / 2.0;
  }

 private:
  int period_;
  Window window_;
};

// (highest high + lowest low) / 2 over the period.
class MidpriceKernel {
 public:
  static constexpr int kInputs = 2;  // high, low
  static constexpr int kOutputs = 1;
  explicit MidpriceKernel(const ParamValues& p) : period_(as_int(p[0])), highs_(period_), lows_(period_) {}
  int lookback() const { return period_ - 1; }
  void step(Timestamp /*ts*/, const double* in, double* out) {
    highs_.push(in[0]);
    lows_.push(in[1]);
    if (highs_.count() < period_) {
      out[0] = kNaN;
      return;
    }
    double lowest = lows_.ago(period_ - 1);
    double highest = highs_.ago(period_ - 1);
    for (int k = period_ - 2; k >= 0; --k) {
      if (lows_.ago(k) < lowest) lowest = lows_.ago(k);
      if (highs_.ago(k) > highest) highest = highs_.ago(k);
    }
    out[0] = (highest + lowest) / 2.0;
  }

 private:
  int period_;
  Window highs_, lows_;
};

// Parabolic SAR, TA-Lib's SAREXT algorithm; plain SAR is the special case with one acceleration set,
// start value 0 (direction from the first bar's minus-DM), no offset and positive output when short.
struct SarSettings {
  double start_value = 0.0;
  double offset_on_reverse = 0.0;
  double init_long = 0.02, step_long = 0.02, max_long = 0.2;
  double init_short = 0.02, step_short = 0.02, max_short = 0.2;
  bool signed_output = false;  // sarext: negative while short
};

class SarKernel {
 public:
  static constexpr int kInputs = 2;  // high, low
  static constexpr int kOutputs = 1;
  explicit SarKernel(const SarSettings& s) : s_(s) {
    // TA-Lib caps the initial and step accelerations at their maximum.
    if (s_.init_long > s_.max_long) s_.init_long = s_.max_long;
    if (s_.step_long > s_.max_long) s_.step_long = s_.max_long;
    if (s_.init_short > s_.max_short) s_.init_short = s_.max_short;
    if (s_.step_short > s_.max_short) s_.step_short = s_.max_short;
    af_long_ = s_.init_long;
    af_short_ = s_.init_short;
  }
  int lookback() const { return 1; }
  void step(Timestamp /*ts*/, const double* in, double* out) {
    const double high = in[0], low = in[1];
    if (bar_++ == 0) {
      new_high_ = high;
      new_low_ = low;
      out[0] = kNaN;
      return;
    }
    if (bar_ == 2) start(high, low);
    const double prev_low = new_low_, prev_high = new_high_;
    new_low_ = low;
    new_high_ = high;
    if (is_long_) {
      if (new_low_ <= sar_) {  // reverse to short
        is_long_ = false;
        sar_ = ep_;
        if (sar_ < prev_high) sar_ = prev_high;
        if (sar_ < new_high_) sar_ = new_high_;
        if (s_.offset_on_reverse != 0.0) sar_ += sar_ * s_.offset_on_reverse;
        out[0] = s_.signed_output ? -sar_ : sar_;
        af_short_ = s_.init_short;
        ep_ = new_low_;
        sar_ = sar_ + af_short_ * (ep_ - sar_);
        if (sar_ < prev_high) sar_ = prev_high;
        if (sar_ < new_high_) sar_ = new_high_;
      } else {
        out[0] = sar_;
        if (new_high_ > ep_) {
          ep_ = new_high_;
          af_long_ += s_.step_long;
          if (af_long_ > s_.max_long) af_long_ = s_.max_long;
        }
        sar_ = sar_ + af_long_ * (ep_ - sar_);
        if (sar_ > prev_low) sar_ = prev_low;
        if (sar_ > new_low_) sar_ = new_low_;
      }
    } else {
      if (new_high_ >= sar_) {  // reverse to long
        is_long_ = true;
        sar_ = ep_;
        if (sar_ > prev_low) sar_ = prev_low;
        if (sar_ > new_low_) sar_ = new_low_;
        if (s_.offset_on_reverse != 0.0) sar_ -= sar_ * s_.offset_on_reverse;
        out[0] = sar_;
        af_long_ = s_.init_long;
        ep_ = new_high_;
        sar_ = sar_ + af_long_ * (ep_ - sar_);
        if (sar_ > prev_low) sar_ = prev_low;
        if (sar_ > new_low_) sar_ = new_low_;
      } else {
        out[0] = s_.signed_output ? -sar_ : sar_;
        if (new_low_ < ep_) {
          ep_ = new_low_;
          af_short_ += s_.step_short;
          if (af_short_ > s_.max_short) af_short_ = s_.max_short;
        }
        sar_ = sar_ + af_short_ * (ep_ - sar_);
        if (sar_ < prev_high) sar_ = prev_high;
        if (sar_ < new_high_) sar_ = new_high_;
      }
    }
  }

 private:
  // At the second bar: direction, extreme point and first SAR from the first two bars.
  void start(double high, double low) {
    const double first_high = new_high_, first_low = new_low_;
    if (s_.start_value == 0.0) {
      const double diff_plus = high - first_high;
      const double diff_minus = first_low - low;
      const double minus_dm = (diff_minus > 0) && (diff_plus < diff_minus) ? diff_minus : 0.0;
      is_long_ = !(minus_dm > 0);
      ep_ = is_long_ ? high : low;
      sar_ = is_long_ ? first_low : first_high;
    } else {
      is_long_ = s_.start_value > 0;
      ep_ = is_long_ ? high : low;
      sar_ = std::fabs(s_.start_value);
    }
    new_high_ = high;
    new_low_ = low;
  }

  SarSettings s_;
  std::int64_t bar_ = 0;
  bool is_long_ = true;
  double af_long_, af_short_;
  double ep_ = 0, sar_ = 0, new_high_ = 0, new_low_ = 0;
};

struct PlainSarKernel : SarKernel {
  static SarSettings settings(const ParamValues& p) {
    SarSettings s;
    s.init_long = s.step_long = s.init_short = s.step_short = p[0];
    s.max_long = s.max_short = p[1];
    return s;
  }
  explicit PlainSarKernel(const ParamValues& p) : SarKernel(settings(p)) {}
};

struct SarextKernel : SarKernel {
  static SarSettings settings(const ParamValues& p) {
    SarSettings s;
    s.start_value = p[0];
    s.offset_on_reverse = p[1];
    s.init_long = p[2];
    s.step_long = p[3];
    s.max_long = p[4];
    s.init_short = p[5];
    s.step_short = p[6];
    s.max_short = p[7];
    s.signed_output = true;
    return s;
  }
  explicit SarextKernel(const ParamValues& p) : SarKernel(settings(p)) {}
};

// Hilbert transform instantaneous trendline: the average of the raw price over the smoothed dominant
// cycle period, smoothed again with weights 4-3-2-1. 63 bars of warm-up.
class HtTrendlineKernel {
 public:
  static constexpr int kInputs = 1;
  static constexpr int kOutputs = 1;
  static constexpr int kLookback = 63;
  explicit HtTrendlineKernel(const ParamValues& /*p*/) : window_(64) {}
  int lookback() const { return kLookback; }
  void step(Timestamp /*ts*/, const double* in, double* out) {
    out[0] = kNaN;
    const double x = in[0];
    window_.push(x);
    const std::int64_t n = window_.count();
    if (n <= 3) {
      if (n == 3) cycle_.prime(window_.ago(2), window_.ago(1), x);
      return;
    }
    const double trailing = n == 4 ? 0.0 : window_.ago(4);
    if (n <= 37) {  // 34 bars of WMA warm-up
      cycle_.smooth(x, trailing);
      return;
    }
    const double rad2deg = 45.0 / std::atan(1.0);
    const double adjusted = cycle_.adjusted_prev_period();
    const double smoothed = cycle_.smooth(x, trailing);
    cycle_.transform(smoothed, n - 1, adjusted);
    cycle_.update_period(rad2deg);
    smooth_period_ = (0.33 * cycle_.period()) + (0.67 * smooth_period_);
    const double dc_period = smooth_period_ + 0.5;
    // TA-Lib truncates with (int); a NaN period behaves as x86 does (no bars averaged).
    const int dc_period_int = dc_period >= 0.0 && dc_period < 64.0 ? static_cast<int>(dc_period) : -1;
    double average = 0.0;
    const int bars = std::min<std::int64_t>(dc_period_int, n);
    for (int k = 0; k < bars; ++k) average += window_.ago(k);
    if (dc_period_int > 0) average = average / static_cast<double>(dc_period_int);
    const double trend = (4.0 * average + 3.0 * trend1_ + 2.0 * trend2_ + trend3_) / 10.0;
    trend3_ = trend2_;
    trend2_ = trend1_;
    trend1_ = average;
    if (n > kLookback) out[0] = trend;
  }

 private:
  Window window_;
  HilbertCycle cycle_;
  double smooth_period_ = 0.0, trend1_ = 0.0, trend2_ = 0.0, trend3_ = 0.0;
};

ParamInfo period_param(int default_value, int min) {
  return int_param("timeperiod", default_value, min, kMaxPeriod, "number of bars");
}
ParamInfo matype_param(std::string name = "matype") {
  return int_param(std::move(name), 0, 0, 8,
                   "moving average type: 0 sma, 1 ema, 2 wma, 3 dema, 4 tema, 5 trima, 6 kama, 7 mama, 8 t3");
}

template <class K>
Entry entry(std::string name, std::string description, std::vector<std::string> inputs,
            std::vector<ParamInfo> params, std::vector<std::string> outputs) {
  if (outputs.empty()) outputs = {name};
  return Entry{IndicatorInfo{std::move(name), "overlap", std::move(description), std::move(inputs),
                             std::move(params), std::move(outputs), false},
               nullptr, make_kernel_indicator<K>};
}

}  // namespace

void register_overlap(Registry& r) {
  r.push_back(entry<SmaKernel>("sma", "Simple Moving Average", {"real"}, {period_param(30, 2)}, {}));
  r.push_back(entry<EmaKernel>("ema", "Exponential Moving Average (seeded with the SMA of the first period)",
                               {"real"}, {period_param(30, 2)}, {}));
  r.push_back(entry<WmaKernel>("wma", "Weighted Moving Average", {"real"}, {period_param(30, 2)}, {}));
  r.push_back(
      entry<DemaKernel>("dema", "Double Exponential Moving Average", {"real"}, {period_param(30, 2)}, {}));
  r.push_back(
      entry<TemaKernel>("tema", "Triple Exponential Moving Average", {"real"}, {period_param(30, 2)}, {}));
  r.push_back(entry<TrimaKernel>("trima", "Triangular Moving Average", {"real"}, {period_param(30, 2)}, {}));
  r.push_back(
      entry<KamaKernel>("kama", "Kaufman Adaptive Moving Average", {"real"}, {period_param(30, 2)}, {}));
  r.push_back(
      entry<MamaKernel>("mama", "MESA Adaptive Moving Average", {"real"},
                        {real_param("fastlimit", 0.5, 0.01, 0.99, "upper limit of the adaptive factor"),
                         real_param("slowlimit", 0.05, 0.01, 0.99, "lower limit of the adaptive factor")},
                        {"mama", "fama"}));
  r.push_back(entry<T3Kernel>("t3", "Triple Exponential Moving Average (T3, Tillson)", {"real"},
                              {period_param(5, 2), real_param("vfactor", 0.7, 0.0, 1.0, "volume factor")},
                              {}));
  r.push_back(entry<MaKernel>("ma", "Moving average of any TA-Lib type (a period of 1 copies the input)",
                              {"real"}, {period_param(30, 1), matype_param()}, {}));
  r.push_back(entry<BbandsKernel>(
      "bbands", "Bollinger Bands", {"real"},
      {period_param(5, 2),
       real_param("nbdevup", 2.0, kRealMin, kRealMax, "deviation multiplier for the upper band"),
       real_param("nbdevdn", 2.0, kRealMin, kRealMax, "deviation multiplier for the lower band"),
       matype_param()},
      {"upperband", "middleband", "lowerband"}));
  r.push_back(entry<MidpointKernel>("midpoint", "MidPoint over period: (highest + lowest) / 2", {"real"},
                                    {period_param(14, 2)}, {}));
  r.push_back(entry<MidpriceKernel>("midprice", "Midpoint Price over period: (highest high + lowest low) / 2",
                                    {"high", "low"}, {period_param(14, 2)}, {}));
  r.push_back(entry<PlainSarKernel>(
      "sar", "Parabolic SAR", {"high", "low"},
      {real_param("acceleration", 0.02, 0.0, kRealMax, "acceleration factor step and start"),
       real_param("maximum", 0.2, 0.0, kRealMax, "acceleration factor maximum")},
      {}));
  r.push_back(entry<SarextKernel>(
      "sarext", "Parabolic SAR - Extended (negative values while short)", {"high", "low"},
      {real_param("startvalue", 0.0, kRealMin, kRealMax,
                  "first SAR; 0 = from the first bars, > 0 long, < 0 short"),
       real_param("offsetonreverse", 0.0, 0.0, kRealMax, "fraction added to the SAR on a reversal"),
       real_param("accelerationinitlong", 0.02, 0.0, kRealMax, "initial acceleration, long"),
       real_param("accelerationlong", 0.02, 0.0, kRealMax, "acceleration step, long"),
       real_param("accelerationmaxlong", 0.2, 0.0, kRealMax, "acceleration maximum, long"),
       real_param("accelerationinitshort", 0.02, 0.0, kRealMax, "initial acceleration, short"),
       real_param("accelerationshort", 0.02, 0.0, kRealMax, "acceleration step, short"),
       real_param("accelerationmaxshort", 0.2, 0.0, kRealMax, "acceleration maximum, short")},
      {}));
  r.push_back(entry<HtTrendlineKernel>("ht_trendline", "Hilbert Transform - Instantaneous Trendline",
                                       {"real"}, {}, {}));
}

namespace {

void check_period(int period, int min, const char* what) {
  TL_CHECK(period >= min && period <= kMaxPeriod, what, ": period ", period, " out of range");
}

template <class State>
void run_average(State s, std::span<const double> in, std::span<double> out) {
  run_kernel(AverageKernel<State>(std::move(s)), std::array{in}, std::array{out});
}

}  // namespace

}  // namespace internal

using internal::check_period;
using internal::run_average;
using internal::run_kernel;

void sma(std::span<const double> in, int period, std::span<double> out) {
  check_period(period, 2, "sma");
  run_average(internal::SmaState(period), in, out);
}

void ema(std::span<const double> in, int period, std::span<double> out) {
  check_period(period, 2, "ema");
  run_average(internal::EmaState(period), in, out);
}

void wma(std::span<const double> in, int period, std::span<double> out) {
  check_period(period, 2, "wma");
  run_average(internal::WmaState(period), in, out);
}

void dema(std::span<const double> in, int period, std::span<double> out) {
  check_period(period, 2, "dema");
  run_average(internal::DemaState(period), in, out);
}

void tema(std::span<const double> in, int period, std::span<double> out) {
  check_period(period, 2, "tema");
  run_average(internal::TemaState(period), in, out);
}

void trima(std::span<const double> in, int period, std::span<double> out) {
  check_period(period, 2, "trima");
  run_average(internal::TrimaState(period), in, out);
}

void kama(std::span<const double> in, int period, std::span<double> out) {
  check_period(period, 2, "kama");
  run_average(internal::KamaState(period), in, out);
}

void t3(std::span<const double> in, int period, double vfactor, std::span<double> out) {
  check_period(period, 2, "t3");
  TL_CHECK(vfactor >= 0.0 && vfactor <= 1.0, "t3: vfactor ", vfactor, " out of [0, 1]");
  run_average(internal::T3State(period, vfactor), in, out);
}

void mama(std::span<const double> in, double fast_limit, double slow_limit, std::span<double> mama_out,
          std::span<double> fama_out) {
  TL_CHECK(fast_limit >= 0.01 && fast_limit <= 0.99 && slow_limit >= 0.01 && slow_limit <= 0.99,
           "mama: limits out of [0.01, 0.99]");
  run_kernel(internal::MamaKernel(ParamValues{fast_limit, slow_limit}), std::array{in},
             std::array{mama_out, fama_out});
}

void ma(std::span<const double> in, int period, MaType type, std::span<double> out) {
  check_period(period, 1, "ma");
  TL_CHECK(static_cast<int>(type) <= 8, "ma: unknown type");
  run_average(internal::MaState(period, type), in, out);
}

void bbands(std::span<const double> in, int period, double nbdevup, double nbdevdn, MaType type,
            std::span<double> upper, std::span<double> middle, std::span<double> lower) {
  check_period(period, 2, "bbands");
  TL_CHECK(static_cast<int>(type) <= 8, "bbands: unknown type");
  run_kernel(internal::BbandsKernel(ParamValues{static_cast<double>(period), nbdevup, nbdevdn,
                                                static_cast<double>(static_cast<int>(type))}),
             std::array{in}, std::array{upper, middle, lower});
}

void midpoint(std::span<const double> in, int period, std::span<double> out) {
  check_period(period, 2, "midpoint");
  run_kernel(internal::MidpointKernel(ParamValues{static_cast<double>(period)}), std::array{in},
             std::array{out});
}

void midprice(std::span<const double> high, std::span<const double> low, int period, std::span<double> out) {
  check_period(period, 2, "midprice");
  run_kernel(internal::MidpriceKernel(ParamValues{static_cast<double>(period)}), std::array{high, low},
             std::array{out});
}

void sar(std::span<const double> high, std::span<const double> low, double acceleration, double maximum,
         std::span<double> out) {
  TL_CHECK(acceleration >= 0.0 && maximum >= 0.0, "sar: negative acceleration");
  run_kernel(internal::PlainSarKernel(ParamValues{acceleration, maximum}), std::array{high, low},
             std::array{out});
}

void ht_trendline(std::span<const double> in, std::span<double> out) {
  run_kernel(internal::HtTrendlineKernel(ParamValues{}), std::array{in}, std::array{out});
}

}  // namespace tradeloop::indicators
