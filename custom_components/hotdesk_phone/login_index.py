"""Who is logged in where, read both ways: desk -> account, account -> desks.

A route, a ring set and the AstDB keys of a change each need one account's
logged-in desks. Finding them by reading every login would make every
incoming call and every change cost the size of the office, so the index
keeps the second direction beside the first and both change together.
Pure Python: the login book (``logins.py``) owns one and stores it.
"""

from __future__ import annotations

from collections.abc import ItemsView, Iterator, Mapping


class LoginIndex(Mapping[str, str]):
    """Desk id -> the account logged in there, with each account's desks."""

    __slots__ = ("_account_of", "_desks_of")

    def __init__(self, logins: Mapping[str, str] | None = None) -> None:
        """Empty, or holding ``logins`` (desk id -> account id)."""
        self._account_of: dict[str, str] = {}
        # Account id -> its desks; a dict keeps the order they came in.
        self._desks_of: dict[str, dict[str, None]] = {}
        for desk_id, account_id in (logins or {}).items():
            self.set(desk_id, account_id)

    def __getitem__(self, desk_id: str) -> str:
        """The account logged in at the desk."""
        return self._account_of[desk_id]

    def __contains__(self, desk_id: object) -> bool:
        """Whether someone is logged in at the desk."""
        return desk_id in self._account_of

    def __iter__(self) -> Iterator[str]:
        """The desks where someone is logged in."""
        return iter(self._account_of)

    def __len__(self) -> int:
        """How many desks have someone logged in."""
        return len(self._account_of)

    def __repr__(self) -> str:
        """The logins, desk id -> account id."""
        return f"LoginIndex({self._account_of!r})"

    def items(self) -> ItemsView[str, str]:
        """(desk id, account id) pairs, straight from the map (no look-ups)."""
        return self._account_of.items()

    def desks_of(self, account_id: str) -> list[str]:
        """The desks where an account is logged in, in the order it came."""
        return list(self._desks_of.get(account_id, ()))

    def set(self, desk_id: str, account_id: str) -> None:
        """The account is logged in at the desk (ending whoever was there)."""
        previous = self._account_of.get(desk_id)
        if previous == account_id:
            return
        if previous is not None:
            self._forget(desk_id, previous)
        self._account_of[desk_id] = account_id
        self._desks_of.setdefault(account_id, {})[desk_id] = None

    def unset(self, desk_id: str) -> str | None:
        """Nobody is logged in at the desk; returns who was."""
        account_id = self._account_of.pop(desk_id, None)
        if account_id is not None:
            self._forget(desk_id, account_id)
        return account_id

    def _forget(self, desk_id: str, account_id: str) -> None:
        desks = self._desks_of[account_id]
        del desks[desk_id]
        if not desks:
            del self._desks_of[account_id]
