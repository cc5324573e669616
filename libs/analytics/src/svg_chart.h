// Building blocks of the tearsheet's SVG charts: scales, "nice" value and calendar ticks, axes,
// per-pixel-column downsampling and a small string builder. Private to analytics.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tradeloop/core/time.h"

namespace tradeloop::analytics::internal {

/// The plot area inside a chart, in SVG user units.
struct Rect {
  double left = 0, top = 0, right = 0, bottom = 0;
  double width() const { return right - left; }
  double height() const { return bottom - top; }
};

/// Linear map from data [d0, d1] to pixels [r0, r1]; a degenerate domain maps to the middle.
struct Scale {
  double d0 = 0, d1 = 1, r0 = 0, r1 = 1;
  double operator()(double v) const {
    if (d1 == d0) return (r0 + r1) / 2;
    return r0 + (v - d0) * (r1 - r0) / (d1 - d0);
  }
};

/// 1, 2 or 5 times a power of ten, at least `raw`.
double nice_step(double raw);
/// Ticks covering [lo, hi] at a nice step, about `target` of them; `step` receives the step.
std::vector<double> nice_ticks(double lo, double hi, int target, double* step = nullptr);
/// Widens [lo, hi] to tick boundaries (and away from a zero-height range).
void nice_domain(double* lo, double* hi, int target);

struct TimeTick {
  Timestamp t;
  std::string label;
};
/// Calendar-aligned ticks in [t0, t1]: minutes, hours, days, weeks (Mondays), months or years,
/// whichever gives at most `target` ticks; labels fit the step ("2008", "2008-03", "03-14 12:00").
std::vector<TimeTick> time_ticks(Timestamp t0, Timestamp t1, int target);

/// A number with as many decimals as `step` needs, thousands grouped ("12,345.5"); large values
/// compact ("1.25M") when `compact`.
std::string format_tick(double v, double step, bool compact = true);
/// Fixed decimals, "n/a" for NaN.
std::string format_fixed(double v, int decimals);

/// Downsamples a series to at most 4 points per pixel column (first, min, max, last of the
/// column, in time order) and maps it to pixels. NaN values break the line: each inner vector is
/// one unbroken run.
void downsample_m4(std::span<const Timestamp> ts, std::span<const double> v, const Scale& x, const Scale& y,
                   std::vector<std::vector<std::pair<double, double>>>* runs);
/// "M x y L x y ..." with one decimal.
std::string polyline_path(const std::vector<std::pair<double, double>>& pts);

/// Accumulates the markup of one chart.
class Svg {
 public:
  // `chart` names the chart for tests and styling (data-chart attribute).
  Svg(double width, double height, std::string_view chart, std::string_view aria_label);

  void line(double x1, double y1, double x2, double y2, std::string_view cls);
  void rect(double x, double y, double w, double h, std::string_view cls, std::string_view style = {},
            std::string_view title = {});
  void path(std::string_view d, std::string_view cls, std::string_view title = {});
  // anchor: "start", "middle" or "end".
  void text(double x, double y, std::string_view s, std::string_view cls, std::string_view anchor = "start");
  void raw(std::string_view markup) { out_ += markup; }
  std::string& out() { return out_; }
  std::string finish();

 private:
  std::string out_;
};

/// Horizontal grid lines and labels on the left of `area` at nice ticks of [lo, hi]; ticks not a
/// multiple of `min_step` are skipped (1 for counts).
void draw_value_axis(Svg& svg, const Rect& area, const Scale& y, double lo, double hi, int target,
                     std::string_view suffix = {}, double min_step = 0);
/// Vertical grid lines and labels under `area`.
void draw_time_axis(Svg& svg, const Rect& area, const Scale& x, Timestamp t0, Timestamp t1);
/// A legend row at the top of the chart: (css class of the swatch, label).
void draw_legend(Svg& svg, double x, double y,
                 const std::vector<std::pair<std::string, std::string>>& entries);

std::string escape(std::string_view text);

}  // namespace tradeloop::analytics::internal
