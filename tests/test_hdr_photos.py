"""HDR photos (issue 14.1): an HEIC or AVIF whose colour box says PQ or HLG comes out as its SDR
rendition in sRGB, not as the flat grey its coded values look like.

The files are made here from an SDR reference (patches: whites, greys, skin, primaries) the way
an HDR camera pipeline grades SDR content into HDR: ffmpeg's zscale (zimg, an implementation
independent of assetkit's) linearises the sRGB patches with SDR white at BT.2408's 203 nits,
converts BT.709 -> BT.2020 primaries and applies PQ or HLG; pillow-heif writes a 10-bit HEIC with
that nclx box, ffmpeg's libaom a 10-bit AVIF. The output's patches are compared with the reference."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from fixtures import prepare_one
from assetkit.image import hdr
from assetkit.media import identify
from assetkit.video import ffmpeg_exe

pillow_heif = pytest.importorskip("pillow_heif")

W, H, P = 1024, 512, 256   # twitter/post's size: no crop, no resize
PATCHES = [(255, 255, 255), (200, 200, 200), (128, 128, 128), (64, 64, 64),
           (224, 172, 140), (200, 40, 40), (40, 160, 60), (40, 60, 200)]
TRC = {"pq": "smpte2084", "hlg": "arib-std-b67"}
NPL = {"pq": 203, "hlg": 203}    # zimg puts linear 1.0 at HLG's 75% with npl=203: BT.2408's SDR white


def reference(dst: Path) -> Path:
    a = np.zeros((H, W, 3), np.uint8)
    for i, c in enumerate(PATCHES):
        y, x = divmod(i, 4)
        a[y * P:(y + 1) * P, x * P:(x + 1) * P] = c
    Image.fromarray(a).save(dst)
    return dst


def graded(ref: Path, kind: str) -> bytes:
    """The reference as HDR BT.2020 RGB pixels, 16-bit."""
    chain = (f"zscale=tin=iec61966-2-1:pin=bt709:t=linear:p=bt709:npl=203,format=gbrpf32le,"
             f"zscale=p=bt2020:t={TRC[kind]}:npl={NPL[kind]}")
    return subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-i", str(ref), "-vf",
                           f"{chain},format=rgb48le", "-f", "rawvideo", "-"], check=True, capture_output=True).stdout


def make_heic(ref: Path, dst: Path, kind: str) -> Path:
    raw = graded(ref, kind)
    heif = pillow_heif.from_bytes(mode="RGB;16", size=(W, H), data=raw)
    heif.save(str(dst), quality=-1, bit_depth=10, chroma=444, color_primaries=9,
              transfer_characteristics=16 if kind == "pq" else 18, matrix_coefficients=9, full_range_flag=1)
    return dst


def make_avif(ref: Path, dst: Path, kind: str) -> Path:
    chain = (f"zscale=tin=iec61966-2-1:pin=bt709:t=linear:p=bt709:npl=203,format=gbrpf32le,"
             f"zscale=p=bt2020:t={TRC[kind]}:m=bt2020nc:r=full:npl={NPL[kind]},format=yuv444p10le")
    subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-i", str(ref), "-vf", chain,
                    "-frames:v", "1", "-c:v", "libaom-av1", "-still-picture", "1", "-cpu-used", "8", "-crf", "4",
                    "-color_primaries", "bt2020", "-color_trc", TRC[kind], "-colorspace", "bt2020nc",
                    "-color_range", "pc", "-f", "avif", str(dst)], check=True)
    return dst


def patches(path: Path) -> list[tuple[float, float, float]]:
    a = np.asarray(Image.open(path).convert("RGB")).astype(float)
    out = []
    for i in range(len(PATCHES)):
        y, x = divmod(i, 4)
        out.append(tuple(a[y * P + 64:(y + 1) * P - 64, x * P + 64:(x + 1) * P - 64].mean(axis=(0, 1))))
    return out


# one case in the fast tier, the others in the full suite (each is a real encode and a batch)
@pytest.mark.parametrize("container,kind", [("heic", "pq"), pytest.param("heic", "hlg", marks=pytest.mark.slow),
                                            pytest.param("avif", "pq", marks=pytest.mark.slow),
                                            pytest.param("avif", "hlg", marks=pytest.mark.slow)])
def test_an_hdr_photo_comes_out_as_its_sdr_rendition(tmp_path, container, kind):
    ref = reference(tmp_path / "ref.png")
    src = (make_heic if container == "heic" else make_avif)(ref, tmp_path / f"{kind}.{container}", kind)
    info = identify(src)
    assert info.extra["nclx"][1] == (16 if kind == "pq" else 18) and not info.is_srgb
    # what the decoder alone gives is the coded signal: SDR white as grey (the defect)
    flat = patches(src)
    assert flat[0][0] < 200 and flat[2][0] < 125
    res = prepare_one(src, ["twitter/post"], tmp_path / "out")
    [out] = [p for p in (tmp_path / "out").rglob("*") if p.is_file()]  # a PNG: few colours, a graphic
    assert Image.open(out).size == (W, H)
    got = patches(out)
    # SDR white lands at ~244 (the roll-off starts at 80% of white); greys within a few levels
    assert all(abs(v - 244) <= 6 for v in got[0]), got[0]
    for want, have in zip(PATCHES[1:4], got[1:4]):
        assert all(abs(h - w) <= 4 for h, w in zip(have, want)), (want, have)
    # colours within 16 levels: a dark channel of a saturated colour is where 8-bit PQ steps
    # (what the decoders hand over) are coarsest
    for want, have in zip(PATCHES[4:], got[4:]):
        assert all(abs(h - w) <= 16 for h, w in zip(have, want)), (want, have)
    red, green, blue = got[5], got[6], got[7]
    assert red[0] > 2 * red[1] and green[1] > 2 * green[0] and blue[2] > 2 * blue[1]  # hues kept
    found = {f.code: f for f in res.results[0].findings}
    assert "tone-mapped to SDR" in found["not-srgb"].message, found


def test_an_avif_takes_the_primary_items_colour_box_not_another_items():
    """A gain-map AVIF carries the HDR alternate's nclx beside the SDR base's: only the primary
    item's counts (here a made-up meta box: item 1 is SDR BT.709, item 2 PQ)."""
    def box(kind: bytes, body: bytes) -> bytes:
        return (8 + len(body)).to_bytes(4, "big") + kind + body

    def nclx(p, t, m):
        return box(b"colr", b"nclx" + p.to_bytes(2, "big") + t.to_bytes(2, "big") + m.to_bytes(2, "big") + b"\x80")

    ipco = box(b"ipco", nclx(1, 1, 1) + nclx(9, 16, 9))
    ipma = box(b"ipma", bytes(4) + (2).to_bytes(4, "big") + (1).to_bytes(2, "big") + bytes([1, 0x81])
               + (2).to_bytes(2, "big") + bytes([1, 0x82]))

    def meta(primary: int) -> bytes:
        return box(b"ftyp", b"avif" + bytes(4) + b"avifmif1") + box(
            b"meta", bytes(4) + box(b"pitm", bytes(4) + primary.to_bytes(2, "big")) + box(b"iprp", ipco + ipma))

    assert hdr.avif_nclx(meta(1)) == (1, 1, 1) and hdr.kind_of(hdr.avif_nclx(meta(1))) is None
    assert hdr.avif_nclx(meta(2)) == (9, 16, 9) and hdr.kind_of((9, 16, 9)) == "pq"
    assert hdr.avif_nclx(b"\x00\x00\x00\x08junk") is None


def test_the_tone_curve_puts_sdr_white_and_mid_grey_where_sdr_has_them():
    e = np.array([0.5807, 0.75])  # PQ at 203 nits; HLG at 75% (BT.2408 reference white)
    pq, hlg = hdr.tone_curve("pq", 100_001), hdr.tone_curve("hlg", 100_001)
    assert 0.88 < pq[int(e[0] * 100_000)] < 0.93 and 0.88 < hlg[int(e[1] * 100_000)] < 0.93
    assert np.all(np.diff(pq) >= 0) and np.all(np.diff(hlg) >= 0) and pq[-1] == 1.0
