#include "tradeloop/strategy/builtin.h"

#include <cmath>

#include <fmt/format.h>

#include "tradeloop/strategy/sma_cross.h"

namespace tradeloop::strategy {

const std::vector<BuiltinInfo>& list_builtins() {
  static const std::vector<BuiltinInfo> all = {
      {"sma_cross",
       "Moving-average crossover: buy when SMA(fast) crosses above SMA(slow), sell on the opposite cross "
       "(long-only unless --allow-short, which reverses).",
       {{"fast", 10, 2, 100000, true, "period of the fast simple moving average (bars)"},
        {"slow", 20, 2, 100000, true, "period of the slow simple moving average (bars)"}}},
  };
  return all;
}

const BuiltinInfo* find_builtin(std::string_view name) {
  for (const auto& b : list_builtins()) {
    if (b.name == name) return &b;
  }
  return nullptr;
}

Result<std::map<std::string, double>> resolve_builtin_params(const BuiltinInfo& info,
                                                             const std::map<std::string, double>& overrides) {
  std::map<std::string, double> out;
  for (const auto& p : info.params) out[p.name] = p.default_value;
  for (const auto& [k, v] : overrides) {
    const BuiltinParam* param = nullptr;
    for (const auto& p : info.params) {
      if (p.name == k) param = &p;
    }
    if (param == nullptr) {
      std::string names;
      for (const auto& p : info.params) names += (names.empty() ? "" : ", ") + p.name;
      return Error::invalid_argument(
          fmt::format("{}: unknown parameter '{}' (parameters: {})", info.name, k, names));
    }
    if (!std::isfinite(v) || v < param->min || v > param->max) {
      return Error::out_of_range(fmt::format("{}: parameter '{}' = {} is outside [{}, {}]", info.name, k, v,
                                             param->min, param->max));
    }
    if (param->integer && v != std::floor(v)) {
      return Error::invalid_argument(
          fmt::format("{}: parameter '{}' = {} must be an integer", info.name, k, v));
    }
    out[k] = v;
  }
  return out;
}

namespace {

Result<SmaCrossParams> sma_params(const std::map<std::string, double>& params) {
  SmaCrossParams p;
  if (auto it = params.find("fast"); it != params.end()) p.fast = static_cast<int>(it->second);
  if (auto it = params.find("slow"); it != params.end()) p.slow = static_cast<int>(it->second);
  TL_TRY(p.validate());
  return p;
}

}  // namespace

Result<std::unique_ptr<Strategy>> make_builtin(std::string_view name,
                                               const std::map<std::string, double>& params) {
  if (name == "sma_cross") {
    TL_ASSIGN_OR_RETURN(auto p, sma_params(params));
    return std::unique_ptr<Strategy>(std::make_unique<SmaCross>(p));
  }
  return Error::not_found(fmt::format("no built-in strategy named '{}'", name));
}

Result<SignalPlan> builtin_plan(std::string_view name, const std::map<std::string, double>& params,
                                const data::BarSeries& bars) {
  if (name == "sma_cross") {
    TL_ASSIGN_OR_RETURN(auto p, sma_params(params));
    return sma_cross_plan(bars.close, p);
  }
  return Error::not_found(fmt::format("no built-in strategy named '{}'", name));
}

}  // namespace tradeloop::strategy
