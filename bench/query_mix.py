#!/usr/bin/python3
"""Writes a dnsperf query file ("name TYPE" lines) for a zone made by bench/gen_zone.py.

Usage: bench/query_mix.py ORIGIN NAMES COUNT [MIX] > queries.txt
MIX is "authoritative" (default), "resolver" or "dns64" (see MIXES). Deterministic (fixed seed),
so every server in a run, and every run, gets the same questions in the same order.
"""
from __future__ import annotations

import random
import sys

from gen_zone import ALIAS, DELEGATION, HOST, has_aaaa, kind

# Share of each kind of question, in percent.
MIXES = {
    # What an authoritative server sees: mostly positive answers, a tail of misses and referrals.
    "authoritative": {"hit": 40, "aaaa": 15, "cname": 10, "wildcard": 10, "nxdomain": 10,
                      "nodata": 10, "referral": 5},
    # The same without referrals: a forwarding resolver would chase them to the glue addresses,
    # which are not on this machine.
    "resolver": {"hit": 45, "aaaa": 15, "cname": 10, "wildcard": 10, "nxdomain": 10,
                 "nodata": 10},
    # AAAA for names with only an A record: every answer is synthesized (RFC 6147 §5.1.6).
    "dns64": {"synthesized": 100},
}


def _index(rng: random.Random, names: int, want) -> int | None:
    """A random name index for which want(i) holds, or None when the zone has none."""
    for _ in range(1000):
        i = rng.randrange(names)
        if want(i):
            return i
    return next((i for i in range(names) if want(i)), None)


def _question(kind_of_question: str, rng: random.Random, names: int, serial: int) -> str | None:
    if kind_of_question == "hit":
        i = _index(rng, names, lambda i: kind(i) == HOST)
        return None if i is None else f"host{i} A"
    if kind_of_question == "aaaa":
        i = _index(rng, names, has_aaaa)
        return None if i is None else f"host{i} AAAA"
    if kind_of_question == "cname":
        i = _index(rng, names, lambda i: kind(i) == ALIAS)
        return None if i is None else f"host{i} A"
    if kind_of_question == "wildcard":
        return f"w{serial}.wild A"
    if kind_of_question == "nxdomain":
        return f"nx{serial} A"
    if kind_of_question in ("nodata", "synthesized"):
        i = _index(rng, names, lambda i: kind(i) == HOST and not has_aaaa(i))
        return None if i is None else f"host{i} AAAA"
    if kind_of_question == "referral":
        i = _index(rng, names, lambda i: kind(i) == DELEGATION)
        return None if i is None else f"www.host{i} A"
    raise ValueError(f"unknown kind of question {kind_of_question!r}")


def queries(origin: str, names: int, count: int, mix: str = "authoritative",
            seed: int = 1) -> list[str]:
    """COUNT "name. TYPE" lines; kinds the zone cannot answer (no delegation in a small zone)
    are left out of the draw."""
    origin = origin.rstrip(".") + "."
    rng = random.Random(seed)
    weights = dict(MIXES[mix])
    for k in list(weights):
        if _question(k, random.Random(0), names, 0) is None:
            del weights[k]
    if not weights:
        raise ValueError(f"a zone of {names} names has no question of the {mix} mix")
    kinds, shares = list(weights), list(weights.values())
    lines = []
    for serial, k in enumerate(rng.choices(kinds, shares, k=count)):
        name, qtype = _question(k, rng, names, serial).split()
        lines.append(f"{name}.{origin} {qtype}")
    return lines


def main():
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    mix = sys.argv[4] if len(sys.argv) == 5 else "authoritative"
    for line in queries(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), mix):
        print(line)


if __name__ == "__main__":
    main()
