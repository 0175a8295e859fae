"""Privacy by default: no location, serials, owner names, MakerNote or thumbnail in any output;
Artist and Copyright kept; orientation normalised."""
from PIL import Image

import assetkit
from assetkit import metadata

import fixtures as fx

LOCATION_WORDS = [b"GPSLatitude", b"photoshop:City", b"Iptc4xmpCore:Location", b"Geneva"]


def test_outputs_carry_no_location_or_private_tags_but_keep_credit(tmp_path):
    src = fx.make_photo(tmp_path / "gps.jpg", (1400, 1400), gps=True, private=True, xmp_location=True,
                        exif={fx.TAG_ARTIST: "Ana Photographer", fx.TAG_COPYRIGHT: "© IOM 2026"}, orientation=3)
    res = assetkit.prepare([src], "instagram/post,twitter/post,facebook/profile", out_dir=tmp_path / "out",
                           jobs=1, crop="centre")
    codes = {f.code for f in res.results[0].findings}
    assert {"gps-present", "private-metadata"} <= codes
    assert len(res.results[0].outputs) == 3
    for o in res.results[0].outputs:
        raw = open(o.output, "rb").read()
        with Image.open(o.output) as im:
            exif = im.getexif()
            assert not exif.get_ifd(fx.IFD_GPS), o.output
            sub = exif.get_ifd(fx.IFD_EXIF)
            for tag in (fx.TAG_CAMERA_OWNER, fx.TAG_BODY_SERIAL, fx.TAG_LENS_SERIAL, fx.TAG_MAKERNOTE):
                assert tag not in sub and tag not in exif
            assert exif.get(0x0112) == 1
            assert metadata.text(exif.get(fx.TAG_ARTIST)) == "Ana Photographer"
            assert metadata.text(exif.get(fx.TAG_COPYRIGHT)) == "© IOM 2026"
            xmp = im.info.get("xmp", b"")
            assert b"Ana Photographer" in xmp and "© IOM 2026".encode() in xmp
        for word in LOCATION_WORDS:
            assert word not in raw, (word, o.output)
        for serial in fx.PRIVATE_TAGS.values():
            assert str(serial).encode() not in raw
        assert fx.MAKERNOTE not in raw
        assert raw.count(b"\xff\xd8") == 1  # no embedded thumbnail JPEG inside


def test_keep_location_is_an_explicit_opt_in(tmp_path):
    src = fx.make_photo(tmp_path / "gps.jpg", (1200, 1200), gps=True)
    res = assetkit.prepare([src], "instagram/post", out_dir=tmp_path / "out", jobs=1, keep_location=True)
    with Image.open(res.results[0].outputs[0].output) as im:
        assert im.getexif().get_ifd(fx.IFD_GPS)


def test_check_reports_gps_on_the_source_and_writes_nothing(tmp_path):
    src = fx.make_photo(tmp_path / "gps.jpg", (1200, 1200), gps=True)
    res = assetkit.check([src], "instagram/post", jobs=1)
    assert [f.code for f in res.results[0].findings if f.code != "no-credit"] == ["gps-present"]
    assert res.results[0].findings[0].section == "SECURITY AND PRIVACY"
    assert list(tmp_path.iterdir()) == [src]


def test_png_output_carries_xmp_credit(tmp_path):
    src = fx.make_transparent_png(tmp_path / "logo.png", (1200, 1200))
    res = assetkit.prepare([src], "instagram/post", out_dir=tmp_path / "out", jobs=1)
    out = res.results[0].outputs[0].output
    assert out.endswith(".png")
    assert metadata.read_recipe(out)
