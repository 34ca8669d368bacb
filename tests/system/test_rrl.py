"""System tests for response rate limiting ([rrl]) on the real daemon.

hayate serves example.com with [rrl] at 5 answers/s, 2 NXDOMAIN/s, 2 errors/s, slip 2, /32
prefixes (so that 127.0.0.1 and 127.0.0.2 are different clients on loopback). A burst of UDP
queries from one socket gets 5 answers, then alternately nothing and an empty TC=1 reply; the
drops and slips the client counted are what `hayatectl stats` (rrl.dropped, rrl.slipped) and the
metrics page report. dig shows the slip (+ignore) and, without +ignore, retries over TCP and gets
the answer: TCP is never limited. Random names share the zone's NXDOMAIN budget; another client
keeps its own budget; exempt clients and log-only are never limited.

usage: test_rrl.py --hayate PATH --hayatectl PATH [unittest args]
"""

from __future__ import annotations

import random
import socket
import struct
import time
import unittest
import urllib.request

import daemon_harness
from daemon_harness import (HayateDaemon, Zone, dig, hayatectl, hayatectl_stats, minimal_query,
                            tcp_exchange)

RRL = """
[rrl]
enable = true
responses-per-second = 5
nxdomains-per-second = 2
errors-per-second = 2
window = 2
slip = 2
ipv4-prefix = 32
exempt = ["127.0.0.9"]
"""

TYPE_A = 1


def burst(server: HayateDaemon, names: list[str], source: str = "127.0.0.1",
          qtype: int = TYPE_A, wait: float = 1.5) -> dict[str, int]:
    """Sends one UDP query per name from one socket as fast as it can, then collects the
    replies until `wait` seconds pass without one: counts of full answers, slips (TC=1, no
    records) and queries that got nothing."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((source, 0))
    ids = set()
    try:
        for name in names:
            qid, wire = minimal_query(name, qtype)
            ids.add(qid)
            sock.sendto(wire, (server.address, server.port))
        counts = {"sent": len(names), "answered": 0, "slipped": 0}
        sock.settimeout(wait)
        while True:
            try:
                reply = sock.recv(65535)
            except socket.timeout:
                break
            qid, flags, _, ancount, nscount, arcount = struct.unpack("!HHHHHH", reply[:12])
            if qid not in ids:
                continue
            if flags & 0x0200 and ancount + nscount + arcount == 0:
                counts["slipped"] += 1
            else:
                counts["answered"] += 1
        counts["nothing"] = counts["sent"] - counts["answered"] - counts["slipped"]
        return counts
    finally:
        sock.close()


def metric(server: HayateDaemon, line_prefix: str) -> int:
    url = f"http://127.0.0.1:{server.metrics_port}/metrics"
    with urllib.request.urlopen(url, timeout=10) as response:
        for line in response.read().decode().splitlines():
            if line.startswith(line_prefix + " "):
                return int(line.split()[-1])
    raise AssertionError(f"no metric {line_prefix}")


class RateLimiting(unittest.TestCase):
    def setUp(self):
        # A daemon per test: budgets and counters start afresh.
        self.server = HayateDaemon(None, [Zone("example.com.", "example.com.zone")],
                                   extra_config=RRL, metrics=True).start()
        self.addCleanup(self.server.cleanup)

    def test_a_burst_gets_the_rate_then_drops_and_slips_counted_in_stats_and_metrics(self):
        counts = burst(self.server, ["web.example.com"] * 40)
        # 5 answers (plus at most a little credit accrued while the burst was sent).
        self.assertGreaterEqual(counts["answered"], 5, counts)
        self.assertLessEqual(counts["answered"], 7, counts)
        limited = counts["sent"] - counts["answered"]
        # slip 2: every second limited response is an empty TC=1 reply.
        self.assertLessEqual(abs(counts["slipped"] - counts["nothing"]), 1, counts)
        stats = hayatectl_stats(self.server)
        self.assertEqual(stats["rrl.dropped"], counts["nothing"], (stats, counts))
        self.assertEqual(stats["rrl.slipped"], counts["slipped"], (stats, counts))
        self.assertEqual(stats["rrl.dropped"] + stats["rrl.slipped"], limited)
        self.assertEqual(metric(self.server, 'hayate_rrl_responses_total{action="dropped"}'),
                         counts["nothing"])
        self.assertEqual(metric(self.server, 'hayate_rrl_responses_total{action="slipped"}'),
                         counts["slipped"])

    def test_dig_sees_the_slip_and_gets_the_answer_over_tcp(self):
        burst(self.server, ["web.example.com"] * 20, wait=0.5)
        # The next limited responses: one of any two is a slip (dig +ignore shows its TC flag;
        # a dropped one makes dig time out, which is not an error here).
        flags = []
        for _ in range(4):
            proc = daemon_harness.run_tool(
                ["dig", "@127.0.0.1", "-p", str(self.server.port), "+ignore", "+tries=1",
                 "+time=1", "web.example.com", "A"])
            flags.append("tc" in proc.stdout.split("flags:")[1].split(";")[0]
                         if "flags:" in proc.stdout else None)
        self.assertIn(True, flags, flags)
        # Without +ignore dig retries a slip over TCP, which is never limited.
        for _ in range(10):
            result = dig(self.server, "web.example.com", "A", "+tcp")
            self.assertEqual(result.status, "NOERROR")
            self.assertTrue(result.answer, result.text)

    def test_tcp_is_never_limited(self):
        answered = 0
        for _ in range(30):
            reply = tcp_exchange(self.server.address, self.server.port,
                                 minimal_query("web.example.com", TYPE_A)[1])
            answered += reply is not None and struct.unpack("!H", reply[6:8])[0] > 0
        self.assertEqual(answered, 30)
        self.assertEqual(hayatectl_stats(self.server)["rrl.dropped"], 0)

    def test_random_names_share_the_zones_nxdomain_budget(self):
        names = [f"r{random.randrange(10**9)}.example.com" for _ in range(30)]
        counts = burst(self.server, names)
        self.assertGreaterEqual(counts["answered"], 2, counts)
        self.assertLessEqual(counts["answered"], 3, counts)

    def test_another_client_keeps_its_own_budget(self):
        flood = burst(self.server, ["web.example.com"] * 40)
        self.assertLessEqual(flood["answered"], 7, flood)
        other = burst(self.server, ["web.example.com"] * 5, source="127.0.0.2")
        self.assertEqual(other["answered"], 5, other)

    def test_exempt_clients_are_never_limited(self):
        counts = burst(self.server, ["web.example.com"] * 40, source="127.0.0.9")
        self.assertEqual(counts["answered"], 40, counts)

    def test_the_budget_comes_back_after_the_window(self):
        burst(self.server, ["web.example.com"] * 40, wait=0.2)
        time.sleep(2.5)  # window = 2 s: the debt is forgiven, not merely waited for
        counts = burst(self.server, ["web.example.com"] * 5)
        self.assertEqual(counts["answered"], 5, counts)

    def test_log_only_by_reload_counts_but_sends_everything(self):
        self.server.extra_config = RRL + "log-only = true\n"
        self.server.write_config()
        self.assertEqual(hayatectl(self.server, "reload").returncode, 0)
        counts = burst(self.server, ["web.example.com"] * 30)
        self.assertEqual(counts["answered"], 30, counts)
        stats = hayatectl_stats(self.server)
        self.assertGreaterEqual(stats["rrl.log-only"], 23, stats)
        self.assertEqual(stats["rrl.dropped"] + stats["rrl.slipped"], 0, stats)


if __name__ == "__main__":
    daemon_harness.main()
