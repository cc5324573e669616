// Shared plumbing of the `tradeloop` command: exit codes, output helpers and the per-group
// registration functions. Each command group lives in its own <group>_commands.cc and only parses,
// calls the libraries and formats (no business logic here).
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

#include "tradeloop/core/result.h"

namespace tradeloop::cli {

// Exit codes: 0 success; 1 the input data or strategy has errors (a finding, not a failure of
// the tool); 2 usage, I/O or any other error. Never >= 128 (those mean "killed by a signal").
inline constexpr int kExitOk = 0;
inline constexpr int kExitDataErrors = 1;
inline constexpr int kExitUsage = 2;

// Set by a subcommand's callback; returned by main.
struct State {
  int exit_code = kExitOk;
};

// Prints "tradeloop: <message>" to stderr and returns kExitUsage.
int fail(const Error& error);
int fail(std::string_view message);

// True when stdout / stderr are terminals (progress bars only on terminals).
bool stdout_is_tty();
bool stderr_is_tty();

// Each returns after adding its subcommands to `app`.
void register_data_commands(CLI::App& app, State& state);
void register_indicator_commands(CLI::App& app, State& state);
void register_backtest_commands(CLI::App& app, State& state);
void register_strategy_commands(CLI::App& app, State& state);
void register_optimize_commands(CLI::App& app, State& state);
void register_discover_commands(CLI::App& app, State& state);

}  // namespace tradeloop::cli
