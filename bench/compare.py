#!/usr/bin/python3
"""hayate against NSD, Knot DNS, BIND and Unbound on this machine, in one command (issue 8).

    /usr/bin/python3 bench/compare.py --hayate build/server/hayate [--rounds 3] [--big] [--veth]
        [--json results.json] [--plot results.png]

Generates a zone (bench/gen_zone.py, --names, default 100,000) and query mixes
(bench/query_mix.py), or takes --zone/--origin/--queries; starts every installed server on
loopback pinned to CPU 1 with one worker thread, dnsperf pinned to CPU 0, and measures, in
interleaved rounds (A B C D A B C D ...):
  authoritative  hayate, NSD (rrl-ratelimit 0), Knot DNS, BIND: queries/s at the maximum rate,
                 CPU time per answered query and p99 latency at a fixed rate (--fixed-rate;
                 each server's run cut into --slices slices taken in turn, A B C D A B ...),
                 queries/s over TCP (pipelined)
  resolver       hayate vs Unbound forwarding to a local authoritative server, from a warm cache
  dns64          the same with AAAA synthesized from A (hayate [[dns64]] vs Unbound's dns64)
  zone load      time and peak memory of hayate-checkzone, nsd-checkzone, kzonecheck and
                 named-checkzone; each daemon's start-up until its first answer and its memory
                 when serving (--big adds a zone of --big-names, default 1,000,000)
  veth           (--veth, root) replies/s over a veth pair loaded by kxdpgun (xdp_veth_bench.py)
  echo floor     in each group's fixed-rate runs, a bare recvmmsg/sendmmsg echo with no DNS in it
                 (bench/echo_floor.cpp): what the socket work alone costs per query here
then prints medians, the peer/hayate ratio per round and its median, and the issue's goals, and
writes --json. --smoke is the ctest check that the harness still works (2,000 names, 1 round,
half a second per run, only the installed servers, no timing asserted). Exits 77 (skipped) when
dnsperf is missing.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import signal
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import dnsperf  # noqa: E402
import servers  # noqa: E402  (puts tests/system on sys.path)
import daemon_harness  # noqa: E402
import gen_zone  # noqa: E402
import proc_stats  # noqa: E402
import query_mix  # noqa: E402
import report  # noqa: E402
import zone_load  # noqa: E402
from servers import Zone  # noqa: E402

SKIP_EXIT = 77
AUTHORITATIVE = ["hayate", "nsd", "knot", "bind"]
FLOOR = report.FLOOR_NAME  # bench/echo_floor.cpp's label in the results
# group -> [(label in the results, server kind for servers.resolver)]
RESOLVERS = {"resolver": [("hayate", "hayate"), ("unbound", "unbound")],
             "dns64": [("hayate", "hayate-dns64"), ("unbound", "unbound-dns64")]}


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--hayate", required=True, help="the hayate daemon binary")
    p.add_argument("--hayate-checkzone", help="default: zone/hayate-checkzone beside the daemon's "
                   "build directory")
    p.add_argument("--hayatectl", help="for --veth; default: beside the daemon")
    p.add_argument("--zone", help="a zone file to serve instead of the generated one")
    p.add_argument("--origin", default="example.com.", help="the zone's origin")
    p.add_argument("--queries", help="a dnsperf query file for the authoritative runs")
    p.add_argument("--resolver-queries", help="query file for the resolver runs (with --zone: "
                   "without it the resolver and dns64 stages are left out)")
    p.add_argument("--dns64-queries", help="query file (AAAA for names with only A) for dns64")
    p.add_argument("--names", type=int, default=100000, help="names in the generated zone")
    p.add_argument("--query-count", type=int, default=100000)
    p.add_argument("--resolver-query-count", type=int, default=20000)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--seconds", type=float, default=5.0, help="length of each dnsperf run")
    p.add_argument("--fixed-rate", type=int, default=100000,
                   help="queries/s of the CPU-per-query runs (dnsperf -Q); 0: half the lowest "
                   "maximum rate of the round, for a machine where dnsperf cannot reach it")
    p.add_argument("--slices", type=int, default=5,
                   help="cut each fixed-rate run into this many slices, taken in turn across "
                   "the servers (A B C D A B C D ...) so that the machine's changing load falls "
                   "on all alike")
    p.add_argument("--clients", type=int, default=10, help="dnsperf -c")
    p.add_argument("--outstanding", type=int, default=200, help="dnsperf -q")
    p.add_argument("--timeout", type=float, default=2.0,
                   help="dnsperf -t: seconds before a query counts as lost (each run waits this "
                   "long at its end for the last answers)")
    p.add_argument("--servers", default=",".join(AUTHORITATIVE),
                   help="authoritative servers to run (those not installed are left out)")
    p.add_argument("--server-cpu", type=int, default=1)
    p.add_argument("--load-cpu", type=int, default=0)
    p.add_argument("--no-tcp", action="store_true")
    p.add_argument("--no-resolver", action="store_true", help="leave out resolver and dns64")
    p.add_argument("--no-zone-load", action="store_true")
    p.add_argument("--big", action="store_true", help="also load a zone of --big-names")
    p.add_argument("--big-names", type=int, default=1000000)
    p.add_argument("--big-rounds", type=int, default=1,
                   help="rounds of the checkers on the big zone (each takes seconds to minutes)")
    p.add_argument("--load-timeout", type=float, default=600,
                   help="seconds for one zone checker run or one daemon start-up")
    p.add_argument("--veth", action="store_true", help="run bench/xdp_veth_bench.py (root)")
    p.add_argument("--echo-floor", help="the bare echo (bench/echo_floor.cpp) measured beside "
                   "each group; default: bench/hayate-echo-floor in the daemon's build "
                   "directory, left out when not built; \"none\": left out")
    p.add_argument("--json", help="write the results here")
    p.add_argument("--plot", help="write a gnuplot PNG here (if gnuplot is installed)")
    p.add_argument("--markdown", help="write the results tables as Markdown here (README)")
    p.add_argument("--workdir", help="keep generated files here (default: a temp dir, removed)")
    p.add_argument("--smoke", action="store_true",
                   help="quick self-check for ctest: 2,000 names, 1 round, 0.5 s runs")
    args = p.parse_args(argv)
    if args.smoke:
        args.names, args.query_count, args.resolver_query_count = 2000, 2000, 300
        args.rounds, args.seconds, args.fixed_rate, args.timeout = 1, 0.5, 2000, 0.5
        args.slices = 2  # still more than one, so that the merging is exercised
        args.big = args.veth = False
    allowed = sorted(os.sched_getaffinity(0))
    if args.server_cpu not in allowed or args.load_cpu not in allowed:
        # Fewer CPUs than the defaults assume (a container, a 1-CPU CI runner): the last and the
        # first we may use, which may be the same one.
        args.server_cpu, args.load_cpu = allowed[-1], allowed[0]
    build = Path(args.hayate).resolve().parent.parent
    args.hayate = str(Path(args.hayate).resolve())
    args.hayate_checkzone = args.hayate_checkzone or str(build / "zone" / "hayate-checkzone")
    args.hayatectl = args.hayatectl or str(Path(args.hayate).parent / "hayatectl")
    if args.echo_floor is None and (build / "bench" / "hayate-echo-floor").exists():
        args.echo_floor = str(build / "bench" / "hayate-echo-floor")
    if args.echo_floor == "none":
        args.echo_floor = None
    args.origin = args.origin.rstrip(".") + "."
    return args


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def write_lines(path: Path, lines: list[str]) -> str:
    path.write_text("".join(f"{line}\n" for line in lines))
    return str(path)


def prepare_files(args, work: Path) -> dict:
    """The zone and query files: the user's, or generated."""
    files = {}
    if args.zone:
        files["zone"] = str(Path(args.zone).resolve())
    else:
        files["zone"] = str(work / "bench.zone")
        with open(files["zone"], "w") as out:
            gen_zone.write_zone(out, args.origin, args.names)
    generated = not args.zone
    for key, mix, count, given in (
            ("queries", "authoritative", args.query_count, args.queries),
            ("resolver_queries", "resolver", args.resolver_query_count, args.resolver_queries),
            ("dns64_queries", "dns64", args.resolver_query_count, args.dns64_queries)):
        if given:
            files[key] = str(Path(given).resolve())
        elif generated:
            files[key] = write_lines(work / f"{mix}.queries",
                                     query_mix.queries(args.origin, args.names, count, mix))
    if "queries" not in files:
        sys.exit("compare.py: --zone needs --queries")
    return files


def load_for(args) -> dnsperf.Load:
    return dnsperf.Load(cpu=args.load_cpu, seconds=args.seconds, clients=args.clients,
                        outstanding=args.outstanding, timeout=args.timeout)


def as_dict(result: dnsperf.Result) -> dict:
    out = {"qps": round(result.qps, 1), "sent": result.sent, "completed": result.completed,
           "lost": result.lost, "avg_latency_ms": round(result.avg_latency_ms, 4),
           "rcodes": result.rcodes}
    if result.p99_latency_ms is not None:
        out["p99_latency_ms"] = round(result.p99_latency_ms, 4)
    return out


def measure(server, query_file: str, args, tcp: bool = False) -> dict:
    """A maximum-rate run, or over TCP."""
    try:
        return as_dict(dnsperf.run(server.address, server.port, query_file, load_for(args),
                                   tcp=tcp))
    except Exception as e:  # a run that fails is recorded, the benchmark goes on
        return {"error": str(e)[-1000:]}


def measure_fixed_rate(members: dict, query_file: str, args, rate: int,
                       upstream=None) -> dict[str, dict]:
    """Every server's fixed-rate run: CPU time of its process tree per answered query, and the
    latency distribution from dnsperf -v. Each run is cut into --slices slices taken in turn
    (A B C D A B C D ...), so that load from elsewhere on the machine that comes and goes within
    a round falls on every server alike instead of on whichever ran then; CPU time and answers
    are summed over the slices and the p99 is that of all their latencies together."""
    slices = max(1, args.slices)
    load = load_for(args)
    load.seconds = args.seconds / slices
    runs: dict[str, list] = {name: [] for name in members}
    cpu = {name: 0.0 for name in members}
    sent_upstream: dict[str, int | None] = {name: 0 for name in members}
    errors: dict[str, str] = {}
    for _ in range(slices):
        for name, server in members.items():
            if name in errors:
                continue
            try:
                up_before = upstream_queries(upstream)
                before = proc_stats.cpu_seconds(server.proc.pid)
                runs[name].append(dnsperf.run(server.address, server.port, query_file, load,
                                              rate=rate, verbose=True))
                cpu[name] += proc_stats.cpu_seconds(server.proc.pid) - before
                up_after = upstream_queries(upstream)
                if up_before is None or up_after is None or sent_upstream[name] is None:
                    sent_upstream[name] = None
                else:
                    sent_upstream[name] += up_after - up_before
            except Exception as e:  # a run that fails is recorded, the benchmark goes on
                errors[name] = str(e)[-1000:]
    out = {}
    for name in members:
        if name in errors:
            out[name] = {"error": errors[name]}
            continue
        result = dnsperf.merge(runs[name], load.seconds * len(runs[name]))
        entry = as_dict(result)
        entry.update(rate=rate, slices=slices, cpu_seconds=round(cpu[name], 3))
        if result.completed:
            entry["cpu_us_per_query"] = round(cpu[name] / result.completed * 1e6, 3)
        if upstream is not None and sent_upstream[name] is not None:
            entry["upstream_queries"] = sent_upstream[name]
        out[name] = entry
    return out


def warm(server, query_file: str, args) -> dict:
    """Passes through the query file until one loses nothing (at most three), so that the
    measured runs answer from the cache."""
    load = load_for(args)
    load.seconds = 120
    result = None
    for _ in range(3):
        result = dnsperf.run(server.address, server.port, query_file, load, max_runs=1)
        if result.lost == 0:
            break
    return {"passes_lost": result.lost, "completed": result.completed}


def stop_all(running: dict) -> None:
    """SIGTERM to every server first, then wait for each: they shut down side by side."""
    for server in running.values():
        server.signal(signal.SIGTERM)
    for server in running.values():
        server.cleanup()
    running.clear()


def start(factory, label: str) -> tuple[object | None, str | None]:
    server = factory()
    try:
        server.start()
        return server, None
    except Exception as e:
        server.cleanup()
        log(f"  {label}: did not start: {str(e)[:2000]}")
        return None, str(e)[-2000:]


def start_authoritative(args, zone: Zone, names: list[str], results: dict, running: dict) -> None:
    group = results["authoritative"]["servers"]
    for name in names:
        log(f"starting {name} ({zone.path()})")
        server, error = start(lambda: servers.authoritative(
            name, args.hayate, zone, args.server_cpu, args.load_timeout), name)
        group[name] = {"rounds": [], "version": results["versions"].get(name, "")}
        if error:
            group[name]["error"] = error
            continue
        group[name]["startup_seconds"] = round(server.startup_seconds, 3)
        running[("authoritative", name)] = server


def start_resolvers(args, zone: Zone, files: dict, results: dict, running: dict) -> None:
    """A hayate authoritative server on the load CPU as the upstream, and the resolvers of each
    group that has a query file."""
    backend, error = start(lambda: servers.authoritative(
        "hayate", args.hayate, zone, args.load_cpu, args.load_timeout), "backend")
    if error:
        results["errors"].append(f"resolver backend: {error}")
        return
    running[("backend", "hayate")] = backend
    for group, members in RESOLVERS.items():
        if not files.get(f"{group}_queries"):
            continue
        results[group] = {"servers": {}, "upstream": f"hayate authoritative on CPU {args.load_cpu}"}
        for label, kind in members:
            if not servers.installed(kind):
                continue
            log(f"starting {group} {label}")
            server, error = start(lambda: servers.resolver(
                kind, args.hayate, args.origin, backend.port, args.server_cpu,
                args.load_timeout), f"{group} {label}")
            entry = results[group]["servers"][label] = {"rounds": []}
            if error:
                entry["error"] = error
                continue
            running[(group, label)] = server


def start_floor(args, results: dict, running: dict) -> None:
    """The echo floor on the servers' CPU, if there is one to run."""
    if not args.echo_floor:
        return
    log(f"starting the echo floor ({args.echo_floor})")
    floor, error = start(lambda: servers.EchoFloor(args.echo_floor, args.server_cpu),
                         "echo floor")
    if error:
        results["errors"].append(f"echo floor: {error}")
        return
    running[("floor", FLOOR)] = floor


def check_running(args, results: dict, running: dict) -> None:
    """Each server's answers to a few known questions (generated zones only)."""
    if args.zone:
        return
    for (group, name), server in running.items():
        if group not in ("backend", "floor"):
            problems = servers.check_answers(server, group, args.origin, args.names)
            results[group]["servers"][name]["answer_problems"] = problems
            for problem in problems:
                log(f"  {group} {name}: wrong answer: {problem}")


def fixed_rate(args, group_rounds: list[dict]) -> int:
    """The rate of this round's fixed-rate runs: --fixed-rate, or with 0 ("auto") half the
    lowest maximum rate any server of the group reached this round, so that every server is
    measured at the same load and none of them, nor dnsperf, is saturated."""
    if args.fixed_rate:
        return args.fixed_rate
    rates = [e["udp"]["qps"] for e in group_rounds if e.get("udp", {}).get("qps")]
    return max(1000, int(min(rates) / 2 / 1000) * 1000) if rates else 10000


def upstream_queries(backend) -> int | None:
    """Queries the resolvers' upstream has answered so far (hayatectl stats), None without
    hayatectl: a resolver answering from its cache sends it none during a measured run."""
    if backend is None or not os.access(daemon_harness.HAYATECTL_BINARY or "", os.X_OK):
        return None
    try:
        stats = daemon_harness.hayatectl_stats(backend)
    except Exception:
        return None
    return stats.get("queries.udp", 0) + stats.get("queries.tcp", 0)


def counted(run, backend) -> dict:
    """run()'s result with "upstream_queries": what the upstream got meanwhile."""
    before = upstream_queries(backend)
    result = run()
    after = upstream_queries(backend)
    if before is not None and after is not None and "error" not in result:
        result["upstream_queries"] = after - before
    return result


def run_group_round(args, r: int, group: str, members: dict, query_file: str,
                    backend, floor=None) -> dict:
    """One round of one group: every server's maximum-rate run in turn (A B C D), then the
    fixed-rate runs (in slices, A B C D A B C D ...; the echo floor among them as FLOOR), then
    TCP; resolvers get a warm-up pass before their first run."""
    entries = {name: {} for name in members}
    upstream = backend if group != "authoritative" else None
    for name, server in members.items():
        log(f"round {r + 1}/{args.rounds}: {group} {name}")
        if upstream:
            try:
                entries[name]["warm"] = warm(server, query_file, args)
            except Exception as e:
                entries[name]["warm"] = {"error": str(e)[-1000:]}
        entries[name]["udp"] = counted(lambda: measure(server, query_file, args), upstream)
    rate = fixed_rate(args, list(entries.values()))
    log(f"round {r + 1}/{args.rounds}: {group} at {rate} q/s, {args.slices} slices each")
    fixed_members = {**members, FLOOR: floor} if floor else members
    for name, fixed in measure_fixed_rate(fixed_members, query_file, args, rate,
                                          upstream).items():
        entries.setdefault(name, {})["fixed"] = fixed
    if group == "authoritative" and not args.no_tcp:
        for name, server in members.items():
            log(f"round {r + 1}/{args.rounds}: {group} {name} over TCP")
            entries[name]["tcp"] = measure(server, query_file, args, tcp=True)
    return entries


def run_rounds(args, files: dict, results: dict, running: dict) -> None:
    query_file = {"authoritative": files["queries"], "resolver": files.get("resolver_queries"),
                  "dns64": files.get("dns64_queries")}
    groups: dict[str, dict] = {}
    for (group, name), server in running.items():
        if group not in ("backend", "floor"):
            groups.setdefault(group, {})[name] = server
    backend = running.get(("backend", "hayate"))
    floor = running.get(("floor", FLOOR))
    for r in range(args.rounds):
        for group, members in groups.items():
            entries = run_group_round(args, r, group, members, query_file[group], backend, floor)
            for name, entry in entries.items():
                if name == FLOOR:
                    results[group].setdefault("floor", {"rounds": []})["rounds"].append(entry)
                else:
                    results[group]["servers"][name]["rounds"].append(entry)
    for group, members in groups.items():
        for name, server in members.items():
            results[group]["servers"][name]["memory"] = proc_stats.memory_mb(server.proc.pid)


def zone_load_stage(args, zone_file: str, size: int, rounds: int, results: dict) -> None:
    """Every checker on the zone file, in interleaved rounds."""
    tools = zone_load.checkers(args.hayate_checkzone, args.origin, zone_file)
    out = results["zone_load"][str(size)] = {tool: [] for tool in tools}
    for r in range(rounds):
        for tool, argv in tools.items():
            log(f"zone load {size:,} names, round {r + 1}/{rounds}: {tool}")
            out[tool].append(zone_load.measure(argv, args.server_cpu, args.load_timeout))


def startup_stage(args, zone: Zone, size: int, names: list[str], results: dict) -> None:
    """Each daemon started alone on the zone, timed to its first answer, memory when serving."""
    out = results["startup"][str(size)] = {}
    for name in names:
        log(f"start-up {size:,} names: {name}")
        server, error = start(lambda: servers.authoritative(
            name, args.hayate, zone, args.server_cpu, args.load_timeout), name)
        if error:
            out[name] = {"error": error}
            continue
        try:
            out[name] = {"startup_seconds": round(server.startup_seconds, 3),
                         **proc_stats.memory_mb(server.proc.pid)}
        finally:
            server.cleanup()


def veth_stage(args, results: dict) -> None:
    import subprocess  # only this optional stage runs a script
    argv = [sys.executable, str(HERE / "xdp_veth_bench.py"), "--hayate", args.hayate,
            "--hayatectl", args.hayatectl, "--seconds", str(max(1, int(args.seconds)))]
    log("veth: " + " ".join(argv))
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=600)
    values = {}
    for line in proc.stdout.splitlines():
        parts = line.split("  ")
        if "replies/s" in line and parts:
            label = parts[0].strip()
            number = line.split("replies/s")[0].split()[-1]
            if number.isdigit():
                values[label] = int(number)
    results["veth"] = values
    if proc.returncode != 0 or not values:
        results["errors"].append(f"veth: exit {proc.returncode}: {proc.stderr[-1000:]}")


def machine() -> dict:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "cpu_model": model, "kernel": platform.release(),
            "loadavg": list(os.getloadavg())}


def smoke_problems(results: dict) -> list[str]:
    """What --smoke asserts: every installed server started and answered in every run, and the
    JSON has its sections; nothing about speed."""
    problems = list(results["errors"])
    if not results.get("complete"):
        problems.append("the run did not complete")
    for key in ("machine", "config", "versions", "authoritative", "ratios", "goals",
                "zone_load", "startup"):
        if key not in results:
            problems.append(f"results have no {key!r}")
    for group in ("authoritative", "resolver", "dns64"):
        for name, server in results.get(group, {}).get("servers", {}).items():
            if server.get("error"):
                problems.append(f"{group} {name}: {server['error'][:300]}")
                continue
            for run in ("udp", "fixed") + (("tcp",) if group == "authoritative" else ()):
                value = server["rounds"][0].get(run, {}) if server["rounds"] else {}
                if not value.get("completed", 0) > 0:
                    problems.append(f"{group} {name} {run}: no answers ({value})")
            problems += [f"{group} {name}: {p}" for p in server.get("answer_problems", [])]
            if not server.get("memory", {}).get("pss_mb"):
                problems.append(f"{group} {name}: no memory figure")
        if group == "authoritative" and "hayate" not in results[group]["servers"]:
            problems.append("hayate did not run")
        if results["config"].get("echo_floor") and group in results:
            rounds = results[group].get("floor", {}).get("rounds", [])
            if not (rounds and rounds[0].get("fixed", {}).get("completed", 0) > 0):
                problems.append(f"{group} echo floor: no answers ({rounds[:1]})")
    for tool, runs in results.get("zone_load", {}).get(str(2000), {}).items():
        if not runs or "seconds" not in runs[0]:
            problems.append(f"zone load {tool}: {runs}")
    return problems


def checkpoint(args, results: dict) -> None:
    """Ratios and goals of what is measured so far, written to --json: a run cut short (or one
    whose later stage fails) keeps what it has, with "complete": false."""
    results["machine"]["loadavg_end"] = list(os.getloadavg())
    results["ratios"] = {group: report.ratios(results[group], "hayate")
                         for group in ("authoritative", "resolver", "dns64") if group in results}
    results["goals"] = report.goals(results)
    results["floors"] = report.floors(results)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1) + "\n")


def run_stages(args, work: Path, names: list[str], results: dict) -> None:
    running: dict = {}
    try:
        files = prepare_files(args, work)
        results["files"] = files
        zone = Zone(args.origin, files["zone"])
        size = args.names if not args.zone else 0
        if not args.no_zone_load:
            zone_load_stage(args, files["zone"], size, args.rounds, results)
        start_authoritative(args, zone, names, results, running)
        if not args.no_resolver and files.get("resolver_queries"):
            start_resolvers(args, zone, files, results, running)
        start_floor(args, results, running)
        check_running(args, results, running)
        run_rounds(args, files, results, running)
        results["startup"][str(size)] = {
            name: {"startup_seconds": s.get("startup_seconds"), **s.get("memory", {})}
            for name, s in results["authoritative"]["servers"].items() if not s.get("error")}
    finally:
        stop_all(running)
    checkpoint(args, results)
    if args.big:
        big = work / "big.zone"
        with open(big, "w") as out:
            gen_zone.write_zone(out, args.origin, args.big_names)
        if not args.no_zone_load:
            zone_load_stage(args, str(big), args.big_names, args.big_rounds, results)
            checkpoint(args, results)
        startup_stage(args, Zone(args.origin, big), args.big_names, names, results)
        checkpoint(args, results)
    if args.veth:
        veth_stage(args, results)


def new_results(args, argv: list[str]) -> dict:
    now = datetime.datetime.now(datetime.timezone.utc)
    results = {"command": " ".join([Path(sys.argv[0]).name] + argv),
               "started": now.isoformat(timespec="seconds"), "complete": False,
               "machine": machine(),
               "config": {k: v for k, v in vars(args).items()
                          if k not in ("json", "plot", "markdown")},
               "versions": {"hayate": servers.version(args.hayate),
                            "dnsperf": servers.version("dnsperf")},
               "authoritative": {"servers": {}}, "zone_load": {}, "startup": {}, "errors": []}
    for name, binary in servers.BINARIES.items():
        if name != "unbound-dns64" and servers.installed(name):
            results["versions"][name] = servers.version(binary)
    return results


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    if not shutil.which("dnsperf"):
        log("compare.py: dnsperf is not installed (scripts/install-deps.sh --peers): skipped")
        return SKIP_EXIT
    daemon_harness.HAYATECTL_BINARY = args.hayatectl
    for path in (args.hayate, args.hayate_checkzone):
        if not os.access(path, os.X_OK):
            sys.exit(f"compare.py: {path} is not an executable")
    work = Path(args.workdir or tempfile.mkdtemp(prefix="hayate-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    names = [n for n in args.servers.split(",") if n in AUTHORITATIVE and servers.installed(n)]
    results = new_results(args, argv)
    try:
        run_stages(args, work, names, results)
        results["complete"] = True
    finally:
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)
        checkpoint(args, results)
    print(report.table(results), end="")
    if args.markdown:
        Path(args.markdown).write_text(report.markdown(results))
    if args.plot and report.plot(results, Path(args.plot)):
        log(f"plot: {args.plot}")
    if args.smoke:
        problems = smoke_problems(json.loads(json.dumps(results)))  # what the JSON holds
        for problem in problems:
            log(f"SMOKE FAILED: {problem}")
        if problems:
            return 1
        log("smoke: every installed server answered; the JSON has every section")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
