#!/usr/bin/env bash
# Runs every benchmark binary of the release build.
set -euo pipefail
shopt -s nullglob
for b in build/release/bench/*; do
  [ -x "$b" ] || continue
  echo "== $(basename "$b")"
  "$b" --benchmark_min_time=0.2
done
