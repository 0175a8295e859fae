"""VideoInfo + Slot -> Findings. Pure: no file access, so ``check`` and ``prepare`` agree.

Severity choices:
- ``video-too-long`` is an error: the platform refuses the upload; only ``--trim`` fixes it.
- ``video-too-small`` below the slot's min_size is an error, the same reading as the photo rule
  ``too-small``: YouTube asks for "at least 1280x720", and meeting it means enlarging, which
  assetkit never does silently; ``prepare --allow-upscale`` enlarges and turns it into a warning.
  Below preferred_size (but above the minimum) it is info: "Full HD or 4K preferred" is advice.
- aspect, codec, rotation, variable frame rate and location are warnings that ``prepare`` fixes.
"""
from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING

from ..checks import Code, Finding, Severity, finding, register

if TYPE_CHECKING:  # the engine never reads presets: it is handed Slot values
    from ..presets import Slot
    from .probe import VideoInfo

PRIVACY = "SECURITY AND PRIVACY"
ASPECT_TOLERANCE = 0.01  # 1%: 854x480 counts as 16:9

for _c in [
    Code("video-too-long", Severity.ERROR, "", False,
         "longer than the slot allows; prepare writes nothing unless --trim is given"),
    Code("video-too-small", Severity.ERROR, "", False,
         "the picture is smaller than the slot's minimum (error) or preferred (info) size", review=True),
    Code("video-aspect", Severity.WARNING, "", True,
         "not the slot's aspect ratio; prepare pads, crops (centred or following the subject) or blurs it to fit (--fit)"),
    Code("video-codec", Severity.WARNING, "", True,
         "not the container/codecs the slot needs; prepare re-encodes to H.264/AAC in MP4"),
    Code("video-rotation", Severity.WARNING, "", True,
         "the picture is stored sideways with a rotation flag some players ignore; prepare bakes it in"),
    Code("video-vfr", Severity.WARNING, "", True,
         "variable frame rate (phones do this) makes some players and editors drift; prepare writes a constant rate"),
    Code("ffmpeg-failed", Severity.ERROR, "", False,
         "ffmpeg could not produce the output; the message ends with the last lines of its log"),
]:
    register(_c)


def validate(info: VideoInfo, slot: Slot) -> list[Finding]:
    """Everything about ``info`` that matters for ``slot``, in a stable order."""
    sid = slot.id
    out: list[Finding] = []
    limit = slot.max_duration
    if limit is not None and info.duration > limit.value + 0.05:  # 50 ms: container rounding
        over = info.duration - limit.value
        out.append(finding("video-too-long",
                           f"{info.duration:.1f} s is {over:.1f} s over the {limit.value} s limit; "
                           f"use --trim START-END or --trim auto (first {limit.value} s)",
                           slot=sid, section=limit.source))
    dw, dh = info.display_size
    # Sizes compare long side with long side: a portrait 1080x1920 clip has Full HD resolution,
    # and how it fills a landscape frame is the aspect check's business.
    if slot.min_size is not None and _below((dw, dh), slot.min_size):
        out.append(finding("video-too-small",
                           f"{dw}x{dh} is below the {slot.min_size} minimum; enlarging would only "
                           f"blur it (--allow-upscale does it anyway)",
                           slot=sid, section=slot.min_size.source))
    elif slot.preferred_size is not None and _below((dw, dh), slot.preferred_size):
        out.append(finding("video-too-small",
                           f"{dw}x{dh}: Full HD ({slot.preferred_size}) or 4K preferred",
                           slot=sid, severity=Severity.INFO, section=slot.preferred_size.source))
    if slot.aspect is not None:
        want = Fraction(slot.aspect.width, slot.aspect.height)
        have = dw / dh
        if abs(have - float(want)) / float(want) > ASPECT_TOLERANCE:
            out.append(finding("video-aspect",
                               f"{dw}x{dh} ({_ratio(dw, dh)}) is not {slot.aspect.width}:{slot.aspect.height}; "
                               f"prepare fits it with --fit pad (bars), crop (centre), smart (a window "
                               f"following the subject) or blur (blurred fill)",
                               slot=sid, section=slot.aspect.source))
    if slot.codecs is not None:
        want = (slot.codecs.container, slot.codecs.video, slot.codecs.audio if info.has_audio else None)
        have = (info.container, info.video_codec, info.audio_codec)
        if want != have:
            have_s = f"{info.video_codec}/{info.audio_codec or 'no audio'} in {info.container}"
            out.append(finding("video-codec",
                               f"{have_s}; the slot needs {slot.codecs.video}/{slot.codecs.audio} in "
                               f"{slot.codecs.container}, prepare re-encodes",
                               slot=sid, section=slot.codecs.source))
    if info.rotated:
        out.append(finding("video-rotation",
                           f"stored {info.width}x{info.height} with a {info.rotation} degree rotation flag; "
                           f"prepare writes it upright ({dw}x{dh})",
                           slot=sid, section=slot.source))
    if info.variable_frame_rate:
        out.append(finding("video-vfr",
                           f"variable frame rate (presentation times vary; average {float(info.frame_rate):.3f} "
                           f"fps, nominal {float(info.nominal_rate):g}); prepare writes a constant rate at "
                           f"the nominal rate, sound kept in sync", slot=sid, section=slot.source))
    if info.has_location:
        keys = ", ".join(k for k, _ in info.location_tags)
        out.append(finding("gps-present", f"location metadata ({keys}); outputs never carry it",
                           slot=sid, section=PRIVACY))
    return out


def _below(size: tuple[int, int], want) -> bool:
    have = sorted(size, reverse=True)
    need = sorted((want.width, want.height), reverse=True)
    return have[0] < need[0] or have[1] < need[1]


def _ratio(w: int, h: int) -> str:
    r = Fraction(w, h).limit_denominator(20)
    return f"{r.numerator}:{r.denominator}"
