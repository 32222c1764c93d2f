"""What a loaded entry keeps: its runtime data, and the entry typed with it.

Only names: every part is imported for type checking alone, so a module that
takes an entry (logins, the card readers, the PC/SC monitor, the call log)
loads nothing of the runtime to say so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from homeassistant.config_entries import ConfigEntry

if TYPE_CHECKING:
    from .bookings import Bookings
    from .call_log import CallLog
    from .hub import HotdeskHub
    from .live import LiveChanges
    from .pcsc import PcscMonitor
    from .readers import CardReaders


@dataclass(kw_only=True)
class HotdeskRuntimeData:
    """What a loaded entry keeps in ``entry.runtime_data``."""

    hub: HotdeskHub
    card_readers: CardReaders
    live: LiveChanges
    call_log: CallLog
    bookings: Bookings

    @property
    def pcsc(self) -> PcscMonitor | None:
        """The PC/SC monitor running now (None: none); ``live`` owns it."""
        return self.live.pcsc


type HotdeskConfigEntry = ConfigEntry[HotdeskRuntimeData]
