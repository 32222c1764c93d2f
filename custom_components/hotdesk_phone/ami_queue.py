"""Asterisk queues over AMI: who is a member where, and changing that.

Pure Python: no Home Assistant imports. ``queues.py`` makes an account's queue
membership follow the person's login with these; the actions need the AMI
user's ``agent`` write right (``QueueAdd``, ``QueueRemove``, ``QueuePause``),
the lists none.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from panoramisk.message import Message

from .ami import AmiClient
from .ami_errors import AmiActionError

PAUSE_REASON: Final = "do not disturb"


@dataclass(frozen=True, slots=True)
class QueueMember:
    """One member of one queue, as ``QueueStatus`` lists it."""

    queue: str
    interface: str
    name: str
    paused: bool
    dynamic: bool


def _messages(reply: Message | list[Message]) -> list[Message]:
    return list(reply) if isinstance(reply, list) else [reply]


async def _list(client: AmiClient, action: str, **fields: str) -> list[Message]:
    messages = _messages(await client.send({"Action": action, **fields}))
    if not messages[0].success:
        raise AmiActionError(action, str(messages[0].get("Message", "error")))
    return messages[1:]


async def _command(client: AmiClient, action: str, **fields: str) -> None:
    # One reply: panoramisk would take QueueAdd's "Added interface to queue"
    # for the start of a list and wait for events that never come.
    reply = _messages(await client.send({"Action": action, **fields}, as_list=False))[0]
    if not reply.success:
        raise AmiActionError(action, str(reply.get("Message", "error")))


async def queue_names(client: AmiClient) -> list[str]:
    """The queues the PBX has (``QueueSummary``)."""
    return sorted(
        {
            str(m.get("Queue"))
            for m in await _list(client, "QueueSummary")
            if m.get("Event") == "QueueSummary" and m.get("Queue")
        }
    )


async def queue_members(client: AmiClient, queues: Iterable[str]) -> list[QueueMember]:
    """The members of these queues (``QueueStatus`` for each)."""
    members: list[QueueMember] = []
    for queue in sorted(set(queues)):
        for message in await _list(client, "QueueStatus", Queue=queue):
            if message.get("Event") != "QueueMember" or not message.get("Location"):
                continue
            members.append(
                QueueMember(
                    queue=str(message.get("Queue") or queue),
                    interface=str(message.get("Location")),
                    name=str(message.get("Name") or ""),
                    paused=str(message.get("Paused")) == "1",
                    dynamic=str(message.get("Membership")) == "dynamic",
                )
            )
    return members


async def queue_add(
    client: AmiClient, queue: str, interface: str, name: str, *, paused: bool
) -> None:
    """Add a dynamic member (its state followed on the same interface)."""
    await _command(
        client,
        "QueueAdd",
        Queue=queue,
        Interface=interface,
        MemberName=name,
        StateInterface=interface,
        Paused="true" if paused else "false",
    )


async def queue_remove(client: AmiClient, queue: str, interface: str) -> None:
    """Remove a member from a queue."""
    await _command(client, "QueueRemove", Queue=queue, Interface=interface)


async def queue_pause(
    client: AmiClient, queue: str, interface: str, *, paused: bool
) -> None:
    """Pause (do not disturb) or unpause a member in one queue."""
    await _command(
        client,
        "QueuePause",
        Queue=queue,
        Interface=interface,
        Paused="true" if paused else "false",
        Reason=PAUSE_REASON,
    )
