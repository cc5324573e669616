// Recursive-descent parser for spec expressions, one function per precedence level (grammar in
// docs/strategy-spec.md), and the structural printer.
#include <cctype>
#include <cmath>
#include <string>
#include <string_view>
#include <utility>

#include <fast_float/fast_float.h>
#include <fmt/format.h>

#include "tradeloop/strategy/expression.h"

namespace tradeloop::strategy {

Expr Expr::number_literal(double value) {
  Expr e;
  e.kind = ExprKind::kNumber;
  e.number = value;
  return e;
}

Expr Expr::bool_literal(bool value) {
  Expr e;
  e.kind = ExprKind::kBool;
  e.number = value ? 1 : 0;
  return e;
}

Expr Expr::text_literal(std::string text) {
  Expr e;
  e.kind = ExprKind::kText;
  e.text = std::move(text);
  return e;
}

Expr Expr::name_ref(std::string name, std::string member) {
  Expr e;
  e.kind = ExprKind::kName;
  e.text = std::move(name);
  e.member = std::move(member);
  return e;
}

Expr Expr::call(std::string name, std::vector<Expr> args, std::string member) {
  Expr e;
  e.kind = ExprKind::kCall;
  e.text = std::move(name);
  e.arg_names.assign(args.size(), std::string());
  e.args = std::move(args);
  e.member = std::move(member);
  return e;
}

Expr Expr::unary(std::string op, Expr operand) {
  Expr e;
  e.kind = ExprKind::kUnary;
  e.op = std::move(op);
  e.args.push_back(std::move(operand));
  return e;
}

Expr Expr::binary(std::string op, Expr lhs, Expr rhs) {
  Expr e;
  e.kind = ExprKind::kBinary;
  e.op = std::move(op);
  e.args.push_back(std::move(lhs));
  e.args.push_back(std::move(rhs));
  return e;
}

Expr Expr::bars_ago(Expr series, int bars) {
  Expr e;
  e.kind = ExprKind::kIndex;
  e.args.push_back(std::move(series));
  e.args.push_back(number_literal(bars));
  return e;
}

namespace {

enum class Tok : std::uint8_t { kEnd, kNumber, kIdent, kText, kSymbol };

struct Token {
  Tok kind = Tok::kEnd;
  std::string_view text;
  double number = 0;
  int col = 0;
};

bool is_ident_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '_';
}
bool is_ident_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
}

class Parser {
 public:
  explicit Parser(std::string_view src) : src_(src) {}

  Result<Expr> parse() {
    TL_TRY(advance());
    if (tok_.kind == Tok::kEnd) return error(tok_.col, "expected an expression, found nothing");
    TL_ASSIGN_OR_RETURN(Expr e, parse_or());
    if (tok_.kind != Tok::kEnd) {
      return error(tok_.col, fmt::format("unexpected '{}' after the end of the expression", tok_.text));
    }
    return e;
  }

 private:
  Error error(int col, std::string_view message) const {
    // Printed as the token's offset (characters before it), the numbering; `col` is 1-based.
    return Error::invalid_argument(fmt::format("col {}: {}", col - 1, message));
  }

  // Reads the next token into tok_.
  Status advance() {
    while (pos_ < src_.size() && std::isspace(static_cast<unsigned char>(src_[pos_])) != 0) ++pos_;
    tok_ = Token{};
    tok_.col = static_cast<int>(pos_) + 1;
    if (pos_ >= src_.size()) return ok_status();
    const char c = src_[pos_];
    const std::size_t start = pos_;
    if (std::isdigit(static_cast<unsigned char>(c)) != 0 ||
        (c == '.' && pos_ + 1 < src_.size() &&
         std::isdigit(static_cast<unsigned char>(src_[pos_ + 1])) != 0)) {
      double value = 0;
      const char* first = src_.data() + pos_;
      const char* last = src_.data() + src_.size();
      auto r = fast_float::from_chars(first, last, value);
      if (r.ec != std::errc() || !std::isfinite(value)) {
        return error(tok_.col, "malformed number");
      }
      pos_ += static_cast<std::size_t>(r.ptr - first);
      if (pos_ < src_.size() && is_ident_char(src_[pos_])) {
        return error(tok_.col, fmt::format("malformed number '{}'", src_.substr(start, pos_ + 1 - start)));
      }
      tok_.kind = Tok::kNumber;
      tok_.number = value;
      tok_.text = src_.substr(start, pos_ - start);
      return ok_status();
    }
    if (is_ident_start(c)) {
      while (pos_ < src_.size() && is_ident_char(src_[pos_])) ++pos_;
      tok_.kind = Tok::kIdent;
      tok_.text = src_.substr(start, pos_ - start);
      return ok_status();
    }
    if (c == '\'' || c == '"') {
      const std::size_t close = src_.find(c, pos_ + 1);
      if (close == std::string_view::npos) return error(tok_.col, "unterminated text literal");
      tok_.kind = Tok::kText;
      tok_.text = src_.substr(pos_ + 1, close - pos_ - 1);
      pos_ = close + 1;
      return ok_status();
    }
    static constexpr std::string_view kTwo[] = {">=", "<=", "==", "!=", "&&", "||"};
    for (std::string_view two : kTwo) {
      if (src_.substr(pos_, 2) == two) {
        tok_.kind = Tok::kSymbol;
        tok_.text = src_.substr(pos_, 2);
        pos_ += 2;
        return ok_status();
      }
    }
    static constexpr std::string_view kOne = "+-*/<>()[],.=!";
    if (kOne.find(c) != std::string_view::npos) {
      tok_.kind = Tok::kSymbol;
      tok_.text = src_.substr(pos_, 1);
      ++pos_;
      return ok_status();
    }
    return error(tok_.col, fmt::format("unexpected character '{}'", c));
  }

  bool at_symbol(std::string_view s) const { return tok_.kind == Tok::kSymbol && tok_.text == s; }
  bool at_word(std::string_view s) const { return tok_.kind == Tok::kIdent && tok_.text == s; }

  std::string describe_token() const {
    switch (tok_.kind) {
      case Tok::kEnd:
        return "the end of the expression";
      case Tok::kText:
        return fmt::format("'{}'", tok_.text);
      default:
        return fmt::format("'{}'", tok_.text);
    }
  }

  static Expr located(Expr e, int col) {
    e.col = col;
    return e;
  }

  Result<Expr> parse_or() {
    TL_ASSIGN_OR_RETURN(Expr lhs, parse_and());
    while (at_word("or") || at_symbol("||")) {
      const int col = tok_.col;
      TL_TRY(advance());
      TL_ASSIGN_OR_RETURN(Expr rhs, parse_and());
      lhs = located(Expr::binary("or", std::move(lhs), std::move(rhs)), col);
    }
    return lhs;
  }

  Result<Expr> parse_and() {
    TL_ASSIGN_OR_RETURN(Expr lhs, parse_not());
    while (at_word("and") || at_symbol("&&")) {
      const int col = tok_.col;
      TL_TRY(advance());
      TL_ASSIGN_OR_RETURN(Expr rhs, parse_not());
      lhs = located(Expr::binary("and", std::move(lhs), std::move(rhs)), col);
    }
    return lhs;
  }

  Result<Expr> parse_not() {
    if (at_word("not") || at_symbol("!")) {
      const int col = tok_.col;
      TL_TRY(advance());
      TL_ASSIGN_OR_RETURN(Expr operand, parse_not());
      return located(Expr::unary("not", std::move(operand)), col);
    }
    return parse_comparison();
  }

  static bool is_comparison(std::string_view s) {
    return s == ">" || s == ">=" || s == "<" || s == "<=" || s == "==" || s == "!=";
  }

  Result<Expr> parse_comparison() {
    TL_ASSIGN_OR_RETURN(Expr lhs, parse_additive());
    if (tok_.kind == Tok::kSymbol && is_comparison(tok_.text)) {
      const int col = tok_.col;
      const std::string op(tok_.text);
      TL_TRY(advance());
      TL_ASSIGN_OR_RETURN(Expr rhs, parse_additive());
      if (tok_.kind == Tok::kSymbol && is_comparison(tok_.text)) {
        return error(tok_.col,
                     fmt::format("comparisons do not chain: write 'a {} b and b {} c'", op, tok_.text));
      }
      return located(Expr::binary(op, std::move(lhs), std::move(rhs)), col);
    }
    if (at_symbol("=")) return error(tok_.col, "'=' is not a comparison: write '=='");
    return lhs;
  }

  Result<Expr> parse_additive() {
    TL_ASSIGN_OR_RETURN(Expr lhs, parse_term());
    while (at_symbol("+") || at_symbol("-")) {
      const int col = tok_.col;
      const std::string op(tok_.text);
      TL_TRY(advance());
      TL_ASSIGN_OR_RETURN(Expr rhs, parse_term());
      lhs = located(Expr::binary(op, std::move(lhs), std::move(rhs)), col);
    }
    return lhs;
  }

  Result<Expr> parse_term() {
    TL_ASSIGN_OR_RETURN(Expr lhs, parse_unary());
    while (at_symbol("*") || at_symbol("/")) {
      const int col = tok_.col;
      const std::string op(tok_.text);
      TL_TRY(advance());
      TL_ASSIGN_OR_RETURN(Expr rhs, parse_unary());
      lhs = located(Expr::binary(op, std::move(lhs), std::move(rhs)), col);
    }
    return lhs;
  }

  Result<Expr> parse_unary() {
    if (at_symbol("-")) {
      const int col = tok_.col;
      TL_TRY(advance());
      TL_ASSIGN_OR_RETURN(Expr operand, parse_unary());
      if (operand.kind == ExprKind::kNumber) {  // a negative literal is a number, so `x[-1]` reads as -1
        operand.number = -operand.number;
        operand.col = col;
        return operand;
      }
      return located(Expr::unary("-", std::move(operand)), col);
    }
    if (at_symbol("+")) {  // unary plus is a no-op
      TL_TRY(advance());
      return parse_unary();
    }
    return parse_postfix();
  }

  Result<Expr> parse_postfix() {
    TL_ASSIGN_OR_RETURN(Expr e, parse_primary());
    while (at_symbol("[")) {
      const int col = tok_.col;
      TL_TRY(advance());
      if (at_symbol("]")) return error(tok_.col, "expected a number of bars ago inside '[]'");
      TL_ASSIGN_OR_RETURN(Expr bars, parse_or());
      if (!at_symbol("]")) return error(tok_.col, fmt::format("expected ']', found {}", describe_token()));
      TL_TRY(advance());
      Expr index;
      index.kind = ExprKind::kIndex;
      index.col = col;
      index.args.push_back(std::move(e));
      index.args.push_back(std::move(bars));
      e = std::move(index);
    }
    if (at_symbol("."))
      return error(tok_.col, "'.output' must follow a name or a call directly, before any '[n]'");
    return e;
  }

  // `.member` after a name or a call.
  Status parse_member(Expr& e) {
    if (!at_symbol(".")) return ok_status();
    TL_TRY(advance());
    if (tok_.kind != Tok::kIdent) {
      return error(tok_.col, fmt::format("expected a name after '.', found {}", describe_token()));
    }
    e.member = std::string(tok_.text);
    return advance();
  }

  Result<Expr> parse_primary() {
    const int col = tok_.col;
    switch (tok_.kind) {
      case Tok::kNumber: {
        Expr e = located(Expr::number_literal(tok_.number), col);
        TL_TRY(advance());
        return e;
      }
      case Tok::kText: {
        Expr e = located(Expr::text_literal(std::string(tok_.text)), col);
        TL_TRY(advance());
        return e;
      }
      case Tok::kIdent: {
        const std::string name(tok_.text);
        if (name == "and" || name == "or" || name == "not") {
          return error(col, fmt::format("expected an operand, found '{}'", name));
        }
        TL_TRY(advance());
        if (name == "true" || name == "false") return located(Expr::bool_literal(name == "true"), col);
        if (!at_symbol("(")) {
          Expr e = located(Expr::name_ref(name), col);
          TL_TRY(parse_member(e));
          return e;
        }
        TL_TRY(advance());
        Expr e = located(Expr::call(name, {}), col);
        if (!at_symbol(")")) {
          while (true) {
            std::string arg_name;
            // `name = value` (a single '=' after an identifier) names an argument.
            if (tok_.kind == Tok::kIdent) {
              const std::size_t save_pos = pos_;
              const Token save_tok = tok_;
              TL_TRY(advance());
              if (at_symbol("=")) {
                arg_name = std::string(save_tok.text);
                TL_TRY(advance());
              } else {
                pos_ = save_pos;
                tok_ = save_tok;
              }
            }
            if (at_symbol(")") || at_symbol(",")) {
              return error(tok_.col,
                           fmt::format("expected an argument of '{}', found {}", name, describe_token()));
            }
            TL_ASSIGN_OR_RETURN(Expr arg, parse_or());
            e.args.push_back(std::move(arg));
            e.arg_names.push_back(std::move(arg_name));
            if (at_symbol(",")) {
              TL_TRY(advance());
              continue;
            }
            break;
          }
        }
        if (!at_symbol(")")) {
          return error(tok_.col, fmt::format("expected ',' or ')' after an argument of '{}', found {}", name,
                                             describe_token()));
        }
        TL_TRY(advance());
        TL_TRY(parse_member(e));
        return e;
      }
      case Tok::kSymbol:
        if (tok_.text == "(") {
          TL_TRY(advance());
          TL_ASSIGN_OR_RETURN(Expr inner, parse_or());
          if (!at_symbol(")"))
            return error(tok_.col, fmt::format("expected ')', found {}", describe_token()));
          TL_TRY(advance());
          return inner;
        }
        return error(col, fmt::format("expected an operand, found {}", describe_token()));
      case Tok::kEnd:
        return error(col, "expected an operand, found the end of the expression");
    }
    return error(col, "expected an operand");
  }

  std::string_view src_;
  std::size_t pos_ = 0;
  Token tok_;
};

// Binding strength for printing: higher binds tighter.
int precedence(const Expr& e) {
  switch (e.kind) {
    case ExprKind::kBinary:
      if (e.op == "or") return 1;
      if (e.op == "and") return 2;
      if (e.op == "+" || e.op == "-") return 5;
      if (e.op == "*" || e.op == "/") return 6;
      return 4;  // comparisons
    case ExprKind::kUnary:
      return e.op == "not" ? 3 : 7;
    case ExprKind::kNumber:
      return e.number < 0 ? 7 : 9;
    default:
      return 9;
  }
}

std::string quote_text(const std::string& text) {
  return text.find('\'') == std::string::npos ? "'" + text + "'" : "\"" + text + "\"";
}

void print(const Expr& e, std::string& out);

void print_child(const Expr& child, int min_precedence, std::string& out) {
  if (precedence(child) < min_precedence) {
    out += '(';
    print(child, out);
    out += ')';
  } else {
    print(child, out);
  }
}

void print(const Expr& e, std::string& out) {
  switch (e.kind) {
    case ExprKind::kNumber:
      out += fmt::format("{}", e.number);
      return;
    case ExprKind::kBool:
      out += e.number != 0 ? "true" : "false";
      return;
    case ExprKind::kText:
      out += quote_text(e.text);
      return;
    case ExprKind::kName:
      out += e.text;
      if (!e.member.empty()) out += "." + e.member;
      return;
    case ExprKind::kCall:
      out += e.text;
      out += '(';
      for (std::size_t i = 0; i < e.args.size(); ++i) {
        if (i > 0) out += ", ";
        if (i < e.arg_names.size() && !e.arg_names[i].empty()) out += e.arg_names[i] + "=";
        print(e.args[i], out);
      }
      out += ')';
      if (!e.member.empty()) out += "." + e.member;
      return;
    case ExprKind::kUnary: {
      const int p = precedence(e);
      out += e.op == "not" ? "not " : "-";
      if (e.args.empty()) return;
      print_child(e.args[0], p, out);
      return;
    }
    case ExprKind::kBinary: {
      if (e.args.size() != 2) return;
      const int p = precedence(e);
      // Left-associative: the right operand needs parentheses at equal strength; comparisons never
      // chain, so both of their operands need them at equal strength.
      print_child(e.args[0], p == 4 ? p + 1 : p, out);
      out += " " + e.op + " ";
      print_child(e.args[1], p + 1, out);
      return;
    }
    case ExprKind::kIndex:
      if (e.args.size() != 2) return;
      print_child(e.args[0], 9, out);
      out += '[';
      print(e.args[1], out);
      out += ']';
      return;
  }
}

}  // namespace

Result<Expr> parse_expression(std::string_view text) {
  return Parser(text).parse();
}

std::string format_expression(const Expr& expr) {
  std::string out;
  print(expr, out);
  return out;
}

}  // namespace tradeloop::strategy
