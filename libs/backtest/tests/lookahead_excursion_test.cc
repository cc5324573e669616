// No look-ahead, shown by changing the future: run on a series, then replace every bar after t with
// random OHLCV, rerun, and require that every fill, order event, order decision, equity point and
// indicator value at or before t is identical. Both engines: the event kernel (a strategy reading
// indicators and placing every order type, ATR slippage, volume cap) and the signal runner (plans
// compiled from library specs with stops, and the built-in sma_cross).
//
// And MAE/MFE of the event kernel's trades against a brute-force scan of the bars each trade lived
// through (the rule of portfolio/account.h: entry and exit prices, plus the high/low of every bar held
// whole: the entry bar only when entered at its open, the exit bar only when the exit came at its close).
#include <algorithm>
#include <cmath>
#include <random>

#include <gtest/gtest.h>

#include "test_util.h"
#include "tradeloop/backtest/signal_runner.h"
#include "tradeloop/data/csv_reader.h"
#include "tradeloop/strategy/builtin.h"
#include "tradeloop/strategy/spec.h"
#include "tradeloop/strategy/spec_compiler.h"

namespace tradeloop::backtest {
namespace {

using model::OrderSide;
using model::OrderType;
using strategy::OrderRequest;
using strategy::StrategyContext;

data::BarSeries goog() {
  auto bars = data::load_bars(std::string(TL_SOURCE_DIR) + "/data/samples/GOOG-1d.csv");
  if (!bars.ok()) throw std::runtime_error(bars.error().message());
  return std::move(bars).value();
}

// Bars after t replaced by a random walk with random volumes (valid OHLC).
data::BarSeries rewrite_future(const data::BarSeries& in, std::size_t t, std::uint64_t seed) {
  data::BarSeries b = in;
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> z(0, 1);
  std::uniform_real_distribution<double> u(0, 1);
  double price = in.close[t] * (0.5 + u(rng));
  for (std::size_t k = t + 1; k < b.size(); ++k) {
    const double open = price * std::exp(0.05 * z(rng));
    price = open * std::exp(0.05 * z(rng));
    b.open[k] = open;
    b.close[k] = price;
    b.high[k] = std::max(open, price) * (1 + 0.05 * u(rng));
    b.low[k] = std::min(open, price) * (1 - 0.05 * u(rng));
    b.volume[k] = std::floor(1e5 + 1e8 * u(rng));
  }
  return b;
}

// Trades on what it sees: SMA/RSI values and the bar, placing every order type; records what it saw.
class Watcher final : public strategy::Strategy {
 public:
  std::string_view name() const override { return "watcher"; }
  std::vector<std::vector<double>> seen;  // per bar: indicator values and the bar as the strategy saw them
  Status on_start(StrategyContext& ctx) override {
    TL_ASSIGN_OR_RETURN(fast_, ctx.indicator(0, "sma", {{"timeperiod", 10}}));
    TL_ASSIGN_OR_RETURN(slow_, ctx.indicator(0, "sma", {{"timeperiod", 30}}));
    TL_ASSIGN_OR_RETURN(rsi_, ctx.indicator(0, "rsi", {{"timeperiod", 14}}));
    TL_ASSIGN_OR_RETURN(upper_, ctx.indicator(0, "bbands", {{"timeperiod", 20}}, "upperband"));
    return ok_status();
  }
  void on_bar(StrategyContext& ctx, std::uint32_t) override {
    const model::Bar b = ctx.bar(0);
    seen.push_back({fast_[0], fast_[1], slow_[0], rsi_[0], upper_[0], b.open, b.high, b.low, b.close,
                    b.volume, ctx.equity(), ctx.cash(), ctx.position(0).quantity,
                    static_cast<double>(ctx.open_orders().size())});
    const double pos = ctx.position(0).quantity;
    const bool up = fast_[1] < slow_[1] && fast_[0] > slow_[0];
    const bool down = fast_[1] > slow_[1] && fast_[0] < slow_[0];
    if (up || down) {
      OrderRequest r;
      r.side = up ? OrderSide::kBuy : OrderSide::kSell;
      r.bracket.stop_loss_pct = 4;
      r.bracket.take_profit_pct = 9;
      ctx.submit(r);
    }
    const auto k = ctx.bar_index(0);
    if (k % 7 == 0 && rsi_[0] < 35) {
      OrderRequest r;
      r.side = OrderSide::kBuy;
      r.type = OrderType::kLimit;
      r.limit_price = b.close * 0.98;
      r.quantity = 5;
      r.tif = model::TimeInForce::kDay;
      ctx.submit(r);
    }
    if (k % 11 == 0 && b.close > upper_[0]) {
      OrderRequest r;
      r.side = OrderSide::kSell;
      r.type = OrderType::kStopLimit;
      r.stop_price = b.low;
      r.limit_price = b.low * 0.99;
      r.quantity = 3;
      ctx.submit(r);
    }
    if (k % 13 == 0 && pos != 0) {
      OrderRequest r;
      r.side = pos > 0 ? OrderSide::kSell : OrderSide::kBuy;
      r.type = OrderType::kTrailingStop;
      r.trailing_type = model::TrailingOffsetType::kPercent;
      r.trailing_offset = 3;
      r.reduce_only = true;
      ctx.submit(r);
    }
    if (k % 17 == 0 && pos != 0) {
      OrderRequest r;
      r.side = pos > 0 ? OrderSide::kSell : OrderSide::kBuy;
      r.type = OrderType::kMarketOnClose;
      r.quantity = std::floor(std::fabs(pos) / 2) + 1;
      r.reduce_only = true;
      ctx.submit(r);
    }
  }

 private:
  strategy::SeriesView fast_, slow_, rsi_, upper_;
};

void expect_same_prefix(const RunResult& a, const RunResult& b, Timestamp t_ts, std::size_t t,
                        const std::string& what) {
  // Fills and order events up to t.
  std::size_t fa = 0, fb = 0;
  while (fa < a.fills.size() && a.fills[fa].ts <= t_ts) ++fa;
  while (fb < b.fills.size() && b.fills[fb].ts <= t_ts) ++fb;
  ASSERT_EQ(fa, fb) << what << ": fills up to t";
  for (std::size_t i = 0; i < fa; ++i) {
    const auto &x = a.fills[i], &y = b.fills[i];
    ASSERT_TRUE(x.order == y.order && x.ts == y.ts && x.side == y.side && x.quantity == y.quantity &&
                x.price == y.price && x.fee == y.fee)
        << what << ": fill " << i;
  }
  std::size_t ea = 0, eb = 0;
  while (ea < a.events.size() && a.events[ea].ts <= t_ts) ++ea;
  while (eb < b.events.size() && b.events[eb].ts <= t_ts) ++eb;
  ASSERT_EQ(ea, eb) << what << ": order events up to t";
  for (std::size_t i = 0; i < ea; ++i) {
    const auto &x = a.events[i], &y = b.events[i];
    ASSERT_TRUE(x.order == y.order && x.to == y.to && x.reason == y.reason) << what << ": event " << i;
  }
  // Orders created up to t: the decision (what, how much, at which prices) is the same.
  for (const auto& o : a.orders) {
    if (o.created_time > t_ts) continue;
    ASSERT_LE(o.id, b.orders.size()) << what;
    const auto& p = b.orders[o.id - 1];
    ASSERT_EQ(p.id, o.id);
    const bool same_price =
        (o.limit_price == p.limit_price || (std::isnan(o.limit_price) && std::isnan(p.limit_price))) &&
        (o.stop_price == p.stop_price || (std::isnan(o.stop_price) && std::isnan(p.stop_price)) ||
         o.type == OrderType::kTrailingStop || o.parent != model::kNoOrder);
    ASSERT_TRUE(o.type == p.type && o.side == p.side && o.created_time == p.created_time && o.tag == p.tag &&
                same_price &&
                (o.quantity == p.quantity || o.filled_quantity != p.filled_quantity || o.quantity == 0 ||
                 p.quantity == 0 || o.status != p.status))
        << what << ": order " << o.id;
  }
  // Equity per bar up to t.
  for (std::size_t k = 0; k <= t; ++k) {
    ASSERT_EQ(a.record.equity.equity[k], b.record.equity.equity[k]) << what << ": equity at bar " << k;
    ASSERT_EQ(a.record.equity.cash[k], b.record.equity.cash[k]) << what << ": cash at bar " << k;
  }
  // Closed trades that ended by t.
  for (const auto& tr : a.record.trades) {
    if (tr.exit_time > t_ts) continue;
    const bool found = std::any_of(b.record.trades.begin(), b.record.trades.end(), [&](const auto& u) {
      return u.entry_time == tr.entry_time && u.exit_time == tr.exit_time && u.pnl == tr.pnl &&
             u.mae_pct == tr.mae_pct && u.mfe_pct == tr.mfe_pct;
    });
    ASSERT_TRUE(found) << what << ": trade closed at " << format_time(tr.exit_time);
  }
}

TEST(NoLookAhead, EventKernelIgnoresEveryBarAfterT) {
  const data::BarSeries base = goog();
  BacktestConfig cfg;
  cfg.fees = *execution::FeeModel::parse("0.002");
  cfg.slippage = *execution::SlippageModel::parse("atr:0.1");
  cfg.allow_short = true;
  cfg.volume_participation = 0.5;
  Watcher w0;
  const RunResult r0 = testing::run_engine({&base}, w0, cfg);
  ASSERT_GT(r0.fills.size(), 50u);
  for (std::size_t t : {40u, 300u, 777u, 1500u, 2100u}) {
    const data::BarSeries changed = rewrite_future(base, t, t);
    Watcher w1;
    const RunResult r1 = testing::run_engine({&changed}, w1, cfg);
    const std::string what = "event kernel, t = " + std::to_string(t);
    ASSERT_NO_FATAL_FAILURE(expect_same_prefix(r0, r1, base.ts[t], t, what));
    for (std::size_t k = 0; k <= t; ++k) {
      ASSERT_EQ(w0.seen[k].size(), w1.seen[k].size());
      for (std::size_t c = 0; c < w0.seen[k].size(); ++c) {
        const double x = w0.seen[k][c], y = w1.seen[k][c];
        ASSERT_TRUE(x == y || (std::isnan(x) && std::isnan(y)))
            << what << ": value " << c << " seen at bar " << k << ": " << x << " vs " << y;
      }
    }
    // And the future did change something (the test is not vacuous).
    EXPECT_NE(r0.record.equity.equity.back(), r1.record.equity.equity.back()) << what;
  }
}

TEST(NoLookAhead, SignalRunnerPlansAndBooksIgnoreEveryBarAfterT) {
  const data::BarSeries base = goog();
  for (const char* name : {"sma_cross", "ema_rsi_filter", "bollinger_reversion", "macd_momentum"}) {
    auto spec = strategy::load_spec(name);
    ASSERT_TRUE(spec.ok()) << spec.error().message();
    for (FillTiming fill : {FillTiming::kNextOpen, FillTiming::kClose}) {
      BacktestConfig cfg;
      cfg.fees = *execution::FeeModel::parse("0.001");
      cfg.fill = fill;
      cfg.allow_short = true;
      cfg.exclusive = true;
      auto p0 = strategy::compile(*spec, base);
      ASSERT_TRUE(p0.ok()) << p0.error().message();
      SignalRunInput in0;
      in0.bars = &base;
      in0.plan = &*p0;
      auto r0 = run_signals(in0, cfg);
      ASSERT_TRUE(r0.ok());
      for (std::size_t t : {100u, 900u, 2000u}) {
        const data::BarSeries changed = rewrite_future(base, t, 7 * t);
        auto p1 = strategy::compile(*spec, changed);
        ASSERT_TRUE(p1.ok());
        const std::string what = std::string(name) + (fill == FillTiming::kClose ? " close" : " next_open") +
                                 ", t = " + std::to_string(t);
        // A flag vector may be empty (the rule is absent): then both are.
        auto flag = [](const std::vector<std::uint8_t>& v, std::size_t k) {
          return v.empty() ? 2 : int{v[k]};
        };
        for (std::size_t k = 0; k <= t; ++k) {
          ASSERT_TRUE(flag(p0->long_entry, k) == flag(p1->long_entry, k) &&
                      flag(p0->long_exit, k) == flag(p1->long_exit, k) &&
                      flag(p0->short_entry, k) == flag(p1->short_entry, k) &&
                      flag(p0->short_exit, k) == flag(p1->short_exit, k))
              << what << ": flags at bar " << k;
        }
        SignalRunInput in1;
        in1.bars = &changed;
        in1.plan = &*p1;
        auto r1 = run_signals(in1, cfg);
        ASSERT_TRUE(r1.ok());
        ASSERT_NO_FATAL_FAILURE(expect_same_prefix(*r0, *r1, base.ts[t], t, what));
      }
    }
  }
}

// The strategy enters only when flat and leaves all at once, so each trade is one entry fill.
class InAndOut final : public strategy::Strategy {
 public:
  explicit InAndOut(std::uint64_t seed) : rng_(seed) {}
  std::string_view name() const override { return "in_and_out"; }
  void on_bar(StrategyContext& ctx, std::uint32_t) override {
    std::uniform_real_distribution<double> u(0, 1);
    const double pos = ctx.position(0).quantity;
    const model::Bar b = ctx.bar(0);
    if (pos == 0 && ctx.open_orders().empty() && u(rng_) < 0.2) {
      OrderRequest r;
      r.side = u(rng_) < 0.5 ? OrderSide::kBuy : OrderSide::kSell;
      r.quantity = 10;
      const double a = u(rng_);
      if (a < 0.4) {
        r.type = OrderType::kMarket;
      } else if (a < 0.7) {
        r.type = OrderType::kLimit;
        r.limit_price = r.side == OrderSide::kBuy ? b.close * 0.99 : b.close * 1.01;
        r.tif = model::TimeInForce::kDay;
      } else {
        r.type = OrderType::kStop;
        r.stop_price = r.side == OrderSide::kBuy ? b.close * 1.01 : b.close * 0.99;
        r.tif = model::TimeInForce::kDay;
      }
      if (u(rng_) < 0.5) r.bracket.stop_loss_pct = 2 + 4 * u(rng_);
      if (u(rng_) < 0.5) r.bracket.take_profit_pct = 2 + 8 * u(rng_);
      if (u(rng_) < 0.2) r.bracket.trailing_stop_pct = 3;
      ctx.submit(r);
    } else if (pos != 0 && u(rng_) < 0.04) {
      ctx.close_position(0, "signal");
    } else if (pos != 0 && u(rng_) < 0.04) {
      OrderRequest r;  // market-on-close exit: held through the whole exit bar
      r.side = pos > 0 ? OrderSide::kSell : OrderSide::kBuy;
      r.type = OrderType::kMarketOnClose;
      r.quantity = std::fabs(pos);
      r.reduce_only = true;
      r.tag = "moc";
      ctx.submit(r);
    }
  }

 private:
  std::mt19937_64 rng_;
};

TEST(EventKernelExcursions, MaeAndMfeEqualABruteForceScanOfTheBarsHeld) {
  const data::BarSeries bars = goog();
  std::size_t checked = 0, moc = 0;
  for (FillTiming fill : {FillTiming::kNextOpen, FillTiming::kClose}) {
    for (std::uint64_t seed = 1; seed <= 3; ++seed) {
      BacktestConfig cfg;
      cfg.fill = fill;
      cfg.allow_short = true;
      cfg.fees.taker_rate = 0.001;
      InAndOut s(seed);
      const RunResult r = testing::run_engine({&bars}, s, cfg);
      ASSERT_GT(r.record.trades.size(), 30u);
      for (const auto& t : r.record.trades) {
        // The entry fill: the one on the entry bar at the entry price that opened this side.
        const model::Fill* entry = nullptr;
        const model::Fill* exit = nullptr;
        for (const auto& f : r.fills) {
          if (f.bar == t.entry_bar && f.price == t.entry_price && entry == nullptr &&
              (f.side == OrderSide::kBuy) == (t.side == analytics::Side::kLong)) {
            entry = &f;
          }
          if (f.bar == t.exit_bar && f.price == t.exit_price &&
              (f.side == OrderSide::kSell) == (t.side == analytics::Side::kLong)) {
            exit = &f;
          }
        }
        ASSERT_TRUE(entry != nullptr && exit != nullptr);
        const auto k_in = static_cast<std::size_t>(t.entry_bar), k_out = static_cast<std::size_t>(t.exit_bar);
        const model::Order& in_order = r.orders[entry->order - 1];
        const model::Order& out_order = r.orders[exit->order - 1];
        // No slippage here: a fill at the bar's open has the open's price.
        const bool entered_at_open = entry->price == bars.open[k_in] && in_order.created_bar < t.entry_bar;
        const bool exited_at_close =
            (out_order.type == OrderType::kMarket && out_order.created_bar == t.exit_bar) ||
            out_order.type == OrderType::kMarketOnClose;
        double hi = std::max(t.entry_price, t.exit_price), lo = std::min(t.entry_price, t.exit_price);
        const std::size_t from = entered_at_open ? k_in : k_in + 1;
        const std::size_t last = exited_at_close ? k_out : k_out - 1;
        for (std::size_t k = from; k <= last && k < bars.size(); ++k) {
          hi = std::max(hi, bars.high[k]);
          lo = std::min(lo, bars.low[k]);
        }
        const double e = t.entry_price;
        const double mae = t.side == analytics::Side::kLong ? std::min(0.0, (lo / e - 1) * 100)
                                                            : std::min(0.0, (1 - hi / e) * 100);
        const double mfe = t.side == analytics::Side::kLong ? std::max(0.0, (hi / e - 1) * 100)
                                                            : std::max(0.0, (1 - lo / e) * 100);
        EXPECT_NEAR(t.mae_pct, mae, 1e-9) << "trade entered " << format_time(t.entry_time) << " exited "
                                          << format_time(t.exit_time) << " (" << t.exit_reason << ")";
        EXPECT_NEAR(t.mfe_pct, mfe, 1e-9) << "trade entered " << format_time(t.entry_time) << " exited "
                                          << format_time(t.exit_time) << " (" << t.exit_reason << ")";
        EXPECT_LE(t.mae_pct, 0);
        EXPECT_GE(t.mfe_pct, 0);
        ++checked;
        moc += out_order.type == OrderType::kMarketOnClose;
      }
    }
  }
  EXPECT_GT(checked, 200u);
  EXPECT_GT(moc, 10u);
}

}  // namespace
}  // namespace tradeloop::backtest
