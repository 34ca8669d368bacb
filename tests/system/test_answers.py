#!/usr/bin/python3
"""System tests of hayate's authoritative answers (issue 3): the real daemon on a free loopback
port, serving tests/system/zones/, asked with dig and kdig (and dnspython where a query has to be
crafted byte by byte).

    /usr/bin/python3 tests/system/test_answers.py --hayate build/server/hayate [-k PATTERN]
"""

import os
import random
import socket
import struct
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import dns.edns  # noqa: E402  (Debian's python3-dnspython)
import dns.flags  # noqa: E402
import dns.message  # noqa: E402
import dns.name  # noqa: E402
import dns.opcode  # noqa: E402
import dns.rcode  # noqa: E402
import dns.rdataclass  # noqa: E402
import dns.rdatatype  # noqa: E402
import dns.rrset  # noqa: E402
import dns.zone  # noqa: E402

import daemon_harness as harness  # noqa: E402
from daemon_harness import HayateDaemon, Zone, dig, kdig_json, kdig_json_all, kdig_rrs  # noqa: E402

SOCKET_TIMEOUT = 2.0

SOA_COM = "example.com. {ttl} IN SOA ns1.example.com. hostmaster.example.com. 2024112501 7200 900 1209600 300"
SOA_NET = "example.net. {ttl} IN SOA ns2.example.net. hostmaster.example.net. 7 7200 900 1209600 60"
SOA_CHILD = ("child.example.com. {ttl} IN SOA ns1.child.example.com. "
             "hostmaster.child.example.com. 11 7200 900 1209600 3600")


def test_zones():
    """example.com. transfers to loopback only; child.example.com. to a prefix that is not ours;
    example.net. to nobody."""
    return [Zone("example.com.", "example.com.zone", ["127.0.0.0/8", "::1/128"]),
            Zone("child.example.com.", "child.example.com.zone", ["192.0.2.0/24"]),
            Zone("example.net.", "example.net.zone", [])]


# --- raw exchanges (dnspython for building and reading, our own sockets for sending) -----------

def udp_raw(daemon, wire, timeout=SOCKET_TIMEOUT):
    """Sends one datagram; returns the response bytes, or None when nothing came in `timeout`."""
    return harness.udp_exchange(daemon.address, daemon.port, wire, timeout=timeout)


def udp_message(daemon, message):
    data = udp_raw(daemon, message.to_wire())
    if data is None:
        raise AssertionError(f"no UDP answer to {message.question}")
    return dns.message.from_wire(data)


def tcp_connect(daemon):
    s = socket.create_connection((daemon.address, daemon.port), timeout=SOCKET_TIMEOUT)
    s.settimeout(SOCKET_TIMEOUT)
    return s


def tcp_read_message(s):
    length = struct.unpack("!H", harness.recv_exactly(s, 2))[0]
    return harness.recv_exactly(s, length)


def sorted_lines(lines):
    return sorted(lines)


class DaemonTestCase(unittest.TestCase):
    """One hayate per test class, stopped (and its temp dir removed) even when a test or the
    start-up fails."""

    server_options = {}

    @classmethod
    def setUpClass(cls):
        cls.daemon = HayateDaemon(None, test_zones(), server=cls.server_options)
        cls.addClassCleanup(cls.daemon.cleanup)
        cls.daemon.start()

    def tearDown(self):
        # A test that killed the daemon must not be hidden by the next one failing oddly.
        self.assertTrue(self.daemon.alive(), f"hayate died during the test:\n{self.daemon.log()}")

    def dig(self, qname, qtype="A", *options, **kw):
        return dig(self.daemon, qname, qtype, *options, **kw)

    def assertAnswered(self, r, status="NOERROR", aa=True):
        self.assertEqual(r.status, status, r.text)
        self.assertIn("qr", r.flags, r.text)
        if aa:
            self.assertIn("aa", r.flags, r.text)
        else:
            self.assertNotIn("aa", r.flags, r.text)
        self.assertNotIn("ra", r.flags, r.text)   # never recursive
        self.assertNotIn("tc", r.flags, r.text)

    def assertServing(self):
        """The daemon is alive and answers a good query."""
        r = self.dig("web.example.com", "A")
        self.assertEqual(r.answer, ["web.example.com. 3600 IN A 192.0.2.80"], r.text)


class AnswerTest(DaemonTestCase):
    # --- AA, zone choice, REFUSED ----------------------------------------------------------------

    def test_exact_match_is_authoritative_and_minimal(self):
        r = self.dig("web.example.com", "A")
        self.assertAnswered(r)
        self.assertEqual(r.flags, {"qr", "aa", "rd"})   # RD copied, RA clear
        self.assertEqual(r.answer, ["web.example.com. 3600 IN A 192.0.2.80"])
        self.assertEqual(r.authority, [])
        self.assertEqual(r.additional, [])
        k = kdig_json(self.daemon, "web.example.com", "AAAA", "+nordflag")
        self.assertEqual((k["QR"], k["AA"], k["TC"], k["RD"], k["RA"], k["RCODE"]), (1, 1, 0, 0, 0, 0))
        self.assertEqual(kdig_rrs(k, "answerRRs"), ["web.example.com. 3600 AAAA 2001:db8::80"])

    def test_rd_clear_in_query_stays_clear(self):
        r = self.dig("web.example.com", "A", "+nordflag")
        self.assertEqual(r.flags, {"qr", "aa"})

    def test_record_with_its_own_ttl(self):
        r = self.dig("short.example.com", "A")
        self.assertEqual(r.answer, ["short.example.com. 60 IN A 192.0.2.12"])

    def test_longest_matching_zone_is_chosen(self):
        r = self.dig("www.child.example.com", "A")
        self.assertAnswered(r)
        self.assertEqual(r.answer, ["www.child.example.com. 3600 IN A 192.0.2.61"])
        # The child's apex is answered from the child zone, not as a referral from the parent.
        soa = self.dig("child.example.com", "SOA")
        self.assertAnswered(soa)
        self.assertEqual(soa.answer, [SOA_CHILD.format(ttl=120)])
        ns = self.dig("child.example.com", "NS")
        self.assertAnswered(ns)
        self.assertEqual(ns.answer, ["child.example.com. 3600 IN NS ns1.child.example.com."])
        self.assertEqual(ns.additional, ["ns1.child.example.com. 3600 IN A 192.0.2.60"])
        # And a missing name there is the child's NXDOMAIN, with the child's SOA.
        nx = self.dig("nothere.child.example.com", "A")
        self.assertAnswered(nx, "NXDOMAIN")
        self.assertEqual(nx.authority, [SOA_CHILD.format(ttl=120)])

    def test_names_in_no_zone_are_refused(self):
        for qname in ("www.example.org", "com", ".", "example.co"):
            with self.subTest(qname=qname):
                r = self.dig(qname, "A")
                self.assertAnswered(r, "REFUSED", aa=False)
                self.assertEqual((r.answer, r.authority, r.additional), ([], [], []))
        k = kdig_json(self.daemon, "www.example.org", "A")
        self.assertEqual((k["RCODE"], k["AA"]), (5, 0))

    # --- CNAME ------------------------------------------------------------------------------------

    def test_cname_chain_is_followed_inside_the_zone(self):
        r = self.dig("chain.example.com", "A")
        self.assertAnswered(r)
        self.assertEqual(r.answer, ["chain.example.com. 3600 IN CNAME www.example.com.",
                                    "www.example.com. 3600 IN CNAME web.example.com.",
                                    "web.example.com. 3600 IN A 192.0.2.80"])
        self.assertEqual((r.authority, r.additional), ([], []))
        k = kdig_json(self.daemon, "chain.example.com", "AAAA")
        self.assertEqual(kdig_rrs(k, "answerRRs"),
                         ["chain.example.com. 3600 CNAME www.example.com.",
                          "www.example.com. 3600 CNAME web.example.com.",
                          "web.example.com. 3600 AAAA 2001:db8::80"])

    def test_cname_chain_is_followed_across_zones(self):
        r = self.dig("external.example.com", "A")
        self.assertAnswered(r)
        self.assertEqual(r.answer, ["external.example.com. 3600 IN CNAME www.example.net.",
                                    "www.example.net. 600 IN A 198.51.100.80"])
        child = self.dig("to-child.example.com", "A")
        self.assertAnswered(child)
        self.assertEqual(child.answer,
                         ["to-child.example.com. 3600 IN CNAME www.child.example.com.",
                          "www.child.example.com. 3600 IN A 192.0.2.61"])
        back = self.dig("back.example.net", "A")
        self.assertAnswered(back)
        self.assertEqual(back.answer, ["back.example.net. 600 IN CNAME web.example.com.",
                                       "web.example.com. 3600 IN A 192.0.2.80"])

    def test_cname_query_gets_the_cname_only(self):
        r = self.dig("www.example.com", "CNAME")
        self.assertAnswered(r)
        self.assertEqual(r.answer, ["www.example.com. 3600 IN CNAME web.example.com."])

    def test_cname_out_of_our_zones_ends_the_chain(self):
        r = self.dig("outside.example.com", "A")
        self.assertAnswered(r)
        self.assertEqual(r.answer, ["outside.example.com. 3600 IN CNAME www.example.org."])
        self.assertEqual(r.authority, [])

    def test_dangling_cname_gives_nxdomain_with_the_chain(self):
        r = self.dig("dangling.example.com", "A")
        self.assertAnswered(r, "NXDOMAIN")   # RFC 6604: the rcode of the last name
        self.assertEqual(r.answer, ["dangling.example.com. 3600 IN CNAME nothing.example.com."])
        self.assertEqual(r.authority, [SOA_COM.format(ttl=300)])

    def test_cname_loop_is_stopped(self):
        start = time.monotonic()
        r = self.dig("loop1.example.com", "A")
        self.assertAnswered(r)
        self.assertEqual(r.answer, ["loop1.example.com. 3600 IN CNAME loop2.example.com.",
                                    "loop2.example.com. 3600 IN CNAME loop1.example.com."])
        this = self.dig("self.example.com", "A")
        self.assertAnswered(this)
        self.assertEqual(this.answer, ["self.example.com. 3600 IN CNAME self.example.com."])
        self.assertLess(time.monotonic() - start, 5.0)

    # --- wildcards --------------------------------------------------------------------------------

    def test_wildcard_answers_with_the_query_name_as_owner(self):
        for qname in ("anything.wild.example.com", "a.b.c.wild.example.com"):
            with self.subTest(qname=qname):
                r = self.dig(qname, "TXT")
                self.assertAnswered(r)
                self.assertEqual(r.answer, [f"{qname}. 3600 IN TXT \"wildcard\""])
        k = kdig_json(self.daemon, "kdig.wild.example.com", "TXT")
        self.assertEqual(kdig_rrs(k, "answerRRs"), ['kdig.wild.example.com. 3600 TXT "wildcard"'])
        self.assertEqual(k["AA"], 1)

    def test_wildcard_does_not_cover_existing_names(self):
        r = self.dig("exists.wild.example.com", "TXT")
        self.assertAnswered(r)
        self.assertEqual(r.answer, [])
        self.assertEqual(r.authority, [SOA_COM.format(ttl=300)])

    def test_wildcard_nodata(self):
        r = self.dig("anything.wild.example.com", "A")
        self.assertAnswered(r)
        self.assertEqual(r.answer, [])
        self.assertEqual(r.authority, [SOA_COM.format(ttl=300)])

    def test_wildcard_cname_is_followed(self):
        r = self.dig("x.y.wc.example.com", "A")
        self.assertAnswered(r)
        self.assertEqual(r.answer, ["x.y.wc.example.com. 3600 IN CNAME web.example.com.",
                                    "web.example.com. 3600 IN A 192.0.2.80"])

    def test_wildcard_mx_gets_additional_addresses(self):
        r = self.dig("host.wild.example.com", "MX")
        self.assertAnswered(r)
        self.assertEqual(r.answer, ["host.wild.example.com. 3600 IN MX 10 mail.example.com."])
        self.assertEqual(sorted(r.additional), ["mail.example.com. 3600 IN A 192.0.2.25",
                                                "mail.example.com. 3600 IN AAAA 2001:db8::25"])

    # --- delegation -------------------------------------------------------------------------------

    def test_delegation_gives_a_referral_with_glue(self):
        for qname, qtype in (("www.sub.example.com", "A"), ("sub.example.com", "NS"),
                             ("deep.www.sub.example.com", "MX"), ("ns.sub.example.com", "A")):
            with self.subTest(qname=qname, qtype=qtype):
                r = self.dig(qname, qtype)
                self.assertAnswered(r, aa=False)
                self.assertEqual(r.answer, [])
                self.assertEqual(sorted(r.authority),
                                 ["sub.example.com. 3600 IN NS ns.example.net.",
                                  "sub.example.com. 3600 IN NS ns.sub.example.com."])
                # In-domain glue; ns.example.net. is another zone's name, not glue.
                self.assertEqual(sorted(r.additional),
                                 ["ns.sub.example.com. 3600 IN A 192.0.2.53",
                                  "ns.sub.example.com. 3600 IN AAAA 2001:db8::53"])
        k = kdig_json(self.daemon, "www.sub.example.com", "A")
        self.assertEqual((k["AA"], k["RCODE"], k["ANCOUNT"], k["NSCOUNT"]), (0, 0, 0, 2))
        self.assertEqual(sorted(kdig_rrs(k, "additionalRRs")),
                         ["ns.sub.example.com. 3600 A 192.0.2.53",
                          "ns.sub.example.com. 3600 AAAA 2001:db8::53"])

    def test_ds_at_a_delegation_is_answered_by_the_parent(self):
        r = self.dig("sub.example.com", "DS")
        self.assertAnswered(r)
        self.assertEqual(len(r.answer), 1, r.text)
        self.assertTrue(r.answer[0].startswith("sub.example.com. 3600 IN DS 12345 13 2 "), r.text)
        self.assertEqual(r.authority, [])

    def test_ds_at_the_apex_of_a_child_zone_we_also_serve_comes_from_the_parent(self):
        # RFC 4035 §3.1.4.1: DS lives on the parent side of the cut, even when the server has the
        # child zone too (Knot and NSD answer from example.com: NODATA with its SOA).
        r = self.dig("child.example.com", "DS")
        self.assertAnswered(r)
        self.assertEqual(r.answer, [])
        self.assertEqual(r.authority, [SOA_COM.format(ttl=300)])

    # --- DNAME ------------------------------------------------------------------------------------

    def test_dname_synthesizes_a_cname(self):
        r = self.dig("a.dn.example.com", "A")
        self.assertAnswered(r)
        self.assertEqual(r.answer, ["dn.example.com. 3600 IN DNAME target.example.com.",
                                    "a.dn.example.com. 3600 IN CNAME a.target.example.com.",
                                    "a.target.example.com. 3600 IN A 192.0.2.99"])

    def test_dname_with_qtype_cname_answers_with_the_synthesized_cname(self):
        # RFC 6672 §3.2 with RFC 1034 §4.3.2 step 3a: the synthesized CNAME answers a CNAME
        # question; it is not followed (Knot and NSD: NOERROR, DNAME + CNAME, nothing else).
        for qname in ("a.dn.example.com", "x.dn.example.com"):
            with self.subTest(qname=qname):
                r = self.dig(qname, "CNAME")
                self.assertAnswered(r)
                label = qname.split(".")[0]
                self.assertEqual(r.answer, [
                    "dn.example.com. 3600 IN DNAME target.example.com.",
                    f"{qname}. 3600 IN CNAME {label}.target.example.com."])
                self.assertEqual(r.authority, [])

    # --- negative answers ------------------------------------------------------------------------

    def test_nxdomain_has_the_soa_with_negative_ttl(self):
        # TTL = min(SOA TTL, SOA MINIMUM): 300 (MINIMUM lower), 60 (MINIMUM lower), 120 (TTL lower).
        for qname, soa in (("nothere.example.com", SOA_COM.format(ttl=300)),
                           ("a.b.nothere.example.com", SOA_COM.format(ttl=300)),
                           ("nothere.example.net", SOA_NET.format(ttl=60)),
                           ("nothere.child.example.com", SOA_CHILD.format(ttl=120))):
            with self.subTest(qname=qname):
                r = self.dig(qname, "A")
                self.assertAnswered(r, "NXDOMAIN")
                self.assertEqual(r.answer, [])
                self.assertEqual(r.authority, [soa])
                self.assertEqual(r.additional, [])
        k = kdig_json(self.daemon, "nothere.example.com", "A")
        self.assertEqual((k["RCODE"], k["AA"]), (3, 1))
        self.assertEqual([rr["TTL"] for rr in k["authorityRRs"]], [300])

    def test_nodata_has_the_soa_with_negative_ttl(self):
        for qname, qtype, soa in (("mail.example.com", "TXT", SOA_COM.format(ttl=300)),
                                  ("example.com", "AAAA", SOA_COM.format(ttl=300)),
                                  ("www.example.net", "MX", SOA_NET.format(ttl=60)),
                                  ("www.child.example.com", "AAAA", SOA_CHILD.format(ttl=120))):
            with self.subTest(qname=qname, qtype=qtype):
                r = self.dig(qname, qtype)
                self.assertAnswered(r)
                self.assertEqual(r.answer, [])
                self.assertEqual(r.authority, [soa])

    def test_empty_non_terminal_is_nodata(self):
        for qname in ("b.ent.example.com", "ent.example.com"):
            with self.subTest(qname=qname):
                r = self.dig(qname, "A")
                self.assertAnswered(r)
                self.assertEqual(r.answer, [])
                self.assertEqual(r.authority, [SOA_COM.format(ttl=300)])

    # --- additional section -----------------------------------------------------------------------

    def test_ns_targets_get_additional_addresses(self):
        r = self.dig("example.com", "NS")
        self.assertAnswered(r)
        self.assertEqual(sorted(r.answer), ["example.com. 3600 IN NS ns1.example.com.",
                                            "example.com. 3600 IN NS ns2.example.net."])
        self.assertEqual(sorted(r.additional), ["ns1.example.com. 3600 IN A 192.0.2.1",
                                                "ns1.example.com. 3600 IN AAAA 2001:db8::1",
                                                "ns2.example.net. 600 IN A 198.51.100.2"])
        self.assertEqual(r.authority, [])

    def test_mx_targets_get_additional_addresses(self):
        r = self.dig("example.com", "MX")
        self.assertAnswered(r)
        self.assertEqual(sorted(r.answer), ["example.com. 3600 IN MX 10 mail.example.com.",
                                            "example.com. 3600 IN MX 20 mx.elsewhere.invalid."])
        # mx.elsewhere.invalid. is in no zone of ours: nothing for it.
        self.assertEqual(sorted(r.additional), ["mail.example.com. 3600 IN A 192.0.2.25",
                                                "mail.example.com. 3600 IN AAAA 2001:db8::25"])

    def test_srv_targets_get_additional_addresses(self):
        r = self.dig("_sip._udp.example.com", "SRV")
        self.assertAnswered(r)
        self.assertEqual(len(r.answer), 2, r.text)
        self.assertEqual(sorted(r.additional), ["sip.example.com. 3600 IN A 192.0.2.50",
                                                "sip2.example.com. 3600 IN AAAA 2001:db8::52"])
        k = kdig_json(self.daemon, "_sip._udp.example.com", "SRV")
        self.assertEqual(sorted(kdig_rrs(k, "additionalRRs")),
                         ["sip.example.com. 3600 A 192.0.2.50",
                          "sip2.example.com. 3600 AAAA 2001:db8::52"])

    # --- EDNS -------------------------------------------------------------------------------------

    def test_edns_opt_is_echoed_with_our_payload_size(self):
        r = self.dig("web.example.com", "A", "+bufsize=4096", "+nocookie")
        self.assertAnswered(r)
        self.assertEqual(r.edns, {"version": "0", "flags": "", "udp": "1232"}, r.text)
        small = self.dig("web.example.com", "A", "+bufsize=512")
        self.assertEqual(small.edns["udp"], "1232", small.text)
        do = self.dig("web.example.com", "A", "+dnssec")
        self.assertEqual(do.edns["flags"], "do", do.text)   # RFC 3225: DO copied
        plain = self.dig("web.example.com", "A", "+noedns")
        self.assertIsNone(plain.edns, plain.text)
        self.assertEqual(plain.answer, ["web.example.com. 3600 IN A 192.0.2.80"])
        k = kdig_json(self.daemon, "web.example.com", "A", "+edns", "+bufsize=4096")
        opt = [rr for rr in k["additionalRRs"] if rr["TYPEname"] == "OPT"]
        self.assertEqual(len(opt), 1, k)
        self.assertEqual(opt[0]["CLASS"], 1232)

    def test_edns_version_above_zero_is_badvers(self):
        r = self.dig("web.example.com", "A", "+edns=1", "+noednsnegotiation")
        self.assertEqual(r.status, "BADVERS", r.text)
        self.assertEqual(r.edns["version"], "0", r.text)   # RFC 6891 §6.1.3: the version we do
        self.assertEqual(r.answer, [])
        m = dns.message.make_query("web.example.com", "A")
        m.use_edns(2)
        self.assertEqual(m.edns, 2)
        resp = udp_message(self.daemon, m)
        self.assertEqual(resp.rcode(), dns.rcode.BADVERS)
        self.assertEqual(resp.edns, 0)

    def test_two_opt_records_are_formerr(self):
        m = dns.message.make_query("web.example.com", "A", use_edns=0)
        wire = bytearray(m.to_wire())
        opt = bytes(wire[-11:])                     # root, OPT, 1232, ttl 0, rdlen 0
        self.assertEqual(opt[:3], b"\x00\x00\x29")
        wire += opt
        struct.pack_into("!H", wire, 10, 2)         # ARCOUNT = 2
        data = udp_raw(self.daemon, bytes(wire))
        self.assertIsNotNone(data, "no answer to a query with two OPT records")
        flags = struct.unpack("!H", data[2:4])[0]
        self.assertEqual(struct.unpack("!H", data[:2])[0], m.id)
        self.assertEqual(flags & 0x000F, dns.rcode.FORMERR)
        self.assertTrue(flags & 0x8000)
        self.assertServing()

    def test_unknown_edns_options_are_ignored(self):
        r = self.dig("web.example.com", "A", "+ednsopt=65001:abcd")
        self.assertAnswered(r)
        self.assertEqual(r.answer, ["web.example.com. 3600 IN A 192.0.2.80"])
        self.assertEqual(r.edns["udp"], "1232")
        self.assertNotIn("65001", r.text)          # not echoed back
        k = kdig_json(self.daemon, "web.example.com", "A", "+ednsopt=65001:abcd", "+ednsopt=65002")
        self.assertEqual((k["RCODE"], kdig_rrs(k, "answerRRs")),
                         (0, ["web.example.com. 3600 A 192.0.2.80"]))

    # --- truncation and TCP -------------------------------------------------------------------

    def test_large_answer_is_truncated_over_udp_without_edns(self):
        r = self.dig("big.example.com", "TXT", "+noedns", "+ignore")
        self.assertEqual(r.status, "NOERROR", r.text)
        self.assertIn("tc", r.flags, r.text)
        self.assertIn("aa", r.flags, r.text)
        self.assertEqual(r.answer, [])             # an RRset is never split
        k = kdig_json(self.daemon, "big.example.com", "TXT", "+notcp", "+ignore")
        self.assertEqual((k["TC"], k["ANCOUNT"]), (1, 0))
        self.assertLessEqual(k["msgLength"], 512)

    def test_large_answer_fits_with_edns(self):
        r = self.dig("big.example.com", "TXT", "+bufsize=1232", "+ignore")
        self.assertAnswered(r)
        self.assertEqual(len(r.answer), 8, r.text)

    def test_answer_above_our_payload_size_is_truncated_even_with_edns(self):
        r = self.dig("huge.example.com", "TXT", "+bufsize=4096", "+ignore")
        self.assertIn("tc", r.flags, r.text)
        self.assertEqual(r.answer, [])
        m = dns.message.make_query("huge.example.com", "TXT", use_edns=0, payload=4096)
        data = udp_raw(self.daemon, m.to_wire())
        self.assertLessEqual(len(data), 1232)     # our own limit, not the client's 4096

    def test_truncated_answer_is_complete_over_tcp(self):
        for qname, count in (("big.example.com", 8), ("huge.example.com", 10)):
            with self.subTest(qname=qname):
                r = self.dig(qname, "TXT", "+tcp", "+noedns")
                self.assertAnswered(r)
                self.assertEqual(len(r.answer), count, r.text)

    def test_dig_retries_over_tcp_after_truncation(self):
        r = self.dig("big.example.com", "TXT", "+noedns")   # no +ignore: dig falls back to TCP
        self.assertIn("Truncated, retrying in TCP mode", r.text)
        self.assertAnswered(r)
        self.assertEqual(len(r.answer), 8, r.text)
        k = kdig_json(self.daemon, "huge.example.com", "TXT", "+edns")
        self.assertEqual((k["TC"], k["ANCOUNT"]), (0, 10))

    def test_tcp_pipelined_queries_are_all_answered(self):
        names = ["web.example.com", "mail.example.com", "www.example.net", "nothere.example.com",
                 "huge.example.com", "www.sub.example.com", "chain.example.com", "ns1.example.com"]
        queries = {}
        payload = b""
        for i, qname in enumerate(names * 3):
            m = dns.message.make_query(qname, "TXT" if qname.startswith("huge") else "A")
            m.id = 1000 + i
            queries[m.id] = m
            wire = m.to_wire()
            payload += struct.pack("!H", len(wire)) + wire
        with tcp_connect(self.daemon) as s:
            s.sendall(payload)                       # all at once, before reading anything
            answers = {}
            for _ in queries:
                resp = dns.message.from_wire(tcp_read_message(s))
                answers[resp.id] = resp
        self.assertEqual(set(answers), set(queries))   # any order (RFC 7766 §6.2.1.1)
        for qid, resp in answers.items():
            self.assertEqual(resp.question, queries[qid].question)
            self.assertFalse(resp.flags & dns.flags.TC)
        # kdig keeping one connection open for several questions.
        ks = kdig_json_all(self.daemon, "+tcp", "+keepopen", "web.example.com", "A",
                           "mail.example.com", "A", "huge.example.com", "TXT")
        self.assertEqual([k["ANCOUNT"] for k in ks], [1, 1, 10])

    def test_tcp_connection_serves_queries_one_after_another(self):
        with tcp_connect(self.daemon) as s:
            for qname in ("web.example.com", "mail.example.com", "ns1.example.com"):
                m = dns.message.make_query(qname, "A")
                wire = m.to_wire()
                s.sendall(struct.pack("!H", len(wire)) + wire)
                resp = dns.message.from_wire(tcp_read_message(s))
                self.assertEqual(resp.id, m.id)
                self.assertEqual(len(resp.answer), 1)

    # --- malformed queries ------------------------------------------------------------------------

    def test_malformed_queries_get_formerr(self):
        good = dns.message.make_query("web.example.com", "A").to_wire()
        qid = struct.unpack("!H", good[:2])[0]
        cases = {
            "question cut short": good[:-3],
            "QDCOUNT 0": good[:4] + b"\x00\x00" + good[6:12],
            "QDCOUNT 2": good[:4] + b"\x00\x02" + good[6:],
            "label past the end": good[:12] + b"\x3f" + b"a" * 10,
            "ANCOUNT 1 without a record": good[:6] + b"\x00\x01" + good[8:],
            "octets after the question": good + b"\x00\x00\x00",
        }
        for what, wire in cases.items():
            with self.subTest(what):
                data = udp_raw(self.daemon, wire)
                self.assertIsNotNone(data, f"no answer to a malformed query ({what})")
                self.assertEqual(struct.unpack("!H", data[:2])[0], qid)
                flags = struct.unpack("!H", data[2:4])[0]
                self.assertTrue(flags & 0x8000)
                self.assertEqual(flags & 0xF, dns.rcode.FORMERR, what)
        self.assertServing()

    def test_responses_and_runts_get_no_answer(self):
        good = dns.message.make_query("web.example.com", "A").to_wire()
        response = bytearray(good)
        response[2] |= 0x80                            # QR=1: never answer a response
        for what, wire in {"QR=1": bytes(response), "5-octet runt": good[:5],
                           "empty datagram": b"", "11-octet header": good[:11]}.items():
            with self.subTest(what):
                self.assertIsNone(udp_raw(self.daemon, wire, timeout=0.5),
                                  f"hayate answered a {what} packet")
        self.assertServing()

    def test_garbage_does_not_stop_the_daemon(self):
        rng = random.Random(3)
        good = dns.message.make_query("web.example.com", "A").to_wire()
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            for i in range(600):
                kind = i % 4
                if kind == 0:
                    packet = bytes(rng.randrange(256) for _ in range(rng.randrange(0, 600)))
                elif kind == 1:                         # a good header, then noise
                    packet = good[:12] + bytes(rng.randrange(256) for _ in range(rng.randrange(40)))
                elif kind == 2:                         # random bit flips of a good query
                    packet = bytearray(good)
                    for _ in range(3):
                        packet[rng.randrange(len(packet))] ^= 1 << rng.randrange(8)
                    packet = bytes(packet)
                else:                                   # compression pointer loops
                    packet = good[:12] + b"\xc0\x0c" + b"\x00\x01\x00\x01"
                s.sendto(packet, (self.daemon.address, self.daemon.port))
        # Garbage over TCP too: framed noise, a length that never completes, a bare close.
        for length, body in ((40, bytes(rng.randrange(256) for _ in range(40))),
                             (300, b"\x12\x34"), (0, b"")):
            with tcp_connect(self.daemon) as t:
                t.sendall(struct.pack("!H", length) + body)
        self.assertServing()
        r = self.dig("www.example.net", "A", "+tcp")
        self.assertEqual(r.answer, ["www.example.net. 600 IN A 198.51.100.80"])

    # --- opcodes and classes ----------------------------------------------------------------------

    def test_unknown_opcodes_are_notimp(self):
        for opcode in ("15", "3", "6"):
            with self.subTest(opcode=opcode):
                r = self.dig("web.example.com", "A", f"+opcode={opcode}")
                self.assertEqual(r.status, "NOTIMP", r.text)
                self.assertEqual(r.answer, [])
        m = dns.message.make_query("example.com", "SOA")
        m.set_opcode(dns.opcode.UPDATE)
        self.assertEqual(udp_message(self.daemon, m).rcode(), dns.rcode.NOTIMP)

    def test_classes_other_than_in_ch_any_are_refused(self):
        for qclass in ("HS", "NONE", "CLASS42"):
            with self.subTest(qclass=qclass):
                r = self.dig("web.example.com", "A", qclass=qclass)
                self.assertAnswered(r, "REFUSED", aa=False)
                self.assertEqual(r.answer, [])
        k = kdig_json(self.daemon, "web.example.com", "A", qclass="CLASS4")   # HS
        self.assertEqual(k["RCODE"], 5)

    def test_class_any_is_answered_from_in(self):
        r = self.dig("web.example.com", "A", qclass="ANY")
        self.assertEqual(r.status, "NOERROR", r.text)
        self.assertEqual(r.answer, ["web.example.com. 3600 IN A 192.0.2.80"])

    def test_chaos_identity_is_hidden_by_default(self):
        for qname in ("version.bind", "version.server", "id.server", "hostname.bind"):
            with self.subTest(qname=qname):
                r = self.dig(qname, "TXT", qclass="CH")
                self.assertEqual(r.status, "REFUSED", r.text)
                self.assertEqual(r.answer, [])

    # --- ANY, AXFR ----------------------------------------------------------------------------

    def test_any_gives_one_rrset_over_udp(self):
        r = self.dig("multi.example.com", "ANY", "+notcp")   # dig 9.18 uses TCP for ANY
        self.assertAnswered(r)
        self.assertEqual(len(r.answer), 1, r.text)         # RFC 8482 §4.2
        self.assertIn(r.answer[0], ["multi.example.com. 3600 IN A 192.0.2.10",
                                    "multi.example.com. 3600 IN AAAA 2001:db8::10",
                                    'multi.example.com. 3600 IN TXT "multi"'])
        apex = self.dig("example.com", "ANY", "+notcp")
        self.assertEqual(len({line.split()[3] for line in apex.answer}), 1, apex.text)
        tcp = self.dig("multi.example.com", "ANY", "+tcp")
        self.assertEqual(len(tcp.answer), 3, tcp.text)     # by design: all over TCP
        k = kdig_json(self.daemon, "multi.example.com", "ANY", "+notcp")
        self.assertEqual(k["ANCOUNT"], 1)
        nx = self.dig("nothere.example.com", "ANY", "+notcp")
        self.assertAnswered(nx, "NXDOMAIN")

    def zone_records(self, origin, filename):
        zone = dns.zone.from_file(str(harness.ZONES_DIR / filename), origin=origin,
                                  relativize=False)
        lines = set()
        for name, ttl, rdata in zone.iterate_rdatas():
            lines.add(f"{name} {ttl} IN {dns.rdatatype.to_text(rdata.rdtype)} {rdata.to_text()}")
        return lines

    @staticmethod
    def canonical(line):
        """A dig RR line in dnspython's text form (dig splits long hex, dnspython does not)."""
        name, ttl, rdclass, rdtype, rdata = line.split(" ", 4)
        rr = dns.rrset.from_text(name, int(ttl), rdclass, rdtype, rdata)
        return f"{name} {ttl} {rdclass} {rdtype} {rr[0].to_text()}"

    def test_axfr_over_tcp_to_an_allowed_address(self):
        proc = harness.run_tool(["dig", "@127.0.0.1", "-p", str(self.daemon.port), "+nocomments",
                                 "+nostats", "+nocmd", "+noquestion", "example.com", "AXFR"])
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        lines = [harness.normalise_rr(line) for line in proc.stdout.splitlines()
                 if line and not line.startswith(";")]
        self.assertNotIn("Transfer failed", proc.stdout)
        self.assertGreater(len(lines), 3, proc.stdout)
        self.assertEqual(lines[0], SOA_COM.format(ttl=3600))
        self.assertEqual(lines[-1], SOA_COM.format(ttl=3600))
        expected = self.zone_records("example.com.", "example.com.zone")
        lines = [self.canonical(line) for line in lines]
        body = lines[1:-1]
        self.assertEqual(len(body), len(set(body)), "a record sent twice")
        self.assertEqual(set(lines), expected)
        self.assertEqual(len(lines), len(expected) + 1)

        ks = kdig_json_all(self.daemon, "example.com", "AXFR")
        records = [rr for k in ks for rr in k.get("answerRRs", [])]
        self.assertEqual(len(records), len(expected) + 1)
        self.assertEqual((records[0]["TYPEname"], records[-1]["TYPEname"]), ("SOA", "SOA"))
        self.assertTrue(all(k["AA"] == 1 and k["RCODE"] == 0 for k in ks))

    def test_axfr_refused_when_the_acl_does_not_include_us(self):
        for origin in ("child.example.com.", "example.net."):
            with self.subTest(zone=origin):
                proc = harness.run_tool(["dig", "@127.0.0.1", "-p", str(self.daemon.port),
                                         origin, "AXFR"])
                self.assertIn("Transfer failed", proc.stdout)
                m = dns.message.make_query(origin, "AXFR")
                wire = m.to_wire()
                with tcp_connect(self.daemon) as s:
                    s.sendall(struct.pack("!H", len(wire)) + wire)
                    resp = dns.message.from_wire(tcp_read_message(s))
                self.assertEqual(resp.rcode(), dns.rcode.REFUSED)
                self.assertEqual(len(resp.answer), 0)

    def test_axfr_over_udp_is_not_answered_with_the_zone(self):
        resp = udp_message(self.daemon, dns.message.make_query("example.com", "AXFR"))
        self.assertEqual(resp.rcode(), dns.rcode.NOTIMP)
        self.assertEqual(len(resp.answer), 0)

    # --- case -------------------------------------------------------------------------------------

    def test_question_case_is_echoed(self):
        for qname in ("WeB.ExAmPlE.cOm", "WEB.EXAMPLE.COM", "web.example.com", "wEb.eXample.Com"):
            with self.subTest(qname=qname):
                r = self.dig(qname, "A")
                self.assertEqual(r.answer, [f"{qname}. 3600 IN A 192.0.2.80"])
                m = dns.message.make_query(qname, "A")
                data = udp_raw(self.daemon, m.to_wire())
                sent = m.to_wire()[12:12 + len(qname) + 2]
                self.assertEqual(data[12:12 + len(sent)], sent)   # byte for byte
        wild = self.dig("AnY.WiLd.example.com", "TXT")
        self.assertEqual(wild.answer, ['AnY.WiLd.example.com. 3600 IN TXT "wildcard"'])


class ConfiguredChaosTest(DaemonTestCase):
    server_options = {"identity": "ns-systest-1", "version": "hayate systest"}

    def test_chaos_version_and_identity_are_answered_when_configured(self):
        for qname, text in (("version.bind", "hayate systest"), ("VERSION.SERVER", "hayate systest"),
                            ("id.server", "ns-systest-1"), ("hostname.bind", "ns-systest-1")):
            with self.subTest(qname=qname):
                r = self.dig(qname, "TXT", qclass="CH")
                self.assertEqual(r.status, "NOERROR", r.text)
                self.assertIn("aa", r.flags)
                self.assertEqual(r.answer, [f'{qname}. 0 CH TXT "{text}"'])
        k = kdig_json(self.daemon, "version.bind", "TXT", qclass="CH")
        self.assertEqual(k["answerRRs"][0]["rdataTXT"], '"hayate systest"')

    def test_other_chaos_names_are_still_refused(self):
        r = self.dig("authors.bind", "TXT", qclass="CH")
        self.assertEqual(r.status, "REFUSED", r.text)


class PayloadSizeTest(DaemonTestCase):
    server_options = {"udp-payload-size": 4096}

    def test_configured_payload_size_is_advertised_and_used(self):
        r = self.dig("web.example.com", "A", "+bufsize=4096")
        self.assertEqual(r.edns["udp"], "4096", r.text)
        huge = self.dig("huge.example.com", "TXT", "+bufsize=4096", "+ignore")
        self.assertAnswered(huge)
        self.assertEqual(len(huge.answer), 10)
        client_limit = self.dig("huge.example.com", "TXT", "+bufsize=1232", "+ignore")
        self.assertIn("tc", client_limit.flags)    # the client's smaller limit wins


if __name__ == "__main__":
    harness.main()
