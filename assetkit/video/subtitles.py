"""Burned-in subtitles (most social video plays muted).

The imageio-ffmpeg 0.8 binary (ffmpeg 9) is built with ``--enable-libass`` and fontconfig, so the
``subtitles`` filter is used. For an ``ASSETKIT_FFMPEG`` build without libass, cues are drawn with
Pillow onto transparent frame-sized PNGs and overlaid with ``enable='between(t,a,b)'``.
"""
from __future__ import annotations

import atexit
import functools
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import UsageError

_TIME = r"(\d+):(\d{2}):(\d{2})[,.](\d{1,3})"
_CUE = re.compile(_TIME + r"\s*-->\s*" + _TIME)


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    text: str


@functools.cache
def has_libass(exe: str) -> bool:
    out = subprocess.run([exe, "-hide_banner", "-filters"], capture_output=True, text=True).stdout
    return any(line.split()[1:2] == ["subtitles"] for line in out.splitlines() if line.strip())


def parse_srt(path: str | Path) -> list[Cue]:
    try:
        text = Path(path).read_text(encoding="utf-8-sig", errors="replace")
    except OSError as e:
        raise UsageError(f"cannot read subtitles {path}: {e.strerror}") from None
    cues = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip()):
        lines = block.split("\n")
        for i, line in enumerate(lines):
            m = _CUE.search(line)
            if m:
                g = [int(x) for x in m.groups()]
                start = g[0] * 3600 + g[1] * 60 + g[2] + g[3] / 10 ** len(m.group(4))
                end = g[4] * 3600 + g[5] * 60 + g[6] + g[7] / 10 ** len(m.group(8))
                body = re.sub(r"<[^>]+>", "", "\n".join(lines[i + 1:])).strip()
                if body and end > start:
                    cues.append(Cue(start, end, body))
                break
    if not cues:
        raise UsageError(f"{path}: no subtitle cues found (expected SRT: '00:00:01,000 --> 00:00:02,500')")
    return cues


def render_cues(cues: list[Cue], frame: tuple[int, int]) -> list[tuple[Path, Cue]]:
    """One transparent frame-sized PNG per cue, bottom-centred white text with a dark outline, set like
    the credits (plan/text.py: Noto from the wheels, a font per character, right-to-left lines)."""
    from PIL import Image, ImageDraw

    from ..plan import text as _text

    W, H = frame
    folder = Path(tempfile.mkdtemp(prefix="assetkit-subs-"))
    atexit.register(shutil.rmtree, folder, True)  # the PNGs must outlive build_command, not the run
    size = max(12, H // 18)
    stroke = max(1, size // 12)
    step = round(size * 1.25)   # baseline to baseline
    out = []
    for n, cue in enumerate(cues):
        img = Image.new("RGBA", (W, H), (0, 0, 0, 0))
        draw = ImageDraw.Draw(img)
        lines = [_text.line(t, None, size) for t in cue.text.split("\n")]
        baseline = H - H // 12 - (len(lines) - 1) * step   # the last line's baseline sits H/12 up
        for i, ln in enumerate(lines):
            l, _, r, _ = ln.bbox(stroke)
            ln.draw(draw, ((W - (r - l)) // 2 - l, baseline + i * step), fill="white",
                    stroke_width=stroke, stroke_fill="black")
        path = folder / f"cue{n:05d}.png"
        img.save(path)
        out.append((path, cue))
    return out
