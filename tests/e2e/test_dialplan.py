"""The shipped dialplan's settings, unanswered hook and HOTDESK_CALLED on a real
Asterisk 22 with SIPp desk phones (no Home Assistant entry: AstDB is written
by the test, calls come from AMI Originate, claims are AMI Redirects).

- Settings without ``[globals]``: the shipped file leaves HOTDESK_RING_SECONDS
  and the others unset, and each context reads them with its default (30 s
  ring); a global set later (as FreePBX's globals_custom.conf does) wins, and
  0 rings forever.
- Unanswered calls: ``hotdesk-unanswered`` hangs up, or goes to the admin's
  ``hotdesk-unanswered-custom`` when it exists, with the called number as the
  extension.
- A claimed call that nobody answers still reaches the hook with the number
  called (``HOTDESK_CALLED``), not the claiming desk's id.
"""

from __future__ import annotations

from collections.abc import Iterator
import re
import time

import pytest

from homeassistant.core import HomeAssistant

from custom_components.hotdesk_phone.ami import AmiClient
from custom_components.hotdesk_phone.const import CONTEXT_CLAIM

from .conftest import (
    D3,
    Pbx,
    call_extension,
    in_thread,
    new_caller,
    report,
    until_in_thread,
    wait_sip,
)
from .sip_phone import SipPhone

pytestmark = pytest.mark.e2e

CALLER_NUMBER = "5550100"
HOOK = "hotdesk-unanswered-custom"
HOOK_FAMILY = "e2e-unanswered"


def dial_data(pbx: Pbx, channel: str) -> str | None:
    """The arguments of the Dial the channel runs now (core show channel)."""
    shown = pbx.cli(f"core show channel {channel}")
    if not re.search(r"Application: Dial\b", shown):
        return None
    match = re.search(r"^\s*Data: (.*)$", shown, re.MULTILINE)
    return match.group(1).strip() if match else None


async def dialling(hass: HomeAssistant, pbx: Pbx, channel: str) -> str:
    """Wait until channel runs Dial; its arguments."""
    found: list[str] = []

    def check() -> bool:
        data = dial_data(pbx, channel)
        if data is not None:
            found.append(data)
        return data is not None

    await until_in_thread(hass, check, what=f"Dial on {channel}")
    return found[-1]


@pytest.fixture
def ring_seconds(clean_pbx: Pbx) -> Iterator[Pbx]:
    """Globals set by a test are emptied again (the PBX lives for the session)."""
    yield clean_pbx
    if clean_pbx.running:
        clean_pbx.cli('dialplan set global HOTDESK_RING_SECONDS ""')


@pytest.fixture
def unanswered_hook(ring_seconds: Pbx) -> Iterator[Pbx]:
    """An admin's hotdesk-unanswered-custom that notes the extension it got
    and the call's HOTDESK_CALLED in AstDB (e2e-unanswered/<exten> =
    <caller>-<HOTDESK_CALLED>), then
    hangs up; removed again afterwards."""
    pbx = ring_seconds
    pbx.cli(f"database deltree {HOOK_FAMILY}")
    pbx.cli(
        "dialplan add extension _X!,1,Set(DB("
        + HOOK_FAMILY
        + "/${EXTEN})=${CALLERID(num)}-${HOTDESK_CALLED}) into "
        + HOOK
    )
    pbx.cli(f"dialplan add extension _X!,2,Hangup() into {HOOK}")
    assert "2. Hangup()" in pbx.cli(f"dialplan show {HOOK}")
    yield pbx
    if pbx.running:
        pbx.cli(f"dialplan remove context {HOOK}")
        pbx.cli(f"database deltree {HOOK_FAMILY}")


async def test_settings_work_without_globals(
    hass: HomeAssistant,
    ring_seconds: Pbx,
    phones: dict[str, SipPhone],
    ami: AmiClient,
) -> None:
    """No HOTDESK_* global: the desks ring for the default 30 s. A global set at
    run time wins; 0 rings until the caller hangs up. Unanswered without a hook:
    the caller is hung up."""
    pbx = ring_seconds
    assert "HOTDESK_" not in await in_thread(hass, pbx.cli, "dialplan show globals")
    await in_thread(
        hass, pbx.cli, "database put hotdesk/route 101 PJSIP/desk1&PJSIP/desk2"
    )

    async def ring_101() -> tuple[str, str]:
        await call_extension(ami, "101", CALLER_NUMBER)
        caller = await new_caller(ami)
        return caller, await dialling(hass, pbx, caller)

    caller, data = await ring_101()
    assert data == "PJSIP/desk1&PJSIP/desk2,30"
    # The number called is on the caller and, inherited, on each desk's leg.
    shown = await in_thread(hass, pbx.cli, f"core show channel {caller}")
    assert "HOTDESK_CALLED=101" in shown
    await wait_sip(hass, phones["desk1"], "INVITE")
    await ami.send({"Action": "Hangup", "Channel": caller})
    await until_in_thread(hass, lambda: pbx.channel_count() == 0, what="no calls")

    await in_thread(hass, pbx.cli, "dialplan set global HOTDESK_RING_SECONDS 0")
    caller, data = await ring_101()
    assert data == "PJSIP/desk1&PJSIP/desk2,"  # no timeout: rings forever
    await ami.send({"Action": "Hangup", "Channel": caller})
    await until_in_thread(hass, lambda: pbx.channel_count() == 0, what="no calls")

    await in_thread(hass, pbx.cli, "dialplan set global HOTDESK_RING_SECONDS 1")
    sent = time.monotonic()
    caller, data = await ring_101()
    assert data == "PJSIP/desk1&PJSIP/desk2,1"
    # Rung out after 1 s; no hotdesk-unanswered-custom: the caller is hung up.
    await wait_sip(hass, phones["desk1"], "CANCEL", 3, timeout=5)
    await until_in_thread(hass, lambda: pbx.channel_count() == 0, what="hung up")
    report(f"1 s ring time: call over after {time.monotonic() - sent:.2f} s")


async def test_unanswered_hook_gets_the_called_number(
    hass: HomeAssistant,
    unanswered_hook: Pbx,
    phones: dict[str, SipPhone],
    ami: AmiClient,
) -> None:
    """A call that rings out goes to hotdesk-unanswered-custom, extension 101."""
    pbx = unanswered_hook
    await in_thread(hass, pbx.cli, "database put hotdesk/route 101 PJSIP/desk1")
    await in_thread(hass, pbx.cli, "dialplan set global HOTDESK_RING_SECONDS 1")
    await call_extension(ami, "101", CALLER_NUMBER)
    await wait_sip(hass, phones["desk1"], "CANCEL", timeout=5)
    await until_in_thread(
        hass, lambda: "101" in pbx.astdb(HOOK_FAMILY), what="the hook's note"
    )
    assert await in_thread(hass, pbx.astdb, HOOK_FAMILY) == {
        "101": f"{CALLER_NUMBER}-101"
    }


async def test_claimed_call_unanswered_keeps_the_called_number(
    hass: HomeAssistant,
    unanswered_hook: Pbx,
    phones: dict[str, SipPhone],
    ami: AmiClient,
) -> None:
    """101 rings desk1, is claimed at desk 3 (hotdesk-claim, extension = desk
    id), desk 3 does not answer: the hook gets 101, not the desk id."""
    pbx = unanswered_hook
    await in_thread(hass, pbx.cli, "database put hotdesk/route 101 PJSIP/desk1")
    await in_thread(hass, pbx.cli, f"database put hotdesk/desk {D3} PJSIP/desk3")
    await call_extension(ami, "101", CALLER_NUMBER)
    caller = await new_caller(ami)
    await wait_sip(hass, phones["desk1"], "INVITE")
    await in_thread(hass, pbx.cli, "dialplan set global HOTDESK_RING_SECONDS 1")
    await ami.redirect(caller, CONTEXT_CLAIM, D3)
    await wait_sip(hass, phones["desk1"], "CANCEL")
    invite = await wait_sip(hass, phones["desk3"], "INVITE")
    assert invite.caller_id_number == CALLER_NUMBER
    await wait_sip(hass, phones["desk3"], "CANCEL", timeout=5)
    await until_in_thread(
        hass, lambda: bool(pbx.astdb(HOOK_FAMILY)), what="the hook's note"
    )
    assert await in_thread(hass, pbx.astdb, HOOK_FAMILY) == {
        "101": f"{CALLER_NUMBER}-101"
    }
