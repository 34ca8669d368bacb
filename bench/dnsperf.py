"""Runs dnsperf pinned to one CPU and reads its report.

dnsperf 2.10 (Debian 12) has no latency histogram option, so percentiles come from its verbose
output (-v: one "> RCODE qname qtype latency" line per answer); that costs dnsperf some CPU, so
only the fixed-rate runs use it and the maximum-rate runs keep dnsperf's summary alone.
"""
from __future__ import annotations

import dataclasses
import math
import re
import subprocess


@dataclasses.dataclass
class Load:
    """How dnsperf drives a server."""
    cpu: int = 0              # dnsperf runs on this CPU (taskset)
    seconds: float = 5.0      # -l
    clients: int = 10         # -c: source ports (TCP: connections)
    outstanding: int = 200    # -q: queries in flight at most
    timeout: float = 2.0      # -t: a query without an answer after this long counts as lost


@dataclasses.dataclass
class Result:
    sent: int
    completed: int
    lost: int
    qps: float                          # answers per second over the run
    avg_latency_ms: float
    p99_latency_ms: float | None = None  # only with verbose
    rcodes: dict[str, int] = dataclasses.field(default_factory=dict)
    latencies: list[float] = dataclasses.field(default_factory=list, repr=False)  # verbose: s


class DnsperfError(RuntimeError):
    pass


def _number(pattern: str, text: str, cast=float):
    m = re.search(pattern, text)
    if not m:
        raise DnsperfError(f"dnsperf output has no {pattern!r}:\n{text[-3000:]}")
    return cast(m.group(1))


def percentile(values: list[float], p: float) -> float | None:
    """The nearest-rank percentile (p in 0..100) of values, None when there are none."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def parse(stdout: str) -> Result:
    rcodes = {}
    m = re.search(r"Response codes:\s+(.*)", stdout)
    if m:
        for code, count in re.findall(r"([A-Z]+) (\d+) \(", m.group(1)):
            rcodes[code] = int(count)
    return Result(sent=_number(r"Queries sent:\s+(\d+)", stdout, int),
                  completed=_number(r"Queries completed:\s+(\d+)", stdout, int),
                  lost=_number(r"Queries lost:\s+(\d+)", stdout, int),
                  qps=_number(r"Queries per second:\s+([\d.]+)", stdout),
                  avg_latency_ms=_number(r"Average Latency \(s\):\s+([\d.]+)", stdout) * 1000,
                  rcodes=rcodes)


def verbose_latencies(stdout: str) -> list[float]:
    """Seconds, one per answer, from dnsperf -v lines "> NOERROR host1.example.com. A 0.000123"
    (a query that timed out has a line without the latency: "> T host1.example.com. A")."""
    latencies = []
    for line in stdout.splitlines():
        if line.startswith("> "):
            try:
                latencies.append(float(line.rsplit(" ", 1)[1]))
            except ValueError:
                pass
    return latencies


def run(address: str, port: int, query_file: str, load: Load, *, rate: int | None = None,
        tcp: bool = False, verbose: bool = False, max_runs: int | None = None,
        source: str | None = None) -> Result:
    """One dnsperf run; `rate` caps queries per second (-Q), `max_runs` stops after that many
    passes through the file (-n), `source` is the local address (-a)."""
    argv = ["taskset", "-c", str(load.cpu), "dnsperf", "-s", address, "-p", str(port),
            "-d", query_file, "-c", str(load.clients), "-q", str(load.outstanding),
            "-t", str(load.timeout), "-l", str(load.seconds)]
    if rate:
        argv += ["-Q", str(rate)]
    if tcp:
        argv += ["-m", "tcp"]
    if verbose:
        argv.append("-v")
    if max_runs:
        argv += ["-n", str(max_runs)]
    if source:
        argv += ["-a", source]
    proc = subprocess.run(argv, capture_output=True, text=True, stdin=subprocess.DEVNULL,
                          timeout=load.seconds + load.timeout + 60)
    if proc.returncode != 0:
        raise DnsperfError(f"{' '.join(argv)} exited {proc.returncode}:\n{proc.stderr[-3000:]}")
    result = parse(proc.stdout)
    if verbose:
        result.latencies = verbose_latencies(proc.stdout)
        p99 = percentile(result.latencies, 99)
        result.p99_latency_ms = None if p99 is None else p99 * 1000
    return result


def merge(results: list[Result], seconds: float) -> Result:
    """One Result for runs that together lasted `seconds` (the slices of one server's run):
    counts and response codes summed, queries per second over the whole time, the average
    latency weighted by answers, and the p99 of all the runs' latencies together (a percentile
    of percentiles would not be one)."""
    completed = sum(r.completed for r in results)
    rcodes: dict[str, int] = {}
    for r in results:
        for code, count in r.rcodes.items():
            rcodes[code] = rcodes.get(code, 0) + count
    latencies = [x for r in results for x in r.latencies]
    p99 = percentile(latencies, 99)
    average = (sum(r.avg_latency_ms * r.completed for r in results) / completed
               if completed else 0.0)
    return Result(sent=sum(r.sent for r in results), completed=completed,
                  lost=sum(r.lost for r in results),
                  qps=completed / seconds if seconds > 0 else 0.0, avg_latency_ms=average,
                  p99_latency_ms=None if p99 is None else p99 * 1000, rcodes=rcodes,
                  latencies=latencies)
