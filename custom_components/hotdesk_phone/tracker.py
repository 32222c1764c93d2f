"""Call tracking: from AMI events to calls, and what a scan means.

Pure Python: no Home Assistant imports (ruff's TID251 and
tests/test_architecture_doc.py check it). Which desks ring for a call,
whether a scan claims it, and how each call ends are decided here. The
tracker never talks to the PBX; it returns notices that the HA glue turns
into events, entity updates and AMI actions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

from .ami import ActiveChannel
from .const import (
    CONTEXT_AWAY,
    CONTEXT_CLAIM,
    CONTEXT_INBOUND,
    CONTEXT_MOBILE,
    CONTEXT_MOBILE_LATER,
)
from .directory import Directory, device_of_channel
from .login_index import LoginIndex

# A call is an account's call only when the shipped dialplan's routing
# context dials it: an IVR or queue elsewhere that dials a desk with the
# same Exten is someone else's call (and must never be redirected).
_ROUTING_CONTEXTS: Final = frozenset({CONTEXT_INBOUND})
# What the dialplan dials for an account on do not disturb: a Local channel
# that rings nobody, so that the call still shows up as call events.
DND_CHANNEL: Final = "Local/dnd@hotdesk-dnd"
# The mobile leg: a Local channel ``Local/<extension>@<one of these>`` that
# dials the account's mobile (hotdesk-away: instead of the desks, as the
# person is away; it rings nobody when there is no mobile).
_MOBILE_CONTEXTS: Final = frozenset(
    {CONTEXT_MOBILE, CONTEXT_MOBILE_LATER, CONTEXT_AWAY}
)
# What ``Call.ringing`` holds (instead of a desk id) for the mobile leg, and
# the ``desk_id`` of a call answered there.
MOBILE: Final = "mobile"


def mobile_leg_of(channel: str) -> tuple[str, str] | None:
    """``(extension, context)`` of a mobile-leg channel name, else None."""
    device = device_of_channel(channel)
    if not device.startswith("Local/"):
        return None
    extension, _, context = device.removeprefix("Local/").partition("@")
    return (extension, context) if context in _MOBILE_CONTEXTS else None


class DeskState(StrEnum):
    """A desk phone's call state (the desk sensor's states)."""

    IDLE = "idle"
    RINGING = "ringing"
    IN_CALL = "in_call"
    # The PBX cannot reach the phone (not registered). Not HA's
    # ``unavailable``, which says the entity itself is broken.
    OFFLINE = "offline"


class AccountState(StrEnum):
    """An account's call state (the account sensor's states)."""

    IDLE = "idle"
    RINGING = "ringing"
    IN_CALL = "in_call"


# Asterisk device states -> a desk's call state.
_DESK_STATES: Final = {
    "NOT_INUSE": DeskState.IDLE,
    "NOT_IN_USE": DeskState.IDLE,
    "IN_USE": DeskState.IN_CALL,
    "ON_HOLD": DeskState.IN_CALL,
    "RING+INUSE": DeskState.RINGING,
    "RINGING": DeskState.RINGING,
    "RINGINUSE": DeskState.RINGING,
    "INUSE": DeskState.IN_CALL,
    "BUSY": DeskState.IN_CALL,
    "ONHOLD": DeskState.IN_CALL,
    "UNAVAILABLE": DeskState.OFFLINE,
    "INVALID": DeskState.OFFLINE,
    "UNKNOWN": DeskState.OFFLINE,
}


def desk_state_of(device_state: str) -> DeskState:
    """A desk's call state for an Asterisk device state."""
    return _DESK_STATES.get(device_state.upper().replace(" ", "_"), DeskState.OFFLINE)


class CallPhase(StrEnum):
    """Where a call is in its life."""

    RINGING = "ringing"
    ANSWERED = "answered"
    ENDED = "ended"


class Outcome(StrEnum):
    """How a call ended."""

    ANSWERED = "answered"
    MISSED = "missed"
    CLAIMED_UNANSWERED = "claimed_unanswered"
    DECLINED = "declined"


class NoticeKind(StrEnum):
    """What the tracker tells the HA glue."""

    INCOMING = "incoming_call"
    CLAIMED = "call_claimed"
    ANSWERED = "call_answered"
    MISSED = "call_missed"
    ENDED = "call_ended"
    RINGING_CHANGED = "ringing_changed"
    DESK_STATE = "desk_state"
    # A claim whose Redirect got no reply turned out not to have moved the
    # call (the PBX shows it where it was): the glue reports it refused.
    CLAIM_FAILED = "claim_failed"


@dataclass(slots=True)
class Call:
    """One call to a configured extension."""

    call_id: str
    caller_channel: str
    account_id: str
    extension: str
    caller_id_number: str
    caller_id_name: str
    allowed_desks: set[str]
    ringing: dict[str, str] = field(default_factory=dict)  # dest uniqueid -> desk
    phase: CallPhase = CallPhase.RINGING
    answered_desk: str | None = None
    claimed_desk: str | None = None
    # A claim's or a decline's Redirect waits for its reply: the call is
    # reserved (the first one wins).
    claim_pending: bool = False
    # The desk a claim in flight moves the call to, and whether its
    # Redirect got no reply (then only the PBX can say whether it moved).
    claim_target: str | None = None
    claim_unsure: bool = False
    # The desk the PBX was seen dialling from the claim context.
    moved_to: str | None = None
    claimed_from: tuple[str, ...] = ()
    declined: bool = False
    # The account is on do not disturb: the PBX rang nobody and sent the
    # caller where unanswered calls go; nothing may move the call.
    dnd: bool = False
    # The person was away: the PBX skipped the desks (the mobile rings, if
    # the account has one). A scan at a desk may still claim the call.
    away: bool = False
    # Answered on the account's mobile (``answered_desk`` stays None).
    answered_mobile: bool = False
    outcome: Outcome | None = None

    @property
    def ringing_desks(self) -> list[str]:
        """Desk ids ringing now, without repeats, in the order they began."""
        return [d for d in dict.fromkeys(self.ringing.values()) if d != MOBILE]

    @property
    def mobile_ringing(self) -> bool:
        """Whether the PBX is dialling the account's mobile now."""
        return MOBILE in self.ringing.values()


@dataclass(frozen=True, slots=True)
class Notice:
    """Something that happened, for events and entities."""

    kind: NoticeKind
    call: Call | None = None
    desk_id: str | None = None


def owners_of(notices: Iterable[Notice]) -> list[str]:
    """The desks and accounts whose entities some notices change."""
    owners: list[str] = []
    for notice in notices:
        if notice.desk_id is not None:
            owners.append(notice.desk_id)
        if notice.call is not None:
            owners.append(notice.call.account_id)
    return owners


class ReservationRefusedError(Exception):
    """The call may not be claimed or declined; ``reason`` is a translation key."""

    def __init__(self, reason: str) -> None:
        """Keep why."""
        super().__init__(reason)
        self.reason = reason


class ClaimRefusedError(ReservationRefusedError):
    """A claim that must not move the call."""


class DeclineRefusedError(ReservationRefusedError):
    """A decline that must not send the call away."""


class ScanAction(StrEnum):
    """What a scan of an account at a desk does."""

    CLAIM = "claim"
    LOGIN = "login"
    LOGOUT = "logout"
    REFUSE = "refuse"


@dataclass(frozen=True, slots=True)
class ScanDecision:
    """The meaning of one scan."""

    action: ScanAction
    call: Call | None = None
    reason: str | None = None


class CallTracker:
    """Builds calls from AMI events; one dictionary look-up per event."""

    def __init__(
        self,
        directory: Directory,
        logins: LoginIndex,
        near: Mapping[str, Iterable[str]] | None = None,
    ) -> None:
        """Start with no calls.

        ``logins`` (desk id -> account id) and ``near`` (account id -> the
        desks near its person, which ring first) are shared, kept by others.
        """
        self.directory = directory
        self.logins = logins
        self.near: Mapping[str, Iterable[str]] = near if near is not None else {}
        self.calls: dict[str, Call] = {}
        self._by_dest: dict[str, str] = {}  # desk leg uniqueid -> call id
        self.desk_states: dict[str, DeskState] = {}

    def call_for_account(self, account_id: str) -> Call | None:
        """The call an account shows and a scan acts on; one rule for both.

        The oldest ringing call (first come, first claimed), else the newest
        call: a call answered while an older one goes on is the one shown.
        """
        # ``calls`` keeps the order calls began; one pass, as this runs for
        # every claim and every account entity update.
        newest: Call | None = None
        for call in self.calls.values():
            if call.account_id == account_id:
                if call.phase is CallPhase.RINGING:
                    return call
                newest = call
        return newest

    def allowed_desks(self, account_id: str) -> set[str]:
        """Desks that may ring for an account: its ring set and the near desks."""
        desks = set(self.directory.ring_set(account_id, self.logins))
        desks.update(
            d for d in self.near.get(account_id, ()) if d in self.directory.desks
        )
        return desks

    def _leg_target(self, call: Call, channel: str) -> str | None:
        """The desk id (or ``MOBILE``) a dialled channel is for this call."""
        desk = self.directory.desk_by_channel(channel)
        if desk is not None:
            return desk.desk_id
        leg = mobile_leg_of(channel)
        if leg is not None and leg[0] == call.extension:
            return MOBILE
        return None

    def handle(self, name: str, headers: Mapping[str, str]) -> list[Notice]:
        """Apply one AMI event; return what changed."""
        handler = self._handlers.get(name)
        if handler is None:
            return []
        return handler(self, headers)

    # Event handlers.

    def _dial_begin(self, headers: Mapping[str, str]) -> list[Notice]:
        caller_uid = headers.get("Uniqueid", "")
        dest_channel = headers.get("DestChannel", "")
        if not caller_uid or not dest_channel:
            return []
        call = self.calls.get(caller_uid)
        notices: list[Notice] = []
        if call is None:
            call = self._new_call(headers)
            if call is None:
                return []
            notices.append(Notice(NoticeKind.INCOMING, call))
        if call.phase is not CallPhase.RINGING:
            return notices
        desk = self.directory.desk_by_leg(dest_channel, headers.get("DialString", ""))
        if desk is None:
            # Not a desk: perhaps the mobile leg (a second phase of the
            # dialplan dials it again as a new leg of the same call).
            target = self._leg_target(call, dest_channel)
            if target is None or headers.get("Context") not in _ROUTING_CONTEXTS:
                return notices
        else:
            target = desk.desk_id
            if headers.get("Context") == CONTEXT_CLAIM:
                notices += self._seen_moving(call, target)
            if target not in call.allowed_desks:
                return notices
        dest_uid = headers.get("DestUniqueid", "")
        if dest_uid and dest_uid not in call.ringing:
            call.ringing[dest_uid] = target
            self._by_dest[dest_uid] = call.call_id
            notices.append(Notice(NoticeKind.RINGING_CHANGED, call))
        return notices

    def _new_call(self, headers: Mapping[str, str]) -> Call | None:
        """A call of an account, from the first DialBegin of its routing context."""
        if headers.get("Context") not in _ROUTING_CONTEXTS:
            return None
        account = self.directory.account_by_extension(headers.get("Exten", ""))
        if account is None:
            return None
        dest_channel = headers.get("DestChannel", "")
        call = Call(
            call_id=headers.get("Uniqueid", ""),
            caller_channel=headers.get("Channel", ""),
            account_id=account.account_id,
            extension=account.extension,
            caller_id_number=_clean_caller(headers.get("CallerIDNum", "")),
            caller_id_name=_clean_caller(headers.get("CallerIDName", "")),
            allowed_desks=self.allowed_desks(account.account_id),
            dnd=dest_channel.startswith(DND_CHANNEL),
            away=_is_away_leg(dest_channel),
        )
        self.calls[call.call_id] = call
        return call

    def _dial_end(self, headers: Mapping[str, str]) -> list[Notice]:
        call = self.calls.get(headers.get("Uniqueid", ""))
        dest_uid = headers.get("DestUniqueid", "")
        if call is None or dest_uid not in call.ringing:
            return []
        desk_id = call.ringing.pop(dest_uid)
        self._by_dest.pop(dest_uid, None)
        if headers.get("DialStatus") == "ANSWER":
            return self._answer(call, desk_id)
        return [Notice(NoticeKind.RINGING_CHANGED, call)]

    def _newstate(self, headers: Mapping[str, str]) -> list[Notice]:
        # A missed DialEnd: the desk leg going Up still means answered.
        if headers.get("ChannelStateDesc") != "Up":
            return []
        dest_uid = headers.get("Uniqueid", "")
        call = self.calls.get(self._by_dest.get(dest_uid, ""))
        if call is None or dest_uid not in call.ringing:
            return []
        desk_id = call.ringing.pop(dest_uid)
        self._by_dest.pop(dest_uid, None)
        return self._answer(call, desk_id)

    def _bridge_enter(self, headers: Mapping[str, str]) -> list[Notice]:
        return self._newstate(
            {"ChannelStateDesc": "Up", "Uniqueid": headers.get("Uniqueid", "")}
        )

    def _answer(self, call: Call, desk_id: str) -> list[Notice]:
        """Answered at ``desk_id`` (``MOBILE``: on the account's mobile)."""
        if call.phase is not CallPhase.RINGING:
            return []
        call.phase = CallPhase.ANSWERED
        if desk_id == MOBILE:
            call.answered_mobile = True
        else:
            call.answered_desk = desk_id
        for uid in call.ringing:
            self._by_dest.pop(uid, None)
        call.ringing.clear()
        return [Notice(NoticeKind.ANSWERED, call, desk_id=desk_id)]

    def _hangup(self, headers: Mapping[str, str]) -> list[Notice]:
        uid = headers.get("Uniqueid", "")
        call = self.calls.get(uid)
        if call is None:
            owner = self.calls.get(self._by_dest.pop(uid, ""))
            if owner is not None and owner.ringing.pop(uid, None) is not None:
                return [Notice(NoticeKind.RINGING_CHANGED, owner)]
            return []
        return self.end(call)

    def _seen_moving(self, call: Call, desk_id: str) -> list[Notice]:
        """The PBX dials ``desk_id`` from the claim context for this call.

        While the claim's Redirect waits for its reply this only records
        the move (the reply's handler announces it). A claim given up for
        lost, or no claim of ours, is claimed now: the PBX moved the call.
        """
        if call.claimed_desk == desk_id:
            return []
        if call.claim_pending and call.claim_target == desk_id:
            call.moved_to = desk_id
            if not call.claim_unsure:
                return []
        call.allowed_desks.add(desk_id)
        return self._confirm_claim(call, desk_id)

    def end(self, call: Call) -> list[Notice]:
        """End a call exactly once (also used when a resync finds it gone)."""
        if call.phase is CallPhase.ENDED:
            return []
        if call.claim_pending and call.moved_to is not None:
            # Hung up before the claim's reply came: it did move.
            call.claimed_desk = call.moved_to
        call.claim_pending = False
        call.claim_unsure = False
        self.calls.pop(call.call_id, None)
        for uid in call.ringing:
            self._by_dest.pop(uid, None)
        call.ringing.clear()
        notices: list[Notice] = []
        if call.phase is CallPhase.ANSWERED:
            call.outcome = Outcome.ANSWERED
        elif call.declined:
            call.outcome = Outcome.DECLINED
        elif call.claimed_desk is not None:
            call.outcome = Outcome.CLAIMED_UNANSWERED
        else:
            call.outcome = Outcome.MISSED
            notices.append(Notice(NoticeKind.MISSED, call))
        call.phase = CallPhase.ENDED
        notices.append(Notice(NoticeKind.ENDED, call))
        return notices

    def _device_state(self, headers: Mapping[str, str]) -> list[Notice]:
        desk = self.directory.desk_by_device(headers.get("Device", ""))
        if desk is None:
            return []
        state = desk_state_of(headers.get("State", ""))
        if self.desk_states.get(desk.desk_id) == state:
            return []
        self.desk_states[desk.desk_id] = state
        return [Notice(NoticeKind.DESK_STATE, desk_id=desk.desk_id)]

    _handlers: Final = {
        "DialBegin": _dial_begin,
        "DialEnd": _dial_end,
        "Newstate": _newstate,
        "BridgeEnter": _bridge_enter,
        "Hangup": _hangup,
        "DeviceStateChange": _device_state,
    }

    # Scans and claims.

    def decide_scan(self, account_id: str, desk_id: str) -> ScanDecision:
        """A ringing call of the account is claimed; otherwise a login or logout."""
        call = self.call_for_account(account_id)
        if call is not None and call.phase is CallPhase.RINGING and not call.dnd:
            if call.claimed_desk is not None or call.claim_pending or call.declined:
                return ScanDecision(ScanAction.REFUSE, call, "already_claimed")
            return ScanDecision(ScanAction.CLAIM, call)
        if self.logins.get(desk_id) == account_id:
            return ScanDecision(ScanAction.LOGOUT)
        return ScanDecision(ScanAction.LOGIN)

    def _reserve(self, call_id: str, refused: type[ReservationRefusedError]) -> Call:
        """The call, if a claim or a decline may reserve it (else ``refused``)."""
        call = self.calls.get(call_id)
        if call is None:
            raise refused("call_not_found")
        if call.dnd:
            raise refused("do_not_disturb")
        if call.phase is CallPhase.ANSWERED:
            raise refused("already_answered")
        if call.claimed_desk is not None or call.claim_pending or call.declined:
            raise refused("already_claimed")
        return call

    def begin_decline(self, call_id: str) -> Call:
        """Reserve a ringing call for sending it away (same rules as a claim).

        Raises ``DeclineRefusedError``.
        """
        call = self._reserve(call_id, DeclineRefusedError)
        call.claim_pending = True
        return call

    def finish_decline(self, call: Call, *, redirected: bool) -> None:
        """Record whether the PBX took the declined call away."""
        call.claim_pending = False
        call.declined = redirected

    def begin_claim(self, call_id: str, desk_id: str) -> Call:
        """Reserve a call for one desk; the first claim wins.

        Raises ``ClaimRefusedError``.
        """
        if desk_id not in self.directory.desks:
            raise ClaimRefusedError("unknown_desk")
        call = self._reserve(call_id, ClaimRefusedError)
        # The PBX answers the Redirect and moves the call in the same burst
        # of messages: remember where it rang and accept the new desk now.
        call.claim_pending = True
        call.claim_target = desk_id
        call.moved_to = None
        call.claimed_from = tuple(call.ringing_desks)
        call.allowed_desks.add(desk_id)
        return call

    def finish_claim(
        self, call: Call, desk_id: str, *, redirected: bool | None
    ) -> list[Notice]:
        """Record the Redirect's result: True moved, False refused, None unknown.

        What the PBX was seen doing wins over the reply: a call seen moving
        is claimed whatever the reply said. A refused Redirect releases the
        call. Without a reply the claim stays reserved (no second claim can
        move the call meanwhile) until the PBX's channels or events show
        where the call is (``resync_channels``, ``_seen_moving``).
        """
        if call.phase is CallPhase.ENDED or call.claim_target != desk_id:
            return []
        if redirected or call.moved_to == desk_id:
            return self._confirm_claim(call, desk_id)
        if redirected is None:
            call.claim_unsure = True
            return []
        self._release_claim(call)
        return []

    def _confirm_claim(self, call: Call, desk_id: str) -> list[Notice]:
        call.claim_pending = False
        call.claim_unsure = False
        call.claim_target = None
        if call.claimed_desk == desk_id:
            return []
        call.claimed_desk = desk_id
        return [Notice(NoticeKind.CLAIMED, call, desk_id=desk_id)]

    def _release_claim(self, call: Call) -> None:
        desk_id = call.claim_target
        call.claim_pending = False
        call.claim_unsure = False
        call.claim_target = None
        call.moved_to = None
        call.claimed_from = ()
        if desk_id is not None and desk_id not in self.allowed_desks(call.account_id):
            call.allowed_desks.discard(desk_id)

    # Resynchronisation after a (re)connect.

    def resync_desk_states(self, states: Mapping[str, str]) -> list[Notice]:
        """Apply a full DeviceStateList."""
        notices: list[Notice] = []
        for device, state in states.items():
            notices += self._device_state({"Device": device, "State": state})
        return notices

    def resync_channels(self, channels: Iterable[ActiveChannel]) -> list[Notice]:
        """Match the calls to the PBX's channels after a (re)connect.

        Calls whose caller channel is gone end (exactly once); desk legs that
        are gone stop ringing; known calls take the state the PBX shows
        (moved by a claim, ringing at, answered at); calls that started while
        we were away (or before Home Assistant started) are adopted.
        """
        channels = list(channels)
        by_uid = {channel.uniqueid: channel for channel in channels}
        legs: defaultdict[str, list[ActiveChannel]] = defaultdict(list)
        for channel in channels:
            legs[channel.linkedid].append(channel)
        notices: list[Notice] = []
        for call in list(self.calls.values()):
            caller = by_uid.get(call.call_id)
            if caller is None:
                notices += self.end(call)
                continue
            for uid in [u for u in call.ringing if u not in by_uid]:
                call.ringing.pop(uid)
                self._by_dest.pop(uid, None)
            notices += self._reconcile(call, caller, legs[caller.linkedid])
        return notices + self._adopt(channels)

    def _reconcile(
        self, call: Call, caller: ActiveChannel, legs: list[ActiveChannel]
    ) -> list[Notice]:
        """Bring a known call to what its channels show."""
        if call.phase is not CallPhase.RINGING:
            return []
        notices: list[Notice] = []
        if caller.context == CONTEXT_CLAIM:
            target = self._claim_desk_of(call, caller, legs)
            if target is not None:
                notices += self._seen_moving(call, target)
        elif call.claim_unsure:
            # The Redirect never reached the PBX: the call is where it was.
            target = call.claim_target
            self._release_claim(call)
            notices.append(Notice(NoticeKind.CLAIM_FAILED, call, desk_id=target))
        for leg in legs:
            target = None if leg is caller else self._leg_target(call, leg.channel)
            if target is None:
                continue
            if target != MOBILE and target not in call.allowed_desks:
                continue
            if leg.state == "Up":
                self._by_dest.pop(leg.uniqueid, None)
                call.ringing.pop(leg.uniqueid, None)
                return notices + self._answer(call, target)
            if leg.uniqueid not in call.ringing:
                call.ringing[leg.uniqueid] = target
                self._by_dest[leg.uniqueid] = call.call_id
                notices.append(Notice(NoticeKind.RINGING_CHANGED, call))
        return notices

    def _claim_desk_of(
        self, call: Call, caller: ActiveChannel, legs: list[ActiveChannel]
    ) -> str | None:
        """The desk a caller in the claim context was moved to."""
        if caller.extension in self.directory.desks:
            return caller.extension
        target = call.claim_target
        for leg in legs:
            desk = self.directory.desk_by_channel(leg.channel)
            if desk is not None and desk.desk_id == target:
                return target
        return None

    def _adopt(self, channels: list[ActiveChannel]) -> list[Notice]:
        legs: defaultdict[str, list[ActiveChannel]] = defaultdict(list)
        for channel in channels:
            legs[channel.linkedid].append(channel)
        notices: list[Notice] = []
        for caller in channels:
            if (
                caller.application != "Dial"
                or caller.context not in _ROUTING_CONTEXTS
                or caller.uniqueid in self.calls
            ):
                continue
            account = self.directory.account_by_extension(caller.extension)
            if account is None:
                continue
            call = self._adopted_call(caller, account.account_id, legs[caller.linkedid])
            for uid in call.ringing:
                self._by_dest[uid] = call.call_id
            self.calls[call.call_id] = call
            notices.append(Notice(NoticeKind.RINGING_CHANGED, call))
        return notices

    def _adopted_call(
        self, caller: ActiveChannel, account_id: str, legs: list[ActiveChannel]
    ) -> Call:
        """A call rebuilt from its caller channel and the legs it dialled."""
        account = self.directory.accounts[account_id]
        call = Call(
            call_id=caller.uniqueid,
            caller_channel=caller.channel,
            account_id=account_id,
            extension=account.extension,
            caller_id_number=_clean_caller(caller.caller_id_number),
            caller_id_name=_clean_caller(caller.caller_id_name),
            allowed_desks=self.allowed_desks(account_id),
        )
        for leg in legs:
            target = None if leg is caller else self._leg_target(call, leg.channel)
            if target is None:
                continue
            call.away = call.away or _is_away_leg(leg.channel)
            if leg.state == "Up":
                call.phase = CallPhase.ANSWERED
                if target == MOBILE:
                    call.answered_mobile = True
                else:
                    call.answered_desk = target
            elif target == MOBILE or target in call.allowed_desks:
                call.ringing[leg.uniqueid] = target
        if call.phase is CallPhase.ANSWERED:
            call.ringing.clear()
        return call


def _is_away_leg(channel: str) -> bool:
    """Whether the PBX dialled this instead of the desks (the person is away)."""
    leg = mobile_leg_of(channel)
    return leg is not None and leg[1] == CONTEXT_AWAY


def _clean_caller(value: str) -> str:
    return "" if value == "<unknown>" else value
