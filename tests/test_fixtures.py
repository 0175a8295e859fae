"""The fixtures are test inputs other tests trust: check they are what they claim."""

import io

import numpy as np
import pytest
from PIL import Image, ImageCms, ImageOps

import fixtures as fx


@pytest.mark.parametrize("orientation", [None, 1, 2, 3, 4, 5, 6, 7, 8])
def test_orientation_fixture_is_upright_after_exif_transpose(tmp_path, orientation):
    p = fx.make_photo(tmp_path / "o.jpg", (120, 80), orientation=orientation)
    with Image.open(p) as im:
        assert im.getexif().get(fx.TAG_ORIENTATION) == orientation
        stored = im.size
        upright = ImageOps.exif_transpose(im)
    assert upright.size == (120, 80)
    assert stored == ((80, 120) if orientation in (5, 6, 7, 8) else (120, 80))
    assert fx.quadrant_names(upright) == fx.UPRIGHT_NAMES


@pytest.mark.parametrize("orientation", [2, 3, 4, 5, 6, 7, 8])
def test_stored_pixels_are_not_already_upright(tmp_path, orientation):
    # Guards against a fixture that sets the tag but forgets to transform the pixels.
    p = fx.make_photo(tmp_path / "o.jpg", (120, 80), orientation=orientation)
    with Image.open(p) as im:
        assert fx.quadrant_names(im) != fx.UPRIGHT_NAMES


def test_quadrant_colours_are_near_pure(tmp_path):
    with Image.open(fx.make_photo(tmp_path / "q.jpg", (200, 200))) as im:
        a = np.asarray(im.convert("RGB"), dtype=int)
    for (fy, fx_), colour in zip(((50, 50), (50, 150), (150, 50), (150, 150)), fx.QUADRANTS.values()):
        assert np.abs(a[fy, fx_] - colour).max() <= 45


def test_gps_private_and_base_tags(tmp_path):
    p = fx.make_photo(tmp_path / "g.jpg", (64, 64), gps=True, private=True,
                      exif={fx.TAG_ARTIST: "Sample Photographer", fx.TAG_COPYRIGHT: "© IOM 2026"})
    with Image.open(p) as im:
        ex = im.getexif()
    gps = ex.get_ifd(fx.IFD_GPS)
    assert gps[1] == "N" and gps[3] == "E"
    lat = gps[2]
    assert abs(float(lat[0]) + float(lat[1]) / 60 + float(lat[2]) / 3600 - fx.GPS_LAT) < 1e-4
    assert float(gps[6]) == fx.GPS_ALT
    exif_ifd = ex.get_ifd(fx.IFD_EXIF)
    for tag, value in fx.PRIVATE_TAGS.items():
        assert exif_ifd[tag] == value
    assert exif_ifd[fx.TAG_MAKERNOTE] == fx.MAKERNOTE
    assert ex[fx.TAG_ARTIST] == "Sample Photographer"
    assert ex[fx.TAG_COPYRIGHT].encode("latin-1").decode("utf-8") == "© IOM 2026"


def test_plain_photo_has_no_gps(tmp_path):
    with Image.open(fx.make_photo(tmp_path / "p.jpg", (64, 64))) as im:
        assert not im.getexif().get_ifd(fx.IFD_GPS)


def test_xmp_location(tmp_path):
    p = fx.make_photo(tmp_path / "x.jpg", (64, 64), xmp_location=True)
    with Image.open(p) as im:
        xmp = im.info["xmp"]
    for needle in (b"photoshop:City>Geneva", b"Iptc4xmpCore:Location", b"exif:GPSLatitude>46,"):
        assert needle in xmp


def test_noise_pattern_does_not_compress(tmp_path):
    p = fx.make_photo(tmp_path / "n.png", (128, 128), pattern="noise", fmt="PNG")
    assert p.stat().st_size > 128 * 128 * 3 * 0.95


def _to_srgb(img, profile_bytes):
    src = ImageCms.ImageCmsProfile(io.BytesIO(profile_bytes))
    dst = ImageCms.createProfile("sRGB")
    return ImageCms.profileToProfile(img, src, dst, outputMode="RGB")


@pytest.mark.parametrize("name", ["adobe-rgb", "display-p3"])
@pytest.mark.parametrize("colour", [(0, 255, 0), (0, 128, 0), (128, 128, 128), (200, 60, 30)])
def test_icc_profile_transforms_match_analytic(name, colour):
    data = fx.icc_profile(name)
    assert len(data) == int.from_bytes(data[:4], "big") and data[36:40] == b"acsp"
    out = _to_srgb(Image.new("RGB", (1, 1), colour), data).getpixel((0, 0))
    assert np.abs(np.subtract(out, fx.expected_srgb(name, colour))).max() <= 3, out


def test_adobe_rgb_reference_values():
    # Adobe RGB green is outside sRGB: red and blue go negative and clip, green stays full. Mid
    # grey stays grey (same white; gamma 2.2 vs the sRGB curve: 128 -> 129). Adobe (0,128,0) is
    # also out of gamut; its sRGB green is 129 (the Adobe->sRGB matrix has 1.0 on green's diagonal).
    assert fx.expected_srgb("adobe-rgb", (0, 255, 0)) == (0, 255, 0)
    r, g, b = fx.expected_srgb("adobe-rgb", (128, 128, 128))
    assert r == g == b and abs(r - 128) <= 2
    r, g, b = fx.expected_srgb("adobe-rgb", (0, 128, 0))
    assert (r, g, b) == (0, 129, 0)


def test_icc_jpeg_embeds_profile(tmp_path):
    p = fx.make_icc_jpeg(tmp_path / "a.jpg", profile="adobe-rgb", colour=(0, 128, 0))
    with Image.open(p) as im:
        icc = im.info["icc_profile"]
        assert icc == fx.icc_profile("adobe-rgb")
        out = _to_srgb(im.convert("RGB"), icc).getpixel((32, 32))
    assert np.abs(np.subtract(out, fx.expected_srgb("adobe-rgb", (0, 128, 0)))).max() <= 4


def test_cmyk_patches(tmp_path):
    p = fx.make_cmyk_jpeg(tmp_path / "c.jpg", (192, 128))
    with Image.open(p) as im:
        assert im.mode == "CMYK"
        rgb = im.convert("RGB")
    centres = fx.cmyk_patch_centres((192, 128))
    for name, _, expected in fx.CMYK_PATCHES:
        assert np.abs(np.subtract(rgb.getpixel(centres[name]), expected)).max() <= 8, name


def test_png16(tmp_path):
    with Image.open(fx.make_png16(tmp_path / "g.png", (64, 8))) as im:
        assert im.mode == "I;16"
        assert im.getpixel((0, 0)) == 0 and im.getpixel((63, 0)) == 65535
    p = fx.make_png16(tmp_path / "c.png", (64, 48), rgb=True)
    assert p.read_bytes()[24:26] == bytes([16, 2])  # IHDR bit depth 16, colour type RGB
    with Image.open(p) as im:
        im.load()
        assert im.mode == "RGB" and im.size == (64, 48)
        assert im.getpixel((63, 0)) == (255, 0, 128) and im.getpixel((0, 47)) == (0, 255, 128)


def test_palette_gif(tmp_path):
    with Image.open(fx.make_palette_gif(tmp_path / "a.gif")) as im:
        assert im.mode == "P" and im.n_frames == len(fx.GIF_FRAMES)
        assert im.convert("RGB").getpixel((1, 1)) == fx.RED


def test_transparent_png(tmp_path):
    with Image.open(fx.make_transparent_png(tmp_path / "l.png", (120, 120))) as im:
        assert im.mode == "RGBA"
        assert im.getpixel((0, 0))[3] == 0
        assert im.getpixel((60, 50)) == fx.LOGO_WHITE + (255,)
        assert im.getpixel((60, 50 - 29)) == fx.LOGO_BLUE + (255,)
        assert len(im.getcolors()) == 4


@pytest.mark.parametrize("maker,fmt", [(fx.make_webp, "WEBP"), (fx.make_tiff, "TIFF"), (fx.make_bmp, "BMP")])
def test_other_formats(tmp_path, maker, fmt):
    with Image.open(maker(tmp_path / "f")) as im:
        assert im.format == fmt and im.size == (200, 150)
        assert fx.quadrant_names(im) == fx.UPRIGHT_NAMES


def test_tiff_orientation(tmp_path):
    with Image.open(fx.make_tiff(tmp_path / "t.tif", orientation=6)) as im:
        assert fx.quadrant_names(ImageOps.exif_transpose(im)) == fx.UPRIGHT_NAMES


@pytest.mark.parametrize("orientation", [None, 6, 3])
def test_heic_is_upright_on_open(tmp_path, orientation):
    p = fx.make_heic(tmp_path / "h.heic", (96, 64), orientation=orientation)
    with Image.open(p) as im:
        assert im.format == "HEIF" and im.size == (96, 64)
        # libheif applied irot; pillow_heif reports 1 so exif_transpose is a no-op.
        assert im.getexif().get(fx.TAG_ORIENTATION, 1) == 1
        assert (im.info.get("original_orientation") or 1) == (orientation or 1)
        assert fx.quadrant_names(ImageOps.exif_transpose(im)) == fx.UPRIGHT_NAMES


def test_bad_inputs(tmp_path):
    assert fx.make_zero_bytes(tmp_path / "z.jpg").stat().st_size == 0
    for p in (fx.make_text_as_jpg(tmp_path / "t.jpg"), fx.make_random_bytes_jpg(tmp_path / "r.jpg")):
        with pytest.raises(Image.UnidentifiedImageError):
            Image.open(p)
    t = fx.make_truncated_jpeg(tmp_path / "cut.jpg")
    with Image.open(t) as im:
        assert im.size == (200, 150)  # header is fine ...
        with pytest.raises(OSError):
            im.load()  # ... pixels are not


def test_bomb_png(tmp_path, monkeypatch):
    p = fx.make_bomb_png(tmp_path / "bomb.png")
    assert p.stat().st_size < 10_000
    with pytest.raises(Image.DecompressionBombError):
        Image.open(p)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", None)
    with Image.open(p) as im:
        assert im.size == (100_000, 100_000)
