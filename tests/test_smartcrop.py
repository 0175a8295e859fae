"""Smart crop: real OpenCV detection on the astronaut's face pasted at known places, and the crop
geometry as pure functions (no pixels)."""
from __future__ import annotations

import json
import math

import numpy as np
import pytest
from PIL import Image

from fixtures import ASTRO, HEAD, PERSON, background, paste_person
from assetkit.image.analyse import analyse
from assetkit.plan.crop import (
    Analysis, CropChoice, Face, band_box, choose_crop, subject_cut_by_circle, subject_outside_band,
)
from assetkit.plan.geometry import window_at

BAND = (1546 / 2560, 423 / 1440)


def small(img: Image.Image, long_side: int = 512) -> Image.Image:
    s = long_side / max(img.size)
    return img.resize((round(img.width * s), round(img.height * s)), Image.BILINEAR)


def inside(inner, outer, tol: float = 0.5) -> bool:
    return all(inner[i] >= outer[i] - tol for i in (0, 1)) and all(inner[i] <= outer[i] + tol for i in (2, 3))


def centre_crop(w, h, aspect):
    return window_at(w, h, aspect, w / 2, h / 2)


# ----------------------------------------------------------------------------- pure geometry

@pytest.mark.parametrize("src", [(1500, 1000), (1000, 1500), (1000, 1000), (4032, 3024), (2560, 1440), (7, 3)])
@pytest.mark.parametrize("aspect", [1.0, 851 / 315, 2560 / 1440, 4 / 5, 3.0])
@pytest.mark.parametrize("centre", [(0, 0), (0.5, 0.5), (1, 1), (0.9, 0.1), (-3, 7)])
def test_window_at_is_the_largest_window_inside(src, aspect, centre):
    w, h = src
    box = window_at(w, h, aspect, centre[0] * w, centre[1] * h)
    bw, bh = box[2] - box[0], box[3] - box[1]
    assert inside(box, (0, 0, w, h), tol=1e-6)
    assert abs(bw - bh * aspect) <= 1
    assert abs(bw - w) < 1e-6 or abs(bh - h) < 1e-6


def test_window_at_centres_on_the_point_when_it_can():
    assert window_at(1500, 1000, 1.0, 700, 500) == (200, 0, 1200, 1000)
    assert window_at(1500, 1000, 1.0, 100, 500) == (0, 0, 1000, 1000)
    assert window_at(1500, 1000, 1.0, 1400, 500) == (500, 0, 1500, 1000)


def face_at(x0, y0, x1, y1) -> Face:
    return Face(x0, y0, x1, y1)


def an(*faces: Face, salient_box=None, salient_centre=(0.5, 0.5)) -> Analysis:
    return Analysis(tuple(faces), salient_box, salient_centre, 512, 341)


def test_all_faces_that_fit_are_kept_and_centred():
    a = an(face_at(0.05, 0.3, 0.12, 0.4), face_at(0.3, 0.3, 0.37, 0.4))
    c = choose_crop(1500, 1000, 1.0, a)
    assert (c.reason, c.faces_total, c.faces_kept) == ("faces", 2, 2)
    heads_mid = (0.05 * 1500 + 0.37 * 1500) / 2
    assert c.box[0] == 0  # clamped: centring on the heads would leave the picture
    assert inside((heads_mid - 1, 0, heads_mid + 1, 1), c.box)


def test_largest_group_wins_when_faces_do_not_all_fit():
    big, small_a, small_b = face_at(0.8, 0.3, 0.9, 0.45), face_at(0.02, 0.3, 0.05, 0.35), face_at(0.08, 0.3, 0.11, 0.35)
    c = choose_crop(1500, 1000, 1.0, an(small_a, small_b, big))
    assert (c.reason, c.faces_total, c.faces_kept) == ("largest-group", 3, 1)
    assert c.box[2] == 1500  # the big face (weighted by area) beats two small ones on the far side
    assert "1 of 3 faces" in c.detail


def test_tie_between_equal_faces_goes_towards_saliency():
    left, right = face_at(0.02, 0.3, 0.08, 0.38), face_at(0.92, 0.3, 0.98, 0.38)
    c = choose_crop(1500, 1000, 1.0, an(left, right, salient_box=(0.8, 0.2, 1, 0.8), salient_centre=(0.9, 0.5)))
    assert c.box[2] == 1500 and c.faces_kept == 1


def test_saliency_then_centre_fallbacks():
    c = choose_crop(1500, 1000, 1.0, an(salient_box=(0.8, 0.4, 0.9, 0.5), salient_centre=(0.85, 0.45)))
    assert c.reason == "saliency" and c.box == (500, 0, 1500, 1000)
    for analysis in (None, an()):
        c = choose_crop(1500, 1000, 1.0, analysis)
        assert (c.reason, c.box, c.faces_total) == ("centre", (250, 0, 1250, 1000), 0)


def test_focus_wins_over_faces():
    c = choose_crop(1500, 1000, 1.0, an(face_at(0.05, 0.3, 0.12, 0.4)), focus=(0.9, 0.5))
    assert c.reason == "focus" and c.box == (500, 0, 1500, 1000) and c.faces_kept == 0


def test_tall_source_puts_the_face_on_the_upper_third():
    c = choose_crop(1000, 3000, 1.0, an(face_at(0.4, 0.5, 0.6, 0.55)))
    face_cy = 0.525 * 3000
    # room for the person below the face: the face sits in the upper part, not the middle
    assert c.reason == "faces" and 0.25 < (face_cy - c.box[1]) / 1000 < 0.45


def test_band_geometry_puts_the_face_in_the_always_visible_band():
    # A panorama wider than 16:9: the window slides sideways; face well left of the centre.
    a = an(face_at(0.18, 0.45, 0.22, 0.55))
    plain = choose_crop(4000, 1500, 2560 / 1440, a)
    banded = choose_crop(4000, 1500, 2560 / 1440, a, band=BAND)
    head = tuple(v * s for v, s in zip(a.faces[0].head(), (4000, 1500, 4000, 1500)))
    assert inside(head, plain.box) and inside(head, banded.box)
    assert inside(head, band_box(banded.box, BAND))
    assert subject_outside_band(banded.box, a, 4000, 1500, BAND) == []
    assert subject_outside_band(centre_crop(4000, 1500, 2560 / 1440), a, 4000, 1500, BAND) != []


def test_circle_mask_check():
    a = an(face_at(0.45, 0.4, 0.55, 0.5))
    assert not subject_cut_by_circle((0, 0, 1000, 1000), a, 1000, 1000)
    corner = an(face_at(0.02, 0.02, 0.12, 0.12))
    assert subject_cut_by_circle((0, 0, 1000, 1000), corner, 1000, 1000)


def test_results_are_plain_data():
    a = an(face_at(0.1, 0.1, 0.2, 0.2), salient_box=(0, 0, 0.5, 0.5))
    json.dumps(a.to_dict())
    c = choose_crop(1500, 1000, 1.0, a)
    assert isinstance(c, CropChoice) and isinstance(c.detail, str) and c.detail


# ----------------------------------------------------------------------------- with real faces

def test_face_at_left_third_stays_whole_in_square_crop_and_centre_crop_cuts_it():
    img = background(1500, 1000)
    head = paste_person(img, 1500 / 6, 420, 300)
    a = analyse(small(img))
    assert len(a.faces) == 1
    c = choose_crop(1500, 1000, 1.0, a)
    assert c.reason == "faces" and c.faces_kept == 1
    assert inside(head, c.box)
    assert not inside(head, centre_crop(1500, 1000, 1.0))


def test_two_people_are_both_kept_when_they_fit():
    img = background(1500, 1000, seed=1)
    heads = [paste_person(img, 250, 400, 250), paste_person(img, 800, 430, 250)]
    a = analyse(small(img))
    assert len(a.faces) == 2
    c = choose_crop(1500, 1000, 1.0, a)
    assert (c.reason, c.faces_kept) == ("faces", 2)
    assert all(inside(h, c.box) for h in heads)
    assert not all(inside(h, centre_crop(1500, 1000, 1.0)) for h in heads)


def test_tall_photo_keeps_the_face_in_a_landscape_crop():
    img = background(1000, 1500, seed=2)
    head = paste_person(img, 500, 1200, 280)
    c = choose_crop(1000, 1500, 1270 / 720, analyse(small(img)))
    assert c.reason == "faces" and inside(head, c.box)


def test_channel_art_band_holds_the_subject():
    img = background(2400, 1200, seed=3)
    head = paste_person(img, 650, 600, 300)
    a = analyse(small(img))
    assert len(a.faces) == 1
    c = choose_crop(2400, 1200, 2560 / 1440, a, band=BAND)
    assert inside(head, band_box(c.box, BAND))
    assert subject_outside_band(c.box, a, 2400, 1200, BAND) == []
    # the centre crop leaves her outside the band: that is what `safe-area` reports
    msgs = subject_outside_band(centre_crop(2400, 1200, 2560 / 1440), a, 2400, 1200, BAND)
    assert msgs and "outside the always-visible area" in msgs[0]


def _noise(w, h):
    return Image.fromarray(np.random.default_rng(5).integers(0, 256, (h, w, 3), dtype=np.uint8))


def _gradient(w, h):
    return background(w, h, seed=6)


def _bright_object(w, h):
    arr = np.asarray(background(w, h, seed=7)).copy()
    yy, xx = np.mgrid[0:h, 0:w]
    arr[(xx - 0.85 * w) ** 2 + (yy - 0.4 * h) ** 2 <= (0.1 * h) ** 2] = (250, 220, 40)
    return Image.fromarray(arr)


@pytest.mark.parametrize("make", [_noise, _gradient, _bright_object])
def test_photo_without_faces_falls_back_without_error(make):
    img = make(1500, 1000)
    a = analyse(small(img))
    assert a.faces == ()
    c = choose_crop(1500, 1000, 1.0, a)
    assert c.reason in ("saliency", "centre") and c.faces_total == 0
    if make is _bright_object:
        assert c.reason == "saliency"
        obj = (0.85 * 1500 - 100, 0.4 * 1000 - 100, 0.85 * 1500 + 100, 0.4 * 1000 + 100)
        assert inside(obj, c.box)
        assert a.salient_box is not None and 0.75 < a.salient_centre[0] < 0.95
    else:
        assert c.box == centre_crop(1500, 1000, 1.0) or c.reason == "saliency"


def test_noise_never_gives_faces():
    rng = np.random.default_rng(9)
    for _ in range(5):
        img = Image.fromarray(rng.integers(0, 256, (341, 512, 3), dtype=np.uint8))
        assert analyse(img).faces == ()


# ------------------------------------------------------------- placement rules (issue 16.2)

def faces_cut(c: CropChoice, a: Analysis, w: int, h: int) -> list[int]:
    """Faces the window edges pass through (face boxes, not hair)."""
    out = []
    for i, f in enumerate(a.faces):
        b = (f.x0 * w, f.y0 * h, f.x1 * w, f.y1 * h)
        overlaps = b[0] < c.box[2] and c.box[0] < b[2] and b[1] < c.box[3] and c.box[1] < b[3]
        if overlaps and not inside(b, c.box):
            out.append(i)
    return out


def profile_at(centre: float, n: int = 96, width: float = 0.1) -> tuple[float, ...]:
    v = [math.exp(-(((i + 0.5) / n - centre) / width) ** 2) for i in range(n)]
    return tuple(x / sum(v) for x in v)


def test_a_couple_in_a_square_keeps_both_faces_when_only_their_heads_do_not_fit():
    # heads (hair and ears) span 1026 px, more than the 1000 px square; the faces span 840
    a = an(face_at(0.10, 0.3, 0.25, 0.5), face_at(0.50, 0.3, 0.66, 0.5))
    c = choose_crop(1500, 1000, 1.0, a)
    assert (c.reason, c.faces_kept) == ("faces", 2)
    assert faces_cut(c, a, 1500, 1000) == []


def test_three_faces_that_just_fit_are_all_kept_though_an_edge_grazes_one():
    # a group of three across 1920x1280 (faceapi-sample1 in the benchmark): the faces span 1268 px of
    # the 1280 px square, so any window holding all three passes within the 10% slack of an outer
    # face; that graze must not lose to a window that leaves a whole person out
    a = an(face_at(412 / 1920, 0.28, 600 / 1920, 0.47), face_at(829 / 1920, 0.33, 1024 / 1920, 0.5),
           face_at(1481 / 1920, 0.16, 1680 / 1920, 0.34))
    c = choose_crop(1920, 1280, 1.0, a)
    assert (c.reason, c.faces_kept) == ("faces", 3)
    assert faces_cut(c, a, 1920, 1280) == []


def test_a_row_of_faces_across_a_banner_is_cut_between_faces():
    # eight faces across a 3:1 picture; the 851x315 window (2701 px wide) cannot hold them all
    row = [face_at(x, 0.4, x + 0.05, 0.6) for x in (0.02, 0.15, 0.28, 0.41, 0.54, 0.67, 0.80, 0.93)]
    a = an(*row)
    c = choose_crop(3000, 1000, 851 / 315, a)
    assert faces_cut(c, a, 3000, 1000) == []
    assert c.faces_kept == 7 and c.reason == "largest-group" and "no face cut through" in c.detail


def test_a_face_at_the_edge_is_kept_whole():
    a = an(face_at(0.0, 0.3, 0.06, 0.42), salient_box=(0.5, 0.2, 0.9, 0.8), salient_centre=(0.7, 0.5))
    c = choose_crop(1500, 1000, 1.0, a)
    assert c.box[0] == 0 and c.faces_kept == 1 and faces_cut(c, a, 1500, 1000) == []


def test_a_face_larger_than_the_window_is_centred_on_eyes_and_mouth_not_hair():
    # a close portrait into a 3:1 strip: the face is 600 px tall, the window 333; eyes at 45%, mouth 70%
    lm = (0.4, 0.39, 0.6, 0.39, 0.5, 0.45, 0.42, 0.47, 0.58, 0.47)
    a = an(Face(0.2, 0.3, 0.8, 0.5, 1.0, lm))
    c = choose_crop(1000, 3000, 3.0, a)
    assert c.reason == "largest-group" and "eyes and mouth" in c.detail
    top, bottom = c.box[1], c.box[3]
    assert top < 0.39 * 3000 and 0.47 * 3000 < bottom  # eyes and mouth in view
    head = a.faces[0].head()
    assert abs((top + bottom) / 2 - (head[1] + head[3]) / 2 * 3000) > 50  # not centred on the head box


def test_a_crowd_wider_than_the_window_keeps_the_largest_group_and_cuts_none_of_it():
    # twelve faces across a panorama, bigger on the right (nearer the camera)
    xs = [0.02 + 0.08 * i for i in range(12)]
    crowd = [face_at(x, 0.45, x + 0.035 + 0.002 * i, 0.55) for i, x in enumerate(xs)]
    a = an(*crowd)
    c = choose_crop(3000, 1000, 1.0, a)
    assert faces_cut(c, a, 3000, 1000) == []
    kept = [i for i, f in enumerate(a.faces) if inside((f.x0 * 3000, f.y0 * 1000, f.x1 * 3000, f.y1 * 1000), c.box)]
    assert len(kept) == 4 and kept == list(range(kept[0], kept[0] + 4))  # one group, side by side
    assert kept[-1] == 11  # the larger faces


def test_edges_fall_between_faces_and_the_window_keeps_the_most_saliency():
    # two faces fit with room to spare; saliency lies to the right: the window goes right as far as
    # it can while both faces stay whole and clear of its edges
    a = Analysis((face_at(0.30, 0.3, 0.36, 0.42), face_at(0.45, 0.3, 0.51, 0.42)), (0.5, 0.2, 0.9, 0.8),
                 (0.7, 0.5), 512, 341, saliency_x=profile_at(0.75), saliency_y=profile_at(0.5))
    c = choose_crop(1500, 1000, 1.0, a)
    assert c.faces_kept == 2 and "edges clear of every face" in c.detail
    left_head = a.faces[0].head()[0] * 1500
    assert left_head - 20 <= c.box[0] < left_head  # as far right as the left face allows
    assert c.box[0] > 250  # not the centred window


def test_channel_art_puts_the_faces_in_the_always_visible_band_first():
    # a 4000x1500 panorama: the 2560x1440-shaped window slides; two faces close together on the left
    a = an(face_at(0.16, 0.45, 0.19, 0.55), face_at(0.24, 0.45, 0.27, 0.55),
           salient_box=(0.6, 0.2, 0.95, 0.8), salient_centre=(0.8, 0.5))
    c = choose_crop(4000, 1500, 2560 / 1440, a, band=BAND)
    vis = band_box(c.box, BAND)
    for f in a.faces:
        assert inside(tuple(v * k for v, k in zip(f.head(), (4000, 1500, 4000, 1500))), vis)
    assert "2 inside the always-visible band" in c.detail


def test_circle_masked_profile_puts_the_face_in_the_circle():
    a = Analysis((face_at(0.30, 0.22, 0.36, 0.36),), (0.6, 0.2, 0.95, 0.8), (0.8, 0.5), 512, 341,
                 saliency_x=profile_at(0.85), saliency_y=profile_at(0.5))
    plain = choose_crop(1500, 1000, 1.0, a)
    masked = choose_crop(1500, 1000, 1.0, a, circle=True)
    assert subject_cut_by_circle(plain.box, a, 1500, 1000)  # saliency pulled the face to the corner
    assert not subject_cut_by_circle(masked.box, a, 1500, 1000)
    assert masked.faces_kept == 1 and "inside the circle" in masked.detail


def test_a_person_without_a_visible_face_keeps_the_head_not_the_feet():
    # a tall photo of someone seen from behind: salient from head (10%) to feet (90%), more mass low down
    a = an(salient_box=(0.3, 0.1, 0.7, 0.9), salient_centre=(0.5, 0.6))
    c = choose_crop(1000, 3000, 1.0, a)
    assert c.reason == "saliency" and "head" in c.detail
    assert c.box[1] <= 0.1 * 3000 < c.box[3]


def test_wording_of_band_and_colour_findings_reads_plainly():
    """Issue 12.4: no '0 inside the always-visible band', no 'outside ... outside the 1546x423 area',
    and the sRGB conversion no longer cites FACEBOOK > Cover photo on every slot."""
    from assetkit.checks import CODES, finding
    from assetkit.plan.photo import _safe_area_findings
    from assetkit.presets import load_presets

    # a face at the far left of a wide panorama: the window cannot put it inside the band
    a = an(face_at(0.01, 0.05, 0.05, 0.15), salient_box=None, salient_centre=(0.5, 0.5))
    c = choose_crop(6000, 1500, 2560 / 1440, a, band=BAND)
    assert "0 inside" not in c.detail
    slot = load_presets().get("youtube/channel-art")
    msgs = [f.message for f in _safe_area_findings(slot, c.box, a, 6000, 1500)]
    assert msgs and all(m.count("outside") == 1 for m in msgs), msgs
    assert "FACEBOOK" not in CODES["not-srgb"].section and "FACEBOOK" not in finding("not-srgb", "m").section
