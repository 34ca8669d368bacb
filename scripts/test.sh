#!/usr/bin/env bash
# Installs what is missing, builds hayate twice (release-like, and with ASan+UBSan) and runs every
# test in both builds. This is the README's test command and what CI runs.
#   scripts/test.sh            full run
#   scripts/test.sh --no-asan  skip the sanitizer build (quicker local runs)
set -euo pipefail
cd "$(dirname "$0")/.."

asan=1
for arg in "$@"; do
  case "$arg" in
    --no-asan) asan=0 ;;
    *) echo "usage: $0 [--no-asan]" >&2; exit 2 ;;
  esac
done

bash scripts/install-deps.sh
jobs=$(nproc)

run_suite() {
  local dir=$1; shift
  cmake -S . -B "$dir" -G Ninja "$@" >/dev/null
  ninja -C "$dir" -j "$jobs"
  ctest --test-dir "$dir" --output-on-failure -j "$jobs"
}

echo "== build and test: build/"
run_suite build -DCMAKE_BUILD_TYPE=RelWithDebInfo
if ((asan)); then
  echo "== build and test with ASan+UBSan: build-asan/"
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    run_suite build-asan -DCMAKE_BUILD_TYPE=Debug -DHAYATE_SANITIZE=ON
fi
