#include "svg_chart.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <iterator>

#include <fmt/format.h>

namespace tradeloop::analytics::internal {
namespace {

constexpr std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

// Thousands separators for the integer part of a formatted number.
std::string group_thousands(const std::string& s) {
  const std::size_t start = (!s.empty() && s[0] == '-') ? 1 : 0;
  std::size_t end = s.find('.');
  if (end == std::string::npos) end = s.size();
  std::string out = s.substr(0, start);
  for (std::size_t i = start; i < end; ++i) {
    if (i > start && (end - i) % 3 == 0) out += ',';
    out += s[i];
  }
  out.append(s, end, std::string::npos);
  return out;
}

int decimals_for(double step) {
  if (!(step > 0) || !std::isfinite(step)) return 2;
  const int d = static_cast<int>(std::ceil(-std::log10(step) - 1e-9));
  return std::clamp(d, 0, 8);
}

}  // namespace

double nice_step(double raw) {
  if (!(raw > 0) || !std::isfinite(raw)) return 1;
  const double p = std::pow(10.0, std::floor(std::log10(raw)));
  const double f = raw / p;
  const double n = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
  return n * p;
}

void nice_domain(double* lo, double* hi, int target) {
  if (!std::isfinite(*lo) || !std::isfinite(*hi)) {
    *lo = 0;
    *hi = 1;
    return;
  }
  if (*hi < *lo) std::swap(*lo, *hi);
  if (*hi == *lo) {
    const double pad = *lo == 0 ? 1 : std::fabs(*lo) * 0.05;
    *lo -= pad;
    *hi += pad;
  }
  const double step = nice_step((*hi - *lo) / std::max(1, target));
  *lo = std::floor(*lo / step) * step;
  *hi = std::ceil(*hi / step) * step;
}

std::vector<double> nice_ticks(double lo, double hi, int target, double* step_out) {
  std::vector<double> ticks;
  const double step = nice_step((hi - lo) / std::max(1, target));
  if (step_out != nullptr) *step_out = step;
  const double first = std::ceil(lo / step - 1e-9) * step;
  for (double t = first; t <= hi + step * 1e-9 && ticks.size() < 64; t += step) {
    ticks.push_back(std::fabs(t) < step * 1e-9 ? 0.0 : t);
  }
  return ticks;
}

std::vector<TimeTick> time_ticks(Timestamp t0, Timestamp t1, int target) {
  std::vector<TimeTick> out;
  if (t1 <= t0) {
    out.push_back({t0, format_time_compact(t0)});
    return out;
  }
  const Timestamp span = t1 - t0;
  struct Step {
    Timestamp ns;  // fixed-length steps (0 for months/years)
    int months;    // calendar steps
  };
  static constexpr std::array<Step, 26> kSteps = {{
      {kNanosPerMinute, 0},
      {5 * kNanosPerMinute, 0},
      {15 * kNanosPerMinute, 0},
      {30 * kNanosPerMinute, 0},
      {kNanosPerHour, 0},
      {2 * kNanosPerHour, 0},
      {3 * kNanosPerHour, 0},
      {6 * kNanosPerHour, 0},
      {12 * kNanosPerHour, 0},
      {kNanosPerDay, 0},
      {2 * kNanosPerDay, 0},
      {3 * kNanosPerDay, 0},
      {7 * kNanosPerDay, 0},
      {14 * kNanosPerDay, 0},
      {0, 1},
      {0, 2},
      {0, 3},
      {0, 6},
      {0, 12},
      {0, 24},
      {0, 60},
      {0, 120},
      {0, 240},
      {0, 600},
      {0, 1200},
      {0, 6000},
  }};
  const Step* chosen = &kSteps.back();
  for (const Step& s : kSteps) {
    const double approx = s.ns > 0 ? static_cast<double>(span) / static_cast<double>(s.ns)
                                   : static_cast<double>(span) / (30.44 * kNanosPerDay * s.months);
    if (approx <= target) {
      chosen = &s;
      break;
    }
  }
  if (chosen->ns > 0) {
    const Timestamp step = chosen->ns;
    // Weeks start on Monday (1970-01-05 was one); shorter steps align to the epoch (UTC).
    const Timestamp offset = step == 7 * kNanosPerDay || step == 14 * kNanosPerDay ? 4 * kNanosPerDay : 0;
    Timestamp t = floor_div(t0 - offset, step) * step + offset;
    if (t < t0) t += step;
    const bool intraday = step < kNanosPerDay;
    for (; t <= t1 && out.size() < 100; t += step) {
      std::string label = format_time(t);  // 2008-03-14T12:00:00Z
      if (intraday) {
        label = label.substr(5, 5) + " " + label.substr(11, 5);
      } else {
        label = label.substr(0, 10);
      }
      out.push_back({t, label});
    }
    return out;
  }
  const int months = chosen->months;
  const CivilDate d0 = civil_from_days(floor_div(t0, kNanosPerDay));
  std::int64_t index = static_cast<std::int64_t>(d0.year) * 12 + (d0.month - 1);
  index = floor_div(index + months - 1, months) * months;  // first aligned month at or after t0's month
  for (;; index += months) {
    const int year = static_cast<int>(floor_div(index, 12));
    const int month = static_cast<int>(index - static_cast<std::int64_t>(year) * 12) + 1;
    const Timestamp t = days_from_civil(year, month, 1) * kNanosPerDay;
    if (t > t1 || out.size() >= 100) break;
    if (t < t0) continue;
    out.push_back({t, months % 12 == 0 ? fmt::format("{}", year) : fmt::format("{}-{:02}", year, month)});
  }
  return out;
}

std::string format_tick(double v, double step, bool compact) {
  if (std::isnan(v)) return "n/a";
  if (v == 0) return "0";
  // The step decides the unit, so every label of one axis uses the same one.
  if (compact && step >= 1e6) return fmt::format("{:.{}f}M", v / 1e6, decimals_for(step / 1e6));
  if (compact && step >= 1e3) return fmt::format("{:.{}f}k", v / 1e3, decimals_for(step / 1e3));
  return group_thousands(fmt::format("{:.{}f}", v, decimals_for(step)));
}

std::string format_fixed(double v, int decimals) {
  if (std::isnan(v)) return "n/a";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return group_thousands(fmt::format("{:.{}f}", v == 0 ? 0.0 : v, decimals));
}

void downsample_m4(std::span<const Timestamp> ts, std::span<const double> v, const Scale& x, const Scale& y,
                   std::vector<std::vector<std::pair<double, double>>>* runs) {
  runs->clear();
  const std::size_t n = std::min(ts.size(), v.size());
  std::vector<std::pair<double, double>> current;
  // Column state: indices of the first, min, max and last points of the current pixel column.
  bool open = false;
  std::int64_t column = 0;
  std::size_t first = 0, lo = 0, hi = 0, last = 0;
  auto flush = [&] {
    if (!open) return;
    std::array<std::size_t, 4> idx = {first, lo, hi, last};
    std::sort(idx.begin(), idx.end());
    std::size_t prev = static_cast<std::size_t>(-1);
    for (const std::size_t i : idx) {
      if (i == prev) continue;
      prev = i;
      current.emplace_back(x(static_cast<double>(ts[i])), y(v[i]));
    }
    open = false;
  };
  auto end_run = [&] {
    flush();
    if (!current.empty()) runs->push_back(std::move(current));
    current.clear();
  };
  for (std::size_t i = 0; i < n; ++i) {
    if (!std::isfinite(v[i])) {
      end_run();
      continue;
    }
    const auto col = static_cast<std::int64_t>(std::floor(x(static_cast<double>(ts[i]))));
    if (!open || col != column) {
      flush();
      open = true;
      column = col;
      first = lo = hi = last = i;
      continue;
    }
    last = i;
    if (v[i] < v[lo]) lo = i;
    if (v[i] > v[hi]) hi = i;
  }
  end_run();
}

std::string polyline_path(const std::vector<std::pair<double, double>>& pts) {
  std::string d;
  d.reserve(pts.size() * 14);
  bool first = true;
  for (const auto& [px, py] : pts) {
    fmt::format_to(std::back_inserter(d), "{}{:.1f} {:.1f}", first ? "M" : "L", px, py);
    first = false;
  }
  return d;
}

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

Svg::Svg(double width, double height, std::string_view chart, std::string_view aria_label) {
  fmt::format_to(std::back_inserter(out_),
                 "<svg class=\"chart\" data-chart=\"{}\" viewBox=\"0 0 {:.0f} {:.0f}\" role=\"img\" "
                 "aria-label=\"{}\" xmlns=\"http://www.w3.org/2000/svg\">\n",
                 chart, width, height, escape(aria_label));
}

void Svg::line(double x1, double y1, double x2, double y2, std::string_view cls) {
  fmt::format_to(std::back_inserter(out_),
                 "<line class=\"{}\" x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\"/>\n", cls, x1,
                 y1, x2, y2);
}

void Svg::rect(double x, double y, double w, double h, std::string_view cls, std::string_view style,
               std::string_view title) {
  fmt::format_to(std::back_inserter(out_),
                 "<rect class=\"{}\" x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\"", cls, x, y,
                 std::max(0.0, w), std::max(0.0, h));
  if (!style.empty()) fmt::format_to(std::back_inserter(out_), " style=\"{}\"", style);
  if (title.empty()) {
    out_ += "/>\n";
  } else {
    fmt::format_to(std::back_inserter(out_), "><title>{}</title></rect>\n", escape(title));
  }
}

void Svg::path(std::string_view d, std::string_view cls, std::string_view title) {
  if (d.empty()) return;
  fmt::format_to(std::back_inserter(out_), "<path class=\"{}\" d=\"{}\"", cls, d);
  if (title.empty()) {
    out_ += "/>\n";
  } else {
    fmt::format_to(std::back_inserter(out_), "><title>{}</title></path>\n", escape(title));
  }
}

void Svg::text(double x, double y, std::string_view s, std::string_view cls, std::string_view anchor) {
  fmt::format_to(std::back_inserter(out_),
                 "<text class=\"{}\" x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"{}\">{}</text>\n", cls, x, y,
                 anchor, escape(s));
}

std::string Svg::finish() {
  out_ += "</svg>\n";
  return std::move(out_);
}

void draw_value_axis(Svg& svg, const Rect& area, const Scale& y, double lo, double hi, int target,
                     std::string_view suffix, double min_step) {
  double step = 0;
  const std::vector<double> ticks = nice_ticks(lo, hi, target, &step);
  step = std::max(step, min_step);
  for (const double t : ticks) {
    const double py = y(t);
    if (py < area.top - 0.5 || py > area.bottom + 0.5) continue;
    if (min_step > 0 && std::fmod(t, min_step) != 0) continue;
    svg.line(area.left, py, area.right, py, t == 0 ? "zero" : "grid");
    svg.text(area.left - 6, py + 4, format_tick(t, step) + std::string(suffix), "tick", "end");
  }
}

void draw_time_axis(Svg& svg, const Rect& area, const Scale& x, Timestamp t0, Timestamp t1) {
  const int target = std::max(2, static_cast<int>(area.width() / 95));
  for (const TimeTick& tick : time_ticks(t0, t1, target)) {
    const double px = x(static_cast<double>(tick.t));
    svg.line(px, area.top, px, area.bottom, "grid");
    svg.line(px, area.bottom, px, area.bottom + 4, "axis");
    svg.text(px, area.bottom + 17, tick.label, "tick", "middle");
  }
  svg.line(area.left, area.bottom, area.right, area.bottom, "axis");
}

void draw_legend(Svg& svg, double x, double y,
                 const std::vector<std::pair<std::string, std::string>>& entries) {
  for (const auto& [cls, label] : entries) {
    svg.line(x, y - 4, x + 18, y - 4, cls);
    svg.text(x + 23, y, label, "legend");
    x += 33 + 7.0 * static_cast<double>(label.size());
  }
}

}  // namespace tradeloop::analytics::internal
