"""Whom a calendar event books, by its words (booking_words.py)."""

from __future__ import annotations

import random
import re

from custom_components.hotdesk_phone.booking_words import (
    AccountNames,
    EventWords,
    names_desk,
)
from custom_components.hotdesk_phone.directory import Account, Desk, Directory

DESKS = [Desk("D1", "Desk 1", "PJSIP/desk1"), Desk("D2", "Window seat", "PJSIP/d2")]


def office(*accounts: Account) -> Directory:
    return Directory.build(list(accounts), DESKS)


def account(account_id: str, name: str, extension: str, *people: str) -> Account:
    return Account(account_id, name, extension, ("D1",), people=people)


def booked(
    directory: Directory, text: str, persons: dict[str, str] | None = None
) -> str | None:
    found = AccountNames(directory, persons or {}).booked(EventWords(text))
    return found.account_id if found else None


def test_an_extension_as_a_word_books_its_account() -> None:
    directory = office(account("A", "Alice", "101"), account("B", "Bob", "1010"))
    assert booked(directory, "Desk for 101") == "A"
    assert booked(directory, "desk for 1010, all day") == "B"
    # Part of a longer word or number is no extension.
    assert booked(directory, "x101 and 10101") is None
    assert booked(directory, "room_101") is None


def test_the_first_account_in_the_directory_wins_and_extensions_before_names() -> None:
    directory = office(
        account("A", "Alice", "101"),
        account("B", "Bob", "102"),
        account("C", "Carol", "103"),
    )
    # Both extensions named: the account first in the directory.
    assert booked(directory, "102 swaps with 101") == "A"
    # A name named first in the text still loses to an extension.
    assert booked(directory, "Alice hands over to 103") == "C"
    assert booked(directory, "Carol and Bob") == "B"


def test_names_are_whole_words_in_any_case() -> None:
    directory = office(
        account("A", "Al", "101"),
        account("B", "Anne-Marie O'Brien", "102"),
        account("C", "Straße", "103"),
        account("D", "+++", "104"),
    )
    assert booked(directory, "Alice") is None  # "Al" is no word of it
    assert booked(directory, "AL, all day") == "A"
    assert booked(directory, "for anne-marie o'brien (team)") == "B"
    assert booked(directory, "for anne-marie") is None
    assert booked(directory, "STRASSE") == "C"  # case folded both sides
    # A name without a letter or digit is searched for in full.
    assert booked(directory, "held by +++ today") == "D"
    assert booked(directory, "a+++b") is None


def test_a_persons_name_books_the_account() -> None:
    directory = office(account("A", "Reception", "101", "person.dana"))
    persons = {"person.dana": "Dana Scully", "person.other": "Fox"}
    assert booked(directory, "Dana Scully, 9-12", persons) == "A"
    assert booked(directory, "Dana", persons) is None
    assert booked(directory, "Fox", persons) is None


def test_names_desk() -> None:
    assert names_desk(EventWords("Alice at the WINDOW SEAT"), DESKS[1])
    assert not names_desk(EventWords("Alice at the window"), DESKS[1])
    assert names_desk(EventWords("desk 1: Alice"), DESKS[0])
    assert not names_desk(EventWords("desk 10: Alice"), DESKS[0])
    assert not names_desk(EventWords("anything"), Desk("D3", "  ", "PJSIP/d3"))


def search_every_account(
    text: str, directory: Directory, persons: dict[str, str]
) -> str | None:
    """The rule as one search per extension and name, in directory order."""
    words = text.casefold()
    for acc in directory.accounts.values():
        if re.search(rf"(?<!\w){re.escape(acc.extension)}(?!\w)", words):
            return acc.account_id
    for acc in directory.accounts.values():
        for name in filter(None, [acc.name, *(persons.get(p, "") for p in acc.people)]):
            if re.search(rf"(?<!\w){re.escape(name.casefold())}(?!\w)", words):
                return acc.account_id
    return None


def test_the_index_finds_what_a_search_for_every_account_finds() -> None:
    """Random names and texts: the index and the plain search agree."""
    rng = random.Random(20261205)  # noqa: S311 (test data, fixed seed)
    pieces = [
        "al",
        "ice",
        "bob",
        "ß",
        "ss",
        "-",
        "'",
        " ",
        ".",
        "+",
        "1",
        "0",
        "é",
        "_",
    ]

    def words(count: int) -> str:
        return "".join(rng.choice(pieces) for _ in range(count))

    checked = named = 0
    for _ in range(300):
        accounts = [
            account(
                f"A{i}",
                words(rng.randint(1, 5)),
                str(rng.randint(1, 30)),
                *([f"person.p{i}"] if rng.random() < 0.3 else []),
            )
            for i in range(rng.randint(1, 8))
        ]
        # Extensions are unique in a directory.
        unique = {a.extension: a for a in accounts}
        directory = office(*unique.values())
        persons = {f"person.p{i}": words(rng.randint(1, 4)) for i in range(8)}
        index = AccountNames(directory, persons)
        for _ in range(10):
            text = words(rng.randint(0, 14))
            expected = search_every_account(text, directory, persons)
            found = index.booked(EventWords(text))
            assert (found.account_id if found else None) == expected, text
            checked += 1
            named += expected is not None
    # The texts did name accounts often enough for the check to mean something.
    assert checked == 3000
    assert named > 300
