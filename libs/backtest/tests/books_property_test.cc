// Exact books, as a property: thousands of random orders of every type (market, limit, stop,
// stop-limit, trailing amount/percent, market-on-close, brackets, OCO, OTO; every time in force;
// reduce-only; cancels) over two instruments with partial fills (volume cap), maker/taker, per-unit and
// per-order fees, slippage, shorts, leverage with margin calls, borrow and funding. The strategy
// snapshots the kernel's books at EVERY callback (order event, fill, bar); the test then rebuilds cash,
// positions and equity from the fill log and the charge log alone (spot arithmetic: cash moves by
// -signed quantity x price x multiplier - fee per fill and -amount per charge; no lots, no FIFO, no
// margin balance) and checks every snapshot. Charges are checked against a brute-force recomputation
// from the positions the fill log implies.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>

#include <gtest/gtest.h>

#include "test_util.h"

namespace tradeloop::backtest {
namespace {

using model::OrderSide;
using model::OrderType;
using model::TimeInForce;
using strategy::OrderRequest;
using strategy::StrategyContext;

struct Snapshot {
  const char* where;
  Timestamp ts;
  std::size_t fills;    // fills in the log when the snapshot was taken
  std::size_t charges;  // charges in the log
  double cash, equity;
  std::vector<double> qty, mark;
};

// Random bars: a walk with gaps, wide ranges and small volumes (so the volume cap splits fills).
data::BarSeries random_bars(std::mt19937_64& rng, std::size_t n, Timestamp step, Timestamp start,
                            std::string symbol) {
  std::normal_distribution<double> z(0, 1);
  std::uniform_real_distribution<double> u(0, 1);
  data::BarSeries b;
  b.symbol = std::move(symbol);
  double price = 100;
  Timestamp ts = start;
  for (std::size_t i = 0; i < n; ++i) {
    const double open = price * std::exp(0.01 * z(rng));  // gaps
    price = open * std::exp(0.02 * z(rng));
    const double hi = std::max(open, price) * (1 + 0.01 * u(rng));
    const double lo = std::min(open, price) * (1 - 0.01 * u(rng));
    b.push_back(ts, open, hi, lo, price, std::floor(20 + 200 * u(rng)));
    ts += step * (u(rng) < 0.1 ? 3 : 1);  // irregular spacing
  }
  return b;
}

class ChaosStrategy final : public strategy::Strategy {
 public:
  ChaosStrategy(std::uint64_t seed, const RunResult& out) : rng_(seed), out_(out) {}
  std::string_view name() const override { return "chaos"; }
  std::vector<Snapshot> snaps;
  int submitted = 0;

  void on_bar(StrategyContext& ctx, std::uint32_t i) override {
    snap(ctx, "on_bar");
    std::uniform_real_distribution<double> u(0, 1);
    const model::Bar bar = ctx.bar(i);
    const double px = bar.close;
    // A few random orders per bar.
    const int k = static_cast<int>(u(rng_) * 4);
    for (int j = 0; j < k; ++j) {
      OrderRequest r;
      r.instrument = i;
      r.side = u(rng_) < 0.5 ? OrderSide::kBuy : OrderSide::kSell;
      const double a = u(rng_);
      r.type = a < 0.3    ? OrderType::kMarket
               : a < 0.45 ? OrderType::kLimit
               : a < 0.6  ? OrderType::kStop
               : a < 0.7  ? OrderType::kStopLimit
               : a < 0.8  ? OrderType::kTrailingStop
               : a < 0.9  ? OrderType::kMarketOnClose
                          : OrderType::kMarket;
      const double away = 1 + 0.03 * u(rng_);
      const bool buy = r.side == OrderSide::kBuy;
      if (r.type == OrderType::kLimit) r.limit_price = buy ? px / away : px * away;
      if (r.type == OrderType::kStop) r.stop_price = buy ? px * away : px / away;
      if (r.type == OrderType::kStopLimit) {
        r.stop_price = buy ? px * away : px / away;
        r.limit_price = buy ? r.stop_price * 1.01 : r.stop_price * 0.99;
      }
      if (r.type == OrderType::kTrailingStop) {
        if (u(rng_) < 0.5) {
          r.trailing_type = model::TrailingOffsetType::kPercent;
          r.trailing_offset = 1 + 3 * u(rng_);
        } else {
          r.trailing_type = model::TrailingOffsetType::kAmount;
          r.trailing_offset = px * 0.02;
        }
      }
      const double t = u(rng_);
      r.tif = t < 0.6   ? TimeInForce::kGtc
              : t < 0.7 ? TimeInForce::kDay
              : t < 0.8 ? TimeInForce::kIoc
              : t < 0.9 ? TimeInForce::kFok
                        : TimeInForce::kGtd;
      if (r.tif == TimeInForce::kGtd)
        r.expire_time = ctx.now() + static_cast<Timestamp>(1 + 5 * u(rng_)) * kNanosPerDay;
      const double q = u(rng_);
      if (q < 0.6) {
        r.quantity = std::floor(1 + 60 * u(rng_));
      } else if (q < 0.75) {
        r.sizing = model::SizingMode::kCash;
        r.sizing_value = 500 + 3000 * u(rng_);
      } else if (q < 0.9) {
        r.sizing = model::SizingMode::kPercent;
        r.sizing_value = 5 + 30 * u(rng_);
      } else {
        r.quantity = 0;  // the run's sizing
      }
      r.reduce_only = u(rng_) < 0.1;
      if (r.type == OrderType::kMarket && u(rng_) < 0.25) {
        r.bracket.stop_loss_pct = 1 + 4 * u(rng_);
        if (u(rng_) < 0.7) r.bracket.take_profit_pct = 1 + 6 * u(rng_);
        if (u(rng_) < 0.2) r.bracket.trailing_stop_pct = 2 + 3 * u(rng_);
      }
      const double c = u(rng_);
      if (c < 0.08 && last_ != model::kNoOrder) r.parent = last_;                  // OTO
      if (c > 0.92) r.oco_group = 1000 + static_cast<std::uint64_t>(u(rng_) * 3);  // OCO with siblings
      last_ = ctx.submit(r);
      ++submitted;
    }
    // Cancels and flattening now and then.
    if (u(rng_) < 0.15) {
      auto open = ctx.open_orders();
      if (!open.empty()) {
        const model::Order* o = open[static_cast<std::size_t>(u(rng_) * open.size()) % open.size()];
        (void)ctx.cancel(o->id, "chaos cancel");
      }
    }
    if (u(rng_) < 0.03) ctx.close_position(i, "chaos close");
  }
  void on_order_event(StrategyContext& ctx, const model::OrderEvent&) override {
    snap(ctx, "on_order_event");
  }
  void on_fill(StrategyContext& ctx, const model::Fill&) override { snap(ctx, "on_fill"); }
  void on_stop(StrategyContext& ctx) override { snap(ctx, "on_stop"); }

 private:
  void snap(StrategyContext& ctx, const char* where) {
    Snapshot s{where, ctx.now(), out_.fills.size(), out_.charges.size(), ctx.cash(), ctx.equity(), {}, {}};
    for (std::uint32_t i = 0; i < ctx.num_instruments(); ++i) {
      const model::Position p = ctx.position(i);
      s.qty.push_back(p.quantity);
      s.mark.push_back(p.last_price);
    }
    snaps.push_back(std::move(s));
  }
  std::mt19937_64 rng_;
  const RunResult& out_;
  model::OrderId last_ = model::kNoOrder;
};

// |a - b| small against the money in play.
void expect_money(double got, double want, double scale, const std::string& what) {
  ASSERT_TRUE(std::isfinite(got)) << what;
  ASSERT_NEAR(got, want, 1e-9 * scale) << what;
}

void check_run(std::uint64_t seed, portfolio::PositionMode mode, int* orders_total, int* fills_total) {
  std::mt19937_64 rng(seed);
  const Timestamp t0 = 1'600'041'600LL * kNanosPerSecond;
  data::BarSeries a = random_bars(rng, 400, kNanosPerDay, t0, "AAA");
  data::BarSeries b = random_bars(rng, 300, kNanosPerDay, t0 + kNanosPerHour * 12, "BBB");
  model::Instrument ia = model::Instrument::guess("AAA");
  model::Instrument ib = model::Instrument::guess("BBB");
  ib.multiplier = 2;
  ib.lot_size = 0.5;
  FundingSeries funding;
  for (std::size_t k = 0; k < b.size(); k += 3) {
    funding.ts.push_back(b.ts[k] - kNanosPerHour);
    funding.rate.push_back((static_cast<double>(k % 7) - 3) * 1e-4);
  }
  BacktestConfig cfg;
  cfg.initial_cash = 50000;
  cfg.fees = *execution::FeeModel::parse("taker:0.001,maker:0.0002,per_unit:0.01,per_order:0.5");
  cfg.slippage = *execution::SlippageModel::parse("bps:5");
  cfg.allow_short = true;
  cfg.leverage = 3;
  cfg.maintenance_margin = seed % 3 == 0 ? 0.45 : 0.05;  // some runs get margin calls
  cfg.borrow_rate = 0.08;
  cfg.volume_participation = 0.1;
  cfg.position_mode = mode;
  cfg.sizing = *execution::Sizing::parse("percent:20");
  EngineInput in;
  in.bars = {&a, &b};
  in.instruments = {ia, ib};
  in.funding = {nullptr, &funding};
  RunResult out;
  ChaosStrategy s(seed, out);
  ASSERT_TRUE(run_strategy(in, s, cfg, out).ok());
  ASSERT_TRUE(out.fault.empty()) << out.fault;
  if (std::getenv("TL_BOOKS_VERBOSE") != nullptr) {
    std::map<std::string, int> reasons;
    for (const auto& e : out.events) {
      if (e.to == model::OrderStatus::kCanceled || e.to == model::OrderStatus::kRejected)
        ++reasons[e.reason.substr(0, 40)];
    }
    for (const auto& [r, n] : reasons) std::printf("  %5d %s\n", n, r.c_str());
  }
  *orders_total += s.submitted;
  int partial = 0, liquidations = 0;
  for (const auto& e : out.events) partial += e.to == model::OrderStatus::kPartiallyFilled;
  for (const auto& o : out.orders) liquidations += o.tag == "liquidation";
  std::printf(
      "seed %llu: %d orders, %zu fills (%d partial), %zu charges, %d liquidation orders, %zu snapshots\n",
      static_cast<unsigned long long>(seed), s.submitted, out.fills.size(), partial, out.charges.size(),
      liquidations, s.snaps.size());
  *fills_total += static_cast<int>(out.fills.size());

  const std::vector<const data::BarSeries*> series = {&a, &b};
  const std::vector<double> mult = {ia.multiplier, ib.multiplier};
  // Each charge against the position the fill log implies: funding is paid on the position held into
  // the bar (fills before the bar), borrow on the position after the bar's fills but before a
  // liquidation at its close (margin is checked after the borrow is charged).
  std::vector<bool> liquidation(out.orders.size() + 2, false);
  for (const auto& o : out.orders) {
    if (o.id < liquidation.size()) liquidation[o.id] = o.tag == "liquidation";
  }
  // A liquidation fills at the close of the bar it was decided on, whatever the volume cap.
  for (const model::Fill& f : out.fills) {
    if (liquidation[f.order]) {
      const model::Order& o = out.orders[f.order - 1];
      ASSERT_EQ(o.id, f.order);
      EXPECT_EQ(f.ts, o.created_time);
      EXPECT_EQ(f.quantity, o.quantity);
    }
  }
  for (const Charge& c : out.charges) {
    // Net position, and the short side (hedging: reduce-only fills close the opposite side's lots).
    double q = 0, shorts = 0;
    for (const model::Fill& f : out.fills) {
      if (f.instrument != c.instrument) continue;
      if (f.ts < c.ts || (c.kind == "borrow" && f.ts == c.ts && !liquidation[f.order])) {
        q += f.signed_quantity();
        const bool closing = out.orders[f.order - 1].reduce_only;
        if (f.side == OrderSide::kSell && !closing) shorts -= f.quantity;
        if (f.side == OrderSide::kBuy && closing) shorts += f.quantity;
      }
    }
    if (mode == portfolio::PositionMode::kNetting) shorts = std::min(q, 0.0);
    const auto& s0 = *series[c.instrument];
    const auto k = static_cast<std::size_t>(c.bar);
    ASSERT_GT(k, 0u);
    ASSERT_EQ(s0.ts[k], c.ts);
    double want = 0;
    if (c.kind == "funding") {
      double rate = 0;  // the funding events due at this bar (one at most here)
      for (std::size_t j = 0; j < funding.ts.size(); ++j) {
        if (funding.ts[j] <= s0.ts[k] && funding.ts[j] > s0.ts[k - 1]) rate += funding.rate[j];
      }
      want = q * s0.open[k] * mult[c.instrument] * rate;
    } else {
      ASSERT_EQ(c.kind, "borrow");
      ASSERT_LT(shorts, 0) << "borrow charged at bar " << c.bar << " on a position that is not short";
      const double years = static_cast<double>(s0.ts[k] - s0.ts[k - 1]) / (365.25 * 86400e9);
      want = -shorts * s0.close[k] * mult[c.instrument] * cfg.borrow_rate * years;
    }
    ASSERT_NEAR(c.amount, want, 1e-9 * std::fabs(want) + 1e-12) << c.kind << " at bar " << c.bar;
  }
  // Every snapshot against the logs.
  for (std::size_t n = 0; n < s.snaps.size(); ++n) {
    const Snapshot& sn = s.snaps[n];
    double cash = cfg.initial_cash;
    std::vector<double> q(2, 0.0);
    double turnover = cfg.initial_cash;
    for (std::size_t f = 0; f < sn.fills; ++f) {
      const model::Fill& fl = out.fills[f];
      const double notional = fl.quantity * fl.price * mult[fl.instrument];
      cash -= fl.signed_quantity() * fl.price * mult[fl.instrument] + fl.fee;
      q[fl.instrument] += fl.signed_quantity();
      turnover += notional;
    }
    for (std::size_t c = 0; c < sn.charges; ++c) cash -= out.charges[c].amount;
    double value = 0;
    for (std::size_t i = 0; i < 2; ++i) {
      ASSERT_NEAR(sn.qty[i], q[i], 1e-9 * (1 + std::fabs(q[i])))
          << "snapshot " << n << " (" << sn.where << ") instrument " << i;
      value += q[i] * sn.mark[i] * mult[i];
    }
    const std::string at = "snapshot " + std::to_string(n) + " (" + sn.where + ", " + format_time(sn.ts) +
                           ", after " + std::to_string(sn.fills) + " fills)";
    expect_money(sn.cash, cash, turnover, "cash at " + at);
    expect_money(sn.equity, cash + value, turnover, "equity at " + at);
  }
  // The end: recorded equity, total fees.
  double fees = 0;
  for (const auto& f : out.fills) fees += f.fee;
  EXPECT_NEAR(out.record.total_fees, fees, 1e-9 * (1 + fees));
  EXPECT_EQ(out.record.equity.equity.back(), s.snaps.back().equity);
}

TEST(BooksProperty, CashAndPositionsReconcileWithTheFillLogAfterEveryEvent) {
  int orders = 0, fills = 0;
  for (std::uint64_t seed = 1; seed <= 6; ++seed) {
    check_run(seed, seed % 2 == 0 ? portfolio::PositionMode::kHedging : portfolio::PositionMode::kNetting,
              &orders, &fills);
    if (::testing::Test::HasFatalFailure()) return;
  }
  // The property is only worth something if the runs really traded.
  EXPECT_GT(orders, 5000);
  EXPECT_GT(fills, 1000);
}

}  // namespace
}  // namespace tradeloop::backtest
