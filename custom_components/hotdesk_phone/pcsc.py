"""Card readers on the Home Assistant host, through PC/SC (pcscd + pyscard).

pyscard is optional (it builds from source against pcsc-lite), so it is not in
the manifest's requirements: without it this feature is off and nothing here
runs. With it, one thread per entry watches the configured PC/SC readers with
``SCardGetStatusChange``, reads the UID of each card put on a reader (APDU
``FF CA 00 00 00``), challenges a PIV card's authentication key (``piv``) in
the same connection, and hands both to Home Assistant's event loop, where the
read becomes a tag scan from the reader's device (``readers.CardReaders``).

pyscard's own ``CardMonitor`` is not used: it is a process-wide singleton whose
thread never stops, and it dies silently when pcscd is missing. This thread
stops on unload (``SCardCancel`` wakes it), and retries with back-off while
pcscd cannot be reached; a repair issue says so until pcscd answers again.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Coroutine
import threading
import time
from typing import TYPE_CHECKING, Any, Final

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir

from .const import DOMAIN, LOGGER
from .directory import normalize_tag
from .piv import CARD_ERROR, CardError, CardProof, authenticate

if TYPE_CHECKING:
    from .models import HotdeskConfigEntry

try:
    from smartcard import scard
except ImportError:  # pyscard is optional
    scard = None


GET_UID: Final = [0xFF, 0xCA, 0x00, 0x00, 0x00]
SW_OK: Final = [0x90, 0x00]
SW_OK_WORD: Final = 0x9000
PNP_NOTIFICATION: Final = "\\\\?PnP?\\Notification"
# A card taken away and put back within this many seconds is the same tap.
DEBOUNCE_SECONDS: Final = 0.5
RETRY_MIN_SECONDS: Final = 1.0
RETRY_MAX_SECONDS: Final = 30.0
# SCardGetStatusChange returns at least this often (ms); SCardCancel wakes it
# sooner on stop.
STATUS_TIMEOUT_MS: Final = 2000

type CardCallback = Callable[[str, str, CardProof | None], None]
type StatusCallback = Callable[[str | None], None]


class PcscError(Exception):
    """A PC/SC call failed; ``code`` is the SCARD_* result."""

    def __init__(self, code: int, during: str) -> None:
        """Keep the code and describe it."""
        self.code = code
        message = scard.SCardGetErrorMessage(code) if scard is not None else ""
        super().__init__(f"{during}: {message.rstrip('.')} (0x{code & 0xFFFFFFFF:08X})")


def _check(code: int, during: str) -> None:
    if code != scard.SCARD_S_SUCCESS:
        raise PcscError(code, during)


def _list_readers(context: Any) -> list[str]:
    code, readers = scard.SCardListReaders(context, [])
    if code == scard.SCARD_E_NO_READERS_AVAILABLE:
        return []
    _check(code, "listing readers")
    return list(readers)


def list_host_readers() -> list[str]:
    """The PC/SC readers of this host (blocking); [] without pyscard or pcscd."""
    if scard is None:
        return []
    code, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if code != scard.SCARD_S_SUCCESS:
        return []
    try:
        return _list_readers(context)
    except PcscError:
        return []
    finally:
        scard.SCardReleaseContext(context)


async def async_host_readers(hass: HomeAssistant) -> list[str]:
    """The PC/SC readers of this host, asked without blocking the loop."""
    if scard is None:
        return []
    return await hass.async_add_executor_job(list_host_readers)


def read_card(context: Any, reader: str) -> tuple[str, CardProof | None] | None:
    """The UID of the card on a reader, and what its PIV key proved; None: no UID.

    A card that offers the PIV application is challenged in the same
    connection (``piv.authenticate``); other cards give no proof.
    """
    code, card, protocol = scard.SCardConnect(
        context,
        reader,
        scard.SCARD_SHARE_SHARED,
        scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1,
    )
    if code != scard.SCARD_S_SUCCESS:
        LOGGER.debug("Cannot connect to the card on %s: 0x%08X", reader, code)
        return None

    def transmit(apdu: bytes) -> tuple[bytes, int]:
        code, response = scard.SCardTransmit(card, protocol, list(apdu))
        if code != scard.SCARD_S_SUCCESS or len(response) < len(SW_OK):
            raise CardError(CARD_ERROR, f"The card stopped answering: 0x{code:08X}")
        return bytes(response[:-2]), (response[-2] << 8) | response[-1]

    try:
        try:
            data, status = transmit(bytes(GET_UID))
        except CardError:
            data, status = b"", 0
        if status != SW_OK_WORD or not data:
            # Card data stays out of the log: only that it gave none.
            LOGGER.debug("The card on %s gave no UID", reader)
            return None
        return normalize_tag(data.hex()), authenticate(transmit)
    finally:
        scard.SCardDisconnect(card, scard.SCARD_LEAVE_CARD)


class CardWatcher:
    """One thread: waits for cards on some PC/SC readers and reports their UIDs.

    ``on_card(reader, uid, proof)`` is called once per card put on a reader
    (``proof``: what its PIV key proved, None for a card without PIV): a card
    that stays gives one call; a new call needs the card taken away and put
    back (after ``DEBOUNCE_SECONDS``). A card already on a reader when the
    watcher first sees that reader is not a scan. ``on_status(error)`` is called
    with a message when pcscd cannot be reached and with None when it can,
    each time this changes. Both are called on the watcher's thread.
    """

    def __init__(
        self,
        readers: Collection[str],
        on_card: CardCallback,
        on_status: StatusCallback,
    ) -> None:
        """Prepare; ``start`` starts the thread."""
        self.readers = frozenset(readers)
        self._on_card = on_card
        self._on_status = on_status
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._context: Any = None
        self._thread: threading.Thread | None = None
        self._status: str | None = ""  # "" = not known yet
        self._present: dict[str, bool] = {}
        self._last: dict[str, tuple[str | None, float | None]] = {}
        self._missing_logged: set[str] = set()
        self._established = False
        self.watching: frozenset[str] = frozenset()
        self.ready = threading.Event()  # set once all connected readers are seen

    def start(self) -> None:
        """Start the thread."""
        self._thread = threading.Thread(
            target=self._run, name=f"{DOMAIN}_pcsc", daemon=True
        )
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop and join the thread (blocking)."""
        self._stop.set()
        with self._lock:
            if self._context is not None:
                scard.SCardCancel(self._context)
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def card_on(self, reader: str) -> bool | None:
        """Whether the last look saw a card on a reader (None: not watched yet)."""
        return self._present.get(reader)

    def _report(self, error: str | None) -> None:
        if error != self._status:
            self._status = error
            self._on_status(error)

    def _run(self) -> None:
        delay = RETRY_MIN_SECONDS
        while not self._stop.is_set():
            self._established = False
            try:
                self._watch()
            except PcscError as err:
                self._report(str(err))
                LOGGER.debug("PC/SC unavailable, next try in %.1f s: %s", delay, err)
            except Exception:  # noqa: BLE001 - the watcher thread must not die
                LOGGER.exception("Card reader watcher failed; starting over")
            else:
                continue  # stopped
            self.watching = frozenset()
            if self._established:  # it worked for a while: start the back-off anew
                delay = RETRY_MIN_SECONDS
            self._stop.wait(delay)
            delay = min(delay * 2, RETRY_MAX_SECONDS)

    def _watch(self) -> None:
        """Watch until stopped; raise PcscError when pcscd goes away."""
        code, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        _check(code, "connecting to pcscd")
        self._established = True
        with self._lock:
            self._context = context
        try:
            states = self._states({}, _list_readers(context))
            pnp = scard.SCARD_STATE_UNAWARE
            self._report(None)
            while not self._stop.is_set():
                query = [*states.items(), (PNP_NOTIFICATION, pnp)]
                code, result = scard.SCardGetStatusChange(
                    context, STATUS_TIMEOUT_MS, query
                )
                if code in (scard.SCARD_E_TIMEOUT, scard.SCARD_E_CANCELLED):
                    self.ready.set()
                    continue
                if code == scard.SCARD_E_UNKNOWN_READER:
                    states = self._states(states, _list_readers(context))
                    continue
                _check(code, "waiting for cards")
                relist = False
                for name, event, _atr in result:
                    if name == PNP_NOTIFICATION:
                        relist |= bool(event & scard.SCARD_STATE_CHANGED)
                        pnp = event & ~scard.SCARD_STATE_CHANGED
                        continue
                    if event & (scard.SCARD_STATE_UNKNOWN | scard.SCARD_STATE_IGNORE):
                        relist = True
                        continue
                    states[name] = event & ~scard.SCARD_STATE_CHANGED
                    self._card_state(context, name, event)
                if relist:
                    states = self._states(states, _list_readers(context))
                else:
                    self.ready.set()
        finally:
            with self._lock:
                self._context = None
            scard.SCardReleaseContext(context)

    def _states(self, states: dict[str, int], connected: list[str]) -> dict[str, int]:
        """The readers to watch now: configured and connected."""
        watch = self.readers & set(connected)
        for name in sorted(self.readers - watch):
            if name not in self._missing_logged:
                self._missing_logged.add(name)
                LOGGER.warning("Card reader %s is not connected to this host", name)
        for name in watch & self._missing_logged:
            LOGGER.info("Card reader %s is connected", name)
        self._missing_logged &= self.readers - watch
        for name in set(self._present) - watch:
            del self._present[name]  # a reader that comes back starts afresh
        self.watching = frozenset(watch)
        if not watch:
            self.ready.set()
        return {
            name: states.get(name, scard.SCARD_STATE_UNAWARE) for name in sorted(watch)
        }

    def _card_state(self, context: Any, reader: str, event: int) -> None:
        present = bool(event & scard.SCARD_STATE_PRESENT) and not (
            event & scard.SCARD_STATE_MUTE
        )
        first = reader not in self._present
        was = self._present.get(reader, False)
        self._present[reader] = present
        now = time.monotonic()
        if first or present == was:
            return
        last_uid, removed_at = self._last.get(reader, (None, None))
        if not present:
            self._last[reader] = (last_uid, now)
            return
        read = read_card(context, reader)
        if read is None:
            return
        uid, proof = read
        if (
            uid == last_uid
            and removed_at is not None
            and now - removed_at < DEBOUNCE_SECONDS
        ):
            LOGGER.debug("Ignoring the same card put back on %s at once", reader)
            self._last[reader] = (uid, None)
            return
        self._last[reader] = (uid, None)
        self._on_card(reader, uid, proof)


# What the monitor calls for each card read: (reader, UID, what the card proved).
type CardScanCallback = Callable[[str, str, CardProof | None], Coroutine[Any, Any, Any]]


class PcscMonitor:
    """The HA side of a ``CardWatcher``: loop hand-off, logging, repair issue."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: HotdeskConfigEntry,
        readers: Collection[str],
        on_scan: CardScanCallback,
    ) -> None:
        """Prepare; ``async_start`` starts watching."""
        self.hass = hass
        self.entry = entry
        self.readers = sorted(readers)
        self._on_scan = on_scan
        self.watcher = CardWatcher(self.readers, self._card, self._status)
        self.available: bool | None = None
        self._running = False
        self._unavailable_logged = False

    @property
    def issue_id(self) -> str:
        """The repair issue raised while pcscd cannot be reached."""
        return f"pcsc_unavailable_{self.entry.entry_id}"

    async def async_start(self) -> None:
        """Start the watcher thread."""
        self._running = True
        self.watcher.start()

    async def async_stop(self) -> None:
        """Stop the thread and withdraw the repair issue."""
        self._running = False
        await self.hass.async_add_executor_job(self.watcher.stop)
        ir.async_delete_issue(self.hass, DOMAIN, self.issue_id)

    def _card(self, reader: str, uid: str, proof: CardProof | None) -> None:
        """Watcher thread: a card was put on a reader."""
        self.hass.loop.call_soon_threadsafe(self._async_card, reader, uid, proof)

    def _status(self, error: str | None) -> None:
        """Watcher thread: pcscd reachable (None) or not (a message)."""
        self.hass.loop.call_soon_threadsafe(self._async_status, error)

    @callback
    def _async_card(self, reader: str, uid: str, proof: CardProof | None) -> None:
        if not self._running:
            return
        # Card data stays out of the log (a UID is all a clone needs).
        LOGGER.debug(
            "A card on reader %s (PIV: %s)",
            reader,
            "none" if proof is None else proof.failure or "proved its key",
        )
        self.entry.async_create_background_task(
            self.hass, self._on_scan(reader, uid, proof), f"{DOMAIN} card on {reader}"
        )

    @callback
    def _async_status(self, error: str | None) -> None:
        if not self._running:
            return
        if error is None:
            if self._unavailable_logged:
                LOGGER.info("PC/SC (pcscd) answers again; card readers work")
            self._unavailable_logged = False
            self.available = True
            ir.async_delete_issue(self.hass, DOMAIN, self.issue_id)
            return
        if not self._unavailable_logged:
            LOGGER.warning(
                "Cannot use the card readers %s: %s. Is pcscd running? "
                "Retrying in the background",
                ", ".join(self.readers),
                error,
            )
            self._unavailable_logged = True
        self.available = False
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            self.issue_id,
            is_fixable=False,
            severity=ir.IssueSeverity.ERROR,
            translation_key="pcsc_unavailable",
            translation_placeholders={
                "readers": ", ".join(self.readers),
                "error": error,
            },
        )


async def async_start_monitor(
    hass: HomeAssistant,
    entry: HotdeskConfigEntry,
    readers: Collection[str],
    on_scan: CardScanCallback,
) -> PcscMonitor | None:
    """Watch these PC/SC readers; None when there are none or no pyscard."""
    if not readers:
        return None
    if scard is None:
        LOGGER.warning(
            "Card readers %s are configured, but pyscard is not installed in Home "
            "Assistant's Python environment; see the README (Card readers)",
            ", ".join(sorted(readers)),
        )
        return None
    monitor = PcscMonitor(hass, entry, readers, on_scan)
    await monitor.async_start()
    return monitor
