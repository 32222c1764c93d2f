"""Emergency calls: each desk's dispatchable location and callback number.

Pure Python: no Home Assistant imports. An emergency call belongs to the
desk, never to the person logged in there: the PBX sends the desk's
emergency callback number (ELIN) and its civic address (a PIDF-LO through
``res_geolocation``) from the AstDB keys built here, so it works with Home
Assistant down. Here too: the checks of what an admin types, and the
emergency calls seen in the AMI event stream.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
import re
from typing import Final

from .directory import DirectoryError, device_of_channel, validate_dial_template
from .location import (
    ADDRESS_FIELDS,
    MAX_FIELD_LENGTH,
    NO_ADDRESS,
    NO_DESK_EMERGENCY,
    STRUCTURE,
    CivicAddress,
    DeskEmergency,
)

# The shipped dialplan's contexts: where desks' emergency calls leave, and
# where the carrier's callbacks to an ELIN come in.
CONTEXT_EMERGENCY: Final = "hotdesk-emergency"
CONTEXT_ELIN: Final = "hotdesk-elin"

# AstDB families (below hotdesk/) the integration writes.
FAMILY_ELIN: Final = "elin"  # elin/<desk id>
FAMILY_LOCATION: Final = "eloc"  # eloc/<desk id>: GEOLOC location_info
FAMILY_NUMBER: Final = "enumber"  # enumber/<number> = 1
FAMILY_SETTINGS: Final = "emergency"  # emergency/{elin,location,dial,callback}
EMERGENCY_FAMILIES: Final = (
    FAMILY_ELIN,
    FAMILY_LOCATION,
    FAMILY_NUMBER,
    FAMILY_SETTINGS,
)
# hotdesk/ecallback/<ELIN> is the dialplan's own (which desk called, when):
# never written nor cleared by the integration.

# Keys of a desk's and the entry's stored emergency data (besides the
# address fields of location.ADDRESS_FIELDS).
CONF_ELIN: Final = "elin"
CONF_NUMBERS: Final = "numbers"
CONF_DIAL_TEMPLATE: Final = "dial_template"
CONF_CALLBACK_MINUTES: Final = "callback_minutes"
CONF_CONTACTS: Final = "contacts"

NUMBER_PLACEHOLDER: Final = "{number}"
DEFAULT_CALLBACK_MINUTES: Final = 180  # what emergency centres expect: 3 h
MIN_CALLBACK_MINUTES: Final = 5
MAX_CALLBACK_MINUTES: Final = 24 * 60

# Numbers dialled without a prefix, by the entry's country. 933 is the US
# test number (it reads back the number and address the carrier received).
_NUMBERS_BY_COUNTRY: Final = {
    "US": ("911", "933"),
    "CA": ("911",),
    "GB": ("999", "112"),
    "IE": ("112", "999"),
    "AU": ("000", "112"),
    "NZ": ("111", "112"),
    "CN": ("110", "119", "120", "122"),
    "DE": ("112", "110"),
    "AT": ("112", "122", "133", "144"),
    "CH": ("112", "117", "118", "144"),
}
_DEFAULT_NUMBERS: Final = ("112",)

_ELIN: Final = re.compile(r"^\+?[0-9]{3,20}$")
_NUMBER: Final = re.compile(r"^[0-9]{2,10}$")
_COUNTRY: Final = re.compile(r"^[A-Z]{2}$")
_FORBIDDEN: Final = STRUCTURE


def default_numbers(country: str) -> tuple[str, ...]:
    """The emergency numbers of a country (112 where none is known here)."""
    return _NUMBERS_BY_COUNTRY.get(country.upper(), _DEFAULT_NUMBERS)


@dataclass(frozen=True, slots=True)
class EmergencySettings:
    """The entry's emergency settings (its options)."""

    numbers: tuple[str, ...] = ()
    # How the PBX dials out, ``{number}`` for the number dialled ("" none:
    # the dialplan's hotdesk-emergency-route hook, if the admin has one).
    dial_template: str = ""
    callback_minutes: int = DEFAULT_CALLBACK_MINUTES
    elin: str = ""  # for desks without their own
    address: CivicAddress = NO_ADDRESS
    # Notify actions (without ``notify.``) told of every emergency call.
    contacts: tuple[str, ...] = ()


def validate_elin(value: str) -> str:
    """An ELIN ("" for none), or raise ``DirectoryError``."""
    elin = value.strip().replace(" ", "")
    if elin and not _ELIN.match(elin):
        raise DirectoryError("invalid_elin", elin=value.strip()[:30])
    return elin


def validate_address(raw: Mapping[str, object]) -> tuple[CivicAddress, dict[str, str]]:
    """An address from typed fields, and an error code per bad field."""
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    for name in ADDRESS_FIELDS:
        value = " ".join(str(raw.get(name) or "").split())
        if name == "country":
            value = value.upper()
            if value and not _COUNTRY.match(value):
                errors[name] = "invalid_country"
        if len(value) > MAX_FIELD_LENGTH:
            errors[name] = "location_field_too_long"
        elif _FORBIDDEN.search(value):
            errors[name] = "invalid_location_field"
        values[name] = value
    return CivicAddress(**values), errors


def validate_numbers(raw: str | Iterable[str]) -> tuple[str, ...]:
    """Emergency numbers from a list or a comma/blank separated text.

    Raises ``DirectoryError`` for a number that is not 2 to 10 digits, or an
    empty list (a desk must always reach an emergency centre).
    """
    items = raw.replace(",", " ").split() if isinstance(raw, str) else list(raw)
    numbers: list[str] = []
    for item in items:
        number = item.strip()
        if not _NUMBER.match(number):
            raise DirectoryError("invalid_emergency_number", number=number[:20])
        if number not in numbers:
            numbers.append(number)
    if not numbers:
        raise DirectoryError("no_emergency_number")
    return tuple(numbers)


def validate_route(template: str) -> str:
    """The emergency route's dial template ("" none), or ``DirectoryError``."""
    value = template.strip()
    if not value:
        return ""
    try:
        return validate_dial_template(value, NUMBER_PLACEHOLDER)
    except DirectoryError:
        raise DirectoryError("invalid_emergency_route", template=value[:60]) from None


def validate_desk(raw: Mapping[str, object]) -> tuple[DeskEmergency, dict[str, str]]:
    """A desk's own emergency data from typed fields (the form, a CSV row).

    Returns the data and an error code per bad field (``elin`` or an
    address field); every field is optional.
    """
    address, errors = validate_address(raw)
    try:
        elin = validate_elin(str(raw.get(CONF_ELIN) or ""))
    except DirectoryError as err:
        errors[CONF_ELIN] = err.code
        elin = ""
    return DeskEmergency(elin=elin, address=address), errors


def desk_data(emergency: DeskEmergency) -> dict[str, str]:
    """A desk's emergency data as stored: only the fields that are set."""
    data = {CONF_ELIN: emergency.elin} if emergency.elin else {}
    data.update(
        (name, value)
        for name in ADDRESS_FIELDS
        if (value := getattr(emergency.address, name))
    )
    return data


def desk_from_data(data: Mapping[str, object] | None) -> DeskEmergency:
    """A desk's stored emergency data (checked when it was saved)."""
    if not data:
        return NO_DESK_EMERGENCY
    return DeskEmergency(
        elin=str(data.get(CONF_ELIN) or ""),
        address=CivicAddress(
            **{name: str(data.get(name) or "") for name in ADDRESS_FIELDS}
        ),
    )


def settings_from_options(
    options: Mapping[str, object] | None, country: str | None
) -> EmergencySettings:
    """The entry's emergency settings as stored in its options.

    Without settings the numbers are those of ``country`` (Home Assistant's
    own), so a desk reaches the emergency centre from the first start.
    """
    data = dict(options or {})
    address = desk_from_data(data).address
    if not address.country and country:
        address = replace(address, country=country.upper())
    numbers = data.get(CONF_NUMBERS)
    contacts = data.get(CONF_CONTACTS)
    minutes = data.get(CONF_CALLBACK_MINUTES)
    return EmergencySettings(
        numbers=tuple(str(n) for n in numbers)
        if isinstance(numbers, list | tuple) and numbers
        else default_numbers(address.country),
        dial_template=str(data.get(CONF_DIAL_TEMPLATE) or ""),
        callback_minutes=int(minutes)
        if isinstance(minutes, int | float) and minutes
        else DEFAULT_CALLBACK_MINUTES,
        elin=str(data.get(CONF_ELIN) or ""),
        address=address,
        contacts=tuple(str(c) for c in contacts)
        if isinstance(contacts, list | tuple)
        else (),
    )


def check_extensions(numbers: Iterable[str], extensions: Iterable[str]) -> None:
    """Raise ``DirectoryError`` when an extension is an emergency number.

    A desk dialling it would reach the emergency centre, never the person.
    """
    taken = set(numbers) & set(extensions)
    if taken:
        raise DirectoryError("extension_is_emergency", number=min(taken))


def resolve(
    desk: DeskEmergency, settings: EmergencySettings, area: CivicAddress
) -> tuple[str, CivicAddress]:
    """A desk's ELIN and location: its own, then its HA area's, then the entry's.

    ``area`` carries the floor and room Home Assistant knows for the desk
    (its device's floor and area names).
    """
    return desk.elin or settings.elin, desk.address.over(area).over(settings.address)


def settings_tree(settings: EmergencySettings) -> dict[str, str]:
    """The entry-wide keys (below ``hotdesk/``): numbers, route, defaults."""
    tree = {f"{FAMILY_NUMBER}/{n}": "1" for n in settings.numbers}
    tree[f"{FAMILY_SETTINGS}/callback"] = str(settings.callback_minutes * 60)
    if settings.dial_template:
        tree[f"{FAMILY_SETTINGS}/dial"] = settings.dial_template
    if settings.elin:
        tree[f"{FAMILY_SETTINGS}/elin"] = settings.elin
    if not settings.address.empty:
        tree[f"{FAMILY_SETTINGS}/location"] = settings.address.location_info()
    return tree


def desk_keys(desk_ids: Iterable[str]) -> set[str]:
    """Every key a change of these desks can touch."""
    return {f"{f}/{d}" for d in desk_ids for f in (FAMILY_ELIN, FAMILY_LOCATION)}


def is_emergency_key(key: str) -> bool:
    """Whether an AstDB key (below ``hotdesk/``) is one of the emergency keys."""
    return key.partition("/")[0] in EMERGENCY_FAMILIES


@dataclass(frozen=True, slots=True)
class EmergencyCall:
    """An emergency call the PBX is placing, or a callback to its desk.

    ``channel`` is the desk's channel (a callback: the carrier's), ``number``
    what was dialled (a callback: the ELIN called).
    """

    channel: str
    device: str  # the desk's dial string
    number: str
    caller_id_number: str
    callback: bool = False
    ended: bool = False


class EmergencyCalls:
    """Emergency calls from the AMI event stream.

    The PBX dials out from ``hotdesk-emergency`` (``DialBegin`` with that
    context: the moment the call leaves) and rings a desk for a callback
    from ``hotdesk-elin``; each call is reported once when it starts and
    once when its channel hangs up. Nothing here touches a hot-desk call.
    """

    def __init__(self) -> None:
        """No calls yet."""
        self.active: dict[str, EmergencyCall] = {}

    def handle(self, name: str, headers: Mapping[str, str]) -> EmergencyCall | None:
        """The call an event starts or ends (None: nothing new)."""
        if name == "DialBegin":
            return self._begin(headers)
        if name == "Hangup":
            call = self.active.pop(headers.get("Channel", ""), None)
            return replace(call, ended=True) if call is not None else None
        return None

    def _begin(self, headers: Mapping[str, str]) -> EmergencyCall | None:
        context = headers.get("Context")
        channel = headers.get("Channel", "")
        if context not in (CONTEXT_EMERGENCY, CONTEXT_ELIN) or not channel:
            return None
        if channel in self.active:
            return None  # the same call dialling again
        callback = context == CONTEXT_ELIN
        # A callback's desk is the one rung (DestChannel), the call's the caller.
        device = device_of_channel(
            headers.get("DestChannel", "") if callback else channel
        )
        call = EmergencyCall(
            channel=channel,
            device=device,
            number=headers.get("Exten", ""),
            caller_id_number=headers.get("CallerIDNum", ""),
            callback=callback,
        )
        self.active[channel] = call
        return call

    def resync(
        self, channels: Iterable[tuple[str, str, str, str]]
    ) -> list[EmergencyCall]:
        """After a reconnect: ``(channel, context, exten, caller id)`` of the PBX.

        Emergency calls not known yet are adopted (and returned: Home
        Assistant may have been down when they started); known calls that
        are gone are returned ended.
        """
        seen: dict[str, EmergencyCall] = {}
        for channel, context, exten, caller in channels:
            if context not in (CONTEXT_EMERGENCY, CONTEXT_ELIN):
                continue
            callback = context == CONTEXT_ELIN
            seen[channel] = self.active.get(channel) or EmergencyCall(
                channel=channel,
                # A callback's desk leg is not in the caller's channel name.
                device="" if callback else device_of_channel(channel),
                number=exten,
                caller_id_number=caller,
                callback=callback,
            )
        changed = [c for ch, c in seen.items() if ch not in self.active]
        changed += [
            replace(c, ended=True) for ch, c in self.active.items() if ch not in seen
        ]
        self.active = seen
        return changed
