#include "tradeloop/backtest/signal_runner.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <initializer_list>
#include <limits>
#include <map>
#include <string>

#include <fmt/format.h>

#include "journal.h"
#include "pricing.h"
#include "tradeloop/execution/fill_rules.h"
#include "tradeloop/indicators/indicator.h"
#include "tradeloop/portfolio/account.h"
#include "tradeloop/strategy/signal_decision.h"

namespace tradeloop::backtest {

using execution::IntrabarOrder;
using model::Liquidity;
using model::OrderSide;
using model::OrderType;

namespace {

constexpr double kYearNs = 365.25 * 86400.0 * 1e9;
// Journal::warn keeps the first 20 warnings (journal.h).
constexpr std::size_t kWarningsKept = 20;

inline bool flag(const std::uint8_t* v, std::size_t t) {
  return v != nullptr && v[t] != 0;
}

// The first bar u in [t, n) where any of the flag columns (nullptr = never) is set; n if none. Eight
// bars per step: stretches without a flag are most of a run.
std::size_t next_flagged(std::size_t t, std::size_t n, std::initializer_list<const std::uint8_t*> columns) {
  const std::uint8_t* cols[4] = {};
  std::size_t m = 0;
  for (const std::uint8_t* c : columns) {
    if (c != nullptr) cols[m++] = c;
  }
  if (m == 0) return n;
  for (; t + 8 <= n; t += 8) {
    std::uint64_t any = 0;
    for (std::size_t j = 0; j < m; ++j) {
      std::uint64_t w;
      std::memcpy(&w, cols[j] + t, sizeof w);
      any |= w;
    }
    if (any != 0) break;
  }
  for (; t < n; ++t) {
    for (std::size_t j = 0; j < m; ++j) {
      if (cols[j][t] != 0) return t;
    }
  }
  return n;
}

// Equity and position value with one lot, as portfolio::Account computes them (same operations, same
// bits): the runner's cached copy of the account's state is marked without calling it.
inline double one_lot_equity(double balance, double quantity, double entry, double multiplier, double price) {
  double s = 0;
  s += quantity * (price - entry) * multiplier;
  return balance + s;
}
inline double one_lot_value(double quantity, double multiplier, double price) {
  double s = 0;
  s += quantity * price * multiplier;
  return s;
}
inline const std::uint8_t* data_or_null(const std::vector<std::uint8_t>& v) {
  return v.empty() ? nullptr : v.data();
}

Status check_flags(const char* name, const std::vector<std::uint8_t>& v, std::size_t n) {
  if (!v.empty() && v.size() != n) {
    return Error::invalid_argument(
        fmt::format("signal plan: '{}' has {} values for {} bars", name, v.size(), n));
  }
  return ok_status();
}

// Protective levels of the open position (NaN = none).
struct ExitLevels {
  double stop = std::nan("");
  double take = std::nan("");
  double trail_pct = std::nan("");
  double trail_dist = std::nan("");
  double extreme = std::nan("");
  model::OrderId stop_order = model::kNoOrder;
  model::OrderId take_order = model::kNoOrder;
  std::int64_t active_from = 0;  // first bar on which they can trigger
};

class SignalRun {
 public:
  SignalRun(const SignalRunInput& in, const BacktestConfig& cfg, RunResult& out, execution::Sizing sizing)
      : in_(in),
        cfg_(cfg),
        out_(out),
        bars_(*in.bars),
        plan_(*in.plan),
        sizing_(sizing),
        account_(cfg.initial_cash, {in.instrument}, cfg.position_mode, cfg.leverage),
        journal_(out, cfg.record.orders),
        inst_(in.instrument) {}

  Status run();

 private:
  // The account is the truth; these cached copies of its state (refreshed by sync() after every
  // change of the books) keep account calls out of the per-bar loop. With one lot, equity and
  // position value are computed with Account's own expressions, so the values are the same bits.
  double net() const { return q_; }
  void sync() {
    q_ = account_.net_quantity(0);
    bal_ = account_.balance();
    mark_ = account_.last_price(0);
    const auto lots = account_.lots(0);
    nlots_ = lots.size();
    if (nlots_ == 1) {
      lot_q_ = lots[0].quantity;
      lot_entry_ = lots[0].entry_price;
      excursion_from_ = lots[0].excursion_from_bar;
    }
  }
  void mark(double price) {
    account_.mark(0, price);
    mark_ = price;
  }
  // At the mark price.
  double equity() const {
    if (nlots_ == 0) return bal_;
    if (nlots_ > 1) return account_.equity();
    return one_lot_equity(bal_, lot_q_, lot_entry_, inst_.multiplier, mark_);
  }
  double position_value() const {
    if (nlots_ == 0) return 0;
    if (nlots_ > 1) return account_.position_value();
    return one_lot_value(lot_q_, inst_.multiplier, mark_);
  }
  // MAE/MFE: the bars a lot is held through are folded into one high/low and handed to the account
  // before the next fill (max/min are associative, so the lot sees the same extremes).
  void observe(std::size_t t) {
    if (nlots_ != 1) {
      account_.observe_bar(0, static_cast<std::int64_t>(t), bars_.high[t], bars_.low[t]);
      return;
    }
    if (static_cast<std::int64_t>(t) < excursion_from_) return;
    obs_high_ = std::max(obs_high_, bars_.high[t]);
    obs_low_ = std::min(obs_low_, bars_.low[t]);
    obs_bar_ = static_cast<std::int64_t>(t);
  }
  void flush_observed() {
    if (obs_bar_ < 0) return;
    account_.observe_bar(0, obs_bar_, obs_high_, obs_low_);
    obs_bar_ = -1;
    obs_high_ = -std::numeric_limits<double>::infinity();
    obs_low_ = std::numeric_limits<double>::infinity();
  }
  int position_side() const {
    const double q = net();
    return q > 0 ? 1 : q < 0 ? -1 : 0;
  }
  model::Bar bar(std::size_t t) const {
    return {bars_.ts[t],  bars_.open[t],  bars_.high[t],
            bars_.low[t], bars_.close[t], bars_.volume.empty() ? 0.0 : bars_.volume[t]};
  }
  double atr_signal(std::int64_t signal_bar) const {
    const auto& a = plan_.exits.atr;
    return signal_bar >= 0 && static_cast<std::size_t>(signal_bar) < a.size() ? a[signal_bar] : std::nan("");
  }

  void execute(OrderSide side, double qty, double price, Liquidity liq, std::size_t t, bool at_open,
               model::OrderId id, std::string_view reason);
  void close_position(double reference, bool taker, double atr, Liquidity liq, std::size_t t, bool at_open,
                      std::string_view reason, model::OrderType type,
                      model::OrderId existing = model::kNoOrder);
  void open_position(int side, double reference, double atr, std::size_t t, bool at_open,
                     std::int64_t signal_bar, model::OrderId id);
  model::OrderId submit_market(OrderSide side, std::size_t decision_bar, std::string tag, double qty);
  void arm_exits(int side, double entry, std::int64_t signal_bar, std::size_t t, bool at_open);
  void disarm_exits(std::size_t t, model::OrderId filled);
  bool check_exit_rules(std::size_t t);
  void charge_carry(std::size_t t);
  void record(std::size_t t);
  // `count` flat bars: equity is the balance, no position value.
  void record_flat(std::size_t count);
  // Bars [t, end) held with one lot and nothing else happening: marks, excursions and records each bar
  // up to the first whose equity is not positive (that bar takes the full path). Returns that bar, or end.
  std::size_t hold_one_lot(std::size_t t, std::size_t end);

  const SignalRunInput& in_;
  const BacktestConfig& cfg_;
  RunResult& out_;
  const data::BarSeries& bars_;
  const strategy::SignalPlan& plan_;
  execution::Sizing sizing_;
  portfolio::Account account_;
  internal::Journal journal_;
  model::Instrument inst_;
  std::vector<double> slip_atr_;
  ExitLevels exits_;
  bool has_exit_rules_ = false;
  std::int64_t last_exit_bar_ = -1;
  std::size_t funding_index_ = 0;
  bool blown_ = false;
  double peak_equity_ = 0;
  // Pending market orders decided at bar t-1 (fill = next open).
  model::OrderId pending_close_ = model::kNoOrder;
  model::OrderId pending_open_ = model::kNoOrder;
  int pending_open_side_ = 0;
  std::int64_t pending_signal_bar_ = -1;
  std::vector<analytics::ClosedTrade>* trades_ = nullptr;
  // Cached account state (sync()).
  double q_ = 0;
  double bal_ = 0;
  double mark_ = 0;
  std::size_t nlots_ = 0;
  double lot_q_ = 0;
  double lot_entry_ = 0;
  std::int64_t excursion_from_ = 0;
  // Extremes of the bars held through since the last flush_observed().
  std::int64_t obs_bar_ = -1;
  double obs_high_ = -std::numeric_limits<double>::infinity();
  double obs_low_ = std::numeric_limits<double>::infinity();
};

model::OrderId SignalRun::submit_market(OrderSide side, std::size_t decision_bar, std::string tag,
                                        double qty) {
  model::Order o;
  o.instrument = 0;
  o.side = side;
  o.type = OrderType::kMarket;
  o.quantity = qty;
  if (qty == 0) {
    o.sizing = sizing_.mode;
    o.sizing_value = sizing_.value;
  }
  o.tag = std::move(tag);
  return journal_.submit(std::move(o), bars_.ts[decision_bar], static_cast<std::int64_t>(decision_bar));
}

void SignalRun::execute(OrderSide side, double qty, double price, Liquidity liq, std::size_t t, bool at_open,
                        model::OrderId id, std::string_view reason) {
  model::Fill f;
  f.order = id;
  f.instrument = 0;
  f.ts = bars_.ts[t];
  f.bar = static_cast<std::int64_t>(t);
  f.side = side;
  f.quantity = qty;
  f.price = price;
  f.fee = cfg_.fees.fee(qty, price * inst_.multiplier, liq, true);
  f.liquidity = liq;
  flush_observed();
  account_.apply_fill(f, /*closing=*/true, at_open, reason, trades_);
  sync();
  journal_.fill(id, f);
}

void SignalRun::close_position(double reference, bool taker, double atr, Liquidity liq, std::size_t t,
                               bool at_open, std::string_view reason, model::OrderType type,
                               model::OrderId existing) {
  const double q = net();
  if (q == 0) return;
  const OrderSide side = q > 0 ? OrderSide::kSell : OrderSide::kBuy;
  const double price = taker ? internal::taker_price(cfg_.slippage, side, reference, atr, inst_) : reference;
  model::OrderId id = existing;
  if (id == model::kNoOrder) {
    model::Order o;
    o.side = side;
    o.type = type;
    o.quantity = std::fabs(q);
    o.reduce_only = true;
    o.tag = std::string(reason);
    id = journal_.submit(std::move(o), bars_.ts[t], static_cast<std::int64_t>(t));
  } else {
    journal_.set_quantity(id, std::fabs(q));
  }
  execute(side, std::fabs(q), price, liq, t, at_open, id, reason);
  disarm_exits(t, id);
  last_exit_bar_ = static_cast<std::int64_t>(t);
}

void SignalRun::open_position(int side, double reference, double atr, std::size_t t, bool at_open,
                              std::int64_t signal_bar, model::OrderId id) {
  const OrderSide oside = side > 0 ? OrderSide::kBuy : OrderSide::kSell;
  const double price = internal::taker_price(cfg_.slippage, oside, reference, atr, inst_);
  mark(price);
  execution::SizingInputs si;
  si.price = price * inst_.multiplier;
  si.equity = account_.equity();
  si.margin_available = account_.margin_available();
  si.leverage = account_.leverage();
  si.fees = &cfg_.fees;
  si.instrument = &inst_;
  if (sizing_.mode == model::SizingMode::kRisk) {
    // Distance to the stop the entry will carry, per unit.
    const auto& ex = plan_.exits;
    double d = std::nan("");
    if (!std::isnan(ex.stop_loss_pct)) d = price * ex.stop_loss_pct / 100;
    const double a = atr_signal(signal_bar);
    if (!std::isnan(ex.stop_loss_atr) && !std::isnan(a))
      d = std::isnan(d) ? ex.stop_loss_atr * a : std::min(d, ex.stop_loss_atr * a);
    si.stop_distance = d * inst_.multiplier;
  }
  std::string why;
  const double qty = execution::size_order(sizing_, si, &why);
  const Timestamp ts = bars_.ts[t];
  if (qty <= 0) {
    journal_.cancel(id, ts, static_cast<std::int64_t>(t), why);
    journal_.warn(fmt::format("{}: order {} canceled: {}", format_time_compact(ts), id, why));
    return;
  }
  // backtesting.py cancels an order it cannot afford: |size| x (price + fee per unit) > buying power.
  const double unit_cost =
      price * inst_.multiplier + cfg_.fees.fee(qty, price * inst_.multiplier, Liquidity::kTaker, true) / qty;
  const double buying_power = account_.margin_available() * account_.leverage();
  if (qty * unit_cost > buying_power) {
    // Formatting costs more than the rest of a trial's bar: only when the text is kept.
    if (!journal_.enabled() && out_.warnings.size() >= kWarningsKept) return;
    std::string reason = fmt::format("insufficient margin: {} units at {} cost {:.2f}, buying power {:.2f}",
                                     qty, price, qty * unit_cost, buying_power);
    journal_.cancel(id, ts, static_cast<std::int64_t>(t), reason);
    journal_.warn(fmt::format("{}: order {} canceled: {}", format_time_compact(ts), id, reason));
    return;
  }
  journal_.set_quantity(id, qty);
  execute(oside, qty, price, Liquidity::kTaker, t, at_open, id, "");
  if (has_exit_rules_) arm_exits(side, price, signal_bar, t, at_open);
}

void SignalRun::arm_exits(int side, double entry, std::int64_t signal_bar, std::size_t t, bool at_open) {
  const auto& ex = plan_.exits;
  ExitLevels lv;
  const double a = atr_signal(signal_bar);
  const double s = side;
  auto nearer = [&](double cur, double cand) {
    if (std::isnan(cand)) return cur;
    if (std::isnan(cur)) return cand;
    return s > 0 ? std::max(cur, cand) : std::min(cur, cand);
  };
  auto nearer_take = [&](double cur, double cand) {
    if (std::isnan(cand)) return cur;
    if (std::isnan(cur)) return cand;
    return s > 0 ? std::min(cur, cand) : std::max(cur, cand);
  };
  if (!std::isnan(ex.stop_loss_pct)) lv.stop = entry * (1 - s * ex.stop_loss_pct / 100);
  if (!std::isnan(ex.stop_loss_atr) && !std::isnan(a))
    lv.stop = nearer(lv.stop, entry - s * ex.stop_loss_atr * a);
  if (!std::isnan(ex.take_profit_pct)) lv.take = entry * (1 + s * ex.take_profit_pct / 100);
  if (!std::isnan(ex.take_profit_atr) && !std::isnan(a)) {
    lv.take = nearer_take(lv.take, entry + s * ex.take_profit_atr * a);
  }
  lv.trail_pct = ex.trailing_stop_pct;
  if (!std::isnan(ex.trailing_stop_atr) && !std::isnan(a)) lv.trail_dist = ex.trailing_stop_atr * a;
  lv.extreme = entry;
  lv.active_from = at_open ? static_cast<std::int64_t>(t) : static_cast<std::int64_t>(t) + 1;
  const OrderSide exit_side = side > 0 ? OrderSide::kSell : OrderSide::kBuy;
  const double qty = std::fabs(net());
  const bool any_stop = !std::isnan(lv.stop) || !std::isnan(lv.trail_pct) || !std::isnan(lv.trail_dist);
  if (any_stop) {
    model::Order o;
    o.side = exit_side;
    o.type = std::isnan(lv.stop) ? OrderType::kTrailingStop : OrderType::kStop;
    o.quantity = qty;
    o.reduce_only = true;
    o.stop_price = lv.stop;
    if (!std::isnan(lv.trail_pct)) {
      o.trailing_type = model::TrailingOffsetType::kPercent;
      o.trailing_offset = lv.trail_pct;
    } else if (!std::isnan(lv.trail_dist)) {
      o.trailing_type = model::TrailingOffsetType::kAmount;
      o.trailing_offset = lv.trail_dist;
    }
    o.oco_group = 1;
    o.tag = std::isnan(lv.stop) ? "trailing_stop" : "stop_loss";
    lv.stop_order = journal_.submit(std::move(o), bars_.ts[t], static_cast<std::int64_t>(t));
  }
  if (!std::isnan(lv.take)) {
    model::Order o;
    o.side = exit_side;
    o.type = OrderType::kLimit;
    o.quantity = qty;
    o.reduce_only = true;
    o.limit_price = lv.take;
    o.oco_group = 1;
    o.tag = "take_profit";
    lv.take_order = journal_.submit(std::move(o), bars_.ts[t], static_cast<std::int64_t>(t));
  }
  exits_ = lv;
}

void SignalRun::disarm_exits(std::size_t t, model::OrderId filled) {
  const Timestamp ts = bars_.ts[t];
  for (model::OrderId id : {exits_.stop_order, exits_.take_order}) {
    if (id != model::kNoOrder && id != filled) {
      journal_.cancel(id, ts, static_cast<std::int64_t>(t),
                      filled == exits_.stop_order || filled == exits_.take_order
                          ? "one-cancels-other: the other exit filled"
                          : "position closed");
    }
  }
  exits_ = ExitLevels{};
}

bool SignalRun::check_exit_rules(std::size_t t) {
  const int side = position_side();
  if (side == 0 || static_cast<std::int64_t>(t) < exits_.active_from) return false;
  const model::Bar b = bar(t);
  const OrderSide exit_side = side > 0 ? OrderSide::kSell : OrderSide::kBuy;
  // Protective stop: the fixed stop or the trailing level, whichever is nearer the price.
  double stop = exits_.stop;
  bool trailing_is_nearer = false;
  double trail = std::nan("");
  if (!std::isnan(exits_.trail_pct)) {
    trail = execution::trailing_stop_level(exit_side, model::TrailingOffsetType::kPercent, exits_.trail_pct,
                                           exits_.extreme);
  } else if (!std::isnan(exits_.trail_dist)) {
    trail = execution::trailing_stop_level(exit_side, model::TrailingOffsetType::kAmount, exits_.trail_dist,
                                           exits_.extreme);
  }
  if (!std::isnan(trail) && (std::isnan(stop) || (side > 0 ? trail > stop : trail < stop))) {
    stop = trail;
    trailing_is_nearer = true;
  }
  const double sp = std::isnan(stop) ? std::nan("") : execution::stop_fill_price(exit_side, stop, b);
  const double tp =
      std::isnan(exits_.take) ? std::nan("") : execution::limit_fill_price(exit_side, exits_.take, b);
  bool take_stop = !std::isnan(sp);
  bool take_tp = !std::isnan(tp);
  if (take_stop && take_tp) {
    // A level crossed at the open came first; otherwise the configured assumption decides.
    if (sp == b.open && tp != b.open) {
      take_tp = false;
    } else if (tp == b.open && sp != b.open) {
      take_stop = false;
    } else if (cfg_.intrabar == IntrabarOrder::kStopFirst) {
      take_tp = false;
    } else {
      take_stop = false;
    }
  }
  const double atr = internal::atr_before(slip_atr_, static_cast<std::int64_t>(t));
  if (take_stop) {
    close_position(sp, true, atr, Liquidity::kTaker, t, false,
                   trailing_is_nearer ? "trailing_stop" : "stop_loss", OrderType::kStop, exits_.stop_order);
    return true;
  }
  if (take_tp) {
    close_position(tp, false, atr, Liquidity::kMaker, t, false, "take_profit", OrderType::kLimit,
                   exits_.take_order);
    return true;
  }
  // Still open: the trailing reference follows this bar's best price (after the check: conservative).
  if (!std::isnan(exits_.extreme)) {
    exits_.extreme = side > 0 ? std::max(exits_.extreme, b.high) : std::min(exits_.extreme, b.low);
  }
  return false;
}

void SignalRun::charge_carry(std::size_t t) {
  const double q = net();
  if (q == 0 || t == 0) return;
  if (cfg_.borrow_rate > 0 && q < 0) {
    const double dt = static_cast<double>(bars_.ts[t] - bars_.ts[t - 1]);
    const double amount = -q * bars_.close[t] * inst_.multiplier * cfg_.borrow_rate * dt / kYearNs;
    account_.charge(0, amount);
    sync();
    out_.charges.push_back({0, bars_.ts[t], static_cast<std::int64_t>(t), amount, "borrow"});
  }
}

void SignalRun::record_flat(std::size_t count) {
  if (!cfg_.record.equity) return;
  auto& e = out_.record.equity;
  const double eq = equity();
  e.equity.insert(e.equity.end(), count, eq);
  if (cfg_.record.equity_details) {
    e.position_value.insert(e.position_value.end(), count, 0.0);
    if (!cfg_.record.derive_details) {
      e.cash.insert(e.cash.end(), count, eq);
      e.exposure.insert(e.exposure.end(), count, 0.0);
    }
  }
}

void SignalRun::record(std::size_t /*t*/) {
  if (!cfg_.record.equity) return;
  auto& e = out_.record.equity;
  const double eq = equity();
  e.equity.push_back(eq);
  if (cfg_.record.equity_details) {
    const double pv = position_value();
    e.position_value.push_back(pv);
    if (!cfg_.record.derive_details) {  // else EquityCurve::cash_at/exposure_at derive them, same bits
      e.cash.push_back(eq - pv);
      e.exposure.push_back(pv == 0 ? 0.0 : (eq > 0 ? std::fabs(pv) / eq : std::nan("")));
    }
  }
}

std::size_t SignalRun::hold_one_lot(std::size_t t, std::size_t end) {
  const double* close = bars_.close.data();
  const double bal = bal_, q = lot_q_, entry = lot_entry_, mult = inst_.multiplier;
  std::size_t u = end;
  if (cfg_.record.equity) {
    // Written in place and cut back at the first bar with equity <= 0.
    std::vector<double>& eq = out_.record.equity.equity;
    const std::size_t base = eq.size();
    eq.resize(base + (end - t));
    double* out = eq.data() + base - t;
    bool any_bad = false;
    for (std::size_t k = t; k < end; ++k) {
      out[k] = one_lot_equity(bal, q, entry, mult, close[k]);
      any_bad |= !(out[k] > 0);
    }
    if (any_bad) {
      for (std::size_t k = t; k < end; ++k) {
        if (!(out[k] > 0)) {
          u = k;
          break;
        }
      }
      eq.resize(base + (u - t));
    }
    if (cfg_.record.equity_details) {
      auto& e = out_.record.equity;
      e.position_value.resize(base + (u - t));
      double* pv = e.position_value.data() + base - t;
      for (std::size_t k = t; k < u; ++k) pv[k] = one_lot_value(q, mult, close[k]);
      if (!cfg_.record.derive_details) {
        e.cash.resize(base + (u - t));
        e.exposure.resize(base + (u - t));
        double* cash = e.cash.data() + base - t;
        double* exposure = e.exposure.data() + base - t;
        out = eq.data() + base - t;
        for (std::size_t k = t; k < u; ++k) {
          cash[k] = out[k] - pv[k];
          exposure[k] = pv[k] == 0 ? 0.0 : std::fabs(pv[k]) / out[k];
        }
      }
    }
  } else {
    for (std::size_t k = t; k < end; ++k) {
      if (!(one_lot_equity(bal, q, entry, mult, close[k]) > 0)) {
        u = k;
        break;
      }
    }
  }
  // Excursions: max/min over the bars the lot is held through (in lanes; max and min are exact in any
  // order, and NaN highs or lows are skipped as std::max/std::min skip them).
  const std::size_t from =
      std::max<std::size_t>(t, static_cast<std::size_t>(std::max<std::int64_t>(excursion_from_, 0)));
  if (from < u) {
    const double* high = bars_.high.data();
    const double* low = bars_.low.data();
    double hi[4] = {obs_high_, obs_high_, obs_high_, obs_high_};
    double lo[4] = {obs_low_, obs_low_, obs_low_, obs_low_};
    std::size_t k = from;
    for (; k + 4 <= u; k += 4) {
      for (std::size_t j = 0; j < 4; ++j) {
        hi[j] = std::max(hi[j], high[k + j]);
        lo[j] = std::min(lo[j], low[k + j]);
      }
    }
    for (; k < u; ++k) {
      hi[0] = std::max(hi[0], high[k]);
      lo[0] = std::min(lo[0], low[k]);
    }
    obs_high_ = std::max(std::max(hi[0], hi[1]), std::max(hi[2], hi[3]));
    obs_low_ = std::min(std::min(lo[0], lo[1]), std::min(lo[2], lo[3]));
    obs_bar_ = static_cast<std::int64_t>(u - 1);
  }
  return u;
}

Status SignalRun::run() {
  const std::size_t n = bars_.size();
  const auto& ex = plan_.exits;
  has_exit_rules_ = !std::isnan(ex.stop_loss_pct) || !std::isnan(ex.take_profit_pct) ||
                    !std::isnan(ex.trailing_stop_pct) || !std::isnan(ex.stop_loss_atr) ||
                    !std::isnan(ex.take_profit_atr) || !std::isnan(ex.trailing_stop_atr);
  trades_ = cfg_.record.trades ? &out_.record.trades : nullptr;
  if (cfg_.slippage.needs_atr() && n > 0) {
    indicators::InputSeries s;
    s.high = bars_.high;
    s.low = bars_.low;
    s.close = bars_.close;
    TL_ASSIGN_OR_RETURN(auto cols, indicators::compute("atr", s, {{"timeperiod", cfg_.slippage.atr_period}}));
    slip_atr_ = std::move(cols[0]);
  }
  out_.record.initial_cash = cfg_.initial_cash;
  if (cfg_.record.equity) {
    auto& e = out_.record.equity;
    if (!in_.share_series) e.ts.assign(bars_.ts.begin(), bars_.ts.end());
    // Appended bar by bar (record() runs once per bar, in order): no zero-fill of reused buffers.
    e.equity.reserve(n);
    if (cfg_.record.equity_details) {
      e.position_value.reserve(n);
      if (!cfg_.record.derive_details) {
        e.cash.reserve(n);
        e.exposure.reserve(n);
      }
    }
    if (!in_.share_series) out_.record.benchmark_close.assign(bars_.close.begin(), bars_.close.end());
  }
  bal_ = account_.balance();
  const std::uint8_t* le = data_or_null(plan_.long_entry);
  const std::uint8_t* lx = data_or_null(plan_.long_exit);
  const std::uint8_t* se = data_or_null(plan_.short_entry);
  const std::uint8_t* sx = data_or_null(plan_.short_exit);
  const std::uint8_t* allowed = data_or_null(plan_.entry_allowed);
  const int cooldown = ex.cooldown_bars;
  const bool at_close = cfg_.fill == FillTiming::kClose;
  const FundingSeries* funding = in_.funding;

  for (std::size_t t = 0; t < n; ++t) {
    // Flat with nothing pending and no entry flag: no fill, exit rule, carry or decision can happen,
    // equity stays the balance. Run through the stretch recording only; the last close becomes the mark
    // (the only state a flat bar changes), and the bar that ends the stretch takes the full path.
    if (funding == nullptr && q_ == 0 && nlots_ == 0 && pending_close_ == model::kNoOrder &&
        pending_open_ == model::kNoOrder && !flag(le, t) && !flag(se, t)) {
      const std::size_t u = next_flagged(t + 1, n, {le, se});
      mark(bars_.close[u - 1]);
      record_flat(u - t);
      t = u - 1;
      continue;
    }
    // Holding one lot, nothing pending, no exit rule, carry or margin rule, and no signal flag: each bar
    // only marks, extends the excursion and records, until a flag or equity <= 0 (that bar takes the
    // full path, which redoes its mark and excursion, both idempotent).
    if (funding == nullptr && nlots_ == 1 && !has_exit_rules_ && !blown_ &&
        pending_close_ == model::kNoOrder && pending_open_ == model::kNoOrder &&
        !(cfg_.maintenance_margin > 0) && !(cfg_.borrow_rate > 0 && q_ < 0)) {
      const std::size_t u = hold_one_lot(t, next_flagged(t, n, {le, lx, se, sx}));
      if (u > t) {
        mark(bars_.close[u - 1]);
        t = u - 1;
        continue;
      }
    }
    const double open = bars_.open[t];
    // Funding events since the previous bar, paid on the position held through them, at this open.
    if (funding != nullptr) {
      while (funding_index_ < funding->ts.size() && funding->ts[funding_index_] <= bars_.ts[t]) {
        const double q = net();
        if (q != 0 && t > 0) {
          const double amount = q * open * inst_.multiplier * funding->rate[funding_index_];
          account_.charge(0, amount);
          sync();
          out_.charges.push_back({0, bars_.ts[t], static_cast<std::int64_t>(t), amount, "funding"});
        }
        ++funding_index_;
      }
    }
    // 1. Orders decided at the previous close fill at this open: exit first, then entry.
    if (pending_close_ != model::kNoOrder || pending_open_ != model::kNoOrder) {
      mark(open);
      const double atr = internal::atr_before(slip_atr_, static_cast<std::int64_t>(t));
      if (pending_close_ != model::kNoOrder) {
        if (net() != 0) {
          close_position(open, true, atr, Liquidity::kTaker, t, true, "signal", OrderType::kMarket,
                         pending_close_);
        } else {
          journal_.cancel(pending_close_, bars_.ts[t], static_cast<std::int64_t>(t),
                          "position already closed");
        }
        pending_close_ = model::kNoOrder;
      }
      if (pending_open_ != model::kNoOrder) {
        if (net() == 0) {
          open_position(pending_open_side_, open, atr, t, true, pending_signal_bar_, pending_open_);
        } else {
          journal_.cancel(pending_open_, bars_.ts[t], static_cast<std::int64_t>(t),
                          "a position is still open (netting)");
        }
        pending_open_ = model::kNoOrder;
      }
    }
    // 2. Protective exits inside the bar.
    if (has_exit_rules_ && net() != 0) check_exit_rules(t);
    // 3. Mark at the close; carry costs; margin check.
    const double close = bars_.close[t];
    mark(close);
    if (net() != 0) {
      observe(t);
      charge_carry(t);
      const double eq = equity();
      if (eq <= 0 ||
          (cfg_.maintenance_margin > 0 && eq < cfg_.maintenance_margin * account_.gross_exposure())) {
        out_.liquidated = true;
        journal_.warn(
            fmt::format("{}: margin call: equity {:.2f}, exposure {:.2f}: positions liquidated at the close",
                        format_time_compact(bars_.ts[t]), eq, account_.gross_exposure()));
        close_position(close, true, t < slip_atr_.size() ? slip_atr_[t] : std::nan(""), Liquidity::kTaker, t,
                       false, "liquidation", OrderType::kMarket);
        if (account_.equity() <= 0) {
          blown_ = true;
          out_.account_blown = true;
        }
      }
    }
    // 4. Decisions at this close.
    if (!blown_) {
      const int pos = position_side();
      strategy::SignalFlags fl;
      fl.long_entry = flag(le, t);
      fl.long_exit = flag(lx, t);
      fl.short_entry = flag(se, t);
      fl.short_exit = flag(sx, t);
      fl.entry_allowed =
          (allowed == nullptr || allowed[t] != 0) &&
          !(cooldown > 0 && last_exit_bar_ >= 0 && static_cast<std::int64_t>(t) < last_exit_bar_ + cooldown);
      const strategy::SignalDecision d =
          strategy::decide(pos, fl, cfg_.allow_short, cfg_.exclusive, cooldown > 0);
      const bool do_exit = d.exit;
      const int entry = d.entry;
      if (do_exit && pos != 0) {
        const OrderSide xs = pos > 0 ? OrderSide::kSell : OrderSide::kBuy;
        if (at_close) {
          close_position(close, true, slip_atr_.empty() ? std::nan("") : slip_atr_[t], Liquidity::kTaker, t,
                         false, "signal", OrderType::kMarket);
        } else {
          pending_close_ = submit_market(xs, t, "signal", std::fabs(net()));
        }
      }
      if (entry != 0) {
        const OrderSide es = entry > 0 ? OrderSide::kBuy : OrderSide::kSell;
        const model::OrderId id = submit_market(es, t, "signal", 0);
        if (at_close) {
          open_position(entry, close, slip_atr_.empty() ? std::nan("") : slip_atr_[t], t, false,
                        static_cast<std::int64_t>(t), id);
        } else {
          pending_open_ = id;
          pending_open_side_ = entry;
          pending_signal_bar_ = static_cast<std::int64_t>(t);
        }
      }
    }
    // 5. The account at this bar.
    record(t);
  }
  if (n > 0) {
    const Timestamp end_ts = bars_.ts[n - 1];
    for (model::OrderId id : {pending_close_, pending_open_}) {
      if (id != model::kNoOrder) journal_.cancel(id, end_ts, static_cast<std::int64_t>(n - 1), "end of data");
    }
    for (model::OrderId id : {exits_.stop_order, exits_.take_order}) {
      if (id != model::kNoOrder) journal_.cancel(id, end_ts, static_cast<std::int64_t>(n - 1), "end of data");
    }
  }
  out_.bars = static_cast<std::int64_t>(n);
  flush_observed();
  out_.record.total_fees = account_.total_fees();
  account_.open_positions(out_.record.open_positions);
  out_.record.periods_per_year = cfg_.periods_per_year;  // 0: analytics infers it from the timestamps
  out_.record.warmup_bars = static_cast<std::int64_t>(std::min(plan_.warmup_bars, n == 0 ? 0 : n - 1));
  return ok_status();
}

}  // namespace

Status run_signals(const SignalRunInput& input, const BacktestConfig& config, RunResult& out) {
  out.clear();
  if (input.bars == nullptr || input.plan == nullptr) {
    return Error::invalid_argument("run_signals: bars and plan are required");
  }
  TL_TRY(config.validate());
  const auto& bars = *input.bars;
  const auto& plan = *input.plan;
  const std::size_t n = bars.size();
  if (plan.bars != n) {
    return Error::invalid_argument(
        fmt::format("signal plan: made for {} bars, the data has {}", plan.bars, n));
  }
  TL_TRY(check_flags("long_entry", plan.long_entry, n));
  TL_TRY(check_flags("long_exit", plan.long_exit, n));
  TL_TRY(check_flags("short_entry", plan.short_entry, n));
  TL_TRY(check_flags("short_exit", plan.short_exit, n));
  TL_TRY(check_flags("entry_allowed", plan.entry_allowed, n));
  const auto& ex = plan.exits;
  const bool atr_rules =
      !std::isnan(ex.stop_loss_atr) || !std::isnan(ex.take_profit_atr) || !std::isnan(ex.trailing_stop_atr);
  if (atr_rules && ex.atr.size() != n) {
    return Error::invalid_argument(
        fmt::format("signal plan: ATR exit rules need {} ATR values, the plan has {}", n, ex.atr.size()));
  }
  if (ex.cooldown_bars < 0) {
    return Error::invalid_argument(
        fmt::format("signal plan: cooldown_bars {} must be >= 0", ex.cooldown_bars));
  }
  if (!plan.hedge_ratio.empty()) {
    return Error::invalid_argument(
        "signal plan: pairs plans (hedge_ratio) need two instruments: use run_pair_signals");
  }
  if (bars.open.size() != n || bars.high.size() != n || bars.low.size() != n || bars.close.size() != n) {
    return Error::invalid_argument(fmt::format("bars '{}': OHLC columns differ in length", bars.symbol));
  }
  execution::Sizing sizing;
  if (config.sizing) {
    sizing = *config.sizing;
  } else if (!plan.sizing.empty()) {
    auto parsed = execution::Sizing::parse(plan.sizing);
    if (!parsed.ok()) return parsed.error().with_context("signal plan sizing");
    sizing = *parsed;
  }
  if (sizing.mode == model::SizingMode::kRisk && std::isnan(ex.stop_loss_pct) &&
      std::isnan(ex.stop_loss_atr)) {
    return Error::invalid_argument(
        fmt::format("sizing {} needs a stop-loss rule (stop_loss_pct or stop_loss_atr) in the strategy",
                    sizing.to_string()));
  }
  SignalRunInput in = input;
  if (in.instrument.symbol.empty())
    in.instrument = model::Instrument::guess(bars.symbol.empty() ? "ASSET" : bars.symbol);
  TL_TRY(in.instrument.validate());
  SignalRun run(in, config, out, sizing);
  return run.run();
}

Result<RunResult> run_signals(const SignalRunInput& input, const BacktestConfig& config) {
  RunResult out;
  TL_TRY(run_signals(input, config, out));
  return out;
}

}  // namespace tradeloop::backtest
