// Bar: one OHLCV bar of one instrument, as the kernel hands it to fill rules and strategies.
// A value type; the columnar BarSeries (libs/data) stays the storage, Bar is a row view copied out of it.
#pragma once

#include <cstdint>

#include "tradeloop/core/time.h"

namespace tradeloop::model {

struct Bar {
  Timestamp ts = 0;  // bar open time (UTC ns), the label the bar carries in its series
  double open = 0, high = 0, low = 0, close = 0, volume = 0;
};

}  // namespace tradeloop::model
