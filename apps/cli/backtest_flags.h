// The kernel settings that `tradeloop backtest`, `optimize` and `validate` all take: one syntax, one
// set of defaults, one place that turns them into a backtest::BacktestConfig.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "tradeloop/backtest/config.h"
#include "tradeloop/core/result.h"

namespace tradeloop::cli {

struct BacktestFlags {
  double cash = 10000;
  std::string commission = "0";
  std::string slippage = "none";
  std::string fill = "next_open";
  std::string sizing;  // empty: the strategy's own sizing, else all_in
  bool exclusive = false;
  bool allow_short = false;
  // Beyond the contract: the rest of the kernel's settings.
  double leverage = 1;
  double maintenance_margin = 0;
  double borrow_rate = 0;
  bool hedging = false;
  bool take_profit_first = false;
  double volume_cap = 0;
  double periods_per_year = 0;
};

// Adds --cash ... --periods-per-year to `cmd`, bound to `flags` (which must outlive the parse).
void add_backtest_flags(CLI::App& cmd, BacktestFlags& flags);

// The config the flags describe; the error names the flag (a usage error).
Status to_backtest_config(const BacktestFlags& flags, backtest::BacktestConfig& cfg);

}  // namespace tradeloop::cli
