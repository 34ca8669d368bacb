"""System tests for hayate's resolver in forwarding mode, on loopback only.

- hayate → hayate: one hayate serves example.com authoritatively; a second one, with
  [resolver] forward = [the first], answers clients with RA set and AA clear, the same records,
  the second time from its cache (checked with `hayatectl stats`), negative answers with the
  SOA, and stale data (TTL 30, RFC 8767) once its upstream is gone.
- hayate → Unbound: Unbound (local-data, and a stub-zone to the authoritative hayate) is the
  upstream of hayate's resolver.
- Unbound → hayate: Unbound forwards example.com to hayate's resolver.

usage: test_forwarding.py --hayate PATH --hayatectl PATH [unittest args]
"""

from __future__ import annotations

import time
import unittest

import daemon_harness
from daemon_harness import HayateDaemon, UnboundDaemon, Zone, dig, find_binary, \
    hayatectl as ctl, hayatectl_stats as stats, without_ttl


AUTH_ZONES = [Zone("example.com.", "example.com.zone")]
LOCAL_ZONES = [Zone("example.net.", "example.net.zone")]  # the resolver's own local zone


def resolver_config(*upstreams: str, **options) -> str:
    lines = ["[resolver]", "enable = true",
             "forward = [" + ", ".join(f'"{u}"' for u in upstreams) + "]"]
    lines += [f"{key} = {daemon_harness.toml_value(value)}" for key, value in options.items()]
    return "\n".join(lines) + "\n"


def ttls(lines: list[str]) -> list[int]:
    return [int(line.split()[1]) for line in lines]


class HayateForwardsToHayate(unittest.TestCase):
    def setUp(self):
        self.auth = HayateDaemon(None, AUTH_ZONES).start()
        self.addCleanup(self.auth.cleanup)

    def start_resolver(self, **options) -> HayateDaemon:
        resolver = HayateDaemon(None, LOCAL_ZONES, extra_config=resolver_config(
            f"127.0.0.1:{self.auth.port}", **options)).start()
        self.addCleanup(resolver.cleanup)
        return resolver

    def test_answers_with_ra_then_from_cache(self):
        resolver = self.start_resolver()
        direct = dig(self.auth, "www.example.com", "A")
        first = dig(resolver, "www.example.com", "A")
        self.assertEqual(first.status, "NOERROR", first.text)
        self.assertIn("ra", first.flags)
        self.assertNotIn("aa", first.flags)
        self.assertEqual(without_ttl(first.answer), without_ttl(direct.answer))
        self.assertEqual(len(first.answer), 2, "the CNAME and its target")
        before = stats(resolver)
        second = dig(resolver, "www.example.com", "A")
        after = stats(resolver)
        self.assertEqual(without_ttl(second.answer), without_ttl(first.answer))
        self.assertIn("ra", second.flags)
        self.assertEqual(after["resolver.answers-from-cache"],
                         before["resolver.answers-from-cache"] + 1)
        self.assertEqual(after["resolver.upstream-queries"], before["resolver.upstream-queries"])
        # Over TCP too, and the local zone still answers authoritatively.
        self.assertEqual(without_ttl(dig(resolver, "www.example.com", "A", "+tcp").answer),
                         without_ttl(first.answer))
        local = dig(resolver, "www.example.net", "A")
        self.assertIn("aa", local.flags)

    def test_negative_answer_carries_the_soa_and_is_cached(self):
        resolver = self.start_resolver()
        first = dig(resolver, "nonexistent.example.com", "A")
        self.assertEqual(first.status, "NXDOMAIN", first.text)
        self.assertNotIn("aa", first.flags)
        self.assertEqual(len(first.authority), 1)
        self.assertIn(" SOA ", first.authority[0])
        self.assertLessEqual(ttls(first.authority)[0], 300)  # min(SOA TTL, MINIMUM)
        before = stats(resolver)
        self.assertEqual(dig(resolver, "nonexistent.example.com", "A").status, "NXDOMAIN")
        self.assertEqual(stats(resolver)["resolver.answers-from-cache"],
                         before["resolver.answers-from-cache"] + 1)

    def test_cache_dump_and_flush(self):
        resolver = self.start_resolver()
        dig(resolver, "www.example.com", "A")
        dump = ctl(resolver, "cache", "dump")
        self.assertEqual(dump.returncode, 0, dump.stderr)
        self.assertIn("web.example.com.", dump.stdout)
        flushed = ctl(resolver, "cache", "flush", "example.com")
        self.assertEqual(flushed.returncode, 0, flushed.stdout + flushed.stderr)
        self.assertNotIn("web.example.com.", ctl(resolver, "cache", "dump").stdout)
        before = stats(resolver)
        dig(resolver, "www.example.com", "A")
        self.assertEqual(stats(resolver)["resolver.upstream-queries"],
                         before["resolver.upstream-queries"] + 1)

    def test_serves_stale_when_the_upstream_is_gone(self):
        resolver = self.start_resolver(**{"cache-max-ttl": 1})
        fresh = dig(resolver, "www.example.com", "A")
        self.assertEqual(len(fresh.answer), 2, fresh.text)
        time.sleep(2.2)  # everything cached has expired (cache-max-ttl = 1)
        self.auth.stop()
        stale = dig(resolver, "www.example.com", "A")
        self.assertEqual(stale.status, "NOERROR", stale.text)
        self.assertEqual(without_ttl(stale.answer), without_ttl(fresh.answer))
        self.assertEqual(ttls(stale.answer), [30, 30], "RFC 8767 §4: TTL 30")
        self.assertGreaterEqual(stats(resolver)["resolver.stale-answers"], 1)
        self.assertEqual(dig(resolver, "never-seen.example.com", "A").status, "SERVFAIL")

    def test_clients_outside_the_acl_are_refused(self):
        resolver = self.start_resolver(allow=["192.0.2.0/24"])
        self.assertEqual(dig(resolver, "www.example.com", "A").status, "REFUSED")
        self.assertIn("aa", dig(resolver, "www.example.net", "A").flags, "local zones still")


@unittest.skipUnless(find_binary("unbound"), "unbound is not installed")
class WithUnbound(unittest.TestCase):
    def setUp(self):
        self.auth = HayateDaemon(None, AUTH_ZONES).start()
        self.addCleanup(self.auth.cleanup)

    def test_hayate_forwards_to_unbound(self):
        unbound = UnboundDaemon(["www.unbound.test. 300 IN A 192.0.2.80"],
                                stub_zones={"example.com": f"127.0.0.1@{self.auth.port}"})
        unbound.start()
        self.addCleanup(unbound.cleanup)
        resolver = HayateDaemon(None, LOCAL_ZONES, extra_config=resolver_config(
            f"127.0.0.1:{unbound.port}")).start()
        self.addCleanup(resolver.cleanup)
        local_data = dig(resolver, "www.unbound.test", "A")
        self.assertEqual(local_data.status, "NOERROR", local_data.text)
        self.assertIn("ra", local_data.flags)
        self.assertEqual(without_ttl(local_data.answer), ["www.unbound.test. IN A 192.0.2.80"])
        via_stub = dig(resolver, "www.example.com", "A")
        self.assertEqual(without_ttl(via_stub.answer),
                         without_ttl(dig(self.auth, "www.example.com", "A").answer))
        self.assertEqual(dig(resolver, "nonexistent.example.com", "A").status, "NXDOMAIN")

    def test_unbound_forwards_to_hayate(self):
        resolver = HayateDaemon(None, LOCAL_ZONES, extra_config=resolver_config(
            f"127.0.0.1:{self.auth.port}")).start()
        self.addCleanup(resolver.cleanup)
        unbound = UnboundDaemon(["www.unbound.test. 300 IN A 192.0.2.80"],
                                forward_zones={"example.com": f"127.0.0.1@{resolver.port}"})
        unbound.start()
        self.addCleanup(unbound.cleanup)
        answer = dig(unbound, "www.example.com", "A")
        self.assertEqual(answer.status, "NOERROR", answer.text + unbound.log())
        self.assertEqual(without_ttl(answer.answer),
                         without_ttl(dig(self.auth, "www.example.com", "A").answer))
        self.assertEqual(dig(unbound, "nonexistent.example.com", "A").status, "NXDOMAIN")
        self.assertGreaterEqual(stats(resolver)["resolver.upstream-queries"], 1)


if __name__ == "__main__":
    daemon_harness.main()
