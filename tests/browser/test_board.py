"""The hot-desk board in a real browser, against a real HA, Asterisk and phones.

Headless Chromium (Debian's ``/usr/bin/chromium``, driven by Python's
``playwright``; no downloaded browser) logs in to a fresh Home Assistant
that ``scripts/develop`` starts on a free loopback port, adds the
integration through the UI (a wrong secret first, then the right one),
adds three desk phones and an account through the subentry forms, puts the
board card on a dashboard, and follows a real call on a real Asterisk with
SIPp desk phones: both home desks' tiles ring with the caller, *Claim here*
on a third desk moves the call there (that phone answers), and *Log out*
ends a login. Screenshots go to ``tests/browser/artifacts/`` (or
``$HOTDESK_BROWSER_ARTIFACTS``) for CI to collect.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
import importlib.util
import json
import os
from pathlib import Path
import signal
import subprocess
import time
from typing import Any
import urllib.error
import urllib.parse
import urllib.request

import pytest

from custom_components.hotdesk_phone.ami import AmiClient
from custom_components.hotdesk_phone.const import CONTEXT_INBOUND
from tests.e2e.conftest import (
    ROOT,
    Pbx,
    ensure_asterisk,
    free_ports,
    start_on_free_ports,
)
from tests.e2e.sip_phone import SipPhone

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.timeout(900)]

CHROMIUM = os.environ.get("HOTDESK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(
    os.environ.get(
        "HOTDESK_BROWSER_ARTIFACTS", ROOT / "tests" / "browser" / "artifacts"
    )
)
USER, PASSWORD = "admin", "board-pass-1"
STEP_TIMEOUT = 20_000  # ms, for anything the page should show


@dataclass
class Office:
    """What the fixture started: the PBX, its phones and Home Assistant."""

    pbx: Pbx
    base: str
    log: Path


def _load_demo_module() -> Any:
    spec = importlib.util.spec_from_file_location(
        "hotdesk_demo", ROOT / "scripts" / "demo.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def http(
    url: str,
    data: dict[str, Any] | None = None,
    token: str | None = None,
    *,
    form: bool = False,
) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    body = None
    if data is not None:
        if form:
            body = urllib.parse.urlencode(data).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        else:
            body = json.dumps(data).encode()
            headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=body, headers=headers)  # noqa: S310
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        return json.loads(response.read() or b"null")


def _need_browser() -> None:
    if importlib.util.find_spec("playwright") is None:
        pytest.skip("Python playwright is not installed (requirements_test.txt)")
    if not Path(CHROMIUM).exists():
        pytest.skip(
            f"no Chromium at {CHROMIUM}: as root, scripts/test installs Debian's "
            "chromium (apt-get install chromium)"
        )


@pytest.fixture
def office(tmp_path: Path, pytestconfig: pytest.Config) -> Iterator[Office]:
    """Asterisk + SIPp desk1..desk3 + a fresh HA (scripts/develop, no demo)."""
    _need_browser()
    ensure_asterisk(pytestconfig)
    run = tmp_path / "run"
    run.mkdir(mode=0o755)
    run.chmod(0o755)  # Asterisk runs as its own user
    tmp_path.chmod(0o755)
    pbx = start_on_free_ports(lambda ami, sip: Pbx(run, ami_port=ami, sip_port=sip))
    phones: list[SipPhone] = []
    ha: subprocess.Popen[bytes] | None = None
    log = tmp_path / "ha.log"
    try:
        for name, mode in (("desk1", "ring"), ("desk2", "ring"), ("desk3", "answer")):
            phone = SipPhone(
                name,
                pbx.sip_port,
                mode=mode,
                answer_after_ms=1500,
                work_dir=tmp_path / name,
            )
            phones.append(phone.start())
        (http_port,) = free_ports(1)
        config = tmp_path / "config"
        config.mkdir()
        (config / "configuration.yaml").write_text(
            (ROOT / "config" / "configuration.yaml")
            .read_text()
            .replace("8123", str(http_port))
        )
        # Onboarding then asks only for the user (no location step, which
        # would add integrations whose libraries the venv lacks).
        _load_demo_module().skip_core_config_step(config)
        env = {**os.environ, "HOTDESK_CONFIG_DIR": str(config), "HOTDESK_DEMO": "0"}
        with log.open("wb") as out:
            ha = subprocess.Popen(
                [str(ROOT / "scripts" / "develop")],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        yield Office(pbx=pbx, base=f"http://127.0.0.1:{http_port}", log=log)
    finally:
        if ha is not None and ha.poll() is None:
            os.killpg(ha.pid, signal.SIGTERM)
            try:
                ha.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(ha.pid, signal.SIGKILL)
                ha.wait(10)
        for phone in phones:
            phone.stop(unregister=pbx.running)
        pbx.stop()


def _wait_for_ha(office: Office) -> None:
    deadline = time.monotonic() + 420  # a first run installs the frontend
    while True:
        try:
            http(f"{office.base}/api/onboarding")
        except (urllib.error.URLError, OSError):
            if time.monotonic() > deadline:
                pytest.fail("HA did not start:\n" + office.log.read_text()[-3000:])
            time.sleep(0.5)
        else:
            return


def _onboard(base: str) -> str:
    """The onboarding user (an administrator); an access token."""
    code = http(
        f"{base}/api/onboarding/users",
        {
            "client_id": f"{base}/",
            "name": "Office Admin",
            "username": USER,
            "password": PASSWORD,
            "language": "en",
        },
    )["auth_code"]
    return str(
        http(
            f"{base}/auth/token",
            {"grant_type": "authorization_code", "code": code, "client_id": f"{base}/"},
            form=True,
        )["access_token"]
    )


def _call(pbx: Pbx, extension: str, name: str, number: str) -> None:
    """An outside call to an extension on the real Asterisk (AMI Originate)."""

    async def originate() -> None:
        client = AmiClient(
            host=pbx.host, port=pbx.ami_port, username=pbx.username, secret=pbx.secret
        )
        await client.connect()
        try:
            await client.originate(
                "Local/s@test-caller",
                CONTEXT_INBOUND,
                extension,
                caller_id=f'"{name}" <{number}>',
            )
        finally:
            await client.close()

    # Its own thread: playwright's sync API runs an event loop in this one.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, originate()).result(timeout=30)


def test_board_follows_a_real_call(office: Office) -> None:
    from playwright.sync_api import Page, expect, sync_playwright  # noqa: PLC0415

    started = time.monotonic()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    _wait_for_ha(office)
    ha_up = time.monotonic() - started
    base = office.base
    token = _onboard(base)
    shots: list[str] = []

    def shot(page: Page, name: str, target: Any = None) -> None:
        path = ARTIFACTS / f"{name}.png"
        (target or page).screenshot(path=str(path))
        shots.append(path.name)

    def open_entry(page: Page) -> None:
        page.goto(f"{base}/config/integrations/integration/hotdesk_phone")

    def add_subentry(page: Page, menu_item: str) -> None:
        open_entry(page)
        # The first menu is the PBX entry's (then one per subentry row).
        page.get_by_role("button", name="Menu").first.click()
        page.get_by_role("menuitem", name=menu_item).click()

    def add_desk(page: Page, name: str, dial_string: str) -> None:
        add_subentry(page, "Add desk phone")
        page.get_by_role("textbox", name="Name").fill(name)
        dial = page.get_by_role("combobox", name="Dial string")
        dial.fill(dial_string)
        dial.press("Enter")
        expect(dial).to_have_value(dial_string)
        page.get_by_role("button", name="Submit").click()
        expect(page.get_by_text(f"Created configuration for {name}")).to_be_visible(
            timeout=STEP_TIMEOUT
        )
        page.get_by_role("button", name="Finish").click()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(STEP_TIMEOUT)

            # Log in through HA's login page.
            page.goto(f"{base}/")
            page.get_by_role("textbox", name="Username").fill(USER)
            page.get_by_role("textbox", name="Password").fill(PASSWORD)
            page.get_by_role("button", name="Log in").click()
            page.wait_for_url(f"{base}/lovelace/**", timeout=60_000)

            # The card is registered by the integration only: before the
            # integration is set up, no page loads it.
            assert page.evaluate("customElements.get('hotdesk-board') === undefined")

            # Add the integration: a wrong secret, then the right one.
            page.goto(f"{base}/config/integrations/dashboard/add?domain=hotdesk_phone")
            # HA asks "Do you want to set up ...?" first when opened by link.
            confirm = page.get_by_role("button", name="OK")
            host = page.get_by_role("textbox", name="Host")
            expect(confirm.or_(host)).to_be_visible()
            if confirm.is_visible():
                confirm.click()
            host.fill("127.0.0.1")
            page.get_by_role("spinbutton", name="Port").fill(str(office.pbx.ami_port))
            page.get_by_role("textbox", name="Username").fill(office.pbx.ha_username)
            page.get_by_role("textbox", name="Password").fill("not-the-secret")
            page.get_by_role("button", name="Submit").click()
            expect(page.get_by_text("Invalid authentication")).to_be_visible()
            shot(page, "01-wrong-secret")
            page.get_by_role("textbox", name="Password").fill(office.pbx.secret)
            page.get_by_role("button", name="Submit").click()
            expect(page.get_by_text("Success!")).to_be_visible()
            shot(page, "02-pbx-added")
            page.get_by_role("button", name="Finish").click()

            # Desk phones and an account through the subentry forms.
            add_desk(page, "Desk 1", "PJSIP/desk1")
            add_desk(page, "Desk 2", "PJSIP/desk2")
            add_desk(page, "Desk 3", "PJSIP/desk3")
            add_subentry(page, "Add account")
            page.get_by_role("textbox", name="Name").fill("Alice")
            page.get_by_role("textbox", name="Extension").fill("101")
            for desk, home in (("Desk 1", True), ("Desk 2", True), ("Desk 3", False)):
                page.get_by_role("checkbox", name=desk).set_checked(home)
            shot(page, "03-account-form")
            page.get_by_role("button", name="Submit").click()
            expect(page.get_by_text("Created configuration for Alice")).to_be_visible()
            page.get_by_role("button", name="Finish").click()
            open_entry(page)
            shot(page, "04-entry")

            # The board on a dashboard: the card is in the card picker's
            # list, with a stub config and a visual editor.
            page.goto(f"{base}/lovelace/0")
            page.wait_for_function(
                "customElements.get('hotdesk-board') !== undefined",
                timeout=STEP_TIMEOUT,
            )
            picker = page.evaluate(
                "(window.customCards || []).filter(c => c.type === 'hotdesk-board')"
            )
            assert [c["name"] for c in picker] == ["Hot-desk board"]
            assert picker[0]["preview"] is True
            # Alice is logged in at Desk 2 (one of her home desks).
            desk2 = page.evaluate(
                """() => Object.values(document.querySelector('home-assistant')
                    .hass.devices).find(d => d.name === 'Desk 2' && d.identifiers
                    .some(([domain]) => domain === 'hotdesk_phone')).id"""
            )
            http(
                f"{base}/api/services/hotdesk_phone/login",
                {"extension": "101", "desk": desk2},
                token,
            )
            stub = page.evaluate("customElements.get('hotdesk-board').getStubConfig()")
            assert stub["type"] == "custom:hotdesk-board"
            assert (
                page.evaluate(
                    "customElements.get('hotdesk-board').getConfigElement().localName"
                )
                == "hotdesk-board-editor"
            )
            page.evaluate(
                """config => document.querySelector('home-assistant').hass.callWS(
                    {type: 'lovelace/config/save', config})""",
                {
                    "title": "Office",
                    "views": [
                        {
                            "title": "Desks",
                            "path": "desks",
                            "cards": [{**stub, "title": "Office desks"}],
                        }
                    ],
                },
            )
            page.goto(f"{base}/lovelace/desks")
            board = page.locator("hotdesk-board")
            tiles = board.locator(".tile")
            expect(tiles).to_have_count(3)
            tile = {n: board.locator(".tile", has_text=f"Desk {n}") for n in (1, 2, 3)}
            # Nothing rings yet: every desk added through the forms is idle
            # (its phone's state was asked from the PBX when it was added).
            expect(board.locator('.tile[data-state="ringing"]')).to_have_count(0)
            for n in (1, 2, 3):
                expect(tile[n]).to_have_attribute("data-state", "idle")
            expect(tile[2]).to_contain_text("Alice (101) since")
            expect(tile[1]).to_contain_text("Nobody logged in")
            expect(board.get_by_text("No call ringing.")).to_be_visible()
            shot(page, "05-board-idle", board)

            # A real call to 101: Desk 1 and Desk 2 ring, live on the board.
            _call(office.pbx, "101", "Bob Caller", "5550100")
            for n in (1, 2):
                expect(tile[n]).to_have_attribute("data-state", "ringing")
                expect(tile[n]).to_contain_text("Ringing for Alice")
                expect(tile[n]).to_contain_text("Bob Caller <5550100>")
            expect(tile[3]).not_to_have_attribute("data-state", "ringing")
            expect(board.locator("li.active-call")).to_contain_text(
                "Bob Caller <5550100> → Alice (101), ringing at Desk 1, Desk 2"
            )
            claim = tile[3].get_by_role("button", name="Claim Alice's call here")
            expect(claim).to_be_visible()
            # The desks that ring offer no claim of the call they ring for.
            expect(tile[1].locator("button.claim")).to_have_count(0)
            shot(page, "06-board-ringing", board)
            shot(page, "06-dashboard-ringing")

            # Claim here on Desk 3: the PBX moves the call; Desk 3 answers.
            claim.click()
            expect(tile[3]).to_have_attribute("data-state", "in_call", timeout=15_000)
            expect(tile[3]).to_contain_text("In call with Bob Caller <5550100>")
            for n in (1, 2):
                expect(tile[n]).to_have_attribute("data-state", "idle")
            expect(board.locator("li.active-call")).to_contain_text(
                "Bob Caller <5550100> ↔ Alice (101) at Desk 3"
            )
            shot(page, "07-board-claimed", board)

            # Log out at Desk 2 from the board.
            tile[2].get_by_role("button", name="Log out").click()
            expect(tile[2]).to_contain_text("Nobody logged in")
            expect(tile[2].get_by_role("button", name="Log out")).to_have_count(0)
            shot(page, "08-board-logged-out", board)
        except Exception:
            shot(page, "failure")
            raise
        finally:
            browser.close()
    elapsed = time.monotonic() - started
    print(
        f"[browser timing] HA up {ha_up:.1f} s, whole test {elapsed:.1f} s; "
        f"screenshots in {ARTIFACTS}: {', '.join(shots)}"
    )
