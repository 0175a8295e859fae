"""Video: probe (PyAV, in-process) -> validate (pure) -> transcode (ffmpeg via ffmpeg-python).

Stage modules: ``probe``, ``validate``, ``geometry`` (pure sizes), ``loudness`` (EBU R128 first
pass), ``subtitles`` (burn-in), ``transcode`` (command, run, poster, ``prepare_video``).
"""
from .probe import VideoInfo, probe
from .transcode import (VideoResult, build_command, ffmpeg_exe, parse_trim, poster_frame,
                        prepare_video, run)
from .validate import validate

__all__ = ["VideoInfo", "VideoResult", "build_command", "ffmpeg_exe", "parse_trim", "poster_frame",
           "prepare_video", "probe", "run", "validate"]
