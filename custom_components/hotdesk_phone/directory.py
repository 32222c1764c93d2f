"""Accounts, desks, identities and scanners, and the routing they imply.

Pure Python: no Home Assistant imports (ruff's TID251 and
tests/test_architecture_doc.py check it). Extension -> account, account ->
its desks, plus the validation that keeps the PBX's dialplan and the AMI
stream safe.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, fields
import re
from typing import Final

from .location import NO_DESK_EMERGENCY, DeskEmergency
from .login_index import LoginIndex

# TECH/resource: the resource may not carry what the dialplan or AMI treat
# as separators (& , | space) nor line breaks.
_DIAL_STRING: Final = re.compile(r"^[A-Za-z][A-Za-z0-9_]*/[A-Za-z0-9_.@:+=#*\-]+$")
_EXTENSION: Final = re.compile(r"^[0-9]{1,20}$")
_HEX_UID: Final = re.compile(r"^[0-9A-Fa-f]{2}(?:[:\s-]?[0-9A-Fa-f]{2})*$")
_TAG_FORBIDDEN: Final = re.compile(r"[\r\n]")
MAX_TAG_LENGTH: Final = 200
# Asterisk reads one AMI line of at most 1024 bytes (CRLF included) and drops
# longer ones; a DBPut carries its value on a "Val: " line. Every AstDB value
# must fit (dial strings are ASCII, so characters are bytes).
MAX_ASTDB_VALUE_LENGTH: Final = 1024 - len("\r\n") - len("Val: ")
# Room for several desks of an account in one route value.
MAX_DIAL_STRING_LENGTH: Final = 200

# Reach the mobile: when the account's mobile dial string rings.
MOBILE_TOGETHER: Final = "together"  # with the desks, from the start
MOBILE_DELAYED: Final = "delayed"  # once the desks rang ``ring_delay`` seconds
MOBILE_AWAY: Final = "away"  # only while the person is away
MOBILE_MODES: Final = (MOBILE_TOGETHER, MOBILE_DELAYED, MOBILE_AWAY)
# Ring where the person is: what presence does to an account's calls.
PRESENCE_OFF: Final = "off"
PRESENCE_FIRST: Final = "first"  # the desks near the person, then every desk
PRESENCE_ONLY: Final = "only"  # only the desks near the person
PRESENCE_MODES: Final = (PRESENCE_OFF, PRESENCE_FIRST, PRESENCE_ONLY)
# Seconds before the rest rings (near desks first, a delayed mobile). Short
# enough that a caller still waits, long enough to reach the near phone.
DEFAULT_RING_DELAY: Final = 10
MIN_RING_DELAY: Final = 1
MAX_RING_DELAY: Final = 120


# The AstDB families that hold an account's mobile and presence options.
ACCOUNT_OPTION_FAMILIES: Final = (
    "mobile",
    "mobilemode",
    "nearmode",
    "delay",
    "voicemail",
)
# The app_voicemail context of the accounts' mailboxes (mailbox = extension),
# Asterisk's and FreePBX's own default.
VOICEMAIL_CONTEXT: Final = "default"


class DirectoryError(ValueError):
    """A configuration that cannot be accepted; ``code`` is a translation key."""

    def __init__(self, code: str, **placeholders: str) -> None:
        """Keep the error code and what it refers to."""
        detail = ", ".join(f"{k}={v}" for k, v in placeholders.items())
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.placeholders = placeholders


class RouteTooLongError(DirectoryError):
    """An account's desks do not fit in one AstDB route value."""

    def __init__(self, extension: str, length: int) -> None:
        """Keep the extension and the route's length."""
        super().__init__(
            "route_too_long",
            extension=extension,
            length=str(length),
            max=str(MAX_ASTDB_VALUE_LENGTH),
        )
        self.extension = extension
        self.length = length


def normalize_tag(tag: str) -> str:
    """One spelling per identity.

    Card UIDs come as hex in many spellings (``04:a2:3b``, ``04 A2 3B``);
    they become upper-case hex without separators. Other tag ids (HA's own,
    often UUIDs) are kept as written, minus surrounding blanks.
    """
    value = tag.strip()
    if _HEX_UID.match(value):
        return re.sub(r"[:\s-]", "", value).upper()
    return value


def validate_tag(tag: str) -> str:
    """Return the normalised tag or raise ``DirectoryError``."""
    value = normalize_tag(tag)
    if not value or len(value) > MAX_TAG_LENGTH or _TAG_FORBIDDEN.search(value):
        raise DirectoryError("invalid_tag", tag=tag.strip()[:40])
    return value


def validate_extension(extension: str) -> str:
    """Return the extension or raise ``DirectoryError``."""
    value = extension.strip()
    if not _EXTENSION.match(value):
        raise DirectoryError("invalid_extension", extension=value[:40])
    return value


def validate_dial_string(dial_string: str) -> str:
    """Return the dial string or raise ``DirectoryError`` (forms use this)."""
    value = dial_string.strip()
    if len(value) > MAX_DIAL_STRING_LENGTH:
        raise DirectoryError(
            "dial_string_too_long",
            length=str(len(value)),
            max=str(MAX_DIAL_STRING_LENGTH),
        )
    _check_dial_string_syntax(value)
    return value


# A desk id as HA makes them (a ULID), to check a site's dial template with.
_SAMPLE_DESK_ID: Final = "01JD0000000000000000000000"


def validate_dial_template(template: str, placeholder: str = "{desk}") -> str:
    """Return a linked site's dial template or raise ``DirectoryError``.

    How this PBX dials the site's desk through the trunk, with the desk's id
    in place of the placeholder (once), e.g. ``PJSIP/{desk}@site-b``.
    """
    value = template.strip()
    if value.count(placeholder) != 1:
        raise DirectoryError("dial_template_without_desk", placeholder=placeholder)
    try:
        validate_dial_string(value.replace(placeholder, _SAMPLE_DESK_ID))
    except DirectoryError:
        raise DirectoryError("invalid_dial_template", template=value[:60]) from None
    return value


def validate_mobile(dial_string: str) -> str:
    """Return the mobile dial string ("" for none) or raise ``DirectoryError``.

    The same rules as a desk's dial string (the dialplan dials it and AMI
    carries it in a DBPut), e.g. ``PJSIP/+4917612345678@trunk``.
    """
    value = dial_string.strip()
    if not value:
        return ""
    try:
        return validate_dial_string(value)
    except DirectoryError as err:
        raise DirectoryError(
            err.code.replace("dial_string", "mobile"), **err.placeholders
        ) from None


def _check_account_options(account: Account) -> None:
    if account.mobile:
        try:
            _check_dial_string_syntax(account.mobile)
        except DirectoryError:
            raise DirectoryError(
                "invalid_mobile", dial_string=account.mobile[:60]
            ) from None
    if account.mobile_mode not in MOBILE_MODES:
        raise DirectoryError("invalid_mobile_mode", mode=account.mobile_mode[:20])
    if account.presence not in PRESENCE_MODES:
        raise DirectoryError("invalid_presence", mode=account.presence[:20])
    if not MIN_RING_DELAY <= account.ring_delay <= MAX_RING_DELAY:
        raise DirectoryError("invalid_ring_delay", seconds=str(account.ring_delay))
    if account.card_required and not account.card_keys:
        # Nothing could ever act for it: say so rather than lock it out.
        raise DirectoryError("no_card_key", account=account.name)


def _check_dial_string_syntax(value: str) -> None:
    if not _DIAL_STRING.match(value):
        raise DirectoryError("invalid_dial_string", dial_string=value[:60])


def device_of_channel(channel: str) -> str:
    """The dial string of a channel name.

    ``PJSIP/desk-3f-12-0000000a`` -> ``PJSIP/desk-3f-12``;
    ``Local/s@ctx-00000001;2`` -> ``Local/s@ctx``.
    """
    name = channel.split(";", 1)[0]
    head, sep, _ = name.rpartition("-")
    return head if sep else name


def _unique_index[T](pairs: Iterable[tuple[str, T]], code: str) -> dict[str, T]:
    """Index values by key; a key seen twice is the error ``code``."""
    index: dict[str, T] = {}
    for key, value in pairs:
        if key in index:
            raise DirectoryError(code, value=key)
        index[key] = value
    return index


def changed_ids[T](old: Mapping[str, T], new: Mapping[str, T]) -> list[str]:
    """Ids added, removed, or whose object is another one (parsed anew)."""
    ids = [k for k, v in new.items() if old.get(k) is not v]
    ids += [k for k in old if k not in new]
    return ids


@dataclass(frozen=True, slots=True)
class Desk:
    """A desk phone: where calls ring and scans happen."""

    desk_id: str
    name: str
    dial_string: str
    scanners: frozenset[str] = frozenset()
    readers: frozenset[str] = frozenset()
    # A desk of a linked site: the entry id of the PBX it belongs to (this
    # PBX dials it through the trunk; that entry scans and shows it).
    site: str | None = None
    # Its own emergency callback number and location (unset: inherited).
    emergency: DeskEmergency = NO_DESK_EMERGENCY
    # The calendar entity whose events book it ("" none).
    calendar: str = ""


@dataclass(frozen=True, slots=True)
class Account:
    """A person's number: one extension, home desks, identities."""

    account_id: str
    name: str
    extension: str
    home_desks: tuple[str, ...]
    tags: frozenset[str] = frozenset()
    notify_targets: tuple[str, ...] = ()
    watch_targets: tuple[str, ...] = ()
    # Person entity ids of the people who are this account (who may act for
    # it, and whose presence steers its calls).
    people: tuple[str, ...] = ()
    # Reach the mobile: a dial string through the office trunk ("" none).
    mobile: str = ""
    mobile_mode: str = MOBILE_AWAY
    # Ring where the person is (PRESENCE_*).
    presence: str = PRESENCE_OFF
    # Seconds the near desks ring alone, and a delayed mobile waits.
    ring_delay: int = DEFAULT_RING_DELAY
    # Entities that say which area its person is in (room-presence sensors).
    presence_entities: tuple[str, ...] = ()
    # Fingerprints of its cards' PIV authentication keys (piv.py), and
    # whether a scan must prove one of them to act for it.
    card_keys: frozenset[str] = frozenset()
    card_required: bool = False
    # Asterisk queues whose member it is at the desk where it is logged in.
    queues: tuple[str, ...] = ()
    # Unanswered calls go to its mailbox (<extension>@VOICEMAIL_CONTEXT).
    voicemail: bool = False

    @property
    def mailbox(self) -> str | None:
        """Its app_voicemail mailbox (``101@default``); None without voicemail."""
        return f"{self.extension}@{VOICEMAIL_CONTEXT}" if self.voicemail else None

    def ring_options(self) -> dict[str, str]:
        """The AstDB keys (below ``hotdesk/``) of its mobile and presence options."""
        ext = self.extension
        keys: dict[str, str] = {}
        if self.mobile:
            keys[f"mobile/{ext}"] = self.mobile
            keys[f"mobilemode/{ext}"] = self.mobile_mode
        if self.presence != PRESENCE_OFF:
            keys[f"nearmode/{ext}"] = self.presence
        if self.presence == PRESENCE_FIRST or (
            self.mobile and self.mobile_mode == MOBILE_DELAYED
        ):
            keys[f"delay/{ext}"] = str(self.ring_delay)
        if self.mailbox is not None:
            keys[f"voicemail/{ext}"] = self.mailbox
        return keys


# The indexes that hold one key per value (the error when a key is taken).
_UNIQUE_INDEXES: Final = {
    "_by_dial_string": "duplicate_dial_string",
    "_by_scanner": "duplicate_scanner",
    "_by_reader": "duplicate_reader",
    "_by_extension": "duplicate_extension",
    "_by_tag": "duplicate_tag",
    "_by_card_key": "duplicate_card_key",
}
_INDEXES: Final = frozenset({*_UNIQUE_INDEXES, "_by_home_desk"})
# Rebuild whole when more than an eighth of the office changed at once.
_REBUILD_SHARE: Final = 8


def _item_id(item: Account | Desk) -> str:
    return item.account_id if isinstance(item, Account) else item.desk_id


def _merge_indexes(
    directory: Directory,
    previous: Directory,
    changed: set[str],
    parts: tuple[Directory, Directory],
) -> None:
    """``previous``'s unique indexes, with the changed ids' keys replaced.

    The keys the ``changed`` ids held (the first part) go; the second
    part's keys come.

    Raises the index's ``DirectoryError`` when a key of the second part
    belongs to another account or desk.
    """
    gone, came = parts
    for name, code in _UNIQUE_INDEXES.items():
        index: dict[str, Account | Desk] = dict(getattr(previous, name))
        for key, item in getattr(gone, name).items():
            if _item_id(item) in changed and index.get(key) is item:
                del index[key]
        for key, item in getattr(came, name).items():
            taken = index.get(key)
            if taken is not None and _item_id(taken) != _item_id(item):
                raise DirectoryError(code, value=key)
            index[key] = item
        object.__setattr__(directory, name, index)


@dataclass(frozen=True, slots=True)
class Directory:
    """Validated accounts and desks with the look-ups the hot paths need."""

    accounts: Mapping[str, Account]
    desks: Mapping[str, Desk]
    _by_extension: dict[str, Account] = field(init=False, repr=False)
    _by_tag: dict[str, Account] = field(init=False, repr=False)
    _by_card_key: dict[str, Account] = field(init=False, repr=False)
    _by_scanner: dict[str, Desk] = field(init=False, repr=False)
    _by_reader: dict[str, Desk] = field(init=False, repr=False)
    _by_dial_string: dict[str, Desk] = field(init=False, repr=False)
    # desk id -> the accounts whose home desk it is (what a desk change touches)
    _by_home_desk: dict[str, list[str]] = field(init=False, repr=False)

    @classmethod
    def build(cls, accounts: Iterable[Account], desks: Iterable[Desk]) -> Directory:
        """Validate and index; raise ``DirectoryError`` on the first problem."""
        return cls({a.account_id: a for a in accounts}, {d.desk_id: d for d in desks})

    @classmethod
    def rebuild(
        cls,
        previous: Directory,
        accounts: Iterable[Account],
        desks: Iterable[Desk],
    ) -> Directory:
        """``build``, checking only what changed since ``previous``.

        An account or desk that is the same object as in ``previous`` was
        checked then; the changed ones (and the accounts homed at a changed
        desk, whose routes it shapes) are checked by building a directory of
        just them, and their index keys are checked against the rest. The
        result, or the error, is that of ``build``; a change of one seat in
        an office of ten thousand costs that seat, not the office.
        """
        new_accounts = {a.account_id: a for a in accounts}
        new_desks = {d.desk_id: d for d in desks}
        return cls._rebuilt(
            previous,
            new_accounts,
            new_desks,
            changed_ids(previous.accounts, new_accounts),
            changed_ids(previous.desks, new_desks),
        )

    @classmethod
    def apply(
        cls,
        previous: Directory,
        accounts: Mapping[str, Account | None],
        desks: Mapping[str, Desk | None],
    ) -> Directory:
        """``rebuild`` from the changed accounts and desks alone (None: gone).

        The rest are ``previous``'s, copied whole (a copy of a dict, not a
        pass in Python over every seat).
        """
        new_accounts = dict(previous.accounts)
        new_desks = dict(previous.desks)
        for new, changes in ((new_accounts, accounts), (new_desks, desks)):
            for key, item in changes.items():
                if item is None:
                    new.pop(key, None)
                else:
                    new[key] = item  # type: ignore[assignment]
        return cls._rebuilt(
            previous,
            new_accounts,
            new_desks,
            [k for k, a in accounts.items() if previous.accounts.get(k) is not a],
            [k for k, d in desks.items() if previous.desks.get(k) is not d],
        )

    @classmethod
    def _rebuilt(
        cls,
        previous: Directory,
        new_accounts: dict[str, Account],
        new_desks: dict[str, Desk],
        accounts_changed: list[str],
        desks_changed: list[str],
    ) -> Directory:
        """The new directory, checking the changed ids against the rest."""
        changed = len(accounts_changed) + len(desks_changed)
        indexes = {f.name for f in fields(cls) if f.name.startswith("_by_")}
        size = len(new_accounts) + len(new_desks)
        if changed * _REBUILD_SHARE > size or indexes != _INDEXES:
            return cls(new_accounts, new_desks)
        homed = [
            account_id
            for desk_id in desks_changed
            for account_id in previous._by_home_desk.get(desk_id, ())
            if account_id in new_accounts
        ]

        def part(
            accounts: Mapping[str, Account],
            desks: Mapping[str, Desk],
            account_ids: Iterable[str],
        ) -> Directory:
            # Some accounts, their home desks and the changed desks.
            chosen = [accounts[i] for i in account_ids if i in accounts]
            desk_ids = {d for a in chosen for d in a.home_desks if d in desks}
            desk_ids.update(d for d in desks_changed if d in desks)
            return cls(
                {a.account_id: a for a in chosen}, {d: desks[d] for d in desk_ids}
            )

        directory = object.__new__(cls)
        object.__setattr__(directory, "accounts", new_accounts)
        object.__setattr__(directory, "desks", new_desks)
        # What the changed items held before, and what they are now (checked
        # by __post_init__ here: every rule of one account or desk).
        _merge_indexes(
            directory,
            previous,
            {*accounts_changed, *desks_changed},
            (
                part(previous.accounts, previous.desks, accounts_changed),
                part(new_accounts, new_desks, [*accounts_changed, *homed]),
            ),
        )
        # Copied whole, and each list touched copied before it changes.
        by_home = dict(previous._by_home_desk)
        touched: set[str] = set()
        for account_id in accounts_changed:
            if (old := previous.accounts.get(account_id)) is not None:
                for desk_id in old.home_desks:
                    by_home[desk_id] = [a for a in by_home[desk_id] if a != account_id]
                    touched.add(desk_id)
            if (new := new_accounts.get(account_id)) is not None:
                for desk_id in new.home_desks:
                    by_home[desk_id] = [*by_home.get(desk_id, ()), account_id]
                    touched.add(desk_id)
        for desk_id in touched:
            if not by_home[desk_id]:
                del by_home[desk_id]
        object.__setattr__(directory, "_by_home_desk", by_home)
        return directory

    def __post_init__(self) -> None:
        """Check every rule and build the indexes."""
        desks = list(self.desks.values())
        accounts = list(self.accounts.values())
        for desk in desks:
            # No length limit here: a desk stored before the limit existed
            # still loads; a route it makes too long is caught below, and a
            # value that does not fit at write time becomes a repair issue.
            _check_dial_string_syntax(desk.dial_string)
        for account in accounts:
            validate_extension(account.extension)
            _check_account_options(account)
            if not account.home_desks:
                raise DirectoryError("no_home_desk", account=account.name)
            for desk_id in account.home_desks:
                if desk_id not in self.desks:
                    raise DirectoryError("unknown_desk", desk=desk_id)
            self._check_route(account, ())
        indexes = {
            "_by_dial_string": _unique_index(
                ((d.dial_string, d) for d in desks), "duplicate_dial_string"
            ),
            "_by_scanner": _unique_index(
                ((s, d) for d in desks for s in d.scanners), "duplicate_scanner"
            ),
            "_by_reader": _unique_index(
                ((r, d) for d in desks for r in d.readers), "duplicate_reader"
            ),
            "_by_extension": _unique_index(
                ((a.extension, a) for a in accounts), "duplicate_extension"
            ),
            "_by_tag": _unique_index(
                ((t, a) for a in accounts for t in a.tags), "duplicate_tag"
            ),
            "_by_card_key": _unique_index(
                ((k, a) for a in accounts for k in a.card_keys), "duplicate_card_key"
            ),
        }
        for name, index in indexes.items():
            object.__setattr__(self, name, index)
        by_home: dict[str, list[str]] = {}
        for account in accounts:
            for desk_id in account.home_desks:
                by_home.setdefault(desk_id, []).append(account.account_id)
        object.__setattr__(self, "_by_home_desk", by_home)

    def account_by_extension(self, extension: str) -> Account | None:
        """The account that owns an extension."""
        return self._by_extension.get(extension)

    def account_by_tag(self, tag: str) -> Account | None:
        """The account that an identity (tag id or card UID) belongs to."""
        return self._by_tag.get(normalize_tag(tag))

    def accounts_homed_at(self, desk_id: str) -> list[str]:
        """The ids of the accounts whose home desk this is."""
        return list(self._by_home_desk.get(desk_id, ()))

    def account_by_card_key(self, fingerprint: str) -> Account | None:
        """The account whose card holds this PIV key (certificate fingerprint)."""
        return self._by_card_key.get(fingerprint)

    def desk_by_scanner(self, device_id: str) -> Desk | None:
        """The desk whose scanner is this HA device."""
        return self._by_scanner.get(device_id)

    def desk_by_reader(self, reader: str) -> Desk | None:
        """The desk a card reader (PC/SC name or bridge reader id) is bound to."""
        return self._by_reader.get(reader)

    def desk_by_device(self, device: str) -> Desk | None:
        """The desk whose dial string is this device (``PJSIP/desk1``)."""
        return self._by_dial_string.get(device)

    def desk_by_channel(self, channel: str) -> Desk | None:
        """The desk a channel belongs to."""
        return self._by_dial_string.get(device_of_channel(channel))

    def desk_by_leg(self, channel: str, dial_string: str) -> Desk | None:
        """The desk a dialled leg is for: by its channel, else by what was dialled.

        A linked site's desks share one trunk (``PJSIP/site-b-0000002a``):
        only the dialled string (``DialBegin``'s ``DialString``,
        ``deskb1@site-b``) says which desk.
        """
        desk = self.desk_by_channel(channel)
        if desk is None and dial_string:
            tech = channel.partition("/")[0]
            desk = self._by_dial_string.get(f"{tech}/{dial_string}")
        return desk

    def ring_set(self, account_id: str, logins: LoginIndex) -> list[str]:
        """Desk ids that ring for an account: home desks, then logged-in desks."""
        return self._ring_set(
            self.accounts[account_id], sorted(logins.desks_of(account_id))
        )

    def _ring_set(self, account: Account, logged_in: Iterable[str]) -> list[str]:
        """``ring_set`` given the desks (sorted) where the account is logged in."""
        desk_ids = list(account.home_desks)
        for desk_id in logged_in:
            if desk_id in self.desks and desk_id not in desk_ids:
                desk_ids.append(desk_id)
        return desk_ids

    def route(self, account_id: str, logins: LoginIndex) -> str:
        """The AstDB route value of an account: its ringing desks' dial strings."""
        return self._dial_strings(self.ring_set(account_id, logins))

    def _dial_strings(self, desk_ids: Iterable[str]) -> str:
        return "&".join(self.desks[d].dial_string for d in desk_ids)

    def _route(self, account: Account, logged_in: Iterable[str]) -> str:
        """``route`` given the desks where the account is logged in."""
        return self._dial_strings(self._ring_set(account, sorted(logged_in)))

    def _check_route(self, account: Account, logged_in: Iterable[str]) -> None:
        """Raise ``RouteTooLongError`` if the account's route would not fit."""
        length = len(self._route(account, logged_in).encode())
        if length > MAX_ASTDB_VALUE_LENGTH:
            raise RouteTooLongError(account.extension, length)

    def check_login(
        self,
        account_id: str,
        desk_id: str,
        logins: LoginIndex,
        *,
        keep_other_logins: bool = True,
    ) -> None:
        """Raise ``RouteTooLongError`` if this login would not fit in AstDB.

        ``keep_other_logins`` False: the account's other logins end with it
        (one login per account), so they do not count.
        """
        logged_in = logins.desks_of(account_id) if keep_other_logins else []
        if desk_id not in logged_in:
            logged_in.append(desk_id)
        self._check_route(self.accounts[account_id], logged_in)

    def astdb(self, logins: LoginIndex) -> dict[str, str]:
        """The whole ``hotdesk`` AstDB tree this directory implies.

        Keys are ``<family>/<key>`` below ``hotdesk``: ``route/<ext>``,
        ``desk/<desk id>``, ``login/<desk id>``, ``deskof/<dial string>``,
        and an account's ``mobile``, ``mobilemode``, ``nearmode`` and
        ``delay`` keys (``Account.ring_options``).
        """
        return dict(self.astdb_items(logins))

    def astdb_items(self, logins: LoginIndex) -> Iterator[tuple[str, str]]:
        """``astdb`` item by item (a caller that yields between items)."""
        for account in self.accounts.values():
            yield (
                f"route/{account.extension}",
                self._route(account, logins.desks_of(account.account_id)),
            )
            yield from account.ring_options().items()
        for desk in self.desks.values():
            yield f"desk/{desk.desk_id}", desk.dial_string
            yield f"deskof/{desk.dial_string}", desk.desk_id
        for desk_id, account_id in logged_in_pairs(logins, self):
            yield f"login/{desk_id}", self.accounts[account_id].extension

    def astdb_keys(
        self,
        logins: LoginIndex,
        account_ids: Iterable[str] = (),
        desk_ids: Iterable[str] = (),
    ) -> set[str]:
        """The keys of ``astdb(logins)`` that these accounts and desks shape.

        For a change of a few accounts and desks (or one login) the writer
        compares only these keys, before and after, instead of the whole
        tree: the cost stays that of the change, not of the office (an
        account's logins come from the index, not from reading them all).
        """
        accounts = set(account_ids)
        keys: set[str] = set()
        for desk_id in desk_ids:
            keys.add(f"login/{desk_id}")
            if (desk := self.desks.get(desk_id)) is not None:
                keys.add(f"desk/{desk_id}")
                keys.add(f"deskof/{desk.dial_string}")
                accounts.update(self._by_home_desk.get(desk_id, ()))
            if (login := logins.get(desk_id)) is not None:
                accounts.add(login)
        for account_id in accounts:
            keys.update(f"login/{desk_id}" for desk_id in logins.desks_of(account_id))
            if (account := self.accounts.get(account_id)) is not None:
                keys.add(f"route/{account.extension}")
                keys.update(
                    f"{family}/{account.extension}"
                    for family in ACCOUNT_OPTION_FAMILIES
                )
        return keys

    def astdb_values(
        self,
        logins: LoginIndex,
        keys: Iterable[str],
    ) -> dict[str, str]:
        """The values of some keys of ``astdb(logins)`` (keys it lacks left out).

        A route's value asks the index for the account's logins rather than
        reading them all, so a change of N accounts costs N, not N times the
        logins.
        """
        values: dict[str, str] = {}
        for key in keys:
            family, _, name = key.partition("/")
            value: str | None = None
            if family == "route":
                account = self._by_extension.get(name)
                if account is not None:
                    value = self._route(account, logins.desks_of(account.account_id))
            elif family == "desk":
                desk = self.desks.get(name)
                value = desk.dial_string if desk else None
            elif family == "deskof":
                desk = self._by_dial_string.get(name)
                value = desk.desk_id if desk else None
            elif family == "login" and name in self.desks:
                account = self.accounts.get(logins.get(name, ""))
                value = account.extension if account else None
            elif family in ACCOUNT_OPTION_FAMILIES:
                account = self._by_extension.get(name)
                value = account.ring_options().get(key) if account else None
            if value is not None:
                values[key] = value
        return values


def logged_in_pairs(
    logins: Mapping[str, str], directory: Directory
) -> list[tuple[str, str]]:
    """(desk id, account id) of the logins whose desk and account both exist."""
    return [
        (desk_id, account_id)
        for desk_id, account_id in logins.items()
        if desk_id in directory.desks and account_id in directory.accounts
    ]
