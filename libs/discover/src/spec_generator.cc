#include "tradeloop/discover/spec_generator.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <set>

#include <fmt/format.h>

#include "json_util.h"
#include "spec_templates.h"
#include "tradeloop/indicators/indicator.h"
#include "tradeloop/strategy/expression.h"

namespace tradeloop::discover {

using internal::Json;
using optimize::Rng;
using strategy::Expr;
using strategy::ExprKind;
using strategy::Spec;
using strategy::SpecParam;
using strategy::SpecParamKind;

namespace {

constexpr const char* kSlotNames[] = {"long_entry", "long_exit", "short_entry", "short_exit"};

std::optional<Expr>& rule(Spec& s, int slot) {
  switch (slot) {
    case 0:
      return s.long_entry;
    case 1:
      return s.long_exit;
    case 2:
      return s.short_entry;
    default:
      return s.short_exit;
  }
}
const std::optional<Expr>& rule(const Spec& s, int slot) {
  return rule(const_cast<Spec&>(s), slot);
}

bool is_comparison(const std::string& op) {
  return op == ">" || op == ">=" || op == "<" || op == "<=" || op == "==" || op == "!=";
}

bool is_boolean(const Expr& e) {
  switch (e.kind) {
    case ExprKind::kBool:
      return true;
    case ExprKind::kUnary:
      return e.op == "not";
    case ExprKind::kBinary:
      return is_comparison(e.op) || e.op == "and" || e.op == "or";
    case ExprKind::kCall:
      return e.text == "crosses_above" || e.text == "crosses_below" || e.text == "rising" ||
             e.text == "falling";
    default:
      return false;
  }
}

void preorder(Expr& e, const std::function<void(Expr&)>& f) {
  f(e);
  for (auto& a : e.args) preorder(a, f);
}
void preorder(const Expr& e, const std::function<void(const Expr&)>& f) {
  f(e);
  for (const auto& a : e.args) preorder(a, f);
}

std::size_t count_nodes(const Expr& e) {
  std::size_t n = 0;
  preorder(e, [&](const Expr&) { ++n; });
  return n;
}

std::vector<Expr*> boolean_nodes(Expr& root) {
  std::vector<Expr*> out;
  preorder(root, [&](Expr& e) {
    if (is_boolean(e)) out.push_back(&e);
  });
  return out;
}

// Every expression of a spec that mutation may edit: rules, named series, the hedge ratio.
std::vector<Expr*> all_expressions(Spec& s) {
  std::vector<Expr*> out;
  for (int k = 0; k < 4; ++k) {
    if (rule(s, k)) out.push_back(&*rule(s, k));
  }
  for (auto& ns : s.series) out.push_back(&ns.expr);
  if (s.hedge_ratio) out.push_back(&*s.hedge_ratio);
  return out;
}

double round_significant(double v, int digits) {
  if (v == 0 || !std::isfinite(v)) return v;
  const double scale = std::pow(10.0, digits - 1 - static_cast<int>(std::floor(std::log10(std::abs(v)))));
  return std::round(v * scale) / scale;
}

std::size_t period_cap(const TargetInfo& t) {
  return std::clamp<std::size_t>(t.bars / 5, 5, 500);
}

// Number literals mutation may change, with the range each may take.
struct NumberSite {
  Expr* node;
  enum Kind { kThreshold, kPeriod, kBarsAgo, kScale } kind;
  double min;
  double max;
};

void collect_numbers(Expr& e, const TargetInfo& target, std::vector<NumberSite>& out) {
  const double cap = static_cast<double>(period_cap(target));
  switch (e.kind) {
    case ExprKind::kNumber:
      out.push_back({&e, NumberSite::kThreshold, -1e300, 1e300});
      return;
    case ExprKind::kIndex:
      collect_numbers(e.args[0], target, out);
      if (e.args.size() > 1 && e.args[1].kind == ExprKind::kNumber) {
        out.push_back({&e.args[1], NumberSite::kBarsAgo, e.args[1].number == 0 ? 0.0 : 1.0, 10});
      }
      return;
    case ExprKind::kCall: {
      const auto* info = indicators::find_indicator(e.text);
      if (info != nullptr) {
        for (std::size_t i = 0; i < e.args.size(); ++i) {
          const std::string& name = i < e.arg_names.size() ? e.arg_names[i] : std::string();
          const indicators::ParamInfo* p = nullptr;
          for (const auto& pi : info->params) {
            if (pi.name == name) p = &pi;
          }
          if (p != nullptr && e.args[i].kind == ExprKind::kNumber) {
            if (p->type == indicators::ParamType::kInt) {
              if (p->name != "matype" && p->name.find("matype") == std::string::npos) {
                out.push_back(
                    {&e.args[i], NumberSite::kPeriod, std::max(p->min, 1.0), std::min(p->max, cap)});
              }
            } else {
              out.push_back({&e.args[i], NumberSite::kScale, std::max(p->min, 1e-3), std::min(p->max, 1e6)});
            }
          } else {
            collect_numbers(e.args[i], target, out);
          }
        }
        return;
      }
      const bool counted =
          e.text == "rising" || e.text == "falling" || e.text == "highest" || e.text == "lowest";
      for (std::size_t i = 0; i < e.args.size(); ++i) {
        if (counted && i == 1 && e.args[i].kind == ExprKind::kNumber) {
          out.push_back({&e.args[i], NumberSite::kPeriod, 1, cap});
        } else {
          collect_numbers(e.args[i], target, out);
        }
      }
      return;
    }
    default:
      for (auto& a : e.args) collect_numbers(a, target, out);
  }
}

bool mutate_number(const NumberSite& site, Rng& rng, std::string* what) {
  Expr& n = *site.node;
  const double v = n.number;
  double next = v;
  switch (site.kind) {
    case NumberSite::kPeriod:
    case NumberSite::kBarsAgo: {
      next = std::round(v + rng.normal() * std::max(1.0, 0.2 * v));
      if (next == v) next = v + (rng.uniform() < 0.5 ? -1 : 1);
      next = std::clamp(next, site.min, site.max);
      break;
    }
    case NumberSite::kScale:
      next = std::clamp(round_significant(v * std::exp(0.2 * rng.normal()), 3), site.min, site.max);
      break;
    case NumberSite::kThreshold:
      if (v == 0) return false;  // a zero line (roc > 0) has no scale to jitter by
      next = round_significant(v * (1 + 0.15 * rng.normal()), 3);
      break;
  }
  if (next == v || !std::isfinite(next)) return false;
  if (what != nullptr)
    *what = fmt::format("{} {} -> {}", site.kind == NumberSite::kThreshold ? "threshold" : "period", v, next);
  n.number = next;
  return true;
}

bool mutate_parameter(Spec& s, Rng& rng, std::string* what) {
  if (s.parameters.empty()) return false;
  SpecParam& p = s.parameters[rng.below(s.parameters.size())];
  const double v = p.default_value;
  double next = v;
  if (p.kind == SpecParamKind::kCategorical) {
    if (p.choices.size() < 2) return false;
    next = static_cast<double>(rng.below(p.choices.size()));
  } else if (p.kind == SpecParamKind::kInt) {
    next = std::round(v + rng.normal() * std::max(1.0, 0.15 * (p.max - p.min)));
    if (next == v) next = v + (rng.uniform() < 0.5 ? -1 : 1);
    next = std::clamp(next, p.min, p.max);
  } else {
    next = v + rng.normal() * 0.15 * (p.max - p.min);
    next = p.step > 0 ? p.min + std::round((next - p.min) / p.step) * p.step : round_significant(next, 4);
    next = std::clamp(round_significant(next, 10), p.min, p.max);
  }
  if (next == v) return false;
  if (what != nullptr) *what = fmt::format("parameter {} {} -> {}", p.name, v, next);
  p.default_value = next;
  return true;
}

double sample_stop(const TargetInfo& t, Rng& rng, double lo, double hi) {
  return std::clamp(round_significant(t.typical_move_pct * rng.uniform(lo, hi), 3), 0.05, 50.0);
}

bool mutate_stops(Spec& s, const TargetInfo& t, Rng& rng, std::string* what) {
  using strategy::StopSpec;
  using strategy::StopUnit;
  StopSpec* stops[] = {&s.exits.stop_loss, &s.exits.take_profit, &s.exits.trailing_stop};
  const char* names[] = {"stop_loss", "take_profit", "trailing_stop"};
  const double ranges[][2] = {{2, 15}, {3, 30}, {2, 15}};
  const std::size_t k = rng.below(3);
  StopSpec& stop = *stops[k];
  if (stop.unit == StopUnit::kNone) {
    stop.unit = StopUnit::kPercent;
    stop.amount = Expr::number_literal(sample_stop(t, rng, ranges[k][0], ranges[k][1]));
    if (what != nullptr) *what = fmt::format("add {} {}%", names[k], stop.amount.number);
    return true;
  }
  if (rng.uniform() < 0.3) {
    stop = StopSpec{};
    if (what != nullptr) *what = fmt::format("drop {}", names[k]);
    return true;
  }
  if (stop.amount.kind != ExprKind::kNumber) return false;
  const double v = stop.amount.number;
  const double next = std::clamp(round_significant(v * std::exp(0.3 * rng.normal()), 3), 0.05, 50.0);
  if (next == v) return false;
  stop.amount.number = next;
  if (what != nullptr) *what = fmt::format("{} {} -> {}", names[k], v, next);
  return true;
}

std::string fill_placeholders(std::string text, const internal::FilterCondition& f, const TargetInfo& t,
                              Rng& rng, std::string* summary) {
  const auto cap = static_cast<int>(period_cap(t));
  const int hi = std::max(f.min_period, std::min(f.max_period, cap));
  const int n = f.min_period + static_cast<int>(rng.below(static_cast<std::uint64_t>(hi - f.min_period + 1)));
  double threshold = rng.uniform(f.min_threshold, f.max_threshold);
  if (f.scaled_by_move) threshold *= t.typical_move_pct;
  threshold = round_significant(threshold, 3);
  auto replace = [&](const std::string& key, const std::string& value) {
    for (std::size_t pos; (pos = text.find(key)) != std::string::npos;) text.replace(pos, key.size(), value);
  };
  replace("{N}", std::to_string(n));
  replace("{T}", fmt::format("{}", threshold));
  if (summary != nullptr) *summary = text;
  return text;
}

bool indicators_available(const std::vector<const char*>& names) {
  for (const char* n : names) {
    if (indicators::find_indicator(n) == nullptr) return false;
  }
  return true;
}

bool add_condition(Spec& s, const TargetInfo& t, Rng& rng, std::string* what) {
  if (t.pair) return false;
  std::vector<int> slots;
  for (int k = 0; k < 4; ++k) {
    if (rule(s, k)) slots.push_back(k);
  }
  if (slots.empty()) return false;
  // Entries get filtered more often than exits: that is where selectivity pays.
  int slot = slots[rng.below(slots.size())];
  if (rng.uniform() < 0.5 && rule(s, 0)) slot = 0;
  std::vector<const internal::FilterCondition*> usable;
  for (const auto& f : internal::filter_conditions()) {
    if (indicators_available(f.indicators)) usable.push_back(&f);
  }
  if (usable.empty()) return false;
  const auto& f = *usable[rng.below(usable.size())];
  const bool bull = slot == 0 || slot == 3;
  std::string text;
  auto parsed = strategy::parse_expression(fill_placeholders(bull ? f.bull : f.bear, f, t, rng, &text));
  if (!parsed.ok()) return false;
  const bool entry = slot == 0 || slot == 2;
  Expr& r = *rule(s, slot);
  r = Expr::binary(entry ? "and" : "or", std::move(r), std::move(parsed).value());
  if (what != nullptr)
    *what = fmt::format("add condition to {}: {} {}", kSlotNames[slot], entry ? "and" : "or", text);
  return true;
}

bool drop_condition(Spec& s, Rng& rng, std::string* what) {
  std::vector<std::pair<int, Expr*>> sites;
  for (int k = 0; k < 4; ++k) {
    if (!rule(s, k)) continue;
    preorder(*rule(s, k), [&](Expr& e) {
      if (e.kind == ExprKind::kBinary && (e.op == "and" || e.op == "or")) sites.emplace_back(k, &e);
    });
  }
  if (sites.empty()) {
    // No compound rule: drop a whole exit or short side instead (exits then come from stops or the
    // opposite signal).
    std::vector<int> optional_slots;
    for (int k : {1, 2, 3}) {
      if (rule(s, k)) optional_slots.push_back(k);
    }
    if (optional_slots.empty()) return false;
    const int k = optional_slots[rng.below(optional_slots.size())];
    rule(s, k).reset();
    if (k == 2) s.short_exit.reset();
    if (what != nullptr) *what = fmt::format("drop {}", kSlotNames[k]);
    return true;
  }
  auto [slot, node] = sites[rng.below(sites.size())];
  Expr keep = node->args[rng.below(2)];
  *node = std::move(keep);
  if (what != nullptr) *what = fmt::format("drop a condition of {}", kSlotNames[slot]);
  return true;
}

bool swap_indicator(Spec& s, const TargetInfo& t, Rng& rng, std::string* what) {
  struct Site {
    Expr* node;
    const std::vector<const char*>* cls;
  };
  std::vector<Site> sites;
  for (Expr* root : all_expressions(s)) {
    preorder(*root, [&](Expr& e) {
      if (e.kind != ExprKind::kCall || !e.member.empty()) return;
      for (const auto& cls : internal::swap_classes()) {
        if (std::find_if(cls.begin(), cls.end(), [&](const char* n) { return e.text == n; }) != cls.end()) {
          sites.push_back({&e, &cls});
        }
      }
    });
  }
  if (sites.empty()) return false;
  const Site site = sites[rng.below(sites.size())];
  std::vector<const indicators::IndicatorInfo*> options;
  for (const char* n : *site.cls) {
    const auto* info = indicators::find_indicator(n);
    if (info != nullptr && site.node->text != n && info->outputs.size() == 1) options.push_back(info);
  }
  const auto* from = indicators::find_indicator(site.node->text);
  if (options.empty() || from == nullptr) return false;
  const auto* to = options[rng.below(options.size())];
  // Inputs: price fields by name; a generic series input keeps the expression the old call had.
  Expr old = *site.node;
  std::vector<Expr> positional;
  for (std::size_t i = 0; i < old.args.size(); ++i) {
    if (i >= old.arg_names.size() || old.arg_names[i].empty()) positional.push_back(old.args[i]);
  }
  const bool from_generic = !from->inputs.empty() && from->inputs[0].rfind("real", 0) == 0;
  std::vector<Expr> args;
  std::vector<std::string> names;
  for (const auto& input : to->inputs) {
    if (input.rfind("real", 0) == 0) {
      args.push_back(from_generic && !positional.empty() ? positional[0] : Expr::name_ref("close"));
    } else {
      if (t.pair) return false;  // unqualified fields mean the first leg only: keep pairs as they are
      args.push_back(Expr::name_ref(input));
    }
    names.emplace_back();
  }
  for (const auto& p : to->params) {
    for (std::size_t i = 0; i < old.args.size(); ++i) {
      if (i < old.arg_names.size() && old.arg_names[i] == p.name) {
        args.push_back(old.args[i]);
        names.push_back(p.name);
      }
    }
  }
  Expr next = Expr::call(to->name, std::move(args));
  next.arg_names = std::move(names);
  *site.node = std::move(next);
  if (what != nullptr) *what = fmt::format("swap {} -> {}", from->name, to->name);
  return true;
}

// Names an expression refers to (parameters, named series, fields, legs).
void referenced_names(const Expr& e, std::set<std::string>& out) {
  preorder(e, [&](const Expr& n) {
    if (n.kind == ExprKind::kName) out.insert(n.text);
  });
}

void rename(Expr& e, const std::map<std::string, std::string>& names) {
  preorder(e, [&](Expr& n) {
    if (n.kind != ExprKind::kName) return;
    auto it = names.find(n.text);
    if (it != names.end()) n.text = it->second;
  });
}

bool same_param(const SpecParam& a, const SpecParam& b) {
  return a.kind == b.kind && a.default_value == b.default_value && a.min == b.min && a.max == b.max &&
         a.step == b.step && a.choices == b.choices;
}

std::string unique_name(const Spec& s, const std::string& base) {
  auto taken = [&](const std::string& n) {
    for (const auto& p : s.parameters) {
      if (p.name == n) return true;
    }
    for (const auto& ns : s.series) {
      if (ns.name == n) return true;
    }
    return false;
  };
  for (int i = 2;; ++i) {
    std::string n = fmt::format("{}_{}", base, i);
    if (!taken(n)) return n;
  }
}

// Copies into `into` what `sub` (taken from `from`) refers to, renaming on conflicts, and rewrites
// `sub` to the new names.
void import_definitions(Spec& into, const Spec& from, Expr& sub) {
  std::map<std::string, std::string> renames;
  std::function<void(const std::string&)> import = [&](const std::string& name) {
    if (renames.count(name) != 0) return;
    for (const auto& p : from.parameters) {
      if (p.name != name) continue;
      for (const auto& q : into.parameters) {
        if (q.name == name) {
          if (same_param(p, q)) {
            renames[name] = name;
            return;
          }
          SpecParam copy = p;
          copy.name = unique_name(into, name);
          renames[name] = copy.name;
          into.parameters.push_back(std::move(copy));
          return;
        }
      }
      renames[name] = name;
      into.parameters.push_back(p);
      return;
    }
    for (const auto& ns : from.series) {
      if (ns.name != name) continue;
      renames[name] = name;  // provisional, breaks reference cycles (validation refuses real ones)
      std::set<std::string> deps;
      referenced_names(ns.expr, deps);
      for (const auto& d : deps) import(d);
      strategy::NamedSeries copy = ns;
      rename(copy.expr, renames);
      for (const auto& existing : into.series) {
        if (existing.name == name) {
          if (strategy::format_expression(existing.expr) == strategy::format_expression(copy.expr)) return;
          copy.name = unique_name(into, name);
          renames[name] = copy.name;
          into.series.push_back(std::move(copy));
          return;
        }
      }
      into.series.push_back(std::move(copy));
      return;
    }
  };
  std::set<std::string> names;
  referenced_names(sub, names);
  for (const auto& n : names) import(n);
  rename(sub, renames);
}

std::string make_name(const Spec& s, const std::string& hash) {
  std::vector<std::string> used;
  auto note = [&](const Expr& root) {
    preorder(root, [&](const Expr& e) {
      if (e.kind == ExprKind::kCall && indicators::find_indicator(e.text) != nullptr &&
          std::find(used.begin(), used.end(), e.text) == used.end()) {
        used.push_back(e.text);
      }
    });
  };
  for (int k = 0; k < 4; ++k) {
    if (rule(s, k)) note(*rule(s, k));
  }
  for (const auto& ns : s.series) note(ns.expr);
  std::string name = s.type;
  for (std::size_t i = 0; i < used.size() && i < 2; ++i) name += "_" + used[i];
  return name + "_" + hash.substr(0, 6);
}

}  // namespace

// ---------------------------------------------------------------------------------------------

const std::vector<std::string>& SpecGenerator::known_types() {
  static const std::vector<std::string> types = {"momentum", "mean_reversion", "breakout",
                                                 "trend",    "arbitrage",      "volatility"};
  return types;
}

SpecGenerator::SpecGenerator(std::vector<TargetInfo> targets, GeneratorOptions options)
    : targets_(std::move(targets)), options_(std::move(options)) {}

Result<std::unique_ptr<SpecGenerator>> SpecGenerator::create(std::vector<TargetInfo> targets,
                                                             GeneratorOptions options) {
  if (targets.empty()) return Error::invalid_argument("discover: no data target to generate strategies for");
  std::vector<std::string> types = options.types;
  if (types.empty()) types = known_types();
  for (const auto& t : types) {
    if (std::find(known_types().begin(), known_types().end(), t) == known_types().end()) {
      return Error::invalid_argument(
          fmt::format("--types: unknown strategy type '{}' (known: {})", t, fmt::join(known_types(), ", ")));
    }
  }
  auto gen = std::unique_ptr<SpecGenerator>(new SpecGenerator(std::move(targets), options));
  for (const auto& t : internal::spec_templates()) {
    if (indicators_available(t.indicators)) gen->templates_.push_back(&t);
  }
  const bool explicit_types = !options.types.empty();
  for (const auto& type : types) {
    if (gen->template_names(type).empty()) {
      if (explicit_types) {
        return Error::failed_precondition(fmt::format(
            "--types: no template of type '{}' can be built: the indicators it needs are not in the registry",
            type));
      }
      continue;
    }
    bool any = false;
    for (std::size_t i = 0; i < gen->targets_.size(); ++i) {
      if ((type == "arbitrage") == gen->targets_[i].pair) {
        gen->niches_.push_back({i, type});
        any = true;
      }
    }
    if (!any && explicit_types) {
      return Error::invalid_argument(
          type == "arbitrage"
              ? std::string(
                    "--types arbitrage: pairs need two --data files whose bars share their timestamps")
              : fmt::format("--types {}: needs a single-instrument --data file", type));
    }
  }
  if (gen->niches_.empty()) {
    return Error::invalid_argument(
        "discover: no strategy type applies to the given data (arbitrage needs two files "
        "with matching timestamps, every other type a single file)");
  }
  return gen;
}

std::vector<std::string> SpecGenerator::template_names(std::string_view type) const {
  std::vector<std::string> out;
  for (const auto* t : templates_) {
    if (t->type == type) out.emplace_back(t->name);
  }
  return out;
}

namespace {

std::optional<Spec> finish(Spec s, std::size_t max_nodes) {
  for (Expr* e : all_expressions(s)) {
    if (count_nodes(*e) > max_nodes) return std::nullopt;
  }
  if (s.name.empty()) s.name = "candidate";
  if (!strategy::validate_spec(s).empty()) return std::nullopt;
  return s;
}

}  // namespace

std::optional<Spec> SpecGenerator::from_template(std::string_view type, const TargetInfo& target, Rng& rng,
                                                 std::string* what) const {
  std::vector<const Template*> pool;
  for (const auto* t : templates_) {
    if (t->type == type && t->pair == target.pair) pool.push_back(t);
  }
  if (pool.empty()) return std::nullopt;
  const Template& t = *pool[rng.below(pool.size())];
  Spec s;
  s.type = t.type;
  s.name = t.name;
  const auto cap = static_cast<double>(period_cap(target));
  for (const auto& p : t.params) {
    SpecParam sp;
    sp.name = p.name;
    sp.kind = p.is_int ? SpecParamKind::kInt : SpecParamKind::kFloat;
    sp.min = p.min;
    sp.max = p.is_int ? std::max(p.min, std::min(p.max, cap)) : p.max;
    sp.step = p.is_int ? 1 : p.step;
    if (p.is_int) {
      sp.default_value =
          sp.min + static_cast<double>(rng.below(static_cast<std::uint64_t>(sp.max - sp.min) + 1));
    } else {
      const double v = rng.uniform(sp.min, sp.max);
      sp.default_value =
          sp.step > 0
              ? std::min(sp.max, round_significant(sp.min + std::round((v - sp.min) / sp.step) * sp.step, 10))
              : round_significant(v, 4);
    }
    s.parameters.push_back(std::move(sp));
  }
  auto parse = [](const char* text) -> std::optional<Expr> {
    if (text == nullptr) return std::nullopt;
    auto e = strategy::parse_expression(text);
    TL_CHECK(e.ok(), "discovery template does not parse: ", text, ": ", e.ok() ? "" : e.error().message());
    return std::move(e).value();
  };
  if (t.pair) s.legs = {"y", "x"};
  for (const auto& [name, text] : t.series) s.series.push_back({name, *parse(text), {}});
  if (t.hedge_ratio != nullptr) s.hedge_ratio = parse(t.hedge_ratio);
  for (const char* c : t.constraints) s.constraints.push_back(*parse(c));
  s.long_entry = parse(t.long_entry);
  s.long_exit = parse(t.long_exit);
  // The short side in half of the samples (pairs always trade both sides of the spread).
  if (t.pair || rng.uniform() < 0.5) {
    s.short_entry = parse(t.short_entry);
    s.short_exit = parse(t.short_exit);
  }
  using strategy::StopUnit;
  if (rng.uniform() < 0.5)
    s.exits.stop_loss = {StopUnit::kPercent, Expr::number_literal(sample_stop(target, rng, 2, 15))};
  if (rng.uniform() < 0.3)
    s.exits.take_profit = {StopUnit::kPercent, Expr::number_literal(sample_stop(target, rng, 3, 30))};
  if (rng.uniform() < 0.15)
    s.exits.trailing_stop = {StopUnit::kPercent, Expr::number_literal(sample_stop(target, rng, 2, 15))};
  if (what != nullptr) *what = fmt::format("template {}", t.name);
  return finish(std::move(s), options_.max_nodes);
}

std::optional<Spec> SpecGenerator::mutate(const Spec& parent, const TargetInfo& target, Rng& rng,
                                          std::string* what) const {
  Spec s = parent;
  std::vector<std::string> done;
  const int operations = rng.uniform() < 0.3 ? 2 : 1;
  for (int op = 0; op < operations; ++op) {
    std::string detail;
    bool changed = false;
    for (int attempt = 0; attempt < 8 && !changed; ++attempt) {
      const double u = rng.uniform();
      if (u < 0.35) {
        changed = mutate_parameter(s, rng, &detail);
      } else if (u < 0.55) {
        std::vector<NumberSite> sites;
        for (Expr* e : all_expressions(s)) collect_numbers(*e, target, sites);
        if (!sites.empty()) changed = mutate_number(sites[rng.below(sites.size())], rng, &detail);
      } else if (u < 0.67) {
        changed = swap_indicator(s, target, rng, &detail);
      } else if (u < 0.80) {
        changed = add_condition(s, target, rng, &detail);
      } else if (u < 0.88) {
        changed = drop_condition(s, rng, &detail);
      } else {
        changed = mutate_stops(s, target, rng, &detail);
      }
    }
    if (changed) done.push_back(std::move(detail));
  }
  if (done.empty()) return std::nullopt;
  if (what != nullptr) *what = fmt::format("{}", fmt::join(done, "; "));
  return finish(std::move(s), options_.max_nodes);
}

std::optional<Spec> SpecGenerator::crossover(const Spec& a, const Spec& b, Rng& rng,
                                             std::string* what) const {
  std::vector<int> slots;
  for (int k = 0; k < 4; ++k) {
    if (rule(a, k) && rule(b, k)) slots.push_back(k);
  }
  if (slots.empty()) return std::nullopt;
  const int slot = slots[rng.below(slots.size())];
  Spec child = a;
  Expr donor_root = *rule(b, slot);
  auto donors = boolean_nodes(donor_root);
  auto targets = boolean_nodes(*rule(child, slot));
  if (donors.empty() || targets.empty()) return std::nullopt;
  Expr sub = *donors[rng.below(donors.size())];
  Expr* target = targets[rng.below(targets.size())];
  import_definitions(child, b, sub);
  *target = std::move(sub);
  std::string detail = fmt::format("{} subtree from the second parent", kSlotNames[slot]);
  if (rng.uniform() < 0.25) {
    child.exits = b.exits;
    detail += ", its stops";
  }
  if (what != nullptr) *what = detail;
  return finish(std::move(child), options_.max_nodes);
}

Result<std::vector<Candidate>> SpecGenerator::plan_wave(const PlanContext& ctx) {
  TL_CHECK(ctx.seen != nullptr, "plan_wave needs the session's hash set");
  Rng rng(ctx.seed, 0x7761766500000000ULL + static_cast<std::uint64_t>(ctx.wave));

  // The elite of each niche: evaluated candidates by fitness (ties: earlier first).
  std::vector<std::vector<const CandidateRow*>> elite(niches_.size());
  auto niche_of = [&](const Candidate& c) -> int {
    for (std::size_t i = 0; i < niches_.size(); ++i) {
      if (niches_[i].type == c.type && targets_[niches_[i].target].id == c.target) return static_cast<int>(i);
    }
    return -1;
  };
  for (const auto& row : ctx.history) {
    if (!row.evaluated || !std::isfinite(row.fitness) || row.fitness <= -1e8) continue;
    const int n = niche_of(row.candidate);
    if (n >= 0) elite[static_cast<std::size_t>(n)].push_back(&row);
  }
  for (auto& e : elite) {
    std::stable_sort(e.begin(), e.end(),
                     [](const CandidateRow* x, const CandidateRow* y) { return x->fitness > y->fitness; });
    if (e.size() > options_.elite) e.resize(options_.elite);
  }
  auto parent_spec = [&](const CandidateRow& row) -> std::shared_ptr<const Spec> {
    auto it = parsed_.find(row.candidate.hash);
    if (it != parsed_.end()) return it->second;
    auto spec = strategy::parse_spec(row.candidate.spec, fmt::format("candidate {}", row.candidate.index));
    if (!spec.ok()) return nullptr;
    auto ptr = std::make_shared<const Spec>(std::move(spec).value());
    parsed_.emplace(row.candidate.hash, ptr);
    return ptr;
  };
  auto tournament = [&](const std::vector<const CandidateRow*>& pool) {
    std::size_t best = pool.size();
    for (std::size_t k = 0; k < options_.tournament; ++k)
      best = std::min<std::size_t>(best, rng.below(pool.size()));
    return pool[best];
  };

  std::vector<Candidate> out;
  for (std::size_t j = 0; j < ctx.count; ++j) {
    const std::size_t n =
        static_cast<std::size_t>(ctx.first_index + static_cast<std::int64_t>(j)) % niches_.size();
    const Niche& niche = niches_[n];
    const TargetInfo& target = targets_[niche.target];
    for (int attempt = 0; attempt < options_.attempts; ++attempt) {
      std::optional<Spec> spec;
      std::string what;
      Json origin;
      const auto& pool = elite[n];
      const bool fresh = pool.size() < 2 || rng.uniform() < options_.immigrant_rate;
      if (fresh) {
        spec = from_template(niche.type, target, rng, &what);
        origin = Json{{"op", "template"}, {"detail", what}};
      } else if (rng.uniform() < options_.crossover_rate) {
        const CandidateRow* a = tournament(pool);
        const CandidateRow* b = tournament(pool);
        if (a == b) continue;
        auto sa = parent_spec(*a);
        auto sb = parent_spec(*b);
        if (!sa || !sb) continue;
        spec = crossover(*sa, *sb, rng, &what);
        origin = Json{
            {"op", "crossover"}, {"parents", {a->candidate.index, b->candidate.index}}, {"detail", what}};
        what = fmt::format("crossover of #{} and #{}: {}", a->candidate.index, b->candidate.index, what);
      } else {
        const CandidateRow* a = tournament(pool);
        auto sa = parent_spec(*a);
        if (!sa) continue;
        spec = mutate(*sa, target, rng, &what);
        origin = Json{{"op", "mutation"}, {"parents", {a->candidate.index}}, {"detail", what}};
        what = fmt::format("mutation of #{}: {}", a->candidate.index, what);
      }
      if (!spec) continue;
      spec->type = niche.type;
      auto hash = strategy::spec_hash(*spec);
      if (!hash.ok()) continue;
      if (ctx.seen->count(*hash) != 0) continue;
      spec->name = make_name(*spec, *hash);
      spec->description =
          fmt::format("Found by tradeloop discover on {} (wave {}): {}.", target.id, ctx.wave, what);
      auto text = strategy::canonical_json(*spec);
      if (!text.ok()) continue;
      ctx.seen->insert(*hash);
      Candidate c;
      c.index = ctx.first_index + static_cast<std::int64_t>(out.size());
      c.wave = ctx.wave;
      c.target = target.id;
      c.type = niche.type;
      c.name = spec->name;
      c.spec = std::move(text).value();
      c.hash = std::move(hash).value();
      c.origin = origin.dump();
      c.parsed = std::make_shared<const Spec>(std::move(*spec));
      out.push_back(std::move(c));
      break;
    }
  }
  return out;
}

}  // namespace tradeloop::discover
