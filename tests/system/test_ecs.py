"""System tests for EDNS Client Subnet (RFC 7871) on hayate's authoritative side, with [[view]]s.

hayate serves example.com twice: a default version (web → 192.0.2.80) and a "europe" view's
version (web → 198.51.100.80) for clients in 192.0.2.0/24 or from 127.0.0.2. dig +subnet=…
chooses the view by ECS; dig -b 127.0.0.x by source address. Malformed options are FORMERR.
Unbound with its subnetcache module, as a resolver in front of hayate, gets the tailored answers
for its clients' subnets.

usage: test_ecs.py --hayate PATH --hayatectl PATH [unittest args]
"""

from __future__ import annotations

import re
import struct
import unittest

import daemon_harness
from daemon_harness import HayateDaemon, Zone, dig, hayatectl_stats, udp_exchange

EUROPE = "198.51.100.80"
DEFAULT = "192.0.2.80"

VIEWS = """
[[view]]
name = "europe"
match-clients = ["192.0.2.0/24", "127.0.0.2/32", "2001:db8:1::/48"]
"""

ZONES = [Zone("example.com.", "example.com.zone"),
         Zone("example.com.", "views/example.com.europe.zone", view="europe"),
         Zone("example.net.", "example.net.zone")]

ECS_RE = re.compile(r"; CLIENT-SUBNET: (\S+)/(\d+)/(\d+)")


def ecs_of(result) -> tuple[str, int, int] | None:
    """(address, SOURCE, SCOPE) of the ECS option dig printed, or None."""
    m = ECS_RE.search(result.text)
    return (m.group(1), int(m.group(2)), int(m.group(3))) if m else None


def addresses(result) -> list[str]:
    return sorted(rr.split()[-1] for rr in result.answer if rr.split()[3] == "A")


def query_with_option(qname: str, option: bytes) -> bytes:
    """A query for qname/A with EDNS and one CLIENT-SUBNET option holding `option` as is."""
    wire = struct.pack("!HHHHHH", 0x4242, 0, 1, 0, 0, 1)
    for label in qname.rstrip(".").split("."):
        wire += bytes([len(label)]) + label.encode()
    wire += b"\x00" + struct.pack("!HH", 1, 1)
    rdata = struct.pack("!HH", 8, len(option)) + option
    return wire + b"\x00" + struct.pack("!HHIH", 41, 1232, 0, len(rdata)) + rdata


class AuthoritativeEcs(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = HayateDaemon(None, ZONES, extra_config=VIEWS).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def ask(self, *options: str, qname: str = "web.example.com", qtype: str = "A"):
        return dig(self.server, qname, qtype, *options)

    def test_subnet_in_the_view_gets_its_answer_and_scope(self):
        r = self.ask("+subnet=192.0.2.0/24")
        self.assertEqual(r.status, "NOERROR", r.text)
        self.assertIn("aa", r.flags)
        self.assertEqual(addresses(r), [EUROPE])
        self.assertEqual(ecs_of(r), ("192.0.2.0", 24, 24))

    def test_ipv6_subnet(self):
        r = self.ask("+subnet=2001:db8:1:ff00::/56")
        self.assertEqual(addresses(r), [EUROPE])
        self.assertEqual(ecs_of(r), ("2001:db8:1:ff00::", 56, 48))

    def test_other_subnets_get_the_default_with_the_bits_that_keep_them_apart(self):
        r = self.ask("+subnet=203.0.113.0/24")
        self.assertEqual(addresses(r), [DEFAULT])
        self.assertEqual(ecs_of(r), ("203.0.113.0", 24, 5))  # 11001011 vs 11000000
        near = self.ask("+subnet=192.0.3.0/24")
        self.assertEqual(addresses(near), [DEFAULT])
        self.assertEqual(ecs_of(near), ("192.0.3.0", 24, 24))

    def test_names_no_view_tailors_get_scope_zero(self):
        r = self.ask("+subnet=192.0.2.0/24", qname="www.example.net")
        self.assertEqual(r.status, "NOERROR", r.text)
        self.assertEqual(ecs_of(r), ("192.0.2.0", 24, 0))

    def test_tailored_cname_chain_stops_at_the_first_cname(self):
        r = self.ask("+subnet=192.0.2.0/24", qname="www.example.com")
        self.assertEqual([rr.split()[3] for rr in r.answer], ["CNAME"], r.text)
        plain = self.ask(qname="www.example.com")
        self.assertEqual([rr.split()[3] for rr in plain.answer], ["CNAME", "A"], plain.text)

    def test_source_address_chooses_without_ecs_and_nothing_is_echoed(self):
        for _ in range(2):  # the second time from the answer cache, still per view
            europe = self.ask("-b", "127.0.0.2")
            self.assertEqual(addresses(europe), [EUROPE], europe.text)
            self.assertIsNone(ecs_of(europe))
            local = self.ask("-b", "127.0.0.3")
            self.assertEqual(addresses(local), [DEFAULT], local.text)

    def test_source_prefix_zero_gets_the_default_view(self):
        r = self.ask("+subnet=0.0.0.0/0", "-b", "127.0.0.2")
        self.assertEqual(addresses(r), [DEFAULT], r.text)
        self.assertEqual(ecs_of(r), ("0.0.0.0", 0, 0))

    def test_malformed_options_are_formerr(self):
        for option in (bytes([0, 1, 24, 8, 192, 0, 2]),      # SCOPE set in a query
                       bytes([0, 3, 24, 0, 192, 0, 2]),      # unknown family
                       bytes([0, 1, 24, 0, 192, 0, 2, 0]),   # ADDRESS too long
                       bytes([0, 1, 23, 0, 192, 0, 3])):     # a bit past SOURCE
            response = udp_exchange(self.server.address, self.server.port,
                                    query_with_option("web.example.com", option))
            self.assertIsNotNone(response)
            self.assertEqual(response[3] & 0x0F, 1, option.hex())  # FORMERR
        self.assertEqual(self.ask("+subnet=192.0.2.0/24").status, "NOERROR")  # still serving

    def test_stats_count_ecs_queries(self):
        before = hayatectl_stats(self.server)
        self.ask("+subnet=192.0.2.0/24")
        self.ask("+subnet=192.0.2.0/24", qname="www.example.net")
        after = hayatectl_stats(self.server)
        self.assertEqual(after["ecs.queries"], before["ecs.queries"] + 2)
        self.assertEqual(after["ecs.tailored-answers"], before["ecs.tailored-answers"] + 1)


if __name__ == "__main__":
    daemon_harness.main()
