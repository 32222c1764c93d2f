"""Bulk provisioning: every account and desk as one CSV file, and back.

Pure Python: no Home Assistant imports. ``export_csv`` writes the subentries
as rows; ``plan_import`` reads such a file and says which subentries to
create, update and (optionally) remove, or raises ``BulkImportError`` with
every bad row (nothing is applied then). Importing the file just exported
plans nothing.

One row per desk or account. Lists are separated by ``;``. An account names
its home desks by their dial strings (unique, and known before a new desk has
an id). ``id`` is the subentry id: empty for a new row; rows without one also
match an existing desk by dial string and an existing account by extension.
A desk's emergency data (ELIN, civic address) has one ``emergency_`` column
per field.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
import csv
from dataclasses import dataclass, field
import io
from typing import Any, Final

from .account_schema import (
    CARD_CERTIFICATES,
    CARD_REQUIRED,
    VOICEMAIL,
    check_account,
    make_account,
    stored_account,
)
from .const import CONF_EMERGENCY
from .desk_schema import check_desk, make_desk, stored_desk
from .directory import Directory, DirectoryError, normalize_tag
from .emergency import CONF_ELIN, desk_data, desk_from_data, validate_desk
from .location import ADDRESS_FIELDS
from .titles import subentry_title

DESK: Final = "desk"
ACCOUNT: Final = "account"
# A desk's emergency fields -> their columns; prefixed, as an account's own
# columns could otherwise read the same ("room", "floor").
_EMERGENCY_COLUMN_OF: Final = {
    name: f"emergency_{name}" for name in (CONF_ELIN, *ADDRESS_FIELDS)
}
_EMERGENCY_COLUMNS: Final = tuple(_EMERGENCY_COLUMN_OF.values())
COLUMNS: Final = (
    "type",
    "id",
    "name",
    "extension",
    "dial_string",
    "home_desks",
    "tags",
    "scanners",
    "readers",
    "reader_users",
    "people",
    "notify_targets",
    "watch_targets",
    "mobile",
    "mobile_mode",
    "presence",
    "ring_delay",
    "presence_entities",
    # Last, so files and spreadsheets made for the earlier columns still line up.
    *_EMERGENCY_COLUMNS,
    "queues",
    "calendar",
)
# An account's mobile, presence and queue columns: a file without one keeps
# what the accounts have (files written before these columns existed).
_RING_COLUMNS: Final = (
    "mobile",
    "mobile_mode",
    "presence",
    "ring_delay",
    "presence_entities",
    "queues",
)
# Columns of each type (the others must stay empty in its rows).
_DESK_COLUMNS: Final = (
    "name",
    "dial_string",
    "scanners",
    "readers",
    "reader_users",
    *_EMERGENCY_COLUMNS,
    "calendar",
)
_ACCOUNT_COLUMNS: Final = (
    "name",
    "extension",
    "home_desks",
    "tags",
    "people",
    "notify_targets",
    "watch_targets",
    *_RING_COLUMNS,
)
_LIST_SEPARATOR: Final = ";"
# An identifier of the desk or account: stored and compared as written.
MAX_FIELD_LENGTH: Final = 1000


@dataclass(frozen=True, slots=True)
class Existing:
    """A subentry as it is now."""

    subentry_id: str
    subentry_type: str
    title: str
    data: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem: where (line of the file, column) and what (a translation key)."""

    line: int
    column: str
    code: str
    placeholders: Mapping[str, str] = field(default_factory=dict)


class BulkImportError(ValueError):
    """The file cannot be applied; ``errors`` lists every problem found."""

    def __init__(self, errors: list[RowError]) -> None:
        """Keep the problems in file order."""
        super().__init__(f"{len(errors)} problem(s) in the file")
        self.errors = sorted(errors, key=lambda e: (e.line, COLUMNS.index(e.column)))


@dataclass(frozen=True, slots=True)
class Change:
    """One subentry to create or update (with its full data), or remove."""

    subentry_id: str
    subentry_type: str
    title: str
    data: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class ImportPlan:
    """What an import does; all empty: the file matches what is configured."""

    create: list[Change]
    update: list[Change]
    remove: list[Existing]
    unchanged: int

    @property
    def empty(self) -> bool:
        """Nothing to do."""
        return not (self.create or self.update or self.remove)


def _join(values: Iterable[str]) -> str:
    return _LIST_SEPARATOR.join(values)


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split(_LIST_SEPARATOR) if v.strip()]


def _desk_data(data: Mapping[str, Any]) -> dict[str, Any]:
    """A desk's data as the forms store it, its emergency fields included."""
    return {
        **stored_desk(data),
        # Only the fields that are set ({}: none), as the desk form stores them.
        CONF_EMERGENCY: desk_data(desk_from_data(data.get(CONF_EMERGENCY))),
    }


def _stored(data: Mapping[str, Any]) -> dict[str, Any]:
    """Subentry data to save: a desk without emergency data has no such key."""
    return {k: v for k, v in data.items() if k != CONF_EMERGENCY or v}


def _account_data(data: Mapping[str, Any]) -> dict[str, Any]:
    """An account's data as the forms store it, without its card keys.

    A file has no card or voicemail columns: an account's enrolled cards,
    its policy and its voicemail are kept as they are.
    """
    stored = stored_account(data)
    del stored[CARD_CERTIFICATES], stored[CARD_REQUIRED], stored[VOICEMAIL]
    return stored


def export_csv(existing: Iterable[Existing]) -> str:
    """Every desk, then every account, as CSV rows (with a header)."""
    items = list(existing)
    dial_of = {
        e.subentry_id: str(e.data.get("dial_string", ""))
        for e in items
        if e.subentry_type == DESK
    }
    out = io.StringIO()
    writer = csv.DictWriter(out, COLUMNS, lineterminator="\n")
    writer.writeheader()
    for item in items:
        if item.subentry_type == DESK:
            data = _desk_data(item.data)
            writer.writerow(
                {
                    "type": DESK,
                    "id": item.subentry_id,
                    "name": data["name"],
                    "dial_string": data["dial_string"],
                    "scanners": _join(data["scanners"]),
                    "readers": _join(data["readers"]),
                    "reader_users": _join(data["reader_users"]),
                    **{
                        _EMERGENCY_COLUMN_OF[name]: value
                        for name, value in data[CONF_EMERGENCY].items()
                    },
                    "calendar": data["calendar"],
                }
            )
    for item in items:
        if item.subentry_type == ACCOUNT:
            data = _account_data(item.data)
            writer.writerow(
                {
                    "type": ACCOUNT,
                    "id": item.subentry_id,
                    "name": data["name"],
                    "extension": data["extension"],
                    # A home desk that no longer exists is left out, as the
                    # directory leaves it out.
                    "home_desks": _join(
                        dial_of[d] for d in data["home_desks"] if d in dial_of
                    ),
                    "tags": _join(data["tags"]),
                    "people": _join(data["people"]),
                    "notify_targets": _join(data["notify_targets"]),
                    "watch_targets": _join(data["watch_targets"]),
                    "mobile": data["mobile"],
                    "mobile_mode": data["mobile_mode"],
                    "presence": data["presence"],
                    "ring_delay": str(data["ring_delay"]),
                    "presence_entities": _join(data["presence_entities"]),
                    "queues": _join(data["queues"]),
                }
            )
    return out.getvalue()


@dataclass(slots=True)
class _Row:
    line: int
    kind: str
    subentry_id: str
    data: dict[str, Any]
    home_dials: list[str] = field(default_factory=list)


# Lists a file written with fewer columns leaves as they are (not emptied).
_LISTS_KEPT_WITHOUT_COLUMN: Final = {
    DESK: ("scanners", "readers", "reader_users"),
    ACCOUNT: ("tags", "people", "notify_targets", "watch_targets"),
}


class _Reader:
    """Reads rows, collecting every problem instead of stopping at the first."""

    def __init__(
        self,
        existing: list[Existing],
        new_id: Callable[[], str],
        columns: Collection[str] = COLUMNS,
    ) -> None:
        self.errors: list[RowError] = []
        # The mobile and presence columns the file has (the others are kept).
        self.ring_columns = [c for c in _RING_COLUMNS if c in columns]
        # A file without the calendar column keeps the desks' calendars.
        self.calendar_column = "calendar" in columns
        # The desks' emergency fields the file has columns for (field -> column).
        self.emergency_columns = {
            name: column
            for name, column in _EMERGENCY_COLUMN_OF.items()
            if column in columns
        }
        # The list columns the file lacks: each existing row keeps its own.
        self.lists_kept = {
            kind: [c for c in lists if c not in columns]
            for kind, lists in _LISTS_KEPT_WITHOUT_COLUMN.items()
        }
        self.existing = {e.subentry_id: e for e in existing}
        self._new_id = new_id
        self._desk_by_dial = {
            str(e.data.get("dial_string", "")): e.subentry_id
            for e in existing
            if e.subentry_type == DESK
        }
        self._account_by_ext = {
            str(e.data.get("extension", "")): e.subentry_id
            for e in existing
            if e.subentry_type == ACCOUNT
        }

    def error(self, line: int, column: str, code: str, **placeholders: str) -> None:
        self.errors.append(RowError(line, column, code, placeholders))

    def row(self, line: int, values: Mapping[str, str]) -> _Row | None:
        kind = values.get("type", "").strip().lower()
        if kind not in (DESK, ACCOUNT):
            self.error(line, "type", "bulk_unknown_type", value=kind[:40])
            return None
        allowed = _DESK_COLUMNS if kind == DESK else _ACCOUNT_COLUMNS
        for column in COLUMNS:
            value = values.get(column, "")
            if len(value) > MAX_FIELD_LENGTH:
                self.error(line, column, "bulk_too_long", max=str(MAX_FIELD_LENGTH))
                return None
            if column not in ("type", "id", *allowed) and value.strip():
                self.error(line, column, "bulk_column_not_for_type", type=kind)
        name = values.get("name", "").strip()
        if not name:
            self.error(line, "name", "bulk_missing_name")
        subentry_id = values.get("id", "").strip()
        if subentry_id and (
            subentry_id not in self.existing
            or self.existing[subentry_id].subentry_type != kind
        ):
            self.error(line, "id", "bulk_unknown_id", id=subentry_id[:40])
            return None
        if kind == DESK:
            return self._desk(line, values, name, subentry_id)
        return self._account(line, values, name, subentry_id)

    def _desk(
        self, line: int, values: Mapping[str, str], name: str, subentry_id: str
    ) -> _Row | None:
        data, errors = check_desk(
            {
                "name": name,
                "dial_string": values.get("dial_string", ""),
                "scanners": _split(values.get("scanners", "")),
                "readers": _split(values.get("readers", "")),
                "reader_users": _split(values.get("reader_users", "")),
                "calendar": values.get("calendar", ""),
            }
        )
        self._field_errors(line, errors, skip="name")
        if errors.keys() - {"name"}:
            return None
        dial = data["dial_string"]
        subentry_id = subentry_id or self._desk_by_dial.get(dial) or self._new_id()
        data = _desk_data(data)
        if (old := self.existing.get(subentry_id)) is not None:
            stored = _desk_data(old.data)
            for column in self.lists_kept[DESK]:
                data[column] = stored[column]
        if not self.calendar_column:
            del data["calendar"]  # kept as the desk has it
        if self.emergency_columns:
            data[CONF_EMERGENCY] = self._emergency(line, values, subentry_id)
        else:
            del data[CONF_EMERGENCY]  # kept as the desk has it
        return _Row(line, DESK, subentry_id, data)

    def _emergency(
        self, line: int, values: Mapping[str, str], subentry_id: str
    ) -> dict[str, str]:
        """The desk's emergency data: its cells, checked as the desk form does.

        A field without a column keeps what the desk has; empty cells clear.
        """
        cells = {
            name: values.get(column, "")
            for name, column in self.emergency_columns.items()
        }
        emergency, errors = validate_desk(cells)
        for name, code in errors.items():
            self.error(
                line,
                self.emergency_columns[name],
                code,
                value=cells[name].strip()[:60],
            )
        old = self.existing.get(subentry_id)
        stored = desk_data(
            desk_from_data(old.data.get(CONF_EMERGENCY) if old else None)
        )
        kept = {k: v for k, v in stored.items() if k not in cells}
        # Through the stored form again: the fields in their usual order.
        return desk_data(desk_from_data({**kept, **desk_data(emergency)}))

    def _account(
        self, line: int, values: Mapping[str, str], name: str, subentry_id: str
    ) -> _Row | None:
        data, errors = check_account(
            {
                "name": name,
                "extension": values.get("extension", ""),
                "home_desks": _split(values.get("home_desks", "")),
                "tags": _split(values.get("tags", "")),
                "people": _split(values.get("people", "")),
                "notify_targets": _split(values.get("notify_targets", "")),
                "watch_targets": _split(values.get("watch_targets", "")),
                "mobile": values.get("mobile", ""),
                "mobile_mode": values.get("mobile_mode", "").strip(),
                "presence": values.get("presence", "").strip(),
                "ring_delay": values.get("ring_delay", "").strip(),
                "presence_entities": _split(values.get("presence_entities", "")),
                "queues": _split(values.get("queues", "")),
            }
        )
        self._field_errors(line, errors, skip="name")
        if "extension" in errors:
            return None
        home = data["home_desks"]
        subentry_id = (
            subentry_id or self._account_by_ext.get(data["extension"]) or self._new_id()
        )
        data = _account_data(data)
        if (old := self.existing.get(subentry_id)) is not None:
            stored = _account_data(old.data)
            for column in self.lists_kept[ACCOUNT]:
                data[column] = stored[column]
        for column in _RING_COLUMNS:
            if column not in self.ring_columns:
                del data[column]  # kept as the account has it
        return _Row(line, ACCOUNT, subentry_id, data, home)

    def _field_errors(
        self, line: int, errors: Mapping[str, DirectoryError], skip: str
    ) -> None:
        """A schema's errors, each in its column (``skip``: reported already)."""
        for column, err in errors.items():
            if column != skip:
                self.error(line, column, err.code, **err.placeholders)


def plan_import(
    text: str,
    existing: Iterable[Existing],
    *,
    remove_missing: bool = False,
    new_id: Callable[[], str],
    tags_elsewhere: Collection[str] = (),
    readers_elsewhere: Collection[str] = (),
) -> ImportPlan:
    """What importing ``text`` does to ``existing`` (``BulkImportError``: bad rows).

    ``remove_missing``: subentries without a row are removed. ``new_id`` makes
    the id of a new subentry (HA's ULIDs), so accounts can name new desks.
    ``tags_elsewhere``: tags (normalised) of other entries' accounts, which
    no row may have (one tag, one person, at every site); ``readers_elsewhere``:
    card readers of other entries' desks, likewise.
    """
    items = list(existing)
    rows: list[_Row] = []
    source = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip().lower() for h in source.fieldnames or []]
    reader = _Reader(items, new_id, header)
    unknown = [h for h in header if h not in COLUMNS]
    for column in unknown:
        reader.error(1, "type", "bulk_unknown_column", name=column[:40])
    if "type" not in header:
        reader.error(1, "type", "bulk_missing_column", name="type")
    if reader.errors:
        raise BulkImportError(reader.errors)
    source.fieldnames = header
    line = 1
    for values in source:
        line = source.line_num
        if None in values:  # more cells than columns
            reader.error(line, "type", "bulk_extra_cells")
            continue
        cells = {k: (v or "") for k, v in values.items()}
        if not any(v.strip() for v in cells.values()):
            continue  # a blank line
        if (row := reader.row(line, cells)) is not None:
            rows.append(row)
    _check_unique(reader, rows, frozenset(tags_elsewhere), frozenset(readers_elsewhere))
    _resolve_home_desks(reader, rows, items, remove_missing=remove_missing)
    if reader.errors:
        raise BulkImportError(reader.errors)
    return _plan(reader, rows, items, remove_missing=remove_missing)


def _check_unique(
    reader: _Reader,
    rows: list[_Row],
    tags_elsewhere: frozenset[str],
    readers_elsewhere: frozenset[str],
) -> None:
    """The same id, extension, dial string, tag, scanner or reader twice."""
    seen: dict[tuple[str, str], int] = {}

    def once(kind: str, value: str, line: int, column: str, code: str) -> None:
        if (kind, value) in seen:
            reader.error(
                line, column, code, value=value[:60], other=str(seen[kind, value])
            )
        else:
            seen[kind, value] = line

    for row in rows:
        once("id", row.subentry_id, row.line, "id", "bulk_duplicate_row")
        if row.kind == DESK:
            once(
                "dial",
                row.data["dial_string"],
                row.line,
                "dial_string",
                "duplicate_dial_string",
            )
            for scanner in row.data["scanners"]:
                once("scanner", scanner, row.line, "scanners", "duplicate_scanner")
            for name in row.data["readers"]:
                once("reader", name, row.line, "readers", "duplicate_reader")
                if name in readers_elsewhere:
                    reader.error(
                        row.line, "readers", "duplicate_reader", value=name[:60]
                    )
        else:
            once(
                "ext",
                row.data["extension"],
                row.line,
                "extension",
                "duplicate_extension",
            )
            for tag in row.data["tags"]:
                once("tag", tag, row.line, "tags", "duplicate_tag")
                if normalize_tag(tag) in tags_elsewhere:
                    reader.error(row.line, "tags", "duplicate_tag", value=tag[:60])


def _resolve_home_desks(
    reader: _Reader, rows: list[_Row], items: list[Existing], *, remove_missing: bool
) -> None:
    """Dial strings -> desk ids: desks of the file, and (unless removed) the others."""
    desk_rows = {r.subentry_id for r in rows if r.kind == DESK}
    by_dial = {r.data["dial_string"]: r.subentry_id for r in rows if r.kind == DESK}
    if not remove_missing:
        for item in items:
            if item.subentry_type == DESK and item.subentry_id not in desk_rows:
                by_dial.setdefault(
                    str(item.data.get("dial_string", "")), item.subentry_id
                )
    for row in rows:
        if row.kind != ACCOUNT:
            continue
        home: list[str] = []
        for dial in row.home_dials:
            if (desk_id := by_dial.get(dial)) is None:
                reader.error(
                    row.line, "home_desks", "bulk_unknown_home_desk", desk=dial[:60]
                )
            elif desk_id not in home:
                home.append(desk_id)
        row.data["home_desks"] = home


def _plan(
    reader: _Reader, rows: list[_Row], items: list[Existing], *, remove_missing: bool
) -> ImportPlan:
    in_file = {r.subentry_id for r in rows}
    kept = [] if remove_missing else [i for i in items if i.subentry_id not in in_file]
    # The whole result must be a valid directory (what the forms check one at
    # a time: duplicates against the subentries the file leaves alone, routes
    # that fit one AMI line).
    result = [
        Existing(r.subentry_id, r.kind, subentry_title(r.kind, r.data), r.data)
        for r in rows
    ]
    _check_directory(reader, [*result, *kept], {r.subentry_id: r.line for r in rows})
    if reader.errors:
        raise BulkImportError(reader.errors)
    create: list[Change] = []
    update: list[Change] = []
    unchanged = 0
    for row in rows:
        old = reader.existing.get(row.subentry_id)
        title = subentry_title(row.kind, row.data)
        if old is None:
            create.append(Change(row.subentry_id, row.kind, title, _stored(row.data)))
            continue
        before = _desk_data(old.data) if row.kind == DESK else _account_data(old.data)
        if {k: before.get(k) for k in row.data} == row.data and old.title == title:
            unchanged += 1
            continue
        # Fields this file does not carry are kept.
        update.append(
            Change(row.subentry_id, row.kind, title, _stored({**old.data, **row.data}))
        )
    remove = [i for i in items if remove_missing and i.subentry_id not in in_file]
    return ImportPlan(create, update, remove, unchanged)


# The column a directory error is about (else the home desks: routes, desks).
_DIRECTORY_COLUMN: Final = {
    "duplicate_extension": "extension",
    "duplicate_tag": "tags",
    "duplicate_card_key": "tags",
    "duplicate_dial_string": "dial_string",
    "duplicate_reader": "readers",
    "duplicate_scanner": "scanners",
}


def _check_directory(
    reader: _Reader, items: list[Existing], lines: Mapping[str, int]
) -> None:
    desks = [make_desk(i.subentry_id, i.data) for i in items if i.subentry_type == DESK]
    desk_ids = {d.desk_id for d in desks}
    accounts = []
    for item in items:
        if item.subentry_type != ACCOUNT:
            continue
        home = tuple(d for d in item.data.get("home_desks") or [] if d in desk_ids)
        if not home and item.subentry_id not in lines:
            continue  # an account left alone, already without a desk
        accounts.append(
            make_account(item.subentry_id, {**item.data, "home_desks": home})
        )
    try:
        Directory.build(accounts, desks)
    except DirectoryError as err:
        # Which row: the one whose account or desk the error names, else the
        # first line (a clash with a subentry the file leaves alone).
        named = {**err.placeholders}.values()
        line = next(
            (
                lines[i.subentry_id]
                for i in items
                if i.subentry_id in lines
                and any(
                    v
                    in (
                        str(i.data.get(k, ""))
                        for k in ("name", "extension", "dial_string")
                    )
                    for v in named
                )
            ),
            1,
        )
        column = _DIRECTORY_COLUMN.get(err.code, "home_desks")
        reader.error(line, column, err.code, **err.placeholders)
