#!/usr/bin/python3
"""Writes a large test zone: SOA, NS, then NAMES owner names with a mix of record types.

Usage: bench/gen_zone.py ORIGIN NAMES > file.zone
Every name gets an A record; every 4th an AAAA, every 10th a TXT, every 50th an MX,
every 1000th is a delegation with glue. Deterministic, so runs are comparable.
"""
import sys


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    origin, names = sys.argv[1].rstrip(".") + ".", int(sys.argv[2])
    out = sys.stdout
    out.write(f"$ORIGIN {origin}\n$TTL 3600\n")
    out.write("@ SOA ns1 hostmaster 2024112501 7200 900 1209600 300\n")
    out.write("@ NS ns1\n@ NS ns2\nns1 A 192.0.2.1\nns2 A 192.0.2.2\n")
    for i in range(names):
        name = f"host{i}"
        if i % 1000 == 999:
            out.write(f"{name} NS ns.{name}\nns.{name} A 198.51.100.{i % 250 + 1}\n")
            continue
        out.write(f"{name} A 10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}\n")
        if i % 4 == 0:
            out.write(f"{name} AAAA 2001:db8::{i & 0xffff:x}\n")
        if i % 10 == 0:
            out.write(f'{name} TXT "record number {i}"\n')
        if i % 50 == 0:
            out.write(f"{name} MX 10 mail.{name}\nmail.{name} A 192.0.2.25\n")


if __name__ == "__main__":
    main()
