#include "tradeloop/core/config.h"

#include <cctype>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

extern char** environ;

namespace tradeloop {

std::string_view config_source_name(ConfigSource source) {
  switch (source) {
    case ConfigSource::kDefault: return "default";
    case ConfigSource::kFile: return "config file";
    case ConfigSource::kEnvironment: return "environment";
    case ConfigSource::kFlag: return "command-line flag";
  }
  return "unknown";
}

void Config::set(std::string_view key, std::string value, ConfigSource source, std::string origin) {
  auto it = entries_.find(key);
  if (it != entries_.end() && it->second.source > source) return;
  entries_[std::string(key)] = Entry{std::move(value), source, std::move(origin)};
}

namespace {

void flatten(const nlohmann::json& node, const std::string& prefix, std::vector<std::pair<std::string, std::string>>& out) {
  if (node.is_object()) {
    for (const auto& [k, v] : node.items()) flatten(v, prefix.empty() ? k : prefix + "." + k, out);
  } else if (node.is_string()) {
    out.emplace_back(prefix, node.get<std::string>());
  } else {
    out.emplace_back(prefix, node.dump());
  }
}

}  // namespace

Status Config::load_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Error::not_found(fmt::format("{}: cannot open config file", path));
  std::stringstream buffer;
  buffer << in.rdbuf();
  nlohmann::json doc = nlohmann::json::parse(buffer.str(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Error::invalid_argument(fmt::format("{}: not valid JSON", path));
  if (!doc.is_object()) return Error::invalid_argument(fmt::format("{}: the top level must be a JSON object", path));
  std::vector<std::pair<std::string, std::string>> leaves;
  flatten(doc, "", leaves);
  for (auto& [k, v] : leaves) set(k, std::move(v), ConfigSource::kFile, path);
  return ok_status();
}

std::string Config::environment_name(std::string_view key) {
  std::string name = "TRADELOOP_";
  for (char c : key) {
    if (c == '.') {
      name += "__";
    } else {
      name += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
  }
  return name;
}

void Config::load_environment() {
  std::vector<std::string> vars;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) vars.emplace_back(*e);
  load_environment(vars);
}

void Config::load_environment(const std::vector<std::string>& variables) {
  constexpr std::string_view kPrefix = "TRADELOOP_";
  for (const std::string& var : variables) {
    const auto eq = var.find('=');
    if (eq == std::string::npos || var.compare(0, kPrefix.size(), kPrefix) != 0) continue;
    const std::string name = var.substr(0, eq);
    std::string key;
    for (std::size_t i = kPrefix.size(); i < name.size(); ++i) {
      if (name[i] == '_' && i + 1 < name.size() && name[i + 1] == '_') {
        key += '.';
        ++i;
      } else {
        key += static_cast<char>(std::tolower(static_cast<unsigned char>(name[i])));
      }
    }
    if (!key.empty()) set(key, var.substr(eq + 1), ConfigSource::kEnvironment, name);
  }
}

bool Config::has(std::string_view key) const { return entries_.find(key) != entries_.end(); }

const Config::Entry* Config::find(std::string_view key) const {
  auto it = entries_.find(key);
  return it == entries_.end() ? nullptr : &it->second;
}

std::optional<std::string> Config::get_string(std::string_view key) const {
  const Entry* e = find(key);
  if (e == nullptr) return std::nullopt;
  return e->value;
}

namespace {

Error bad_value(std::string_view key, const Config::Entry& e, std::string_view expected) {
  return Error::invalid_argument(fmt::format("config '{}' = '{}' (from {}{}{}): expected {}", key, e.value,
                                             config_source_name(e.source), e.origin.empty() ? "" : " ",
                                             e.origin, expected));
}

}  // namespace

Result<double> Config::get_double(std::string_view key) const {
  const Entry* e = find(key);
  if (e == nullptr) return Error::not_found(fmt::format("config '{}' is not set", key));
  double v = 0;
  const char* end = e->value.data() + e->value.size();
  auto [p, ec] = std::from_chars(e->value.data(), end, v);
  if (ec != std::errc() || p != end) return bad_value(key, *e, "a number");
  return v;
}

Result<std::int64_t> Config::get_int(std::string_view key) const {
  const Entry* e = find(key);
  if (e == nullptr) return Error::not_found(fmt::format("config '{}' is not set", key));
  std::int64_t v = 0;
  const char* end = e->value.data() + e->value.size();
  auto [p, ec] = std::from_chars(e->value.data(), end, v);
  if (ec != std::errc() || p != end) return bad_value(key, *e, "an integer");
  return v;
}

Result<bool> Config::get_bool(std::string_view key) const {
  const Entry* e = find(key);
  if (e == nullptr) return Error::not_found(fmt::format("config '{}' is not set", key));
  const std::string& v = e->value;
  if (v == "true" || v == "1" || v == "yes" || v == "on") return true;
  if (v == "false" || v == "0" || v == "no" || v == "off") return false;
  return bad_value(key, *e, "true or false");
}

}  // namespace tradeloop
