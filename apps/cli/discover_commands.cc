#include "cli.h"

namespace tradeloop::cli {

void register_discover_commands(CLI::App& /*app*/, State& /*state*/) {}

}  // namespace tradeloop::cli
