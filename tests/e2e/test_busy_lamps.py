"""Busy lamps follow the person, on a real Asterisk 22 with SIPp BLF keys.

A phone at desk 4 subscribes to 101 (Alice) twice, as BLF keys do: dialog-info
and presence (PIDF). Alice is logged in at desk 3: her call rings (``early``),
is answered at desk 3 (``confirmed``), ends (``terminated``); with do not
disturb on her presence is ``closed``. The shipped dialplan's pattern hint
(hotdesk-hints) makes the hint when the phone subscribes.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from homeassistant.core import HomeAssistant

from custom_components.hotdesk_phone.ami import AmiClient
from custom_components.hotdesk_phone.hub import HotdeskHub

from .conftest import (
    ALICE,
    D3,
    Pbx,
    call_extension,
    callers,
    in_thread,
    report,
    until,
)
from .sip_phone import SipPhone, SipSubscriber


@pytest.fixture
def blf(clean_pbx: Pbx) -> Iterator[dict[str, SipSubscriber]]:
    """Desk 4's BLF keys for 101: dialog-info and presence."""
    keys = {
        event: SipSubscriber("desk4", "101", clean_pbx.sip_port, event=event)
        for event in ("dialog", "presence")
    }
    yield keys
    for key in keys.values():
        key.stop()


async def test_the_lamp_for_101_follows_alice(
    hass: HomeAssistant,
    clean_pbx: Pbx,
    hub: HotdeskHub,
    ami: AmiClient,
    phones: dict[str, SipPhone],
    blf: dict[str, SipSubscriber],
) -> None:
    dialog, presence = blf["dialog"], blf["presence"]
    await hub.async_login(ALICE, D3)
    for key in blf.values():
        key.start()
    await until(lambda: dialog.states() and presence.states(), 5, "first NOTIFYs")
    assert dialog.states()[-1] == "terminated"
    assert presence.states()[-1] == "open"

    await in_thread(hass, phones["desk3"].set_mode, "answer", 1500)
    await call_extension(ami, "101")
    took = await until(lambda: "early" in dialog.states(), 5, "ringing NOTIFY")
    report(f"BLF: ringing NOTIFY {took * 1000:.0f} ms after the call")
    await until(lambda: dialog.states()[-1] == "confirmed", 10, "in-use NOTIFY")
    caller = (await callers(ami))[0]
    await ami.send({"Action": "Hangup", "Channel": caller.channel})
    await until(lambda: dialog.states()[-1] == "terminated", 10, "idle NOTIFY")

    await hub.async_set_dnd(ALICE, True)
    await until(lambda: presence.states()[-1] == "closed", 5, "unavailable NOTIFY")
    await hub.async_set_dnd(ALICE, False)
    await until(lambda: presence.states()[-1] == "open", 5, "available NOTIFY")
    # The hint is the pattern's, made for 101 on the first subscription.
    hints = await in_thread(hass, clean_pbx.cli, "core show hints")
    line = next(h for h in hints.splitlines() if h.startswith("101@"))
    assert "Custom:hotdesk-101" in line
    assert "Watchers  2" in line
