// Evaluation of a Program over whole arrays: one pass over the nodes in index (topological) order,
// each node a tight loop over the bars. Indicators come from the IndicatorCache.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>

#include <fmt/format.h>

#include "spec_internal.h"
#include "tradeloop/core/time.h"
#include "tradeloop/strategy/spec_compiler.h"

namespace tradeloop::strategy {

using internal::Node;
using internal::Op;
using internal::Program;
using internal::VType;

// ---- IndicatorCache ----

std::shared_ptr<const IndicatorCache::Columns> IndicatorCache::find(std::string_view key) const {
  std::shared_lock lock(mutex_);
  const auto it = map_.find(key);
  if (it == map_.end()) {
    misses_.fetch_add(1, std::memory_order_relaxed);
    return nullptr;
  }
  hits_.fetch_add(1, std::memory_order_relaxed);
  return it->second;
}

std::shared_ptr<const IndicatorCache::Columns> IndicatorCache::insert(std::string key, Columns columns) {
  std::size_t size = 0;
  for (const auto& c : columns) size += c.size() * sizeof(double);
  auto entry = std::make_shared<const Columns>(std::move(columns));
  std::unique_lock lock(mutex_);
  const auto it = map_.find(key);
  if (it != map_.end()) return it->second;
  if (bytes_ + size > max_bytes_) return entry;  // full: the caller uses it without storing
  bytes_ += size;
  map_.emplace(std::move(key), entry);
  return entry;
}

std::size_t IndicatorCache::entries() const {
  std::shared_lock lock(mutex_);
  return map_.size();
}

std::size_t IndicatorCache::bytes() const {
  std::shared_lock lock(mutex_);
  return bytes_;
}

void IndicatorCache::clear() {
  std::unique_lock lock(mutex_);
  map_.clear();
  bytes_ = 0;
}

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Rolling maximum (or minimum) over the `w` bars ending at each bar, NaN until `w` bars are seen
// or when any value in the window is NaN. O(n) with a monotonic deque kept in `deque` (n slots).
void rolling_extreme(const double* x, std::size_t n, std::size_t w, bool maximum, double* out,
                     std::vector<std::size_t>& deque) {
  deque.resize(n);
  std::size_t head = 0, tail = 0;  // deque[head, tail)
  std::ptrdiff_t last_nan = -1;
  for (std::size_t t = 0; t < n; ++t) {
    const double v = x[t];
    if (std::isnan(v)) {
      last_nan = static_cast<std::ptrdiff_t>(t);
      head = tail = 0;
      out[t] = kNaN;
      continue;
    }
    while (tail > head && (maximum ? x[deque[tail - 1]] <= v : x[deque[tail - 1]] >= v)) --tail;
    deque[tail++] = t;
    while (deque[head] + w <= t) ++head;
    const bool full =
        t + 1 >= w && static_cast<std::ptrdiff_t>(t) - last_nan >= static_cast<std::ptrdiff_t>(w);
    out[t] = full ? x[deque[head]] : kNaN;
  }
}

// Rolling OLS slope of y on x (with intercept) over `w` bars: cov(x, y) / var(x).
void rolling_ols_slope(const double* y, const double* x, std::size_t n, std::size_t w, double* out) {
  double kx = 0, ky = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
  std::size_t count = 0;
  for (std::size_t t = 0; t < n; ++t) {
    if (std::isnan(x[t]) || std::isnan(y[t])) {
      count = 0;
      out[t] = kNaN;
      continue;
    }
    if (count == 0) {
      kx = x[t];
      ky = y[t];
      sx = sy = sxx = sxy = 0;
    }
    const double dx = x[t] - kx, dy = y[t] - ky;
    sx += dx;
    sy += dy;
    sxx += dx * dx;
    sxy += dx * dy;
    ++count;
    if (count > w) {
      const double ox = x[t - w] - kx, oy = y[t - w] - ky;
      sx -= ox;
      sy -= oy;
      sxx -= ox * ox;
      sxy -= ox * oy;
    }
    if (count < w) {
      out[t] = kNaN;
      continue;
    }
    const double wn = static_cast<double>(w);
    const double var = sxx - sx * sx / wn;
    const double cov = sxy - sx * sy / wn;
    out[t] = var > 0 ? cov / var : kNaN;
  }
}

// Per-thread buffers reused across runs. A run over a million bars needs several arrays of 8 MB;
// allocating and freeing them every run makes glibc return the memory to the system and fault it in
// again (measured: 10x the cost of the arithmetic). Buffers go back with their size, so a run on data
// of the same length neither allocates nor clears. Bounded so an idle thread keeps little.
class BufferPool {
 public:
  template <typename T>
  std::vector<T> take(std::size_t n) {
    auto& free = list<T>();
    std::vector<T> v;
    if (!free.empty()) {
      v = std::move(free.back());
      free.pop_back();
      bytes_ -= v.capacity() * sizeof(T);
    }
    v.resize(n);
    return v;
  }
  template <typename T>
  void give(std::vector<T>&& v) {
    const std::size_t size = v.capacity() * sizeof(T);
    auto& free = list<T>();
    if (size == 0 || free.size() >= kMaxBuffers || bytes_ + size > kMaxBytes) return;
    bytes_ += size;
    free.push_back(std::move(v));
  }

 private:
  static constexpr std::size_t kMaxBuffers = 32;
  static constexpr std::size_t kMaxBytes = std::size_t{256} << 20;
  template <typename T>
  std::vector<std::vector<T>>& list() {
    if constexpr (std::is_same_v<T, double>) {
      return doubles_;
    } else {
      return flags_;
    }
  }
  std::vector<std::vector<double>> doubles_;
  std::vector<std::vector<std::uint8_t>> flags_;
  std::size_t bytes_ = 0;
};

BufferPool& buffer_pool() {
  thread_local BufferPool pool;
  return pool;
}

// out[t] = a[t-1] < b[t-1] and a[t] > b[t] for t >= 1 (crosses_below(a, b) is cross_loop(b, a)).
void cross_loop(const double* __restrict a, const double* __restrict b, std::uint8_t* __restrict out,
                std::size_t n) {
  if (n == 0) return;
  bool below = a[0] < b[0];
  for (std::size_t t = 1; t < n; ++t) {
    const double x = a[t], y = b[t];
    out[t] = static_cast<std::uint8_t>(below & (x > y));
    below = x < y;
  }
}

class Evaluator {
 public:
  // `shared_cache`: indicators go to (and come from) `cache`, which outlives the run. Otherwise they
  // are computed into pooled buffers, once per run for each distinct key (`cache` then only serves
  // the ATR of ATR stops).
  Evaluator(const Program& p, std::span<const double> scalars,
            std::vector<std::unique_ptr<indicators::Indicator>>& made,
            std::span<const data::BarSeries* const> legs, IndicatorCache& cache, bool shared_cache)
      : p_(p),
        scalars_(scalars),
        made_(made),
        legs_(legs),
        cache_(cache),
        shared_cache_(shared_cache),
        n_(legs[0]->size()) {
    const std::size_t count = p.nodes.size();
    num_.assign(count, nullptr);
    bits_.assign(count, nullptr);
    num_store_.resize(count);
    bit_store_.resize(count);
    held_.resize(count);
    for (const auto* leg : legs) {
      data_key_ += fmt::format("{:x}/{}/{}/{}|", reinterpret_cast<std::uintptr_t>(leg), leg->size(),
                               leg->empty() ? 0 : leg->ts.front(), leg->empty() ? 0 : leg->ts.back());
    }
  }

  ~Evaluator() {
    BufferPool& pool = buffer_pool();
    for (auto& v : num_store_) pool.give(std::move(v));
    for (auto& v : bit_store_) pool.give(std::move(v));
    for (auto& [key, cols] : local_) {
      for (auto& c : cols) pool.give(std::move(c));
    }
  }
  Evaluator(const Evaluator&) = delete;
  Evaluator& operator=(const Evaluator&) = delete;

  // Evaluates every series node flagged in `need`.
  Status run(const std::vector<std::uint8_t>& need) {
    for (std::size_t i = 0; i < p_.nodes.size(); ++i) {
      if (need[i] == 0 || !p_.nodes[i].series) continue;
      TL_TRY(eval(static_cast<int>(i)));
    }
    return ok_status();
  }

  // Node value at every bar as doubles (booleans 0/1), for roots and inspection.
  void number_at(int i, std::vector<double>& out) const {
    const Node& n = node(i);
    out.resize(n_);
    if (!n.series) {
      std::fill(out.begin(), out.end(), scalar(i));
    } else if (n.type == VType::kBool) {
      const std::uint8_t* b = bits_[static_cast<std::size_t>(i)];
      for (std::size_t t = 0; t < n_; ++t) out[t] = b[t];
    } else {
      std::copy(num_[static_cast<std::size_t>(i)], num_[static_cast<std::size_t>(i)] + n_, out.begin());
    }
  }

  void bits_at(int i, std::vector<std::uint8_t>& out) const {
    const Node& n = node(i);
    if (!n.series) {
      out.assign(n_, scalar(i) != 0 ? 1 : 0);
    } else {
      out.assign(bits_[static_cast<std::size_t>(i)], bits_[static_cast<std::size_t>(i)] + n_);
    }
  }

  // Leading bars before every indicator and rolling window of the evaluated nodes has a value (the
  // first bar that is not NaN, as the event kernel counts the indicators a strategy reads).
  std::size_t warmup(const std::vector<std::uint8_t>& need) const {
    std::size_t out = 0;
    for (std::size_t i = 0; i < p_.nodes.size(); ++i) {
      const Node& n = p_.nodes[i];
      if (need[i] == 0 || !n.series || n.type == VType::kBool) continue;
      if (n.op != Op::kIndicator && n.op != Op::kHighest && n.op != Op::kLowest && n.op != Op::kOlsSlope)
        continue;
      const double* x = num_[i];
      std::size_t first = 0;
      while (first < n_ && std::isnan(x[first])) ++first;
      out = std::max(out, first);
    }
    return out;
  }

  Result<std::shared_ptr<const IndicatorCache::Columns>> atr(int period) {
    const indicators::IndicatorInfo* info = indicators::find_indicator("atr");
    if (info == nullptr)
      return Error::not_found("ATR stops need the 'atr' indicator, which this build does not have");
    const std::string key = data_key_ + fmt::format("atr(timeperiod={})", period);
    if (auto hit = cache_.find(key)) return hit;
    std::map<std::string, double> params;
    if (!info->params.empty()) params[info->params[0].name] = period;
    TL_ASSIGN_OR_RETURN(auto ind, indicators::make_indicator("atr", params));
    const auto* leg = legs_[0];
    indicators::InputSeries in;
    in.ts = leg->ts;
    in.open = leg->open;
    in.high = leg->high;
    in.low = leg->low;
    in.close = leg->close;
    in.volume = leg->volume;
    IndicatorCache::Columns cols(ind->num_outputs(), std::vector<double>(n_));
    std::vector<std::span<double>> outs(cols.begin(), cols.end());
    ind->compute(in, outs);
    return cache_.insert(key, std::move(cols));
  }

 private:
  const Node& node(int i) const { return p_.nodes[static_cast<std::size_t>(i)]; }
  double scalar(int i) const { return scalars_[static_cast<std::size_t>(i)]; }

  double* new_numbers(int i) {
    auto& v = num_store_[static_cast<std::size_t>(i)];
    if (v.size() != n_) v = buffer_pool().take<double>(n_);
    num_[static_cast<std::size_t>(i)] = v.data();
    return v.data();
  }
  std::uint8_t* new_bits(int i) {
    auto& v = bit_store_[static_cast<std::size_t>(i)];
    if (v.size() != n_) v = buffer_pool().take<std::uint8_t>(n_);
    bits_[static_cast<std::size_t>(i)] = v.data();
    return v.data();
  }

  // A number kid as an array (scalars broadcast into a scratch array).
  const double* numbers(int k) {
    if (node(k).series) return num_[static_cast<std::size_t>(k)];
    auto& v = num_store_[static_cast<std::size_t>(k)];
    if (v.size() != n_) {
      v = buffer_pool().take<double>(n_);
      std::fill(v.begin(), v.end(), scalar(k));
      num_[static_cast<std::size_t>(k)] = v.data();
    }
    return v.data();
  }
  const std::uint8_t* booleans(int k) {
    if (node(k).series) return bits_[static_cast<std::size_t>(k)];
    auto& v = bit_store_[static_cast<std::size_t>(k)];
    if (v.size() != n_) {
      v = buffer_pool().take<std::uint8_t>(n_);
      std::fill(v.begin(), v.end(), scalar(k) != 0 ? 1 : 0);
      bits_[static_cast<std::size_t>(k)] = v.data();
    }
    return v.data();
  }

  // out[t] = f(a[t], b[t]) with scalars broadcast; the loops stay branch-free per bar.
  template <typename Out, typename F>
  void zip(int a, int b, Out* out, F f) {
    const bool sa = node(a).series, sb = node(b).series;
    if (sa && sb) {
      const double* x = num_[static_cast<std::size_t>(a)];
      const double* y = num_[static_cast<std::size_t>(b)];
      for (std::size_t t = 0; t < n_; ++t) out[t] = f(x[t], y[t]);
    } else if (sa) {
      const double* x = num_[static_cast<std::size_t>(a)];
      const double y = scalar(b);
      for (std::size_t t = 0; t < n_; ++t) out[t] = f(x[t], y);
    } else {
      const double x = scalar(a);
      const double* y = num_[static_cast<std::size_t>(b)];
      for (std::size_t t = 0; t < n_; ++t) out[t] = f(x, y[t]);
    }
  }

  template <typename F>
  void zip_bits(int a, int b, std::uint8_t* out, F f) {
    const std::uint8_t* x = booleans(a);
    const std::uint8_t* y = booleans(b);
    for (std::size_t t = 0; t < n_; ++t) out[t] = f(x[t], y[t]);
  }

  std::size_t count_arg(int k) const { return static_cast<std::size_t>(scalar(k)); }

  const double* field(const Node& n, int i) {
    const data::BarSeries& leg = *legs_[static_cast<std::size_t>(n.leg)];
    switch (static_cast<internal::Field>(n.index)) {
      case internal::Field::kOpen:
        return leg.open.data();
      case internal::Field::kHigh:
        return leg.high.data();
      case internal::Field::kLow:
        return leg.low.data();
      case internal::Field::kClose:
        return leg.close.data();
      case internal::Field::kVolume:
        return leg.volume.data();
      case internal::Field::kHl2: {
        double* out = new_numbers(i);
        for (std::size_t t = 0; t < n_; ++t) out[t] = (leg.high[t] + leg.low[t]) / 2;
        return out;
      }
      case internal::Field::kHlc3: {
        double* out = new_numbers(i);
        for (std::size_t t = 0; t < n_; ++t) out[t] = (leg.high[t] + leg.low[t] + leg.close[t]) / 3;
        return out;
      }
      case internal::Field::kOhlc4: {
        double* out = new_numbers(i);
        for (std::size_t t = 0; t < n_; ++t)
          out[t] = (leg.open[t] + leg.high[t] + leg.low[t] + leg.close[t]) / 4;
        return out;
      }
    }
    return nullptr;
  }

  Status indicator(int i) {
    const Node& n = node(i);
    std::string key = internal::indicator_key(p_, i, scalars_);
    if (!shared_cache_) {
      for (const auto& [k, c] : local_) {
        if (k == key) {
          num_[static_cast<std::size_t>(i)] = c[static_cast<std::size_t>(n.index)].data();
          return ok_status();
        }
      }
    } else {
      key.insert(0, data_key_);
    }
    std::shared_ptr<const IndicatorCache::Columns> cols = shared_cache_ ? cache_.find(key) : nullptr;
    if (!cols) {
      const indicators::Indicator* ind = made_[static_cast<std::size_t>(i)].get();
      if (ind == nullptr) return Error::internal(fmt::format("{}: indicator not prepared", n.path));
      // Bind inputs by name; compute from the first bar where every input is a number (as TA-Lib's
      // Python wrapper does), so ema(rsi(close, 14), 9) is not NaN forever.
      std::vector<const double*> in_ptr(static_cast<std::size_t>(n.num_inputs));
      std::size_t start = 0;
      for (int k = 0; k < n.num_inputs; ++k) {
        in_ptr[static_cast<std::size_t>(k)] = numbers(n.kids[static_cast<std::size_t>(k)]);
      }
      while (start < n_ && std::any_of(in_ptr.begin(), in_ptr.end(),
                                       [&](const double* x) { return std::isnan(x[start]); })) {
        ++start;
      }
      const std::size_t len = n_ - start;
      IndicatorCache::Columns out(ind->num_outputs());
      for (auto& c : out) {
        // The indicator writes [start, n); only the head is filled here.
        c = shared_cache_ ? std::vector<double>(n_) : buffer_pool().take<double>(n_);
        std::fill(c.begin(), c.begin() + static_cast<std::ptrdiff_t>(start), kNaN);
      }
      if (len > 0) {
        indicators::InputSeries in;
        in.ts = std::span<const Timestamp>(legs_[0]->ts).subspan(start, len);
        for (int k = 0; k < n.num_inputs; ++k) {
          const std::span<const double> s(in_ptr[static_cast<std::size_t>(k)] + start, len);
          const std::string& name = n.info->inputs[static_cast<std::size_t>(k)];
          if (name == "open")
            in.open = s;
          else if (name == "high")
            in.high = s;
          else if (name == "low")
            in.low = s;
          else if (name == "close")
            in.close = s;
          else if (name == "volume")
            in.volume = s;
          else if (name == "real")
            in.real = s;
          else if (name == "real0")
            in.real0 = s;
          else if (name == "real1")
            in.real1 = s;
        }
        std::vector<std::span<double>> spans;
        for (auto& c : out) spans.emplace_back(c.data() + start, len);
        ind->compute(in, spans);
      }
      if (!shared_cache_) {
        local_.emplace_back(std::move(key), std::move(out));
        num_[static_cast<std::size_t>(i)] = local_.back().second[static_cast<std::size_t>(n.index)].data();
        return ok_status();
      }
      cols = cache_.insert(key, std::move(out));
    }
    num_[static_cast<std::size_t>(i)] = (*cols)[static_cast<std::size_t>(n.index)].data();
    held_[static_cast<std::size_t>(i)] = std::move(cols);
    return ok_status();
  }

  Status eval(int i) {
    const Node& n = node(i);
    const auto& k = n.kids;
    switch (n.op) {
      case Op::kField:
        num_[static_cast<std::size_t>(i)] = field(n, i);
        return ok_status();
      case Op::kSeriesRef:
        num_[static_cast<std::size_t>(i)] = num_[static_cast<std::size_t>(k[0])];
        bits_[static_cast<std::size_t>(i)] = bits_[static_cast<std::size_t>(k[0])];
        return ok_status();
      case Op::kIndicator:
        return indicator(i);
      case Op::kNeg: {
        const double* x = num_[static_cast<std::size_t>(k[0])];
        double* out = new_numbers(i);
        for (std::size_t t = 0; t < n_; ++t) out[t] = -x[t];
        return ok_status();
      }
      case Op::kNot: {
        const std::uint8_t* x = bits_[static_cast<std::size_t>(k[0])];
        std::uint8_t* out = new_bits(i);
        for (std::size_t t = 0; t < n_; ++t) out[t] = x[t] ^ 1;
        return ok_status();
      }
      case Op::kAdd:
        zip(k[0], k[1], new_numbers(i), [](double a, double b) { return a + b; });
        return ok_status();
      case Op::kSub:
        zip(k[0], k[1], new_numbers(i), [](double a, double b) { return a - b; });
        return ok_status();
      case Op::kMul:
        zip(k[0], k[1], new_numbers(i), [](double a, double b) { return a * b; });
        return ok_status();
      case Op::kDiv:
        zip(k[0], k[1], new_numbers(i), [](double a, double b) { return a / b; });
        return ok_status();
      case Op::kGt:
        zip(k[0], k[1], new_bits(i), [](double a, double b) -> std::uint8_t { return a > b; });
        return ok_status();
      case Op::kGe:
        zip(k[0], k[1], new_bits(i), [](double a, double b) -> std::uint8_t { return a >= b; });
        return ok_status();
      case Op::kLt:
        zip(k[0], k[1], new_bits(i), [](double a, double b) -> std::uint8_t { return a < b; });
        return ok_status();
      case Op::kLe:
        zip(k[0], k[1], new_bits(i), [](double a, double b) -> std::uint8_t { return a <= b; });
        return ok_status();
      case Op::kEq:
      case Op::kNe: {
        const bool eq = n.op == Op::kEq;
        if (node(k[0]).type == VType::kBool) {
          zip_bits(k[0], k[1], new_bits(i),
                   [eq](std::uint8_t a, std::uint8_t b) -> std::uint8_t { return (a == b) == eq; });
        } else {
          zip(k[0], k[1], new_bits(i), [eq](double a, double b) -> std::uint8_t { return (a == b) == eq; });
        }
        return ok_status();
      }
      case Op::kAnd:
        zip_bits(k[0], k[1], new_bits(i),
                 [](std::uint8_t a, std::uint8_t b) -> std::uint8_t { return a & b; });
        return ok_status();
      case Op::kOr:
        zip_bits(k[0], k[1], new_bits(i),
                 [](std::uint8_t a, std::uint8_t b) -> std::uint8_t { return a | b; });
        return ok_status();
      case Op::kAgo: {
        const std::size_t lag = std::min(count_arg(k[1]), n_);
        if (n.type == VType::kBool) {
          const std::uint8_t* x = bits_[static_cast<std::size_t>(k[0])];
          std::uint8_t* out = new_bits(i);
          std::fill(out, out + lag, 0);
          std::copy(x, x + (n_ - lag), out + lag);
        } else {
          const double* x = num_[static_cast<std::size_t>(k[0])];
          double* out = new_numbers(i);
          std::fill(out, out + lag, kNaN);
          std::copy(x, x + (n_ - lag), out + lag);
        }
        return ok_status();
      }
      case Op::kCrossAbove:
      case Op::kCrossBelow: {
        // Strict on both bars, as backtesting.py's crossover() and the built-in sma_cross: a touch
        // (a == b) on the previous bar is not a cross.
        const double* a = numbers(k[0]);
        const double* b = numbers(k[1]);
        std::uint8_t* out = new_bits(i);
        if (n_ == 0) return ok_status();
        out[0] = 0;
        // The previous bar's values stay in registers: `out` is a byte array, which may alias
        // anything, so a[t - 1] would otherwise be reloaded after every store.
        if (n.op == Op::kCrossAbove) {
          cross_loop(a, b, out, n_);
        } else {
          cross_loop(b, a, out, n_);
        }
        return ok_status();
      }
      case Op::kRising:
      case Op::kFalling: {
        // rising(x, n): x above every one of the n bars before it (highest of x[1..n]).
        const double* x = numbers(k[0]);
        const std::size_t w = count_arg(k[1]);
        scratch_.resize(n_);
        const bool up = n.op == Op::kRising;
        rolling_extreme(x, n_, w, up, scratch_.data(), deque_);
        std::uint8_t* out = new_bits(i);
        if (n_ == 0) return ok_status();
        out[0] = 0;
        for (std::size_t t = 1; t < n_; ++t) out[t] = up ? x[t] > scratch_[t - 1] : x[t] < scratch_[t - 1];
        return ok_status();
      }
      case Op::kHighest:
      case Op::kLowest:
        rolling_extreme(numbers(k[0]), n_, count_arg(k[1]), n.op == Op::kHighest, new_numbers(i), deque_);
        return ok_status();
      case Op::kAbs: {
        const double* x = num_[static_cast<std::size_t>(k[0])];
        double* out = new_numbers(i);
        for (std::size_t t = 0; t < n_; ++t) out[t] = std::fabs(x[t]);
        return ok_status();
      }
      case Op::kMin:
      case Op::kMax: {
        // NaN in any argument gives NaN (std::fmin would hide it).
        double* out = new_numbers(i);
        const double* first = numbers(k[0]);
        std::copy(first, first + n_, out);
        const bool lo = n.op == Op::kMin;
        for (std::size_t a = 1; a < k.size(); ++a) {
          const double* x = numbers(k[a]);
          for (std::size_t t = 0; t < n_; ++t) {
            const double v = out[t], w = x[t];
            out[t] = (std::isnan(v) || std::isnan(w)) ? kNaN : (lo ? (w < v ? w : v) : (w > v ? w : v));
          }
        }
        return ok_status();
      }
      case Op::kOlsSlope:
        rolling_ols_slope(numbers(k[0]), numbers(k[1]), n_, count_arg(k[2]), new_numbers(i));
        return ok_status();
      default:
        return Error::internal(
            fmt::format("{}: node kind {} is not a series", n.path, static_cast<int>(n.op)));
    }
  }

  const Program& p_;
  std::span<const double> scalars_;
  std::vector<std::unique_ptr<indicators::Indicator>>& made_;
  std::span<const data::BarSeries* const> legs_;
  IndicatorCache& cache_;
  bool shared_cache_;
  std::size_t n_;
  // Indicators of this run when no shared cache is given: (key, columns), pooled buffers.
  std::vector<std::pair<std::string, IndicatorCache::Columns>> local_;
  std::string data_key_;
  std::vector<const double*> num_;
  std::vector<const std::uint8_t*> bits_;
  std::vector<std::vector<double>> num_store_;
  std::vector<std::vector<std::uint8_t>> bit_store_;
  std::vector<std::shared_ptr<const IndicatorCache::Columns>> held_;
  std::vector<double> scratch_;
  std::vector<std::size_t> deque_;
};

Status check_legs(const Program& p, std::span<const data::BarSeries* const> legs) {
  const std::size_t want = std::max<std::size_t>(1, p.spec.legs.size());
  if (legs.size() != want) {
    return Error::invalid_argument(
        fmt::format("{}: the spec trades {} instrument(s) but {} data series were given",
                    p.spec.name.empty() ? "strategy" : p.spec.name, want, legs.size()));
  }
  for (std::size_t l = 0; l < legs.size(); ++l) {
    if (legs[l] == nullptr) return Error::invalid_argument(fmt::format("data series {} is missing", l));
    const auto& b = *legs[l];
    const std::size_t n = b.size();
    if (b.open.size() != n || b.high.size() != n || b.low.size() != n || b.close.size() != n ||
        b.volume.size() != n) {
      return Error::invalid_argument(
          fmt::format("data series {} ('{}'): columns have different lengths", l, b.symbol));
    }
  }
  for (std::size_t l = 1; l < legs.size(); ++l) {
    const auto& a = *legs[0];
    const auto& b = *legs[l];
    const std::string& na = p.spec.legs[0];
    const std::string& nb = p.spec.legs[l];
    if (a.size() != b.size()) {
      return Error::invalid_argument(
          fmt::format("legs '{}' ({} bars) and '{}' ({} bars) are not aligned: align them "
                      "on one time axis first",
                      na, a.size(), nb, b.size()));
    }
    for (std::size_t t = 0; t < a.size(); ++t) {
      if (a.ts[t] != b.ts[t]) {
        return Error::invalid_argument(
            fmt::format("legs '{}' and '{}' are not aligned: bar {} is {} in '{}' and {} in '{}'", na, nb, t,
                        format_time(a.ts[t]), na, format_time(b.ts[t]), nb));
      }
    }
  }
  return ok_status();
}

void mark(const Program& p, int root, std::vector<std::uint8_t>& need) {
  if (root < 0 || need[static_cast<std::size_t>(root)] != 0) return;
  need[static_cast<std::size_t>(root)] = 1;
  for (int k : p.nodes[static_cast<std::size_t>(root)].kids) mark(p, k, need);
}

std::vector<std::uint8_t> entry_filter(const TimeFilter& f, const std::vector<Timestamp>& ts) {
  std::vector<std::uint8_t> out(ts.size());
  const Timestamp offset = static_cast<Timestamp>(f.utc_offset_minutes) * kNanosPerMinute;
  for (std::size_t t = 0; t < ts.size(); ++t) {
    const Timestamp local = ts[t] + offset;
    const int day = weekday(local);
    bool ok = ((f.weekdays >> day) & 1) != 0;
    if (ok && !f.sessions.empty()) {
      const int minute = static_cast<int>((local - floor_day(local)) / kNanosPerMinute);
      ok = false;
      for (const auto& [a, b] : f.sessions) {
        if (a < b ? (minute >= a && minute < b) : (minute >= a || minute < b)) ok = true;
      }
    }
    out[t] = ok ? 1 : 0;
  }
  return out;
}

}  // namespace

// ---- SpecProgram ----

Result<SpecProgram> SpecProgram::create(const Spec& spec) {
  std::vector<SpecIssue> issues;
  std::shared_ptr<Program> program = internal::analyze(spec, issues);
  if (!issues.empty()) {
    std::string message;
    for (const auto& issue : issues) {
      internal::append_joined(message, "\n",
                              (spec.origin.empty() ? "" : spec.origin + ": ") + issue.to_string());
    }
    return Error::invalid_argument(message);
  }
  SpecProgram out;
  out.program_ = std::move(program);
  return out;
}

const Spec& SpecProgram::spec() const {
  return program_->spec;
}

std::size_t SpecProgram::num_legs() const {
  return std::max<std::size_t>(1, program_->spec.legs.size());
}

std::vector<double> SpecProgram::default_values() const {
  return internal::spec_values(program_->spec);
}

int SpecProgram::parameter_index(std::string_view name) const {
  const auto& params = program_->spec.parameters;
  for (std::size_t i = 0; i < params.size(); ++i) {
    if (params[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

Status SpecProgram::check(std::span<const double> values) const {
  std::vector<double> scalars;
  return internal::evaluate_scalars(*program_, values, scalars, nullptr);
}

Result<SignalPlan> SpecProgram::run(std::span<const double> values,
                                    std::span<const data::BarSeries* const> legs,
                                    IndicatorCache* cache) const {
  const Program& p = *program_;
  TL_TRY(check_legs(p, legs));
  std::vector<double> scalars;
  std::vector<std::unique_ptr<indicators::Indicator>> made;
  TL_TRY(internal::evaluate_scalars(p, values, scalars, &made));
  std::unique_ptr<IndicatorCache> local;
  const bool shared = cache != nullptr;
  if (!shared) {
    local = std::make_unique<IndicatorCache>();
    cache = local.get();
  }
  Evaluator ev(p, scalars, made, legs, *cache, shared);
  TL_TRY(ev.run(p.used));

  SignalPlan plan;
  plan.bars = legs[0]->size();
  plan.warmup_bars = ev.warmup(p.used);
  std::vector<std::uint8_t>* flags[4] = {&plan.long_entry, &plan.long_exit, &plan.short_entry,
                                         &plan.short_exit};
  for (int r = 0; r < 4; ++r) {
    if (p.roots[r] >= 0) ev.bits_at(p.roots[r], *flags[r]);
  }
  if (p.roots[internal::kHedgeRatio] >= 0) ev.number_at(p.roots[internal::kHedgeRatio], plan.hedge_ratio);

  const Spec& spec = p.spec;
  const StopSpec* stops[3] = {&spec.exits.stop_loss, &spec.exits.take_profit, &spec.exits.trailing_stop};
  double* pct[3] = {&plan.exits.stop_loss_pct, &plan.exits.take_profit_pct, &plan.exits.trailing_stop_pct};
  double* atr[3] = {&plan.exits.stop_loss_atr, &plan.exits.take_profit_atr, &plan.exits.trailing_stop_atr};
  bool uses_atr = false;
  for (int s = 0; s < 3; ++s) {
    if (stops[s]->unit == StopUnit::kNone) continue;
    const double v = scalars[static_cast<std::size_t>(p.stop_amount[s])];
    if (stops[s]->unit == StopUnit::kPercent) {
      *pct[s] = v;
    } else {
      *atr[s] = v;
      uses_atr = true;
    }
  }
  if (uses_atr) {
    const int period =
        p.atr_period >= 0 ? static_cast<int>(scalars[static_cast<std::size_t>(p.atr_period)]) : 14;
    TL_ASSIGN_OR_RETURN(auto cols, ev.atr(period));
    plan.exits.atr = (*cols)[0];
  }
  if (p.cooldown >= 0)
    plan.exits.cooldown_bars = static_cast<int>(scalars[static_cast<std::size_t>(p.cooldown)]);
  if (!spec.sizing.method.empty()) {
    plan.sizing = spec.sizing.method;
    if (p.sizing_value >= 0) {
      plan.sizing += ":" + internal::format_number(scalars[static_cast<std::size_t>(p.sizing_value)]);
    }
  }
  if (spec.filters.active()) plan.entry_allowed = entry_filter(spec.filters, legs[0]->ts);
  return plan;
}

Result<SignalPlan> SpecProgram::run(std::span<const data::BarSeries* const> legs,
                                    IndicatorCache* cache) const {
  const std::vector<double> values = default_values();
  return run(values, legs, cache);
}

Result<std::vector<double>> SpecProgram::series_values(std::string_view name, std::span<const double> values,
                                                       std::span<const data::BarSeries* const> legs,
                                                       IndicatorCache* cache) const {
  const Program& p = *program_;
  int root = -1;
  for (std::size_t i = 0; i < p.spec.series.size(); ++i) {
    if (p.spec.series[i].name == name) root = p.series_root[i];
  }
  for (int r = 0; r < internal::kNumRuleRoots; ++r) {
    if (internal::kRootNames[r] == name) root = p.roots[r];
  }
  if (root < 0) return Error::not_found(fmt::format("no series or rule named '{}' in this spec", name));
  TL_TRY(check_legs(p, legs));
  std::vector<double> scalars;
  std::vector<std::unique_ptr<indicators::Indicator>> made;
  TL_TRY(internal::evaluate_scalars(p, values, scalars, &made));
  std::unique_ptr<IndicatorCache> local;
  const bool shared = cache != nullptr;
  if (!shared) {
    local = std::make_unique<IndicatorCache>();
    cache = local.get();
  }
  std::vector<std::uint8_t> need(p.nodes.size(), 0);
  mark(p, root, need);
  Evaluator ev(p, scalars, made, legs, *cache, shared);
  TL_TRY(ev.run(need));
  std::vector<double> out;
  ev.number_at(root, out);
  return out;
}

Result<std::vector<data::BarSeries>> align_legs(std::span<const data::BarSeries* const> legs,
                                                std::vector<std::size_t>* dropped) {
  std::vector<data::BarSeries> out(legs.size());
  if (legs.empty()) return out;
  std::vector<std::size_t> pos(legs.size(), 0);
  for (std::size_t l = 0; l < legs.size(); ++l) {
    out[l].symbol = legs[l]->symbol;
    out[l].timeframe = legs[l]->timeframe;
    out[l].reserve(legs[l]->size());
  }
  // Merge walk: advance every leg to the largest current timestamp until they all agree.
  while (true) {
    Timestamp target = std::numeric_limits<Timestamp>::min();
    bool done = false;
    for (std::size_t l = 0; l < legs.size(); ++l) {
      if (pos[l] >= legs[l]->size()) {
        done = true;
      } else {
        target = std::max(target, legs[l]->ts[pos[l]]);
      }
    }
    if (done) break;
    bool all = true;
    for (std::size_t l = 0; l < legs.size(); ++l) {
      while (pos[l] < legs[l]->size() && legs[l]->ts[pos[l]] < target) ++pos[l];
      all = all && pos[l] < legs[l]->size() && legs[l]->ts[pos[l]] == target;
    }
    if (!all) continue;
    for (std::size_t l = 0; l < legs.size(); ++l) {
      const auto& b = *legs[l];
      const std::size_t i = pos[l]++;
      out[l].push_back(b.ts[i], b.open[i], b.high[i], b.low[i], b.close[i], b.volume[i]);
    }
  }
  if (dropped != nullptr) {
    dropped->clear();
    for (std::size_t l = 0; l < legs.size(); ++l) dropped->push_back(legs[l]->size() - out[l].size());
  }
  if (out[0].empty()) {
    std::string names;
    for (const auto* leg : legs)
      internal::append_joined(names, ", ", leg->symbol.empty() ? "?" : leg->symbol);
    return Error::invalid_argument(fmt::format("the data series ({}) have no timestamp in common", names));
  }
  return out;
}

Result<SignalPlan> compile(const Spec& spec, std::span<const data::BarSeries* const> legs,
                           IndicatorCache* cache) {
  TL_ASSIGN_OR_RETURN(SpecProgram program, SpecProgram::create(spec));
  return program.run(legs, cache);
}

Result<SignalPlan> compile(const Spec& spec, const data::BarSeries& bars, IndicatorCache* cache) {
  const data::BarSeries* legs[1] = {&bars};
  return compile(spec, legs, cache);
}

}  // namespace tradeloop::strategy
