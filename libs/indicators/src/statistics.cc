// Statistic functions, TA-Lib-exact: var, stddev, linearreg, linearreg_slope, linearreg_angle,
// linearreg_intercept, tsf, beta, correl. Each kernel performs TA-Lib 0.4's operations in the same order
// (ta_VAR.c, ta_STDDEV.c, ta_LINEARREG*.c, ta_TSF.c, ta_BETA.c, ta_CORREL.c), so the values are TA-Lib's
// bit for bit; running sums where TA-Lib keeps them, a fresh O(period) sum where TA-Lib does.
#include <cmath>
#include <cstdint>

#include "kernel_indicator.h"

namespace tradeloop::indicators::internal {

namespace {

// Population variance over `timeperiod` values: E[x^2] - E[x]^2 from two running sums. As TA-Lib, the
// new value is added, the means taken, then the oldest value removed.
class VarianceWindow {
 public:
  explicit VarianceWindow(int period) : period_(period), window_(static_cast<std::size_t>(period)) {}
  int lookback() const { return period_ - 1; }
  // Returns the variance once `period` values were seen, NaN before.
  double push(double x) {
    sum1_ += x;
    sum2_ += x * x;
    window_.push(x);
    if (!window_.full()) return kNaN;
    const double mean1 = sum1_ / period_;
    const double mean2 = sum2_ / period_;
    const double oldest = window_.back(static_cast<std::size_t>(period_) - 1);
    sum1_ -= oldest;
    sum2_ -= oldest * oldest;
    return mean2 - mean1 * mean1;
  }

 private:
  int period_;
  Ring window_;
  double sum1_ = 0, sum2_ = 0;
};

class VarKernel {
 public:
  static constexpr int kInputs = 1;
  static constexpr int kOutputs = 1;
  explicit VarKernel(const ParamValues& p) : var_(static_cast<int>(p[0])) {}
  int lookback() const { return var_.lookback(); }
  void step(Timestamp /*ts*/, const double* in, double* out) { out[0] = var_.push(in[0]); }

 private:
  VarianceWindow var_;  // nbdev (p[1]) is accepted and ignored, as by TA-Lib
};

// sqrt(variance) * nbdev; a variance below TA-Lib's epsilon (1e-14) gives exactly 0.
class StddevKernel {
 public:
  static constexpr int kInputs = 1;
  static constexpr int kOutputs = 1;
  explicit StddevKernel(const ParamValues& p) : var_(static_cast<int>(p[0])), nbdev_(p[1]) {}
  int lookback() const { return var_.lookback(); }
  void step(Timestamp /*ts*/, const double* in, double* out) {
    const double v = var_.push(in[0]);
    if (!ta_is_zero_or_neg(v)) {  // also NaN (lookback or NaN input): sqrt keeps it NaN
      out[0] = nbdev_ != 1.0 ? std::sqrt(v) * nbdev_ : std::sqrt(v);
    } else {
      out[0] = 0.0;
    }
  }

 private:
  VarianceWindow var_;
  double nbdev_;
};

enum class LinRegOutput : std::uint8_t { kValue = 0, kSlope = 1, kAngle = 2, kIntercept = 3, kForecast = 4 };

// Least-squares line over the last `timeperiod` values, recomputed per bar as TA-Lib does. TA-Lib's x
// runs backwards (x = bars ago) with a negated divisor, so m is the ordinary slope per bar and b the
// fitted value at the oldest bar of the window. Outputs: linearreg = b + m*(n-1) (the fitted last bar),
// slope = m, angle = atan(m) in degrees, intercept = b, tsf = b + m*n (one bar ahead).
// TA-Lib computes sum(x^2) in 32-bit int, which overflows for timeperiod > 1040; we compute it in 64 bits.
template <LinRegOutput kOut>
class LinRegKernel {
 public:
  static constexpr int kInputs = 1;
  static constexpr int kOutputs = 1;
  explicit LinRegKernel(const ParamValues& p)
      : period_(static_cast<int>(p[0])), window_(static_cast<std::size_t>(period_)) {
    const std::int64_t n = period_;
    sum_x_ = static_cast<double>(n) * static_cast<double>(n - 1) * 0.5;
    const double sum_x_sqr = static_cast<double>(n * (n - 1) * (2 * n - 1) / 6);
    divisor_ = sum_x_ * sum_x_ - static_cast<double>(n) * sum_x_sqr;
  }
  int lookback() const { return period_ - 1; }
  void step(Timestamp /*ts*/, const double* in, double* out) {
    window_.push(in[0]);
    if (!window_.full()) {
      out[0] = kNaN;
      return;
    }
    double sum_xy = 0;
    double sum_y = 0;
    for (int i = period_; i-- != 0;) {
      const double v = window_.back(static_cast<std::size_t>(i));
      sum_y += v;
      sum_xy += static_cast<double>(i) * v;
    }
    const double m = (period_ * sum_xy - sum_x_ * sum_y) / divisor_;
    if constexpr (kOut == LinRegOutput::kSlope) {
      out[0] = m;
    } else if constexpr (kOut == LinRegOutput::kAngle) {
      out[0] = std::atan(m) * (180.0 / kPi);
    } else {
      const double b = (sum_y - m * sum_x_) / static_cast<double>(period_);
      if constexpr (kOut == LinRegOutput::kValue) out[0] = b + m * static_cast<double>(period_ - 1);
      if constexpr (kOut == LinRegOutput::kIntercept) out[0] = b;
      if constexpr (kOut == LinRegOutput::kForecast) out[0] = b + m * static_cast<double>(period_);
    }
  }

 private:
  static constexpr double kPi = 3.14159265358979323846;  // TA-Lib's PI
  int period_;
  Ring window_;
  double sum_x_ = 0, divisor_ = 0;
};

// Beta over `timeperiod` bar-to-bar returns, as TA-Lib's code computes it: with x = return of real0 and
// y = return of real1, beta = (n*Sxy - Sx*Sy) / (n*Sxx - Sx^2) = cov(x, y) / var(x). So real0 plays the
// benchmark (the regressor), although TA-Lib's comment says real0 is the stock. A return from a price
// within 1e-14 of zero is 0; a zero denominator gives 0. Lookback = timeperiod (returns need a bar more).
class BetaKernel {
 public:
  static constexpr int kInputs = 2;  // real0, real1
  static constexpr int kOutputs = 1;
  explicit BetaKernel(const ParamValues& p)
      : period_(static_cast<int>(p[0])),
        xs_(static_cast<std::size_t>(period_)),
        ys_(static_cast<std::size_t>(period_)) {}
  int lookback() const { return period_; }
  void step(Timestamp /*ts*/, const double* in, double* out) {
    out[0] = kNaN;
    if (!started_) {
      started_ = true;
      last_x_ = in[0];
      last_y_ = in[1];
      return;
    }
    const double x = ta_is_zero(last_x_) ? 0.0 : (in[0] - last_x_) / last_x_;
    const double y = ta_is_zero(last_y_) ? 0.0 : (in[1] - last_y_) / last_y_;
    last_x_ = in[0];
    last_y_ = in[1];
    s_xx_ += x * x;
    s_xy_ += x * y;
    s_x_ += x;
    s_y_ += y;
    xs_.push(x);
    ys_.push(y);
    if (!xs_.full()) return;
    const double n = static_cast<double>(period_);
    const double tx = xs_.back(static_cast<std::size_t>(period_) - 1);
    const double ty = ys_.back(static_cast<std::size_t>(period_) - 1);
    const double den = (n * s_xx_) - (s_x_ * s_x_);
    out[0] = !ta_is_zero(den) ? ((n * s_xy_) - (s_x_ * s_y_)) / den : 0.0;
    s_xx_ -= tx * tx;
    s_xy_ -= tx * ty;
    s_x_ -= tx;
    s_y_ -= ty;
  }

 private:
  int period_;
  Ring xs_, ys_;
  bool started_ = false;
  double last_x_ = 0, last_y_ = 0;
  double s_xx_ = 0, s_xy_ = 0, s_x_ = 0, s_y_ = 0;
};

// Pearson correlation of real0 and real1 over `timeperiod` bars from five running sums. As TA-Lib, the
// oldest pair is removed before the new one is added, and a non-positive variance product gives 0.
class CorrelKernel {
 public:
  static constexpr int kInputs = 2;  // real0, real1
  static constexpr int kOutputs = 1;
  explicit CorrelKernel(const ParamValues& p)
      : period_(static_cast<int>(p[0])),
        xs_(static_cast<std::size_t>(period_)),
        ys_(static_cast<std::size_t>(period_)) {}
  int lookback() const { return period_ - 1; }
  void step(Timestamp /*ts*/, const double* in, double* out) {
    if (xs_.full()) {
      const double tx = xs_.back(static_cast<std::size_t>(period_) - 1);
      const double ty = ys_.back(static_cast<std::size_t>(period_) - 1);
      sum_x_ -= tx;
      sum_x2_ -= tx * tx;
      sum_xy_ -= tx * ty;
      sum_y_ -= ty;
      sum_y2_ -= ty * ty;
    }
    const double x = in[0];
    const double y = in[1];
    sum_x_ += x;
    sum_x2_ += x * x;
    sum_xy_ += x * y;
    sum_y_ += y;
    sum_y2_ += y * y;
    xs_.push(x);
    ys_.push(y);
    if (!xs_.full()) {
      out[0] = kNaN;
      return;
    }
    const double t = (sum_x2_ - ((sum_x_ * sum_x_) / period_)) * (sum_y2_ - ((sum_y_ * sum_y_) / period_));
    out[0] = !ta_is_zero_or_neg(t) ? (sum_xy_ - ((sum_x_ * sum_y_) / period_)) / std::sqrt(t) : 0.0;
  }

 private:
  int period_;
  Ring xs_, ys_;
  double sum_x_ = 0, sum_x2_ = 0, sum_xy_ = 0, sum_y_ = 0, sum_y2_ = 0;
};

IndicatorInfo period_info(std::string name, std::string description, int default_period, int min_period,
                          std::vector<std::string> inputs = {"real"}) {
  IndicatorInfo info;
  info.name = name;
  info.group = "statistics";
  info.description = std::move(description);
  info.inputs = std::move(inputs);
  info.params = {
      int_param("timeperiod", default_period, min_period, kMaxPeriod, "number of bars in the window")};
  info.outputs = {std::move(name)};
  return info;
}

}  // namespace

void register_statistics(Registry& r) {
  {
    IndicatorInfo info = period_info("var", "Variance (population)", 5, 1);
    info.params.push_back(
        real_param("nbdev", 1.0, kRealMin, kRealMax, "accepted for TA-Lib compatibility; unused"));
    r.push_back({std::move(info), nullptr, make_kernel_indicator<VarKernel>});
  }
  {
    IndicatorInfo info = period_info("stddev", "Standard Deviation (population)", 5, 2);
    info.params.push_back(
        real_param("nbdev", 1.0, kRealMin, kRealMax, "multiplier of the standard deviation"));
    r.push_back({std::move(info), nullptr, make_kernel_indicator<StddevKernel>});
  }
  r.push_back({period_info("linearreg", "Linear Regression (fitted value at the last bar)", 14, 2), nullptr,
               make_kernel_indicator<LinRegKernel<LinRegOutput::kValue>>});
  r.push_back({period_info("linearreg_slope", "Linear Regression Slope", 14, 2), nullptr,
               make_kernel_indicator<LinRegKernel<LinRegOutput::kSlope>>});
  r.push_back({period_info("linearreg_angle", "Linear Regression Angle (degrees)", 14, 2), nullptr,
               make_kernel_indicator<LinRegKernel<LinRegOutput::kAngle>>});
  r.push_back({period_info("linearreg_intercept", "Linear Regression Intercept", 14, 2), nullptr,
               make_kernel_indicator<LinRegKernel<LinRegOutput::kIntercept>>});
  r.push_back({period_info("tsf", "Time Series Forecast (regression line one bar ahead)", 14, 2), nullptr,
               make_kernel_indicator<LinRegKernel<LinRegOutput::kForecast>>});
  r.push_back({period_info("beta", "Beta of real0's returns against real1's", 5, 1, {"real0", "real1"}),
               nullptr, make_kernel_indicator<BetaKernel>});
  r.push_back({period_info("correl", "Pearson's Correlation Coefficient (r)", 30, 1, {"real0", "real1"}),
               nullptr, make_kernel_indicator<CorrelKernel>});
}

}  // namespace tradeloop::indicators::internal
