// Private: the nine TA-Lib moving averages as streaming states, used on their own (sma, ema, ...), by
// `ma` and by every indicator built on a moving average (bbands, macdext, stoch, apo, ...).
//
// Each state consumes one value per update() and returns the average once it has one, NaN before.
// The arithmetic is TA-Lib's, operation for operation (ta_SMA.c, ta_EMA.c, ta_WMA.c, ta_DEMA.c,
// ta_TEMA.c, ta_TRIMA.c, ta_KAMA.c, ta_MAMA.c, ta_T3.c), so a state fed a series from its first value
// gives TA-Lib's output for that series bit for bit. TA-Lib's default unstable period (0) throughout.
//
// A TA-Lib function called with startIdx > its lookback starts its own computation at
// startIdx - lookback; composites (macd, macdext, bbands ...) reproduce that by starting a state at a
// later bar. MAMA is the one average whose arithmetic depends on the bar index itself (even and odd
// bars take different Hilbert paths): `first_index` is the index, in TA-Lib's input array, of the first
// value the state receives.
//
// Every state is copyable and allocates only in its constructor.
#pragma once

#include <cmath>
#include <cstdint>
#include <type_traits>
#include <variant>
#include <vector>

#include "kernel_indicator.h"
#include "tradeloop/indicators/functions.h"

namespace tradeloop::indicators::internal {

// TA-Lib's PER_TO_K: the EMA smoothing factor of a period.
inline double period_to_k(int period) {
  return 2.0 / static_cast<double>(period + 1);
}

// The last `capacity` values in TA-Lib's circular-buffer layout: value number i (from 0) sits in slot
// i % capacity, so summing slots 0..capacity-1 adds in TA-Lib's order (cci relies on it).
class Window {
 public:
  explicit Window(int capacity = 1) : data_(static_cast<std::size_t>(capacity < 1 ? 1 : capacity), 0.0) {}
  void push(double v) {
    data_[next_] = v;
    next_ = next_ + 1 == data_.size() ? 0 : next_ + 1;
    ++count_;
  }
  // Value pushed `k` pushes before the last one (0 = the last). REQUIRES: k < min(count, capacity).
  double ago(int k) const {
    const std::size_t back = static_cast<std::size_t>(k) + 1;
    return data_[next_ >= back ? next_ - back : next_ + data_.size() - back];
  }
  double slot(int j) const { return data_[static_cast<std::size_t>(j)]; }
  int capacity() const { return static_cast<int>(data_.size()); }
  std::int64_t count() const { return count_; }

 private:
  std::vector<double> data_;
  std::size_t next_ = 0;
  std::int64_t count_ = 0;
};

// Simple moving average: a running sum, TA-Lib's order (add the new value, divide, drop the oldest).
class SmaState {
 public:
  explicit SmaState(int period = 2) : period_(period), window_(period) {}
  int lookback() const { return period_ - 1; }
  bool ready() const { return window_.count() >= period_; }
  double update(double x) {
    window_.push(x);
    sum_ += x;
    if (window_.count() < period_) return kNaN;
    const double total = sum_;
    sum_ -= window_.ago(period_ - 1);
    return total / period_;
  }

 private:
  int period_;
  Window window_;
  double sum_ = 0.0;
};

// Exponential moving average seeded by the SMA of its first `period` values (TA-Lib's default
// compatibility), then prev = (x - prev) * k + prev. `k` is 2 / (period + 1) except in macdfix.
class EmaState {
 public:
  explicit EmaState(int period = 2) : EmaState(period, period_to_k(period)) {}
  EmaState(int period, double k) : period_(period), k_(k) {}
  int lookback() const { return period_ - 1; }
  bool ready() const { return count_ >= period_; }
  double update(double x) {
    if (count_ >= period_) {
      value_ = ((x - value_) * k_) + value_;
      return value_;
    }
    sum_ += x;
    if (++count_ < period_) return kNaN;
    value_ = sum_ / period_;
    return value_;
  }

 private:
  int period_;
  double k_;
  int count_ = 0;
  double sum_ = 0.0;
  double value_ = 0.0;
};

// Weighted moving average (weights 1..period), with TA-Lib's running sums.
class WmaState {
 public:
  explicit WmaState(int period = 2)
      : period_(period), divider_(static_cast<double>((period * (period + 1)) >> 1)), window_(period) {}
  int lookback() const { return period_ - 1; }
  bool ready() const { return window_.count() >= period_; }
  double update(double x) {
    window_.push(x);
    const std::int64_t n = window_.count();
    if (n < period_) {
      sub_ += x;
      sum_ += x * static_cast<double>(n);
      return kNaN;
    }
    sub_ += x;
    sub_ -= trailing_;
    sum_ += x * period_;
    trailing_ = window_.ago(period_ - 1);
    const double out = sum_ / divider_;
    sum_ -= sub_;
    return out;
  }

 private:
  int period_;
  double divider_;
  Window window_;
  double sub_ = 0.0, sum_ = 0.0, trailing_ = 0.0;
};

// Double EMA: 2 * EMA - EMA(EMA).
class DemaState {
 public:
  explicit DemaState(int period = 2) : first_(period), second_(period) {}
  int lookback() const { return first_.lookback() * 2; }
  bool ready() const { return second_.ready(); }
  double update(double x) {
    const double e1 = first_.update(x);
    if (!first_.ready()) return kNaN;
    const double e2 = second_.update(e1);
    if (!second_.ready()) return kNaN;
    return (2.0 * e1) - e2;
  }

 private:
  EmaState first_, second_;
};

// Triple EMA: 3 * EMA - 3 * EMA(EMA) + EMA(EMA(EMA)).
class TemaState {
 public:
  explicit TemaState(int period = 2) : first_(period), second_(period), third_(period) {}
  int lookback() const { return first_.lookback() * 3; }
  bool ready() const { return third_.ready(); }
  double update(double x) {
    const double e1 = first_.update(x);
    if (!first_.ready()) return kNaN;
    const double e2 = second_.update(e1);
    if (!second_.ready()) return kNaN;
    const double e3 = third_.update(e2);
    if (!third_.ready()) return kNaN;
    return e3 + ((3.0 * e1) - (3.0 * e2));
  }

 private:
  EmaState first_, second_, third_;
};

// Triangular moving average with TA-Lib's incremental numerator (odd and even periods differ).
class TrimaState {
 public:
  explicit TrimaState(int period = 2) : period_(period), window_(period + 1) {
    const int half = period >> 1;
    factor_ = period % 2 == 1 ? 1.0 / static_cast<double>((half + 1) * (half + 1))
                              : 1.0 / static_cast<double>(half * (half + 1));
    middle_offset_ = (period - 1) >> 1;
  }
  int lookback() const { return period_ - 1; }
  bool ready() const { return window_.count() >= period_; }
  double update(double x) {
    window_.push(x);
    const std::int64_t n = window_.count();
    if (n < period_) return kNaN;
    if (n == period_) {
      // Values of the first window, oldest first: v(j) = window_.ago(period - 1 - j).
      auto v = [&](int j) { return window_.ago(period_ - 1 - j); };
      numerator_ = numerator_sub_ = numerator_add_ = 0.0;
      for (int j = middle_offset_; j >= 0; --j) {
        numerator_sub_ += v(j);
        numerator_ += numerator_sub_;
      }
      for (int j = middle_offset_ + 1; j < period_; ++j) {
        numerator_add_ += v(j);
        numerator_ += numerator_add_;
      }
      return numerator_ * factor_;
    }
    // The window moved by one: drop the old oldest, move the middle, add the new value.
    const double leaving = window_.ago(period_);
    const double middle = window_.ago(period_ - 1 - middle_offset_);
    numerator_ -= numerator_sub_;
    numerator_sub_ -= leaving;
    numerator_sub_ += middle;
    if (period_ % 2 == 1) {
      numerator_ += numerator_add_;
      numerator_add_ -= middle;
    } else {
      numerator_add_ -= middle;
      numerator_ += numerator_add_;
    }
    numerator_add_ += x;
    numerator_ += x;
    return numerator_ * factor_;
  }

 private:
  int period_;
  Window window_;
  double factor_ = 0.0;
  int middle_offset_ = 0;
  double numerator_ = 0.0, numerator_sub_ = 0.0, numerator_add_ = 0.0;
};

// Kaufman adaptive moving average: efficiency ratio over `period` bars, smoothing between the EMA
// factors of 2 and 30 bars. Seeded with the value before its first output.
class KamaState {
 public:
  explicit KamaState(int period = 2) : period_(period), window_(period + 1) {}
  int lookback() const { return period_; }
  bool ready() const { return window_.count() > period_; }
  double update(double x) {
    window_.push(x);
    const std::int64_t n = window_.count();
    if (n <= period_) return kNaN;
    if (n == period_ + 1) {
      // The first window: x(0) .. x(period), oldest first.
      auto v = [&](int j) { return window_.ago(period_ - j); };
      sum_roc1_ = 0.0;
      for (int j = 0; j < period_; ++j) sum_roc1_ += std::fabs(v(j) - v(j + 1));
      value_ = v(period_ - 1);
      trailing_ = v(0);
      return value_ = step(x, x - v(0));
    }
    const double oldest = window_.ago(period_);
    sum_roc1_ -= std::fabs(trailing_ - oldest);
    sum_roc1_ += std::fabs(x - window_.ago(1));
    trailing_ = oldest;
    return value_ = step(x, x - oldest);
  }

 private:
  double step(double x, double period_roc) const {
    constexpr double kConstMax = 2.0 / (30.0 + 1.0);
    constexpr double kConstDiff = 2.0 / (2.0 + 1.0) - kConstMax;
    double sc = (sum_roc1_ <= period_roc) || ta_is_zero(sum_roc1_) ? 1.0 : std::fabs(period_roc / sum_roc1_);
    sc = (sc * kConstDiff) + kConstMax;
    sc *= sc;
    return ((x - value_) * sc) + value_;
  }

  int period_;
  Window window_;
  double sum_roc1_ = 0.0, value_ = 0.0, trailing_ = 0.0;
};

// One of the four Hilbert transforms of TA-Lib's cycle code (ta_utility.h's DO_HILBERT_*): separate
// delay lines for even and odd bars.
struct HilbertStage {
  double odd[3] = {0, 0, 0}, even[3] = {0, 0, 0};
  double value = 0;
  double prev_odd = 0, prev_even = 0, prev_input_odd = 0, prev_input_even = 0;

  void transform(double input, bool is_even, int idx, double adjusted_prev_period) {
    constexpr double kA = 0.0962, kB = 0.5769;
    double* line = is_even ? even : odd;
    double& prev = is_even ? prev_even : prev_odd;
    double& prev_input = is_even ? prev_input_even : prev_input_odd;
    const double t = kA * input;
    value = -line[idx];
    line[idx] = t;
    value += t;
    value -= prev;
    prev = kB * prev_input;
    value += prev;
    prev_input = input;
    value *= adjusted_prev_period;
  }
};

// The part shared by MAMA and HT_TRENDLINE: the 4-bar WMA smoothing of the price, the Hilbert
// transforms and the dominant cycle period. `today` is the bar's index in TA-Lib's input array.
class HilbertCycle {
 public:
  // Feeds the price WMA only (the warm-up bars before the transforms start).
  double smooth(double x, double trailing) {
    wma_sub_ += x;
    wma_sub_ -= trailing;
    wma_sum_ += x * 4.0;
    const double smoothed = wma_sum_ * 0.1;
    wma_sum_ -= wma_sub_;
    return smoothed;
  }
  void prime(double x0, double x1, double x2) {
    wma_sub_ = x0;
    wma_sum_ = x0;
    wma_sub_ += x1;
    wma_sum_ += x1 * 2.0;
    wma_sub_ += x2;
    wma_sum_ += x2 * 3.0;
  }
  double adjusted_prev_period() const { return (0.075 * period_) + 0.54; }

  // Runs the transforms on a smoothed price; returns the phase input ratio parts through q1/i1.
  void transform(double smoothed, std::int64_t today, double adjusted) {
    if (today % 2 == 0) {
      detrender_.transform(smoothed, true, hilbert_idx_, adjusted);
      q1_.transform(detrender_.value, true, hilbert_idx_, adjusted);
      ji_.transform(i1_even_prev3_, true, hilbert_idx_, adjusted);
      jq_.transform(q1_.value, true, hilbert_idx_, adjusted);
      if (++hilbert_idx_ == 3) hilbert_idx_ = 0;
      q2_ = (0.2 * (q1_.value + ji_.value)) + (0.8 * prev_q2_);
      i2_ = (0.2 * (i1_even_prev3_ - jq_.value)) + (0.8 * prev_i2_);
      i1_odd_prev3_ = i1_odd_prev2_;
      i1_odd_prev2_ = detrender_.value;
      phase_i1_ = i1_even_prev3_;
    } else {
      detrender_.transform(smoothed, false, hilbert_idx_, adjusted);
      q1_.transform(detrender_.value, false, hilbert_idx_, adjusted);
      ji_.transform(i1_odd_prev3_, false, hilbert_idx_, adjusted);
      jq_.transform(q1_.value, false, hilbert_idx_, adjusted);
      q2_ = (0.2 * (q1_.value + ji_.value)) + (0.8 * prev_q2_);
      i2_ = (0.2 * (i1_odd_prev3_ - jq_.value)) + (0.8 * prev_i2_);
      i1_even_prev3_ = i1_even_prev2_;
      i1_even_prev2_ = detrender_.value;
      phase_i1_ = i1_odd_prev3_;
    }
  }
  // Q1 and the delayed I1 of the last transform (MAMA's phase is atan(Q1 / I1)).
  double q1() const { return q1_.value; }
  double phase_i1() const { return phase_i1_; }

  // Updates the dominant cycle period from the last transform.
  void update_period(double rad2deg) {
    re_ = (0.2 * ((i2_ * prev_i2_) + (q2_ * prev_q2_))) + (0.8 * re_);
    im_ = (0.2 * ((i2_ * prev_q2_) - (q2_ * prev_i2_))) + (0.8 * im_);
    prev_q2_ = q2_;
    prev_i2_ = i2_;
    const double previous = period_;
    if ((im_ != 0.0) && (re_ != 0.0)) period_ = 360.0 / (std::atan(im_ / re_) * rad2deg);
    double limit = 1.5 * previous;
    if (period_ > limit) period_ = limit;
    limit = 0.67 * previous;
    if (period_ < limit) period_ = limit;
    if (period_ < 6) {
      period_ = 6;
    } else if (period_ > 50) {
      period_ = 50;
    }
    period_ = (0.2 * period_) + (0.8 * previous);
  }
  double period() const { return period_; }

 private:
  double wma_sub_ = 0, wma_sum_ = 0;
  HilbertStage detrender_, q1_, ji_, jq_;
  int hilbert_idx_ = 0;
  double q2_ = 0, i2_ = 0, prev_q2_ = 0, prev_i2_ = 0, re_ = 0, im_ = 0;
  double i1_odd_prev2_ = 0, i1_odd_prev3_ = 0, i1_even_prev2_ = 0, i1_even_prev3_ = 0;
  double phase_i1_ = 0;
  double period_ = 0;
};

// MESA adaptive moving average (MAMA and its follower FAMA). 32 bars of warm-up.
class MamaState {
 public:
  explicit MamaState(double fast_limit = 0.5, double slow_limit = 0.05, std::int64_t first_index = 0)
      : fast_limit_(fast_limit), slow_limit_(slow_limit), first_index_(first_index), window_(5) {}
  static constexpr int kLookback = 32;
  int lookback() const { return kLookback; }
  bool ready() const { return window_.count() > kLookback; }
  double fama() const { return fama_; }
  // Returns MAMA (NaN during the warm-up); fama() is its follower.
  double update(double x) {
    window_.push(x);
    const std::int64_t n = window_.count();  // bars seen, this one included
    if (n <= 3) {
      if (n == 3) cycle_.prime(window_.ago(2), window_.ago(1), x);
      return kNaN;
    }
    const double trailing = n == 4 ? 0.0 : window_.ago(4);
    if (n <= 12) {  // 9 bars of WMA warm-up
      cycle_.smooth(x, trailing);
      return kNaN;
    }
    const double rad2deg = 180.0 / (4.0 * std::atan(1.0));
    const double adjusted = cycle_.adjusted_prev_period();
    const double smoothed = cycle_.smooth(x, trailing);
    cycle_.transform(smoothed, first_index_ + n - 1, adjusted);
    const double i1 = cycle_.phase_i1();
    const double phase = i1 != 0.0 ? std::atan(cycle_.q1() / i1) * rad2deg : 0.0;
    double delta = prev_phase_ - phase;
    prev_phase_ = phase;
    if (delta < 1.0) delta = 1.0;
    double alpha;
    if (delta > 1.0) {
      alpha = fast_limit_ / delta;
      if (alpha < slow_limit_) alpha = slow_limit_;
    } else {
      alpha = fast_limit_;
    }
    mama_ = (alpha * x) + ((1 - alpha) * mama_);
    alpha *= 0.5;
    fama_ = (alpha * mama_) + ((1 - alpha) * fama_);
    cycle_.update_period(rad2deg);
    return n > kLookback ? mama_ : kNaN;
  }

 private:
  double fast_limit_, slow_limit_;
  std::int64_t first_index_;
  Window window_;
  HilbertCycle cycle_;
  double prev_phase_ = 0, mama_ = 0, fama_ = 0;
};

// Tillson T3: six chained EMAs (k * x + (1 - k) * e form), each seeded by the average of the previous
// one's first `period` values, combined with the volume factor's coefficients.
class T3State {
 public:
  explicit T3State(int period = 2, double vfactor = 0.7) : period_(period) {
    k_ = 2.0 / (period + 1.0);
    one_minus_k_ = 1.0 - k_;
    const double v2 = vfactor * vfactor;
    c1_ = -(v2 * vfactor);
    c2_ = 3.0 * (v2 - c1_);
    c3_ = -6.0 * v2 - 3.0 * (vfactor - c1_);
    c4_ = 1.0 + 3.0 * vfactor - c1_ + 3.0 * v2;
  }
  int lookback() const { return 6 * (period_ - 1); }
  bool ready() const { return stage_ == 6; }
  double update(double x) {
    if (stage_ == 0) {  // SMA seed of e1
      sum_ += x;
      if (++count_ < period_) return kNaN;
      e_[0] = sum_ / period_;
      open_stage(1);
      return kNaN;
    }
    e_[0] = (k_ * x) + (one_minus_k_ * e_[0]);
    for (int j = 1; j < stage_; ++j) e_[j] = (k_ * e_[j - 1]) + (one_minus_k_ * e_[j]);
    if (stage_ < 6) {
      sum_ += e_[stage_ - 1];
      if (++count_ < period_ - 1) return kNaN;
      e_[stage_] = sum_ / period_;
      open_stage(stage_ + 1);
      if (stage_ < 6) return kNaN;
    }
    return c1_ * e_[5] + c2_ * e_[4] + c3_ * e_[3] + c4_ * e_[2];
  }

 private:
  void open_stage(int stage) {
    stage_ = stage;
    count_ = 0;
    if (stage < 6) sum_ = e_[stage - 1];
  }

  int period_;
  double k_, one_minus_k_, c1_, c2_, c3_, c4_;
  int stage_ = 0;  // number of seeded EMAs
  int count_ = 0;
  double sum_ = 0.0;
  double e_[6] = {0, 0, 0, 0, 0, 0};
};

// TA-Lib's TA_MA: any of the nine averages by type; a period of 1 copies the input (lookback 0).
class MaState {
 public:
  MaState() = default;
  MaState(int period, MaType type, std::int64_t first_index = 0) : lookback_(ma_lookback(period, type)) {
    if (period <= 1) return;  // identity
    switch (type) {
      case MaType::kSma:
        state_ = SmaState(period);
        break;
      case MaType::kEma:
        state_ = EmaState(period);
        break;
      case MaType::kWma:
        state_ = WmaState(period);
        break;
      case MaType::kDema:
        state_ = DemaState(period);
        break;
      case MaType::kTema:
        state_ = TemaState(period);
        break;
      case MaType::kTrima:
        state_ = TrimaState(period);
        break;
      case MaType::kKama:
        state_ = KamaState(period);
        break;
      case MaType::kMama:
        state_ = MamaState(0.5, 0.05, first_index);
        break;
      case MaType::kT3:
        state_ = T3State(period, 0.7);
        break;
    }
  }
  int lookback() const { return lookback_; }
  bool ready() const { return ready_; }
  double update(double x) {
    return std::visit(
        [&](auto& s) -> double {
          if constexpr (std::is_same_v<std::decay_t<decltype(s)>, std::monostate>) {
            ready_ = true;
            return x;
          } else {
            const double y = s.update(x);
            ready_ = s.ready();
            return y;
          }
        },
        state_);
  }

 private:
  int lookback_ = 0;
  bool ready_ = false;
  std::variant<std::monostate, SmaState, EmaState, WmaState, DemaState, TemaState, TrimaState, KamaState,
               MamaState, T3State>
      state_;
};

// TA-Lib's TA_STDDEV (nbdev 1) as bbands uses it for averages other than the SMA: the population
// variance from running sums of x and x^2, square-rooted when above TA-Lib's epsilon.
class StdDevState {
 public:
  explicit StdDevState(int period = 2) : period_(period), window_(period) {}
  bool ready() const { return window_.count() >= period_; }
  double update(double x) {
    window_.push(x);
    total1_ += x;
    total2_ += x * x;
    if (window_.count() < period_) return kNaN;
    const double mean1 = total1_ / period_;
    const double mean2 = total2_ / period_;
    const double oldest = window_.ago(period_ - 1);
    total1_ -= oldest;
    total2_ -= oldest * oldest;
    const double variance = mean2 - mean1 * mean1;
    return !ta_is_zero_or_neg(variance) ? std::sqrt(variance) : 0.0;
  }

 private:
  int period_;
  Window window_;
  double total1_ = 0.0, total2_ = 0.0;
};

}  // namespace tradeloop::indicators::internal
