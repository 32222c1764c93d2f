"""The call tracker: recorded Asterisk sessions and generated event orders."""

from __future__ import annotations

from collections.abc import Iterable
import dataclasses

from hypothesis import given, settings, strategies as st
import pytest

from custom_components.hotdesk_phone.ami import ActiveChannel
from custom_components.hotdesk_phone.directory import Account, Desk, Directory
from custom_components.hotdesk_phone.login_index import LoginIndex
from custom_components.hotdesk_phone.tracker import (
    CallPhase,
    CallTracker,
    ClaimRefusedError,
    Notice,
    NoticeKind,
    Outcome,
    ScanAction,
    desk_state_of,
)

from .ami_server import transcript_events


def make_directory() -> Directory:
    return Directory.build(
        [
            Account("A", "Alice", "101", ("D1", "D2")),
            Account("C", "Carol", "102", ("D1", "D4")),
        ],
        [Desk(f"D{i}", f"Desk {i}", f"PJSIP/desk{i}") for i in range(1, 5)],
    )


def feed(tracker: CallTracker, events: Iterable[dict[str, str]]) -> list[Notice]:
    notices: list[Notice] = []
    for event in events:
        notices += tracker.handle(event["Event"], event)
    return notices


def kinds(notices: list[Notice]) -> list[NoticeKind]:
    return [
        n.kind
        for n in notices
        if n.kind not in (NoticeKind.RINGING_CHANGED, NoticeKind.DESK_STATE)
    ]


def test_missed_call_transcript() -> None:
    tracker = CallTracker(make_directory(), LoginIndex())
    events = transcript_events("call_missed.ami")
    first_dial_end = next(
        i
        for i, e in enumerate(events)
        if e["Event"] == "DialEnd" and e.get("DialStatus") == "CANCEL"
    )
    notices = feed(tracker, events[:first_dial_end])
    call = tracker.call_for_account("A")
    assert call is not None
    assert call.ringing_desks == ["D1", "D2"]
    assert call.caller_id_name == "Bob Caller"
    assert call.caller_id_number == "5550100"
    assert tracker.desk_states == {"D1": "ringing", "D2": "ringing"}
    notices += feed(tracker, events[first_dial_end:])
    assert kinds(notices) == [NoticeKind.INCOMING, NoticeKind.MISSED, NoticeKind.ENDED]
    assert call.outcome is Outcome.MISSED
    assert list(tracker.calls.values()) == []
    assert tracker.desk_states == {"D1": "idle", "D2": "idle"}


def test_claimed_and_answered_transcript() -> None:
    tracker = CallTracker(make_directory(), LoginIndex())
    events = transcript_events("call_claimed_answered.ami")
    redirect_at = next(
        i for i, e in enumerate(events) if e.get("Context") == "hotdesk-claim"
    )
    notices = feed(tracker, events[:redirect_at])
    call = tracker.call_for_account("A")
    assert call is not None
    assert tracker.decide_scan("A", "D4").action is ScanAction.CLAIM
    claimed = tracker.begin_claim(call.call_id, "D4")
    # A second claim while the first is in flight is refused.
    with pytest.raises(ClaimRefusedError, match="already_claimed"):
        tracker.begin_claim(call.call_id, "D3")
    assert tracker.decide_scan("A", "D3").action is ScanAction.REFUSE
    notices += tracker.finish_claim(claimed, "D4", redirected=True)
    assert call.claimed_from == ("D1", "D2")
    notices += feed(tracker, events[redirect_at:])
    assert kinds(notices) == [
        NoticeKind.INCOMING,
        NoticeKind.CLAIMED,
        NoticeKind.ANSWERED,
        NoticeKind.ENDED,
    ]
    assert call.answered_desk == "D4"
    assert call.outcome is Outcome.ANSWERED


def test_answered_directly_transcript() -> None:
    tracker = CallTracker(make_directory(), LoginIndex())
    notices = feed(tracker, transcript_events("call_answered_directly.ami"))
    assert kinds(notices) == [
        NoticeKind.INCOMING,
        NoticeKind.ANSWERED,
        NoticeKind.ENDED,
    ]
    answered = next(n for n in notices if n.kind is NoticeKind.ANSWERED)
    assert answered.desk_id == "D4"
    assert answered.call is not None
    assert answered.call.caller_id_name == "Carol"


def test_claim_refusals() -> None:
    tracker = CallTracker(make_directory(), LoginIndex())
    with pytest.raises(ClaimRefusedError, match="call_not_found"):
        tracker.begin_claim("nope", "D1")
    events = transcript_events("call_answered_directly.ami")
    # The desk leg going Up is the first sign of the answer.
    answer_at = next(
        i
        for i, e in enumerate(events)
        if e["Event"] == "Newstate"
        and e.get("ChannelStateDesc") == "Up"
        and e["Channel"].startswith("PJSIP/desk4")
    )
    feed(tracker, events[:answer_at])
    call = tracker.call_for_account("C")
    assert call is not None
    with pytest.raises(ClaimRefusedError, match="unknown_desk"):
        tracker.begin_claim(call.call_id, "D9")
    # A failed Redirect releases the call for the next claim.
    pending = tracker.begin_claim(call.call_id, "D2")
    assert tracker.finish_claim(pending, "D2", redirected=False) == []
    feed(tracker, events[answer_at:])
    assert call.phase is CallPhase.ENDED
    # Answered meanwhile: no claim, and a scan means login.
    tracker2 = CallTracker(make_directory(), LoginIndex())
    feed(tracker2, events[: answer_at + 1])
    call2 = tracker2.call_for_account("C")
    assert call2 is not None
    assert call2.phase is CallPhase.ANSWERED
    with pytest.raises(ClaimRefusedError, match="already_answered"):
        tracker2.begin_claim(call2.call_id, "D2")
    assert tracker2.decide_scan("C", "D2").action is ScanAction.LOGIN


def test_scan_login_logout_decisions() -> None:
    logins = LoginIndex()
    tracker = CallTracker(make_directory(), logins)
    assert tracker.decide_scan("A", "D3").action is ScanAction.LOGIN
    logins.set("D3", "A")
    assert tracker.decide_scan("A", "D3").action is ScanAction.LOGOUT
    assert tracker.decide_scan("C", "D3").action is ScanAction.LOGIN


def test_resync_ends_vanished_calls() -> None:
    tracker = CallTracker(make_directory(), LoginIndex())
    events = transcript_events("call_missed.ami")
    cut = next(i for i, e in enumerate(events) if e.get("DialStatus") == "CANCEL")
    feed(tracker, events[:cut])
    call = tracker.call_for_account("A")
    assert call is not None
    # The caller is still there but one desk leg vanished.
    first_leg = next(iter(call.ringing))
    tracker.resync_channels(
        [
            live(call.caller_channel, call.call_id),
            live("PJSIP/desk1-00000000", first_leg),
        ]
    )
    assert len(call.ringing) == 1
    notices = tracker.resync_channels([])
    assert kinds(notices) == [NoticeKind.MISSED, NoticeKind.ENDED]
    assert tracker.resync_channels([]) == []


def live(
    channel: str,
    uniqueid: str,
    *,
    linkedid: str = "L.1",
    state: str = "Ringing",
    application: str = "AppDial",
    extension: str = "101",
    caller: tuple[str, str] = ("5550100", "Bob"),
) -> ActiveChannel:
    return ActiveChannel(
        channel=channel,
        uniqueid=uniqueid,
        linkedid=linkedid,
        state=state,
        caller_id_number=caller[0],
        caller_id_name=caller[1],
        context="hotdesk-inbound" if application == "Dial" else "from-desk",
        extension=extension,
        application=application,
        bridge_id="",
    )


def test_adopts_calls_that_rang_before_connect() -> None:
    tracker = CallTracker(make_directory(), LoginIndex())
    notices = tracker.resync_channels(
        [
            live("Local/s@in-00000001;1", "L.1", state="Up", application="Dial"),
            live("PJSIP/desk1-00000001", "L.2"),
            live("PJSIP/desk2-00000002", "L.3"),
            live("PJSIP/desk3-00000003", "L.4"),  # not Alice's desk: ignored
            live(
                "Local/s@in-00000002;1",
                "M.1",
                linkedid="M.1",
                state="Up",
                application="Dial",
                extension="102",
                caller=("<unknown>", "Carol"),
            ),
            live("PJSIP/desk4-00000004", "M.2", linkedid="M.1", state="Up"),
            live(
                "Local/s@in-00000003;1",
                "N.1",
                linkedid="N.1",
                state="Up",
                application="Dial",
                extension="999",
            ),
        ]
    )
    alice = tracker.call_for_account("A")
    carol = tracker.call_for_account("C")
    assert alice is not None
    assert carol is not None
    assert alice.ringing_desks == ["D1", "D2"]
    assert alice.caller_channel == "Local/s@in-00000001;1"
    assert (carol.phase, carol.answered_desk, carol.caller_id_number) == (
        CallPhase.ANSWERED,
        "D4",
        "",
    )
    assert len(tracker.calls) == 2
    assert {n.kind for n in notices} == {NoticeKind.RINGING_CHANGED}
    # Adopted calls go on like any other: the desk legs' events still count.
    assert kinds(
        tracker.handle(
            "DialEnd",
            {"Uniqueid": "L.1", "DestUniqueid": "L.2", "DialStatus": "ANSWER"},
        )
    ) == [NoticeKind.ANSWERED]
    # A later resync keeps Alice's call (not adopted twice) and ends Carol's.
    later = tracker.resync_channels(
        [live("Local/s@in-00000001;1", "L.1", state="Up", application="Dial")]
    )
    assert [(n.kind, n.call.call_id) for n in later if n.call] == [
        (NoticeKind.ENDED, "M.1")
    ]
    assert list(tracker.calls) == ["L.1"]


def test_desk_states() -> None:
    tracker = CallTracker(make_directory(), LoginIndex())
    assert desk_state_of("Not in use") == "idle"
    assert desk_state_of("RINGINUSE") == "ringing"
    assert desk_state_of("ONHOLD") == "in_call"
    assert desk_state_of("whatever") == "offline"
    notices = tracker.resync_desk_states(
        {"PJSIP/desk1": "UNAVAILABLE", "PJSIP/other": "INUSE"}
    )
    assert [(n.kind, n.desk_id) for n in notices] == [(NoticeKind.DESK_STATE, "D1")]
    assert tracker.desk_states == {"D1": "offline"}
    assert tracker.resync_desk_states({"PJSIP/desk1": "UNAVAILABLE"}) == []


def test_unrelated_events_are_ignored() -> None:
    tracker = CallTracker(make_directory(), LoginIndex())
    assert tracker.handle("VarSet", {}) == []
    assert (
        tracker.handle(
            "DialBegin",
            {"Uniqueid": "1", "DestChannel": "PJSIP/desk1-1", "Exten": "999"},
        )
        == []
    )
    assert tracker.handle("DialBegin", {"DestChannel": "Local/x-1;1"}) == []
    assert tracker.handle("DialEnd", {"Uniqueid": "nope"}) == []
    assert tracker.handle("Hangup", {"Uniqueid": "nope"}) == []
    assert (
        tracker.handle("Newstate", {"Uniqueid": "nope", "ChannelStateDesc": "Up"}) == []
    )


def test_calls_from_other_contexts_are_not_tracked() -> None:
    """Issue 11 #7: an IVR dialling a desk with Exten 101 is not Alice's call."""
    tracker = CallTracker(make_directory(), LoginIndex())
    ivr = {
        "Channel": "PJSIP/trunk-00000001",
        "Uniqueid": "7.1",
        "Context": "ivr-main",
        "Exten": "101",
        "CallerIDNum": "5550100",
        "CallerIDName": "Bob",
        "DestChannel": "PJSIP/desk1-00000002",
        "DestUniqueid": "7.2",
    }
    assert tracker.handle("DialBegin", ivr) == []
    assert tracker.calls == {}
    # So a scan of Alice at another desk is a login, not a claim of it.
    assert tracker.decide_scan("A", "D3").action is ScanAction.LOGIN
    # Nor is such a call adopted after a reconnect.
    ivr_caller = live("PJSIP/trunk-00000001", "7.1", state="Up", application="Dial")
    ivr_caller = dataclasses.replace(ivr_caller, context="ivr-main")
    assert tracker.resync_channels([ivr_caller, live("PJSIP/desk1-02", "7.2")]) == []
    assert tracker.calls == {}
    # The same DialBegin from the hot-desk routing context is tracked.
    notices = tracker.handle("DialBegin", {**ivr, "Context": "hotdesk-inbound"})
    assert kinds(notices) == [NoticeKind.INCOMING]


def test_claim_without_reply_is_reconciled_from_channels() -> None:
    """Issue 11 #1: a claim whose Redirect got no reply waits for the PBX."""
    tracker = CallTracker(make_directory(), LoginIndex())
    events = transcript_events("call_claimed_answered.ami")
    redirect_at = next(
        i for i, e in enumerate(events) if e.get("Context") == "hotdesk-claim"
    )
    feed(tracker, events[:redirect_at])
    call = tracker.call_for_account("A")
    assert call is not None
    tracker.begin_claim(call.call_id, "D4")
    assert tracker.finish_claim(call, "D4", redirected=None) == []
    # Reserved meanwhile: no second claim can move it.
    assert tracker.decide_scan("A", "D3").action is ScanAction.REFUSE
    caller = live(
        call.caller_channel,
        call.call_id,
        linkedid=call.call_id,
        state="Up",
        application="Dial",
        extension="D4",
    )
    moved = dataclasses.replace(caller, context="hotdesk-claim")
    leg = live("PJSIP/desk4-00000004", "L.9", linkedid=call.call_id, state="Up")
    notices = tracker.resync_channels([moved, leg])
    assert [(n.kind, n.desk_id) for n in notices] == [
        (NoticeKind.CLAIMED, "D4"),
        (NoticeKind.ANSWERED, "D4"),
    ]
    assert tracker.resync_channels([moved, leg]) == []  # nothing twice
    assert kinds(tracker.resync_channels([])) == [NoticeKind.ENDED]
    assert call.outcome is Outcome.ANSWERED


def test_claim_without_reply_that_did_not_move_is_released() -> None:
    tracker = CallTracker(make_directory(), LoginIndex())
    events = transcript_events("call_missed.ami")
    cut = next(i for i, e in enumerate(events) if e.get("DialStatus") == "CANCEL")
    feed(tracker, events[:cut])
    call = tracker.call_for_account("A")
    assert call is not None
    tracker.begin_claim(call.call_id, "D4")
    tracker.finish_claim(call, "D4", redirected=None)
    caller = live(
        call.caller_channel,
        call.call_id,
        linkedid=call.call_id,
        state="Up",
        application="Dial",
    )
    notices = tracker.resync_channels([caller])
    assert [(n.kind, n.desk_id) for n in notices] == [(NoticeKind.CLAIM_FAILED, "D4")]
    assert "D4" not in call.allowed_desks
    assert tracker.decide_scan("A", "D4").action is ScanAction.CLAIM


def test_events_settle_a_claim_without_reply() -> None:
    """The PBX's events after a lost reply show the move: claimed then."""
    tracker = CallTracker(make_directory(), LoginIndex())
    events = transcript_events("call_claimed_answered.ami")
    redirect_at = next(
        i for i, e in enumerate(events) if e.get("Context") == "hotdesk-claim"
    )
    feed(tracker, events[:redirect_at])
    call = tracker.call_for_account("A")
    assert call is not None
    tracker.begin_claim(call.call_id, "D4")
    tracker.finish_claim(call, "D4", redirected=None)
    notices = feed(tracker, events[redirect_at:])
    assert [(n.kind, n.desk_id) for n in notices if n.kind in SETTLED] == [
        (NoticeKind.CLAIMED, "D4"),
        (NoticeKind.ANSWERED, "D4"),
        (NoticeKind.ENDED, None),
    ]
    assert call.outcome is Outcome.ANSWERED


SETTLED = (NoticeKind.CLAIMED, NoticeKind.ANSWERED, NoticeKind.ENDED)


def test_hangup_before_the_reply_of_a_claim_seen_moving() -> None:
    tracker = CallTracker(make_directory(), LoginIndex())
    events = transcript_events("call_claimed_answered.ami")
    redirect_at = next(
        i for i, e in enumerate(events) if e.get("Context") == "hotdesk-claim"
    )
    feed(tracker, events[:redirect_at])
    call = tracker.call_for_account("A")
    assert call is not None
    tracker.begin_claim(call.call_id, "D4")
    moved_at = next(
        i
        for i, e in enumerate(events)
        if e["Event"] == "DialBegin" and e.get("Context") == "hotdesk-claim"
    )
    # The PBX moves the call: no claim is announced before the reply.
    assert NoticeKind.CLAIMED not in kinds(
        feed(tracker, events[redirect_at : moved_at + 1])
    )
    assert call.moved_to == "D4"
    notices = tracker.handle("Hangup", {"Uniqueid": call.call_id})
    assert kinds(notices) == [NoticeKind.ENDED]
    assert call.outcome is Outcome.CLAIMED_UNANSWERED
    assert tracker.finish_claim(call, "D4", redirected=True) == []


# Generated event orders.

DESKS = ["D1", "D2", "D3", "D4"]


def call_events(
    call_no: int, ring: list[str], answer: str | None, claim: str | None
) -> list[dict[str, str]]:
    """Asterisk-shaped events of one call to 101 (Alice: home D1, D2)."""
    caller = f"99.{call_no}"
    base = {
        "Channel": f"Local/s@test-caller-{call_no:08x};1",
        "Uniqueid": caller,
        "Context": "hotdesk-inbound",
        "Exten": "101",
        "CallerIDNum": "5550100",
        "CallerIDName": "Bob",
    }
    events: list[dict[str, str]] = []
    legs = {desk: f"{caller}.{i}" for i, desk in enumerate(ring)}
    for desk, leg in legs.items():
        events.append(
            {
                "Event": "DialBegin",
                **base,
                "DestChannel": f"PJSIP/desk{desk[1]}-00000001",
                "DestUniqueid": leg,
            }
        )
    for desk, leg in legs.items():
        status = "ANSWER" if desk == answer else "CANCEL"
        events.append(
            {
                "Event": "DialEnd",
                **base,
                "DestChannel": f"PJSIP/desk{desk[1]}-00000001",
                "DestUniqueid": leg,
                "DialStatus": status,
            }
        )
        events.append(
            {
                "Event": "Hangup",
                "Channel": f"PJSIP/desk{desk[1]}-00000001",
                "Uniqueid": leg,
            }
        )
    if claim is not None:
        leg = f"{caller}.claim"
        events.append(
            {
                "Event": "DialBegin",
                **base,
                "Context": "hotdesk-claim",
                "Exten": claim,
                "DestChannel": f"PJSIP/desk{claim[1]}-00000009",
                "DestUniqueid": leg,
            }
        )
        events.append(
            {
                "Event": "DialEnd",
                **base,
                "DestChannel": f"PJSIP/desk{claim[1]}-00000009",
                "DestUniqueid": leg,
                "DialStatus": "NOANSWER",
            }
        )
    events.append({"Event": "Hangup", **base})
    return events


scenario = st.tuples(
    st.lists(st.sampled_from(["D1", "D2"]), min_size=1, max_size=2, unique=True),
    st.one_of(st.none(), st.sampled_from(DESKS)),
    st.one_of(st.none(), st.sampled_from(DESKS)),
)


@settings(max_examples=300, deadline=None)
@given(
    calls=st.lists(scenario, min_size=1, max_size=4),
    data=st.data(),
)
def test_invariants_under_random_orders(
    calls: list[tuple[list[str], str | None, str | None]], data: st.DataObject
) -> None:
    tracker = CallTracker(make_directory(), LoginIndex())
    streams: list[list[dict[str, str]]] = []
    for number, (ring, answer, claim) in enumerate(calls):
        answer_at = answer if answer in ring else None
        stream = call_events(number, ring, answer_at, claim)
        # Drop and duplicate some events, but keep each call's order.
        kept: list[dict[str, str]] = []
        for event in stream:
            choice = data.draw(st.sampled_from(["keep", "keep", "keep", "drop", "dup"]))
            if choice != "drop":
                kept.append(event)
            if choice == "dup":
                kept.append(dict(event))
        streams.append(kept)
    # Interleave the calls in a random order.
    merged: list[dict[str, str]] = []
    cursors = [0] * len(streams)
    while any(c < len(s) for c, s in zip(cursors, streams, strict=True)):
        open_streams = [i for i, s in enumerate(streams) if cursors[i] < len(s)]
        i = data.draw(st.sampled_from(open_streams))
        merged.append(streams[i][cursors[i]])
        cursors[i] += 1
    ended: dict[str, int] = {}
    missed: set[str] = set()
    claimed: set[str] = set()
    claim_plan = {f"99.{n}": c for n, (_, _, c) in enumerate(calls)}
    for event in merged:
        # Claim right before the PBX would move the call (its claim DialBegin).
        call = tracker.calls.get(event.get("Uniqueid", ""))
        target = claim_plan.get(event.get("Uniqueid", ""))
        if (
            call is not None
            and target is not None
            and event.get("Exten") == target
            and call.claimed_desk is None
        ):
            try:
                pending = tracker.begin_claim(call.call_id, target)
            except ClaimRefusedError:
                pass
            else:
                tracker.finish_claim(pending, target, redirected=True)
                claimed.add(call.call_id)
        for notice in tracker.handle(event["Event"], event):
            assert notice.call is not None or notice.kind is NoticeKind.DESK_STATE
            if notice.kind is NoticeKind.ENDED:
                assert notice.call is not None
                ended[notice.call.call_id] = ended.get(notice.call.call_id, 0) + 1
            if notice.kind is NoticeKind.MISSED:
                assert notice.call is not None
                missed.add(notice.call.call_id)
        for active in list(tracker.calls.values()):
            # A call rings at most its desks (home desks and its claim target).
            assert set(active.ringing_desks) <= active.allowed_desks
            assert active.allowed_desks <= {"D1", "D2"} | (
                {active.claimed_desk} if active.claimed_desk else set()
            )
            if active.phase is not CallPhase.RINGING:
                assert not active.ringing
    assert all(count == 1 for count in ended.values())
    assert not (missed & claimed)
    # Resync with no live channels ends everything exactly once.
    for notice in tracker.resync_channels([]):
        if notice.kind is NoticeKind.ENDED and notice.call is not None:
            ended[notice.call.call_id] = ended.get(notice.call.call_id, 0) + 1
            assert (
                notice.call.call_id not in missed or notice.call.call_id not in claimed
            )
    assert all(count == 1 for count in ended.values())
    assert list(tracker.calls.values()) == []


def test_two_calls_for_one_account_follow_one_rule() -> None:
    """Issue 14: a ringing call first (the oldest, which a scan claims), else the newest.

    The Caller sensor switched back to the older call just as the newer
    one was answered: the account shows the call that changed last.
    """
    tracker = CallTracker(make_directory(), LoginIndex())
    first, second = (
        call_events(1, ["D1"], "D1", None),
        call_events(2, ["D2"], "D2", None),
    )
    dial_begin, answer = 1, 3  # DialBegin, then DialEnd (ANSWER) + Hangup of the leg
    feed(tracker, first[:dial_begin])
    assert tracker.call_for_account("A") is tracker.calls["99.1"]
    feed(tracker, first[dial_begin:answer])
    # The first call is answered; the second rings: the ringing one is shown.
    feed(tracker, second[:dial_begin])
    assert tracker.call_for_account("A") is tracker.calls["99.2"]
    # The second is answered too: the newest call, not the older one.
    feed(tracker, second[dial_begin:answer])
    assert tracker.calls["99.2"].phase is CallPhase.ANSWERED
    assert tracker.call_for_account("A") is tracker.calls["99.2"]
    # The newest ends: the older call, still going, is shown again.
    feed(tracker, second[answer:])
    assert tracker.call_for_account("A") is tracker.calls["99.1"]


def test_two_ringing_calls_show_the_oldest() -> None:
    tracker = CallTracker(make_directory(), LoginIndex())
    feed(tracker, call_events(1, ["D1"], None, None)[:1])
    feed(tracker, call_events(2, ["D2"], None, None)[:1])
    call = tracker.call_for_account("A")
    assert call is tracker.calls["99.1"]
    assert tracker.decide_scan("A", "D3").call is call


# Ring where the person is, and the mobile leg (issue 15).

CALLER = "Local/s@test-caller-00000001;1"


def dial_begin(
    dest: str, dest_uid: str, context: str = "hotdesk-inbound"
) -> dict[str, str]:
    return {
        "Event": "DialBegin",
        "Uniqueid": "C1",
        "Channel": CALLER,
        "Context": context,
        "Exten": "101",
        "CallerIDNum": "5550100",
        "CallerIDName": "Bob",
        "DestChannel": dest,
        "DestUniqueid": dest_uid,
    }


def dial_end(dest_uid: str, status: str) -> dict[str, str]:
    return {
        "Event": "DialEnd",
        "Uniqueid": "C1",
        "DestUniqueid": dest_uid,
        "DialStatus": status,
    }


def test_two_phase_call_near_desks_then_all() -> None:
    """Near desks, then every desk: one call, claimable throughout, ends once."""
    near = {"A": ("D3",)}
    tracker = CallTracker(make_directory(), LoginIndex(), near)
    notices = feed(tracker, [dial_begin("PJSIP/desk3-00000002", "L3")])
    call = tracker.calls["C1"]
    # The near desk is Alice's for this call, beside her home desks.
    assert call.allowed_desks == {"D1", "D2", "D3"}
    assert call.ringing_desks == ["D3"]
    # Phase one times out: nothing rings for a moment, the call goes on.
    notices += feed(tracker, [dial_end("L3", "NOANSWER")])
    assert call.ringing_desks == []
    assert tracker.decide_scan("A", "D4").action is ScanAction.CLAIM
    notices += feed(
        tracker,
        [
            dial_begin("PJSIP/desk3-00000003", "M3"),
            dial_begin("PJSIP/desk1-00000004", "M1"),
            dial_begin("PJSIP/desk2-00000005", "M2"),
        ],
    )
    assert call.ringing_desks == ["D3", "D1", "D2"]
    notices += feed(
        tracker,
        [
            dial_end("M3", "CANCEL"),
            dial_end("M1", "CANCEL"),
            dial_end("M2", "CANCEL"),
            {"Event": "Hangup", "Uniqueid": "C1"},
        ],
    )
    assert kinds(notices) == [NoticeKind.INCOMING, NoticeKind.MISSED, NoticeKind.ENDED]
    assert call.outcome is Outcome.MISSED


def test_mobile_leg_answers_first() -> None:
    tracker = CallTracker(make_directory(), LoginIndex())
    notices = feed(
        tracker,
        [
            dial_begin("PJSIP/desk1-00000002", "L1"),
            dial_begin("PJSIP/desk2-00000003", "L2"),
            dial_begin("Local/101@hotdesk-mobile-00000004;1", "LM"),
        ],
    )
    call = tracker.calls["C1"]
    assert call.ringing_desks == ["D1", "D2"]
    assert call.mobile_ringing
    assert not call.away
    notices += feed(
        tracker,
        [
            dial_end("LM", "ANSWER"),
            dial_end("L1", "CANCEL"),
            dial_end("L2", "CANCEL"),
            {"Event": "Hangup", "Uniqueid": "C1"},
        ],
    )
    assert kinds(notices) == [
        NoticeKind.INCOMING,
        NoticeKind.ANSWERED,
        NoticeKind.ENDED,
    ]
    answered = next(n for n in notices if n.kind is NoticeKind.ANSWERED)
    assert answered.desk_id == "mobile"
    assert (call.answered_mobile, call.answered_desk) == (True, None)
    assert call.outcome is Outcome.ANSWERED


def test_mobile_leg_of_another_extension_is_not_ours() -> None:
    tracker = CallTracker(make_directory(), LoginIndex())
    feed(
        tracker,
        [
            dial_begin("PJSIP/desk1-00000002", "L1"),
            dial_begin("Local/102@hotdesk-mobile-00000004;1", "LM"),
        ],
    )
    assert not tracker.calls["C1"].mobile_ringing


def test_away_call_rings_the_mobile_only_and_stays_claimable() -> None:
    tracker = CallTracker(make_directory(), LoginIndex())
    notices = feed(tracker, [dial_begin("Local/101@hotdesk-away-00000004;1", "LM")])
    call = tracker.calls["C1"]
    assert (call.away, call.mobile_ringing, call.ringing_desks) == (True, True, [])
    # The person was somewhere the PBX did not know: a scan still claims it.
    assert tracker.decide_scan("A", "D3").action is ScanAction.CLAIM
    claimed = tracker.begin_claim("C1", "D3")
    notices += tracker.finish_claim(claimed, "D3", redirected=True)
    assert kinds(notices) == [NoticeKind.INCOMING, NoticeKind.CLAIMED]


def test_adopted_call_answered_on_the_mobile() -> None:
    tracker = CallTracker(make_directory(), LoginIndex())

    def channel(name: str, uid: str, state: str, app: str = "") -> ActiveChannel:
        return ActiveChannel(
            channel=name,
            uniqueid=uid,
            linkedid="C1",
            context="hotdesk-inbound" if uid == "C1" else "",
            extension="101" if uid == "C1" else "",
            state=state,
            application=app,
            caller_id_number="5550100",
            caller_id_name="Bob",
            bridge_id="",
        )

    tracker.resync_channels(
        [
            channel(CALLER, "C1", "Up", "Dial"),
            channel("Local/101@hotdesk-mobile-00000004;1", "LM", "Up"),
        ]
    )
    call = tracker.calls["C1"]
    assert (call.phase, call.answered_mobile) == (CallPhase.ANSWERED, True)
