"""Bulk provisioning, the pure part: CSV export, import plans, every bad row."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
import itertools
import re

import pytest

from custom_components.hotdesk_phone.bulk import (
    BulkImportError,
    Existing,
    export_csv,
    plan_import,
)

# The columns before accounts' mobile and presence ones: such files still
# import (those fields are kept as the accounts have them).
HEADER = (
    "type,id,name,extension,dial_string,home_desks,tags,scanners,readers,"
    "reader_users,people,notify_targets,watch_targets\n"
)
EMERGENCY_COLUMNS = (
    "emergency_elin,emergency_country,emergency_region,emergency_city,"
    "emergency_street,emergency_house_number,emergency_postcode,"
    "emergency_building,emergency_floor,emergency_room"
)
EXPORT_HEADER = HEADER.rstrip("\n") + (
    ",mobile,mobile_mode,presence,ring_delay,presence_entities,"
    + EMERGENCY_COLUMNS
    + ",queues,calendar\n"
)


def ids() -> Callable[[], str]:
    counter = itertools.count(1)
    return lambda: f"NEW{next(counter)}"


def office() -> list[Existing]:
    return [
        Existing(
            "D1",
            "desk",
            "Desk 1 (PJSIP/desk1)",
            {"name": "Desk 1", "dial_string": "PJSIP/desk1", "scanners": ["scanner-1"]},
        ),
        Existing(
            "D2",
            "desk",
            "Desk 2 (PJSIP/desk2)",
            {"name": "Desk 2", "dial_string": "PJSIP/desk2", "readers": ["bridge-2"]},
        ),
        Existing(
            "A1",
            "account",
            "Alice (101)",
            {
                "name": "Alice",
                "extension": "101",
                "home_desks": ["D1", "D2"],
                "tags": ["04A23BC1", "tag-alice"],
                "people": ["person.alice"],
                "notify_targets": ["mobile_app_alice"],
            },
        ),
    ]


def test_export_then_import_changes_nothing() -> None:
    text = export_csv(office())
    assert text.splitlines()[0] + "\n" == EXPORT_HEADER
    assert "account,A1,Alice,101,,PJSIP/desk1;PJSIP/desk2,04A23BC1;tag-alice" in text
    plan = plan_import(text, office(), remove_missing=True, new_id=ids())
    assert plan.empty
    assert plan.unchanged == 3


def test_a_title_without_its_number_is_updated() -> None:
    """A subentry titled with the plain name (before 1.2) gets the number."""
    old = [replace(e, title=e.data["name"]) for e in office()]
    plan = plan_import(export_csv(old), old, new_id=ids())
    assert plan.unchanged == 0
    assert [(c.subentry_id, c.title) for c in plan.update] == [
        ("D1", "Desk 1 (PJSIP/desk1)"),
        ("D2", "Desk 2 (PJSIP/desk2)"),
        ("A1", "Alice (101)"),
    ]
    # The data stays what it was (the fields the file leaves empty, empty).
    assert [c.data["name"] for c in plan.update] == ["Desk 1", "Desk 2", "Alice"]
    assert plan.update[0].data["scanners"] == ["scanner-1"]


def test_create_update_and_remove_in_one_file() -> None:
    text = (
        HEADER
        + "desk,,Desk 3,,PJSIP/desk3,,,scanner-3,,,,,\n"
        + "account,,Bob,102,,PJSIP/desk3;PJSIP/desk1,04 a1 b2 c3,,,,,notify.mobile_app_bob,\n"
        + "desk,D1,Desk One,,PJSIP/desk1,,,scanner-1,,,,,\n"
    )
    plan = plan_import(text, office(), remove_missing=True, new_id=ids())
    assert [(c.subentry_id, c.title) for c in plan.create] == [
        ("NEW1", "Desk 3 (PJSIP/desk3)"),
        ("NEW2", "Bob (102)"),
    ]
    bob = plan.create[1].data
    assert bob["home_desks"] == ["NEW1", "D1"]
    assert bob["tags"] == ["04A1B2C3"]
    assert bob["notify_targets"] == ["mobile_app_bob"]
    assert [(c.subentry_id, c.data["name"], c.title) for c in plan.update] == [
        ("D1", "Desk One", "Desk One (PJSIP/desk1)")
    ]
    assert sorted(r.subentry_id for r in plan.remove) == ["A1", "D2"]
    # Without removing, the others stay; a row matches by dial string / extension.
    text = HEADER + "account,,Alice B.,101,,PJSIP/desk2,,,,,,,\n"
    plan = plan_import(text, office(), new_id=ids())
    assert plan.create == []
    assert plan.remove == []
    assert plan.update[0].subentry_id == "A1"
    assert plan.update[0].data["home_desks"] == ["D2"]


def test_every_bad_row_is_reported() -> None:
    text = (
        HEADER
        + "phone,,X,,,,,,,,,,\n"  # line 2
        + "desk,,Desk 9,,PJSIP/bad desk,,,,,,,,\n"  # line 3
        + "account,,Eve,10a,,PJSIP/desk1,,,,,,,\n"  # line 4
        + "account,,Fay,105,,PJSIP/nowhere,,,,,,,\n"  # line 5
        + "account,,Gus,106,PJSIP/x,PJSIP/desk1,tag-alice,,,,bob,,\n"  # line 6
        + "desk,ZZZ,Desk 8,,PJSIP/desk8,,,,,,,,\n"  # line 7
        + "account,,,107,,,,,,,,,\n"  # line 8
        + "account,,Hal,101,,PJSIP/desk1,,,,,,,\n"  # line 9: Alice's extension
        + "account,,Ida,101,,PJSIP/desk1,,,,,,,\n"  # line 10: the same again
    )
    with pytest.raises(BulkImportError) as err:
        plan_import(text, office(), new_id=ids())
    found = [(e.line, e.column, e.code) for e in err.value.errors]
    assert found == [
        (2, "type", "bulk_unknown_type"),
        (3, "dial_string", "invalid_dial_string"),
        (4, "extension", "invalid_extension"),
        (5, "home_desks", "bulk_unknown_home_desk"),
        (6, "dial_string", "bulk_column_not_for_type"),
        (6, "people", "invalid_person"),
        (7, "id", "bulk_unknown_id"),
        (8, "name", "bulk_missing_name"),
        (8, "home_desks", "no_home_desk"),
        (10, "id", "bulk_duplicate_row"),
        (10, "extension", "duplicate_extension"),
    ]


def test_clash_with_what_the_file_leaves_alone() -> None:
    # Alice keeps tag-alice (not in the file, not removed): Gus may not take it.
    text = HEADER + "account,,Gus,106,,PJSIP/desk1,tag-alice,,,,,,\n"
    with pytest.raises(BulkImportError) as err:
        plan_import(text, office(), new_id=ids())
    assert [e.code for e in err.value.errors] == ["duplicate_tag"]


def test_header_problems() -> None:
    with pytest.raises(BulkImportError) as err:
        plan_import("name,colour\nx,y\n", office(), new_id=ids())
    assert [(e.line, e.code) for e in err.value.errors] == [
        (1, "bulk_unknown_column"),
        (1, "bulk_missing_column"),
    ]


def test_columns_in_any_order_and_blank_lines() -> None:
    text = "name,type,dial_string\nDesk 5,desk,PJSIP/desk5\n,,\n"
    plan = plan_import(text, office(), new_id=ids())
    assert [c.data["dial_string"] for c in plan.create] == ["PJSIP/desk5"]


def test_ten_thousand_rows_round_trip() -> None:
    desks = [
        Existing(
            f"D{i}",
            "desk",
            f"Desk {i} (PJSIP/d{i})",
            {"name": f"Desk {i}", "dial_string": f"PJSIP/d{i}"},
        )
        for i in range(10_000)
    ]
    accounts = [
        Existing(
            f"A{i}",
            "account",
            f"Seat {i} ({100_000 + i})",
            {
                "name": f"Seat {i}",
                "extension": str(100_000 + i),
                "home_desks": [f"D{i}"],
            },
        )
        for i in range(10_000)
    ]
    text = export_csv([*desks, *accounts])
    plan = plan_import(text, [*desks, *accounts], remove_missing=True, new_id=ids())
    assert plan.empty
    without_ids = re.sub(r"(?m)^(desk|account),[^,]*,", r"\1,,", text)
    fresh = plan_import(without_ids, [], new_id=ids())
    assert len(fresh.create) == 20_000


def test_mobile_and_presence_round_trip() -> None:
    """An account's mobile and presence options go out and come back."""
    items = office()
    alice = items[2]
    assert alice.subentry_type == "account"
    items[2] = replace(
        alice,
        data={
            **alice.data,
            "mobile": "PJSIP/+4917612345678@trunk",
            "mobile_mode": "delayed",
            "presence": "first",
            "ring_delay": 15,
            "presence_entities": ["sensor.alice_room"],
        },
    )
    text = export_csv(items)
    assert text.splitlines()[-1].endswith(
        # The emergency columns are a desk's: empty here; no queues.
        ",PJSIP/+4917612345678@trunk,delayed,first,15,sensor.alice_room" + "," * 12
    )
    assert plan_import(text, items, new_id=ids()).unchanged == 3
    # Into an office without them: the account gets them.
    plan = plan_import(text, office(), new_id=ids())
    assert [c.subentry_id for c in plan.update] == ["A1"]
    assert plan.update[0].data["mobile"] == "PJSIP/+4917612345678@trunk"
    assert plan.update[0].data["ring_delay"] == 15
    # A file without those columns keeps them.
    old_file = export_csv(office()).splitlines()
    old_file = [",".join(line.split(",")[:13]) for line in old_file]
    plan = plan_import("\n".join(old_file) + "\n", items, new_id=ids())
    assert plan.empty
    assert plan.unchanged == 3


def test_bad_mobile_and_presence_cells_are_reported() -> None:
    text = EXPORT_HEADER + (
        "desk,,Desk 1,,PJSIP/desk1,,,,,,,,,,,,,\n"
        "account,,Bob,102,,PJSIP/desk1,,,,,,,,PJSIP/bad number,sometimes,"
        "maybe,600,not-an-entity\n"
    )
    with pytest.raises(BulkImportError) as err:
        plan_import(text, [], new_id=ids())
    assert sorted((e.column, e.code) for e in err.value.errors) == [
        ("mobile", "invalid_mobile"),
        ("mobile_mode", "invalid_mobile_mode"),
        ("presence", "invalid_presence"),
        ("presence_entities", "invalid_presence_entity"),
        ("ring_delay", "invalid_ring_delay"),
    ]


def with_emergency() -> list[Existing]:
    """The office, Desk 1 with its own ELIN and location."""
    items = office()
    desk = items[0]
    items[0] = replace(
        desk,
        data={
            **desk.data,
            "emergency": {
                "elin": "+15551230001",
                "country": "US",
                "city": "Springfield",
                "street": "Main Street",
                "house_number": "12",
                "floor": "3",
                "room": "3.12 East",
            },
        },
    )
    return items


EMERGENCY_HEADER = "type,name,dial_string," + EMERGENCY_COLUMNS + "\n"


def emergency_row(cells: dict[str, str], dial: str = "PJSIP/desk1") -> str:
    """A desk row (header: EMERGENCY_HEADER) with these emergency cells."""
    names = EMERGENCY_COLUMNS.split(",")
    return (
        f"desk,Desk {dial[-1]},{dial},"
        + ",".join(cells.get(n.removeprefix("emergency_"), "") for n in names)
        + "\n"
    )


def test_emergency_data_round_trip() -> None:
    items = with_emergency()
    text = export_csv(items)
    desk1 = text.splitlines()[1]
    # The emergency cells, then the (account) queues column and the desk's
    # calendar, both empty.
    assert desk1.endswith(
        ",+15551230001,US,,Springfield,Main Street,12,,,3,3.12 East,,"
    )
    # Accounts leave the columns empty.
    assert text.splitlines()[-1].endswith("," * 12)
    plan = plan_import(text, items, remove_missing=True, new_id=ids())
    assert plan.empty
    assert plan.unchanged == 3
    # Into an office without it: Desk 1 gets it, as the form stores it.
    plan = plan_import(text, office(), new_id=ids())
    assert [c.subentry_id for c in plan.update] == ["D1"]
    assert plan.update[0].data["emergency"] == items[0].data["emergency"]
    # A new desk gets it; one without emergency data has no such key.
    fresh = plan_import(
        re.sub(r"(?m)^(desk|account),[^,]*,", r"\1,,", text), [], new_id=ids()
    )
    assert fresh.create[0].data["emergency"] == items[0].data["emergency"]
    assert "emergency" not in fresh.create[1].data


def test_emergency_cells_are_normalised_as_the_form_does() -> None:
    text = EMERGENCY_HEADER + emergency_row(
        {"elin": " +1 555 123 0001 ", "country": "us", "street": "Main   Street"}
    )
    plan = plan_import(text, office(), new_id=ids())
    assert plan.update[0].data["emergency"] == {
        "elin": "+15551230001",
        "country": "US",
        "street": "Main Street",
    }


def test_a_file_with_fewer_columns_keeps_the_lists_it_lacks() -> None:
    """A hand-written file of names and numbers wipes no tags, people or readers."""
    desks = [
        Existing(
            "D1",
            "desk",
            "Desk 1 (PJSIP/desk1)",
            {
                "name": "Desk 1",
                "dial_string": "PJSIP/desk1",
                "scanners": ["scanner-1"],
                "readers": ["bridge-1"],
                "reader_users": ["user-1"],
            },
        ),
        *office()[1:],
    ]
    text = (
        "type,name,extension,dial_string,home_desks\n"
        "desk,Desk One,,PJSIP/desk1,\n"
        "account,Alice Martin,101,,PJSIP/desk1;PJSIP/desk2\n"
        "account,Bob,102,,PJSIP/desk2\n"
    )
    plan = plan_import(text, desks, new_id=ids())
    desk, alice = plan.update
    assert desk.data["name"] == "Desk One"
    assert desk.data["scanners"] == ["scanner-1"]
    assert desk.data["readers"] == ["bridge-1"]
    assert desk.data["reader_users"] == ["user-1"]
    assert alice.data["name"] == "Alice Martin"
    assert alice.data["tags"] == ["04A23BC1", "tag-alice"]
    assert alice.data["people"] == ["person.alice"]
    assert alice.data["notify_targets"] == ["mobile_app_alice"]
    # A new row starts with none.
    (bob,) = plan.create
    assert (bob.data["tags"], bob.data["people"]) == ([], [])
    # With the column, its cells set the list (here: empty it).
    text = "type,name,dial_string,scanners\ndesk,Desk 1,PJSIP/desk1,\n"
    (desk,) = plan_import(text, desks, new_id=ids()).update
    assert desk.data["scanners"] == []
    assert desk.data["readers"] == ["bridge-1"]


def test_a_file_without_emergency_columns_keeps_the_desks_data() -> None:
    items = with_emergency()
    # An export from before these columns: only the first 18.
    old_file = [
        ",".join(line.split(",")[:18]) for line in export_csv(office()).splitlines()
    ]
    plan = plan_import("\n".join(old_file) + "\n", items, new_id=ids())
    assert plan.empty
    # A change to another field keeps the emergency data as it is.
    text = HEADER + "desk,D1,Desk One,,PJSIP/desk1,,,scanner-1,,,,,\n"
    plan = plan_import(text, items, new_id=ids())
    assert plan.update[0].data["name"] == "Desk One"
    assert plan.update[0].data["emergency"] == items[0].data["emergency"]


def test_only_the_emergency_columns_present_are_set() -> None:
    """A file with some of the columns keeps the fields of the others."""
    items = with_emergency()
    text = "type,name,dial_string,emergency_room\ndesk,Desk 1,PJSIP/desk1,4.01\n"
    plan = plan_import(text, items, new_id=ids())
    assert plan.update[0].data["emergency"] == {
        **items[0].data["emergency"],
        "room": "4.01",
    }


def test_empty_emergency_cells_clear_the_desks_data() -> None:
    items = with_emergency()
    plan = plan_import(EMERGENCY_HEADER + emergency_row({}), items, new_id=ids())
    assert [c.subentry_id for c in plan.update] == ["D1"]
    data = plan.update[0].data
    # Stored as the form stores a desk without any: no key at all.
    assert "emergency" not in data
    assert data["name"] == "Desk 1"
    # A desk without emergency data and empty cells: nothing to do.
    bare = [replace(office()[0], data={"name": "Desk 1", "dial_string": "PJSIP/desk1"})]
    plan = plan_import(EMERGENCY_HEADER + emergency_row({}), bare, new_id=ids())
    assert plan.empty


def test_bad_emergency_cells_are_reported_per_line_and_field() -> None:
    text = EMERGENCY_HEADER + (
        emergency_row({"elin": "12", "country": "USA"})  # line 2
        + emergency_row({"room": '"Room; 5"', "city": "x" * 61}, "PJSIP/desk2")
        + emergency_row({"elin": "+1555abc", "building": "A$1"}, "PJSIP/desk3")
    )
    with pytest.raises(BulkImportError) as err:
        plan_import(text, office(), new_id=ids())
    found = [(e.line, e.column, e.code) for e in err.value.errors]
    assert found == [
        (2, "emergency_elin", "invalid_elin"),
        (2, "emergency_country", "invalid_country"),
        (3, "emergency_city", "location_field_too_long"),
        (3, "emergency_room", "invalid_location_field"),
        (4, "emergency_elin", "invalid_elin"),
        (4, "emergency_building", "invalid_location_field"),
    ]
    # The reason's placeholder: the cell as written.
    assert err.value.errors[0].placeholders == {"value": "12"}
    assert err.value.errors[3].placeholders == {"value": "Room; 5"}


def test_an_account_row_with_emergency_values_is_refused() -> None:
    text = (
        "type,id,name,extension,home_desks,emergency_elin,emergency_floor\n"
        "account,A1,Alice,101,PJSIP/desk1,+15551230001,3\n"
    )
    with pytest.raises(BulkImportError) as err:
        plan_import(text, office(), new_id=ids())
    assert [(e.line, e.column, e.code) for e in err.value.errors] == [
        (2, "emergency_elin", "bulk_column_not_for_type"),
        (2, "emergency_floor", "bulk_column_not_for_type"),
    ]


@pytest.mark.parametrize(
    "reader",
    ["pc\x07desk", "r" * 201],
    ids=["control_character", "longer_than_the_form_allows"],
)
def test_reader_names_follow_the_desk_forms_rules(reader: str) -> None:
    """A reader the desk form refuses is refused by the import too."""
    text = HEADER + f'desk,,Desk 9,,PJSIP/desk9,,,,"{reader}",,,,\n'
    with pytest.raises(BulkImportError) as err:
        plan_import(text, office(), new_id=ids())
    assert [(e.line, e.column, e.code) for e in err.value.errors] == [
        (2, "readers", "invalid_reader")
    ]
