"""The privilege drop ([server] user and group, server/privileges.cpp) on the real daemon.

Started as root with user = "nobody", hayate binds its sockets, then runs as nobody: real,
effective, saved and file-system uids and gids are nobody's, root's supplementary groups are gone,
no capability is left, and it still answers. A user or group that does not exist stops it before
it serves (it never goes on as root). Needs root: exits 77 (skipped) without it.

usage: test_privileges.py --hayate PATH [unittest args]
"""

from __future__ import annotations

import os
import pwd
import grp
import subprocess
import sys
import unittest

import daemon_harness
from daemon_harness import HayateDaemon, Zone, dig

ZONES = [Zone("example.com.", "example.com.zone")]


def proc_status(pid: int) -> dict[str, str]:
    with open(f"/proc/{pid}/status") as f:
        return dict(line.rstrip("\n").split(":\t", 1) for line in f if ":\t" in line)


class PrivilegeDrop(unittest.TestCase):
    def test_runs_as_the_configured_user_without_capabilities(self):
        nobody = pwd.getpwnam("nobody")
        with HayateDaemon(None, ZONES, server={"user": "nobody"}) as server:
            status = proc_status(server.proc.pid)
            uid = str(nobody.pw_uid)
            gid = str(nobody.pw_gid)
            self.assertEqual(status["Uid"].split(), [uid] * 4, status)  # real, effective, saved, fs
            self.assertEqual(status["Gid"].split(), [gid] * 4, status)
            self.assertEqual(status["Groups"].split(), [gid], status)  # root's groups are gone
            self.assertEqual(int(status["CapEff"], 16), 0, status)
            self.assertEqual(int(status["CapPrm"], 16), 0, status)
            self.assertEqual(dig(server, "web.example.com", "A").status, "NOERROR")
            self.assertIn(f"running as uid {uid} gid {gid}", server.log())

    def test_an_explicit_group_replaces_the_users_group(self):
        group = grp.getgrnam("daemon")  # not nobody's own group (nogroup)
        self.assertNotEqual(group.gr_gid, pwd.getpwnam("nobody").pw_gid)
        with HayateDaemon(None, ZONES, server={"user": "nobody", "group": group.gr_name}) as server:
            status = proc_status(server.proc.pid)
            self.assertEqual(status["Gid"].split(), [str(group.gr_gid)] * 4, status)

    def test_an_unknown_user_stops_the_daemon_instead_of_running_as_root(self):
        self._refuses({"user": "hayate-no-such-user"}, "user 'hayate-no-such-user' does not exist")

    def test_an_unknown_group_stops_the_daemon_instead_of_running_as_root(self):
        self._refuses({"user": "nobody", "group": "hayate-no-such-group"},
                      "group 'hayate-no-such-group' does not exist")

    def _refuses(self, server_options: dict, reason: str):
        server = HayateDaemon(None, ZONES, server=server_options)
        self.addCleanup(server.cleanup)
        server.write_config()
        proc = subprocess.run(server.command(), capture_output=True, text=True, timeout=30,
                              cwd=server.workdir)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("refusing to run as root: " + reason, proc.stdout + proc.stderr)


if __name__ == "__main__":
    if os.geteuid() != 0:
        print("not root: the privilege drop needs root to test (skipped)")
        sys.exit(daemon_harness.SKIP_EXIT)
    daemon_harness.main()
