// Validation of bar data: what is wrong (errors) or suspicious (warnings) in a series, each finding
// located by line and column, plus gap detection against the series' timeframe.
//
// Errors make data unusable (load_bars and `tradeloop data import` refuse it); warnings are reported
// but the data is usable. A ValidationReport owns its findings; the reader fills it while parsing and
// validate_bars() adds the value checks. See docs/data.md for the rules, including the gap rule.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tradeloop/core/time.h"
#include "tradeloop/core/timeframe.h"
#include "tradeloop/data/bar_series.h"

namespace tradeloop::data {

enum class Severity : std::uint8_t { kError = 1, kWarning = 2 };

// What a finding is about; warning kinds are counted in full even when their list is capped.
enum class FindingKind : std::uint8_t {
  // errors
  kUnparsable = 1,        // a field that is not a number / time
  kNotFinite = 2,         // NaN or infinity
  kNonPositivePrice = 3,  // open/high/low/close <= 0
  kNegativeVolume = 4,
  kInconsistentOhlc = 5,  // high < max(open, close), low > min(open, close) or high < low
  kOutOfOrder = 6,        // timestamp earlier than the previous bar's
  kDuplicate = 7,         // timestamp equal to the previous bar's
  kMissingColumn = 8,     // a required column is not in the header
  kShortRow = 9,          // fewer fields than the header
  kLongRow = 10,          // more non-empty fields than the header
  kUnterminatedQuote = 11,
  kEmptyFile = 12,
  kTimeframeMismatch = 13,  // the timeframe given does not match the bars' spacing
  // warnings
  kGap = 20,  // bars missing against the timeframe (see find_gaps)
  kZeroVolume = 21,
  kFlatBar = 22,       // open = high = low = close
  kJump = 23,          // close moved more than ValidationOptions::jump_threshold from the previous bar
  kMissingValue = 24,  // wide files: an empty cell after the column's first value
  kNote = 25,          // anything else worth telling (e.g. no volume column)
};

std::string_view finding_kind_name(FindingKind kind);

struct Finding {
  Severity severity = Severity::kError;
  FindingKind kind = FindingKind::kUnparsable;
  std::size_t line = 0;  // 1-based line in the source file (header is line 1); 0 = the whole file
  std::string field;     // column name as written in the header; empty when about the whole row
  std::string message;   // e.g. "NaN", "(101.2) is below 'low' (101.5)"
};

struct GapSummary {
  std::size_t count = 0;          // number of gaps
  std::int64_t missing_bars = 0;  // bars missing in all gaps together
};

// One gap: bars expected strictly between bars[index - 1] and bars[index] are missing.
struct Gap {
  std::size_t index = 0;
  Timestamp from = 0;  // ts of the bar before the gap
  Timestamp to = 0;    // ts of the bar after the gap
  std::int64_t missing_bars = 0;
};

struct ValidationOptions {
  double jump_threshold = 0.40;  // |close / previous close - 1| above this is a jump warning
  // Daily bars of a market that closes on some weekdays (equities): up to this many missing open
  // weekdays in a row are holidays, not a gap (Easter Friday+Monday, Christmas+Boxing Day, Sandy).
  int daily_holiday_tolerance = 2;
  // Individual warnings listed per kind (counts are always complete). 0 = no limit.
  std::size_t max_warnings_per_kind = 100;
  // Errors listed (0 = no limit: every error is listed, as import requires).
  std::size_t max_errors = 0;
};

class ValidationReport {
 public:
  ValidationReport() = default;
  ValidationReport(std::string source, ValidationOptions options)
      : source_(std::move(source)), options_(options) {}

  // Name used in messages, usually the file's base name ("ADA_BTC-5m.csv").
  const std::string& source() const { return source_; }
  const ValidationOptions& options() const { return options_; }

  void add_error(FindingKind kind, std::size_t line, std::string_view field, std::string message);
  void add_warning(FindingKind kind, std::size_t line, std::string_view field, std::string message);

  bool ok() const { return error_count_ == 0; }
  const std::vector<Finding>& errors() const { return errors_; }
  const std::vector<Finding>& warnings() const { return warnings_; }
  std::size_t error_count() const { return error_count_; }  // including errors beyond max_errors
  // Warnings of a kind, including those not listed because of max_warnings_per_kind.
  std::size_t warning_count(FindingKind kind) const;
  std::size_t warning_count() const;

  GapSummary gaps;
  std::vector<Gap> gap_list;  // every gap (not capped)

  // "ADA_BTC-5m.csv:1234: column 'close': NaN"; "file:12: short row: ..." without a field;
  // "file: ..." when the line is 0.
  std::string format(const Finding& finding) const;
  // Every listed error, one formatted line each (with a closing note when some were not listed).
  std::string error_text() const;
  // Orders the listed errors and warnings by line (stable: findings of one line keep their order).
  void sort_by_line();

 private:
  std::string source_;
  ValidationOptions options_;
  std::vector<Finding> errors_;
  std::vector<Finding> warnings_;
  std::size_t error_count_ = 0;
  std::array<std::size_t, 32> warning_counts_{};
};

// Column names used in messages (the header's spelling when the bars come from a file).
struct ColumnNames {
  std::string timestamp = "timestamp", open = "open", high = "high", low = "low", close = "close",
              volume = "volume";
};

// Checks every bar and adds findings to `report`: errors for non-finite values, prices <= 0,
// negative volume, OHLC inconsistencies, out-of-order and duplicate timestamps; warnings for zero
// volume (unless has_volume is false), flat bars, jumps and gaps against bars.timeframe (when valid).
// `lines[i]` is the file line of bar i; when empty, bar i is reported as line i + 2 (header + 1-based).
void validate_bars(const BarSeries& bars, std::span<const std::uint32_t> lines, const ColumnNames& names,
                   bool has_volume, ValidationReport& report);

// A time for messages: the date alone for daily and coarser timeframes at midnight, else ISO-8601.
std::string show_time(Timestamp ts, Timeframe tf);

// Gaps of a strictly increasing series against timeframe `tf`. Calendars are learned from the data:
// a weekday on which fewer than half of its dates have bars is closed (weekends of equities and FX),
// and for intraday bars a time-of-day slot seen on fewer than half of the trading dates is outside
// the session (nights of exchange-traded data). Then:
//  - intraday: a span between two bars that contains a whole closed weekday is a closure (weekend,
//    holiday next to it), not a gap; otherwise the missing bars are the grid points of open
//    weekday + open slot between the two bars. 24/7 markets (crypto) count every missing bar.
//  - daily: missing bars are the open weekdays between two bars; when the market has closed
//    weekdays, up to `daily_holiday_tolerance` of them in a row are holidays, not a gap.
//  - weekly / monthly: every missing period counts.
std::vector<Gap> find_gaps(std::span<const Timestamp> ts, Timeframe tf, int daily_holiday_tolerance = 2);

}  // namespace tradeloop::data
