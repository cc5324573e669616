#include "deflated_sharpe.h"

#include <cmath>
#include <limits>

namespace tradeloop::discover::internal {

namespace {

double normal_cdf(double x) {
  return 0.5 * std::erfc(-x / std::sqrt(2.0));
}

// Acklam's rational approximation refined by one Newton step (|error| < 1e-12).
double normal_quantile(double p) {
  if (p <= 0) return -std::numeric_limits<double>::infinity();
  if (p >= 1) return std::numeric_limits<double>::infinity();
  static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,  -2.759285104469687e+02,
                             1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
  static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                             6.680131188771972e+01, -1.328068155288572e+01};
  static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                             -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
  static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                             3.754408661907416e+00};
  double x;
  if (p < 0.02425) {
    const double q = std::sqrt(-2 * std::log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else if (p <= 1 - 0.02425) {
    const double q = p - 0.5, r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  } else {
    const double q = std::sqrt(-2 * std::log(1 - p));
    x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  const double e = normal_cdf(x) - p;
  const double u = e * std::sqrt(2 * M_PI) * std::exp(x * x / 2);
  return x - u / (1 + x * u / 2);
}

}  // namespace

double deflated_sharpe(double sr, double variance, double trials, double bars, double skew, double kurtosis) {
  if (!std::isfinite(sr) || !(bars > 1)) return std::numeric_limits<double>::quiet_NaN();
  if (!std::isfinite(skew)) skew = 0;
  if (!std::isfinite(kurtosis)) kurtosis = 3;
  double sr0 = 0;
  if (trials > 1 && variance > 0) {
    constexpr double kEulerGamma = 0.5772156649015329;
    sr0 = std::sqrt(variance) * ((1 - kEulerGamma) * normal_quantile(1 - 1 / trials) +
                                 kEulerGamma * normal_quantile(1 - 1 / (trials * M_E)));
  }
  const double denom = 1 - skew * sr + (kurtosis - 1) / 4 * sr * sr;
  if (!(denom > 0)) return std::numeric_limits<double>::quiet_NaN();
  return normal_cdf((sr - sr0) * std::sqrt(bars - 1) / std::sqrt(denom));
}

}  // namespace tradeloop::discover::internal
