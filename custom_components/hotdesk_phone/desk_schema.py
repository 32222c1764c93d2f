"""A desk phone's fields: the rules each obeys, its stored form, the desk it makes.

Pure Python: no Home Assistant imports. The desk form, the CSV import and the
entry's setup all go through here, so a rule or a field is written once: the
form shows the errors per field, the import lists them per line. What needs
Home Assistant (which users exist, which devices scan, the emergency section)
and what needs the other desks (a reader or dial string used twice: the
directory) stay with their callers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
import re
from typing import Any, Final

from . import emergency
from .directory import Desk, DirectoryError, validate_dial_string

NAME: Final = "name"
DIAL_STRING: Final = "dial_string"
SCANNERS: Final = "scanners"
READERS: Final = "readers"
READER_USERS: Final = "reader_users"
EMERGENCY: Final = "emergency"
CALENDAR: Final = "calendar"
_CALENDAR_ENTITY: Final = re.compile(r"^calendar\.[a-z0-9_]+$")

# pcsc-lite names every reader "<name> <index> <slot>" with two hex bytes at the
# end ("ACS ACR122U PICC Interface 00 00"); bridge reader ids do not end so.
_PCSC_NAME: Final = re.compile(r" [0-9A-F]{2} [0-9A-F]{2}$")
MAX_READER_LENGTH: Final = 200
_READER_FORBIDDEN: Final = re.compile(r"[\x00-\x1f\x7f]")

type FieldErrors = dict[str, DirectoryError]


def is_pcsc_reader(name: str) -> bool:
    """Whether a reader name is a PC/SC reader (not a bridge reader id)."""
    return bool(_PCSC_NAME.search(name))


def valid_reader_name(name: str) -> bool:
    """A reader name or id fits: not empty, not too long, no control characters."""
    return 0 < len(name) <= MAX_READER_LENGTH and not _READER_FORBIDDEN.search(name)


def _strings(values: Iterable[Any] | None) -> list[str]:
    return [str(v) for v in values or []]


def stored_desk(data: Mapping[str, Any]) -> dict[str, Any]:
    """A desk's fields as they are stored (missing lists empty, sorted, trimmed)."""
    return {
        NAME: str(data.get(NAME, "")).strip(),
        DIAL_STRING: str(data.get(DIAL_STRING, "")).strip(),
        SCANNERS: _strings(data.get(SCANNERS)),
        READERS: sorted({r.strip() for r in _strings(data.get(READERS))} - {""}),
        READER_USERS: sorted(set(_strings(data.get(READER_USERS)))),
        CALENDAR: str(data.get(CALENDAR) or "").strip(),
    }


def check_desk(values: Mapping[str, Any]) -> tuple[dict[str, Any], FieldErrors]:
    """A desk's fields checked: the stored form and every field's error."""
    data = stored_desk(values)
    errors: FieldErrors = {}
    if not data[NAME]:
        errors[NAME] = DirectoryError("invalid_name")
    if not data[DIAL_STRING]:
        errors[DIAL_STRING] = DirectoryError("no_dial_string")
    else:
        try:
            validate_dial_string(data[DIAL_STRING])
        except DirectoryError as err:
            errors[DIAL_STRING] = err
    bad = [r for r in data[READERS] if not valid_reader_name(r)]
    if bad:
        errors[READERS] = DirectoryError("invalid_reader", reader=bad[0][:60])
    if data[CALENDAR] and not _CALENDAR_ENTITY.match(data[CALENDAR]):
        errors[CALENDAR] = DirectoryError("invalid_calendar")
    return data, errors


def make_desk(desk_id: str, data: Mapping[str, Any]) -> Desk:
    """The directory's desk of a desk's stored fields (the one builder)."""
    return Desk(
        desk_id=desk_id,
        name=str(data.get(NAME, "")),
        dial_string=str(data.get(DIAL_STRING, "")),
        scanners=frozenset(data.get(SCANNERS) or []),
        readers=frozenset(data.get(READERS) or []),
        emergency=emergency.desk_from_data(data.get(EMERGENCY)),
        calendar=str(data.get(CALENDAR) or ""),
    )
