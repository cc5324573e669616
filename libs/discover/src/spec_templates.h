// The template library of the discovery loop: parameterized strategy skeletons per type, the pool
// of filter conditions that mutation adds, and the classes of indicators that may replace each
// other. Expressions are spec expression strings (docs/strategy-spec.md).
#pragma once

#include <vector>

#include "tradeloop/discover/spec_generator.h"

namespace tradeloop::discover {

struct TemplateParam {
  const char* name;
  bool is_int;
  double min;
  double max;
  double step;  // 0 for ints (1) and continuous floats
};

struct SpecGenerator::Template {
  const char* type;
  const char* name;
  const char* summary;
  std::vector<TemplateParam> params;
  const char* long_entry = nullptr;
  const char* long_exit = nullptr;
  const char* short_entry = nullptr;  // optional side: included in half of the samples
  const char* short_exit = nullptr;
  std::vector<const char*> constraints;
  std::vector<const char*> indicators;  // registry names it needs
  bool pair = false;
  const char* hedge_ratio = nullptr;
  std::vector<std::pair<const char*, const char*>> series;  // named series (pairs)
};

namespace internal {

const std::vector<SpecGenerator::Template>& spec_templates();

// A condition mutation may add: `bull` for long entries and short exits, `bear` for short entries
// and long exits. Placeholders: {N} a period in [min_period, max_period], {T} a threshold in
// [min_threshold, max_threshold] (times the typical bar move when scaled_by_move).
struct FilterCondition {
  const char* bull;
  const char* bear;
  std::vector<const char*> indicators;
  int min_period;
  int max_period;
  double min_threshold;
  double max_threshold;
  bool scaled_by_move = false;
};

const std::vector<FilterCondition>& filter_conditions();

// Groups of indicators on the same scale with the same meaning: one may replace another and the
// thresholds around it keep their sense.
const std::vector<std::vector<const char*>>& swap_classes();

}  // namespace internal
}  // namespace tradeloop::discover
