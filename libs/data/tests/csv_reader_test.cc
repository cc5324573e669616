#include "tradeloop/data/csv_reader.h"

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include <gtest/gtest.h>

#include "test_util.h"

namespace tradeloop::data {
namespace {

using testing::TempDir;

constexpr Timestamp kSec = kNanosPerSecond;

// 2018-01-10T04:55:00Z and the next two 5-minute bars, in epoch seconds (date -u -d ... +%s).
constexpr std::int64_t kT0 = 1515560100;

BarFile parse(std::string_view text, std::string_view name = "TEST-5m.csv", CsvOptions options = {}) {
  return parse_bars_csv(text, name, options);
}

bool has_error(const BarFile& f, FindingKind kind, std::size_t line, std::string_view field = {}) {
  for (const Finding& e : f.report.errors()) {
    if (e.kind == kind && e.line == line && (field.empty() || e.field == field)) return true;
  }
  return false;
}

std::string errors_of(const BarFile& f) {
  return f.report.error_text();
}

const char* kGood =
    "timestamp,open,high,low,close,volume\n"
    "2018-01-10T04:55:00Z,1.0,1.5,0.5,1.2,10\n"
    "2018-01-10T05:00:00Z,1.2,1.3,1.1,1.25,11\n"
    "2018-01-10T05:05:00Z,1.25,1.4,1.2,1.3,12\n";

void expect_three_good_bars(const BarFile& f) {
  EXPECT_TRUE(f.report.ok()) << errors_of(f);
  ASSERT_EQ(f.bars.size(), 3u);
  EXPECT_EQ(f.bars.ts[0], kT0 * kSec);
  EXPECT_EQ(f.bars.ts[2], (kT0 + 600) * kSec);
  EXPECT_EQ(f.bars.open[1], 1.2);
  EXPECT_EQ(f.bars.high[0], 1.5);
  EXPECT_EQ(f.bars.low[2], 1.2);
  EXPECT_EQ(f.bars.close[1], 1.25);
  EXPECT_EQ(f.bars.volume[2], 12.0);
  EXPECT_EQ(f.bars.timeframe.to_string(), "5m");
}

TEST(CsvReader, ReadsPlainFile) {
  const BarFile f = parse(kGood);
  expect_three_good_bars(f);
  EXPECT_EQ(f.rows, 3u);
  EXPECT_EQ(f.bars.symbol, "TEST");
  EXPECT_EQ(f.lines, (std::vector<std::uint32_t>{2, 3, 4}));
}

TEST(CsvReader, SkipsUtf8Bom) {
  expect_three_good_bars(parse(std::string("\xEF\xBB\xBF") + kGood));
}

TEST(CsvReader, ReadsCrlfLineEnds) {
  std::string text = kGood;
  std::string crlf;
  for (char c : text) {
    if (c == '\n') crlf += '\r';
    crlf += c;
  }
  expect_three_good_bars(parse(crlf));
}

TEST(CsvReader, ReadsBareCrLineEnds) {
  std::string text = kGood;
  for (char& c : text) c = c == '\n' ? '\r' : c;
  expect_three_good_bars(parse(text));
}

TEST(CsvReader, ReadsFileWithoutFinalNewline) {
  std::string text = kGood;
  text.pop_back();
  expect_three_good_bars(parse(text));
}

TEST(CsvReader, SkipsBlankLinesAndKeepsLineNumbers) {
  const BarFile f = parse(
      "timestamp,open,high,low,close,volume\n\n"
      "2018-01-10T04:55:00Z,1.0,1.5,0.5,1.2,10\n   \n"
      "2018-01-10T05:00:00Z,1.2,1.3,1.1,1.25,11\n"
      "2018-01-10T05:05:00Z,1.25,1.4,1.2,1.3,12\n\n\n");
  expect_three_good_bars(f);
  EXPECT_EQ(f.rows, 3u);
  EXPECT_EQ(f.lines, (std::vector<std::uint32_t>{3, 5, 6}));
}

TEST(CsvReader, ReadsQuotedFieldsWithEscapesAndDelimiters) {
  const BarFile f = parse(
      "\"timestamp\",\"open\",\"high\",\"low\",\"close\",\"volume\",\"note\"\n"
      "\"2018-01-10T04:55:00Z\",\"1.0\",1.5,0.5,\"1.2\",10,\"a, \"\"quoted\"\" note\"\n"
      "2018-01-10T05:00:00Z, \"1.2\" ,1.3,1.1,1.25,11,\"\"\n"
      "2018-01-10T05:05:00Z,1.25,1.4,1.2,1.3,12,plain\n");
  expect_three_good_bars(f);
  EXPECT_EQ(f.columns.back(), "note");
}

TEST(CsvReader, HeaderNamesAreCaseInsensitiveAndExtraColumnsIgnored) {
  const BarFile f = parse(
      "Date,OPEN,High,low,Close,Adj Close,Volume,OpenInterest\n"
      "2004-08-19,100,104.06,95.96,100.34,50.17,22351900,0\n"
      "2004-08-20,101.01,109.08,100.5,108.31,54.15,11428600,0\n",
      "GOOG-1d.csv");
  ASSERT_TRUE(f.report.ok()) << errors_of(f);
  ASSERT_EQ(f.bars.size(), 2u);
  EXPECT_EQ(f.bars.close[0], 100.34);  // Close, not Adj Close
  EXPECT_EQ(f.bars.volume[1], 11428600.0);
  EXPECT_EQ(f.bars.ts[0], 1092873600 * kSec);
  EXPECT_EQ(f.bars.timeframe.to_string(), "1d");
  EXPECT_EQ(f.bars.symbol, "GOOG");
}

TEST(CsvReader, JoinsSplitDateAndTimeColumns) {
  const BarFile f = parse(
      "Date,Time,Open,High,Low,Close,Volume,OpenInterest\n"
      "2006-01-02,09:05:00,3578.73,3587.88,3578.73,3582.99,0,0\n"
      "2006-01-02,09:10:00,3583.01,3588.40,3583.01,3588.03,0,0\n");
  ASSERT_TRUE(f.report.ok()) << errors_of(f);
  ASSERT_EQ(f.bars.size(), 2u);
  EXPECT_EQ(f.bars.ts[0], *parse_time("2006-01-02T09:05:00"));
  EXPECT_EQ(f.bars.ts[1] - f.bars.ts[0], 5 * kNanosPerMinute);
}

TEST(CsvReader, ReadsEpochSecondsAndMilliseconds) {
  const BarFile sec = parse(
      "time,open,high,low,close,volume\n"
      "1515560100,1.0,1.5,0.5,1.2,10\n"
      "1515560400,1.2,1.3,1.1,1.25,11\n"
      "1515560700,1.25,1.4,1.2,1.3,12\n");
  expect_three_good_bars(sec);
  const BarFile ms = parse(
      "ts,open,high,low,close,volume\n"
      "1515560100000,1.0,1.5,0.5,1.2,10\n"
      "1515560400000,1.2,1.3,1.1,1.25,11\n"
      "1515560700000,1.25,1.4,1.2,1.3,12\n");
  expect_three_good_bars(ms);
}

TEST(CsvReader, ReadsTimesWithOffsetsSpacesAndFractions) {
  const BarFile f = parse(
      "datetime,open,high,low,close,volume\n"
      "2018-01-10 06:55:00+02:00,1.0,1.5,0.5,1.2,10\n"
      "2018-01-10 05:00,1.2,1.3,1.1,1.25,11\n"
      "2018-01-10T05:05:00.000Z,1.25,1.4,1.2,1.3,12\n");
  expect_three_good_bars(f);
}

TEST(CsvReader, ReadsSemicolonAndTabDelimiters) {
  std::string semi = kGood, tab = kGood;
  for (char& c : semi) c = c == ',' ? ';' : c;
  for (char& c : tab) c = c == ',' ? '\t' : c;
  expect_three_good_bars(parse(semi));
  expect_three_good_bars(parse(tab));
}

TEST(CsvReader, AcceptsTrailingDelimiterAndLeadingPlus) {
  const BarFile f = parse(
      "timestamp,open,high,low,close,volume\n"
      "2018-01-10T04:55:00Z,+1.0,1.5,0.5,1.2,10,\n"
      "2018-01-10T05:00:00Z,1.2,1.3,1.1,1.25,11,\n"
      "2018-01-10T05:05:00Z,1.25,1.4,1.2,1.3,1.2e1,\n");
  expect_three_good_bars(f);
}

TEST(CsvReader, MissingVolumeColumnGivesZeroVolumeAndANote) {
  const BarFile f = parse(
      "timestamp,open,high,low,close\n"
      "2018-01-10T04:55:00Z,1.0,1.5,0.5,1.2\n"
      "2018-01-10T05:00:00Z,1.2,1.3,1.1,1.25\n");
  EXPECT_TRUE(f.report.ok()) << errors_of(f);
  EXPECT_FALSE(f.has_volume);
  EXPECT_EQ(f.bars.volume, (std::vector<double>{0, 0}));
  EXPECT_EQ(f.report.warning_count(FindingKind::kZeroVolume), 0u);
  EXPECT_EQ(f.report.warning_count(FindingKind::kNote), 1u);
}

TEST(CsvReader, GuessesSymbolFromFileName) {
  EXPECT_EQ(symbol_from_path("/x/y/GOOG-1d.csv"), "GOOG");
  EXPECT_EQ(symbol_from_path("ETH_BTC-5m.csv"), "ETH_BTC");
  EXPECT_EQ(symbol_from_path("stock_prices.csv"), "stock_prices");
  EXPECT_EQ(symbol_from_path("orcl-1995-2014.txt"), "orcl");
  EXPECT_EQ(symbol_from_path("2006-day-001.txt"), "2006-day-001");
  EXPECT_EQ(symbol_from_path("data.csv.gz"), "data");
  CsvOptions options;
  options.symbol = "MINE";
  EXPECT_EQ(parse(kGood, "GOOG-1d.csv", options).bars.symbol, "MINE");
}

// ---- errors: each with its line and column, in the documented message style ----

TEST(CsvReaderErrors, NanIsReportedWithFileLineAndColumn) {
  const BarFile f = parse(
      "timestamp,open,high,low,close,volume\n"
      "2018-01-10T04:55:00Z,1.0,1.5,0.5,1.2,10\n"
      "2018-01-10T05:00:00Z,1.2,1.3,1.1,NaN,11\n",
      "/tmp/ADA_BTC-5m.csv");
  ASSERT_EQ(f.report.errors().size(), 1u) << errors_of(f);
  EXPECT_EQ(f.report.format(f.report.errors()[0]), "ADA_BTC-5m.csv:3: column 'close': NaN");
  EXPECT_EQ(f.bars.size(), 2u);  // parseable rows are kept; the report says they are bad
}

TEST(CsvReaderErrors, InfinityAndNonPositivePricesAndNegativeVolume) {
  const BarFile f = parse(
      "timestamp,open,high,low,close,volume\n"
      "2018-01-10T04:55:00Z,1.0,inf,0.5,1.2,10\n"
      "2018-01-10T05:00:00Z,0,1.3,1.1,1.2,11\n"
      "2018-01-10T05:05:00Z,1.25,1.4,-1.2,1.3,12\n"
      "2018-01-10T05:10:00Z,1.25,1.4,1.2,1.3,-5\n");
  EXPECT_TRUE(has_error(f, FindingKind::kNotFinite, 2, "high")) << errors_of(f);
  EXPECT_TRUE(has_error(f, FindingKind::kNonPositivePrice, 3, "open")) << errors_of(f);
  EXPECT_TRUE(has_error(f, FindingKind::kNonPositivePrice, 4, "low")) << errors_of(f);
  EXPECT_TRUE(has_error(f, FindingKind::kNegativeVolume, 5, "volume")) << errors_of(f);
  EXPECT_EQ(f.report.error_count(), 4u) << errors_of(f);
}

TEST(CsvReaderErrors, OhlcInconsistencies) {
  const BarFile f = parse(
      "timestamp,open,high,low,close,volume\n"
      "2018-01-10T04:55:00Z,1.0,101.2,101.5,1.2,10\n"  // high < low
      "2018-01-10T05:00:00Z,1.4,1.3,1.1,1.2,11\n"      // high < open
      "2018-01-10T05:05:00Z,1.25,1.4,1.28,1.3,12\n"    // low > open
      "2018-01-10T05:10:00Z,1.25,1.4,1.2,1.3,12\n",
      "GOOG.csv");
  ASSERT_EQ(f.report.error_count(), 3u) << errors_of(f);
  EXPECT_EQ(f.report.format(f.report.errors()[0]),
            "GOOG.csv:2: column 'high' (101.2) is below 'low' (101.5)");
  EXPECT_EQ(f.report.format(f.report.errors()[1]), "GOOG.csv:3: column 'high' (1.3) is below 'open' (1.4)");
  EXPECT_EQ(f.report.format(f.report.errors()[2]), "GOOG.csv:4: column 'low' (1.28) is above 'open' (1.25)");
}

TEST(CsvReaderErrors, DuplicateAndOutOfOrderTimestamps) {
  const BarFile f = parse(
      "timestamp,open,high,low,close,volume\n"
      "2018-01-10T04:55:00Z,1.0,1.5,0.5,1.2,10\n"
      "2018-01-10T04:55:00Z,1.2,1.3,1.1,1.25,11\n"
      "2018-01-10T05:05:00Z,1.25,1.4,1.2,1.3,12\n"
      "2018-01-10T05:00:00Z,1.25,1.4,1.2,1.3,12\n");
  EXPECT_TRUE(has_error(f, FindingKind::kDuplicate, 3, "timestamp")) << errors_of(f);
  EXPECT_TRUE(has_error(f, FindingKind::kOutOfOrder, 5, "timestamp")) << errors_of(f);
  EXPECT_EQ(f.report.error_count(), 2u) << errors_of(f);
}

TEST(CsvReaderErrors, UnparsableFieldsAndTimesLeaveTheRowOut) {
  const BarFile f = parse(
      "timestamp,open,high,low,close,volume\n"
      "2018-01-10T04:55:00Z,1.0,1.5,0.5,1.2,10\n"
      "2018-01-10T05:00:00Z,abc,1.3,1.1,1.25,11\n"
      "2018-13-10T05:05:00Z,1.25,1.4,1.2,1.3,12\n"
      "2018-01-10T05:10:00Z,1.25,1.4,1.2,1.3,\n"
      "2018-01-10T05:15:00Z,1.25,1.4,1.2,1.3,12\n");
  EXPECT_TRUE(has_error(f, FindingKind::kUnparsable, 3, "open")) << errors_of(f);
  EXPECT_TRUE(has_error(f, FindingKind::kUnparsable, 4, "timestamp")) << errors_of(f);
  EXPECT_TRUE(has_error(f, FindingKind::kUnparsable, 5, "volume")) << errors_of(f);
  EXPECT_EQ(f.report.error_count(), 3u) << errors_of(f);
  EXPECT_EQ(f.rows, 5u);
  EXPECT_EQ(f.bars.size(), 2u);
  EXPECT_EQ(f.lines, (std::vector<std::uint32_t>{2, 6}));
  EXPECT_NE(f.report.format(f.report.errors()[0]).find("cannot parse 'abc' as a number"), std::string::npos);
}

TEST(CsvReaderErrors, ShortAndLongRows) {
  const BarFile f = parse(
      "timestamp,open,high,low,close,volume\n"
      "2018-01-10T04:55:00Z,1.0,1.5,0.5,1.2\n"
      "2018-01-10T05:00:00Z,1.2,1.3,1.1,1.25,11,7\n"
      "2018-01-10T05:05:00Z,1.25,1.4,1.2,1.3,12\n");
  EXPECT_TRUE(has_error(f, FindingKind::kShortRow, 2)) << errors_of(f);
  EXPECT_TRUE(has_error(f, FindingKind::kLongRow, 3)) << errors_of(f);
  EXPECT_EQ(f.report.error_count(), 2u);
  EXPECT_EQ(f.bars.size(), 1u);
}

TEST(CsvReaderErrors, UnterminatedQuote) {
  const BarFile f = parse(
      "timestamp,open,high,low,close,volume\n"
      "2018-01-10T04:55:00Z,\"1.0,1.5,0.5,1.2,10\n"
      "2018-01-10T05:00:00Z,1.2,1.3,1.1,1.25,11\n");
  ASSERT_TRUE(has_error(f, FindingKind::kUnterminatedQuote, 2, "open")) << errors_of(f);
  EXPECT_EQ(f.report.error_count(), 1u);
  EXPECT_EQ(f.bars.size(), 1u);  // the next line is read normally
}

TEST(CsvReaderErrors, MissingRequiredColumns) {
  const BarFile f = parse(
      "timestamp,open,high,close,volume\n"
      "2018-01-10T04:55:00Z,1.0,1.5,1.2,10\n");
  ASSERT_TRUE(has_error(f, FindingKind::kMissingColumn, 1, "low")) << errors_of(f);
  EXPECT_EQ(f.report.error_count(), 1u);
  const BarFile g = parse("when,open,high,low,close\n1,2,3,1,2\n");
  EXPECT_TRUE(has_error(g, FindingKind::kMissingColumn, 1, "timestamp")) << errors_of(g);
}

TEST(CsvReaderErrors, EmptyFileAndHeaderOnly) {
  EXPECT_TRUE(has_error(parse(""), FindingKind::kEmptyFile, 0));
  EXPECT_TRUE(has_error(parse("\xEF\xBB\xBF\r\n\r\n"), FindingKind::kEmptyFile, 0));
  EXPECT_TRUE(has_error(parse("timestamp,open,high,low,close,volume\n"), FindingKind::kEmptyFile, 0));
}

TEST(CsvReaderErrors, TimeframeGivenThatDoesNotMatchTheSpacing) {
  CsvOptions options;
  options.timeframe = *Timeframe::parse("1h");
  const BarFile f = parse(kGood, "X.csv", options);
  EXPECT_TRUE(has_error(f, FindingKind::kTimeframeMismatch, 2)) << errors_of(f);
  options.timeframe = *Timeframe::parse("5m");
  EXPECT_TRUE(parse(kGood, "X.csv", options).report.ok());
}

TEST(CsvReaderErrors, GarbageNeverCrashes) {
  // Deterministic pseudo-random bytes, biased towards CSV punctuation.
  std::uint64_t state = 42;
  const char alphabet[] = "0123456789.,-:;\"\r\n\tTZe+naif \xEF\xBB\xBF";
  for (int round = 0; round < 300; ++round) {
    std::string text = round % 2 ? "timestamp,open,high,low,close,volume\n" : "";
    const int len = static_cast<int>((state >> 33) % 400);
    for (int i = 0; i < len; ++i) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      text += alphabet[(state >> 33) % (sizeof alphabet - 1)];
    }
    const BarFile f = parse(text);
    EXPECT_LE(f.bars.size(), f.rows);
    const PanelFile p = parse_panel_csv(text, "x.csv");
    EXPECT_LE(p.panel.rows(), p.rows);
  }
}

// ---- files on disk ----

TEST(CsvReaderFiles, MissingFileIsNotFound) {
  auto r = read_bars_csv("/nonexistent/dir/GOOG-1d.csv");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kNotFound);
  EXPECT_NE(r.error().message().find("GOOG-1d.csv"), std::string::npos);
  TempDir dir;
  auto d = read_bars_csv(dir.path());
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().code(), ErrorCode::kIo);
}

TEST(CsvReaderFiles, LoadBarsFailsWithEveryErrorListed) {
  TempDir dir;
  const std::string path = dir.write("BAD-5m.csv",
                                     "timestamp,open,high,low,close,volume\n"
                                     "2018-01-10T04:55:00Z,1.0,1.5,0.5,NaN,10\n"
                                     "2018-01-10T05:00:00Z,1.2,1.3,1.1,1.25,-1\n"
                                     "2018-01-10T05:05:00Z,1.25,1.4,1.2,1.3,12\n");
  auto r = load_bars(path);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("BAD-5m.csv:2: column 'close': NaN"), std::string::npos)
      << r.error().message();
  EXPECT_NE(r.error().message().find("BAD-5m.csv:3: column 'volume'"), std::string::npos)
      << r.error().message();
  const std::string good = dir.write("GOOD-5m.csv", kGood);
  auto g = load_bars(good);
  ASSERT_TRUE(g.ok()) << g.error().message();
  EXPECT_EQ(g->symbol, "GOOD");
  EXPECT_EQ(g->timeframe.to_string(), "5m");
  EXPECT_EQ(g->size(), 3u);
}

// Values must be exactly what strtod gives for the text (an independent parser).
void expect_matches_strtod(const std::string& path) {
  auto text = read_file(path);
  ASSERT_TRUE(text.ok());
  auto file = read_bars_csv(path);
  ASSERT_TRUE(file.ok());
  std::istringstream in(*text);
  std::string line;
  std::getline(in, line);
  std::size_t i = 0;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    ASSERT_LT(i, file->bars.size());
    std::vector<std::string> parts;
    std::stringstream ss(line);
    for (std::string part; std::getline(ss, part, ',');) parts.push_back(part);
    ASSERT_EQ(parts.size(), 6u) << line;
    EXPECT_EQ(file->bars.ts[i], *parse_time(parts[0]));
    EXPECT_EQ(file->bars.open[i], std::strtod(parts[1].c_str(), nullptr));
    EXPECT_EQ(file->bars.high[i], std::strtod(parts[2].c_str(), nullptr));
    EXPECT_EQ(file->bars.low[i], std::strtod(parts[3].c_str(), nullptr));
    EXPECT_EQ(file->bars.close[i], std::strtod(parts[4].c_str(), nullptr));
    EXPECT_EQ(file->bars.volume[i], std::strtod(parts[5].c_str(), nullptr));
    ++i;
  }
  EXPECT_EQ(i, file->bars.size());
}

TEST(CsvReaderFiles, SampleValuesEqualAnIndependentParse) {
  for (const char* name : {"GOOG-1d.csv", "EURUSD-1h.csv", "ETH_BTC-5m.csv", "ADA_BTC-5m.csv"}) {
    SCOPED_TRACE(name);
    expect_matches_strtod(testing::samples_dir() + "/" + name);
  }
}

TEST(CsvReaderFiles, EverySampleReadsWithoutErrors) {
  for (const auto& entry : std::filesystem::directory_iterator(testing::samples_dir())) {
    if (entry.path().extension() != ".csv") continue;
    SCOPED_TRACE(entry.path().string());
    auto layout = detect_csv_layout(entry.path().string());
    ASSERT_TRUE(layout.ok());
    if (*layout == CsvLayout::kWide) {
      auto p = read_panel_csv(entry.path().string());
      ASSERT_TRUE(p.ok());
      EXPECT_TRUE(p->report.ok()) << p->report.error_text();
      EXPECT_GT(p->panel.rows(), 0u);
    } else {
      ASSERT_EQ(*layout, CsvLayout::kBars);
      auto f = read_bars_csv(entry.path().string());
      ASSERT_TRUE(f.ok());
      EXPECT_TRUE(f->report.ok()) << f->report.error_text();
      EXPECT_EQ(f->bars.size(), f->rows);
      EXPECT_GT(f->rows, 0u);
    }
  }
}

TEST(CsvReaderFiles, WidePanelHasEmptyCellsBeforeListings) {
  auto p = read_panel_csv(testing::samples_dir() + "/stock_prices.csv");
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->report.ok()) << p->report.error_text();
  EXPECT_EQ(p->panel.rows(), 7126u);
  ASSERT_EQ(p->panel.columns(), 20u);
  EXPECT_EQ(p->panel.symbols[0], "GOOG");
  EXPECT_EQ(p->panel.symbols[1], "AAPL");
  EXPECT_EQ(p->panel.values[1][0], 0.117203);  // AAPL on 1989-12-29
  // GOOG is empty before 2004-08-19 and has a price from then on.
  const Timestamp listing = *parse_time("2004-08-19");
  for (std::size_t i = 0; i < p->panel.rows(); ++i) {
    EXPECT_EQ(std::isnan(p->panel.values[0][i]), p->panel.ts[i] < listing) << format_time(p->panel.ts[i]);
  }
  EXPECT_EQ(p->report.warning_count(FindingKind::kMissingValue), 0u);
  EXPECT_EQ(p->report.warning_count(FindingKind::kJump),
            3u);  // AAPL 2000-09-29, AMD 2016-04-22, RRC 1998-10-19
  EXPECT_EQ(p->timeframe.to_string(), "1d");
}

TEST(CsvReaderFiles, LayoutDetection) {
  EXPECT_EQ(detect_csv_layout_text("date,SPY\n1993-01-29,26.5\n"), CsvLayout::kWide);
  EXPECT_EQ(detect_csv_layout_text("date,C,O,T\n1993-01-29,26.5,1,2\n"), CsvLayout::kWide);
  EXPECT_EQ(detect_csv_layout_text("Date,Time,Open,High,Low,Close\n"), CsvLayout::kBars);
  EXPECT_EQ(detect_csv_layout_text("a,b\n1,2\n"), CsvLayout::kUnknown);
  EXPECT_EQ(detect_csv_layout_text(""), CsvLayout::kUnknown);
}

// The shared data set: every bar file reads without errors, each .txt original equals its .csv copy.
TEST(CsvReaderFiles, EverySharedFileReadsWithoutErrors) {
  const std::string dir = testing::shared_dir();
  if (dir.empty()) GTEST_SKIP() << "../shared/data is not present";
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string ext = entry.path().extension().string();
    if (ext != ".csv" && ext != ".txt") continue;
    SCOPED_TRACE(entry.path().string());
    ++files;
    auto layout = detect_csv_layout(entry.path().string());
    ASSERT_TRUE(layout.ok());
    if (*layout == CsvLayout::kWide) {
      auto p = read_panel_csv(entry.path().string());
      ASSERT_TRUE(p.ok());
      EXPECT_TRUE(p->report.ok()) << p->report.error_text();
      continue;
    }
    ASSERT_EQ(*layout, CsvLayout::kBars);
    auto f = read_bars_csv(entry.path().string());
    ASSERT_TRUE(f.ok());
    EXPECT_TRUE(f->report.ok()) << f->report.error_text();
    EXPECT_EQ(f->bars.size(), f->rows);
    if (ext == ".txt") {
      auto copy = read_bars_csv((entry.path().parent_path() / entry.path().stem()).string() + ".csv");
      ASSERT_TRUE(copy.ok());
      EXPECT_EQ(f->bars.ts, copy->bars.ts);
      EXPECT_EQ(f->bars.open, copy->bars.open);
      EXPECT_EQ(f->bars.close, copy->bars.close);
      EXPECT_EQ(f->bars.volume, copy->bars.volume);
    }
  }
  EXPECT_GE(files, 15u);
}

}  // namespace
}  // namespace tradeloop::data
