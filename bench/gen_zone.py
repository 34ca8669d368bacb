#!/usr/bin/python3
"""Writes a large test zone: SOA, NS, a wildcard, then NAMES owner names host0 .. host<NAMES-1>.

Usage: bench/gen_zone.py ORIGIN NAMES > file.zone

What name i is (kind(i)), deterministic so that runs are comparable and bench/query_mix.py can
ask for each kind of answer without reading the zone back:
  i % 1000 == 999  a delegation: host<i> NS ns.host<i>, with glue (a referral below it)
  i % 20 == 7      an alias: host<i> CNAME host<i-1> (an ordinary host)
  otherwise        a host: A; AAAA when i % 4 == 0 (so AAAA on the others is NODATA); TXT on
                   every 10th; MX on every 50th, with mail.host<i> A
The wildcard *.wild.ORIGIN has A and AAAA (RFC 4592 synthesis for any name below wild.).
"""
import sys

DELEGATION, ALIAS, HOST = "delegation", "alias", "host"


def kind(i: int) -> str:
    if i % 1000 == 999:
        return DELEGATION
    if i % 20 == 7:
        return ALIAS
    return HOST


def has_aaaa(i: int) -> bool:
    return kind(i) == HOST and i % 4 == 0


def write_zone(out, origin: str, names: int) -> None:
    origin = origin.rstrip(".") + "."
    out.write(f"$ORIGIN {origin}\n$TTL 3600\n")
    # Negative answers are cached for the SOA's minimum (RFC 2308 §5); as long as the positive
    # TTL, so that nothing a resolver warmed at the start of a run expires or is prefetched
    # (hayate: in the last tenth of the TTL) in the middle of it: with 300 a 12-minute run saw
    # the refreshes of one resolver's warm answers fall inside its measured slices.
    out.write("@ SOA ns1 hostmaster 2024112501 7200 900 1209600 3600\n")
    out.write("@ NS ns1\n@ NS ns2\nns1 A 192.0.2.1\nns2 A 192.0.2.2\n")
    out.write("*.wild A 192.0.2.80\n*.wild AAAA 2001:db8::80\n")
    for i in range(names):
        name = f"host{i}"
        k = kind(i)
        if k == DELEGATION:
            out.write(f"{name} NS ns.{name}\nns.{name} A 198.51.100.{i % 250 + 1}\n")
            continue
        if k == ALIAS:
            out.write(f"{name} CNAME host{i - 1}\n")
            continue
        out.write(f"{name} A 10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}\n")
        if has_aaaa(i):
            out.write(f"{name} AAAA 2001:db8::{i & 0xffff:x}\n")
        if i % 10 == 0:
            out.write(f'{name} TXT "record number {i}"\n')
        if i % 50 == 0:
            out.write(f"{name} MX 10 mail.{name}\nmail.{name} A 192.0.2.25\n")


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    write_zone(sys.stdout, sys.argv[1], int(sys.argv[2]))


if __name__ == "__main__":
    main()
