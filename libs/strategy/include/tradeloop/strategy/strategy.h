// Strategy: the C++ strategy API. The kernel calls on_start once, on_bar after every bar of every
// instrument closes (in time order; several instruments with the same timestamp in instrument order),
// on_order_event for each state change of the strategy's orders, on_fill for each execution, and on_stop
// at the end. The same object runs in a backtest, paper trading and live: only the context changes.
//
// A callback that throws moves the strategy to FAULTED: the kernel stops calling it, cancels its working
// orders and keeps its books straight (the run reports the fault).
#pragma once

#include <cstdint>
#include <string_view>

#include "tradeloop/core/result.h"
#include "tradeloop/model/fill.h"
#include "tradeloop/model/order_event.h"
#include "tradeloop/strategy/context.h"

namespace tradeloop::strategy {

class Strategy {
 public:
  virtual ~Strategy() = default;

  virtual std::string_view name() const = 0;

  // Declare indicators here (ctx.indicator). An error aborts the run before any bar.
  virtual Status on_start(StrategyContext& /*ctx*/) { return ok_status(); }
  // Bar `instrument` just closed; ctx.bar_index(instrument) is its index.
  virtual void on_bar(StrategyContext& ctx, std::uint32_t instrument) = 0;
  virtual void on_order_event(StrategyContext& /*ctx*/, const model::OrderEvent& /*event*/) {}
  virtual void on_fill(StrategyContext& /*ctx*/, const model::Fill& /*fill*/) {}
  virtual void on_stop(StrategyContext& /*ctx*/) {}
};

}  // namespace tradeloop::strategy
