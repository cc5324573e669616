// `tradeloop strategy list | show | validate | explain`: the JSON strategy spec library and checks.
// See docs/strategy-spec.md.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "cli.h"
#include "tradeloop/strategy/spec.h"

namespace tradeloop::cli {

namespace {

using nlohmann::ordered_json;

void print_json(const ordered_json& j) {
  const std::string text = j.dump(2, ' ', false, ordered_json::error_handler_t::replace);
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fputc('\n', stdout);
}

// 1 when the spec itself has errors, 2 for a missing file or another failure (see cli.h).
int exit_code_of(const Error& e) {
  return e.code() == ErrorCode::kInvalidArgument || e.code() == ErrorCode::kFailedPrecondition
             ? kExitDataErrors
             : kExitUsage;
}

int report(const Error& e) {
  fmt::print(stderr, "tradeloop: {}\n", e.message());
  return exit_code_of(e);
}

ordered_json number_json(double v) {
  if (v == static_cast<double>(static_cast<long long>(v)) && v > -9e15 && v < 9e15) {
    return static_cast<long long>(v);
  }
  return v;
}

ordered_json parameter_json(const strategy::SpecParam& p) {
  ordered_json j;
  j["name"] = p.name;
  j["type"] = strategy::spec_param_kind_name(p.kind);
  if (p.kind == strategy::SpecParamKind::kCategorical) {
    ordered_json choices = ordered_json::array();
    for (const auto& c : p.choices)
      choices.push_back(c.is_text ? ordered_json(c.text) : number_json(c.number));
    const auto& d = p.choices[static_cast<std::size_t>(p.default_value)];
    j["default"] = d.is_text ? ordered_json(d.text) : number_json(d.number);
    j["choices"] = choices;
  } else {
    j["default"] = number_json(p.default_value);
    j["min"] = number_json(p.min);
    j["max"] = number_json(p.max);
    j["step"] = number_json(p.kind == strategy::SpecParamKind::kInt && p.step == 0 ? 1 : p.step);
  }
  j["description"] = p.description;
  return j;
}

std::string parameter_text(const strategy::SpecParam& p) {
  if (p.kind == strategy::SpecParamKind::kCategorical) {
    std::string choices;
    for (const auto& c : p.choices) {
      if (!choices.empty()) choices += "|";
      choices += c.is_text ? c.text : fmt::format("{}", c.number);
    }
    return fmt::format("{}={} ({})", p.name, p.value_text(), choices);
  }
  return fmt::format("{}={} ({} {}..{})", p.name, p.value_text(), strategy::spec_param_kind_name(p.kind),
                     p.min, p.max);
}

int run_list(bool json) {
  const strategy::LibraryListing listing = strategy::list_library();
  for (const auto& problem : listing.problems) fmt::print(stderr, "tradeloop: {}\n", problem);
  if (json) {
    ordered_json out;
    ordered_json arr = ordered_json::array();
    for (const auto& s : listing.specs) {
      ordered_json j;
      j["name"] = s.name;
      j["type"] = s.type;
      j["description"] = s.description;
      j["legs"] = s.legs.empty() ? 1 : static_cast<int>(s.legs.size());
      j["path"] = s.origin;
      ordered_json params = ordered_json::array();
      for (const auto& p : s.parameters) params.push_back(parameter_json(p));
      j["parameters"] = params;
      arr.push_back(std::move(j));
    }
    out["strategies"] = std::move(arr);
    out["search_path"] = strategy::strategy_search_path();
    out["problems"] = listing.problems;
    print_json(out);
  } else {
    if (listing.specs.empty()) {
      fmt::print(stderr, "tradeloop: no strategies found (search path: {}; set TL_STRATEGY_DIR)\n",
                 fmt::join(strategy::strategy_search_path(), ", "));
    }
    for (const auto& s : listing.specs) {
      fmt::print("{} ({}{})\n", s.name, s.type.empty() ? "strategy" : s.type,
                 s.legs.size() == 2 ? ", pairs" : "");
      fmt::print("  {}\n", s.description);
      std::string params;
      for (const auto& p : s.parameters) {
        if (!params.empty()) params += ", ";
        params += parameter_text(p);
      }
      fmt::print("  parameters: {}\n", params.empty() ? "none" : params);
    }
  }
  return listing.problems.empty() ? kExitOk : kExitDataErrors;
}

int run_show(const std::string& name) {
  auto spec = strategy::load_spec(name);
  if (!spec.ok()) return report(spec.error());
  auto text = strategy::canonical_json(*spec, 2);
  if (!text.ok()) return report(text.error());
  fmt::print("{}\n", *text);
  return kExitOk;
}

Result<std::string> read_text(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return Error::not_found(fmt::format("{}: no such file", path));
  std::ifstream in(path, std::ios::binary);
  if (!in || std::filesystem::is_directory(path, ec))
    return Error::io(fmt::format("{}: cannot be read", path));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

int run_validate(const std::string& file, bool json) {
  // A library name is accepted too (validate what `--strategy NAME` would load).
  std::string path = file;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec) && file.find('/') == std::string::npos && !file.ends_with(".json")) {
    for (const auto& dir : strategy::strategy_search_path()) {
      const std::string candidate = (std::filesystem::path(dir) / (file + ".json")).string();
      if (std::filesystem::exists(candidate, ec)) {
        path = candidate;
        break;
      }
    }
  }
  auto text = read_text(path);
  if (!text.ok()) {
    if (json) {
      print_json(ordered_json{{"file", file}, {"valid", false}, {"error", text.error().message()}});
    }
    fmt::print(stderr, "tradeloop: {}\n", text.error().message());
    return kExitUsage;
  }
  const auto issues = strategy::check_spec_text(*text);
  std::string name, hash;
  std::size_t params = 0;
  if (issues.empty()) {
    auto spec = strategy::parse_spec(*text, path);
    if (spec.ok()) {
      name = spec->name;
      params = spec->parameters.size();
      hash = strategy::spec_hash(*spec).value_or("");
    }
  }
  if (json) {
    ordered_json errors = ordered_json::array();
    for (const auto& i : issues) {
      // "col" as the text prints it (the token's offset in the expression), null outside expressions.
      errors.push_back({{"path", i.path},
                        {"col", i.col > 0 ? ordered_json(i.col - 1) : ordered_json(nullptr)},
                        {"message", i.message},
                        {"text", i.to_string()}});
    }
    ordered_json out{{"file", path}, {"valid", issues.empty()}, {"errors", errors}};
    if (issues.empty()) {
      out["name"] = name;
      out["parameters"] = params;
      out["hash"] = hash;
    }
    print_json(out);
  }
  if (!issues.empty()) {
    for (const auto& i : issues) {
      const bool line_col = !i.path.empty() && std::isdigit(static_cast<unsigned char>(i.path[0])) != 0;
      fmt::print(stderr, "{}{}{}\n", path, line_col ? ":" : ": ", i.to_string());
    }
    if (!json) fmt::print(stderr, "tradeloop: {}: {} error(s)\n", path, issues.size());
    return kExitDataErrors;
  }
  if (!json) {
    fmt::print("{}: valid strategy spec{} ({} parameter(s), hash {})\n", path,
               name.empty() ? std::string() : fmt::format(" '{}'", name), params, hash.substr(0, 16));
  }
  return kExitOk;
}

int run_explain(const std::string& file, bool json) {
  auto spec = strategy::load_spec(file);
  if (!spec.ok()) return report(spec.error());
  auto text = strategy::explain(*spec);
  if (!text.ok()) return report(text.error());
  if (json) {
    print_json(ordered_json{
        {"name", spec->name}, {"hash", strategy::spec_hash(*spec).value_or("")}, {"explanation", *text}});
  } else {
    fmt::print("{}", *text);
  }
  return kExitOk;
}

}  // namespace

void register_strategy_commands(CLI::App& app, State& state) {
  CLI::App* group =
      app.add_subcommand("strategy", "The JSON strategy spec library: list, show, validate, explain");
  group->require_subcommand(1);

  auto list_json = std::make_shared<bool>(false);
  CLI::App* list = group->add_subcommand("list", "List the library's strategies with their parameters");
  list->add_flag("--json", *list_json, "Print one JSON object");
  list->callback([&state, list_json] { state.exit_code = run_list(*list_json); });

  auto show_name = std::make_shared<std::string>();
  auto show_json = std::make_shared<bool>(false);
  CLI::App* show =
      group->add_subcommand("show", "Print a strategy's spec (canonical JSON, itself a valid spec file)");
  show->add_option("name", *show_name, "Library name (sma_cross) or path to a .json spec")->required();
  show->add_flag("--json", *show_json, "Print JSON (the spec is JSON either way)");
  show->callback([&state, show_name] { state.exit_code = run_show(*show_name); });

  auto validate_file = std::make_shared<std::string>();
  auto validate_json = std::make_shared<bool>(false);
  CLI::App* validate = group->add_subcommand(
      "validate", "Check a spec file: exit 0 when valid, 1 with located errors, 2 on I/O errors");
  validate->add_option("file", *validate_file, "Path to a .json spec (or a library name)")->required();
  validate->add_flag("--json", *validate_json, "Print one JSON object with the errors");
  validate->callback([&state, validate_file, validate_json] {
    state.exit_code = run_validate(*validate_file, *validate_json);
  });

  auto explain_file = std::make_shared<std::string>();
  auto explain_json = std::make_shared<bool>(false);
  CLI::App* explain = group->add_subcommand("explain", "Summarize a spec's rules in plain language");
  explain->add_option("file", *explain_file, "Path to a .json spec or a library name")->required();
  explain->add_flag("--json", *explain_json, "Print one JSON object");
  explain->callback(
      [&state, explain_file, explain_json] { state.exit_code = run_explain(*explain_file, *explain_json); });
}

}  // namespace tradeloop::cli
