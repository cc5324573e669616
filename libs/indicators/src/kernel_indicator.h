// Private: an Indicator built from one step kernel, so batch and streaming run the very same arithmetic
// and agree bit for bit (used by volume.cc, statistics.cc, patterns.cc, custom.cc).
//
// A kernel K is a copyable value type with
//   static constexpr int kInputs, kOutputs;      // input count == info.inputs.size()
//   explicit K(const ParamValues&);               // parameters already validated
//   int lookback() const;
//   void step(Timestamp ts, const double* in, double* out);  // in: values in info.inputs order
// step() writes NaN while it has no value and must not allocate (allocate in the constructor).
// Optionally a kernel also has
//   void batch(const double* const* in, double* const* out, std::size_t n);  // bars 0..n-1 of each input
// a tight loop doing exactly step()'s arithmetic (the contract test checks batch == streaming bit for
// bit); compute() then uses it from the first complete bar on.
//
// Leading bars where any input is NaN are skipped (output NaN, kernel not stepped), as TA-Lib's Python
// wrapper does: the series starts at its first complete bar. After that, NaN is fed to the kernel and
// propagates through its arithmetic (see docs/indicators-beyond-talib.md, "NaN").
#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "registry.h"

namespace tradeloop::indicators::internal {

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Where a kernel input comes from in a BarInput (resolved once, read every bar).
enum class BarSource : std::uint8_t { kOpen, kHigh, kLow, kClose, kVolume, kReal, kReal0, kReal1, kUnknown };

inline BarSource bar_source(std::string_view name) {
  if (name == "open") return BarSource::kOpen;
  if (name == "high") return BarSource::kHigh;
  if (name == "low") return BarSource::kLow;
  if (name == "close") return BarSource::kClose;
  if (name == "volume") return BarSource::kVolume;
  if (name == "real") return BarSource::kReal;
  if (name == "real0") return BarSource::kReal0;
  if (name == "real1") return BarSource::kReal1;
  return BarSource::kUnknown;
}

// The value of a source, with BarInput's fallbacks for unset (NaN) real / real0 (see indicator.h).
inline double read_bar(const BarInput& bar, BarSource source) {
  switch (source) {
    case BarSource::kOpen:
      return bar.open;
    case BarSource::kHigh:
      return bar.high;
    case BarSource::kLow:
      return bar.low;
    case BarSource::kClose:
      return bar.close;
    case BarSource::kVolume:
      return bar.volume;
    case BarSource::kReal:
      return !std::isnan(bar.real) ? bar.real : bar.close;
    case BarSource::kReal0:
      return !std::isnan(bar.real0) ? bar.real0 : (!std::isnan(bar.real) ? bar.real : bar.close);
    case BarSource::kReal1:
      return bar.real1;
    case BarSource::kUnknown:
      break;
  }
  return kNaN;
}

template <class K>
concept HasBatch = requires(K& k, const double* const* in, double* const* out, std::size_t n) {
  k.batch(in, out, n);
};

template <class K>
class KernelIndicator final : public Indicator {
 public:
  KernelIndicator(const IndicatorInfo* info, ParamValues params)
      : Indicator(info, std::move(params)), proto_(this->params()), live_(proto_) {
    TL_CHECK(static_cast<int>(info->inputs.size()) == K::kInputs, info->name, ": kernel input count");
    TL_CHECK(static_cast<int>(info->outputs.size()) == K::kOutputs, info->name, ": kernel output count");
    for (int j = 0; j < K::kInputs; ++j) {
      sources_[j] = bar_source(info->inputs[j]);
      TL_CHECK(sources_[j] != BarSource::kUnknown, info->name, ": unknown input ", info->inputs[j]);
    }
  }

  int lookback() const override { return proto_.lookback(); }

  void compute(const InputSeries& in, std::span<const std::span<double>> outputs) const override {
    const std::size_t n = in.size();
    std::array<const double*, K::kInputs> src{};
    for (int j = 0; j < K::kInputs; ++j) src[j] = in.get(info().inputs[j]).data();
    std::array<double*, K::kOutputs> dst{};
    for (int o = 0; o < K::kOutputs; ++o) dst[o] = outputs[o].data();
    const bool have_ts = in.ts.size() == n;

    K k = proto_;
    std::array<double, K::kInputs> x{};
    std::array<double, K::kOutputs> y{};
    std::size_t i = 0;
    for (; i < n; ++i) {  // leading incomplete bars
      bool complete = true;
      for (int j = 0; j < K::kInputs; ++j) complete = complete && !std::isnan(src[j][i]);
      if (complete) break;
      for (int o = 0; o < K::kOutputs; ++o) dst[o][i] = kNaN;
    }
    if constexpr (HasBatch<K>) {
      for (int j = 0; j < K::kInputs; ++j) src[j] += i;
      for (int o = 0; o < K::kOutputs; ++o) dst[o] += i;
      k.batch(src.data(), dst.data(), n - i);
      return;
    }
    for (; i < n; ++i) {
      for (int j = 0; j < K::kInputs; ++j) x[j] = src[j][i];
      k.step(have_ts ? in.ts[i] : Timestamp{0}, x.data(), y.data());
      for (int o = 0; o < K::kOutputs; ++o) dst[o][i] = y[o];
    }
  }

  void reset() override {
    live_ = proto_;
    started_ = false;
  }

  void update(const BarInput& bar, double* out) override {
    std::array<double, K::kInputs> x{};
    bool complete = true;
    for (int j = 0; j < K::kInputs; ++j) {
      x[j] = read_bar(bar, sources_[j]);
      complete = complete && !std::isnan(x[j]);
    }
    if (!started_ && !complete) {
      for (int o = 0; o < K::kOutputs; ++o) out[o] = kNaN;
      return;
    }
    started_ = true;
    live_.step(bar.ts, x.data(), out);
  }

 private:
  K proto_;
  K live_;
  bool started_ = false;
  std::array<BarSource, K::kInputs> sources_{};
};

template <class K>
std::unique_ptr<Indicator> make_kernel_indicator(const IndicatorInfo* info, ParamValues params) {
  return std::make_unique<KernelIndicator<K>>(info, std::move(params));
}

// Fixed-capacity ring of the last `capacity` values (allocated once, never in push()).
class Ring {
 public:
  explicit Ring(std::size_t capacity = 1) : data_(capacity == 0 ? 1 : capacity) {}
  void clear() {
    size_ = 0;
    head_ = 0;
  }
  void push(double v) {
    head_ = head_ + 1 == data_.size() ? 0 : head_ + 1;
    data_[head_] = v;
    if (size_ < data_.size()) ++size_;
  }
  // k-th most recent value (0 = the last pushed). REQUIRES: k < size().
  double back(std::size_t k) const { return data_[head_ >= k ? head_ - k : head_ + data_.size() - k]; }
  std::size_t size() const { return size_; }
  std::size_t capacity() const { return data_.size(); }
  bool full() const { return size_ == data_.size(); }

 private:
  std::vector<double> data_;
  std::size_t head_ = 0;
  std::size_t size_ = 0;
};

// Parameter helpers for registration tables.
inline ParamInfo int_param(std::string name, int default_value, int min, int max, std::string description) {
  return ParamInfo{std::move(name),          ParamType::kInt,          static_cast<double>(default_value),
                   static_cast<double>(min), static_cast<double>(max), std::move(description)};
}
inline ParamInfo real_param(std::string name, double default_value, double min, double max,
                            std::string description) {
  return ParamInfo{std::move(name), ParamType::kDouble, default_value, min, max, std::move(description)};
}

// TA-Lib's limits: TA_INTEGER_MAX-style period bound and TA_REAL_MIN / TA_REAL_MAX.
inline constexpr int kMaxPeriod = 100000;
inline constexpr double kRealMin = -3e37;
inline constexpr double kRealMax = 3e37;

// TA-Lib's "is zero" tests (ta_utility.h).
inline constexpr double kTaEpsilon = 0.00000000000001;
inline bool ta_is_zero(double v) {
  return -kTaEpsilon < v && v < kTaEpsilon;
}
inline bool ta_is_zero_or_neg(double v) {
  return v < kTaEpsilon;
}

}  // namespace tradeloop::indicators::internal
