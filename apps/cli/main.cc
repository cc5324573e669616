// tradeloop: the command-line surface. See docs/cli.md.
#include <unistd.h>

#include <cstdio>
#include <exception>

#include <fmt/format.h>

#include "cli.h"
#include "tradeloop/core/log.h"

namespace tradeloop::cli {

int fail(const Error& error) { return fail(error.message()); }

int fail(std::string_view message) {
  fmt::print(stderr, "tradeloop: {}\n", message);
  return kExitUsage;
}

bool stdout_is_tty() { return ::isatty(STDOUT_FILENO) == 1; }
bool stderr_is_tty() { return ::isatty(STDERR_FILENO) == 1; }

}  // namespace tradeloop::cli

int main(int argc, char** argv) {
  using namespace tradeloop::cli;
  tradeloop::log::init(tradeloop::log::Level::kWarn);

  CLI::App app{"tradeloop: from market data to strategies you can trust, in one loop.\n"
               "Data -> indicators -> strategies -> backtest -> optimize -> validate -> discover."};
  app.set_version_flag("--version", std::string("tradeloop ") + TL_VERSION);
  app.require_subcommand(1);
  app.fallthrough(false);
  bool verbose = false;
  app.add_flag("-v,--verbose", verbose, "Log progress details to stderr");

  State state;
  register_data_commands(app, state);
  register_indicator_commands(app, state);
  register_backtest_commands(app, state);
  register_strategy_commands(app, state);
  register_optimize_commands(app, state);
  register_discover_commands(app, state);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    // CLI11 returns 0 for --help/--version and 106-ish codes for errors: map errors to usage (2).
    return code == 0 ? 0 : kExitUsage;
  } catch (const std::exception& e) {
    // A bug below us: report it instead of crashing, with a code below 128.
    fmt::print(stderr, "tradeloop: internal error: {}\n", e.what());
    return kExitUsage;
  }
  if (verbose) tradeloop::log::set_level(tradeloop::log::Level::kInfo);
  return state.exit_code;
}
