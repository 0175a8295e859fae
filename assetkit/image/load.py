"""Decoding: shrink-on-load, pixel-mode normalisation and colour management (to sRGB 8-bit).

Order (DESIGN "Images"): decode at the smallest scale the outputs allow -> orientation -> sRGB. For
speed, the orientation and the colour transform are applied to the small *output* image, which gives
the same pixels as doing them first (both are per-pixel or exact geometric maps), at a fraction of
the cost. The crop box is mapped from upright to stored coordinates instead (geometry.py).
"""
from __future__ import annotations

import functools
import hashlib
import io
import math
import warnings

import numpy as np
from PIL import Image, ImageCms

from ..errors import MediaError
from ..media import MediaInfo

# EXIF orientation -> the transpose that makes the stored picture upright (as ImageOps.exif_transpose)
TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


SRGB_PROFILE = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def _dated(icc: bytes, date=(2016, 1, 1, 0, 0, 0)) -> bytes:
    """LittleCMS stamps a new profile with the current time (ICC header bytes 24-35), which made
    outputs from different processes (pool workers, Dask workers, re-runs) differ in bytes; a fixed
    date makes them reproducible. The profile ID (bytes 84-99) is unset, so nothing else changes."""
    return icc[:24] + b"".join(v.to_bytes(2, "big") for v in date) + icc[36:]


SRGB_ICC = _dated(SRGB_PROFILE.tobytes())


def decode(im: Image.Image, info: MediaInfo, shrink: float = 1.0) -> tuple[Image.Image, float, float]:
    """Decode the stored pixels, letting JPEG skip detail it would throw away.

    ``shrink`` is how many source pixels per output pixel the outputs need at the least; libjpeg's
    DCT scaling (Pillow ``draft``) decodes at 1/2, 1/4 or 1/8 while staying at or above that, so a
    24 MP photo is never fully decoded for a 1080 px output. Returns the image (in a working mode,
    see ``normalise_mode``) and the factors from stored to decoded coordinates.
    """
    W, H = im.size
    if info.format == "JPEG" and shrink >= 2:
        im.draft(im.mode, (math.ceil(W / shrink), math.ceil(H / shrink)))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            im.load()  # GIF, WebP, TIFF: an opened image sits on its first frame
    except MediaError:
        raise
    except Exception as e:
        what = "truncated" if "truncated" in str(e).lower() else "damaged"
        raise MediaError(info.path, "unreadable", f"{what} {info.format} data: {e}") from None
    out = normalise_mode(im)
    return out, out.width / W, out.height / H


def normalise_mode(im: Image.Image) -> Image.Image:
    """A mode that resizes correctly: RGB, RGBA, L, LA->RGBA or CMYK (colour-converted after resize)."""
    mode = im.mode
    if mode in ("RGB", "RGBA", "L", "CMYK"):
        return im
    if mode == "P" or mode == "PA":
        return im.convert("RGBA" if ("transparency" in im.info or mode == "PA") else "RGB")
    if mode in ("LA", "La"):
        return im.convert("RGBA")
    if mode == "1":
        return im.convert("L")
    if mode in ("RGBa", "RGBX"):
        return im.convert("RGBA" if mode == "RGBa" else "RGB")
    if mode.startswith("I;16") or mode in ("I", "F"):
        return _to_8bit_grey(im)
    if mode == "YCbCr":
        return im.convert("RGB")
    if mode == "LAB":
        lab = ImageCms.ImageCmsProfile(ImageCms.createProfile("LAB"))
        return ImageCms.profileToProfile(im, lab, SRGB_PROFILE, outputMode="RGB")
    return im.convert("RGB")


def _to_8bit_grey(im: Image.Image) -> Image.Image:
    """16-bit / 32-bit greyscale to 8-bit, rounding instead of truncating."""
    a = np.asarray(im)
    if im.mode == "F":
        hi = float(a.max()) if a.size else 1.0
        a = a * (255.0 / (hi if hi > 1.0 else 1.0))
    elif im.mode.startswith("I;16") or (im.mode == "I" and a.max(initial=0) > 255):
        a = a.astype(np.float32) * (255.0 / 65535.0)
    return Image.fromarray(np.clip(np.rint(a), 0, 255).astype(np.uint8), "L")


def is_srgb_profile(icc: bytes | None) -> bool:
    if not icc:
        return True
    try:
        desc = ImageCms.getProfileDescription(ImageCms.ImageCmsProfile(io.BytesIO(icc))) or ""
    except Exception:
        return True  # an unreadable profile: treat the pixels as sRGB rather than fail the picture
    return "srgb" in desc.lower().replace(" ", "").replace("-", "")


@functools.lru_cache(maxsize=32)
def _transform(icc_digest: str, icc: bytes, in_mode: str, out_mode: str):
    src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
    return ImageCms.buildTransform(src, SRGB_PROFILE, in_mode, out_mode,
                                   renderingIntent=ImageCms.Intent.PERCEPTUAL)


def to_srgb(img: Image.Image, icc: bytes | None) -> Image.Image:
    """Real colour transform from the embedded profile to sRGB (ImageCms / LittleCMS).

    CMYK without a profile has no defined colours; Pillow's plain conversion is the accepted fallback.
    """
    if icc and not is_srgb_profile(icc):
        out_mode = "RGBA" if img.mode == "RGBA" else "RGB"
        try:
            t = _transform(hashlib.sha1(icc).hexdigest(), icc, img.mode, out_mode)
            return ImageCms.applyTransform(img, t)
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # profile does not fit the pixel mode (e.g. an RGB profile on CMYK data): fall through
    if img.mode == "CMYK":
        return img.convert("RGB")
    return img


ANALYSIS_SIZE = 512  # long side of the copy faces and saliency are found on


def preview(decoded: Image.Image, orientation: int, long_side: int = ANALYSIS_SIZE) -> Image.Image:
    """A small upright RGB copy for analysis (faces, saliency, colour count) and report thumbnails."""
    scale = long_side / max(decoded.size)
    img = decoded
    if scale < 1:
        size = (max(1, round(decoded.width * scale)), max(1, round(decoded.height * scale)))
        img = decoded.resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0)
    if orientation in TRANSPOSE:
        img = img.transpose(TRANSPOSE[orientation])
    if img.mode == "CMYK":
        img = img.convert("RGB")
    elif img.mode == "RGBA":
        img = flatten(img)
    elif img.mode != "RGB":
        img = img.convert("RGB")
    return img


def flatten(img: Image.Image, background=(255, 255, 255)) -> Image.Image:
    """Alpha composited on white (JPEG has no transparency)."""
    if img.mode not in ("RGBA", "LA"):
        return img.convert("RGB") if img.mode != "RGB" else img
    base = Image.new("RGB", img.size, background)
    base.paste(img, mask=img.getchannel("A"))
    return base


def is_graphic(decoded: Image.Image, fmt: str) -> bool:
    """Logo, text or chart rather than a photo: real transparency, or few colours in a lossless file.

    An opaque alpha channel (screenshots saved as RGBA) does not count; JPEG sources are photos.
    """
    if decoded.mode == "RGBA" and decoded.getchannel("A").getextrema()[0] < 255:
        return True
    return fmt != "JPEG" and few_colours(decoded)


def few_colours(decoded: Image.Image, limit: int = 256) -> bool:
    """True for graphics (logos, text, charts): at most ``limit`` distinct colours in a sample.

    Nearest-neighbour sampling keeps original colours (interpolation would invent new ones).
    """
    sample = decoded
    if max(decoded.size) > 400:
        s = 400 / max(decoded.size)
        sample = decoded.resize((max(1, int(decoded.width * s)), max(1, int(decoded.height * s))),
                                Image.Resampling.NEAREST)
    return sample.getcolors(maxcolors=limit) is not None
