"""Shared harness for hayate's system tests: start the real daemon (or a peer server) on loopback,
wait until it answers, run dig/kdig with timeouts, parse their output, and clean everything up.

Used by tests/system/test_*.py, which run with Debian's /usr/bin/python3 (dnspython comes from
python3-dnspython; this module itself needs only the standard library).

    from daemon_harness import HayateDaemon, Zone, dig
    with HayateDaemon(hayate_binary, [Zone("example.com.", "zones/example.com.zone")]) as d:
        result = dig(d, "www.example.com", "A")

Every wait has a deadline, every subprocess a timeout, and all traffic goes to 127.0.0.1 or ::1.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import random
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
ZONES_DIR = HERE / "zones"

START_TIMEOUT = 15.0     # seconds for a daemon to answer its first query
STOP_TIMEOUT = 10.0      # seconds between SIGTERM and SIGKILL
TOOL_TIMEOUT = 20.0      # seconds for one dig/kdig run

HAYATE_BINARY: str | None = None  # set by main() from --hayate or $HAYATE_BINARY
HAYATECTL_BINARY: str | None = None  # set by main() from --hayatectl or $HAYATECTL_BINARY


# ---------------------------------------------------------------------------------------------
# Ports and processes

def ephemeral_port_range() -> tuple[int, int]:
    """The range the kernel picks client ports from (ip_local_port_range)."""
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return int(low), int(high)
    except (OSError, ValueError):
        return 32768, 60999


def free_port(address: str = "127.0.0.1") -> int:
    """A port free for both UDP and TCP on `address` right now, below the ephemeral range.

    Not a port the kernel would hand out for bind(port 0): dig sets SO_REUSEPORT on its client
    socket and, as the same user as the daemon, the kernel may give it the daemon's own port as
    its source port; dig then sends its query to itself and reads it back as the answer (seen
    in CI: a "response" without QR, carrying dig's RD and AD)."""
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    low, _ = ephemeral_port_range()
    rng = random.SystemRandom()
    for _ in range(200):
        port = rng.randrange(10000, max(low, 10001))
        tcp = socket.socket(family, socket.SOCK_STREAM)
        udp = socket.socket(family, socket.SOCK_DGRAM)
        try:
            tcp.bind((address, port))
            udp.bind((address, port))
            return port
        except OSError:
            continue
        finally:
            tcp.close()
            udp.close()
    raise RuntimeError("no free port for both UDP and TCP")


def minimal_query(qname: str, qtype: int = 6, qclass: int = 1) -> tuple[int, bytes]:
    """(id, wire) of a plain query, built without dnspython."""
    qid = random.randrange(1, 65536)
    wire = struct.pack("!HHHHHH", qid, 0, 1, 0, 0, 0)
    for label in qname.rstrip(".").split("."):
        if label:
            wire += bytes([len(label)]) + label.encode()
    wire += b"\x00" + struct.pack("!HH", qtype, qclass)
    return qid, wire


def udp_exchange(address: str, port: int, wire: bytes, timeout: float = 1.0) -> bytes | None:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        s.sendto(wire, (address, port))
        try:
            data, _ = s.recvfrom(65535)
            return data
        except (socket.timeout, ConnectionRefusedError):
            return None


def tcp_exchange(address: str, port: int, wire: bytes, timeout: float = 2.0) -> bytes | None:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        try:
            s.connect((address, port))
            s.sendall(struct.pack("!H", len(wire)) + wire)
            length = struct.unpack("!H", recv_exactly(s, 2))[0]
            return recv_exactly(s, length)
        except (OSError, EOFError):
            return None


def recv_exactly(s: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = s.recv(n - len(data))
        if not chunk:
            raise EOFError(f"connection closed after {len(data)} of {n} octets")
        data += chunk
    return data


class ManagedProcess:
    """A server process started in its own session, with its output in a log file; stop() ends
    it (SIGTERM, then SIGKILL after STOP_TIMEOUT) and is safe to call more than once."""

    name = "server"

    def __init__(self, workdir: Path | None = None):
        self._own_workdir = workdir is None
        self.workdir = Path(workdir or tempfile.mkdtemp(prefix=f"{self.name}-systest-"))
        self.log_path = self.workdir / f"{self.name}.log"
        self.proc: subprocess.Popen | None = None
        self.address = "127.0.0.1"
        self.port = 0

    def command(self) -> list[str]:
        raise NotImplementedError

    def readiness_query(self) -> bytes:
        return minimal_query(".", 6)[1]

    def spawn(self) -> None:
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, cwd=self.workdir,
                                         start_new_session=True)

    def wait_ready(self, timeout: float = START_TIMEOUT) -> None:
        """Polls until the server answers over UDP and accepts TCP, or fails with its log."""
        deadline = time.monotonic() + timeout
        query = self.readiness_query()
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode} before "
                                   f"answering:\n{self.log()}")
            if udp_exchange(self.address, self.port, query, timeout=0.2) is not None and \
                    tcp_exchange(self.address, self.port, query, timeout=0.5) is not None:
                return
            time.sleep(0.05)
        raise RuntimeError(f"{self.name} did not answer on {self.address}:{self.port} within "
                           f"{timeout} s:\n{self.log()}")

    def start(self) -> "ManagedProcess":
        self.spawn()
        try:
            self.wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def signal(self, signum: int) -> None:
        if self.alive():
            self.proc.send_signal(signum)

    def stop(self) -> int | None:
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=STOP_TIMEOUT)
        return self.proc.returncode

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-8000:]
        except OSError:
            return "(no log)"

    def cleanup(self) -> None:
        """stop(), then remove the temp dir if this object made it."""
        self.stop()
        if self._own_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            self.cleanup()
            raise

    def __exit__(self, *exc):
        self.cleanup()


# ---------------------------------------------------------------------------------------------
# hayate

@dataclasses.dataclass
class Zone:
    name: str                               # "example.com."
    file: str | Path                        # absolute, or relative to tests/system/zones/
    allow_transfer: list[str] | None = None  # None: the daemon's default
    view: str | None = None                  # hayate [[view]] name; None: the default view

    def path(self) -> Path:
        p = Path(self.file)
        return p if p.is_absolute() else ZONES_DIR / p


def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return json.dumps(str(value))  # a JSON string is a valid TOML basic string


class HayateDaemon(ManagedProcess):
    """hayate with a generated config in its own temp dir, on a free loopback port.

    `server` adds keys to [server] (e.g. {"identity": "ns1", "workers": 2}; a "listen" replaces
    the default one); `log_level` goes to [log], with `log_options` (e.g. {"query-log": True});
    `extra_config` is TOML appended as is (e.g. a [resolver] section). The control socket is
    <workdir>/control.sock (self.control_socket); with `metrics`, the Prometheus page is on
    127.0.0.1:self.metrics_port."""

    name = "hayate"

    def __init__(self, binary: str | None, zones: list[Zone], server: dict | None = None,
                 log_level: str = "info", workdir: Path | None = None, address: str = "127.0.0.1",
                 extra_config: str = "", log_options: dict | None = None, metrics: bool = False):
        self.binary = binary or HAYATE_BINARY
        if not self.binary:
            raise RuntimeError("no hayate binary: pass --hayate PATH or set HAYATE_BINARY")
        super().__init__(workdir)
        self.address = address
        self.port = free_port(address)
        self.zones = zones
        self.server_options = dict(server or {})
        self.log_level = log_level
        self.log_options = dict(log_options or {})
        self.control_socket = self.workdir / "control.sock"
        self.config_path = self.workdir / "hayate.toml"
        self.extra_config = extra_config
        self.metrics_port = free_port() if metrics else None

    def config_text(self) -> str:
        host = f"[{self.address}]" if ":" in self.address else self.address
        # A "listen" in `server` replaces the default one (it should include self.port, which
        # the readiness check uses).
        options = {"listen": [f"{host}:{self.port}"], "workers": 2}
        options.update(self.server_options)
        lines = ["[server]"]
        lines += [f"{key} = {toml_value(value)}" for key, value in options.items()]
        lines += ["", "[log]", f"level = {toml_value(self.log_level)}", 'target = "stderr"']
        lines += [f"{key} = {toml_value(value)}" for key, value in self.log_options.items()]
        lines += ["", "[control]", f"socket = {toml_value(str(self.control_socket))}"]
        if self.metrics_port:
            lines.append(f"metrics-listen = {toml_value(f'127.0.0.1:{self.metrics_port}')}")
        for zone in self.zones:
            lines += ["", "[[zone]]", f"name = {toml_value(zone.name)}",
                      f"file = {toml_value(str(zone.path()))}"]
            if zone.allow_transfer is not None:
                lines.append(f"allow-transfer = {toml_value(zone.allow_transfer)}")
            if zone.view is not None:
                lines.append(f"view = {toml_value(zone.view)}")
        if self.extra_config:
            lines += ["", self.extra_config.strip()]
        return "\n".join(lines) + "\n"

    def write_config(self) -> None:
        self.config_path.write_text(self.config_text())

    def command(self) -> list[str]:
        return [self.binary, "--config", str(self.config_path)]

    def readiness_query(self) -> bytes:
        name = self.zones[0].name if self.zones else "."
        return minimal_query(name, 6)[1]

    def start(self) -> "HayateDaemon":
        self.write_config()
        super().start()
        return self



# ---------------------------------------------------------------------------------------------
# Peer servers serving the same zones (for comparisons and benchmarks)

def find_binary(name: str) -> str | None:
    return shutil.which(name) or next((p for p in (f"/usr/sbin/{name}", f"/usr/local/sbin/{name}")
                                       if os.access(p, os.X_OK)), None)


class KnotDaemon(ManagedProcess):
    """knotd in the foreground with a generated YAML config; rundir and storage in its temp dir.
    Zones whose allow_transfer is not None get an ACL allowing AXFR from those prefixes."""

    name = "knotd"

    def __init__(self, zones: list[Zone], workdir: Path | None = None):
        super().__init__(workdir)
        self.binary = find_binary("knotd")
        self.port = free_port(self.address)
        self.zones = zones
        self.config_path = self.workdir / "knot.conf"

    def readiness_query(self) -> bytes:
        return minimal_query(self.zones[0].name, 6)[1]

    def config_text(self) -> str:
        w = self.workdir
        lines = ["server:", f'    rundir: "{w}"', f"    listen: {self.address}@{self.port}",
                 "    udp-workers: 1", "    tcp-workers: 1", "    background-workers: 1",
                 "database:", f'    storage: "{w}"',
                 "log:", "  - target: stderr", "    any: info",
                 "template:", "  - id: default", f'    storage: "{w}"',
                 "    zonefile-sync: -1", "    zonefile-load: whole", "    journal-content: none",
                 "acl:"]
        acls = []
        for i, zone in enumerate(self.zones):
            if zone.allow_transfer:
                acls.append(f"xfr{i}")
                lines += [f"  - id: xfr{i}", f"    address: [{', '.join(zone.allow_transfer)}]",
                          "    action: transfer"]
        if not acls:
            lines.pop()
        lines.append("zone:")
        for i, zone in enumerate(self.zones):
            lines += [f"  - domain: {zone.name}", f'    file: "{zone.path()}"']
            if f"xfr{i}" in acls:
                lines.append(f"    acl: xfr{i}")
        return "\n".join(lines) + "\n"

    def command(self) -> list[str]:
        return [self.binary, "-c", str(self.config_path)]

    def start(self) -> "KnotDaemon":
        self.config_path.write_text(self.config_text())
        super().start()
        return self


class NsdDaemon(ManagedProcess):
    """nsd -d (foreground) with a generated config: no database, RRL off, files in its temp dir.
    minimal-responses: yes, so that positive answers carry no NS RRset in the authority section
    (hayate's policy, and Knot's)."""

    name = "nsd"

    def __init__(self, zones: list[Zone], workdir: Path | None = None):
        super().__init__(workdir)
        self.binary = find_binary("nsd")
        self.port = free_port(self.address)
        self.zones = zones
        self.config_path = self.workdir / "nsd.conf"

    def readiness_query(self) -> bytes:
        return minimal_query(self.zones[0].name, 6)[1]

    def config_text(self) -> str:
        w = self.workdir
        lines = ["server:", f"    ip-address: {self.address}@{self.port}", f"    port: {self.port}",
                 "    server-count: 1", f'    zonesdir: "{w}"', '    database: ""',
                 f'    pidfile: "{w}/nsd.pid"', f'    zonelistfile: "{w}/zone.list"',
                 f'    xfrdfile: "{w}/xfrd.state"', f'    xfrdir: "{w}"', '    username: ""',
                 '    chroot: ""', "    rrl-ratelimit: 0", "    verbosity: 1",
                 "    do-ip6: no", "    tcp-count: 100", "    minimal-responses: yes",
                 "remote-control:", "    control-enable: no"]
        for zone in self.zones:
            lines += ["zone:", f"    name: {zone.name}", f'    zonefile: "{zone.path()}"']
            for prefix in zone.allow_transfer or []:
                lines.append(f"    provide-xfr: {prefix} NOKEY")
        return "\n".join(lines) + "\n"

    def command(self) -> list[str]:
        return [self.binary, "-d", "-c", str(self.config_path)]

    def start(self) -> "NsdDaemon":
        self.config_path.write_text(self.config_text())
        super().start()
        return self


class BindDaemon(ManagedProcess):
    """BIND's named in the foreground (-g, logging to stderr) with a generated config: an
    authoritative-only server (recursion no), `threads` worker threads (-n), control channel off,
    minimal-responses yes as NsdDaemon; pid and key files in its temp dir."""

    name = "named"

    def __init__(self, zones: list[Zone], workdir: Path | None = None, threads: int = 1):
        super().__init__(workdir)
        self.binary = find_binary("named")
        self.port = free_port(self.address)
        self.zones = zones
        self.threads = threads
        self.config_path = self.workdir / "named.conf"

    def readiness_query(self) -> bytes:
        return minimal_query(self.zones[0].name, 6)[1]

    def config_text(self) -> str:
        w = self.workdir
        lines = ["options {", f'    directory "{w}";', f'    pid-file "{w}/named.pid";',
                 f'    session-keyfile "{w}/session.key";',
                 f'    managed-keys-directory "{w}";',
                 f"    listen-on port {self.port} {{ {self.address}; }};",
                 "    listen-on-v6 { none; };", "    recursion no;", "    minimal-responses yes;",
                 "    dnssec-validation no;", "    notify no;", "};", "controls { };"]
        for zone in self.zones:
            allowed = "".join(f" {prefix};" for prefix in zone.allow_transfer or []) or " none;"
            lines += [f'zone "{zone.name}" {{', "    type primary;",
                      f'    file "{zone.path()}";', f"    allow-transfer {{{allowed} }};", "};"]
        return "\n".join(lines) + "\n"

    def command(self) -> list[str]:
        return [self.binary, "-g", "-4", "-n", str(self.threads), "-c", str(self.config_path)]

    def start(self) -> "BindDaemon":
        self.config_path.write_text(self.config_text())
        super().start()
        return self


class UnboundDaemon(ManagedProcess):
    """Unbound in the foreground with a config in its own temp dir; serves `local_data` itself and
    passes `stub_zones` / `forward_zones` ({name: "addr@port"}) on. DNSSEC validation is off (no
    trust anchor), as the test names are not signed. `module_config` and `server_lines` (extra
    "key: value" lines for the server: clause) set up other modules, e.g. "dns64 iterator"."""

    name = "unbound"

    def __init__(self, local_data: list[str], stub_zones: dict[str, str] | None = None,
                 forward_zones: dict[str, str] | None = None,
                 module_config: str = "iterator", server_lines: list[str] | None = None):
        super().__init__()
        self.port = free_port()
        self.local_data = local_data
        self.stub_zones = stub_zones or {}
        self.forward_zones = forward_zones or {}
        self.config_path = self.workdir / "unbound.conf"
        self.module_config = module_config
        self.server_lines = server_lines or []

    def config_text(self) -> str:
        lines = ["server:", "  interface: 127.0.0.1", f"  port: {self.port}",
                 "  do-daemonize: no", "  use-syslog: no", "  logfile: \"\"", '  chroot: ""',
                 '  username: ""', f'  directory: "{self.workdir}"',
                 f'  pidfile: "{self.workdir / "unbound.pid"}"', "  num-threads: 1",
                 "  do-ip6: no", "  do-not-query-localhost: no",
                 f'  module-config: "{self.module_config}"', "  verbosity: 1",
                 '  local-zone: "test." nodefault']
        lines += [f"  {line}" for line in self.server_lines]
        lines += [f'  local-data: "{rr}"' for rr in self.local_data]
        for name, addr in self.stub_zones.items():
            lines += ["stub-zone:", f'  name: "{name}"', f"  stub-addr: {addr}"]
        for name, addr in self.forward_zones.items():
            lines += ["forward-zone:", f'  name: "{name}"', f"  forward-addr: {addr}"]
        lines += ["remote-control:", "  control-enable: no"]
        return "\n".join(lines) + "\n"

    def command(self) -> list[str]:
        return [find_binary("unbound"), "-d", "-c", str(self.config_path)]

    def readiness_query(self) -> bytes:
        return minimal_query("www.unbound.test.", 1)[1]

    def start(self) -> "UnboundDaemon":
        self.config_path.write_text(self.config_text())
        super().start()
        return self


# ---------------------------------------------------------------------------------------------
# dig / kdig

def run_tool(argv: list[str], timeout: float = TOOL_TIMEOUT) -> subprocess.CompletedProcess:
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


@dataclasses.dataclass
class DigResult:
    """dig's `+noall +answer +authority +additional +comments` output, parsed."""
    text: str
    status: str = ""                   # "NOERROR", "NXDOMAIN", "BADVERS", ...
    opcode: str = ""
    id: int = -1
    flags: set[str] = dataclasses.field(default_factory=set)   # {"qr", "aa", "rd", ...}
    counts: dict[str, int] = dataclasses.field(default_factory=dict)
    edns: dict[str, str] | None = None  # {"version": "0", "flags": "do", "udp": "1232"}
    answer: list[str] = dataclasses.field(default_factory=list)      # normalised RR lines
    authority: list[str] = dataclasses.field(default_factory=list)
    additional: list[str] = dataclasses.field(default_factory=list)  # without the OPT
    warnings: list[str] = dataclasses.field(default_factory=list)

    def section(self, name: str) -> list[str]:
        return getattr(self, name)


HEADER_RE = re.compile(r";; ->>HEADER<<- opcode: (\S+), status: (\S+), id: (\d+)")
FLAGS_RE = re.compile(r";; flags:([^;]*);(.*)")
EDNS_RE = re.compile(r"; EDNS: version: (\d+), flags:([^;]*); udp: (\d+)")
SECTION_RE = re.compile(r";; (ANSWER|AUTHORITY|ADDITIONAL) SECTION:")


def normalise_rr(line: str) -> str:
    """'name.<tab>300<tab>IN<tab>A<tab>192.0.2.1' -> 'name. 300 IN A 192.0.2.1'."""
    return " ".join(line.split())


def parse_dig(text: str) -> DigResult:
    result = DigResult(text=text)
    section = None
    for line in text.splitlines():
        if m := HEADER_RE.search(line):
            result.opcode, result.status, result.id = m.group(1), m.group(2), int(m.group(3))
        elif m := FLAGS_RE.match(line):
            result.flags = set(m.group(1).split())
            for part in m.group(2).split(","):
                if ":" in part:
                    key, value = part.split(":", 1)
                    result.counts[key.strip()] = int(value)
        elif m := EDNS_RE.search(line):
            result.edns = {"version": m.group(1), "flags": m.group(2).strip(), "udp": m.group(3)}
        elif m := SECTION_RE.match(line):
            section = m.group(1).lower()
        elif line.startswith(";; WARNING") or line.startswith(";; Warning"):
            result.warnings.append(line)
        elif not line.strip():
            section = None
        elif line.startswith(";"):
            continue
        elif section is not None:
            result.section(section).append(normalise_rr(line))
    return result


def dig(server: ManagedProcess, qname: str, qtype: str = "A", *options: str,
        qclass: str | None = None, timeout: float = TOOL_TIMEOUT) -> DigResult:
    """dig @server with the given +options; fails the caller on a non-zero exit (dig exits 9
    when no answer came at all)."""
    argv = ["dig", f"@{server.address}", "-p", str(server.port), "+noall", "+answer",
            "+authority", "+additional", "+comments", "+tries=1", "+time=3"]
    argv += list(options)
    if qclass:
        argv += ["-c", qclass]
    argv += ["-q", qname, "-t", qtype]
    proc = run_tool(argv, timeout=timeout)
    if proc.returncode != 0:
        raise AssertionError(f"{' '.join(argv)} exited {proc.returncode}:\n{proc.stdout}"
                             f"{proc.stderr}")
    return parse_dig(proc.stdout)


def kdig_json_all(server: ManagedProcess, *args: str, timeout: float = TOOL_TIMEOUT) -> list[dict]:
    """kdig +json (RFC 8427 objects) with free-form arguments (several queries allowed): the
    decoded JSON object of each response, in order."""
    argv = ["kdig", f"@{server.address}", "-p", str(server.port), "+json", "+retry=0",
            "+timeout=3"] + list(args)
    proc = run_tool(argv, timeout=timeout)
    if proc.returncode != 0:
        raise AssertionError(f"{' '.join(argv)} exited {proc.returncode}:\n{proc.stdout}"
                             f"{proc.stderr}")
    decoder = json.JSONDecoder()
    objects, pos, text = [], 0, proc.stdout
    while (start := text.find("{", pos)) >= 0:
        obj, pos = decoder.raw_decode(text, start)
        objects.append(obj)
    if not objects:
        raise AssertionError(f"{' '.join(argv)}: no JSON in output:\n{proc.stdout}{proc.stderr}")
    return objects


def kdig_json(server: ManagedProcess, qname: str, qtype: str = "A", *options: str,
              qclass: str | None = None, timeout: float = TOOL_TIMEOUT) -> dict:
    """kdig +json for one question: the decoded response."""
    args = list(options) + (["-c", qclass] if qclass else []) + ["-q", qname, "-t", qtype]
    return kdig_json_all(server, *args, timeout=timeout)[-1]


def kdig_rrs(response: dict, section: str) -> list[str]:
    """'name TTL CLASS TYPE hexrdata'-free view of a kdig JSON section ("answerRRs",
    "authorityRRs", "additionalRRs"), OPT left out: 'owner TTL TYPE rdata-text' lines."""
    lines = []
    for rr in response.get(section, []):
        if rr["TYPEname"] == "OPT":
            continue
        text = rr.get(f"rdata{rr['TYPEname']}", "\\# " + rr.get("RDATAHEX", ""))
        lines.append(f"{rr['NAME']} {rr['TTL']} {rr['TYPEname']} {text}")
    return lines


# ---------------------------------------------------------------------------------------------
# hayatectl

def hayatectl(daemon: HayateDaemon, *args: str) -> subprocess.CompletedProcess:
    """hayatectl -s <the daemon's control socket> ARGS."""
    if not HAYATECTL_BINARY:
        raise RuntimeError("no hayatectl binary: pass --hayatectl PATH or set HAYATECTL_BINARY")
    return subprocess.run([HAYATECTL_BINARY, "-s", str(daemon.control_socket), *args],
                          capture_output=True, text=True, timeout=30)


def hayatectl_stats(daemon: HayateDaemon) -> dict[str, int]:
    """`hayatectl stats` as {"resolver.upstream-queries": 3, ...}."""
    values = {}
    for line in hayatectl(daemon, "stats").stdout.splitlines():
        if "=" in line:
            key, value = line.split("=", 1)
            values[key.strip()] = int(value)
    return values


def without_ttl(lines: list[str]) -> list[str]:
    """'owner TTL IN TYPE rdata' -> 'owner IN TYPE rdata', sorted: answers compared across
    servers and cache states, whose TTLs differ."""
    return sorted(" ".join(line.split()[:1] + line.split()[2:]) for line in lines)


# ---------------------------------------------------------------------------------------------
# Entry point shared by the test files

SKIP_EXIT = 77  # ctest's SKIP_RETURN_CODE for the tests that need root


def enter_private_namespace(script: str) -> None:
    """Re-executes `script` (the caller's __file__) in a new network namespace (once), with its
    loopback up; exits SKIP_EXIT when not root or without unshare(1)."""
    if os.environ.get("HAYATE_TEST_NETNS") == "1":
        subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
        return
    if os.geteuid() != 0 or not shutil.which("unshare"):
        print("SKIPPED: needs root and unshare(1) for a private network namespace with port 53",
              file=sys.stderr)
        sys.exit(SKIP_EXIT)
    env = dict(os.environ, HAYATE_TEST_NETNS="1")
    argv = ["unshare", "-n", "--", sys.executable, os.path.abspath(script)] + sys.argv[1:]
    sys.exit(subprocess.run(argv, env=env).returncode)


def main() -> None:
    """unittest.main() with `--hayate PATH` (or $HAYATE_BINARY) and the optional
    `--hayatectl PATH` (or $HAYATECTL_BINARY) taken off the command line."""
    global HAYATE_BINARY, HAYATECTL_BINARY
    parser = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    parser.add_argument("--hayate", default=os.environ.get("HAYATE_BINARY"))
    parser.add_argument("--hayatectl", default=os.environ.get("HAYATECTL_BINARY"))
    known, rest = parser.parse_known_args()
    HAYATE_BINARY = os.path.abspath(known.hayate) if known.hayate else None
    if not HAYATE_BINARY or not os.access(HAYATE_BINARY, os.X_OK):
        sys.exit(f"{sys.argv[0]}: hayate binary not found: pass --hayate PATH "
                 f"(got {HAYATE_BINARY!r})")
    HAYATECTL_BINARY = os.path.abspath(known.hayatectl) if known.hayatectl else None
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)
