#include "registry.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <mutex>

#include <fmt/format.h>

#include "tradeloop/core/closest_name.h"

namespace tradeloop::indicators {

namespace internal {

const Registry& registry() {
  static const Registry r = [] {
    Registry out;
    register_overlap(out);
    register_momentum(out);
    register_volatility(out);
    register_volume(out);
    register_statistics(out);
    register_patterns(out);
    register_custom(out);
    std::sort(out.begin(), out.end(),
              [](const Entry& a, const Entry& b) { return a.info.name < b.info.name; });
    for (std::size_t i = 1; i < out.size(); ++i) {
      TL_CHECK(out[i].info.name != out[i - 1].info.name, "indicator registered twice: ", out[i].info.name);
    }
    return out;
  }();
  return r;
}

namespace {
const Entry* find_entry(std::string_view name) {
  const Registry& r = registry();
  auto it = std::lower_bound(r.begin(), r.end(), name,
                             [](const Entry& e, std::string_view n) { return e.info.name < n; });
  return it != r.end() && it->info.name == name ? &*it : nullptr;
}
}  // namespace

}  // namespace internal

std::size_t InputSeries::size() const {
  for (auto s : {close, real, real0, real1, open, high, low, volume}) {
    if (!s.empty()) return s.size();
  }
  return ts.size();
}

std::span<const double> InputSeries::get(std::string_view name) const {
  if (name == "open") return open;
  if (name == "high") return high;
  if (name == "low") return low;
  if (name == "close") return close;
  if (name == "volume") return volume;
  if (name == "real") return real.empty() ? close : real;
  if (name == "real0") return !real0.empty() ? real0 : (real.empty() ? close : real);
  if (name == "real1") return real1;
  return {};
}

double BarInput::get(std::string_view name) const {
  if (name == "open") return open;
  if (name == "high") return high;
  if (name == "low") return low;
  if (name == "close") return close;
  if (name == "volume") return volume;
  if (name == "real") return !std::isnan(real) ? real : close;
  if (name == "real0") return !std::isnan(real0) ? real0 : (!std::isnan(real) ? real : close);
  if (name == "real1") return real1;
  return std::numeric_limits<double>::quiet_NaN();
}

const std::vector<IndicatorInfo>& list_indicators() {
  static const std::vector<IndicatorInfo> infos = [] {
    std::vector<IndicatorInfo> out;
    for (const auto& e : internal::registry()) out.push_back(e.info);
    return out;
  }();
  return infos;
}

const IndicatorInfo* find_indicator(std::string_view name) {
  const internal::Entry* e = internal::find_entry(name);
  return e == nullptr ? nullptr : &e->info;
}

std::string suggest_indicator(std::string_view name) {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& e : internal::registry()) out.push_back(e.info.name);
    return out;
  }();
  return closest_name(name, names, typo_tolerance(name));
}

Result<ParamValues> resolve_params(const IndicatorInfo& info, const std::map<std::string, double>& given) {
  for (const auto& [name, value] : given) {
    const bool known = std::any_of(info.params.begin(), info.params.end(),
                                   [&](const ParamInfo& p) { return p.name == name; });
    if (!known) {
      std::string names;
      for (const auto& p : info.params) names += (names.empty() ? "" : ", ") + p.name;
      return Error::invalid_argument(fmt::format("{}: unknown parameter '{}' (parameters: {})", info.name,
                                                 name, names.empty() ? "none" : names));
    }
  }
  ParamValues values;
  values.reserve(info.params.size());
  for (const auto& p : info.params) {
    auto it = given.find(p.name);
    const double v = it == given.end() ? p.default_value : it->second;
    if (!std::isfinite(v)) {
      return Error::invalid_argument(
          fmt::format("{}: parameter '{}' = {} is not a finite number", info.name, p.name, v));
    }
    if (p.type == ParamType::kInt && v != std::floor(v)) {
      return Error::invalid_argument(
          fmt::format("{}: parameter '{}' = {} must be an integer", info.name, p.name, v));
    }
    if (v < p.min) {
      return Error::out_of_range(
          fmt::format("{}: parameter '{}' = {} is below its minimum {}", info.name, p.name, v, p.min));
    }
    if (v > p.max) {
      return Error::out_of_range(
          fmt::format("{}: parameter '{}' = {} is above its maximum {}", info.name, p.name, v, p.max));
    }
    values.push_back(v);
  }
  return values;
}

Result<std::unique_ptr<Indicator>> make_indicator(const IndicatorInfo& info, ParamValues params) {
  const internal::Entry* e = internal::find_entry(info.name);
  if (e == nullptr) return Error::not_found(fmt::format("unknown indicator '{}'", info.name));
  if (params.size() != e->info.params.size()) {
    return Error::invalid_argument(fmt::format("{}: expected {} parameter values, got {}", info.name,
                                               e->info.params.size(), params.size()));
  }
  std::map<std::string, double> named;
  for (std::size_t i = 0; i < params.size(); ++i) named[e->info.params[i].name] = params[i];
  TL_ASSIGN_OR_RETURN(ParamValues checked, resolve_params(e->info, named));
  if (e->check) TL_TRY(e->check(checked));
  return e->make(&e->info, std::move(checked));
}

Result<std::unique_ptr<Indicator>> make_indicator(std::string_view name,
                                                  const std::map<std::string, double>& params) {
  const internal::Entry* e = internal::find_entry(name);
  if (e == nullptr) {
    const std::string hint = suggest_indicator(name);
    return Error::not_found(fmt::format("unknown indicator '{}'{}", name, did_you_mean_suffix(hint)));
  }
  TL_ASSIGN_OR_RETURN(ParamValues values, resolve_params(e->info, params));
  if (e->check) TL_TRY(e->check(values));
  return e->make(&e->info, std::move(values));
}

Result<std::vector<std::vector<double>>> compute(std::string_view name, const InputSeries& in,
                                                 const std::map<std::string, double>& params) {
  TL_ASSIGN_OR_RETURN(auto ind, make_indicator(name, params));
  const std::size_t n = in.size();
  for (const auto& input : ind->info().inputs) {
    if (in.get(input).size() != n) {
      return Error::invalid_argument(
          fmt::format("{}: input '{}' is not bound (or its length differs)", name, input));
    }
  }
  std::vector<std::vector<double>> columns(ind->num_outputs(), std::vector<double>(n));
  std::vector<std::span<double>> spans(columns.begin(), columns.end());
  ind->compute(in, spans);
  return columns;
}

}  // namespace tradeloop::indicators
