#include "tradeloop/discover/quality_gates.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "json_util.h"

namespace tradeloop::discover {

using internal::Json;

std::string_view frequency_class_name(FrequencyClass c) {
  switch (c) {
    case FrequencyClass::kIntraday:
      return "intraday";
    case FrequencyClass::kDaily:
      return "daily";
    case FrequencyClass::kWeekly:
      return "weekly";
  }
  return "daily";
}

FrequencyClass classify_timeframe(const Timeframe& tf) {
  if (!tf.valid()) return FrequencyClass::kDaily;
  const Timestamp ns = tf.nominal_ns();
  if (ns < kNanosPerDay) return FrequencyClass::kIntraday;
  if (ns == kNanosPerDay) return FrequencyClass::kDaily;
  return FrequencyClass::kWeekly;
}

QualityGates QualityGates::defaults_for(FrequencyClass c) {
  QualityGates g;  // the seed document's values: intraday crypto over weeks of 5-minute bars
  switch (c) {
    case FrequencyClass::kIntraday:
      break;
    case FrequencyClass::kDaily:
      // Years of daily bars span whole market cycles (2008 for GOOG): a 10% drawdown cap would
      // accept only strategies that are almost never in the market, and trend-following wins
      // fewer than half its trades while the annualized Sharpe of daily returns is far less noisy
      // than that of a few weeks of 5-minute returns.
      g.min_sharpe_ratio = 1.0;
      g.max_drawdown = 0.20;
      g.min_win_rate = 0.50;
      g.min_trades = 20;
      break;
    case FrequencyClass::kWeekly:
      g.min_sharpe_ratio = 0.8;
      g.max_drawdown = 0.25;
      g.min_win_rate = 0.50;
      g.min_trades = 10;
      break;
  }
  return g;
}

namespace {

struct KeyInfo {
  const char* key;
  double QualityGates::*member;
  double min;
  double max;
};

constexpr KeyInfo kKeys[] = {
    {"min_sharpe_ratio", &QualityGates::min_sharpe_ratio, -100, 100},
    {"max_drawdown", &QualityGates::max_drawdown, 0, 1},
    {"min_win_rate", &QualityGates::min_win_rate, 0, 1},
    {"min_trades", &QualityGates::min_trades, 0, 1e9},
    {"min_deflated_sharpe", &QualityGates::min_deflated_sharpe, 0, 1},
    {"trial_correlation", &QualityGates::trial_correlation, 0, 1},
    {"max_oos_degradation", &QualityGates::max_oos_degradation, 0, 100},
    {"min_oos_sharpe_ratio", &QualityGates::min_oos_sharpe_ratio, -100, 100},
    {"max_correlation", &QualityGates::max_correlation, 0, 1},
};

const KeyInfo* find_key(std::string_view key) {
  for (const auto& k : kKeys) {
    if (key == k.key) return &k;
  }
  return nullptr;
}

std::string known_keys() {
  std::string out;
  for (const auto& k : kKeys) {
    if (!out.empty()) out += ", ";
    out += k.key;
  }
  return out;
}

Status check_value(std::string_view key, double value, std::string_view origin) {
  const KeyInfo* info = find_key(key);
  if (info == nullptr) {
    return Error::invalid_argument(
        fmt::format("{}: unknown gate '{}' (known: {})", origin, key, known_keys()));
  }
  if (!std::isfinite(value) || value < info->min || value > info->max) {
    return Error::out_of_range(
        fmt::format("{}: gate '{}' = {} is outside [{}, {}]", origin, key, value, info->min, info->max));
  }
  return ok_status();
}

int class_index(std::string_view name) {
  for (int i = 0; i < 3; ++i) {
    if (frequency_class_name(static_cast<FrequencyClass>(i)) == name) return i;
  }
  return -1;
}

}  // namespace

Result<GateOverrides> GateOverrides::load_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Error::io(fmt::format("{}: cannot read the gates file", path));
  std::stringstream text;
  text << in.rdbuf();
  return parse(text.str(), path);
}

Result<GateOverrides> GateOverrides::parse(std::string_view json_text, std::string_view origin) {
  Json j = Json::parse(json_text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return Error::invalid_argument(
        fmt::format("{}: gates must be a JSON object such as {{\"min_sharpe_ratio\": 1.5}}", origin));
  }
  GateOverrides out;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& key = it.key();
    const int cls = class_index(key);
    if (cls >= 0) {
      if (!it.value().is_object()) {
        return Error::invalid_argument(fmt::format("{}: '{}' must be an object of gates", origin, key));
      }
      for (auto jt = it.value().begin(); jt != it.value().end(); ++jt) {
        if (!jt.value().is_number()) {
          return Error::invalid_argument(fmt::format("{}: {}.{} must be a number", origin, key, jt.key()));
        }
        const double v = jt.value().get<double>();
        TL_TRY(check_value(jt.key(), v, fmt::format("{}: {}", origin, key)));
        out.per_class_[cls].push_back({jt.key(), v});
      }
      continue;
    }
    if (!it.value().is_number()) {
      if (find_key(key) == nullptr) {
        return Error::invalid_argument(
            fmt::format("{}: unknown gate '{}' (known: {}, or an intraday/daily/weekly object)", origin, key,
                        known_keys()));
      }
      return Error::invalid_argument(fmt::format("{}: gate '{}' must be a number", origin, key));
    }
    const double v = it.value().get<double>();
    TL_TRY(check_value(key, v, origin));
    out.flat_.push_back({key, v});
  }
  return out;
}

Status GateOverrides::set(std::string_view key, double value, std::string_view origin) {
  TL_TRY(check_value(key, value, origin));
  flat_.push_back({std::string(key), value});
  return ok_status();
}

QualityGates GateOverrides::resolve(FrequencyClass c) const {
  QualityGates g = QualityGates::defaults_for(c);
  for (const auto& e : flat_) g.*(find_key(e.key)->member) = e.value;
  for (const auto& e : per_class_[static_cast<int>(c)]) g.*(find_key(e.key)->member) = e.value;
  return g;
}

std::string GateOverrides::to_json() const {
  Json j = Json::object();
  for (const auto& e : flat_) j[e.key] = e.value;
  for (int i = 0; i < 3; ++i) {
    for (const auto& e : per_class_[i])
      j[std::string(frequency_class_name(static_cast<FrequencyClass>(i)))][e.key] = e.value;
  }
  return j.dump();
}

namespace {

double get(const Metrics& m, std::string_view key) {
  auto it = m.find(key);
  return it == m.end() ? std::numeric_limits<double>::quiet_NaN() : it->second;
}

// Shortest round-trip-ish text for reasons: 4 significant digits is what a reader needs.
std::string num(double v) {
  return fmt::format("{:.4g}", v);
}

}  // namespace

std::vector<std::string> check_gates(const QualityGates& g, const Metrics& m) {
  std::vector<std::string> reasons;
  const double trades = get(m, "num_trades");
  if (!(trades >= g.min_trades)) {
    reasons.push_back(fmt::format("num_trades {} < min {}", std::isnan(trades) ? "undefined" : num(trades),
                                  num(g.min_trades)));
  }
  const double sharpe = get(m, "sharpe_ratio");
  if (std::isnan(sharpe)) {
    reasons.push_back(
        fmt::format("sharpe_ratio undefined (no return variance) < min {}", num(g.min_sharpe_ratio)));
  } else if (sharpe < g.min_sharpe_ratio) {
    reasons.push_back(fmt::format("sharpe_ratio {} < min {}", num(sharpe), num(g.min_sharpe_ratio)));
  }
  // Drawdowns are negative percentages (the analytics convention); the limit is a positive fraction.
  const double dd = get(m, "max_drawdown_pct");
  if (std::isnan(dd) || std::abs(dd) > g.max_drawdown * 100) {
    reasons.push_back(fmt::format("max_drawdown_pct {} < {}",
                                  std::isnan(dd) ? "undefined" : num(-std::abs(dd)),
                                  num(-g.max_drawdown * 100)));
  }
  const double wr = get(m, "win_rate_pct");
  if (std::isnan(wr) || wr < g.min_win_rate * 100) {
    reasons.push_back(fmt::format("win_rate_pct {} < min {}",
                                  std::isnan(wr) ? "undefined (no trades)" : num(wr),
                                  num(g.min_win_rate * 100)));
  }
  const double dsr = get(m, "deflated_sharpe");
  if (std::isnan(dsr) || dsr < g.min_deflated_sharpe) {
    reasons.push_back(fmt::format("deflated_sharpe {} < min {} ({} trials, {} independent)",
                                  std::isnan(dsr) ? "undefined" : num(dsr), num(g.min_deflated_sharpe),
                                  num(get(m, "trials")), num(get(m, "effective_trials"))));
  }
  const double oos = get(m, "oos_sharpe_ratio");
  if (std::isnan(oos) || oos < g.min_oos_sharpe_ratio) {
    reasons.push_back(fmt::format("oos_sharpe_ratio {} < min {}", std::isnan(oos) ? "undefined" : num(oos),
                                  num(g.min_oos_sharpe_ratio)));
  }
  const double degradation = get(m, "oos_degradation");
  if (!std::isnan(degradation) && degradation > g.max_oos_degradation) {
    reasons.push_back(fmt::format("oos_degradation {} > max {} (oos_sharpe_ratio {} vs sharpe_ratio {})",
                                  num(degradation), num(g.max_oos_degradation), num(oos), num(sharpe)));
  }
  const double corr = get(m, "max_correlation");
  if (!std::isnan(corr) && corr > g.max_correlation) {
    reasons.push_back(fmt::format("duplicate: returns correlation {} with strategy {} > max {}", num(corr),
                                  num(get(m, "correlated_with")), num(g.max_correlation)));
  }
  return reasons;
}

double fitness(const QualityGates& g, const Metrics& m) {
  const double sharpe = get(m, "sharpe_ratio");
  const double trades = get(m, "num_trades");
  if (std::isnan(sharpe) || std::isnan(trades)) return -1e9;
  double score = std::clamp(sharpe, -5.0, 5.0);
  auto shortfall = [](double value, double limit) {
    return limit > 0 ? std::max(0.0, (limit - value) / limit) : 0.0;
  };
  score -= 2 * shortfall(trades, g.min_trades);
  const double wr = get(m, "win_rate_pct");
  score -= 2 * shortfall(std::isnan(wr) ? 0 : wr, g.min_win_rate * 100);
  const double dd = get(m, "max_drawdown_pct");
  if (g.max_drawdown > 0) {
    score -= 2 * std::max(0.0, ((std::isnan(dd) ? 100 : std::abs(dd)) - g.max_drawdown * 100) /
                                   (g.max_drawdown * 100));
  }
  score -= 2 * shortfall(sharpe, g.min_sharpe_ratio);
  return score;
}

}  // namespace tradeloop::discover
