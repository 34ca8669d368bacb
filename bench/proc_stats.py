"""CPU time and memory of a server's process tree, read from /proc (proc(5)).

A server is the process we spawned and everything it forked (NSD: its xfrd and server child);
CPU time is the run time of every thread (schedstat, in ns; /proc/PID/stat's clock ticks where
schedstat is missing). Memory is summed as PSS
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


def _run_nanoseconds(pid: int) -> int | None:
    """Time the process's threads have run, in ns: the first field of each
    /proc/PID/task/TID/schedstat (the scheduler's sum_exec_runtime, of which utime and stime are
    the split); None without schedstat (a kernel without CONFIG_SCHED_INFO)."""
    total = 0
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return 0  # gone: nothing more to count
    for tid in tasks:
        try:
            total += int(Path(f"/proc/{pid}/task/{tid}/schedstat").read_text().split()[0])
        except FileNotFoundError:
            if not Path(f"/proc/{pid}/task/{tid}").exists():
                continue  # the thread ended meanwhile
            return None
        except (OSError, ValueError, IndexError):
            return None
    return total


def _tick_seconds(pid: int) -> float:
    fields = _stat_fields(pid)
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS if fields else 0.0


def cpu_seconds(root: int) -> float:
    """user + system CPU time of the tree so far. From the scheduler's run time in nanoseconds
    where the kernel has it: utime and stime (stat fields 14, 15) are in clock ticks, 10 ms,
    which is ±2% of a one-second slice of a server at half load; else from those ticks. Threads
    that ended are not counted (the benchmarks take differences over threads that live on)."""
    total = 0.0
    for pid in tree(root):
        nanoseconds = _run_nanoseconds(pid)
        total += nanoseconds / 1e9 if nanoseconds is not None else _tick_seconds(pid)
    return total


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
