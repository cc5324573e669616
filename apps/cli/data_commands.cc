// `tradeloop data inspect | import | export | resample`: parse, call libs/data, format. See docs/data.md.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <tuple>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli.h"
#include "tradeloop/data/bar_store.h"
#include "tradeloop/data/csv_reader.h"
#include "tradeloop/data/csv_writer.h"
#include "tradeloop/data/resample.h"

namespace tradeloop::cli {

namespace {

using data::BarFile;
using data::CsvOptions;
using data::Finding;
using data::FindingKind;
using data::PanelFile;
using data::ValidationReport;
using nlohmann::json;

using data::show_time;

json findings_json(const std::vector<Finding>& findings, const ValidationReport& report) {
  json out = json::array();
  for (const Finding& f : findings) {
    out.push_back({{"line", f.line},
                   {"field", f.field},
                   {"kind", data::finding_kind_name(f.kind)},
                   {"message", f.message},
                   {"text", report.format(f)}});
  }
  return out;
}

json report_json(const ValidationReport& report) {
  json j;
  j["ok"] = report.ok();
  j["error_count"] = report.error_count();
  j["warning_count"] = report.warning_count();
  j["errors"] = findings_json(report.errors(), report);
  j["warnings"] = findings_json(report.warnings(), report);
  j["gaps"] = {{"count", report.gaps.count}, {"missing_bars", report.gaps.missing_bars}};
  json counts = json::object();
  for (FindingKind k : {FindingKind::kGap, FindingKind::kZeroVolume, FindingKind::kFlatBar,
                        FindingKind::kJump, FindingKind::kMissingValue, FindingKind::kNote}) {
    counts[std::string(data::finding_kind_name(k))] = report.warning_count(k);
  }
  j["warning_counts"] = counts;
  return j;
}

void print_json(const json& j) {
  // Replace invalid UTF-8 (a garbage file's bytes quoted in a message) instead of throwing.
  const std::string text = j.dump(2, ' ', false, json::error_handler_t::replace);
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fputc('\n', stdout);
}

void print_findings_text(const ValidationReport& report, std::size_t max_lines) {
  std::size_t shown = 0;
  for (const Finding& f : report.errors()) {
    if (shown++ == max_lines) break;
    fmt::print("  error: {}\n", report.format(f));
  }
  if (report.error_count() > shown) {
    fmt::print("  ... {} more errors (use --json to list them all)\n",
               report.error_count() - std::min(shown, max_lines));
  }
  shown = 0;
  for (const Finding& f : report.warnings()) {
    if (shown++ == max_lines) break;
    fmt::print("  warning: {}\n", report.format(f));
  }
  if (report.warning_count() > std::min(shown, max_lines)) {
    fmt::print("  ... {} more warnings (use --json to list them)\n",
               report.warning_count() - std::min(shown, max_lines));
  }
}

std::string warning_summary(const ValidationReport& r) {
  return fmt::format("{} warnings: {} gaps ({} missing bars), {} zero-volume, {} flat, {} jumps",
                     r.warning_count(), r.gaps.count, r.gaps.missing_bars,
                     r.warning_count(FindingKind::kZeroVolume), r.warning_count(FindingKind::kFlatBar),
                     r.warning_count(FindingKind::kJump));
}

struct InspectArgs {
  std::string file;
  bool json = false;
  std::size_t max_warnings = 100;
  std::size_t max_lines = 20;
};

int inspect_bars(const InspectArgs& args, const CsvOptions& options) {
  auto read = data::read_bars_csv(args.file, options);
  if (!read.ok()) return fail(read.error());
  const BarFile& f = *read;
  const ValidationReport& r = f.report;
  const Timeframe tf = f.bars.timeframe;
  const bool has_bars = !f.bars.empty();
  if (args.json) {
    json j = report_json(r);
    j["file"] = args.file;
    j["layout"] = "bars";
    j["symbol"] = f.bars.symbol;
    j["columns"] = f.columns;
    j["rows"] = f.rows;
    j["bars"] = f.bars.size();
    j["first"] = has_bars ? json(show_time(f.bars.ts.front(), tf)) : json(nullptr);
    j["last"] = has_bars ? json(show_time(f.bars.ts.back(), tf)) : json(nullptr);
    j["timeframe"] = tf.valid() ? json(tf.to_string()) : json(nullptr);
    print_json(j);
  } else {
    fmt::print("{}: {} rows of {} bars ({}), timeframe {}\n", r.source(), f.rows, f.bars.symbol,
               f.has_volume ? "OHLCV" : "OHLC, no volume", tf.valid() ? tf.to_string() : "unknown");
    if (has_bars) {
      fmt::print("  from {} to {}\n", show_time(f.bars.ts.front(), tf), show_time(f.bars.ts.back(), tf));
    }
    fmt::print("  {} errors; {}\n", r.error_count(), warning_summary(r));
    print_findings_text(r, args.max_lines);
  }
  return r.ok() ? kExitOk : kExitDataErrors;
}

int inspect_wide(const InspectArgs& args, const CsvOptions& options) {
  auto read = data::read_panel_csv(args.file, options);
  if (!read.ok()) return fail(read.error());
  const PanelFile& p = *read;
  const ValidationReport& r = p.report;
  const bool has_rows = p.panel.rows() > 0;
  if (args.json) {
    json j = report_json(r);
    j["file"] = args.file;
    j["layout"] = "wide";
    j["columns"] = p.columns;
    j["symbols"] = p.panel.symbols;
    j["rows"] = p.rows;
    j["first"] = has_rows ? json(show_time(p.panel.ts.front(), p.timeframe)) : json(nullptr);
    j["last"] = has_rows ? json(show_time(p.panel.ts.back(), p.timeframe)) : json(nullptr);
    j["timeframe"] = p.timeframe.valid() ? json(p.timeframe.to_string()) : json(nullptr);
    json firsts = json::object();
    for (std::size_t k = 0; k < p.panel.columns(); ++k) {
      const auto& v = p.panel.values[k];
      std::size_t i = 0;
      while (i < v.size() && std::isnan(v[i])) ++i;
      firsts[p.panel.symbols[k]] = i < v.size() ? json(show_time(p.panel.ts[i], p.timeframe)) : json(nullptr);
    }
    j["first_value"] = firsts;
    print_json(j);
  } else {
    fmt::print("{}: wide file, {} rows x {} columns ({}), timeframe {}\n", r.source(), p.rows,
               p.panel.columns(), fmt::join(p.panel.symbols, " "),
               p.timeframe.valid() ? p.timeframe.to_string() : "unknown");
    if (has_rows) {
      fmt::print("  from {} to {}\n", show_time(p.panel.ts.front(), p.timeframe),
                 show_time(p.panel.ts.back(), p.timeframe));
    }
    fmt::print(
        "  {} errors; {} warnings: {} gaps ({} missing rows), {} jumps, {} empty cells after a listing\n",
        r.error_count(), r.warning_count(), r.gaps.count, r.gaps.missing_bars,
        r.warning_count(FindingKind::kJump), r.warning_count(FindingKind::kMissingValue));
    print_findings_text(r, args.max_lines);
  }
  return r.ok() ? kExitOk : kExitDataErrors;
}

int run_inspect(const InspectArgs& args) {
  auto layout = data::detect_csv_layout(args.file);
  if (!layout.ok()) return fail(layout.error());
  CsvOptions options;
  options.validation.max_warnings_per_kind = args.max_warnings;
  if (*layout == data::CsvLayout::kWide) return inspect_wide(args, options);
  return inspect_bars(args, options);  // unknown layouts get the missing-column errors
}

struct ImportArgs {
  std::string file;
  std::string symbol;
  std::string timeframe;
  std::string db = "tradeloop.db";
};

int run_import(const ImportArgs& args) {
  CsvOptions options;
  options.symbol = args.symbol;
  if (!args.timeframe.empty()) {
    auto tf = Timeframe::parse(args.timeframe);
    if (!tf.ok()) return fail(tf.error());
    options.timeframe = *tf;
  }
  // Read and validate before touching the database, so a refused file creates nothing.
  auto read = data::read_bars_csv(args.file, options);
  if (!read.ok()) return fail(read.error());
  const ValidationReport& r = read->report;
  if (!r.ok()) {
    std::fputs(r.error_text().c_str(), stderr);
    fmt::print(stderr, "tradeloop: {} has {} error{}; nothing was imported\n", r.source(), r.error_count(),
               r.error_count() == 1 ? "" : "s");
    return kExitDataErrors;
  }
  if (!read->bars.timeframe.valid()) {
    return fail(fmt::format("{}: cannot infer the timeframe from {} bar(s); pass --timeframe", r.source(),
                            read->bars.size()));
  }
  auto store = data::BarStore::open(args.db);
  if (!store.ok()) return fail(store.error());
  auto written = store->write(read->bars, r.source());
  if (!written.ok()) return fail(written.error());
  fmt::print("imported {} bars of {} {} from {} into {} ({} new, {} replaced; {})\n", written->bars,
             read->bars.symbol, read->bars.timeframe.to_string(), r.source(), args.db, written->inserted,
             written->replaced, warning_summary(r));
  return kExitOk;
}

struct ExportArgs {
  std::string db;
  std::string symbol;
  std::string timeframe;
  std::string from, to;
  std::string out;
};

int write_csv(const data::BarSeries& bars, const std::string& out) {
  const Status s = out.empty() ? data::write_bars_csv(bars, stdout) : data::write_bars_csv(bars, out);
  return s.ok() ? kExitOk : fail(s.error());
}

int run_export(const ExportArgs& args) {
  data::BarQuery query;
  query.symbol = args.symbol;
  auto tf = Timeframe::parse(args.timeframe);
  if (!tf.ok()) return fail(tf.error());
  query.timeframe = *tf;
  for (auto [text, slot, name] :
       {std::tuple{&args.from, &query.from, "--from"}, {&args.to, &query.to, "--to"}}) {
    if (text->empty()) continue;
    auto t = parse_time(*text);
    if (!t.ok()) return fail(fmt::format("{}: {}", name, t.error().message()));
    *slot = *t;
  }
  auto store = data::BarStore::open(args.db, data::BarStore::Mode::kReadOnly);
  if (!store.ok()) return fail(store.error());
  auto bars = store->read(query);
  if (!bars.ok()) return fail(bars.error());
  if (bars->empty()) {
    auto series = store->list();
    if (!series.ok()) return fail(series.error());
    bool known = false;
    std::string stored;
    for (const auto& s : *series) {
      known = known || (s.symbol == query.symbol && s.timeframe == query.timeframe);
      stored += fmt::format("{}{} {}", stored.empty() ? "" : ", ", s.symbol, s.timeframe.to_string());
    }
    if (!known) {
      return fail(fmt::format("{} has no bars for {} {} (stored: {})", args.db, query.symbol,
                              query.timeframe.to_string(), stored.empty() ? "nothing" : stored));
    }
    fmt::print(stderr, "tradeloop: no {} {} bars in the requested range\n", query.symbol,
               query.timeframe.to_string());
  }
  return write_csv(*bars, args.out);
}

struct ResampleArgs {
  std::string file;
  std::string to;
  std::string out;
};

int run_resample(const ResampleArgs& args) {
  auto tf = Timeframe::parse(args.to);
  if (!tf.ok()) return fail(tf.error());
  auto read = data::read_bars_csv(args.file);
  if (!read.ok()) return fail(read.error());
  const ValidationReport& r = read->report;
  if (!r.ok()) {
    std::fputs(r.error_text().c_str(), stderr);
    fmt::print(stderr, "tradeloop: {} has {} error{}; fix them before resampling\n", r.source(),
               r.error_count(), r.error_count() == 1 ? "" : "s");
    return kExitDataErrors;
  }
  auto bars = data::resample(read->bars, *tf);
  if (!bars.ok()) return fail(bars.error());
  return write_csv(*bars, args.out);
}

}  // namespace

void register_data_commands(CLI::App& app, State& state) {
  CLI::App* data_cmd =
      app.add_subcommand("data", "Read, validate, store and resample market data (docs/data.md)");
  data_cmd->require_subcommand(1);

  auto inspect = std::make_shared<InspectArgs>();
  CLI::App* ins = data_cmd->add_subcommand(
      "inspect",
      "Read a CSV file and report rows, time range, timeframe, errors and warnings.\n"
      "Exit 0 when the data has no errors (warnings allowed), 1 when it has errors, 2 on usage/IO errors.");
  ins->add_option("file", inspect->file,
                  "CSV file (bars: time + OHLC[V]; or wide: date + one column per ticker)")
      ->required();
  ins->add_flag("--json", inspect->json, "Print one JSON object on stdout");
  ins->add_option("--max-warnings", inspect->max_warnings,
                  "Warnings listed per kind (counts are always complete; 0 = all)")
      ->capture_default_str();
  ins->add_option("--max-lines", inspect->max_lines, "Errors and warnings printed in text mode")
      ->capture_default_str();
  ins->callback([&state, inspect] { state.exit_code = run_inspect(*inspect); });

  auto import = std::make_shared<ImportArgs>();
  CLI::App* imp = data_cmd->add_subcommand(
      "import",
      "Validate a bar CSV and store its bars in a SQLite bar store (one transaction).\n"
      "A file with errors is refused (every error is listed on stderr, exit 1) and nothing is written.\n"
      "Importing the same bars again replaces them; it never duplicates.");
  imp->add_option("file", import->file, "Bar CSV file")->required();
  imp->add_option("--symbol", import->symbol, "Symbol to store the bars under")->required();
  imp->add_option("--timeframe", import->timeframe,
                  "Timeframe (1m 5m 1h 1d ...); must match the data; default inferred");
  imp->add_option("--db", import->db, "SQLite bar store")->capture_default_str();
  imp->callback([&state, import] { state.exit_code = run_import(*import); });

  auto exp = std::make_shared<ExportArgs>();
  CLI::App* ex = data_cmd->add_subcommand(
      "export", "Write stored bars as CSV (timestamp,open,high,low,close,volume) to stdout or --out.");
  ex->add_option("--db", exp->db, "SQLite bar store")->required();
  ex->add_option("--symbol", exp->symbol, "Symbol")->required();
  ex->add_option("--timeframe", exp->timeframe, "Timeframe as stored (5m, 1h, 1d ...)")->required();
  ex->add_option("--from", exp->from, "First bar time, inclusive (ISO-8601 or epoch)");
  ex->add_option("--to", exp->to, "Last bar time, inclusive (ISO-8601 or epoch)");
  ex->add_option("--out", exp->out, "Output CSV file (default: stdout)");
  ex->callback([&state, exp] { state.exit_code = run_export(*exp); });

  auto res = std::make_shared<ResampleArgs>();
  CLI::App* rs = data_cmd->add_subcommand(
      "resample",
      "Resample a bar CSV to a coarser timeframe and print CSV (timestamp,open,high,low,close,volume).\n"
      "Periods are left-closed and labelled by their start (weeks start Monday, months on the 1st, UTC).");
  rs->add_option("file", res->file, "Bar CSV file")->required();
  rs->add_option("--to", res->to, "Target timeframe (15m 1h 4h 1d 1w 1M ...)")->required();
  rs->add_option("--out", res->out, "Output CSV file (default: stdout)");
  rs->callback([&state, res] { state.exit_code = run_resample(*res); });
}

}  // namespace tradeloop::cli
