// The contract every registered indicator keeps (the registry is iterated, so new indicators are
// covered automatically), on every OHLCV file of data/samples:
//   - StreamingEqualsBatch: update() bar by bar writes exactly (bit for bit) what compute() writes,
//     also with NaN bars in the input;
//   - IsReadyAfterLookback: the first value (in every output) is at index lookback(), none before;
//   - ResetsProperly: reset() then replaying the bars gives the same values again.
// Each indicator runs with its defaults and, where it has them, with every moving-average type and
// with shorter periods.
#include <cmath>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "sample_data.h"
#include "tradeloop/indicators/indicator.h"

namespace tradeloop::indicators {
namespace {

using testing::bar_input;
using testing::input_series;
using testing::ohlcv_sample_names;
using testing::sample_bars;

struct Variant {
  std::string indicator;
  std::map<std::string, double> params;  // empty = defaults
  std::string label;
};

void PrintTo(const Variant& v, std::ostream* os) {
  *os << v.label;
}

// Defaults; every MA type for each matype parameter; every int parameter lowered (periods of 2-5 make
// the warm-up paths and the window edges run often).
std::vector<Variant> variants() {
  std::vector<Variant> out;
  for (const IndicatorInfo& info : list_indicators()) {
    out.push_back({info.name, {}, info.name});
    for (const ParamInfo& p : info.params) {
      if (p.name.find("matype") == std::string::npos) continue;
      for (int type = 1; type <= 8; ++type) {
        out.push_back({info.name, {{p.name, type}}, info.name + "_" + p.name + "_" + std::to_string(type)});
      }
    }
    std::map<std::string, double> shorter;
    int rank = 0;
    for (const ParamInfo& p : info.params) {
      if (p.type != ParamType::kInt || p.name.find("matype") != std::string::npos || p.max <= 8) continue;
      shorter[p.name] = std::max(p.min, std::min(p.default_value, 2.0 + rank++));  // keeps fast < slow
    }
    if (!shorter.empty() && make_indicator(info.name, shorter).ok()) {
      out.push_back({info.name, shorter, info.name + "_short"});
    }
  }
  return out;
}

std::unique_ptr<Indicator> make(const Variant& v) {
  auto made = make_indicator(v.indicator, v.params);
  EXPECT_TRUE(made.ok()) << v.label << ": " << (made.ok() ? "" : made.error().message());
  return made.ok() ? std::move(*made) : nullptr;
}

std::vector<std::vector<double>> batch(const Indicator& ind, const InputSeries& in) {
  std::vector<std::vector<double>> out(ind.num_outputs(), std::vector<double>(in.size()));
  std::vector<std::span<double>> spans(out.begin(), out.end());
  ind.compute(in, spans);
  return out;
}

std::vector<std::vector<double>> stream(Indicator& ind, const data::BarSeries& bars) {
  std::vector<std::vector<double>> out(ind.num_outputs(), std::vector<double>(bars.size()));
  std::vector<double> row(ind.num_outputs());
  for (std::size_t i = 0; i < bars.size(); ++i) {
    ind.update(bar_input(bars, i), row.data());
    for (std::size_t k = 0; k < row.size(); ++k) out[k][i] = row[k];
  }
  return out;
}

bool same_bits(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return std::memcmp(&a, &b, sizeof a) == 0;
}

// First mismatching row, or -1.
long first_difference(const std::vector<std::vector<double>>& a, const std::vector<std::vector<double>>& b,
                      std::size_t* column) {
  for (std::size_t k = 0; k < a.size(); ++k) {
    for (std::size_t i = 0; i < a[k].size(); ++i) {
      if (!same_bits(a[k][i], b[k][i])) {
        *column = k;
        return static_cast<long>(i);
      }
    }
  }
  return -1;
}

// The bars with rows 300 and 301 set to NaN in every column.
data::BarSeries with_nan_rows(data::BarSeries bars) {
  for (std::size_t r : {300u, 301u}) {
    if (r >= bars.size()) continue;
    for (auto* col : {&bars.open, &bars.high, &bars.low, &bars.close, &bars.volume}) (*col)[r] = std::nan("");
  }
  return bars;
}

class IndicatorContract : public ::testing::TestWithParam<Variant> {};

TEST_P(IndicatorContract, StreamingEqualsBatch) {
  const Variant& v = GetParam();
  for (const std::string& file : ohlcv_sample_names()) {
    for (bool nan_rows : {false, true}) {
      if (nan_rows && file != "GOOG-1d") continue;  // NaN bars on one file keep the ASan run short
      const data::BarSeries bars = nan_rows ? with_nan_rows(sample_bars(file)) : sample_bars(file);
      auto ind = make(v);
      ASSERT_NE(ind, nullptr);
      const auto expected = batch(*ind, input_series(bars));
      const auto streamed = stream(*ind, bars);
      std::size_t column = 0;
      const long row = first_difference(expected, streamed, &column);
      EXPECT_EQ(row, -1) << v.label << " on " << file << (nan_rows ? " with NaN rows" : "") << ": output '"
                         << ind->info().outputs[column] << "' row " << row << ": batch "
                         << expected[column][static_cast<std::size_t>(row)] << ", streaming "
                         << streamed[column][static_cast<std::size_t>(row)];
    }
  }
}

TEST_P(IndicatorContract, IsReadyAfterLookback) {
  const Variant& v = GetParam();
  for (const std::string& file : ohlcv_sample_names()) {
    const data::BarSeries& bars = sample_bars(file);
    auto ind = make(v);
    ASSERT_NE(ind, nullptr);
    const int lookback = ind->lookback();
    ASSERT_GE(lookback, 0);
    if (static_cast<std::size_t>(lookback) >= bars.size()) continue;
    const auto out = batch(*ind, input_series(bars));
    for (std::size_t k = 0; k < out.size(); ++k) {
      for (int i = 0; i < lookback; ++i) {
        ASSERT_TRUE(std::isnan(out[k][static_cast<std::size_t>(i)]))
            << v.label << " on " << file << ": output '" << ind->info().outputs[k] << "' has a value at row "
            << i << " before its lookback " << lookback;
      }
      EXPECT_FALSE(std::isnan(out[k][static_cast<std::size_t>(lookback)]))
          << v.label << " on " << file << ": output '" << ind->info().outputs[k]
          << "' has no value at its lookback " << lookback;
    }
  }
}

TEST_P(IndicatorContract, ResetsProperly) {
  const Variant& v = GetParam();
  for (const std::string& file : ohlcv_sample_names()) {
    const data::BarSeries& bars = sample_bars(file);
    auto ind = make(v);
    ASSERT_NE(ind, nullptr);
    const auto first = stream(*ind, bars);
    ind->reset();
    const auto second = stream(*ind, bars);
    std::size_t column = 0;
    EXPECT_EQ(first_difference(first, second, &column), -1) << v.label << " on " << file;
  }
}

std::string variant_name(const ::testing::TestParamInfo<Variant>& info) {
  return info.param.label;
}

INSTANTIATE_TEST_SUITE_P(Registry, IndicatorContract, ::testing::ValuesIn(variants()), variant_name);

TEST(IndicatorContract, StreamingRealInputFallsBackToClose) {
  const data::BarSeries& bars = sample_bars("GOOG-1d");
  for (const char* name : {"sma", "rsi", "macd", "bbands"}) {
    auto ind = make_indicator(name, {});
    ASSERT_TRUE(ind.ok());
    const auto expected = batch(**ind, input_series(bars));  // real = close
    std::vector<double> row((*ind)->num_outputs());
    for (std::size_t i = 0; i < bars.size(); ++i) {
      BarInput bar;  // real, real0, real1 not set
      bar.ts = bars.ts[i];
      bar.open = bars.open[i];
      bar.high = bars.high[i];
      bar.low = bars.low[i];
      bar.close = bars.close[i];
      bar.volume = bars.volume[i];
      EXPECT_EQ(bar.get("real"), bar.close);
      EXPECT_EQ(bar.get("real0"), bar.close);
      EXPECT_TRUE(std::isnan(bar.get("real1")));
      (*ind)->update(bar, row.data());
      for (std::size_t k = 0; k < row.size(); ++k)
        ASSERT_TRUE(same_bits(row[k], expected[k][i])) << name << " " << i;
    }
  }
}

TEST(IndicatorContract, RunsOnEveryOhlcvSampleFile) {
  const auto names = ohlcv_sample_names();
  EXPECT_GE(names.size(), 4u);
  for (const auto& name : names) EXPECT_GT(sample_bars(name).size(), 1000u) << name;
}

}  // namespace
}  // namespace tradeloop::indicators
