// 64-bit FNV-1a hashing for run identities (stable across machines and builds).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <fmt/format.h>

namespace tradeloop::optimize {

inline constexpr std::uint64_t kFnvOffset = 0xcbf29ce484222325ULL;

inline std::uint64_t fnv1a64(const void* data, std::size_t size, std::uint64_t hash = kFnvOffset) {
  const auto* p = static_cast<const unsigned char*>(data);
  for (std::size_t i = 0; i < size; ++i) {
    hash ^= p[i];
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

inline std::uint64_t fnv1a64(std::string_view text, std::uint64_t hash = kFnvOffset) {
  return fnv1a64(text.data(), text.size(), hash);
}

inline std::string hash_hex(std::uint64_t hash) {
  return fmt::format("{:016x}", hash);
}

}  // namespace tradeloop::optimize
