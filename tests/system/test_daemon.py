#!/usr/bin/python3
"""System tests for the hayate daemon and hayatectl.

Starts the real daemon on 127.0.0.1 with a free port and a config in a temporary directory, queries
it with dig, kdig and dnspython, and drives it with hayatectl and signals. Loopback only.

usage: test_daemon.py --hayate PATH --hayatectl PATH [unittest args]
"""

import argparse
import os
import pathlib
import re
import signal
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.request

import dns.message
import dns.query
import dns.rcode
import dns.rdatatype

from daemon_harness import free_port  # noqa: E402  (beside this file)

HERE = pathlib.Path(__file__).resolve().parent
ZONE_TEMPLATE = (HERE / "zones" / "daemon.test.zone.in").read_text()
HAYATE = HAYATECTL = None
START_DEADLINE = 20.0  # seconds; generous for sanitizer builds


def query(port, name, rdtype="A", tcp=False, timeout=2.0):
    q = dns.message.make_query(name, rdtype)
    if tcp:
        return dns.query.tcp(q, "127.0.0.1", port=port, timeout=timeout)
    return dns.query.udp(q, "127.0.0.1", port=port, timeout=timeout)


def soa_serial(response):
    for rrset in response.answer:
        if rrset.rdtype == dns.rdatatype.SOA:
            return rrset[0].serial
    return None


class Daemon:
    """One hayate process with its own directory, config and zone."""

    def __init__(self, serial=1, extra_config=""):
        self.dir = pathlib.Path(tempfile.mkdtemp(prefix="hayate-system-"))
        self.port = free_port()
        self.metrics_port = free_port()
        self.socket = self.dir / "control.sock"
        self.config = self.dir / "hayate.toml"
        self.zone = self.dir / "daemon.test.zone"
        self.log = self.dir / "hayate.log"
        self.write_zone(serial)
        self.config_text = f"""
[server]
listen = ["127.0.0.1:{self.port}"]
workers = 2
tcp-idle-timeout = 5
{extra_config}
[log]
level = "info"
target = "{self.log}"

[control]
socket = "{self.socket}"
metrics-listen = "127.0.0.1:{self.metrics_port}"

[[zone]]
name = "daemon.test."
file = "daemon.test.zone"
"""
        self.config.write_text(self.config_text)
        self.process = None

    def write_zone(self, serial):
        # Write then rename, so a reload never reads a half-written file.
        tmp = self.zone.with_suffix(".tmp")
        tmp.write_text(ZONE_TEMPLATE.replace("@SERIAL@", str(serial)))
        os.replace(tmp, self.zone)

    def start(self):
        # stderr to a file: a pipe nobody reads could fill up and block the daemon.
        with open(self.dir / "stderr", "wb") as err:
            self.process = subprocess.Popen([HAYATE, "--config", str(self.config)],
                                            stdout=subprocess.DEVNULL, stderr=err)
        deadline = time.monotonic() + START_DEADLINE
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"hayate exited with {self.process.returncode}: "
                                   f"{(self.dir / 'stderr').read_text()} {self.log_text()}")
            try:
                if query(self.port, "daemon.test.", "SOA", timeout=0.2).rcode() == 0:
                    return self
            except (dns.exception.Timeout, OSError):
                pass
            time.sleep(0.05)
        raise RuntimeError("hayate did not answer in time: " + self.log_text())

    def ctl(self, *args):
        return subprocess.run([HAYATECTL, "-s", str(self.socket), *args], capture_output=True,
                              text=True, timeout=60)

    def stop(self, sig=signal.SIGTERM, timeout=20):
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else None
        self.process.send_signal(sig)
        return self.process.wait(timeout=timeout)

    def remove(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def log_text(self):
        return self.log.read_text() if self.log.exists() else ""

    def serial(self, tcp=False):
        return soa_serial(query(self.port, "daemon.test.", "SOA", tcp=tcp))


class DaemonTest(unittest.TestCase):
    def setUp(self):
        self.daemon = Daemon(serial=2024010101).start()

    def tearDown(self):
        code = self.daemon.stop()
        self.assertEqual(code, 0, self.daemon.log_text())
        self.daemon.remove()

    def wait_for(self, predicate, what, timeout=10.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            time.sleep(0.05)
        self.fail(f"timed out waiting for {what}; log:\n{self.daemon.log_text()}")

    def test_status_shows_zone_serial(self):
        r = self.daemon.ctl("status")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("zone daemon.test. serial=2024010101 state=serving", r.stdout)
        self.assertIn("workers=2", r.stdout)

    def test_hayatectl_takes_socket_from_config(self):
        r = subprocess.run([HAYATECTL, "-c", str(self.daemon.config), "status"],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("serial=2024010101", r.stdout)

    def test_dig_udp_and_tcp(self):
        for tcp in ("+notcp", "+tcp"):
            out = subprocess.run(["dig", "@127.0.0.1", "-p", str(self.daemon.port), tcp,
                                  "+norec", "www.daemon.test.", "A"],
                                 capture_output=True, text=True, timeout=30).stdout
            self.assertIn("status: NOERROR", out)
            self.assertRegex(out, r"flags: qr aa")
            self.assertRegex(out, r"www\.daemon\.test\.\s+300\s+IN\s+A\s+192\.0\.2\.80")

    def test_kdig_udp_and_tcp(self):
        for tcp in ("+notcp", "+tcp"):
            out = subprocess.run(["kdig", "@127.0.0.1", "-p", str(self.daemon.port), tcp,
                                  "www.daemon.test.", "AAAA"],
                                 capture_output=True, text=True, timeout=30).stdout
            self.assertIn("NOERROR", out)
            self.assertIn("2001:db8::80", out)

    def test_reload_serves_new_serial(self):
        self.daemon.write_zone(2024010102)
        r = self.daemon.ctl("reload")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(self.daemon.serial(), 2024010102)
        self.assertEqual(self.daemon.serial(tcp=True), 2024010102)
        self.assertIn("serial=2024010102 state=serving", self.daemon.ctl("status").stdout)

    def test_broken_zone_keeps_old_data(self):
        self.daemon.zone.write_text(self.daemon.zone.read_text() + "www IN A not-an-address\n")
        r = self.daemon.ctl("reload")
        self.assertEqual(r.returncode, 1, "a zone that fails to load fails the reload")
        self.assertIn("daemon.test.", r.stderr)
        self.assertEqual(self.daemon.serial(), 2024010101)
        status = self.daemon.ctl("status")
        self.assertEqual(status.returncode, 0)
        self.assertIn("zone daemon.test. serial=2024010101 state=kept-old error=", status.stdout)
        self.assertIn("daemon.test.zone:", status.stdout)  # file:line of the error
        # Fixing the zone brings it back.
        self.daemon.write_zone(2024010105)
        self.assertEqual(self.daemon.ctl("reload").returncode, 0)
        self.assertEqual(self.daemon.serial(), 2024010105)

    def test_broken_config_reload_fails_and_keeps_serving(self):
        self.daemon.write_zone(2024010103)
        self.daemon.config.write_text(self.daemon.config_text + "\n[server\n")
        r = self.daemon.ctl("reload")
        self.assertEqual(r.returncode, 1)
        self.assertRegex(r.stderr, r"hayate\.toml:\d+:\d+: error:")
        self.assertEqual(self.daemon.serial(), 2024010101, "nothing was reloaded")
        self.assertEqual(self.daemon.ctl("status").returncode, 0)

    def test_sighup_reloads(self):
        self.daemon.write_zone(2024010104)
        self.daemon.process.send_signal(signal.SIGHUP)
        self.wait_for(lambda: self.daemon.serial() == 2024010104, "the new serial after SIGHUP")

    def test_stats_count_queries(self):
        for _ in range(3):
            query(self.daemon.port, "www.daemon.test.", "AAAA")
        query(self.daemon.port, "nothing.daemon.test.", "A", tcp=True)
        r = self.daemon.ctl("stats")
        self.assertEqual(r.returncode, 0)
        stats = dict(line.split("=", 1) for line in r.stdout.splitlines())
        self.assertGreaterEqual(int(stats["queries.udp"]), 3)
        self.assertGreaterEqual(int(stats["queries.tcp"]), 1)
        self.assertGreaterEqual(int(stats["queries.type.AAAA"]), 3)
        self.assertGreaterEqual(int(stats["responses.NXDOMAIN"]), 1)

    def test_metrics_endpoint(self):
        query(self.daemon.port, "www.daemon.test.", "A")
        url = f"http://127.0.0.1:{self.daemon.metrics_port}/metrics"
        with urllib.request.urlopen(url, timeout=10) as response:
            self.assertEqual(response.status, 200)
            text = response.read().decode()
        self.assertIn('hayate_zone_serial{zone="daemon.test."} 2024010101', text)
        self.assertRegex(text, r'hayate_queries_total\{transport="udp"\} [1-9]')
        self.assertIn("hayate_uptime_seconds ", text)

    def test_reload_under_query_load_loses_no_query(self):
        stop = threading.Event()
        counts = {"sent": 0, "answered": 0, "failed": []}
        lock = threading.Lock()

        def load(tcp):
            while not stop.is_set():
                try:
                    r = query(self.daemon.port, "www.daemon.test.", "A", tcp=tcp, timeout=5)
                    ok = r.rcode() == dns.rcode.NOERROR and len(r.answer) == 1
                except Exception as e:  # a timeout is a lost query
                    ok, r = False, e
                with lock:
                    counts["sent"] += 1
                    if ok:
                        counts["answered"] += 1
                    else:
                        counts["failed"].append(repr(r))

        threads = [threading.Thread(target=load, args=(tcp,)) for tcp in (False, False, True)]
        for t in threads:
            t.start()
        try:
            for i in range(6):
                serial = 2024020100 + i
                self.daemon.write_zone(serial)
                r = self.daemon.ctl("reload")
                self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
                self.wait_for(lambda: self.daemon.serial() == serial, f"serial {serial}")
                if i == 2:
                    # A broken zone in the middle: the reload fails, the old data keeps being
                    # served to the running load.
                    broken = self.daemon.zone.read_text() + "www IN A not-an-address\n"
                    tmp = self.daemon.zone.with_suffix(".tmp")
                    tmp.write_text(broken)
                    os.replace(tmp, self.daemon.zone)
                    r = self.daemon.ctl("reload")
                    self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
                    self.assertEqual(self.daemon.serial(), serial)
        finally:
            stop.set()
            for t in threads:
                t.join()
        self.assertEqual(counts["failed"], [])
        self.assertGreater(counts["sent"], 50, "the load actually ran")
        self.assertEqual(counts["answered"], counts["sent"])
        print(f"\n  {counts['answered']} queries answered during 7 reloads (one with a broken zone)",
              file=sys.stderr)


class UdpPathTest(unittest.TestCase):
    """Both UDP paths in the real daemon: io_uring (the default, where the kernel has it) and
    epoll ([server] io-uring = false); each says at start which one it took, `hayatectl status`
    counts the workers on io_uring, and it answers."""

    def check(self, extra_config, expected_log):
        daemon = Daemon(extra_config=extra_config).start()
        try:
            self.assertRegex(daemon.log_text(), expected_log)
            on_uring = "UDP through io_uring" in daemon.log_text()
            status = daemon.ctl("status")
            self.assertEqual(status.returncode, 0, status.stderr)
            workers = re.search(r"^workers=(\d+)$", status.stdout, re.M)
            self.assertIsNotNone(workers, status.stdout)
            self.assertIn(f"udp-io-uring-workers={workers.group(1) if on_uring else 0}\n",
                          status.stdout)
            for i in range(50):
                r = query(daemon.port, "www.daemon.test.", "A")
                self.assertEqual(r.rcode(), dns.rcode.NOERROR)
                self.assertEqual([rr.address for rr in r.answer[0]], ["192.0.2.80"])
            self.assertEqual(daemon.stop(), 0, daemon.log_text())
        finally:
            daemon.stop()
            daemon.remove()

    def test_io_uring_where_the_kernel_has_it(self):
        self.check("", r"UDP through (io_uring|epoll \(this kernel refuses io_uring\))")

    def test_epoll_when_configured(self):
        self.check("io-uring = false\n", r"UDP through epoll \(\[server\] io-uring = false\)")


class LifecycleTest(unittest.TestCase):
    def test_sigterm_exits_zero_and_removes_control_socket(self):
        d = Daemon().start()
        self.assertTrue(d.socket.exists())
        self.assertEqual(d.stop(signal.SIGTERM), 0)
        self.assertFalse(d.socket.exists())
        r = d.ctl("status")
        self.assertEqual(r.returncode, 3, "no daemon to connect to")

    def test_sigint_exits_zero(self):
        d = Daemon().start()
        self.assertEqual(d.stop(signal.SIGINT), 0)

    def test_check_config_bad_config(self):
        d = Daemon()
        d.config.write_text(d.config_text.replace("workers = 2", "workers = \"two\""))
        r = subprocess.run([HAYATE, "--config", str(d.config), "--check-config"],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 1)
        self.assertRegex(r.stderr, re_escape(str(d.config)) + r":\d+:\d+: error: ")

    def test_check_config_good_and_bad_zone(self):
        d = Daemon(serial=7)
        r = subprocess.run([HAYATE, "--config", str(d.config), "--check-config"],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("zone daemon.test.: serial 7, OK", r.stdout)
        d.zone.write_text(d.zone.read_text() + "bad IN A 300.1.1.1\n")
        r = subprocess.run([HAYATE, "--config", str(d.config), "--check-config"],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 1)
        self.assertRegex(r.stdout, r"daemon\.test\.zone:\d+: error: ")

    def test_second_daemon_on_the_same_control_socket_refuses_to_start(self):
        d = Daemon().start()
        try:
            config = d.dir / "second.toml"
            config.write_text(d.config_text.replace(str(d.port), str(free_port())))
            r = subprocess.run([HAYATE, "--config", str(config)], capture_output=True, text=True,
                               timeout=30)
            self.assertEqual(r.returncode, 1)
            self.assertTrue(d.socket.exists(), "the running daemon's socket is left alone")
            self.assertEqual(d.ctl("status").returncode, 0)
        finally:
            self.assertEqual(d.stop(), 0)

    def test_usage(self):
        r = subprocess.run([HAYATE], capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 2)
        r = subprocess.run([HAYATECTL, "frobnicate"], capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 2)


def re_escape(text):
    import re
    return re.escape(text)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--hayate", required=True)
    parser.add_argument("--hayatectl", required=True)
    args, rest = parser.parse_known_args()
    HAYATE, HAYATECTL = args.hayate, args.hayatectl
    unittest.main(argv=[sys.argv[0], *rest], verbosity=2)
