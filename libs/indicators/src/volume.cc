// Volume indicators, TA-Lib-exact: obv, ad, adosc. Each follows TA-Lib 0.4's ta_OBV.c, ta_AD.c and
// ta_ADOSC.c operation for operation, so values equal TA-Lib's bit for bit on the same inputs.
#include <fmt/format.h>

#include "kernel_indicator.h"

namespace tradeloop::indicators::internal {

namespace {

// On Balance Volume. The first bar's value is its own volume (TA-Lib seeds with inVolume[startIdx]);
// then volume is added on an up close, subtracted on a down close, unchanged on an equal close.
class ObvKernel {
 public:
  static constexpr int kInputs = 2;  // real, volume
  static constexpr int kOutputs = 1;
  explicit ObvKernel(const ParamValues& /*p*/) {}
  int lookback() const { return 0; }
  void step(Timestamp /*ts*/, const double* in, double* out) {
    const double real = in[0];
    const double volume = in[1];
    if (!started_) {
      started_ = true;
      obv_ = volume;
      prev_ = real;
    }
    if (real > prev_) {
      obv_ += volume;
    } else if (real < prev_) {
      obv_ -= volume;
    }
    prev_ = real;
    out[0] = obv_;
  }

 private:
  bool started_ = false;
  double obv_ = 0;
  double prev_ = 0;
};

// The accumulation/distribution increment of one bar; a bar with high == low adds nothing.
inline void add_ad(double& ad, const double* hlcv) {
  const double high = hlcv[0];
  const double low = hlcv[1];
  const double close = hlcv[2];
  const double range = high - low;
  if (range > 0.0) ad += (((close - low) - (high - close)) / range) * hlcv[3];
}

// Chaikin Accumulation/Distribution line: running sum from the first bar.
class AdKernel {
 public:
  static constexpr int kInputs = 4;  // high, low, close, volume
  static constexpr int kOutputs = 1;
  explicit AdKernel(const ParamValues& /*p*/) {}
  int lookback() const { return 0; }
  void step(Timestamp /*ts*/, const double* in, double* out) {
    add_ad(ad_, in);
    out[0] = ad_;
  }

 private:
  double ad_ = 0;
};

// Chaikin A/D Oscillator: EMA(fastperiod, AD) - EMA(slowperiod, AD). As TA-Lib, both EMAs are seeded
// with the first AD value (not an SMA) and the lookback is that of an EMA of the slow period. TA-Lib
// also accepts fastperiod >= slowperiod; we reject it, as for macd/apo/ppo.
class AdoscKernel {
 public:
  static constexpr int kInputs = 4;  // high, low, close, volume
  static constexpr int kOutputs = 1;
  explicit AdoscKernel(const ParamValues& p)
      : fast_k_(2.0 / static_cast<double>(static_cast<int>(p[0]) + 1)),
        fast_1k_(1.0 - fast_k_),
        slow_k_(2.0 / static_cast<double>(static_cast<int>(p[1]) + 1)),
        slow_1k_(1.0 - slow_k_),
        lookback_(std::max(static_cast<int>(p[0]), static_cast<int>(p[1])) - 1) {}
  int lookback() const { return lookback_; }
  void step(Timestamp /*ts*/, const double* in, double* out) {
    add_ad(ad_, in);
    if (count_ == 0) {
      fast_ = ad_;
      slow_ = ad_;
    } else {
      fast_ = (fast_k_ * ad_) + (fast_1k_ * fast_);
      slow_ = (slow_k_ * ad_) + (slow_1k_ * slow_);
    }
    out[0] = count_ >= lookback_ ? fast_ - slow_ : kNaN;
    ++count_;
  }

 private:
  double fast_k_, fast_1k_, slow_k_, slow_1k_;
  int lookback_;
  int count_ = 0;
  double ad_ = 0, fast_ = 0, slow_ = 0;
};

Status check_fast_below_slow(const ParamValues& p) {
  if (p[0] >= p[1]) {
    return Error::invalid_argument(fmt::format(
        "adosc: parameter 'fastperiod' = {} must be below parameter 'slowperiod' = {}", p[0], p[1]));
  }
  return {};
}

}  // namespace

void register_volume(Registry& r) {
  r.push_back({IndicatorInfo{"obv", "volume", "On Balance Volume", {"real", "volume"}, {}, {"obv"}, false},
               nullptr, make_kernel_indicator<ObvKernel>});
  r.push_back({IndicatorInfo{
                   "ad", "volume", "Chaikin A/D Line", {"high", "low", "close", "volume"}, {}, {"ad"}, false},
               nullptr, make_kernel_indicator<AdKernel>});
  r.push_back(
      {IndicatorInfo{"adosc",
                     "volume",
                     "Chaikin A/D Oscillator",
                     {"high", "low", "close", "volume"},
                     {int_param("fastperiod", 3, 2, kMaxPeriod, "period of the fast EMA of the A/D line"),
                      int_param("slowperiod", 10, 2, kMaxPeriod, "period of the slow EMA of the A/D line")},
                     {"adosc"},
                     false},
       check_fast_below_slow, make_kernel_indicator<AdoscKernel>});
}

}  // namespace tradeloop::indicators::internal
