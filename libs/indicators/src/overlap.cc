#include "registry.h"

namespace tradeloop::indicators::internal {

void register_overlap(Registry& /*r*/) {}

}  // namespace tradeloop::indicators::internal
