"""Whom and which desk a calendar event names, by its words.

An event books the account whose extension it has as a word; else the first
account (in the directory's order) whose name, or one of whose persons'
names, it has as whole words. An event in a calendar shared by an area's
desks must also name the desk. Case does not count.

An office of 10,000 seats has 10,000 extensions and more names. A search of
each event for every one of them compiled and ran 20,000 patterns per event,
per desk sharing the calendar. Here an event's words are split once, and
only the names that begin with one of its words are searched for.
"""

from __future__ import annotations

from collections.abc import Mapping
import re

from .directory import Account, Desk, Directory

_WORD = re.compile(r"\w+")


class EventWords:
    """One event's words (summary and description), split once."""

    __slots__ = ("text", "words")

    def __init__(self, text: str) -> None:
        """Fold the case of ``text`` and split it into words."""
        self.text = text.casefold()
        self.words = frozenset(_WORD.findall(self.text))

    def names(self, folded: str) -> bool:
        """Whether ``folded`` (case folded) stands in the text as whole words.

        Not preceded or followed by a letter, digit or underscore. Such a
        match begins its first word where a word of the text begins and ends
        it where that word ends, so a name whose first word is not among the
        text's words is not in it.
        """
        first = _WORD.search(folded)
        if first is not None and first.group() not in self.words:
            return False
        return re.search(rf"(?<!\w){re.escape(folded)}(?!\w)", self.text) is not None


def names_desk(words: EventWords, desk: Desk) -> bool:
    """Whether an event's words name the desk (its name as words)."""
    name = desk.name.strip().casefold()
    return bool(name) and words.names(name)


class AccountNames:
    """The accounts as events name them: built once for a read of calendars."""

    def __init__(self, directory: Directory, person_names: Mapping[str, str]) -> None:
        """Index every account's extension and names.

        ``person_names``: person entity id -> its name.
        """
        # Extension -> (the account's place in the directory, the account).
        self._extensions: dict[str, tuple[int, Account]] = {}
        # A name's first word -> (place, the name case folded, the account).
        self._by_first_word: dict[str, list[tuple[int, str, Account]]] = {}
        # Names without a word character: searched for in full.
        self._wordless: list[tuple[int, str, Account]] = []
        for place, account in enumerate(directory.accounts.values()):
            # An extension is digits (the directory's rule): one word.
            self._extensions.setdefault(account.extension, (place, account))
            people = (person_names.get(p, "") for p in account.people)
            for name in filter(None, (account.name, *people)):
                folded = name.casefold()
                if (first := _WORD.search(folded)) is None:
                    self._wordless.append((place, folded, account))
                else:
                    self._by_first_word.setdefault(first.group(), []).append(
                        (place, folded, account)
                    )

    def booked(self, words: EventWords) -> Account | None:
        """The account the words name (its extension first); None: none."""
        by_extension = [
            self._extensions[word] for word in words.words if word in self._extensions
        ]
        if by_extension:
            return min(by_extension, key=lambda found: found[0])[1]
        best: tuple[int, Account] | None = None
        candidates = [
            *(c for word in words.words for c in self._by_first_word.get(word, ())),
            *self._wordless,
        ]
        for place, folded, account in candidates:
            if (best is None or place < best[0]) and words.names(folded):
                best = (place, account)
        return best[1] if best is not None else None
