// FeeModel: the commission a venue charges for one fill. Percent of notional (taker, and maker for
// passive limit fills), per unit, and a fixed amount per order (charged on the order's first fill).
//
// The arithmetic order is fixed and documented because results must equal backtesting.py's to the
// cent, including where a floor() decides a size: fee = fixed + (|qty| * price) * rate + |qty| * per_unit.
#pragma once

#include <cmath>
#include <limits>
#include <string>
#include <string_view>

#include "tradeloop/core/result.h"
#include "tradeloop/model/fill.h"

namespace tradeloop::execution {

struct FeeModel {
  double taker_rate = 0;  // fraction of notional (0.002 = 0.2%) for market, stop and marketable fills
  double maker_rate = std::numeric_limits<double>::quiet_NaN();  // resting limit fills; NaN = taker_rate
  double per_unit = 0;                                           // quote currency per unit traded
  double per_order = 0;  // quote currency per order, charged on its first fill

  double rate(model::Liquidity liquidity) const {
    return liquidity == model::Liquidity::kMaker && !std::isnan(maker_rate) ? maker_rate : taker_rate;
  }

  // Commission for one fill of |quantity| units at price.
  double fee(double quantity, double price, model::Liquidity liquidity, bool first_fill_of_order) const {
    double f = (first_fill_of_order ? per_order : 0.0) + (std::fabs(quantity) * price) * rate(liquidity);
    if (per_unit != 0) f += std::fabs(quantity) * per_unit;
    return f;
  }

  bool is_zero() const {
    return taker_rate == 0 && (std::isnan(maker_rate) || maker_rate == 0) && per_unit == 0 && per_order == 0;
  }

  // Parses the --commission value: a bare rate ("0.002"), or comma-separated key:value pairs
  // "taker:0.001,maker:0.0002,per_unit:0.005,per_order:1" ("rate" is an alias of "taker").
  // Rates must lie in [-0.1, 0.1) (negative = maker rebate); amounts must be >= 0.
  static Result<FeeModel> parse(std::string_view text);
  std::string to_string() const;
};

}  // namespace tradeloop::execution
