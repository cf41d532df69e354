#!/usr/bin/env bash
# Filter-pattern throughput on >= 1 GB of generated CloudTrail records, on one core, side by
# side with jq and ripgrep on the same file (docs/performance.md, "Filter patterns").
# Usage: scripts/bench-filter.sh [BUILD_DIR] [SIZE_MB]
#   BUILD_DIR defaults to build/filter; SIZE_MB to 1100. The data file is generated once under
#   BUILD_DIR/bench-data (never committed). KIROKU_BENCH_CORE picks the core (default 0).
# Needs jq and ripgrep (apt-get install -y jq ripgrep).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build/filter}
size_mb=${2:-1100}
core=${KIROKU_BENCH_CORE:-0}
for tool in jq rg taskset; do
  command -v "$tool" >/dev/null || { echo "bench-filter: $tool not found (apt-get install -y jq ripgrep util-linux)" >&2; exit 2; }
done

# Builds targets quietly; on failure shows the build output and stops.
build_targets() {
  local log
  log=$(cmake --build "$build" -j 2 --target "$@" 2>&1) || { echo "$log" >&2; exit 1; }
}

if [[ ! -f $build/CMakeCache.txt ]]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
build_targets filter_bench cloudtrail_gen
# The CLI: $KIROKU_BIN, else the build's kiroku, else the filter-only test binary.
if [[ -n ${KIROKU_BIN:-} ]]; then
  cli=$KIROKU_BIN
elif [[ -x $build/src/app/kiroku ]] &&
     cmake --build "$build" -j 2 --target kiroku >/dev/null 2>&1; then  # current filter code
  cli=$build/src/app/kiroku
else
  build_targets kiroku_filter_cli
  cli=$build/tests/filter/kiroku_filter_cli
fi

data=$build/bench-data/cloudtrail-${size_mb}mb.jsonl
if [[ ! -f $data ]]; then
  mkdir -p "$(dirname "$data")"
  "$build/bench/cloudtrail_gen" "$data" "$size_mb"
fi
bytes=$(stat -c %s "$data")
cat "$data" >/dev/null  # warm the page cache: every tool reads from memory
echo "input: $data, $bytes bytes, $(wc -l <"$data") records; one core (taskset -c $core); cli: $cli"
echo

selective='{ $.eventName = "ConsoleLogin" }'
every='{ $.responseElements.x > 100 || $.userIdentity.type = "Root" }'

echo "== in-process scan (bench/filter_bench, FilterPattern::ScanLines; G/s = GiB/s of CPU time)"
KIROKU_BENCH_FILE=$data taskset -c "$core" "$build/bench/filter_bench" \
  --benchmark_filter='BM_Filter(SelectiveJson|ParseEveryEvent|CisRootUsage|Terms)$' \
  --benchmark_repetitions=3 --benchmark_report_aggregates_only=true 2>/dev/null | grep -E '_median|^Benchmark'
echo

# Runs "$@" on one core with stdout counted by wc -l; prints "seconds matches".
timed() {
  local start end n
  start=$(date +%s%N)
  n=$(taskset -c "$core" "$@" | wc -l)
  end=$(date +%s%N)
  echo "$(( (end - start) / 1000000 )) $n"
}
rate() { awk -v b="$bytes" -v ms="$1" 'BEGIN { printf "%.2f", b / (ms / 1000) / 1e9 }'; }

echo "== end to end, printing matching lines (wall time, GB/s = 10^9 bytes/s)"
read -r k_ms k_n < <(timed "$cli" filter -j 1 "$selective" "$data")
read -r j_ms j_n < <(timed jq -c 'select(.eventName == "ConsoleLogin")' "$data")
read -r r_ms r_n < <(timed rg -j1 -F '"eventName":"ConsoleLogin"' "$data")
read -r e_ms e_n < <(timed "$cli" filter -j 1 "$every" "$data")
printf '%-72s %8s ms %6s GB/s %8s lines\n' \
  "kiroku filter -j 1 '$selective'" "$k_ms" "$(rate "$k_ms")" "$k_n" \
  "jq -c 'select(.eventName == \"ConsoleLogin\")'" "$j_ms" "$(rate "$j_ms")" "$j_n" \
  "rg -j1 -F '\"eventName\":\"ConsoleLogin\"'" "$r_ms" "$(rate "$r_ms")" "$r_n" \
  "kiroku filter -j 1 '$every'" "$e_ms" "$(rate "$e_ms")" "$e_n"
awk -v k="$k_ms" -v j="$j_ms" -v r="$r_ms" 'BEGIN {
  printf "kiroku vs jq: %.1fx faster; kiroku vs rg: %.2fx (>1 means kiroku is faster)\n", j / k, r / k }'
if [[ $k_n != "$j_n" || $k_n != "$r_n" ]]; then
  echo "bench-filter: match counts differ (kiroku $k_n, jq $j_n, rg $r_n)" >&2
  exit 1
fi
