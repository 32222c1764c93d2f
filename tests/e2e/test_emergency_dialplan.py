"""Emergency calls in the shipped dialplan on a real Asterisk 22 with SIPp.

No Home Assistant entry: the test writes the AstDB keys the integration
writes (over AMI ``DBPut``), desk phones dial with SIPp, and a SIPp stands in
for the emergency carrier's trunk (endpoint ``carrier`` in
tests/e2e/asterisk_conf/pjsip.conf, with the shipped geolocation profile).
Every check reads what the carrier's or a desk's SIPp received.

- A desk dials 911: the carrier gets the desk's ELIN in From and
  P-Asserted-Identity (not the extension logged in there), a Geolocation
  header and a PIDF-LO body with the desk's civic address; the dialplan
  records ``hotdesk/ecallback/<ELIN>``; AMI shows a DialBegin in
  ``hotdesk-emergency``. Do not disturb changes nothing.
- A desk without its own keys, and a phone that is no hot desk, send the
  entry's default ELIN and location.
- The carrier calls the ELIN back: only the desk that called rings, within
  the window; after it the admin's ``hotdesk-elin-custom`` (or, without one,
  the last desk, from ``hotdesk-elin-last``).
- No route: the caller gets an error, never a silent success; the admin's
  ``hotdesk-emergency-route`` is used when there is no route or it is down.
- What ``location_info`` needs: values with blanks quoted or not, UTF-8,
  and ``&`` written as ``&amp;``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
import re
import time
from typing import Any
import xml.etree.ElementTree as ET

import pytest

from homeassistant.core import HomeAssistant

from custom_components.hotdesk_phone.ami import AmiClient
from custom_components.hotdesk_phone.ami_wire import AmiEvent

from .conftest import D1, D2, D3, D4, Pbx, in_thread, until, wait_sip
from .sip_phone import SipCall, SipMessage, SipPhone, place_call

pytestmark = pytest.mark.e2e

ELIN = "+13125550100"  # desks 1 and 2 (one floor shares it)
DEFAULT_ELIN = "+13125550199"  # the entry's, for desks without their own
LOCATION_1 = (
    "country=US,A1=IL,A3=Chicago,A6=Main Street,HNO=100,PC=60601,BLD=HQ,FLR=3,ROOM=301"
)
LOCATION_2 = 'country=US,A1=IL,A3=Chicago,A6="Main Street",HNO=100,FLR=3,ROOM=302'
DEFAULT_LOCATION = 'country=US,A1=IL,A3=Chicago,A6="Main Street",HNO=100,BLD=HQ'
ROUTE = "PJSIP/{number}@carrier"
EMERGENCY = "hotdesk-emergency"
ROUTE_HOOK = "hotdesk-emergency-route"
ELIN_HOOK = "hotdesk-elin-custom"
CIVIC = "{urn:ietf:params:xml:ns:pidf:geopriv10:civicAddr}"


@pytest.fixture
def carrier(clean_pbx: Pbx, tmp_path: Path) -> Iterator[SipPhone]:
    """The emergency carrier: registered as endpoint carrier, answers in 100 ms."""
    phone = SipPhone(
        "carrier",
        clean_pbx.sip_port,
        mode="answer",
        answer_after_ms=100,
        work_dir=tmp_path / "carrier",
    )
    try:
        yield phone.start()
    finally:
        phone.stop(unregister=clean_pbx.running)


@pytest.fixture
def dial_begins(ami: AmiClient) -> list[dict[str, str]]:
    """Every DialBegin the PBX reports from now on (headers)."""
    seen: list[dict[str, str]] = []

    def record(event: AmiEvent) -> None:
        if event.name == "DialBegin":
            seen.append(dict(event.headers))

    ami.on_event = record
    return seen


@pytest.fixture
def hooks(clean_pbx: Pbx) -> Iterator[Pbx]:
    """The admin's hook contexts, added by a test at run time, removed after."""
    yield clean_pbx
    if clean_pbx.running:
        for context in (ROUTE_HOOK, ELIN_HOOK):
            if context in clean_pbx.cli(f"dialplan show {context}"):
                clean_pbx.cli(f"dialplan remove context {context}")


async def write_keys(ami: AmiClient, **extra: str) -> None:
    """What the integration writes: desks 1-4 (desk 1 with Alice's 101
    logged in), ELIN and location of desks 1 and 2, the entry's defaults,
    911 and 933, the route. ``extra`` adds keys (``"dnd/101": "1"``)."""
    keys = {
        **{f"deskof/PJSIP/desk{i}": d for i, d in enumerate((D1, D2, D3, D4), 1)},
        **{f"desk/{d}": f"PJSIP/desk{i}" for i, d in enumerate((D1, D2, D3, D4), 1)},
        f"login/{D1}": "101",
        "route/101": "PJSIP/desk1&PJSIP/desk2",
        f"elin/{D1}": ELIN,
        f"eloc/{D1}": LOCATION_1,
        f"elin/{D2}": ELIN,
        f"eloc/{D2}": LOCATION_2,
        "emergency/elin": DEFAULT_ELIN,
        "emergency/location": DEFAULT_LOCATION,
        "emergency/dial": ROUTE,
        "enumber/911": "1",
        "enumber/933": "1",
        **extra,
    }
    for key, value in keys.items():
        await ami.db_put("hotdesk", key, value)


async def emergency_call(
    hass: HomeAssistant,
    pbx: Pbx,
    desk: str,
    carrier: SipPhone,
    number: str = "911",
    *,
    hold_ms: int = 300,
) -> tuple[SipCall, SipMessage]:
    """desk dials number as Alice's phone would (PAI "Alice" <101>); the
    call ends after hold_ms; the INVITE the carrier got for it."""
    before = carrier.invite_count
    call = place_call(
        desk,
        number,
        pbx.sip_port,
        caller_id_number="101",
        caller_id_name="Alice",
        hold_ms=hold_ms,
    )
    invite = await wait_sip(hass, carrier, "INVITE", before + 1)
    await in_thread(hass, call.wait, 10)
    call.stop()
    return call, invite


def pidf_civic(invite: SipMessage) -> dict[str, str]:
    """The civicAddress elements of the PIDF-LO that the Geolocation header
    points to (the multipart body's part with that Content-ID)."""
    geolocation = invite.header("Geolocation")
    assert geolocation is not None, "no Geolocation header"
    cid = re.fullmatch(r"<cid:([^>]+)>", geolocation)
    assert cid is not None, geolocation
    content_type = invite.header("Content-Type") or ""
    assert content_type.startswith("multipart/mixed"), content_type
    boundary = re.search(r"boundary=\"?([^\";]+)", content_type)
    assert boundary is not None, content_type
    for part in invite.body.split(f"--{boundary.group(1)}"):
        head, _, body = part.strip("\n").partition("\n\n")
        fields = {
            name.strip().lower(): value.strip()
            for name, _, value in (line.partition(":") for line in head.split("\n"))
        }
        if fields.get("content-id") == f"<{cid.group(1)}>":
            assert fields["content-type"] == "application/pidf+xml"
            # Our own Asterisk made it, in a test.
            root = ET.fromstring(body.strip().encode("utf-8"))  # noqa: S314
            address = root.find(f".//{CIVIC}civicAddress")
            assert address is not None, body
            return {el.tag.removeprefix(CIVIC): el.text or "" for el in address}
    raise AssertionError(f"no body part {cid.group(1)} in {invite.body!r}")


def callback_record(tree: dict[str, str], elin: str) -> tuple[int, str]:
    """hotdesk/ecallback/<elin> as (epoch, desk id)."""
    epoch, _, desk = tree[f"ecallback/{elin}"].partition(":")
    return int(epoch), desk


def dial_begin(seen: list[dict[str, str]], context: str) -> dict[str, str]:
    """The one DialBegin from context."""
    found = [d for d in seen if d.get("Context") == context]
    assert len(found) == 1, seen
    return found[0]


async def test_emergency_call_sends_the_desks_elin_and_location(
    hass: HomeAssistant,
    clean_pbx: Pbx,
    phones: dict[str, SipPhone],
    carrier: SipPhone,
    ami: AmiClient,
    dial_begins: list[dict[str, str]],
) -> None:
    """Alice (101) is logged in at desk 1 and its phone even sends 101 as
    its own identity: 911 leaves with the desk's ELIN and location."""
    await write_keys(ami)
    started = int(time.time())
    call, invite = await emergency_call(hass, clean_pbx, "desk1", carrier, hold_ms=2000)
    assert call.final_status == 200
    assert invite.start_line.startswith("INVITE sip:911@")
    assert (invite.from_user, invite.pai_user) == (ELIN, ELIN)
    # Nothing of the login or the phone's own name goes out.
    assert (invite.from_display, invite.pai_display) == (ELIN, ELIN)
    assert invite.header("Geolocation-Routing") == "yes"
    assert pidf_civic(invite) == {
        "country": "US",
        "A1": "IL",
        "A3": "Chicago",
        "A6": "Main Street",
        "HNO": "100",
        "PC": "60601",
        "BLD": "HQ",
        "FLR": "3",
        "ROOM": "301",
    }
    # The record for the callback: when, and which desk.
    tree = await in_thread(hass, clean_pbx.astdb)
    epoch, desk = callback_record(tree, ELIN)
    assert (desk, started <= epoch <= time.time()) == (D1, True)
    # What Home Assistant recognises the call by.
    begin = dial_begin(dial_begins, EMERGENCY)
    assert begin["Channel"].startswith("PJSIP/desk1-")
    assert begin["DestChannel"].startswith("PJSIP/carrier-")
    assert (begin["Exten"], begin["CallerIDNum"], begin["DialString"]) == (
        "911",
        ELIN,
        "911@carrier",
    )
    assert phones["desk2"].invites == []


async def test_emergency_call_marks_its_channels(
    hass: HomeAssistant,
    clean_pbx: Pbx,
    phones: dict[str, SipPhone],
    carrier: SipPhone,
    ami: AmiClient,
    dial_begins: list[dict[str, str]],
) -> None:
    """HOTDESK_EMERGENCY and HOTDESK_EMERGENCY_DESK reach the carrier's channel."""
    await write_keys(ami)
    call = place_call("desk1", "933", clean_pbx.sip_port, hold_ms=3000)
    try:
        await wait_sip(hass, carrier, "INVITE")
        await until(lambda: bool(dial_begins), what="DialBegin")
        shown = await in_thread(
            hass, clean_pbx.cli, f"core show channel {dial_begins[0]['DestChannel']}"
        )
        assert "HOTDESK_EMERGENCY=1" in shown
        assert f"HOTDESK_EMERGENCY_DESK={D1}" in shown
    finally:
        await in_thread(hass, call.wait, 10)
        call.stop()


async def test_do_not_disturb_changes_nothing(
    hass: HomeAssistant,
    clean_pbx: Pbx,
    phones: dict[str, SipPhone],
    carrier: SipPhone,
    ami: AmiClient,
) -> None:
    """The same call with Alice on do not disturb: the same identity and
    location leave (DND is no key the emergency context reads)."""
    await write_keys(ami)
    _, plain = await emergency_call(hass, clean_pbx, "desk1", carrier)
    await ami.db_put("hotdesk", "dnd/101", "1")
    call, with_dnd = await emergency_call(hass, clean_pbx, "desk1", carrier)
    assert call.final_status == 200
    assert (with_dnd.from_user, with_dnd.pai_user) == (ELIN, ELIN)
    assert pidf_civic(with_dnd) == pidf_civic(plain)
    assert pidf_civic(with_dnd)["ROOM"] == "301"


async def test_desk_without_own_keys_uses_the_defaults(
    hass: HomeAssistant,
    clean_pbx: Pbx,
    phones: dict[str, SipPhone],
    carrier: SipPhone,
    ami: AmiClient,
) -> None:
    """Desk 3 has no ELIN or location of its own: the entry's. Desk 4 is no
    hot desk at all (no deskof key): the entry's as well, and its record
    names no desk, so no other desk gets its callback."""
    await write_keys(ami)
    default = {
        "country": "US",
        "A1": "IL",
        "A3": "Chicago",
        "A6": "Main Street",
        "HNO": "100",
        "BLD": "HQ",
    }
    call, invite = await emergency_call(hass, clean_pbx, "desk3", carrier)
    assert call.final_status == 200
    assert (invite.from_user, invite.pai_user) == (DEFAULT_ELIN, DEFAULT_ELIN)
    assert pidf_civic(invite) == default
    tree = await in_thread(hass, clean_pbx.astdb)
    assert callback_record(tree, DEFAULT_ELIN)[1] == D3

    await ami.db_del("hotdesk", "deskof/PJSIP/desk4")
    call, invite = await emergency_call(hass, clean_pbx, "desk4", carrier, "933")
    assert call.final_status == 200
    assert invite.start_line.startswith("INVITE sip:933@")
    assert (invite.from_user, invite.pai_user) == (DEFAULT_ELIN, DEFAULT_ELIN)
    assert pidf_civic(invite) == default
    tree = await in_thread(hass, clean_pbx.astdb)
    assert callback_record(tree, DEFAULT_ELIN)[1] == ""


async def test_missing_elin_or_location_never_blocks_the_call(
    hass: HomeAssistant,
    clean_pbx: Pbx,
    phones: dict[str, SipPhone],
    carrier: SipPhone,
    ami: AmiClient,
) -> None:
    """Desk 3 with neither its own nor a default location: the call leaves
    with the ELIN and no PIDF-LO (the profile has no location of its own).
    With no ELIN either: the phone's own caller ID (never the login's, which
    hotdesk-outbound sets only after the emergency check), and no record."""
    await write_keys(ami, **{f"login/{D3}": "102"})
    await ami.db_del("hotdesk", "emergency/location")
    call, invite = await emergency_call(hass, clean_pbx, "desk3", carrier)
    assert call.final_status == 200
    assert invite.from_user == DEFAULT_ELIN
    assert invite.header("Geolocation") is None
    assert invite.header("Content-Type") == "application/sdp"

    await ami.db_del("hotdesk", "emergency/elin")
    before = await in_thread(hass, clean_pbx.astdb)
    call, invite = await emergency_call(hass, clean_pbx, "desk3", carrier)
    assert call.final_status == 200
    # emergency_call's phone sends "Alice" <101> itself; 102 is logged in.
    assert (invite.from_user, invite.pai_user) == ("101", "101")
    after = await in_thread(hass, clean_pbx.astdb)
    assert {k: v for k, v in after.items() if k.startswith("ecallback/")} == {
        k: v for k, v in before.items() if k.startswith("ecallback/")
    }


async def ring_elin(
    hass: HomeAssistant, pbx: Pbx, number: str, phone: SipPhone, count: int = 1
) -> SipCall:
    """The carrier calls number (gives up after 1.5 s of ringing); waits
    until phone got its count-th INVITE."""
    call = place_call(
        "carrier",
        number,
        pbx.sip_port,
        caller_id_number="3125550911",
        caller_id_name="PSAP",
        ring_timeout_ms=1500,
    )
    await wait_sip(hass, phone, "INVITE", count)
    return call


async def finish(hass: HomeAssistant, call: SipCall) -> None:
    await in_thread(hass, call.wait, 10)
    call.stop()


async def test_callback_rings_only_the_desk_that_called(
    hass: HomeAssistant,
    hooks: Pbx,
    phones: dict[str, SipPhone],
    carrier: SipPhone,
    ami: AmiClient,
    dial_begins: list[dict[str, str]],
) -> None:
    """Desks 1 and 2 share the ELIN; desk 1 called 911. The carrier's call to
    the ELIN rings desk 1 alone, Alice's do not disturb notwithstanding,
    with or without the leading +. Once the record is older than the
    window: the admin's hotdesk-elin-custom (desk 4 here, the reception);
    without that hook, the last desk from hotdesk-elin-last."""
    pbx = hooks
    await write_keys(ami, **{"dnd/101": "1", "login/" + D2: "101"})
    await emergency_call(hass, pbx, "desk1", carrier)

    call = await ring_elin(hass, pbx, ELIN, phones["desk1"])
    invite = phones["desk1"].invites[0]
    assert invite.caller_id_number == "3125550911"
    begin = dial_begin(dial_begins, "hotdesk-elin")
    assert begin["Channel"].startswith("PJSIP/carrier-")
    assert begin["DestChannel"].startswith("PJSIP/desk1-")
    assert (begin["Exten"], begin["CallerIDNum"]) == (ELIN, "3125550911")
    await finish(hass, call)
    # The carrier may send the ELIN without its +.
    call = await ring_elin(hass, pbx, ELIN.removeprefix("+"), phones["desk1"], 2)
    await finish(hass, call)
    for other in ("desk2", "desk3", "desk4"):
        assert phones[other].invites == [], other

    # After the window (60 s here, the record 120 s old): the reception.
    await ami.db_put("hotdesk", "emergency/callback", "60")
    await ami.db_put("hotdesk", f"ecallback/{ELIN}", f"{int(time.time()) - 120}:{D1}")
    await in_thread(
        hass,
        pbx.cli,
        f"dialplan add extension _X!,1,Dial(PJSIP/desk4) into {ELIN_HOOK}",
    )
    await in_thread(
        hass,
        pbx.cli,
        f"dialplan add extension _+X!,1,Dial(PJSIP/desk4) into {ELIN_HOOK}",
    )
    dial_begins.clear()
    call = await ring_elin(hass, pbx, ELIN, phones["desk4"])
    await finish(hass, call)
    assert phones["desk1"].invite_count == 2
    assert phones["desk2"].invites == []
    assert [d["Context"] for d in dial_begins] == [ELIN_HOOK]
    # Without the hook: the desk that last called from the ELIN, but not as
    # an emergency callback (another context).
    await in_thread(hass, pbx.cli, f"dialplan remove context {ELIN_HOOK}")
    dial_begins.clear()
    call = await ring_elin(hass, pbx, ELIN, phones["desk1"], 3)
    await finish(hass, call)
    assert [d["Context"] for d in dial_begins] == ["hotdesk-elin-last"]
    # Within the window again, the default (3 h) once the setting is gone.
    await ami.db_del("hotdesk", "emergency/callback")
    await ami.db_put("hotdesk", f"ecallback/{ELIN}", f"{int(time.time()) - 10000}:{D1}")
    dial_begins.clear()
    call = await ring_elin(hass, pbx, ELIN, phones["desk1"], 4)
    await finish(hass, call)
    assert [d["Context"] for d in dial_begins] == ["hotdesk-elin"]
    assert phones["desk2"].invites == []


async def test_callback_without_any_record_is_refused(
    hass: HomeAssistant,
    clean_pbx: Pbx,
    phones: dict[str, SipPhone],
    ami: AmiClient,
) -> None:
    """An ELIN that never made an emergency call, no hook: congestion."""
    await write_keys(ami)
    call = place_call("carrier", ELIN, clean_pbx.sip_port, ring_timeout_ms=1500)
    await finish(hass, call)
    assert call.final_status is not None
    assert call.final_status >= 400
    assert all(phone.invites == [] for phone in phones.values())


async def test_no_route_is_never_a_silent_success(
    hass: HomeAssistant,
    hooks: Pbx,
    phones: dict[str, SipPhone],
    carrier: SipPhone,
    ami: AmiClient,
    dial_begins: list[dict[str, str]],
) -> None:
    """No route in AstDB and no hook: the desk gets an error response, the
    carrier nothing. With the admin's hotdesk-emergency-route the call
    leaves through it (a Local channel, so the DialBegin is still in
    hotdesk-emergency) with the ELIN and location; so it does when the route
    in AstDB is down."""
    pbx = hooks
    await write_keys(ami)
    await ami.db_del("hotdesk", "emergency/dial")
    call = place_call("desk1", "911", pbx.sip_port, ring_timeout_ms=3000)
    await finish(hass, call)
    assert call.final_status is not None
    assert call.final_status >= 400
    assert carrier.invites == []

    await in_thread(
        hass,
        pbx.cli,
        f"dialplan add extension _X!,1,Dial(PJSIP/${{EXTEN}}@carrier) into {ROUTE_HOOK}",
    )
    dial_begins.clear()
    call, invite = await emergency_call(hass, pbx, "desk1", carrier)
    assert call.final_status == 200
    assert (invite.from_user, invite.pai_user) == (ELIN, ELIN)
    assert pidf_civic(invite)["ROOM"] == "301"
    begin = dial_begin(dial_begins, EMERGENCY)
    assert begin["Channel"].startswith("PJSIP/desk1-")
    assert begin["DestChannel"].startswith(f"Local/911@{ROUTE_HOOK}-")

    # The route names an endpoint that does not exist: the hook again.
    await ami.db_put("hotdesk", "emergency/dial", "PJSIP/{number}@nowhere")
    call, invite = await emergency_call(hass, pbx, "desk1", carrier)
    assert call.final_status == 200
    assert invite.from_user == ELIN
    assert carrier.invite_count == 2


@pytest.mark.parametrize(
    ("location", "expected"),
    [
        # Blanks: quoted or not, the same element; blanks around are trimmed.
        (
            'A6="Main Street",A3= Chicago ,FLR=3',
            {"A6": "Main Street", "A3": "Chicago", "FLR": "3"},
        ),
        ("A6=Main Street,ROOM=3 01", {"A6": "Main Street", "ROOM": "3 01"}),
        # UTF-8 as it is, quoted or not.
        (
            'country=DE,A3=München,A6="Hauptstraße",BLD=Südflügel',
            {"country": "DE", "A3": "München", "A6": "Hauptstraße", "BLD": "Südflügel"},
        ),
        ('A3="São Paulo",A6=北京路', {"A3": "São Paulo", "A6": "北京路"}),
        # XML specials: < > ' pass; & only as &amp; (a bare & is dropped).
        (
            "BLD=R&amp;D <North>,ROOM=O'Hara (East): #2/3",
            {"BLD": "R&D <North>", "ROOM": "O'Hara (East): #2/3"},
        ),
    ],
)
async def test_location_info_round_trip(
    hass: HomeAssistant,
    clean_pbx: Pbx,
    phones: dict[str, SipPhone],
    carrier: SipPhone,
    ami: AmiClient,
    location: str,
    expected: dict[str, Any],
) -> None:
    """What hotdesk/eloc must hold for the PIDF-LO to carry each value."""
    await write_keys(ami, **{f"eloc/{D1}": location})
    call, invite = await emergency_call(hass, clean_pbx, "desk1", carrier)
    assert call.final_status == 200
    assert pidf_civic(invite) == expected


async def test_call_back_to_an_emergency_number_is_the_desks(
    hass: HomeAssistant,
    clean_pbx: Pbx,
    phones: dict[str, SipPhone],
    carrier: SipPhone,
    ami: AmiClient,
    dial_begins: list[dict[str, str]],
) -> None:
    """Home Assistant's call back (Originate of the desk into
    hotdesk-callback with the account's number) to 911 leaves as the
    desk's emergency call: its ELIN, not the account's 101."""
    await write_keys(ami)
    phones["desk1"].set_mode("answer", answer_after_ms=100)
    await ami.originate(
        "PJSIP/desk1",
        "hotdesk-callback",
        "911",
        variables={"HOTDESK_EXTEN": "101", "HOTDESK_NAME": "Alice"},
    )
    invite = await wait_sip(hass, carrier, "INVITE")
    assert (invite.from_user, invite.pai_user) == (ELIN, ELIN)
    assert pidf_civic(invite)["ROOM"] == "301"
    await until(lambda: any(d.get("Context") == EMERGENCY for d in dial_begins))
    assert dial_begin(dial_begins, EMERGENCY)["Channel"].startswith("PJSIP/desk1-")
    await in_thread(hass, clean_pbx.hangup_all)
