#include "cli.h"

namespace tradeloop::cli {

void register_indicator_commands(CLI::App& /*app*/, State& /*state*/) {}

}  // namespace tradeloop::cli
