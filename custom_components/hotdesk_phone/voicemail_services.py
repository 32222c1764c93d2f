"""Voicemail actions: list an account's messages, mark one read, delete one.

Each acts on the PBX (``VoicemailMove`` INBOX -> Old, ``VoicemailRemove``),
so the mailbox, the phones' lamps and Home Assistant agree. Who may act: the
account's own people, administrators and automations (``auth.py``); anyone
else gets ``Unauthorized`` before anything reaches the PBX. A message id is
used only when the PBX listed it for that account.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

import voluptuous as vol

from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
)
from homeassistant.helpers import config_validation as cv
from homeassistant.util.json import JsonValueType

from .ami_errors import AmiActionError, AmiError
from .auth import async_check_may_act
from .const import DOMAIN
from .errors import input_error, pbx_error
from .mailboxes import Mailboxes, mailboxes_of, messages_data
from .running import loaded_entries
from .voicemail import VoicemailError

if TYPE_CHECKING:
    from .directory import Account
    from .voicemail import Message

SERVICE_VOICEMAIL = "voicemail"
SERVICE_MARK_READ = "mark_voicemail_read"
SERVICE_DELETE = "delete_voicemail"
ATTR_EXTENSION = "extension"
ATTR_MESSAGE_ID = "message_id"

_ACCOUNT = vol.Schema({vol.Required(ATTR_EXTENSION): cv.string})
_MESSAGE = vol.Schema(
    {vol.Required(ATTR_EXTENSION): cv.string, vol.Required(ATTR_MESSAGE_ID): cv.string}
)


async def _mailbox(call: ServiceCall) -> tuple[Mailboxes, Account]:
    """The account's mailboxes, after the who-may-act check."""
    extension = str(call.data[ATTR_EXTENSION]).strip()
    for entry, hub in loaded_entries(call.hass):
        account = hub.directory.account_by_extension(extension)
        if account is None:
            continue
        await async_check_may_act(call.hass, call.context, [account])
        mailboxes = mailboxes_of(call.hass).get(entry.entry_id)
        if mailboxes is None or not account.voicemail:
            raise input_error("voicemail_off", extension=extension)
        if not hub.connected:
            raise pbx_error("not_connected")
        return mailboxes, account
    raise input_error("unknown_extension", extension=extension)


async def _message(call: ServiceCall) -> tuple[Mailboxes, Account, Message]:
    mailboxes, account = await _mailbox(call)
    message_id = str(call.data[ATTR_MESSAGE_ID]).strip()
    message = mailboxes.find(account.account_id, message_id)
    if message is None:  # not in the last list: ask the PBX once
        await mailboxes.async_refresh(account.account_id, announce=False)
        message = mailboxes.find(account.account_id, message_id)
    if message is None:
        raise input_error(
            "unknown_voicemail", message_id=message_id[:40], extension=account.extension
        )
    return mailboxes, account, message


async def _voicemail(call: ServiceCall) -> ServiceResponse:
    mailboxes, account = await _mailbox(call)
    await mailboxes.async_refresh(account.account_id, announce=False)
    entry_id = mailboxes.hub.entry.entry_id
    messages = messages_data(
        entry_id, account.account_id, mailboxes.messages.get(account.account_id, [])
    )
    return {
        "extension": account.extension,
        "messages": cast("JsonValueType", messages),
    }


async def _mark_read(call: ServiceCall) -> None:
    mailboxes, account, message = await _message(call)
    try:
        await mailboxes.async_mark_read(account, message)
    except AmiActionError as err:
        raise pbx_error("voicemail_refused", reason=err.reason) from err
    except (AmiError, VoicemailError) as err:
        raise pbx_error("not_connected") from err


async def _delete(call: ServiceCall) -> None:
    mailboxes, account, message = await _message(call)
    try:
        await mailboxes.async_delete(account, message)
    except AmiActionError as err:
        raise pbx_error("voicemail_refused", reason=err.reason) from err
    except (AmiError, VoicemailError) as err:
        raise pbx_error("not_connected") from err


def async_setup_voicemail_services(hass: HomeAssistant) -> None:
    """Register the voicemail actions (once, for every entry)."""
    hass.services.async_register(
        DOMAIN,
        SERVICE_VOICEMAIL,
        _voicemail,
        schema=_ACCOUNT,
        supports_response=SupportsResponse.ONLY,
    )
    hass.services.async_register(DOMAIN, SERVICE_MARK_READ, _mark_read, schema=_MESSAGE)
    hass.services.async_register(DOMAIN, SERVICE_DELETE, _delete, schema=_MESSAGE)
