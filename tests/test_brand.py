"""The icon and logo in brand/ (HA 2026.3+ shows them; older HA ignores them).

Each file HA looks for is there, a real PNG with an alpha channel, in the
sizes of HA's brand rules: icons square 256 px (512 px @2x), logos with a
shortest side of 128 to 256 px (256 to 512 px @2x).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
import struct

import pytest
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component

BRAND = Path(__file__).parents[1] / "custom_components" / "hotdesk_phone" / "brand"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# IHDR colour types with an alpha channel: grey + alpha, RGBA.
ALPHA_TYPES = {4, 6}


def _png_header(path: Path) -> tuple[int, int, int]:
    """Width, height and colour type from the PNG's IHDR chunk."""
    head = path.read_bytes()[:33]
    assert head[:8] == PNG_SIGNATURE, f"{path.name} is not a PNG"
    assert head[12:16] == b"IHDR", f"{path.name} has no IHDR first"
    width, height = struct.unpack(">II", head[16:24])
    return width, height, head[25]


@pytest.mark.parametrize("theme", ["", "dark_"])
@pytest.mark.parametrize(("scale", "factor"), [("", 1), ("@2x", 2)])
def test_icon(theme: str, scale: str, factor: int) -> None:
    path = BRAND / f"{theme}icon{scale}.png"
    assert path.is_file(), path
    assert path.stat().st_size > 1000  # not an empty placeholder
    width, height, colour = _png_header(path)
    assert (width, height) == (256 * factor, 256 * factor)
    assert colour in ALPHA_TYPES


@pytest.mark.parametrize("theme", ["", "dark_"])
@pytest.mark.parametrize(("scale", "factor"), [("", 1), ("@2x", 2)])
def test_logo(theme: str, scale: str, factor: int) -> None:
    path = BRAND / f"{theme}logo{scale}.png"
    assert path.is_file(), path
    assert path.stat().st_size > 1000
    width, height, colour = _png_header(path)
    assert 128 * factor <= min(width, height) <= 256 * factor
    assert colour in ALPHA_TYPES


async def test_newest_ha_serves_the_brand_images(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> None:
    """HA 2026.3+ (its ``brands`` integration) serves them to the frontend.

    The integration page, the Add integration dialog and the device pages
    load ``/api/brands/integration/<domain>/<image>``; for a custom
    integration HA reads the file from its ``brand/`` folder. HA 2025.4 has
    no such integration (the test skips there; scripts/test-newest-ha runs it).
    """
    if importlib.util.find_spec("homeassistant.components.brands") is None:
        pytest.skip("this Home Assistant has no brands integration (before 2026.3)")
    assert await async_setup_component(hass, "brands", {})
    client = await hass_client()
    for image in ("icon.png", "logo.png", "dark_icon@2x.png", "dark_logo.png"):
        response = await client.get(f"/api/brands/integration/hotdesk_phone/{image}")
        assert response.status == 200, image
        assert await response.read() == (BRAND / image).read_bytes(), image
