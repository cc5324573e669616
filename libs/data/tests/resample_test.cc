#include "tradeloop/data/resample.h"

#include <algorithm>
#include <cmath>
#include <map>

#include <gtest/gtest.h>

#include "test_util.h"
#include "tradeloop/data/csv_reader.h"

namespace tradeloop::data {
namespace {

BarSeries load(const std::string& path) {
  auto r = load_bars(path);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message());
  return r.ok() ? std::move(r).value() : BarSeries{};
}

BarSeries sample(const char* name) {
  return load(testing::samples_dir() + "/" + name);
}

// Independent reference: bucket by arithmetic on the epoch (fixed-length periods) or on the civil
// date (weeks from a known Monday, months from year*12+month), then aggregate in a std::map.
Timestamp bucket(Timestamp ts, Timeframe tf) {
  const Timestamp day = ts - ((ts % kNanosPerDay) + kNanosPerDay) % kNanosPerDay;
  switch (tf.unit()) {
    case TimeUnit::kMonth: {
      const CivilDate c = civil_from_days(day / kNanosPerDay);
      const int index = (c.year * 12 + c.month - 1) / tf.count() * tf.count();
      return days_from_civil(index / 12, index % 12 + 1, 1) * kNanosPerDay;
    }
    case TimeUnit::kWeek: {
      Timestamp monday = day;
      while (weekday(monday) != 0) monday -= kNanosPerDay;
      return monday;  // 1w only in these tests
    }
    default: {
      const Timestamp step = tf.nominal_ns();
      return ts - ((ts % step) + step) % step;
    }
  }
}

BarSeries brute_force(const BarSeries& in, Timeframe tf) {
  struct Agg {
    double open, high, low, close, volume;
  };
  std::map<Timestamp, Agg> periods;
  for (std::size_t i = 0; i < in.size(); ++i) {
    const Timestamp b = bucket(in.ts[i], tf);
    auto [it, fresh] = periods.try_emplace(b, Agg{in.open[i], in.high[i], in.low[i], in.close[i], 0.0});
    Agg& a = it->second;
    if (!fresh) {
      a.high = std::max(a.high, in.high[i]);
      a.low = std::min(a.low, in.low[i]);
      a.close = in.close[i];
    }
    a.volume += in.volume[i];
  }
  BarSeries out;
  out.symbol = in.symbol;
  out.timeframe = tf;
  for (const auto& [t, a] : periods) out.push_back(t, a.open, a.high, a.low, a.close, a.volume);
  return out;
}

// OHLC and timestamps exactly; volume to 1e-12 relative when sums are associated differently.
void expect_same(const BarSeries& a, const BarSeries& b, bool exact_volume) {
  ASSERT_EQ(a.size(), b.size());
  EXPECT_EQ(a.ts, b.ts);
  EXPECT_EQ(a.open, b.open);
  EXPECT_EQ(a.high, b.high);
  EXPECT_EQ(a.low, b.low);
  EXPECT_EQ(a.close, b.close);
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (exact_volume) {
      EXPECT_EQ(a.volume[i], b.volume[i]) << i;
    } else {
      EXPECT_NEAR(a.volume[i], b.volume[i], 1e-12 * std::max(1.0, std::fabs(b.volume[i]))) << i;
    }
  }
}

Timeframe tf(const char* text) {
  return *Timeframe::parse(text);
}

TEST(Resample, EqualsBruteForceOnRealData) {
  const BarSeries eth = sample("ETH_BTC-5m.csv");
  const BarSeries ada = sample("ADA_BTC-5m.csv");  // with 5 gaps
  const BarSeries eur = sample("EURUSD-1h.csv");
  const BarSeries goog = sample("GOOG-1d.csv");
  for (const char* target : {"5m", "15m", "1h", "4h", "1d", "1w", "1M"}) {
    SCOPED_TRACE(target);
    expect_same(*resample(eth, tf(target)), brute_force(eth, tf(target)), true);
    expect_same(*resample(ada, tf(target)), brute_force(ada, tf(target)), true);
  }
  for (const char* target : {"4h", "1d", "1w", "1M", "3M"}) {
    SCOPED_TRACE(target);
    expect_same(*resample(eur, tf(target)), brute_force(eur, tf(target)), true);
  }
  for (const char* target : {"1w", "1M", "3M", "12M"}) {
    SCOPED_TRACE(target);
    expect_same(*resample(goog, tf(target)), brute_force(goog, tf(target)), true);
  }
}

TEST(Resample, FiveMinutesToOneHourByHand) {
  const BarSeries eth = sample("ETH_BTC-5m.csv");
  const BarSeries h = *resample(eth, tf("1h"));
  // The file starts at 04:55: the first hour holds one bar, the second twelve (05:00..05:55).
  EXPECT_EQ(format_time(h.ts[0]), "2018-01-10T04:00:00Z");
  EXPECT_EQ(h.open[0], eth.open[0]);
  EXPECT_EQ(h.close[0], eth.close[0]);
  EXPECT_EQ(h.open[1], eth.open[1]);
  EXPECT_EQ(h.close[1], eth.close[12]);
  EXPECT_EQ(h.high[1], *std::max_element(eth.high.begin() + 1, eth.high.begin() + 13));
  EXPECT_EQ(h.low[1], *std::min_element(eth.low.begin() + 1, eth.low.begin() + 13));
  double v = 0;
  for (int i = 1; i <= 12; ++i) v += eth.volume[i];
  EXPECT_EQ(h.volume[1], v);
  EXPECT_EQ(h.timeframe.to_string(), "1h");
  EXPECT_EQ(h.symbol, "ETH_BTC");
}

TEST(Resample, CompositionEqualsDirect) {
  const BarSeries eth = sample("ETH_BTC-5m.csv");
  const BarSeries ada = sample("ADA_BTC-5m.csv");
  const BarSeries eur = sample("EURUSD-1h.csv");
  const BarSeries goog = sample("GOOG-1d.csv");
  struct Chain {
    const BarSeries* in;
    const char* b;
    const char* c;
  };
  for (const Chain& k : {Chain{&eth, "15m", "1h"}, Chain{&eth, "1h", "1d"}, Chain{&ada, "1h", "4h"},
                         Chain{&ada, "1d", "1w"}, Chain{&eur, "4h", "1d"}, Chain{&eur, "1d", "1M"},
                         Chain{&goog, "1M", "3M"}, Chain{&goog, "1w", "2w"}, Chain{&eth, "1h", "1M"}}) {
    SCOPED_TRACE(std::string(k.b) + " -> " + k.c);
    auto two_steps = resample(*resample(*k.in, tf(k.b)), tf(k.c));
    auto direct = resample(*k.in, tf(k.c));
    ASSERT_TRUE(two_steps.ok()) << two_steps.error().message();
    expect_same(*two_steps, *direct, false);
  }
}

TEST(Resample, WeeksStartMondayAndMonthsOnTheFirst) {
  const BarSeries goog = sample("GOOG-1d.csv");
  const BarSeries weeks = *resample(goog, tf("1w"));
  for (Timestamp t : weeks.ts) EXPECT_EQ(weekday(t), 0) << format_time(t);
  EXPECT_EQ(format_date(weeks.ts[0]), "2004-08-16");  // GOOG listed on Thursday 2004-08-19
  const BarSeries months = *resample(goog, tf("1M"));
  for (Timestamp t : months.ts) EXPECT_EQ(civil_from_days(t / kNanosPerDay).day, 1);
  EXPECT_EQ(format_date(months.ts[0]), "2004-08-01");
  EXPECT_EQ(months.size(), 104u);  // 2004-08 .. 2013-03
}

TEST(Resample, EmptyPeriodsAreDropped) {
  const BarSeries ada = sample("ADA_BTC-5m.csv");
  const BarSeries q = *resample(ada, tf("15m"));
  // 12:00..14:40 are missing: the 12:00 .. 14:30 quarter hours have no bar at all.
  for (Timestamp t : q.ts) {
    const std::string s = format_time(t);
    EXPECT_FALSE(s > "2018-01-15T11:59" && s < "2018-01-15T14:45") << s;
  }
  EXPECT_EQ(q.size(), brute_force(ada, tf("15m")).size());
}

TEST(Resample, MonthEndLabelledMonthsGoToTheirOwnMonth) {
  BarSeries m;
  m.symbol = "BTCUSD";
  for (const char* d : {"2012-01-31", "2012-02-29", "2012-03-31", "2012-04-30"}) {
    m.push_back(*parse_time(d), 5, 7, 4, 6, 1);
  }
  m.timeframe = tf("1M");
  const BarSeries q = *resample(m, tf("3M"));
  ASSERT_EQ(q.size(), 2u);
  EXPECT_EQ(format_date(q.ts[0]), "2012-01-01");
  EXPECT_EQ(q.volume[0], 3.0);
  EXPECT_EQ(format_date(q.ts[1]), "2012-04-01");
}

TEST(Resample, NoLookAheadPerturbingLaterBarsLeavesEarlierPeriodsAlone) {
  const BarSeries eth = sample("ETH_BTC-5m.csv");
  const BarSeries base = *resample(eth, tf("1h"));
  BarSeries changed = eth;
  // Perturb every bar from 2018-01-20T00:00Z on.
  const Timestamp cut = *parse_time("2018-01-20T00:00:00Z");
  for (std::size_t i = 0; i < changed.size(); ++i) {
    if (changed.ts[i] < cut) continue;
    changed.high[i] *= 2;
    changed.close[i] *= 1.5;
    changed.volume[i] += 1;
  }
  const BarSeries after = *resample(changed, tf("1h"));
  ASSERT_EQ(after.size(), base.size());
  for (std::size_t i = 0; i < base.size(); ++i) {
    if (base.ts[i] >= cut) break;
    EXPECT_EQ(after.high[i], base.high[i]);
    EXPECT_EQ(after.close[i], base.close[i]);
    EXPECT_EQ(after.volume[i], base.volume[i]);
  }
}

TEST(Resample, RejectsTargetsThatAreNotWholeMultiples) {
  const BarSeries eur = sample("EURUSD-1h.csv");
  for (const char* bad : {"5m", "90m", "1s"}) {
    auto r = resample(eur, tf(bad));
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(r.error().message().find("not a whole multiple"), std::string::npos) << r.error().message();
  }
  const BarSeries weeks = *resample(eur, tf("1w"));
  EXPECT_FALSE(resample(weeks, tf("1M")).ok());  // weeks do not tile months
}

TEST(Resample, RejectsUnorderedAndMisalignedBars) {
  BarSeries b;
  b.symbol = "X";
  b.timeframe = tf("1h");
  b.push_back(2 * kNanosPerHour, 1, 2, 1, 1, 1);
  b.push_back(1 * kNanosPerHour, 1, 2, 1, 1, 1);
  EXPECT_FALSE(resample(b, tf("1d")).ok());
  // An hourly bar opening at 03:30 would leak 04:00..04:30 into the 00:00 4h bar.
  BarSeries m;
  m.symbol = "X";
  m.timeframe = tf("1h");
  m.push_back(2 * kNanosPerHour + 30 * kNanosPerMinute, 1, 2, 1, 1, 1);
  m.push_back(3 * kNanosPerHour + 30 * kNanosPerMinute, 1, 2, 1, 1, 1);
  auto r = resample(m, tf("4h"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("ends after"), std::string::npos) << r.error().message();
}

TEST(Resample, EmptyAndSingleBarSeries) {
  BarSeries empty;
  empty.timeframe = tf("5m");
  EXPECT_TRUE(resample(empty, tf("1h"))->empty());
  BarSeries one;
  one.push_back(*parse_time("2018-01-10T04:55:00Z"), 1, 2, 0.5, 1.5, 3);
  const BarSeries r = *resample(one, tf("1h"));
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(format_time(r.ts[0]), "2018-01-10T04:00:00Z");
  EXPECT_FALSE(resample(one, Timeframe()).ok());
}

}  // namespace
}  // namespace tradeloop::data
