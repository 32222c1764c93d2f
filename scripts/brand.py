"""Draw the integration's icon and logo (light and dark) into brand/.

HA 2026.3+ shows a custom integration's own images from
``custom_components/<domain>/brand/``. The glyph: a desk phone's handset
over its base, with NFC waves beside it (a number that follows a tap).
Run: .venv/bin/python scripts/brand.py
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[1]
BRAND = ROOT / "custom_components" / "hotdesk_phone" / "brand"
# Asterisk-like orange for the waves; the phone in ink (light) or paper (dark).
ACCENT = (245, 124, 0, 255)
INK = {"light": (38, 50, 56, 255), "dark": (236, 239, 241, 255)}
SUPERSAMPLE = 4  # draw big, scale down: smooth edges without an AA library


def _glyph(size: int, ink: tuple[int, int, int, int]) -> Image.Image:
    """The icon: handset, base with keypad, three NFC arcs; transparent."""
    s = size * SUPERSAMPLE
    img = Image.new("RGBA", (s, s), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)

    def box(x0: float, y0: float, x1: float, y1: float) -> tuple[int, ...]:
        return tuple(round(v * s) for v in (x0, y0, x1, y1))

    # Base of the desk phone.
    d.rounded_rectangle(box(0.08, 0.48, 0.66, 0.92), radius=round(0.07 * s), fill=ink)
    # Keypad: 3 x 3 holes punched out of the base.
    for row in range(3):
        for col in range(3):
            x = 0.2 + col * 0.12
            y = 0.6 + row * 0.1
            d.ellipse(box(x, y, x + 0.07, y + 0.06), fill=(0, 0, 0, 0))
    # Handset resting on top: a bar with two ear/mouth pieces.
    d.rounded_rectangle(box(0.06, 0.3, 0.68, 0.4), radius=round(0.05 * s), fill=ink)
    d.rounded_rectangle(box(0.04, 0.28, 0.2, 0.46), radius=round(0.05 * s), fill=ink)
    d.rounded_rectangle(box(0.54, 0.28, 0.7, 0.46), radius=round(0.05 * s), fill=ink)
    # NFC waves to the upper right.
    width = round(0.055 * s)
    for i, r in enumerate((0.1, 0.19, 0.28)):
        cx, cy = 0.7, 0.3
        d.arc(
            box(cx - r, cy - r, cx + r, cy + r),
            start=-75,
            end=15,
            fill=ACCENT if i else ink,
            width=width,
        )
    return img.resize((size, size), Image.Resampling.LANCZOS)


def _logo(height: int, ink: tuple[int, int, int, int]) -> Image.Image:
    """The logo: the glyph, then the name."""
    icon = _glyph(height, ink)
    font_size = round(height * 0.36)
    try:
        font: ImageFont.FreeTypeFont | ImageFont.ImageFont = ImageFont.truetype(
            "DejaVuSans-Bold.ttf", font_size
        )
    except OSError:
        font = ImageFont.load_default(font_size)
    text = "Hot-desk phone"
    probe = ImageDraw.Draw(Image.new("RGBA", (1, 1)))
    left, top, right, bottom = (
        round(v) for v in probe.textbbox((0, 0), text, font=font)
    )
    gap = round(height * 0.12)
    img = Image.new("RGBA", (height + gap + right - left, height), (0, 0, 0, 0))
    img.alpha_composite(icon)
    draw = ImageDraw.Draw(img)
    y = (height - (bottom - top)) // 2 - top
    draw.text((height + gap - left, y), text, font=font, fill=ink)
    return img


def main() -> None:
    BRAND.mkdir(parents=True, exist_ok=True)
    for theme, ink in INK.items():
        prefix = "" if theme == "light" else "dark_"
        for scale, suffix in ((1, ""), (2, "@2x")):
            _glyph(256 * scale, ink).save(BRAND / f"{prefix}icon{suffix}.png")
            _logo(128 * scale, ink).save(BRAND / f"{prefix}logo{suffix}.png")


if __name__ == "__main__":
    main()
