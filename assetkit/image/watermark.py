"""Visible credit, logo watermark and face blurring, drawn on the OUTPUT pixels (after resize, before
encode, so text and logo are crisp at the size people see).

Geometry (sizes, corners, face avoidance) is pure and tested without pixels; drawing uses Pillow.
The default font is Pillow's bundled scalable FreeType font (``ImageFont.load_default(size=...)``,
Aileron, Pillow >= 10.1); ``--font PATH`` picks any TrueType/OpenType file.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from ..errors import UsageError
from ..options import Position

POSITIONS = Position.values()   # the choice table in options.py
TEXT_HEIGHT = 0.028        # font size as a share of the output's short side
MARGIN = 0.025             # margin as a share of the output's short side
MIN_LEGIBLE_PX = 9         # font pixels at the size the slot is SHOWN at (a phone screen)

Box = tuple[int, int, int, int]


@lru_cache(maxsize=32)
def font(path: str | None, size: int) -> ImageFont.FreeTypeFont:
    if path:
        try:
            return ImageFont.truetype(path, size)
        except OSError as e:
            raise UsageError(f"--font {path}: cannot load it as a TrueType/OpenType font ({e})") from None
    f = ImageFont.load_default(size=size)
    if not isinstance(f, ImageFont.FreeTypeFont):  # Pillow built without FreeType: bitmap font only
        raise UsageError("this Pillow has no FreeType support; install a Pillow wheel or give --font")
    return f


# --------------------------------------------------------------------------------------- geometry


def display_scale(out_size: tuple[int, int], shown: tuple[int, int] | None) -> float:
    """Output pixels per displayed pixel (facebook/profile: 1080 uploaded, 160 shown -> 6.75)."""
    if not shown:
        return 1.0
    return max(1.0, min(out_size[0] / shown[0], out_size[1] / shown[1]))


def credit_font_size(out_size, shown) -> tuple[int, int]:
    """(preferred, legible minimum) font size in output pixels."""
    scale = display_scale(out_size, shown)
    minimum = int(np.ceil(MIN_LEGIBLE_PX * scale))
    preferred = max(minimum, round(TEXT_HEIGHT * min(out_size)))
    return preferred, minimum


def corner(area: Box, size: tuple[int, int], position: str, margin: int) -> Box:
    ax0, ay0, ax1, ay1 = area
    w, h = size
    x = ax0 + margin if position.endswith("left") else ax1 - margin - w
    y = ay0 + margin if position.startswith("top") else ay1 - margin - h
    return (int(x), int(y), int(x + w), int(y + h))


def overlap(a: Box, b: Box) -> int:
    return max(0, min(a[2], b[2]) - max(a[0], b[0])) * max(0, min(a[3], b[3]) - max(a[1], b[1]))


def choose_corner(area: Box, size, position: str, margin: int, faces: list[Box]) -> tuple[str, Box]:
    """The asked corner unless it covers a face; then the first other corner that does not (same
    side first), else the one covering the least face."""
    order = [position] + [p for p in _neighbours(position) if p != position]
    boxes = [(p, corner(area, size, p, margin)) for p in order]
    for p, b in boxes:
        if not any(overlap(b, f) for f in faces):
            return p, b
    return min(boxes, key=lambda pb: sum(overlap(pb[1], f) for f in faces))


def _neighbours(position: str) -> list[str]:
    v, h = position.split("-")
    other_h = "left" if h == "right" else "right"
    other_v = "top" if v == "bottom" else "bottom"
    return [f"{v}-{other_h}", f"{other_v}-{h}", f"{other_v}-{other_h}"]


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


@dataclass(frozen=True)
class Layout:
    size: int          # font size in output pixels
    minimum: int       # legible minimum in output pixels
    text_size: tuple[int, int]
    pad: int
    margin: int

    @property
    def legible(self) -> bool:
        return self.size >= self.minimum


def layout(text: str, out_size: tuple[int, int], *, shown=None, area: Box | None = None,
           font_path: str | None = None) -> Layout:
    """Font size and box for a credit: relative to the output, at least legible at the shown size,
    shrunk to fit a long credit into the area (then possibly below legible: credit-unreadable)."""
    w, h = out_size
    area = area or (0, 0, w, h)
    aw, ah = area[2] - area[0], area[3] - area[1]
    size, minimum = credit_font_size((w, h), shown)
    margin = max(2, round(MARGIN * min(aw, ah)))
    tw, th = _text_size(font(font_path, size), text)
    room = aw - 2 * margin
    while tw + 2 * max(1, size // 8) > room and size > 1:  # too long for the area: shrink to fit
        size = max(1, min(size - 1, int(size * room / (tw + 2 * max(1, size // 8)))))
        tw, th = _text_size(font(font_path, size), text)
    return Layout(size, minimum, (tw, th), max(1, size // 8), margin)


def draw_credit(img: Image.Image, text: str, *, position: str = "bottom-right", font_path: str | None = None,
                shown: tuple[int, int] | None = None, faces: list[Box] = (), area: Box | None = None
                ) -> tuple[Image.Image, Drawn]:
    """Draw ``text`` in a corner of ``area`` (default: the whole picture), away from ``faces``,
    light on dark or dark on light with a soft shadow. Returns the new image and what was drawn."""
    w, h = img.size
    area = area or (0, 0, w, h)
    lay = layout(text, (w, h), shown=shown, area=area, font_path=font_path)
    size, pad = lay.size, lay.pad
    f = font(font_path, size)
    tw, th = lay.text_size
    pos, box = choose_corner(area, (tw + 2 * pad, th + 2 * pad), position, lay.margin, list(faces))
    lum = luminance(img, box)
    light = lum < 0.5
    fg, shadow = ((255, 255, 255, 255), (0, 0, 0, 170)) if light else ((20, 20, 20, 255), (255, 255, 255, 170))
    scale = display_scale((w, h), shown)
    drawn = Drawn(pos, box, size, round(size / scale, 1), "light" if light else "dark", lay.legible)

    base = img.convert("RGBA")
    layer = Image.new("RGBA", base.size, (0, 0, 0, 0))
    origin = (box[0] + pad, box[1] + pad)
    d = ImageDraw.Draw(layer)
    left, top = f.getbbox(text)[:2]
    xy = (origin[0] - left, origin[1] - top)
    d.text(xy, text, font=f, fill=shadow)
    layer = layer.filter(ImageFilter.GaussianBlur(max(1, pad // 2)))
    base.alpha_composite(layer)
    ImageDraw.Draw(base).text(xy, text, font=f, fill=fg)
    return _back(base, img.mode), drawn


def _text_size(f, text: str) -> tuple[int, int]:
    l, t, r, b = f.getbbox(text)
    return r - l, b - t


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
        raise UsageError(f"--logo {logo_path}: cannot open it as a picture ({e})") from None
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
