// The spec's lowered form (Program): a flat list of typed nodes built children-first, so index order
// is a topological order (a forward loop evaluates everything). Shared by validation, canonical
// printing, hashing, explain and the compiler.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tradeloop/indicators/indicator.h"
#include "tradeloop/strategy/spec.h"

namespace tradeloop::strategy::internal {

enum class Op : std::uint8_t {
  kConst = 0,      // scalar constant: value (number / bool 0-1) or text
  kParam = 1,      // scalar: spec.parameters[index]
  kField = 2,      // series: price field `index` (Field) of leg `leg`
  kSeriesRef = 3,  // reference to a named series (index); kids[0] is what it evaluates to; text = member
  kIndicator = 4,  // series: info; kids = num_inputs inputs then one scalar per info->params; index = output
  kNeg,
  kNot,
  kAdd,
  kSub,
  kMul,
  kDiv,
  kGt,
  kGe,
  kLt,
  kLe,
  kEq,
  kNe,
  kAnd,
  kOr,
  kAgo,  // kids[0] kids[1] bars ago (kids[1] scalar int >= 0)
  kCrossAbove,
  kCrossBelow,
  kRising,
  kFalling,
  kHighest,
  kLowest,
  kAbs,
  kMin,
  kMax,
  kOlsSlope,
};

enum class VType : std::uint8_t { kNumber = 0, kBool = 1, kText = 2 };

enum class Field : std::uint8_t { kOpen = 0, kHigh, kLow, kClose, kVolume, kHl2, kHlc3, kOhlc4 };
inline constexpr std::string_view kFieldNames[] = {"open",   "high", "low",  "close",
                                                   "volume", "hl2",  "hlc3", "ohlc4"};
int field_index(std::string_view name);  // -1 when not a price field

struct Node {
  Op op = Op::kConst;
  VType type = VType::kNumber;
  bool series = false;  // false: one value for every bar (constants and parameters)
  std::vector<int> kids;
  double value = 0;  // kConst
  std::string text;  // kConst text; kSeriesRef member
  int index = 0;     // kParam / kField / kSeriesRef / kIndicator (output)
  int leg = 0;       // kField
  const indicators::IndicatorInfo* info = nullptr;
  int num_inputs = 0;           // kIndicator
  bool inputs_written = false;  // kIndicator: inputs written in the call (else the leg's fields)
  // Where it was written ("rules.long_entry", col 15), for errors found when values are known.
  std::string path;
  int col = 0;
};

enum Root : int { kLongEntry = 0, kLongExit, kShortEntry, kShortExit, kHedgeRatio, kNumRuleRoots };
inline constexpr std::string_view kRootNames[] = {"long_entry", "long_exit", "short_entry", "short_exit",
                                                  "hedge_ratio"};

struct Program {
  Spec spec;
  std::vector<Node> nodes;
  std::vector<int> series_root;  // per spec.series (-1 when it failed to analyze)
  int roots[kNumRuleRoots] = {-1, -1, -1, -1, -1};
  int stop_amount[3] = {-1, -1, -1};  // stop_loss, take_profit, trailing_stop
  int atr_period = -1;
  int cooldown = -1;
  int sizing_value = -1;
  std::vector<int> constraints;
  std::vector<std::uint8_t> used;  // per node: reachable from a root that is evaluated per bar
};

// Builds the program, appending every problem found to `issues` (the program is then partial).
// Value-dependent checks (indicator parameter ranges, constraints) are done by evaluate_scalars,
// which analyze runs with the spec's own values.
std::unique_ptr<Program> analyze(const Spec& spec, std::vector<SpecIssue>& issues);

// The parameter values of the spec itself (number, or choice index for categorical).
std::vector<double> spec_values(const Spec& spec);

// Checks `values` against the parameters' ranges: errors as with_overrides.
Status check_param_values(const Spec& spec, std::span<const double> values);

// Computes every scalar node's value for `values` into `scalars` (per node; series nodes left NaN)
// and checks what depends on values: indicator parameters (made into `indicators`, per node, when
// not null), bars-ago and window lengths, stop and sizing amounts, constraints. With `all_issues`
// every problem is collected there; otherwise the first one is returned, located
// ("rules.long_entry: col 15: sma: parameter 'timeperiod' = 1 is below its minimum 2").
Status evaluate_scalars(const Program& program, std::span<const double> values, std::vector<double>& scalars,
                        std::vector<std::unique_ptr<indicators::Indicator>>* indicators,
                        std::vector<SpecIssue>* all_issues = nullptr);

// Text value of a scalar text node (a text constant, or a text-valued categorical parameter whose
// scalar is its choice index).
std::string_view text_value(const Program& program, int node, std::span<const double> scalars);

enum class PrintMode : std::uint8_t {
  kCanonical = 0,  // structure kept: parameter names, named series by name, leg names
  kBehaviour = 1,  // parameter values, series inlined, constants folded, commutative operands ordered
};

// The node as an expression string. kBehaviour needs `scalars` (evaluate_scalars's output).
std::string print_node(const Program& program, int node, PrintMode mode,
                       std::span<const double> scalars = {});

// Canonical text of named series `series`'s definition.
std::string print_series_definition(const Program& program, int series);

// Cache key of an indicator node's columns (behaviour form, all outputs): "sma(close, timeperiod=10)".
std::string indicator_key(const Program& program, int node, std::span<const double> scalars);

// Shortest round-trip text of a number ("10", "0.25", "1e-05").
std::string format_number(double value);

// Closest of `candidates` to `name` (edit distance), empty when none is close.
std::string closest_name(std::string_view name, const std::vector<std::string>& candidates);

// "did you mean 'x'?" suffix, or empty.
std::string did_you_mean(std::string_view name, const std::vector<std::string>& candidates);

// out += sep + item, with no separator before the first item.
inline void append_joined(std::string& out, std::string_view sep, std::string_view item) {
  if (!out.empty()) out += sep;
  out += item;
}

// Builtin function names (for suggestions and the docs).
const std::vector<std::string>& builtin_function_names();

}  // namespace tradeloop::strategy::internal
