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


# ------------------------------------------------------- 15.4: only what the allow-list writes

SECRET = b"GPS 40.4168,-3.7038 Madrid"


def jpeg_segments(raw: bytes) -> list[tuple[int, bytes]]:
    """(marker, payload) of every segment before the image data (SOS)."""
    assert raw[:2] == b"\xff\xd8"
    i, out = 2, []
    while i < len(raw):
        assert raw[i] == 0xFF, i
        marker = raw[i + 1]
        if marker == 0xD9:
            break
        n = int.from_bytes(raw[i + 2:i + 4], "big")
        out.append((marker, raw[i + 4:i + 2 + n]))
        if marker == 0xDA:  # start of scan: entropy-coded data follows
            break
        i += 2 + n
    return out


def png_chunks(raw: bytes) -> list[tuple[bytes, bytes]]:
    assert raw[:8] == b"\x89PNG\r\n\x1a\n"
    i, out = 8, []
    while i < len(raw):
        n = int.from_bytes(raw[i:i + 4], "big")
        out.append((raw[i + 4:i + 8], raw[i + 8:i + 8 + n]))
        i += 12 + n
    return out


def _segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + (len(payload) + 2).to_bytes(2, "big") + payload


def test_jpeg_output_has_no_comment_and_no_app_segment_of_the_source(tmp_path):
    src = tmp_path / "commented.jpg"
    img = fx.quadrants_image((1300, 1300))
    img.save(src, "JPEG", quality=90, comment=SECRET)
    raw = src.read_bytes()
    # APP12 (Ducky) and APP13 (Photoshop/IPTC) with free text, as cameras and editors write them
    raw = raw[:2] + _segment(0xEC, b"Ducky\x00" + SECRET) + _segment(0xED, b"Photoshop 3.0\x00" + SECRET) + raw[2:]
    src.write_bytes(raw)
    with Image.open(src) as im:
        assert im.info["comment"] == SECRET  # the source really carries it
    res = assetkit.prepare([src], "instagram/post,twitter/post", out_dir=tmp_path / "out", jobs=1, crop="centre")
    assert len(res.results[0].outputs) == 2
    for o in res.results[0].outputs:
        out = open(o.output, "rb").read()
        segs = jpeg_segments(out)
        markers = {m for m, _ in segs}
        assert 0xFE not in markers, "COM segment copied from the source"
        app = [(m, p[:12]) for m, p in segs if 0xE0 <= m <= 0xEF]
        # allow-list: JFIF, Exif, XMP, ICC written by assetkit, nothing else
        for m, head in app:
            assert (m, head[:4]) in {(0xE0, b"JFIF"), (0xE1, b"Exif"), (0xE1, b"http"), (0xE2, b"ICC_")}, (hex(m), head)
        assert SECRET not in out and b"Madrid" not in out


def test_png_output_has_no_free_text_chunks_of_the_source(tmp_path):
    from PIL import PngImagePlugin

    src = tmp_path / "logo.png"
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", SECRET.decode())
    info.add_text("Location", "Madrid", zip=True)
    info.add_itxt("Description", "Madrid " + SECRET.decode())
    fx.logo_image((1200, 1200)).save(src, "PNG", pnginfo=info)
    with Image.open(src) as im:
        assert im.info["Comment"] == SECRET.decode()
    res = assetkit.prepare([src], "instagram/post", out_dir=tmp_path / "out", jobs=1, crop="centre")
    out_path = res.results[0].outputs[0].output
    assert out_path.endswith(".png")
    out = open(out_path, "rb").read()
    chunks = png_chunks(out)
    kinds = [k for k, _ in chunks]
    assert b"tEXt" not in kinds and b"zTXt" not in kinds
    assert [d.split(b"\x00")[0] for k, d in chunks if k == b"iTXt"] == [b"XML:com.adobe.xmp"]
    assert b"Madrid" not in out
