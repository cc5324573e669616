// JSON <-> Spec, private to the spec library (keeps nlohmann out of the public headers).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "tradeloop/strategy/spec.h"

namespace tradeloop::strategy::internal {

// Parses JSON text (duplicate keys refused); syntax errors are issues with path "LINE:COL".
std::optional<nlohmann::ordered_json> parse_json_document(std::string_view text,
                                                          std::vector<SpecIssue>& issues);

// Reads the document's structure into a Spec, appending structural issues.
Spec spec_from_json(const nlohmann::ordered_json& doc, std::vector<SpecIssue>& issues);

// Reads one expression (string, number, boolean or tree) found at JSON path `path`.
std::optional<Expr> expr_from_json(const nlohmann::ordered_json& j, const std::string& path,
                                   std::vector<SpecIssue>& issues);

// The canonical document of a valid spec (see canonical_json).
Result<nlohmann::ordered_json> canonical_document(const Spec& spec);

}  // namespace tradeloop::strategy::internal
