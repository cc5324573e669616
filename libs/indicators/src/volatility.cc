#include "registry.h"

namespace tradeloop::indicators::internal {

void register_volatility(Registry& /*r*/) {}

}  // namespace tradeloop::indicators::internal
