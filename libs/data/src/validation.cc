#include "tradeloop/data/validation.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include <fmt/format.h>

namespace tradeloop::data {

std::string_view finding_kind_name(FindingKind kind) {
  switch (kind) {
    case FindingKind::kUnparsable:
      return "unparsable";
    case FindingKind::kNotFinite:
      return "not_finite";
    case FindingKind::kNonPositivePrice:
      return "non_positive_price";
    case FindingKind::kNegativeVolume:
      return "negative_volume";
    case FindingKind::kInconsistentOhlc:
      return "inconsistent_ohlc";
    case FindingKind::kOutOfOrder:
      return "out_of_order";
    case FindingKind::kDuplicate:
      return "duplicate";
    case FindingKind::kMissingColumn:
      return "missing_column";
    case FindingKind::kShortRow:
      return "short_row";
    case FindingKind::kLongRow:
      return "long_row";
    case FindingKind::kUnterminatedQuote:
      return "unterminated_quote";
    case FindingKind::kEmptyFile:
      return "empty_file";
    case FindingKind::kTimeframeMismatch:
      return "timeframe_mismatch";
    case FindingKind::kGap:
      return "gap";
    case FindingKind::kZeroVolume:
      return "zero_volume";
    case FindingKind::kFlatBar:
      return "flat_bar";
    case FindingKind::kJump:
      return "jump";
    case FindingKind::kMissingValue:
      return "missing_value";
    case FindingKind::kNote:
      return "note";
  }
  return "unknown";
}

void ValidationReport::add_error(FindingKind kind, std::size_t line, std::string_view field,
                                 std::string message) {
  ++error_count_;
  if (options_.max_errors != 0 && errors_.size() >= options_.max_errors) return;
  errors_.push_back(Finding{Severity::kError, kind, line, std::string(field), std::move(message)});
}

void ValidationReport::add_warning(FindingKind kind, std::size_t line, std::string_view field,
                                   std::string message) {
  const std::size_t n = ++warning_counts_[static_cast<std::size_t>(kind) % warning_counts_.size()];
  if (options_.max_warnings_per_kind != 0 && n > options_.max_warnings_per_kind) return;
  warnings_.push_back(Finding{Severity::kWarning, kind, line, std::string(field), std::move(message)});
}

std::size_t ValidationReport::warning_count(FindingKind kind) const {
  return warning_counts_[static_cast<std::size_t>(kind) % warning_counts_.size()];
}

std::size_t ValidationReport::warning_count() const {
  std::size_t n = 0;
  for (std::size_t c : warning_counts_) n += c;
  return n;
}

std::string ValidationReport::format(const Finding& f) const {
  std::string out = source_;
  if (f.line != 0) out += fmt::format(":{}", f.line);
  out += ": ";
  // "column 'high' (101.2) is below ..." reads as one sentence; other messages follow a colon.
  if (!f.field.empty()) out += fmt::format("column '{}'{}", f.field, f.message.starts_with('(') ? " " : ": ");
  out += f.message;
  return out;
}

void ValidationReport::sort_by_line() {
  const auto by_line = [](const Finding& a, const Finding& b) { return a.line < b.line; };
  std::stable_sort(errors_.begin(), errors_.end(), by_line);
  std::stable_sort(warnings_.begin(), warnings_.end(), by_line);
}

std::string ValidationReport::error_text() const {
  std::string out;
  for (const Finding& f : errors_) {
    out += format(f);
    out += '\n';
  }
  if (error_count_ > errors_.size()) {
    out += fmt::format("{}: ... and {} more errors not listed\n", source_, error_count_ - errors_.size());
  }
  return out;
}

namespace {

// Closed weekdays and (intraday) closed time-of-day slots, learned from the data itself.
struct LearnedCalendar {
  std::array<bool, 7> weekday_open{};
  bool all_weekdays_open = true;
  // Intraday only: slot j of a day is [j*step, (j+1)*step); open_prefix[j] = open slots before j.
  std::vector<std::int64_t> open_prefix;
  std::int64_t slots = 0;
};

std::int64_t day_of(Timestamp ts) {
  return floor_day(ts) / kNanosPerDay;
}
int weekday_of_day(std::int64_t day) {
  return static_cast<int>(((day % 7) + 7 + 3) % 7);
}

LearnedCalendar learn_calendar(std::span<const Timestamp> ts, Timestamp step) {
  LearnedCalendar cal;
  const std::int64_t first_day = day_of(ts.front());
  const std::int64_t last_day = day_of(ts.back());
  std::array<std::int64_t, 7> spanned{};
  std::array<std::int64_t, 7> with_bars{};
  const std::int64_t span_days = last_day - first_day + 1;
  for (int w = 0; w < 7; ++w) spanned[w] = span_days / 7;
  for (std::int64_t d = first_day + (span_days / 7) * 7; d <= last_day; ++d) ++spanned[weekday_of_day(d)];

  const bool intraday = step < kNanosPerDay && kNanosPerDay % step == 0;
  std::vector<std::int64_t> slot_days;
  if (intraday) {
    cal.slots = kNanosPerDay / step;
    slot_days.assign(static_cast<std::size_t>(cal.slots), 0);
  }
  std::int64_t dates = 0;
  std::int64_t prev_day = INT64_MIN;
  std::int64_t prev_slot = -1;
  for (Timestamp t : ts) {
    const std::int64_t d = day_of(t);
    if (d != prev_day) {
      ++with_bars[weekday_of_day(d)];
      ++dates;
      prev_day = d;
      prev_slot = -1;
    }
    if (intraday) {
      const std::int64_t slot = (t - d * kNanosPerDay) / step;
      if (slot != prev_slot) ++slot_days[static_cast<std::size_t>(slot)];
      prev_slot = slot;
    }
  }
  for (int w = 0; w < 7; ++w) {
    cal.weekday_open[w] = spanned[w] == 0 || with_bars[w] * 2 >= spanned[w];
    cal.all_weekdays_open = cal.all_weekdays_open && cal.weekday_open[w];
  }
  if (intraday) {
    // With few dates the slot statistics mean nothing: treat every slot as open.
    const bool learn_slots = dates >= 5;
    cal.open_prefix.assign(static_cast<std::size_t>(cal.slots) + 1, 0);
    for (std::int64_t j = 0; j < cal.slots; ++j) {
      const bool open = !learn_slots || slot_days[static_cast<std::size_t>(j)] * 2 >= dates;
      cal.open_prefix[static_cast<std::size_t>(j) + 1] =
          cal.open_prefix[static_cast<std::size_t>(j)] + (open ? 1 : 0);
    }
  }
  return cal;
}

// Open weekdays strictly between days a and b.
std::int64_t open_days_between(const LearnedCalendar& cal, std::int64_t a, std::int64_t b) {
  const std::int64_t n = b - a - 1;
  if (n <= 0) return 0;
  int open_per_week = 0;
  for (bool o : cal.weekday_open) open_per_week += o ? 1 : 0;
  std::int64_t count = (n / 7) * open_per_week;
  for (std::int64_t d = a + 1 + (n / 7) * 7; d < b; ++d) count += cal.weekday_open[weekday_of_day(d)] ? 1 : 0;
  return count;
}

bool closed_day_between(const LearnedCalendar& cal, std::int64_t a, std::int64_t b) {
  if (cal.all_weekdays_open) return false;
  for (std::int64_t d = a + 1; d < b && d < a + 8; ++d) {
    if (!cal.weekday_open[weekday_of_day(d)]) return true;
  }
  return false;
}

// Open grid points a + k*step strictly between a and b (intraday, step divides the day).
std::int64_t open_points_between(const LearnedCalendar& cal, Timestamp a, Timestamp b, Timestamp step) {
  const std::int64_t day_a = day_of(a);
  const std::int64_t day_b = day_of(b);
  const Timestamp off_a = a - day_a * kNanosPerDay;
  const Timestamp off_b = b - day_b * kNanosPerDay;
  const Timestamp phase = off_a % step;  // grid points sit at phase + j*step in every day
  const std::int64_t slot_a = off_a / step;
  // Grid slots j in day_b with phase + j*step < off_b.
  const std::int64_t end_b = off_b > phase ? (off_b - phase + step - 1) / step : 0;
  auto open_in = [&](std::int64_t lo, std::int64_t hi) -> std::int64_t {  // open slots in [lo, hi)
    lo = std::clamp<std::int64_t>(lo, 0, cal.slots);
    hi = std::clamp<std::int64_t>(hi, 0, cal.slots);
    return hi > lo
               ? cal.open_prefix[static_cast<std::size_t>(hi)] - cal.open_prefix[static_cast<std::size_t>(lo)]
               : 0;
  };
  if (day_a == day_b) {
    return cal.weekday_open[weekday_of_day(day_a)] ? open_in(slot_a + 1, end_b) : 0;
  }
  std::int64_t count = 0;
  if (cal.weekday_open[weekday_of_day(day_a)]) count += open_in(slot_a + 1, cal.slots);
  const std::int64_t full_open_days = open_days_between(cal, day_a, day_b);
  count += full_open_days * open_in(0, cal.slots);
  if (cal.weekday_open[weekday_of_day(day_b)]) count += open_in(0, end_b);
  return count;
}

std::int64_t periods_between(Timeframe tf, Timestamp a, Timestamp b) {
  // Periods strictly between the one holding a and the one holding b.
  const Timestamp pa = tf.period_start(a);
  const Timestamp pb = tf.period_start(b);
  if (pb <= pa) return 0;
  if (tf.unit() != TimeUnit::kMonth) return (pb - pa) / tf.nominal_ns() - 1;
  const CivilDate ca = civil_from_days(day_of(pa));
  const CivilDate cb = civil_from_days(day_of(pb));
  const std::int64_t months = (static_cast<std::int64_t>(cb.year) - ca.year) * 12 + (cb.month - ca.month);
  return months / tf.count() - 1;
}

}  // namespace

std::vector<Gap> find_gaps(std::span<const Timestamp> ts, Timeframe tf, int daily_holiday_tolerance) {
  std::vector<Gap> gaps;
  if (ts.size() < 2 || !tf.valid()) return gaps;
  auto add = [&](std::size_t i, std::int64_t missing) {
    if (missing > 0) gaps.push_back(Gap{i, ts[i - 1], ts[i], missing});
  };
  if (tf.unit() == TimeUnit::kWeek || tf.unit() == TimeUnit::kMonth) {
    for (std::size_t i = 1; i < ts.size(); ++i) {
      if (ts[i] > ts[i - 1]) add(i, periods_between(tf, ts[i - 1], ts[i]));
    }
    return gaps;
  }
  const Timestamp step = tf.nominal_ns();
  const LearnedCalendar cal = learn_calendar(ts, step);
  if (step == kNanosPerDay) {
    const std::int64_t tolerance = cal.all_weekdays_open ? 0 : daily_holiday_tolerance;
    for (std::size_t i = 1; i < ts.size(); ++i) {
      if (ts[i] <= ts[i - 1]) continue;
      const std::int64_t missing = open_days_between(cal, day_of(ts[i - 1]), day_of(ts[i]));
      if (missing > tolerance) add(i, missing);
    }
    return gaps;
  }
  const bool slotted = step < kNanosPerDay && kNanosPerDay % step == 0;
  for (std::size_t i = 1; i < ts.size(); ++i) {
    const Timestamp a = ts[i - 1];
    const Timestamp b = ts[i];
    if (b - a <= step) continue;
    if (!slotted) {  // multi-day or odd steps: a plain grid
      add(i, (b - a - 1) / step);
      continue;
    }
    if (closed_day_between(cal, day_of(a), day_of(b))) continue;  // weekend or closure
    add(i, open_points_between(cal, a, b, step));
  }
  return gaps;
}

namespace {

std::string num(double v) {
  return fmt::format("{}", v);
}

}  // namespace

std::string show_time(Timestamp ts, Timeframe tf) {
  return tf.valid() && tf.nominal_ns() >= kNanosPerDay ? format_time_compact(ts) : format_time(ts);
}

void validate_bars(const BarSeries& bars, std::span<const std::uint32_t> lines, const ColumnNames& names,
                   bool has_volume, ValidationReport& report) {
  const std::size_t n = bars.size();
  auto line_of = [&](std::size_t i) -> std::size_t { return i < lines.size() ? lines[i] : i + 2; };
  const double jump = report.options().jump_threshold;
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t line = line_of(i);
    const double o = bars.open[i], h = bars.high[i], l = bars.low[i], c = bars.close[i], v = bars.volume[i];
    bool prices_ok = true;
    const std::pair<const std::string*, double> prices[] = {
        {&names.open, o}, {&names.high, h}, {&names.low, l}, {&names.close, c}};
    for (const auto& [name, x] : prices) {
      if (std::isnan(x)) {
        report.add_error(FindingKind::kNotFinite, line, *name, "NaN");
        prices_ok = false;
      } else if (std::isinf(x)) {
        report.add_error(FindingKind::kNotFinite, line, *name, x > 0 ? "infinite" : "negative infinite");
        prices_ok = false;
      } else if (x <= 0) {
        report.add_error(FindingKind::kNonPositivePrice, line, *name,
                         fmt::format("price must be positive, got {}", num(x)));
        prices_ok = false;
      }
    }
    if (std::isnan(v)) {
      report.add_error(FindingKind::kNotFinite, line, names.volume, "NaN");
    } else if (std::isinf(v)) {
      report.add_error(FindingKind::kNotFinite, line, names.volume, "infinite");
    } else if (v < 0) {
      report.add_error(FindingKind::kNegativeVolume, line, names.volume,
                       fmt::format("volume must not be negative, got {}", num(v)));
    } else if (v == 0 && has_volume) {
      report.add_warning(FindingKind::kZeroVolume, line, names.volume, "zero volume");
    }
    if (prices_ok) {
      if (h < l) {
        report.add_error(FindingKind::kInconsistentOhlc, line, names.high,
                         fmt::format("({}) is below '{}' ({})", num(h), names.low, num(l)));
      } else {
        if (h < std::max(o, c)) {
          report.add_error(FindingKind::kInconsistentOhlc, line, names.high,
                           fmt::format("({}) is below '{}' ({})", num(h), o > c ? names.open : names.close,
                                       num(std::max(o, c))));
        }
        if (l > std::min(o, c)) {
          report.add_error(FindingKind::kInconsistentOhlc, line, names.low,
                           fmt::format("({}) is above '{}' ({})", num(l), o < c ? names.open : names.close,
                                       num(std::min(o, c))));
        }
      }
      if (o == h && h == l && l == c) {
        report.add_warning(FindingKind::kFlatBar, line, "",
                           fmt::format("flat bar: open = high = low = close = {}", num(o)));
      }
    }
    if (i > 0) {
      const Timestamp t = bars.ts[i], p = bars.ts[i - 1];
      if (t < p) {
        report.add_error(FindingKind::kOutOfOrder, line, names.timestamp,
                         fmt::format("{} is earlier than the previous bar's {} (line {})", format_time(t),
                                     format_time(p), line_of(i - 1)));
      } else if (t == p) {
        report.add_error(
            FindingKind::kDuplicate, line, names.timestamp,
            fmt::format("duplicate timestamp {} (also on line {})", format_time(t), line_of(i - 1)));
      }
      const double pc = bars.close[i - 1];
      if (std::isfinite(pc) && pc > 0 && std::isfinite(c) && c > 0) {
        const double change = c / pc - 1.0;
        if (std::fabs(change) > jump) {
          report.add_warning(FindingKind::kJump, line, names.close,
                             fmt::format("jump of {:+.1f}% from the previous bar ({} -> {})", change * 100.0,
                                         num(pc), num(c)));
        }
      }
    }
  }
  if (!has_volume) {
    report.add_warning(FindingKind::kNote, 0, "", "no volume column: volume set to 0");
  }
  if (bars.timeframe.valid()) {
    report.gap_list = find_gaps(bars.ts, bars.timeframe, report.options().daily_holiday_tolerance);
    report.gaps = {};
    for (const Gap& g : report.gap_list) {
      ++report.gaps.count;
      report.gaps.missing_bars += g.missing_bars;
      report.add_warning(FindingKind::kGap, line_of(g.index), names.timestamp,
                         fmt::format("gap: {} missing {} bar{} between {} and {}", g.missing_bars,
                                     bars.timeframe.to_string(), g.missing_bars == 1 ? "" : "s",
                                     show_time(g.from, bars.timeframe), show_time(g.to, bars.timeframe)));
    }
  }
  report.sort_by_line();
}

}  // namespace tradeloop::data
