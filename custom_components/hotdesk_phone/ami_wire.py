"""AMI on the wire: values checked, messages framed, list replies collected.

panoramisk's protocol, changed where the client needs it: events the product
does not track are skipped before they are parsed, a list action's answer is
collected as plain header maps, a read of thousands of messages is handled
in turns of the event loop, and a lost connection is told to the client
(which reconnects) instead of panoramisk's ``Manager``. No Home Assistant
imports here.
"""

from __future__ import annotations

import asyncio
import codecs
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final, Protocol

from panoramisk.ami_protocol import AMIProtocol
from panoramisk.message import Message

from .ami_errors import AmiValueError

EOL: Final = "\r\n"
# Asterisk reads at most 1024 bytes per line and silently drops longer ones.
MAX_LINE_BYTES: Final = 1024

# Events the product uses. Everything else is dropped before parsing,
# unless it answers one of our actions (it then carries our ActionID).
TRACKED_EVENTS: Final = frozenset(
    {
        "DialBegin",
        "DialEnd",
        "Hangup",
        "Newstate",
        "DeviceStateChange",
        "BridgeEnter",
        "FullyBooted",
        "Shutdown",
        # A mailbox's counts changed (voicemail.py).
        "MessageWaiting",
    }
)


@dataclass(frozen=True, slots=True)
class AmiEvent:
    """One AMI event: its name and headers (first value of each header)."""

    name: str
    headers: Mapping[str, str]


def check_value(key: str, value: str) -> str:
    """Refuse a header whose value would inject lines or be dropped by AMI."""
    if "\r" in value or "\n" in value or "\r" in key or "\n" in key:
        raise AmiValueError(f"AMI header {key!r} contains a line break")
    limit = MAX_LINE_BYTES - len(EOL)
    # UTF-8 takes at most 4 bytes a character: short lines need no encoding.
    chars = len(key) + len(value) + 2
    if chars * 4 > limit and len(f"{key}: {value}".encode()) > limit:
        raise AmiValueError(f"AMI header {key!r} is longer than {MAX_LINE_BYTES} bytes")
    return value


def db_put_fits(family: str, key: str, value: str) -> bool:
    """Whether a DBPut of this value can be sent (no line break, no long line)."""
    try:
        wire_lines({"Family": family, "Key": key, "Val": value})
    except AmiValueError:
        return False
    return True


def wire_lines(fields: Mapping[str, str | Iterable[str]]) -> list[str]:
    """The ``Key: Value`` lines of an action; unsafe values are refused."""
    lines: list[str] = []
    for key, value in fields.items():
        if isinstance(value, str):
            lines.append(f"{key}: {check_value(key, value)}")
        else:
            lines.extend(f"{key}: {check_value(key, item)}" for item in value)
    return lines


def parse_header_block(block: str) -> dict[str, str]:
    """Parse ``Key: Value`` lines; the first value of a repeated key wins."""
    headers: dict[str, str] = {}
    for line in block.split(EOL):
        key, sep, value = line.partition(": ")
        if sep and key not in headers:
            headers[key] = value
    return headers


def parse_list_item(block: str) -> dict[str, str]:
    """``parse_header_block`` with lower-case names (AMI's are case-blind)."""
    headers: dict[str, str] = {}
    for line in block.split(EOL):
        key, sep, value = line.partition(": ")
        if sep:
            headers.setdefault(key.lower(), value)
    return headers


# The replies that mean an action was carried out (as panoramisk reads them).
SUCCESS_RESPONSES: Final = frozenset(Message.success_responses)


class ListReply:
    """The answer to one list action, collected as plain header maps.

    An office's AstDB tree is 30,000 events: each read as a plain ``dict``
    instead of a panoramisk ``Message`` (and the per-event checks of its
    ``Action``) made the resync after a reconnect a fraction as costly.
    The future gets the response and the events before the ``...Complete``.
    """

    __slots__ = ("future", "items", "response")

    def __init__(self) -> None:
        """Wait for the answer, in the running event loop."""
        self.future: asyncio.Future[tuple[dict[str, str], list[dict[str, str]]]] = (
            asyncio.get_running_loop().create_future()
        )
        self.response: dict[str, str] | None = None
        self.items: list[dict[str, str]] = []

    def add(self, headers: dict[str, str]) -> bool:
        """Take one message of the answer; True when the answer is whole."""
        if self.response is None:
            self.response = headers
            # A refusal, or a success that lists nothing, is the whole answer.
            whole = headers.get("response") not in SUCCESS_RESPONSES or not (
                headers.get("eventlist", "").lower() == "start"
                or "will follow" in headers.get("message", "").lower()
            )
        elif headers.get("eventlist", "").lower() == "complete" or headers.get(
            "event", ""
        ).endswith("Complete"):
            whole = True
        else:
            self.items.append(headers)
            whole = False
        if whole and not self.future.done():
            self.future.set_result((self.response, self.items))
        return whole


class LinkOwner(Protocol):
    """What the protocol tells of its link (the client: ``ami.AmiClient``)."""

    def handle_event(self, event: AmiEvent) -> None:
        """A tracked event arrived."""

    def handle_connection_lost(self, protocol: LinkProtocol) -> None:
        """The link ended without ``close()``."""


# Messages handled at once before the event loop gets a turn (``_drain``).
MESSAGES_PER_TURN = 300


class LinkProtocol(AMIProtocol):  # type: ignore[misc]
    """panoramisk's protocol with two changes.

    Events we do not track are skipped before a ``Message`` is built, and
    connection loss is reported to our client instead of panoramisk's
    ``Manager`` (no resending of actions on another connection).
    """

    client: LinkOwner
    version: str | None
    closed: bool
    booted: asyncio.Event  # FullyBooted seen on this connection (or it ended)
    # TCP cuts the stream anywhere, also inside a multi-byte character: the
    # decoder keeps an incomplete character's bytes for the next read.
    decoder: codecs.IncrementalDecoder

    def _event(self, event: AmiEvent) -> None:
        if event.name == "FullyBooted":
            self.booted.set()
        self.client.handle_event(event)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Start with nothing read and no list action waiting."""
        # Messages read but not handled yet, while the loop has its turn.
        self.backlog: deque[str] = deque()
        # List actions waiting for their answer, by ActionID.
        self.lists: dict[str, ListReply] = {}
        self.draining = False
        self.reading_paused = False
        super().connection_made(transport)

    def data_received(self, data: bytes) -> None:
        """Split what was read into messages; handle them in turns."""
        text = self.decoder.decode(data)
        if self.version is None and text.startswith("Asterisk Call Manager/"):
            self.version = text.partition(EOL)[0].partition("/")[2].strip()
        if self.queue:
            text = self.queue.popleft() + text
        blocks = text.split(EOL + EOL)
        self.queue.append(blocks.pop())
        self.backlog.extend(blocks)
        if not self.draining:
            self._drain()

    def _drain(self) -> None:
        """Handle up to ``MESSAGES_PER_TURN`` messages, the rest in later turns.

        One read can hold thousands of messages (an office's AstDB tree or
        device states): reading stops while they wait, so they keep their
        order and the event loop is never held for all of them at once.
        """
        self.draining = False
        backlog = self.backlog
        for _ in range(MESSAGES_PER_TURN):
            if not backlog:
                break
            self._handle_block(backlog.popleft())
        if backlog and not self.closed:
            self.draining = True
            if not self.reading_paused:
                self.reading_paused = True
                self.transport.pause_reading()
            asyncio.get_running_loop().call_soon(self._drain)
        elif self.reading_paused and not self.closed:
            self.reading_paused = False
            self.transport.resume_reading()

    def _handle_block(self, raw: str) -> None:
        # Only line ends around a message are noise (Asterisk sometimes
        # sends a lone EOL); blanks belong to the last header's value, and
        # an empty value ("AccountCode: ") must survive.
        block = raw.strip(EOL)
        if self.lists and "ActionID: " in block:
            headers = parse_list_item(block)
            action_id = headers.get("actionid", "")
            if (listing := self.lists.get(action_id)) is not None:
                if listing.add(headers):
                    del self.lists[action_id]
                return
        is_event = block.startswith("Event: ")
        # An ActionID header follows a line end; "ActionID: " inside a
        # value (a caller's name can be anything) is not one.
        if is_event and EOL + "ActionID: " not in block:
            self._tracked_event(block)
            return
        message = Message.from_line(block)
        if message is None:
            return
        if not self.handle_message(message) and is_event:
            self._tracked_event(block)  # answers none of ours: an event

    def _tracked_event(self, block: str) -> None:
        name = block[7 : block.find(EOL) if EOL in block else None]
        if name in TRACKED_EVENTS:
            self._event(AmiEvent(name, parse_header_block(block)))

    def handle_message(self, message: Message) -> bool:
        """Give a message to the action it answers; False if none waits."""
        response = self.responses.get(message.id)
        if response is None and message.action_id:
            response = self.responses.get(message.action_id)
        if response is None:
            return False
        if response.add_message(message):
            self.responses.pop(response.id, None)
        return True

    def connection_lost(self, exc: Exception | None) -> None:
        """Handle what was read, then tell the client the link is gone."""
        # What the PBX sent before the link went is handled first, in order.
        while self.backlog:
            self._handle_block(self.backlog.popleft())
        self.booted.set()
        if not self.closed:
            self.closed = True
            self.client.handle_connection_lost(self)

    def fail_pending(self, error: Exception) -> None:
        """Fail every action that waits for a reply on this connection."""
        for action in [*self.responses.values(), *self.lists.values()]:
            if not action.future.done():
                action.future.set_exception(error)
        self.responses.clear()
        self.lists.clear()

    def close(self) -> None:
        """Close the link; the client closed it, so it is not told."""
        self.booted.set()
        if not self.closed:
            self.closed = True
            self.transport.close()
