"""The servers the benchmark compares, built on tests/system/daemon_harness.py's classes: each one
pinned to a CPU with taskset (every thread it starts inherits the mask), with one worker thread,
and timed from spawn to its first authoritative answer.
"""
from __future__ import annotations

import socket
import struct
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "system"))

from daemon_harness import (BindDaemon, HayateDaemon, KnotDaemon, NsdDaemon,  # noqa: E402
                            UnboundDaemon, Zone, find_binary, minimal_query, udp_exchange)

DNS64_PREFIX = "2001:db8:64::/96"  # network-specific: the zone's A records are RFC 1918
UNBOUND_READY = "www.unbound.test. 300 IN A 192.0.2.80"  # what UnboundDaemon's readiness asks


def connected_exchange(address: str, port: int, wire: bytes, timeout: float) -> bytes | None:
    """One UDP exchange on a connected socket: a port nobody has bound yet answers with ICMP
    port unreachable, which a connected socket reports at once (ECONNREFUSED) where an
    unconnected one waits out the timeout. Start-up is then timed to within the poll interval
    for a server that binds only once its zones are loaded (hayate, Knot), as for one that binds
    first and answers SERVFAIL meanwhile (NSD), not in steps of the timeout."""
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        try:
            s.connect((address, port))
            s.send(wire)
            return s.recv(65535)
        except (socket.timeout, ConnectionRefusedError):
            return None


def authoritative_answer(address: str, port: int, origin: str) -> bool:
    """Whether the server answers the zone's SOA with NOERROR, AA and an answer: a server that
    is up but still loading answers SERVFAIL or REFUSED, which does not count."""
    reply = connected_exchange(address, port, minimal_query(origin, 6)[1], timeout=0.2)
    if not reply or len(reply) < 12:
        return False
    flags, _, ancount = struct.unpack("!HHH", reply[2:8])
    return flags & 0x000F == 0 and flags & 0x0400 and ancount > 0


def probe(address: str, port: int, qname: str, qtype: int, rd: bool) -> dict:
    """One UDP question: {"rcode", "answers", "authority", "aa"}, or {"error": "no answer"}."""
    wire = bytearray(minimal_query(qname, qtype)[1])
    if rd:
        wire[2] |= 0x01  # RD, the high octet's low bit (RFC 1035 §4.1.1)
    reply = udp_exchange(address, port, bytes(wire), timeout=2.0)
    if not reply or len(reply) < 12:
        return {"error": "no answer"}
    flags, _, ancount, nscount = struct.unpack("!HHHH", reply[2:10])
    return {"rcode": flags & 0x000F, "answers": ancount, "authority": nscount,
            "aa": bool(flags & 0x0400)}


# What each kind of server must answer for a zone made by gen_zone.py (probe() fields), so that
# a misconfigured server shows up before its numbers are believed.
EXPECTED = {
    "authoritative": [("host0", 1, {"rcode": 0, "aa": True}, "answers"),
                      ("nx-probe", 1, {"rcode": 3, "aa": True}, None),
                      ("www.host999", 1, {"rcode": 0, "aa": False, "answers": 0}, "authority")],
    "resolver": [("host0", 1, {"rcode": 0}, "answers"), ("nx-probe", 1, {"rcode": 3}, None)],
    "dns64": [("host1", 28, {"rcode": 0}, "answers")],  # host1 has only A: synthesized
}


def check_answers(server, group: str, origin: str, names: int) -> list[str]:
    """The EXPECTED answers of `group` from `server`: a list of what differs (empty: all good)."""
    problems = []
    for label, qtype, want, nonempty in EXPECTED[group]:
        if label == "www.host999" and names < 1000:
            continue  # no delegation in so small a zone
        qname = f"{label}.{origin}"
        got = probe(server.address, server.port, qname, qtype, rd=group != "authoritative")
        if any(got.get(k) != v for k, v in want.items()) or (nonempty and not got.get(nonempty)):
            problems.append(f"{qname} type {qtype}: got {got}, want {want}"
                            + (f" and {nonempty} > 0" if nonempty else ""))
    return problems


def pin_tree(pid: int, cpu: int) -> None:
    """Pins every thread of `pid` and of its child processes to `cpu` again once it is serving:
    Knot sets its UDP thread's affinity itself (to CPU 0 under `taskset -c 1`, beside dnsperf),
    which would make its CPU per query look lower than that of a server kept on its own core."""
    pending = [pid]
    while pending:
        current = pending.pop()
        subprocess.run(["taskset", "-a", "-p", "-c", str(cpu), str(current)],
                       capture_output=True, check=False)
        children = subprocess.run(["pgrep", "-P", str(current)], capture_output=True, text=True)
        pending += [int(child) for child in children.stdout.split()]


def bench_class(cls, cpu: int, start_timeout: float):
    """cls (a daemon_harness server class) pinned to `cpu`, recording `startup_seconds`: the time
    from spawn to its first authoritative answer (servers with zones), or to the harness's
    readiness answer (resolvers)."""

    class Bench(cls):
        def command(self) -> list[str]:
            return ["taskset", "-c", str(cpu)] + super().command()

        def spawn(self) -> None:
            self.spawned_at = time.monotonic()
            super().spawn()

        def wait_ready(self, timeout: float | None = None) -> None:
            deadline = self.spawned_at + start_timeout
            origin = self.zones[0].name if getattr(self, "zones", None) else None
            while origin and not authoritative_answer(self.address, self.port, origin):
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    break  # the harness's wait_ready reports it with the log
                time.sleep(0.01)
            super().wait_ready(max(1.0, deadline - time.monotonic()))
            self.startup_seconds = time.monotonic() - self.spawned_at
            pin_tree(self.proc.pid, cpu)

    Bench.__name__ = f"Bench{cls.__name__}"
    return Bench


def authoritative(name: str, hayate: str, zone: Zone, cpu: int, start_timeout: float):
    """A not yet started authoritative server serving `zone` with one worker."""
    if name == "hayate":
        return bench_class(HayateDaemon, cpu, start_timeout)(
            hayate, [zone], server={"workers": 1}, log_level="warn")
    if name == "nsd":  # server-count 1, rrl-ratelimit 0 (NsdDaemon's config)
        return bench_class(NsdDaemon, cpu, start_timeout)([zone])
    if name == "knot":  # udp-workers 1, tcp-workers 1 (KnotDaemon's config)
        return bench_class(KnotDaemon, cpu, start_timeout)([zone])
    if name == "bind":
        return bench_class(BindDaemon, cpu, start_timeout)([zone], threads=1)
    raise ValueError(name)


def resolver(name: str, hayate: str, origin: str, upstream_port: int, cpu: int,
             start_timeout: float):
    """A not yet started resolver with one thread forwarding `origin` to 127.0.0.1:upstream_port;
    names "hayate-dns64" and "unbound-dns64" also synthesize AAAA (RFC 6147) under
    DNS64_PREFIX for every client."""
    if name.startswith("hayate"):
        config = f'[resolver]\nenable = true\nforward = ["127.0.0.1:{upstream_port}"]\n'
        if name.endswith("dns64"):
            config += (f'\n[[dns64]]\nmode = "dns64"\nprefixes = ["{DNS64_PREFIX}"]\n'
                       'clients = ["0.0.0.0/0", "::/0"]\n')
        return bench_class(HayateDaemon, cpu, start_timeout)(
            hayate, [], server={"workers": 1}, log_level="warn", extra_config=config)
    if name.startswith("unbound"):
        lines = ["msg-cache-size: 256m", "rrset-cache-size: 512m"]
        module = "iterator"
        if name.endswith("dns64"):
            module = "dns64 iterator"
            lines.append(f"dns64-prefix: {DNS64_PREFIX}")
        return bench_class(UnboundDaemon, cpu, start_timeout)(
            [UNBOUND_READY], forward_zones={origin: f"127.0.0.1@{upstream_port}"},
            module_config=module, server_lines=lines)
    raise ValueError(name)


class EchoFloor:
    """bench/echo_floor.cpp pinned to `cpu`: not a DNS server but the socket work alone (a bare
    recvmmsg/sendmmsg echo setting QR), measured beside a group's servers at the same rate so
    that the results say what any server pays per query on this machine before doing any DNS."""

    def __init__(self, binary: str, cpu: int):
        self.binary, self.cpu = binary, cpu
        self.address, self.port, self.proc = "127.0.0.1", 0, None

    def start(self) -> None:
        self.proc = subprocess.Popen(["taskset", "-c", str(self.cpu), self.binary, self.address,
                                      "0"], stdout=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                     text=True)
        line = self.proc.stdout.readline()  # the port, once bound; nothing if it failed
        if not line.strip().isdigit():
            self.cleanup()
            raise RuntimeError(f"{self.binary} did not start (exit {self.proc.returncode})")
        self.port = int(line)
        wire = minimal_query("floor.test.", 1)[1]
        reply = connected_exchange(self.address, self.port, wire, timeout=1.0)
        if not reply or reply[2] & 0x80 == 0:
            self.cleanup()
            raise RuntimeError(f"{self.binary} did not echo on {self.address}:{self.port}")

    def signal(self, signum: int) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signum)

    def cleanup(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
        if self.proc:
            self.proc.wait()
            self.proc.stdout.close()


BINARIES = {"nsd": "nsd", "knot": "knotd", "bind": "named", "unbound": "unbound",
            "unbound-dns64": "unbound"}
VERSION_FLAGS = {"nsd": "-v", "knotd": "-V", "named": "-v", "unbound": "-V", "dnsperf": "-h"}


def installed(name: str) -> bool:
    """Whether a peer's binary is here (hayate always is: it is passed in)."""
    return name.startswith("hayate") or find_binary(BINARIES[name]) is not None


def version(binary: str) -> str:
    """The first line a program prints about its version, "" if it prints none."""
    path = find_binary(binary) or binary
    flag = VERSION_FLAGS.get(Path(binary).name, "--version")
    try:
        proc = subprocess.run([path, flag], capture_output=True, text=True, timeout=10,
                              stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    lines = [line for line in (proc.stdout + proc.stderr).splitlines()
             if any(c.isdigit() for c in line)]
    return lines[0].strip() if lines else ""
