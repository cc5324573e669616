#include "registry.h"

namespace tradeloop::indicators::internal {

void register_custom(Registry& /*r*/) {}

}  // namespace tradeloop::indicators::internal
