#include "tradeloop/analytics/annualization.h"

#include <cmath>
#include <vector>

#include <gtest/gtest.h>

namespace tradeloop::analytics {
namespace {

Timestamp at(const char* text) {
  return parse_time(text).value();
}

// Bars every `step` from `start`, optionally skipping Saturdays and Sundays.
std::vector<Timestamp> bars(const char* start, Timestamp step, int count, bool weekdays_only) {
  std::vector<Timestamp> ts;
  Timestamp t = at(start);
  while (static_cast<int>(ts.size()) < count) {
    if (!weekdays_only || weekday(t) < 5) ts.push_back(t);
    t += step;
  }
  return ts;
}

TEST(Annualization, WeekdayDailyBarsUse252DailyPeriods) {
  const auto ts = bars("2024-01-01", kNanosPerDay, 300, true);
  const Annualization a = infer_annualization(ts);
  EXPECT_EQ(a.period, ReturnPeriod::kDay);
  EXPECT_EQ(a.periods_per_year, 252);
  EXPECT_EQ(a.bar_period_ns, kNanosPerDay);
  EXPECT_EQ(a.weekend_share, 0);
}

TEST(Annualization, CryptoTradingEveryDayUses365) {
  const auto ts = bars("2024-01-01", kNanosPerDay, 300, false);
  const Annualization a = infer_annualization(ts);
  EXPECT_EQ(a.period, ReturnPeriod::kDay);
  EXPECT_EQ(a.periods_per_year, 365);
  EXPECT_NEAR(a.weekend_share, 2.0 / 7.0, 0.01);
}

TEST(Annualization, IntradayBarsResampleToDays) {
  const auto crypto = bars("2018-01-10T04:55:00Z", 5 * kNanosPerMinute, 5760, false);
  EXPECT_EQ(infer_annualization(crypto).period, ReturnPeriod::kDay);
  EXPECT_EQ(infer_annualization(crypto).periods_per_year, 365);
  EXPECT_EQ(infer_annualization(crypto).bar_period_ns, 5 * kNanosPerMinute);
  const auto fx_weekdays = bars("2017-04-19T09:00:00", kNanosPerHour, 5000, true);
  EXPECT_EQ(infer_annualization(fx_weekdays).periods_per_year, 252);
}

TEST(Annualization, WeeklyMonthlyYearlyBars) {
  const auto weekly = bars("2020-01-05", 7 * kNanosPerDay, 120, false);
  EXPECT_EQ(infer_annualization(weekly).period, ReturnPeriod::kWeek);
  EXPECT_EQ(infer_annualization(weekly).periods_per_year, 52);

  // Month-end labels as in BTCUSD-1mo.csv: the median spacing of 99 diffs is 31 days.
  std::vector<Timestamp> monthly;
  for (int y = 2012; y < 2025; ++y) {
    for (int m = 1; m <= 12; ++m) {
      const int ny = m == 12 ? y + 1 : y;
      const int nm = m == 12 ? 1 : m + 1;
      monthly.push_back((days_from_civil(ny, nm, 1) - 1) * kNanosPerDay);
    }
  }
  EXPECT_EQ(infer_annualization(monthly).period, ReturnPeriod::kMonth);
  EXPECT_EQ(infer_annualization(monthly).periods_per_year, 12);

  const auto yearly = bars("2000-01-01", 365 * kNanosPerDay, 10, false);
  EXPECT_EQ(infer_annualization(yearly).period, ReturnPeriod::kYear);
  EXPECT_EQ(infer_annualization(yearly).periods_per_year, 1);
}

TEST(Annualization, MedianOfEvenCountAveragesMiddleValues) {
  // 3 bars -> 2 diffs (1 day and 2 days): the median is 1.5 days, so not daily-resolution.
  const std::vector<Timestamp> ts = {at("2024-01-01"), at("2024-01-02"), at("2024-01-04")};
  EXPECT_EQ(infer_annualization(ts).bar_period_ns, kNanosPerDay + kNanosPerDay / 2);
}

TEST(Annualization, UsesOnlyTheLast100Bars) {
  // 200 hourly bars then 100 daily bars: the last 100 timestamps give a 1-day period.
  std::vector<Timestamp> ts = bars("2024-01-01", kNanosPerHour, 200, false);
  for (int i = 1; i <= 100; ++i) ts.push_back(ts.back() + kNanosPerDay);
  EXPECT_EQ(infer_annualization(ts).bar_period_ns, kNanosPerDay);
}

TEST(Annualization, OverrideKeepsThePeriodAndSkipsCounting) {
  const auto weekly = bars("2020-01-05", 7 * kNanosPerDay, 120, false);
  const Annualization a = infer_annualization(weekly, 50);
  EXPECT_EQ(a.period, ReturnPeriod::kWeek);
  EXPECT_EQ(a.periods_per_year, 50);
  EXPECT_TRUE(std::isnan(a.weekend_share));
  const auto daily = bars("2024-01-01", kNanosPerDay, 300, false);
  EXPECT_EQ(infer_annualization(daily, 252).period, ReturnPeriod::kDay);
  EXPECT_EQ(infer_annualization(daily, 252).periods_per_year, 252);
}

TEST(Annualization, EmptyTimestampsGiveNaN) {
  EXPECT_TRUE(std::isnan(infer_annualization({}).periods_per_year));
  const std::vector<Timestamp> one = {at("2024-01-01")};
  EXPECT_EQ(infer_annualization(one).bar_period_ns, 0);
  EXPECT_EQ(periods_per_year(one), 252);
}

TEST(PeriodKey, WeeksEndOnSunday) {
  // 2024-01-07 is a Sunday, 2024-01-08 a Monday.
  EXPECT_EQ(period_key(at("2024-01-01"), ReturnPeriod::kWeek),
            period_key(at("2024-01-07T23:59:00"), ReturnPeriod::kWeek));
  EXPECT_EQ(period_key(at("2024-01-07"), ReturnPeriod::kWeek) + 1,
            period_key(at("2024-01-08"), ReturnPeriod::kWeek));
  // Before the epoch too.
  EXPECT_EQ(period_key(at("1969-12-29"), ReturnPeriod::kWeek),
            period_key(at("1970-01-04"), ReturnPeriod::kWeek));
  EXPECT_NE(period_key(at("1969-12-28"), ReturnPeriod::kWeek),
            period_key(at("1969-12-29"), ReturnPeriod::kWeek));
}

TEST(PeriodKey, MonthsAndYears) {
  EXPECT_EQ(period_key(at("2024-02-01"), ReturnPeriod::kMonth),
            period_key(at("2024-02-29T23:00:00"), ReturnPeriod::kMonth));
  EXPECT_EQ(period_key(at("2024-02-29"), ReturnPeriod::kMonth) + 1,
            period_key(at("2024-03-01"), ReturnPeriod::kMonth));
  EXPECT_EQ(period_key(at("2023-12-31"), ReturnPeriod::kYear) + 1,
            period_key(at("2024-01-01"), ReturnPeriod::kYear));
}

TEST(PeriodReturns, LastValueOfEachDayAgainstThePreviousDay) {
  const std::vector<Timestamp> ts = {at("2024-01-01T10:00:00"), at("2024-01-01T15:00:00"),
                                     at("2024-01-02T09:00:00"), at("2024-01-04T09:00:00"),
                                     at("2024-01-04T16:00:00")};
  const std::vector<double> equity = {100, 104, 98, 99, 117};
  std::vector<double> r;
  std::vector<Timestamp> ends;
  period_returns(ts, equity, ReturnPeriod::kDay, &r, &ends);
  ASSERT_EQ(r.size(), 3u);
  EXPECT_TRUE(std::isnan(r[0]));
  EXPECT_DOUBLE_EQ(r[1], 98.0 / 104.0 - 1);
  EXPECT_DOUBLE_EQ(r[2], 117.0 / 98.0 - 1);
  EXPECT_EQ(ends, (std::vector<Timestamp>{ts[1], ts[2], ts[4]}));
}

TEST(PeriodReturns, SkipsNaNEquityLikeDropna) {
  const std::vector<Timestamp> ts = {at("2024-01-01"), at("2024-01-02"), at("2024-01-03")};
  const std::vector<double> equity = {100, std::nan(""), 110};
  std::vector<double> r;
  period_returns(ts, equity, ReturnPeriod::kDay, &r);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_DOUBLE_EQ(r[1], 110.0 / 100.0 - 1);
}

TEST(CeilToResolution, DailyDataCeilsToWholeDays) {
  EXPECT_EQ(ceil_to_resolution(41 * kNanosPerDay + 1, kNanosPerDay), 42 * kNanosPerDay);
  EXPECT_EQ(ceil_to_resolution(41 * kNanosPerDay, kNanosPerDay), 41 * kNanosPerDay);
  // 5-minute data: minute resolution.
  EXPECT_EQ(ceil_to_resolution(7 * kNanosPerMinute + 20 * kNanosPerSecond, 5 * kNanosPerMinute),
            8 * kNanosPerMinute);
  // 1.5-day period: hour resolution.
  EXPECT_EQ(ceil_to_resolution(kNanosPerHour + 1, kNanosPerDay + kNanosPerDay / 2), 2 * kNanosPerHour);
  // Unknown period (one bar): unchanged.
  EXPECT_EQ(ceil_to_resolution(12345, 0), 12345);
}

}  // namespace
}  // namespace tradeloop::analytics
