#include "tradeloop/data/csv_writer.h"

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace tradeloop::data {

namespace {

bool daily_or_coarser(const BarSeries& bars) {
  return bars.timeframe.valid() && bars.timeframe.nominal_ns() >= kNanosPerDay;
}

// Appends rows [begin, end) to `out`.
void append_rows(const BarSeries& bars, std::size_t begin, std::size_t end, fmt::memory_buffer& out) {
  const bool dates = daily_or_coarser(bars);
  for (std::size_t i = begin; i < end; ++i) {
    const std::string t = dates ? format_time_compact(bars.ts[i]) : format_time(bars.ts[i]);
    fmt::format_to(std::back_inserter(out), "{},{},{},{},{},{}\n", t, bars.open[i], bars.high[i], bars.low[i],
                   bars.close[i], bars.volume[i]);
  }
}

constexpr std::string_view kHeader = "timestamp,open,high,low,close,volume\n";

}  // namespace

std::string format_bars_csv(const BarSeries& bars) {
  fmt::memory_buffer out;
  out.append(kHeader);
  append_rows(bars, 0, bars.size(), out);
  return fmt::to_string(out);
}

Status write_bars_csv(const BarSeries& bars, std::FILE* out) {
  // In chunks, so exporting a large series does not hold its whole text in memory.
  constexpr std::size_t kChunk = 65536;
  fmt::memory_buffer buffer;
  buffer.append(kHeader);
  for (std::size_t begin = 0;; begin += kChunk) {
    const std::size_t end = std::min(bars.size(), begin + kChunk);
    if (begin < end) append_rows(bars, begin, end, buffer);
    if (std::fwrite(buffer.data(), 1, buffer.size(), out) != buffer.size()) {
      return Error::io(fmt::format("cannot write CSV: {}", std::strerror(errno)));
    }
    buffer.clear();
    if (end >= bars.size()) break;
  }
  if (std::fflush(out) != 0) return Error::io(fmt::format("cannot write CSV: {}", std::strerror(errno)));
  return ok_status();
}

Status write_bars_csv(const BarSeries& bars, const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return Error::io(fmt::format("{}: cannot create: {}", path, std::strerror(errno)));
  Status status = write_bars_csv(bars, f);
  if (std::fclose(f) != 0 && status.ok()) {
    return Error::io(fmt::format("{}: cannot write: {}", path, std::strerror(errno)));
  }
  if (!status.ok()) return status.error().with_context(path);
  return ok_status();
}

}  // namespace tradeloop::data
