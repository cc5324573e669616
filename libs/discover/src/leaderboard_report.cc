#include "tradeloop/discover/leaderboard_report.h"

#include <cmath>
#include <fstream>

#include <fmt/format.h>

#include "tradeloop/analytics/tearsheet.h"

namespace tradeloop::discover {

namespace {

using analytics::html_escape;

double metric(const Metrics& m, std::string_view key) {
  auto it = m.find(key);
  return it == m.end() ? std::nan("") : it->second;
}

// A table cell with the raw value for sorting and a rounded one for reading.
std::string number_cell(double v, int decimals) {
  if (!std::isfinite(v)) return "<td class=\"num\" data-v=\"\">n/a</td>";
  return fmt::format("<td class=\"num\" data-v=\"{}\">{:.{}f}</td>", v, v, decimals);
}

constexpr const char* kStyle = R"css(
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#1d2330;background:#fafbfc}
h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px}
.sub{color:#5b6474;font-size:13px}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}
.card{background:#fff;border:1px solid #e1e5eb;border-radius:6px;padding:10px 14px;min-width:120px}
.card b{display:block;font-size:20px}.card span{font-size:12px;color:#5b6474}
table{border-collapse:collapse;background:#fff;font-size:13px;width:100%}
th,td{border-bottom:1px solid #e8ebf0;padding:6px 8px;text-align:left}
th{background:#f0f2f5;cursor:pointer;user-select:none;position:sticky;top:0}
td.num{text-align:right;font-variant-numeric:tabular-nums}
tr:hover td{background:#f6f8fb}
a{color:#1a5fb4;text-decoration:none}a:hover{text-decoration:underline}
.empty{padding:16px;background:#fff;border:1px dashed #c9ced6;border-radius:6px}
.bar{display:inline-block;height:10px;background:#d9534f;border-radius:2px;vertical-align:middle}
code{background:#eef1f5;padding:1px 4px;border-radius:3px}
)css";

constexpr const char* kScript = R"js(
document.querySelectorAll('table.sortable').forEach(function(table){
  table.querySelectorAll('th').forEach(function(th, col){
    th.addEventListener('click', function(){
      var body = table.tBodies[0], rows = Array.from(body.rows);
      var asc = th.dataset.dir !== 'asc'; th.dataset.dir = asc ? 'asc' : 'desc';
      rows.sort(function(a, b){
        var x = a.cells[col], y = b.cells[col];
        var vx = x.dataset.v !== undefined ? parseFloat(x.dataset.v) : x.textContent;
        var vy = y.dataset.v !== undefined ? parseFloat(y.dataset.v) : y.textContent;
        if (typeof vx === 'number' && isNaN(vx)) return 1;
        if (typeof vy === 'number' && isNaN(vy)) return -1;
        return (vx < vy ? -1 : vx > vy ? 1 : 0) * (asc ? 1 : -1);
      });
      rows.forEach(function(r){ body.appendChild(r); });
    });
  });
});
)js";

}  // namespace

std::map<std::string, std::int64_t> count_rejections(const std::vector<CandidateRow>& candidates) {
  std::map<std::string, std::int64_t> out;
  for (const auto& c : candidates) {
    if (c.verdict != Verdict::kRejected) continue;
    for (const auto& r : c.reasons) {
      std::string gate = r.substr(0, r.find_first_of(" :"));
      out[gate] += 1;
    }
  }
  return out;
}

std::string leaderboard_html(const LeaderboardInput& in) {
  const SessionRecord& s = in.session;
  std::string h;
  h += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">";
  h += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">";
  h += "<link rel=\"icon\" href=\"data:,\">";
  h +=
      fmt::format("<title>tradeloop discover: session {} leaderboard</title><style>{}</style></head><body>\n",
                  s.id, kStyle);
  h += fmt::format("<h1>Discovered strategies &mdash; session {}</h1>\n", s.id);
  h += fmt::format("<div class=\"sub\">status <b>{}</b>{} &middot; database <code>{}</code></div>\n",
                   session_status_name(s.status),
                   s.stop_reason.empty() ? "" : " (" + html_escape(s.stop_reason) + ")",
                   html_escape(in.db_path));
  h += "<div class=\"cards\">";
  auto card = [&](const std::string& value, const char* label) {
    h += fmt::format("<div class=\"card\"><b>{}</b><span>{}</span></div>", value, label);
  };
  card(std::to_string(s.evaluated), "candidates tested");
  card(std::to_string(s.accepted), "accepted");
  card(std::to_string(s.wave), "waves");
  card(fmt::format("{:.1f}%", s.evaluated > 0
                                  ? 100.0 * static_cast<double>(s.accepted) / static_cast<double>(s.evaluated)
                                  : 0.0),
       "acceptance rate");
  card(fmt::format("{:.0f} s", s.elapsed_seconds), "search time");
  card(fmt::format("{:.1f}", in.candidates_per_second), "candidates / s (last run)");
  h += "</div>\n";

  h += "<h2>Leaderboard</h2>\n";
  if (in.accepted.empty()) {
    h += "<div class=\"empty\">No candidate has passed every gate yet. The rejection counts below show which "
         "gates "
         "stop them; keep the loop running (<code>--resume</code>) or review the gates.</div>\n";
  } else {
    h += "<table "
         "class=\"sortable\"><thead><tr><th>#</th><th>id</th><th>strategy</th><th>type</th><th>data</th>"
         "<th>Sharpe (IS)</th><th>Sharpe (OOS)</th><th>deflated Sharpe</th><th>max drawdown %</th>"
         "<th>win rate %</th><th>trades</th><th>return % (IS)</th><th>return % (OOS)</th><th>profit "
         "factor</th><th>equity (whole data)</th>"
         "</tr></thead><tbody>\n";
    int rank = 0;
    for (const auto& row : in.accepted) {
      const Metrics& m = row.metrics;
      const Candidate& c = row.candidate;
      auto it = in.tearsheets.find(c.id);
      const std::string name =
          it == in.tearsheets.end()
              ? html_escape(c.name)
              : fmt::format("<a href=\"{}\">{}</a>", html_escape(it->second), html_escape(c.name));
      h += fmt::format(
          "<tr><td class=\"num\" data-v=\"{}\">{}</td><td class=\"num\" data-v=\"{}\">{}</td><td>{}</td>"
          "<td>{}</td><td>{}</td>",
          ++rank, rank, c.id, c.id, name, html_escape(c.type), html_escape(c.target));
      h += number_cell(metric(m, "sharpe_ratio"), 2);
      h += number_cell(metric(m, "oos_sharpe_ratio"), 2);
      h += number_cell(metric(m, "deflated_sharpe"), 3);
      h += number_cell(metric(m, "max_drawdown_pct"), 2);
      h += number_cell(metric(m, "win_rate_pct"), 1);
      h += number_cell(metric(m, "num_trades"), 0);
      h += number_cell(metric(m, "total_return_pct"), 2);
      h += number_cell(metric(m, "oos_total_return_pct"), 2);
      h += number_cell(metric(m, "profit_factor"), 2);
      auto spark = in.sparklines.find(c.id);
      h += "<td>" + (spark == in.sparklines.end() ? std::string() : spark->second) + "</td>";
      h += "</tr>\n";
    }
    h += "</tbody></table>\n";
    h += "<p class=\"sub\">IS = in-sample window (the only data the search saw); OOS = the walk-forward test "
         "windows "
         "after it, stitched. Click a header to sort, a name to open its tearsheet. Export a strategy with "
         "<code>tradeloop strategies export ID</code>.</p>\n";
  }

  h += "<h2>Why candidates were rejected</h2>\n";
  if (in.rejection_counts.empty()) {
    h += "<div class=\"empty\">No rejection yet.</div>\n";
  } else {
    std::int64_t top = 1;
    for (const auto& [gate, n] : in.rejection_counts) top = std::max(top, n);
    h += "<table><thead><tr><th>gate</th><th>candidates failing it</th><th></th></tr></thead><tbody>\n";
    for (const auto& [gate, n] : in.rejection_counts) {
      h += fmt::format(
          "<tr><td><code>{}</code></td><td class=\"num\">{}</td><td><span class=\"bar\" style=\"width:{}px\">"
          "</span></td></tr>\n",
          html_escape(gate), n, static_cast<int>(300.0 * static_cast<double>(n) / static_cast<double>(top)));
    }
    h += "</tbody></table>\n";
  }

  h += "<h2>Gates in force</h2>\n<table><thead><tr><th>data</th><th>tested</th><th>min Sharpe</th><th>max "
       "drawdown</th>"
       "<th>min win rate</th><th>min trades</th><th>min deflated Sharpe</th><th>max OOS degradation</th>"
       "<th>min OOS Sharpe</th><th>max correlation</th><th>trials correlated &ge; this count once</th>"
       "</tr></thead><tbody>\n";
  for (const auto& [target, g] : in.gates) {
    auto it = in.evaluated_per_target.find(target);
    h += fmt::format(
        "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{:g}</td><td class=\"num\">{:g}%</td>"
        "<td class=\"num\">{:g}%</td><td class=\"num\">{:g}</td><td class=\"num\">{:g}</td>"
        "<td class=\"num\">{:g}</td><td class=\"num\">{:g}</td><td class=\"num\">{:g}</td>"
        "<td class=\"num\">{:g}</td></tr>\n",
        html_escape(target), it == in.evaluated_per_target.end() ? 0 : it->second, g.min_sharpe_ratio,
        g.max_drawdown * 100, g.min_win_rate * 100, g.min_trades, g.min_deflated_sharpe,
        g.max_oos_degradation, g.min_oos_sharpe_ratio, g.max_correlation, g.trial_correlation);
  }
  h += "</tbody></table>\n";
  if (!s.errors.empty()) {
    h += "<h2>Notes</h2><ul>";
    for (const auto& e : s.errors) h += "<li>" + html_escape(e) + "</li>";
    h += "</ul>\n";
  }
  h += fmt::format("<script>{}</script>\n</body></html>\n", kScript);
  return h;
}

Status write_leaderboard(const std::string& path, const LeaderboardInput& input) {
  const std::string html = leaderboard_html(input);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return Error::io(fmt::format("{}: cannot write the leaderboard report", path));
  out.write(html.data(), static_cast<std::streamsize>(html.size()));
  if (!out) return Error::io(fmt::format("{}: write failed", path));
  return ok_status();
}

}  // namespace tradeloop::discover
