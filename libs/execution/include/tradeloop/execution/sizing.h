// Sizing: how many units an entry buys or sells, decided at fill time from the account then.
//
//   units:N    N units
//   cash:X     floor(X / (price * (1 + fee rate))) units
//   percent:P  floor(P% of equity / (price * (1 + fee rate))) units
//   risk:P     floor(P% of equity / stop distance per unit) units (needs a stop-loss), at most all_in
//   all_in     floor(available / (price + fee per unit)) units: available = margin available x leverage
//
// Quantities are rounded down to the instrument's lot (whole units when lot_size is 1, fractional when
// the lot allows). all_in reproduces backtesting.py's size for `buy()` bit for bit (its 1 - 2^-52
// "full equity" fraction and Python's float floor division included), so a floor decides the same size.
#pragma once

#include <string>
#include <string_view>

#include "tradeloop/core/result.h"
#include "tradeloop/execution/fee_model.h"
#include "tradeloop/model/instrument.h"
#include "tradeloop/model/order.h"

namespace tradeloop::execution {

struct Sizing {
  model::SizingMode mode = model::SizingMode::kAllIn;
  double value = 0;  // units (kFixed), cash (kCash), percent (kPercent, kRisk)

  // "all_in", "units:N", "cash:X", "percent:P", "risk:P". Values must be > 0 (percent <= 100 unless
  // the account is leveraged: checked by the caller that knows the leverage).
  static Result<Sizing> parse(std::string_view text);
  std::string to_string() const;
};

struct SizingInputs {
  double price = 0;             // expected fill price
  double equity = 0;            // account equity marked at the fill price
  double margin_available = 0;  // max(0, equity - margin used), before leverage
  double leverage = 1;
  double stop_distance = 0;  // |entry - stop| per unit for risk sizing; 0 or NaN = no stop
  const FeeModel* fees = nullptr;
  const model::Instrument* instrument = nullptr;
};

// Units to trade (>= 0, on the lot grid). 0 means the order cannot be sized (the caller cancels it with
// `why` filled in). REQUIRES: inputs.fees and inputs.instrument set.
double size_order(const Sizing& sizing, const SizingInputs& inputs, std::string* why);

// Python's float floor division a // b (fmod based, exact where a plain floor(a / b) can round up).
double python_floor_div(double a, double b);

}  // namespace tradeloop::execution
