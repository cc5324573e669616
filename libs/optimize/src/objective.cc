#include "tradeloop/optimize/objective.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

#include <fmt/format.h>

namespace tradeloop::optimize {
namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();

constexpr std::string_view kMagnitudeMetrics[] = {"max_drawdown_pct", "avg_drawdown_pct", "var_95_pct",
                                                  "cvar_95_pct", "ulcer_index"};
constexpr std::string_view kMinimizedMetrics[] = {"max_drawdown_duration", "volatility_ann_pct",
                                                  "commissions", "max_consecutive_losses"};

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

bool valid_metric_name(std::string_view name) {
  if (name.empty()) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || (c >= 'A' && c <= 'Z');
  });
}

std::string num(double v) {
  return fmt::format("{}", v);
}

}  // namespace

bool compares_by_magnitude(std::string_view metric) {
  return std::find(std::begin(kMagnitudeMetrics), std::end(kMagnitudeMetrics), metric) !=
         std::end(kMagnitudeMetrics);
}

Direction natural_direction(std::string_view metric) {
  if (compares_by_magnitude(metric)) return Direction::kMinimize;
  if (std::find(std::begin(kMinimizedMetrics), std::end(kMinimizedMetrics), metric) !=
      std::end(kMinimizedMetrics)) {
    return Direction::kMinimize;
  }
  return Direction::kMaximize;
}

Objective::Objective() {
  terms_.push_back(Term{"sharpe_ratio", Direction::kMaximize, false});
}

Result<Objective> Objective::parse(std::string_view text) {
  Objective out;
  out.terms_.clear();
  const auto fail = [&](std::string_view why) {
    return Error::invalid_argument(fmt::format("--objective '{}': {}", text, why));
  };
  text = trim(text);
  if (text.empty()) return fail("empty");

  if (text == "composite" || text.starts_with("composite:")) {
    out.terms_.push_back(Term{"composite", Direction::kMaximize, false});
    std::string_view rest = text.size() > 9 ? text.substr(10) : std::string_view{};
    while (!rest.empty()) {
      const auto comma = rest.find(',');
      const std::string_view item = trim(rest.substr(0, comma));
      rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
      const auto eq = item.find('=');
      if (eq == std::string_view::npos) return fail(fmt::format("'{}': expected metric=weight", item));
      const std::string_view name = trim(item.substr(0, eq));
      const std::string_view number = trim(item.substr(eq + 1));
      double w = 0;
      const auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), w);
      if (ec != std::errc() || ptr != number.data() + number.size() || !std::isfinite(w)) {
        return fail(fmt::format("'{}': weight '{}' is not a number", name, number));
      }
      if (name == "dd_penalty") {
        if (w < 0) return fail("dd_penalty must not be negative");
        out.dd_penalty_ = w;
      } else if (name == "dd_threshold") {
        if (w < 0) return fail("dd_threshold must not be negative");
        out.dd_threshold_ = w;
      } else if (valid_metric_name(name)) {
        for (const auto& [existing, _] : out.weights_) {
          if (existing == name) return fail(fmt::format("metric '{}' is weighted twice", name));
        }
        out.weights_.emplace_back(std::string(name), w);
      } else {
        return fail(fmt::format("'{}' is not a metric name", name));
      }
    }
    if (out.weights_.empty()) out.weights_.emplace_back("sharpe_ratio", 1.0);
    return out;
  }

  std::string_view rest = text;
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    std::string_view item = trim(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    Term term;
    std::optional<Direction> explicit_direction;
    if (item.starts_with("max:")) {
      explicit_direction = Direction::kMaximize;
      item.remove_prefix(4);
    } else if (item.starts_with("min:")) {
      explicit_direction = Direction::kMinimize;
      item.remove_prefix(4);
    }
    item = trim(item);
    if (item == "composite") return fail("composite cannot be combined with other objectives");
    if (!valid_metric_name(item)) return fail(fmt::format("'{}' is not a metric name", item));
    term.metric = std::string(item);
    term.magnitude = compares_by_magnitude(item);
    term.direction = explicit_direction.value_or(natural_direction(item));
    for (const Term& t : out.terms_) {
      if (t.metric == term.metric) return fail(fmt::format("metric '{}' is listed twice", term.metric));
    }
    out.terms_.push_back(std::move(term));
  }
  if (out.terms_.empty()) return fail("no metric named");
  return out;
}

std::vector<std::string> Objective::metrics_used() const {
  std::vector<std::string> out;
  for (const Term& t : terms_) {
    if (t.metric == "composite") {
      for (const auto& [name, _] : weights_) out.push_back(name);
      if (dd_penalty_ > 0) out.emplace_back("max_drawdown_pct");
    } else {
      out.push_back(t.metric);
    }
  }
  if (constraints_.min_trades) out.emplace_back("num_trades");
  if (constraints_.max_drawdown_pct) out.emplace_back("max_drawdown_pct");
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::string Objective::describe() const {
  std::string out;
  for (const Term& t : terms_) {
    if (!out.empty()) out += ",";
    if (t.metric == "composite") {
      std::string sum;
      for (const auto& [name, w] : weights_) {
        if (!sum.empty()) sum += " + ";
        sum += fmt::format("{}*{}", num(w), name);
      }
      out += fmt::format("composite = {} - {}*max(0, |max_drawdown_pct| - {})", sum, num(dd_penalty_),
                         num(dd_threshold_));
    } else {
      out += (t.direction == natural_direction(t.metric)
                  ? ""
                  : (t.direction == Direction::kMaximize ? "max:" : "min:"));
      out += t.metric;
    }
  }
  return out;
}

std::string Objective::canonical() const {
  std::string out;
  for (const Term& t : terms_) {
    out += fmt::format("{}:{}{};", t.direction == Direction::kMaximize ? "max" : "min", t.metric,
                       t.magnitude ? "|abs" : "");
  }
  for (const auto& [name, w] : weights_) out += fmt::format("w:{}={};", name, num(w));
  if (!weights_.empty()) out += fmt::format("dd:{}:{};", num(dd_penalty_), num(dd_threshold_));
  if (constraints_.min_trades) out += fmt::format("min_trades={};", num(*constraints_.min_trades));
  if (constraints_.max_drawdown_pct)
    out += fmt::format("max_drawdown={};", num(*constraints_.max_drawdown_pct));
  return out;
}

double Objective::utility(std::size_t i, double value) const {
  if (std::isnan(value)) return kNegInf;
  const Term& t = terms_[i];
  const double v = t.magnitude ? std::fabs(value) : value;
  return t.direction == Direction::kMaximize ? v : -v;
}

Objective::Score Objective::score(const std::map<std::string, double>& metrics) const {
  Score s;
  const auto get = [&](const std::string& name, double& out) -> bool {
    const auto it = metrics.find(name);
    if (it == metrics.end()) return false;
    out = it->second;
    return true;
  };
  for (std::size_t i = 0; i < terms_.size(); ++i) {
    const Term& t = terms_[i];
    double value = std::numeric_limits<double>::quiet_NaN();
    if (t.metric == "composite") {
      double sum = 0;
      bool complete = true;
      for (const auto& [name, w] : weights_) {
        double m = 0;
        if (!get(name, m)) {
          if (s.rejected_reason.empty()) s.rejected_reason = fmt::format("metric '{}' is missing", name);
          complete = false;
          break;
        }
        sum += w * m;
      }
      if (complete && dd_penalty_ > 0) {
        double dd = 0;
        if (!get("max_drawdown_pct", dd)) {
          if (s.rejected_reason.empty()) s.rejected_reason = "metric 'max_drawdown_pct' is missing";
          complete = false;
        } else {
          sum -= dd_penalty_ * std::max(0.0, std::fabs(dd) - dd_threshold_);
        }
      }
      if (complete) value = sum;
    } else if (!get(t.metric, value)) {
      if (s.rejected_reason.empty()) s.rejected_reason = fmt::format("metric '{}' is missing", t.metric);
    }
    if (std::isnan(value) && s.rejected_reason.empty()) {
      s.rejected_reason = fmt::format("objective '{}' is not a number", t.metric);
    }
    s.values.push_back(value);
  }
  if (s.rejected_reason.empty() && constraints_.min_trades) {
    double trades = 0;
    if (!get("num_trades", trades)) {
      s.rejected_reason = "metric 'num_trades' is missing (needed by --min-trades)";
    } else if (!(trades >= *constraints_.min_trades)) {
      s.rejected_reason =
          fmt::format("num_trades {} is below --min-trades {}", num(trades), num(*constraints_.min_trades));
    }
  }
  if (s.rejected_reason.empty() && constraints_.max_drawdown_pct) {
    double dd = 0;
    if (!get("max_drawdown_pct", dd)) {
      s.rejected_reason = "metric 'max_drawdown_pct' is missing (needed by --max-drawdown)";
    } else if (!(std::fabs(dd) <= *constraints_.max_drawdown_pct)) {
      s.rejected_reason = fmt::format("max_drawdown_pct {:.4g} exceeds --max-drawdown {}", dd,
                                      num(*constraints_.max_drawdown_pct));
    }
  }
  s.utilities.resize(terms_.size(), kNegInf);
  if (s.rejected_reason.empty()) {
    for (std::size_t i = 0; i < terms_.size(); ++i) s.utilities[i] = utility(i, s.values[i]);
  }
  return s;
}

}  // namespace tradeloop::optimize
