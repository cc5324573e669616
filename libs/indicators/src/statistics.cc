#include "registry.h"

namespace tradeloop::indicators::internal {

void register_statistics(Registry& /*r*/) {}

}  // namespace tradeloop::indicators::internal
