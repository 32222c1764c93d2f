"""The board card's bundle is served by the integration and added to pages."""

from __future__ import annotations

import importlib.util

import pytest
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component

from custom_components.hotdesk_phone.board import (
    BOARD_URL,
    BUNDLE,
    async_register_board,
)
from custom_components.hotdesk_phone.const import DOMAIN


async def test_bundle_served_without_frontend(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> None:
    assert await async_setup_component(hass, DOMAIN, {})
    assert "frontend" not in hass.config.components
    client = await hass_client()
    response = await client.get(BOARD_URL)
    assert response.status == 200
    assert await response.read() == BUNDLE.read_bytes()
    assert "customElements.define" in BUNDLE.read_text()
    # Once per run: a second call returns the same versioned URL.
    url = await async_register_board(hass)
    assert url is not None
    assert url.startswith(f"{BOARD_URL}?v=")
    assert await async_register_board(hass) == url


@pytest.mark.skipif(
    importlib.util.find_spec("hass_frontend") is None,
    reason="home-assistant-frontend is not installed (scripts/develop installs it)",
)
async def test_bundle_added_to_the_frontend(hass: HomeAssistant) -> None:
    from homeassistant.components.frontend import DATA_EXTRA_MODULE_URL  # noqa: PLC0415

    assert await async_setup_component(hass, "frontend", {})
    assert await async_setup_component(hass, DOMAIN, {})
    urls = [u for u in hass.data[DATA_EXTRA_MODULE_URL].urls if u.startswith(BOARD_URL)]
    assert len(urls) == 1
    assert urls[0].startswith(f"{BOARD_URL}?v=")
