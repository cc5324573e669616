#include "tradeloop/analytics/tearsheet.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tradeloop/analytics/metrics.h"

namespace tradeloop::analytics {
namespace {

Timestamp at(const char* text) {
  return parse_time(text).value();
}

// `bars` daily bars from 2020-01-01 of a random walk, with a long/short trade every 10 bars.
RunRecord synthetic_run(std::size_t bars, Timestamp step, std::vector<double>* open,
                        std::vector<double>* high, std::vector<double>* low) {
  RunRecord r;
  r.initial_cash = 10000;
  std::mt19937_64 rng(3);
  std::normal_distribution<double> ret(0.0004, 0.015);
  double c = 100, e = 10000;
  for (std::size_t i = 0; i < bars; ++i) {
    r.equity.ts.push_back(at("2020-01-01") + static_cast<Timestamp>(i) * step);
    const double x = ret(rng);
    const double o = c;
    c *= 1 + x;
    e *= 1 + 0.7 * x;
    r.equity.equity.push_back(e);
    r.equity.cash.push_back(e);
    r.equity.position_value.push_back(0);
    r.equity.exposure.push_back(i % 20 < 10 ? 1 : 0);
    r.benchmark_close.push_back(c);
    open->push_back(o);
    high->push_back(std::max(o, c) * 1.01);
    low->push_back(std::min(o, c) * 0.99);
  }
  for (std::size_t i = 5; i + 5 < bars; i += 10) {
    ClosedTrade t;
    t.symbol = "SYN";
    t.side = (i / 10) % 2 == 0 ? Side::kLong : Side::kShort;
    t.size = 10;
    t.entry_bar = static_cast<std::int64_t>(i);
    t.exit_bar = static_cast<std::int64_t>(i + 4);
    t.entry_time = r.equity.ts[i];
    t.exit_time = r.equity.ts[i + 4];
    t.entry_price = r.benchmark_close[i];
    t.exit_price = r.benchmark_close[i + 4];
    const double sign = t.side == Side::kLong ? 1 : -1;
    t.return_pct = sign * (t.exit_price / t.entry_price - 1) * 100;
    t.fees = 0.5;
    t.pnl = sign * t.size * (t.exit_price - t.entry_price) - t.fees;
    t.exit_reason = "signal";
    r.trades.push_back(t);
  }
  r.warmup_bars = 3;
  return r;
}

struct Fixture {
  std::vector<double> open, high, low;
  RunRecord run;
  Metrics metrics;
  PriceBars prices;
  explicit Fixture(std::size_t bars, Timestamp step = kNanosPerDay) {
    run = synthetic_run(bars, step, &open, &high, &low);
    metrics = compute_metrics(run).value();
    prices = {"SYN", run.equity.ts, open, high, low, run.benchmark_close};
  }
};

std::size_t count(const std::string& s, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
  return n;
}

TEST(Tearsheet, HasEveryChartAndTheMetricsTable) {
  const Fixture f(400);
  TearsheetOptions o;
  o.title = "SMA <cross> & co";
  o.info = {{"data", "SYN-1d.csv"}};
  const std::string html = render_tearsheet(f.run, f.metrics, f.prices, o).value();
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  for (const char* chart : {"equity", "drawdown", "price", "rolling-sharpe", "monthly", "histogram"}) {
    EXPECT_EQ(count(html, std::string("data-chart=\"") + chart + "\""), 1u) << chart;
  }
  for (const MetricInfo& info : metric_catalog()) {
    EXPECT_NE(html.find("data-metric=\"" + std::string(info.key) + "\""), std::string::npos) << info.key;
  }
  EXPECT_NE(html.find("<title>SMA &lt;cross&gt; &amp; co</title>"), std::string::npos);
  EXPECT_NE(html.find("data: SYN-1d.csv"), std::string::npos);
  EXPECT_NE(html.find("<link rel=\"icon\" href=\"data:,\">"), std::string::npos);
  // 400 bars: 39 trades, each with an entry and an exit marker carrying a tooltip.
  EXPECT_EQ(count(html, "class=\"marker long-entry\""), 20u + 1u);  // + the legend swatch
  EXPECT_EQ(count(html, "class=\"marker short-entry\""), 19u + 1u);
  // Candles: 400 bars do not fit 4 px each, so the price is a line.
  EXPECT_NE(html.find("class=\"series price\""), std::string::npos);
}

TEST(Tearsheet, IsSelfContained) {
  const Fixture f(300);
  const std::string html = render_tearsheet(f.run, f.metrics, f.prices).value();
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("src="), std::string::npos);
  EXPECT_EQ(html.find("@import"), std::string::npos);
  EXPECT_EQ(html.find("url("), std::string::npos);
  // The only URL is the SVG namespace, which browsers never fetch.
  std::string rest = html;
  for (std::size_t p; (p = rest.find("http://www.w3.org/2000/svg")) != std::string::npos;) rest.erase(p, 26);
  EXPECT_EQ(rest.find("http://"), std::string::npos);
  EXPECT_EQ(rest.find("https://"), std::string::npos);
}

TEST(Tearsheet, PathsAreWellFormed) {
  const Fixture f(500);
  const std::string html = render_tearsheet(f.run, f.metrics, f.prices).value();
  // Every d="..." of a <path> (std::regex is avoided: g++ 12 warns inside it under ASan).
  std::size_t paths = 0;
  for (std::size_t p = html.find("<path"); p != std::string::npos; p = html.find("<path", p + 1)) {
    const std::size_t end = html.find('>', p);
    const std::size_t d_at = html.find(" d=\"", p);
    ASSERT_LT(d_at, end);
    const std::size_t close = html.find('"', d_at + 4);
    const std::string d = html.substr(d_at + 4, close - d_at - 4);
    ++paths;
    EXPECT_FALSE(d.empty());
    EXPECT_EQ(d.find_first_not_of("MLmlhvVHZzaA-0123456789. "), std::string::npos) << d.substr(0, 200);
    EXPECT_NE(d.find_first_of("Mm"), std::string::npos);
  }
  EXPECT_GT(paths, 80u);
}

TEST(Tearsheet, CandlesWhenFewBars) {
  const Fixture f(120);
  const std::string html = render_tearsheet(f.run, f.metrics, f.prices).value();
  EXPECT_NE(html.find("class=\"candle-up\""), std::string::npos);
  EXPECT_NE(html.find("class=\"candle-down\""), std::string::npos);
  EXPECT_NE(html.find("class=\"wick\""), std::string::npos);
}

TEST(Tearsheet, DownsamplesAMillionBarsToAReasonableFile) {
  const Fixture f(1'000'000, 5 * kNanosPerMinute);
  TearsheetOptions o;
  o.max_trade_rows = 200;
  const std::string html = render_tearsheet(f.run, f.metrics, f.prices, o).value();
  EXPECT_LT(html.size(), 1'500'000u) << "bytes: " << html.size();
  EXPECT_NE(html.find("markers merged per pixel"), std::string::npos);
  EXPECT_NE(html.find("200 of 99999 trades"), std::string::npos);
}

TEST(Tearsheet, IsDeterministic) {
  const Fixture f(250);
  EXPECT_EQ(render_tearsheet(f.run, f.metrics, f.prices).value(),
            render_tearsheet(f.run, f.metrics, f.prices).value());
}

TEST(Tearsheet, WithoutPricesOrTradesOrBenchmark) {
  Fixture f(50);
  f.run.trades.clear();
  f.run.benchmark_close.clear();
  const Metrics m = compute_metrics(f.run).value();
  const std::string html = render_tearsheet(f.run, m, PriceBars{}).value();
  EXPECT_NE(html.find("No price series to draw"), std::string::npos);
  EXPECT_NE(html.find("No closed trades"), std::string::npos);
  EXPECT_NE(html.find("data-chart=\"equity\""), std::string::npos);
  EXPECT_EQ(html.find("Buy &amp; hold</text>"), std::string::npos);
}

TEST(Tearsheet, SingleBarRunStillRenders) {
  RunRecord r;
  r.equity.ts = {at("2024-01-02")};
  r.equity.equity = {1000};
  const Metrics m = compute_metrics(r).value();
  const Result<std::string> html = render_tearsheet(r, m, PriceBars{});
  ASSERT_TRUE(html.ok());
  EXPECT_NE(html.value().find("Not enough return periods"), std::string::npos);
  EXPECT_EQ(html.value().find("nan"), std::string::npos);
}

TEST(Tearsheet, MonthlyReturnsCompoundToTheYear) {
  RunRecord r;
  // Month ends: 100 -> 110 (Jan) -> 99 (Feb) -> 108.9 (Mar); 2024 starts from March's 108.9.
  r.equity.ts = {at("2023-01-01"), at("2023-01-31"), at("2023-02-28"), at("2023-03-31"), at("2024-01-15")};
  r.equity.equity = {100, 110, 99, 108.9, 119.79};
  const Metrics m = compute_metrics(r).value();
  const std::string html = render_tearsheet(r, m, PriceBars{}).value();
  EXPECT_NE(html.find("Jan 2023: +10.00%"), std::string::npos);
  EXPECT_NE(html.find("Feb 2023: -10.00%"), std::string::npos);
  EXPECT_NE(html.find("Mar 2023: +10.00%"), std::string::npos);
  EXPECT_NE(html.find("Year 2023: +8.90%"), std::string::npos);  // 108.9 / 100
  EXPECT_NE(html.find("Jan 2024: +10.00%"), std::string::npos);
  EXPECT_NE(html.find("Year 2024: +10.00%"), std::string::npos);
}

TEST(Tearsheet, RejectsMismatchedPriceColumns) {
  const Fixture f(50);
  PriceBars p = f.prices;
  p.close = std::span<const double>(f.run.benchmark_close).subspan(0, 40);
  const Result<std::string> html = render_tearsheet(f.run, f.metrics, p);
  ASSERT_FALSE(html.ok());
  EXPECT_NE(html.error().message().find("'close' has 40 values but ts has 50"), std::string::npos);
}

TEST(Tearsheet, WritesTheFileOrSaysWhyNot) {
  const Fixture f(60);
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "tl_tearsheet_unit";
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "report.html").string();
  ASSERT_TRUE(write_tearsheet(f.run, f.prices, f.metrics, "Report", path).ok());
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str(),
            render_tearsheet(f.run, f.metrics, f.prices, TearsheetOptions{"Report", {}, {}, 0, 500}).value());
  const Status bad = write_tearsheet(f.run, f.prices, f.metrics, "Report", "/nonexistent-dir/x/report.html");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), ErrorCode::kIo);
  EXPECT_NE(bad.error().message().find("/nonexistent-dir/x/report.html"), std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST(Tearsheet, SparklineIsASmallInlineSvg) {
  const Fixture f(5000);
  const std::string s = render_equity_sparkline(f.run.equity.ts, f.run.equity.equity, 120, 30);
  EXPECT_EQ(s.rfind("<svg class=\"sparkline\"", 0), 0u);
  EXPECT_LT(s.size(), 8000u);  // at most 4 points per column
  EXPECT_NE(s.find("d=\"M"), std::string::npos);
  EXPECT_EQ(render_equity_sparkline({}, {}).find("<path"), std::string::npos);
}

TEST(Tearsheet, HtmlEscape) {
  EXPECT_EQ(html_escape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&#39;");
}

}  // namespace
}  // namespace tradeloop::analytics
