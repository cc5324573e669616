// Expr: the syntax tree of one strategy-spec expression, as written (before names are resolved).
//
// Expressions are written either as strings parsed by parse_expression() (the grammar is in
// docs/strategy-spec.md) or as JSON trees (see spec.h); both give the same Expr. The tree is plain
// value-semantic data so generators (the discovery loop's mutations and crossovers) can build, copy
// and edit it freely; validate_spec() / SpecProgram::create() resolve names and check types.
//
//   crosses_above(sma(close, fast), sma(close, slow))
//   macd(close, 12, 26, 9).macdsignal > 0 and rsi(close, timeperiod=14)[1] < 30
//   y.close - beta * x.close                      (leg-qualified price fields of a pairs spec)
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tradeloop/core/result.h"

namespace tradeloop::strategy {

enum class ExprKind : std::uint8_t {
  kNumber = 0,  // `number`
  kBool = 1,    // `true` / `false` (number is 1 / 0)
  kText = 2,    // 'text' literal in `text`, compared with text-valued categorical parameters
  kName = 3,    // identifier `name`, optionally dotted: `member` ("y.close", "bb.upperband")
  kCall = 4,    // `name(args...)`, optionally selecting an output: `member` ("macd(...).macdsignal")
  kUnary = 5,   // `op` "-" or "not"; args[0]
  kBinary = 6,  // `op` one of + - * / > >= < <= == != and or; args[0], args[1]
  kIndex = 7,   // args[0][args[1]]: the value args[1] bars ago (args[1] a constant integer >= 0)
};

struct Expr {
  ExprKind kind = ExprKind::kNumber;
  double number = 0;                   // kNumber, kBool
  std::string text;                    // kText: the literal; kName / kCall: the identifier
  std::string op;                      // kUnary / kBinary
  std::string member;                  // kName / kCall: the part after '.', empty when none
  std::vector<Expr> args;              // operands / call arguments / [series, bars ago]
  std::vector<std::string> arg_names;  // kCall: one per arg, "" for positional, else `name=`

  // Where the node was written, for error messages. `path` is the JSON path of the string or tree
  // node it came from relative to the expression's own path (empty for the root); `col` is the
  // 1-based column inside that string (0 for a node written as a JSON tree). Messages print col - 1,
  // the number of characters before the token (the numbering: "col 14" for 'smaa' in
  // "crosses_above(smaa(close, fast), ...)").
  std::string path;
  int col = 0;

  static Expr number_literal(double value);
  static Expr bool_literal(bool value);
  static Expr text_literal(std::string text);
  static Expr name_ref(std::string name, std::string member = {});
  static Expr call(std::string name, std::vector<Expr> args, std::string member = {});
  static Expr unary(std::string op, Expr operand);
  static Expr binary(std::string op, Expr lhs, Expr rhs);
  static Expr bars_ago(Expr series, int bars);
};

// Parses an expression string. Errors read "col 14: expected ')' after the arguments of 'sma'" (the
// caller prefixes the JSON path; the printed column is the offset of the token, 0 for the first). Operators: `and`/`&&`, `or`/`||`, `not`/`!`. Comparisons do not chain.
Result<Expr> parse_expression(std::string_view text);

// Writes an Expr back as an expression string exactly as structured (no name resolution, minimal
// parentheses): parse_expression(format_expression(e)) gives e again (locations aside). The
// canonical form of a validated spec (canonical_json) is a different, normalized printing.
std::string format_expression(const Expr& expr);

}  // namespace tradeloop::strategy
