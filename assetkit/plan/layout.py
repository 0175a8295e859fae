"""Where a visible credit goes and how big it is: pure geometry on sizes, faces and font metrics.

Decided in the plan, before any pixel (image/watermark.py only draws what this decides). The text is
set by ``plan/text.py``: ``font=PATH`` (any TrueType/OpenType file) first, then Noto Sans and Noto Sans
Arabic from their wheels and system fonts for what it lacks, a font per character, right-to-left runs
shaped by raqm. Metrics need the font files, not pixels.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from PIL import ImageFont

from ..errors import UsageError
from ..options import Position
from . import text as _text

POSITIONS = Position.values()   # the choice table in options.py
TEXT_HEIGHT = 0.028        # font size as a share of the output's short side
MARGIN = 0.025             # margin as a share of the output's short side
MIN_LEGIBLE_PX = 9         # font pixels at the size the slot is SHOWN at (a phone screen)

Box = tuple[int, int, int, int]


@lru_cache(maxsize=32)
def font(path: str | None, size: int) -> ImageFont.FreeTypeFont:
    """The first font of the chain (``path``, else Noto Sans) at ``size``; UsageError if unusable."""
    try:
        return _text.load(_text.primary(path), size)
    except OSError as e:
        if path:
            raise UsageError(f"font {path}: cannot load it as a TrueType/OpenType font ({e})") from None
        raise UsageError("this Pillow has no FreeType support; install a Pillow wheel or name a font file") from None


def text_line(text: str, path: str | None, size: int) -> _text.Line:
    """``text`` set at ``size`` in the chain of fonts (a font per character, right-to-left runs)."""
    font(path, size)   # a --font that FreeType refuses is a usage error, not a traceback
    return _text.line(text, path, size)


# --------------------------------------------------------------------------------------- geometry


def display_scale(out_size: tuple[int, int], shown: tuple[int, int] | None) -> float:
    """Output pixels per displayed pixel (facebook/profile: 1080 uploaded, 160 shown -> 6.75)."""
    if not shown:
        return 1.0
    return max(1.0, min(out_size[0] / shown[0], out_size[1] / shown[1]))


def credit_font_size(out_size, shown) -> tuple[int, int]:
    """(preferred, legible minimum) font size in output pixels."""
    scale = display_scale(out_size, shown)
    minimum = math.ceil(MIN_LEGIBLE_PX * scale)
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
    return _shrunk(text, size, minimum, margin, aw - 2 * margin, font_path)


def _shrunk(text, size, minimum, margin, room, font_path) -> Layout:
    tw, th = _text_size(text, font_path, size)
    while tw + 2 * max(1, size // 8) > room and size > 1:  # too long for the room: shrink to fit
        size = max(1, min(size - 1, int(size * room / (tw + 2 * max(1, size // 8)))))
        tw, th = _text_size(text, font_path, size)
    return Layout(size, minimum, (tw, th), max(1, size // 8), margin)


@dataclass(frozen=True)
class CreditLayout:
    """Where and how big a visible credit is drawn: decided from font metrics, before any pixel."""

    text: str
    position: str      # the corner used; bottom-centre / top-centre inside a profile's circle
    box: Box           # text box in output pixels (padding included)
    size: int          # font size in output pixels
    pad: int
    minimum: int       # the legible minimum at the slot's display size, in output pixels
    shown_px: float    # font size at the slot's display size
    font_path: str | None = None

    @property
    def legible(self) -> bool:
        return self.size >= self.minimum

    @property
    def missing(self) -> str:
        """Characters of the credit that no font of the chain has (drawn as boxes)."""
        return _text.split(self.text, self.font_path)[1]

    def to_dict(self) -> dict:
        return {"text": self.text, "position": self.position, "box": list(self.box), "size": self.size,
                "font": self.font_path}


def place_credit(text: str, out_size: tuple[int, int], *, position: str = "bottom-right",
                 font_path: str | None = None, shown=None, faces=(), area: Box | None = None,
                 circle: bool = False) -> CreditLayout:
    """The credit's size and box: in a corner of ``area`` (default: the whole output) away from
    ``faces``; with ``circle`` (a profile the platform shows as a circle) at the bottom (or top, for a
    top corner) of the inscribed circle, wholly inside it, so the platform's mask cannot cut it."""
    if circle:
        return _place_in_circle(text, out_size, position, font_path, shown, list(faces))
    lay = layout(text, out_size, shown=shown, area=area, font_path=font_path)
    tw, th = lay.text_size
    area = area or (0, 0, *out_size)
    pos, box = choose_corner(area, (tw + 2 * lay.pad, th + 2 * lay.pad), position, lay.margin, list(faces))
    return CreditLayout(text, pos, box, lay.size, lay.pad, lay.minimum,
                        round(lay.size / display_scale(out_size, shown), 1), font_path)


def _place_in_circle(text, out_size, position, font_path, shown, faces) -> CreditLayout:
    w, h = out_size
    size, minimum = credit_font_size(out_size, shown)
    margin = max(2, round(MARGIN * min(w, h)))
    radius = min(w, h) / 2 - margin
    cx, cy = w / 2, h / 2
    lay = _shrunk(text, size, minimum, margin, 2 * radius + 2 * margin, font_path)  # the diameter first
    while True:
        bw, bh = lay.text_size[0] + 2 * lay.pad, lay.text_size[1] + 2 * lay.pad
        reach = radius ** 2 - (bw / 2) ** 2
        if reach >= bh ** 2 or lay.size <= 1:
            break
        lay = _shrunk(text, lay.size - 1, minimum, margin, bw - 2, font_path)
    dy = max(0.0, reach) ** 0.5          # how far from the centre the box's outer edge may go
    x0 = int(round(cx - bw / 2))
    first = "top" if position.startswith("top") else "bottom"
    boxes = []
    for side in (first, "bottom" if first == "top" else "top"):
        y0 = int(cy - dy) + 1 if side == "top" else int(cy + dy) - bh
        boxes.append((f"{side}-centre", (x0, y0, x0 + bw, y0 + bh)))
    pos, box = next(((p, b) for p, b in boxes if not any(overlap(b, f) for f in faces)),
                    min(boxes, key=lambda pb: sum(overlap(pb[1], f) for f in faces)))
    return CreditLayout(text, pos, box, lay.size, lay.pad, lay.minimum,
                        round(lay.size / display_scale(out_size, shown), 1), font_path)


def _text_size(text: str, font_path: str | None, size: int) -> tuple[int, int]:
    return text_line(text, font_path, size).size
