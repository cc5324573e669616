// Instrument: what is traded and the exchange's rules for its prices and quantities.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "tradeloop/core/result.h"

namespace tradeloop::model {

enum class AssetClass : std::uint8_t { kEquity = 0, kFx = 1, kCrypto = 2, kFuture = 3, kIndex = 4, kOther = 5 };

std::string_view asset_class_name(AssetClass asset_class);
Result<AssetClass> parse_asset_class(std::string_view text);

struct Instrument {
  std::string symbol;                  // "GOOG", "ETH/BTC", "EURUSD"
  AssetClass asset_class = AssetClass::kEquity;
  std::string quote_currency = "USD";  // currency of prices and cash
  double tick_size = 0.0;              // smallest price increment; 0 = any price
  double lot_size = 1.0;               // smallest quantity increment; 0 = any (fractional) quantity
  double min_notional = 0.0;           // smallest price * quantity * multiplier an order may have
  double multiplier = 1.0;             // contract multiplier: value = price * quantity * multiplier

  // Checks the rules are coherent (non-negative increments, positive multiplier); names the field.
  Status validate() const;

  // Nearest multiple of tick_size (unchanged when tick_size is 0).
  double round_price(double price) const;
  // Largest multiple of lot_size not above |quantity|, with quantity's sign (unchanged when lot_size is 0).
  double round_quantity_down(double quantity) const;
  bool allows_fractional_quantity() const { return lot_size == 0.0 || lot_size < 1.0; }

  // Sensible defaults for a symbol: crypto pairs ("ETH/BTC", "ETH_BTC", "BTCUSDT") get fractional
  // lots; six-letter FX pairs ("EURUSD") get FX; anything else is an equity with whole shares.
  static Instrument guess(std::string_view symbol);
};

}  // namespace tradeloop::model
