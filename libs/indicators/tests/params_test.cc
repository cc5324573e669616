// Parameters, names and NaN: bad parameters give errors naming the indicator, parameter, value and
// limit; unknown names get a suggestion; our metadata equals TA-Lib's own (tests/golden/functions.tsv,
// dumped from TA-Lib's abstract interface); NaN in the input behaves as documented in
// docs/indicators.md.
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tradeloop/indicators/functions.h"
#include "tradeloop/indicators/indicator.h"

namespace tradeloop::indicators {
namespace {

using ::testing::HasSubstr;

std::string error_of(std::string_view name, const std::map<std::string, double>& params) {
  auto made = make_indicator(name, params);
  return made.ok() ? std::string("(no error)") : made.error().message();
}

TEST(IndicatorParams, PeriodBelowMinimumNamesParameterValueAndLimit) {
  EXPECT_EQ(error_of("rsi", {{"timeperiod", 1}}), "rsi: parameter 'timeperiod' = 1 is below its minimum 2");
  EXPECT_EQ(error_of("sma", {{"timeperiod", 0}}), "sma: parameter 'timeperiod' = 0 is below its minimum 2");
  EXPECT_EQ(error_of("atr", {{"timeperiod", 0}}), "atr: parameter 'timeperiod' = 0 is below its minimum 1");
  EXPECT_EQ(error_of("ema", {{"timeperiod", -5}}), "ema: parameter 'timeperiod' = -5 is below its minimum 2");
  EXPECT_THAT(error_of("stoch", {{"fastk_period", 0}}),
              HasSubstr("'fastk_period' = 0 is below its minimum 1"));
}

TEST(IndicatorParams, ValuesAboveMaximumAndNonIntegersAreRejected) {
  EXPECT_EQ(error_of("sma", {{"timeperiod", 100001}}),
            "sma: parameter 'timeperiod' = 100001 is above its maximum 100000");
  EXPECT_EQ(error_of("bbands", {{"matype", 9}}), "bbands: parameter 'matype' = 9 is above its maximum 8");
  EXPECT_EQ(error_of("mama", {{"fastlimit", 1.5}}),
            "mama: parameter 'fastlimit' = 1.5 is above its maximum 0.99");
  EXPECT_EQ(error_of("t3", {{"vfactor", -0.1}}), "t3: parameter 'vfactor' = -0.1 is below its minimum 0");
  EXPECT_EQ(error_of("rsi", {{"timeperiod", 14.5}}), "rsi: parameter 'timeperiod' = 14.5 must be an integer");
  EXPECT_THAT(error_of("sma", {{"timeperiod", std::numeric_limits<double>::quiet_NaN()}}),
              HasSubstr("is not a finite number"));
}

TEST(IndicatorParams, FastMustBeBelowSlow) {
  EXPECT_EQ(error_of("macd", {{"fastperiod", 26}, {"slowperiod", 12}}),
            "macd: parameter 'fastperiod' = 26 must be below 'slowperiod' = 12");
  EXPECT_EQ(error_of("macd", {{"fastperiod", 12}, {"slowperiod", 12}}),
            "macd: parameter 'fastperiod' = 12 must be below 'slowperiod' = 12");
  EXPECT_EQ(error_of("macdext", {{"fastperiod", 30}, {"slowperiod", 10}}),
            "macdext: parameter 'fastperiod' = 30 must be below 'slowperiod' = 10");
  EXPECT_EQ(error_of("ppo", {{"fastperiod", 10}, {"slowperiod", 5}}),
            "ppo: parameter 'fastperiod' = 10 must be below 'slowperiod' = 5");
  EXPECT_EQ(error_of("apo", {{"fastperiod", 26}}),
            "apo: parameter 'fastperiod' = 26 must be below 'slowperiod' = 26");
  EXPECT_TRUE(make_indicator("macd", {{"fastperiod", 5}, {"slowperiod", 6}}).ok());
}

TEST(IndicatorParams, UnknownParameterListsTheKnownOnes) {
  EXPECT_EQ(error_of("rsi", {{"period", 14}}), "rsi: unknown parameter 'period' (parameters: timeperiod)");
  EXPECT_EQ(error_of("bop", {{"timeperiod", 3}}), "bop: unknown parameter 'timeperiod' (parameters: none)");
}

TEST(IndicatorParams, UnknownIndicatorSuggestsAName) {
  EXPECT_EQ(error_of("rsii", {}), "unknown indicator 'rsii' (did you mean 'rsi'?)");
  EXPECT_EQ(error_of("macdd", {}), "unknown indicator 'macdd' (did you mean 'macd'?)");
  EXPECT_EQ(error_of("bbnads", {}), "unknown indicator 'bbnads' (did you mean 'bbands'?)");
  EXPECT_EQ(error_of("qqqqqqqqqq", {}), "unknown indicator 'qqqqqqqqqq'");
  auto made = make_indicator("rsii", {});
  ASSERT_FALSE(made.ok());
  EXPECT_EQ(made.error().code(), ErrorCode::kNotFound);
}

TEST(IndicatorParams, DefaultsAreTaLibsAndFillMissingNames) {
  auto rsi = make_indicator("rsi", {});
  ASSERT_TRUE(rsi.ok());
  EXPECT_EQ((*rsi)->params(), ParamValues{14});
  EXPECT_EQ((*rsi)->lookback(), 14);
  auto macd = make_indicator("macd", {{"signalperiod", 5}});
  ASSERT_TRUE(macd.ok());
  EXPECT_EQ((*macd)->params(), (ParamValues{12, 26, 5}));
  EXPECT_EQ((*macd)->lookback(), 25 + 4);
}

// ---- metadata against TA-Lib's own description of each function

struct TaLibFunction {
  std::vector<std::string> inputs, outputs;
  std::vector<std::vector<std::string>> params;  // name, type, default, min, max
  int lookback = 0;
};

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> out;
  std::string cell;
  std::stringstream ss(text);
  while (std::getline(ss, cell, sep)) out.push_back(cell);
  return out;
}

std::map<std::string, TaLibFunction> talib_functions() {
  std::map<std::string, TaLibFunction> out;
  std::ifstream in(std::string(TL_SOURCE_DIR) + "/libs/indicators/tests/golden/functions.tsv");
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    std::vector<std::string> f = split(line, '\t');
    f.resize(6);
    TaLibFunction fn;
    fn.inputs = split(f[2], ',');
    for (const auto& p : split(f[3], ',')) fn.params.push_back(split(p, ':'));
    fn.outputs = split(f[4], ',');
    fn.lookback = std::stoi(f[5]);
    out[f[0]] = fn;
  }
  return out;
}

TEST(IndicatorParams, MetadataEqualsTaLibsAbstractInterface) {
  const auto talib = talib_functions();
  ASSERT_GT(talib.size(), 150u);
  int compared = 0;
  for (const IndicatorInfo& info : list_indicators()) {
    auto it = talib.find(info.name);
    if (it == talib.end()) continue;  // beyond TA-Lib
    ++compared;
    const TaLibFunction& fn = it->second;
    EXPECT_EQ(info.inputs, fn.inputs) << info.name;
    if (fn.outputs.size() == 1) {
      EXPECT_EQ(info.outputs, std::vector<std::string>{info.name})
          << info.name << ": one output named as the indicator";
    } else {
      EXPECT_EQ(info.outputs, fn.outputs) << info.name;
    }
    ASSERT_EQ(info.params.size(), fn.params.size()) << info.name;
    for (std::size_t i = 0; i < fn.params.size(); ++i) {
      const ParamInfo& ours = info.params[i];
      const auto& theirs = fn.params[i];
      EXPECT_EQ(ours.name, theirs[0]) << info.name;
      EXPECT_EQ(ours.type == ParamType::kInt ? "int" : "double", theirs[1]) << info.name << " " << ours.name;
      EXPECT_EQ(ours.default_value, std::stod(theirs[2])) << info.name << " " << ours.name;
      EXPECT_EQ(ours.min, std::stod(theirs[3])) << info.name << " " << ours.name;
      EXPECT_EQ(ours.max, std::stod(theirs[4])) << info.name << " " << ours.name;
    }
    auto made = make_indicator(info.name, {});
    ASSERT_TRUE(made.ok()) << info.name;
    EXPECT_EQ((*made)->lookback(), fn.lookback) << info.name << ": default lookback";
  }
  EXPECT_GE(compared, 69);
}

// ---- NaN in the input (docs/indicators.md, "NaN in the input")

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::vector<double> ramp(std::size_t n) {
  std::vector<double> v(n);
  for (std::size_t i = 0; i < n; ++i)
    v[i] = 100.0 + static_cast<double>(i % 7) + 0.25 * static_cast<double>(i);
  return v;
}

TEST(IndicatorNaN, LeadingNaNBarsAreSkippedAndTheLookbackCountsFromTheFirstNumber) {
  std::vector<double> in = ramp(40);
  in[0] = in[1] = in[2] = kNaN;
  std::vector<double> out(in.size());
  sma(in, 5, out);
  for (std::size_t i = 0; i < 3 + 4; ++i) EXPECT_TRUE(std::isnan(out[i])) << i;
  EXPECT_DOUBLE_EQ(out[7], (in[3] + in[4] + in[5] + in[6] + in[7]) / 5);
  // Same as computing on the series without its leading NaN.
  std::vector<double> tail(in.begin() + 3, in.end()), tail_out(tail.size());
  sma(tail, 5, tail_out);
  for (std::size_t i = 0; i < tail.size(); ++i) {
    if (!std::isnan(tail_out[i])) {
      EXPECT_EQ(out[i + 3], tail_out[i]) << i;
    }
  }
}

TEST(IndicatorNaN, ANaNAfterTheStartPropagatesThroughRunningSumsForever) {
  std::vector<double> in = ramp(60);
  in[20] = kNaN;
  std::vector<double> out(in.size());
  sma(in, 5, out);
  EXPECT_FALSE(std::isnan(out[19]));
  for (std::size_t i = 20; i < in.size(); ++i) EXPECT_TRUE(std::isnan(out[i])) << i;  // the sum stays NaN
  ema(in, 5, out);
  EXPECT_FALSE(std::isnan(out[19]));
  for (std::size_t i = 20; i < in.size(); ++i) EXPECT_TRUE(std::isnan(out[i])) << i;
  rsi(in, 5, out);
  EXPECT_FALSE(std::isnan(out[19]));
  for (std::size_t i = 20; i < in.size(); ++i) EXPECT_TRUE(std::isnan(out[i])) << i;
}

TEST(IndicatorNaN, WindowScansRecoverOnceTheNaNLeavesTheWindow) {
  // midpoint rescans its window every bar, so a NaN affects only the windows that contain it; where
  // the NaN is not the window's first value TA-Lib's comparisons simply skip it.
  std::vector<double> in = ramp(60);
  in[20] = kNaN;
  std::vector<double> out(in.size());
  midpoint(in, 5, out);
  for (std::size_t i = 4; i < in.size(); ++i) {
    EXPECT_EQ(std::isnan(out[i]), i == 24) << i;  // only the window the NaN opens: lowest = highest = NaN
  }
}

}  // namespace
}  // namespace tradeloop::indicators
