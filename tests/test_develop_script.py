"""scripts/develop starts a real HA in which the integration is added via its API.

Slow (a real HA process): marked e2e. The config flow is driven through HA's
REST API exactly as the UI drives it, against an AMI server on loopback.
"""

from __future__ import annotations

from collections.abc import Iterator
import json
import os
from pathlib import Path
import shutil
import socket
import subprocess
import sys
import time
from typing import Any
import urllib.error
import urllib.request

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.e2e


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def request(
    url: str,
    data: dict[str, Any] | None = None,
    token: str | None = None,
    form: bool = False,
) -> Any:
    headers = {}
    body = None
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if data is not None:
        if form:
            body = "&".join(f"{k}={v}" for k, v in data.items()).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        else:
            body = json.dumps(data).encode()
            headers["Content-Type"] = "application/json"
    req = urllib.request.Request(url, data=body, headers=headers)  # noqa: S310
    with urllib.request.urlopen(req, timeout=30) as response:  # noqa: S310
        return json.loads(response.read() or b"null")


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[dict[str, Any]]:
    ami_port, http_port = free_port(), free_port()
    config = tmp_path / "config"
    config.mkdir()
    text = (
        (ROOT / "config" / "configuration.yaml")
        .read_text()
        .replace("8123", str(http_port))
    )
    (config / "configuration.yaml").write_text(text)
    ami = subprocess.Popen(
        [sys.executable, "-m", "tests.ami_server", str(ami_port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    log = (tmp_path / "ha.log").open("wb")
    # HA alone (no demo PBX): the config flow below adds the entry itself.
    env = {**os.environ, "HOTDESK_CONFIG_DIR": str(config), "HOTDESK_DEMO": "0"}
    ha = subprocess.Popen(
        [str(ROOT / "scripts" / "develop")],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield {
            "ami_port": ami_port,
            "base": f"http://127.0.0.1:{http_port}",
            "log": tmp_path / "ha.log",
        }
    finally:
        for process in (ha, ami):
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        log.close()
        shutil.rmtree(config, ignore_errors=True)


def test_develop_runs_ha_and_integration_is_added(processes: dict[str, Any]) -> None:
    base = processes["base"]
    deadline = time.monotonic() + 420  # first run installs the frontend
    while True:
        try:
            steps = request(f"{base}/api/onboarding")
            break
        except (urllib.error.URLError, ConnectionError, OSError):
            if time.monotonic() > deadline:
                pytest.fail(
                    "HA did not start:\n" + processes["log"].read_text()[-3000:]
                )
            time.sleep(1)
    assert {"step": "user", "done": False} in steps
    client_id = f"{base}/"
    user = request(
        f"{base}/api/onboarding/users",
        {
            "client_id": client_id,
            "name": "Dev",
            "username": "dev",
            "password": "dev-pass-123",
            "language": "en",
        },
    )
    token = request(
        f"{base}/auth/token",
        {
            "grant_type": "authorization_code",
            "code": user["auth_code"],
            "client_id": client_id,
        },
        form=True,
    )["access_token"]
    flow = request(
        f"{base}/api/config/config_entries/flow", {"handler": "hotdesk_phone"}, token
    )
    assert flow["step_id"] == "user"
    names = [field["name"] for field in flow["data_schema"]]
    # The PBX, the AMI user, and whether (and how) the link uses TLS.
    assert names == [
        "host",
        "port",
        "username",
        "password",
        "tls",
        "tls_verify",
        "tls_ca",
    ]
    bad = request(
        f"{base}/api/config/config_entries/flow/{flow['flow_id']}",
        {
            "host": "127.0.0.1",
            "port": processes["ami_port"],
            "username": "hotdesk",
            "password": "wrong",
        },
        token,
    )
    assert bad["errors"] == {"base": "invalid_auth"}
    done = request(
        f"{base}/api/config/config_entries/flow/{flow['flow_id']}",
        {
            "host": "127.0.0.1",
            "port": processes["ami_port"],
            "username": "hotdesk",
            "password": "s3cret",
        },
        token,
    )
    assert done["type"] == "create_entry"
    entries = request(
        f"{base}/api/config/config_entries/entry?domain=hotdesk_phone", None, token
    )
    assert [e["state"] for e in entries] == ["loaded"]
    states = request(f"{base}/api/states", None, token)
    connectivity = [
        s
        for s in states
        if s["entity_id"].startswith("binary_sensor.") and "pbx" in s["entity_id"]
    ]
    assert [s["state"] for s in connectivity] == ["on"]
