#include "tradeloop/optimize/param_space.h"

#include <gtest/gtest.h>

#include <set>

#include "tradeloop/optimize/rng.h"

namespace tradeloop::optimize {
namespace {

ParamSpace space_of(std::initializer_list<const char*> args) {
  ParamSpace space;
  for (const char* a : args) {
    auto def = parse_param(a);
    EXPECT_TRUE(def.ok()) << a << ": " << def.error().message();
    EXPECT_TRUE(space.add(*def).ok());
  }
  return space;
}

TEST(Rng, SplitmixMatchesReferenceOutput) {
  // Published first outputs of splitmix64 seeded with 0 (Vigna's reference implementation).
  std::uint64_t state = 0;
  EXPECT_EQ(splitmix64(state), 0xe220a8397b1dcdafULL);
  EXPECT_EQ(splitmix64(state), 0x6e789e6aa1b965f4ULL);
}

TEST(Rng, SameSeedSameStreamDifferentSeedDifferentStream) {
  Rng a(42), b(42), c(43);
  bool differs = false;
  for (int i = 0; i < 100; ++i) {
    const auto x = a.next();
    EXPECT_EQ(x, b.next());
    differs = differs || x != c.next();
  }
  EXPECT_TRUE(differs);
}

TEST(Rng, UniformAndNormalHaveTheRightMoments) {
  Rng rng(7);
  const int n = 200000;
  double su = 0, sn = 0, sn2 = 0;
  for (int i = 0; i < n; ++i) {
    const double u = rng.uniform();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    su += u;
    const double z = rng.normal();
    sn += z;
    sn2 += z * z;
  }
  EXPECT_NEAR(su / n, 0.5, 0.005);
  EXPECT_NEAR(sn / n, 0.0, 0.01);
  EXPECT_NEAR(sn2 / n, 1.0, 0.02);
  std::set<std::uint64_t> seen;
  for (int i = 0; i < 10000; ++i) seen.insert(rng.below(7));
  EXPECT_EQ(seen.size(), 7u);
}

TEST(ParamSpace, ParsesIntRangeWithInclusiveEnds) {
  auto def = parse_param("fast=5:25:5");
  ASSERT_TRUE(def.ok());
  EXPECT_EQ(def->name, "fast");
  EXPECT_EQ(def->kind, ParamKind::kInt);
  EXPECT_EQ(def->count(), 5u);
  EXPECT_EQ(def->value_at(0), 5);
  EXPECT_EQ(def->value_at(4), 25);
}

TEST(ParamSpace, GridOfFastAndSlowHasSixtyPointsFirstParamSlowest) {
  const ParamSpace space = space_of({"fast=5:25:5", "slow=10:65:5"});
  auto size = space.grid_size();
  ASSERT_TRUE(size.ok());
  EXPECT_EQ(*size, 60u);
  EXPECT_EQ(space.grid_point(0), (ParamPoint{5, 10}));
  EXPECT_EQ(space.grid_point(11), (ParamPoint{5, 65}));
  EXPECT_EQ(space.grid_point(12), (ParamPoint{10, 10}));
  EXPECT_EQ(space.grid_point(59), (ParamPoint{25, 65}));
  std::set<std::string> keys;
  for (std::uint64_t i = 0; i < 60; ++i) keys.insert(space.key(space.grid_point(i)));
  EXPECT_EQ(keys.size(), 60u);
}

TEST(ParamSpace, RangeWithoutStepIsIntStepOne) {
  auto def = parse_param("period=2:10");
  ASSERT_TRUE(def.ok());
  EXPECT_EQ(def->kind, ParamKind::kInt);
  EXPECT_EQ(def->count(), 9u);
}

TEST(ParamSpace, FloatLatticeValuesAreTheWrittenDecimals) {
  auto def = parse_param("x=0.1:0.3:0.1");
  ASSERT_TRUE(def.ok());
  EXPECT_EQ(def->kind, ParamKind::kFloat);
  EXPECT_EQ(def->count(), 3u);
  EXPECT_EQ(def->value_at(2), 0.3);  // not 0.30000000000000004
  ParamSpace space;
  ASSERT_TRUE(space.add(*def).ok());
  EXPECT_EQ(space.to_json({0.3}), R"({"x":0.3})");
  auto stops = parse_param("stop=0.5:3:0.25");
  ASSERT_TRUE(stops.ok());
  EXPECT_EQ(stops->count(), 11u);
}

TEST(ParamSpace, WrittenDecimalsMakeAFloat) {
  auto def = parse_param("x=0.0:1.0");
  ASSERT_TRUE(def.ok());
  EXPECT_EQ(def->kind, ParamKind::kFloat);
  EXPECT_TRUE(def->continuous());
  EXPECT_EQ(parse_param("x=0:1")->kind, ParamKind::kInt);
}

TEST(ParamSpace, ContinuousFloatCannotBeGriddedAndSaysHow) {
  const ParamSpace space = space_of({"x=0.5:2.5"});
  EXPECT_TRUE(space[0].continuous());
  auto size = space.grid_size();
  ASSERT_FALSE(size.ok());
  EXPECT_NE(size.error().message().find("'x'"), std::string::npos);
  EXPECT_NE(size.error().message().find("step"), std::string::npos);
}

TEST(ParamSpace, CategoricalChoicesPrintAsStringsOrNumbers) {
  const ParamSpace space = space_of({"ma=sma,ema,wma", "matype=0,1,3"});
  EXPECT_EQ(space[0].kind, ParamKind::kCategorical);
  EXPECT_EQ(space[0].count(), 3u);
  EXPECT_EQ(space.to_json({1, 2}), R"({"ma":"ema","matype":3})");
  EXPECT_EQ(*space.grid_size(), 9u);
}

TEST(ParamSpace, FixedValueIsOnePoint) {
  const ParamSpace space = space_of({"fast=10", "k=2.5"});
  EXPECT_EQ(*space.grid_size(), 1u);
  EXPECT_EQ(space.grid_point(0), (ParamPoint{10, 2.5}));
}

TEST(ParamSpace, RefusesBadArgumentsWithReasons) {
  const auto message = [](const char* text) {
    auto r = parse_param(text);
    EXPECT_FALSE(r.ok()) << text;
    return r.ok() ? std::string() : r.error().message();
  };
  EXPECT_NE(message("fast=25:5").find("min 25 is above max 5"), std::string::npos);
  EXPECT_NE(message("fast").find("expected name=min:max"), std::string::npos);
  EXPECT_NE(message("fast=a:5").find("min 'a' is not a number"), std::string::npos);
  EXPECT_NE(message("fast=1:5:-1").find("step -1 must be positive"), std::string::npos);
  EXPECT_NE(message("fast=1:5:0").find("step 0 must be positive"), std::string::npos);
  EXPECT_NE(message("fast=1:2:3:4").find("at most three"), std::string::npos);
  EXPECT_NE(message("=1:2").find("name is empty"), std::string::npos);
  EXPECT_NE(message("ma=sma,,ema").find("empty choice"), std::string::npos);
  ParamSpace space = space_of({"fast=1:5"});
  auto again = space.add(*parse_param("fast=2:3"));
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.error().message().find("given twice"), std::string::npos);
}

TEST(ParamSpace, SnapClipsAndRoundsToTheLattice) {
  const ParamSpace space = space_of({"fast=5:25:5", "x=0:1:0.25", "ma=a,b"});
  EXPECT_EQ(space.snap({12.4, 0.6, 0.7}), (ParamPoint{10, 0.5, 1}));
  EXPECT_EQ(space.snap({100, -3, 5}), (ParamPoint{25, 0, 1}));
}

TEST(ParamSpace, EncodeDecodeRoundTripsEveryLatticePoint) {
  const ParamSpace space = space_of({"fast=5:25:5", "x=0:1:0.25", "ma=a,b,c"});
  std::vector<double> enc(space.encoded_size());
  EXPECT_EQ(enc.size(), 5u);
  for (std::uint64_t i = 0; i < *space.grid_size(); ++i) {
    const ParamPoint p = space.grid_point(i);
    space.encode(p, enc.data());
    for (const double v : enc) {
      EXPECT_GE(v, 0.0);
      EXPECT_LE(v, 1.0);
    }
    EXPECT_EQ(space.decode(enc.data()), p);
  }
}

TEST(ParamSpace, NeighboursAreOneStepAlongOneParameter) {
  const ParamSpace space = space_of({"fast=5:25:5", "slow=10:65:5", "ma=a,b"});
  EXPECT_EQ(space.neighbours({10, 30, 0}).size(), 4u);
  const auto corner = space.neighbours({5, 10, 1});
  ASSERT_EQ(corner.size(), 2u);
  EXPECT_EQ(corner[0], (ParamPoint{10, 10, 1}));
  EXPECT_EQ(corner[1], (ParamPoint{5, 15, 1}));
}

TEST(ParamSpace, SamplesStayOnTheLatticeAndCoverIt) {
  const ParamSpace space = space_of({"fast=5:25:5", "x=0.5:1.5", "ma=a,b,c"});
  Rng rng(3);
  std::set<double> fast_values;
  for (int i = 0; i < 2000; ++i) {
    const ParamPoint p = space.sample(rng);
    EXPECT_EQ(space.snap(p)[0], p[0]);
    EXPECT_GE(p[1], 0.5);
    EXPECT_LE(p[1], 1.5);
    EXPECT_EQ(p[2], std::floor(p[2]));
    fast_values.insert(p[0]);
  }
  EXPECT_EQ(fast_values.size(), 5u);
}

TEST(ParamSpace, CanonicalNamesKindsAndRanges) {
  const ParamSpace space = space_of({"fast=5:25:5", "ma=sma,ema"});
  EXPECT_EQ(space.canonical(), "fast=int:5:25:5;ma=categorical:sma:ema");
}

}  // namespace
}  // namespace tradeloop::optimize
