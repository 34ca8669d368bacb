"""Turns compare.py's measurements into ratios, the issue's goals and a short table (and a
gnuplot PNG when gnuplot is installed)."""
from __future__ import annotations

import re
import shutil
import statistics
import subprocess
from pathlib import Path

FLOOR_NAME = "echo floor"  # compare.FLOOR: bench/echo_floor.cpp's results
# (metric name, run, field): what is compared across servers in each round.
METRICS = [("qps", "udp", "qps"), ("avg_latency_ms", "udp", "avg_latency_ms"),
           ("cpu_us_per_query", "fixed", "cpu_us_per_query"),
           ("p99_latency_ms", "fixed", "p99_latency_ms"), ("tcp_qps", "tcp", "qps")]


def metric(round_result: dict, run: str, field: str) -> float | None:
    value = round_result.get(run, {}).get(field)
    return value if isinstance(value, (int, float)) and value > 0 else None


def median_or_none(values: list[float | None]) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def ratios(group: dict, base: str) -> dict:
    """{peer: {metric: {"per_round": [peer/base per round], "median": ...}}} for one group
    ("servers": {name: {"rounds": [...]}}); a round where either side has no value gives None."""
    servers = group["servers"]
    if base not in servers:
        return {}
    out = {}
    for peer, data in servers.items():
        if peer == base:
            continue
        out[peer] = {}
        for name, run, field in METRICS:
            per_round = []
            for ours, theirs in zip(servers[base]["rounds"], data["rounds"]):
                a, b = metric(ours, run, field), metric(theirs, run, field)
                per_round.append(round(b / a, 3) if a and b else None)
            if any(v is not None for v in per_round):
                out[peer][name] = {"per_round": per_round, "median": median_or_none(per_round)}
    return out


def medians(server: dict) -> dict:
    """The median over rounds of each metric of one server."""
    return {name: median_or_none([metric(r, run, field) for r in server["rounds"]])
            for name, run, field in METRICS}


def _inverse(ratio: dict, peer: str, name: str) -> float | None:
    """hayate/peer from the median of peer/hayate (the same as the median of hayate/peer over
    an odd number of rounds)."""
    value = ratio.get(peer, {}).get(name, {}).get("median")
    return round(1 / value, 3) if value else None


def zone_label(size: str) -> str:
    """"100,000 names" for a generated zone, "the given zone" for --zone (size "0")."""
    return f"{int(size):,} names" if int(size) else "the given zone"


def goals(results: dict) -> list[dict]:
    """The issue's goals, each {"goal", "value" (hayate / peer), "target", "met"}; value None
    when the run did not measure it."""
    r = results.get("ratios", {})
    auth, res, dns64 = (r.get(g, {}) for g in ("authoritative", "resolver", "dns64"))
    rows = [
        ("authoritative CPU per query, hayate/Knot", _inverse(auth, "knot", "cpu_us_per_query"),
         "<=", 0.8),
        ("authoritative p99 latency, hayate/Knot", _inverse(auth, "knot", "p99_latency_ms"),
         "<=", 1.0),
        ("authoritative p99 latency, hayate/NSD", _inverse(auth, "nsd", "p99_latency_ms"),
         "<=", 1.0),
        ("TCP queries/s, hayate/Knot", _inverse(auth, "knot", "tcp_qps"), ">=", 1.0),
        ("resolver CPU per query (warm cache), hayate/Unbound",
         _inverse(res, "unbound", "cpu_us_per_query"), "<=", 0.6),
        ("DNS64 CPU per query (from cache), hayate/Unbound dns64",
         _inverse(dns64, "unbound", "cpu_us_per_query"), "<=", 0.6),
    ]
    veth = results.get("veth") or {}
    for path in ("hayate XDP", "hayate sockets"):
        if veth.get(path) and veth.get("NSD"):
            rows.append((f"replies/s over veth, {path}/NSD", round(veth[path] / veth["NSD"], 3),
                         ">=", 1.3))
    for size, tools in sorted(results.get("zone_load", {}).items(), key=lambda kv: int(kv[0])):
        ours, nsd = _median_field(tools.get("hayate-checkzone"), "seconds"), \
            _median_field(tools.get("nsd-checkzone"), "seconds")
        if ours and nsd:
            rows.append((f"zone load {zone_label(size)}, hayate-checkzone/nsd-checkzone time",
                         round(ours / nsd, 3), "<=", 1.0))
        peak = _median_field(tools.get("hayate-checkzone"), "peak_mb")
        if peak and int(size) >= 1000000:
            rows.append((f"zone load {zone_label(size)}, hayate-checkzone peak MB", peak,
                         "<=", 340))
    for size, servers in sorted(results.get("startup", {}).items(), key=lambda kv: int(kv[0])):
        ours, nsd, knot = (servers.get(s, {}) for s in ("hayate", "nsd", "knot"))
        if ours.get("startup_seconds") and nsd.get("startup_seconds"):
            rows.append((f"start-up {zone_label(size)}, hayate/NSD",
                         round(ours["startup_seconds"] / nsd["startup_seconds"], 3), "<=", 1.0))
        if int(size) >= 1000000 and ours.get("pss_mb") and knot.get("pss_mb"):
            rows.append((f"memory serving {zone_label(size)}, hayate/Knot",
                         round(ours["pss_mb"] / knot["pss_mb"], 3), "<=", 1.0))
    out = []
    for goal, value, op, target in rows:
        met = None if value is None else (value <= target if op == "<=" else value >= target)
        out.append({"goal": f"{goal} {op} {target}", "value": value, "target": target,
                    "met": met})
    return out


# The peer each group's goal is set against, for the echo floor's ratios.
FLOOR_PEERS = {"authoritative": "knot", "resolver": "unbound", "dns64": "unbound"}


def _round_cpu(group_data: dict, name: str, r: int) -> float | None:
    """CPU per query of server `name` (or of the echo floor) in round r of one group."""
    entry = group_data.get("floor", {}) if name == FLOOR_NAME else \
        group_data.get("servers", {}).get(name, {})
    rounds = entry.get("rounds", [])
    return metric(rounds[r], "fixed", "cpu_us_per_query") if r < len(rounds) else None


def floors(results: dict) -> list[dict]:
    """Per group with an echo floor: its CPU per query against the goal's peer and hayate's
    against it (medians of the per-round ratios), each {"what", "value", "per_round"}. A goal
    below the floor's ratio asks for less than what a server that does no DNS at all pays here,
    answering each query as it comes."""
    out = []
    for group, peer in FLOOR_PEERS.items():
        data = results.get(group, {})
        count = len(data.get("floor", {}).get("rounds", []))
        for ours, theirs in ((FLOOR_NAME, peer), ("hayate", FLOOR_NAME)):
            per_round = []
            for r in range(count):
                a, b = _round_cpu(data, ours, r), _round_cpu(data, theirs, r)
                per_round.append(round(a / b, 3) if a and b else None)
            value = median_or_none(per_round)
            if value is not None:
                out.append({"what": f"{group}: {ours}/{theirs} CPU per query",
                            "value": round(value, 3), "per_round": per_round})
    return out


def _floor_cells(group_data: dict) -> tuple[float | None, float | None, float | None]:
    """The echo floor's median CPU per query, rate and p99 in one group."""
    rounds = group_data.get("floor", {}).get("rounds", [])
    return tuple(median_or_none([metric(r, "fixed", field) for r in rounds])
                 for field in ("cpu_us_per_query", "qps", "p99_latency_ms"))


def _median_field(runs: list[dict] | None, field: str) -> float | None:
    return median_or_none([run.get(field) for run in runs or []])


def _fmt(value, digits: int = 0) -> str:
    if value is None:
        return "-"
    return f"{value:,.{digits}f}"


def table(results: dict) -> str:
    """The short text table: medians over rounds per server, then ratios and goals."""
    lines = []
    for group in ("authoritative", "resolver", "dns64"):
        data = results.get(group)
        if not data or not data.get("servers"):
            continue
        lines.append(f"\n{group} ({results['config']['rounds']} rounds, medians)")
        lines.append(f"{'server':<15}{'q/s':>10}{'avg ms':>8}{'CPU us/q':>10}{'@ q/s':>9}"
                     f"{'p99 ms':>8}{'TCP q/s':>10}{'start s':>9}{'PSS MB':>8}")
        for name, server in data["servers"].items():
            m = medians(server)
            fixed_qps = median_or_none([metric(r, "fixed", "qps") for r in server["rounds"]])
            lines.append(f"{name:<15}{_fmt(m['qps']):>10}{_fmt(m['avg_latency_ms'], 2):>8}"
                         f"{_fmt(m['cpu_us_per_query'], 2):>10}{_fmt(fixed_qps):>9}"
                         f"{_fmt(m['p99_latency_ms'], 2):>8}{_fmt(m['tcp_qps']):>10}"
                         f"{_fmt(server.get('startup_seconds'), 2):>9}"
                         f"{_fmt(server.get('memory', {}).get('pss_mb'), 1):>8}")
        if data.get("floor"):
            cpu, qps, p99 = _floor_cells(data)
            lines.append(f"{FLOOR_NAME:<15}{'-':>10}{'-':>8}{_fmt(cpu, 2):>10}{_fmt(qps):>9}"
                         f"{_fmt(p99, 2):>8}{'-':>10}{'-':>9}{'-':>8}")
        short = {name for name, server in data["servers"].items() for r in server["rounds"]
                 if r.get("fixed", {}).get("qps", 0) < 0.9 * r.get("fixed", {}).get("rate", 0)}
        upstream = {name: sum(r.get(run, {}).get("upstream_queries", 0)
                              for r in server["rounds"] for run in ("udp", "fixed"))
                    for name, server in data["servers"].items()}
        if any(upstream.values()):
            lines.append(f"  (not all from the cache: upstream queries during the runs {upstream})")
        if short:
            lines.append(f"  (below 90% of the fixed rate: {', '.join(sorted(short))}; "
                         "their CPU per query is at a lower load: try --fixed-rate 0)")
        for peer, per_metric in results.get("ratios", {}).get(group, {}).items():
            text = ", ".join(f"{name} {_fmt(v['median'], 2)}" for name, v in per_metric.items())
            lines.append(f"  {peer}/hayate median: {text}")
    for size, tools in results.get("zone_load", {}).items():
        lines.append(f"\nzone load, {zone_label(size)} (medians)")
        for tool, runs in tools.items():
            errors = [run["error"] for run in runs if "error" in run]
            lines.append(f"  {tool:<18}{_fmt(_median_field(runs, 'seconds'), 2):>8} s"
                         f"{_fmt(_median_field(runs, 'peak_mb'), 1):>9} MB"
                         + (f"  ({errors[0][:60]})" if errors else ""))
    for size, servers in results.get("startup", {}).items():
        lines.append(f"\ndaemon start-up to first answer, {zone_label(size)}")
        for name, s in servers.items():
            lines.append(f"  {name:<10}{_fmt(s.get('startup_seconds'), 2):>8} s"
                         f"{_fmt(s.get('pss_mb'), 1):>9} MB PSS{_fmt(s.get('rss_mb'), 1):>9} MB RSS"
                         + (f"  ({s['error'][:60]})" if s.get("error") else ""))
    if results.get("veth"):
        lines.append("\nreplies/s over veth (kxdpgun)")
        for label, value in results["veth"].items():
            lines.append(f"  {label:<18}{_fmt(value):>12}")
    if results.get("goals"):
        lines.append("\ngoals (hayate / peer)")
        for g in results["goals"]:
            verdict = {True: "met", False: "NOT met", None: "not measured"}[g["met"]]
            lines.append(f"  {g['goal']:<72}{_fmt(g['value'], 2):>8}  {verdict}")
    if results.get("floors"):
        lines.append("\nthe echo floor (no DNS, only the socket work) on this machine")
        for f in results["floors"]:
            lines.append(f"  {f['what']:<72}{_fmt(f['value'], 2):>8}")
    return "\n".join(lines) + "\n"


def plot(results: dict, png: Path) -> bool:
    """A PNG with the median queries/s and CPU per query of each server; False without gnuplot."""
    gnuplot = shutil.which("gnuplot")
    if not gnuplot:
        return False
    rows = []
    for group in ("authoritative", "resolver", "dns64"):
        for name, server in results.get(group, {}).get("servers", {}).items():
            m = medians(server)
            short = {"authoritative": "auth", "resolver": "res"}.get(group, group)
            rows.append(f'"{short} {name}" {m["qps"] or 0} {m["cpu_us_per_query"] or 0}')
    data = png.with_suffix(".dat")
    data.write_text("\n".join(rows) + "\n")
    script = f"""
set terminal pngcairo size 1200,500
set output '{png}'
set multiplot layout 1,2
set style data histograms
set style fill solid 0.8
set xtics rotate by -45
set key off
set yrange [0:*]
set title 'queries/s (max rate, UDP)'
plot '{data}' using 2:xtic(1)
set title 'CPU us per answered query (fixed rate)'
plot '{data}' using 3:xtic(1)
unset multiplot
"""
    proc = subprocess.run([gnuplot], input=script, capture_output=True, text=True, timeout=60)
    return proc.returncode == 0 and png.exists()


def short_version(text: str) -> str:
    """"4.6.1" from "NSD version 4.6.1"; "" when there is no version number."""
    m = re.search(r"\d+(\.\d+)+", text or "")
    return m.group(0) if m else ""


def _markdown_group(results: dict, group: str) -> list[str]:
    data = results[group]
    out = [f"\n{group}, medians of {results['config']['rounds']} rounds:\n",
           "| server | q/s (max) | avg ms | CPU µs/query | at q/s | p99 ms | TCP q/s |",
           "|---|---|---|---|---|---|---|"]
    for name, server in data["servers"].items():
        m = medians(server)
        fixed_qps = median_or_none([metric(r, "fixed", "qps") for r in server["rounds"]])
        version = short_version(results.get("versions", {}).get(name, ""))
        out.append(f"| {name} {version} | {_fmt(m['qps'])} | {_fmt(m['avg_latency_ms'], 2)} | "
                   f"{_fmt(m['cpu_us_per_query'], 2)} | {_fmt(fixed_qps)} | "
                   f"{_fmt(m['p99_latency_ms'], 2)} | {_fmt(m['tcp_qps'])} |")
    if data.get("floor"):
        cpu, qps, p99 = _floor_cells(data)
        out.append(f"| {FLOOR_NAME} | - | - | {_fmt(cpu, 2)} | {_fmt(qps)} | {_fmt(p99, 2)} | - |")
    ratio_rows = results.get("ratios", {}).get(group, {})
    if ratio_rows:
        out += ["", "| peer/hayate: median (per round) | " + " | ".join(n for n, _, _ in METRICS)
                + " |", "|---" * (len(METRICS) + 1) + "|"]
        for peer, per_metric in ratio_rows.items():
            cells = ["-" if not v else f"**{_fmt(v['median'], 2)}** ("
                     + ", ".join(_fmt(x, 2) for x in v["per_round"]) + ")"
                     for v in (per_metric.get(name) for name, _, _ in METRICS)]
            out.append(f"| {peer} | " + " | ".join(cells) + " |")
    return out


def _markdown_loading(results: dict) -> list[str]:
    out = []
    for size, tools in results.get("zone_load", {}).items():
        out += [f"\nzone load, {zone_label(size)}:\n", "| checker | time s | peak MB |",
                "|---|---|---|"]
        out += [f"| {tool} | {_fmt(_median_field(runs, 'seconds'), 2)} | "
                f"{_fmt(_median_field(runs, 'peak_mb'), 1)} |" for tool, runs in tools.items()]
    for size, servers in results.get("startup", {}).items():
        out += [f"\nstart-up to first answer and memory serving, {zone_label(size)}:\n",
                "| server | start-up s | PSS MB | RSS MB |", "|---|---|---|---|"]
        out += [f"| {name} | {_fmt(s.get('startup_seconds'), 2)} | {_fmt(s.get('pss_mb'), 1)} "
                f"| {_fmt(s.get('rss_mb'), 1)} |" for name, s in servers.items()]
    return out


def markdown(results: dict) -> str:
    """The README's results tables: medians per server, ratios per round, zone load, start-up,
    veth and goals, as Markdown."""
    out = []
    for group in ("authoritative", "resolver", "dns64"):
        if results.get(group, {}).get("servers"):
            out += _markdown_group(results, group)
    out += _markdown_loading(results)
    if results.get("veth"):
        out += ["\nreplies/s over veth (kxdpgun):\n", "| server | replies/s |", "|---|---|"]
        out += [f"| {label} | {_fmt(value)} |" for label, value in results["veth"].items()]
    if results.get("goals"):
        out += ["\ngoals (hayate/peer):\n", "| goal | value | |", "|---|---|---|"]
        for g in results["goals"]:
            verdict = {True: "met", False: "**not met**", None: "not measured"}[g["met"]]
            out.append(f"| {g['goal']} | {_fmt(g['value'], 2)} | {verdict} |")
    if results.get("floors"):
        out += ["\nthe echo floor (no DNS, only the socket work), median (per round):\n",
                "| ratio | value |", "|---|---|"]
        out += [f"| {f['what']} | **{_fmt(f['value'], 2)}** ("
                + ", ".join(_fmt(x, 2) for x in f["per_round"]) + ") |"
                for f in results["floors"]]
    return "\n".join(out) + "\n"
