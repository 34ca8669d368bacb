#!/usr/bin/python3
"""An answer larger than the interface MTU (issue 8): hayate's IPv4 UDP answers are never
fragmented (IP_PMTUDISC_PROBE), so one that the link cannot carry whole goes as header, question
and OPT with TC=1, and dig gets the full answer over TCP. In a private network namespace whose
loopback has a 1,300-octet MTU, with udp-payload-size 4096 so that the 2,100-octet huge TXT
answer would otherwise have gone as fragments. Needs root: exits 77 (skipped) without it.

    /usr/bin/python3 tests/system/test_mtu.py --hayate build/server/hayate
"""

import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import dns.message  # noqa: E402  (Debian's python3-dnspython)

import daemon_harness as harness  # noqa: E402
from daemon_harness import kdig_json  # noqa: E402
from test_answers import DaemonTestCase, udp_raw  # noqa: E402

LOOPBACK_MTU = 1300


class AnswerOverTheMtuTest(DaemonTestCase):
    server_options = {"udp-payload-size": 4096}

    def test_answer_over_the_mtu_goes_truncated_with_opt(self):
        k = kdig_json(self.daemon, "huge.example.com", "TXT", "+notcp", "+ignore", "+bufsize=4096")
        self.assertEqual((k["TC"], k["AA"], k["RCODE"], k["ANCOUNT"], k["NSCOUNT"], k["ARCOUNT"]),
                         (1, 1, 0, 0, 0, 1), k)
        m = dns.message.make_query("huge.example.com", "TXT", use_edns=0, payload=4096)
        data = udp_raw(self.daemon, m.to_wire())
        self.assertIsNotNone(data)
        r = dns.message.from_wire(data)
        self.assertEqual(r.id, m.id)
        self.assertEqual(r.question, m.question)
        self.assertEqual(r.edns, 0)                 # RFC 6891 §7: OPT answered with OPT
        self.assertEqual(r.payload, 4096)

    def test_dig_gets_the_whole_answer_over_tcp(self):
        r = self.dig("huge.example.com", "TXT", "+bufsize=4096")
        self.assertIn("Truncated, retrying in TCP mode", r.text)
        self.assertAnswered(r)
        self.assertEqual(len(r.answer), 10, r.text)

    def test_answer_under_the_mtu_goes_whole(self):
        r = self.dig("big.example.com", "TXT", "+bufsize=4096", "+ignore")
        self.assertAnswered(r)
        self.assertEqual(len(r.answer), 8, r.text)


if __name__ == "__main__":
    harness.enter_private_namespace(__file__)
    subprocess.run(["ip", "link", "set", "lo", "mtu", str(LOOPBACK_MTU)], check=True)
    harness.main()
