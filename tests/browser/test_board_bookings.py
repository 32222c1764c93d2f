"""Desk bookings on the hot-desk board, in a real browser (issue 23).

The same office as ``test_board.py`` (``scripts/develop`` on a free loopback
port, a real Asterisk and SIPp desk phones; headless Debian Chromium), set up
over HA's REST API: two local calendars (HA's own integration), Desk 2 and
Desk 3 naming one each, and Alice (101) and Carol (102). An event in Desk 3's
calendar, created with the calendar's own action, books it for Carol: the
board shows who has the desk until when (and Carol is logged in there). The
admin then opens *Book this desk* on Desk 3 (refused: Carol has it, in words)
and on Desk 2 (whose tile shows Carol's booking later today, from when),
books it for Alice until a time before that, and the board shows Alice's
booking and login. Desk 1 has no calendar: no *Book this desk*.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.browser.test_board import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    PASSWORD,
    STEP_TIMEOUT,
    USER,
    Office,
    _flow,
    _onboard,
    _wait_for_ha,
    add_pbx,
    http,
    office,  # noqa: F401 - the fixture
)

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.timeout(900)]


def test_board_shows_a_booking_and_books_a_desk(office: Office) -> None:  # noqa: F811
    from playwright.sync_api import expect, sync_playwright  # noqa: PLC0415

    # HA and the browser both run in the office's zone, where it is midday:
    # every booking below is today's.
    zone = ZoneInfo(office.time_zone)

    def _hhmm(when: datetime) -> str:
        return when.astimezone(zone).strftime("%H:%M")

    def _on_board(when: datetime) -> str:
        """A time as the board shows it to an English user (hour, minute, AM/PM)."""
        return when.astimezone(zone).strftime("%I:%M %p")

    now = datetime.now(UTC).replace(second=0, microsecond=0)
    carol_end = now + timedelta(minutes=40)
    alice_end = now + timedelta(minutes=50)
    # Carol's later booking of Desk 2, after Alice's.
    later = (now + timedelta(minutes=60), now + timedelta(minutes=70))
    assert later[1].astimezone(zone).date() == now.astimezone(zone).date()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    _wait_for_ha(office)
    base = office.base
    token = _onboard(base)
    pbx = office.pbx

    for name in ("Desk 2", "Desk 3"):
        _flow(base, token, "flow", "local_calendar", {"calendar_name": name})
    entry_id = add_pbx(base, token, pbx)
    for n, calendar in ((1, None), (2, "calendar.desk_2"), (3, "calendar.desk_3")):
        desk: dict[str, Any] = {"name": f"Desk {n}", "dial_string": f"PJSIP/desk{n}"}
        if calendar:
            desk["calendar"] = calendar
        _flow(base, token, "subentries/flow", [entry_id, "desk"], desk)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        page = browser.new_page(
            viewport={"width": 1280, "height": 900}, timezone_id=office.time_zone
        )
        page.set_default_timeout(STEP_TIMEOUT)
        try:
            page.goto(f"{base}/")
            page.get_by_role("textbox", name="Username").fill(USER)
            page.get_by_role("textbox", name="Password").fill(PASSWORD)
            page.get_by_role("button", name="Log in").click()
            page.wait_for_url(f"{base}/lovelace/**", timeout=60_000)
            desks = {
                sub["title"].partition(" (")[0]: sub["subentry_id"]
                for sub in page.evaluate(
                    """id => document.querySelector('home-assistant').hass.callWS({
                        type: 'config_entries/subentries/list', entry_id: id})""",
                    entry_id,
                )
                if sub["subentry_type"] == "desk"
            }
            for name, extension, home in (("Alice", "101", 1), ("Carol", "102", 1)):
                _flow(
                    base,
                    token,
                    "subentries/flow",
                    [entry_id, "account"],
                    {
                        "name": name,
                        "extension": extension,
                        "home_desks": [desks[f"Desk {home}"]],
                    },
                )
            # Carol's booking of Desk 2 later today, made in the calendar.
            http(
                f"{base}/api/services/calendar/create_event",
                {
                    "entity_id": "calendar.desk_2",
                    "summary": "Carol (102)",
                    "start_date_time": later[0].isoformat(),
                    "end_date_time": later[1].isoformat(),
                },
                token,
            )
            # Carol's booking of Desk 3, on now, made in the calendar.
            http(
                f"{base}/api/services/calendar/create_event",
                {
                    "entity_id": "calendar.desk_3",
                    "summary": "Carol (102)",
                    "start_date_time": (now - timedelta(minutes=1)).isoformat(),
                    "end_date_time": carol_end.isoformat(),
                },
                token,
            )

            page.evaluate(
                """c => document.querySelector('home-assistant').hass.callWS({
                    type: 'lovelace/config/save', config: c})""",
                {
                    "title": "Office",
                    "views": [
                        {
                            "title": "Desks",
                            "path": "desks",
                            "cards": [
                                {"type": "custom:hotdesk-board", "title": "Desks"}
                            ],
                        }
                    ],
                },
            )
            page.goto(f"{base}/lovelace/desks")
            board = page.locator("hotdesk-board")
            expect(board.locator(".tile")).to_have_count(3)
            tile = {n: board.locator(".tile", has_text=f"Desk {n}") for n in (1, 2, 3)}

            # The calendar's booking: who has Desk 3 until when; Carol is
            # logged in there by it.
            expect(tile[3].locator(".booking")).to_have_text(
                f"Booked by Carol (102) until {_on_board(carol_end)}"
            )
            expect(tile[3].locator(".login")).to_contain_text("Carol (102) since")
            # Desk 1 names no calendar: nothing to book there.
            expect(tile[1].locator(".booking")).to_have_count(0)
            expect(tile[1].get_by_role("button", name="Book this desk")).to_have_count(
                0
            )
            board.screenshot(path=str(ARTIFACTS / "17-board-booking.png"))

            # Book Desk 3 for Alice: refused in words, Carol has it.
            tile[3].get_by_role("button", name="Book this desk").click()
            form = tile[3].locator(".book-form")
            form.get_by_role(
                "combobox", name="Account to book Desk 3 for"
            ).select_option(label="Alice (101)")
            form.locator("input.book-until").fill(_hhmm(alice_end))
            form.get_by_role("button", name="Book", exact=True).click()
            expect(board.locator(".message")).to_contain_text(
                f"Desk 3 is already booked by Carol from {_hhmm(now - timedelta(minutes=1))}"
                f" to {_hhmm(carol_end)}"
            )
            form.get_by_role("button", name="Cancel").click()
            expect(form).to_have_count(0)

            # Book Desk 2 for Alice until a time today, before Carol's
            # booking later on (which the tile shows from when).
            expect(tile[2].locator(".booking")).to_have_text(
                f"Booked by Carol (102) from {_on_board(later[0])}"
                f" to {_on_board(later[1])}"
            )
            expect(tile[2].locator(".login")).to_contain_text("Nobody logged in")
            tile[2].get_by_role("button", name="Book this desk").click()
            form = tile[2].locator(".book-form")
            # The form proposes an end time (a full hour later today).
            assert re.fullmatch(
                r"\d\d:\d\d", form.locator("input.book-until").input_value()
            )
            form.get_by_role(
                "combobox", name="Account to book Desk 2 for"
            ).select_option(label="Alice (101)")
            form.locator("input.book-until").fill(_hhmm(alice_end))
            board.screenshot(path=str(ARTIFACTS / "18-board-book-this-desk.png"))
            form.get_by_role("button", name="Book", exact=True).click()
            expect(form).to_have_count(0)
            expect(tile[2].locator(".booking")).to_have_text(
                f"Booked by Alice (101) until {_on_board(alice_end)}"
            )
            expect(tile[2].locator(".login")).to_contain_text("Alice (101) since")
            board.screenshot(path=str(ARTIFACTS / "19-board-booked.png"))

            # The event is in Desk 2's calendar, named as bookings read it.
            events = http(
                f"{base}/api/calendars/calendar.desk_2?start="
                f"{now.isoformat().replace('+00:00', 'Z')}&end="
                f"{(now + timedelta(hours=2)).isoformat().replace('+00:00', 'Z')}",
                token=token,
            )
            summaries = [e["summary"] for e in events]
            assert summaries == ["Alice (101)", "Carol (102)"], events

            # The booking in the card's other languages.
            for language, booked, book in (
                ("de", "Gebucht von Alice (101) bis ", "Diesen Tisch buchen"),
                ("zh-Hans", "Alice (101) 已预订，至 ", "预订此工位"),  # noqa: RUF001
            ):
                page.evaluate(
                    """v => document.querySelector('home-assistant').hass.callWS({
                        type: 'frontend/set_user_data', key: 'language', value: v})""",
                    {
                        "language": language,
                        "number_format": "language",
                        "time_format": "language",
                        "date_format": "language",
                        "time_zone": "local",
                        "first_weekday": "language",
                    },
                )
                page.goto(f"{base}/lovelace/desks")
                page.wait_for_function(
                    f"document.querySelector('home-assistant').hass?.language"
                    f" === '{language}'"
                )
                expect(tile[2].locator(".booking")).to_contain_text(booked)
                expect(tile[2].get_by_role("button", name=book)).to_be_visible()
                board.screenshot(
                    path=str(ARTIFACTS / f"20-board-booked-{language}.png")
                )
        except Exception:
            page.screenshot(path=str(ARTIFACTS / "failure-bookings.png"))
            (ARTIFACTS / "failure-bookings-aria.txt").write_text(
                page.locator("body").aria_snapshot()
            )
            raise
        finally:
            browser.close()
