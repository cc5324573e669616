// Spec: a trading strategy as data (a JSON strategy spec), and the functions that read, check,
// normalize, hash, override and explain it. The format and the expression grammar are documented in
// docs/strategy-spec.md; strategies/*.json is the library.
//
// Typical use (the backtest CLI, the optimizer, the discovery loop):
//
//   TL_ASSIGN_OR_RETURN(Spec spec, load_spec("sma_cross"));             // or a path to a .json file
//   TL_ASSIGN_OR_RETURN(spec, with_overrides(spec, {{"fast", "12"}}));  // --param fast=12
//   TL_ASSIGN_OR_RETURN(SignalPlan plan, compile(spec, legs, &cache));  // spec_compiler.h
//
// A Spec returned by parse_spec / load_spec / with_overrides is valid. A Spec built or edited by
// hand (generators) must pass validate_spec() before it is compiled or hashed; the functions that
// need a valid spec return an error naming the first problem otherwise.
//
// Thread safety: every function here is pure (no shared state) and may run on any thread.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tradeloop/core/result.h"
#include "tradeloop/strategy/expression.h"

namespace tradeloop::strategy {

enum class SpecParamKind : std::uint8_t { kInt = 0, kFloat = 1, kCategorical = 2 };

std::string_view spec_param_kind_name(SpecParamKind kind);  // "int", "float", "categorical"

// One choice of a categorical parameter: a number or a text.
struct ParamChoice {
  bool is_text = false;
  double number = 0;
  std::string text;

  bool operator==(const ParamChoice&) const = default;
};

// A tunable parameter. Its value is `default_value`: with_overrides() changes it.
struct SpecParam {
  std::string name;
  SpecParamKind kind = SpecParamKind::kInt;
  std::string description;
  // int / float: the value; categorical: the index of the chosen entry of `choices`.
  double default_value = 0;
  // int / float: inclusive range, and the optimizer's lattice step from min (0 = continuous float;
  // ints default to 1).
  double min = 0;
  double max = 0;
  double step = 0;
  std::vector<ParamChoice> choices;  // categorical only, at least one

  // The value as written in JSON / on the command line: "10", "0.5", "ema".
  std::string value_text() const;
};

// A named expression ("series" section; "indicators" entries are read into this form too). Rules
// and other series refer to it by name; a multi-output indicator's outputs are `name.output`.
struct NamedSeries {
  std::string name;
  Expr expr;
  std::string description;
};

enum class StopUnit : std::uint8_t { kNone = 0, kPercent = 1, kAtr = 2 };

// A stop-loss / take-profit / trailing-stop distance: a percent of the entry price (2 = 2%) or a
// multiple of ATR(atr_period) at entry. `amount` is a constant expression (number or parameter).
struct StopSpec {
  StopUnit unit = StopUnit::kNone;
  Expr amount;
};

struct ExitSpec {
  StopSpec stop_loss, take_profit, trailing_stop;
  std::optional<Expr> atr_period;     // ATR period for *_atr stops (default 14)
  std::optional<Expr> cooldown_bars;  // bars to wait after an exit before a new entry (default 0)
};

// Position sizing in the CLI's --sizing syntax: method all_in (no value), percent, units, cash or
// risk; `value` a constant expression. Empty method = the run's default.
struct SizingSpec {
  std::string method;
  std::optional<Expr> value;
};

// Entries are allowed only on bars whose open time (shifted by utc_offset_minutes) falls in one of
// the sessions and on one of the weekdays. A session [start, end) in minutes of the day; end < start
// wraps past midnight.
struct TimeFilter {
  std::vector<std::pair<int, int>> sessions;  // empty = all day
  std::uint8_t weekdays = 0x7f;               // bit 0 = Monday .. bit 6 = Sunday
  int utc_offset_minutes = 0;

  bool active() const { return !sessions.empty() || weekdays != 0x7f; }
};

struct Spec {
  std::string name;         // library name ("sma_cross"); for messages and listings
  std::string description;  // one paragraph
  std::string type;         // momentum, mean_reversion, breakout, trend, arbitrage, volatility, ...
  std::string origin;       // where it was read from (file path), for messages; not part of the spec

  // Named data legs. Empty = one instrument (price fields refer to it). Two legs = a pairs spec:
  // `y.close`, `x.close` name each leg's fields; unqualified fields mean the first leg.
  std::vector<std::string> legs;
  std::vector<SpecParam> parameters;  // in declaration order (the order of parameter values)
  std::vector<NamedSeries> series;    // named expressions, in declaration order
  std::vector<Expr> constraints;      // constant boolean expressions over parameters ("fast < slow")

  // Boolean expressions evaluated at each bar's close. Absent = never.
  std::optional<Expr> long_entry, long_exit, short_entry, short_exit;
  // Pairs only (required there): units of the second leg per unit of the first, per bar.
  std::optional<Expr> hedge_ratio;

  ExitSpec exits;
  SizingSpec sizing;
  TimeFilter filters;
};

// A located problem in a spec: `path` is the JSON path ("rules.long_entry", "parameters.fast.min"),
// `col` the 1-based column in the expression string (0 when not in a string). Messages print
// col - 1: the offset of the token, i.e. the characters before it, as the issue's example numbers it.
struct SpecIssue {
  std::string path;
  int col = 0;
  std::string message;

  // "rules.long_entry: col 14: unknown indicator 'smaa' (did you mean 'sma'?)"
  std::string to_string() const;
};

// Reads a spec from JSON text and validates it. On failure the error (invalid_argument) lists every
// issue found, one per line, each prefixed with `origin` ("my.json: rules.long_entry: col 14: ...").
// JSON syntax errors name the line and column ("my.json:3:14: JSON syntax error: ...").
Result<Spec> parse_spec(std::string_view json_text, std::string_view origin = "<spec>");

// Every problem of a spec given as JSON text (empty = valid). For `tradeloop strategy validate`.
std::vector<SpecIssue> check_spec_text(std::string_view json_text);

// Every problem of an in-memory spec (empty = valid): unknown names (with suggestions), type errors
// (number vs boolean), look-ahead (negative bars ago), cycles between named series, values outside
// their ranges, indicator parameters outside the indicator's range, violated constraints.
std::vector<SpecIssue> validate_spec(const Spec& spec);
// The same as a Status whose message lists the issues, prefixed with spec.origin.
Status check_spec(const Spec& spec);

// Library search path, in order: $TL_STRATEGY_DIR (':'-separated), the source tree's strategies/
// (compiled in), ./strategies. Only existing directories are returned.
std::vector<std::string> strategy_search_path();

// A library name ("sma_cross", found as <dir>/sma_cross.json on the search path) or a path to a
// JSON file (anything containing '/' or ending in ".json"). not_found names every place looked at;
// io when the file cannot be read; invalid_argument with located issues when the spec is invalid.
Result<Spec> load_spec(std::string_view name_or_path);

// The library: every <dir>/*.json on the search path (a name found in an earlier directory hides
// later ones), sorted by name. Specs that fail to parse are returned as errors in `problems`.
struct LibraryListing {
  std::vector<Spec> specs;
  std::vector<std::string> problems;
};
LibraryListing list_library();

// Sets parameter values from text ("fast" -> "12"), as given by --param k=v. Errors name the
// parameter, value and range: "parameter 'fast' = 500 is above its maximum 200 (range 2..200)"
// (out_of_range); an unknown name suggests the closest (not_found); a value that does not parse or
// a float for an int parameter (invalid_argument); a violated constraint names the constraint and
// the values (failed_precondition, so an optimizer can record the trial as rejected).
Result<Spec> with_overrides(const Spec& spec, const std::map<std::string, std::string>& params);

// Sets one parameter's value (a number; the choice index for categorical), checked as above.
Status set_parameter(Spec& spec, std::string_view name, double value);

// The canonical JSON text of a valid spec: keys sorted, expressions printed in their canonical
// string form (indicator parameters named and spelled out with defaults, minimal parentheses,
// shortest round-trip numbers), every parameter with all its fields. The same strategy written two
// ways (string vs JSON tree, whitespace, key order, redundant parentheses, default parameters spelled
// out or not, "indicators" entries vs "series") gives the same text. `indent` < 0: compact one line.
// parse_spec(canonical_json(s)) gives back s (origin aside).
Result<std::string> canonical_json(const Spec& spec, int indent = -1);

// The text the hash is computed from: the spec's behaviour only. Names, descriptions, type and
// parameter ranges are left out; parameters are replaced by their values, named series are inlined,
// constant sub-expressions folded, `a < b` written `b > a`, and the operands of and / or / + / * /
// min / max / == / != put in a fixed order.
Result<std::string> behaviour_text(const Spec& spec);

// SHA-256 (FIPS 180-4) of behaviour_text, 64 lower-case hex digits: two specs with the same hash
// trade identically on any data. For dedupe in optimizers and the discovery loop.
Result<std::string> spec_hash(const Spec& spec);

// A plain-language summary: what it trades, its parameters, when it enters and exits, stops, sizing
// and filters.
Result<std::string> explain(const Spec& spec);

// SHA-256 of arbitrary bytes, hex (exposed for tests and for callers hashing related records).
std::string sha256_hex(std::string_view bytes);

}  // namespace tradeloop::strategy
