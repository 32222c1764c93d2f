"""Voicemail against the test AMI server, which plays app_voicemail here.

The server answers ``VoicemailBoxSummary``, ``VoicemailMove``,
``VoicemailRemove`` and ``PJSIPNotify`` like Asterisk 22 (shapes checked on
the real one in tests/e2e/test_voicemail.py) and keeps each message as files
in a spool folder, as app_voicemail does. Covered: the parsing and the path
checks of ``voicemail.py``; a ``MessageWaiting`` becoming one event, one push,
the sensor and the desk's lamp; the media source and its view for Alice,
Bob and an admin, and bad input; the actions and their who-may-act checks.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import CLIENT_ID, MockConfigEntry
from pytest_homeassistant_custom_component.typing import (
    ClientSessionGenerator,
    WebSocketGenerator,
)

from homeassistant.auth.models import User
from homeassistant.core import Context, Event, HomeAssistant
from homeassistant.exceptions import (
    HomeAssistantError,
    ServiceValidationError,
    Unauthorized,
)
from homeassistant.setup import async_setup_component

from custom_components.hotdesk_phone.ami_errors import AmiActionError
from custom_components.hotdesk_phone.bulk import Existing, export_csv, plan_import
from custom_components.hotdesk_phone.const import (
    CONF_NOTIFY_TARGETS,
    CONF_PEOPLE,
    CONF_VOICEMAIL,
    CONF_VOICEMAIL_FOLDER,
    DOMAIN,
    EVENT_VOICEMAIL,
)
from custom_components.hotdesk_phone.logbook import async_describe_events
from custom_components.hotdesk_phone.mailboxes import mailboxes_of, media_id
from custom_components.hotdesk_phone.voicemail import (
    Message,
    VoicemailError,
    check_message_id,
    endpoint_of,
    message_file,
    parse_box_summary,
    parse_message_waiting,
    split_caller_id,
    split_mailbox,
    summary_lines,
)

from .ami_server import AmiTestServer, parse_block
from .conftest import ALICE, CAROL, DESK_IDS, account_subentry, desk_subentry
from .helpers import hub_of, wait_connected, wait_for
from .mobile_app import PushServer, register

D1, D2, D3, D4 = DESK_IDS
FIRST = "1796375515-00000001"
SECOND = "1796375600-00000002"
AUDIO = b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(range(200))


class FakeVoicemail:
    """app_voicemail's mailboxes as files in a spool, answered over AMI."""

    def __init__(self, spool: Path) -> None:
        self.spool = spool
        self.summaries = 0

    def folder(self, box: str, folder: str) -> Path:
        path = self.spool / "default" / box / folder
        path.mkdir(parents=True, exist_ok=True)
        return path

    def leave(self, box: str, message_id: str, caller: str, seconds: int) -> None:
        """A caller left a message (the files app_voicemail writes)."""
        inbox = self.folder(box, "INBOX")
        number = len(list(inbox.glob("msg*.txt")))
        stem = inbox / f"msg{number:04d}"
        stem.with_suffix(".txt").write_text(
            f"[message]\ncallerid={caller}\norigtime=1796375515\n"
            f"msg_id={message_id}\nduration={seconds}\n"
        )
        stem.with_suffix(".wav").write_bytes(AUDIO)

    def _messages(self, box: str) -> list[tuple[str, Path]]:
        return [
            (folder, txt)
            for folder in ("INBOX", "Old")
            for txt in sorted(self.folder(box, folder).glob("msg*.txt"))
        ]

    def _find(self, box: str, folder: str, message_id: str) -> Path | None:
        for where, txt in self._messages(box):
            if where == folder and f"msg_id={message_id}\n" in txt.read_text():
                return txt
        return None

    def handle(
        self, _server: AmiTestServer, _session: Any, action: dict[str, str]
    ) -> list[dict[str, str]]:
        name = action["Action"].lower()
        box = action.get("Mailbox", "")
        if name == "voicemailboxsummary":
            self.summaries += 1
            items = []
            for folder, txt in self._messages(box):
                fields = dict(
                    line.split("=", 1) for line in txt.read_text().splitlines()[1:]
                )
                items.append(
                    {
                        "Event": "VoicemailBoxDetail",
                        "Folder": folder,
                        "CallerID": fields["callerid"],
                        "Date": "Fri Dec  4 09:11:55 AM UTC 2026",
                        "Duration": fields["duration"],
                        "Flag": "",
                        "ID": fields["msg_id"],
                    }
                )
            return [
                {
                    "Response": "Success",
                    "EventList": "start",
                    "Message": "Voicemail box detail will follow",
                },
                *items,
                {
                    "Event": "VoicemailBoxDetailComplete",
                    "EventList": "Complete",
                    "ListItems": str(len(items)),
                },
            ]
        if name in ("voicemailmove", "voicemailremove"):
            txt = self._find(box, action["Folder"], action["ID"])
            if txt is None:
                return [{"Response": "Error", "Message": "Message not found"}]
            if name == "voicemailremove":
                txt.unlink()
                txt.with_suffix(".wav").unlink()
                return [{"Response": "Success", "Message": "Message removed"}]
            target = self.folder(box, action["ToFolder"])
            new = target / f"msg{len(list(target.glob('msg*.txt'))):04d}"
            txt.with_suffix(".wav").rename(new.with_suffix(".wav"))
            txt.rename(new.with_suffix(".txt"))
            return [{"Response": "Success", "Message": "Message moved"}]
        # PJSIPNotify
        return [{"Response": "Success", "Message": "NOTIFY sent"}]


@pytest.fixture
def spool(tmp_path: Path) -> Path:
    path = tmp_path / "voicemail"
    path.mkdir()
    return path


@pytest.fixture
def subentries() -> list[dict[str, Any]]:
    """Alice (101) with voicemail, her person and her phone; Carol without."""
    alice = account_subentry(ALICE, "Alice", "101", [1, 2], ["tag-alice"])
    alice["data"][CONF_VOICEMAIL] = True
    alice["data"][CONF_PEOPLE] = ["person.alice"]
    alice["data"][CONF_NOTIFY_TARGETS] = ["mobile_app_alice_phone"]
    carol = account_subentry(CAROL, "Carol", "102", [4], ["tag-carol"])
    carol["data"][CONF_PEOPLE] = ["person.carol"]
    return [*(desk_subentry(i) for i in range(1, 5)), alice, carol]


@pytest.fixture
def entry_options(spool: Path) -> dict[str, Any]:
    return {CONF_VOICEMAIL_FOLDER: str(spool)}


@pytest.fixture
def pbx(ami_server: AmiTestServer, spool: Path) -> FakeVoicemail:
    fake = FakeVoicemail(spool)
    for action in (
        "voicemailboxsummary",
        "voicemailmove",
        "voicemailremove",
        "pjsipnotify",
    ):
        ami_server.handlers[action] = fake.handle
    return fake


async def _user(hass: HomeAssistant, name: str, person: str) -> tuple[User, str]:
    """A non-admin user with a person entity, and an access token."""
    user = await hass.auth.async_create_user(name, group_ids=["system-users"])
    refresh = await hass.auth.async_create_refresh_token(user, CLIENT_ID)
    hass.states.async_set(person, "home", {"user_id": user.id})
    return user, hass.auth.async_create_access_token(refresh)


def _wire(server: AmiTestServer) -> str:
    return bytes(server.received).decode()


async def _message_waiting(
    hass: HomeAssistant, server: AmiTestServer, new: int, mailbox: str = "101@default"
) -> None:
    server.push_event(
        {
            "Event": "MessageWaiting",
            "Privilege": "call,all",
            "Mailbox": mailbox,
            "Waiting": "1" if new else "0",
            "New": str(new),
            "Old": "0",
        }
    )
    await hass.async_block_till_done()


# The core.


def test_box_summary_parsing_keeps_valid_inbox_and_old_messages() -> None:
    items = [
        {"Event": "VoicemailBoxDetail", "Folder": "Old", "ID": SECOND,
         "CallerID": "<5550111>", "Duration": "7", "Date": "d2"},
        {"Event": "VoicemailBoxDetail", "Folder": "INBOX", "ID": FIRST,
         "CallerID": '"Bob Caller" <5550100>', "Duration": "3", "Date": "d1"},
        {"Event": "VoicemailBoxDetail", "Folder": "Work", "ID": "1-1"},
        {"Event": "VoicemailBoxDetail", "Folder": "INBOX", "ID": "../../etc/passwd"},
        {"Event": "VoicemailBoxDetail", "Folder": "INBOX", "ID": "", "Duration": "x"},
        {"Event": "VoicemailBoxDetailComplete", "ListItems": "5"},
    ]  # fmt: skip
    assert parse_box_summary(items) == [
        Message(FIRST, "INBOX", "5550100", "Bob Caller", 3, "d1"),
        Message(SECOND, "Old", "5550111", "", 7, "d2"),
    ]
    assert split_caller_id("Anonymous") == ("", "Anonymous")
    assert split_caller_id('"" <>') == ("", "")


def test_message_waiting_mailboxes_ids_and_lamps() -> None:
    assert parse_message_waiting(
        {"Mailbox": "101@default", "New": "2", "Old": "1"}
    ) == parse_message_waiting({"Mailbox": "101@default", "New": "2", "Old": "1"})
    waiting = parse_message_waiting({"Mailbox": "101@default", "New": "2"})
    assert waiting is not None
    assert (waiting.mailbox, waiting.new, waiting.old) == ("101@default", 2, 0)
    for bad in ("", "../101@default", "101@de fault", "101@x/y", "a" * 41):
        assert parse_message_waiting({"Mailbox": bad}) is None
        with pytest.raises(VoicemailError):
            split_mailbox(bad)
    assert split_mailbox("101") == ("101", "default")
    for bad in ("", "../x", "1-1/..", "123", "1-xyz", "1-1\r\nAction: Originate"):
        with pytest.raises(VoicemailError):
            check_message_id(bad)
    assert check_message_id(FIRST) == FIRST
    assert summary_lines(2, 1) == ["Messages-Waiting: yes", "Voice-Message: 2/1 (0/0)"]
    assert summary_lines(0, 3) == ["Messages-Waiting: no", "Voice-Message: 0/3 (0/0)"]
    assert endpoint_of("PJSIP/desk3") == "desk3"
    assert endpoint_of("PJSIP/01DESK3@site-b") is None
    assert endpoint_of("SIP/desk3") is None
    assert endpoint_of("PJSIP/../x") is None


def test_a_message_file_is_found_by_its_id_inside_the_spool_only(
    tmp_path: Path, spool: Path
) -> None:
    fake = FakeVoicemail(spool)
    fake.leave("101", FIRST, '"Bob" <5550100>', 3)
    message = Message(FIRST, "INBOX", "5550100", "Bob", 3, "")
    found = message_file(spool, "101@default", message)
    assert found == spool / "default" / "101" / "INBOX" / "msg0000.wav"
    # Not there: another id, another folder, another mailbox.
    other = Message(SECOND, "INBOX", "", "", 0, "")
    assert message_file(spool, "101@default", other) is None
    assert (
        message_file(spool, "101@default", Message(FIRST, "Old", "", "", 0, "")) is None
    )
    assert message_file(spool, "102@default", message) is None
    # Names that would leave the spool are refused before any path is built.
    with pytest.raises(VoicemailError):
        message_file(spool, "../../etc@default", message)
    with pytest.raises(VoicemailError):
        message_file(spool, "101@default", Message("../../x", "INBOX", "", "", 0, ""))
    with pytest.raises(VoicemailError):
        message_file(spool, "101@default", Message(FIRST, "../INBOX", "", "", 0, ""))
    # A message whose audio is a link to a file outside the spool: not served.
    secret = tmp_path / "secret.wav"
    secret.write_bytes(b"secret")
    wav = spool / "default" / "101" / "INBOX" / "msg0000.wav"
    wav.unlink()
    wav.symlink_to(secret)
    assert message_file(spool, "101@default", message) is None


# Home Assistant: event, push, sensor, lamp.


async def test_a_new_message_is_announced_once_counted_and_lit_at_the_desk(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    push_server: PushServer,
    ami_server: AmiTestServer,
    pbx: FakeVoicemail,
    init_integration: MockConfigEntry,
) -> None:
    assert await async_setup_component(hass, "mobile_app", {})
    assert await async_setup_component(hass, "notify", {})
    client = await hass_client()
    phone = await register(client, "Alice Phone", "Pixel 8", push_server.url)
    await hass.async_block_till_done()
    hub = hub_of(init_integration)
    events: list[dict[str, Any]] = []
    hass.bus.async_listen(EVENT_VOICEMAIL, lambda e: events.append(dict(e.data)))
    await wait_for(hass, lambda: pbx.summaries >= 1)  # read at the connect
    sensor = "sensor.alice_voicemail"
    await wait_for(hass, lambda: hass.states.get(sensor).state == "0")  # type: ignore[union-attr]
    assert hass.states.get("sensor.carol_voicemail") is None  # no voicemail
    assert ami_server.astdb["hotdesk/voicemail/101"] == "101@default"
    assert "hotdesk/voicemail/102" not in ami_server.astdb

    await hub.async_login(ALICE, D3)
    pbx.leave("101", FIRST, '"Bob Caller" <5550100>', 3)
    await _message_waiting(hass, ami_server, 1)
    await wait_for(hass, lambda: len(events) == 1)
    assert events[0] == {
        "account_id": ALICE,
        "account": "Alice",
        "extension": "101",
        "mailbox": "101@default",
        "message_id": FIRST,
        "caller_id_number": "5550100",
        "caller_id_name": "Bob Caller",
        "duration": 3,
        "new_messages": 1,
        "old_messages": 0,
        "media_content_id": media_id(init_integration.entry_id, ALICE, FIRST),
    }
    [push] = await push_server.wait(1)
    assert push["registration_info"]["webhook_id"] == phone
    assert push["title"] == "Voicemail for Alice (101)"
    assert push["message"] == "Bob Caller (5550100) left a message (3 s)."
    assert [a["action"] for a in push["data"]["actions"]] == [
        f"HOTDESK_VMCALLBACK:{FIRST}",
        "URI",
    ]
    assert hass.states.get(sensor).state == "1"  # type: ignore[union-attr]
    wire = _wire(ami_server)
    assert "Action: PJSIPNotify\r\nEndpoint: desk3\r\n" in wire
    assert "Variable: Event=message-summary\r\n" in wire
    assert "Variable: Content=Messages-Waiting: yes\r\n" in wire
    assert "Variable: Content=Voice-Message: 1/0 (0/0)\r\n" in wire

    # Call back, tapped on Alice's phone: her desk rings, then the caller.
    async def tap(action: str) -> None:
        response = await client.post(
            f"/api/webhook/{phone}",
            json={
                "type": "fire_event",
                "data": {
                    "event_type": "mobile_app_notification_action",
                    "event_data": {"action": action},
                },
            },
        )
        assert response.status == 200
        await hass.async_block_till_done()

    await tap("HOTDESK_VMCALLBACK:1-1")  # no such push: nothing
    assert not ami_server.actions_named("Originate")
    await tap(f"HOTDESK_VMCALLBACK:{FIRST}")
    await wait_for(hass, lambda: bool(ami_server.actions_named("Originate")))
    [originate] = ami_server.actions_named("Originate")
    assert (originate["Channel"], originate["Context"], originate["Exten"]) == (
        "PJSIP/desk3",
        "hotdesk-callback",
        "5550100",
    )

    # The same message again (another MessageWaiting): no second event.
    summaries = pbx.summaries
    await _message_waiting(hass, ami_server, 1)
    await wait_for(hass, lambda: pbx.summaries > summaries)
    # Another PBX mailbox, or a malformed one: not even asked.
    summaries = pbx.summaries
    await _message_waiting(hass, ami_server, 1, "999@default")
    await _message_waiting(hass, ami_server, 1, "../101@default")
    assert pbx.summaries == summaries
    assert len(events) == 1
    assert len(push_server.pushes) == 1

    # Logged out: desk 3's lamp is put out.
    await hub.async_logout(D3)
    await wait_for(
        hass, lambda: "Variable: Content=Messages-Waiting: no\r\n" in _wire(ami_server)
    )


# The media source and its view.


@pytest.fixture
async def users(hass: HomeAssistant) -> dict[str, tuple[User, str]]:
    return {
        "alice": await _user(hass, "Alice", "person.alice"),
        "carol": await _user(hass, "Carol", "person.carol"),
    }


async def _resolve(ws: Any, media: str) -> dict[str, Any]:
    await ws.send_json_auto_id(
        {"type": "media_source/resolve_media", "media_content_id": media}
    )
    return dict(await ws.receive_json())


async def _browse(ws: Any, media: str) -> dict[str, Any]:
    await ws.send_json_auto_id(
        {"type": "media_source/browse_media", "media_content_id": media}
    )
    return dict(await ws.receive_json())


async def test_a_message_plays_for_its_people_and_admins_only(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    hass_client_no_auth: ClientSessionGenerator,
    hass_ws_client: WebSocketGenerator,
    ami_server: AmiTestServer,
    pbx: FakeVoicemail,
    spool: Path,
    users: dict[str, tuple[User, str]],
    mock_config_entry: MockConfigEntry,
) -> None:
    pbx.leave("101", FIRST, '"Bob Caller" <5550100>', 3)
    pbx.leave("101", SECOND, "<5550111>", 5)
    # Every HTTP view is registered before the first client starts.
    assert await async_setup_component(hass, "websocket_api", {})
    assert await async_setup_component(hass, "media_source", {})
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    mailboxes = mailboxes_of(hass)[mock_config_entry.entry_id]
    await wait_for(hass, lambda: len(mailboxes.messages.get(ALICE, [])) == 2)
    entry_id = mock_config_entry.entry_id
    first = media_id(entry_id, ALICE, FIRST)
    root = f"media-source://{DOMAIN}"
    plain = await hass_client_no_auth()
    view = f"/api/hotdesk_phone/voicemail/{entry_id}/{ALICE}"

    # Carol (a non-admin user, not Alice's person): nothing to see or play.
    carol = await hass_ws_client(hass, access_token=users["carol"][1])
    browsed = await _browse(carol, root)
    assert browsed["result"]["children"] == []
    refused = await _browse(carol, f"{root}/{entry_id}/{ALICE}")
    assert refused["error"]["code"] == "unauthorized"
    refused = await _resolve(carol, first)
    assert refused["error"]["code"] == "unauthorized"
    bearer = {"Authorization": f"Bearer {users['carol'][1]}"}
    response = await plain.get(f"{view}/{FIRST}", headers=bearer)
    assert response.status == 401
    response = await plain.get(f"{view}/{FIRST}")  # no token at all
    assert response.status == 401
    assert not ami_server.actions_named("VoicemailMove")

    # Alice: her mailbox, newest first; the message plays and is then read.
    alice = await hass_ws_client(hass, access_token=users["alice"][1])
    browsed = await _browse(alice, root)
    assert [c["title"] for c in browsed["result"]["children"]] == ["Alice (101): 2"]
    browsed = await _browse(alice, f"{root}/{entry_id}/{ALICE}")
    assert [c["media_content_id"] for c in browsed["result"]["children"]] == [
        media_id(entry_id, ALICE, SECOND),
        first,
    ]
    resolved = await _resolve(alice, first)
    assert resolved["result"]["mime_type"] == "audio/wav"
    response = await plain.get(resolved["result"]["url"])
    assert response.status == 200
    assert await response.read() == AUDIO
    [move] = ami_server.actions_named("VoicemailMove")
    assert (move["Mailbox"], move["Context"], move["ID"]) == ("101", "default", FIRST)
    assert (move["Folder"], move["ToFolder"]) == ("INBOX", "Old")
    assert mailboxes.find(ALICE, FIRST).folder == "Old"  # type: ignore[union-attr]
    # Played again (now from Old): served, not moved again.
    bearer = {"Authorization": f"Bearer {users['alice'][1]}"}
    response = await plain.get(f"{view}/{FIRST}", headers=bearer)
    assert response.status == 200
    assert await response.read() == AUDIO
    assert len(ami_server.actions_named("VoicemailMove")) == 1

    # Bad input: refused (404; HA's own filter answers 400 for a path that
    # climbs), nothing read or moved.
    admin = await hass_client()
    for path in (
        f"{view}/1-1",  # the PBX never listed it
        f"{view}/..%2F..%2Fetc%2Fpasswd",
        f"{view}/{FIRST}%00",
        f"/api/hotdesk_phone/voicemail/{entry_id}/{CAROL}/{FIRST}",  # no voicemail
        f"/api/hotdesk_phone/voicemail/nope/{ALICE}/{FIRST}",
    ):
        response = await admin.get(path)
        assert response.status in (400, 404), path
    assert len(ami_server.actions_named("VoicemailMove")) == 1
    # An administrator hears every account's messages.
    response = await admin.get(f"{view}/{SECOND}")
    assert response.status == 200
    # The spool not readable from HA: listed, but not playable.
    hass.config_entries.async_update_entry(mock_config_entry, options={})
    await hass.async_block_till_done()
    response = await admin.get(f"{view}/{SECOND}")
    assert response.status == 404
    assert (spool / "default" / "101" / "Old").is_dir()


# The actions.


async def test_actions_list_mark_read_and_delete_for_alice_only(
    hass: HomeAssistant,
    ami_server: AmiTestServer,
    pbx: FakeVoicemail,
    users: dict[str, tuple[User, str]],
    mock_config_entry: MockConfigEntry,
) -> None:
    pbx.leave("101", FIRST, '"Bob Caller" <5550100>', 3)
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    alice = Context(user_id=users["alice"][0].id)
    carol = Context(user_id=users["carol"][0].id)

    listed = await hass.services.async_call(
        DOMAIN,
        "voicemail",
        {"extension": "101"},
        blocking=True,
        return_response=True,
        context=alice,
    )
    assert listed is not None
    assert [m["message_id"] for m in listed["messages"]] == [FIRST]  # type: ignore[union-attr,index]

    message = {"extension": "101", "message_id": FIRST}
    for service in ("voicemail", "mark_voicemail_read", "delete_voicemail"):
        data = {"extension": "101"} if service == "voicemail" else message
        with pytest.raises(Unauthorized):
            await hass.services.async_call(
                DOMAIN,
                service,
                data,
                blocking=True,
                context=carol,
                return_response=service == "voicemail",
            )
    assert not ami_server.actions_named("VoicemailMove")
    assert not ami_server.actions_named("VoicemailRemove")

    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "delete_voicemail",
            {"extension": "101", "message_id": "../../x"},
            blocking=True,
            context=alice,
        )
    assert err.value.translation_key == "unknown_voicemail"
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "delete_voicemail",
            {"extension": "102", "message_id": FIRST},
            blocking=True,
        )
    assert err.value.translation_key == "voicemail_off"

    await hass.services.async_call(
        DOMAIN, "mark_voicemail_read", message, blocking=True, context=alice
    )
    assert ami_server.actions_named("VoicemailMove")[0]["ToFolder"] == "Old"
    await hass.services.async_call(
        DOMAIN, "delete_voicemail", message, blocking=True, context=alice
    )
    [remove] = ami_server.actions_named("VoicemailRemove")
    assert (remove["Folder"], remove["ID"]) == ("Old", FIRST)
    assert mailboxes_of(hass)[mock_config_entry.entry_id].messages[ALICE] == []


# The options step.


async def test_the_spool_folder_option_is_checked_and_kept(
    hass: HomeAssistant,
    tmp_path: Path,
    spool: Path,
    pbx: FakeVoicemail,
    init_integration: MockConfigEntry,
) -> None:
    entry = init_integration
    options = hass.config_entries.options

    async def voicemail_step(folder: str) -> dict[str, Any]:
        result = await options.async_init(entry.entry_id)
        result = await options.async_configure(
            result["flow_id"], {"next_step_id": "voicemail"}
        )
        assert result["step_id"] == "voicemail"
        return dict(
            await options.async_configure(
                result["flow_id"], {CONF_VOICEMAIL_FOLDER: folder}
            )
        )

    for bad in (
        "relative/voicemail",
        str(tmp_path / "missing"),
        f"{spool}/../voicemail",
    ):
        result = await voicemail_step(bad)
        assert result["errors"] == {CONF_VOICEMAIL_FOLDER: "voicemail_folder_invalid"}
    other = tmp_path / "mounted"
    other.mkdir()
    result = await voicemail_step(str(other))
    assert result["type"] == "create_entry"
    assert entry.options[CONF_VOICEMAIL_FOLDER] == str(other)
    assert mailboxes_of(hass)[entry.entry_id].spool == other
    # The login rules' step keeps it.
    result = await options.async_init(entry.entry_id)
    result = await options.async_configure(result["flow_id"], {"next_step_id": "rules"})
    result = await options.async_configure(result["flow_id"], {})
    assert entry.options[CONF_VOICEMAIL_FOLDER] == str(other)
    # Emptied: not playable.
    result = await voicemail_step("")
    assert CONF_VOICEMAIL_FOLDER not in entry.options
    assert mailboxes_of(hass)[entry.entry_id].spool is None


async def test_a_message_left_while_the_link_was_down_is_announced_after_it(
    hass: HomeAssistant,
    ami_server: AmiTestServer,
    pbx: FakeVoicemail,
    init_integration: MockConfigEntry,
) -> None:
    hub = hub_of(init_integration)
    hub.client.reconnect_min_delay = 0.05
    hub.client.reconnect_max_delay = 0.1
    events: list[dict[str, Any]] = []
    hass.bus.async_listen(EVENT_VOICEMAIL, lambda e: events.append(dict(e.data)))
    mailboxes = mailboxes_of(hass)[init_integration.entry_id]
    await wait_for(hass, lambda: ALICE in mailboxes.messages)
    assert events == []  # the first connect announces nothing
    ami_server.drop_connections()
    await wait_for(hass, lambda: not hub.connected)
    pbx.leave("101", FIRST, "<5550100>", 4)  # no MessageWaiting reaches HA
    await wait_for(hass, lambda: len(events) == 1)
    assert (events[0]["message_id"], events[0]["duration"]) == (FIRST, 4)


def test_a_csv_import_keeps_the_accounts_voicemail() -> None:
    alice = {
        "name": "Alice",
        "extension": "101",
        "home_desks": ["D1"],
        CONF_VOICEMAIL: True,
    }
    office = [
        Existing(
            "D1", "desk", "Desk 1", {"name": "Desk 1", "dial_string": "PJSIP/desk1"}
        ),
        Existing("A1", "account", "Alice (101)", alice),
    ]
    text = export_csv(office).replace(",Alice,101,", ",Alice Smith,101,")
    plan = plan_import(text, office, new_id=lambda: "NEW")
    [change] = [c for c in plan.update if c.subentry_id == "A1"]
    assert change.data["name"] == "Alice Smith"
    assert change.data[CONF_VOICEMAIL] is True


async def test_the_logbook_line_of_a_voicemail(
    hass: HomeAssistant, pbx: FakeVoicemail, init_integration: MockConfigEntry
) -> None:
    described: dict[str, Any] = {}
    async_describe_events(
        hass, lambda _domain, kind, describe: described.__setitem__(kind, describe)
    )
    line = described[EVENT_VOICEMAIL](
        Event(
            EVENT_VOICEMAIL,
            {
                "account_id": ALICE,
                "account": "Alice",
                "extension": "101",
                "caller_id_number": "5550100",
                "caller_id_name": "Bob Caller",
                "duration": 3,
            },
        )
    )
    assert line == {
        "name": "Alice",
        "message": "got a 3 s voicemail from Bob Caller (5550100)",
        "entity_id": "sensor.alice_voicemail",
    }


async def test_voicemail_turned_off_live_puts_the_lamps_out(
    hass: HomeAssistant,
    ami_server: AmiTestServer,
    pbx: FakeVoicemail,
    init_integration: MockConfigEntry,
) -> None:
    entry = init_integration
    hub = hub_of(entry)
    await hub.async_login(ALICE, D3)
    pbx.leave("101", FIRST, "<5550100>", 4)
    await _message_waiting(hass, ami_server, 1)
    lit = "Endpoint: desk3\r\nVariable: Event=message-summary\r\n"
    await wait_for(hass, lambda: "Voice-Message: 1/0 (0/0)" in _wire(ami_server))
    assert lit in _wire(ami_server)
    sent = len(_wire(ami_server))
    subentry = entry.subentries[ALICE]
    hass.config_entries.async_update_subentry(
        entry, subentry, data={**subentry.data, CONF_VOICEMAIL: False}
    )
    await wait_for(hass, lambda: "hotdesk/voicemail/101" not in ami_server.astdb)
    await wait_for(hass, lambda: "Messages-Waiting: no" in _wire(ami_server)[sent:])
    assert mailboxes_of(hass)[entry.entry_id].messages == {}


async def test_without_the_user_right_reading_and_deleting_are_refused(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    ami_server: AmiTestServer,
    pbx: FakeVoicemail,
    mock_config_entry: MockConfigEntry,
) -> None:
    def denied(*_args: Any) -> list[dict[str, str]]:
        return [{"Response": "Error", "Message": "Permission denied"}]

    ami_server.handlers["voicemailmove"] = denied
    ami_server.handlers["voicemailremove"] = denied
    pbx.leave("101", FIRST, "<5550100>", 4)
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    message = {"extension": "101", "message_id": FIRST}
    for service in ("mark_voicemail_read", "delete_voicemail"):
        with pytest.raises(HomeAssistantError) as err:
            await hass.services.async_call(DOMAIN, service, message, blocking=True)
        assert err.value.translation_key == "voicemail_refused"
        assert err.value.translation_placeholders == {"reason": "Permission denied"}
    # Playing still works; the message stays new.
    client = await hass_client()
    response = await client.get(
        f"/api/hotdesk_phone/voicemail/{mock_config_entry.entry_id}/{ALICE}/{FIRST}"
    )
    assert response.status == 200
    assert await response.read() == AUDIO
    assert mailboxes_of(hass)[mock_config_entry.entry_id].find(ALICE, FIRST).new  # type: ignore[union-attr]


# Asterisk 22's own words (tests/fixtures/voicemail/session.ami).

SESSION = Path(__file__).parent / "fixtures" / "voicemail" / "session.ami"


def _recorded() -> list[dict[str, str]]:
    """The recorded session's messages (headers; the first value of each)."""
    blocks = SESSION.read_bytes().decode().split("\r\n\r\n")
    return [parse_block(b.strip("\r\n")) for b in blocks[1:] if b.strip("\r\n")]


def _reply(action_id: str) -> list[dict[str, str]]:
    """What Asterisk answered to one action: its response and list events."""
    return [
        {k: v for k, v in m.items() if k != "ActionID"}
        for m in _recorded()
        if m.get("ActionID") == action_id
    ]


def test_asterisk_22s_summaries_and_events_parse() -> None:
    [inbox] = parse_box_summary(_reply("summary-1"))
    assert (inbox.folder, inbox.duration, inbox.new) == ("INBOX", 3, True)
    assert (inbox.caller_id_number, inbox.caller_id_name) == ("5550100", "Bob Caller")
    check_message_id(inbox.message_id)
    [old] = parse_box_summary(_reply("summary-2"))
    assert (old.message_id, old.folder, old.new) == (inbox.message_id, "Old", False)
    assert parse_box_summary(_reply("summary-3")) == []
    waiting = [
        parse_message_waiting(m)
        for m in _recorded()
        if m.get("Event") == "MessageWaiting"
    ]
    assert [(w.new, w.old) for w in waiting if w] == [(1, 0), (0, 1), (0, 0)]


async def test_asterisk_22s_replies_through_the_client(
    hass: HomeAssistant,
    ami_server: AmiTestServer,
    pbx: FakeVoicemail,
    init_integration: MockConfigEntry,
) -> None:
    """The recorded replies, served for the actions: what HA makes of them."""
    hub = hub_of(init_integration)
    mailboxes = mailboxes_of(hass)[init_integration.entry_id]
    events: list[dict[str, Any]] = []
    hass.bus.async_listen(EVENT_VOICEMAIL, lambda e: events.append(dict(e.data)))
    await wait_for(hass, lambda: ALICE in mailboxes.messages)
    replies = {"voicemailboxsummary": "summary-1", "voicemailremove": "remove"}

    def recorded(_server: Any, _session: Any, action: dict[str, str]) -> Any:
        return _reply(replies[action["Action"].lower()])

    for action in replies:
        ami_server.handlers[action] = recorded
    [waiting] = [m for m in _recorded() if m.get("Event") == "MessageWaiting"][:1]
    ami_server.push_event(waiting)
    await wait_for(hass, lambda: len(events) == 1)
    message_id = events[0]["message_id"]
    assert (events[0]["caller_id_name"], events[0]["duration"]) == ("Bob Caller", 3)
    account = hub.directory.accounts[ALICE]
    message = mailboxes.find(ALICE, message_id)
    assert message is not None
    # Removed once: fine. Again: Asterisk says "Success" but "remove failed".
    await mailboxes.async_delete(account, message)
    replies["voicemailremove"] = "remove-again"
    with pytest.raises(AmiActionError, match="Message remove failed"):
        await mailboxes.async_delete(account, message)


async def test_an_unknown_extension_or_a_lost_link_is_said_in_words(
    hass: HomeAssistant,
    ami_server: AmiTestServer,
    pbx: FakeVoicemail,
    mock_config_entry: MockConfigEntry,
) -> None:
    """Bad input is the caller's error; a PBX out of reach is said as such."""
    pbx.leave("101", FIRST, "<5550100>", 4)
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "voicemail",
            {"extension": "999"},
            blocking=True,
            return_response=True,
        )
    assert err.value.translation_key == "unknown_extension"
    assert err.value.translation_placeholders == {"extension": "999"}
    await ami_server.stop()
    await wait_connected(hub_of(mock_config_entry), connected=False)
    message = {"extension": "101", "message_id": FIRST}
    for service in ("mark_voicemail_read", "delete_voicemail"):
        with pytest.raises(HomeAssistantError) as err:
            await hass.services.async_call(DOMAIN, service, message, blocking=True)
        assert err.value.translation_key == "not_connected"
    assert not ami_server.actions_named("VoicemailMove")
    assert not ami_server.actions_named("VoicemailRemove")
