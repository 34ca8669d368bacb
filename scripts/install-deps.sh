#!/usr/bin/env bash
# Installs the Debian 12 packages hayate needs to build and test, only those that are missing.
# Usage: scripts/install-deps.sh [--peers]   (--peers adds NSD, Knot, BIND, Unbound, dnsperf,
#        GNU time and gnuplot for the system tests and bench/compare.py)
set -euo pipefail

packages=(
  build-essential cmake pkg-config ninja-build
  libldns-dev ldnsutils
  libboost-dev libboost-system-dev
  libbpf-dev bpftool clang llvm libclang-rt-14-dev liburing-dev
  libspdlog-dev libfmt-dev libtomlplusplus-dev
  libgtest-dev libgmock-dev googletest
  dnsutils knot-dnsutils
  iproute2 python3-dnspython
)
peer_packages=(nsd knot knot-dnssecutils bind9 bind9-utils unbound dnsperf time gnuplot-nox)

if [[ "${1:-}" == "--peers" ]]; then
  packages+=("${peer_packages[@]}")
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
