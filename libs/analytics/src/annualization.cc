#include "tradeloop/analytics/annualization.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

namespace tradeloop::analytics {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Floor division for possibly negative numerators (timestamps before 1970).
constexpr std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

Timestamp median_bar_period(std::span<const Timestamp> ts) {
  if (ts.size() < 2) return 0;
  const std::size_t first = ts.size() > 100 ? ts.size() - 100 : 0;
  std::array<Timestamp, 99> diffs{};
  std::size_t n = 0;
  for (std::size_t i = first + 1; i < ts.size(); ++i) diffs[n++] = ts[i] - ts[i - 1];
  std::sort(diffs.begin(), diffs.begin() + static_cast<std::ptrdiff_t>(n));
  if (n % 2 == 1) return diffs[n / 2];
  // Even count: the mean of the two middle values, as pandas' median.
  return diffs[n / 2 - 1] + (diffs[n / 2] - diffs[n / 2 - 1]) / 2;
}

}  // namespace

Annualization infer_annualization(std::span<const Timestamp> ts, double periods_per_year_override) {
  Annualization out;
  if (ts.empty()) {
    out.periods_per_year = periods_per_year_override > 0 ? periods_per_year_override : kNaN;
    return out;
  }
  out.bar_period_ns = median_bar_period(ts);
  if (periods_per_year_override > 0) {
    // The caller knows the factor: skip the pass over every bar that counts weekend bars.
    out.weekend_share = kNaN;
    out.periods_per_year = periods_per_year_override;
    const std::int64_t days = floor_div(out.bar_period_ns, kNanosPerDay);
    out.period = days == 7     ? ReturnPeriod::kWeek
                 : days == 31  ? ReturnPeriod::kMonth
                 : days == 365 ? ReturnPeriod::kYear
                               : ReturnPeriod::kDay;
    return out;
  }
  std::size_t weekend = 0;
  for (const Timestamp t : ts) {
    // Day of week with Monday = 0 (1970-01-01 was a Thursday); inline, this loop sees every bar.
    const std::int64_t wd = floor_div(floor_div(t, kNanosPerDay) + 3, 7);
    const std::int64_t dow = floor_div(t, kNanosPerDay) + 3 - wd * 7;
    weekend += dow >= 5 ? 1 : 0;
  }
  out.weekend_share = static_cast<double>(weekend) / static_cast<double>(ts.size());
  // Whole days of the period (pd.Timedelta.days floors).
  const std::int64_t period_days = floor_div(out.bar_period_ns, kNanosPerDay);
  if (period_days == 7) {
    out.period = ReturnPeriod::kWeek;
    out.periods_per_year = 52;
  } else if (period_days == 31) {
    out.period = ReturnPeriod::kMonth;
    out.periods_per_year = 12;
  } else if (period_days == 365) {
    out.period = ReturnPeriod::kYear;
    out.periods_per_year = 1;
  } else {
    out.period = ReturnPeriod::kDay;
    out.periods_per_year = out.weekend_share > 2.0 / 7.0 * 0.6 ? 365 : 252;
  }
  return out;
}

double periods_per_year(std::span<const Timestamp> ts) {
  return infer_annualization(ts).periods_per_year;
}

std::int64_t period_key(Timestamp ts, ReturnPeriod period) {
  const std::int64_t days = floor_div(ts, kNanosPerDay);
  switch (period) {
    case ReturnPeriod::kDay:
      return days;
    case ReturnPeriod::kWeek:
      // 1970-01-01 is a Thursday; +3 makes Monday the first day of each 7-day bin, so bins end
      // on Sunday like pandas' 'W' (= 'W-SUN').
      return floor_div(days + 3, 7);
    case ReturnPeriod::kMonth: {
      const CivilDate d = civil_from_days(days);
      return static_cast<std::int64_t>(d.year) * 12 + (d.month - 1);
    }
    case ReturnPeriod::kYear:
      return civil_from_days(days).year;
  }
  return days;
}

void period_returns(std::span<const Timestamp> ts, std::span<const double> equity, ReturnPeriod period,
                    std::vector<double>* out, std::vector<Timestamp>* period_end_ts) {
  out->clear();
  if (period_end_ts != nullptr) period_end_ts->clear();
  const std::size_t n = std::min(ts.size(), equity.size());
  double prev_value = kNaN;
  double last_value = kNaN;
  Timestamp last_ts = 0;
  bool have_period = false;
  std::int64_t key = 0;
  // Emits the period that just ended: its last non-NaN value against the previous period's.
  auto emit = [&] {
    out->push_back(std::isnan(prev_value) ? kNaN : last_value / prev_value - 1.0);
    if (period_end_ts != nullptr) period_end_ts->push_back(last_ts);
    prev_value = last_value;
  };
  auto scan = [&](auto key_of) {
    for (std::size_t i = 0; i < n; ++i) {
      const double v = equity[i];
      if (std::isnan(v)) continue;
      const std::int64_t k = key_of(ts[i]);
      if (have_period && k != key) emit();
      key = k;
      have_period = true;
      last_value = v;
      last_ts = ts[i];
    }
  };
  if (period == ReturnPeriod::kDay) {
    // The common case, specialized: the day key is one integer division.
    scan([](Timestamp t) { return floor_div(t, kNanosPerDay); });
  } else {
    scan([period](Timestamp t) { return period_key(t, period); });
  }
  if (have_period) emit();
}

Timestamp ceil_to_resolution(Timestamp duration_ns, Timestamp bar_period_ns) {
  if (bar_period_ns <= 0) return duration_ns;
  static constexpr std::array<Timestamp, 7> kUnits = {
      kNanosPerDay, kNanosPerHour, kNanosPerMinute, kNanosPerSecond, 1'000'000, 1'000, 1};
  // The resolution is the finest unit with a non-zero component: the coarsest unit that divides
  // the period exactly.
  Timestamp unit = 1;
  for (const Timestamp u : kUnits) {
    if (bar_period_ns % u == 0) {
      unit = u;
      break;
    }
  }
  return -floor_div(-duration_ns, unit) * unit;
}

}  // namespace tradeloop::analytics
