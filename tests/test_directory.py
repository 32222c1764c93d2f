"""The directory: validation, look-ups and the AstDB tree."""

from __future__ import annotations

import pytest

from custom_components.hotdesk_phone.directory import (
    MAX_ASTDB_VALUE_LENGTH,
    Account,
    Desk,
    Directory,
    DirectoryError,
    RouteTooLongError,
    device_of_channel,
    normalize_tag,
    validate_dial_string,
    validate_dial_template,
    validate_extension,
    validate_tag,
)
from custom_components.hotdesk_phone.login_index import LoginIndex


def desks() -> list[Desk]:
    return [
        Desk("D1", "Desk 1", "PJSIP/desk1", scanners=frozenset({"dev1"})),
        Desk("D2", "Desk 2", "PJSIP/desk2", readers=frozenset({"ACS ACR122U 00 00"})),
        Desk("D3", "Desk 3", "PJSIP/desk-3f-12"),
    ]


def test_lookups_and_astdb() -> None:
    alice = Account("A", "Alice", "101", ("D1", "D2"), frozenset({"04A23B"}))
    bob = Account("B", "Bob", "102", ("D3",), frozenset({"tag-bob"}))
    directory = Directory.build([alice, bob], desks())
    assert directory.account_by_extension("101") is alice
    assert directory.account_by_tag("04:a2:3b") is alice
    assert directory.account_by_tag("tag-bob") is bob
    assert directory.account_by_tag("nope") is None
    assert directory.desk_by_scanner("dev1").desk_id == "D1"  # type: ignore[union-attr]
    assert directory.desk_by_reader("ACS ACR122U 00 00").desk_id == "D2"  # type: ignore[union-attr]
    assert directory.desk_by_channel("PJSIP/desk-3f-12-0000000a").desk_id == "D3"  # type: ignore[union-attr]
    assert directory.desk_by_device("PJSIP/desk9") is None
    logins = LoginIndex({"D3": "A"})
    assert directory.ring_set("A", logins) == ["D1", "D2", "D3"]
    assert directory.astdb(logins) == {
        "route/101": "PJSIP/desk1&PJSIP/desk2&PJSIP/desk-3f-12",
        "route/102": "PJSIP/desk-3f-12",
        "desk/D1": "PJSIP/desk1",
        "desk/D2": "PJSIP/desk2",
        "desk/D3": "PJSIP/desk-3f-12",
        "deskof/PJSIP/desk1": "D1",
        "deskof/PJSIP/desk2": "D2",
        "deskof/PJSIP/desk-3f-12": "D3",
        "login/D3": "101",
    }
    # A login of an account or desk that no longer exists is not written.
    assert "login/D9" not in directory.astdb(LoginIndex({"D9": "A", "D1": "Z"}))
    assert "login/D1" not in directory.astdb(LoginIndex({"D9": "A", "D1": "Z"}))


@pytest.mark.parametrize(
    ("accounts", "desk_list", "code"),
    [
        (
            [Account("A", "a", "101", ("D1",)), Account("B", "b", "101", ("D2",))],
            desks(),
            "duplicate_extension",
        ),
        ([Account("A", "a", "10x", ("D1",))], desks(), "invalid_extension"),
        ([Account("A", "a", "101", ())], desks(), "no_home_desk"),
        ([Account("A", "a", "101", ("D9",))], desks(), "unknown_desk"),
        (
            [
                Account("A", "a", "101", ("D1",), frozenset({"T"})),
                Account("B", "b", "102", ("D1",), frozenset({"T"})),
            ],
            desks(),
            "duplicate_tag",
        ),
        (
            [],
            [Desk("D1", "x", "PJSIP/a"), Desk("D2", "y", "PJSIP/a")],
            "duplicate_dial_string",
        ),
        (
            [],
            [
                Desk("D1", "x", "PJSIP/a", frozenset({"s"})),
                Desk("D2", "y", "PJSIP/b", frozenset({"s"})),
            ],
            "duplicate_scanner",
        ),
        (
            [],
            [
                Desk("D1", "x", "PJSIP/a", readers=frozenset({"r"})),
                Desk("D2", "y", "PJSIP/b", readers=frozenset({"r"})),
            ],
            "duplicate_reader",
        ),
        ([], [Desk("D1", "x", "desk1")], "invalid_dial_string"),
    ],
)
def test_validation_errors(
    accounts: list[Account], desk_list: list[Desk], code: str
) -> None:
    with pytest.raises(DirectoryError) as err:
        Directory.build(accounts, desk_list)
    assert err.value.code == code


@pytest.mark.parametrize(
    "dial_string",
    [
        "PJSIP/desk1&PJSIP/desk2",
        "PJSIP/desk 1",
        "PJSIP/a,b",
        "PJSIP/a|b",
        "PJSIP/a\r\nAction: x",
        "PJSIP/",
        "/desk",
        "PJSIP",
    ],
)
def test_bad_dial_strings(dial_string: str) -> None:
    with pytest.raises(DirectoryError) as err:
        validate_dial_string(dial_string)
    assert err.value.code == "invalid_dial_string"


@pytest.mark.parametrize(
    "dial_string",
    ["PJSIP/desk-3f-12", "SIP/100", "IAX2/host:port", "PJSIP/alice@example"],
)
def test_good_dial_strings(dial_string: str) -> None:
    assert validate_dial_string(f" {dial_string} ") == dial_string


def test_extensions_and_tags() -> None:
    assert validate_extension(" 101 ") == "101"
    for bad in ["", "1a", "1 2", "1\n2", "1" * 21]:
        with pytest.raises(DirectoryError):
            validate_extension(bad)
    assert normalize_tag("04:a2:3b:c1") == "04A23BC1"
    assert normalize_tag("04 A2 3B C1") == "04A23BC1"
    assert normalize_tag(" my-tag ") == "my-tag"
    assert validate_tag("abc-uuid") == "abc-uuid"
    for bad in ["", "  ", "a\nb", "x" * 201]:
        with pytest.raises(DirectoryError):
            validate_tag(bad)


def test_device_of_channel() -> None:
    assert device_of_channel("PJSIP/desk1-00000002") == "PJSIP/desk1"
    assert device_of_channel("Local/s@test-caller-00000001;1") == "Local/s@test-caller"
    assert device_of_channel("weird") == "weird"


def long_desks(count: int, length: int = 190) -> list[Desk]:
    """Desks whose dial strings are ``length`` characters long."""
    return [
        Desk(f"L{i}", f"Long {i}", f"PJSIP/{str(i) * (length - 6)}")
        for i in range(1, count + 1)
    ]


def test_dial_string_length_is_limited() -> None:
    """Issue 11 #2: a dial string of 5,000 characters is refused."""
    assert validate_dial_string("PJSIP/" + "a" * 194) == "PJSIP/" + "a" * 194
    with pytest.raises(DirectoryError) as err:
        validate_dial_string("PJSIP/" + "a" * 4994)
    assert err.value.code == "dial_string_too_long"
    assert err.value.placeholders == {"length": "5000", "max": "200"}


def test_home_desks_whose_route_does_not_fit_are_refused() -> None:
    """Issue 11 #2: a route value longer than one AMI line is never built."""
    fits = Account("A", "Alice", "101", ("L1", "L2", "L3", "L4", "L5"))
    assert len(Directory.build([fits], long_desks(6)).route("A", LoginIndex())) == 954
    too_many = Account("A", "Alice", "101", ("L1", "L2", "L3", "L4", "L5", "L6"))
    with pytest.raises(RouteTooLongError) as err:
        Directory.build([too_many], long_desks(6))
    assert err.value.code == "route_too_long"
    assert err.value.extension == "101"
    assert err.value.placeholders == {
        "extension": "101",
        "length": "1145",
        "max": str(MAX_ASTDB_VALUE_LENGTH),
    }


def test_login_that_makes_route_too_long_is_refused() -> None:
    """Issue 11 #2: the check sees the logins as they would be after it."""
    alice = Account("A", "Alice", "101", ("L1", "L2", "L3", "L4"))
    directory = Directory.build([alice], long_desks(7))
    directory.check_login("A", "L5", LoginIndex())
    at_l5 = LoginIndex({"L5": "A"})
    with pytest.raises(RouteTooLongError):
        directory.check_login("A", "L6", at_l5)
    # With one login per account, the login at L5 would end: it fits.
    directory.check_login("A", "L6", at_l5, keep_other_logins=False)
    # Logging in again where it is logged in already changes nothing.
    directory.check_login("A", "L5", at_l5)
    # Stored state beyond the limit is still written whole by astdb().
    both = LoginIndex({"L5": "A", "L6": "A"})
    assert len(directory.astdb(both)["route/101"]) == 1145


def test_a_linked_sites_desk_is_found_by_what_was_dialled() -> None:
    """Desks of a linked site share one trunk: the dialled string tells them apart."""
    remote = [
        Desk("B1", "B desk 1", "PJSIP/B1@site-b", site="entry-b"),
        Desk("B2", "B desk 2", "PJSIP/B2@site-b", site="entry-b"),
    ]
    directory = Directory.build([], [*desks(), *remote])
    assert directory.desk_by_leg("PJSIP/site-b-0000002a", "B2@site-b") is remote[1]
    assert directory.desk_by_leg("PJSIP/site-b-0000002b", "B1@site-b") is remote[0]
    # A local desk by its channel, whatever was dialled; a trunk leg to no
    # desk of ours is none.
    assert directory.desk_by_leg("PJSIP/desk1-00000001", "desk1").desk_id == "D1"
    assert directory.desk_by_leg("PJSIP/site-b-0000002c", "B9@site-b") is None
    assert [d.desk_id for d in directory.desks.values() if d.site is None] == [
        "D1",
        "D2",
        "D3",
    ]


def test_dial_template_names_the_desk_once() -> None:
    assert validate_dial_template(" PJSIP/{desk}@site-b ") == "PJSIP/{desk}@site-b"
    assert validate_dial_template("PJSIP/hd{desk}@b") == "PJSIP/hd{desk}@b"
    for bad, code in (
        ("PJSIP/site-b", "dial_template_without_desk"),
        ("PJSIP/{desk}{desk}@b", "dial_template_without_desk"),
        ("PJSIP/{desk}@site b", "invalid_dial_template"),
        ("PJSIP/{desk}@b&PJSIP/x", "invalid_dial_template"),
        ("{desk}", "invalid_dial_template"),
    ):
        with pytest.raises(DirectoryError) as err:
            validate_dial_template(bad)
        assert err.value.code == code, bad


class _CountedLogins(LoginIndex):
    """Logins that count how often they are read whole."""

    reads = 0

    def items(self):  # type: ignore[no-untyped-def]
        self.reads += 1
        return super().items()

    def __iter__(self):  # type: ignore[no-untyped-def]
        self.reads += 1
        return super().__iter__()


def _half_logged_in() -> tuple[Directory, _CountedLogins]:
    """100 accounts on 200 desks; half of them logged in at a second desk."""
    office = [Desk(f"D{i}", f"Desk {i}", f"PJSIP/desk{i}") for i in range(1, 201)]
    accounts = [
        Account(f"A{i}", f"Person {i}", str(1000 + i), (f"D{i}",))
        for i in range(1, 101)
    ]
    logins = _CountedLogins({f"D{100 + i}": f"A{i}" for i in range(1, 51)})
    logins.reads = 0
    return Directory.build(accounts, office), logins


def test_route_values_ask_the_login_index() -> None:
    """Many routes' values (an import) ask each account's logins, not all logins.

    Reading every login for each route key made a change of N accounts in an
    office with L logins cost N times L.
    """
    directory, logins = _half_logged_in()
    keys = [f"route/{1000 + i}" for i in range(1, 101)]
    values = directory.astdb_values(logins, keys)
    assert directory.astdb_keys(logins, ["A1", "A70"]) >= {"login/D101", "route/1001"}
    assert logins.reads == 0
    assert values["route/1001"] == "PJSIP/desk1&PJSIP/desk101"
    assert values["route/1100"] == "PJSIP/desk100"
    # The same values as the whole tree has.
    tree = directory.astdb(logins)
    assert values == {key: tree[key] for key in keys}


def test_ring_set_and_login_check_ask_the_login_index() -> None:
    """An incoming call's ring set and a login's check read no other logins.

    Both read every login before: each incoming call cost the number of
    people logged in anywhere in the office.
    """
    directory, logins = _half_logged_in()
    assert directory.ring_set("A1", logins) == ["D1", "D101"]
    assert directory.ring_set("A70", logins) == ["D70"]
    directory.check_login("A2", "D199", logins)
    directory.check_login("A2", "D199", logins, keep_other_logins=False)
    assert logins.reads == 0
