#include "tradeloop/execution/sizing.h"

#include <cfloat>
#include <charconv>
#include <cmath>

#include <fmt/format.h>

namespace tradeloop::execution {

using model::SizingMode;

double python_floor_div(double a, double b) {
  // CPython's float_floor_div: exact quotient from fmod, so 0.9999999 / x never rounds up to a whole unit.
  double mod = std::fmod(a, b);
  double div = (a - mod) / b;
  if (mod != 0 && ((b < 0) != (mod < 0))) div -= 1.0;
  if (div == 0) return std::copysign(0.0, a / b);
  double floordiv = std::floor(div);
  if (div - floordiv > 0.5) floordiv += 1.0;
  return floordiv;
}

Result<Sizing> Sizing::parse(std::string_view text) {
  Sizing s;
  if (text == "all_in") return s;
  const auto colon = text.find(':');
  std::string_view kind = text.substr(0, colon);
  if (colon == std::string_view::npos || colon + 1 >= text.size()) {
    return Error::invalid_argument(
        fmt::format("sizing: '{}' is not all_in, units:N, cash:X, percent:P or risk:P", text));
  }
  std::string_view num = text.substr(colon + 1);
  const auto* end = num.data() + num.size();
  auto [ptr, ec] = std::from_chars(num.data(), end, s.value);
  if (ec != std::errc() || ptr != end || !std::isfinite(s.value) || s.value <= 0) {
    return Error::invalid_argument(fmt::format("sizing: value '{}' in '{}' must be a number > 0", num, text));
  }
  if (kind == "units") {
    s.mode = SizingMode::kFixed;
  } else if (kind == "cash") {
    s.mode = SizingMode::kCash;
  } else if (kind == "percent") {
    s.mode = SizingMode::kPercent;
  } else if (kind == "risk") {
    s.mode = SizingMode::kRisk;
    if (s.value > 100)
      return Error::out_of_range(fmt::format("sizing: risk:{} is above 100 percent", s.value));
  } else {
    return Error::invalid_argument(fmt::format(
        "sizing: unknown mode '{}' in '{}' (expected all_in, units, cash, percent or risk)", kind, text));
  }
  return s;
}

std::string Sizing::to_string() const {
  switch (mode) {
    case SizingMode::kAllIn:
      return "all_in";
    case SizingMode::kFixed:
      return fmt::format("units:{}", value);
    case SizingMode::kCash:
      return fmt::format("cash:{}", value);
    case SizingMode::kPercent:
      return fmt::format("percent:{}", value);
    case SizingMode::kRisk:
      return fmt::format("risk:{}", value);
  }
  return "all_in";
}

namespace {

// Whole lots from a real-valued unit count: floor to the lot grid.
double to_lots(double units, const model::Instrument& inst) {
  if (!(units > 0)) return 0;
  return inst.round_quantity_down(units);
}

}  // namespace

double size_order(const Sizing& sizing, const SizingInputs& in, std::string* why) {
  TL_CHECK(in.fees != nullptr && in.instrument != nullptr, "size_order: fees and instrument are required");
  const FeeModel& fees = *in.fees;
  const model::Instrument& inst = *in.instrument;
  const double price = in.price;
  const double available = in.margin_available * in.leverage;
  if (!(price > 0) || !std::isfinite(price)) {
    if (why) *why = fmt::format("sized to zero: price {} is not positive", price);
    return 0;
  }
  // Price of one unit including its share of the commission (backtesting.py's "adjusted price plus
  // commission"), computed for the 1 - 2^-52 fraction exactly as it does.
  constexpr double kFullEquity = 1.0 - DBL_EPSILON;
  const double unit_cost =
      price + fees.fee(kFullEquity, price, model::Liquidity::kTaker, true) / std::fabs(kFullEquity);
  double units = 0;
  const bool whole = inst.lot_size >= 1.0;
  auto affordable = [&](double budget) {
    // Whole units use the exact floor division backtesting.py uses; fractional lots round down.
    return whole ? python_floor_div(budget, unit_cost) : budget / unit_cost;
  };
  switch (sizing.mode) {
    case SizingMode::kAllIn:
      units = affordable(available * kFullEquity);
      break;
    case SizingMode::kFixed:
      units = sizing.value;
      break;
    case SizingMode::kCash:
      units = affordable(sizing.value);
      break;
    case SizingMode::kPercent:
      units = affordable(in.equity * sizing.value / 100.0);
      break;
    case SizingMode::kRisk: {
      if (!(in.stop_distance > 0)) {
        if (why) *why = "sized to zero: risk sizing needs a stop-loss distance and the order has none";
        return 0;
      }
      units =
          std::min(in.equity * sizing.value / 100.0 / in.stop_distance, affordable(available * kFullEquity));
      if (whole) units = std::floor(units);
      break;
    }
  }
  const double q = to_lots(units, inst);
  if (q <= 0 && why) {
    *why = fmt::format("sized to zero: {} buys no lot of {} at price {} (equity {:.2f}, available {:.2f})",
                       sizing.to_string(), inst.lot_size, price, in.equity, available);
  }
  return q;
}

}  // namespace tradeloop::execution
