// Test support for the strategy library (strategies/*.json): a fixture that points the loader at the
// repository's strategies, and the helpers every library test uses (load with overrides, cached
// sample data, hand-made bars, compile). Shared by spec_library_test.cc and strategy_library_test.cc.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "tradeloop/core/time.h"
#include "tradeloop/data/bar_series.h"
#include "tradeloop/data/csv_reader.h"
#include "tradeloop/strategy/signal_plan.h"
#include "tradeloop/strategy/spec.h"
#include "tradeloop/strategy/spec_compiler.h"

namespace tradeloop::strategy {

// Library names resolve to <repo>/strategies, whatever the working directory.
class LibraryFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("TL_STRATEGY_DIR", (std::string(TL_SOURCE_DIR) + "/strategies").c_str(), 1);
  }
};

// The library spec `name` with parameter overrides applied; an empty Spec (and a test failure) when
// either step fails.
inline Spec load(const std::string& name, const std::map<std::string, std::string>& overrides = {}) {
  auto spec = load_spec(name);
  EXPECT_TRUE(spec.ok()) << name << ": " << (spec.ok() ? "" : spec.error().message());
  if (!spec.ok()) return {};
  if (overrides.empty()) return *spec;
  auto out = with_overrides(*spec, overrides);
  EXPECT_TRUE(out.ok()) << name << ": " << (out.ok() ? "" : out.error().message());
  return out.ok() ? *out : Spec{};
}

// data/samples/<file>, read once per test binary.
inline const data::BarSeries& sample(const std::string& file) {
  static std::map<std::string, data::BarSeries> cache;
  auto it = cache.find(file);
  if (it == cache.end()) {
    auto f = data::read_bars_csv(std::string(TL_SOURCE_DIR) + "/data/samples/" + file);
    EXPECT_TRUE(f.ok()) << file << ": " << (f.ok() ? "" : f.error().message());
    it = cache.emplace(file, f.ok() ? f->bars : data::BarSeries{}).first;
  }
  return it->second;
}

// Bars with open = close, high = close + spread, low = close - spread, one day apart.
inline data::BarSeries bars_from_closes(const std::vector<double>& closes, double spread = 1) {
  data::BarSeries b;
  b.symbol = "HAND";
  for (std::size_t i = 0; i < closes.size(); ++i) {
    const double c = closes[i];
    b.push_back(1'600'000'000LL * kNanosPerSecond + static_cast<Timestamp>(i) * kNanosPerDay, c, c + spread,
                c - spread, c, 1000);
  }
  return b;
}

// The spec compiled on `bars`; an empty plan (and a test failure) when it does not compile.
inline SignalPlan plan_of(const Spec& spec, const data::BarSeries& bars) {
  auto plan = compile(spec, bars);
  EXPECT_TRUE(plan.ok()) << spec.name << ": " << (plan.ok() ? "" : plan.error().message());
  return plan.ok() ? *plan : SignalPlan{};
}

}  // namespace tradeloop::strategy
