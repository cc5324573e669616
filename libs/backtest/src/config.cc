#include "tradeloop/backtest/config.h"

#include <cmath>

#include <fmt/format.h>

namespace tradeloop::backtest {

Status BacktestConfig::validate() const {
  auto finite = [](double v) { return std::isfinite(v); };
  if (!finite(initial_cash) || initial_cash <= 0) {
    return Error::out_of_range(fmt::format("cash: {} must be > 0", initial_cash));
  }
  if (!finite(leverage) || leverage < 1 || leverage > 1000) {
    return Error::out_of_range(fmt::format("leverage: {} must be in [1, 1000]", leverage));
  }
  if (!finite(maintenance_margin) || maintenance_margin < 0 || maintenance_margin >= 1) {
    return Error::out_of_range(fmt::format("maintenance margin: {} must be in [0, 1)", maintenance_margin));
  }
  if (!finite(borrow_rate) || borrow_rate < 0 || borrow_rate > 10) {
    return Error::out_of_range(
        fmt::format("borrow rate: {} must be in [0, 10] (annual fraction)", borrow_rate));
  }
  if (!finite(volume_participation) || volume_participation < 0 || volume_participation > 1) {
    return Error::out_of_range(
        fmt::format("volume participation: {} must be in [0, 1] (0 = no cap)", volume_participation));
  }
  if (!finite(periods_per_year) || periods_per_year < 0) {
    return Error::out_of_range(
        fmt::format("periods per year: {} must be >= 0 (0 = infer)", periods_per_year));
  }
  if (sizing && sizing->mode == model::SizingMode::kPercent && sizing->value > 100 * leverage) {
    return Error::out_of_range(
        fmt::format("sizing: percent:{} exceeds 100 x leverage {}", sizing->value, leverage));
  }
  if (record.equity_details && !record.equity) {
    return Error::invalid_argument("record: equity details need the equity curve");
  }
  return ok_status();
}

}  // namespace tradeloop::backtest
