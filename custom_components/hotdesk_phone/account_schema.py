"""An account's fields: the rules each obeys, its stored form, the account it makes.

Pure Python: no Home Assistant imports. The account form, the CSV import and
the entry's setup all go through here, so a new account field is added once
(plus its translations): the form shows the errors per field, the import lists
them per line. What needs the other accounts and desks (an extension or tag
used twice, home desks that exist, a route that fits) is the directory's check.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Mapping
import re
from typing import Any, Final

from .directory import (
    DEFAULT_RING_DELAY,
    MAX_RING_DELAY,
    MIN_RING_DELAY,
    MOBILE_AWAY,
    MOBILE_MODES,
    PRESENCE_MODES,
    PRESENCE_OFF,
    Account,
    DirectoryError,
    normalize_tag,
    validate_extension,
    validate_mobile,
    validate_tag,
)
from .piv import fingerprint_of

NAME: Final = "name"
EXTENSION: Final = "extension"
HOME_DESKS: Final = "home_desks"
TAGS: Final = "tags"
PEOPLE: Final = "people"
NOTIFY_TARGETS: Final = "notify_targets"
WATCH_TARGETS: Final = "watch_targets"
MOBILE: Final = "mobile"
MOBILE_MODE: Final = "mobile_mode"
PRESENCE: Final = "presence"
RING_DELAY: Final = "ring_delay"
PRESENCE_ENTITIES: Final = "presence_entities"
CARD_CERTIFICATES: Final = "card_certificates"
CARD_REQUIRED: Final = "card_required"
QUEUES: Final = "queues"
VOICEMAIL: Final = "voicemail"
# The mobile and presence fields (a CSV file may leave them out: kept then).
RING_FIELDS: Final = (MOBILE, MOBILE_MODE, PRESENCE, RING_DELAY, PRESENCE_ENTITIES)
# What a queue's name may be: what app_queue accepts and an AMI header carries.
QUEUE_NAME: Final = re.compile(r"^[A-Za-z0-9_.-]{1,80}$")
_ENTITY_ID: Final = re.compile(r"^[a-z0-9_]+\.[a-z0-9_]+$")

type FieldErrors = dict[str, DirectoryError]


def _strings(values: Iterable[Any] | None) -> list[str]:
    return [str(v) for v in values or []]


def targets(values: Iterable[Any] | None) -> list[str]:
    """Notify action names without ``notify.``, once each."""
    return sorted(
        {v.strip().removeprefix("notify.") for v in _strings(values) if v.strip()}
    )


def stored_account(data: Mapping[str, Any]) -> dict[str, Any]:
    """An account's fields as they are stored (accounts from before a field: none).

    Tags are kept in the spelling the directory reads, so stored spellings
    compare equal.
    """
    return {
        NAME: str(data.get(NAME, "")).strip(),
        EXTENSION: str(data.get(EXTENSION, "")).strip(),
        HOME_DESKS: _strings(data.get(HOME_DESKS)),
        TAGS: sorted({normalize_tag(t) for t in _strings(data.get(TAGS))} - {""}),
        PEOPLE: sorted(set(_strings(data.get(PEOPLE)))),
        NOTIFY_TARGETS: targets(data.get(NOTIFY_TARGETS)),
        WATCH_TARGETS: targets(data.get(WATCH_TARGETS)),
        MOBILE: str(data.get(MOBILE) or "").strip(),
        MOBILE_MODE: str(data.get(MOBILE_MODE) or MOBILE_AWAY),
        PRESENCE: str(data.get(PRESENCE) or PRESENCE_OFF),
        RING_DELAY: _ring_delay(data.get(RING_DELAY)),
        PRESENCE_ENTITIES: sorted(set(_strings(data.get(PRESENCE_ENTITIES)))),
        CARD_CERTIFICATES: sorted(set(_strings(data.get(CARD_CERTIFICATES)))),
        CARD_REQUIRED: bool(data.get(CARD_REQUIRED, False)),
        QUEUES: sorted({q.strip() for q in _strings(data.get(QUEUES))} - {""}),
        VOICEMAIL: _flag(data.get(VOICEMAIL)),
    }


def _flag(value: Any) -> bool:
    """A yes/no field: a form's bool, or a CSV cell's text (1, true, yes, on)."""
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return bool(value)


def _ring_delay(value: Any) -> int:
    """Seconds as stored; -1 for what is no whole number of seconds."""
    if value in (None, ""):
        return DEFAULT_RING_DELAY
    if isinstance(value, int | float) and not isinstance(value, bool):
        return int(value) if value == int(value) else -1
    text = str(value).strip()
    return int(text) if text.isdigit() else -1


def check_account(values: Mapping[str, Any]) -> tuple[dict[str, Any], FieldErrors]:
    """An account's fields checked: the stored form and every field's error."""
    data = stored_account(values)
    errors: FieldErrors = {}
    _check_identity(values, data, errors)
    _check_ring(values, data, errors)
    return data, errors


def _check_identity(
    values: Mapping[str, Any], data: Mapping[str, Any], errors: FieldErrors
) -> None:
    """Name, extension, tags, people, home desks."""
    if not data[NAME]:
        errors[NAME] = DirectoryError("invalid_name")
    try:
        validate_extension(data[EXTENSION])
    except DirectoryError as err:
        errors[EXTENSION] = err
    for tag in _strings(values.get(TAGS)):
        if not tag.strip():
            continue
        try:
            validate_tag(tag)
        except DirectoryError as err:
            errors[TAGS] = err
            break
    if not all(p.startswith("person.") for p in data[PEOPLE]):
        errors[PEOPLE] = DirectoryError("invalid_person")
    if not data[HOME_DESKS]:
        errors[HOME_DESKS] = DirectoryError("no_home_desk", account=data[NAME])
    bad = [q for q in data[QUEUES] if not QUEUE_NAME.match(q)]
    if bad:
        errors[QUEUES] = DirectoryError("invalid_queue", queue=bad[0][:80])


def _check_ring(
    values: Mapping[str, Any], data: Mapping[str, Any], errors: FieldErrors
) -> None:
    """The mobile and presence fields."""
    try:
        validate_mobile(data[MOBILE])
    except DirectoryError as err:
        errors[MOBILE] = err
    if data[MOBILE_MODE] not in MOBILE_MODES:
        errors[MOBILE_MODE] = DirectoryError(
            "invalid_mobile_mode", mode=data[MOBILE_MODE][:20]
        )
    if data[PRESENCE] not in PRESENCE_MODES:
        errors[PRESENCE] = DirectoryError("invalid_presence", mode=data[PRESENCE][:20])
    if not MIN_RING_DELAY <= data[RING_DELAY] <= MAX_RING_DELAY:
        errors[RING_DELAY] = DirectoryError(
            "invalid_ring_delay", seconds=str(values.get(RING_DELAY))[:20]
        )
    if not all(_ENTITY_ID.match(e) for e in data[PRESENCE_ENTITIES]):
        errors[PRESENCE_ENTITIES] = DirectoryError("invalid_presence_entity")


def card_keys(certificates: Iterable[str]) -> frozenset[str]:
    """The fingerprints of stored card certificates (base64 DER); bad ones skipped."""
    keys = set()
    for text in certificates:
        try:
            keys.add(fingerprint_of(base64.b64decode(text, validate=True)))
        except (binascii.Error, ValueError):
            continue
    return frozenset(keys)


def make_account(account_id: str, data: Mapping[str, Any]) -> Account:
    """The directory's account of an account's stored fields (the one builder)."""
    stored = stored_account(data)
    return Account(
        account_id=account_id,
        name=stored[NAME],
        extension=stored[EXTENSION],
        home_desks=tuple(stored[HOME_DESKS]),
        tags=frozenset(stored[TAGS]),
        notify_targets=tuple(stored[NOTIFY_TARGETS]),
        watch_targets=tuple(stored[WATCH_TARGETS]),
        people=tuple(stored[PEOPLE]),
        mobile=stored[MOBILE],
        mobile_mode=stored[MOBILE_MODE],
        presence=stored[PRESENCE],
        ring_delay=stored[RING_DELAY],
        presence_entities=tuple(stored[PRESENCE_ENTITIES]),
        card_keys=card_keys(stored[CARD_CERTIFICATES]),
        card_required=stored[CARD_REQUIRED],
        queues=tuple(stored[QUEUES]),
        voicemail=stored[VOICEMAIL],
    )
