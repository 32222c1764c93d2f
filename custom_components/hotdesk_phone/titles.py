"""Subentry titles: what the rows on the integration's page say.

Pure Python: no Home Assistant imports (the bulk import uses it too). HA's
integration page shows only a subentry's title, so the title carries the
number people look for: an account is "Alice (101)", a desk "Desk 3
(PJSIP/desk3)". Devices keep the plain name (``data["name"]``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

# Subentry types (as in const.py; this module stays import-free).
_DESK: Final = "desk"
_ACCOUNT: Final = "account"
# The field each type's title shows after its name.
_SHOWN: Final = {_ACCOUNT: "extension", _DESK: "dial_string"}


def subentry_title(subentry_type: str, data: Mapping[str, Any]) -> str:
    """The title for a subentry of this type with this data.

    Other subentry types (and data without the shown field) get the name.
    """
    name = str(data.get("name") or "")
    field = _SHOWN.get(subentry_type)
    shown = str(data.get(field) or "") if field else ""
    return f"{name} ({shown})" if shown else name
