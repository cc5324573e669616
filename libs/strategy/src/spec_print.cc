// Printing of Program nodes: the canonical expression text (structure kept) and the behaviour text
// (values substituted, series inlined, commutative operands ordered) that hashes and cache keys use.
#include <algorithm>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "spec_internal.h"

namespace tradeloop::strategy::internal {

namespace {

// Precedence levels, higher binds tighter.
constexpr int kOr = 1, kAnd = 2, kNot = 3, kCompare = 4, kAdditive = 5, kMultiplicative = 6, kUnary = 7,
              kAtom = 9;

struct Printed {
  std::string text;
  int precedence = kAtom;
};

std::string_view op_symbol(Op op) {
  switch (op) {
    case Op::kAdd:
      return "+";
    case Op::kSub:
      return "-";
    case Op::kMul:
      return "*";
    case Op::kDiv:
      return "/";
    case Op::kGt:
      return ">";
    case Op::kGe:
      return ">=";
    case Op::kLt:
      return "<";
    case Op::kLe:
      return "<=";
    case Op::kEq:
      return "==";
    case Op::kNe:
      return "!=";
    case Op::kAnd:
      return "and";
    case Op::kOr:
      return "or";
    default:
      return "?";
  }
}

int op_precedence(Op op) {
  switch (op) {
    case Op::kOr:
      return kOr;
    case Op::kAnd:
      return kAnd;
    case Op::kAdd:
    case Op::kSub:
      return kAdditive;
    case Op::kMul:
    case Op::kDiv:
      return kMultiplicative;
    default:
      return kCompare;
  }
}

std::string_view builtin_name(Op op) {
  switch (op) {
    case Op::kCrossAbove:
      return "crosses_above";
    case Op::kCrossBelow:
      return "crosses_below";
    case Op::kRising:
      return "rising";
    case Op::kFalling:
      return "falling";
    case Op::kHighest:
      return "highest";
    case Op::kLowest:
      return "lowest";
    case Op::kAbs:
      return "abs";
    case Op::kMin:
      return "min";
    case Op::kMax:
      return "max";
    case Op::kOlsSlope:
      return "ols_slope";
    default:
      return "?";
  }
}

std::string quote(std::string_view text) {
  return text.find('\'') == std::string_view::npos ? fmt::format("'{}'", text) : fmt::format("\"{}\"", text);
}

std::string wrap(const Printed& p, int min_precedence) {
  return p.precedence < min_precedence ? "(" + p.text + ")" : p.text;
}

class Printer {
 public:
  Printer(const Program& p, PrintMode mode, std::span<const double> scalars)
      : p_(p), mode_(mode), scalars_(scalars) {}

  Printed print(int i) {
    const Node& n = p_.nodes[static_cast<std::size_t>(i)];
    if (mode_ == PrintMode::kBehaviour && !n.series) return constant(i);
    switch (n.op) {
      case Op::kConst:
        return constant(i);
      case Op::kParam:
        return {p_.spec.parameters[static_cast<std::size_t>(n.index)].name, kAtom};
      case Op::kField:
        return {field(n.leg, n.index), kAtom};
      case Op::kSeriesRef:
        if (mode_ == PrintMode::kBehaviour) return print(n.kids[0]);
        return {p_.spec.series[static_cast<std::size_t>(n.index)].name + (n.text.empty() ? "" : "." + n.text),
                kAtom};
      case Op::kIndicator:
        return {indicator(i, true), kAtom};
      case Op::kNeg: {
        Printed k = print(n.kids[0]);
        // "-" before a negative number would read as "--": parenthesize.
        std::string t = wrap(k, kUnary);
        if (!t.empty() && t[0] == '-') t = "(" + t + ")";
        return {"-" + t, kUnary};
      }
      case Op::kNot:
        return {"not " + wrap(print(n.kids[0]), kNot), kNot};
      case Op::kAnd:
      case Op::kOr:
        return logical(i);
      case Op::kAdd:
      case Op::kSub:
      case Op::kMul:
      case Op::kDiv:
      case Op::kGt:
      case Op::kGe:
      case Op::kLt:
      case Op::kLe:
      case Op::kEq:
      case Op::kNe:
        return binary(i);
      case Op::kAgo: {
        Printed x = print(n.kids[0]);
        Printed k = print(n.kids[1]);
        return {wrap(x, kAtom) + "[" + k.text + "]", kAtom};
      }
      default: {
        std::string out(builtin_name(n.op));
        out += '(';
        for (std::size_t k = 0; k < n.kids.size(); ++k) {
          if (k > 0) out += ", ";
          out += print(n.kids[k]).text;
        }
        out += ')';
        return {out, kAtom};
      }
    }
  }

  // indicator text; with_output false gives the cache key (all outputs).
  std::string indicator(int i, bool with_output) {
    const Node& n = p_.nodes[static_cast<std::size_t>(i)];
    const auto& info = *n.info;
    std::string out = info.name + "(";
    bool first = true;
    auto sep = [&] {
      if (!first) out += ", ";
      first = false;
    };
    if (write_inputs(n)) {
      for (int k = 0; k < n.num_inputs; ++k) {
        sep();
        out += print(n.kids[static_cast<std::size_t>(k)]).text;
      }
    }
    for (std::size_t p = 0; p < info.params.size(); ++p) {
      sep();
      out += info.params[p].name + "=" + print(n.kids[static_cast<std::size_t>(n.num_inputs) + p]).text;
    }
    out += ')';
    if (with_output && info.outputs.size() > 1) out += "." + info.outputs[static_cast<std::size_t>(n.index)];
    return out;
  }

 private:
  // Inputs are written unless they are all the first leg's own price fields bound by name
  // (atr(timeperiod=14)); a "real" input is always written (sma(close, timeperiod=10)).
  bool write_inputs(const Node& n) const {
    for (int k = 0; k < n.num_inputs; ++k) {
      const std::string& name = n.info->inputs[static_cast<std::size_t>(k)];
      const Node& in = p_.nodes[static_cast<std::size_t>(n.kids[static_cast<std::size_t>(k)])];
      if (name.rfind("real", 0) == 0) return true;
      if (in.op != Op::kField || in.leg != 0 || kFieldNames[static_cast<std::size_t>(in.index)] != name)
        return true;
    }
    return false;
  }

  std::string field(int leg, int index) const {
    const std::string_view name = kFieldNames[static_cast<std::size_t>(index)];
    if (p_.spec.legs.size() < 2) return std::string(name);
    if (mode_ == PrintMode::kBehaviour) return fmt::format("leg{}.{}", leg, name);
    return p_.spec.legs[static_cast<std::size_t>(leg)] + "." + std::string(name);
  }

  Printed constant(int i) {
    const Node& n = p_.nodes[static_cast<std::size_t>(i)];
    if (n.type == VType::kText) {
      return {quote(mode_ == PrintMode::kBehaviour ? text_value(p_, i, scalars_) : std::string_view(n.text)),
              kAtom};
    }
    const double v = mode_ == PrintMode::kBehaviour ? scalars_[static_cast<std::size_t>(i)] : n.value;
    if (n.type == VType::kBool) return {v != 0 ? "true" : "false", kAtom};
    return {format_number(v), v < 0 || std::signbit(v) ? kUnary : kAtom};
  }

  void flatten(int i, Op op, std::vector<int>& out) const {
    const Node& n = p_.nodes[static_cast<std::size_t>(i)];
    const bool same = n.op == op && (mode_ == PrintMode::kBehaviour ? n.series : true);
    if (same) {
      flatten(n.kids[0], op, out);
      flatten(n.kids[1], op, out);
    } else {
      out.push_back(i);
    }
  }

  Printed logical(int i) {
    const Node& n = p_.nodes[static_cast<std::size_t>(i)];
    const int prec = op_precedence(n.op);
    const std::string sep = n.op == Op::kAnd ? " and " : " or ";
    if (mode_ == PrintMode::kCanonical) {
      return {wrap(print(n.kids[0]), prec) + sep + wrap(print(n.kids[1]), prec + 1), prec};
    }
    // Behaviour: a and (b and c) == (a and b) and c == c and b and a.
    std::vector<int> operands;
    flatten(i, n.op, operands);
    std::vector<std::string> texts;
    for (int k : operands) texts.push_back(wrap(print(k), prec + 1));
    std::sort(texts.begin(), texts.end());
    std::string out;
    for (std::size_t k = 0; k < texts.size(); ++k) out += (k > 0 ? sep : "") + texts[k];
    return {out, prec};
  }

  Printed binary(int i) {
    const Node& n = p_.nodes[static_cast<std::size_t>(i)];
    Op op = n.op;
    int a = n.kids[0];
    int b = n.kids[1];
    const int prec = op_precedence(op);
    if (mode_ == PrintMode::kCanonical) {
      // Left-associative; comparisons do not chain, so both sides need parentheses at equal strength.
      return {wrap(print(a), prec == kCompare ? prec + 1 : prec) + " " + std::string(op_symbol(op)) + " " +
                  wrap(print(b), prec + 1),
              prec};
    }
    if (op == Op::kLt || op == Op::kLe) {  // a < b is b > a (NaN: both false)
      std::swap(a, b);
      op = op == Op::kLt ? Op::kGt : Op::kGe;
    }
    std::string ta = wrap(print(a), prec + 1);
    std::string tb = wrap(print(b), prec + 1);
    // IEEE + and * are commutative, as are == and !=.
    if ((op == Op::kAdd || op == Op::kMul || op == Op::kEq || op == Op::kNe) && tb < ta) std::swap(ta, tb);
    return {ta + " " + std::string(op_symbol(op)) + " " + tb, prec};
  }

  const Program& p_;
  PrintMode mode_;
  std::span<const double> scalars_;
};

}  // namespace

std::string print_node(const Program& program, int node, PrintMode mode, std::span<const double> scalars) {
  return Printer(program, mode, scalars).print(node).text;
}

std::string print_series_definition(const Program& program, int series) {
  const int root = program.series_root[static_cast<std::size_t>(series)];
  const Node& n = program.nodes[static_cast<std::size_t>(root)];
  const Expr& written = program.spec.series[static_cast<std::size_t>(series)].expr;
  // A multi-output indicator defined without an output keeps it that way, so `bb.upperband` stays valid.
  if (n.op == Op::kIndicator && written.kind == ExprKind::kCall && written.member.empty()) {
    return Printer(program, PrintMode::kCanonical, {}).indicator(root, false);
  }
  return print_node(program, root, PrintMode::kCanonical);
}

std::string indicator_key(const Program& program, int node, std::span<const double> scalars) {
  return Printer(program, PrintMode::kBehaviour, scalars).indicator(node, false);
}

}  // namespace tradeloop::strategy::internal
