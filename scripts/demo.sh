#!/usr/bin/env bash
# The main job on bundled data. Until the discovery loop exists: inspect and resample the samples.
set -euo pipefail
cli=${1:-build/release/apps/cli/tradeloop}
"$cli" --version
