#!/usr/bin/env bash
# `make bench`: runs every Google Benchmark binary, then the round-trip driver against a real
# `kiroku serve` on a free port with a temporary data dir, then the filter throughput script.
# Usage: scripts/run-benchmarks.sh BUILD_DIR   (set KIROKU_BENCH_QUICK=1 to skip the 1 GB filter run)
set -euo pipefail
build=${1:-build/release}
root=$(cd "$(dirname "$0")/.." && pwd)

for bench in sigv4_bench policy_bench store_bench filter_bench trail_bench; do
  if [[ -x "$build/bench/$bench" ]]; then
    echo "== $bench"
    "$build/bench/$bench" --benchmark_min_time=0.2
  fi
done

echo "== round trip: GetCallerIdentity over keep-alive"
data=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$build/src/app/kiroku" serve --listen "127.0.0.1:$port" --data-dir "$data" --log-level warn &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$port/_kiroku/health" >/dev/null && break
  sleep 0.1
done
for connections in 1 4 16; do
  "$build/bench/roundtrip_driver" --endpoint "127.0.0.1:$port" \
    --credentials "$data/credentials" --connections "$connections" --seconds 5
done

echo "== CloudTrail delivery latency (API response -> searchable in CloudWatch Logs / in an S3 log file)"
python3 "$root/bench/trail_latency.py" "$build/src/app/kiroku" --rate 50 --seconds 20

if [[ "${KIROKU_BENCH_QUICK:-0}" != 1 && -x "$root/scripts/bench-filter.sh" ]]; then
  echo "== filter throughput (1 GB of generated CloudTrail records)"
  "$root/scripts/bench-filter.sh" "$build"
fi
