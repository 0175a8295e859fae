"""A TIFF too big to decode whole within the memory budget, decoded band by band at an integer
reduction (15.13): a 240 MP scan for a 1080 px slot is read in bands of rows, each band reduced
(box filter) as it arrives, so the worker holds the reduced picture and one band, never the whole.

Only where Pillow's own decoder gives rows from known offsets: uncompressed strips (Pillow's ``raw``
tiles, each strip's rows at its offset). A compressed TIFF (LZW, Deflate, JPEG, PackBits) and a
tiled TIFF are decoded by libtiff in one piece through Pillow, which exposes neither its strip nor
its tile reads, so those keep the refusal, which names the ``--max-pixels`` that would allow them.
"""
from __future__ import annotations

import math

from PIL import Image

from ..errors import MediaError

# whole bytes per pixel of the raw modes Pillow reads uncompressed TIFF strips with
RAW_BYTES = {"RGB": 3, "RGBX": 4, "RGBA": 4, "RGBa": 4, "L": 1, "LA": 2, "La": 2, "CMYK": 4,
             "I;16": 2, "I;16B": 2, "I;16L": 2, "I;16N": 2, "I;16BS": 2, "I;16S": 2}
HELD_BYTES = 4          # per pixel of the reduced picture (RGB is held as 4 bytes by Pillow)


def _strips(im: Image.Image):
    """[(y0, y1, offset, rawmode, row_bytes)] for a TIFF of uncompressed full-width strips, else None."""
    W = im.width
    out = []
    for t in im.tile or ():
        codec, (x0, y0, x1, y1), offset, args = t
        if codec != "raw" or x0 != 0 or x1 != W or not isinstance(args, tuple) or len(args) < 1:
            return None
        rawmode = args[0]
        stride = args[1] if len(args) > 1 else 0
        ystep = args[2] if len(args) > 2 else 1
        if rawmode not in RAW_BYTES or ystep != 1:
            return None
        row = W * RAW_BYTES[rawmode]
        if stride not in (0, row):
            return None
        out.append((y0, y1, offset, rawmode, row))
    return out or None


def bandable(im: Image.Image) -> bool:
    return getattr(im, "format", None) == "TIFF" and _strips(im) is not None


def cost(im: Image.Image, r: int, band_bytes: int) -> int:
    """Bytes held at the peak: the reduced picture, one band as decoded and its working copy."""
    return math.ceil(im.width / r) * math.ceil(im.height / r) * HELD_BYTES + 3 * band_bytes


def decode_reduced(im: Image.Image, r: int, band_bytes: int, normalise) -> Image.Image:
    """The picture reduced ``r`` times on each side (box filter), decoded a band of rows at a time;
    ``normalise`` makes each band a working mode (load.normalise_mode)."""
    strips = _strips(im)
    W, H = im.size
    step = max(r, band_bytes // (W * 4) // r * r)   # rows per band, a multiple of the reduction
    out = None
    with open(im.filename, "rb") as fp:
        for b0 in range(0, H, step):
            b1 = min(H, b0 + step)
            band = Image.new(im.mode, (W, b1 - b0))
            for y0, y1, offset, rawmode, row in strips:
                lo, hi = max(y0, b0), min(y1, b1)
                if lo >= hi:
                    continue
                fp.seek(offset + (lo - y0) * row)
                data = fp.read((hi - lo) * row)
                if len(data) < (hi - lo) * row:
                    raise MediaError(im.filename, "truncated", f"the TIFF data ends at row {lo} of {H} "
                                     "(a cut file): the missing rows would be grey; refused")
                decoder = Image._getdecoder(im.mode, "raw", (rawmode, 0, 1))
                decoder.setimage(band.im, (0, lo - b0, W, hi - b0))
                decoder.decode(data)
                decoder.cleanup()
            small = normalise(band).reduce(r)
            if out is None:
                out = Image.new(small.mode, (math.ceil(W / r), math.ceil(H / r)))
            out.paste(small, (0, b0 // r))
    return out
