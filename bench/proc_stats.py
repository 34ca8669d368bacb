"""CPU time and memory of a server's process tree, read from /proc (proc(5)).

A server is the process we spawned and everything it forked (NSD: its xfrd and server child);
the threads of each process are included in its /proc/PID/stat times. Memory is summed as PSS
(proportional set size, /proc/PID/smaps_rollup) so that pages a fork shares are counted once;
RSS is summed too, for comparison with what `ps` shows.
"""
from __future__ import annotations

import os
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: int) -> list[str] | None:
    """The fields of /proc/PID/stat after the command name (which may hold spaces and ')')."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2:].split()


def tree(root: int) -> list[int]:
    """root and its descendants that are alive now."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat_fields(int(entry))
            if fields:
                children.setdefault(int(fields[1]), []).append(int(entry))
    pids, todo = [], [root]
    while todo:
        pid = todo.pop()
        pids.append(pid)
        todo.extend(children.get(pid, []))
    return pids


def cpu_seconds(root: int) -> float:
    """user + system CPU time of the tree so far (stat fields 14 and 15: utime, stime)."""
    ticks = 0
    for pid in tree(root):
        fields = _stat_fields(pid)
        if fields:
            ticks += int(fields[11]) + int(fields[12])
    return ticks / CLOCK_TICKS


def _kb(path: str, key: str) -> int:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def memory_mb(root: int) -> dict[str, float]:
    """{"pss_mb": ..., "rss_mb": ...} of the tree now."""
    pids = tree(root)
    pss = sum(_kb(f"/proc/{pid}/smaps_rollup", "Pss") for pid in pids)
    rss = sum(_kb(f"/proc/{pid}/status", "VmRSS") for pid in pids)
    return {"pss_mb": round(pss / 1024, 1), "rss_mb": round(rss / 1024, 1)}
