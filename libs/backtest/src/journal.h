// Journal: records orders, their state transitions and fills into a RunResult while a run executes.
// Ids are 1-based and dense (order id k is out.orders[k-1]). When disabled it only hands out ids.
#pragma once

#include <string>

#include "tradeloop/backtest/run_result.h"
#include "tradeloop/model/order.h"
#include "tradeloop/model/order_event.h"

namespace tradeloop::backtest::internal {

class Journal {
 public:
  Journal(RunResult& out, bool enabled) : out_(out), enabled_(enabled) {}

  bool enabled() const { return enabled_; }

  // Records a new order and accepts it (new -> accepted). Returns its id.
  model::OrderId submit(model::Order order, Timestamp ts, std::int64_t bar) {
    order.id = ++last_id_;
    if (!enabled_) return order.id;
    order.created_time = ts;
    order.created_bar = bar;
    order.status = model::OrderStatus::kNew;
    out_.events.push_back(model::transition(order, model::OrderStatus::kAccepted, ts, bar, "accepted"));
    out_.orders.push_back(std::move(order));
    return last_id_;
  }

  // Records a fill of `id` (complete unless partial), moving it to filled / partially filled.
  void fill(model::OrderId id, const model::Fill& f, bool complete = true) {
    if (!enabled_) return;
    model::Order& o = out_.orders[id - 1];
    const double before = o.filled_quantity;
    o.filled_quantity += f.quantity;
    o.avg_fill_price = (o.avg_fill_price * before + f.price * f.quantity) / o.filled_quantity;
    if (o.quantity < o.filled_quantity) o.quantity = o.filled_quantity;
    out_.events.push_back(
        model::transition(o, complete ? model::OrderStatus::kFilled : model::OrderStatus::kPartiallyFilled,
                          f.ts, f.bar, complete ? "filled" : "partially filled"));
    out_.fills.push_back(f);
  }

  void set_quantity(model::OrderId id, double quantity) {
    if (enabled_) out_.orders[id - 1].quantity = quantity;
  }

  void cancel(model::OrderId id, Timestamp ts, std::int64_t bar, std::string reason) {
    if (!enabled_) return;
    model::Order& o = out_.orders[id - 1];
    if (!o.is_open()) return;
    out_.events.push_back(model::transition(o, model::OrderStatus::kCanceled, ts, bar, std::move(reason)));
  }

  void reject(model::Order order, Timestamp ts, std::int64_t bar, std::string reason) {
    order.id = ++last_id_;
    if (!enabled_) return;
    order.created_time = ts;
    order.created_bar = bar;
    order.status = model::OrderStatus::kNew;
    out_.events.push_back(
        model::transition(order, model::OrderStatus::kRejected, ts, bar, std::move(reason)));
    out_.orders.push_back(std::move(order));
  }

  // The first kMaxWarnings are kept; check wants_warning() before formatting one.
  static constexpr std::size_t kMaxWarnings = 20;
  bool wants_warning() const { return out_.warnings.size() < kMaxWarnings; }
  void warn(std::string text) {
    if (wants_warning()) out_.warnings.push_back(std::move(text));
  }

 private:
  RunResult& out_;
  bool enabled_;
  model::OrderId last_id_ = 0;
};

}  // namespace tradeloop::backtest::internal
