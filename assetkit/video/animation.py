"""An animated GIF or WebP for a video slot becomes a short MP4, as the platforms treat it (15.15).

Pillow decodes the frames (GIF disposal and WebP blending give whole frames; transparency is laid on
white, as the photo engine does), one at a time, into a lossless constant-rate intermediate
(FFV1 RGB in Matroska, written with PyAV) in a temporary folder; the video engine then probes, plans
and encodes it like any clip (H.264 High, yuv420p, the slot's frame, credit and logo, faststart),
with the recipe and the output name of the original file. (ffmpeg's own GIF demuxer reads GIFs, but
PyAV's libav does not decode animated WebP; one path for both keeps the frames identical.)

Frame timing: each frame keeps its delay. The rate is the one whose period divides every delay
(100 and 50 ms delays: 20 fps), at least MIN_RATE (a multiple of it), and a frame is repeated for as
many periods as its delay; only when that rate would be over the slot's maximum (60 fps, delays such
as 70 and 100 ms) is 30 fps used and frame changes rounded to the nearest 1/30 s. A delay under
20 ms plays as 100 ms, as in every browser. An animation longer than the longest slot allows is
converted up to just past that limit (the plan then says it is too long; ``--trim auto`` cuts it).
"""
from __future__ import annotations

import math
import tempfile
from dataclasses import dataclass, replace
from fractions import Fraction
from functools import reduce
from pathlib import Path

from ..checks import finding
from ..errors import MediaError

ANIMATED = ("GIF", "WEBP")   # as image/pipeline.py routes them
MIN_DELAY_MS = 20         # browsers play 0 and 10 ms delays as 100 ms
BROWSER_DELAY_MS = 100
MIN_RATE = 10             # fps: a slide show of 2 s frames is written at 10 fps, not 0.5
FALLBACK_RATE = 30
MAX_RATE = 60
MAX_FRAMES = 20_000       # source frames read at most (a hostile file of a million 0 ms frames)
NO_LIMIT_S = 600          # how much of an animation is converted for slots with no duration limit


def is_animation(info) -> bool:
    """An animated GIF or WebP (MediaInfo.frames says more than one)."""
    return info.format in ANIMATED and info.frames > 1


def delays(path: str, limit_s: float) -> list[int]:
    """Every frame's delay in ms (as browsers play it), up to ``limit_s`` seconds or MAX_FRAMES:
    from the frame headers, nothing decoded (GIF: Pillow's seek reads the graphic control
    extension; WebP: the ANMF chunks, which Pillow only reads by decoding each frame)."""
    out, total = [], 0
    for d in (_webp_delays(path) if _is_webp(path) else _gif_delays(path)):
        d = BROWSER_DELAY_MS if d < MIN_DELAY_MS else d
        out.append(d)
        total += d
        if total > limit_s * 1000 or len(out) >= MAX_FRAMES:
            break
    return out


def _is_webp(path: str) -> bool:
    with open(path, "rb") as fh:
        head = fh.read(12)
    return head[:4] == b"RIFF" and head[8:12] == b"WEBP"


def _gif_delays(path: str):
    from PIL import Image, ImageSequence

    with Image.open(path) as im:
        for frame in ImageSequence.Iterator(im):
            yield int(frame.info.get("duration") or 0)


def _webp_delays(path: str):
    """The 24-bit frame duration of each ANMF chunk (WebP container spec), walking chunk headers."""
    with open(path, "rb") as fh:
        fh.seek(12)
        while True:
            head = fh.read(8)
            if len(head) < 8:
                return
            size = int.from_bytes(head[4:], "little")
            if head[:4] == b"ANMF":
                body = fh.read(16)
                if len(body) < 16:
                    return
                yield int.from_bytes(body[12:15], "little")
                fh.seek(size + (size & 1) - 16, 1)
            else:
                fh.seek(size + (size & 1), 1)


def frame_rate(ms: list[int], cap: float = MAX_RATE) -> Fraction:
    """The constant rate that keeps every delay (see the module's doc)."""
    period = reduce(math.gcd, ms)
    rate = Fraction(1000, period)
    if rate > cap:
        return Fraction(FALLBACK_RATE)
    if rate < MIN_RATE:
        rate *= math.ceil(MIN_RATE / rate)
    return rate


@dataclass(frozen=True)
class Clip:
    path: str
    frames: int           # source frames converted
    written: int          # frames of the constant-rate clip
    rate: Fraction
    duration: float       # s
    cut: bool             # stopped at the limit: the animation is longer
    exact: bool           # every delay is a whole number of periods


def convert(src: str, dest: Path, *, limit_s: float, cap: float = MAX_RATE) -> Clip:
    """Write ``src``'s frames to ``dest`` (FFV1 in Matroska) at a constant rate that keeps their timing."""
    import av
    import numpy as np
    from PIL import Image, ImageSequence

    ms = delays(src, limit_s)
    rate = frame_rate(ms, cap)
    ends = [0]
    for d in ms:
        ends.append(ends[-1] + d)
    # output frame k (at k / rate s) shows the source frame on screen at that time
    marks = [round(Fraction(e, 1000) * rate) for e in ends]
    written = 0
    try:
        with Image.open(src) as im, av.open(str(dest), "w", format="matroska") as out:
            w, h = im.size
            stream = out.add_stream("ffv1", rate=rate)
            stream.width, stream.height, stream.pix_fmt = w, h, "bgr0"
            for i, frame in enumerate(ImageSequence.Iterator(im)):
                if i >= len(ms):
                    break
                repeat = marks[i + 1] - marks[i]
                if repeat <= 0:
                    continue
                rgba = frame.convert("RGBA")
                flat = Image.new("RGB", rgba.size, (255, 255, 255))
                flat.paste(rgba, mask=rgba.getchannel("A"))
                vf = av.VideoFrame.from_ndarray(np.asarray(flat), format="rgb24")
                for _ in range(repeat):
                    vf.pts = written
                    vf.time_base = Fraction(1) / rate
                    for packet in stream.encode(vf):
                        out.mux(packet)
                    written += 1
            for packet in stream.encode():
                out.mux(packet)
    except (OSError, ValueError, av.FFmpegError) as e:
        raise MediaError(src, "unreadable", f"the animation could not be decoded: {e}") from None
    exact = all(Fraction(d, 1000) * rate == round(Fraction(d, 1000) * rate) for d in ms)
    return Clip(str(dest), len(ms), written, rate, written / float(rate),
                cut=ends[-1] > limit_s * 1000, exact=exact)


def run(job, result, info, slots) -> None:
    """Every video slot of an animated picture: its MP4s (or plans) appended to ``result``."""
    from . import job as vjob

    name = Path(job.path).name
    vjob_job = replace(job, slots=tuple(slots))
    done = vjob.up_to_date(vjob_job)
    if done is not None:
        result.outputs += done.outputs
        return
    limits = [s.max_duration.value for s in slots if s.max_duration is not None]
    limit_s = (max(limits) + 1) if len(limits) == len(slots) else NO_LIMIT_S
    cap = min((s.max_frame_rate.value for s in slots if s.max_frame_rate is not None), default=MAX_RATE)
    with tempfile.TemporaryDirectory(prefix="assetkit-animation-") as tmp:
        clip = convert(job.path, Path(tmp) / "frames.mkv", limit_s=limit_s, cap=cap)
        timing = ("every frame's delay kept" if clip.exact
                  else f"frame changes rounded to the nearest 1/{float(clip.rate):g} s")
        note = (f"{name} is an animated {info.format} ({clip.frames} frames, {clip.duration:.2f} s"
                f"{', and more: converted up to the limit' if clip.cut else ''}): written as an H.264 MP4 "
                f"at {float(clip.rate):g} fps, {timing}, as the platforms play animations")
        sub = type(result)(source=job.path, kind="video")
        vjob.run_clip(vjob_job, sub, clip.path)
    for out in sub.outputs:
        found = [f for f in out.findings if f.code != "video-codec"]   # the codec is ours, not the file's
        out.findings = [finding("animation-video", note, slot=out.slot), *found]
        if out.plan is not None:
            out.plan["source"] = job.path
            out.plan["animation"] = {"frames": clip.frames, "fps": float(clip.rate), "duration": clip.duration}
    result.outputs += sub.outputs
    result.findings += [f for f in sub.findings if f not in result.findings]
