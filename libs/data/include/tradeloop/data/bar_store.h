// BarStore: bars of many symbols and timeframes in one SQLite file (WAL journal), keyed by
// (symbol, timeframe, ts) so writing the same bars again never duplicates them.
//
// Every write is one transaction: it lands whole or not at all, and a failed write leaves the data
// that was there before untouched. The schema is versioned (table `schema_versions`, component
// "bar_store"); a file written by a newer tradeloop is refused with a clear error rather than
// misread. A BarStore owns its connection; it is movable, not copyable, and not for concurrent use
// from several threads (open one per thread; WAL lets readers run beside a writer).
// See docs/data.md for the schema.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tradeloop/core/result.h"
#include "tradeloop/core/time.h"
#include "tradeloop/core/timeframe.h"
#include "tradeloop/data/bar_series.h"
#include "tradeloop/data/csv_reader.h"

namespace tradeloop::data {

struct BarQuery {
  std::string symbol;
  Timeframe timeframe;
  std::optional<Timestamp> from;  // bars with ts >= from (inclusive)
  std::optional<Timestamp> to;    // bars with ts <= to (inclusive)
};

struct StoredSeries {
  std::string symbol;
  Timeframe timeframe;
  std::size_t bars = 0;
  Timestamp first = 0;
  Timestamp last = 0;
};

struct WriteResult {
  std::size_t bars = 0;      // bars written
  std::size_t inserted = 0;  // of which new
  std::size_t replaced = 0;  // of which replaced a stored bar with the same (symbol, timeframe, ts)
};

class BarStore {
 public:
  static constexpr int kSchemaVersion = 1;

  enum class Mode : std::uint8_t {
    kReadWrite = 1,  // creates the file and the schema when missing
    kReadOnly = 2,   // not_found when the file does not exist
  };

  // Opens (or creates) the store. failed_precondition when the file was written by a newer schema
  // version or is not a tradeloop store; io when SQLite cannot open it.
  static Result<BarStore> open(const std::string& path, Mode mode = Mode::kReadWrite);

  BarStore(BarStore&&) noexcept;
  BarStore& operator=(BarStore&&) noexcept;
  ~BarStore();

  // Writes every bar of `bars` in one transaction, replacing stored bars with the same key.
  // REQUIRES nothing; fails with invalid_argument (and writes nothing) when bars.symbol is empty,
  // bars.timeframe is invalid, or the timestamps are not strictly increasing; a bar the schema's
  // checks reject (NaN, price <= 0, high < low, negative volume) fails the whole write.
  // `source` (e.g. the file name) is recorded in the import log.
  Result<WriteResult> write(const BarSeries& bars, std::string_view source = {});

  // Bars of one symbol and timeframe in [from, to], in time order (empty when none).
  Result<BarSeries> read(const BarQuery& query) const;

  // Every (symbol, timeframe) stored, with its bar count and time range.
  Result<std::vector<StoredSeries>> list() const;

  const std::string& path() const;

 private:
  struct Impl;
  explicit BarStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Reads `path`, refuses it when it has errors (the error lists every one, with its line) and writes
// its bars in one transaction. options.symbol defaults to the file name's (symbol_from_path);
// options.timeframe, when given, must match the bars' spacing.
Result<WriteResult> import_csv(BarStore& store, const std::string& path, const CsvOptions& options = {});

}  // namespace tradeloop::data
