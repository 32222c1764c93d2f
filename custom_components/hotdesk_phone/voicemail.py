"""Voicemail over AMI: an account's messages, their files, the desks' lamps.

Pure Python: no Home Assistant imports. ``mailboxes.py`` follows each
account's mailbox with these. Asterisk 22's app_voicemail lists a mailbox
with ``VoicemailBoxSummary`` (one ``VoicemailBoxDetail`` per message: folder,
caller ID, duration, date and the message's id), tells changes with the
``MessageWaiting`` event, moves a message with ``VoicemailMove`` and deletes
one with ``VoicemailRemove`` (write right ``user``). AMI cannot carry the
audio: a message's file is read from the PBX's spool folder where Home
Assistant can read it (``message_file``), and only for an id the PBX listed.
A desk's message-waiting lamp is a SIP NOTIFY (``message-summary``, RFC 3842)
sent with ``PJSIPNotify`` (write right ``system``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
import re
from typing import Any, Final

from .ami import AmiClient
from .ami_errors import AmiActionError

INBOX: Final = "INBOX"
OLD: Final = "Old"
# The folders whose messages the integration lists and plays.
FOLDERS: Final = (INBOX, OLD)
# What app_voicemail names a mailbox, a context and a message id: anything
# else is refused before it reaches a path or an AMI header.
_MAILBOX: Final = re.compile(r"^[0-9A-Za-z_.+-]{1,40}$")
_MESSAGE_ID: Final = re.compile(r"^[0-9]{1,20}-[0-9A-Fa-f]{1,16}$")
_CALLER_ID: Final = re.compile(r'^\s*(?:"(?P<name>[^"]*)"\s*)?<(?P<number>[^>]*)>\s*$')
_MSG_ID_LINE: Final = re.compile(r"^msg_id=(?P<id>\S+)\s*$", re.MULTILINE)
# Messages of one mailbox the files are looked through for (app_voicemail's
# maxmsg is 100 by default, 9999 at most).
MAX_MESSAGES: Final = 9999


class VoicemailError(ValueError):
    """A mailbox, message id or folder that may not be used."""


@dataclass(frozen=True, slots=True)
class Message:
    """One voicemail message as the PBX lists it."""

    message_id: str
    folder: str
    caller_id_number: str
    caller_id_name: str
    duration: int  # seconds
    date: str  # the PBX's own words, e.g. "Fri Dec  4 09:11:55 AM UTC 2026"

    @property
    def new(self) -> bool:
        """Not yet listened to (in the INBOX)."""
        return self.folder == INBOX


@dataclass(frozen=True, slots=True)
class MessageWaiting:
    """A ``MessageWaiting`` event: a mailbox's counts changed."""

    mailbox: str  # "101@default"
    new: int
    old: int


def split_mailbox(mailbox: str) -> tuple[str, str]:
    """``101@default`` -> ``("101", "default")``; a bad one raises."""
    box, sep, context = mailbox.partition("@")
    context = context if sep else "default"
    if not _MAILBOX.match(box) or not _MAILBOX.match(context):
        raise VoicemailError(f"bad mailbox {mailbox[:60]!r}")
    return box, context


def check_message_id(message_id: str) -> str:
    """A message id as app_voicemail makes them (``<epoch>-<hex>``)."""
    if not _MESSAGE_ID.match(message_id):
        raise VoicemailError(f"bad message id {message_id[:40]!r}")
    return message_id


def split_caller_id(caller_id: str) -> tuple[str, str]:
    """``"Bob" <5550100>`` -> ``("5550100", "Bob")``; plain text is a name."""
    match = _CALLER_ID.match(caller_id)
    if match is None:
        return "", caller_id.strip()
    return match["number"].strip(), (match["name"] or "").strip()


def _int(value: Any) -> int:
    text = str(value or "").strip()
    return int(text) if text.isdigit() else 0


def parse_box_summary(items: Iterable[Mapping[str, Any]]) -> list[Message]:
    """The messages of ``VoicemailBoxSummary``'s events, oldest first.

    An item without a valid id or in another folder (Work, Family, ...) is
    left out: the integration plays and changes INBOX and Old only.
    """
    messages = []
    for item in items:
        if item.get("Event") != "VoicemailBoxDetail":
            continue
        message_id = str(item.get("ID") or "")
        folder = str(item.get("Folder") or "")
        if not _MESSAGE_ID.match(message_id) or folder not in FOLDERS:
            continue
        number, name = split_caller_id(str(item.get("CallerID") or ""))
        messages.append(
            Message(
                message_id=message_id,
                folder=folder,
                caller_id_number=number,
                caller_id_name=name,
                duration=_int(item.get("Duration")),
                date=str(item.get("Date") or ""),
            )
        )
    return sorted(messages, key=lambda m: m.message_id)


def parse_message_waiting(headers: Mapping[str, str]) -> MessageWaiting | None:
    """A ``MessageWaiting`` event's mailbox and counts (None if malformed)."""
    mailbox = headers.get("Mailbox", "")
    try:
        split_mailbox(mailbox)
    except VoicemailError:
        return None
    return MessageWaiting(mailbox, _int(headers.get("New")), _int(headers.get("Old")))


def summary_lines(new: int, old: int) -> list[str]:
    """The ``application/simple-message-summary`` body's lines (RFC 3842)."""
    return [
        f"Messages-Waiting: {'yes' if new else 'no'}",
        f"Voice-Message: {new}/{old} (0/0)",
    ]


def endpoint_of(dial_string: str) -> str | None:
    """The PJSIP endpoint of a desk's dial string (``PJSIP/desk3``), else None.

    A desk reached through a trunk (``PJSIP/x@trunk``) or another technology
    gets no NOTIFY from this PBX.
    """
    tech, sep, rest = dial_string.partition("/")
    if not sep or tech.upper() != "PJSIP" or not _MAILBOX.match(rest):
        return None
    return rest


# AMI actions.


def _messages(reply: Any) -> list[Any]:
    return list(reply) if isinstance(reply, list) else [reply]


async def box_summary(client: AmiClient, mailbox: str) -> list[Message]:
    """The mailbox's messages (``VoicemailBoxSummary``; write right ``call``)."""
    box, context = split_mailbox(mailbox)
    reply = _messages(
        await client.send(
            {"Action": "VoicemailBoxSummary", "Context": context, "Mailbox": box}
        )
    )
    if not reply[0].success:
        raise AmiActionError("VoicemailBoxSummary", str(reply[0].get("Message")))
    return parse_box_summary(reply[1:])


async def _command(client: AmiClient, fields: Mapping[str, str | list[str]]) -> None:
    reply = _messages(await client.send(fields, as_list=False))[0]
    reason = str(reply.get("Message", "error"))
    # Asterisk 22 answers a VoicemailMove or VoicemailRemove of a message
    # that is not there with "Response: Success", "Message remove failed".
    if not reply.success or reason.endswith(" failed"):
        raise AmiActionError(str(fields["Action"]), reason)


async def move_message(
    client: AmiClient, mailbox: str, message: Message, to_folder: str
) -> None:
    """Move a message to another folder (``VoicemailMove``; right ``user``)."""
    box, context = split_mailbox(mailbox)
    if to_folder not in FOLDERS:
        raise VoicemailError(f"bad folder {to_folder[:20]!r}")
    await _command(
        client,
        {
            "Action": "VoicemailMove",
            "Context": context,
            "Mailbox": box,
            "Folder": message.folder,
            "ID": check_message_id(message.message_id),
            "ToFolder": to_folder,
        },
    )


async def remove_message(client: AmiClient, mailbox: str, message: Message) -> None:
    """Delete a message (``VoicemailRemove``; right ``user``)."""
    box, context = split_mailbox(mailbox)
    await _command(
        client,
        {
            "Action": "VoicemailRemove",
            "Context": context,
            "Mailbox": box,
            "Folder": message.folder,
            "ID": check_message_id(message.message_id),
        },
    )


async def notify_mwi(client: AmiClient, endpoint: str, new: int, old: int) -> None:
    """Light (or put out) a desk's message-waiting lamp (``PJSIPNotify``)."""
    if endpoint_of(f"PJSIP/{endpoint}") is None:
        raise VoicemailError(f"bad endpoint {endpoint[:40]!r}")
    variables = [
        "Event=message-summary",
        "Content-Type=application/simple-message-summary",
        *(f"Content={line}" for line in summary_lines(new, old)),
    ]
    fields: dict[str, str | list[str]] = {
        "Action": "PJSIPNotify",
        "Endpoint": endpoint,
        "Variable": variables,
    }
    await _command(client, fields)


# The audio file.


def message_file(spool: Path, mailbox: str, message: Message) -> Path | None:
    """The message's audio file in the spool, or None when it is not there.

    ``spool`` is app_voicemail's folder (``/var/spool/asterisk/voicemail``
    on the PBX) as Home Assistant reads it. Files are named by number
    (``msg0003.wav``), which moves when another message is deleted; the
    message's id is in its ``.txt`` (``msg_id=``), so the file is found by
    the id. Only names this module builds are opened, and the result must
    lie inside ``spool``.
    """
    box, context = split_mailbox(mailbox)
    check_message_id(message.message_id)
    if message.folder not in FOLDERS:
        raise VoicemailError(f"bad folder {message.folder[:20]!r}")
    root = spool.resolve()
    folder = (root / context / box / message.folder).resolve()
    if not folder.is_relative_to(root) or not folder.is_dir():
        return None
    for text_file in sorted(folder.glob("msg[0-9][0-9][0-9][0-9].txt"))[:MAX_MESSAGES]:
        try:
            found = _MSG_ID_LINE.search(text_file.read_text(errors="replace"))
        except OSError:
            continue
        if found is None or found["id"] != message.message_id:
            continue
        for suffix in (".wav", ".WAV", ".gsm"):
            audio = text_file.with_suffix(suffix).resolve()
            if audio.is_relative_to(root) and audio.is_file():
                return audio
    return None


CONTENT_TYPES: Final = {".wav": "audio/wav", ".gsm": "audio/x-gsm"}
