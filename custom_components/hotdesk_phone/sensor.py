"""Sensors: active calls, desk call state and login, account call, caller, missed."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from homeassistant.components.sensor import (
    RestoreSensor,
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.config_entries import ConfigSubentry
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import SUBENTRY_ACCOUNT, SUBENTRY_DESK
from .emergency_alerts import desk_location
from .entity import HotdeskEntity
from .events import CallEvent
from .hub import HotdeskHub
from .mailboxes import Mailboxes, mailboxes_of, messages_data
from .models import HotdeskConfigEntry
from .tracker import AccountState, CallPhase, DeskState, NoticeKind

PARALLEL_UPDATES = 0

# Fixed states of free-text sensors. The state stays a stable key for
# automations; the frontend shows it translated (entity.sensor.<key>.state),
# which it does for any sensor with a translation key, not only enums.
# ``None`` would read "Unknown", which says the integration does not know.
NOBODY = "nobody"
NO_CALL = "no_call"
WITHHELD = "withheld"
NOT_SET = "not_set"


@dataclass(frozen=True, kw_only=True)
class HotdeskSensorDescription(SensorEntityDescription):
    """A sensor whose value comes from the hub for one owner (id)."""

    value_fn: Callable[[HotdeskHub, str], str | int | None]
    attrs_fn: Callable[[HotdeskHub, str], Mapping[str, Any] | None] = lambda _h, _o: (
        None
    )


def _account_state(hub: HotdeskHub, account_id: str) -> AccountState:
    call = hub.tracker.call_for_account(account_id)
    if call is None or call.dnd:  # on do not disturb no desk rings
        return AccountState.IDLE
    if call.phase is CallPhase.RINGING:
        return AccountState.RINGING
    return AccountState.IN_CALL


def _desk_names(hub: HotdeskHub, desk_ids: list[str]) -> list[str]:
    desks = hub.directory.desks
    return [desks[d].name for d in desk_ids if d in desks]


def _account_attrs(hub: HotdeskHub, account_id: str) -> Mapping[str, Any]:
    call = hub.tracker.call_for_account(account_id)
    ringing = call.ringing_desks if call else []
    account = hub.directory.accounts[account_id]
    return {
        "extension": account.extension,
        # The account's people (person entities): whom the board offers it to.
        "people": list(account.people),
        # Where a call to the account rings now: home desks, then logins.
        "home_desks": _desk_names(hub, list(account.home_desks)),
        "logged_in_at": _desk_names(hub, hub.logins.desks_of(account_id)),
        "call_id": call.call_id if call else None,
        "ringing_desk_ids": ringing,
        "ringing_desks": [hub.directory.desks[d].name for d in ringing],
        "answered_desk": (
            hub.directory.desks[call.answered_desk].name
            if call and call.answered_desk
            else None
        ),
        "claimed_desk": (
            hub.directory.desks[call.claimed_desk].name
            if call and call.claimed_desk
            else None
        ),
        # Who calls: here, so the Caller sensor can stay off (see CALLER).
        "caller_id_number": call.caller_id_number if call else None,
        "caller_id_name": call.caller_id_name if call else None,
    }


def _caller(hub: HotdeskHub, account_id: str) -> str:
    call = hub.tracker.call_for_account(account_id)
    if call is None:
        return NO_CALL
    if call.caller_id_name and call.caller_id_number:
        return f"{call.caller_id_name} <{call.caller_id_number}>"
    return call.caller_id_name or call.caller_id_number or WITHHELD


def _caller_attrs(hub: HotdeskHub, account_id: str) -> Mapping[str, Any]:
    call = hub.tracker.call_for_account(account_id)
    return {
        "caller_id_number": call.caller_id_number if call else None,
        "caller_id_name": call.caller_id_name if call else None,
    }


def _logged_in(hub: HotdeskHub, desk_id: str) -> str:
    present = hub.occupant(desk_id)
    return present.account.name if present else NOBODY


# A state holds at most 255 characters; the attributes have every field.
MAX_STATE_LENGTH = 255


def _emergency_location(hub: HotdeskHub, desk_id: str) -> str:
    return desk_location(hub, desk_id)[1].text()[:MAX_STATE_LENGTH] or NOT_SET


def _emergency_attrs(hub: HotdeskHub, desk_id: str) -> Mapping[str, Any]:
    elin, address = desk_location(hub, desk_id)
    return {"elin": elin or None, **{k: v or None for k, v in asdict(address).items()}}


def _login_attrs(hub: HotdeskHub, desk_id: str) -> Mapping[str, Any]:
    present = hub.occupant(desk_id)
    since = present.since if present else None
    return {
        "account_id": present.account.account_id if present else None,
        "extension": present.account.extension if present else None,
        "since": since.isoformat() if since else None,
        # The linked site whose account it is (None: this PBX's own).
        "site": (
            present.hub.entry.title if present and present.hub is not hub else None
        ),
        **_booking_attrs(hub, desk_id),
    }


def _booking_attrs(hub: HotdeskHub, desk_id: str) -> Mapping[str, Any]:
    """The desk's booking on now (else its next one today) and its calendar.

    The board shows the booking and offers "Book this desk" for the calendar.
    """
    bookings = hub.entry.runtime_data.bookings
    booking = bookings.shown(desk_id)
    account = hub.directory.accounts.get(booking.account_id) if booking else None
    return {
        "booked_by": account.name if account else None,
        "booked_account_id": account.account_id if account else None,
        "booked_extension": account.extension if account else None,
        "booked_from": booking.start.isoformat() if booking and account else None,
        "booked_until": booking.end.isoformat() if booking and account else None,
        "booking_calendar": bookings.booking_calendar(desk_id),
    }


HUB_SENSORS = (
    HotdeskSensorDescription(
        key="active_calls",
        translation_key="active_calls",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda hub, _: len(hub.tracker.calls),
    ),
)

DESK_SENSORS: tuple[HotdeskSensorDescription, ...] = (
    HotdeskSensorDescription(
        key="desk_call_state",
        translation_key="desk_call_state",
        device_class=SensorDeviceClass.ENUM,
        options=[state.value for state in DeskState],
        value_fn=lambda hub, desk_id: hub.tracker.desk_states.get(desk_id),
    ),
    HotdeskSensorDescription(
        key="logged_in_account",
        translation_key="logged_in_account",
        value_fn=_logged_in,
        attrs_fn=_login_attrs,
    ),
    # Where an emergency call from this desk says it is, and its callback
    # number: the admin checks them here.
    HotdeskSensorDescription(
        key="emergency_location",
        translation_key="emergency_location",
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=_emergency_location,
        attrs_fn=_emergency_attrs,
    ),
)

ACCOUNT_SENSORS: tuple[HotdeskSensorDescription, ...] = (
    HotdeskSensorDescription(
        key="account_call_state",
        translation_key="account_call_state",
        device_class=SensorDeviceClass.ENUM,
        options=[state.value for state in AccountState],
        value_fn=_account_state,
        attrs_fn=_account_attrs,
    ),
    HotdeskSensorDescription(
        key="caller",
        translation_key="caller",
        value_fn=_caller,
        attrs_fn=_caller_attrs,
        # Off unless a user turns it on: the call state's attributes carry
        # the caller, and the logbook tells each call. An office of 10,000
        # accounts would otherwise pay 10,000 more entities (state writes,
        # memory, setup time) for a duplicate of those (bench/scale.py).
        entity_registry_enabled_default=False,
    ),
)

# New voicemail messages; only accounts with voicemail on have it.
VOICEMAIL = SensorEntityDescription(
    key="voicemail",
    translation_key="voicemail",
    state_class=SensorStateClass.MEASUREMENT,
)

MISSED_CALLS = SensorEntityDescription(
    key="missed_calls",
    translation_key="missed_calls",
    # Never goes down, so statistics and utility_meter (e.g. missed calls
    # per day) work on it; and the logbook leaves it out (each missed call
    # has its own logbook line).
    state_class=SensorStateClass.TOTAL_INCREASING,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: HotdeskConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add sensors for the PBX and for each desk and account subentry."""
    hub = entry.runtime_data.hub
    async_add_entities(HotdeskSensor(hub, d) for d in HUB_SENSORS)
    # Desks and accounts, now and as they are added (live changes).
    await entry.runtime_data.live.async_add_platform(
        _subentry_sensors, async_add_entities
    )


def _subentry_sensors(hub: HotdeskHub, subentry: ConfigSubentry) -> list[Entity]:
    subentry_id = subentry.subentry_id
    if subentry.subentry_type == SUBENTRY_DESK:
        descriptions = DESK_SENSORS
    elif (
        subentry.subentry_type == SUBENTRY_ACCOUNT
        and subentry_id in hub.directory.accounts
    ):
        descriptions = ACCOUNT_SENSORS
    else:
        return []
    sensors: list[Entity] = [HotdeskSensor(hub, d, subentry_id) for d in descriptions]
    if descriptions is ACCOUNT_SENSORS:
        sensors.append(MissedCallsSensor(hub, MISSED_CALLS, subentry_id))
        if hub.directory.accounts[subentry_id].voicemail:
            sensors.append(VoicemailSensor(hub, VOICEMAIL, subentry_id))
    return sensors


class HotdeskSensor(HotdeskEntity, SensorEntity):
    """A sensor described by a ``HotdeskSensorDescription``."""

    entity_description: HotdeskSensorDescription

    @property
    def _owner(self) -> str:
        return self.subentry_id or self.hub.entry.entry_id

    @property
    def native_value(self) -> str | int | None:
        """The current value."""
        return self.entity_description.value_fn(self.hub, self._owner)

    @property
    def extra_state_attributes(self) -> Mapping[str, Any] | None:
        """Details (where it rings, since when logged in)."""
        return self.entity_description.attrs_fn(self.hub, self._owner)


class MissedCallsSensor(HotdeskEntity, RestoreSensor):
    """How many calls to the account were missed (the caller gave up).

    The count is the entity's own state, restored after a restart (HA's
    restore state), so it needs no store of ours; a declined call is not
    missed.
    """

    _attr_native_value: int = 0

    async def async_added_to_hass(self) -> None:
        """Restore the count and follow the account's missed calls."""
        await super().async_added_to_hass()
        last = await self.async_get_last_sensor_data()
        if last is not None and isinstance(last.native_value, int | float):
            self._attr_native_value = int(last.native_value)
        self.async_on_remove(
            self.hub.async_add_call_listener(self._on_call_event, self.subentry_id)
        )

    @callback
    def _on_call_event(self, event: CallEvent) -> None:
        if event.kind is NoticeKind.MISSED:
            self._attr_native_value += 1
            self.async_write_ha_state()


class VoicemailSensor(HotdeskEntity, SensorEntity):
    """New messages in the account's mailbox; the attributes list them all."""

    @property
    def _mailboxes(self) -> Mailboxes | None:
        return mailboxes_of(self.hass).get(self.hub.entry.entry_id)

    @property
    def native_value(self) -> int | None:
        """New (unheard) messages; None before the PBX was asked."""
        mailboxes = self._mailboxes
        if mailboxes is None or self.subentry_id not in mailboxes.messages:
            return None
        return mailboxes.counts(self.subentry_id)[0]

    @property
    def extra_state_attributes(self) -> Mapping[str, Any] | None:
        """Old messages, and every message (newest first)."""
        mailboxes = self._mailboxes
        if mailboxes is None or self.subentry_id is None:
            return None
        messages = mailboxes.messages.get(self.subentry_id, [])
        return {
            "old_messages": mailboxes.counts(self.subentry_id)[1],
            "messages": messages_data(
                self.hub.entry.entry_id, self.subentry_id, messages
            ),
        }

    async def async_added_to_hass(self) -> None:
        """Follow the account's mailbox too."""
        await super().async_added_to_hass()
        mailboxes = self._mailboxes
        if mailboxes is not None and self.subentry_id is not None:
            update = self.async_write_ha_state
            self.async_on_remove(mailboxes.async_add_listener(self.subentry_id, update))
