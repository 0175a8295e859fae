"""Carry out a Plan on decoded pixels: crop + high-quality downscale in one resample, orientation,
sRGB, alpha handling. The pipeline order is readable here in one place."""
from __future__ import annotations

from PIL import Image

from ..media import MediaInfo
from ..plan import Plan
from . import geometry
from .load import flatten, to_srgb


# Below this many decoded pixels per output pixel, an (antialiased) bicubic gives the same result as
# Lanczos: it is the usual case after JPEG shrink-on-load, which leaves a ratio between 1 and 2. Measured on
# 24 MP and 12 MP photos decoded at 1/2 for a 1080 square (ratio 1.85 and 1.39): PSNR against a
# full-resolution Lanczos reference 52.97 / 50.93 dB for bicubic vs 52.97 / 50.88 dB for Lanczos, at 0.7x
# the resize time (benchmarks/bench_photos.py). Larger ratios keep Lanczos.
BICUBIC_BELOW = 2.0


def resample_filter(box, out_size) -> Image.Resampling:
    ratio = min((box[2] - box[0]) / out_size[0], (box[3] - box[1]) / out_size[1])
    return Image.Resampling.BICUBIC if ratio < BICUBIC_BELOW else Image.Resampling.LANCZOS


def render(decoded: Image.Image, sx: float, sy: float, info: MediaInfo, plan: Plan, icc: bytes | None) -> Image.Image:
    o = info.orientation
    # 1. the upright crop box, found in the stored pixel grid, then in the (shrunk) decoded grid
    b = geometry.upright_box_to_stored(plan.crop, o, info.stored_width, info.stored_height)
    box = (b[0] * sx, b[1] * sy, b[2] * sx, b[3] * sy)
    out_w, out_h = plan.out_size
    stored_out = (out_h, out_w) if o >= 5 else (out_w, out_h)
    # 2. crop + resize in one pass (Pillow premultiplies alpha, so no dark fringes); reducing_gap lets
    #    Pillow box-reduce first when the ratio is large (e.g. PNG sources)
    img = decoded.resize(stored_out, resample_filter(box, stored_out), box=box, reducing_gap=3.0)
    # 3. orientation on the small result: pixels identical to rotating first, much cheaper
    if o in geometry.TRANSPOSE:
        img = img.transpose(geometry.TRANSPOSE[o])
    # 4. colour: embedded profile -> sRGB
    img = to_srgb(img, icc)
    # 5. the output format's pixel mode
    if plan.format == "jpeg":
        return flatten(img)
    if img.mode not in ("RGB", "RGBA"):
        img = img.convert("RGBA" if "A" in img.mode else "RGB")
    return img
