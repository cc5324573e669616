// Layered configuration: built-in defaults < JSON file < environment (TRADELOOP_*) < command-line flags.
//
// Keys are snake_case strings ("cash", "db", "commission"). Nested JSON objects flatten with dots
// ({"backtest": {"cash": 1}} is "backtest.cash"). The environment variable for a key is TRADELOOP_
// followed by the key upper-cased with dots as double underscores: "backtest.cash" is
// TRADELOOP_BACKTEST__CASH. Each value remembers where it came from, so errors can say so.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tradeloop/core/result.h"

namespace tradeloop {

enum class ConfigSource : std::uint8_t { kDefault = 0, kFile = 1, kEnvironment = 2, kFlag = 3 };

std::string_view config_source_name(ConfigSource source);

class Config {
 public:
  struct Entry {
    std::string value;
    ConfigSource source = ConfigSource::kDefault;
    std::string origin;  // file path, variable name or flag name
  };

  // Sets `key` when `source` ranks at least as high as the value already there.
  void set(std::string_view key, std::string value, ConfigSource source, std::string origin = {});

  // Reads a JSON object file and sets every leaf as kFile. Errors name the file (and the JSON
  // parser's position) and leave *this unchanged.
  Status load_file(const std::string& path);

  // Sets every TRADELOOP_* variable from `environ` (or the given list of "NAME=value") as kEnvironment.
  void load_environment();
  void load_environment(const std::vector<std::string>& variables);

  bool has(std::string_view key) const;
  const Entry* find(std::string_view key) const;
  std::optional<std::string> get_string(std::string_view key) const;
  // Typed getters: not_found when missing, invalid_argument naming the key, value and origin when
  // the text does not parse.
  Result<double> get_double(std::string_view key) const;
  Result<std::int64_t> get_int(std::string_view key) const;
  Result<bool> get_bool(std::string_view key) const;

  const std::map<std::string, Entry, std::less<>>& entries() const { return entries_; }

  static std::string environment_name(std::string_view key);

 private:
  std::map<std::string, Entry, std::less<>> entries_;
};

}  // namespace tradeloop
