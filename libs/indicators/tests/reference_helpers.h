// Test helpers for the volume, statistics, pattern and custom indicator tests: a small OHLCV loader for
// data/samples, batch/streaming runners, and comparisons that treat NaN == NaN.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "tradeloop/core/time.h"
#include "tradeloop/indicators/indicator.h"

namespace tradeloop::indicators::testing {

struct Bars {
  std::vector<Timestamp> ts;
  std::vector<double> open, high, low, close, volume;
  std::size_t size() const { return close.size(); }
  void add(double o, double h, double l, double c, double v = 1000, Timestamp t = 0) {
    ts.push_back(t != 0 ? t : static_cast<Timestamp>(ts.size()) * kNanosPerMinute);
    open.push_back(o);
    high.push_back(h);
    low.push_back(l);
    close.push_back(c);
    volume.push_back(v);
  }
  InputSeries series() const {
    InputSeries in;
    in.ts = ts;
    in.open = open;
    in.high = high;
    in.low = low;
    in.close = close;
    in.volume = volume;
    return in;
  }
  BarInput bar(std::size_t i) const {
    BarInput b;
    b.ts = ts[i];
    b.open = open[i];
    b.high = high[i];
    b.low = low[i];
    b.close = close[i];
    b.volume = volume[i];
    b.real = close[i];
    b.real0 = close[i];
    b.real1 = close[i];
    return b;
  }
};

// Loads data/samples/<name>.csv (timestamp,open,high,low,close,volume).
inline Bars load_sample(const std::string& name) {
  Bars bars;
  std::ifstream in(std::string(TL_SOURCE_DIR) + "/data/samples/" + name + ".csv");
  EXPECT_TRUE(in.good()) << name;
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    std::stringstream fields(line);
    std::string cell;
    std::getline(fields, cell, ',');
    const Timestamp ts = parse_time(cell).value();
    double v[5];
    for (double& x : v) {
      std::getline(fields, cell, ',');
      x = std::stod(cell);
    }
    bars.add(v[0], v[1], v[2], v[3], v[4], ts);
  }
  return bars;
}

inline std::vector<std::vector<double>> batch(const std::string& name, const InputSeries& in,
                                              const std::map<std::string, double>& params = {}) {
  auto r = compute(name, in, params);
  EXPECT_TRUE(r.ok()) << name << ": " << (r.ok() ? "" : r.error().message());
  return r.ok() ? std::move(r).value() : std::vector<std::vector<double>>{};
}

// Runs update() over every bar; bars[i] gives the BarInput.
template <class BarFn>
std::vector<std::vector<double>> stream(const std::string& name, std::size_t n, BarFn bar_at,
                                        const std::map<std::string, double>& params = {}) {
  auto ind = make_indicator(name, params);
  EXPECT_TRUE(ind.ok()) << name;
  if (!ind.ok()) return {};
  std::vector<std::vector<double>> cols((*ind)->num_outputs(), std::vector<double>(n));
  std::vector<double> row((*ind)->num_outputs());
  for (std::size_t i = 0; i < n; ++i) {
    (*ind)->update(bar_at(i), row.data());
    for (std::size_t o = 0; o < row.size(); ++o) cols[o][i] = row[o];
  }
  return cols;
}

inline bool same(double a, double b) {
  return a == b || (std::isnan(a) && std::isnan(b));
}

// |a - b| <= tol * max(1, |b|) with NaN == NaN.
inline ::testing::AssertionResult near_rel(double actual, double expected, double tol) {
  if (same(actual, expected)) return ::testing::AssertionSuccess();
  if (std::isnan(actual) || std::isnan(expected) ||
      std::fabs(actual - expected) > tol * std::max(1.0, std::fabs(expected))) {
    return ::testing::AssertionFailure() << "actual " << actual << " expected " << expected;
  }
  return ::testing::AssertionSuccess();
}

}  // namespace tradeloop::indicators::testing
