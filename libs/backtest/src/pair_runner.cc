// The signal runner for pairs plans (two legs traded as one spread position). See signal_runner.h.
#include <algorithm>
#include <cmath>
#include <string>

#include <fmt/format.h>

#include "journal.h"
#include "pricing.h"
#include "tradeloop/backtest/signal_runner.h"
#include "tradeloop/portfolio/account.h"
#include "tradeloop/strategy/signal_decision.h"

namespace tradeloop::backtest {

using model::Liquidity;
using model::OrderSide;
using model::OrderType;

namespace {

inline bool flag(const std::vector<std::uint8_t>& v, std::size_t t) {
  return !v.empty() && v[t] != 0;
}

class PairRun {
 public:
  PairRun(const SignalRunInput& in, const BacktestConfig& cfg, RunResult& out, execution::Sizing sizing)
      : cfg_(cfg),
        out_(out),
        a_(*in.bars),
        b_(*in.bars2),
        plan_(*in.plan),
        sizing_(sizing),
        inst_{in.instrument, in.instrument2},
        account_(cfg.initial_cash, {in.instrument, in.instrument2}, portfolio::PositionMode::kNetting,
                 cfg.leverage),
        journal_(out, cfg.record.orders) {}

  Status run();

 private:
  const data::BarSeries& leg(int i) const { return i == 0 ? a_ : b_; }
  int side() const {
    const double q = account_.net_quantity(0);
    return q > 0 ? 1 : q < 0 ? -1 : 0;
  }
  void trade_leg(std::uint32_t i, OrderSide side, double qty, double reference, std::size_t t, bool at_open,
                 std::string_view reason, model::OrderId id);
  void close_all(std::size_t t, bool at_open, std::string_view reason, const model::OrderId* ids);
  void open_spread(int side, std::size_t t, bool at_open, std::int64_t signal_bar, const model::OrderId* ids);
  model::OrderId submit(std::uint32_t i, OrderSide side, std::size_t t, std::string tag, double qty);
  double price(std::uint32_t i, std::size_t t, bool at_open) const {
    return at_open ? leg(static_cast<int>(i)).open[t] : leg(static_cast<int>(i)).close[t];
  }

  const BacktestConfig& cfg_;
  RunResult& out_;
  const data::BarSeries& a_;
  const data::BarSeries& b_;
  const strategy::SignalPlan& plan_;
  execution::Sizing sizing_;
  model::Instrument inst_[2];
  portfolio::Account account_;
  internal::Journal journal_;
  std::int64_t last_exit_bar_ = -1;
  double entry_notional_ = 0;
  double peak_pnl_ = 0;
  std::vector<analytics::ClosedTrade>* trades_ = nullptr;
  model::OrderId pending_close_[2] = {model::kNoOrder, model::kNoOrder};
  model::OrderId pending_open_[2] = {model::kNoOrder, model::kNoOrder};
  int pending_side_ = 0;
  std::int64_t pending_signal_bar_ = -1;
};

model::OrderId PairRun::submit(std::uint32_t i, OrderSide side, std::size_t t, std::string tag, double qty) {
  model::Order o;
  o.instrument = i;
  o.side = side;
  o.type = OrderType::kMarket;
  o.quantity = qty;
  o.tag = std::move(tag);
  return journal_.submit(std::move(o), leg(static_cast<int>(i)).ts[t], static_cast<std::int64_t>(t));
}

void PairRun::trade_leg(std::uint32_t i, OrderSide side, double qty, double reference, std::size_t t,
                        bool at_open, std::string_view reason, model::OrderId id) {
  const model::Instrument& inst = inst_[i];
  const double px = internal::taker_price(cfg_.slippage, side, reference, std::nan(""), inst);
  model::Fill f;
  f.order = id;
  f.instrument = i;
  f.ts = leg(static_cast<int>(i)).ts[t];
  f.bar = static_cast<std::int64_t>(t);
  f.side = side;
  f.quantity = qty;
  f.price = px;
  f.fee = cfg_.fees.fee(qty, px * inst.multiplier, Liquidity::kTaker, true);
  account_.apply_fill(f, true, at_open, reason, trades_);
  journal_.set_quantity(id, qty);
  journal_.fill(id, f);
}

void PairRun::close_all(std::size_t t, bool at_open, std::string_view reason, const model::OrderId* ids) {
  for (std::uint32_t i = 0; i < 2; ++i) {
    const double q = account_.net_quantity(i);
    model::OrderId id = ids != nullptr ? ids[i] : model::kNoOrder;
    if (q == 0) {
      if (id != model::kNoOrder) {
        journal_.cancel(id, leg(static_cast<int>(i)).ts[t], static_cast<std::int64_t>(t), "leg already flat");
      }
      continue;
    }
    const OrderSide s = q > 0 ? OrderSide::kSell : OrderSide::kBuy;
    if (id == model::kNoOrder) id = submit(i, s, t, std::string(reason), std::fabs(q));
    trade_leg(i, s, std::fabs(q), price(i, t, at_open), t, at_open, reason, id);
  }
  last_exit_bar_ = static_cast<std::int64_t>(t);
  entry_notional_ = 0;
  peak_pnl_ = 0;
}

void PairRun::open_spread(int side, std::size_t t, bool at_open, std::int64_t signal_bar,
                          const model::OrderId* ids) {
  const double h = plan_.hedge_ratio[static_cast<std::size_t>(signal_bar)];
  const Timestamp ts = a_.ts[t];
  auto cancel_both = [&](const std::string& why) {
    for (int i = 0; i < 2; ++i) journal_.cancel(ids[i], ts, static_cast<std::int64_t>(t), why);
    journal_.warn(fmt::format("{}: pair entry canceled: {}", format_time_compact(ts), why));
  };
  if (!std::isfinite(h)) {
    cancel_both(fmt::format("hedge ratio at the signal bar is {}", h));
    return;
  }
  const OrderSide s0 = side > 0 ? OrderSide::kBuy : OrderSide::kSell;
  const OrderSide s1 = (side > 0) == (h > 0) ? OrderSide::kSell : OrderSide::kBuy;
  const double p0 = internal::taker_price(cfg_.slippage, s0, price(0, t, at_open), std::nan(""), inst_[0]);
  const double p1 = internal::taker_price(cfg_.slippage, s1, price(1, t, at_open), std::nan(""), inst_[1]);
  account_.mark(0, p0);
  account_.mark(1, p1);
  execution::SizingInputs si;
  si.price = p0 * inst_[0].multiplier + std::fabs(h) * p1 * inst_[1].multiplier;
  si.equity = account_.equity();
  si.margin_available = account_.margin_available();
  si.leverage = account_.leverage();
  si.fees = &cfg_.fees;
  si.instrument = &inst_[0];
  std::string why;
  const double q0 = execution::size_order(sizing_, si, &why);
  const double q1 = inst_[1].round_quantity_down(std::fabs(h) * q0);
  if (q0 <= 0 || (h != 0 && q1 <= 0)) {
    cancel_both(q0 <= 0 ? why : fmt::format("hedge leg {} x {} rounds to no lot", h, q0));
    return;
  }
  const double gross = q0 * p0 * inst_[0].multiplier + q1 * p1 * inst_[1].multiplier;
  const double fees = cfg_.fees.fee(q0, p0 * inst_[0].multiplier, Liquidity::kTaker, true) +
                      cfg_.fees.fee(q1, p1 * inst_[1].multiplier, Liquidity::kTaker, true);
  const double buying_power = account_.margin_available() * account_.leverage();
  if (gross + fees > buying_power) {
    cancel_both(fmt::format("insufficient margin: spread costs {:.2f}, buying power {:.2f}", gross + fees,
                            buying_power));
    return;
  }
  trade_leg(0, s0, q0, price(0, t, at_open), t, at_open, "", ids[0]);
  if (q1 > 0) {
    trade_leg(1, s1, q1, price(1, t, at_open), t, at_open, "", ids[1]);
  } else {
    journal_.cancel(ids[1], ts, static_cast<std::int64_t>(t), "hedge ratio 0: no second leg");
  }
  entry_notional_ = gross;
  peak_pnl_ = 0;
}

Status PairRun::run() {
  const std::size_t n = a_.size();
  trades_ = cfg_.record.trades ? &out_.record.trades : nullptr;
  out_.record.initial_cash = cfg_.initial_cash;
  if (cfg_.record.equity) {
    auto& e = out_.record.equity;
    e.ts.assign(a_.ts.begin(), a_.ts.end());
    e.equity.resize(n);
    if (cfg_.record.equity_details) {
      e.cash.resize(n);
      e.position_value.resize(n);
      e.exposure.resize(n);
    }
    out_.record.benchmark_close.assign(a_.close.begin(), a_.close.end());
  }
  const auto& ex = plan_.exits;
  const int cooldown = ex.cooldown_bars;
  const bool at_close = cfg_.fill == FillTiming::kClose;
  for (std::size_t t = 0; t < n; ++t) {
    const bool closing = pending_close_[0] != model::kNoOrder || pending_close_[1] != model::kNoOrder;
    if (closing || pending_open_[0] != model::kNoOrder) {
      if (closing) close_all(t, true, "signal", pending_close_);
      if (pending_open_[0] != model::kNoOrder)
        open_spread(pending_side_, t, true, pending_signal_bar_, pending_open_);
      pending_close_[0] = pending_close_[1] = pending_open_[0] = pending_open_[1] = model::kNoOrder;
    }
    account_.mark(0, a_.close[t]);
    account_.mark(1, b_.close[t]);
    if (side() != 0 || account_.net_quantity(1) != 0) {
      account_.observe_bar(0, static_cast<std::int64_t>(t), a_.high[t], a_.low[t]);
      account_.observe_bar(1, static_cast<std::int64_t>(t), b_.high[t], b_.low[t]);
      // Exit rules on the pair's PnL at this close.
      const double pnl = account_.unrealized_pnl();
      peak_pnl_ = std::max(peak_pnl_, pnl);
      const double pct = entry_notional_ > 0 ? pnl / entry_notional_ * 100 : 0;
      const double from_peak = entry_notional_ > 0 ? (pnl - peak_pnl_) / entry_notional_ * 100 : 0;
      const char* reason = nullptr;
      if (!std::isnan(ex.stop_loss_pct) && pct <= -ex.stop_loss_pct) {
        reason = "stop_loss";
      } else if (!std::isnan(ex.trailing_stop_pct) && from_peak <= -ex.trailing_stop_pct) {
        reason = "trailing_stop";
      } else if (!std::isnan(ex.take_profit_pct) && pct >= ex.take_profit_pct) {
        reason = "take_profit";
      }
      const double eq = account_.equity();
      if (eq <= 0 ||
          (cfg_.maintenance_margin > 0 && eq < cfg_.maintenance_margin * account_.gross_exposure())) {
        out_.liquidated = true;
        reason = "liquidation";
      }
      if (reason != nullptr) close_all(t, false, reason, nullptr);
      if (account_.equity() <= 0) out_.account_blown = true;
    }
    if (!out_.account_blown) {
      strategy::SignalFlags f;
      f.long_entry = flag(plan_.long_entry, t);
      f.long_exit = flag(plan_.long_exit, t);
      f.short_entry = flag(plan_.short_entry, t);
      f.short_exit = flag(plan_.short_exit, t);
      f.entry_allowed =
          (plan_.entry_allowed.empty() || plan_.entry_allowed[t] != 0) &&
          !(cooldown > 0 && last_exit_bar_ >= 0 && static_cast<std::int64_t>(t) < last_exit_bar_ + cooldown);
      const auto d = strategy::decide(side(), f, /*allow_short=*/true, cfg_.exclusive, cooldown > 0);
      if (d.exit) {
        if (at_close) {
          close_all(t, false, "signal", nullptr);
        } else {
          for (std::uint32_t i = 0; i < 2; ++i) {
            const double q = account_.net_quantity(i);
            if (q != 0)
              pending_close_[i] =
                  submit(i, q > 0 ? OrderSide::kSell : OrderSide::kBuy, t, "signal", std::fabs(q));
          }
        }
      }
      if (d.entry != 0) {
        const double h = plan_.hedge_ratio[t];
        model::OrderId ids[2];
        ids[0] = submit(0, d.entry > 0 ? OrderSide::kBuy : OrderSide::kSell, t, "signal", 0);
        ids[1] = submit(1, (d.entry > 0) == (h > 0) ? OrderSide::kSell : OrderSide::kBuy, t, "signal", 0);
        if (at_close) {
          open_spread(d.entry, t, false, static_cast<std::int64_t>(t), ids);
        } else {
          pending_open_[0] = ids[0];
          pending_open_[1] = ids[1];
          pending_side_ = d.entry;
          pending_signal_bar_ = static_cast<std::int64_t>(t);
        }
      }
    }
    if (cfg_.record.equity) {
      auto& e = out_.record.equity;
      const double eq = account_.equity();
      e.equity[t] = eq;
      if (cfg_.record.equity_details) {
        const double pv = account_.position_value();
        e.position_value[t] = pv;
        e.cash[t] = eq - pv;
        const double gross = account_.gross_exposure();
        e.exposure[t] = gross == 0 ? 0.0 : (eq > 0 ? gross / eq : std::nan(""));
      }
    }
  }
  if (n > 0) {
    for (model::OrderId id : {pending_close_[0], pending_close_[1], pending_open_[0], pending_open_[1]}) {
      if (id != model::kNoOrder)
        journal_.cancel(id, a_.ts[n - 1], static_cast<std::int64_t>(n - 1), "end of data");
    }
  }
  out_.bars = static_cast<std::int64_t>(2 * n);
  out_.record.total_fees = account_.total_fees();
  account_.open_positions(out_.record.open_positions);
  out_.record.periods_per_year = cfg_.periods_per_year;
  out_.record.warmup_bars = static_cast<std::int64_t>(std::min(plan_.warmup_bars, n == 0 ? 0 : n - 1));
  return ok_status();
}

}  // namespace

Status run_pair_signals(const SignalRunInput& input, const BacktestConfig& config, RunResult& out) {
  out.clear();
  if (input.bars == nullptr || input.bars2 == nullptr || input.plan == nullptr) {
    return Error::invalid_argument("run_pair_signals: both legs and the plan are required");
  }
  TL_TRY(config.validate());
  const auto& a = *input.bars;
  const auto& b = *input.bars2;
  const auto& plan = *input.plan;
  const std::size_t n = a.size();
  if (b.size() != n) {
    return Error::invalid_argument(
        fmt::format("pairs: leg '{}' has {} bars, leg '{}' has {}", a.symbol, n, b.symbol, b.size()));
  }
  for (std::size_t t = 0; t < n; ++t) {
    if (a.ts[t] != b.ts[t]) {
      return Error::invalid_argument(
          fmt::format("pairs: legs differ in time at bar {} ({} vs {}): align them first", t,
                      format_time(a.ts[t]), format_time(b.ts[t])));
    }
  }
  if (plan.bars != n || plan.hedge_ratio.size() != n) {
    return Error::invalid_argument(
        fmt::format("pairs plan: made for {} bars with {} hedge ratios, the data has {}", plan.bars,
                    plan.hedge_ratio.size(), n));
  }
  for (const auto* v :
       {&plan.long_entry, &plan.long_exit, &plan.short_entry, &plan.short_exit, &plan.entry_allowed}) {
    if (!v->empty() && v->size() != n)
      return Error::invalid_argument("pairs plan: a signal has the wrong length");
  }
  const auto& ex = plan.exits;
  if (!std::isnan(ex.stop_loss_atr) || !std::isnan(ex.take_profit_atr) || !std::isnan(ex.trailing_stop_atr)) {
    return Error::invalid_argument("pairs plan: ATR exit rules are not defined for a two-leg spread");
  }
  if (config.slippage.needs_atr())
    return Error::invalid_argument("pairs: ATR slippage is not defined for a spread");
  execution::Sizing sizing;
  if (config.sizing) {
    sizing = *config.sizing;
  } else if (!plan.sizing.empty()) {
    auto parsed = execution::Sizing::parse(plan.sizing);
    if (!parsed.ok()) return parsed.error().with_context("signal plan sizing");
    sizing = *parsed;
  }
  if (sizing.mode == model::SizingMode::kRisk) {
    return Error::invalid_argument(
        "pairs: risk sizing is not defined for a spread (use all_in, percent, cash or units)");
  }
  SignalRunInput in = input;
  if (in.instrument.symbol.empty())
    in.instrument = model::Instrument::guess(a.symbol.empty() ? "LEG0" : a.symbol);
  if (in.instrument2.symbol.empty())
    in.instrument2 = model::Instrument::guess(b.symbol.empty() ? "LEG1" : b.symbol);
  TL_TRY(in.instrument.validate());
  TL_TRY(in.instrument2.validate());
  PairRun run(in, config, out, sizing);
  return run.run();
}

}  // namespace tradeloop::backtest
