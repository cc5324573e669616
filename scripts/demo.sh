#!/usr/bin/env bash
# The main job on bundled data. Until the discovery loop exists: inspect every bundled sample, then
# resample two of them and store one in a bar store, so every `tradeloop data` command runs once.
set -euo pipefail
cli=${1:-build/release/apps/cli/tradeloop}
root=$(cd "$(dirname "$0")/.." && pwd)
samples="$root/data/samples"
out=$(mktemp -d "${TMPDIR:-/tmp}/tradeloop-demo.XXXXXX")
trap 'rm -rf "$out"' EXIT

section() { printf '\n== %s\n' "$*"; }

"$cli" --version

section "Inspect every bundled sample (errors fail the demo; warnings are expected on real data)"
for f in "$samples"/*.csv; do
  "$cli" data inspect "$f" --max-lines 8
  echo
done

section "Resample ETH_BTC 5m -> 1h (first 5 bars)"
"$cli" data resample "$samples/ETH_BTC-5m.csv" --to 1h --out "$out/ETH_BTC-1h.csv"
head -n 6 "$out/ETH_BTC-1h.csv"
echo "... $(($(wc -l <"$out/ETH_BTC-1h.csv") - 1)) hourly bars"

section "Resample GOOG 1d -> 1w (weeks start on Monday; first 5 bars)"
"$cli" data resample "$samples/GOOG-1d.csv" --to 1w --out "$out/GOOG-1w.csv"
head -n 6 "$out/GOOG-1w.csv"

section "Inspect the resampled hourly file"
"$cli" data inspect "$out/ETH_BTC-1h.csv" --max-lines 5

section "Store GOOG in a SQLite bar store, import again (no duplicates), export a range"
"$cli" data import "$samples/GOOG-1d.csv" --symbol GOOG --db "$out/demo.db"
"$cli" data import "$samples/GOOG-1d.csv" --symbol GOOG --db "$out/demo.db"
"$cli" data export --db "$out/demo.db" --symbol GOOG --timeframe 1d --from 2013-02-22 --to 2013-03-01
