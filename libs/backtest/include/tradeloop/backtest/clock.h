// Clock: where the kernel's "now" comes from. Nothing in the kernel or a strategy reads the system
// clock; a backtest injects a SimulatedClock that the data feed advances bar by bar, live trading a
// wall clock (later). Owned by the environment that runs the kernel.
#pragma once

#include "tradeloop/core/check.h"
#include "tradeloop/core/time.h"

namespace tradeloop::backtest {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Timestamp now() const = 0;
};

class SimulatedClock final : public Clock {
 public:
  Timestamp now() const override { return now_; }
  // REQUIRES: ts >= now() (time never goes back).
  void advance_to(Timestamp ts) {
    TL_CHECK(ts >= now_, "clock moved back from ", now_, " to ", ts);
    now_ = ts;
  }

 private:
  Timestamp now_ = 0;
};

}  // namespace tradeloop::backtest
