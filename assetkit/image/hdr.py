"""HDR photos (issue 14.1): an HEIC or AVIF whose colour box (``colr`` nclx) says PQ or HLG, or
BT.2020 colours, gets its SDR rendition in sRGB.

What the decoders give: pillow-heif decodes a 10-bit HEIC to 8-bit RGB and puts the nclx box in
``im.info["nclx_profile"]``; Pillow's AVIF plugin decodes to 8-bit RGB and exposes no colour
information at all, so for AVIF the nclx of the primary item is read from the file's ``meta`` box
here (``pitm`` -> ``ipma`` -> ``ipco``; the nclx of another item, such as a gain map's HDR
alternate, is not the picture's). The pixels are then PQ- or HLG-coded BT.2020 RGB: shown as they
are they look flat and grey (white at 148 of 255), which is what a browser or the platforms would
show of them after the upload strips the box.

The conversion is an ICC profile made here for the picture's signal (``profile``): BT.2020 (or
P3, BT.709) primaries and, as the tone curve, the transfer linearised (PQ: nits; HLG: scene light
through its 1000-nit display OOTF) relative to BT.2408's reference white (203 nits = SDR white),
highlights rolled off with Mobius up to a 1000-nit peak: the same choice of white, knee and peak
as the video tone map (``video/transcode``: chosen by VMAF on SDR masters). LittleCMS then does
the rest (primaries to sRGB, sRGB transfer) on the small output, as for any embedded profile, so
the photo pipeline needs no second colour path. The tone curve is applied per channel before the
primaries change: bright saturated highlights lose a little saturation, mid-tones and skin keep
their level.

Gain maps: an HDR photo with a gain map (Apple's HEIC auxiliary image, ISO 21496-1 ``tmap``,
libavif's gain map) stores the SDR rendition as its primary picture, which is what both decoders
return; the gain map is an auxiliary item neither opens as the picture.
"""
from __future__ import annotations

import math
import struct
from functools import lru_cache

import numpy as np

# ITU-T H.273 code points
PRIMARIES = {1: "BT.709", 9: "BT.2020", 12: "Display P3"}
TRANSFERS = {16: "pq", 18: "hlg"}
_XY = {  # red, green, blue, white (x, y)
    1: ((0.640, 0.330), (0.300, 0.600), (0.150, 0.060), (0.3127, 0.3290)),
    9: ((0.708, 0.292), (0.170, 0.797), (0.131, 0.046), (0.3127, 0.3290)),
    12: ((0.680, 0.320), (0.265, 0.690), (0.150, 0.060), (0.3127, 0.3290)),
}
REFERENCE_WHITE = 203.0   # nits: SDR white (BT.2408), as the video tone map
PEAK_NITS = 1000.0
KNEE = 0.8
CURVE_POINTS = 4096


def kind_of(nclx: tuple[int, int, int] | None) -> str | None:
    """"pq", "hlg", "bt2020" (wide-gamut SDR) or None (nothing to convert) for (primaries, transfer, matrix)."""
    if nclx is None:
        return None
    primaries, transfer, _ = nclx
    if transfer in TRANSFERS:
        return TRANSFERS[transfer]
    if primaries == 9:
        return "bt2020"
    return None


def describe(nclx: tuple[int, int, int]) -> str:
    kind = kind_of(nclx)
    colours = PRIMARIES.get(nclx[0], f"primaries #{nclx[0]}")
    if kind == "pq":
        return f"HDR (PQ, {colours} colours; tone-mapped to SDR)"
    if kind == "hlg":
        return f"HDR (HLG, {colours} colours; tone-mapped to SDR)"
    return f"{colours} colours"


def nclx_of(im, path: str, fmt: str) -> tuple[int, int, int] | None:
    """The picture's nclx (primaries, transfer, matrix), None when it has none."""
    n = im.info.get("nclx_profile")
    if isinstance(n, dict):
        return (int(n.get("color_primaries", 2)), int(n.get("transfer_characteristics", 2)),
                int(n.get("matrix_coefficients", 2)))
    if fmt == "AVIF":
        try:
            with open(path, "rb") as f:
                return avif_nclx(f.read(1 << 20))
        except OSError:
            return None
    return None


# --- the primary item's colr box in an AVIF (HEIF) meta box ------------------------------------

def _boxes(data: bytes, start: int = 0, end: int | None = None):
    end = len(data) if end is None else end
    i = start
    while i + 8 <= end:
        size, kind = struct.unpack(">I4s", data[i:i + 8])
        head = 8
        if size == 1:
            if i + 16 > end:
                return
            size, head = struct.unpack(">Q", data[i + 8:i + 16])[0], 16
        elif size == 0:
            size = end - i
        if size < head or i + size > end:
            return
        yield kind, i + head, i + size
        i += size


def avif_nclx(data: bytes) -> tuple[int, int, int] | None:
    meta = next(((a, b) for k, a, b in _boxes(data) if k == b"meta"), None)
    if meta is None:
        return None
    a, b = meta[0] + 4, meta[1]  # a full box: version and flags first
    parts = {k: (s, e) for k, s, e in _boxes(data, a, b)}
    if b"pitm" not in parts or b"iprp" not in parts:
        return None
    s, e = parts[b"pitm"]
    primary = struct.unpack(">H", data[s + 4:s + 6])[0] if data[s] == 0 else struct.unpack(">I", data[s + 4:s + 8])[0]
    iprp = {k: (s, e) for k, s, e in _boxes(data, *parts[b"iprp"])}
    if b"ipco" not in iprp or b"ipma" not in iprp:
        return None
    props = list(_boxes(data, *iprp[b"ipco"]))
    s, e = iprp[b"ipma"]
    version, flags = data[s], int.from_bytes(data[s + 1:s + 4], "big")
    count = struct.unpack(">I", data[s + 4:s + 8])[0]
    i = s + 8
    for _ in range(count):
        if version < 1:
            item = struct.unpack(">H", data[i:i + 2])[0]
            i += 2
        else:
            item = struct.unpack(">I", data[i:i + 4])[0]
            i += 4
        n = data[i]
        i += 1
        indexes = []
        for _ in range(n):
            if flags & 1:
                indexes.append(struct.unpack(">H", data[i:i + 2])[0] & 0x7FFF)
                i += 2
            else:
                indexes.append(data[i] & 0x7F)
                i += 1
        if item != primary:
            continue
        for idx in indexes:
            if 1 <= idx <= len(props):
                kind, ps, pe = props[idx - 1]
                if kind == b"colr" and data[ps:ps + 4] == b"nclx" and pe - ps >= 10:
                    return struct.unpack(">HHH", data[ps + 4:ps + 10])
        return None
    return None


# --- the tone curve and the profile ------------------------------------------------------------

def _pq_eotf(e: np.ndarray) -> np.ndarray:
    """PQ (SMPTE ST 2084) signal 0..1 -> nits."""
    m1, m2, c1, c2, c3 = 2610 / 16384, 2523 / 4096 * 128, 3424 / 4096, 2413 / 4096 * 32, 2392 / 4096 * 32
    p = np.power(np.clip(e, 0, 1), 1 / m2)
    return 10000 * np.power(np.maximum(p - c1, 0) / (c2 - c3 * p), 1 / m1)


def _hlg_nits(e: np.ndarray) -> np.ndarray:
    """HLG (BT.2100) signal 0..1 -> display nits on a 1000-nit display (inverse OETF, then the OOTF's
    system gamma 1.2 per channel)."""
    a, b, c = 0.17883277, 0.28466892, 0.55991073
    e = np.clip(e, 0, 1)
    scene = np.where(e <= 0.5, e * e / 3, (np.exp((e - c) / a) + b) / 12)
    return PEAK_NITS * np.power(scene, 1.2)


def _mobius(x: np.ndarray, j: float, peak: float) -> np.ndarray:
    """ffmpeg's tonemap=mobius: linear to the knee j, then a smooth roll-off that reaches 1 at peak."""
    a = -j * j * (peak - 1) / (j * j - 2 * j + peak)
    b = (j * j - 2 * j * peak + peak) / max(peak - 1, 1e-6)
    rolled = (b * b + 2 * b * j + j * j) / (b - a) * (x + a) / (x + b)
    return np.where(x <= j, x, rolled)


def tone_curve(kind: str, points: int = CURVE_POINTS) -> np.ndarray:
    """Signal 0..1 -> SDR linear light 0..1 (1 = SDR white)."""
    e = np.linspace(0, 1, points)
    if kind == "pq":
        rel = _pq_eotf(e) / REFERENCE_WHITE
    elif kind == "hlg":
        rel = _hlg_nits(e) / REFERENCE_WHITE
    else:  # wide-gamut SDR: BT.709/BT.2020's own transfer (BT.1886 display gamma 2.4)
        return np.power(e, 2.4)
    return np.clip(_mobius(rel, KNEE, PEAK_NITS / REFERENCE_WHITE), 0, 1)


def bt709_oetf(t: np.ndarray) -> np.ndarray:
    return np.where(t < 0.018, 4.5 * t, 1.099 * np.power(t, 0.45) - 0.099)


def video_lut(points: int = CURVE_POINTS) -> str:
    """A 1D .cube (ffmpeg's ``lut1d``) for the video tone map: PQ signal (SDR white at 203 nits, as
    zscale writes it with npl=203) -> the Mobius-rolled SDR level -> BT.709 transfer, per channel:
    the photos' curve, applied where zscale has already converted the primaries."""
    e = np.linspace(0, 1, points)
    v = bt709_oetf(np.clip(_mobius(_pq_eotf(e) / REFERENCE_WHITE, KNEE, PEAK_NITS / REFERENCE_WHITE), 0, 1))
    return f"LUT_1D_SIZE {points}\n" + "".join(f"{x:.6f} {x:.6f} {x:.6f}\n" for x in v)


def _xyz(xy) -> np.ndarray:
    x, y = xy
    return np.array([x / y, 1.0, (1 - x - y) / y])


def _colorants(primaries: int) -> np.ndarray:
    """RGB -> XYZ (columns: red, green, blue), adapted from D65 to the ICC's D50 (Bradford)."""
    r, g, b, w = _XY.get(primaries, _XY[9])
    m = np.stack([_xyz(r), _xyz(g), _xyz(b)], axis=1)
    m = m * np.linalg.solve(m, _xyz(w))
    brad = np.array([[0.8951, 0.2664, -0.1614], [-0.7502, 1.7135, 0.0367], [0.0389, -0.0685, 1.0296]])
    d50 = np.array([0.9642, 1.0, 0.8249])
    src, dst = brad @ _xyz(w), brad @ d50
    adapt = np.linalg.inv(brad) @ np.diag(dst / src) @ brad
    return adapt @ m


def _s15(v: float) -> bytes:
    return struct.pack(">i", int(round(v * 65536)))


def _tag_xyz(v) -> bytes:
    return b"XYZ " + b"\0" * 4 + b"".join(_s15(x) for x in v)


def _tag_desc(text: str) -> bytes:
    t = text.encode("ascii") + b"\0"
    return b"desc" + b"\0" * 4 + struct.pack(">I", len(t)) + t + b"\0" * 4 + b"\0" * 4 + b"\0" * 3 + b"\0" * 67


def _tag_text(text: str) -> bytes:
    return b"text" + b"\0" * 4 + text.encode("ascii") + b"\0"


def _tag_curv(curve: np.ndarray) -> bytes:
    vals = np.clip(np.round(curve * 65535), 0, 65535).astype(">u2")
    return b"curv" + b"\0" * 4 + struct.pack(">I", len(vals)) + vals.tobytes()


@lru_cache(maxsize=None)
def profile(kind: str, primaries: int = 9) -> bytes:
    """An ICC v2 RGB display profile for a PQ / HLG / wide-gamut SDR signal: the tone curve as the
    TRC of each channel, the signal's primaries as the colorants."""
    name = f"assetkit {kind.upper()} {PRIMARIES.get(primaries, 'BT.2020')} to SDR"
    m = _colorants(primaries)
    curve = _tag_curv(tone_curve(kind))
    tags = [(b"desc", _tag_desc(name)), (b"cprt", _tag_text("No copyright, use freely")),
            (b"wtpt", _tag_xyz((0.9642, 1.0, 0.8249))),
            (b"rXYZ", _tag_xyz(m[:, 0])), (b"gXYZ", _tag_xyz(m[:, 1])), (b"bXYZ", _tag_xyz(m[:, 2])),
            (b"rTRC", curve), (b"gTRC", curve), (b"bTRC", curve)]
    offset = 128 + 4 + 12 * len(tags)
    table, body, seen = b"", b"", {}
    for sig, data in tags:
        if data in seen:  # the three TRCs share one curve
            table += sig + struct.pack(">II", *seen[data])
            continue
        pad = (-len(body)) % 4
        body += b"\0" * pad
        seen[data] = (offset + len(body), len(data))
        table += sig + struct.pack(">II", offset + len(body), len(data))
        body += data
    size = offset + len(body)
    header = (struct.pack(">I", size) + b"lcms" + bytes([2, 0x40, 0, 0]) + b"mntr" + b"RGB " + b"XYZ "
              + struct.pack(">6H", 2016, 1, 1, 0, 0, 0) + b"acsp" + b"\0" * 4 + b"\0" * 4 + b"\0" * 8
              + b"\0" * 8 + struct.pack(">I", 0) + _s15(0.9642) + _s15(1.0) + _s15(0.8249) + b"\0" * 4
              + b"\0" * 16 + b"\0" * 28)
    assert len(header) == 128
    return header + struct.pack(">I", len(tags)) + table + body


def profile_for(nclx: tuple[int, int, int] | None) -> bytes | None:
    """The profile that converts a picture with this nclx, None when nothing needs converting."""
    kind = kind_of(nclx)
    if kind is None:
        return None
    return profile(kind, nclx[0] if nclx[0] in _XY else 9)
