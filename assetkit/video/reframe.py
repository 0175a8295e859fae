"""Sample a clip for smart reframing: shots and what each shows (``plan.reframe.Motion``).

One ffmpeg run decodes the clip (the same input options as the encode, so both see the same
clock), scales every frame to a small upright copy (SAMPLE_LONG_SIDE), finds the cuts with
``scdet`` on every frame (so a window changes exactly at the cut, not at the next sample), and
passes SAMPLE_RATE frames a second on to us as raw RGB. Each sampled frame goes through the photos'
detectors as it arrives (``image/analyse.observe``: faces, saliency map), so only the small
observations are kept, never the frames; each shot's observations are then combined into one
Analysis. ``plan/reframe`` chooses the windows; nothing here decides where they go.

HDR frames are analysed as decoded (not tone-mapped): faces and contrast are found as well on the
flat picture, and the analysis costs no tone map.
"""
from __future__ import annotations

import re
import subprocess
import threading
from typing import TYPE_CHECKING

import numpy as np

from ..errors import MediaError
from ..plan.reframe import Motion, Shot

if TYPE_CHECKING:
    from ..plan.video import VideoPlan
    from .probe import VideoInfo

SAMPLE_RATE = 3          # frames a second: a shot of a third of a second is still seen
SAMPLE_LONG_SIDE = 480   # px: faces from ~10 px (2% of the short side), like the photos' analysis copy
SCENE_THRESHOLD = 10     # scdet's score (0-100, the change of the frame's content): a cut, not a pan

_SHOWINFO = re.compile(r"Parsed_showinfo.*?\bn:\s*(\d+).*?\bpts_time:\s*(-?[\d.e+-]+)")
_SCDET = re.compile(r"lavfi\.scd\.time:\s*(-?[\d.e+-]+)")


def sample_size(info: VideoInfo) -> tuple[int, int]:
    dw, dh = info.display_size
    k = SAMPLE_LONG_SIDE / max(dw, dh, 1)
    if k >= 1:
        k = 1.0
    return max(2, round(dw * k / 2) * 2), max(2, round(dh * k / 2) * 2)


def motion_span(info: VideoInfo, plans: list[VideoPlan]) -> tuple[float, float] | None:
    """The part of the clip the plans that follow the subject play (None: no plan does)."""
    spans = [p.trim or (0.0, info.duration) for p in plans if p.follow]
    if not spans:
        return None
    return (min(s[0] for s in spans), max(s[1] for s in spans))


def sample(info: VideoInfo, span: tuple[float, float] | None = None, *, exe: str | None = None) -> Motion:
    """Shots of ``span`` (source seconds; None: the whole clip) and what each shows."""
    from ..image.analyse import observe
    from .transcode import ffmpeg_exe

    w, h = sample_size(info)
    start = span[0] if span else 0.0
    seek = ["-ss", f"{span[0]:.3f}", "-t", f"{span[1] - span[0]:.3f}"] if span else []
    cmd = [exe or ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "info", *seek, "-i", info.path,
           "-map", f"0:{info.video_index}", "-an", "-sn", "-dn",
           "-vf", f"scale={w}:{h},setsar=1,scdet=threshold={SCENE_THRESHOLD},fps={SAMPLE_RATE},showinfo,format=rgb24",
           "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"]
    try:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except OSError as e:
        raise MediaError(info.path, "ffmpeg-failed", f"cannot start ffmpeg {cmd[0]}: {e.strerror}") from None
    log: list[str] = []
    reader = threading.Thread(target=lambda: log.extend(proc.stderr.read().decode("utf-8", "replace").splitlines()),
                              daemon=True)
    reader.start()
    observations = []
    size = w * h * 3
    try:
        while True:
            buf = proc.stdout.read(size)
            if len(buf) < size:
                break
            observations.append(observe(np.frombuffer(buf, np.uint8).reshape(h, w, 3)))
        rc = proc.wait()
        reader.join(timeout=10)
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    if rc != 0 or not observations:
        tail = "\n".join(line for line in log if "Parsed_showinfo" not in line)[-800:]
        raise MediaError(info.path, "ffmpeg-failed", f"could not sample frames for reframing (ffmpeg "
                                                     f"status {rc}): {tail or 'no frames'}")
    times = {int(m.group(1)): float(m.group(2)) for m in map(_SHOWINFO.search, log) if m}
    cuts = sorted({float(m.group(1)) for m in map(_SCDET.search, log) if m})
    stamps = [times.get(i, i / SAMPLE_RATE) for i in range(len(observations))]
    end = (span[1] - span[0]) if span else info.duration
    return Motion(_shots(observations, stamps, cuts, start, max(end, stamps[-1])), (start, start + end),
                  float(SAMPLE_RATE), observations[0].detector)


def _shots(observations, stamps, cuts, start: float, end: float) -> tuple[Shot, ...]:
    """Group the sampled frames by shot; a shot with no sampled frame (a flash, a cut of a few
    frames) joins the one before it, whose window it keeps."""
    from ..image.analyse import combine

    bounds = [0.0, *[c for c in cuts if 0.0 < c < end], end]
    shots: list[tuple[float, float, list]] = []
    for a, b in zip(bounds, bounds[1:]):
        frames = [o for o, t in zip(observations, stamps) if a - 1e-6 <= t < b - 1e-6]
        if frames or not shots:
            shots.append((a, b, frames))
        else:
            shots[-1] = (shots[-1][0], b, shots[-1][2])
    if not shots[0][2] and len(shots) > 1:  # the first shot had no frame: it joins the next
        first, nxt = shots[0], shots[1]
        shots[:2] = [(first[0], nxt[1], nxt[2])]
    return tuple(Shot(round(start + a, 4), round(start + b, 4), combine(frames) if frames else None, len(frames))
                 for a, b, frames in shots)
