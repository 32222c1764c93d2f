"""Card readers on the HA host: a real pcscd, vpcd readers and a virtual card.

The card answers the UID APDU like an NFC card on an ACR122U; the integration
reads it, scans it as an HA tag from the reader's device, and the scan claims a
ringing call (with the test AMI server) or logs in/out. pcscd going away raises
a repair issue that clears itself when it is back.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import functools
import logging
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, issue_registry as ir

from custom_components.hotdesk_phone import pcsc, piv
from custom_components.hotdesk_phone.const import CONF_READERS, DOMAIN

from .ami_server import AmiTestServer
from .conftest import ALICE, CAROL, DESK_IDS, account_subentry, desk_subentry
from .helpers import (
    AFTER_REDIRECT,
    BEFORE_REDIRECT,
    hub_of,
    push,
    reader_device,
    redirect_then,
    retarget,
    wait_for,
)
from .pcsc_env import READERS, PcscEnvironment, VirtualCard

D1, D2, D3, D4 = DESK_IDS
READER_3, READER_4 = READERS  # "Virtual PCD 00 00" at desk 3, "... 00 01" at desk 4
ALICE_UID = "04A23BC1"  # one of Alice's identities ("04:A2:3B:C1")
CAROL_UID = "0411223344556677"  # a 7-byte UID, Carol's (added below)


def desk_with_readers(index: int, readers: list[str]) -> dict[str, Any]:
    desk = desk_subentry(index)
    desk["data"][CONF_READERS] = readers
    return desk


@pytest.fixture
def subentries() -> list[dict[str, Any]]:
    """Desks 3 and 4 have one vpcd reader each; desk 2 a reader that is not there."""
    return [
        desk_subentry(1),
        desk_with_readers(2, ["ACS ACR122U PICC Interface 00 00"]),
        desk_with_readers(3, [READER_3]),
        desk_with_readers(4, [READER_4]),
        account_subentry(ALICE, "Alice", "101", [1, 2], ["tag-alice", "04:A2:3B:C1"]),
        account_subentry(CAROL, "Carol", "102", [1, 4], [CAROL_UID]),
    ]


@pytest.fixture(autouse=True)
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retry a missing pcscd after 0.1 s (then 0.2, 0.4 ...), not 1 s."""
    monkeypatch.setattr(pcsc, "RETRY_MIN_SECONDS", 0.1)


@pytest.fixture
async def cards(pcsc_env: PcscEnvironment) -> AsyncIterator[list[VirtualCard]]:
    """Cards made by a test; all are taken off the readers afterwards."""
    made: list[VirtualCard] = []
    yield made
    for card in made:
        await card.remove()


@pytest.fixture
def card(pcsc_env: PcscEnvironment, cards: list[VirtualCard]) -> Any:
    def make(uid: str, slot: int = 0) -> VirtualCard:
        new = VirtualCard(pcsc_env, uid, slot)
        cards.append(new)
        return new

    return make


def watcher_of(entry: MockConfigEntry) -> pcsc.CardWatcher:
    monitor = entry.runtime_data.pcsc
    assert monitor is not None
    return monitor.watcher


async def setup(hass: HomeAssistant, entry: MockConfigEntry) -> MockConfigEntry:
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


@pytest.fixture
async def entry(
    pcscd: PcscEnvironment, hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> AsyncIterator[MockConfigEntry]:
    """The entry set up with pcscd running; the monitor has looked at the readers.

    Unloaded again before pcscd stops.
    """
    await setup(hass, mock_config_entry)
    watcher = watcher_of(mock_config_entry)
    await wait_for(hass, watcher.ready.is_set)
    assert watcher.watching == {READER_3, READER_4}
    yield mock_config_entry
    if mock_config_entry.state is ConfigEntryState.LOADED:
        await hass.config_entries.async_unload(mock_config_entry.entry_id)


async def test_card_on_reader_claims_ringing_call(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    ami_server: AmiTestServer,
    card: Any,
) -> None:
    scans = async_capture_events(hass, "tag_scanned")
    claimed = async_capture_events(hass, "hotdesk_phone_call_claimed")
    ami_server.handlers["redirect"] = redirect_then(retarget(AFTER_REDIRECT, "desk3"))
    await push(hass, entry, ami_server, BEFORE_REDIRECT)
    alice = card(ALICE_UID, slot=0)
    await alice.present()
    await wait_for(hass, lambda: claimed)
    # An HA tag scan from the reader's device, like any tag scanner's.
    device_id = reader_device(hass, entry, READER_3)
    assert [(e.data["tag_id"], e.data["device_id"]) for e in scans] == [
        (ALICE_UID, device_id)
    ]
    assert [r["Exten"] for r in ami_server.actions_named("Redirect")] == [D3]
    assert claimed[0].data["desk_id"] == D3
    assert claimed[0].data["from_desks"] == [D1, D2]
    assert claimed[0].data["via"] == "pcsc"
    # The UID, then whether the card offers PIV (a MIFARE card does not).
    assert alice.apdus == [bytes.fromhex("FFCA000000"), piv.SELECT_PIV]
    device = dr.async_get(hass).async_get(device_id)
    assert device is not None
    assert device.model == "Card reader"
    assert device.name == READER_3


async def test_one_scan_per_tap(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    card: Any,
) -> None:
    """Resting card: one scan. Taken away and put back: a second scan."""
    scans = async_capture_events(hass, "tag_scanned")
    logins = async_capture_events(hass, "hotdesk_phone_login")
    logouts = async_capture_events(hass, "hotdesk_phone_logout")
    watcher = watcher_of(entry)
    carol = card(CAROL_UID, slot=1)
    await carol.present()
    await wait_for(hass, lambda: logins)
    assert logins[0].data["account_id"] == CAROL
    assert logins[0].data["desk_id"] == D4
    assert hub_of(entry).logins == {D4: CAROL}
    # The card stays on the reader for several of pcscd's polls: still one scan.
    await asyncio.sleep(1.2)
    await hass.async_block_till_done()
    assert len(scans) == 1
    await carol.remove()
    await wait_for(hass, lambda: watcher.card_on(READER_4) is False)
    await asyncio.sleep(pcsc.DEBOUNCE_SECONDS)
    await carol.present()
    await wait_for(hass, lambda: logouts)
    assert len(scans) == 2
    assert logouts[0].data["reason"] == "scan"
    assert hub_of(entry).logins == {}


async def test_card_put_back_at_once_is_one_tap(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    card: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pcsc, "DEBOUNCE_SECONDS", 60.0)
    scans = async_capture_events(hass, "tag_scanned")
    watcher = watcher_of(entry)
    carol = card(CAROL_UID, slot=1)
    await carol.present()
    await wait_for(hass, lambda: scans)
    await carol.remove()
    await wait_for(hass, lambda: watcher.card_on(READER_4) is False)
    await carol.present()
    await wait_for(hass, lambda: watcher.card_on(READER_4) is True)
    await asyncio.sleep(0.2)
    await hass.async_block_till_done()
    assert len(scans) == 1
    # Another card is another tap, debounce or not.
    await carol.remove()
    await wait_for(hass, lambda: watcher.card_on(READER_4) is False)
    alice = card(ALICE_UID, slot=1)
    await alice.present()
    await wait_for(hass, lambda: len(scans) == 2)
    assert scans[1].data["tag_id"] == ALICE_UID


async def test_unknown_card_and_card_without_uid(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    card: Any,
) -> None:
    unknown = async_capture_events(hass, "hotdesk_phone_unknown_tag")
    scans = async_capture_events(hass, "tag_scanned")
    watcher = watcher_of(entry)
    stranger = card("DEADBEEF", slot=0)
    await stranger.present()
    await wait_for(hass, lambda: unknown)
    data = unknown[0].data
    assert data["tag_id"] == "DEADBEEF"
    assert data["device_id"] == reader_device(hass, entry, READER_3)
    assert data["desk_id"] == D3
    # A card that refuses GET DATA (no UID) is no scan.
    mute = card("", slot=1)
    mute.answer = lambda _apdu: b"\x6a\x81"  # type: ignore[method-assign]
    await mute.present()
    await wait_for(hass, lambda: watcher.card_on(READER_4) is True)
    await asyncio.sleep(0.2)
    await hass.async_block_till_done()
    assert len(unknown) == 1
    assert mute.apdus == [bytes.fromhex("FFCA000000")]
    # Neither became an HA tag: every passing card would add one for good.
    assert scans == []


async def test_reader_missing_is_logged_once(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    missing = [
        r
        for r in caplog.get_records("setup")
        if "ACS ACR122U PICC Interface 00 00 is not connected" in r.getMessage()
    ]
    assert len(missing) == 1
    assert missing[0].levelno == logging.WARNING
    assert not ir.async_get(hass).async_get_issue(
        DOMAIN, f"pcsc_unavailable_{entry.entry_id}"
    )


async def test_pcscd_stops_and_comes_back(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    pcscd: PcscEnvironment,
    card: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    issues = ir.async_get(hass)
    issue_id = f"pcsc_unavailable_{entry.entry_id}"
    monitor = entry.runtime_data.pcsc
    assert monitor is not None
    assert monitor.available is True
    await hass.async_add_executor_job(pcscd.stop)
    await wait_for(hass, lambda: issues.async_get_issue(DOMAIN, issue_id))
    issue = issues.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_key == "pcsc_unavailable"
    assert issue.severity is ir.IssueSeverity.ERROR
    assert issue.translation_placeholders is not None
    assert READER_3 in issue.translation_placeholders["readers"]
    assert monitor.available is False
    # Several retries while pcscd is away: one warning, no flood, no crash.
    await asyncio.sleep(0.8)
    await hass.async_block_till_done()
    warnings = [r for r in caplog.records if "Is pcscd running?" in r.getMessage()]
    assert len(warnings) == 1
    await hass.async_add_executor_job(pcscd.start)
    await wait_for(hass, lambda: not issues.async_get_issue(DOMAIN, issue_id))
    assert monitor.available is True
    assert "pcscd) answers again" in caplog.text
    # Cards work again.
    watcher = watcher_of(entry)
    await wait_for(hass, lambda: watcher.watching == {READER_3, READER_4})
    logins = async_capture_events(hass, "hotdesk_phone_login")
    alice = card(ALICE_UID, slot=0)
    await alice.present()
    await wait_for(hass, lambda: logins)
    assert logins[0].data["desk_id"] == D3


async def test_pcscd_missing_at_start_then_started(
    hass: HomeAssistant,
    pcsc_env: PcscEnvironment,
    mock_config_entry: MockConfigEntry,
    card: Any,
) -> None:
    pcsc_env.stop()
    entry = await setup(hass, mock_config_entry)
    assert entry.state is ConfigEntryState.LOADED  # no crash, the PBX part works
    issues = ir.async_get(hass)
    issue_id = f"pcsc_unavailable_{entry.entry_id}"
    await wait_for(hass, lambda: issues.async_get_issue(DOMAIN, issue_id))
    try:
        await hass.async_add_executor_job(pcsc_env.start)
        await wait_for(hass, lambda: not issues.async_get_issue(DOMAIN, issue_id))
        watcher = watcher_of(entry)
        await wait_for(hass, lambda: watcher.watching == {READER_3, READER_4})
        await wait_for(hass, lambda: watcher.card_on(READER_3) is False)
        logins = async_capture_events(hass, "hotdesk_phone_login")
        alice = card(ALICE_UID, slot=0)
        await alice.present()
        await wait_for(hass, lambda: logins)
    finally:
        pcsc_env.stop()


async def test_card_resting_at_start_is_no_scan(
    hass: HomeAssistant,
    pcscd: PcscEnvironment,
    mock_config_entry: MockConfigEntry,
    card: Any,
) -> None:
    alice = card(ALICE_UID, slot=0)
    await alice.present()
    await wait_for(hass, lambda: pcscd.card_present(READER_3))
    scans = async_capture_events(hass, "tag_scanned")
    entry = await setup(hass, mock_config_entry)
    watcher = watcher_of(entry)
    await wait_for(hass, lambda: watcher.card_on(READER_3) is True)
    await asyncio.sleep(0.2)
    await hass.async_block_till_done()
    assert scans == []


async def test_unload_stops_the_watcher(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    pcscd: PcscEnvironment,
) -> None:
    watcher = watcher_of(entry)
    thread = watcher._thread
    assert thread is not None
    assert thread.is_alive()
    await hass.async_add_executor_job(pcscd.stop)
    issues = ir.async_get(hass)
    issue_id = f"pcsc_unavailable_{entry.entry_id}"
    await wait_for(hass, lambda: issues.async_get_issue(DOMAIN, issue_id))
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert not thread.is_alive()
    # The issue belongs to the running entry only.
    assert not issues.async_get_issue(DOMAIN, issue_id)


async def test_desk_form_offers_host_readers(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    ami_server: AmiTestServer,
) -> None:
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, "desk"), context={"source": "user"}
    )
    schema = result["data_schema"].schema
    readers = next(v for k, v in schema.items() if k == CONF_READERS)
    assert readers.config["options"] == sorted(READERS)
    assert readers.config["custom_value"] is True
    assert readers.config["multiple"] is True
    # A reader is bound to one desk (of a phone on the PBX).
    ami_server.endpoints.append("desk5")
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {"name": "Desk 5", "dial_string": "PJSIP/desk5", CONF_READERS: [READER_3]},
    )
    assert result["errors"] == {CONF_READERS: "duplicate_reader"}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {
            "name": "Desk 5",
            "dial_string": "PJSIP/desk5",
            CONF_READERS: [" pc-3f-12 ", "pc-3f-12", ""],
        },
    )
    assert result["type"] == "create_entry"
    assert result["data"][CONF_READERS] == ["pc-3f-12"]


async def test_readers_plugged_in_while_running(
    hass: HomeAssistant,
    pcsc_env: PcscEnvironment,
    mock_config_entry: MockConfigEntry,
    card: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """pcscd without readers at first; after its restart with them, cards work."""
    pcsc_env.stop()
    await hass.async_add_executor_job(functools.partial(pcsc_env.start, readers=False))
    try:
        entry = await setup(hass, mock_config_entry)
        watcher = watcher_of(entry)
        await wait_for(hass, watcher.ready.is_set)
        assert watcher.watching == frozenset()
        assert f"Card reader {READER_3} is not connected" in caplog.text
        await hass.async_add_executor_job(pcsc_env.stop)
        await hass.async_add_executor_job(pcsc_env.start)
        await wait_for(hass, lambda: watcher.watching == {READER_3, READER_4})
        assert f"Card reader {READER_3} is connected" in caplog.text
        await wait_for(hass, lambda: watcher.card_on(READER_3) is False)
        logins = async_capture_events(hass, "hotdesk_phone_login")
        alice = card(ALICE_UID, slot=0)
        await alice.present()
        await wait_for(hass, lambda: logins)
    finally:
        pcsc_env.stop()
