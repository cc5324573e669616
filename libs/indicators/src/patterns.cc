#include "registry.h"

namespace tradeloop::indicators::internal {

void register_patterns(Registry& /*r*/) {}

}  // namespace tradeloop::indicators::internal
