"""Fix a video for a slot with ffmpeg: build the command (ffmpeg-python), run it, check the result.

The steps, in order (``prepare_video``):
probe -> validate -> refuse what only a person can fix (too long without --trim, too small without
--allow-upscale) -> geometry -> loudness first pass (if asked) -> build -> run (atomic) -> poster
-> re-probe the output.

The encode: H.264 High yuv420p + AAC in MP4 with faststart; ffmpeg autorotates on decode, so the
frames reach the filter graph upright and the output carries no display matrix; the first scale
goes to display size and ``setsar=1`` makes pixels square; the frame is fitted to the slot's aspect
(pad / crop / blur); constant frame rate at the source's average rate; ``-map_metadata -1`` and
``-map_chapters -1`` plus mapping only the filtered video and first audio stream drop global tags,
QuickTime ``mdta`` keys (location ISO6709) and Apple metadata tracks alike.
"""
from __future__ import annotations

import collections
import os
import re
import subprocess
import threading
from dataclasses import dataclass
from fractions import Fraction
from importlib import resources
from pathlib import Path
from typing import Callable

import ffmpeg

from ..checks import Finding, Severity, finding
from ..fsutil import temp_path_for
from ..errors import MediaError, UsageError
from ..presets import Slot
from . import geometry, loudness as _loudness, subtitles as _subs
from .probe import VideoInfo, probe
from .validate import validate

FFMPEG_ENV = "ASSETKIT_FFMPEG"
STANDARD_RATES = [Fraction(24000, 1001), Fraction(24), Fraction(25), Fraction(30000, 1001),
                  Fraction(30), Fraction(50), Fraction(60000, 1001), Fraction(60)]
LOG_LINES = 10
Progress = Callable[[float], None]


# --- the binary ---------------------------------------------------------------------------------

def ffmpeg_exe() -> str:
    """``ASSETKIT_FFMPEG`` if set, else the binary inside the imageio-ffmpeg wheel.

    Not ``imageio_ffmpeg.get_ffmpeg_exe()``: that one honours IMAGEIO_FFMPEG_EXE and falls back to
    conda's or PATH's ffmpeg, which would make the tests prove nothing about the wheel."""
    env = os.environ.get(FFMPEG_ENV)
    if env:
        if not (os.path.isfile(env) and os.access(env, os.X_OK)):
            raise UsageError(f"{FFMPEG_ENV}={env!r} is not an executable file")
        return env
    from imageio_ffmpeg._definitions import FNAME_PER_PLATFORM, get_platform

    name = FNAME_PER_PLATFORM.get(get_platform(), "")
    exe = resources.files("imageio_ffmpeg.binaries") / name if name else None
    if exe is None or not exe.is_file():
        raise UsageError(f"the imageio-ffmpeg wheel has no ffmpeg for {get_platform()}; "
                         f"set {FFMPEG_ENV} to an ffmpeg binary")
    return str(exe)


# --- trim ---------------------------------------------------------------------------------------

def parse_trim(text: str) -> tuple[float, float] | str:
    """``"auto"``, ``"5-65"``, ``"00:01:02-00:01:30"``, ``"1:02.5-1:30"`` -> "auto" or (start, end)."""
    t = text.strip().lower()
    if t == "auto":
        return "auto"
    m = re.fullmatch(r"([\d:.]+)\s*-\s*([\d:.]+)", t)
    if not m:
        raise UsageError(f"--trim {text!r}: expected START-END in seconds or HH:MM:SS (e.g. 5-65, "
                         f"00:01:02-00:01:30) or 'auto'")
    start, end = _seconds(m.group(1), text), _seconds(m.group(2), text)
    if end <= start:
        raise UsageError(f"--trim {text!r}: the end must come after the start")
    return (start, end)


def _seconds(part: str, whole: str) -> float:
    bits = part.split(":")
    try:
        if len(bits) > 3 or any(b == "" for b in bits):
            raise ValueError
        value = 0.0
        for b in bits:
            value = value * 60 + float(b)
    except ValueError:
        raise UsageError(f"--trim {whole!r}: {part!r} is not seconds or HH:MM:SS") from None
    return value


def resolve_trim(trim, info: VideoInfo, slot: Slot) -> tuple[float, float] | None:
    """None, "auto", (start, end) or text -> a (start, end) within the clip, or None."""
    if trim is None:
        return None
    if isinstance(trim, str):
        trim = parse_trim(trim)
    if trim == "auto":
        if slot.max_duration is None:
            return None  # nothing to trim to: the slot has no limit
        return (0.0, min(float(slot.max_duration.value), info.duration))
    start, end = float(trim[0]), float(trim[1])
    if start >= info.duration:
        raise UsageError(f"--trim starts at {start:g} s but the clip is {info.duration:.1f} s long")
    return (start, min(end, info.duration))


# --- the command --------------------------------------------------------------------------------

def output_rate(info: VideoInfo) -> Fraction:
    """The source's average rate; a phone's 29.87 fps VFR average snaps to 30000/1001 (within 2%)."""
    rate = info.frame_rate if info.frame_rate > 0 else Fraction(30)
    std = min(STANDARD_RATES, key=lambda r: abs(rate - r))
    if rate.denominator == 1 or rate == std or abs(rate - std) / std >= Fraction(2, 100):
        return rate.limit_denominator(1001)  # a whole or unusual rate (25, 1, 12.5) stays
    return std


def plan_geometry(info: VideoInfo, slot: Slot, fit: str = "pad", allow_upscale: bool = False) -> geometry.Geometry:
    size = lambda d: (d.width, d.height) if d is not None else None  # noqa: E731
    return geometry.plan(info.display_size, aspect=size(slot.aspect), fit=fit, max_size=size(slot.max_size),
                         min_size=size(slot.min_size), allow_upscale=allow_upscale)


def build_command(src, dst, info: VideoInfo, slot: Slot, *, fit: str = "pad", trim=None,
                  allow_upscale: bool = False, subtitles=None, overlay_png=None,
                  loudness: bool | _loudness.Loudness | None = False,
                  x264_preset: str = "medium", crf: int = 20, recipe: str | None = None) -> list[str]:
    """The full ffmpeg argv; the last element is always the output path (``run`` relies on it).

    ``loudness=True`` runs the measuring first pass now; pass a ``Loudness`` (from
    ``loudness.measure``) to keep this function free of side effects, or None/False to skip."""
    exe = ffmpeg_exe()
    geo = plan_geometry(info, slot, fit, allow_upscale)
    span = resolve_trim(trim, info, slot)
    in_kw = {}
    if span is not None:
        # Input-side seek is frame-accurate when re-encoding and skips decoding the cut part.
        in_kw = {"ss": f"{span[0]:.3f}", "t": f"{span[1] - span[0]:.3f}"}
    src_in = ffmpeg.input(str(src), **in_kw)
    v = _fit(src_in[str(info.video_index)], geo)
    W, H = geo.frame
    if subtitles is not None:
        if not Path(subtitles).is_file():
            raise UsageError(f"subtitles file {subtitles} does not exist")
        if _subs.has_libass(exe):
            v = v.filter("subtitles", filename=str(subtitles), charenc="UTF-8")
        else:
            for png, cue in _subs.render_cues(_subs.parse_srt(subtitles), (W, H)):
                v = ffmpeg.overlay(v, ffmpeg.input(str(png))["v:0"], x=0, y=0,
                                   enable=f"between(t,{cue.start:.3f},{cue.end:.3f})")
    if overlay_png is not None:
        if not Path(overlay_png).is_file():
            raise UsageError(f"overlay image {overlay_png} does not exist")
        # A still input ends after one frame; overlay's default eof_action=repeat keeps it on.
        logo = ffmpeg.input(str(overlay_png))["v:0"].filter("scale", W, H)
        v = ffmpeg.overlay(v, logo, x=0, y=0)
    v = v.filter("format", "yuv420p")

    streams = [v]
    out_kw = {}
    if info.has_audio:
        a = src_in[str(info.audio_index)]
        if loudness is True:
            loudness = _loudness.measure(exe, src, trim=span)
        if isinstance(loudness, _loudness.Loudness):
            # loudnorm works at 192 kHz internally; bring it back to a rate AAC players expect.
            a = a.filter("loudnorm", **loudness.filter_kwargs()).filter("aresample", 48000)
        streams.append(a)
        out_kw.update({"c:a": "aac", "b:a": "160k"})
    if recipe:  # lets a re-run recognise an up-to-date output (the only metadata written)
        out_kw["metadata"] = f"comment=assetkit-recipe:{recipe}"
    out = ffmpeg.output(
        *streams, str(dst),
        **{"c:v": "libx264", "profile:v": "high", "preset": x264_preset, "crf": crf,
           "pix_fmt": "yuv420p", "fps_mode": "cfr", "r": str(output_rate(info)),
           **out_kw, "map_metadata": -1, "map_chapters": -1, "movflags": "+faststart", "f": "mp4"},
    )
    args = ffmpeg.get_args(out)
    assert args[-1] == str(dst)
    return [exe, "-hide_banner", "-nostdin", "-y", "-loglevel", "warning",
            "-progress", "pipe:1", "-nostats", *args]


def _fit(v, geo: geometry.Geometry):
    W, H = geo.frame
    pw, ph = geo.picture
    x, y = geo.offset
    if geo.picture == geo.frame:  # already the slot's aspect: nothing to pad, crop or blur
        return v.filter("scale", W, H).filter("setsar", 1)
    if geo.fit == "pad":
        return v.filter("scale", pw, ph).filter("setsar", 1).filter("pad", W, H, x, y, color="black")
    if geo.fit == "crop":
        return v.filter("scale", pw, ph).filter("setsar", 1).filter("crop", W, H, x, y)
    # blur: the background is the picture scaled to cover, blurred at quarter size (4x cheaper,
    # and a blur that strong shows no difference), scaled back up under the sharp foreground.
    parts = v.filter_multi_output("split")
    bw, bh = max(2, W // 8 * 2), max(2, H // 8 * 2)
    cover = max(bw / pw, bh / ph)
    sw, sh = max(bw, round(pw * cover / 2) * 2), max(bh, round(ph * cover / 2) * 2)
    bg = (parts[0].filter("scale", sw, sh).filter("crop", bw, bh).filter("gblur", sigma=max(2, bh // 20))
          .filter("scale", W, H).filter("setsar", 1))
    fg = parts[1].filter("scale", pw, ph).filter("setsar", 1)
    return ffmpeg.overlay(bg, fg, x=x, y=y)


# --- running ------------------------------------------------------------------------------------

def run(cmd: list[str], duration: float, on_progress: Progress | None = None) -> None:
    """Run an ffmpeg argv whose last element is the output; write it atomically.

    ffmpeg writes to a hidden temporary name in the output's folder, renamed into place on success.
    On failure MediaError(source, "ffmpeg-failed", last log lines); on KeyboardInterrupt or any
    exception (including one raised by ``on_progress``) ffmpeg is killed and the partial file
    removed before the exception goes on."""
    dst = Path(cmd[-1])
    tmp = temp_path_for(dst)  # a name the batch's sweep recognises, should this process be killed
    src = cmd[cmd.index("-i") + 1] if "-i" in cmd else str(dst)
    log: collections.deque[str] = collections.deque(maxlen=200)
    try:
        proc = subprocess.Popen([*cmd[:-1], str(tmp)], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, errors="replace", bufsize=1)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise MediaError(src, "ffmpeg-failed", f"cannot start ffmpeg {cmd[0]}: {e.strerror}") from None
    # stderr drains on its own thread so a chatty ffmpeg never blocks on a full pipe.
    reader = threading.Thread(target=lambda: log.extend(line.rstrip() for line in proc.stderr), daemon=True)
    reader.start()
    try:
        for line in proc.stdout:
            key, _, value = line.strip().partition("=")
            if on_progress is None:
                continue
            if key == "out_time_us" and value.lstrip("-").isdigit():
                on_progress(min(max(int(value) / 1e6, 0.0), duration))
            elif key == "progress" and value == "end":
                on_progress(duration)
        rc = proc.wait()
        reader.join(timeout=5)
    except BaseException:
        proc.kill()
        proc.wait()
        reader.join(timeout=5)
        tmp.unlink(missing_ok=True)
        raise
    if rc != 0:
        tmp.unlink(missing_ok=True)
        tail = "\n".join(list(log)[-LOG_LINES:]) or "(no output)"
        raise MediaError(src, "ffmpeg-failed", f"ffmpeg exited with status {rc}; its last lines:\n{tail}")
    os.replace(tmp, dst)


def poster_frame(src, dst_jpg, at: float = 1.0, *, duration: float | None = None) -> Path:
    """One JPEG frame at ``at`` seconds (clamped into the clip), written atomically."""
    if duration is not None and at >= duration:
        at = max(0.0, duration / 2)
    out = (ffmpeg.input(str(src), ss=f"{at:.3f}")["v:0"]
           .output(str(dst_jpg), **{"frames:v": 1, "c:v": "mjpeg", "q:v": 3, "map_metadata": -1,
                                    "f": "image2", "update": 1}))
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-y", "-loglevel", "warning", "-progress", "pipe:1",
           "-nostats", *ffmpeg.get_args(out)]
    run(cmd, 0.0)
    if not Path(dst_jpg).stat().st_size:  # seeking past the last frame writes nothing
        Path(dst_jpg).unlink()
        raise MediaError(str(src), "ffmpeg-failed", f"no frame at {at:.2f} s for the poster")
    return Path(dst_jpg)


# --- the whole job ------------------------------------------------------------------------------

@dataclass(frozen=True)
class VideoResult:
    output: Path | None           # None: nothing written (see findings)
    poster: Path | None
    info: VideoInfo | None        # the output, re-probed
    findings: tuple[Finding, ...]
    source: VideoInfo | None = None

    @property
    def ok(self) -> bool:
        return self.output is not None

    def to_dict(self) -> dict:
        return {"output": str(self.output) if self.output else None,
                "poster": str(self.poster) if self.poster else None,
                "info": self.info.to_dict() if self.info else None,
                "source": self.source.to_dict() if self.source else None,
                "findings": [f.to_dict() for f in self.findings]}


def prepare_video(src, slot: Slot, out_path, *, fit: str = "pad", trim=None, allow_upscale: bool = False,
                  subtitles=None, overlay_png=None, loudness: bool = False,
                  on_progress: Progress | None = None, x264_preset: str = "medium",
                  recipe: str | None = None) -> VideoResult:
    """Probe, validate, fix and write one video for one slot; the poster goes beside it (.jpg).

    Raises MediaError("unreadable") for a source that is not a video (the batch turns it into a
    finding); an ffmpeg failure comes back as an "ffmpeg-failed" finding with no output."""
    geometry.check_fit(fit)
    info = probe(src)
    found = validate(info, slot)
    span = resolve_trim(trim, info, slot)
    limit = slot.max_duration
    length = (span[1] - span[0]) if span else info.duration
    if limit is not None and length > limit.value + 0.05:
        if span is not None:
            found.append(finding("video-too-long", f"the trimmed part is {length:.1f} s, still over the "
                                 f"{limit.value} s limit", slot=slot.id, section=limit.source))
        return VideoResult(None, None, None, tuple(found), info)
    if span is not None:
        found = [_note(f, f"trimmed to {span[0]:g}-{span[1]:g} s ({length:.1f} s)")
                 if f.code == "video-too-long" else f for f in found]
    if any(f.code == "video-too-small" and f.severity is Severity.ERROR for f in found):
        if not allow_upscale:
            return VideoResult(None, None, None, tuple(found), info)
    geo = plan_geometry(info, slot, fit, allow_upscale)
    if geo.upscaled:
        found = [f for f in found if f.code != "video-too-small"]
        found.append(finding("video-too-small", f"enlarged {geo.scale:.2f}x to {geo.frame[0]}x{geo.frame[1]} "
                             f"because --allow-upscale was given; it will look soft",
                             slot=slot.id, severity=Severity.WARNING,
                             section=slot.min_size.source if slot.min_size else slot.source))
    measured = None
    if loudness and info.has_audio:
        measured = _loudness.measure(ffmpeg_exe(), src, trim=span)
    out_path = Path(out_path)
    cmd = build_command(src, out_path, info, slot, fit=fit, trim=span, allow_upscale=allow_upscale,
                        subtitles=subtitles, overlay_png=overlay_png, loudness=measured,
                        x264_preset=x264_preset, recipe=recipe)
    try:
        run(cmd, length, on_progress)
    except MediaError as e:
        found.append(finding(e.code, e.problem, slot=slot.id))
        return VideoResult(None, None, None, tuple(found), info)
    out_info = probe(out_path)
    poster = poster_frame(out_path, out_path.with_suffix(".jpg"), at=min(1.0, out_info.duration / 2),
                          duration=out_info.duration)
    return VideoResult(out_path, poster, out_info, tuple(found), info)


def _note(f: Finding, text: str) -> Finding:
    """The finding, now fixed: info severity, with what was done."""
    return Finding(f.code, Severity.INFO, f"{f.message.split(';')[0]}; {text}", f.section, True, f.slot)
