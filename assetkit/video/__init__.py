"""Video: probe (PyAV, in-process) -> plan (``plan/video``: validate, trim, fit, rate, colour, encode)
-> transcode (carries the plan out with ffmpeg, via ffmpeg-python).

Stage modules: ``probe``, ``validate``, ``geometry`` (pure sizes), ``loudness`` (EBU R128 first
pass), ``subtitles`` (burn-in), ``transcode`` (command, run, poster, ``carry_out``, ``prepare_video``),
``job`` (the batch engine). The transcode names are loaded on first use, so the plan can import
``geometry`` and ``validate`` without an import circle through ``transcode``.
"""
from importlib import import_module

# probe and validate share their module's name: bound here, so the name is the function
from .probe import VideoInfo, probe  # noqa: E402
from .validate import validate  # noqa: E402

_NAMES = {"VideoResult": "transcode", "build_command": "transcode", "carry_out": "transcode",
          "command": "transcode", "ffmpeg_exe": "transcode", "parse_trim": "transcode",
          "poster_frame": "transcode", "prepare_video": "transcode", "run": "transcode"}

__all__ = sorted([*_NAMES, "VideoInfo", "probe", "validate"])


def __getattr__(name):
    if name in _NAMES:
        return getattr(import_module(f".{_NAMES[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
