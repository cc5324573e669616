#include "tradeloop/execution/slippage_model.h"

#include <charconv>
#include <cmath>

#include <fmt/format.h>

namespace tradeloop::execution {

double SlippageModel::apply(model::OrderSide side, double price, double atr, double tick_size) const {
  double delta = 0;
  switch (kind) {
    case SlippageKind::kNone:
      return price;
    case SlippageKind::kBps:
      return price * (1 + model::side_sign(side) * value / 10000.0);
    case SlippageKind::kTicks:
      delta = tick_size > 0 ? value * tick_size : 0;
      break;
    case SlippageKind::kAtr:
      delta = std::isnan(atr) ? 0 : value * atr;
      break;
  }
  return price + model::side_sign(side) * delta;
}

Result<SlippageModel> SlippageModel::parse(std::string_view text) {
  SlippageModel m;
  if (text.empty() || text == "none") return m;
  const auto colon = text.find(':');
  if (colon == std::string_view::npos) {
    return Error::invalid_argument(
        fmt::format("slippage: '{}' is not none, bps:N, ticks:N or atr:F[:PERIOD]", text));
  }
  std::string_view kind = text.substr(0, colon);
  std::string_view rest = text.substr(colon + 1);
  std::string_view period_text;
  if (kind == "atr") {
    const auto c2 = rest.find(':');
    if (c2 != std::string_view::npos) {
      period_text = rest.substr(c2 + 1);
      rest = rest.substr(0, c2);
    }
  }
  const auto* end = rest.data() + rest.size();
  auto [ptr, ec] = std::from_chars(rest.data(), end, m.value);
  if (ec != std::errc() || ptr != end || !std::isfinite(m.value) || m.value < 0) {
    return Error::invalid_argument(
        fmt::format("slippage: value '{}' in '{}' is not a number >= 0", rest, text));
  }
  if (kind == "bps") {
    m.kind = SlippageKind::kBps;
  } else if (kind == "ticks") {
    m.kind = SlippageKind::kTicks;
  } else if (kind == "atr") {
    m.kind = SlippageKind::kAtr;
    if (!period_text.empty()) {
      const auto* pend = period_text.data() + period_text.size();
      auto [p2, ec2] = std::from_chars(period_text.data(), pend, m.atr_period);
      if (ec2 != std::errc() || p2 != pend || m.atr_period < 1 || m.atr_period > 100000) {
        return Error::invalid_argument(fmt::format(
            "slippage: ATR period '{}' in '{}' is not an integer in [1, 100000]", period_text, text));
      }
    }
  } else {
    return Error::invalid_argument(
        fmt::format("slippage: unknown kind '{}' in '{}' (expected none, bps, ticks or atr)", kind, text));
  }
  return m;
}

std::string SlippageModel::to_string() const {
  switch (kind) {
    case SlippageKind::kNone:
      return "none";
    case SlippageKind::kBps:
      return fmt::format("bps:{}", value);
    case SlippageKind::kTicks:
      return fmt::format("ticks:{}", value);
    case SlippageKind::kAtr:
      return fmt::format("atr:{}:{}", value, atr_period);
  }
  return "none";
}

}  // namespace tradeloop::execution
