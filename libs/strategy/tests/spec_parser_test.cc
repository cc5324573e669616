#include <gtest/gtest.h>

#include <string>

#include "tradeloop/strategy/expression.h"

namespace tradeloop::strategy {
namespace {

Expr parse_ok(const std::string& text) {
  auto r = parse_expression(text);
  EXPECT_TRUE(r.ok()) << text << ": " << (r.ok() ? "" : r.error().message());
  return r.ok() ? *r : Expr{};
}

std::string error_of(const std::string& text) {
  auto r = parse_expression(text);
  EXPECT_FALSE(r.ok()) << text << " parsed";
  return r.ok() ? std::string() : r.error().message();
}

TEST(ExpressionParser, MultiplicationBindsTighterThanAddition) {
  const Expr e = parse_ok("1 + 2 * 3");
  ASSERT_EQ(e.kind, ExprKind::kBinary);
  EXPECT_EQ(e.op, "+");
  EXPECT_EQ(e.args[1].op, "*");
  EXPECT_EQ(format_expression(parse_ok("(1 + 2) * 3")), "(1 + 2) * 3");
}

TEST(ExpressionParser, PrecedenceLadderFromOrToPostfix) {
  // or < and < not < comparison < + - < * / < unary minus < [n] and calls
  const Expr e = parse_ok("not a > b + c * -d[2] and x or y");
  ASSERT_EQ(e.op, "or");
  const Expr& conj = e.args[0];
  ASSERT_EQ(conj.op, "and");
  const Expr& neg = conj.args[0];
  ASSERT_EQ(neg.kind, ExprKind::kUnary);
  EXPECT_EQ(neg.op, "not");
  const Expr& cmp = neg.args[0];
  EXPECT_EQ(cmp.op, ">");
  const Expr& sum = cmp.args[1];
  EXPECT_EQ(sum.op, "+");
  const Expr& prod = sum.args[1];
  EXPECT_EQ(prod.op, "*");
  const Expr& minus = prod.args[1];
  ASSERT_EQ(minus.kind, ExprKind::kUnary);
  EXPECT_EQ(minus.op, "-");
  EXPECT_EQ(minus.args[0].kind, ExprKind::kIndex);
}

TEST(ExpressionParser, SubtractionAndDivisionAreLeftAssociative) {
  const Expr e = parse_ok("a - b - c");
  EXPECT_EQ(e.args[0].op, "-");
  EXPECT_EQ(format_expression(e), "a - b - c");
  EXPECT_EQ(format_expression(parse_ok("a - (b - c)")), "a - (b - c)");
  EXPECT_EQ(format_expression(parse_ok("a / (b * c)")), "a / (b * c)");
  EXPECT_EQ(format_expression(parse_ok("((a / b)) * c")), "a / b * c");
}

TEST(ExpressionParser, ReadsCallsNamedArgumentsOutputsAndLegs) {
  const Expr e = parse_ok("macd(close, 12, slowperiod = 26, signalperiod=9).macdsignal > y.close");
  const Expr& call = e.args[0];
  ASSERT_EQ(call.kind, ExprKind::kCall);
  EXPECT_EQ(call.text, "macd");
  EXPECT_EQ(call.member, "macdsignal");
  ASSERT_EQ(call.args.size(), 4u);
  EXPECT_EQ(call.arg_names[0], "");
  EXPECT_EQ(call.arg_names[2], "slowperiod");
  EXPECT_EQ(call.arg_names[3], "signalperiod");
  EXPECT_EQ(e.args[1].kind, ExprKind::kName);
  EXPECT_EQ(e.args[1].text, "y");
  EXPECT_EQ(e.args[1].member, "close");
  EXPECT_EQ(format_expression(e), "macd(close, 12, slowperiod=26, signalperiod=9).macdsignal > y.close");
}

TEST(ExpressionParser, SymbolAliasesReadAsWords) {
  EXPECT_EQ(format_expression(parse_ok("a > 1 && !(b < 2) || c == 3")), "a > 1 and not b < 2 or c == 3");
}

TEST(ExpressionParser, NegativeLiteralIsANumber) {
  const Expr e = parse_ok("x[-1]");
  ASSERT_EQ(e.kind, ExprKind::kIndex);
  EXPECT_EQ(e.args[1].kind, ExprKind::kNumber);
  EXPECT_EQ(e.args[1].number, -1);
  EXPECT_EQ(e.args[1].col, 3);
  EXPECT_EQ(format_expression(parse_ok("a - -5")), "a - -5");
  EXPECT_EQ(format_expression(parse_ok("-(a + b)")), "-(a + b)");
}

TEST(ExpressionParser, NumbersTextsAndBooleans) {
  EXPECT_EQ(parse_ok("1e-3").number, 0.001);
  EXPECT_EQ(parse_ok(".5").number, 0.5);
  EXPECT_EQ(parse_ok("true").kind, ExprKind::kBool);
  EXPECT_EQ(parse_ok("'ema'").text, "ema");
  EXPECT_EQ(parse_ok("\"it's\"").text, "it's");
  EXPECT_EQ(format_expression(parse_ok("mode == \"it's\"")), "mode == \"it's\"");
}

TEST(ExpressionParser, ErrorsNameTheColumn) {
  EXPECT_EQ(error_of("sma(close, 10"),
            "col 13: expected ',' or ')' after an argument of 'sma', found the end of the expression");
  EXPECT_EQ(error_of("a < b < c"), "col 6: comparisons do not chain: write 'a < b and b < c'");
  EXPECT_EQ(error_of("a = b"), "col 2: '=' is not a comparison: write '=='");
  EXPECT_EQ(error_of("close $ 2"), "col 6: unexpected character '$'");
  EXPECT_EQ(error_of("(a + b"), "col 6: expected ')', found the end of the expression");
  EXPECT_EQ(error_of(""), "col 0: expected an expression, found nothing");
  EXPECT_EQ(error_of("a and"), "col 5: expected an operand, found the end of the expression");
  EXPECT_EQ(error_of("x[]"), "col 2: expected a number of bars ago inside '[]'");
  EXPECT_EQ(error_of("12abc"), "col 0: malformed number '12a'");
  EXPECT_EQ(error_of("sma(close,)"), "col 10: expected an argument of 'sma', found ')'");
  EXPECT_EQ(error_of("x[1].y"), "col 4: '.output' must follow a name or a call directly, before any '[n]'");
}

TEST(ExpressionParser, ColumnsOfNodesPointAtTheirToken) {
  const Expr e = parse_ok("crosses_above(smaa(close, fast), x)");
  EXPECT_EQ(e.col, 1);
  EXPECT_EQ(e.args[0].col, 15);
  EXPECT_EQ(e.args[0].args[1].col, 27);
}

TEST(ExpressionParser, FormatThenParseIsIdentity) {
  const char* cases[] = {
      "crosses_above(sma(close, fast), sma(close, slow))",
      "(a or b) and not (c and d)",
      "highest(high, 20)[1] < close and rsi(close, timeperiod=14) < 30",
      "-x[2] * (y - z) / 2",
      "a == (b > c)",
      "(a > b) == (c > d)",
      "min(a, b, c) - abs(d)",
  };
  for (const char* text : cases) {
    const std::string once = format_expression(parse_ok(text));
    EXPECT_EQ(format_expression(parse_ok(once)), once) << text;
  }
  EXPECT_EQ(format_expression(parse_ok("(a > b) == (c > d)")), "(a > b) == (c > d)");
}

}  // namespace
}  // namespace tradeloop::strategy
