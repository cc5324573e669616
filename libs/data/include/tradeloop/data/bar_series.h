// BarSeries: one instrument's OHLCV bars as columns (struct of arrays), in strictly increasing time.
// Panel: many instruments' values on one shared time axis (NaN where an instrument has no value).
//
// Columns are plain std::vector<double> so research code (indicators, the backtest kernel,
// optimizers) can take std::span views with no copies.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "tradeloop/core/time.h"
#include "tradeloop/core/timeframe.h"

namespace tradeloop::data {

struct BarSeries {
  std::string symbol;
  Timeframe timeframe;        // invalid (count 0) until known or inferred
  std::vector<Timestamp> ts;  // bar open time, UTC ns
  std::vector<double> open, high, low, close, volume;

  std::size_t size() const { return ts.size(); }
  bool empty() const { return ts.empty(); }
  void reserve(std::size_t n) {
    ts.reserve(n);
    open.reserve(n);
    high.reserve(n);
    low.reserve(n);
    close.reserve(n);
    volume.reserve(n);
  }
  void push_back(Timestamp t, double o, double h, double l, double c, double v) {
    ts.push_back(t);
    open.push_back(o);
    high.push_back(h);
    low.push_back(l);
    close.push_back(c);
    volume.push_back(v);
  }
  // Bars [begin, end) as a new series (same symbol and timeframe).
  BarSeries slice(std::size_t begin, std::size_t end) const {
    BarSeries out;
    out.symbol = symbol;
    out.timeframe = timeframe;
    out.ts.assign(ts.begin() + static_cast<std::ptrdiff_t>(begin),
                  ts.begin() + static_cast<std::ptrdiff_t>(end));
    auto cut = [&](const std::vector<double>& v) {
      return std::vector<double>(v.begin() + static_cast<std::ptrdiff_t>(begin),
                                 v.begin() + static_cast<std::ptrdiff_t>(end));
    };
    out.open = cut(open);
    out.high = cut(high);
    out.low = cut(low);
    out.close = cut(close);
    out.volume = cut(volume);
    return out;
  }
};

struct Panel {
  std::vector<Timestamp> ts;                // shared time axis, strictly increasing
  std::vector<std::string> symbols;         // one per column
  std::vector<std::vector<double>> values;  // values[column][row]; NaN where missing

  std::size_t rows() const { return ts.size(); }
  std::size_t columns() const { return symbols.size(); }
};

}  // namespace tradeloop::data
