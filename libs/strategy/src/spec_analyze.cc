// Name resolution, type checking and lowering of a Spec to its Program, and the value checks
// (evaluate_scalars) that depend on parameter values.
#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "spec_internal.h"
#include "tradeloop/core/closest_name.h"

namespace tradeloop::strategy::internal {

int field_index(std::string_view name) {
  for (std::size_t i = 0; i < std::size(kFieldNames); ++i) {
    if (kFieldNames[i] == name) return static_cast<int>(i);
  }
  return -1;
}

std::string format_number(double value) {
  return fmt::format("{}", value);
}

namespace {

struct Builtin {
  std::string_view name;
  Op op;
  int min_args;
  int max_args;
  std::string_view signature;
};

constexpr Builtin kBuiltins[] = {
    {"crosses_above", Op::kCrossAbove, 2, 2, "crosses_above(a, b)"},
    {"crosses_below", Op::kCrossBelow, 2, 2, "crosses_below(a, b)"},
    {"rising", Op::kRising, 2, 2, "rising(x, n)"},
    {"falling", Op::kFalling, 2, 2, "falling(x, n)"},
    {"highest", Op::kHighest, 2, 2, "highest(x, n)"},
    {"lowest", Op::kLowest, 2, 2, "lowest(x, n)"},
    {"abs", Op::kAbs, 1, 1, "abs(x)"},
    {"min", Op::kMin, 2, 16, "min(a, b, ...)"},
    {"max", Op::kMax, 2, 16, "max(a, b, ...)"},
    {"ols_slope", Op::kOlsSlope, 3, 3, "ols_slope(y, x, n)"},
};

const Builtin* find_builtin(std::string_view name) {
  for (const auto& b : kBuiltins) {
    if (b.name == name) return &b;
  }
  return nullptr;
}

const std::set<std::string_view>& reserved_words() {
  static const std::set<std::string_view> words = {"true", "false", "and",    "or",  "not",  "open", "high",
                                                   "low",  "close", "volume", "hl2", "hlc3", "ohlc4"};
  return words;
}

bool is_identifier(std::string_view s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) != 0 || s[0] == '_')) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; });
}

std::string type_phrase(const Node& n) {
  switch (n.type) {
    case VType::kNumber:
      return n.series ? "a number series" : "a number";
    case VType::kBool:
      return n.series ? "a condition" : "a constant condition";
    case VType::kText:
      return "a text";
  }
  return "a value";
}

std::string list_names(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) append_joined(out, ", ", n);
  return out.empty() ? "none" : out;
}

class Analyzer {
 public:
  Analyzer(Program& program, std::vector<SpecIssue>& issues)
      : p_(program), spec_(program.spec), issues_(issues) {}

  void run() {
    check_declarations();
    series_state_.assign(spec_.series.size(), 0);
    p_.series_root.assign(spec_.series.size(), -1);
    for (std::size_t i = 0; i < spec_.series.size(); ++i) resolve_series(static_cast<int>(i), nullptr, "");

    const std::optional<Expr>* rules[4] = {&spec_.long_entry, &spec_.long_exit, &spec_.short_entry,
                                           &spec_.short_exit};
    for (int r = 0; r < 4; ++r) {
      if (!rules[r]->has_value()) continue;
      const std::string root = "rules." + std::string(kRootNames[r]);
      const int n = build(**rules[r], root);
      if (n >= 0 && node(n).type != VType::kBool) {
        add(root, **rules[r],
            fmt::format("expected a condition (true/false), found {}", type_phrase(node(n))));
        continue;
      }
      p_.roots[r] = n;
    }
    if (!spec_.long_entry && !spec_.short_entry) {
      issues_.push_back({"rules", 0, "no entry rule: give rules.long_entry and/or rules.short_entry"});
    }
    if (spec_.legs.size() == 2) {
      if (!spec_.hedge_ratio) {
        issues_.push_back(
            {"hedge_ratio", 0,
             "a pairs spec (two legs) needs 'hedge_ratio': units of the second leg traded per unit of "
             "the first"});
      } else {
        const int n = build(*spec_.hedge_ratio, "hedge_ratio");
        if (n >= 0 && node(n).type != VType::kNumber) {
          add("hedge_ratio", *spec_.hedge_ratio,
              fmt::format("expected a number, found {}", type_phrase(node(n))));
        } else {
          p_.roots[kHedgeRatio] = n;
        }
      }
    } else if (spec_.hedge_ratio) {
      issues_.push_back({"hedge_ratio", 0, "'hedge_ratio' is only for pairs specs (two legs)"});
    }

    const StopSpec* stops[3] = {&spec_.exits.stop_loss, &spec_.exits.take_profit, &spec_.exits.trailing_stop};
    constexpr std::string_view kStopNames[3] = {"stop_loss", "take_profit", "trailing_stop"};
    bool uses_atr = false;
    for (int s = 0; s < 3; ++s) {
      if (stops[s]->unit == StopUnit::kNone) continue;
      uses_atr = uses_atr || stops[s]->unit == StopUnit::kAtr;
      const std::string path =
          fmt::format("exits.{}.{}", kStopNames[s], stops[s]->unit == StopUnit::kAtr ? "atr" : "percent");
      p_.stop_amount[s] = build_constant_number(stops[s]->amount, path);
    }
    if (spec_.exits.atr_period) {
      p_.atr_period = build_count(*spec_.exits.atr_period, "exits.atr_period", 1);
      if (!uses_atr) issues_.push_back({"exits.atr_period", 0, "'atr_period' is set but no stop uses 'atr'"});
    }
    if (uses_atr && indicators::find_indicator("atr") == nullptr) {
      issues_.push_back({"exits", 0, "ATR stops need the 'atr' indicator, which this build does not have"});
    }
    if (spec_.exits.cooldown_bars)
      p_.cooldown = build_count(*spec_.exits.cooldown_bars, "exits.cooldown_bars", 0);

    if (!spec_.sizing.method.empty()) {
      static const std::set<std::string_view> kMethods = {"all_in", "percent", "units", "cash", "risk"};
      if (kMethods.count(spec_.sizing.method) == 0) {
        issues_.push_back(
            {"sizing.method", 0,
             fmt::format("unknown sizing method '{}' (expected all_in, percent, units, cash or risk)",
                         spec_.sizing.method)});
      } else if (spec_.sizing.method == "all_in") {
        if (spec_.sizing.value) issues_.push_back({"sizing.value", 0, "sizing 'all_in' takes no value"});
      } else if (!spec_.sizing.value) {
        issues_.push_back({"sizing.value", 0, fmt::format("sizing '{}' needs a value", spec_.sizing.method)});
      } else {
        p_.sizing_value = build_constant_number(*spec_.sizing.value, "sizing.value");
      }
      if (spec_.sizing.method == "risk" && spec_.exits.stop_loss.unit == StopUnit::kNone) {
        issues_.push_back(
            {"sizing.method", 0, "sizing 'risk' needs a stop-loss (exits.stop_loss) to size against"});
      }
    }

    for (std::size_t c = 0; c < spec_.constraints.size(); ++c) {
      const std::string path = fmt::format("constraints[{}]", c);
      const int n = build(spec_.constraints[c], path);
      if (n < 0) continue;
      if (node(n).type != VType::kBool || node(n).series) {
        add(path, spec_.constraints[c],
            fmt::format("a constraint must be a condition on parameters only, found {}",
                        type_phrase(node(n))));
        continue;
      }
      p_.constraints.push_back(n);
    }

    const auto& f = spec_.filters;
    for (std::size_t s = 0; s < f.sessions.size(); ++s) {
      const auto [a, b] = f.sessions[s];
      if (a < 0 || a >= 1440 || b < 0 || b > 1440 || a == b) {
        issues_.push_back(
            {fmt::format("filters.sessions[{}]", s), 0, "a session is 'HH:MM-HH:MM' with start != end"});
      }
    }
    if (f.weekdays == 0)
      issues_.push_back({"filters.weekdays", 0, "no weekday allowed: no entry could ever happen"});
    if (f.utc_offset_minutes <= -24 * 60 || f.utc_offset_minutes >= 24 * 60) {
      issues_.push_back({"filters.utc_offset", 0, "utc_offset must be within (-24:00, +24:00)"});
    }
    mark_used();
  }

 private:
  Node& node(int i) { return p_.nodes[static_cast<std::size_t>(i)]; }

  void add(const std::string& root, const Expr& at, std::string message) {
    issues_.push_back({root + at.path, at.col, std::move(message)});
  }

  int push(Node n, const std::string& root, const Expr& at) {
    n.path = root + at.path;
    n.col = at.col;
    p_.nodes.push_back(std::move(n));
    return static_cast<int>(p_.nodes.size()) - 1;
  }

  void check_declarations() {
    std::set<std::string> names;
    auto claim = [&](const std::string& name, const std::string& path, std::string_view what) {
      if (!is_identifier(name)) {
        issues_.push_back(
            {path, 0, fmt::format("{} name '{}' is not an identifier (letters, digits, _)", what, name)});
        return;
      }
      if (reserved_words().count(name) > 0) {
        issues_.push_back(
            {path, 0, fmt::format("{} name '{}' is reserved (price field or keyword)", what, name)});
        return;
      }
      if (!names.insert(name).second) {
        issues_.push_back(
            {path, 0, fmt::format("{} name '{}' is already used by a leg, parameter or series", what, name)});
      }
    };
    if (spec_.legs.size() > 2) {
      issues_.push_back(
          {"legs", 0, fmt::format("at most 2 legs (a pair) are supported, found {}", spec_.legs.size())});
    }
    for (std::size_t i = 0; i < spec_.legs.size(); ++i)
      claim(spec_.legs[i], fmt::format("legs[{}]", i), "leg");
    for (const auto& prm : spec_.parameters) {
      const std::string path = "parameters." + prm.name;
      claim(prm.name, path, "parameter");
      check_param(prm, path);
    }
    for (const auto& s : spec_.series) claim(s.name, "series." + s.name, "series");
  }

  void check_param(const SpecParam& prm, const std::string& path) {
    auto bad = [&](std::string_view field, std::string message) {
      issues_.push_back({path + "." + std::string(field), 0, std::move(message)});
    };
    if (prm.kind == SpecParamKind::kCategorical) {
      if (prm.choices.empty()) {
        bad("choices", "a categorical parameter needs at least one choice");
        return;
      }
      for (std::size_t i = 0; i < prm.choices.size(); ++i) {
        for (std::size_t j = 0; j < i; ++j) {
          if (prm.choices[i] == prm.choices[j]) bad("choices", fmt::format("choice {} is listed twice", i));
        }
        if (i > 0 && prm.choices[i].is_text != prm.choices[0].is_text) {
          bad("choices", "choices must be all numbers or all texts");
        }
        if (!prm.choices[i].is_text && !std::isfinite(prm.choices[i].number)) {
          bad("choices", fmt::format("choice {} is not a finite number", i));
        }
      }
      const double d = prm.default_value;
      if (d != std::floor(d) || d < 0 || d >= static_cast<double>(prm.choices.size())) {
        bad("default", "the default must be one of the choices");
      }
      return;
    }
    if (!std::isfinite(prm.min) || !std::isfinite(prm.max) || !std::isfinite(prm.default_value) ||
        !std::isfinite(prm.step)) {
      bad("min", "min, max, default and step must be finite numbers");
      return;
    }
    if (prm.min > prm.max)
      bad("min", fmt::format("min {} is above max {}", format_number(prm.min), format_number(prm.max)));
    if (prm.step < 0) bad("step", fmt::format("step {} is negative", format_number(prm.step)));
    if (prm.kind == SpecParamKind::kInt) {
      for (auto [field, v] : {std::pair<std::string_view, double>{"min", prm.min},
                              {"max", prm.max},
                              {"default", prm.default_value},
                              {"step", prm.step}}) {
        if (v != std::floor(v))
          bad(field, fmt::format("{} = {} is not an integer (type int)", field, format_number(v)));
      }
    }
    if (prm.default_value < prm.min || prm.default_value > prm.max) {
      bad("default", fmt::format("default {} is outside the range {}..{}", format_number(prm.default_value),
                                 format_number(prm.min), format_number(prm.max)));
    }
  }

  std::vector<std::string> visible_names() const {
    std::vector<std::string> out;
    for (auto f : kFieldNames) out.emplace_back(f);
    for (const auto& prm : spec_.parameters) out.push_back(prm.name);
    for (const auto& s : spec_.series) out.push_back(s.name);
    for (const auto& l : spec_.legs) out.push_back(l);
    return out;
  }

  std::vector<std::string> callable_names() const {
    std::vector<std::string> out = builtin_function_names();
    for (const auto& info : indicators::list_indicators()) out.push_back(info.name);
    return out;
  }

  int param_index(std::string_view name) const {
    for (std::size_t i = 0; i < spec_.parameters.size(); ++i) {
      if (spec_.parameters[i].name == name) return static_cast<int>(i);
    }
    return -1;
  }
  int series_index(std::string_view name) const {
    for (std::size_t i = 0; i < spec_.series.size(); ++i) {
      if (spec_.series[i].name == name) return static_cast<int>(i);
    }
    return -1;
  }
  int leg_index(std::string_view name) const {
    for (std::size_t i = 0; i < spec_.legs.size(); ++i) {
      if (spec_.legs[i] == name) return static_cast<int>(i);
    }
    return -1;
  }

  // Analyzes named series `i` once (children first); reports cycles at the referencing place.
  int resolve_series(int i, const Expr* at, const std::string& at_root) {
    const auto ui = static_cast<std::size_t>(i);
    if (series_state_[ui] == 2) return p_.series_root[ui];
    if (series_state_[ui] == 1) {
      std::string chain;
      bool on = false;
      for (const auto& s : stack_) {
        if (s == spec_.series[ui].name) on = true;
        if (on) chain += s + " -> ";
      }
      chain += spec_.series[ui].name;
      if (at != nullptr) {
        add(at_root, *at, fmt::format("series '{}' depends on itself: {}", spec_.series[ui].name, chain));
      }
      return -1;
    }
    series_state_[ui] = 1;
    stack_.push_back(spec_.series[ui].name);
    const int root = build(spec_.series[ui].expr, "series." + spec_.series[ui].name);
    stack_.pop_back();
    series_state_[ui] = 2;
    p_.series_root[ui] = root;
    return root;
  }

  int build_constant_number(const Expr& e, const std::string& root) {
    const int n = build(e, root);
    if (n < 0) return -1;
    if (node(n).type != VType::kNumber || node(n).series) {
      add(root, e,
          fmt::format("expected a constant number (a number or a parameter), found {}",
                      type_phrase(node(n))));
      return -1;
    }
    return n;
  }

  // A constant whole number >= min (bars ago, window lengths, periods). Literals and direct
  // parameter references are checked here; other constant expressions when values are known.
  int build_count(const Expr& e, const std::string& root, int min) {
    const int n = build_constant_number(e, root);
    if (n < 0) return -1;
    check_count(n, e, root, min, "");
    return n;
  }

  void check_count(int n, const Expr& at, const std::string& root, int min, std::string_view what) {
    const Node& nd = node(n);
    const std::string label = what.empty() ? std::string("the value") : std::string(what);
    if (nd.op == Op::kConst) {
      if (nd.value != std::floor(nd.value)) {
        add(root, at, fmt::format("{} must be a whole number, found {}", label, format_number(nd.value)));
      } else if (nd.value < min) {
        add(root, at, fmt::format("{} must be at least {}, found {}", label, min, format_number(nd.value)));
      }
    } else if (nd.op == Op::kParam) {
      const SpecParam& prm = spec_.parameters[static_cast<std::size_t>(nd.index)];
      if (prm.kind == SpecParamKind::kFloat) {
        add(root, at,
            fmt::format("{} must be a whole number, but parameter '{}' is a float", label, prm.name));
      } else if (prm.kind == SpecParamKind::kInt && prm.min < min) {
        add(root, at,
            fmt::format("{} must be at least {}, but parameter '{}' can be {} (range {}..{})", label, min,
                        prm.name, format_number(prm.min), format_number(prm.min), format_number(prm.max)));
      }
    }
  }

  int build(const Expr& e, const std::string& root) {
    switch (e.kind) {
      case ExprKind::kNumber: {
        if (!std::isfinite(e.number)) {
          add(root, e, "a number must be finite");
          return -1;
        }
        Node n;
        n.op = Op::kConst;
        n.value = e.number;
        return push(std::move(n), root, e);
      }
      case ExprKind::kBool: {
        Node n;
        n.op = Op::kConst;
        n.type = VType::kBool;
        n.value = e.number != 0 ? 1 : 0;
        return push(std::move(n), root, e);
      }
      case ExprKind::kText: {
        Node n;
        n.op = Op::kConst;
        n.type = VType::kText;
        n.text = e.text;
        return push(std::move(n), root, e);
      }
      case ExprKind::kName:
        return build_name(e, root);
      case ExprKind::kCall:
        return build_call(e, root);
      case ExprKind::kUnary:
        return build_unary(e, root);
      case ExprKind::kBinary:
        return build_binary(e, root);
      case ExprKind::kIndex:
        return build_index(e, root);
    }
    add(root, e, "unknown expression node");
    return -1;
  }

  int field_node(int leg, int field, const std::string& root, const Expr& at) {
    Node n;
    n.op = Op::kField;
    n.series = true;
    n.leg = leg;
    n.index = field;
    return push(std::move(n), root, at);
  }

  int build_name(const Expr& e, const std::string& root) {
    const std::string& name = e.text;
    if (e.member.empty()) {
      const int field = field_index(name);
      if (field >= 0) return field_node(0, field, root, e);
      const int prm = param_index(name);
      if (prm >= 0) {
        const SpecParam& sp = spec_.parameters[static_cast<std::size_t>(prm)];
        Node n;
        n.op = Op::kParam;
        n.index = prm;
        n.type = sp.kind == SpecParamKind::kCategorical && !sp.choices.empty() && sp.choices[0].is_text
                     ? VType::kText
                     : VType::kNumber;
        return push(std::move(n), root, e);
      }
      const int s = series_index(name);
      if (s >= 0) return series_ref(s, e, root);
      if (leg_index(name) >= 0) {
        add(root, e, fmt::format("leg '{}' needs a price field: {}.close", name, name));
        return -1;
      }
      if (find_builtin(name) != nullptr || indicators::find_indicator(name) != nullptr) {
        add(root, e, fmt::format("'{}' is a function: call it, e.g. {}(close, 14)", name, name));
        return -1;
      }
      add(root, e, fmt::format("unknown name '{}'{}", name, did_you_mean(name, visible_names())));
      return -1;
    }
    const int leg = leg_index(name);
    if (leg >= 0) {
      const int field = field_index(e.member);
      if (field < 0) {
        std::vector<std::string> fields(std::begin(kFieldNames), std::end(kFieldNames));
        add(root, e,
            fmt::format("'{}' is not a price field of leg '{}'{}", e.member, name,
                        did_you_mean(e.member, fields)));
        return -1;
      }
      return field_node(leg, field, root, e);
    }
    const int s = series_index(name);
    if (s >= 0) return series_ref(s, e, root);
    if (field_index(name) >= 0 && spec_.legs.empty()) {
      add(root, e,
          fmt::format("'{}.{}': legs are only named in pairs specs; write '{}'", name, e.member, name));
      return -1;
    }
    add(root, e, fmt::format("unknown name '{}'{}", name, did_you_mean(name, visible_names())));
    return -1;
  }

  int series_ref(int s, const Expr& e, const std::string& root) {
    const int target = resolve_series(s, &e, root);
    if (target < 0) return -1;
    int kid = target;
    if (!e.member.empty()) {
      const NamedSeries& ns = spec_.series[static_cast<std::size_t>(s)];
      const Node& t = node(target);
      if (t.op != Op::kIndicator || !ns.expr.member.empty() || ns.expr.kind != ExprKind::kCall) {
        add(root, e,
            fmt::format("'{}' is not a multi-output indicator: '.{}' selects nothing", ns.name, e.member));
        return -1;
      }
      const auto& outs = t.info->outputs;
      const auto it = std::find(outs.begin(), outs.end(), e.member);
      if (it == outs.end()) {
        add(root, e,
            fmt::format("{} has no output '{}' (outputs: {}){}", t.info->name, e.member, list_names(outs),
                        did_you_mean(e.member, outs)));
        return -1;
      }
      Node copy = t;
      copy.index = static_cast<int>(it - outs.begin());
      kid = push(std::move(copy), root, e);
    }
    Node n;
    n.op = Op::kSeriesRef;
    n.index = s;
    n.text = e.member;
    n.type = node(kid).type;
    n.series = node(kid).series;
    n.kids = {kid};
    return push(std::move(n), root, e);
  }

  int build_unary(const Expr& e, const std::string& root) {
    if (e.args.size() != 1 || (e.op != "-" && e.op != "not")) {
      add(root, e, fmt::format("unknown unary operator '{}' (expected '-' or 'not')", e.op));
      return -1;
    }
    const int k = build(e.args[0], root);
    if (k < 0) return -1;
    Node n;
    n.kids = {k};
    n.series = node(k).series;
    if (e.op == "-") {
      if (node(k).type != VType::kNumber) {
        add(root, e, fmt::format("'-' expects a number, found {}", type_phrase(node(k))));
        return -1;
      }
      n.op = Op::kNeg;
    } else {
      if (node(k).type != VType::kBool) {
        add(root, e, fmt::format("'not' expects a condition, found {}", type_phrase(node(k))));
        return -1;
      }
      n.op = Op::kNot;
      n.type = VType::kBool;
    }
    return push(std::move(n), root, e);
  }

  int build_binary(const Expr& e, const std::string& root) {
    static const std::map<std::string, Op, std::less<>> kOps = {
        {"+", Op::kAdd},   {"-", Op::kSub}, {"*", Op::kMul},  {"/", Op::kDiv}, {">", Op::kGt},
        {">=", Op::kGe},   {"<", Op::kLt},  {"<=", Op::kLe},  {"==", Op::kEq}, {"!=", Op::kNe},
        {"and", Op::kAnd}, {"or", Op::kOr}, {"&&", Op::kAnd}, {"||", Op::kOr}};
    const auto it = kOps.find(e.op);
    if (it == kOps.end() || e.args.size() != 2) {
      add(root, e, fmt::format("unknown operator '{}' (expected + - * / > >= < <= == != and or)", e.op));
      return -1;
    }
    const int a = build(e.args[0], root);
    const int b = build(e.args[1], root);
    if (a < 0 || b < 0) return -1;
    const Node& na = node(a);
    const Node& nb = node(b);
    Node n;
    n.op = it->second;
    n.kids = {a, b};
    n.series = na.series || nb.series;
    switch (n.op) {
      case Op::kAdd:
      case Op::kSub:
      case Op::kMul:
      case Op::kDiv:
      case Op::kGt:
      case Op::kGe:
      case Op::kLt:
      case Op::kLe:
        for (int side = 0; side < 2; ++side) {
          const Node& k = side == 0 ? na : nb;
          if (k.type != VType::kNumber) {
            add(root, e.args[static_cast<std::size_t>(side)],
                fmt::format("operator '{}' expects numbers, but its {} operand is {}", e.op,
                            side == 0 ? "left" : "right", type_phrase(k)));
            return -1;
          }
        }
        n.type = n.op <= Op::kDiv ? VType::kNumber : VType::kBool;
        break;
      case Op::kEq:
      case Op::kNe:
        if (na.type != nb.type) {
          add(root, e,
              fmt::format("operator '{}' compares {} with {}", e.op, type_phrase(na), type_phrase(nb)));
          return -1;
        }
        n.type = VType::kBool;
        break;
      case Op::kAnd:
      case Op::kOr:
        for (int side = 0; side < 2; ++side) {
          const Node& k = side == 0 ? na : nb;
          if (k.type != VType::kBool) {
            add(root, e.args[static_cast<std::size_t>(side)],
                fmt::format("'{}' expects conditions, but its {} operand is {}",
                            e.op == "&&"   ? "and"
                            : e.op == "||" ? "or"
                                           : e.op,
                            side == 0 ? "left" : "right", type_phrase(k)));
            return -1;
          }
        }
        n.type = VType::kBool;
        break;
      default:
        break;
    }
    return push(std::move(n), root, e);
  }

  int build_index(const Expr& e, const std::string& root) {
    if (e.args.size() != 2) {
      add(root, e, "'[n]' needs a series and a number of bars ago");
      return -1;
    }
    const int x = build(e.args[0], root);
    const int k = build(e.args[1], root);
    if (x < 0 || k < 0) return -1;
    if (node(k).type != VType::kNumber || node(k).series) {
      add(root, e.args[1],
          fmt::format("bars ago in '[n]' must be a constant whole number, found {}", type_phrase(node(k))));
      return -1;
    }
    if (node(x).type == VType::kText) {
      add(root, e.args[0], "'[n]' applies to numbers and conditions, not to a text");
      return -1;
    }
    const Node& kn = node(k);
    if (kn.op == Op::kConst && kn.value < 0) {
      add(root, e.args[1],
          fmt::format("look-ahead: '[{}]' would read {} bar(s) in the future; n in x[n] counts bars ago and "
                      "must be >= 0",
                      format_number(kn.value), format_number(-kn.value)));
      return -1;
    }
    if (kn.op == Op::kParam) {
      const SpecParam& prm = spec_.parameters[static_cast<std::size_t>(kn.index)];
      if (prm.kind == SpecParamKind::kInt && prm.min < 0) {
        add(root, e.args[1],
            fmt::format(
                "look-ahead: parameter '{}' can be {} (range {}..{}), and x[n] with n < 0 reads future bars",
                prm.name, format_number(prm.min), format_number(prm.min), format_number(prm.max)));
        return -1;
      }
    }
    check_count(k, e.args[1], root, 0, "bars ago");
    Node n;
    n.op = Op::kAgo;
    n.type = node(x).type;
    n.series = node(x).series;
    n.kids = {x, k};
    return push(std::move(n), root, e);
  }

  int build_call(const Expr& e, const std::string& root) {
    const Builtin* b = find_builtin(e.text);
    if (b != nullptr) return build_builtin(*b, e, root);
    const indicators::IndicatorInfo* info = indicators::find_indicator(e.text);
    if (info != nullptr) return build_indicator(*info, e, root);
    const std::string hint = did_you_mean(e.text, callable_names());
    if (field_index(e.text) >= 0 || param_index(e.text) >= 0 || series_index(e.text) >= 0) {
      add(root, e, fmt::format("'{}' is not a function: write it without '()'", e.text));
    } else {
      add(root, e, fmt::format("unknown indicator '{}'{}", e.text, hint));
    }
    return -1;
  }

  int build_builtin(const Builtin& b, const Expr& e, const std::string& root) {
    if (!e.member.empty()) {
      add(root, e, fmt::format("{} has a single output: '.{}' selects nothing", b.name, e.member));
      return -1;
    }
    for (std::size_t i = 0; i < e.arg_names.size(); ++i) {
      if (!e.arg_names[i].empty()) {
        add(root, e.args[i], fmt::format("{} takes positional arguments only: {}", b.name, b.signature));
        return -1;
      }
    }
    const int count = static_cast<int>(e.args.size());
    if (count < b.min_args || count > b.max_args) {
      add(root, e,
          fmt::format("{} takes {}{} argument(s): {}; found {}", b.name, b.min_args,
                      b.max_args > b.min_args ? " or more" : "", b.signature, count));
      return -1;
    }
    std::vector<int> kids;
    for (const auto& a : e.args) kids.push_back(build(a, root));
    if (std::any_of(kids.begin(), kids.end(), [](int k) { return k < 0; })) return -1;
    Node n;
    n.op = b.op;
    n.kids = kids;
    // Every builtin reads numbers.
    int numbers = count;
    int window_min = 0;
    switch (b.op) {
      case Op::kRising:
      case Op::kFalling:
      case Op::kHighest:
      case Op::kLowest:
        numbers = 1;
        window_min = 1;
        break;
      case Op::kOlsSlope:
        numbers = 2;
        window_min = 2;
        break;
      default:
        break;
    }
    for (int i = 0; i < numbers; ++i) {
      const Node& k = node(kids[static_cast<std::size_t>(i)]);
      if (k.type != VType::kNumber) {
        add(root, e.args[static_cast<std::size_t>(i)],
            fmt::format("argument {} of {} must be a number, found {}", i + 1, b.signature, type_phrase(k)));
        return -1;
      }
    }
    if (window_min > 0) {
      const int w = kids[static_cast<std::size_t>(numbers)];
      if (node(w).type != VType::kNumber || node(w).series) {
        add(root, e.args[static_cast<std::size_t>(numbers)],
            fmt::format("the bar count of {} must be a constant whole number, found {}", b.signature,
                        type_phrase(node(w))));
        return -1;
      }
      check_count(w, e.args[static_cast<std::size_t>(numbers)], root, window_min, "the bar count n");
    }
    bool any_series = false;
    for (int i = 0; i < numbers; ++i)
      any_series = any_series || node(kids[static_cast<std::size_t>(i)]).series;
    switch (b.op) {
      case Op::kCrossAbove:
      case Op::kCrossBelow:
      case Op::kRising:
      case Op::kFalling:
        n.type = VType::kBool;
        n.series = true;
        break;
      case Op::kAbs:
      case Op::kMin:
      case Op::kMax:
        n.series = any_series;
        break;
      default:
        n.series = true;
        break;
    }
    return push(std::move(n), root, e);
  }

  int build_indicator(const indicators::IndicatorInfo& info, const Expr& e, const std::string& root) {
    const std::size_t m = info.inputs.size();
    std::vector<int> built(e.args.size(), -1);
    for (std::size_t i = 0; i < e.args.size(); ++i) {
      built[i] = build(e.args[i], root);
      if (built[i] < 0) return -1;
    }
    std::vector<std::size_t> positional;
    for (std::size_t i = 0; i < e.args.size(); ++i) {
      if (i >= e.arg_names.size() || e.arg_names[i].empty()) positional.push_back(i);
    }
    std::vector<std::string> param_names;
    for (const auto& prm : info.params) param_names.push_back(prm.name);
    std::string signature = info.name + "(" + list_names(info.inputs);
    for (const auto& prm : param_names) signature += ", " + prm;
    signature += ")";

    // Inputs: written as leading series arguments and/or by name (real=hl2), or else all taken from
    // the first leg's prices ("real" is close).
    std::vector<int> inputs(m, -1);
    std::size_t next = 0;
    while (next < positional.size() && next < m && node(built[positional[next]]).series) {
      inputs[next] = built[positional[next]];
      ++next;
    }
    std::vector<std::uint8_t> input_arg(e.args.size(), 0);
    for (std::size_t i = 0; i < e.args.size(); ++i) {
      if (i >= e.arg_names.size() || e.arg_names[i].empty()) continue;
      const auto it = std::find(info.inputs.begin(), info.inputs.end(), e.arg_names[i]);
      if (it == info.inputs.end()) continue;
      const auto j = static_cast<std::size_t>(it - info.inputs.begin());
      if (inputs[j] >= 0) {
        add(root, e.args[i], fmt::format("{}: input '{}' is given twice", info.name, e.arg_names[i]));
        return -1;
      }
      inputs[j] = built[i];
      input_arg[i] = 1;
    }
    const bool written = std::any_of(inputs.begin(), inputs.end(), [](int k) { return k >= 0; });
    for (std::size_t j = 0; j < m; ++j) {
      if (written) {
        if (inputs[j] < 0) {
          add(root, e,
              fmt::format("{} takes {} input series ({}) before its parameters; input '{}' is missing",
                          info.name, m, list_names(info.inputs), info.inputs[j]));
          return -1;
        }
        const Node& k = node(inputs[j]);
        if (k.type != VType::kNumber || !k.series) {
          add(root, e,
              fmt::format("input '{}' of {} must be a number series, found {}", info.inputs[j], info.name,
                          type_phrase(k)));
          return -1;
        }
        continue;
      }
      const std::string& in = info.inputs[j];
      int field = field_index(in);
      if (in == "real") field = static_cast<int>(Field::kClose);
      if (field < 0) {
        add(root, e,
            fmt::format("{} needs its {} input series written explicitly: {}", info.name, m, signature));
        return -1;
      }
      inputs[j] = field_node(0, field, root, e);
    }
    // Parameters: remaining positional arguments in order, then named ones.
    std::vector<int> params(info.params.size(), -1);
    std::vector<std::size_t> param_arg(info.params.size(), 0);
    if (positional.size() - next > info.params.size()) {
      add(root, e.args[positional[next + info.params.size()]],
          fmt::format("{} takes at most {} parameter(s) ({}), found {}", info.name, info.params.size(),
                      list_names(param_names), positional.size() - next));
      return -1;
    }
    for (std::size_t j = next, p = 0; j < positional.size(); ++j, ++p) {
      params[p] = built[positional[j]];
      param_arg[p] = positional[j];
    }
    for (std::size_t i = 0; i < e.args.size(); ++i) {
      if (i >= e.arg_names.size() || e.arg_names[i].empty() || input_arg[i] != 0) continue;
      const auto it = std::find(param_names.begin(), param_names.end(), e.arg_names[i]);
      if (it == param_names.end()) {
        add(root, e.args[i],
            fmt::format("{} has no parameter '{}' (parameters: {}){}", info.name, e.arg_names[i],
                        list_names(param_names), did_you_mean(e.arg_names[i], param_names)));
        return -1;
      }
      const auto p = static_cast<std::size_t>(it - param_names.begin());
      if (params[p] >= 0) {
        add(root, e.args[i], fmt::format("{}: parameter '{}' is given twice", info.name, e.arg_names[i]));
        return -1;
      }
      params[p] = built[i];
      param_arg[p] = i;
    }
    for (std::size_t p = 0; p < params.size(); ++p) {
      const indicators::ParamInfo& pi = info.params[p];
      if (params[p] < 0) {
        Node d;
        d.op = Op::kConst;
        d.value = pi.default_value;
        params[p] = push(std::move(d), root, e);
        continue;
      }
      const Expr& at = e.args[param_arg[p]];
      const Node& k = node(params[p]);
      if (k.type != VType::kNumber || k.series) {
        add(root, at,
            fmt::format("parameter '{}' of {} must be a constant (a number or a parameter), found {}",
                        pi.name, info.name, type_phrase(k)));
        return -1;
      }
      if (k.op == Op::kParam) {
        const SpecParam& sp = spec_.parameters[static_cast<std::size_t>(k.index)];
        std::vector<double> possible;
        if (sp.kind == SpecParamKind::kCategorical) {
          for (const auto& c : sp.choices) possible.push_back(c.number);
        } else {
          possible = {sp.min, sp.max};
          if (sp.kind == SpecParamKind::kFloat && pi.type == indicators::ParamType::kInt) {
            add(root, at,
                fmt::format("parameter '{}' is a float but {}'s '{}' takes whole numbers: declare it "
                            "\"type\": \"int\"",
                            sp.name, info.name, pi.name));
            return -1;
          }
        }
        for (double v : possible) {
          if (v < pi.min || v > pi.max) {
            add(root, at,
                fmt::format("parameter '{}' can be {}, outside {}'s '{}' range {}..{}", sp.name,
                            format_number(v), info.name, pi.name, format_number(pi.min),
                            format_number(pi.max)));
            return -1;
          }
        }
      }
    }
    Node n;
    n.op = Op::kIndicator;
    n.series = true;
    n.info = &info;
    n.num_inputs = static_cast<int>(m);
    n.inputs_written = written;
    n.kids = inputs;
    n.kids.insert(n.kids.end(), params.begin(), params.end());
    if (!e.member.empty()) {
      const auto it = std::find(info.outputs.begin(), info.outputs.end(), e.member);
      if (it == info.outputs.end()) {
        add(root, e,
            fmt::format("{} has no output '{}' (outputs: {}){}", info.name, e.member,
                        list_names(info.outputs), did_you_mean(e.member, info.outputs)));
        return -1;
      }
      n.index = static_cast<int>(it - info.outputs.begin());
    }
    return push(std::move(n), root, e);
  }

  void mark_used() {
    p_.used.assign(p_.nodes.size(), 0);
    std::vector<int> stack;
    for (int r : p_.roots) {
      if (r >= 0) stack.push_back(r);
    }
    for (int r : p_.stop_amount) {
      if (r >= 0) stack.push_back(r);
    }
    for (int r : {p_.atr_period, p_.cooldown, p_.sizing_value}) {
      if (r >= 0) stack.push_back(r);
    }
    while (!stack.empty()) {
      const int i = stack.back();
      stack.pop_back();
      if (p_.used[static_cast<std::size_t>(i)] != 0) continue;
      p_.used[static_cast<std::size_t>(i)] = 1;
      for (int k : node(i).kids) stack.push_back(k);
    }
  }

  Program& p_;
  const Spec& spec_;
  std::vector<SpecIssue>& issues_;
  std::vector<int> series_state_;
  std::vector<std::string> stack_;
};

std::string located(const Node& n, std::string_view message) {
  std::string out = n.path;
  if (n.col > 0) out += fmt::format(": col {}", n.col - 1);  // the token's offset, as SpecIssue prints
  return out + ": " + std::string(message);
}

// Parameters whose values a constraint reads, as "fast = 30, slow = 10".
void collect_params(const Program& p, int i, std::span<const double> scalars, std::set<int>& seen,
                    std::string& out) {
  const Node& n = p.nodes[static_cast<std::size_t>(i)];
  if (n.op == Op::kParam && seen.insert(n.index).second) {
    const SpecParam& sp = p.spec.parameters[static_cast<std::size_t>(n.index)];
    const std::string value = n.type == VType::kText ? std::string(text_value(p, i, scalars))
                                                     : format_number(scalars[static_cast<std::size_t>(i)]);
    append_joined(out, ", ", sp.name + " = " + value);
  }
  for (int k : n.kids) collect_params(p, k, scalars, seen, out);
}

}  // namespace

const std::vector<std::string>& builtin_function_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& b : kBuiltins) out.emplace_back(b.name);
    return out;
  }();
  return names;
}

std::string closest_name(std::string_view name, const std::vector<std::string>& candidates) {
  std::string best = tradeloop::closest_name(name, candidates, typo_tolerance(name));
  if (best.empty() && name.size() >= 3) {  // "signal" -> "macdsignal": a unique candidate containing it
    for (const auto& c : candidates) {
      if (c.find(name) == std::string::npos) continue;
      if (!best.empty()) return {};
      best = c;
    }
  }
  return best;
}

std::string did_you_mean(std::string_view name, const std::vector<std::string>& candidates) {
  const std::string best = closest_name(name, candidates);
  return best == name ? std::string() : did_you_mean_suffix(best);
}

std::vector<double> spec_values(const Spec& spec) {
  std::vector<double> out;
  out.reserve(spec.parameters.size());
  for (const auto& prm : spec.parameters) out.push_back(prm.default_value);
  return out;
}

Status check_param_values(const Spec& spec, std::span<const double> values) {
  if (values.size() != spec.parameters.size()) {
    return Error::invalid_argument(
        fmt::format("expected {} parameter values, got {}", spec.parameters.size(), values.size()));
  }
  for (std::size_t i = 0; i < values.size(); ++i) {
    const SpecParam& prm = spec.parameters[i];
    const double v = values[i];
    if (prm.kind == SpecParamKind::kCategorical) {
      if (v != std::floor(v) || v < 0 || v >= static_cast<double>(prm.choices.size())) {
        return Error::out_of_range(fmt::format("parameter '{}': choice index {} is not one of the {} choices",
                                               prm.name, format_number(v), prm.choices.size()));
      }
      continue;
    }
    if (!std::isfinite(v)) {
      return Error::invalid_argument(
          fmt::format("parameter '{}' = {} is not a finite number", prm.name, format_number(v)));
    }
    if (prm.kind == SpecParamKind::kInt && v != std::floor(v)) {
      return Error::invalid_argument(
          fmt::format("parameter '{}' = {} must be a whole number (type int)", prm.name, format_number(v)));
    }
    if (v < prm.min) {
      return Error::out_of_range(fmt::format("parameter '{}' = {} is below its minimum {} (range {}..{})",
                                             prm.name, format_number(v), format_number(prm.min),
                                             format_number(prm.min), format_number(prm.max)));
    }
    if (v > prm.max) {
      return Error::out_of_range(fmt::format("parameter '{}' = {} is above its maximum {} (range {}..{})",
                                             prm.name, format_number(v), format_number(prm.max),
                                             format_number(prm.min), format_number(prm.max)));
    }
  }
  return ok_status();
}

std::unique_ptr<Program> analyze(const Spec& spec, std::vector<SpecIssue>& issues) {
  auto program = std::make_unique<Program>();
  program->spec = spec;
  const std::size_t before = issues.size();
  Analyzer(*program, issues).run();
  if (issues.size() == before) {
    std::vector<double> scalars;
    const std::vector<double> values = spec_values(spec);
    (void)evaluate_scalars(*program, values, scalars, nullptr, &issues);
  }
  return program;
}

std::string_view text_value(const Program& program, int node, std::span<const double> scalars) {
  const Node& n = program.nodes[static_cast<std::size_t>(node)];
  if (n.op == Op::kConst) return n.text;
  if (n.op == Op::kParam) {
    const SpecParam& prm = program.spec.parameters[static_cast<std::size_t>(n.index)];
    const auto idx = static_cast<std::size_t>(scalars[static_cast<std::size_t>(node)]);
    return idx < prm.choices.size() ? std::string_view(prm.choices[idx].text) : std::string_view();
  }
  if (n.op == Op::kSeriesRef) return text_value(program, n.kids[0], scalars);
  return {};
}

Status evaluate_scalars(const Program& program, std::span<const double> values, std::vector<double>& scalars,
                        std::vector<std::unique_ptr<indicators::Indicator>>* made,
                        std::vector<SpecIssue>* all_issues) {
  const Spec& spec = program.spec;
  if (auto st = check_param_values(spec, values); !st.ok()) {
    if (all_issues == nullptr) return st;
    all_issues->push_back({"parameters", 0, st.error().message()});
    return st;
  }
  const std::size_t count = program.nodes.size();
  scalars.assign(count, std::numeric_limits<double>::quiet_NaN());
  if (made != nullptr) {
    made->clear();
    made->resize(count);
  }
  std::optional<Error> first;
  auto fail = [&](const Node& n, std::string message) {
    if (all_issues != nullptr) all_issues->push_back({n.path, n.col, message});
    if (!first) first = Error::invalid_argument(located(n, message));
  };
  auto count_ok = [&](const Node& n, int k, double min, std::string_view what) {
    const double v = scalars[static_cast<std::size_t>(k)];
    if (v != std::floor(v) || v < min || v > 1e8) {
      fail(n, fmt::format("{} must be a whole number >= {}, found {}", what, format_number(min),
                          format_number(v)));
      return false;
    }
    return true;
  };
  auto s = [&](int k) { return scalars[static_cast<std::size_t>(k)]; };
  for (std::size_t i = 0; i < count; ++i) {
    const Node& n = program.nodes[i];
    if (!n.series) {
      double v = std::numeric_limits<double>::quiet_NaN();
      switch (n.op) {
        case Op::kConst:
          v = n.value;
          break;
        case Op::kParam: {
          const SpecParam& prm = spec.parameters[static_cast<std::size_t>(n.index)];
          const double raw = values[static_cast<std::size_t>(n.index)];
          if (prm.kind == SpecParamKind::kCategorical) {
            v = prm.choices[static_cast<std::size_t>(raw)].is_text
                    ? raw
                    : prm.choices[static_cast<std::size_t>(raw)].number;
          } else {
            v = raw;
          }
          break;
        }
        case Op::kSeriesRef:
        case Op::kAgo:
          v = s(n.kids[0]);
          break;
        case Op::kNeg:
          v = -s(n.kids[0]);
          break;
        case Op::kNot:
          v = s(n.kids[0]) != 0 ? 0 : 1;
          break;
        case Op::kAdd:
          v = s(n.kids[0]) + s(n.kids[1]);
          break;
        case Op::kSub:
          v = s(n.kids[0]) - s(n.kids[1]);
          break;
        case Op::kMul:
          v = s(n.kids[0]) * s(n.kids[1]);
          break;
        case Op::kDiv:
          v = s(n.kids[0]) / s(n.kids[1]);
          break;
        case Op::kGt:
          v = s(n.kids[0]) > s(n.kids[1]) ? 1 : 0;
          break;
        case Op::kGe:
          v = s(n.kids[0]) >= s(n.kids[1]) ? 1 : 0;
          break;
        case Op::kLt:
          v = s(n.kids[0]) < s(n.kids[1]) ? 1 : 0;
          break;
        case Op::kLe:
          v = s(n.kids[0]) <= s(n.kids[1]) ? 1 : 0;
          break;
        case Op::kEq:
        case Op::kNe: {
          const Node& a = program.nodes[static_cast<std::size_t>(n.kids[0])];
          const bool eq = a.type == VType::kText ? text_value(program, n.kids[0], scalars) ==
                                                       text_value(program, n.kids[1], scalars)
                                                 : s(n.kids[0]) == s(n.kids[1]);
          v = (eq == (n.op == Op::kEq)) ? 1 : 0;
          break;
        }
        case Op::kAnd:
          v = (s(n.kids[0]) != 0 && s(n.kids[1]) != 0) ? 1 : 0;
          break;
        case Op::kOr:
          v = (s(n.kids[0]) != 0 || s(n.kids[1]) != 0) ? 1 : 0;
          break;
        case Op::kAbs:
          v = std::fabs(s(n.kids[0]));
          break;
        case Op::kMin:
        case Op::kMax: {
          v = s(n.kids[0]);
          for (std::size_t k = 1; k < n.kids.size(); ++k) {
            const double w = s(n.kids[k]);
            if (std::isnan(v) || std::isnan(w)) {
              v = std::numeric_limits<double>::quiet_NaN();
            } else if (n.op == Op::kMin ? w < v : w > v) {
              v = w;
            }
          }
          break;
        }
        default:
          break;
      }
      scalars[i] = v;
      if (n.op == Op::kAgo) count_ok(n, n.kids[1], 0, "bars ago");
      continue;
    }
    switch (n.op) {
      case Op::kIndicator: {
        indicators::ParamValues pv;
        bool ok = true;
        for (std::size_t p = static_cast<std::size_t>(n.num_inputs); p < n.kids.size(); ++p) {
          const double v = s(n.kids[p]);
          pv.push_back(v);
          ok = ok && std::isfinite(v);
        }
        if (!ok) {
          fail(n, fmt::format("{}: a parameter value is not a finite number", n.info->name));
          break;
        }
        auto ind = indicators::make_indicator(*n.info, std::move(pv));
        if (!ind.ok()) {
          fail(n, ind.error().message());
        } else if (made != nullptr) {
          (*made)[i] = std::move(ind).value();
        }
        break;
      }
      case Op::kAgo:
        count_ok(n, n.kids[1], 0, "bars ago");
        break;
      case Op::kRising:
      case Op::kFalling:
      case Op::kHighest:
      case Op::kLowest:
        count_ok(n, n.kids[1], 1, "the bar count n");
        break;
      case Op::kOlsSlope:
        count_ok(n, n.kids[2], 2, "the bar count n");
        break;
      default:
        break;
    }
  }
  constexpr std::string_view kStopNames[3] = {"stop-loss", "take-profit", "trailing stop"};
  for (int k = 0; k < 3; ++k) {
    const int r = program.stop_amount[k];
    if (r < 0) continue;
    const double v = s(r);
    if (!(v > 0) || !std::isfinite(v)) {
      fail(program.nodes[static_cast<std::size_t>(r)],
           fmt::format("the {} distance must be a positive number, found {}", kStopNames[k],
                       format_number(v)));
    }
  }
  if (program.atr_period >= 0)
    count_ok(program.nodes[static_cast<std::size_t>(program.atr_period)], program.atr_period, 1,
             "atr_period");
  if (program.cooldown >= 0)
    count_ok(program.nodes[static_cast<std::size_t>(program.cooldown)], program.cooldown, 0, "cooldown_bars");
  if (program.sizing_value >= 0) {
    const double v = s(program.sizing_value);
    if (!(v > 0) || !std::isfinite(v)) {
      fail(program.nodes[static_cast<std::size_t>(program.sizing_value)],
           fmt::format("the sizing value must be a positive number, found {}", format_number(v)));
    } else if (spec.sizing.method == "percent" && v > 100) {
      fail(program.nodes[static_cast<std::size_t>(program.sizing_value)],
           fmt::format("sizing 'percent' is a percent of equity in (0, 100], found {}", format_number(v)));
    }
  }
  for (std::size_t c = 0; c < program.constraints.size(); ++c) {
    const int r = program.constraints[c];
    if (s(r) != 0) continue;
    std::set<int> seen;
    std::string params;
    collect_params(program, r, scalars, seen, params);
    const Node& n = program.nodes[static_cast<std::size_t>(r)];
    const std::string message =
        fmt::format("constraint '{}' is violated{}", print_node(program, r, PrintMode::kCanonical),
                    params.empty() ? "" : " (" + params + ")");
    if (all_issues != nullptr) all_issues->push_back({n.path.substr(0, n.path.find('.')), 0, message});
    if (!first) first = Error::failed_precondition(message);
  }
  if (first) return *first;
  return ok_status();
}

}  // namespace tradeloop::strategy::internal
