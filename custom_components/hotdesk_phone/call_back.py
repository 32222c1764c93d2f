"""Call back: ring the person's desk first, then dial the number from it.

An AMI Originate rings the account's current desk (where it is logged in,
else its first home desk); when the desk answers, the shipped dialplan's
``hotdesk-callback`` context sets the account's extension as caller ID and
dials the number through ``hotdesk-dial`` (the office's own outgoing routes).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Final

from homeassistant.core import Context

from .const import CONTEXT_CALLBACK, LOGGER
from .directory import Account

if TYPE_CHECKING:
    from .hub import HotdeskHub

# What may be dialled: digits, optionally after one "+". This value goes into
# an AMI action and becomes a dialplan extension, so nothing else passes.
NUMBER_PATTERN: Final = re.compile(r"\+?[0-9]{1,20}")
# Seconds the desk rings before the call back is given up.
RING_DESK_MS: Final = 30_000


def valid_number(value: str) -> str | None:
    """The number to dial without spaces, dashes, dots or brackets; else None."""
    cleaned = re.sub(r"[\s\-.()/]", "", value)
    return cleaned if NUMBER_PATTERN.fullmatch(cleaned) else None


def current_desk(hub: HotdeskHub, account: Account) -> str:
    """Where the person is: a desk they are logged in at, else a home desk."""
    logged_in = sorted(hub.logins.desks_of(account.account_id))
    return logged_in[0] if logged_in else account.home_desks[0]


async def async_call_back(
    hub: HotdeskHub,
    account: Account,
    number: str,
    desk_id: str | None = None,
    *,
    context: Context | None = None,
) -> str:
    """Ring the desk, then dial ``number`` (already valid); returns the desk id.

    Raises the AMI client's errors when the PBX refuses or cannot be reached.
    """
    desk = hub.directory.desks[desk_id or current_desk(hub, account)]
    LOGGER.debug(
        "Call back %s for %s from %s (user %s)",
        number,
        account.name,
        desk.name,
        context.user_id if context else None,
    )
    await hub.client.originate(
        desk.dial_string,
        CONTEXT_CALLBACK,
        number,
        # What the desk shows while it rings: the number it will call.
        caller_id=f'"{number}" <{number}>',
        timeout_ms=RING_DESK_MS,
        variables={
            "HOTDESK_EXTEN": account.extension,
            "HOTDESK_NAME": account.name.replace('"', ""),
        },
    )
    return desk.desk_id
