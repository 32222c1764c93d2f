"""Bookings at scale: which account each calendar event names, at N accounts.

A read of the desks' calendars asks of every event which account it books
(its extension, else an account's or a person's name, as whole words). This
times that question for a day of events in an office of N accounts:

- ``index``: the integration's way (``booking_words``): the accounts indexed
  once per read (timed apart), each event's words split once, and only
  names that begin with one of its words searched for;
- ``search_every_account``: the rule as it reads, one word-bounded search
  per extension and name, in the directory's order (the integration's way
  until 2026-12-05), on a sample of the events (it is slow);
- ``floor``: splitting each event's words and one dictionary look-up per
  word: the least that finding an extension among the words can cost.

Half the events name an extension, a quarter a name only, a quarter nobody
(an event that names nobody is the costliest for any way: every candidate
is looked at). Pure Python, no Home Assistant.

    python bench/bookings.py --size 10000     # records "bookings" in results.json
"""

from __future__ import annotations

import argparse
from pathlib import Path
import re
import statistics
import sys
import time

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import CLIENT_CPU, loadavg, pin, record
from custom_components.hotdesk_phone.booking_words import AccountNames, EventWords
from custom_components.hotdesk_phone.directory import Account, Desk, Directory

EVENTS = 2000
# Events the per-account search is timed on (each takes milliseconds).
SEARCH_SAMPLE = 40
REPEATS = 5
_WORD = re.compile(r"\w+")


def office(size: int) -> Directory:
    desks = [Desk(f"D{i:05d}", f"Desk {i}", f"PJSIP/desk{i}") for i in range(size)]
    accounts = [
        Account(
            f"A{i:05d}",
            f"Person{i} Surname{i % 97}",
            str(10000 + i),
            (f"D{i:05d}",),
            people=(f"person.p{i}",),
        )
        for i in range(size)
    ]
    return Directory.build(accounts, desks)


def events(size: int) -> list[str]:
    out = []
    for i in range(EVENTS):
        who = (i * 7919) % size
        kind = i % 4
        if kind < 2:
            out.append(f"Desk for {10000 + who}\nweekly sync, room 4")
        elif kind == 2:
            out.append(f"Person{who} Surname{who % 97} in the office\n")
        else:
            out.append("Team lunch at noon\nbring the slides for the review")
    return out


def search_every_account(
    text: str, directory: Directory, persons: dict[str, str]
) -> str | None:
    words = text.casefold()
    for account in directory.accounts.values():
        if re.search(rf"(?<!\w){re.escape(account.extension)}(?!\w)", words):
            return account.account_id
    for account in directory.accounts.values():
        names = [account.name, *(persons.get(p, "") for p in account.people)]
        for name in filter(None, names):
            if re.search(rf"(?<!\w){re.escape(name.casefold())}(?!\w)", words):
                return account.account_id
    return None


def timed(run: object) -> float:
    started = time.perf_counter()
    run()  # type: ignore[operator]
    return time.perf_counter() - started


def measure(size: int) -> dict[str, object]:
    directory = office(size)
    persons = {f"person.p{i}": f"Given{i} Family{i}" for i in range(size)}
    texts = events(size)
    builds, index_runs, floor_runs, search_runs = [], [], [], []
    extensions = {a.extension: a for a in directory.accounts.values()}
    for _ in range(REPEATS):
        builds.append(timed(lambda: AccountNames(directory, persons)))
        names = AccountNames(directory, persons)
        index_runs.append(
            timed(lambda names=names: [names.booked(EventWords(t)) for t in texts])
        )
        floor_runs.append(
            timed(
                lambda: [
                    [extensions.get(w) for w in _WORD.findall(t.casefold())]
                    for t in texts
                ]
            )
        )
    sample = texts[:SEARCH_SAMPLE]
    search_runs.extend(
        timed(lambda: [search_every_account(t, directory, persons) for t in sample])
        for _ in range(max(1, REPEATS // 2))
    )
    # The two ways agree on every sampled event.
    names = AccountNames(directory, persons)
    for text in sample:
        found = names.booked(EventWords(text))
        expected = search_every_account(text, directory, persons)
        if (found.account_id if found else None) != expected:
            raise SystemExit(f"the index and the search disagree on {text!r}")
    per_event_us = statistics.median(index_runs) / EVENTS * 1e6
    floor_us = statistics.median(floor_runs) / EVENTS * 1e6
    search_us = statistics.median(search_runs) / SEARCH_SAMPLE * 1e6
    return {
        "size": size,
        "events": EVENTS,
        "index_build_s": round(statistics.median(builds), 4),
        "per_event_us": round(per_event_us, 2),
        "floor_per_event_us": round(floor_us, 2),
        "ratio_to_floor": round(per_event_us / floor_us, 2),
        "search_every_account_per_event_us": round(search_us, 1),
        "search_every_account_over_index": round(search_us / per_event_us, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="bookings at scale")
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--no-record", action="store_true", help="print only")
    args = parser.parse_args()
    pin(CLIENT_CPU)
    load = loadavg()
    result = measure(args.size)
    result["loadavg_before"] = load
    print(result, flush=True)
    if args.no_record:
        return
    record(
        "bookings",
        {
            "what": "which account each of a day's calendar events names, in an "
            "office of N accounts (each with a person): the integration's index "
            "against splitting the words and one look-up per word (floor), and "
            "against one search per extension and name (the way before)",
            "unit": "microseconds per event; seconds for the index",
            "figures": result,
            "parameters": {
                "repeats": REPEATS,
                "statistic": "median",
                "search_sample": SEARCH_SAMPLE,
                "client_cpu": CLIENT_CPU,
            },
        },
    )


if __name__ == "__main__":
    main()
