// TL_CHECK: broken invariants are bugs. It logs file and line and aborts. Never for user input:
// expected failures return Result (see result.h).
#pragma once

#include <sstream>
#include <string>

namespace tradeloop::internal {

[[noreturn]] void check_failed(const char* file, int line, const char* condition, const std::string& detail);

template <typename... Args>
std::string check_detail(const Args&... args) {
  if constexpr (sizeof...(Args) == 0) {
    return {};
  } else {
    std::ostringstream out;
    (out << ... << args);
    return out.str();
  }
}

}  // namespace tradeloop::internal

#define TL_CHECK(condition, ...)                                                     \
  do {                                                                               \
    if (!(condition)) [[unlikely]] {                                                 \
      ::tradeloop::internal::check_failed(__FILE__, __LINE__, #condition,            \
                                          ::tradeloop::internal::check_detail(__VA_ARGS__)); \
    }                                                                                \
  } while (0)
