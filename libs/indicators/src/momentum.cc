// Momentum indicators, TA-Lib-exact: rsi, macd, macdext, macdfix, stoch, stochf, stochrsi, adx, adxr,
// plus_di, minus_di, plus_dm, minus_dm, dx, cci, willr, mfi, roc, rocp, rocr, mom, trix, ultosc, aroon,
// aroonosc, cmo, ppo, apo, bop. Each kernel performs the operations of TA-Lib's ta_<NAME>.c in the same
// order (TA-Lib 0.6, unstable period 0), written as a one-bar-at-a-time state machine.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "batch.h"
#include "kernel_indicator.h"
#include "moving_average.h"
#include "tradeloop/indicators/functions.h"

namespace tradeloop::indicators::internal {

namespace {

int as_int(double v) {
  return static_cast<int>(v);
}
MaType as_ma_type(double v) {
  return static_cast<MaType>(static_cast<int>(v));
}

// ---------------------------------------------------------------- rsi, cmo

// Wilder-smoothed average gain and loss: the first average is the mean of the first `period` changes,
// then avg = (avg * (period - 1) + change) / period. A change of 0 counts as a gain of 0.
class WilderGainLoss {
 public:
  explicit WilderGainLoss(int period = 2) : period_(period) {}
  int lookback() const { return period_; }
  // Returns true once the averages exist (from bar `period` on).
  bool update(double x) {
    if (count_ == 0) {
      prev_ = x;
      ++count_;
      return false;
    }
    const double change = x - prev_;
    prev_ = x;
    if (count_ <= period_) {
      if (change < 0) {
        loss_ -= change;
      } else {
        gain_ += change;
      }
      if (count_++ < period_) return false;
      loss_ /= period_;
      gain_ /= period_;
      return true;
    }
    loss_ *= (period_ - 1);
    gain_ *= (period_ - 1);
    if (change < 0) {
      loss_ -= change;
    } else {
      gain_ += change;
    }
    loss_ /= period_;
    gain_ /= period_;
    return true;
  }
  double gain() const { return gain_; }
  double loss() const { return loss_; }

 private:
  int period_;
  std::int64_t count_ = 0;
  double prev_ = 0.0, gain_ = 0.0, loss_ = 0.0;
};

class RsiState {
 public:
  explicit RsiState(int period = 2) : wilder_(period) {}
  int lookback() const { return wilder_.lookback(); }
  bool ready() const { return ready_; }
  double update(double x) {
    ready_ = wilder_.update(x);
    if (!ready_) return kNaN;
    const double total = wilder_.gain() + wilder_.loss();
    return !ta_is_zero(total) ? 100.0 * (wilder_.gain() / total) : 0.0;
  }

 private:
  WilderGainLoss wilder_;
  bool ready_ = false;
};

class RsiKernel {
 public:
  static constexpr int kInputs = 1;
  static constexpr int kOutputs = 1;
  explicit RsiKernel(const ParamValues& p) : s_(as_int(p[0])), period_(as_int(p[0])) {}
  int lookback() const { return s_.lookback(); }
  void step(Timestamp /*ts*/, const double* in, double* out) { out[0] = s_.update(in[0]); }
  // WilderGainLoss + RsiState arithmetic over arrays. Adding 0.0 to the side a change does not feed
  // leaves it unchanged, so the branch-free form gives the same bits (NaN included).
  void batch(const double* const* in, double* const* out, std::size_t n) const {
    const double* x = in[0];
    double* y = out[0];
    const std::size_t p = static_cast<std::size_t>(period_);
    if (n == 0) return;
    y[0] = kNaN;
    double gain = 0.0, loss = 0.0;
    for (std::size_t i = 1; i < std::min(n, p + 1); ++i) {
      const double change = x[i] - x[i - 1];
      if (change < 0) {
        loss -= change;
      } else {
        gain += change;
      }
      if (i < p) y[i] = kNaN;
    }
    if (n <= p) return;
    loss /= period_;
    gain /= period_;
    const double total0 = gain + loss;
    y[p] = !ta_is_zero(total0) ? 100.0 * (gain / total0) : 0.0;
    const double keep = period_ - 1;
    for (std::size_t i = p + 1; i < n; ++i) {
      const double change = x[i] - x[i - 1];
      const bool down = change < 0;
      loss = (loss * keep - (down ? change : 0.0)) / period_;
      gain = (gain * keep + (down ? 0.0 : change)) / period_;
      const double total = gain + loss;
      y[i] = !ta_is_zero(total) ? 100.0 * (gain / total) : 0.0;
    }
  }

 private:
  RsiState s_;
  int period_;
};

class CmoKernel {
 public:
  static constexpr int kInputs = 1;
  static constexpr int kOutputs = 1;
  explicit CmoKernel(const ParamValues& p) : wilder_(as_int(p[0])) {}
  int lookback() const { return wilder_.lookback(); }
  void step(Timestamp /*ts*/, const double* in, double* out) {
    if (!wilder_.update(in[0])) {
      out[0] = kNaN;
      return;
    }
    const double total = wilder_.gain() + wilder_.loss();
    out[0] = !ta_is_zero(total) ? 100.0 * ((wilder_.gain() - wilder_.loss()) / total) : 0.0;
  }

 private:
  WilderGainLoss wilder_;
};

// ---------------------------------------------------------------- macd family

// MACD as TA_INT_MACD: the slow EMA starts at bar 0; the fast EMA starts so that both have their first
// value at bar slow-1 (its SMA seed covers the `fast` bars before); the signal EMA runs on the MACD line
// from its first value.
class MacdKernel {
 public:
  static constexpr int kInputs = 1;
  static constexpr int kOutputs = 3;  // macd, macdsignal, macdhist
  MacdKernel(int fast, int slow, int signal, double k_fast, double k_slow)
      : fast_start_(slow - fast), fast_(fast, k_fast), slow_(slow, k_slow), signal_(signal) {}
  int lookback() const { return slow_.lookback() + signal_.lookback(); }
  void step(Timestamp /*ts*/, const double* in, double* out) {
    const double x = in[0];
    const double slow = slow_.update(x);
    const double fast = bar_++ >= fast_start_ ? fast_.update(x) : kNaN;
    out[0] = out[1] = out[2] = kNaN;
    if (!slow_.ready()) return;
    const double line = fast - slow;
    const double signal = signal_.update(line);
    if (!signal_.ready()) return;
    out[0] = line;
    out[1] = signal;
    out[2] = line - signal;
  }

 private:
  std::int64_t fast_start_;
  std::int64_t bar_ = 0;
  EmaState fast_, slow_, signal_;
};

struct MacdStdKernel : MacdKernel {
  explicit MacdStdKernel(const ParamValues& p)
      : MacdKernel(as_int(p[0]), as_int(p[1]), as_int(p[2]), period_to_k(as_int(p[0])),
                   period_to_k(as_int(p[1]))) {}
};

// MACD 12/26 with TA-Lib's fixed smoothing factors 0.15 and 0.075 (not 2/13 and 2/27).
struct MacdFixKernel : MacdKernel {
  explicit MacdFixKernel(const ParamValues& p) : MacdKernel(12, 26, as_int(p[0]), 0.15, 0.075) {}
};

// MACD with any moving averages: both averages have their first value at the larger of their
// lookbacks (each starts that many bars later), the signal average runs on the MACD line.
class MacdextKernel {
 public:
  static constexpr int kInputs = 1;
  static constexpr int kOutputs = 3;
  explicit MacdextKernel(const ParamValues& p) {
    const int fast = as_int(p[0]), slow = as_int(p[2]), signal = as_int(p[4]);
    const MaType fast_type = as_ma_type(p[1]), slow_type = as_ma_type(p[3]), signal_type = as_ma_type(p[5]);
    largest_ = std::max(ma_lookback(fast, fast_type), ma_lookback(slow, slow_type));
    fast_start_ = largest_ - ma_lookback(fast, fast_type);
    slow_start_ = largest_ - ma_lookback(slow, slow_type);
    fast_ = MaState(fast, fast_type, fast_start_);
    slow_ = MaState(slow, slow_type, slow_start_);
    signal_ = MaState(signal, signal_type, 0);
  }
  int lookback() const { return largest_ + signal_.lookback(); }
  void step(Timestamp /*ts*/, const double* in, double* out) {
    const double x = in[0];
    const std::int64_t bar = bar_++;
    const double fast = bar >= fast_start_ ? fast_.update(x) : kNaN;
    const double slow = bar >= slow_start_ ? slow_.update(x) : kNaN;
    out[0] = out[1] = out[2] = kNaN;
    if (bar < largest_) return;
    const double line = fast - slow;
    const double signal = signal_.update(line);
    if (!signal_.ready()) return;
    out[0] = line;
    out[1] = signal;
    out[2] = line - signal;
  }

 private:
  int largest_ = 0;
  std::int64_t fast_start_ = 0, slow_start_ = 0, bar_ = 0;
  MaState fast_, slow_, signal_;
};

// Absolute and percentage price oscillators: MA(fast) - MA(slow), both from bar 0.
class PriceOscillatorKernel {
 public:
  static constexpr int kInputs = 1;
  static constexpr int kOutputs = 1;
  PriceOscillatorKernel(const ParamValues& p, bool percentage)
      : percentage_(percentage),
        fast_(as_int(p[0]), as_ma_type(p[2])),
        slow_(as_int(p[1]), as_ma_type(p[2])) {}
  int lookback() const { return std::max(fast_.lookback(), slow_.lookback()); }
  void step(Timestamp /*ts*/, const double* in, double* out) {
    const double fast = fast_.update(in[0]);
    const double slow = slow_.update(in[0]);
    if (!fast_.ready() || !slow_.ready()) {
      out[0] = kNaN;
    } else if (percentage_) {
      out[0] = !ta_is_zero(slow) ? ((fast - slow) / slow) * 100.0 : 0.0;
    } else {
      out[0] = fast - slow;
    }
  }

 private:
  bool percentage_;
  MaState fast_, slow_;
};

struct ApoKernel : PriceOscillatorKernel {
  explicit ApoKernel(const ParamValues& p) : PriceOscillatorKernel(p, false) {}
};
struct PpoKernel : PriceOscillatorKernel {
  explicit PpoKernel(const ParamValues& p) : PriceOscillatorKernel(p, true) {}
};

// ---------------------------------------------------------------- stochastics, willr, aroon

// Lowest low and highest high of a sliding window, tracked as TA-Lib tracks them: the index of the
// current extreme is kept, and the window is rescanned only when that index leaves it. `ties_latest`
// (aroon) makes the rescan prefer the latest equal extreme; stoch and willr keep the earliest.
class ExtremeTracker {
 public:
  ExtremeTracker(int window = 1, bool ties_latest = false)
      : window_(window), ties_latest_(ties_latest), highs_(window), lows_(window) {}
  // Adds bar `today` (0, 1, ... in order); the window is the last `window` bars.
  void update(std::int64_t today, double high, double low) {
    highs_.push(high);
    lows_.push(low);
    const std::int64_t trailing = today - (window_ - 1);
    if (trailing < 0) return;
    auto low_at = [&](std::int64_t i) { return lows_.ago(static_cast<int>(today - i)); };
    auto high_at = [&](std::int64_t i) { return highs_.ago(static_cast<int>(today - i)); };
    if (lowest_idx_ < trailing) {
      lowest_idx_ = trailing;
      lowest_ = low_at(trailing);
      for (std::int64_t i = trailing + 1; i <= today; ++i) {
        const double v = low_at(i);
        if (ties_latest_ ? v <= lowest_ : v < lowest_) {
          lowest_idx_ = i;
          lowest_ = v;
        }
      }
    } else if (low <= lowest_) {
      lowest_idx_ = today;
      lowest_ = low;
    }
    if (highest_idx_ < trailing) {
      highest_idx_ = trailing;
      highest_ = high_at(trailing);
      for (std::int64_t i = trailing + 1; i <= today; ++i) {
        const double v = high_at(i);
        if (ties_latest_ ? v >= highest_ : v > highest_) {
          highest_idx_ = i;
          highest_ = v;
        }
      }
    } else if (high >= highest_) {
      highest_idx_ = today;
      highest_ = high;
    }
  }
  double lowest() const { return lowest_; }
  double highest() const { return highest_; }
  std::int64_t lowest_idx() const { return lowest_idx_; }
  std::int64_t highest_idx() const { return highest_idx_; }

 private:
  int window_;
  bool ties_latest_;
  Window highs_, lows_;
  std::int64_t lowest_idx_ = -1, highest_idx_ = -1;
  double lowest_ = 0.0, highest_ = 0.0;
};

// Fast %K: 100 * (close - lowest low) / (highest high - lowest low) over `period` bars, 0 on a flat
// window (TA-Lib divides by range / 100).
class FastK {
 public:
  explicit FastK(int period = 1) : period_(period), tracker_(period) {}
  int lookback() const { return period_ - 1; }
  double update(double high, double low, double close) {
    tracker_.update(bar_, high, low);
    if (bar_++ < period_ - 1) return kNaN;
    const double diff = (tracker_.highest() - tracker_.lowest()) / 100.0;
    return diff != 0.0 ? (close - tracker_.lowest()) / diff : 0.0;
  }

 private:
  int period_;
  ExtremeTracker tracker_;
  std::int64_t bar_ = 0;
};

// Slow stochastic: %K = MA(fast %K), %D = MA(%K).
class StochKernel {
 public:
  static constexpr int kInputs = 3;   // high, low, close
  static constexpr int kOutputs = 2;  // slowk, slowd
  explicit StochKernel(const ParamValues& p)
      : fastk_(as_int(p[0])),
        slowk_(as_int(p[1]), as_ma_type(p[2])),
        slowd_(as_int(p[3]), as_ma_type(p[4])),
        warmup_(as_int(p[0]) - 1) {}
  int lookback() const { return fastk_.lookback() + slowk_.lookback() + slowd_.lookback(); }
  void step(Timestamp /*ts*/, const double* in, double* out) {
    out[0] = out[1] = kNaN;
    const double k = fastk_.update(in[0], in[1], in[2]);
    if (warmup_ > 0) {
      --warmup_;
      return;
    }
    const double slowk = slowk_.update(k);
    if (!slowk_.ready()) return;
    const double slowd = slowd_.update(slowk);
    if (!slowd_.ready()) return;
    out[0] = slowk;
    out[1] = slowd;
  }

 private:
  FastK fastk_;
  MaState slowk_, slowd_;
  int warmup_;  // bars before the first %K
};

// Fast stochastic: %K and %D = MA(%K).
class StochfKernel {
 public:
  static constexpr int kInputs = 3;
  static constexpr int kOutputs = 2;  // fastk, fastd
  StochfKernel(int fastk_period, int fastd_period, MaType fastd_type)
      : fastk_(fastk_period), fastd_(fastd_period, fastd_type), warmup_(fastk_period - 1) {}
  explicit StochfKernel(const ParamValues& p) : StochfKernel(as_int(p[0]), as_int(p[1]), as_ma_type(p[2])) {}
  int lookback() const { return fastk_.lookback() + fastd_.lookback(); }
  void step(Timestamp /*ts*/, const double* in, double* out) {
    out[0] = out[1] = kNaN;
    const double k = fastk_.update(in[0], in[1], in[2]);
    if (warmup_ > 0) {
      --warmup_;
      return;
    }
    const double d = fastd_.update(k);
    if (!fastd_.ready()) return;
    out[0] = k;
    out[1] = d;
  }

 private:
  FastK fastk_;
  MaState fastd_;
  int warmup_;
};

// Stochastic RSI: the fast stochastic of RSI(timeperiod), computed from RSI's first value.
class StochRsiKernel {
 public:
  static constexpr int kInputs = 1;
  static constexpr int kOutputs = 2;  // fastk, fastd
  explicit StochRsiKernel(const ParamValues& p)
      : rsi_(as_int(p[0])), stochf_(as_int(p[1]), as_int(p[2]), as_ma_type(p[3])) {}
  int lookback() const { return rsi_.lookback() + stochf_.lookback(); }
  void step(Timestamp ts, const double* in, double* out) {
    const double r = rsi_.update(in[0]);
    if (!rsi_.ready()) {
      out[0] = out[1] = kNaN;
      return;
    }
    const double hlc[3] = {r, r, r};
    stochf_.step(ts, hlc, out);
  }

 private:
  RsiState rsi_;
  StochfKernel stochf_;
};

class WillrKernel {
 public:
  static constexpr int kInputs = 3;
  static constexpr int kOutputs = 1;
  explicit WillrKernel(const ParamValues& p) : period_(as_int(p[0])), tracker_(period_) {}
  int lookback() const { return period_ - 1; }
  void step(Timestamp /*ts*/, const double* in, double* out) {
    tracker_.update(bar_, in[0], in[1]);
    if (bar_++ < period_ - 1) {
      out[0] = kNaN;
      return;
    }
    const double diff = (tracker_.highest() - tracker_.lowest()) / (-100.0);
    out[0] = diff != 0.0 ? (tracker_.highest() - in[2]) / diff : 0.0;
  }

 private:
  int period_;
  ExtremeTracker tracker_;
  std::int64_t bar_ = 0;
};

// Aroon up/down: 100 * (period - bars since the highest high / lowest low) / period, over period+1 bars.
class AroonKernel {
 public:
  static constexpr int kInputs = 2;  // high, low
  explicit AroonKernel(const ParamValues& p)
      : period_(as_int(p[0])), factor_(100.0 / static_cast<double>(period_)), tracker_(period_ + 1, true) {}
  int lookback() const { return period_; }
  // Returns false during the lookback.
  bool update(double high, double low) {
    tracker_.update(bar_, high, low);
    return bar_++ >= period_;
  }
  double up() const { return factor_ * static_cast<double>(period_ - (bar_ - 1 - tracker_.highest_idx())); }
  double down() const { return factor_ * static_cast<double>(period_ - (bar_ - 1 - tracker_.lowest_idx())); }
  double oscillator() const {
    return factor_ * static_cast<double>(tracker_.highest_idx() - tracker_.lowest_idx());
  }

 private:
  int period_;
  double factor_;
  ExtremeTracker tracker_;
  std::int64_t bar_ = 0;
};

struct AroonUpDownKernel : AroonKernel {
  static constexpr int kOutputs = 2;  // aroondown, aroonup
  using AroonKernel::AroonKernel;
  void step(Timestamp /*ts*/, const double* in, double* out) {
    const bool ready = update(in[0], in[1]);
    out[0] = ready ? down() : kNaN;
    out[1] = ready ? up() : kNaN;
  }
};

struct AroonOscKernel : AroonKernel {
  static constexpr int kOutputs = 1;
  using AroonKernel::AroonKernel;
  void step(Timestamp /*ts*/, const double* in, double* out) {
    out[0] = update(in[0], in[1]) ? oscillator() : kNaN;
  }
};

// ---------------------------------------------------------------- directional movement

// One bar's directional movement and true range against the previous bar.
struct Movement {
  double plus = 0.0, minus = 0.0;  // diffP = high - prev high, diffM = prev low - low
  double true_range = 0.0;
  bool minus_wins() const { return (minus > 0) && (plus < minus); }
  bool plus_wins() const { return (plus > 0) && (plus > minus); }
};

class MovementTracker {
 public:
  // False on the first bar (no previous one).
  bool update(double high, double low, double close, Movement& m) {
    if (first_) {
      first_ = false;
      prev_high_ = high;
      prev_low_ = low;
      prev_close_ = close;
      return false;
    }
    m.plus = high - prev_high_;
    prev_high_ = high;
    m.minus = prev_low_ - low;
    prev_low_ = low;
    m.true_range = high - low;
    double t = std::fabs(high - prev_close_);
    if (t > m.true_range) m.true_range = t;
    t = std::fabs(low - prev_close_);
    if (t > m.true_range) m.true_range = t;
    prev_close_ = close;
    return true;
  }

 private:
  bool first_ = true;
  double prev_high_ = 0, prev_low_ = 0, prev_close_ = 0;
};

// Wilder sums of +DM, -DM and TR as TA-Lib's ADX/DX/DI keep them: plain sums over the first period-1
// movements, then sum = sum - sum / period + value.
class DirectionalSums {
 public:
  explicit DirectionalSums(int period = 2) : period_(period) {}
  // Feeds one movement (bars 1, 2, ...). Returns true once the sums are smoothed (bar >= period).
  bool add(const Movement& m) {
    ++count_;
    if (count_ < period_) {
      if (m.minus_wins()) {
        minus_ += m.minus;
      } else if (m.plus_wins()) {
        plus_ += m.plus;
      }
      tr_ += m.true_range;
      return false;
    }
    minus_ -= minus_ / period_;
    plus_ -= plus_ / period_;
    if (m.minus_wins()) {
      minus_ += m.minus;
    } else if (m.plus_wins()) {
      plus_ += m.plus;
    }
    tr_ = tr_ - (tr_ / period_) + m.true_range;
    return true;
  }
  // 100 * |-DI - +DI| / (-DI + +DI); false when TR or the DI sum is (TA-Lib's) zero.
  bool dx(double& out) const {
    if (ta_is_zero(tr_)) return false;
    const double minus_di = 100.0 * (minus_ / tr_);
    const double plus_di = 100.0 * (plus_ / tr_);
    const double sum = minus_di + plus_di;
    if (ta_is_zero(sum)) return false;
    out = 100.0 * (std::fabs(minus_di - plus_di) / sum);
    return true;
  }

 private:
  int period_;
  int count_ = 0;
  double plus_ = 0.0, minus_ = 0.0, tr_ = 0.0;
};

class AdxState {
 public:
  explicit AdxState(int period = 2) : period_(period), sums_(period) {}
  int lookback() const { return 2 * period_ - 1; }
  double update(double high, double low, double close) {
    Movement m;
    if (!moves_.update(high, low, close, m)) return kNaN;
    ++bar_;
    if (!sums_.add(m)) return kNaN;
    double dx = 0.0;
    const bool has_dx = sums_.dx(dx);
    if (bar_ < 2 * period_ - 1) {  // bars period .. 2*period-2: sum the DX
      if (has_dx) sum_dx_ += dx;
      return kNaN;
    }
    if (bar_ == 2 * period_ - 1) {
      if (has_dx) sum_dx_ += dx;
      adx_ = sum_dx_ / period_;
      return adx_;
    }
    if (has_dx) adx_ = ((adx_ * (period_ - 1)) + dx) / period_;
    return adx_;
  }

 private:
  int period_;
  MovementTracker moves_;
  DirectionalSums sums_;
  std::int64_t bar_ = 0;
  double sum_dx_ = 0.0, adx_ = 0.0;
};

class AdxKernel {
 public:
  static constexpr int kInputs = 3;
  static constexpr int kOutputs = 1;
  explicit AdxKernel(const ParamValues& p) : s_(as_int(p[0])) {}
  int lookback() const { return s_.lookback(); }
  void step(Timestamp /*ts*/, const double* in, double* out) { out[0] = s_.update(in[0], in[1], in[2]); }

 private:
  AdxState s_;
};

// ADXR = (ADX + ADX period-1 bars ago) / 2.
class AdxrKernel {
 public:
  static constexpr int kInputs = 3;
  static constexpr int kOutputs = 1;
  explicit AdxrKernel(const ParamValues& p) : period_(as_int(p[0])), adx_(period_), history_(period_) {}
  int lookback() const { return period_ + adx_.lookback() - 1; }
  void step(Timestamp /*ts*/, const double* in, double* out) {
    const double adx = adx_.update(in[0], in[1], in[2]);
    out[0] = kNaN;
    if (bar_++ < adx_.lookback()) return;
    history_.push(adx);
    if (history_.count() < period_) return;
    out[0] = (adx + history_.ago(period_ - 1)) / 2.0;
  }

 private:
  int period_;
  AdxState adx_;
  Window history_;
  std::int64_t bar_ = 0;
};

// DX; keeps its previous value where TA-Lib's zero tests fail.
class DxKernel {
 public:
  static constexpr int kInputs = 3;
  static constexpr int kOutputs = 1;
  explicit DxKernel(const ParamValues& p) : sums_(as_int(p[0])), period_(as_int(p[0])) {}
  int lookback() const { return period_; }
  void step(Timestamp /*ts*/, const double* in, double* out) {
    Movement m;
    out[0] = kNaN;
    if (!moves_.update(in[0], in[1], in[2], m) || !sums_.add(m)) return;
    double dx = 0.0;
    if (sums_.dx(dx)) {
      value_ = dx;
    } else if (first_) {
      value_ = 0.0;
    }
    first_ = false;
    out[0] = value_;
  }

 private:
  MovementTracker moves_;
  DirectionalSums sums_;
  int period_;
  bool first_ = true;
  double value_ = 0.0;
};

// +DI / -DI (percent of the smoothed true range) and +DM / -DM (the smoothed movement). Period 1 is
// TA-Lib's special case: the raw movement (DM) or movement / true range, not in percent (DI).
class DirectionalKernel {
 public:
  static constexpr int kInputs = 3;  // high, low, close (DM kernels bind only high, low)
  static constexpr int kOutputs = 1;
  DirectionalKernel(int period, bool plus, bool index) : period_(period), plus_(plus), index_(index) {}
  int lookback() const {
    if (period_ <= 1) return 1;
    return index_ ? period_ : period_ - 1;
  }
  void step(Timestamp /*ts*/, const double* in, double* out) {
    Movement m;
    out[0] = kNaN;
    if (!moves_.update(in[0], in[1], index_ ? in[2] : 0.0, m)) return;
    const bool wins = plus_ ? m.plus_wins() : m.minus_wins();
    const double move = plus_ ? m.plus : m.minus;
    if (period_ <= 1) {
      if (!index_) {
        out[0] = wins ? move : 0.0;
      } else {
        out[0] = wins && !ta_is_zero(m.true_range) ? move / m.true_range : 0.0;
      }
      return;
    }
    ++bar_;
    if (bar_ < period_) {
      if (wins) dm_ += move;
      tr_ += m.true_range;
      if (!index_ && bar_ == period_ - 1) out[0] = dm_;
      return;
    }
    dm_ = wins ? dm_ - (dm_ / period_) + move : dm_ - (dm_ / period_);
    if (!index_) {
      out[0] = dm_;
      return;
    }
    tr_ = tr_ - (tr_ / period_) + m.true_range;
    out[0] = !ta_is_zero(tr_) ? 100.0 * (dm_ / tr_) : 0.0;
  }

 private:
  int period_;
  bool plus_, index_;
  MovementTracker moves_;
  std::int64_t bar_ = 0;
  double dm_ = 0.0, tr_ = 0.0;
};

struct PlusDiKernel : DirectionalKernel {
  explicit PlusDiKernel(const ParamValues& p) : DirectionalKernel(as_int(p[0]), true, true) {}
};
struct MinusDiKernel : DirectionalKernel {
  explicit MinusDiKernel(const ParamValues& p) : DirectionalKernel(as_int(p[0]), false, true) {}
};
struct PlusDmKernel : DirectionalKernel {
  static constexpr int kInputs = 2;  // high, low
  explicit PlusDmKernel(const ParamValues& p) : DirectionalKernel(as_int(p[0]), true, false) {}
  void step(Timestamp ts, const double* in, double* out) {
    const double hlc[3] = {in[0], in[1], 0.0};
    DirectionalKernel::step(ts, hlc, out);
  }
};
struct MinusDmKernel : DirectionalKernel {
  static constexpr int kInputs = 2;
  explicit MinusDmKernel(const ParamValues& p) : DirectionalKernel(as_int(p[0]), false, false) {}
  void step(Timestamp ts, const double* in, double* out) {
    const double hlc[3] = {in[0], in[1], 0.0};
    DirectionalKernel::step(ts, hlc, out);
  }
};

// ---------------------------------------------------------------- cci, mfi, bop

// Commodity channel index: (tp - mean) / (0.015 * mean deviation), typical price tp = (h + l + c) / 3,
// the window summed in TA-Lib's circular-buffer order.
class CciKernel {
 public:
  static constexpr int kInputs = 3;
  static constexpr int kOutputs = 1;
  explicit CciKernel(const ParamValues& p) : period_(as_int(p[0])), window_(period_) {}
  int lookback() const { return period_ - 1; }
  void step(Timestamp /*ts*/, const double* in, double* out) {
    const double last = (in[0] + in[1] + in[2]) / 3;
    window_.push(last);
    if (window_.count() < period_) {
      out[0] = kNaN;
      return;
    }
    double average = 0;
    for (int j = 0; j < period_; ++j) average += window_.slot(j);
    average /= period_;
    double deviation = 0;
    for (int j = 0; j < period_; ++j) deviation += std::fabs(window_.slot(j) - average);
    const double distance = last - average;
    out[0] = (distance != 0.0) && (deviation != 0.0) ? distance / (0.015 * (deviation / period_)) : 0.0;
  }

 private:
  int period_;
  Window window_;
};

// Money flow index over `period` bars; 0 while the total money flow is below 1 (TA-Lib's rule).
class MfiKernel {
 public:
  static constexpr int kInputs = 4;  // high, low, close, volume
  static constexpr int kOutputs = 1;
  explicit MfiKernel(const ParamValues& p) : period_(as_int(p[0])), positive_(period_), negative_(period_) {}
  int lookback() const { return period_; }
  void step(Timestamp /*ts*/, const double* in, double* out) {
    out[0] = kNaN;
    const double typical = (in[0] + in[1] + in[2]) / 3.0;
    if (bar_++ == 0) {
      prev_ = typical;
      return;
    }
    if (positive_.count() >= period_) {  // drop the oldest flow
      pos_sum_ -= positive_.ago(period_ - 1);
      neg_sum_ -= negative_.ago(period_ - 1);
    }
    const double change = typical - prev_;
    prev_ = typical;
    const double flow = typical * in[3];
    if (change < 0) {
      negative_.push(flow);
      neg_sum_ += flow;
      positive_.push(0.0);
    } else if (change > 0) {
      positive_.push(flow);
      pos_sum_ += flow;
      negative_.push(0.0);
    } else {
      positive_.push(0.0);
      negative_.push(0.0);
    }
    if (positive_.count() < period_) return;
    const double total = pos_sum_ + neg_sum_;
    out[0] = total < 1.0 ? 0.0 : 100.0 * (pos_sum_ / total);
  }

 private:
  int period_;
  Window positive_, negative_;
  std::int64_t bar_ = 0;
  double prev_ = 0.0, pos_sum_ = 0.0, neg_sum_ = 0.0;
};

// Balance of power: (close - open) / (high - low), 0 when the range is not above TA-Lib's epsilon.
class BopKernel {
 public:
  static constexpr int kInputs = 4;  // open, high, low, close
  static constexpr int kOutputs = 1;
  explicit BopKernel(const ParamValues& /*p*/) {}
  int lookback() const { return 0; }
  void step(Timestamp /*ts*/, const double* in, double* out) {
    const double range = in[1] - in[2];
    out[0] = ta_is_zero_or_neg(range) ? 0.0 : (in[3] - in[0]) / range;
  }
};

// ---------------------------------------------------------------- roc family, mom, trix, ultosc

enum class Change : std::uint8_t { kMom = 0, kRoc = 1, kRocp = 2, kRocr = 3 };

// x against x `period` bars ago; the ratio forms give 0 when the old value is 0.
inline double change_of(Change kind, double now, double then) {
  switch (kind) {
    case Change::kMom:
      return now - then;
    case Change::kRoc:
      return then != 0.0 ? ((now / then) - 1.0) * 100.0 : 0.0;
    case Change::kRocp:
      return then != 0.0 ? (now - then) / then : 0.0;
    case Change::kRocr:
      return then != 0.0 ? (now / then) : 0.0;
  }
  return 0.0;
}

template <Change kKind>
class ChangeKernel {
 public:
  static constexpr int kInputs = 1;
  static constexpr int kOutputs = 1;
  explicit ChangeKernel(const ParamValues& p) : period_(as_int(p[0])), window_(period_ + 1) {}
  int lookback() const { return period_; }
  void step(Timestamp /*ts*/, const double* in, double* out) {
    window_.push(in[0]);
    out[0] = window_.count() > period_ ? change_of(kKind, in[0], window_.ago(period_)) : kNaN;
  }

 private:
  int period_;
  Window window_;
};

// TRIX: one-bar rate of change (percent) of a triple EMA.
class TrixKernel {
 public:
  static constexpr int kInputs = 1;
  static constexpr int kOutputs = 1;
  explicit TrixKernel(const ParamValues& p) : e1_(as_int(p[0])), e2_(as_int(p[0])), e3_(as_int(p[0])) {}
  int lookback() const { return 3 * e1_.lookback() + 1; }
  void step(Timestamp /*ts*/, const double* in, double* out) {
    out[0] = kNaN;
    const double a = e1_.update(in[0]);
    if (!e1_.ready()) return;
    const double b = e2_.update(a);
    if (!e2_.ready()) return;
    const double c = e3_.update(b);
    if (!e3_.ready()) return;
    if (has_prev_) out[0] = change_of(Change::kRoc, c, prev_);
    prev_ = c;
    has_prev_ = true;
  }

 private:
  EmaState e1_, e2_, e3_;
  double prev_ = 0.0;
  bool has_prev_ = false;
};

// Ultimate oscillator: buying pressure / true range over three periods, weighted 4:2:1 from the
// shortest to the longest (TA-Lib sorts the periods).
class UltoscKernel {
 public:
  static constexpr int kInputs = 3;
  static constexpr int kOutputs = 1;
  explicit UltoscKernel(const ParamValues& p) {
    std::array<int, 3> periods = {as_int(p[0]), as_int(p[1]), as_int(p[2])};
    std::sort(periods.begin(), periods.end());
    periods_ = periods;
    longest_ = periods[2];
    pressure_ = Window(longest_ + 1);
    range_ = Window(longest_ + 1);
  }
  // TA-Lib's lookback is that of an SMA of the longest period, plus one (0 when every period is 1,
  // where TA-Lib reads before the array: we start at bar 1).
  int lookback() const { return std::max(longest_, 1); }
  void step(Timestamp /*ts*/, const double* in, double* out) {
    out[0] = kNaN;
    const double high = in[0], low = in[1], close = in[2];
    const std::int64_t bar = bar_++;
    if (bar == 0) {
      prev_close_ = close;
      return;
    }
    const double true_low = low < prev_close_ ? low : prev_close_;  // TA-Lib's min() macro
    double true_range = high - low;
    double t = std::fabs(prev_close_ - high);
    if (t > true_range) true_range = t;
    t = std::fabs(prev_close_ - low);
    if (t > true_range) true_range = t;
    prev_close_ = close;
    pressure_.push(close - true_low);
    range_.push(true_range);
    if (bar < lookback()) return;
    if (bar == lookback()) {  // prime each total with the period-1 bars before this one
      for (int k = 0; k < 3; ++k) {
        a_[k] = b_[k] = 0.0;
        for (int ago = periods_[k] - 1; ago >= 1; --ago) {
          a_[k] += pressure_.ago(ago);
          b_[k] += range_.ago(ago);
        }
      }
    }
    const double a_now = pressure_.ago(0), b_now = range_.ago(0);
    double output = 0.0;
    for (int k = 0; k < 3; ++k) {
      a_[k] += a_now;
      b_[k] += b_now;
    }
    if (!ta_is_zero(b_[0])) output += 4.0 * (a_[0] / b_[0]);
    if (!ta_is_zero(b_[1])) output += 2.0 * (a_[1] / b_[1]);
    if (!ta_is_zero(b_[2])) output += a_[2] / b_[2];
    for (int k = 0; k < 3; ++k) {
      a_[k] -= pressure_.ago(periods_[k] - 1);
      b_[k] -= range_.ago(periods_[k] - 1);
    }
    out[0] = 100.0 * (output / 7.0);
  }

 private:
  std::array<int, 3> periods_{};
  int longest_ = 1;
  Window pressure_, range_;
  std::int64_t bar_ = 0;
  double prev_close_ = 0.0;
  double a_[3] = {0, 0, 0}, b_[3] = {0, 0, 0};
};

// ---------------------------------------------------------------- registration

ParamInfo period_param(int default_value, int min, std::string name = "timeperiod") {
  return int_param(std::move(name), default_value, min, kMaxPeriod, "number of bars");
}
ParamInfo matype_param(std::string name) {
  return int_param(std::move(name), 0, 0, 8,
                   "moving average type: 0 sma, 1 ema, 2 wma, 3 dema, 4 tema, 5 trima, 6 kama, 7 mama, 8 t3");
}

// fast < slow, as the issue asks (TA-Lib would silently swap them).
std::function<Status(const ParamValues&)> fast_below_slow(std::string indicator, std::size_t fast,
                                                          std::size_t slow, std::string fast_name,
                                                          std::string slow_name) {
  return [=](const ParamValues& p) -> Status {
    if (p[fast] < p[slow]) return ok_status();
    return Error::invalid_argument(fmt::format("{}: parameter '{}' = {} must be below '{}' = {}", indicator,
                                               fast_name, p[fast], slow_name, p[slow]));
  };
}

template <class K>
Entry entry(std::string name, std::string description, std::vector<std::string> inputs,
            std::vector<ParamInfo> params, std::vector<std::string> outputs = {},
            std::function<Status(const ParamValues&)> check = nullptr) {
  if (outputs.empty()) outputs = {name};
  return Entry{IndicatorInfo{std::move(name), "momentum", std::move(description), std::move(inputs),
                             std::move(params), std::move(outputs), false},
               std::move(check), make_kernel_indicator<K>};
}

const std::vector<std::string> kHlc = {"high", "low", "close"};
const std::vector<std::string> kMacdOutputs = {"macd", "macdsignal", "macdhist"};

}  // namespace

void register_momentum(Registry& r) {
  r.push_back(entry<RsiKernel>("rsi", "Relative Strength Index (Wilder)", {"real"}, {period_param(14, 2)}));
  r.push_back(entry<MacdStdKernel>("macd", "Moving Average Convergence/Divergence", {"real"},
                                   {period_param(12, 2, "fastperiod"), period_param(26, 2, "slowperiod"),
                                    period_param(9, 1, "signalperiod")},
                                   kMacdOutputs, fast_below_slow("macd", 0, 1, "fastperiod", "slowperiod")));
  r.push_back(entry<MacdextKernel>(
      "macdext", "MACD with controllable MA type", {"real"},
      {period_param(12, 2, "fastperiod"), matype_param("fastmatype"), period_param(26, 2, "slowperiod"),
       matype_param("slowmatype"), period_param(9, 1, "signalperiod"), matype_param("signalmatype")},
      kMacdOutputs, fast_below_slow("macdext", 0, 2, "fastperiod", "slowperiod")));
  r.push_back(entry<MacdFixKernel>("macdfix", "Moving Average Convergence/Divergence Fix 12/26", {"real"},
                                   {period_param(9, 1, "signalperiod")}, kMacdOutputs));
  r.push_back(entry<StochKernel>(
      "stoch", "Stochastic (slow)", kHlc,
      {period_param(5, 1, "fastk_period"), period_param(3, 1, "slowk_period"), matype_param("slowk_matype"),
       period_param(3, 1, "slowd_period"), matype_param("slowd_matype")},
      {"slowk", "slowd"}));
  r.push_back(entry<StochfKernel>(
      "stochf", "Stochastic Fast", kHlc,
      {period_param(5, 1, "fastk_period"), period_param(3, 1, "fastd_period"), matype_param("fastd_matype")},
      {"fastk", "fastd"}));
  r.push_back(entry<StochRsiKernel>("stochrsi", "Stochastic Relative Strength Index (stochf of rsi)",
                                    {"real"},
                                    {period_param(14, 2), period_param(5, 1, "fastk_period"),
                                     period_param(3, 1, "fastd_period"), matype_param("fastd_matype")},
                                    {"fastk", "fastd"}));
  r.push_back(entry<AdxKernel>("adx", "Average Directional Movement Index", kHlc, {period_param(14, 2)}));
  r.push_back(
      entry<AdxrKernel>("adxr", "Average Directional Movement Index Rating", kHlc, {period_param(14, 2)}));
  r.push_back(entry<PlusDiKernel>("plus_di", "Plus Directional Indicator", kHlc, {period_param(14, 1)}));
  r.push_back(entry<MinusDiKernel>("minus_di", "Minus Directional Indicator", kHlc, {period_param(14, 1)}));
  r.push_back(
      entry<PlusDmKernel>("plus_dm", "Plus Directional Movement", {"high", "low"}, {period_param(14, 1)}));
  r.push_back(
      entry<MinusDmKernel>("minus_dm", "Minus Directional Movement", {"high", "low"}, {period_param(14, 1)}));
  r.push_back(entry<DxKernel>("dx", "Directional Movement Index", kHlc, {period_param(14, 2)}));
  r.push_back(entry<CciKernel>("cci", "Commodity Channel Index", kHlc, {period_param(14, 2)}));
  r.push_back(entry<WillrKernel>("willr", "Williams' %R", kHlc, {period_param(14, 2)}));
  r.push_back(
      entry<MfiKernel>("mfi", "Money Flow Index", {"high", "low", "close", "volume"}, {period_param(14, 2)}));
  r.push_back(entry<ChangeKernel<Change::kRoc>>("roc", "Rate of change: ((price / prevPrice) - 1) * 100",
                                                {"real"}, {period_param(10, 1)}));
  r.push_back(entry<ChangeKernel<Change::kRocp>>(
      "rocp", "Rate of change Percentage: (price - prevPrice) / prevPrice", {"real"}, {period_param(10, 1)}));
  r.push_back(entry<ChangeKernel<Change::kRocr>>("rocr", "Rate of change ratio: price / prevPrice", {"real"},
                                                 {period_param(10, 1)}));
  r.push_back(entry<ChangeKernel<Change::kMom>>("mom", "Momentum: price - prevPrice", {"real"},
                                                {period_param(10, 1)}));
  r.push_back(entry<TrixKernel>("trix", "1-day Rate-Of-Change (ROC) of a Triple Smooth EMA", {"real"},
                                {period_param(30, 1)}));
  r.push_back(entry<UltoscKernel>("ultosc", "Ultimate Oscillator", kHlc,
                                  {period_param(7, 1, "timeperiod1"), period_param(14, 1, "timeperiod2"),
                                   period_param(28, 1, "timeperiod3")}));
  r.push_back(entry<AroonUpDownKernel>("aroon", "Aroon", {"high", "low"}, {period_param(14, 2)},
                                       {"aroondown", "aroonup"}));
  r.push_back(entry<AroonOscKernel>("aroonosc", "Aroon Oscillator", {"high", "low"}, {period_param(14, 2)}));
  r.push_back(entry<CmoKernel>("cmo", "Chande Momentum Oscillator", {"real"}, {period_param(14, 2)}));
  r.push_back(entry<PpoKernel>(
      "ppo", "Percentage Price Oscillator", {"real"},
      {period_param(12, 2, "fastperiod"), period_param(26, 2, "slowperiod"), matype_param("matype")}, {},
      fast_below_slow("ppo", 0, 1, "fastperiod", "slowperiod")));
  r.push_back(entry<ApoKernel>(
      "apo", "Absolute Price Oscillator", {"real"},
      {period_param(12, 2, "fastperiod"), period_param(26, 2, "slowperiod"), matype_param("matype")}, {},
      fast_below_slow("apo", 0, 1, "fastperiod", "slowperiod")));
  r.push_back(entry<BopKernel>("bop", "Balance Of Power", {"open", "high", "low", "close"}, {}));
}

}  // namespace tradeloop::indicators::internal

namespace tradeloop::indicators {

using internal::run_kernel;

namespace {
ParamValues values(std::initializer_list<double> v) {
  return ParamValues(v);
}
void check_range(int v, int min, const char* what) {
  TL_CHECK(v >= min && v <= internal::kMaxPeriod, what, " = ", v, " out of range");
}
}  // namespace

void rsi(std::span<const double> in, int period, std::span<double> out) {
  check_range(period, 2, "rsi period");
  run_kernel(internal::RsiKernel(values({double(period)})), std::array{in}, std::array{out});
}

void macd(std::span<const double> in, int fast_period, int slow_period, int signal_period,
          std::span<double> macd_out, std::span<double> signal_out, std::span<double> hist_out) {
  check_range(fast_period, 2, "macd fast period");
  check_range(slow_period, 2, "macd slow period");
  check_range(signal_period, 1, "macd signal period");
  TL_CHECK(fast_period < slow_period, "macd: fast period ", fast_period, " not below slow period ",
           slow_period);
  run_kernel(
      internal::MacdStdKernel(values({double(fast_period), double(slow_period), double(signal_period)})),
      std::array{in}, std::array{macd_out, signal_out, hist_out});
}

void stoch(std::span<const double> high, std::span<const double> low, std::span<const double> close,
           int fastk_period, int slowk_period, MaType slowk_type, int slowd_period, MaType slowd_type,
           std::span<double> slowk, std::span<double> slowd) {
  check_range(fastk_period, 1, "stoch fastk period");
  check_range(slowk_period, 1, "stoch slowk period");
  check_range(slowd_period, 1, "stoch slowd period");
  run_kernel(
      internal::StochKernel(values({double(fastk_period), double(slowk_period), double(int(slowk_type)),
                                    double(slowd_period), double(int(slowd_type))})),
      std::array{high, low, close}, std::array{slowk, slowd});
}

void adx(std::span<const double> high, std::span<const double> low, std::span<const double> close, int period,
         std::span<double> out) {
  check_range(period, 2, "adx period");
  run_kernel(internal::AdxKernel(values({double(period)})), std::array{high, low, close}, std::array{out});
}

void cci(std::span<const double> high, std::span<const double> low, std::span<const double> close, int period,
         std::span<double> out) {
  check_range(period, 2, "cci period");
  run_kernel(internal::CciKernel(values({double(period)})), std::array{high, low, close}, std::array{out});
}

void willr(std::span<const double> high, std::span<const double> low, std::span<const double> close,
           int period, std::span<double> out) {
  check_range(period, 2, "willr period");
  run_kernel(internal::WillrKernel(values({double(period)})), std::array{high, low, close}, std::array{out});
}

void mom(std::span<const double> in, int period, std::span<double> out) {
  check_range(period, 1, "mom period");
  run_kernel(internal::ChangeKernel<internal::Change::kMom>(values({double(period)})), std::array{in},
             std::array{out});
}

void roc(std::span<const double> in, int period, std::span<double> out) {
  check_range(period, 1, "roc period");
  run_kernel(internal::ChangeKernel<internal::Change::kRoc>(values({double(period)})), std::array{in},
             std::array{out});
}

}  // namespace tradeloop::indicators
