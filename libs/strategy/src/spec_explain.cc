// explain(): a plain-language summary of a spec, rendered from its Program.
#include <string>

#include <fmt/format.h>

#include "spec_internal.h"

namespace tradeloop::strategy {

using internal::Node;
using internal::Op;
using internal::Program;
using internal::VType;

namespace {

class Describer {
 public:
  Describer(const Program& p, std::span<const double> scalars) : p_(p), scalars_(scalars) {}

  std::string phrase(int i) {
    const Node& n = p_.nodes[static_cast<std::size_t>(i)];
    const auto& k = n.kids;
    switch (n.op) {
      case Op::kConst:
        if (n.type == VType::kText) return "'" + n.text + "'";
        if (n.type == VType::kBool) return n.value != 0 ? "always" : "never";
        return internal::format_number(n.value);
      case Op::kParam: {
        const SpecParam& prm = p_.spec.parameters[static_cast<std::size_t>(n.index)];
        return fmt::format("{} ({})", prm.name, prm.value_text());
      }
      case Op::kField:
        return internal::print_node(p_, i, internal::PrintMode::kCanonical);
      case Op::kSeriesRef:
        return internal::print_node(p_, i, internal::PrintMode::kCanonical);
      case Op::kIndicator: {
        std::string args;
        bool show_inputs = n.inputs_written;
        for (const auto& in : n.info->inputs) show_inputs = show_inputs || in.rfind("real", 0) == 0;
        for (int in = 0; show_inputs && in < n.num_inputs; ++in) {
          const std::string text = phrase(k[static_cast<std::size_t>(in)]);
          internal::append_joined(args, ", ", text);
        }
        for (std::size_t prm = 0; prm < n.info->params.size(); ++prm) {
          const int kid = k[static_cast<std::size_t>(n.num_inputs) + prm];
          internal::append_joined(args, ", ", n.info->params[prm].name + " " + phrase(kid));
        }
        std::string name = n.info->name;
        for (auto& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        std::string out = fmt::format("{}({})", name, args);
        if (n.info->outputs.size() > 1)
          out += fmt::format(" {}", n.info->outputs[static_cast<std::size_t>(n.index)]);
        return out;
      }
      case Op::kNeg:
        return "-" + group(k[0]);
      case Op::kNot:
        return "not (" + phrase(k[0]) + ")";
      case Op::kAdd:
        return group(k[0]) + " + " + group(k[1]);
      case Op::kSub:
        return group(k[0]) + " - " + group(k[1]);
      case Op::kMul:
        return group(k[0]) + " * " + group(k[1]);
      case Op::kDiv:
        return group(k[0]) + " / " + group(k[1]);
      case Op::kGt:
        return phrase(k[0]) + " is above " + phrase(k[1]);
      case Op::kGe:
        return phrase(k[0]) + " is at or above " + phrase(k[1]);
      case Op::kLt:
        return phrase(k[0]) + " is below " + phrase(k[1]);
      case Op::kLe:
        return phrase(k[0]) + " is at or below " + phrase(k[1]);
      case Op::kEq:
        return phrase(k[0]) + " equals " + phrase(k[1]);
      case Op::kNe:
        return phrase(k[0]) + " differs from " + phrase(k[1]);
      case Op::kAnd:
        return logical(k[0], Op::kAnd) + " and " + logical(k[1], Op::kAnd);
      case Op::kOr:
        return logical(k[0], Op::kOr) + " or " + logical(k[1], Op::kOr);
      case Op::kAgo:
        return fmt::format("{} {} bar(s) ago", group(k[0]), phrase(k[1]));
      case Op::kCrossAbove:
        return phrase(k[0]) + " crosses above " + phrase(k[1]);
      case Op::kCrossBelow:
        return phrase(k[0]) + " crosses below " + phrase(k[1]);
      case Op::kRising:
        return fmt::format("{} is higher than in each of the previous {} bars", group(k[0]), phrase(k[1]));
      case Op::kFalling:
        return fmt::format("{} is lower than in each of the previous {} bars", group(k[0]), phrase(k[1]));
      case Op::kHighest:
        return fmt::format("the highest {} of the last {} bars", group(k[0]), phrase(k[1]));
      case Op::kLowest:
        return fmt::format("the lowest {} of the last {} bars", group(k[0]), phrase(k[1]));
      case Op::kAbs:
        return fmt::format("|{}|", phrase(k[0]));
      case Op::kMin:
      case Op::kMax: {
        std::string args;
        for (int kid : k) internal::append_joined(args, ", ", phrase(kid));
        return fmt::format("the {} of {}", n.op == Op::kMin ? "smaller" : "larger", args);
      }
      case Op::kOlsSlope:
        return fmt::format("the OLS slope of {} on {} over {} bars", group(k[0]), group(k[1]), phrase(k[2]));
    }
    return "?";
  }

 private:
  // Parenthesizes compound arithmetic so "a - (b + c)" keeps its meaning.
  std::string group(int i) {
    const Op op = p_.nodes[static_cast<std::size_t>(i)].op;
    const std::string text = phrase(i);
    return (op == Op::kAdd || op == Op::kSub || op == Op::kMul || op == Op::kDiv) ? "(" + text + ")" : text;
  }
  std::string logical(int i, Op parent) {
    const Op op = p_.nodes[static_cast<std::size_t>(i)].op;
    const std::string text = phrase(i);
    return ((op == Op::kAnd || op == Op::kOr) && op != parent) ? "(" + text + ")" : text;
  }

  const Program& p_;
  std::span<const double> scalars_;
};

std::string stop_text(const StopSpec& stop, double amount, std::string_view what, int atr_period) {
  if (stop.unit == StopUnit::kPercent)
    return fmt::format("{} at {}% of the entry price", what, internal::format_number(amount));
  return fmt::format("{} at {} x ATR({}) at entry", what, internal::format_number(amount), atr_period);
}

}  // namespace

Result<std::string> explain(const Spec& spec) {
  std::vector<SpecIssue> issues;
  auto program = internal::analyze(spec, issues);
  if (!issues.empty()) return Error::invalid_argument(issues.front().to_string());
  const Program& p = *program;
  std::vector<double> scalars;
  TL_TRY(internal::evaluate_scalars(p, internal::spec_values(spec), scalars, nullptr));
  Describer d(p, scalars);
  std::string out;
  out += fmt::format("Strategy {}{}\n", spec.name.empty() ? "(unnamed)" : spec.name,
                     spec.type.empty() ? "" : " (" + spec.type + ")");
  if (!spec.description.empty()) out += spec.description + "\n";
  out += "\n";
  if (spec.legs.size() == 2) {
    out += fmt::format(
        "Trades a pair: '{}' (first data series) against '{}' (second). A long spread position buys {} and "
        "sells "
        "hedge_ratio units of {} per unit; a short one does the reverse.\n",
        spec.legs[0], spec.legs[1], spec.legs[0], spec.legs[1]);
  } else {
    out += "Trades one instrument.\n";
  }
  if (!spec.parameters.empty()) {
    out += "Parameters:\n";
    for (const auto& prm : spec.parameters) {
      std::string range;
      if (prm.kind == SpecParamKind::kCategorical) {
        for (const auto& c : prm.choices)
          internal::append_joined(range, ", ", (c.is_text ? c.text : internal::format_number(c.number)));
        range = "one of " + range;
      } else {
        range = fmt::format("{} from {} to {}", spec_param_kind_name(prm.kind),
                            internal::format_number(prm.min), internal::format_number(prm.max));
      }
      out += fmt::format("  {} = {} ({}){}\n", prm.name, prm.value_text(), range,
                         prm.description.empty() ? "" : ": " + prm.description);
    }
  }
  if (!spec.series.empty()) {
    out += "Where:\n";
    for (std::size_t i = 0; i < spec.series.size(); ++i) {
      out += fmt::format("  {} = {}{}\n", spec.series[i].name, d.phrase(p.series_root[i]),
                         spec.series[i].description.empty() ? "" : "  (" + spec.series[i].description + ")");
    }
  }
  constexpr std::string_view kVerbs[4] = {"Enter long", "Exit long", "Enter short", "Exit short"};
  for (int r = 0; r < 4; ++r) {
    if (p.roots[r] < 0) continue;
    out += fmt::format("{} when {}.\n", kVerbs[r], d.phrase(p.roots[r]));
  }
  if (p.roots[internal::kShortEntry] >= 0) {
    out += "Short rules trade only when shorting is allowed (tradeloop backtest --allow-short).\n";
  }
  if (p.roots[internal::kHedgeRatio] >= 0) {
    out += fmt::format("Hedge ratio (units of {} per unit of {}, taken at entry): {}.\n", spec.legs[1],
                       spec.legs[0], d.phrase(p.roots[internal::kHedgeRatio]));
  }
  const int atr_period =
      p.atr_period >= 0 ? static_cast<int>(scalars[static_cast<std::size_t>(p.atr_period)]) : 14;
  const StopSpec* stops[3] = {&spec.exits.stop_loss, &spec.exits.take_profit, &spec.exits.trailing_stop};
  constexpr std::string_view kStops[3] = {"Stop-loss", "Take-profit", "Trailing stop"};
  for (int s = 0; s < 3; ++s) {
    if (stops[s]->unit == StopUnit::kNone) continue;
    out += stop_text(*stops[s], scalars[static_cast<std::size_t>(p.stop_amount[s])], kStops[s], atr_period) +
           ".\n";
  }
  if (p.cooldown >= 0) {
    out += fmt::format("After an exit, wait {} bar(s) before a new entry.\n",
                       internal::format_number(scalars[static_cast<std::size_t>(p.cooldown)]));
  }
  if (!spec.sizing.method.empty()) {
    const double v = p.sizing_value >= 0 ? scalars[static_cast<std::size_t>(p.sizing_value)] : 0;
    const std::string value = internal::format_number(v);
    if (spec.sizing.method == "all_in") out += "Sizing: all available equity per trade.\n";
    if (spec.sizing.method == "percent") out += fmt::format("Sizing: {}% of equity per trade.\n", value);
    if (spec.sizing.method == "units") out += fmt::format("Sizing: {} units per trade.\n", value);
    if (spec.sizing.method == "cash") out += fmt::format("Sizing: {} in cash per trade.\n", value);
    if (spec.sizing.method == "risk")
      out += fmt::format("Sizing: risk {}% of equity per trade (distance to the stop-loss).\n", value);
  } else {
    out += "Sizing: the run's default (--sizing).\n";
  }
  if (spec.filters.active()) {
    std::string when;
    if (spec.filters.weekdays != 0x7f) {
      static constexpr const char* kDays[7] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
      std::string days;
      for (int day = 0; day < 7; ++day) {
        if ((spec.filters.weekdays >> day) & 1) internal::append_joined(days, ", ", std::string(kDays[day]));
      }
      when += "on " + days;
    }
    if (!spec.filters.sessions.empty()) {
      std::string sessions;
      for (const auto& [a, b] : spec.filters.sessions) {
        internal::append_joined(sessions, " or ",
                                fmt::format("{:02d}:{:02d}-{:02d}:{:02d}", a / 60, a % 60, b / 60, b % 60));
      }
      internal::append_joined(when, ", ", std::string("between ") + sessions);
    }
    const int m = spec.filters.utc_offset_minutes;
    out += fmt::format("New entries only {} (bar open time, UTC{}{:02d}:{:02d}).\n", when, m < 0 ? "-" : "+",
                       std::abs(m) / 60, std::abs(m) % 60);
  }
  out +=
      "Rules are evaluated at each bar's close and acted on at the next bar's open (or that close with "
      "--fill close).\n";
  return out;
}

}  // namespace tradeloop::strategy
