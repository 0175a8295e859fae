"""Text in any of the organisation's scripts (issue 15.18): a chain of fonts, a font per character, and
right-to-left runs laid out by raqm (HarfBuzz shaping, FriBiDi reordering).

Pillow draws one font at a time and shows a missing character as the font's .notdef box. So the text
is split into runs, each in the first font of the chain that has all its characters:

1. the ``--font`` file, when one is named (the brand font first, the rest fills its gaps);
2. Noto Sans (Latin, Greek, Cyrillic, Vietnamese) and Noto Sans Arabic, from the
   ``fontpkg-noto-sans`` and ``fontpkg-noto-sans-arabic`` wheels (Google Fonts' files, OFL), so pip
   alone gives them;
3. system fonts where present (no wheel carries CJK or Hebrew): Noto Sans CJK, Droid Sans Fallback
   (CJK; ``.ci/run`` installs Debian's ``fonts-droid-fallback``), DejaVu Sans;
4. Pillow's bundled Aileron, only when the Noto wheels are missing.

A character no font has is drawn as a box and named in ``missing`` (the plan's ``credit-glyphs``
finding). Spaces, punctuation, digits and combining marks stay in the run they are in when its font
has them. Each run is shaped by raqm (Arabic joins, marks placed); the runs follow the paragraph's
direction, taken from its first strong letter (Unicode bidi classes L, R, AL): in a right-to-left
credit the first run is drawn at the right. Which font has which character is read from the font's
cmap with fontTools (once per file), not from pixels.
"""
from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from PIL import ImageFont, features

# (wheel's module, family): the fonts pip installs with assetkit
WHEEL_FONTS = (("fontpkg_noto_sans", "Noto Sans"), ("fontpkg_noto_sans_arabic", "Noto Sans Arabic"))
SYSTEM_FONTS = (   # Debian paths; a missing file is passed over
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
)
LATIN_1 = frozenset(range(0x20, 0x7F)) | frozenset(range(0xA0, 0x100))   # what Aileron is assumed to have
STRONG_RTL = {"R", "AL"}
_RAQM = features.check("raqm")


def wheel_font(module: str) -> str | None:
    """The upright (normal style) file of a fontpkg wheel, from its metadata.json; None if absent."""
    try:
        root = resources.files(module)
        meta = json.loads((root / "metadata.json").read_text(encoding="utf-8"))
    except (ModuleNotFoundError, OSError, ValueError):
        return None
    for f in meta.get("files", []):
        if f.get("style") == "normal":
            path = Path(str(root / f["path"]))
            if path.is_file():
                return str(path)
    return None


@lru_cache(maxsize=8)
def chain(user_font: str | None = None) -> tuple[str | None, ...]:
    """Font files tried in order for each character; None stands for Pillow's bundled Aileron."""
    paths: list[str | None] = [user_font] if user_font else []
    paths += [p for p in (wheel_font(m) for m, _ in WHEEL_FONTS) if p]
    paths += [p for p in SYSTEM_FONTS if Path(p).is_file()]
    if not any(p for p in paths if p != user_font):   # no Noto, no system font: Pillow's own
        paths.append(None)
    return tuple(dict.fromkeys(paths))


def primary(user_font: str | None = None) -> str | None:
    return chain(user_font)[0]


@lru_cache(maxsize=32)
def coverage(path: str | None) -> frozenset[int] | None:
    """Code points the font maps to a glyph; None when the cmap cannot be read (then trusted)."""
    if path is None:
        return LATIN_1
    try:
        from fontTools.ttLib import TTFont

        with TTFont(path, fontNumber=0, lazy=True) as tt:
            return frozenset(tt.getBestCmap() or ())
    except Exception:  # noqa: BLE001 - an odd font file is trusted rather than refused
        return None


def has(path: str | None, ch: str) -> bool:
    cov = coverage(path)
    return cov is None or ord(ch) in cov


def _neutral(ch: str) -> bool:
    """Spaces, punctuation, digits, marks, format characters: they go with the run they are in."""
    cat = unicodedata.category(ch)
    return cat[0] in "ZPNMC" or cat in ("Sk", "Sm")


@lru_cache(maxsize=256)
def split(text: str, user_font: str | None = None) -> tuple[tuple[tuple[str | None, str], ...], str]:
    """``text`` as runs of (font file, text) and the characters no font in the chain has."""
    fonts = chain(user_font)
    runs: list[list] = []
    missing: list[str] = []
    for ch in text:
        if runs and (_neutral(ch) or ch.isspace()) and has(runs[-1][0], ch):
            runs[-1][1] += ch
            continue
        found = [p for p in fonts if has(p, ch)][:1]
        path = found[0] if found else (runs[-1][0] if runs else fonts[0])
        if not found and not ch.isspace() and ch not in missing:
            missing.append(ch)
        if runs and runs[-1][0] == path:
            runs[-1][1] += ch
        else:
            runs.append([path, ch])
    return tuple((p, t) for p, t in runs), "".join(missing)


def paragraph_rtl(text: str) -> bool:
    """Right-to-left if the first strong letter is Arabic or Hebrew (bidi rule P2)."""
    for ch in text:
        b = unicodedata.bidirectional(ch)
        if b == "L":
            return False
        if b in STRONG_RTL:
            return True
    return False


@lru_cache(maxsize=64)
def load(path: str | None, size: int) -> ImageFont.FreeTypeFont:
    """A font at ``size`` with raqm layout when Pillow has it (OSError for a file FreeType refuses)."""
    if path is None:
        f = ImageFont.load_default(size=size)
        if not isinstance(f, ImageFont.FreeTypeFont):
            raise OSError("this Pillow has no FreeType support")
        return f
    engine = ImageFont.Layout.RAQM if _RAQM else ImageFont.Layout.BASIC
    return ImageFont.truetype(path, size, layout_engine=engine)


@dataclass(frozen=True)
class Line:
    """One line of text set in several fonts: runs at x offsets from the origin, on one baseline.

    Coordinates are relative to the origin (the left end of the baseline), as Pillow's anchor 'ls'."""

    runs: tuple[tuple[ImageFont.FreeTypeFont, str, int], ...]   # (font, text, x offset)
    missing: str = ""
    rtl: bool = False

    def bbox(self, stroke_width: int = 0) -> tuple[int, int, int, int]:
        boxes = [_bbox(f, t, stroke_width, x) for f, t, x in self.runs if t]
        if not boxes:
            return (0, 0, 0, 0)
        return (min(b[0] for b in boxes), min(b[1] for b in boxes),
                max(b[2] for b in boxes), max(b[3] for b in boxes))

    @property
    def size(self) -> tuple[int, int]:
        l, t, r, b = self.bbox()
        return r - l, b - t

    def draw(self, draw, origin: tuple[float, float], *, fill, stroke_width: int = 0, stroke_fill=None) -> None:
        """Draw with the baseline's left end at ``origin``."""
        x0, y0 = origin
        for f, t, x in self.runs:
            if t:
                draw.text((x0 + x, y0), t, font=f, fill=fill, anchor="ls", stroke_width=stroke_width,
                          stroke_fill=stroke_fill, **_direction(t, f))

    def draw_at(self, draw, top_left: tuple[float, float], **kw) -> None:
        """Draw so that the ink's bounding box starts at ``top_left``."""
        l, t = self.bbox(kw.get("stroke_width", 0))[:2]
        self.draw(draw, (top_left[0] - l, top_left[1] - t), **kw)


def _direction(t: str, f) -> dict:
    if getattr(f, "layout_engine", None) != ImageFont.Layout.RAQM:   # Aileron, or no raqm: as drawn
        return {}
    return {"direction": "rtl" if paragraph_rtl(t) else "ltr"}


def _bbox(f, t, stroke_width, x):
    l, top, r, b = f.getbbox(t, anchor="ls", stroke_width=stroke_width, **_direction(t, f))
    return (l + x, top, r + x, b)


def line(text: str, user_font: str | None, size: int) -> Line:
    """``text`` at ``size`` px: runs in the chain's fonts, laid left to right, or right to left when the
    paragraph is right-to-left (its first run at the right)."""
    parts, missing = split(text, user_font)
    fonts = [(load(p, size), t) for p, t in parts]
    widths = [f.getlength(t, **_direction(t, f)) for f, t in fonts]
    rtl = paragraph_rtl(text)
    runs, x = [], 0.0
    order = range(len(fonts) - 1, -1, -1) if rtl else range(len(fonts))
    placed: dict[int, float] = {}
    for i in order:
        placed[i] = x
        x += widths[i]
    runs = tuple((fonts[i][0], fonts[i][1], round(placed[i])) for i in range(len(fonts)))
    return Line(runs, missing, rtl)
