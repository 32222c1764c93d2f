"""The AMI client's errors: what a caller of ``ami.py`` catches.

Kept apart from the client so that the wire format and the TLS settings,
which raise them too, need nothing of the connection itself (the TLS
failures are ``ami_tls.py``'s).
"""

from __future__ import annotations


class AmiError(Exception):
    """Base class of every AMI failure."""


class AmiConnectionError(AmiError):
    """The PBX cannot be reached, or the link was lost."""


class AmiAuthError(AmiError):
    """The PBX refused the AMI user name or secret."""


class AmiTimeoutError(AmiConnectionError):
    """An action got no complete reply in time."""


class AmiValueError(AmiError, ValueError):
    """A value would corrupt the AMI stream (CR/LF injection, line too long)."""


class AmiActionError(AmiError):
    """The PBX answered an action with an error."""

    def __init__(self, action: str, message: str) -> None:
        """Keep the action and the PBX's reason."""
        super().__init__(f"{action} failed: {message}")
        self.action = action
        self.reason = message


class AmiInsecureLoginError(AmiConnectionError):
    """The PBX offers no challenge login, and the secret is not sent in clear.

    Raised on a plain (not TLS) link to an address that is not loopback,
    unless the client was told to allow a plain login there.
    """
