#!/usr/bin/python3
"""Server CPU time per answered query at a fixed rate: hayate vs Knot DNS (issue 8, measure (a)).

Each server runs with one worker, all its threads pinned to CPU 1 and serves the same generated zone
(bench/gen_zone.py); dnsperf, pinned to CPU 0, sends a fixed mix of questions (hits, AAAA,
NODATA, NXDOMAIN, referrals) at RATE q/s for SECONDS. The server's CPU time is utime+stime of its
whole process (all threads) from /proc/PID/stat before and after, divided by the answers dnsperf
got. Rounds alternate (hayate, knot, hayate, knot, ...) so that load from elsewhere on the
machine hits both alike; medians are printed. With --tcp, dnsperf runs unthrottled over TCP
(pipelined, -m tcp) and queries per second are compared instead.

Usage: bench/cpu_per_query.py HAYATE_BINARY [--rounds N] [--seconds S] [--rate Q] [--names N]
                              [--tcp] [--no-knot] [--p99] [--baseline OTHER_HAYATE_BINARY]
--p99 runs dnsperf with -v and computes the 99th-percentile latency from its per-query lines.
"""

import argparse
import os
import random
import re
import shutil
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "system"))
from daemon_harness import free_port  # noqa: E402  (loopback ports below the ephemeral range)

HERE = Path(__file__).resolve().parent
ORIGIN = "bench.test."
TICK = os.sysconf("SC_CLK_TCK")




def write_queries(path: Path, names: int) -> None:
    rng = random.Random(8)
    lines = []
    for _ in range(20000):
        i = rng.randrange(names)
        kind = rng.random()
        if kind < 0.60:
            lines.append(f"host{i}.{ORIGIN} A")
        elif kind < 0.75:
            lines.append(f"host{i}.{ORIGIN} AAAA")  # an answer on every 4th name, else NODATA
        elif kind < 0.90:
            lines.append(f"nohost{i}.{ORIGIN} A")  # NXDOMAIN
        elif kind < 0.95:
            lines.append(f"www.host{i // 1000 * 1000 + 999}.{ORIGIN} A")  # a referral
        else:
            lines.append(f"host{i}.{ORIGIN} MX")
    path.write_text("\n".join(lines) + "\n")


def ready(port: int) -> bool:
    query = struct.pack(">HHHHHH", 0x1234, 0, 1, 0, 0, 0)
    query += b"".join(bytes([len(p)]) + p.encode() for p in ORIGIN.rstrip(".").split(".")) + b"\0"
    query += struct.pack(">HH", 6, 1)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(0.2)
        try:
            s.sendto(query, ("127.0.0.1", port))
            return s.recv(4096)[:2] == b"\x12\x34"
        except OSError:
            return False


class Server:
    def __init__(self, name: str, command: list[str], port: int, workdir: Path):
        self.name, self.command, self.port, self.workdir = name, command, port, workdir
        self.process = None

    def start(self) -> "Server":
        log = open(self.workdir / f"{self.name}.log", "w")
        self.process = subprocess.Popen(["taskset", "-c", "1"] + self.command, stdout=log,
                                        stderr=subprocess.STDOUT, cwd=self.workdir)
        deadline = time.monotonic() + 60
        while not ready(self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"{self.name} did not start: {(self.workdir / f'{self.name}.log').read_text()}")
            time.sleep(0.1)
        # Knot pins each UDP worker thread to CPU (worker number) itself, which puts its one
        # worker on CPU 0 with dnsperf, where wake-ups cost far less: pin every thread back.
        subprocess.run(["taskset", "-a", "-p", "-c", "1", str(self.process.pid)],
                       stdout=subprocess.DEVNULL, check=True)
        return self

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        # Fields 14 and 15 of proc(5) (utime, stime) are [11] and [12] after the ")": all threads.
        return (int(fields[11]) + int(fields[12])) / TICK

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


def hayate(binary: str, zone: Path, workdir: Path, name: str = "hayate") -> Server:
    port = free_port()
    config = workdir / f"{name}.toml"
    config.write_text(f'[server]\nlisten = ["127.0.0.1:{port}"]\nworkers = 1\n'
                      f'[log]\nlevel = "warn"\n'
                      f'[control]\nsocket = "{workdir}/{name}.sock"\n'
                      f'[[zone]]\nname = "{ORIGIN}"\nfile = "{zone}"\n')
    return Server(name, [binary, "-c", str(config)], port, workdir)


def knot(zone: Path, workdir: Path) -> Server:
    port = free_port()
    config = workdir / "knot.conf"
    config.write_text(f"server:\n  rundir: {workdir}\n  listen: 127.0.0.1@{port}\n"
                      "  udp-workers: 1\n  tcp-workers: 1\n  background-workers: 1\n"
                      f"database:\n  storage: {workdir}/knotdb\n"
                      "log:\n  - target: stderr\n    any: warning\n"
                      f"zone:\n  - domain: {ORIGIN}\n    file: {zone}\n"
                      "    journal-content: none\n    zonefile-sync: -1\n")
    return Server("knot", ["knotd", "-c", str(config)], port, workdir)


def dnsperf(server: Server, queries: Path, args) -> dict:
    command = ["taskset", "-c", "0", "dnsperf", "-s", "127.0.0.1", "-p", str(server.port),
               "-d", str(queries), "-l", str(args.seconds)]
    command += ["-m", "tcp", "-c", "8", "-q", "500"] if args.tcp else ["-Q", str(args.rate)]
    if args.p99:
        command.append("-v")
    before = server.cpu_seconds()
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    cpu = server.cpu_seconds() - before
    completed = int(re.search(r"Queries completed:\s+(\d+)", out).group(1))
    result = {
        "qps": float(re.search(r"Queries per second:\s+([\d.]+)", out).group(1)),
        "us_per_query": cpu / completed * 1e6 if completed else float("nan"),
        "avg_latency_us": float(re.search(r"Average Latency \(s\):\s+([\d.]+)", out).group(1)) * 1e6,
        "lost": int(re.search(r"Queries lost:\s+(\d+)", out).group(1)),
    }
    if args.p99:
        latencies = sorted(float(m) for m in re.findall(r"^> \S+ .* ([\d.]+)$", out, re.M))
        if latencies:
            result["p99_latency_us"] = latencies[int(len(latencies) * 0.99)] * 1e6
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("hayate")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rate", type=int, default=100000)
    parser.add_argument("--names", type=int, default=100000)
    parser.add_argument("--tcp", action="store_true")
    parser.add_argument("--no-knot", action="store_true")
    parser.add_argument("--p99", action="store_true")
    parser.add_argument("--baseline", help="another hayate binary (e.g. before a change), run as 'base'")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="cpu-per-query-"))
    zone = workdir / "bench.test.zone"
    with zone.open("w") as out:
        subprocess.run([sys.executable, str(HERE / "gen_zone.py"), ORIGIN, str(args.names)],
                       stdout=out, check=True)
    queries = workdir / "queries.txt"
    write_queries(queries, args.names)
    servers = [hayate(str(Path(args.hayate).resolve()), zone, workdir)]
    if args.baseline:
        servers.append(hayate(str(Path(args.baseline).resolve()), zone, workdir, "base"))
    if not args.no_knot:
        servers.append(knot(zone, workdir))
    results = {s.name: [] for s in servers}
    try:
        for s in servers:
            s.start()
        for round_ in range(args.rounds):
            for s in servers:
                r = dnsperf(s, queries, args)
                results[s.name].append(r)
                print(f"round {round_ + 1} {s.name:7} " +
                      " ".join(f"{k}={v:.2f}" if isinstance(v, float) else f"{k}={v}"
                               for k, v in r.items()), flush=True)
    finally:
        for s in servers:
            s.stop()
    print("medians:")
    for name, rs in results.items():
        print(f"  {name:7} " + " ".join(f"{k}={statistics.median(r[k] for r in rs):.2f}"
                                        for k in rs[0]))
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
