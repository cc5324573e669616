#include "tradeloop/backtest/engine.h"

#include <algorithm>
#include <cmath>
#include <exception>
#include <map>
#include <memory>
#include <span>
#include <string>

#include <fmt/format.h>

#include "journal.h"
#include "tradeloop/backtest/clock.h"
#include "tradeloop/backtest/data_feed.h"
#include "tradeloop/backtest/simulated_exchange.h"
#include "tradeloop/execution/sizing.h"
#include "tradeloop/indicators/indicator.h"
#include "tradeloop/portfolio/account.h"

namespace tradeloop::backtest {

using model::Order;
using model::OrderSide;
using model::OrderStatus;
using model::OrderType;

namespace {

constexpr double kYearNs = 365.25 * 86400.0 * 1e9;
constexpr std::uint64_t kBracketGroupBit = std::uint64_t{1} << 63;

class Kernel final : public ExchangeHost, public strategy::StrategyContext {
 public:
  Kernel(const EngineInput& in, std::vector<model::Instrument> instruments, strategy::Strategy& strategy,
         const BacktestConfig& cfg, RunResult& out)
      : in_(in),
        cfg_(cfg),
        out_(out),
        strategy_(strategy),
        account_(cfg.initial_cash, instruments, cfg.position_mode, cfg.leverage),
        exchange_(instruments, cfg, *this, clock_),
        instruments_(std::move(instruments)),
        current_(instruments_.size(), -1),
        funding_index_(instruments_.size(), 0),
        journal_(out, cfg.record.orders) {
    if (cfg.sizing) sizing_ = *cfg.sizing;
  }

  Status run();

  // ---- ExchangeHost
  double approve_fill(const Order& order, double price, double wanted, std::string* why) override;
  void on_bar_fill(const model::Fill& fill, const Order& order, bool at_open) override;
  void reserve_trades();
  void on_order_event(const model::OrderEvent& event) override;

  // ---- StrategyContext
  Timestamp now() const override { return clock_.now(); }
  std::size_t num_instruments() const override { return instruments_.size(); }
  const model::Instrument& instrument(std::uint32_t i) const override { return instruments_[i]; }
  std::int64_t bar_index(std::uint32_t i) const override { return current_[i]; }
  model::Bar bar(std::uint32_t i) const override;
  strategy::SeriesView series(std::uint32_t i, std::string_view field) const override;
  Result<strategy::SeriesView> indicator(std::uint32_t i, std::string_view name,
                                         const std::map<std::string, double>& params,
                                         std::string_view output) override;
  double cash() const override { return account_.equity() - account_.position_value(); }
  double equity() const override { return account_.equity(); }
  model::Position position(std::uint32_t i) const override { return account_.position(i); }
  std::span<const Order* const> open_orders() const override {
    exchange_.open_orders(open_cache_);
    return open_cache_;
  }
  const Order* order(model::OrderId id) const override { return exchange_.order(id); }
  model::OrderId submit(const strategy::OrderRequest& request) override;
  Status cancel(model::OrderId id, std::string_view reason) override;
  model::OrderId close_position(std::uint32_t i, std::string_view tag) override;
  bool allow_short() const override { return cfg_.allow_short; }
  bool exclusive() const override { return cfg_.exclusive; }

 private:
  model::OrderId reject(Order o, std::string reason);
  // Units a reduce-only order of this side may trade: the opposite position (netting), or the opposite
  // side's lots (hedging, where a long and a short can be open together).
  double reducible(std::uint32_t i, bool buy) const {
    if (account_.mode() == portfolio::PositionMode::kHedging) {
      return buy ? -account_.side_quantity(i, -1) : account_.side_quantity(i, 1);
    }
    const double pos = account_.net_quantity(i);
    return buy ? std::max(0.0, -pos) : std::max(0.0, pos);
  }
  void fault(const char* where, const std::string& what);
  template <typename F>
  void call_strategy(const char* where, F&& f);
  // One time step: the bars of every instrument sharing a timestamp (see the life of a bar above).
  void run_step(std::span<const BarEvent> step);
  void record_equity(Timestamp ts);
  // Timestamps, benchmark, cash and exposure from the equity and position value recorded per step.
  void finish_equity();
  void liquidate(std::span<const BarEvent> step);

  const EngineInput& in_;
  const BacktestConfig& cfg_;
  RunResult& out_;
  strategy::Strategy& strategy_;
  SimulatedClock clock_;
  portfolio::Account account_;
  SimulatedExchange exchange_;
  std::vector<model::Instrument> instruments_;
  std::vector<std::int64_t> current_;  // bar visible to the strategy, per instrument
  std::vector<std::size_t> funding_index_;
  internal::Journal journal_;
  execution::Sizing sizing_;
  model::OrderId last_id_ = 0;
  std::uint64_t last_group_ = 0;
  std::map<model::OrderId, strategy::Bracket> brackets_;  // entry order -> its bracket (risk sizing)
  std::vector<Order> rejected_;
  mutable std::vector<const Order*> open_cache_;
  // Indicator outputs computed for the strategy (all outputs of one indicator and parameter set), by
  // "instrument|name|params"; the buffers never move, so SeriesViews into them stay valid.
  using Outputs = std::vector<std::unique_ptr<double[]>>;
  std::map<std::string, Outputs> indicators_;
  std::int64_t warmup_ = 0;
  std::size_t steps_ = 0;       // time steps recorded in the equity curve
  std::size_t bars_total_ = 0;  // bars of all instruments
  // Equity and position value at the margin check of the current step, and the books' version then.
  std::uint64_t marked_version_ = ~std::uint64_t{0};
  double marked_equity_ = 0;
  double marked_position_value_ = 0;
  bool faulted_ = false;
  bool stopped_ = false;  // account blown: no more trading
};

model::Bar Kernel::bar(std::uint32_t i) const {
  const auto& s = *in_.bars[i];
  const std::int64_t k = current_[i];
  if (k < 0) return {};
  return {s.ts[k], s.open[k], s.high[k], s.low[k], s.close[k], s.volume.empty() ? 0.0 : s.volume[k]};
}

strategy::SeriesView Kernel::series(std::uint32_t i, std::string_view field) const {
  const auto& s = *in_.bars[i];
  const std::vector<double>* col = field == "open"                          ? &s.open
                                   : field == "high"                        ? &s.high
                                   : field == "low"                         ? &s.low
                                   : field == "close"                       ? &s.close
                                   : field == "volume" && !s.volume.empty() ? &s.volume
                                                                            : nullptr;
  return col == nullptr ? strategy::SeriesView() : strategy::SeriesView(col->data(), &current_[i]);
}

Result<strategy::SeriesView> Kernel::indicator(std::uint32_t i, std::string_view name,
                                               const std::map<std::string, double>& params,
                                               std::string_view output) {
  if (i >= instruments_.size()) {
    return Error::out_of_range(fmt::format("indicator {}: instrument {} does not exist", name, i));
  }
  const indicators::IndicatorInfo* info = indicators::find_indicator(name);
  if (info == nullptr) {
    const std::string s = indicators::suggest_indicator(name);
    return Error::not_found(
        fmt::format("unknown indicator '{}'{}", name, s.empty() ? "" : " (did you mean '" + s + "'?)"));
  }
  std::size_t out_index = 0;
  if (!output.empty()) {
    auto it = std::find(info->outputs.begin(), info->outputs.end(), output);
    if (it == info->outputs.end()) {
      return Error::not_found(fmt::format("indicator {} has no output '{}'", name, output));
    }
    out_index = static_cast<std::size_t>(it - info->outputs.begin());
  }
  std::string key = fmt::format("{}|{}", i, name);
  for (const auto& [k, v] : params) key += fmt::format("|{}={}", k, v);
  auto it = indicators_.find(key);
  if (it == indicators_.end()) {
    const auto& s = *in_.bars[i];
    indicators::InputSeries inputs;
    inputs.ts = s.ts;
    inputs.open = s.open;
    inputs.high = s.high;
    inputs.low = s.low;
    inputs.close = s.close;
    inputs.volume = s.volume;
    TL_ASSIGN_OR_RETURN(auto ind, indicators::make_indicator(name, params));
    const std::size_t n = s.size();
    for (const auto& input : info->inputs) {
      if (inputs.get(input).size() != n) {
        return Error::invalid_argument(
            fmt::format("indicator {}: instrument {} ('{}') has no '{}' column", name, i, s.symbol, input));
      }
    }
    // Batch over the whole series equals streaming bar by bar (the indicator contract); the view only
    // reveals values up to the current bar, so this is not look-ahead. Buffers left uninitialized: the
    // indicator writes every element (zeroing 8 bytes a bar first costs as much as the SMA itself).
    Outputs outs;
    std::vector<std::span<double>> spans;
    for (std::size_t k = 0; k < ind->num_outputs(); ++k) {
      outs.emplace_back(new double[n]);
      spans.emplace_back(outs.back().get(), n);
    }
    ind->compute(inputs, spans);
    it = indicators_.emplace(std::move(key), std::move(outs)).first;
  }
  const double* values = it->second[out_index].get();
  std::int64_t first = 0;
  const auto n = static_cast<std::int64_t>(in_.bars[i]->size());
  while (first < n && std::isnan(values[first])) ++first;
  warmup_ = std::max(warmup_, first);
  return strategy::SeriesView(values, &current_[i]);
}

model::OrderId Kernel::reject(Order o, std::string reason) {
  if (journal_.wants_warning()) {
    journal_.warn(fmt::format("{}: order {} rejected: {}", format_time_compact(clock_.now()), o.id, reason));
  }
  o.status = OrderStatus::kNew;
  auto ev =
      model::transition(o, OrderStatus::kRejected, clock_.now(), current_[o.instrument], std::move(reason));
  rejected_.push_back(o);
  on_order_event(ev);
  return o.id;
}

model::OrderId Kernel::submit(const strategy::OrderRequest& r) {
  Order o;
  o.id = ++last_id_;
  o.instrument = r.instrument;
  o.side = r.side;
  o.type = r.type;
  o.tif = r.tif;
  o.reduce_only = r.reduce_only;
  o.limit_price = r.limit_price;
  o.stop_price = r.stop_price;
  o.trailing_type = r.trailing_type;
  o.trailing_offset = r.trailing_offset;
  o.expire_time = r.expire_time;
  o.tag = r.tag;
  o.created_time = clock_.now();
  o.oco_group = r.oco_group;
  if (r.instrument >= instruments_.size()) {
    o.instrument = 0;
    return reject(std::move(o), fmt::format("instrument {} does not exist", r.instrument));
  }
  o.created_bar = current_[r.instrument];
  if (faulted_ || stopped_)
    return reject(std::move(o), stopped_ ? "trading stopped: the account is blown" : "strategy faulted");
  const model::Instrument& inst = instruments_[r.instrument];
  // Quantity: fixed now, or decided at the fill.
  if (r.quantity < 0 || !std::isfinite(r.quantity)) {
    return reject(std::move(o), fmt::format("quantity {} is not a number >= 0", r.quantity));
  }
  if (r.quantity > 0) {
    o.quantity = inst.round_quantity_down(r.quantity);
    if (o.quantity <= 0) {
      return reject(std::move(o),
                    fmt::format("quantity {} rounds down to 0 lots of {}", r.quantity, inst.lot_size));
    }
  } else if (r.sizing == model::SizingMode::kFixed) {
    // The run's sizing: units:N is known now, the others are decided at the fill.
    if (sizing_.mode == model::SizingMode::kFixed) {
      o.quantity = inst.round_quantity_down(sizing_.value);
      if (o.quantity <= 0) {
        return reject(std::move(o), fmt::format("sizing {} rounds down to 0 lots of {}", sizing_.to_string(),
                                                inst.lot_size));
      }
    } else {
      o.sizing = sizing_.mode;
      o.sizing_value = sizing_.value;
    }
  } else {
    o.sizing = r.sizing;
    o.sizing_value = r.sizing_value;
  }
  // Prices.
  const bool needs_limit = r.type == OrderType::kLimit || r.type == OrderType::kStopLimit;
  const bool needs_stop = r.type == OrderType::kStop || r.type == OrderType::kStopLimit;
  if (needs_limit && !(r.limit_price > 0)) {
    return reject(std::move(o), fmt::format("{} order needs a limit price > 0, got {}",
                                            model::order_type_name(r.type), r.limit_price));
  }
  if (needs_stop && !(r.stop_price > 0)) {
    return reject(std::move(o), fmt::format("{} order needs a stop price > 0, got {}",
                                            model::order_type_name(r.type), r.stop_price));
  }
  if (r.type == OrderType::kTrailingStop) {
    if (r.trailing_type == model::TrailingOffsetType::kNone || !(r.trailing_offset > 0) ||
        (r.trailing_type == model::TrailingOffsetType::kPercent && r.trailing_offset >= 100)) {
      return reject(std::move(o), fmt::format("trailing stop needs an offset > 0 (percent < 100), got {}",
                                              r.trailing_offset));
    }
  }
  if (needs_limit) o.limit_price = inst.round_price(r.limit_price);
  if (needs_stop) o.stop_price = inst.round_price(r.stop_price);
  // A trailing stop starts following from the last close it saw.
  if (r.type == OrderType::kTrailingStop) o.trail_extreme = account_.last_price(r.instrument);
  if (r.tif == model::TimeInForce::kGtd && r.expire_time <= clock_.now()) {
    return reject(std::move(o), fmt::format("good-till-date order expires at {}, not after now {}",
                                            format_time(r.expire_time), format_time(clock_.now())));
  }
  const double pos = account_.net_quantity(r.instrument);
  // (An OTO child is checked when its parent has filled and it trades: approve_fill.)
  if (!cfg_.allow_short && r.side == OrderSide::kSell && !r.reduce_only && pos <= 0 &&
      r.parent == model::kNoOrder) {
    return reject(std::move(o), "short selling is not allowed (use --allow-short)");
  }
  // Netting: any position may become reducible before the order fills; hedging: the side it closes.
  const bool nothing_to_reduce = account_.mode() == portfolio::PositionMode::kHedging
                                     ? reducible(r.instrument, r.side == OrderSide::kBuy) <= 0
                                     : pos == 0;
  if (r.reduce_only && nothing_to_reduce && r.parent == model::kNoOrder) {
    return reject(std::move(o), "reduce-only order with no position to reduce");
  }
  const double last = account_.last_price(r.instrument);
  if (inst.min_notional > 0 && o.quantity > 0 && last > 0 &&
      o.quantity * last * inst.multiplier < inst.min_notional) {
    return reject(std::move(o), fmt::format("notional {:.2f} is below the instrument's minimum {}",
                                            o.quantity * last * inst.multiplier, inst.min_notional));
  }
  // OTO: held until the parent fills.
  bool held = false;
  if (r.parent != model::kNoOrder) {
    const Order* p = exchange_.order(r.parent);
    if (p == nullptr) return reject(std::move(o), fmt::format("parent order {} does not exist", r.parent));
    if (p->status == OrderStatus::kFilled) {
      held = false;
    } else if (!p->is_open()) {
      return reject(std::move(o),
                    fmt::format("parent order {} is {}", r.parent, model::order_status_name(p->status)));
    } else {
      held = true;
      o.parent = r.parent;
    }
  }
  // --exclusive: an entry against an open position first closes it (unless a close is already working).
  if (cfg_.exclusive && !r.reduce_only && pos != 0 && (pos > 0) != (r.side == OrderSide::kBuy)) {
    bool closing = false;
    for (const Order* w : open_orders()) {
      closing = closing || (w->instrument == r.instrument && w->reduce_only &&
                            w->type == OrderType::kMarket && w->parent == model::kNoOrder);
    }
    if (!closing) close_position(r.instrument, "exclusive");
  }
  const model::OrderId id = o.id;
  if (held) {
    exchange_.submit_child(std::move(o), {});
  } else {
    exchange_.submit(std::move(o));
  }
  // Bracket children: armed when this order fills, from its fill price; one OCO group.
  const strategy::Bracket& b = r.bracket;
  if (!b.empty()) {
    brackets_[id] = b;
    const std::uint64_t group = kBracketGroupBit | ++last_group_;
    auto child = [&](OrderType type, const char* tag, double pct, double dist) {
      Order c;
      c.id = ++last_id_;
      c.instrument = r.instrument;
      c.side = model::opposite(r.side);
      c.type = type;
      c.reduce_only = true;
      c.parent = id;
      c.oco_group = group;
      c.tag = tag;
      c.created_time = clock_.now();
      c.created_bar = current_[r.instrument];
      exchange_.submit_child(std::move(c), BracketOffsets{pct, dist});
    };
    if (!std::isnan(b.stop_loss_pct) || !std::isnan(b.stop_loss_distance)) {
      child(OrderType::kStop, "stop_loss", b.stop_loss_pct, b.stop_loss_distance);
    }
    if (!std::isnan(b.trailing_stop_pct) || !std::isnan(b.trailing_stop_distance)) {
      child(OrderType::kTrailingStop, "trailing_stop", b.trailing_stop_pct, b.trailing_stop_distance);
    }
    if (!std::isnan(b.take_profit_pct) || !std::isnan(b.take_profit_distance)) {
      child(OrderType::kLimit, "take_profit", b.take_profit_pct, b.take_profit_distance);
    }
  }
  return id;
}

Status Kernel::cancel(model::OrderId id, std::string_view reason) {
  return exchange_.cancel(id, std::string(reason));
}

model::OrderId Kernel::close_position(std::uint32_t i, std::string_view tag) {
  if (i >= instruments_.size()) return model::kNoOrder;
  const double pos = account_.net_quantity(i);
  if (pos == 0) return model::kNoOrder;
  for (const Order* w : open_orders()) {
    if (w->instrument == i && w->reduce_only && w->type == OrderType::kMarket &&
        w->parent == model::kNoOrder && w->remaining() >= std::fabs(pos)) {
      return w->id;
    }
  }
  strategy::OrderRequest r;
  r.instrument = i;
  r.side = pos > 0 ? OrderSide::kSell : OrderSide::kBuy;
  r.quantity = std::fabs(pos);
  r.reduce_only = true;
  r.tag = std::string(tag);
  return submit(r);
}

double Kernel::approve_fill(const Order& o, double price, double wanted, std::string* why) {
  const model::Instrument& inst = instruments_[o.instrument];
  const double pos = account_.net_quantity(o.instrument);
  const bool buy = o.side == OrderSide::kBuy;
  if (o.reduce_only) {
    const double allowed = reducible(o.instrument, buy);
    if (allowed <= 0) {
      *why = "reduce-only: no position left to reduce";
      return 0;
    }
    return wanted > 0 ? std::min(wanted, allowed) : allowed;
  }
  account_.mark(o.instrument, price);
  double qty = wanted;
  if (qty == 0) {
    execution::Sizing sizing{o.sizing == model::SizingMode::kFixed ? model::SizingMode::kAllIn : o.sizing,
                             o.sizing_value};
    execution::SizingInputs si;
    si.price = price * inst.multiplier;
    si.equity = account_.equity();
    si.margin_available = account_.margin_available();
    si.leverage = account_.leverage();
    si.fees = &cfg_.fees;
    si.instrument = &inst;
    if (sizing.mode == model::SizingMode::kRisk) {
      auto it = brackets_.find(o.id);
      double d = std::nan("");
      if (it != brackets_.end()) {
        const auto& b = it->second;
        if (!std::isnan(b.stop_loss_pct)) d = price * b.stop_loss_pct / 100;
        if (!std::isnan(b.stop_loss_distance))
          d = std::isnan(d) ? b.stop_loss_distance : std::min(d, b.stop_loss_distance);
      }
      si.stop_distance = d * inst.multiplier;
    }
    qty = execution::size_order(sizing, si, why);
    if (qty <= 0) {
      if (journal_.wants_warning()) {
        journal_.warn(
            fmt::format("{}: order {} canceled: {}", format_time_compact(clock_.now()), o.id, *why));
      }
      return 0;
    }
  }
  if (!cfg_.allow_short && !buy) {
    qty = std::min(qty, std::max(0.0, pos));
    if (qty <= 0) {
      *why = "short selling is not allowed (use --allow-short)";
      return 0;
    }
  }
  // The part that opens or grows a position must be affordable (backtesting.py's rule).
  const double opening =
      buy ? std::max(0.0, qty - std::max(0.0, -pos)) : std::max(0.0, qty - std::max(0.0, pos));
  if (opening > 0) {
    const double unit_cost =
        price * inst.multiplier +
        cfg_.fees.fee(opening, price * inst.multiplier, model::Liquidity::kTaker, true) / opening;
    const double buying_power = account_.margin_available() * account_.leverage();
    if (opening * unit_cost > buying_power) {
      *why = fmt::format("insufficient margin: {} units at {} cost {:.2f}, buying power {:.2f}", opening,
                         price, opening * unit_cost, buying_power);
      if (journal_.wants_warning()) {
        journal_.warn(
            fmt::format("{}: order {} canceled: {}", format_time_compact(clock_.now()), o.id, *why));
      }
      return 0;
    }
  }
  return qty;
}

// Closed trades grow with the run. A full vector doubles, and near the end of a long run it holds the
// old and the doubled buffer at once (10M bars of sma_cross: ~130 MB at the peak for 46 MB of trades), so
// a full vector is grown to the count projected from the trades so far instead (one instrument: its steps
// are its bars), and by at least an eighth.
void Kernel::reserve_trades() {
  auto& trades = out_.record.trades;
  const std::size_t k = trades.size();
  if (k < trades.capacity() || k < 1024 || instruments_.size() != 1 || steps_ == 0) return;
  const double projected =
      static_cast<double>(k) * static_cast<double>(bars_total_) / static_cast<double>(steps_) * 1.05;
  trades.reserve(std::max(k + k / 8 + 1, static_cast<std::size_t>(projected) + 64));
}

void Kernel::on_bar_fill(const model::Fill& fill, const Order& order, bool at_open) {
  if (order.type == OrderType::kMarketOnClose) {
    // The position was held through the whole bar before this close: its range counts for MAE/MFE
    // (the marking step after the matching would not see the lots this fill closes).
    const auto& s = *in_.bars[fill.instrument];
    const auto k = static_cast<std::size_t>(fill.bar);
    account_.observe_bar(fill.instrument, fill.bar, s.high[k], s.low[k]);
  }
  const std::string_view reason =
      order.tag.empty() ? std::string_view("signal") : std::string_view(order.tag);
  if (cfg_.record.trades) reserve_trades();
  account_.apply_fill(fill, order.reduce_only, at_open, reason,
                      cfg_.record.trades ? &out_.record.trades : nullptr);
  if (cfg_.record.orders) out_.fills.push_back(fill);
  if (account_.net_quantity(fill.instrument) == 0) {
    exchange_.cancel_children(fill.instrument, fill.bar, fill.ts, "position closed");
  }
  call_strategy("on_fill", [&] { strategy_.on_fill(*this, fill); });
}

void Kernel::on_order_event(const model::OrderEvent& event) {
  if (cfg_.record.orders) out_.events.push_back(event);
  call_strategy("on_order_event", [&] { strategy_.on_order_event(*this, event); });
}

void Kernel::fault(const char* where, const std::string& what) {
  faulted_ = true;
  out_.fault = fmt::format("strategy {} threw in {} at {}: {}", strategy_.name(), where,
                           format_time(clock_.now()), what);
  journal_.warn(out_.fault);
}

template <typename F>
[[gnu::always_inline]] inline void Kernel::call_strategy(const char* where, F&& f) {
  if (faulted_) return;
  try {
    f();
  } catch (const std::exception& e) {
    fault(where, e.what());
  } catch (...) {
    fault(where, "unknown exception");
  }
}

[[gnu::always_inline]] inline void Kernel::record_equity(Timestamp ts) {
  if (!cfg_.record.equity) return;
  // The columns were sized to the bar count up front (steps <= bars): plain stores, no push_back.
  auto& e = out_.record.equity;
  const std::size_t t = steps_++;
  if (instruments_.size() > 1) e.ts[t] = ts;
  double eq = 0, pv = 0;
  if (account_.version() == marked_version_) {
    eq = marked_equity_;
    pv = marked_position_value_;
  } else {
    account_.equity_and_position_value(&eq, &pv);
  }
  e.equity[t] = eq;
  if (cfg_.record.equity_details) e.position_value[t] = pv;
}

void Kernel::liquidate(std::span<const BarEvent> step) {
  out_.liquidated = true;
  journal_.warn(
      fmt::format("{}: margin call: equity {:.2f}, exposure {:.2f}: positions liquidated at the close",
                  format_time_compact(clock_.now()), account_.equity(), account_.gross_exposure()));
  // Working orders would trade against the liquidation: cancel them first.
  exchange_.cancel_all(clock_.now(), step.front().index, "margin call: liquidation");
  for (std::uint32_t i = 0; i < instruments_.size(); ++i) {
    // One order per side held (netting holds one side; hedging may hold both).
    for (int side : {1, -1}) {
      const double pos = account_.side_quantity(i, side);
      if (pos == 0) continue;
      // Liquidate at the close of this step's bar of the instrument (or its last close).
      const BarEvent* ev = nullptr;
      for (const auto& e : step) ev = e.instrument == i ? &e : ev;
      Order o;
      o.id = ++last_id_;
      o.instrument = i;
      o.side = pos > 0 ? OrderSide::kSell : OrderSide::kBuy;
      o.quantity = std::fabs(pos);
      o.reduce_only = true;
      o.tag = "liquidation";
      o.created_time = clock_.now();
      const std::int64_t index = ev != nullptr ? ev->index : current_[i];
      o.created_bar = index;
      exchange_.submit(std::move(o));
      model::Bar b;
      if (ev != nullptr) {
        b = ev->bar;
      } else {
        b.ts = clock_.now();
        b.open = b.high = b.low = b.close = account_.last_price(i);
      }
      exchange_.fill_at_close(i, index, b);
    }
  }
  if (account_.equity() <= 0) {
    stopped_ = true;
    out_.account_blown = true;
  }
}

Status Kernel::run() {
  const std::size_t n_inst = instruments_.size();
  std::size_t total = 0;
  for (const auto* s : in_.bars) total += s->size();
  bars_total_ = total;
  out_.record.initial_cash = cfg_.initial_cash;
  if (cfg_.slippage.needs_atr()) {
    for (std::uint32_t i = 0; i < n_inst; ++i) {
      const auto& s = *in_.bars[i];
      indicators::InputSeries x;
      x.high = s.high;
      x.low = s.low;
      x.close = s.close;
      TL_ASSIGN_OR_RETURN(auto cols,
                          indicators::compute("atr", x, {{"timeperiod", cfg_.slippage.atr_period}}));
      exchange_.set_atr(i, std::move(cols[0]));
    }
  }
  {
    Status st = ok_status();
    try {
      st = strategy_.on_start(*this);
    } catch (const std::exception& e) {
      st =
          Error::invalid_argument(fmt::format("strategy {}: on_start threw: {}", strategy_.name(), e.what()));
    }
    if (!st.ok()) return st;
  }
  if (cfg_.record.equity) {
    // Steps <= bars: the loop stores into columns sized to the bar count (trimmed to the steps after it).
    // It records only equity and position value (and timestamps with several instruments); the
    // timestamps of one instrument (its bars' own), cash and exposure follow after the loop
    // (finish_equity), once the indicator buffers are freed: less memory at the peak. Reserved blocks
    // cost no memory until written.
    auto& e = out_.record.equity;
    if (n_inst > 1) {
      e.ts.resize(total);
    } else if (!in_.share_series) {
      e.ts.reserve(total);
    }
    e.equity.resize(total);
    if (n_inst > 1 || !in_.share_series) out_.record.benchmark_close.reserve(total);
    if (cfg_.record.equity_details) {
      e.position_value.resize(total);
      if (!cfg_.record.derive_details) {
        e.cash.reserve(total);
        e.exposure.reserve(total);
      }
    }
  }
  if (n_inst == 1) {
    // One instrument: every bar is a step of its own; read the columns directly (no merge, no step list).
    const data::BarSeries& s = *in_.bars[0];
    const std::size_t n = s.size();
    const bool has_volume = !s.volume.empty();
    const Timestamp* ts = s.ts.data();
    const double* open = s.open.data();
    const double* high = s.high.data();
    const double* low = s.low.data();
    const double* close = s.close.data();
    const double* volume = has_volume ? s.volume.data() : nullptr;
    BarEvent ev;
    ev.instrument = 0;
    for (std::size_t k = 0; k < n; ++k) {
      ev.index = static_cast<std::int64_t>(k);
      ev.bar = {ts[k], open[k], high[k], low[k], close[k], volume != nullptr ? volume[k] : 0.0};
      run_step(std::span<const BarEvent>(&ev, 1));
    }
  } else {
    HistoricalBarFeed feed(in_.bars);
    std::vector<BarEvent> step;
    step.reserve(n_inst);
    BarEvent ev;
    bool pending = feed.next(ev);  // the first bar of the next step, already read
    while (pending) {
      const Timestamp ts = ev.bar.ts;
      step.clear();
      step.push_back(ev);
      while ((pending = feed.next(ev)) && ev.bar.ts == ts) step.push_back(ev);
      run_step(step);
    }
  }
  exchange_.cancel_all(clock_.now(), 0, "end of data");
  call_strategy("on_stop", [&] { strategy_.on_stop(*this); });
  // The strategy is done: its indicator buffers go before the results grow (peak memory).
  indicators_.clear();
  if (cfg_.record.orders) {
    exchange_.take_orders(out_.orders);
    for (Order& o : rejected_) out_.orders.push_back(std::move(o));
    // Submission order is nearly id order (an --exclusive close is submitted before the entry that
    // caused it); rejected orders join at the end.
    auto by_id = [](const Order& a, const Order& b) { return a.id < b.id; };
    if (!std::is_sorted(out_.orders.begin(), out_.orders.end(), by_id)) {
      std::sort(out_.orders.begin(), out_.orders.end(), by_id);
    }
  } else {
    exchange_.discard_orders();
  }
  if (cfg_.record.equity) finish_equity();
  out_.record.total_fees = account_.total_fees();
  account_.open_positions(out_.record.open_positions);
  out_.record.periods_per_year = cfg_.periods_per_year;
  out_.record.warmup_bars = warmup_;
  return ok_status();
}

// Inlined into the single-instrument loop (the bar loop is most of a run).
[[gnu::always_inline]] inline void Kernel::run_step(std::span<const BarEvent> step) {
  const Timestamp ts = step.front().bar.ts;
  clock_.advance_to(ts);
  out_.bars += static_cast<std::int64_t>(step.size());
  // 1-2. Funding, then the exchange matches this bar (the strategy still sees the previous bar).
  for (const BarEvent& e : step) {
    const std::uint32_t i = e.instrument;
    if (i < in_.funding.size() && in_.funding[i] != nullptr) {
      const FundingSeries& f = *in_.funding[i];
      while (funding_index_[i] < f.ts.size() && f.ts[funding_index_[i]] <= e.bar.ts) {
        const double q = account_.net_quantity(i);
        if (q != 0 && e.index > 0) {
          const double amount = q * e.bar.open * instruments_[i].multiplier * f.rate[funding_index_[i]];
          account_.charge(i, amount);
          out_.charges.push_back({i, e.bar.ts, e.index, amount, "funding"});
        }
        ++funding_index_[i];
      }
    }
    account_.mark(i, e.bar.open);
    if (!stopped_) exchange_.process_bar(i, e.index, e.bar);
  }
  // 3. Mark at the close, excursions, borrow, margin.
  for (const BarEvent& e : step) {
    const std::uint32_t i = e.instrument;
    account_.mark(i, e.bar.close);
    if (account_.has_position(i)) {
      account_.observe_bar(i, e.index, e.bar.high, e.bar.low);
      // Borrow on the short lots (all of the position when netting; the short side when hedging).
      const double q = cfg_.borrow_rate > 0 ? account_.side_quantity(i, -1) : 0.0;
      if (q < 0 && e.index > 0) {
        const double dt = static_cast<double>(e.bar.ts - in_.bars[i]->ts[e.index - 1]);
        const double amount = -q * e.bar.close * instruments_[i].multiplier * cfg_.borrow_rate * dt / kYearNs;
        account_.charge(i, amount);
        out_.charges.push_back({i, e.bar.ts, e.index, amount, "borrow"});
      }
    }
  }
  if (!account_.is_flat()) {
    // Kept for record_equity: unless the strategy's turn changes the books, the figures are the same.
    account_.equity_and_position_value(&marked_equity_, &marked_position_value_);
    marked_version_ = account_.version();
    const double eq = marked_equity_;
    if (eq <= 0 ||
        (cfg_.maintenance_margin > 0 && eq < cfg_.maintenance_margin * account_.gross_exposure())) {
      liquidate(step);
    }
  }
  // 4. The bars become visible; the strategy decides.
  for (const BarEvent& e : step) current_[e.instrument] = e.index;
  if (!stopped_) {
    for (const BarEvent& e : step) {
      call_strategy("on_bar", [&] { strategy_.on_bar(*this, e.instrument); });
    }
    if (faulted_) exchange_.cancel_all(ts, step.front().index, "strategy faulted");
    // 5. --fill close: market orders placed now fill at this close.
    if (cfg_.fill == FillTiming::kClose) {
      for (const BarEvent& e : step) exchange_.fill_at_close(e.instrument, e.index, e.bar);
    }
  }
  record_equity(ts);
}

void Kernel::finish_equity() {
  auto& e = out_.record.equity;
  const std::size_t n = steps_;
  e.equity.resize(n);
  if (cfg_.record.equity_details) e.position_value.resize(n);
  const auto& s0 = *in_.bars[0];
  // One instrument: the steps are its bars, so the curve's timestamps and the benchmark are its
  // columns. Several: the first instrument's close carried to every step.
  auto& bench = out_.record.benchmark_close;
  if (instruments_.size() == 1) {
    if (!in_.share_series) {
      e.ts.assign(s0.ts.begin(), s0.ts.end());
      bench.assign(s0.close.begin(), s0.close.end());
    }
  } else {
    e.ts.resize(n);
    std::size_t k = 0;
    double last = s0.empty() ? std::nan("") : s0.close[0];
    for (Timestamp t : e.ts) {
      while (k < s0.size() && s0.ts[k] <= t) last = s0.close[k++];
      bench.push_back(last);
    }
  }
  if (!cfg_.record.equity_details || cfg_.record.derive_details) return;
  e.cash.resize(n);
  e.exposure.resize(n);
  const double* eq = e.equity.data();
  const double* pv = e.position_value.data();
  double* cash = e.cash.data();
  double* exposure = e.exposure.data();
  const double nan = std::nan("");
  for (std::size_t t = 0; t < n; ++t) {
    cash[t] = eq[t] - pv[t];
    exposure[t] = pv[t] == 0 ? 0.0 : (eq[t] > 0 ? std::fabs(pv[t]) / eq[t] : nan);
  }
}

}  // namespace

Status run_strategy(const EngineInput& input, strategy::Strategy& strategy, const BacktestConfig& config,
                    RunResult& out) {
  out.clear();
  TL_TRY(config.validate());
  if (input.bars.empty()) return Error::invalid_argument("run_strategy: no bar series");
  std::vector<model::Instrument> instruments = input.instruments;
  if (!instruments.empty() && instruments.size() != input.bars.size()) {
    return Error::invalid_argument(
        fmt::format("run_strategy: {} instruments for {} bar series", instruments.size(), input.bars.size()));
  }
  for (std::size_t i = 0; i < input.bars.size(); ++i) {
    const auto* s = input.bars[i];
    if (s == nullptr) return Error::invalid_argument(fmt::format("run_strategy: bar series {} is null", i));
    const std::size_t n = s->size();
    if (s->open.size() != n || s->high.size() != n || s->low.size() != n || s->close.size() != n) {
      return Error::invalid_argument(fmt::format("bars '{}': OHLC columns differ in length", s->symbol));
    }
    for (std::size_t k = 1; k < n; ++k) {
      if (s->ts[k] <= s->ts[k - 1]) {
        return Error::invalid_argument(
            fmt::format("bars '{}': timestamps not increasing at bar {} ({} after {})", s->symbol, k,
                        format_time(s->ts[k]), format_time(s->ts[k - 1])));
      }
    }
    if (instruments.size() < input.bars.size()) {
      instruments.push_back(
          model::Instrument::guess(s->symbol.empty() ? fmt::format("ASSET{}", i) : s->symbol));
    }
    TL_TRY(instruments[i].validate());
  }
  if (!input.funding.empty() && input.funding.size() != input.bars.size()) {
    return Error::invalid_argument(
        "run_strategy: funding series must be given per instrument (or not at all)");
  }
  Kernel kernel(input, std::move(instruments), strategy, config, out);
  return kernel.run();
}

}  // namespace tradeloop::backtest
