"""Replies per second over a veth pair between two network namespaces, one load generator and
one server, each on a CPU of its own: hayate's XDP path, hayate's socket path, NSD, and Knot DNS
in its own XDP mode, with the same zone and the same query file, in one run.

    sudo /usr/bin/python3 bench/xdp_veth_bench.py --hayate build/server/hayate \\
        --hayatectl build/server/hayatectl --xdp-pass build/bpf/xdp_pass.bpf.o \\
        [--seconds 5] [--qps 2000000] [--batch 10] [--no-threaded-napi]

The load generator is Knot's kxdpgun (knot-dnsutils; AF_XDP, pinned to CPU 0); servers run
pinned to CPU 1. kxdpgun's own XDP program on the client end takes the XDP_TX replies.

Where the packets are processed: a veth end runs its receive side (its XDP program, and the
kernel's IP and UDP layers for the socket servers) in the softirq of the CPU that sent to it,
so by default the server's share of the work lands on the generator's CPU 0. With threaded NAPI
(the default here) each end polls in a kernel thread of its own, pinned: the server's end (vs)
to CPU 1, the client's end (vc) to CPU 0. A veth end polls with NAPI only with an XDP program
attached, so the socket servers get an XDP_PASS program on vs (--xdp-pass). The CPU time each
CPU spent during the run is printed beside the replies (from /proc/stat, other users of the
machine included): a CPU near 100% is the limit.

Not a test: prints a table and the ratios. Needs root.
"""

from __future__ import annotations

import argparse
import json
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


SERVER_CPU, CLIENT_CPU = 1, 0
NAPI_PIDS: dict[str, list[int]] = {}
CPU_PER_ANSWER: dict[str, float | None] = {}  # server CPU seconds per answer, by case  # the poll threads napi_threads() pinned, by device


def in_server_ns(ns: test_xdp.Namespaces, argv: list[str]) -> list[str]:
    return ["ip", "netns", "exec", ns.server, "taskset", "-c", str(SERVER_CPU)] + argv


def napi_pids(dev: str) -> set[str]:
    pids = set()
    for pid in os.listdir("/proc"):
        try:
            if pid.isdigit() and Path(f"/proc/{pid}/comm").read_text().startswith(f"napi/{dev}-"):
                pids.add(pid)
        except OSError:
            pass
    return pids


def process_tree(pid: int) -> list[int]:
    """`pid` and its descendants (NSD and Knot fork workers)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                todo += [int(c) for c in Path(f"/proc/{p}/task/{task}/children").read_text().split()]
        except OSError:
            pass
    return out


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes (all their threads), in seconds."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except (OSError, IndexError, ValueError):
            pass
    return total / os.sysconf("SC_CLK_TCK")


def napi_threads(ns_name: str, dev: str, cpu: int) -> bool:
    """Threaded NAPI for one veth end, its poll thread pinned to `cpu`. False while the end has
    no NAPI yet (no XDP program attached). The thread (napi/<dev>-<napi id>) is told from other
    namespaces' ends of the same name by being the one that appears."""
    before = napi_pids(dev)
    r = subprocess.run(["ip", "netns", "exec", ns_name, "sh", "-c",
                        f"echo 1 > /sys/class/net/{dev}/threaded"], capture_output=True)
    if r.returncode != 0:
        return False
    deadline = time.monotonic() + 2
    while not (new := napi_pids(dev) - before):
        if time.monotonic() > deadline:
            raise RuntimeError(f"no NAPI thread appeared for {dev} in {ns_name}")
        time.sleep(0.01)
    for pid in new:
        subprocess.run(["taskset", "-p", "-c", str(cpu), pid], check=True, capture_output=True)
    NAPI_PIDS[dev] = [int(p) for p in new]
    return True


def cpu_times() -> list[tuple[int, int]]:
    """(busy, total) jiffies per CPU from /proc/stat."""
    out = []
    for line in Path("/proc/stat").read_text().splitlines():
        if line.startswith("cpu") and line[3].isdigit():
            v = [int(x) for x in line.split()[1:]]
            idle = v[3] + v[4]
            out.append((sum(v) - idle, sum(v)))
    return out


def server_end_sent(ns_name: str) -> int:
    """Frames the server's end (vs) sent toward the generator, delivered or dropped on the way
    (tx_dropped: the client end's ring was full, its poll thread behind): what the server
    answered, however many of the answers the generator's CPU could take in."""
    total = 0
    for counter in ("tx_packets", "tx_dropped"):
        total += int(subprocess.run(["ip", "netns", "exec", ns_name, "cat",
                                     f"/sys/class/net/vs/statistics/{counter}"],
                                    capture_output=True, text=True, check=True).stdout)
    return total


def prog_stats(name: str) -> tuple[int, int]:
    """run_time_ns, run_cnt of the loaded XDP program called `name` (BPF_ENABLE_STATS on)."""
    out = subprocess.run(["bpftool", "-j", "prog", "show"], capture_output=True, text=True)
    for prog in json.loads(out.stdout or "[]"):
        if prog.get("name") == name:
            return prog.get("run_time_ns", 0), prog.get("run_cnt", 0)
    return 0, 0


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


def run_case(label: str, make, args, query_file: Path) -> float | None:
    ns = test_xdp.Namespaces()
    server = None
    stats_fd = None
    try:
        ns.create(peer_xdp=False)
        server = make(ns)
        hayate_xdp = isinstance(server, Hayate) and server.extra_config
        if args.threaded_napi and not hayate_xdp and not isinstance(server, KnotXdp):
            # The socket servers' end needs an XDP program of its own to poll with NAPI.
            subprocess.run(["ip", "-n", ns.server, "link", "set", "dev", "vs", "xdp", "obj",
                            args.xdp_pass, "sec", "xdp"], check=True, capture_output=True)
        server.start()
        warm_up(server)
        if hayate_xdp:
            deadline = time.monotonic() + 10
            while int(server.xdp()["hot-answers"]) < len(QUERIES) and time.monotonic() < deadline:
                warm_up(server)
                time.sleep(0.2)
        command = ["ip", "netns", "exec", ns.client, "kxdpgun", "-t", str(args.seconds), "-Q",
                   str(args.qps), "-b", str(args.batch), "-F", str(CLIENT_CPU), "-i",
                   str(query_file), SERVER]
        generator = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True)
        if args.threaded_napi:
            if not napi_threads(ns.server, "vs", SERVER_CPU):
                raise RuntimeError("vs does not poll with NAPI (no XDP program on it?)")
            # kxdpgun attaches its program to vc when it starts: only then does vc poll.
            deadline = time.monotonic() + 5
            while not napi_threads(ns.client, "vc", CLIENT_CPU):
                if time.monotonic() > deadline:
                    raise RuntimeError("vc does not poll with NAPI")
                time.sleep(0.01)
        if hayate_xdp:
            stats_fd = open("/proc/sys/kernel/bpf_stats_enabled", "w")
            stats_fd.write("1")
            stats_fd.flush()
            stats_before = prog_stats("hayate_xdp")
        # The server's CPU time: its processes, and the poll thread of its veth end (where
        # hayate's XDP program runs, and the kernel's UDP receive for the socket servers).
        server_pids = process_tree(server.proc.pid) + NAPI_PIDS.get("vs", [])
        cpu_before = cpu_seconds(server_pids)
        times_before = cpu_times()
        sent_before = server_end_sent(ns.server)
        stdout, stderr = generator.communicate(timeout=args.seconds + 30)
        answered = (server_end_sent(ns.server) - sent_before) / args.seconds
        server_cpu = cpu_seconds(server_pids) - cpu_before
        times_after = cpu_times()
        m = re.search(r"total replies:\s+(\d+) \((\d+) pps\)", stdout)
        sent = re.search(r"total queries:\s+(\d+) \((\d+) pps\)", stdout)
        if not m:
            print(f"{label}: no result\n{stdout}\n{stderr}", file=sys.stderr)
            return None
        busy = []
        for cpu in (CLIENT_CPU, SERVER_CPU):
            b = times_after[cpu][0] - times_before[cpu][0]
            t = times_after[cpu][1] - times_before[cpu][1]
            busy.append(f"cpu{cpu} {100 * b / max(t, 1):3.0f}%")
        extra = ""
        if hayate_xdp:
            s = server.xdp()
            extra = f"  (kernel hits {s['hit']}, misses {s['miss']}"
            run_ns, runs = (a - b for a, b in zip(prog_stats("hayate_xdp"), stats_before))
            if runs:
                extra += f"; program {run_ns / runs:.0f} ns per packet (bpf_stats)"
            extra += ")"
        print(f"{label:<16} {int(m.group(2)):>9} replies/s  sent {int(sent.group(2)):>9} "
              f"queries/s  server end sent {answered:>9.0f}/s", flush=True)
        per_answer = ""
        if args.threaded_napi and answered > 0:
            per_answer = (f"server CPU {server_cpu:.2f} s, "
                          f"{server_cpu * 1e9 / (answered * args.seconds):.0f} ns per answer; ")
        print(f"{'':<16} {per_answer}{' '.join(busy)}{extra}", flush=True)
        CPU_PER_ANSWER[label] = (server_cpu / (answered * args.seconds)
                                 if args.threaded_napi and answered > 0 else None)
        return float(m.group(2))
    except Exception as e:  # a peer that will not start: report and go on
        print(f"{label}: {e}", file=sys.stderr)
        return None
    finally:
        if stats_fd is not None:
            stats_fd.write("0")
            stats_fd.close()
        if server is not None:
            server.cleanup()
        ns.remove()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hayate", required=True)
    parser.add_argument("--hayatectl", required=True)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--qps", type=int, default=2000000)
    parser.add_argument("--batch", type=int, default=10, help="kxdpgun's queries per batch")
    parser.add_argument("--xdp-pass", default="build/bpf/xdp_pass.bpf.o",
                        help="an XDP_PASS object, so that the socket servers' veth end polls")
    parser.add_argument("--no-threaded-napi", dest="threaded_napi", action="store_false",
                        help="leave each veth end's receive side in the sender's softirq")
    args = parser.parse_args()
    daemon_harness.HAYATE_BINARY = os.path.abspath(args.hayate)
    test_xdp.HAYATECTL = os.path.abspath(args.hayatectl)
    args.xdp_pass = os.path.abspath(args.xdp_pass)
    query_file = Path(tempfile.mkdtemp(prefix="xdp-bench-")) / "queries.txt"
    query_file.write_text("".join(f"{n} {t}\n" for n, t, _ in QUERIES))
    napi = ("threaded NAPI: vs polled on CPU 1, vc on CPU 0" if args.threaded_napi else
            "veth receive in the sender's softirq")
    print(f"kxdpgun -t {args.seconds} -Q {args.qps} -b {args.batch} (CPU 0), servers on CPU 1, "
          f"{napi}, {len(QUERIES)} questions; load average {os.getloadavg()[0]:.1f}\n")
    cases = [("hayate XDP", lambda ns: Hayate(ns, True)),
             ("hayate sockets", lambda ns: Hayate(ns, False)),
             ("NSD", Nsd), ("Knot DNS XDP", KnotXdp)]
    results = {label: run_case(label, make, args, query_file) for label, make in cases}
    base = results["hayate XDP"]
    if base:
        print()
        for label, value in results.items():
            if value and label != "hayate XDP":
                print(f"hayate XDP / {label}: {base / value:.2f}x replies")
    # Capacity, whatever the generator managed to offer: answers per second of server CPU.
    mine = CPU_PER_ANSWER.get("hayate XDP")
    if mine:
        print()
        for label, cost in CPU_PER_ANSWER.items():
            if cost and label != "hayate XDP":
                print(f"hayate XDP / {label}: {cost / mine:.2f}x answers per server CPU second")


if __name__ == "__main__":
    main()
