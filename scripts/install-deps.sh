#!/usr/bin/env bash
# Installs the Debian 12 packages kiroku needs to build, test and benchmark. Idempotent and fast
# when everything is present (one dpkg query, no apt-get call). Run as root (or with sudo).
# `install-deps.sh fuzz` also installs clang and its fuzzer runtime (for `make fuzz`).
# Note: libboost1.81-dev conflicts with the unversioned libboost-dev (1.74 on Debian 12).
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libssl-dev librocksdb-dev libsimdjson-dev libre2-dev libzstd-dev
  libcli11-dev libfmt-dev libspdlog-dev libqrencode-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  jq curl ripgrep
)

if [[ "${1:-}" == fuzz ]]; then
  packages+=(clang libclang-rt-14-dev)
fi

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
  [[ "$status" == ii* ]] || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
[[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -q
"${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
