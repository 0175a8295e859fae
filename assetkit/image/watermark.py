"""Visible credit, logo watermark and face blurring, drawn on the OUTPUT pixels (after resize, before
encode, so text and logo are crisp at the size people see).

Where the credit goes and how big it is (font metrics, faces, corners, the profile circle) is
decided in the plan (plan/layout.py, re-exported here); this module only draws it.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from ..errors import UsageError
from ..plan.layout import (  # noqa: F401 - re-exported: the placement the drawing follows
    MARGIN, POSITIONS, Box, CreditLayout, Layout, choose_corner, corner, credit_font_size,
    display_scale, font, layout, overlap, place_credit, text_line)


# ---------------------------------------------------------------------------------------- drawing


@dataclass(frozen=True)
class Drawn:
    position: str      # corner actually used
    box: Box           # text box in output pixels (shadow included)
    size: int          # font size in output pixels
    shown_px: float    # font size at the slot's display size
    colour: str        # light | dark
    legible: bool


def luminance(img: Image.Image, box: Box) -> float:
    """Mean relative luminance (0..1, Rec. 709 weights on sRGB values) under ``box``."""
    a = np.asarray(img.convert("RGB").crop(box), dtype=np.float32) / 255.0
    if a.size == 0:
        return 0.5
    return float((a @ np.array([0.2126, 0.7152, 0.0722], dtype=np.float32)).mean())


def draw_credit_layout(img: Image.Image, lay: CreditLayout) -> tuple[Image.Image, str]:
    """Draw a placed credit: light on dark or dark on light (measured under its box), soft shadow.
    Returns the new image and the colour used (light | dark)."""
    line = text_line(lay.text, lay.font_path, lay.size)
    box, pad = lay.box, lay.pad
    light = luminance(img, box) < 0.5
    fg, shadow = ((255, 255, 255, 255), (0, 0, 0, 170)) if light else ((20, 20, 20, 255), (255, 255, 255, 170))
    base = img.convert("RGBA")
    layer = Image.new("RGBA", base.size, (0, 0, 0, 0))
    origin = (box[0] + pad, box[1] + pad)
    line.draw_at(ImageDraw.Draw(layer), origin, fill=shadow)
    layer = layer.filter(ImageFilter.GaussianBlur(max(1, pad // 2)))
    base.alpha_composite(layer)
    line.draw_at(ImageDraw.Draw(base), origin, fill=fg)
    return _back(base, img.mode), "light" if light else "dark"


def draw_credit(img: Image.Image, text: str, *, position: str = "bottom-right", font_path: str | None = None,
                shown: tuple[int, int] | None = None, faces: list[Box] = (), area: Box | None = None
                ) -> tuple[Image.Image, Drawn]:
    """Place and draw ``text`` in one go (the video overlay's way); photos draw their plan's layout."""
    lay = place_credit(text, img.size, position=position, font_path=font_path, shown=shown, faces=faces, area=area)
    out, colour = draw_credit_layout(img, lay)
    return out, Drawn(lay.position, lay.box, lay.size, lay.shown_px, colour, lay.legible)


def _back(img: Image.Image, mode: str) -> Image.Image:
    return img if mode == "RGBA" else img.convert(mode)


def draw_logo(img: Image.Image, logo_path: str, *, scale: float = 0.15, opacity: float = 0.8,
              position: str = "top-right", area: Box | None = None) -> tuple[Image.Image, Box]:
    """Composite a logo (transparent PNG respected) at ``scale`` x the area's width."""
    w, h = img.size
    area = area or (0, 0, w, h)
    aw = area[2] - area[0]
    try:
        with Image.open(logo_path) as lg:
            logo = lg.convert("RGBA")
    except OSError as e:
        raise UsageError(f"logo {logo_path}: cannot open it as a picture ({e})") from None
    lw = max(1, round(aw * scale))
    lh = max(1, round(logo.height * lw / logo.width))
    logo = logo.resize((lw, lh), Image.Resampling.LANCZOS)
    if opacity < 1:
        alpha = logo.getchannel("A").point(lambda v: round(v * opacity))
        logo.putalpha(alpha)
    margin = max(2, round(MARGIN * min(aw, area[3] - area[1])))
    box = corner(area, (lw, lh), position, margin)
    base = img.convert("RGBA")
    base.alpha_composite(logo, (box[0], box[1]))
    return _back(base, img.mode), box


def blur_faces(img: Image.Image, faces: list[Box]) -> Image.Image:
    """Blur each head box beyond recognition: pixelate to ~6 blocks across, then Gaussian blur."""
    out = img.copy()
    for x0, y0, x1, y1 in faces:
        # grow a little: the head box is an estimate
        gw, gh = (x1 - x0) // 8, (y1 - y0) // 8
        b = (max(0, x0 - gw), max(0, y0 - gh), min(img.width, x1 + gw), min(img.height, y1 + gh))
        region = out.crop(b)
        small = region.resize((max(1, region.width // max(1, region.width // 6)),
                               max(1, region.height // max(1, region.width // 6))), Image.Resampling.BOX)
        region = small.resize(region.size, Image.Resampling.NEAREST)
        region = region.filter(ImageFilter.GaussianBlur(max(2, region.width // 12)))
        out.paste(region, b[:2])
    return out
