"""packaging/systemd: the unit and its XDP drop-in pass `systemd-analyze verify` with no warning,
and `systemd-analyze security` sees the sandbox they promise: only CAP_NET_BIND_SERVICE (plus
CAP_NET_ADMIN and CAP_BPF with the drop-in), a read-only system, the four socket families, and
an overall exposure of at most 2.5 ("OK"). Skipped (exit 77) without systemd-analyze.

usage: test_systemd_unit.py --hayate PATH [unittest args]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

PACKAGING = Path(__file__).resolve().parents[2] / "packaging" / "systemd"
HAYATE: str = ""
MAX_EXPOSURE = 2.5


def settings(text: str) -> dict[str, list[str]]:
    """key -> every value assigned to it, in order."""
    out: dict[str, list[str]] = {}
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith(("#", "[")) and "=" in line:
            key, value = line.split("=", 1)
            out.setdefault(key, []).append(value)
    return out


class SystemdUnit(unittest.TestCase):
    def setUp(self):
        self.dir = Path(tempfile.mkdtemp(prefix="hayate-unit-"))
        self.addCleanup(shutil.rmtree, self.dir, ignore_errors=True)
        # verify wants the binaries to exist: the build's hayate stands in for /usr/sbin/hayate.
        self.unit_text = (PACKAGING / "hayate.service").read_text()
        self.dropin_text = (PACKAGING / "hayate.service.d" / "xdp.conf").read_text()
        (self.dir / "hayate.service").write_text(self.unit_text.replace("/usr/sbin/hayate", HAYATE))

    def analyze(self, *args: str, with_dropin: bool = False) -> subprocess.CompletedProcess:
        if with_dropin:
            (self.dir / "hayate.service.d").mkdir(exist_ok=True)
            (self.dir / "hayate.service.d" / "xdp.conf").write_text(self.dropin_text)
        env = dict(os.environ, SYSTEMD_UNIT_PATH=f"{self.dir}:", SYSTEMD_LOG_COLOR="0")
        return subprocess.run(["systemd-analyze", *args, str(self.dir / "hayate.service")],
                              capture_output=True, text=True, timeout=60, env=env)

    def test_the_unit_verifies_without_warnings(self):
        proc = self.analyze("verify", "--man=no")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stderr.strip(), "")

    def test_the_xdp_dropin_verifies_without_warnings(self):
        # verify reads the unit file alone; the drop-in's lines are checked in the unit's section.
        merged = self.unit_text.replace("/usr/sbin/hayate", HAYATE).replace(
            "[Install]", self.dropin_text.replace("[Service]", "") + "\n[Install]")
        (self.dir / "hayate.service").write_text(merged)
        proc = self.analyze("verify", "--man=no")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stderr.strip(), "")

    def test_only_the_capabilities_it_needs(self):
        unit = settings(self.unit_text)
        self.assertEqual(unit["CapabilityBoundingSet"], ["CAP_NET_BIND_SERVICE"])
        self.assertEqual(unit["AmbientCapabilities"], ["CAP_NET_BIND_SERVICE"])
        dropin = settings(self.dropin_text)
        self.assertEqual(dropin["CapabilityBoundingSet"],
                         ["CAP_NET_BIND_SERVICE CAP_NET_ADMIN CAP_BPF"])
        self.assertEqual(unit["ProtectSystem"], ["strict"])
        self.assertEqual(unit["RestrictAddressFamilies"], ["AF_INET AF_INET6 AF_UNIX AF_NETLINK"])
        self.assertEqual(unit["NoNewPrivileges"], ["yes"])

    def exposure(self, proc: subprocess.CompletedProcess) -> float:
        m = re.search(r"Overall exposure level for hayate\.service: (\d+\.\d+)", proc.stdout)
        self.assertIsNotNone(m, proc.stdout + proc.stderr)
        return float(m.group(1))

    def test_security_sees_the_sandbox(self):
        proc = self.analyze("security", "--offline=yes", "--no-pager")
        self.assertEqual(proc.stderr.strip(), "")
        self.assertLessEqual(self.exposure(proc), MAX_EXPOSURE, proc.stdout)
        for held in ("CAP_BPF", "CAP_NET_ADMIN", "CAP_SYS_ADMIN", "CAP_SET(UID|GID|PCAP)"):
            self.assertRegex(proc.stdout, r"✓ CapabilityBoundingSet=~" + re.escape(held))
        self.assertRegex(proc.stdout, r"✓ ProtectSystem=.*strict read-only")
        self.assertRegex(proc.stdout, r"✓ RestrictAddressFamilies=~AF_PACKET")

    def test_security_with_the_xdp_dropin_adds_only_net_admin_and_bpf(self):
        proc = self.analyze("security", "--offline=yes", "--no-pager", with_dropin=True)
        self.assertEqual(proc.stderr.strip(), "")
        self.assertLessEqual(self.exposure(proc), MAX_EXPOSURE, proc.stdout)
        self.assertRegex(proc.stdout, r"✗ CapabilityBoundingSet=~CAP_BPF")
        self.assertRegex(proc.stdout, r"✗ CapabilityBoundingSet=~CAP_NET_ADMIN")
        self.assertRegex(proc.stdout, r"✓ CapabilityBoundingSet=~CAP_SYS_ADMIN")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--hayate", required=True)
    known, rest = parser.parse_known_args()
    HAYATE = os.path.abspath(known.hayate)
    if shutil.which("systemd-analyze") is None:
        print("systemd-analyze not found (skipped)")
        sys.exit(77)
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)
