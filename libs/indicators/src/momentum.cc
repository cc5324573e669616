#include "registry.h"

namespace tradeloop::indicators::internal {

void register_momentum(Registry& /*r*/) {}

}  // namespace tradeloop::indicators::internal
