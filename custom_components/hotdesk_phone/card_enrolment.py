"""Enrolling PIV cards in the account form: the keys it knows and offers.

A card is enrolled the way a tag is learned: "Scan a tag now", then the card
at a reader. When that card proved its PIV key (``piv``) at one of the entry's
readers, its certificate is kept with the account and the form offers the key
under its fingerprint; an account's "authenticated card required" policy then
needs one of the chosen keys at every scan.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping
from typing import Any, Final

from homeassistant.config_entries import ConfigEntry, ConfigEntryState
from homeassistant.core import Context
from homeassistant.helpers import selector

from .const import CONF_CARD_CERTIFICATES
from .piv import CardProof, fingerprint_label, fingerprint_of

# Form field: the enrolled card keys, by certificate fingerprint.
CONF_CARD_KEYS: Final = "card_keys"


def proof_of_scan(entry: ConfigEntry, context: Context) -> CardProof | None:
    """What the card of a scan in this entry proved (None: not a PIV read)."""
    if entry.state is not ConfigEntryState.LOADED:
        return None
    proof: CardProof | None = entry.runtime_data.card_readers.proof_of(context)
    return proof


class CardKeys:
    """The card certificates one account form knows: stored and just learned."""

    def __init__(self, stored: Iterable[str]) -> None:
        """Start from the account's stored certificates (base64 DER)."""
        self.certificates: dict[str, str] = {}  # fingerprint -> base64 DER
        self._subjects: dict[str, str] = {}
        for text in stored:
            self.certificates[fingerprint_of(base64.b64decode(text))] = text

    def learn(self, proof: CardProof) -> str | None:
        """Keep the certificate of a card that proved its key; its fingerprint."""
        if proof.fingerprint is None or proof.certificate is None:
            return None
        der = proof.certificate.der
        self.certificates[proof.fingerprint] = base64.b64encode(der).decode()
        self._subjects[proof.fingerprint] = proof.certificate.subject
        return proof.fingerprint

    def chosen(self, values: Mapping[str, Any]) -> list[str]:
        """The fingerprints a form's values hold (stored data: its certificates)."""
        if CONF_CARD_KEYS in values:
            return [str(k) for k in values.get(CONF_CARD_KEYS) or []]
        return [
            fingerprint_of(base64.b64decode(text))
            for text in values.get(CONF_CARD_CERTIFICATES) or []
        ]

    def certificates_of(self, fingerprints: Iterable[str]) -> list[str] | None:
        """The stored form of the chosen keys (None: one is not known here)."""
        try:
            return sorted(self.certificates[key] for key in set(fingerprints))
        except KeyError:
            return None

    def selector(self) -> selector.SelectSelector:
        """The keys to choose from, shown by fingerprint (and a new card's name)."""
        options = []
        for key in self.certificates:
            label = fingerprint_label(key)
            if subject := self._subjects.get(key):
                label = f"{label} ({subject})"
            options.append(selector.SelectOptionDict(value=key, label=label))
        return selector.SelectSelector(
            selector.SelectSelectorConfig(options=options, multiple=True)
        )
