#include "tradeloop/core/result.h"

#include <gtest/gtest.h>

namespace tradeloop {
namespace {

Result<int> parse_positive(int v) {
  if (v <= 0) return Error::out_of_range("value must be positive");
  return v;
}

Result<int> doubled(int v) {
  TL_ASSIGN_OR_RETURN(int x, parse_positive(v));
  return 2 * x;
}

Status check_both(int a, int b) {
  TL_TRY(parse_positive(a));
  TL_TRY(parse_positive(b));
  return ok_status();
}

TEST(Result, CarriesValueOrError) {
  auto good = parse_positive(3);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 3);
  auto bad = parse_positive(-1);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), ErrorCode::kOutOfRange);
  EXPECT_EQ(bad.value_or(7), 7);
}

TEST(Result, AssignOrReturnPropagatesTheError) {
  EXPECT_EQ(*doubled(4), 8);
  auto r = doubled(0);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(), "value must be positive");
}

TEST(Result, TryStopsAtTheFirstError) {
  EXPECT_TRUE(check_both(1, 2).ok());
  EXPECT_FALSE(check_both(1, -2).ok());
}

TEST(Error, WithContextPrefixesTheMessage) {
  Error e = Error::invalid_argument("NaN").with_context("GOOG.csv:12: column 'close'");
  EXPECT_EQ(e.message(), "GOOG.csv:12: column 'close': NaN");
  EXPECT_EQ(error_code_name(e.code()), "invalid_argument");
}

TEST(CheckDeathTest, AbortsWithFileAndCondition) {
  EXPECT_DEATH(TL_CHECK(1 + 1 == 3, "math is broken: ", 42), "TL_CHECK failed: 1 \\+ 1 == 3: math is broken: 42");
}

}  // namespace
}  // namespace tradeloop
