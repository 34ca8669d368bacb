"""System test for the resolver side of EDNS Client Subnet (RFC 7871), in a private network
namespace.

The test re-runs itself under `unshare -n` (like test_iterative.py). A small DNS tree is played by
a scripted server (this file run with --fake-tree, dnspython), so the leaf can tailor answers by
the ECS subnet it is sent and log what every server received:

    127.0.0.1    "."         root: priming answer, referral to test.
    127.0.0.11   test.       TLD: referral to geo.test.
    127.0.0.31   geo.test.   the tailoring leaf: A answers by subnet (198.51.100.0/24 → 192.0.2.1,
                             203.0.113.0/24 → 192.0.2.2, 192.0.2.0/24 → 192.0.2.3, any other
                             subnet → 192.0.2.98, no ECS → 192.0.2.99), echoing ECS with SCOPE
                             24; global.geo.test. is the same for everyone (SCOPE 0)
    127.0.0.32   views.test.  hayate's own authoritative server with [[view]] blocks (198.51.100.0/24
                             and 203.0.113.0/24 each get their version of www, others the
                             default view): the same checks against the real thing
    127.0.0.53   the hayate resolver under test: ecs-send, ecs-zones = ["test."] (so geo.test.
                 only: test. is a TLD), ecs-public-v4 = 192.0.2.200 for its private clients
    127.0.0.54   Unbound with its subnetcache module, the cross-check (skipped without unbound)

Clients send ECS themselves (dnspython, like `dig +subnet=`) from 127.0.0.1, or none (then the
resolver's public address stands in for their private one, §11.3).

Needs root (namespace, port 53); without it the test exits 77, which ctest reports as skipped.

usage: test_ecs_resolver.py --hayate PATH --hayatectl PATH [unittest args]
"""

from __future__ import annotations

import ipaddress
import os
import selectors
import shutil
import socket
import struct
import sys
import tempfile
import time
import unittest
from pathlib import Path

import dns.edns
import dns.flags
import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.rdatatype
import dns.rrset

import daemon_harness
from daemon_harness import HayateDaemon, ManagedProcess, Zone, find_binary, hayatectl, \
    hayatectl_stats as stats, minimal_query

ROOT, TLD, LEAF, VIEWS_LEAF = "127.0.0.1", "127.0.0.11", "127.0.0.31", "127.0.0.32"
RESOLVER, UNBOUND = "127.0.0.53", "127.0.0.54"
PUBLIC_V4 = "192.0.2.200"

TAILORED = {  # the leaf's GeoDNS table
    ipaddress.ip_network("198.51.100.0/24"): "192.0.2.1",
    ipaddress.ip_network("203.0.113.0/24"): "192.0.2.2",
    ipaddress.ip_network("192.0.2.0/24"): "192.0.2.3",
}
OTHER_SUBNET_ANSWER = "192.0.2.98"
NO_ECS_ANSWER = "192.0.2.99"
GLOBAL_ANSWER = "192.0.2.100"
SCOPE = 24


# ---------------------------------------------------------------------------------------------
# The scripted tree (run as a child process: this file with --fake-tree LOG)

def ecs_of(message: dns.message.Message):
    return next((o for o in message.options if isinstance(o, dns.edns.ECSOption)), None)


def leaf_address(ecs) -> tuple[str, int]:
    """The A record for a tailored name and the SCOPE to echo."""
    if ecs is None:
        return NO_ECS_ANSWER, 0
    if ecs.srclen == 0:
        return NO_ECS_ANSWER, 0
    client = ipaddress.ip_network(f"{ecs.address}/{ecs.srclen}", strict=False)
    for network, address in TAILORED.items():
        if client.version == network.version and client.subnet_of(network):
            return address, SCOPE
    return OTHER_SUBNET_ANSWER, SCOPE


def add(section, name: str, rdtype: str, *values: str, ttl: int = 300) -> None:
    section.append(dns.rrset.from_text(name, ttl, "IN", rdtype, *values))


def fake_answer(server: str, wire: bytes) -> bytes:
    query = dns.message.from_wire(wire)
    response = dns.message.make_response(query)
    qname = query.question[0].name
    qtype = query.question[0].rdtype
    ecs = ecs_of(query)
    options = []
    text = qname.to_text().lower()
    if server == ROOT:
        if qname == dns.name.root:
            response.flags |= dns.flags.AA
            if qtype == dns.rdatatype.NS:
                add(response.answer, ".", "NS", "a.root.test.", ttl=86400)
                add(response.additional, "a.root.test.", "A", ROOT, ttl=86400)
            else:
                add(response.authority, ".", "SOA", "a.root.test. h.root.test. 1 1800 900 604800 86400")
        elif text.endswith("test."):
            add(response.authority, "test.", "NS", "ns1.nic.test.", ttl=86400)
            add(response.additional, "ns1.nic.test.", "A", TLD, ttl=86400)
        else:
            response.set_rcode(dns.rcode.NXDOMAIN)
            add(response.authority, ".", "SOA", "a.root.test. h.root.test. 1 1800 900 604800 86400")
    elif server == TLD:
        if text.endswith("views.test."):
            add(response.authority, "views.test.", "NS", "ns1.views.test.", ttl=3600)
            add(response.additional, "ns1.views.test.", "A", VIEWS_LEAF, ttl=3600)
        elif text.endswith("geo.test."):
            add(response.authority, "geo.test.", "NS", "ns1.geo.test.", ttl=3600)
            add(response.additional, "ns1.geo.test.", "A", LEAF, ttl=3600)
        else:
            response.flags |= dns.flags.AA
            response.set_rcode(dns.rcode.NXDOMAIN)
            add(response.authority, "test.", "SOA", "ns1.nic.test. h.nic.test. 1 1800 900 604800 300")
    else:
        response.flags |= dns.flags.AA
        if text == "geo.test." and qtype == dns.rdatatype.NS:
            add(response.answer, "geo.test.", "NS", "ns1.geo.test.", ttl=3600)
        elif text == "ns1.geo.test." and qtype == dns.rdatatype.A:
            add(response.answer, "ns1.geo.test.", "A", LEAF, ttl=3600)
        elif qtype == dns.rdatatype.A and text.endswith(".geo.test."):
            if text == "global.geo.test.":
                address, scope = GLOBAL_ANSWER, 0
            else:
                address, scope = leaf_address(ecs)
            add(response.answer, text, "A", address)
            if ecs is not None:
                options = [dns.edns.ECSOption(ecs.address, ecs.srclen, scope)]
        else:
            add(response.authority, "geo.test.", "SOA", "ns1.geo.test. h.geo.test. 1 1800 900 604800 300")
    if query.edns >= 0:
        response.use_edns(0, 0, 1232, options=options)
    return response.to_wire()


def log_query(log, server: str, wire: bytes) -> None:
    try:
        query = dns.message.from_wire(wire)
        ecs = ecs_of(query)
        ecs_text = f"{ecs.address}/{ecs.srclen}" if ecs else "none"
        log.write(f"{server} {query.question[0].name.to_text().lower()} "
                  f"{dns.rdatatype.to_text(query.question[0].rdtype)} ecs={ecs_text}\n")
        log.flush()
    except Exception as error:  # a query dnspython cannot read: logged, not answered
        log.write(f"{server} unreadable {error}\n")
        log.flush()


def serve_fake_tree(log_path: str) -> None:
    selector = selectors.DefaultSelector()
    for address in (ROOT, TLD, LEAF):
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        udp.bind((address, 53))
        selector.register(udp, selectors.EVENT_READ, ("udp", address))
        tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        tcp.bind((address, 53))
        tcp.listen(16)
        selector.register(tcp, selectors.EVENT_READ, ("tcp", address))
    with open(log_path, "a") as log:
        while True:
            for key, _ in selector.select():
                kind, address = key.data
                if kind == "udp":
                    wire, peer = key.fileobj.recvfrom(65535)
                    log_query(log, address, wire)
                    try:
                        key.fileobj.sendto(fake_answer(address, wire), peer)
                    except Exception:
                        pass
                    continue
                connection, _ = key.fileobj.accept()
                connection.settimeout(2)
                try:
                    length = struct.unpack("!H", connection.recv(2, socket.MSG_WAITALL))[0]
                    wire = connection.recv(length, socket.MSG_WAITALL)
                    log_query(log, address, wire)
                    answer = fake_answer(address, wire)
                    connection.sendall(struct.pack("!H", len(answer)) + answer)
                except Exception:
                    pass
                finally:
                    connection.close()


class FakeTree(ManagedProcess):
    name = "fake-tree"

    def __init__(self):
        super().__init__()
        self.address, self.port = LEAF, 53
        self.query_log = self.workdir / "queries.log"

    def command(self) -> list[str]:
        return [sys.executable, os.path.abspath(__file__), "--fake-tree", str(self.query_log)]

    def readiness_query(self) -> bytes:
        return minimal_query("geo.test.", 6)[1]

    def queries(self, server: str | None = None) -> list[str]:
        """The log lines "SERVER QNAME TYPE ecs=SUBNET|none", readiness probes left out."""
        lines = self.query_log.read_text().splitlines() if self.query_log.exists() else []
        return [line for line in lines
                if (server is None or line.startswith(server + " ")) and " geo.test. SOA " not in line]


# hayate as the tailoring leaf: views.test. in a default view and two [[view]]s.
VIEW_ZONES = {
    None: "192.0.2.99",
    "first": "192.0.2.1",
    "second": "192.0.2.2",
}
VIEWS_CONFIG = """
[[view]]
name = "first"
match-clients = ["198.51.100.0/24"]

[[view]]
name = "second"
match-clients = ["203.0.113.0/24"]
"""


def start_views_leaf(directory: Path) -> HayateDaemon:
    zones = []
    for view, address in VIEW_ZONES.items():
        path = directory / f"views.test.{view or 'default'}.zone"
        path.write_text("$TTL 300\n@ SOA ns1 hostmaster 1 1800 900 604800 300\n@ NS ns1\n"
                        f"ns1 A {VIEWS_LEAF}\nwww A {address}\n")
        zones.append(Zone("views.test.", path, view=view))
    (directory / "leaf").mkdir()
    leaf = HayateDaemon(None, zones, extra_config=VIEWS_CONFIG, address=VIEWS_LEAF,
                        workdir=directory / "leaf")
    leaf.port = 53
    return leaf.start()


class UnboundSubnet(ManagedProcess):
    """Unbound with the subnetcache module, sending ECS to the leaf (the cross-check)."""

    name = "unbound"

    def __init__(self, hints: Path):
        super().__init__()
        self.address, self.port = UNBOUND, 53
        self.hints = hints
        self.config_path = self.workdir / "unbound.conf"

    def config_text(self) -> str:
        lines = ["server:", f"  interface: {UNBOUND}", "  port: 53", "  do-daemonize: no",
                 "  use-syslog: no", '  logfile: ""', '  chroot: ""', '  username: ""',
                 f'  directory: "{self.workdir}"', f'  pidfile: "{self.workdir / "unbound.pid"}"',
                 "  num-threads: 1", "  do-ip6: no", "  do-not-query-localhost: no",
                 f'  root-hints: "{self.hints}"', '  module-config: "subnetcache iterator"',
                 f"  send-client-subnet: {LEAF}", f"  send-client-subnet: {VIEWS_LEAF}",
                 "  client-subnet-always-forward: yes",
                 '  local-zone: "test." nodefault', "  access-control: 127.0.0.0/8 allow",
                 "  verbosity: 1", "remote-control:", "  control-enable: no"]
        return "\n".join(lines) + "\n"

    def command(self) -> list[str]:
        return [find_binary("unbound"), "-d", "-c", str(self.config_path)]

    def start(self) -> "UnboundSubnet":
        self.config_path.write_text(self.config_text())
        super().start()
        return self


# ---------------------------------------------------------------------------------------------
# The tests

def ask(server: str, qname: str, subnet: str | None = None, source: str = "127.0.0.1"):
    """An A query with RD and EDNS, with ECS when `subnet` ("198.51.100.0/24") is given."""
    options = []
    if subnet is not None:
        address, length = subnet.split("/")
        options = [dns.edns.ECSOption(address, int(length))]
    query = dns.message.make_query(qname, "A", use_edns=0, options=options)
    return dns.query.udp(query, server, timeout=5, source=source)


def addresses(response) -> list[str]:
    return sorted(rr.address for rrset in response.answer if rrset.rdtype == dns.rdatatype.A
                  for rr in rrset)


class EcsResolver(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.workdir = Path(tempfile.mkdtemp(prefix="hayate-ecs-"))
        cls.hints = cls.workdir / "root.hints"
        cls.hints.write_text(". 3600000 NS a.root.test.\na.root.test. 3600000 A 127.0.0.1\n")
        cls.tree = FakeTree().start()
        try:
            cls.views_leaf = start_views_leaf(cls.workdir)
        except BaseException:
            cls.tree.cleanup()
            raise
        config = "\n".join([
            "[resolver]", "enable = true", f'root-hints = "{cls.hints}"',
            'allow = ["127.0.0.0/8"]', "ecs-send = true", 'ecs-zones = ["test."]',
            f'ecs-public-v4 = "{PUBLIC_V4}"', "query-timeout = 5"])
        (cls.workdir / "resolver").mkdir()
        cls.resolver = HayateDaemon(None, [], extra_config=config, address=RESOLVER,
                                    workdir=cls.workdir / "resolver")
        cls.resolver.port = 53
        try:
            cls.resolver.start()
        except BaseException:
            cls.views_leaf.cleanup()
            cls.tree.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.resolver.cleanup()
        cls.views_leaf.cleanup()
        cls.tree.cleanup()
        shutil.rmtree(cls.workdir, ignore_errors=True)

    def leaf_queries(self, qname: str) -> list[str]:
        return [line.split()[-1] for line in self.tree.queries(LEAF) if f" {qname} A " in line]

    def test_clients_in_different_subnets_get_their_own_answers_and_hits_are_counted(self):
        before = stats(self.resolver)
        first = ask(RESOLVER, "www.geo.test.", "198.51.100.0/24")
        self.assertEqual(addresses(first), ["192.0.2.1"])
        ecs = ecs_of(first)
        self.assertIsNotNone(ecs, "an ECS client gets ECS back (RFC 7871 §7.2)")
        self.assertEqual((ecs.address, ecs.srclen, ecs.scopelen), ("198.51.100.0", 24, SCOPE))
        self.assertEqual(addresses(ask(RESOLVER, "www.geo.test.", "203.0.113.0/24")),
                         ["192.0.2.2"])
        # Same subnets again: from the subnet cache; another /24 is a miss and asks the leaf.
        self.assertEqual(addresses(ask(RESOLVER, "www.geo.test.", "198.51.100.0/24")),
                         ["192.0.2.1"])
        self.assertEqual(addresses(ask(RESOLVER, "www.geo.test.", "203.0.113.0/24")),
                         ["192.0.2.2"])
        self.assertEqual(addresses(ask(RESOLVER, "www.geo.test.", "198.51.101.0/24")),
                         [OTHER_SUBNET_ANSWER])
        self.assertEqual(self.leaf_queries("www.geo.test."),
                         ["ecs=198.51.100.0/24", "ecs=203.0.113.0/24", "ecs=198.51.101.0/24"])
        after = stats(self.resolver)
        delta = {key: after.get(key, 0) - before.get(key, 0) for key in after}
        self.assertEqual(delta["resolver.ecs.queries-sent"], 3)
        self.assertEqual(delta["resolver.ecs.tailored-cached"], 3)
        self.assertEqual(delta["resolver.ecs.cache-hits"], 2)
        self.assertEqual(delta["resolver.ecs.cache-misses"], 2)

    def test_root_and_tld_never_see_ecs(self):
        ask(RESOLVER, "root-check.geo.test.", "198.51.100.0/24")
        root_and_tld = self.tree.queries(ROOT) + self.tree.queries(TLD)
        self.assertTrue(root_and_tld, "the tree was walked")
        self.assertEqual([line for line in root_and_tld if not line.endswith("ecs=none")], [])

    def test_private_client_without_ecs_is_sent_the_public_address_and_gets_no_ecs_back(self):
        response = ask(RESOLVER, "plain.geo.test.")
        self.assertEqual(addresses(response), ["192.0.2.3"])
        self.assertIsNone(ecs_of(response), "no ECS to a client that sent none")
        self.assertEqual(self.leaf_queries("plain.geo.test."), ["ecs=192.0.2.0/24"])

    def test_source_zero_sends_no_address_and_the_answer_is_for_everyone(self):
        response = ask(RESOLVER, "optout.geo.test.", "0.0.0.0/0")
        self.assertEqual(addresses(response), [NO_ECS_ANSWER])
        self.assertEqual(self.leaf_queries("optout.geo.test."), ["ecs=0.0.0.0/0"])
        self.assertEqual(addresses(ask(RESOLVER, "optout.geo.test.", "198.51.100.0/24")),
                         [NO_ECS_ANSWER], "scope 0: cached for everyone")
        self.assertEqual(len(self.leaf_queries("optout.geo.test.")), 1)

    def test_scope_zero_answer_is_shared(self):
        self.assertEqual(addresses(ask(RESOLVER, "global.geo.test.", "198.51.100.0/24")),
                         [GLOBAL_ANSWER])
        response = ask(RESOLVER, "global.geo.test.", "203.0.113.0/24")
        self.assertEqual(addresses(response), [GLOBAL_ANSWER])
        self.assertEqual(ecs_of(response).scopelen, 0)
        self.assertEqual(len(self.leaf_queries("global.geo.test.")), 1)

    def test_cache_dump_shows_the_subnet_of_tailored_entries(self):
        ask(RESOLVER, "dump.geo.test.", "203.0.113.0/24")
        dump = hayatectl(self.resolver, "cache", "dump").stdout.splitlines()
        self.assertIn("; subnet 203.0.113.0/24", dump)
        at = dump.index("; subnet 203.0.113.0/24")
        self.assertTrue(any("dump.geo.test." in line and "192.0.2.2" in line
                            for line in dump[at + 1:at + 3]), dump[at:at + 3])

    def test_hayate_leaf_with_views(self):
        before = stats(self.resolver)
        first = ask(RESOLVER, "www.views.test.", "198.51.100.0/24")
        self.assertEqual(addresses(first), ["192.0.2.1"])
        self.assertEqual(ecs_of(first).scopelen, 24, "the view's /24 decided")
        self.assertEqual(addresses(ask(RESOLVER, "www.views.test.", "203.0.113.0/24")),
                         ["192.0.2.2"])
        self.assertEqual(addresses(ask(RESOLVER, "www.views.test.", "198.51.100.0/24")),
                         ["192.0.2.1"])
        self.assertEqual(addresses(ask(RESOLVER, "www.views.test.", "198.51.101.0/24")),
                         ["192.0.2.99"], "no view of its own: the default view")
        after = stats(self.resolver)
        delta = {key: after.get(key, 0) - before.get(key, 0) for key in after}
        self.assertEqual(delta["resolver.ecs.cache-hits"], 1)
        self.assertEqual(delta["resolver.ecs.cache-misses"], 2)
        self.assertEqual(delta["resolver.ecs.tailored-cached"], 3)
        self.assertEqual(delta["resolver.ecs.queries-sent"], 3)
        leaf = stats(self.views_leaf)
        self.assertGreaterEqual(leaf["ecs.tailored-answers"], 3)

    @unittest.skipUnless(find_binary("unbound"), "unbound is not installed")
    def test_unbound_subnetcache_gets_the_same_answers(self):
        unbound = UnboundSubnet(self.hints)
        unbound.start()
        self.addCleanup(unbound.cleanup)
        expected = {"198.51.100.0/24": "192.0.2.1", "203.0.113.0/24": "192.0.2.2",
                    "198.51.101.0/24": OTHER_SUBNET_ANSWER}
        for subnet in ("198.51.100.0/24", "203.0.113.0/24", "198.51.101.0/24", "198.51.100.0/24"):
            for qname in ("cross.geo.test.", "global.geo.test.", "www.views.test."):
                with self.subTest(subnet=subnet, qname=qname):
                    from_unbound = addresses(ask(UNBOUND, qname, subnet))
                    self.assertEqual(from_unbound, addresses(ask(RESOLVER, qname, subnet)))
                    # Tailored, so Unbound did send the subnet: the comparison means something.
                    want = GLOBAL_ANSWER if qname.startswith("global") else expected[subnet]
                    if qname == "www.views.test." and subnet == "198.51.101.0/24":
                        want = "192.0.2.99"  # hayate's default view
                    self.assertEqual(from_unbound, [want])


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--fake-tree":
        serve_fake_tree(sys.argv[2])
        return
    daemon_harness.enter_private_namespace(__file__)
    daemon_harness.main()


if __name__ == "__main__":
    main()
