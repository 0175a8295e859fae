"""Crop geometry: pure functions, tested without decoding files (and once against real pixels)."""
import pytest
from PIL import Image, ImageOps

from assetkit.plan import geometry
from assetkit.image.load import TRANSPOSE
from assetkit.presets import Variant

import fixtures as fx


@pytest.mark.parametrize("src, aspect", [((3000, 2000), 1.0), ((2000, 3000), 1.0), ((3000, 2000), 1270 / 720),
                                         ((1000, 1000), 851 / 315), ((4000, 3000), 16 / 9), ((500, 2000), 2.0)])
@pytest.mark.parametrize("centre", [(0, 0), (0.5, 0.5), (1, 1), (0.2, 0.9)])
def test_window_is_inside_has_the_aspect_and_spans_a_full_side(src, aspect, centre):
    w, h = src
    box = geometry.window_at(w, h, aspect, centre[0] * w, centre[1] * h)
    assert box[0] >= 0 and box[1] >= 0 and box[2] <= w + 1e-9 and box[3] <= h + 1e-9
    bw, bh = box[2] - box[0], box[3] - box[1]
    assert abs(bw / bh - aspect) < 1e-6
    assert abs(bw - w) < 1e-6 or abs(bh - h) < 1e-6


def test_focus_moves_the_window_and_is_clamped():
    left = geometry.focus_window(3000, 2000, 1.0, (0.0, 0.5))
    right = geometry.focus_window(3000, 2000, 1.0, (1.0, 0.5))
    centre = geometry.focus_window(3000, 2000, 1.0)
    assert left == (0.0, 0.0, 2000.0, 2000.0)
    assert right == (1000.0, 0.0, 3000.0, 2000.0)
    assert centre == (500.0, 0.0, 2500.0, 2000.0)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_upright_box_maps_to_the_same_pixels_in_the_stored_grid(orientation):
    upright = fx.quadrants_image((60, 40))
    stored = fx.to_stored(upright, orientation)
    box = (6, 4, 30, 20)  # the top-left quadrant region (red) in upright coordinates
    sbox = geometry.upright_box_to_stored(box, orientation, *stored.size)
    crop = stored.crop(tuple(int(v) for v in sbox))
    if orientation in TRANSPOSE:
        crop = crop.transpose(TRANSPOSE[orientation])
    assert crop.size == (24, 16)
    assert crop.tobytes() == upright.crop(box).tobytes()


@pytest.mark.parametrize("orientation", range(1, 9))
def test_transpose_table_agrees_with_pillow_exif_transpose(orientation):
    img = fx.quadrants_image((30, 20))
    exif = Image.Exif()
    exif[0x0112] = orientation
    img.info["exif"] = exif.tobytes()
    ref = ImageOps.exif_transpose(img)
    mine = img.transpose(TRANSPOSE[orientation]) if orientation in TRANSPOSE else img
    assert ref.tobytes() == mine.tobytes()


SQ = Variant("square", 1080, 1080, "s")
LAND = Variant("landscape", 1270, 720, "s")
FORCED = Variant("landscape-4x3", 1024, 768, "s", auto=False)


def test_variant_loses_least_picture():
    assert geometry.choose_variant([SQ, LAND, FORCED], 4000, 2250).name == "landscape"  # 16:9 photo
    assert geometry.choose_variant([SQ, LAND, FORCED], 3000, 3000).name == "square"
    assert geometry.choose_variant([SQ, LAND, FORCED], 2000, 3000).name == "square"   # portrait
    # a 4:3 photo loses 25% as square and 24.8% as 1270x720: landscape wins narrowly
    assert geometry.choose_variant([SQ, LAND, FORCED], 4000, 3000).name == "landscape"


def test_forced_variant_wins_and_unknown_is_none():
    assert geometry.choose_variant([SQ, LAND, FORCED], 4000, 2250, "landscape-4x3").name == "landscape-4x3"
    assert geometry.choose_variant([SQ, LAND], 4000, 2250, "nope") is None


def test_variant_that_fits_is_preferred_over_one_that_would_upscale():
    # 1300x740: landscape keeps most but fits (1300>=1270, 740>=720); square would need 1080 rows
    assert geometry.choose_variant([SQ, LAND], 1300, 740).name == "landscape"
    # 1200x700: landscape (best) would need upscaling, square does not fit either -> best one
    assert geometry.choose_variant([SQ, LAND], 1200, 700).name == "landscape"
    # 1100x1090: square fits
    assert geometry.choose_variant([SQ, LAND], 1100, 1090).name == "square"


def test_fits_has_half_pixel_slack_only():
    assert geometry.fits((0, 0, 1079.6, 1080), 1080, 1080)
    assert not geometry.fits((0, 0, 1078, 1080), 1080, 1080)
