"""How the entry reaches the PBX: AMI over TLS or plain, and how it is trusted.

Pure Python: no Home Assistant imports. The entry's data holds the switch,
the kind of verification, a CA (PEM text) or the pinned fingerprint; this
module turns them into the AMI client's ``TlsSettings`` and says when a
plain link deserves a warning.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from .ami_tls import LinkSecurity, TlsSettings

CONF_TLS: Final = "tls"
CONF_TLS_VERIFY: Final = "tls_verify"
CONF_TLS_CA: Final = "tls_ca"
CONF_TLS_FINGERPRINT: Final = "tls_fingerprint"
# How the PBX's certificate is trusted.
VERIFY_PIN: Final = "pin"  # its SHA-256 fingerprint, confirmed once (TOFU)
VERIFY_CA: Final = "ca"  # a CA the admin gives
VERIFY_SYSTEM: Final = "system"  # the host's CAs
VERIFY_MODES: Final = (VERIFY_PIN, VERIFY_CA, VERIFY_SYSTEM)
DEFAULT_TLS_PORT: Final = 5039
_PLAIN: Final = frozenset({LinkSecurity.MD5_CHALLENGE, LinkSecurity.PLAIN})


def tls_settings(data: Mapping[str, Any]) -> TlsSettings | None:
    """The client's TLS settings of an entry's data (None: plain AMI)."""
    if not data.get(CONF_TLS):
        return None
    verify = data.get(CONF_TLS_VERIFY, VERIFY_SYSTEM)
    if verify == VERIFY_PIN:
        return TlsSettings(fingerprint=data.get(CONF_TLS_FINGERPRINT) or None)
    if verify == VERIFY_CA:
        return TlsSettings(ca=data.get(CONF_TLS_CA) or None)
    return TlsSettings()


def exposed(security: LinkSecurity | None, peer_is_loopback: bool | None) -> bool:
    """Whether the link crosses a network in the clear (a repair issue).

    Plain AMI, even with the challenge login, shows every action and event
    (and a challenge answer that a weak secret can be guessed from) to
    anyone on the way; on loopback nobody is on the way.
    """
    return security in _PLAIN and peer_is_loopback is False
