// ExecutionClient: the kernel's connection to a venue. The kernel assigns order ids, records the order
// as new, and hands it to the client; the venue answers with order events (accepted, rejected with a
// reason, filled, canceled, expired) and fills through the ExecutionListener.
//
// One interface, several environments: the backtest's SimulatedExchange matches orders against bars
// synchronously inside the kernel's loop; a paper or live client (later) talks to a venue on its own
// thread and queues the events for the single-threaded kernel. Strategies never see the client.
#pragma once

#include <string>

#include "tradeloop/core/result.h"
#include "tradeloop/model/fill.h"
#include "tradeloop/model/order.h"
#include "tradeloop/model/order_event.h"

namespace tradeloop::execution {

class ExecutionListener {
 public:
  virtual ~ExecutionListener() = default;
  virtual void on_order_event(const model::OrderEvent& event) = 0;
  // `order` is the order's state after the fill.
  virtual void on_fill(const model::Fill& fill, const model::Order& order) = 0;
};

class ExecutionClient {
 public:
  virtual ~ExecutionClient() = default;
  // REQUIRES: order.id unique and nonzero, order.status == new. The answer arrives as events.
  virtual void submit(model::Order order) = 0;
  // Requests a cancel. not_found when the venue has no such order, failed_precondition when it is no
  // longer working (filled, canceled, expired).
  virtual Status cancel(model::OrderId id, std::string reason) = 0;
};

}  // namespace tradeloop::execution
