#include "tradeloop/core/log.h"

#include <spdlog/sinks/stdout_color_sinks.h>

namespace tradeloop::log {

namespace {
spdlog::level::level_enum to_spdlog(Level level) {
  return static_cast<spdlog::level::level_enum>(static_cast<int>(level) + (level == Level::kOff ? 1 : 0));
}
}  // namespace

void init(Level level) {
  static bool done = false;
  if (!done) {
    auto logger = spdlog::stderr_color_mt("tradeloop");
    logger->set_pattern("%^%l%$: %v");
    spdlog::set_default_logger(logger);
    done = true;
  }
  set_level(level);
}

void set_level(Level level) { spdlog::set_level(to_spdlog(level)); }

}  // namespace tradeloop::log
