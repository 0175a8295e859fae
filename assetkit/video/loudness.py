"""Loudness: measure with ffmpeg's EBU R128 ``loudnorm`` (first pass), so the encode (second pass)
can apply a linear gain that lands on the target instead of loudnorm's one-pass dynamic guess.

Target: -16 LUFS integrated, -1.5 dBTP true peak, LRA 11 LU. -16 LUFS is the level phones and
social platforms play at (Apple's and most mobile/streaming normalisation sits at -16; EBU R128's
-23 is for broadcast and sounds quiet on a phone speaker); -1.5 dBTP leaves headroom for the
platform's own AAC re-encode so it does not clip.
"""
from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass

import ffmpeg

from ..errors import MediaError

TARGET_I, TARGET_TP, TARGET_LRA = -16.0, -1.5, 11.0
SILENT_BELOW = -70.0  # LUFS: below this there is nothing to normalise (and gain would be huge)


@dataclass(frozen=True)
class Loudness:
    input_i: float
    input_tp: float
    input_lra: float
    input_thresh: float
    target_offset: float

    def filter_kwargs(self) -> dict:
        """loudnorm's second-pass options: the measured values, linear gain."""
        return dict(I=TARGET_I, TP=TARGET_TP, LRA=TARGET_LRA,
                    measured_I=self.input_i, measured_TP=self.input_tp, measured_LRA=self.input_lra,
                    measured_thresh=self.input_thresh, offset=self.target_offset, linear="true",
                    print_format="none")


def measure(exe: str, src: str | os.PathLike, *, trim: tuple[float, float] | None = None) -> Loudness | None:
    """First pass over the first audio stream. None when the clip is silent (input_i -inf or
    below -70 LUFS): such clips pass through at their level."""
    in_kw = {}
    if trim is not None:
        in_kw = {"ss": f"{trim[0]:.3f}", "t": f"{trim[1] - trim[0]:.3f}"}
    stream = (ffmpeg.input(str(src), **in_kw)["a:0"]
              .filter("loudnorm", I=TARGET_I, TP=TARGET_TP, LRA=TARGET_LRA, print_format="json")
              .output("-", f="null"))
    cmd = [exe, "-hide_banner", "-nostdin", "-nostats", "-loglevel", "info", *ffmpeg.get_args(stream)]
    proc = subprocess.run(cmd, capture_output=True, text=True, errors="replace")
    if proc.returncode != 0:
        tail = "\n".join(proc.stderr.strip().splitlines()[-10:])
        raise MediaError(str(src), "ffmpeg-failed", f"loudness measurement failed:\n{tail}")
    values = parse_json(proc.stderr)
    i = _num(values["input_i"])
    if i is None or i < SILENT_BELOW:
        return None
    return Loudness(i, _num(values["input_tp"]) or -99.0, _num(values["input_lra"]) or 0.0,
                    _num(values["input_thresh"]) or -70.0, _num(values["target_offset"]) or 0.0)


def parse_json(stderr: str) -> dict:
    """loudnorm prints its JSON block last, after a ``[Parsed_loudnorm...]`` line."""
    start, end = stderr.rfind("{"), stderr.rfind("}")
    if start < 0 or end < start:
        raise ValueError("no loudnorm JSON in ffmpeg's output")
    return json.loads(stderr[start:end + 1])


def _num(v: str) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if f in (float("inf"), float("-inf")) or f != f else f
