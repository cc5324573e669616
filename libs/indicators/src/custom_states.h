// Private: small streaming building blocks of the beyond-TA-Lib indicators (custom.cc). Each consumes
// one value per update, is copyable, and allocates only in its constructor.
//   - TaTrueRange, TaAtr, TaRsi: TA-Lib's TRANGE, ATR and RSI, operation for operation (ta_TRANGE.c,
//     ta_ATR.c, ta_RSI.c), so supertrend/keltner/VuManChu use the same numbers as our atr and rsi.
//   - RollingSum: sum over the last n values that is NaN exactly while a NaN is inside the window.
//   - RollingExtreme: highest or lowest of the last n values (monotonic deque, O(1) amortized).
//   - DelayLine: the value pushed n updates ago.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>
#include <vector>

#include "kernel_indicator.h"

namespace tradeloop::indicators::internal {

// True range from the second bar on: max(high - low, |prev close - high|, |prev close - low|).
class TaTrueRange {
 public:
  // NaN on the first bar (no previous close), as TA-Lib's TRANGE (lookback 1).
  double update(double high, double low, double close) {
    double out = kNaN;
    if (have_prev_) {
      out = high - low;
      const double v2 = std::fabs(prev_close_ - high);
      if (v2 > out) out = v2;
      const double v3 = std::fabs(prev_close_ - low);
      if (v3 > out) out = v3;
    }
    have_prev_ = true;
    prev_close_ = close;
    return out;
  }

 private:
  bool have_prev_ = false;
  double prev_close_ = 0;
};

// Wilder's average true range as TA-Lib: first value at bar `period` = mean of the true ranges of bars
// 1..period, then atr = (atr * (period - 1) + tr) / period. Period 1 is the true range itself.
class TaAtr {
 public:
  explicit TaAtr(int period = 14) : period_(period) {}
  int lookback() const { return period_; }
  double update(double high, double low, double close) {
    const double tr = true_range_.update(high, low, close);
    const std::int64_t bar = count_++;
    if (bar == 0) return kNaN;  // no true range on the first bar
    if (period_ <= 1) return tr;
    if (bar < period_) {
      sum_ += tr;
      return kNaN;
    }
    if (bar == period_) {
      sum_ += tr;
      atr_ = sum_ / period_;
      return atr_;
    }
    atr_ *= period_ - 1;
    atr_ += tr;
    atr_ /= period_;
    return atr_;
  }

 private:
  int period_;
  TaTrueRange true_range_;
  std::int64_t count_ = 0;
  double sum_ = 0, atr_ = 0;
};

// Wilder's RSI as TA-Lib: average gain and loss seeded by the mean of the first `period` changes (first
// value at bar `period`), then smoothed; 100 * gain / (gain + loss), 0 when both are (near) zero.
// REQUIRES: period >= 2 (TA-Lib's minimum).
class TaRsi {
 public:
  explicit TaRsi(int period = 14) : period_(period) {}
  int lookback() const { return period_; }
  double update(double x) {
    const std::int64_t bar = count_++;
    const double diff = x - prev_;
    prev_ = x;
    if (bar == 0) return kNaN;
    if (bar > period_) {
      loss_ *= (period_ - 1);
      gain_ *= (period_ - 1);
    }
    if (diff < 0) {
      loss_ -= diff;
    } else {
      gain_ += diff;
    }
    if (bar < period_) return kNaN;
    loss_ /= period_;
    gain_ /= period_;
    const double total = gain_ + loss_;
    return !ta_is_zero(total) ? 100.0 * (gain_ / total) : 0.0;
  }

 private:
  int period_;
  std::int64_t count_ = 0;
  double prev_ = 0, gain_ = 0, loss_ = 0;
};

// Sum of the last `period` values; NaN while a non-finite value is inside the window. `nonzero()` counts
// the non-zero values in the window, so an all-zero window is detected exactly (a running sum may keep
// a rounding residue after large values leave).
class RollingSum {
 public:
  explicit RollingSum(int period = 1) : window_(static_cast<std::size_t>(period)) {}
  void push(double x) {
    if (window_.full()) {
      const double old = window_.back(window_.capacity() - 1);
      if (std::isfinite(old)) {
        sum_ -= old;
      } else {
        --bad_;
      }
      if (old != 0) --nonzero_;
    }
    window_.push(x);
    if (std::isfinite(x)) {
      sum_ += x;
    } else {
      ++bad_;
    }
    if (x != 0) ++nonzero_;
  }
  bool full() const { return window_.full(); }
  double sum() const { return bad_ > 0 ? kNaN : (nonzero_ == 0 ? 0.0 : sum_); }
  int nonzero() const { return nonzero_; }

 private:
  Ring window_;
  double sum_ = 0;
  int bad_ = 0;
  int nonzero_ = 0;
};

// Highest (kMax) or lowest value of the last `period` values, including the current one; NaN while a
// NaN is inside the window.
template <bool kMax>
class RollingExtreme {
 public:
  explicit RollingExtreme(int period = 1)
      : period_(period),
        mask_(std::bit_ceil(static_cast<std::size_t>(period) + 1) - 1),
        index_(mask_ + 1),
        value_(mask_ + 1) {}
  double update(double x) {
    const std::int64_t i = count_++;
    if (std::isnan(x)) {
      last_nan_ = i;
    } else {
      while (size_ > 0 && (kMax ? value_at(size_ - 1) <= x : value_at(size_ - 1) >= x)) --size_;
      push_back(i, x);
    }
    while (size_ > 0 && index_at(0) <= i - period_) pop_front();
    if (i + 1 < period_ || last_nan_ > i - period_) return kNaN;
    return value_at(0);
  }

 private:
  // A deque of (index, value) in a power-of-two ring of at least period + 1 slots.
  std::size_t slot(std::size_t k) const { return (head_ + k) & mask_; }
  double value_at(std::size_t k) const { return value_[slot(k)]; }
  std::int64_t index_at(std::size_t k) const { return index_[slot(k)]; }
  void push_back(std::int64_t i, double x) {
    index_[slot(size_)] = i;
    value_[slot(size_)] = x;
    ++size_;
  }
  void pop_front() {
    head_ = slot(1);
    --size_;
  }

  std::int64_t period_;
  std::size_t mask_;
  std::vector<std::int64_t> index_;
  std::vector<double> value_;
  std::size_t head_ = 0, size_ = 0;
  std::int64_t count_ = 0;
  std::int64_t last_nan_ = -(std::int64_t{1} << 62);
};

// Returns the value pushed `delay` pushes before the current one (NaN until there is one).
class DelayLine {
 public:
  explicit DelayLine(int delay = 0) : delay_(delay), ring_(static_cast<std::size_t>(delay) + 1) {}
  double update(double x) {
    ring_.push(x);
    return ring_.size() > static_cast<std::size_t>(delay_) ? ring_.back(static_cast<std::size_t>(delay_))
                                                           : kNaN;
  }

 private:
  int delay_;
  Ring ring_;
};

}  // namespace tradeloop::indicators::internal
