#!/usr/bin/env bash
# Runs every libFuzzer target listed in <build>/fuzzers.txt (written by add_fuzz_target in
# cmake/module.cmake) for a bounded time each, starting from its seed corpus in the repo.
# New inputs go to a corpus directory in the build tree; a finding fails the run.
# Usage: scripts/run-fuzzers.sh BUILD_DIR SECONDS
set -euo pipefail
build=${1:?build dir}
seconds=${2:-60}
list="$build/fuzzers.txt"
[[ -s "$list" ]] || { echo "run-fuzzers: no fuzz targets in $list" >&2; exit 1; }
count=0
while read -r binary seeds; do
  [[ -n "$binary" ]] || continue
  name=$(basename "$binary")
  corpus="$build/fuzz-corpus/$name"
  mkdir -p "$corpus"
  echo "run-fuzzers: $name for ${seconds}s (seeds: $seeds)"
  "$binary" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
    -print_final_stats=1 "$corpus" "$seeds" 2>"$build/fuzz-corpus/$name.log" ||
    { tail -50 "$build/fuzz-corpus/$name.log"; echo "run-fuzzers: $name found a failure" >&2; exit 1; }
  grep -E '^stat::number_of_executed_units' "$build/fuzz-corpus/$name.log" | sed "s/^/run-fuzzers: $name /"
  count=$((count + 1))
done < "$list"
echo "run-fuzzers: $count targets ran ${seconds}s each without a finding"
