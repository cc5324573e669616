// CSV readers: bar files (a time column + open, high, low, close[, volume]) into a BarSeries, and
// wide files (a date column + one value column per instrument) into a Panel. Both return what was
// read together with a ValidationReport; they never fail on bad content (that goes in the report),
// only on I/O (the file cannot be read).
//
// Accepted without options: header names in any case (`timestamp|date|datetime|time|ts`, or split
// `Date` + `Time` columns; `Open High Low Close Volume`, also `o h l c v`/`vol`; other columns such as
// `Adj Close` and `OpenInterest` are ignored), a UTF-8 BOM, CRLF or LF line ends, a missing final
// newline, blank lines, quoted fields ("" escapes a quote; a quote must close on its line), `,` `;` or
// tab delimiters (detected from the header), ISO-8601 times (see tradeloop::parse_time) and epoch
// seconds/ms/us/ns. Numbers are parsed with fast_float (shortest round trip, "nan"/"inf" are read and
// then reported as errors).
//
// Rows that cannot be placed in the series (a field or the time that does not parse, a short or long
// row, an unterminated quote) are left out and reported as errors; rows with parseable but invalid
// values (NaN, price <= 0, high < low, out of order ...) are kept and reported by validate_bars.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tradeloop/core/result.h"
#include "tradeloop/core/timeframe.h"
#include "tradeloop/data/bar_series.h"
#include "tradeloop/data/validation.h"

namespace tradeloop::data {

struct CsvOptions {
  std::string symbol;   // empty: guessed from the file name (symbol_from_path)
  Timeframe timeframe;  // invalid (default): inferred from the spacing of the bars
  ValidationOptions validation;
};

// A bar file as read: the bars, where each came from, and what is wrong with the file.
struct BarFile {
  BarSeries bars;                    // symbol and timeframe set (timeframe invalid if not inferable)
  std::vector<std::uint32_t> lines;  // lines[i]: the file line of bars[i] (header is line 1)
  std::size_t rows = 0;              // data rows in the file (blank lines excluded), kept or not
  std::vector<std::string> columns;  // header names as written
  bool has_volume = true;            // false when the file has no volume column (volume set to 0)
  ValidationReport report;
};

// A wide file as read: panel.symbols are the header's value columns, NaN where a cell is empty.
struct PanelFile {
  Panel panel;
  std::vector<std::uint32_t> lines;  // file line of each panel row
  std::size_t rows = 0;
  std::vector<std::string> columns;  // header names as written, time column first
  Timeframe timeframe;               // inferred from the time axis (invalid when not inferable)
  ValidationReport report;
};

enum class CsvLayout : std::uint8_t {
  kUnknown = 0,  // no recognizable time column
  kBars = 1,     // time + open/high/low/close columns
  kWide = 2,     // time column + value columns that are not OHLC
};

// Reads and validates a bar file. Fails only when the file cannot be read (not_found / io).
Result<BarFile> read_bars_csv(const std::string& path, const CsvOptions& options = {});

// Same as read_bars_csv on text already in memory; `source` names it in messages ("GOOG-1d.csv") and
// is used to guess the symbol when options.symbol is empty.
BarFile parse_bars_csv(std::string_view text, std::string_view source, const CsvOptions& options = {});

// Reads and validates a wide file (`date` + one column per instrument).
Result<PanelFile> read_panel_csv(const std::string& path, const CsvOptions& options = {});
PanelFile parse_panel_csv(std::string_view text, std::string_view source, const CsvOptions& options = {});

// Layout of a CSV from its header line (reads only the start of the file).
Result<CsvLayout> detect_csv_layout(const std::string& path);
CsvLayout detect_csv_layout_text(std::string_view text);

// Reads a bar file and returns its bars, or fails with every error listed (one per line, in the
// style "GOOG-1d.csv:118: column 'high' (101.2) is below 'low' (101.5)") when the data has errors.
// The timeframe is the inferred one. Warnings are ignored (use read_bars_csv to see them).
Result<BarSeries> load_bars(const std::string& path, const CsvOptions& options = {});

// "GOOG" from ".../GOOG-1d.csv", "ETH_BTC" from "ETH_BTC-5m.csv", "stock_prices" from
// "stock_prices.csv": the file's stem up to its first '-' (the whole stem when it has none or when
// the part before the '-' is a number: "2006-day-001.txt" -> "2006-day-001").
std::string symbol_from_path(std::string_view path);

// The whole file as a string (not_found when missing, io on other failures).
Result<std::string> read_file(const std::string& path);

}  // namespace tradeloop::data
