"""Probe a video in-process with PyAV: what it is, how big it shows, how it is encoded.

No ffprobe and no subprocess: ``probe`` opens the container and reads the stream headers. For
MP4/MOV/3GP (every phone) that is all: rotation and HDR boxes come from the ``moov`` box
(``isobmff``) and frame times from the demuxer's sample index, so nothing is decoded and a 4K HEVC
clip probes in milliseconds. Other containers demux the first ~60 video packets (timestamps, for
variable frame rate) and decode exactly one frame, for the reasons below.

Rotation in PyAV 18: streams expose no side data getter (only ``set_display_matrix`` /
``set_display_rotation`` for writing), and demuxed packets do not carry the display matrix either
(FFmpeg 7+ keeps it in ``codecpar.coded_side_data``). What works is the decoder: it copies the
matrix onto every decoded frame, and ``VideoFrame.rotation`` returns its angle (degrees,
counter-clockwise, -180..180; an iPhone portrait clip reads -90, ``-display_rotation 90`` reads 90).
So probe decodes the first frame, which also proves the stream is decodable. The legacy ``rotate``
stream tag (old muxers, Matroska) is honoured when no matrix is present.
"""
from __future__ import annotations

import os
from dataclasses import asdict, dataclass, replace
from fractions import Fraction

import av

from ..errors import MediaError
from . import isobmff

# Tags that give away where a clip was filmed. PyAV lower-cases nothing, so compare lower-cased.
# mp4 ``©xyz`` shows up as ``location`` and ``location-eng``; QuickTime mdta keys keep their name.
LOCATION_KEYS = frozenset({
    "location", "location-eng", "com.apple.quicktime.location.iso6709",
    "com.apple.quicktime.location.name", "com.apple.quicktime.location.body",
    "com.android.capture.location", "xyz", "\u00a9xyz", "gps", "gpscoordinates",
})
PACKETS_FOR_VFR = 60
# B-frames arrive out of presentation order: the last few pts of a window of packets still miss
# frames that come later in the file, so steps are judged only below this many of the largest.
REORDER_DEPTH = 8

# ffmpeg's enum values (libavutil/pixfmt.h, avcodec.h) -> the names ffmpeg's options use.
PRIMARIES = {1: "bt709", 4: "bt470m", 5: "bt470bg", 6: "smpte170m", 7: "smpte240m", 9: "bt2020",
             11: "smpte431", 12: "smpte432"}
TRANSFERS = {1: "bt709", 4: "gamma22", 5: "gamma28", 6: "smpte170m", 7: "smpte240m", 8: "linear",
             13: "iec61966-2-1", 14: "bt2020-10", 15: "bt2020-12", 16: "smpte2084", 18: "arib-std-b67"}
MATRICES = {0: "gbr", 1: "bt709", 5: "bt470bg", 6: "smpte170m", 7: "smpte240m", 9: "bt2020nc",
            10: "bt2020c"}
FIELD_ORDERS = {0: "unknown", 1: "progressive", 2: "tt", 3: "bb", 4: "tb", 5: "bt"}
HDR_TRANSFERS = {"smpte2084": "pq", "arib-std-b67": "hlg"}
HDR_SIDE_DATA = ("MASTERING_DISPLAY_METADATA", "CONTENT_LIGHT_LEVEL", "DYNAMIC_HDR_PLUS",
                 "DOVI_METADATA", "DOVI_RPU_BUFFER")
# ffmpeg's demuxers for single pictures: a photo is not a video, whatever its name says.
_STILL_FORMATS = ("image2", "_pipe", "apng", "webp")


@dataclass(frozen=True)
class AudioTrack:
    index: int                # absolute stream index, for ffmpeg's -map
    codec: str
    channels: int
    sample_rate: int
    default: bool             # the container's default flag
    language: str = ""
    title: str = ""

    def label(self) -> str:
        bits = [self.codec, f"{self.channels} ch", f"{self.sample_rate / 1000:g} kHz"]
        if self.language and self.language != "und":
            bits.insert(0, self.language)
        if self.title:
            bits.insert(0, repr(self.title))
        return " ".join(bits)


@dataclass(frozen=True)
class VideoInfo:
    path: str
    format_name: str          # ffmpeg's demuxer name, e.g. "mov,mp4,m4a,3gp,3g2,mj2"
    container: str            # normalised: "mp4", "mov", "3gp", "matroska", "webm", "avi", ...
    duration: float           # seconds
    width: int                # coded size, as stored
    height: int
    sar: Fraction             # sample (pixel) aspect ratio; 1 = square pixels
    rotation: int             # display-matrix angle, degrees counter-clockwise (ffmpeg's sign)
    display_width: int        # what a player shows: coded size x SAR, then rotated
    display_height: int
    frame_rate: Fraction      # average frame rate
    variable_frame_rate: bool
    video_codec: str          # ffmpeg codec name: "h264", "hevc", "prores", ...
    pix_fmt: str
    bit_rate: int | None      # whole file, bits/s
    video_bit_rate: int | None
    audio_codec: str | None   # None: no audio stream
    audio_sample_rate: int | None
    audio_channels: int | None
    location_tags: tuple[tuple[str, str], ...] = ()
    video_index: int = 0            # absolute stream indexes, for ffmpeg's -map (cover art skipped)
    audio_index: int | None = None  # the track kept: the default one, else the first
    nominal_rate: Fraction = Fraction(0)   # the stream's r_frame_rate: what a VFR phone clip aims at
    color_primaries: str = ""       # ffmpeg names ("bt709", "bt2020"); "" when untagged
    color_transfer: str = ""        # "bt709", "smpte2084" (PQ), "arib-std-b67" (HLG), ...
    color_matrix: str = ""
    color_range: str = ""           # "tv" | "pc" | ""
    bit_depth: int = 8
    hdr_side_data: tuple[str, ...] = ()   # mastering display, content light level, HDR10+, Dolby Vision
    field_order: str = "progressive"      # progressive | tt | bb | tb | bt | unknown (flag as stored)
    interlaced_frames: bool = False       # the first decoded frame says it is interlaced
    audio_tracks: tuple[AudioTrack, ...] = ()

    @property
    def has_audio(self) -> bool:
        return self.audio_codec is not None

    @property
    def has_location(self) -> bool:
        return bool(self.location_tags)

    @property
    def hdr(self) -> str | None:
        """"pq" or "hlg" for an HDR transfer, "hdr" for untagged HDR side data, else None."""
        if self.color_transfer in HDR_TRANSFERS:
            return HDR_TRANSFERS[self.color_transfer]
        return "hdr" if self.hdr_side_data else None

    @property
    def wide_gamut(self) -> bool:
        return self.color_primaries == "bt2020" or self.color_matrix in ("bt2020nc", "bt2020c")

    @property
    def needs_tonemap(self) -> bool:
        """Anything a BT.709 SDR player would show wrong: HDR transfer, BT.2020 colours, or both."""
        return self.hdr is not None or self.wide_gamut

    @property
    def interlaced(self) -> bool:
        return self.field_order in ("tt", "bb", "tb", "bt") or self.interlaced_frames

    @property
    def display_size(self) -> tuple[int, int]:
        return (self.display_width, self.display_height)

    @property
    def rotated(self) -> bool:
        return self.rotation % 360 != 0

    def to_dict(self) -> dict:
        d = asdict(self)
        d["sar"] = f"{self.sar.numerator}:{self.sar.denominator}"
        d["frame_rate"] = float(self.frame_rate)
        d["nominal_rate"] = float(self.nominal_rate)
        d["hdr"] = self.hdr
        d["interlaced"] = self.interlaced
        d["location_tags"] = dict(self.location_tags)
        d["has_audio"] = self.has_audio
        return d


def probe(path: str | os.PathLike) -> VideoInfo:
    """Describe the video at ``path``; MediaError(path, "unreadable", reason) if it is not one."""
    path = str(path)
    try:
        size = os.path.getsize(path)
    except OSError as e:
        raise MediaError(path, "unreadable", f"cannot read: {e.strerror}") from None
    if size == 0:
        raise MediaError(path, "unreadable", "the file is empty (0 bytes)")
    try:
        container = av.open(path, metadata_errors="ignore")
    except av.FFmpegError as e:
        raise MediaError(path, "unreadable", f"not a video file ffmpeg can open ({_reason(e)})") from None
    with container:
        info = _describe(path, size, container)
    if _may_lie_about_fields(info):
        info = replace(info, interlaced_frames=_idet_says_interlaced(path, info))
    return info


# Where the field flag is known to lie (broadcast and camcorder formats, or no flag at all):
# there, ``idet`` looks at the pictures. Phone clips (H.264/HEVC in MP4/MOV, flagged progressive)
# are never looked at, so probing them stays a header read and one decoded frame.
_FIELD_SUSPECT_CODECS = frozenset({"mpeg2video", "mpeg1video", "dvvideo", "mpeg4", "mjpeg"})
_FIELD_SUSPECT_CONTAINERS = frozenset({"mpegts", "mpeg", "mxf", "dv", "avi", "vob"})
IDET_FRAMES = 30


def _may_lie_about_fields(info: VideoInfo) -> bool:
    if info.interlaced:
        return False
    return (info.field_order == "unknown" or info.video_codec in _FIELD_SUSPECT_CODECS
            or info.container in _FIELD_SUSPECT_CONTAINERS)


def _idet_says_interlaced(path: str, info: VideoInfo) -> bool:
    """ffmpeg's ``idet`` over the first IDET_FRAMES frames, in-process (PyAV's filter graph): its
    cumulative multi-frame counts come back as frame metadata. Interlaced when most frames look
    like two fields and clearly more than look progressive."""
    from av.filter import Graph

    counts: dict = {}
    try:
        with av.open(path, metadata_errors="ignore") as c:
            v = c.streams.video[0] if info.video_index == 0 else next(
                s for s in c.streams.video if s.index == info.video_index)
            g = Graph()
            src, det, sink = g.add_buffer(template=v), g.add("idet"), g.add("buffersink")
            src.link_to(det)
            det.link_to(sink)
            g.configure()
            n = 0
            for frame in c.decode(v):
                g.push(frame)
                while True:
                    try:
                        counts = g.pull().metadata
                    except (av.BlockingIOError, av.EOFError):
                        break
                n += 1
                if n >= IDET_FRAMES:
                    break
    except (av.FFmpegError, StopIteration, ValueError):
        return False
    get = lambda k: float(counts.get(f"lavfi.idet.multiple.{k}", 0) or 0)  # noqa: E731
    fields, progressive = get("tff") + get("bff"), get("progressive")
    seen = fields + progressive + get("undetermined")
    return seen > 0 and fields >= 0.5 * seen and fields > 2 * progressive


def _describe(path: str, size: int, c: av.container.InputContainer) -> VideoInfo:
    fmt = c.format.name
    # Cover art in a music file is a one-picture "video stream": not a video.
    videos = [s for s in c.streams.video if not s.disposition & av.stream.Disposition.attached_pic]
    if not videos:
        raise MediaError(path, "unreadable", f"no video stream (a {fmt} file with "
                         f"{len(c.streams.audio)} audio stream(s))")
    if any(s in fmt for s in _STILL_FORMATS):
        raise MediaError(path, "unreadable", f"a still picture ({fmt}), not a video")
    v = videos[0]
    tracks = tuple(AudioTrack(s.index, s.codec_context.name, s.codec_context.channels or 0,
                              s.codec_context.sample_rate or 0,
                              bool(s.disposition & av.stream.Disposition.default),
                              s.metadata.get("language", ""), s.metadata.get("title", ""))
                   for s in c.streams.audio)
    # The default track, else the first: what a player plays when nobody chooses.
    kept = next((t for t in tracks if t.default), tracks[0] if tracks else None)
    a = next(s for s in c.streams.audio if s.index == kept.index) if kept else None
    _check_complete(path, size, c)

    header = None
    if "mp4" in fmt.split(","):  # MP4/MOV/3GP: the header says it all, no frame decoded
        tracks_in_file = isobmff.video_tracks(path)
        k = videos.index(v)
        header = tracks_in_file[k] if tracks_in_file and k < len(tracks_in_file) else None
    if header is not None and header.rotation is not None:
        rotation, frame_facts = header.rotation, {"side_data": header.hdr_boxes, "interlaced": False}
        pts = _index_times(v) or _packet_pts(path, c, v)
    else:
        rotation, pts, frame_facts = _first_frame_and_pts(path, c, v)
        if rotation is None:  # no display matrix on the frame: old-style tag, else upright
            rotation = _tag_rotation(v.metadata)

    sar = v.sample_aspect_ratio or v.codec_context.sample_aspect_ratio
    sar = Fraction(sar) if sar and sar > 0 else Fraction(1)
    # Display size the way ffmpeg and players compute it: width stretched by SAR, then rotated.
    dw, dh = int(round(v.width * sar)), v.height
    if abs(rotation) % 180 == 90:
        dw, dh = dh, dw

    duration = _duration(c, v)
    if duration <= 0:
        raise MediaError(path, "unreadable", "the video has no duration (no frames?)")
    avg = Fraction(v.average_rate) if v.average_rate else None
    base = Fraction(v.base_rate) if v.base_rate else None
    rate = avg or base or Fraction(0)
    nominal = Fraction(v.guessed_rate) if v.guessed_rate else (base or rate)
    cc = v.codec_context
    meta = {**c.metadata}
    brand = meta.get("major_brand", "").strip().lower()
    return VideoInfo(
        path=path, format_name=fmt, container=_container(fmt, brand),
        duration=duration, width=v.width, height=v.height, sar=sar, rotation=rotation,
        display_width=dw, display_height=dh, frame_rate=rate,
        variable_frame_rate=_is_vfr(pts),
        video_codec=v.codec_context.name, pix_fmt=v.codec_context.pix_fmt or "",
        bit_rate=c.bit_rate or None, video_bit_rate=v.bit_rate or None,
        audio_codec=a.codec_context.name if a else None,
        audio_sample_rate=a.codec_context.sample_rate if a else None,
        audio_channels=a.codec_context.channels if a else None,
        location_tags=_location_tags(c),
        video_index=v.index, audio_index=a.index if a else None,
        nominal_rate=nominal,
        color_primaries=PRIMARIES.get(cc.color_primaries, ""),
        color_transfer=TRANSFERS.get(cc.color_trc, ""),
        color_matrix=MATRICES.get(cc.colorspace, ""),
        color_range={1: "tv", 2: "pc"}.get(cc.color_range, ""),
        bit_depth=_bit_depth(cc.pix_fmt or ""),
        hdr_side_data=frame_facts["side_data"],
        field_order=FIELD_ORDERS.get(cc.field_order, "unknown"),
        interlaced_frames=frame_facts["interlaced"],
        audio_tracks=tracks,
    )


def _check_complete(path: str, size: int, c) -> None:
    """A copied-too-early or cut file: its sample index points past the end of the file."""
    end = 0
    for s in c.streams:
        entries = s.index_entries
        n = len(entries) if entries is not None else 0
        if n:
            last = entries[n - 1]
            end = max(end, last.pos + last.size)
    if end > size:
        raise MediaError(path, "unreadable",
                         f"truncated: the file has {size} bytes but its index needs {end}")


def _bit_depth(pix_fmt: str) -> int:
    for bits in (16, 14, 12, 10, 9):
        if f"p{bits}" in pix_fmt or pix_fmt.endswith(f"{bits}le") or pix_fmt.endswith(f"{bits}be"):
            return bits
    return 8


def _first_frame_and_pts(path: str, c, v) -> tuple[int | None, list[int], dict]:
    """Decode one frame (the display matrix and HDR side data live there) and collect the first
    packets' pts.

    Returns (rotation or None when the frame has no display matrix, pts list, frame facts)."""
    decoded = False
    facts = {"side_data": (), "interlaced": False}
    rotation: int | None = None
    pts: list[int] = []
    # One frame: starting decoder threads costs more than it saves (measured ~2x at 1080p).
    v.codec_context.thread_type = "NONE"
    v.codec_context.thread_count = 1
    try:
        for packet in c.demux(v):
            if packet.pts is not None:
                pts.append(packet.pts)
            if not decoded:
                for frame in packet.decode():
                    decoded = True
                    names = [sd.type.name for sd in frame.side_data]
                    facts = {"side_data": tuple(n for n in names if n in HDR_SIDE_DATA),
                             "interlaced": bool(frame.interlaced_frame)}
                    # frame.rotation reads 0 both for "upright" and "no matrix": look for the matrix
                    if any(sd.type.name == "DISPLAYMATRIX" for sd in frame.side_data):
                        rotation = int(frame.rotation)
                    break
            if decoded and len(pts) >= PACKETS_FOR_VFR:
                break
    except av.FFmpegError as e:
        raise MediaError(path, "unreadable", f"damaged video data ({_reason(e)})") from None
    if not decoded:
        raise MediaError(path, "unreadable", "no video frame could be decoded")
    return rotation, pts, facts


def _index_times(v) -> list[int]:
    """Sample times from the demuxer's index (MP4's sample table, already in memory): no packet read."""
    entries = v.index_entries
    n = min(len(entries), PACKETS_FOR_VFR * 2) if entries is not None else 0
    return [entries[i].timestamp for i in range(n)] if n >= 4 else []


def _packet_pts(path: str, c, v) -> list[int]:
    pts: list[int] = []
    try:
        for packet in c.demux(v):
            if packet.pts is not None:
                pts.append(packet.pts)
            if len(pts) >= PACKETS_FOR_VFR:
                break
    except av.FFmpegError as e:
        raise MediaError(path, "unreadable", f"damaged video data ({_reason(e)})") from None
    return pts


def _tag_rotation(meta: dict) -> int:
    try:
        # Legacy tag is clockwise; the display matrix angle is counter-clockwise.
        r = -int(float(meta.get("rotate", "0"))) % 360
    except ValueError:
        return 0
    return r - 360 if r > 180 else r


def _duration(c, v) -> float:
    if c.duration:
        return c.duration / av.time_base
    if v.duration and v.time_base:
        return float(v.duration * v.time_base)
    return 0.0


def _is_vfr(pts: list[int]) -> bool:
    """Judged from presentation timestamps only: variable when the steps between consecutive
    frames (in presentation order) vary by more than rounding (1 tick) plus 5%.

    Not from average vs nominal rate (a clip whose last frame is short, or whose audio runs
    longer, disagrees without being variable), and not over the tail of the window, where
    B-frames still to come leave gaps that are only reordering."""
    ordered = sorted(set(pts))
    if len(ordered) > 2 * REORDER_DEPTH:
        ordered = ordered[:-REORDER_DEPTH]
    steps = [b - a for a, b in zip(ordered, ordered[1:])]
    if len(steps) < 3:
        return False
    median = sorted(steps)[len(steps) // 2]
    tolerance = max(1, median * 0.05)
    return any(abs(s - median) > tolerance for s in steps)


def _container(fmt: str, brand: str) -> str:
    if "mp4" in fmt.split(","):
        if brand == "qt":
            return "mov"
        if brand.startswith("3g"):
            return "3gp"
        return "mp4"
    if fmt == "matroska,webm":
        return "matroska"
    return fmt.split(",")[0]


def _location_tags(c) -> tuple[tuple[str, str], ...]:
    found: dict[str, str] = {}
    for meta in [c.metadata, *(s.metadata for s in c.streams)]:
        for k, val in meta.items():
            if k.lower() in LOCATION_KEYS or "location" in k.lower():
                found.setdefault(k, val)
    return tuple(sorted(found.items()))


def _reason(e: Exception) -> str:
    msg = getattr(e, "strerror", None) or str(e)
    return msg.split(": '")[0].strip()

