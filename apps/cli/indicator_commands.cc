// `tradeloop indicator`: list the indicators, or compute one over a bar file as CSV. See
// docs/indicators.md.
//
//   tradeloop indicator --list [--json]
//   tradeloop indicator NAME --data FILE [--param k=v ...] [--input real=high ...] [--out FILE]
#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli.h"
#include "tradeloop/data/csv_reader.h"
#include "tradeloop/data/validation.h"
#include "tradeloop/indicators/indicator.h"

namespace tradeloop::cli {

namespace {

using indicators::IndicatorInfo;
using indicators::ParamInfo;
using indicators::ParamType;
using nlohmann::json;

struct IndicatorArgs {
  std::string name;
  bool list = false;
  bool json = false;
  std::string data;
  std::vector<std::string> params;  // k=v
  std::vector<std::string> inputs;  // input=column
  std::string out;
};

json number(const ParamInfo& p, double v) {
  return p.type == ParamType::kInt ? json(static_cast<long long>(v)) : json(v);
}

json info_json(const IndicatorInfo& info) {
  json params = json::array();
  for (const ParamInfo& p : info.params) {
    params.push_back({{"name", p.name},
                      {"type", p.type == ParamType::kInt ? "int" : "double"},
                      {"default", number(p, p.default_value)},
                      {"range", json::array({number(p, p.min), number(p, p.max)})},
                      {"min", number(p, p.min)},
                      {"max", number(p, p.max)},
                      {"description", p.description}});
  }
  return {{"name", info.name},
          {"group", info.group},
          {"description", info.description},
          {"inputs", info.inputs},
          {"parameters", params},
          {"outputs", info.outputs},
          {"integer_output", info.integer_output}};
}

std::string show_number(const ParamInfo& p, double v) {
  return p.type == ParamType::kInt ? fmt::format("{}", static_cast<long long>(v)) : fmt::format("{}", v);
}

int list(bool as_json) {
  const auto& all = indicators::list_indicators();
  if (as_json) {
    json items = json::array();
    for (const IndicatorInfo& info : all) items.push_back(info_json(info));
    fmt::print("{}\n", json{{"count", all.size()}, {"indicators", items}}.dump(2));
    return kExitOk;
  }
  for (const IndicatorInfo& info : all) {
    fmt::print("{:<20} {:<11} {}\n", info.name, info.group, info.description);
    fmt::print("    inputs:  {}\n", fmt::join(info.inputs, ", "));
    if (!info.params.empty()) {
      std::vector<std::string> params;
      for (const ParamInfo& p : info.params) {
        params.push_back(fmt::format(
            "{} ({}, default {}, range {}..{})", p.name, p.type == ParamType::kInt ? "int" : "double",
            show_number(p, p.default_value), show_number(p, p.min), show_number(p, p.max)));
      }
      fmt::print("    params:  {}\n", fmt::join(params, ", "));
    }
    fmt::print("    outputs: {}\n", fmt::join(info.outputs, ", "));
  }
  fmt::print("{} indicators\n", all.size());
  return kExitOk;
}

Result<std::map<std::string, double>> parse_params(const IndicatorInfo& info,
                                                   const std::vector<std::string>& pairs) {
  std::map<std::string, double> out;
  for (const std::string& pair : pairs) {
    const auto eq = pair.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Error::invalid_argument(fmt::format("--param '{}': expected NAME=VALUE", pair));
    }
    const std::string name = pair.substr(0, eq);
    const std::string text = pair.substr(eq + 1);
    double value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
      return Error::invalid_argument(
          fmt::format("{}: parameter '{}' = '{}' is not a number", info.name, name, text));
    }
    out[name] = value;
  }
  return out;
}

const std::vector<double>* column(const data::BarSeries& bars, const std::string& name) {
  if (name == "open") return &bars.open;
  if (name == "high") return &bars.high;
  if (name == "low") return &bars.low;
  if (name == "close") return &bars.close;
  if (name == "volume") return &bars.volume;
  return nullptr;
}

// Binds the price inputs by name and the real ones as TA-Lib's abstract interface does (real = close;
// beta and correl: real0 = high, real1 = low), then applies --input overrides.
Result<indicators::InputSeries> bind_inputs(const IndicatorInfo& info, const data::BarSeries& bars,
                                            const std::vector<std::string>& overrides) {
  std::map<std::string, std::string> binding = {{"real", "close"}, {"real0", "high"}, {"real1", "low"}};
  for (const std::string& pair : overrides) {
    const auto eq = pair.find('=');
    const std::string input = eq == std::string::npos ? "" : pair.substr(0, eq);
    if (input != "real" && input != "real0" && input != "real1") {
      return Error::invalid_argument(
          fmt::format("--input '{}': expected real=COLUMN, real0=COLUMN or real1=COLUMN", pair));
    }
    const std::string col = pair.substr(eq + 1);
    if (column(bars, col) == nullptr) {
      return Error::invalid_argument(
          fmt::format("--input '{}': unknown column '{}' (open, high, low, close, volume)", pair, col));
    }
    const bool used = std::find(info.inputs.begin(), info.inputs.end(), input) != info.inputs.end();
    if (!used) {
      return Error::invalid_argument(fmt::format("--input '{}': {} has no input '{}' (inputs: {})", pair,
                                                 info.name, input, fmt::join(info.inputs, ", ")));
    }
    binding[input] = col;
  }
  indicators::InputSeries in;
  in.ts = bars.ts;
  in.open = bars.open;
  in.high = bars.high;
  in.low = bars.low;
  in.close = bars.close;
  in.volume = bars.volume;
  in.real = *column(bars, binding["real"]);
  in.real0 = *column(bars, binding["real0"]);
  in.real1 = *column(bars, binding["real1"]);
  return in;
}

Status write_csv(const IndicatorInfo& info, const data::BarSeries& bars,
                 const std::vector<std::vector<double>>& columns, const std::string& path) {
  std::FILE* file = path.empty() ? stdout : std::fopen(path.c_str(), "w");
  if (file == nullptr) return Error::io(fmt::format("{}: cannot write: {}", path, std::strerror(errno)));
  fmt::memory_buffer buf;
  buf.append(std::string_view("timestamp"));
  for (const auto& name : info.outputs) fmt::format_to(std::back_inserter(buf), ",{}", name);
  buf.push_back('\n');
  bool ok = true;
  char number[32];
  for (std::size_t i = 0; i < bars.size(); ++i) {
    const std::string t = data::show_time(bars.ts[i], bars.timeframe);
    buf.append(t.data(), t.data() + t.size());
    for (const auto& col : columns) {
      buf.push_back(',');
      if (std::isnan(col[i])) continue;
      const int len = std::snprintf(number, sizeof number, "%.17g", col[i]);
      buf.append(number, number + len);
    }
    buf.push_back('\n');
    if (buf.size() > (1 << 20)) {
      ok = ok && std::fwrite(buf.data(), 1, buf.size(), file) == buf.size();
      buf.clear();
    }
  }
  ok = ok && std::fwrite(buf.data(), 1, buf.size(), file) == buf.size();
  ok = (path.empty() ? std::fflush(file) : std::fclose(file)) == 0 && ok;
  if (!ok)
    return Error::io(
        fmt::format("{}: write failed: {}", path.empty() ? "stdout" : path, std::strerror(errno)));
  return ok_status();
}

int run(const IndicatorArgs& args) {
  if (args.name.empty()) return fail("indicator: give an indicator NAME (see `tradeloop indicator --list`)");
  const IndicatorInfo* info = indicators::find_indicator(args.name);
  if (info == nullptr) {
    const std::string hint = indicators::suggest_indicator(args.name);
    return fail(fmt::format("unknown indicator '{}'{}", args.name,
                            hint.empty() ? "" : fmt::format(" (did you mean '{}'?)", hint)));
  }
  if (args.data.empty()) return fail(fmt::format("indicator {}: --data FILE is required", args.name));
  auto params = parse_params(*info, args.params);
  if (!params.ok()) return fail(params.error());
  auto made = indicators::make_indicator(args.name, *params);
  if (!made.ok()) return fail(made.error());

  auto bars = data::load_bars(args.data);
  if (!bars.ok()) {
    if (bars.error().code() == ErrorCode::kInvalidArgument) {  // the data has errors
      fmt::print(stderr, "tradeloop: {}\n", bars.error().message());
      return kExitDataErrors;
    }
    return fail(bars.error());
  }
  auto in = bind_inputs(*info, *bars, args.inputs);
  if (!in.ok()) return fail(in.error());

  const indicators::Indicator& ind = **made;
  std::vector<std::vector<double>> columns(ind.num_outputs(), std::vector<double>(bars->size()));
  std::vector<std::span<double>> spans(columns.begin(), columns.end());
  ind.compute(*in, spans);
  const Status written = write_csv(*info, *bars, columns, args.out);
  if (!written.ok()) return fail(written.error());
  return kExitOk;
}

}  // namespace

void register_indicator_commands(CLI::App& app, State& state) {
  auto args = std::make_shared<IndicatorArgs>();
  CLI::App* cmd =
      app.add_subcommand("indicator", "Compute an indicator over a bar file (CSV out), or list them all");
  cmd->add_option("name", args->name, "Indicator name, TA-Lib's in lower case (rsi, macd, bbands, ...)");
  cmd->add_flag("--list", args->list,
                "List every indicator: inputs, parameters (type, default, range), outputs");
  cmd->add_flag("--json", args->json, "With --list: one JSON object on stdout");
  cmd->add_option("--data", args->data, "Bar file (CSV: timestamp, open, high, low, close[, volume])");
  cmd->add_option("--param", args->params, "Parameter NAME=VALUE (repeatable), e.g. --param timeperiod=14")
      ->allow_extra_args(false);
  cmd->add_option(
         "--input", args->inputs,
         "Bind a real input to a column (repeatable): real=high; defaults real=close, real0=high, real1=low")
      ->allow_extra_args(false);
  cmd->add_option("--out", args->out, "Write the CSV to this file instead of stdout");
  cmd->callback([&state, args] { state.exit_code = args->list ? list(args->json) : run(*args); });
}

}  // namespace tradeloop::cli
