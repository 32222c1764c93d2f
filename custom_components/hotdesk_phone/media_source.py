"""Voicemail in Home Assistant's media browser: an account's messages, played.

``media-source://hotdesk_phone/<entry id>/<account id>[/<message id>]``. A
user sees and plays only the messages of the accounts that name one of their
persons; administrators (and Home Assistant itself, e.g. an automation that
plays a message on a speaker) every account's. Playing goes through
``VoicemailView``, which checks the same again for the user the URL was signed
for (media_source signs it), takes only ids the PBX listed, and marks a new
message read (``VoicemailMove`` INBOX -> Old) once it was served.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from homeassistant.auth.models import User
from homeassistant.components.http.const import KEY_HASS_USER
from homeassistant.components.media_player.const import MediaClass, MediaType
from homeassistant.components.media_player.errors import BrowseError
from homeassistant.components.media_source import (
    BrowseMediaSource,
    MediaSource,
    MediaSourceItem,
    PlayMedia,
    Unresolvable,
)
from homeassistant.components.websocket_api.connection import current_connection
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import Unauthorized
from homeassistant.helpers.http import KEY_HASS, HomeAssistantView

from .ami_errors import AmiError
from .auth import owns_account
from .const import DOMAIN, LOGGER
from .mailboxes import Mailboxes, mailboxes_of
from .voicemail import CONTENT_TYPES, VoicemailError, check_message_id

if TYPE_CHECKING:
    from .directory import Account
    from .voicemail import Message

VIEW_URL = "/api/hotdesk_phone/voicemail/{entry_id}/{account_id}/{message_id}"


async def async_get_media_source(hass: HomeAssistant) -> MediaSource:
    """Home Assistant's media_source platform: the voicemail source."""
    return VoicemailSource(hass)


def async_register_voicemail_view(hass: HomeAssistant) -> None:
    """The audio's endpoint, once, while HA's router still takes routes."""
    hass.http.register_view(VoicemailView())


def may_hear(hass: HomeAssistant, user: User | None, account: Account) -> bool:
    """Whether this user may list and play the account's messages.

    No user (Home Assistant itself) and administrators: yes; Home
    Assistant's own system users sign what it plays on a speaker; anyone
    else only for an account that names one of their persons.
    """
    if user is None or user.is_admin or user.system_generated:
        return True
    return owns_account(hass, user.id, account)


def _connection_user() -> User | None:
    connection = current_connection.get()
    return connection.user if connection is not None else None


def _parts(identifier: str) -> list[str]:
    return [p for p in identifier.split("/") if p] if identifier else []


def _lookup(
    hass: HomeAssistant, entry_id: str, account_id: str
) -> tuple[Mailboxes, Account] | None:
    mailboxes = mailboxes_of(hass).get(entry_id)
    if mailboxes is None:
        return None
    account = mailboxes.hub.directory.accounts.get(account_id)
    if account is None or not account.voicemail:
        return None
    return mailboxes, account


def _title(message: Message) -> str:
    who = message.caller_id_name or message.caller_id_number or "?"
    if message.caller_id_name and message.caller_id_number:
        who = f"{message.caller_id_name} ({message.caller_id_number})"
    return f"{'● ' if message.new else ''}{message.date}: {who}, {message.duration} s"


class VoicemailSource(MediaSource):
    """The accounts' voicemail messages."""

    name = "Voicemail"

    def __init__(self, hass: HomeAssistant) -> None:
        """One source for every entry."""
        super().__init__(DOMAIN)
        self.hass = hass

    async def async_resolve_media(self, item: MediaSourceItem) -> PlayMedia:
        """The view's URL of one message (signed by media_source for its user)."""
        parts = _parts(item.identifier)
        if len(parts) != 3:  # noqa: PLR2004
            raise Unresolvable("Not a voicemail message")
        entry_id, account_id, message_id = parts
        found = _lookup(self.hass, entry_id, account_id)
        if found is None:
            raise Unresolvable("No such mailbox")
        mailboxes, account = found
        if not may_hear(self.hass, _connection_user(), account):
            raise Unauthorized(perm_category=DOMAIN)
        message = mailboxes.find(account_id, message_id)
        if message is None:
            raise Unresolvable("No such message")
        path = mailboxes.audio_file(account, message) if mailboxes.spool else None
        suffix = path.suffix.lower() if path is not None else ".wav"
        url = VIEW_URL.format(
            entry_id=entry_id, account_id=account_id, message_id=message_id
        )
        return PlayMedia(url, CONTENT_TYPES.get(suffix, "audio/wav"))

    async def async_browse_media(self, item: MediaSourceItem) -> BrowseMediaSource:
        """The accounts the user may hear, or one account's messages."""
        user = _connection_user()
        parts = _parts(item.identifier)
        if not parts:
            return self._root(user)
        if len(parts) != 2:  # noqa: PLR2004
            raise BrowseError("Not a voicemail folder")
        found = _lookup(self.hass, *parts)
        if found is None:
            raise BrowseError("No such mailbox")
        mailboxes, account = found
        if not may_hear(self.hass, user, account):
            raise Unauthorized(perm_category=DOMAIN)
        return self._account(mailboxes, account)

    def _root(self, user: User | None) -> BrowseMediaSource:
        children = [
            self._account(mailboxes, account, with_children=False)
            for mailboxes in mailboxes_of(self.hass).values()
            for account in mailboxes.accounts()
            if may_hear(self.hass, user, account)
        ]
        return BrowseMediaSource(
            domain=DOMAIN,
            identifier=None,
            media_class=MediaClass.DIRECTORY,
            media_content_type=MediaType.APP,
            title=self.name,
            can_play=False,
            can_expand=True,
            children=children,
            children_media_class=MediaClass.DIRECTORY,
        )

    def _account(
        self, mailboxes: Mailboxes, account: Account, *, with_children: bool = True
    ) -> BrowseMediaSource:
        entry_id = mailboxes.hub.entry.entry_id
        new, _old = mailboxes.counts(account.account_id)
        children = [
            BrowseMediaSource(
                domain=DOMAIN,
                identifier=f"{entry_id}/{account.account_id}/{message.message_id}",
                media_class=MediaClass.MUSIC,
                media_content_type=MediaType.MUSIC,
                title=_title(message),
                can_play=True,
                can_expand=False,
            )
            for message in reversed(mailboxes.messages.get(account.account_id, []))
        ]
        return BrowseMediaSource(
            domain=DOMAIN,
            identifier=f"{entry_id}/{account.account_id}",
            media_class=MediaClass.DIRECTORY,
            media_content_type=MediaType.MUSIC,
            title=f"{account.name} ({account.extension}): {new}",
            can_play=False,
            can_expand=True,
            children=children if with_children else None,
            children_media_class=MediaClass.MUSIC,
        )


class VoicemailView(HomeAssistantView):
    """Serves one message's audio to those who may hear it."""

    url = VIEW_URL
    name = "api:hotdesk_phone:voicemail"
    requires_auth = True

    async def get(
        self, request: web.Request, entry_id: str, account_id: str, message_id: str
    ) -> web.StreamResponse:
        """The audio; 401 for a user who may not hear it, 404 for what is not there."""
        hass = request.app[KEY_HASS]
        try:
            check_message_id(message_id)
        except VoicemailError as err:
            raise web.HTTPNotFound from err
        found = _lookup(hass, entry_id, account_id)
        if found is None:
            raise web.HTTPNotFound
        mailboxes, account = found
        if not may_hear(hass, request[KEY_HASS_USER], account):
            raise Unauthorized(perm_category=DOMAIN)
        message = mailboxes.find(account_id, message_id)
        if message is None:  # not in the last list: ask the PBX once
            await mailboxes.async_refresh(account_id, announce=False)
            message = mailboxes.find(account_id, message_id)
        if message is None:
            raise web.HTTPNotFound
        read = await hass.async_add_executor_job(
            _read_audio, mailboxes, account, message
        )
        if read is None:
            raise web.HTTPNotFound
        body, content_type = read
        # Read whole before the move: marking it read renames the file.
        if message.new:
            try:
                await mailboxes.async_mark_read(account, message)
            except (AmiError, VoicemailError) as err:
                LOGGER.warning("Voicemail %s not marked read: %s", message_id, err)
        return web.Response(body=body, content_type=content_type)


def _read_audio(
    mailboxes: Mailboxes, account: Account, message: Message
) -> tuple[bytes, str] | None:
    """The message's audio and its type (a message is a few MB at most)."""
    path = mailboxes.audio_file(account, message)
    if path is None:
        return None
    try:
        body = path.read_bytes()
    except OSError:
        return None
    return body, CONTENT_TYPES.get(path.suffix.lower(), "application/octet-stream")
