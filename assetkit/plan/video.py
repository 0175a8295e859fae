"""(VideoInfo, slot, options, overlay) -> VideoPlan: everything that will be done to one clip for one slot.

A VideoPlan is plain, frozen data decided before ffmpeg runs: the findings (validation runs once,
here), the trim span (parsed once, here), the geometry (fit, frame, picture), the frame rate, the
encode settings (or a stream copy), the colour pipeline, deinterlacing, the output and poster
paths, whether anything is written at all, and a one-line ``summary``. ``check``, ``--dry-run`` and
``prepare`` all come through ``make_video_plan``, so they agree about every clip; ``video/transcode``
only carries a plan out and never decides anything of its own.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

from ..checks import Finding, Severity, finding
from ..errors import UsageError
from ..video import geometry
from ..video.validate import validate
from .paths import output_path_for, recipe_hash  # one naming and one recipe rule for photos and videos
from .reframe import Motion, reframe, window_at_focus

if TYPE_CHECKING:  # types only: a plan is built from values, never from preset files
    from ..options import Options
    from ..presets import Slot
    from ..video.probe import VideoInfo

STANDARD_RATES = [Fraction(24000, 1001), Fraction(24), Fraction(25), Fraction(30000, 1001),
                  Fraction(30), Fraction(50), Fraction(60000, 1001), Fraction(60)]
DURATION_SLACK = 0.05      # s: container rounding, not a real overrun
CRF = 20                   # x264 quality: visually transparent for phone footage at social sizes
AUDIO_BITRATE = "160k"     # AAC stereo: transparent for speech and music on a phone speaker
AUDIO_RATES = (44100, 48000)
COPY_VIDEO = ("h264",)     # what plays everywhere and can be remuxed untouched
COPY_AUDIO = ("aac",)
# containers whose H.264/AAC streams go into MP4 untouched: QuickTime .mov is the same ISO box
# structure with a different brand (what cameras and older iPhones write), so a remux is all it needs
COPY_CONTAINERS = ("mp4", "mov")
TONEMAP = {"pq": "HDR10 (PQ)", "hlg": "HLG", "hdr": "HDR", "gamut": "BT.2020"}


@dataclass(frozen=True)
class VideoPlan:
    source: str
    slot: str
    output: str | None                  # None: nothing is written (an error finding says why)
    poster: str | None
    findings: tuple[Finding, ...]
    summary: str
    duration: float = 0.0               # of the output, s
    trim: tuple[float, float] | None = None
    fit: str = "pad"
    frame: tuple[int, int] = (0, 0)     # output size
    picture: tuple[int, int] = (0, 0)   # the scaled source inside (pad/blur) or under (crop) the frame
    offset: tuple[int, int] = (0, 0)   # pad/blur: where the picture sits; crop/smart: the (first) window
    # smart: the window follows the subject shot by shot; (from output second, x, y) per move, the
    # first at 0 (plan/reframe). ``follow``: this plan wants the clip's shots analysed (a Motion).
    follow: bool = False
    windows: tuple[tuple[float, int, int], ...] = ()
    reframe: str = ""                   # "reframed on faces, 3 shots" | "focus point (0.30, 0.50) given" | ...
    scale: float = 1.0
    upscale: bool = False
    frame_rate: str = ""                # exact, e.g. "30000/1001"
    fps: float = 0.0
    copy: bool = False                  # remux with stream copy: nothing to change in the pictures
    video_codec: str = "libx264"        # "copy" when copy
    profile: str = "high"
    crf: int = CRF
    x264_preset: str = "medium"
    pix_fmt: str = "yuv420p"
    video_index: int = 0
    audio: str | None = None            # "aac" | "copy" | None (no audio)
    audio_index: int | None = None
    audio_bitrate: str = AUDIO_BITRATE
    audio_channels: int | None = None   # None: keep the source's
    audio_rate: int | None = None       # None: keep the source's
    colour: str = "bt709"               # what the output is tagged
    tonemap: str | None = None          # "pq" | "hlg" | "hdr" | "gamut": convert to BT.709 SDR from this
    source_colour: tuple[str, str, str] = ("", "", "")   # primaries, transfer, matrix as probed
    deinterlace: str | None = None      # "bwdif" (field order from the stream) or None
    loudness: bool = False
    subtitles: str | None = None
    overlay: dict | None = None         # credit line and logo to draw (video/job renders the PNG)
    recipe: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def writes(self) -> bool:
        return self.output is not None

    @property
    def rate(self) -> Fraction:
        return Fraction(self.frame_rate) if self.frame_rate else Fraction(0)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["findings"] = [f.to_dict() for f in self.findings]
        d["kind"] = "video"
        d["out_size"] = list(self.frame)
        d["format"] = "mp4"
        return d


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


# --- choices ------------------------------------------------------------------------------------

def default_fit(slot: Slot, display: tuple[int, int] | None = None, crop: str = "smart") -> str:
    """Pad (bars) keeps the whole picture: the safe default for 16:9 slots. A wider clip going into a
    vertical or square slot (a landscape clip for instagram/story) would be a strip between bars:
    it is cut, following the subject shot by shot (``smart``), as a slot without a fixed aspect
    cuts what is taller than it plays (instagram/video: 4:5). ``crop="centre"`` (--crop centre)
    cuts the centre instead."""
    cut = "smart" if crop == "smart" else "crop"
    if slot.aspect is None:
        return cut
    aw, ah = slot.aspect.width, slot.aspect.height
    if display is not None and ah >= aw and display[0] * ah > display[1] * aw:
        return cut
    return "pad"


def standard_frames(slot: Slot) -> tuple[tuple[int, int], ...]:
    """The frame sizes the slot names (min, preferred, max) that have its aspect, smallest first."""
    if slot.aspect is None:
        return ()
    a = slot.aspect
    sizes = {(d.width, d.height) for d in (slot.min_size, slot.preferred_size, slot.max_size)
             if d is not None and d.width * a.height == d.height * a.width}
    return tuple(sorted(sizes))


def plan_geometry(info: VideoInfo, slot: Slot, fit: str = "pad", allow_upscale: bool = False) -> geometry.Geometry:
    size = lambda d: (d.width, d.height) if d is not None else None  # noqa: E731
    return geometry.plan(info.display_size, aspect=size(slot.aspect), fit=fit, max_size=size(slot.max_size),
                         min_size=size(slot.min_size), allow_upscale=allow_upscale,
                         standard=standard_frames(slot))


def source_rate(info: VideoInfo) -> Fraction:
    """The rate the clip means to play at. Variable-rate phone clips aim at their nominal rate
    (r_frame_rate: 30 for an Android clip averaging 26), not at a truncated average; a nominal rate
    that is only the container's time base (1000 for a 1 ms clock) is not a rate, so the average
    stands then."""
    avg = info.frame_rate if info.frame_rate > 0 else Fraction(0)
    nominal = info.nominal_rate if info.nominal_rate > 0 else Fraction(0)
    rate = avg
    if info.variable_frame_rate and nominal and (not avg or nominal <= 2 * avg):
        rate = nominal
    if not rate:
        rate = nominal or Fraction(30)
    std = min(STANDARD_RATES, key=lambda r: abs(rate - r))
    if rate.denominator == 1 or rate == std or abs(rate - std) / std >= Fraction(2, 100):
        return rate.limit_denominator(1001)  # a whole or unusual rate (25, 1, 12.5) stays
    return std  # a phone's 29.87 average snaps to 30000/1001 (within 2%)


def can_copy(info: VideoInfo, slot: Slot, geo: geometry.Geometry, rate: Fraction, opts: Options,
             span, overlay) -> bool:
    """Nothing in the pictures or the sound needs to change: remux, don't re-encode."""
    if slot.codecs is not None and slot.codecs.container != "mp4":
        return False
    if info.container not in COPY_CONTAINERS or info.video_codec not in COPY_VIDEO or info.pix_fmt != "yuv420p":
        return False
    if info.has_audio and info.audio_codec not in COPY_AUDIO:
        return False
    if info.has_audio and (info.audio_channels or 0) > 2:
        return False
    if geo.frame != info.display_size or geo.picture != geo.frame or info.sar != 1 or info.rotated:
        return False
    if info.variable_frame_rate or info.interlaced or info.needs_tonemap or rate != source_rate(info):
        return False
    if info.color_transfer not in ("", "bt709", "smpte170m", "bt470bg") or info.bit_depth != 8:
        return False
    if span is not None or overlay or opts.subtitles or opts.loudness:
        return False
    if slot.max_bytes and info.bit_rate and info.bit_rate * info.duration / 8 > slot.max_bytes.value:
        return False
    return True


# --- the plan -----------------------------------------------------------------------------------

def make_video_plan(info: VideoInfo, slot: Slot, options: Options, *, rel_stem: str | None = None,
                    out: str | Path | None = None, source_stat: tuple[int, int] = (0, 0),
                    recipe_extra=None, overlay: dict | None = None, x264_preset: str = "medium",
                    trim=None, motion: Motion | None = None) -> VideoPlan:
    """Decide everything about one (clip, slot) pair. Pure: no file access, no ffmpeg.

    ``out``: the output path (else ``options.out_dir`` + ``rel_stem``, as for photos). ``trim``:
    overrides ``options.trim`` (a parsed span or text; the library's ``prepare_video`` passes one).
    ``overlay``: {"credit": text or None, "logo": path or None, ...}, drawn on every frame.
    ``motion``: the clip's shots and what they show (``video/reframe.sample``), for a plan that
    follows the subject (``plan.follow``; without it the window stays in the centre).
    """
    sid = slot.id
    name = Path(info.path).name
    if not slot.takes("video"):
        return _nothing(info, slot, [finding("unsupported", f"a video; {sid} takes pictures only",
                                             slot=sid)], "no output: not a video slot")
    fit = geometry.check_fit(options.fit or default_fit(slot, info.display_size, options.crop))
    found = validate(info, slot)
    raw_trim = trim if trim is not None else options.trim
    span = resolve_trim(raw_trim, info, slot)
    length = (span[1] - span[0]) if span else info.duration
    limit = slot.max_duration
    if limit is not None and length > limit.value + DURATION_SLACK:
        if span is not None:
            found.append(finding("video-too-long", f"the trimmed part is {length:.1f} s, still over the "
                                 f"{limit.value} s limit", slot=sid, section=limit.source))
        return _nothing(info, slot, found, f"no output: {info.duration:.1f} s is over the {limit.value} s limit"
                        + ("" if span else " (--trim fixes it)"), span=span, fit=fit)
    if span is not None:
        found = [_fixed(f, f"trimmed to {span[0]:g}-{span[1]:g} s ({length:.1f} s)")
                 if f.code == "video-too-long" else f for f in found]
    if any(f.code == "video-too-small" and f.severity is Severity.ERROR for f in found) and not options.allow_upscale:
        dw, dh = info.display_size
        return _nothing(info, slot, found, f"no output: {dw}x{dh} is below {slot.min_size} "
                        "(--allow-upscale enlarges it)", span=span, fit=fit)
    geo = plan_geometry(info, slot, fit, options.allow_upscale)
    if geo.upscaled:
        found = [f for f in found if f.code != "video-too-small"]
        found.append(finding("video-too-small", f"enlarged {geo.scale:.2f}x to {geo.frame[0]}x{geo.frame[1]} "
                             f"because --allow-upscale was given; it will look soft", slot=sid,
                             severity=Severity.WARNING,
                             section=slot.min_size.source if slot.min_size else slot.source))

    offset, follow, windows, how = geo.offset, False, (), ""
    if geo.fit in geometry.CUTS and geo.picture != geo.frame:
        if options.focus is not None:   # --focus wins over the centre and over following the subject
            offset = window_at_focus(geo.picture, geo.frame, tuple(options.focus))
            how = f"crop at the focus point ({options.focus[0]:.2f}, {options.focus[1]:.2f})"
        elif geo.fit == "smart":
            follow = True
            if motion is not None:
                r = reframe(motion, geo.picture, geo.frame, span)
                windows, how = r.windows, r.summary
                offset = windows[0][1:]
            else:
                how = "crop centred (the shots are analysed when prepared)"

    rate = source_rate(info)
    cap = slot.max_frame_rate
    if cap is not None and rate > cap.value:
        found.append(finding("video-frame-rate", f"{float(rate):g} fps is more than {sid} plays; written at "
                             f"{cap.value:g} fps", slot=sid, section=cap.source))
        rate = Fraction(cap.value).limit_denominator(1001)

    tonemap = None
    if info.needs_tonemap:
        tonemap = info.hdr or "gamut"
        what = TONEMAP[tonemap]
        found.append(finding("video-hdr", f"{what}, {info.bit_depth}-bit ({info.color_primaries or 'untagged'} / "
                             f"{info.color_transfer or 'untagged'}); converted to BT.709 SDR, which every "
                             f"platform plays as shot", slot=sid, section=slot.source))
    deinterlace = None
    if info.interlaced:
        deinterlace = "bwdif"
        how = (f"field order {info.field_order}" if info.field_order in ("tt", "bb", "tb", "bt")
               else f"the pictures are two fields (idet), though the stream says {info.field_order}")
        found.append(finding("video-interlaced", f"interlaced ({how}); deinterlaced (bwdif) to "
                             f"{float(rate):g} fps progressive", slot=sid, section=slot.source))

    audio = audio_channels = audio_rate = None
    if info.has_audio:
        kept = next((t for t in info.audio_tracks if t.index == info.audio_index), None)
        if len(info.audio_tracks) > 1 and kept is not None:
            others = [t for t in info.audio_tracks if t.index != kept.index]
            found.append(finding("video-audio-tracks", f"{len(info.audio_tracks)} audio tracks; keeps "
                                 f"{'the default' if kept.default else 'the first'} (#{kept.index}: {kept.label()}), "
                                 f"leaves out {', '.join(f'#{t.index}: {t.label()}' for t in others)}",
                                 slot=sid, section=slot.source))
        audio = "aac"
        if (info.audio_channels or 0) > 2:
            audio_channels = 2   # 5.1 AAC does not play on every phone: stereo downmix
        if info.audio_sample_rate not in AUDIO_RATES:
            audio_rate = 48000

    copy = can_copy(info, slot, geo, rate, options, span, overlay)
    if copy:
        audio = "copy" if info.has_audio else None
    out_path = Path(out) if out is not None else _output_path(options, slot, rel_stem or Path(info.path).stem)
    recipe = recipe_hash(rel_stem or name, source_stat, slot, options, {**(recipe_extra or {}), "x264": x264_preset})
    plan = VideoPlan(
        source=info.path, slot=sid, output=str(out_path), poster=str(out_path.with_suffix(".jpg")),
        findings=tuple(found), summary="", duration=round(length, 3), trim=span, fit=geo.fit,
        frame=geo.frame, picture=geo.picture, offset=offset, follow=follow, windows=windows, reframe=how,
        scale=round(geo.scale, 4), upscale=geo.upscaled,
        frame_rate=f"{rate.numerator}/{rate.denominator}", fps=round(float(rate), 3), copy=copy,
        video_codec="copy" if copy else "libx264", x264_preset=x264_preset, video_index=info.video_index,
        audio=audio, audio_index=info.audio_index if info.has_audio else None,
        audio_channels=audio_channels, audio_rate=audio_rate, tonemap=tonemap,
        source_colour=(info.color_primaries, info.color_transfer, info.color_matrix),
        deinterlace=deinterlace, loudness=bool(options.loudness and info.has_audio and not copy),
        subtitles=options.subtitles, overlay=overlay or None, recipe=recipe,
    )
    return _with_summary(plan, info)


def _with_summary(plan: VideoPlan, info: VideoInfo) -> VideoPlan:
    from dataclasses import replace

    W, H = plan.frame
    bits = [f"{W}x{H} H.264/{'AAC' if plan.audio else 'no audio'} MP4"]
    if plan.copy:
        into = " from MOV into MP4" if info.container == "mov" else ""
        bits.append(f"stream copy (already fits: remuxed{into}, metadata stripped)")
    else:
        if plan.picture != plan.frame:
            bits.append(plan.reframe or plan.fit)
        elif info.display_size != plan.frame:
            bits.append(f"scaled from {info.display_width}x{info.display_height}")
        if plan.trim:
            bits.append(f"trim {plan.trim[0]:g}-{plan.trim[1]:g} s")
        bits.append(f"{plan.fps:g} fps")
        if plan.tonemap:
            bits.append(f"tone-mapped from {TONEMAP[plan.tonemap]}")
        if plan.deinterlace:
            bits.append("deinterlaced")
        bits.append(f"x264 crf {plan.crf} {plan.x264_preset}")
    return replace(plan, summary=", ".join(bits))


def _nothing(info: VideoInfo, slot: Slot, found, why: str, *, span=None, fit: str = "pad") -> VideoPlan:
    return VideoPlan(source=info.path, slot=slot.id, output=None, poster=None, findings=tuple(found),
                     summary=why, duration=round(info.duration, 3), trim=span, fit=fit)


def _fixed(f: Finding, text: str) -> Finding:
    """The finding, now fixed: info severity, with what was done."""
    return Finding(f.code, Severity.INFO, f"{f.message.split(';')[0]}; {text}", f.section, True, f.slot)


def _output_path(options: Options, slot: Slot, rel_stem: str) -> Path:
    return output_path_for(options.out_dir, slot, rel_stem, ".mp4", options.flat)
