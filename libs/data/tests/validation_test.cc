#include "tradeloop/data/validation.h"

#include <set>

#include <gtest/gtest.h>

#include "test_util.h"
#include "tradeloop/data/csv_reader.h"

namespace tradeloop::data {
namespace {

TEST(ValidationReport, FormatsFindingsInTheDocumentedStyle) {
  ValidationReport report("ADA_BTC-5m.csv", {});
  report.add_error(FindingKind::kNotFinite, 1234, "close", "NaN");
  report.add_error(FindingKind::kShortRow, 12, "", "short row: 5 fields, the header has 6");
  report.add_error(FindingKind::kEmptyFile, 0, "", "empty file: no header line");
  EXPECT_EQ(report.format(report.errors()[0]), "ADA_BTC-5m.csv:1234: column 'close': NaN");
  EXPECT_EQ(report.format(report.errors()[1]), "ADA_BTC-5m.csv:12: short row: 5 fields, the header has 6");
  EXPECT_EQ(report.format(report.errors()[2]), "ADA_BTC-5m.csv: empty file: no header line");
  EXPECT_FALSE(report.ok());
  EXPECT_EQ(report.error_text(),
            "ADA_BTC-5m.csv:1234: column 'close': NaN\n"
            "ADA_BTC-5m.csv:12: short row: 5 fields, the header has 6\n"
            "ADA_BTC-5m.csv: empty file: no header line\n");
}

TEST(ValidationReport, CapsListedWarningsButCountsAll) {
  ValidationOptions options;
  options.max_warnings_per_kind = 3;
  ValidationReport report("x.csv", options);
  for (int i = 0; i < 10; ++i) report.add_warning(FindingKind::kZeroVolume, 2 + i, "volume", "zero volume");
  report.add_warning(FindingKind::kFlatBar, 5, "", "flat");
  EXPECT_EQ(report.warnings().size(), 4u);
  EXPECT_EQ(report.warning_count(FindingKind::kZeroVolume), 10u);
  EXPECT_EQ(report.warning_count(), 11u);
  EXPECT_TRUE(report.ok());
}

TEST(ValidationReport, ErrorCapListsAFewAndSaysHowManyMore) {
  ValidationOptions options;
  options.max_errors = 2;
  ValidationReport report("x.csv", options);
  for (int i = 0; i < 5; ++i) report.add_error(FindingKind::kNotFinite, 2 + i, "close", "NaN");
  EXPECT_EQ(report.errors().size(), 2u);
  EXPECT_EQ(report.error_count(), 5u);
  EXPECT_NE(report.error_text().find("3 more errors"), std::string::npos);
}

// ---- warnings of validate_bars ----

BarSeries series_5m(std::size_t n, Timestamp start = 1515560100LL * kNanosPerSecond) {
  BarSeries b;
  b.symbol = "X";
  b.timeframe = Timeframe(TimeUnit::kMinute, 5);
  for (std::size_t i = 0; i < n; ++i) {
    const double p = 100.0 + static_cast<double>(i % 7);
    b.push_back(start + static_cast<Timestamp>(i) * 5 * kNanosPerMinute, p, p + 1, p - 1, p + 0.5, 10);
  }
  return b;
}

TEST(ValidateBars, WarnsOnZeroVolumeFlatBarsAndJumps) {
  BarSeries b = series_5m(10);
  b.volume[3] = 0;
  b.open[5] = b.high[5] = b.low[5] = b.close[5] = 104;
  b.close[7] = 200;  // +~90% from bar 6, then back down -50%: two jumps
  b.high[7] = 201;
  ValidationReport report("x.csv", {});
  validate_bars(b, {}, ColumnNames{}, true, report);
  EXPECT_TRUE(report.ok()) << report.error_text();
  EXPECT_EQ(report.warning_count(FindingKind::kZeroVolume), 1u);
  EXPECT_EQ(report.warning_count(FindingKind::kFlatBar), 1u);
  EXPECT_EQ(report.warning_count(FindingKind::kJump), 2u);
  EXPECT_EQ(report.gaps.count, 0u);
  // Bar i is line i + 2 when no line map is given.
  std::set<std::size_t> lines;
  for (const Finding& w : report.warnings()) lines.insert(w.line);
  EXPECT_EQ(lines, (std::set<std::size_t>{5, 7, 9, 10}));
}

TEST(ValidateBars, JumpThresholdIsStrict) {
  BarSeries b = series_5m(2);
  b.close[0] = 100;
  b.open[1] = b.low[1] = 100;
  b.close[1] = 140;  // exactly +40%
  b.high[1] = 141;
  ValidationReport report("x.csv", {});
  validate_bars(b, {}, ColumnNames{}, true, report);
  EXPECT_EQ(report.warning_count(FindingKind::kJump), 0u);
  b.close[1] = 140.01;
  ValidationReport again("x.csv", {});
  validate_bars(b, {}, ColumnNames{}, true, again);
  EXPECT_EQ(again.warning_count(FindingKind::kJump), 1u);
}

// ---- gaps ----

std::vector<Timestamp> grid(Timestamp start, Timestamp step, std::size_t n) {
  std::vector<Timestamp> ts;
  for (std::size_t i = 0; i < n; ++i) ts.push_back(start + static_cast<Timestamp>(i) * step);
  return ts;
}

GapSummary summarize(const std::vector<Gap>& gaps) {
  GapSummary s;
  for (const Gap& g : gaps) {
    ++s.count;
    s.missing_bars += g.missing_bars;
  }
  return s;
}

// 24/7 data: every removed bar is missing; the gaps are the runs of removed bars (brute force).
TEST(FindGaps, ContinuousMarketCountsEveryMissingBar) {
  const Timestamp step = 5 * kNanosPerMinute;
  const std::vector<Timestamp> full = grid(*parse_time("2018-01-10T04:55:00Z"), step, 6000);
  std::uint64_t state = 7;
  for (int round = 0; round < 20; ++round) {
    std::vector<Timestamp> kept;
    std::vector<bool> removed(full.size(), false);
    for (std::size_t i = 0; i < full.size(); ++i) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      // Keep the ends; remove about 2% of bars, sometimes in runs.
      removed[i] =
          i > 0 && i + 1 < full.size() && ((state >> 33) % 100 < 2 || (removed[i - 1] && (state >> 40) % 2));
      if (!removed[i]) kept.push_back(full[i]);
    }
    GapSummary expected;
    for (std::size_t i = 0; i < full.size(); ++i) {
      if (!removed[i]) continue;
      ++expected.missing_bars;
      if (!removed[i - 1]) ++expected.count;
    }
    const GapSummary got = summarize(find_gaps(kept, Timeframe(TimeUnit::kMinute, 5)));
    EXPECT_EQ(got.count, expected.count);
    EXPECT_EQ(got.missing_bars, expected.missing_bars);
  }
}

// An equity-like intraday session (09:00-17:00, Monday-Friday) over four weeks.
std::vector<Timestamp> session_bars(std::int64_t skip_day = -1, Timestamp skip_bar = -1) {
  std::vector<Timestamp> ts;
  const Timestamp monday = *parse_time("2006-01-02");
  for (int day = 0; day < 28; ++day) {
    const Timestamp d = monday + day * kNanosPerDay;
    if (weekday(d) >= 5 || day == skip_day) continue;
    for (Timestamp t = d + 9 * kNanosPerHour; t <= d + 17 * kNanosPerHour; t += 5 * kNanosPerMinute) {
      if (t != skip_bar) ts.push_back(t);
    }
  }
  return ts;
}

TEST(FindGaps, SessionNightsAndWeekendsAreNotGaps) {
  EXPECT_TRUE(find_gaps(session_bars(), Timeframe(TimeUnit::kMinute, 5)).empty());
}

TEST(FindGaps, SessionMissingBarInsideTheSessionIsAGap) {
  const Timestamp missing = *parse_time("2006-01-11T10:30:00");
  const auto gaps = find_gaps(session_bars(-1, missing), Timeframe(TimeUnit::kMinute, 5));
  ASSERT_EQ(gaps.size(), 1u);
  EXPECT_EQ(gaps[0].missing_bars, 1);
  EXPECT_EQ(gaps[0].from, missing - 5 * kNanosPerMinute);
}

TEST(FindGaps, SessionMissingWholeWeekdayIsOneGapOfASession) {
  // Wednesday 2006-01-11 (day 9) missing: one gap of 97 bars (09:00..17:00 every 5 minutes).
  const auto gaps = find_gaps(session_bars(9), Timeframe(TimeUnit::kMinute, 5));
  ASSERT_EQ(gaps.size(), 1u);
  EXPECT_EQ(gaps[0].missing_bars, 97);
}

std::vector<Timestamp> weekdays(const char* first, int days, std::set<std::string> skip = {}) {
  std::vector<Timestamp> ts;
  const Timestamp start = *parse_time(first);
  for (int i = 0; i < days; ++i) {
    const Timestamp d = start + i * kNanosPerDay;
    if (weekday(d) < 5 && !skip.count(format_date(d))) ts.push_back(d);
  }
  return ts;
}

TEST(FindGaps, DailyEquityHolidaysUpToTwoDaysAreNotGaps) {
  const Timeframe day(TimeUnit::kDay, 1);
  // Good Friday + Easter Monday 2006 (14 and 17 April), Christmas + Boxing Day (25, 26 December).
  EXPECT_TRUE(
      find_gaps(weekdays("2006-01-02", 364, {"2006-04-14", "2006-04-17", "2006-12-25", "2006-12-26"}), day)
          .empty());
  // Three weekdays in a row (like 2001-09-11..14 which is four) are a gap: count the weekdays.
  const auto gaps = find_gaps(weekdays("2006-01-02", 364, {"2006-03-07", "2006-03-08", "2006-03-09"}), day);
  ASSERT_EQ(gaps.size(), 1u);
  EXPECT_EQ(gaps[0].missing_bars, 3);
  EXPECT_EQ(format_date(gaps[0].from), "2006-03-06");
}

TEST(FindGaps, DailySevenDayMarketCountsEveryMissingDay) {
  std::vector<Timestamp> ts = grid(*parse_time("2018-01-01"), kNanosPerDay, 60);
  ts.erase(ts.begin() + 20);  // a Sunday
  const auto gaps = find_gaps(ts, Timeframe(TimeUnit::kDay, 1));
  ASSERT_EQ(gaps.size(), 1u);
  EXPECT_EQ(gaps[0].missing_bars, 1);
}

TEST(FindGaps, WeeklyAndMonthlyCountMissingPeriods) {
  std::vector<Timestamp> weeks = grid(*parse_time("2018-01-01"), 7 * kNanosPerDay, 20);
  weeks.erase(weeks.begin() + 5, weeks.begin() + 7);
  auto w = summarize(find_gaps(weeks, Timeframe(TimeUnit::kWeek, 1)));
  EXPECT_EQ(w.count, 1u);
  EXPECT_EQ(w.missing_bars, 2);
  // Month-end labels (like BTCUSD-1mo) with March and April missing.
  std::vector<Timestamp> months;
  for (const char* d : {"2018-01-31", "2018-02-28", "2018-05-31", "2018-06-30"})
    months.push_back(*parse_time(d));
  auto m = summarize(find_gaps(months, Timeframe(TimeUnit::kMonth, 1)));
  EXPECT_EQ(m.count, 1u);
  EXPECT_EQ(m.missing_bars, 2);
}

TEST(FindGaps, NeverCrashesOnUnorderedOrTinyInput) {
  EXPECT_TRUE(find_gaps({}, Timeframe(TimeUnit::kMinute, 5)).empty());
  const std::vector<Timestamp> one{5};
  EXPECT_TRUE(find_gaps(one, Timeframe(TimeUnit::kMinute, 5)).empty());
  const std::vector<Timestamp> messy{10 * kNanosPerHour, 2 * kNanosPerHour, 2 * kNanosPerHour,
                                     30 * kNanosPerHour};
  for (auto tf : {Timeframe(TimeUnit::kMinute, 5), Timeframe(TimeUnit::kDay, 1),
                  Timeframe(TimeUnit::kMonth, 1), Timeframe(TimeUnit::kMinute, 7)}) {
    (void)find_gaps(messy, tf);
  }
  EXPECT_TRUE(find_gaps(messy, Timeframe()).empty());
}

// ---- the real files: figures stated in the data README ----

GapSummary gaps_of(const std::string& path) {
  auto f = read_bars_csv(path);
  EXPECT_TRUE(f.ok());
  if (!f.ok()) return {};
  EXPECT_TRUE(f->report.ok()) << f->report.error_text();
  return f->report.gaps;
}

TEST(RealDataGaps, SamplesMatchTheirReadme) {
  const std::string dir = testing::samples_dir();
  const GapSummary ada = gaps_of(dir + "/ADA_BTC-5m.csv");
  EXPECT_EQ(ada.count, 5u);
  EXPECT_EQ(ada.missing_bars, 40);
  const GapSummary eth = gaps_of(dir + "/ETH_BTC-5m.csv");
  EXPECT_EQ(eth.count, 0u);
  // GOOG: no NYSE day missing; the 2-day Sandy closure is a holiday, not a gap.
  EXPECT_EQ(gaps_of(dir + "/GOOG-1d.csv").count, 0u);
  // EURUSD: the 42 weekend/holiday closures span a Saturday; there is no gap within a trading week.
  EXPECT_EQ(gaps_of(dir + "/EURUSD-1h.csv").count, 0u);
}

TEST(RealDataGaps, AdaMissingBarsAreTheOnesTheReadmeLists) {
  auto f = read_bars_csv(testing::samples_dir() + "/ADA_BTC-5m.csv");
  ASSERT_TRUE(f.ok());
  std::vector<std::pair<std::string, std::int64_t>> got;
  for (const Gap& g : f->report.gap_list)
    got.emplace_back(format_time(g.from + 5 * kNanosPerMinute), g.missing_bars);
  // 10:10, 10:30, 11:10..11:25, 11:45, 12:00..14:40.
  const std::vector<std::pair<std::string, std::int64_t>> expected{{"2018-01-15T10:10:00Z", 1},
                                                                   {"2018-01-15T10:30:00Z", 1},
                                                                   {"2018-01-15T11:10:00Z", 4},
                                                                   {"2018-01-15T11:45:00Z", 1},
                                                                   {"2018-01-15T12:00:00Z", 33}};
  EXPECT_EQ(got, expected);
  EXPECT_EQ(f->report.warning_count(FindingKind::kFlatBar), 2u);
}

TEST(RealDataGaps, SharedFilesMatchTheirReadme) {
  const std::string dir = testing::shared_dir();
  if (dir.empty()) GTEST_SKIP() << "../shared/data is not present";
  const GapSummary xmr = gaps_of(dir + "/XMR_BTC-5m.csv");
  EXPECT_EQ(xmr.count, 2u);
  EXPECT_EQ(xmr.missing_bars, 2);
  EXPECT_EQ(gaps_of(dir + "/LTC_BTC-5m.csv").count, 0u);
  EXPECT_EQ(gaps_of(dir + "/2006-min-005.txt").count, 0u);  // 21 complete sessions
  EXPECT_EQ(gaps_of(dir + "/2006-day-001.txt").count, 0u);  // European holidays are 2 days at most
  EXPECT_EQ(gaps_of(dir + "/BTCUSD-1mo.csv").count, 0u);
  // The 2001-09-11..14 closure is 4 weekdays: a gap.
  const GapSummary orcl = gaps_of(dir + "/orcl-1995-2014.txt");
  EXPECT_EQ(orcl.count, 1u);
  EXPECT_EQ(orcl.missing_bars, 4);
  auto xmr_file = read_bars_csv(dir + "/XMR_BTC-5m.csv");
  ASSERT_TRUE(xmr_file.ok());
  EXPECT_EQ(xmr_file->report.warning_count(FindingKind::kFlatBar), 53u);
  auto day = read_bars_csv(dir + "/2006-day-001.txt");
  ASSERT_TRUE(day.ok());
  EXPECT_EQ(day->report.warning_count(FindingKind::kZeroVolume), 255u);
}

}  // namespace
}  // namespace tradeloop::data
