"""Replies per second over a veth pair between two network namespaces, one load generator and
one server, each on a CPU of its own: hayate's XDP path, hayate's socket path, NSD, and Knot DNS
in its own XDP mode, with the same zone and the same query file, in one run.

    sudo /usr/bin/python3 bench/xdp_veth_bench.py --hayate build/server/hayate \\
        --hayatectl build/server/hayatectl [--seconds 5] [--qps 2000000]

The load generator is Knot's kxdpgun (knot-dnsutils; AF_XDP, pinned to CPU 0); servers run
pinned to CPU 1. kxdpgun's own XDP program on the client end takes the XDP_TX replies. Not a
test: prints a table and the ratios. Needs root.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "system"))
import daemon_harness  # noqa: E402
import test_xdp  # noqa: E402
from daemon_harness import KnotDaemon, NsdDaemon, Zone, minimal_query, udp_exchange  # noqa: E402

SERVER = test_xdp.SERVER
QUERIES = [("www.example.com.", "A", 1), ("mail.example.com.", "A", 1),
           ("ns1.example.com.", "AAAA", 28), ("example.com.", "SOA", 6)]
ZONES = [Zone("example.com.", "example.com.zone")]


def in_server_ns(ns: test_xdp.Namespaces, argv: list[str]) -> list[str]:
    return ["ip", "netns", "exec", ns.server, "taskset", "-c", "1"] + argv


class Hayate(test_xdp.XdpDaemon):
    def __init__(self, ns, xdp: bool):
        super().__init__(ns, "native")
        if not xdp:
            self.extra_config = ""

    def command(self) -> list[str]:
        return in_server_ns(self.namespaces, [self.binary, "--config", str(self.config_path)])


class Nsd(NsdDaemon):
    def __init__(self, ns):
        super().__init__(ZONES)
        self.ns, self.address, self.port = ns, SERVER, 53

    def command(self) -> list[str]:
        return in_server_ns(self.ns, super().command())


class KnotXdp(KnotDaemon):
    def __init__(self, ns):
        super().__init__(ZONES)
        self.ns, self.address, self.port = ns, SERVER, 53

    def config_text(self) -> str:
        return super().config_text() + "xdp:\n    listen: vs\n"

    def command(self) -> list[str]:
        return in_server_ns(self.ns, super().command())


def warm_up(server) -> None:
    for _ in range(20):
        for name, _, qtype in QUERIES:
            udp_exchange(SERVER, 53, minimal_query(name, qtype)[1], timeout=0.5)


def run_case(label: str, make, seconds: int, qps: int, query_file: Path) -> float | None:
    ns = test_xdp.Namespaces()
    server = None
    try:
        ns.create(peer_xdp=False)
        server = make(ns)
        server.start()
        warm_up(server)
        if isinstance(server, Hayate) and server.extra_config:
            deadline = time.monotonic() + 10
            while int(server.xdp()["hot-answers"]) < len(QUERIES) and time.monotonic() < deadline:
                warm_up(server)
                time.sleep(0.2)
        out = subprocess.run(["ip", "netns", "exec", ns.client, "kxdpgun", "-t", str(seconds),
                              "-Q", str(qps), "-F", "0", "-i", str(query_file), SERVER],
                             capture_output=True, text=True, timeout=seconds + 30)
        m = re.search(r"total replies:\s+(\d+) \((\d+) pps\)", out.stdout)
        sent = re.search(r"total queries:\s+(\d+) \((\d+) pps\)", out.stdout)
        if not m:
            print(f"{label}: no result\n{out.stdout}\n{out.stderr}", file=sys.stderr)
            return None
        extra = ""
        if isinstance(server, Hayate) and server.extra_config:
            s = server.xdp()
            extra = f"  (kernel hits {s['hit']}, misses {s['miss']})"
        print(f"{label:<22} {int(m.group(2)):>10} replies/s   sent {int(sent.group(2)):>10} "
              f"queries/s{extra}", flush=True)
        return float(m.group(2))
    except Exception as e:  # a peer that will not start: report and go on
        print(f"{label}: {e}", file=sys.stderr)
        return None
    finally:
        if server is not None:
            server.cleanup()
        ns.remove()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hayate", required=True)
    parser.add_argument("--hayatectl", required=True)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--qps", type=int, default=2000000)
    args = parser.parse_args()
    daemon_harness.HAYATE_BINARY = os.path.abspath(args.hayate)
    test_xdp.HAYATECTL = os.path.abspath(args.hayatectl)
    query_file = Path(tempfile.mkdtemp(prefix="xdp-bench-")) / "queries.txt"
    query_file.write_text("".join(f"{n} {t}\n" for n, t, _ in QUERIES))
    print(f"kxdpgun -t {args.seconds} -Q {args.qps} -F 0 (CPU 0), servers on CPU 1, "
          f"{len(QUERIES)} questions\n")
    results = {
        "hayate XDP": run_case("hayate XDP", lambda ns: Hayate(ns, True), args.seconds, args.qps,
                               query_file),
        "hayate sockets": run_case("hayate sockets", lambda ns: Hayate(ns, False), args.seconds,
                                   args.qps, query_file),
        "NSD": run_case("NSD", Nsd, args.seconds, args.qps, query_file),
        "Knot DNS XDP": run_case("Knot DNS XDP", KnotXdp, args.seconds, args.qps, query_file),
    }
    base = results["hayate XDP"]
    if base:
        print()
        for label, value in results.items():
            if value and label != "hayate XDP":
                print(f"hayate XDP / {label}: {base / value:.2f}x")


if __name__ == "__main__":
    main()
