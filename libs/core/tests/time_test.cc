#include "tradeloop/core/time.h"

#include <gtest/gtest.h>

namespace tradeloop {
namespace {

// Reference epoch values computed independently (`date -u -d ... +%s`).
constexpr Timestamp kSec = kNanosPerSecond;

TEST(ParseTime, DateOnly) {
  EXPECT_EQ(*parse_time("1970-01-01"), 0);
  EXPECT_EQ(*parse_time("2004-08-19"), 1092873600 * kSec);
  EXPECT_EQ(*parse_time("2000-02-29"), 951782400 * kSec);
  EXPECT_EQ(*parse_time("1969-12-31"), -86400 * kSec);
}

TEST(ParseTime, DateAndTimeWithSpaceOrT) {
  EXPECT_EQ(*parse_time("2018-01-10 04:55"), 1515560100 * kSec);
  EXPECT_EQ(*parse_time("2018-01-10T04:55:00"), 1515560100 * kSec);
  EXPECT_EQ(*parse_time("2018-01-10T04:55:00Z"), 1515560100 * kSec);
  EXPECT_EQ(*parse_time("2018-01-10T04:55:00.250Z"), 1515560100 * kSec + 250'000'000);
  EXPECT_EQ(*parse_time("2018-01-10T04:55:00.123456789"), 1515560100 * kSec + 123456789);
}

TEST(ParseTime, OffsetsConvertToUtc) {
  EXPECT_EQ(*parse_time("2018-01-10T06:55:00+02:00"), 1515560100 * kSec);
  EXPECT_EQ(*parse_time("2018-01-09T23:55:00-05:00"), 1515560100 * kSec);
  EXPECT_EQ(*parse_time("2018-01-10T05:25:00+0030"), 1515560100 * kSec);
}

TEST(ParseTime, EpochMagnitudes) {
  EXPECT_EQ(*parse_time("1515560100"), 1515560100 * kSec);
  EXPECT_EQ(*parse_time("1515560100000"), 1515560100 * kSec);
  EXPECT_EQ(*parse_time("1515560100000000"), 1515560100 * kSec);
  EXPECT_EQ(*parse_time("1515560100000000000"), 1515560100 * kSec);
  EXPECT_EQ(*parse_time("1515560100.5"), 1515560100 * kSec + 500'000'000);
}

TEST(ParseTime, RejectsMalformedWithTheTextInTheMessage) {
  for (const char* bad : {"", "2018-13-01", "2018-02-30", "2018-01-10T25:00", "2018-01-10X", "abc", "12a",
                          "2018-01-10T04:55:00+25:00", "2018-01-10T04"}) {
    auto r = parse_time(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_NE(r.error().message().find(std::string("'") + bad + "'"), std::string::npos) << r.error().message();
    }
  }
}

TEST(FormatTime, RoundTrips) {
  for (const char* text : {"2018-01-10T04:55:00Z", "1999-12-31T23:59:59.001Z", "1960-06-01T12:00:00Z",
                           "2020-02-29T00:00:00.000001Z", "2020-02-29T00:00:00.000000001Z"}) {
    EXPECT_EQ(format_time(*parse_time(text)), text);
  }
  EXPECT_EQ(format_time_compact(*parse_time("2004-08-19")), "2004-08-19");
  EXPECT_EQ(format_time_compact(*parse_time("2004-08-19T01:00:00Z")), "2004-08-19T01:00:00Z");
}

TEST(CivilDate, RoundTripsEveryDayOverFourCenturies) {
  for (std::int64_t d = days_from_civil(1800, 1, 1); d < days_from_civil(2200, 1, 1); ++d) {
    const CivilDate c = civil_from_days(d);
    ASSERT_EQ(days_from_civil(c.year, c.month, c.day), d);
  }
}

TEST(Weekday, KnownDays) {
  EXPECT_EQ(weekday(*parse_time("1970-01-01")), 3);  // Thursday
  EXPECT_EQ(weekday(*parse_time("2018-01-15T10:00:00Z")), 0);  // Monday
  EXPECT_EQ(weekday(*parse_time("1969-12-28")), 6);  // Sunday
}

}  // namespace
}  // namespace tradeloop
