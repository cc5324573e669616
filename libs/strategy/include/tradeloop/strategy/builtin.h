// The built-in C++ strategies by name: what `tradeloop backtest --strategy NAME` and the optimizer find
// before looking for a JSON spec. Each has parameters with defaults and ranges, an event-API form
// (make_builtin) and a signal-plan form (builtin_plan) that trade identically.
#pragma once

#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tradeloop/core/result.h"
#include "tradeloop/data/bar_series.h"
#include "tradeloop/strategy/signal_plan.h"
#include "tradeloop/strategy/strategy.h"

namespace tradeloop::strategy {

struct BuiltinParam {
  std::string name;
  double default_value = 0;
  double min = 0;
  double max = 0;
  bool integer = true;
  std::string description;
};

struct BuiltinInfo {
  std::string name;
  std::string description;
  std::vector<BuiltinParam> params;
};

const std::vector<BuiltinInfo>& list_builtins();
const BuiltinInfo* find_builtin(std::string_view name);

// Parameters from name -> value overrides (--param): defaults filled in, unknown names and values
// outside their range are errors naming the parameter, value and limit.
Result<std::map<std::string, double>> resolve_builtin_params(const BuiltinInfo& info,
                                                             const std::map<std::string, double>& overrides);

// The event-API strategy. `params` as returned by resolve_builtin_params.
Result<std::unique_ptr<Strategy>> make_builtin(std::string_view name,
                                               const std::map<std::string, double>& params);

// The signal plan over one series.
Result<SignalPlan> builtin_plan(std::string_view name, const std::map<std::string, double>& params,
                                const data::BarSeries& bars);

}  // namespace tradeloop::strategy
