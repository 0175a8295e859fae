"""Output frame geometry for a video: pure functions of sizes, tested without any video.

Sizes are in display pixels (after SAR and rotation), since ffmpeg autorotates on decode and the
first ``scale`` makes pixels square. "Never upscale" means the picture is never drawn larger than
its display size: pad and blur add bars or a blurred fill *around* it (so the frame can be wider
than the source, e.g. 640x480 -> 640x360 picture-in 16:9 would throw resolution away), crop cuts a
window out of it. ``allow_upscale`` enlarges only as far as the slot's min_size (long side
against long side, as in validate). max_size is a box as written in the preset.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from ..options import Fit

FITS = {m.value: m.help for m in Fit}   # the choice table in options.py
CUTS = ("crop", "smart")                 # fits that cut a window out of a picture covering the frame


@dataclass(frozen=True)
class Geometry:
    fit: str
    frame: tuple[int, int]     # output width, height (even)
    picture: tuple[int, int]   # the scaled source (pad/blur: inside frame; crop: covers frame)
    offset: tuple[int, int]    # pad/blur: where the picture sits; crop: the window's top-left
    scale: float               # picture size / display size (> 1 only with allow_upscale)

    @property
    def upscaled(self) -> bool:
        return self.scale > 1.0005


def check_fit(fit: str) -> str:
    return Fit.parse(fit, "fit").value


def plan(display: tuple[int, int], *, aspect: tuple[int, int] | None, fit: str = "pad",
         max_size: tuple[int, int] | None = None, min_size: tuple[int, int] | None = None,
         allow_upscale: bool = False, standard: tuple[tuple[int, int], ...] = ()) -> Geometry:
    """Frame and picture sizes for ``display`` in a slot of ``aspect`` (None: keep the source's,
    but no taller than a portrait ``max_size`` box: instagram's 1080x1350 means "at most 4:5";
    a square or landscape box, 1920x1920 or 1280x1024, only limits the size).

    ``standard``: the frame sizes the slot names, smallest first. A portrait clip padded into a
    landscape slot goes into one of them (the largest whose long side the clip's long side
    reaches, else the smallest) instead of a frame grown around its height (886x1920 -> 1920x1080,
    not 3424x1926)."""
    check_fit(fit)
    dw, dh = display
    if aspect is None and max_size is not None and max_size[1] > max_size[0] and dw * max_size[1] < dh * max_size[0]:
        aspect = max_size  # taller than the slot plays: cut (crop) or fill (pad) to its shape
    contain = fit not in CUTS
    if aspect is not None and contain and standard and dh > dw and aspect[0] > aspect[1]:
        return _in_standard(display, aspect, fit, standard, allow_upscale)
    if aspect is None:
        aw, ah = dw, dh
    else:
        g = math.gcd(*aspect)
        aw, ah = aspect[0] // g, aspect[1] // g
    # The frame at scale 1: pad/blur contain the picture, crop fits inside it.
    wider = dw * ah > dh * aw
    if wider == contain:
        fw, fh = dw, dw * ah / aw
    else:
        fw, fh = dh * aw / ah, dh
    s = 1.0
    if max_size is not None:
        s = min(s, *_fit_within((fw, fh), max_size))
    if min_size is not None and allow_upscale:
        need = _cover_long_short((fw, fh), min_size)
        if need > s:
            s = need if max_size is None else min(need, *_fit_within((fw, fh), max_size))
    if aspect is not None:
        # Pad/blur round the frame up (a pixel more bar, no picture lost), crop rounds down.
        W, H = _exact(aw, ah, fh * s, round_up=contain or s > 1)
        if max_size is not None and (W > max_size[0] or H > max_size[1]):
            W, H = _exact(aw, ah, fh * s, round_up=False)
    else:
        W, H = _even(fw * s), _even(fh * s)
    # The picture follows the frame's real (rounded) size, so bars and crops stay centred and even.
    # Contain: the picture keeps the intended scale inside a frame rounded up; cover: it must fill.
    scale = min(s, W / dw, H / dh) if contain else max(W / dw, H / dh)
    pw, ph = _even(dw * scale), _even(dh * scale)
    if contain:
        pw, ph = min(pw, W), min(ph, H)
    else:
        pw, ph = max(pw, W), max(ph, H)
    ox, oy = _even(abs(W - pw) / 2, floor=True), _even(abs(H - ph) / 2, floor=True)
    return Geometry(fit, (W, H), (pw, ph), (ox, oy), scale)


def _in_standard(display, aspect, fit, standard, allow_upscale) -> Geometry:
    dw, dh = display
    fitting = [s for s in standard if max(s) <= max(dw, dh)]
    W, H = fitting[-1] if fitting else standard[0]
    scale = min(W / dw, H / dh)
    if scale > 1 and not allow_upscale:
        scale = 1.0
    pw, ph = min(_even(dw * scale), W), min(_even(dh * scale), H)
    ox, oy = _even((W - pw) / 2, floor=True), _even((H - ph) / 2, floor=True)
    return Geometry(fit, (W, H), (pw, ph), (ox, oy), scale)


def _fit_within(size, box) -> tuple[float, ...]:
    """Scales that bring size inside box. The box is read as written (instagram's 1080x1350 means
    1080 wide whatever the orientation), never turned."""
    (w, h), (bw, bh) = size, box
    return (bw / w, bh / h)


def _cover_long_short(size, minimum) -> float:
    long_, short = max(size), min(size)
    need_long, need_short = max(minimum), min(minimum)
    return max(need_long / long_, need_short / short)


def _exact(aw: int, ah: int, height: float, *, round_up: bool) -> tuple[int, int]:
    """Largest (or, when enlarging, smallest) even size of exactly aw:ah at about ``height``."""
    m = 1 if (aw % 2 == 0 and ah % 2 == 0) else 2
    unit = ah * m
    n = height / unit
    n = max(1, math.ceil(n - 1e-9) if round_up else math.floor(n + 1e-9))
    return aw * m * n, ah * m * n


def _even(x: float, *, floor: bool = False) -> int:
    n = math.floor(x / 2 + 1e-9) if floor else round(x / 2)
    return max(0 if floor else 2, int(n) * 2)
