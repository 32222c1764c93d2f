"""The login book's index of desks by account agrees with its logins.

An account's sensor, busy lamp and call-back ask where the account is logged
in; the book answers from an index instead of reading every login, so that
index must follow every login, logout and takeover of a desk.
"""

from __future__ import annotations

import random

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from homeassistant.core import HomeAssistant

from custom_components.hotdesk_phone.const import DOMAIN
from custom_components.hotdesk_phone.logins import LoginBook

DESKS = [f"D{i}" for i in range(12)]
ACCOUNTS = [f"A{i}" for i in range(5)]


async def _never(*_: object) -> None:
    raise AssertionError("nothing expires in this test")


def _scan(book: LoginBook, account_id: str) -> list[str]:
    """The answer read from every login (what the index replaces)."""
    return [d for d, a in book.logins.items() if a == account_id]


@pytest.mark.parametrize("seed", range(20))
async def test_desks_of_follows_every_change(hass: HomeAssistant, seed: int) -> None:
    """Logins, logouts and desks taken over: the index equals a full read."""
    entry = MockConfigEntry(domain=DOMAIN, data={})
    entry.add_to_hass(hass)
    book = LoginBook(hass, entry, _never, _never)
    rng = random.Random(seed)  # noqa: S311 (a repeatable series, not a secret)
    for _ in range(200):
        desk_id = rng.choice(DESKS)
        if rng.random() < 0.6:
            book.add(desk_id, rng.choice(ACCOUNTS))
        else:
            book.remove(desk_id)
        for account_id in ACCOUNTS:
            assert sorted(book.logins.desks_of(account_id)) == sorted(
                _scan(book, account_id)
            )
    await book.async_stop()


async def test_desks_of_keeps_login_order(hass: HomeAssistant) -> None:
    """Desks come in the order the account logged in at them."""
    entry = MockConfigEntry(domain=DOMAIN, data={})
    entry.add_to_hass(hass)
    book = LoginBook(hass, entry, _never, _never)
    book.add("D2", "A")
    book.add("D1", "A")
    book.add("D3", "B")
    book.add("D2", "A")  # again at the same desk: no change
    assert book.logins.desks_of("A") == ["D2", "D1"]
    book.add("D1", "B")  # someone else takes the desk over
    assert book.logins.desks_of("A") == ["D2"]
    assert book.logins.desks_of("B") == ["D3", "D1"]
    book.remove("D2")
    assert book.logins.desks_of("A") == []
    assert book.logins.desks_of("nobody") == []
    await book.async_stop()
