"""System tests for hayate's iterative resolver, in a private network namespace.

The test re-runs itself under `unshare -n` (a network namespace of its own, with only a loopback),
where authoritative servers play a small DNS tree on 127.0.0.x port 53:

    127.0.0.1, 127.0.0.2    "."             root servers a.root-servers. / b.root-servers.
    127.0.0.11, 127.0.0.12  test.           delegates example.test (glue), glueless.test (NS name
                                            in example.test: no glue), lame.test (a dead server, a
                                            server that REFUSEs, and one good one)
    127.0.0.21, 127.0.0.22  example.test.   (127.0.0.21 also serves lame.test)
    127.0.0.31              glueless.test., min.test. (NS name in example.test)
    127.0.0.99              nobody (an unreachable server)
    127.0.0.53              the hayate resolver under test, root hints → 127.0.0.1 and a
                            dead 127.0.0.97 (priming must find 127.0.0.2)

The tree is served by hayate's own authoritative server, then by NSD, then by Knot DNS (each
skipped visibly when not installed), and the same questions must get the same answers. Then
servers are killed in the middle of a run: answers must still come, from the other server or from
stale cache (RFC 8767).

Needs root (for the namespace and port 53); without it the test exits 77, which ctest reports as
skipped.

usage: test_iterative.py --hayate PATH --hayatectl PATH [unittest args]
"""

from __future__ import annotations

import shutil
import tempfile
import time
import unittest
from pathlib import Path

import daemon_harness
from daemon_harness import HayateDaemon, KnotDaemon, ManagedProcess, NsdDaemon, Zone, dig, \
    find_binary, hayatectl, hayatectl_stats as stats, without_ttl

RESOLVER_ADDRESS = "127.0.0.53"
DEAD_ADDRESS = "127.0.0.99"

SOA = "SOA ns1.{origin} hostmaster.{origin} 1 3600 900 604800 {minimum}"

ZONE_TEXT = {
    ".": """
$TTL 86400
. SOA a.root-servers. hostmaster.root-servers. 1 1800 900 604800 86400
. NS a.root-servers.
. NS b.root-servers.
a.root-servers. A 127.0.0.1
b.root-servers. A 127.0.0.2
test. NS ns1.nic.test.
test. NS ns2.nic.test.
ns1.nic.test. A 127.0.0.11
ns2.nic.test. A 127.0.0.12
""",
    "test.": """
$TTL 3600
test. SOA ns1.nic.test. hostmaster.nic.test. 1 1800 900 604800 300
test. NS ns1.nic.test.
test. NS ns2.nic.test.
ns1.nic.test. A 127.0.0.11
ns2.nic.test. A 127.0.0.12
example.test. NS ns1.example.test.
example.test. NS ns2.example.test.
ns1.example.test. A 127.0.0.21
ns2.example.test. A 127.0.0.22
glueless.test. NS ns.example.test.
min.test. NS ns.example.test.
lame.test. NS ns-dead.lame.test.
lame.test. NS ns-refuses.lame.test.
lame.test. NS ns-good.lame.test.
ns-dead.lame.test. A 127.0.0.99
ns-refuses.lame.test. A 127.0.0.31
ns-good.lame.test. A 127.0.0.21
""",
    "example.test.": """
$TTL 300
@ SOA ns1.example.test. hostmaster.example.test. 1 1800 900 604800 120
@ NS ns1
@ NS ns2
ns1 A 127.0.0.21
ns2 A 127.0.0.22
ns A 127.0.0.31
www A 192.0.2.1
www AAAA 2001:db8::1
www MX 10 mail
mail A 192.0.2.25
alias CNAME www
chain CNAME alias
outside CNAME www.glueless.test.
dname DNAME glueless.test.
*.wild A 192.0.2.7
short 2 A 192.0.2.2
{big}
""",
    "glueless.test.": """
$TTL 300
@ SOA ns.example.test. hostmaster.glueless.test. 1 1800 900 604800 120
@ NS ns.example.test.
www A 198.51.100.1
""",
    "min.test.": """
$TTL 300
@ SOA ns.example.test. hostmaster.min.test. 1 1800 900 604800 120
@ NS ns.example.test.
www A 198.51.100.9
""",
    "lame.test.": """
$TTL 300
@ SOA ns-good.lame.test. hostmaster.lame.test. 1 1800 900 604800 120
@ NS ns-dead
@ NS ns-refuses
@ NS ns-good
ns-dead A 127.0.0.99
ns-refuses A 127.0.0.31
ns-good A 127.0.0.21
www A 203.0.113.1
""",
}

# 12 TXT records of 200 octets: about 2.5 KB, more than the resolver's EDNS size (1232), so the
# leaf truncates over UDP and the resolver has to retry over TCP.
BIG_TXT = [f"big TXT \"{chr(ord('a') + i) * 200}\"" for i in range(12)]

SERVERS = [  # (address, zones)
    ("127.0.0.1", ["."]),
    ("127.0.0.2", ["."]),
    ("127.0.0.11", ["test."]),
    ("127.0.0.12", ["test."]),
    ("127.0.0.21", ["example.test.", "lame.test."]),
    ("127.0.0.22", ["example.test."]),
    ("127.0.0.31", ["glueless.test.", "min.test."]),
]


def write_zones(directory: Path) -> dict[str, Zone]:
    zones = {}
    for origin, text in ZONE_TEXT.items():
        text = text.replace("{big}", "\n".join(BIG_TXT))
        path = directory / ("root.zone" if origin == "." else f"{origin}zone")
        path.write_text(text.lstrip())
        zones[origin] = Zone(origin, path)
    hints = directory / "root.hints"
    # Out-of-date hints, as real ones become: b.root-servers. is missing and a server that left
    # (nothing listens on 127.0.0.97) is still there. Priming (RFC 8109) must mend that.
    hints.write_text(". 3600000 NS a.root-servers.\n. 3600000 NS old.root-servers.\n"
                     "a.root-servers. 3600000 A 127.0.0.1\n"
                     "old.root-servers. 3600000 A 127.0.0.97\n")
    return zones


def start_authoritative(kind: str, address: str, zones: list[Zone]) -> ManagedProcess:
    """One authoritative server of `kind` on address:53 serving `zones`."""
    if kind == "hayate":
        server = HayateDaemon(None, zones, server={"workers": 1}, log_options={"query-log": True})
    elif kind == "nsd":
        server = NsdDaemon(zones)
    else:
        server = KnotDaemon(zones)
    server.address, server.port = address, 53
    return server.start()


class Hierarchy:
    """The tree of SERVERS served by `kind`, and a hayate resolver whose hints point at its root
    (`extra_config`: more TOML for the resolver, e.g. [[dns64]] blocks)."""

    def __init__(self, kind: str, extra_config: str = "", **resolver_options):
        self.workdir = Path(tempfile.mkdtemp(prefix=f"hayate-iter-{kind}-"))
        self.zones = write_zones(self.workdir)
        self.servers: dict[str, ManagedProcess] = {}
        try:
            for address, origins in SERVERS:
                self.servers[address] = start_authoritative(
                    kind, address, [self.zones[origin] for origin in origins])
            options = {"enable": True, "root-hints": str(self.workdir / "root.hints"),
                       "query-timeout": 8}
            options.update(resolver_options)
            config = "[resolver]\n" + "".join(
                f"{key} = {daemon_harness.toml_value(value)}\n" for key, value in options.items())
            config += extra_config
            self.resolver = HayateDaemon(None, [], extra_config=config,
                                         workdir=self.workdir / "resolver")
            (self.workdir / "resolver").mkdir()
            self.resolver.address, self.resolver.port = RESOLVER_ADDRESS, 53
            self.resolver.start()
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        if getattr(self, "resolver", None) is not None:
            self.resolver.cleanup()
        for server in self.servers.values():
            server.cleanup()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def ask(self, qname: str, qtype: str = "A", *options: str):
        return dig(self.resolver, qname, qtype, "+time=10", *options)


class IterativeThroughTree:
    """The same questions, whichever server software serves the tree (mixed into one TestCase
    per kind below)."""

    kind = "hayate"

    @classmethod
    def setUpClass(cls):
        binary = {"hayate": "hayate", "nsd": "nsd", "knot": "knotd"}[cls.kind]
        if cls.kind != "hayate" and not find_binary(binary):
            raise unittest.SkipTest(f"{binary} is not installed")
        cls.tree = Hierarchy(cls.kind)

    @classmethod
    def tearDownClass(cls):
        cls.tree.close()

    def assert_answer(self, result, expected: list[str], status: str = "NOERROR"):
        self.assertEqual(result.status, status, result.text)
        self.assertIn("ra", result.flags, result.text)
        self.assertNotIn("aa", result.flags, result.text)
        self.assertEqual(without_ttl(result.answer), sorted(expected), result.text)

    def test_referral_chain_with_glue(self):
        self.assert_answer(self.tree.ask("www.example.test"),
                           ["www.example.test. IN A 192.0.2.1"])
        self.assert_answer(self.tree.ask("www.example.test", "AAAA"),
                           ["www.example.test. IN AAAA 2001:db8::1"])

    def test_nxdomain_and_nodata_carry_the_zone_soa(self):
        nx = self.tree.ask("nope.example.test")
        self.assert_answer(nx, [], status="NXDOMAIN")
        self.assertEqual(len(nx.authority), 1, nx.text)
        self.assertIn("SOA ns1.example.test.", nx.authority[0])
        nodata = self.tree.ask("www.example.test", "TXT")
        self.assert_answer(nodata, [])
        self.assertIn("example.test.", nodata.authority[0])
        self.assertIn(" SOA ", nodata.authority[0])
        # The negative TTL is min(SOA TTL, SOA MINIMUM) = 120 (RFC 2308 §5).
        self.assertLessEqual(int(nodata.authority[0].split()[1]), 120)

    def test_cname_chain_in_zone(self):
        self.assert_answer(self.tree.ask("chain.example.test"), [
            "chain.example.test. IN CNAME alias.example.test.",
            "alias.example.test. IN CNAME www.example.test.",
            "www.example.test. IN A 192.0.2.1"])

    def test_cname_to_another_zone_with_a_glueless_delegation(self):
        # glueless.test's server is named in example.test: the resolver must look up
        # ns.example.test itself before it can ask for www.glueless.test.
        self.assert_answer(self.tree.ask("outside.example.test"), [
            "outside.example.test. IN CNAME www.glueless.test.",
            "www.glueless.test. IN A 198.51.100.1"])

    def test_dname_across_zones(self):
        result = self.tree.ask("www.dname.example.test")
        self.assertEqual(result.status, "NOERROR", result.text)
        self.assertIn("dname.example.test. IN DNAME glueless.test.", without_ttl(result.answer))
        self.assertIn("www.glueless.test. IN A 198.51.100.1", without_ttl(result.answer))

    def test_wildcard(self):
        self.assert_answer(self.tree.ask("anything.wild.example.test"),
                           ["anything.wild.example.test. IN A 192.0.2.7"])

    def test_lame_and_dead_servers_are_skipped(self):
        # Of lame.test's three servers one does not exist and one REFUSEs (it serves only
        # glueless.test); the third answers. Several names, so every server gets its turn.
        for label in ("www", "www", "nothere"):
            result = self.tree.ask(f"{label}.lame.test")
            if label == "www":
                self.assert_answer(result, ["www.lame.test. IN A 203.0.113.1"])
            else:
                self.assert_answer(result, [], status="NXDOMAIN")

    def test_truncated_answer_is_fetched_over_tcp(self):
        result = self.tree.ask("big.example.test", "TXT", "+tcp")
        self.assertEqual(result.status, "NOERROR", result.text)
        self.assertEqual(len(result.answer), len(BIG_TXT), result.text)

    def test_second_answer_comes_from_the_cache(self):
        first = self.tree.ask("mail.example.test")
        self.assert_answer(first, ["mail.example.test. IN A 192.0.2.25"])
        before = stats(self.tree.resolver)
        again = self.tree.ask("mail.example.test")
        self.assert_answer(again, ["mail.example.test. IN A 192.0.2.25"])
        after = stats(self.tree.resolver)
        self.assertEqual(after["resolver.upstream-queries"], before["resolver.upstream-queries"])
        self.assertEqual(after["resolver.answers-from-cache"],
                         before["resolver.answers-from-cache"] + 1)


class HayateServesTheTree(IterativeThroughTree, unittest.TestCase):
    kind = "hayate"

    def test_root_servers_see_only_the_labels_they_need(self):
        # QNAME minimisation (RFC 9156): a name in a zone (min.test) no other test asks about.
        # The root servers (query-logged) must see "test." at most, the TLD's "min.test." at
        # most, never the full name.
        tree = self.tree
        result = tree.ask("deep.label.www.min.test")
        self.assertEqual(result.status, "NXDOMAIN", result.text)
        root_logs = tree.servers["127.0.0.1"].log() + tree.servers["127.0.0.2"].log()
        self.assertIn(" test. ", root_logs.replace("query ", " "))
        self.assertNotIn("min.test", root_logs)
        self.assertNotIn("deep.label", root_logs)
        tld_logs = tree.servers["127.0.0.11"].log() + tree.servers["127.0.0.12"].log()
        self.assertIn("udp min.test. A", tld_logs)
        self.assertNotIn("www.min.test", tld_logs)


class NsdServesTheTree(IterativeThroughTree, unittest.TestCase):
    kind = "nsd"


class KnotServesTheTree(IterativeThroughTree, unittest.TestCase):
    kind = "knot"


class ServersDie(unittest.TestCase):
    """Authoritative servers killed in the middle of a run (SIGKILL: no goodbye)."""

    def setUp(self):
        self.tree = Hierarchy("hayate")
        self.addCleanup(self.tree.close)

    def test_answers_come_from_the_other_server(self):
        # Distinct names (wildcard), so every question goes to example.test's servers.
        for i in range(30):
            if i == 10:
                self.tree.servers["127.0.0.21"].proc.kill()
                self.tree.servers["127.0.0.21"].proc.wait(timeout=10)
            result = self.tree.ask(f"n{i}.wild.example.test")
            self.assertEqual(result.status, "NOERROR", f"question {i}: {result.text}")
            self.assertEqual(without_ttl(result.answer),
                             [f"n{i}.wild.example.test. IN A 192.0.2.7"], result.text)

    def test_priming_learns_the_root_server_the_hints_lack(self):
        first = self.tree.ask("www.example.test")
        self.assertEqual(first.status, "NOERROR", first.text)
        root_a = self.tree.servers["127.0.0.1"]
        self.assertIn("udp . NS", root_a.log())  # the priming query (RFC 8109 §3)
        root_a.proc.kill()
        root_a.proc.wait(timeout=10)
        # Forget test. and below (not the root's NS): the next question starts at the root,
        # whose only live server, 127.0.0.2, is known from priming alone.
        self.assertEqual(hayatectl(self.tree.resolver, "cache", "flush", "test.").returncode, 0)
        again = self.tree.ask("mail.example.test")
        self.assertEqual(again.status, "NOERROR", again.text)
        self.assertEqual(without_ttl(again.answer), ["mail.example.test. IN A 192.0.2.25"])
        self.assertIn("udp test. A", self.tree.servers["127.0.0.2"].log())

    def test_stale_answers_when_every_server_is_gone(self):
        fresh = self.tree.ask("short.example.test")
        self.assertEqual(without_ttl(fresh.answer), ["short.example.test. IN A 192.0.2.2"])
        for address in ("127.0.0.21", "127.0.0.22"):
            self.tree.servers[address].proc.kill()
            self.tree.servers[address].proc.wait(timeout=10)
        # The record's TTL is 2 s: wait until it has certainly expired in the cache.
        time.sleep(3)
        stale = self.tree.ask("short.example.test")
        self.assertEqual(stale.status, "NOERROR", stale.text)
        self.assertEqual(without_ttl(stale.answer), ["short.example.test. IN A 192.0.2.2"])
        self.assertEqual([int(rr.split()[1]) for rr in stale.answer], [30])  # RFC 8767 §4
        self.assertGreaterEqual(stats(self.tree.resolver)["resolver.stale-answers"], 1)
        # A name never resolved has nothing stale: SERVFAIL, not a hang.
        self.assertEqual(self.tree.ask("never.example.test").status, "SERVFAIL")


def main(script: str = __file__) -> None:
    daemon_harness.enter_private_namespace(script)
    daemon_harness.main()


if __name__ == "__main__":
    main()
