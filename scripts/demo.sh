#!/usr/bin/env bash
# The main job on the bundled samples: run the discovery loop for about a minute, then print the
# leaderboard and where the HTML report is.
set -euo pipefail
cli=${1:-build/release/apps/cli/tradeloop}
root=$(cd "$(dirname "$0")/.." && pwd)
out=${TL_DEMO_DIR:-$root/build/demo}
mkdir -p "$out"
rm -f "$out/discover.db" "$out/discover.db-wal" "$out/discover.db-shm"
s=$root/data/samples
"$cli" discover --data "$s/GOOG-1d.csv,$s/EURUSD-1h.csv,$s/ETH_BTC-5m.csv,$s/ADA_BTC-5m.csv" \
  --budget 60s --count infinite --db "$out/discover.db" --report "$out/leaderboard.html"
echo
echo "Leaderboard (accepted strategies, best in-sample Sharpe first):"
"$cli" strategies list --db "$out/discover.db" --limit 20
echo
echo "Best candidates of every verdict (with --all), by deflated Sharpe ratio:"
"$cli" strategies list --all --db "$out/discover.db" --sort deflated_sharpe --limit 10
echo
echo "Report: $out/leaderboard.html (each accepted strategy's tearsheet in $out/leaderboard.html_files/)"
