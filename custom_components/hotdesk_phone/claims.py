"""Moving a ringing call: claims to a desk, declines, and their reconcile.

The hub owns one ``Claims`` (``hub.claims``). A claim reserves the call in the
tracker (the first claim wins), sends the caller's channel to the desk with
AMI ``Redirect``, and records the result. A Redirect without a reply keeps
the call reserved until the PBX's channels (asked at once, or read by the
resync after a reconnect) tell where it is; such a claim keeps how it came
(``via``, the context) for the events that follow.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from homeassistant.core import Context, HomeAssistant, callback

from .ami import AmiClient
from .ami_errors import AmiActionError, AmiError
from .const import (
    CONTEXT_CLAIM,
    CONTEXT_UNANSWERED,
    EVENT_CLAIM_REFUSED,
    LOGGER,
    VIA_TAG,
)
from .entity_updates import EntityUpdates
from .events import claim_refused_data
from .sites import site_reachable
from .tracker import (
    Call,
    CallTracker,
    ClaimRefusedError,
    DeclineRefusedError,
    Notice,
    NoticeKind,
    owners_of,
)

# Fires the events of notices: (notices, via, context of a claim).
type FireCallEvents = Callable[[list[Notice], str, Context | None], None]


@dataclass(frozen=True, slots=True)
class ClaimResult:
    """What a claim attempt did (``reason``: why it did not move the call)."""

    claimed: bool
    reason: str | None = None


class Claims:
    """One entry's claims and declines of ringing calls."""

    def __init__(
        self,
        hass: HomeAssistant,
        tracker: CallTracker,
        client: AmiClient,
        updates: EntityUpdates,
        fire_call_events: FireCallEvents,
    ) -> None:
        """Act on the entry's calls (``tracker``) through its AMI client."""
        self._hass = hass
        self._tracker = tracker
        self._client = client
        self._updates = updates
        self._fire_call_events = fire_call_events
        # How claims whose Redirect got no reply came (via, context), by call.
        self._origins: dict[str, tuple[str, Context | None]] = {}

    def _desk_name(self, desk_id: str) -> str | None:
        desk = self._tracker.directory.desks.get(desk_id)
        return desk.name if desk else None

    @callback
    def refuse(
        self,
        call: Call,
        desk_id: str,
        reason: str,
        via: str,
        context: Context | None = None,
    ) -> None:
        """Tell (event, log) that a claim did not move the call."""
        LOGGER.info(
            "Claim of call %s to %s refused: %s",
            call.call_id,
            self._desk_name(desk_id),
            reason,
        )
        self._hass.bus.async_fire(
            EVENT_CLAIM_REFUSED,
            claim_refused_data(
                self._tracker.directory,
                call,
                desk_id,
                reason,
                via=via,
                user_id=context.user_id if context else None,
            ),
            context=context,
        )

    async def async_claim(
        self,
        call_id: str,
        desk_id: str,
        via: str,
        *,
        context: Context | None = None,
    ) -> ClaimResult:
        """Move a ringing call to one desk; the first claim wins.

        Callers have checked who acts (``context``: for the events only).
        """
        if not self._desk_reachable(call_id, desk_id, via, context):
            return ClaimResult(claimed=False, reason="site_unreachable")
        try:
            call = self._tracker.begin_claim(call_id, desk_id)
        except ClaimRefusedError as err:
            existing = self._tracker.calls.get(call_id)
            if existing is not None:
                self.refuse(existing, desk_id, err.reason, via, context)
            return ClaimResult(claimed=False, reason=err.reason)
        redirected: bool | None = True
        try:
            await self._client.redirect(call.caller_channel, CONTEXT_CLAIM, desk_id)
        except AmiActionError as err:
            LOGGER.warning("Redirect of call %s refused: %s", call_id, err)
            redirected = False
        except AmiError as err:
            # No reply (the link dropped, or the reply is late): the call may
            # have moved. The PBX's channels tell; till then it stays
            # reserved, so no second claim moves it.
            LOGGER.warning(
                "Redirect of call %s got no reply (%s); asking the PBX", call_id, err
            )
            redirected = None
        notices = self._tracker.finish_claim(call, desk_id, redirected=redirected)
        self._fire_call_events(notices, via, context)
        self._updates.async_update(owners_of(notices))
        if call.claim_unsure:
            self._origins[call_id] = (via, context)
            await self._async_reconcile()
        if call.claimed_desk == desk_id:
            LOGGER.debug(
                "Call %s moved to %s (%s)", call_id, self._desk_name(desk_id), via
            )
            return ClaimResult(claimed=True)
        if call.claim_unsure:
            # Resolved after the reconnect (resync) or by the PBX's events.
            return ClaimResult(claimed=False, reason="redirect_unconfirmed")
        if redirected is False:
            self.refuse(call, desk_id, "redirect_failed", via, context)
        # (A claim found not to have moved was reported by the reconcile.)
        return ClaimResult(claimed=False, reason="redirect_failed")

    def _desk_reachable(
        self, call_id: str, desk_id: str, via: str, context: Context | None
    ) -> bool:
        """Whether the desk's PBX is up (reported as a refusal when not).

        A linked site's PBX that is down would fail the trunk leg, and the
        caller would lose the desks ringing now: the call keeps ringing.
        """
        desk = self._tracker.directory.desks.get(desk_id)
        if desk is None or site_reachable(self._hass, desk.site):
            return True
        if (call := self._tracker.calls.get(call_id)) is not None:
            self.refuse(call, desk_id, "site_unreachable", via, context)
        return False

    async def _async_reconcile(self) -> None:
        """Read the PBX's channels now and bring the calls to them."""
        if not self._client.connected:
            return  # the resync after the reconnect does it
        try:
            channels = await self._client.active_channels()
        except AmiError as err:
            LOGGER.debug("Channel list for reconciling calls failed: %s", err)
            return
        notices = self._tracker.resync_channels(channels)
        self.fire_events(notices)
        self._updates.async_update(owners_of(notices))

    @callback
    def fire_events(self, notices: list[Notice]) -> None:
        """Fire the events of notices the PBX's own reports made.

        A claim that these settle (its Redirect got no reply) keeps how it
        came; the other notices' events are fired as they are.
        """
        for notice in notices:
            call = notice.call
            if call is None or notice.kind not in (
                NoticeKind.CLAIMED,
                NoticeKind.CLAIM_FAILED,
            ):
                self._fire_call_events([notice], VIA_TAG, None)
                continue
            via, context = self._origins.pop(call.call_id, (VIA_TAG, None))
            if notice.kind is NoticeKind.CLAIMED:
                self._fire_call_events([notice], via, context)
            else:
                self.refuse(call, notice.desk_id or "", "redirect_failed", via, context)
        for call_id in [c for c in self._origins if c not in self._tracker.calls]:
            del self._origins[call_id]

    async def async_decline(self, call_id: str) -> bool:
        """Send a ringing call where the dialplan sends unanswered calls."""
        tracker = self._tracker
        try:
            call = tracker.begin_decline(call_id)
        except DeclineRefusedError as err:
            LOGGER.info("Decline of call %s refused: %s", call_id, err.reason)
            return False
        try:
            await self._client.redirect(
                call.caller_channel, CONTEXT_UNANSWERED, call.extension
            )
        except AmiError as err:
            LOGGER.warning("Redirect of declined call %s failed: %s", call_id, err)
            tracker.finish_decline(call, redirected=False)
            return False
        tracker.finish_decline(call, redirected=True)
        return True
