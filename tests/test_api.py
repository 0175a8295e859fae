"""The library's front door: prepare_image, check and preview through the one photo plan, and the
front ends agreeing with each other (check, --dry-run, prepare, prepare_image, the hot folder)."""
import io

import numpy as np
import pytest
from PIL import Image

import assetkit

import fixtures as fx

CREDIT = "Photo: A. Person / IOM"


def scene(path, size=(2400, 1600), head=(700, 600), head_h=380, fmt="PNG"):
    """A person off-centre on a textured background: smart crop has something to keep."""
    bg = fx.background(*size)
    fx.paste_person(bg, head[0], head[1], head_h)
    bg.save(path, fmt, **({"quality": 92} if fmt == "JPEG" else {}))
    return path


def sig(findings):
    return sorted((f.code, str(f.severity), f.message, f.slot) for f in findings)


def one(res):
    [r] = res.results
    [o] = r.outputs
    return r, o


# ------------------------------------------------------------------------------------- prepare_image


def test_prepare_image_in_memory(tmp_path):
    img = fx.quadrants_image((2000, 1500))
    out = assetkit.prepare_image(img, "instagram/post", crop="centre")
    assert out.size == (1270, 720) and out.image.mode == "RGB"
    assert fx.quadrant_names(out.image) == fx.UPRIGHT_NAMES
    with pytest.raises(assetkit.UsageError, match="too-small|smaller"):
        assetkit.prepare_image(fx.quadrants_image((300, 300)), "instagram/post")


def test_prepare_image_draws_the_credit_like_prepare(tmp_path):
    img = fx.quadrants_image((2000, 1500))
    plain = assetkit.prepare_image(img, "instagram/post", crop="centre")
    credited = assetkit.prepare_image(img, "instagram/post", crop="centre", credit=CREDIT)
    a, b = np.asarray(plain.image, dtype=int), np.asarray(credited.image, dtype=int)
    diff = np.abs(a - b).sum(axis=2) > 60
    h, w = diff.shape
    assert diff[int(h * 0.85):, int(w * 0.55):].sum() > 200   # bottom-right corner
    assert diff[: int(h * 0.7), :].sum() == 0


def test_prepare_image_takes_a_platform_name_like_prepare():
    img = fx.quadrants_image((2000, 2000))
    res = assetkit.prepare_image(img, "instagram", crop="centre")
    assert res.plan.slot == "instagram/post" and res.size == (1080, 1080)
    assert assetkit.prepare_image(img, "twitter", crop="centre").plan.slot == "twitter/post"


def test_prepare_image_errors_speak_of_parameters_not_flags():
    with pytest.raises(assetkit.UsageError) as e:
        assetkit.prepare_image(fx.quadrants_image((300, 300)), "instagram/post")
    assert "allow_upscale=True" in str(e.value) and "--" not in str(e.value)
    with pytest.raises(assetkit.UsageError, match="one photo slot"):
        assetkit.prepare_image(fx.quadrants_image((300, 300)), "instagram/video")
    res = assetkit.prepare_image(fx.quadrants_image((300, 300)), "instagram/post", allow_upscale=True)
    assert "upscaled" in [f.code for f in res.findings] and res.status == "needs-review"


def test_prepare_image_encodes_within_the_byte_limit_with_the_credit_metadata():
    noise = fx.noise_image((3000, 1500))
    res = assetkit.prepare_image(noise, "twitter/post", crop="centre", credit=CREDIT, quality=100)
    data = res.encode()
    assert res.plan.max_bytes == 5_000_000 and len(data) <= res.plan.max_bytes
    with Image.open(io.BytesIO(data)) as im:
        assert im.format == "JPEG" and im.size == (1024, 512)
        assert im.getexif().get(0x013B) == CREDIT and im.getexif().get(0x8298) == CREDIT
        xmp = im.info.get("xmp") or b""
        assert b"A. Person / IOM" in xmp and res.plan.recipe.encode() in xmp
    # a tighter limit is searched for (quality, then size), never exceeded
    slot = assetkit.load_presets().get("twitter/post")
    from dataclasses import replace

    from assetkit.presets import Sourced

    tight = replace(slot, max_bytes=Sourced(150_000, "test"))
    small = assetkit.prepare_image(noise, tight, crop="centre", credit=CREDIT).encode()
    assert len(small) <= 150_000
    with Image.open(io.BytesIO(small)) as im:
        assert im.getexif().get(0x013B) == CREDIT


def test_prepare_image_leaves_the_callers_image_alone(tmp_path):
    src = scene(tmp_path / "a.jpg", fmt="JPEG")
    with Image.open(src) as im:
        assetkit.prepare_image(im, "instagram/post")
        assert im.size == (2400, 1600)   # not drafted down, not closed
        im.load()


# ---------------------------------------------------------------------------------------------- check


def test_check_accepts_bytes_file_objects_and_pil_images(tmp_path):
    src = scene(tmp_path / "field.png")
    by_path = one(assetkit.check([src], "instagram/post", jobs=1))
    data = src.read_bytes()
    with open(src, "rb") as fh:
        from_file = one(assetkit.check(fh, "instagram/post", jobs=1))
    from_bytes = one(assetkit.check(data, "instagram/post", jobs=1))
    with Image.open(src) as im:
        from_image = one(assetkit.check(im, "instagram/post", jobs=1))
    assert from_file[0].source == str(src)
    assert from_bytes[0].source == "<bytes 1>" and from_image[0].source == "<memory>"
    for r, o in (from_file, from_bytes, from_image):
        assert o.status == "planned"
        assert o.plan["crop"] == by_path[1].plan["crop"] and o.plan["crop_reason"] == "faces"
        assert sig(o.findings) == sig(by_path[1].findings)
    res = assetkit.check([src, data], "instagram/post", jobs=1)
    assert len(res.results) == 2 and res.counts()["planned"] == 2


def test_check_of_broken_bytes_is_a_finding_not_a_crash():
    res = assetkit.check(b"not a picture at all", "instagram/post", jobs=1)
    [r] = res.results
    assert r.findings[0].code == "unreadable" and res.exit_status == 1


# ------------------------------------------------------------------------------------------- preview


def test_preview_takes_the_options_prepare_takes(tmp_path):
    src = scene(tmp_path / "p.png", size=(1600, 1600), head=(800, 700), head_h=300)
    plain = np.asarray(assetkit.preview(src, "instagram/post", crop="centre"), dtype=int)
    credited = np.asarray(assetkit.preview(src, "instagram/post", crop="centre", credit=CREDIT), dtype=int)
    prepared = one(fx.prepare_one(src, "instagram/post", tmp_path / "o", credit=CREDIT))[1]
    diff = np.abs(plain - credited).sum(axis=2) > 60
    x0, y0, x1, y1 = prepared.extra["credit"]["box"]
    ys, xs = np.nonzero(diff)
    assert len(xs) > 200   # the credit is drawn where prepare draws it
    assert xs.min() >= x0 - 4 and xs.max() <= x1 + 4 and ys.min() >= y0 - 4 and ys.max() <= y1 + 4


# ------------------------------------------------------------------------------ the front ends agree


@pytest.fixture(scope="module")
def agreed(tmp_path_factory):
    """One photo through every photo front end with the same options: (findings, crop) for each."""
    tmp_path = tmp_path_factory.mktemp("agreed")
    (tmp_path / "in").mkdir()
    src = scene(tmp_path / "in" / "field.png")
    opts = dict(credit=CREDIT, variant="square")
    got = {}
    r, o = one(assetkit.check([src], "instagram/post", jobs=1, **opts))
    got["check"] = (sig(r.findings + o.findings), o.plan["crop"])
    r, o = one(assetkit.prepare([src], "instagram/post", out_dir=tmp_path / "dry", jobs=1, dry_run=True, **opts))
    got["dry-run"] = (sig(r.findings + o.findings), o.plan["crop"])
    r, o = one(assetkit.prepare([src], "instagram/post", out_dir=tmp_path / "out", jobs=1, **opts))
    got["prepare"] = (sig(r.findings + o.findings), o.plan["crop"])
    prepared_pixels = np.asarray(Image.open(o.output), dtype=int)
    with Image.open(src) as im:
        res = assetkit.prepare_image(im, "instagram/post", **opts)
    got["prepare_image"] = (sig(res.findings), res.plan.crop)
    got["hot folder"] = _hot_folder(tmp_path, src, opts)
    return got, prepared_pixels, res


def _hot_folder(tmp_path, src, opts):
    """The hot folder in-process (--once, one job): the results its batch got from the engine."""
    import shutil

    from assetkit import watch
    from assetkit.image import pipeline

    root = tmp_path / "hot"
    (root / "instagram-post").mkdir(parents=True)
    shutil.copy(src, root / "instagram-post" / src.name)
    seen = []
    real = pipeline.run
    pipeline.run = lambda job: seen.append(real(job)) or seen[-1]
    try:
        assert watch.watch(root, "instagram/post", once=True, jobs=1, settle=0, out=io.StringIO(), **opts) == 0
    finally:
        pipeline.run = real
    [r] = seen
    [o] = r.outputs
    assert o.status.written and (root / "ready" / "instagram-post" / "field.jpg").is_file()
    return sig(r.findings + o.findings), o.plan["crop"]


FRONT_ENDS = ["check", "dry-run", "prepare", "prepare_image", "hot folder"]
PAIRS = [(a, b) for i, a in enumerate(FRONT_ENDS) for b in FRONT_ENDS[i + 1:]]


@pytest.mark.parametrize("a, b", PAIRS)
def test_two_photo_front_ends_give_the_same_findings_and_crop(agreed, a, b):
    got, _, _ = agreed
    assert got[a][1] != (0, 0, 0, 0) and got[a][0]  # a real crop, real findings
    assert tuple(got[a][1]) == tuple(got[b][1])      # the same crop
    assert got[a][0] == got[b][0]                    # the same findings, word for word


def test_prepare_image_makes_the_pixels_prepare_writes(agreed):
    _, prepared, res = agreed
    with Image.open(io.BytesIO(res.encode())) as im:
        mine = np.asarray(im, dtype=int)
    assert mine.shape == prepared.shape
    assert np.abs(mine - prepared).mean() < 1.0   # the same crop, credit and encoder settings
