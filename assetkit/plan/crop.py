"""Smart-crop placement: pure geometry on source sizes and an Analysis (faces, saliency), no pixels.

The analysis comes from ``image/analyse.py`` (OpenCV), once per source, normalised (0..1) so it serves
every slot. Tested without images (STYLE.md point 5). The focal point always exists (thumbor's
detector chain): focus > faces > largest group of faces > saliency > centre.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import math

from .geometry import Box, window_size

# A face box covers brows to chin (as WIDER FACE labels faces and CenterFace finds them); the head
# is wider and taller: hair above, ears at the sides, a little below the chin.
HEAD_SIDE, HEAD_UP, HEAD_DOWN = 0.4, 0.5, 0.15


@dataclass(frozen=True)
class Face:
    """A detected face, normalised to the upright analysed image (0..1)."""

    x0: float
    y0: float
    x1: float
    y1: float
    score: float = 1.0
    # eyes, nose tip, mouth corners as x, y pairs (normalised); empty when the detector gives none
    landmarks: tuple[float, ...] = ()

    @property
    def area(self) -> float:
        return (self.x1 - self.x0) * (self.y1 - self.y0)

    def box(self) -> Box:
        return (self.x0, self.y0, self.x1, self.y1)

    def core(self) -> Box:
        """Eyes to mouth: what must stay in view when the face is larger than the window."""
        if len(self.landmarks) == 10:
            xs, ys = self.landmarks[0::2], self.landmarks[1::2]
            return (min(xs), min(ys), max(xs), max(ys))
        w, h = self.x1 - self.x0, self.y1 - self.y0  # a face box: eyes at ~35%, mouth at ~80% down
        return (self.x0 + 0.2 * w, self.y0 + 0.3 * h, self.x1 - 0.2 * w, self.y0 + 0.85 * h)

    def head(self) -> Box:
        """The whole head (hair to chin), clamped to the picture: what "keep the face whole" means."""
        w, h = self.x1 - self.x0, self.y1 - self.y0
        return (max(0.0, self.x0 - HEAD_SIDE * w), max(0.0, self.y0 - HEAD_UP * h),
                min(1.0, self.x1 + HEAD_SIDE * w), min(1.0, self.y1 + HEAD_DOWN * h))


@dataclass(frozen=True)
class Analysis:
    faces: tuple[Face, ...]
    salient_box: Box | None              # normalised box holding most saliency; None: nothing stands out
    salient_centre: tuple[float, float]  # normalised centre of mass of saliency; (0.5, 0.5) fallback
    width: int                           # size of the analysed image
    height: int
    detector: str = "none"               # which face detector ran: "centerface", "haar" (fallback)
    detector_note: str | None = None     # why the fallback ran

    def to_dict(self) -> dict:
        return {
            "detector": self.detector,
            "detector_note": self.detector_note,
            "faces": [{**asdict(f), "landmarks": list(f.landmarks)} for f in self.faces],
            "salient_box": list(self.salient_box) if self.salient_box else None,
            "salient_centre": list(self.salient_centre),
            "width": self.width,
            "height": self.height,
        }


@dataclass(frozen=True)
class CropChoice:
    box: Box           # source pixels (upright): left, top, right, bottom
    reason: str        # "focus" | "faces" | "largest-group" | "saliency" | "centre"
    detail: str        # a sentence for --dry-run and the report
    faces_total: int
    faces_kept: int




# --------------------------------------------------------------------------------------- geometry

def _inside(inner: Box, outer: Box, tol: float = 0.5) -> bool:
    return (inner[0] >= outer[0] - tol and inner[1] >= outer[1] - tol
            and inner[2] <= outer[2] + tol and inner[3] <= outer[3] + tol)


def _heads(analysis: Analysis | None, src_w: float, src_h: float) -> list[Box]:
    if analysis is None:
        return []
    return [(x0 * src_w, y0 * src_h, x1 * src_w, y1 * src_h) for x0, y0, x1, y1 in (f.head() for f in analysis.faces)]


def band_box(box: Box, band: tuple[float, float]) -> Box:
    """The centred always-visible band of a crop window, given as fractions of the window."""
    w, h = box[2] - box[0], box[3] - box[1]
    bw, bh = w * band[0], h * band[1]
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    return (cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2)


def choose_crop(src_w: int, src_h: int, aspect: float, analysis: Analysis | None, *,
                focus: tuple[float, float] | None = None, band: tuple[float, float] | None = None) -> CropChoice:
    """The largest window of ``aspect`` inside the source, placed like a careful picture editor would.

    Focus (fractions 0..1) wins; else every face whole when they fit; else the largest group of faces
    (weighted by face area, ties towards saliency); else centred on saliency; else the centre. With
    ``band`` (the always-visible centred band as fractions of the window) the subject is put inside
    that band as far as the source allows. Pure geometry: no pixels.
    """
    win_w, win_h = window_size(src_w, src_h, aspect)
    heads = _heads(analysis, src_w, src_h)
    horizontal = win_w < src_w - 1e-6  # the axis the window can slide along (at most one)
    axis = 0 if horizontal else 1
    src_len, win_len = (src_w, win_w) if horizontal else (src_h, win_h)
    travel = max(0.0, src_len - win_len)

    def box_at(pos: float) -> Box:
        pos = min(max(pos, 0.0), travel)
        return (pos, 0.0, pos + win_w, float(src_h)) if horizontal else (0.0, pos, float(src_w), pos + win_h)

    def result(pos: float, reason: str, detail: str) -> CropChoice:
        box = box_at(pos)
        kept = sum(_inside(hb, box) for hb in heads)
        return CropChoice(box, reason, detail, len(heads), kept)

    def place(lo: float, hi: float, thirds: bool) -> float:
        """Window position for a subject spanning [lo, hi] on the free axis: whole if it fits, centred
        (or a little above centre when sliding vertically without a band, leaving room for the body), clamped to the source."""
        centre = (lo + hi) / 2
        want = centre - (win_len * 0.38 if thirds and not horizontal and band is None else win_len / 2)
        # The head box is an estimate (+-15%): keep a margin round it when the window has room.
        margin = min(0.15 * (hi - lo), max(0.0, (win_len - (hi - lo)) / 2))
        if hi - lo <= win_len:
            want = min(max(want, hi + margin - win_len), lo - margin)
        return want

    if focus is not None:
        fx, fy = focus
        pos = (fx * src_w if horizontal else fy * src_h) - win_len / 2
        return result(pos, "focus", f"focus point ({fx:.2f}, {fy:.2f}) given")

    sal_centre = None
    if analysis is not None and analysis.salient_box is not None:
        sal_centre = analysis.salient_centre[axis] * src_len

    if heads:
        spans = [(hb[axis], hb[axis + 2]) for hb in heads]
        weights = [(hb[2] - hb[0]) * (hb[3] - hb[1]) for hb in heads]
        # The set of whole faces only changes where a window edge meets a face edge.
        candidates = {0.0, travel} | {min(max(v, 0.0), travel) for lo, hi in spans for v in (lo, hi - win_len)}
        tie_to = sal_centre if sal_centre is not None else src_len / 2

        def score(pos: float):
            kept = [i for i, (lo, hi) in enumerate(spans) if lo >= pos - 0.5 and hi <= pos + win_len + 0.5]
            return (sum(weights[i] for i in kept), -abs(pos + win_len / 2 - tie_to)), kept

        (_, kept) = max((score(p) for p in sorted(candidates)), key=lambda s: s[0])
        n = len(heads)
        if not kept:
            # Even the largest head is bigger than the window: centre on it.
            lo, hi = spans[max(range(n), key=lambda i: weights[i])]
            return result(place(lo, hi, thirds=False), "largest-group",
                          f"{'the face is' if n == 1 else 'every face is'} larger than the crop: centred on the largest")
        lo, hi = min(spans[i][0] for i in kept), max(spans[i][1] for i in kept)
        pos = place(lo, hi, thirds=True)
        inside_band = ""
        if band:
            vis = band_box(box_at(pos), band)
            inside_band = f", {sum(_inside(heads[i], vis) for i in kept)} inside the always-visible band"
        if len(kept) == n:
            noun = "face" if n == 1 else f"{n} faces"
            return result(pos, "faces", f"{noun} kept whole{inside_band}")
        return result(pos, "largest-group",
                      f"{len(kept)} of {n} faces kept whole (they do not all fit: the largest group){inside_band}")

    if sal_centre is not None:
        sb = analysis.salient_box
        lo, hi = sb[axis] * src_len, sb[axis + 2] * src_len
        # Centre on the centre of mass, but keep the salient box whole when it fits.
        want = sal_centre - win_len / 2
        if hi - lo <= win_len:
            want = min(max(want, hi - win_len), lo)
        return result(want, "saliency", "no face found: centred on the most salient region")

    return result(travel / 2, "centre", "no face or salient region found: centred")


# ------------------------------------------------------------------------------------ safe areas

def subject_outside_band(choice_box: Box, analysis: Analysis | None, src_w: int, src_h: int,
                         band: tuple[float, float]) -> list[str]:
    """Sentences for each subject in the crop that is not inside its always-visible band.

    Subjects are the heads that reach into the crop or, with no faces, the centre of saliency.
    Faces cut out of the crop altogether are the crop's business (``CropChoice.faces_kept``).
    """
    if analysis is None:
        return []
    vis = band_box(choice_box, band)
    heads = [hb for hb in _heads(analysis, src_w, src_h) if _overlaps(hb, choice_box)]
    if heads:
        # The head box is an estimate (+-15%): a head at least 90% inside the band counts as inside.
        out = [i for i, hb in enumerate(heads) if _share_inside(hb, vis) < 0.9]
        if len(heads) == 1:
            return ["the face is outside the always-visible area"] if out else []
        return [f"face {i + 1} of {len(heads)} is outside the always-visible area" for i in out]
    if analysis.salient_box is not None:
        cx, cy = analysis.salient_centre[0] * src_w, analysis.salient_centre[1] * src_h
        if not (vis[0] <= cx <= vis[2] and vis[1] <= cy <= vis[3]):
            return ["the most salient region is outside the always-visible area"]
    return []


def _share_inside(inner: Box, outer: Box) -> float:
    w = max(0.0, min(inner[2], outer[2]) - max(inner[0], outer[0]))
    h = max(0.0, min(inner[3], outer[3]) - max(inner[1], outer[1]))
    area = (inner[2] - inner[0]) * (inner[3] - inner[1])
    return w * h / area if area > 0 else 1.0


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def subject_cut_by_circle(choice_box: Box, analysis: Analysis | None, src_w: int, src_h: int) -> bool:
    """Whether a profile picture's circle (the ellipse inscribed in the crop) cuts a head.

    Heads are treated as the ellipses inscribed in their boxes; with no faces the salient box is the
    subject. A little tolerance (3% of the radius) keeps a head that just touches the edge.
    """
    if analysis is None:
        return False
    subjects = [hb for hb in _heads(analysis, src_w, src_h) if _overlaps(hb, choice_box)]
    if not subjects and analysis.salient_box is not None:
        x0, y0, x1, y1 = analysis.salient_box
        subjects = [(x0 * src_w, y0 * src_h, x1 * src_w, y1 * src_h)]
    cx, cy = (choice_box[0] + choice_box[2]) / 2, (choice_box[1] + choice_box[3]) / 2
    rx, ry = (choice_box[2] - choice_box[0]) / 2 * 1.03, (choice_box[3] - choice_box[1]) / 2 * 1.03
    angles = [2 * math.pi * i / 32 for i in range(32)]
    for x0, y0, x1, y1 in subjects:
        for a in angles:
            px = (x0 + x1) / 2 + (x1 - x0) / 2 * math.cos(a)
            py = (y0 + y1) / 2 + (y1 - y0) / 2 * math.sin(a)
            if ((px - cx) / rx) ** 2 + ((py - cy) / ry) ** 2 > 1.0:
                return True
    return False
