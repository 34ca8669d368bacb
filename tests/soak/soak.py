#!/usr/bin/python3
"""Soak test (issue 9): mixed good and malformed traffic for N minutes against one hayate doing
everything at once, reloaded every 30 seconds; reports crashes, resident memory growth and good
queries left unanswered. Not part of CI (it runs for minutes); run it by hand:

    /usr/bin/python3 tests/soak/soak.py --hayate build/server/hayate \\
        --hayatectl build/server/hayatectl [--minutes 10] [--senders 2] [--json out.json]

What runs, all on loopback:
- upstream: a plain hayate serving upstream.test (A-only names for DNS64, a wildcard so that
  random names fill the resolver's cache, NXDOMAIN for the rest);
- hayate under test: authoritative for example.com with a [[view]] chosen by EDNS Client Subnet,
  a forwarding resolver (upstream.test → the upstream, with a small cache-size so that the cache
  limit is reached), [[dns64]] for clients from 127.0.0.2, [rrl] off (it would drop the flood),
  reloaded (hayatectl reload) every `--reload-every` seconds.
- senders (processes): each keeps a window of good queries in flight from 127.0.0.1 and
  127.0.0.2 (authoritative, ECS, resolver, DNS64 names) and sends malformed packets between them
  (random bytes, cut and bit-flipped good queries, compression loops, bad OPT/ECS) from
  127.0.0.3, as fast as the window lets them. A good query unanswered within 2 s is asked once more; one unanswered
  twice counts as lost.

Exit status: 0 when the daemon survived, answered every good query (at most --max-lost lost)
and its RSS grew by no more than --max-rss-growth-mib after the first minute; 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import select
import socket
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "system"))
import daemon_harness  # noqa: E402
from daemon_harness import HayateDaemon, Zone  # noqa: E402

UPSTREAM_ZONE = """$ORIGIN upstream.test.
$TTL 300
@        SOA  ns hostmaster 1 3600 600 86400 60
         NS   ns
ns       A    127.0.0.1
v4only   A    192.0.2.10
dual     A    192.0.2.11
         AAAA 2001:db8::11
*.wild   A    192.0.2.12
"""

EUROPE_ZONE = """$ORIGIN example.com.
$TTL 3600
@    SOA  ns1 hostmaster 1 7200 900 1209600 300
     NS   ns1
ns1  A    192.0.2.1
web  A    198.51.100.80
"""

CONFIG = """
[[view]]
name = "europe"
match-clients = ["198.51.100.0/24"]

[ecs]
trusted = ["127.0.0.0/8"]

[resolver]
enable = true
allow = ["127.0.0.0/8"]
cache-size = 4194304

[[resolver.forward-zone]]
name = "upstream.test"
forward = ["127.0.0.1:{upstream_port}"]

[[dns64]]
mode = "dns64"
prefixes = ["2001:db8:64::/96"]  # not the well-known prefix: it never embeds 192.0.2.x
clients = ["127.0.0.2/32"]
"""


# ---------------------------------------------------------------------------------------------
# Traffic

def query(qid: int, qname: str, qtype: int, ecs: bytes | None = None, rd: bool = True) -> bytes:
    wire = struct.pack("!HHHHHH", qid, 0x0100 if rd else 0, 1, 0, 0, 1 if ecs is not None else 0)
    for label in qname.rstrip(".").split("."):
        wire += bytes([len(label)]) + label.encode()
    wire += b"\x00" + struct.pack("!HH", qtype, 1)
    if ecs is not None:
        option = struct.pack("!HH", 8, len(ecs)) + ecs
        wire += b"\x00" + struct.pack("!HHIH", 41, 1232, 0, len(option)) + option
    return wire


def good_question(rng: random.Random) -> tuple[str, int, bytes | None]:
    """(qname, qtype, ECS option body or None): a question hayate must answer."""
    pick = rng.randrange(8)
    if pick == 0:
        return "web.example.com", 1, None
    if pick == 1:
        return "www.example.com", 28, None
    if pick == 2:  # ECS from the europe view's subnet, or another one
        subnet = bytes([198, 51, 100]) if rng.random() < 0.5 else bytes([203, 0, 113])
        return "web.example.com", 1, struct.pack("!HBB", 1, 24, 0) + subnet
    if pick == 3:
        return f"r{rng.randrange(10**9)}.example.com", 1, None  # NXDOMAIN
    if pick == 4:
        return "v4only.upstream.test", 28, None  # resolver, DNS64 for 127.0.0.2
    if pick == 5:
        return "dual.upstream.test", 28, None
    if pick == 6:
        return f"n{rng.randrange(10**9)}.wild.upstream.test", 1, None  # fills the cache
    return f"x{rng.randrange(10**9)}.upstream.test", 1, None  # negative cache


def malformed(rng: random.Random) -> bytes:
    """A packet no server should answer normally (or at all)."""
    qname, qtype, ecs = good_question(rng)
    good = query(rng.randrange(65536), qname, qtype, ecs)
    kind = rng.randrange(7)
    if kind == 0:
        return rng.randbytes(rng.randrange(0, 600))
    if kind == 1:
        return good[:rng.randrange(len(good))]
    if kind == 2:
        b = bytearray(good)
        for _ in range(rng.randrange(1, 6)):
            b[rng.randrange(len(b))] ^= 1 << rng.randrange(8)
        return bytes(b)
    if kind == 3:  # a name that points at itself
        return struct.pack("!HHHHHH", rng.randrange(65536), 0x0100, 1, 0, 0, 0) + \
            b"\xc0\x0c\x00\x01\x00\x01"
    if kind == 4:  # ECS option with a bad family or length
        return query(rng.randrange(65536), qname, 1, bytes([0, rng.randrange(3, 255), 33, 0, 1]))
    if kind == 5:  # counts that promise more than there is
        return struct.pack("!HHHHHH", rng.randrange(65536), 0, rng.randrange(65536),
                           rng.randrange(65536), rng.randrange(65536), rng.randrange(65536)) + \
            good[12:]
    return good + rng.randbytes(rng.randrange(1, 40))  # trailing junk


def sender(index: int, address: str, port: int, deadline: float, window: int,
           results: multiprocessing.Queue) -> None:
    """Keeps `window` good queries in flight, with a malformed packet after each one sent."""
    rng = random.Random(index * 7919 + int(time.time()))
    # Good clients on 127.0.0.1 and .2 (DNS64); the garbage from 127.0.0.3, so that it does not
    # use up the good clients' own budgets ([resolver] max-pending-per-client): a flooder's
    # questions count against the flooder.
    sources = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(3)]
    for sock, source in zip(sources, ("127.0.0.1", "127.0.0.2", "127.0.0.3")):
        sock.bind((source, 0))
        sock.setblocking(False)
    pending: dict[tuple[int, int], tuple[float, bytes, int]] = {}  # (socket, id) -> (sent, wire, tries)
    counts = {"good_sent": 0, "good_answered": 0, "good_retried": 0, "good_lost": 0,
              "malformed_sent": 0, "malformed_answered": 0}
    next_id = 1

    def send_good() -> None:
        nonlocal next_id
        which = rng.randrange(2)
        qid = next_id
        next_id = next_id % 65535 + 1
        qname, qtype, ecs = good_question(rng)
        wire = query(qid, qname, qtype, ecs)
        try:
            sources[which].sendto(wire, (address, port))
        except BlockingIOError:
            pass  # counted as sent; the retry or the loss count tells
        pending[(which, qid)] = (time.monotonic(), wire, 1)
        counts["good_sent"] += 1

    while time.monotonic() < deadline or pending:
        now = time.monotonic()
        while now < deadline and len(pending) < window:
            send_good()
            try:
                sources[2].sendto(malformed(rng), (address, port))
                counts["malformed_sent"] += 1
            except BlockingIOError:
                pass
        readable, _, _ = select.select(sources, [], [], 0.05)
        for which, sock in enumerate(sources):
            if sock not in readable:
                continue
            while True:
                try:
                    reply = sock.recv(65535)
                except BlockingIOError:
                    break
                if len(reply) < 12:
                    continue
                key = (which, struct.unpack("!H", reply[:2])[0])
                if key in pending:
                    del pending[key]
                    counts["good_answered"] += 1
                else:
                    counts["malformed_answered"] += 1  # FORMERR and the like
        now = time.monotonic()
        for key, (sent, wire, tries) in list(pending.items()):
            if now - sent < 2.0:
                continue
            if tries == 1:
                pending[key] = (now, wire, 2)
                counts["good_retried"] += 1
                try:
                    sources[key[0]].sendto(wire, (address, port))
                except BlockingIOError:
                    pass
            else:
                del pending[key]
                counts["good_lost"] += 1
    results.put(counts)


# ---------------------------------------------------------------------------------------------
# The daemon

def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hayate", required=True)
    parser.add_argument("--hayatectl", required=True)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--senders", type=int, default=2)
    parser.add_argument("--window", type=int, default=64, help="good queries in flight per sender")
    parser.add_argument("--reload-every", type=float, default=30.0)
    parser.add_argument("--max-lost", type=int, default=0)
    parser.add_argument("--max-rss-growth-mib", type=float, default=16.0,
                        help="allowed RSS growth after the first minute (cache-size is 4 MiB)")
    parser.add_argument("--json", help="write the figures here too")
    parser.add_argument("--daemon-log", help="copy the daemon's whole log here (sanitizer reports)")
    args = parser.parse_args()
    daemon_harness.HAYATE_BINARY = os.path.abspath(args.hayate)
    daemon_harness.HAYATECTL_BINARY = os.path.abspath(args.hayatectl)

    work = Path(tempfile.mkdtemp(prefix="hayate-soak-"))
    (work / "upstream.test.zone").write_text(UPSTREAM_ZONE)
    (work / "example.com.europe.zone").write_text(EUROPE_ZONE)
    upstream = HayateDaemon(None, [Zone("upstream.test.", work / "upstream.test.zone")],
                            server={"workers": 1}, log_level="warn")
    upstream.start()
    server = HayateDaemon(
        None,
        [Zone("example.com.", "example.com.zone"),
         Zone("example.com.", work / "example.com.europe.zone", view="europe")],
        log_level="warn", extra_config=CONFIG.format(upstream_port=upstream.port))
    server.start()
    pid = server.proc.pid
    figures: dict = {"minutes": args.minutes, "senders": args.senders, "window": args.window}
    started = time.monotonic()
    deadline = started + args.minutes * 60
    results: multiprocessing.Queue = multiprocessing.Queue()
    senders = [multiprocessing.Process(target=sender,
                                       args=(i, server.address, server.port, deadline,
                                             args.window, results))
               for i in range(args.senders)]
    for p in senders:
        p.start()
    rss = [(0.0, rss_kib(pid))]
    reloads = {"done": 0, "failed": 0}
    next_reload = started + args.reload_every
    alive = True
    while time.monotonic() < deadline:
        time.sleep(1.0)
        if not server.alive():
            alive = False
            break
        rss.append((time.monotonic() - started, rss_kib(pid)))
        if time.monotonic() >= next_reload:
            next_reload += args.reload_every
            proc = daemon_harness.hayatectl(server, "reload")
            reloads["done" if proc.returncode == 0 else "failed"] += 1
    totals: dict[str, int] = {}
    for p in senders:
        p.join(timeout=30)
    while not results.empty():
        for key, value in results.get().items():
            totals[key] = totals.get(key, 0) + value
    stats = daemon_harness.hayatectl_stats(server) if alive else {}
    exit_code = server.stop()
    upstream.cleanup()
    log = server.log_path.read_text(errors="replace")
    if args.daemon_log:
        Path(args.daemon_log).write_text(log)
    elapsed = time.monotonic() - started

    after_warmup = [kib for t, kib in rss if t >= 60.0] or [rss[-1][1]]
    figures.update(totals)
    figures.update({
        "elapsed_s": round(elapsed, 1),
        "good_qps": round(totals.get("good_sent", 0) / elapsed, 1),
        "malformed_pps": round(totals.get("malformed_sent", 0) / elapsed, 1),
        "reloads": reloads,
        "alive_at_end": alive,
        "exit_code": exit_code,
        "rss_kib_start": rss[1][1] if len(rss) > 1 else rss[0][1],
        "rss_kib_after_1min": after_warmup[0],
        "rss_kib_peak": max(kib for _, kib in rss),
        "rss_kib_end": rss[-1][1],
        "rss_growth_after_1min_mib": round((after_warmup[-1] - after_warmup[0]) / 1024, 1),
        "sanitizer_reports": log.count("ERROR: AddressSanitizer") + log.count("runtime error:"),
        "critical_log_lines": sum(1 for line in log.splitlines() if "[critical]" in line),
        "daemon_stats": {k: v for k, v in stats.items()
                         if k.startswith(("queries.udp", "responses.", "dropped", "resolver.",
                                          "dns64.", "ecs."))},
    })
    print(json.dumps(figures, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n")
    ok = (alive and exit_code == 0 and figures["sanitizer_reports"] == 0
          and totals.get("good_lost", 0) <= args.max_lost and reloads["failed"] == 0
          and figures["rss_growth_after_1min_mib"] <= args.max_rss_growth_mib)
    if not ok:
        print("SOAK FAILED; daemon log tail:\n" + log[-3000:], file=sys.stderr)
    server.cleanup()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
