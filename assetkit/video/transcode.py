"""Carry out a VideoPlan with ffmpeg: build the command (ffmpeg-python), run it, check the result.

Nothing is decided here: ``plan/video.make_video_plan`` chose the geometry, the rate, the colour
pipeline, copy or re-encode and whether anything is written at all. ``carry_out(plan)`` runs it:
loudness first pass (if the plan asks) -> command -> run (atomic) -> re-probe the output; the
poster comes out of the same ffmpeg run (a second output: ``thumbnail`` over frames sampled across
the clip, so it is a representative frame, tone-mapped like the video), or, for a stream copy,
from a decode-only run.

The encode, in filter order: deinterlace (bwdif, before anything scales the fields together) ->
scale to the picture size (ffmpeg autorotates on decode, so frames arrive upright; ``setsar=1``
makes pixels square) -> tone-map HDR to BT.709 SDR (zscale: linear light, BT.709 primaries, PQ;
a 1D LUT: the tone curve into the BT.709 transfer; zscale: the BT.709 matrix; after the scale, so a
4K source is tone-mapped at output size) -> pad / crop / blur to the frame -> subtitles, overlay -> yuv420p. H.264 High + AAC in MP4
with faststart, constant frame rate at the plan's rate, tagged BT.709. ``-map_metadata -1`` (global
and per stream) and ``-map_chapters -1`` plus mapping only the filtered video and the kept audio
track drop global tags, QuickTime ``mdta`` keys (location ISO6709) and Apple metadata tracks alike.
"""
from __future__ import annotations

import collections
import os
import subprocess
import threading
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import ffmpeg

from ..checks import Finding, finding
from ..errors import MediaError, UsageError
from ..fsutil import temp_path_for
from ..plan.reframe import expression
from ..plan.video import VideoPlan, make_video_plan, parse_trim, plan_geometry, resolve_trim  # noqa: F401
from .geometry import CUTS
from . import loudness as _loudness, subtitles as _subs
from .probe import VideoInfo, probe

if TYPE_CHECKING:
    from ..presets import Slot

FFMPEG_ENV = "ASSETKIT_FFMPEG"
LOG_LINES = 10
POSTER_SAMPLES = 10   # frames spread over the clip that ``thumbnail`` chooses the poster from
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


# --- the command --------------------------------------------------------------------------------

BASE_ARGS = ["-hide_banner", "-nostdin", "-y", "-loglevel", "warning", "-progress", "pipe:1", "-nostats"]


def command(plan: VideoPlan, *, overlay_png=None, loudness: _loudness.Loudness | None = None,
            exe: str | None = None, poster_to=None) -> list[str]:
    """The full ffmpeg argv for ``plan``; the last element is always the output path (``run``
    relies on it). ``poster_to``: a re-encode also writes the poster there (a second output of
    the same run: no second decode)."""
    if not plan.writes:
        raise ValueError("this plan writes nothing")
    exe = exe or ffmpeg_exe()
    dst = plan.output
    in_kw = {}
    if plan.trim is not None:
        # Input-side seek is frame-accurate when re-encoding and skips decoding the cut part.
        in_kw = {"ss": f"{plan.trim[0]:.3f}", "t": f"{plan.trim[1] - plan.trim[0]:.3f}"}
    src_in = ffmpeg.input(plan.source, **in_kw)
    strip = {"map_metadata": -1, "map_metadata:s:v": -1, "map_metadata:s:a": -1, "map_chapters": -1}
    out_kw: dict = {}
    if plan.recipe:  # lets a re-run recognise an up-to-date output (the only metadata written)
        out_kw["metadata"] = f"comment=assetkit-recipe:{plan.recipe}"
    if plan.copy:
        streams = [src_in[str(plan.video_index)]]
        if plan.audio:
            streams.append(src_in[str(plan.audio_index)])
        out = ffmpeg.output(*streams, dst, **{"c": "copy", **out_kw, **strip, "movflags": "+faststart",
                                              "f": "mp4"})
        args = ffmpeg.get_args(out)
        return [exe, *BASE_ARGS, *args]

    v = src_in[str(plan.video_index)]
    if plan.deinterlace:
        # One frame per frame (send_frame): the output keeps the source's frame rate, as the plan says.
        v = v.filter("bwdif", mode="send_frame", parity="auto", deint="all")
        # and the frames say so: a later scale (ours, or one ffmpeg inserts) that still saw the
        # interlaced flag would scale each field on its own and comb the picture again
        v = v.filter("setparams", field_mode="prog")
    v = _fit(v, plan)
    W, H = plan.frame
    if plan.subtitles is not None:
        if not Path(plan.subtitles).is_file():
            raise UsageError(f"subtitles file {plan.subtitles} does not exist")
        if _subs.has_libass(exe):
            v = v.filter("subtitles", filename=str(plan.subtitles), charenc="UTF-8")
        else:
            for png, cue in _subs.render_cues(_subs.parse_srt(plan.subtitles), (W, H)):
                v = ffmpeg.overlay(v, ffmpeg.input(str(png))["v:0"], x=0, y=0,
                                   enable=f"between(t,{cue.start:.3f},{cue.end:.3f})")
    if overlay_png is not None:
        if not Path(overlay_png).is_file():
            raise UsageError(f"overlay image {overlay_png} does not exist")
        # A still input ends after one frame; overlay's default eof_action=repeat keeps it on.
        logo = ffmpeg.input(str(overlay_png))["v:0"].filter("scale", W, H)
        v = ffmpeg.overlay(v, logo, x=0, y=0)
    # tag every frame BT.709 (the pictures are BT.709 by now), so ffmpeg inserts no conversion of its own
    v = v.filter("setparams", color_primaries="bt709", color_trc="bt709", colorspace="bt709", range="tv")
    v = v.filter("format", "yuv420p")
    outputs = []
    if poster_to is not None:
        parts = v.filter_multi_output("split")
        v = parts[0]
        outputs.append(_poster_output(parts[1], poster_to, plan.duration * plan.fps))
    streams = [v]
    if plan.audio:
        a = src_in[str(plan.audio_index)]
        if loudness is not None:
            a = a.filter("loudnorm", **loudness.filter_kwargs())
        if loudness is not None or plan.audio_rate:
            # loudnorm works at 192 kHz internally; bring it back to a rate AAC players expect.
            a = a.filter("aresample", plan.audio_rate or 48000)
        streams.append(a)
        out_kw.update({"c:a": "aac", "b:a": plan.audio_bitrate})
        if plan.audio_channels:
            out_kw["ac"] = plan.audio_channels
    outputs.append(ffmpeg.output(
        *streams, dst,
        **{"c:v": "libx264", "profile:v": plan.profile, "preset": plan.x264_preset, "crf": plan.crf,
           "pix_fmt": plan.pix_fmt, "fps_mode": "cfr", "r": plan.frame_rate,
           "color_primaries": "bt709", "color_trc": "bt709", "colorspace": "bt709",
           **out_kw, **strip, "movflags": "+faststart", "f": "mp4"},
    ))
    args = ffmpeg.get_args(ffmpeg.merge_outputs(*outputs))
    assert args[-1] == dst
    return [exe, *BASE_ARGS, *args]


def _poster_output(v, dst, frames: float):
    """A representative frame: ``thumbnail`` (the frame nearest the average histogram, so not a
    black frame, a fade or a flash) over POSTER_SAMPLES frames spread across the clip. JPEG means
    full range and the BT.601 matrix, so the frame is converted, not just relabelled."""
    every = max(1, int(frames // POSTER_SAMPLES))
    v = (v.filter("framestep", step=every).filter("thumbnail", n=POSTER_SAMPLES)
         .filter("scale", out_color_matrix="bt601", out_range="full").filter("format", "yuvj420p"))
    return ffmpeg.output(v, str(dst), **{"frames:v": 1, "c:v": "mjpeg", "q:v": 3, "f": "image2",
                                         "update": 1, "fps_mode": "passthrough"})


def _fit(v, plan: VideoPlan):
    W, H = plan.frame
    pw, ph = plan.picture
    x, y = plan.offset

    def picture(s, w, h):
        if plan.tonemap:
            return _tonemap(s.filter("scale", w, h).filter("setsar", 1), plan)
        # SD sources (BT.601, or untagged, which swscale reads as BT.601) get the BT.709 matrix
        # the output is tagged with: converted in the same scale pass, not just relabelled
        return s.filter("scale", w, h, out_color_matrix="bt709", out_range="tv").filter("setsar", 1)

    if plan.picture == plan.frame:  # already the slot's aspect: nothing to pad, crop or blur
        return picture(v, W, H)
    if plan.fit == "pad":
        return picture(v, pw, ph).filter("pad", W, H, x, y, color="black")
    if plan.fit in CUTS:
        if len(plan.windows) > 1:
            # the window moves at each cut (plan/reframe): x and y are evaluated per frame
            half = 0.5 / plan.fps if plan.fps else 0.0
            return picture(v, pw, ph).filter("crop", W, H, expression(plan.windows, 1, half),
                                             expression(plan.windows, 2, half))
        return picture(v, pw, ph).filter("crop", W, H, x, y)
    # blur: the background is the picture scaled to cover, blurred at quarter size (4x cheaper,
    # and a blur that strong shows no difference), scaled back up under the sharp foreground.
    bw, bh = max(2, W // 8 * 2), max(2, H // 8 * 2)
    cover = max(bw / pw, bh / ph)
    sw, sh = max(bw, round(pw * cover / 2) * 2), max(bh, round(ph * cover / 2) * 2)
    parts = picture(v, pw, ph).filter_multi_output("split")
    bg = (parts[0].filter("scale", sw, sh).filter("crop", bw, bh).filter("gblur", sigma=max(2, bh // 20))
          .filter("scale", W, H).filter("setsar", 1))
    return ffmpeg.overlay(bg, parts[1], x=x, y=y)


# The tone map (image/hdr.py holds the numbers, shared with HDR photos): 1.0 = BT.2408's reference
# (diffuse) white, 203 nits, which is where SDR white belongs; highlights above 80% of it rolled off
# by Mobius up to a 1000-nit peak (what HDR10 is mostly mastered to, and HLG's nominal peak).
# Applied per channel by a 1D LUT on the PQ-coded, already BT.709-primaried picture: against the
# SDR masters (benchmarks/bench_video.py) that scores VMAF 89 (PQ) and 82 (HLG) where ffmpeg's
# ``tonemap`` filter on float linear light (max-RGB Mobius, the previous path) scored 82 and 66, at
# about half the filter CPU (16-bit integer planes and a table instead of float math per pixel).


def tone_lut_path() -> str:
    """The tone map's .cube, written once per machine (named by its content, replaced atomically)."""
    import hashlib
    import tempfile

    from ..image.hdr import video_lut

    text = video_lut()
    path = Path(tempfile.gettempdir()) / f"assetkit-tonemap-{hashlib.sha1(text.encode()).hexdigest()[:12]}.cube"
    if not path.is_file():
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_text(text)
        os.replace(tmp, path)
    return str(path)


def _tonemap(v, plan: VideoPlan):
    """HDR (PQ, HLG) or BT.2020 -> BT.709 SDR with zimg (zscale) and a 1D LUT.

    libplacebo would be the best the bundled build offers, but it needs a Vulkan device, which a
    server or CI runner does not have; zscale and lut1d run on any CPU. The source is read with
    its own transfer, primaries and matrix (probed; untagged HDR is read as what phones write:
    BT.2020 PQ) and zscale converts it, through linear light, to BT.709 primaries written as PQ
    with SDR white at 203 nits (npl) in 16-bit RGB; the LUT tone-maps each channel (linear below the
    knee, a smooth roll-off above it, so mid-tones and skin keep their level) into the BT.709
    transfer; zscale then applies the BT.709 matrix in limited range. BT.2020 SDR ("gamut") only
    changes primaries, in linear light."""
    prim, trc, matrix = plan.source_colour
    kind = plan.tonemap
    tin = trc or {"hlg": "arib-std-b67", "gamut": "bt2020-10"}.get(kind, "smpte2084")
    prim = prim or "bt2020"
    src = dict(tin=tin, pin=prim, min=matrix or "bt2020nc", rin="tv", p="bt709", npl=203)
    if kind == "gamut":
        v = v.filter("zscale", t="linear", **src).filter("format", "gbrpf32le")
        return v.filter("zscale", t="bt709", m="bt709", r="tv").filter("format", "yuv420p")
    v = v.filter("zscale", t="smpte2084", **src).filter("format", "gbrp16le")
    v = v.filter("lut1d", file=tone_lut_path(), interp="linear")
    # the pictures are BT.709-coded now: zscale changes only the matrix (RGB -> limited-range YUV)
    v = v.filter("setparams", color_trc="bt709", color_primaries="bt709")
    v = v.filter("zscale", tin="bt709", t="bt709", pin="bt709", p="bt709", m="bt709", r="tv")
    return v.filter("format", "yuv420p")


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
    run([ffmpeg_exe(), *BASE_ARGS, *ffmpeg.get_args(out)], 0.0)
    if not Path(dst_jpg).stat().st_size:  # seeking past the last frame writes nothing
        Path(dst_jpg).unlink()
        raise MediaError(str(src), "ffmpeg-failed", f"no frame at {at:.2f} s for the poster")
    return Path(dst_jpg)


def representative_poster(src, dst_jpg, *, frames: float) -> Path:
    """The poster of a clip that was not re-encoded: a decode-only run choosing like the encode does."""
    out = _poster_output(ffmpeg.input(str(src))["v:0"], str(dst_jpg), frames)
    run([ffmpeg_exe(), *BASE_ARGS, *ffmpeg.get_args(out)], 0.0)
    return Path(dst_jpg)


# --- the whole job ------------------------------------------------------------------------------

@dataclass(frozen=True)
class VideoResult:
    output: Path | None           # None: nothing written (see findings)
    poster: Path | None
    info: VideoInfo | None        # the output, re-probed
    findings: tuple[Finding, ...]
    source: VideoInfo | None = None
    plan: VideoPlan | None = None

    @property
    def ok(self) -> bool:
        return self.output is not None

    def to_dict(self) -> dict:
        return {"output": str(self.output) if self.output else None,
                "poster": str(self.poster) if self.poster else None,
                "info": self.info.to_dict() if self.info else None,
                "source": self.source.to_dict() if self.source else None,
                "findings": [f.to_dict() for f in self.findings]}


def carry_out(plan: VideoPlan, *, overlay_png=None, on_progress: Progress | None = None,
              source: VideoInfo | None = None) -> VideoResult:
    """Write what ``plan`` says: the video (atomically) and its poster beside it. An ffmpeg
    failure comes back as an "ffmpeg-failed" finding with no output."""
    found = list(plan.findings)
    if not plan.writes:
        return VideoResult(None, None, None, tuple(found), source, plan)
    exe = ffmpeg_exe()
    out_path, poster = Path(plan.output), Path(plan.poster) if plan.poster else None
    poster_tmp = temp_path_for(poster) if poster is not None and not plan.copy else None
    try:
        measured = _loudness.measure(exe, plan.source, trim=plan.trim) if plan.loudness else None
        cmd = command(plan, overlay_png=overlay_png, loudness=measured, exe=exe, poster_to=poster_tmp)
        run(cmd, plan.duration, on_progress)
        if poster is not None:
            if poster_tmp is not None and poster_tmp.is_file() and poster_tmp.stat().st_size:
                os.replace(poster_tmp, poster)
            else:  # a stream copy (or a clip too short to sample): choose from the output itself
                representative_poster(out_path, poster, frames=plan.duration * plan.fps)
    except MediaError as e:
        found.append(finding(e.code, e.problem, slot=plan.slot))
        return VideoResult(None, None, None, tuple(found), source, plan)
    finally:
        if poster_tmp is not None:
            poster_tmp.unlink(missing_ok=True)
    return VideoResult(out_path, poster, probe(out_path), tuple(found), source, plan)


def prepare_video(src, slot: Slot, out_path, *, fit: str | None = None, trim=None, allow_upscale: bool = False,
                  subtitles=None, overlay_png=None, loudness: bool = False,
                  on_progress: Progress | None = None, x264_preset: str = "medium",
                  recipe: str | None = None, focus: tuple[float, float] | None = None) -> VideoResult:
    """The library's one-clip call: probe, plan and carry out one video for one slot.

    ``fit``: pad | crop | blur | smart; None: the slot's default (``plan/video.default_fit``).
    ``focus``: with a cutting fit, the window is centred there (fractions of the picture).

    Raises MediaError("unreadable") for a source that is not a video (the batch turns it into a
    finding)."""
    info = probe(src)
    plan = _plan(info, slot, out_path, fit=fit, trim=trim, allow_upscale=allow_upscale, subtitles=subtitles,
                 overlay_png=overlay_png, loudness=loudness, x264_preset=x264_preset, recipe=recipe, focus=focus)
    return carry_out(plan, overlay_png=overlay_png, on_progress=on_progress, source=info)


def build_command(src, dst, info: VideoInfo, slot: Slot, *, fit: str | None = "pad", trim=None,
                  allow_upscale: bool = False, subtitles=None, overlay_png=None,
                  loudness: _loudness.Loudness | None = None, x264_preset: str = "medium",
                  recipe: str | None = None) -> list[str]:
    """The ffmpeg argv for one clip and slot (the plan's command), e.g. for a benchmark to run as is."""
    plan = _plan(info, slot, dst, fit=fit, trim=trim, allow_upscale=allow_upscale, subtitles=subtitles,
                 overlay_png=overlay_png, loudness=False, x264_preset=x264_preset, recipe=recipe)
    return command(plan, overlay_png=overlay_png, loudness=loudness)


def _plan(info, slot, out_path, *, fit, trim, allow_upscale, subtitles, overlay_png, loudness, x264_preset,
          recipe, focus=None) -> VideoPlan:
    from dataclasses import replace

    from ..options import Options
    from . import reframe

    opts = Options(fit=fit, allow_upscale=allow_upscale, subtitles=str(subtitles) if subtitles else None,
                   loudness=bool(loudness), focus=focus)
    kw = dict(out=out_path, trim=trim, x264_preset=x264_preset,
              overlay={"png": str(overlay_png)} if overlay_png else None)
    plan = make_video_plan(info, slot, opts, **kw)
    span = reframe.motion_span(info, [plan])
    if span is not None:  # follows the subject: the shots are analysed, then planned again with them
        plan = make_video_plan(info, slot, opts, motion=reframe.sample(info, span), **kw)
    return replace(plan, recipe=recipe or "")
