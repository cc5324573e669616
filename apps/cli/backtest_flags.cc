#include "backtest_flags.h"

#include <fmt/format.h>

namespace tradeloop::cli {

void add_backtest_flags(CLI::App& cmd, BacktestFlags& b) {
  cmd.add_option("--cash", b.cash, "Initial cash (default 10000)");
  cmd.add_option("--commission", b.commission,
                 "Commission rate per fill (0.002 = 0.2%), or taker:R,maker:R,per_unit:X,per_order:X");
  cmd.add_option("--slippage", b.slippage, "none | bps:N | ticks:N | atr:F[:PERIOD]");
  cmd.add_option("--fill", b.fill, "Market orders fill at next_open (default) or the signal bar's close");
  cmd.add_option("--sizing", b.sizing,
                 "all_in | units:N | cash:X | percent:P | risk:P (default: strategy's, else all_in)");
  cmd.add_flag("--exclusive", b.exclusive, "An entry first closes an opposite position (reversals)");
  cmd.add_flag("--allow-short", b.allow_short, "Allow short positions (sell signals reverse)");
  cmd.add_option("--leverage", b.leverage, "Buying power multiple (default 1)");
  cmd.add_option("--maintenance-margin", b.maintenance_margin,
                 "Liquidate when equity < this fraction of gross exposure (default 0: at equity <= 0)");
  cmd.add_option("--borrow-rate", b.borrow_rate, "Annual borrow rate on short market value (0.05 = 5%)");
  cmd.add_flag("--hedging", b.hedging, "Hedging positions (long and short side by side) instead of netting");
  cmd.add_flag(
      "--take-profit-first", b.take_profit_first,
      "When stop-loss and take-profit could both trigger in a bar, assume the take-profit came first");
  cmd.add_option("--volume-cap", b.volume_cap,
                 "Max fraction of a bar's volume an order may fill (0 = no cap)");
  cmd.add_option("--periods-per-year", b.periods_per_year, "Annualization factor (default: from the data)");
}

Status to_backtest_config(const BacktestFlags& a, backtest::BacktestConfig& cfg) {
  cfg.initial_cash = a.cash;
  auto fees = execution::FeeModel::parse(a.commission);
  if (!fees.ok()) return Error::invalid_argument("--commission: " + fees.error().message());
  cfg.fees = *fees;
  auto slip = execution::SlippageModel::parse(a.slippage);
  if (!slip.ok()) return Error::invalid_argument("--slippage: " + slip.error().message());
  cfg.slippage = *slip;
  if (a.fill == "next_open") {
    cfg.fill = backtest::FillTiming::kNextOpen;
  } else if (a.fill == "close") {
    cfg.fill = backtest::FillTiming::kClose;
  } else {
    return Error::invalid_argument(fmt::format("--fill: '{}' is not next_open or close", a.fill));
  }
  if (!a.sizing.empty()) {
    auto s = execution::Sizing::parse(a.sizing);
    if (!s.ok()) return Error::invalid_argument("--sizing: " + s.error().message());
    cfg.sizing = *s;
  }
  cfg.exclusive = a.exclusive;
  cfg.allow_short = a.allow_short;
  cfg.leverage = a.leverage;
  cfg.maintenance_margin = a.maintenance_margin;
  cfg.borrow_rate = a.borrow_rate;
  cfg.position_mode = a.hedging ? portfolio::PositionMode::kHedging : portfolio::PositionMode::kNetting;
  cfg.intrabar =
      a.take_profit_first ? execution::IntrabarOrder::kTakeProfitFirst : execution::IntrabarOrder::kStopFirst;
  cfg.volume_participation = a.volume_cap;
  cfg.periods_per_year = a.periods_per_year;
  return cfg.validate();
}

}  // namespace tradeloop::cli
