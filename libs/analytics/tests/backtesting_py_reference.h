// Test helper: GOOG daily bars and a reference simulation of backtesting.py 0.6's broker for its
// SmaCross example (market orders at the next open, all-in integer sizing with the 1 - epsilon
// fraction and Python's float floor division, position.close() then buy()/sell(), open trades
// closed at the last bar's open when finalizing). Validated by backtesting_py_golden_test.cc
// against backtesting.py's published statistics.
#pragma once

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tradeloop/analytics/records.h"

namespace tradeloop::analytics::testing {

struct Bars {
  std::vector<Timestamp> ts;
  std::vector<double> open, high, low, close;
};

inline Bars load_bars(const std::string& path) {
  Bars b;
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << path;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::stringstream ss(line);
    std::string cell;
    std::getline(ss, cell, ',');
    b.ts.push_back(parse_time(cell).value());
    double v[5];
    for (double& x : v) {
      std::getline(ss, cell, ',');
      x = std::stod(cell);
    }
    b.open.push_back(v[0]);
    b.high.push_back(v[1]);
    b.low.push_back(v[2]);
    b.close.push_back(v[3]);
  }
  return b;
}

// Python's float floor division (floatobject.c float_floor_div), which differs from
// std::floor(a / b) when the quotient rounds up to an integer.
inline double python_floordiv(double a, double b) {
  double mod = std::fmod(a, b);
  double div = (a - mod) / b;
  if (mod != 0.0 && ((b < 0) != (mod < 0))) {
    mod += b;
    div -= 1.0;
  }
  if (div != 0.0) {
    double floordiv = std::floor(div);
    if (div - floordiv > 0.5) floordiv += 1.0;
    return floordiv;
  }
  return std::copysign(0.0, a / b);
}

inline std::vector<double> sma(const std::vector<double>& x, std::size_t n) {
  std::vector<double> out(x.size(), std::numeric_limits<double>::quiet_NaN());
  for (std::size_t i = n - 1; i < x.size(); ++i) {
    double s = 0;
    for (std::size_t j = i + 1 - n; j <= i; ++j) s += x[j];
    out[i] = s / static_cast<double>(n);
  }
  return out;
}

struct OpenTrade {
  double size;  // signed units
  double entry_price;
  std::int64_t entry_bar;
};

enum class Order { kCloseAll, kBuy, kSell };

inline RunRecord simulate_backtesting_py_sma_cross(const Bars& bars, std::size_t fast, std::size_t slow) {
  const std::size_t n = bars.close.size();
  const std::vector<double> s1 = sma(bars.close, fast);
  const std::vector<double> s2 = sma(bars.close, slow);
  const std::size_t warmup = slow - 1;  // leading NaNs of the slower SMA
  const std::size_t start = 1 + warmup;
  const double full = 1 - std::numeric_limits<double>::epsilon();

  RunRecord run;
  run.initial_cash = 10000;
  double cash = 10000;
  std::vector<OpenTrade> trades;
  std::vector<Order> orders;
  std::vector<double> equity(n, std::numeric_limits<double>::quiet_NaN());

  auto close_trade = [&](const OpenTrade& t, double price, std::size_t bar) {
    const double pnl = t.size * (price - t.entry_price);
    cash += pnl;
    ClosedTrade c;
    c.symbol = "GOOG";
    c.side = t.size > 0 ? Side::kLong : Side::kShort;
    c.size = std::fabs(t.size);
    c.entry_bar = t.entry_bar;
    c.exit_bar = static_cast<std::int64_t>(bar);
    c.entry_time = bars.ts[static_cast<std::size_t>(t.entry_bar)];
    c.exit_time = bars.ts[bar];
    c.entry_price = t.entry_price;
    c.exit_price = price;
    c.pnl = pnl;
    c.return_pct = std::copysign(1.0, t.size) * (price / t.entry_price - 1) * 100;
    c.exit_reason = "signal";
    run.trades.push_back(c);
  };
  auto process_orders = [&](std::size_t i) {
    const double price = bars.open[i];
    for (const Order o : orders) {
      if (o == Order::kCloseAll) {
        for (const OpenTrade& t : trades) close_trade(t, price, i);
        trades.clear();
        continue;
      }
      // margin_available = equity - used margin, both at the bar's close (backtesting.py reads
      // Close[-1] while processing); no trade is open here, so it is the cash.
      double equity_now = cash;
      double used = 0;
      for (const OpenTrade& t : trades) {
        equity_now += t.size * (bars.close[i] - t.entry_price);
        used += std::fabs(t.size) * bars.close[i];
      }
      const double margin = std::max(0.0, equity_now - used);
      const double units = python_floordiv(margin * full, price);
      if (units == 0) continue;
      trades.push_back({o == Order::kBuy ? units : -units, price, static_cast<std::int64_t>(i)});
    }
    orders.clear();
  };
  auto mark = [&](std::size_t i) {
    double e = cash;
    for (const OpenTrade& t : trades) e += t.size * (bars.close[i] - t.entry_price);
    equity[i] = e;
  };

  for (std::size_t i = start; i < n; ++i) {
    process_orders(i);
    mark(i);
    if (s1[i - 1] < s2[i - 1] && s1[i] > s2[i]) {
      orders = {Order::kCloseAll, Order::kBuy};
    } else if (s2[i - 1] < s1[i - 1] && s2[i] > s1[i]) {
      orders = {Order::kCloseAll, Order::kSell};
    }
  }
  // finalize_trades=True: close what is open and run the broker once more on the last bar.
  orders.insert(orders.begin(), Order::kCloseAll);
  process_orders(n - 1);
  mark(n - 1);
  // Warm-up bars take the first recorded equity (pandas bfill).
  for (std::size_t i = start; i-- > 0;) equity[i] = equity[i + 1];

  run.equity.ts = bars.ts;
  run.equity.equity = equity;
  run.benchmark_close = bars.close;
  run.warmup_bars = static_cast<std::int64_t>(warmup);
  return run;
}

inline Bars load_goog() {
  return load_bars(std::string(TL_SOURCE_DIR) + "/data/samples/GOOG-1d.csv");
}

}  // namespace tradeloop::analytics::testing
