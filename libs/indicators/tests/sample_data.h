// Test helper: the real OHLCV files of data/samples, read with the data library's CSV reader and
// cached per process, and InputSeries views of them.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tradeloop/data/csv_reader.h"
#include "tradeloop/indicators/indicator.h"

namespace tradeloop::indicators::testing {

inline std::string samples_dir() {
  return std::string(TL_SOURCE_DIR) + "/data/samples";
}

// "GOOG-1d" -> its bars (all rows of data/samples/GOOG-1d.csv). Fails the test when unreadable.
inline const data::BarSeries& sample_bars(const std::string& name) {
  static std::map<std::string, data::BarSeries> cache;
  auto it = cache.find(name);
  if (it == cache.end()) {
    auto file = data::read_bars_csv(samples_dir() + "/" + name + ".csv");
    EXPECT_TRUE(file.ok()) << name << ": " << (file.ok() ? "" : file.error().message());
    it = cache.emplace(name, file.ok() ? std::move(file->bars) : data::BarSeries{}).first;
  }
  return it->second;
}

// Every OHLCV file of data/samples (name without ".csv"), sorted: the files named like
// SYMBOL-<timeframe>.csv (the wide files such as stock_prices.csv are left out).
inline std::vector<std::string> ohlcv_sample_names() {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(samples_dir())) {
    const std::string file = entry.path().filename().string();
    if (entry.path().extension() != ".csv" || file.find('-') == std::string::npos) continue;
    names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

// Views of a series: ts, open .. volume; `real` and `real0` fall back to close, `real1` is the low
// (so beta and correl get two different real series).
inline InputSeries input_series(const data::BarSeries& b) {
  InputSeries in;
  in.ts = b.ts;
  in.open = b.open;
  in.high = b.high;
  in.low = b.low;
  in.close = b.close;
  in.volume = b.volume;
  in.real1 = b.low;
  return in;
}

// The bar at row i as a streaming input, with the same bindings as input_series().
inline BarInput bar_input(const data::BarSeries& b, std::size_t i) {
  BarInput bar;
  bar.ts = b.ts[i];
  bar.open = b.open[i];
  bar.high = b.high[i];
  bar.low = b.low[i];
  bar.close = b.close[i];
  bar.volume = b.volume[i];
  bar.real = b.close[i];
  bar.real0 = b.close[i];
  bar.real1 = b.low[i];
  return bar;
}

}  // namespace tradeloop::indicators::testing
