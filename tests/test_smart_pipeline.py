"""Smart crop through the real pipeline: files on disk, EXIF orientation, findings, preview."""
import numpy as np
from PIL import Image

import assetkit
from assetkit.plan.crop import band_box

import fixtures as fx


def scene(path, size, head_centre, head_h, orientation=None):
    bg = fx.background(*size)
    head = fx.paste_person(bg, head_centre[0], head_centre[1], head_h)
    stored = fx.to_stored(bg, orientation) if orientation else bg
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    stored.save(path, "JPEG", quality=90, exif=exif.tobytes())
    return head


def inside(inner, outer, tol=1.0):
    return (inner[0] >= outer[0] - tol and inner[1] >= outer[1] - tol
            and inner[2] <= outer[2] + tol and inner[3] <= outer[3] + tol)


def plan_of(res):
    [r] = res.results
    [o] = [o for o in r.outputs if o.plan]
    return o.plan


def test_face_at_left_third_stays_whole_in_square_crop(tmp_path):
    src = tmp_path / "field.jpg"
    head = scene(src, (1800, 1200), (300, 420), 260)
    smart = plan_of(assetkit.prepare([src], "instagram/post", out_dir=tmp_path / "s", jobs=1, variant="square"))
    centre = plan_of(assetkit.prepare([src], "instagram/post", out_dir=tmp_path / "c", jobs=1, variant="square",
                                      crop="centre"))
    assert smart["crop_reason"] == "faces" and "face" in smart["crop_detail"]
    assert inside(head, smart["crop"])
    assert not inside(head, centre["crop"])  # the centred crop cuts the person in half
    with Image.open(tmp_path / "s" / "instagram-post" / "field.jpg") as im:
        assert im.size == (1080, 1080)


def test_orientation_is_applied_before_detection(tmp_path):
    src = tmp_path / "phone.jpg"
    # upright 1200x1800 portrait with the face near the bottom-left; stored sideways with orientation 6
    head = scene(src, (1200, 1800), (330, 1250), 250, orientation=6)
    res = assetkit.prepare([src], "facebook/cover", out_dir=tmp_path / "o", jobs=1)
    p = plan_of(res)
    assert p["crop_reason"] == "faces"
    assert inside(head, p["crop"])
    assert res.results[0].info["analysis"]["faces"]


def test_no_face_falls_back_without_error(tmp_path):
    src = fx.make_photo(tmp_path / "plain.jpg", (1800, 1200))
    res = assetkit.prepare([src], "instagram/post", out_dir=tmp_path / "o", jobs=1, variant="square")
    p = plan_of(res)
    assert p["crop_reason"] in ("saliency", "centre")
    assert res.exit_status == 0


def test_channel_art_puts_the_subject_inside_the_always_visible_band(tmp_path):
    src = tmp_path / "banner.jpg"
    head = scene(src, (3000, 2400), (900, 1500), 420)  # low and to the left: a centred crop misses it
    res = assetkit.prepare([src], "youtube/channel-art", out_dir=tmp_path / "o", jobs=1)
    p = plan_of(res)
    band = band_box(p["crop"], (1546 / 2560, 423 / 1440))
    assert inside(head, band, tol=0.1 * (head[3] - head[1]))
    assert not [f for f in res.results[0].all_findings if f.code == "safe-area"]
    centre = plan_of(assetkit.prepare([src], "youtube/channel-art", out_dir=tmp_path / "c", jobs=1, crop="centre"))
    assert not inside(head, band_box(centre["crop"], (1546 / 2560, 423 / 1440)))


def test_safe_area_fires_when_the_subject_cannot_be_brought_into_the_band(tmp_path):
    src = tmp_path / "edge.jpg"
    scene(src, (2600, 1462), (260, 700), 300)  # already 16:9: the window cannot move, the face is far left
    res = assetkit.check([src], "youtube/channel-art", jobs=1)
    codes = [f for f in res.results[0].all_findings if f.code == "safe-area"]
    assert codes and "1546x423" in codes[0].message
    assert codes[0].section.startswith("2016 MEASUREMENT GUIDELINES > YOUTUBE")


def test_preview_draws_safe_areas_and_circle(tmp_path):
    src = tmp_path / "banner.jpg"
    scene(src, (2600, 1500), (1300, 700), 260)
    out = tmp_path / "preview.png"
    img = assetkit.preview(src, "youtube/channel-art", out)
    assert out.exists() and Image.open(out).size == (2560, 1440)
    plain = assetkit.prepare_image(Image.open(src), "youtube/channel-art").image
    diff = np.abs(np.asarray(img, dtype=int) - np.asarray(plain, dtype=int)).sum(axis=2)
    # the outline of the 1546x423 band (left edge at x=507) is drawn; outside it is dimmed
    assert diff[720, 505:512].max() > 100
    assert diff[50, 1280] > 20
    circle = assetkit.preview(src, "instagram/profile")
    a = np.asarray(circle, dtype=int)
    p = np.asarray(assetkit.prepare_image(Image.open(src), "instagram/profile").image, dtype=int)
    assert np.abs(a[2, 2] - p[2, 2]).sum() > 30       # corner outside the circle darkened
    assert np.abs(a[160, 160] - p[160, 160]).sum() == 0  # centre untouched


def test_check_and_dry_run_plan_the_crop_prepare_makes(tmp_path):
    src = tmp_path / "field.jpg"
    scene(src, (2400, 1600), (700, 600), 380)
    made = plan_of(assetkit.prepare([src], "instagram/post", out_dir=tmp_path / "o", jobs=1))
    dry = plan_of(assetkit.prepare([src], "instagram/post", out_dir=tmp_path / "d", jobs=1, dry_run=True))
    checked = plan_of(assetkit.check([src], "instagram/post", jobs=1))
    assert made["crop"] == dry["crop"] == checked["crop"]
    assert made["crop_reason"] == dry["crop_reason"] == checked["crop_reason"] == "faces"
