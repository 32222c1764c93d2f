"""Card readers as Home Assistant devices, and their reads as tag scans.

A reader is a PC/SC reader on the Home Assistant host (watched by ``pcsc``) or a
reader at a desk computer that posts through the bridge endpoint (``scan_view``).
Each configured reader gets a device in the entry, so a card read becomes
``tag.async_scan_tag(hass, uid, reader_device_id)``: exactly what any HA tag
scanner does. The hub recognises the device as a reader and finds the desk
that the reader is bound to.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Final

from homeassistant.components.tag import async_scan_tag
from homeassistant.core import Context, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr

from .const import DOMAIN, VIA_BRIDGE, VIA_PCSC
from .desk_schema import is_pcsc_reader
from .directory import Directory, normalize_tag
from .piv import CardProof
from .texts import text

if TYPE_CHECKING:
    from .models import HotdeskConfigEntry

# Card proofs kept by the context of their scan, for the scan handler and the
# account form's enrolment (both read them at once; a few spare for bursts).
MAX_PROOFS: Final = 64
# Refused scans kept for diagnostics.
MAX_REFUSALS: Final = 20

# A read of a card that no account knows: (reader device id, uid, via, context).
type UnmatchedScan = Callable[[str, str, str, Context | None], Awaitable[None]]


def reader_key(name: str) -> str:
    """The device identifier (after the domain) of a reader."""
    return f"reader:{name}"


class CardReaders:
    """The entry's configured readers, their devices, and reads -> tag scans."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: HotdeskConfigEntry,
        directory_of: Callable[[], Directory],
        on_unmatched: UnmatchedScan,
    ) -> None:
        """Know the readers; devices are made in ``async_setup``.

        ``directory_of``: the directory as its owner (the hub) has it now.
        """
        self.hass = hass
        self.entry = entry
        self._directory_of = directory_of
        directory = directory_of()
        self._on_unmatched = on_unmatched
        self.names: frozenset[str] = frozenset(
            reader for desk in directory.desks.values() for reader in desk.readers
        )
        self._device_of: dict[str, str] = {}  # reader name -> device id
        self._reader_of: dict[str, str] = {}  # device id -> reader name
        self._via: dict[str, str] = {}  # device id -> how it last scanned
        # What a PIV card proved, by the id of its scan's context: each read
        # makes its own context, so a proof never outlives the scan it
        # came with, and a UID-only read never finds one.
        self._proofs: OrderedDict[str, CardProof] = OrderedDict()
        # The latest scans refused for want of an authenticated card.
        self.refusals: deque[dict[str, Any]] = deque(maxlen=MAX_REFUSALS)

    @callback
    def async_set_names(self, names: frozenset[str]) -> None:
        """The desks now name these readers: make devices for new ones."""
        for name in self.names - names:
            if (device_id := self._device_of.pop(name, None)) is not None:
                self._reader_of.pop(device_id, None)
                self._via.pop(device_id, None)
        added = names - self.names
        self.names = names
        self._make_devices(added)

    @property
    def pcsc_names(self) -> frozenset[str]:
        """The configured readers that are PC/SC readers on this host."""
        return frozenset(name for name in self.names if is_pcsc_reader(name))

    @property
    def device_keys(self) -> frozenset[str]:
        """Device identifiers (after the domain) of the configured readers."""
        return frozenset(reader_key(name) for name in self.names)

    @callback
    def async_setup(self) -> None:
        """Make (or find) one device per configured reader."""
        self._make_devices(self.names)

    def _make_devices(self, names: frozenset[str]) -> None:
        registry = dr.async_get(self.hass)
        for name in sorted(names):
            device = registry.async_get_or_create(
                config_entry_id=self.entry.entry_id,
                identifiers={(DOMAIN, reader_key(name))},
                name=name,
                model=text(self.hass, "model_card_reader"),
            )
            self._device_of[name] = device.id
            self._reader_of[device.id] = name

    def device_of(self, reader: str) -> str | None:
        """The device id of a configured reader."""
        return self._device_of.get(reader)

    def reader_of_device(self, device_id: str) -> str | None:
        """The reader name of a reader device (None for other devices)."""
        return self._reader_of.get(device_id)

    def via_of_device(self, device_id: str) -> str:
        """How a reader device's scans arrive: ``pcsc`` or ``bridge``."""
        if (via := self._via.get(device_id)) is not None:
            return via
        reader = self._reader_of.get(device_id, "")
        return VIA_PCSC if is_pcsc_reader(reader) else VIA_BRIDGE

    @property
    def directory(self) -> Directory:
        """The hub's directory (read through it: the hub owns it)."""
        return self._directory_of()

    @callback
    def note_refusal(self, refusal: dict[str, Any]) -> None:
        """Keep a refused scan for diagnostics (no card data in it)."""
        self.refusals.append(refusal)

    def proof_of(self, context: Context | None) -> CardProof | None:
        """What the card of the scan made in this context proved (None: nothing)."""
        return self._proofs.get(context.id) if context is not None else None

    async def async_scan(
        self,
        reader: str,
        uid: str,
        via: str,
        context: Context | None = None,
        proof: CardProof | None = None,
    ) -> bool:
        """A card read on a reader: scan it as an HA tag from the reader's device.

        A card that no account knows is not registered as an HA tag (every
        passing card would add one for good); it is handed on as unmatched.
        Returns False for a reader that is not configured.
        """
        device_id = self._device_of.get(reader)
        if device_id is None:
            return False
        self._via[device_id] = via
        tag_id = normalize_tag(uid)
        # Every read gets its own context: the proof is found by it.
        context = Context(user_id=context.user_id if context else None)
        if proof is not None:
            self._proofs[context.id] = proof
            while len(self._proofs) > MAX_PROOFS:
                self._proofs.popitem(last=False)
        if self.directory.account_by_tag(tag_id) is None and (
            proof is None
            or proof.fingerprint is None
            or self.directory.account_by_card_key(proof.fingerprint) is None
        ):
            await self._on_unmatched(device_id, tag_id, via, context)
        else:
            await async_scan_tag(self.hass, tag_id, device_id, context=context)
        return True

    async def async_scan_pcsc(
        self, reader: str, uid: str, proof: CardProof | None
    ) -> None:
        """A card read on a PC/SC reader of this host."""
        await self.async_scan(reader, uid, VIA_PCSC, proof=proof)
