"""Files that are not what they seem (issue 15: 10, 13, 15, 17): cut JPEGs that still end with an EOI
marker, headers that claim more rows than the data holds, AVIF with an orientation, valid variants
Pillow does not decode, pictures over Pillow's own cap, animations and multi-page files, 16-bit PNGs."""
import io
import struct
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import assetkit
from assetkit.media import identify

import fixtures as fx


def _cut_with_eoi(src: Path, dst: Path, keep=0.5) -> Path:
    data = src.read_bytes()
    dst.write_bytes(data[: int(len(data) * keep)] + b"\xff\xd9")
    return dst


def _taller_header(src: Path, dst: Path) -> Path:
    """The SOF0 marker's height doubled: the data holds half the rows the header claims."""
    data = bytearray(src.read_bytes())
    i = data.index(b"\xff\xc0")
    h = struct.unpack(">H", data[i + 5:i + 7])[0]
    data[i + 5:i + 7] = struct.pack(">H", h * 2)
    dst.write_bytes(bytes(data))
    return dst


@pytest.mark.parametrize("make", [_cut_with_eoi, _taller_header], ids=["cut-with-eoi", "header-claims-more-rows"])
def test_cut_jpeg_is_truncated_not_half_grey(tmp_path, make):
    good = fx.make_photo(tmp_path / "good.jpg", (2400, 1600))
    bad = make(good, tmp_path / "bad.jpg")
    res = assetkit.prepare([bad], "instagram/post", out_dir=tmp_path / "out", jobs=1)
    [r] = res.results
    [f] = [f for f in r.findings if f.code == "truncated"]
    assert f.severity == "error" and "bad.jpg" in f.message and "--allow-partial" in f.message
    assert not r.outputs or not any(o.output for o in r.outputs)
    assert res.exit_status == 1 and not list((tmp_path / "out").rglob("*.jpg"))
    # --allow-partial: written, with a warning a person must look at
    res = assetkit.prepare([bad], "instagram/post", out_dir=tmp_path / "out", jobs=1, allow_partial=True)
    [o] = res.results[0].outputs
    [f] = [f for f in res.results[0].all_findings if f.code == "truncated"]
    assert f.severity == "warning" and o.status == "needs-review" and Path(o.output).is_file()


def test_a_whole_jpeg_with_a_flat_bottom_row_is_not_called_truncated(tmp_path):
    img = Image.new("RGB", (1600, 1200), "white")
    img.paste(Image.effect_noise((1600, 1000), 60).convert("RGB"), (0, 0))
    src = tmp_path / "white-bottom.jpg"
    img.save(src, quality=90)
    res = assetkit.prepare([src], "instagram/post", out_dir=tmp_path / "out", jobs=1)
    assert "truncated" not in {f.code for f in res.results[0].all_findings}
    assert res.results[0].outputs[0].status.written


def test_avif_is_read_as_avif_and_its_orientation_applied(tmp_path):
    # stored landscape 4032x3024 with orientation 6: shown portrait, as libvips' avif-orientation-6
    stored = Image.new("RGB", (4032, 3024), "red")
    stored.paste(Image.new("RGB", (2016, 3024), "blue"), (2016, 0))
    ex = Image.Exif()
    ex[0x0112] = 6
    src = tmp_path / "orientation-6.avif"
    stored.save(src, exif=ex, quality=60, speed=10)
    info = identify(src)
    assert info.format == "AVIF" and (info.width, info.height) == (3024, 4032)
    res = assetkit.prepare([src], "instagram/story", out_dir=tmp_path / "out", jobs=1, crop="centre")
    [o] = res.results[0].outputs
    assert o.status.written, res.results[0].all_findings
    with Image.open(o.output) as out:
        assert out.height > out.width
        a = np.asarray(out.convert("RGB")).astype(int)
    # rotated 90 degrees clockwise: the stored left (red) half is now the top
    top, bottom = a[: a.shape[0] // 4].mean((0, 1)), a[-a.shape[0] // 4:].mean((0, 1))
    assert top[0] > 150 > top[2] and bottom[2] > 150 > bottom[0]


def _lab16_tiff(path: Path, w=64, h=48) -> Path:
    """A valid 16-bit CIELab TIFF (PhotometricInterpretation 8, 3 x 16 bits, uncompressed)."""
    pixels = np.zeros((h, w, 3), "<u2")
    pixels[..., 0] = 40000
    data = pixels.tobytes()
    entries = [(256, 3, 1, w), (257, 3, 1, h), (258, 3, 3, None), (259, 3, 1, 1), (262, 3, 1, 8),
               (273, 4, 1, None), (277, 3, 1, 3), (278, 3, 1, h), (279, 4, 1, len(data)), (284, 3, 1, 1)]
    ifd_at = 8
    extra_at = ifd_at + 2 + len(entries) * 12 + 4
    bps_at, data_at = extra_at, extra_at + 6
    out = bytearray(b"II*\x00" + struct.pack("<I", ifd_at) + struct.pack("<H", len(entries)))
    for tag, typ, count, value in entries:
        if tag == 258:
            value = bps_at
            out += struct.pack("<HHII", tag, typ, count, value)
        elif tag == 273:
            out += struct.pack("<HHII", tag, typ, count, data_at)
        elif typ == 3:
            out += struct.pack("<HHIHH", tag, typ, count, value, 0)
        else:
            out += struct.pack("<HHII", tag, typ, count, value)
    out += struct.pack("<I", 0) + struct.pack("<HHH", 16, 16, 16) + data
    path.write_bytes(bytes(out))
    return path


def test_what_is_valid_but_not_supported_is_not_called_damaged(tmp_path):
    src = _lab16_tiff(tmp_path / "lab16.tif")
    res = assetkit.check([src], "instagram/post", jobs=1)
    [f] = res.results[0].findings
    assert f.code == "unsupported-format" and "damaged" not in f.message, f


def test_pillows_own_cap_does_not_refuse_what_max_pixels_allows(tmp_path, monkeypatch):
    # the 240 MP TIFF of the issue, scaled down: Pillow's cap (here 1 MP) must not speak for --max-pixels
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1_000_000)
    src = fx.make_tiff(tmp_path / "big.tif", (2600, 2000))
    res = assetkit.prepare([src], "instagram/post", out_dir=tmp_path / "out", jobs=1)
    assert res.results[0].outputs[0].status.written, res.results[0].all_findings
    assert Image.MAX_IMAGE_PIXELS == 1_000_000  # lifted for our decode only


def _animated(path: Path, fmt: str) -> Path:
    frames = [Image.new("RGB", (1200, 1200), c) for c in ("red", "green", "blue")]
    frames[0].save(path, fmt, save_all=True, append_images=frames[1:], duration=100)
    return path


@pytest.mark.parametrize("name,fmt,what", [("anim.gif", "GIF", "frame"), ("anim.webp", "WEBP", "frame"),
                                           ("pages.tif", "TIFF", "page")])
def test_animations_and_multi_page_files_say_only_the_first_frame_is_used(tmp_path, name, fmt, what):
    src = _animated(tmp_path / name, fmt)
    res = assetkit.prepare([src], "instagram/post", out_dir=tmp_path / "out", jobs=1)
    [r] = res.results
    [f] = [f for f in r.all_findings if f.code == "first-frame-only"]
    assert name in f.message and f"only its first {what}" in f.message
    assert r.outputs[0].status.written


def test_bits_of_a_16_bit_png_are_16(tmp_path):
    assert identify(fx.make_png16(tmp_path / "rgb16.png", rgb=True)).extra["bits"] == 16
    assert identify(fx.make_png16(tmp_path / "grey16.png")).extra["bits"] == 16
    assert identify(fx.make_photo(tmp_path / "a.jpg", (64, 64))).extra["bits"] == 8


def test_250_byte_names_get_a_short_unique_output_name(tmp_path):
    from assetkit.fsutil import NAME_BYTES, TMP_SUFFIX, fit_name

    d = tmp_path / "in"
    d.mkdir()
    long_a = "é" * 60 + "a" * 124 + "-1.jpg"   # 250 bytes in UTF-8
    long_b = "é" * 60 + "a" * 124 + "-2.jpg"
    assert len(long_a.encode()) == 250
    fx.make_photo(d / long_a, (1200, 1200))
    fx.make_photo(d / long_b, (1200, 1200), seed=2)
    for flat in (False, True):
        out = tmp_path / f"out-{flat}"
        res = assetkit.prepare([d], "instagram/post", out_dir=out, jobs=1, flat=flat)
        outs = sorted(Path(o.output) for r in res.results for o in r.outputs)
        assert len(outs) == 2 and all(p.is_file() for p in outs), [r.all_findings for r in res.results]
        assert len(set(outs)) == 2 and all(len(p.name.encode()) <= NAME_BYTES for p in outs)
        assert all(p.suffix == ".jpg" and p.name.startswith("é" * 60) for p in outs)
        assert not list(out.rglob(f"*{TMP_SUFFIX}*"))
        again = assetkit.prepare([d], "instagram/post", out_dir=out, jobs=1, flat=flat)
        assert again.counts() == {"up-to-date": 2}  # the same long name always maps to the same output
    assert fit_name("short.jpg") == "short.jpg"


def test_untagged_cmyk_is_converted_as_a_standard_press_profile(tmp_path):
    from PIL import ImageCms

    from assetkit.image.load import press_profile

    press = press_profile()
    if press is None:
        pytest.skip("no standard CMYK press profile on this machine (Debian: apt-get install libgs-common)")
    src = fx.make_cmyk_jpeg(tmp_path / "cmyk.jpg", (1200, 1200))
    res = assetkit.prepare([src], "instagram/post", out_dir=tmp_path / "out", jobs=1, crop="centre")
    [r] = res.results
    notes = [f.message for f in r.all_findings if f.code == "not-srgb"]
    assert any(press[1] in m and "without an embedded profile" in m for m in notes), notes
    swop = ImageCms.ImageCmsProfile(io.BytesIO(press[0]))
    srgb = ImageCms.createProfile("sRGB")
    centres = fx.cmyk_patch_centres((1200, 1200))
    with Image.open(r.outputs[0].output) as out:
        for name, cmyk, naive in fx.CMYK_PATCHES:
            want = ImageCms.profileToProfile(Image.new("CMYK", (1, 1), cmyk), swop, srgb, outputMode="RGB",
                                             renderingIntent=ImageCms.Intent.PERCEPTUAL).getpixel((0, 0))
            x, y = centres[name]
            got = out.getpixel((int(x * 0.9), int(y * 0.9)))
            assert max(abs(a - b) for a, b in zip(got, want)) <= 8, (name, got, want)
            if name == "cyan":  # the plain formula's (0, 255, 255) is far from what a press prints
                assert max(abs(a - b) for a, b in zip(got, naive)) > 40, got


def test_a_tiff_over_the_memory_budget_is_banded_or_names_the_max_pixels_that_allows_it(tmp_path, monkeypatch):
    """15.13: an uncompressed TIFF over the decode budget is read in bands reduced as they come (the
    output matches the full decode's); a compressed one, which Pillow decodes only whole, is refused
    with the exact --max-pixels that lets it in."""
    from assetkit.image import load

    monkeypatch.setattr(load, "BAND_BYTES", 200_000)         # the 240 MP case scaled down 125 times
    raw = fx.make_tiff(tmp_path / "raw.tif", (1600, 1200), compression="raw")
    lzw = fx.make_tiff(tmp_path / "lzw.tif", (1600, 1200), compression="tiff_lzw")
    slot = "instagram/profile"                                  # 320x320: read at 1/3
    small = assetkit.prepare([raw, lzw], slot, out_dir=tmp_path / "out", jobs=1, max_pixels=4_000_000)
    by = {Path(r.source).name: r for r in small.results}
    assert by["raw.tif"].outputs and by["raw.tif"].outputs[0].status.written, by["raw.tif"].all_findings
    [f] = [f for f in by["lzw.tif"].all_findings if f.code == "too-many-pixels"]
    assert "needs 6 MB" in f.message and "--max-pixels 5800000 allows it" in f.message, f.message
    full = assetkit.prepare([raw], slot, out_dir=tmp_path / "full", jobs=1, max_pixels=5_800_000)
    import numpy as np

    with Image.open(by["raw.tif"].outputs[0].output) as a, Image.open(full.results[0].outputs[0].output) as b:
        assert a.size == b.size
        diff = np.abs(np.asarray(a.convert("RGB"), float) - np.asarray(b.convert("RGB"), float))
    assert diff.mean() < 1.5, diff.mean()
    # and the full decode is what a larger limit gives: the lzw file with the named value
    again = assetkit.prepare([lzw], slot, out_dir=tmp_path / "lzw", jobs=1, max_pixels=5_800_000)
    assert again.results[0].outputs[0].status.written


@pytest.mark.parametrize("make", [_cut_with_eoi, _taller_header], ids=["cut-with-eoi", "header-claims-more-rows"])
def test_check_of_a_jpeg_that_needs_no_pixels_decodes_none_and_still_finds_a_cut(tmp_path, monkeypatch, make):
    """Memory goal of issue 15: check and --dry-run read only the header where a plan needs no pixels
    (a JPEG with a centred crop, no faces wanted); a cut file is still found (strict 1/8 decode), and
    the plan is prepare's."""
    from assetkit.image import load

    good = fx.make_photo(tmp_path / "good.jpg", (2400, 1600))
    bad = make(good, tmp_path / "bad.jpg")
    with monkeypatch.context() as m:
        m.setattr(load, "decode", lambda *a, **k: pytest.fail("check decoded the picture"))
        res = assetkit.check([good, bad], "instagram/post,twitter/post", jobs=1, crop="centre")
        dry = assetkit.prepare([good], "instagram/post,twitter/post", out_dir=tmp_path / "dry", jobs=1,
                               crop="centre", dry_run=True)
    by = {Path(r.source).name: r for r in res.results}
    assert [f.code for f in by["bad.jpg"].findings if f.code == "truncated"] == ["truncated"]
    assert {o.status.value for o in by["good.jpg"].outputs} == {"planned"}
    done = assetkit.prepare([good], "instagram/post,twitter/post", out_dir=tmp_path / "out", jobs=1, crop="centre")
    for planned, made in zip(dry.results[0].outputs, done.results[0].outputs):
        assert planned.plan["crop"] == made.plan["crop"] and planned.size == made.size
        assert planned.plan["format"] == made.plan["format"] == "jpeg"
