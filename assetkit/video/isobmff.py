"""What an MP4/MOV header says that PyAV does not expose: the video track's display matrix (how
phones record rotation) and its HDR boxes (mastering display, content light level, Dolby Vision).

Reading them from the ``moov`` box costs a few reads; getting them from PyAV costs decoding a frame
(PyAV 18 has no getter for stream side data), which for a 4K HEVC clip is most of a probe's time.
Only what is needed is parsed: top-level boxes are skipped by size, ``moov`` is read once.
"""
from __future__ import annotations

import math
import struct
from dataclasses import dataclass

CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl", b"edts"}
HDR_BOXES = {b"mdcv": "MASTERING_DISPLAY_METADATA", b"SmDm": "MASTERING_DISPLAY_METADATA",
             b"clli": "CONTENT_LIGHT_LEVEL", b"CoLL": "CONTENT_LIGHT_LEVEL",
             b"dvcC": "DOVI_METADATA", b"dvvC": "DOVI_METADATA", b"dvwC": "DOVI_METADATA"}
MAX_MOOV = 64 << 20  # a moov this large is not a phone clip: fall back to decoding


@dataclass(frozen=True)
class Track:
    handler: str                 # "vide", "soun", ...
    rotation: int | None         # degrees counter-clockwise (ffmpeg's sign), None: no usable matrix
    hdr_boxes: tuple[str, ...]


def video_tracks(path: str) -> list[Track] | None:
    """The video tracks in file order, or None when the file is not ISO BMFF or has no readable moov."""
    try:
        with open(path, "rb") as f:
            moov = _find_moov(f)
    except OSError:
        return None
    if moov is None:
        return None
    tracks = []
    for trak in _children(moov, b"trak"):
        tkhd = _first(trak, b"tkhd")
        mdia = _first(trak, b"mdia")
        hdlr = _first(mdia, b"hdlr") if mdia else None
        handler = hdlr[8:12].decode("latin-1") if hdlr and len(hdlr) >= 12 else ""
        if handler != "vide":
            continue
        stsd = _path(trak, (b"mdia", b"minf", b"stbl", b"stsd"))
        hdr = tuple(sorted({name for box, name in HDR_BOXES.items() if stsd and box in stsd}))
        tracks.append(Track(handler, _rotation(tkhd) if tkhd else None, hdr))
    return tracks


def _find_moov(f) -> bytes | None:
    while True:
        head = f.read(8)
        if len(head) < 8:
            return None
        size, kind = struct.unpack(">I4s", head)
        header = 8
        if size == 1:
            size = struct.unpack(">Q", f.read(8))[0]
            header = 16
        if kind == b"moov":
            if size == 0 or size - header > MAX_MOOV:
                return None
            body = f.read(size - header)
            return body if len(body) == size - header else None
        if size == 0:  # to the end of the file, and no moov before it
            return None
        if size < header:
            return None
        f.seek(size - header, 1)
        if kind not in (b"ftyp", b"free", b"skip", b"mdat", b"wide", b"uuid", b"meta", b"pnot", b"PICT"):
            # unknown top-level boxes are fine, but a file of random bytes is not worth walking
            if not kind.isalnum() and kind not in (b"\xa9xyz",):
                return None


def _boxes(data: bytes):
    pos = 0
    while pos + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[pos:pos + 8])
        header = 8
        if size == 1 and pos + 16 <= len(data):
            size = struct.unpack(">Q", data[pos + 8:pos + 16])[0]
            header = 16
        elif size == 0:
            size = len(data) - pos
        if size < header or pos + size > len(data):
            return
        yield kind, data[pos + header:pos + size]
        pos += size


def _children(data: bytes, kind: bytes):
    return [body for k, body in _boxes(data) if k == kind]


def _first(data: bytes | None, kind: bytes) -> bytes | None:
    if data is None:
        return None
    return next((body for k, body in _boxes(data) if k == kind), None)


def _path(data: bytes, kinds) -> bytes | None:
    for k in kinds:
        data = _first(data, k)
        if data is None:
            return None
    return data


def _rotation(tkhd: bytes) -> int | None:
    """The angle ffmpeg's av_display_rotation_get gives for the tkhd matrix (counter-clockwise)."""
    version = tkhd[0] if tkhd else 0
    off = 4 + (32 if version == 1 else 20) + 8 + 8   # version/flags, times/id/duration, reserved, layer..volume
    if len(tkhd) < off + 36:
        return None
    a, b, _u, c, d, _v = struct.unpack(">iiiiii", tkhd[off:off + 24])
    sx, sy = math.hypot(a, c), math.hypot(b, d)
    if sx == 0 or sy == 0:
        return None
    angle = -math.degrees(math.atan2(b / sy, a / sx))
    return int(round(angle))
