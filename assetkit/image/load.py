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
import os
import warnings

from pathlib import Path

import numpy as np
from PIL import Image, ImageCms, ImageFile

from ..errors import MediaError
from ..model import Severity
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


# Bytes per pixel that each Pillow mode holds while decoded (what the decode budget counts).
_BYTES = {"1": 1, "L": 1, "P": 1, "LA": 2, "La": 2, "PA": 2, "I;16": 2, "I;16B": 2, "I;16L": 2, "I;16N": 2,
          "RGB": 3, "YCbCr": 3, "LAB": 3, "HSV": 3, "RGBA": 4, "RGBa": 4, "RGBX": 4, "CMYK": 4, "I": 4, "F": 4}
# What a working copy (normalise_mode) of each mode costs per pixel on top of the decoded one.
_WORKING = {"P": 4, "PA": 4, "LA": 4, "La": 4, "1": 1, "RGBa": 4, "RGBX": 3, "YCbCr": 3, "LAB": 3,
            "I;16": 1, "I;16B": 1, "I;16L": 1, "I;16N": 1, "I": 1, "F": 1}
BAND_BYTES = 8_000_000  # a working copy bigger than the budget is made band by band, reduced as it goes


def decode_budget(max_pixels: int) -> int:
    """Bytes of decoded pixels one worker may hold: one byte per pixel that --max-pixels allows
    (250 MB at the default: a 250 MP palette or grey picture, 83 MP of RGB, 62 MP of RGBA after
    shrink-on-load). A bigger decode is refused before it starts, so memory stays bounded whatever a
    small file claims; raising --max-pixels raises the budget with it."""
    return int(max_pixels)


def flag_value(n: float) -> str:
    """``n`` rounded up to two significant digits, as --max-pixels takes it: 719999999 -> "720000000"."""
    exp = max(0, math.floor(math.log10(n)) - 1) if n > 0 else 0
    return str(math.ceil(n / 10 ** exp) * 10 ** exp)


def decode_cost(mode: str, size: tuple[int, int]) -> int:
    return size[0] * size[1] * _BYTES.get(mode, 4)


def decode(im: Image.Image, info: MediaInfo, shrink: float = 1.0, *, options=None,
           notes: list | None = None) -> tuple[Image.Image, float, float]:
    """Decode the stored pixels, letting JPEG skip detail it would throw away, within the budget.

    ``shrink`` is how many source pixels per output pixel the outputs need at the least; libjpeg's
    DCT scaling (Pillow ``draft``) decodes at 1/2, 1/4 or 1/8 while staying at or above that, so a
    24 MP photo is never fully decoded for a 1080 px output. A decode that would need more than
    ``decode_budget`` is refused (``too-many-pixels``) before it allocates; a working copy that would
    (a palette picture made RGBA) is made band by band at an integer reduction. A cut file (the
    decoder ran out of data, or libjpeg filled the missing rows) is ``truncated``, or with
    ``options.allow_partial`` a warning appended to ``notes``. Returns the image (in a working mode,
    see ``normalise_mode``) and the factors from stored to decoded coordinates.
    """
    from ..checks import finding
    from ..media import damaged, pillow_cap_lifted

    max_pixels = getattr(options, "max_pixels", None) or 250_000_000
    allow_partial = bool(getattr(options, "allow_partial", False))
    budget = decode_budget(max_pixels)
    name = Path(info.path).name
    W, H = im.size
    scaled = _scaled_jpeg(im, info, shrink, budget) if info.format == "JPEG" else None
    if scaled is not None:
        im = scaled
    elif info.format == "JPEG" and shrink >= 2:
        im.draft(im.mode, (math.ceil(W / shrink), math.ceil(H / shrink)))
    cost = decode_cost(im.mode, im.size)
    banded = False
    if cost > budget:
        from . import tiffband   # an uncompressed strip TIFF: read in bands, reduced as they come (15.13)

        r = int(shrink)
        banded = r >= 2 and tiffband.bandable(im) and tiffband.cost(im, r, BAND_BYTES) <= budget
        if not banded:
            raise MediaError(info.path, "too-many-pixels",
                             f"decoding {name} ({im.width}x{im.height} {im.mode}) needs {cost / 1e6:.0f} MB, over the "
                             f"{budget / 1e6:.0f} MB a worker may hold (one byte per pixel of --max-pixels "
                             f"{max_pixels:.3g}); refused before decoding. --max-pixels {flag_value(cost)} allows it "
                             "if the file is trusted (the budget rises with the pixel limit)")
    if info.frames > 1 and notes is not None:
        notes.append(finding("first-frame-only", f"{name} is {'a multi-page' if info.format == 'TIFF' else 'an animated'} "
                             f"{info.format}: only its first {'page' if info.format == 'TIFF' else 'frame'} is used"))
    note = cmyk_note(im)
    if note and notes is not None:
        notes.append(finding("not-srgb", note))
    if banded:
        out = tiffband.decode_reduced(im, r, BAND_BYTES, normalise_mode)
        return out, out.width / W, out.height / H
    partial = None
    try:
        with pillow_cap_lifted(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if allow_partial:
                ImageFile.LOAD_TRUNCATED_IMAGES = True
            try:
                im.load()  # GIF, WebP, TIFF: an opened image sits on its first frame
            finally:
                ImageFile.LOAD_TRUNCATED_IMAGES = False
    except MediaError:
        raise
    except Exception as e:
        if "truncated" not in str(e).lower() and "broken data stream" not in str(e).lower():
            raise damaged(info.path, info.format, e) from None
        partial = f"{name}: the {info.format} data ends before the picture does ({e})"
    if partial is None and info.format == "JPEG":
        partial = _jpeg_cut(im, info.path, name)
    if partial:
        if not allow_partial:
            raise MediaError(info.path, "truncated", f"{partial}: the missing rows would be grey; refused "
                             "(--allow-partial writes it anyway)")
        if notes is not None:
            notes.append(finding("truncated", f"{partial}: written anyway because --allow-partial was given; "
                                 "the missing rows are filled", severity=Severity.WARNING))
    if info.extra.get("nclx"):  # an HDR (PQ/HLG) or BT.2020 HEIC/AVIF: its profile tone-maps to sRGB
        from .hdr import profile_for

        im.info["icc_profile"] = profile_for(tuple(info.extra["nclx"]))
    out = _working_copy(im, shrink, budget)
    return out, out.width / W, out.height / H


MAX_SCALED_JPEG_BYTES = 256 << 20  # read whole into memory only up to this; Pillow streams a bigger one


def _scaled_jpeg(im: Image.Image, info: MediaInfo, shrink: float, budget: int) -> Image.Image | None:
    """A colour or grey JPEG decoded at the smallest of libjpeg-turbo's M/8 scales that stays at or
    above the size the outputs need (simplejpeg's TurboJPEG), or None to decode with Pillow.

    Pillow's ``draft`` offers only 1/2, 1/4 and 1/8: a 24 MP photo for a 1080 square decodes at 1/2
    (3000x2000) where 3/8 (2250x1500) is enough. The DCT-domain scale costs the same to decode, and
    the resize after it a third less (66 -> 45 ms), with 10 MB of pixels instead of 18. CMYK, a file
    TurboJPEG will not read, and anything past the decode budget go the Pillow way, which reports
    them.
    """
    W, H = im.size
    if shrink < 8 / 7 or im.mode not in ("RGB", "L"):
        return None
    need_w, need_h = math.ceil(W / shrink), math.ceil(H / shrink)
    m = next(m for m in range(1, 9) if math.ceil(W * m / 8) >= need_w and math.ceil(H * m / 8) >= need_h)
    if m == 8 or decode_cost(im.mode, (math.ceil(W * m / 8), math.ceil(H * m / 8))) > budget:
        return None  # no smaller scale helps, or the budget refusal is Pillow's path's to make
    path = getattr(im, "filename", "") or info.path
    try:
        import simplejpeg

        if os.path.getsize(path) > MAX_SCALED_JPEG_BYTES:
            return None
        with open(path, "rb") as fh:
            data = fh.read()
        header_h, header_w, _, _ = simplejpeg.decode_jpeg_header(data)
        if (header_w, header_h) != (W, H):
            return None
        arr = simplejpeg.decode_jpeg(data, colorspace="RGB" if im.mode == "RGB" else "GRAY",
                                     min_width=need_w, min_height=need_h)
    except Exception:  # not installed, not a file, or TurboJPEG refuses it: Pillow decides
        return None
    if arr.ndim == 3 and arr.shape[2] == 1:
        arr = arr[..., 0]
    out = Image.fromarray(arr, im.mode)
    out.info = dict(im.info)
    return out


def jpeg_cut_at_eighth(path: str) -> str | None:
    """``_jpeg_cut`` without a decoded picture (check and --dry-run of a JPEG that needs no pixels):
    the strict libjpeg-turbo decode at 1/8 scale says whether the data ends early."""
    try:
        import simplejpeg

        with open(path, "rb") as fh:
            data = fh.read()
        simplejpeg.decode_jpeg(data, strict=True, min_height=1, min_width=1)
    except ImportError:  # pragma: no cover - a dependency
        return None
    except ValueError as e:   # libjpeg's other warnings (extraneous bytes) Pillow's decode passes too
        if "premature" in str(e).lower():
            return f"{Path(path).name} is cut short (libjpeg: {e})"
    except OSError:
        return None
    return None


def _jpeg_cut(im: Image.Image, path: str, name: str) -> str | None:
    """Did libjpeg fill rows it had no data for? A cut JPEG that still ends with an EOI marker (or a
    header claiming more rows than the data holds) decodes "fine": libjpeg warns ("premature end of
    data segment") and repeats the last value, which Pillow does not pass on. A perfectly flat last
    row is the cheap sign; then a strict libjpeg-turbo decode at 1/8 scale (simplejpeg, a few ms)
    says whether libjpeg warned."""
    row = im.crop((0, im.height - 1, im.width, im.height))
    lo_hi = row.getextrema()
    if isinstance(lo_hi[0], int):
        lo_hi = (lo_hi,)
    if any(lo != hi for lo, hi in lo_hi):
        return None
    try:
        import simplejpeg
    except ImportError:  # pragma: no cover - a dependency
        return None
    with open(path, "rb") as fh:
        data = fh.read()
    try:
        simplejpeg.decode_jpeg(data, strict=True, min_height=1, min_width=1)
    except ValueError as e:
        if "premature" in str(e).lower() or "corrupt" in str(e).lower():
            return f"{name} is cut short (libjpeg: {e})"
    return None


def _working_copy(im: Image.Image, shrink: float, budget: int) -> Image.Image:
    """normalise_mode, band by band at an integer reduction when the whole copy would not fit the
    budget beside the decoded picture (a 230 MP palette GIF made RGBA would need 0.9 GB more)."""
    extra = im.width * im.height * _WORKING.get(im.mode, 0)
    r = int(shrink)
    if extra + decode_cost(im.mode, im.size) <= budget or r < 2:
        return normalise_mode(im)
    step = max(r, BAND_BYTES // (im.width * 4) // r * r)  # rows per band, a multiple of the reduction
    first = normalise_mode(im.crop((0, 0, im.width, min(im.height, step))))
    out = Image.new(first.mode, (math.ceil(im.width / r), math.ceil(im.height / r)))
    for y in range(0, im.height, step):
        band = first if y == 0 else normalise_mode(im.crop((0, y, im.width, min(im.height, y + step))))
        out.paste(band.reduce(r), (0, y // r))
    return out


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


# CMYK without an embedded profile has no defined colours: like sharp and libvips, assume a standard
# press profile (US Web Coated SWOP) and convert with LittleCMS. The profile is not shipped (the one
# free to use, Artifex's SWOP from Ghostscript, is AGPL): it is read where the system keeps it
# (Debian/Ubuntu: the libgs-common package, which .ci/run installs), or from ASSETKIT_CMYK_PROFILE.
PRESS_PROFILES = (
    "/usr/share/color/icc/ghostscript/default_cmyk.icc",          # Artifex CMYK SWOP (libgs-common)
    "/usr/share/color/icc/USWebCoatedSWOP.icc", "/usr/share/color/icc/CoatedFOGRA39.icc",
    "/usr/share/ghostscript/iccprofiles/default_cmyk.icc",
    "/System/Library/ColorSync/Profiles/Generic CMYK Profile.icc",  # macOS
)


@functools.lru_cache(maxsize=1)
def press_profile() -> tuple[bytes, str] | None:
    """(ICC bytes, description) of the CMYK profile assumed for untagged CMYK, or None."""
    import os

    for path in filter(None, (os.environ.get("ASSETKIT_CMYK_PROFILE"), *PRESS_PROFILES)):
        try:
            data = Path(path).read_bytes()
            prof = ImageCms.ImageCmsProfile(io.BytesIO(data))
            if prof.profile.xcolor_space.strip() == "CMYK":
                return data, (ImageCms.getProfileDescription(prof) or Path(path).stem).strip()
        except (OSError, ImageCms.PyCMSError, AttributeError):
            continue
    return None


def cmyk_note(im: Image.Image) -> str | None:
    """What the not-srgb finding says about untagged CMYK: which profile was assumed."""
    if im.mode != "CMYK" or im.info.get("icc_profile"):
        return None
    press = press_profile()
    if press:
        return f"CMYK without an embedded profile: converted as {press[1]} (a standard press profile, as sharp and libvips assume)"
    return ("CMYK without an embedded profile and no standard press profile installed (Debian: libgs-common; "
            "or set ASSETKIT_CMYK_PROFILE): converted with a plain formula, colours are approximate")


def to_srgb(img: Image.Image, icc: bytes | None) -> Image.Image:
    """Real colour transform from the embedded profile to sRGB (ImageCms / LittleCMS); untagged CMYK
    through the press profile assumed (``press_profile``), Pillow's plain formula only without one."""
    if icc and not is_srgb_profile(icc):
        out_mode = "RGBA" if img.mode == "RGBA" else "RGB"
        try:
            t = _transform(hashlib.sha1(icc).hexdigest(), icc, img.mode, out_mode)
            return ImageCms.applyTransform(img, t)
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # profile does not fit the pixel mode (e.g. an RGB profile on CMYK data): fall through
    if img.mode == "CMYK":
        press = press_profile()
        if press:
            t = _transform(hashlib.sha1(press[0]).hexdigest(), press[0], "CMYK", "RGB")
            return ImageCms.applyTransform(img, t)
        return img.convert("RGB")
    return img


ANALYSIS_SIZE = 512  # long side of the copy faces and saliency are found on


def preview(decoded: Image.Image, orientation: int, long_side: int = ANALYSIS_SIZE) -> Image.Image:
    """A small upright RGB copy for analysis (faces, saliency, colour count) and report thumbnails."""
    scale = long_side / max(decoded.size)
    img = decoded
    if scale < 1:
        size = (max(1, round(decoded.width * scale)), max(1, round(decoded.height * scale)))
        # an integer box reduce to just above the size, then a short bilinear step: a third of the cost
        # of bilinear from the full decode, and the box filter cannot alias
        img = decoded.resize(size, Image.Resampling.BILINEAR, reducing_gap=1.0)
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
