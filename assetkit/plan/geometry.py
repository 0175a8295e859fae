"""Crop geometry as pure functions of sizes and points (no pixels): tested without images.

Boxes are (left, top, right, bottom) floats in source pixels. "Upright" coordinates are after the
EXIF orientation is applied; "stored" coordinates are the pixel grid in the file.
"""
from __future__ import annotations

Box = tuple[float, float, float, float]

def upright_size(stored_w: int, stored_h: int, orientation: int) -> tuple[int, int]:
    return (stored_h, stored_w) if orientation >= 5 else (stored_w, stored_h)


def upright_point_to_stored(x: float, y: float, orientation: int, stored_w: float, stored_h: float) -> tuple[float, float]:
    """Where an upright point lies in the stored pixel grid (continuous coordinates)."""
    W, H = stored_w, stored_h
    return {
        1: (x, y),
        2: (W - x, y),
        3: (W - x, H - y),
        4: (x, H - y),
        5: (y, x),
        6: (y, H - x),
        7: (W - y, H - x),
        8: (W - y, x),
    }[orientation]


def upright_box_to_stored(box: Box, orientation: int, stored_w: float, stored_h: float) -> Box:
    (ax, ay) = upright_point_to_stored(box[0], box[1], orientation, stored_w, stored_h)
    (bx, by) = upright_point_to_stored(box[2], box[3], orientation, stored_w, stored_h)
    return (min(ax, bx), min(ay, by), max(ax, bx), max(ay, by))


def window_size(src_w: float, src_h: float, aspect: float) -> tuple[float, float]:
    """The largest w x h of ``aspect`` (w/h) inside the source: full width or full height."""
    if aspect <= 0 or src_w <= 0 or src_h <= 0:
        raise ValueError(f"sizes and aspect must be positive (got {src_w}x{src_h}, aspect {aspect})")
    if src_w / src_h > aspect:
        return src_h * aspect, float(src_h)
    return float(src_w), src_w / aspect


def window_at(src_w: float, src_h: float, aspect: float, cx: float, cy: float) -> Box:
    """The largest window of ``aspect`` (w/h) inside the source, centred on (cx, cy) as far as it can be.

    It always spans the full width or the full height, so no more picture is lost than the aspect needs.
    """
    w, h = window_size(src_w, src_h, aspect)
    left = min(max(cx - w / 2, 0.0), src_w - w)
    top = min(max(cy - h / 2, 0.0), src_h - h)
    return (left, top, left + w, top + h)


def focus_window(src_w: int, src_h: int, aspect: float, focus: tuple[float, float] = (0.5, 0.5)) -> Box:
    """Crop-to-fill around a focus point given as fractions of the upright picture."""
    return window_at(src_w, src_h, aspect, focus[0] * src_w, focus[1] * src_h)


def kept_share(src_w: float, src_h: float, box: Box) -> float:
    return (box[2] - box[0]) * (box[3] - box[1]) / (src_w * src_h)


def choose_variant(variants, src_w: int, src_h: int, forced: str | None = None):
    """The variant that loses the least picture; on a tie the larger; if that one is too small for
    the source, the best one that fits. ``forced`` (--variant) wins. Returns (variant, window size)."""
    if forced:
        chosen = next((v for v in variants if v.name == forced), None)
        if chosen is None:
            return None
        return chosen
    auto = [v for v in variants if v.auto]

    def score(v):
        box = window_at(src_w, src_h, v.aspect, src_w / 2, src_h / 2)
        return (round(kept_share(src_w, src_h, box), 6), v.width * v.height)

    ranked = sorted(auto, key=score, reverse=True)
    for v in ranked:
        box = window_at(src_w, src_h, v.aspect, src_w / 2, src_h / 2)
        if fits(box, v.width, v.height):
            return v
    return ranked[0]


def fits(box: Box, out_w: int, out_h: int) -> bool:
    """True when the window holds at least the output's pixels in both directions (no upscaling).

    Half a pixel of slack absorbs rounding in the window maths.
    """
    return (box[2] - box[0]) + 0.5 >= out_w and (box[3] - box[1]) + 0.5 >= out_h


def int_box(box: Box) -> tuple[int, int, int, int]:
    return tuple(int(round(v)) for v in box)  # type: ignore[return-value]
