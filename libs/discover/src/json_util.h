// JSON helpers shared by the discovery sources (nlohmann stays out of public headers).
#pragma once

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tradeloop/discover/candidate.h"

namespace tradeloop::discover::internal {

using Json = nlohmann::json;

// NaN and infinities are not JSON: they are written as null and read back as NaN.
inline Json number_json(double v) {
  return std::isfinite(v) ? Json(v) : Json(nullptr);
}
inline double json_number(const Json& j) {
  return j.is_number() ? j.get<double>() : std::numeric_limits<double>::quiet_NaN();
}

inline Json metrics_json(const Metrics& m) {
  Json j = Json::object();
  for (const auto& [k, v] : m) j[k] = number_json(v);
  return j;
}

inline Metrics metrics_from_json(const Json& j) {
  Metrics m;
  if (!j.is_object()) return m;
  for (auto it = j.begin(); it != j.end(); ++it) m[it.key()] = json_number(it.value());
  return m;
}

inline std::string strings_json(const std::vector<std::string>& v) {
  return Json(v).dump();
}
inline std::vector<std::string> strings_from_json(const std::string& text) {
  if (text.empty()) return {};
  Json j = Json::parse(text, nullptr, false);
  std::vector<std::string> out;
  if (!j.is_array()) return out;
  for (const auto& e : j) {
    if (e.is_string()) out.push_back(e.get<std::string>());
  }
  return out;
}

}  // namespace tradeloop::discover::internal
