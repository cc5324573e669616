// StrategyContext: everything a C++ strategy may see and do, handed to its callbacks by the kernel.
// The kernel (backtest, and later paper/live) implements it; strategies never talk to clocks, files or
// sockets. Data access stops at the current bar: series and indicator views refuse to look ahead.
//
// Ownership: the context and every view it returns belong to the kernel and live for the whole run.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <span>
#include <string>
#include <string_view>

#include "tradeloop/core/result.h"
#include "tradeloop/core/time.h"
#include "tradeloop/model/bar.h"
#include "tradeloop/model/instrument.h"
#include "tradeloop/model/order.h"
#include "tradeloop/model/position.h"

namespace tradeloop::strategy {

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// A column of values (prices or an indicator output) revealed up to the current bar of its instrument.
// value(0) is the current bar, value(1) the one before; beyond the history (or ahead) it is NaN.
class SeriesView {
 public:
  SeriesView() = default;
  SeriesView(const double* data, const std::int64_t* current) : data_(data), current_(current) {}

  double value(std::int64_t bars_ago = 0) const {
    if (data_ == nullptr || bars_ago < 0) return kNaN;
    const std::int64_t i = *current_ - bars_ago;
    return i >= 0 ? data_[i] : kNaN;
  }
  double operator[](std::int64_t bars_ago) const { return value(bars_ago); }
  // Values from the first bar to the current one (never beyond).
  std::span<const double> history() const {
    return data_ == nullptr || *current_ < 0
               ? std::span<const double>()
               : std::span<const double>(data_, static_cast<std::size_t>(*current_ + 1));
  }
  std::int64_t size() const { return data_ == nullptr ? 0 : *current_ + 1; }

 private:
  const double* data_ = nullptr;
  const std::int64_t* current_ = nullptr;
};

// Protective orders attached to an entry (a bracket): armed when the entry fills, from its fill price;
// stop-loss and take-profit cancel each other (OCO). NaN = not used. Percent of the entry price or an
// absolute price distance; when both are given the one nearer the entry is used.
struct Bracket {
  double stop_loss_pct = kNaN;
  double take_profit_pct = kNaN;
  double trailing_stop_pct = kNaN;
  double stop_loss_distance = kNaN;
  double take_profit_distance = kNaN;
  double trailing_stop_distance = kNaN;

  bool empty() const {
    return std::isnan(stop_loss_pct) && std::isnan(take_profit_pct) && std::isnan(trailing_stop_pct) &&
           std::isnan(stop_loss_distance) && std::isnan(take_profit_distance) &&
           std::isnan(trailing_stop_distance);
  }
};

struct OrderRequest {
  std::uint32_t instrument = 0;
  model::OrderSide side = model::OrderSide::kBuy;
  model::OrderType type = model::OrderType::kMarket;
  model::TimeInForce tif = model::TimeInForce::kGtc;
  // Units (> 0). 0 with sizing kFixed = size at fill time with the run's sizing (--sizing).
  double quantity = 0;
  model::SizingMode sizing = model::SizingMode::kFixed;
  double sizing_value = 0;  // cash, percent, risk percent for the other sizing modes
  double limit_price = kNaN;
  double stop_price = kNaN;
  model::TrailingOffsetType trailing_type = model::TrailingOffsetType::kNone;
  double trailing_offset = 0;
  Timestamp expire_time = 0;  // kGtd
  bool reduce_only = false;
  Bracket bracket;  // armed on the fill of this order
  // OCO: orders submitted with the same nonzero group cancel each other when one fills.
  std::uint64_t oco_group = 0;
  // OTO: held until this (working) order fills completely.
  model::OrderId parent = model::kNoOrder;
  std::string tag = "signal";
};

class StrategyContext {
 public:
  virtual ~StrategyContext() = default;

  // Time of the current event (the bar's timestamp in a backtest).
  virtual Timestamp now() const = 0;
  virtual std::size_t num_instruments() const = 0;
  virtual const model::Instrument& instrument(std::uint32_t i) const = 0;
  // Index of the current bar of instrument i (-1 before its first bar).
  virtual std::int64_t bar_index(std::uint32_t i) const = 0;
  virtual model::Bar bar(std::uint32_t i) const = 0;
  // "open", "high", "low", "close", "volume" of instrument i up to its current bar.
  virtual SeriesView series(std::uint32_t i, std::string_view field) const = 0;
  // Output `output` (empty = the first) of indicator `name` with `params` over instrument i, computed
  // once (batch, identical to streaming by the indicator contract) and revealed bar by bar.
  virtual Result<SeriesView> indicator(std::uint32_t i, std::string_view name,
                                       const std::map<std::string, double>& params,
                                       std::string_view output = {}) = 0;

  virtual double cash() const = 0;    // equity - market value of positions
  virtual double equity() const = 0;  // marked at the latest prices
  virtual model::Position position(std::uint32_t i) const = 0;
  // Working orders (accepted, partially filled or held by an OTO parent).
  virtual std::span<const model::Order* const> open_orders() const = 0;
  virtual const model::Order* order(model::OrderId id) const = 0;

  // Submits an order; the id is assigned at once, acceptance or rejection (with its reason) arrives as
  // an order event. Market orders fill at the next bar's open (or this close with --fill close).
  virtual model::OrderId submit(const OrderRequest& request) = 0;
  // Cancels a working order (its event carries `reason`); not_found / failed_precondition otherwise.
  virtual Status cancel(model::OrderId id, std::string_view reason = "canceled by the strategy") = 0;
  // Market order closing the whole position of instrument i (reduce-only); kNoOrder when flat.
  virtual model::OrderId close_position(std::uint32_t i, std::string_view tag = "signal") = 0;

  // Run settings strategies follow when they trade signals (--allow-short, --exclusive).
  virtual bool allow_short() const = 0;
  virtual bool exclusive() const = 0;
};

}  // namespace tradeloop::strategy
