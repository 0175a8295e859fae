"""Image analysis for smart crop, consent, blurring and credit placement: faces and a saliency map
found on a small upright copy of the source (faces: the CNN chain in ``faces.py``; saliency with
Pillow and numpy on a 96 px map, so the default path does not import OpenCV: 80 ms and 17 MB of every
worker's start).

The result (``plan.crop.Analysis``) is normalised (0..1), so it does not depend on the decode scale and
serves every slot asked for in the same run; placing the crop window is ``plan/crop.py``'s business.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PIL import Image

from ..plan.crop import Analysis, Face
from ..plan.geometry import Box
from . import faces as detectors

SALIENCY_LONG_SIDE = 96  # saliency is about regions, not detail


def _reflect101(a: np.ndarray, r: int, axis: int) -> np.ndarray:
    """Pad ``r`` on both sides of ``axis`` mirroring without the edge (OpenCV's default border)."""
    pad = [(0, 0)] * a.ndim
    pad[axis] = (r, r)
    return np.pad(a, pad, mode="reflect")


def _correlate(a: np.ndarray, k: np.ndarray, axis: int) -> np.ndarray:
    r = len(k) // 2
    p = _reflect101(a, r, axis)
    n = a.shape[axis]
    out = np.zeros_like(a)
    for i, w in enumerate(k):
        if w:
            out += w * np.take(p, range(i, i + n), axis=axis)
    return out


def _gaussian(a: np.ndarray, sigma: float) -> np.ndarray:
    """Separable Gaussian blur (OpenCV's kernel size for float maps: 2 * round(4 sigma) + 1)."""
    r = int(round(4 * sigma))
    x = np.arange(-r, r + 1, dtype=np.float32)
    k = np.exp(-(x * x) / (2 * sigma * sigma))
    k /= k.sum()
    return _correlate(_correlate(a, k, 0), k, 1)


def _sobel_magnitude(grey: np.ndarray) -> np.ndarray:
    smooth, diff = np.array([1, 2, 1], np.float32), np.array([-1, 0, 1], np.float32)
    gx = _correlate(_correlate(grey, smooth, 0), diff, 1)
    gy = _correlate(_correlate(grey, diff, 0), smooth, 1)
    return np.hypot(gx, gy)


def saliency_map(rgb: np.ndarray, faces: tuple[Face, ...] = ()) -> np.ndarray:
    """A float map (0..1) at SALIENCY_LONG_SIDE: colour contrast + edges + saturation + skin + people.

    Colour contrast is frequency-tuned saliency (distance of the blurred colour from the picture's
    mean), so a plain or gradient background scores low and an object that differs scores high.
    """
    h, w = rgb.shape[:2]
    s = SALIENCY_LONG_SIDE / max(w, h)
    sw, sh = max(8, round(w * s)), max(8, round(h * s))
    small = np.asarray(Image.fromarray(np.ascontiguousarray(rgb)).resize((sw, sh), Image.Resampling.BOX),
                       dtype=np.float32) / 255.0  # BOX: the area average
    r, g, b = small[..., 0], small[..., 1], small[..., 2]
    # Opponent colour space: a cheap stand-in for Lab that treats colour and brightness alike.
    opp = np.stack([(r + g + b) / 3, r - g, (r + g) / 2 - b], axis=-1)
    blurred = _gaussian(opp, 1.0)
    contrast = np.sqrt(((blurred - opp.reshape(-1, 3).mean(axis=0)) ** 2).sum(axis=-1))
    grey = opp[..., 0]
    edges = _gaussian(_sobel_magnitude(grey), 2.0)
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


def _excess(sal: np.ndarray) -> np.ndarray:
    """Only what stands out above the picture's typical level counts."""
    return np.clip(sal - _median(sal) - 0.05, 0.0, None)


def _median(a: np.ndarray) -> float:
    """np.median by partition: the same value, without np.median's 15 ms first call in each worker."""
    f = a.ravel()
    k = f.size // 2
    if f.size % 2:
        return float(np.partition(f, k)[k])
    p = np.partition(f, [k - 1, k])
    return float((p[k - 1] + p[k]) / 2)


def _profiles(excess: np.ndarray) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Saliency per column and per row, each summing to 1 (empty when nothing stands out)."""
    total = float(excess.sum())
    if total <= 0:
        return (), ()
    return (tuple(round(float(v), 4) for v in excess.sum(axis=0) / total),
            tuple(round(float(v), 4) for v in excess.sum(axis=1) / total))


def _salient_region(sal: np.ndarray) -> tuple[Box | None, tuple[float, float]]:
    """Box holding most of the saliency that stands out, and the centre of mass of that saliency."""
    sh, sw = sal.shape
    excess = _excess(sal)
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

    The caller applies EXIF orientation first: the detectors are trained on upright pictures.
    """
    rgb = np.asarray(img.convert("RGB"))
    faces, detector, note = detectors.detect(rgb)
    sal = saliency_map(rgb, faces)
    box, centre = _salient_region(sal)
    px, py = _profiles(_excess(sal))
    return Analysis(faces, box, centre, img.width, img.height, detector, note, px, py)




# ------------------------------------------------------------------------ frames of a video shot

@dataclass(frozen=True)
class Observation:
    """One sampled frame of a clip: its faces and saliency map (kept small: frames are not)."""
    faces: tuple[Face, ...]
    saliency: np.ndarray
    detector: str
    note: str | None
    width: int
    height: int


def observe(rgb: np.ndarray) -> Observation:
    """Faces and the saliency map of one upright RGB frame (the same detectors as photos)."""
    faces, detector, note = detectors.detect(rgb)
    return Observation(faces, saliency_map(rgb, faces), detector, note, rgb.shape[1], rgb.shape[0])


SHOT_FACE_SHARE = 0.3   # a face seen in fewer of a shot's frames is a passer-by or a false detection
TRACK_IOU = 0.2


def combine(frames: list[Observation]) -> Analysis:
    """One Analysis for the frames of one shot: what a single window held for the whole shot keeps.

    Faces are followed from frame to frame (a box overlapping the last one seen); one seen in at
    least SHOT_FACE_SHARE of the frames counts, its box the union of where it was (so the window keeps
    it whole wherever it moved within the shot). Saliency is the mean of the frames' maps."""
    if not frames:
        raise ValueError("no frames to combine")
    tracks: list[list] = []   # [last box, union box, times seen, score sum]
    for obs in frames:
        for f in obs.faces:
            box = f.box()
            best = max(tracks, key=lambda t: _iou(t[0], box), default=None)
            if best is not None and _iou(best[0], box) >= TRACK_IOU:
                u = best[1]
                best[0], best[1] = box, (min(u[0], box[0]), min(u[1], box[1]), max(u[2], box[2]), max(u[3], box[3]))
                best[2] += 1
                best[3] += f.score
            else:
                tracks.append([box, box, 1, f.score])
    need = max(1, math.ceil(SHOT_FACE_SHARE * len(frames)))
    faces = tuple(sorted((Face(*u, score / seen) for _, u, seen, score in tracks if seen >= need),
                         key=lambda f: -f.area))
    sal = np.mean([o.saliency for o in frames], axis=0)
    box, centre = _salient_region(sal)
    px, py = _profiles(_excess(sal))
    first = frames[0]
    return Analysis(faces, box, centre, first.width, first.height, first.detector, first.note, px, py)


def _iou(a: Box, b: Box) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0
