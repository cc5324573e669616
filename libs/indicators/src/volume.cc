#include "registry.h"

namespace tradeloop::indicators::internal {

void register_volume(Registry& /*r*/) {}

}  // namespace tradeloop::indicators::internal
