#!/usr/bin/python3
"""Unit tests of bench/'s pieces that need no server: the generated zone and query mixes ask what
they claim to ask (checked against the zone loaded by dnspython), dnsperf's report is read
right, /proc is read right, and the ratios and goals are computed as the README says."""
from __future__ import annotations

import io
import os
import sys
import time
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import dns.name  # noqa: E402
import dns.rdatatype  # noqa: E402
import dns.zone  # noqa: E402

import dnsperf  # noqa: E402
import gen_zone  # noqa: E402
import proc_stats  # noqa: E402
import query_mix  # noqa: E402
import report  # noqa: E402
import servers  # noqa: E402

ORIGIN = dns.name.from_text("example.com.")
NAMES = 3000

DNSPERF_OUTPUT = """
[Status] Sending queries (to 127.0.0.1:5300)
> NOERROR host1.example.com. A 0.000100
> NXDOMAIN nx1.example.com. A 0.000300
> T host2.example.com. AAAA
> NOERROR host3.example.com. A 0.000200
Statistics:

  Queries sent:         4
  Queries completed:    3 (75.00%)
  Queries lost:         1 (25.00%)

  Response codes:       NOERROR 2 (66.67%), NXDOMAIN 1 (33.33%)
  Average packet size:  request 37, response 65
  Run time (s):         0.503235
  Queries per second:   5.961446

  Average Latency (s):  0.000200 (min 0.000100, max 0.000300)
  Latency StdDev (s):   0.000081
"""


def load_zone() -> dns.zone.Zone:
    text = io.StringIO()
    gen_zone.write_zone(text, "example.com", NAMES)
    return dns.zone.from_text(text.getvalue(), origin=ORIGIN, relativize=False)


class GeneratedZoneTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.zone = load_zone()
        cls.cuts = {name for name, node in cls.zone.nodes.items()
                    if name != ORIGIN and node.get_rdataset(1, dns.rdatatype.NS)}

    def outcome(self, qname: str, qtype: str) -> str:
        """What an authoritative server answers, per RFC 1034 §4.3.2 in short."""
        name = dns.name.from_text(qname)
        rdtype = dns.rdatatype.from_text(qtype)
        if any(name.is_subdomain(cut) for cut in self.cuts):
            return "referral"
        node = self.zone.get_node(name)
        if node is None:
            wild = dns.name.from_text("*.wild.example.com.")
            return "wildcard" if name.is_subdomain(wild.parent()) else "nxdomain"
        if node.get_rdataset(1, dns.rdatatype.CNAME):
            return "cname"
        return "answer" if node.get_rdataset(1, rdtype) else "nodata"

    def test_every_kind_of_name_is_there(self):
        kinds = [gen_zone.kind(i) for i in range(NAMES)]
        self.assertEqual(kinds.count(gen_zone.DELEGATION), 3)
        self.assertEqual(kinds.count(gen_zone.ALIAS), NAMES // 20)
        self.assertEqual(len(self.cuts), 3)
        self.assertIsNotNone(self.zone.get_node("*.wild.example.com."))

    def test_negative_answers_live_as_long_as_positive_ones(self):
        # A resolver warmed at the start of a run must not refresh anything during it.
        soa = self.zone.get_rdataset(ORIGIN, dns.rdatatype.SOA)
        a = self.zone.get_rdataset("host0", dns.rdatatype.A)
        self.assertEqual(soa[0].minimum, 3600)
        self.assertEqual(soa.ttl, a.ttl)
        self.assertEqual(soa[0].minimum, a.ttl)

    def test_authoritative_mix_asks_what_it_claims(self):
        lines = query_mix.queries("example.com", NAMES, 4000, "authoritative")
        self.assertEqual(len(lines), 4000)
        seen = {}
        for line in lines:
            qname, qtype = line.split()
            outcome = self.outcome(qname, qtype)
            seen[outcome] = seen.get(outcome, 0) + 1
        self.assertEqual(set(seen), {"answer", "cname", "wildcard", "nxdomain", "nodata",
                                     "referral"})
        # 40 % hits + 15 % AAAA are answers; 5 % referrals (binomial, far from the bounds).
        self.assertTrue(0.5 < seen["answer"] / 4000 < 0.6, seen)
        self.assertTrue(0.03 < seen["referral"] / 4000 < 0.07, seen)

    def test_resolver_mix_never_asks_below_a_cut(self):
        for line in query_mix.queries("example.com", NAMES, 3000, "resolver"):
            self.assertNotEqual(self.outcome(*line.split()), "referral", line)

    def test_dns64_mix_asks_aaaa_of_names_with_only_a(self):
        for line in query_mix.queries("example.com", NAMES, 500, "dns64"):
            qname, qtype = line.split()
            self.assertEqual(qtype, "AAAA")
            node = self.zone.get_node(qname)
            self.assertIsNotNone(node.get_rdataset(1, dns.rdatatype.A), line)
            self.assertIsNone(node.get_rdataset(1, dns.rdatatype.AAAA), line)

    def test_mix_is_deterministic_and_fits_small_zones(self):
        self.assertEqual(query_mix.queries("example.com", NAMES, 100),
                         query_mix.queries("example.com", NAMES, 100))
        small = query_mix.queries("example.com", 10, 200)  # no delegation in 10 names
        self.assertFalse(any(line.startswith("www.host") for line in small))


class DnsperfTest(unittest.TestCase):
    def test_report(self):
        result = dnsperf.parse(DNSPERF_OUTPUT)
        self.assertEqual((result.sent, result.completed, result.lost), (4, 3, 1))
        self.assertAlmostEqual(result.qps, 5.961446)
        self.assertAlmostEqual(result.avg_latency_ms, 0.2)
        self.assertEqual(result.rcodes, {"NOERROR": 2, "NXDOMAIN": 1})

    def test_verbose_latencies_skip_timeouts(self):
        self.assertEqual(dnsperf.verbose_latencies(DNSPERF_OUTPUT), [0.0001, 0.0003, 0.0002])

    def test_percentile_is_nearest_rank(self):
        values = list(range(1, 101))
        self.assertEqual(dnsperf.percentile(values, 99), 99)
        self.assertEqual(dnsperf.percentile(values, 100), 100)
        self.assertEqual(dnsperf.percentile([5.0], 99), 5.0)
        self.assertIsNone(dnsperf.percentile([], 99))

    def test_slices_merge_into_one_run(self):
        first = dnsperf.Result(sent=100, completed=99, lost=1, qps=99.0, avg_latency_ms=1.0,
                               rcodes={"NOERROR": 99}, latencies=[0.001] * 99)
        second = dnsperf.Result(sent=100, completed=100, lost=0, qps=100.0, avg_latency_ms=4.0,
                                rcodes={"NOERROR": 90, "NXDOMAIN": 10},
                                latencies=[0.002] * 97 + [0.05] * 3)
        merged = dnsperf.merge([first, second], 2.0)
        self.assertEqual((merged.sent, merged.completed, merged.lost), (200, 199, 1))
        self.assertAlmostEqual(merged.qps, 99.5)
        self.assertAlmostEqual(merged.avg_latency_ms, (99 * 1.0 + 100 * 4.0) / 199)
        self.assertEqual(merged.rcodes, {"NOERROR": 189, "NXDOMAIN": 10})
        # The p99 of the 199 latencies together: the 198th smallest is one of the 50 ms ones,
        # though neither slice's own p99 (1 ms, 50 ms) averages to it.
        self.assertAlmostEqual(merged.p99_latency_ms, 50.0)
        self.assertEqual(len(merged.latencies), 199)

    def test_garbage_is_a_clear_error(self):
        with self.assertRaisesRegex(dnsperf.DnsperfError, "Queries sent"):
            dnsperf.parse("dnsperf: something went wrong\n")


class ProcStatsTest(unittest.TestCase):
    def test_own_process_tree(self):
        pid = os.getpid()
        self.assertIn(pid, proc_stats.tree(pid))
        before = proc_stats.cpu_seconds(pid)
        sum(i * i for i in range(3_000_000))  # burn some CPU
        self.assertGreater(proc_stats.cpu_seconds(pid), before)
        memory = proc_stats.memory_mb(pid)
        self.assertGreater(memory["rss_mb"], 1)
        self.assertGreater(memory["pss_mb"], 1)

    def test_cpu_time_has_better_than_tick_resolution(self):
        # A child that, when told, spins 2 ms of CPU (less than one 10 ms clock tick) and then
        # waits again; it is measured while it waits, as a server is between dnsperf runs.
        go_read, go_write = os.pipe()
        done_read, done_write = os.pipe()
        child = os.fork()
        if child == 0:
            os.close(go_write)
            os.close(done_read)
            os.read(go_read, 1)
            deadline = time.thread_time() + 0.002
            while time.thread_time() < deadline:
                pass
            os.write(done_write, b"x")
            os.read(go_read, 1)  # until the parent closes the pipe
            os._exit(0)
        os.close(go_read)
        os.close(done_write)
        try:
            before = proc_stats.cpu_seconds(child)
            os.write(go_write, b"x")
            os.read(done_read, 1)
            spent = proc_stats.cpu_seconds(child) - before
            self.assertGreaterEqual(spent, 0.002)
            self.assertLess(spent, 0.5)
        finally:
            os.close(go_write)  # the child's last read ends
            os.close(done_read)
            os.waitpid(child, 0)

    def test_children_are_counted(self):
        child = os.fork()
        if child == 0:
            time.sleep(30)  # killed by the parent
            os._exit(0)
        try:
            self.assertIn(child, proc_stats.tree(os.getpid()))
        finally:
            os.kill(child, 9)
            os.waitpid(child, 0)


class PinTreeTest(unittest.TestCase):
    """pin_tree re-pins threads and child processes that set their own affinity (as Knot does)."""

    def test_process_and_children_are_pinned(self):
        import subprocess
        parent = subprocess.Popen(["sh", "-c", "sleep 30 & sleep 30 & wait"])
        try:
            deadline = time.monotonic() + 5
            children = []
            while len(children) < 2 and time.monotonic() < deadline:
                out = subprocess.run(["pgrep", "-P", str(parent.pid)], capture_output=True,
                                     text=True).stdout
                children = [int(pid) for pid in out.split()]
            self.assertEqual(len(children), 2)
            servers.pin_tree(parent.pid, 0)
            for pid in [parent.pid] + children:
                self.assertEqual(os.sched_getaffinity(pid), {0}, pid)
        finally:
            subprocess.run(["pkill", "-P", str(parent.pid)], check=False)
            parent.kill()
            parent.wait()


class FreePortTest(unittest.TestCase):
    """The harness's ports lie below the kernel's ephemeral range, so no client socket (dig sets
    SO_REUSEPORT) can be handed a server's port as its own source port."""

    def test_ports_are_free_and_not_ephemeral(self):
        import socket
        import daemon_harness
        low, _ = daemon_harness.ephemeral_port_range()
        for address, family in (("127.0.0.1", socket.AF_INET), ("::1", socket.AF_INET6)):
            for _ in range(20):
                port = daemon_harness.free_port(address)
                self.assertGreaterEqual(port, 10000)
                self.assertLess(port, low)
                for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
                    with socket.socket(family, kind) as s:
                        s.bind((address, port))  # raises if it was not free


class ReportTest(unittest.TestCase):
    @staticmethod
    def server(qps: list[float], cpu: list[float]) -> dict:
        return {"rounds": [{"udp": {"qps": q}, "fixed": {"cpu_us_per_query": c}}
                           for q, c in zip(qps, cpu)]}

    def test_ratios_per_round_and_median(self):
        group = {"servers": {"hayate": self.server([100, 200, 100], [2, 2, 4]),
                             "knot": self.server([50, 100, 150], [4, 3, 4])}}
        r = report.ratios(group, "hayate")["knot"]
        self.assertEqual(r["qps"]["per_round"], [0.5, 0.5, 1.5])
        self.assertEqual(r["qps"]["median"], 0.5)
        self.assertEqual(r["cpu_us_per_query"]["per_round"], [2.0, 1.5, 1.0])
        self.assertNotIn("tcp_qps", r)  # not measured: left out, not zero

    def test_goal_is_hayate_over_peer(self):
        group = {"servers": {"hayate": self.server([100], [3]), "knot": self.server([100], [4])}}
        results = {"ratios": {"authoritative": report.ratios(group, "hayate")}}
        goal = next(g for g in report.goals(results) if "CPU per query, hayate/Knot" in g["goal"])
        self.assertEqual(goal["value"], 0.75)
        self.assertTrue(goal["met"])
        unmeasured = next(g for g in report.goals(results) if "TCP" in g["goal"])
        self.assertIsNone(unmeasured["met"])

    def test_markdown_has_the_servers_ratios_and_goals(self):
        group = {"servers": {"hayate": self.server([100], [3]), "knot": self.server([50], [4])}}
        results = {"config": {"rounds": 1}, "authoritative": group,
                   "versions": {"knot": "knotd (Knot DNS), version 3.2.6"},
                   "ratios": {"authoritative": report.ratios(group, "hayate")}}
        results["goals"] = report.goals(results)
        text = report.markdown(results)
        self.assertIn("| knot 3.2.6 | 50 |", text)
        self.assertIn("| knot | **0.50** (0.50) |", text)
        self.assertIn("| authoritative CPU per query, hayate/Knot <= 0.8 | 0.75 | met |", text)

    def test_echo_floor_against_the_peer_and_hayate_against_it(self):
        group = {"servers": {"hayate": self.server([100] * 3, [3, 4, 5]),
                             "unbound": self.server([100] * 3, [6, 8, 10])},
                 "floor": {"rounds": [{"fixed": {"cpu_us_per_query": c, "qps": 1000,
                                                 "p99_latency_ms": 0.5}} for c in (2, 4, 4)]}}
        results = {"config": {"rounds": 3}, "resolver": group,
                   "ratios": {"resolver": report.ratios(group, "hayate")}}
        floors = {f["what"]: f for f in report.floors(results)}
        echo = floors["resolver: echo floor/unbound CPU per query"]
        self.assertEqual(echo["per_round"], [0.333, 0.5, 0.4])
        self.assertEqual(echo["value"], 0.4)
        self.assertEqual(floors["resolver: hayate/echo floor CPU per query"]["value"], 1.25)
        self.assertEqual(len(floors), 2)  # no floor in the other groups: nothing for them
        results["floors"] = report.floors(results)
        self.assertRegex(report.table(results), r"echo floor +- +- +4\.00 +1,000 +0\.50")
        self.assertIn("resolver: echo floor/unbound CPU per query", report.table(results))
        self.assertIn("| echo floor | - | - | 4.00 | 1,000 | 0.50 | - |",
                      report.markdown(results))
        self.assertIn("| resolver: echo floor/unbound CPU per query | **0.40** (0.33, 0.50, 0.40) |",
                      report.markdown(results))


class EchoFloorTest(unittest.TestCase):
    """bench/echo_floor.cpp, as compare.py starts it (HAYATE_ECHO_FLOOR: set by ctest)."""

    def setUp(self):
        self.binary = os.environ.get("HAYATE_ECHO_FLOOR")
        if not self.binary:
            self.skipTest("HAYATE_ECHO_FLOOR is not set (ctest sets it)")

    def test_echoes_with_qr_set_and_nothing_else_changed(self):
        floor = servers.EchoFloor(self.binary, sorted(os.sched_getaffinity(0))[0])
        floor.start()
        try:
            query = bytes(servers.minimal_query("floor-test.example.", 28)[1])
            reply = servers.connected_exchange(floor.address, floor.port, query, timeout=2.0)
            self.assertIsNotNone(reply)
            self.assertEqual(reply[:2] + reply[3:], query[:2] + query[3:])
            self.assertEqual(reply[2], query[2] | 0x80)
        finally:
            floor.signal(15)
            floor.cleanup()
        self.assertIsNotNone(floor.proc.returncode)

    def test_bad_arguments_and_a_taken_port_are_clear_errors(self):
        import socket
        import subprocess
        def run(*argv):
            return subprocess.run([self.binary, *argv], capture_output=True, text=True, timeout=10)
        usage = run()
        self.assertEqual(usage.returncode, 2)
        self.assertIn("usage:", usage.stderr)
        bad = run("1.2.3", "0")
        self.assertEqual(bad.returncode, 1)
        self.assertIn("not an IPv4 address: 1.2.3", bad.stderr)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as taken:
            taken.bind(("127.0.0.1", 0))
            port = str(taken.getsockname()[1])
            busy = run("127.0.0.1", port)
        self.assertEqual(busy.returncode, 1)
        self.assertIn(f"127.0.0.1:{port}: Address already in use", busy.stderr)
        self.assertEqual(busy.stdout, "")  # no port printed: compare.py sees it did not start

    def test_a_floor_that_cannot_start_is_an_error(self):
        with self.assertRaisesRegex(RuntimeError, "did not start"):
            servers.EchoFloor("/bin/false", 0).start()


class FixedRateTest(unittest.TestCase):
    def test_given_rate_is_kept(self):
        import compare
        args = compare.parse_args(["--hayate", "/bin/true", "--fixed-rate", "100000"])
        self.assertEqual(compare.fixed_rate(args, [{"udp": {"qps": 20000.0}}]), 100000)

    def test_auto_is_half_the_slowest_server(self):
        import compare
        args = compare.parse_args(["--hayate", "/bin/true", "--fixed-rate", "0"])
        rounds = [{"udp": {"qps": 50300.0}}, {"udp": {"qps": 20900.0}}, {"udp": {"error": "x"}}]
        self.assertEqual(compare.fixed_rate(args, rounds), 10000)
        self.assertEqual(compare.fixed_rate(args, [{"udp": {"qps": 900.0}}]), 1000)


if __name__ == "__main__":
    unittest.main(verbosity=2)
