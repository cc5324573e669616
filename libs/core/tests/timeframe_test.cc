#include "tradeloop/core/timeframe.h"

#include <vector>

#include <gtest/gtest.h>

namespace tradeloop {
namespace {

TEST(Timeframe, ParsesAndPrintsEveryStandardTimeframe) {
  for (const char* text : {"1s", "1m", "5m", "15m", "30m", "1h", "4h", "1d", "1w", "1M"}) {
    auto tf = Timeframe::parse(text);
    ASSERT_TRUE(tf.ok()) << text;
    EXPECT_EQ(tf->to_string(), text);
  }
  EXPECT_EQ(Timeframe::parse("5m")->nominal_ns(), 5 * kNanosPerMinute);
  EXPECT_EQ(Timeframe::parse("1M")->unit(), TimeUnit::kMonth);
  EXPECT_EQ(Timeframe::parse("1m")->unit(), TimeUnit::kMinute);
}

TEST(Timeframe, RejectsBadText) {
  for (const char* bad : {"", "0m", "-1h", "5x", "5"}) EXPECT_FALSE(Timeframe::parse(bad).ok()) << bad;
}

std::vector<Timestamp> times(std::initializer_list<const char*> texts) {
  std::vector<Timestamp> out;
  for (const char* t : texts) out.push_back(*parse_time(t));
  return out;
}

TEST(Timeframe, InfersFromTheMostCommonSpacing) {
  // Daily stock bars with a weekend gap: 1d.
  EXPECT_EQ(Timeframe::infer(times({"2024-01-04", "2024-01-05", "2024-01-08", "2024-01-09", "2024-01-10"}))->to_string(),
            "1d");
  // Month-end labels of different lengths: 1M.
  EXPECT_EQ(Timeframe::infer(times({"2012-01-31", "2012-02-29", "2012-03-31", "2012-04-30"}))->to_string(), "1M");
  EXPECT_EQ(Timeframe::infer(times({"2018-01-10T04:55:00Z", "2018-01-10T05:00:00Z", "2018-01-10T05:05:00Z",
                                    "2018-01-10T05:20:00Z"}))->to_string(),
            "5m");
  EXPECT_FALSE(Timeframe::infer(times({"2018-01-10"})).ok());
}

TEST(Timeframe, PeriodStartsOnMondaysAndFirstOfMonth) {
  const Timeframe week = *Timeframe::parse("1w");
  EXPECT_EQ(format_time(week.period_start(*parse_time("2018-01-14T23:00:00Z"))), "2018-01-08T00:00:00Z");
  EXPECT_EQ(format_time(week.period_start(*parse_time("2018-01-15T00:00:00Z"))), "2018-01-15T00:00:00Z");
  EXPECT_EQ(format_time(week.period_start(*parse_time("1969-12-31"))), "1969-12-29T00:00:00Z");
  const Timeframe month = *Timeframe::parse("1M");
  EXPECT_EQ(format_time(month.period_start(*parse_time("2012-02-29T13:00:00Z"))), "2012-02-01T00:00:00Z");
  EXPECT_EQ(format_time(month.next_period_start(*parse_time("2012-12-01"))), "2013-01-01T00:00:00Z");
  const Timeframe quarter = *Timeframe::parse("3M");
  EXPECT_EQ(format_time(quarter.period_start(*parse_time("2012-05-15"))), "2012-04-01T00:00:00Z");
  const Timeframe four_hours = *Timeframe::parse("4h");
  EXPECT_EQ(format_time(four_hours.period_start(*parse_time("2018-01-10T07:59:59Z"))), "2018-01-10T04:00:00Z");
}

TEST(Timeframe, MultiplesForResampling) {
  EXPECT_TRUE(Timeframe::parse("1h")->is_multiple_of(*Timeframe::parse("5m")));
  EXPECT_FALSE(Timeframe::parse("5m")->is_multiple_of(*Timeframe::parse("1h")));
  EXPECT_TRUE(Timeframe::parse("1M")->is_multiple_of(*Timeframe::parse("1d")));
  EXPECT_FALSE(Timeframe::parse("1M")->is_multiple_of(*Timeframe::parse("1w")));
  EXPECT_TRUE(Timeframe::parse("1w")->is_multiple_of(*Timeframe::parse("1d")));
}

}  // namespace
}  // namespace tradeloop
