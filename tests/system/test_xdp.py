"""End to end: hayate with its XDP program attached to one end of a veth pair, clients in another
network namespace; both namespaces are created by this test and always removed.

    server netns  hy-s-<pid>:  vs  10.77.0.1/24, 10.78.0.1/24, fd77::1/64   (hayate, XDP on vs)
    client netns  hy-c-<pid>:  vc  10.77.0.2/24, 10.78.0.2/24, fd77::2/64   (XDP_PASS on vc: a
                                                                              veth end needs one
                                                                              to take XDP_TX)
The test's own thread moves into the client namespace (setns), so the harness's UDP/TCP probes,
dnspython, dig and kdig all run from there. Checked, in native and in generic mode: hot questions
are answered by the kernel (its hit counter rises, user space's query counter does not, the reply
is what user space sends over TCP, 0x20 case kept); other questions by user space; a flood from one
/24 is dropped while another /24 is answered; after the daemon stops, no XDP program is attached.

Needs root (network namespaces, BPF); exits 77 (ctest: skipped) with the reason otherwise.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import daemon_harness  # noqa: E402
from daemon_harness import HayateDaemon, Zone  # noqa: E402

import dns.exception  # noqa: E402
import dns.flags  # noqa: E402
import dns.message  # noqa: E402
import dns.query  # noqa: E402
import dns.rdatatype  # noqa: E402

HAYATECTL: str = ""
XDP_PASS_OBJECT: str = ""
SKIP = 77
CLONE_NEWNET = 0x40000000
SERVER = "10.77.0.1"
FLOOD_SOURCE = "10.77.0.2"  # the flood comes from this /24 ...
GOOD_SOURCE = "10.78.0.2"   # ... and this one is not part of it
SERVER_GOOD = "10.78.0.1"
DEADLINE = 15.0

_libc = ctypes.CDLL("libc.so.6", use_errno=True)


def run(*argv: str) -> subprocess.CompletedProcess:
    r = subprocess.run(list(argv), capture_output=True, text=True, timeout=30)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)}: {r.stderr.strip()}")
    return r


def setns(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        if _libc.setns(fd, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), f"setns {path}")
    finally:
        os.close(fd)


class Namespaces:
    """The two namespaces and the veth pair; remove() always runs (deleting a namespace deletes
    its veth end and with it the pair)."""

    def __init__(self):
        self.server = f"hy-s-{os.getpid()}"
        self.client = f"hy-c-{os.getpid()}"
        self.made: list[str] = []
        self.home = os.open("/proc/self/ns/net", os.O_RDONLY)

    def create(self, peer_xdp: bool = True) -> None:
        for ns in (self.server, self.client):
            run("ip", "netns", "add", ns)
            self.made.append(ns)
        run("ip", "link", "add", "vs", "netns", self.server, "type", "veth", "peer", "name", "vc",
            "netns", self.client)
        for ns, dev, host in ((self.server, "vs", 1), (self.client, "vc", 2)):
            run("ip", "-n", ns, "addr", "add", f"10.77.0.{host}/24", "dev", dev)
            run("ip", "-n", ns, "addr", "add", f"10.78.0.{host}/24", "dev", dev)
            run("ip", "-n", ns, "addr", "add", f"fd77::{host}/64", "dev", dev, "nodad")
            run("ip", "-n", ns, "link", "set", "lo", "up")
            run("ip", "-n", ns, "link", "set", dev, "up")
        # A server address hayate does not listen on: the kernel must not answer for it.
        run("ip", "-n", self.server, "addr", "add", "10.77.0.3/24", "dev", "vs")
        if peer_xdp:
            run("ip", "-n", self.client, "link", "set", "dev", "vc", "xdp", "obj",
                XDP_PASS_OBJECT, "sec", "xdp")
        setns(f"/run/netns/{self.client}")

    def remove(self) -> None:
        if _libc.setns(self.home, CLONE_NEWNET) != 0:
            print("warning: could not return to the original network namespace", file=sys.stderr)
        for ns in self.made:
            subprocess.run(["ip", "netns", "del", ns], capture_output=True, timeout=30)
        self.made.clear()

    def xdp_attached(self) -> bool:
        out = run("ip", "-n", self.server, "-d", "link", "show", "dev", "vs").stdout
        return "prog/xdp" in out


class XdpDaemon(HayateDaemon):
    """hayate inside the server namespace, on port 53 of SERVER, with [xdp] on vs."""

    def __init__(self, namespaces: Namespaces, mode: str, xdp_options: str = ""):
        zones = [Zone("example.com.", "example.com.zone")]
        extra = (f'[xdp]\nenable = true\ninterfaces = ["vs"]\nmode = "{mode}"\npin-path = ""\n'
                 + xdp_options)
        super().__init__(None, zones, server={"workers": 1}, extra_config=extra)
        self.namespaces = namespaces
        self.address = SERVER
        self.port = 53

    def config_text(self) -> str:
        text = super().config_text()
        # Both server addresses: the flood and the good client talk to different ones.
        text = text.replace(f'listen = ["{SERVER}:53"]',
                            f'listen = ["{SERVER}:53", "{SERVER_GOOD}:53", "[fd77::1]:53"]')
        return text.replace("[control]\n", f'[control]\nmetrics-listen = "{SERVER_GOOD}:9153"\n')

    def command(self) -> list[str]:
        return ["ip", "netns", "exec", self.namespaces.server] + super().command()

    def ctl(self, *args: str) -> dict[str, str]:
        out = run(HAYATECTL, "-s", str(self.control_socket), *args).stdout
        values = {}
        for line in out.splitlines():
            if "=" in line and " " not in line.split("=")[0]:
                key, value = line.split("=", 1)
                values[key] = value
            else:
                values[line] = ""
        return values

    def xdp(self) -> dict[str, str]:
        return self.ctl("xdp", "status")

    def udp_queries(self) -> int:
        return int(self.ctl("stats")["queries.udp"])


def query(qname: str, qtype: str = "A", source: str = GOOD_SOURCE, server: str = SERVER_GOOD,
          edns: bool = False, tcp: bool = False) -> dns.message.Message:
    q = dns.message.make_query(qname, qtype, use_edns=0 if edns else False)
    q.flags &= ~dns.flags.RD
    if tcp:
        return dns.query.tcp(q, server, timeout=2, source=source)
    return dns.query.udp(q, server, timeout=2, source=source, ignore_unexpected=True)


def wait_until(condition, what: str, timeout: float = DEADLINE) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


class XdpEndToEnd(unittest.TestCase):
    namespaces: Namespaces

    @classmethod
    def setUpClass(cls):
        cls.namespaces = Namespaces()
        try:
            cls.namespaces.create()
        except BaseException:
            cls.namespaces.remove()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.namespaces.remove()

    def make_hot(self, d: XdpDaemon, qname: str, qtype: str = "A", edns: bool = False) -> None:
        """Asks until the publisher has put the answer in the kernel's map."""
        def published():
            query(qname, qtype, edns=edns)
            return int(d.xdp()["hot-answers"]) >= 1
        wait_until(published, f"{qname} to be published")

    def check_fast_path(self, mode: str) -> None:
        with XdpDaemon(self.namespaces, mode) as d:
            status = d.xdp()
            self.assertIn(f"interface vs mode={mode}", status)
            self.assertTrue(self.namespaces.xdp_attached())
            self.make_hot(d, "www.example.com.")
            expected = query("www.example.com.", tcp=True)  # TCP: always user space

            hits, user = int(d.xdp()["hit"]), d.udp_queries()
            for i in range(20):
                name = "WwW.ExAmPlE.cOm." if i % 2 else "www.example.com."
                r = query(name)
                self.assertEqual(r.question[0].name.to_text(), name)  # 0x20 case kept
                self.assertEqual(r.answer, expected.answer)
                self.assertEqual(r.rcode(), 0)
                self.assertTrue(r.flags & dns.flags.AA)
            self.assertEqual(int(d.xdp()["hit"]) - hits, 20)
            self.assertEqual(d.udp_queries(), user, "user space saw queries the kernel answered")

            # dig and kdig from the client namespace (no cookie: an EDNS option goes to user
            # space, and dig sends one by default).
            for tool in (["dig", "+nocookie", "+tries=1"], ["kdig", "+retry=0"]):
                out = run(*tool, "+time=2", "-b", GOOD_SOURCE, f"@{SERVER_GOOD}",
                          "www.example.com", "A", "+norecurse", "+noedns").stdout
                self.assertRegex(out, r"web\.example\.com\.\s+3600\s+IN\s+A\s+192\.0\.2\.80")
            self.assertEqual(d.udp_queries(), user)

            # An address of the server's that hayate does not listen on: no answer at all.
            with self.assertRaises(dns.exception.Timeout):
                query("www.example.com.", server="10.77.0.3")
            self.assertEqual(d.udp_queries(), user)

            # A question that is not hot: user space answers, the kernel counts a miss.
            misses = int(d.xdp()["miss"])
            r = query("mail.example.com.", "A")
            self.assertEqual(r.answer[0].to_text(), "mail.example.com. 3600 IN A 192.0.2.25")
            self.assertEqual(d.udp_queries(), user + 1)
            self.assertEqual(int(d.xdp()["miss"]), misses + 1)

            # IPv6 hits too (the UDP checksum is mandatory there; the kernel drops a bad one).
            def v6_hit():
                r6 = query("www.example.com.", source="fd77::2", server="fd77::1")
                return r6.answer == expected.answer and int(d.xdp()["hit"]) > hits + 20
            wait_until(v6_hit, "an IPv6 answer from the kernel")

            # The metrics page and hayatectl xdp flush. The publisher drops entries whose score
            # decays (a slow ASan run can take seconds to get here), so the name is kept hot by
            # asking it while waiting for the page to show it.
            def metrics_page() -> str:
                return urllib.request.urlopen(f"http://{SERVER_GOOD}:9153/metrics",
                                              timeout=5).read().decode()

            def page_shows_hot_answer() -> bool:
                query("www.example.com.")
                return re.search(r"(?m)^hayate_xdp_hot_answers [1-9]", metrics_page()) is not None
            wait_until(page_shows_hot_answer, "hayate_xdp_hot_answers > 0 on the metrics page")
            metrics = metrics_page()
            m = re.search(r'^hayate_xdp_packets_total\{action="hit"\} (\d+)$', metrics, re.M)
            self.assertIsNotNone(m, metrics[-2000:])
            self.assertGreaterEqual(int(m.group(1)), hits + 20)
            flushed = d.ctl("xdp", "flush")
            self.assertTrue(any(k.startswith("flushed ") for k in flushed), flushed)
            self.assertEqual(d.xdp()["hot-answers"], "0")
        self.assertFalse(self.namespaces.xdp_attached(), "program still attached after stop")

    def test_native_mode(self):
        self.check_fast_path("native")

    def test_generic_mode(self):
        self.check_fast_path("generic")

    def test_restart_reuses_the_pinned_hot_answer_map(self):
        # `ip netns exec` gives the daemon a fresh /sys: a bpffs of our own, outside /sys.
        pin_root = f"/tmp/hayate-systest-bpffs-{os.getpid()}"
        os.makedirs(pin_root, exist_ok=True)
        run("mount", "-t", "bpf", "bpf", pin_root)
        options = "hot-answers = 16\n"
        try:
            first = XdpDaemon(self.namespaces, "native", options)
            first.extra_config = first.extra_config.replace('pin-path = ""',
                                                            f'pin-path = "{pin_root}"')
            with first as d:
                self.make_hot(d, "www.example.com.")
                pin_dir = d.xdp()["pin-dir"]
                self.assertTrue(pin_dir.startswith(pin_root + "/abi"), pin_dir)
            self.assertTrue(Path(pin_dir, "hot_answers").exists())
            second = XdpDaemon(self.namespaces, "native", options)
            second.extra_config = first.extra_config
            with second as d:
                # Published again from the pinned map before anyone asked this run.
                status = d.xdp()
                self.assertGreaterEqual(int(status["hot-answers"]), 1, status)
                hits, user = int(status["hit"]), d.udp_queries()
                r = query("www.example.com.")
                self.assertEqual(r.rcode(), 0)
                self.assertEqual(int(d.xdp()["hit"]), hits + 1)
                self.assertEqual(d.udp_queries(), user)
        finally:
            subprocess.run(["umount", pin_root], timeout=30)
            os.rmdir(pin_root)

    def test_flood_from_one_prefix_is_dropped_and_others_are_answered(self):
        options = "rate-limit = 50\nrate-burst = 50\nslip = 0\n"
        with XdpDaemon(self.namespaces, "native", options) as d:
            self.make_hot(d, "www.example.com.")
            flood = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            flood.bind((FLOOD_SOURCE, 0))
            flood.setblocking(False)
            wire = dns.message.make_query("www.example.com.", "A", use_edns=False).to_wire()
            sent = 0
            for _ in range(3000):
                try:
                    flood.sendto(wire, (SERVER, 53))
                    sent += 1
                except BlockingIOError:
                    time.sleep(0.001)
            answered = 0
            flood.settimeout(0.5)
            try:
                while True:
                    flood.recvfrom(4096)
                    answered += 1
            except socket.timeout:
                pass
            flood.close()
            status = d.xdp()
            dropped = int(status["drop_rate"])
            # At most the burst (per CPU) plus the rate for the time the flood took gets through.
            self.assertGreater(dropped, sent // 2, status)
            self.assertEqual(answered + dropped, sent, status)
            for _ in range(5):  # another /24 still has its whole budget
                self.assertEqual(query("www.example.com.").rcode(), 0)


def main() -> None:
    global HAYATECTL, XDP_PASS_OBJECT
    parser = argparse.ArgumentParser()
    parser.add_argument("--hayate", required=True)
    parser.add_argument("--hayatectl", required=True)
    parser.add_argument("--xdp-pass", required=True)
    args, rest = parser.parse_known_args()
    daemon_harness.HAYATE_BINARY = os.path.abspath(args.hayate)
    HAYATECTL = os.path.abspath(args.hayatectl)
    XDP_PASS_OBJECT = os.path.abspath(args.xdp_pass)
    if os.geteuid() != 0:
        print("SKIPPED: needs root for network namespaces and BPF", file=sys.stderr)
        sys.exit(SKIP)
    probe = subprocess.run(["ip", "netns", "add", f"hy-probe-{os.getpid()}"],
                           capture_output=True, text=True)
    if probe.returncode != 0:
        print(f"SKIPPED: cannot create network namespaces: {probe.stderr.strip()}",
              file=sys.stderr)
        sys.exit(SKIP)
    subprocess.run(["ip", "netns", "del", f"hy-probe-{os.getpid()}"], capture_output=True)
    program = unittest.main(argv=[sys.argv[0], *rest], verbosity=2, exit=False)
    sys.exit(0 if program.result.wasSuccessful() else 1)


if __name__ == "__main__":
    main()
