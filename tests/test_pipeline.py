"""The photo pipeline on real files: orientation, formats, colour, sizes, shrink-on-load, byte limits."""
import io
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageCms

import assetkit
from assetkit.image.load import decode
from assetkit.media import identify, open_image

import fixtures as fx
from fixtures import prepare_one as prep


def only_output(result):
    [r] = result.results
    outs = [o for o in r.outputs if o.output]
    assert outs, [f.message for f in r.all_findings]
    return outs[0]


@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_exif_orientation_ends_upright(tmp_path, orientation):
    # upright 1600x1200 (landscape) stored in every orientation -> 1270x720 landscape, quadrants intact
    src = fx.make_photo(tmp_path / f"o{orientation}.jpg", (1600, 1200), orientation=orientation)
    out = only_output(prep(src, "instagram/post", tmp_path / "out"))
    with Image.open(out.output) as im:
        assert im.size == (1270, 720)
        assert im.getexif().get(0x0112, 1) == 1
        assert fx.quadrant_names(im.convert("RGB")) == fx.UPRIGHT_NAMES


def test_portrait_orientation6_is_portrait_and_square_crop(tmp_path):
    src = fx.make_photo(tmp_path / "p.jpg", (1200, 1800), orientation=6)
    info = identify(src)
    assert (info.width, info.height, info.orientation) == (1200, 1800, 6)
    out = only_output(prep(src, "instagram/post", tmp_path / "out"))
    assert out.size == (1080, 1080)


@pytest.mark.parametrize("maker, name", [
    (lambda p: fx.make_photo(p, (500, 500), fmt="PNG"), "a.png"),
    (lambda p: fx.make_webp(p, (500, 500)), "a.webp"),
    (lambda p: fx.make_tiff(p, (500, 500)), "a.tif"),
    (lambda p: fx.make_bmp(p, (500, 500)), "a.bmp"),
    (lambda p: fx.make_heic(p, (500, 500)), "a.heic"),
    (lambda p: fx.make_heic(p, (500, 440), orientation=6), "rot.heic"),
])
def test_formats_are_read_and_come_out_upright(tmp_path, maker, name):
    src = maker(tmp_path / name)
    out = only_output(prep(src, "twitter/profile", tmp_path / "out"))
    with Image.open(out.output) as im:
        assert im.size == (400, 400)
        assert fx.quadrant_names(im.convert("RGB")) == fx.UPRIGHT_NAMES


@pytest.mark.parametrize("name", ["photo.JPG", "photo.jpeg", "photo", "photo.png", "photo.txt"])
def test_type_comes_from_the_bytes_not_the_name(tmp_path, name):
    src = tmp_path / name
    fx.make_photo(tmp_path / "x.jpg", (1200, 1200)).rename(src)
    out = only_output(prep(src, "instagram/post", tmp_path / "out"))
    assert out.output.endswith(".jpg")
    assert Image.open(out.output).format == "JPEG"


def test_gif_first_frame(tmp_path):
    src = fx.make_palette_gif(tmp_path / "anim.gif", (1200, 1200))
    out = only_output(prep(src, "instagram/post", tmp_path / "out"))
    with Image.open(out.output) as im:
        assert im.format == "PNG"  # a palette graphic stays lossless
        assert im.convert("RGB").getpixel((5, 5)) == fx.RED


def test_transparent_png_stays_png_with_alpha_and_flattens_white_for_jpeg_only(tmp_path):
    src = fx.make_transparent_png(tmp_path / "logo.png", (1200, 1200))
    out = only_output(prep(src, "instagram/post", tmp_path / "out"))
    with Image.open(out.output) as im:
        assert im.format == "PNG" and im.mode == "RGBA" and im.size == (1080, 1080)
        assert im.getpixel((2, 2))[3] == 0  # transparent corner kept
    # prepare_image flattens when the plan says JPEG; a graphic plan keeps RGBA
    flat = assetkit.api.flatten(Image.open(src))
    assert flat.mode == "RGB" and flat.getpixel((2, 2)) == (255, 255, 255)


def test_cmyk_jpeg_comes_out_srgb_with_correct_colours(tmp_path):
    src = fx.make_cmyk_jpeg(tmp_path / "cmyk.jpg", (1200, 1200))
    res = prep(src, "instagram/post", tmp_path / "out")
    out = only_output(res)
    assert any(f.code == "not-srgb" for f in res.results[0].findings)
    with Image.open(out.output) as im:
        assert im.mode == "RGB" and im.format == "JPEG" and im.size == (1080, 1080)
        profile = ImageCms.ImageCmsProfile(io.BytesIO(im.info["icc_profile"]))
        assert "sRGB" in ImageCms.getProfileDescription(profile)
        centres = fx.cmyk_patch_centres((1200, 1200))
        from assetkit.image.load import press_profile, to_srgb

        for name, cmyk, want in fx.CMYK_PATCHES:  # the whole picture is kept, scaled by 0.9
            if press_profile():  # untagged CMYK is read as the standard press profile (issue 15.14)
                want = to_srgb(Image.new("CMYK", (1, 1), cmyk), None).getpixel((0, 0))
            x, y = centres[name]
            got = im.getpixel((int(x * 0.9), int(y * 0.9)))
            assert max(abs(a - b) for a, b in zip(got, want)) <= 12, (name, got, want)


@pytest.mark.parametrize("profile, colour", [("adobe-rgb", (0, 128, 0)), ("adobe-rgb", (200, 60, 40)),
                                             ("display-p3", (230, 40, 40))])
def test_icc_tagged_jpeg_is_converted_to_srgb(tmp_path, profile, colour):
    src = fx.make_icc_jpeg(tmp_path / "icc.jpg", (1200, 1200), profile=profile, colour=colour)
    res = prep(src, "instagram/post", tmp_path / "out")
    out = only_output(res)
    assert any(f.code == "not-srgb" for f in res.results[0].findings)
    with Image.open(out.output) as im:
        got = np.asarray(im.convert("RGB"))[500:580, 500:580].reshape(-1, 3).mean(axis=0)
    want = np.array(fx.expected_srgb(profile, colour))
    assert np.abs(got - want).max() <= 4, (got, want)
    # and it is not the untransformed value (the test would pass without colour management otherwise)
    if np.abs(want - np.array(colour)).max() > 6:
        assert np.abs(got - np.array(colour)).max() > 4


def test_16_bit_grey_png_becomes_8_bit(tmp_path):
    src = fx.make_png16(tmp_path / "g16.png", (1200, 1200))
    out = only_output(prep(src, "instagram/post", tmp_path / "out"))
    with Image.open(out.output) as im:
        g = np.asarray(im.convert("L")).astype(int)
    assert g[:, 5].mean() < 20 and g[:, -5].mean() > 235  # the ramp survives: dark left, light right


def test_outputs_have_exactly_the_slot_size(tmp_path):
    src = fx.make_photo(tmp_path / "big.jpg", (3000, 2000))
    lib = assetkit.load_presets()
    slots = [s for s in lib.slots.values() if s.kind == "photo" and s.id != "youtube/channel-art"]
    res = assetkit.prepare([src], slots, out_dir=tmp_path / "out", jobs=1, crop="centre")
    for o in res.results[0].outputs:
        v = lib.get(o.slot)
        with Image.open(o.output) as im:
            assert im.size in [x.size for x in v.variants], o.slot


def test_24mp_jpeg_is_decoded_with_dct_scaling(tmp_path):
    src = fx.make_photo(tmp_path / "24mp.jpg", (6000, 4000), quality=70)
    im = open_image(src)
    info = identify(src, im=im)
    # instagram landscape 1270x720 from 6000x3402 needs 4.7 source pixels per output pixel:
    # 1/4 is the largest DCT scale that still covers it (1/8 would leave 750 < 1270 columns)
    decoded, sx, sy = decode(im, info, shrink=6000 / 1270)
    assert decoded.size == (1500, 1000)
    assert sx == sy == 0.25
    out = only_output(prep(src, "instagram/post", tmp_path / "out"))
    assert out.size == (1270, 720)


def test_too_small_gives_finding_and_no_output_unless_upscale_allowed(tmp_path):
    src = fx.make_photo(tmp_path / "small.jpg", (800, 600))
    res = prep(src, "instagram/post", tmp_path / "out")
    [r] = res.results
    [o] = r.outputs
    assert o.status == "failed" and o.output is None
    assert [f.code for f in o.findings] == ["too-small"]
    assert "800x600" in o.findings[0].message and "--allow-upscale" in o.findings[0].message
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("*.jpg"))
    assert res.exit_status == 1
    res = prep(src, "instagram/post", tmp_path / "out", allow_upscale=True)
    out = only_output(res)
    assert out.size in [(1080, 1080), (1270, 720)]
    assert any(f.code == "upscaled" for f in out.findings)
    assert res.exit_status == 0


@pytest.mark.parametrize("slot, limit", [("twitter/post", 5_000_000), ("twitter/header", 10_000_000)])
def test_byte_limit_holds_on_noise(tmp_path, slot, limit):
    src = fx.make_photo(tmp_path / "noise.png", (3000, 1500), pattern="noise", fmt="PNG")
    res = prep(src, slot, tmp_path / "out", quality=100)
    out = only_output(res)
    assert os.path.getsize(out.output) <= limit
    assert out.bytes <= limit


def test_byte_limit_search_lowers_quality_then_fits(tmp_path):
    from assetkit.image.encode import encode

    img = fx.noise_image((1024, 512))
    big = encode(img, "jpeg", 95, None)
    limit = len(big.data) // 2
    enc = encode(img, "jpeg", 95, limit)
    assert len(enc.data) <= limit and enc.quality < 95 and enc.size == (1024, 512)
    tiny = encode(img, "jpeg", 85, 20_000)  # needs a downscale too
    assert len(tiny.data) <= 20_000 and tiny.size[0] < 1024
    assert any("downscaled" in n for n in tiny.notes)


def _dht_segments(data: bytes) -> list[bytes]:
    """The Huffman table (DHT) segments of a JPEG, in order."""
    out, i = [], 2
    while i + 4 <= len(data) and data[i] == 0xFF and data[i + 1] != 0xDA:  # up to start of scan
        n = int.from_bytes(data[i + 2:i + 4], "big")
        if data[i + 1] == 0xC4:
            out.append(data[i + 4:i + 2 + n])
        i += 2 + n
    return out


def test_jpeg_is_baseline_optimised_420_with_srgb_profile(tmp_path):
    import io

    src = fx.make_photo(tmp_path / "a.jpg", (1300, 1300))
    out = only_output(prep(src, "instagram/post", tmp_path / "out"))
    data = Path(out.output).read_bytes()
    with Image.open(out.output) as im:
        assert not (im.info.get("progressive") or im.info.get("progression"))
        from PIL import JpegImagePlugin
        assert JpegImagePlugin.get_sampling(im) == 2  # 4:2:0
        assert im.info.get("icc_profile")
        standard = io.BytesIO()
        im.convert("RGB").save(standard, "JPEG", quality=85)  # libjpeg's standard (Annex K) tables
    # optimised Huffman tables: built for these pixels, so not libjpeg's standard ones
    assert _dht_segments(data) and _dht_segments(data) != _dht_segments(standard.getvalue())


def test_opaque_rgba_photo_becomes_jpeg_but_transparent_graphic_stays_png(tmp_path):
    photo = fx.noise_image((1200, 1200)).convert("RGBA")  # a screenshot-style PNG: alpha channel, all opaque
    photo.save(tmp_path / "shot.png")
    out = only_output(prep(tmp_path / "shot.png", "instagram/post", tmp_path / "out"))
    assert out.output.endswith(".jpg")
    logo = fx.make_transparent_png(tmp_path / "logo.png", (1200, 1200))
    assert only_output(prep(logo, "instagram/post", tmp_path / "out")).output.endswith(".png")


def test_a_picture_given_only_video_slots_is_skipped_not_failed(tmp_path):
    # 12.3 for images: no outputs, one info finding, status skipped, exit 0
    src = fx.make_photo(tmp_path / "a.jpg", (1200, 1200))
    res = assetkit.prepare([src], "instagram/video,youtube/video", out_dir=tmp_path / "o", jobs=1)
    [r] = res.results
    assert r.outputs == [] and [(f.code, f.severity) for f in r.findings] == [("skipped", "info")]
    assert r.status == "skipped" and not r.failed and res.exit_status == 0
    assert res.counts() == {"skipped": 1} and not (tmp_path / "o").exists()
    assert assetkit.check([src], "instagram/video", jobs=1).exit_status == 0


def test_up_to_date_answers_from_the_header_without_decoding(tmp_path, monkeypatch):
    from assetkit.batch import collect_jobs
    from assetkit.image import pipeline

    src = fx.make_photo(tmp_path / "a.jpg", (2400, 1600))
    slots = assetkit.load_presets().resolve("instagram/post,twitter/post")
    opts = assetkit.Options(out_dir=str(tmp_path / "o"), crop="centre")
    [job] = collect_jobs([src], slots, opts)
    assert pipeline.up_to_date(job) is None  # nothing made yet
    first = pipeline.run(job)
    assert all(o.status.written for o in first.outputs)
    monkeypatch.setattr(pipeline, "decode", lambda *a, **k: pytest.fail("up_to_date decoded the source"))
    done = pipeline.up_to_date(job)
    assert [o.status for o in done.outputs] == ["up-to-date", "up-to-date"]
    assert [o.output for o in done.outputs] == [o.output for o in first.outputs]
    assert "no-credit" in [f.code for f in done.findings]  # the header's findings, as a full run gives
    # one slot out of date (its output removed): not every slot is, so the engine must run
    import os

    os.remove(first.outputs[1].output)
    assert pipeline.up_to_date(job) is None
    assert pipeline.up_to_date(job.__class__(**{**job.__dict__, "mode": "check"})) is None


def test_every_output_carries_its_plan_summary(tmp_path):
    src = fx.make_photo(tmp_path / "a.jpg", (3000, 2000))
    res = prep(src, "instagram/post,facebook/cover", tmp_path / "o", credit="Photo: X")
    for o in res.results[0].outputs:
        s = o.plan["summary"]
        w, h = o.size
        assert s.startswith(f"{w}x{h} JPEG") and "crop " in s and "keeps " in s and "credit " in s


def test_the_engine_imports_no_front_end(tmp_path):
    # an engine receives a Job and returns a JobResult: no batch, CLI, hot folder, report or presets
    import subprocess
    import sys

    src = fx.make_photo(tmp_path / "a.jpg", (1300, 1300))
    code = f"""
import sys
import assetkit.image.pipeline as p
bad = ("assetkit.batch", "assetkit.cli", "assetkit.watch", "assetkit.report", "assetkit.presets")
assert not [m for m in sys.modules if m.startswith(bad)], sorted(m for m in sys.modules if m.startswith(bad))
from assetkit.presets import load_presets
from assetkit.model import Job
from assetkit.options import Options
slots = tuple(load_presets().resolve("instagram/post,twitter/profile"))
r = p.run(Job({str(src)!r}, "a", slots, Options(out_dir={str(tmp_path / 'o')!r}, credit="Photo: X")))
assert all(o.status.written for o in r.outputs) and len(r.outputs) == 2, r
late = [m for m in sys.modules if m.startswith(bad[:4])]
assert not late, late
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("mode", ["RGB", "L"])
def test_jpeg_decodes_at_the_smallest_eighth_scale_that_keeps_the_size_needed(tmp_path, mode):
    """libjpeg-turbo scales by M/8, Pillow's draft only by 1/2, 1/4, 1/8: a 4000x3000 photo that
    needs at least 1482 px across decodes at 3/8 (1500x1125), not at 1/2, with the same picture."""
    src = tmp_path / "big.jpg"
    fx.noise_image((4000, 3000)).convert(mode).save(src, quality=92)
    with open_image(str(src)) as im:
        info = identify(str(src))
        out, sx, sy = decode(im, info, 4000 / 1482)
    assert out.size == (1500, 1125) and out.mode == mode and sx == sy == 1500 / 4000
    with Image.open(src) as full:
        ref = np.asarray(full.convert(mode).resize((375, 281), Image.Resampling.BOX), dtype=float)
    got = np.asarray(out.resize((375, 281), Image.Resampling.BOX), dtype=float)
    assert np.abs(got - ref).mean() < 2.0


def test_cmyk_jpeg_keeps_pillows_draft_decode(tmp_path):
    src = tmp_path / "cmyk.jpg"
    Image.new("CMYK", (4000, 3000), (0, 200, 200, 0)).save(src, quality=92)
    with open_image(str(src)) as im:
        out, sx, _ = decode(im, identify(str(src)), 4000 / 1482)
    assert out.mode == "CMYK" and out.size == (2000, 1500)  # Pillow's 1/2: TurboJPEG is not asked
