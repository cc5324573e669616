#include "tradeloop/backtest/simulated_exchange.h"

#include <algorithm>
#include <cmath>
#include <tuple>

#if defined(__GLIBC__)
#include <malloc.h>  // malloc_trim
#endif

#include <fmt/format.h>

#include "pricing.h"
#include "tradeloop/core/check.h"
#include "tradeloop/execution/fill_rules.h"

namespace tradeloop::backtest {

using model::Order;
using model::OrderSide;
using model::OrderStatus;
using model::OrderType;

namespace {
const double kNaN = std::nan("");

// The order store lives in small heap chunks, which free() keeps for reuse instead of returning to the
// system; a large one (hundreds of thousands of orders) is handed back so the pages do not stay in the
// process's footprint while the results grow. Small stores stay: a reused process (optimizer trials,
// benchmarks) would otherwise page-fault them in again on every run.
constexpr std::size_t kReleaseBytes = std::size_t{64} << 20;
void release_free_memory(std::size_t bytes) {
#if defined(__GLIBC__)
  if (bytes >= kReleaseBytes) malloc_trim(0);
#else
  (void)bytes;
#endif
}
}  // namespace

SimulatedExchange::SimulatedExchange(std::vector<model::Instrument> instruments, const BacktestConfig& config,
                                     ExchangeHost& host, const Clock& clock)
    : instruments_(std::move(instruments)),
      config_(config),
      host_(host),
      clock_(clock),
      open_(instruments_.size()),
      atr_(instruments_.size()),
      current_bar_(instruments_.size(), -1) {}

void SimulatedExchange::set_atr(std::uint32_t instrument, std::vector<double> atr) {
  atr_[instrument] = std::move(atr);
}

Order* SimulatedExchange::find(model::OrderId id) {
  const std::size_t k = slot(id);
  return k == static_cast<std::size_t>(-1) ? nullptr : &orders_[k];
}

const Order* SimulatedExchange::order(model::OrderId id) const {
  const std::size_t k = slot(id);
  return k == static_cast<std::size_t>(-1) ? nullptr : &orders_[k];
}

void SimulatedExchange::event(Order& o, OrderStatus to, Timestamp ts, std::int64_t bar, std::string reason) {
  host_.on_order_event(model::transition(o, to, ts, bar, std::move(reason)));
  if (to == OrderStatus::kFilled || !model::is_terminal(to)) return;
  // Held children (OTO, bracket legs) of a parent that ended unfilled can never activate: however the
  // parent ended (canceled, expired, IOC/FOK leftovers, a sized-to-zero cancel), they end with it.
  const model::OrderId id = o.id;
  const std::string_view status = model::order_status_name(to);
  for (std::size_t k = 0; k < open_[o.instrument].size(); ++k) {
    Order* c = find(open_[o.instrument][k]);
    if (c != nullptr && c->parent == id && c->is_open() && !c->working) {
      event(*c, OrderStatus::kCanceled, ts, bar, fmt::format("parent order {} was {}", id, status));
    }
  }
}

void SimulatedExchange::accept(Order& o, Timestamp ts, std::int64_t bar) {
  event(o, OrderStatus::kAccepted, ts, bar, "accepted");
}

void SimulatedExchange::submit(Order order) {
  TL_CHECK(order.id != model::kNoOrder && order.id < (std::uint64_t{1} << 32) &&
               slot(order.id) == static_cast<std::size_t>(-1),
           "order id ", order.id, " is zero, too large or reused");
  TL_CHECK(order.instrument < instruments_.size(), "order for unknown instrument ", order.instrument);
  TL_CHECK(order.status == OrderStatus::kNew, "submit of order ", order.id, " that is not new");
  if (index_.size() <= order.id) index_.resize(std::max<std::size_t>(order.id + 1, 2 * index_.size()), 0);
  index_[order.id] = static_cast<std::uint32_t>(orders_.size() + 1);
  Order& o = orders_.push_back(std::move(order));
  aux_.push_back(Aux{}).active_from = o.created_bar + 1;
  open_[o.instrument].push_back(o.id);
  accept(o, o.created_time, o.created_bar);
}

void SimulatedExchange::submit_child(Order order, BracketOffsets offsets) {
  order.working = false;
  const bool has = !std::isnan(offsets.pct) || !std::isnan(offsets.distance);
  const model::OrderId id = order.id;
  submit(std::move(order));
  Aux& a = aux_[slot(id)];
  a.has_offsets = has;
  a.offsets = offsets;
}

Status SimulatedExchange::cancel(model::OrderId id, std::string reason) {
  Order* o = find(id);
  if (o == nullptr) return Error::not_found(fmt::format("order {}: no such order", id));
  if (!o->is_open()) {
    return Error::failed_precondition(
        fmt::format("order {}: cannot cancel, it is {}", id, model::order_status_name(o->status)));
  }
  const Timestamp ts = clock_.now();
  const std::int64_t bar = current_bar_[o->instrument];
  event(*o, OrderStatus::kCanceled, ts, bar, std::move(reason));  // cancels its held children too
  return ok_status();
}

double SimulatedExchange::atr_before(std::uint32_t instrument, std::int64_t index) const {
  return internal::atr_before(atr_[instrument], index);
}

bool SimulatedExchange::is_stop_like(const Order& o) const {
  return o.type == OrderType::kStop || o.type == OrderType::kTrailingStop ||
         (o.type == OrderType::kStopLimit && !o.triggered);
}

double SimulatedExchange::trigger_price(Order& o, const model::Bar& bar, Pass pass) const {
  switch (o.type) {
    case OrderType::kMarket:
      return pass == Pass::kOpen ? bar.open : kNaN;
    case OrderType::kMarketOnClose:
      return pass == Pass::kClose ? bar.close : kNaN;
    case OrderType::kLimit:
      return pass == Pass::kIntrabar ? execution::limit_fill_price(o.side, o.limit_price, bar) : kNaN;
    case OrderType::kStop:
      return pass == Pass::kIntrabar ? execution::stop_fill_price(o.side, o.stop_price, bar) : kNaN;
    case OrderType::kTrailingStop: {
      if (pass != Pass::kIntrabar) return kNaN;
      o.stop_price =
          execution::trailing_stop_level(o.side, o.trailing_type, o.trailing_offset, o.trail_extreme);
      return execution::stop_fill_price(o.side, o.stop_price, bar);
    }
    case OrderType::kStopLimit: {
      if (pass != Pass::kIntrabar) return kNaN;
      if (o.triggered) return execution::limit_fill_price(o.side, o.limit_price, bar);
      const double t = execution::stop_fill_price(o.side, o.stop_price, bar);
      if (std::isnan(t)) return kNaN;
      o.triggered = true;
      // Touched at the open: the limit works on the whole bar. Touched inside the bar at the stop: the
      // limit fills there when the stop price is within it; otherwise the path after the touch is
      // unknown and the limit waits for the next bar.
      if (t == bar.open) return execution::limit_fill_price(o.side, o.limit_price, bar);
      const bool marketable = o.side == OrderSide::kBuy ? t <= o.limit_price : t >= o.limit_price;
      return marketable ? t : kNaN;
    }
  }
  return kNaN;
}

bool SimulatedExchange::wins_oco(const Order& o, double p, const model::Bar& bar, Pass pass) {
  // Order of events inside the bar: a level crossed at the open first; then stops before
  // take-profits (or the reverse); then the level the price reaches first; then submission order.
  auto key = [&](const Order& x, double price) {
    const int gap = price == bar.open ? 0 : 1;
    const bool stop = is_stop_like(x);
    const int kind =
        config_.intrabar == execution::IntrabarOrder::kStopFirst ? (stop ? 0 : 1) : (stop ? 1 : 0);
    const double level = stop ? x.stop_price : x.limit_price;
    // Sell stops are reached first from above (higher first), sell limits from below; buys mirror.
    double reach = 0;
    if (x.side == OrderSide::kSell) {
      reach = stop ? -level : level;
    } else {
      reach = stop ? level : -level;
    }
    return std::make_tuple(gap, kind, reach, x.id);
  };
  const auto mine = key(o, p);
  for (model::OrderId sid : open_[o.instrument]) {
    if (sid == o.id) continue;
    Order* s = find(sid);
    if (s == nullptr || !s->is_open() || !s->working || s->oco_group != o.oco_group) continue;
    Order copy = *s;  // evaluating must not arm a stop-limit
    const double sp = trigger_price(copy, bar, pass);
    if (std::isnan(sp)) continue;
    if (key(copy, sp) < mine) return false;
  }
  return true;
}

void SimulatedExchange::execute(Order& o, double reference, bool taker, std::int64_t index,
                                const model::Bar& bar, Pass pass) {
  const model::Instrument& inst = instruments_[o.instrument];
  Aux& aux = aux_[slot(o.id)];
  // Fills at a bar's close know that bar's ATR; earlier fills the previous bar's.
  const auto& atr_col = atr_[o.instrument];
  const double atr = pass == Pass::kClose
                         ? (static_cast<std::size_t>(index) < atr_col.size() ? atr_col[index] : kNaN)
                         : atr_before(o.instrument, index);
  const double price =
      taker ? internal::taker_price(config_.slippage, o.side, reference, atr, inst) : reference;
  std::string why;
  const double wanted = o.quantity == 0 ? 0.0 : o.remaining();
  double qty = host_.approve_fill(o, price, wanted, &why);
  if (!(qty > 0)) {
    event(o, OrderStatus::kCanceled, bar.ts, index, why.empty() ? "nothing to fill" : why);
    return;
  }
  if (o.quantity == 0) o.quantity = qty;  // sized at this first fill
  // A margin-call liquidation happens at the close whatever the volume (docs/backtest.md).
  if (config_.volume_participation > 0 && !(o.reduce_only && o.tag == "liquidation")) {
    if (aux.filled_bar != index) {
      aux.filled_bar = index;
      aux.filled_in_bar = 0;
    }
    double cap = config_.volume_participation * bar.volume - aux.filled_in_bar;
    cap = inst.lot_size > 0 ? inst.round_quantity_down(std::max(0.0, cap)) : std::max(0.0, cap);
    if (qty > cap) {
      if (o.tif == model::TimeInForce::kFok) {
        event(o, OrderStatus::kCanceled, bar.ts, index,
              fmt::format("fill or kill: only {} of {} can fill on this bar (volume cap {} x {})", cap, qty,
                          config_.volume_participation, bar.volume));
        return;
      }
      qty = cap;
    }
    if (qty <= 0) return;  // nothing available on this bar; stays working
    aux.filled_in_bar += qty;
  }
  const model::Liquidity liq = taker ? model::Liquidity::kTaker : model::Liquidity::kMaker;
  model::Fill f;
  f.order = o.id;
  f.instrument = o.instrument;
  f.ts = bar.ts;
  f.bar = index;
  f.side = o.side;
  f.quantity = qty;
  f.price = price;
  f.fee = config_.fees.fee(qty, price * inst.multiplier, liq, o.filled_quantity == 0);
  f.liquidity = liq;
  const double before = o.filled_quantity;
  o.filled_quantity += qty;
  o.avg_fill_price = before == 0 ? price : (o.avg_fill_price * before + price * qty) / o.filled_quantity;
  const bool complete = o.filled_quantity >= o.quantity;
  event(o, complete ? OrderStatus::kFilled : OrderStatus::kPartiallyFilled, bar.ts, index,
        complete ? "filled" : fmt::format("partially filled {} of {}", o.filled_quantity, o.quantity));
  // One-cancels-other first: the venue cancels the siblings as part of this execution.
  if (o.oco_group != 0) {
    for (model::OrderId sid : open_[o.instrument]) {
      Order* s = find(sid);
      if (s != nullptr && s->id != o.id && s->is_open() && s->oco_group == o.oco_group) {
        event(*s, OrderStatus::kCanceled, bar.ts, index,
              fmt::format("one-cancels-other: order {} ({}) filled", o.id, o.tag));
      }
    }
  }
  host_.on_bar_fill(f, o, pass == Pass::kOpen || (pass == Pass::kIntrabar && reference == bar.open));
  // A bracket armed by a market fill at the open works for the rest of this bar; after an intrabar or a
  // close fill the path inside the bar is unknown, so from the next bar.
  if (complete) activate_children(o, index, pass == Pass::kOpen && o.type == OrderType::kMarket);
}

void SimulatedExchange::activate_children(const Order& parent, std::int64_t index, bool same_bar) {
  const double entry = parent.avg_fill_price;
  const double s = model::side_sign(parent.side);
  for (model::OrderId cid : open_[parent.instrument]) {
    Order* c = find(cid);
    if (c == nullptr || c->parent != parent.id || !c->is_open() || c->working) continue;
    Aux& aux = aux_[slot(cid)];
    if (aux.has_offsets) {
      const double pct = aux.offsets.pct, dist = aux.offsets.distance;
      if (c->type == OrderType::kStop) {
        double level = std::isnan(pct) ? kNaN : entry * (1 - s * pct / 100);
        if (!std::isnan(dist)) {
          const double cand = entry - s * dist;
          level = std::isnan(level) ? cand : (s > 0 ? std::max(level, cand) : std::min(level, cand));
        }
        c->stop_price = level;
      } else if (c->type == OrderType::kLimit) {
        double level = std::isnan(pct) ? kNaN : entry * (1 + s * pct / 100);
        if (!std::isnan(dist)) {
          const double cand = entry + s * dist;
          level = std::isnan(level) ? cand : (s > 0 ? std::min(level, cand) : std::max(level, cand));
        }
        c->limit_price = level;
      } else if (c->type == OrderType::kTrailingStop) {
        if (!std::isnan(pct)) {
          c->trailing_type = model::TrailingOffsetType::kPercent;
          c->trailing_offset = pct;
        } else {
          c->trailing_type = model::TrailingOffsetType::kAmount;
          c->trailing_offset = dist;
        }
      }
    }
    if (c->type == OrderType::kTrailingStop) c->trail_extreme = entry;
    if (c->reduce_only && c->quantity == 0) c->quantity = parent.filled_quantity;
    c->working = true;
    aux.active_from = same_bar ? index : index + 1;
  }
}

void SimulatedExchange::finish_window(Order& o, std::int64_t index, const model::Bar& bar) {
  if (!o.is_open() || o.first_bar != index) return;
  if (o.tif == model::TimeInForce::kIoc) {
    event(o, OrderStatus::kCanceled, bar.ts, index,
          fmt::format("immediate or cancel: {} of {} unfilled on its first bar", o.remaining(),
                      o.quantity == 0 ? 0.0 : o.quantity));
  } else if (o.tif == model::TimeInForce::kFok) {
    event(o, OrderStatus::kCanceled, bar.ts, index,
          o.filled_quantity > 0 ? "fill or kill: not filled completely on its first bar"
                                : "fill or kill: not filled on its first bar");
  }
}

void SimulatedExchange::match_bar(std::uint32_t instrument, std::int64_t index, const model::Bar& bar) {
  auto& ids = open_[instrument];
  // Drop finished orders (keeps the per-bar scan short), before and after matching: an order that
  // fills now does not cost the next bar a call.
  auto prune = [&] {
    ids.erase(std::remove_if(ids.begin(), ids.end(),
                             [&](model::OrderId id) {
                               const Order* o = find(id);
                               return o == nullptr || !o->is_open();
                             }),
              ids.end());
  };
  prune();
  if (ids.empty()) return;
  auto eligible = [&](Order& o) { return o.is_open() && o.working && index >= aux_[slot(o.id)].active_from; };
  // Time windows.
  scratch_.assign(ids.begin(), ids.end());
  for (model::OrderId id : scratch_) {
    Order& o = *find(id);
    if (!eligible(o)) continue;
    if (o.tif == model::TimeInForce::kGtd && bar.ts > o.expire_time) {
      event(o, OrderStatus::kExpired, bar.ts, index,
            fmt::format("good till {} passed", format_time(o.expire_time)));
      continue;
    }
    if (o.first_bar < 0) {
      o.first_bar = index;
      if (o.tif == model::TimeInForce::kDay) o.expire_time = floor_day(bar.ts) + kNanosPerDay;
    } else if (o.tif == model::TimeInForce::kDay && bar.ts >= o.expire_time) {
      event(o, OrderStatus::kExpired, bar.ts, index, "day order: its trading day ended");
    }
  }
  // Open: market orders.
  for (model::OrderId id : scratch_) {
    Order& o = *find(id);
    if (!eligible(o) || o.type != OrderType::kMarket) continue;
    execute(o, bar.open, true, index, bar, Pass::kOpen);
  }
  // Intrabar: stops and limits (children armed at the open are in the list already).
  scratch_.assign(ids.begin(), ids.end());
  for (model::OrderId id : scratch_) {
    Order& o = *find(id);
    if (!eligible(o)) continue;
    if (o.first_bar < 0) {
      o.first_bar = index;
      if (o.tif == model::TimeInForce::kDay) o.expire_time = floor_day(bar.ts) + kNanosPerDay;
    }
    const double p = trigger_price(o, bar, Pass::kIntrabar);
    if (std::isnan(p)) continue;
    if (o.oco_group != 0 && !wins_oco(o, p, bar, Pass::kIntrabar)) continue;
    // Stops cross the spread (taker, slipped); limits, stop-limits included, rest (maker).
    const bool taker = o.type == OrderType::kStop || o.type == OrderType::kTrailingStop;
    execute(o, p, taker, index, bar, Pass::kIntrabar);
  }
  // Trailing stops still working follow this bar's best price (after the check: conservative).
  for (model::OrderId id : ids) {
    Order& o = *find(id);
    if (!eligible(o) || o.type != OrderType::kTrailingStop) continue;
    o.trail_extreme =
        o.side == OrderSide::kSell ? std::max(o.trail_extreme, bar.high) : std::min(o.trail_extreme, bar.low);
  }
  // Close: market-on-close.
  scratch_.assign(ids.begin(), ids.end());
  for (model::OrderId id : scratch_) {
    Order& o = *find(id);
    if (!eligible(o) || o.type != OrderType::kMarketOnClose) continue;
    execute(o, bar.close, true, index, bar, Pass::kClose);
  }
  for (model::OrderId id : scratch_) finish_window(*find(id), index, bar);
  prune();
}

void SimulatedExchange::fill_at_close(std::uint32_t instrument, std::int64_t index, const model::Bar& bar) {
  scratch_.assign(open_[instrument].begin(), open_[instrument].end());
  for (model::OrderId id : scratch_) {
    Order& o = *find(id);
    if (!o.is_open() || !o.working || o.type != OrderType::kMarket || o.created_bar != index) continue;
    if (o.first_bar < 0) o.first_bar = index;
    execute(o, bar.close, true, index, bar, Pass::kClose);
    finish_window(o, index, bar);
  }
}

void SimulatedExchange::cancel_children(std::uint32_t instrument, std::int64_t index, Timestamp ts,
                                        const std::string& reason) {
  for (model::OrderId id : open_[instrument]) {
    Order* o = find(id);
    // Only armed protective children: a child still held by a working parent belongs to a future position.
    if (o != nullptr && o->parent != model::kNoOrder && o->working && o->reduce_only && o->is_open()) {
      event(*o, OrderStatus::kCanceled, ts, index, reason);
    }
  }
}

void SimulatedExchange::cancel_all(Timestamp ts, std::int64_t bar, const std::string& reason) {
  for (auto& ids : open_) {
    for (model::OrderId id : ids) {
      Order* o = find(id);
      if (o != nullptr && o->is_open()) event(*o, OrderStatus::kCanceled, ts, bar, reason);
    }
  }
}

void SimulatedExchange::open_orders(std::vector<const Order*>& out) const {
  out.clear();
  for (const auto& ids : open_) {
    for (model::OrderId id : ids) {
      const Order* o = order(id);
      if (o != nullptr && o->is_open()) out.push_back(o);
    }
  }
  std::sort(out.begin(), out.end(), [](const Order* a, const Order* b) { return a->id < b->id; });
}

void SimulatedExchange::take_orders(std::vector<Order>& out) {
  out.reserve(out.size() + orders_.size());
  orders_.for_each([&](Order& o) { out.push_back(std::move(o)); });
  discard_orders();
}

void SimulatedExchange::discard_orders() {
  const std::size_t bytes = orders_.size() * (sizeof(Order) + sizeof(Aux));
  // Hand the store's memory back: the results still grow after this (benchmark, equity details).
  orders_ = {};
  aux_ = {};
  index_ = {};
  for (auto& ids : open_) ids.clear();
  release_free_memory(bytes);
}

}  // namespace tradeloop::backtest
