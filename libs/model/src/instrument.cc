#include "tradeloop/model/instrument.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include <fmt/format.h>

namespace tradeloop::model {

std::string_view asset_class_name(AssetClass asset_class) {
  switch (asset_class) {
    case AssetClass::kEquity: return "equity";
    case AssetClass::kFx: return "fx";
    case AssetClass::kCrypto: return "crypto";
    case AssetClass::kFuture: return "future";
    case AssetClass::kIndex: return "index";
    case AssetClass::kOther: return "other";
  }
  return "other";
}

Result<AssetClass> parse_asset_class(std::string_view text) {
  for (auto c : {AssetClass::kEquity, AssetClass::kFx, AssetClass::kCrypto, AssetClass::kFuture, AssetClass::kIndex,
                 AssetClass::kOther}) {
    if (asset_class_name(c) == text) return c;
  }
  return Error::invalid_argument(
      fmt::format("unknown asset class '{}' (expected equity, fx, crypto, future, index or other)", text));
}

Status Instrument::validate() const {
  if (symbol.empty()) return Error::invalid_argument("instrument: 'symbol' is empty");
  auto check = [&](std::string_view field, double v, bool strictly_positive) -> Status {
    if (!std::isfinite(v) || v < 0 || (strictly_positive && v == 0)) {
      return Error::invalid_argument(fmt::format("instrument {}: '{}' is {} (must be {})", symbol, field, v,
                                                 strictly_positive ? "> 0" : ">= 0"));
    }
    return ok_status();
  };
  TL_TRY(check("tick_size", tick_size, false));
  TL_TRY(check("lot_size", lot_size, false));
  TL_TRY(check("min_notional", min_notional, false));
  TL_TRY(check("multiplier", multiplier, true));
  return ok_status();
}

double Instrument::round_price(double price) const {
  if (tick_size <= 0) return price;
  return std::round(price / tick_size) * tick_size;
}

double Instrument::round_quantity_down(double quantity) const {
  if (lot_size <= 0) return quantity;
  // The epsilon absorbs representation error (0.3 / 0.1 = 2.9999999999999996).
  const double lots = std::floor(std::fabs(quantity) / lot_size + 1e-9);
  return std::copysign(lots * lot_size, quantity);
}

Instrument Instrument::guess(std::string_view symbol) {
  Instrument inst;
  inst.symbol = std::string(symbol);
  std::string upper(symbol);
  std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
  const auto sep = upper.find_first_of("/_-");
  static constexpr std::string_view kCryptoQuotes[] = {"BTC", "ETH", "USDT", "USDC", "BUSD"};
  auto ends_with_crypto_quote = [&](std::string_view s) {
    return std::any_of(std::begin(kCryptoQuotes), std::end(kCryptoQuotes),
                       [&](std::string_view q) { return s.size() > q.size() && s.ends_with(q); });
  };
  static constexpr std::string_view kFiat[] = {"USD", "EUR", "JPY", "GBP", "CHF", "AUD", "CAD", "NZD"};
  auto is_fiat = [&](std::string_view s) {
    return std::any_of(std::begin(kFiat), std::end(kFiat), [&](std::string_view q) { return s == q; });
  };
  if (sep != std::string::npos) {
    inst.asset_class = AssetClass::kCrypto;
    inst.quote_currency = upper.substr(sep + 1);
    inst.lot_size = 0.0;
  } else if (upper.size() == 6 && is_fiat(std::string_view(upper).substr(0, 3)) &&
             is_fiat(std::string_view(upper).substr(3))) {
    inst.asset_class = AssetClass::kFx;
    inst.quote_currency = upper.substr(3);
    inst.lot_size = 0.0;
  } else if (ends_with_crypto_quote(upper)) {
    inst.asset_class = AssetClass::kCrypto;
    inst.lot_size = 0.0;
    for (std::string_view q : kCryptoQuotes) {
      if (upper.size() > q.size() && std::string_view(upper).ends_with(q)) {
        inst.quote_currency = std::string(q);
        break;
      }
    }
  }
  return inst;
}

}  // namespace tradeloop::model
