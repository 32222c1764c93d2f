"""The hot-desk board card: served by the integration, loaded by the frontend.

The bundle (``frontend/hotdesk-board.js``, built from the repository's
``frontend/`` sources) is served as a static file and added to the pages
HA serves as an extra module, so the card is in the dashboard's card picker
without a manual resource step. The URL carries the bundle's hash: a new
version is never served from a browser's cache.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Final

from homeassistant.components.http import StaticPathConfig
from homeassistant.core import HomeAssistant

from .const import DOMAIN

_LOGGER = logging.getLogger(__name__)

BUNDLE: Final = Path(__file__).parent / "frontend" / "hotdesk-board.js"
BOARD_URL: Final = f"/{DOMAIN}/hotdesk-board.js"
_REGISTERED: Final = f"{DOMAIN}_board_url"


def _bundle_hash() -> str:
    return hashlib.sha256(BUNDLE.read_bytes()).hexdigest()[:12]


async def async_register_board(hass: HomeAssistant) -> str | None:
    """Serve the card's bundle and load it on every page; its module URL.

    Once per HA run. Without the frontend (a headless HA) only the file is
    served: there is no page to load it into.
    """
    if (url := hass.data.get(_REGISTERED)) is not None:
        return str(url)
    version = await hass.async_add_executor_job(_bundle_hash)
    await hass.http.async_register_static_paths(
        [StaticPathConfig(BOARD_URL, str(BUNDLE), cache_headers=True)]
    )
    url = f"{BOARD_URL}?v={version}"
    hass.data[_REGISTERED] = url
    if "frontend" not in hass.config.components:
        _LOGGER.debug("No frontend loaded: the board card is served but not added")
        return url
    # Imported here: the frontend is an after-dependency, not a requirement.
    from homeassistant.components.frontend import add_extra_js_url  # noqa: PLC0415

    add_extra_js_url(hass, url)
    return url
