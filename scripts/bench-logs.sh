#!/usr/bin/env bash
# CloudWatch Logs benchmarks, kiroku and moto side by side in one run, with the same client
# (bench/logs_driver.cc) on the same machine:
#   1. ingestion over HTTP (SigV4, encryption, fsync): 1 MB batches of 3,200 ~300-byte events and
#      batches of 10,000 ~78-byte events (the largest 10,000-event batch AWS's 1 MB limit allows);
#   2. FilterLogEvents over the stored data (1 GB for kiroku, in a KMS-encrypted group) with a
#      selective JSON pattern and the equivalent term pattern;
#   3. peak RSS (VmHWM) of each server.
# Usage: scripts/bench-logs.sh [BUILD_DIR]   (default build/logs; builds kiroku and logs_driver)
# Env: KIROKU_MB (default 1000) and MOTO_MB (default 200) of event text to store for the filter
# runs; SECONDS_PER_RUN (default 10).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$ROOT/build/logs}
KIROKU_MB=${KIROKU_MB:-1000}
MOTO_MB=${MOTO_MB:-200}
RUN=${SECONDS_PER_RUN:-10}
ninja -C "$BUILD" -j2 kiroku logs_driver >/dev/null
KIROKU=$BUILD/src/app/kiroku
DRIVER=$BUILD/bench/logs_driver
WORK=$(mktemp -d /tmp/kiroku-bench-logs.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT

peak_rss_mb() { awk '/VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/$1/status"; }
wait_port() { for _ in $(seq 100); do (echo > "/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }
field() { sed -n "s/.*$1=\([^ ]*\).*/\1/p"; }

echo "# $(date -u +%FT%TZ) $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

# --- kiroku ---------------------------------------------------------------------------------
PORT=4871
"$KIROKU" serve --listen 127.0.0.1:$PORT --data-dir "$WORK/kiroku" --log-level warn \
    > "$WORK/kiroku.log" 2>&1 &
KPID=$!
PIDS+=("$KPID")
wait_port $PORT
CRED="$WORK/kiroku/credentials"
export AWS_ENDPOINT_URL=http://127.0.0.1:$PORT AWS_SHARED_CREDENTIALS_FILE=$CRED \
       AWS_DEFAULT_REGION=us-east-1 AWS_CONFIG_FILE=/dev/null
ACCOUNT=$(aws sts get-caller-identity --query Account --output text)
KEY=$(aws kms create-key --query KeyMetadata.Arn --output text)
cat > "$WORK/policy.json" <<EOF
{"Version": "2012-10-17", "Statement": [
 {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::$ACCOUNT:root"}, "Action": "kms:*", "Resource": "*"},
 {"Effect": "Allow", "Principal": {"Service": "logs.us-east-1.amazonaws.com"},
  "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
  "Resource": "*", "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:us-east-1:$ACCOUNT:*"}}}]}
EOF
aws kms put-key-policy --key-id "$KEY" --policy-name default --policy "file://$WORK/policy.json"

run_all() {  # name endpoint credentials-args... ; prints driver lines
  local name=$1 endpoint=$2 mb=$3 key=$4
  shift 4
  local d=("$DRIVER" --endpoint "$endpoint" "$@")
  "${d[@]}" setup --group ingest300 --streams 4 ${key:+--kms-key "$key"}
  "${d[@]}" setup --group ingest78 --streams 4 ${key:+--kms-key "$key"}
  "${d[@]}" setup --group scan --streams 4 ${key:+--kms-key "$key"}
  for c in 2 4; do
    echo "$name $("${d[@]}" ingest --group ingest300 --streams 4 --connections $c --batch 3200 --event-bytes 300 --seconds "$RUN")"
    echo "$name $("${d[@]}" ingest --group ingest78 --streams 4 --connections $c --batch 10000 --event-bytes 78 --seconds "$RUN")"
  done
  local load
  load=$("${d[@]}" ingest --group scan --streams 4 --connections 4 --batch 3200 --event-bytes 300 --total-mb "$mb" --seconds 600)
  echo "$name $load"
  local bytes
  bytes=$(echo "$load" | field event_bytes)
  echo "$name $("${d[@]}" filter --group scan --pattern '{ $.level = "FATAL" }' --data-bytes "$bytes")"
  echo "$name $("${d[@]}" filter --group scan --pattern 'FATAL' --data-bytes "$bytes")"
}

run_all kiroku 127.0.0.1:$PORT "$KIROKU_MB" "$KEY" --credentials "$CRED"
echo "kiroku peak_rss_mb=$(peak_rss_mb $KPID)"
kill "$KPID"; wait "$KPID" 2>/dev/null || true

# --- moto -------------------------------------------------------------------------------------
MPORT=4872
python3 -m moto.server -p $MPORT > "$WORK/moto.log" 2>&1 &
MPID=$!
PIDS+=("$MPID")
wait_port $MPORT
run_all moto 127.0.0.1:$MPORT "$MOTO_MB" ""
echo "moto peak_rss_mb=$(peak_rss_mb $MPID)"
