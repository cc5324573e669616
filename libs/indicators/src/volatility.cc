// Volatility indicators, TA-Lib-exact: trange, atr, natr (ta_TRANGE.c, ta_ATR.c, ta_NATR.c).
#include <array>
#include <cmath>
#include <cstdint>

#include "batch.h"
#include "kernel_indicator.h"
#include "tradeloop/indicators/functions.h"

namespace tradeloop::indicators::internal {

namespace {

// max(high - low, |high - prev close|, |low - prev close|), compared in TA-Lib's order.
inline double true_range(double high, double low, double prev_close) {
  double greatest = high - low;
  const double to_high = std::fabs(prev_close - high);
  if (to_high > greatest) greatest = to_high;
  const double to_low = std::fabs(prev_close - low);
  if (to_low > greatest) greatest = to_low;
  return greatest;
}

class TrangeKernel {
 public:
  static constexpr int kInputs = 3;  // high, low, close
  static constexpr int kOutputs = 1;
  explicit TrangeKernel(const ParamValues& /*p*/) {}
  int lookback() const { return 1; }
  void step(Timestamp /*ts*/, const double* in, double* out) {
    out[0] = started_ ? true_range(in[0], in[1], prev_close_) : kNaN;
    started_ = true;
    prev_close_ = in[2];
  }

 private:
  bool started_ = false;
  double prev_close_ = 0.0;
};

// Average true range (Wilder): the first value is the mean of the first `period` true ranges, then
// atr = (atr * (period - 1) + tr) / period. Period 1 is the true range itself (TA-Lib calls TRANGE,
// also for natr). `normalized` gives natr = 100 * atr / close.
class AtrKernel {
 public:
  static constexpr int kInputs = 3;
  static constexpr int kOutputs = 1;
  AtrKernel(int period, bool normalized) : period_(period), normalized_(normalized) {}
  int lookback() const { return period_ <= 1 ? 1 : period_; }
  // step()'s arithmetic over arrays.
  void batch(const double* const* in, double* const* out, std::size_t n) {
    const double *high = in[0], *low = in[1], *close = in[2];
    double* y = out[0];
    if (n == 0) return;
    y[0] = kNaN;
    if (period_ <= 1) {
      for (std::size_t i = 1; i < n; ++i) y[i] = true_range(high[i], low[i], close[i - 1]);
      return;
    }
    const std::size_t p = static_cast<std::size_t>(period_);
    double sum = 0.0;
    for (std::size_t i = 1; i < std::min(n, p + 1); ++i) {
      sum += true_range(high[i], low[i], close[i - 1]);
      if (i < p) y[i] = kNaN;
    }
    if (n <= p) return;
    double atr = sum / period_;
    const double keep = period_ - 1;
    auto emit = [&](std::size_t i) {
      y[i] = normalized_ ? (!ta_is_zero(close[i]) ? (atr / close[i]) * 100.0 : 0.0) : atr;
    };
    emit(p);
    for (std::size_t i = p + 1; i < n; ++i) {
      atr = (atr * keep + true_range(high[i], low[i], close[i - 1])) / period_;
      emit(i);
    }
  }
  void step(Timestamp /*ts*/, const double* in, double* out) {
    out[0] = kNaN;
    const double high = in[0], low = in[1], close = in[2];
    if (count_++ == 0) {
      prev_close_ = close;
      return;
    }
    const double tr = true_range(high, low, prev_close_);
    prev_close_ = close;
    if (period_ <= 1) {
      out[0] = tr;
      return;
    }
    const std::int64_t ranges = count_ - 1;  // true ranges so far, this one included
    if (ranges <= period_) {
      sum_ += tr;
      if (ranges < period_) return;
      atr_ = sum_ / period_;
    } else {
      atr_ *= period_ - 1;
      atr_ += tr;
      atr_ /= period_;
    }
    out[0] = normalized_ ? (!ta_is_zero(close) ? (atr_ / close) * 100.0 : 0.0) : atr_;
  }

 private:
  int period_;
  bool normalized_;
  std::int64_t count_ = 0;
  double prev_close_ = 0.0, sum_ = 0.0, atr_ = 0.0;
};

struct AtrStdKernel : AtrKernel {
  explicit AtrStdKernel(const ParamValues& p) : AtrKernel(static_cast<int>(p[0]), false) {}
};
struct NatrKernel : AtrKernel {
  explicit NatrKernel(const ParamValues& p) : AtrKernel(static_cast<int>(p[0]), true) {}
};

template <class K>
Entry entry(std::string name, std::string description, std::vector<ParamInfo> params) {
  std::vector<std::string> outputs = {name};
  return Entry{IndicatorInfo{std::move(name),
                             "volatility",
                             std::move(description),
                             {"high", "low", "close"},
                             std::move(params),
                             std::move(outputs),
                             false},
               nullptr, make_kernel_indicator<K>};
}

}  // namespace

void register_volatility(Registry& r) {
  r.push_back(entry<TrangeKernel>("trange", "True Range", {}));
  r.push_back(entry<AtrStdKernel>("atr", "Average True Range (Wilder)",
                                  {int_param("timeperiod", 14, 1, kMaxPeriod, "number of bars")}));
  r.push_back(entry<NatrKernel>("natr", "Normalized Average True Range: 100 * atr / close",
                                {int_param("timeperiod", 14, 1, kMaxPeriod, "number of bars")}));
}

}  // namespace tradeloop::indicators::internal

namespace tradeloop::indicators {

void atr(std::span<const double> high, std::span<const double> low, std::span<const double> close, int period,
         std::span<double> out) {
  TL_CHECK(period >= 1 && period <= internal::kMaxPeriod, "atr: period ", period, " out of range");
  internal::run_kernel(internal::AtrKernel(period, false), std::array{high, low, close}, std::array{out});
}

void natr(std::span<const double> high, std::span<const double> low, std::span<const double> close,
          int period, std::span<double> out) {
  TL_CHECK(period >= 1 && period <= internal::kMaxPeriod, "natr: period ", period, " out of range");
  internal::run_kernel(internal::AtrKernel(period, true), std::array{high, low, close}, std::array{out});
}

void trange(std::span<const double> high, std::span<const double> low, std::span<const double> close,
            std::span<double> out) {
  internal::run_kernel(internal::TrangeKernel(ParamValues{}), std::array{high, low, close}, std::array{out});
}

}  // namespace tradeloop::indicators
