"""Directory.rebuild (only what changed is checked) gives what build gives."""

from __future__ import annotations

from dataclasses import replace
import random
from typing import Any

import pytest

from custom_components.hotdesk_phone.directory import (
    Account,
    Desk,
    Directory,
    DirectoryError,
)

DESKS = 40
ACCOUNTS = 40


def office() -> tuple[dict[str, Account], dict[str, Desk]]:
    desks = {
        f"d{i}": Desk(
            desk_id=f"d{i}",
            name=f"Desk {i}",
            dial_string=f"PJSIP/desk{i}",
            scanners=frozenset({f"scanner-{i}"}),
            readers=frozenset({f"reader-{i}"} if i % 3 == 0 else ()),
        )
        for i in range(DESKS)
    }
    accounts = {
        f"a{i}": Account(
            account_id=f"a{i}",
            name=f"Person {i}",
            extension=str(200 + i),
            home_desks=(f"d{i % DESKS}", f"d{(i * 7) % DESKS}")
            if i % 4 == 0
            else (f"d{i % DESKS}",),
            tags=frozenset({f"tag-{i}"}),
        )
        for i in range(ACCOUNTS)
    }
    return accounts, desks


def mutate(
    rng: random.Random, accounts: dict[str, Account], desks: dict[str, Desk]
) -> None:
    """One change, as a form or an import makes it; sometimes a bad one."""
    account = accounts[rng.choice(sorted(accounts))]
    desk = desks[rng.choice(sorted(desks))]
    other = rng.randrange(ACCOUNTS)
    match rng.randrange(11):
        case 0:  # another extension, maybe one that is taken
            accounts[account.account_id] = replace(
                account, extension=str(200 + other if rng.random() < 0.5 else 900)
            )
        case 1:  # another tag, maybe one that is taken
            tag = f"tag-{other}" if rng.random() < 0.5 else f"new-{other}"
            accounts[account.account_id] = replace(account, tags=frozenset({tag}))
        case 2:  # other home desks, maybe one that does not exist
            home = (desk.desk_id, "d-gone") if rng.random() < 0.3 else (desk.desk_id,)
            accounts[account.account_id] = replace(account, home_desks=home)
        case 3:  # a new account
            accounts["a-new"] = Account(
                account_id="a-new",
                name="New",
                extension=str(300 if rng.random() < 0.7 else 200 + other),
                home_desks=(desk.desk_id,),
                tags=frozenset({f"tag-new-{other}"}),
            )
        case 4:  # an account removed
            del accounts[account.account_id]
        case 5:  # another dial string: taken, malformed or long
            dial = rng.choice(
                [
                    f"PJSIP/desk{other}",
                    "PJSIP/new",
                    "not a dial string",
                    "PJSIP/" + "x" * 199,
                ]
            )
            desks[desk.desk_id] = replace(desk, dial_string=dial)
        case 6:  # another scanner, maybe one that is taken
            scanner = f"scanner-{other}" if rng.random() < 0.5 else "scanner-new"
            desks[desk.desk_id] = replace(desk, scanners=frozenset({scanner}))
        case 7:  # a reader, maybe one that is taken
            desks[desk.desk_id] = replace(
                desk, readers=frozenset({rng.choice(["reader-0", "reader-new"])})
            )
        case 8:  # a new desk
            desks["d-new"] = Desk(
                desk_id="d-new",
                name="New desk",
                dial_string=rng.choice(["PJSIP/desk-new", f"PJSIP/desk{other}"]),
            )
        case 9:  # a desk removed (its accounts still name it: not valid)
            del desks[desk.desk_id]
        case _:  # a desk removed with its accounts' references (as subentries do)
            del desks[desk.desk_id]
            for key, item in list(accounts.items()):
                if desk.desk_id in item.home_desks:
                    home = tuple(d for d in item.home_desks if d != desk.desk_id)
                    if home:
                        accounts[key] = replace(item, home_desks=home)
                    else:
                        del accounts[key]


def view(directory: Directory) -> dict[str, Any]:
    """Everything a directory answers with, independent of dict order."""
    names = ("_by_extension", "_by_tag", "_by_scanner", "_by_reader", "_by_dial_string")
    return {
        "accounts": dict(directory.accounts),
        "desks": dict(directory.desks),
        **{name: dict(getattr(directory, name)) for name in names},
        "_by_home_desk": {k: sorted(v) for k, v in directory._by_home_desk.items()},
    }


def outcome(build: Any, *args: Any) -> tuple[str, Any]:
    try:
        return "ok", view(build(*args))
    except DirectoryError as err:
        return "error", err.code


@pytest.mark.parametrize("seed", range(40))
def test_rebuild_matches_build(seed: int) -> None:
    rng = random.Random(seed)  # noqa: S311 (reproducible changes, not secrets)
    accounts, desks = office()
    current = Directory.build(accounts.values(), desks.values())
    for _ in range(30):
        new_accounts, new_desks = dict(accounts), dict(desks)
        for _ in range(rng.randint(1, 3)):
            mutate(rng, new_accounts, new_desks)
        full = outcome(Directory.build, new_accounts.values(), new_desks.values())
        quick = outcome(
            Directory.rebuild, current, new_accounts.values(), new_desks.values()
        )
        if full[0] == "error" and quick[0] == "error":
            continue  # both refuse (the first problem found may differ)
        assert quick == full
        if full[0] == "ok":  # go on from the changed office
            accounts, desks = new_accounts, new_desks
            current = Directory.rebuild(current, accounts.values(), desks.values())


def test_one_bad_change_gives_builds_error() -> None:
    accounts, desks = office()
    current = Directory.build(accounts.values(), desks.values())
    taken = replace(accounts["a1"], extension=accounts["a2"].extension)
    with pytest.raises(DirectoryError) as err:
        Directory.rebuild(current, {**accounts, "a1": taken}.values(), desks.values())
    assert err.value.code == "duplicate_extension"
    moved = replace(desks["d1"], dial_string=desks["d2"].dial_string)
    with pytest.raises(DirectoryError) as err:
        Directory.rebuild(current, accounts.values(), {**desks, "d1": moved}.values())
    assert err.value.code == "duplicate_dial_string"
