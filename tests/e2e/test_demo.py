"""scripts/develop's demo as a newcomer runs it, and scripts/demo driving it.

A real HA process, a real Asterisk and SIPp phones, on free loopback ports,
with a fresh config folder and run folder. The demo must come up configured
(entities at once), ring both home desks on ``scripts/demo call 101``, move
the call to desk 3 on ``scripts/demo scan tag-alice desk3`` (desk 3 answers),
and leave nothing running after SIGTERM (what Ctrl-C triggers too).

The welcome banner against a stand-in HA that is still setting up its
integrations: it waits for the entry instead of printing ``not_loaded``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
import json
import os
from pathlib import Path
import re
import signal
import subprocess
import sys
import threading
import time
from typing import Any

import pytest

from .conftest import ROOT, ensure_asterisk, free_ports

pytestmark = pytest.mark.e2e

READY = "Hot-desk demo ready"


def processes_mentioning(text: str) -> list[int]:
    """Pids whose command line contains text."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if text in cmdline and state != "Z":
            found.append(int(proc.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def wait_until(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"no {what} within {timeout} s")
        time.sleep(0.25)


def test_develop_runs_the_demo(tmp_path: Path, pytestconfig: pytest.Config) -> None:
    ensure_asterisk(pytestconfig)
    http_port, ami_port, sip_port = free_ports(3)
    config = tmp_path / "config"
    config.mkdir()
    (config / "configuration.yaml").write_text(
        (ROOT / "config" / "configuration.yaml")
        .read_text()
        .replace("8123", str(http_port))
    )
    run = tmp_path / "run"
    run.mkdir(mode=0o755)
    env = {
        **os.environ,
        "HOTDESK_CONFIG_DIR": str(config),
        "HOTDESK_DEMO_RUN_DIR": str(run),
        "AMI_PORT": str(ami_port),
        "SIP_PORT": str(sip_port),
    }
    env.pop("HOTDESK_DEMO", None)
    log_path = tmp_path / "develop.log"

    def log() -> str:
        return log_path.read_text(errors="replace")

    def demo(*args: str) -> str:
        result = subprocess.run(
            [str(ROOT / "scripts" / "demo"), *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    started = time.monotonic()
    with log_path.open("wb") as out:
        develop = subprocess.Popen(
            [str(ROOT / "scripts" / "develop")],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    asterisk_pid = phone_pids = None
    try:
        wait_until(
            lambda: READY in log() or develop.poll() is not None, 90, "demo banner"
        )
        assert READY in log(), log()[-4000:]
        ready_after = time.monotonic() - started
        print(f"[e2e timing] scripts/develop demo ready after {ready_after:.1f} s")
        assert "Integration entry: loaded" in log()
        state = (run / "asterisk.state").read_text()
        asterisk_pid = int(re.search(r"ASTERISK_PID=(\d+)", state).group(1))  # type: ignore[union-attr]
        phone_pids = [int(p) for p in (run / "phones" / "pids").read_text().split()]
        assert len(phone_pids) == 4

        # Configured at once: PBX connected, desks idle (phones registered).
        wait_until(
            lambda: len(re.findall(r"Desk \d Call state\s+idle", demo("status"))) == 4,
            20,
            "idle desks",
        )
        assert re.search(r"PBX connection\s+on", demo("status"))
        assert "/hotdesk/route/101" in demo("db")

        # A call to 101 rings desks 1 and 2; a scan at desk 3 moves it there.
        demo("call", "101", "--from", "Dana Demo", "5550199", "--hold", "20")
        wait_until(
            lambda: bool(
                re.search(
                    r"Alice Call state\s+ringing\s+ringing at Desk [12], Desk [12]",
                    demo("status"),
                )
            ),
            10,
            "both home desks ringing",
        )
        assert "Dana Demo <5550199>" in demo("status")
        scanned = demo("scan", "tag-alice", "desk3")
        assert "scanned tag-alice at desk3" in scanned
        wait_until(
            lambda: bool(
                re.search(r"Alice Call state\s+in_call\s+at Desk 3", demo("status"))
            ),
            10,
            "the call answered at desk 3",
        )
    finally:
        if develop.poll() is None:
            os.kill(develop.pid, signal.SIGTERM)
        try:
            develop.wait(90)
        except subprocess.TimeoutExpired:
            os.killpg(develop.pid, signal.SIGKILL)
            develop.wait(10)
    stopped_after = time.monotonic() - started
    print(f"[e2e timing] scripts/develop demo run incl. stop {stopped_after:.1f} s")
    assert develop.returncode == 143, log()[-3000:]  # stopped by its TERM trap
    assert "develop: stopping the demo" in log()
    # Nothing it started is left: HA, Asterisk, the SIPp phones.
    assert processes_mentioning(str(config)) == []
    assert asterisk_pid is not None
    assert not alive(asterisk_pid)
    assert phone_pids is not None
    assert [pid for pid in phone_pids if alive(pid)] == []


class StartingHA(BaseHTTPRequestHandler):
    """A Home Assistant still starting: onboarded, its entry not set up yet.

    HA serves HTTP from stage 0 of its start (with the frontend), and sets
    up custom integrations in stage 2: an entry can be ``not_loaded`` for a
    while after the demo user is onboarded. The entry here is ``not_loaded``
    for the first ``NOT_LOADED_POLLS`` polls, then ``loaded``.
    """

    NOT_LOADED_POLLS = 3
    polls = 0

    def log_message(self, *args: Any) -> None:
        pass

    def _json(self, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        cls = type(self)
        starting = cls.polls <= cls.NOT_LOADED_POLLS
        if self.path == "/api/onboarding":
            self._json([{"step": "user", "done": True}])
        elif self.path.startswith("/api/config/config_entries/entry"):
            cls.polls += 1
            state = "not_loaded" if cls.polls <= cls.NOT_LOADED_POLLS else "loaded"
            self._json([{"entry_id": "01HOTDESKDEMOENTRY", "state": state,
                         "reason": None}])  # fmt: skip
        elif self.path == "/api/config":
            components = ["http", "frontend"]
            if not starting:
                components.append("hotdesk_phone")
            self._json(
                {"state": "NOT_RUNNING" if starting else "RUNNING",
                 "components": components}
            )  # fmt: skip
        else:
            self.send_error(404)


@pytest.fixture
def starting_ha() -> Iterator[str]:
    StartingHA.polls = 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), StartingHA)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_welcome_waits_while_the_entry_is_not_loaded(
    tmp_path: Path, starting_ha: str
) -> None:
    """The banner waits for the entry; ``not_loaded`` is not ``loaded``.

    A busy machine onboards the demo user before HA's stage 2 has set up the
    integration: the welcome must wait (saying what for), not report the
    entry as it found it first.
    """
    (tmp_path / "demo.json").write_text(
        json.dumps(
            {"ami": {"port": 5038}, "sip_port": 5060, "ha_url": starting_ha,
             "config_dir": str(tmp_path)}
        )
    )  # fmt: skip
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "demo.py"), "welcome",
         "--timeout", "10"],
        env={**os.environ, "HOTDESK_DEMO_RUN_DIR": str(tmp_path),
             "HOTDESK_HA_TOKEN": "token"},
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Integration entry: loaded\n" in result.stderr, result.stderr
    assert StartingHA.polls == StartingHA.NOT_LOADED_POLLS + 1
    # What it waited for, once (not at every poll).
    waiting = [line for line in result.stderr.splitlines() if "waiting" in line]
    assert len(waiting) == 1, result.stderr
    assert "not_loaded" in waiting[0]
    assert "Home Assistant is setting up its integrations" in waiting[0]
    assert "hotdesk_phone not set up yet" in waiting[0]
