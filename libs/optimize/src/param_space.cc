#include "tradeloop/optimize/param_space.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

#include <fmt/format.h>

namespace tradeloop::optimize {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool parse_number(std::string_view text, double& out) {
  text = trim(text);
  if (text.empty()) return false;
  if (text.front() == '+') text.remove_prefix(1);
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc() && ptr == end && std::isfinite(out);
}

// Decimal places written in a number ("0.050" -> 3); 17 (no rounding) for exponent forms.
int decimals_of(std::string_view text) {
  text = trim(text);
  if (text.find_first_of("eE") != std::string_view::npos) return 17;
  const auto dot = text.find('.');
  return dot == std::string_view::npos ? 0 : static_cast<int>(text.size() - dot - 1);
}

bool is_whole(double v) {
  return std::floor(v) == v && std::fabs(v) < 9.0e15;
}

double round_to(double v, int decimals) {
  if (decimals <= 0) return std::round(v);
  if (decimals > 15) return v;
  const double scale = std::pow(10.0, decimals);
  return std::round(v * scale) / scale;
}

std::string shortest(double v) {
  if (v == 0) return "0";  // also folds -0
  return fmt::format("{}", v);
}

std::string json_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out.push_back('"');
  for (const char c : s) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += fmt::format("\\u{:04x}", static_cast<int>(c));
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
  return out;
}

}  // namespace

std::string_view param_kind_name(ParamKind kind) {
  switch (kind) {
    case ParamKind::kInt:
      return "int";
    case ParamKind::kFloat:
      return "float";
    case ParamKind::kCategorical:
      return "categorical";
  }
  return "?";
}

std::uint64_t ParamDef::count() const {
  if (kind == ParamKind::kCategorical) return choices.size();
  if (max == min) return 1;
  if (step <= 0) return 0;
  // A small tolerance so that 0.1:0.3:0.1 has 3 points despite binary rounding.
  const double n = std::floor((max - min) / step + 1e-9);
  if (n >= 9.0e18) return std::numeric_limits<std::uint64_t>::max();
  return static_cast<std::uint64_t>(n) + 1;
}

double ParamDef::value_at(std::uint64_t i) const {
  if (kind == ParamKind::kCategorical) return static_cast<double>(i);
  if (max == min) return min;
  const double v = min + static_cast<double>(i) * step;
  return std::min(max, kind == ParamKind::kInt ? std::round(v) : round_to(v, decimals));
}

Result<ParamDef> parse_param(std::string_view text) {
  const auto fail = [&](std::string_view why) {
    return Error::invalid_argument(fmt::format("--param '{}': {}", text, why));
  };
  const auto eq = text.find('=');
  if (eq == std::string_view::npos) return fail("expected name=min:max[:step] or name=a,b,c");
  ParamDef def;
  def.name = std::string(trim(text.substr(0, eq)));
  const std::string_view body = trim(text.substr(eq + 1));
  if (def.name.empty()) return fail("the parameter name is empty");
  if (body.empty()) return fail("no range after '='");

  if (body.find(':') == std::string_view::npos) {
    // A fixed number, or a categorical list.
    double v = 0;
    if (body.find(',') == std::string_view::npos && parse_number(body, v)) {
      def.kind = is_whole(v) && decimals_of(body) == 0 ? ParamKind::kInt : ParamKind::kFloat;
      def.min = def.max = v;
      def.step = def.kind == ParamKind::kInt ? 1 : 0;
      def.decimals = decimals_of(body);
      return def;
    }
    def.kind = ParamKind::kCategorical;
    std::string_view rest = body;
    while (true) {
      const auto comma = rest.find(',');
      const std::string_view item = trim(rest.substr(0, comma));
      if (item.empty()) return fail("empty choice in the list");
      if (std::find(def.choices.begin(), def.choices.end(), item) != def.choices.end()) {
        return fail(fmt::format("choice '{}' is listed twice", item));
      }
      def.choices.emplace_back(item);
      if (comma == std::string_view::npos) break;
      rest = rest.substr(comma + 1);
    }
    def.max = static_cast<double>(def.choices.size() - 1);
    def.step = 1;
    return def;
  }

  std::string_view parts[3];
  int n = 0;
  std::string_view rest = body;
  while (true) {
    if (n == 3) return fail("expected at most three fields min:max:step");
    const auto colon = rest.find(':');
    parts[n++] = rest.substr(0, colon);
    if (colon == std::string_view::npos) break;
    rest = rest.substr(colon + 1);
  }
  if (n < 2) return fail("expected min:max[:step]");
  double values[3] = {0, 0, 0};
  static constexpr std::string_view kNames[] = {"min", "max", "step"};
  for (int i = 0; i < n; ++i) {
    if (!parse_number(parts[i], values[i])) {
      return fail(fmt::format("{} '{}' is not a number", kNames[i], trim(parts[i])));
    }
    def.decimals = std::max(def.decimals, decimals_of(parts[i]));
  }
  def.min = values[0];
  def.max = values[1];
  if (def.min > def.max)
    return fail(fmt::format("min {} is above max {}", shortest(def.min), shortest(def.max)));
  const bool has_step = n == 3;
  if (has_step && values[2] <= 0) return fail(fmt::format("step {} must be positive", shortest(values[2])));
  // Written decimals ("0.0:1.0") make a float even when the values are whole.
  const bool whole =
      def.decimals == 0 && is_whole(def.min) && is_whole(def.max) && (!has_step || is_whole(values[2]));
  def.kind = whole ? ParamKind::kInt : ParamKind::kFloat;
  def.step = has_step ? values[2] : (whole ? 1.0 : 0.0);
  return def;
}

Status ParamSpace::add(ParamDef def) {
  if (def.name.empty()) return Error::invalid_argument("parameter with an empty name");
  if (find(def.name) >= 0) {
    return Error::invalid_argument(fmt::format("parameter '{}' is given twice", def.name));
  }
  if (def.kind == ParamKind::kCategorical) {
    if (def.choices.empty())
      return Error::invalid_argument(fmt::format("parameter '{}' has no choices", def.name));
    def.min = 0;
    def.max = static_cast<double>(def.choices.size() - 1);
    def.step = 1;
  } else {
    if (!std::isfinite(def.min) || !std::isfinite(def.max) || def.min > def.max) {
      return Error::invalid_argument(fmt::format("parameter '{}': min {} must not exceed max {}", def.name,
                                                 shortest(def.min), shortest(def.max)));
    }
    if (def.step < 0 || !std::isfinite(def.step)) {
      return Error::invalid_argument(
          fmt::format("parameter '{}': step {} must not be negative", def.name, shortest(def.step)));
    }
    if (def.kind == ParamKind::kInt) {
      if (!is_whole(def.min) || !is_whole(def.max) || (def.step != 0 && !is_whole(def.step))) {
        return Error::invalid_argument(
            fmt::format("parameter '{}' is an integer: min, max and step must be whole numbers", def.name));
      }
      if (def.step == 0) def.step = 1;
    }
  }
  params_.push_back(std::move(def));
  return {};
}

Status ParamSpace::set_kind(std::string_view name, ParamKind kind) {
  const int i = find(name);
  if (i < 0) return Error::not_found(fmt::format("no parameter '{}'", name));
  ParamDef& def = params_[static_cast<std::size_t>(i)];
  if (def.kind == ParamKind::kCategorical || kind == ParamKind::kCategorical) {
    if (def.kind != kind) {
      return Error::invalid_argument(fmt::format("parameter '{}' is {} and cannot become {}", name,
                                                 param_kind_name(def.kind), param_kind_name(kind)));
    }
    return {};
  }
  if (kind == ParamKind::kInt && (!is_whole(def.min) || !is_whole(def.max) || !is_whole(def.step))) {
    return Error::invalid_argument(
        fmt::format("parameter '{}' is an integer but its range {}:{}:{} is not whole", name,
                    shortest(def.min), shortest(def.max), shortest(def.step)));
  }
  if (kind == ParamKind::kInt && def.step == 0) def.step = 1;
  def.kind = kind;
  return {};
}

int ParamSpace::find(std::string_view name) const {
  for (std::size_t i = 0; i < params_.size(); ++i) {
    if (params_[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

Result<std::uint64_t> ParamSpace::grid_size() const {
  std::uint64_t total = 1;
  for (const ParamDef& def : params_) {
    const std::uint64_t n = def.count();
    if (n == 0) {
      return Error::invalid_argument(fmt::format(
          "parameter '{}' is continuous ({}:{}): give a step ({}={}:{}:STEP) to enumerate it on a grid",
          def.name, shortest(def.min), shortest(def.max), def.name, shortest(def.min), shortest(def.max)));
    }
    if (total > std::numeric_limits<std::uint64_t>::max() / n) {
      return Error::out_of_range("the parameter grid has more than 2^64 points");
    }
    total *= n;
  }
  return total;
}

ParamPoint ParamSpace::grid_point(std::uint64_t index) const {
  ParamPoint point(params_.size());
  for (std::size_t k = params_.size(); k-- > 0;) {
    const std::uint64_t n = params_[k].count();
    point[k] = params_[k].value_at(index % n);
    index /= n;
  }
  return point;
}

ParamPoint ParamSpace::sample(Rng& rng) const {
  ParamPoint point(params_.size());
  for (std::size_t i = 0; i < params_.size(); ++i) {
    const ParamDef& def = params_[i];
    point[i] = def.continuous() ? rng.uniform(def.min, def.max) : def.value_at(rng.below(def.count()));
  }
  return point;
}

void ParamSpace::snap_one(std::size_t i, double& value) const {
  const ParamDef& def = params_[i];
  if (!std::isfinite(value)) value = def.min;
  value = std::clamp(value, def.min, def.max);
  if (def.continuous() || def.max == def.min) {
    if (def.max == def.min) value = def.min;
    return;
  }
  const double idx = std::round((value - def.min) / def.step);
  const auto last = static_cast<double>(def.count() - 1);
  value = def.value_at(static_cast<std::uint64_t>(std::clamp(idx, 0.0, last)));
}

ParamPoint ParamSpace::snap(const ParamPoint& point) const {
  ParamPoint out = point;
  out.resize(params_.size(), 0.0);
  for (std::size_t i = 0; i < params_.size(); ++i) snap_one(i, out[i]);
  return out;
}

std::size_t ParamSpace::encoded_size() const {
  std::size_t n = 0;
  for (const ParamDef& def : params_) n += def.kind == ParamKind::kCategorical ? def.choices.size() : 1;
  return n;
}

void ParamSpace::encode(const ParamPoint& point, double* out) const {
  for (std::size_t i = 0; i < params_.size(); ++i) {
    const ParamDef& def = params_[i];
    if (def.kind == ParamKind::kCategorical) {
      for (std::size_t c = 0; c < def.choices.size(); ++c)
        *out++ = static_cast<double>(c) == point[i] ? 1.0 : 0.0;
    } else {
      *out++ = def.max > def.min ? (point[i] - def.min) / (def.max - def.min) : 0.5;
    }
  }
}

ParamPoint ParamSpace::decode(const double* in) const {
  ParamPoint point(params_.size());
  for (std::size_t i = 0; i < params_.size(); ++i) {
    const ParamDef& def = params_[i];
    if (def.kind == ParamKind::kCategorical) {
      std::size_t best = 0;
      for (std::size_t c = 1; c < def.choices.size(); ++c) {
        if (in[c] > in[best]) best = c;
      }
      point[i] = static_cast<double>(best);
      in += def.choices.size();
    } else {
      point[i] = def.min + std::clamp(*in++, 0.0, 1.0) * (def.max - def.min);
      snap_one(i, point[i]);
    }
  }
  return point;
}

std::vector<ParamPoint> ParamSpace::neighbours(const ParamPoint& point) const {
  std::vector<ParamPoint> out;
  for (std::size_t i = 0; i < params_.size(); ++i) {
    const ParamDef& def = params_[i];
    if (def.kind == ParamKind::kCategorical || def.max == def.min) continue;
    const double step = def.continuous() ? (def.max - def.min) / 20.0 : def.step;
    for (const double direction : {-1.0, 1.0}) {
      double v = point[i] + direction * step;
      if (v < def.min - 1e-12 * std::fabs(step) || v > def.max + 1e-12 * std::fabs(step)) continue;
      snap_one(i, v);
      if (v == point[i]) continue;
      ParamPoint neighbour = point;
      neighbour[i] = v;
      out.push_back(std::move(neighbour));
    }
  }
  return out;
}

std::string ParamSpace::key(const ParamPoint& point) const {
  std::string out;
  for (std::size_t i = 0; i < point.size(); ++i) {
    if (i) out.push_back(',');
    out += shortest(point[i]);
  }
  return out;
}

std::string ParamSpace::value_text(std::size_t i, double value) const {
  const ParamDef& def = params_[i];
  if (def.kind == ParamKind::kCategorical) {
    const auto idx = static_cast<std::size_t>(std::clamp(value, 0.0, def.max));
    return def.choices[idx];
  }
  return shortest(value);
}

std::string ParamSpace::to_json(const ParamPoint& point) const {
  std::string out = "{";
  for (std::size_t i = 0; i < params_.size(); ++i) {
    if (i) out.push_back(',');
    out += json_escape(params_[i].name);
    out.push_back(':');
    const std::string text = value_text(i, point[i]);
    double number = 0;
    const bool numeric = params_[i].kind != ParamKind::kCategorical || parse_number(text, number);
    out += numeric ? text : json_escape(text);
  }
  out.push_back('}');
  return out;
}

std::string ParamSpace::canonical() const {
  std::string out;
  for (const ParamDef& def : params_) {
    if (!out.empty()) out.push_back(';');
    out += def.name;
    out.push_back('=');
    out += param_kind_name(def.kind);
    if (def.kind == ParamKind::kCategorical) {
      for (const std::string& c : def.choices) {
        out.push_back(':');
        out += c;
      }
    } else {
      out += fmt::format(":{}:{}:{}", shortest(def.min), shortest(def.max), shortest(def.step));
    }
  }
  return out;
}

}  // namespace tradeloop::optimize
