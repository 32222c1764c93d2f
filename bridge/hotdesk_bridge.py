#!/usr/bin/env python3
r"""Hot-desk card reader bridge: a USB card reader at a desk computer -> Home Assistant.

Reads the UID of every card or NFC watch put on the computer's PC/SC readers
(APDU ``FF CA 00 00 00``) and posts it to Home Assistant's
``/api/hotdesk_phone/scan`` with a long-lived access token, as
``{"reader": <reader id>, "uid": <hex>}``. In Home Assistant the reader id is
bound to a desk phone (the desk's card readers), so a tap here claims the call
ringing for that person or logs them in at that desk.

Scans wait in a bounded queue while Home Assistant cannot be reached and are
delivered, in order, once it answers (retries back off from 1 s to 30 s); scans
older than ``--max-age`` seconds are dropped (a late login would surprise).

    python3 hotdesk_bridge.py --url http://homeassistant.local:8123 \
        --token-file ~/.config/hotdesk-bridge/token --reader-id desk-3f-12

``--send UID`` posts one scan and exits (0 delivered, 1 refused, 2 Home
Assistant unreachable, 3 token refused): a check of the set-up without a card.

Needs Python 3.9+, aiohttp and pyscard (Debian/Ubuntu: ``apt install pcscd
python3-pyscard python3-aiohttp``), and pcscd running.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
from collections.abc import Callable
import contextlib
from dataclasses import dataclass, field
import enum
import json
import logging
import os
from pathlib import Path
import signal
import socket
import sys
import threading
import time
from typing import Any

import aiohttp

LOG = logging.getLogger("hotdesk_bridge")
SCAN_PATH = "/api/hotdesk_phone/scan"
GET_UID = [0xFF, 0xCA, 0x00, 0x00, 0x00]
SW_OK = [0x90, 0x00]
MIN_UID_RESPONSE = 3  # at least one UID byte + SW1 SW2
PNP_NOTIFICATION = "\\\\?PnP?\\Notification"
DEBOUNCE_SECONDS = 0.5
EXIT_OK, EXIT_REFUSED, EXIT_UNREACHABLE, EXIT_AUTH = 0, 1, 2, 3


class Outcome(enum.Enum):
    """What Home Assistant did with a posted scan."""

    DELIVERED = "delivered"
    REFUSED = "refused"  # 400, or 404 from the integration: retrying cannot help
    RETRY = "retry"  # unreachable, starting, 5xx: keep the scan, try again
    AUTH = "auth"  # 401/403: the token is wrong; nothing will get through


@dataclass
class Scan:
    """One card read."""

    uid: str
    reader: str = ""  # the local PC/SC reader, for the log
    at: float = field(default_factory=time.monotonic)


class Bridge:
    """Posts scans to Home Assistant; keeps them while it cannot be reached."""

    def __init__(
        self,
        url: str,
        token: str,
        reader_id: str,
        *,
        queue_size: int = 100,
        max_age: float = 300.0,
        retry_min: float = 1.0,
        retry_max: float = 30.0,
        timeout: float = 10.0,
    ) -> None:
        """Configure; ``run`` delivers."""
        self.url = url.rstrip("/") + SCAN_PATH
        self.token = token
        self.reader_id = reader_id
        self.queue: collections.deque[Scan] = collections.deque(maxlen=queue_size)
        self.max_age = max_age
        self.retry_min = retry_min
        self.retry_max = retry_max
        self.timeout = timeout
        self.delivered: list[Scan] = []
        self.last_error = ""
        self._wakeup = asyncio.Event()
        self._stopping = asyncio.Event()
        self._unreachable = False

    def submit(self, uid: str, reader: str = "") -> None:
        """Queue a scan (on the event loop's thread)."""
        if len(self.queue) == self.queue.maxlen:
            dropped = self.queue[0]
            LOG.warning(
                "Queue full (%d scans): dropping the oldest, %s",
                len(self.queue),
                dropped.uid,
            )
        self.queue.append(Scan(uid, reader))
        LOG.info("Card %s on %s queued", uid, reader or self.reader_id)
        self._wakeup.set()

    def stop(self) -> None:
        """Ask ``run`` to return."""
        self._stopping.set()
        self._wakeup.set()

    async def post(self, session: aiohttp.ClientSession, scan: Scan) -> Outcome:
        """Post one scan and classify the answer."""
        try:
            async with session.post(
                self.url,
                json={"reader": self.reader_id, "uid": scan.uid},
                headers={"Authorization": f"Bearer {self.token}"},
                timeout=aiohttp.ClientTimeout(total=self.timeout),
            ) as response:
                text = await response.text()
                status = response.status
                message = _message(response, text)
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as err:
            self.last_error = f"{type(err).__name__}: {err}".rstrip(": ")
            return Outcome.RETRY
        self.last_error = f"HTTP {status}: {message}"
        if status == 200:  # noqa: PLR2004
            return Outcome.DELIVERED
        if status in (401, 403):
            return Outcome.AUTH
        if status == 400 or (status == 404 and message.startswith("Unknown reader")):  # noqa: PLR2004
            return Outcome.REFUSED
        # 404 without the integration's message: Home Assistant is starting and
        # the integration is not loaded yet; 5xx: a proxy or HA in trouble.
        return Outcome.RETRY

    async def run(self, session: aiohttp.ClientSession | None = None) -> int:
        """Deliver queued scans until stopped; returns an exit code."""
        own = session is None
        session = session or aiohttp.ClientSession()
        try:
            return await self._deliver(session)
        finally:
            if own:
                await session.close()
            if self.queue:
                LOG.warning("Stopping with %d scans not delivered", len(self.queue))

    async def _deliver(self, session: aiohttp.ClientSession) -> int:
        delay = self.retry_min
        while not self._stopping.is_set():
            if not self.queue:
                self._wakeup.clear()
                await self._wakeup.wait()
                continue
            scan = self.queue[0]
            age = time.monotonic() - scan.at
            if age > self.max_age:
                self.queue.popleft()
                LOG.warning("Dropping %s: not delivered within %.1f s", scan.uid, age)
                continue
            outcome = await self.post(session, scan)
            if outcome is Outcome.RETRY:
                if not self._unreachable:
                    LOG.warning(
                        "Home Assistant unreachable (%s); keeping %d scan(s), "
                        "retrying in the background",
                        self.last_error,
                        len(self.queue),
                    )
                    self._unreachable = True
                else:
                    LOG.debug("Still unreachable: %s", self.last_error)
                await self._sleep(delay)
                delay = min(delay * 2, self.retry_max)
                continue
            if self._unreachable:
                LOG.info("Home Assistant reachable again")
                self._unreachable = False
            delay = self.retry_min
            if outcome is Outcome.AUTH:
                LOG.error(
                    "Home Assistant refused the access token (%s). Create a "
                    "long-lived access token (your profile > Security) and pass it "
                    "with --token-file",
                    self.last_error,
                )
                return EXIT_AUTH
            self.queue.popleft()
            if outcome is Outcome.DELIVERED:
                self.delivered.append(scan)
                LOG.info("Card %s delivered (%.1f s after the tap)", scan.uid, age)
            else:
                LOG.error(
                    "Home Assistant refused card %s: %s", scan.uid, self.last_error
                )
        return EXIT_OK

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)


def _message(response: aiohttp.ClientResponse, text: str) -> str:
    """The ``message`` of Home Assistant's JSON answers, else the start of the text."""
    if response.content_type == "application/json":
        try:
            body = json.loads(text)
        except ValueError:
            body = None
        if isinstance(body, dict) and isinstance(body.get("message"), str):
            return str(body["message"])
    return text.strip()[:200]


class CardWatcher:
    """A thread that reports each card put on a PC/SC reader of this computer.

    One report per tap: a card that stays is reported once; it has to be taken
    away (and stay away for ``DEBOUNCE_SECONDS``) to count again. Cards already
    on a reader when the bridge starts do not count. Without pcscd it retries
    with back-off and logs once.
    """

    def __init__(
        self,
        on_card: Callable[[str, str], object],
        readers: list[str] | None = None,
        retry_max: float = 30.0,
    ) -> None:
        """``readers``: names to watch (None: every reader)."""
        from smartcard import scard  # noqa: PLC0415 - pyscard only where needed

        self.scard: Any = scard
        self.on_card = on_card
        self.only = set(readers) if readers else None
        self.retry_max = retry_max
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._context: Any = None
        self._thread: threading.Thread | None = None
        self._present: dict[str, bool] = {}
        self._last: dict[str, tuple[str | None, float | None]] = {}
        self._failing = False
        self.ready = threading.Event()

    def start(self) -> None:
        """Start watching."""
        self._thread = threading.Thread(
            target=self._run, name="card-watcher", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop watching (blocking)."""
        self._stop.set()
        with self._lock:
            if self._context is not None:
                self.scard.SCardCancel(self._context)
        if self._thread is not None:
            self._thread.join(10)

    def _run(self) -> None:
        delay = 1.0
        while not self._stop.is_set():
            try:
                self._watch()
                delay = 1.0
            except OSError as err:
                if not self._failing:
                    LOG.warning(
                        "Cannot use PC/SC (%s); is pcscd running? Retrying", err
                    )
                    self._failing = True
                self._stop.wait(delay)
                delay = min(delay * 2, self.retry_max)
            except Exception:  # the watcher thread must not die
                LOG.exception("Card watcher failed; starting over")
                self._stop.wait(delay)
                delay = min(delay * 2, self.retry_max)

    def _call(self, name: str, result: Any) -> Any:
        code, *rest = result
        if code != self.scard.SCARD_S_SUCCESS:
            message = self.scard.SCardGetErrorMessage(code).rstrip(".")
            raise OSError(f"{name}: {message} (0x{code & 0xFFFFFFFF:08X})")
        return rest[0] if len(rest) == 1 else rest

    def _readers(self, context: Any) -> list[str]:
        code, names = self.scard.SCardListReaders(context, [])
        if code == self.scard.SCARD_E_NO_READERS_AVAILABLE:
            names = []
        else:
            self._call("SCardListReaders", (code, names))
        names = [n for n in names if self.only is None or n in self.only]
        LOG.info("Watching readers: %s", ", ".join(names) or "none yet (plug one in)")
        for name in set(self._present) - set(names):
            del self._present[name]
        return names

    def _watch(self) -> None:
        s = self.scard
        context = self._call(
            "SCardEstablishContext", s.SCardEstablishContext(s.SCARD_SCOPE_USER)
        )
        with self._lock:
            self._context = context
        try:
            if self._failing:
                LOG.info("PC/SC works again")
                self._failing = False
            states = dict.fromkeys(self._readers(context), s.SCARD_STATE_UNAWARE)
            pnp = s.SCARD_STATE_UNAWARE
            while not self._stop.is_set():
                code, result = s.SCardGetStatusChange(
                    context, 2000, [*states.items(), (PNP_NOTIFICATION, pnp)]
                )
                if code in (s.SCARD_E_TIMEOUT, s.SCARD_E_CANCELLED):
                    self.ready.set()
                    continue
                if code == s.SCARD_E_UNKNOWN_READER:
                    states = {
                        n: states.get(n, s.SCARD_STATE_UNAWARE)
                        for n in self._readers(context)
                    }
                    continue
                self._call("SCardGetStatusChange", (code, result))
                relist = False
                for name, event, _atr in result:
                    if name == PNP_NOTIFICATION:
                        relist |= bool(event & s.SCARD_STATE_CHANGED)
                        pnp = event & ~s.SCARD_STATE_CHANGED
                    elif event & (s.SCARD_STATE_UNKNOWN | s.SCARD_STATE_IGNORE):
                        relist = True
                    else:
                        states[name] = event & ~s.SCARD_STATE_CHANGED
                        self._seen(context, name, bool(event & s.SCARD_STATE_PRESENT))
                if relist:
                    states = {
                        n: states.get(n, s.SCARD_STATE_UNAWARE)
                        for n in self._readers(context)
                    }
                else:
                    self.ready.set()
        finally:
            with self._lock:
                self._context = None
            s.SCardReleaseContext(context)

    def _seen(self, context: Any, reader: str, present: bool) -> None:
        first = reader not in self._present
        was = self._present.get(reader, False)
        self._present[reader] = present
        if first or present == was:
            return
        now = time.monotonic()
        last_uid, removed_at = self._last.get(reader, (None, None))
        if not present:
            self._last[reader] = (last_uid, now)
            return
        uid = self._read_uid(context, reader)
        if uid is None:
            return
        self._last[reader] = (uid, None)
        if (
            uid == last_uid
            and removed_at is not None
            and now - removed_at < DEBOUNCE_SECONDS
        ):
            return
        self.on_card(reader, uid)

    def _read_uid(self, context: Any, reader: str) -> str | None:
        s = self.scard
        code, card, protocol = s.SCardConnect(
            context,
            reader,
            s.SCARD_SHARE_SHARED,
            s.SCARD_PROTOCOL_T0 | s.SCARD_PROTOCOL_T1,
        )
        if code != s.SCARD_S_SUCCESS:
            LOG.warning(
                "Cannot talk to the card on %s (0x%08X)", reader, code & 0xFFFFFFFF
            )
            return None
        try:
            code, response = s.SCardTransmit(card, protocol, GET_UID)
        finally:
            s.SCardDisconnect(card, s.SCARD_LEAVE_CARD)
        if (
            code != s.SCARD_S_SUCCESS
            or len(response) < MIN_UID_RESPONSE
            or response[-2:] != SW_OK
        ):
            LOG.warning("The card on %s has no readable UID", reader)
            return None
        return bytes(response[:-2]).hex().upper()


def _token(args: argparse.Namespace) -> str:
    if args.token_file:
        return Path(args.token_file).expanduser().read_text(encoding="utf-8").strip()
    return (args.token or os.environ.get("HOTDESK_TOKEN", "")).strip()


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(
        description="Post card UIDs from this computer's USB card readers to Home "
        "Assistant's hot-desk phone integration."
    )
    parser.add_argument(
        "--url",
        required=True,
        help="Home Assistant's base URL, e.g. http://homeassistant.local:8123",
    )
    token = parser.add_mutually_exclusive_group()
    token.add_argument("--token-file", help="file holding a long-lived access token")
    token.add_argument("--token", help="the token itself (or set HOTDESK_TOKEN)")
    parser.add_argument(
        "--reader-id",
        default=socket.gethostname(),
        help="this computer's reader id, as bound to a desk phone in Home Assistant "
        "(default: the host name, %(default)s)",
    )
    parser.add_argument(
        "--reader",
        action="append",
        help="only this PC/SC reader (repeatable; default: all)",
    )
    parser.add_argument(
        "--queue-size",
        type=int,
        default=100,
        help="scans kept while HA is unreachable (100)",
    )
    parser.add_argument(
        "--max-age",
        type=float,
        default=300.0,
        help="drop scans older than this many seconds (300)",
    )
    parser.add_argument(
        "--retry-max",
        type=float,
        default=30.0,
        help="longest wait between retries, s (30)",
    )
    parser.add_argument(
        "--send", metavar="UID", help="post this one UID and exit (a set-up check)"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    return parser.parse_args(argv)


async def send_once(bridge: Bridge, uid: str) -> int:
    """``--send``: one post, its outcome as the exit code."""
    async with aiohttp.ClientSession() as session:
        outcome = await bridge.post(session, Scan(uid))
    codes = {
        Outcome.DELIVERED: EXIT_OK,
        Outcome.REFUSED: EXIT_REFUSED,
        Outcome.RETRY: EXIT_UNREACHABLE,
        Outcome.AUTH: EXIT_AUTH,
    }
    log = LOG.info if outcome is Outcome.DELIVERED else LOG.error
    log("%s: %s", outcome.value, bridge.last_error)
    return codes[outcome]


async def main_async(args: argparse.Namespace) -> int:
    """Run the bridge until SIGINT/SIGTERM."""
    token = _token(args)
    if not token:
        LOG.error("No access token: use --token-file, --token or HOTDESK_TOKEN")
        return EXIT_AUTH
    bridge = Bridge(
        args.url,
        token,
        args.reader_id,
        queue_size=args.queue_size,
        max_age=args.max_age,
        retry_max=args.retry_max,
    )
    if args.send:
        return await send_once(bridge, args.send)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, bridge.stop)
    watcher = CardWatcher(
        lambda reader, uid: loop.call_soon_threadsafe(bridge.submit, uid, reader),
        args.reader,
        retry_max=args.retry_max,
    )
    LOG.info("Posting scans as reader id %r to %s", args.reader_id, bridge.url)
    watcher.start()
    try:
        return await bridge.run()
    finally:
        await loop.run_in_executor(None, watcher.stop)


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    args = parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(message)s",
    )
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    sys.exit(main())
