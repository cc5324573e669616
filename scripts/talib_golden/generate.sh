#!/usr/bin/env bash
# Regenerates libs/indicators/tests/golden/ from TA-Lib itself.
#
# TA-Lib's C sources come from the npm `talib` package (package/src/lib). They are unpacked and
# compiled in a temporary directory; nothing of TA-Lib is committed to tradeloop, only this script,
# the driver talib_golden.cc, cases.txt and the generated CSVs.
#
# Usage: scripts/talib_golden/generate.sh [ROWS]     (ROWS: first rows of each data file, default 2000)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="$root/libs/indicators/tests/golden"
rows="${1:-2000}"
work="$(mktemp -d /tmp/talib_golden.XXXXXX)"
trap 'rm -rf "$work"' EXIT

cd "$work"
npm pack talib@1.1.6 --silent >/dev/null
tar xzf talib-1.1.6.tgz
lib="$work/package/src/lib"
version_file="$lib/src/ta_common/ta_version.c"
version="$(sed -n 's/^#define \(MAJOR\|MINOR\|BUILD\|EXTRA\) "\(.*\)"/\2/p' "$version_file" | paste -sd. | sed 's/\.\([a-z]*\)$/-\1/')"
echo "TA-Lib version in npm talib@1.1.6: $version" >&2

mkdir -p obj
sources=("$lib"/src/ta_common/ta_{global,retcode,version}.c "$lib"/src/ta_func/*.c
         "$lib"/src/ta_abstract/{ta_group_idx,ta_def_ui,ta_abstract,ta_func_api}.c
         "$lib"/src/ta_abstract/frames/ta_frame.c "$lib"/src/ta_abstract/tables/table_*.c)
includes=(-I"$lib/include" -I"$lib/src/ta_common" -I"$lib/src/ta_abstract" -I"$lib/src/ta_abstract/frames"
          -I"$lib/src/ta_func")
printf '%s\n' "${sources[@]}" | xargs -P "$(nproc)" -I{} sh -c \
  'gcc -O2 -w -c "$1" '"${includes[*]}"' -o "obj/$(basename "$(dirname "$1")")_$(basename "$1" .c).o"' _ {}
ar rcs libta.a obj/*.o
g++ -std=c++17 -O2 -Wall -Wextra "${includes[@]}" "$here/talib_golden.cc" libta.a -lm -o talib_golden

mkdir -p "$out"
rm -f "$out"/*.csv "$out"/manifest.tsv
./talib_golden describe "$out/functions.tsv"
./talib_golden cases "$here/cases.txt" "$root/data/samples" "$rows" "$out"
echo "$version" >"$out/TALIB_VERSION"
echo "wrote $(ls "$out"/*.csv | wc -l) golden files to $out" >&2
