#!/usr/bin/env bash
# Installs the Debian 12 packages kiroku needs to build, test and benchmark. Idempotent and fast
# when everything is present (one dpkg query, no apt-get call). Run as root (or with sudo).
# `install-deps.sh fuzz` also installs clang and its fuzzer runtime (for `make fuzz`);
# `install-deps.sh lint` clang, clang-format, python3 and git (for `make lint`).
# Note: libboost1.81-dev conflicts with the unversioned libboost-dev (1.74 on Debian 12).
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libssl-dev librocksdb-dev libsimdjson-dev libre2-dev libzstd-dev
  libcli11-dev libfmt-dev libspdlog-dev libqrencode-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  jq curl ripgrep
  chromium nodejs
)
# Debian's nodejs comes without npm; NodeSource's bundles it (and conflicts with Debian's npm).
command -v npm >/dev/null || packages+=(npm)

if [[ "${1:-}" == fuzz ]]; then
  packages+=(clang libclang-rt-14-dev)
fi
if [[ "${1:-}" == lint ]]; then
  packages+=(clang clang-format python3 git)
fi

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
  [[ "$status" == ii* ]] || missing+=("$p")
done
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "install-deps: installing ${missing[*]}"
  sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -q
  "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# The browser tests' playwright-core, exactly as tests/browser/package-lock.json pins it; they
# drive the system's /usr/bin/chromium, so no browser is ever downloaded.
browser_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/tests/browser"
if [[ ! -f "$browser_dir/node_modules/.package-lock.json" ||
      "$browser_dir/package-lock.json" -nt "$browser_dir/node_modules/.package-lock.json" ]]; then
  echo "install-deps: npm ci in tests/browser"
  (cd "$browser_dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
fi
