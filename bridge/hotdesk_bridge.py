#!/usr/bin/env python3
r"""Hot-desk card reader bridge: a USB card reader at a desk computer -> Home Assistant.

Reads the UID of every card or NFC watch put on the computer's PC/SC readers
(APDU ``FF CA 00 00 00``) and posts it to Home Assistant's
``/api/hotdesk_phone/scan`` with a long-lived access token, as
``{"reader": <reader id>, "uid": <hex>, "scan_id": <one per tap>}`` (a retried
post keeps its scan id, so Home Assistant applies a tap once). In Home
Assistant the reader id is bound to a desk phone (the desk's card readers), so
a tap here claims the call ringing for that person or logs them in at that desk.

The token comes from ``--token-file`` (a file only its owner may read or write,
as ssh demands of keys) or the ``HOTDESK_TOKEN`` environment variable, never
from the command line, where every user of the computer can see it. Logs name
a card by the last 2 bytes of its UID only (``card ending 3BC1``): a full UID is
all it takes to clone a card. ``--ca-file`` trusts a private CA for https.

Scans wait in a bounded queue while Home Assistant cannot be reached and are
delivered, in order, once it answers (retries back off from 1 s to 30 s); scans
older than ``--max-age`` seconds are dropped (a late login would surprise).

    python3 hotdesk_bridge.py --url https://homeassistant.local:8123 \
        --token-file ~/.config/hotdesk-bridge/token --reader-id desk-3f-12

A PIV card (a badge or YubiKey with a Card Authentication Key) also answers a
challenge: the bridge sends the card's certificate to
``/api/hotdesk_phone/challenge``, passes the GENERAL AUTHENTICATE commands it
gets back to the card, and posts the card's answer with the scan. Home
Assistant made the challenge and checks the signature; the bridge decides
nothing (``--no-piv`` turns this off).

``--send UID`` posts one scan and exits (0 delivered, 1 refused, 2 Home
Assistant unreachable, 3 no usable token: refused, missing or in a file others
can read, 4 the ``--ca-file`` cannot be used): a check of the set-up without a card.

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
import ipaddress
import json
import logging
import os
from pathlib import Path
import re
import signal
import socket
import ssl
import sys
import threading
import time
from typing import Any
from urllib.parse import urlsplit
import uuid

import aiohttp

LOG = logging.getLogger("hotdesk_bridge")
SCAN_PATH = "/api/hotdesk_phone/scan"
CHALLENGE_PATH = "/api/hotdesk_phone/challenge"
GET_UID = [0xFF, 0xCA, 0x00, 0x00, 0x00]
SW_OK = [0x90, 0x00]
MIN_UID_RESPONSE = 3  # at least one UID byte + SW1 SW2
# A PIV card (badge, YubiKey): select the application, read the certificate of
# its Card Authentication Key. Home Assistant then sends the challenge.
SELECT_PIV = bytes.fromhex("00A4040009A00000030800001000")
GET_CAK_CERTIFICATE = bytes.fromhex("00CB3FFF055C035FC10100")
INS_GENERAL_AUTHENTICATE = 0x87
KEY_CAK = 0x9E
MAX_CARD_ANSWER = 8192
CHALLENGE_TIMEOUT = 5.0
PNP_NOTIFICATION = "\\\\?PnP?\\Notification"
DEBOUNCE_SECONDS = 0.5
EXIT_OK, EXIT_REFUSED, EXIT_UNREACHABLE, EXIT_AUTH, EXIT_CA = 0, 1, 2, 3, 4
TOKEN_ENV = "HOTDESK_TOKEN"  # noqa: S105 - a variable name, not a token
# Home Assistant's spelling of card UIDs (04:a2:3b, 04 A2 3B -> 04A23B).
_HEX_UID = re.compile(r"^[0-9A-Fa-f]{2}(?:[:\s-]?[0-9A-Fa-f]{2})*$")
LABEL_HEX_DIGITS = 4  # the last 2 bytes


def normalize_uid(uid: str) -> str:
    """A card UID as Home Assistant writes it: upper-case hex, no separators."""
    value = uid.strip()
    if _HEX_UID.match(value):
        return re.sub(r"[:\s-]", "", value).upper()
    return value


def uid_label(uid: str) -> str:
    """How the log names a card: the last 2 bytes of its UID, never all of it.

    A UID is all a cloned card needs, and logs get copied into bug reports. A
    short hash would not help: a 4-byte UID is found again from it by trying
    all 2**32 of them. The last 2 bytes cannot give the rest back, still tell
    cards apart in a log, and match the UID in Home Assistant by eye. Short
    ids show at most half of their characters.
    """
    value = normalize_uid(uid)
    shown = min(LABEL_HEX_DIGITS, len(value) // 2)
    return f"card ending {value[-shown:]}" if shown else "card"


def _capital(text: str) -> str:
    """A log line may start with a label (str.capitalize would lower the hex)."""
    return text[:1].upper() + text[1:]


class SetupError(Exception):
    """The command line or a file the bridge needs is unusable."""

    def __init__(self, message: str, code: int) -> None:
        """``code``: the exit code."""
        super().__init__(message)
        self.code = code


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
    # A PIV card's answer to Home Assistant's challenge: {"challenge_id", "answer"}.
    card: dict[str, str] | None = None
    at: float = field(default_factory=time.monotonic)
    # Sent with every post of this tap: Home Assistant applies a tap once even
    # when a retry follows a post whose answer was lost.
    scan_id: str = field(default_factory=lambda: uuid.uuid4().hex)

    @property
    def label(self) -> str:
        """The card as logs name it (see ``uid_label``)."""
        return uid_label(self.uid)


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
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        """Configure; ``run`` delivers.

        ``ssl_context``: for https with a private CA; None keeps aiohttp's
        default verification against the system's CAs.
        """
        self.url = url.rstrip("/") + SCAN_PATH
        self.challenge_url = url.rstrip("/") + CHALLENGE_PATH
        self.session: aiohttp.ClientSession | None = None
        self.token = token
        self.reader_id = reader_id
        self.queue: collections.deque[Scan] = collections.deque(maxlen=queue_size)
        self.max_age = max_age
        self.retry_min = retry_min
        self.retry_max = retry_max
        self.timeout = timeout
        self.ssl_context = ssl_context
        self.delivered: list[Scan] = []
        self.last_error = ""
        self._wakeup = asyncio.Event()
        self._stopping = asyncio.Event()
        self._unreachable = False

    async def challenge(self, certificate: bytes) -> tuple[str, list[bytes]] | None:
        """Home Assistant's one-use challenge for a PIV card (None: none now).

        ``certificate``: the card's certificate object as read. The answer is
        the GENERAL AUTHENTICATE commands to send the card; only those are sent.
        """
        tls: dict[str, Any] = {"ssl": self.ssl_context} if self.ssl_context else {}
        session = self.session or aiohttp.ClientSession()
        try:
            async with session.post(
                self.challenge_url,
                json={"reader": self.reader_id, "certificate": certificate.hex()},
                headers={"Authorization": f"Bearer {self.token}"},
                timeout=aiohttp.ClientTimeout(total=CHALLENGE_TIMEOUT),
                **tls,
            ) as response:
                body = await response.json(content_type=None)
                if response.status != 200:  # noqa: PLR2004
                    LOG.warning(
                        "No challenge for the card (HTTP %d: %s)",
                        response.status,
                        body.get("message") if isinstance(body, dict) else "",
                    )
                    return None
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError, ValueError) as err:
            LOG.warning("No challenge for the card: %s", type(err).__name__)
            return None
        finally:
            if session is not self.session:
                await session.close()
        try:
            apdus = [bytes.fromhex(apdu) for apdu in body["apdus"]]
            challenge_id = str(body["challenge_id"])
        except (KeyError, TypeError, ValueError):
            LOG.warning("Home Assistant's challenge is malformed")
            return None
        if not apdus or not all(_is_authenticate(apdu) for apdu in apdus):
            LOG.warning("Home Assistant's challenge is not GENERAL AUTHENTICATE")
            return None
        return challenge_id, apdus

    def submit(
        self, uid: str, reader: str = "", card: dict[str, str] | None = None
    ) -> None:
        """Queue a scan (on the event loop's thread)."""
        if len(self.queue) == self.queue.maxlen:
            dropped = self.queue[0]
            LOG.warning(
                "Queue full (%d scans): dropping the oldest, %s",
                len(self.queue),
                dropped.label,
            )
        scan = Scan(uid, reader, card=card)
        self.queue.append(scan)
        LOG.info("%s on %s queued", _capital(scan.label), reader or self.reader_id)
        self._wakeup.set()

    def stop(self) -> None:
        """Ask ``run`` to return."""
        self._stopping.set()
        self._wakeup.set()

    async def post(self, session: aiohttp.ClientSession, scan: Scan) -> Outcome:
        """Post one scan and classify the answer."""
        # Without a CA file, aiohttp's default (verify against the system's CAs).
        tls: dict[str, Any] = {"ssl": self.ssl_context} if self.ssl_context else {}
        try:
            async with session.post(
                self.url,
                json={
                    "reader": self.reader_id,
                    "uid": scan.uid,
                    "scan_id": scan.scan_id,
                    **({"card": scan.card} if scan.card else {}),
                },
                headers={"Authorization": f"Bearer {self.token}"},
                timeout=aiohttp.ClientTimeout(total=self.timeout),
                **tls,
            ) as response:
                text = await response.text()
                status = response.status
                message = _message(response, text)
        except aiohttp.ClientConnectorCertificateError as err:
            self.last_error = (
                f"certificate not trusted ({err.certificate_error}); if Home "
                "Assistant's certificate comes from a private CA, pass that CA "
                "with --ca-file"
            )
            return Outcome.RETRY  # the server's certificate may yet be fixed
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as err:
            self.last_error = f"{type(err).__name__}: {err}".rstrip(": ")
            return Outcome.RETRY
        # last_error is logged: an answer that repeats the UID must not leak it.
        for spelling in {scan.uid.strip(), normalize_uid(scan.uid)} - {""}:
            message = message.replace(spelling, scan.label)
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
        self.session = session
        try:
            return await self._deliver(session)
        finally:
            self.session = None
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
                LOG.warning("Dropping %s: not delivered within %.1f s", scan.label, age)
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
            if outcome is Outcome.AUTH and self.last_error.startswith("HTTP 403"):
                LOG.error(
                    "Home Assistant does not let this token post for reader id %r (%s)",
                    self.reader_id,
                    self.last_error,
                )
                return EXIT_AUTH
            if outcome is Outcome.AUTH:
                LOG.error(
                    "Home Assistant refused the access token (%s). Create a "
                    "long-lived access token (your profile > Security) and put it "
                    "in the --token-file or %s",
                    self.last_error,
                    TOKEN_ENV,
                )
                return EXIT_AUTH
            self.queue.popleft()
            if outcome is Outcome.DELIVERED:
                self.delivered.append(scan)
                LOG.info(
                    "%s delivered (%.1f s after the tap)", _capital(scan.label), age
                )
            else:
                LOG.error("Home Assistant refused %s: %s", scan.label, self.last_error)
        return EXIT_OK

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)


def _is_authenticate(apdu: bytes) -> bool:
    """A GENERAL AUTHENTICATE to the Card Authentication Key (all HA may ask)."""
    return (
        len(apdu) >= 5  # noqa: PLR2004
        and apdu[0] in (0x00, 0x10)
        and apdu[1] == INS_GENERAL_AUTHENTICATE
        and apdu[3] == KEY_CAK
    )


def _message(response: aiohttp.ClientResponse, text: str) -> str:
    """What Home Assistant answered, in a few words.

    The ``message`` of its JSON answers (the desk, for a scan that went
    through), else the start of the text.
    """
    if response.content_type == "application/json":
        try:
            body = json.loads(text)
        except ValueError:
            body = None
        if isinstance(body, dict) and isinstance(body.get("message"), str):
            return str(body["message"])
        if isinstance(body, dict) and "desk" in body:
            return f"desk {body['desk']}"
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
        on_card: Callable[[str, str, dict[str, str] | None], object],
        readers: list[str] | None = None,
        retry_max: float = 30.0,
        get_challenge: Callable[[bytes], tuple[str, list[bytes]] | None] | None = None,
    ) -> None:
        """``readers``: names to watch (None: every reader).

        ``get_challenge(certificate)``: Home Assistant's challenge for a PIV
        card (blocking; None: no PIV check, the card number alone is sent).
        """
        self.get_challenge = get_challenge
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
        read = self._read_card(context, reader)
        if read is None:
            return
        uid, card = read
        self._last[reader] = (uid, None)
        if (
            uid == last_uid
            and removed_at is not None
            and now - removed_at < DEBOUNCE_SECONDS
        ):
            return
        self.on_card(reader, uid, card)

    def _read_card(
        self, context: Any, reader: str
    ) -> tuple[str, dict[str, str] | None] | None:
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
            if (
                code != s.SCARD_S_SUCCESS
                or len(response) < MIN_UID_RESPONSE
                or response[-2:] != SW_OK
            ):
                LOG.warning("The card on %s has no readable UID", reader)
                return None
            uid = bytes(response[:-2]).hex().upper()
            return uid, self._piv_answer(card, protocol)
        finally:
            s.SCardDisconnect(card, s.SCARD_LEAVE_CARD)

    def _piv_answer(self, card: Any, protocol: Any) -> dict[str, str] | None:
        """A PIV card's answer to Home Assistant's challenge (None: no PIV)."""
        if self.get_challenge is None:
            return None

        def exchange(apdu: bytes) -> tuple[bytes, int]:
            # Response chaining: 61xx = GET RESPONSE for xx more bytes.
            data, sw = self._transmit(card, protocol, apdu)
            while sw >> 8 == 0x61 and len(data) <= MAX_CARD_ANSWER:  # noqa: PLR2004
                more, sw = self._transmit(
                    card, protocol, bytes([0, 0xC0, 0, 0, sw & 0xFF])
                )
                data += more
            return data, sw

        try:
            if exchange(SELECT_PIV)[1] != 0x9000:  # noqa: PLR2004
                return None  # a card without PIV: its number only
            certificate, sw = exchange(GET_CAK_CERTIFICATE)
            if sw != 0x9000:  # noqa: PLR2004
                return None
            challenge = self.get_challenge(certificate)
            if challenge is None:
                return None
            challenge_id, apdus = challenge
            answer = b""
            for apdu in apdus:
                answer, sw = exchange(apdu)
        except OSError as err:
            LOG.warning("The PIV card stopped answering: %s", err)
            return None
        return {"challenge_id": challenge_id, "answer": answer.hex()}

    def _transmit(self, card: Any, protocol: Any, apdu: bytes) -> tuple[bytes, int]:
        s = self.scard
        code, response = s.SCardTransmit(card, protocol, list(apdu))
        if code != s.SCARD_S_SUCCESS or len(response) < 2:  # noqa: PLR2004
            raise OSError(f"transmit failed (0x{code & 0xFFFFFFFF:08X})")
        return bytes(response[:-2]), (response[-2] << 8) | response[-1]


def read_token(args: argparse.Namespace) -> str:
    """The access token from ``--token-file`` or the environment."""
    if args.token is not None:
        # Never echo it: the point is that it should not be anywhere visible.
        raise SetupError(
            "--token is not accepted: a token on the command line can be read by "
            "every user of this computer (ps, /proc, shell history). Put it in a "
            f"file only you can read (chmod 600 FILE) and pass --token-file FILE, "
            f"or set the {TOKEN_ENV} environment variable",
            EXIT_AUTH,
        )
    if args.token_file:
        path = Path(args.token_file).expanduser()
        try:
            with path.open(encoding="utf-8") as file:
                # The mode of the file we read, not of a name that may change.
                mode = os.fstat(file.fileno()).st_mode & 0o777
                # Windows has ACLs instead of these bits (they always read 0o666).
                if os.name != "nt" and mode & 0o077:
                    raise SetupError(
                        f"Permissions {mode:04o} for {path} are too open: others "
                        "may read or change the access token. Let only its owner "
                        f"read it: chmod 600 {path}",
                        EXIT_AUTH,
                    )
                token = file.read().strip()
        except (OSError, UnicodeDecodeError) as err:
            raise SetupError(
                f"Cannot read the token file {path}: {err}", EXIT_AUTH
            ) from err
        if not token:
            raise SetupError(f"The token file {path} is empty", EXIT_AUTH)
        return token
    token = os.environ.get(TOKEN_ENV, "").strip()
    if not token:
        raise SetupError(
            "No access token: put it in a file only you can read (chmod 600) and "
            f"pass --token-file, or set {TOKEN_ENV}",
            EXIT_AUTH,
        )
    return token


def tls_context(ca_file: str | None) -> ssl.SSLContext | None:
    """A context that trusts only the CAs in ``ca_file`` (None: the defaults)."""
    if not ca_file:
        return None
    path = Path(ca_file).expanduser()
    try:
        # Verification stays on: host name and chain, against this CA only.
        return ssl.create_default_context(cafile=str(path))
    except (OSError, ValueError) as err:  # ssl.SSLError is an OSError
        raise SetupError(f"Cannot use the CA file {path}: {err}", EXIT_CA) from err


def _warn_plain_http(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme != "http":
        return
    host = parts.hostname or ""
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if not loopback:
        LOG.warning(
            "%s is plain http: the access token and card UIDs cross the network "
            "unencrypted. Use https:// (--ca-file for a private CA)",
            url,
        )


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(
        description="Post card UIDs from this computer's USB card readers to Home "
        "Assistant's hot-desk phone integration."
    )
    parser.add_argument(
        "--url",
        required=True,
        help="Home Assistant's base URL, e.g. https://homeassistant.local:8123",
    )
    parser.add_argument(
        "--token-file",
        help="file holding a long-lived access token, readable by its owner only "
        f"(chmod 600); default: the {TOKEN_ENV} environment variable",
    )
    # Only to explain why it is refused (argparse would otherwise take --token
    # for an abbreviation of --token-file).
    parser.add_argument("--token", help=argparse.SUPPRESS)
    parser.add_argument(
        "--ca-file",
        help="PEM file of the CA that signed Home Assistant's certificate (a private "
        "CA); only these CAs are trusted. Default: the system's CAs",
    )
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
    parser.add_argument(
        "--no-piv",
        action="store_true",
        help="send card numbers only, never a PIV card's answer to a challenge",
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
    log("%s, %s: %s", outcome.value, uid_label(uid), bridge.last_error)
    return codes[outcome]


async def main_async(args: argparse.Namespace) -> int:
    """Run the bridge until SIGINT/SIGTERM."""
    try:
        token = read_token(args)
        context = tls_context(args.ca_file)
    except SetupError as err:
        LOG.error("%s", err)  # noqa: TRY400 - the message says it all; no traceback
        return err.code
    _warn_plain_http(args.url)
    bridge = Bridge(
        args.url,
        token,
        args.reader_id,
        queue_size=args.queue_size,
        max_age=args.max_age,
        retry_max=args.retry_max,
        ssl_context=context,
    )
    if args.send:
        return await send_once(bridge, args.send)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, bridge.stop)

    def get_challenge(certificate: bytes) -> tuple[str, list[bytes]] | None:
        # Watcher thread: ask on the loop, wait (the card stays connected).
        future = asyncio.run_coroutine_threadsafe(bridge.challenge(certificate), loop)
        try:
            return future.result(CHALLENGE_TIMEOUT + 1)
        except Exception:  # noqa: BLE001 - no challenge: the card number only
            future.cancel()
            return None

    watcher = CardWatcher(
        lambda reader, uid, card: loop.call_soon_threadsafe(
            bridge.submit, uid, reader, card
        ),
        args.reader,
        retry_max=args.retry_max,
        get_challenge=None if args.no_piv else get_challenge,
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
