"""Cards that prove who they are: software PIV cards on a real pcscd with vpcd.

Alice's account requires an authenticated card, with the key of her PIV card
enrolled. Her card (the software PIV card of ``piv_card``) claims her ringing
call from a reader on the HA host; the same UID on a card without the key (a
clone), a card with another key, a card replaying an old signature and a tag
from another scanner are refused with their reasons in the event, the logbook
and diagnostics, and no Redirect reaches the PBX. Carol's account has no policy:
her UID alone still acts. Enrolment goes through the account form; the bridge
endpoint and the bridge program carry the card's answer to HA's challenge.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator
import gzip
import logging
from pathlib import Path
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from homeassistant.components.tag import async_scan_tag
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_NAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr

from custom_components.hotdesk_phone import piv
from custom_components.hotdesk_phone.card_enrolment import CONF_CARD_KEYS
from custom_components.hotdesk_phone.const import (
    CONF_CARD_CERTIFICATES,
    CONF_CARD_REQUIRED,
    CONF_EXTENSION,
    CONF_HOME_DESKS,
    CONF_READER_USERS,
    CONF_READERS,
)
from custom_components.hotdesk_phone.diagnostics import (
    async_get_config_entry_diagnostics,
)

from .ami_server import AmiTestServer
from .conftest import ALICE, CAROL, DESK_IDS, account_subentry, desk_subentry
from .helpers import (
    AFTER_REDIRECT,
    BEFORE_REDIRECT,
    hub_of,
    push,
    redirect_then,
    retarget,
    wait_for,
)
from .pcsc_env import READERS, PcscEnvironment, VirtualCard
from .piv_card import PivApplet, PivVirtualCard
from .test_bridge import Forwarder, start_bridge_program, stop_bridge_program

D1, D2, D3, D4 = DESK_IDS
READER_3 = READERS[0]  # on the HA host, at desk 3
PC_2 = "pc-desk-2"  # a bridge reader at desk 2
ALICE_UID = "04A23BC1"
CAROL_UID = "04C0FFEE"
ALICE_CARD = PivApplet("p256", "Alice Martin")  # the card enrolled for Alice
CHALLENGE_URL = "/api/hotdesk_phone/challenge"
SCAN_URL = "/api/hotdesk_phone/scan"


def _cert_b64(applet: PivApplet) -> str:
    return base64.b64encode(applet.certificate).decode()


@pytest.fixture
def scanner_device(hass: HomeAssistant) -> str:
    """An ESPHome-style NFC scanner at desk 4 (a device of another integration)."""
    config = MockConfigEntry(domain="esphome")
    config.add_to_hass(hass)
    device = dr.async_get(hass).async_get_or_create(
        config_entry_id=config.entry_id, identifiers={("esphome", "desk-4-nfc")}
    )
    return device.id


@pytest.fixture
def subentries(scanner_device: str) -> list[dict[str, Any]]:
    """Desk 3: a reader on the HA host; desk 2: a bridge reader; desk 4: a scanner."""
    desk_2 = desk_subentry(2)
    desk_2["data"][CONF_READERS] = [PC_2]
    desk_2["data"][CONF_READER_USERS] = []
    desk_3 = desk_subentry(3)
    desk_3["data"][CONF_READERS] = [READER_3]
    alice = account_subentry(ALICE, "Alice", "101", [1, 2], [ALICE_UID])
    alice["data"][CONF_CARD_CERTIFICATES] = [_cert_b64(ALICE_CARD)]
    alice["data"][CONF_CARD_REQUIRED] = True
    carol = account_subentry(CAROL, "Carol", "102", [1, 4], [CAROL_UID])
    return [
        desk_subentry(1),
        desk_2,
        desk_3,
        desk_subentry(4, [scanner_device]),
        alice,
        carol,
    ]


@pytest.fixture
async def cards(pcsc_env: PcscEnvironment) -> AsyncIterator[list[VirtualCard]]:
    made: list[VirtualCard] = []
    yield made
    for card in made:
        await card.remove()


@pytest.fixture
async def entry(
    pcscd: PcscEnvironment, hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> AsyncIterator[MockConfigEntry]:
    """Set up with pcscd running; unloaded before pcscd stops."""
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    monitor = mock_config_entry.runtime_data.pcsc
    assert monitor is not None
    await wait_for(hass, monitor.watcher.ready.is_set)
    yield mock_config_entry
    if mock_config_entry.state is ConfigEntryState.LOADED:
        await hass.config_entries.async_unload(mock_config_entry.entry_id)


async def _ring_alice(
    hass: HomeAssistant, entry: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    ami_server.handlers["redirect"] = redirect_then(retarget(AFTER_REDIRECT, "desk3"))
    await push(hass, entry, ami_server, BEFORE_REDIRECT)


async def _tap(
    hass: HomeAssistant, card: VirtualCard, cards: list[VirtualCard], done: Any
) -> None:
    cards.append(card)
    await card.present()
    await wait_for(hass, done)


def _logbook_line(hass: HomeAssistant, event: Any) -> str:
    """The logbook's words for an event (the integration's describer)."""
    from custom_components.hotdesk_phone import logbook  # noqa: PLC0415

    described: dict[str, Any] = {}

    def register(domain: str, event_type: str, describe: Any) -> None:
        described[event_type] = describe

    logbook.async_describe_events(hass, register)
    return str(described[event.event_type](event)["message"])


async def test_enrolled_card_claims_the_call(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    ami_server: AmiTestServer,
    cards: list[VirtualCard],
    pcsc_env: PcscEnvironment,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Alice's own PIV card proves its key to a fresh challenge: the call moves."""
    caplog.set_level(logging.DEBUG, logger="custom_components.hotdesk_phone")
    claimed = async_capture_events(hass, "hotdesk_phone_call_claimed")
    refused = async_capture_events(hass, "hotdesk_phone_scan_refused")
    await _ring_alice(hass, entry, ami_server)
    card = PivVirtualCard(pcsc_env, ALICE_UID, 0, ALICE_CARD)
    challenges = ALICE_CARD.challenges
    await _tap(hass, card, cards, lambda: claimed)
    assert claimed[0].data["desk_id"] == D3
    assert claimed[0].data["via"] == "pcsc"
    assert [r["Exten"] for r in ami_server.actions_named("Redirect")] == [D3]
    assert ALICE_CARD.challenges == challenges + 1
    assert any(apdu[1] == piv.INS_AUTHENTICATE for apdu in card.apdus)
    assert refused == []
    # The integration's log names no card data: UID, certificate, signature.
    ours = "\n".join(
        r.getMessage()
        for r in caplog.records
        if r.name.startswith("custom_components.hotdesk_phone")
    )
    assert "A card on reader Virtual PCD 00 00 (PIV: proved its key)" in ours
    fingerprint = piv.fingerprint_of(ALICE_CARD.certificate)
    for secret in (ALICE_UID, fingerprint, ALICE_CARD.signatures[-1].hex()):
        assert secret.lower() not in ours.lower()


@pytest.mark.parametrize(
    ("make_card", "reason"),
    [
        # The UID copied to a card without the key.
        (lambda env: VirtualCard(env, ALICE_UID, 0), "card_not_authenticated"),
        # The UID with a PIV card of someone else's key.
        (
            lambda env: PivVirtualCard(env, ALICE_UID, 0, PivApplet("p256")),
            "card_key_unknown",
        ),
    ],
    ids=["clone", "other_key"],
)
async def test_card_that_does_not_prove_alice_is_refused(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    ami_server: AmiTestServer,
    cards: list[VirtualCard],
    pcsc_env: PcscEnvironment,
    make_card: Any,
    reason: str,
) -> None:
    """Refused with its reason in the event, the logbook and diagnostics."""
    refused = async_capture_events(hass, "hotdesk_phone_scan_refused")
    await _ring_alice(hass, entry, ami_server)
    await _tap(hass, make_card(pcsc_env), cards, lambda: refused)
    await hass.async_block_till_done()
    data = refused[0].data
    assert (data["account_id"], data["desk_id"], data["via"], data["reason"]) == (
        ALICE,
        D3,
        "pcsc",
        reason,
    )
    assert ALICE_UID not in str(data)  # no card data in the event
    assert ami_server.actions_named("Redirect") == []
    assert hub_of(entry).tracker.calls  # still ringing at the home desks
    line = _logbook_line(hass, refused[0])
    assert line.startswith("scan at Desk 3 refused: ")
    assert line != f"scan at Desk 3 refused: {reason}"  # in words
    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    cards_info = diagnostics["authenticated_cards"]
    assert cards_info["required"] == [ALICE]
    assert cards_info["keys"] == {ALICE: 1}
    assert [r["reason"] for r in cards_info["refused_scans"]] == [reason]
    assert ALICE_UID not in str(diagnostics)
    assert _cert_b64(ALICE_CARD) not in str(diagnostics)


async def test_replayed_signature_is_refused(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    ami_server: AmiTestServer,
    cards: list[VirtualCard],
    pcsc_env: PcscEnvironment,
) -> None:
    """A card answering with a signature recorded from Alice's card: refused."""
    recorder = PivApplet("p256")
    recorder.key = ALICE_CARD.key  # one good signature of a past challenge
    recorder.certificate = ALICE_CARD.certificate
    assert piv.authenticate(recorder.transmit) is not None
    replayer = PivApplet("p256")
    replayer.certificate = ALICE_CARD.certificate
    replayer.replay = recorder.signatures[-1]
    refused = async_capture_events(hass, "hotdesk_phone_scan_refused")
    await _ring_alice(hass, entry, ami_server)
    await _tap(
        hass, PivVirtualCard(pcsc_env, ALICE_UID, 0, replayer), cards, lambda: refused
    )
    assert refused[0].data["reason"] == "signature_invalid"
    assert ami_server.actions_named("Redirect") == []


async def test_tag_scan_is_refused_for_alice_not_for_carol(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    ami_server: AmiTestServer,
    scanner_device: str,
) -> None:
    """A tag from an NFC scanner proves no card: refused for Alice only."""
    refused = async_capture_events(hass, "hotdesk_phone_scan_refused")
    logins = async_capture_events(hass, "hotdesk_phone_login")
    await async_scan_tag(hass, ALICE_UID, scanner_device)
    await wait_for(hass, lambda: refused)
    assert refused[0].data["reason"] == "tag_not_card"
    assert refused[0].data["desk_id"] == D4
    await async_scan_tag(hass, CAROL_UID, scanner_device)
    await wait_for(hass, lambda: logins)
    assert logins[0].data["account_id"] == CAROL
    assert hub_of(entry).logins == {D4: CAROL}


async def test_policy_off_accepts_the_uid(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    cards: list[VirtualCard],
    pcsc_env: PcscEnvironment,
) -> None:
    """Carol (no policy): her UID on a plain card logs her in, as always."""
    logins = async_capture_events(hass, "hotdesk_phone_login")
    await _tap(hass, VirtualCard(pcsc_env, CAROL_UID, 0), cards, lambda: logins)
    assert logins[0].data["account_id"] == CAROL
    assert logins[0].data["desk_id"] == D3


async def test_card_with_a_random_uid_is_known_by_its_key(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    cards: list[VirtualCard],
    pcsc_env: PcscEnvironment,
) -> None:
    """Many PIV cards show a new UID at each tap: the key says who it is."""
    logins = async_capture_events(hass, "hotdesk_phone_login")
    card = PivVirtualCard(pcsc_env, "08A1B2C3", 0, ALICE_CARD)
    await _tap(hass, card, cards, lambda: logins)
    assert logins[0].data["account_id"] == ALICE


async def test_enrol_a_card_in_the_account_form(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    cards: list[VirtualCard],
    pcsc_env: PcscEnvironment,
) -> None:
    """Scan a new PIV card in the form: its key is offered and kept."""
    dave_card = PivApplet("rsa2048", "Dave Jones")
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, "account"), context={"source": "user"}
    )
    # Asking for the policy without a card key is refused.
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {
            CONF_NAME: "Dave",
            CONF_EXTENSION: "104",
            CONF_HOME_DESKS: [D3],
            CONF_CARD_REQUIRED: True,
        },
    )
    assert result["errors"] == {CONF_CARD_KEYS: "no_card_key"}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {
            CONF_NAME: "Dave",
            CONF_EXTENSION: "104",
            CONF_HOME_DESKS: [D3],
            "scan_tag": True,
        },
    )
    assert result["type"] is FlowResultType.SHOW_PROGRESS
    unknown = async_capture_events(hass, "hotdesk_phone_unknown_tag")
    card = PivVirtualCard(pcsc_env, "04D4E5F6", 0, dave_card)
    cards.append(card)
    await card.present()
    await wait_for(hass, lambda: unknown)
    await hass.async_block_till_done()
    assert dave_card.challenges == 1
    result = await hass.config_entries.subentries.async_configure(result["flow_id"])
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {}
    fingerprint = piv.fingerprint_of(dave_card.certificate)
    schema = result["data_schema"].schema
    key_field = next(k for k in schema if k == CONF_CARD_KEYS)
    options = schema[key_field].config["options"]
    assert options == [
        {
            "value": fingerprint,
            "label": f"{piv.fingerprint_label(fingerprint)} (CN=Dave Jones)",
        }
    ]
    suggested = {
        k: k.description.get("suggested_value") for k in schema if k.description
    }
    assert suggested["tags"] == ["04D4E5F6"]
    assert suggested[CONF_CARD_KEYS] == [fingerprint]
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {
            CONF_NAME: "Dave",
            CONF_EXTENSION: "104",
            CONF_HOME_DESKS: [D3],
            "tags": ["04D4E5F6"],
            CONF_CARD_KEYS: [fingerprint],
            CONF_CARD_REQUIRED: True,
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_CARD_CERTIFICATES] == [_cert_b64(dave_card)]
    assert result["data"][CONF_CARD_REQUIRED] is True
    await hass.async_block_till_done()
    account = hub_of(entry).directory.account_by_card_key(fingerprint)
    assert account is not None
    assert account.name == "Dave"
    assert account.card_required


async def test_enrolment_refuses_a_card_that_fails_its_challenge(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    cards: list[VirtualCard],
    pcsc_env: PcscEnvironment,
) -> None:
    """A card showing a certificate it has no key for is not enrolled."""
    impostor = PivApplet("p256")
    impostor.certificate = PivApplet("p256", "Someone").certificate
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, "account"), context={"source": "user"}
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {
            CONF_NAME: "Eve",
            CONF_EXTENSION: "105",
            CONF_HOME_DESKS: [D3],
            "scan_tag": True,
        },
    )
    unknown = async_capture_events(hass, "hotdesk_phone_unknown_tag")
    card = PivVirtualCard(pcsc_env, "04EEEEEE", 0, impostor)
    cards.append(card)
    await card.present()
    await wait_for(hass, lambda: unknown)
    await hass.async_block_till_done()
    assert impostor.challenges == 1
    result = await hass.config_entries.subentries.async_configure(result["flow_id"])
    assert result["errors"] == {CONF_CARD_KEYS: "card_not_verified"}
    schema = result["data_schema"].schema
    key_field = next(k for k in schema if k == CONF_CARD_KEYS)
    assert schema[key_field].config["options"] == []


# The bridge: HA makes the challenge, the bridge carries the card's answer.


@pytest.fixture
async def client(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_client: ClientSessionGenerator,
) -> Any:
    return await hass_client()


async def _bridge_answer(client: Any, applet: PivApplet) -> dict[str, str]:
    """What the bridge does with a PIV card: certificate -> challenge -> answer."""
    piv.exchange(applet.transmit, piv.SELECT_PIV)
    certificate, _ = piv.exchange(applet.transmit, piv.GET_CAK_CERTIFICATE)
    response = await client.post(
        CHALLENGE_URL, json={"reader": PC_2, "certificate": certificate.hex()}
    )
    assert response.status == 200, await response.text()
    body = await response.json()
    answer = b""
    for apdu in body["apdus"]:
        answer, status = piv.exchange(applet.transmit, bytes.fromhex(apdu))
    assert status == piv.SW_OK
    return {"challenge_id": body["challenge_id"], "answer": answer.hex()}


async def test_bridge_endpoint_checks_the_card_answer(
    hass: HomeAssistant, init_integration: MockConfigEntry, client: Any
) -> None:
    """A good answer logs Alice in; the same answer again is a replay."""
    logins = async_capture_events(hass, "hotdesk_phone_login")
    refused = async_capture_events(hass, "hotdesk_phone_scan_refused")
    card = await _bridge_answer(client, ALICE_CARD)
    response = await client.post(
        SCAN_URL, json={"reader": PC_2, "uid": ALICE_UID, "card": card}
    )
    assert response.status == 200
    await hass.async_block_till_done()
    assert [e.data["account_id"] for e in logins] == [ALICE]
    assert logins[0].data["desk_id"] == D2
    # Replayed: the challenge was spent.
    hass.config_entries.async_update_entry(
        init_integration,
        options={**init_integration.options, "scan_debounce_seconds": 0},
    )
    response = await client.post(
        SCAN_URL, json={"reader": PC_2, "uid": ALICE_UID, "card": card}
    )
    assert response.status == 200
    await hass.async_block_till_done()
    assert [e.data["reason"] for e in refused] == ["challenge_stale"]
    assert len(logins) == 1
    # A UID alone from the bridge: refused too.
    response = await client.post(SCAN_URL, json={"reader": PC_2, "uid": ALICE_UID})
    await hass.async_block_till_done()
    assert [e.data["reason"] for e in refused][-1] == "card_not_authenticated"


def _broken_gzip_certificate() -> str:
    """A certificate object marked gzip-compressed whose deflate data is broken."""
    good = gzip.compress(b"x" * 100)
    broken = good[:10] + b"\xff" * 20 + good[30:]
    return piv._tlv(0x53, piv._tlv(0x70, broken) + piv._tlv(0x71, b"\x01")).hex()


@pytest.mark.parametrize(
    "body",
    [
        {"reader": PC_2},
        {"reader": PC_2, "certificate": "zz"},
        {"reader": PC_2, "certificate": "53020000"},
        {"reader": PC_2, "certificate": _broken_gzip_certificate()},
        {"reader": "", "certificate": "00"},
    ],
)
async def test_challenge_endpoint_refuses_bad_bodies(
    hass: HomeAssistant, client: Any, body: dict[str, Any]
) -> None:
    response = await client.post(CHALLENGE_URL, json=body)
    assert response.status == 400


@pytest.mark.parametrize(
    "card",
    [
        "x",
        {"challenge_id": "a b", "answer": "00"},
        {"challenge_id": "abc", "answer": "0"},
        {"challenge_id": "abc"},
    ],
)
async def test_scan_endpoint_refuses_malformed_card_answers(
    hass: HomeAssistant, client: Any, card: Any
) -> None:
    response = await client.post(
        SCAN_URL, json={"reader": PC_2, "uid": ALICE_UID, "card": card}
    )
    assert response.status == 400


async def test_challenge_endpoint_needs_a_bound_user(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_client: ClientSessionGenerator,
    hass_admin_user: Any,
) -> None:
    """A non-admin user not bound to the reader's desk gets no challenge."""
    hass_admin_user.groups = []
    client = await hass_client()
    response = await client.post(
        CHALLENGE_URL, json={"reader": PC_2, "certificate": "00"}
    )
    assert response.status == 403


@pytest.fixture
def token_file(hass_access_token: str, tmp_path: Path) -> Path:
    path = tmp_path / "token"
    path.write_text(hass_access_token + "\n")
    path.chmod(0o600)
    return path


async def test_bridge_program_sends_the_card_answer(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    client: Any,
    pcscd: PcscEnvironment,
    token_file: Path,
    tmp_path: Path,
) -> None:
    """The bridge program with Alice's PIV card, then with a clone of its UID."""
    logins = async_capture_events(hass, "hotdesk_phone_login")
    refused = async_capture_events(hass, "hotdesk_phone_scan_refused")
    # The clone follows the genuine card at once: not one tap twice (the
    # double-tap window would take it for one), two cards.
    hass.config_entries.async_update_entry(
        init_integration,
        options={**init_integration.options, "scan_debounce_seconds": 0},
    )
    await hass.async_block_till_done()
    forwarder = Forwarder(client.server.port)
    await forwarder.up()
    log_path = tmp_path / "bridge.log"
    process = await start_bridge_program(
        log_path,
        "--url",
        forwarder.url,
        "--token-file",
        str(token_file),
        "--reader-id",
        PC_2,
        "--reader",
        READERS[1],
    )
    # The desk computer's reader: the second vpcd slot, which Home Assistant
    # itself does not watch (desk 3's reader on the HA host is the first).
    genuine = PivVirtualCard(pcscd, ALICE_UID, 1, ALICE_CARD)
    clone = VirtualCard(pcscd, ALICE_UID, 1)
    try:
        await wait_for(hass, lambda: "Watching readers" in log_path.read_text())
        await asyncio.sleep(0.3)  # the bridge takes its first look
        await genuine.present()
        await wait_for(hass, lambda: logins)
        assert logins[0].data["account_id"] == ALICE
        await genuine.remove()
        await wait_for(hass, lambda: not pcscd.card_present(READERS[1]))
        await asyncio.sleep(1.1)  # past the bridge's own put-back window (0.5 s)
        await clone.present()
        try:
            await wait_for(hass, lambda: refused)
        except TimeoutError as err:
            raise AssertionError(log_path.read_text()) from err
        assert refused[0].data["reason"] == "card_not_authenticated", (
            log_path.read_text()
        )
        assert len(logins) == 1
        assert ALICE_UID not in log_path.read_text()
    finally:
        await genuine.remove()
        await clone.remove()
        await stop_bridge_program(process)
        await forwarder.down()
    assert process.returncode == 0, log_path.read_text()
