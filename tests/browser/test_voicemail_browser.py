"""A real voicemail played in Home Assistant's media browser (issue 23).

The same office as ``test_board.py`` (``scripts/develop`` on a free loopback
port, a real Asterisk 22 and SIPp phones; headless Debian Chromium), set up
over HA's REST and WebSocket APIs: two non-admin users with their persons
(Alice and Bob), a companion app for Alice's phone (HA's real ``mobile_app``,
pushing to a recording push server), the integration with Desk 4 (an
endpoint with no phone registered, so calls to it fail at once) and Alice
(101, home desk Desk 4, voicemail on, her person, her phone's app), and the
entry's voicemail folder pointing at the PBX's spool.

A SIPp caller (Bob Caller, 5550100) calls 101: Desk 4 cannot ring, the
shipped ``hotdesk-unanswered`` runs ``VoiceMail`` and the caller speaks
(RTP) for a few seconds. Then Alice logs in to HA in Chromium, opens *Media*,
the *Voicemail* source and her mailbox, sees the message (caller, length, new)
and clicks it: the browser fetches the signed URL (200, ``audio/wav``), the
audio element loads it (``readyState``, ``duration``) and plays it
(``currentTime`` advances), and the PBX lists the message as read (``Old``).
The push's *Play* link, opened in the browser, shows the same message, read
now, and it plays again from the PBX's ``Old`` folder. Bob sees no mailbox
of Alice's, and her link is refused to him (*Unauthorized*).

Headless Chromium has no sound card: it plays through its own silent output
(``--mute-audio`` keeps it so on a machine that has one), whose clock moves
``currentTime`` as a speaker would; the element itself is not muted. No
autoplay flag: Chromium's default policy holds, and the play follows Alice's
click.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
import re
import threading
import time
from typing import Any

import pytest

from custom_components.hotdesk_phone.ami import AmiClient
from custom_components.hotdesk_phone.voicemail import Message, box_summary
from tests.browser.test_board import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    PASSWORD,
    STEP_TIMEOUT,
    USER,
    Office,
    _flow,
    _onboard,
    _wait_for_ha,
    add_pbx,
    http,
    office,  # noqa: F401 - the fixture
)
from tests.e2e.conftest import Pbx
from tests.e2e.sip_phone import SipCall
from tests.e2e.test_voicemail import HOLD_MS, MAILBOX, speech_file
from tests.mobile_app import PushServer

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.timeout(900)]

ALICE_LOGIN = ("alice", "alice-pass-1")
BOB_LOGIN = ("bob", "bob-pass-1")
# Records every audio element the page makes (the media browser's player is
# an ``Audio`` object that autoplays, not in the DOM) or plays.
RECORD_AUDIO = """
window.__hotdeskAudio = [];
const NativeAudio = window.Audio;
window.Audio = function (...args) {
  const audio = new NativeAudio(...args);
  window.__hotdeskAudio.push(audio);
  return audio;
};
window.Audio.prototype = NativeAudio.prototype;
const play = HTMLMediaElement.prototype.play;
HTMLMediaElement.prototype.play = function () {
  if (!window.__hotdeskAudio.includes(this)) window.__hotdeskAudio.push(this);
  return play.apply(this, arguments);
};
"""
PLAYED = """() => window.__hotdeskAudio.map(a => ({
  src: a.src, readyState: a.readyState, duration: a.duration,
  currentTime: a.currentTime, paused: a.paused, muted: a.muted,
  error: a.error && a.error.code}))"""


def _in_thread[T](coro: Callable[[], Coroutine[Any, Any, T]], timeout: float = 30) -> T:
    """A coroutine on a loop of its own (playwright's sync API owns this one)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro()).result(timeout=timeout)


def _listed(pbx: Pbx) -> list[Message]:
    """Alice's mailbox as the PBX lists it (AMI VoicemailBoxSummary)."""

    async def summary() -> list[Message]:
        client = AmiClient(
            host=pbx.host, port=pbx.ami_port, username=pbx.username, secret=pbx.secret
        )
        await client.connect()
        try:
            return await box_summary(client, MAILBOX)
        finally:
            await client.close()

    return _in_thread(summary)


@contextmanager
def _push_server() -> Iterator[PushServer]:
    """The companion apps' push relay on a loop of its own thread."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    server = PushServer()
    asyncio.run_coroutine_threadsafe(server.start(), loop).result(10)
    try:
        yield server
    finally:
        if server.runner is not None:
            asyncio.run_coroutine_threadsafe(server.runner.cleanup(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


def _wait(predicate: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while not (result := predicate()):
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.2)
    return result


def _spool_ready(pbx: Pbx) -> Path:
    """The PBX's voicemail spool (app_voicemail makes it at its start)."""
    spool = pbx.run_dir / "spool" / "voicemail"
    _wait(spool.is_dir, 30, f"{spool}")
    return spool


def test_voicemail_plays_in_the_media_browser(
    office: Office,  # noqa: F811
    tmp_path: Path,
) -> None:
    from playwright.sync_api import (  # noqa: PLC0415
        BrowserContext,
        Locator,
        Page,
        expect,
        sync_playwright,
    )

    started = time.monotonic()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    _wait_for_ha(office)
    base = office.base
    token = _onboard(base)
    pbx = office.pbx

    def log_in(context: BrowserContext, login: tuple[str, str]) -> Page:
        page = context.new_page()
        page.set_default_timeout(STEP_TIMEOUT)
        page.goto(f"{base}/")
        page.get_by_role("textbox", name="Username").fill(login[0])
        page.get_by_role("textbox", name="Password").fill(login[1])
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{base}/lovelace/**", timeout=60_000)
        return page

    def ws(page: Page, message: dict[str, Any]) -> Any:
        return page.evaluate(
            "m => document.querySelector('home-assistant').hass.callWS(m)", message
        )

    def add_user(admin: Page, name: str, login: tuple[str, str]) -> str:
        """A non-admin user who logs in with a password, and their person."""
        user = ws(
            admin,
            {"type": "config/auth/create", "name": name, "group_ids": ["system-users"]},
        )["user"]
        ws(
            admin,
            {
                "type": "config/auth_provider/homeassistant/create",
                "user_id": user["id"],
                "username": login[0],
                "password": login[1],
            },
        )
        ws(admin, {"type": "person/create", "name": name, "user_id": user["id"]})
        return str(user["id"])

    def play(page: Page, item: Locator, seconds: int) -> dict[str, Any]:
        """Click a message of ``seconds`` (as the PBX lists it): the signed URL
        served, the audio loaded and playing."""
        with page.expect_response(
            lambda r: "/api/hotdesk_phone/voicemail/" in r.url
        ) as fetched:
            item.click()
        response = fetched.value
        assert response.status == 200, response.status
        assert response.headers["content-type"].startswith("audio/wav")
        assert "authSig=" in response.url
        # Loaded and playing: the length known, the time moving.
        deadline = time.monotonic() + 20
        while not (
            played := [
                a
                for a in page.evaluate(PLAYED)
                if a["src"] == response.url and a["currentTime"] > 1
            ]
        ):
            assert time.monotonic() < deadline, page.evaluate(PLAYED)
            time.sleep(0.2)
        [audio] = played
        assert audio["error"] is None, audio
        assert audio["readyState"] >= 2, audio  # HAVE_CURRENT_DATA
        assert abs(audio["duration"] - seconds) <= 2, audio
        assert not audio["muted"], audio
        return audio

    def open_voicemail(page: Page) -> None:
        """Media -> the Voicemail source, as a user clicks through it."""
        page.goto(f"{base}/media-browser/browser")
        page.locator("ha-media-player-browse").locator(
            "div.title", has_text=re.compile(r"^Voicemail$")
        ).click()

    with _push_server() as push, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[*CHROMIUM_ARGS, "--mute-audio"],
            headless=True,
        )
        admin_context = browser.new_context(viewport={"width": 1280, "height": 900})
        page: Page | None = None
        try:
            admin = log_in(admin_context, (USER, PASSWORD))
            page = admin
            add_user(admin, "Alice", ALICE_LOGIN)
            add_user(admin, "Bob", BOB_LOGIN)
            # Alice's phone: a companion app registered with HA's mobile_app.
            http(
                f"{base}/api/mobile_app/registrations",
                {
                    "app_id": "io.homeassistant.companion.android",
                    "app_name": "Home Assistant",
                    "app_version": "2025.4.0",
                    "device_name": "Alice Phone",
                    "manufacturer": "Google",
                    "model": "Pixel 8",
                    "os_name": "Android",
                    "os_version": "14",
                    "supports_encryption": False,
                    "app_data": {"push_token": "token-alice", "push_url": push.url},
                },
                token,
            )

            def notify_actions() -> list[str]:
                services = http(f"{base}/api/services", token=token)
                return [
                    name
                    for domain in services
                    if domain["domain"] == "notify"
                    for name in domain["services"]
                ]

            _wait(
                lambda: "mobile_app_alice_phone" in notify_actions(),
                30,
                "Alice's phone's notify action",
            )

            entry_id = add_pbx(base, token, pbx)
            _flow(
                base,
                token,
                "subentries/flow",
                [entry_id, "desk"],
                {"name": "Desk 4", "dial_string": "PJSIP/desk4"},
            )
            [desk4] = [
                sub["subentry_id"]
                for sub in ws(
                    admin,
                    {"type": "config_entries/subentries/list", "entry_id": entry_id},
                )
                if sub["subentry_type"] == "desk"
            ]
            _flow(
                base,
                token,
                "subentries/flow",
                [entry_id, "account"],
                {
                    "name": "Alice",
                    "extension": "101",
                    "home_desks": [desk4],
                    "people": ["person.alice"],
                    "notify_targets": ["mobile_app_alice_phone"],
                    "voicemail": True,
                },
            )
            # Configure -> Voicemail: where HA reads the PBX's spool.
            spool = _spool_ready(pbx)
            _flow(
                base,
                token,
                "options/flow",
                entry_id,
                {"next_step_id": "voicemail"},
                {"voicemail_folder": str(spool)},
            )
            _wait(
                lambda: (
                    http(f"{base}/api/states/sensor.alice_voicemail", token=token)[
                        "state"
                    ]
                    == "0"
                ),
                30,
                "Alice's Voicemail sensor",
            )

            # Bob Caller calls 101; Desk 4 cannot ring: he speaks a message.
            caller = SipCall(
                "caller",
                "101",
                pbx.sip_port,
                caller_id_number="5550100",
                caller_id_name="Bob Caller",
                ring_timeout_ms=30_000,
                hold_ms=HOLD_MS,
                work_dir=tmp_path / "caller",
                audio=speech_file(tmp_path / "speech.ulaw"),
            ).start()
            try:
                assert caller.wait(60) == 0, "the caller's scenario did not complete"
            finally:
                caller.stop()
            [message] = _listed(pbx)
            assert message.folder == "INBOX"
            assert message.caller_id_number == "5550100"
            assert message.duration >= 1

            # The push to Alice's phone, with its Play link.
            pushed = _wait(
                lambda: [
                    p
                    for p in push.pushes
                    if p.get("data", {}).get("tag")
                    == f"hotdesk-vm-{message.message_id}"
                ],
                20,
                "the voicemail push",
            )
            [play_link] = [
                a["uri"] for a in pushed[0]["data"]["actions"] if a["action"] == "URI"
            ]
            assert play_link.startswith("/media-browser/browser/")
            admin_context.close()

            # Alice plays it in the media browser.
            alice_context = browser.new_context(viewport={"width": 1280, "height": 900})
            alice_context.add_init_script(RECORD_AUDIO)
            alice = log_in(alice_context, ALICE_LOGIN)
            page = alice
            open_voicemail(alice)
            browse = alice.locator("ha-media-player-browse")
            mailbox = browse.locator(
                "div.title", has_text=re.compile(r"^Alice \(101\): 1$")
            )
            expect(mailbox).to_be_visible()
            alice.screenshot(path=str(ARTIFACTS / "21-media-voicemail.png"))
            mailbox.click()
            item = browse.get_by_text(re.compile(r"Bob Caller \(5550100\)"))
            expect(item).to_have_text(
                re.compile(rf"^● .+: Bob Caller \(5550100\), {message.duration} s$")
            )
            alice.screenshot(path=str(ARTIFACTS / "22-media-voicemail-message.png"))
            audio = play(alice, item, message.duration)
            alice.screenshot(path=str(ARTIFACTS / "23-media-voicemail-playing.png"))

            # Played, so read on the PBX; the mailbox then says so.
            _wait(
                lambda: [m.folder for m in _listed(pbx)] == ["Old"], 10, "read on PBX"
            )
            box = spool / "default" / "101"
            assert not list((box / "INBOX").glob("msg*"))
            assert [f.name for f in (box / "Old").glob("msg*.wav")] == ["msg0000.wav"]

            # The push's Play link opens Alice's mailbox with the message.
            alice.goto(f"{base}{play_link}")
            # The panel's title is the mailbox's: read now, nothing new.
            expect(
                alice.get_by_text("Alice (101): 0", exact=True).first
            ).to_be_visible()
            expect(
                browse.get_by_text(re.compile(r"Bob Caller \(5550100\)"))
            ).to_have_text(
                re.compile(rf"^[^●].+: Bob Caller \(5550100\), {message.duration} s$")
            )
            alice.screenshot(path=str(ARTIFACTS / "24-media-voicemail-push-link.png"))
            # Played again, now from the PBX's Old folder.
            play(alice, browse.get_by_text(re.compile(r"Bob Caller")), message.duration)
            assert [m.folder for m in _listed(pbx)] == ["Old"]
            alice_context.close()

            # Bob sees no mailbox of Alice's, and her link shows him nothing.
            bob_context = browser.new_context(viewport={"width": 1280, "height": 900})
            bob = log_in(bob_context, BOB_LOGIN)
            page = bob
            open_voicemail(bob)
            bob_browse = bob.locator("ha-media-player-browse")
            expect(bob_browse.get_by_text("No items", exact=False)).to_be_visible()
            expect(bob_browse.get_by_text("Alice")).to_have_count(0)
            bob.goto(f"{base}{play_link}")
            # Refused (the media source's Unauthorized), not an empty box.
            expect(bob_browse.get_by_text("Unauthorized")).to_be_visible()
            expect(bob_browse.get_by_text("Bob Caller")).to_have_count(0)
            bob.screenshot(path=str(ARTIFACTS / "25-media-voicemail-bob.png"))
            print(
                f"voicemail browser test: {time.monotonic() - started:.0f} s,"
                f" {audio['duration']:.1f} s message, played twice"
            )
        except Exception:
            if page is not None and not page.is_closed():
                page.screenshot(path=str(ARTIFACTS / "failure-voicemail.png"))
                (ARTIFACTS / "failure-voicemail-aria.txt").write_text(
                    page.locator("body").aria_snapshot()
                )
            print(office.log.read_text()[-4000:])
            raise
        finally:
            browser.close()
