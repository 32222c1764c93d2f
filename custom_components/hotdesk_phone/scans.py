"""Scans: from HA's tag_scanned (and unknown cards at readers) to what they mean.

A tag presented at a desk claims the account's ringing call (moves it
there), or logs the account in or out there. Only scans that HA's own tag
component fired on this instance count, and the same tag at the same scanner
within the double-tap window is one tap.

One ``tag_scanned`` listener serves the whole domain: it drops what no entry
may act on (fired remotely, malformed) once, and hands each scan to every
running entry's handler in the order they started; the entry whose desk it is
acts, the others stay quiet (``sites.scanner_elsewhere``), and a scan at no
desk is reported by one entry (``sites.tag_owner_elsewhere``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.config_entries import ConfigSubentry
from homeassistant.core import CALLBACK_TYPE, Context, Event, EventOrigin, callback
from homeassistant.util import dt as dt_util
from homeassistant.util.hass_dict import HassKey

from .const import (
    CONF_SCAN_DEBOUNCE_SECONDS,
    DEFAULT_SCAN_DEBOUNCE,
    DOMAIN,
    EVENT_SCAN_REFUSED,
    EVENT_UNKNOWN_TAG,
    LOGGER,
    VIA_BRIDGE,
    VIA_PCSC,
    VIA_TAG,
)
from .directory import Account, Desk, RouteTooLongError, normalize_tag
from .piv import card_refusal
from .readers import CardReaders
from .sites import (
    may_claim,
    may_log_in,
    scanner_elsewhere,
    tag_owner_elsewhere,
    visiting_account,
)
from .tracker import ScanAction

if TYPE_CHECKING:
    from .bookings import Bookings
    from .hub import HotdeskHub

# Recent (tag, scanner) taps kept for the repeat check before old ones are
# dropped: bounds memory under a flood of random tags.
MAX_REMEMBERED_SCANS = 1000


class _Listener:
    """The domain's one ``tag_scanned`` listener and the handlers it serves."""

    def __init__(self) -> None:
        self.handlers: list[ScanHandler] = []  # in the order they started
        self.unlisten: CALLBACK_TYPE | None = None


_LISTENER: HassKey[_Listener] = HassKey(f"{DOMAIN}_tag_scanned")


class ScanHandler:
    """Turns one entry's scans into claims, logins and logouts."""

    def __init__(self, hub: HotdeskHub) -> None:
        """Scan for the hub's desks; its card readers scan through here too."""
        self.hub = hub
        self.hass = hub.hass
        self.card_readers = CardReaders(
            hub.hass, hub.entry, lambda: hub.directory, self._on_unmatched_reader_scan
        )
        self._last_scans: dict[tuple[str, str | None], float] = {}
        # The entry's desk bookings (set by the entry's setup).
        self.bookings: Bookings | None = None

    @callback
    def async_start(self) -> CALLBACK_TYPE:
        """Make the readers' devices and take scans; returns the remover."""
        self.card_readers.async_setup()
        return _async_add_handler(self)

    @callback
    def async_take_scan(
        self, tag_id: str, device_id: str | None, context: Context
    ) -> None:
        """A local, well-formed ``tag_scanned``: act if the desk is this entry's."""
        if self._is_repeat(tag_id, device_id):
            return
        directory = self.hub.directory
        reader = self.card_readers.reader_of_device(device_id) if device_id else None
        if reader is not None and device_id is not None:  # PC/SC or bridge
            desk = directory.desk_by_reader(reader)
            via = self.card_readers.via_of_device(device_id)
        else:
            desk = directory.desk_by_scanner(device_id) if device_id else None
            via = VIA_TAG
        if (
            desk is None
            and device_id is not None
            and scanner_elsewhere(self.hass, self.hub.entry.entry_id, device_id)
        ):
            return  # another entry's desk: that entry acts
        self.hass.async_create_task(
            self.async_handle_desk_scan(tag_id, desk, device_id, via, context=context),
            eager_start=True,
        )

    def _is_repeat(self, tag_id: str, device_id: str | None) -> bool:
        """Whether this is the same tag at the same scanner within the window.

        A card held a little too long, a double tap or a retried post is one
        tap: without this, a login would be undone by its own echo.
        """
        window = float(
            self.hub.entry.options.get(
                CONF_SCAN_DEBOUNCE_SECONDS, DEFAULT_SCAN_DEBOUNCE
            )
        )
        now = dt_util.utcnow().timestamp()  # HA's clock: tests can move it
        key = (normalize_tag(tag_id), device_id)
        last = self._last_scans.get(key)
        self._last_scans[key] = now
        if len(self._last_scans) > MAX_REMEMBERED_SCANS:
            # Forget taps older than the window (a flood of random tags).
            self._last_scans = {
                k: t for k, t in self._last_scans.items() if now - t < window
            }
        if last is not None and now - last < window:
            LOGGER.debug("Repeated scan at %s within %.1f s ignored", device_id, window)
            return True
        return False

    async def _on_unmatched_reader_scan(
        self, device_id: str, tag_id: str, via: str, context: Context | None
    ) -> None:
        """A reader read a card no account knows (not an HA tag: see readers)."""
        if self._is_repeat(tag_id, device_id):
            return
        reader = self.card_readers.reader_of_device(device_id)
        desk = self.hub.directory.desk_by_reader(reader) if reader else None
        await self.async_handle_desk_scan(tag_id, desk, device_id, via, context=context)

    async def async_handle_desk_scan(
        self,
        tag_id: str,
        desk: Desk | None,
        device_id: str | None,
        via: str,
        *,
        context: Context | None = None,
    ) -> None:
        """A scan at a desk claims a ringing call, or logs in/out.

        A tag of a linked site's account is that site's to act on (identities
        are global): its call moves here through the trunk, or it logs in here.
        """
        hub = self.hub
        proof = self.card_readers.proof_of(context)
        # A card that proved an enrolled key is that person whatever its UID
        # (many PIV cards show a new random UID at every tap).
        account = None
        if proof is not None and proof.fingerprint is not None:
            account = hub.directory.account_by_card_key(proof.fingerprint)
        account = account or hub.directory.account_by_tag(tag_id)
        link = None
        if account is None and desk is not None:
            found = visiting_account(hub, tag_id)
            if found is not None:
                hub, account, link = found
                # The same desk as that site dials it (not there yet: its
                # directory is rebuilding after a change here).
                desk = hub.directory.desks.get(desk.desk_id)
        if desk is None and tag_owner_elsewhere(
            self.hass, self.hub.entry.entry_id, tag_id
        ):
            return  # a scan at no desk: one entry reports it, not each
        if account is None or desk is None:
            LOGGER.debug(
                "Scan on %s matches no %s",
                device_id,
                "account" if account is None else "desk",
            )
            self.hass.bus.async_fire(
                EVENT_UNKNOWN_TAG,
                {
                    "tag_id": tag_id,
                    "device_id": device_id,
                    "desk_id": desk.desk_id if desk else None,
                    # A known person on a reader that is no desk's: blueprints
                    # can still claim their call to a chosen desk.
                    "account_id": account.account_id if account else None,
                    "extension": account.extension if account else None,
                },
                context=context,
            )
            return
        reason = card_refusal(
            account.card_required,
            account.card_keys,
            proof,
            at_card_reader=via in (VIA_PCSC, VIA_BRIDGE),
        )
        if reason is None and link is None:
            reason = self._booking_refusal(account, desk)
            if reason == "checked_in":
                return  # the booker's scan at its desk: a check-in, no toggle
        if reason is not None:
            self._refuse_scan(
                account, desk, device_id, via, reason=reason, context=context
            )
            return
        await async_act_on_scan(hub, account, desk, via, link=link, context=context)

    def _booking_refusal(self, account: Account, desk: Desk) -> str | None:
        """A booked desk: the booker checks in, anyone else may only claim.

        "checked_in" for the booker's check-in scan; "desk_booked" for a scan
        by someone else that would log them in or out there.
        """
        bookings = self.bookings
        booker = bookings.booked_by(desk.desk_id) if bookings is not None else None
        if bookings is None or booker is None:
            return None
        if booker == account.account_id:
            return "checked_in" if bookings.check_in(desk.desk_id, booker) else None
        action = self.hub.tracker.decide_scan(account.account_id, desk.desk_id).action
        if action in (ScanAction.CLAIM, ScanAction.REFUSE):
            return None  # a ringing call is theirs to take
        return "desk_booked"

    def _refuse_scan(
        self,
        account: Account,
        desk: Desk,
        device_id: str | None,
        via: str,
        *,
        reason: str,
        context: Context | None,
    ) -> None:
        """An account that needs an authenticated card: this scan is not one."""
        LOGGER.info(
            "Scan for %s at %s (%s) refused: %s", account.name, desk.name, via, reason
        )
        data = {
            "account_id": account.account_id,
            "account": account.name,
            "extension": account.extension,
            "desk_id": desk.desk_id,
            "desk": desk.name,
            "device_id": device_id,
            "via": via,
            "reason": reason,
        }
        self.card_readers.note_refusal({**data, "time": dt_util.utcnow().isoformat()})
        self.hass.bus.async_fire(EVENT_SCAN_REFUSED, data, context=context)


@callback
def _async_add_handler(handler: ScanHandler) -> CALLBACK_TYPE:
    """Serve ``handler`` from the domain's listener (the first one starts it)."""
    hass = handler.hass
    listener = hass.data.setdefault(_LISTENER, _Listener())
    if listener.unlisten is None:

        @callback
        def on_tag_scanned(event: Event) -> None:
            _on_tag_scanned(listener, event)

        listener.unlisten = hass.bus.async_listen("tag_scanned", on_tag_scanned)
    listener.handlers.append(handler)

    @callback
    def remove() -> None:
        listener.handlers.remove(handler)
        if not listener.handlers and listener.unlisten is not None:
            listener.unlisten()
            listener.unlisten = None

    return remove


@callback
def _on_tag_scanned(listener: _Listener, event: Event) -> None:
    """Every ``tag_scanned`` on this instance, for every entry's handler."""
    # Only HA's own tag component (and our readers through it) scan: a
    # tag_scanned fired remotely (a companion app's fire_event webhook,
    # POST /api/events) could name any tag at any desk.
    if event.origin is not EventOrigin.local:
        LOGGER.debug(
            "Ignored a tag_scanned event fired remotely by user %s",
            event.context.user_id,
        )
        return
    tag_id = event.data.get("tag_id")
    device_id = event.data.get("device_id")
    if not isinstance(tag_id, str) or not isinstance(device_id, str | None):
        LOGGER.debug("Ignored a malformed tag_scanned event: %s", event.data)
        return
    for handler in list(listener.handlers):
        handler.async_take_scan(tag_id, device_id, event.context)


async def async_act_on_scan(
    hub: HotdeskHub,
    account: Account,
    desk: Desk,
    via: str,
    *,
    link: ConfigSubentry | None,
    context: Context | None,
) -> None:
    """What a known tag at a known desk does (``link``: at a linked site's desk)."""
    decision = hub.tracker.decide_scan(account.account_id, desk.desk_id)
    LOGGER.debug(
        "Scan of %s's tag at %s (%s): %s",
        account.name,
        desk.name,
        via,
        decision.action.name.lower(),
    )
    if link is not None and not (
        may_claim(link)
        if decision.action in (ScanAction.CLAIM, ScanAction.REFUSE)
        else may_log_in(link)
    ):
        LOGGER.debug("%s at %s: not allowed across sites", account.name, desk.name)
        if decision.call is not None:
            hub.claims.refuse(
                decision.call, desk.desk_id, "site_not_allowed", via, context
            )
        return
    if decision.action is ScanAction.CLAIM and decision.call is not None:
        await hub.claims.async_claim(
            decision.call.call_id, desk.desk_id, via, context=context
        )
    elif decision.action is ScanAction.REFUSE and decision.call is not None:
        hub.claims.refuse(
            decision.call, desk.desk_id, decision.reason or "", via, context
        )
    elif decision.action is ScanAction.LOGOUT:
        await hub.async_logout(desk.desk_id, context=context)
    else:
        try:
            await hub.async_login(account.account_id, desk.desk_id, context=context)
        except RouteTooLongError as err:
            LOGGER.warning("%s cannot log in at %s: %s", account.name, desk.name, err)
