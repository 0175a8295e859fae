"""Recreate sample_media/: small files to try the README commands on.

    python tools/make_sample_media.py [OUT_DIR]      (default: sample_media/ at the repo root)

Deterministic (fixed seed, no timestamps), so re-running gives the same bytes with the same Pillow.
Pictures are large in pixels (every default slot, up to youtube/channel-art 2560x1440, can be made
without upscaling) but small in bytes: smooth gradients and flat shapes, softened, JPEG quality 70.
Metadata tags come from tests/fixtures.py so tests and samples agree on what "private" means.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
import fixtures as fx  # noqa: E402

SEED = 2026
QUALITY = 70
ARTIST, COPYRIGHT = "Sample Photographer", "© IOM 2026"


def _vertical_gradient(w: int, h: int, top, bottom) -> np.ndarray:
    t = np.linspace(0, 1, h, dtype=np.float32)[:, None, None]
    row = (1 - t) * np.array(top, np.float32) + t * np.array(bottom, np.float32)
    return np.broadcast_to(row, (h, w, 3))


def _person(d: ImageDraw.ImageDraw, x: float, ground: float, height: float, shirt) -> None:
    """A silhouette: round head over a rounded body, standing on ``ground`` at ``x``."""
    head = height * 0.13
    body_top = ground - height + 2 * head
    d.rounded_rectangle([x - height * 0.16, body_top, x + height * 0.16, ground],
                        radius=int(height * 0.12), fill=shirt)
    d.ellipse([x - head, ground - height, x + head, ground - height + 2 * head], fill=(60, 42, 34))


def scene(size, *, sky=((64, 120, 196), (196, 222, 242)), ground=((104, 160, 72), (52, 98, 44)),
          horizon=0.62, people=((0.30, 0.42, (200, 60, 50)), (0.37, 0.34, (40, 90, 170))),
          sun=(0.78, 0.18), seed=SEED) -> Image.Image:
    """A soft outdoor picture: sky, sun, clouds, hills, ground, people near the left third.

    ``people`` items are (x as a fraction of width, height as a fraction of image height, colour).
    """
    w, h = size
    rnd = random.Random(seed)
    hy = int(h * horizon)
    a = np.concatenate([_vertical_gradient(w, hy, *sky), _vertical_gradient(w, h - hy, *ground)])
    img = Image.fromarray(a.astype(np.uint8), "RGB")
    d = ImageDraw.Draw(img)
    s = min(w, h)
    sx, sy, sr = w * sun[0], h * sun[1], s * 0.07
    d.ellipse([sx - sr, sy - sr, sx + sr, sy + sr], fill=(255, 236, 170))
    for _ in range(4):  # clouds: a few overlapping white ellipses
        cx, cy = rnd.uniform(0.05, 0.95) * w, rnd.uniform(0.08, 0.35) * h
        for _ in range(4):
            rx, ry = rnd.uniform(0.04, 0.08) * w, rnd.uniform(0.02, 0.04) * h
            ox = rnd.uniform(-0.05, 0.05) * w
            d.ellipse([cx + ox - rx, cy - ry, cx + ox + rx, cy + ry], fill=(244, 248, 252))
    xs = np.linspace(0, w, 61)  # hills: a smooth ridge just above the horizon
    phase = rnd.uniform(0, 6.28)
    ridge = hy - h * (0.05 + 0.04 * np.sin(xs / w * 7 + phase) + 0.02 * np.sin(xs / w * 17))
    d.polygon([(0, hy)] + list(zip(xs.tolist(), ridge.tolist())) + [(w, hy)], fill=(88, 130, 80))
    for fx_, fh, colour in people:
        _person(d, w * fx_, h * (horizon + 0.22), h * fh, colour)
    return img.filter(ImageFilter.GaussianBlur(max(1, s // 800)))  # softer = fewer JPEG bytes


def _save_jpeg(img, path: Path, exif=None, xmp=None) -> None:
    kw = {"exif": exif.tobytes()} if exif is not None else {}
    if xmp:
        kw["xmp"] = xmp
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path, "JPEG", quality=QUALITY, optimize=True, **kw)


def make_all(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []

    # Upright 2000x3000, stored sideways (3000x2000) with Orientation=6, credited in EXIF and XMP.
    p = out / "portrait_orientation6.jpg"
    upright = scene((2000, 3000), horizon=0.55, people=((0.33, 0.38, (230, 150, 40)),), sun=(0.75, 0.12))
    exif = fx.build_exif(orientation=6, exif={fx.TAG_ARTIST: ARTIST, fx.TAG_COPYRIGHT: COPYRIGHT})
    xmp = fx.xmp_packet(location=False, creator=ARTIST, rights=COPYRIGHT)
    _save_jpeg(fx.to_stored(upright, 6), p, exif, xmp)
    written.append(p)

    # Landscape with GPS, camera serials, owner name, MakerNote and an XMP location: all private.
    p = out / "landscape_gps.jpg"
    exif = fx.build_exif(gps=True, private=True)
    _save_jpeg(scene((3000, 2000), seed=SEED + 1), p, exif, fx.xmp_packet(location=True))
    written.append(p)

    # Graphic: transparent background, four flat colours.
    p = out / "logo_graphic.png"
    fx.logo_image((1400, 1400)).save(p, "PNG", optimize=True)
    written.append(p)

    # Subfolder + upper-case extension; evening colours, a group of people.
    p = out / "events" / "field_day.JPG"
    img = scene((2700, 1800), sky=((120, 90, 160), (250, 190, 140)), ground=((150, 140, 70), (80, 80, 40)),
                people=((0.24, 0.40, (40, 120, 90)), (0.31, 0.46, (200, 60, 50)),
                        (0.38, 0.36, (40, 90, 170)), (0.45, 0.30, (230, 190, 40))),
                sun=(0.85, 0.42), seed=SEED + 2)
    _save_jpeg(img, p)
    written.append(p)

    # A phone clip: stored landscape with a 90 degree display rotation (portrait on screen), a GPS
    # location tag and a tone, made with the ffmpeg that assetkit installs.
    written.append(make_phone_clip(out / "phone_clip.mov"))
    return written


def make_phone_clip(p: Path) -> Path:
    import subprocess
    import tempfile

    from assetkit.video import ffmpeg_exe

    ff = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-y", "-loglevel", "error"]
    with tempfile.TemporaryDirectory() as tmp:
        flat = Path(tmp) / "flat.mp4"
        subprocess.run([*ff, "-f", "lavfi", "-i", "testsrc2=s=640x360:r=15:d=4", "-f", "lavfi",
                        "-i", "sine=f=330:d=4", "-c:v", "libx264", "-preset", "veryslow", "-crf", "32",
                        "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "48k", "-shortest", str(flat)], check=True)
        subprocess.run([*ff, "-display_rotation", "90", "-i", str(flat), "-c", "copy",
                        "-movflags", "use_metadata_tags", "-metadata",
                        "com.apple.quicktime.location.ISO6709=+46.2230+006.1433/", str(p)], check=True)
    return p


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else ROOT / "sample_media"
    for p in make_all(out):
        print(f"{p.stat().st_size:>9,d}  {p.relative_to(out)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
