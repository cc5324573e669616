// CSV reader throughput on a large synthetic bar file (the issue asks >= 200 MB/s).
//
// Size: ~1.3M rows of 5-minute bars in the layout of the real crypto files (~80 MB), large enough
// that per-file costs vanish and the figure is the steady scan rate; written once to a temp file
// outside the timed loop. "file" includes reading the file from the page cache; "text" parses text
// already in memory (validation included: it always runs).
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include "tradeloop/data/csv_reader.h"

namespace {

using namespace tradeloop;
using namespace tradeloop::data;

constexpr std::size_t kRows = 1'300'000;

std::string make_csv(bool epoch) {
  std::string out = "timestamp,open,high,low,close,volume\n";
  out.reserve(kRows * 64);
  std::uint64_t state = 12345;
  double price = 0.0984;
  Timestamp t = 1515560100LL * kNanosPerSecond;
  for (std::size_t i = 0; i < kRows; ++i) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    const double u = static_cast<double>(state >> 11) / 9007199254740992.0;  // [0, 1)
    const double open = price;
    const double close = price * (1.0 + (u - 0.5) * 0.004);
    const double high = std::max(open, close) * (1.0 + u * 0.001);
    const double low = std::min(open, close) * (1.0 - u * 0.001);
    const double volume = 1000.0 + u * 5000.0;
    if (epoch) {
      out += fmt::format("{}", t / 1'000'000);
    } else {
      out += format_time(t);
    }
    out += fmt::format(",{:.8f},{:.8f},{:.8f},{:.8f},{:.8f}\n", open, high, low, close, volume);
    price = close;
    t += 5 * kNanosPerMinute;
  }
  return out;
}

const std::string& csv_text(bool epoch) {
  static const std::string iso = make_csv(false);
  static const std::string ms = make_csv(true);
  return epoch ? ms : iso;
}

const std::string& csv_path() {
  static const std::string path = [] {
    const std::string p =
        (std::filesystem::temp_directory_path() / fmt::format("tl_csv_bench_{}.csv", ::getpid())).string();
    std::FILE* f = std::fopen(p.c_str(), "wb");
    const std::string& text = csv_text(false);
    std::fwrite(text.data(), 1, text.size(), f);
    std::fclose(f);
    std::atexit([] { std::filesystem::remove(csv_path()); });
    return p;
  }();
  return path;
}

void BM_ReadBarsCsvFile(benchmark::State& state) {
  const std::string& path = csv_path();
  const std::size_t bytes = csv_text(false).size();
  for (auto _ : state) {
    auto file = read_bars_csv(path);
    if (!file.ok() || !file->report.ok() || file->bars.size() != kRows) state.SkipWithError("bad parse");
    benchmark::DoNotOptimize(file->bars.close.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kRows));
}
BENCHMARK(BM_ReadBarsCsvFile)->Unit(benchmark::kMillisecond);

void BM_ParseBarsCsvText(benchmark::State& state) {
  const bool epoch = state.range(0) != 0;
  const std::string& text = csv_text(epoch);
  for (auto _ : state) {
    BarFile file = parse_bars_csv(text, "BENCH-5m.csv");
    if (!file.report.ok() || file.bars.size() != kRows) state.SkipWithError("bad parse");
    benchmark::DoNotOptimize(file.bars.close.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kRows));
  state.SetLabel(epoch ? "epoch ms timestamps" : "ISO timestamps");
}
BENCHMARK(BM_ParseBarsCsvText)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

}  // namespace
