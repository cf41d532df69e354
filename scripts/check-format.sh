#!/usr/bin/env bash
# Checks that C++ files are formatted as .clang-format says (`clang-format --dry-run -Werror`),
# without changing them; `make lint` runs it.
#   check-format.sh            every tracked *.h / *.cc under src/ tests/ bench/
#   check-format.sh FILE...    only these files
# Lists the files that differ and exits 1 when there is any; `clang-format -i FILE...` fixes
# them. CI pins clang-format 14 (Debian 12's; other versions may format a few constructs
# differently); CLANG_FORMAT names another binary.
set -euo pipefail
cd "$(dirname "$0")/.."

clang_format=${CLANG_FORMAT:-clang-format}
if ! command -v "$clang_format" >/dev/null; then
  echo "check-format: $clang_format not found (bash scripts/install-deps.sh lint)" >&2
  exit 2
fi

if [[ $# -gt 0 ]]; then
  files=("$@")
else
  mapfile -t files < <(git ls-files -- 'src/*.h' 'src/*.cc' 'tests/*.h' 'tests/*.cc' \
                                        'bench/*.h' 'bench/*.cc')
fi

# One clang-format run per batch of files (xargs); --ferror-limit=1 keeps one diagnostic per
# file, enough to name it.
diagnostics=$(printf '%s\0' "${files[@]}" |
  xargs -0 -n 64 "$clang_format" --dry-run -Werror --ferror-limit=1 2>&1 || true)
mapfile -t bad < <(sed -n 's/^\(.*\):[0-9]*:[0-9]*: error: code should be clang-formatted.*/\1/p' \
                     <<<"$diagnostics" | sort -u)
if [[ ${#bad[@]} -gt 0 ]]; then
  printf '%s\n' "${bad[@]}"
  echo "check-format: ${#bad[@]} of ${#files[@]} files are not clang-formatted" \
       "($("$clang_format" --version | sed 's/.*version \([0-9.]*\).*/\1/'));" \
       "fix with: clang-format -i FILE..." >&2
  exit 1
fi
# A diagnostic that names no file (an unreadable file, a bad .clang-format) also fails.
if grep -q 'error' <<<"$diagnostics"; then
  echo "$diagnostics" >&2
  exit 1
fi
echo "check-format: ${#files[@]} files are clang-formatted"
