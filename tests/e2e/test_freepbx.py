"""The FreePBX guide (docs/FREEPBX.md) run on a real Asterisk 22 with SIPp phones.

This is NOT FreePBX: FreePBX cannot run here. It is the project's real
Asterisk (``scripts/asterisk``) configured with FreePBX's file layout and
context names (tests/e2e/freepbx_conf/): ``from-trunk`` -> ``from-pstn`` ->
inbound routes (``ext-did``) -> a Custom Destination; ``from-internal`` ->
``from-internal-xfer`` -> ``from-internal-custom`` before ``ext-local``;
``from-did-direct``; ``ext-local`` with PJSIP extensions 2001-2004 (the desk
phones) and virtual extensions 101/102 whose ``vmu<N>`` voicemail is a stub;
``extensions_custom.conf`` and ``globals_custom.conf`` holding exactly the lines
the guide gives the admin, ``manager_custom.conf`` the guide's AMI user, which
Home Assistant logs in as.
The generated parts are hand-written stand-ins for what FreePBX would write.

What the phones and the stub voicemail receive is the proof: a call from the
trunk to a hot-desk DID rings all the account's desks; an internal call from
another desk does too, and so does a call from a desk where someone is logged
in, with the login's number as caller ID; a scan moves the ringing call to
desk 3; unanswered calls (claimed ones too) end in the account's voicemail.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
import time

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from homeassistant.components.tag import async_scan_tag
from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_PORT, CONF_USERNAME
from homeassistant.core import HomeAssistant

from custom_components.hotdesk_phone.const import CONF_DIAL_STRING, DOMAIN
from custom_components.hotdesk_phone.hub import HotdeskHub

from .conftest import (
    ALICE,
    CAROL,
    D1,
    D2,
    D3,
    ENTRY_ID,
    EventLog,
    OverlayPbx,
    e2e_subentries,
    ensure_asterisk,
    in_thread,
    start_on_free_ports,
    wait_sip,
)
from .sip_phone import SipCall, SipPhone, place_call

pytestmark = pytest.mark.e2e

FREEPBX_CONF = Path(__file__).parent / "freepbx_conf"
# FreePBX names a PJSIP extension's endpoint after its number.
EXTENSION_OF = {"desk1": "2001", "desk2": "2002", "desk3": "2003", "desk4": "2004"}
TRUNK = "carrier"
DID_ALICE = "5550101"  # inbound route -> Custom Destination hotdesk-inbound,101,1
CALLER_NUMBER = "5550100"
RING_SECONDS = 2  # the guide says 20; set with the CLI after the start
GUIDE = Path(__file__).parents[2] / "docs" / "FREEPBX.md"


@pytest.fixture(scope="module")
def freepbx(
    tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config
) -> Iterator[OverlayPbx]:
    """Asterisk with FreePBX's contexts and the guide's custom files."""
    ensure_asterisk(pytestconfig)
    run_dir = tmp_path_factory.mktemp("freepbx")
    run_dir.chmod(0o755)  # Asterisk's own user must enter it
    server = start_on_free_ports(
        lambda ami_port, sip_port: OverlayPbx(
            run_dir,
            ami_port=ami_port,
            sip_port=sip_port,
            username="admin",  # FreePBX's own AMI user (the outside world)
            ha_username="hotdesk",  # manager_custom.conf, as the guide says
            overlay=FREEPBX_CONF,
            ready=("pjsip show endpoints", TRUNK),
        )
    )
    try:
        # The guide's globals_custom.conf, inside FreePBX's [globals], sets the
        # ring time (the shipped file leaves its settings unset).
        assert "HOTDESK_RING_SECONDS=20" in server.cli("dialplan show globals")
        # The test rings for less (same effect, shorter wait).
        server.cli(f"dialplan set global HOTDESK_RING_SECONDS {RING_SECONDS}")
        yield server
    finally:
        server.stop()


@pytest.fixture
def clean_freepbx(freepbx: OverlayPbx) -> Iterator[OverlayPbx]:
    """No channels, no hotdesk tree, no voicemail left by an earlier test."""
    freepbx.hangup_all()
    freepbx.cli("database deltree hotdesk")
    freepbx.cli("database deltree e2e-voicemail")
    yield freepbx
    if freepbx.running:
        freepbx.hangup_all()


@pytest.fixture
def desk_phones(
    clean_freepbx: OverlayPbx, tmp_path: Path
) -> Iterator[dict[str, SipPhone]]:
    """Extensions 2001-2004 registered, ringing (180) on every INVITE."""
    started: dict[str, SipPhone] = {}
    try:
        for desk, extension in EXTENSION_OF.items():
            phone = SipPhone(
                extension,
                clean_freepbx.sip_port,
                mode="ring",
                work_dir=tmp_path / extension,
            )
            started[desk] = phone.start()
        yield started
    finally:
        for phone in started.values():
            phone.stop(unregister=clean_freepbx.running)


@pytest.fixture
async def freepbx_hub(
    hass: HomeAssistant,
    clean_freepbx: OverlayPbx,
    desk_phones: dict[str, SipPhone],
    hotdesk_events: EventLog,
) -> AsyncIterator[HotdeskHub]:
    """The integration set up as the guide says: desks PJSIP/2001..2004."""
    subentries = e2e_subentries()
    for subentry in subentries:
        data = subentry["data"]
        if CONF_DIAL_STRING in data:
            desk = data[CONF_DIAL_STRING].removeprefix("PJSIP/")
            data[CONF_DIAL_STRING] = f"PJSIP/{EXTENSION_OF[desk]}"
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="FreePBX-shaped Asterisk",
        unique_id=f"{clean_freepbx.host}:{clean_freepbx.ami_port}",
        data={
            CONF_HOST: clean_freepbx.host,
            CONF_PORT: clean_freepbx.ami_port,
            CONF_USERNAME: clean_freepbx.ha_username,
            CONF_PASSWORD: clean_freepbx.secret,
        },
        subentries_data=subentries,  # type: ignore[arg-type]
        entry_id=ENTRY_ID,
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    hub: HotdeskHub = entry.runtime_data.hub
    assert hub.connected
    tree = await in_thread(hass, clean_freepbx.astdb)
    assert tree["route/101"] == "PJSIP/2001&PJSIP/2002"
    assert tree["deskof/PJSIP/2003"] == D3
    yield hub
    assert await hass.config_entries.async_unload(entry.entry_id)


def guide_block(heading: str) -> str:
    """The first code block of docs/FREEPBX.md after a line holding heading."""
    text = GUIDE.read_text(encoding="utf-8")
    after = text[text.index(heading) :]
    start = after.index("```ini\n") + len("```ini\n")
    return after[start : after.index("```", start)]


def test_the_test_runs_the_guides_lines() -> None:
    """extensions_custom.conf and globals_custom.conf here are the guide's blocks,
    character for character; manager_custom.conf differs only in the secret and
    the permitted address."""
    ours = (FREEPBX_CONF / "extensions_custom.conf").read_text(encoding="utf-8")
    assert ours == guide_block("Add this to `/etc/asterisk/extensions_custom.conf`")
    ours = (FREEPBX_CONF / "globals_custom.conf").read_text(encoding="utf-8")
    assert ours == guide_block("`/etc/asterisk/globals_custom.conf`:")

    def rights(text: str) -> list[str]:
        return [
            line
            for line in text.splitlines()
            if line and not line.startswith((";", "secret", "permit"))
        ]

    manager = (FREEPBX_CONF / "manager_custom.conf").read_text(encoding="utf-8")
    assert rights(manager) == rights(
        guide_block("Add this to `/etc/asterisk/manager_custom.conf`")
    )


async def voicemail(
    hass: HomeAssistant, pbx: OverlayPbx, box: str, timeout: float = 10.0
) -> str:
    """Wait until the stub voicemail took a call for box; 'REASON callerid'."""
    seen: dict[str, str] = {}

    async def poll() -> bool:
        seen.update(await in_thread(hass, pbx.astdb, "e2e-voicemail"))
        return box in seen

    deadline = time.monotonic() + timeout
    while not await poll():
        if time.monotonic() > deadline:
            raise TimeoutError(f"no voicemail for {box} within {timeout} s")
    return seen[box]


async def finish(hass: HomeAssistant, call: SipCall) -> None:
    """The caller's SIPp: answered by voicemail, hung up after hold_ms."""
    try:
        assert await in_thread(hass, call.wait, 15) == 0
        assert call.final_status == 200
    finally:
        await in_thread(hass, call.stop)


async def test_trunk_call_rings_desks_scan_moves_it_voicemail_takes_it(
    hass: HomeAssistant,
    clean_freepbx: OverlayPbx,
    freepbx_hub: HotdeskHub,
    desk_phones: dict[str, SipPhone],
    hotdesk_events: EventLog,
) -> None:
    """from-trunk -> inbound route -> Custom Destination -> Alice's desks; scan at
    desk 3 moves it; desk 3 does not answer: Alice's voicemail (vmu101) takes it.
    """
    call = await in_thread(
        hass,
        lambda: place_call(
            TRUNK,
            DID_ALICE,
            clean_freepbx.sip_port,
            caller_id_number=CALLER_NUMBER,
            caller_id_name="Bob Caller",
            ring_timeout_ms=15000,
            hold_ms=300,
        ),
    )
    try:
        invite1 = await wait_sip(hass, desk_phones["desk1"], "INVITE")
        invite2 = await wait_sip(hass, desk_phones["desk2"], "INVITE")
        assert invite1.caller_id_number == invite2.caller_id_number == CALLER_NUMBER
        incoming = await hotdesk_events.wait("incoming_call")
        assert (incoming["account_id"], incoming["extension"]) == (ALICE, "101")
        assert incoming["desks"] == sorted([D1, D2])
        assert desk_phones["desk3"].invites == desk_phones["desk4"].invites == []

        await async_scan_tag(hass, "tag-alice", "scanner-3")
        await wait_sip(hass, desk_phones["desk1"], "CANCEL")
        await wait_sip(hass, desk_phones["desk2"], "CANCEL")
        invite3 = await wait_sip(hass, desk_phones["desk3"], "INVITE")
        assert invite3.caller_id_number == CALLER_NUMBER
        claimed = await hotdesk_events.wait("call_claimed")
        assert (claimed["desk_id"], claimed["via"]) == (D3, "tag")

        # Desk 3 rings out: hotdesk-claim sends the call to hotdesk-unanswered
        # with HOTDESK_CALLED (101), whose -custom hook reaches 101's box.
        await wait_sip(hass, desk_phones["desk3"], "CANCEL", timeout=RING_SECONDS + 5)
        assert (
            await voicemail(hass, clean_freepbx, "101") == f"NOANSWER {CALLER_NUMBER}"
        )
    finally:
        await finish(hass, call)
    await hotdesk_events.wait("call_ended")
    assert len(desk_phones["desk1"].invites) == len(desk_phones["desk2"].invites) == 1
    assert desk_phones["desk4"].invites == []
    # Why the guide says Custom Destination, not "Extension 101": a DID sent to
    # the extension enters from-did-direct, where ext-local's 101 answers.
    direct = await in_thread(
        hass, clean_freepbx.cli, "dialplan show 101@from-did-direct"
    )
    assert "ext-local" in direct
    assert "hotdesk" not in direct


async def test_internal_calls_ring_desks_with_login_caller_id_then_voicemail(
    hass: HomeAssistant,
    clean_freepbx: OverlayPbx,
    freepbx_hub: HotdeskHub,
    desk_phones: dict[str, SipPhone],
    hotdesk_events: EventLog,
) -> None:
    """from-internal: from-internal-custom wins over ext-local's virtual 101.

    Desk 4 (2004) dials 101: Alice's desks ring with caller ID 2004, then her
    voicemail. Alice logs in at desk 3 and calls Carol (102) from there: Carol's
    desk shows 101 (hotdesk-callerid), then Carol's voicemail takes the call.
    """
    call = await in_thread(
        hass,
        lambda: place_call(
            "2004", "101", clean_freepbx.sip_port, ring_timeout_ms=15000, hold_ms=300
        ),
    )
    try:
        for desk in ("desk1", "desk2"):
            invite = await wait_sip(hass, desk_phones[desk], "INVITE")
            assert invite.caller_id_number == "2004"
        incoming = await hotdesk_events.wait("incoming_call")
        assert (incoming["extension"], incoming["caller_id_number"]) == ("101", "2004")
        assert incoming["desks"] == sorted([D1, D2])
        missed = await hotdesk_events.wait("call_missed", timeout=RING_SECONDS + 5)
        assert missed["extension"] == "101"
        assert await voicemail(hass, clean_freepbx, "101") == "NOANSWER 2004"
    finally:
        await finish(hass, call)
    await hotdesk_events.wait("call_ended")
    assert desk_phones["desk3"].invites == []

    await async_scan_tag(hass, "tag-alice", "scanner-3")  # no call: a login
    login = await hotdesk_events.wait("login")
    assert (login["desk_id"], login["extension"]) == (D3, "101")
    tree = await in_thread(hass, clean_freepbx.astdb)
    assert tree[f"login/{D3}"] == "101"
    call = await in_thread(
        hass,
        lambda: place_call(
            "2003", "102", clean_freepbx.sip_port, ring_timeout_ms=15000, hold_ms=300
        ),
    )
    try:
        invite = await wait_sip(hass, desk_phones["desk4"], "INVITE")
        assert invite.caller_id_number == "101"
        carol = await hotdesk_events.wait("incoming_call", 2)
        assert (carol["account_id"], carol["caller_id_number"]) == (CAROL, "101")
        assert await voicemail(hass, clean_freepbx, "102") == "NOANSWER 101"
    finally:
        await finish(hass, call)
