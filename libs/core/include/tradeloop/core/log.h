// Logging facade over spdlog. Logs go to stderr so that stdout stays machine-readable (--json).
#pragma once

#include <spdlog/spdlog.h>

namespace tradeloop::log {

enum class Level : std::uint8_t { kTrace = 0, kDebug = 1, kInfo = 2, kWarn = 3, kError = 4, kOff = 5 };

// Sends every log line to stderr at `level` and above. Safe to call more than once.
void init(Level level = Level::kWarn);
void set_level(Level level);

}  // namespace tradeloop::log

#define TL_LOG_DEBUG(...) ::spdlog::debug(__VA_ARGS__)
#define TL_LOG_INFO(...) ::spdlog::info(__VA_ARGS__)
#define TL_LOG_WARN(...) ::spdlog::warn(__VA_ARGS__)
#define TL_LOG_ERROR(...) ::spdlog::error(__VA_ARGS__)
