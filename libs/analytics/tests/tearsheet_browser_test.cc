// Opens generated tearsheets in headless Chromium (Debian's /usr/bin/chromium, installed by
// scripts/setup.sh) and checks that every chart renders with real geometry and that the browser
// logs no console message (Chromium reports malformed SVG attributes as console errors).
//
// Two loads per report: the report as written (console log, --dump-dom, screenshot), and a copy
// with a measuring script appended that writes each chart's laid-out size, element count and path
// length into the DOM. Skipped with a message when Chromium is absent.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "backtesting_py_reference.h"
#include "tradeloop/analytics/metrics.h"
#include "tradeloop/analytics/tearsheet.h"

namespace tradeloop::analytics {
namespace {

namespace fs = std::filesystem;

constexpr const char* kChromium = "/usr/bin/chromium";

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct BrowserRun {
  int exit_code = -1;
  std::string dom;
  std::string log;
};

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "tl_tearsheet_XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// Loads `html` in a fresh headless Chromium profile; extra_flags e.g. --screenshot=....
BrowserRun open_in_chromium(const fs::path& html, const fs::path& work, const std::string& extra_flags) {
  const fs::path profile = work / ("profile-" + html.stem().string());
  fs::create_directories(profile);
  const fs::path dom = work / (html.stem().string() + ".dom.html");
  const fs::path log = work / (html.stem().string() + ".log");
  const std::string cmd = "cd '" + work.string() + "' && timeout 120 " + kChromium +
                          " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run"
                          " --disable-background-networking --disable-component-update --disable-sync"
                          " --user-data-dir='" +
                          profile.string() + "' --window-size=1280,4000 --enable-logging=stderr --v=0 " +
                          extra_flags + " 'file://" + html.string() + "' > '" + dom.string() + "' 2> '" +
                          log.string() + "'";
  BrowserRun run;
  const int status = std::system(cmd.c_str());
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.dom = read_file(dom);
  run.log = read_file(log);
  return run;
}

// Console lines Chromium wrote for the page (console.* calls, uncaught errors, SVG parse errors).
std::string console_lines(const std::string& log) {
  std::string out;
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);) {
    if (line.find("CONSOLE") != std::string::npos || line.find("Uncaught") != std::string::npos ||
        line.find("attribute d:") != std::string::npos) {
      out += line + "\n";
    }
  }
  return out;
}

constexpr const char* kMeasureScript = R"js(<script>
(function () {
  var out = [];
  document.querySelectorAll('svg.chart').forEach(function (svg) {
    var r = svg.getBoundingClientRect();
    var len = 0;
    svg.querySelectorAll('path').forEach(function (p) { len += p.getTotalLength(); });
    var n = svg.querySelectorAll('path,rect,line,circle,text').length;
    out.push(svg.dataset.chart + ':' + Math.round(r.width) + ':' + Math.round(r.height) + ':' + n + ':' + Math.round(len));
  });
  document.body.setAttribute('data-render', out.join(';'));
})();
</script>
</body>)js";

struct ChartGeometry {
  int width = 0, height = 0, elements = 0;
  long path_length = 0;
};

std::map<std::string, ChartGeometry> measured_charts(const std::string& dom) {
  std::map<std::string, ChartGeometry> out;
  const std::smatch m = [&] {
    std::smatch sm;
    std::regex_search(dom, sm, std::regex("data-render=\"([^\"]*)\""));
    return sm;
  }();
  if (m.empty()) return out;
  std::istringstream in(m[1].str());
  for (std::string item; std::getline(in, item, ';');) {
    std::istringstream f(item);
    std::string name, w, h, n, len;
    std::getline(f, name, ':');
    std::getline(f, w, ':');
    std::getline(f, h, ':');
    std::getline(f, n, ':');
    std::getline(f, len, ':');
    out[name] = {std::stoi(w), std::stoi(h), std::stoi(n), std::stol(len)};
  }
  return out;
}

void check_report_in_browser(const RunRecord& run, const PriceBars& prices, const std::string& name,
                             const fs::path& keep_screenshot_as = {}) {
  if (access(kChromium, X_OK) != 0) {
    GTEST_SKIP() << kChromium << " not found: run scripts/setup.sh to install chromium";
  }
  const Metrics metrics = compute_metrics(run).value();
  TempDir tmp;
  TearsheetOptions options;
  options.title = "tradeloop tearsheet: " + name;
  options.subtitle = "browser test";
  const fs::path report = tmp.path() / (name + ".html");
  ASSERT_TRUE(write_tearsheet(run, metrics, prices, options, report.string()).ok());

  // 1. The report as users get it: no console output at all, every chart in the DOM.
  const fs::path shot = tmp.path() / (name + ".png");
  const BrowserRun plain =
      open_in_chromium(report, tmp.path(), "--dump-dom --screenshot='" + shot.string() + "'");
  ASSERT_EQ(plain.exit_code, 0) << plain.log.substr(0, 4000);
  EXPECT_EQ(console_lines(plain.log), "") << "console messages while loading " << report;
  for (const char* chart : {"equity", "drawdown", "price", "rolling-sharpe", "monthly", "histogram"}) {
    EXPECT_NE(plain.dom.find(std::string("data-chart=\"") + chart + "\""), std::string::npos) << chart;
  }
  EXPECT_NE(plain.dom.find("id=\"metrics\""), std::string::npos);
  ASSERT_TRUE(fs::exists(shot)) << plain.log.substr(0, 2000);
  EXPECT_GT(fs::file_size(shot), 50'000u) << "a blank page compresses to a few kB";
  if (!keep_screenshot_as.empty()) {
    fs::copy_file(shot, keep_screenshot_as, fs::copy_options::overwrite_existing);
    fs::copy_file(report, fs::path(keep_screenshot_as).replace_extension(".html"),
                  fs::copy_options::overwrite_existing);
  }

  // 2. A measuring copy: laid-out size and drawn geometry of each chart.
  std::string html = read_file(report);
  const std::size_t body_end = html.rfind("</body>");
  ASSERT_NE(body_end, std::string::npos);
  html.replace(body_end, 7, kMeasureScript);
  const fs::path measured = tmp.path() / (name + "-measured.html");
  std::ofstream(measured, std::ios::binary) << html;
  const BrowserRun m = open_in_chromium(measured, tmp.path(), "--dump-dom");
  ASSERT_EQ(m.exit_code, 0) << m.log.substr(0, 4000);
  EXPECT_EQ(console_lines(m.log), "") << "the measuring script failed";
  const auto charts = measured_charts(m.dom);
  ASSERT_EQ(charts.size(), 6u) << m.dom.substr(0, 2000);
  for (const auto& [chart, g] : charts) {
    SCOPED_TRACE(chart);
    EXPECT_GT(g.width, 900);  // the main column is 1120 px wide at this window size
    EXPECT_GT(g.height, 100);
    EXPECT_GT(g.elements, 20);
    if (chart != "monthly" && chart != "histogram") {  // those two are rectangles
      EXPECT_GT(g.path_length, 500);
    }
  }
}

TEST(TearsheetBrowser, GoogSmaCrossReportRendersWithoutConsoleErrors) {
  const testing::Bars bars = testing::load_goog();
  const RunRecord run = testing::simulate_backtesting_py_sma_cross(bars, 10, 20);
  const PriceBars prices{"GOOG", bars.ts, bars.open, bars.high, bars.low, bars.close};
  // Keep the report and its screenshot where a developer can look at them (build tree).
  check_report_in_browser(run, prices, "goog_sma_cross",
                          fs::path(TL_BINARY_DIR) / "tearsheet_goog_sma_cross.png");
}

TEST(TearsheetBrowser, MillionBarReportRendersWithoutConsoleErrors) {
  // 1M 5-minute bars of a random walk with a trade every 100 bars: exercises downsampling and
  // merged trade markers.
  RunRecord run;
  std::vector<double> close(1'000'000);
  double c = 100, e = 10000;
  std::uint64_t state = 12345;
  for (std::size_t i = 0; i < close.size(); ++i) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    const double u = static_cast<double>(state >> 11) / 9007199254740992.0 - 0.5;
    c *= 1 + u * 0.004;
    e *= 1 + u * 0.003;
    close[i] = c;
    run.equity.ts.push_back(parse_time("2018-01-01T00:00:00Z").value() +
                            static_cast<Timestamp>(i) * 5 * kNanosPerMinute);
    run.equity.equity.push_back(e);
  }
  for (std::size_t i = 10; i + 60 < close.size(); i += 100) {
    ClosedTrade t;
    t.size = 1;
    t.entry_bar = static_cast<std::int64_t>(i);
    t.exit_bar = static_cast<std::int64_t>(i + 50);
    t.entry_time = run.equity.ts[i];
    t.exit_time = run.equity.ts[i + 50];
    t.entry_price = close[i];
    t.exit_price = close[i + 50];
    t.return_pct = (t.exit_price / t.entry_price - 1) * 100;
    t.pnl = t.exit_price - t.entry_price;
    t.exit_reason = "signal";
    run.trades.push_back(t);
  }
  run.benchmark_close = close;
  const PriceBars prices{"SYN", run.equity.ts, {}, {}, {}, close};
  check_report_in_browser(run, prices, "million_bars");
}

}  // namespace
}  // namespace tradeloop::analytics
