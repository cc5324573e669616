// Private: how indicator groups register themselves. Each group file (overlap.cc, momentum.cc, ...)
// defines register_<group>() and adds one Entry per indicator. No static initializers (a static
// library would drop them); registry.cc calls every register_* function once.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "tradeloop/indicators/indicator.h"

namespace tradeloop::indicators::internal {

struct Entry {
  IndicatorInfo info;
  // Checks cross-parameter rules (per-parameter ranges are already checked); ok by default.
  std::function<Status(const ParamValues&)> check;
  std::function<std::unique_ptr<Indicator>(const IndicatorInfo*, ParamValues)> make;
};

using Registry = std::vector<Entry>;

void register_overlap(Registry& r);
void register_momentum(Registry& r);
void register_volatility(Registry& r);
void register_volume(Registry& r);
void register_statistics(Registry& r);
void register_patterns(Registry& r);
void register_custom(Registry& r);

const Registry& registry();

}  // namespace tradeloop::indicators::internal
