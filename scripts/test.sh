#!/usr/bin/env bash
# Installs what is missing, builds hayate twice (release-like, and with ASan+UBSan) and runs every
# test in both builds. This is the README's test command and what CI runs.
#   scripts/test.sh            full run
#   scripts/test.sh --no-asan  skip the sanitizer build (quicker local runs)
#   scripts/test.sh --no-fuzz  skip building the fuzz targets and replaying their corpora
set -euo pipefail
cd "$(dirname "$0")/.."

asan=1
fuzz=1
for arg in "$@"; do
  case "$arg" in
    --no-asan) asan=0 ;;
    --no-fuzz) fuzz=0 ;;
    *) echo "usage: $0 [--no-asan] [--no-fuzz]" >&2; exit 2 ;;
  esac
done

# The system tests run Knot DNS, NSD and Unbound beside hayate: install them too.
bash scripts/install-deps.sh --peers
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
if ((fuzz)); then
  # Every fuzz target over its committed corpus (found crashes stay fixed); no new fuzzing here.
  echo "== fuzz targets over their corpora: build-fuzz/"
  CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DHAYATE_FUZZ=ON -DHAYATE_TESTS=OFF \
    >/dev/null
  ninja -C build-fuzz -j "$jobs" fuzz_all
  for target in build-fuzz/fuzz/fuzz_*; do
    [[ -x "$target" ]] || continue
    name=$(basename "$target")
    "$target" -runs=0 "fuzz/corpus/$name" 2>&1 | tail -1
  done
fi
