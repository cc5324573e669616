// The Spec API: parse, validate, override, canonical form, behaviour text and hash.
#include "tradeloop/strategy/spec.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include <fast_float/fast_float.h>
#include <fmt/format.h>

#include "spec_internal.h"
#include "spec_json.h"

namespace tradeloop::strategy {

using internal::format_number;
using internal::Node;
using internal::Op;
using internal::PrintMode;
using internal::Program;
using Json = nlohmann::ordered_json;

std::string_view spec_param_kind_name(SpecParamKind kind) {
  switch (kind) {
    case SpecParamKind::kInt:
      return "int";
    case SpecParamKind::kFloat:
      return "float";
    case SpecParamKind::kCategorical:
      return "categorical";
  }
  return "?";
}

std::string SpecParam::value_text() const {
  if (kind != SpecParamKind::kCategorical) return format_number(default_value);
  const auto i = static_cast<std::size_t>(default_value);
  if (default_value < 0 || i >= choices.size()) return "?";
  return choices[i].is_text ? choices[i].text : format_number(choices[i].number);
}

std::string SpecIssue::to_string() const {
  std::string out = path;
  if (col > 0) out += fmt::format(": col {}", col - 1);
  return out.empty() ? message : out + ": " + message;
}

namespace {

// "origin: path: col N: message", or "origin:LINE:COL: message" for JSON syntax errors.
std::string issue_line(std::string_view origin, const SpecIssue& issue) {
  const bool line_col = !issue.path.empty() && std::isdigit(static_cast<unsigned char>(issue.path[0])) != 0 &&
                        issue.path.find(':') != std::string::npos;
  if (origin.empty()) return issue.to_string();
  return fmt::format("{}{}{}", origin, line_col ? ":" : ": ", issue.to_string());
}

Error issues_error(std::string_view origin, const std::vector<SpecIssue>& issues) {
  std::string message;
  for (const auto& issue : issues) internal::append_joined(message, "\n", issue_line(origin, issue));
  return Error::invalid_argument(message);
}

Json json_number(double v) {
  if (v == std::floor(v) && std::fabs(v) < 9007199254740992.0 && !(v == 0 && std::signbit(v))) {
    return Json(static_cast<std::int64_t>(v));
  }
  return Json(v);
}

// A constant written as a JSON number when it is a literal, else as its expression text.
Json expr_json(const Program& p, int node) {
  const Node& n = p.nodes[static_cast<std::size_t>(node)];
  if (n.op == Op::kConst && n.type == internal::VType::kNumber) return json_number(n.value);
  return Json(internal::print_node(p, node, PrintMode::kCanonical));
}

std::string hhmm(int minutes) {
  return fmt::format("{:02d}:{:02d}", minutes / 60, minutes % 60);
}

Result<std::unique_ptr<Program>> analyzed(const Spec& spec) {
  std::vector<SpecIssue> issues;
  auto program = internal::analyze(spec, issues);
  if (!issues.empty()) return issues_error(spec.origin, issues);
  return program;
}

}  // namespace

namespace internal {

Result<Json> canonical_document(const Spec& spec) {
  TL_ASSIGN_OR_RETURN(auto program, analyzed(spec));
  const Program& p = *program;
  Json doc = Json::object();
  if (!spec.name.empty()) doc["name"] = spec.name;
  if (!spec.description.empty()) doc["description"] = spec.description;
  if (!spec.type.empty()) doc["type"] = spec.type;
  if (!spec.legs.empty()) doc["legs"] = spec.legs;

  std::vector<const SpecParam*> params;
  for (const auto& prm : spec.parameters) params.push_back(&prm);
  std::sort(params.begin(), params.end(),
            [](const SpecParam* a, const SpecParam* b) { return a->name < b->name; });
  Json jp = Json::object();
  for (const SpecParam* prm : params) {
    Json d = Json::object();
    d["type"] = spec_param_kind_name(prm->kind);
    if (prm->kind == SpecParamKind::kCategorical) {
      Json choices = Json::array();
      for (const auto& c : prm->choices) choices.push_back(c.is_text ? Json(c.text) : json_number(c.number));
      const auto& chosen = prm->choices[static_cast<std::size_t>(prm->default_value)];
      d["default"] = chosen.is_text ? Json(chosen.text) : json_number(chosen.number);
      d["choices"] = std::move(choices);
    } else {
      d["default"] = json_number(prm->default_value);
      d["min"] = json_number(prm->min);
      d["max"] = json_number(prm->max);
      const double step = prm->kind == SpecParamKind::kInt && prm->step == 0 ? 1 : prm->step;
      if (step != 0) d["step"] = json_number(step);
    }
    if (!prm->description.empty()) d["description"] = prm->description;
    jp[prm->name] = std::move(d);
  }
  if (!jp.empty()) doc["parameters"] = std::move(jp);

  std::vector<std::size_t> order(spec.series.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return spec.series[a].name < spec.series[b].name; });
  Json js = Json::object();
  for (std::size_t i : order) {
    const NamedSeries& ns = spec.series[i];
    const std::string text = internal::print_series_definition(p, static_cast<int>(i));
    if (ns.description.empty()) {
      js[ns.name] = text;
    } else {
      js[ns.name] = Json{{"expr", text}, {"description", ns.description}};
    }
  }
  if (!js.empty()) doc["series"] = std::move(js);

  if (!p.constraints.empty()) {
    Json jc = Json::array();
    for (int c : p.constraints) jc.push_back(print_node(p, c, PrintMode::kCanonical));
    doc["constraints"] = std::move(jc);
  }
  Json rules = Json::object();
  for (int r = 0; r < 4; ++r) {
    if (p.roots[r] >= 0) rules[std::string(kRootNames[r])] = print_node(p, p.roots[r], PrintMode::kCanonical);
  }
  doc["rules"] = std::move(rules);
  if (p.roots[kHedgeRatio] >= 0) doc["hedge_ratio"] = expr_json(p, p.roots[kHedgeRatio]);

  Json exits = Json::object();
  const StopSpec* stops[3] = {&spec.exits.stop_loss, &spec.exits.take_profit, &spec.exits.trailing_stop};
  constexpr const char* kStopNames[3] = {"stop_loss", "take_profit", "trailing_stop"};
  for (int s = 0; s < 3; ++s) {
    if (stops[s]->unit == StopUnit::kNone) continue;
    exits[kStopNames[s]] =
        Json{{stops[s]->unit == StopUnit::kAtr ? "atr" : "percent", expr_json(p, p.stop_amount[s])}};
  }
  if (p.atr_period >= 0) exits["atr_period"] = expr_json(p, p.atr_period);
  if (p.cooldown >= 0) exits["cooldown_bars"] = expr_json(p, p.cooldown);
  if (!exits.empty()) doc["exits"] = std::move(exits);

  if (!spec.sizing.method.empty()) {
    Json sizing = Json{{"method", spec.sizing.method}};
    if (p.sizing_value >= 0) sizing["value"] = expr_json(p, p.sizing_value);
    doc["sizing"] = std::move(sizing);
  }
  if (spec.filters.active()) {
    Json f = Json::object();
    if (!spec.filters.sessions.empty()) {
      Json ss = Json::array();
      for (const auto& [a, b] : spec.filters.sessions) ss.push_back(hhmm(a) + "-" + hhmm(b));
      f["sessions"] = std::move(ss);
    }
    if (spec.filters.weekdays != 0x7f) {
      static constexpr const char* kDays[7] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
      Json days = Json::array();
      for (int d = 0; d < 7; ++d) {
        if ((spec.filters.weekdays >> d) & 1) days.push_back(kDays[d]);
      }
      f["weekdays"] = std::move(days);
    }
    if (spec.filters.utc_offset_minutes != 0) {
      const int m = spec.filters.utc_offset_minutes;
      f["utc_offset"] = (m < 0 ? "-" : "+") + hhmm(std::abs(m));
    }
    doc["filters"] = std::move(f);
  }
  return doc;
}

}  // namespace internal

Result<Spec> parse_spec(std::string_view json_text, std::string_view origin) {
  std::vector<SpecIssue> issues;
  auto doc = internal::parse_json_document(json_text, issues);
  if (!doc) return issues_error(origin, issues);
  Spec spec = internal::spec_from_json(*doc, issues);
  spec.origin = std::string(origin);
  if (issues.empty()) internal::analyze(spec, issues);
  if (!issues.empty()) return issues_error(origin, issues);
  return spec;
}

std::vector<SpecIssue> check_spec_text(std::string_view json_text) {
  std::vector<SpecIssue> issues;
  auto doc = internal::parse_json_document(json_text, issues);
  if (!doc) return issues;
  Spec spec = internal::spec_from_json(*doc, issues);
  // Structural problems first; names and types can only be checked on a well-formed document, but
  // reporting both helps when fixing a file in one go.
  const std::size_t structural = issues.size();
  std::vector<SpecIssue> semantic;
  internal::analyze(spec, semantic);
  for (auto& issue : semantic) {
    const bool duplicate =
        std::any_of(issues.begin(), issues.begin() + static_cast<std::ptrdiff_t>(structural),
                    [&](const SpecIssue& i) { return i.path == issue.path; });
    if (!duplicate) issues.push_back(std::move(issue));
  }
  return issues;
}

std::vector<SpecIssue> validate_spec(const Spec& spec) {
  std::vector<SpecIssue> issues;
  internal::analyze(spec, issues);
  return issues;
}

Status check_spec(const Spec& spec) {
  const auto issues = validate_spec(spec);
  if (!issues.empty()) return issues_error(spec.origin, issues);
  return ok_status();
}

namespace {

Result<double> parse_param_text(const SpecParam& prm, std::string_view text) {
  auto parse_number = [&](std::string_view t) -> std::optional<double> {
    double v = 0;
    const char* first = t.data();
    const char* last = t.data() + t.size();
    if (!t.empty() && *first == '+') ++first;
    auto r = fast_float::from_chars(first, last, v);
    if (r.ec != std::errc() || r.ptr != last || first == last) return std::nullopt;
    return v;
  };
  if (prm.kind == SpecParamKind::kCategorical) {
    std::string list;
    for (std::size_t i = 0; i < prm.choices.size(); ++i) {
      const auto& c = prm.choices[i];
      internal::append_joined(list, ", ", (c.is_text ? c.text : format_number(c.number)));
      if (c.is_text ? c.text == text : parse_number(text) == c.number) return static_cast<double>(i);
    }
    return Error::out_of_range(
        fmt::format("parameter '{}' = '{}' is not one of its choices ({})", prm.name, text, list));
  }
  const auto v = parse_number(text);
  if (!v || !std::isfinite(*v)) {
    return Error::invalid_argument(fmt::format("parameter '{}' = '{}' is not a number", prm.name, text));
  }
  return *v;
}

}  // namespace

Status set_parameter(Spec& spec, std::string_view name, double value) {
  for (auto& prm : spec.parameters) {
    if (prm.name != name) continue;
    std::vector<double> values = internal::spec_values(spec);
    values[static_cast<std::size_t>(&prm - spec.parameters.data())] = value;
    TL_TRY(internal::check_param_values(spec, values));
    prm.default_value = value;
    return ok_status();
  }
  std::vector<std::string> names;
  for (const auto& prm : spec.parameters) names.push_back(prm.name);
  std::string list;
  for (const auto& n : names) internal::append_joined(list, ", ", n);
  return Error::not_found(fmt::format("unknown parameter '{}'{}; parameters: {}", name,
                                      internal::did_you_mean(name, names), list.empty() ? "none" : list));
}

Result<Spec> with_overrides(const Spec& spec, const std::map<std::string, std::string>& params) {
  TL_ASSIGN_OR_RETURN(auto program, analyzed(spec));
  Spec out = spec;
  for (const auto& [name, text] : params) {
    const auto it = std::find_if(out.parameters.begin(), out.parameters.end(),
                                 [&](const SpecParam& p) { return p.name == name; });
    if (it == out.parameters.end()) {
      TL_TRY(set_parameter(out, name, 0));  // reports the unknown name
      continue;
    }
    TL_ASSIGN_OR_RETURN(const double value, parse_param_text(*it, text));
    TL_TRY(set_parameter(out, name, value));
  }
  // Value-dependent rules (indicator parameter limits, constraints) on the original's program.
  std::vector<double> scalars;
  TL_TRY(internal::evaluate_scalars(*program, internal::spec_values(out), scalars, nullptr));
  return out;
}

Result<std::string> canonical_json(const Spec& spec, int indent) {
  TL_ASSIGN_OR_RETURN(Json doc, internal::canonical_document(spec));
  return doc.dump(indent);
}

Result<std::string> behaviour_text(const Spec& spec) {
  TL_ASSIGN_OR_RETURN(auto program, analyzed(spec));
  const Program& p = *program;
  std::vector<double> scalars;
  TL_TRY(internal::evaluate_scalars(p, internal::spec_values(spec), scalars, nullptr));
  auto value = [&](int node) { return format_number(scalars[static_cast<std::size_t>(node)]); };
  std::string out =
      fmt::format("tradeloop.strategy.behaviour/1\nlegs={}\n", std::max<std::size_t>(1, spec.legs.size()));
  for (int r = 0; r < internal::kNumRuleRoots; ++r) {
    if (p.roots[r] < 0) continue;
    out += fmt::format("{}={}\n", internal::kRootNames[r],
                       internal::print_node(p, p.roots[r], PrintMode::kBehaviour, scalars));
  }
  const StopSpec* stops[3] = {&spec.exits.stop_loss, &spec.exits.take_profit, &spec.exits.trailing_stop};
  constexpr const char* kStopNames[3] = {"stop_loss", "take_profit", "trailing_stop"};
  bool uses_atr = false;
  for (int s = 0; s < 3; ++s) {
    if (stops[s]->unit == StopUnit::kNone) continue;
    uses_atr = uses_atr || stops[s]->unit == StopUnit::kAtr;
    out += fmt::format("{}={}:{}\n", kStopNames[s], stops[s]->unit == StopUnit::kAtr ? "atr" : "percent",
                       value(p.stop_amount[s]));
  }
  if (uses_atr) out += fmt::format("atr_period={}\n", p.atr_period >= 0 ? value(p.atr_period) : "14");
  out += fmt::format("cooldown_bars={}\n", p.cooldown >= 0 ? value(p.cooldown) : "0");
  if (!spec.sizing.method.empty()) {
    out += fmt::format("sizing={}{}\n", spec.sizing.method,
                       p.sizing_value >= 0 ? fmt::format(":{}", value(p.sizing_value)) : std::string());
  }
  if (spec.filters.active()) {
    out += "filters=";
    auto sessions = spec.filters.sessions;  // their order does not matter
    std::sort(sessions.begin(), sessions.end());
    sessions.erase(std::unique(sessions.begin(), sessions.end()), sessions.end());
    for (const auto& [a, b] : sessions) out += fmt::format("{}-{},", a, b);
    out += fmt::format("days:{},offset:{}\n", spec.filters.weekdays, spec.filters.utc_offset_minutes);
  }
  return out;
}

Result<std::string> spec_hash(const Spec& spec) {
  TL_ASSIGN_OR_RETURN(std::string text, behaviour_text(spec));
  return sha256_hex(text);
}

}  // namespace tradeloop::strategy
