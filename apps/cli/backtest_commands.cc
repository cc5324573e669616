#include "cli.h"

namespace tradeloop::cli {

void register_backtest_commands(CLI::App& /*app*/, State& /*state*/) {}

}  // namespace tradeloop::cli
