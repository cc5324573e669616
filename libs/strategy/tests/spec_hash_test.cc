#include <gtest/gtest.h>

#include <string>

#include "tradeloop/strategy/spec.h"

namespace tradeloop::strategy {
namespace {

Spec parse(const std::string& json) {
  auto r = parse_spec(json, "t.json");
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message());
  return r.ok() ? *r : Spec{};
}

std::string hash_of(const std::string& json) {
  auto h = spec_hash(parse(json));
  EXPECT_TRUE(h.ok());
  return h.ok() ? *h : std::string();
}

std::string canonical_of(const std::string& json) {
  auto c = canonical_json(parse(json));
  EXPECT_TRUE(c.ok());
  return c.ok() ? *c : std::string();
}

TEST(Sha256, MatchesFips180Vectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256_hex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  // 55 / 56 / 64 bytes: the padding boundaries.
  EXPECT_EQ(sha256_hex(std::string(55, 'a')),
            "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
  EXPECT_EQ(sha256_hex(std::string(56, 'a')),
            "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
  EXPECT_EQ(sha256_hex(std::string(64, 'a')),
            "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
}

const char* kParams =
    R"~("parameters": {"fast": {"type": "int", "default": 10, "min": 2, "max": 200, "step": 1},
                                        "slow": {"type": "int", "default": 30, "min": 2, "max": 400}})~";

std::string spec(const std::string& rules, const std::string& params = kParams,
                 const std::string& name = "a") {
  return "{\"name\": \"" + name + "\", " + params + ", \"rules\": " + rules + "}";
}

TEST(SpecHash, SameStrategyWrittenTwoWaysHasOneHash) {
  const std::string base =
      hash_of(spec(R"~({"long_entry": "crosses_above(sma(close, fast), sma(close, slow))"})~"));
  EXPECT_EQ(base.size(), 64u);
  // Whitespace and redundant parentheses.
  EXPECT_EQ(
      hash_of(spec(R"~({"long_entry": " crosses_above( ((sma(close,fast))) ,sma( close , slow ) ) "})~")),
      base);
  // Default parameters spelled out, named arguments.
  EXPECT_EQ(
      hash_of(spec(
          R"~({"long_entry": "crosses_above(sma(close, timeperiod=fast), sma(timeperiod=slow, real=close))"})~")),
      base)
      << "named input";
  // Key order, a JSON tree instead of a string, and another name and description.
  EXPECT_EQ(
      hash_of(
          R"~({"rules": {"long_entry": {"op": "crosses_above", "args": [{"op": "sma", "args": ["close"], "params": {"timeperiod": "fast"}},
                                                                                   {"op": "sma", "args": ["close", "slow"]}]}},
                       "parameters": {"slow": {"max": 400, "min": 2, "default": 30, "type": "int"},
                                      "fast": {"type": "int", "default": 10, "min": 2, "max": 200}},
                       "name": "other", "description": "written differently"})~"),
      base);
  // An indicators section instead of inline calls, and named series.
  EXPECT_EQ(hash_of(R"~({"parameters": {"fast": {"type": "int", "default": 10, "min": 2, "max": 200},
                                       "slow": {"type": "int", "default": 30, "min": 2, "max": 400}},
                       "indicators": {"f": {"indicator": "sma", "inputs": ["close"], "params": {"timeperiod": "fast"}}},
                       "series": {"s": "sma(close, slow)"},
                       "rules": {"long_entry": "crosses_above(f, s)"}})~"),
            base);
  // Literal values instead of parameters (same behaviour), and other parameter ranges.
  EXPECT_EQ(hash_of(R"~({"rules": {"long_entry": "crosses_above(sma(close, 10), sma(close, 30))"}})~"), base);
  EXPECT_EQ(hash_of(R"~({"parameters": {"n": {"type": "int", "default": 5, "min": 1, "max": 9}},
                       "rules": {"long_entry": "crosses_above(sma(close, n * 2), sma(close, 30))"}})~"),
            base);
}

TEST(SpecHash, NormalizesCommutativeOperandsAndComparisonDirection) {
  const std::string a =
      hash_of(spec(R"~({"long_entry": "close > open and volume > 100 and rsi(close, 14) < 30"})~"));
  EXPECT_EQ(hash_of(spec(R"~({"long_entry": "30 > rsi(close, 14) and (100 < volume and open < close)"})~")),
            a);
  EXPECT_EQ(hash_of(spec(R"~({"long_entry": "close + open > high * 2"})~")),
            hash_of(spec(R"~({"long_entry": "2 * high < open + close"})~")));
  // Not commutative: different hashes.
  EXPECT_NE(hash_of(spec(R"~({"long_entry": "close - open > 1"})~")),
            hash_of(spec(R"~({"long_entry": "open - close > 1"})~")));
  EXPECT_NE(hash_of(spec(R"~({"long_entry": "close >= open"})~")),
            hash_of(spec(R"~({"long_entry": "close > open"})~")));
}

TEST(SpecHash, DifferentBehaviourHasDifferentHashes) {
  const std::string base =
      hash_of(spec(R"~({"long_entry": "crosses_above(sma(close, fast), sma(close, slow))"})~"));
  EXPECT_NE(hash_of(spec(R"~({"long_entry": "crosses_above(ema(close, fast), sma(close, slow))"})~")), base);
  EXPECT_NE(
      hash_of(spec(
          R"~({"long_entry": "crosses_above(sma(close, fast), sma(close, slow))", "long_exit": "close < 1"})~")),
      base);
  auto s = parse(spec(R"~({"long_entry": "crosses_above(sma(close, fast), sma(close, slow))"})~"));
  auto other = with_overrides(s, {{"fast", "11"}});
  ASSERT_TRUE(other.ok());
  EXPECT_NE(*spec_hash(*other), base);
  EXPECT_NE(hash_of(spec(R"~({"long_entry": "close > open"}, "exits": {"stop_loss": {"percent": 2}})~")),
            hash_of(spec(R"~({"long_entry": "close > open"}, "exits": {"stop_loss": {"percent": 3}})~")));
  // cooldown 0 written or omitted is the same strategy.
  EXPECT_EQ(hash_of(spec(R"~({"long_entry": "close > open"}, "exits": {"cooldown_bars": 0})~")),
            hash_of(spec(R"~({"long_entry": "close > open"})~")));
}

TEST(SpecCanonical, IsInvariantAndRoundTrips) {
  const std::string a =
      canonical_of(spec(R"~({"long_entry": "crosses_above(sma(close, fast), sma(close, slow))"})~"));
  const std::string b = canonical_of(
      R"~({"rules": {"long_entry": {"op": "crosses_above", "args": ["(sma(close,timeperiod=fast))", "sma(close, slow)"]}},
          "parameters": {"slow": {"max": 400, "min": 2, "default": 30, "type": "int", "step": 1},
                         "fast": {"type": "int", "default": 10, "min": 2, "max": 200}}, "name": "a"})~");
  EXPECT_EQ(a, b);
  EXPECT_EQ(
      a,
      R"~({"name":"a","parameters":{"fast":{"type":"int","default":10,"min":2,"max":200,"step":1},)~"
      R"~("slow":{"type":"int","default":30,"min":2,"max":400,"step":1}},)~"
      R"~("rules":{"long_entry":"crosses_above(sma(close, timeperiod=fast), sma(close, timeperiod=slow))"}})~");
  // parse(canonical) is a fixed point.
  EXPECT_EQ(canonical_of(a), a);
}

TEST(SpecCanonical, KeepsEveryPartOfARichSpec) {
  const std::string rich = R"~({
    "name": "rich", "description": "d", "type": "trend",
    "parameters": {
      "fast": {"type": "int", "default": 10, "min": 2, "max": 50, "description": "fast period"},
      "k": {"type": "float", "default": 2.5, "min": 0.5, "max": 4},
      "ma": {"type": "categorical", "default": 1, "choices": [0, 1]}
    },
    "indicators": {"bb": {"indicator": "bbands", "inputs": ["close"], "params": {"timeperiod": "fast", "nbdevup": "k", "nbdevdn": "k"}}},
    "series": {"mid": {"expr": "bb.middleband", "description": "the middle band"}},
    "constraints": ["k < 4"],
    "rules": {"long_entry": "close < bb.lowerband and ma(close, fast, matype=ma) > 0",
              "long_exit": "close > mid", "short_entry": "false"},
    "exits": {"stop_loss": {"atr": "k"}, "take_profit": {"percent": 5}, "trailing_stop": {"percent": 1.5},
              "atr_period": 10, "cooldown_bars": 3},
    "sizing": {"method": "percent", "value": 50},
    "filters": {"sessions": ["09:30-16:00"], "weekdays": ["mon", "tue"], "utc_offset": "-05:00"}
  })~";
  const std::string c = canonical_of(rich);
  EXPECT_EQ(canonical_of(c), c);
  EXPECT_EQ(hash_of(c), hash_of(rich));
  auto pretty = canonical_json(parse(rich), 2);
  ASSERT_TRUE(pretty.ok());
  EXPECT_EQ(canonical_of(*pretty), c);
  for (const char* part :
       {"\"bb\":\"bbands(close, timeperiod=fast, nbdevup=k, nbdevdn=k, matype=0)\"",
        "\"mid\":{\"expr\":\"bb.middleband\",\"description\":\"the middle band\"}",
        "\"stop_loss\":{\"atr\":\"k\"}", "\"cooldown_bars\":3", "\"utc_offset\":\"-05:00\"",
        "\"weekdays\":[\"mon\",\"tue\"]", "\"choices\":[0,1]",
        "\"sizing\":{\"method\":\"percent\",\"value\":50}", "\"constraints\":[\"k < 4\"]"}) {
    EXPECT_NE(c.find(part), std::string::npos) << part << " not in " << c;
  }
}

TEST(SpecBehaviour, TextIsReadable) {
  auto text =
      behaviour_text(parse(spec(R"~({"long_entry": "crosses_above(sma(close, fast), sma(close, slow))",
                                             "long_exit": "slow < fast * 2 or close < open"})~")));
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text,
            "tradeloop.strategy.behaviour/1\nlegs=1\n"
            "long_entry=crosses_above(sma(close, timeperiod=10), sma(close, timeperiod=30))\n"
            "long_exit=false or open > close\ncooldown_bars=0\n");
}

}  // namespace
}  // namespace tradeloop::strategy
