// JSON text -> Spec: structure of the document (keys, types, required fields), expression strings
// and trees. Names, types and values are checked afterwards by analyze().
#include "spec_json.h"

#include <cstdio>
#include <set>
#include <string>

#include <fmt/format.h>

#include "spec_internal.h"

namespace tradeloop::strategy::internal {

namespace {

using Json = nlohmann::ordered_json;

std::string json_type(const Json& j) {
  if (j.is_null()) return "null";
  if (j.is_boolean()) return "a boolean";
  if (j.is_number()) return "a number";
  if (j.is_string()) return "a text";
  if (j.is_array()) return "an array";
  return "an object";
}

void set_path(Expr& e, const std::string& rel) {
  e.path = rel;
  for (auto& a : e.args) set_path(a, rel);
}

class Reader {
 public:
  explicit Reader(std::vector<SpecIssue>& issues) : issues_(issues) {}

  Spec read(const Json& doc) {
    Spec spec;
    if (!doc.is_object()) {
      bad("", fmt::format("a spec is a JSON object, found {}", json_type(doc)));
      return spec;
    }
    static const std::vector<std::string> kKeys = {
        "name",        "description", "type",        "legs",  "parameters", "series", "indicators",
        "constraints", "rules",       "hedge_ratio", "exits", "sizing",     "filters"};
    for (const auto& [key, value] : doc.items()) {
      if (std::find(kKeys.begin(), kKeys.end(), key) == kKeys.end()) {
        bad(key, fmt::format("unknown key '{}'{}", key, did_you_mean(key, kKeys)));
      }
    }
    spec.name = text(doc, "name", "name", false);
    spec.description = text(doc, "description", "description", false);
    spec.type = text(doc, "type", "type", false);
    if (const Json* legs = member(doc, "legs", "legs", Json::value_t::array)) {
      for (std::size_t i = 0; i < legs->size(); ++i) {
        const Json& l = (*legs)[i];
        if (!l.is_string()) {
          bad(fmt::format("legs[{}]", i), fmt::format("a leg is a name (text), found {}", json_type(l)));
          continue;
        }
        spec.legs.push_back(l.get<std::string>());
      }
    }
    if (const Json* params = member(doc, "parameters", "parameters", Json::value_t::object)) {
      for (const auto& [name, def] : params->items()) read_param(name, def, spec);
    }
    if (const Json* series = member(doc, "series", "series", Json::value_t::object)) {
      for (const auto& [name, def] : series->items()) read_series(name, def, spec);
    }
    if (const Json* inds = member(doc, "indicators", "indicators", Json::value_t::object)) {
      for (const auto& [name, def] : inds->items()) read_indicator(name, def, spec);
    }
    if (const Json* cons = member(doc, "constraints", "constraints", Json::value_t::array)) {
      for (std::size_t i = 0; i < cons->size(); ++i) {
        if (auto e = expr((*cons)[i], fmt::format("constraints[{}]", i)))
          spec.constraints.push_back(std::move(*e));
      }
    }
    if (const Json* rules = member(doc, "rules", "rules", Json::value_t::object)) {
      static const std::vector<std::string> kRules = {"long_entry", "long_exit", "short_entry", "short_exit"};
      std::optional<Expr>* slots[4] = {&spec.long_entry, &spec.long_exit, &spec.short_entry,
                                       &spec.short_exit};
      for (const auto& [key, value] : rules->items()) {
        const auto it = std::find(kRules.begin(), kRules.end(), key);
        if (it == kRules.end()) {
          bad("rules." + key,
              fmt::format("unknown rule '{}' (rules are {}){}", key,
                          "long_entry, long_exit, short_entry, short_exit", did_you_mean(key, kRules)));
          continue;
        }
        if (value.is_null()) continue;
        *slots[it - kRules.begin()] = expr(value, "rules." + key);
      }
    } else if (!doc.contains("rules")) {
      bad("rules", "missing 'rules' (long_entry, long_exit, short_entry, short_exit)");
    }
    if (doc.contains("hedge_ratio")) spec.hedge_ratio = expr(doc["hedge_ratio"], "hedge_ratio");
    if (const Json* exits = member(doc, "exits", "exits", Json::value_t::object)) read_exits(*exits, spec);
    if (doc.contains("sizing")) read_sizing(doc["sizing"], spec);
    if (const Json* filters = member(doc, "filters", "filters", Json::value_t::object))
      read_filters(*filters, spec);
    return spec;
  }

 private:
  void bad(std::string path, std::string message, int col = 0) {
    issues_.push_back({std::move(path), col, std::move(message)});
  }

  const Json* member(const Json& obj, const char* key, const std::string& path, Json::value_t type) {
    if (!obj.contains(key)) return nullptr;
    const Json& v = obj[key];
    const bool ok = type == Json::value_t::object  ? v.is_object()
                    : type == Json::value_t::array ? v.is_array()
                                                   : true;
    if (!ok) {
      bad(path, fmt::format("expected {}, found {}", type == Json::value_t::object ? "an object" : "an array",
                            json_type(v)));
      return nullptr;
    }
    return &v;
  }

  std::string text(const Json& obj, const char* key, const std::string& path, bool required) {
    if (!obj.contains(key)) {
      if (required) bad(path, fmt::format("missing '{}'", key));
      return {};
    }
    if (!obj[key].is_string()) {
      bad(path, fmt::format("expected a text, found {}", json_type(obj[key])));
      return {};
    }
    return obj[key].get<std::string>();
  }

  void check_keys(const Json& obj, const std::string& path, const std::vector<std::string>& allowed) {
    for (const auto& [key, value] : obj.items()) {
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        std::string list;
        for (const auto& a : allowed) append_joined(list, ", ", a);
        bad(path + "." + key,
            fmt::format("unknown key '{}' (expected {}){}", key, list, did_you_mean(key, allowed)));
      }
    }
  }

  std::optional<double> number(const Json& obj, const char* key, const std::string& path, bool required) {
    if (!obj.contains(key)) {
      if (required) bad(path, fmt::format("missing '{}'", key));
      return std::nullopt;
    }
    const Json& v = obj[key];
    if (!v.is_number()) {
      bad(path + "." + key, fmt::format("expected a number, found {}", json_type(v)));
      return std::nullopt;
    }
    return v.get<double>();
  }

  void read_param(const std::string& name, const Json& def, Spec& spec) {
    const std::string path = "parameters." + name;
    if (!def.is_object()) {
      bad(path,
          fmt::format(
              "a parameter is an object like {{\"type\": \"int\", \"default\": 10, \"min\": 2, \"max\": "
              "200}}, found {}",
              json_type(def)));
      return;
    }
    SpecParam prm;
    prm.name = name;
    prm.description = text(def, "description", path + ".description", false);
    const std::string type = text(def, "type", path, true);
    if (type == "int" || type == "float") {
      check_keys(def, path, {"type", "default", "min", "max", "step", "description"});
      prm.kind = type == "int" ? SpecParamKind::kInt : SpecParamKind::kFloat;
      const auto d = number(def, "default", path, true);
      const auto lo = number(def, "min", path, true);
      const auto hi = number(def, "max", path, true);
      const auto st = number(def, "step", path, false);
      if (!d || !lo || !hi) return;
      prm.default_value = *d;
      prm.min = *lo;
      prm.max = *hi;
      prm.step = st ? *st : (prm.kind == SpecParamKind::kInt ? 1 : 0);
      if (prm.kind == SpecParamKind::kInt && st && *st == 0)
        bad(path + ".step", "an int parameter's step is >= 1");
    } else if (type == "categorical") {
      check_keys(def, path, {"type", "default", "choices", "description"});
      prm.kind = SpecParamKind::kCategorical;
      if (!def.contains("choices") || !def["choices"].is_array() || def["choices"].empty()) {
        bad(path + ".choices",
            "a categorical parameter needs 'choices': a non-empty array of numbers or texts");
        return;
      }
      for (std::size_t i = 0; i < def["choices"].size(); ++i) {
        const Json& c = def["choices"][i];
        ParamChoice choice;
        if (c.is_string()) {
          choice.is_text = true;
          choice.text = c.get<std::string>();
        } else if (c.is_number()) {
          choice.number = c.get<double>();
        } else {
          bad(fmt::format("{}.choices[{}]", path, i),
              fmt::format("a choice is a number or a text, found {}", json_type(c)));
          return;
        }
        prm.choices.push_back(std::move(choice));
      }
      if (!def.contains("default")) {
        bad(path, "missing 'default' (one of the choices)");
        return;
      }
      const Json& d = def["default"];
      int found = -1;
      for (std::size_t i = 0; i < prm.choices.size(); ++i) {
        const auto& c = prm.choices[i];
        if ((c.is_text && d.is_string() && d.get<std::string>() == c.text) ||
            (!c.is_text && d.is_number() && d.get<double>() == c.number)) {
          found = static_cast<int>(i);
          break;
        }
      }
      if (found < 0) {
        bad(path + ".default", fmt::format("default {} is not one of the choices", d.dump()));
        return;
      }
      prm.default_value = found;
    } else {
      if (!type.empty() || def.contains("type")) {
        bad(path + ".type",
            fmt::format("unknown parameter type '{}' (expected int, float or categorical)", type));
      }
      return;
    }
    spec.parameters.push_back(std::move(prm));
  }

  void read_series(const std::string& name, const Json& def, Spec& spec) {
    const std::string path = "series." + name;
    NamedSeries ns;
    ns.name = name;
    const Json* body = &def;
    std::string rel;
    if (def.is_object() && def.contains("expr")) {
      check_keys(def, path, {"expr", "description"});
      ns.description = text(def, "description", path + ".description", false);
      body = &def["expr"];
      rel = ".expr";
    }
    auto e = expr(*body, path, rel);
    if (!e) return;
    ns.expr = std::move(*e);
    spec.series.push_back(std::move(ns));
  }

  // "indicators": {"bb": {"indicator": "bbands", "inputs": ["close"], "params": {"timeperiod": "period"}}}
  // is read as the series bb = bbands(close, timeperiod=period).
  void read_indicator(const std::string& name, const Json& def, Spec& spec) {
    const std::string path = "indicators." + name;
    if (!def.is_object()) {
      bad(path, fmt::format(
                    "expected an object like {{\"indicator\": \"sma\", \"inputs\": [\"close\"], \"params\": "
                    "{{\"timeperiod\": 10}}}}, found {}",
                    json_type(def)));
      return;
    }
    check_keys(def, path, {"indicator", "inputs", "params", "output", "description"});
    NamedSeries ns;
    ns.name = name;
    ns.description = text(def, "description", path + ".description", false);
    const std::string ind = text(def, "indicator", path, true);
    if (ind.empty()) return;
    Expr call = Expr::call(ind, {});
    call.path = ".indicator";
    if (def.contains("inputs")) {
      const Json& in = def["inputs"];
      if (!in.is_array()) {
        bad(path + ".inputs", fmt::format("expected an array of series, found {}", json_type(in)));
        return;
      }
      for (std::size_t i = 0; i < in.size(); ++i) {
        const std::string rel = fmt::format(".inputs[{}]", i);
        auto e = expr(in[i], path, rel);
        if (!e) return;
        call.args.push_back(std::move(*e));
        call.arg_names.emplace_back();
      }
    }
    if (def.contains("params")) {
      const Json& prm = def["params"];
      if (!prm.is_object()) {
        bad(path + ".params",
            fmt::format("expected an object of parameter values, found {}", json_type(prm)));
        return;
      }
      for (const auto& [key, value] : prm.items()) {
        auto e = expr(value, path, ".params." + key);
        if (!e) return;
        call.args.push_back(std::move(*e));
        call.arg_names.push_back(key);
      }
    }
    call.member = text(def, "output", path + ".output", false);
    ns.expr = std::move(call);
    spec.series.push_back(std::move(ns));
  }

  void read_stop(const Json& exits, const char* key, StopSpec& stop) {
    if (!exits.contains(key)) return;
    const std::string path = std::string("exits.") + key;
    const Json& v = exits[key];
    if (v.is_null()) return;
    if (!v.is_object() || v.size() != 1 || !(v.contains("percent") || v.contains("atr"))) {
      bad(path, "a stop is {\"percent\": 2} (percent of the entry price) or {\"atr\": 3} (multiples of ATR)");
      return;
    }
    const bool pct = v.contains("percent");
    auto e = expr(pct ? v["percent"] : v["atr"], path + (pct ? ".percent" : ".atr"));
    if (!e) return;
    stop.unit = pct ? StopUnit::kPercent : StopUnit::kAtr;
    stop.amount = std::move(*e);
  }

  void read_exits(const Json& exits, Spec& spec) {
    check_keys(exits, "exits", {"stop_loss", "take_profit", "trailing_stop", "atr_period", "cooldown_bars"});
    read_stop(exits, "stop_loss", spec.exits.stop_loss);
    read_stop(exits, "take_profit", spec.exits.take_profit);
    read_stop(exits, "trailing_stop", spec.exits.trailing_stop);
    if (exits.contains("atr_period")) spec.exits.atr_period = expr(exits["atr_period"], "exits.atr_period");
    if (exits.contains("cooldown_bars"))
      spec.exits.cooldown_bars = expr(exits["cooldown_bars"], "exits.cooldown_bars");
  }

  void read_sizing(const Json& v, Spec& spec) {
    if (v.is_string()) {
      // The CLI's syntax: "all_in", "percent:50", "units:10", "cash:1000", "risk:1".
      const std::string s = v.get<std::string>();
      const auto colon = s.find(':');
      spec.sizing.method = s.substr(0, colon);
      if (colon != std::string::npos) {
        auto e = expr(Json(s.substr(colon + 1)), "sizing");
        if (e) spec.sizing.value = std::move(*e);
      }
      if (spec.sizing.method.empty()) bad("sizing", "empty sizing method");
      return;
    }
    if (!v.is_object()) {
      bad("sizing",
          fmt::format("sizing is \"percent:50\" or {{\"method\": \"percent\", \"value\": 50}}, found {}",
                      json_type(v)));
      return;
    }
    check_keys(v, "sizing", {"method", "value"});
    spec.sizing.method = text(v, "method", "sizing.method", true);
    if (v.contains("value")) spec.sizing.value = expr(v["value"], "sizing.value");
  }

  static std::optional<int> parse_hhmm(std::string_view s) {
    int h = 0, m = 0;
    if (s.size() != 5 || s[2] != ':' || std::sscanf(std::string(s).c_str(), "%2d:%2d", &h, &m) != 2)
      return std::nullopt;
    if (h < 0 || h > 24 || m < 0 || m > 59 || (h == 24 && m != 0)) return std::nullopt;
    return h * 60 + m;
  }

  void read_filters(const Json& f, Spec& spec) {
    check_keys(f, "filters", {"sessions", "weekdays", "utc_offset"});
    if (f.contains("sessions")) {
      if (!f["sessions"].is_array()) {
        bad("filters.sessions", "expected an array of \"HH:MM-HH:MM\"");
      } else {
        for (std::size_t i = 0; i < f["sessions"].size(); ++i) {
          const Json& s = f["sessions"][i];
          const std::string path = fmt::format("filters.sessions[{}]", i);
          if (!s.is_string()) {
            bad(path, "expected \"HH:MM-HH:MM\"");
            continue;
          }
          const std::string text = s.get<std::string>();
          const auto dash = text.find('-');
          const auto a = dash == std::string::npos ? std::nullopt : parse_hhmm(text.substr(0, dash));
          const auto b = dash == std::string::npos ? std::nullopt : parse_hhmm(text.substr(dash + 1));
          if (!a || !b) {
            bad(path, fmt::format("'{}' is not \"HH:MM-HH:MM\"", text));
            continue;
          }
          spec.filters.sessions.emplace_back(*a, *b);
        }
      }
    }
    if (f.contains("weekdays")) {
      static const std::vector<std::string> kShort = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
      static const std::vector<std::string> kLong = {"monday", "tuesday",  "wednesday", "thursday",
                                                     "friday", "saturday", "sunday"};
      const Json& w = f["weekdays"];
      if (!w.is_array()) {
        bad("filters.weekdays", "expected an array of weekday names (\"mon\" .. \"sun\")");
      } else {
        spec.filters.weekdays = 0;
        for (std::size_t i = 0; i < w.size(); ++i) {
          const std::string path = fmt::format("filters.weekdays[{}]", i);
          std::string name = w[i].is_string() ? w[i].get<std::string>() : std::string();
          std::transform(name.begin(), name.end(), name.begin(),
                         [](unsigned char c) { return std::tolower(c); });
          int day = -1;
          for (int d = 0; d < 7; ++d) {
            if (name == kShort[static_cast<std::size_t>(d)] || name == kLong[static_cast<std::size_t>(d)])
              day = d;
          }
          if (day < 0) {
            bad(path,
                fmt::format("unknown weekday {} (expected mon, tue, wed, thu, fri, sat, sun)", w[i].dump()));
            continue;
          }
          spec.filters.weekdays = static_cast<std::uint8_t>(spec.filters.weekdays | (1u << day));
        }
      }
    }
    if (f.contains("utc_offset")) {
      const Json& o = f["utc_offset"];
      const std::string s = o.is_string() ? o.get<std::string>() : std::string();
      const auto hhmm =
          s.size() == 6 && (s[0] == '+' || s[0] == '-') ? parse_hhmm(s.substr(1)) : std::nullopt;
      if (!hhmm) {
        bad("filters.utc_offset", "expected \"+HH:MM\" or \"-HH:MM\"");
      } else {
        spec.filters.utc_offset_minutes = s[0] == '-' ? -*hhmm : *hhmm;
      }
    }
  }

 public:
  // An expression written as a string (parsed), a number, a boolean, or a tree object.
  std::optional<Expr> expr(const Json& j, const std::string& root, const std::string& rel = "") {
    const std::string path = root + rel;
    if (j.is_number()) {
      Expr e = Expr::number_literal(j.get<double>());
      e.path = rel;
      return e;
    }
    if (j.is_boolean()) {
      Expr e = Expr::bool_literal(j.get<bool>());
      e.path = rel;
      return e;
    }
    if (j.is_string()) {
      auto parsed = parse_expression(j.get<std::string>());
      if (!parsed.ok()) {
        // The parser's message starts "col N: ".
        const std::string& m = parsed.error().message();
        int col = 0;
        int used = 0;
        if (std::sscanf(m.c_str(), "col %d: %n", &col, &used) >= 1 && used > 0) {
          bad(path, m.substr(static_cast<std::size_t>(used)), col + 1);  // printed offset -> 1-based
        } else {
          bad(path, m);
        }
        return std::nullopt;
      }
      Expr e = std::move(parsed).value();
      set_path(e, rel);
      return e;
    }
    if (!j.is_object()) {
      bad(path,
          fmt::format("expected an expression (a text like \"sma(close, 10) > close\", a number, or a tree "
                      "{{\"op\": ..., \"args\": [...]}}), found {}",
                      json_type(j)));
      return std::nullopt;
    }
    if (j.contains("text") && j.size() == 1 && j["text"].is_string()) {
      Expr e = Expr::text_literal(j["text"].get<std::string>());
      e.path = rel;
      return e;
    }
    check_keys(j, path, {"op", "args", "params", "output"});
    if (!j.contains("op") || !j["op"].is_string()) {
      bad(path,
          "a tree node needs \"op\": an operator (+ - * / > >= < <= == != and or not ago) or a function "
          "name");
      return std::nullopt;
    }
    const std::string op = j["op"].get<std::string>();
    std::vector<Expr> args;
    if (j.contains("args")) {
      if (!j["args"].is_array()) {
        bad(path + ".args", fmt::format("expected an array, found {}", json_type(j["args"])));
        return std::nullopt;
      }
      for (std::size_t i = 0; i < j["args"].size(); ++i) {
        auto a = expr(j["args"][i], root, fmt::format("{}.args[{}]", rel, i));
        if (!a) return std::nullopt;
        args.push_back(std::move(*a));
      }
    }
    static const std::set<std::string> kBinary = {
        "+", "-", "*", "/", ">", ">=", "<", "<=", "==", "!=", "and", "or"};
    Expr e;
    auto arity = [&](std::size_t n) {
      if (args.size() == n) return true;
      bad(path, fmt::format("operator '{}' takes {} argument(s), found {}", op, n, args.size()));
      return false;
    };
    const bool plain = !j.contains("params") && !j.contains("output");
    if (plain && (op == "not" || (op == "-" && args.size() == 1))) {
      if (!arity(1)) return std::nullopt;
      e = Expr::unary(op, std::move(args[0]));
    } else if (plain && (op == "and" || op == "or") && args.size() >= 2) {
      e = std::move(args[0]);
      for (std::size_t i = 1; i < args.size(); ++i) {
        e = Expr::binary(op, std::move(e), std::move(args[i]));
        e.path = rel;
      }
    } else if (plain && kBinary.count(op) > 0) {
      if (!arity(2)) return std::nullopt;
      e = Expr::binary(op, std::move(args[0]), std::move(args[1]));
    } else if (plain && (op == "ago" || op == "[]")) {
      if (!arity(2)) return std::nullopt;
      e.kind = ExprKind::kIndex;
      e.args = std::move(args);
    } else {
      e = Expr::call(op, std::move(args));
      if (j.contains("params")) {
        const Json& prm = j["params"];
        if (!prm.is_object()) {
          bad(path + ".params",
              fmt::format("expected an object of named arguments, found {}", json_type(prm)));
          return std::nullopt;
        }
        for (const auto& [key, value] : prm.items()) {
          auto a = expr(value, root, rel + ".params." + key);
          if (!a) return std::nullopt;
          e.args.push_back(std::move(*a));
          e.arg_names.push_back(key);
        }
      }
      if (j.contains("output")) {
        if (!j["output"].is_string()) {
          bad(path + ".output", "expected the output's name (text)");
          return std::nullopt;
        }
        e.member = j["output"].get<std::string>();
      }
    }
    e.path = rel;
    return e;
  }

 private:
  std::vector<SpecIssue>& issues_;
};

}  // namespace

std::optional<Json> parse_json_document(std::string_view text, std::vector<SpecIssue>& issues) {
  // Duplicate keys are refused (nlohmann would keep the last one silently).
  std::vector<std::set<std::string>> open_objects;
  std::vector<std::string> key_path;
  std::vector<bool> frame_is_object;
  std::string duplicate;
  Json::parser_callback_t callback = [&](int /*depth*/, Json::parse_event_t event, Json& parsed) {
    switch (event) {
      case Json::parse_event_t::object_start:
        open_objects.emplace_back();
        frame_is_object.push_back(true);
        key_path.emplace_back();
        break;
      case Json::parse_event_t::array_start:
        frame_is_object.push_back(false);
        key_path.emplace_back();
        break;
      case Json::parse_event_t::object_end:
      case Json::parse_event_t::array_end:
        if (!frame_is_object.empty()) {
          if (frame_is_object.back()) open_objects.pop_back();
          frame_is_object.pop_back();
          key_path.pop_back();
        }
        break;
      case Json::parse_event_t::key: {
        const std::string key = parsed.get<std::string>();
        if (!open_objects.empty() && !open_objects.back().insert(key).second && duplicate.empty()) {
          std::string path;
          for (std::size_t i = 0; i + 1 < key_path.size(); ++i) {
            if (!key_path[i].empty()) append_joined(path, ".", key_path[i]);
          }
          duplicate = path.empty() ? key : path + "." + key;
        }
        if (!key_path.empty()) key_path.back() = key;
        break;
      }
      default:
        break;
    }
    return true;
  };
  try {
    Json doc =
        Json::parse(text.begin(), text.end(), callback, /*allow_exceptions=*/true, /*ignore_comments=*/false);
    if (!duplicate.empty()) {
      issues.push_back(
          {duplicate, 0, fmt::format("duplicate key '{}'", duplicate.substr(duplicate.rfind('.') + 1))});
      return std::nullopt;
    }
    return doc;
  } catch (const nlohmann::json::parse_error& e) {
    // Locate the error as line:column from the byte offset nlohmann reports.
    std::size_t line = 1, col = 1;
    const std::size_t end = std::min<std::size_t>(e.byte == 0 ? 0 : e.byte - 1, text.size());
    for (std::size_t i = 0; i < end; ++i) {
      if (text[i] == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
    }
    std::string what = e.what();
    // nlohmann: "[json.exception.parse_error.101] parse error at line 3, column 14: syntax error while ...".
    const auto colon = what.find(": ", what.find("column"));
    if (colon != std::string::npos) what = what.substr(colon + 2);
    issues.push_back({fmt::format("{}:{}", line, col), 0, "JSON syntax error: " + what});
    return std::nullopt;
  } catch (const std::exception& e) {
    issues.push_back({"", 0, std::string("JSON error: ") + e.what()});
    return std::nullopt;
  }
}

Spec spec_from_json(const Json& doc, std::vector<SpecIssue>& issues) {
  return Reader(issues).read(doc);
}

std::optional<Expr> expr_from_json(const Json& j, const std::string& path, std::vector<SpecIssue>& issues) {
  return Reader(issues).expr(j, path);
}

}  // namespace tradeloop::strategy::internal
