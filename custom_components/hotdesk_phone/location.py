"""A dispatchable location: a civic address down to floor and room.

Pure Python, no imports of the integration: the directory's desks carry one
(``DeskEmergency``), and the emergency module turns it into AstDB keys.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
import re
from typing import Final

# What the location_info syntax, the dialplan, AMI and the PIDF-LO's XML
# (which Asterisk does not escape) treat as structure: no field holds one.
STRUCTURE: Final = re.compile(r'[,="\\;$|{}\[\]<>\x00-\x1f\x7f]')
MAX_FIELD_LENGTH: Final = 60


@dataclass(frozen=True, slots=True)
class CivicAddress:
    """A dispatchable location: address, building, floor, room ("" unset)."""

    country: str = ""
    region: str = ""
    city: str = ""
    street: str = ""
    house_number: str = ""
    postcode: str = ""
    building: str = ""
    floor: str = ""
    room: str = ""

    def over(self, base: CivicAddress) -> CivicAddress:
        """Its own fields, and ``base``'s where it has none."""
        return CivicAddress(
            **{
                f.name: getattr(self, f.name) or getattr(base, f.name)
                for f in fields(CivicAddress)
            }
        )

    @property
    def empty(self) -> bool:
        """Whether no field is set."""
        return not any(getattr(self, f.name) for f in fields(CivicAddress))

    def location_info(self) -> str:
        """The value ``GEOLOC_PROFILE(location_info)`` takes (PIDF-LO names).

        Fields are checked free of the separators (and of ``<`` ``>``).
        Asterisk puts the values into the PIDF-LO's XML as they are, dropping
        a bare ``&``: it is written as the entity ``&amp;``. Blanks inside a
        value are kept either way; quoting such a value keeps it readable.
        """
        pairs = [
            (element, getattr(self, name))
            for name, element in _PIDF_ELEMENTS
            if getattr(self, name)
        ]
        return ",".join(f"{k}={_quoted(v)}" for k, v in pairs)

    def text(self) -> str:
        """The location in words, most specific first (room, floor, address)."""
        street = " ".join(p for p in (self.house_number, self.street) if p)
        town = " ".join(p for p in (self.postcode, self.city) if p)
        parts = [
            _labelled("Room", self.room),
            _labelled("Floor", self.floor),
            self.building,
            street,
            town,
            self.region,
            self.country,
        ]
        return ", ".join(p for p in parts if p)


# Field -> the PIDF-LO civicAddress element (RFC 5139) it becomes.
_PIDF_ELEMENTS: Final = (
    ("country", "country"),
    ("region", "A1"),
    ("city", "A3"),
    ("street", "A6"),
    ("house_number", "HNO"),
    ("postcode", "PC"),
    ("building", "BLD"),
    ("floor", "FLR"),
    ("room", "ROOM"),
)
ADDRESS_FIELDS: Final = tuple(name for name, _ in _PIDF_ELEMENTS)


def _labelled(label: str, value: str) -> str:
    """A bare number gets its label ("Floor 3"); a name stays as it is."""
    return f"{label} {value}" if value[:1].isdigit() else value


def _quoted(value: str) -> str:
    value = value.replace("&", "&amp;")
    return f'"{value}"' if " " in value else value


NO_ADDRESS: Final = CivicAddress()


@dataclass(frozen=True, slots=True)
class DeskEmergency:
    """A desk's own emergency data; unset fields are inherited."""

    elin: str = ""
    address: CivicAddress = NO_ADDRESS


NO_DESK_EMERGENCY: Final = DeskEmergency()


def plain_field(name: str) -> str:
    """A name from elsewhere (an HA area or floor) made fit for a field.

    Typed fields are refused when they hold structure; a name Home Assistant
    holds is not ours to refuse, so each such character becomes a blank.
    """
    return " ".join(STRUCTURE.sub(" ", name).split())[:MAX_FIELD_LENGTH].strip()
