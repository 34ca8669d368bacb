"""Zone loading: wall time and peak memory of each zone checker on one zone file, read from GNU
time's -v report ("Elapsed (wall clock) time", "Maximum resident set size"), the checker pinned
to one CPU like the servers.
"""
from __future__ import annotations

import re
import subprocess

from daemon_harness import find_binary


def checkers(hayate_checkzone: str | None, origin: str, zone_file: str) -> dict[str, list[str]]:
    """The command line of each checker that is installed. named-checkzone gets "-i local":
    its default "-i full" also looks names below the zone's cuts up through the system resolver
    (getaddrinfo), which is 15x slower here and sends queries off this machine; the other
    checkers look at the zone alone."""
    commands = {
        "hayate-checkzone": [hayate_checkzone, "-q", "-o", origin, zone_file],
        "nsd-checkzone": ["nsd-checkzone", origin, zone_file],
        "kzonecheck": ["kzonecheck", "-o", origin, zone_file],
        "named-checkzone": ["named-checkzone", "-q", "-i", "local", origin, zone_file],
    }
    found = {}
    for name, argv in commands.items():
        binary = argv[0] if name == "hayate-checkzone" else find_binary(argv[0])
        if binary:
            found[name] = [binary] + argv[1:]
    return found


def _wall_seconds(text: str) -> float:
    """GNU time's "h:mm:ss" or "m:ss.ss" as seconds."""
    seconds = 0.0
    for part in text.split(":"):
        seconds = seconds * 60 + float(part)
    return seconds


def measure(argv: list[str], cpu: int, timeout: float) -> dict:
    """{"seconds", "peak_mb", "exit"}; {"error": ...} when the checker fails or times out."""
    full = ["/usr/bin/time", "-v", "taskset", "-c", str(cpu)] + argv
    try:
        proc = subprocess.run(full, capture_output=True, text=True, timeout=timeout,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", proc.stderr)
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
    if proc.returncode != 0 or not wall or not peak:
        return {"error": f"exit {proc.returncode}: {(proc.stdout + proc.stderr)[-500:]}"}
    return {"seconds": round(_wall_seconds(wall.group(1)), 2),
            "peak_mb": round(int(peak.group(1)) / 1024, 1)}
