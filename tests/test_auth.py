"""Who may act, through Home Assistant's real auth and HTTP paths.

Each refused path is checked for its HTTP status and for its side effects:
AstDB unchanged, no Redirect reached the AMI server, no login stored. Each
test also shows that the same path works for someone who may act, so a
refusal cannot pass just because the path is broken.
"""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    CLIENT_ID,
    MockConfigEntry,
    async_capture_events,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from homeassistant.auth.models import User
from homeassistant.components.person import async_create_person
from homeassistant.components.tag import async_scan_tag
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import Unauthorized
from homeassistant.setup import async_setup_component

from custom_components.hotdesk_phone.const import (
    CONF_NOTIFY_TARGETS,
    CONF_PEOPLE,
    CONF_READER_USERS,
    CONF_READERS,
    DOMAIN,
)

from .ami_server import AmiTestServer, transcript_events
from .conftest import ALICE, CAROL, DESK_IDS, account_subentry, desk_subentry
from .helpers import BEFORE_REDIRECT, desk_device, hub_of, push, redirect_then
from .mobile_app import PushServer, register

D1, D2, D3, D4 = DESK_IDS
PC_2, PC_3 = "pc-desk-2", "pc-desk-3"
SCAN_URL = "/api/hotdesk_phone/scan"


async def _user_with_token(hass: HomeAssistant, name: str) -> tuple[User, str]:
    """A non-admin HA user (as every employee with the app is) and a token.

    Needs an owner to exist already: HA makes its first user the owner.
    """
    user = await hass.auth.async_create_user(name, group_ids=["system-users"])
    assert not user.is_admin
    refresh = await hass.auth.async_create_refresh_token(user, CLIENT_ID)
    return user, hass.auth.async_create_access_token(refresh)


@pytest.fixture
async def alice(hass: HomeAssistant, hass_owner_user: User) -> tuple[User, str]:
    """Alice's HA user: the person of account 101."""
    return await _user_with_token(hass, "Alice")


@pytest.fixture
async def mallory(hass: HomeAssistant, hass_owner_user: User) -> tuple[User, str]:
    """A colleague with the app, a person of no account here."""
    return await _user_with_token(hass, "Mallory")


@pytest.fixture
async def subentries(
    hass: HomeAssistant, alice: tuple[User, str], mallory: tuple[User, str]
) -> list[dict[str, Any]]:
    """101 names person.alice, 102 person.carol (no HA user); scanners per desk."""
    # Everything that serves HTTP must be up before the test client starts.
    for component in ("api", "mobile_app", "notify", "person"):
        assert await async_setup_component(hass, component, {})
    # Persons as the UI makes them; Carol's person has no HA user.
    await async_create_person(hass, "Alice", user_id=alice[0].id)
    await async_create_person(hass, "Carol")
    await async_create_person(hass, "Mallory", user_id=mallory[0].id)
    await hass.async_block_till_done()
    assert hass.states.get("person.alice").attributes["user_id"] == alice[0].id
    alice_account = account_subentry(
        ALICE, "Alice", "101", [1, 2], ["tag-alice", "04:A2:3B:C1"]
    )
    alice_account["data"][CONF_PEOPLE] = ["person.alice"]
    carol_account = account_subentry(CAROL, "Carol", "102", [1, 4], ["tag-carol"])
    carol_account["data"][CONF_PEOPLE] = ["person.carol"]
    alice_account["data"][CONF_NOTIFY_TARGETS] = ["mobile_app_alice_phone"]
    desks = [desk_subentry(i, [f"scanner-{i}"]) for i in range(1, 5)]
    # Desk 3's bridge posts with Alice's token.
    desks[2]["data"] |= {CONF_READERS: [PC_3], CONF_READER_USERS: [alice[0].id]}
    # Desk 2's bridge posts with Mallory's token.
    desks[1]["data"] |= {CONF_READERS: [PC_2], CONF_READER_USERS: [mallory[0].id]}
    return [*desks, alice_account, carol_account]


def _routes(server: AmiTestServer) -> dict[str, str]:
    return {k: v for k, v in server.astdb.items() if k.startswith("hotdesk/")}


async def _post_service(
    hass_client: ClientSessionGenerator, token: str, service: str, data: Any
) -> int:
    client = await hass_client(token)
    response = await client.post(f"/api/services/{DOMAIN}/{service}", json=data)
    return response.status


async def test_read_only_and_stranger_tokens_are_refused(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    ami_server: AmiTestServer,
    hass_client: ClientSessionGenerator,
    hass_read_only_access_token: str,
    mallory: tuple[User, str],
) -> None:
    """login / claim_call / logout over REST: 401, and nothing changes."""
    hub = hub_of(init_integration)
    desk3 = desk_device(hass, init_integration, D3)
    # Carol is logged in at desk 4 (by an automation: no user).
    await hass.services.async_call(
        DOMAIN,
        "login",
        {"extension": "102", "desk": desk_device(hass, init_integration, D4)},
        blocking=True,
    )
    ami_server.handlers["redirect"] = redirect_then([])
    await push(hass, init_integration, ami_server, BEFORE_REDIRECT)
    before = _routes(ami_server)
    logins = async_capture_events(hass, "hotdesk_phone_login")
    logouts = async_capture_events(hass, "hotdesk_phone_logout")
    for token in (hass_read_only_access_token, mallory[1]):
        calls = [
            ("login", {"extension": "101", "desk": desk3}),
            ("claim_call", {"extension": "101", "desk": desk3}),
            ("logout", {"desk": desk_device(hass, init_integration, D4)}),
        ]
        for service, data in calls:
            status = await _post_service(hass_client, token, service, data)
            assert status == HTTPStatus.UNAUTHORIZED, service
    await hass.async_block_till_done()
    assert _routes(ami_server) == before
    assert ami_server.actions_named("Redirect") == []
    assert hub.logins == {D4: CAROL}
    assert logins == logouts == []


async def test_the_accounts_own_person_may_act(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    ami_server: AmiTestServer,
    hass_client: ClientSessionGenerator,
    alice: tuple[User, str],
) -> None:
    """Alice's user logs in, claims her call and logs out, all over REST."""
    hub = hub_of(init_integration)
    desk3 = desk_device(hass, init_integration, D3)
    logins = async_capture_events(hass, "hotdesk_phone_login")
    claims = async_capture_events(hass, "hotdesk_phone_call_claimed")
    assert (
        await _post_service(
            hass_client, alice[1], "login", {"extension": "101", "desk": desk3}
        )
        == HTTPStatus.OK
    )
    assert ami_server.astdb[f"hotdesk/login/{D3}"] == "101"
    assert logins[0].data["user_id"] == alice[0].id
    assert logins[0].context.user_id == alice[0].id
    assert (
        await _post_service(hass_client, alice[1], "logout", {"desk": desk3})
        == HTTPStatus.OK
    )
    assert D3 not in hub.logins
    ami_server.handlers["redirect"] = redirect_then([])
    await push(hass, init_integration, ami_server, BEFORE_REDIRECT)
    assert (
        await _post_service(
            hass_client, alice[1], "claim_call", {"extension": "101", "desk": desk3}
        )
        == HTTPStatus.OK
    )
    await hass.async_block_till_done()
    assert len(ami_server.actions_named("Redirect")) == 1
    assert claims[0].data["via"] == "action"
    assert claims[0].data["user_id"] == alice[0].id
    # Her account is hers only: Carol's extension stays out of reach.
    assert (
        await _post_service(
            hass_client, alice[1], "login", {"extension": "102", "desk": desk3}
        )
        == HTTPStatus.UNAUTHORIZED
    )


async def test_a_person_cannot_end_someone_elses_login(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    ami_server: AmiTestServer,
    alice: tuple[User, str],
) -> None:
    """Logging in where Carol is logged in would log her out: refused."""
    desk4 = desk_device(hass, init_integration, D4)
    await hass.services.async_call(
        DOMAIN, "login", {"extension": "102", "desk": desk4}, blocking=True
    )
    as_alice = Context(user_id=alice[0].id)
    for service, data in (
        ("login", {"extension": "101", "desk": desk4}),
        ("logout", {"desk": desk4}),
    ):
        with pytest.raises(Unauthorized):
            await hass.services.async_call(
                DOMAIN, service, data, blocking=True, context=as_alice
            )
    assert ami_server.astdb[f"hotdesk/login/{D4}"] == "102"
    # An automation may (no user in its context).
    await hass.services.async_call(
        DOMAIN, "logout", {"desk": desk4}, blocking=True, context=Context()
    )
    assert f"hotdesk/login/{D4}" not in ami_server.astdb


async def test_a_person_cannot_ring_or_claim_to_someone_elses_desk(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    ami_server: AmiTestServer,
    alice: tuple[User, str],
) -> None:
    """Carol is logged in at desk 4: Alice may not ring it for her own calls.

    A call back from there would ring Carol's phone and dial out under
    Alice's number; a claim would move Alice's caller onto Carol's desk.
    """
    desk4 = desk_device(hass, init_integration, D4)
    await hass.services.async_call(
        DOMAIN, "login", {"extension": "102", "desk": desk4}, blocking=True
    )
    ami_server.handlers["redirect"] = redirect_then([])
    await push(hass, init_integration, ami_server, BEFORE_REDIRECT)
    as_alice = Context(user_id=alice[0].id)
    for service, data in (
        ("call", {"extension": "101", "number": "5550199", "desk": desk4}),
        ("claim_call", {"extension": "101", "desk": desk4}),
    ):
        with pytest.raises(Unauthorized):
            await hass.services.async_call(
                DOMAIN,
                service,
                data,
                blocking=True,
                return_response=True,
                context=as_alice,
            )
    assert ami_server.actions_named("Originate") == []
    assert ami_server.actions_named("Redirect") == []
    # At her own home desk both are hers to do.
    desk1 = desk_device(hass, init_integration, D1)
    reply = await hass.services.async_call(
        DOMAIN,
        "claim_call",
        {"extension": "101", "desk": desk1},
        blocking=True,
        return_response=True,
        context=as_alice,
    )
    assert reply is not None
    assert reply["desk_id"] == D1
    assert len(ami_server.actions_named("Redirect")) == 1


async def test_admin_acts_for_everyone(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    ami_server: AmiTestServer,
    hass_client: ClientSessionGenerator,
    hass_access_token: str,
) -> None:
    desk2 = desk_device(hass, init_integration, D2)
    assert (
        await _post_service(
            hass_client, hass_access_token, "login", {"extension": "102", "desk": desk2}
        )
        == HTTPStatus.OK
    )
    assert ami_server.astdb[f"hotdesk/login/{D2}"] == "102"


async def test_unknown_user_is_refused(
    hass: HomeAssistant, init_integration: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    with pytest.raises(Unauthorized):
        await hass.services.async_call(
            DOMAIN,
            "login",
            {"extension": "101", "desk": desk_device(hass, init_integration, D3)},
            blocking=True,
            context=Context(user_id="no-such-user"),
        )
    assert f"hotdesk/login/{D3}" not in ami_server.astdb


async def test_remote_tag_scanned_is_not_a_scan(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    ami_server: AmiTestServer,
    hass_client: ClientSessionGenerator,
    hass_access_token: str,
    mallory: tuple[User, str],
) -> None:
    """Forged tag_scanned (events API, companion app webhook): ignored.

    HA's tag component scanning the same tag at the same scanner logs in,
    so the forged ones could have.
    """
    client = await hass_client(mallory[1])
    response = await client.post(
        "/api/mobile_app/registrations",
        json={
            "app_id": "io.homeassistant.companion.android",
            "app_name": "Home Assistant",
            "app_version": "2025.4.0",
            "device_name": "Mallory Phone",
            "manufacturer": "Google",
            "model": "Pixel 8",
            "os_name": "Android",
            "os_version": "14",
            "supports_encryption": False,
        },
    )
    assert response.status == HTTPStatus.CREATED
    webhook_id = (await response.json())["webhook_id"]
    # Each forgery names its own desk, so one cannot undo another's login.
    response = await client.post(
        f"/api/webhook/{webhook_id}",
        json={
            "type": "fire_event",
            "data": {
                "event_type": "tag_scanned",
                "event_data": {"tag_id": "tag-alice", "device_id": "scanner-3"},
            },
        },
    )
    assert response.status == HTTPStatus.OK
    admin = await hass_client(hass_access_token)
    response = await admin.post(
        "/api/events/tag_scanned",
        json={"tag_id": "tag-carol", "device_id": "scanner-2"},
    )
    assert response.status == HTTPStatus.OK
    await hass.async_block_till_done()
    assert f"hotdesk/login/{D3}" not in ami_server.astdb
    assert f"hotdesk/login/{D2}" not in ami_server.astdb
    assert hub_of(init_integration).logins == {}
    # The tag component's own scan of the same tag at the same scanner counts.
    await async_scan_tag(hass, "tag-alice", "scanner-3")
    await hass.async_block_till_done()
    assert ami_server.astdb[f"hotdesk/login/{D3}"] == "101"


async def test_malformed_tag_scanned_is_ignored(
    hass: HomeAssistant, init_integration: MockConfigEntry, ami_server: AmiTestServer
) -> None:
    """A device_id or tag_id that is not a string must not raise."""
    unknown = async_capture_events(hass, "hotdesk_phone_unknown_tag")
    for data in (
        {"tag_id": "tag-alice", "device_id": ["scanner-3"]},
        {"tag_id": 42, "device_id": "scanner-3"},
        {"tag_id": "tag-alice", "device_id": {"x": 1}},
    ):
        hass.bus.async_fire("tag_scanned", data)
    await hass.async_block_till_done()
    assert hub_of(init_integration).logins == {}
    assert unknown == []
    hass.bus.async_fire(
        "tag_scanned", {"tag_id": "tag-alice", "device_id": "scanner-3"}
    )
    await hass.async_block_till_done()
    assert hub_of(init_integration).logins == {D3: ALICE}


async def _tap(client: Any, webhook_id: str, action: str) -> None:
    response = await client.post(
        f"/api/webhook/{webhook_id}",
        json={
            "type": "fire_event",
            "data": {
                "event_type": "mobile_app_notification_action",
                "event_data": {"action": action},
            },
        },
    )
    assert response.status == HTTPStatus.OK


@dataclass
class Apps:
    """Alice's and Mallory's companion apps: (HTTP client, webhook id) each."""

    alice: tuple[Any, str]
    mallory: tuple[Any, str]


@pytest.fixture
async def apps(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    hass_client: ClientSessionGenerator,
    push_server: PushServer,
    alice: tuple[User, str],
    mallory: tuple[User, str],
) -> Apps:
    """Both apps registered, then the entry set up (Alice's is its notify target).

    The apps register first (the entry's pushes need their notify targets),
    after every HTTP view is in place.
    """
    assert await async_setup_component(hass, DOMAIN, {})
    registered = {}
    for person, name in ((alice, "Alice Phone"), (mallory, "Mallory Phone")):
        client = await hass_client(person[1])
        registered[name] = (
            client,
            await register(client, name, "Pixel 8", push_server.url),
        )
    await hass.async_block_till_done()
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    return Apps(registered["Alice Phone"], registered["Mallory Phone"])


async def test_push_buttons_act_only_for_recipients(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    ami_server: AmiTestServer,
    push_server: PushServer,
    apps: Apps,
    alice: tuple[User, str],
    mallory: tuple[User, str],
) -> None:
    """Only the apps the push went to may tap it, and only its own desks."""
    alice_client, alice_app = apps.alice
    mallory_client, mallory_app = apps.mallory
    refused = async_capture_events(hass, "hotdesk_phone_claim_refused")
    ami_server.handlers["redirect"] = redirect_then([])
    await push(hass, mock_config_entry, ami_server, BEFORE_REDIRECT)
    (pushed,) = await push_server.wait(1)
    buttons = [a["action"] for a in pushed["data"]["actions"]]
    ring_desk1, ring_desk2, decline = buttons
    call_id = hub_of(mock_config_entry).tracker.call_for_account(ALICE).call_id
    # Mallory's app: every button of Alice's push, and a desk of her choosing.
    for action in (ring_desk1, decline, f"HOTDESK_CLAIM:{call_id}:{D3}"):
        await _tap(mallory_client, mallory_app, action)
    # Alice's own app, but a desk that was not on the push's buttons.
    await _tap(alice_client, alice_app, f"HOTDESK_CLAIM:{call_id}:{D3}")
    await hass.async_block_till_done()
    assert ami_server.actions_named("Redirect") == []
    assert [(e.data["reason"], e.data["user_id"]) for e in refused] == [
        ("not_a_recipient", mallory[0].id),
        ("not_a_recipient", mallory[0].id),
        ("not_a_recipient", mallory[0].id),
        ("desk_not_offered", alice[0].id),
    ]
    # Alice taps "Ring Desk 2": the call moves there.
    await _tap(alice_client, alice_app, ring_desk2)
    await hass.async_block_till_done()
    (redirect,) = ami_server.actions_named("Redirect")
    assert redirect["Exten"] == D2


async def test_an_app_renamed_to_someone_elses_target_gets_nothing(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    ami_server: AmiTestServer,
    push_server: PushServer,
    apps: Apps,
    mallory: tuple[User, str],
) -> None:
    """Mallory names her app "Alice Phone": its notify target is Alice's too.

    Home Assistant then pushes to one of the two apps, not necessarily
    Alice's: no push goes out to that target, and nobody's taps count.
    """
    mallory_client, mallory_app = apps.mallory
    response = await mallory_client.post(
        f"/api/webhook/{mallory_app}",
        json={
            "type": "update_registration",
            "data": {
                "app_version": "2025.4.0",
                "device_name": "alice phone",
                "manufacturer": "Google",
                "model": "Pixel 8",
            },
        },
    )
    assert response.status == HTTPStatus.OK
    await hass.async_block_till_done()
    refused = async_capture_events(hass, "hotdesk_phone_claim_refused")
    ami_server.handlers["redirect"] = redirect_then([])
    await push(hass, mock_config_entry, ami_server, BEFORE_REDIRECT)
    await hass.async_block_till_done()
    assert push_server.pushes == []
    call_id = hub_of(mock_config_entry).tracker.call_for_account(ALICE).call_id
    await _tap(mallory_client, mallory_app, f"HOTDESK_DECLINE:{call_id}")
    await hass.async_block_till_done()
    assert ami_server.actions_named("Redirect") == []
    assert [(e.data["reason"], e.data["user_id"]) for e in refused] == [
        ("not_a_recipient", mallory[0].id)
    ]


async def test_bridge_speaks_only_for_its_own_readers(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    ami_server: AmiTestServer,
    hass_client: ClientSessionGenerator,
    hass_access_token: str,
    alice: tuple[User, str],
    mallory: tuple[User, str],
) -> None:
    """403 for a token not bound to the reader, the same for no such reader.

    Mallory's token is bound to desk 2's reader, not to desk 3's.
    """
    scans = async_capture_events(hass, "tag_scanned")
    mallory_client = await hass_client(mallory[1])
    before = _routes(ami_server)
    puts = len(ami_server.actions_named("DBPut"))
    answers = []
    for reader in (PC_3, "pc-no-such-reader"):
        response = await mallory_client.post(
            SCAN_URL, json={"reader": reader, "uid": "04A23BC1"}
        )
        assert response.status == HTTPStatus.FORBIDDEN, reader
        answers.append((await response.json())["message"].replace(reader, "R"))
    assert len(set(answers)) == 1  # nothing tells which readers exist
    await hass.async_block_till_done()
    assert scans == []
    assert hub_of(init_integration).logins == {}
    assert _routes(ami_server) == before
    assert len(ami_server.actions_named("DBPut")) == puts
    # Alice's token is the one desk 3's bridge uses; the scan is hers.
    logins = async_capture_events(hass, "hotdesk_phone_login")
    alice_client = await hass_client(alice[1])
    response = await alice_client.post(
        SCAN_URL, json={"reader": PC_3, "uid": "04A23BC1"}
    )
    assert response.status == HTTPStatus.OK
    await hass.async_block_till_done()
    assert ami_server.astdb[f"hotdesk/login/{D3}"] == "101"
    assert logins[0].data["user_id"] == alice[0].id
    assert scans[0].context.user_id == alice[0].id
    # Mallory's own reader takes her posts (a card presented at desk 2).
    response = await mallory_client.post(
        SCAN_URL, json={"reader": PC_2, "uid": "tag-carol"}
    )
    assert response.status == HTTPStatus.OK
    await hass.async_block_till_done()
    assert ami_server.astdb[f"hotdesk/login/{D2}"] == "102"
    # An administrator's token posts for any reader, and learns which exist.
    admin = await hass_client(hass_access_token)
    response = await admin.post(SCAN_URL, json={"reader": PC_2, "uid": "04A23BC1"})
    assert response.status == HTTPStatus.OK
    response = await admin.post(SCAN_URL, json={"reader": "pc-none", "uid": "01"})
    assert response.status == HTTPStatus.NOT_FOUND


async def test_bridge_retries_and_unknown_cards(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    ami_server: AmiTestServer,
    hass_client: ClientSessionGenerator,
    alice: tuple[User, str],
    freezer: FrozenDateTimeFactory,
) -> None:
    """A re-posted scan id is applied once; unknown cards leave no HA tags."""
    logins = async_capture_events(hass, "hotdesk_phone_login")
    logouts = async_capture_events(hass, "hotdesk_phone_logout")
    unknown = async_capture_events(hass, "hotdesk_phone_unknown_tag")
    client = await hass_client(alice[1])
    tap = {"reader": PC_3, "uid": "04A23BC1", "scan_id": "tap-1"}
    for _ in range(3):  # the bridge retries a post whose answer was lost
        freezer.tick(5)  # later than the double-tap window: only the id matches
        response = await client.post(SCAN_URL, json=tap)
        assert response.status == HTTPStatus.OK
        await hass.async_block_till_done()
    assert len(logins) == 1
    assert logouts == []
    # A new tap (new id) of the same card logs out, as a second tap should.
    freezer.tick(5)
    response = await client.post(SCAN_URL, json={**tap, "scan_id": "tap-2"})
    await hass.async_block_till_done()
    assert len(logouts) == 1
    # 50 cards nobody knows: unknown_tag events, but no HA tag for any.
    tags_before = len(hass.data["tag"].data) if "tag" in hass.data else 0
    for number in range(50):
        freezer.tick(0.1)
        response = await client.post(
            SCAN_URL, json={"reader": PC_3, "uid": f"AB{number:04X}"}
        )
        assert response.status == HTTPStatus.OK
    await hass.async_block_till_done()
    assert len(unknown) == 50
    assert unknown[0].data["desk_id"] == D3
    tags_after = len(hass.data["tag"].data) if "tag" in hass.data else 0
    assert tags_after == tags_before
    response = await client.post(
        SCAN_URL, json={**tap, "scan_id": "bad id with spaces"}
    )
    assert response.status == HTTPStatus.BAD_REQUEST


async def test_scan_flood_is_one_tap(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    ami_server: AmiTestServer,
    hass_client: ClientSessionGenerator,
    alice: tuple[User, str],
    freezer: FrozenDateTimeFactory,
) -> None:
    """300 posts of one card within the window: one login, one AstDB write set.

    Before the window existed they toggled: 150 logins and 150 logouts.
    """
    logins = async_capture_events(hass, "hotdesk_phone_login")
    logouts = async_capture_events(hass, "hotdesk_phone_logout")
    client = await hass_client(alice[1])
    puts_before = len(ami_server.actions_named("DBPut"))
    for _ in range(300):
        freezer.tick(0.004)  # 300 taps in 1.2 s: inside the 1.5 s window
        response = await client.post(SCAN_URL, json={"reader": PC_3, "uid": "04A23BC1"})
        assert response.status == HTTPStatus.OK
    await hass.async_block_till_done()
    assert len(logins) == 1
    assert logouts == []
    # The login's own writes: the route and the login key.
    assert len(ami_server.actions_named("DBPut")) - puts_before == 2


async def test_call_back_button_only_for_recipients(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    ami_server: AmiTestServer,
    push_server: PushServer,
    apps: Apps,
) -> None:
    """A missed call's Call back: Mallory's tap dials nothing, Alice's does."""
    alice_client, alice_app = apps.alice
    mallory_client, mallory_app = apps.mallory
    await push(
        hass, mock_config_entry, ami_server, transcript_events("call_missed.ami")
    )
    pushes = await push_server.wait(2)
    (button,) = pushes[-1]["data"]["actions"]
    await _tap(mallory_client, mallory_app, button["action"])
    await hass.async_block_till_done()
    assert ami_server.actions_named("Originate") == []
    await _tap(alice_client, alice_app, button["action"])
    await hass.async_block_till_done()
    (originate,) = ami_server.actions_named("Originate")
    assert originate["Exten"] == "5550100"
