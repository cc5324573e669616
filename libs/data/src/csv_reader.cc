#include "tradeloop/data/csv_reader.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <optional>
#include <utility>

#include <fmt/format.h>

#include "csv_scanner.h"
#include "fast_parse.h"

namespace tradeloop::data {

using internal::CsvScanner;

Result<std::string> read_file(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    const int err = errno;
    if (err == ENOENT) return Error::not_found(fmt::format("{}: no such file", path));
    return Error::io(fmt::format("{}: cannot open: {}", path, std::strerror(err)));
  }
  struct stat st {};
  if (::fstat(::fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
    std::fclose(f);
    return Error::io(fmt::format("{}: is a directory, not a file", path));
  }
  std::string data;
  if (st.st_size > 0) data.resize(static_cast<std::size_t>(st.st_size));
  std::size_t got = data.empty() ? 0 : std::fread(data.data(), 1, data.size(), f);
  data.resize(got);
  // Files that grow or report no size (pipes): read the rest in chunks.
  char chunk[65536];
  for (std::size_t n; (n = std::fread(chunk, 1, sizeof chunk, f)) > 0;) data.append(chunk, n);
  const bool failed = std::ferror(f) != 0;
  std::fclose(f);
  if (failed) return Error::io(fmt::format("{}: read error", path));
  return data;
}

namespace {

// A file's bytes: mapped read-only when it is a regular file (no copy: the reader scans the page
// cache directly, which is what makes it several hundred MB/s), else read into memory.
class FileText {
 public:
  static Result<FileText> open(const std::string& path) {
    FileText out;
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      const int err = errno;
      if (err == ENOENT) return Error::not_found(fmt::format("{}: no such file", path));
      return Error::io(fmt::format("{}: cannot open: {}", path, std::strerror(err)));
    }
    struct stat st {};
    if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
      ::close(fd);
      return Error::io(fmt::format("{}: is a directory, not a file", path));
    }
    if (S_ISREG(st.st_mode) && st.st_size > 0) {
      void* map =
          ::mmap(nullptr, static_cast<std::size_t>(st.st_size), PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
      if (map != MAP_FAILED) {
        ::close(fd);
        out.map_ = map;
        out.size_ = static_cast<std::size_t>(st.st_size);
        return out;
      }
    }
    ::close(fd);
    TL_ASSIGN_OR_RETURN(out.copy_, read_file(path));
    return out;
  }

  FileText() = default;
  FileText(FileText&& other) noexcept
      : map_(std::exchange(other.map_, nullptr)),
        size_(std::exchange(other.size_, 0)),
        copy_(std::move(other.copy_)) {}
  FileText& operator=(FileText&&) = delete;
  FileText(const FileText&) = delete;
  ~FileText() {
    if (map_ != nullptr) ::munmap(map_, size_);
  }

  std::string_view text() const {
    return map_ != nullptr ? std::string_view(static_cast<const char*>(map_), size_)
                           : std::string_view(copy_);
  }

 private:
  void* map_ = nullptr;
  std::size_t size_ = 0;
  std::string copy_;
};

}  // namespace

std::string symbol_from_path(std::string_view path) {
  const std::size_t slash = path.find_last_of("/\\");
  std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  const std::size_t dot = name.find('.');
  if (dot != std::string_view::npos && dot > 0) name = name.substr(0, dot);
  const std::size_t dash = name.find('-');
  // "2006-day-001" keeps its whole stem: a number alone is no symbol.
  const bool numeric_head = dash != std::string_view::npos &&
                            name.substr(0, dash).find_first_not_of("0123456789") == std::string_view::npos;
  if (dash != std::string_view::npos && dash > 0 && !numeric_head) name = name.substr(0, dash);
  return std::string(name);
}

namespace {

std::string base_name(std::string_view path) {
  const std::size_t slash = path.find_last_of("/\\");
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

// Header names compare in lower case, without spaces, '_', '-', '<', '>' ("Adj Close" -> "adjclose").
std::string normalize(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (c == ' ' || c == '_' || c == '-' || c == '<' || c == '>' || c == '"') continue;
    out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return out;
}

bool is_any(const std::string& n, std::initializer_list<std::string_view> names) {
  return std::find(names.begin(), names.end(), n) != names.end();
}

// Where each role sits in the header (-1 = absent).
struct Columns {
  int timestamp = -1;  // a single time column
  int date = -1;       // split date + time columns
  int time = -1;
  int open = -1, high = -1, low = -1, close = -1, volume = -1;
  std::size_t count = 0;
};

Columns map_columns(const std::vector<std::string>& header) {
  Columns c;
  c.count = header.size();
  int datetime = -1, date = -1, time = -1;
  // One-letter names (o h l c v) mean OHLC only when o, h, l and c are all there: in a wide file
  // they are tickers (Citigroup "C", Realty Income "O").
  int letters = 0;
  for (const std::string& name : header) {
    const std::string n = normalize(name);
    letters += n == "o" || n == "h" || n == "l" || n == "c";
  }
  for (std::size_t i = 0; i < header.size(); ++i) {
    std::string n = normalize(header[i]);
    if (n.size() == 1 && letters < 4) n += "?";  // matches no alias
    const int idx = static_cast<int>(i);
    auto set = [&](int& slot) {
      if (slot < 0) slot = idx;
    };
    if (is_any(n, {"timestamp", "datetime", "ts", "opentime", "unix", "epoch", "timeutc", "datetimeutc",
                   "timestamputc", "utc"})) {
      set(datetime);
    } else if (is_any(n, {"date", "day", "tradedate"})) {
      set(date);
    } else if (is_any(n, {"time"})) {
      set(time);
    } else if (is_any(n, {"open", "o", "openprice"})) {
      set(c.open);
    } else if (is_any(n, {"high", "h", "highprice"})) {
      set(c.high);
    } else if (is_any(n, {"low", "l", "lowprice"})) {
      set(c.low);
    } else if (is_any(n, {"close", "c", "closeprice", "last"})) {
      set(c.close);
    } else if (is_any(n, {"volume", "vol", "v", "basevolume"})) {
      set(c.volume);
    }
    // Anything else (Adj Close, OpenInterest, trades, quote volume ...) is ignored.
  }
  if (datetime >= 0) {
    c.timestamp = datetime;
  } else if (date >= 0 && time >= 0) {
    c.date = date;
    c.time = time;
  } else if (date >= 0) {
    c.timestamp = date;
  } else if (time >= 0) {
    c.timestamp = time;
  }
  return c;
}

bool has_time_column(const Columns& c) {
  return c.timestamp >= 0 || c.date >= 0;
}
// Bars need a close and one more OHLC column, so a wide file with a ticker named "C" stays wide.
bool has_ohlc_column(const Columns& c) {
  const int others = (c.open >= 0) + (c.high >= 0) + (c.low >= 0);
  return (c.close >= 0 && others >= 1) || others >= 2;
}

std::vector<std::string> header_names(const CsvScanner& scanner) {
  std::vector<std::string> out;
  out.reserve(scanner.fields().size());
  for (std::string_view f : scanner.fields()) out.emplace_back(internal::trim(f));
  return out;
}

// Parses the time of one row (a single column, or date + time joined with 'T').
class TimeParser {
 public:
  // On failure returns false and sets `why` to parse_time's explanation.
  bool parse(std::string_view text, Timestamp& out, std::string& why) {
    if (internal::fast_time(text, cache_, out)) return true;
    auto r = parse_time(text);
    if (r.ok()) {
      out = *r;
      return true;
    }
    why = r.error().message();
    return false;
  }
  bool parse_split(std::string_view date, std::string_view time, Timestamp& out, std::string& why) {
    joined_.assign(date);
    joined_.push_back('T');
    joined_.append(time);
    return parse(joined_, out, why);
  }

 private:
  internal::DateCache cache_;
  std::string joined_;
};

std::string show(std::string_view field) {
  if (field.size() > 40) return fmt::format("'{}...'", field.substr(0, 40));
  return fmt::format("'{}'", field);
}

// Row-shape checks shared by both layouts. Returns false when the row must be left out.
bool check_shape(const CsvScanner& s, const std::vector<std::string>& header, ValidationReport& report) {
  if (s.unterminated_field() >= 0) {
    const auto i = static_cast<std::size_t>(s.unterminated_field());
    report.add_error(FindingKind::kUnterminatedQuote, s.line(), i < header.size() ? header[i] : "",
                     "unterminated quote (a quoted field must close on its line)");
    return false;
  }
  const std::size_t n = s.fields().size();
  if (n < header.size()) {
    report.add_error(
        FindingKind::kShortRow, s.line(), "",
        fmt::format("short row: {} field{}, the header has {}", n, n == 1 ? "" : "s", header.size()));
    return false;
  }
  if (n > header.size()) {
    // Trailing empty fields (a trailing delimiter) are harmless; anything else misaligns the row.
    bool extra_text = false;
    for (std::size_t i = header.size(); i < n; ++i) extra_text = extra_text || !s.fields()[i].empty();
    if (extra_text) {
      report.add_error(FindingKind::kLongRow, s.line(), "",
                       fmt::format("long row: {} fields, the header has {}", n, header.size()));
      return false;
    }
  }
  if (s.junk_field() >= 0) {
    const auto i = static_cast<std::size_t>(s.junk_field());
    report.add_error(FindingKind::kUnparsable, s.line(), i < header.size() ? header[i] : "",
                     "unexpected text after the closing quote");
    return false;
  }
  return true;
}

Timeframe settle_timeframe(std::span<const Timestamp> ts, const CsvOptions& options, std::size_t line,
                           std::string_view time_field, ValidationReport& report) {
  Timeframe inferred;
  if (auto r = Timeframe::infer(ts); r.ok()) inferred = *r;
  if (!options.timeframe.valid()) return inferred;
  if (inferred.valid() && !(inferred == options.timeframe)) {
    report.add_error(FindingKind::kTimeframeMismatch, line, time_field,
                     fmt::format("the bars are {} apart but the timeframe given is {}", inferred.to_string(),
                                 options.timeframe.to_string()));
  }
  return options.timeframe;
}

}  // namespace

CsvLayout detect_csv_layout_text(std::string_view text) {
  CsvScanner scanner(text);
  if (!scanner.next()) return CsvLayout::kUnknown;
  const Columns c = map_columns(header_names(scanner));
  if (has_ohlc_column(c)) return CsvLayout::kBars;
  if (has_time_column(c) && c.count >= 2) return CsvLayout::kWide;
  return CsvLayout::kUnknown;
}

Result<CsvLayout> detect_csv_layout(const std::string& path) {
  TL_ASSIGN_OR_RETURN(FileText file, FileText::open(path));
  return detect_csv_layout_text(file.text());
}

BarFile parse_bars_csv(std::string_view text, std::string_view source, const CsvOptions& options) {
  BarFile out;
  const std::string name = base_name(source);
  out.report = ValidationReport(name, options.validation);
  out.bars.symbol = options.symbol.empty() ? symbol_from_path(source) : options.symbol;
  ValidationReport& report = out.report;

  CsvScanner scanner(text);
  if (!scanner.next()) {
    report.add_error(FindingKind::kEmptyFile, 0, "", "empty file: no header line");
    return out;
  }
  out.columns = header_names(scanner);
  const std::size_t header_line = scanner.line();
  const Columns col = map_columns(out.columns);
  ColumnNames names;
  bool missing = false;
  auto require = [&](int index, std::string_view role, std::string& name_out) {
    if (index >= 0) {
      name_out = out.columns[static_cast<std::size_t>(index)];
      return;
    }
    missing = true;
    report.add_error(FindingKind::kMissingColumn, header_line, role,
                     fmt::format("missing required column (the header is: {})", scanner.raw()));
  };
  if (has_time_column(col)) {
    names.timestamp = col.timestamp >= 0 ? out.columns[static_cast<std::size_t>(col.timestamp)]
                                         : out.columns[static_cast<std::size_t>(col.date)];
  } else {
    missing = true;
    report.add_error(
        FindingKind::kMissingColumn, header_line, "timestamp",
        fmt::format("missing required column: no timestamp|date|datetime|time column (the header is: {})",
                    scanner.raw()));
  }
  require(col.open, "open", names.open);
  require(col.high, "high", names.high);
  require(col.low, "low", names.low);
  require(col.close, "close", names.close);
  out.has_volume = col.volume >= 0;
  if (out.has_volume) names.volume = out.columns[static_cast<std::size_t>(col.volume)];
  if (missing) {
    while (scanner.next()) ++out.rows;
    return out;
  }

  // A guess of the row count from the text size saves reallocations on big files.
  const std::size_t guess = text.size() / std::max<std::size_t>(scanner.raw().size() + 1, 16);
  out.bars.reserve(guess + 16);
  out.lines.reserve(guess + 16);

  TimeParser times;
  std::string why;
  const int value_cols[5] = {col.open, col.high, col.low, col.close, col.volume};
  const std::string* value_names[5] = {&names.open, &names.high, &names.low, &names.close, &names.volume};
  while (scanner.next()) {
    ++out.rows;
    if (!check_shape(scanner, out.columns, report)) continue;
    const auto& f = scanner.fields();
    Timestamp t;
    bool ok;
    if (col.timestamp >= 0) {
      ok = times.parse(f[static_cast<std::size_t>(col.timestamp)], t, why);
    } else {
      ok = times.parse_split(f[static_cast<std::size_t>(col.date)], f[static_cast<std::size_t>(col.time)], t,
                             why);
    }
    if (!ok) {
      report.add_error(FindingKind::kUnparsable, scanner.line(), names.timestamp, why);
      continue;
    }
    double v[5] = {0, 0, 0, 0, 0};
    for (int k = 0; k < 5; ++k) {
      if (value_cols[k] < 0) continue;  // no volume column
      const std::string_view field = f[static_cast<std::size_t>(value_cols[k])];
      if (!internal::parse_double(field, v[k])) {
        report.add_error(FindingKind::kUnparsable, scanner.line(), *value_names[k],
                         field.empty() ? std::string("empty field")
                                       : fmt::format("cannot parse {} as a number", show(field)));
        ok = false;
      }
    }
    if (!ok) continue;
    out.bars.push_back(t, v[0], v[1], v[2], v[3], v[4]);
    out.lines.push_back(static_cast<std::uint32_t>(scanner.line()));
  }
  if (out.rows == 0) report.add_error(FindingKind::kEmptyFile, 0, "", "no data rows after the header");
  out.bars.timeframe = settle_timeframe(out.bars.ts, options, out.lines.empty() ? 0 : out.lines.front(),
                                        names.timestamp, report);
  validate_bars(out.bars, out.lines, names, out.has_volume, report);
  return out;
}

Result<BarFile> read_bars_csv(const std::string& path, const CsvOptions& options) {
  TL_ASSIGN_OR_RETURN(FileText file, FileText::open(path));
  return parse_bars_csv(file.text(), path, options);
}

Result<BarSeries> load_bars(const std::string& path, const CsvOptions& options) {
  TL_ASSIGN_OR_RETURN(BarFile file, read_bars_csv(path, options));
  if (!file.report.ok()) {
    std::string text = file.report.error_text();
    if (!text.empty() && text.back() == '\n') text.pop_back();
    return Error::invalid_argument(fmt::format("{} has {} error{}:\n{}", base_name(path),
                                               file.report.error_count(),
                                               file.report.error_count() == 1 ? "" : "s", text));
  }
  return std::move(file.bars);
}

PanelFile parse_panel_csv(std::string_view text, std::string_view source, const CsvOptions& options) {
  PanelFile out;
  out.report = ValidationReport(base_name(source), options.validation);
  ValidationReport& report = out.report;
  CsvScanner scanner(text);
  if (!scanner.next()) {
    report.add_error(FindingKind::kEmptyFile, 0, "", "empty file: no header line");
    return out;
  }
  out.columns = header_names(scanner);
  const std::size_t header_line = scanner.line();
  const Columns col = map_columns(out.columns);
  // The time column is the recognised one, else the first column.
  const std::size_t time_col = col.timestamp >= 0 ? static_cast<std::size_t>(col.timestamp) : 0;
  if (col.timestamp < 0) {
    report.add_error(
        FindingKind::kMissingColumn, header_line, "date",
        fmt::format("missing required column: no date|timestamp column (the header is: {})", scanner.raw()));
    while (scanner.next()) ++out.rows;
    return out;
  }
  std::vector<std::size_t> value_cols;
  for (std::size_t i = 0; i < out.columns.size(); ++i) {
    if (i == time_col) continue;
    value_cols.push_back(i);
    out.panel.symbols.push_back(out.columns[i]);
  }
  const std::string& time_name = out.columns[time_col];
  out.panel.values.assign(value_cols.size(), {});
  TimeParser times;
  std::string why;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<double> row(value_cols.size());
  while (scanner.next()) {
    ++out.rows;
    if (!check_shape(scanner, out.columns, report)) continue;
    const auto& f = scanner.fields();
    Timestamp t;
    if (!times.parse(f[time_col], t, why)) {
      report.add_error(FindingKind::kUnparsable, scanner.line(), time_name, why);
      continue;
    }
    bool ok = true;
    for (std::size_t k = 0; k < value_cols.size(); ++k) {
      const std::string_view field = f[value_cols[k]];
      if (field.empty()) {
        row[k] = nan;
      } else if (!internal::parse_double(field, row[k])) {
        report.add_error(FindingKind::kUnparsable, scanner.line(), out.columns[value_cols[k]],
                         fmt::format("cannot parse {} as a number", show(field)));
        ok = false;
      } else if (std::isnan(row[k])) {
        report.add_error(FindingKind::kNotFinite, scanner.line(), out.columns[value_cols[k]], "NaN");
      } else if (std::isinf(row[k])) {
        report.add_error(FindingKind::kNotFinite, scanner.line(), out.columns[value_cols[k]], "infinite");
      } else if (row[k] <= 0) {
        report.add_error(FindingKind::kNonPositivePrice, scanner.line(), out.columns[value_cols[k]],
                         fmt::format("price must be positive, got {}", row[k]));
      }
    }
    if (!ok) continue;
    out.panel.ts.push_back(t);
    out.lines.push_back(static_cast<std::uint32_t>(scanner.line()));
    for (std::size_t k = 0; k < value_cols.size(); ++k) out.panel.values[k].push_back(row[k]);
  }
  if (out.rows == 0) report.add_error(FindingKind::kEmptyFile, 0, "", "no data rows after the header");
  const auto& ts = out.panel.ts;
  for (std::size_t i = 1; i < ts.size(); ++i) {
    if (ts[i] < ts[i - 1]) {
      report.add_error(FindingKind::kOutOfOrder, out.lines[i], time_name,
                       fmt::format("{} is earlier than the previous row's {} (line {})", format_time(ts[i]),
                                   format_time(ts[i - 1]), out.lines[i - 1]));
    } else if (ts[i] == ts[i - 1]) {
      report.add_error(
          FindingKind::kDuplicate, out.lines[i], time_name,
          fmt::format("duplicate timestamp {} (also on line {})", format_time(ts[i]), out.lines[i - 1]));
    }
  }
  // Per column: empty cells after the first value, and jumps between consecutive values.
  const double jump = options.validation.jump_threshold;
  for (std::size_t k = 0; k < out.panel.values.size(); ++k) {
    const auto& v = out.panel.values[k];
    const std::string& name = out.panel.symbols[k];
    double prev = nan;
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (std::isnan(v[i])) {
        if (!std::isnan(prev)) {
          report.add_warning(FindingKind::kMissingValue, out.lines[i], name,
                             "empty cell after the column's first value");
        }
        continue;
      }
      if (!std::isnan(prev) && prev > 0 && std::isfinite(v[i]) && v[i] > 0) {
        const double change = v[i] / prev - 1.0;
        if (std::fabs(change) > jump) {
          report.add_warning(
              FindingKind::kJump, out.lines[i], name,
              fmt::format("jump of {:+.1f}% from the previous value ({} -> {})", change * 100.0, prev, v[i]));
        }
      }
      prev = v[i];
    }
  }
  out.timeframe = settle_timeframe(ts, options, out.lines.empty() ? 0 : out.lines.front(), time_name, report);
  if (out.timeframe.valid()) {
    report.gap_list = find_gaps(ts, out.timeframe, options.validation.daily_holiday_tolerance);
    for (const Gap& g : report.gap_list) {
      ++report.gaps.count;
      report.gaps.missing_bars += g.missing_bars;
      report.add_warning(FindingKind::kGap, out.lines[g.index], time_name,
                         fmt::format("gap: {} missing {} row{} between {} and {}", g.missing_bars,
                                     out.timeframe.to_string(), g.missing_bars == 1 ? "" : "s",
                                     show_time(g.from, out.timeframe), show_time(g.to, out.timeframe)));
    }
  }
  report.sort_by_line();
  return out;
}

Result<PanelFile> read_panel_csv(const std::string& path, const CsvOptions& options) {
  TL_ASSIGN_OR_RETURN(FileText file, FileText::open(path));
  return parse_panel_csv(file.text(), path, options);
}

}  // namespace tradeloop::data
