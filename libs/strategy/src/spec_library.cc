// The strategy library on disk: search path, load by name or path, listing.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <system_error>

#include <fmt/format.h>

#include "spec_internal.h"
#include "tradeloop/strategy/spec.h"

#ifndef TL_STRATEGY_SOURCE_DIR
#define TL_STRATEGY_SOURCE_DIR ""
#endif

namespace tradeloop::strategy {

namespace fs = std::filesystem;

namespace {

std::vector<std::string> candidate_dirs() {
  std::vector<std::string> dirs;
  if (const char* env = std::getenv("TL_STRATEGY_DIR"); env != nullptr && *env != '\0') {
    std::string_view rest(env);
    while (!rest.empty()) {
      const auto colon = rest.find(':');
      const std::string_view part = rest.substr(0, colon);
      if (!part.empty()) dirs.emplace_back(part);
      if (colon == std::string_view::npos) break;
      rest.remove_prefix(colon + 1);
    }
  }
  if (std::string_view(TL_STRATEGY_SOURCE_DIR).size() > 0) dirs.emplace_back(TL_STRATEGY_SOURCE_DIR);
  dirs.emplace_back("strategies");
  return dirs;
}

Result<std::string> read_file(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return Error::not_found(fmt::format("{}: no such file", path));
  if (fs::is_directory(path, ec)) return Error::io(fmt::format("{}: is a directory, not a spec file", path));
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::io(fmt::format("{}: cannot be read", path));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Error::io(fmt::format("{}: read error", path));
  return text.str();
}

bool looks_like_path(std::string_view s) {
  return s.find('/') != std::string_view::npos || (s.size() > 5 && s.substr(s.size() - 5) == ".json");
}

}  // namespace

std::vector<std::string> strategy_search_path() {
  std::vector<std::string> out;
  std::vector<fs::path> seen;  // the same directory reached twice (env and compiled-in, or ./strategies)
  for (const auto& d : candidate_dirs()) {
    std::error_code ec;
    if (!fs::is_directory(d, ec)) continue;
    const fs::path canonical = fs::weakly_canonical(d, ec);
    if (std::find(seen.begin(), seen.end(), canonical) != seen.end()) continue;
    seen.push_back(canonical);
    out.push_back(d);
  }
  return out;
}

Result<Spec> load_spec(std::string_view name_or_path) {
  if (looks_like_path(name_or_path)) {
    const std::string path(name_or_path);
    TL_ASSIGN_OR_RETURN(std::string text, read_file(path));
    return parse_spec(text, path);
  }
  for (const auto& dir : strategy_search_path()) {
    const std::string path = (fs::path(dir) / (std::string(name_or_path) + ".json")).string();
    std::error_code ec;
    if (!fs::exists(path, ec)) continue;
    TL_ASSIGN_OR_RETURN(std::string text, read_file(path));
    return parse_spec(text, path);
  }
  std::string looked;
  for (const auto& d : strategy_search_path()) internal::append_joined(looked, ", ", d);
  if (looked.empty()) looked = "no strategy directory (set TL_STRATEGY_DIR)";
  std::vector<std::string> names;
  for (const auto& dir : strategy_search_path()) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      if (entry.path().extension() == ".json") names.push_back(entry.path().stem().string());
    }
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  std::string known;
  for (const auto& n : names) internal::append_joined(known, ", ", n);
  return Error::not_found(
      fmt::format("unknown strategy '{}': no {}.json in {} (TL_STRATEGY_DIR adds directories){}",
                  name_or_path, name_or_path, looked, known.empty() ? std::string() : "; library: " + known));
}

LibraryListing list_library() {
  LibraryListing out;
  std::map<std::string, std::string> files;  // name -> first path on the search path
  for (const auto& dir : strategy_search_path()) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      if (entry.path().extension() != ".json") continue;
      files.emplace(entry.path().stem().string(), entry.path().string());
    }
  }
  for (const auto& [name, path] : files) {
    auto text = read_file(path);
    if (!text.ok()) {
      out.problems.push_back(text.error().message());
      continue;
    }
    auto spec = parse_spec(*text, path);
    if (!spec.ok()) {
      out.problems.push_back(spec.error().message());
      continue;
    }
    if (spec->name.empty()) spec->name = name;
    out.specs.push_back(std::move(spec).value());
  }
  return out;
}

}  // namespace tradeloop::strategy
