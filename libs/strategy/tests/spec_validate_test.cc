#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "tradeloop/strategy/spec.h"

namespace tradeloop::strategy {
namespace {

using ::testing::HasSubstr;

// A single-instrument spec with the given rule and parameters (JSON fragments).
std::string spec_with(
    const std::string& long_entry,
    const std::string& params = R"~("fast": {"type": "int", "default": 10, "min": 2, "max": 200},
                                                      "slow": {"type": "int", "default": 30, "min": 2, "max": 400})~",
    const std::string& extra = "") {
  return R"~({"name": "t", "parameters": {)~" + params + R"~(}, "rules": {"long_entry": )~" + long_entry +
         "}" + extra + "}";
}

std::string first_error(const std::string& json) {
  auto r = parse_spec(json, "t.json");
  EXPECT_FALSE(r.ok()) << json;
  return r.ok() ? std::string() : r.error().message();
}

TEST(SpecValidation, AcceptsTheSmaCross) {
  auto r = parse_spec(spec_with(R"~("crosses_above(sma(close, fast), sma(close, slow))")~"), "t.json");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->parameters.size(), 2u);
  EXPECT_EQ(r->parameters[0].name, "fast");
  EXPECT_TRUE(r->long_entry.has_value());
}

TEST(SpecValidation, UnknownIndicatorNamesPathColumnAndSuggestion) {
  EXPECT_EQ(first_error(spec_with(R"~("crosses_above(smaa(close, fast), sma(close, slow))")~")),
            "t.json: rules.long_entry: col 14: unknown indicator 'smaa' (did you mean 'sma'?)");
}

TEST(SpecValidation, UnknownNamesSuggestTheClosest) {
  EXPECT_EQ(first_error(spec_with(R"~("sma(close, fsat) > close")~")),
            "t.json: rules.long_entry: col 11: unknown name 'fsat' (did you mean 'fast'?)");
  EXPECT_EQ(first_error(spec_with(R"~("sma(clos, 10) > close")~")),
            "t.json: rules.long_entry: col 4: unknown name 'clos' (did you mean 'close'?)");
}

TEST(SpecValidation, TypeErrorsSayWhatWasExpected) {
  EXPECT_EQ(first_error(spec_with(R"~("sma(close, fast)")~")),
            "t.json: rules.long_entry: col 0: expected a condition (true/false), found a number series");
  EXPECT_EQ(
      first_error(spec_with(R"~("close > 1 + (close > 2)")~")),
      "t.json: rules.long_entry: col 19: operator '+' expects numbers, but its right operand is a condition");
  EXPECT_EQ(
      first_error(spec_with(R"~("close and close > 1")~")),
      "t.json: rules.long_entry: col 0: 'and' expects conditions, but its left operand is a number series");
  EXPECT_EQ(
      first_error(spec_with(R"~("sma(close, close) > 1")~")),
      "t.json: rules.long_entry: col 11: parameter 'timeperiod' of sma must be a constant (a number or a "
      "parameter), found a number series");
  EXPECT_EQ(first_error(spec_with(R"~("sma(close, 5, 6) > 1")~")),
            "t.json: rules.long_entry: col 14: sma takes at most 1 parameter(s) (timeperiod), found 2");
  EXPECT_EQ(
      first_error(spec_with(R"~("sma(timeperiod=close) > 1")~")),
      "t.json: rules.long_entry: col 15: parameter 'timeperiod' of sma must be a constant (a number or a "
      "parameter), found a number series");
}

TEST(SpecValidation, LookAheadIsRefused) {
  EXPECT_EQ(first_error(spec_with(R"~("close[-1] > close")~")),
            "t.json: rules.long_entry: col 6: look-ahead: '[-1]' would read 1 bar(s) in the future; n in "
            "x[n] counts "
            "bars ago and must be >= 0");
  EXPECT_THAT(first_error(spec_with(R"~("close[lag] > close")~",
                                    R"~("lag": {"type": "int", "default": 1, "min": -2, "max": 5})~")),
              HasSubstr("col 6: look-ahead: parameter 'lag' can be -2 (range -2..5)"));
  EXPECT_THAT(first_error(spec_with(R"~("close[1.5] > close")~")),
              HasSubstr("bars ago must be a whole number, found 1.5"));
}

TEST(SpecValidation, CyclesBetweenSeriesAreRefused) {
  const std::string json =
      R"~({"series": {"a": "b + 1", "b": "sma(a, 5)"}, "rules": {"long_entry": "a > 0"}})~";
  EXPECT_THAT(first_error(json), HasSubstr("series.b: col 4: series 'a' depends on itself: a -> b -> a"));
  EXPECT_THAT(first_error(R"~({"series": {"a": "a[1] + 1"}, "rules": {"long_entry": "a > 0"}})~"),
              HasSubstr("series 'a' depends on itself: a -> a"));
}

TEST(SpecValidation, ParameterRangesAreChecked) {
  EXPECT_EQ(first_error(spec_with(R"~("close > fast")~",
                                  R"~("fast": {"type": "int", "default": 500, "min": 2, "max": 200})~")),
            "t.json: parameters.fast.default: default 500 is outside the range 2..200");
  EXPECT_EQ(first_error(spec_with(R"~("close > fast")~",
                                  R"~("fast": {"type": "int", "default": 5, "min": 20, "max": 2})~")),
            "t.json: parameters.fast.min: min 20 is above max 2\n"
            "t.json: parameters.fast.default: default 5 is outside the range 20..2");
  EXPECT_EQ(first_error(spec_with(R"~("close > fast")~",
                                  R"~("fast": {"type": "int", "default": 2.5, "min": 1, "max": 9})~")),
            "t.json: parameters.fast.default: default = 2.5 is not an integer (type int)");
  EXPECT_EQ(
      first_error(spec_with(R"~("close > fast")~",
                            R"~("fast": {"type": "integer", "default": 2, "min": 1, "max": 9})~")),
      "t.json: parameters.fast.type: unknown parameter type 'integer' (expected int, float or categorical)");
}

TEST(SpecValidation, IndicatorParameterRangesBindSpecParameters) {
  // sma's timeperiod is >= 2: a spec parameter that can be 1 would fail at some trial.
  EXPECT_EQ(first_error(spec_with(R"~("sma(close, fast) > close")~",
                                  R"~("fast": {"type": "int", "default": 5, "min": 1, "max": 9})~")),
            "t.json: rules.long_entry: col 11: parameter 'fast' can be 1, outside sma's 'timeperiod' range "
            "2..100000");
  EXPECT_EQ(first_error(spec_with(R"~("sma(close, fast) > close")~",
                                  R"~("fast": {"type": "float", "default": 5, "min": 2, "max": 9})~")),
            "t.json: rules.long_entry: col 11: parameter 'fast' is a float but sma's 'timeperiod' takes "
            "whole numbers: "
            "declare it \"type\": \"int\"");
  EXPECT_EQ(first_error(spec_with(R"~("sma(close, 1) > close")~")),
            "t.json: rules.long_entry: col 0: sma: parameter 'timeperiod' = 1 is below its minimum 2");
  EXPECT_THAT(first_error(spec_with(R"~("sma(close, period=5) > close")~")),
              HasSubstr("col 18: sma has no parameter 'period' (parameters: timeperiod)"));
}

TEST(SpecValidation, MultiOutputIndicatorsSelectByName) {
  EXPECT_TRUE(parse_spec(spec_with(R"~("macd(close, 12, 26, 9).macdsignal < macd(close).macd")~"), "t").ok());
  EXPECT_EQ(first_error(spec_with(R"~("macd(close).signal > 0")~")),
            "t.json: rules.long_entry: col 0: macd has no output 'signal' (outputs: macd, macdsignal, "
            "macdhist) (did you "
            "mean 'macdsignal'?)");
}

TEST(SpecValidation, UnknownKeysAndDuplicateKeysAreRefused) {
  EXPECT_EQ(first_error(R"~({"rulez": {}, "rules": {"long_entry": "close > 1"}})~"),
            "t.json: rulez: unknown key 'rulez' (did you mean 'rules'?)");
  EXPECT_EQ(first_error(R"~({"rules": {"long_entry": "close > 1", "long_entry": "close > 2"}})~"),
            "t.json: rules.long_entry: duplicate key 'long_entry'");
  EXPECT_EQ(
      first_error(R"~({"rules": {"long_entri": "close > 1"}})~"),
      "t.json: rules.long_entri: unknown rule 'long_entri' (rules are long_entry, long_exit, short_entry, "
      "short_exit) (did you mean 'long_entry'?)");
}

TEST(SpecValidation, JsonSyntaxErrorsNameLineAndColumn) {
  EXPECT_THAT(first_error("{\n  \"rules\": {\"long_entry\": \"close > 1\",}\n}"),
              HasSubstr("t.json:2:39: JSON syntax error: syntax error while parsing object key"));
}

TEST(SpecValidation, ConstraintsAreCheckedWithTheDefaults) {
  const std::string params = R"~("fast": {"type": "int", "default": 30, "min": 2, "max": 200},
                                "slow": {"type": "int", "default": 10, "min": 2, "max": 400})~";
  EXPECT_EQ(first_error(spec_with(R"~("close > 1")~", params, R"~(, "constraints": ["fast < slow"])~")),
            "t.json: constraints[0]: constraint 'fast < slow' is violated (fast = 30, slow = 10)");
  EXPECT_THAT(first_error(spec_with(R"~("close > 1")~", params, R"~(, "constraints": ["close > 1"])~")),
              HasSubstr("a constraint must be a condition on parameters only, found a condition"));
}

TEST(SpecValidation, CheckSpecTextListsEveryIssue) {
  const auto issues = check_spec_text(
      R"~({"parameters": {"n": {"type": "int", "default": 0, "min": 1, "max": 5}},
          "rules": {"long_entry": "rsi(close, n) < 30 and smaa(close, 5) > 1", "long_exit": "close[-2] > 1"}})~");
  ASSERT_GE(issues.size(), 2u);
  EXPECT_EQ(issues[0].to_string(), "parameters.n.default: default 0 is outside the range 1..5");
  bool saw_unknown = false, saw_lookahead = false;
  for (const auto& i : issues) {
    saw_unknown = saw_unknown ||
                  i.to_string() == "rules.long_entry: col 23: unknown indicator 'smaa' (did you mean 'sma'?)";
    saw_lookahead = saw_lookahead || (i.path == "rules.long_exit" && i.col == 7);
  }
  EXPECT_TRUE(saw_unknown);
  EXPECT_TRUE(saw_lookahead);
  EXPECT_TRUE(check_spec_text(spec_with(R"~("close > fast")~")).empty());
}

TEST(SpecValidation, JsonTreesAreLocatedByPath) {
  const std::string tree = R"~({"op": "and", "args": [{"op": ">", "args": ["close", 1]},
                                                        {"op": "crosses_above", "args": ["sma(close, fast)", {"op": "smaa", "args": ["close", 5]}]}]})~";
  EXPECT_EQ(first_error(spec_with(tree)),
            "t.json: rules.long_entry.args[1].args[1]: unknown indicator 'smaa' (did you mean 'sma'?)");
  EXPECT_EQ(first_error(spec_with(R"~({"op": ">", "args": ["close", "sma(clse, 5)"]})~")),
            "t.json: rules.long_entry.args[1]: col 4: unknown name 'clse' (did you mean 'close'?)");
}

TEST(SpecValidation, PairsNeedTwoLegsAndAHedgeRatio) {
  const std::string pairs = R"~({"legs": ["y", "x"],
    "parameters": {"n": {"type": "int", "default": 20, "min": 5, "max": 200}},
    "series": {"beta": "ols_slope(y.close, x.close, n)", "spread": "y.close - beta * x.close", "z": "zscore(spread, n)"},
    "rules": {"long_entry": "z < -2", "long_exit": "z > 0"}, "hedge_ratio": "beta"})~";
  auto r = parse_spec(pairs, "p.json");
  ASSERT_TRUE(r.ok()) << r.error().message();
  std::string no_hedge = pairs;
  no_hedge.replace(no_hedge.find(", \"hedge_ratio\": \"beta\""),
                   std::string(", \"hedge_ratio\": \"beta\"").size(), "");
  EXPECT_THAT(first_error(no_hedge), HasSubstr("hedge_ratio: a pairs spec (two legs) needs 'hedge_ratio'"));
  EXPECT_THAT(
      first_error(R"~({"legs": ["y", "x"], "rules": {"long_entry": "z.close > 1"}, "hedge_ratio": 1})~"),
      HasSubstr("col 0: unknown name 'z'"));
  EXPECT_THAT(
      first_error(R"~({"legs": ["y", "x"], "rules": {"long_entry": "y.clse > 1"}, "hedge_ratio": 1})~"),
      HasSubstr("col 0: 'clse' is not a price field of leg 'y' (did you mean 'close'?)"));
}

TEST(SpecValidation, StopsSizingAndFilters) {
  const std::string ok = spec_with(
      R"~("close > 1")~", R"~("sl": {"type": "float", "default": 2, "min": 0.5, "max": 10})~",
      R"~(, "exits": {"stop_loss": {"percent": "sl"}, "take_profit": {"atr": 3}, "cooldown_bars": 2},
                                        "sizing": "risk:1", "filters": {"sessions": ["13:30-20:00"], "weekdays": ["mon", "Friday"]})~");
  auto r = parse_spec(ok, "t");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->exits.stop_loss.unit, StopUnit::kPercent);
  EXPECT_EQ(r->filters.weekdays, 0b10001);
  EXPECT_EQ(r->filters.sessions[0], std::make_pair(13 * 60 + 30, 20 * 60));
  EXPECT_THAT(first_error(spec_with(R"~("close > 1")~", "", R"~(, "sizing": "risk:1")~")),
              HasSubstr("sizing 'risk' needs a stop-loss"));
  EXPECT_THAT(
      first_error(spec_with(R"~("close > 1")~", "", R"~(, "exits": {"stop_loss": {"percent": -1}})~")),
      HasSubstr("exits.stop_loss.percent: the stop-loss distance must be a positive number, found -1"));
  EXPECT_THAT(
      first_error(spec_with(R"~("close > 1")~", "", R"~(, "filters": {"sessions": ["9:30-16:00"]})~")),
      HasSubstr("filters.sessions[0]: '9:30-16:00' is not \"HH:MM-HH:MM\""));
  EXPECT_THAT(first_error(spec_with(R"~("close > 1")~", "", R"~(, "sizing": "percent:150")~")),
              HasSubstr("sizing 'percent' is a percent of equity in (0, 100], found 150"));
}

TEST(SpecOverrides, SetsValuesAndRefusesOutOfRange) {
  auto spec = parse_spec(spec_with(R"~("crosses_above(sma(close, fast), sma(close, slow))")~",
                                   R"~("fast": {"type": "int", "default": 10, "min": 2, "max": 200},
                                      "slow": {"type": "int", "default": 30, "min": 2, "max": 400},
                                      "mode": {"type": "categorical", "default": "ema", "choices": ["sma", "ema"]})~",
                                   R"~(, "constraints": ["fast < slow"])~"),
                         "t");
  ASSERT_TRUE(spec.ok()) << spec.error().message();
  auto ok = with_overrides(*spec, {{"fast", "12"}, {"mode", "sma"}});
  ASSERT_TRUE(ok.ok()) << ok.error().message();
  EXPECT_EQ(ok->parameters[0].default_value, 12);
  EXPECT_EQ(ok->parameters[2].value_text(), "sma");

  auto high = with_overrides(*spec, {{"fast", "500"}});
  ASSERT_FALSE(high.ok());
  EXPECT_EQ(high.error().code(), ErrorCode::kOutOfRange);
  EXPECT_EQ(high.error().message(), "parameter 'fast' = 500 is above its maximum 200 (range 2..200)");
  auto frac = with_overrides(*spec, {{"fast", "2.5"}});
  EXPECT_EQ(frac.error().message(), "parameter 'fast' = 2.5 must be a whole number (type int)");
  auto nan = with_overrides(*spec, {{"fast", "ten"}});
  EXPECT_EQ(nan.error().message(), "parameter 'fast' = 'ten' is not a number");
  auto unknown = with_overrides(*spec, {{"fsat", "3"}});
  EXPECT_EQ(unknown.error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(unknown.error().message(),
            "unknown parameter 'fsat' (did you mean 'fast'?); parameters: fast, slow, mode");
  auto choice = with_overrides(*spec, {{"mode", "wma"}});
  EXPECT_EQ(choice.error().message(), "parameter 'mode' = 'wma' is not one of its choices (sma, ema)");
  auto violated = with_overrides(*spec, {{"fast", "40"}});
  EXPECT_EQ(violated.error().code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(violated.error().message(), "constraint 'fast < slow' is violated (fast = 40, slow = 30)");
}

TEST(SpecOverrides, IndicatorCrossParameterRulesApply) {
  auto spec = parse_spec(spec_with(R"~("macd(close, fast, slow, 9).macdhist > 0")~",
                                   R"~("fast": {"type": "int", "default": 12, "min": 2, "max": 50},
                                      "slow": {"type": "int", "default": 26, "min": 2, "max": 100})~"),
                         "t");
  ASSERT_TRUE(spec.ok()) << spec.error().message();
  auto bad = with_overrides(*spec, {{"fast", "30"}, {"slow", "20"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.error().message(), HasSubstr("rules.long_entry: col 0: macd"));
}

}  // namespace
}  // namespace tradeloop::strategy
