"""System tests for DNS64, the AAAA filter and synthesize-always (issue 5), on loopback only.

One zone set (generated below: dns64.test with 60+ names, 1.in-addr.arpa for PTR, signed.test
with a DNSKEY at its apex) is served by a plain authoritative hayate. The rules are checked with
dig against:
- authoritative mode: a hayate serving the zones itself with [[dns64]] blocks;
- resolver mode: a hayate forwarding to the plain one, with the same [[dns64]] blocks.
Policies are chosen by the client's address, so every test picks its policy with dig -b:

    127.0.0.1  no policy                127.0.0.4  synthesize-always, 2001:db8:64::/96
    127.0.0.2  dns64, 2001:db8:64::/96  127.0.0.5  dns64, 2001:db8:64::/96, break-dnssec
    127.0.0.3  filter-aaaa              127.0.0.6  dns64, 64:ff9b::/96 (the well-known prefix)

Then Unbound's dns64 module ("dns64 iterator", stub zones to the plain server) answers the same
AAAA questions as hayate's resolver for every name: same rcodes and record sets.

usage: test_dns64.py --hayate PATH [unittest args]
"""

from __future__ import annotations

import ipaddress
import socket
import tempfile
import threading
import unittest
from pathlib import Path

import daemon_harness
from daemon_harness import HayateDaemon, UnboundDaemon, Zone, dig, find_binary, without_ttl

NO_POLICY, DNS64, FILTER, ALWAYS, BREAKING, WELL_KNOWN = (
    "127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5", "127.0.0.6")
NSP = "2001:db8:64::"  # the network-specific prefix, /96


def dns64_blocks(dns64: str, filter_aaaa: str, always: str, extra: str = "") -> str:
    """[[dns64]] blocks for three client addresses: DNS64 and synthesize-always with the
    network-specific prefix, and the AAAA filter; `extra` is appended (more blocks)."""
    return f"""
[[dns64]]
mode = "dns64"
prefixes = ["{NSP}/96"]
clients = ["{dns64}"]

[[dns64]]
mode = "filter-aaaa"
clients = ["{filter_aaaa}"]

[[dns64]]
mode = "synthesize-always"
prefixes = ["{NSP}/96"]
clients = ["{always}"]
""" + extra


DNS64_BLOCKS = dns64_blocks(DNS64, FILTER, ALWAYS, f"""
[[dns64]]
mode = "dns64"
prefixes = ["{NSP}/96"]
clients = ["{BREAKING}"]
break-dnssec = true

[[dns64]]
mode = "dns64"
clients = ["{WELL_KNOWN}"]
""")


V4ONLY = [f"v4-{i}" for i in range(25)]
DUAL = [f"dual-{i}" for i in range(10)]
V6ONLY = [f"v6only-{i}" for i in range(5)]
ALIASES = [f"alias-{i}" for i in range(10)]
DUAL_ALIASES = [f"dualalias-{i}" for i in range(5)]
NODATA = [f"nodata-{i}" for i in range(5)]
MISSING = [f"missing-{i}" for i in range(5)]


def v4_address(i: int) -> str:
    return f"1.2.{i}.{10 + i}"  # global addresses: the well-known prefix may embed them


def dns64_zone() -> str:
    lines = ["$ORIGIN dns64.test.", "$TTL 3600",
             "@ SOA ns1 hostmaster 1 3600 900 604800 300", "@ NS ns1", "ns1 A 192.0.2.53"]
    for i, name in enumerate(V4ONLY):
        lines.append(f"{name} 3000 A {v4_address(i)}")
        if i % 5 == 0:
            lines.append(f"{name} 3000 A 5.6.{i}.7")
    for i, name in enumerate(DUAL):
        lines += [f"{name} A 1.3.{i}.1", f"{name} AAAA 2001:db8:d::{i}"]
    lines += [f"{name} AAAA 2001:db8:6::{i}" for i, name in enumerate(V6ONLY)]
    lines += [f"{name} 120 CNAME v4-{i}" for i, name in enumerate(ALIASES)]
    lines += [f"{name} CNAME dual-{i}" for i, name in enumerate(DUAL_ALIASES)]
    lines += [f'{name} TXT "no addresses"' for name in NODATA]
    lines += ["chain CNAME alias-0", "short 60 A 1.2.200.1", "private A 10.0.0.1",
              "mapped A 1.2.201.1", "mapped AAAA ::ffff:1.2.201.1", "mx MX 10 dual-0",
              "svc HTTPS 1 . alpn=h2 ipv4hint=1.3.0.1 ipv6hint=2001:db8:d::0",
              "old DNAME new.dns64.test.", "host.new A 1.2.202.1"]
    return "\n".join(lines) + "\n"


REVERSE_ZONE = """$ORIGIN 1.in-addr.arpa.
$TTL 3600
@ SOA ns1.dns64.test. hostmaster.dns64.test. 1 3600 900 604800 300
@ NS ns1.dns64.test.
10.0.2 PTR v4-0.dns64.test.
"""

SIGNED_ZONE = """$ORIGIN signed.test.
$TTL 3600
@ SOA ns1 hostmaster 1 3600 900 604800 300
@ NS ns1
@ DNSKEY 257 3 13 mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ==
ns1 A 192.0.2.53
host A 1.2.203.1
"""


def write_zones(directory: Path) -> list[Zone]:
    files = {"dns64.test.": dns64_zone(), "1.in-addr.arpa.": REVERSE_ZONE,
             "signed.test.": SIGNED_ZONE}
    zones = []
    for name, text in files.items():
        path = directory / f"{name}zone"
        path.write_text(text)
        zones.append(Zone(name, path))
    return zones


def ask(server, client: str, name: str, qtype: str = "AAAA", *options: str):
    """dig from the loopback address `client`: that address picks the [[dns64]] policy."""
    return dig(server, name, qtype, "-b", client, *options)


def rdatas(result, rtype: str = "AAAA") -> list[str]:
    return sorted(line.split()[4] for line in result.answer if line.split()[3] == rtype)


def owners(result, rtype: str) -> list[str]:
    return [line.split()[0] for line in result.answer if line.split()[3] == rtype]


def ttls(result, rtype: str = "AAAA") -> list[int]:
    return [int(line.split()[1]) for line in result.answer if line.split()[3] == rtype]


class Setup:
    """Shared by both modes: the zones and the plain authoritative server."""
    zone_dir: Path
    zones: list[Zone]
    plain: HayateDaemon

    @classmethod
    def start_plain(cls):
        cls.zone_dir = Path(tempfile.mkdtemp(prefix="dns64-zones-"))
        cls.zones = write_zones(cls.zone_dir)
        cls.plain = HayateDaemon(None, cls.zones).start()

    @classmethod
    def stop_plain(cls):
        cls.plain.cleanup()


class Dns64Rules:
    """Every rule of issue 5, asked of self.server (set by the mode's class)."""
    server: HayateDaemon
    authoritative: bool

    def test_nodata_is_synthesized_with_the_soa_ttl(self):
        r = ask(self.server, DNS64, "v4-1.dns64.test")
        self.assertEqual(r.status, "NOERROR", r.text)
        self.assertEqual(rdatas(r), [f"{NSP}102:10b"])  # 1.2.1.11
        self.assertNotIn("aa", r.flags, "synthesized data is not authoritative")
        self.assertNotIn("ad", r.flags, "RFC 6147 §5.5: never AD")
        self.assertTrue(all(ttl <= 300 for ttl in ttls(r)), "min(A TTL 3000, SOA TTL 300)")
        if self.authoritative:
            self.assertEqual(ttls(r), [300])
        two = ask(self.server, DNS64, "v4-0.dns64.test")
        self.assertEqual(rdatas(two), [f"{NSP}102:a", f"{NSP}506:7"], "one AAAA per A")

    def test_a_ttl_below_the_soa_ttl_wins(self):
        r = ask(self.server, DNS64, "short.dns64.test")
        self.assertEqual(rdatas(r), [f"{NSP}102:c801"])
        self.assertTrue(all(ttl <= 60 for ttl in ttls(r)), r.text)

    def test_real_aaaa_is_kept_and_only_excluded_aaaa_count_as_none(self):
        self.assertEqual(rdatas(ask(self.server, DNS64, "dual-3.dns64.test")), ["2001:db8:d::3"])
        self.assertEqual(rdatas(ask(self.server, DNS64, "mapped.dns64.test")),
                         [f"{NSP}102:c901"], "::ffff:0:0/96 is excluded by default")

    def test_nxdomain_passes_through_and_nodata_stays_nodata(self):
        missing = ask(self.server, DNS64, "missing-0.dns64.test")
        self.assertEqual(missing.status, "NXDOMAIN")
        self.assertTrue(any(" SOA " in line for line in missing.authority), missing.text)
        nodata = ask(self.server, DNS64, "nodata-0.dns64.test")
        self.assertEqual((nodata.status, nodata.answer), ("NOERROR", []))
        self.assertTrue(any(" SOA " in line for line in nodata.authority), nodata.text)

    def test_cname_and_dname_chains_are_kept(self):
        r = ask(self.server, DNS64, "chain.dns64.test")
        self.assertEqual(owners(r, "CNAME"), ["chain.dns64.test.", "alias-0.dns64.test."])
        self.assertEqual(owners(r, "AAAA"), ["v4-0.dns64.test.", "v4-0.dns64.test."])
        d = ask(self.server, DNS64, "host.old.dns64.test")
        self.assertEqual(owners(d, "DNAME"), ["old.dns64.test."], d.text)
        self.assertEqual(owners(d, "CNAME"), ["host.old.dns64.test."])
        self.assertEqual(owners(d, "AAAA"), ["host.new.dns64.test."])

    def test_cd_means_no_synthesis(self):
        r = ask(self.server, DNS64, "v4-1.dns64.test", "AAAA", "+cdflag")
        self.assertEqual((r.status, r.answer), ("NOERROR", []))
        self.assertIn("cd", r.flags)

    def test_ptr_in_the_prefix_is_a_cname_to_in_addr_arpa(self):
        name = ipaddress.ip_address(f"{NSP}1.2.0.10").reverse_pointer
        r = ask(self.server, DNS64, name, "PTR")
        self.assertEqual(r.status, "NOERROR", r.text)
        cname = [line for line in r.answer if " CNAME " in line]
        self.assertEqual(len(cname), 1, r.text)
        self.assertTrue(cname[0].endswith(" 10.0.2.1.in-addr.arpa."), cname)
        self.assertEqual(rdatas(r, "PTR"), ["v4-0.dns64.test."])

    def test_ipv4only_arpa_is_answered_locally(self):
        aaaa = ask(self.server, WELL_KNOWN, "ipv4only.arpa")
        self.assertEqual(rdatas(aaaa), ["64:ff9b::c000:aa", "64:ff9b::c000:ab"])
        a = ask(self.server, WELL_KNOWN, "ipv4only.arpa", "A")
        self.assertEqual(rdatas(a, "A"), ["192.0.0.170", "192.0.0.171"])

    def test_well_known_prefix_never_embeds_private_addresses(self):
        self.assertEqual(rdatas(ask(self.server, WELL_KNOWN, "private.dns64.test")), [])
        self.assertEqual(rdatas(ask(self.server, DNS64, "private.dns64.test")), [f"{NSP}a00:1"])
        self.assertEqual(rdatas(ask(self.server, WELL_KNOWN, "v4-2.dns64.test")),
                         ["64:ff9b::102:20c"])

    def test_class_in_only(self):
        r = dig(self.server, "v4-1.dns64.test", "AAAA", "-b", DNS64, qclass="CH")
        self.assertEqual(rdatas(r), [])

    def test_three_modes_side_by_side(self):
        # (client, name) -> AAAA rdatas; asked twice so the second round may come from caches.
        expected = {
            (NO_POLICY, "v4-4"): [], (NO_POLICY, "dual-4"): ["2001:db8:d::4"],
            (DNS64, "v4-4"): [f"{NSP}102:40e"], (DNS64, "dual-4"): ["2001:db8:d::4"],
            (FILTER, "v4-4"): [], (FILTER, "dual-4"): [],
            (ALWAYS, "v4-4"): [f"{NSP}102:40e"], (ALWAYS, "dual-4"): [f"{NSP}103:401"],
        }
        for round_ in range(2):
            for (client, name), aaaa in expected.items():
                r = ask(self.server, client, f"{name}.dns64.test")
                self.assertEqual(r.status, "NOERROR", r.text)
                self.assertEqual(rdatas(r), aaaa, f"round {round_}, client {client}, {name}")

    def test_filter_leaves_a_and_v6_only_names_alone(self):
        self.assertEqual(rdatas(ask(self.server, FILTER, "dual-4.dns64.test", "A"), "A"),
                         ["1.3.4.1"])
        self.assertEqual(rdatas(ask(self.server, FILTER, "v6only-1.dns64.test")),
                         ["2001:db8:6::1"])

    def test_filter_strips_ipv6hint(self):
        filtered = ask(self.server, FILTER, "svc.dns64.test", "HTTPS")
        plain = ask(self.server, NO_POLICY, "svc.dns64.test", "HTTPS")
        self.assertIn("ipv6hint", " ".join(plain.answer), plain.text)
        self.assertNotIn("ipv6hint", " ".join(filtered.answer), filtered.text)
        self.assertIn("ipv4hint", " ".join(filtered.answer))

    def test_synthesize_always_passes_nxdomain(self):
        self.assertEqual(ask(self.server, ALWAYS, "missing-1.dns64.test").status, "NXDOMAIN")


class AuthoritativeMode(Setup, Dns64Rules, unittest.TestCase):
    authoritative = True

    @classmethod
    def setUpClass(cls):
        cls.start_plain()
        cls.server = HayateDaemon(None, cls.zones, extra_config=DNS64_BLOCKS).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()
        cls.stop_plain()

    def test_additional_aaaa_beside_a_is_filtered(self):
        filtered = ask(self.server, FILTER, "mx.dns64.test", "MX")
        plain = ask(self.server, NO_POLICY, "mx.dns64.test", "MX")
        self.assertTrue(any(" AAAA " in line for line in plain.additional), plain.text)
        self.assertFalse(any(" AAAA " in line for line in filtered.additional), filtered.text)
        self.assertTrue(any(" A " in line for line in filtered.additional), filtered.text)

    def test_signed_nodata_for_do_clients_unless_break_dnssec(self):
        name = "host.signed.test"
        self.assertEqual(rdatas(ask(self.server, DNS64, name, "AAAA", "+dnssec")), [])
        self.assertEqual(rdatas(ask(self.server, DNS64, name)), [f"{NSP}102:cb01"], "DO=0")
        self.assertEqual(rdatas(ask(self.server, BREAKING, name, "AAAA", "+dnssec")),
                         [f"{NSP}102:cb01"])


class PerListener(unittest.TestCase):
    """A [[dns64]] block with `listeners`: the same client gets DNS64 on one listener only."""

    def test_policy_applies_on_its_listener_only(self):
        zone_dir = Path(tempfile.mkdtemp(prefix="dns64-zones-"))
        server = HayateDaemon(None, write_zones(zone_dir))
        nat64_port = daemon_harness.free_port()
        nat64 = f"127.0.0.1:{nat64_port}"
        server.server_options["listen"] = [f"127.0.0.1:{server.port}", nat64]
        server.extra_config = (f'[[dns64]]\nprefixes = ["{NSP}/96"]\nlisteners = ["{nat64}"]\n')
        server.start()
        self.addCleanup(server.cleanup)
        self.assertEqual(rdatas(dig(server, "v4-1.dns64.test", "AAAA")), [])
        server.port = nat64_port
        self.assertEqual(rdatas(dig(server, "v4-1.dns64.test", "AAAA")), [f"{NSP}102:10b"])
        self.assertEqual(rdatas(dig(server, "v4-1.dns64.test", "AAAA", "+tcp")),
                         [f"{NSP}102:10b"])


class FlakyUpstream:
    """A forwarder's upstream that answers A, but SERVFAILs (servfail.flaky.test) or never
    answers (timeout.flaky.test) AAAA: RFC 6147 §5.1.3, errors and timeouts count as empty."""

    def __init__(self):
        import dns.message
        import dns.rcode
        import dns.rrset
        self.dns = dns
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        import dns.message
        import dns.rcode
        import dns.rdatatype
        import dns.rrset
        while True:
            try:
                wire, peer = self.sock.recvfrom(65535)
            except OSError:
                return
            query = dns.message.from_wire(wire)
            question = query.question[0]
            name = question.name.to_text().lower()
            response = dns.message.make_response(query)
            response.flags |= dns.flags.RA
            if question.rdtype == dns.rdatatype.AAAA:
                if name.startswith("timeout."):
                    continue
                response.set_rcode(dns.rcode.SERVFAIL)
            elif question.rdtype == dns.rdatatype.A:
                response.answer.append(dns.rrset.from_text(question.name, 3000, "IN", "A",
                                                           "1.2.250.1"))
            self.sock.sendto(response.to_wire(), peer)

    def close(self):
        self.sock.close()


class ResolverMode(Setup, Dns64Rules, unittest.TestCase):
    authoritative = False

    @classmethod
    def setUpClass(cls):
        import dns.flags  # noqa: F401  (FlakyUpstream needs dnspython)
        cls.start_plain()
        cls.flaky = FlakyUpstream()
        config = (f"[resolver]\nenable = true\nforward = [\"127.0.0.1:{cls.plain.port}\"]\n"
                  "query-timeout = 2\n"
                  f"[[resolver.forward-zone]]\nname = \"flaky.test.\"\n"
                  f"forward = [\"127.0.0.1:{cls.flaky.port}\"]\n" + DNS64_BLOCKS)
        cls.server = HayateDaemon(None, [], extra_config=config).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()
        cls.flaky.close()
        cls.stop_plain()

    def test_answers_have_ra_and_come_from_the_resolver(self):
        r = ask(self.server, DNS64, "v4-7.dns64.test")
        self.assertIn("ra", r.flags)
        self.assertEqual(rdatas(r), [f"{NSP}102:711"])

    def test_aaaa_servfail_and_timeout_count_as_empty(self):
        for name in ("servfail.flaky.test", "timeout.flaky.test"):
            r = dig(self.server, name, "AAAA", "-b", DNS64, "+time=8")
            self.assertEqual(r.status, "NOERROR", r.text)
            self.assertEqual(rdatas(r), [f"{NSP}102:fa01"], name)
            self.assertEqual(ttls(r), [600], "no SOA: min(A TTL, 600) (RFC 6147 §5.1.7)")


@unittest.skipUnless(find_binary("unbound"), "unbound is not installed")
class CompareWithUnbound(Setup, unittest.TestCase):
    """hayate's resolver and Unbound's dns64 module over the same authoritative server."""

    NAMES = V4ONLY + DUAL + V6ONLY + ALIASES + DUAL_ALIASES + NODATA + MISSING + [
        "chain", "short", "private", "host.old"]

    @classmethod
    def setUpClass(cls):
        cls.start_plain()
        config = (f"[resolver]\nenable = true\nforward = [\"127.0.0.1:{cls.plain.port}\"]\n" +
                  DNS64_BLOCKS)
        cls.hayate = HayateDaemon(None, [], extra_config=config).start()
        stub = f"127.0.0.1@{cls.plain.port}"
        cls.unbound = UnboundDaemon(["www.unbound.test. 300 IN A 192.0.2.80"],
                                    stub_zones={"dns64.test.": stub},
                                    module_config="dns64 iterator",
                                    server_lines=[f"dns64-prefix: {NSP}/96"]).start()

    @classmethod
    def tearDownClass(cls):
        cls.unbound.cleanup()
        cls.hayate.cleanup()
        cls.stop_plain()

    def test_same_record_sets_for_every_name(self):
        self.assertGreaterEqual(len(self.NAMES), 50)
        for name in self.NAMES:
            qname = f"{name}.dns64.test"
            ours = ask(self.hayate, DNS64, qname)
            theirs = dig(self.unbound, qname, "AAAA")
            self.assertEqual(ours.status, theirs.status, f"{qname}\n{ours.text}\n{theirs.text}")
            self.assertEqual(without_ttl(ours.answer), without_ttl(theirs.answer), qname)
            # Where the TTLs differ, and why: hayate gives a synthesized AAAA min(A TTL, SOA TTL
            # of the negative AAAA answer) as RFC 6147 §5.1.7 asks (here min(3000, 300) = 300
            # for the v4-* names); Unbound's dns64 module copies the A record's TTL (3000). So
            # ours is never longer, and the records and CNAME TTLs are the same.
            for line, other in zip(sorted(ours.answer), sorted(theirs.answer)):
                if line.split()[3] == "AAAA" and not line.split()[4].startswith("2001:db8:d"):
                    self.assertLessEqual(int(line.split()[1]), int(other.split()[1]), qname)


if __name__ == "__main__":
    daemon_harness.main()
