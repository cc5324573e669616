#include "tradeloop/analytics/tearsheet.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <set>

#include <fmt/format.h>

#include "svg_chart.h"
#include "tradeloop/analytics/annualization.h"

namespace tradeloop::analytics {
namespace {

using internal::Rect;
using internal::Scale;
using internal::Svg;
using M = Metric;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kWidth = 1000;
constexpr double kLeft = 74, kRight = 18, kTop = 34, kBottom = 30;

Rect plot_area(double height) {
  return {kLeft, kTop, kWidth - kRight, height - kBottom};
}

Scale time_scale(const Rect& area, Timestamp t0, Timestamp t1) {
  return {static_cast<double>(t0), static_cast<double>(t1), area.left, area.right};
}

void min_max(std::span<const double> v, double* lo, double* hi) {
  for (const double x : v) {
    if (!std::isfinite(x)) continue;
    *lo = std::min(*lo, x);
    *hi = std::max(*hi, x);
  }
}

std::string empty_chart(std::string_view chart, std::string_view message, double height = 120) {
  Svg svg(kWidth, height, chart, message);
  svg.text(kWidth / 2, height / 2, message, "empty", "middle");
  return svg.finish();
}

std::string path_of_runs(std::span<const Timestamp> ts, std::span<const double> v, const Scale& x,
                         const Scale& y) {
  std::vector<std::vector<std::pair<double, double>>> runs;
  internal::downsample_m4(ts, v, x, y, &runs);
  std::string d;
  for (const auto& run : runs) d += internal::polyline_path(run);
  return d;
}

// --- Charts ---------------------------------------------------------------------------------

std::string equity_chart(const RunRecord& run) {
  const std::vector<Timestamp>& ts = run.equity.ts;
  const std::vector<double>& eq = run.equity.equity;
  const std::size_t n = ts.size();
  const double height = 340;
  const Rect area = plot_area(height);
  std::vector<double> bh;
  const auto w = static_cast<std::size_t>(std::max<std::int64_t>(0, run.warmup_bars));
  if (!run.benchmark_close.empty() && w < n && run.benchmark_close[w] > 0) {
    bh.resize(n);
    const double base = run.benchmark_close[w];
    for (std::size_t i = 0; i < n; ++i) bh[i] = i < w ? eq[0] : eq[0] * run.benchmark_close[i] / base;
  }
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  min_max(eq, &lo, &hi);
  min_max(bh, &lo, &hi);
  internal::nice_domain(&lo, &hi, 6);
  const Scale x = time_scale(area, ts.front(), ts.back());
  const Scale y{lo, hi, area.bottom, area.top};
  Svg svg(kWidth, height, "equity", "Equity curve against buy and hold");
  internal::draw_value_axis(svg, area, y, lo, hi, 6);
  internal::draw_time_axis(svg, area, x, ts.front(), ts.back());
  svg.line(area.left, y(eq[0]), area.right, y(eq[0]), "baseline");
  if (!bh.empty()) svg.path(path_of_runs(ts, bh, x, y), "series benchmark");
  svg.path(path_of_runs(ts, eq, x, y), "series strategy");
  std::vector<std::pair<std::string, std::string>> legend = {{"series strategy", "Strategy equity"}};
  if (!bh.empty()) legend.emplace_back("series benchmark", "Buy & hold");
  legend.emplace_back("baseline", "Initial equity");
  internal::draw_legend(svg, area.left + 4, 18, legend);
  return svg.finish();
}

std::string drawdown_chart(const RunRecord& run) {
  const std::vector<Timestamp>& ts = run.equity.ts;
  const std::vector<double>& eq = run.equity.equity;
  const std::size_t n = ts.size();
  std::vector<double> dd(n);
  double peak = -std::numeric_limits<double>::infinity();
  double worst = 0;
  std::size_t worst_i = 0;
  for (std::size_t i = 0; i < n; ++i) {
    peak = std::max(peak, eq[i]);
    dd[i] = -(1 - eq[i] / peak) * 100;
    if (dd[i] < worst) {
      worst = dd[i];
      worst_i = i;
    }
  }
  const double height = 210;
  const Rect area = plot_area(height);
  double lo = std::min(worst, -1.0), hi = 0;
  internal::nice_domain(&lo, &hi, 4);
  hi = 0;
  const Scale x = time_scale(area, ts.front(), ts.back());
  const Scale y{lo, hi, area.bottom, area.top};
  Svg svg(kWidth, height, "drawdown", "Underwater drawdown in percent");
  internal::draw_value_axis(svg, area, y, lo, hi, 4, "%");
  internal::draw_time_axis(svg, area, x, ts.front(), ts.back());
  std::vector<std::vector<std::pair<double, double>>> runs;
  internal::downsample_m4(ts, dd, x, y, &runs);
  std::string area_d;
  for (const auto& r : runs) {
    if (r.empty()) continue;
    area_d += internal::polyline_path(r);
    area_d += fmt::format("L{:.1f} {:.1f}L{:.1f} {:.1f}Z", r.back().first, y(0), r.front().first, y(0));
  }
  svg.path(area_d, "area drawdown");
  std::string line_d;
  for (const auto& r : runs) line_d += internal::polyline_path(r);
  svg.path(line_d, "series drawdown");
  if (worst < 0) {
    const double px = x(static_cast<double>(ts[worst_i])), py = y(worst);
    svg.raw(fmt::format("<circle class=\"marker-worst\" cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3.5\"/>\n", px, py));
    // Label on the side with room: right of the point in the left half, left of it otherwise.
    const bool left_half = px < (area.left + area.right) / 2;
    svg.text(left_half ? px + 6 : px - 6, std::max(area.top + 12, py - 6),
             fmt::format("max {:.2f}% on {}", worst, format_time_compact(ts[worst_i])), "note",
             left_half ? "start" : "end");
  }
  internal::draw_legend(svg, area.left + 4, 18, {{"series drawdown", "Drawdown from running peak (%)"}});
  return svg.finish();
}

std::string price_chart(const RunRecord& run, const PriceBars& prices) {
  std::span<const Timestamp> ts = prices.ts;
  std::span<const double> close = prices.close, open = prices.open, high = prices.high, low = prices.low;
  if (ts.empty()) {
    ts = run.equity.ts;
    close = run.benchmark_close;
    open = high = low = {};
  }
  if (ts.empty() || close.size() != ts.size()) return empty_chart("price", "No price series to draw");
  const bool ohlc = open.size() == ts.size() && high.size() == ts.size() && low.size() == ts.size();
  const double height = 380;
  const Rect area = plot_area(height);
  const bool candles = ohlc && static_cast<double>(ts.size()) <= area.width() / 4;
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  if (candles) {
    min_max(low, &lo, &hi);
    min_max(high, &lo, &hi);
  } else {
    min_max(close, &lo, &hi);
  }
  // Trades of this instrument (all when symbols are not set).
  std::vector<const ClosedTrade*> trades;
  for (const ClosedTrade& t : run.trades) {
    if (!prices.symbol.empty() && !t.symbol.empty() && t.symbol != prices.symbol) continue;
    trades.push_back(&t);
    lo = std::min({lo, t.entry_price, t.exit_price});
    hi = std::max({hi, t.entry_price, t.exit_price});
  }
  internal::nice_domain(&lo, &hi, 6);
  const Timestamp t0 = ts.front(), t1 = ts.back();
  const Scale x = time_scale(area, t0, t1);
  const Scale y{lo, hi, area.bottom, area.top};
  Svg svg(kWidth, height, "price", "Price with trade entries and exits");
  internal::draw_value_axis(svg, area, y, lo, hi, 6);
  internal::draw_time_axis(svg, area, x, t0, t1);
  if (candles) {
    const double body = std::max(1.0, area.width() / static_cast<double>(ts.size()) * 0.6);
    std::string up, down, wicks;
    for (std::size_t i = 0; i < ts.size(); ++i) {
      const double px = x(static_cast<double>(ts[i]));
      fmt::format_to(std::back_inserter(wicks), "M{:.1f} {:.1f}V{:.1f}", px, y(high[i]), y(low[i]));
      const double top = y(std::max(open[i], close[i])), bottom = y(std::min(open[i], close[i]));
      fmt::format_to(std::back_inserter(close[i] >= open[i] ? up : down),
                     "M{:.1f} {:.1f}h{:.1f}v{:.1f}h{:.1f}Z", px - body / 2, top, body,
                     std::max(0.8, bottom - top), -body);
    }
    svg.path(wicks, "wick");
    svg.path(up, "candle-up");
    svg.path(down, "candle-down");
  } else {
    svg.path(path_of_runs(ts, close, x, y), "series price");
  }
  // Markers: one per trade end while few; with many trades, one per pixel column and kind (the
  // chart cannot show more) and no per-trade tooltips.
  const bool detailed = trades.size() <= 300;
  std::set<std::pair<std::int64_t, int>> taken;
  std::array<std::string, 4> shapes;  // long entry, short entry, winning exit, losing exit
  for (const ClosedTrade* t : trades) {
    const double ex = x(static_cast<double>(t->entry_time)), ey = y(t->entry_price);
    const double xx = x(static_cast<double>(t->exit_time)), xy = y(t->exit_price);
    const bool is_long = t->side == Side::kLong;
    const int entry_kind = is_long ? 0 : 1;
    const int exit_kind = t->pnl >= 0 ? 2 : 3;
    if (detailed) {
      svg.line(ex, ey, xx, xy, t->pnl >= 0 ? "trade-link win" : "trade-link loss");
      const std::string tip =
          fmt::format("{} {} @ {} on {} -> {} on {}: PnL {} ({:+.2f}%), {}", is_long ? "Long" : "Short",
                      internal::format_fixed(t->size, t->size == std::floor(t->size) ? 0 : 4),
                      internal::format_fixed(t->entry_price, 2), format_time_compact(t->entry_time),
                      internal::format_fixed(t->exit_price, 2), format_time_compact(t->exit_time),
                      internal::format_fixed(t->pnl, 2), t->return_pct, t->exit_reason);
      svg.path(is_long ? fmt::format("M{:.1f} {:.1f}l5 9h-10Z", ex, ey - 3)
                       : fmt::format("M{:.1f} {:.1f}l5 -9h-10Z", ex, ey + 3),
               is_long ? "marker long-entry" : "marker short-entry", tip);
      svg.path(fmt::format("M{:.1f} {:.1f}m-4 0a4 4 0 1 0 8 0a4 4 0 1 0 -8 0", xx, xy),
               t->pnl >= 0 ? "marker exit-win" : "marker exit-loss", tip);
      continue;
    }
    if (taken.emplace(static_cast<std::int64_t>(ex), entry_kind).second) {
      std::string& d = shapes[static_cast<std::size_t>(entry_kind)];
      if (is_long) {
        fmt::format_to(std::back_inserter(d), "M{:.1f} {:.1f}l4 7h-8Z", ex, ey - 2);
      } else {
        fmt::format_to(std::back_inserter(d), "M{:.1f} {:.1f}l4 -7h-8Z", ex, ey + 2);
      }
    }
    if (taken.emplace(static_cast<std::int64_t>(xx), exit_kind).second) {
      fmt::format_to(std::back_inserter(shapes[static_cast<std::size_t>(exit_kind)]),
                     "M{:.1f} {:.1f}m-3 0a3 3 0 1 0 6 0a3 3 0 1 0 -6 0", xx, xy);
    }
  }
  if (!detailed) {
    svg.path(shapes[0], "marker long-entry");
    svg.path(shapes[1], "marker short-entry");
    svg.path(shapes[2], "marker exit-win");
    svg.path(shapes[3], "marker exit-loss");
  }
  svg.raw(fmt::format(
      "<g class=\"legend-markers\" transform=\"translate({:.1f},18)\">"
      "<path class=\"marker long-entry\" d=\"M4 -12l5 9h-10Z\"/><text class=\"legend\" x=\"14\" y=\"0\">Long "
      "entry</text>"
      "<path class=\"marker short-entry\" d=\"M104 -3l5 -9h-10Z\"/><text class=\"legend\" x=\"114\" "
      "y=\"0\">Short "
      "entry</text>"
      "<circle class=\"marker exit-win\" cx=\"210\" cy=\"-4\" r=\"4\"/><text class=\"legend\" x=\"220\" "
      "y=\"0\">Winning exit</text>"
      "<circle class=\"marker exit-loss\" cx=\"318\" cy=\"-4\" r=\"4\"/><text class=\"legend\" x=\"328\" "
      "y=\"0\">Losing exit</text></g>\n",
      area.left + 4));
  svg.text(area.right, 18,
           fmt::format("{}{} trades{}", prices.symbol.empty() ? "" : std::string(prices.symbol) + " · ",
                       trades.size(), detailed ? "" : " (markers merged per pixel)"),
           "note", "end");
  return svg.finish();
}

int auto_window(double periods_per_year, std::size_t count) {
  int w = std::max(3, static_cast<int>(std::lround(periods_per_year / 2)));
  // Keep at least three windows' worth of points on the chart.
  if (static_cast<std::size_t>(w) * 3 > count) w = std::max(3, static_cast<int>(count / 3));
  return w;
}

std::string rolling_sharpe_chart(const RunRecord& run, const Annualization& ann, int requested_window) {
  std::vector<double> r;
  std::vector<Timestamp> pts;
  period_returns(run.equity.ts, run.equity.equity, ann.period, &r, &pts);
  const int window = requested_window > 0 ? requested_window : auto_window(ann.periods_per_year, r.size());
  const auto w = static_cast<std::size_t>(window);
  if (r.size() < w + 1 || window < 2) {
    return empty_chart(
        "rolling-sharpe",
        fmt::format("Not enough return periods for a rolling Sharpe ratio ({} periods)", r.size()));
  }
  // Annualized mean / standard deviation of the last `window` period returns (simple Sharpe, as a
  // running estimate; the headline Sharpe uses backtesting.py's compounding formula).
  std::vector<double> s(r.size(), kNaN);
  const double root = std::sqrt(ann.periods_per_year);
  for (std::size_t i = w; i < r.size(); ++i) {
    double sum = 0, sq = 0;
    for (std::size_t k = i + 1 - w; k <= i; ++k) sum += r[k];
    const double mean = sum / static_cast<double>(w);
    for (std::size_t k = i + 1 - w; k <= i; ++k) sq += (r[k] - mean) * (r[k] - mean);
    const double sd = std::sqrt(sq / static_cast<double>(w - 1));
    s[i] = sd > 0 ? mean / sd * root : kNaN;
  }
  const double height = 230;
  const Rect area = plot_area(height);
  double lo = 0, hi = 0;
  min_max(s, &lo, &hi);
  internal::nice_domain(&lo, &hi, 4);
  const Scale x = time_scale(area, run.equity.ts.front(), run.equity.ts.back());
  const Scale y{lo, hi, area.bottom, area.top};
  Svg svg(kWidth, height, "rolling-sharpe", "Rolling Sharpe ratio");
  internal::draw_value_axis(svg, area, y, lo, hi, 4);
  internal::draw_time_axis(svg, area, x, run.equity.ts.front(), run.equity.ts.back());
  svg.path(path_of_runs(pts, s, x, y), "series sharpe");
  const char* unit = ann.period == ReturnPeriod::kDay     ? "day"
                     : ann.period == ReturnPeriod::kWeek  ? "week"
                     : ann.period == ReturnPeriod::kMonth ? "month"
                                                          : "year";
  internal::draw_legend(
      svg, area.left + 4, 18,
      {{"series sharpe", fmt::format("Rolling Sharpe, {}-{} window, annualized with {:g}/year", window, unit,
                                     ann.periods_per_year)}});
  return svg.finish();
}

// Monthly returns: last equity of each month against the previous month's (the first month
// against the starting equity); the year column compounds its months.
std::string monthly_heatmap(const RunRecord& run) {
  const std::vector<Timestamp>& ts = run.equity.ts;
  const std::vector<double>& eq = run.equity.equity;
  std::map<int, std::array<double, 13>> rows;  // year -> 12 months + year
  auto row = [&](int year) -> std::array<double, 13>& {
    auto it = rows.find(year);
    if (it == rows.end()) {
      std::array<double, 13> a;
      a.fill(kNaN);
      it = rows.emplace(year, a).first;
    }
    return it->second;
  };
  double month_base = eq[0], year_base = eq[0], last = eq[0];
  std::int64_t month = period_key(ts[0], ReturnPeriod::kMonth);
  auto finish_month = [&](std::int64_t key, bool year_ends) {
    const int year = static_cast<int>(key / 12);
    row(year)[static_cast<std::size_t>(key - static_cast<std::int64_t>(year) * 12)] = last / month_base - 1;
    month_base = last;
    if (year_ends) {
      row(year)[12] = last / year_base - 1;
      year_base = last;
    }
  };
  for (std::size_t i = 0; i < ts.size(); ++i) {
    if (!std::isfinite(eq[i])) continue;
    const std::int64_t key = period_key(ts[i], ReturnPeriod::kMonth);
    if (key != month) {
      finish_month(month, key / 12 != month / 12);
      month = key;
    }
    last = eq[i];
  }
  finish_month(month, true);

  double scale = 0.01;
  for (const auto& [year, vals] : rows) {
    for (int m = 0; m < 12; ++m) {
      if (std::isfinite(vals[static_cast<std::size_t>(m)]))
        scale = std::max(scale, std::fabs(vals[static_cast<std::size_t>(m)]));
    }
  }
  const double cell_h = 24, header = 28, left = 56;
  const double cell_w = (kWidth - left - kRight) / 13;
  const double height = header + cell_h * static_cast<double>(rows.size()) + 8;
  Svg svg(kWidth, height, "monthly", "Monthly returns heatmap in percent");
  static constexpr std::array<const char*, 13> kNames = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul",
                                                         "Aug", "Sep", "Oct", "Nov", "Dec", "Year"};
  for (std::size_t c = 0; c < 13; ++c) {
    svg.text(left + cell_w * (static_cast<double>(c) + 0.5), header - 10, kNames[c],
             c == 12 ? "tick strong" : "tick", "middle");
  }
  double ry = header;
  for (const auto& [year, vals] : rows) {
    svg.text(left - 8, ry + cell_h / 2 + 4, fmt::format("{}", year), "tick", "end");
    for (std::size_t c = 0; c < 13; ++c) {
      const double v = vals[c];
      const double cx = left + cell_w * static_cast<double>(c);
      if (!std::isfinite(v)) {
        svg.rect(cx + 1, ry + 1, cell_w - 2, cell_h - 2, "cell-empty");
        continue;
      }
      // Diverging colour: white at 0, green for gains, red for losses, saturated at the largest
      // absolute monthly return.
      const double t = std::clamp(v / scale, -1.0, 1.0);
      const double a = std::sqrt(std::fabs(t));
      const int rr =
          t >= 0 ? static_cast<int>(255 - a * (255 - 22)) : static_cast<int>(255 - a * (255 - 220));
      const int gg =
          t >= 0 ? static_cast<int>(255 - a * (255 - 163)) : static_cast<int>(255 - a * (255 - 38));
      const int bb = t >= 0 ? static_cast<int>(255 - a * (255 - 74)) : static_cast<int>(255 - a * (255 - 38));
      svg.rect(cx + 1, ry + 1, cell_w - 2, cell_h - 2, c == 12 ? "cell year" : "cell",
               fmt::format("fill:rgb({},{},{})", rr, gg, bb),
               fmt::format("{} {}: {:+.2f}%", kNames[c], year, v * 100));
      svg.text(cx + cell_w / 2, ry + cell_h / 2 + 4, fmt::format("{:.1f}", v * 100),
               a > 0.75 ? "cell-text light" : "cell-text", "middle");
    }
    ry += cell_h;
  }
  return svg.finish();
}

std::string pnl_histogram(const RunRecord& run) {
  const std::vector<ClosedTrade>& trades = run.trades;
  if (trades.empty()) return empty_chart("histogram", "No closed trades");
  double lo = std::numeric_limits<double>::infinity(), hi = -lo, sum = 0;
  for (const ClosedTrade& t : trades) {
    lo = std::min(lo, t.pnl);
    hi = std::max(hi, t.pnl);
    sum += t.pnl;
  }
  const double mean = sum / static_cast<double>(trades.size());
  const int target_bins =
      std::clamp(static_cast<int>(std::ceil(std::sqrt(static_cast<double>(trades.size())))) + 2, 6, 40);
  // Bin edges on multiples of a nice width, so 0 is always an edge (wins and losses never share
  // a bin).
  double width = internal::nice_step(std::max(hi - lo, 1e-9) / target_bins);
  const double first_edge = std::floor(lo / width) * width;
  const auto bins = static_cast<std::size_t>(std::max(1.0, std::floor((hi - first_edge) / width) + 1));
  std::vector<std::size_t> counts(bins, 0);
  for (const ClosedTrade& t : trades) {
    const auto b = static_cast<std::size_t>(
        std::clamp((t.pnl - first_edge) / width, 0.0, static_cast<double>(bins - 1)));
    ++counts[b];
  }
  const std::size_t max_count = *std::max_element(counts.begin(), counts.end());
  const double height = 260;
  const Rect area = plot_area(height);
  const double x_lo = first_edge, x_hi = first_edge + width * static_cast<double>(bins);
  const Scale x{x_lo, x_hi, area.left, area.right};
  double c_hi = static_cast<double>(max_count), c_lo = 0;
  internal::nice_domain(&c_lo, &c_hi, 4);
  c_lo = 0;
  const Scale y{0, c_hi, area.bottom, area.top};
  Svg svg(kWidth, height, "histogram", "Histogram of closed-trade profit and loss");
  internal::draw_value_axis(svg, area, y, 0, c_hi, 4, {}, 1);
  double xstep = 0;
  for (const double t : internal::nice_ticks(x_lo, x_hi, 8, &xstep)) {
    svg.line(x(t), area.bottom, x(t), area.bottom + 4, "axis");
    svg.text(x(t), area.bottom + 17, internal::format_tick(t, xstep), "tick", "middle");
  }
  svg.line(area.left, area.bottom, area.right, area.bottom, "axis");
  for (std::size_t b = 0; b < bins; ++b) {
    if (counts[b] == 0) continue;
    const double e0 = first_edge + width * static_cast<double>(b);
    const double px = x(e0), pw = x(e0 + width) - px;
    svg.rect(px + 0.5, y(static_cast<double>(counts[b])), pw - 1,
             area.bottom - y(static_cast<double>(counts[b])), e0 >= 0 ? "bar win" : "bar loss", {},
             fmt::format("{} trades with PnL in [{}, {})", counts[b], internal::format_tick(e0, width, false),
                         internal::format_tick(e0 + width, width, false)));
  }
  if (x_lo <= 0 && 0 <= x_hi) svg.line(x(0), area.top, x(0), area.bottom, "zero");
  svg.line(x(mean), area.top, x(mean), area.bottom, "mean-line");
  internal::draw_legend(
      svg, area.left + 4, 18,
      {{"mean-line", fmt::format("Mean PnL {} over {} trades (bin width {})",
                                 internal::format_tick(mean, width / 10, false), trades.size(),
                                 internal::format_tick(width, width, false))}});
  return svg.finish();
}

// --- HTML ---------------------------------------------------------------------------------

constexpr std::string_view kStyle = R"css(
:root{--fg:#1f2937;--muted:#6b7280;--line:#e5e7eb;--bg:#f8fafc;--card:#fff;--blue:#2563eb;--green:#16a34a;--red:#dc2626}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
header{background:#0f172a;color:#f8fafc;padding:22px 32px}
header h1{margin:0;font-size:22px;font-weight:600}
header .sub{color:#cbd5e1;margin-top:4px}
header .info{color:#94a3b8;margin-top:8px;font-size:13px}
header .info span{margin-right:18px}
main{max-width:1120px;margin:0 auto;padding:20px 24px 40px}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(120px,1fr));gap:12px;margin-bottom:18px}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px 14px}
.card .k{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.card .v{font-size:20px;font-weight:600;margin-top:2px;overflow-wrap:anywhere}
.pos{color:var(--green)}.neg{color:var(--red)}
section{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:14px 16px 10px;margin-bottom:18px}
section h2{font-size:15px;margin:0 0 8px;font-weight:600}
section p.note{color:var(--muted);font-size:12px;margin:4px 0 6px}
svg.chart{width:100%;height:auto;display:block}
svg .grid{stroke:#eef0f3;stroke-width:1}
svg .axis{stroke:#9ca3af;stroke-width:1}
svg .zero{stroke:#9ca3af;stroke-width:1}
svg .baseline{stroke:#9ca3af;stroke-width:1;stroke-dasharray:4 4}
svg .tick{fill:#6b7280;font-size:11px}
svg .tick.strong{font-weight:600;fill:#374151}
svg .legend{fill:#374151;font-size:12px}
svg .note{fill:#6b7280;font-size:11px}
svg .empty{fill:#6b7280;font-size:14px}
svg .series{fill:none;stroke-width:1.4;stroke-linejoin:round}
svg .series.strategy{stroke:var(--blue);stroke-width:1.7}
svg .series.benchmark{stroke:#9ca3af}
svg .series.price{stroke:#374151;stroke-width:1.1}
svg .series.drawdown{stroke:var(--red);stroke-width:1}
svg .series.sharpe{stroke:#7c3aed}
svg line.series.strategy,svg line.series.benchmark,svg line.series.drawdown,svg line.series.sharpe{stroke-width:3}
svg .area.drawdown{fill:rgba(220,38,38,.18);stroke:none}
svg .marker-worst{fill:var(--red)}
svg .wick{stroke:#6b7280;stroke-width:1;fill:none}
svg .candle-up{fill:#22c55e;stroke:#15803d;stroke-width:.6}
svg .candle-down{fill:#ef4444;stroke:#b91c1c;stroke-width:.6}
svg .marker.long-entry{fill:var(--green);stroke:#fff;stroke-width:.6}
svg .marker.short-entry{fill:var(--red);stroke:#fff;stroke-width:.6}
svg .marker.exit-win{fill:#fff;stroke:var(--green);stroke-width:1.6}
svg .marker.exit-loss{fill:#fff;stroke:var(--red);stroke-width:1.6}
svg .trade-link{stroke-width:1;stroke-dasharray:3 2;opacity:.7}
svg .trade-link.win{stroke:var(--green)}svg .trade-link.loss{stroke:var(--red)}
svg .bar.win{fill:#22c55e}svg .bar.loss{fill:#ef4444}
svg .mean-line{stroke:#1f2937;stroke-width:1.2;stroke-dasharray:5 3}
svg .cell{stroke:none}svg .cell.year{stroke:#94a3b8;stroke-width:1}
svg .cell-empty{fill:#f3f4f6}
svg .cell-text{fill:#111827;font-size:11px}svg .cell-text.light{fill:#fff}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{padding:4px 8px;border-bottom:1px solid var(--line);text-align:right;white-space:nowrap}
th{color:var(--muted);font-weight:600;background:#f9fafb;position:sticky;top:0}
td.l,th.l{text-align:left}
.metrics{display:grid;grid-template-columns:repeat(3,1fr);gap:0 24px}
.metrics table td:first-child{text-align:left;color:#374151}
.scroll{max-height:520px;overflow:auto}
footer{color:var(--muted);font-size:12px;text-align:center;margin-top:8px}
@media (max-width:800px){.metrics{grid-template-columns:1fr}}
)css";

std::string metric_class(Metric m, double v) {
  if (!std::isfinite(v) || v == 0) return "";
  switch (m) {
    case M::kTotalReturnPct:
    case M::kCagrPct:
    case M::kReturnAnnPct:
    case M::kSharpeRatio:
    case M::kAlpha:
    case M::kExpectancy:
    case M::kAvgTradePct:
      return v > 0 ? "pos" : "neg";
    case M::kMaxDrawdownPct:
      return "neg";
    default:
      return "";
  }
}

void headline_cards(std::string& h, const Metrics& m) {
  static constexpr std::array<Metric, 8> kCards = {M::kTotalReturnPct, M::kCagrPct,    M::kSharpeRatio,
                                                   M::kMaxDrawdownPct, M::kNumTrades,  M::kWinRatePct,
                                                   M::kProfitFactor,   M::kFinalEquity};
  h += "<div class=\"cards\">\n";
  for (const Metric k : kCards) {
    if (!m.computed(k)) continue;
    const double v = m[k];
    fmt::format_to(std::back_inserter(h),
                   "<div class=\"card\" data-metric=\"{}\"><div class=\"k\">{}</div><div class=\"v "
                   "{}\">{}</div></div>\n",
                   metric_key(k), html_escape(metric_info(k).label), metric_class(k, v),
                   html_escape(format_metric_value(k, v)));
  }
  h += "</div>\n";
}

void metrics_table(std::string& h, const Metrics& m) {
  const auto items = m.items();
  h += "<section id=\"metrics\"><h2>Metrics</h2><p class=\"note\">Definitions in docs/metrics.md; hover a "
       "row for its "
       "key and the backtesting.py statistic it equals. n/a: undefined for this run.</p><div "
       "class=\"metrics\">\n";
  const std::size_t per_column = (items.size() + 2) / 3;
  for (std::size_t c = 0; c < 3; ++c) {
    h += "<table>\n";
    for (std::size_t i = c * per_column; i < std::min(items.size(), (c + 1) * per_column); ++i) {
      const Metric k = *metric_from_key(items[i].first);
      const MetricInfo& info = metric_info(k);
      const std::string tip = info.backtesting_py.empty()
                                  ? std::string(info.key)
                                  : fmt::format("{} = backtesting.py '{}'", info.key, info.backtesting_py);
      fmt::format_to(std::back_inserter(h),
                     "<tr title=\"{}\" data-metric=\"{}\"><td>{}</td><td class=\"{}\">{}</td></tr>\n",
                     html_escape(tip), info.key, html_escape(info.label), metric_class(k, items[i].second),
                     html_escape(format_metric_value(k, items[i].second)));
    }
    h += "</table>\n";
  }
  h += "</div></section>\n";
}

std::string format_duration(Timestamp ns) {
  if (ns >= kNanosPerDay) return fmt::format("{:.1f} d", static_cast<double>(ns) / kNanosPerDay);
  if (ns >= kNanosPerHour) return fmt::format("{:.1f} h", static_cast<double>(ns) / kNanosPerHour);
  return fmt::format("{:.0f} min", static_cast<double>(ns) / kNanosPerMinute);
}

void trades_table(std::string& h, const RunRecord& run, std::size_t max_rows) {
  const std::vector<ClosedTrade>& trades = run.trades;
  const std::size_t shown = std::min(trades.size(), max_rows);
  h += "<section id=\"trades\"><h2>Closed trades</h2>";
  if (trades.empty()) {
    h += "<p class=\"note\">No closed trades.</p></section>\n";
    return;
  }
  fmt::format_to(std::back_inserter(h),
                 "<p class=\"note\">{} of {} trades{}. Return is the price return before fees.</p>", shown,
                 trades.size(), shown < trades.size() ? " (the first ones)" : "");
  h += "<div class=\"scroll\"><table><thead><tr><th>#</th><th class=\"l\">Side</th><th>Size</th><th "
       "class=\"l\">Entry "
       "time</th><th>Entry</th><th class=\"l\">Exit "
       "time</th><th>Exit</th><th>PnL</th><th>Return</th><th>Fees</th>"
       "<th>MAE</th><th>MFE</th><th>Duration</th><th class=\"l\">Exit reason</th></tr></thead><tbody>\n";
  for (std::size_t i = 0; i < shown; ++i) {
    const ClosedTrade& t = trades[i];
    fmt::format_to(
        std::back_inserter(h),
        "<tr><td>{}</td><td class=\"l\">{}</td><td>{}</td><td class=\"l\">{}</td><td>{}</td><td "
        "class=\"l\">{}</td><td>{}</td><td class=\"{}\">{}</td><td class=\"{}\">{:+.2f}%</td><td>{}</td>"
        "<td>{:.2f}%</td><td>{:.2f}%</td><td>{}</td><td class=\"l\">{}</td></tr>\n",
        i + 1, t.side == Side::kLong ? "long" : "short",
        internal::format_fixed(t.size, t.size == std::floor(t.size) ? 0 : 6),
        html_escape(format_time_compact(t.entry_time)), internal::format_fixed(t.entry_price, 4),
        html_escape(format_time_compact(t.exit_time)), internal::format_fixed(t.exit_price, 4),
        t.pnl >= 0 ? "pos" : "neg", internal::format_fixed(t.pnl, 2), t.return_pct >= 0 ? "pos" : "neg",
        t.return_pct, internal::format_fixed(t.fees, 2), t.mae_pct, t.mfe_pct,
        format_duration(t.exit_time - t.entry_time), html_escape(t.exit_reason));
  }
  h += "</tbody></table></div></section>\n";
}

void open_positions(std::string& h, const RunRecord& run) {
  if (run.open_positions.empty()) return;
  h +=
      "<section id=\"open-positions\"><h2>Open positions at the end</h2><p class=\"note\">Counted in final "
      "equity, "
      "not in the trade statistics.</p><table><thead><tr><th class=\"l\">Symbol</th><th class=\"l\">Side</th>"
      "<th>Size</th><th class=\"l\">Entry time</th><th>Entry</th><th>Last</th><th>Unrealized "
      "PnL</th></tr></thead>"
      "<tbody>\n";
  for (const OpenPosition& p : run.open_positions) {
    fmt::format_to(
        std::back_inserter(h),
        "<tr><td class=\"l\">{}</td><td class=\"l\">{}</td><td>{}</td><td class=\"l\">{}</td><td>{}</td>"
        "<td>{}</td><td class=\"{}\">{}</td></tr>\n",
        html_escape(p.symbol), p.side == Side::kLong ? "long" : "short",
        internal::format_fixed(p.size, p.size == std::floor(p.size) ? 0 : 6),
        html_escape(format_time_compact(p.entry_time)), internal::format_fixed(p.entry_price, 4),
        internal::format_fixed(p.last_price, 4), p.unrealized_pnl >= 0 ? "pos" : "neg",
        internal::format_fixed(p.unrealized_pnl, 2));
  }
  h += "</tbody></table></section>\n";
}

void chart_section(std::string& h, std::string_view id, std::string_view title, std::string_view note,
                   const std::string& svg) {
  fmt::format_to(std::back_inserter(h), "<section id=\"{}\"><h2>{}</h2>", id, html_escape(title));
  if (!note.empty()) fmt::format_to(std::back_inserter(h), "<p class=\"note\">{}</p>", html_escape(note));
  h += svg;
  h += "</section>\n";
}

Status validate(const RunRecord& run, const PriceBars& prices) {
  const std::size_t n = run.equity.ts.size();
  if (n == 0) return Error::invalid_argument("tearsheet: the run record's equity curve has no bars");
  if (run.equity.equity.size() != n) {
    return Error::invalid_argument(
        fmt::format("tearsheet: equity has {} values but ts has {} bars", run.equity.equity.size(), n));
  }
  if (!run.benchmark_close.empty() && run.benchmark_close.size() != n) {
    return Error::invalid_argument(fmt::format("tearsheet: benchmark_close has {} values but ts has {} bars",
                                               run.benchmark_close.size(), n));
  }
  const std::size_t p = prices.ts.size();
  auto column = [&](std::span<const double> c, std::string_view name, bool required) -> Status {
    if ((required || !c.empty()) && c.size() != p) {
      return Error::invalid_argument(
          fmt::format("tearsheet: price column '{}' has {} values but ts has {} bars", name, c.size(), p));
    }
    return ok_status();
  };
  if (p > 0) {
    TL_TRY(column(prices.close, "close", true));
    TL_TRY(column(prices.open, "open", false));
    TL_TRY(column(prices.high, "high", false));
    TL_TRY(column(prices.low, "low", false));
  }
  return ok_status();
}

}  // namespace

std::string html_escape(std::string_view text) {
  return internal::escape(text);
}

Result<std::string> render_tearsheet(const RunRecord& run, const Metrics& metrics, const PriceBars& prices,
                                     const TearsheetOptions& options) {
  TL_TRY(validate(run, prices));
  const std::vector<Timestamp>& ts = run.equity.ts;
  const Annualization ann = infer_annualization(ts, run.periods_per_year);

  std::string h;
  h.reserve(256 * 1024);
  h += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
       "<link rel=\"icon\" href=\"data:,\">\n";
  fmt::format_to(std::back_inserter(h), "<title>{}</title>\n<style>{}</style>\n</head>\n<body>\n",
                 html_escape(options.title), kStyle);
  fmt::format_to(std::back_inserter(h), "<header><h1>{}</h1>", html_escape(options.title));
  if (!options.subtitle.empty())
    fmt::format_to(std::back_inserter(h), "<div class=\"sub\">{}</div>", html_escape(options.subtitle));
  h += "<div class=\"info\">";
  fmt::format_to(std::back_inserter(h), "<span>{} → {}</span><span>{:.0f} days, {} bars</span>",
                 html_escape(format_time_compact(ts.front())), html_escape(format_time_compact(ts.back())),
                 static_cast<double>(ts.back() - ts.front()) / kNanosPerDay, ts.size());
  if (!prices.symbol.empty())
    fmt::format_to(std::back_inserter(h), "<span>{}</span>", html_escape(prices.symbol));
  fmt::format_to(std::back_inserter(h), "<span>initial equity {}</span>",
                 internal::format_fixed(run.equity.equity.front(), 2));
  for (const auto& [k, v] : options.info) {
    fmt::format_to(std::back_inserter(h), "<span>{}: {}</span>", html_escape(k), html_escape(v));
  }
  h += "</div></header>\n<main>\n";
  headline_cards(h, metrics);
  chart_section(h, "equity", "Equity vs buy & hold",
                run.benchmark_close.empty()
                    ? ""
                    : "Buy & hold invests the initial equity at the close of the first "
                      "bar the strategy could trade (after indicator warm-up).",
                equity_chart(run));
  chart_section(h, "drawdown", "Underwater (drawdown)", "", drawdown_chart(run));
  chart_section(h, "price", "Price and trades", "", price_chart(run, prices));
  chart_section(h, "rolling", "Rolling Sharpe ratio", "",
                rolling_sharpe_chart(run, ann, options.rolling_window));
  chart_section(h, "monthly", "Monthly returns (%)", "", monthly_heatmap(run));
  chart_section(h, "histogram", "Trade PnL distribution", "Net profit and loss of closed trades, after fees.",
                pnl_histogram(run));
  metrics_table(h, metrics);
  open_positions(h, run);
  trades_table(h, run, options.max_trade_rows);
  h += "<footer>Generated by tradeloop. Self-contained: no scripts, no external "
       "resources.</footer>\n</main>\n</body>\n"
       "</html>\n";
  return h;
}

Status write_tearsheet(const RunRecord& run, const Metrics& metrics, const PriceBars& prices,
                       const TearsheetOptions& options, const std::string& path) {
  TL_ASSIGN_OR_RETURN(const std::string html, render_tearsheet(run, metrics, prices, options));
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return Error::io(fmt::format("{}: cannot open for writing: {}", path, std::strerror(errno)));
  out.write(html.data(), static_cast<std::streamsize>(html.size()));
  out.close();
  if (!out) return Error::io(fmt::format("{}: write failed: {}", path, std::strerror(errno)));
  return ok_status();
}

Status write_tearsheet(const RunRecord& run, const PriceBars& prices, const Metrics& metrics,
                       std::string_view title, const std::string& path) {
  TearsheetOptions options;
  options.title = std::string(title);
  return write_tearsheet(run, metrics, prices, options, path);
}

std::string render_equity_sparkline(std::span<const Timestamp> ts, std::span<const double> equity, int width,
                                    int height) {
  const std::size_t n = std::min(ts.size(), equity.size());
  const bool up = n > 0 && equity[n - 1] >= equity[0];
  std::string out = fmt::format(
      "<svg class=\"sparkline\" data-chart=\"sparkline\" width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\" "
      "xmlns=\"http://www.w3.org/2000/svg\">",
      width, height, width, height);
  if (n >= 2) {
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    min_max(equity.subspan(0, n), &lo, &hi);
    const Scale x{static_cast<double>(ts[0]), static_cast<double>(ts[n - 1]), 1,
                  static_cast<double>(width) - 1};
    const Scale y{lo, hi, static_cast<double>(height) - 2, 2};
    fmt::format_to(std::back_inserter(out),
                   "<path fill=\"none\" stroke=\"{}\" stroke-width=\"1.3\" d=\"{}\"/>",
                   up ? "#16a34a" : "#dc2626", path_of_runs(ts.subspan(0, n), equity.subspan(0, n), x, y));
  }
  out += "</svg>";
  return out;
}

}  // namespace tradeloop::analytics
