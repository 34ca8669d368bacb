#!/usr/bin/python3
"""DNS64 benchmark (issue 5): AAAA answers synthesized from cache vs plain AAAA from cache.

Starts a plain authoritative hayate serving tests/system's DNS64 test zones, a hayate resolver
forwarding to it, and a hayate serving the zones itself, both with a [[dns64]] block for the
client address 127.0.0.2 only. After one warm-up pass, dnsperf sends the same kind of question
for SECONDS each:
  resolver, plain AAAA    from 127.0.0.1 (no policy): dual-* names, real AAAA from the resolver's
                          RRset cache
  resolver, synthesized   from 127.0.0.2 (DNS64): v4-* names, AAAA NODATA + A from the caches,
                          synthesized per query
  authoritative, plain    from 127.0.0.1: dual-* names from the rendered-answer cache
  authoritative, synth.   from 127.0.0.2: v4-* names from the answer cache (keyed by policy)
three times each, alternating, and prints the best queries per second of each and the
synthesized/plain ratio for each mode.

Usage: bench/dns64_bench.py HAYATE_BINARY [SECONDS]   (needs dnsperf: scripts/install-deps.sh
--peers). hayate runs with one worker, dnsperf with one thread: on a shared machine compare the
ratios, not the absolute numbers.
"""

import re
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "system"))

import daemon_harness  # noqa: E402
from daemon_harness import HayateDaemon  # noqa: E402
from test_dns64 import DUAL, V4ONLY, write_zones  # noqa: E402

POLICY = """
[[dns64]]
mode = "dns64"
prefixes = ["2001:db8:64::/96"]
clients = ["127.0.0.2"]
"""


def dnsperf(server: HayateDaemon, source: str, names: list[str], seconds: int) -> float:
    queries = Path(tempfile.mkstemp(prefix="dns64-bench-", suffix=".txt")[1])
    queries.write_text("".join(f"{name}.dns64.test AAAA\n" for name in names))
    out = subprocess.run(["dnsperf", "-s", server.address, "-p", str(server.port), "-a", source,
                          "-d", str(queries), "-l", str(seconds), "-c", "8", "-q", "200"],
                         capture_output=True, text=True, check=True).stdout
    queries.unlink()
    lost = re.search(r"Queries lost:\s+(\d+)", out)
    if lost and int(lost.group(1)) > 0:
        print(f"  (warning: {lost.group(1)} queries lost)")
    return float(re.search(r"Queries per second:\s+([\d.]+)", out).group(1))


def warm_up(server: HayateDaemon) -> None:
    for source, names in (("127.0.0.1", DUAL), ("127.0.0.2", V4ONLY)):
        for name in names:
            result = daemon_harness.dig(server, f"{name}.dns64.test", "AAAA", "-b", source)
            assert result.status == "NOERROR" and result.answer, result.text


def main() -> None:
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    daemon_harness.HAYATE_BINARY = str(Path(sys.argv[1]).resolve())
    seconds = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    zones = write_zones(Path(tempfile.mkdtemp(prefix="dns64-bench-zones-")))
    one_worker = {"workers": 1}
    plain = HayateDaemon(None, zones, server=one_worker, log_level="warn").start()
    resolver_config = (f"[resolver]\nenable = true\nforward = [\"127.0.0.1:{plain.port}\"]\n"
                       "cache-min-ttl = 3600\n" + POLICY)
    servers = {
        "resolver": HayateDaemon(None, [], server=one_worker, log_level="warn",
                                 extra_config=resolver_config),
        "authoritative": HayateDaemon(None, zones, server=one_worker, log_level="warn",
                                      extra_config=POLICY),
    }
    try:
        for mode, server in servers.items():
            server.start()
            warm_up(server)
            # Alternated and the best of three each, so that a busy moment on a shared machine
            # does not decide the ratio.
            runs = {"plain": [], "synth": []}
            for _ in range(3):
                runs["plain"].append(dnsperf(server, "127.0.0.1", DUAL, seconds))
                runs["synth"].append(dnsperf(server, "127.0.0.2", V4ONLY, seconds))
            plain_qps, synth_qps = max(runs["plain"]), max(runs["synth"])
            print(f"{mode:14} plain AAAA from cache {plain_qps:10.0f} q/s   "
                  f"synthesized AAAA from cache {synth_qps:10.0f} q/s   "
                  f"ratio {synth_qps / plain_qps:.2f}")
    finally:
        for server in servers.values():
            server.cleanup()
        plain.cleanup()


if __name__ == "__main__":
    main()
