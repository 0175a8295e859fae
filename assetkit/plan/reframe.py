"""Smart reframing of a clip: one crop window per shot, as pure geometry on what the sampled frames
showed (``Motion``: shots, each with the faces and saliency of its frames). No pixels, no ffmpeg.

``video/reframe.py`` samples the clip (a few small frames a second, cuts found by ffmpeg's
``scdet``) and analyses each shot with the photos' detectors; here each shot gets the window
``plan/crop.choose_crop`` would give a photo of it (faces whole, else the largest group, else the
most salient region, else the centre). The window is static within a shot and moves only at a
cut, where the picture changes anyway: no jitter, no pan that follows noise, at most one move per
shot. A shot whose window would move by less than ``MIN_MOVE`` of the frame keeps the last one
(a false cut, a flash, must not nudge the picture).
"""
from __future__ import annotations

from dataclasses import dataclass

from .crop import Analysis, choose_crop

MIN_MOVE = 0.05   # of the frame's width (or height): a smaller move at a cut is not worth it
KINDS = {"faces": "faces", "largest-group": "faces", "saliency": "saliency", "focus": "focus",
         "centre": "centre"}


@dataclass(frozen=True)
class Shot:
    start: float                 # s, in source time (the decoded clip's clock, start time removed)
    end: float
    analysis: Analysis | None    # faces and saliency over the shot's sampled frames
    samples: int = 0


@dataclass(frozen=True)
class Motion:
    """What the sampled frames of a clip show, shot by shot (``video/reframe.sample``)."""
    shots: tuple[Shot, ...]
    span: tuple[float, float]    # the part of the clip that was sampled (source seconds)
    rate: float = 0.0            # frames sampled per second
    detector: str = "none"

    def to_dict(self) -> dict:
        return {"span": list(self.span), "rate": self.rate, "detector": self.detector,
                "shots": [{"start": s.start, "end": s.end, "samples": s.samples,
                           "faces": len(s.analysis.faces) if s.analysis else 0} for s in self.shots]}


@dataclass(frozen=True)
class Reframe:
    windows: tuple[tuple[float, int, int], ...]   # (from output second, x, y) of the window in the picture
    reasons: tuple[str, ...]                      # per shot: faces | saliency | centre
    summary: str                                  # "reframed on faces, 3 shots"


def _even(v: float) -> int:
    return int(round(v / 2)) * 2


def window_at_focus(picture: tuple[int, int], frame: tuple[int, int], focus: tuple[float, float]) -> tuple[int, int]:
    """The frame-sized window of the picture centred on ``focus`` (fractions) as far as it can be."""
    (pw, ph), (W, H) = picture, frame
    x = min(max(_even(focus[0] * pw - W / 2), 0), pw - W)
    y = min(max(_even(focus[1] * ph - H / 2), 0), ph - H)
    return x, y


def reframe(motion: Motion, picture: tuple[int, int], frame: tuple[int, int],
            span: tuple[float, float] | None = None) -> Reframe:
    """One window per shot of the part of the clip the output plays (``span``, source seconds; None:
    all of it). Windows are in picture pixels (the scaled source the frame is cut from), even, inside
    the picture; times are output seconds (0 = the span's start)."""
    (pw, ph), (W, H) = picture, frame
    t0 = span[0] if span else 0.0
    t1 = span[1] if span else float("inf")
    shots = [s for s in motion.shots if s.end > t0 and s.start < t1] or list(motion.shots[:1])
    windows: list[tuple[float, int, int]] = []
    reasons: list[str] = []
    for shot in shots:
        choice = choose_crop(pw, ph, W / H, shot.analysis)
        x = min(max(_even(choice.box[0]), 0), pw - W)
        y = min(max(_even(choice.box[1]), 0), ph - H)
        reasons.append(KINDS.get(choice.reason, "centre"))
        start = max(0.0, shot.start - t0)
        if windows:
            _, px, py = windows[-1]
            if abs(x - px) < MIN_MOVE * W and abs(y - py) < MIN_MOVE * H:
                continue  # about where it is: stay
        windows.append((0.0 if not windows else round(start, 4), x, y))
    return Reframe(tuple(windows), tuple(reasons), _summary(reasons))


def _summary(reasons: list[str]) -> str:
    n = len(reasons)
    shots = f"{n} shot{'s' if n != 1 else ''}"
    counts = {k: reasons.count(k) for k in ("faces", "saliency", "centre") if k in reasons}
    if set(counts) == {"centre"}:
        return f"crop centred (no face or salient region to follow), {shots}"
    if len(counts) == 1:
        return f"reframed on {next(iter(counts))}, {shots}"
    return f"reframed on {' and '.join(f'{k} ({v})' for k, v in counts.items())}, {shots}"


def expression(windows: tuple[tuple[float, int, int], ...], axis: int, half_frame: float = 0.0) -> str:
    """The window's x (axis 1) or y (axis 2) as a piecewise-constant ffmpeg expression of ``t``:
    ``X0+(X1-X0)*gte(t,T1)+...``, a flat sum (no nested ifs), switching at each cut. ``half_frame``
    moves each switch half a source frame early, so the cut frame itself, whose time is printed
    rounded, gets the new window."""
    first = windows[0][axis]
    parts = [str(first)]
    prev = first
    for w in windows[1:]:
        step = w[axis] - prev
        prev = w[axis]
        if step:
            parts.append(f"{'+' if step > 0 else '-'}{abs(step)}*gte(t,{max(0.0, w[0] - half_frame):.4f})")
    return "".join(parts)
