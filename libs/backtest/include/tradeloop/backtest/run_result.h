// RunResult: what one backtest produces. The RunRecord (equity curve, closed trades, open positions,
// benchmark) is what analytics turns into metrics and reports; orders, their events and the fills are
// the journal the books can be rebuilt from.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tradeloop/analytics/records.h"
#include "tradeloop/model/fill.h"
#include "tradeloop/model/order.h"
#include "tradeloop/model/order_event.h"

namespace tradeloop::backtest {

// A cash movement that is not a fill: funding payment or borrow cost (positive = paid).
struct Charge {
  std::uint32_t instrument = 0;
  Timestamp ts = 0;
  std::int64_t bar = -1;
  double amount = 0;
  std::string kind;  // "funding" or "borrow"
};

struct RunResult {
  analytics::RunRecord record;
  std::vector<model::Order> orders;       // final state of every order, by id order
  std::vector<model::OrderEvent> events;  // every state transition, in time order
  std::vector<model::Fill> fills;         // in execution order
  std::vector<Charge> charges;            // funding and borrow, in time order
  std::int64_t bars = 0;                  // bars processed (all instruments)
  bool liquidated = false;                // a margin call closed positions
  bool account_blown = false;             // equity reached 0: trading stopped there
  std::string fault;                      // set when a strategy callback threw: the strategy stopped there
  std::vector<std::string> warnings;      // e.g. "order 12 canceled: sized to zero ..." (first few)

  // Empties every container, keeping capacity (for reuse across optimizer trials).
  void clear();
};

}  // namespace tradeloop::backtest
