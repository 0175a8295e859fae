"""Safe-area preview: the prepared picture with each device's visible area outlined and labelled,
or a profile's circle mask. Used by ``assetkit preview`` and the HTML report."""
from __future__ import annotations

from typing import TYPE_CHECKING

from PIL import Image, ImageDraw

from ..plan import text as _text

if TYPE_CHECKING:  # the engine is handed a slot, it never reads presets
    from ..presets import Slot

COLOURS = ["#ffd400", "#00d0ff", "#ff5ad1", "#7dff4f", "#ffffff"]


def _font(size: int):
    return _text.load(_text.primary(), max(10, size))   # Noto Sans (wheel), as the credits


def draw_overlay(img: Image.Image, slot: Slot) -> Image.Image:
    """A copy of ``img`` (already at the slot's size) with the slot's safe areas or circle drawn on."""
    base = img.convert("RGBA")
    w, h = base.size
    v = slot.variants[0] if slot.variants else None
    sx = w / v.width if v else 1.0
    sy = h / v.height if v else 1.0
    layer = Image.new("RGBA", base.size, (0, 0, 0, 0))
    d = ImageDraw.Draw(layer)
    line = max(2, round(min(w, h) / 300))
    font = _font(round(min(w, h) / 28))
    if slot.safe_areas:
        visible = slot.always_visible
        if visible is not None:  # dim what some devices crop away
            l, t, r, b = (round(c * s) for c, s in zip(visible.box(v.width, v.height), (sx, sy, sx, sy)))
            dim = Image.new("RGBA", base.size, (0, 0, 0, 110))
            ImageDraw.Draw(dim).rectangle((l, t, r - 1, b - 1), fill=(0, 0, 0, 0))
            layer = Image.alpha_composite(layer, dim)
            d = ImageDraw.Draw(layer)
        for i, area in enumerate(slot.safe_areas):
            colour = COLOURS[i % len(COLOURS)]
            l, t, r, b = (round(c * s) for c, s in zip(area.box(v.width, v.height), (sx, sy, sx, sy)))
            width = line * 2 if area.always_visible else line
            d.rectangle((l, t, r - 1, b - 1), outline=colour, width=width)
            label = f"{area.name} {area.width}x{area.height}" + (" (always visible)" if area.always_visible else "")
            # areas that share a top edge (desktop, tablet, phone) get their labels stacked, not overlaid
            ty = t + width + 2 + i * round(font.size * 1.3)
            d.text((l + width + 4, ty), label, fill=colour, font=font, stroke_width=2, stroke_fill="black")
    if slot.mask == "circle":
        mask = Image.new("L", base.size, 150)
        ImageDraw.Draw(mask).ellipse((0, 0, w - 1, h - 1), fill=0)
        shade = Image.new("RGBA", base.size, (0, 0, 0, 255))
        shade.putalpha(mask)
        layer = Image.alpha_composite(layer, shade)
        d = ImageDraw.Draw(layer)
        d.ellipse((0, 0, w - 1, h - 1), outline=COLOURS[0], width=line)
        shown = f"shown at {slot.shown}" if slot.shown else "shown as a circle"
        d.text((line * 3, line * 3), shown, fill=COLOURS[0], font=font, stroke_width=2, stroke_fill="black")
    return Image.alpha_composite(base, layer).convert("RGB")
