"""The hot-desk board in a real browser, against a real HA, Asterisk and phones.

Headless Chromium (Debian's ``/usr/bin/chromium``, driven by Python's
``playwright``; no downloaded browser) logs in to a fresh Home Assistant
that ``scripts/develop`` starts on a free loopback port, finds the
integration by searching "Asterisk" in *Add integration*, adds it (a wrong
secret first, then the right one; the success dialog says to add desk
phones next), adds four desk phones and an account through the subentry
forms (nothing preselected, used endpoints labelled, no own devices among
the scanners, an area, a tag learned by a real scan), puts the board card on
a dashboard, and follows real calls on a real Asterisk with SIPp desk
phones: both home desks' tiles ring with the caller, *Claim here* on a third
desk moves the call there (that phone answers), *Log out* ends a login,
*Log in…* logs an account in at a desk from a list drawn when opened, a
missed call shows with *Call back*, which rings the desk. The desk without a
registered phone shows offline; the entities say "Nobody" and count the
missed call; the logbook tells the story in words; and the board and a form
are shown in German. Screenshots go to ``tests/browser/artifacts/`` (or
``$HOTDESK_BROWSER_ARTIFACTS``) for CI to collect.

A second test, on an office of its own set up over HA's REST API, has a desk
dial 911 through the shipped dialplan to a SIPp carrier: the board shows the
red emergency banner with the desk, number, location and who is logged in,
marks the desk's tile, and drops both when the desk hangs up.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
import importlib.util
import json
import os
from pathlib import Path
import re
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
from tests.e2e.sip_phone import SipPhone, place_call
from tests.helpers import midday_zone

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
    phones: dict[str, SipPhone]
    # HA's time zone, where it is about noon at the start (see midday_zone).
    time_zone: str


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
    """Asterisk + SIPp desk1..desk3 + a fresh HA (scripts/develop, no demo).

    desk4 is an endpoint of the PBX with no phone registered (offline).
    """
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
        time_zone = midday_zone(datetime.now(UTC))
        settings = (ROOT / "config" / "configuration.yaml").read_text()
        assert "time_zone: UTC" in settings
        (config / "configuration.yaml").write_text(
            settings.replace("8123", str(http_port)).replace(
                "time_zone: UTC", f"time_zone: {time_zone}"
            )
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
        yield Office(
            pbx=pbx,
            base=f"http://127.0.0.1:{http_port}",
            log=log,
            phones={phone.name: phone for phone in phones},
            time_zone=time_zone,
        )
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


def _scan(base: str, token: str, reader: str, uid: str) -> None:
    """A card read at a desk computer's reader (the bridge's post)."""
    http(f"{base}/api/hotdesk_phone/scan", {"reader": reader, "uid": uid}, token)


# German: the card's own words (frontend/src/strings.ts) and the integration's
# (translations/de.json), as the browser shows them to a German user.
DE_CARD_NOBODY = "Niemand angemeldet"
DE_CARD_CALL_BACK = "Zurückrufen"
DE_STATE_IDLE = "Frei"  # entity.sensor.desk_call_state.state.idle
DE_ADD_DESK = "Tischtelefon hinzufügen"  # config_subentries.desk.initiate_flow
DE_DIAL_STRING = "Wählzeichenfolge"  # config_subentries.desk...data.dial_string
DE_DESK_FORM_TITLE = "Tischtelefon"  # config_subentries.desk.step.user.title
# config_subentries.desk.step.unknown_dial_string.title
DE_UNKNOWN_DIAL_STRING = "Unbekannte Wählzeichenfolge"
ZH_CARD_NOBODY = "无人登录"
ZH_CARD_CALL_BACK = "回拨"
ZH_STATE_IDLE = "空闲"  # entity.sensor.desk_call_state.state.idle
NEXT_STEPS = "The PBX is connected. Next, add the desk phones"
SCAN_NOW = "Scan the card, watch or phone now at any reader"
LEARNED_UID = "04A1B2C3"


def test_board_follows_a_real_call(office: Office) -> None:
    from playwright.sync_api import Page, expect, sync_playwright  # noqa: PLC0415

    started = time.monotonic()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    _wait_for_ha(office)
    ha_up = time.monotonic() - started
    base = office.base
    token = _onboard(base)
    shots: list[str] = []

    def shot(page: Page, name: str, target: Any = None, **kwargs: Any) -> None:
        path = ARTIFACTS / f"{name}.png"
        (target or page).screenshot(path=str(path), **kwargs)
        shots.append(path.name)

    def open_entry(page: Page) -> None:
        page.goto(f"{base}/config/integrations/integration/hotdesk_phone")

    def entry_menu(page: Page) -> list[str]:
        """Open the PBX entry's menu; its items, in order."""
        open_entry(page)
        # The first menu is the PBX entry's (then one per subentry row).
        page.get_by_role("button", name="Menu").first.click()
        expect(page.get_by_role("menuitem", name="Add account")).to_be_visible()
        # The open menu's items by their accessible names (what a screen
        # reader reads), in order; their text is in shadow DOM slots.
        return re.findall(r'menuitem "([^"]+)"', page.locator("body").aria_snapshot())

    def add_subentry(page: Page, menu_item: str, menu: str = "Menu") -> None:
        open_entry(page)
        page.get_by_role("button", name=menu, exact=True).first.click()
        page.get_by_role("menuitem", name=menu_item).click()

    def ws(page: Page, message: dict[str, Any]) -> Any:
        return page.evaluate(
            "m => document.querySelector('home-assistant').hass.callWS(m)", message
        )

    def device_id(page: Page, name: str) -> str:
        # The frontend fills hass.devices from a subscription of its own
        # after the page has loaded: wait until the device is in it.
        found = page.wait_for_function(
            """name => {
                const devices = document.querySelector('home-assistant')
                    ?.hass?.devices;
                const device = devices && Object.values(devices).find(
                    d => d.name === name && d.identifiers.some(
                        ([domain]) => domain === 'hotdesk_phone'));
                return device ? device.id : null;
            }""",
            arg=name,
            timeout=STEP_TIMEOUT,
        )
        return str(found.json_value())

    def add_desk(
        page: Page,
        name: str,
        dial_string: str,
        *,
        reader: str | None = None,
        area: str | None = None,
        before_submit: Any = None,
    ) -> None:
        add_subentry(page, "Add desk phone")
        page.get_by_role("textbox", name="Name").fill(name)
        dial = page.get_by_role("combobox", name="Dial string")
        # Nothing is chosen for the admin: the picker opens empty.
        expect(dial).to_have_value("")
        if before_submit is not None:
            before_submit(page, dial)
        dial.fill(dial_string)
        dial.press("Enter")
        expect(dial).to_have_value(dial_string)
        if area is not None:
            picker = page.get_by_role("combobox", name="Area")
            picker.click()
            picker.fill(area)
            page.get_by_role("option", name=area).click()
            expect(picker).to_have_value(area)
        if reader is not None:
            readers = page.get_by_role("combobox", name="Card readers at this desk")
            readers.fill(reader)
            readers.press("Enter")
            expect(page.locator("ha-input-chip", has_text=reader)).to_be_visible()
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

            # Found by searching "Asterisk" in Add integration.
            page.goto(f"{base}/config/integrations/dashboard")
            page.get_by_role("button", name="Add integration").click()
            search = page.get_by_role("textbox", name="Search for a brand name")
            search.fill("Asterisk")
            found = page.locator("ha-integration-list-item", has_text="Hot-desk phone")
            expect(found).to_have_count(1)
            expect(found).to_contain_text("Hot-desk phone for Asterisk")
            shot(page, "00-add-integration-search")

            # Add it from there: a wrong secret, then the right one.
            found.click()
            # HA may ask "Do you want to set up ...?" first.
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
            # The success dialog says what comes next.
            next_steps = page.get_by_role("paragraph").filter(has_text=NEXT_STEPS)
            expect(next_steps).to_contain_text("choose Add desk phone")
            shot(page, "02-pbx-added")
            page.get_by_role("button", name="Finish").click()

            # Desk phones come first in the entry's menu: an account needs one.
            menu = entry_menu(page)
            assert "Add desk phone" in menu, menu
            assert "Add account" in menu, menu
            assert menu.index("Add desk phone") < menu.index("Add account"), menu
            shot(page, "02-entry-menu")
            page.keyboard.press("Escape")

            # Desk phones through the forms. The first form opens with no
            # dial string chosen.
            def desk1_form(page: Page, dial: Any) -> None:
                shot(page, "03-desk-form-empty")

            add_desk(page, "Desk 1", "PJSIP/desk1", before_submit=desk1_form)

            # The endpoint Desk 1 uses is labelled with its desk.
            def used_endpoint(page: Page, dial: Any) -> None:
                dial.click()
                expect(
                    page.get_by_role("option", name="PJSIP/desk1 (Desk 1)")
                ).to_be_visible()
                expect(page.get_by_role("option", name="PJSIP/desk2")).to_be_visible()
                shot(page, "03-desk-form-used-endpoint")
                page.keyboard.press("Escape")

            add_desk(page, "Desk 2", "PJSIP/desk2", before_submit=used_endpoint)
            # Desk 3 has a card reader at its computer (the bridge posts).
            add_desk(page, "Desk 3", "PJSIP/desk3", reader="reader-3")

            add_subentry(page, "Add account")
            page.get_by_role("textbox", name="Name").fill("Alice")
            page.get_by_role("textbox", name="Extension").fill("101")
            # No home desk ticked for the admin.
            for desk in ("Desk 1", "Desk 2", "Desk 3"):
                expect(page.get_by_role("checkbox", name=desk)).not_to_be_checked()
            shot(page, "03-account-form-empty")
            for desk, home in (("Desk 1", True), ("Desk 2", True), ("Desk 3", False)):
                page.get_by_role("checkbox", name=desk).set_checked(home)
            # Learn Alice's card: the form waits for the next scan anywhere.
            page.get_by_role("switch", name="Scan a tag now").check()
            page.get_by_role("button", name="Submit").click()
            expect(page.get_by_text(SCAN_NOW)).to_be_visible()
            shot(page, "03-account-scan-now")
            _scan(base, token, "reader-3", LEARNED_UID)
            # Back to the form, with the card and what was typed.
            expect(page.locator("ha-input-chip", has_text=LEARNED_UID)).to_be_visible()
            expect(page.get_by_role("textbox", name="Extension")).to_have_value("101")
            expect(page.get_by_role("checkbox", name="Desk 1")).to_be_checked()
            shot(page, "03-account-form")
            page.get_by_role("button", name="Submit").click()
            expect(page.get_by_text("Created configuration for Alice")).to_be_visible()
            page.get_by_role("button", name="Finish").click()

            # Desk 4: in an area, and its phone is not registered. Its scanner
            # picker offers no device of this integration (PBX, desks, Alice).
            ws(page, {"type": "config/area_registry/create", "name": "Reception"})

            def no_own_scanners(page: Page, dial: Any) -> None:
                # The field "Tag scanners at this desk": one device picker.
                scanners = page.get_by_role("combobox", name="Device")
                scanners.click()
                overlay = page.locator("vaadin-combo-box-overlay[opened]")
                # No ESPHome, MQTT or companion-app device here yet: nothing
                # to offer (without the filter, our five devices would be).
                expect(overlay).to_contain_text("No matching devices found")
                offered = overlay.get_by_role("option").all_inner_texts()
                ours = ("Asterisk 127.0.0.1", "Desk 1", "Desk 2", "Desk 3", "Alice")
                assert not [o for o in offered if any(n in o for n in ours)], offered
                shot(page, "03-desk-form-scanners")
                page.keyboard.press("Escape")

            add_desk(
                page,
                "Desk 4",
                "PJSIP/desk4",
                area="Reception",
                before_submit=no_own_scanners,
            )

            # The rows show the extension and the dial string.
            open_entry(page)
            for row in (
                "Alice (101)",
                "Desk 1 (PJSIP/desk1)",
                "Desk 3 (PJSIP/desk3)",
                "Desk 4 (PJSIP/desk4)",
            ):
                expect(page.get_by_text(row, exact=True)).to_be_visible()
            shot(page, "04-entry", full_page=True)

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
            # Devices keep the plain name (the row's title shows the number).
            desk2 = device_id(page, "Desk 2")
            # Alice is logged in at Desk 2 (one of her home desks).
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
            ws(
                page,
                {
                    "type": "lovelace/config/save",
                    "config": {
                        "title": "Office",
                        "views": [
                            {
                                "title": "Desks",
                                "path": "desks",
                                "cards": [{**stub, "title": "Office desks"}],
                            }
                        ],
                    },
                },
            )
            page.goto(f"{base}/lovelace/desks")
            board = page.locator("hotdesk-board")
            tiles = board.locator(".tile")
            expect(tiles).to_have_count(4)
            tile = {
                n: board.locator(".tile", has_text=f"Desk {n}") for n in (1, 2, 3, 4)
            }
            # Nothing rings yet: every desk added through the forms is idle
            # (its phone's state was asked from the PBX when it was added).
            expect(board.locator('.tile[data-state="ringing"]')).to_have_count(0)
            for n in (1, 2, 3):
                expect(tile[n]).to_have_attribute("data-state", "idle")
                expect(tile[n].locator(".state")).to_have_text("Idle")
            # Desk 4's phone is not registered: offline, not "unavailable".
            expect(tile[4]).to_have_attribute("data-state", "offline")
            expect(tile[4].locator(".state")).to_have_text("Offline")
            # The area chosen in its form.
            expect(tile[4].locator(".area")).to_have_text("Reception")
            expect(tile[1].locator(".area")).to_have_count(0)
            expect(tile[2]).to_contain_text("Alice (101) since")
            expect(tile[1]).to_contain_text("Nobody logged in")
            expect(board.get_by_text("No call ringing.")).to_be_visible()
            # "Log in…" where there is someone else to log in: not at Desk 2,
            # where the only account is; no account list drawn until opened.
            expect(tile[1].get_by_role("button", name="Log in…")).to_be_visible()
            expect(tile[2].get_by_role("button", name="Log in…")).to_have_count(0)
            expect(board.locator("option")).to_have_count(0)
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

            # Log Alice in at Desk 2 again from the board: "Log in…" draws the
            # accounts the user may log in; Log in calls the login action.
            tile[2].get_by_role("button", name="Log in…").click()
            choose = tile[2].get_by_role("combobox", name="Account to log in at Desk 2")
            expect(choose).to_be_focused()
            expect(choose.locator("option:not([disabled])")).to_have_text(
                ["Alice (101)"]
            )
            expect(board.locator("select")).to_have_count(1)  # this tile's only
            choose.select_option("101")
            shot(page, "08b-board-login-choose", board)
            tile[2].get_by_role("button", name="Log in", exact=True).click()
            expect(tile[2]).to_contain_text("Alice (101) since")
            expect(tile[2].locator("select")).to_have_count(0)
            shot(page, "08b-board-login", board)
            # And out again: she is logged in nowhere for the call back below.
            tile[2].get_by_role("button", name="Log out").click()
            expect(tile[2]).to_contain_text("Nobody logged in")

            # Bob hangs up; he calls again, nobody answers: a missed call,
            # shown with a Call back button.
            office.pbx.hangup_all()
            expect(tile[3]).to_have_attribute("data-state", "idle")
            _call(office.pbx, "101", "Bob Caller", "5550100")
            expect(tile[1]).to_have_attribute("data-state", "ringing")
            office.pbx.hangup_all()
            missed = board.locator("li.missed")
            expect(missed).to_contain_text("Alice (101) missed Bob Caller <5550100>")
            call_back = missed.get_by_role("button", name="Call back")
            expect(call_back).to_be_enabled()
            for n in (1, 2):
                expect(tile[n]).to_have_attribute("data-state", "idle")
            shot(page, "09-board-missed", board)
            # Call back rings Alice's first home desk (she is logged in
            # nowhere), showing the number it will call.
            desk1_phone = office.phones["desk1"]
            invites = len(desk1_phone.invites)
            call_back.click()
            expect(tile[1]).to_have_attribute("data-state", "ringing")
            ring = desk1_phone.wait_for("INVITE", count=invites + 1, timeout=10)
            assert ring.caller_id_number == "5550100"
            shot(page, "10-board-call-back", board)
            office.pbx.hangup_all()
            expect(tile[1]).to_have_attribute("data-state", "idle")

            # The entities: an idle desk's login says "Nobody", and Alice's
            # missed calls are counted.
            page.goto(f"{base}/config/devices/device/{device_id(page, 'Desk 1')}")
            expect(page.get_by_text("Logged in", exact=True)).to_be_visible()
            # The Sensors card's rows as read out: name, then state.
            rows = page.locator("body").aria_snapshot()
            assert re.search(r"- list: .*\bLogged in Nobody\b", rows), rows
            shot(page, "11-desk-device")
            page.goto(f"{base}/config/devices/device/{device_id(page, 'Alice')}")
            expect(page.get_by_text("Missed calls", exact=True)).to_be_visible()
            rows = page.locator("body").aria_snapshot()
            assert re.search(r"- list: .*\bMissed calls 1\b", rows), rows
            shot(page, "11-account-device")

            # The logbook tells the story in words (a tall window: its list
            # draws only the rows in view).
            page.set_viewport_size({"width": 1280, "height": 4000})
            page.goto(f"{base}/logbook")
            for line in (
                "logged in at Desk 2",
                "is called by Bob Caller (5550100), ringing at Desk 1, Desk 2",
                "has the call from Bob Caller (5550100) moved to Desk 3 (action)",
                # The board's Log out calls the logout action.
                "logged out at Desk 2 (action)",
                "missed a call from Bob Caller (5550100)",
            ):
                expect(page.get_by_text(line).first).to_be_visible()
            # With the user who acted (the board's buttons are the admin's).
            lines = page.locator("body").aria_snapshot()
            for acted in (r"logged in at Desk 2 ", r"moved to Desk 3 \(action\) "):
                assert re.search(acted + r".* - Office Admin", lines), lines
            shot(page, "12-logbook")
            page.set_viewport_size({"width": 1280, "height": 900})

            # German: the admin switches their language; the board and the
            # forms follow.
            ws(
                page,
                {
                    "type": "frontend/set_user_data",
                    "key": "language",
                    "value": {
                        "language": "de",
                        "number_format": "language",
                        "time_format": "language",
                        "date_format": "language",
                        "time_zone": "local",
                        "first_weekday": "language",
                    },
                },
            )
            page.goto(f"{base}/lovelace/desks")
            page.wait_for_function(
                "document.querySelector('home-assistant').hass?.language === 'de'"
            )
            expect(tile[1]).to_contain_text(DE_CARD_NOBODY)
            expect(tile[1].locator(".state")).to_have_text(DE_STATE_IDLE)
            expect(board.locator("li.missed")).to_contain_text(
                "Alice (101) hat Bob Caller <5550100> verpasst"
            )
            expect(board.get_by_role("button", name=DE_CARD_CALL_BACK)).to_be_visible()
            shot(page, "13-board-de", board)
            add_subentry(page, DE_ADD_DESK, menu="Menü")
            expect(page.get_by_role("combobox", name=DE_DIAL_STRING)).to_have_value("")
            expect(page.get_by_text(DE_DESK_FORM_TITLE, exact=True)).to_be_visible()
            shot(page, "13-desk-form-de")
            # A dial string the PBX does not list gets a warning before it
            # is saved (the admin may go back; nothing is saved here).
            page.get_by_role("textbox", name="Name").fill("Tisch 9")
            dial = page.get_by_role("combobox", name=DE_DIAL_STRING)
            dial.click()
            dial.press_sequentially("PJSIP/desk9")
            dial.press("Enter")  # typed, not picked: the list has no such entry
            expect(dial).to_have_value("PJSIP/desk9")
            page.get_by_role("button", name="OK").click()
            expect(page.get_by_text(DE_UNKNOWN_DIAL_STRING)).to_be_visible()
            expect(page.get_by_text("PJSIP/desk9", exact=False).first).to_be_visible()
            shot(page, "14-unknown-dial-string-de")
            page.keyboard.press("Escape")
            # Simplified Chinese: the board follows the language too.
            ws(
                page,
                {
                    "type": "frontend/set_user_data",
                    "key": "language",
                    "value": {
                        "language": "zh-Hans",
                        "number_format": "language",
                        "time_format": "language",
                        "date_format": "language",
                        "time_zone": "local",
                        "first_weekday": "language",
                    },
                },
            )
            page.goto(f"{base}/lovelace/desks")
            page.wait_for_function(
                "document.querySelector('home-assistant').hass?.language === 'zh-Hans'"
            )
            expect(tile[1]).to_contain_text(ZH_CARD_NOBODY)
            expect(tile[1].locator(".state")).to_have_text(ZH_STATE_IDLE)
            expect(board.get_by_role("button", name=ZH_CARD_CALL_BACK)).to_be_visible()
            shot(page, "15-board-zh", board)
        except Exception:
            shot(page, "failure")
            (ARTIFACTS / "failure-aria.txt").write_text(
                page.locator("body").aria_snapshot()
            )
            raise
        finally:
            browser.close()
    elapsed = time.monotonic() - started
    print(
        f"[browser timing] HA up {ha_up:.1f} s, whole test {elapsed:.1f} s; "
        f"screenshots in {ARTIFACTS}: {', '.join(shots)}"
    )


def _flow(
    base: str, token: str, path: str, handler: Any, *steps: dict[str, Any]
) -> Any:
    """A config, options or subentry flow over HA's REST API, step by step.

    ``path`` is ``flow``, ``options/flow`` or ``subentries/flow``; each step
    is what the user submits on the form or menu before it. The last result.
    """
    url = f"{base}/api/config/config_entries/{path}"
    result = http(url, {"handler": handler}, token)
    for step in steps:
        assert result["type"] in ("form", "menu"), result
        assert not result.get("errors"), result
        result = http(f"{url}/{result['flow_id']}", step, token)
    assert result["type"] == "create_entry", result
    return result


def add_pbx(base: str, token: str, pbx: Pbx) -> str:
    """Add the integration for this PBX through its config flow; the entry id."""
    result = _flow(
        base,
        token,
        "flow",
        "hotdesk_phone",
        {
            "host": "127.0.0.1",
            "port": pbx.ami_port,
            "username": pbx.ha_username,
            "password": pbx.secret,
        },
    )
    return str(result["result"]["entry_id"])


EMERGENCY_ROUTE = "PJSIP/{number}@carrier"
DESK1_ELIN = "+13125550100"
# Desk 1's room and floor (its own fields), the rest from the entry's address.
DESK1_LOCATION = "Room 301, Floor 3, HQ, 100 Main Street, 60601 Chicago, IL, US"


def test_board_shows_an_emergency_call(office: Office, tmp_path: Path) -> None:
    """Desk 1 (Alice logged in) dials 911; the carrier answers; Desk 1 hangs up."""
    from playwright.sync_api import expect, sync_playwright  # noqa: PLC0415

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    _wait_for_ha(office)
    base = office.base
    token = _onboard(base)
    pbx = office.pbx

    # The PBX, two desks and Alice through the integration's flows.
    entry_id = add_pbx(base, token, pbx)
    _flow(
        base,
        token,
        "subentries/flow",
        [entry_id, "desk"],
        {
            "name": "Desk 1",
            "dial_string": "PJSIP/desk1",
            "emergency": {"elin": DESK1_ELIN, "floor": "3", "room": "301"},
        },
    )
    _flow(
        base,
        token,
        "subentries/flow",
        [entry_id, "desk"],
        {"name": "Desk 2", "dial_string": "PJSIP/desk2"},
    )
    # Emergency calls: 911 and 933 out through the carrier trunk; the
    # entry's address for what desks do not set themselves.
    _flow(
        base,
        token,
        "options/flow",
        entry_id,
        {"next_step_id": "emergency"},
        {
            "numbers": "911, 933",
            "dial_template": EMERGENCY_ROUTE,
            "callback_minutes": 180,
            "country": "US",
            "region": "IL",
            "city": "Chicago",
            "street": "Main Street",
            "house_number": "100",
            "postcode": "60601",
            "building": "HQ",
        },
    )

    carrier = SipPhone(
        "carrier",
        pbx.sip_port,
        mode="answer",
        answer_after_ms=300,
        work_dir=tmp_path / "carrier",
    )
    call = None
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(STEP_TIMEOUT)
        try:
            carrier.start()
            page.goto(f"{base}/")
            page.get_by_role("textbox", name="Username").fill(USER)
            page.get_by_role("textbox", name="Password").fill(PASSWORD)
            page.get_by_role("button", name="Log in").click()
            page.wait_for_url(f"{base}/lovelace/**", timeout=60_000)

            def ws(message: dict[str, Any]) -> Any:
                return page.evaluate(
                    "m => document.querySelector('home-assistant').hass.callWS(m)",
                    message,
                )

            desks = {
                sub["title"].partition(" (")[0]: sub["subentry_id"]
                for sub in ws(
                    {"type": "config_entries/subentries/list", "entry_id": entry_id}
                )
                if sub["subentry_type"] == "desk"
            }
            _flow(
                base,
                token,
                "subentries/flow",
                [entry_id, "account"],
                {"name": "Alice", "extension": "101", "home_desks": [desks["Desk 1"]]},
            )
            # Desk 1's device (the login action names the desk by it).
            desk1_device = page.wait_for_function(
                """id => Object.values(document.querySelector('home-assistant')
                    ?.hass?.devices ?? {}).find(d => d.identifiers.some(
                    ([domain, ident]) => domain === 'hotdesk_phone' && ident === id))?.id""",
                arg=desks["Desk 1"],
            ).json_value()
            http(
                f"{base}/api/services/hotdesk_phone/login",
                {"extension": "101", "desk": desk1_device},
                token,
            )

            # The PBX has what the dialplan reads before anyone dials.
            want = {
                "enumber/911": "1",
                "emergency/dial": EMERGENCY_ROUTE,
                f"elin/{desks['Desk 1']}": DESK1_ELIN,
                "deskof/PJSIP/desk1": desks["Desk 1"],
            }
            deadline = time.monotonic() + 20
            while {k: pbx.astdb().get(k) for k in want} != want:
                assert time.monotonic() < deadline, pbx.astdb()
                time.sleep(0.2)

            ws(
                {
                    "type": "lovelace/config/save",
                    "config": {
                        "title": "Office",
                        "views": [
                            {
                                "title": "Desks",
                                "path": "desks",
                                "cards": [
                                    {
                                        "type": "custom:hotdesk-board",
                                        "title": "Office desks",
                                    }
                                ],
                            }
                        ],
                    },
                }
            )
            page.goto(f"{base}/lovelace/desks")
            board = page.locator("hotdesk-board")
            tile = {n: board.locator(".tile", has_text=f"Desk {n}") for n in (1, 2)}
            expect(board.locator(".tile")).to_have_count(2)
            expect(tile[1]).to_contain_text("Alice (101) since")
            banner = board.locator(".emergency")
            expect(banner).to_have_count(0)

            # Desk 1's phone dials 911 (a real SIP call); the carrier answers.
            invites = carrier.invite_count
            call = place_call(
                "desk1",
                "911",
                pbx.sip_port,
                caller_id_number="101",
                caller_id_name="Alice",
                hold_ms=15_000,
                work_dir=tmp_path / "desk1-911",
            )
            invite = carrier.wait_for("INVITE", count=invites + 1, timeout=10)
            assert invite.caller_id_number == DESK1_ELIN
            alert = board.get_by_role("alert")
            expect(alert).to_have_text(
                f"Emergency call 911 from Desk 1 — {DESK1_LOCATION} — logged in: Alice"
            )
            expect(banner.locator(".emergency-call")).to_have_count(1)
            expect(tile[1]).to_have_attribute("data-emergency", "")
            expect(tile[1].locator(".emergency-mark")).to_have_text(
                "Emergency call 911"
            )
            expect(tile[2]).not_to_have_attribute("data-emergency", "")
            # Red: HA's error colour behind white text.
            colour = banner.evaluate("el => getComputedStyle(el).backgroundColor")
            assert colour == "rgb(219, 68, 55)", colour
            path = ARTIFACTS / "16-board-emergency.png"
            board.screenshot(path=str(path))

            # Desk 1 hangs up (its BYE after the hold): the banner goes.
            assert call.wait(30) == 0, "desk 1's SIPp did not end the call cleanly"
            assert call.answered
            expect(banner).to_have_count(0)
            expect(tile[1]).not_to_have_attribute("data-emergency", "")
            expect(tile[1].locator(".emergency-mark")).to_have_count(0)
            board.screenshot(path=str(ARTIFACTS / "16-board-emergency-ended.png"))
        except Exception:
            page.screenshot(path=str(ARTIFACTS / "failure-emergency.png"))
            (ARTIFACTS / "failure-emergency-aria.txt").write_text(
                page.locator("body").aria_snapshot()
            )
            raise
        finally:
            if call is not None:
                call.stop()
            carrier.stop(unregister=pbx.running)
            browser.close()
