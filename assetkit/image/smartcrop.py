"""Smart crop: find faces and salient content on a small upright copy, then place the crop window.

Two halves, kept apart so the geometry is tested without pixels (STYLE.md point 5):

- ``analyse(img)`` looks at pixels once per source: OpenCV Haar frontal faces plus a saliency map
  written with numpy. Its result is normalised (0..1) so it does not depend on the decode scale and
  serves every slot asked for in the same run.
- ``choose_crop(...)`` and the safe-area checks are pure geometry on source sizes and that result.

The focal point always exists (thumbor's detector chain): focus > faces > largest group of faces >
saliency > centre.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from functools import lru_cache

import cv2
import numpy as np
from PIL import Image

from .geometry import Box, window_at, window_size  # noqa: F401 - re-exported for callers

# Haar cost grows with the pixels scanned over the square of the smallest face looked for, whatever
# the content: a 512x341 scan for 20 px faces takes ~60 ms on two cores. ~100k pixels (386x257 for
# 3:2, 316x316 square) keeps a busy photo near 20-25 ms and finds faces from ~8-10% of the short side.
DETECT_MAX_PIXELS = 100_000
SCALE_FACTOR = 1.15
MIN_NEIGHBOURS = 3       # 4 missed real faces at the edge of detection; the skin check below stops textures
MIN_SKIN_SHARE = 0.15   # a real face box is mostly skin; textures that fool Haar are not
MIN_FACE_FRAC = 0.03     # smaller "faces" are almost always false positives
SALIENCY_LONG_SIDE = 96  # saliency is about regions, not detail
FRONTAL_CASCADE = "haarcascade_frontalface_alt2.xml"

# A Haar box covers eyebrows to mouth; the head is wider and taller (hair above, chin below).
HEAD_SIDE, HEAD_UP, HEAD_DOWN = 0.3, 0.5, 0.3


@dataclass(frozen=True)
class Face:
    """A detected face, normalised to the upright analysed image (0..1)."""

    x0: float
    y0: float
    x1: float
    y1: float
    score: float = 1.0

    @property
    def area(self) -> float:
        return (self.x1 - self.x0) * (self.y1 - self.y0)

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

    def to_dict(self) -> dict:
        return {
            "faces": [asdict(f) for f in self.faces],
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


REASONS = ("focus", "faces", "largest-group", "saliency", "centre")


# --------------------------------------------------------------------------------------- analysis

@lru_cache(maxsize=None)
def _cascade(name: str) -> cv2.CascadeClassifier:
    # Loading parses a ~700 kB XML file: once per process.
    c = cv2.CascadeClassifier(cv2.data.haarcascades + name)
    if c.empty():
        raise RuntimeError(f"OpenCV could not load {name} from {cv2.data.haarcascades}")
    return c


def _resized(a: np.ndarray, max_pixels: int) -> np.ndarray:
    h, w = a.shape[:2]
    scale = math.sqrt(max_pixels / (w * h))
    if scale >= 1.0:
        return a
    return cv2.resize(a, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)


def _scan(grey: np.ndarray, min_side: int) -> list[tuple[list[int], float]]:
    if min(grey.shape) < min_side:
        return []
    # detectMultiScale2 reports how many neighbouring windows agreed (a confidence); detectMultiScale3's
    # reject-level weights would cost ~3x the time because stages can no longer stop early.
    rects, neighbours = _cascade(FRONTAL_CASCADE).detectMultiScale2(
        grey, scaleFactor=SCALE_FACTOR, minNeighbors=MIN_NEIGHBOURS, minSize=(min_side, min_side))
    return list(zip(np.asarray(rects).reshape(-1, 4).tolist(), np.ravel(neighbours).astype(float).tolist()))


def _skin_share(rgb: np.ndarray, box: tuple[int, int, int, int]) -> float | None:
    """Share of skin-coloured pixels in a box; None when the picture has too little colour to tell."""
    x0, y0, x1, y1 = box
    patch = rgb[y0:y1, x0:x1]
    if patch.size == 0 or float(np.ptp(rgb[::8, ::8].astype(np.int16), axis=-1).mean()) < 12:
        return None  # greyscale or sepia: every face would fail a colour test
    # The broad chroma band all skin tones share (Chai & Ngan, widened); brightness left free.
    skin = cv2.inRange(cv2.cvtColor(np.ascontiguousarray(patch), cv2.COLOR_RGB2YCrCb), (30, 130, 70), (255, 185, 135))
    return float(np.count_nonzero(skin)) / skin.size


def detect_faces(rgb: np.ndarray) -> tuple[Face, ...]:
    """Frontal faces in an upright RGB array, normalised to its size, largest first.

    A colour picture's detections with almost no skin in them (textures, foliage) are dropped.
    """
    small = _resized(rgb, DETECT_MAX_PIXELS)
    grey = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)
    h, w = grey.shape
    min_side = max(20, round(MIN_FACE_FRAC * min(w, h)))  # 20 px: the cascade's own window
    faces = []
    for (x, y, fw, fh), score in _scan(grey, min_side):
        share = _skin_share(small, (x, y, x + fw, y + fh))
        if share is None or share >= MIN_SKIN_SHARE:
            faces.append(Face(x / w, y / h, (x + fw) / w, (y + fh) / h, score))
    return tuple(sorted(faces, key=lambda f: -f.area))


def saliency_map(rgb: np.ndarray, faces: tuple[Face, ...] = ()) -> np.ndarray:
    """A float map (0..1) at SALIENCY_LONG_SIDE: colour contrast + edges + saturation + skin + people.

    Colour contrast is frequency-tuned saliency (distance of the blurred colour from the picture's
    mean), so a plain or gradient background scores low and an object that differs scores high.
    """
    h, w = rgb.shape[:2]
    s = SALIENCY_LONG_SIDE / max(w, h)
    sw, sh = max(8, round(w * s)), max(8, round(h * s))
    small = cv2.resize(rgb, (sw, sh), interpolation=cv2.INTER_AREA).astype(np.float32) / 255.0
    r, g, b = small[..., 0], small[..., 1], small[..., 2]
    # Opponent colour space: a cheap stand-in for Lab that treats colour and brightness alike.
    opp = np.stack([(r + g + b) / 3, r - g, (r + g) / 2 - b], axis=-1)
    blurred = cv2.GaussianBlur(opp, (0, 0), 1.0)
    contrast = np.sqrt(((blurred - opp.reshape(-1, 3).mean(axis=0)) ** 2).sum(axis=-1))
    grey = opp[..., 0]
    edges = np.hypot(cv2.Sobel(grey, cv2.CV_32F, 1, 0, ksize=3), cv2.Sobel(grey, cv2.CV_32F, 0, 1, ksize=3))
    edges = cv2.GaussianBlur(edges, (0, 0), 2.0)
    mx, mn = small.max(axis=-1), small.min(axis=-1)
    saturation = (mx - mn) / (mx + 1e-3)
    # Skin: the broad chroma band all skin tones share (Cr 0.52..0.70, Cb 0.30..0.52 in YCrCb 0..1).
    cr = 0.5 + 0.5 * r - 0.419 * g - 0.081 * b
    cb = 0.5 - 0.169 * r - 0.331 * g + 0.5 * b
    skin = ((cr > 0.52) & (cr < 0.70) & (cb > 0.30) & (cb < 0.52) & (mx > 0.2)).astype(np.float32)
    # Absolute scales (not per-image maxima) so a flat picture stays flat instead of amplifying noise.
    sal = 1.6 * contrast + 0.8 * np.clip(edges, 0, 1.0) + 0.2 * saturation * (contrast > 0.05) + 0.2 * skin
    # Detected people: the head and the body below it are the subject.
    for f in faces:
        fw, fh = f.x1 - f.x0, f.y1 - f.y0
        hx0, hy0, hx1, hy1 = f.head()
        sal[int(hy0 * sh):math.ceil(hy1 * sh), int(hx0 * sw):math.ceil(hx1 * sw)] += 1.0
        bx0, bx1 = max(0.0, f.x0 - fw), min(1.0, f.x1 + fw)
        sal[math.ceil(hy1 * sh):math.ceil(min(1.0, f.y1 + 3 * fh) * sh), int(bx0 * sw):math.ceil(bx1 * sw)] += 0.4
    return np.clip(sal / 2.0, 0.0, 1.0)


def _salient_region(sal: np.ndarray) -> tuple[Box | None, tuple[float, float]]:
    """Box holding most of the saliency that stands out, and the centre of mass of that saliency."""
    sh, sw = sal.shape
    # Only what stands out above the picture's typical level counts.
    excess = np.clip(sal - np.median(sal) - 0.05, 0.0, None)
    total = float(excess.sum())
    if total < 1e-3 * sal.size:
        return None, (0.5, 0.5)
    weight = excess ** 2  # favour the peaks over a wide low plateau
    wsum = float(weight.sum())
    ys, xs = np.mgrid[0:sh, 0:sw]
    cx = float((weight * (xs + 0.5)).sum() / wsum) / sw
    cy = float((weight * (ys + 0.5)).sum() / wsum) / sh

    def span(profile: np.ndarray) -> tuple[float, float]:
        c = np.cumsum(profile) / profile.sum()
        lo = int(np.searchsorted(c, 0.05))
        hi = int(np.searchsorted(c, 0.95))
        return lo / len(profile), (hi + 1) / len(profile)

    x0, x1 = span(weight.sum(axis=0))
    y0, y1 = span(weight.sum(axis=1))
    if (x1 - x0) * (y1 - y0) > 0.8:  # spread over the whole picture (noise, texture): nothing stands out
        return None, (cx, cy)
    return (x0, y0, x1, y1), (cx, cy)


def analyse(img: Image.Image) -> Analysis:
    """Faces and saliency of an UPRIGHT, small (long side ~400-640 px) copy of the source.

    The caller applies EXIF orientation first: Haar cascades only find upright faces.
    """
    rgb = np.asarray(img.convert("RGB"))
    faces = detect_faces(rgb)
    box, centre = _salient_region(saliency_map(rgb, faces))
    return Analysis(faces, box, centre, img.width, img.height)


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
    angles = np.linspace(0, 2 * np.pi, 32, endpoint=False)
    for x0, y0, x1, y1 in subjects:
        px = (x0 + x1) / 2 + (x1 - x0) / 2 * np.cos(angles)
        py = (y0 + y1) / 2 + (y1 - y0) / 2 * np.sin(angles)
        if np.any(((px - cx) / rx) ** 2 + ((py - cy) / ry) ** 2 > 1.0):
            return True
    return False
