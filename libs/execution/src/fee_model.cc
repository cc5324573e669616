#include "tradeloop/execution/fee_model.h"

#include <charconv>
#include <cmath>
#include <string>

#include <fmt/format.h>

namespace tradeloop::execution {
namespace {

Result<double> parse_number(std::string_view what, std::string_view text) {
  double v = 0;
  const auto* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (ec != std::errc() || ptr != end || !std::isfinite(v)) {
    return Error::invalid_argument(fmt::format("{}: '{}' is not a number", what, text));
  }
  return v;
}

Status check_rate(std::string_view key, double v) {
  if (v < -0.1 || v >= 0.1) {
    return Error::out_of_range(fmt::format(
        "commission: {} = {} is outside [-0.1, 0.1) (a fraction of notional: 0.002 = 0.2%)", key, v));
  }
  return ok_status();
}

}  // namespace

Result<FeeModel> FeeModel::parse(std::string_view text) {
  FeeModel m;
  if (text.empty()) return Error::invalid_argument("commission: empty value");
  if (text.find(':') == std::string_view::npos) {
    TL_ASSIGN_OR_RETURN(m.taker_rate, parse_number("commission", text));
    TL_TRY(check_rate("rate", m.taker_rate));
    return m;
  }
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t comma = text.find(',', pos);
    if (comma == std::string_view::npos) comma = text.size();
    std::string_view item = text.substr(pos, comma - pos);
    const auto colon = item.find(':');
    if (colon == std::string_view::npos) {
      return Error::invalid_argument(fmt::format("commission: '{}' is not key:value", item));
    }
    std::string_view key = item.substr(0, colon);
    TL_ASSIGN_OR_RETURN(double v, parse_number(fmt::format("commission {}", key), item.substr(colon + 1)));
    if (key == "taker" || key == "rate") {
      TL_TRY(check_rate(key, v));
      m.taker_rate = v;
    } else if (key == "maker") {
      TL_TRY(check_rate(key, v));
      m.maker_rate = v;
    } else if (key == "per_unit" || key == "per_order") {
      if (v < 0) return Error::out_of_range(fmt::format("commission: {} = {} must be >= 0", key, v));
      (key == "per_unit" ? m.per_unit : m.per_order) = v;
    } else {
      return Error::invalid_argument(
          fmt::format("commission: unknown key '{}' (expected taker, maker, per_unit or per_order)", key));
    }
    pos = comma + 1;
  }
  return m;
}

std::string FeeModel::to_string() const {
  std::string out = fmt::format("taker:{}", taker_rate);
  if (!std::isnan(maker_rate)) out += fmt::format(",maker:{}", maker_rate);
  if (per_unit != 0) out += fmt::format(",per_unit:{}", per_unit);
  if (per_order != 0) out += fmt::format(",per_order:{}", per_order);
  return out;
}

}  // namespace tradeloop::execution
